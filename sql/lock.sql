-- libmigrate storage for no-transaction migrations in progress (see ext/run.c).
--
-- Embedded into the extension at build time like storage.sql, and run only
-- when a no-transaction migration is about to run, so a database that never
-- has one keeps just the tables of storage.sql.
--
-- A no-transaction migration runs between two transactions of its batch,
-- without the write lock.  Its row here is written in the same commit as
-- the batch before it and deleted in the same commit as its ledger row, so
-- every other runner sees it either claimed or applied, never pending: a
-- runner that finds a row waits (busy_timeout) and does nothing meanwhile.
-- A row left behind by a crash is cleared by migrate_repair().
CREATE TABLE IF NOT EXISTS main.migrations_lock(
  name       TEXT NOT NULL UNIQUE,  -- the no-transaction migration running
  batch      INTEGER NOT NULL,      -- the batch it belongs to
  started_at TEXT NOT NULL          -- UTC, 'YYYY-MM-DD HH:MM:SS.SSS'
);

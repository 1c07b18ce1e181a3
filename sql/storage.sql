-- libmigrate storage schema.
--
-- Embedded into the extension at build time (the Makefile turns this file
-- into build/storage_sql.c) and run on the first write to the `migrations`
-- virtual table.  Loading the extension or reading never runs it.
--
-- down_checksum lets INSERT OR REPLACE (and migrate_define() at every boot)
-- see that a definition is unchanged without reading script text.
--
-- Layout rule: in every table the small columns come first and script text
-- last, so the "is anything pending?" check, which reads only name and
-- checksum, never touches the overflow pages that hold scripts.
--
-- A database made before the `replaces` column existed has no such column:
-- readers then see no squash, and the first definition that declares
-- replaced migrations adds it (ALTER TABLE ... ADD COLUMN, store.c), so
-- this file still runs only once, when the storage is created.
--
-- Users read these tables freely; they write them only through the
-- `migrations` table and the migrate functions.

-- The current definitions: one row per migration name.
CREATE TABLE IF NOT EXISTS main.migrations_scripts(
  name     TEXT NOT NULL UNIQUE,   -- migration name, ordered naturally
  checksum TEXT NOT NULL,          -- migration_checksum(up), kept on every write
  down_checksum TEXT,              -- migration_checksum(down); NULL when down is NULL
  repeatable INTEGER NOT NULL DEFAULT 0, -- 1: re-run whenever its checksum changes
  replaces TEXT,                   -- a squash: the names it replaces, one a line
  up       TEXT NOT NULL,          -- the up script
  down     TEXT,                   -- the down script; NULL = irreversible
  verify   TEXT                    -- query run after up; must return true
);

-- What ran: one row per applied migration.
CREATE TABLE IF NOT EXISTS main.migrations_ledger(
  name        TEXT NOT NULL UNIQUE,  -- migration name
  batch       INTEGER NOT NULL,      -- the migrate() call that applied it
  checksum    TEXT NOT NULL,         -- checksum of the up script as applied
  applied_at  TEXT NOT NULL,         -- UTC, 'YYYY-MM-DD HH:MM:SS.SSS'
  duration_ms INTEGER NOT NULL,      -- time the up script took
  changes     INTEGER,               -- rows the up script changed
  repeatable  INTEGER NOT NULL DEFAULT 0, -- 1: a repeatable migration's last run
  down        TEXT                   -- the down script as applied
);

-- Append-only log of every up and down run, failures included.
CREATE TABLE IF NOT EXISTS main.migrations_history(
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL,
  direction   TEXT NOT NULL,         -- 'up', 'down', 'repair' or 'baseline'
  batch       INTEGER,
  at          TEXT NOT NULL,         -- UTC, 'YYYY-MM-DD HH:MM:SS.SSS'
  duration_ms INTEGER,
  changes     INTEGER,               -- rows the script changed
  ok          INTEGER NOT NULL,      -- 1 success, 0 failure
  message     TEXT                   -- the error when ok = 0; 'no-transaction'
);                                   -- for a no-transaction migration's run

-- libmigrate storage for hooks (see ext/hooks.c).
--
-- Embedded into the extension at build time like storage.sql, and run on
-- the first write to the `migration_hooks` virtual table only, so that a
-- database that never uses hooks keeps just the three tables of storage.sql.

-- Hook scripts run inside a call's transaction at the named event (written
-- through the `migration_hooks` table, which checks the event names).
CREATE TABLE IF NOT EXISTS main.migrations_hooks(
  id     INTEGER PRIMARY KEY,
  event  TEXT NOT NULL,  -- before_migrate, after_migrate, before_each, after_each,
                         -- before_rollback, after_rollback
  script TEXT NOT NULL
);

-- libmigrate storage for the boot fast path (see ext/api.c, migrate_boot_v2).
--
-- Embedded into the extension at build time like storage.sql, and run only
-- when migrate_boot_v2() has compared a compiled-in script array in full and
-- found every script of it defined exactly so, so a database that never
-- boots that way keeps just the tables of storage.sql.
--
-- A row says: "the script array whose checksum this is (names, up, down,
-- irreversible flags: migrate_array_checksum()) is defined exactly so".
-- Every definition written or deleted through the engine (the `migrations`
-- table, migrate_define(), a boot that defines) deletes every row, so a row
-- is only ever true; the next boot of an array finds its row and skips the
-- per-script comparison.  Writing main.migrations_scripts directly (not
-- through `migrations`) bypasses that and is not supported.
CREATE TABLE IF NOT EXISTS main.migrations_boot(
  checksum TEXT NOT NULL UNIQUE   -- migrate_array_checksum() of a script array
);

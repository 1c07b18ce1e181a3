/*
** extra_init.c — libmigrate's start-up hook in SQLite's own WebAssembly
** build (ext/wasm of SQLite's source tree).
**
** ext/wasm/GNUmakefile compiles the file named by its variable
** sqlite3_wasm_extra_init.c into sqlite3.wasm and builds SQLite with
** SQLITE_EXTRA_INIT_MUTEXED=sqlite3_wasm_extra_init, so
** sqlite3_initialize() calls the function below once, before the first
** connection is opened.  It registers libmigrate with
** sqlite3_auto_extension(), exactly as the firmware path does
** (tool/firmware/boot.c): every connection opened afterwards, from C or
** through the JS APIs (oo1.DB, OpfsDb, the worker API), has migrate(),
** rollback(), the `migrations` and `migration_status` tables and the rest.
**
** libmigrate itself comes in as build/wasm/libmigrate.a (the ext/ sources and the
** generated storage SQL, compiled with emcc -DSQLITE_CORE by tool/wasm.mk),
** named next to this file in the same make variable.  A non-zero return
** makes sqlite3_initialize() fail, so a registration failure is not silent.
*/
#include "../../ext/migrate.h"

int sqlite3_wasm_extra_init(const char *zUnused);

int sqlite3_wasm_extra_init(const char *zUnused){
  (void)zUnused;
  return sqlite3_auto_extension((void(*)(void))sqlite3_migrate_init);
}

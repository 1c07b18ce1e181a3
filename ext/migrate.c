/*
** migrate.c — the entry point of libmigrate: registers the SQL functions,
** the `migrations`, `migration_status` and `migration_hooks` modules and the natural-order
** collation on a connection.  Nothing else happens here; in particular
** loading creates no table (storage appears on the first definition).
**
** USAGE
**   sqlite3 shell:   .load ./libmigrate
**   SQL:             SELECT load_extension('./libmigrate');
**   static build:    sqlite3_auto_extension((void(*)(void))sqlite3_migrate_init);
**
** See migrateInt.h for the map of the other files.
*/
#include "migrateInt.h"

#ifndef SQLITE_CORE
SQLITE_EXTENSION_INIT1
#endif

#ifdef _WIN32
__declspec(dllexport)
#endif
int sqlite3_migrate_init(sqlite3 *db, char **pzErrMsg,
                         const sqlite3_api_routines *pApi){
  int rc;
#ifndef SQLITE_CORE
  SQLITE_EXTENSION_INIT2(pApi);
#else
  (void)pApi;
#endif
  if( sqlite3_libversion_number()<3034000 ){
    if( pzErrMsg ){
      *pzErrMsg = sqlite3_mprintf("libmigrate needs SQLite 3.34.0 or later, "
                                  "this is %s", sqlite3_libversion());
    }
    return SQLITE_ERROR;
  }
  if( !MIGRATE_HAVE_API(create_module) ){
    if( pzErrMsg ){
      *pzErrMsg = sqlite3_mprintf("libmigrate needs virtual tables, and this "
                                  "SQLite was built without them "
                                  "(SQLITE_OMIT_VIRTUALTABLE)");
    }
    return SQLITE_ERROR;
  }
  rc = sqlite3_create_collation(db, MIGRATE_COLLATION, SQLITE_UTF8, 0,
                                migrateNaturalCmp);
  if( rc==SQLITE_OK ) rc = migrateRegisterFunctions(db);
  if( rc==SQLITE_OK ) rc = migrateRegisterScriptsModule(db);
  if( rc==SQLITE_OK ) rc = migrateRegisterStatusModule(db);
  if( rc==SQLITE_OK ) rc = migrateRegisterHooksModule(db);
#ifndef MIGRATE_OMIT_DIFF
  if( rc==SQLITE_OK ) rc = migrateRegisterDiff(db);
#endif
  return rc;
}

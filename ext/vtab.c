/*
** vtab.c — what the three virtual tables (`migrations`,
** `migration_status`, `migration_hooks`) share: connecting, disconnecting
** and reporting errors.
**
** HOW IT WORKS
**   Each module is eponymous (present as soon as the extension loads) and
**   also creatable (xCreate == xConnect), takes no arguments, and keeps
**   only its connection in a MigrateVtab; its data lives in ordinary
**   tables of main.  The writable ones are SQLITE_VTAB_DIRECTONLY (a
**   hostile schema's triggers and views cannot write them) and, for
**   `migrations`, SQLITE_VTAB_CONSTRAINT_SUPPORT (so OR IGNORE / OR REPLACE
**   reach xUpdate).
*/
#include "migrateInt.h"
#include <string.h>

/*
** xConnect/xCreate of every module: declares zSchema and sets the
** MIGRATE_VTAB_* options of eFlags.  zModule names the module in errors.
*/
int migrateVtabConnect(sqlite3 *db, int argc, const char *zModule,
                       const char *zSchema, int eFlags,
                       sqlite3_vtab **ppVtab, char **pzErr){
  MigrateVtab *pNew;
  int rc;
  *ppVtab = 0;
  if( argc>3 ){
    *pzErr = sqlite3_mprintf("%s: the module takes no arguments", zModule);
    return SQLITE_ERROR;
  }
  rc = sqlite3_declare_vtab(db, zSchema);
  if( rc!=SQLITE_OK ) return rc;
  if( eFlags & MIGRATE_VTAB_CONSTRAINT ){
    sqlite3_vtab_config(db, SQLITE_VTAB_CONSTRAINT_SUPPORT, 1);
  }
  if( eFlags & MIGRATE_VTAB_DIRECTONLY ){
    sqlite3_vtab_config(db, SQLITE_VTAB_DIRECTONLY);
  }
  pNew = sqlite3_malloc(sizeof(*pNew));
  if( pNew==0 ) return SQLITE_NOMEM;
  memset(pNew, 0, sizeof(*pNew));
  pNew->db = db;
  *ppVtab = &pNew->base;
  return SQLITE_OK;
}

/* xDisconnect/xDestroy of every module. */
int migrateVtabDisconnect(sqlite3_vtab *pVtab){
  sqlite3_free(pVtab);
  return SQLITE_OK;
}

/*
** Sets the vtab's error message to "MODULE: <the connection's message>"
** (except for SQLITE_NOMEM) and returns rc.
*/
int migrateVtabError(sqlite3_vtab *pVtab, int rc, const char *zModule){
  if( rc!=SQLITE_NOMEM ){
    sqlite3_free(pVtab->zErrMsg);
    pVtab->zErrMsg = sqlite3_mprintf("%s: %s", zModule,
                         sqlite3_errmsg(((MigrateVtab*)pVtab)->db));
  }
  return rc;
}

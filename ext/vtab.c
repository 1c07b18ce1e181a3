/*
** vtab.c — what the three virtual tables (`migrations`,
** `migration_status`, `migration_hooks`) share: connecting, disconnecting,
** reporting errors, and a cursor that walks the rows of one statement.
**
** HOW IT WORKS
**   Each module is eponymous (present as soon as the extension loads) and
**   also creatable (xCreate == xConnect), takes no arguments, and keeps
**   only its connection in a MigrateVtab; its data lives in ordinary
**   tables of main.  The writable ones are SQLITE_VTAB_DIRECTONLY (a
**   hostile schema's triggers and views cannot write them) and, for
**   `migrations`, SQLITE_VTAB_CONSTRAINT_SUPPORT (so OR IGNORE / OR REPLACE
**   reach xUpdate).
**
**   Every module's rows are the result of one SQL statement over the
**   storage tables, so one cursor serves them all: xFilter calls
**   migrateCursorStart() with the table that must exist (absent storage
**   reads as no rows, and nothing is created) and the statement.
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
  pNew->zModule = zModule;
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
int migrateVtabError(sqlite3_vtab *pVtab, int rc){
  MigrateVtab *p = (MigrateVtab*)pVtab;
  if( rc!=SQLITE_NOMEM ){
    sqlite3_free(pVtab->zErrMsg);
    pVtab->zErrMsg = sqlite3_mprintf("%s: %s", p->zModule,
                                     sqlite3_errmsg(p->db));
  }
  return rc;
}

int migrateCursorOpen(sqlite3_vtab *pVtab, sqlite3_vtab_cursor **ppCur){
  MigrateCursor *pCur = sqlite3_malloc(sizeof(*pCur));
  *ppCur = (sqlite3_vtab_cursor*)pCur;
  if( pCur==0 ) return SQLITE_NOMEM;
  memset(pCur, 0, sizeof(*pCur));
  pCur->db = ((MigrateVtab*)pVtab)->db;
  return SQLITE_OK;
}

int migrateCursorClose(sqlite3_vtab_cursor *cur){
  MigrateCursor *pCur = (MigrateCursor*)cur;
  sqlite3_finalize(pCur->pStmt);
  sqlite3_finalize(pCur->pAux);
  sqlite3_free(pCur);
  return SQLITE_OK;
}

int migrateCursorNext(sqlite3_vtab_cursor *cur){
  MigrateCursor *pCur = (MigrateCursor*)cur;
  int rc = sqlite3_step(pCur->pStmt);
  pCur->iRow++;
  if( pCur->iAuxRow ){
    sqlite3_reset(pCur->pAux);
    pCur->iAuxRow = 0;
  }
  if( rc==SQLITE_ROW ) return SQLITE_OK;
  pCur->bEof = 1;
  rc = sqlite3_reset(pCur->pStmt);
  return rc==SQLITE_OK ? rc : migrateVtabError(cur->pVtab, rc);
}

int migrateCursorEof(sqlite3_vtab_cursor *cur){
  return ((MigrateCursor*)cur)->bEof;
}

/*
** xFilter: the rows of zSql (with pBind bound to ?1 when not NULL), or no
** rows when table zTable does not exist (NULL: the storage, as
** migrateStoreExists() sees it).
*/
int migrateCursorStart(sqlite3_vtab_cursor *cur, const char *zTable,
                       const char *zSql, sqlite3_value *pBind){
  MigrateCursor *pCur = (MigrateCursor*)cur;
  int bExists = 0;
  int rc;
  sqlite3_finalize(pCur->pStmt);
  pCur->pStmt = 0;
  pCur->bEof = 1;
  pCur->iRow = 0;
  if( pCur->iAuxRow ){
    sqlite3_reset(pCur->pAux);
    pCur->iAuxRow = 0;
  }
  rc = zTable ? migrateStoreHasTable(pCur->db, zTable, &bExists)
              : migrateStoreExists(pCur->db, &bExists);
  if( rc==SQLITE_OK && bExists ){
    rc = sqlite3_prepare_v2(pCur->db, zSql, -1, &pCur->pStmt, 0);
    if( rc==SQLITE_OK ){
      if( pBind ) sqlite3_bind_value(pCur->pStmt, 1, pBind);
      pCur->bEof = 0;
      return migrateCursorNext(cur);
    }
  }
  return rc==SQLITE_OK ? rc : migrateVtabError(cur->pVtab, rc);
}

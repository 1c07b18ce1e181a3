/*
** hooks.c — the `migration_hooks` virtual table, and running hook scripts.
**
** USAGE
**   INSERT INTO migration_hooks(event, script)
**     VALUES('after_migrate', 'ANALYZE; PRAGMA optimize;');
**   SELECT event, script FROM migration_hooks;
**   DELETE FROM migration_hooks WHERE event='after_migrate';
**
** HOW IT WORKS
**   Hooks are SQL scripts kept in main.migrations_hooks (sql/hooks.sql,
**   created on the first write to this table) and run by run.c at six events:
**     before_migrate / after_migrate    around the applies of a call
**     before_rollback / after_rollback  around the reverts of a call
**     before_each / after_each          around every single migration
**   They run inside the call's transaction — a failing hook fails the call
**   atomically, with an error naming the hook — only when the call has work
**   to do (a no-op migrate() stays free), and are not recorded in the
**   ledger or the history.  Several hooks of one event run in the order
**   they were defined.
**
**   The table is eponymous and writable; an unknown event name, a script
**   that is not text, and a script that would escape the transaction
**   (guard.c) are refused when written.  Like `migrations` it is
**   SQLITE_VTAB_DIRECTONLY: a hostile schema must not plant hooks.
*/
#include "migrateInt.h"
#include <string.h>

/* Indexed by MIGRATE_HOOK_* (MIGRATE_HOOK_N of them). */
static const char *const azHookEvent[MIGRATE_HOOK_N] = {
  "before_migrate", "after_migrate", "before_each", "after_each",
  "before_rollback", "after_rollback"
};

/*
** Reads every hook into *pHooks (zeroed by the caller), in the order
** defined: a call reads them once, when it starts, so what it runs is
** fixed then (a script of the call cannot add or change a hook of the same
** call) and events without hooks cost nothing after.  A hook whose event
** is unknown or whose script is not text (only a hand-damaged table holds
** one) is an error that names it.
*/
int migrateHooksLoad(sqlite3 *db, MigrateHooks *pHooks, const char *zFunc,
                     char **pzErr){
  sqlite3_stmt *pStmt = 0;
  int bExists = 0;
  int nAlloc = 0;
  int rc = migrateStoreHasTable(db, "migrations_hooks", &bExists);
  if( rc!=SQLITE_OK || !bExists ) return rc;
  rc = sqlite3_prepare_v2(db, "SELECT id, event, script"
                          "  FROM main.migrations_hooks ORDER BY id",
                          -1, &pStmt, 0);
  while( rc==SQLITE_OK && sqlite3_step(pStmt)==SQLITE_ROW ){
    const char *zEvent = (const char*)sqlite3_column_text(pStmt, 1);
    const char *zScript;
    int k = 0;
    while( zEvent && k<MIGRATE_HOOK_N && strcmp(zEvent, azHookEvent[k]) ) k++;
    if( sqlite3_column_type(pStmt, 2)!=SQLITE_TEXT
     || sqlite3_column_type(pStmt, 1)!=SQLITE_TEXT || k>=MIGRATE_HOOK_N ){
      *pzErr = sqlite3_mprintf("%s: migrations_hooks is damaged: hook %lld "
          "has %s", zFunc, sqlite3_column_int64(pStmt, 0),
          k>=MIGRATE_HOOK_N ? "an unknown event" : "a script that is not text");
      rc = SQLITE_CORRUPT;
      break;
    }
    zScript = (const char*)sqlite3_column_text(pStmt, 2);
    if( pHooks->nHook>=nAlloc ){
      int nNew = nAlloc ? nAlloc*2 : 8;
      MigrateHook *aNew = sqlite3_realloc64(pHooks->aHook,
                                    (sqlite3_uint64)nNew*sizeof(MigrateHook));
      if( aNew==0 ){ rc = SQLITE_NOMEM; break; }
      pHooks->aHook = aNew;
      nAlloc = nNew;
    }
    pHooks->aHook[pHooks->nHook].iEvent = k;
    pHooks->aHook[pHooks->nHook].zScript = zScript
        ? sqlite3_mprintf("%s", zScript) : 0;
    if( pHooks->aHook[pHooks->nHook].zScript==0 ){ rc = SQLITE_NOMEM; break; }
    pHooks->nHook++;
    pHooks->mEvents |= 1u<<k;
  }
  if( rc==SQLITE_OK ){
    rc = sqlite3_finalize(pStmt);
  }else{
    sqlite3_finalize(pStmt);
  }
  return rc;
}

void migrateHooksFree(MigrateHooks *pHooks){
  int i;
  for(i=0; i<pHooks->nHook; i++) sqlite3_free(pHooks->aHook[i].zScript);
  sqlite3_free(pHooks->aHook);
  memset(pHooks, 0, sizeof(*pHooks));
}

/* The name of event iEvent (MIGRATE_HOOK_...). */
const char *migrateHookEvent(int iEvent){
  return azHookEvent[iEvent];
}

/*
** Runs every hook script of event iEvent (MIGRATE_HOOK_...) of pHooks, in
** the order defined.  zFunc names the calling function in errors
** ("FUNC: hook EVENT failed: MESSAGE (line N)").
*/
int migrateHooksRun(sqlite3 *db, const MigrateHooks *pHooks, int iEvent,
                    const char *zFunc, MigrateUndo *pUndo, char **pzErr){
  int i, rc = SQLITE_OK;
  for(i=0; rc==SQLITE_OK && i<pHooks->nHook; i++){
    char *zMsg = 0;
    if( pHooks->aHook[i].iEvent!=iEvent ) continue;
    rc = migrateRunScript(db, pHooks->aHook[i].zScript, 0, pUndo, &zMsg, 0);
    if( rc!=SQLITE_OK && rc!=SQLITE_NOMEM ){
      *pzErr = sqlite3_mprintf("%s: hook %s failed: %s", zFunc,
                               azHookEvent[iEvent],
                               zMsg ? zMsg : sqlite3_errstr(rc));
    }
    sqlite3_free(zMsg);
  }
  return rc;
}

/* ---------------------------------------------------------------- vtab */

static sqlite3 *hooksDbOf(sqlite3_vtab *pVtab){
  return ((MigrateVtab*)pVtab)->db;
}

static int hooksConnect(sqlite3 *db, void *pAux, int argc,
                        const char *const *argv, sqlite3_vtab **ppVtab,
                        char **pzErr){
  (void)pAux;
  (void)argv;
  return migrateVtabConnect(db, argc, "migration_hooks",
      "CREATE TABLE x(event TEXT, script TEXT)", MIGRATE_VTAB_DIRECTONLY,
      ppVtab, pzErr);
}

static int hooksBestIndex(sqlite3_vtab *pVtab, sqlite3_index_info *pInfo){
  (void)pVtab;
  pInfo->estimatedCost = 1000.0;
  pInfo->estimatedRows = 10;
  return SQLITE_OK;
}

static int hooksFilter(sqlite3_vtab_cursor *cur, int idxNum,
                       const char *idxStr, int argc, sqlite3_value **argv){
  (void)idxNum;
  (void)idxStr;
  (void)argc;
  (void)argv;
  return migrateCursorStart(cur, "migrations_hooks",
      "SELECT id, event, script FROM main.migrations_hooks ORDER BY id", 0);
}

/* Sets the vtab's error to zErr (sqlite3_malloc'ed, may be NULL). */
static int hooksError(sqlite3_vtab *pVtab, int rc, char *zErr){
  if( zErr ){
    sqlite3_free(pVtab->zErrMsg);
    pVtab->zErrMsg = zErr;
  }
  return rc;
}

static int hooksColumn(sqlite3_vtab_cursor *cur, sqlite3_context *ctx,
                       int iCol){
  sqlite3_result_value(ctx,
      sqlite3_column_value(((MigrateCursor*)cur)->pStmt, iCol+1));
  return SQLITE_OK;
}

static int hooksRowid(sqlite3_vtab_cursor *cur, sqlite_int64 *pRowid){
  *pRowid = sqlite3_column_int64(((MigrateCursor*)cur)->pStmt, 0);
  return SQLITE_OK;
}

/* Checks a hook definition; returns an error message or NULL. */
static char *hooksCheck(sqlite3_value *pEvent, sqlite3_value *pScript){
  const char *zEvent = (const char*)sqlite3_value_text(pEvent);
  const char *zScript = (const char*)sqlite3_value_text(pScript);
  char *zWhat = 0;
  char *zErr = 0;
  int iLine = 0;
  size_t k;
  int bKnown = 0;
  if( sqlite3_value_type(pEvent)==SQLITE_TEXT && zEvent ){
    for(k=0; k<sizeof(azHookEvent)/sizeof(azHookEvent[0]); k++){
      if( strcmp(zEvent, azHookEvent[k])==0 ) bKnown = 1;
    }
  }
  if( !bKnown ){
    return sqlite3_mprintf("migration_hooks: unknown event '%s' (events: "
        "before_migrate, after_migrate, before_each, after_each, "
        "before_rollback, after_rollback)", zEvent ? zEvent : "NULL");
  }
  if( sqlite3_value_type(pScript)!=SQLITE_TEXT || zScript==0
   || (int)strlen(zScript)!=sqlite3_value_bytes(pScript)
   || !migrateIsUtf8((const unsigned char*)zScript,
                     sqlite3_value_bytes(pScript)) ){
    return sqlite3_mprintf("migration_hooks: the script of a %s hook must "
                           "be valid UTF-8 text", zEvent);
  }
  if( migrateGuard(zScript, 0, &zWhat, &iLine)!=SQLITE_OK ){
    zErr = sqlite3_mprintf("migration_hooks: a hook script may not hold %s "
        "(line %d): hooks run inside the call's transaction",
        zWhat ? zWhat : "that", iLine);
  }
  sqlite3_free(zWhat);
  return zErr;
}

/* Creates main.migrations_hooks (sql/hooks.sql) if it does not exist. */
static int hooksCreate(sqlite3 *db, char **pzErr){
  int bExists = 0;
  int rc = migrateStoreHasTable(db, "migrations_hooks", &bExists);
  if( rc==SQLITE_OK && !bExists ){
    rc = sqlite3_exec(db, migrateHooksSql, 0, 0, 0);
    if( rc!=SQLITE_OK && rc!=SQLITE_NOMEM ){
      *pzErr = sqlite3_mprintf("migration_hooks: cannot create "
                               "migrations_hooks: %s", sqlite3_errmsg(db));
    }
  }
  return rc;
}

static int hooksUpdate(sqlite3_vtab *pVtab, int argc, sqlite3_value **argv,
                       sqlite_int64 *pRowid){
  sqlite3 *db = hooksDbOf(pVtab);
  sqlite3_stmt *pStmt = 0;
  char *zErr = 0;
  int rc;
  if( migrateCallRunning(db) ){
    /* what a call runs is fixed when it starts */
    return hooksError(pVtab, SQLITE_ERROR, sqlite3_mprintf("migration_hooks: "
        "cannot be changed while a migration call runs (from a migration "
        "script, hook or verify query)"));
  }
  if( argc==1 ){
    rc = sqlite3_prepare_v2(db,
        "DELETE FROM main.migrations_hooks WHERE id=?1", -1, &pStmt, 0);
    if( rc==SQLITE_OK ) sqlite3_bind_value(pStmt, 1, argv[0]);
  }else{
    zErr = hooksCheck(argv[2], argv[3]);
    if( zErr ) return hooksError(pVtab, SQLITE_CONSTRAINT_CHECK, zErr);
    rc = hooksCreate(db, &zErr);
    if( rc!=SQLITE_OK ) return hooksError(pVtab, rc, zErr);
    if( sqlite3_value_type(argv[0])==SQLITE_NULL ){
      rc = sqlite3_prepare_v2(db, "INSERT INTO main.migrations_hooks"
          "(event, script) VALUES(?2, ?3)", -1, &pStmt, 0);
    }else{
      rc = sqlite3_prepare_v2(db, "UPDATE main.migrations_hooks"
          " SET event=?2, script=?3 WHERE id=?1", -1, &pStmt, 0);
      if( rc==SQLITE_OK ) sqlite3_bind_value(pStmt, 1, argv[0]);
    }
    if( rc==SQLITE_OK ){
      sqlite3_bind_value(pStmt, 2, argv[2]);
      sqlite3_bind_value(pStmt, 3, argv[3]);
    }
  }
  if( rc==SQLITE_OK ){
    sqlite3_step(pStmt);
    rc = sqlite3_finalize(pStmt);
    pStmt = 0;
    if( rc==SQLITE_OK && argc>1 ){
      *pRowid = sqlite3_value_type(argv[0])==SQLITE_NULL
              ? sqlite3_last_insert_rowid(db) : sqlite3_value_int64(argv[0]);
    }
  }
  sqlite3_finalize(pStmt);
  return rc==SQLITE_OK ? rc : hooksError(pVtab, rc,
      rc==SQLITE_NOMEM ? 0 : sqlite3_mprintf("migration_hooks: %s",
                                             sqlite3_errmsg(db)));
}

/* Designated initializers: the struct grows with SQLite versions (3.44
** added xIntegrity); the fields left out are zero. */
static sqlite3_module hooksModule = {
  .iVersion = 0,
  .xCreate = hooksConnect,
  .xConnect = hooksConnect,
  .xBestIndex = hooksBestIndex,
  .xDisconnect = migrateVtabDisconnect,
  .xDestroy = migrateVtabDisconnect,
  .xOpen = migrateCursorOpen,
  .xClose = migrateCursorClose,
  .xFilter = hooksFilter,
  .xNext = migrateCursorNext,
  .xEof = migrateCursorEof,
  .xColumn = hooksColumn,
  .xRowid = hooksRowid,
  .xUpdate = hooksUpdate,
};

int migrateRegisterHooksModule(sqlite3 *db){
  return sqlite3_create_module(db, "migration_hooks", &hooksModule, 0);
}

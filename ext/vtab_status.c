/*
** vtab_status.c — the read-only `migration_status` virtual table.
**
** USAGE
**   SELECT name, state, batch, applied_at, duration_ms, checksum
**     FROM migration_status;
**
** HOW IT WORKS
**   One row per name defined or applied, in natural migration order, from
**   migrateStatusSql (plan.c): the full outer join of migrations_scripts
**   and migrations_ledger on name, which reads no script text.  state is
**   'pending' (defined, not in the ledger), 'applied' (checksums equal),
**   'changed' (checksums differ) or 'missing' (in the ledger only); an
**   edited repeatable migration is 'pending' (it will run again).
**   checksum is the definition's, or the ledger's for a missing one.
**   'replaced': a migration a squash in effect replaces (plan.c decides,
**   so each scan also loads the plan and takes every state from it, row
**   by row; a squash that counts as applied has no ledger row, so its
**   batch and applied_at are NULL).
**
**   Reading never writes: before the first definition there are no
**   storage tables and the table is simply empty.  A damaged ledger is
**   shown as it is (this is where one looks to repair it: the plan refuses
**   to load, and the states come from the row alone); migrate() and the
**   rollbacks are the ones that refuse it.
*/
#include "migrateInt.h"
#include <string.h>

#define STATUS_NAME        0
#define STATUS_STATE       1
#define STATUS_BATCH       2
#define STATUS_APPLIED_AT  3
#define STATUS_DURATION_MS 4
#define STATUS_CHECKSUM    5

/* A cursor of migration_status: the rows, and the plan the states come
** from (bPlan 0: the plan did not load, a damaged ledger). */
typedef struct StatusCursor StatusCursor;
struct StatusCursor {
  MigrateCursor base;
  MigratePlan plan;
  int bPlan;
};

static int statusOpen(sqlite3_vtab *pVtab, sqlite3_vtab_cursor **ppCur){
  StatusCursor *pCur = sqlite3_malloc(sizeof(*pCur));
  *ppCur = (sqlite3_vtab_cursor*)pCur;
  if( pCur==0 ) return SQLITE_NOMEM;
  memset(pCur, 0, sizeof(*pCur));
  pCur->base.db = ((MigrateVtab*)pVtab)->db;
  return SQLITE_OK;
}

static int statusClose(sqlite3_vtab_cursor *cur){
  migratePlanFree(&((StatusCursor*)cur)->plan);
  return migrateCursorClose(cur);
}

static int statusConnect(sqlite3 *db, void *pAux, int argc,
                         const char *const *argv, sqlite3_vtab **ppVtab,
                         char **pzErr){
  (void)pAux;
  (void)argv;
  return migrateVtabConnect(db, argc, "migration_status",
      "CREATE TABLE x(name TEXT, state TEXT, batch INTEGER, applied_at TEXT,"
      " duration_ms INTEGER, checksum TEXT)", 0, ppVtab, pzErr);
}

static int statusBestIndex(sqlite3_vtab *pVtab, sqlite3_index_info *pInfo){
  (void)pVtab;
  pInfo->estimatedCost = 100000.0;
  pInfo->estimatedRows = 1000;
  return SQLITE_OK;
}

static int statusFilter(sqlite3_vtab_cursor *cur, int idxNum,
                        const char *idxStr, int argc, sqlite3_value **argv){
  (void)idxNum;
  (void)idxStr;
  StatusCursor *pCur = (StatusCursor*)cur;
  char *zErr = 0;
  int rc;
  (void)argc;
  (void)argv;
  migratePlanFree(&pCur->plan);
  rc = migratePlanLoad(pCur->base.db, &pCur->plan, "migration_status", &zErr);
  sqlite3_free(zErr);
  if( rc==SQLITE_NOMEM ) return rc;
  pCur->bPlan = rc==SQLITE_OK;
  return migrateCursorStart(cur, 0, migrateStatusSql, 0);
}

static int statusColumn(sqlite3_vtab_cursor *cur, sqlite3_context *ctx,
                        int iCol){
  StatusCursor *pCur = (StatusCursor*)cur;
  sqlite3_stmt *pStmt = pCur->base.pStmt;
  static const char *const azState[] = {
    "pending", "applied", "changed", "missing", "replaced"
  };
  static const int aMap[] = { 0, -1, 3, 5, 6, 7 };  /* column of the SQL */
  if( iCol==STATUS_STATE ){
    sqlite3_int64 iRow = pCur->base.iRow;   /* 1-based, plan order */
    const char *zName = (const char*)sqlite3_column_text(pStmt, 0);
    int eState = migrateStateOf(
        sqlite3_column_type(pStmt, 1)!=SQLITE_NULL,
        sqlite3_column_type(pStmt, 2)!=SQLITE_NULL,
        sqlite3_column_int(pStmt, 4), sqlite3_column_int(pStmt, 8));
    if( pCur->bPlan && iRow>=1 && iRow<=pCur->plan.nItem && zName
     && strcmp(pCur->plan.aItem[iRow-1].zName, zName)==0 ){
      eState = pCur->plan.aItem[iRow-1].eState;
    }
    sqlite3_result_text(ctx, azState[eState], -1, SQLITE_STATIC);
  }else{
    sqlite3_result_value(ctx, sqlite3_column_value(pStmt, aMap[iCol]));
  }
  return SQLITE_OK;
}

static int statusRowid(sqlite3_vtab_cursor *cur, sqlite_int64 *pRowid){
  *pRowid = ((MigrateCursor*)cur)->iRow;
  return SQLITE_OK;
}

/* Designated initializers: the struct grows with SQLite versions (3.44
** added xIntegrity); the fields left out are zero. */
static sqlite3_module statusModule = {
  .iVersion = 0,
  .xCreate = statusConnect,
  .xConnect = statusConnect,
  .xBestIndex = statusBestIndex,
  .xDisconnect = migrateVtabDisconnect,
  .xDestroy = migrateVtabDisconnect,
  .xOpen = statusOpen,
  .xClose = statusClose,
  .xFilter = statusFilter,
  .xNext = migrateCursorNext,
  .xEof = migrateCursorEof,
  .xColumn = statusColumn,
  .xRowid = statusRowid,
};

int migrateRegisterStatusModule(sqlite3 *db){
  return sqlite3_create_module(db, "migration_status", &statusModule, 0);
}

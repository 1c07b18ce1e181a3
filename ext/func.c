/*
** func.c — the SQL functions: argument checks, then run.c.
**
** USAGE
**   SELECT migrate();              SELECT migrate('003_add_email');
**   SELECT rollback();             SELECT rollback(2);
**   SELECT rollback_to('002_b');   SELECT migrate_reset();
**   SELECT migrate_refresh();      SELECT migrate_dry_run(['target']);
**   SELECT migrate_repair();       SELECT migrate_version();
**   SELECT migrate_baseline('003_last_already_in_the_schema');
**   SELECT migrate_mark('005_applied_by_hand');
**   SELECT migration_checksum('CREATE TABLE t(x);');
**
** HOW IT WORKS
**   Each function checks its arguments (wrong counts are refused by SQLite
**   itself: only the arities below are registered), then hands the call to
**   migrateExec() and returns its count, or its error message with the
**   SQLite result code it carries.
**
**   Every function but migration_checksum() is SQLITE_DIRECTONLY: a
**   trigger or view of a hostile database cannot call them (it would run
**   arbitrary migrations on whoever opens it).  migration_checksum() is
**   pure, so it is DETERMINISTIC and INNOCUOUS.
*/
#include "migrateInt.h"
#include <string.h>

/* The operation each function runs; sqlite3_user_data() points here. */
static const int aFuncOp[] = {
  MIGRATE_OP_UP, MIGRATE_OP_DRY_RUN, MIGRATE_OP_RESET, MIGRATE_OP_REFRESH,
  MIGRATE_OP_REPAIR, MIGRATE_OP_ROLLBACK_TO, MIGRATE_OP_BASELINE,
  MIGRATE_OP_MARK
};
#define FUNC_OP(ctx) (*(const int*)sqlite3_user_data(ctx))

/*
** Sets error rc (not SQLITE_OK) as the function's result, with message
** zErr (sqlite3_malloc'ed, may be NULL; freed here).  Shared by every SQL
** function of the extension.
*/
void migrateResultError(sqlite3_context *ctx, int rc, char *zErr){
  if( rc==SQLITE_NOMEM ){
    sqlite3_result_error_nomem(ctx);
  }else{
    sqlite3_result_error(ctx, zErr ? zErr : sqlite3_errstr(rc), -1);
    sqlite3_result_error_code(ctx, rc);
  }
  sqlite3_free(zErr);
}

/* Reports the outcome of migrateExec() as the function's result. */
static void funcResult(sqlite3_context *ctx, int rc, sqlite3_int64 nDone,
                       char *zErr){
  if( rc==SQLITE_OK ){
    sqlite3_result_int64(ctx, nDone);
    sqlite3_free(zErr);
  }else{
    migrateResultError(ctx, rc, zErr);
  }
}

/* Runs operation eOp with its checked arguments. */
static void funcRun(sqlite3_context *ctx, int eOp, const char *zTarget,
                    sqlite3_int64 nBatch){
  char *zErr = 0;
  sqlite3_int64 nDone = 0;
  int rc = migrateExec(sqlite3_context_db_handle(ctx), eOp, zTarget, nBatch,
                       0, 0, &nDone, &zErr);
  funcResult(ctx, rc, nDone, zErr);
}

/*
** Reads a target argument: non-empty text.  Returns NULL (and sets the
** error) otherwise.
*/
static const char *funcTarget(sqlite3_context *ctx, sqlite3_value *pVal,
                              const char *zFunc){
  const char *z = 0;
  if( sqlite3_value_type(pVal)==SQLITE_TEXT ){
    z = (const char*)sqlite3_value_text(pVal);
    if( z==0 ){
      sqlite3_result_error_nomem(ctx);
      return 0;
    }
  }
  if( z==0 || z[0]==0 || (int)strlen(z)!=sqlite3_value_bytes(pVal) ){
    char *zErr = sqlite3_mprintf("%s: the target must be a migration name "
                                 "(non-empty text)", zFunc);
    funcResult(ctx, SQLITE_MISMATCH, 0, zErr);
    return 0;
  }
  return z;
}

/* migrate(), migrate(target), migrate_dry_run(), migrate_dry_run(target) */
static void funcMigrate(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  int eOp = FUNC_OP(ctx);
  const char *zTarget = 0;
  if( argc==1 ){
    /* a dry run raises exactly migrate()'s errors */
    zTarget = funcTarget(ctx, argv[0], migrateOpName(MIGRATE_OP_UP));
    if( zTarget==0 ) return;
  }
  funcRun(ctx, eOp, zTarget, 0);
}

/* rollback(), rollback(n) */
static void funcRollback(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  sqlite3_int64 n = 1;
  if( argc==1 ){
    int bOk = 0;
    switch( sqlite3_value_type(argv[0]) ){
      case SQLITE_INTEGER:
        n = sqlite3_value_int64(argv[0]);
        bOk = n>=0;
        break;
      case SQLITE_FLOAT: {
        double r = sqlite3_value_double(argv[0]);
        if( r>=0.0 && r<9.0e18 && r==(double)(sqlite3_int64)r ){
          n = (sqlite3_int64)r;
          bOk = 1;
        }else if( r>=9.0e18 && r<=1.0e308 ){
          n = -1;   /* more batches than can exist: all of them */
          bOk = 1;
        }
        break;
      }
      default:
        break;
    }
    if( !bOk ){
      funcResult(ctx, SQLITE_MISMATCH, 0, sqlite3_mprintf(
          "rollback: n must be a non-negative integer (the number of "
          "batches to revert)"));
      return;
    }
    if( n==0 ){
      sqlite3_result_int(ctx, 0);
      return;
    }
  }
  funcRun(ctx, MIGRATE_OP_ROLLBACK, 0, n);
}

/* rollback_to(), migrate_baseline(), migrate_mark(): user data = op */
static void funcTargetOnly(sqlite3_context *ctx, int argc,
                           sqlite3_value **argv){
  int eOp = FUNC_OP(ctx);
  const char *zTarget = funcTarget(ctx, argv[0], migrateOpName(eOp));
  (void)argc;
  if( zTarget ) funcRun(ctx, eOp, zTarget, 0);
}

/* migrate_reset(), migrate_refresh(), migrate_repair(): user data = op */
static void funcNoArg(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  (void)argc;
  (void)argv;
  funcRun(ctx, FUNC_OP(ctx), 0, -1);
}

/* migrate_version(): the last applied versioned migration, in order */
static void funcVersion(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  sqlite3 *db = sqlite3_context_db_handle(ctx);
  sqlite3_stmt *pStmt = 0;
  int bExists = 0;
  int rc = migrateStoreExists(db, &bExists);
  (void)argc;
  (void)argv;
  if( rc==SQLITE_OK && bExists ){
    rc = sqlite3_prepare_v2(db,
        "SELECT name FROM main.migrations_ledger WHERE repeatable=0"
        " ORDER BY name COLLATE " MIGRATE_COLLATION " DESC LIMIT 1",
        -1, &pStmt, 0);
    if( rc==SQLITE_OK ){
      if( sqlite3_step(pStmt)==SQLITE_ROW ){
        sqlite3_result_value(ctx, sqlite3_column_value(pStmt, 0));
      }
      rc = sqlite3_finalize(pStmt);
    }
  }
  if( rc!=SQLITE_OK ){
    funcResult(ctx, rc, 0, rc==SQLITE_NOMEM ? 0 : sqlite3_mprintf(
        "migrate_version: %s", sqlite3_errmsg(db)));
  }
}

/*
** Registers every SQL function on db.
*/
int migrateRegisterFunctions(sqlite3 *db){
  static const struct {
    const char *zName;
    signed char nArg;
    unsigned char bDirect;
    const int *pOp;
    void (*xFunc)(sqlite3_context*, int, sqlite3_value**);
  } aFunc[] = {
    { "migrate",            0, 1, &aFuncOp[0], funcMigrate },
    { "migrate",            1, 1, &aFuncOp[0], funcMigrate },
    { "migrate_dry_run",    0, 1, &aFuncOp[1], funcMigrate },
    { "migrate_dry_run",    1, 1, &aFuncOp[1], funcMigrate },
    { "rollback",           0, 1, 0, funcRollback },
    { "rollback",           1, 1, 0, funcRollback },
    { "rollback_to",        1, 1, &aFuncOp[5], funcTargetOnly },
    { "migrate_baseline",   1, 1, &aFuncOp[6], funcTargetOnly },
    { "migrate_mark",       1, 1, &aFuncOp[7], funcTargetOnly },
    { "migrate_reset",      0, 1, &aFuncOp[2], funcNoArg },
    { "migrate_refresh",    0, 1, &aFuncOp[3], funcNoArg },
    { "migrate_repair",     0, 1, &aFuncOp[4], funcNoArg },
    { "migrate_version",    0, 1, 0, funcVersion },
    { "migration_checksum", 1, 0, 0, migrateChecksumFunc },
    { "migrate_internal_step", 1, 1, 0, migrateUndoStepFunc },  /* undo.c */
  };
  size_t i;
  int rc = SQLITE_OK;
  for(i=0; rc==SQLITE_OK && i<sizeof(aFunc)/sizeof(aFunc[0]); i++){
    int eFlags = SQLITE_UTF8 | (aFunc[i].bDirect
               ? SQLITE_DIRECTONLY : SQLITE_DETERMINISTIC|SQLITE_INNOCUOUS);
    rc = sqlite3_create_function(db, aFunc[i].zName, aFunc[i].nArg, eFlags,
                                 (void*)aFunc[i].pOp, aFunc[i].xFunc, 0, 0);
  }
  return rc;
}

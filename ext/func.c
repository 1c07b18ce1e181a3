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
**   SELECT libmigrate_version();   -- '0.1.0'
**   SELECT migrate_strict(['target']);   -- refuses out-of-order ones
**   SELECT migrate_check(['target']);    -- check.c
**   SELECT migration_dump(['schema'|'rows']);   -- dump.c
**
** HOW IT WORKS
**   The operations come from the one table of ops.c: each row is
**   registered once per arity its argument allows (wrong counts are
**   refused by SQLite itself), with the row as user data.  funcOp() checks
**   the argument, hands the call to migrateExec() and returns its count, or
**   its error message with the SQLite result code it carries.
**
**   Every function but migration_checksum() and libmigrate_version() is
**   SQLITE_DIRECTONLY: a trigger or view of a hostile database cannot call
**   them (it would run arbitrary migrations on whoever opens it).  Those
**   two are pure, so they are DETERMINISTIC and INNOCUOUS.
*/
#include "migrateInt.h"
#include <string.h>

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

/*
** Reads a target argument: non-empty text.  Returns NULL (and sets the
** error) otherwise.
*/
static const char *funcTarget(sqlite3_context *ctx, sqlite3_value *pVal,
                              const MigrateOp *pOp){
  const char *z = 0;
  if( sqlite3_value_type(pVal)==SQLITE_TEXT ){
    z = (const char*)sqlite3_value_text(pVal);
    if( z==0 ){
      sqlite3_result_error_nomem(ctx);
      return 0;
    }
  }
  if( z==0 || z[0]==0 || (int)strlen(z)!=sqlite3_value_bytes(pVal) ){
    funcResult(ctx, SQLITE_MISMATCH, 0, migrateOpTargetError(pOp));
    return 0;
  }
  return z;
}

/*
** Reads the n of rollback(n): a non-negative integer (a real with an
** integral value counts; one too large for an integer means all batches,
** -1).  Returns 0 (and sets the error) otherwise.
*/
static int funcCount(sqlite3_context *ctx, sqlite3_value *pVal,
                     const MigrateOp *pOp, sqlite3_int64 *pn){
  int bOk = 0;
  switch( sqlite3_value_type(pVal) ){
    case SQLITE_INTEGER:
      *pn = sqlite3_value_int64(pVal);
      bOk = *pn>=0;
      break;
    case SQLITE_FLOAT: {
      double r = sqlite3_value_double(pVal);
      if( r>=0.0 && r<9.0e18 && r==(double)(sqlite3_int64)r ){
        *pn = (sqlite3_int64)r;
        bOk = 1;
      }else if( r>=9.0e18 && r<=1.0e308 ){
        *pn = -1;   /* more batches than can exist: all of them */
        bOk = 1;
      }
      break;
    }
    default:
      break;
  }
  if( !bOk ) funcResult(ctx, SQLITE_MISMATCH, 0, migrateOpCountError(pOp));
  return bOk;
}

/*
** Every operation of ops.c: sqlite3_user_data() is its row.  Checks the
** argument the row says it takes, then runs it through migrateExec().
*/
static void funcOp(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  const MigrateOp *pOp = (const MigrateOp*)sqlite3_user_data(ctx);
  const char *zTarget = 0;
  sqlite3_int64 nBatch = -1;
  sqlite3_int64 nDone = 0;
  char *zErr = 0;
  int rc;
  if( pOp->eArg==MIGRATE_ARG_OPT_COUNT ){
    nBatch = 1;
    if( argc==1 && !funcCount(ctx, argv[0], pOp, &nBatch) ) return;
    if( nBatch==0 ){
      sqlite3_result_int(ctx, 0);
      return;
    }
  }else if( argc==1 ){
    zTarget = funcTarget(ctx, argv[0], pOp);
    if( zTarget==0 ) return;
  }
  rc = migrateExec(sqlite3_context_db_handle(ctx), pOp->eOp, zTarget, nBatch,
                   0, 0, &nDone, &zErr);
  funcResult(ctx, rc, nDone, zErr);
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

/* libmigrate_version(): the library's version, MIGRATE_VERSION. */
static void funcLibVersion(sqlite3_context *ctx, int argc,
                           sqlite3_value **argv){
  (void)argc;
  (void)argv;
  sqlite3_result_text(ctx, MIGRATE_VERSION, -1, SQLITE_STATIC);
}

/*
** Registers every SQL function on db: one per arity of each operation of
** ops.c, then the functions that only read.
*/
int migrateRegisterFunctions(sqlite3 *db){
  static const struct {
    const char *zName;
    signed char nArg;
    unsigned char bDirect;
    void (*xFunc)(sqlite3_context*, int, sqlite3_value**);
  } aFunc[] = {
    { "migrate_version",    0, 1, funcVersion },
    { "libmigrate_version", 0, 0, funcLibVersion },
    { "migration_checksum", 1, 0, migrateChecksumFunc },
    { "migrate_internal_step", 1, 1, migrateUndoStepFunc },  /* undo.c */
#ifndef MIGRATE_OMIT_DUMP
    { "migration_dump",     0, 1, migrateDumpFunc },       /* dump.c */
    { "migration_dump",     1, 1, migrateDumpFunc },
#endif
  };
  const MigrateOp *pOp;
  size_t i;
  int rc = SQLITE_OK;
  for(pOp=migrateOps; rc==SQLITE_OK && pOp->zName; pOp++){
    int nArg;
    for(nArg=0; rc==SQLITE_OK && nArg<=1; nArg++){
      if( (nArg==0 && pOp->eArg==MIGRATE_ARG_TARGET)
       || (nArg==1 && pOp->eArg==MIGRATE_ARG_NONE) ){
        continue;
      }
      rc = sqlite3_create_function(db, pOp->zName, nArg,
                                   SQLITE_UTF8|SQLITE_DIRECTONLY,
                                   (void*)pOp, funcOp, 0, 0);
    }
  }
  for(i=0; rc==SQLITE_OK && i<sizeof(aFunc)/sizeof(aFunc[0]); i++){
    int eFlags = SQLITE_UTF8 | (aFunc[i].bDirect
               ? SQLITE_DIRECTONLY : SQLITE_DETERMINISTIC|SQLITE_INNOCUOUS);
    rc = sqlite3_create_function(db, aFunc[i].zName, aFunc[i].nArg, eFlags,
                                 0, aFunc[i].xFunc, 0, 0);
  }
  return rc;
}

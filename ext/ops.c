/*
** ops.c — the one table of operations: every call that runs through
** run.c, with its name, its argument and what it does.  SQL registration
** (func.c), the C API's migrate_run() (api.c) and the error messages
** (run.c) all read this table; nothing else lists the operations.
**
** USAGE
**   const MigrateOp *pOp = migrateOpByName("rollback");   // NULL if unknown
**   const MigrateOp *pOp = migrateOpOf(MIGRATE_OP_UP);
**   for(pOp=migrateOps; pOp->zName; pOp++){ ... }
**   rc = migrateOpCount(pOp, "2", &nBatch, &zErr);        // a text argument
**
** HOW IT WORKS
**   Rows are in MIGRATE_OP_* order, so migrateOpOf() is an index.  Each row
**   says which argument the call takes (MIGRATE_ARG_*): none, an optional or
**   a required target (a migration name), or an optional count (the n of
**   rollback(n)); func.c registers one SQL function per arity that the
**   argument allows.  zErrName is the name its errors carry: a dry run
**   raises exactly the errors migrate() would raise.
*/
#include "migrateInt.h"
#include <string.h>

/* Indexed by MIGRATE_OP_* - 1; ends with a row whose zName is NULL. */
const MigrateOp migrateOps[] = {
  { "migrate",          "migrate",          MIGRATE_OP_UP,
    MIGRATE_ARG_OPT_TARGET, 1 },
  { "rollback",         "rollback",         MIGRATE_OP_ROLLBACK,
    MIGRATE_ARG_OPT_COUNT, 1 },
  { "rollback_to",      "rollback_to",      MIGRATE_OP_ROLLBACK_TO,
    MIGRATE_ARG_TARGET, 1 },
  { "migrate_reset",    "migrate_reset",    MIGRATE_OP_RESET,
    MIGRATE_ARG_NONE, 1 },
  { "migrate_refresh",  "migrate_refresh",  MIGRATE_OP_REFRESH,
    MIGRATE_ARG_NONE, 1 },
  { "migrate_dry_run",  "migrate",          MIGRATE_OP_DRY_RUN,
    MIGRATE_ARG_OPT_TARGET, 1 },
  { "migrate_repair",   "migrate_repair",   MIGRATE_OP_REPAIR,
    MIGRATE_ARG_NONE, 0 },
  { "migrate_baseline", "migrate_baseline", MIGRATE_OP_BASELINE,
    MIGRATE_ARG_TARGET, 0 },
  { "migrate_mark",     "migrate_mark",     MIGRATE_OP_MARK,
    MIGRATE_ARG_TARGET, 0 },
  { "migrate_strict",   "migrate_strict",   MIGRATE_OP_STRICT,
    MIGRATE_ARG_OPT_TARGET, 1 },
#ifndef MIGRATE_OMIT_DIFF
  /* check.c, through migrateExec(); needs diff.c's schema normalizer, so
  ** a firmware build (MIGRATE_OMIT_DIFF) has no such row: it stays last */
  { "migrate_check",    "migrate_check",    MIGRATE_OP_CHECK,
    MIGRATE_ARG_OPT_TARGET, 1 },
#endif
  { 0, 0, 0, 0, 0 }
};

const MigrateOp *migrateOpOf(int eOp){
  return &migrateOps[eOp-1];
}

const MigrateOp *migrateOpByName(const char *zName){
  const MigrateOp *pOp;
  for(pOp=migrateOps; zName && pOp->zName; pOp++){
    if( strcmp(pOp->zName, zName)==0 ) return pOp;
  }
  return 0;
}

const char *migrateOpName(int eOp){
  return migrateOpOf(eOp)->zName;
}

/*
** The n of rollback(n) given as text (migrate_run()): a non-negative
** decimal integer of at most 18 digits.  On error sets *pzErr.
*/
int migrateOpCount(const MigrateOp *pOp, const char *zArg,
                   sqlite3_int64 *pnBatch, char **pzErr){
  sqlite3_int64 n = 0;
  int k;
  for(k=0; zArg[k]>='0' && zArg[k]<='9' && k<18; k++){
    n = n*10 + (zArg[k]-'0');
  }
  if( k==0 || zArg[k] ){
    *pzErr = migrateOpCountError(pOp);
    return SQLITE_MISMATCH;
  }
  *pnBatch = n;
  return SQLITE_OK;
}

/* The message for a bad n (shared by the SQL function and the C API). */
char *migrateOpCountError(const MigrateOp *pOp){
  return sqlite3_mprintf("%s: n must be a non-negative integer (the number "
                         "of batches to revert)", pOp->zName);
}

/* The message for a bad target. */
char *migrateOpTargetError(const MigrateOp *pOp){
  return sqlite3_mprintf("%s: the target must be a migration name "
                         "(non-empty text)", pOp->zErrName);
}

/* The message of a call made from inside another call (a script, hook or
** verify query calling it). */
char *migrateOpNestedError(const MigrateOp *pOp){
  return sqlite3_mprintf("%s: cannot be called from inside a migration "
      "script, hook or verify query (a call is running on this connection); "
      "nothing was done", pOp->zName);
}

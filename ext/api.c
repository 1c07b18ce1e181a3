/*
** api.c — the firmware C API of migrate.h: define compiled-in scripts and
** migrate, with no SQL text to write and no file to read.
**
** USAGE
**   see migrate.h.
**
** HOW IT WORKS
**   migrate_define() first checks, reading no script text, whether every
**   script is already defined exactly so (migrateStoreAllDefined compares
**   checksums of up and down).  At every boot after the first that is the
**   whole cost: no write transaction is opened, so a read-only database
**   boots too.  Otherwise it writes the scripts through the same
**   migrateStoreWrite() the `migrations` table uses, in one transaction (a
**   savepoint inside the caller's), all or nothing.
**   migrate_apply() is migrateExec(MIGRATE_OP_UP): exactly SELECT migrate().
**   migrate_boot() does the same unchanged-check, then, only when something
**   differs, defines the scripts under the migrate() call's own write lock
**   and transaction, so a failing boot changes nothing at all.
**   migrate_boot_v2() adds the fast path: given the checksum of the whole
**   array (migrate_array_checksum(), which `sqlite-migrate embed` prints at
**   build time), it looks that value up in main.migrations_boot
**   (sql/boot.sql); found, the array is defined exactly so and the
**   per-script comparison is skipped, leaving the no-op migrate().  Not
**   found, it boots as migrate_boot() does, then records the value (after
**   comparing again under the write lock, in a small transaction of its
**   own; best effort: a read-only or busy database just boots the long way
**   next time).  store.c deletes every recorded value whenever a definition
**   is written or deleted, so a recorded value is never stale.
**   migrate_run() maps a function name and a text argument onto the same
**   migrateExec() the SQL functions use, adding a progress callback.
*/
#include "migrateInt.h"
#include <stdlib.h>
#include <string.h>

/* Stores zMsg (sqlite3_malloc'ed, may be NULL) in *pzErr or frees it. */
static void apiError(char **pzErr, char *zMsg){
  if( pzErr ){
    *pzErr = zMsg;
  }else{
    sqlite3_free(zMsg);
  }
}

/* Refuses a script array that is NULL, has a negative count, or holds a
** NULL name or up script.  zFunc names the calling function. */
static int apiCheck(const char *zFunc, const migrate_script *aScript,
                    int nScript, char **pzErr){
  int i;
  if( nScript<0 || (nScript>0 && aScript==0) ){
    apiError(pzErr, nScript<0
        ? sqlite3_mprintf("%s: the script count is negative (%d)", zFunc,
                          nScript)
        : sqlite3_mprintf("%s: the script array is NULL but the count is %d",
                          zFunc, nScript));
    return SQLITE_MISUSE;
  }
  for(i=0; i<nScript; i++){
    if( aScript[i].zName==0 || aScript[i].zUp==0 ){
      apiError(pzErr, sqlite3_mprintf("%s: script %d has a NULL %s", zFunc, i,
                                      aScript[i].zName ? "up" : "name"));
      return SQLITE_MISUSE;
    }
  }
  return SQLITE_OK;
}

static int apiNameCmp(const void *pA, const void *pB){
  return strcmp(*(const char *const*)pA, *(const char *const*)pB);
}

/*
** Refuses an array that names a migration twice (the last one would win
** silently, and the array would never match what is stored).  Sorts a
** copy of the names: O(n log n), on the path that writes definitions only.
*/
static int apiCheckUnique(const char *zFunc, const migrate_script *aScript,
                          int nScript, char **pzErr){
  const char **azName;
  int i, rc = SQLITE_OK;
  if( nScript<2 ) return SQLITE_OK;
  azName = sqlite3_malloc64(sizeof(char*)*(sqlite3_uint64)nScript);
  if( azName==0 ) return SQLITE_NOMEM;
  for(i=0; i<nScript; i++) azName[i] = aScript[i].zName;
  qsort(azName, (size_t)nScript, sizeof(char*), apiNameCmp);
  for(i=1; i<nScript; i++){
    if( strcmp(azName[i-1], azName[i])==0 ){
      apiError(pzErr, sqlite3_mprintf("%s: the script array names %s more "
                                      "than once; nothing was defined",
                                      zFunc, azName[i]));
      rc = SQLITE_MISUSE;
      break;
    }
  }
  sqlite3_free(azName);
  return rc;
}

/*
** Opens a transaction of api.c's own: BEGIN IMMEDIATE in autocommit mode
** (*pbOuter = 1), else a savepoint inside the caller's transaction.
*/
static int apiBegin(sqlite3 *db, int *pbOuter){
  *pbOuter = sqlite3_get_autocommit(db);
  return sqlite3_exec(db, *pbOuter ? "BEGIN IMMEDIATE" : "SAVEPOINT migrate_api",
                      0, 0, 0);
}

/*
** Ends what apiBegin() opened: COMMIT (or RELEASE) when rc is SQLITE_OK,
** else ROLLBACK (or ROLLBACK TO + RELEASE) if it is still open.  Returns
** the final code.
*/
static int apiEnd(sqlite3 *db, int bOuter, int rc){
  if( rc==SQLITE_OK ){
    rc = sqlite3_exec(db, bOuter ? "COMMIT" : "RELEASE migrate_api", 0, 0, 0);
  }
  if( rc!=SQLITE_OK && !sqlite3_get_autocommit(db) ){
    sqlite3_exec(db, bOuter ? "ROLLBACK"
                 : "ROLLBACK TO migrate_api; RELEASE migrate_api", 0, 0, 0);
  }
  return rc;
}

int migrate_define(sqlite3 *db, const migrate_script *aScript, int nScript,
                   char **pzErr){
  char *zErr = 0;
  int bSame = 1;
  int bOuter = 0;
  int i, rc = SQLITE_OK;

  if( pzErr ) *pzErr = 0;
  if( migrateCallRunning(db) ){
    apiError(pzErr, sqlite3_mprintf("migrate_define: cannot be called while "
        "a migration call runs (from a migration script, hook or verify "
        "query)"));
    return SQLITE_ERROR;
  }
  rc = apiCheck("migrate_define", aScript, nScript, pzErr);
  if( rc==SQLITE_OK ) rc = migrateStoreAllDefined(db, aScript, nScript, &bSame);
  if( rc!=SQLITE_OK || bSame ) goto define_done;
  rc = apiCheckUnique("migrate_define", aScript, nScript, pzErr);
  if( rc!=SQLITE_OK ) goto define_done;

  rc = apiBegin(db, &bOuter);
  for(i=0; rc==SQLITE_OK && i<nScript; i++){
    sqlite3_int64 iRowid = 0;
    MigrateDef def;
    memset(&def, 0, sizeof(def));
    def.zName = aScript[i].zName;
    def.zUp = aScript[i].zUp;
    def.zDown = aScript[i].zDown;
    rc = migrateStoreWrite(db, 0, &def, SQLITE_REPLACE, &iRowid, &zErr);
  }
  rc = apiEnd(db, bOuter, rc);

define_done:
  if( rc!=SQLITE_OK && zErr==0 && rc!=SQLITE_NOMEM
   && !(pzErr && *pzErr) ){
    zErr = sqlite3_mprintf("migrate_define: %s", sqlite3_errmsg(db));
  }
  if( zErr || rc==SQLITE_OK ) apiError(pzErr, rc==SQLITE_OK ? 0 : zErr);
  if( rc==SQLITE_OK ) sqlite3_free(zErr);
  return rc;
}

int migrate_apply(sqlite3 *db, const char *zTarget, int *pnApplied,
                  char **pzErr){
  sqlite3_int64 nDone = 0;
  char *zErr = 0;
  int rc = migrateExec(db, MIGRATE_OP_UP, zTarget, 0, 0, 0, &nDone, &zErr);
  if( pnApplied ) *pnApplied = (int)nDone;
  apiError(pzErr, zErr);
  return rc;
}

int migrate_run(sqlite3 *db, const char *zCall, const char *zArg,
                migrate_progress xProgress, void *pArg,
                sqlite3_int64 *pnDone, char **pzErr){
  return migrate_run_ex(db, zCall, zArg, xProgress, pArg, pnDone, pzErr, 0);
}

int migrate_run_ex(sqlite3 *db, const char *zCall, const char *zArg,
                   migrate_progress xProgress, void *pArg,
                   sqlite3_int64 *pnDone, char **pzErr,
                   migrate_failure *pFail){
  const MigrateOp *pOp = migrateOpByName(zCall);
  sqlite3_int64 nDone = 0;
  sqlite3_int64 nBatch = -1;
  char *zErr = 0;
  int rc = SQLITE_OK;

  if( pOp==0 ){
    zErr = sqlite3_mprintf("migrate_run: unknown call '%s'",
                           zCall ? zCall : "(null)");
    rc = SQLITE_MISUSE;
  }else if( zArg && pOp->eArg==MIGRATE_ARG_NONE ){
    zErr = sqlite3_mprintf("%s: takes no argument", zCall);
    rc = SQLITE_MISUSE;
  }else if( (zArg==0 || zArg[0]==0) && pOp->eArg==MIGRATE_ARG_TARGET ){
    zErr = migrateOpTargetError(pOp);
    rc = SQLITE_MISUSE;
  }else if( pOp->eArg==MIGRATE_ARG_OPT_COUNT ){
    nBatch = 1;
    if( zArg ) rc = migrateOpCount(pOp, zArg, &nBatch, &zErr);
  }
  if( rc==SQLITE_OK && !(pOp->eArg==MIGRATE_ARG_OPT_COUNT && nBatch==0) ){
    rc = migrateExecEx(db, pOp->eOp,
                       pOp->eArg==MIGRATE_ARG_OPT_COUNT ? 0 : zArg, nBatch,
                       xProgress, pArg, &nDone, &zErr, pFail);
  }else if( pFail ){
    memset(pFail, 0, sizeof(*pFail));
  }
  if( pnDone ) *pnDone = nDone;
  apiError(pzErr, zErr);
  return rc;
}

/* Feeds the bytes of z (and, with bNul, its NUL) into FNV-1a hash *pH. */
static void apiHash(sqlite3_uint64 *pH, const char *z, int bNul){
  const unsigned char *p = (const unsigned char*)z;
  sqlite3_uint64 h = *pH;
  for(; *p; p++){
    h ^= *p;
    h *= 0x100000001b3ULL;
  }
  if( bNul ) h *= 0x100000001b3ULL;   /* h ^= 0 is a no-op */
  *pH = h;
}

int migrate_array_checksum(const migrate_script *aScript, int nScript,
                           char *zOut){
  sqlite3_uint64 h = 0xcbf29ce484222325ULL;
  int i;
  int rc = apiCheck("migrate_array_checksum", aScript, nScript, 0);
  zOut[0] = 0;
  if( rc!=SQLITE_OK ) return rc;
  apiHash(&h, "libmigrate script array 1", 1);
  for(i=0; i<nScript; i++){
    apiHash(&h, aScript[i].zName, 1);
    apiHash(&h, aScript[i].zUp, 1);
    if( aScript[i].zDown ){
      apiHash(&h, "+", 0);
      apiHash(&h, aScript[i].zDown, 1);
    }else{
      apiHash(&h, "-", 1);
    }
  }
  sqlite3_snprintf(MIGRATE_CHECKSUM_LEN+1, zOut, "%016llx", h);
  return SQLITE_OK;
}

/* 1 when z is 16 lowercase hex digits (what migrate_array_checksum gives). */
static int apiIsArrayChecksum(const char *z){
  int i;
  for(i=0; i<MIGRATE_CHECKSUM_LEN; i++){
    if( !((z[i]>='0' && z[i]<='9') || (z[i]>='a' && z[i]<='f')) ) return 0;
  }
  return z[i]==0;
}

/*
** Records that aScript[0..nScript-1], whose array checksum is zSum, is
** defined exactly so (migrate_boot_v2's slow path, after a successful
** boot): in a transaction of its own, compared again under the write lock
** so no other connection's definition can slip in between.  Best effort:
** the boot has succeeded whatever happens here, and a value not recorded
** only means the next boot compares in full again.
*/
static void apiRecordArray(sqlite3 *db, const migrate_script *aScript,
                           int nScript, const char *zSum){
  int bOuter = 0, bSame = 0;
  int rc;
  if( nScript==0 || sqlite3_db_readonly(db, "main")!=0 ) return;
  rc = apiBegin(db, &bOuter);
  if( rc==SQLITE_OK ) rc = migrateStoreAllDefined(db, aScript, nScript, &bSame);
  if( rc==SQLITE_OK && bSame ){
    rc = migrateStoreBoot(db, MIGRATE_BOOT_RECORD, zSum, 0);
  }
  apiEnd(db, bOuter, rc);
}

/*
** migrate_boot() and migrate_boot_v2() (zFunc names it in messages):
** zSum, when not NULL, is the array's checksum (see the header).
*/
static int apiBoot(const char *zFunc, sqlite3 *db,
                   const migrate_script *aScript, int nScript,
                   const char *zSum, int *pnApplied, char **pzErr){
  sqlite3_int64 nDone = 0;
  char *zErr = 0;
  int bFound = 0;          /* the fast path: zSum is recorded */
  int bSame = 0;           /* compared in full: nothing differs */
  int rc = SQLITE_OK;
  if( pnApplied ) *pnApplied = 0;
  if( pzErr ) *pzErr = 0;
  rc = apiCheck(zFunc, aScript, nScript, pzErr);
  if( rc==SQLITE_OK && zSum && !apiIsArrayChecksum(zSum) ){
    apiError(pzErr, sqlite3_mprintf("%s: the array checksum is not 16 "
        "lowercase hex digits", zFunc));
    rc = SQLITE_MISUSE;
  }
  if( rc==SQLITE_OK && zSum ){
    rc = migrateStoreBoot(db, MIGRATE_BOOT_FIND, zSum, &bFound);
  }
  if( rc==SQLITE_OK && !bFound ){
    rc = migrateStoreAllDefined(db, aScript, nScript, &bSame);
    if( rc==SQLITE_OK && !bSame ){
      rc = apiCheckUnique(zFunc, aScript, nScript, pzErr);
    }
  }
  if( rc!=SQLITE_OK ){
    if( rc!=SQLITE_NOMEM && pzErr && *pzErr==0 ){
      apiError(pzErr, sqlite3_mprintf("%s: %s", zFunc, sqlite3_errmsg(db)));
    }
    return rc;
  }
  /* every boot but the first: nothing to define, the no-op migrate() */
  rc = migrateExecBoot(db, aScript, bFound || bSame ? 0 : nScript, &nDone,
                       &zErr);
  if( pnApplied ) *pnApplied = (int)nDone;
  apiError(pzErr, zErr);
  if( rc==SQLITE_OK && zSum && !bFound ){
    apiRecordArray(db, aScript, nScript, zSum);
  }
  return rc;
}

int migrate_boot(sqlite3 *db, const migrate_script *aScript, int nScript,
                 int *pnApplied, char **pzErr){
  return apiBoot("migrate_boot", db, aScript, nScript, 0, pnApplied, pzErr);
}

int migrate_boot_v2(sqlite3 *db, const migrate_script *aScript, int nScript,
                    const char *zArrayChecksum, int *pnApplied,
                    char **pzErr){
  return apiBoot("migrate_boot_v2", db, aScript, nScript, zArrayChecksum,
                 pnApplied, pzErr);
}

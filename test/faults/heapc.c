/*
** heapc.c — out of memory through the firmware C API: migrate_boot() and
** migrate_run() under sqlite3_hard_heap_limit64(), which C can lower and
** raise again at will (SQL can only lower it), with the system SQLite.
**
** USAGE
**   build/faults/heapc DIR      prints "FIGURE heap-c-api TRIED HIT OK FAILED"
**                               and each failure on stderr; exit 1 on any
**
** HOW IT WORKS
**   For every heap limit L from just above the connection's own usage up
**   to where the call succeeds (1 KB steps, then 16 KB): a fresh file gets
**   the 5 migrations of drv.h defined and applied by migrate_boot() under
**   the limit, then (second pass) migrate_run("rollback") under the limit.
**   The limit is lifted, then: the call succeeded or said "out of memory"
**   (SQLITE_NOMEM); the connection is in autocommit mode; drv.h's
**   invariants hold (integrity, ledger == schema, whole batch or nothing,
**   history); and the file reopened holds the same.
*/
#include "drv.h"
#include <unistd.h>

static int nTried, nHit, nOk, nFail;

static void one(const char *zFile, int bRollback, sqlite3_int64 iExtra){
  sqlite3 *db;
  char *zErr = 0;
  char zChk[512];
  int rc, nApplied = 0;
  char z2[1100];
  migrate_script a[DRV_NMIG];
  static char azName[DRV_NMIG][16], azUp[DRV_NMIG][512], azDown[DRV_NMIG][64];
  int i;
  for(i=0; i<DRV_NMIG; i++){
    snprintf(azName[i], sizeof(azName[i]), "m_%d", i+1);
    drvUp(i+1, azUp[i], sizeof(azUp[i]));
    snprintf(azDown[i], sizeof(azDown[i]), "DROP TABLE t_%d;", i+1);
    a[i].zName = azName[i]; a[i].zUp = azUp[i]; a[i].zDown = azDown[i];
  }
  unlink(zFile);
  snprintf(z2, sizeof(z2), "%s-journal", zFile); unlink(z2);
  db = drvOpen(zFile, 0, 1000);
  if( bRollback ){
    if( drvDefine(db, DRV_NMIG, &zErr)!=SQLITE_OK
     || migrate_apply(db, 0, &nApplied, &zErr)!=SQLITE_OK ) exit(2);
  }
  sqlite3_hard_heap_limit64(sqlite3_memory_used() + iExtra);
  if( bRollback ){
    rc = migrate_run(db, "rollback", 0, 0, 0, 0, &zErr);
  }else{
    rc = migrate_boot(db, a, DRV_NMIG, &nApplied, &zErr);
  }
  sqlite3_hard_heap_limit64(0);
  nTried++;
  if( rc!=SQLITE_OK ) nHit++;
  if( rc!=SQLITE_OK && rc!=SQLITE_NOMEM ){
    fprintf(stderr, "heap-c %s +%lld: rc=%d %s (not SQLITE_NOMEM)\n",
            bRollback ? "rollback" : "boot", iExtra, rc, zErr ? zErr : "");
    nFail++;
  }else if( drvCheck(db, zChk, sizeof(zChk), 1) ){
    fprintf(stderr, "heap-c %s +%lld: rc=%d: %s\n",
            bRollback ? "rollback" : "boot", iExtra, rc, zChk);
    nFail++;
  }else{
    sqlite3_close(db);
    db = drvOpen(zFile, 0, 1000);
    if( drvCheck(db, zChk, sizeof(zChk), 1) ){
      fprintf(stderr, "heap-c %s +%lld reopened: %s\n",
              bRollback ? "rollback" : "boot", iExtra, zChk);
      nFail++;
    }else{
      nOk++;
    }
  }
  sqlite3_free(zErr);
  sqlite3_exec(db, "ROLLBACK", 0, 0, 0);
  sqlite3_close(db);
}

int main(int argc, char **argv){
  const char *zDir = argc>1 ? argv[1] : ".";
  char zFile[1024];
  int bRollback;
  snprintf(zFile, sizeof(zFile), "%s/heapc.db", zDir);
  for(bRollback=0; bRollback<2; bRollback++){
    sqlite3_int64 x;
    for(x=0; x<4000000; x += x<400000 ? 1024 : 16384){
      int nBefore = nHit;
      one(zFile, bRollback, x);
      if( nHit==nBefore && x>0 ) break;     /* the call succeeded: done */
    }
  }
  printf("FIGURE heap-c-api %d %d %d %d\n", nTried, nHit, nOk, nFail);
  return nFail ? 1 : 0;
}

/*
** conc.c — concurrency: N processes x M iterations of a random mix of
** migrate(), rollback(), migration_status reads and inserts into
** `migrations` against one database file, with busy_timeout set.
**
** USAGE
**   build/faults/conc DIR [PROCS [ITERS [BUSY_MS]]]   (defaults 8 200 20000)
**   Runs the rollback-journal file DIR/conc-delete.db, then DIR/conc-wal.db;
**   prints "FIGURE conc-MODE OPS OPS-THAT-WROTE OK FAILED" per mode and
**   every failure on stderr; exit status 1 on any failure.
**
** HOW IT WORKS
**   Each child opens its own connection (libmigrate linked statically with
**   the system SQLite) and, per iteration, picks one of:
**     INSERT OR IGNORE INTO migrations   (one of 20 names m_1..m_20, each
**                                         with its fixed drv.h script, so
**                                         definitions never drift)
**     SELECT migrate()                   SELECT rollback()
**     SELECT ... FROM migration_status   SELECT migrate_version()
**   Any failing call is a failure: in particular SQLITE_BUSY / "database is
**   locked" is reported with the time the call waited (it must not happen
**   before busy_timeout).  Children report through a pipe; the parent then
**   checks drv.h's invariants on the file (integrity, ledger == schema,
**   history: up/down strictly alternate per name, so nothing was applied
**   twice; history agrees with the ledger).
*/
#include "drv.h"
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>
#include <time.h>

#define CONC_NAMES 20

static long nowMs(void){
  struct timeval tv;
  gettimeofday(&tv, 0);
  return (long)tv.tv_sec*1000 + tv.tv_usec/1000;
}

/* Runs one SQL statement to completion; returns the SQLite code. */
static int concExec(sqlite3 *db, const char *zSql, char *zMsg, int nMsg){
  sqlite3_stmt *p = 0;
  int rc = sqlite3_prepare_v2(db, zSql, -1, &p, 0);
  if( rc==SQLITE_OK ){
    while( (rc = sqlite3_step(p))==SQLITE_ROW ){}
    if( rc==SQLITE_DONE ) rc = SQLITE_OK;
  }
  if( rc!=SQLITE_OK ) snprintf(zMsg, (size_t)nMsg, "%s", sqlite3_errmsg(db));
  sqlite3_finalize(p);
  return rc;
}

static void concChild(const char *zFile, int iChild, int nIter, int msBusy,
                      int fd){
  sqlite3 *db = drvOpen(zFile, 0, msBusy);
  int i, nFail = 0, nWrite = 0;
  srand((unsigned)(time(0) ^ (getpid()<<8) ^ iChild));
  for(i=0; i<nIter; i++){
    char zSql[1024], zUp[512], zMsg[512];
    int op = rand()%10;
    int k = 1 + rand()%CONC_NAMES;
    long t0 = nowMs();
    int rc;
    zMsg[0] = 0;
    if( op<3 ){
      char *z;
      drvUp(k, zUp, sizeof(zUp));
      z = sqlite3_mprintf("INSERT OR IGNORE INTO migrations(name, up, down)"
                          " VALUES('m_%d', %Q, 'DROP TABLE t_%d;')", k, zUp, k);
      rc = concExec(db, z, zMsg, sizeof(zMsg));
      sqlite3_free(z);
      nWrite++;
    }else if( op<6 ){
      rc = concExec(db, "SELECT migrate()", zMsg, sizeof(zMsg));
      nWrite++;
    }else if( op<8 ){
      rc = concExec(db, "SELECT rollback()", zMsg, sizeof(zMsg));
      nWrite++;
    }else if( op<9 ){
      rc = concExec(db, "SELECT name, state, batch FROM migration_status",
                    zMsg, sizeof(zMsg));
    }else{
      rc = concExec(db, "SELECT migrate_version()", zMsg, sizeof(zMsg));
    }
    if( rc!=SQLITE_OK ){
      long ms = nowMs() - t0;
      snprintf(zSql, sizeof(zSql), "E child %d iter %d op %d rc %d after %ld ms"
               " (busy_timeout %d): %s\n", iChild, i, op, rc, ms, msBusy, zMsg);
      if( write(fd, zSql, strlen(zSql))<0 ) _exit(5);
      nFail++;
    }
  }
  {
    char z[128];
    snprintf(z, sizeof(z), "S %d %d %d\n", nIter, nWrite, nFail);
    if( write(fd, z, strlen(z))<0 ) _exit(5);
  }
  sqlite3_close(db);
  _exit(0);
}

int main(int argc, char **argv){
  const char *zDir = argc>1 ? argv[1] : ".";
  int nProc = argc>2 ? atoi(argv[2]) : 8;
  int nIter = argc>3 ? atoi(argv[3]) : 200;
  int msBusy = argc>4 ? atoi(argv[4]) : 20000;
  int bWal, nFailTotal = 0;
  for(bWal=0; bWal<2; bWal++){
    const char *zMode = bWal ? "wal" : "delete";
    char zFile[1024], z2[1100];
    int aFd[2], i, nOps = 0, nWrites = 0, nFail = 0;
    long t0 = nowMs();
    FILE *in;
    char zLine[2048];
    snprintf(zFile, sizeof(zFile), "%s/conc-%s.db", zDir, zMode);
    unlink(zFile);
    snprintf(z2, sizeof(z2), "%s-journal", zFile); unlink(z2);
    snprintf(z2, sizeof(z2), "%s-wal", zFile); unlink(z2);
    snprintf(z2, sizeof(z2), "%s-shm", zFile); unlink(z2);
    {
      /* create the file in its journal mode, with the first 5 defined */
      sqlite3 *db = drvOpen(zFile, bWal, msBusy);
      char *zErr = 0;
      if( drvDefine(db, DRV_NMIG, &zErr)!=SQLITE_OK ){
        fprintf(stderr, "conc: define: %s\n", zErr);
        return 2;
      }
      sqlite3_close(db);
    }
    if( pipe(aFd) ) return 2;
    for(i=0; i<nProc; i++){
      if( fork()==0 ){
        close(aFd[0]);
        concChild(zFile, i, nIter, msBusy, aFd[1]);
      }
    }
    close(aFd[1]);
    in = fdopen(aFd[0], "r");
    while( fgets(zLine, sizeof(zLine), in) ){
      int a, b, c;
      if( zLine[0]=='S' && sscanf(zLine+2, "%d %d %d", &a, &b, &c)==3 ){
        nOps += a; nWrites += b;
      }else{
        fprintf(stderr, "conc-%s: %s", zMode, zLine+2);
        nFail++;
      }
    }
    fclose(in);
    for(i=0; i<nProc; i++){
      int st;
      wait(&st);
      if( !WIFEXITED(st) || WEXITSTATUS(st)!=0 ){
        fprintf(stderr, "conc-%s: a child died (status %d)\n", zMode, st);
        nFail++;
      }
    }
    {
      sqlite3 *db = drvOpen(zFile, 0, msBusy);
      char zErr[512];
      if( drvCheck(db, zErr, sizeof(zErr), 0) ){
        fprintf(stderr, "conc-%s: after the run: %s\n", zMode, zErr);
        nFail++;
      }
      fprintf(stderr, "conc-%s: %d ops in %ld ms; %lld history rows, "
              "%lld applied at the end\n", zMode, nOps, nowMs()-t0,
              drvInt(db, "SELECT count(*) FROM migrations_history"),
              drvInt(db, "SELECT count(*) FROM migrations_ledger"));
      sqlite3_close(db);
    }
    printf("FIGURE conc-%s %d %d %d %d\n", zMode, nOps, nWrites,
           nOps - nFail, nFail);
    fflush(stdout);
    nFailTotal += nFail;
  }
  return nFailTotal ? 1 : 0;
}

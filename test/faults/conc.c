/*
** conc.c — concurrency: N processes x M iterations of a random mix of
** migrate(), rollback(), migration_status reads and inserts into
** `migrations` against one database file, with busy_timeout set; then the
** same with no-transaction migrations in the set.
**
** USAGE
**   build/faults/conc DIR [PROCS [ITERS [BUSY_MS]]]   (defaults 8 200 20000)
**   Runs the rollback-journal file DIR/conc-delete.db, then DIR/conc-wal.db,
**   then the no-transaction mix in DIR/conc-notx-delete.db and
**   DIR/conc-notx-wal.db; prints "FIGURE conc-MODE OPS OPS-THAT-WROTE OK
**   FAILED" per mode, a line of counts per mode and every failure on
**   stderr; exit status 1 on any failure.
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
**
**   The no-transaction mix (modes notx-delete, notx-wal): six migrations
**   m_1..m_6 defined once, where m_3 is "-- migrate:no-transaction" with
**   CREATE TABLE IF NOT EXISTS (so a second run would not fail) and m_5 is
**   a no-transaction migration with a no-transaction down; each of them,
**   and only they, insert a row into the side-effect table `side` per run
**   (m_5 also sets PRAGMA user_version), so a run twice is visible.  Each
**   child picks migrate() (3 in 7), rollback() (2 in 7), or a read.  A
**   call that meets another runner's claim waits (busy_timeout); failing
**   with the documented claim message ("... is a no-transaction migration
**   that another connection started at ...") is counted apart and is not
**   a failure; nor is SQLITE_BUSY after the call waited at least
**   busy_timeout (a NOTE line counts them; the likely cause: with eight
**   writers in rollback-journal mode each no-transaction migration adds
**   about six commits to its batch, the write lock is busy nearly all the
**   time, and SQLite's busy handler, which polls with growing sleeps, can
**   miss it for the whole timeout); any other error is.  Afterwards, besides drv.h's
**   checks:
**   migrations_lock is empty; for m_3 and m_5 the `side` rows of each
**   direction equal the history's successful runs of that direction (each
**   run happened exactly once, and every run is recorded); then one more
**   migrate() applies whatever the last rollbacks left: every migration is
**   in the ledger exactly once, and for m_3 and m_5 the side rows `up`
**   outnumber the `down` ones by exactly one.
*/
#include "drv.h"
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>
#include <time.h>

#define CONC_NAMES 20
#define CONC_NOTX_N 6     /* migrations of the no-transaction mix */

/* The documented message of a call that waited busy_timeout for another
** runner's no-transaction migration (sql/README.md). */
#define CONC_CLAIM_MSG "is a no-transaction migration that another connection started at"

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

/* Defines m_1..m_6 of the no-transaction mix (see the header). */
static int concDefineNoTx(sqlite3 *db, char **pzErr){
  migrate_script a[CONC_NOTX_N];
  static char azName[CONC_NOTX_N][16], azUp[CONC_NOTX_N][768],
              azDown[CONC_NOTX_N][256];
  int i;
  for(i=0; i<CONC_NOTX_N; i++){
    int k = i+1;
    snprintf(azName[i], sizeof(azName[i]), "m_%d", k);
    if( k==3 ){
      snprintf(azUp[i], sizeof(azUp[i]),
        "-- migrate:no-transaction\n"
        "CREATE TABLE IF NOT EXISTS t_3(a INTEGER PRIMARY KEY, b TEXT);\n"
        "INSERT INTO side(name, dir) VALUES('m_3', 'up');\n");
      snprintf(azDown[i], sizeof(azDown[i]),
        "DROP TABLE t_3; INSERT INTO side(name, dir) VALUES('m_3', 'down');");
    }else if( k==5 ){
      snprintf(azUp[i], sizeof(azUp[i]),
        "-- migrate:no-transaction\n"
        "CREATE TABLE IF NOT EXISTS t_5(a INTEGER PRIMARY KEY, b TEXT);\n"
        "PRAGMA user_version=5;\n"
        "INSERT INTO side(name, dir) VALUES('m_5', 'up');\n");
      snprintf(azDown[i], sizeof(azDown[i]),
        "-- migrate:no-transaction\n"
        "DROP TABLE IF EXISTS t_5;\n"
        "PRAGMA user_version=0;\n"
        "INSERT INTO side(name, dir) VALUES('m_5', 'down');\n");
    }else{
      drvUp(k, azUp[i], sizeof(azUp[i]));
      snprintf(azDown[i], sizeof(azDown[i]), "DROP TABLE t_%d;", k);
    }
    a[i].zName = azName[i];
    a[i].zUp = azUp[i];
    a[i].zDown = azDown[i];
  }
  return migrate_define(db, a, CONC_NOTX_N, pzErr);
}

/*
** The checks of the no-transaction mix on the file after the run (see the
** header).  Returns the number of failures (each printed on stderr).
*/
static int concCheckNoTx(sqlite3 *db, const char *zMode){
  int nFail = 0, k;
  char *zErr = 0;
  sqlite3_int64 n;
  n = drvInt(db, "SELECT count(*) FROM migrations_lock");
  if( n>0 ){
    fprintf(stderr, "conc-%s: %lld claims left in migrations_lock\n", zMode, n);
    nFail++;
  }
  for(k=3; k<=5; k+=2){
    const char *azDir[2] = {"up", "down"};
    int d;
    for(d=0; d<2; d++){
      char zSql[512];
      sqlite3_int64 nSide, nHist;
      snprintf(zSql, sizeof(zSql), "SELECT count(*) FROM side WHERE"
               " name='m_%d' AND dir='%s'", k, azDir[d]);
      nSide = drvInt(db, zSql);
      snprintf(zSql, sizeof(zSql), "SELECT count(*) FROM migrations_history"
               " WHERE name='m_%d' AND direction='%s' AND ok=1", k, azDir[d]);
      nHist = drvInt(db, zSql);
      if( nSide!=nHist ){
        fprintf(stderr, "conc-%s: m_%d ran %s %lld times, the history"
                " records %lld\n", zMode, k, azDir[d], nSide, nHist);
        nFail++;
      }
    }
  }
  if( sqlite3_exec(db, "SELECT migrate()", 0, 0, &zErr)!=SQLITE_OK ){
    fprintf(stderr, "conc-%s: the last migrate(): %s\n", zMode, zErr);
    sqlite3_free(zErr);
    nFail++;
  }
  n = drvInt(db, "SELECT count(DISTINCT name) FROM migrations_ledger"
                 " WHERE name IN ('m_1','m_2','m_3','m_4','m_5','m_6')");
  if( n!=CONC_NOTX_N
   || drvInt(db, "SELECT count(*) FROM migrations_ledger")!=CONC_NOTX_N ){
    fprintf(stderr, "conc-%s: after the last migrate() the ledger holds %lld"
            " of the %d migrations\n", zMode, n, CONC_NOTX_N);
    nFail++;
  }
  n = drvInt(db, "SELECT count(*) FROM (SELECT name, sum(dir='up')-sum(dir='down')"
                 " AS net FROM side GROUP BY name) WHERE net<>1");
  if( n!=0 || drvInt(db, "SELECT count(DISTINCT name) FROM side")!=2 ){
    fprintf(stderr, "conc-%s: a no-transaction migration's effect is not there"
            " exactly once\n", zMode);
    nFail++;
  }
  return nFail;
}

/*
** One child: nIter random operations.  The no-transaction mix (bNoTx) has
** a fixed set of definitions, so no inserts; its errors are told apart:
** 'C' the documented claim message, 'T' SQLITE_BUSY after busy_timeout,
** 'E' anything else.
*/
static void concChild(const char *zFile, int iChild, int nIter, int msBusy,
                      int fd, int bNoTx){
  sqlite3 *db = drvOpen(zFile, 0, msBusy);
  int i, nWrite = 0, nMet = 0;
  srand((unsigned)(time(0) ^ (getpid()<<8) ^ iChild));
  for(i=0; i<nIter; i++){
    char zSql[1024], zUp[512], zMsg[512];
    int op = bNoTx ? 3 + rand()%7 : rand()%10;
    int k = 1 + rand()%CONC_NAMES;
    long t0 = nowMs();
    int rc;
    zMsg[0] = 0;
    if( bNoTx && op<8
     && drvInt(db, "SELECT count(*) FROM migrations_lock")>0 ){
      nMet++;   /* another runner's claim was there as this call started */
    }
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
      int bClaim = bNoTx && strstr(zMsg, CONC_CLAIM_MSG)!=0;
      int bTimeout = bNoTx && !bClaim && (rc & 0xff)==SQLITE_BUSY
                  && ms>=msBusy;
      snprintf(zSql, sizeof(zSql), "%c child %d iter %d op %d rc %d after"
               " %ld ms (busy_timeout %d): %s\n",
               bClaim ? 'C' : bTimeout ? 'T' : 'E', iChild, i, op, rc, ms,
               msBusy, zMsg);
      if( write(fd, zSql, strlen(zSql))<0 ) _exit(5);
    }
  }
  {
    char z[128];
    snprintf(z, sizeof(z), "S %d %d %d\n", nIter, nWrite, nMet);
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
  int iMode, nFailTotal = 0;
  for(iMode=0; iMode<4; iMode++){
    int bWal = iMode & 1;
    int bNoTx = iMode>=2;
    const char *zMode = bNoTx ? (bWal ? "notx-wal" : "notx-delete")
                              : (bWal ? "wal" : "delete");
    char zFile[1024], z2[1100];
    int aFd[2], i, nOps = 0, nWrites = 0, nFail = 0, nClaim = 0, nTimeout = 0;
    int nMet = 0;    /* calls that started while a claim was held */
    long t0 = nowMs();
    FILE *in;
    char zLine[2048];
    snprintf(zFile, sizeof(zFile), "%s/conc-%s.db", zDir, zMode);
    unlink(zFile);
    snprintf(z2, sizeof(z2), "%s-journal", zFile); unlink(z2);
    snprintf(z2, sizeof(z2), "%s-wal", zFile); unlink(z2);
    snprintf(z2, sizeof(z2), "%s-shm", zFile); unlink(z2);
    {
      /* create the file in its journal mode, with the first 5 defined
      ** (the no-transaction mix: its six, and the side-effect table) */
      sqlite3 *db = drvOpen(zFile, bWal, msBusy);
      char *zErr = 0;
      if( bNoTx
       && sqlite3_exec(db, "CREATE TABLE side(name TEXT, dir TEXT)", 0, 0,
                       &zErr)!=SQLITE_OK ){
        fprintf(stderr, "conc: side: %s\n", zErr);
        return 2;
      }
      if( (bNoTx ? concDefineNoTx(db, &zErr)
                 : drvDefine(db, DRV_NMIG, &zErr))!=SQLITE_OK ){
        fprintf(stderr, "conc: define: %s\n", zErr);
        return 2;
      }
      sqlite3_close(db);
    }
    if( pipe(aFd) ) return 2;
    for(i=0; i<nProc; i++){
      if( fork()==0 ){
        close(aFd[0]);
        concChild(zFile, i, nIter, msBusy, aFd[1], bNoTx);
      }
    }
    close(aFd[1]);
    in = fdopen(aFd[0], "r");
    while( fgets(zLine, sizeof(zLine), in) ){
      int a, b, c;
      if( zLine[0]=='S' && sscanf(zLine+2, "%d %d %d", &a, &b, &c)==3 ){
        nOps += a; nWrites += b; nMet += c;
      }else if( zLine[0]=='C' ){
        /* waited busy_timeout for a claim: the documented message */
        fprintf(stderr, "conc-%s: claim: %s", zMode, zLine+2);
        nClaim++;
      }else if( zLine[0]=='T' ){
        /* SQLITE_BUSY only after busy_timeout: the write lock was never
        ** free when this process looked (see the header) */
        fprintf(stderr, "conc-%s: timeout: %s", zMode, zLine+2);
        nTimeout++;
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
      if( bNoTx ){
        fprintf(stderr, "conc-%s: no-transaction runs: m_3 up %lld down %lld,"
                " m_5 up %lld down %lld; %d calls started while another"
                " runner's claim was held, %d gave up on one after"
                " busy_timeout\n", zMode,
                drvInt(db, "SELECT count(*) FROM side WHERE name='m_3' AND dir='up'"),
                drvInt(db, "SELECT count(*) FROM side WHERE name='m_3' AND dir='down'"),
                drvInt(db, "SELECT count(*) FROM side WHERE name='m_5' AND dir='up'"),
                drvInt(db, "SELECT count(*) FROM side WHERE name='m_5' AND dir='down'"),
                nMet, nClaim);
        nFail += concCheckNoTx(db, zMode);
        if( nTimeout ){
          printf("NOTE conc-%s: %d of %d calls gave up with SQLITE_BUSY after"
                 " waiting busy_timeout (%d ms) for the write lock; exactly"
                 " once held\n", zMode, nTimeout, nOps, msBusy);
        }
      }
      sqlite3_close(db);
    }
    printf("FIGURE conc-%s %d %d %d %d\n", zMode, nOps, nWrites,
           nOps - nFail, nFail);
    fflush(stdout);
    nFailTotal += nFail;
  }
  return nFailTotal ? 1 : 0;
}

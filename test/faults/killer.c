/*
** killer.c — process kills: SIGKILL a process in the middle of migrate()
** and rollback() at random moments, thousands of times, and check the
** database after every kill.
**
** USAGE
**   build/faults/killer DIR [KILLS [SECONDS]]     (defaults 2000, 300)
**   Prints "FIGURE kill-delete TRIED HIT SURVIVED FAILED" and the same
**   for kill-wal (TRIED: kills; HIT: kills that landed while a call was
**   running), then a final clean migrate(); exit status 1 on any failure.
**
** HOW IT WORKS
**   Half the kills use DIR/kill-delete.db (rollback journal), half
**   DIR/kill-wal.db (WAL).  Per trial: fork a child that opens the file
**   (libmigrate linked statically with the system SQLite), defines the 5
**   migrations of drv.h and loops migrate() / rollback() forever, setting a
**   flag in shared memory while a call runs.  The parent sleeps a random
**   time (0 .. about two calls' worth, learned from the child's own
**   timings), SIGKILLs it, reaps it, opens the file itself and checks
**   drv.h's invariants: integrity, ledger == schema, whole batch or
**   nothing, history alternates.  A failure stops that file's loop (the
**   evidence is kept).  At the end a clean migrate() must complete.
*/
#include "drv.h"
#include <signal.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>
#include <time.h>

typedef struct Shared Shared;
struct Shared {
  volatile int inCall;        /* 1 while the child is inside a call */
  volatile long nCall;        /* calls completed by children */
  volatile long usCall;       /* microseconds they took in total */
};

static long nowUs(void){
  struct timeval tv;
  gettimeofday(&tv, 0);
  return (long)tv.tv_sec*1000000 + tv.tv_usec;
}

static void child(const char *zFile, int bWal, Shared *pSh){
  sqlite3 *db = drvOpen(zFile, bWal, 10000);
  char *zErr = 0;
  int i;
  if( drvDefine(db, DRV_NMIG, &zErr)!=SQLITE_OK ){
    fprintf(stderr, "define: %s\n", zErr);
    _exit(3);
  }
  for(i=0; ; i++){
    long t0 = nowUs();
    int rc;
    pSh->inCall = 1;
    if( drvInt(db, "SELECT count(*) FROM migrations_ledger")>0 ){
      rc = migrate_run(db, "rollback", 0, 0, 0, 0, &zErr);
    }else{
      rc = migrate_run(db, "migrate", 0, 0, 0, 0, &zErr);
    }
    pSh->inCall = 0;
    if( rc!=SQLITE_OK ){
      fprintf(stderr, "child: %s\n", zErr);
      _exit(4);
    }
    pSh->nCall++;
    pSh->usCall += nowUs() - t0;
  }
}

int main(int argc, char **argv){
  const char *zDir = argc>1 ? argv[1] : ".";
  int nKill = argc>2 ? atoi(argv[2]) : 2000;
  int nSec = argc>3 ? atoi(argv[3]) : 300;
  Shared *pSh = mmap(0, sizeof(Shared), PROT_READ|PROT_WRITE,
                     MAP_SHARED|MAP_ANONYMOUS, -1, 0);
  long tEnd = nowUs() + (long)nSec*1000000;
  int nFailTotal = 0;
  int bWal;
  srand((unsigned)time(0) ^ (unsigned)getpid());
  for(bWal=0; bWal<2; bWal++){
    char zFile[1024];
    int nTried = 0, nHit = 0, nOk = 0, nFail = 0;
    long tStop = nowUs() + (tEnd - nowUs())/(2-bWal);
    snprintf(zFile, sizeof(zFile), "%s/kill-%s.db", zDir, bWal?"wal":"delete");
    unlink(zFile);
    {
      char z2[1100];
      snprintf(z2, sizeof(z2), "%s-journal", zFile); unlink(z2);
      snprintf(z2, sizeof(z2), "%s-wal", zFile); unlink(z2);
      snprintf(z2, sizeof(z2), "%s-shm", zFile); unlink(z2);
    }
    pSh->nCall = 0;
    pSh->usCall = 0;
    while( nTried<nKill/2 && nowUs()<tStop ){
      pid_t pid;
      long us, avg;
      int status;
      pSh->inCall = 0;
      pid = fork();
      if( pid==0 ) child(zFile, bWal, pSh);
      /* sleep 0 .. ~2 calls (default 30ms until the child's timings are known)
      ** plus the start-up time (open + define), so most kills land in a call */
      avg = pSh->nCall>4 ? pSh->usCall/pSh->nCall : 15000;
      us = 2000 + (long)(((double)rand()/RAND_MAX) * (double)(2*avg));
      usleep((useconds_t)us);
      if( pSh->inCall ) nHit++;
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      nTried++;
      if( WIFEXITED(status) ){
        fprintf(stderr, "kill-%s: child exited by itself (status %d)\n",
                bWal?"wal":"delete", WEXITSTATUS(status));
        nFail++;
        break;
      }
      {
        sqlite3 *db = drvOpen(zFile, 0, 10000);
        char zErr[512];
        if( drvCheck(db, zErr, sizeof(zErr), 1) ){
          fprintf(stderr, "kill-%s trial %d (after %ld us): %s\n",
                  bWal?"wal":"delete", nTried, us, zErr);
          nFail++;
          sqlite3_close(db);
          break;
        }
        nOk++;
        sqlite3_close(db);
      }
    }
    /* a final clean run completes */
    {
      sqlite3 *db = drvOpen(zFile, 0, 10000);
      char *zErr = 0;
      char zChk[512];
      if( migrate_run(db, "migrate", 0, 0, 0, 0, &zErr)!=SQLITE_OK
       || drvCheck(db, zChk, sizeof(zChk), 1)
       || drvInt(db, "SELECT count(*) FROM migrations_ledger")!=DRV_NMIG ){
        fprintf(stderr, "kill-%s: final clean migrate() failed: %s\n",
                bWal?"wal":"delete", zErr ? zErr : zChk);
        nFail++;
      }
      sqlite3_free(zErr);
      sqlite3_close(db);
    }
    printf("FIGURE kill-%s %d %d %d %d\n", bWal?"wal":"delete",
           nTried, nHit, nOk, nFail);
    fflush(stdout);
    nFailTotal += nFail;
  }
  return nFailTotal ? 1 : 0;
}

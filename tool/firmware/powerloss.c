/*
** powerloss.c — kills the firmware example with SIGKILL at random moments
** during its boot-time migration, thousands of times against the same
** database file, and checks after every kill that nothing is half-done.
**
** USAGE
**   powerloss [-kills N] [-seed S] [-sync] [-run RUNNER] [-v] BOOT DBFILE
**
**     BOOT    the firmware example (tool/firmware/boot.c, built static).
**     DBFILE  scratch database; deleted and re-created many times.
**     -kills  how many kills to land (default 2000).
**     -seed   random seed (default: time).
**     -sync   keep SQLite's default synchronous=FULL in the boots (by
**             default they run with -nosync: a SIGKILL loses nothing the
**             kernel has cached, so fsync only costs time here; with -sync
**             the same test runs about four times slower).
**     -run    start BOOT through RUNNER, e.g. -run qemu-arm with an ARM
**             build of the example (make check-power-arm): the kill then
**             lands on the emulator, which dies with the emulated program.
**     -v      print every run.
**
**   powerloss -check DBFILE
**     only runs the checks below on DBFILE and prints "consistent, K
**     applied" (exit 0) or what is wrong (exit 1).
**
**   Prints "kills survived: K of N" plus how many boots completed and how
**   many fresh databases were used; exits 0 only when every check passed
**   and a last clean boot completed the migration.  `make check-power`
**   runs it with 2000 kills; test/firmware.test with 100.
**
** HOW IT WORKS
**   A database goes through "firmware versions": boot -n V registers only
**   the first V compiled-in scripts, as an older image would; V grows by
**   1..3 each time a boot completes, and when the newest version has booted
**   the file is deleted and a new cycle starts (half the cycles in WAL
**   mode).  Each run is fork + exec of BOOT, a random delay drawn uniformly
**   from [0, T], then SIGKILL; one run in five is not killed.  T is how
**   long the last completed boot of the same version from the same number
**   of applied migrations took (a fresh full boot, measured first, until
**   one has completed), so the kills land while the boot still runs.  A run that ended before the kill counts as
**   a completed boot, not a kill; it must have exited 0 and applied every
**   migration of its version.
**
**   After every run the database is opened (which rolls back a hot journal
**   or recovers the WAL, as the next boot would) and checked:
**     - PRAGMA integrity_check returns "ok";
**     - for each migration, a probe of the schema and data says whether it
**       is applied (1), not applied (0) or half-applied (anything else);
**       it must be 0 or 1, and 1 exactly when its name is in
**       migrations_ledger;
**     - the ledger holds a prefix of the migrations (applied in order), and
**       every ledger row has a matching successful 'up' row in
**       migrations_history.
**   After the last kill, a clean boot of the newest version must complete
**   and the checks must pass with every migration applied.
**
**   Process kills leave the operating system's page cache intact, so this
**   tests SQLite's and libmigrate's transaction handling, not the disk's
**   write ordering (a VFS-level power-loss simulation covers that).
*/
#define _POSIX_C_SOURCE 200809L
#include "sqlite3.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
** The migrations of sql/examples/firmware and how to tell, from the schema
** and data alone, whether each one is applied.  zTable must exist for the
** probe to run (else the migration counts as not applied); zProbe returns
** 1 applied, 0 not applied, anything else half-applied.
*/
static const struct Probe {
  const char *zName;
  const char *zTable;
  const char *zProbe;
} aProbe[] = {
  { "001_create_devices", "devices", "SELECT 1" },
  { "002_create_readings", "readings",
    "SELECT EXISTS(SELECT 1 FROM sqlite_schema"
    " WHERE type='index' AND name='readings_device_ts')" },
  { "003_import_factory_log", "readings",
    "SELECT CASE WHEN (SELECT count(*) FROM readings)=20000"
    "             AND (SELECT count(*) FROM devices)=4 THEN 1"
    "            WHEN (SELECT count(*) FROM readings)=0"
    "             AND (SELECT count(*) FROM devices)=0 THEN 0"
    "            ELSE -1 END" },
  { "004_readings_in_millidegrees", "readings",
    "SELECT CASE WHEN NOT EXISTS(SELECT 1 FROM sqlite_schema"
    "                 WHERE type='index' AND name='readings_device_ts')"
    "              OR EXISTS(SELECT 1 FROM sqlite_schema"
    "                 WHERE name IN ('readings_new','readings_old')) THEN -1"
    "            WHEN EXISTS(SELECT 1 FROM pragma_table_info('readings')"
    "                 WHERE name='milli_c') THEN 1"
    "            WHEN EXISTS(SELECT 1 FROM pragma_table_info('readings')"
    "                 WHERE name='value') THEN 0"
    "            ELSE -1 END" },
  { "005_daily_summary", "daily_summary",
    "SELECT CASE WHEN (SELECT sum(n) FROM daily_summary)=20000 THEN 1"
    "            ELSE -1 END" },
  { "006_drop_device_model", "devices",
    "SELECT NOT EXISTS(SELECT 1 FROM pragma_table_info('devices')"
    " WHERE name='model')" },
};
#define N_PROBE ((int)(sizeof(aProbe)/sizeof(aProbe[0])))

static int bSync = 0;       /* -sync: keep synchronous=FULL everywhere */
static const char *zRunner = 0;   /* -run: e.g. qemu-arm, or NULL */

/* Runs zSql (one value) on db into *piVal.  Returns an SQLite code. */
static int queryInt(sqlite3 *db, const char *zSql, const char *zBind,
                    sqlite3_int64 *piVal){
  sqlite3_stmt *pStmt = 0;
  int rc = sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0);
  *piVal = -999;
  if( rc==SQLITE_OK && zBind ){
    rc = sqlite3_bind_text(pStmt, 1, zBind, -1, SQLITE_STATIC);
  }
  if( rc==SQLITE_OK ){
    if( sqlite3_step(pStmt)==SQLITE_ROW ){
      *piVal = sqlite3_column_int64(pStmt, 0);
    }
    rc = sqlite3_finalize(pStmt);
    pStmt = 0;
  }
  sqlite3_finalize(pStmt);
  return rc;
}

/*
** Checks the database as described in the header.  Writes the number of
** applied migrations into *pnApplied.  Returns 0 when consistent, else
** prints why and returns 1.
*/
static int checkDb(const char *zDb, int *pnApplied){
  sqlite3 *db = 0;
  sqlite3_stmt *pStmt = 0;
  sqlite3_int64 v, bLedger, n;
  int i, nApplied = 0, bGap = 0, nErr = 0;
  int rc = sqlite3_open_v2(zDb, &db, SQLITE_OPEN_READWRITE, 0);

  *pnApplied = 0;
  if( rc!=SQLITE_OK ){
    /* killed before the file was created: nothing to check */
    sqlite3_close(db);
    return access(zDb, F_OK)==0 ? (printf("check: cannot open\n"), 1) : 0;
  }
  sqlite3_busy_timeout(db, 5000);
  if( !bSync ) sqlite3_exec(db, "PRAGMA synchronous=OFF", 0, 0, 0);
  rc = sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &pStmt, 0);
  if( rc==SQLITE_OK && sqlite3_step(pStmt)==SQLITE_ROW ){
    const char *z = (const char*)sqlite3_column_text(pStmt, 0);
    if( z==0 || strcmp(z, "ok")!=0 ){
      printf("check: integrity_check: %s\n", z ? z : "NULL");
      nErr++;
    }
  }else{
    printf("check: integrity_check: %s\n", sqlite3_errmsg(db));
    nErr++;
  }
  sqlite3_finalize(pStmt);

  queryInt(db, "SELECT count(*) FROM sqlite_schema"
               " WHERE name='migrations_ledger'", 0, &v);
  for(i=0; nErr==0 && i<N_PROBE; i++){
    bLedger = 0;
    if( v==1 ){
      rc = queryInt(db, "SELECT count(*) FROM migrations_ledger WHERE name=?",
                    aProbe[i].zName, &bLedger);
      if( rc ){ printf("check: ledger: %s\n", sqlite3_errmsg(db)); nErr++; }
    }
    rc = queryInt(db, "SELECT count(*) FROM sqlite_schema WHERE name=?",
                  aProbe[i].zTable, &n);
    if( rc==SQLITE_OK && n==1 ){
      rc = queryInt(db, aProbe[i].zProbe, 0, &n);
    }
    if( rc ){ printf("check: probe %s: %s\n", aProbe[i].zName,
                     sqlite3_errmsg(db)); nErr++; break; }
    if( n!=0 && n!=1 ){
      printf("check: %s is half-applied (probe says %lld)\n",
             aProbe[i].zName, (long long)n);
      nErr++;
    }else if( n!=bLedger ){
      printf("check: %s: schema says %s, ledger says %s\n", aProbe[i].zName,
             n ? "applied" : "not applied",
             bLedger ? "applied" : "not applied");
      nErr++;
    }else if( n ){
      if( bGap ){
        printf("check: %s applied after a gap\n", aProbe[i].zName);
        nErr++;
      }
      nApplied++;
    }else{
      bGap = 1;
    }
  }
  if( nErr==0 && v==1 ){
    rc = queryInt(db, "SELECT count(*) FROM migrations_ledger l WHERE NOT"
                      " EXISTS(SELECT 1 FROM migrations_history h WHERE"
                      " h.name=l.name AND h.direction='up' AND h.ok=1"
                      " AND h.batch=l.batch)", 0, &n);
    if( rc || n!=0 ){
      printf("check: %lld ledger rows without history (%s)\n",
             (long long)n, sqlite3_errmsg(db));
      nErr++;
    }
    rc = queryInt(db, "SELECT count(*) FROM migrations_ledger", 0, &n);
    if( rc || n!=nApplied ){
      printf("check: ledger has %lld rows, %d migrations applied\n",
             (long long)n, nApplied);
      nErr++;
    }
  }
  if( sqlite3_close(db)!=SQLITE_OK ){
    printf("check: close failed\n");
    nErr++;
  }
  *pnApplied = nApplied;
  return nErr ? 1 : 0;
}

/* Deletes the database and its journals. */
static void deleteDb(const char *zDb){
  static const char *azSuffix[] = { "", "-journal", "-wal", "-shm" };
  char zPath[4096];
  int i;
  for(i=0; i<4; i++){
    snprintf(zPath, sizeof(zPath), "%s%s", zDb, azSuffix[i]);
    unlink(zPath);
  }
}

/*
** True if the kill left a journal or WAL file with content behind, i.e. it
** landed while the boot was writing.
*/
static int hasJournal(const char *zDb){
  static const char *azSuffix[] = { "-journal", "-wal" };
  char zPath[4096];
  struct stat st;
  int i;
  for(i=0; i<2; i++){
    snprintf(zPath, sizeof(zPath), "%s%s", zDb, azSuffix[i]);
    if( stat(zPath, &st)==0 && st.st_size>0 ) return 1;
  }
  return 0;
}

/* Monotonic time in microseconds. */
static long long nowUs(void){
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec*1000000 + ts.tv_nsec/1000;
}

/*
** Starts BOOT -n nVersion [-wal] -q DB and, when iDelayUs>=0, kills it
** after iDelayUs microseconds.  Returns 1 if it was killed, 0 if it exited
** 0 by itself, -1 if it failed (exit status printed).
*/
static int runBoot(const char *zBoot, const char *zDb, int nVersion,
                   int bWal, long long iDelayUs){
  char zN[16];
  int status = 0;
  pid_t pid;
  snprintf(zN, sizeof(zN), "%d", nVersion);
  pid = fork();
  if( pid<0 ){ perror("fork"); return -1; }
  if( pid==0 ){
    int fd = open("/dev/null", O_WRONLY);
    if( fd>=0 ){ dup2(fd, 1); close(fd); }
    const char *azArg[10];
    int n = 0;
    if( zRunner ) azArg[n++] = zRunner;
    azArg[n++] = zBoot;
    azArg[n++] = "-q";
    if( bWal ) azArg[n++] = "-wal";
    if( !bSync ) azArg[n++] = "-nosync";
    azArg[n++] = "-n";
    azArg[n++] = zN;
    azArg[n++] = zDb;
    azArg[n] = 0;
    execvp(azArg[0], (char*const*)azArg);
    _exit(127);
  }
  if( iDelayUs>=0 ){
    struct timespec ts;
    ts.tv_sec = iDelayUs/1000000;
    ts.tv_nsec = (iDelayUs%1000000)*1000;
    nanosleep(&ts, 0);
    kill(pid, SIGKILL);
  }
  while( waitpid(pid, &status, 0)<0 && errno==EINTR ){}
  if( WIFSIGNALED(status) && WTERMSIG(status)==SIGKILL ) return 1;
  if( WIFEXITED(status) && WEXITSTATUS(status)==0 ) return 0;
  printf("boot -n %d failed: %s %d\n", nVersion,
         WIFEXITED(status) ? "exit" : "signal",
         WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
  return -1;
}

int main(int argc, char **argv){
  const char *zBoot = 0, *zDb = 0;
  int nKillTarget = 2000, bVerbose = 0;
  unsigned int seed = (unsigned int)time(0) ^ (unsigned int)getpid();
  int nKill = 0, nDone = 0, nCycle = 1, nApplied = 0, nHot = 0;
  int nVersion, bWal = 0, i, r, nBefore = 0;
  long long t0, tFull, tStart, tRun;
  /* aEst[a][v]: how long the last completed boot of version v took,
  ** starting from a applied migrations (0: not seen yet) */
  long long aEst[N_PROBE+1][N_PROBE+1];

  if( argc==3 && strcmp(argv[1], "-check")==0 ){
    if( checkDb(argv[2], &nApplied) ) return 1;
    printf("consistent, %d applied\n", nApplied);
    return 0;
  }
  for(i=1; i<argc; i++){
    if( strcmp(argv[i], "-kills")==0 && i+1<argc ){
      nKillTarget = atoi(argv[++i]);
    }else if( strcmp(argv[i], "-seed")==0 && i+1<argc ){
      seed = (unsigned int)strtoul(argv[++i], 0, 10);
    }else if( strcmp(argv[i], "-run")==0 && i+1<argc ){
      zRunner = argv[++i];
    }else if( strcmp(argv[i], "-sync")==0 ){
      bSync = 1;
    }else if( strcmp(argv[i], "-v")==0 ){
      bVerbose = 1;
    }else if( zBoot==0 ){
      zBoot = argv[i];
    }else if( zDb==0 ){
      zDb = argv[i];
    }else{
      zBoot = 0;
      break;
    }
  }
  if( zBoot==0 || zDb==0 || nKillTarget<1 ){
    fprintf(stderr, "usage: powerloss [-kills N] [-seed S] [-sync] [-run RUNNER] [-v]"
                    " BOOT DBFILE\n"
                    "       powerloss -check DBFILE\n");
    return 2;
  }
  srand(seed);
  setvbuf(stdout, 0, _IOLBF, 0);

  /* T: one fresh boot of the newest version, all migrations */
  deleteDb(zDb);
  t0 = nowUs();
  if( runBoot(zBoot, zDb, N_PROBE, 0, -1)!=0 ) return 1;
  tFull = nowUs() - t0;
  if( checkDb(zDb, &nApplied) || nApplied!=N_PROBE ){
    printf("a clean boot did not apply all %d migrations\n", N_PROBE);
    return 1;
  }
  printf("powerloss: seed %u, full boot %lld ms, killing at random in"
         " [0, %lld ms], synchronous=%s\n", seed, tFull/1000, tFull/1000,
         bSync ? "FULL" : "OFF");

  memset(aEst, 0, sizeof(aEst));
  tStart = nowUs();
  deleteDb(zDb);
  nVersion = 1 + rand()%N_PROBE;
  while( nKill<nKillTarget ){
    /* one run in five is left alone: power comes back and stays */
    long long tEst = aEst[nBefore][nVersion] ? aEst[nBefore][nVersion] : tFull;
    long long iDelay = rand()%5==0 ? -1
                     : (long long)((double)rand()/RAND_MAX * (double)tEst);
    tRun = nowUs();
    r = runBoot(zBoot, zDb, nVersion, bWal, iDelay);
    tRun = nowUs() - tRun;
    if( r<0 ) return 1;
    if( r==0 ) aEst[nBefore][nVersion] = tRun;
    if( r==1 && hasJournal(zDb) ) nHot++;
    if( checkDb(zDb, &nApplied) ){
      printf("FAILED after %s %d (cycle %d, version %d, delay %lld us,"
             " %s mode); database kept at %s\n",
             r ? "kill" : "boot", r ? nKill+1 : nDone+1, nCycle, nVersion,
             iDelay, bWal ? "WAL" : "rollback", zDb);
      return 1;
    }
    if( bVerbose ){
      printf("%s version %d after %lld us: %d applied\n",
             r ? "killed" : "booted", nVersion, iDelay, nApplied);
    }
    nBefore = nApplied;
    if( r==1 ){
      nKill++;
      if( nKill%500==0 && nKill<nKillTarget ){
        printf("  %d kills survived, %d boots completed, %.1f s\n",
               nKill, nDone, (double)(nowUs()-tStart)/1e6);
      }
    }else{
      nDone++;
      if( nApplied<nVersion ){
        printf("FAILED: boot of version %d exited 0 with %d applied\n",
               nVersion, nApplied);
        return 1;
      }
      if( nVersion<N_PROBE ){
        nVersion += 1 + rand()%3;
        if( nVersion>N_PROBE ) nVersion = N_PROBE;
      }else{
        deleteDb(zDb);
        nBefore = 0;
        nCycle++;
        bWal = rand()%2;
        nVersion = 1 + rand()%N_PROBE;
      }
    }
  }

  /* the last kill is followed by a clean boot that completes the job */
  r = runBoot(zBoot, zDb, N_PROBE, bWal, -1);
  if( r!=0 || checkDb(zDb, &nApplied) || nApplied!=N_PROBE ){
    printf("FAILED: the final clean boot did not complete (%d applied)\n",
           nApplied);
    return 1;
  }
  printf("boots completed: %d, fresh databases: %d, kills that left a"
         " journal or WAL behind: %d, %.1f s\n",
         nDone, nCycle, nHot, (double)(nowUs()-tStart)/1e6);
  printf("kills survived: %d of %d\n", nKill, nKillTarget);
  return 0;
}

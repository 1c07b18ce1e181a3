/*
** driver.c — the in-process half of `make bench`: times libmigrate's
** migrate() against the same SQL run straight through sqlite3_exec(), in
** one process, with nothing else in the measured interval.
**
** USAGE
**   bench-driver apply N REPS DIR [noeach]
**                                   apply / no-op / roll back all, N migrations
**                                   (noeach: leave out inproc-limit-each)
**   bench-driver noop  N REPS DIR   the start-up check on a migrated database
**   bench-driver mem   DIR [COUNT]  peak SQLite heap, COUNT (100) scripts of 1 MB
**   bench-driver run   STDIN LOG CMD ARGS...
**                                   runs CMD, prints its wall and CPU time
**   bench-driver one   N DIR WHAT   for callgrind: WHAT = migrate (one
**                                   migrate() at N), limit (the same SQL in
**                                   one exec), reset (one migrate_reset()),
**                                   limitdown (the down SQL in one exec),
**                                   noop / boot / bootv2 (one no-op call)
**
** Every result is one line on stdout, read by tool/bench/bench.tcl:
**   RESULT <tool> <op> <N> <ms> <ms> ...     one time per repetition
**   MEM <what> <bytes>                       a memory figure
**   RUN <wall ms> <cpu ms> <exit code>       bench-driver run
** DIR is a scratch folder; its database files are deleted and recreated.
**
** HOW IT WORKS
**   The workload is the issue's: migration i creates t_i(id, a, b), inserts
**   10 rows, creates index t_i_b; its down script drops t_i.  Names are
**   "%05d_t%d", the same as the files tool/bench/gen.tcl writes.
**   "apply" times, on fresh database files each repetition:
**     inproc-limit       BEGIN; every up script; COMMIT  (one sqlite3_exec)
**                        then the down scripts newest first, likewise
**     inproc-limit-each  one transaction per migration, up then down
**     inproc-migrate     SELECT migrate() (scripts defined and committed
**                        beforehand, untimed); SELECT migrate() again (the
**                        no-op); SELECT migrate_reset()
**   "noop" migrates N once, then times, per call (median of batches of
**   calls, each call prepare + step + finalize as an application does):
**     SELECT migrate()                    with nothing pending
**     the anti-join that proves nothing is pending (the lower bound of any
**     check that reads the definitions and the ledger)
**     migrate_boot() with the N scripts already defined (the firmware boot)
**     migrate_boot_v2() with the array's checksum recorded (the fast path:
**     no script compared)
**   "mem" defines 100 scripts of about 1 MB each (CREATE TABLE + ~1000
**   INSERTs of a 1000-byte literal), reopens the database, and reports
**   sqlite3_memory_highwater() above sqlite3_memory_used() during
**   SELECT migrate(), next to the same scripts run through sqlite3_exec()
**   in one transaction.  Needs an SQLite with memory statistics on (the
**   system libsqlite3 has SQLITE_DEFAULT_MEMSTATUS=1).
**   Linked with libmigrate.a (static, -DSQLITE_CORE) and the system SQLite;
**   the extension is registered with sqlite3_auto_extension().
*/
#include "sqlite3.h"
#include "migrate.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>

/* Monotonic time in milliseconds, as a double. */
static double nowMs(void){
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec*1000.0 + (double)t.tv_nsec/1.0e6;
}

/* Prints zMsg and exits: the bench cannot go on after a failed step. */
static void die(const char *zWhat, const char *zMsg){
  fprintf(stderr, "bench-driver: %s: %s\n", zWhat, zMsg ? zMsg : "?");
  exit(1);
}

/* The workload: N migrations, names and scripts owned by the struct. */
typedef struct Workload Workload;
struct Workload {
  int n;
  migrate_script *a;
};

/*
** Fills *p with the workload of n migrations (malloc'ed; freed by
** workloadFree).
*/
static void workloadMake(Workload *p, int n){
  int i, j;
  p->n = n;
  p->a = calloc((size_t)n, sizeof(migrate_script));
  if( p->a==0 ) die("workload", "out of memory");
  for(i=0; i<n; i++){
    int k = i+1;
    sqlite3_str *s = sqlite3_str_new(0);
    sqlite3_str_appendf(s,
        "CREATE TABLE t_%d(id INTEGER PRIMARY KEY, a TEXT, b INTEGER);\n"
        "INSERT INTO t_%d(a, b) VALUES", k, k);
    for(j=1; j<=10; j++){
      sqlite3_str_appendf(s, "%s('row %d', %d)", j>1 ? ", " : " ", j, j);
    }
    sqlite3_str_appendf(s, ";\nCREATE INDEX t_%d_b ON t_%d(b);\n", k, k);
    p->a[i].zUp = sqlite3_str_finish(s);
    p->a[i].zName = sqlite3_mprintf("%05d_t%d", k, k);
    p->a[i].zDown = sqlite3_mprintf("DROP TABLE t_%d;\n", k);
  }
}

static void workloadFree(Workload *p){
  int i;
  for(i=0; i<p->n; i++){
    sqlite3_free((char*)p->a[i].zName);
    sqlite3_free((char*)p->a[i].zUp);
    sqlite3_free((char*)p->a[i].zDown);
  }
  free(p->a);
}

/*
** Returns the whole workload as one script (sqlite3_malloc'ed): the up
** scripts in order (bDown==0) or the down scripts newest first, wrapped in
** one transaction (bEach==0) or one transaction per migration.
*/
static char *workloadScript(const Workload *p, int bDown, int bEach){
  sqlite3_str *s = sqlite3_str_new(0);
  int i;
  if( !bEach ) sqlite3_str_appendall(s, "BEGIN;\n");
  for(i=0; i<p->n; i++){
    const migrate_script *m = &p->a[bDown ? p->n-1-i : i];
    if( bEach ) sqlite3_str_appendall(s, "BEGIN;\n");
    sqlite3_str_appendall(s, bDown ? m->zDown : m->zUp);
    if( bEach ) sqlite3_str_appendall(s, "COMMIT;\n");
  }
  if( !bEach ) sqlite3_str_appendall(s, "COMMIT;\n");
  return sqlite3_str_finish(s);
}

/* Deletes zPath and its journal. */
static void removeDb(const char *zPath){
  char *z = sqlite3_mprintf("%s-journal", zPath);
  unlink(zPath);
  unlink(z);
  sqlite3_free(z);
}

/* Opens a fresh (deleted first) or existing database zDir/zFile. */
static sqlite3 *openDb(const char *zDir, const char *zFile, int bFresh){
  sqlite3 *db = 0;
  char *zPath = sqlite3_mprintf("%s/%s", zDir, zFile);
  if( bFresh ) removeDb(zPath);
  if( sqlite3_open(zPath, &db)!=SQLITE_OK ) die(zPath, sqlite3_errmsg(db));
  sqlite3_free(zPath);
  return db;
}

/* Runs zSql (one or more statements); exits on error. */
static void execOrDie(sqlite3 *db, const char *zSql){
  char *zErr = 0;
  if( sqlite3_exec(db, zSql, 0, 0, &zErr)!=SQLITE_OK ) die(zSql, zErr);
}

/* Times one sqlite3_exec(zSql) in milliseconds. */
static double timeExec(sqlite3 *db, const char *zSql){
  double t0 = nowMs();
  execOrDie(db, zSql);
  return nowMs() - t0;
}

/* Defines the workload (untimed) and commits it. */
static void defineAll(sqlite3 *db, const Workload *w){
  char *zErr = 0;
  if( migrate_define(db, w->a, w->n, &zErr)!=SQLITE_OK ){
    die("migrate_define", zErr);
  }
}

/*
** Repetitions stop early, after at least one, once a mode has run for
** BENCH_BUDGET_MS milliseconds (environment; default 60000): the O(N)
** per-call costs at N = 10000 would otherwise take minutes.
*/
static int overBudget(double tStart){
  const char *z = getenv("BENCH_BUDGET_MS");
  double b = z ? atof(z) : 60000.0;
  return nowMs()-tStart > b;
}

/* Prints "RESULT tool op n t0 t1 ..." */
static void report(const char *zTool, const char *zOp, int n,
                   const double *a, int nA){
  int i;
  printf("RESULT %s %s %d", zTool, zOp, n);
  for(i=0; i<nA; i++) printf(" %.4f", a[i]);
  printf("\n");
  fflush(stdout);
}

/* bench-driver apply N REPS DIR */
static void benchApply(int n, int nRep, const char *zDir, int bEach){
  Workload w;
  char *zUp1, *zDown1, *zUpE, *zDownE;
  double *aT = calloc((size_t)nRep*8, sizeof(double));
  double tStart;
  int r, nDone = nRep;
  workloadMake(&w, n);
  zUp1 = workloadScript(&w, 0, 0);
  zDown1 = workloadScript(&w, 1, 0);
  zUpE = workloadScript(&w, 0, 1);
  zDownE = workloadScript(&w, 1, 1);
  tStart = nowMs();
  for(r=0; r<nRep; r++){
    sqlite3 *db = openDb(zDir, "limit.db", 1);
    aT[0*nRep+r] = timeExec(db, zUp1);
    aT[1*nRep+r] = timeExec(db, zDown1);
    sqlite3_close(db);

    if( bEach ){
      db = openDb(zDir, "each.db", 1);
      aT[2*nRep+r] = timeExec(db, zUpE);
      aT[3*nRep+r] = timeExec(db, zDownE);
      sqlite3_close(db);
    }

    db = openDb(zDir, "migrate.db", 1);
    defineAll(db, &w);
    aT[4*nRep+r] = timeExec(db, "SELECT migrate()");
    aT[5*nRep+r] = timeExec(db, "SELECT migrate()");
    aT[6*nRep+r] = timeExec(db, "SELECT migrate_reset()");
    sqlite3_close(db);
    if( overBudget(tStart) ){ nDone = r+1; break; }
  }
  report("inproc-limit", "apply", n, aT+0*nRep, nDone);
  report("inproc-limit", "down", n, aT+1*nRep, nDone);
  if( bEach ){
    report("inproc-limit-each", "apply", n, aT+2*nRep, nDone);
    report("inproc-limit-each", "down", n, aT+3*nRep, nDone);
  }
  report("inproc-migrate", "apply", n, aT+4*nRep, nDone);
  report("inproc-migrate", "noop", n, aT+5*nRep, nDone);
  report("inproc-migrate", "down", n, aT+6*nRep, nDone);
  sqlite3_free(zUp1); sqlite3_free(zDown1);
  sqlite3_free(zUpE); sqlite3_free(zDownE);
  workloadFree(&w);
  free(aT);
}

/* Prepares, steps to the end and finalizes zSql: one application call. */
static void callOnce(sqlite3 *db, const char *zSql){
  sqlite3_stmt *pStmt = 0;
  int rc = sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0);
  if( rc!=SQLITE_OK ) die(zSql, sqlite3_errmsg(db));
  while( (rc = sqlite3_step(pStmt))==SQLITE_ROW ){}
  if( rc!=SQLITE_DONE ) die(zSql, sqlite3_errmsg(db));
  sqlite3_finalize(pStmt);
}

/* The anti-join that proves nothing is pending. */
static const char zAntiJoin[] =
  "SELECT 1 FROM main.migrations_scripts AS s"
  " WHERE NOT EXISTS(SELECT 1 FROM main.migrations_ledger AS l"
  "                   WHERE l.name=s.name AND l.checksum=s.checksum)"
  " LIMIT 1";

/* bench-driver noop N REPS DIR: per-call times, in milliseconds. */
static void benchNoop(int n, int nRep, const char *zDir){
  Workload w;
  sqlite3 *db;
  double *aT = calloc((size_t)nRep*4, sizeof(double));
  char zSum[17];
  double tStart;
  int nDone = nRep;
  int nCall = n>=10000 ? 20 : n>=1000 ? 100 : 1000;
  int nBoot = n>=10000 ? 3 : n>=1000 ? 10 : 100;
  int r, i;
  char *zErr = 0;
  workloadMake(&w, n);
  db = openDb(zDir, "noop.db", 1);
  defineAll(db, &w);
  execOrDie(db, "SELECT migrate()");
  callOnce(db, "SELECT migrate()");  /* warm the page cache for all four */
  callOnce(db, zAntiJoin);
  /* the array's checksum, computed at build time by embed in firmware;
  ** the first migrate_boot_v2() compares in full and records it */
  migrate_array_checksum(w.a, w.n, zSum);
  if( migrate_boot_v2(db, w.a, w.n, zSum, 0, &zErr)!=SQLITE_OK ){
    die("migrate_boot_v2", zErr);
  }
  tStart = nowMs();
  for(r=0; r<nRep; r++){
    double t0 = nowMs();
    for(i=0; i<nCall; i++) callOnce(db, "SELECT migrate()");
    aT[0*nRep+r] = (nowMs()-t0)/nCall;
    t0 = nowMs();
    for(i=0; i<nCall; i++) callOnce(db, zAntiJoin);
    aT[1*nRep+r] = (nowMs()-t0)/nCall;
    t0 = nowMs();
    for(i=0; i<nBoot; i++){
      int nApplied = -1;
      if( migrate_boot(db, w.a, w.n, &nApplied, &zErr)!=SQLITE_OK ){
        die("migrate_boot", zErr);
      }
      if( nApplied!=0 ) die("migrate_boot", "applied something on a no-op");
    }
    aT[2*nRep+r] = (nowMs()-t0)/nBoot;
    t0 = nowMs();
    for(i=0; i<nCall; i++){
      int nApplied = -1;
      if( migrate_boot_v2(db, w.a, w.n, zSum, &nApplied, &zErr)!=SQLITE_OK ){
        die("migrate_boot_v2", zErr);
      }
      if( nApplied!=0 ) die("migrate_boot_v2", "applied something on a no-op");
    }
    aT[3*nRep+r] = (nowMs()-t0)/nCall;
    if( overBudget(tStart) ){ nDone = r+1; break; }
  }
  sqlite3_close(db);
  report("inproc-migrate", "noop-call", n, aT+0*nRep, nDone);
  report("inproc-antijoin", "noop-call", n, aT+1*nRep, nDone);
  report("inproc-boot", "noop-call", n, aT+2*nRep, nDone);
  report("inproc-bootv2", "noop-call", n, aT+3*nRep, nDone);
  workloadFree(&w);
  free(aT);
}

/* bench-driver mem DIR */
static void benchMem(const char *zDir, int nScript){
  const int nRow = 1000;
  migrate_script *a = calloc((size_t)nScript, sizeof(migrate_script));
  char *zLit = malloc(1001);
  sqlite3_str *pAll;
  char *zAll;
  sqlite3 *db;
  sqlite3_int64 nBase, nPeak, nLargest = 0;
  int i, j;
  memset(zLit, 'x', 1000);
  zLit[1000] = 0;
  for(i=0; i<nScript; i++){
    sqlite3_str *s = sqlite3_str_new(0);
    sqlite3_str_appendf(s, "CREATE TABLE m_%d(k INTEGER PRIMARY KEY, v TEXT);\n",
                        i+1);
    for(j=0; j<nRow; j++){
      sqlite3_str_appendf(s, "INSERT INTO m_%d(v) VALUES('%s');\n", i+1, zLit);
    }
    if( sqlite3_str_length(s)>nLargest ) nLargest = sqlite3_str_length(s);
    a[i].zUp = sqlite3_str_finish(s);
    a[i].zName = sqlite3_mprintf("%05d_m%d", i+1, i+1);
    a[i].zDown = sqlite3_mprintf("DROP TABLE m_%d;", i+1);
  }
  /* One transaction of the same scripts, for comparison (text built
  ** before the baseline, so it is not counted, as the scripts of the
  ** migrate() run live in the database and not in the heap). */
  pAll = sqlite3_str_new(0);
  sqlite3_str_appendall(pAll, "BEGIN;\n");
  for(i=0; i<nScript; i++) sqlite3_str_appendall(pAll, a[i].zUp);
  sqlite3_str_appendall(pAll, "COMMIT;\n");
  zAll = sqlite3_str_finish(pAll);

  db = openDb(zDir, "mem.db", 1);
  {
    char *zErr = 0;
    if( migrate_define(db, a, nScript, &zErr)!=SQLITE_OK ){
      die("migrate_define", zErr);
    }
  }
  sqlite3_close(db);
  for(i=0; i<nScript; i++){
    sqlite3_free((char*)a[i].zName);
    sqlite3_free((char*)a[i].zUp);
    sqlite3_free((char*)a[i].zDown);
  }
  free(a);

  /* Default page cache, then a 64 KiB one so that what remains is the
  ** caller's own memory (script text, parse, records). */
  for(i=0; i<2; i++){
    const char *zCache = i ? "PRAGMA cache_size=-64" : "SELECT 1";
    const char *zSfx = i ? "-cache64k" : "";
    db = openDb(zDir, "mem.db", 0);
    execOrDie(db, zCache);
    execOrDie(db, "SELECT count(*) FROM sqlite_schema");
    nBase = sqlite3_memory_used();
    sqlite3_memory_highwater(1);
    execOrDie(db, "SELECT migrate()");
    nPeak = sqlite3_memory_highwater(0);
    printf("MEM migrate-peak-above-baseline%s %lld\n", zSfx,
           (long long)(nPeak-nBase));
    execOrDie(db, "SELECT migrate_reset()");
    sqlite3_close(db);

    db = openDb(zDir, "mem-limit.db", 1);
    execOrDie(db, zCache);
    execOrDie(db, "SELECT count(*) FROM sqlite_schema");
    nBase = sqlite3_memory_used();
    sqlite3_memory_highwater(1);
    execOrDie(db, zAll);
    nPeak = sqlite3_memory_highwater(0);
    printf("MEM limit-peak-above-baseline%s %lld\n", zSfx,
           (long long)(nPeak-nBase));
    sqlite3_close(db);
  }
  printf("MEM largest-script %lld\n", (long long)nLargest);
  {
    int nCur = 0, nHi = 0;
    sqlite3_status(SQLITE_STATUS_MEMORY_USED, &nCur, &nHi, 0);
    printf("MEM memstatus %d\n", nHi>0);
  }
  sqlite3_free(zAll);
  free(zLit);
}

/* bench-driver one N DIR migrate|limit|reset|limitdown: one migrate() of
** N migrations (defined first), or the same SQL in one sqlite3_exec(), for
** callgrind: --toggle-collect=migrateExec or --toggle-collect=sqlite3_exec
** counts just that call.  reset / limitdown: migrate_reset() after a
** migrate(), or the down scripts in one exec after the up scripts; count
** them with --toggle-collect=oneCall.  noop: one SELECT migrate() with
** nothing to do (oneCall); boot / bootv2: one migrate_boot() /
** migrate_boot_v2() with nothing to do (--toggle-collect=oneBoot). */
static void __attribute__((noinline)) oneCall(sqlite3 *db, const char *zSql){
  execOrDie(db, zSql);
}
static void __attribute__((noinline)) oneBoot(sqlite3 *db, const Workload *w,
                                              const char *zSum){
  char *zErr = 0;
  int rc = zSum ? migrate_boot_v2(db, w->a, w->n, zSum, 0, &zErr)
                : migrate_boot(db, w->a, w->n, 0, &zErr);
  if( rc!=SQLITE_OK ) die("boot", zErr);
}
static void benchOne(int n, const char *zDir, const char *zWhat){
  Workload w;
  sqlite3 *db;
  workloadMake(&w, n);
  if( strcmp(zWhat, "reset")==0 || strcmp(zWhat, "limitdown")==0 ){
    /* set-up untimed; --toggle-collect=oneCall counts the roll-back only */
    int bReset = zWhat[0]=='r';
    char *zUp = workloadScript(&w, 0, 0);
    char *zDown = workloadScript(&w, 1, 0);
    db = openDb(zDir, "one.db", 1);
    if( bReset ){
      defineAll(db, &w);
      execOrDie(db, "SELECT migrate()");
      oneCall(db, "SELECT migrate_reset()");
    }else{
      execOrDie(db, zUp);
      oneCall(db, zDown);
    }
    sqlite3_free(zUp);
    sqlite3_free(zDown);
  }else if( strcmp(zWhat, "noop")==0 || strcmp(zWhat, "boot")==0
         || strcmp(zWhat, "bootv2")==0 ){
    /* a migrated database, warmed; then one no-op call, counted alone */
    char zSum[17];
    char *zErr = 0;
    db = openDb(zDir, "one.db", 1);
    migrate_array_checksum(w.a, w.n, zSum);
    if( migrate_boot_v2(db, w.a, w.n, zSum, 0, &zErr)!=SQLITE_OK ){
      die("migrate_boot_v2", zErr);
    }
    callOnce(db, "SELECT migrate()");
    if( zWhat[0]=='n' ){
      oneCall(db, "SELECT migrate()");
    }else{
      oneBoot(db, &w, zWhat[4] ? zSum : 0);
    }
  }else if( strcmp(zWhat, "migrate")==0 ){
    db = openDb(zDir, "one.db", 1);
    defineAll(db, &w);
    callOnce(db, "SELECT migrate()");
  }else{
    char *z = workloadScript(&w, 0, 0);
    db = openDb(zDir, "one-limit.db", 1);
    execOrDie(db, z);
    sqlite3_free(z);
  }
  sqlite3_close(db);
  workloadFree(&w);
}

/* User + system time of the waited-for children so far, in ms. */
static double childCpuMs(void){
  struct rusage ru;
  getrusage(RUSAGE_CHILDREN, &ru);
  return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec)*1000.0
       + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec)/1000.0;
}

/*
** bench-driver run STDIN LOG CMD ARGS...: runs CMD as a whole process
** (stdin from file STDIN, or none for "-"; stdout and stderr to LOG) and
** prints "RUN <wall ms> <cpu ms> <exit code>": wall time around fork and
** wait, CPU time (user + system, of CMD and every process it waited for)
** from getrusage(RUSAGE_CHILDREN).  Used by bench.tcl for every
** whole-process time, so that each has its CPU time beside it.
*/
static int benchRun(const char *zIn, const char *zLog, char **azCmd){
  double t0, c0, t1, c1;
  int status = 0;
  pid_t pid;
  fflush(stdout);
  c0 = childCpuMs();
  t0 = nowMs();
  pid = fork();
  if( pid==0 ){
    int fdIn = strcmp(zIn, "-")==0 ? open("/dev/null", O_RDONLY)
                                   : open(zIn, O_RDONLY);
    int fdLog = open(zLog, O_WRONLY|O_CREAT|O_TRUNC, 0644);
    if( fdIn<0 || fdLog<0 ){ perror("bench-driver run"); _exit(126); }
    dup2(fdIn, 0);
    dup2(fdLog, 1);
    dup2(fdLog, 2);
    close(fdIn);
    close(fdLog);
    execvp(azCmd[0], azCmd);
    perror(azCmd[0]);
    _exit(127);
  }
  if( pid<0 ) die("fork", "failed");
  while( waitpid(pid, &status, 0)<0 ){}
  t1 = nowMs();
  c1 = childCpuMs();
  printf("RUN %.3f %.3f %d\n", t1-t0, c1-c0,
         WIFEXITED(status) ? WEXITSTATUS(status) : 128+WTERMSIG(status));
  return 0;
}

int main(int argc, char **argv){
  if( argc>=5 && strcmp(argv[1], "run")==0 ){
    return benchRun(argv[2], argv[3], argv+4);
  }
  if( sqlite3_auto_extension((void(*)(void))sqlite3_migrate_init)!=SQLITE_OK ){
    die("sqlite3_auto_extension", "failed");
  }
  if( (argc==5 || argc==6) && strcmp(argv[1], "apply")==0 ){
    benchApply(atoi(argv[2]), atoi(argv[3]), argv[4],
               argc==5 || strcmp(argv[5], "noeach")!=0);
  }else if( argc==5 && strcmp(argv[1], "noop")==0 ){
    benchNoop(atoi(argv[2]), atoi(argv[3]), argv[4]);
  }else if( (argc==3 || argc==4) && strcmp(argv[1], "mem")==0 ){
    benchMem(argv[2], argc==4 ? atoi(argv[3]) : 100);
  }else if( argc==5 && strcmp(argv[1], "one")==0 ){
    benchOne(atoi(argv[2]), argv[3], argv[4]);
  }else{
    fprintf(stderr, "usage: %s apply|noop N REPS DIR [noeach] | mem DIR [COUNT] | "
            "one N DIR migrate|limit|reset|limitdown|noop|boot|bootv2\n",
            argv[0]);
    return 2;
  }
  return 0;
}

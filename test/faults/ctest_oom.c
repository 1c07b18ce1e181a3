/*
** ctest_oom.c — out of memory at every single allocation of a call, with
** the system SQLite: the regression test of `make test` for what
** `make check-faults` (SQLite's own testfixture) finds.
**
** USAGE
**   ctest_oom [-quick] [-j N] [CASE]
**                        runs every case (or the one named) in both kinds,
**                        transient and persistent, or with -quick the
**                        subset `make test` runs (about a third); -j N
**                        splits the runs over N processes.  Prints
**                        "ctest_oom: CASE KIND tried T failed F" per run,
**                        each failure with its allocation number, and a
**                        summary; exit 0 only when nothing failed.
**                        `make check-faults` runs it whole (part "oomc").
**
** HOW IT WORKS
**   sqlite3_config(SQLITE_CONFIG_MALLOC) puts a counter in front of the
**   default allocator (lookaside off, so every allocation goes through
**   it).  For each case a starting database is built once and kept as an
**   image (sqlite3_serialize).  Then for N = 1, 2, ... : a fresh in-memory
**   connection gets the image (sqlite3_deserialize), allocation number N
**   of the call fails (transient: that one only; persistent: that one and
**   every later one), the call runs, the allocator is healed, and:
**     - the call succeeded with the result of a clean run, or failed with
**       SQLITE_NOMEM ("out of memory");
**     - the connection is in autocommit mode, or still inside the user's
**       own transaction with the user's own row in it;
**     - PRAGMA integrity_check says ok;
**     - the database is exactly the "before" or the "after" picture of a
**       clean run (schema and rows of every table, ledger included);
**     - after close, sqlite3_memory_used() is back where it was.
**   N stops growing when the call runs without reaching allocation N.
**
**   The scripts hold the statements that expire every prepared statement
**   of the connection (CREATE INDEX, CREATE TEMP TABLE, ANALYZE, DROP of
**   TEMP views and triggers): an out-of-memory error right after one of
**   them used to leave the call's transaction open inside SELECT
**   migrate() (see ext/undo.c).  Case temp-table is the one window left,
**   DROP TABLE of a TEMP table: there the call may return SQLITE_NOMEM
**   inside its transaction; the case checks that it is only that, and that
**   a ROLLBACK restores the database, and prints how often (a NOTE line).
*/
#include "sqlite3.h"
#include "migrate.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- the failing allocator ------------------------------------------- */
static sqlite3_mem_methods memReal;
static int iFailAt = 0;       /* allocation number that fails; 0: none */
static int bPersist = 0;      /* every allocation from iFailAt on fails */
static int nAlloc = 0;        /* allocations since armed */
static int nHit = 0;          /* allocations failed since armed */

static int memShouldFail(void){
  if( iFailAt==0 ) return 0;
  nAlloc++;
  if( nAlloc==iFailAt || (bPersist && nAlloc>iFailAt) ){
    nHit++;
    return 1;
  }
  return 0;
}
static void *memMalloc(int n){
  return memShouldFail() ? 0 : memReal.xMalloc(n);
}
static void *memRealloc(void *p, int n){
  return memShouldFail() ? 0 : memReal.xRealloc(p, n);
}
static void memArm(int iAt, int bP){ iFailAt = iAt; bPersist = bP; nAlloc = nHit = 0; }
static void memHeal(void){ iFailAt = 0; }

/* ---- helpers ----------------------------------------------------------- */
static int nPass = 0, nFail = 0;

/* Rows of zSql as "a|b;c|d" (sqlite3_malloc'ed), or NULL on error. */
static char *rows(sqlite3 *db, const char *zSql){
  sqlite3_str *pOut = sqlite3_str_new(db);
  sqlite3_stmt *pStmt = 0;
  int rc = sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0);
  int nRow = 0, i;
  while( rc==SQLITE_OK && sqlite3_step(pStmt)==SQLITE_ROW ){
    if( nRow++ ) sqlite3_str_appendchar(pOut, 1, ';');
    for(i=0; i<sqlite3_column_count(pStmt); i++){
      const char *z = (const char*)sqlite3_column_text(pStmt, i);
      if( i ) sqlite3_str_appendchar(pOut, 1, '|');
      sqlite3_str_appendall(pOut, z ? z : "NULL");
    }
  }
  rc = sqlite3_finalize(pStmt);
  if( rc!=SQLITE_OK ){
    sqlite3_free(sqlite3_str_finish(pOut));
    return 0;
  }
  return sqlite3_str_finish(pOut);
}

/* The picture of the main database: every object, every row of every
** table (of migrations_history: the successful runs, without times). */
static char *picture(sqlite3 *db){
  sqlite3_str *pOut = sqlite3_str_new(db);
  char *zTabs = rows(db, "SELECT name FROM main.sqlite_schema"
                         " WHERE type='table' ORDER BY name");
  char *zSchema = rows(db, "SELECT type, name, sql FROM main.sqlite_schema"
                           " ORDER BY name");
  char *z, *zNext;
  sqlite3_str_appendf(pOut, "schema{%s}", zSchema ? zSchema : "ERROR");
  for(z=zTabs; z && *z; z=zNext){
    char *zSql, *zRows;
    zNext = strchr(z, ';');
    if( zNext ) *zNext++ = 0; else zNext = z + strlen(z);
    if( strcmp(z, "migrations_history")==0 ){
      /* a failed call writes its failure: only successful runs count */
      zSql = sqlite3_mprintf("SELECT name, direction, batch"
                             " FROM main.migrations_history WHERE ok"
                             " ORDER BY id");
    }else if( strcmp(z, "migrations_ledger")==0 ){
      zSql = sqlite3_mprintf("SELECT name, batch, checksum"
                             " FROM main.migrations_ledger ORDER BY name");
    }else{
      zSql = sqlite3_mprintf("SELECT * FROM main.\"%w\" ORDER BY 1,2", z);
    }
    zRows = zSql ? rows(db, zSql) : 0;
    sqlite3_str_appendf(pOut, " %s{%s}", z, zRows ? zRows : "ERROR");
    sqlite3_free(zRows);
    sqlite3_free(zSql);
  }
  sqlite3_free(zTabs);
  sqlite3_free(zSchema);
  return sqlite3_str_finish(pOut);
}

static void must(sqlite3 *db, const char *zSql){
  char *zErr = 0;
  if( sqlite3_exec(db, zSql, 0, 0, &zErr)!=SQLITE_OK ){
    fprintf(stderr, "ctest_oom: setup failed: %s\n  in: %s\n", zErr, zSql);
    exit(2);
  }
}

static sqlite3 *openImage(const unsigned char *aImg, sqlite3_int64 nImg){
  sqlite3 *db = 0;
  unsigned char *aCopy;
  if( sqlite3_open(":memory:", &db)!=SQLITE_OK ) exit(2);
  aCopy = sqlite3_malloc64(nImg);
  if( aCopy==0 ) exit(2);
  memcpy(aCopy, aImg, nImg);
  if( sqlite3_deserialize(db, "main", aCopy, nImg, nImg,
         SQLITE_DESERIALIZE_FREEONCLOSE|SQLITE_DESERIALIZE_RESIZEABLE)
      !=SQLITE_OK ) exit(2);
  return db;
}

/* ---- the cases --------------------------------------------------------- */
static const char *azMig[] = {
  "001_users",
  "CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT NOT NULL);"
  "INSERT INTO users(name) VALUES('ann'),('bob'),('cy');",
  "DROP TABLE users;",

  "002_posts",
  "CREATE TABLE posts(id INTEGER PRIMARY KEY, u INTEGER REFERENCES users(id),"
  "                   body TEXT);"
  "CREATE INDEX posts_u ON posts(u);"
  "INSERT INTO posts(u, body) SELECT id, 'hello ' || name FROM users;",
  "DROP TABLE posts;",

  "003_scratch",
  "CREATE TEMP TABLE scratch AS SELECT id, upper(name) AS n FROM users;"
  "UPDATE users SET name = (SELECT n FROM scratch WHERE scratch.id=users.id);"
  "ANALYZE;",
  "UPDATE users SET name = lower(name);",

  "004_email",
  "ALTER TABLE users ADD COLUMN email TEXT;"
  "UPDATE users SET email = lower(name) || '@example.org';"
  "DROP INDEX posts_u;"
  "CREATE UNIQUE INDEX users_email ON users(email);"
  "CREATE VIEW user_posts AS SELECT users.name, body FROM users JOIN posts"
  "  ON posts.u=users.id;",
  "DROP VIEW user_posts; DROP INDEX users_email;"
  "CREATE INDEX posts_u ON posts(u); ALTER TABLE users DROP COLUMN email;",
  0
};

/* TEMP objects: views and triggers are dropped inside the host too. */
static const char *azMigTemp[] = {
  "001_base",
  "CREATE TABLE base(x); INSERT INTO base VALUES(1),(2);",
  "DROP TABLE base;",

  "002_temp_view",
  "CREATE TEMP VIEW tv AS SELECT x FROM base;"
  "CREATE TEMP TRIGGER tt AFTER INSERT ON base BEGIN SELECT 1; END;"
  "INSERT INTO base SELECT x+10 FROM tv;"
  "DROP VIEW temp.tv; DROP TRIGGER temp.tt;"
  "CREATE TABLE after_view(x);",
  "DROP TABLE after_view; DELETE FROM base WHERE x>10;",
  0
};

/* The one remaining window (ext/undo.c): DROP TABLE of a TEMP table. */
static const char *azMigTempTable[] = {
  "001_base",
  "CREATE TABLE base(x); INSERT INTO base VALUES(1),(2);",
  "DROP TABLE base;",

  "002_temp_table",
  "CREATE TEMP TABLE s AS SELECT x FROM base;"
  "DROP TABLE temp.s;"
  "CREATE TABLE after_drop(x);",
  "DROP TABLE after_drop;",
  0
};

/* A case: how to make the starting database, and the call. */
typedef struct Case Case;
struct Case {
  const char *zName;
  int bApplied;       /* start with every migration applied */
  int bTxn;           /* the call runs inside the user's transaction */
  int bCApi;          /* 1: the call is migrate_run(zCall), not SQL;
                      ** 2: migrate_boot() of the scripts (none defined) */
  int bHooks;         /* hooks that expire statements too */
  const char *zCall;  /* SQL, or the migrate_run() function name */
  int bQuick[2];      /* -quick runs this case's transient/persistent kind */
  const char **azSet; /* the migrations (default azMig) */
  int bKnown;         /* the known window: may leave the transaction open */
};
static const Case aCase[] = {
  { "migrate",        0, 0, 0, 0, "SELECT migrate()",         {1, 1}, 0, 0 },
  { "migrate-txn",    0, 1, 0, 0, "SELECT migrate()",         {1, 0}, 0, 0 },
  { "migrate-hooks",  0, 0, 0, 1, "SELECT migrate()",         {1, 0}, 0, 0 },
  { "rollback",       1, 0, 0, 0, "SELECT rollback()",        {1, 0}, 0, 0 },
  { "rollback-txn",   1, 1, 0, 0, "SELECT rollback()",        {1, 0}, 0, 0 },
  { "refresh",        1, 0, 0, 0, "SELECT migrate_refresh()", {0, 0}, 0, 0 },
  { "dry-run",        0, 0, 0, 0, "SELECT migrate_dry_run()", {1, 0}, 0, 0 },
  { "c-api-migrate",  0, 0, 1, 0, "migrate",                  {1, 1}, 0, 0 },
  { "c-api-rollback", 1, 0, 1, 0, "rollback",                 {1, 0}, 0, 0 },
  { "rollback-to",    1, 0, 0, 0, "SELECT rollback_to('001_users')",
                                                              {0, 0}, 0, 0 },
  { "reset",          1, 0, 0, 0, "SELECT migrate_reset()",   {0, 0}, 0, 0 },
  { "c-api-boot",     0, 0, 2, 0, "migrate_boot",             {0, 0}, 0, 0 },
  { "temp-view",      0, 0, 0, 0, "SELECT migrate()",         {1, 0},
    azMigTemp, 0 },
  { "temp-table",     0, 0, 0, 0, "SELECT migrate()",         {1, 0},
    azMigTempTable, 1 },
};

/* Runs the call of pCase on db; returns rc, sets *piRes to its result
** (-1 if none).  Allocates nothing of its own. */
static int runCall(sqlite3 *db, const Case *pCase, sqlite3_int64 *piRes){
  int rc;
  *piRes = -1;
  if( pCase->bCApi==2 ){
    migrate_script a[8];
    const char **az = pCase->azSet ? pCase->azSet : azMig;
    char *zErr = 0;
    int i, n = 0;
    for(i=0; az[i] && n<8; i+=3, n++){
      a[n].zName = az[i];
      a[n].zUp = az[i+1];
      a[n].zDown = az[i+2];
    }
    rc = migrate_boot(db, a, n, &i, &zErr);
    *piRes = i;
    sqlite3_free(zErr);
  }else if( pCase->bCApi ){
    char *zErr = 0;
    rc = migrate_run(db, pCase->zCall, 0, 0, 0, piRes, &zErr);
    sqlite3_free(zErr);
  }else{
    sqlite3_stmt *pStmt = 0;
    rc = sqlite3_prepare_v2(db, pCase->zCall, -1, &pStmt, 0);
    if( rc==SQLITE_OK && sqlite3_step(pStmt)==SQLITE_ROW ){
      *piRes = sqlite3_column_int64(pStmt, 0);
    }
    if( rc==SQLITE_OK ) rc = sqlite3_finalize(pStmt);
  }
  return rc;
}

/* Builds the starting database of pCase; returns its image. */
static unsigned char *makeImage(const Case *pCase, sqlite3_int64 *pnImg){
  sqlite3 *db = 0;
  unsigned char *a;
  int i;
  const char **az = pCase->azSet ? pCase->azSet : azMig;
  if( sqlite3_open(":memory:", &db)!=SQLITE_OK ) exit(2);
  must(db, "CREATE TABLE note(x)");
  for(i=0; pCase->bCApi!=2 && az[i]; i+=3){
    char *z = sqlite3_mprintf("INSERT INTO migrations(name, up, down)"
                              " VALUES(%Q, %Q, %Q)", az[i], az[i+1], az[i+2]);
    must(db, z);
    sqlite3_free(z);
  }
  if( pCase->bHooks ){
    must(db, "INSERT INTO migration_hooks(event, script) VALUES"
             "('after_each', 'CREATE INDEX IF NOT EXISTS note_x ON note(x);'),"
             "('after_migrate', 'ANALYZE note;')");
  }
  if( pCase->bApplied ) must(db, "SELECT migrate()");
  a = sqlite3_serialize(db, "main", pnImg, 0);
  sqlite3_close(db);
  if( a==0 ) exit(2);
  return a;
}

/* Opens a trial connection: the image, and the user's transaction. */
static sqlite3 *openTrial(const Case *pCase, const unsigned char *aImg,
                          sqlite3_int64 nImg){
  sqlite3 *db = openImage(aImg, nImg);
  if( pCase->bTxn ) must(db, "BEGIN; INSERT INTO note VALUES('mine');");
  return db;
}

/* Runs every fault point of pCase in one kind; returns the failures. */
static int runCase(const Case *pCase, int bP){
  const char *zKind = bP ? "persistent" : "transient";
  sqlite3_int64 nImg = 0;
  unsigned char *aImg = makeImage(pCase, &nImg);
  char *zBefore, *zAfter;
  sqlite3_int64 iOk = 0;
  sqlite3 *db;
  int rc, iAt, nTried = 0, nBad = 0, nKnown = 0;

  /* the clean run: the before and after pictures and the result */
  db = openTrial(pCase, aImg, nImg);
  zBefore = picture(db);
  rc = runCall(db, pCase, &iOk);
  if( rc!=SQLITE_OK ){
    printf("FAIL %s: the clean run failed (%d)\n", pCase->zName, rc);
    exit(2);
  }
  if( pCase->bTxn ) must(db, "COMMIT");
  zAfter = picture(db);
  sqlite3_close(db);

  for(iAt=1; ; iAt++){
    sqlite3_int64 nMem0 = sqlite3_memory_used();
    sqlite3_int64 iRes = 0;
    char *zNow, *zIc;
    const char *zWhy = 0;
    int bReached;
    db = openTrial(pCase, aImg, nImg);
    memArm(iAt, bP);
    rc = runCall(db, pCase, &iRes);
    bReached = nHit>0;
    memHeal();
    nTried++;
    if( rc==SQLITE_OK ){
      if( iRes!=iOk ) zWhy = "succeeded, wrong result";
    }else if( rc!=SQLITE_NOMEM ){
      zWhy = "failed with an error other than out of memory";
    }
    if( !sqlite3_get_autocommit(db) ){
      if( !pCase->bTxn ){
        if( pCase->bKnown && rc==SQLITE_NOMEM ){
          nKnown++;   /* documented: the ROLLBACK below must restore it */
        }else if( !zWhy ){
          zWhy = "connection left inside a transaction";
        }
        sqlite3_exec(db, "ROLLBACK", 0, 0, 0);
      }else{
        char *zMine = rows(db, "SELECT count(*) FROM note WHERE x='mine'");
        if( !zWhy && (zMine==0 || strcmp(zMine, "1")!=0) ){
          zWhy = "the user's own row was lost inside the transaction";
        }
        sqlite3_free(zMine);
        sqlite3_exec(db, "COMMIT", 0, 0, 0);
      }
    }
    zIc = rows(db, "PRAGMA integrity_check");
    if( !zWhy && (zIc==0 || strcmp(zIc, "ok")!=0) ) zWhy = "integrity_check";
    zNow = picture(db);
    if( !zWhy ){
      int bBefore = strcmp(zNow, zBefore)==0;
      int bAfter = strcmp(zNow, zAfter)==0;
      if( !bBefore && !bAfter && !pCase->bTxn ) zWhy = "half-done";
      if( pCase->bTxn && !bAfter && !bBefore ){
        /* SQLite rolled the user's transaction back: the image as it was */
        sqlite3 *db0 = openImage(aImg, nImg);
        char *z0 = picture(db0);
        if( strcmp(zNow, z0)!=0 ) zWhy = "half-done";
        sqlite3_free(z0);
        sqlite3_close(db0);
      }
      if( rc==SQLITE_OK && !bAfter ) zWhy = "succeeded, not in the after state";
    }
    sqlite3_free(zIc);
    sqlite3_free(zNow);
    sqlite3_close(db);
    if( !zWhy && sqlite3_memory_used()!=nMem0 ) zWhy = "memory leaked";
    if( zWhy ){
      nBad++;
      if( nBad<=5 ){
        printf("FAIL %s %s allocation %d: %s (rc=%d)\n", pCase->zName, zKind,
               iAt, zWhy, rc);
      }
    }
    if( !bReached ) break;    /* the call no longer reaches allocation N */
  }
  printf("ctest_oom: %s %s tried %d failed %d\n", pCase->zName, zKind,
         nTried, nBad);
  if( pCase->bKnown ){
    printf("NOTE oomc %s %s: at %d of %d fault points the call returned "
           "SQLITE_NOMEM inside its transaction (the known window, "
           "ext/undo.c); ROLLBACK restored the database each time\n",
           pCase->zName, zKind, nKnown, nTried);
  }
  /* for test/faults/run.tcl (make check-faults): kind tried hit ok failed */
  printf("FIGURE oomc-%s %d %d %d %d\n", zKind, nTried, nTried-1,
         nTried-nBad, nBad);
  sqlite3_free(zBefore);
  sqlite3_free(zAfter);
  sqlite3_free(aImg);
  return nBad;
}

int main(int argc, char **argv){
  static sqlite3_mem_methods m;
  const char *zOnly = 0;
  int bQuick = 0, nJob = 1, iJob, i, bP, nRun = 0;
  for(i=1; i<argc; i++){
    if( strcmp(argv[i], "-quick")==0 ) bQuick = 1;
    else if( strcmp(argv[i], "-j")==0 && i+1<argc ) nJob = atoi(argv[++i]);
    else zOnly = argv[i];
  }
  if( nJob<1 ) nJob = 1;
  sqlite3_config(SQLITE_CONFIG_GETMALLOC, &memReal);
  m = memReal;
  m.xMalloc = memMalloc;
  m.xRealloc = memRealloc;
  sqlite3_config(SQLITE_CONFIG_MALLOC, &m);
  sqlite3_config(SQLITE_CONFIG_LOOKASIDE, 0, 0);
  sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 1);
  sqlite3_auto_extension((void(*)(void))sqlite3_migrate_init);
  fflush(stdout);

  /* runs k = 0, 1, ... are case k/2, kind k%2; job j takes k%nJob==j */
  for(iJob=0; iJob<nJob; iJob++){
    pid_t pid = nJob>1 ? fork() : 0;
    if( pid<0 ){ perror("fork"); return 2; }
    if( pid>0 ) continue;
    for(i=0; i<(int)(sizeof(aCase)/sizeof(aCase[0])); i++){
      if( zOnly && strcmp(zOnly, aCase[i].zName)!=0 ) continue;
      for(bP=0; bP<2; bP++){
        if( bQuick && !aCase[i].bQuick[bP] ) continue;
        if( (nRun++)%nJob!=iJob ) continue;
        if( runCase(&aCase[i], bP) ) nFail++; else nPass++;
        fflush(stdout);
      }
    }
    if( nJob==1 ) break;
    printf("ctest_oom: job %d: %d passed, %d failed\n", iJob, nPass, nFail);
    fflush(stdout);
    _exit(nFail>0);
  }
  if( nJob>1 ){
    int st;
    while( wait(&st)>0 ){
      if( !WIFEXITED(st) || WEXITSTATUS(st)!=0 ) nFail++;
    }
    printf("ctest_oom: %s\n", nFail ? "FAILED" : "all passed");
    return nFail!=0;
  }
  printf("ctest_oom: %d passed, %d failed\n", nPass, nFail);
  return nFail!=0;
}

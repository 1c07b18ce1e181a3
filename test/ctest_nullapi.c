/*
** ctest_nullapi.c — libmigrate's loadable code handed an API table whose
** optional entries are NULL, as SQLite leaves them when it was compiled
** with an OMIT option (better-sqlite3's SQLite has no progress_handler).
** Every entry libmigrate calls that a build can leave NULL is cut here,
** one at a time and all together, and each feature must either work as
** with the full table or fail with its documented error — never call NULL.
** make check-bindings runs the whole suites inside such builds; this is
** the quick regression test for `make test` (test/nullapi.test).
**
** HOW IT WORKS
**   The files of ext/ are compiled into this program without SQLITE_CORE, exactly as
**   for libmigrate.so, so they call SQLite through the sqlite3_api pointer.
**   An auto-extension copies the real table SQLite hands to extensions;
**   each case copies it again, sets some entries to NULL and calls
**   sqlite3_migrate_init() with that table, as SQLite's loader would.
**   Prints one line per failed check and "ctest_nullapi: N passed, M failed".
*/
#define SQLITE_CORE 1          /* this file calls SQLite directly */
#include "sqlite3ext.h"        /* for sqlite3_api_routines */
#include <stdio.h>
#include <string.h>

int sqlite3_migrate_init(sqlite3*, char**, const sqlite3_api_routines*);

static sqlite3_api_routines full;  /* the real table */
static sqlite3_api_routines cut;   /* the table of the current case */
static int nPass = 0, nFail = 0;

static int grab(sqlite3 *db, char **pzErr, const sqlite3_api_routines *pApi){
  (void)db;
  (void)pzErr;
  full = *pApi;
  return SQLITE_OK;
}

/* Entries a build can leave NULL that libmigrate calls (ext/migrateInt.h,
** MIGRATE_HAVE_API), and the OMIT option that does it. */
#define CUT_PROGRESS  0x01   /* SQLITE_OMIT_PROGRESS_CALLBACK */
#define CUT_COMPLETE  0x02   /* SQLITE_OMIT_COMPLETE */
#define CUT_BLOB      0x04   /* SQLITE_OMIT_INCRBLOB */
#define CUT_AUTH      0x08   /* SQLITE_OMIT_AUTHORIZATION */
#define CUT_VTAB      0x10   /* SQLITE_OMIT_VIRTUALTABLE */

/* A connection with libmigrate initialized from the full table minus
** mCut; *pzInit gets the entry point's error, if any. */
static sqlite3 *openCut(unsigned mCut, int *pRc, char **pzInit){
  sqlite3 *db = 0;
  cut = full;
  if( mCut & CUT_PROGRESS ) cut.progress_handler = 0;
  if( mCut & CUT_COMPLETE ) cut.complete = 0;
  if( mCut & CUT_BLOB ){
    cut.blob_open = 0;
    cut.blob_bytes = 0;
    cut.blob_read = 0;
    cut.blob_close = 0;
    cut.blob_write = 0;
    cut.blob_reopen = 0;
    cut.bind_zeroblob = 0;
  }
  if( mCut & CUT_AUTH ) cut.set_authorizer = 0;
  if( mCut & CUT_VTAB ){
    cut.create_module = 0;
    cut.create_module_v2 = 0;
    cut.declare_vtab = 0;
    cut.vtab_config = 0;
    cut.vtab_on_conflict = 0;
    cut.vtab_collation = 0;
  }
  sqlite3_open(":memory:", &db);
  *pzInit = 0;
  *pRc = sqlite3_migrate_init(db, pzInit, &cut);
  return db;
}

/* The first column of the last row of zSql, or "ERROR: message". */
static void run(sqlite3 *db, const char *zSql, char *zOut, int nOut){
  sqlite3_stmt *pStmt = 0;
  const char *zTail = zSql;
  int rc = SQLITE_OK;
  zOut[0] = 0;
  while( rc==SQLITE_OK && zTail[0] ){
    rc = sqlite3_prepare_v2(db, zTail, -1, &pStmt, &zTail);
    if( rc!=SQLITE_OK || pStmt==0 ) break;
    while( (rc = sqlite3_step(pStmt))==SQLITE_ROW ){
      const char *z = (const char*)sqlite3_column_text(pStmt, 0);
      snprintf(zOut, nOut, "%s", z ? z : "NULL");
    }
    rc = sqlite3_finalize(pStmt);
  }
  if( rc!=SQLITE_OK ) snprintf(zOut, nOut, "ERROR: %s", sqlite3_errmsg(db));
}

static void check(const char *zCase, const char *zWhat, const char *zGot,
                  const char *zWant){
  if( strcmp(zGot, zWant)==0 ){
    nPass++;
  }else{
    nFail++;
    printf("FAIL %s: %s\n  expected: %s\n  got:      %s\n", zCase, zWhat,
           zWant, zGot);
  }
}

/* The features every case runs, with what each must give.  NULL: as with
** the full table. */
static const char *azDiffQuery =
  "SELECT migration_diff('WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL "
  "SELECT x+1 FROM c) SELECT count(*) FROM c')";
static const struct Probe {
  const char *zWhat;
  const char *zSql;
} aProbe[] = {
  { "migrate, rollback, refresh, status",
    "INSERT INTO migrations(name, up, down) VALUES"
    " ('1_a', 'CREATE TABLE a(x);', 'DROP TABLE a;'),"
    " ('2_b', 'CREATE TABLE b(x); INSERT INTO b VALUES(1);', 'DROP TABLE b;');"
    "SELECT migrate(); SELECT migrate_refresh(); SELECT rollback_to('1_a');"
    "SELECT migrate(); SELECT rollback(); SELECT migrate();"
    "SELECT group_concat(name || ' ' || state, ', ') FROM migration_status" },
  { "history", "SELECT count(*) || ' runs' FROM migrations_history" },
  { "diff", "SELECT migration_diff('CREATE TABLE a(x); CREATE TABLE b(x);"
            " CREATE TABLE c(y);')" },
  { "diff of a bad statement",
    "SELECT migration_diff('CREATE TABLE t(a); CRATE TABLE u(b); "
    "CREATE TABLE v(c);')" },
  { "generate", "SELECT migrate_generate('3_c', 'CREATE TABLE a(x);"
                " CREATE TABLE b(x); CREATE TABLE c(y);')" },
  { "diff of a query", 0 },
};

/* What each probe gives with the full table. */
static const char *azFull[] = {
  "1_a applied, 2_b applied",
  "10 runs",
  "CREATE TABLE c(y);\n",
  "ERROR: migration_diff: desired schema statement 2 failed: near "
  "\"CRATE\": syntax error (CRATE TABLE u(b))",
  "1",
  "ERROR: migration_diff: desired schema statement 1 refused: the desired "
  "schema ran too long (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT "
  "x+1 FROM c...)"
};

/* Runs every probe in a connection initialized with the full table minus
** mCut.  azWant[i]: what probe i must give, NULL for azFull[i]. */
static void runCase(const char *zCase, unsigned mCut, const char **azWant){
  char zGot[1000];
  char *zInit = 0;
  int rc, i;
  sqlite3 *db = openCut(mCut, &rc, &zInit);
  check(zCase, "load", rc==SQLITE_OK ? "ok" : (zInit ? zInit : "error"), "ok");
  sqlite3_free(zInit);
  for(i=0; rc==SQLITE_OK && i<(int)(sizeof(aProbe)/sizeof(aProbe[0])); i++){
    run(db, aProbe[i].zSql ? aProbe[i].zSql : azDiffQuery, zGot, sizeof(zGot));
    check(zCase, aProbe[i].zWhat, zGot, azWant[i] ? azWant[i] : azFull[i]);
  }
  sqlite3_close(db);
}

int main(void){
  static const char *azSame[] = { 0, 0, 0, 0, 0, 0 };
  static const char *azNoProgress[] = { 0, 0, 0, 0, 0,
    "ERROR: migration_diff: desired schema statement 1 refused: this SQLite "
    "has no progress callback to bound a query's running time "
    "(SQLITE_OMIT_PROGRESS_CALLBACK), so a desired schema cannot run a query "
    "(WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c...)" };
  static const char *azNoAuth[] = { 0, 0,
    "ERROR: migration_diff: this SQLite was built without the authorizer "
    "(SQLITE_OMIT_AUTHORIZATION)",
    "ERROR: migration_diff: this SQLite was built without the authorizer "
    "(SQLITE_OMIT_AUTHORIZATION)",
    "ERROR: migrate_generate: this SQLite was built without the authorizer "
    "(SQLITE_OMIT_AUTHORIZATION)",
    "ERROR: migration_diff: this SQLite was built without the authorizer "
    "(SQLITE_OMIT_AUTHORIZATION)" };
  sqlite3 *db = 0;
  char *zInit = 0;
  int rc;

  sqlite3_auto_extension((void(*)(void))grab);
  sqlite3_open(":memory:", &db);
  sqlite3_close(db);
  sqlite3_cancel_auto_extension((void(*)(void))grab);
  if( full.open_v2==0 ){
    printf("ctest_nullapi: no API table\n");
    return 1;
  }

  runCase("full table", 0, azSame);
  runCase("no progress_handler", CUT_PROGRESS, azNoProgress);
  runCase("no complete", CUT_COMPLETE, azSame);
  runCase("no blob_*", CUT_BLOB, azSame);
  runCase("no set_authorizer", CUT_AUTH, azNoAuth);
  runCase("no progress_handler, complete, blob_*", CUT_PROGRESS|CUT_COMPLETE
          |CUT_BLOB, azNoProgress);

  /* no virtual tables: the entry point refuses, naming the option */
  db = openCut(CUT_VTAB, &rc, &zInit);
  check("no create_module", "load", zInit ? zInit : "(no message)",
        "libmigrate needs virtual tables, and this SQLite was built without "
        "them (SQLITE_OMIT_VIRTUALTABLE)");
  check("no create_module", "rc", rc==SQLITE_ERROR ? "SQLITE_ERROR" : "other",
        "SQLITE_ERROR");
  sqlite3_free(zInit);
  sqlite3_close(db);

  printf("ctest_nullapi: %d passed, %d failed\n", nPass, nFail);
  return nFail ? 1 : 0;
}

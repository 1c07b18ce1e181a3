/*
** ctest_firmware.c — a C test driver for the firmware API, meant to run on
** any target: natively, and cross-built for 32-bit ARM and big-endian s390x
** under qemu (make check-arm).
**
** USAGE
**   ctest_firmware            runs every check, prints one line per
**                             failure and a last line
**                             "ctest_firmware: N passed, M failed"
**                             exit 0 only when nothing failed.
**
** HOW IT WORKS
**   Links libmigrate statically (-DSQLITE_CORE) with a static SQLite and
**   registers it with sqlite3_auto_extension(), as firmware does.  Checks:
**     1. migration_checksum() test vectors (64-bit FNV-1a over normalised
**        bytes: the same values on every word size and byte order);
**     2. a scenario through the C API (migrate_define, migrate_apply,
**        migrate_run with a progress callback, migrate_boot): batches,
**        migration_status in natural order, rollback, a failing migration
**        (exact error, nothing left behind), an irreversible one;
**     3. migrate_array_checksum() test vectors and migrate_boot_v2()'s
**        fast path: taken on the second boot (no per-script comparison,
**        seen through sqlite3_trace_v2), not taken after an edit through
**        the `migrations` table or migrate_define(), a changed array
**        defined and recorded, bad checksums refused, a read-only
**        database booted without writing;
**     4. that every byte SQLite allocated was given back.
**   Results are compared as text ("a|b|c;..." rows), so a wrong answer
**   prints what was expected and what came back.
*/
#include "sqlite3.h"
#include "migrate.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int nPass = 0, nFail = 0;

/* Compares zGot with zWant; prints the test name on a mismatch. */
static void check(const char *zTest, const char *zGot, const char *zWant){
  if( zGot && strcmp(zGot, zWant)==0 ){
    nPass++;
  }else{
    nFail++;
    printf("FAIL %s\n  expected: [%s]\n  got:      [%s]\n", zTest, zWant,
           zGot ? zGot : "(null)");
  }
}

/* Compares two integers. */
static void checkInt(const char *zTest, sqlite3_int64 iGot,
                     sqlite3_int64 iWant){
  char zGot[32], zWant[32];
  sqlite3_snprintf(sizeof(zGot), zGot, "%lld", iGot);
  sqlite3_snprintf(sizeof(zWant), zWant, "%lld", iWant);
  check(zTest, zGot, zWant);
}

/*
** Runs zSql (optionally binding zArg to ?1) and returns its rows as
** "c1|c2;c1|c2" (NULL as "NULL"), or "ERROR: msg".  The result is
** sqlite3_malloc'ed; the caller frees it.
*/
static char *rows(sqlite3 *db, const char *zSql, const char *zArg){
  sqlite3_str *pOut = sqlite3_str_new(db);
  sqlite3_stmt *pStmt = 0;
  int rc = sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0);
  int nRow = 0, i;
  if( rc==SQLITE_OK && zArg ){
    rc = sqlite3_bind_text(pStmt, 1, zArg, -1, SQLITE_STATIC);
  }
  while( rc==SQLITE_OK && sqlite3_step(pStmt)==SQLITE_ROW ){
    if( nRow++ ) sqlite3_str_appendchar(pOut, 1, ';');
    for(i=0; i<sqlite3_column_count(pStmt); i++){
      const char *z = (const char*)sqlite3_column_text(pStmt, i);
      if( i ) sqlite3_str_appendchar(pOut, 1, '|');
      sqlite3_str_appendall(pOut, z ? z : "NULL");
    }
  }
  if( rc==SQLITE_OK ) rc = sqlite3_finalize(pStmt);
  else sqlite3_finalize(pStmt);
  if( rc!=SQLITE_OK ){
    sqlite3_str_reset(pOut);
    sqlite3_str_appendf(pOut, "ERROR: %s", sqlite3_errmsg(db));
  }
  return sqlite3_str_finish(pOut);
}

/* check() on the rows of zSql. */
static void checkRows(const char *zTest, sqlite3 *db, const char *zSql,
                      const char *zArg, const char *zWant){
  char *z = rows(db, zSql, zArg);
  check(zTest, z ? z : "", zWant);   /* no rows: sqlite3_str gives NULL */
  sqlite3_free(z);
}

/* Progress callback of migrate_run: appends "name dir," to a sqlite3_str. */
static void progress(void *pArg, const char *zName, const char *zDir,
                     sqlite3_int64 iMs, sqlite3_int64 nChange){
  (void)iMs;
  (void)nChange;
  sqlite3_str_appendf((sqlite3_str*)pArg, "%s %s,", zName, zDir);
}

static void testChecksums(sqlite3 *db){
  static const struct { const char *zIn; const char *zSum; } aVec[] = {
    { "",                                                "cbf29ce484222325" },
    { "a",                                               "af63dc4c8601ec8c" },
    { "CREATE TABLE t(x);",                              "ae10fa7641edda1d" },
    { "CREATE TABLE t(x);\r\nINSERT INTO t VALUES(1);\r\n",
                                                         "05d529864470673f" },
    { "\xEF\xBB\xBF" "CREATE TABLE t(x);",               "ae10fa7641edda1d" },
    { "a\rb",                                            "e5adb319040776a3" },
  };
  char zName[40];
  int i;
  for(i=0; i<(int)(sizeof(aVec)/sizeof(aVec[0])); i++){
    sqlite3_snprintf(sizeof(zName), zName, "checksum-%d", i+1);
    checkRows(zName, db, "SELECT migration_checksum(?1)", aVec[i].zIn,
              aVec[i].zSum);
  }
}

static void testScenario(sqlite3 *db){
  static const migrate_script aScript[] = {
    { "1_create_t", "CREATE TABLE t(x);", "DROP TABLE t;" },
    { "2_fill_t",
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n"
      " WHERE i<100) INSERT INTO t SELECT i FROM n;",
      "DELETE FROM t;" },
    { "10_create_u", "CREATE TABLE u(y);\r\nCREATE INDEX u_y ON u(y);\r\n",
      "DROP TABLE u;" },
  };
  static const migrate_script aBad[] = {
    { "11_bad", "CREATE TABLE v(x);\nCRATE TABLE w(y);", "DROP TABLE v;" },
  };
  static const migrate_script aIrr[] = {
    { "12_irreversible", "ALTER TABLE t ADD COLUMN z;", 0 },
  };
  sqlite3_str *pLog;
  sqlite3_int64 nDone = -1;
  char *zErr = 0, *zLog;
  int n = -1, rc;

  /* nothing defined: migrate applies 0 and creates no table */
  rc = migrate_apply(db, 0, &n, &zErr);
  checkInt("scenario-1.1", rc, SQLITE_OK);
  checkInt("scenario-1.2", n, 0);
  checkRows("scenario-1.3", db, "SELECT count(*) FROM sqlite_schema", 0, "0");

  rc = migrate_define(db, aScript, 3, &zErr);
  checkInt("scenario-2.1", rc, SQLITE_OK);
  /* checksums computed independently (FNV-1a, CRLF as LF) */
  checkRows("scenario-2.2", db, "SELECT name, checksum FROM migrations", 0,
            "1_create_t|ae10fa7641edda1d;2_fill_t|e4cfe5bdf393253c;"
            "10_create_u|6784bbb26a146fbb");

  rc = migrate_apply(db, "2_fill_t", &n, &zErr);
  checkInt("scenario-3.1", rc, SQLITE_OK);
  checkInt("scenario-3.2", n, 2);
  checkRows("scenario-3.3", db, "SELECT count(*), sum(x) FROM t", 0,
            "100|5050");
  checkRows("scenario-3.4", db,
            "SELECT name, state, batch FROM migration_status", 0,
            "1_create_t|applied|1;2_fill_t|applied|1;10_create_u|pending|NULL");

  pLog = sqlite3_str_new(db);
  rc = migrate_run(db, "migrate", 0, progress, pLog, &nDone, &zErr);
  zLog = sqlite3_str_finish(pLog);
  checkInt("scenario-4.1", rc, SQLITE_OK);
  checkInt("scenario-4.2", nDone, 1);
  check("scenario-4.3", zLog, "10_create_u up,");
  sqlite3_free(zLog);
  checkRows("scenario-4.4", db,
            "SELECT name, state, batch FROM migration_status", 0,
            "1_create_t|applied|1;2_fill_t|applied|1;10_create_u|applied|2");
  checkRows("scenario-4.5", db, "SELECT migrate_version()", 0, "10_create_u");

  /* rollback(2): both batches, newest first, each in reverse order */
  pLog = sqlite3_str_new(db);
  rc = migrate_run(db, "rollback", "2", progress, pLog, &nDone, &zErr);
  zLog = sqlite3_str_finish(pLog);
  checkInt("scenario-5.1", rc, SQLITE_OK);
  checkInt("scenario-5.2", nDone, 3);
  check("scenario-5.3", zLog, "10_create_u down,2_fill_t down,1_create_t down,");
  sqlite3_free(zLog);
  checkRows("scenario-5.4", db,
            "SELECT name FROM sqlite_schema WHERE name NOT LIKE 'migrations%'"
            " AND name NOT LIKE 'sqlite_autoindex_migrations%' ORDER BY name", 0, "");
  checkRows("scenario-5.5", db, "SELECT migrate_version()", 0, "NULL");

  /* the boot path: define (nothing differs) + apply everything, one batch
  ** (numbered 1 again: max(batch)+1 of an empty ledger) */
  rc = migrate_boot(db, aScript, 3, &n, &zErr);
  checkInt("scenario-6.1", rc, SQLITE_OK);
  checkInt("scenario-6.2", n, 3);
  checkRows("scenario-6.3", db,
            "SELECT group_concat(name || '@' || batch, ' ')"
            " FROM migrations_ledger", 0,
            "1_create_t@1 2_fill_t@1 10_create_u@1");
  rc = migrate_boot(db, aScript, 3, &n, &zErr);
  checkInt("scenario-6.4", rc, SQLITE_OK);
  checkInt("scenario-6.5", n, 0);
  /* a new image that only fixes the down script of an applied migration:
  ** nothing to apply, but the new definition is stored (INSERT OR REPLACE)
  ** and a rollback would use it */
  {
    migrate_script aFix[3];
    memcpy(aFix, aScript, sizeof(aFix));
    aFix[2].zDown = "DROP INDEX u_y; DROP TABLE u;";
    rc = migrate_boot(db, aFix, 3, &n, &zErr);
    checkInt("scenario-6.6", rc, SQLITE_OK);
    checkInt("scenario-6.7", n, 0);
    checkRows("scenario-6.8", db,
              "SELECT down FROM migrations WHERE name='10_create_u'", 0,
              "DROP INDEX u_y; DROP TABLE u;");
  }

  /* a failing migration: exact error, nothing of it left, history row */
  rc = migrate_boot(db, aBad, 1, &n, &zErr);
  checkInt("scenario-7.1", rc, SQLITE_ERROR);
  check("scenario-7.2", zErr,
        "migrate: 11_bad failed: near \"CRATE\": syntax error (line 2)");
  sqlite3_free(zErr);
  zErr = 0;
  checkRows("scenario-7.3", db,
            "SELECT count(*) FROM sqlite_schema WHERE name='v'", 0, "0");
  checkRows("scenario-7.4", db,
            "SELECT name, direction, ok FROM migrations_history"
            " WHERE ok=0", 0, "11_bad|up|0");
  /* migrate_boot is one transaction: the failed boot did not even define
  ** 11_bad */
  checkRows("scenario-7.5", db,
            "SELECT count(*) FROM migration_status WHERE name='11_bad'", 0,
            "0");

  /* an irreversible migration: rollback refuses, names it, changes nothing */
  rc = migrate_boot(db, aIrr, 1, &n, &zErr);
  checkInt("scenario-8.1", rc, SQLITE_OK);
  checkInt("scenario-8.2", n, 1);
  rc = migrate_run(db, "rollback", 0, 0, 0, &nDone, &zErr);
  checkInt("scenario-8.3", rc, SQLITE_ERROR);
  check("scenario-8.4", zErr, "rollback: 12_irreversible is irreversible"
        " (its down script is NULL); nothing was reverted");
  sqlite3_free(zErr);
  zErr = 0;
  checkRows("scenario-8.5", db, "SELECT migrate_version()", 0,
            "12_irreversible");
  checkRows("scenario-8.6", db, "PRAGMA integrity_check", 0, "ok");
}

/*
** Bad arrays given to migrate_boot() and migrate_define(): each gets a
** message that says what is wrong, and nothing is defined (issue 12).
*/
static void testBadArrays(sqlite3 *db){
  static const migrate_script aDup[] = {
    { "20_dup", "CREATE TABLE d1(x);", "DROP TABLE d1;" },
    { "21_ok",  "CREATE TABLE d2(x);", "DROP TABLE d2;" },
    { "20_dup", "CREATE TABLE d3(x);", "DROP TABLE d3;" },
  };
  char *zErr = 0;
  int n = -1;
  int rc;
  char *zBefore = rows(db, "SELECT group_concat(name || ':' || checksum)"
                           " FROM migrations_scripts", 0);

  rc = migrate_boot(db, aDup, 3, &n, &zErr);
  checkInt("bad-1.1", rc, SQLITE_MISUSE);
  check("bad-1.2", zErr, "migrate_boot: the script array names 20_dup more "
        "than once; nothing was defined");
  sqlite3_free(zErr);
  zErr = 0;
  rc = migrate_define(db, aDup, 3, &zErr);
  checkInt("bad-1.3", rc, SQLITE_MISUSE);
  check("bad-1.4", zErr, "migrate_define: the script array names 20_dup "
        "more than once; nothing was defined");
  sqlite3_free(zErr);
  zErr = 0;
  rc = migrate_boot(db, aDup, -1, &n, &zErr);
  checkInt("bad-2.1", rc, SQLITE_MISUSE);
  check("bad-2.2", zErr, "migrate_boot: the script count is negative (-1)");
  sqlite3_free(zErr);
  zErr = 0;
  rc = migrate_boot(db, 0, 2, &n, &zErr);
  checkInt("bad-2.3", rc, SQLITE_MISUSE);
  check("bad-2.4", zErr, "migrate_boot: the script array is NULL but the "
        "count is 2");
  sqlite3_free(zErr);
  zErr = 0;
  rc = migrate_define(db, 0, -5, &zErr);
  checkInt("bad-2.5", rc, SQLITE_MISUSE);
  check("bad-2.6", zErr, "migrate_define: the script count is negative (-5)");
  sqlite3_free(zErr);
  zErr = 0;
  checkRows("bad-3.1", db, "SELECT group_concat(name || ':' || checksum)"
            " FROM migrations_scripts", 0, zBefore ? zBefore : "");
  sqlite3_free(zBefore);
  /* a NULL pzErr is allowed: the message is freed, not leaked */
  checkInt("bad-3.2", migrate_boot(db, aDup, 3, 0, 0), SQLITE_MISUSE);

  /* a small SQLITE_LIMIT_SQL_LENGTH is not damage: the message says what */
  {
    int nOld = sqlite3_limit(db, SQLITE_LIMIT_SQL_LENGTH, 60);
    sqlite3_int64 nDone = 0;
    rc = migrate_run(db, "rollback", 0, 0, 0, &nDone, &zErr);
    checkInt("bad-4.1", rc, SQLITE_TOOBIG);
    check("bad-4.2", zErr, "rollback: cannot read the migration tables: "
          "string or blob too big");
    sqlite3_free(zErr);
    zErr = 0;
    sqlite3_limit(db, SQLITE_LIMIT_SQL_LENGTH, nOld);
  }
}

/*
** migrate_run_ex() says where a call failed: the migration, which of its
** scripts, and the line of that script.
*/
static void testFailure(sqlite3 *db){
  static const migrate_script aOk[] = {
    { "30_t", "CREATE TABLE t30(x);", "SELECT 1;\n\nDROP TABLE no_such;" },
  };
  static const migrate_script aBad[] = {
    { "31_bad", "CREATE TABLE t31(x);\nINSERT INTO t31\n  VALUES(no_such());",
      "DROP TABLE t31;" },
  };
  migrate_failure f;
  char *zErr = 0;
  sqlite3_int64 n = 0;
  int rc;
  checkInt("fail-1.0", migrate_boot(db, aOk, 1, 0, 0), SQLITE_OK);
  rc = migrate_define(db, aBad, 1, 0);
  checkInt("fail-1.1", rc, SQLITE_OK);
  rc = migrate_run_ex(db, "migrate", 0, 0, 0, &n, &zErr, &f);
  checkInt("fail-1.2", rc, SQLITE_ERROR);
  check("fail-1.3", f.zName, "31_bad");
  checkInt("fail-1.4", f.eScript, MIGRATE_FAILED_UP);
  checkInt("fail-1.5", f.iLine, 3);   /* where SQLite located the error */
  sqlite3_free(f.zName);
  sqlite3_free(zErr);
  zErr = 0;
  rc = sqlite3_exec(db, "DELETE FROM migrations WHERE name='31_bad'", 0, 0, 0);
  checkInt("fail-2.0", rc, SQLITE_OK);
  rc = migrate_run_ex(db, "rollback_to", "12_irreversible", 0, 0, &n, &zErr,
                      &f);
  checkInt("fail-2.1", rc, SQLITE_ERROR);
  check("fail-2.2", f.zName, "30_t");
  checkInt("fail-2.3", f.eScript, MIGRATE_FAILED_DOWN);
  checkInt("fail-2.4", f.iLine, 3);
  sqlite3_free(f.zName);
  sqlite3_free(zErr);
  zErr = 0;
  /* not one migration's failure: no name */
  rc = migrate_run_ex(db, "rollback", "x", 0, 0, &n, &zErr, &f);
  checkInt("fail-3.1", rc, SQLITE_MISMATCH);
  checkInt("fail-3.2", f.zName==0 && f.eScript==0 && f.iLine==0, 1);
  sqlite3_free(zErr);
  zErr = 0;
  rc = migrate_run_ex(db, "no_such_call", 0, 0, 0, &n, &zErr, &f);
  checkInt("fail-3.3", rc, SQLITE_MISUSE);
  checkInt("fail-3.4", f.zName==0, 1);
  sqlite3_free(zErr);
  /* a NULL pFail is allowed: that is migrate_run() */
  checkInt("fail-3.5", migrate_run_ex(db, "migrate", 0, 0, 0, &n, 0, 0),
           SQLITE_OK);
}

/* Counts the per-script comparisons of a boot (the statement of
** migrateStoreAllDefined in ext/store.c): the fast path runs none. */
static int nCompare = 0;
static int traceCompare(unsigned eType, void *pCtx, void *pStmt, void *pX){
  const char *zSql = sqlite3_sql((sqlite3_stmt*)pStmt);
  (void)eType; (void)pCtx; (void)pX;
  if( zSql && strstr(zSql, "down_checksum IS ?3 AND repeatable=0") ){
    nCompare++;
  }
  return 0;
}

/*
** A read-only database booted by an array whose checksum is not recorded
** (it was migrated by migrate_boot()): compared in full, nothing to do,
** nothing written, no table created.  The file lives in $TMPDIR or /tmp.
*/
static void testBootReadOnly(const migrate_script *aA, const char *zA){
  const char *zTmp = getenv("TMPDIR");
  char *zPath = sqlite3_mprintf("%s/ctest_firmware-%d.db",
                                zTmp && zTmp[0] ? zTmp : "/tmp", (int)getpid());
  sqlite3 *db = 0;
  char *zErr = 0;
  int n = -1, rc;
  remove(zPath);
  rc = sqlite3_open(zPath, &db);
  if( rc==SQLITE_OK ) rc = migrate_boot(db, aA, 3, &n, &zErr);
  checkInt("readonly-1.1", rc, SQLITE_OK);
  checkInt("readonly-1.2", n, 3);
  sqlite3_close(db);
  db = 0;
  rc = sqlite3_open_v2(zPath, &db, SQLITE_OPEN_READONLY, 0);
  checkInt("readonly-1.3", rc, SQLITE_OK);
  n = -1;
  rc = migrate_boot_v2(db, aA, 3, zA, &n, &zErr);
  checkInt("readonly-1.4", rc, SQLITE_OK);
  checkInt("readonly-1.5", n, 0);
  checkRows("readonly-1.6", db, "SELECT count(*) FROM sqlite_schema"
            " WHERE name='migrations_boot'", 0, "0");
  sqlite3_free(zErr);
  sqlite3_close(db);
  remove(zPath);
  sqlite3_free(zPath);
}

/*
** migrate_array_checksum() and the fast path of migrate_boot_v2(): the
** array's checksum recorded after a boot that compared every script, the
** next boot skipping the comparison, an edit through SQL or a new array
** making the next boot compare again, bad checksums refused.
*/
static void testBootFastPath(void){
  static const migrate_script aA[] = {
    { "1_a", "CREATE TABLE a(x);", "DROP TABLE a;" },
    { "2_b", "CREATE TABLE b(x);", "DROP TABLE b;" },
    { "3_c", "CREATE TABLE c(x);", 0 },
  };
  static const migrate_script aV1[] = {
    { "1_a", "CREATE TABLE a(x);", "DROP TABLE a;" } };
  static const migrate_script aV2[] = {
    { "1_a", "CREATE TABLE a(x);", 0 } };
  static const migrate_script aV3[] = {
    { "1_a", "CREATE TABLE a(x);", "" } };
  migrate_script aB[4];
  sqlite3 *db = 0;
  char zA[17], zB[17], zX[17];
  char *zErr = 0;
  int n = -1, rc;

  /* test vectors, computed independently (FNV-1a 64 over "libmigrate
  ** script array 1", then name, up, "+" down or "-", NUL-separated) */
  checkInt("array-1.1", migrate_array_checksum(0, 0, zX), SQLITE_OK);
  check("array-1.2", zX, "a2ed867ef9bd9a72");
  migrate_array_checksum(aV1, 1, zX);
  check("array-1.3", zX, "b739103c519fc234");
  migrate_array_checksum(aV2, 1, zX);    /* NULL down: irreversible */
  check("array-1.4", zX, "ea4bdbe373d51745");
  migrate_array_checksum(aV3, 1, zX);    /* "" down: nothing to undo */
  check("array-1.5", zX, "ea450fe373cf50f3");
  checkInt("array-1.6", migrate_array_checksum(0, 2, zX), SQLITE_MISUSE);
  check("array-1.7", zX, "");
  checkInt("array-1.8", migrate_array_checksum(aA, -1, zX), SQLITE_MISUSE);

  if( sqlite3_open(":memory:", &db)!=SQLITE_OK ){
    nFail++;
    printf("FAIL fast: open\n");
    return;
  }
  sqlite3_trace_v2(db, SQLITE_TRACE_STMT, traceCompare, 0);
  migrate_array_checksum(aA, 3, zA);

  /* first boot: compares (nothing defined), applies, records the array */
  nCompare = 0;
  rc = migrate_boot_v2(db, aA, 3, zA, &n, &zErr);
  checkInt("fast-1.1", rc, SQLITE_OK);
  checkInt("fast-1.2", n, 3);
  checkRows("fast-1.3", db, "SELECT checksum FROM migrations_boot", 0, zA);

  /* second boot: the fast path, no script compared, nothing written */
  nCompare = 0;
  n = -1;
  {
    int nChange = sqlite3_total_changes(db);
    rc = migrate_boot_v2(db, aA, 3, zA, &n, &zErr);
    checkInt("fast-2.1", rc, SQLITE_OK);
    checkInt("fast-2.2", n, 0);
    checkInt("fast-2.3", nCompare, 0);
    checkInt("fast-2.4", sqlite3_total_changes(db) - nChange, 0);
  }
  /* the counter is not blind: migrate_boot() compares every script */
  nCompare = 0;
  rc = migrate_boot(db, aA, 3, &n, &zErr);
  checkInt("fast-2.5", rc, SQLITE_OK);
  checkInt("fast-2.6", nCompare>0, 1);

  /* an edit through SQL after a boot forgets the record; the next boot
  ** compares, puts the array's definition back, records it again */
  sqlite3_exec(db, "UPDATE migrations SET down='DROP TABLE b; -- edited'"
               " WHERE name='2_b'", 0, 0, 0);
  checkRows("fast-3.1", db, "SELECT count(*) FROM migrations_boot", 0, "0");
  nCompare = 0;
  rc = migrate_boot_v2(db, aA, 3, zA, &n, &zErr);
  checkInt("fast-3.2", rc, SQLITE_OK);
  checkInt("fast-3.3", nCompare>0, 1);
  checkRows("fast-3.4", db, "SELECT down FROM migrations WHERE name='2_b'", 0,
            "DROP TABLE b;");
  checkRows("fast-3.5", db, "SELECT checksum FROM migrations_boot", 0, zA);
  /* a DELETE through the `migrations` table forgets it too */
  sqlite3_exec(db, "DELETE FROM migrations WHERE name='3_c'", 0, 0, 0);
  checkRows("fast-3.6", db, "SELECT count(*) FROM migrations_boot", 0, "0");
  nCompare = 0;
  rc = migrate_boot_v2(db, aA, 3, zA, &n, &zErr);
  checkInt("fast-3.7", nCompare>0, 1);
  checkRows("fast-3.8", db, "SELECT count(*) FROM migrations WHERE name='3_c'",
            0, "1");

  /* a changed array (new image): compared, defined, applied, recorded */
  memcpy(aB, aA, sizeof(aA));
  aB[1].zDown = "DROP TABLE IF EXISTS b;";
  aB[3].zName = "4_d";
  aB[3].zUp = "CREATE TABLE d(x);";
  aB[3].zDown = "DROP TABLE d;";
  migrate_array_checksum(aB, 4, zB);
  nCompare = 0;
  rc = migrate_boot_v2(db, aB, 4, zB, &n, &zErr);
  checkInt("fast-4.1", rc, SQLITE_OK);
  checkInt("fast-4.2", n, 1);
  checkInt("fast-4.3", nCompare>0, 1);
  checkRows("fast-4.4", db, "SELECT down FROM migrations WHERE name='2_b'", 0,
            "DROP TABLE IF EXISTS b;");
  checkRows("fast-4.5", db, "SELECT checksum FROM migrations_boot", 0, zB);
  nCompare = 0;
  rc = migrate_boot_v2(db, aB, 4, zB, &n, &zErr);
  checkInt("fast-4.6", nCompare, 0);
  checkInt("fast-4.7", n, 0);

  /* migrate_define() forgets the record */
  rc = migrate_define(db, aV1, 1, &zErr);      /* 1_a as it is: no write */
  checkRows("fast-5.1", db, "SELECT count(*) FROM migrations_boot", 0, "1");
  rc = migrate_define(db, aV2, 1, &zErr);      /* 1_a made irreversible */
  checkInt("fast-5.2", rc, SQLITE_OK);
  checkRows("fast-5.3", db, "SELECT count(*) FROM migrations_boot", 0, "0");

  /* a failing boot records nothing */
  {
    static const migrate_script aBad[] = {
      { "1_a", "CREATE TABLE a(x);", "DROP TABLE a;" },
      { "9_bad", "CREATE TABLE a(x);", "" } };
    char zBad[17];
    migrate_array_checksum(aBad, 2, zBad);
    rc = migrate_boot_v2(db, aBad, 2, zBad, &n, &zErr);
    checkInt("fast-6.1", rc, SQLITE_ERROR);
    check("fast-6.2", zErr, "migrate: 9_bad failed: table a already exists "
          "(line 1)");
    sqlite3_free(zErr);
    zErr = 0;
    checkRows("fast-6.3", db, "SELECT count(*) FROM migrations_boot", 0, "0");
    checkRows("fast-6.4", db, "SELECT down IS NULL FROM migrations"
              " WHERE name='1_a'", 0, "1");
  }

  /* a checksum that is not one: refused, nothing read or written */
  rc = migrate_boot_v2(db, aA, 3, "645CBCB49D5580A5", &n, &zErr);
  checkInt("fast-7.1", rc, SQLITE_MISUSE);
  check("fast-7.2", zErr, "migrate_boot_v2: the array checksum is not 16 "
        "lowercase hex digits");
  sqlite3_free(zErr);
  zErr = 0;
  rc = migrate_boot_v2(db, aA, 3, "645cbcb49d5580a", &n, &zErr);
  checkInt("fast-7.3", rc, SQLITE_MISUSE);
  sqlite3_free(zErr);
  zErr = 0;
  checkRows("fast-7.4", db, "SELECT down IS NULL FROM migrations"
            " WHERE name='1_a'", 0, "1");
  /* NULL: no fast path, exactly migrate_boot() (puts 1_a's down back) */
  nCompare = 0;
  rc = migrate_boot_v2(db, aA, 3, 0, &n, &zErr);
  checkInt("fast-7.5", rc, SQLITE_OK);
  checkInt("fast-7.6", nCompare>0, 1);
  checkRows("fast-7.7", db, "SELECT count(*) FROM migrations_boot", 0, "0");
  checkRows("fast-7.8", db, "PRAGMA integrity_check", 0, "ok");
  checkInt("fast-close", sqlite3_close(db), SQLITE_OK);
  testBootReadOnly(aA, zA);
}

int main(void){
  sqlite3 *db = 0;
  int rc;
  unsigned int one = 1;
  printf("ctest_firmware: %d-bit %s-endian, SQLite %s\n",
         (int)(sizeof(void*)*8),
         *(unsigned char*)&one ? "little" : "big", sqlite3_libversion());

  rc = sqlite3_auto_extension((void(*)(void))sqlite3_migrate_init);
  if( rc==SQLITE_OK ) rc = sqlite3_open(":memory:", &db);
  if( rc!=SQLITE_OK ){
    printf("FAIL open: %s\n", sqlite3_errstr(rc));
    return 1;
  }
  testChecksums(db);
  testScenario(db);
  testBadArrays(db);
  testFailure(db);
  testBootFastPath();
  checkInt("close", sqlite3_close(db), SQLITE_OK);
  sqlite3_reset_auto_extension();
  checkInt("memory-returned", sqlite3_memory_used(), 0);

  printf("ctest_firmware: %d passed, %d failed\n", nPass, nFail);
  return nFail ? 1 : 0;
}

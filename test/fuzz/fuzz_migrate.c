/*
** fuzz_migrate.c — libFuzzer harness for libmigrate.
**
** USAGE
**   make fuzz [FUZZ_SECONDS=600]       (builds build/faults/fuzz_migrate)
**   build/faults/fuzz_migrate -max_total_time=60 CORPUS_DIR test/fuzz/corpus
**   Built with clang -fsanitize=fuzzer,address,undefined -DSQLITE_CORE,
**   the extension's sources compiled in, linked with the system SQLite.
**
** HOW IT WORKS
**   The input is decoded, byte by byte, into a sequence of at most 48 steps
**   against a fresh in-memory database with the extension registered:
**     define    INSERT / INSERT OR REPLACE / INSERT OR IGNORE a migration
**               (one of 12 names, among them quotes and natural-order
**               traps; up/down from 14 templates: tables, data, ALTER,
**               indexes, views, triggers, syntax errors, runtime errors,
**               transaction control, NULL down, or raw bytes of the input)
**     edit      UPDATE the up/down of a name, or DELETE it
**     migrate() migrate(target) rollback(n) rollback_to(target)
**     migrate_reset() migrate_refresh() migrate_dry_run() migrate_repair()
**     read      migration_status, migrate_version()
**     user txn  BEGIN before a call, COMMIT or ROLLBACK after it
**   After every step the invariants are checked, and abort() on a
**   violation (libFuzzer keeps the input):
**     - autocommit mode again (unless the step left the user's BEGIN open);
**     - PRAGMA integrity_check is ok;
**     - a call that failed, and every dry run, left schema, ledger and
**       definitions exactly as they were (history may gain a failure row);
**     - the ledger has no name twice and migration_status can be read.
**   Raw text never starts with "-" or a BOM, so no script is a
**   "-- migrate:no-transaction" migration (which is atomic by design only
**   per migration, not per call).
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sqlite3.h"
#include "migrate.h"

typedef struct Input Input;
struct Input { const uint8_t *a; size_t n, i; };

static int next(Input *p){ return p->i<p->n ? p->a[p->i++] : -1; }

/* Raw text of up to 63 bytes from the input (NUL-free, see header). */
static char *rawText(Input *p){
  int n = next(p);
  char *z;
  int i, j = 0;
  if( n<0 ) n = 0;
  n %= 64;
  z = sqlite3_malloc(n+2);
  if( z==0 ) abort();
  for(i=0; i<n; i++){
    int c = next(p);
    if( c<=0 ) break;
    if( j==0 && (c=='-' || c==0xef) ) z[j++] = ' ';
    z[j++] = (char)c;
  }
  z[j] = 0;
  return z;
}

static const char *const azName[] = {
  "001_a", "002_b", "10_c", "2_d", "003_it's", "004_\"q\"", "005_e",
  "V1__x", "V10__y", "20241201000000_z", "006_f", "x"
};
#define NNAME (int)(sizeof(azName)/sizeof(azName[0]))

/* Up and down of template t with table number k (both sqlite3_malloc'ed;
** *pzDown may be NULL: irreversible). */
static void tmpl(Input *p, int t, int k, char **pzUp, char **pzDown){
  switch( t ){
    case 0: *pzUp = sqlite3_mprintf("CREATE TABLE t%d(a INTEGER PRIMARY KEY, b TEXT);", k);
            *pzDown = sqlite3_mprintf("DROP TABLE t%d;", k); break;
    case 1: *pzUp = sqlite3_mprintf("CREATE TABLE t%d(a); INSERT INTO t%d VALUES(1),(2);", k, k);
            *pzDown = sqlite3_mprintf("DROP TABLE t%d;", k); break;
    case 2: *pzUp = sqlite3_mprintf("ALTER TABLE t%d ADD COLUMN c%d TEXT;", k, k);
            *pzDown = sqlite3_mprintf("ALTER TABLE t%d DROP COLUMN c%d;", k, k); break;
    case 3: *pzUp = sqlite3_mprintf("CREATE INDEX i%d ON t%d(a);", k, k);
            *pzDown = sqlite3_mprintf("DROP INDEX i%d;", k); break;
    case 4: *pzUp = sqlite3_mprintf("INSERT INTO t%d(a) VALUES(%d);", k, k);
            *pzDown = sqlite3_mprintf("DELETE FROM t%d WHERE a=%d;", k, k); break;
    case 5: *pzUp = sqlite3_mprintf("CREATE VIEW v%d AS SELECT * FROM t%d;", k, k);
            *pzDown = sqlite3_mprintf("DROP VIEW v%d;", k); break;
    case 6: *pzUp = sqlite3_mprintf("CREATE TABLE t%d(a);\nCOMMIT;", k);
            *pzDown = sqlite3_mprintf(""); break;
    case 7: *pzUp = sqlite3_mprintf("SELECT no_such_function(%d);", k);
            *pzDown = 0; break;
    case 8: *pzUp = sqlite3_mprintf("CREATE TABLE t%d(a);\nCRATE TABLE oops(%d);", k, k);
            *pzDown = sqlite3_mprintf("DROP TABLE t%d;", k); break;
    case 9: *pzUp = sqlite3_mprintf("CREATE TRIGGER tr%d AFTER INSERT ON t%d BEGIN"
                                    " SELECT 1; END;", k, k);
            *pzDown = sqlite3_mprintf("DROP TRIGGER tr%d;", k); break;
    case 10: *pzUp = sqlite3_mprintf("CREATE TABLE f%d(a REFERENCES t%d(a));"
                                     " INSERT INTO f%d VALUES(99);", k, k, k);
             *pzDown = sqlite3_mprintf("DROP TABLE f%d;", k); break;
    case 11: *pzUp = sqlite3_mprintf("");
             *pzDown = sqlite3_mprintf(""); break;
    case 12: *pzUp = sqlite3_mprintf("CREATE TABLE t%d(a UNIQUE); INSERT INTO t%d"
                                     " VALUES(1),(1);", k, k);
             *pzDown = sqlite3_mprintf("DROP TABLE t%d;", k); break;
    default: *pzUp = rawText(p); *pzDown = next(p)&1 ? rawText(p) : 0; break;
  }
  if( *pzUp==0 ) abort();
}

/* Schema + ledger + definitions as one string (sqlite3_malloc'ed). */
static char *snapshot(sqlite3 *db){
  static const char *const azSql[] = {
    "SELECT type, name, sql FROM sqlite_schema ORDER BY name",
    "SELECT name, batch, checksum, down FROM migrations_ledger ORDER BY name",
    "SELECT name, checksum, up, down FROM migrations_scripts ORDER BY name",
  };
  sqlite3_str *s = sqlite3_str_new(db);
  size_t k;
  for(k=0; k<sizeof(azSql)/sizeof(azSql[0]); k++){
    sqlite3_stmt *p = 0;
    if( sqlite3_prepare_v2(db, azSql[k], -1, &p, 0)!=SQLITE_OK ){
      sqlite3_str_appendf(s, "[%d: none]", (int)k);
      continue;
    }
    while( sqlite3_step(p)==SQLITE_ROW ){
      int j;
      for(j=0; j<sqlite3_column_count(p); j++){
        const char *z = (const char*)sqlite3_column_text(p, j);
        sqlite3_str_appendf(s, "%s|", z ? z : "<null>");
      }
      sqlite3_str_appendchar(s, 1, '\n');
    }
    sqlite3_finalize(p);
  }
  return sqlite3_str_finish(s);
}

static void fail(const char *zWhat, const char *zDetail){
  fprintf(stderr, "INVARIANT VIOLATED: %s\n%s\n", zWhat, zDetail ? zDetail : "");
  abort();
}

static sqlite3_int64 oneInt(sqlite3 *db, const char *zSql){
  sqlite3_stmt *p = 0;
  sqlite3_int64 v = -1;
  if( sqlite3_prepare_v2(db, zSql, -1, &p, 0)==SQLITE_OK
   && sqlite3_step(p)==SQLITE_ROW ) v = sqlite3_column_int64(p, 0);
  sqlite3_finalize(p);
  return v;
}

/* Runs zSql; returns the SQLite code (rows are read and dropped). */
static int run(sqlite3 *db, const char *zSql){
  sqlite3_stmt *p = 0;
  int rc = sqlite3_prepare_v2(db, zSql, -1, &p, 0);
  if( rc==SQLITE_OK ){
    while( (rc = sqlite3_step(p))==SQLITE_ROW ){}
    if( rc==SQLITE_DONE ) rc = SQLITE_OK;
  }
  sqlite3_finalize(p);
  return rc;
}

static void check(sqlite3 *db, int bUserTxn){
  sqlite3_stmt *p = 0;
  if( !bUserTxn && !sqlite3_get_autocommit(db) ){
    fail("connection left inside a transaction", 0);
  }
  if( sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &p, 0)!=SQLITE_OK
   || sqlite3_step(p)!=SQLITE_ROW
   || strcmp((const char*)sqlite3_column_text(p, 0), "ok")!=0 ){
    fail("integrity_check", sqlite3_errmsg(db));
  }
  sqlite3_finalize(p);
  if( oneInt(db, "SELECT count(*) FROM sqlite_schema WHERE name='migrations_ledger'")==1
   && oneInt(db, "SELECT count(*) - count(DISTINCT name) FROM migrations_ledger")!=0 ){
    fail("a name twice in the ledger", 0);
  }
  if( run(db, "SELECT * FROM migration_status")!=SQLITE_OK ){
    fail("migration_status unreadable", sqlite3_errmsg(db));
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *aData, size_t nData){
  Input in = { aData, nData, 0 };
  sqlite3 *db = 0;
  int nStep = 0;
  int bUserTxn = 0;
  if( sqlite3_open(":memory:", &db)!=SQLITE_OK ) abort();
  sqlite3_migrate_init(db, 0, 0);
  sqlite3_limit(db, SQLITE_LIMIT_LENGTH, 100000);
  while( in.i<in.n && nStep++<48 ){
    int op = next(&in);
    int a = next(&in); if( a<0 ) a = 0;
    const char *zName = azName[a % NNAME];
    char *zSql = 0;
    int bCall = 0, bDry = 0;
    char *zBefore = 0;
    int rc;
    switch( op % 16 ){
      case 0: case 1: case 2: {     /* define */
        char *zUp = 0, *zDown = 0;
        int t = next(&in); if( t<0 ) t = 0;
        tmpl(&in, t % 14, (t>>4) % 4, &zUp, &zDown);
        zSql = sqlite3_mprintf("INSERT %s INTO migrations(name, up, down)"
                               " VALUES(%Q, %Q, %Q)",
                               op%3==0 ? "" : op%3==1 ? "OR REPLACE" : "OR IGNORE",
                               zName, zUp, zDown);
        sqlite3_free(zUp);
        sqlite3_free(zDown);
        break;
      }
      case 3: {                     /* edit */
        char *zUp = 0, *zDown = 0;
        int t = next(&in); if( t<0 ) t = 0;
        if( t & 1 ){
          zSql = sqlite3_mprintf("DELETE FROM migrations WHERE name=%Q", zName);
        }else{
          tmpl(&in, (t>>1) % 14, (t>>5) % 4, &zUp, &zDown);
          zSql = sqlite3_mprintf("UPDATE migrations SET %s=%Q WHERE name=%Q",
                                 t & 2 ? "down" : "up", t & 2 ? zDown : zUp, zName);
          sqlite3_free(zUp);
          sqlite3_free(zDown);
        }
        break;
      }
      case 4: case 5: zSql = sqlite3_mprintf("SELECT migrate()"); bCall = 1; break;
      case 6: zSql = sqlite3_mprintf("SELECT migrate(%Q)", zName); bCall = 1; break;
      case 7: zSql = sqlite3_mprintf("SELECT rollback(%d)", a % 4); bCall = 1; break;
      case 8: zSql = sqlite3_mprintf("SELECT rollback_to(%Q)", zName); bCall = 1; break;
      case 9: zSql = sqlite3_mprintf("SELECT migrate_reset()"); bCall = 1; break;
      case 10: zSql = sqlite3_mprintf("SELECT migrate_refresh()"); bCall = 1; break;
      case 11: zSql = a & 1 ? sqlite3_mprintf("SELECT migrate_dry_run(%Q)", zName)
                            : sqlite3_mprintf("SELECT migrate_dry_run()");
               bCall = 1; bDry = 1; break;
      case 12: zSql = sqlite3_mprintf("SELECT migrate_repair()"); bCall = 1; break;
      case 13: zSql = sqlite3_mprintf("SELECT name, state, batch, checksum FROM "
                                      "migration_status; SELECT migrate_version()");
               break;
      case 14:                      /* the user's transaction */
        if( !bUserTxn ){
          zSql = sqlite3_mprintf("BEGIN");
        }else{
          zSql = sqlite3_mprintf(a & 1 ? "COMMIT" : "ROLLBACK");
        }
        break;
      default: zSql = sqlite3_mprintf("SELECT rollback()"); bCall = 1; break;
    }
    if( zSql==0 ) abort();
    if( bCall ) zBefore = snapshot(db);
    if( op%16==13 ){
      rc = sqlite3_exec(db, zSql, 0, 0, 0);
    }else{
      rc = run(db, zSql);
    }
    if( op%16==14 ){
      bUserTxn = !sqlite3_get_autocommit(db);
    }else if( bUserTxn && sqlite3_get_autocommit(db) ){
      bUserTxn = 0;   /* SQLite itself may end it (e.g. on some errors) */
    }
    if( bCall && (rc!=SQLITE_OK || bDry) ){
      char *zAfter = snapshot(db);
      if( strcmp(zBefore, zAfter)!=0 ){
        fprintf(stderr, "call: %s\nrc=%d %s\n", zSql, rc, sqlite3_errmsg(db));
        fail(rc!=SQLITE_OK ? "a failed call changed the database"
                           : "a dry run changed the database", zAfter);
      }
      sqlite3_free(zAfter);
    }
    sqlite3_free(zBefore);
    sqlite3_free(zSql);
    check(db, bUserTxn);
  }
  if( bUserTxn ) run(db, "ROLLBACK");
  sqlite3_close(db);
  return 0;
}

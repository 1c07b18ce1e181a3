/*
** drv.h — shared by the fault drivers test/faults/killer.c and conc.c:
** the migration set they run and the invariant checks they apply.
**
** USAGE
**   #include "drv.h"
**   sqlite3 *db = drvOpen("x.db", 1, 20000);   // WAL, busy_timeout 20s
**   char zErr[512];
**   if( drvCheck(db, zErr, sizeof(zErr), 1) ) { fail: zErr says why }
**
** HOW IT WORKS
**   Every migration m_K creates table t_K (with rows, an index) and its
**   down drops it, so "the ledger matches the schema" is: the set of names
**   in migrations_ledger equals the set of K whose t_K exists.  drvCheck
**   also runs PRAGMA integrity_check and reads migrations_history: per
**   name, successful up and down runs strictly alternate starting with up
**   (no migration ever applied twice), and the names whose last run was up
**   are exactly the ledger.  Header-only (static functions), C99, links
**   with libmigrate.a and the system SQLite.
*/
#ifndef DRV_H
#define DRV_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include "sqlite3.h"
#include "migrate.h"

#define DRV_NMIG 5

/* Up script of migration K (1-based): a table with 40 rows and an index. */
static void drvUp(int k, char *z, size_t n){
  snprintf(z, n,
    "CREATE TABLE t_%d(a INTEGER PRIMARY KEY, b TEXT);\n"
    "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c WHERE i<40)\n"
    "INSERT INTO t_%d(b) SELECT printf('%%d %%.200c', i, 'x') FROM c;\n"
    "CREATE INDEX t_%d_b ON t_%d(b);\n", k, k, k, k);
}

/* Defines migrations m_1 .. m_N (INSERT OR REPLACE semantics). */
static int drvDefine(sqlite3 *db, int n, char **pzErr){
  migrate_script a[64];
  static char azName[64][16], azUp[64][512], azDown[64][64];
  int i;
  for(i=0; i<n && i<64; i++){
    snprintf(azName[i], sizeof(azName[i]), "m_%d", i+1);
    drvUp(i+1, azUp[i], sizeof(azUp[i]));
    snprintf(azDown[i], sizeof(azDown[i]), "DROP TABLE t_%d;", i+1);
    a[i].zName = azName[i];
    a[i].zUp = azUp[i];
    a[i].zDown = azDown[i];
  }
  return migrate_define(db, a, n, pzErr);
}

/* Opens zFile with libmigrate registered; bWal: journal_mode=WAL. */
static sqlite3 *drvOpen(const char *zFile, int bWal, int msBusy){
  sqlite3 *db = 0;
  if( sqlite3_open(zFile, &db)!=SQLITE_OK ){
    fprintf(stderr, "open %s: %s\n", zFile, sqlite3_errmsg(db));
    exit(2);
  }
  sqlite3_busy_timeout(db, msBusy);
  sqlite3_migrate_init(db, 0, 0);
  if( bWal ) sqlite3_exec(db, "PRAGMA journal_mode=WAL", 0, 0, 0);
  return db;
}

/* One integer from SQL (or -1 on error). */
static sqlite3_int64 drvInt(sqlite3 *db, const char *zSql){
  sqlite3_stmt *p = 0;
  sqlite3_int64 v = -1;
  if( sqlite3_prepare_v2(db, zSql, -1, &p, 0)==SQLITE_OK
   && sqlite3_step(p)==SQLITE_ROW ){
    v = sqlite3_column_int64(p, 0);
  }
  sqlite3_finalize(p);
  return v;
}

static int drvFail(char *zErr, int n, const char *zFmt, ...){
  va_list ap;
  va_start(ap, zFmt);
  vsnprintf(zErr, (size_t)n, zFmt, ap);
  va_end(ap);
  return 1;
}

/*
** Checks every invariant.  bBatch: the ledger must hold all of m_1..m_5
** or none (the kill loop only ever applies or reverts whole batches).
** Returns 0 if all hold, else 1 with the reason in zErr.
*/
static int drvCheck(sqlite3 *db, char *zErr, int nErr, int bBatch){
  sqlite3_stmt *p = 0;
  sqlite3_int64 n;
  const char *zIc = 0;
  int rc;
  if( sqlite3_get_autocommit(db)==0 ){
    return drvFail(zErr, nErr, "connection left inside a transaction");
  }
  rc = sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &p, 0);
  if( rc==SQLITE_OK && sqlite3_step(p)==SQLITE_ROW ){
    zIc = (const char*)sqlite3_column_text(p, 0);
  }
  if( zIc==0 || strcmp(zIc, "ok")!=0 ){
    drvFail(zErr, nErr, "integrity_check: %s", zIc ? zIc : sqlite3_errmsg(db));
    sqlite3_finalize(p);
    return 1;
  }
  sqlite3_finalize(p);
  if( drvInt(db, "SELECT count(*) FROM sqlite_schema"
                 " WHERE name='migrations_ledger'")!=1 ){
    return 0;   /* nothing recorded yet */
  }
  /* ledger == set of t_K tables */
  n = drvInt(db,
    "SELECT (SELECT count(*) FROM migrations_ledger WHERE 't_' || substr(name, 3)"
    "         NOT IN (SELECT name FROM sqlite_schema WHERE type='table'))"
    "     + (SELECT count(*) FROM sqlite_schema WHERE type='table'"
    "         AND name GLOB 't_[0-9]*' AND 'm_' || substr(name, 3)"
    "         NOT IN (SELECT name FROM migrations_ledger))");
  if( n!=0 ){
    return drvFail(zErr, nErr, "ledger does not match the schema "
                   "(%lld names differ)", n);
  }
  if( bBatch ){
    n = drvInt(db, "SELECT count(*) FROM migrations_ledger");
    if( n!=0 && n!=DRV_NMIG ){
      return drvFail(zErr, nErr, "half a batch: %lld of %d applied",
                     n, DRV_NMIG);
    }
  }
  /* history: ok up/down strictly alternate per name, starting with up */
  n = drvInt(db,
    "SELECT count(*) FROM (SELECT direction, lag(direction) OVER"
    "   (PARTITION BY name ORDER BY id) AS prev FROM migrations_history"
    "   WHERE ok=1 AND direction IN ('up','down'))"
    " WHERE direction = coalesce(prev, 'down')");
  if( n!=0 ){
    return drvFail(zErr, nErr, "history: %lld runs repeat the previous "
                   "direction (applied or reverted twice)", n);
  }
  n = drvInt(db,
    "WITH last AS (SELECT name, direction FROM (SELECT name, direction,"
    "   row_number() OVER (PARTITION BY name ORDER BY id DESC) AS rn"
    "   FROM migrations_history WHERE ok=1 AND direction IN ('up','down'))"
    "   WHERE rn=1)"
    "SELECT (SELECT count(*) FROM last WHERE direction='up'"
    "         AND name NOT IN (SELECT name FROM migrations_ledger))"
    "     + (SELECT count(*) FROM migrations_ledger"
    "         WHERE name NOT IN (SELECT name FROM last WHERE direction='up'))");
  if( n!=0 ){
    return drvFail(zErr, nErr, "history and ledger disagree on %lld names", n);
  }
  return 0;
}
#endif /* DRV_H */

/*
** store.c — the storage: creation, definitions, ledger and history.
**
** Everything libmigrate keeps lives in three ordinary tables of the main
** schema, created from sql/storage.sql (embedded as migrateStorageSql) on
** the first write to `migrations` — never by loading or reading.
**
** USAGE
**   migrateStoreWrite()/migrateStoreDelete()  define (vtab_scripts.c, api.c)
**   migrateRecorderOpen() ... migrateRecord*()  record the outcome of a call
**                                               (run.c)
**   migrateStoreBoot()  the script arrays migrate_boot_v2() found defined
**                       exactly so (sql/boot.sql; api.c)
**
** HOW IT WORKS
**   Every write or delete of a definition first forgets the recorded boot
**   arrays (migrateStoreBoot), so migrate_boot_v2()'s fast path never
**   trusts a value older than the definitions.
**
**   Definitions are validated here, once, for every path that writes them:
**   text only, valid UTF-8, no NUL bytes, a non-empty name, a non-NULL up;
**   a squash's list of replaced names is stored trimmed, one a line.  The
**   `replaces` column is added (ALTER TABLE) by the first write that needs
**   it, so a database created before it existed keeps working unchanged.
**   The checksums of up and down are computed on every write, so checking
**   for drift or for an unchanged redefinition never reads script text.
**
**   A MigrateRecorder holds the prepared statements one call needs,
**   prepared on first use and finalized together.  Script text is copied
**   out and the reading statement reset before the script runs: an active
**   read statement would make DROP TABLE in the script fail with
**   SQLITE_LOCKED.  Values are always bound, never pasted into SQL.
*/
#include "migrateInt.h"
#include <string.h>

/*
** Sets *pbExists to 1 if table zTable (one of ours) exists in main.
**
** Preparing a statement that names the table looks it up in SQLite's
** in-memory schema hash: O(1), where a query of sqlite_schema would scan
** every table and index of the database (it has no index) — at each
** migrate() of an application with thousands of tables.  Nothing runs.
*/
int migrateStoreHasTable(sqlite3 *db, const char *zTable, int *pbExists){
  sqlite3_stmt *pStmt = 0;
  char *zSql = sqlite3_mprintf("SELECT 0 FROM main.\"%w\"", zTable);
  int rc;
  *pbExists = 0;
  if( zSql==0 ) return SQLITE_NOMEM;
  rc = sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0);
  sqlite3_free(zSql);
  sqlite3_finalize(pStmt);
  if( rc==SQLITE_OK ){
    *pbExists = 1;
  }else if( rc==SQLITE_ERROR ){
    rc = SQLITE_OK;   /* no such table */
  }
  return rc;
}

/*
** Sets *pbExists to 1 if the storage exists in main: either of the
** definitions or the ledger (one without the other is damage, which the
** readers then report instead of showing an empty, "never migrated" state).
*/
int migrateStoreExists(sqlite3 *db, int *pbExists){
  int rc = migrateStoreHasTable(db, "migrations_scripts", pbExists);
  if( rc==SQLITE_OK && !*pbExists ){
    rc = migrateStoreHasTable(db, "migrations_ledger", pbExists);
  }
  return rc;
}

/*
** Creates the storage tables if they do not exist yet.
*/
int migrateStoreCreate(sqlite3 *db, char **pzErr){
  int bExists = 0;
  char *zErr = 0;
  int rc = migrateStoreHasTable(db, "migrations_scripts", &bExists);
  if( rc==SQLITE_OK && !bExists ){
    rc = sqlite3_exec(db, migrateStorageSql, 0, 0, &zErr);
    if( rc!=SQLITE_OK ){
      *pzErr = sqlite3_mprintf("migrations: cannot create the storage "
                               "tables: %s", zErr ? zErr : sqlite3_errstr(rc));
      sqlite3_free(zErr);
    }
  }
  return rc;
}

/*
** Sets *pbHas to 1 if main.migrations_scripts has the `replaces` column
** (storage created before it existed has not; see sql/storage.sql).
** Preparing the statement looks the column up; nothing runs.
*/
int migrateStoreHasReplaces(sqlite3 *db, int *pbHas){
  sqlite3_stmt *pStmt = 0;
  int rc = sqlite3_prepare_v2(db,
      "SELECT replaces FROM main.migrations_scripts", -1, &pStmt, 0);
  sqlite3_finalize(pStmt);
  *pbHas = rc==SQLITE_OK;
  return rc==SQLITE_ERROR ? SQLITE_OK : rc;
}

/*
** A fingerprint of every definition in main.migrations_scripts, from the
** small columns only: rowid, repeatable, whether a verify query exists
** (integers), name, checksum, down_checksum (text or NULL).  What a call
** runs is fixed when it starts: run.c takes it from the plan
** (migratePlanLoad adds up the same row hashes from the status query) and
** compares this scan before each commit.  A script that rewrites an up
** without its checksum is caught elsewhere (the plan refuses a definition
** whose up does not match it).  aCol: the six columns in pStmt, in that
** order.  Each row is mixed 8 bytes at a time (FNV-1a's multiplier,
** folded); the rows are added up, so their order is free.
*/
#define DEFS_MIX(h, v) ((((h) ^ (v)) * 1099511628211ULL) ^ ((h) >> 29))
sqlite3_uint64 migrateDefsRowHash(sqlite3_stmt *pStmt, const int *aCol){
  sqlite3_uint64 h = 14695981039346656037ULL;
  int i, k, n;
  for(i=0; i<3; i++){
    h = DEFS_MIX(h, (sqlite3_uint64)sqlite3_column_int64(pStmt, aCol[i]));
  }
  for(i=3; i<6; i++){
    const unsigned char *z = sqlite3_column_text(pStmt, aCol[i]);
    n = sqlite3_column_bytes(pStmt, aCol[i]);
    h = DEFS_MIX(h, z ? (sqlite3_uint64)n : 0xffffffffffffULL);
    for(k=0; z && k<n; k+=8){
      sqlite3_uint64 v = 0;
      memcpy(&v, z+k, n-k<8 ? (size_t)(n-k) : 8);
      h = DEFS_MIX(h, v);
    }
  }
  return h;
}
int migrateStoreDefsSum(sqlite3 *db, sqlite3_uint64 *pSum){
  static const int aCol[] = { 0, 1, 2, 3, 4, 5 };
  sqlite3_stmt *pStmt = 0;
  sqlite3_uint64 h = 0;
  int rc = sqlite3_prepare_v2(db, "SELECT rowid, repeatable,"
      " verify IS NOT NULL, name, checksum, down_checksum"
      " FROM main.migrations_scripts", -1, &pStmt, 0);
  while( rc==SQLITE_OK && sqlite3_step(pStmt)==SQLITE_ROW ){
    h += migrateDefsRowHash(pStmt, aCol);
  }
  if( rc==SQLITE_OK ) rc = sqlite3_finalize(pStmt);
  else sqlite3_finalize(pStmt);
  *pSum = h;
  return rc;
}

/*
** The replaced names of pDef in their stored form: each line trimmed of
** spaces, tabs and CR, empty lines dropped, joined by newlines.  Sets
** *pzOut (sqlite3_malloc'ed; NULL when no name is left).  Refuses a name
** equal to the definition's own, and a repeatable squash.
*/
static int storeReplaces(const MigrateDef *pDef, char **pzOut, char **pzErr){
  const char *z = pDef->zReplaces;
  sqlite3_str *pStr;
  int rc;
  *pzOut = 0;
  if( z==0 ) return SQLITE_OK;
  pStr = sqlite3_str_new(0);
  while( *z ){
    const char *zEnd = strchr(z, '\n');
    int n = zEnd ? (int)(zEnd-z) : (int)strlen(z);
    const char *zNext = zEnd ? zEnd+1 : z+n;
    while( n>0 && (z[0]==' ' || z[0]=='\t' || z[0]=='\r') ){ z++; n--; }
    while( n>0 && (z[n-1]==' ' || z[n-1]=='\t' || z[n-1]=='\r') ) n--;
    if( n>0 ){
      if( (int)strlen(pDef->zName)==n && memcmp(pDef->zName, z, n)==0 ){
        *pzErr = sqlite3_mprintf("migrations: %s cannot replace itself",
                                 pDef->zName);
        sqlite3_free(sqlite3_str_finish(pStr));
        return SQLITE_CONSTRAINT_CHECK;
      }
      if( sqlite3_str_length(pStr) ) sqlite3_str_appendchar(pStr, 1, '\n');
      sqlite3_str_append(pStr, z, n);
    }
    z = zNext;
  }
  if( sqlite3_str_length(pStr) && pDef->bRepeatable ){
    *pzErr = sqlite3_mprintf("migrations: %s is repeatable: a repeatable "
        "migration cannot replace others (leave replaces NULL)", pDef->zName);
    sqlite3_free(sqlite3_str_finish(pStr));
    return SQLITE_CONSTRAINT_CHECK;
  }
  rc = sqlite3_str_errcode(pStr);
  if( rc==SQLITE_OK && sqlite3_str_length(pStr) ){
    *pzOut = sqlite3_str_finish(pStr);
    return *pzOut ? SQLITE_OK : SQLITE_NOMEM;
  }
  sqlite3_free(sqlite3_str_finish(pStr));
  return rc;
}

/* Binds text z (NULL binds NULL). */
static int storeBindText(sqlite3_stmt *pStmt, int i, const char *z){
  return z ? sqlite3_bind_text(pStmt, i, z, -1, SQLITE_STATIC)
           : sqlite3_bind_null(pStmt, i);
}

/*
** Looks up the definition of zName.  *piRowid: its rowid, 0 if none.
** *pbSame: 1 if it has the checksums zSum (of up) and zDownSum (of down,
** NULL for a NULL down) — a redefinition would change nothing.
*/
static int storeFind(sqlite3 *db, const MigrateDef *pDef, const char *zSum,
                     const char *zDownSum, int bHasReplaces,
                     sqlite3_int64 *piRowid, int *pbSame){
  sqlite3_stmt *pStmt = 0;
  int rc = sqlite3_prepare_v2(db, bHasReplaces
      ? "SELECT rowid, checksum=?2 AND down_checksum IS ?3"
        "       AND repeatable=?4 AND verify IS ?5 AND replaces IS ?6"
        "  FROM main.migrations_scripts WHERE name=?1"
      : "SELECT rowid, checksum=?2 AND down_checksum IS ?3"
        "       AND repeatable=?4 AND verify IS ?5 AND ?6 IS NULL"
        "  FROM main.migrations_scripts WHERE name=?1", -1, &pStmt, 0);
  *piRowid = 0;
  *pbSame = 0;
  if( rc!=SQLITE_OK ) return rc;
  sqlite3_bind_text(pStmt, 1, pDef->zName, -1, SQLITE_STATIC);
  sqlite3_bind_text(pStmt, 2, zSum, -1, SQLITE_STATIC);
  storeBindText(pStmt, 3, zDownSum);
  sqlite3_bind_int(pStmt, 4, pDef->bRepeatable!=0);
  storeBindText(pStmt, 5, pDef->zVerify);
  storeBindText(pStmt, 6, pDef->zReplaces);
  if( sqlite3_step(pStmt)==SQLITE_ROW ){
    *piRowid = sqlite3_column_int64(pStmt, 0);
    *pbSame = sqlite3_column_int(pStmt, 1);
  }
  return sqlite3_finalize(pStmt);
}

/*
** Sets *pbSame to 1 if every script of aScript[0..nScript-1] is defined
** already exactly so (compared by the checksums of up and down, so no
** script text is read; one prepared statement for all of them).  Storage
** that does not exist yet means "not the same" unless nScript is 0.
*/
int migrateStoreAllDefined(sqlite3 *db, const migrate_script *aScript,
                           int nScript, int *pbSame){
  sqlite3_stmt *pStmt = 0;
  int bExists = 0;
  int i;
  int rc = migrateStoreExists(db, &bExists);
  *pbSame = nScript==0;
  if( rc!=SQLITE_OK || !bExists || nScript==0 ) return rc;
  rc = sqlite3_prepare_v2(db,
      "SELECT checksum=?2 AND down_checksum IS ?3 AND repeatable=0"
      "       AND verify IS NULL"
      "  FROM main.migrations_scripts WHERE name=?1", -1, &pStmt, 0);
  *pbSame = 1;
  for(i=0; rc==SQLITE_OK && *pbSame && i<nScript; i++){
    char zSum[MIGRATE_CHECKSUM_LEN+1];
    char zDownSum[MIGRATE_CHECKSUM_LEN+1];
    const migrate_script *p = &aScript[i];
    migrateChecksum(p->zUp, (int)strlen(p->zUp), zSum);
    if( p->zDown ) migrateChecksum(p->zDown, (int)strlen(p->zDown), zDownSum);
    sqlite3_bind_text(pStmt, 1, p->zName, -1, SQLITE_STATIC);
    sqlite3_bind_text(pStmt, 2, zSum, -1, SQLITE_STATIC);
    storeBindText(pStmt, 3, p->zDown ? zDownSum : 0);
    *pbSame = sqlite3_step(pStmt)==SQLITE_ROW && sqlite3_column_int(pStmt, 0);
    rc = sqlite3_reset(pStmt);
  }
  sqlite3_finalize(pStmt);
  return rc;
}

/*
** Defines one migration, as a write to the `migrations` table does.
**
** iOld: the rowid being updated, or 0 for an insert.  pIn: the new values.
** eConflict: what sqlite3_vtab_on_conflict() said (SQLITE_IGNORE,
** SQLITE_REPLACE, anything else = fail on a duplicate name).  Refuses an
** empty name, text that is not valid UTF-8, a repeatable migration with a
** down script or replaced names, a squash replacing itself.  Creates the
** storage on first use, and the `replaces` column when a squash needs it.
** On success *piRowid is the row's rowid.  A REPLACE that would change
** nothing (same checksums of up and down, same verify, repeatable and
** replaced names) writes nothing.
*/
int migrateStoreWrite(sqlite3 *db, sqlite3_int64 iOld, const MigrateDef *pIn,
                      int eConflict, sqlite3_int64 *piRowid, char **pzErr){
  char zSum[MIGRATE_CHECKSUM_LEN+1];
  char zDownSum[MIGRATE_CHECKSUM_LEN+1];
  sqlite3_stmt *pStmt = 0;
  sqlite3_int64 iDup = 0;
  int bSame = 0;
  int bHasReplaces = 0;
  int nUp = (int)strlen(pIn->zUp);
  int rc = SQLITE_OK;
  const char *azCol[5];
  const char *azVal[5];
  char *zReplaces = 0;
  char *zSql = 0;
  MigrateDef def = *pIn;     /* with the replaced names in stored form */
  const MigrateDef *pDef = &def;
  int k;

  azCol[0] = "name";   azVal[0] = pDef->zName;
  azCol[1] = "up";     azVal[1] = pDef->zUp;
  azCol[2] = "down";   azVal[2] = pDef->zDown;
  azCol[3] = "verify"; azVal[3] = pDef->zVerify;
  azCol[4] = "replaces"; azVal[4] = pDef->zReplaces;
  if( pDef->zName[0]==0 ){
    *pzErr = sqlite3_mprintf("migrations: name must not be empty");
    return SQLITE_CONSTRAINT_CHECK;
  }
  for(k=0; k<5; k++){
    if( azVal[k] && !migrateIsUtf8((const unsigned char*)azVal[k],
                                   (int)strlen(azVal[k])) ){
      *pzErr = sqlite3_mprintf("migrations: %s is not valid UTF-8 text",
                               azCol[k]);
      return SQLITE_MISMATCH;
    }
  }
  if( pDef->zVerify ){
    char *zWhat = 0;
    int iLine = 0;
    rc = migrateGuard(pDef->zVerify, 0, &zWhat, &iLine);
    if( rc==SQLITE_ERROR ){
      *pzErr = sqlite3_mprintf("migrations: the verify query of %s may not "
          "hold %s (line %d): it runs inside the call's transaction",
          pDef->zName, zWhat, iLine);
      rc = SQLITE_CONSTRAINT_CHECK;
    }
    sqlite3_free(zWhat);
    if( rc!=SQLITE_OK ) return rc;
  }
  if( pDef->bRepeatable && pDef->zDown && pDef->zDown[0] ){
    *pzErr = sqlite3_mprintf("migrations: %s is repeatable: a repeatable "
        "migration has no down script (leave down NULL)", pDef->zName);
    return SQLITE_CONSTRAINT_CHECK;
  }
  rc = storeReplaces(pDef, &zReplaces, pzErr);
  if( rc!=SQLITE_OK ) return rc;
  def.zReplaces = zReplaces;
  rc = migrateStoreCreate(db, pzErr);
  if( rc==SQLITE_OK ) rc = migrateStoreHasReplaces(db, &bHasReplaces);
  if( rc==SQLITE_OK && zReplaces && !bHasReplaces ){
    /* storage made before the column existed: added by the first write
    ** that needs it (inside the caller's statement or transaction) */
    rc = sqlite3_exec(db, "ALTER TABLE main.migrations_scripts"
                          " ADD COLUMN replaces TEXT", 0, 0, 0);
    bHasReplaces = rc==SQLITE_OK;
  }
  if( rc!=SQLITE_OK ) goto store_write_done;

  migrateChecksum(pDef->zUp, nUp, zSum);
  if( pDef->zDown ){
    migrateChecksum(pDef->zDown, (int)strlen(pDef->zDown), zDownSum);
  }
  rc = storeFind(db, pDef, zSum, pDef->zDown ? zDownSum : 0, bHasReplaces,
                 &iDup, &bSame);
  if( rc!=SQLITE_OK ) goto store_write_done;

  if( iDup && iDup!=iOld ){
    if( eConflict==SQLITE_IGNORE || (eConflict==SQLITE_REPLACE && bSame
                                     && iOld==0) ){
      *piRowid = iDup;
      goto store_write_done;
    }
    if( eConflict!=SQLITE_REPLACE ){
      *pzErr = sqlite3_mprintf("UNIQUE constraint failed: migrations.name "
          "(a migration named '%s' is already defined; INSERT OR REPLACE "
          "replaces it)", pDef->zName);
      rc = SQLITE_CONSTRAINT_UNIQUE;
      goto store_write_done;
    }
    rc = migrateStoreDelete(db, iDup, pzErr);
    if( rc!=SQLITE_OK ) goto store_write_done;
  }

  rc = migrateStoreBoot(db, MIGRATE_BOOT_FORGET, 0, 0);
  if( rc!=SQLITE_OK ) goto store_write_done;
  /* ?8 is bound only where the column exists */
  zSql = iOld
    ? sqlite3_mprintf("UPDATE main.migrations_scripts SET name=?1,"
        " checksum=?2, down_checksum=?3, repeatable=?4, up=?5, down=?6,"
        " verify=?7%s WHERE rowid=?9", bHasReplaces ? ", replaces=?8" : "")
    : sqlite3_mprintf("INSERT INTO main.migrations_scripts(name, checksum,"
        " down_checksum, repeatable, up, down, verify%s)"
        " VALUES(?1,?2,?3,?4,?5,?6,?7%s)", bHasReplaces ? ", replaces" : "",
        bHasReplaces ? ",?8" : "");
  rc = zSql ? sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0) : SQLITE_NOMEM;
  if( rc!=SQLITE_OK ) goto store_write_done;
  sqlite3_bind_text(pStmt, 1, pDef->zName, -1, SQLITE_STATIC);
  sqlite3_bind_text(pStmt, 2, zSum, -1, SQLITE_STATIC);
  storeBindText(pStmt, 3, pDef->zDown ? zDownSum : 0);
  sqlite3_bind_int(pStmt, 4, pDef->bRepeatable!=0);
  sqlite3_bind_text(pStmt, 5, pDef->zUp, nUp, SQLITE_STATIC);
  storeBindText(pStmt, 6, pDef->zDown);
  storeBindText(pStmt, 7, pDef->zVerify);
  if( bHasReplaces ) storeBindText(pStmt, 8, pDef->zReplaces);
  if( iOld ) sqlite3_bind_int64(pStmt, 9, iOld);
  sqlite3_step(pStmt);
  rc = sqlite3_finalize(pStmt);
  pStmt = 0;
  if( rc==SQLITE_OK ){
    *piRowid = iOld ? iOld : sqlite3_last_insert_rowid(db);
  }

store_write_done:
  sqlite3_finalize(pStmt);
  sqlite3_free(zReplaces);
  sqlite3_free(zSql);
  if( rc!=SQLITE_OK && *pzErr==0 && rc!=SQLITE_NOMEM ){
    *pzErr = sqlite3_mprintf("migrations: %s", sqlite3_errmsg(db));
  }
  return rc;
}

/*
** Deletes the definition with rowid iRowid (the ledger is not touched: an
** applied migration becomes `missing`).
*/
int migrateStoreDelete(sqlite3 *db, sqlite3_int64 iRowid, char **pzErr){
  sqlite3_stmt *pStmt = 0;
  int rc = migrateStoreBoot(db, MIGRATE_BOOT_FORGET, 0, 0);
  if( rc==SQLITE_OK ){
    rc = sqlite3_prepare_v2(db,
        "DELETE FROM main.migrations_scripts WHERE rowid=?", -1, &pStmt, 0);
  }
  if( rc==SQLITE_OK ){
    sqlite3_bind_int64(pStmt, 1, iRowid);
    sqlite3_step(pStmt);
    rc = sqlite3_finalize(pStmt);
  }
  if( rc!=SQLITE_OK && rc!=SQLITE_NOMEM ){
    *pzErr = sqlite3_mprintf("migrations: %s", sqlite3_errmsg(db));
  }
  return rc;
}

/* ---------------------------------------------------------------- recorder */

#define REC_UP_TEXT      0
#define REC_DOWN_TEXT    1
#define REC_VERIFY_TEXT  2
#define REC_LEDGER_DOWN  3
#define REC_LEDGER_ADD   4
#define REC_LEDGER_DEL   5
#define REC_HISTORY      6
#define REC_REPAIR       7
#define REC_CLAIM        8
#define REC_UNCLAIM      9
#define REC_N           10

static const char *const azRecSql[REC_N] = {
  /* REC_UP_TEXT */
  "SELECT up FROM main.migrations_scripts WHERE rowid=?1",
  /* REC_DOWN_TEXT */
  "SELECT down FROM main.migrations_scripts WHERE rowid=?1",
  /* REC_VERIFY_TEXT */
  "SELECT verify FROM main.migrations_scripts WHERE rowid=?1",
  /* REC_LEDGER_DOWN */
  "SELECT down FROM main.migrations_ledger WHERE rowid=?1",
  /* REC_LEDGER_ADD: the down script is copied as it is at apply time;
  ** ?6, when not NULL, is the checksum of the up script that ran: a
  ** definition changed or deleted since then records nothing */
  "INSERT INTO main.migrations_ledger"
  "(name, batch, checksum, applied_at, duration_ms, changes, repeatable, down)"
  " SELECT name, ?2, checksum, ?3, ?4, ?5, repeatable, down"
  "   FROM main.migrations_scripts WHERE rowid=?1 AND checksum=ifnull(?6,checksum)",
  /* REC_LEDGER_DEL */
  "DELETE FROM main.migrations_ledger WHERE rowid=?1",
  /* REC_HISTORY */
  "INSERT INTO main.migrations_history"
  "(name, direction, batch, at, duration_ms, changes, ok, message)"
  " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
  /* REC_REPAIR: re-record the checksum of an edited applied script */
  "UPDATE main.migrations_ledger SET checksum="
  " (SELECT checksum FROM main.migrations_scripts WHERE rowid=?2)"
  " WHERE rowid=?1",
  /* REC_CLAIM */
  "INSERT INTO main.migrations_lock(name, batch, started_at) VALUES(?1,?2,?3)",
  /* REC_UNCLAIM */
  "DELETE FROM main.migrations_lock WHERE name=?1",
};

struct MigrateRecorder {
  sqlite3 *db;
  sqlite3_stmt *apStmt[REC_N];
};

int migrateRecorderOpen(sqlite3 *db, MigrateRecorder **ppRec){
  MigrateRecorder *p = sqlite3_malloc(sizeof(MigrateRecorder));
  *ppRec = p;
  if( p==0 ) return SQLITE_NOMEM;
  memset(p, 0, sizeof(*p));
  p->db = db;
  return SQLITE_OK;
}

void migrateRecorderClose(MigrateRecorder *p){
  int i;
  if( p==0 ) return;
  for(i=0; i<REC_N; i++) sqlite3_finalize(p->apStmt[i]);
  sqlite3_free(p);
}

/* Returns the statement eStmt, prepared on first use, or NULL. */
static sqlite3_stmt *recStmt(MigrateRecorder *p, int eStmt, int *pRc){
  if( p->apStmt[eStmt]==0 ){
    *pRc = sqlite3_prepare_v2(p->db, azRecSql[eStmt], -1,
                              &p->apStmt[eStmt], 0);
  }
  return p->apStmt[eStmt];
}

/* Steps pStmt once, resets it, returns the resulting code. */
static int recRun(sqlite3_stmt *pStmt){
  sqlite3_step(pStmt);
  return sqlite3_reset(pStmt);
}

/*
** Copies a script of pItem into *pzOut (sqlite3_malloc'ed).  eWhich:
** MIGRATE_SCRIPT_UP, MIGRATE_SCRIPT_VERIFY, or MIGRATE_SCRIPT_DOWN — the
** current definition's down script, else the ledger's copy.  *pbNull is
** set when the script is NULL (an irreversible down, no verify query).
** A blob (only a hand-damaged table holds one) is SQLITE_MISMATCH: it is
** never run as if it were text.  bFast (for a script whose type was
** checked earlier in the call): the text is read by incremental I/O
** instead of a SELECT.
*/
int migrateRecordScript(MigrateRecorder *p, const MigrateItem *pItem,
                        int eWhich, int bFast, char **pzOut, int *pbNull){
  int eStmt = eWhich==MIGRATE_SCRIPT_UP ? REC_UP_TEXT
            : eWhich==MIGRATE_SCRIPT_VERIFY ? REC_VERIFY_TEXT
            : pItem->iScript ? REC_DOWN_TEXT : REC_LEDGER_DOWN;
  sqlite3_int64 iRowid = eStmt==REC_LEDGER_DOWN ? pItem->iLedger
                                                : pItem->iScript;
  int rc = SQLITE_OK;
  sqlite3_stmt *pStmt;
  sqlite3_blob *pBlob = 0;
  *pzOut = 0;
  *pbNull = 1;
  if( bFast && eStmt!=REC_VERIFY_TEXT && MIGRATE_HAVE_API(blob_open) ){
    rc = sqlite3_blob_open(p->db, "main",
        eStmt==REC_LEDGER_DOWN ? "migrations_ledger" : "migrations_scripts",
        eStmt==REC_UP_TEXT ? "up" : "down", iRowid, 0, &pBlob);
    /* SQLITE_ERROR: a NULL value (the SELECT below reads it).  Any other
    ** error is the call's: out of memory there may already have rolled
    ** the call's transaction back, so nothing may carry on. */
    if( rc!=SQLITE_OK && rc!=SQLITE_ERROR ) return rc;
    rc = SQLITE_OK;
  }
  if( pBlob ){
    /* The fast path: incremental I/O needs no SQL to be prepared, while a
    ** prepared SELECT would be re-prepared after every migration (each
    ** schema change expires it).  NULL values cannot be opened this way and
    ** take the SELECT below, which also checks the type. */
    int n = sqlite3_blob_bytes(pBlob);
    *pzOut = sqlite3_malloc(n+1);
    rc = *pzOut ? sqlite3_blob_read(pBlob, *pzOut, n, 0) : SQLITE_NOMEM;
    sqlite3_blob_close(pBlob);
    if( rc==SQLITE_OK ){
      (*pzOut)[n] = 0;
      *pbNull = 0;
      if( (int)strlen(*pzOut)==n ) return SQLITE_OK;
      rc = SQLITE_MISMATCH;  /* a NUL byte: a blob planted by hand */
    }
    sqlite3_free(*pzOut);
    *pzOut = 0;
    return rc;
  }
  pStmt = recStmt(p, eStmt, &rc);
  if( pStmt==0 ) return rc;
  sqlite3_bind_int64(pStmt, 1, iRowid);
  if( sqlite3_step(pStmt)==SQLITE_ROW
   && sqlite3_column_type(pStmt, 0)==SQLITE_BLOB ){
    sqlite3_reset(pStmt);
    return SQLITE_MISMATCH;
  }
  if( sqlite3_column_type(pStmt, 0)!=SQLITE_NULL ){
    const char *z = (const char*)sqlite3_column_text(pStmt, 0);
    int n = sqlite3_column_bytes(pStmt, 0);
    *pbNull = 0;
    *pzOut = z ? sqlite3_malloc(n+1) : 0;
    if( *pzOut==0 ){
      sqlite3_reset(pStmt);
      return SQLITE_NOMEM;
    }
    memcpy(*pzOut, z, (size_t)n);
    (*pzOut)[n] = 0;
  }
  return sqlite3_reset(pStmt);
}

/*
** Appends a row to migrations_history, dated iAt (Julian-epoch ms; 0 for
** now).  iBatch<0 stores NULL; nChange<0 stores NULL; zMsg may be NULL.
*/
int migrateRecordHistory(MigrateRecorder *p, const char *zName,
                         const char *zDir, sqlite3_int64 iBatch,
                         sqlite3_int64 iAt, sqlite3_int64 iMs,
                         sqlite3_int64 nChange, int bOk, const char *zMsg){
  char zAt[24];
  int rc = SQLITE_OK;
  sqlite3_stmt *pStmt = recStmt(p, REC_HISTORY, &rc);
  if( pStmt==0 ) return rc;
  migrateFormatTime(iAt>0 ? iAt : migrateNowMs(p->db), zAt);
  sqlite3_bind_text(pStmt, 1, zName, -1, SQLITE_STATIC);
  sqlite3_bind_text(pStmt, 2, zDir, -1, SQLITE_STATIC);
  if( iBatch>=0 ) sqlite3_bind_int64(pStmt, 3, iBatch);
  rc = sqlite3_bind_text(pStmt, 4, zAt, -1, SQLITE_TRANSIENT);  /* may fail */
  sqlite3_bind_int64(pStmt, 5, iMs);
  if( nChange>=0 ) sqlite3_bind_int64(pStmt, 6, nChange);
  sqlite3_bind_int(pStmt, 7, bOk);
  storeBindText(pStmt, 8, zMsg);
  if( rc==SQLITE_OK ) rc = recRun(pStmt);
  sqlite3_clear_bindings(pStmt);
  return rc;
}

/* Deletes the ledger row of pItem. */
static int recLedgerDelete(MigrateRecorder *p, const MigrateItem *pItem){
  int rc = SQLITE_OK;
  sqlite3_stmt *pStmt = recStmt(p, REC_LEDGER_DEL, &rc);
  if( pStmt==0 ) return rc;
  sqlite3_bind_int64(pStmt, 1, pItem->iLedger);
  return recRun(pStmt);
}

/*
** Records that pItem was applied in batch iBatch, started at iStart (JD ms),
** took iMs and changed nChange rows: a ledger row (replacing the previous
** run's row of a repeatable migration) and a history row with note zNote.
** zSum is the checksum of the up script that ran: when the definition no
** longer has it (a script of the call changed or deleted it) nothing is
** recorded and SQLITE_NOTFOUND is returned.
*/
int migrateRecordUp(MigrateRecorder *p, const MigrateItem *pItem,
                    const char *zSum, sqlite3_int64 iBatch,
                    sqlite3_int64 iStart, sqlite3_int64 iMs,
                    sqlite3_int64 nChange, const char *zNote){
  char zAt[24];
  int rc = SQLITE_OK;
  sqlite3_stmt *pStmt;
  /* only a repeatable migration still has its row here: any other one that
  ** had a row was reverted earlier in this call (refresh), and its old
  ** rowid may belong by now to a row this call re-added */
  if( pItem->iLedger && pItem->bRepeatable ) rc = recLedgerDelete(p, pItem);
  if( rc!=SQLITE_OK ) return rc;
  pStmt = recStmt(p, REC_LEDGER_ADD, &rc);
  if( pStmt==0 ) return rc;
  migrateFormatTime(iStart, zAt);
  sqlite3_bind_int64(pStmt, 1, pItem->iScript);
  sqlite3_bind_int64(pStmt, 2, iBatch);
  rc = sqlite3_bind_text(pStmt, 3, zAt, -1, SQLITE_TRANSIENT);  /* may fail */
  sqlite3_bind_int64(pStmt, 4, iMs);
  sqlite3_bind_int64(pStmt, 5, nChange);
  if( rc==SQLITE_OK ){
    rc = sqlite3_bind_text(pStmt, 6, zSum, -1, SQLITE_TRANSIENT);
  }
  if( rc==SQLITE_OK ) rc = recRun(pStmt);
  if( rc==SQLITE_OK && sqlite3_changes(p->db)!=1 ) rc = SQLITE_NOTFOUND;
  if( rc==SQLITE_OK ){
    rc = migrateRecordHistory(p, pItem->zName, "up", iBatch, iStart+iMs, iMs,
                              nChange, 1, zNote);
  }
  return rc;
}

/*
** Records that pItem was reverted: its ledger row goes, a history row is
** added.
*/
int migrateRecordDown(MigrateRecorder *p, const MigrateItem *pItem,
                      sqlite3_int64 iStart, sqlite3_int64 iMs,
                      sqlite3_int64 nChange, const char *zNote){
  int rc = recLedgerDelete(p, pItem);
  if( rc==SQLITE_OK ){
    rc = migrateRecordHistory(p, pItem->zName, "down", pItem->iBatch,
                              iStart+iMs, iMs, nChange, 1, zNote);
  }
  return rc;
}

/*
** migrate_repair() for one item: a changed migration gets its current
** checksum recorded; a missing one is forgotten.  Logged as 'repair'.
*/
int migrateRecordRepair(MigrateRecorder *p, const MigrateItem *pItem){
  int rc = SQLITE_OK;
  if( pItem->eState==MIGRATE_MISSING ){
    rc = recLedgerDelete(p, pItem);
  }else{
    sqlite3_stmt *pStmt = recStmt(p, REC_REPAIR, &rc);
    if( pStmt==0 ) return rc;
    sqlite3_bind_int64(pStmt, 1, pItem->iLedger);
    sqlite3_bind_int64(pStmt, 2, pItem->iScript);
    rc = recRun(pStmt);
  }
  if( rc==SQLITE_OK ){
    rc = migrateRecordHistory(p, pItem->zName, "repair", pItem->iBatch, 0, 0,
                              -1, 1, 0);
  }
  return rc;
}

/*
** migrate_baseline() and migrate_mark() for one item: recorded as applied
** in batch 0 with duration 0, without running it.  Logged as 'baseline'.
*/
int migrateRecordBaseline(MigrateRecorder *p, const MigrateItem *pItem){
  char zAt[24];
  int rc = SQLITE_OK;
  sqlite3_stmt *pStmt = recStmt(p, REC_LEDGER_ADD, &rc);
  if( pStmt==0 ) return rc;
  migrateFormatTime(migrateNowMs(p->db), zAt);
  sqlite3_bind_int64(pStmt, 1, pItem->iScript);
  sqlite3_bind_int64(pStmt, 2, 0);
  rc = sqlite3_bind_text(pStmt, 3, zAt, -1, SQLITE_TRANSIENT);  /* may fail */
  sqlite3_bind_int64(pStmt, 4, 0);
  sqlite3_bind_null(pStmt, 5);
  sqlite3_bind_null(pStmt, 6);   /* no checksum that ran: nothing ran */
  if( rc==SQLITE_OK ) rc = recRun(pStmt);
  if( rc==SQLITE_OK ){
    rc = migrateRecordHistory(p, pItem->zName, "baseline", 0, 0, 0, -1, 1, 0);
  }
  return rc;
}

/* ---------------------------------------------------------------- claims */

/*
** Claims no-transaction migration pItem of batch iBatch: a row in
** main.migrations_lock (created from sql/lock.sql on first use), written
** inside the transaction that commits the batch before it (run.c).
*/
int migrateRecordClaim(MigrateRecorder *p, const MigrateItem *pItem,
                       sqlite3_int64 iBatch){
  char zAt[24];
  int bExists = 0;
  int rc = migrateStoreHasTable(p->db, "migrations_lock", &bExists);
  sqlite3_stmt *pStmt;
  if( rc==SQLITE_OK && !bExists ){
    rc = sqlite3_exec(p->db, migrateLockSql, 0, 0, 0);
  }
  if( rc!=SQLITE_OK ) return rc;
  pStmt = recStmt(p, REC_CLAIM, &rc);
  if( pStmt==0 ) return rc;
  migrateFormatTime(migrateNowMs(p->db), zAt);
  sqlite3_bind_text(pStmt, 1, pItem->zName, -1, SQLITE_STATIC);
  sqlite3_bind_int64(pStmt, 2, iBatch);
  rc = sqlite3_bind_text(pStmt, 3, zAt, -1, SQLITE_TRANSIENT);  /* may fail */
  if( rc==SQLITE_OK ) rc = recRun(pStmt);
  return rc;
}

/* Deletes the claim of zName (see migrateRecordClaim). */
int migrateRecordUnclaim(MigrateRecorder *p, const char *zName){
  int rc = SQLITE_OK;
  sqlite3_stmt *pStmt = recStmt(p, REC_UNCLAIM, &rc);
  if( pStmt==0 ) return rc;
  sqlite3_bind_text(pStmt, 1, zName, -1, SQLITE_STATIC);
  return recRun(pStmt);
}

/*
** Reads the oldest claim, if any: *pzName and *pzAt (sqlite3_malloc'ed)
** are its migration and start time, both NULL when nothing is claimed.
** With bForget the claims are deleted instead (migrate_repair()), each
** logged in the history, and *pnForgot counts them.
*/
int migrateStoreClaims(sqlite3 *db, MigrateRecorder *pRec, int bForget,
                       char **pzName, char **pzAt, sqlite3_int64 *pnForgot){
  sqlite3_stmt *pStmt = 0;
  int bExists = 0;
  int rc = migrateStoreHasTable(db, "migrations_lock", &bExists);
  *pzName = *pzAt = 0;
  if( pnForgot ) *pnForgot = 0;
  if( rc!=SQLITE_OK || !bExists ) return rc;
  rc = sqlite3_prepare_v2(db, "SELECT name, started_at, batch"
                          "  FROM main.migrations_lock ORDER BY rowid",
                          -1, &pStmt, 0);
  while( rc==SQLITE_OK && sqlite3_step(pStmt)==SQLITE_ROW ){
    const char *zName = (const char*)sqlite3_column_text(pStmt, 0);
    if( !bForget ){
      *pzName = sqlite3_mprintf("%s", zName ? zName : "");
      *pzAt = sqlite3_mprintf("%s", sqlite3_column_text(pStmt, 1));
      if( *pzName==0 || *pzAt==0 ) rc = SQLITE_NOMEM;
      break;
    }
    rc = migrateRecordHistory(pRec, zName ? zName : "", "repair",
        sqlite3_column_int64(pStmt, 2), 0, 0, -1, 1,
        "forgot an unfinished no-transaction migration");
    if( pnForgot ) (*pnForgot)++;
  }
  if( rc==SQLITE_OK ){
    rc = sqlite3_finalize(pStmt);
  }else{
    sqlite3_finalize(pStmt);
  }
  if( rc==SQLITE_OK && bForget && pnForgot && *pnForgot>0 ){
    rc = sqlite3_exec(db, "DELETE FROM main.migrations_lock", 0, 0, 0);
  }
  if( rc!=SQLITE_OK ){
    sqlite3_free(*pzName);
    sqlite3_free(*pzAt);
    *pzName = *pzAt = 0;
  }
  return rc;
}

/* ------------------------------------------------------------ boot arrays */

/*
** The script arrays migrate_boot_v2() found defined exactly so, in
** main.migrations_boot (sql/boot.sql, created on the first record).  eOp:
**   MIGRATE_BOOT_FIND    *pbFound = 1 if zSum (an array's
**                        migrate_array_checksum()) is recorded, i.e. the
**                        array was found defined exactly so and no
**                        definition has been written since through the
**                        engine (writing migrations_scripts around it is
**                        not supported).  One small statement: the whole
**                        cost of the fast path beyond the no-op migrate().
**   MIGRATE_BOOT_RECORD  records zSum; the caller has just found the array
**                        defined exactly so, under the write lock.
**   MIGRATE_BOOT_FORGET  forgets every record: a definition is about to be
**                        written or deleted (migrateStoreWrite() and
**                        migrateStoreDelete(), the only paths that change
**                        definitions, call it).
** No table yet: nothing found, nothing to forget, no error.
*/
int migrateStoreBoot(sqlite3 *db, int eOp, const char *zSum, int *pbFound){
  static const char *const azSql[] = {
    "SELECT 1 FROM main.migrations_boot WHERE checksum=?1",
    "INSERT OR IGNORE INTO main.migrations_boot VALUES(?1)",
    "DELETE FROM main.migrations_boot",
  };
  sqlite3_stmt *pStmt = 0;
  int rc = eOp==MIGRATE_BOOT_RECORD ? sqlite3_exec(db, migrateBootSql, 0, 0, 0)
                                    : SQLITE_OK;
  if( pbFound ) *pbFound = 0;
  if( rc==SQLITE_OK ) rc = sqlite3_prepare_v2(db, azSql[eOp], -1, &pStmt, 0);
  if( rc==SQLITE_ERROR && eOp!=MIGRATE_BOOT_RECORD ) return SQLITE_OK;
  if( rc==SQLITE_OK ){
    if( zSum ) sqlite3_bind_text(pStmt, 1, zSum, -1, SQLITE_STATIC);
    rc = sqlite3_step(pStmt);
    if( pbFound ) *pbFound = rc==SQLITE_ROW;
    rc = sqlite3_finalize(pStmt);
    if( rc!=SQLITE_OK && pbFound ) *pbFound = 0;
  }
  return rc;
}

/*
** check.c — migrate_check([target]): proves that the down script of every
** pending migration undoes its up script, and leaves the database exactly
** as it was (like a dry run, writing no history).
**
** USAGE
**   SELECT migrate_check();              -- every pending migration
**   SELECT migrate_check('005_tags');    -- those up to 005_tags
**        -> the number checked; or an error listing every failure:
**   migrate_check: 2 of 3 migrations failed: 003_b: its down does not
**   restore the schema: table folders_ciphers still exists; 004_c: its down
**   changed rows of users (2 rows before its up, 1 after its down); the
**   database was left as it was
**   migrate_run(db, "migrate_check", NULL, progress, arg, &n, &zErr);
**        the progress callback's direction is "checked", "skipped" or
**        "failed", once per migration
**
** HOW IT WORKS
**   Like run.c's calls: refused from inside another call or statement; in
**   autocommit mode foreign keys are suspended and BEGIN IMMEDIATE taken,
**   inside the user's transaction a savepoint; the plan is read again under
**   the lock (plan.c, as migrate(target) would plan it).  Then, for each
**   pending versioned migration in order:
**     1. snapshot: main's schema in diff.c's normalized model (libmigrate's
**        own tables left out), and for every table an order-free checksum
**        of its rows (a sum of row hashes: a rebuild that renumbers rowids
**        is not a change);
**     2. its up script (a failure ends the check there: what follows
**        depends on it);
**     3. SAVEPOINT, its down script, a second snapshot, compared with the
**        first in words (migrateSchemaCompare: "table t still exists",
**        "column c missing from t", "index i differs"), rows compared for
**        the tables whose definition is the same again;
**     4. when all is restored, its up again (a down that "restores" the
**        schema but leaves what makes the up fail is caught here); then
**        RELEASE, or, after any failure, ROLLBACK TO the savepoint so the
**        next migration starts from the schema the up made.
**   Irreversible migrations (down NULL), repeatable ones and no-transaction
**   ones (they cannot be undone) are skipped: the up of an irreversible one
**   still runs, the others run nothing.  Scripts run through run.c's
**   migrateRunScript() (guard, foreign-key drop rule, undo.c's host);
**   hooks and verify queries are not run.  At the end everything is undone
**   (undo.c), always.  Left out with the diff (MIGRATE_OMIT_DIFF): it
**   needs its schema model.
*/
#ifndef MIGRATE_OMIT_DIFF
#include "migrateInt.h"
#include <string.h>

/* The rows of one table: how many, and the sum of their hashes. */
typedef struct CheckRows CheckRows;
struct CheckRows {
  sqlite3_int64 nRow;
  sqlite3_uint64 uSum;
};

/* What a migration is compared against: schema and rows before its up. */
typedef struct CheckSnap CheckSnap;
struct CheckSnap {
  MigrateSchema *pSchema;
  CheckRows *aRows;        /* one per table of pSchema, in its order */
};

/* State of one migrate_check() call. */
typedef struct CheckCtx CheckCtx;
struct CheckCtx {
  sqlite3 *db;
  const char *zFunc;
  int bOuter;              /* we own the transaction (BEGIN IMMEDIATE) */
  int bOpen;               /* the transaction or savepoint is open */
  int bFkSuspended;        /* foreign_keys was ON and is now OFF */
  MigrateUndo undo;
  MigratePlan plan;
  MigrateRecorder *pRec;
  sqlite3_str *pList;      /* the failures, "NAME: WHAT; ..." */
  int nFail;               /* how many */
  int nChecked;            /* downs checked */
  int nPending;            /* versioned migrations of the run list */
  int bStop;               /* an up failed: nothing after it is checked */
  char *zErr;              /* the error that ends the call */
  migrate_progress xProgress;
  void *pArg;
};

/* One 64-bit FNV-1a step over n bytes. */
static sqlite3_uint64 checkFnv(sqlite3_uint64 h, const void *pData, int n){
  const unsigned char *z = (const unsigned char*)pData;
  int i;
  for(i=0; i<n; i++){
    h ^= z[i];
    h *= 0x100000001b3ULL;
  }
  return h;
}

/*
** Counts the rows of main.zTable and sums a hash of each (its values with
** their types; integers and reals by value, byte order independent).
*/
static int checkRows(sqlite3 *db, const char *zTable, CheckRows *pRows){
  sqlite3_stmt *pStmt = 0;
  char *zSql = sqlite3_mprintf("SELECT * FROM main.\"%w\"", zTable);
  int rc, i;
  pRows->nRow = 0;
  pRows->uSum = 0;
  if( zSql==0 ) return SQLITE_NOMEM;
  rc = sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0);
  sqlite3_free(zSql);
  while( rc==SQLITE_OK && sqlite3_step(pStmt)==SQLITE_ROW ){
    sqlite3_uint64 h = 0xcbf29ce484222325ULL;
    for(i=0; i<sqlite3_column_count(pStmt); i++){
      unsigned char aBuf[9];
      int k, eType = sqlite3_column_type(pStmt, i);
      sqlite3_uint64 u = 0;
      aBuf[0] = (unsigned char)eType;
      if( eType==SQLITE_INTEGER ){
        u = (sqlite3_uint64)sqlite3_column_int64(pStmt, i);
      }else if( eType==SQLITE_FLOAT ){
        double r = sqlite3_column_double(pStmt, i);
        memcpy(&u, &r, sizeof(u));
      }else if( eType!=SQLITE_NULL ){
        const void *z = eType==SQLITE_TEXT
            ? (const void*)sqlite3_column_text(pStmt, i)
            : sqlite3_column_blob(pStmt, i);
        u = (sqlite3_uint64)sqlite3_column_bytes(pStmt, i);
        h = checkFnv(h, z, (int)u);
      }
      for(k=0; k<8; k++) aBuf[k+1] = (unsigned char)(u >> (8*k));
      h = checkFnv(h, aBuf, 9);
    }
    /* a final mix, so that a sum of hashes tells multisets apart */
    h ^= h >> 31;
    h *= 0x9e3779b97f4a7c15ULL;
    h ^= h >> 29;
    pRows->uSum += h;
    pRows->nRow++;
  }
  if( rc==SQLITE_OK ){
    rc = sqlite3_finalize(pStmt);
  }else{
    sqlite3_finalize(pStmt);
  }
  return rc;
}

static void checkSnapFree(CheckSnap *p){
  migrateSchemaFree(p->pSchema);
  sqlite3_free(p->aRows);
  memset(p, 0, sizeof(*p));
}

/*
** Takes a snapshot of main.  pWas: the snapshot to compare with, or NULL;
** given, only the rows of tables whose definition is still the same are
** read.
*/
static int checkSnap(CheckCtx *p, CheckSnap *pSnap, const CheckSnap *pWas){
  int i, n, rc;
  char *zErr = 0;
  memset(pSnap, 0, sizeof(*pSnap));
  rc = migrateSchemaLoad(p->db, &pSnap->pSchema, &zErr);
  if( rc!=SQLITE_OK ){
    if( zErr ){
      p->zErr = sqlite3_mprintf("%s: %s", p->zFunc, zErr);
      sqlite3_free(zErr);
    }
    return rc;
  }
  for(n=0; migrateSchemaTable(pSnap->pSchema, n); n++){}
  pSnap->aRows = sqlite3_malloc64(sizeof(CheckRows)*(sqlite3_uint64)(n+1));
  if( pSnap->aRows==0 ) return SQLITE_NOMEM;
  memset(pSnap->aRows, 0, sizeof(CheckRows)*(size_t)(n+1));
  for(i=0; rc==SQLITE_OK && i<n; i++){
    const char *zTable = migrateSchemaTable(pSnap->pSchema, i);
    if( pWas && !migrateSchemaTableSame(pWas->pSchema, pSnap->pSchema,
                                        zTable) ){
      continue;
    }
    rc = checkRows(p->db, zTable, &pSnap->aRows[i]);
    if( rc!=SQLITE_OK && rc!=SQLITE_NOMEM ){
      p->zErr = sqlite3_mprintf("%s: cannot read table %s: %s", p->zFunc,
                                zTable, sqlite3_errmsg(p->db));
    }
  }
  return rc;
}

/* The rows of table zTable in snapshot p, or NULL. */
static const CheckRows *checkRowsOf(const CheckSnap *p, const char *zTable){
  int i;
  const char *z;
  for(i=0; (z = migrateSchemaTable(p->pSchema, i))!=0; i++){
    if( sqlite3_stricmp(z, zTable)==0 ) return &p->aRows[i];
  }
  return 0;
}

/*
** Says how snapshot pNow differs from pWas: "its down does not restore
** the schema: ..." and/or "its down changed rows of T (...)", for the
** tables defined the same in both.  Returns the text (sqlite3_malloc'ed),
** or NULL when nothing differs; *pRc is SQLITE_NOMEM when out of memory.
*/
static char *checkCompare(const CheckSnap *pWas, const CheckSnap *pNow,
                          int *pRc){
  sqlite3_str *pOut = sqlite3_str_new(0);
  sqlite3_str *pSchema = sqlite3_str_new(0);
  int i, nRows = 0;
  const char *zTable;
  if( migrateSchemaCompare(pWas->pSchema, pNow->pSchema, pSchema)>0 ){
    sqlite3_str_appendf(pOut, "its down does not restore the schema: %s",
                        sqlite3_str_value(pSchema));
  }
  for(i=0; (zTable = migrateSchemaTable(pWas->pSchema, i))!=0; i++){
    const CheckRows *a = &pWas->aRows[i];
    const CheckRows *b = checkRowsOf(pNow, zTable);
    if( b==0 || !migrateSchemaTableSame(pWas->pSchema, pNow->pSchema, zTable)
     || (a->nRow==b->nRow && a->uSum==b->uSum) ){
      continue;
    }
    sqlite3_str_appendf(pOut, "%s%s (%lld row%s before its up, %lld after "
        "its down)", nRows++ ? ", " : sqlite3_str_length(pOut)
        ? "; its down changed rows of " : "its down changed rows of ",
        zTable, a->nRow, a->nRow==1 ? "" : "s", b->nRow);
  }
  *pRc = sqlite3_str_errcode(pSchema);
  if( *pRc==SQLITE_OK ) *pRc = sqlite3_str_errcode(pOut);
  sqlite3_free(sqlite3_str_finish(pSchema));
  if( *pRc!=SQLITE_OK || sqlite3_str_length(pOut)==0 ){
    sqlite3_free(sqlite3_str_finish(pOut));
    return 0;
  }
  return sqlite3_str_finish(pOut);
}

/* Records a failure of pItem: "NAME: WHAT" in the list. */
static void checkFail(CheckCtx *p, const MigrateItem *pItem, const char *zWhat){
  sqlite3_str_appendf(p->pList, "%s%s: %s", p->nFail++ ? "; " : "",
                      pItem->zName, zWhat);
}

/* True when error rc ends the whole call (the transaction may be gone). */
static int checkFatal(CheckCtx *p, int rc){
  int eBase = rc & 0xff;
  return rc==SQLITE_NOMEM || eBase==SQLITE_IOERR || eBase==SQLITE_CORRUPT
      || eBase==SQLITE_FULL || eBase==SQLITE_BUSY || eBase==SQLITE_LOCKED
      || eBase==SQLITE_INTERRUPT || eBase==SQLITE_ABORT
      || sqlite3_get_autocommit(p->db);
}

/*
** Runs script zScript of pItem (zWhich names it in a failure).  Returns
** SQLITE_OK, or the code of a fatal error; a script's own failure is
** recorded in the list and *pbFailed set.
*/
static int checkRun(CheckCtx *p, const MigrateItem *pItem, const char *zScript,
                    const char *zWhich, int *pbFailed){
  char *zMsg = 0;
  int rc = migrateRunScript(p->db, zScript, 0, &p->undo, &zMsg, 0);
  *pbFailed = 0;
  if( rc!=SQLITE_OK && !checkFatal(p, rc) ){
    char *zWhat = sqlite3_mprintf("%s: %s", zWhich,
                                  zMsg ? zMsg : sqlite3_errstr(rc));
    if( zWhat ){
      checkFail(p, pItem, zWhat);
      *pbFailed = 1;
      rc = SQLITE_OK;
    }else{
      rc = SQLITE_NOMEM;
    }
    sqlite3_free(zWhat);
  }else if( rc!=SQLITE_OK && rc!=SQLITE_NOMEM ){
    p->zErr = sqlite3_mprintf("%s: %s failed: %s", p->zFunc, pItem->zName,
                              zMsg ? zMsg : sqlite3_errstr(rc));
  }
  sqlite3_free(zMsg);
  return rc;
}

/* Runs one statement of our own (SAVEPOINT, ...) with the host stopped. */
static int checkExec(CheckCtx *p, const char *zSql){
  int rc = migrateUndoPause(p->db, &p->undo);
  if( rc==SQLITE_OK ) rc = sqlite3_exec(p->db, zSql, 0, 0, 0);
  if( rc!=SQLITE_OK && rc!=SQLITE_NOMEM ){
    p->zErr = sqlite3_mprintf("%s: %s", p->zFunc, sqlite3_errmsg(p->db));
  }
  if( rc==SQLITE_OK ) rc = migrateUndoPrepare(p->db, &p->undo);
  return rc;
}

/* Reads script eWhich of pItem into *pz (NULL: *pbNull). */
static int checkScript(CheckCtx *p, const MigrateItem *pItem, int eWhich,
                       char **pz, int *pbNull){
  int rc = migrateRecordScript(p->pRec, pItem, eWhich, pItem->bText, pz,
                               pbNull);
  if( rc==SQLITE_MISMATCH ){
    p->zErr = sqlite3_mprintf("%s: %s: its %s script is not text (a blob): "
        "migrations_scripts is damaged", p->zFunc, pItem->zName,
        eWhich==MIGRATE_SCRIPT_UP ? "up" : "down");
  }
  return rc;
}

/*
** Steps 1-4 of the header for pItem, the migration at the head of what is
** pending.  Returns SQLITE_OK unless the call must end.
*/
static int checkOne(CheckCtx *p, const MigrateItem *pItem){
  char *zUp = 0, *zDown = 0;
  int bNull = 0, bFailed = 0, bRestored = 0;
  const char *zDir = "skipped";
  sqlite3_int64 iStart = migrateNowMs(p->db);
  CheckSnap was, now;
  int rc;
  memset(&was, 0, sizeof(was));
  memset(&now, 0, sizeof(now));
  rc = checkScript(p, pItem, MIGRATE_SCRIPT_UP, &zUp, &bNull);
  if( rc==SQLITE_OK ) rc = checkScript(p, pItem, MIGRATE_SCRIPT_DOWN, &zDown,
                                       &bNull);
  if( rc!=SQLITE_OK || migrateIsNoTx(zUp ? zUp : "")
   || (zDown && migrateIsNoTx(zDown)) ){
    goto one_done;        /* a no-transaction one could not be undone */
  }
  if( zDown ) rc = checkSnap(p, &was, 0);
  if( rc==SQLITE_OK ) rc = checkRun(p, pItem, zUp ? zUp : "", "its up failed",
                                    &bFailed);
  if( rc!=SQLITE_OK || bFailed ){
    p->bStop = bFailed;
    zDir = "failed";
    goto one_done;
  }
  if( zDown==0 ) goto one_done;    /* irreversible: its up stays */

  rc = checkExec(p, "SAVEPOINT migrate_check");
  if( rc==SQLITE_OK ){
    rc = checkRun(p, pItem, zDown, "its down failed", &bFailed);
  }
  if( rc==SQLITE_OK && !bFailed ) rc = checkSnap(p, &now, &was);
  if( rc==SQLITE_OK && !bFailed ){
    char *zWhat = checkCompare(&was, &now, &rc);
    if( zWhat ){
      checkFail(p, pItem, zWhat);
      bFailed = 1;
      sqlite3_free(zWhat);
    }
  }
  if( rc==SQLITE_OK && !bFailed ){
    rc = checkRun(p, pItem, zUp ? zUp : "", "its up fails after its down",
                  &bFailed);
    bRestored = !bFailed;
  }
  if( rc==SQLITE_OK && !bRestored ){
    /* back to the schema its first up made */
    rc = checkExec(p, "ROLLBACK TO migrate_check");
  }
  if( rc==SQLITE_OK ) rc = checkExec(p, "RELEASE migrate_check");
  if( rc==SQLITE_OK ){
    p->nChecked++;
    zDir = bRestored ? "checked" : "failed";
  }

one_done:
  if( rc==SQLITE_OK && p->xProgress ){
    sqlite3_int64 iMs = migrateNowMs(p->db) - iStart;
    p->xProgress(p->pArg, pItem->zName, zDir, iMs<0 ? 0 : iMs, 0);
  }
  checkSnapFree(&was);
  checkSnapFree(&now);
  sqlite3_free(zUp);
  sqlite3_free(zDown);
  return rc;
}

/* The number of versioned migrations of p's run list. */
static int checkPending(const MigratePlan *p){
  int i, n = 0;
  for(i=0; i<p->nRun; i++) n += !p->aItem[p->aRun[i]].bRepeatable;
  return n;
}

/* Opens the call's transaction (see run.c's runBegin). */
static int checkBegin(CheckCtx *p){
  int rc;
  p->bOuter = sqlite3_get_autocommit(p->db);
  if( p->bOuter ) p->bFkSuspended = migrateFkSuspend(p->db);
  rc = migrateUndoBegin(p->db, &p->undo);
  if( rc!=SQLITE_OK && rc!=SQLITE_NOMEM ){
    p->zErr = sqlite3_mprintf("%s: %s", p->zFunc, sqlite3_errmsg(p->db));
  }
  p->bOpen = rc==SQLITE_OK;
  return rc;
}

/* Undoes everything (see run.c's runUndo), restores foreign_keys. */
static void checkEnd(CheckCtx *p){
  if( p->bOpen ) migrateUndoAll(p->db, &p->undo);
  p->bOpen = 0;
  if( p->bFkSuspended ){
    migrateFkRestore(p->db);
    p->bFkSuspended = 0;
  }
  migrateUndoFree(&p->undo);
}

int migrateCheck(sqlite3 *db, const char *zTarget, migrate_progress xProgress,
                 void *pArg, sqlite3_int64 *pnDone, char **pzErr){
  CheckCtx ctx;
  CheckCtx *p = &ctx;
  int i, rc;

  memset(p, 0, sizeof(*p));
  p->db = db;
  p->zFunc = migrateOpName(MIGRATE_OP_CHECK);
  p->xProgress = xProgress;
  p->pArg = pArg;
  *pnDone = 0;
  *pzErr = 0;
  p->pList = sqlite3_str_new(0);
  if( migrateCallRunning(db) ){
    p->zErr = migrateOpNestedError(migrateOpOf(MIGRATE_OP_CHECK));
    rc = SQLITE_ERROR;
    goto check_done;
  }

  /* the look, without a lock: nothing pending returns 0 */
  rc = migratePlanLoad(db, &p->plan, p->zFunc, &p->zErr);
  if( rc==SQLITE_OK ){
    rc = migratePlanMake(&p->plan, MIGRATE_OP_CHECK, zTarget, 0, p->zFunc,
                         &p->zErr);
  }
  if( rc!=SQLITE_OK || checkPending(&p->plan)==0 ) goto check_done;
  migratePlanFree(&p->plan);
  if( sqlite3_get_autocommit(db) && sqlite3_txn_state(db, 0)!=SQLITE_TXN_NONE ){
    rc = SQLITE_ERROR;
    p->zErr = sqlite3_mprintf("%s: call it as a statement of its own (SELECT "
        "%s(...);), not inside another statement; nothing was done",
        p->zFunc, p->zFunc);
    goto check_done;
  }

  /* lock, plan again, check each */
  rc = migrateRecorderOpen(db, &p->pRec);
  if( rc==SQLITE_OK ) rc = checkBegin(p);
  if( rc==SQLITE_OK ) rc = migratePlanLoad(db, &p->plan, p->zFunc, &p->zErr);
  if( rc==SQLITE_OK ){
    rc = migratePlanMake(&p->plan, MIGRATE_OP_CHECK, zTarget, 0, p->zFunc,
                         &p->zErr);
  }
  if( rc==SQLITE_OK ) p->nPending = checkPending(&p->plan);
  for(i=0; rc==SQLITE_OK && !p->bStop && i<p->plan.nRun; i++){
    const MigrateItem *pItem = &p->plan.aItem[p->plan.aRun[i]];
    if( pItem->bRepeatable ){
      if( xProgress ) xProgress(pArg, pItem->zName, "skipped", 0, 0);
    }else{
      rc = checkOne(p, pItem);
    }
  }
  checkEnd(p);      /* always: the database is left as it was */
  if( rc==SQLITE_OK && p->nFail ){
    rc = SQLITE_ERROR;
    p->zErr = sqlite3_mprintf("%s: %d of %d migration%s failed: %s%s; the "
        "database was left as it was", p->zFunc, p->nFail, p->nPending,
        p->nPending==1 ? "" : "s", sqlite3_str_value(p->pList),
        p->bStop ? " (the migrations after it were not checked)" : "");
    if( p->zErr==0 ) rc = SQLITE_NOMEM;
  }
  if( rc==SQLITE_OK ) *pnDone = p->nChecked;

check_done:
  checkEnd(p);
  migrateRecorderClose(p->pRec);
  migratePlanFree(&p->plan);
  if( sqlite3_str_errcode(p->pList) && rc==SQLITE_OK ) rc = SQLITE_NOMEM;
  sqlite3_free(sqlite3_str_finish(p->pList));
  if( rc!=SQLITE_OK && rc!=SQLITE_NOMEM && p->zErr==0 ){
    p->zErr = sqlite3_mprintf("%s: %s", p->zFunc, sqlite3_errstr(rc));
  }
  if( rc==SQLITE_OK || rc==SQLITE_NOMEM ){
    sqlite3_free(p->zErr);
    p->zErr = 0;
  }
  *pzErr = p->zErr;
  return rc;
}

#endif /* MIGRATE_OMIT_DIFF */

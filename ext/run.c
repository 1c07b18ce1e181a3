/*
** run.c — runs one call: migrate(), the rollbacks, refresh, dry run, repair.
**
** USAGE
**   rc = migrateExec(db, MIGRATE_OP_UP, zTarget, 0, &nApplied, &zErr);
**
** HOW IT WORKS
**   1. Look without a lock.  A read-only check (for a plain migrate(): one
**      anti-join of definitions and ledger on name and checksum; otherwise
**      a full plan, which still reads no script text) decides whether there
**      is anything to do.  Nothing to do returns 0 having written nothing,
**      so it works on a read-only database and costs almost nothing at
**      every boot.  Every statement of that look is finished before the
**      lock is requested, so two processes wait on busy_timeout instead of
**      deadlocking.
**   2. Refuse a call nested inside another statement (SELECT migrate() FROM
**      t): its reads would block DROP TABLE half-way through.
**   3. Lock.  In autocommit mode: foreign-key enforcement is switched off
**      (it can only change outside a transaction) and BEGIN IMMEDIATE
**      takes the write lock, honouring busy_timeout.  Inside the user's
**      transaction: SAVEPOINT, so the call commits or rolls back with it.
**   4. Plan again from a second read, under the lock (another process may
**      have migrated meanwhile).
**   5. Check every script of the plan before running any: guard.c refuses
**      transaction control, and a revert through an irreversible migration
**      (down is NULL) is refused by name.
**   6. Run each script statement by statement (prepare, follow the tail;
**      undo.c steps each one so that the call stays undoable even out of
**      memory), then its verify query, recording each migration in the ledger and
**      history (with the rows it changed) as it completes.  Hook scripts
**      (hooks.c) run before/after the applies, the reverts and each
**      migration.  A no-transaction migration (first line
**      "-- migrate:no-transaction", autocommit mode only) commits the
**      batch so far, runs outside any transaction, then the batch goes on
**      in a new transaction: only the part after it can still be undone.
**   7. If enforcement was suspended: PRAGMA foreign_key_check must come
**      back empty, else the batch fails naming the table.
**   8. COMMIT (or RELEASE), and restore the connection's foreign_keys.
**   On any failure: ROLLBACK (or ROLLBACK TO + RELEASE) first, then the
**   failure is written to migrations_history in its own write (inside the
**   user's transaction when there is one), then foreign_keys is restored.
**   A dry run always takes the failure path's undo and writes no history.
*/
#include "migrateInt.h"
#include <stdarg.h>
#include <string.h>

/* A migration that ran and is not recorded yet. */
typedef struct RunDone RunDone;
struct RunDone {
  int iRun;                 /* position in the run list */
  sqlite3_int64 iStart;     /* when it started (Julian-epoch ms) */
  sqlite3_int64 iMs;        /* how long it took */
  sqlite3_int64 nChange;    /* rows it changed */
  int bNoTx;                /* a no-transaction migration */
};

/* State of one call. */
typedef struct RunCtx RunCtx;
struct RunCtx {
  sqlite3 *db;
  int eOp;
  const char *zFunc;        /* SQL function name, for messages */
  int bOuter;               /* 1: we own the transaction (BEGIN IMMEDIATE) */
  int bFkSuspended;         /* 1: foreign_keys was ON and is now OFF */
  int bOpen;                /* 1: transaction or savepoint open */
  MigratePlan plan;
  MigrateRecorder *pRec;
  char *zErr;               /* error message (sqlite3_malloc'ed) */
  const MigrateItem *pFail; /* migration whose failure goes to history */
  int bFailDown;            /* pFail failed while reverting */
  sqlite3_int64 iFailMs;    /* how long pFail ran */
  sqlite3_int64 iBatch;     /* batch number of this call's applies */
  migrate_progress xProgress;  /* called as each migration completes */
  void *pProgressArg;
  int bVerifyFailed;        /* the failure was a verify query's */
  const migrate_script *aDefine;  /* defined under the lock first (boot) */
  int nDefine;
  unsigned mHooks;          /* events that have hooks (bit MIGRATE_HOOK_*) */
  MigrateUndo undo;         /* kept prepared before anything can fail */
  RunDone *aDone;           /* run, not recorded yet (see runFlush) */
  int nDone;
};

const char *migrateOpName(int eOp){
  switch( eOp ){
    case MIGRATE_OP_UP:          return "migrate";
    case MIGRATE_OP_ROLLBACK:    return "rollback";
    case MIGRATE_OP_ROLLBACK_TO: return "rollback_to";
    case MIGRATE_OP_RESET:       return "migrate_reset";
    case MIGRATE_OP_REFRESH:     return "migrate_refresh";
    case MIGRATE_OP_DRY_RUN:     return "migrate_dry_run";
    case MIGRATE_OP_BASELINE:    return "migrate_baseline";
    case MIGRATE_OP_MARK:        return "migrate_mark";
    default:                     return "migrate_repair";
  }
}

/* Sets p->zErr (if not set yet) to a printf-style message. */
static void runError(RunCtx *p, const char *zFmt, ...){
  va_list ap;
  if( p->zErr ) return;
  va_start(ap, zFmt);
  p->zErr = sqlite3_vmprintf(zFmt, ap);
  va_end(ap);
}

/* Runs one statement of our own (BEGIN, COMMIT, ...); sets p->zErr. */
static int runExec(RunCtx *p, const char *zSql){
  int rc = sqlite3_exec(p->db, zSql, 0, 0, 0);
  if( rc!=SQLITE_OK && rc!=SQLITE_NOMEM ){
    runError(p, "%s: %s", p->zFunc, sqlite3_errmsg(p->db));
  }
  return rc;
}

/*
** The look without a lock.  Sets *pbWork when there is something to do.
** For a plain migrate() a single anti-join answers; when it finds
** something, or for any other call, a full plan is made (it also raises
** the call's errors, unknown target or drift, without taking a lock).
*/
static int runLook(RunCtx *p, const char *zTarget, sqlite3_int64 nBatch,
                   int *pbWork){
  int rc = SQLITE_OK;
  *pbWork = 0;
  if( p->nDefine>0 ){
    *pbWork = 1;   /* the caller saw definitions that differ */
    return SQLITE_OK;
  }
  if( p->eOp==MIGRATE_OP_UP && zTarget==0 ){
    int bExists = 0;
    sqlite3_stmt *pStmt = 0;
    rc = migrateStoreExists(p->db, &bExists);
    if( rc!=SQLITE_OK || !bExists ) return rc;
    rc = sqlite3_prepare_v2(p->db,
        "SELECT 1 FROM main.migrations_scripts AS s"
        " WHERE NOT EXISTS(SELECT 1 FROM main.migrations_ledger AS l"
        "                   WHERE l.name=s.name AND l.checksum=s.checksum)"
        " LIMIT 1", -1, &pStmt, 0);
    if( rc==SQLITE_OK ){
      rc = sqlite3_step(pStmt);
      *pbWork = rc==SQLITE_ROW;
      rc = sqlite3_finalize(pStmt);
    }
    if( rc!=SQLITE_OK ){
      if( rc!=SQLITE_NOMEM ){
        runError(p, "%s: the migration tables are damaged: %s",
                 p->zFunc, sqlite3_errmsg(p->db));
      }
      return rc;
    }
    if( *pbWork==0 ) return SQLITE_OK;
    *pbWork = 0;
  }
  rc = migratePlanLoad(p->db, &p->plan, p->zFunc, &p->zErr);
  if( rc==SQLITE_OK ){
    rc = migratePlanMake(&p->plan, p->eOp, zTarget, nBatch, p->zFunc,
                         &p->zErr);
  }
  if( rc==SQLITE_OK ) *pbWork = p->plan.nRun>0;
  migratePlanFree(&p->plan);
  return rc;
}

/*
** Opens the call's transaction: BEGIN IMMEDIATE with foreign keys
** suspended in autocommit mode, a savepoint inside the user's.
*/
static int runBegin(RunCtx *p){
  int rc;
  p->bOuter = sqlite3_get_autocommit(p->db);
  if( p->bOuter ){
    int bFk = 0;
    if( p->eOp<MIGRATE_OP_REPAIR ){
      sqlite3_db_config(p->db, SQLITE_DBCONFIG_ENABLE_FKEY, -1, &bFk);
      if( bFk ){
        sqlite3_db_config(p->db, SQLITE_DBCONFIG_ENABLE_FKEY, 0, &bFk);
        p->bFkSuspended = 1;
      }
    }
  }
  p->undo.bOuter = p->bOuter;
  rc = migrateUndoPrepare(p->db, &p->undo);
  if( rc==SQLITE_OK ){
    rc = runExec(p, p->bOuter ? "BEGIN IMMEDIATE" : "SAVEPOINT libmigrate");
  }
  if( rc==SQLITE_OK ) p->bOpen = 1;
  return rc;
}

/*
** Undoes everything the call did (when its transaction is still open),
** with undo.c's statements: after an out-of-memory error inside SELECT
** migrate() SQLite prepares nothing more, so an sqlite3_exec("ROLLBACK")
** here is only the last resort.
*/
static void runUndo(RunCtx *p){
  if( !p->bOpen ) return;
  p->bOpen = 0;
  if( migrateUndoRun(p->db, &p->undo)!=SQLITE_OK ){
    /* last resort (needs memory) */
    if( p->bOuter ){
      sqlite3_exec(p->db, "ROLLBACK", 0, 0, 0);
    }else if( sqlite3_exec(p->db, "ROLLBACK TO libmigrate", 0, 0, 0)
              ==SQLITE_OK ){
      sqlite3_exec(p->db, "RELEASE libmigrate", 0, 0, 0);
    }
  }
}

/* Restores the connection's foreign_keys setting. */
static void runRestoreFk(RunCtx *p){
  if( p->bFkSuspended ){
    int x;
    sqlite3_db_config(p->db, SQLITE_DBCONFIG_ENABLE_FKEY, 1, &x);
    p->bFkSuspended = 0;
  }
}

/*
** Runs every statement of zScript in turn, each through undo.c's host
** statement (pUndo; may be NULL).  bNoTx: the script runs outside any
** transaction (a no-transaction migration), nothing to undo.  On error
** returns the code and sets *pzMsg to "MESSAGE (line N)"
** (sqlite3_malloc'ed).
*/
int migrateRunScript(sqlite3 *db, const char *zScript, int bNoTx,
                     MigrateUndo *pUndo, char **pzMsg){
  const char *zTail = zScript;
  int rc = SQLITE_OK;
  *pzMsg = 0;
  if( !bNoTx && sqlite3_get_autocommit(db) ){
    /* SQLite rolled the call back on an error nobody reported: stop */
    *pzMsg = sqlite3_mprintf("the call's transaction was rolled back");
    return SQLITE_ABORT_ROLLBACK;
  }
  while( rc==SQLITE_OK && *zTail ){
    sqlite3_stmt *pStmt = 0;
    const char *zNext = 0;
    char *zErr = 0;
    int iErrAt = (int)(migrateSkipSpace(zTail) - zScript);
    rc = sqlite3_prepare_v2(db, zTail, -1, &pStmt, &zNext);
    if( rc!=SQLITE_OK ){
      if( sqlite3_libversion_number()>=3038000 ){
        int iOff = sqlite3_error_offset(db);
        if( iOff>=0 ) iErrAt = (int)(zTail - zScript) + iOff;
      }
    }else if( pStmt ){
      char *zWhat = 0;
      int iLine = 0;
      rc = migrateGuard(sqlite3_sql(pStmt), bNoTx, &zWhat, &iLine);
      if( rc==SQLITE_ERROR ){
        *pzMsg = sqlite3_mprintf("%s is not allowed in a migration script "
                                 "(line %d)", zWhat,
                                 migrateLineOf(zScript, iErrAt));
      }
      sqlite3_free(zWhat);
      if( rc==SQLITE_OK ){
        rc = migrateUndoStep(db, pStmt, bNoTx ? 0 : pUndo, &zErr);
      }
    }
    if( rc!=SQLITE_OK && rc!=SQLITE_NOMEM && *pzMsg==0 ){
      *pzMsg = sqlite3_mprintf("%s (line %d)",
                               zErr ? zErr : sqlite3_errmsg(db),
                               migrateLineOf(zScript, iErrAt));
    }
    sqlite3_free(zErr);
    zErr = 0;
    sqlite3_finalize(pStmt);
    zTail = zNext ? zNext : zTail + strlen(zTail);
  }
  if( rc==SQLITE_OK && !bNoTx && sqlite3_get_autocommit(db) ){
    /* cannot happen past the guard, but never carry on outside the txn */
    rc = SQLITE_ERROR;
    *pzMsg = sqlite3_mprintf("it ended the call's transaction");
  }
  return rc;
}

/*
** Runs the script of pItem; on error sets p->zErr to
** "FUNC: NAME failed: MESSAGE (line N)".
*/
static int runScript(RunCtx *p, const MigrateItem *pItem,
                     const char *zScript, int bNoTx){
  char *zMsg = 0;
  int rc = migrateRunScript(p->db, zScript, bNoTx, &p->undo, &zMsg);
  if( rc!=SQLITE_OK && rc!=SQLITE_NOMEM ){
    runError(p, "%s: %s failed: %s", p->zFunc, pItem->zName,
             zMsg ? zMsg : sqlite3_errstr(rc));
  }
  sqlite3_free(zMsg);
  return rc;
}

/*
** Runs the verify query of pItem (if it has one): a single read-only
** query whose first column of its first row must be true.
*/
static int runVerify(RunCtx *p, const MigrateItem *pItem){
  sqlite3_stmt *pStmt = 0;
  char *zVerify = 0;
  const char *zTail = 0;
  int bNull = 1;
  int rc;
  if( !pItem->bVerify ) return SQLITE_OK;   /* known from the plan */
  rc = migrateRecordScript(p->pRec, pItem, MIGRATE_SCRIPT_VERIFY, &zVerify,
                           &bNull);
  if( rc!=SQLITE_OK || bNull ) goto verify_done;
  rc = sqlite3_prepare_v2(p->db, zVerify, -1, &pStmt, &zTail);
  if( rc!=SQLITE_OK ){
    if( rc!=SQLITE_NOMEM ){
      runError(p, "%s: %s failed: its verify query: %s", p->zFunc,
               pItem->zName, sqlite3_errmsg(p->db));
    }
  }else if( pStmt==0 || *migrateSkipSpace(zTail)
         || !sqlite3_stmt_readonly(pStmt) ){
    rc = SQLITE_ERROR;
    runError(p, "%s: %s failed: its verify script must be one read-only "
             "query", p->zFunc, pItem->zName);
  }else{
    int bTrue = sqlite3_step(pStmt)==SQLITE_ROW
             && sqlite3_column_type(pStmt, 0)!=SQLITE_NULL
             && sqlite3_column_double(pStmt, 0)!=0.0;
    rc = sqlite3_reset(pStmt);
    if( rc!=SQLITE_OK ){
      if( rc!=SQLITE_NOMEM ){
        runError(p, "%s: %s failed: its verify query: %s", p->zFunc,
                 pItem->zName, sqlite3_errmsg(p->db));
      }
    }else if( !bTrue ){
      rc = SQLITE_CONSTRAINT_CHECK;
      p->bVerifyFailed = 1;
      runError(p, "%s: %s failed: verify failed", p->zFunc, pItem->zName);
    }
  }
verify_done:
  sqlite3_finalize(pStmt);
  sqlite3_free(zVerify);
  return rc;
}

/* Runs the hooks of event iEvent (if it has any); sets p->zErr. */
static int runHook(RunCtx *p, int iEvent){
  if( (p->mHooks & (1u<<iEvent))==0 ) return SQLITE_OK;
  return migrateHooksRun(p->db, iEvent, p->zFunc, &p->undo, &p->zErr);
}

/*
** Writes the ledger and history rows of the migrations run so far.  They
** are written together, after the scripts, because every schema change a
** script makes expires SQLite's prepared statements: recording each
** migration as it completes would re-prepare the recording statements
** after every migration.  Nothing is lost: the rows are in the same
** transaction as the scripts, written before it commits.
*/
static int runFlush(RunCtx *p){
  int k, rc = SQLITE_OK;
  for(k=0; rc==SQLITE_OK && k<p->nDone; k++){
    const RunDone *pDone = &p->aDone[k];
    const MigrateItem *pItem = &p->plan.aItem[p->plan.aRun[pDone->iRun]];
    const char *zNote = pDone->bNoTx ? "no-transaction" : 0;
    if( pDone->iRun<p->plan.nDown ){
      rc = migrateRecordDown(p->pRec, pItem, pDone->iStart, pDone->iMs,
                             pDone->nChange, zNote);
    }else{
      rc = migrateRecordUp(p->pRec, pItem, p->iBatch, pDone->iStart,
                           pDone->iMs, pDone->nChange, zNote);
    }
    if( rc!=SQLITE_OK && rc!=SQLITE_NOMEM ){
      /* a recording failure (e.g. a dropped table) still says what */
      runError(p, "%s: cannot record %s: %s", p->zFunc, pItem->zName,
               sqlite3_errmsg(p->db));
    }
  }
  p->nDone = 0;
  return rc;
}

/*
** Step 5: reads every script the plan will run and refuses the call if
** one is irreversible, would escape the transaction, or is a
** no-transaction migration where none can run.  Nothing runs.
*/
static int runCheckScripts(RunCtx *p){
  int i, rc = SQLITE_OK;
  for(i=0; rc==SQLITE_OK && i<p->plan.nRun; i++){
    const MigrateItem *pItem = &p->plan.aItem[p->plan.aRun[i]];
    int bDown = i<p->plan.nDown;
    char *zScript = 0, *zWhat = 0;
    int bNull = 0, iLine = 0, bNoTx;
    /* a script is read once here and once to run it; incremental I/O holds
    ** it in memory once (a SELECT would materialise it, then the copy) */
    rc = migrateRecordScript(p->pRec, pItem,
                             bDown | (pItem->bText ? MIGRATE_SCRIPT_FAST : 0),
                             &zScript, &bNull);
    if( rc==SQLITE_MISMATCH ){
      runError(p, "%s: %s: its %s script is not text (a blob): %s is "
               "damaged", p->zFunc, pItem->zName, bDown ? "down" : "up",
               pItem->iScript ? "migrations_scripts" : "migrations_ledger");
    }
    if( rc!=SQLITE_OK ) break;
    bNoTx = zScript && migrateIsNoTx(zScript);
    if( bNull ){
      rc = SQLITE_ERROR;
      runError(p, "%s: %s is irreversible (its down script is NULL); "
               "nothing was reverted", p->zFunc, pItem->zName);
    }else if( bNoTx && (!p->bOuter || p->eOp==MIGRATE_OP_DRY_RUN) ){
      rc = SQLITE_ERROR;
      runError(p, "%s: %s is a no-transaction migration: it %s; nothing "
               "was run", p->zFunc, pItem->zName, p->bOuter
               ? "cannot be dry-run (it could not be undone)"
               : "runs only in autocommit mode, not inside BEGIN ... COMMIT");
    }else{
      rc = migrateGuard(zScript, bNoTx, &zWhat, &iLine);
      if( rc==SQLITE_ERROR ){
        runError(p, "%s: %s: its %s script holds %s (line %d); a migration "
                 "script may not %s, because each call runs in one "
                 "transaction; nothing was run", p->zFunc, pItem->zName,
                 bDown ? "down" : "up", zWhat, iLine,
                 (zWhat[0]=='A' || zWhat[0]=='D' || zWhat[0]=='V')
                   ? "ATTACH, DETACH or VACUUM"
                   : "begin, commit, roll back or release a transaction");
      }
      sqlite3_free(zWhat);
    }
    sqlite3_free(zScript);
  }
  return rc;
}

/*
** The foreign key check (only when enforcement was suspended for the
** call), before a commit: at the end of the batch, or before the batch
** commits ahead of a no-transaction migration.  iLast: position in the run
** list of the last migration run (named in the error and the history).
*/
static int runFkCheck(RunCtx *p, int iLast){
  sqlite3_stmt *pStmt = 0;
  int rc;
  if( !p->bFkSuspended || iLast<0 ) return SQLITE_OK;
  rc = sqlite3_prepare_v2(p->db, "PRAGMA main.foreign_key_check", -1,
                          &pStmt, 0);
  if( rc==SQLITE_OK && sqlite3_step(pStmt)==SQLITE_ROW ){
    const MigrateItem *pLast = &p->plan.aItem[p->plan.aRun[iLast]];
    p->pFail = pLast;
    p->bFailDown = iLast<p->plan.nDown;
    runError(p, "%s: %s failed: foreign key check failed at the end of the "
        "batch: a row of table \"%s\" (rowid %lld) refers to a missing row "
        "of \"%s\"", p->zFunc, pLast->zName,
        (const char*)sqlite3_column_text(pStmt, 0),
        sqlite3_column_int64(pStmt, 1),
        (const char*)sqlite3_column_text(pStmt, 2));
    rc = SQLITE_CONSTRAINT_FOREIGNKEY;
  }
  if( rc==SQLITE_OK ){
    rc = sqlite3_finalize(pStmt);
  }else{
    sqlite3_finalize(pStmt);
  }
  return rc;
}

/*
** The hooks due before run-list position i: before_rollback at the first
** revert; after_rollback and before_migrate at the first apply.
*/
static int runPhaseHooks(RunCtx *p, int i){
  int rc = SQLITE_OK;
  if( i==0 && p->plan.nDown>0 ) rc = runHook(p, MIGRATE_HOOK_BEFORE_ROLLBACK);
  if( rc==SQLITE_OK && i==p->plan.nDown && i<p->plan.nRun ){
    if( i>0 ) rc = runHook(p, MIGRATE_HOOK_AFTER_ROLLBACK);
    if( rc==SQLITE_OK ) rc = runHook(p, MIGRATE_HOOK_BEFORE_MIGRATE);
  }
  return rc;
}

/*
** Runs one migration, position i of the run list: hooks around it, its
** script, its verify query, its record.  A no-transaction migration first
** commits the batch so far, runs outside any transaction, has its record
** committed on its own, and the batch goes on in a new transaction.
*/
static int runOne(RunCtx *p, int i){
  const MigrateItem *pItem = &p->plan.aItem[p->plan.aRun[i]];
  int bDown = i<p->plan.nDown;
  char *zScript = 0;
  int bNull = 0, bNoTx = 0;
  sqlite3_int64 iStart, iMs, nChange;
  int rc = migrateRecordScript(p->pRec, pItem, bDown|MIGRATE_SCRIPT_FAST,
                               &zScript, &bNull);
  if( rc!=SQLITE_OK ) return rc;
  if( zScript==0 ){
    zScript = sqlite3_mprintf("");
    if( zScript==0 ) return SQLITE_NOMEM;
  }
  bNoTx = migrateIsNoTx(zScript);
  rc = runHook(p, MIGRATE_HOOK_BEFORE_EACH);
  if( rc==SQLITE_OK && bNoTx ){
    /* commit the batch so far: the script runs outside any transaction */
    rc = runFlush(p);
    if( rc==SQLITE_OK ) rc = runFkCheck(p, i-1);
    if( rc==SQLITE_OK ) rc = migrateUndoPause(p->db, &p->undo);
    if( rc==SQLITE_OK ) rc = runExec(p, "COMMIT");
    if( rc==SQLITE_OK ) p->bOpen = 0;
  }
  if( rc!=SQLITE_OK ) goto one_done;

  iStart = migrateNowMs(p->db);
  nChange = sqlite3_total_changes(p->db);
  rc = runScript(p, pItem, zScript, bNoTx);
  nChange = sqlite3_total_changes(p->db) - nChange;
  iMs = migrateNowMs(p->db) - iStart;
  if( iMs<0 ) iMs = 0;
  if( rc==SQLITE_OK && !bDown ) rc = runVerify(p, pItem);
  if( rc!=SQLITE_OK ){
    p->pFail = pItem;
    p->bFailDown = bDown;
    p->iFailMs = iMs;
    goto one_done;
  }
  p->aDone[p->nDone].iRun = i;
  p->aDone[p->nDone].iStart = iStart;
  p->aDone[p->nDone].iMs = iMs;
  p->aDone[p->nDone].nChange = nChange;
  p->aDone[p->nDone].bNoTx = bNoTx;
  p->nDone++;
  if( bNoTx ){
    /* its record is committed on its own: what ran cannot be undone;
    ** the script may have expired the undo statements */
    rc = migrateUndoPrepare(p->db, &p->undo);
    if( rc==SQLITE_OK ) rc = runExec(p, "BEGIN IMMEDIATE");
    p->bOpen = rc==SQLITE_OK;
    if( rc==SQLITE_OK ) rc = runFlush(p);
    if( rc==SQLITE_OK ) rc = runExec(p, "COMMIT");
    if( rc==SQLITE_OK ) rc = runExec(p, "BEGIN IMMEDIATE");
    p->bOpen = rc==SQLITE_OK;
  }
  if( rc==SQLITE_OK ) rc = runHook(p, MIGRATE_HOOK_AFTER_EACH);
  if( rc==SQLITE_OK && p->xProgress ){
    p->xProgress(p->pProgressArg, pItem->zName, bDown ? "down" : "up", iMs,
                 nChange);
  }
one_done:
  sqlite3_free(zScript);
  return rc;
}

/*
** Step 6: runs the plan, recording each migration as it completes, with
** the phase hooks around the reverts and the applies.
*/
static int runPlan(RunCtx *p){
  int i, rc = SQLITE_OK;
  for(i=0; rc==SQLITE_OK && i<p->plan.nRun; i++){
    const MigrateItem *pItem = &p->plan.aItem[p->plan.aRun[i]];
    if( p->eOp==MIGRATE_OP_REPAIR ){
      rc = migrateRecordRepair(p->pRec, pItem);
    }else if( p->eOp>=MIGRATE_OP_BASELINE ){   /* baseline, mark */
      rc = migrateRecordBaseline(p->pRec, pItem);
    }else{
      rc = runPhaseHooks(p, i);
      if( rc==SQLITE_OK ) rc = runOne(p, i);
    }
    if( rc!=SQLITE_OK && rc!=SQLITE_NOMEM && p->eOp>=MIGRATE_OP_REPAIR ){
      /* a recording failure (e.g. a dropped table) still says what */
      runError(p, "%s: cannot record %s: %s", p->zFunc, pItem->zName,
               sqlite3_errmsg(p->db));
    }
  }
  if( rc==SQLITE_OK && p->plan.nRun>0 && p->eOp<MIGRATE_OP_REPAIR ){
    rc = runHook(p, p->plan.nRun>p->plan.nDown ? MIGRATE_HOOK_AFTER_MIGRATE
                                               : MIGRATE_HOOK_AFTER_ROLLBACK);
  }
  if( rc==SQLITE_OK ) rc = runFlush(p);
  if( rc==SQLITE_OK ) rc = runFkCheck(p, p->plan.nRun-1);
  return rc;
}

/*
** Runs one call of operation eOp.  zTarget: target name or NULL; nBatch:
** the n of rollback(n) (negative: all).  xProgress (may be NULL) is called
** with pArg as each migration completes.  On success *pnDone is the number
** of migrations applied (reverted, for the rollbacks; repaired, for
** migrate_repair()).  On error returns an SQLite code and sets *pzErr
** (sqlite3_malloc'ed, NULL for SQLITE_NOMEM); the database is as it was,
** except for the failure's row in migrations_history.
*/
static int runCall(sqlite3 *db, int eOp, const char *zTarget,
                   sqlite3_int64 nBatch, migrate_progress xProgress,
                   void *pArg, const migrate_script *aDefine, int nDefine,
                   sqlite3_int64 *pnDone, char **pzErr){
  RunCtx ctx;
  RunCtx *p = &ctx;
  int bWork = 0;
  int rc;
  int i;

  memset(p, 0, sizeof(*p));
  p->db = db;
  p->eOp = eOp;
  p->aDefine = aDefine;
  p->nDefine = nDefine;
  /* a dry run raises exactly the errors migrate() would raise */
  p->zFunc = migrateOpName(eOp==MIGRATE_OP_DRY_RUN ? MIGRATE_OP_UP : eOp);
  p->xProgress = xProgress;
  p->pProgressArg = pArg;
  *pnDone = 0;
  *pzErr = 0;

  /* 1. look without a lock */
  rc = runLook(p, zTarget, nBatch, &bWork);
  if( rc!=SQLITE_OK || !bWork ) goto run_done;

  /* 2. not from inside another statement */
  if( sqlite3_get_autocommit(db) && sqlite3_txn_state(db, 0)!=SQLITE_TXN_NONE ){
    rc = SQLITE_ERROR;
    runError(p, "%s: call it as a statement of its own (SELECT %s(...);), "
             "not inside another statement; nothing was done",
             p->zFunc, p->zFunc);
    goto run_done;
  }

  /* 3. lock; 4. plan from a second read */
  rc = migrateRecorderOpen(db, &p->pRec);
  if( rc==SQLITE_OK ) rc = runBegin(p);
  for(i=0; rc==SQLITE_OK && i<p->nDefine; i++){
    MigrateDef def;
    sqlite3_int64 iRowid = 0;
    memset(&def, 0, sizeof(def));
    def.zName = aDefine[i].zName;
    def.zUp = aDefine[i].zUp;
    def.zDown = aDefine[i].zDown;
    rc = migrateStoreWrite(db, 0, &def, SQLITE_REPLACE, &iRowid, &p->zErr);
  }
  if( rc==SQLITE_OK ) rc = migrateHooksMask(db, &p->mHooks);
  if( rc==SQLITE_OK ) rc = migratePlanLoad(db, &p->plan, p->zFunc, &p->zErr);
  if( rc==SQLITE_OK ){
    rc = migratePlanMake(&p->plan, eOp, zTarget, nBatch, p->zFunc, &p->zErr);
  }
  p->iBatch = (eOp==MIGRATE_OP_REFRESH ? 0 : p->plan.mxBatch) + 1;
  if( rc==SQLITE_OK ){
    p->aDone = sqlite3_malloc64(sizeof(RunDone)*(sqlite3_uint64)(p->plan.nRun+1));
    if( p->aDone==0 ) rc = SQLITE_NOMEM;
  }

  /* 5. check; 6. run (7. foreign keys) */
  if( rc==SQLITE_OK && eOp<MIGRATE_OP_REPAIR ){   /* ops that run scripts */
    rc = runCheckScripts(p);
  }
  if( rc==SQLITE_OK ) rc = runPlan(p);

  /* 8. commit */
  if( rc==SQLITE_OK && eOp!=MIGRATE_OP_DRY_RUN
   && (p->plan.nRun>0 || p->nDefine>0) ){
    rc = migrateUndoPause(db, &p->undo);
    if( rc==SQLITE_OK ){
      rc = runExec(p, p->bOuter ? "COMMIT" : "RELEASE libmigrate");
    }
    if( rc==SQLITE_OK ) p->bOpen = 0;
  }
  if( rc==SQLITE_OK ){
    *pnDone = p->plan.nRun - (eOp==MIGRATE_OP_REFRESH ? p->plan.nDown : 0);
  }
  runUndo(p);   /* dry run, nothing planned, or failure */

  if( rc!=SQLITE_OK && p->pFail && eOp!=MIGRATE_OP_DRY_RUN
   && (p->bOuter || !sqlite3_get_autocommit(db)) ){
    /* the failure goes to history in its own write, after the undo */
    migrateRecordHistory(p->pRec, p->pFail->zName,
        p->bFailDown ? "down" : "up",
        p->bFailDown ? p->pFail->iBatch : p->iBatch, 0, p->iFailMs, -1, 0,
        p->bVerifyFailed ? "verify failed"
                         : p->zErr ? p->zErr : sqlite3_errstr(rc));
  }
  runRestoreFk(p);

run_done:
  migrateUndoFree(&p->undo);
  sqlite3_free(p->aDone);
  migrateRecorderClose(p->pRec);
  migratePlanFree(&p->plan);
  if( rc!=SQLITE_OK && rc!=SQLITE_NOMEM && p->zErr==0 ){
    p->zErr = sqlite3_mprintf("%s: %s", p->zFunc, sqlite3_errstr(rc));
  }
  if( rc==SQLITE_OK ){
    sqlite3_free(p->zErr);
    p->zErr = 0;
  }
  *pzErr = p->zErr;
  return rc;
}

int migrateExec(sqlite3 *db, int eOp, const char *zTarget,
                sqlite3_int64 nBatch, migrate_progress xProgress, void *pArg,
                sqlite3_int64 *pnDone, char **pzErr){
  return runCall(db, eOp, zTarget, nBatch, xProgress, pArg, 0, 0,
                 pnDone, pzErr);
}

/*
** migrate_boot()'s call: defines aScript[0..nScript-1] (INSERT OR REPLACE)
** under the write lock, inside the same transaction as the migrate() that
** follows, so a failing boot leaves the definitions as they were too.
*/
int migrateExecBoot(sqlite3 *db, const migrate_script *aScript, int nScript,
                    sqlite3_int64 *pnDone, char **pzErr){
  return runCall(db, MIGRATE_OP_UP, 0, 0, 0, 0, aScript, nScript,
                 pnDone, pzErr);
}

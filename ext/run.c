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
**      have migrated meanwhile) — or keep the look's plan when the
**      database's data version has not moved since (SQLITE_FCNTL_DATA_
**      VERSION changes on every change, by any connection).  A claimed
**      no-transaction migration of another runner: undo, wait, again.
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

/* What the check (step 5) read of one migration of the run list: the
** script that runs must be exactly that one. */
typedef struct RunSlot RunSlot;
struct RunSlot {
  char zSum[MIGRATE_CHECKSUM_LEN+1];  /* checksum of the script checked */
  int bNoTx;                          /* a no-transaction migration */
};

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
  int bFailVerify;          /* pFail's verify query failed (any way) */
  int iFailLine;            /* line of pFail's script that failed, or 0 */
  migrate_failure *pOut;    /* where the caller wants the failure, or NULL */
  const migrate_script *aDefine;  /* defined under the lock first (boot) */
  int nDefine;
  MigrateHooks hooks;       /* read when the call starts */
  MigrateUndo undo;         /* kept prepared before anything can fail */
  RunSlot *aSlot;           /* one per run-list position (step 5) */
  char *zClaim;             /* a no-transaction migration another runner */
  char *zClaimAt;           /* claimed, and since when (step 4) */
  int bKeepPlan;            /* the look's plan is kept for step 4 ... */
  unsigned int iDataVersion;  /* ... if the database is still this one */
  /* Blame for a failed batch-end foreign key check (runFkBlame) */
  char *zFkTable;           /* the violation the first attempt found: */
  char *zFkParent;          /*   child table, parent table, */
  sqlite3_int64 iFkRowid;   /*   rowid of the child row (-1: none) */
  int bFkRetry;             /* run again, checking after each migration */
  int bFkEach;              /* this attempt is that run */
  int iFkCulprit;           /* -2: not known; -1: before the batch; else the
                            ** run-list position after which it appeared */
  int bFkSeen;              /* the violation existed after the last check */
  int bCommitted;           /* part of the batch was committed (no-tx) */
  int bDefsSum;             /* iDefsSum was taken: the definitions as ... */
  sqlite3_uint64 iDefsSum;  /* ... the call's scripts found them */
  RunDone *aDone;           /* run, not recorded yet (see runFlush) */
  int nDone;
};

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
  int bVersion;
  unsigned int iBefore = 0;
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
        /* SQLITE_ERROR is a missing table or column; anything else (a
        ** small SQLITE_LIMIT_SQL_LENGTH, I/O) is not damage */
        runError(p, "%s: %s: %s", p->zFunc, rc==SQLITE_ERROR
                 ? "the migration tables are damaged"
                 : "cannot read the migration tables", sqlite3_errmsg(p->db));
      }
      return rc;
    }
    if( *pbWork==0 ) return SQLITE_OK;
    *pbWork = 0;
  }
  /* the plan is read by more than one statement, each in a read
  ** transaction of its own: it may be kept only if no change was seen
  ** from before the first of them to after the last */
  bVersion = sqlite3_file_control(p->db, "main", SQLITE_FCNTL_DATA_VERSION,
                                  &iBefore)==SQLITE_OK;
  rc = migratePlanLoad(p->db, &p->plan, p->zFunc, &p->zErr);
  if( rc==SQLITE_OK ){
    rc = migratePlanMake(&p->plan, p->eOp, zTarget, nBatch, p->zFunc,
                         &p->zErr);
  }
  if( rc==SQLITE_OK ) *pbWork = p->plan.nRun>0;
  if( rc==SQLITE_OK && *pbWork && p->eOp!=MIGRATE_OP_REPAIR && bVersion
   && sqlite3_file_control(p->db, "main", SQLITE_FCNTL_DATA_VERSION,
                           &p->iDataVersion)==SQLITE_OK
   && p->iDataVersion==iBefore ){
    /* kept: step 4 plans again only if the database changed meanwhile
    ** (the data version moves on any change, by any connection) */
    p->bKeepPlan = 1;
    return rc;
  }
  if( rc==SQLITE_OK && !*pbWork && p->eOp==MIGRATE_OP_REPAIR ){
    char *zName = 0, *zAt = 0;   /* repair forgets an interrupted claim */
    rc = migrateStoreClaims(p->db, 0, 0, &zName, &zAt, 0);
    *pbWork = zName!=0;
    sqlite3_free(zName);
    sqlite3_free(zAt);
  }
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
  if( p->bOuter && migrateOpOf(p->eOp)->bRunsScripts ){
    p->bFkSuspended = migrateFkSuspend(p->db);
  }
  rc = migrateUndoBegin(p->db, &p->undo);
  if( rc!=SQLITE_OK && rc!=SQLITE_NOMEM ){
    runError(p, "%s: %s", p->zFunc, sqlite3_errmsg(p->db));
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
  migrateUndoAll(p->db, &p->undo);
}

/* Restores the connection's foreign_keys setting. */
static void runRestoreFk(RunCtx *p){
  if( p->bFkSuspended ){
    migrateFkRestore(p->db);
    p->bFkSuspended = 0;
  }
}

/*
** Copies token z[0..n-1] of type eType (lex.c) without its quotes.
*/
static char *runDequote(const char *z, int n, int eType){
  sqlite3_str *pStr;
  int i;
  char q;
  if( eType==MIGRATE_TK_ID ) return sqlite3_mprintf("%.*s", n, z);
  pStr = sqlite3_str_new(0);
  q = z[0]=='[' ? ']' : z[0];
  for(i=1; i<n-1; i++){
    sqlite3_str_appendchar(pStr, 1, z[i]);
    if( z[i]==q && q!=']' && i+1<n-1 && z[i+1]==q ) i++;
  }
  return sqlite3_str_finish(pStr);
}

/*
** If zSql is a DROP TABLE statement, sets *pzSchema (NULL when it names
** none) and *pzTable to what it drops, dequoted (sqlite3_malloc'ed).
*/
static int runDropTarget(const char *zSql, char **pzSchema, char **pzTable){
  char *azName[2] = {0, 0};
  int nName = 0, eType = 0, n, iWord = 0;
  const char *z = zSql;
  *pzSchema = *pzTable = 0;
  for(;;){
    z = migrateSkipSpace(z);
    n = migrateSqlToken(z, &eType);
    if( n==0 ) break;
    if( iWord<2 ){        /* DROP TABLE */
      if( !migrateStartsWith(z, iWord ? "TABLE" : "DROP", 0) ) return SQLITE_OK;
    }else if( iWord==2 && migrateStartsWith(z, "IF", "EXISTS") ){
      z = migrateSkipSpace(z + n);
      n = migrateSqlToken(z, &eType);   /* EXISTS */
    }else if( eType==MIGRATE_TK_ID || eType==MIGRATE_TK_QID
           || eType==MIGRATE_TK_STRING ){
      azName[nName] = runDequote(z, n, eType);
      if( azName[nName++]==0 ) break;
    }else if( !(eType==MIGRATE_TK_OTHER && z[0]=='.') || nName>=2 ){
      break;
    }
    z += n;
    iWord++;
    if( nName==2 ) break;
  }
  if( nName>0 && azName[nName-1]==0 ){
    sqlite3_free(azName[0]);
    return SQLITE_NOMEM;
  }
  *pzSchema = nName==2 ? azName[0] : 0;
  *pzTable = nName==2 ? azName[1] : azName[0];
  return SQLITE_OK;
}

/*
** Refuses a DROP TABLE that would change rows of other tables.  With
** foreign keys enforced (inside the user's transaction libmigrate cannot
** suspend them), SQLite deletes a table's rows before dropping it, and the
** ON DELETE actions of the tables that refer to it change their rows:
** CASCADE deletes them, SET NULL / SET DEFAULT rewrite them (RESTRICT and
** NO ACTION fail, or fail the commit when deferred).  So the drop is
** refused when enforcement is on, the table has rows and another table
** that refers to it has rows too; checked before it runs, so the call
** undoes itself with nothing lost.  On refusal returns SQLITE_CONSTRAINT
** and sets *pzMsg.
*/
static int runDropCheck(sqlite3 *db, const char *zSql, char **pzMsg){
  char *zSchema = 0, *zTable = 0, *zSql2 = 0;
  sqlite3_stmt *pStmt = 0;
  int bFk = 0;
  int rc;
  sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_FKEY, -1, &bFk);
  if( !bFk ) return SQLITE_OK;
  rc = runDropTarget(zSql, &zSchema, &zTable);
  if( rc!=SQLITE_OK || zTable==0 ) goto drop_check_done;
  zSql2 = sqlite3_mprintf(
      "SELECT s.name FROM \"%w\".sqlite_schema AS s,"
      "       pragma_foreign_key_list(s.name, ?2) AS f"
      " WHERE s.type='table' AND f.\"table\"=?1 COLLATE NOCASE"
      "   AND s.name<>?1 COLLATE NOCASE"
      "   AND EXISTS(SELECT 1 FROM \"%w\".\"%w\")",
      zSchema ? zSchema : "main", zSchema ? zSchema : "main", zTable);
  if( zSql2==0 ){ rc = SQLITE_NOMEM; goto drop_check_done; }
  rc = sqlite3_prepare_v2(db, zSql2, -1, &pStmt, 0);
  if( rc==SQLITE_ERROR ){
    rc = SQLITE_OK;        /* no such table: the DROP itself says so */
    goto drop_check_done;
  }
  if( rc!=SQLITE_OK ) goto drop_check_done;
  sqlite3_bind_text(pStmt, 1, zTable, -1, SQLITE_STATIC);
  sqlite3_bind_text(pStmt, 2, zSchema ? zSchema : "main", -1, SQLITE_STATIC);
  while( rc==SQLITE_OK && sqlite3_step(pStmt)==SQLITE_ROW ){
    const char *zChild = (const char*)sqlite3_column_text(pStmt, 0);
    sqlite3_stmt *pRows = 0;
    char *zRows = sqlite3_mprintf("SELECT 1 FROM \"%w\".\"%w\" LIMIT 1",
                                  zSchema ? zSchema : "main", zChild);
    rc = zRows ? sqlite3_prepare_v2(db, zRows, -1, &pRows, 0) : SQLITE_NOMEM;
    if( rc==SQLITE_OK && sqlite3_step(pRows)==SQLITE_ROW ){
      rc = SQLITE_CONSTRAINT_FOREIGNKEY;
      *pzMsg = sqlite3_mprintf("DROP TABLE %s would delete or change rows "
          "of %s: foreign keys are enforced inside the caller's "
          "transaction, where libmigrate cannot suspend them, and SQLite "
          "deletes a table's rows before dropping it (so ON DELETE actions "
          "reach %s); call it outside a transaction, or run PRAGMA "
          "foreign_keys=OFF before BEGIN", zTable, zChild, zChild);
      if( *pzMsg==0 ) rc = SQLITE_NOMEM;
    }
    sqlite3_finalize(pRows);
    sqlite3_free(zRows);
  }
  if( rc==SQLITE_OK ){
    rc = sqlite3_reset(pStmt);
  }

drop_check_done:
  sqlite3_finalize(pStmt);
  sqlite3_free(zSql2);
  sqlite3_free(zSchema);
  sqlite3_free(zTable);
  return rc;
}

/*
** Runs every statement of zScript in turn, each through undo.c's host
** statement (pUndo; may be NULL).  bNoTx: the script runs outside any
** transaction (a no-transaction migration), nothing to undo.  On error
** returns the code and sets *pzMsg to "MESSAGE (line N)"
** (sqlite3_malloc'ed) and *piLine (when not NULL) to N.
*/
int migrateRunScript(sqlite3 *db, const char *zScript, int bNoTx,
                     MigrateUndo *pUndo, char **pzMsg, int *piLine){
  const char *zTail = zScript;
  int rc = SQLITE_OK;
  *pzMsg = 0;
  if( piLine ) *piLine = 0;
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
      rc = migrateGuard(sqlite3_sql(pStmt),
                        (bNoTx ? MIGRATE_GUARD_NOTX : 0)
                        | (pUndo && !pUndo->bOuter ? MIGRATE_GUARD_NESTED : 0),
                        &zWhat, &iLine);
      if( rc==SQLITE_ERROR ){
        *pzMsg = sqlite3_mprintf("%s is not allowed in a migration script "
                                 "(line %d)", zWhat,
                                 migrateLineOf(zScript, iErrAt));
      }
      sqlite3_free(zWhat);
      if( rc==SQLITE_OK && migrateStartsWith(sqlite3_sql(pStmt), "DROP", 0) ){
        rc = runDropCheck(db, sqlite3_sql(pStmt), &zErr);
      }
      if( rc==SQLITE_OK ){
        rc = migrateUndoStep(db, pStmt, bNoTx ? 0 : pUndo, &zErr);
      }
    }
    if( rc!=SQLITE_OK && piLine ) *piLine = migrateLineOf(zScript, iErrAt);
    if( rc!=SQLITE_OK && rc!=SQLITE_NOMEM && *pzMsg==0 ){
      /* inside the caller's transaction, a constraint or trigger of the
      ** schema whose conflict resolution is ROLLBACK ends all of it (the
      ** guard refuses those written in the scripts themselves) */
      int bGone = !bNoTx && pUndo && !pUndo->bOuter
               && sqlite3_get_autocommit(db);
      *pzMsg = sqlite3_mprintf("%s (line %d)%s",
                               zErr ? zErr : sqlite3_errmsg(db),
                               migrateLineOf(zScript, iErrAt), bGone
          ? "; SQLite rolled back your whole transaction (a ROLLBACK "
            "conflict resolution of the schema), your changes before the "
            "call with it" : "");
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
  int rc = migrateRunScript(p->db, zScript, bNoTx, &p->undo, &zMsg,
                            &p->iFailLine);
  if( rc!=SQLITE_OK && rc!=SQLITE_NOMEM ){
    runError(p, "%s: %s failed: %s", p->zFunc, pItem->zName,
             zMsg ? zMsg : sqlite3_errstr(rc));
  }
  sqlite3_free(zMsg);
  return rc;
}

/*
** Refuses zScript when guard.c finds a statement in it that would escape
** the call's transaction.  The message names the owner (zName, may be
** NULL) and zWhose ("its up script", "hook after_each"), and says what zWho
** ("a migration script", ...) may not do.
*/
static int runGuard(RunCtx *p, const char *zScript, int bNoTx,
                    const char *zName, const char *zWhose, const char *zWho){
  char *zWhat = 0;
  int iLine = 0;
  int rc = migrateGuard(zScript, (bNoTx ? MIGRATE_GUARD_NOTX : 0)
                        | (p->bOuter ? 0 : MIGRATE_GUARD_NESTED),
                        &zWhat, &iLine);
  if( rc==SQLITE_ERROR ){
    const char *zWhy;
    if( zWhat[0]=='A' || zWhat[0]=='D' || zWhat[0]=='V' ){
      zWhy = "ATTACH, DETACH or VACUUM, because each call runs in one "
             "transaction";
    }else if( zWhat[0]=='P' ){
      zWhy = "change the journal mode inside the call's transaction (a "
             "no-transaction migration can)";
    }else if( strcmp(zWhat, "ROLLBACK")!=0 && strstr(zWhat, "ROLLBACK") ){
      zWhy = "roll back on a conflict inside your transaction: SQLite would "
             "roll back all of your transaction (call it outside BEGIN ... "
             "COMMIT)";
    }else{
      zWhy = "begin, commit, roll back or release a transaction, because "
             "each call runs in one transaction";
    }
    runError(p, "%s: %s%s%s holds %s (line %d); %s may not %s; nothing was "
             "run", p->zFunc, zName ? zName : "", zName ? ": " : "", zWhose,
             zWhat, iLine, zWho, zWhy);
  }
  sqlite3_free(zWhat);
  return rc;
}

/* Reads the verify query of pItem; a blob is damage, said so. */
static int runReadVerify(RunCtx *p, const MigrateItem *pItem, char **pzVerify,
                         int *pbNull){
  int rc = migrateRecordScript(p->pRec, pItem, MIGRATE_SCRIPT_VERIFY, 0,
                               pzVerify, pbNull);
  if( rc==SQLITE_MISMATCH ){
    runError(p, "%s: %s: its verify query is not text (a blob): "
             "migrations_scripts is damaged", p->zFunc, pItem->zName);
  }
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
  rc = runReadVerify(p, pItem, &zVerify, &bNull);
  if( rc!=SQLITE_OK || bNull ) goto verify_done;
  rc = runGuard(p, zVerify, 0, pItem->zName, "its verify query",
                "a verify query");
  if( rc!=SQLITE_OK ) goto verify_done;
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
  if( (p->hooks.mEvents & (1u<<iEvent))==0 ) return SQLITE_OK;
  return migrateHooksRun(p->db, &p->hooks, iEvent, p->zFunc, &p->undo,
                         &p->zErr);
}

/*
** What a call runs is fixed when it starts: the plan notes a fingerprint
** of the definitions (MigratePlan.iDefsSum, read under the lock), and
** runDefsSame() refuses to commit if a script, hook or verify query has
** written main.migrations_scripts since (even a rewrite that keeps each
** checksum right, of a migration this call does not run again: a down
** script rewriting its own up, say).  After a no-transaction migration,
** whose writes stay, runDefsTake() starts the fingerprint again.
*/
static int runDefsTake(RunCtx *p){
  int rc = migrateStoreDefsSum(p->db, &p->iDefsSum);
  p->bDefsSum = rc==SQLITE_OK;
  if( rc!=SQLITE_OK && rc!=SQLITE_NOMEM ){
    runError(p, "%s: cannot read main.migrations_scripts: %s", p->zFunc,
             sqlite3_errmsg(p->db));
  }
  return rc;
}
static int runDefsSame(RunCtx *p){
  sqlite3_uint64 iNow = 0;
  int rc;
  if( !p->bDefsSum ) return SQLITE_OK;
  rc = migrateStoreDefsSum(p->db, &iNow);
  if( rc==SQLITE_OK && iNow!=p->iDefsSum ){
    rc = SQLITE_ERROR;
    runError(p, "%s: main.migrations_scripts was written while the call "
             "ran (by a script, hook or verify query writing it directly): "
             "what a call runs is fixed when it starts; nothing was done",
             p->zFunc);
  }else if( rc!=SQLITE_OK && rc!=SQLITE_NOMEM ){
    runError(p, "%s: cannot read main.migrations_scripts: %s", p->zFunc,
             sqlite3_errmsg(p->db));
  }
  return rc;
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
      rc = migrateRecordUp(p->pRec, pItem, p->aSlot[pDone->iRun].zSum,
                           p->iBatch, pDone->iStart, pDone->iMs,
                           pDone->nChange, zNote);
    }
    if( rc==SQLITE_NOTFOUND ){
      rc = SQLITE_ERROR;
      runError(p, "%s: cannot record %s: its definition was changed or "
               "deleted while the call ran (by a script, hook or verify "
               "query writing main.migrations_scripts); nothing was done",
               p->zFunc, pItem->zName);
    }else if( rc!=SQLITE_OK && rc!=SQLITE_NOMEM ){
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
** no-transaction migration where none can run; verify queries and hooks
** pass the same guard.  Nothing runs.  What it read is kept in p->aSlot
** (the checksum of each script and whether it is a no-transaction one):
** runOne() runs a script only if it is still exactly the one checked.
*/
static int runCheckScripts(RunCtx *p){
  int i, rc = SQLITE_OK;
  for(i=0; rc==SQLITE_OK && i<p->plan.nRun; i++){
    const MigrateItem *pItem = &p->plan.aItem[p->plan.aRun[i]];
    int bDown = i<p->plan.nDown;
    char *zScript = 0;
    int bNull = 0, bNoTx;
    /* a script is read once here and once to run it; incremental I/O holds
    ** it in memory once (a SELECT would materialise it, then the copy) */
    rc = migrateRecordScript(p->pRec, pItem,
                             bDown ? MIGRATE_SCRIPT_DOWN : MIGRATE_SCRIPT_UP,
                             pItem->bText, &zScript, &bNull);
    if( rc==SQLITE_MISMATCH ){
      runError(p, "%s: %s: its %s script is not text (a blob): %s is "
               "damaged", p->zFunc, pItem->zName, bDown ? "down" : "up",
               pItem->iScript ? "migrations_scripts" : "migrations_ledger");
    }
    if( rc!=SQLITE_OK ) break;
    bNoTx = zScript && migrateIsNoTx(zScript);
    migrateChecksum(zScript ? zScript : "", zScript ? (int)strlen(zScript) : 0,
                    p->aSlot[i].zSum);
    p->aSlot[i].bNoTx = bNoTx;
    if( bNull ){
      rc = SQLITE_ERROR;
      runError(p, "%s: %s is irreversible (its down script is NULL); "
               "nothing was reverted", p->zFunc, pItem->zName);
    }else if( !bDown && strcmp(p->aSlot[i].zSum, pItem->zSum)!=0 ){
      /* the up script is not the one its checksum was computed from: only
      ** a write straight into the table does that (the checksum is what
      ** the ledger records, so the two must agree) */
      rc = SQLITE_CORRUPT;
      runError(p, "%s: migrations_scripts is damaged: the up script of %s "
               "does not match its checksum (written straight into the "
               "table, not through `migrations`?); nothing was run",
               p->zFunc, pItem->zName);
    }else if( bNoTx && (!p->bOuter || p->eOp==MIGRATE_OP_DRY_RUN) ){
      rc = SQLITE_ERROR;
      runError(p, "%s: %s is a no-transaction migration: it %s; nothing "
               "was run", p->zFunc, pItem->zName, p->bOuter
               ? "cannot be dry-run (it could not be undone)"
               : "runs only in autocommit mode, not inside BEGIN ... COMMIT");
    }else{
      rc = runGuard(p, zScript, bNoTx, pItem->zName,
                    bDown ? "its down script" : "its up script",
                    "a migration script");
    }
    sqlite3_free(zScript);
    if( rc==SQLITE_OK && !bDown && pItem->bVerify ){
      char *zVerify = 0;
      rc = runReadVerify(p, pItem, &zVerify, &bNull);
      if( rc==SQLITE_OK && zVerify ){
        rc = runGuard(p, zVerify, 0, pItem->zName, "its verify query",
                      "a verify query");
      }
      sqlite3_free(zVerify);
    }
  }
  for(i=0; rc==SQLITE_OK && i<p->hooks.nHook; i++){
    char *zWhose = sqlite3_mprintf("hook %s",
                                   migrateHookEvent(p->hooks.aHook[i].iEvent));
    rc = zWhose ? runGuard(p, p->hooks.aHook[i].zScript, 0, 0, zWhose,
                           "a hook script") : SQLITE_NOMEM;
    sqlite3_free(zWhose);
  }
  return rc;
}

/*
** Sets *pbYes when the violation the first attempt found (p->zFkTable,
** p->zFkParent, p->iFkRowid) exists now.  Reads one table only.
*/
static int runFkViolated(RunCtx *p, int *pbYes){
  sqlite3_stmt *pStmt = 0;
  int rc = sqlite3_prepare_v2(p->db,
      "SELECT 1 FROM pragma_foreign_key_check(?1, 'main')"
      " WHERE parent=?2 COLLATE NOCASE AND (?3<0 OR rowid=?3)", -1, &pStmt, 0);
  *pbYes = 0;
  if( rc==SQLITE_OK ){
    sqlite3_bind_text(pStmt, 1, p->zFkTable, -1, SQLITE_STATIC);
    sqlite3_bind_text(pStmt, 2, p->zFkParent, -1, SQLITE_STATIC);
    sqlite3_bind_int64(pStmt, 3, p->iFkRowid);
    *pbYes = sqlite3_step(pStmt)==SQLITE_ROW;
    rc = sqlite3_finalize(pStmt);
    if( rc==SQLITE_ERROR ) rc = SQLITE_OK;   /* the table does not exist yet */
  }
  return rc;
}

/*
** In the second attempt (p->bFkEach), called before the first migration
** (i==-1) and after each one: the violation's culprit is the migration
** after which it last appeared.
*/
static int runFkBlame(RunCtx *p, int i){
  int bYes = 0;
  int rc;
  if( !p->bFkEach ) return SQLITE_OK;
  rc = runFkViolated(p, &bYes);
  if( bYes && (i<0 || !p->bFkSeen) ) p->iFkCulprit = i;
  p->bFkSeen = bYes;
  return rc;
}

/*
** The foreign key check (only when enforcement was suspended for the
** call), before a commit: at the end of the batch, or before the batch
** commits ahead of a no-transaction migration.  iLast: position in the run
** list of the last migration run.  The error names the migration that
** introduced the violation when the second attempt found it (runFkBlame),
** else iLast's; the first attempt of a batch of several migrations only
** notes the violation and asks runCall() for that second attempt.
*/
static int runFkCheck(RunCtx *p, int iLast){
  sqlite3_stmt *pStmt = 0;
  int rc;
  if( !p->bFkSuspended || iLast<0 ) return SQLITE_OK;
  rc = sqlite3_prepare_v2(p->db, "PRAGMA main.foreign_key_check", -1,
                          &pStmt, 0);
  if( rc==SQLITE_OK && sqlite3_step(pStmt)==SQLITE_ROW ){
    const char *zTable = (const char*)sqlite3_column_text(pStmt, 0);
    const char *zParent = (const char*)sqlite3_column_text(pStmt, 2);
    sqlite3_int64 iRowid = sqlite3_column_type(pStmt, 1)==SQLITE_NULL
                         ? -1 : sqlite3_column_int64(pStmt, 1);
    int iBlame = iLast;
    int bParent = 0;
    const MigrateItem *pBlame;
    if( !p->bFkEach && iLast>0 && !p->bCommitted && zTable && zParent ){
      /* several migrations: which one did it?  Run again, checking */
      p->zFkTable = sqlite3_mprintf("%s", zTable);
      p->zFkParent = sqlite3_mprintf("%s", zParent);
      p->iFkRowid = iRowid;
      p->bFkRetry = p->zFkTable && p->zFkParent;
    }
    if( p->bFkEach && p->iFkCulprit>=0 && p->iFkCulprit<=iLast ){
      iBlame = p->iFkCulprit;
    }
    pBlame = &p->plan.aItem[p->plan.aRun[iBlame]];
    if( zParent ) migrateStoreHasTable(p->db, zParent, &bParent);
    p->pFail = pBlame;
    p->bFailDown = iBlame<p->plan.nDown;
    runError(p, "%s: %s failed: foreign key check failed at the end of the "
        "batch: a row of table \"%s\" (rowid %lld) refers to %s \"%s\"%s%s",
        p->zFunc, pBlame->zName, zTable, sqlite3_column_int64(pStmt, 1),
        bParent ? "a missing row of" : "table", zParent,
        bParent ? "" : ", which no longer exists",
        p->bFkEach && p->iFkCulprit==-1
          ? " (it did before this batch already)" : "");
    rc = SQLITE_CONSTRAINT_FOREIGNKEY;
  }
  if( rc==SQLITE_OK ){
    rc = sqlite3_finalize(pStmt);
  }else{
    sqlite3_finalize(pStmt);
  }
  if( rc!=SQLITE_OK && rc!=SQLITE_NOMEM && p->zErr==0 ){
    /* e.g. "foreign key mismatch": a broken REFERENCES clause anywhere */
    const MigrateItem *pLast = &p->plan.aItem[p->plan.aRun[iLast]];
    p->pFail = pLast;
    p->bFailDown = iLast<p->plan.nDown;
    runError(p, "%s: %s failed: the foreign key check at the end of the "
             "batch failed: %s (fix that foreign key, or migrate with PRAGMA "
             "foreign_keys=OFF)", p->zFunc, pLast->zName,
             sqlite3_errmsg(p->db));
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
** After a no-transaction migration (position i of the run list) the batch
** goes on in a new transaction, and another runner may have taken the
** write lock in between.  The rest of the run list is kept only while
** each of its migrations is still as the plan saw it; otherwise the batch
** ends here (that runner did the rest).
*/
static int runRecheck(RunCtx *p, int i){
  MigratePlan now;
  int k, rc;
  memset(&now, 0, sizeof(now));
  if( i+1>=p->plan.nRun ) return SQLITE_OK;
  rc = migratePlanLoad(p->db, &now, p->zFunc, &p->zErr);
  for(k=i+1; rc==SQLITE_OK && k<p->plan.nRun; k++){
    const MigrateItem *pA = &p->plan.aItem[p->plan.aRun[k]];
    int j = migratePlanFind(&now, pA->zName);
    const MigrateItem *pB = j>=0 ? &now.aItem[j] : 0;
    if( pB==0 || pB->iScript!=pA->iScript || pB->iLedger!=pA->iLedger
     || pB->eState!=pA->eState ){
      p->plan.nRun = i+1;
      if( p->plan.nDown>p->plan.nRun ) p->plan.nDown = p->plan.nRun;
    }
  }
  migratePlanFree(&now);
  return rc;
}

/*
** Runs one migration, position i of the run list: hooks around it, its
** script, its verify query, its record.  The script must be exactly the
** one the check read (p->aSlot[i]).
**
** A no-transaction migration first commits the batch so far together
** with its claim (sql/lock.sql: any other runner now waits instead of
** running it too), runs outside any transaction, then has its record
** committed on its own with the claim deleted, and the batch goes on in a
** new transaction after runRecheck().
*/
static int runOne(RunCtx *p, int i){
  const MigrateItem *pItem = &p->plan.aItem[p->plan.aRun[i]];
  int bDown = i<p->plan.nDown;
  char *zScript = 0;
  char zSum[MIGRATE_CHECKSUM_LEN+1];
  int bNull = 0;
  int bNoTx = p->aSlot[i].bNoTx;
  int bClaimed = 0;
  sqlite3_int64 iStart, iMs = 0, nChange;
  int rc = migrateRecordScript(p->pRec, pItem,
                               bDown ? MIGRATE_SCRIPT_DOWN : MIGRATE_SCRIPT_UP,
                               1, &zScript, &bNull);
  if( rc!=SQLITE_OK ) return rc;
  if( zScript==0 ){
    zScript = sqlite3_mprintf("");
    if( zScript==0 ) return SQLITE_NOMEM;
  }
  migrateChecksum(zScript, (int)strlen(zScript), zSum);
  if( strcmp(zSum, p->aSlot[i].zSum)!=0 ){
    /* what a call runs is fixed when it starts */
    rc = SQLITE_ERROR;
    runError(p, "%s: %s failed: its %s script was changed while the call "
             "ran (by a script, hook or verify query writing "
             "main.migrations_scripts); nothing was done", p->zFunc,
             pItem->zName, bDown ? "down" : "up");
    goto one_fail;
  }
  rc = runHook(p, MIGRATE_HOOK_BEFORE_EACH);
  if( rc==SQLITE_OK && bNoTx ){
    /* commit the batch so far and the claim: the script runs outside any
    ** transaction */
    rc = runFlush(p);
    if( rc==SQLITE_OK ) rc = runDefsSame(p);
    if( rc==SQLITE_OK ) rc = runFkCheck(p, i-1);
    if( rc==SQLITE_OK ){
      rc = migrateRecordClaim(p->pRec, pItem, p->iBatch);
      if( rc!=SQLITE_OK && rc!=SQLITE_NOMEM ){
        runError(p, "%s: cannot record that %s starts: %s", p->zFunc,
                 pItem->zName, sqlite3_errmsg(p->db));
      }
    }
    if( rc==SQLITE_OK ) rc = migrateUndoPause(p->db, &p->undo);
    if( rc==SQLITE_OK ) rc = runExec(p, "COMMIT");
    if( rc==SQLITE_OK ){
      p->bOpen = 0;
      p->bCommitted = 1;
      bClaimed = 1;
    }
  }
  if( rc!=SQLITE_OK ) goto one_done;

  iStart = migrateNowMs(p->db);
  nChange = sqlite3_total_changes(p->db);
  rc = runScript(p, pItem, zScript, bNoTx);
  nChange = sqlite3_total_changes(p->db) - nChange;
  iMs = migrateNowMs(p->db) - iStart;
  if( iMs<0 ) iMs = 0;
  if( rc==SQLITE_OK && !bDown ){
    rc = runVerify(p, pItem);
    p->bFailVerify = rc!=SQLITE_OK;
  }
  if( rc!=SQLITE_OK ){
    /* a failed no-transaction migration gives its claim back (its own
    ** write: nothing else of it can be undone) */
    if( bClaimed ) migrateRecordUnclaim(p->pRec, pItem->zName);
    goto one_fail;
  }
  p->aDone[p->nDone].iRun = i;
  p->aDone[p->nDone].iStart = iStart;
  p->aDone[p->nDone].iMs = iMs;
  p->aDone[p->nDone].nChange = nChange;
  p->aDone[p->nDone].bNoTx = bNoTx;
  p->nDone++;
  if( bNoTx ){
    /* its record and the end of its claim are committed on their own:
    ** what ran cannot be undone; the script may have expired the undo
    ** statements */
    rc = migrateUndoPrepare(p->db, &p->undo);
    if( rc==SQLITE_OK ) rc = runExec(p, "BEGIN IMMEDIATE");
    p->bOpen = rc==SQLITE_OK;
    if( rc==SQLITE_OK ) rc = runFlush(p);
    if( rc==SQLITE_OK ) rc = migrateRecordUnclaim(p->pRec, pItem->zName);
    if( rc==SQLITE_OK ) rc = runExec(p, "COMMIT");
    if( rc==SQLITE_OK ) rc = runExec(p, "BEGIN IMMEDIATE");
    p->bOpen = rc==SQLITE_OK;
    if( rc==SQLITE_OK ) rc = runRecheck(p, i);
    /* what the no-transaction script wrote is committed, and other
    ** connections may define migrations meanwhile: the fingerprint
    ** starts again */
    if( rc==SQLITE_OK ) rc = runDefsTake(p);
  }
  if( rc==SQLITE_OK ) rc = runHook(p, MIGRATE_HOOK_AFTER_EACH);
  if( rc==SQLITE_OK && p->xProgress ){
    p->xProgress(p->pProgressArg, pItem->zName, bDown ? "down" : "up", iMs,
                 nChange);
  }
  goto one_done;
one_fail:
  p->pFail = pItem;
  p->bFailDown = bDown;
  p->iFailMs = iMs;
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
    }else if( p->eOp==MIGRATE_OP_BASELINE || p->eOp==MIGRATE_OP_MARK ){
      rc = migrateRecordBaseline(p->pRec, pItem);
    }else{
      if( i==0 ) rc = runFkBlame(p, -1);
      if( rc==SQLITE_OK ) rc = runPhaseHooks(p, i);
      if( rc==SQLITE_OK ) rc = runOne(p, i);
      if( rc==SQLITE_OK ) rc = runFkBlame(p, i);
    }
    if( rc!=SQLITE_OK && rc!=SQLITE_NOMEM
     && !migrateOpOf(p->eOp)->bRunsScripts ){
      /* a recording failure (e.g. a dropped table) still says what */
      runError(p, "%s: cannot record %s: %s", p->zFunc, pItem->zName,
               sqlite3_errmsg(p->db));
    }
  }
  if( rc==SQLITE_OK && p->plan.nRun>0 && migrateOpOf(p->eOp)->bRunsScripts ){
    rc = runHook(p, p->plan.nRun>p->plan.nDown ? MIGRATE_HOOK_AFTER_MIGRATE
                                               : MIGRATE_HOOK_AFTER_ROLLBACK);
  }
  if( rc==SQLITE_OK ) rc = runFlush(p);
  if( rc==SQLITE_OK ) rc = runDefsSame(p);
  if( rc==SQLITE_OK ) rc = runFkCheck(p, p->plan.nRun-1);
  return rc;
}

/*
** One attempt at the call p describes (steps 1-8 of the header).  Returns
** SQLITE_BUSY with p->zClaim set when another runner's no-transaction
** migration is under way (the caller waits and tries again); everything
** of the attempt is undone and freed then, as on any return.
*/
static int runOnce(RunCtx *p, const char *zTarget, sqlite3_int64 nBatch,
                   sqlite3_int64 *pnDone){
  sqlite3 *db = p->db;
  int eOp = p->eOp;
  sqlite3_int64 nForgot = 0;
  int bWork = 0;
  int rc;
  int i;

  /* 1. look without a lock */
  rc = runLook(p, zTarget, nBatch, &bWork);
  if( rc!=SQLITE_OK || !bWork ) goto once_done;

  /* 2. not from inside another statement */
  if( sqlite3_get_autocommit(db) && sqlite3_txn_state(db, 0)!=SQLITE_TXN_NONE ){
    rc = SQLITE_ERROR;
    runError(p, "%s: call it as a statement of its own (SELECT %s(...);), "
             "not inside another statement; nothing was done",
             p->zFunc, p->zFunc);
    goto once_done;
  }

  /* 3. lock; 4. plan from a second read */
  rc = migrateRecorderOpen(db, &p->pRec);
  if( rc==SQLITE_OK ) rc = runBegin(p);
  for(i=0; rc==SQLITE_OK && i<p->nDefine; i++){
    MigrateDef def;
    sqlite3_int64 iRowid = 0;
    memset(&def, 0, sizeof(def));
    def.zName = p->aDefine[i].zName;
    def.zUp = p->aDefine[i].zUp;
    def.zDown = p->aDefine[i].zDown;
    rc = migrateStoreWrite(db, 0, &def, SQLITE_REPLACE, &iRowid, &p->zErr);
  }
  if( p->bKeepPlan ){
    unsigned int v = 0;
    if( rc!=SQLITE_OK || p->nDefine>0
     || sqlite3_file_control(db, "main", SQLITE_FCNTL_DATA_VERSION, &v)
        !=SQLITE_OK
     || v!=p->iDataVersion ){
      migratePlanFree(&p->plan);
      p->bKeepPlan = 0;
    }
  }
  if( rc==SQLITE_OK && !p->bKeepPlan ){
    rc = migratePlanLoad(db, &p->plan, p->zFunc, &p->zErr);
    if( rc==SQLITE_OK ){
      rc = migratePlanMake(&p->plan, eOp, zTarget, nBatch, p->zFunc,
                           &p->zErr);
    }
  }
  p->bKeepPlan = 0;
  if( rc==SQLITE_OK ){
    /* another runner's no-transaction migration: wait for it (repair
    ** forgets it instead) */
    rc = migrateStoreClaims(db, p->pRec, eOp==MIGRATE_OP_REPAIR, &p->zClaim,
                            &p->zClaimAt, &nForgot);
    if( rc==SQLITE_OK && p->zClaim ) rc = SQLITE_BUSY;
  }
  if( rc==SQLITE_OK && migrateOpOf(eOp)->bRunsScripts && p->plan.nRun>0 ){
    rc = migrateHooksLoad(db, &p->hooks, p->zFunc, &p->zErr);
  }
  p->iBatch = (eOp==MIGRATE_OP_REFRESH ? 0 : p->plan.mxBatch) + 1;
  if( rc==SQLITE_OK ){
    sqlite3_uint64 n = (sqlite3_uint64)(p->plan.nRun+1);
    p->aDone = sqlite3_malloc64(sizeof(RunDone)*n);
    p->aSlot = sqlite3_malloc64(sizeof(RunSlot)*n);
    if( p->aDone==0 || p->aSlot==0 ) rc = SQLITE_NOMEM;
  }

  /* 5. check; 6. run (7. foreign keys) */
  if( rc==SQLITE_OK && migrateOpOf(eOp)->bRunsScripts ){
    rc = runCheckScripts(p);
    /* the definitions as the plan read them, under the lock */
    p->iDefsSum = p->plan.iDefsSum;
    p->bDefsSum = p->plan.nRun>0;
  }
  if( rc==SQLITE_OK ) rc = runPlan(p);

  /* 8. commit */
  if( rc==SQLITE_OK && eOp!=MIGRATE_OP_DRY_RUN
   && (p->plan.nRun>0 || p->nDefine>0 || nForgot>0) ){
    rc = migrateUndoPause(db, &p->undo);
    if( rc==SQLITE_OK ){
      rc = runExec(p, p->bOuter ? "COMMIT" : "RELEASE libmigrate");
    }
    if( rc==SQLITE_OK ) p->bOpen = 0;
  }
  if( rc==SQLITE_OK ){
    *pnDone = p->plan.nRun - (eOp==MIGRATE_OP_REFRESH ? p->plan.nDown : 0)
            + nForgot;
  }
  runUndo(p);   /* dry run, nothing planned, or failure */

  if( rc!=SQLITE_OK && p->pFail && eOp!=MIGRATE_OP_DRY_RUN && !p->bFkRetry
   && (p->bOuter || !sqlite3_get_autocommit(db)) ){
    /* the failure goes to history in its own write, after the undo */
    migrateRecordHistory(p->pRec, p->pFail->zName,
        p->bFailDown ? "down" : "up",
        p->bFailDown ? p->pFail->iBatch : p->iBatch, 0, p->iFailMs, -1, 0,
        p->bVerifyFailed ? "verify failed"
                         : p->zErr ? p->zErr : sqlite3_errstr(rc));
  }
  runRestoreFk(p);

once_done:
  if( rc!=SQLITE_OK && p->pFail && p->pOut && !p->bFkRetry ){
    sqlite3_free(p->pOut->zName);
    p->pOut->zName = sqlite3_mprintf("%s", p->pFail->zName);
    p->pOut->eScript = p->bFailVerify ? MIGRATE_FAILED_VERIFY
                     : p->bFailDown ? MIGRATE_FAILED_DOWN : MIGRATE_FAILED_UP;
    p->pOut->iLine = p->bFailVerify ? 0 : p->iFailLine;
  }
  p->iFailLine = 0;
  p->bFailVerify = 0;
  migrateUndoFree(&p->undo);
  memset(&p->undo, 0, sizeof(p->undo));
  sqlite3_free(p->aDone);
  sqlite3_free(p->aSlot);
  p->aDone = 0;
  p->aSlot = 0;
  p->nDone = 0;
  migrateRecorderClose(p->pRec);
  p->pRec = 0;
  migratePlanFree(&p->plan);
  migrateHooksFree(&p->hooks);
  p->pFail = 0;
  p->bKeepPlan = 0;
  p->bOuter = p->bOpen = 0;
  p->bCommitted = 0;
  p->bDefsSum = 0;
  return rc;
}

/* The connection's busy timeout in ms (PRAGMA busy_timeout), 0 if none. */
static int runBusyTimeout(sqlite3 *db){
  sqlite3_stmt *pStmt = 0;
  int ms = 0;
  if( sqlite3_prepare_v2(db, "PRAGMA busy_timeout", -1, &pStmt, 0)==SQLITE_OK
   && sqlite3_step(pStmt)==SQLITE_ROW ){
    ms = sqlite3_column_int(pStmt, 0);
  }
  sqlite3_finalize(pStmt);
  return ms;
}

/*
** Runs one call of operation eOp.  zTarget: target name or NULL; nBatch:
** the n of rollback(n) (negative: all).  xProgress (may be NULL) is called
** with pArg as each migration completes.  On success *pnDone is the number
** of migrations applied (reverted, for the rollbacks; repaired, for
** migrate_repair()).  On error returns an SQLite code and sets *pzErr
** (sqlite3_malloc'ed, NULL for SQLITE_NOMEM); the database is as it was,
** except for the failure's row in migrations_history.
**
** A call made from inside another call on the same connection (from a
** migration script, a hook or a verify query) is refused.  While another
** runner's no-transaction migration is under way the call waits for it,
** polling, up to the connection's busy_timeout, as it would for the lock.
*/
static int runCall(sqlite3 *db, int eOp, const char *zTarget,
                   sqlite3_int64 nBatch, migrate_progress xProgress,
                   void *pArg, const migrate_script *aDefine, int nDefine,
                   sqlite3_int64 *pnDone, char **pzErr,
                   migrate_failure *pOut){
  RunCtx ctx;
  RunCtx *p = &ctx;
  int nWaited = 0;         /* ms waited for another runner so far */
  int msTimeout = -1;
  int rc;

  memset(p, 0, sizeof(*p));
  p->db = db;
  p->eOp = eOp;
  p->aDefine = aDefine;
  p->nDefine = nDefine;
  /* a dry run raises exactly the errors migrate() would raise */
  p->zFunc = migrateOpOf(eOp)->zErrName;
  p->xProgress = xProgress;
  p->pProgressArg = pArg;
  p->pOut = pOut;
  if( pOut ) memset(pOut, 0, sizeof(*pOut));
  *pnDone = 0;
  *pzErr = 0;

  if( migrateCallRunning(db) ){
    rc = SQLITE_ERROR;
    runError(p, "%s: cannot be called from inside a migration script, hook "
             "or verify query (a call is running on this connection); "
             "nothing was done", migrateOpName(eOp));
    goto run_done;
  }
  for(;;){
    rc = runOnce(p, zTarget, nBatch, pnDone);
    if( p->bFkRetry ){
      /* the batch-end foreign key check failed: once more, checking that
      ** violation after each migration, to name the one that made it */
      p->bFkRetry = 0;
      p->bFkEach = 1;
      p->iFkCulprit = -2;
      p->bFkSeen = 0;
      sqlite3_free(p->zErr);
      p->zErr = 0;
      continue;
    }
    if( rc!=SQLITE_BUSY || p->zClaim==0 ) break;
    if( msTimeout<0 ) msTimeout = runBusyTimeout(db);
    if( nWaited>=msTimeout ){
      sqlite3_free(p->zErr);
      p->zErr = 0;
      runError(p, "%s: %s is a no-transaction migration that another "
          "connection started at %s and has not finished; nothing was done "
          "(if no other process is migrating this database it was "
          "interrupted: check what it did, then SELECT migrate_repair() to "
          "forget it, so that it runs again, or also SELECT "
          "migrate_mark('%s') to record it as applied)", p->zFunc,
          p->zClaim, p->zClaimAt, p->zClaim);
      break;
    }
    nWaited += sqlite3_sleep(msTimeout-nWaited<50 ? msTimeout-nWaited : 50);
    sqlite3_free(p->zClaim);
    sqlite3_free(p->zClaimAt);
    sqlite3_free(p->zErr);
    p->zClaim = p->zClaimAt = p->zErr = 0;
  }

run_done:
  sqlite3_free(p->zClaim);
  sqlite3_free(p->zClaimAt);
  sqlite3_free(p->zFkTable);
  sqlite3_free(p->zFkParent);
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
  return migrateExecEx(db, eOp, zTarget, nBatch, xProgress, pArg, pnDone,
                       pzErr, 0);
}

/* migrateExec(), also saying where it failed (migrate_run_ex()). */
int migrateExecEx(sqlite3 *db, int eOp, const char *zTarget,
                  sqlite3_int64 nBatch, migrate_progress xProgress,
                  void *pArg, sqlite3_int64 *pnDone, char **pzErr,
                  migrate_failure *pOut){
#ifndef MIGRATE_OMIT_DIFF
  if( eOp==MIGRATE_OP_CHECK ){   /* up, down, compare, up: check.c */
    if( pOut ) memset(pOut, 0, sizeof(*pOut));
    return migrateCheck(db, zTarget, xProgress, pArg, pnDone, pzErr);
  }
#endif
  return runCall(db, eOp, zTarget, nBatch, xProgress, pArg, 0, 0,
                 pnDone, pzErr, pOut);
}

/*
** migrate_boot()'s call: defines aScript[0..nScript-1] (INSERT OR REPLACE)
** under the write lock, inside the same transaction as the migrate() that
** follows, so a failing boot leaves the definitions as they were too.
*/
int migrateExecBoot(sqlite3 *db, const migrate_script *aScript, int nScript,
                    sqlite3_int64 *pnDone, char **pzErr){
  return runCall(db, MIGRATE_OP_UP, 0, 0, 0, 0, aScript, nScript,
                 pnDone, pzErr, 0);
}

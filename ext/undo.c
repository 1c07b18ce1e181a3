/*
** undo.c — keeps every call undoable, even out of memory inside
** SELECT migrate().
**
** USAGE
**   MigrateUndo u;  memset(&u, 0, sizeof(u));  u.bOuter = 1;
**   rc = migrateUndoPrepare(db, &u);       before the transaction opens
**   rc = migrateUndoStep(db, pStmt, &u, &zErr);   each script statement
**   rc = migrateUndoPause(db, &u);         before COMMIT or RELEASE
**   migrateUndoRun(db, &u);                to undo the call
**   migrateUndoFree(&u);
**
** THE PROBLEM
**   After an out-of-memory error inside a statement that is still running
**   (SELECT migrate() is one), SQLite prepares nothing more until that
**   statement ends: sqlite3OomClear() clears the error only when no
**   statement is executing.  A statement prepared earlier still runs, so
**   the ROLLBACK is prepared before the call's transaction opens.  But some
**   script statements (CREATE INDEX, CREATE VIRTUAL TABLE, ANALYZE, any
**   change to the TEMP schema, some PRAGMAs) expire every prepared
**   statement of the connection, that ROLLBACK included, and an expired
**   statement must be prepared again before it can run.  And SQLite does
**   not roll the call back by itself: SELECT migrate() reads no table, so
**   when it fails SQLite sees nothing to undo.
**
** HOW IT WORKS
**   SQLite does roll back, needing no memory, when a statement that reads
**   the database fails with SQLITE_NOMEM and has no statement journal
**   (vdbeaux.c, sqlite3VdbeHalt).  So the script statements run from
**   inside such a statement of ours, the host:
**       WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM r)
**       SELECT migrate_internal_step(?1) FROM r
**        WHERE (SELECT 1 FROM temp.sqlite_schema LIMIT 0) IS NULL
**   Its rows never end; each row runs the next script statement (handed
**   over through the MigrateUndo that ?1 points to).  The host starts at
**   the first script statement of a call and keeps running, between rows,
**   until the call commits or fails: a running statement is not stopped by
**   being expired.  While it runs, the call can always be undone:
**     - out of memory inside a script statement: the host's function fails
**       with SQLITE_NOMEM, the host stops, SQLite rolls back;
**     - out of memory anywhere else (SQL path): the error sticks until the
**       outer statement ends, so resetting the host stops it with
**       SQLITE_NOMEM, and SQLite rolls back;
**     - any failure: the kept ROLLBACK runs (prepared again if expired);
**       if that fails, the host's next row is made to fail with
**       SQLITE_NOMEM on purpose (sqlite3_result_error_nomem() allocates
**       nothing), and SQLite rolls back.
**   The host reads the TEMP schema so that ordinary schema changes do not
**   make it prepare again; it opens no cursor and writes nothing.
**
**   While the host is not running, the kept ROLLBACK must be fresh: it is
**   prepared again just before the host stops.  DROP TABLE and DROP INDEX
**   stop it, since they refuse to run beside another reader (OP_Destroy,
**   SQLITE_LOCKED).  Of those, only a DROP of a TEMP table or index expires
**   other statements; the moment after one is the remaining window
**   (README, "Faults").
**
**   migrate_internal_step() takes a pointer (sqlite3_bind_pointer), so SQL
**   cannot call it to any effect; it is DIRECTONLY as well.
*/
#include "migrateInt.h"
#include <string.h>

#define UNDO_HOST_SQL(DB) \
  "WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM r)" \
  " SELECT migrate_internal_step(?1) FROM r" \
  " WHERE (SELECT 1 FROM " DB ".sqlite_schema LIMIT 0) IS NULL"
#define UNDO_HOST_PTR "libmigrate-undo"

/* Ends the kept ROLLBACK's text: while that statement exists a call is
** running on the connection (migrateCallRunning()). */
#define UNDO_MARK " /* libmigrate: a call is running */"

/*
** (Re)prepares the statements that undo a call: ROLLBACK, or ROLLBACK TO
** and RELEASE of the call's savepoint.  On failure the old statements are
** kept (they still work unless something expired them).
*/
int migrateUndoPrepare(sqlite3 *db, MigrateUndo *pUndo){
  sqlite3_stmt *apNew[2] = {0, 0};
  int i;
  int rc = sqlite3_prepare_v2(db, pUndo->bOuter ? "ROLLBACK" UNDO_MARK
                              : "ROLLBACK TO libmigrate" UNDO_MARK, -1,
                              &apNew[0], 0);
  if( rc==SQLITE_OK && !pUndo->bOuter ){
    rc = sqlite3_prepare_v2(db, "RELEASE libmigrate", -1, &apNew[1], 0);
  }
  for(i=0; i<2; i++){
    sqlite3_stmt *pOld = rc==SQLITE_OK ? pUndo->apStmt[i] : apNew[i];
    if( rc==SQLITE_OK ) pUndo->apStmt[i] = apNew[i];
    sqlite3_finalize(pOld);
  }
  return rc;
}

/*
** Stops a running host by making its next row fail with SQLITE_NOMEM:
** SQLite then rolls the whole transaction back, needing no memory.
*/
static void undoAbortHost(MigrateUndo *p){
  p->pJob = 0;
  sqlite3_step(p->pHost);
  sqlite3_reset(p->pHost);
  p->bRunning = 0;
}

/*
** Undoes the call.  Returns SQLITE_OK when it is undone (or SQLite already
** rolled it back), an error code when the call's transaction or savepoint
** may still be open.
*/
int migrateUndoRun(sqlite3 *db, MigrateUndo *p){
  int i, rc = SQLITE_OK;
  if( !sqlite3_get_autocommit(db) ){
    /* RELEASE only after ROLLBACK TO worked: never keep the call's work */
    for(i=0; i<2 && rc==SQLITE_OK && p->apStmt[i]; i++){
      sqlite3_step(p->apStmt[i]);
      rc = sqlite3_reset(p->apStmt[i]);
    }
    if( p->apStmt[0]==0 ) rc = SQLITE_ERROR;
    if( sqlite3_get_autocommit(db) ) rc = SQLITE_OK;   /* rolled back */
  }
  if( p->bRunning ){
    if( rc!=SQLITE_OK ){
      undoAbortHost(p);
      rc = sqlite3_get_autocommit(db) ? SQLITE_OK : SQLITE_ERROR;
    }else{
      sqlite3_reset(p->pHost);   /* stuck out of memory: rolls back too */
      p->bRunning = 0;
    }
  }
  return rc;
}

/*
** Opens a call's transaction: BEGIN IMMEDIATE in autocommit mode, else a
** savepoint inside the caller's (pUndo->bOuter says which), with the
** statements that undo it prepared first.  run.c and check.c share it.
*/
int migrateUndoBegin(sqlite3 *db, MigrateUndo *pUndo){
  int rc;
  pUndo->bOuter = sqlite3_get_autocommit(db);
  rc = migrateUndoPrepare(db, pUndo);
  if( rc==SQLITE_OK ){
    rc = sqlite3_exec(db, pUndo->bOuter ? "BEGIN IMMEDIATE"
                                        : "SAVEPOINT libmigrate", 0, 0, 0);
  }
  return rc;
}

/*
** Undoes the call (migrateUndoRun), and when its statements cannot, tries
** plain SQL as the last resort (it needs memory): ROLLBACK, or ROLLBACK TO
** and RELEASE of the call's savepoint.
*/
void migrateUndoAll(sqlite3 *db, MigrateUndo *pUndo){
  if( migrateUndoRun(db, pUndo)==SQLITE_OK ) return;
  if( pUndo->bOuter ){
    sqlite3_exec(db, "ROLLBACK", 0, 0, 0);
  }else if( sqlite3_exec(db, "ROLLBACK TO libmigrate", 0, 0, 0)==SQLITE_OK ){
    sqlite3_exec(db, "RELEASE libmigrate", 0, 0, 0);
  }
}

/*
** Foreign keys for a call in autocommit mode: migrateFkSuspend() turns
** enforcement off and returns 1 if it was on; migrateFkRestore() turns it
** back on.  (Inside a transaction SQLite ignores the setting.)
*/
int migrateFkSuspend(sqlite3 *db){
  int bFk = 0, x;
  sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_FKEY, -1, &bFk);
  if( bFk ) sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_FKEY, 0, &x);
  return bFk!=0;
}
void migrateFkRestore(sqlite3 *db){
  int x;
  sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_FKEY, 1, &x);
}

/*
** Stops the host before COMMIT, RELEASE or a DROP TABLE/INDEX, keeping the
** call undoable: the undo statements are prepared again first, while an
** out-of-memory error can still be undone.
*/
int migrateUndoPause(sqlite3 *db, MigrateUndo *p){
  int rc;
  if( !p->bRunning ) return SQLITE_OK;
  rc = migrateUndoPrepare(db, p);
  if( rc!=SQLITE_OK ){
    undoAbortHost(p);
    return rc;
  }
  p->bRunning = 0;
  return sqlite3_reset(p->pHost);   /* SQLITE_NOMEM: SQLite rolled back */
}

/*
** True while a call (migrate(), a rollback, ...) is running on db: from the
** moment its transaction opens until it ends, the call keeps its ROLLBACK
** prepared, and that statement's text carries UNDO_MARK.  Migration
** scripts, hooks and verify queries run only inside that window, so this
** is how a nested call, or a write to the definitions from one of them, is
** recognised.  Per connection, needs no state of its own.
*/
int migrateCallRunning(sqlite3 *db){
  sqlite3_stmt *pStmt = 0;
  static const int nMark = (int)sizeof(UNDO_MARK)-1;
  while( (pStmt = sqlite3_next_stmt(db, pStmt))!=0 ){
    const char *z = sqlite3_sql(pStmt);
    int n = z && z[0]=='R' ? (int)strlen(z) : 0;
    if( n>nMark && memcmp(&z[n-nMark], UNDO_MARK, (size_t)nMark)==0 ){
      return 1;
    }
  }
  return 0;
}

void migrateUndoFree(MigrateUndo *p){
  sqlite3_finalize(p->apStmt[0]);
  sqlite3_finalize(p->apStmt[1]);
  sqlite3_finalize(p->pHost);
  p->apStmt[0] = p->apStmt[1] = p->pHost = 0;
  p->bRunning = 0;
}

/* Steps pStmt to its end; on an error but NOMEM sets *pzErr. */
static int undoRunOne(sqlite3 *db, sqlite3_stmt *pStmt, char **pzErr){
  int rc;
  while( sqlite3_step(pStmt)==SQLITE_ROW ){}
  rc = sqlite3_reset(pStmt);
  if( rc!=SQLITE_OK && rc!=SQLITE_NOMEM ){
    *pzErr = sqlite3_mprintf("%s", sqlite3_errmsg(db));
    if( *pzErr==0 ) rc = SQLITE_NOMEM;
  }
  return rc;
}

/* migrate_internal_step(P): one row of the host (see the header). */
void migrateUndoStepFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  MigrateUndo *p = (MigrateUndo*)sqlite3_value_pointer(argv[0], UNDO_HOST_PTR);
  (void)argc;
  if( p==0 ){
    sqlite3_result_error(ctx, "migrate_internal_step() is internal to "
                         "libmigrate", -1);
  }else if( p->pJob==0 ){
    sqlite3_result_error_nomem(ctx);        /* undoAbortHost() */
  }else{
    p->rcJob = undoRunOne(sqlite3_context_db_handle(ctx), p->pJob,
                          &p->zJobErr);
    if( p->rcJob==SQLITE_NOMEM ) sqlite3_result_error_nomem(ctx);
  }
}

/* Prepares the host (out of memory here is harmless: see the header). */
static int undoHostPrepare(sqlite3 *db, MigrateUndo *p){
  int rc = sqlite3_prepare_v2(db, UNDO_HOST_SQL("temp"), -1, &p->pHost, 0);
  if( rc==SQLITE_ERROR ){
    /* built with SQLITE_OMIT_TEMPDB */
    rc = sqlite3_prepare_v2(db, UNDO_HOST_SQL("main"), -1, &p->pHost, 0);
  }
  if( rc==SQLITE_OK ){
    rc = sqlite3_bind_pointer(p->pHost, 1, p, UNDO_HOST_PTR, 0);
  }
  return rc;
}

/*
** Runs the prepared script statement pStmt to its end (see the header).
** pUndo may be NULL: a no-transaction migration, nothing to undo.  On an
** error other than SQLITE_NOMEM sets *pzErr to SQLite's message.
*/
int migrateUndoStep(sqlite3 *db, sqlite3_stmt *pStmt, MigrateUndo *pUndo,
                    char **pzErr){
  int rc;
  *pzErr = 0;
  if( pUndo==0 ) return undoRunOne(db, pStmt, pzErr);
  if( migrateStartsWith(sqlite3_sql(pStmt), "DROP", "TABLE")
   || migrateStartsWith(sqlite3_sql(pStmt), "DROP", "INDEX") ){
    rc = migrateUndoPause(db, pUndo);
    if( rc==SQLITE_OK ) rc = undoRunOne(db, pStmt, pzErr);
    /* a DROP of a TEMP object expired them: the remaining window */
    if( rc==SQLITE_OK ) rc = migrateUndoPrepare(db, pUndo);
    return rc;
  }
  if( pUndo->pHost==0 ){
    rc = undoHostPrepare(db, pUndo);
    if( rc!=SQLITE_OK ) return rc;
  }
  pUndo->pJob = pStmt;
  pUndo->rcJob = SQLITE_OK;
  pUndo->zJobErr = 0;
  rc = sqlite3_step(pUndo->pHost);
  pUndo->pJob = 0;
  if( rc==SQLITE_ROW ){
    pUndo->bRunning = 1;
    rc = pUndo->rcJob;
  }else{
    /* the host stopped: out of memory (SQLite rolled back), or it could
    ** not start again (expired, and out of memory preparing it) */
    pUndo->bRunning = 0;
    rc = sqlite3_reset(pUndo->pHost);
    if( pUndo->rcJob!=SQLITE_OK ) rc = pUndo->rcJob;
    if( rc==SQLITE_OK ) rc = SQLITE_INTERNAL;   /* its rows never end */
  }
  *pzErr = pUndo->zJobErr;
  pUndo->zJobErr = 0;
  return rc;
}

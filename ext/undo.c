/*
** undo.c — keeps every call undoable, even after an out-of-memory error
** inside SELECT migrate().
**
** USAGE
**   MigrateUndo u = {1};                    bOuter: ROLLBACK, else ROLLBACK TO
**   rc = migrateUndoPrepare(db, &u);        before the transaction opens
**   rc = migrateUndoStep(db, pStmt, &u, &zErr);   each script statement
**   migrateUndoRun(db, &u);                 on failure
**   migrateUndoFree(&u);
**
** THE PROBLEM
**   After an out-of-memory error inside a statement that is still running
**   (SELECT migrate() is one), SQLite prepares nothing more until that
**   statement ends: sqlite3OomClear() only clears the error when no
**   statement is executing.  A statement prepared earlier still runs.  So
**   the ROLLBACK is prepared before the call's transaction opens, and kept.
**   But some script statements (CREATE INDEX, CREATE VIRTUAL TABLE,
**   ANALYZE, any change to the TEMP schema, some PRAGMAs) expire every
**   prepared statement of the connection, the kept ROLLBACK included, and
**   an expired statement has to be prepared again before it can run.  An
**   out-of-memory error at that moment used to leave the call's
**   transaction open and half done, and SQLite does not roll it back
**   either: SELECT migrate() reads no table, so SQLite sees nothing to undo
**   when it fails.
**
** HOW IT WORKS
**   Each script statement is run from inside a second statement, the host,
**   prepared before the script statement runs:
**       SELECT migrate_internal_step(?1)
**        WHERE (SELECT 1 FROM main.sqlite_schema LIMIT 0) IS NULL
**   The host opens no cursor but starts a read of the main database, so
**   SQLite counts it as a reader.  Its function steps the script statement
**   and then prepares the undo statements again.  If anything in there runs
**   out of memory, the function fails with SQLITE_NOMEM, and SQLite's own
**   rule for a reader that fails with SQLITE_NOMEM and has no statement
**   journal applies: the whole transaction is rolled back (vdbeaux.c,
**   sqlite3VdbeHalt).  That needs no memory.  When the host returns, the
**   undo statements are fresh again, and nothing else expires them before
**   the next script statement.
**
**   DROP TABLE and DROP INDEX run directly: they refuse to run while
**   another reader is active (SQLITE_LOCKED, OP_Destroy in vdbe.c).  Of
**   those, only a DROP of a TEMP table or index expires other statements;
**   the instant after one is the remaining window (README, "Faults").
**
**   migrate_internal_step() takes a pointer (sqlite3_bind_pointer), so SQL
**   cannot call it to any effect; it is DIRECTONLY as well.
*/
#include "migrateInt.h"
#include <string.h>

#define UNDO_HOST_SQL "SELECT migrate_internal_step(?1)" \
                      " WHERE (SELECT 1 FROM main.sqlite_schema LIMIT 0) IS NULL"
#define UNDO_HOST_PTR "libmigrate-step"

/* One script statement for the host to run. */
typedef struct UndoJob UndoJob;
struct UndoJob {
  sqlite3 *db;
  sqlite3_stmt *pStmt;      /* the script statement */
  MigrateUndo *pUndo;       /* prepared again after it */
  int bRan;                 /* the host called the function */
  int rc;                   /* outcome */
  char *zErr;               /* SQLite's message, on an error but NOMEM */
};

/*
** (Re)prepares the statements that undo a call: ROLLBACK, or ROLLBACK TO
** and RELEASE of the call's savepoint.  On failure the old statements are
** kept (they still work unless something expired them).
*/
int migrateUndoPrepare(sqlite3 *db, MigrateUndo *pUndo){
  sqlite3_stmt *apNew[2] = {0, 0};
  int i;
  int rc = sqlite3_prepare_v2(db, pUndo->bOuter ? "ROLLBACK"
                              : "ROLLBACK TO libmigrate", -1, &apNew[0], 0);
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

/* Undoes the call: runs the kept statements (no prepare needed). */
void migrateUndoRun(sqlite3 *db, MigrateUndo *pUndo){
  int i;
  for(i=0; i<2 && pUndo->apStmt[i] && !sqlite3_get_autocommit(db); i++){
    sqlite3_step(pUndo->apStmt[i]);
    sqlite3_reset(pUndo->apStmt[i]);
  }
}

void migrateUndoFree(MigrateUndo *pUndo){
  sqlite3_finalize(pUndo->apStmt[0]);
  sqlite3_finalize(pUndo->apStmt[1]);
  sqlite3_finalize(pUndo->pHost);
  memset(pUndo->apStmt, 0, sizeof(pUndo->apStmt));
  pUndo->pHost = 0;
}

/* Steps pStmt to its end, then prepares pUndo's statements again. */
static int undoRunOne(sqlite3 *db, sqlite3_stmt *pStmt, MigrateUndo *pUndo,
                      char **pzErr){
  int rc;
  while( sqlite3_step(pStmt)==SQLITE_ROW ){}
  rc = sqlite3_reset(pStmt);
  if( rc==SQLITE_OK && pUndo ) rc = migrateUndoPrepare(db, pUndo);
  if( rc!=SQLITE_OK && rc!=SQLITE_NOMEM ){
    *pzErr = sqlite3_mprintf("%s", sqlite3_errmsg(db));
    if( *pzErr==0 ) rc = SQLITE_NOMEM;
  }
  return rc;
}

/* migrate_internal_step(P): runs the UndoJob that P points to. */
void migrateUndoStepFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  UndoJob *p = (UndoJob*)sqlite3_value_pointer(argv[0], UNDO_HOST_PTR);
  (void)argc;
  if( p==0 ){
    sqlite3_result_error(ctx, "migrate_internal_step() is internal to "
                         "libmigrate", -1);
    return;
  }
  p->bRan = 1;
  p->rc = undoRunOne(p->db, p->pStmt, p->pUndo, &p->zErr);
  if( p->rc==SQLITE_NOMEM ) sqlite3_result_error_nomem(ctx);
}

/*
** Runs the prepared script statement pStmt to its end, then prepares
** pUndo's statements again (see the header).  pUndo may be NULL (a
** no-transaction migration: nothing to undo, nothing hosted).  On an
** error other than SQLITE_NOMEM sets *pzErr to SQLite's message.
*/
int migrateUndoStep(sqlite3 *db, sqlite3_stmt *pStmt, MigrateUndo *pUndo,
                    char **pzErr){
  UndoJob job;
  int rc;
  *pzErr = 0;
  if( pUndo==0 || migrateStartsWith(sqlite3_sql(pStmt), "DROP", "TABLE")
   || migrateStartsWith(sqlite3_sql(pStmt), "DROP", "INDEX") ){
    return undoRunOne(db, pStmt, pUndo, pzErr);
  }
  if( pUndo->pHost==0 ){
    /* out of memory here is harmless: nothing expired the undo yet */
    rc = sqlite3_prepare_v2(db, UNDO_HOST_SQL, -1, &pUndo->pHost, 0);
    if( rc!=SQLITE_OK ) return rc;
  }
  memset(&job, 0, sizeof(job));
  job.db = db;
  job.pStmt = pStmt;
  job.pUndo = pUndo;
  sqlite3_bind_pointer(pUndo->pHost, 1, &job, UNDO_HOST_PTR, 0);
  sqlite3_step(pUndo->pHost);
  rc = sqlite3_reset(pUndo->pHost);
  sqlite3_bind_null(pUndo->pHost, 1);
  if( job.bRan && job.rc!=SQLITE_OK ){
    rc = job.rc;
    *pzErr = job.zErr;
  }else{
    sqlite3_free(job.zErr);
    if( rc==SQLITE_OK && !job.bRan ) rc = undoRunOne(db, pStmt, pUndo, pzErr);
  }
  return rc;
}

/*
** migrateInt.h — internal types and functions shared by the files of ext/.
**
** The data path of every call is one line: define -> plan -> run -> record.
**
**   vtab_scripts.c  define: the `migrations` table writes through store.c
**   plan.c          plan:   natural order; reads definitions + ledger into a
**                           MigratePlan and decides what a call runs, in order
**   lex.c           the one SQL lexer every reader of SQL text uses
**   guard.c         run:    refuses scripts that would escape the transaction
**   run.c           run:    transactions/savepoints, foreign keys, scripts,
**                           claims of no-transaction migrations
**   undo.c          run:    keeps a call undoable even out of memory; knows
**                           whether a call is running on a connection
**   store.c         record: storage creation, definitions, ledger, history,
**                           claims
**   vtab_status.c   read:   the `migration_status` table
**   hooks.c         the `migration_hooks` table and running hook scripts
**   vtab.c          what the virtual tables share
**   ops.c           the one table of operations (name, argument, op code)
**   func.c          the SQL functions: argument checks, then run.c
**   api.c           the firmware C API of migrate.h
**   checksum.c      the checksum
**   util.c          UTF-8 check, clock and time format
**   diff.c          schema diff: migration_diff(), migrate_generate(), and
**                   the normalized schema migrate_check() compares
**                   (left out of firmware builds: MIGRATE_OMIT_DIFF)
**   check.c         migrate_check(): proves every pending down script
**                   (uses diff.c's normalizer, so left out with it)
**   dump.c          migration_dump(): the schema and ledger as SQL text
**   migrate.c       entry point: registers everything, nothing else
**
** Embedded SQL (generated from sql/ by tool/sql2c.sh): migrateStorageSql,
** migrateHooksSql, migrateLockSql, migrateBootSql.
**
** Every external symbol starts with "migrate" so that a static firmware link
** cannot collide with anything else.
*/
#ifndef MIGRATE_INT_H
#define MIGRATE_INT_H

#ifdef SQLITE_CORE
# include "sqlite3.h"
#else
# include "sqlite3ext.h"
  SQLITE_EXTENSION_INIT3
#endif
#include "migrate.h"

/* True when the SQLite that loaded the extension has API entry X.  SQLite
** leaves entries of sqlite3_api_routines NULL when it was compiled without
** them (progress_handler under SQLITE_OMIT_PROGRESS_CALLBACK, as
** better-sqlite3 builds it; complete, blob_*, set_authorizer, create_module
** under their OMIT options): a loadable build checks an optional entry
** before calling it.  A static build (SQLITE_CORE) links them or fails to
** link. */
#ifdef SQLITE_CORE
# define MIGRATE_HAVE_API(X) 1
#else
# define MIGRATE_HAVE_API(X) (sqlite3_api->X!=0)
#endif

/* Migration states, as migration_status shows them. */
#define MIGRATE_PENDING 0   /* defined, not applied */
#define MIGRATE_APPLIED 1   /* applied, script unchanged */
#define MIGRATE_CHANGED 2   /* applied, up script edited since */
#define MIGRATE_MISSING 3   /* applied, no longer defined */
#define MIGRATE_REPLACED 4  /* replaced by a squash that is in effect */

/* Operations of run.c, one per SQL function (ops.c: the table of them).
** Those from MIGRATE_OP_REPAIR on only record: they run no script and no
** hook. */
#define MIGRATE_OP_UP          1   /* migrate([target]) */
#define MIGRATE_OP_ROLLBACK    2   /* rollback([n]) */
#define MIGRATE_OP_ROLLBACK_TO 3   /* rollback_to(target) */
#define MIGRATE_OP_RESET       4   /* migrate_reset() */
#define MIGRATE_OP_REFRESH     5   /* migrate_refresh() */
#define MIGRATE_OP_DRY_RUN     6   /* migrate_dry_run([target]) */
#define MIGRATE_OP_REPAIR      7   /* migrate_repair() */
#define MIGRATE_OP_BASELINE    8   /* migrate_baseline(target) */
#define MIGRATE_OP_MARK        9   /* migrate_mark(name) */
#define MIGRATE_OP_STRICT     10   /* migrate_strict([target]) */
#define MIGRATE_OP_CHECK      11   /* migrate_check([target]) (check.c) */

/* The argument an operation takes (ops.c). */
#define MIGRATE_ARG_NONE       0   /* f() */
#define MIGRATE_ARG_OPT_TARGET 1   /* f() or f(target) */
#define MIGRATE_ARG_TARGET     2   /* f(target) */
#define MIGRATE_ARG_OPT_COUNT  3   /* f() or f(n) */

/* ---- ops.c: the one table of operations --------------------------------- */
typedef struct MigrateOp MigrateOp;
struct MigrateOp {
  const char *zName;      /* SQL function name, and migrate_run()'s */
  const char *zErrName;   /* the name its errors carry */
  int eOp;                /* MIGRATE_OP_* */
  int eArg;               /* MIGRATE_ARG_* */
  int bRunsScripts;       /* runs scripts and hooks (else only records) */
};
extern const MigrateOp migrateOps[];     /* in MIGRATE_OP_* order, NULL-ended */
const MigrateOp *migrateOpOf(int eOp);
const MigrateOp *migrateOpByName(const char *zName);
const char *migrateOpName(int eOp);
int migrateOpCount(const MigrateOp*, const char *zArg, sqlite3_int64 *pnBatch,
                   char **pzErr);
char *migrateOpCountError(const MigrateOp*);
char *migrateOpTargetError(const MigrateOp*);
char *migrateOpNestedError(const MigrateOp*);

/* Name of the natural-order collation registered on every connection. */
#define MIGRATE_COLLATION "migrate_natural"

/* Length of a checksum in hex digits (64 bits). */
#define MIGRATE_CHECKSUM_LEN 16

/* ---- util.c ----------------------------------------------------------- */
int migrateIsUtf8(const unsigned char *z, int n);
sqlite3_int64 migrateNowMs(sqlite3*);
void migrateFormatTime(sqlite3_int64 iMs, char *zOut);

/* ---- checksum.c ------------------------------------------------------- */
void migrateChecksum(const char *z, int n, char *zOut);
void migrateChecksumFunc(sqlite3_context*, int, sqlite3_value**);

/* ---- plan.c ----------------------------------------------------------- */
typedef struct MigrateItem MigrateItem;
typedef struct MigratePlan MigratePlan;

/* One migration name, defined, applied or both. */
struct MigrateItem {
  char *zName;            /* the name (sqlite3_malloc'ed) */
  sqlite3_int64 iScript;  /* rowid in migrations_scripts, 0 if not defined */
  sqlite3_int64 iLedger;  /* rowid in migrations_ledger, 0 if not applied */
  sqlite3_int64 iBatch;   /* batch number, when applied */
  int eState;             /* MIGRATE_PENDING, _APPLIED, _CHANGED, _MISSING */
  int bRepeatable;        /* a repeatable migration (re-runs when edited) */
  int bVerify;            /* it has a verify query */
  int bText;              /* its scripts are text (or NULL), not blobs */
  char zSum[MIGRATE_CHECKSUM_LEN+1];  /* checksum of its up script: the
                          ** definition's, else the ledger's ("" if bad) */
  char *zReplaces;        /* a squash: the names it replaces, one a line */
  int iReplacedBy;        /* 1 + index of the squash in effect replacing
                          ** it, 0 if none */
};

/* Everything a call knows, and what it will run. */
struct MigratePlan {
  MigrateItem *aItem;     /* every name, in natural order */
  int nItem;
  sqlite3_int64 mxBatch;  /* largest batch in the ledger, 0 if none */
  int *aRun;              /* indexes into aItem, in the order they run */
  int nRun;
  int nDown;              /* aRun[0..nDown-1] revert, the rest apply */
  int iPartial;           /* 1 + index of a squash whose replaced
                          ** migrations are only partly applied, or 0 */
  char *zPartial;         /* then: the first of them not applied */
  sqlite3_uint64 iDefsSum;  /* fingerprint of the definitions read
                          ** (migrateStoreDefsSum) */
  char *zPartialLast;     /* and the last of them */
};

int migrateStateOf(int bDefined, int bApplied, int bSame, int bRepeatable);
int migratePlanLoad(sqlite3*, MigratePlan*, const char *zFunc, char **pzErr);
int migratePlanFind(const MigratePlan*, const char *zName);
int migratePlanMake(MigratePlan*, int eOp, const char *zTarget,
                    sqlite3_int64 nBatch, const char *zFunc, char **pzErr);
void migratePlanFree(MigratePlan*);
extern const char migrateStatusSql[];

/* ---- lex.c (the token functions are declared in migrate.h) ----------- */
int migrateLineOf(const char *zScript, int iOffset);
int migrateStartsWith(const char *zSql, const char *zKw1, const char *zKw2);
int migrateIsNoTx(const char *zScript);

/* ---- guard.c ---------------------------------------------------------- */
#define MIGRATE_GUARD_NOTX   1   /* runs outside any transaction */
#define MIGRATE_GUARD_NESTED 2   /* runs inside the caller's transaction */
int migrateGuard(const char *zScript, int eFlags, char **pzWhat, int *piLine);

/* ---- store.c ---------------------------------------------------------- */
/* One definition, as written to the `migrations` table. */
typedef struct MigrateDef MigrateDef;
struct MigrateDef {
  const char *zName;      /* non-empty */
  const char *zUp;        /* not NULL */
  const char *zDown;      /* NULL: irreversible */
  const char *zVerify;    /* NULL: no verify query */
  int bRepeatable;
  const char *zReplaces;  /* NULL, or the names a squash replaces (one a
                          ** line; stored trimmed, without empty lines) */
};

extern const char migrateStorageSql[];   /* sql/storage.sql, generated */
extern const char migrateHooksSql[];     /* sql/hooks.sql, generated */
extern const char migrateLockSql[];      /* sql/lock.sql, generated */
extern const char migrateBootSql[];      /* sql/boot.sql, generated */
typedef struct MigrateRecorder MigrateRecorder;

int migrateStoreExists(sqlite3*, int *pbExists);
int migrateStoreCreate(sqlite3*, char **pzErr);
int migrateStoreWrite(sqlite3*, sqlite3_int64 iOld, const MigrateDef*,
                      int eConflict, sqlite3_int64 *piRowid, char **pzErr);
int migrateStoreHasTable(sqlite3*, const char *zTable, int *pbExists);
int migrateStoreAllDefined(sqlite3*, const migrate_script*, int nScript,
                           int *pbSame);
int migrateStoreDelete(sqlite3*, sqlite3_int64 iRowid, char **pzErr);
int migrateStoreHasReplaces(sqlite3*, int *pbHas);
int migrateStoreDefsSum(sqlite3*, sqlite3_uint64 *pSum);
sqlite3_uint64 migrateDefsRowHash(sqlite3_stmt*, const int *aCol);


int migrateRecorderOpen(sqlite3*, MigrateRecorder**);
void migrateRecorderClose(MigrateRecorder*);
int migrateRecordScript(MigrateRecorder*, const MigrateItem*, int eWhich,
                        int bFast, char **pzOut, int *pbNull);
#define MIGRATE_SCRIPT_UP     0   /* eWhich of migrateRecordScript() */
#define MIGRATE_SCRIPT_DOWN   1
#define MIGRATE_SCRIPT_VERIFY 2
int migrateRecordUp(MigrateRecorder*, const MigrateItem*, const char *zSum,
                    sqlite3_int64 iBatch, sqlite3_int64 iStart,
                    sqlite3_int64 iMs, sqlite3_int64 nChange,
                    const char *zNote);
int migrateRecordDown(MigrateRecorder*, const MigrateItem*, sqlite3_int64 iStart,
                      sqlite3_int64 iMs, sqlite3_int64 nChange,
                      const char *zNote);
int migrateRecordRepair(MigrateRecorder*, const MigrateItem*);
int migrateRecordBaseline(MigrateRecorder*, const MigrateItem*);
int migrateRecordClaim(MigrateRecorder*, const MigrateItem*,
                       sqlite3_int64 iBatch);
int migrateRecordUnclaim(MigrateRecorder*, const char *zName);
int migrateStoreClaims(sqlite3*, MigrateRecorder*, int bForget,
                       char **pzName, char **pzAt, sqlite3_int64 *pnForgot);
int migrateRecordHistory(MigrateRecorder*, const char *zName,
                         const char *zDir, sqlite3_int64 iBatch,
                         sqlite3_int64 iAt, sqlite3_int64 iMs,
                         sqlite3_int64 nChange, int bOk, const char *zMsg);
#define MIGRATE_BOOT_FIND   0   /* eOp of migrateStoreBoot() */
#define MIGRATE_BOOT_RECORD 1
#define MIGRATE_BOOT_FORGET 2
int migrateStoreBoot(sqlite3*, int eOp, const char *zSum, int *pbFound);

/* ---- run.c ------------------------------------------------------------ */
typedef struct MigrateUndo MigrateUndo;   /* undo.c */
int migrateExec(sqlite3 *db, int eOp, const char *zTarget,
                sqlite3_int64 nBatch, migrate_progress xProgress, void *pArg,
                sqlite3_int64 *pnDone, char **pzErr);
int migrateExecBoot(sqlite3 *db, const migrate_script *aScript, int nScript,
                    sqlite3_int64 *pnDone, char **pzErr);
int migrateRunScript(sqlite3*, const char *zScript, int bNoTx,
                     MigrateUndo *pUndo, char **pzMsg, int *piLine);
int migrateExecEx(sqlite3 *db, int eOp, const char *zTarget,
                  sqlite3_int64 nBatch, migrate_progress xProgress,
                  void *pArg, sqlite3_int64 *pnDone, char **pzErr,
                  migrate_failure *pOut);

/* ---- undo.c ----------------------------------------------------------- */
/* The statements that undo a call, kept prepared (see undo.c). */
struct MigrateUndo {
  int bOuter;               /* ROLLBACK; else ROLLBACK TO + RELEASE */
  sqlite3_stmt *apStmt[2];  /* kept prepared */
  sqlite3_stmt *pHost;      /* runs the script statements */
  int bRunning;             /* pHost is between two of its rows */
  sqlite3_stmt *pJob;       /* what pHost's next row runs (NULL: fail) */
  int rcJob;                /* how it went */
  char *zJobErr;            /* its error message */
};
int migrateUndoPrepare(sqlite3*, MigrateUndo*);
int migrateUndoRun(sqlite3*, MigrateUndo*);
int migrateUndoPause(sqlite3*, MigrateUndo*);
void migrateUndoFree(MigrateUndo*);
int migrateUndoBegin(sqlite3*, MigrateUndo*);
void migrateUndoAll(sqlite3*, MigrateUndo*);
int migrateFkSuspend(sqlite3*);
void migrateFkRestore(sqlite3*);
int migrateCallRunning(sqlite3*);
int migrateUndoStep(sqlite3*, sqlite3_stmt*, MigrateUndo*, char **pzErr);
void migrateUndoStepFunc(sqlite3_context*, int, sqlite3_value**);

/* ---- vtab.c ----------------------------------------------------------- */
typedef struct MigrateVtab MigrateVtab;
struct MigrateVtab {
  sqlite3_vtab base;
  sqlite3 *db;
  const char *zModule;    /* module name, for error messages */
};

/* A cursor over the rows of one SQL statement (every module's rows are). */
typedef struct MigrateCursor MigrateCursor;
struct MigrateCursor {
  sqlite3_vtab_cursor base;
  sqlite3 *db;
  sqlite3_stmt *pStmt;    /* the rows */
  sqlite3_stmt *pAux;     /* a module's second statement, or NULL */
  sqlite3_int64 iAuxRow;  /* iRow that pAux holds a row for, or 0 */
  sqlite3_int64 iRow;     /* 1-based position of the current row */
  int bEof;
};
#define MIGRATE_VTAB_CONSTRAINT 1   /* SQLITE_VTAB_CONSTRAINT_SUPPORT */
#define MIGRATE_VTAB_DIRECTONLY 2   /* SQLITE_VTAB_DIRECTONLY */
int migrateVtabConnect(sqlite3*, int argc, const char *zModule,
                       const char *zSchema, int eFlags,
                       sqlite3_vtab **ppVtab, char **pzErr);
int migrateVtabDisconnect(sqlite3_vtab*);
int migrateVtabError(sqlite3_vtab*, int rc);
int migrateCursorOpen(sqlite3_vtab*, sqlite3_vtab_cursor**);
int migrateCursorClose(sqlite3_vtab_cursor*);
int migrateCursorNext(sqlite3_vtab_cursor*);
int migrateCursorEof(sqlite3_vtab_cursor*);
int migrateCursorStart(sqlite3_vtab_cursor*, const char *zTable,
                       const char *zSql, sqlite3_value *pBind);

/* ---- hooks.c ---------------------------------------------------------- */
#define MIGRATE_HOOK_BEFORE_MIGRATE  0   /* indexes into the events list */
#define MIGRATE_HOOK_AFTER_MIGRATE   1
#define MIGRATE_HOOK_BEFORE_EACH     2
#define MIGRATE_HOOK_AFTER_EACH      3
#define MIGRATE_HOOK_BEFORE_ROLLBACK 4
#define MIGRATE_HOOK_AFTER_ROLLBACK  5
#define MIGRATE_HOOK_N               6
/* The hooks of a call, read once when it starts. */
typedef struct MigrateHook MigrateHook;
typedef struct MigrateHooks MigrateHooks;
struct MigrateHook { int iEvent; char *zScript; };
struct MigrateHooks {
  unsigned mEvents;       /* bit MIGRATE_HOOK_*: the event has hooks */
  int nHook;
  MigrateHook *aHook;     /* in the order defined */
};
int migrateHooksLoad(sqlite3*, MigrateHooks*, const char *zFunc, char **pzErr);
void migrateHooksFree(MigrateHooks*);
const char *migrateHookEvent(int iEvent);
int migrateHooksRun(sqlite3*, const MigrateHooks*, int iEvent,
                    const char *zFunc, MigrateUndo *pUndo, char **pzErr);
int migrateRegisterHooksModule(sqlite3*);

/* ---- func.c, vtab_scripts.c, vtab_status.c ----------------------------- */
int migrateRegisterFunctions(sqlite3*);
void migrateResultError(sqlite3_context*, int rc, char *zErr);
int migrateRegisterScriptsModule(sqlite3*);
int migrateRegisterStatusModule(sqlite3*);

/* ---- dump.c (firmware builds may leave it out: MIGRATE_OMIT_DUMP) ------ */
#ifndef MIGRATE_OMIT_DUMP
void migrateDumpFunc(sqlite3_context*, int, sqlite3_value**);
#endif

/* ---- diff.c, check.c (left out of firmware builds) ----------------------- */
#ifndef MIGRATE_OMIT_DIFF
int migrateRegisterDiff(sqlite3*);
/* The normalized schema of main (diff.c's model), for migrate_check(). */
typedef struct DiffSchema MigrateSchema;
int migrateSchemaLoad(sqlite3*, MigrateSchema **ppSchema, char **pzErr);
void migrateSchemaFree(MigrateSchema*);
const char *migrateSchemaTable(const MigrateSchema*, int iTable);
int migrateSchemaTableSame(const MigrateSchema*, const MigrateSchema*,
                           const char *zTable);
int migrateSchemaCompare(const MigrateSchema *pWas, const MigrateSchema *pNow,
                         sqlite3_str *pOut);
int migrateCheck(sqlite3*, const char *zTarget, migrate_progress xProgress,
                 void *pArg, sqlite3_int64 *pnDone, char **pzErr);
#endif

#endif /* MIGRATE_INT_H */

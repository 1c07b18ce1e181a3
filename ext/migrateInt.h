/*
** migrateInt.h — internal types and functions shared by the files of ext/.
**
** The data path of every call is one line: define -> plan -> run -> record.
**
**   vtab_scripts.c  define: the `migrations` table writes through store.c
**   plan.c          plan:   natural order; reads definitions + ledger into a
**                           MigratePlan and decides what a call runs, in order
**   guard.c         run:    refuses scripts that would escape the transaction
**   run.c           run:    transactions/savepoints, foreign keys, scripts
**   undo.c          run:    keeps a call undoable even out of memory
**   store.c         record: storage creation, definitions, ledger, history
**   vtab_status.c   read:   the `migration_status` table
**   hooks.c         the `migration_hooks` table and running hook scripts
**   vtab.c          what the virtual tables share
**   func.c          the SQL functions: argument checks, then run.c
**   api.c           the firmware C API of migrate.h
**   checksum.c      the checksum
**   migrate.c       entry point: registers everything, nothing else
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

/* Operations of run.c, one per SQL function.  Those from MIGRATE_OP_REPAIR
** on only record: they run no script and no hook. */
#define MIGRATE_OP_UP          1   /* migrate([target]) */
#define MIGRATE_OP_ROLLBACK    2   /* rollback([n]) */
#define MIGRATE_OP_ROLLBACK_TO 3   /* rollback_to(target) */
#define MIGRATE_OP_RESET       4   /* migrate_reset() */
#define MIGRATE_OP_REFRESH     5   /* migrate_refresh() */
#define MIGRATE_OP_DRY_RUN     6   /* migrate_dry_run([target]) */
#define MIGRATE_OP_REPAIR      7   /* migrate_repair() */
#define MIGRATE_OP_BASELINE    8   /* migrate_baseline(target) */
#define MIGRATE_OP_MARK        9   /* migrate_mark(name) */

/* Name of the natural-order collation registered on every connection. */
#define MIGRATE_COLLATION "migrate_natural"

/* Length of a checksum in hex digits (64 bits). */
#define MIGRATE_CHECKSUM_LEN 16

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
};

/* Everything a call knows, and what it will run. */
struct MigratePlan {
  MigrateItem *aItem;     /* every name, in natural order */
  int nItem;
  sqlite3_int64 mxBatch;  /* largest batch in the ledger, 0 if none */
  int *aRun;              /* indexes into aItem, in the order they run */
  int nRun;
  int nDown;              /* aRun[0..nDown-1] revert, the rest apply */
};

int migrateNaturalCmp(void*, int, const void*, int, const void*);
int migrateStateOf(int bDefined, int bApplied, int bSame, int bRepeatable);
int migratePlanLoad(sqlite3*, MigratePlan*, const char *zFunc, char **pzErr);
int migratePlanFind(const MigratePlan*, const char *zName);
int migratePlanMake(MigratePlan*, int eOp, const char *zTarget,
                    sqlite3_int64 nBatch, const char *zFunc, char **pzErr);
void migratePlanFree(MigratePlan*);
extern const char migrateStatusSql[];

/* ---- guard.c ---------------------------------------------------------- */
int migrateGuard(const char *zScript, int bNoTx, char **pzWhat, int *piLine);
int migrateIsNoTx(const char *zScript);
int migrateLineOf(const char *zScript, int iOffset);
const char *migrateSkipSpace(const char *z);
int migrateStartsWith(const char *zSql, const char *zKw1, const char *zKw2);

/* ---- store.c ---------------------------------------------------------- */
/* One definition, as written to the `migrations` table. */
typedef struct MigrateDef MigrateDef;
struct MigrateDef {
  const char *zName;      /* non-empty */
  const char *zUp;        /* not NULL */
  const char *zDown;      /* NULL: irreversible */
  const char *zVerify;    /* NULL: no verify query */
  int bRepeatable;
};

extern const char migrateStorageSql[];   /* sql/storage.sql, generated */
extern const char migrateHooksSql[];     /* sql/hooks.sql, generated */
typedef struct MigrateRecorder MigrateRecorder;

int migrateStoreExists(sqlite3*, int *pbExists);
int migrateStoreCreate(sqlite3*, char **pzErr);
int migrateStoreWrite(sqlite3*, sqlite3_int64 iOld, const MigrateDef*,
                      int eConflict, sqlite3_int64 *piRowid, char **pzErr);
int migrateStoreHasTable(sqlite3*, const char *zTable, int *pbExists);
int migrateIsUtf8(const unsigned char *z, int n);
int migrateStoreAllDefined(sqlite3*, const migrate_script*, int nScript,
                           int *pbSame);
int migrateStoreDelete(sqlite3*, sqlite3_int64 iRowid, char **pzErr);

sqlite3_int64 migrateNowMs(sqlite3*);
void migrateFormatTime(sqlite3_int64 iMs, char *zOut);

int migrateRecorderOpen(sqlite3*, MigrateRecorder**);
void migrateRecorderClose(MigrateRecorder*);
int migrateRecordScript(MigrateRecorder*, const MigrateItem*, int eWhich,
                        char **pzOut, int *pbNull);
#define MIGRATE_SCRIPT_UP     0
#define MIGRATE_SCRIPT_DOWN   1
#define MIGRATE_SCRIPT_VERIFY 2
#define MIGRATE_SCRIPT_FAST   4   /* or'ed in: type already checked */
int migrateRecordUp(MigrateRecorder*, const MigrateItem*, sqlite3_int64 iBatch,
                    sqlite3_int64 iStart, sqlite3_int64 iMs,
                    sqlite3_int64 nChange, const char *zNote);
int migrateRecordDown(MigrateRecorder*, const MigrateItem*, sqlite3_int64 iStart,
                      sqlite3_int64 iMs, sqlite3_int64 nChange,
                      const char *zNote);
int migrateRecordRepair(MigrateRecorder*, const MigrateItem*);
int migrateRecordBaseline(MigrateRecorder*, const MigrateItem*);
int migrateRecordHistory(MigrateRecorder*, const char *zName,
                         const char *zDir, sqlite3_int64 iBatch,
                         sqlite3_int64 iAt, sqlite3_int64 iMs,
                         sqlite3_int64 nChange, int bOk, const char *zMsg);

/* ---- run.c ------------------------------------------------------------ */
int migrateExec(sqlite3 *db, int eOp, const char *zTarget,
                sqlite3_int64 nBatch, migrate_progress xProgress, void *pArg,
                sqlite3_int64 *pnDone, char **pzErr);
int migrateExecBoot(sqlite3 *db, const migrate_script *aScript, int nScript,
                    sqlite3_int64 *pnDone, char **pzErr);
const char *migrateOpName(int eOp);
/* The statements that undo a call, kept prepared (see run.c, runUndo). */
typedef struct MigrateUndo MigrateUndo;
struct MigrateUndo {
  int bOuter;               /* ROLLBACK; else ROLLBACK TO + RELEASE */
  sqlite3_stmt *apStmt[2];  /* kept prepared */
  sqlite3_stmt *pHost;      /* runs the script statements */
  int bRunning;             /* pHost is between two of its rows */
  sqlite3_stmt *pJob;       /* what pHost's next row runs (NULL: fail) */
  int rcJob;                /* how it went */
  char *zJobErr;            /* its error message */
};
int migrateRunScript(sqlite3*, const char *zScript, int bNoTx,
                     MigrateUndo *pUndo, char **pzMsg);

/* ---- undo.c ----------------------------------------------------------- */
int migrateUndoPrepare(sqlite3*, MigrateUndo*);
int migrateUndoRun(sqlite3*, MigrateUndo*);
int migrateUndoPause(sqlite3*, MigrateUndo*);
void migrateUndoFree(MigrateUndo*);
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
int migrateHooksMask(sqlite3*, unsigned *pmEvents);
int migrateHooksRun(sqlite3*, int iEvent, const char *zFunc,
                    MigrateUndo *pUndo, char **pzErr);
int migrateRegisterHooksModule(sqlite3*);

/* ---- func.c, vtab_scripts.c, vtab_status.c ----------------------------- */
int migrateRegisterFunctions(sqlite3*);
void migrateResultError(sqlite3_context*, int rc, char *zErr);
int migrateRegisterScriptsModule(sqlite3*);
int migrateRegisterStatusModule(sqlite3*);

/* ---- diff.c (schema diff; left out of firmware builds) ------------------ */
#ifndef MIGRATE_OMIT_DIFF
int migrateRegisterDiff(sqlite3*);
#endif

#endif /* MIGRATE_INT_H */

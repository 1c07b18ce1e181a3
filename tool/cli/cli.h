/*
** cli.h — what the files of the sqlite-migrate tool (tool/cli/) share: the
** exit codes, the state of one run (Cli), a migration read from DIR
** (CliScript), a sync plan (CliSync), a row of the command table (CliCmd),
** and the functions each file offers the others, grouped by file.  All
** else is static in its file.
**
** FILES                                              TESTED BY (test/)
**   sqlite-migrate.c  main: options, usage, help      cli.test
**   cli_out.c         messages, JSON, progress, status cli.test, cli_errors.test
**   cli_dir.c         DIR: listing, layout detection   cli_formats.test,
**                                                      cli_errors.test
**   cli_formats.c     the layouts, one reader each     cli_formats.test,
**                                                      cli_lifecycle.test
**   cli_db.c          opening the database, --load     cli.test, cli_load.test
**   cli_sync.c        syncing DIR into `migrations`    cli.test, cli_hazard.test
**   cli_run.c         up, down, status, ..., version   cli.test, cli_lifecycle.test
**   cli_sql.c         sql, embed                       cli_out.test
**   cli_gen.c         new, diff, generate              cli.test, cli_out.test
**   cli_import.c      import --from TOOL               cli_import.test
**   cli_fleet.c       --each GLOB                      cli_fleet.test
**   cli_check.c       check, dump, squash, up --dump   cli_check.test
*/
#ifndef CLI_H
#define CLI_H
#define _XOPEN_SOURCE 700
#include "sqlite3.h"
#include "migrate.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <poll.h>
#include <sys/wait.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CLI_OK     0   /* exit codes */
#define CLI_ERROR  1
#define CLI_USAGE  2
#define CLI_WORK   3   /* status --check found something to do */

/* One migration read from DIR. */
typedef struct CliScript CliScript;
struct CliScript {
  char *zName;      /* migration name */
  char *zUp;        /* up script (never NULL) */
  char *zDown;      /* down script, NULL when irreversible */
  char *zFile;      /* file it came from (the .up.sql one for pairs) */
  char *zDownFile;  /* file of the down script (zFile for NAME.sql) */
  int iUpLine;      /* line of zFile where the up script starts */
  int iDownLine;    /* line of zDownFile where the down script starts */
  char *zVerify;    /* verify query (`-- migrate:verify`, NAME.verify.sql) */
  int bRepeatable;  /* 1: an R__NAME file (repeatable, no down) */
  char *zNoDown;    /* irreversible: what DIR lacks, for messages ("no
                    ** DIR/x.down.sql"); NULL when zDown is not NULL */
  int bExternal;    /* import: a version the other tool ran from a Go or
                    ** Python file (up is a comment, down NULL) */
  char *zReplaces;  /* a squash: `-- migrate:replaces NAME` lines, the
                    ** names joined by newlines (the engine's form) */
};

/* The layouts of DIR (cli_dir.c detects one per folder, --format forces
** one); CLI_FORMAT_DBMATE reads dbmate and golang-migrate files alike. */
#define CLI_FORMAT_DBMATE   0
#define CLI_FORMAT_SQLX     1
#define CLI_FORMAT_GOOSE    2
#define CLI_FORMAT_FLYWAY   3
#define CLI_FORMAT_DIESEL   4
#define CLI_FORMAT_FOLDERS  5
#define CLI_NFORMAT         6

/* What one entry of DIR looks like (cli_dir.c classifies, the reader of
** the folder's layout reads). */
#define CLI_KIND_DBMATE  0   /* NAME.sql with a '-- migrate:' marker */
#define CLI_KIND_PAIR    1   /* NAME.up.sql, .down.sql, .verify.sql */
#define CLI_KIND_GOOSE   2   /* NAME.sql with a '-- +goose' annotation */
#define CLI_KIND_REPEAT  3   /* R__NAME.sql without markers */
#define CLI_KIND_FLYWAY  4   /* V1__x.sql, U1__x.sql without markers */
#define CLI_KIND_PLAIN   5   /* NNN_name.sql without markers (sqlx) */
#define CLI_KIND_OTHER   6   /* any other NAME.sql without markers */
#define CLI_KIND_DIESEL  7   /* a folder holding up.sql */
#define CLI_KIND_FOLDER  8   /* a folder holding other .sql files */
#define CLI_NKIND        9

/* One entry of DIR: a .sql file (read whole) or a folder holding .sql
** files (their names, in natural order). */
typedef struct CliEntry CliEntry;
struct CliEntry {
  char *zFile;      /* its name within DIR */
  char *zPath;      /* DIR/zFile */
  char *zText;      /* a file's content; NULL for a folder */
  int eKind;        /* CLI_KIND_* */
  char **azSub;     /* a folder: the .sql files in it */
  int nSub;
};

/* The hook events of the engine (ext/hooks.c), in the order they run
** (defined in cli_dir.c). */
#define CLI_NHOOK 6
extern const char *const azCliHook[CLI_NHOOK];

/* What syncing DIR into the `migrations` table would do. */
typedef struct CliSync CliSync;
struct CliSync {
  int *aDefine;     /* indexes into Cli.aScript to INSERT OR REPLACE */
  int nDefine;
  int nAdded;       /* of aDefine: names not defined yet */
  int nSame;        /* files already defined exactly so */
  char **azRemove;  /* pending definitions with no file, to DELETE */
  int nRemove;
  char *zAdded;     /* JSON arrays of names, for --json */
  char *zReplaced;
  char *zRemoved;
  int bHooks;       /* the hooks of DIR/hooks differ from migration_hooks */
};

/* The state of one run of the tool. */
typedef struct Cli Cli;
struct Cli {
  const char *zDir;       /* -d DIR */
  const char *zDb;        /* --db FILE or $DATABASE_PATH */
  int bJson;              /* --json */
  int bCheck;             /* status --check */
  int bDown;              /* diff --down */
  const char *zSymbol;    /* embed --symbol */
  const char *zTable;     /* sql --table */
  const char *zCmd;       /* the command */
  char **azArg;           /* its positional arguments */
  int nArg;
  CliScript *aScript;     /* DIR's migrations, in migration order */
  int nScript;
  sqlite3 *db;
  const char *zDefs;      /* name of the `migrations` table to use */
  const char *zStatus;    /* name of the `migration_status` table to use */
  const char *zHooks;     /* name of the `migration_hooks` table to use */
  int nWidth;             /* width of the name column in progress lines */
  int nUp, nDownDone;     /* progress: migrations applied / reverted */
  sqlite3_str *pUpJson;   /* progress as JSON arrays */
  sqlite3_str *pDownJson;
  int bHooksDir;          /* DIR has a hooks/ folder: sync migration_hooks */
  char *azHook[CLI_NHOOK];  /* script of DIR/hooks/EVENT.sql, or NULL */
  int bDirRead;           /* aScript holds DIR already (--each) */
  const char *zFrom;      /* import --from TOOL */
  const char *zRegistry;  /* import --registry FILE (sqitch) */
  const char *zEach;      /* --each GLOB */
  int bIdle;              /* the call had nothing to do (--each) */
  const char *zFormat;    /* --format NAME, or NULL: detect */
  int eFormat;            /* the layout of DIR (CLI_FORMAT_*) */
  int bPrune;             /* --prune: sync may remove pending definitions */
  const char **azLoad;    /* --load PATH[:ENTRY], in order */
  int nLoad;
  char **azExternal;      /* DIR's versioned .go and .py files */
  int nExternal;
  const char *zDump;      /* up --dump FILE */
  int bStrict;            /* up --strict */
  sqlite3_str *apCheck[3];  /* check: JSON arrays of the migrations checked,
                            ** skipped and failed */
  int anCheck[3];           /* and how many of each */
};

/* One command: name, arguments, one-line summary, details. */
typedef struct CliCmd CliCmd;
struct CliCmd {
  const char *zName;
  int nMin, nMax;       /* positional arguments */
  int eDb;              /* 0 no database, 1 opens (empty if absent),
                        ** 2 opens and creates */
  int bDir;             /* reads DIR */
  const char *zArgs;
  const char *zSummary;
  const char *zHelp;
};

/* The engine's marker of a no-transaction script (its first line). */
#define CLI_NOTXN "-- migrate:no-transaction\n"

/*
** cli_out.c: messages, JSON, progress lines, the status table.
** Errors, one convention: a function holding the Cli prints its error
** with cliError() (or cliErrorMsg()) and returns CLI_ERROR; a reader
** without one (cli_dir.c, the ledger reader of cli_import.c) returns the
** message instead, sqlite3_malloc'ed, and its caller hands it to
** cliErrorMsg().  A failed allocation is always cliNoMem().
*/
int cliError(Cli *p, const char *zFmt, ...);
char *cliNoMem(void);
int cliErrorMsg(Cli *p, char *zErr);
void cliJsonString(sqlite3_str *pStr, const char *z);
int cliJsonPrint(Cli *p, sqlite3_str *pStr);
sqlite3_int64 cliNowMs(void);
const char *cliPlural(sqlite3_int64 n);
int cliUsageError(Cli *p, const char *zFmt, ...);
void cliProgress(void *pArg, const char *zName, const char *zDir,
                 sqlite3_int64 iMs, sqlite3_int64 nChanges);
int cliPrintStatus(Cli *p, int *pnWork);
char *cliEngineError(Cli *p, const char *zErr);

/* cli_dir.c: reading DIR, detecting its layout */
char *cliReadFile(const char *zPath, char **pz);
int cliIsUtf8(const unsigned char *z, size_t n, size_t *piBad);
int cliLineOf(const char *z, size_t i);
size_t cliSkipSpace(const char *z, size_t n);
int cliNameCmp(const char *a, const char *b);
int cliScriptCmp(const void *a, const void *b);
int cliEndsWith(const char *z, const char *zSuffix);
CliScript *cliAddScript(Cli *p);
void cliFreeScripts(Cli *p);
int cliFormatByName(const char *zName);
const char *cliFormatName(int eFormat);
int cliReadDir(Cli *p);
void cliVersionOf(const char *zName, char *zOut);

/* cli_formats.c: the file formats, one reader per layout; each takes
** DIR's entries, appends to p->aScript, and returns 0 or an error
** naming the file that is not of its layout */
int cliHasMarkers(const char *z);
int cliHasGoose(const char *z);
int cliIsFlywayName(const char *zFile);
char *cliReadFiles(Cli *p, CliEntry *aEnt, int nEnt, int eFormat);
char *cliReadGoose(Cli *p, CliEntry *aEnt, int nEnt);
char *cliReadFlyway(Cli *p, CliEntry *aEnt, int nEnt);
char *cliReadDiesel(Cli *p, CliEntry *aEnt, int nEnt);
char *cliReadFolders(Cli *p, CliEntry *aEnt, int nEnt);
char *cliReadSqitch(Cli *p, char **pzProject);

/* cli_db.c: the database connection */
int cliExec(Cli *p, const char *zSql);
sqlite3_stmt *cliPrepare(Cli *p, const char *zSql);
int cliOpen(Cli *p, int bCreate);
int cliScratchCopy(Cli *p);

/* cli_sync.c: syncing DIR into the migrations table */
void cliSyncFree(CliSync *s);
int cliSyncPlan(Cli *p, CliSync *s);
int cliSyncApply(Cli *p, CliSync *s);

/* cli_run.c: up, down, status, ...: sync, then one migrate_run() */
int cliRunCommand(Cli *p, const CliCmd *pCmd);
int cliVersion(Cli *p);

/* cli_sql.c: sql, embed */
int cliSql(Cli *p);
int cliEmbed(Cli *p);

/* cli_gen.c: new, diff, generate */
int cliNew(Cli *p);
int cliDiff(Cli *p);
int cliGenerate(Cli *p);

/* cli_import.c: import --from TOOL */
int cliIsImportTool(const char *z);
int cliImport(Cli *p);

/* cli_fleet.c: --each GLOB */
int cliEach(Cli *p, const CliCmd *pCmd, const char *zJobs);

/* cli_check.c: check, dump, squash; up --dump */
int cliCheck(Cli *p);
int cliDump(Cli *p);
int cliDumpTo(Cli *p, const char *zFile);
int cliSquash(Cli *p);
char *cliReadReplaces(const char *zPath, const char *z, char **pzReplaces);

#endif /* CLI_H */

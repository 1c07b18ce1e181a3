/*
** sqlite-migrate.c — the `sqlite-migrate` command-line tool: keeps a folder
** of migration files and applies them to a SQLite database with libmigrate.
**
** USAGE
**   sqlite-migrate [-d DIR] [--db FILE | --each GLOB [-j N]] [--json] COMMAND
**     new NAME | up [TARGET] | down [N] | rollback-to NAME | status [--check]
**     dry-run [TARGET] | reset | refresh | repair | version | load | sql
**     embed [--symbol NAME] | diff SCHEMA.sql [--down] | generate NAME SCHEMA.sql
**     baseline TARGET | import --from TOOL [--registry FILE] TOOLDIR
**   `sqlite-migrate help [COMMAND]` or `COMMAND --help` explains each one;
**   the README's "sqlite-migrate" section is the full reference.
**   Exit codes: 0 ok, 1 error, 2 usage, 3 `status --check` found work.
**
** HOW IT WORKS
**   1. The folder is read first (cliReadDir): dbmate-style NAME.sql files
**      with `-- migrate:up` / `-- migrate:down` / `-- migrate:verify`
**      sections (dbmate's `transaction:false` option becomes the engine's
**      first line `-- migrate:no-transaction`) and golang-migrate style
**      NAME.up.sql + NAME.down.sql (+ NAME.verify.sql) files; R__NAME files
**      are repeatable (no down; without markers the whole file is up);
**      DIR/hooks/EVENT.sql files are hooks.  Any bad file stops the
**      command before the database is opened, so nothing is applied.
**   2. The database is opened and libmigrate registered on the connection
**      (sqlite3_migrate_init, linked statically).  When the database has a
**      table of its own called `migrations` or `migration_status`, the
**      extension's tables are addressed through temp aliases
**      (CREATE VIRTUAL TABLE temp.cli_migrations USING migrations).
**   3. Sync plan (cliSyncPlan): the definitions are compared with the
**      files by checksum (of up and of down, as the engine's INSERT OR
**      REPLACE does, so nothing to sync reads no script text), verify
**      text and repeatable flag: which to add, replace,
**      and which pending definitions to remove (no file any more).  Applied
**      definitions whose file is gone stay defined (rollback then still
**      uses their down script).
**   4. Nothing to sync: the engine's call (migrate_run) runs on its own in
**      autocommit mode, so a no-op `up` writes nothing (read-only files
**      work).  Something to sync: BEGIN IMMEDIATE, migrate_define() the
**      new/edited files, DELETE the removed pending ones through the
**      `migrations` table, migrate_run() (which joins with a savepoint),
**      COMMIT; any error rolls everything back.
**   5. migrate_run's progress callback prints each migration as it
**      completes, with the rows it changed; a one-line summary follows.  `status` and `dry-run`
**      sync inside a transaction that is always rolled back (on a
**      read-only file: on an in-memory copy), so they show what `up`
**      would see and change nothing.
**      A DIR holding a no-transaction migration commits the sync on its
**      own first (the engine runs those only in autocommit mode).
**   6. import (cliImport) reads another tool's files and its ledger table
**      (dbmate, golang-migrate, goose, sqitch's registry via ATTACH), then
**      in one transaction defines the files and records the applied ones:
**      migrate_baseline() when they are a prefix, else migrate_mark() for
**      each (the engine records them; the CLI never writes the ledger).
**   7. --each GLOB (cliEach) reads DIR once, then forks at most -j N
**      children (default: cores), each running the one-database command
**      with stdout+stderr captured through a pipe (poll); each finished
**      child is reported as one line, then a summary.
**   No migration logic lives here: every state change goes through
**   the `migrations` / `migration_hooks` tables and migrate_run().
*/
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

/* The engine's natural-order comparison (ext/plan.c), used to print files
** in the order they run. */
int migrateNaturalCmp(void*, int, const void*, int, const void*);

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
};

/* The hook events of the engine (ext/hooks.c), in the order they run. */
static const char *const azCliHook[] = {
  "before_migrate", "after_migrate", "before_each", "after_each",
  "before_rollback", "after_rollback"
};
#define CLI_NHOOK 6

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
};

/* ------------------------------------------------------------ messages */

/*
** Prints an error to stderr: "sqlite-migrate: MESSAGE", or with --json the
** document {"error":"MESSAGE"}.  Returns CLI_ERROR.
*/
static void cliJsonString(sqlite3_str*, const char*);
static int cliError(Cli *p, const char *zFmt, ...){
  va_list ap;
  char *zMsg;
  va_start(ap, zFmt);
  zMsg = sqlite3_vmprintf(zFmt, ap);
  va_end(ap);
  if( p && p->bJson ){
    sqlite3_str *pStr = sqlite3_str_new(0);
    char *z;
    sqlite3_str_appendall(pStr, "{\"error\":");
    cliJsonString(pStr, zMsg ? zMsg : "out of memory");
    sqlite3_str_appendall(pStr, "}");
    z = sqlite3_str_finish(pStr);
    fprintf(stderr, "%s\n", z ? z : "{\"error\":\"out of memory\"}");
    sqlite3_free(z);
  }else{
    fprintf(stderr, "sqlite-migrate: %s\n", zMsg ? zMsg : "out of memory");
  }
  sqlite3_free(zMsg);
  return CLI_ERROR;
}

/* Appends z to pStr as a JSON string (NULL as null). */
static void cliJsonString(sqlite3_str *pStr, const char *z){
  const unsigned char *u = (const unsigned char*)z;
  if( z==0 ){
    sqlite3_str_appendall(pStr, "null");
    return;
  }
  sqlite3_str_appendchar(pStr, 1, '"');
  for(; *u; u++){
    switch( *u ){
      case '"':  sqlite3_str_appendall(pStr, "\\\""); break;
      case '\\': sqlite3_str_appendall(pStr, "\\\\"); break;
      case '\n': sqlite3_str_appendall(pStr, "\\n"); break;
      case '\r': sqlite3_str_appendall(pStr, "\\r"); break;
      case '\t': sqlite3_str_appendall(pStr, "\\t"); break;
      case '\b': sqlite3_str_appendall(pStr, "\\b"); break;
      case '\f': sqlite3_str_appendall(pStr, "\\f"); break;
      default:
        if( *u<0x20 || *u==0x7f ){
          sqlite3_str_appendf(pStr, "\\u%04x", *u);
        }else{
          sqlite3_str_appendchar(pStr, 1, (char)*u);
        }
    }
  }
  sqlite3_str_appendchar(pStr, 1, '"');
}

/* Prints the finished JSON document pStr on stdout and frees it. */
static int cliJsonPrint(Cli *p, sqlite3_str *pStr){
  char *z = sqlite3_str_finish(pStr);
  if( z==0 ) return cliError(p, "out of memory");
  printf("%s\n", z);
  sqlite3_free(z);
  return CLI_OK;
}

/* Milliseconds from a monotonic clock. */
static sqlite3_int64 cliNowMs(void){
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (sqlite3_int64)ts.tv_sec*1000 + ts.tv_nsec/1000000;
}

/* "s" when n is not 1. */
static const char *cliPlural(sqlite3_int64 n){ return n==1 ? "" : "s"; }

/* ------------------------------------------------------------ help */

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

static const CliCmd aCmd[] = {
  { "new", 1, 1, 0, 0, "NAME",
    "create DIR/<UTC yyyymmddHHMMSS>_NAME.sql with up/down sections",
    "Creates DIR (if missing) and an empty dbmate-style migration file\n"
    "DIR/<UTC yyyymmddHHMMSS>_NAME.sql holding a `-- migrate:up` and a\n"
    "`-- migrate:down` section, and prints its path.  NAME may hold only\n"
    "letters, digits, '_' and '-'.  An existing file is never overwritten.\n" },
  { "up", 0, 1, 2, 1, "[TARGET]",
    "sync DIR into the migrations table, then migrate([TARGET])",
    "Syncs DIR into the database's `migrations` table (new files added,\n"
    "edited ones replaced, deleted pending ones removed) and applies every\n"
    "pending migration, up to and including TARGET when given, as one new\n"
    "batch.  Sync and migrate are one transaction: all or nothing.  Each\n"
    "migration is printed as it completes, with its time.  With nothing to\n"
    "sync and nothing pending it writes nothing (works on a read-only file).\n"
    "An applied file that was edited shows as `changed` and blocks `up`\n"
    "until it is restored or `repair` is run.\n" },
  { "down", 0, 1, 1, 1, "[N]",
    "rollback(N): revert the last N batches (default 1)",
    "Syncs DIR, then reverts the last N batches (default 1), newest first,\n"
    "with each migration's current down script.  N must be a non-negative\n"
    "integer; 0 does nothing.  A batch holding an irreversible migration\n"
    "(no down section / no .down.sql) is refused and nothing changes.\n" },
  { "rollback-to", 1, 1, 1, 1, "NAME",
    "revert every applied migration after NAME (NAME stays applied)",
    "Syncs DIR, then reverts every applied migration ordered after NAME,\n"
    "newest first.  NAME itself stays applied.\n" },
  { "status", 0, 0, 1, 1, "[--check]",
    "table of migration_status (exit 3 with --check if anything to do)",
    "Prints one row per migration (name, state, batch, applied at) as\n"
    "`up` would see it after syncing DIR, then a summary line.  Changes\n"
    "nothing.  States: applied, pending, changed (applied file edited since),\n"
    "missing (applied, no longer defined).  With --check the exit code is 3\n"
    "when anything is pending, changed or missing (0 otherwise).\n" },
  { "dry-run", 0, 1, 1, 1, "[TARGET]",
    "run what `up [TARGET]` would run, then undo it",
    "Syncs DIR and runs what `up [TARGET]` would run, then undoes all of it:\n"
    "the database is left exactly as it was.  Fails exactly as `up` would.\n" },
  { "reset", 0, 0, 1, 1, "",
    "revert every applied migration",
    "Syncs DIR, then reverts every applied migration, newest first.\n" },
  { "refresh", 0, 0, 2, 1, "",
    "revert everything, then apply everything, atomically",
    "Syncs DIR, reverts every applied migration and applies them all again\n"
    "as batch 1, in one transaction.\n" },
  { "repair", 0, 0, 1, 1, "",
    "accept edited applied files and forget missing ledger rows",
    "Syncs DIR, then accepts the edited up script of every `changed`\n"
    "migration (re-records its checksum) and forgets `missing` ledger rows.\n"
    "Runs no script.\n" },
  { "baseline", 1, 1, 2, 1, "TARGET",
    "record every migration up to TARGET as applied, running none",
    "Syncs DIR, then records every migration up to and including TARGET as\n"
    "applied without running it (migrate_baseline: batch 0, duration 0,\n"
    "history direction `baseline`), for adopting a database whose schema\n"
    "already exists.  Refused when any migration is applied already.\n"
    "Baseline rows are never reverted by down, reset or refresh.\n" },
  { "version", 0, 0, 1, 0, "",
    "print the last applied migration (nothing if none)",
    "Prints migrate_version(): the name of the last applied migration in\n"
    "migration order, or nothing when none is applied.  Does not read DIR.\n" },
  { "load", 0, 0, 2, 1, "",
    "only sync DIR into the migrations table",
    "Syncs DIR into the `migrations` table and applies nothing: new files\n"
    "added, edited ones replaced, deleted pending ones removed.  Applied\n"
    "migrations whose file is gone stay defined.\n" },
  { "sql", 0, 0, 0, 1, "[--table NAME]",
    "print INSERT OR REPLACE statements for DIR",
    "Prints one `INSERT OR REPLACE INTO migrations(name, up, down)` statement\n"
    "per migration of DIR, for the sqlite3 shell (`.load ./libmigrate` then\n"
    "`.read FILE`) or for bundling in an application.  Needs no database.\n"
    "--table NAME writes into NAME instead of `migrations`: for a database\n"
    "with its own `migrations` table, after\n"
    "  CREATE VIRTUAL TABLE temp.NAME USING migrations;\n" },
  { "embed", 0, 0, 0, 1, "[--symbol NAME]",
    "print a C source file holding DIR's scripts for the firmware API",
    "Prints a C99 source file defining\n"
    "  const migrate_script migrate_scripts[];  const int migrate_script_count;\n"
    "for migrate_boot() of migrate.h (--symbol NAME renames them to NAME\n"
    "and NAME_count).  Every byte is escaped; long scripts are split into\n"
    "adjacent string literals.  Needs no database.\n" },
  { "diff", 1, 1, 1, 0, "SCHEMA.sql [--down]",
    "print the SQL that turns the database's schema into SCHEMA.sql",
    "Prints migration_diff(schema_text) of the file SCHEMA.sql, or with\n"
    "--down migration_diff(schema_text, 'down').  Needs a libmigrate built\n"
    "with the schema diff (ext/diff.c).\n" },
  { "generate", 2, 2, 1, 0, "NAME SCHEMA.sql",
    "write a migration file from the diff against SCHEMA.sql",
    "Writes DIR/<UTC yyyymmddHHMMSS>_NAME.sql whose up section is\n"
    "migration_diff(SCHEMA.sql) and down section migration_diff(..., 'down'),\n"
    "computed against the database as it is now (run `up` first).  Writes\n"
    "nothing and says \"nothing differs\" when the schemas match.\n" },
  { "import", 1, 1, 1, 0, "--from TOOL DIR",
    "adopt another tool's files and ledger (dbmate, goose, ...)",
    "Defines the migration files of DIR, written for TOOL (dbmate,\n"
    "golang-migrate, goose or sqitch), as migrations and records the ones\n"
    "TOOL's own ledger in the database says are applied as applied (batch 0,\n"
    "history `baseline`), without running them, in one transaction.  Then\n"
    "`up` or migrate() applies only what TOOL had not.  Ledgers read:\n"
    "  dbmate          schema_migrations(version)\n"
    "  golang-migrate  schema_migrations(version, dirty); dirty is refused\n"
    "  goose           goose_db_version: the latest row of each version_id\n"
    "  sqitch          table `changes` of the registry sqitch.db next to the\n"
    "                  database (--registry FILE to name another)\n"
    "Files read: dbmate NAME.sql; golang-migrate NAME.up.sql/.down.sql;\n"
    "goose NNN_name.sql (-- +goose Up/Down, NO TRANSACTION); sqitch\n"
    "sqitch.plan + deploy/NAME.sql + revert/NAME.sql (migration names\n"
    "001_NAME in plan order; BEGIN;/COMMIT; lines dropped).  Refused when\n"
    "the database already has applied libmigrate migrations.\n" },
  { "help", 0, 1, 0, 0, "[COMMAND]",
    "print this help, or the help of COMMAND",
    "Prints the tool's help, or the help of COMMAND.\n" },
};
#define CLI_NCMD ((int)(sizeof(aCmd)/sizeof(aCmd[0])))

/* The command called zName, or NULL. */
static const CliCmd *cliFindCmd(const char *zName){
  int i;
  for(i=0; i<CLI_NCMD; i++){
    if( strcmp(aCmd[i].zName, zName)==0 ) return &aCmd[i];
  }
  return 0;
}

/* The tool's help: every command and option. */
static void cliUsage(FILE *out){
  int i;
  fprintf(out,
    "usage: sqlite-migrate [-d DIR] [--db FILE] [--json] COMMAND [ARGS]\n"
    "\n"
    "commands:\n");
  for(i=0; i<CLI_NCMD; i++){
    char zHead[40];
    snprintf(zHead, sizeof(zHead), "%s %s", aCmd[i].zName, aCmd[i].zArgs);
    fprintf(out, "  %-27s %s\n", zHead, aCmd[i].zSummary);
  }
  fprintf(out,
    "\n"
    "options:\n"
    "  -d DIR, --dir DIR  migrations folder (default ./migrations)\n"
    "  --db FILE          database file (default $DATABASE_PATH)\n"
    "  --json             machine-readable output (errors: {\"error\":...}\n"
    "                     on stderr)\n"
    "  --each GLOB        run the command on every database file matching\n"
    "                     GLOB, in parallel (instead of --db)\n"
    "  -j N, --jobs N     with --each: N at a time (default: number of cores)\n"
    "  --from TOOL        import: dbmate, golang-migrate, goose or sqitch\n"
    "  --registry FILE    import --from sqitch: the registry (default:\n"
    "                     sqitch.db next to the database)\n"
    "  -h, --help         help (also: sqlite-migrate help COMMAND)\n"
    "\n"
    "files in DIR: NAME.sql with `-- migrate:up` / `-- migrate:down`\n"
    "[/ `-- migrate:verify`] sections (dbmate), or NAME.up.sql +\n"
    "NAME.down.sql [+ NAME.verify.sql] (golang-migrate); R__NAME.sql is\n"
    "repeatable; hooks/EVENT.sql are hooks.\n"
    "exit codes: 0 ok, 1 error, 2 usage, 3 `status --check` found work.\n");
}

/* The help of one command, on stdout. */
static void cliCmdHelp(const CliCmd *pCmd){
  printf("usage: sqlite-migrate [-d DIR] [--db FILE] [--json] %s %s\n\n%s\n%s",
         pCmd->zName, pCmd->zArgs, pCmd->zSummary, pCmd->zHelp);
  if( pCmd->eDb ) printf("\nNeeds --db FILE or $DATABASE_PATH.\n");
}

/* A usage error: message, then a hint, on stderr.  Returns CLI_USAGE. */
static int cliUsageError(Cli *p, const char *zFmt, ...){
  va_list ap;
  char *zMsg;
  va_start(ap, zFmt);
  zMsg = sqlite3_vmprintf(zFmt, ap);
  va_end(ap);
  cliError(p, "%s (see: sqlite-migrate --help)", zMsg);
  sqlite3_free(zMsg);
  return CLI_USAGE;
}

/* ------------------------------------------------------------ files */

/*
** Returns 1 when z[0..n-1] is well-formed UTF-8 (no overlong forms, no
** surrogates, nothing above U+10FFFF), else 0 and *piBad = byte offset.
*/
static int cliIsUtf8(const unsigned char *z, size_t n, size_t *piBad){
  size_t i = 0;
  while( i<n ){
    unsigned c = z[i];
    size_t k, len;
    unsigned cp;
    if( c<0x80 ){ i++; continue; }
    if( c>=0xC2 && c<=0xDF ){ len = 2; cp = c & 0x1F; }
    else if( c>=0xE0 && c<=0xEF ){ len = 3; cp = c & 0x0F; }
    else if( c>=0xF0 && c<=0xF4 ){ len = 4; cp = c & 0x07; }
    else goto bad;
    if( i+len>n ) goto bad;
    for(k=1; k<len; k++){
      if( (z[i+k] & 0xC0)!=0x80 ) goto bad;
      cp = (cp<<6) | (z[i+k] & 0x3F);
    }
    if( (len==3 && (cp<0x800 || (cp>=0xD800 && cp<=0xDFFF)))
     || (len==4 && (cp<0x10000 || cp>0x10FFFF)) ) goto bad;
    i += len;
  }
  return 1;
bad:
  *piBad = i;
  return 0;
}

/* Line number (1-based) of byte offset i of z. */
static int cliLineOf(const char *z, size_t i){
  int n = 1;
  size_t k;
  for(k=0; k<i; k++) if( z[k]=='\n' ) n++;
  return n;
}

/*
** Reads the whole of zPath into *pz (sqlite3_malloc'ed, NUL-terminated).
** Refuses NUL bytes and non-UTF-8 content.  Returns 0 or an error message.
*/
static char *cliReadFile(const char *zPath, char **pz){
  FILE *f = fopen(zPath, "rb");
  sqlite3_str *pStr;
  char buf[65536];
  size_t n, iBad = 0;
  char *z;
  int nLen;
  *pz = 0;
  if( f==0 ) return sqlite3_mprintf("%s: cannot read: %s", zPath,
                                    strerror(errno));
  pStr = sqlite3_str_new(0);
  while( (n = fread(buf, 1, sizeof(buf), f))>0 ){
    sqlite3_str_append(pStr, buf, (int)n);
  }
  if( ferror(f) ){
    int e = errno;
    fclose(f);
    sqlite3_free(sqlite3_str_finish(pStr));
    return sqlite3_mprintf("%s: cannot read: %s", zPath, strerror(e));
  }
  fclose(f);
  if( sqlite3_str_errcode(pStr) ){
    sqlite3_free(sqlite3_str_finish(pStr));
    return sqlite3_mprintf("%s: too large or out of memory", zPath);
  }
  nLen = sqlite3_str_length(pStr);
  z = sqlite3_str_finish(pStr);
  if( z==0 ) z = sqlite3_mprintf("");
  if( z==0 ) return sqlite3_mprintf("out of memory");
  if( (int)strlen(z)!=nLen ){
    char *zErr = sqlite3_mprintf("%s: holds a NUL byte (line %d): "
                                 "not a text file", zPath,
                                 cliLineOf(z, strlen(z)));
    sqlite3_free(z);
    return zErr;
  }
  if( !cliIsUtf8((const unsigned char*)z, (size_t)nLen, &iBad) ){
    char *zErr = sqlite3_mprintf("%s: not valid UTF-8 (byte %lld, line %d)",
                                 zPath, (long long)iBad+1, cliLineOf(z, iBad));
    sqlite3_free(z);
    return zErr;
  }
  *pz = z;
  return 0;
}

/*
** If the line z[0..n-1] is a dbmate section marker "-- migrate:WORD"
** (spaces after "--" optional), returns 1 for up, 2 for down, 3 for
** verify; else 0.  *pbNoTxn is set to 1 when the options after WORD hold
** dbmate's "transaction:false" (other options are ignored).
*/
static int cliMarker(const char *z, size_t n, int *pbNoTxn){
  size_t i = 2;
  static const char *azWord[] = { "migrate:up", "migrate:down",
                                  "migrate:verify" };
  int k;
  *pbNoTxn = 0;
  if( n<2 || z[0]!='-' || z[1]!='-' ) return 0;
  while( i<n && (z[i]==' ' || z[i]=='\t') ) i++;
  for(k=0; k<3; k++){
    size_t m = strlen(azWord[k]);
    if( n-i>=m && memcmp(&z[i], azWord[k], m)==0
     && (i+m==n || z[i+m]==' ' || z[i+m]=='\t' || z[i+m]=='\r') ){
      size_t j;
      static const char zOpt[] = "transaction:false";
      for(j=i+m; j+sizeof(zOpt)-1<=n; j++){
        if( memcmp(&z[j], zOpt, sizeof(zOpt)-1)==0
         && (z[j-1]==' ' || z[j-1]=='\t')
         && (j+sizeof(zOpt)-1==n || z[j+sizeof(zOpt)-1]==' '
             || z[j+sizeof(zOpt)-1]=='\t' || z[j+sizeof(zOpt)-1]=='\r') ){
          *pbNoTxn = 1;
        }
      }
      return k+1;
    }
  }
  return 0;
}

/* Offset of the first byte of z[0..n-1] that is not space or comment. */
static size_t cliSkipSpace(const char *z, size_t n){
  size_t i = 0;
  for(;;){
    while( i<n && (z[i]==' ' || z[i]=='\t' || z[i]=='\n' || z[i]=='\r'
                   || z[i]=='\f' || z[i]=='\v') ) i++;
    if( i+1<n && z[i]=='-' && z[i+1]=='-' ){
      while( i<n && z[i]!='\n' ) i++;
    }else if( i+1<n && z[i]=='/' && z[i+1]=='*' ){
      i += 2;
      while( i+1<n && !(z[i]=='*' && z[i+1]=='/') ) i++;
      i = i+1<n ? i+2 : n;
    }else{
      return i;
    }
  }
}

/* The engine's marker of a no-transaction script (its first line). */
#define CLI_NOTXN "-- migrate:no-transaction\n"

/*
** Splits the dbmate-style file text z into its sections: `-- migrate:up`
** first, then optionally `-- migrate:down` and `-- migrate:verify` in
** either order, each section running to the next marker.  A marker with
** dbmate's option "transaction:false" gets its script stored with the
** engine's first line "-- migrate:no-transaction" (on a verify section the
** option is refused: a verify query is one read-only SELECT).
** Returns 0 (setting *pzUp, *pzDown and *pzVerify, the last two NULL when
** their marker is absent) or an error message naming zPath.  The line
** numbers are those of the script's first line in the file (one less when
** a no-transaction line was added, so that error lines still map).
*/
static char *cliSplitDbmate(const char *zPath, const char *z,
                            char **pzUp, char **pzDown, char **pzVerify,
                            int *piUpLine, int *piDownLine){
  static const char *azMark[] = { "up", "down", "verify" };
  size_t n = strlen(z);
  size_t i = 0;
  size_t aStart[3], aBody[3];
  int aLine[3] = {0, 0, 0}, aNoTxn[3] = {0, 0, 0}, aSeen[3] = {0, 0, 0};
  char **apOut[3];
  int line = 1, k;
  apOut[0] = pzUp; apOut[1] = pzDown; apOut[2] = pzVerify;
  *pzUp = *pzDown = *pzVerify = 0;
  memset(aStart, 0, sizeof(aStart));
  memset(aBody, 0, sizeof(aBody));
  while( i<n ){
    size_t e = i;
    int bNoTxn = 0;
    int m;
    while( e<n && z[e]!='\n' ) e++;
    m = cliMarker(&z[i], e-i, &bNoTxn);
    if( m>0 ){
      k = m-1;
      if( aSeen[k]++ ){
        return sqlite3_mprintf("%s: a second '-- migrate:%s' marker (lines "
                               "%d and %d)", zPath, azMark[k], aLine[k], line);
      }
      if( k==0 && (aSeen[1] || aSeen[2]) ){
        return sqlite3_mprintf("%s: '-- migrate:%s' (line %d) comes before "
                               "'-- migrate:up' (line %d)", zPath,
                               aSeen[1] ? "down" : "verify",
                               aSeen[1] ? aLine[1] : aLine[2], line);
      }
      if( k==2 && bNoTxn ){
        return sqlite3_mprintf("%s: '-- migrate:verify' (line %d) cannot "
                               "take transaction:false (a verify query is "
                               "one read-only SELECT)", zPath, line);
      }
      aStart[k] = i; aBody[k] = e<n ? e+1 : n; aLine[k] = line;
      aNoTxn[k] = bNoTxn;
    }
    i = e<n ? e+1 : n;
    line++;
  }
  if( aSeen[0]==0 ){
    return sqlite3_mprintf("%s: no '-- migrate:up' marker (a NAME.sql file "
                           "needs '-- migrate:up' and optionally "
                           "'-- migrate:down' sections; or name it "
                           "NAME.up.sql)", zPath);
  }
  i = cliSkipSpace(z, aStart[0]);
  if( i<aStart[0] ){
    return sqlite3_mprintf("%s: text before '-- migrate:up' (line %d): only "
                           "comments may come before it", zPath,
                           cliLineOf(z, i));
  }
  *piUpLine = aLine[0]+1 - aNoTxn[0];
  *piDownLine = aLine[1]+1 - aNoTxn[1];
  for(k=0; k<3; k++){
    size_t iEnd = n;
    int j;
    if( !aSeen[k] ) continue;
    for(j=0; j<3; j++){
      if( aSeen[j] && aStart[j]>aStart[k] && aStart[j]<iEnd ) iEnd = aStart[j];
    }
    *apOut[k] = sqlite3_mprintf("%s%.*s", aNoTxn[k] ? CLI_NOTXN : "",
                                (int)(iEnd - aBody[k]), &z[aBody[k]]);
    if( *apOut[k]==0 ){
      for(j=0; j<3; j++){ sqlite3_free(*apOut[j]); *apOut[j] = 0; }
      return sqlite3_mprintf("out of memory");
    }
  }
  return 0;
}

/* One .sql file found in DIR. */
typedef struct CliEntry CliEntry;
struct CliEntry {
  char *zFile;      /* file name within DIR */
  char *zName;      /* migration name */
  int eKind;        /* 0 NAME.sql, 1 NAME.up.sql, 2 NAME.down.sql,
                    ** 3 NAME.verify.sql */
};

/* qsort order of CliEntry: by name (bytes), then NAME.sql, .up, .down,
** .verify. */
static int cliEntryCmp(const void *a, const void *b){
  const CliEntry *x = (const CliEntry*)a, *y = (const CliEntry*)b;
  int c = strcmp(x->zName, y->zName);
  return c ? c : x->eKind - y->eKind;
}

/* qsort order of CliScript: migration order (the engine's natural order). */
static int cliScriptCmp(const void *a, const void *b){
  const CliScript *x = (const CliScript*)a, *y = (const CliScript*)b;
  int c = migrateNaturalCmp(0, (int)strlen(x->zName), x->zName,
                            (int)strlen(y->zName), y->zName);
  return c ? c : strcmp(x->zName, y->zName);
}

/* 1 when z ends with zSuffix. */
static int cliEndsWith(const char *z, const char *zSuffix){
  size_t n = strlen(z), m = strlen(zSuffix);
  return n>=m && strcmp(&z[n-m], zSuffix)==0;
}

/* Frees p->aScript. */
static void cliFreeScripts(Cli *p){
  int i;
  for(i=0; i<p->nScript; i++){
    sqlite3_free(p->aScript[i].zName);
    sqlite3_free(p->aScript[i].zUp);
    sqlite3_free(p->aScript[i].zDown);
    sqlite3_free(p->aScript[i].zFile);
    sqlite3_free(p->aScript[i].zDownFile);
    sqlite3_free(p->aScript[i].zVerify);
  }
  for(i=0; i<CLI_NHOOK; i++){
    sqlite3_free(p->azHook[i]);
    p->azHook[i] = 0;
  }
  sqlite3_free(p->aScript);
  p->aScript = 0;
  p->nScript = 0;
}

/*
** Reads DIR/hooks/EVENT.sql files into p->azHook (p->bHooksDir = 1 when
** DIR has a hooks folder; then the database's hooks are synced to it).
** Files starting with '.' and not ending in ".sql" are ignored; a .sql
** file whose name is not an event is an error.  Returns 0 or a message.
*/
static char *cliReadHooks(Cli *p){
  char *zHooks = sqlite3_mprintf("%s/hooks", p->zDir);
  struct stat st;
  DIR *pDir;
  struct dirent *pEnt;
  char *zErr = 0;
  if( zHooks==0 ) return sqlite3_mprintf("out of memory");
  if( stat(zHooks, &st)!=0 || !S_ISDIR(st.st_mode) ){
    sqlite3_free(zHooks);
    return 0;
  }
  p->bHooksDir = 1;
  pDir = opendir(zHooks);
  if( pDir==0 ){
    zErr = sqlite3_mprintf("cannot read the hooks folder %s: %s", zHooks,
                           strerror(errno));
    sqlite3_free(zHooks);
    return zErr;
  }
  while( zErr==0 && (pEnt = readdir(pDir))!=0 ){
    const char *zF = pEnt->d_name;
    size_t n = strlen(zF);
    int k;
    char *zPath;
    if( zF[0]=='.' || !cliEndsWith(zF, ".sql") ) continue;
    for(k=0; k<CLI_NHOOK; k++){
      if( strlen(azCliHook[k])==n-4 && memcmp(azCliHook[k], zF, n-4)==0 ){
        break;
      }
    }
    if( k>=CLI_NHOOK ){
      zErr = sqlite3_mprintf("%s/%s: not a hook event (hook files are "
          "hooks/EVENT.sql, EVENT one of: before_migrate, after_migrate, "
          "before_each, after_each, before_rollback, after_rollback)",
          zHooks, zF);
      break;
    }
    zPath = sqlite3_mprintf("%s/%s", zHooks, zF);
    if( zPath==0 ){ zErr = sqlite3_mprintf("out of memory"); break; }
    zErr = cliReadFile(zPath, &p->azHook[k]);
    sqlite3_free(zPath);
  }
  closedir(pDir);
  sqlite3_free(zHooks);
  return zErr;
}

/*
** Reads every migration of p->zDir into p->aScript (migration order).
** Files not ending in ".sql" and names starting with '.' are ignored.
** Returns CLI_OK, or prints an error naming the file and returns CLI_ERROR.
*/
static int cliReadDir(Cli *p){
  DIR *pDir = opendir(p->zDir);
  struct dirent *pEnt;
  CliEntry *aEnt = 0;
  int nEnt = 0, nAlloc = 0;
  char *zErr = 0;
  int i, rc = CLI_OK;

  if( pDir==0 ){
    return cliError(p, "cannot read the migrations folder %s: %s",
                    p->zDir, strerror(errno));
  }
  while( zErr==0 && (pEnt = readdir(pDir))!=0 ){
    const char *zF = pEnt->d_name;
    CliEntry *pE;
    char *zPath;
    struct stat st;
    size_t n;
    if( zF[0]=='.' || !cliEndsWith(zF, ".sql") ) continue;
    zPath = sqlite3_mprintf("%s/%s", p->zDir, zF);
    if( zPath==0 ){ zErr = sqlite3_mprintf("out of memory"); break; }
    if( stat(zPath, &st)!=0 ){
      zErr = sqlite3_mprintf("%s: cannot read: %s", zPath, strerror(errno));
    }else if( !S_ISREG(st.st_mode) ){
      zErr = sqlite3_mprintf("%s: not a regular file", zPath);
    }
    sqlite3_free(zPath);
    if( zErr ) break;
    if( nEnt>=nAlloc ){
      CliEntry *aNew;
      nAlloc = nAlloc ? nAlloc*2 : 64;
      aNew = sqlite3_realloc64(aEnt, sizeof(CliEntry)*(sqlite3_uint64)nAlloc);
      if( aNew==0 ){ zErr = sqlite3_mprintf("out of memory"); break; }
      aEnt = aNew;
    }
    pE = &aEnt[nEnt];
    n = strlen(zF);
    if( cliEndsWith(zF, ".up.sql") ){
      pE->eKind = 1; n -= 7;
    }else if( cliEndsWith(zF, ".down.sql") ){
      pE->eKind = 2; n -= 9;
    }else if( cliEndsWith(zF, ".verify.sql") ){
      pE->eKind = 3; n -= 11;
    }else{
      pE->eKind = 0; n -= 4;
    }
    pE->zFile = sqlite3_mprintf("%s", zF);
    pE->zName = sqlite3_mprintf("%.*s", (int)n, zF);
    if( pE->zFile==0 || pE->zName==0 ){
      sqlite3_free(pE->zFile);
      sqlite3_free(pE->zName);
      zErr = sqlite3_mprintf("out of memory");
      break;
    }
    nEnt++;
    if( n==0 ){
      zErr = sqlite3_mprintf("%s/%s: the migration name (the file name "
                             "without .sql) is empty", p->zDir, zF);
    }else{
      size_t iBad;
      if( !cliIsUtf8((const unsigned char*)zF, strlen(zF), &iBad) ){
        zErr = sqlite3_mprintf("%s/%s: the file name is not valid UTF-8",
                               p->zDir, zF);
      }
    }
  }
  closedir(pDir);

  if( zErr==0 && nEnt>0 ){
    qsort(aEnt, nEnt, sizeof(CliEntry), cliEntryCmp);
    p->aScript = sqlite3_malloc64(sizeof(CliScript)*(sqlite3_uint64)nEnt);
    if( p->aScript==0 ) zErr = sqlite3_mprintf("out of memory");
  }
  for(i=0; zErr==0 && i<nEnt; i++){
    CliEntry *pE = &aEnt[i];
    CliEntry *pNext = i+1<nEnt ? &aEnt[i+1] : 0;
    CliScript *pS;
    char *zText = 0, *zPath;
    if( pNext && strcmp(pNext->zName, pE->zName)==0
     && !(pE->eKind<=1 && pNext->eKind==3)
     && !(pE->eKind==1 && pNext->eKind==2) ){
      zErr = sqlite3_mprintf("migration %s is defined twice: %s/%s and %s/%s",
                             pE->zName, p->zDir, pE->zFile, p->zDir,
                             pNext->zFile);
      break;
    }
    if( pE->eKind>=2 ){
      zErr = sqlite3_mprintf("%s/%s: no matching %s.up.sql%s", p->zDir,
                             pE->zFile, pE->zName,
                             pE->eKind==3 ? " or .sql" : "");
      break;
    }
    pS = &p->aScript[p->nScript];
    memset(pS, 0, sizeof(*pS));
    zPath = sqlite3_mprintf("%s/%s", p->zDir, pE->zFile);
    if( zPath==0 ){ zErr = sqlite3_mprintf("out of memory"); break; }
    pS->zFile = zPath;
    pS->zName = sqlite3_mprintf("%s", pE->zName);
    p->nScript++;
    if( pS->zName==0 ){ zErr = sqlite3_mprintf("out of memory"); break; }
    zErr = cliReadFile(zPath, &zText);
    if( zErr ) break;
    pS->bRepeatable = strncmp(pE->zName, "R__", 3)==0;
    if( pE->eKind==0 && pS->bRepeatable && strstr(zText, "migrate:")==0 ){
      /* a Flyway-style R__NAME.sql without markers: all of it is up */
      pS->zUp = zText;
      zText = 0;
      pS->iUpLine = 1;
    }else if( pE->eKind==0 ){
      zErr = cliSplitDbmate(zPath, zText, &pS->zUp, &pS->zDown, &pS->zVerify,
                            &pS->iUpLine, &pS->iDownLine);
      pS->zDownFile = sqlite3_mprintf("%s", zPath);
    }else{
      pS->zUp = zText;
      zText = 0;
      pS->iUpLine = pS->iDownLine = 1;
      if( pNext && pNext->eKind==2 && strcmp(pNext->zName, pE->zName)==0 ){
        pS->zDownFile = sqlite3_mprintf("%s/%s", p->zDir, pNext->zFile);
        if( pS->zDownFile==0 ){ zErr = sqlite3_mprintf("out of memory"); break; }
        zErr = cliReadFile(pS->zDownFile, &pS->zDown);
        i++;
        pNext = i+1<nEnt ? &aEnt[i+1] : 0;
      }
    }
    sqlite3_free(zText);
    if( zErr==0 && pNext && pNext->eKind==3
     && strcmp(pNext->zName, pE->zName)==0 ){
      char *zVPath = sqlite3_mprintf("%s/%s", p->zDir, pNext->zFile);
      i++;
      if( zVPath==0 ){ zErr = sqlite3_mprintf("out of memory"); break; }
      if( pS->zVerify ){
        zErr = sqlite3_mprintf("%s: migration %s has a verify query twice: "
                               "its '-- migrate:verify' section and %s",
                               pS->zFile, pS->zName, zVPath);
      }else{
        zErr = cliReadFile(zVPath, &pS->zVerify);
      }
      sqlite3_free(zVPath);
    }
    if( zErr==0 && pS->bRepeatable && pS->zDown ){
      zErr = sqlite3_mprintf("%s: %s is a repeatable migration (R__ name): "
                             "it has no down script (remove its %s)",
                             pS->zFile, pS->zName,
                             pE->eKind==0 ? "'-- migrate:down' section"
                                          : ".down.sql file");
    }
  }
  if( zErr==0 ) zErr = cliReadHooks(p);
  for(i=0; i<nEnt; i++){
    sqlite3_free(aEnt[i].zFile);
    sqlite3_free(aEnt[i].zName);
  }
  sqlite3_free(aEnt);
  if( zErr ){
    rc = cliError(p, "%s", zErr);
    sqlite3_free(zErr);
    cliFreeScripts(p);
    return rc;
  }
  if( p->nScript>1 ){
    qsort(p->aScript, p->nScript, sizeof(CliScript), cliScriptCmp);
  }
  for(i=0; i<p->nScript; i++){
    int n = (int)strlen(p->aScript[i].zName);
    if( n>p->nWidth ) p->nWidth = n;
  }
  return CLI_OK;
}

/* ------------------------------------------------------------ database */

/* Runs SQL with no result rows; on error prints it and returns CLI_ERROR. */
static int cliExec(Cli *p, const char *zSql){
  char *zErr = 0;
  if( sqlite3_exec(p->db, zSql, 0, 0, &zErr)!=SQLITE_OK ){
    int rc = cliError(p, "%s", zErr ? zErr : sqlite3_errmsg(p->db));
    sqlite3_free(zErr);
    return rc;
  }
  return CLI_OK;
}

/* Prepares zSql; on error prints it and returns 0. */
static sqlite3_stmt *cliPrepare(Cli *p, const char *zSql){
  sqlite3_stmt *pStmt = 0;
  if( sqlite3_prepare_v2(p->db, zSql, -1, &pStmt, 0)!=SQLITE_OK ){
    cliError(p, "%s", sqlite3_errmsg(p->db));
    return 0;
  }
  return pStmt;
}

/*
** Picks the names under which the extension's tables are addressed: their
** own names, or temp aliases when the database has its own table or view
** called `migrations` / `migration_status` (Laravel keeps one).
*/
static int cliTableNames(Cli *p){
  sqlite3_stmt *pStmt;
  int rc = CLI_OK;
  p->zDefs = "migrations";
  p->zStatus = "migration_status";
  if( sqlite3_prepare_v2(p->db, "SELECT name FROM main.sqlite_schema "
                         "WHERE name IN ('migrations','migration_status')",
                         -1, &pStmt, 0)!=SQLITE_OK ){
    return cliError(p, "cannot read the database %s: %s", p->zDb,
                    sqlite3_errmsg(p->db));
  }
  while( sqlite3_step(pStmt)==SQLITE_ROW ){
    const char *z = (const char*)sqlite3_column_text(pStmt, 0);
    if( z && strcmp(z, "migrations")==0 ) p->zDefs = "cli_migrations";
    if( z && strcmp(z, "migration_status")==0 ){
      p->zStatus = "cli_migration_status";
    }
  }
  if( sqlite3_finalize(pStmt)!=SQLITE_OK ){
    return cliError(p, "cannot read the database %s: %s", p->zDb,
                    sqlite3_errmsg(p->db));
  }
  if( strcmp(p->zDefs, "migrations")!=0 ){
    rc = cliExec(p, "CREATE VIRTUAL TABLE IF NOT EXISTS temp.cli_migrations "
                    "USING migrations");
  }
  if( rc==CLI_OK && strcmp(p->zStatus, "migration_status")!=0 ){
    rc = cliExec(p, "CREATE VIRTUAL TABLE IF NOT EXISTS "
                    "temp.cli_migration_status USING migration_status");
  }
  return rc;
}

/* Opens zFile (":memory:" too) with libmigrate registered, as *pDb. */
static int cliOpenDb(Cli *p, const char *zFile, int flags, sqlite3 **pDb){
  sqlite3 *db = 0;
  char *zErr = 0;
  int rc = sqlite3_open_v2(zFile, &db, flags, 0);
  if( rc!=SQLITE_OK ){
    rc = cliError(p, "cannot open the database %s: %s", zFile,
                  db ? sqlite3_errmsg(db) : "out of memory");
    sqlite3_close(db);
    return rc;
  }
  sqlite3_busy_timeout(db, 5000);
  if( sqlite3_migrate_init(db, &zErr, 0)!=SQLITE_OK ){
    rc = cliError(p, "cannot register libmigrate: %s",
                  zErr ? zErr : sqlite3_errmsg(db));
    sqlite3_free(zErr);
    sqlite3_close(db);
    return rc;
  }
  *pDb = db;
  return CLI_OK;
}

/*
** Opens the database of the command.  bCreate: create the file if absent;
** else an absent file reads as an empty (in-memory) database, so that
** looking never creates a file.  A "file:" URI is passed to SQLite as it
** is (e.g. file:app.db?mode=ro).
*/
static int cliOpen(Cli *p, int bCreate){
  struct stat st;
  const char *zFile = p->zDb;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_URI;
  int rc;
  if( bCreate ){
    flags |= SQLITE_OPEN_CREATE;
  }else if( strncmp(p->zDb, "file:", 5)!=0
         && stat(p->zDb, &st)!=0 && errno==ENOENT ){
    zFile = ":memory:";
  }
  rc = cliOpenDb(p, zFile, flags, &p->db);
  if( rc==CLI_OK ) rc = cliTableNames(p);
  return rc;
}

/*
** Replaces p->db by an in-memory copy of it (for a look at a read-only
** database that needs a sync first: the copy is thrown away).
*/
static int cliMemCopy(Cli *p){
  sqlite3 *pMem = 0;
  sqlite3_backup *pBk;
  int rc = cliOpenDb(p, ":memory:", SQLITE_OPEN_READWRITE, &pMem);
  if( rc!=CLI_OK ) return rc;
  pBk = sqlite3_backup_init(pMem, "main", p->db, "main");
  if( pBk ){
    sqlite3_backup_step(pBk, -1);
    sqlite3_backup_finish(pBk);
  }
  if( sqlite3_errcode(pMem)!=SQLITE_OK ){
    rc = cliError(p, "cannot copy the database %s: %s", p->zDb,
                  sqlite3_errmsg(pMem));
    sqlite3_close(pMem);
    return rc;
  }
  sqlite3_close(p->db);
  p->db = pMem;
  return cliTableNames(p);
}

/* Frees what cliSyncPlan() allocated and zeroes *s. */
static void cliSyncFree(CliSync *s){
  int i;
  sqlite3_free(s->aDefine);
  for(i=0; i<s->nRemove; i++) sqlite3_free(s->azRemove[i]);
  sqlite3_free(s->azRemove);
  sqlite3_free(s->zAdded);
  sqlite3_free(s->zReplaced);
  sqlite3_free(s->zRemoved);
  memset(s, 0, sizeof(*s));
}

/* Index of zName in p->aScript (binary search), or -1. */
static int cliFindScript(Cli *p, const char *zName){
  int lo = 0, hi = p->nScript-1;
  CliScript key;
  key.zName = (char*)zName;
  while( lo<=hi ){
    int mid = (lo+hi)/2;
    int c = cliScriptCmp(&key, &p->aScript[mid]);
    if( c==0 ) return mid;
    if( c<0 ) hi = mid-1; else lo = mid+1;
  }
  return -1;
}

/* 1 when the database text/NULL value equals z (NULL equals NULL). */
static int cliSameText(sqlite3_stmt *pStmt, int iCol, const char *z){
  const char *zDb = (const char*)sqlite3_column_text(pStmt, iCol);
  if( sqlite3_column_type(pStmt, iCol)==SQLITE_NULL ) return z==0;
  if( z==0 || zDb==0 ) return 0;
  return sqlite3_column_bytes(pStmt, iCol)==(int)strlen(z)
      && memcmp(zDb, z, strlen(z))==0;
}

/*
** Sets *pbDiffer to 1 when the `migration_hooks` table does not hold
** exactly the hooks of DIR/hooks (one script per event file), else 0.
*/
static int cliHooksDiffer(Cli *p, int *pbDiffer){
  sqlite3_stmt *pStmt = cliPrepare(p, "SELECT event, script "
                                      "FROM migration_hooks");
  int aSeen[CLI_NHOOK] = {0, 0, 0, 0, 0, 0};
  int k, nRow = 0, nWant = 0;
  *pbDiffer = 0;
  if( pStmt==0 ) return CLI_ERROR;
  while( sqlite3_step(pStmt)==SQLITE_ROW ){
    const char *zEvent = (const char*)sqlite3_column_text(pStmt, 0);
    nRow++;
    for(k=0; zEvent && k<CLI_NHOOK; k++){
      if( strcmp(zEvent, azCliHook[k])==0 ) break;
    }
    if( zEvent==0 || k>=CLI_NHOOK || aSeen[k]++ || p->azHook[k]==0
     || !cliSameText(pStmt, 1, p->azHook[k]) ){
      *pbDiffer = 1;
    }
  }
  if( sqlite3_finalize(pStmt)!=SQLITE_OK ){
    return cliError(p, "%s", sqlite3_errmsg(p->db));
  }
  for(k=0; k<CLI_NHOOK; k++) nWant += p->azHook[k]!=0;
  if( nRow!=nWant ) *pbDiffer = 1;
  return CLI_OK;
}

/*
** Works out what syncing DIR into the `migrations` table would do (reads
** only).  Returns CLI_OK or CLI_ERROR (printed).
*/
static int cliSyncPlan(Cli *p, CliSync *s){
  sqlite3_stmt *pStmt;
  sqlite3_stmt *pSum = 0;     /* checksums of a file's up and down */
  char *zSql;
  unsigned char *aSeen = 0;
  char **azOther = 0;       /* defined names with no file */
  int nOther = 0;
  int i, rc = CLI_OK;
  sqlite3_str *pAdd = sqlite3_str_new(0);
  sqlite3_str *pRep = sqlite3_str_new(0);
  sqlite3_str *pRem = sqlite3_str_new(0);

  memset(s, 0, sizeof(*s));
  if( p->nScript ){
    aSeen = sqlite3_malloc(p->nScript);
    s->aDefine = sqlite3_malloc64(sizeof(int)*(sqlite3_uint64)p->nScript);
    if( aSeen==0 || s->aDefine==0 ){ rc = cliError(p, "out of memory"); }
    else memset(aSeen, 0, p->nScript);
  }
  /* Definitions are compared by checksum (as the engine's INSERT OR
  ** REPLACE does), read from the storage table, so a run with nothing to
  ** sync reads no script text.  No storage yet: nothing is defined. */
  zSql = sqlite3_mprintf("SELECT name, checksum, down_checksum, verify, "
                         "repeatable FROM main.migrations_scripts");
  pStmt = 0;
  if( rc==CLI_OK && zSql
   && sqlite3_prepare_v2(p->db, zSql, -1, &pStmt, 0)!=SQLITE_OK ){
    sqlite3_finalize(pStmt);
    pStmt = 0;
    sqlite3_free(zSql);
    zSql = sqlite3_mprintf("SELECT 1 WHERE 0");   /* no storage */
    pStmt = zSql ? cliPrepare(p, zSql) : 0;
  }
  sqlite3_free(zSql);
  if( pStmt==0 ) rc = CLI_ERROR;
  if( rc==CLI_OK ){
    pSum = cliPrepare(p, "SELECT migration_checksum(?1), "
                         "migration_checksum(?2)");
    if( pSum==0 ) rc = CLI_ERROR;
  }
  sqlite3_str_appendchar(pRep, 1, '[');
  while( rc==CLI_OK && sqlite3_step(pStmt)==SQLITE_ROW ){
    const char *zName = (const char*)sqlite3_column_text(pStmt, 0);
    int k = zName ? cliFindScript(p, zName) : -1;
    if( k>=0 ){
      int bSame = 0;
      aSeen[k] = 1;
      sqlite3_bind_text(pSum, 1, p->aScript[k].zUp, -1, SQLITE_STATIC);
      sqlite3_bind_text(pSum, 2, p->aScript[k].zDown, -1, SQLITE_STATIC);
      if( sqlite3_step(pSum)==SQLITE_ROW ){
        bSame = cliSameText(pStmt, 1,
                            (const char*)sqlite3_column_text(pSum, 0))
             && cliSameText(pStmt, 2,
                            (const char*)sqlite3_column_text(pSum, 1));
      }
      sqlite3_reset(pSum);
      if( bSame
       && cliSameText(pStmt, 3, p->aScript[k].zVerify)
       && sqlite3_column_int(pStmt, 4)==p->aScript[k].bRepeatable ){
        s->nSame++;
      }else{
        if( s->nDefine>s->nAdded ) sqlite3_str_appendchar(pRep, 1, ',');
        cliJsonString(pRep, zName);
        s->aDefine[s->nDefine++] = k;
      }
    }else if( zName ){
      char **azNew = sqlite3_realloc64(azOther,
                                       sizeof(char*)*(sqlite3_uint64)(nOther+1));
      if( azNew==0 ){ rc = cliError(p, "out of memory"); break; }
      azOther = azNew;
      azOther[nOther] = sqlite3_mprintf("%s", zName);
      if( azOther[nOther++]==0 ){ rc = cliError(p, "out of memory"); }
    }
  }
  sqlite3_finalize(pSum);
  if( pStmt && sqlite3_finalize(pStmt)!=SQLITE_OK && rc==CLI_OK ){
    rc = cliError(p, "%s", sqlite3_errmsg(p->db));
  }
  sqlite3_str_appendchar(pRep, 1, ']');

  /* files not defined yet */
  sqlite3_str_appendchar(pAdd, 1, '[');
  for(i=0; rc==CLI_OK && i<p->nScript; i++){
    if( aSeen[i] ) continue;
    if( s->nAdded ) sqlite3_str_appendchar(pAdd, 1, ',');
    cliJsonString(pAdd, p->aScript[i].zName);
    s->aDefine[s->nDefine++] = i;
    s->nAdded++;
  }
  sqlite3_str_appendchar(pAdd, 1, ']');

  /* defined names with no file: removed when pending */
  sqlite3_str_appendchar(pRem, 1, '[');
  if( rc==CLI_OK && nOther>0 ){
    zSql = sqlite3_mprintf("SELECT name FROM \"%w\" WHERE state='pending'",
                           p->zStatus);
    pStmt = zSql ? cliPrepare(p, zSql) : 0;
    sqlite3_free(zSql);
    if( pStmt==0 ) rc = CLI_ERROR;
    while( rc==CLI_OK && sqlite3_step(pStmt)==SQLITE_ROW ){
      const char *zName = (const char*)sqlite3_column_text(pStmt, 0);
      int j;
      for(j=0; zName && j<nOther; j++){
        if( azOther[j] && strcmp(azOther[j], zName)==0 ) break;
      }
      if( zName==0 || j>=nOther ) continue;
      s->azRemove = sqlite3_realloc64(s->azRemove,
                                  sizeof(char*)*(sqlite3_uint64)(s->nRemove+1));
      if( s->azRemove==0 ){ s->nRemove = 0; rc = cliError(p, "out of memory"); break; }
      s->azRemove[s->nRemove++] = azOther[j];
      azOther[j] = 0;
      if( s->nRemove>1 ) sqlite3_str_appendchar(pRem, 1, ',');
      cliJsonString(pRem, zName);
    }
    if( pStmt && sqlite3_finalize(pStmt)!=SQLITE_OK && rc==CLI_OK ){
      rc = cliError(p, "%s", sqlite3_errmsg(p->db));
    }
  }
  sqlite3_str_appendchar(pRem, 1, ']');
  if( rc==CLI_OK && p->bHooksDir ) rc = cliHooksDiffer(p, &s->bHooks);
  s->zAdded = sqlite3_str_finish(pAdd);
  s->zReplaced = sqlite3_str_finish(pRep);
  s->zRemoved = sqlite3_str_finish(pRem);
  if( rc==CLI_OK && (s->zAdded==0 || s->zReplaced==0 || s->zRemoved==0) ){
    rc = cliError(p, "out of memory");
  }
  for(i=0; i<nOther; i++) sqlite3_free(azOther[i]);
  sqlite3_free(azOther);
  sqlite3_free(aSeen);
  if( rc!=CLI_OK ) cliSyncFree(s);
  return rc;
}

/*
** Makes the `migrations` table match DIR, as planned by cliSyncPlan:
** INSERT OR REPLACE through the table (with the hidden verify and
** repeatable columns, which migrate_define() does not take), DELETE of the
** removed pending ones, and the hooks replaced when they differ.
*/
static int cliSyncApply(Cli *p, CliSync *s){
  int i, rc = CLI_OK;
  if( s->nDefine>0 ){
    char *zSql = sqlite3_mprintf("INSERT OR REPLACE INTO \"%w\"(name, up, "
                                 "down, verify, repeatable) "
                                 "VALUES(?1, ?2, ?3, ?4, ?5)", p->zDefs);
    sqlite3_stmt *pStmt = zSql ? cliPrepare(p, zSql) : 0;
    sqlite3_free(zSql);
    if( pStmt==0 ) return CLI_ERROR;
    for(i=0; rc==CLI_OK && i<s->nDefine; i++){
      const CliScript *pS = &p->aScript[s->aDefine[i]];
      sqlite3_bind_text(pStmt, 1, pS->zName, -1, SQLITE_STATIC);
      sqlite3_bind_text(pStmt, 2, pS->zUp, -1, SQLITE_STATIC);
      if( pS->zDown ){
        sqlite3_bind_text(pStmt, 3, pS->zDown, -1, SQLITE_STATIC);
      }else{
        sqlite3_bind_null(pStmt, 3);
      }
      if( pS->zVerify ){
        sqlite3_bind_text(pStmt, 4, pS->zVerify, -1, SQLITE_STATIC);
      }else{
        sqlite3_bind_null(pStmt, 4);
      }
      sqlite3_bind_int(pStmt, 5, pS->bRepeatable);
      sqlite3_step(pStmt);
      if( sqlite3_reset(pStmt)!=SQLITE_OK ){
        rc = cliError(p, "%s (%s)", sqlite3_errmsg(p->db), pS->zFile);
      }
    }
    sqlite3_finalize(pStmt);
  }
  if( rc==CLI_OK && s->bHooks ){
    sqlite3_stmt *pStmt = 0;
    rc = cliExec(p, "DELETE FROM migration_hooks");
    if( rc==CLI_OK ){
      pStmt = cliPrepare(p, "INSERT INTO migration_hooks(event, script) "
                            "VALUES(?1, ?2)");
      if( pStmt==0 ) rc = CLI_ERROR;
    }
    for(i=0; rc==CLI_OK && i<CLI_NHOOK; i++){
      if( p->azHook[i]==0 ) continue;
      sqlite3_bind_text(pStmt, 1, azCliHook[i], -1, SQLITE_STATIC);
      sqlite3_bind_text(pStmt, 2, p->azHook[i], -1, SQLITE_STATIC);
      sqlite3_step(pStmt);
      if( sqlite3_reset(pStmt)!=SQLITE_OK ){
        rc = cliError(p, "%s (%s/hooks/%s.sql)", sqlite3_errmsg(p->db),
                      p->zDir, azCliHook[i]);
      }
    }
    sqlite3_finalize(pStmt);
  }
  if( rc==CLI_OK && s->nRemove>0 ){
    char *zSql = sqlite3_mprintf("DELETE FROM \"%w\" WHERE name=?1", p->zDefs);
    sqlite3_stmt *pStmt = zSql ? cliPrepare(p, zSql) : 0;
    sqlite3_free(zSql);
    if( pStmt==0 ) return CLI_ERROR;
    for(i=0; rc==CLI_OK && i<s->nRemove; i++){
      sqlite3_bind_text(pStmt, 1, s->azRemove[i], -1, SQLITE_STATIC);
      sqlite3_step(pStmt);
      if( sqlite3_reset(pStmt)!=SQLITE_OK ){
        rc = cliError(p, "removing %s: %s", s->azRemove[i],
                      sqlite3_errmsg(p->db));
      }
    }
    sqlite3_finalize(pStmt);
  }
  return rc;
}

/* migrate_run's progress callback: prints (or records) one migration. */
static void cliProgress(void *pArg, const char *zName, const char *zDir,
                        sqlite3_int64 iMs, sqlite3_int64 nChanges){
  Cli *p = (Cli*)pArg;
  int bDown = strcmp(zDir, "down")==0;
  if( bDown ) p->nDownDone++; else p->nUp++;
  if( p->bJson ){
    sqlite3_str *pStr = bDown ? p->pDownJson : p->pUpJson;
    if( sqlite3_str_length(pStr)>1 ) sqlite3_str_appendchar(pStr, 1, ',');
    sqlite3_str_appendall(pStr, "{\"name\":");
    cliJsonString(pStr, zName);
    if( nChanges>=0 ){
      sqlite3_str_appendf(pStr, ",\"ms\":%lld,\"changes\":%lld}", iMs,
                          nChanges);
    }else{
      sqlite3_str_appendf(pStr, ",\"ms\":%lld,\"changes\":null}", iMs);
    }
  }else if( nChanges>0 ){
    printf("  %-5s %-*s  (%lld ms, %lld row%s)\n", zDir, p->nWidth, zName,
           iMs, nChanges, cliPlural(nChanges));
    fflush(stdout);
  }else{
    printf("  %-5s %-*s  (%lld ms)\n", zDir, p->nWidth, zName, iMs);
    fflush(stdout);
  }
}

/* The largest batch in the ledger (0 if none). */
static sqlite3_int64 cliMaxBatch(Cli *p){
  sqlite3_stmt *pStmt = 0;
  sqlite3_int64 n = 0;
  if( sqlite3_prepare_v2(p->db, "SELECT max(batch) FROM main.migrations_ledger",
                         -1, &pStmt, 0)==SQLITE_OK
   && sqlite3_step(pStmt)==SQLITE_ROW ){
    n = sqlite3_column_int64(pStmt, 0);
  }
  sqlite3_finalize(pStmt);
  return n;
}

/* Map of command names to migrate_run() calls. */
static const char *cliCallOf(const char *zCmd){
  static const char *az[] = {
    "up", "migrate",  "down", "rollback",  "rollback-to", "rollback_to",
    "reset", "migrate_reset",  "refresh", "migrate_refresh",
    "dry-run", "migrate_dry_run",  "repair", "migrate_repair",
    "baseline", "migrate_baseline",
  };
  int i;
  for(i=0; i<(int)(sizeof(az)/sizeof(az[0])); i+=2){
    if( strcmp(az[i], zCmd)==0 ) return az[i+1];
  }
  return 0;   /* load */
}

/* Prints the status rows (text table or JSON array); sets *pnWork. */
static int cliPrintStatus(Cli *p, int *pnWork){
  char *zSql = sqlite3_mprintf("SELECT name, state, batch, applied_at, "
                               "duration_ms FROM \"%w\"", p->zStatus);
  sqlite3_stmt *pStmt = zSql ? cliPrepare(p, zSql) : 0;
  sqlite3_str *pOut = sqlite3_str_new(0);
  char **az = 0;            /* 4 cells per row */
  int nRow = 0, nAlloc = 0, nJson = 0;
  int aW[4] = { 4, 5, 5, 10 };
  int anState[4] = { 0, 0, 0, 0 };
  static const char *azState[4] = { "applied", "pending", "changed", "missing" };
  int i, k, rc = CLI_OK;
  sqlite3_free(zSql);
  if( pStmt==0 ){ sqlite3_free(sqlite3_str_finish(pOut)); return CLI_ERROR; }
  sqlite3_str_appendchar(pOut, 1, '[');
  while( sqlite3_step(pStmt)==SQLITE_ROW ){
    const char *zState = (const char*)sqlite3_column_text(pStmt, 1);
    for(k=0; k<4; k++){
      if( zState && strcmp(zState, azState[k])==0 ) anState[k]++;
    }
    if( p->bJson ){
      if( nJson++ ) sqlite3_str_appendchar(pOut, 1, ',');
      sqlite3_str_appendall(pOut, "{\"name\":");
      cliJsonString(pOut, (const char*)sqlite3_column_text(pStmt, 0));
      sqlite3_str_appendall(pOut, ",\"state\":");
      cliJsonString(pOut, zState);
      if( sqlite3_column_type(pStmt, 2)==SQLITE_INTEGER ){
        sqlite3_str_appendf(pOut, ",\"batch\":%lld",
                            sqlite3_column_int64(pStmt, 2));
      }else{
        sqlite3_str_appendall(pOut, ",\"batch\":null");
      }
      sqlite3_str_appendall(pOut, ",\"applied_at\":");
      cliJsonString(pOut, (const char*)sqlite3_column_text(pStmt, 3));
      if( sqlite3_column_type(pStmt, 4)==SQLITE_INTEGER ){
        sqlite3_str_appendf(pOut, ",\"duration_ms\":%lld}",
                            sqlite3_column_int64(pStmt, 4));
      }else{
        sqlite3_str_appendall(pOut, ",\"duration_ms\":null}");
      }
      continue;
    }
    if( nRow>=nAlloc ){
      char **azNew;
      nAlloc = nAlloc ? nAlloc*2 : 64;
      azNew = sqlite3_realloc64(az, sizeof(char*)*4*(sqlite3_uint64)nAlloc);
      if( azNew==0 ){ rc = cliError(p, "out of memory"); break; }
      az = azNew;
    }
    for(k=0; k<4; k++){
      const char *z = (const char*)sqlite3_column_text(pStmt, k);
      int n;
      az[nRow*4+k] = sqlite3_mprintf("%s", z ? z : "");
      n = az[nRow*4+k] ? (int)strlen(az[nRow*4+k]) : 0;
      if( n>aW[k] ) aW[k] = n;
    }
    nRow++;
  }
  if( sqlite3_finalize(pStmt)!=SQLITE_OK && rc==CLI_OK ){
    rc = cliError(p, "%s", sqlite3_errmsg(p->db));
  }
  sqlite3_str_appendchar(pOut, 1, ']');
  if( rc==CLI_OK ){
    if( p->bJson ){
      rc = cliJsonPrint(p, pOut);
      pOut = 0;
    }else{
      sqlite3_str *pLine = sqlite3_str_new(0);
      char *z;
      int nTotal = anState[0]+anState[1]+anState[2]+anState[3];
      printf("%-*s  %-*s  %-*s  %s\n", aW[0], "name", aW[1], "state",
             aW[2], "batch", "applied at");
      for(i=0; i<nRow; i++){
        char *zLine = sqlite3_mprintf("%-*s  %-*s  %-*s  %s", aW[0],
            az[i*4] ? az[i*4] : "", aW[1], az[i*4+1] ? az[i*4+1] : "",
            aW[2], az[i*4+2] ? az[i*4+2] : "", az[i*4+3] ? az[i*4+3] : "");
        if( zLine ){
          int n = (int)strlen(zLine);
          while( n>0 && zLine[n-1]==' ' ) n--;
          printf("%.*s\n", n, zLine);
        }
        sqlite3_free(zLine);
      }
      sqlite3_str_appendf(pLine, "%d migration%s", nTotal, cliPlural(nTotal));
      for(k=0, i=0; k<4; k++){
        if( anState[k]==0 ) continue;
        sqlite3_str_appendf(pLine, "%s %d %s", i++ ? "," : ":", anState[k],
                            azState[k]);
      }
      z = sqlite3_str_finish(pLine);
      printf("%s\n", z ? z : "");
      sqlite3_free(z);
    }
  }
  sqlite3_free(sqlite3_str_finish(pOut));
  for(i=0; i<nRow*4; i++) sqlite3_free(az[i]);
  sqlite3_free(az);
  *pnWork = anState[1] + anState[2] + anState[3];
  return rc;
}

/*
** The engine's error for a failed script ends "NAME failed: ... (line N)",
** N counted within the script.  Returns zErr with " at FILE:LINE" (the
** line in the file of DIR) appended, when NAME is one of DIR's files and
** the direction is known; else a copy of zErr.
*/
static char *cliLocate(Cli *p, const char *zCall, const char *zErr){
  int bDown, i;
  const char *zLine = strrchr(zErr, '(');
  int iLine = 0;
  if( strcmp(zCall, "migrate")==0 || strcmp(zCall, "migrate_dry_run")==0 ){
    bDown = 0;
  }else if( strcmp(zCall, "rollback")==0 || strcmp(zCall, "rollback_to")==0
         || strcmp(zCall, "migrate_reset")==0 ){
    bDown = 1;
  }else{
    return sqlite3_mprintf("%s", zErr);
  }
  if( zLine==0 || sscanf(zLine, "(line %d)", &iLine)!=1 || iLine<1 ){
    return sqlite3_mprintf("%s", zErr);
  }
  for(i=0; i<p->nScript; i++){
    const CliScript *pS = &p->aScript[i];
    char *zKey = sqlite3_mprintf(": %s failed: ", pS->zName);
    int bHit = zKey && strstr(zErr, zKey)!=0;
    sqlite3_free(zKey);
    if( bHit && (bDown ? pS->zDownFile!=0 : 1) ){
      return sqlite3_mprintf("%s at %s:%d", zErr,
                             bDown ? pS->zDownFile : pS->zFile,
                             (bDown ? pS->iDownLine : pS->iUpLine) + iLine-1);
    }
  }
  return sqlite3_mprintf("%s", zErr);
}

/* 1 when a script of DIR is a no-transaction one (first line marker). */
static int cliHasNoTxn(Cli *p){
  int i;
  size_t n = strlen(CLI_NOTXN)-1;
  for(i=0; i<p->nScript; i++){
    const CliScript *pS = &p->aScript[i];
    if( strncmp(pS->zUp, CLI_NOTXN, n)==0 ) return 1;
    if( pS->zDown && strncmp(pS->zDown, CLI_NOTXN, n)==0 ) return 1;
  }
  return 0;
}

/* Checks the N of `down N` (a non-negative decimal integer). */
static int cliIsCount(const char *z){
  int i;
  for(i=0; z[i]>='0' && z[i]<='9'; i++){}
  return i>0 && i<=18 && z[i]==0;
}

/*
** up, down, rollback-to, status, dry-run, reset, refresh, repair, load:
** sync DIR then (except for load and status) one migrate_run() call.
*/
static int cliRunCommand(Cli *p, const CliCmd *pCmd){
  const char *zCall = cliCallOf(p->zCmd);
  const char *zArg = p->nArg ? p->azArg[0] : 0;
  int bStatus = strcmp(p->zCmd, "status")==0;
  int bLook = bStatus || strcmp(p->zCmd, "dry-run")==0;  /* never keeps */
  int bTxn = 0;
  CliSync s;
  sqlite3_int64 t0 = cliNowMs();
  sqlite3_int64 nDone = 0;
  char *zErr = 0;
  int rc, nWork = 0;

  memset(&s, 0, sizeof(s));
  rc = p->bDirRead ? CLI_OK : cliReadDir(p);
  if( rc==CLI_OK ) rc = cliOpen(p, pCmd->eDb==2);
  if( rc==CLI_OK ) rc = cliSyncPlan(p, &s);
  if( rc==CLI_OK && (s.nDefine>0 || s.nRemove>0 || s.bHooks) ){
    /* something to sync: one transaction for the sync and the call */
    if( bLook && sqlite3_db_readonly(p->db, "main")==1 ){
      rc = cliMemCopy(p);
    }
    if( rc==CLI_OK ) rc = cliExec(p, "BEGIN IMMEDIATE");
    if( rc==CLI_OK ){
      bTxn = 1;
      cliSyncFree(&s);
      rc = cliSyncPlan(p, &s);    /* again, under the write lock */
    }
    if( rc==CLI_OK ) rc = cliSyncApply(p, &s);
    if( rc==CLI_OK && !bLook && zCall && cliHasNoTxn(p) ){
      /* the engine runs a no-transaction migration only in autocommit
      ** mode: the sync commits on its own first */
      rc = cliExec(p, "COMMIT");
      bTxn = 0;
    }
  }
  if( rc==CLI_OK && zCall ){
    p->pUpJson = sqlite3_str_new(0);
    p->pDownJson = sqlite3_str_new(0);
    sqlite3_str_appendchar(p->pUpJson, 1, '[');
    sqlite3_str_appendchar(p->pDownJson, 1, '[');
    if( migrate_run(p->db, zCall, zArg, cliProgress, p, &nDone, &zErr)
        !=SQLITE_OK ){
      char *zMsg = cliLocate(p, zCall, zErr ? zErr : sqlite3_errmsg(p->db));
      rc = cliError(p, "%s", zMsg ? zMsg : "out of memory");
      sqlite3_free(zMsg);
    }
    sqlite3_free(zErr);
    sqlite3_str_appendchar(p->pUpJson, 1, ']');
    sqlite3_str_appendchar(p->pDownJson, 1, ']');
  }
  if( rc==CLI_OK && bStatus ) rc = cliPrintStatus(p, &nWork);
  p->bIdle = bStatus ? nWork==0 : (zCall!=0 && nDone==0);
  if( bTxn && !sqlite3_get_autocommit(p->db) ){
    if( rc==CLI_OK && !bLook ){
      rc = cliExec(p, "COMMIT");
    }
    if( !sqlite3_get_autocommit(p->db) ){
      sqlite3_exec(p->db, "ROLLBACK", 0, 0, 0);
    }
  }

  if( rc==CLI_OK && !bStatus ){
    sqlite3_int64 ms = cliNowMs() - t0;
    sqlite3_int64 iBatch = p->nUp>0 && !bLook ? cliMaxBatch(p) : 0;
    if( p->bJson ){
      sqlite3_str *pOut = sqlite3_str_new(0);
      sqlite3_str_appendf(pOut, "{\"command\":\"%s\"", p->zCmd);
      if( zCall==0 ){
        sqlite3_str_appendf(pOut, ",\"added\":%s,\"replaced\":%s,"
            "\"removed\":%s,\"unchanged\":%d", s.zAdded, s.zReplaced,
            s.zRemoved, s.nSame);
      }else if( strcmp(zCall, "migrate_repair")==0 ){
        sqlite3_str_appendf(pOut, ",\"repaired\":%lld", nDone);
      }else if( strcmp(zCall, "migrate_baseline")==0 ){
        sqlite3_str_appendall(pOut, ",\"target\":");
        cliJsonString(pOut, zArg);
        sqlite3_str_appendf(pOut, ",\"count\":%lld", nDone);
      }else{
        const char *zUpKey = bLook ? "would_apply" : "applied";
        if( strcmp(zCall, "migrate")!=0 && !bLook ){
          sqlite3_str_appendf(pOut, ",\"reverted\":%s",
                              sqlite3_str_value(p->pDownJson));
        }
        if( strcmp(zCall, "migrate")==0 || strcmp(zCall, "migrate_refresh")==0
         || bLook ){
          sqlite3_str_appendf(pOut, ",\"%s\":%s", zUpKey,
                              sqlite3_str_value(p->pUpJson));
          if( !bLook ){
            if( iBatch ) sqlite3_str_appendf(pOut, ",\"batch\":%lld", iBatch);
            else sqlite3_str_appendall(pOut, ",\"batch\":null");
          }
        }
        sqlite3_str_appendf(pOut, ",\"count\":%lld", nDone);
      }
      sqlite3_str_appendf(pOut, ",\"ms\":%lld}", ms);
      rc = cliJsonPrint(p, pOut);
    }else if( zCall==0 ){
      printf("loaded %d migration%s from %s: %d added, %d replaced, "
             "%d removed, %d unchanged\n", p->nScript, cliPlural(p->nScript),
             p->zDir, s.nAdded, s.nDefine - s.nAdded, s.nRemove, s.nSame);
    }else if( strcmp(zCall, "migrate")==0 ){
      if( nDone ){
        printf("applied %lld migration%s in batch %lld (%lld ms)\n", nDone,
               cliPlural(nDone), iBatch, ms);
      }else{
        printf("nothing to migrate (%lld ms)\n", ms);
      }
    }else if( strcmp(zCall, "migrate_refresh")==0 ){
      printf("refreshed: reverted %d, applied %lld migration%s in batch %lld "
             "(%lld ms)\n", p->nDownDone, nDone, cliPlural(nDone), iBatch, ms);
    }else if( strcmp(zCall, "migrate_dry_run")==0 ){
      printf("dry run: %lld migration%s would apply; nothing was changed "
             "(%lld ms)\n", nDone, cliPlural(nDone), ms);
    }else if( strcmp(zCall, "migrate_baseline")==0 ){
      printf("baseline: recorded %lld migration%s as applied, up to %s; "
             "none was run (%lld ms)\n", nDone, cliPlural(nDone), zArg, ms);
    }else if( strcmp(zCall, "migrate_repair")==0 ){
      if( nDone ){
        printf("repaired %lld ledger row%s (%lld ms)\n", nDone,
               cliPlural(nDone), ms);
      }else{
        printf("nothing to repair (%lld ms)\n", ms);
      }
    }else{
      if( nDone ){
        printf("reverted %lld migration%s (%lld ms)\n", nDone,
               cliPlural(nDone), ms);
      }else{
        printf("nothing to revert (%lld ms)\n", ms);
      }
    }
  }
  if( p->pUpJson ) sqlite3_free(sqlite3_str_finish(p->pUpJson));
  if( p->pDownJson ) sqlite3_free(sqlite3_str_finish(p->pDownJson));
  p->pUpJson = p->pDownJson = 0;
  cliSyncFree(&s);
  if( rc==CLI_OK && bStatus && p->bCheck && nWork>0 ) rc = CLI_WORK;
  return rc;
}

/* version: prints migrate_version() (nothing when NULL). */
static int cliVersion(Cli *p){
  sqlite3_stmt *pStmt;
  int rc = cliOpen(p, 0);
  if( rc!=CLI_OK ) return rc;
  pStmt = cliPrepare(p, "SELECT migrate_version()");
  if( pStmt==0 ) return CLI_ERROR;
  if( sqlite3_step(pStmt)==SQLITE_ROW ){
    const char *z = (const char*)sqlite3_column_text(pStmt, 0);
    if( p->bJson ){
      sqlite3_str *pOut = sqlite3_str_new(0);
      sqlite3_str_appendall(pOut, "{\"version\":");
      cliJsonString(pOut, z);
      sqlite3_str_appendall(pOut, "}");
      rc = cliJsonPrint(p, pOut);
    }else if( z ){
      printf("%s\n", z);
    }
  }
  if( sqlite3_finalize(pStmt)!=SQLITE_OK ){
    rc = cliError(p, "%s", sqlite3_errmsg(p->db));
  }
  return rc;
}

/* ------------------------------------------------------------ sql, embed */

/* Writes z with every non-printable byte as '?' (for a comment line). */
static void cliPrintSafe(sqlite3_str *pStr, const char *z){
  char cPrev = 0;
  for(; *z; cPrev = *z, z++){
    char c = *z;
    if( (unsigned char)c<0x20 || (unsigned char)c>=0x7f ) c = '?';
    if( c=='/' && cPrev=='*' ) sqlite3_str_appendchar(pStr, 1, ' ');
    sqlite3_str_appendchar(pStr, 1, c);
  }
}

/*
** Appends z as an SQL literal: NULL, or a quoted string (quotes doubled).
** A CR byte is written as ||char(13)|| since the sqlite3 shell drops the
** CR of a CRLF line end when it reads a file, even inside a literal.
*/
static void cliSqlString(sqlite3_str *pStr, const char *z){
  const char *zCr;
  if( z==0 ){
    sqlite3_str_appendall(pStr, "NULL");
    return;
  }
  while( (zCr = strchr(z, '\r'))!=0 ){
    sqlite3_str_appendf(pStr, "'%.*q'||char(13)||", (int)(zCr-z), z);
    z = zCr+1;
  }
  sqlite3_str_appendf(pStr, "%Q", z);
}

/* sql: INSERT OR REPLACE statements for DIR. */
static int cliSql(Cli *p){
  sqlite3_str *pOut;
  int i, rc = cliReadDir(p);
  if( rc!=CLI_OK ) return rc;
  pOut = sqlite3_str_new(0);
  if( p->bJson ){
    sqlite3_str_appendchar(pOut, 1, '[');
    for(i=0; i<p->nScript; i++){
      sqlite3_str_appendall(pOut, i ? ",{\"name\":" : "{\"name\":");
      cliJsonString(pOut, p->aScript[i].zName);
      sqlite3_str_appendall(pOut, ",\"up\":");
      cliJsonString(pOut, p->aScript[i].zUp);
      sqlite3_str_appendall(pOut, ",\"down\":");
      cliJsonString(pOut, p->aScript[i].zDown);
      sqlite3_str_appendall(pOut, ",\"verify\":");
      cliJsonString(pOut, p->aScript[i].zVerify);
      sqlite3_str_appendf(pOut, ",\"repeatable\":%s",
                          p->aScript[i].bRepeatable ? "true" : "false");
      sqlite3_str_appendall(pOut, ",\"file\":");
      cliJsonString(pOut, p->aScript[i].zFile);
      sqlite3_str_appendchar(pOut, 1, '}');
    }
    sqlite3_str_appendchar(pOut, 1, ']');
    return cliJsonPrint(p, pOut);
  }
  sqlite3_str_appendall(pOut, "-- Generated by `sqlite-migrate sql` from ");
  cliPrintSafe(pOut, p->zDir);
  sqlite3_str_appendf(pOut, ": %d migration%s.\n"
      "-- Needs libmigrate loaded (sqlite3 shell: .load ./libmigrate).\n",
      p->nScript, cliPlural(p->nScript));
  if( p->nScript>0 || p->bHooksDir ){
    /* one transaction: one write to disk, not one per definition */
    sqlite3_str_appendall(pOut, "BEGIN;\n");
  }
  for(i=0; i<p->nScript; i++){
    const CliScript *pS = &p->aScript[i];
    int bMore = pS->zVerify!=0 || pS->bRepeatable;
    if( p->zTable ){
      sqlite3_str_appendf(pOut, "INSERT OR REPLACE INTO \"%w\"", p->zTable);
    }else{
      sqlite3_str_appendall(pOut, "INSERT OR REPLACE INTO migrations");
    }
    sqlite3_str_appendall(pOut, bMore ? "(name, up, down, verify, repeatable)"
                                      " VALUES(" : "(name, up, down) VALUES(");
    cliSqlString(pOut, pS->zName);
    sqlite3_str_appendall(pOut, ", ");
    cliSqlString(pOut, pS->zUp);
    sqlite3_str_appendall(pOut, ", ");
    cliSqlString(pOut, pS->zDown);
    if( bMore ){
      sqlite3_str_appendall(pOut, ", ");
      cliSqlString(pOut, pS->zVerify);
      sqlite3_str_appendf(pOut, ", %d", pS->bRepeatable);
    }
    sqlite3_str_appendall(pOut, ");\n");
  }
  if( p->bHooksDir ){
    sqlite3_str_appendall(pOut, "DELETE FROM migration_hooks;\n");
    for(i=0; i<CLI_NHOOK; i++){
      if( p->azHook[i]==0 ) continue;
      sqlite3_str_appendf(pOut, "INSERT INTO migration_hooks(event, script) "
                          "VALUES('%s', ", azCliHook[i]);
      cliSqlString(pOut, p->azHook[i]);
      sqlite3_str_appendall(pOut, ");\n");
    }
  }
  if( p->nScript>0 || p->bHooksDir ) sqlite3_str_appendall(pOut, "COMMIT;\n");
  if( sqlite3_str_errcode(pOut) ){
    sqlite3_free(sqlite3_str_finish(pOut));
    return cliError(p, "out of memory");
  }
  fputs(sqlite3_str_value(pOut) ? sqlite3_str_value(pOut) : "", stdout);
  sqlite3_free(sqlite3_str_finish(pOut));
  return CLI_OK;
}

/*
** Appends z as one or more adjacent C string literals, each line indented
** by zIndent, a new literal after every "\n" and every ~70 bytes.  Escapes
** \\ \" \n \t \r, other control bytes and bytes >= 0x7f as 3-digit octal
** (so no following digit can join), and the second '?' of "??" (trigraphs).
*/
static void cliCString(sqlite3_str *pStr, const char *z, const char *zIndent){
  const unsigned char *u = (const unsigned char*)z;
  int nLine = 0;
  if( z==0 ){
    sqlite3_str_appendall(pStr, "0");
    return;
  }
  sqlite3_str_appendchar(pStr, 1, '"');
  for(; *u; u++){
    if( nLine>=70 ){
      sqlite3_str_appendf(pStr, "\"\n%s\"", zIndent);
      nLine = 0;
    }
    switch( *u ){
      case '\\': sqlite3_str_appendall(pStr, "\\\\"); nLine += 2; break;
      case '"':  sqlite3_str_appendall(pStr, "\\\""); nLine += 2; break;
      case '\t': sqlite3_str_appendall(pStr, "\\t"); nLine += 2; break;
      case '\r': sqlite3_str_appendall(pStr, "\\r"); nLine += 2; break;
      case '\n':
        sqlite3_str_appendall(pStr, "\\n");
        if( u[1] ){
          sqlite3_str_appendf(pStr, "\"\n%s\"", zIndent);
          nLine = 0;
        }
        break;
      case '?':
        if( u>(const unsigned char*)z && u[-1]=='?' && nLine>0 ){
          sqlite3_str_appendall(pStr, "\\?"); nLine += 2;
        }else{
          sqlite3_str_appendchar(pStr, 1, '?'); nLine++;
        }
        break;
      default:
        if( *u<0x20 || *u>=0x7f ){
          sqlite3_str_appendf(pStr, "\\%03o", *u); nLine += 4;
        }else{
          sqlite3_str_appendchar(pStr, 1, (char)*u); nLine++;
        }
    }
  }
  sqlite3_str_appendchar(pStr, 1, '"');
}

/* embed: a C file holding DIR's scripts as a migrate_script array. */
static int cliEmbed(Cli *p){
  const char *zSym = p->zSymbol ? p->zSymbol : "migrate_scripts";
  char *zCount;
  sqlite3_str *pOut;
  int i, rc = cliReadDir(p);
  if( rc!=CLI_OK ) return rc;
  /* migrate_script (migrate.h) holds name, up and down only */
  for(i=0; i<p->nScript; i++){
    const CliScript *pS = &p->aScript[i];
    if( pS->zVerify || pS->bRepeatable ){
      return cliError(p, "embed: %s %s, which the firmware API's "
                      "migrate_script (name, up, down) cannot hold; use "
                      "`sql` or the `migrations` table for it", pS->zFile,
                      pS->bRepeatable ? "is a repeatable migration"
                                      : "has a verify query");
    }
  }
  if( p->bHooksDir ){
    return cliError(p, "embed: %s/hooks holds hooks, which the firmware "
                    "API's migrate_script cannot hold; define them with "
                    "INSERT INTO migration_hooks at boot", p->zDir);
  }
  zCount = p->zSymbol ? sqlite3_mprintf("%s_count", zSym)
                      : sqlite3_mprintf("migrate_script_count");
  pOut = sqlite3_str_new(0);
  sqlite3_str_appendall(pOut, "/* Generated by `sqlite-migrate embed` from ");
  cliPrintSafe(pOut, p->zDir);
  sqlite3_str_appendall(pOut, ": do not edit. */\n#include \"migrate.h\"\n");
  if( p->nScript==0 ){
    sqlite3_str_appendf(pOut, "const migrate_script %s[1] = { { 0, 0, 0 } };"
                        "   /* no migrations */\n", zSym);
  }else{
    sqlite3_str_appendf(pOut, "const migrate_script %s[] = {\n", zSym);
  }
  for(i=0; i<p->nScript; i++){
    const CliScript *pS = &p->aScript[i];
    sqlite3_str_appendall(pOut, "  { ");
    cliCString(pOut, pS->zName, "    ");
    sqlite3_str_appendall(pOut, ",\n    ");
    cliCString(pOut, pS->zUp, "    ");
    sqlite3_str_appendall(pOut, ",\n    ");
    cliCString(pOut, pS->zDown, "    ");
    sqlite3_str_appendall(pOut, pS->zDown ? " },\n"
                                          : " },   /* irreversible: NULL down */\n");
  }
  if( p->nScript ) sqlite3_str_appendall(pOut, "};\n");
  sqlite3_str_appendf(pOut, "const int %s = %d;\n", zCount, p->nScript);
  sqlite3_free(zCount);
  if( sqlite3_str_errcode(pOut) ){
    sqlite3_free(sqlite3_str_finish(pOut));
    return cliError(p, "out of memory");
  }
  if( p->bJson ){
    sqlite3_str *pJ = sqlite3_str_new(0);
    sqlite3_str_appendall(pJ, "{\"symbol\":");
    cliJsonString(pJ, zSym);
    sqlite3_str_appendf(pJ, ",\"count\":%d,\"source\":", p->nScript);
    cliJsonString(pJ, sqlite3_str_value(pOut));
    sqlite3_str_appendchar(pJ, 1, '}');
    rc = cliJsonPrint(p, pJ);
  }else{
    fputs(sqlite3_str_value(pOut), stdout);
  }
  sqlite3_free(sqlite3_str_finish(pOut));
  return rc;
}

/* ------------------------------------------------------------ new, diff */

/* 1 when zName may be part of a file name: letters, digits, '_', '-'. */
static int cliIsFileWord(const char *zName){
  int i;
  for(i=0; zName[i]; i++){
    char c = zName[i];
    if( !((c>='a' && c<='z') || (c>='A' && c<='Z') || (c>='0' && c<='9')
          || c=='_' || c=='-') ) return 0;
  }
  return i>0 && i<=200;
}

/*
** Creates DIR (if missing) and DIR/<UTC yyyymmddHHMMSS>_NAME.sql holding
** zText; never overwrites.  *pzPath receives the path.
*/
static int cliWriteNew(Cli *p, const char *zName, const char *zText,
                       char **pzPath){
  time_t now = time(0);
  struct tm tm;
  char zStamp[32];
  char *zPath;
  int fd;
  size_t n = strlen(zText);
  *pzPath = 0;
  gmtime_r(&now, &tm);
  strftime(zStamp, sizeof(zStamp), "%Y%m%d%H%M%S", &tm);
  if( mkdir(p->zDir, 0777)!=0 && errno!=EEXIST ){
    return cliError(p, "cannot create the folder %s: %s", p->zDir,
                    strerror(errno));
  }
  zPath = sqlite3_mprintf("%s/%s_%s.sql", p->zDir, zStamp, zName);
  if( zPath==0 ) return cliError(p, "out of memory");
  fd = open(zPath, O_WRONLY|O_CREAT|O_EXCL, 0666);
  if( fd<0 ){
    int rc = cliError(p, "cannot create %s: %s", zPath, strerror(errno));
    sqlite3_free(zPath);
    return rc;
  }
  if( write(fd, zText, n)!=(ssize_t)n || close(fd)!=0 ){
    int rc = cliError(p, "cannot write %s: %s", zPath, strerror(errno));
    unlink(zPath);
    sqlite3_free(zPath);
    return rc;
  }
  *pzPath = zPath;
  return CLI_OK;
}

/* Prints the path of a new file (or {"path":...}). */
static int cliPrintPath(Cli *p, const char *zPath){
  if( p->bJson ){
    sqlite3_str *pOut = sqlite3_str_new(0);
    sqlite3_str_appendall(pOut, "{\"path\":");
    cliJsonString(pOut, zPath);
    sqlite3_str_appendchar(pOut, 1, '}');
    return cliJsonPrint(p, pOut);
  }
  printf("%s\n", zPath);
  return CLI_OK;
}

/* new NAME: an empty dbmate-style file, path printed. */
static int cliNew(Cli *p){
  char *zPath = 0;
  int rc;
  if( !cliIsFileWord(p->azArg[0]) ){
    return cliUsageError(p, "new: NAME may hold only letters, digits, '_' and "
                         "'-' (got '%s')", p->azArg[0]);
  }
  rc = cliWriteNew(p, p->azArg[0], "-- migrate:up\n\n\n-- migrate:down\n\n",
                   &zPath);
  if( rc==CLI_OK ) rc = cliPrintPath(p, zPath);
  sqlite3_free(zPath);
  return rc;
}

/*
** Computes migration_diff(schema of zFile [, 'down']) into *pzOut
** (sqlite3_malloc'ed, NULL when the function returns NULL).
*/
static int cliDiffText(Cli *p, const char *zFile, int bDown, char **pzOut){
  char *zSchema = 0;
  char *zErr = cliReadFile(zFile, &zSchema);
  sqlite3_stmt *pStmt = 0;
  int rc = CLI_OK;
  *pzOut = 0;
  if( zErr ){
    rc = cliError(p, "%s", zErr);
    sqlite3_free(zErr);
    return rc;
  }
  if( sqlite3_prepare_v2(p->db, bDown ? "SELECT migration_diff(?1, 'down')"
                                      : "SELECT migration_diff(?1)",
                         -1, &pStmt, 0)!=SQLITE_OK ){
    const char *zMsg = sqlite3_errmsg(p->db);
    if( strstr(zMsg, "no such function") ){
      rc = cliError(p, "%s: this build of libmigrate has no schema diff "
                    "(migration_diff() is built from ext/diff.c)", p->zCmd);
    }else{
      rc = cliError(p, "%s", zMsg);
    }
    sqlite3_free(zSchema);
    return rc;
  }
  sqlite3_bind_text(pStmt, 1, zSchema, -1, SQLITE_STATIC);
  if( sqlite3_step(pStmt)==SQLITE_ROW
   && sqlite3_column_type(pStmt, 0)!=SQLITE_NULL ){
    *pzOut = sqlite3_mprintf("%s", (const char*)sqlite3_column_text(pStmt, 0));
    if( *pzOut==0 ) rc = cliError(p, "out of memory");
  }
  if( sqlite3_finalize(pStmt)!=SQLITE_OK ){
    rc = cliError(p, "%s: %s", zFile, sqlite3_errmsg(p->db));
    sqlite3_free(*pzOut);
    *pzOut = 0;
  }
  sqlite3_free(zSchema);
  return rc;
}

/* diff SCHEMA.sql [--down]: prints migration_diff(). */
static int cliDiff(Cli *p){
  char *zOut = 0;
  int rc = cliOpen(p, 0);
  if( rc==CLI_OK ) rc = cliDiffText(p, p->azArg[0], p->bDown, &zOut);
  if( rc==CLI_OK ){
    if( p->bJson ){
      sqlite3_str *pOut = sqlite3_str_new(0);
      sqlite3_str_appendall(pOut, "{\"sql\":");
      cliJsonString(pOut, zOut);
      sqlite3_str_appendchar(pOut, 1, '}');
      rc = cliJsonPrint(p, pOut);
    }else if( zOut && zOut[0] ){
      size_t n = strlen(zOut);
      printf("%s%s", zOut, zOut[n-1]=='\n' ? "" : "\n");
    }
  }
  sqlite3_free(zOut);
  return rc;
}

/*
** generate NAME SCHEMA.sql: a new dbmate-style file from migration_diff(),
** or "nothing differs" and no file.
*/
static int cliGenerate(Cli *p){
  char *zUp = 0, *zDown = 0, *zPath = 0;
  int rc;
  if( !cliIsFileWord(p->azArg[0]) ){
    return cliUsageError(p, "generate: NAME may hold only letters, digits, "
                         "'_' and '-' (got '%s')", p->azArg[0]);
  }
  rc = cliOpen(p, 0);
  if( rc==CLI_OK ) rc = cliDiffText(p, p->azArg[1], 0, &zUp);
  if( rc==CLI_OK ) rc = cliDiffText(p, p->azArg[1], 1, &zDown);
  if( rc==CLI_OK ){
    if( zUp==0 || zUp[cliSkipSpace(zUp, strlen(zUp))]==0 ){
      if( p->bJson ){
        printf("{\"path\":null,\"message\":\"nothing differs\"}\n");
      }else{
        printf("nothing differs: the database already matches %s; no file "
               "written\n", p->azArg[1]);
      }
    }else{
      size_t nU = strlen(zUp), nD = zDown ? strlen(zDown) : 0;
      char *zText = sqlite3_mprintf("-- migrate:up\n%s%s\n-- migrate:down\n"
                                    "%s%s", zUp,
                                    zUp[nU-1]=='\n' ? "" : "\n",
                                    zDown ? zDown : "",
                                    nD && zDown[nD-1]!='\n' ? "\n" : "");
      if( zText==0 ) rc = cliError(p, "out of memory");
      else rc = cliWriteNew(p, p->azArg[0], zText, &zPath);
      sqlite3_free(zText);
      if( rc==CLI_OK ) rc = cliPrintPath(p, zPath);
    }
  }
  sqlite3_free(zUp);
  sqlite3_free(zDown);
  sqlite3_free(zPath);
  return rc;
}

/* ------------------------------------------------------------ import */

/*
** import --from TOOL DIR: adopts another migration tool's files and
** ledger.  The files of DIR in that tool's format become migrations (names
** keep the tool's version prefix, so natural order is the tool's order;
** sqitch changes get their plan position as a prefix: 001_NAME), and the
** ones that tool's ledger says are applied are recorded as applied without
** running them, in one transaction.  Afterwards `up` / migrate() applies
** only what the tool had not.
*/

/* The tools import knows, for usage checks and messages. */
static int cliIsImportTool(const char *z){
  return strcmp(z, "dbmate")==0 || strcmp(z, "golang-migrate")==0
      || strcmp(z, "goose")==0 || strcmp(z, "sqitch")==0;
}

/*
** The version of a migration name: its leading digits without leading
** zeros ("0" when they are all zeros); "" when it has none.  Written into
** zOut (at least 32 bytes); digit runs longer than 30 give "".
*/
static void cliVersionOf(const char *zName, char *zOut){
  int i = 0, n;
  while( zName[i]=='0' && zName[i+1]>='0' && zName[i+1]<='9' ) i++;
  for(n=0; zName[i+n]>='0' && zName[i+n]<='9'; n++){}
  if( n>30 ) n = 0;
  memcpy(zOut, &zName[i], n);
  zOut[n] = 0;
}

/* Compares two versions as cliVersionOf() writes them, numerically. */
static int cliVersionCmp(const char *a, const char *b){
  size_t na = strlen(a), nb = strlen(b);
  if( na!=nb ) return na<nb ? -1 : 1;
  return strcmp(a, b);
}

/*
** Removes the lines that are just "BEGIN;", "BEGIN TRANSACTION;",
** "COMMIT;" or "END;" (any case, spaces around) from z, in place: sqitch's
** SQLite scripts wrap themselves in a transaction, the engine runs each
** migration inside its own.
*/
static void cliStripTxnLines(char *z){
  char *zIn = z, *zOut = z;
  while( *zIn ){
    char *zEnd = strchr(zIn, '\n');
    size_t n = zEnd ? (size_t)(zEnd-zIn)+1 : strlen(zIn);
    char zWord[24];
    size_t i = 0, k = 0;
    while( i<n && (zIn[i]==' ' || zIn[i]=='\t') ) i++;
    while( i<n && k<sizeof(zWord)-1 && zIn[i]!='\n' && zIn[i]!='\r' ){
      char c = zIn[i++];
      if( c>='a' && c<='z' ) c -= 32;
      zWord[k++] = c;
    }
    while( k>0 && (zWord[k-1]==' ' || zWord[k-1]=='\t') ) k--;
    zWord[k] = 0;
    if( strcmp(zWord, "BEGIN;")!=0 && strcmp(zWord, "BEGIN TRANSACTION;")!=0
     && strcmp(zWord, "COMMIT;")!=0 && strcmp(zWord, "END;")!=0 ){
      memmove(zOut, zIn, n);
      zOut += n;
    }
    zIn += n;
  }
  *zOut = 0;
}

/* Appends a new, zeroed CliScript to p->aScript; returns it or NULL. */
static CliScript *cliAddScript(Cli *p){
  CliScript *aNew = sqlite3_realloc64(p->aScript,
                       sizeof(CliScript)*(sqlite3_uint64)(p->nScript+1));
  if( aNew==0 ) return 0;
  p->aScript = aNew;
  memset(&aNew[p->nScript], 0, sizeof(CliScript));
  return &aNew[p->nScript++];
}

/*
** Splits a goose SQL file: `-- +goose Up` and `-- +goose Down` sections
** (StatementBegin/End lines stay, as the comments they are), and
** `-- +goose NO TRANSACTION` which becomes the engine's no-transaction
** first line.  An absent Down section is '' (goose: nothing to undo).
*/
static char *cliSplitGoose(const char *zPath, const char *z, CliScript *pS){
  size_t n = strlen(z), i = 0;
  size_t iUp = 0, iUpEnd = 0, iDown = 0;
  int bUp = 0, bDown = 0, bNoTxn = 0, line = 1, lineUp = 0, lineDown = 0;
  while( i<n ){
    size_t e = i, j = i+2;
    while( e<n && z[e]!='\n' ) e++;
    if( e-i>=2 && z[i]=='-' && z[i+1]=='-' ){
      while( j<e && (z[j]==' ' || z[j]=='\t') ) j++;
      if( e-j>=6 && memcmp(&z[j], "+goose", 6)==0 ){
        const char *zW = &z[j+6];
        int nW;
        while( *zW==' ' || *zW=='\t' ) zW++;
        for(nW=0; &zW[nW]<&z[e] && zW[nW]!='\r'; nW++){}
        while( nW>0 && (zW[nW-1]==' ' || zW[nW-1]=='\t') ) nW--;
        if( nW==2 && memcmp(zW, "Up", 2)==0 ){
          if( bUp++ ) return sqlite3_mprintf("%s: a second '-- +goose Up' "
                                             "(line %d)", zPath, line);
          iUp = e<n ? e+1 : n; lineUp = line;
        }else if( nW==4 && memcmp(zW, "Down", 4)==0 ){
          if( bDown++ ) return sqlite3_mprintf("%s: a second '-- +goose "
                                               "Down' (line %d)", zPath, line);
          if( !bUp ) return sqlite3_mprintf("%s: '-- +goose Down' (line %d) "
                                            "comes before '-- +goose Up'",
                                            zPath, line);
          iUpEnd = i; iDown = e<n ? e+1 : n; lineDown = line;
        }else if( nW==14 && memcmp(zW, "NO TRANSACTION", 14)==0 ){
          bNoTxn = 1;
        }
      }
    }
    i = e<n ? e+1 : n;
    line++;
  }
  if( !bUp ){
    return sqlite3_mprintf("%s: no '-- +goose Up' annotation: not a goose "
                           "SQL migration", zPath);
  }
  if( !bDown ) iUpEnd = n;
  pS->zUp = sqlite3_mprintf("%s%.*s", bNoTxn ? CLI_NOTXN : "",
                            (int)(iUpEnd-iUp), &z[iUp]);
  pS->zDown = sqlite3_mprintf("%s%s", bNoTxn && bDown ? CLI_NOTXN : "",
                              bDown ? &z[iDown] : "");
  pS->iUpLine = lineUp+1 - bNoTxn;
  pS->iDownLine = lineDown+1 - (bNoTxn && bDown);
  if( pS->zUp==0 || pS->zDown==0 ) return sqlite3_mprintf("out of memory");
  return 0;
}

/* Reads DIR's goose files NNN_name.sql into p->aScript. */
static char *cliReadGoose(Cli *p){
  DIR *pDir = opendir(p->zDir);
  struct dirent *pEnt;
  char *zErr = 0;
  if( pDir==0 ){
    return sqlite3_mprintf("cannot read the migrations folder %s: %s",
                           p->zDir, strerror(errno));
  }
  while( zErr==0 && (pEnt = readdir(pDir))!=0 ){
    const char *zF = pEnt->d_name;
    CliScript *pS;
    char *zText = 0;
    char zV[32];
    if( zF[0]=='.' || !cliEndsWith(zF, ".sql") ) continue;
    cliVersionOf(zF, zV);
    if( zV[0]==0 ){
      zErr = sqlite3_mprintf("%s/%s: a goose migration's name starts with "
                             "its version number", p->zDir, zF);
      break;
    }
    pS = cliAddScript(p);
    if( pS==0 ){ zErr = sqlite3_mprintf("out of memory"); break; }
    pS->zName = sqlite3_mprintf("%.*s", (int)strlen(zF)-4, zF);
    pS->zFile = sqlite3_mprintf("%s/%s", p->zDir, zF);
    pS->zDownFile = sqlite3_mprintf("%s/%s", p->zDir, zF);
    if( pS->zName==0 || pS->zFile==0 || pS->zDownFile==0 ){
      zErr = sqlite3_mprintf("out of memory");
      break;
    }
    zErr = cliReadFile(pS->zFile, &zText);
    if( zErr==0 ) zErr = cliSplitGoose(pS->zFile, zText, pS);
    sqlite3_free(zText);
  }
  closedir(pDir);
  return zErr;
}

/*
** Reads a sqitch project: DIR/sqitch.plan lists the changes in order;
** deploy/NAME.sql is the up script, revert/NAME.sql the down one (absent:
** irreversible).  The migration of the Nth change is "NNN_NAME" (N from 1,
** 3 digits at least).  Lines that only begin or commit a transaction are
** dropped from the scripts.  *pzProject receives the plan's %project.
*/
static char *cliReadSqitch(Cli *p, char **pzProject){
  char *zPlan = sqlite3_mprintf("%s/sqitch.plan", p->zDir);
  char *zText = 0, *zErr, *z;
  int line = 0, nChange = 0;
  if( zPlan==0 ) return sqlite3_mprintf("out of memory");
  zErr = cliReadFile(zPlan, &zText);
  for(z=zText; zErr==0 && z && *z; ){
    char *zEnd = strchr(z, '\n');
    char *zLine = z;
    size_t n;
    line++;
    if( zEnd ){ *zEnd = 0; z = zEnd+1; }else{ z += strlen(z); }
    while( *zLine==' ' || *zLine=='\t' ) zLine++;
    n = strlen(zLine);
    while( n>0 && (zLine[n-1]=='\r' || zLine[n-1]==' ') ) zLine[--n] = 0;
    if( strncmp(zLine, "%project=", 9)==0 ){
      sqlite3_free(*pzProject);
      *pzProject = sqlite3_mprintf("%s", zLine+9);
      continue;
    }
    if( n==0 || zLine[0]=='#' || zLine[0]=='%' || zLine[0]=='@' ) continue;
    {
      size_t nName = strcspn(zLine, " \t[");
      CliScript *pS;
      char *zChange = sqlite3_mprintf("%.*s", (int)nName, zLine);
      int i;
      if( zChange==0 ){ zErr = sqlite3_mprintf("out of memory"); break; }
      for(i=0; i<p->nScript; i++){
        if( strcmp(strchr(p->aScript[i].zName, '_')+1, zChange)==0 ) break;
      }
      if( i<p->nScript ){
        zErr = sqlite3_mprintf("%s:%d: change %s is reworked (planned "
                               "twice); import does not support reworked "
                               "sqitch changes", zPlan, line, zChange);
        sqlite3_free(zChange);
        break;
      }
      pS = cliAddScript(p);
      if( pS==0 ){ sqlite3_free(zChange); zErr = sqlite3_mprintf("out of memory"); break; }
      nChange++;
      pS->zName = sqlite3_mprintf("%03d_%s", nChange, zChange);
      pS->zFile = sqlite3_mprintf("%s/deploy/%s.sql", p->zDir, zChange);
      pS->zDownFile = sqlite3_mprintf("%s/revert/%s.sql", p->zDir, zChange);
      sqlite3_free(zChange);
      if( pS->zName==0 || pS->zFile==0 || pS->zDownFile==0 ){
        zErr = sqlite3_mprintf("out of memory");
        break;
      }
      pS->iUpLine = pS->iDownLine = 1;
      zErr = cliReadFile(pS->zFile, &pS->zUp);
      if( zErr==0 ){
        struct stat st;
        if( stat(pS->zDownFile, &st)==0 ){
          zErr = cliReadFile(pS->zDownFile, &pS->zDown);
        }
      }
      if( zErr==0 ){
        cliStripTxnLines(pS->zUp);
        if( pS->zDown ) cliStripTxnLines(pS->zDown);
      }
    }
  }
  sqlite3_free(zText);
  sqlite3_free(zPlan);
  return zErr;
}

/* Index of the script whose version (leading digits) is zV, or -1. */
static int cliFindVersion(Cli *p, const char *zV){
  int i;
  char zMine[32];
  for(i=0; i<p->nScript; i++){
    cliVersionOf(p->aScript[i].zName, zMine);
    if( zMine[0] && cliVersionCmp(zMine, zV)==0 ) return i;
  }
  return -1;
}

/* 1 when the table zTab exists in schema zDb ("main" or an attachment). */
static int cliHasTable(Cli *p, const char *zDb, const char *zTab){
  char *zSql = sqlite3_mprintf("SELECT 1 FROM \"%w\".sqlite_schema "
                               "WHERE type='table' AND name=?1", zDb);
  sqlite3_stmt *pStmt = 0;
  int bHas = 0;
  if( zSql && sqlite3_prepare_v2(p->db, zSql, -1, &pStmt, 0)==SQLITE_OK ){
    sqlite3_bind_text(pStmt, 1, zTab, -1, SQLITE_STATIC);
    bHas = sqlite3_step(pStmt)==SQLITE_ROW;
  }
  sqlite3_finalize(pStmt);
  sqlite3_free(zSql);
  return bHas;
}

/*
** Reads the tool's ledger and marks aApplied[i] for every script that
** tool applied.  Returns 0 or an error message.
*/
static char *cliReadLedger(Cli *p, const char *zProject, unsigned char *aApplied){
  const char *zTool = p->zFrom;
  sqlite3_stmt *pStmt = 0;
  char *zErr = 0;
  const char *zTab = strcmp(zTool, "goose")==0 ? "goose_db_version"
                   : strcmp(zTool, "sqitch")==0 ? "changes"
                   : "schema_migrations";
  const char *zDb = strcmp(zTool, "sqitch")==0 ? "cli_sqitch" : "main";
  const char *zSql;
  if( !cliHasTable(p, zDb, zTab) ){
    if( strcmp(zTool, "sqitch")==0 ){
      return sqlite3_mprintf("import: the sqitch registry %s has no table "
                             "`changes`: not a sqitch registry", p->zRegistry);
    }
    return sqlite3_mprintf("import: the database %s has no %s ledger (no "
                           "table `%s`)", p->zDb, zTool, zTab);
  }
  if( strcmp(zTool, "dbmate")==0 ){
    zSql = "SELECT CAST(version AS TEXT) FROM main.schema_migrations";
  }else if( strcmp(zTool, "golang-migrate")==0 ){
    zSql = "SELECT CAST(version AS TEXT), dirty FROM main.schema_migrations";
  }else if( strcmp(zTool, "goose")==0 ){
    /* the latest row of each version decides; version 0 is goose's own */
    zSql = "SELECT CAST(version_id AS TEXT) FROM main.goose_db_version AS g"
           " WHERE version_id<>0 AND is_applied"
           "   AND id=(SELECT max(id) FROM main.goose_db_version"
           "            WHERE version_id=g.version_id)";
  }else{
    zSql = "SELECT change FROM cli_sqitch.changes WHERE project=?1";
  }
  if( sqlite3_prepare_v2(p->db, zSql, -1, &pStmt, 0)!=SQLITE_OK ){
    return sqlite3_mprintf("import: cannot read the %s ledger: %s", zTool,
                           sqlite3_errmsg(p->db));
  }
  if( zProject ) sqlite3_bind_text(pStmt, 1, zProject, -1, SQLITE_STATIC);
  while( zErr==0 && sqlite3_step(pStmt)==SQLITE_ROW ){
    const char *zVal = (const char*)sqlite3_column_text(pStmt, 0);
    char zV[32];
    int i;
    if( zVal==0 ) continue;
    if( strcmp(zTool, "sqitch")==0 ){
      for(i=0; i<p->nScript; i++){
        if( strcmp(strchr(p->aScript[i].zName, '_')+1, zVal)==0 ) break;
      }
      if( i>=p->nScript ){
        zErr = sqlite3_mprintf("import: the sqitch registry records change "
                               "%s as deployed, but %s/sqitch.plan does not "
                               "plan it", zVal, p->zDir);
      }else{
        aApplied[i] = 1;
      }
      continue;
    }
    cliVersionOf(zVal, zV);
    i = zV[0] ? cliFindVersion(p, zV) : -1;
    if( strcmp(zTool, "golang-migrate")==0 && sqlite3_column_int(pStmt, 1) ){
      zErr = sqlite3_mprintf("import: the golang-migrate ledger is dirty at "
                             "version %s (a migration failed half-way); fix "
                             "the database and run `migrate force VERSION` "
                             "first", zVal);
    }else if( i<0 ){
      zErr = sqlite3_mprintf("import: the %s ledger records version %s as "
                             "applied, but %s has no migration file for it",
                             zTool, zVal, p->zDir);
    }else if( strcmp(zTool, "golang-migrate")==0 ){
      /* one row: the current version; everything up to it is applied */
      int k;
      for(k=0; k<p->nScript; k++){
        char zK[32];
        cliVersionOf(p->aScript[k].zName, zK);
        if( zK[0] && cliVersionCmp(zK, zV)<=0 ) aApplied[k] = 1;
      }
    }else{
      aApplied[i] = 1;
    }
  }
  if( sqlite3_finalize(pStmt)!=SQLITE_OK && zErr==0 ){
    zErr = sqlite3_mprintf("import: cannot read the %s ledger: %s", zTool,
                           sqlite3_errmsg(p->db));
  }
  return zErr;
}

/*
** STOP-GAP (until the engine can "record exactly these names as applied"):
** records the migration zName as applied without running it, exactly as
** migrate_baseline() records one (ext/store.c migrateRecordBaseline):
** ledger row in batch 0 with the checksum, repeatable flag and down script
** of its definition, duration 0, changes NULL; history row 'baseline'.
** Used only when the imported applied set is not a prefix of the
** migrations (a tool that allows gaps), inside import's transaction.
*/
static int cliImportRecord(Cli *p, const char *zName){
  char *zErr = 0;
  sqlite3_int64 n = 0;
  /* the engine's migrate_mark(): batch 0, history 'baseline', no script
  ** run; joins the import's transaction as a savepoint */
  if( migrate_run(p->db, "migrate_mark", zName, 0, 0, &n, &zErr)!=SQLITE_OK ){
    int rc = cliError(p, "import: recording %s: %s", zName,
                      zErr ? zErr : sqlite3_errmsg(p->db));
    sqlite3_free(zErr);
    return rc;
  }
  return CLI_OK;
}

/* import --from TOOL DIR. */
static int cliImport(Cli *p){
  char *zErr = 0, *zProject = 0;
  unsigned char *aApplied = 0;
  CliSync s;
  int i, rc = CLI_OK, nApplied = 0, iLast = -1, bPrefix = 1, bAttached = 0;
  sqlite3_int64 t0 = cliNowMs();

  memset(&s, 0, sizeof(s));
  p->zDir = p->azArg[0];
  if( strcmp(p->zFrom, "dbmate")==0 || strcmp(p->zFrom, "golang-migrate")==0 ){
    rc = cliReadDir(p);
    if( rc!=CLI_OK ) return rc;
    for(i=0; i<p->nScript; i++){
      char zV[32];
      cliVersionOf(p->aScript[i].zName, zV);
      if( zV[0]==0 ){
        return cliError(p, "%s: a %s migration's name starts with its "
                        "version number", p->aScript[i].zFile, p->zFrom);
      }
    }
  }else{
    zErr = strcmp(p->zFrom, "goose")==0 ? cliReadGoose(p)
                                        : cliReadSqitch(p, &zProject);
    if( zErr==0 && p->nScript>1 ){
      qsort(p->aScript, p->nScript, sizeof(CliScript), cliScriptCmp);
    }
  }
  if( zErr==0 && p->nScript==0 ){
    zErr = sqlite3_mprintf("import: %s holds no %s migrations", p->zDir,
                           p->zFrom);
  }
  if( zErr==0 && strcmp(p->zFrom, "sqitch")==0 && zProject==0 ){
    zErr = sqlite3_mprintf("import: %s/sqitch.plan has no %%project line",
                           p->zDir);
  }
  for(i=0; i<p->nScript; i++){
    int n = (int)strlen(p->aScript[i].zName);
    if( n>p->nWidth ) p->nWidth = n;
  }
  aApplied = sqlite3_malloc(p->nScript+1);
  if( zErr==0 && aApplied==0 ) zErr = sqlite3_mprintf("out of memory");
  if( zErr ) goto import_done;
  memset(aApplied, 0, p->nScript+1);

  {
    struct stat st;
    if( strncmp(p->zDb, "file:", 5)!=0 && stat(p->zDb, &st)!=0 ){
      zErr = sqlite3_mprintf("import: the database %s does not exist",
                             p->zDb);
      goto import_done;
    }
  }
  rc = cliOpen(p, 0);
  if( rc!=CLI_OK ) goto import_done;
  if( strcmp(p->zFrom, "sqitch")==0 ){
    struct stat st;
    sqlite3_stmt *pStmt;
    char *zDefault = 0;
    if( p->zRegistry==0 ){
      /* sqitch keeps an SQLite target's registry in sqitch.db next to it */
      const char *zSlash = strrchr(p->zDb, '/');
      zDefault = zSlash ? sqlite3_mprintf("%.*s/sqitch.db",
                                          (int)(zSlash-p->zDb), p->zDb)
                        : sqlite3_mprintf("sqitch.db");
      p->zRegistry = zDefault;
    }
    if( p->zRegistry==0 || stat(p->zRegistry, &st)!=0 ){
      zErr = sqlite3_mprintf("import: no sqitch registry %s (sqitch keeps "
                             "it next to the database; give --registry "
                             "FILE)", p->zRegistry ? p->zRegistry : "");
    }else if( (pStmt = cliPrepare(p, "ATTACH ?1 AS cli_sqitch"))!=0 ){
      char *zUri = sqlite3_mprintf("file:%s?mode=ro", p->zRegistry);
      sqlite3_bind_text(pStmt, 1, zUri, -1, sqlite3_free);
      sqlite3_step(pStmt);
      if( sqlite3_finalize(pStmt)!=SQLITE_OK ){
        zErr = sqlite3_mprintf("import: cannot open the sqitch registry %s: "
                               "%s", p->zRegistry, sqlite3_errmsg(p->db));
      }else{
        bAttached = 1;
      }
    }else{
      rc = CLI_ERROR;
    }
    if( zErr==0 && rc==CLI_OK ) zErr = cliReadLedger(p, zProject, aApplied);
    if( bAttached ) sqlite3_exec(p->db, "DETACH cli_sqitch", 0, 0, 0);
    p->zRegistry = 0;
    sqlite3_free(zDefault);
    if( zErr || rc!=CLI_OK ) goto import_done;
  }
  if( sqlite3_db_readonly(p->db, "main")!=0 ){
    zErr = sqlite3_mprintf("import: cannot write the database %s",
                           p->zDb);
    goto import_done;
  }
  rc = cliExec(p, "BEGIN IMMEDIATE");
  if( rc!=CLI_OK ) goto import_done;
  if( strcmp(p->zFrom, "sqitch")!=0 ){
    zErr = cliReadLedger(p, 0, aApplied);
    if( zErr ) goto import_done;
  }
  if( cliHasTable(p, "main", "migrations_ledger") ){
    sqlite3_stmt *pStmt = cliPrepare(p, "SELECT name FROM "
                                        "main.migrations_ledger LIMIT 1");
    if( pStmt && sqlite3_step(pStmt)==SQLITE_ROW ){
      zErr = sqlite3_mprintf("import: the database already has applied "
                             "libmigrate migrations (%s): import adopts "
                             "another tool's ledger only into a database "
                             "libmigrate has not migrated yet",
                             sqlite3_column_text(pStmt, 0));
    }
    sqlite3_finalize(pStmt);
    if( zErr ) goto import_done;
  }
  for(i=0; i<p->nScript; i++){
    if( aApplied[i] ){
      nApplied++;
      if( iLast!=i-1 ) bPrefix = 0;
      iLast = i;
    }
  }

  /* define every file, then record the applied ones */
  s.aDefine = sqlite3_malloc64(sizeof(int)*(sqlite3_uint64)p->nScript);
  if( s.aDefine==0 ){ zErr = sqlite3_mprintf("out of memory"); goto import_done; }
  for(i=0; i<p->nScript; i++) s.aDefine[i] = i;
  s.nDefine = p->nScript;
  rc = cliSyncApply(p, &s);
  if( rc==CLI_OK && nApplied>0 && bPrefix ){
    char *zRunErr = 0;
    if( migrate_run(p->db, "migrate_baseline", p->aScript[iLast].zName, 0, 0,
                    0, &zRunErr)!=SQLITE_OK ){
      zErr = sqlite3_mprintf("import: %s",
                             zRunErr ? zRunErr : sqlite3_errmsg(p->db));
    }
    sqlite3_free(zRunErr);
  }else if( rc==CLI_OK ){
    for(i=0; rc==CLI_OK && i<p->nScript; i++){
      if( aApplied[i] ) rc = cliImportRecord(p, p->aScript[i].zName);
    }
  }
  if( rc==CLI_OK && zErr==0 ) rc = cliExec(p, "COMMIT");
  if( rc==CLI_OK && zErr==0 ){
    sqlite3_int64 ms = cliNowMs() - t0;
    if( p->bJson ){
      sqlite3_str *pOut = sqlite3_str_new(0);
      int n = 0;
      sqlite3_str_appendall(pOut, "{\"command\":\"import\",\"from\":");
      cliJsonString(pOut, p->zFrom);
      sqlite3_str_appendall(pOut, ",\"applied\":[");
      for(i=0; i<p->nScript; i++){
        if( !aApplied[i] ) continue;
        if( n++ ) sqlite3_str_appendchar(pOut, 1, ',');
        cliJsonString(pOut, p->aScript[i].zName);
      }
      sqlite3_str_appendall(pOut, "],\"pending\":[");
      for(i=0, n=0; i<p->nScript; i++){
        if( aApplied[i] ) continue;
        if( n++ ) sqlite3_str_appendchar(pOut, 1, ',');
        cliJsonString(pOut, p->aScript[i].zName);
      }
      sqlite3_str_appendf(pOut, "],\"ms\":%lld}", ms);
      rc = cliJsonPrint(p, pOut);
    }else{
      for(i=0; i<p->nScript; i++){
        printf("  %-8s %s\n", aApplied[i] ? "applied" : "pending",
               p->aScript[i].zName);
      }
      printf("imported %d %s migration%s from %s: %d recorded as applied "
             "(not run), %d pending (%lld ms)\n", p->nScript, p->zFrom,
             cliPlural(p->nScript), p->zDir, nApplied,
             p->nScript-nApplied, ms);
    }
  }

import_done:
  if( zErr ){
    rc = cliError(p, "%s", zErr);
    sqlite3_free(zErr);
  }
  if( p->db && !sqlite3_get_autocommit(p->db) ){
    sqlite3_exec(p->db, "ROLLBACK", 0, 0, 0);
  }
  sqlite3_free(s.aDefine);
  sqlite3_free(aApplied);
  sqlite3_free(zProject);
  return rc;
}

/* ------------------------------------------------------------ fleets */

/* Exit code a --each child uses for "ran, had nothing to do" (never seen
** outside: the parent reports it as "already current", exit 0). */
#define CLI_IDLE 10

/* One running --each child. */
typedef struct CliChild CliChild;
struct CliChild {
  pid_t pid;            /* 0: slot free */
  int fd;               /* read end of the pipe of its stdout+stderr */
  int iFile;            /* index of its database in the glob */
  sqlite3_str *pOut;    /* what it printed */
};

/*
** Runs in a --each child: the command on database zDb with stdout and
** stderr going to fdOut.  Never returns.
*/
static void cliEachChild(Cli *p, const CliCmd *pCmd, const char *zDb,
                         int fdOut){
  int rc;
  dup2(fdOut, 1);
  dup2(fdOut, 2);
  close(fdOut);
  p->zDb = zDb;
  p->bIdle = 0;
  if( strcmp(pCmd->zName, "version")==0 ) rc = cliVersion(p);
  else if( strcmp(pCmd->zName, "diff")==0 ) rc = cliDiff(p);
  else rc = cliRunCommand(p, pCmd);
  fflush(stdout);
  fflush(stderr);
  _exit(rc==CLI_OK && p->bIdle ? CLI_IDLE : rc);
}

/*
** Reports a finished child: one line "FILE: ok: LAST LINE", "FILE: already
** current", "FILE: failed: MESSAGE" (or a JSON object into pJson).
** Updates the counts anCount[0..3]: ok, current, failed, has work.
*/
static void cliEachReport(const char *zFile, int status,
                          sqlite3_str *pOut, sqlite3_str *pJson,
                          int *anCount){
  static const char *azRes[4] = { "ok", "already current", "failed",
                                  "has work" };
  char *zText = sqlite3_str_finish(pOut);
  char *zLast, *zEnd;
  int eRes;
  if( WIFEXITED(status) ){
    int e = WEXITSTATUS(status);
    eRes = e==CLI_OK ? 0 : e==CLI_IDLE ? 1 : e==CLI_WORK ? 3 : 2;
  }else{
    eRes = 2;
  }
  anCount[eRes]++;
  if( zText==0 ) zText = sqlite3_mprintf("");
  if( zText==0 ) return;
  zEnd = zText + strlen(zText);
  while( zEnd>zText && (zEnd[-1]=='\n' || zEnd[-1]=='\r') ) *--zEnd = 0;
  zLast = strrchr(zText, '\n');
  zLast = zLast ? zLast+1 : zText;
  if( strncmp(zLast, "sqlite-migrate: ", 16)==0 ) zLast += 16;
  if( pJson ){
    if( sqlite3_str_length(pJson)>1 ) sqlite3_str_appendchar(pJson, 1, ',');
    sqlite3_str_appendall(pJson, "{\"db\":");
    cliJsonString(pJson, zFile);
    sqlite3_str_appendall(pJson, ",\"result\":");
    cliJsonString(pJson, azRes[eRes]);
    if( WIFEXITED(status) && (zText[0]=='{' || zText[0]=='[') ){
      sqlite3_str_appendf(pJson, ",\"output\":%s}", zText);
    }else{
      sqlite3_str_appendall(pJson, ",\"output\":");
      cliJsonString(pJson, zText);
      sqlite3_str_appendchar(pJson, 1, '}');
    }
  }else if( !WIFEXITED(status) ){
    printf("%s: failed: killed by signal %d\n", zFile, WTERMSIG(status));
  }else if( eRes==1 ){
    printf("%s: already current\n", zFile);
  }else{
    printf("%s: %s: %s\n", zFile, azRes[eRes],
           zLast[0] ? zLast : "(no output)");
  }
  fflush(stdout);
  sqlite3_free(zText);
}

/*
** --each GLOB [-j N] COMMAND: runs COMMAND on every database file matching
** GLOB, N at a time (default: the number of cores), each in a child
** process (fork) whose output is captured through a pipe and reported as
** one line when it exits.  One failing database never stops the others.
** DIR is read once, before any child starts: a bad file stops everything
** before any database is touched.  Exit: 1 if any failed, else 3 if any
** `status --check` found work, else 0.
*/
static int cliEach(Cli *p, const CliCmd *pCmd, const char *zJobs){
  glob_t g;
  CliChild *aChild;
  struct pollfd *aPoll;
  sqlite3_str *pJson = 0;
  int anCount[4] = {0, 0, 0, 0};
  int nJobs, nRun = 0, iNext = 0, i, rc;
  sqlite3_int64 t0 = cliNowMs();

  memset(&g, 0, sizeof(g));
  rc = glob(p->zEach, 0, 0, &g);
  if( rc==GLOB_NOMATCH || (rc==0 && g.gl_pathc==0) ){
    globfree(&g);
    return cliError(p, "--each '%s' matches no file", p->zEach);
  }
  if( rc!=0 ){
    globfree(&g);
    return cliError(p, "--each '%s': cannot expand the pattern", p->zEach);
  }
  if( zJobs ){
    nJobs = atoi(zJobs);
  }else{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    nJobs = n>0 ? (int)n : 1;
  }
  if( (size_t)nJobs>g.gl_pathc ) nJobs = (int)g.gl_pathc;
  if( pCmd->bDir ){
    rc = cliReadDir(p);
    if( rc!=CLI_OK ){ globfree(&g); return rc; }
    p->bDirRead = 1;
  }
  aChild = sqlite3_malloc64(sizeof(CliChild)*(sqlite3_uint64)nJobs);
  aPoll = sqlite3_malloc64(sizeof(struct pollfd)*(sqlite3_uint64)nJobs);
  if( aChild==0 || aPoll==0 ){
    sqlite3_free(aChild); sqlite3_free(aPoll); globfree(&g);
    return cliError(p, "out of memory");
  }
  memset(aChild, 0, sizeof(CliChild)*(size_t)nJobs);
  if( p->bJson ){
    pJson = sqlite3_str_new(0);
    sqlite3_str_appendchar(pJson, 1, '[');
  }
  fflush(stdout);
  fflush(stderr);
  while( iNext<(int)g.gl_pathc || nRun>0 ){
    int nPoll = 0;
    /* start children while there are free slots */
    for(i=0; i<nJobs && iNext<(int)g.gl_pathc; i++){
      int aFd[2];
      pid_t pid;
      if( aChild[i].pid ) continue;
      if( pipe(aFd)!=0 ){
        cliEachReport(g.gl_pathv[iNext], 256*CLI_ERROR,
                      sqlite3_str_new(0), pJson, anCount);
        fprintf(stderr, "sqlite-migrate: pipe: %s\n", strerror(errno));
        iNext++;
        continue;
      }
      pid = fork();
      if( pid==0 ){
        close(aFd[0]);
        cliEachChild(p, pCmd, g.gl_pathv[iNext], aFd[1]);
      }
      close(aFd[1]);
      if( pid<0 ){
        sqlite3_str *pErr = sqlite3_str_new(0);
        sqlite3_str_appendf(pErr, "cannot start a process: %s",
                            strerror(errno));
        close(aFd[0]);
        cliEachReport(g.gl_pathv[iNext], 256*CLI_ERROR, pErr, pJson,
                      anCount);
        iNext++;
        continue;
      }
      aChild[i].pid = pid;
      aChild[i].fd = aFd[0];
      aChild[i].iFile = iNext++;
      aChild[i].pOut = sqlite3_str_new(0);
      nRun++;
    }
    if( nRun==0 ) continue;
    /* wait for output or end of output of any child */
    for(i=0; i<nJobs; i++){
      if( aChild[i].pid==0 ) continue;
      aPoll[nPoll].fd = aChild[i].fd;
      aPoll[nPoll].events = POLLIN;
      aPoll[nPoll].revents = 0;
      nPoll++;
    }
    if( poll(aPoll, nPoll, -1)<0 && errno!=EINTR ){
      rc = cliError(p, "poll: %s", strerror(errno));
      break;
    }
    for(i=0; i<nJobs; i++){
      int k;
      char buf[4096];
      ssize_t n;
      if( aChild[i].pid==0 ) continue;
      for(k=0; k<nPoll && aPoll[k].fd!=aChild[i].fd; k++){}
      if( k>=nPoll || aPoll[k].revents==0 ) continue;
      n = read(aChild[i].fd, buf, sizeof(buf));
      if( n>0 ){
        sqlite3_str_append(aChild[i].pOut, buf, (int)n);
      }else if( n==0 || errno!=EINTR ){
        int status = 0;
        close(aChild[i].fd);
        while( waitpid(aChild[i].pid, &status, 0)<0 && errno==EINTR ){}
        cliEachReport(g.gl_pathv[aChild[i].iFile], status,
                      aChild[i].pOut, pJson, anCount);
        aChild[i].pid = 0;
        aChild[i].pOut = 0;
        nRun--;
      }
    }
  }
  if( rc==CLI_OK ){
    sqlite3_int64 ms = cliNowMs() - t0;
    if( pJson ){
      sqlite3_str *pOut = sqlite3_str_new(0);
      sqlite3_str_appendchar(pJson, 1, ']');
      sqlite3_str_appendf(pOut, "{\"command\":\"%s\",\"databases\":%s,"
                          "\"ok\":%d,\"current\":%d,\"failed\":%d,"
                          "\"work\":%d,\"ms\":%lld}", pCmd->zName,
                          sqlite3_str_value(pJson), anCount[0], anCount[1],
                          anCount[2], anCount[3], ms);
      rc = cliJsonPrint(p, pOut);
    }else{
      int n = (int)g.gl_pathc;
      printf("%d database%s: %d ok, %d already current, %d failed",
             n, cliPlural(n), anCount[0], anCount[1], anCount[2]);
      if( anCount[3] ) printf(", %d with work", anCount[3]);
      printf(" (%lld ms, -j %d)\n", ms, nJobs);
    }
    if( anCount[2] ) rc = CLI_ERROR;
    else if( anCount[3] ) rc = CLI_WORK;
  }
  if( pJson ) sqlite3_free(sqlite3_str_finish(pJson));
  sqlite3_free(aChild);
  sqlite3_free(aPoll);
  globfree(&g);
  return rc;
}

/* ------------------------------------------------------------ main */

/* 1 when z is a C identifier. */
static int cliIsIdent(const char *z){
  int i;
  if( !((z[0]>='a' && z[0]<='z') || (z[0]>='A' && z[0]<='Z') || z[0]=='_') ){
    return 0;
  }
  for(i=1; z[i]; i++){
    char c = z[i];
    if( !((c>='a' && c<='z') || (c>='A' && c<='Z') || (c>='0' && c<='9')
          || c=='_') ) return 0;
  }
  return i<=200;
}

/*
** If argv[*pi] is option zLong (or zShort) taking a value, stores the value
** (from "--opt=VALUE" or the next argument) in *pzVal and returns 1; returns
** -1 when the value is missing; 0 when it is another option.
*/
static int cliOptValue(int argc, char **argv, int *pi, const char *zShort,
                       const char *zLong, const char **pzVal){
  const char *z = argv[*pi];
  size_t n = strlen(zLong);
  if( (zShort && strcmp(z, zShort)==0) || strcmp(z, zLong)==0 ){
    if( *pi+1>=argc ) return -1;
    *pzVal = argv[++*pi];
    return 1;
  }
  if( strncmp(z, zLong, n)==0 && z[n]=='=' ){
    *pzVal = &z[n+1];
    return 1;
  }
  return 0;
}

/*
** Parses the options (anywhere on the line) and the command, checks its
** usage (exit 2), then runs it.  Returns the exit code.
*/
int main(int argc, char **argv){
  Cli cli;
  Cli *p = &cli;
  const CliCmd *pCmd;
  int bHelp = 0, bSymbol = 0, bNoOpt = 0;
  const char *zJobs = 0;
  int i, rc;
  char **azPos;
  char *zTrim = 0;
  int nPos = 0;

  memset(p, 0, sizeof(*p));
  p->zDir = "migrations";
  azPos = sqlite3_malloc64(sizeof(char*)*(sqlite3_uint64)(argc+1));
  if( azPos==0 ) return cliError(p, "out of memory");

  for(i=1; i<argc; i++){
    const char *z = argv[i];
    const char *zVal = 0;
    int r;
    if( bNoOpt || z[0]!='-' || z[1]==0 ){
      azPos[nPos++] = argv[i];
      continue;
    }
    if( strcmp(z, "--")==0 ){ bNoOpt = 1; continue; }
    if( strcmp(z, "--json")==0 ){ p->bJson = 1; continue; }
    if( strcmp(z, "--help")==0 || strcmp(z, "-h")==0 ){ bHelp = 1; continue; }
    if( strcmp(z, "--check")==0 ){ p->bCheck = 1; continue; }
    if( strcmp(z, "--down")==0 ){ p->bDown = 1; continue; }
    if( (r = cliOptValue(argc, argv, &i, "-d", "--dir", &zVal))!=0
     || (r = cliOptValue(argc, argv, &i, 0, "--db", &zVal))!=0
     || (r = cliOptValue(argc, argv, &i, 0, "--symbol", &zVal))!=0
     || (r = cliOptValue(argc, argv, &i, 0, "--table", &zVal))!=0
     || (r = cliOptValue(argc, argv, &i, 0, "--from", &zVal))!=0
     || (r = cliOptValue(argc, argv, &i, 0, "--registry", &zVal))!=0
     || (r = cliOptValue(argc, argv, &i, 0, "--each", &zVal))!=0
     || (r = cliOptValue(argc, argv, &i, "-j", "--jobs", &zVal))!=0 ){
      if( r<0 ){
        sqlite3_free(azPos);
        return cliUsageError(p, "option %s needs a value", z);
      }
      if( z[1]=='d' || strncmp(z, "--dir", 5)==0 ) p->zDir = zVal;
      else if( strncmp(z, "--db", 4)==0 ) p->zDb = zVal;
      else if( strncmp(z, "--table", 7)==0 ) p->zTable = zVal;
      else if( strncmp(z, "--from", 6)==0 ) p->zFrom = zVal;
      else if( strncmp(z, "--registry", 10)==0 ) p->zRegistry = zVal;
      else if( strncmp(z, "--each", 6)==0 ) p->zEach = zVal;
      else if( z[1]=='j' || strncmp(z, "--jobs", 6)==0 ){
        zJobs = zVal;
      }
      else{ p->zSymbol = zVal; bSymbol = 1; }
      continue;
    }
    sqlite3_free(azPos);
    return cliUsageError(p, "unknown option %s", z);
  }

  if( nPos==0 ){
    sqlite3_free(azPos);
    if( bHelp ){ cliUsage(stdout); return CLI_OK; }
    cliUsage(stderr);
    return CLI_USAGE;
  }
  p->zCmd = azPos[0];
  p->azArg = &azPos[1];
  p->nArg = nPos-1;
  pCmd = cliFindCmd(p->zCmd);
  if( pCmd==0 ){
    rc = cliUsageError(p, "unknown command '%s'", p->zCmd);
    sqlite3_free(azPos);
    return rc;
  }
  if( bHelp || strcmp(pCmd->zName, "help")==0 ){
    const CliCmd *pHelp = pCmd;
    if( strcmp(pCmd->zName, "help")==0 && p->nArg>0 ){
      pHelp = cliFindCmd(p->azArg[0]);
      if( pHelp==0 ){
        rc = cliUsageError(p, "help: unknown command '%s'", p->azArg[0]);
        sqlite3_free(azPos);
        return rc;
      }
    }
    if( strcmp(pHelp->zName, "help")==0 ) cliUsage(stdout);
    else cliCmdHelp(pHelp);
    sqlite3_free(azPos);
    return CLI_OK;
  }

  /* usage checks */
  rc = CLI_OK;
  if( p->nArg<pCmd->nMin || p->nArg>pCmd->nMax ){
    rc = cliUsageError(p, "usage: sqlite-migrate %s %s", pCmd->zName,
                       pCmd->zArgs);
  }else if( p->bCheck && strcmp(pCmd->zName, "status")!=0 ){
    rc = cliUsageError(p, "--check is an option of status only");
  }else if( p->bDown && strcmp(pCmd->zName, "diff")!=0 ){
    rc = cliUsageError(p, "--down is an option of diff only");
  }else if( bSymbol && strcmp(pCmd->zName, "embed")!=0 ){
    rc = cliUsageError(p, "--symbol is an option of embed only");
  }else if( p->zTable && strcmp(pCmd->zName, "sql")!=0 ){
    rc = cliUsageError(p, "--table is an option of sql only");
  }else if( p->zFrom && strcmp(pCmd->zName, "import")!=0 ){
    rc = cliUsageError(p, "--from is an option of import only");
  }else if( p->zRegistry && strcmp(pCmd->zName, "import")!=0 ){
    rc = cliUsageError(p, "--registry is an option of import only");
  }else if( strcmp(pCmd->zName, "import")==0 && p->zFrom==0 ){
    rc = cliUsageError(p, "import: --from TOOL is required (dbmate, "
                       "golang-migrate, goose or sqitch)");
  }else if( p->zFrom && !cliIsImportTool(p->zFrom) ){
    rc = cliUsageError(p, "import: unknown tool '%s' (--from dbmate, "
                       "golang-migrate, goose or sqitch)", p->zFrom);
  }else if( p->zRegistry && strcmp(p->zFrom, "sqitch")!=0 ){
    rc = cliUsageError(p, "import: --registry is for --from sqitch only");
  }else if( zJobs && p->zEach==0 ){
    rc = cliUsageError(p, "-j is an option of --each only");
  }else if( zJobs && (!cliIsCount(zJobs) || atoi(zJobs)<1
                      || strlen(zJobs)>4) ){
    rc = cliUsageError(p, "-j needs a number of jobs from 1 to 9999 "
                       "(got '%s')", zJobs);
  }else if( p->zEach && (p->zEach[0]==0 || p->zDb) ){
    rc = cliUsageError(p, p->zDb ? "--each and --db exclude each other"
                                 : "--each needs a file pattern");
  }else if( p->zEach && (pCmd->eDb==0 || strcmp(pCmd->zName, "import")==0
                         || strcmp(pCmd->zName, "generate")==0) ){
    rc = cliUsageError(p, "--each runs only commands that open a database "
                       "(not %s)", pCmd->zName);
  }else if( p->zTable && p->zTable[0]==0 ){
    rc = cliUsageError(p, "sql: --table needs a table name");
  }else if( bSymbol && !cliIsIdent(p->zSymbol) ){
    rc = cliUsageError(p, "embed: --symbol needs a C identifier (got '%s')",
                       p->zSymbol);
  }else if( strcmp(pCmd->zName, "down")==0 && p->nArg
         && !cliIsCount(p->azArg[0]) ){
    rc = cliUsageError(p, "down: N must be a non-negative integer (got '%s')",
                       p->azArg[0]);
  }else if( p->zDir[0]==0 ){
    rc = cliUsageError(p, "-d needs a folder name");
  }else if( (zTrim = sqlite3_mprintf("%s", p->zDir))==0 ){
    rc = cliError(p, "out of memory");
  }else if( pCmd->eDb && p->zEach==0 ){
    if( p->zDb==0 ){
      const char *zEnv = getenv("DATABASE_PATH");
      if( zEnv && zEnv[0] ) p->zDb = zEnv;
    }
    if( p->zDb==0 || p->zDb[0]==0 ){
      rc = cliUsageError(p, "%s: no database: give --db FILE or set "
                         "DATABASE_PATH", pCmd->zName);
    }
  }
  if( rc!=CLI_OK ){
    sqlite3_free(azPos);
    sqlite3_free(zTrim);
    return rc;
  }
  /* "dir/" and "dir" name the same folder: print paths as dir/file */
  for(i=(int)strlen(zTrim); i>1 && zTrim[i-1]=='/'; i--) zTrim[i-1] = 0;
  p->zDir = zTrim;

  if( p->zEach )                                rc = cliEach(p, pCmd, zJobs);
  else if( strcmp(pCmd->zName, "new")==0 )      rc = cliNew(p);
  else if( strcmp(pCmd->zName, "sql")==0 )      rc = cliSql(p);
  else if( strcmp(pCmd->zName, "embed")==0 )    rc = cliEmbed(p);
  else if( strcmp(pCmd->zName, "version")==0 )  rc = cliVersion(p);
  else if( strcmp(pCmd->zName, "diff")==0 )     rc = cliDiff(p);
  else if( strcmp(pCmd->zName, "generate")==0 ) rc = cliGenerate(p);
  else if( strcmp(pCmd->zName, "import")==0 )   rc = cliImport(p);
  else                                          rc = cliRunCommand(p, pCmd);

  if( fflush(stdout)!=0 && rc==CLI_OK ){
    rc = cliError(p, "cannot write the output: %s", strerror(errno));
  }
  cliFreeScripts(p);
  sqlite3_close(p->db);
  sqlite3_free(azPos);
  sqlite3_free(zTrim);
  return rc;
}

/*
** sqlite-migrate.c — the `sqlite-migrate` command-line tool: keeps a folder
** of migration files and applies them to a SQLite database with libmigrate.
** This file holds main(): the options, the usage checks, the command table
** and the help; the commands live in the other files of tool/cli/ (the map
** is in cli.h).  Tested by test/cli.test (help, usage, exit codes).
**
** USAGE
**   sqlite-migrate [-d DIR] [--db FILE | --each GLOB [-j N]] [--json]
**     [--format NAME] [--prune] [--load PATH[:ENTRY]]... COMMAND
**     new NAME | up [TARGET] | down [N] | rollback-to NAME | status [--check]
**     dry-run [TARGET] | reset | refresh | repair | version | load | sql
**     embed [--symbol NAME] | diff SCHEMA.sql [--down] | generate NAME SCHEMA.sql
**     baseline TARGET | import --from TOOL [--registry FILE] TOOLDIR
**     check [TARGET] | dump [FILE] | squash TARGET [NAME]
**     up [--strict] [--dump FILE]
**   `sqlite-migrate help [COMMAND]` or `COMMAND --help` explains each one;
**   the README's "sqlite-migrate" section is the full reference.
**   Exit codes: 0 ok, 1 error, 2 usage, 3 `status --check` found work.
**
** HOW IT WORKS
**   1. The folder is read first (cliReadDir, cli_dir.c), in its layout
**      (detected per folder, or --format NAME; the readers are in
**      cli_formats.c): dbmate NAME.sql files with `-- migrate:up` /
**      `-- migrate:down` / `-- migrate:verify` sections (dbmate's
**      `transaction:false` becomes the engine's first line
**      `-- migrate:no-transaction`), golang-migrate / sqlx NAME.up.sql +
**      NAME.down.sql (+ NAME.verify.sql), sqlx's up-only NNN_name.sql,
**      goose, Flyway, diesel and version folders; R__NAME files are
**      repeatable; DIR/hooks/EVENT.sql files are hooks.  Any bad file, or
**      a folder mixing layouts, stops the command before the database is
**      opened, so nothing is applied.
**   2. The database is opened, the extensions of --load loaded into it,
**      and libmigrate registered on the connection (cliOpen, cli_db.c;
**      sqlite3_migrate_init, linked statically).  When
**      the database has a table of its own called `migrations` or
**      `migration_status`, the extension's tables are addressed through
**      temp aliases (CREATE VIRTUAL TABLE temp.cli_migrations USING
**      migrations).
**   3. Sync plan (cliSyncPlan, cli_sync.c): the definitions are compared
**      with the files by checksum (of up and of down, as the engine's
**      INSERT OR REPLACE does, so nothing to sync reads no script text),
**      verify text and repeatable flag: which to add, replace, and which
**      pending definitions to remove (no file any more: only with
**      --prune, else the sync is refused, as it is when DIR yields no
**      migration while the database defines some).  Applied definitions
**      whose file is gone stay defined (rollback then still uses their
**      down script).
**   4. Nothing to sync: the engine's call (migrate_run) runs on its own in
**      autocommit mode, so a no-op `up` writes nothing (read-only files
**      work).  Something to sync: BEGIN IMMEDIATE, migrate_define() the
**      new/edited files, DELETE the removed pending ones through the
**      `migrations` table, migrate_run() (which joins with a savepoint),
**      COMMIT; any error rolls everything back (cliRunCommand, cli_run.c).
**   5. migrate_run's progress callback prints each migration as it
**      completes, with the rows it changed; a one-line summary follows
**      (cli_out.c).  `status` and `dry-run` sync inside a transaction that
**      is always rolled back (on a read-only file: on an in-memory copy),
**      so they show what `up` would see and change nothing.
**      A DIR holding a no-transaction migration commits the sync on its
**      own first (the engine runs those only in autocommit mode).
**   6. import (cliImport, cli_import.c) reads another tool's files and its
**      ledger table (dbmate, golang-migrate, goose, sqitch's registry via
**      ATTACH), then in one transaction defines the files and records the
**      applied ones: migrate_baseline() when they are a prefix, else
**      migrate_mark() for each (the engine records them; the CLI never
**      writes the ledger).
**   7. --each GLOB (cliEach, cli_fleet.c) reads DIR once, then forks at
**      most -j N children (default: cores), each running the one-database
**      command with stdout+stderr captured through a pipe (poll); each
**      finished child is reported as one line, then a summary.
**   No migration logic lives here: every state change goes through
**   the `migrations` / `migration_hooks` tables and migrate_run().
*/
#include "cli.h"

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
    "edited ones replaced; pending ones whose file is gone are removed with\n"
    "--prune, else the sync is refused) and applies every\n"
    "pending migration, up to and including TARGET when given, as one new\n"
    "batch.  Sync and migrate are one transaction: all or nothing.  Each\n"
    "migration is printed as it completes, with its time.  With nothing to\n"
    "sync and nothing pending it writes nothing (works on a read-only file).\n"
    "An applied file that was edited shows as `changed` and blocks `up`\n"
    "until it is restored or `repair` is run.\n"
    "--strict refuses pending migrations ordered before the last applied\n"
    "one (out of order), naming them (migrate_strict).  --dump FILE\n"
    "rewrites FILE with `dump` after every successful up.\n" },
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
    "added, edited ones replaced, deleted pending ones removed (with\n"
    "--prune only; without it that sync is refused).  Applied migrations\n"
    "whose file is gone stay defined.\n" },
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
  { "check", 0, 1, 0, 1, "[TARGET]",
    "prove every down script undoes its up, changing nothing",
    "For each migration of DIR (up to TARGET): snapshot the schema and\n"
    "rows, run its up, its down, compare, run its up again\n"
    "(migrate_check).  Lists every migration whose down does not restore\n"
    "the schema, or changes rows of a table that existed before; skips\n"
    "irreversible, repeatable and no-transaction ones.  Without --db it\n"
    "builds a scratch in-memory database from DIR and checks every\n"
    "migration; with --db FILE it checks those pending there and leaves\n"
    "FILE as it was.  Exit 0 when all pass, 1 otherwise.\n" },
  { "dump", 0, 1, 1, 0, "[FILE]",
    "write the schema and the applied migrations as SQL",
    "Writes migration_dump(): every table, index, view and trigger in a\n"
    "fixed order (libmigrate's tables included), the definitions of the\n"
    "applied migrations and the ledger (as a baseline), to FILE or to\n"
    "stdout.  `sqlite3 new.db < FILE` gives a database whose\n"
    "migration_status shows the same migrations applied.  Does not read\n"
    "DIR.\n" },
  { "squash", 1, 2, 0, 1, "TARGET [NAME]",
    "replace every migration up to TARGET by one file",
    "Writes DIR/NAME.sql (default NAME: TARGET_squashed) whose up makes\n"
    "the schema and rows that the migrations of DIR up to TARGET make\n"
    "(built in a scratch in-memory database), with no down (irreversible)\n"
    "and a `-- migrate:replaces NAME` line per migration it replaces; their\n"
    "files move to DIR/squashed/ (kept, not read).  A database that applied\n"
    "them all counts the squash as applied; a fresh one runs only the\n"
    "squash; one that applied only some is refused until it is migrated to\n"
    "TARGET with the old files (-d DIR/squashed up TARGET).  NAME must sort\n"
    "after TARGET and before the migration that follows it.\n" },
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
    "  --format NAME      read DIR in this layout: dbmate, golang-migrate,\n"
    "                     sqlx, goose, flyway, diesel or folders (default:\n"
    "                     detected)\n"
    "  --prune            let the sync remove pending definitions whose\n"
    "                     file is gone (without it, such a sync is refused)\n"
    "  --load PATH[:ENTRY]\n"
    "                     load a SQLite extension into the connection\n"
    "                     before anything else (repeatable)\n"
    "  --from TOOL        import: dbmate, golang-migrate, goose or sqitch\n"
    "  --registry FILE    import --from sqitch: the registry (default:\n"
    "                     sqitch.db next to the database)\n"
    "  --strict           up: refuse out-of-order pending migrations\n"
    "  --dump FILE        up: rewrite FILE with `dump` after the up\n"
    "  -h, --help         help (also: sqlite-migrate help COMMAND)\n"
    "  --version          the version of the tool and of libmigrate\n"
    "\n"
    "files in DIR, one layout per folder (detected, or --format):\n"
    "  dbmate          NAME.sql with `-- migrate:up` / `-- migrate:down`\n"
    "                  [/ `-- migrate:verify`] sections\n"
    "  golang-migrate  NAME.up.sql + NAME.down.sql [+ NAME.verify.sql]\n"
    "                  (may share a folder with dbmate files)\n"
    "  sqlx            NNN_name.sql (up only) or NNN_name.up.sql/.down.sql\n"
    "  goose           NNN_name.sql with `-- +goose Up` / `-- +goose Down`\n"
    "  flyway          V1.2__name.sql, U1.2__name.sql (its down), R__name.sql\n"
    "  diesel          NAME/up.sql + NAME/down.sql\n"
    "  folders         VERSION/NAME.sql (up only), e.g. 0.22/01__name.sql\n"
    "R__NAME.sql is repeatable; hooks/EVENT.sql are hooks.\n"
    "exit codes: 0 ok, 1 error, 2 usage, 3 `status --check` found work.\n");
}

/* The help of one command, on stdout. */
static void cliCmdHelp(const CliCmd *pCmd){
  printf("usage: sqlite-migrate [-d DIR] [--db FILE] [--json] %s %s\n\n%s\n%s",
         pCmd->zName, pCmd->zArgs, pCmd->zSummary, pCmd->zHelp);
  if( pCmd->eDb ) printf("\nNeeds --db FILE or $DATABASE_PATH.\n");
}

/* Checks the N of `down N` (a non-negative decimal integer). */
static int cliIsCount(const char *z){
  int i;
  for(i=0; z[i]>='0' && z[i]<='9'; i++){}
  return i>0 && i<=18 && z[i]==0;
}

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
  const char *zFormat = 0;
  int i, rc;
  char **azPos;
  char *zTrim = 0;
  int nPos = 0;

  memset(p, 0, sizeof(*p));
  p->zDir = "migrations";
  azPos = sqlite3_malloc64(sizeof(char*)*(sqlite3_uint64)(argc+1)*2);
  if( azPos==0 ) return cliErrorMsg(p, cliNoMem());
  p->azLoad = (const char**)&azPos[argc+1];

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
    if( strcmp(z, "--version")==0 ){
      /* the library's version, from one place: MIGRATE_VERSION */
      printf("sqlite-migrate %s (libmigrate %s, SQLite %s)\n", MIGRATE_VERSION,
             MIGRATE_VERSION, sqlite3_libversion());
      sqlite3_free(azPos);
      return CLI_OK;
    }
    if( strcmp(z, "--check")==0 ){ p->bCheck = 1; continue; }
    if( strcmp(z, "--down")==0 ){ p->bDown = 1; continue; }
    if( strcmp(z, "--prune")==0 ){ p->bPrune = 1; continue; }
    if( strcmp(z, "--strict")==0 ){ p->bStrict = 1; continue; }
    if( (r = cliOptValue(argc, argv, &i, "-d", "--dir", &zVal))!=0
     || (r = cliOptValue(argc, argv, &i, 0, "--db", &zVal))!=0
     || (r = cliOptValue(argc, argv, &i, 0, "--symbol", &zVal))!=0
     || (r = cliOptValue(argc, argv, &i, 0, "--table", &zVal))!=0
     || (r = cliOptValue(argc, argv, &i, 0, "--from", &zVal))!=0
     || (r = cliOptValue(argc, argv, &i, 0, "--registry", &zVal))!=0
     || (r = cliOptValue(argc, argv, &i, 0, "--each", &zVal))!=0
     || (r = cliOptValue(argc, argv, &i, "-j", "--jobs", &zVal))!=0
     || (r = cliOptValue(argc, argv, &i, 0, "--format", &zVal))!=0
     || (r = cliOptValue(argc, argv, &i, 0, "--dump", &zVal))!=0
     || (r = cliOptValue(argc, argv, &i, 0, "--load", &zVal))!=0 ){
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
      else if( strncmp(z, "--dump", 6)==0 ) p->zDump = zVal;
      else if( z[1]=='j' || strncmp(z, "--jobs", 6)==0 ){
        zJobs = zVal;
      }
      else if( strncmp(z, "--format", 8)==0 ) zFormat = zVal;
      else if( strncmp(z, "--load", 6)==0 ) p->azLoad[p->nLoad++] = zVal;
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
  }else if( (p->bStrict || p->zDump) && strcmp(pCmd->zName, "up")!=0 ){
    rc = cliUsageError(p, "%s is an option of up only",
                       p->bStrict ? "--strict" : "--dump");
  }else if( p->zDump && p->zDump[0]==0 ){
    rc = cliUsageError(p, "up: --dump needs a file name");
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
  }else if( zFormat && (!pCmd->bDir || strcmp(pCmd->zName, "import")==0) ){
    rc = cliUsageError(p, "--format is an option of the commands that read "
                       "DIR (not %s)", pCmd->zName);
  }else if( zFormat && cliFormatByName(zFormat)<0 ){
    rc = cliUsageError(p, "unknown --format '%s' (dbmate, golang-migrate, "
                       "sqlx, goose, flyway, diesel or folders)", zFormat);
  }else if( p->bPrune && (!pCmd->bDir || !pCmd->eDb) ){
    rc = cliUsageError(p, "--prune is an option of the commands that sync "
                       "DIR into a database (not %s)", pCmd->zName);
  }else if( p->nLoad && !pCmd->eDb ){
    rc = cliUsageError(p, "--load: %s opens no database", pCmd->zName);
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
                         || strcmp(pCmd->zName, "generate")==0
                         || strcmp(pCmd->zName, "dump")==0 || p->zDump) ){
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
    rc = cliErrorMsg(p, cliNoMem());
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
  p->zFormat = zFormat;

  if( p->zEach )                                rc = cliEach(p, pCmd, zJobs);
  else if( strcmp(pCmd->zName, "new")==0 )      rc = cliNew(p);
  else if( strcmp(pCmd->zName, "sql")==0 )      rc = cliSql(p);
  else if( strcmp(pCmd->zName, "embed")==0 )    rc = cliEmbed(p);
  else if( strcmp(pCmd->zName, "version")==0 )  rc = cliVersion(p);
  else if( strcmp(pCmd->zName, "diff")==0 )     rc = cliDiff(p);
  else if( strcmp(pCmd->zName, "generate")==0 ) rc = cliGenerate(p);
  else if( strcmp(pCmd->zName, "import")==0 )   rc = cliImport(p);
  else if( strcmp(pCmd->zName, "check")==0 )    rc = cliCheck(p);
  else if( strcmp(pCmd->zName, "dump")==0 )     rc = cliDump(p);
  else if( strcmp(pCmd->zName, "squash")==0 )   rc = cliSquash(p);
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

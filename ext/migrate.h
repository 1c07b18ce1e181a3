/*
** migrate.h — the public C interface of libmigrate.
**
** libmigrate keeps a database's schema migrations inside the database: named
** up/down SQL scripts defined through the `migrations` virtual table, applied
** by `SELECT migrate()`, reverted by `SELECT rollback(n)`, every applied
** script recorded with a batch number in `migrations_ledger`.
**
** Three ways to use it:
**
**   1. Loadable extension:  .load ./libmigrate   (entry point below)
**   2. Static link (-DSQLITE_CORE, libmigrate.a):
**        sqlite3_auto_extension((void(*)(void))sqlite3_migrate_init);
**   3. Firmware: compiled-in scripts, migrated at every boot:
**
**        static const migrate_script aScript[] = {
**          { "001_users", "CREATE TABLE users(id INTEGER PRIMARY KEY);",
**                         "DROP TABLE users;" },
**        };
**        char *zErr = 0; int nApplied = 0;
**        if( migrate_boot(db, aScript, 1, &nApplied, &zErr)!=SQLITE_OK ){
**          log(zErr); sqlite3_free(zErr);
**        }
**
**      or, with the array's checksum computed at build time by
**      `sqlite-migrate embed`, migrate_boot_v2(), whose boot with nothing
**      to do costs the same at 10 scripts and at 10,000.
**
** Every function here returns an SQLite result code.  On error, *pzErr (when
** pzErr is not NULL) is set to a message obtained from sqlite3_malloc(); the
** caller frees it with sqlite3_free().  On success *pzErr is set to NULL.
** A failed call leaves the database exactly as it was.
*/
#ifndef MIGRATE_H
#define MIGRATE_H

#include "sqlite3.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MIGRATE_VERSION "0.1.0"

/*
** One compiled-in migration.  zName is the migration's name (migrations run
** in natural order of names: digit runs compare as numbers).  zUp holds one
** or more SQL statements.  zDown is the script that undoes zUp: "" when there
** is nothing to undo, NULL when the migration is irreversible.
*/
typedef struct migrate_script migrate_script;
struct migrate_script {
  const char *zName;
  const char *zUp;
  const char *zDown;
};

/*
** Registers the SQL functions, the `migrations` and `migration_status`
** modules and the `migrate_natural` collation on db.  This is the loadable
** extension's entry point (found by name by `.load ./libmigrate`); with a
** static build pass it to sqlite3_auto_extension().
*/
int sqlite3_migrate_init(sqlite3 *db, char **pzErrMsg,
                         const sqlite3_api_routines *pApi);

/*
** Defines aScript[0..nScript-1] as migrations, with INSERT OR REPLACE
** semantics: new names are added, existing ones replaced.  Rows that are
** already defined exactly so are left alone, so when nothing differs nothing
** is written (no write transaction, works on a read-only database).  All or
** nothing: on error no script is defined.
*/
int migrate_define(sqlite3 *db, const migrate_script *aScript, int nScript,
                   char **pzErr);

/*
** Applies every pending migration (up to and including zTarget when it is
** not NULL) as one batch, exactly as `SELECT migrate(zTarget)` does.
** *pnApplied (when not NULL) receives the number applied.
*/
int migrate_apply(sqlite3 *db, const char *zTarget, int *pnApplied,
                  char **pzErr);

/*
** The boot path: migrate_define() then migrate_apply(db, 0, ...), as one
** transaction: if the migration fails, the definitions are not changed
** either.  When every script is defined already (every boot but the first
** after an update) this costs one read per script and the no-op migrate().
*/
int migrate_boot(sqlite3 *db, const migrate_script *aScript, int nScript,
                 int *pnApplied, char **pzErr);

/*
** The boot fast path.  migrate_boot_v2() is migrate_boot() given, as
** zArrayChecksum, the checksum of the whole array: the value
** `sqlite-migrate embed` prints next to the array it generates
** (migrate_script_checksum, or NAME_checksum with --symbol NAME), or what
** migrate_array_checksum() computes for a hand-written array.
**
** It looks that value up in the database (one read of main.migrations_boot,
** a table created on first use).  Found: this very array is defined
** exactly so, and the boot costs the no-op migrate() plus that one read,
** whatever the number of scripts.  Not found (a new image, or a definition
** written since): exactly migrate_boot() (every script compared, what
** differs defined and what is pending applied, in one transaction); then,
** if that succeeded, the array is compared again under the write lock and
** the value recorded in a small transaction of its own (skipped on a
** read-only database; any failure there is ignored: the boot has
** succeeded, and the next one simply compares in full again).
**
** Every definition written or deleted through libmigrate (the `migrations`
** table, migrate_define(), migrate_boot(), `sqlite-migrate`) forgets every
** recorded value, so an edit made through SQL after a boot is seen by the
** next one.  Writing main.migrations_scripts directly, around the
** `migrations` table, is not supported (it bypasses that, as it bypasses
** the checksums).  zArrayChecksum must belong to exactly aScript[0..nScript-1]
** (the generated file keeps the two together); NULL means no fast path.
** Anything but 16 lowercase hex digits is SQLITE_MISUSE.
*/
int migrate_boot_v2(sqlite3 *db, const migrate_script *aScript, int nScript,
                    const char *zArrayChecksum, int *pnApplied,
                    char **pzErr);

/*
** Writes the checksum of aScript[0..nScript-1] to zOut (17 bytes: 16
** lowercase hex digits and a NUL): 64-bit FNV-1a over, in order, every
** name, up script, whether down is NULL, and down script, with their raw
** bytes (no normalisation: any byte that differs changes it), the same
** value on every platform.  SQLITE_MISUSE (zOut "") for a NULL array with
** a positive count, a negative count, or a NULL name or up script.
*/
int migrate_array_checksum(const migrate_script *aScript, int nScript,
                           char *zOut);

/*
** Called by migrate_run() as each migration completes: zName, zDirection
** ("up" or "down"), the milliseconds its script took and the rows it
** changed.  The batch is not committed yet when this is called (a later
** failure still undoes it), and its ledger rows are written at its end.
*/
typedef void (*migrate_progress)(void *pArg, const char *zName,
                                 const char *zDirection, sqlite3_int64 iMs,
                                 sqlite3_int64 nChange);

/*
** Runs any of the SQL functions from C, with a progress callback:
**   zCall: "migrate", "rollback", "rollback_to", "migrate_reset",
**          "migrate_refresh", "migrate_dry_run", "migrate_repair",
**          "migrate_baseline", "migrate_mark", "migrate_strict" or
**          "migrate_check" (not in a -DMIGRATE_OMIT_DIFF build; its
**          progress direction is "checked", "skipped" or "failed");
**   zArg:  the function's argument as text (a target name, or the n of
**          rollback), or NULL for none.
** Exactly the semantics of the SQL call.  *pnDone (when not NULL) receives
** what the SQL function returns.  xProgress may be NULL.
*/
int migrate_run(sqlite3 *db, const char *zCall, const char *zArg,
                migrate_progress xProgress, void *pArg,
                sqlite3_int64 *pnDone, char **pzErr);

/*
** Where a call failed, for a tool that points at the file a script came
** from.  migrate_run_ex() fills it when the failure was one migration's:
**   zName    the migration (sqlite3_malloc'ed: free it with sqlite3_free());
**            NULL when the failure was not one migration's (an argument, a
**            lock, a hook, drift, ...)
**   eScript  which of its scripts: MIGRATE_FAILED_UP, _DOWN or _VERIFY
**   iLine    the 1-based line of that script the message's "(line N)"
**            names: where SQLite located a parse error, else where the
**            failing statement starts; 0 when no statement of it failed
**            (a verify query, the batch's foreign key check)
*/
typedef struct migrate_failure migrate_failure;
struct migrate_failure {
  char *zName;
  int eScript;
  int iLine;
};
#define MIGRATE_FAILED_UP     1
#define MIGRATE_FAILED_DOWN   2
#define MIGRATE_FAILED_VERIFY 3

/*
** migrate_run(), also filling *pFail (when not NULL; zeroed first) with
** where it failed.
*/
int migrate_run_ex(sqlite3 *db, const char *zCall, const char *zArg,
                   migrate_progress xProgress, void *pArg,
                   sqlite3_int64 *pnDone, char **pzErr,
                   migrate_failure *pFail);

/*
** The SQL lexer every part of libmigrate reads SQL text with (ext/lex.c),
** exported for the sqlite-migrate tool's file parsers.  It skips
** whitespace exactly as SQLite's tokenizer does, both comment forms, and
** a UTF-8 byte-order mark wherever a token starts.
**
** migrateSqlToken(z, &eType) returns the length in bytes of the token at z
** (0 at the terminating NUL) and sets eType to one of MIGRATE_TK_*.
** migrateSkipSpace(z) returns the first byte of z that is not whitespace,
** a byte-order mark or a comment.
*/
#define MIGRATE_TK_SPACE   1   /* whitespace and byte-order marks */
#define MIGRATE_TK_COMMENT 2   /* -- to the end of the line, or C style */
#define MIGRATE_TK_ID      3   /* a keyword or a bare name */
#define MIGRATE_TK_QID     4   /* a quoted name: "x" `x` [x] */
#define MIGRATE_TK_STRING  5   /* a string literal: 'x' */
#define MIGRATE_TK_SEMI    6   /* ; */
#define MIGRATE_TK_OTHER   7   /* number, blob, variable, operator, ... */
int migrateSqlToken(const char *z, int *peType);
const char *migrateSkipSpace(const char *z);

/*
** The order in which migrations run (the `migrate_natural` collation):
** compares the n1 bytes at p1 with the n2 bytes at p2 (no NUL needed).
** Runs of digits compare as numbers ("9" before "10", leading zeros
** ignored), other bytes by value; names that are equal so compare by
** their bytes ("01" before "1").  Returns <0, 0 or >0, like memcmp().
** pArg is unused: the signature is that of sqlite3_create_collation().
*/
int migrateNaturalCmp(void *pArg, int n1, const void *p1, int n2,
                      const void *p2);
#ifdef __cplusplus
}
#endif
#endif /* MIGRATE_H */

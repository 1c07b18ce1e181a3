/*
** fuzz_migrate.c — libFuzzer harness for libmigrate: every feature, with
** an oracle that knows what each call may and may not leave behind.
**
** USAGE
**   make fuzz [FUZZ_SECONDS=600]       (builds build/faults/fuzz_migrate)
**   build/faults/fuzz_migrate -max_len=1024 NEW_DIR test/fuzz/corpus
**   build/faults/fuzz_migrate CRASH_FILE       (replays one input)
**   FUZZ_TRACE=1 build/faults/fuzz_migrate CRASH_FILE  (prints every step)
**   FUZZ_KNOWN=journal,rollback (or 1): steer clear of the bugs found and
**   not fixed yet (test/fuzz_regress.test), so a long run looks for others
**   Built with clang -fsanitize=fuzzer,address,undefined -DSQLITE_CORE,
**   the extension's sources compiled in, linked with the system SQLite.
**   test/README.md ("Fuzzing") has the grammar, the oracle and the runs.
**
** HOW IT WORKS
**   The first input byte chooses the set-up of a fresh in-memory database
**   with the extension registered: foreign_keys on or off, the ON DELETE
**   action of the witness child table, and whether the migration
**   000_legacy that created the witness tables is baselined, marked,
**   pending or not defined.  The harness's own tables:
**     log(id, n, d)    every script the harness writes starts by logging
**                      its migration's name and direction (hooks log
**                      '~TAG', 'hook'), so the oracle knows what ran
**     uw(id, v)        the user's own rows, written inside their BEGIN
**     lp(id, v), lc(id, pid REFERENCES lp ON DELETE <action>)
**                      witness rows lp 1000, 1001 and lc 2000->1000,
**                      2001->1001 that no script deletes on purpose (the
**                      scripts rebuild, alter and delete other rows of
**                      these tables); rows 1, 2 / 10, 20 are fair game
**   Then each group of bytes is one step (at most 48):
**     define      INSERT / OR REPLACE / OR IGNORE into migrations, with
**                 hidden verify and repeatable columns; up and down from
**                 the templates below, optionally -- migrate:no-transaction
**     edit        UPDATE up / down / verify of a name, or DELETE it
**     calls       migrate(), migrate(t), rollback(n), rollback_to(t),
**                 migrate_reset(), migrate_refresh(), migrate_dry_run([t]),
**                 migrate_repair(), migrate_baseline(t), migrate_mark(t),
**                 and migrate_run() from C with a progress callback that
**                 may try a nested call; migrate_boot() of one or two
**     hooks       INSERT into migration_hooks (six events), DELETE; or
**                 planted past the table into migrations_hooks
**     damage      writes straight into migrations_scripts (verify
**                 'COMMIT', a blob, a no-transaction up with its
**                 checksum), a planted claim in migrations_lock
**     user        BEGIN / COMMIT / ROLLBACK, rows into uw, lp, lc,
**                 PRAGMA foreign_keys / legacy_alter_table /
**                 recursive_triggers, migration_diff() with PRAGMAs,
**                 reads of migration_status and migrate_version()
**   Script templates (statements joined by separators chosen by the input:
**   newline, BOM, BOM BOM, comments, '\v' inside a run of whitespace, CR LF,
**   or a '\v' where a token starts): tables, rows, ALTER, indexes, views,
**   triggers, foreign-key tables, syntax and runtime errors, transaction
**   control, table rebuilds of lp and lc (create-copy-drop-rename and
**   rename-first), deleting non-witness parent rows, PRAGMAs (foreign_keys,
**   defer_foreign_keys, legacy_alter_table, recursive_triggers,
**   user_version, journal_mode, ...), nested calls of every function,
**   writes of definitions and hooks through the virtual tables and
**   straight into migrations_scripts / migrations_hooks, conflict clauses
**   and RAISE() of every kind, TEMP objects, quoted names, STRICT and
**   WITHOUT ROWID tables, and raw input bytes (after the log line, with
**   words that would let them delete on purpose defused).
**   No-transaction bodies touch only tables n0..n3, user_version and
**   connection PRAGMAs (and may VACUUM, nest, write definitions, fail
**   half-way).  Verify queries: true, false, NULL, no row, erroring,
**   transaction control, not read-only, two statements, nested calls.
**
** THE ORACLE (abort() on a violation; libFuzzer keeps the input)
**   After every step: autocommit again unless the user's BEGIN is open; a
**   call never ends the user's transaction; PRAGMA integrity_check is ok;
**   no name twice in the ledger; migration_status readable; a call never
**   leaves a claim in migrations_lock behind; the witness rows are there
**   (unless 000_legacy was applied and then reverted on purpose); a
**   baselined or marked 000_legacy never ran; process-wide heap limits
**   unchanged.  At the user's COMMIT: every uw row they wrote is there.
**   A failed statement on the virtual tables changes nothing.
**   A failed call, and every dry run, leaves the database exactly as it
**   was: schema (main and temp), every table's rows (history excepted:
**   it may gain the failure's row), user_version.
**   A failed call that involved a no-transaction migration N (autocommit
**   only) may leave committed exactly: the migrations of its run list
**   before N, and N itself if N succeeded (its record is committed on its
**   own), and what N did before it failed if N failed.  Checked as: the
**   call's new ok=1 history rows H are that committed set, in order; the
**   ledger changed by exactly H; the last of H is a no-transaction one
**   (message 'no-transaction'), or the failure row names a no-transaction
**   migration; for migrate(), H is a prefix of the pending versioned names
**   in migration order; the log gained exactly H's lines, plus the failed
**   no-transaction migration's own; and if H is empty, everything else
**   (all but log, n0..n3, user_version, migrations_lock, and the storage
**   tables when hooks ran before N or the call is migrate_boot(): what
**   they wrote was committed with the claim) is exactly as it was.
**   A call that succeeds: for every name, its script ran (log) exactly
**   when the call's history says so, at most once each way; an up that ran
**   is in the ledger with the call's batch, a down that ran was in the
**   ledger and is gone (unless re-applied), a name neither ran keeps its
**   ledger row untouched; batch 0 never runs; the count returned matches;
**   each hook ran exactly as documented (before_each/after_each once per
**   migration run, the phase hooks once per phase with work, none for
**   repair/baseline/mark, none planted during the call); baseline and
**   mark add batch-0 rows only, repair only forgets or re-checksums; the
**   progress callbacks of migrate_run() match what ran, and a nested call
**   from one is refused.  No call but migrate_boot() adds a definition.
**   ASan/UBSan/LeakSanitizer catch crashes and leaks.
*/
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sqlite3.h"
#include "migrate.h"

/*------------------------------------------------------------------------
** Input and small helpers
*/
typedef struct Input Input;
struct Input { const uint8_t *a; size_t n, i; };

static int next(Input *p){ return p->i<p->n ? p->a[p->i++] : 0; }

static int gTrace = 0;     /* FUZZ_TRACE=1: print every step */

static void fail(const char *zWhat, const char *zDetail){
  fprintf(stderr, "INVARIANT VIOLATED: %s\n%s\n", zWhat, zDetail ? zDetail : "");
  abort();
}

static void *must(void *p){
  if( p==0 ) abort();
  return p;
}

static sqlite3_int64 oneInt(sqlite3 *db, const char *zSql){
  sqlite3_stmt *p = 0;
  sqlite3_int64 v = -1;
  if( sqlite3_prepare_v2(db, zSql, -1, &p, 0)==SQLITE_OK
   && sqlite3_step(p)==SQLITE_ROW ) v = sqlite3_column_int64(p, 0);
  sqlite3_finalize(p);
  return v;
}

static int hasTable(sqlite3 *db, const char *zName){
  char *z = must(sqlite3_mprintf(
      "SELECT count(*) FROM main.sqlite_schema WHERE type='table' AND name=%Q",
      zName));
  int b = oneInt(db, z)==1;
  sqlite3_free(z);
  return b;
}

/* Runs zSql; returns the SQLite code; *piRet gets the first column of the
** last row when it is an integer. */
static int runSql(sqlite3 *db, const char *zSql, sqlite3_int64 *piRet){
  sqlite3_stmt *p = 0;
  const char *zTail = zSql;
  int rc = SQLITE_OK;
  while( rc==SQLITE_OK && zTail && *zTail ){
    rc = sqlite3_prepare_v2(db, zTail, -1, &p, &zTail);
    if( rc!=SQLITE_OK || p==0 ) break;
    while( (rc = sqlite3_step(p))==SQLITE_ROW ){
      if( piRet && sqlite3_column_type(p, 0)==SQLITE_INTEGER ){
        *piRet = sqlite3_column_int64(p, 0);
      }
    }
    if( rc==SQLITE_DONE ) rc = SQLITE_OK;
    sqlite3_finalize(p);
    p = 0;
  }
  return rc;
}

/* Rows of a query as strings (columns joined by '|'), in query order. */
typedef struct Rows Rows;
struct Rows { char **az; int n; };

static void rowsFree(Rows *p){
  int i;
  for(i=0; i<p->n; i++) sqlite3_free(p->az[i]);
  sqlite3_free(p->az);
  p->az = 0;
  p->n = 0;
}

/* Removes the row zPrefix || zName from p, if there. */
static void rowsRemove(Rows *p, const char *zPrefix, const char *zName){
  size_t n = strlen(zPrefix);
  int i;
  for(i=0; i<p->n; i++){
    if( strncmp(p->az[i], zPrefix, n)==0 && strcmp(p->az[i]+n, zName)==0 ){
      sqlite3_free(p->az[i]);
      p->az[i] = p->az[--p->n];
      i--;
    }
  }
}

static void rowsAdd(Rows *p, char *z){
  p->az = must(sqlite3_realloc64(p->az, sizeof(char*)*(sqlite3_uint64)(p->n+1)));
  p->az[p->n++] = z;
}

static void appendValue(sqlite3_str *s, sqlite3_stmt *p, int j){
  switch( sqlite3_column_type(p, j) ){
    case SQLITE_NULL: sqlite3_str_appendall(s, "<null>"); break;
    case SQLITE_BLOB: {
      const unsigned char *a = sqlite3_column_blob(p, j);
      int k, n = sqlite3_column_bytes(p, j);
      sqlite3_str_appendall(s, "x'");
      for(k=0; k<n; k++) sqlite3_str_appendf(s, "%02x", a[k]);
      sqlite3_str_appendall(s, "'");
      break;
    }
    default: {
      const char *z = (const char*)sqlite3_column_text(p, j);
      sqlite3_str_appendf(s, "%c:%s", "?iftbn"[sqlite3_column_type(p, j)],
                          z ? z : "");
    }
  }
}

/* Fills *pRows with the rows of zSql (empty if it cannot be prepared). */
static void rowsOf(sqlite3 *db, const char *zSql, Rows *pRows){
  sqlite3_stmt *p = 0;
  pRows->az = 0;
  pRows->n = 0;
  if( sqlite3_prepare_v2(db, zSql, -1, &p, 0)!=SQLITE_OK ) return;
  while( sqlite3_step(p)==SQLITE_ROW ){
    sqlite3_str *s = sqlite3_str_new(0);
    int j;
    for(j=0; j<sqlite3_column_count(p); j++){
      if( j ) sqlite3_str_appendchar(s, 1, '|');
      appendValue(s, p, j);
    }
    rowsAdd(pRows, must(sqlite3_str_finish(s)));
  }
  sqlite3_finalize(p);
}

static int cmpStr(const void *a, const void *b){
  return strcmp(*(char*const*)a, *(char*const*)b);
}

/*------------------------------------------------------------------------
** The database as one string, for "exactly as it was"
*/
#define SNAP_STRICT  0
#define SNAP_NOTX    1   /* leave out what a failed no-transaction
                         ** migration may keep: log, n0..n3, user_version,
                         ** migrations_lock (created by the first claim;
                         ** its rows are checked on their own) */
#define SNAP_STORE   2   /* the same, and the storage tables: a boot
                         ** creates them and writes its definitions, hooks
                         ** (run before the no-transaction migration) may
                         ** write definitions and hooks, and all that is
                         ** committed with the batch before it (the ledger
                         ** is checked on its own) */

static char *snapshot(sqlite3 *db, int eMode){
  sqlite3_str *s = sqlite3_str_new(0);
  Rows tabs, rows;
  int i, k;
  rowsOf(db, "SELECT 'main', type, name, tbl_name, sql FROM main.sqlite_schema"
             " UNION ALL SELECT 'temp', type, name, tbl_name, sql"
             " FROM temp.sqlite_schema ORDER BY 1, 2, 3", &rows);
  for(i=0; i<rows.n; i++){
    if( eMode!=SNAP_STRICT && (strstr(rows.az[i], "|t:n")
                          || strstr(rows.az[i], "migrations_lock")) ){
      continue;   /* the claim's table is created with the first claim */
    }
    if( eMode==SNAP_STORE && strstr(rows.az[i], "migrations_") ) continue;
    sqlite3_str_appendf(s, "%s\n", rows.az[i]);
  }
  rowsFree(&rows);
  if( eMode==SNAP_STRICT ){
    sqlite3_str_appendf(s, "user_version %lld\n",
                        oneInt(db, "PRAGMA user_version"));
  }
  rowsOf(db, "SELECT name FROM main.sqlite_schema WHERE type='table'"
             " AND name NOT LIKE 'sqlite%' AND name<>'migrations_history'"
             " AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name", &tabs);
  for(i=0; i<tabs.n; i++){
    const char *zTab = tabs.az[i] + 2;   /* "t:" */
    char *zSql;
    if( eMode==SNAP_STORE && strncmp(zTab, "migrations_", 11)==0 ) continue;
    if( eMode!=SNAP_STRICT
     && (strcmp(zTab, "log")==0 || strcmp(zTab, "migrations_lock")==0
      || (zTab[0]=='n' && zTab[1]>='0' && zTab[1]<='3' && zTab[2]==0)) ){
      continue;
    }
    zSql = must(sqlite3_mprintf("SELECT * FROM main.\"%w\"", zTab));
    rowsOf(db, zSql, &rows);
    sqlite3_free(zSql);
    if( rows.n>1 ) qsort(rows.az, (size_t)rows.n, sizeof(char*), cmpStr);
    sqlite3_str_appendf(s, "[%s]\n", zTab);
    for(k=0; k<rows.n; k++) sqlite3_str_appendf(s, "  %s\n", rows.az[k]);
    rowsFree(&rows);
  }
  rowsFree(&tabs);
  return must(sqlite3_str_finish(s));
}

/*------------------------------------------------------------------------
** The fuzzing state
*/
typedef struct Fz Fz;
struct Fz {
  sqlite3 *db;
  Input in;
  int bUserTxn;             /* the user's BEGIN is open */
  sqlite3_int64 nUwDone;    /* uw rows committed */
  sqlite3_int64 nUwOpen;    /* uw rows written in the open transaction */
  int eLegacy;              /* 0 baselined, 1 marked, 2 pending, 3 none */
  int nHookTag;             /* hook tags handed out */
  int bKnown;               /* FUZZ_KNOWN: the known bugs to steer clear of
                            ** (KNOWN_* bits) */
  int nProgress;            /* progress callbacks of the current call */
  int bNestedOk;            /* a nested call from the callback succeeded */
};

/*
** Bugs found and not fixed yet (test/fuzz_regress.test).  FUZZ_KNOWN names
** the ones the grammar steers clear of, so that a long run looks for new
** ones: "journal", "rollback", "refresh", "generate", or "1" for all.
*/
#define KNOWN_JOURNAL  1   /* PRAGMA journal_mode=OFF in a script */
#define KNOWN_ROLLBACK 2   /* OR ROLLBACK / RAISE(ROLLBACK) inside BEGIN */
#define KNOWN_REFRESH  4   /* refresh loses ledger rows (repeatables, two
                           ** batches): refresh becomes reset */
#define KNOWN_GENERATE 8   /* migrate_generate() from a script defines a
                           ** migration during the call */

static int knownBugs(void){
  const char *z = getenv("FUZZ_KNOWN");
  int m = 0;
  if( z==0 ) return 0;
  if( strcmp(z, "1")==0 || strcmp(z, "all")==0 ){
    return KNOWN_JOURNAL|KNOWN_ROLLBACK|KNOWN_REFRESH|KNOWN_GENERATE;
  }
  if( strstr(z, "journal") ) m |= KNOWN_JOURNAL;
  if( strstr(z, "rollback") ) m |= KNOWN_ROLLBACK;
  if( strstr(z, "refresh") ) m |= KNOWN_REFRESH;
  if( strstr(z, "generate") ) m |= KNOWN_GENERATE;
  return m;
}

static const char *const azName[] = {
  "001_a", "002_b", "10_c", "2_d", "003_it's", "004_\"q\"", "005_e",
  "V1__x", "V10__y", "20241201000000_z", "006_f", "x"
};
#define NNAME (int)(sizeof(azName)/sizeof(azName[0]))

static const char *const azEvent[] = {
  "before_migrate", "after_migrate", "before_each", "after_each",
  "before_rollback", "after_rollback"
};

static const char *const azAction[] = {
  "ON DELETE CASCADE", "ON DELETE SET NULL", "ON DELETE SET DEFAULT",
  "ON DELETE RESTRICT", "ON DELETE NO ACTION",
  "ON DELETE NO ACTION DEFERRABLE INITIALLY DEFERRED",
  "ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED", ""
};

#define BOM "\xEF\xBB\xBF"
#define NOTX_LINE "-- migrate:no-transaction"

/* Is zScript a no-transaction migration?  The rule of sql/README.md: its
** first line (after a byte-order mark) is "-- migrate:no-transaction",
** trailing blanks allowed. */
static int isNoTx(const char *z){
  static const char zMark[] = NOTX_LINE;
  if( z==0 ) return 0;
  if( strncmp(z, BOM, 3)==0 ) z += 3;
  if( strncmp(z, zMark, sizeof(zMark)-1)!=0 ) return 0;
  z += sizeof(zMark)-1;
  while( *z==' ' || *z=='\t' || *z=='\r' ) z++;
  return *z=='\n' || *z==0;
}

/*------------------------------------------------------------------------
** Building scripts: statements joined by separators the input chooses
*/
typedef struct Script Script;
struct Script { Fz *f; sqlite3_str *s; int n; int bNoTx; };

static const char *const azSep[] = {
  "\n", " ", "\n" BOM, "\n/* c */ ", "\n-- c\n", "\n\v", "\r\n",
  BOM BOM, " \t\v\f", "\n", "\n", " ", "\n", "\n", "\n", "\v"
};

static void scriptStart(Script *p, Fz *f, const char *zPrefix){
  p->f = f;
  p->s = sqlite3_str_new(0);
  p->n = 0;
  p->bNoTx = isNoTx(zPrefix);
  if( zPrefix ) sqlite3_str_appendall(p->s, zPrefix);
}

/* Appends one statement (printf-style), after a separator. */
static void add(Script *p, const char *zFmt, ...){
  va_list ap;
  char *z;
  va_start(ap, zFmt);
  z = must(sqlite3_vmprintf(zFmt, ap));
  va_end(ap);
  if( p->n++ ) sqlite3_str_appendall(p->s, azSep[next(&p->f->in) % 16]);
  sqlite3_str_appendall(p->s, z);
  sqlite3_free(z);
}

static char *scriptFinish(Script *p){
  return must(sqlite3_str_finish(p->s));
}

/* The first statement of every script the harness writes. */
static void addLog(Script *p, const char *zName, int bDown){
  add(p, "INSERT INTO log(n, d) VALUES(%Q, '%s');", zName, bDown ? "down" : "up");
}

/*
** Raw text from the input (at most 63 bytes, no NUL).  Words that would
** let it delete or rewrite rows on purpose, or touch the oracle's own
** tables, are defused by changing their first letter, so the oracle can
** hold raw text to "no row disappears unless a script meant it".
*/
static char *rawText(Fz *f){
  static const char *const azBad[] = {
    "del", "drop", "upd", "repl", "alter", "log", "lp", "lc", "uw",
    "ledger", "hist", "lock", "hook", "script", "migrat", "journal",
    "attach", "vacuum", "writable", "schema", "trunc", "rollback",
    "conflict", "raise", "fail", "abort", "user_version", "query_only",
    "foreign", "pragma", "insert", "temp", "rename", "reindex"
  };
  Input *p = &f->in;
  int n = next(p) % 64;
  char *z = must(sqlite3_malloc(n+1));
  int i, j = 0;
  size_t k;
  for(i=0; i<n; i++){
    int c = next(p);
    if( c==0 ) break;
    z[j++] = (char)c;
  }
  z[j] = 0;
  for(i=0; i<j; i++){
    for(k=0; k<sizeof(azBad)/sizeof(azBad[0]); k++){
      if( sqlite3_strnicmp(&z[i], azBad[k], (int)strlen(azBad[k]))==0 ){
        z[i] = '_';
      }
    }
  }
  return z;
}

/* A no-transaction (bNoTx) or plain first line. */
static const char *notxPrefix(Fz *f){
  switch( next(&f->in) % 8 ){
    case 0: return BOM NOTX_LINE "\n";
    case 1: return NOTX_LINE " \r\n";
    case 2: return NOTX_LINE "s\n";          /* not the marker */
    case 3: return " " NOTX_LINE "\n";       /* not the first thing */
    default: return NOTX_LINE "\n";
  }
}

/* A plain script's start: nothing, a BOM, a comment. */
static const char *plainPrefix(Fz *f){
  switch( next(&f->in) % 8 ){
    case 0: return BOM;
    case 1: return "/* lead */ ";
    case 2: return "-- lead\n";
    case 3: return "\n\v";
    default: return "";
  }
}

static const char *nestedCall(Fz *f, int k){
  static const char *const az[] = {
    "SELECT migrate();", "SELECT migrate('002_b');", "SELECT rollback();",
    "SELECT rollback(2);", "SELECT rollback_to('001_a');",
    "SELECT migrate_reset();", "SELECT migrate_refresh();",
    "SELECT migrate_dry_run();", "SELECT migrate_repair();",
    "SELECT migrate_baseline('001_a');", "SELECT migrate_mark('002_b');",
    "SELECT migrate_version();", "SELECT count(*) FROM migration_status;",
    "SELECT migration_diff('CREATE TABLE q(x);');",
    "SELECT migrate_generate('zz_gen', 'CREATE TABLE q(x);');",
    "SELECT migration_checksum('a');"
  };
  if( (f->bKnown & KNOWN_GENERATE) && k%16==14 ) k = 15;
  return az[k % 16];
}

static const char *pragmaStmt(Fz *f, int k, int *pbBad){
  static const char *const az[] = {
    "PRAGMA foreign_keys=ON;", "PRAGMA foreign_keys=OFF;",
    "PRAGMA defer_foreign_keys=ON;", "PRAGMA legacy_alter_table=ON;",
    "PRAGMA legacy_alter_table=OFF;", "PRAGMA recursive_triggers=ON;",
    "PRAGMA user_version=7;", "PRAGMA journal_mode=MEMORY;",
    "PRAGMA foreign_key_check;", "PRAGMA ignore_check_constraints=ON;",
    "PRAGMA cache_size=5;", "PRAGMA optimize;", "PRAGMA integrity_check;",
    "PRAGMA automatic_index=OFF;", "PRAGMA journal_mode=OFF;",
    "PRAGMA case_sensitive_like=ON;"
  };
  *pbBad = (k%16)==14;
  if( *pbBad && (f->bKnown & KNOWN_JOURNAL) ) return az[7];
  return az[k % 16];
}

static const char *otherName(int k){ return azName[k % NNAME]; }

/*
** The templates of one up statement or two and one down statement:
** { down, up, second up }, each formatted with the table number k (twice).
*/
static const char *const azSimple[30][3] = {
  [0]  = { "DROP TABLE t%d;", "CREATE TABLE t%d(a INTEGER PRIMARY KEY, b TEXT);", 0 },
  [1]  = { "DROP TABLE t%d;", "CREATE TABLE t%d(a);", "INSERT INTO t%d VALUES(1),(2);" },
  [2]  = { "ALTER TABLE t%d DROP COLUMN c%d;", "ALTER TABLE t%d ADD COLUMN c%d TEXT;", 0 },
  [3]  = { "DROP INDEX i%d;", "CREATE INDEX i%d ON t%d(a);", 0 },
  [4]  = { "DELETE FROM t%d WHERE a=%d;", "INSERT INTO t%d(a) VALUES(%d);", 0 },
  [5]  = { "DROP VIEW v%d;", "CREATE VIEW v%d AS SELECT * FROM t%d;", 0 },
  [8]  = { "DROP TABLE t%d;", "CREATE TABLE t%d(a);", "CRATE TABLE oops(%d);" },
  [9]  = { "DROP TRIGGER tr%d;", "CREATE TRIGGER tr%d AFTER INSERT ON t%d BEGIN"
           " SELECT CASE WHEN new.a IS NULL THEN 1 END; END;", 0 },
  [10] = { "DROP TABLE f%d;", "CREATE TABLE f%d(a REFERENCES t%d(a));",
           "INSERT INTO f%d VALUES(99);" },
  [12] = { "DROP TABLE t%d;", "CREATE TABLE t%d(a UNIQUE);",
           "INSERT INTO t%d VALUES(1),(1);" },
  [18] = { "ALTER TABLE lp DROP COLUMN x%d;", "ALTER TABLE lp ADD COLUMN x%d TEXT;", 0 },
  [25] = { "DROP TABLE temp.tt%d;", "CREATE TEMP TABLE tt%d(x);",
           "CREATE TEMP TRIGGER ttr%d AFTER INSERT ON tt%d BEGIN"
           " INSERT INTO log(n, d) VALUES('~temp', 'hook'); END;" },
  [26] = { "DROP TABLE IF EXISTS main.\"q %d\"\"x\";",
           "CREATE TABLE main.\"q %d\"\"x\"([a b], \"end\");",
           "INSERT INTO \"q %d\"\"x\" VALUES(1, 'END;');" },
};

/*
** The body of a plain script of template t (table number k) for migration
** zName; bDown: the down direction.  Returns 0 when the down is NULL
** (irreversible), else 1.
*/
static int body(Script *p, int t, int k, const char *zName, int bDown){
  Fz *f = p->f;
  if( t<30 && azSimple[t][1] ){
    if( bDown ){
      add(p, azSimple[t][0], k, k);
    }else{
      add(p, azSimple[t][1], k, k);
      if( azSimple[t][2] ) add(p, azSimple[t][2], k, k);
    }
    return 1;
  }
  switch( t ){
    case 6: {                    /* transaction control, refused */
      static const char *const az[] = {
        "COMMIT;", "END;", "ROLLBACK;", "BEGIN;", "SAVEPOINT s;",
        "RELEASE s;", "VACUUM;", "ATTACH ':memory:' AS a2;"
      };
      if( bDown ) break;
      add(p, "CREATE TABLE t%d(a);", k);
      add(p, "%s", az[next(&f->in) % 8]);
      add(p, "CREATE TABLE t%d_after(a);", k);
      break;
    }
    case 7:
      if( bDown ) return 0;
      add(p, "SELECT no_such_function(%d);", k);
      break;
    case 11:                     /* only the log line */
      break;
    case 13:                     /* rebuild the parent lp */
      if( bDown ) break;
      add(p, "CREATE TABLE lp_new(id INTEGER PRIMARY KEY, v TEXT, e%d TEXT);", k);
      add(p, "INSERT INTO lp_new(id, v) SELECT id, v FROM lp;");
      add(p, "DROP TABLE lp;");
      add(p, "ALTER TABLE lp_new RENAME TO lp;");
      break;
    case 14:                     /* rebuild lp, renaming it first */
      if( bDown ) break;
      add(p, "ALTER TABLE lp RENAME TO lp_old;");
      add(p, "CREATE TABLE lp(id INTEGER PRIMARY KEY, v TEXT);");
      add(p, "INSERT INTO lp(id, v) SELECT id, v FROM lp_old;");
      add(p, "DROP TABLE lp_old;");
      break;
    case 15:                     /* rebuild the child lc */
      if( bDown ) break;
      add(p, "CREATE TABLE lc_new(id INTEGER PRIMARY KEY, pid INTEGER DEFAULT 0"
             " REFERENCES lp(id) %s);", azAction[next(&f->in) % 8]);
      add(p, "INSERT INTO lc_new(id, pid) SELECT id, pid FROM lc;");
      add(p, "DROP TABLE lc;");
      add(p, "ALTER TABLE lc_new RENAME TO lc;");
      break;
    case 16:                     /* a parent row deleted on purpose */
      if( bDown ) add(p, "INSERT OR IGNORE INTO lp(id, v) VALUES(%d, 'back');", 1+k%2);
      else add(p, "DELETE FROM lp WHERE id=%d;", 1+k%2);
      break;
    case 17:
      if( bDown ) add(p, "DELETE FROM lc WHERE id=%d;", 100+k);
      else add(p, "INSERT INTO lc(id, pid) VALUES(%d, %d);", 100+k, 1+k%2);
      break;
    case 19:                     /* see makeScript() */
      break;
    case 20:
      add(p, "%s", nestedCall(f, next(&f->in)));
      break;
    case 21: {                   /* definitions and hooks, through the tables */
      int w = next(&f->in);
      const char *zOther = otherName(w>>3);
      switch( w % 6 ){
        case 0: add(p, "INSERT INTO migrations(name, up) VALUES('zz_new',"
                       " 'INSERT INTO log(n, d) VALUES(''zz_new'', ''up'');');");
                break;
        case 1: add(p, "UPDATE migrations SET up=%Q WHERE name=%Q;",
                    "-- migrate:no-transaction\nSELECT 1;", zOther); break;
        case 2: add(p, "DELETE FROM migrations WHERE name=%Q;", zName); break;
        case 3: add(p, "INSERT INTO migration_hooks(event, script)"
                       " VALUES('after_each', 'SELECT 1;');"); break;
        case 4: add(p, "DELETE FROM migration_hooks;"); break;
        default: add(p, "CREATE VIRTUAL TABLE temp.vm%d USING migrations;", k);
                 add(p, "INSERT INTO temp.vm%d(name, up) VALUES('zz_v', '');", k);
      }
      break;
    }
    case 22: {                   /* definitions and hooks, past the tables */
      int w = next(&f->in);
      const char *zOther = otherName(w>>3);
      char *zText;
      Script s2;
      scriptStart(&s2, f, (w & 0x40) ? NOTX_LINE "\n" : "");
      /* a no-transaction script's writes stay, its own definition
      ** rewritten (case 3) too (sql/README.md): the text it leaves logs
      ** its own name, or the oracle would see a misnamed run later */
      addLog(&s2, (w % 8==3 && p->bNoTx) ? zName : zOther, 0);
      add(&s2, "CREATE TABLE IF NOT EXISTS n%d(x);", k);
      zText = scriptFinish(&s2);
      switch( w % 8 ){
        case 0: add(p, "UPDATE migrations_scripts SET up=%Q,"
                       " checksum=migration_checksum(%Q) WHERE name=%Q;",
                    zText, zText, zOther); break;
        case 1: add(p, "UPDATE migrations_scripts SET up=%Q WHERE name=%Q;",
                    zText, zOther); break;
        case 2: add(p, "DELETE FROM migrations_scripts WHERE name=%Q;", zName);
                break;
        case 3: add(p, "UPDATE migrations_scripts SET up=%Q,"
                       " checksum=migration_checksum(%Q) WHERE name=%Q;",
                    zText, zText, zName); break;
        case 4: add(p, "INSERT INTO migrations_hooks(event, script)"
                       " VALUES('%s', 'INSERT INTO log(n, d) VALUES(''~p%d'', ''hook'');');",
                    azEvent[w % 6], k); break;
        case 5: add(p, "UPDATE migrations_hooks SET script='COMMIT;';"); break;
        case 6: add(p, "DELETE FROM migrations_hooks;"); break;
        default: add(p, "UPDATE migrations_scripts SET verify='SELECT 0'"
                        " WHERE name=%Q;", zOther);
      }
      sqlite3_free(zText);
      break;
    }
    case 23: {                   /* conflict clauses and RAISE() */
      static const char *const az[8][3] = {
        { "CREATE TABLE r%d(x UNIQUE);", "INSERT INTO r%d VALUES(1);",
          "INSERT OR ROLLBACK INTO r%d VALUES(1);" },
        { "CREATE TABLE r%d(x UNIQUE ON CONFLICT ROLLBACK);",
          "INSERT INTO r%d VALUES(1),(1);", 0 },
        { "CREATE TABLE r%d(x);", "CREATE TRIGGER r%dt BEFORE INSERT ON r%d"
          " BEGIN SELECT RAISE(ROLLBACK, 'no'); END;",
          "INSERT INTO r%d VALUES(1);" },
        { "CREATE TABLE r%d(x UNIQUE);", "INSERT INTO r%d VALUES(1);",
          "INSERT OR FAIL INTO r%d VALUES(2),(1);" },
        { "CREATE TABLE r%d(x);", "CREATE TRIGGER r%dt BEFORE INSERT ON r%d"
          " BEGIN SELECT RAISE(ABORT, 'no'); END;",
          "INSERT INTO r%d VALUES(1);" },
        { "CREATE TABLE r%d(x);", "CREATE TRIGGER r%dt BEFORE INSERT ON r%d"
          " BEGIN SELECT RAISE(IGNORE); END;", "INSERT INTO r%d VALUES(1);" },
        { "CREATE TABLE r%d(x UNIQUE ON CONFLICT REPLACE);",
          "INSERT INTO r%d VALUES(1),(1);", 0 },
        { "CREATE TABLE r%d(x UNIQUE);", "INSERT OR IGNORE INTO r%d VALUES(1),(1);",
          "INSERT OR ABORT INTO r%d VALUES(1);" }
      };
      int w = next(&f->in) % 8, j;
      if( bDown ){ add(p, "DROP TABLE r%d;", k); break; }
      /* 0-2 end the caller's transaction (a known bug) */
      if( (f->bKnown & KNOWN_ROLLBACK) && w<=2 ) w = 3;
      for(j=0; j<3 && az[w][j]; j++) add(p, az[w][j], k, k);
      break;
    }
    case 24:
      if( bDown ){ add(p, "DROP TABLE g%d;", k); break; }
      add(p, "CREATE TABLE g%d(a INTEGER PRIMARY KEY, b);", k);
      add(p, "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c"
             " WHERE i<%d) INSERT INTO g%d(b) SELECT i FROM c;", 50*(k+1), k);
      break;
    case 27:
      if( bDown ){ add(p, "DROP TABLE s%d;", k); break; }
      add(p, "CREATE TABLE s%d(a INTEGER PRIMARY KEY, b TEXT) %s;", k,
          k%2 ? "STRICT" : "WITHOUT ROWID");
      add(p, "INSERT INTO s%d VALUES(1, 'x');", k);
      break;
    case 28:
      if( bDown ){ add(p, "DROP TRIGGER IF EXISTS ct%d;", k); break; }
      add(p, "CREATE TRIGGER ct%d AFTER INSERT ON lc BEGIN\n"
             "  SELECT CASE WHEN new.id<0 THEN RAISE(ABORT, 'end') END;\n"
             "  INSERT INTO log(n, d) SELECT '~ct', 'hook' WHERE 0;\nEND;", k);
      break;
    case 29:
      add(p, "SELECT count(*) FROM migrations_ledger;");
      add(p, "SELECT * FROM migrations_lock;");
      break;
    default: {
      char *z = rawText(f);
      if( bDown && (next(&f->in) & 1) ){ sqlite3_free(z); return 0; }
      if( z[0] ) add(p, "%s", z);
      sqlite3_free(z);
    }
  }
  return 1;
}

/* The body of a no-transaction script (template t, table k). */
static void bodyNoTx(Script *p, int t, int k, int bDown){
  Fz *f = p->f;
  if( bDown ){
    if( t & 1 ) add(p, "DROP TABLE IF EXISTS n%d;", k);
    return;
  }
  switch( t % 12 ){
    case 0: add(p, "CREATE TABLE IF NOT EXISTS n%d(x);", k);
            add(p, "INSERT INTO n%d VALUES(1);", k); break;
    case 1: add(p, "PRAGMA user_version=%d;", 10+k); break;
    case 2: add(p, "PRAGMA foreign_keys=%s;", k%2 ? "ON" : "OFF"); break;
    case 3: add(p, "PRAGMA journal_mode=MEMORY;"); break;
    case 4: add(p, "CREATE TABLE IF NOT EXISTS n%d(x);", k);
            add(p, "INSERT INTO n%d VALUES(2);", k);
            add(p, "SELECT no_such_function();"); break;
    case 5: add(p, "VACUUM;"); break;
    case 6: add(p, "%s", nestedCall(f, next(&f->in))); break;
    case 7: add(p, "CREATE TABLE IF NOT EXISTS n%d(x);", k);
            add(p, "COMMIT;"); break;
    case 8: add(p, "INSERT INTO migrations(name, up) VALUES('zz_n', '');");
            break;
    case 9: add(p, "CREATE TABLE n%d(x);", k); break;
    case 10: add(p, "PRAGMA legacy_alter_table=ON;"); break;
    default: add(p, "CREATE TABLE IF NOT EXISTS n%d(x);", k);
             add(p, "PRAGMA foreign_keys=ON;");
             add(p, "SELECT count(*) FROM migrations_lock;");
  }
}

/* Up (or down) script of migration zName from the input; NULL: a NULL
** down. */
static char *makeScript(Fz *f, const char *zName, int bDown, int bNoTx,
                        int t, int k){
  Script s;
  if( bNoTx ){
    scriptStart(&s, f, notxPrefix(f));
    addLog(&s, zName, bDown);
    bodyNoTx(&s, t, k, bDown);
  }else{
    scriptStart(&s, f, plainPrefix(f));
    if( t==19 ){
      /* a PRAGMA, before the log line (the first statement of the call's
      ** transaction) or after it */
      int c = next(&f->in), bBad;
      const char *zPragma = pragmaStmt(f, c, &bBad);
      if( c & 0x10 ) add(&s, "%s", zPragma);
      addLog(&s, zName, bDown);
      if( (c & 0x10)==0 ) add(&s, "%s", zPragma);
    }else{
      addLog(&s, zName, bDown);
    }
    if( !body(&s, t, k, zName, bDown) ){
      sqlite3_free(scriptFinish(&s));
      return 0;
    }
  }
  return scriptFinish(&s);
}

static char *makeVerify(Fz *f, const char *zName){
  switch( next(&f->in) % 16 ){
    case 0: return sqlite3_mprintf("SELECT 0");
    case 1: return sqlite3_mprintf("SELECT NULL");
    case 2: return sqlite3_mprintf("SELECT 1 WHERE 0");
    case 3: return sqlite3_mprintf("SELECT no_such_function()");
    case 4: return sqlite3_mprintf("SELECT abs(-9223372036854775807-1)");
    case 5: return sqlite3_mprintf("COMMIT");
    case 6: return sqlite3_mprintf(BOM "END");
    case 7: return sqlite3_mprintf("INSERT INTO log(n, d) VALUES('v', 'v')");
    case 8: return sqlite3_mprintf("SELECT 1; SELECT 1");
    case 9: return sqlite3_mprintf("SELECT migrate_dry_run()=0");
    case 10: return sqlite3_mprintf("SELECT 'abc'");
    case 11: return sqlite3_mprintf("SELECT count(*)=1 FROM log WHERE n=%Q"
                                    " AND d='up'", zName);
    case 12: return sqlite3_mprintf(BOM "/* v */ SELECT 1");
    case 13: return sqlite3_mprintf("SELECT rollback()");
    default: return sqlite3_mprintf("SELECT 1");
  }
}

static char *makeHook(Fz *f, const char **pzEvent){
  Script s;
  int w = next(&f->in);
  int bBad;
  *pzEvent = azEvent[w % 6];
  scriptStart(&s, f, plainPrefix(f));
  add(&s, "INSERT INTO log(n, d) VALUES('~h%d', 'hook');", f->nHookTag++);
  switch( (w>>3) % 12 ){
    case 0: add(&s, "SELECT no_such_function();"); break;
    case 1: add(&s, "%s", nestedCall(f, next(&f->in))); break;
    case 2: add(&s, "COMMIT;"); break;
    case 3: add(&s, "INSERT INTO migrations(name, up) VALUES('zz_h', '');"); break;
    case 4: add(&s, "INSERT INTO migrations_hooks(event, script)"
                    " VALUES('after_each', 'INSERT INTO log(n, d) VALUES(''~planted'', ''hook'');');");
            break;
    case 5: add(&s, "%s", pragmaStmt(f, next(&f->in), &bBad)); break;
    case 6: add(&s, "SELECT count(*) FROM migrations_ledger;"); break;
    case 7: add(&s, "UPDATE migrations_scripts SET verify='SELECT 0';"); break;
    case 8: if( (f->bKnown & KNOWN_ROLLBACK)==0 ){
              add(&s, "CREATE TABLE IF NOT EXISTS hr(x UNIQUE);");
              add(&s, "INSERT OR IGNORE INTO hr VALUES(1);");
              add(&s, "INSERT OR ROLLBACK INTO hr VALUES(1);");
            }
            break;
    default: break;
  }
  return scriptFinish(&s);
}

/*------------------------------------------------------------------------
** What a call sees before it runs, and the per-call oracle
*/
enum { C_UP, C_UPT, C_RB, C_RBTO, C_RESET, C_REFRESH, C_DRY, C_REPAIR,
       C_BASE, C_MARK };
static const char *const azCall[] = {
  "migrate", "migrate", "rollback", "rollback_to", "migrate_reset",
  "migrate_refresh", "migrate_dry_run", "migrate_repair",
  "migrate_baseline", "migrate_mark"
};

typedef struct Before Before;
struct Before {
  char *zSnap;             /* snapshot(SNAP_STRICT) */
  char *zSnapNoTx;         /* snapshot(SNAP_NOTX or SNAP_STORE) */
  int bStore;              /* zSnapNoTx leaves out the storage tables */
  Rows ledger;             /* name|batch|checksum */
  Rows pending;            /* pending versioned names, migration order */
  Rows hooks;              /* event|script */
  Rows notx;               /* names whose up / down that would run is notx:
                           ** "u:NAME" / "d:NAME" */
  Rows defs;               /* defined names */
  sqlite3_int64 mxHist, mxLog, mxBatch, nLock;
};

static void beforeFree(Before *b){
  sqlite3_free(b->zSnap);
  sqlite3_free(b->zSnapNoTx);
  rowsFree(&b->ledger);
  rowsFree(&b->pending);
  rowsFree(&b->hooks);
  rowsFree(&b->notx);
  rowsFree(&b->defs);
}

static int rowsHas(const Rows *p, const char *z){
  int i;
  for(i=0; i<p->n; i++) if( strcmp(p->az[i], z)==0 ) return 1;
  return 0;
}

static void beforeTake(Fz *f, Before *b, int bBoot){
  sqlite3 *db = f->db;
  int bStore = hasTable(db, "migrations_scripts");
  memset(b, 0, sizeof(*b));
  b->zSnap = snapshot(db, SNAP_STRICT);
  b->bStore = bBoot || (hasTable(db, "migrations_hooks")
                        && oneInt(db, "SELECT count(*) FROM migrations_hooks")>0);
  b->zSnapNoTx = snapshot(db, b->bStore ? SNAP_STORE : SNAP_NOTX);
  b->mxLog = oneInt(db, "SELECT coalesce(max(id), 0) FROM log");
  b->nLock = hasTable(db, "migrations_lock")
           ? oneInt(db, "SELECT count(*) FROM migrations_lock") : 0;
  if( !bStore ) return;
  b->mxHist = oneInt(db, "SELECT coalesce(max(id), 0) FROM migrations_history");
  b->mxBatch = oneInt(db, "SELECT coalesce(max(batch), 0) FROM migrations_ledger"
                          " WHERE typeof(batch)='integer'");
  rowsOf(db, "SELECT name, batch, checksum FROM migrations_ledger", &b->ledger);
  rowsOf(db, "SELECT name FROM migration_status WHERE state='pending' AND name"
             " IN (SELECT name FROM migrations_scripts WHERE repeatable=0)"
             " ORDER BY name COLLATE migrate_natural", &b->pending);
  rowsOf(db, "SELECT name FROM migrations_scripts", &b->defs);
  if( hasTable(db, "migrations_hooks") ){
    rowsOf(db, "SELECT event, script FROM migrations_hooks ORDER BY id",
           &b->hooks);
  }
  {
    sqlite3_stmt *p = 0;
    if( sqlite3_prepare_v2(db,
          "SELECT 'u', name, up FROM migrations_scripts"
          " UNION ALL SELECT 'd', name, down FROM migrations_scripts"
          " UNION ALL SELECT 'd', name, down FROM migrations_ledger"
          "  WHERE name NOT IN (SELECT name FROM migrations_scripts)",
          -1, &p, 0)==SQLITE_OK ){
      while( sqlite3_step(p)==SQLITE_ROW ){
        if( sqlite3_column_type(p, 2)==SQLITE_TEXT
         && isNoTx((const char*)sqlite3_column_text(p, 2)) ){
          rowsAdd(&b->notx, must(sqlite3_mprintf("t:%s:%s",
                  sqlite3_column_text(p, 0), sqlite3_column_text(p, 1))));
        }
      }
    }
    sqlite3_finalize(p);
  }
}

/* The ledger row "name|i:batch|t:checksum" of zName in p, or NULL. */
static const char *ledgerOf(const Rows *p, const char *zName){
  int i;
  size_t n = strlen(zName);
  for(i=0; i<p->n; i++){
    if( strncmp(p->az[i], "t:", 2)==0 && strncmp(p->az[i]+2, zName, n)==0
     && p->az[i][n+2]=='|' ) return p->az[i];
  }
  return 0;
}

static sqlite3_int64 ledgerBatch(const char *zRow){
  const char *z = strchr(zRow, '|');
  return z && z[1]=='i' ? atoll(z+3) : -1;
}

/* A violation of the per-call oracle: says which call, then aborts. */
static void callFail(Fz *f, const char *zCall, const char *zWhy,
                     const char *zName){
  char *z = sqlite3_mprintf("call %s: %s%s%s\n%s", zCall, zWhy,
                            zName ? ": " : "", zName ? zName : "",
                            sqlite3_errmsg(f->db));
  fail("per-call oracle", z);
}

/* One new row of migrations_history. */
typedef struct Hist Hist;
struct Hist {
  char *zName;
  int eDir;                 /* 'u' up, 'd' down, 'o' other */
  int bOk;
  int bNoTx;                /* message is 'no-transaction' */
};

static int histRead(sqlite3 *db, sqlite3_int64 mxHist, Hist **paHist){
  sqlite3_stmt *p = 0;
  Hist *a = 0;
  int n = 0;
  char *zSql = must(sqlite3_mprintf(
      "SELECT name, direction, ok, message='no-transaction'"
      " FROM migrations_history WHERE id>%lld ORDER BY id", mxHist));
  if( sqlite3_prepare_v2(db, zSql, -1, &p, 0)==SQLITE_OK ){
    while( sqlite3_step(p)==SQLITE_ROW ){
      const char *zDir = (const char*)sqlite3_column_text(p, 1);
      a = must(sqlite3_realloc64(a, sizeof(Hist)*(sqlite3_uint64)(n+1)));
      a[n].zName = must(sqlite3_mprintf("%s", sqlite3_column_text(p, 0)));
      a[n].eDir = zDir && strcmp(zDir, "up")==0 ? 'u'
                : zDir && strcmp(zDir, "down")==0 ? 'd' : 'o';
      a[n].bOk = sqlite3_column_int(p, 2)==1;
      a[n].bNoTx = sqlite3_column_int(p, 3)==1;
      n++;
    }
  }
  sqlite3_finalize(p);
  sqlite3_free(zSql);
  *paHist = a;
  return n;
}

static void histFree(Hist *a, int n){
  int i;
  for(i=0; i<n; i++) sqlite3_free(a[i].zName);
  sqlite3_free(a);
}

/* How many log lines name zName in direction zDir. */
static int logCount(const Rows *pLog, const char *zName, const char *zDir){
  int i, n = 0;
  char *zWant = must(sqlite3_mprintf("t:%s|t:%s", zName, zDir));
  for(i=0; i<pLog->n; i++) n += strcmp(pLog->az[i], zWant)==0;
  sqlite3_free(zWant);
  return n;
}

/* How many runs of hook event zEvent a successful call of nUp applies and
** nDown reverts makes (sql/README.md, Hooks). */
static sqlite3_int64 hookRuns(const char *zEvent, sqlite3_int64 nUp,
                              sqlite3_int64 nDown){
  if( strcmp(zEvent, "before_each")==0 || strcmp(zEvent, "after_each")==0 ){
    return nUp + nDown;
  }
  if( strcmp(zEvent, "before_migrate")==0 || strcmp(zEvent, "after_migrate")==0 ){
    return nUp>0;
  }
  if( strcmp(zEvent, "before_rollback")==0 || strcmp(zEvent, "after_rollback")==0 ){
    return nDown>0;
  }
  return 0;
}

/* The hook log tag of a hook script ("~h3" of VALUES('~h3', ...)), or 0. */
static char *hookTag(const char *zScript){
  const char *z = strstr(zScript, "VALUES('~");
  const char *zEnd;
  if( z==0 ) return 0;
  z += 8;
  zEnd = strchr(z, '\'');
  return zEnd ? must(sqlite3_mprintf("%.*s", (int)(zEnd-z), z)) : 0;
}

/* Hooks of a successful call: each ran exactly as documented. */
static void checkHooks(Fz *f, Before *b, const char *zCall, int eCall,
                       sqlite3_int64 nUp, sqlite3_int64 nDown){
  int i, j;
  for(i=0; i<b->hooks.n; i++){
    char *zTag = hookTag(b->hooks.az[i]);
    sqlite3_int64 nRuns = 0, nGot;
    char *zQ;
    if( zTag==0 ) continue;
    for(j=0; j<b->hooks.n && eCall<C_REPAIR; j++){
      char *zOther = hookTag(b->hooks.az[j]);
      if( zOther && strcmp(zOther, zTag)==0 ){
        char *zEvent = must(sqlite3_mprintf("%.*s",
                          (int)(strchr(b->hooks.az[j], '|')-b->hooks.az[j]-2),
                          b->hooks.az[j]+2));
        nRuns += hookRuns(zEvent, nUp, nDown);
        sqlite3_free(zEvent);
      }
      sqlite3_free(zOther);
    }
    zQ = must(sqlite3_mprintf("SELECT count(*) FROM log WHERE id>%lld"
                              " AND n=%Q AND d='hook'", b->mxLog, zTag));
    nGot = oneInt(f->db, zQ);
    sqlite3_free(zQ);
    if( nGot!=nRuns ){
      char *zW = sqlite3_mprintf("hook %s ran %lld times, expected %lld"
                                 " (%lld up, %lld down)", zTag, nGot, nRuns,
                                 nUp, nDown);
      callFail(f, zCall, "a hook ran a wrong number of times", zW);
    }
    sqlite3_free(zTag);
  }
}

/*
** Checks a call against the oracle of the header.  eCall: C_*; rc its
** result code; nRet what it returned.
*/
static void checkCall(Fz *f, Before *b, int eCall, const char *zCall,
                      int rc, sqlite3_int64 nRet){
  sqlite3 *db = f->db;
  Rows logs, ledger, names;
  Hist *aH = 0;
  int nH = 0;
  sqlite3_int64 nUp = 0, nDown = 0, iBatch;
  int bNoTxSeen = 0, i, j;
  const Hist *pFailNoTx = 0;   /* the failure row, if a notx migration's */
  const Hist *pLast = 0;       /* the last ok up/down row */
  char *zSql;

  memset(&names, 0, sizeof(names));
  memset(&logs, 0, sizeof(logs));
  memset(&ledger, 0, sizeof(ledger));
  if( hasTable(db, "migrations_history") ) nH = histRead(db, b->mxHist, &aH);
  for(i=0; i<nH; i++){
    if( aH[i].bOk && aH[i].eDir!='o' ){
      if( aH[i].eDir=='u' ) nUp++; else nDown++;
      if( aH[i].bNoTx ) bNoTxSeen = 1;
      pLast = &aH[i];
    }else if( !aH[i].bOk && aH[i].eDir!='o' && rc!=SQLITE_OK ){
      char *zKey = must(sqlite3_mprintf("t:%c:%s", aH[i].eDir, aH[i].zName));
      if( rowsHas(&b->notx, zKey) ) pFailNoTx = &aH[i];
      sqlite3_free(zKey);
    }
  }
  if( nH>0 && eCall==C_DRY ){
    callFail(f, zCall, "a dry run wrote history", aH[0].zName);
  }

  if( rc!=SQLITE_OK || eCall==C_DRY ){
    char *zAfter;
    if( nUp+nDown==0 && pFailNoTx==0 ){
      /* nothing may have changed at all */
      zAfter = snapshot(db, SNAP_STRICT);
      if( strcmp(zAfter, b->zSnap) ){
        fprintf(stderr, "BEFORE:\n%s\nAFTER:\n%s\n", b->zSnap, zAfter);
        callFail(f, zCall, rc ? "a failed call changed the database"
                              : "a dry run changed the database", 0);
      }
      sqlite3_free(zAfter);
      goto check_done;
    }
    /* a no-transaction migration was involved */
    if( !sqlite3_get_autocommit(db) || eCall==C_DRY ){
      callFail(f, zCall, "a no-transaction migration ran inside a"
               " transaction or a dry run", 0);
    }
    if( nUp+nDown>0 ){
      /* the last committed one is a no-transaction migration, or the one
      ** that failed is */
      if( !(pLast && pLast->bNoTx) && pFailNoTx==0 ){
        callFail(f, zCall, "a failed call kept migrations after its last"
                 " no-transaction one", pLast ? pLast->zName : 0);
      }
      if( !bNoTxSeen && pFailNoTx==0 ){
        callFail(f, zCall, "a failed call kept migrations but ran no"
                 " no-transaction one", 0);
      }
    }else{
      zAfter = snapshot(db, b->bStore ? SNAP_STORE : SNAP_NOTX);
      if( strcmp(zAfter, b->zSnapNoTx) ){
        fprintf(stderr, "BEFORE:\n%s\nAFTER:\n%s\n", b->zSnapNoTx, zAfter);
        callFail(f, zCall, "a failed no-transaction migration changed more"
                 " than its own tables", 0);
      }
      sqlite3_free(zAfter);
    }
    if( (eCall==C_UP || eCall==C_UPT) && nUp>0 ){
      /* what stayed is a prefix of the pending versioned names */
      int bGap = 0;
      for(i=0; i<b->pending.n; i++){
        const char *zN = b->pending.az[i]+2;
        int bIn = 0;
        for(j=0; j<nH; j++){
          if( aH[j].bOk && aH[j].eDir=='u' && strcmp(aH[j].zName, zN)==0 ) bIn = 1;
        }
        if( bIn && bGap ) callFail(f, zCall, "the committed part is not a"
                                   " prefix of the run list", zN);
        if( !bIn ) bGap = 1;
      }
    }
  }

  /* every name: what ran (log) against what the history and ledger say */
  zSql = must(sqlite3_mprintf("SELECT n, d FROM log WHERE id>%lld"
                              " AND d IN ('up','down') ORDER BY id", b->mxLog));
  rowsOf(db, zSql, &logs);
  if( gTrace ){
    fprintf(stderr, "  log since %lld:", b->mxLog);
    for(i=0; i<logs.n; i++) fprintf(stderr, " %s", logs.az[i]);
    fprintf(stderr, "\n");
  }
  sqlite3_free(zSql);
  if( hasTable(db, "migrations_ledger") ){
    rowsOf(db, "SELECT name, batch, checksum FROM migrations_ledger", &ledger);
    rowsOf(db, "SELECT name FROM migrations_ledger UNION SELECT n FROM log"
               " WHERE d IN ('up','down') UNION SELECT name FROM"
               " migrations_history", &names);
  }
  for(i=0; i<b->ledger.n; i++){
    char *zN = must(sqlite3_mprintf("t:%.*s",
                    (int)(strchr(b->ledger.az[i], '|')-b->ledger.az[i]-2),
                    b->ledger.az[i]+2));
    if( !rowsHas(&names, zN) ) rowsAdd(&names, zN); else sqlite3_free(zN);
  }
  iBatch = eCall==C_REFRESH ? 1 : b->mxBatch+1;
  for(i=0; i<names.n; i++){
    const char *zN = names.az[i]+2;
    int hu = 0, hd = 0;
    int lu = logCount(&logs, zN, "up");
    int ld = logCount(&logs, zN, "down");
    const char *zLb = ledgerOf(&b->ledger, zN);
    const char *zLa = ledgerOf(&ledger, zN);
    if( names.az[i][0]!='t' ) continue;
    for(j=0; j<nH; j++){
      if( !aH[j].bOk || strcmp(aH[j].zName, zN) ) continue;
      if( aH[j].eDir=='u' ) hu++;
      if( aH[j].eDir=='d' ) hd++;
    }
    if( pFailNoTx && strcmp(pFailNoTx->zName, zN)==0 ){
      /* the failed no-transaction migration: its log line stays */
      if( pFailNoTx->eDir=='u' && lu==hu+1 ) lu--;
      if( pFailNoTx->eDir=='d' && ld==hd+1 ) ld--;
    }
    if( hu>1 || hd>1 ) callFail(f, zCall, "a migration ran twice", zN);
    if( strncmp(zN, "zz", 2)!=0 && (lu!=hu || ld!=hd) ){
      char *z = sqlite3_mprintf("%s: ran up %d down %d times, history says"
                                " %d and %d", zN, lu, ld, hu, hd);
      callFail(f, zCall, "what ran differs from the history", z);
    }
    if( zLb && ledgerBatch(zLb)==0 && (hu || hd || lu || ld) ){
      callFail(f, zCall, "a baselined migration ran", zN);
    }
    if( hd && !zLb ) callFail(f, zCall, "reverted what was not applied", zN);
    if( hu && !(zLa && ledgerBatch(zLa)==iBatch) ){
      callFail(f, zCall, "an applied migration is not in the ledger with"
               " the call's batch", zN);
    }
    if( !hu && hd && zLa ) callFail(f, zCall, "a reverted migration is still"
                                    " in the ledger", zN);
    if( !hu && !hd ){
      int bSame = (zLb==0 && zLa==0) || (zLb && zLa && strcmp(zLb, zLa)==0);
      int bOk = bSame;
      if( !bSame && rc==SQLITE_OK ){
        if( eCall==C_REPAIR ){
          /* forgets a missing one, or re-records a checksum */
          bOk = zLb!=0 && (zLa==0 ? !rowsHas(&b->defs, names.az[i])
                                  : ledgerBatch(zLa)==ledgerBatch(zLb));
        }else if( eCall==C_BASE || eCall==C_MARK ){
          bOk = zLb==0 && zLa && ledgerBatch(zLa)==0;
        }
      }
      if( !bOk ) callFail(f, zCall, "a ledger row changed but its migration"
                          " did not run", zN);
    }
  }
  if( rc==SQLITE_OK && eCall!=C_DRY ){
    sqlite3_int64 nWant = -1;
    if( eCall==C_UP || eCall==C_UPT || eCall==C_REFRESH ) nWant = nUp;
    if( eCall==C_RB || eCall==C_RBTO || eCall==C_RESET ) nWant = nDown;
    if( eCall>=C_REPAIR && nUp+nDown ){
      callFail(f, zCall, "repair, baseline or mark ran a script", 0);
    }
    if( nWant>=0 && nRet!=nWant ){
      char *z = sqlite3_mprintf("returned %lld, ran %lld", nRet, nWant);
      callFail(f, zCall, "the count returned is wrong", z);
    }
    if( (eCall==C_RB || eCall==C_RBTO || eCall==C_RESET) && nUp ){
      callFail(f, zCall, "a rollback applied something", 0);
    }
    if( (eCall==C_UP || eCall==C_UPT) && nDown ){
      callFail(f, zCall, "migrate() reverted something", 0);
    }
    checkHooks(f, b, zCall, eCall, nUp, nDown);
    if( eCall<C_REPAIR && f->nProgress>=0 && f->nProgress!=nUp+nDown ){
      callFail(f, zCall, "progress callbacks differ from what ran", 0);
    }
  }
  /* a call never adds a definition (migrate_boot() defines its own): what
  ** a call runs is fixed when it starts, and writes to the definitions
  ** from its scripts, hooks and verify queries are refused */
  if( strcmp(zCall, "migrate_boot")!=0 && hasTable(db, "migrations_scripts") ){
    Rows defs;
    rowsOf(db, "SELECT name FROM migrations_scripts", &defs);
    for(i=0; i<defs.n; i++){
      if( !rowsHas(&b->defs, defs.az[i]) ){
        callFail(f, zCall, "a definition was added during the call",
                 defs.az[i]);
      }
    }
    rowsFree(&defs);
  }
  /* a call never leaves a claim behind */
  if( hasTable(db, "migrations_lock") ){
    sqlite3_int64 nLock = oneInt(db, "SELECT count(*) FROM migrations_lock");
    if( nLock>b->nLock || (rc==SQLITE_OK && eCall==C_REPAIR && nLock) ){
      callFail(f, zCall, "a claim was left in migrations_lock", 0);
    }
  }
check_done:
  rowsFree(&names);
  rowsFree(&logs);
  rowsFree(&ledger);
  histFree(aH, nH);
}

/*------------------------------------------------------------------------
** After every step
*/
static sqlite3_int64 gSoft, gHard;

static void checkStep(Fz *f){
  sqlite3 *db = f->db;
  sqlite3_stmt *p = 0;
  if( !f->bUserTxn && !sqlite3_get_autocommit(db) ){
    fail("connection left inside a transaction", 0);
  }
  if( sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &p, 0)!=SQLITE_OK
   || sqlite3_step(p)!=SQLITE_ROW
   || strcmp((const char*)sqlite3_column_text(p, 0), "ok")!=0 ){
    fail("integrity_check", sqlite3_errmsg(db));
  }
  sqlite3_finalize(p);
  if( hasTable(db, "migrations_ledger")
   && oneInt(db, "SELECT count(*) - count(DISTINCT name) FROM migrations_ledger")!=0 ){
    fail("a name twice in the ledger", 0);
  }
  if( runSql(db, "SELECT * FROM migration_status", 0)!=SQLITE_OK ){
    fail("migration_status unreadable", sqlite3_errmsg(db));
  }
  /* the witness rows: nothing deletes them on purpose (000_legacy's down
  ** does, when it was applied for real and then reverted) */
  if( oneInt(db, "SELECT count(*) FROM log WHERE n='000_legacy' AND d='down'")==0 ){
    if( oneInt(db, "SELECT count(*) FROM lp WHERE id IN (1000, 1001)")!=2
     || oneInt(db, "SELECT count(*) FROM lc WHERE id=2000 AND pid=1000"
                   " OR id=2001 AND pid=1001")!=2 ){
      fail("a witness row of lp or lc disappeared", sqlite3_errmsg(db));
    }
  }
  if( f->eLegacy<2
   && oneInt(db, "SELECT count(*) FROM log WHERE n='000_legacy'")!=0 ){
    fail("the baselined (or marked) migration 000_legacy ran", 0);
  }
  if( sqlite3_soft_heap_limit64(-1)!=gSoft || sqlite3_hard_heap_limit64(-1)!=gHard ){
    fail("a process-wide heap limit changed", 0);
  }
}

/*------------------------------------------------------------------------
** Steps
*/
static void progressCb(void *pArg, const char *zName, const char *zDir,
                       sqlite3_int64 iMs, sqlite3_int64 nChange){
  Fz *f = (Fz*)pArg;
  (void)zName; (void)zDir; (void)iMs; (void)nChange;
  f->nProgress++;
  if( f->nProgress==1 && (f->in.i & 1) ){
    sqlite3_int64 n = 0;
    char *zErr = 0;
    if( migrate_run(f->db, "migrate", 0, 0, 0, &n, &zErr)==SQLITE_OK ){
      f->bNestedOk = 1;
    }
    sqlite3_free(zErr);
  }
}

/* One call, by SQL or through migrate_run() (bC).  zArg may be NULL. */
static void doCall(Fz *f, int eCall, const char *zArg, int bC){
  Before b;
  sqlite3_int64 nRet = -1;
  int rc;
  char *zSql;
  beforeTake(f, &b, 0);
  f->nProgress = bC ? 0 : -1;
  f->bNestedOk = 0;
  if( eCall==C_RB && zArg ){
    zSql = must(sqlite3_mprintf("SELECT rollback(%s)", zArg));
  }else if( zArg ){
    zSql = must(sqlite3_mprintf("SELECT %s(%Q)", azCall[eCall], zArg));
  }else{
    zSql = must(sqlite3_mprintf("SELECT %s()", azCall[eCall]));
  }
  if( bC ){
    char *zErr = 0;
    rc = migrate_run(f->db, azCall[eCall], zArg, progressCb, f, &nRet, &zErr);
    if( gTrace ) fprintf(stderr, "  C %s(%s) -> %d %s n=%lld\n", azCall[eCall],
                         zArg ? zArg : "", rc, zErr ? zErr : "", nRet);
    sqlite3_free(zErr);
  }else{
    rc = runSql(f->db, zSql, &nRet);
    if( gTrace ) fprintf(stderr, "  %s -> %d %s n=%lld\n", zSql, rc,
                         rc ? sqlite3_errmsg(f->db) : "", nRet);
  }
  if( f->bNestedOk ) fail("a nested call from a progress callback ran", zSql);
  if( f->bUserTxn && sqlite3_get_autocommit(f->db) ){
    if( f->bKnown & KNOWN_ROLLBACK ){
      f->bUserTxn = 0;
      f->nUwOpen = 0;
    }else{
      fail("a call ended the caller's transaction (their rows are gone)", zSql);
    }
  }
  checkCall(f, &b, eCall, zSql, rc, nRet);
  beforeFree(&b);
  sqlite3_free(zSql);
}

/* migrate_boot() with one or two migrations (the second named after the
** first in the list): defines them under the lock and migrates, as one
** transaction. */
static void doBoot(Fz *f, const char *zName, int bTwo){
  Before b;
  migrate_script a[2];
  char *az[4];
  int i, n = bTwo ? 2 : 1, nApplied = -1, rc;
  char *zErr = 0;
  beforeTake(f, &b, 1);
  f->nProgress = -1;
  for(i=0; i<n; i++){
    int t = next(&f->in), w = next(&f->in);
    a[i].zName = i ? azName[(w>>4) % NNAME] : zName;
    az[2*i] = makeScript(f, a[i].zName, 0, (w & 7)==0, t % 34, (t>>6) & 3);
    az[2*i+1] = makeScript(f, a[i].zName, 1, 0, t % 34, (t>>6) & 3);
    a[i].zUp = az[2*i];
    a[i].zDown = az[2*i+1];
    /* what the boot defines replaces what was defined, for the oracle */
    rowsRemove(&b.notx, "t:u:", a[i].zName);
    if( isNoTx(a[i].zUp) ){
      rowsAdd(&b.notx, must(sqlite3_mprintf("t:u:%s", a[i].zName)));
    }
    if( gTrace ) fprintf(stderr, "  boot %s up: %s\n", a[i].zName, a[i].zUp);
  }
  rc = migrate_boot(f->db, a, n, &nApplied, &zErr);
  if( gTrace ) fprintf(stderr, "  migrate_boot(%s%s%s) -> %d %s n=%d\n",
                       a[0].zName, n>1 ? ", " : "", n>1 ? a[1].zName : "",
                       rc, zErr ? zErr : "", nApplied);
  if( f->bUserTxn && sqlite3_get_autocommit(f->db) ){
    if( f->bKnown & KNOWN_ROLLBACK ){ f->bUserTxn = 0; f->nUwOpen = 0; }
    else fail("migrate_boot ended the caller's transaction", 0);
  }
  checkCall(f, &b, C_UP, "migrate_boot", rc, nApplied);
  for(i=0; i<2*n; i++) sqlite3_free(az[i]);
  sqlite3_free(zErr);
  beforeFree(&b);
}

/* A statement on the virtual tables (or storage) that must change nothing
** when it fails. */
static void doWrite(Fz *f, char *zSql){
  char *zBefore = snapshot(f->db, SNAP_STRICT);
  int rc = runSql(f->db, zSql, 0);
  if( gTrace ) fprintf(stderr, "  %.300s -> %d %s\n", zSql, rc,
                       rc ? sqlite3_errmsg(f->db) : "");
  if( rc!=SQLITE_OK ){
    char *zAfter = snapshot(f->db, SNAP_STRICT);
    if( strcmp(zBefore, zAfter) ) fail("a failed write changed the database", zSql);
    sqlite3_free(zAfter);
  }
  sqlite3_free(zBefore);
  sqlite3_free(zSql);
}

static void setUp(Fz *f){
  sqlite3 *db = f->db;
  int c = next(&f->in);
  char *z;
  f->eLegacy = (c>>4) % 4;
  runSql(db, (c & 1) ? "PRAGMA foreign_keys=ON" : "PRAGMA foreign_keys=OFF", 0);
  z = must(sqlite3_mprintf(
    "CREATE TABLE log(id INTEGER PRIMARY KEY, n TEXT, d TEXT);"
    "CREATE TABLE uw(id INTEGER PRIMARY KEY, v);"
    "CREATE TABLE lp(id INTEGER PRIMARY KEY, v TEXT);"
    "CREATE TABLE lc(id INTEGER PRIMARY KEY, pid INTEGER DEFAULT 0"
    " REFERENCES lp(id) %s);"
    "INSERT INTO lp VALUES(1, 'x'), (2, 'y'), (1000, 'w'), (1001, 'w');"
    "INSERT INTO lc VALUES(10, 1), (20, 2), (2000, 1000), (2001, 1001);",
    azAction[(c>>1) % 8]));
  if( runSql(db, z, 0)!=SQLITE_OK ) fail("set-up", sqlite3_errmsg(db));
  sqlite3_free(z);
  if( f->eLegacy<3 ){
    if( runSql(db,
      "INSERT INTO migrations(name, up, down) VALUES('000_legacy',"
      " 'INSERT INTO log(n, d) VALUES(''000_legacy'', ''up'');"
      " CREATE TABLE IF NOT EXISTS lp(id INTEGER PRIMARY KEY, v TEXT);',"
      " 'INSERT INTO log(n, d) VALUES(''000_legacy'', ''down'');"
      " DROP TABLE lc; DROP TABLE lp;')", 0)!=SQLITE_OK ){
      fail("set-up", sqlite3_errmsg(db));
    }
    if( f->eLegacy==0 ) doCall(f, C_BASE, "000_legacy", 0);
    if( f->eLegacy==1 ) doCall(f, C_MARK, "000_legacy", 0);
  }
}

static void step(Fz *f, int op){
  Input *in = &f->in;
  int a = next(in);
  const char *zName = azName[a % NNAME];
  switch( op % 24 ){
    case 0: case 1: case 2: {     /* define */
      int t = next(in), k = next(in), w = next(in);
      int bNoTx = (w & 7)==0;
      char *zUp = makeScript(f, zName, 0, bNoTx, t % 34, k % 4);
      char *zDown = (w & 8) ? makeScript(f, zName, 1, bNoTx && (w & 16), t % 34, k % 4)
                            : makeScript(f, zName, 1, 0, t % 34, k % 4);
      char *zVerify = (w & 0x20) ? must(makeVerify(f, zName)) : 0;
      int bRep = (w & 0xc0)==0xc0;
      if( bRep ){ sqlite3_free(zDown); zDown = 0; }
      doWrite(f, must(sqlite3_mprintf(
          "INSERT %s INTO migrations(name, up, down, verify, repeatable)"
          " VALUES(%Q, %Q, %Q, %Q, %d)",
          op%3==0 ? "" : op%3==1 ? "OR REPLACE" : "OR IGNORE",
          zName, zUp, zDown, zVerify, bRep)));
      sqlite3_free(zUp);
      sqlite3_free(zDown);
      sqlite3_free(zVerify);
      break;
    }
    case 3: {                     /* edit */
      int t = next(in), k = next(in);
      char *z;
      switch( t % 5 ){
        case 0: doWrite(f, must(sqlite3_mprintf("DELETE FROM migrations WHERE"
                                                " name=%Q", zName))); break;
        case 1: case 2:
          z = makeScript(f, zName, t%5==2, (k & 0x30)==0x30, (t>>3) % 34, k % 4);
          doWrite(f, must(sqlite3_mprintf("UPDATE migrations SET %s=%Q WHERE"
                  " name=%Q", t%5==2 ? "down" : "up", z, zName)));
          sqlite3_free(z);
          break;
        case 3:
          z = makeVerify(f, zName);
          doWrite(f, must(sqlite3_mprintf("UPDATE migrations SET verify=%Q"
                  " WHERE name=%Q", z, zName)));
          sqlite3_free(z);
          break;
        default:
          doWrite(f, must(sqlite3_mprintf("UPDATE migrations SET verify=NULL,"
                  " repeatable=%d WHERE name=%Q", k & 1, zName)));
      }
      break;
    }
    case 4: case 5: doCall(f, C_UP, 0, 0); break;
    case 6: doCall(f, C_UPT, zName, 0); break;
    case 7: {
      char z[8];
      snprintf(z, sizeof(z), "%d", a % 4);
      doCall(f, C_RB, z, 0);
      break;
    }
    case 8: doCall(f, C_RBTO, zName, 0); break;
    case 9: doCall(f, C_RESET, 0, 0); break;
    case 10:
      doCall(f, (f->bKnown & KNOWN_REFRESH) ? C_RESET : C_REFRESH, 0, 0);
      break;
    case 11: doCall(f, C_DRY, (a & 1) ? zName : 0, 0); break;
    case 12: doCall(f, C_REPAIR, 0, 0); break;
    case 13:
      runSql(f->db, "SELECT name, state, batch, checksum FROM migration_status;"
                    " SELECT migrate_version()", 0);
      break;
    case 14:                      /* the user's transaction */
      if( !f->bUserTxn ){
        if( runSql(f->db, "BEGIN", 0)==SQLITE_OK ) f->bUserTxn = 1;
      }else if( a & 1 ){
        int rc = runSql(f->db, "COMMIT", 0);
        if( gTrace ) fprintf(stderr, "  COMMIT -> %d\n", rc);
        if( sqlite3_get_autocommit(f->db) ){
          f->bUserTxn = 0;
          if( rc==SQLITE_OK ){
            f->nUwDone += f->nUwOpen;
            if( oneInt(f->db, "SELECT count(*) FROM uw")!=f->nUwDone ){
              fail("the user's own rows are not all there after COMMIT", 0);
            }
          }
          f->nUwOpen = 0;
        }
      }else{
        runSql(f->db, "ROLLBACK", 0);
        f->bUserTxn = 0;
        f->nUwOpen = 0;
      }
      break;
    case 15: doCall(f, C_RB, 0, 0); break;
    case 16: {                    /* hooks through migration_hooks */
      if( a % 4==0 ){
        doWrite(f, must(sqlite3_mprintf("DELETE FROM migration_hooks WHERE"
                                        " event=%Q", azEvent[a % 6])));
      }else{
        const char *zEvent;
        char *z = makeHook(f, &zEvent);
        doWrite(f, must(sqlite3_mprintf("INSERT INTO migration_hooks(event,"
                                        " script) VALUES(%Q, %Q)", zEvent, z)));
        sqlite3_free(z);
      }
      break;
    }
    case 17: {                    /* past the tables: damage */
      char *z;
      switch( a % 8 ){
        case 0: case 1: {
          const char *zEvent;
          z = makeHook(f, &zEvent);
          doWrite(f, must(sqlite3_mprintf("INSERT INTO migrations_hooks(event,"
                  " script) VALUES(%Q, %Q)", (a & 8) ? "bogus" : zEvent, z)));
          sqlite3_free(z);
          break;
        }
        case 2:
          doWrite(f, must(sqlite3_mprintf("UPDATE migrations_scripts SET"
                  " verify=%Q WHERE name=%Q", (a & 8) ? "COMMIT" : BOM "ROLLBACK",
                  zName)));
          break;
        case 3:
          doWrite(f, must(sqlite3_mprintf("UPDATE migrations_scripts SET"
                  " verify=x'53454c4543542031' WHERE name=%Q", zName)));
          break;
        case 4: {
          int t = next(in);
          z = makeScript(f, zName, 0, 1, t, t>>4 & 3);
          doWrite(f, must(sqlite3_mprintf("UPDATE migrations_scripts SET up=%Q,"
                  " checksum=migration_checksum(%Q) WHERE name=%Q", z, z, zName)));
          sqlite3_free(z);
          break;
        }
        case 5:                   /* a claim left by a crash */
          doWrite(f, must(sqlite3_mprintf(
                  "CREATE TABLE IF NOT EXISTS main.migrations_lock("
                  "name TEXT NOT NULL UNIQUE, batch INTEGER NOT NULL,"
                  " started_at TEXT NOT NULL);"
                  "INSERT INTO migrations_lock(name, batch, started_at)"
                  " VALUES(%Q, 1, '2026-01-01 00:00:00.000')", zName)));
          break;
        default: {
          int t = next(in);
          z = makeScript(f, zName, 0, 0, t % 34, t>>6);
          doWrite(f, must(sqlite3_mprintf("UPDATE migrations_scripts SET up=%Q,"
                  " checksum=migration_checksum(%Q) WHERE name=%Q", z, z, zName)));
          sqlite3_free(z);
        }
      }
      break;
    }
    case 18: doCall(f, C_BASE, zName, 0); break;
    case 19: doCall(f, C_MARK, zName, 0); break;
    case 20: {                    /* the user's own rows */
      static const char *const az[] = {
        "INSERT OR IGNORE INTO lp(id, v) VALUES(1, 'x'), (2, 'y')",
        "INSERT OR IGNORE INTO lc(id, pid) VALUES(10, 1), (20, 2)",
        "DELETE FROM lc WHERE id IN (10, 20)",
        "INSERT INTO lc(id, pid) VALUES(30, 77)"
      };
      if( a % 2 ){
        if( runSql(f->db, "INSERT INTO uw(v) VALUES('mine')", 0)==SQLITE_OK ){
          if( f->bUserTxn ) f->nUwOpen++; else f->nUwDone++;
        }
      }else{
        runSql(f->db, az[(a>>1) % 4], 0);
      }
      break;
    }
    case 21: {                    /* the user's PRAGMAs */
      static const char *const az[] = {
        "PRAGMA foreign_keys=ON", "PRAGMA foreign_keys=OFF",
        "PRAGMA legacy_alter_table=ON", "PRAGMA legacy_alter_table=OFF",
        "PRAGMA recursive_triggers=ON", "PRAGMA defer_foreign_keys=ON",
        "PRAGMA foreign_keys=ON", "PRAGMA user_version=3"
      };
      runSql(f->db, az[a % 8], 0);
      break;
    }
    case 22: {                    /* migration_diff() and its PRAGMAs */
      static const char *const az[] = {
        "PRAGMA soft_heap_limit=1000; CREATE TABLE t0(a);",
        "CREATE TABLE t0(a); PRAGMA hard_heap_limit=1000;",
        "PRAGMA foreign_keys=ON; PRAGMA user_version=9; CREATE TABLE t1(a);",
        "PRAGMA temp_store_directory='/nonexistent'; CREATE TABLE t0(a);",
        "CREATE TABLE lp(id INTEGER PRIMARY KEY, v TEXT, z);",
        BOM "CREATE TABLE t2(a);\v",
        "PRAGMA legacy_alter_table=ON; CREATE TABLE t3(a);",
        "CREATE TABLE t0(a, b); CREATE INDEX i0 ON t0(b);"
      };
      char *z = must(sqlite3_mprintf("SELECT migration_diff(%Q)", az[a % 8]));
      runSql(f->db, z, 0);
      sqlite3_free(z);
      break;
    }
    default: {                    /* the C API, with a progress callback */
      int e = next(in) % 12;
      if( e>=10 ){                /* migrate_boot(): define and migrate */
        doBoot(f, zName, e==11);
        break;
      }
      char zN[8];
      const char *zArg = 0;
      if( e==C_UPT || e==C_RBTO || e==C_BASE || e==C_MARK ) zArg = zName;
      if( e==C_RB ){ snprintf(zN, sizeof(zN), "%d", a % 3); zArg = zN; }
      if( e==C_DRY && (a & 1) ) zArg = zName;
      if( e==C_REFRESH && (f->bKnown & KNOWN_REFRESH) ) e = C_RESET;
      doCall(f, e, zArg, 1);
    }
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *aData, size_t nData){
  Fz fz;
  Fz *f = &fz;
  int nStep = 0;
  memset(f, 0, sizeof(*f));
  f->in.a = aData;
  f->in.n = nData;
  f->bKnown = knownBugs();
  gTrace = getenv("FUZZ_TRACE")!=0;
  gSoft = sqlite3_soft_heap_limit64(-1);
  gHard = sqlite3_hard_heap_limit64(-1);
  if( sqlite3_open(":memory:", &f->db)!=SQLITE_OK ) abort();
  sqlite3_migrate_init(f->db, 0, 0);
  sqlite3_limit(f->db, SQLITE_LIMIT_LENGTH, 100000);
  setUp(f);
  checkStep(f);
  while( f->in.i<f->in.n && nStep++<48 ){
    int op = next(&f->in);
    if( gTrace ) fprintf(stderr, "step %d op %d\n", nStep, op % 24);
    step(f, op);
    checkStep(f);
  }
  if( f->bUserTxn ) runSql(f->db, "ROLLBACK", 0);
  sqlite3_close(f->db);
  return 0;
}

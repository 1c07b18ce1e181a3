/*
** dump.c — migration_dump([part]): the schema of main as SQL text, in a
** deterministic order, with what libmigrate needs to know which migrations
** are applied; `sqlite3 new.db < FILE` loads it with no extension.
**
** USAGE
**   SELECT migration_dump();          -- everything (below)
**   SELECT migration_dump('schema');  -- the user's schema only
**   SELECT migration_dump('rows');    -- the user's schema and its rows
**                                     -- (a squash's up script)
**
** WHAT IT WRITES
**   Every table, then every index, view and trigger, each group in natural
**   order of names, as SQLite keeps their CREATE statements (SQLite's own
**   sqlite_* tables and the shadow tables of virtual tables left out: the
**   CREATE VIRTUAL TABLE makes them).  The whole dump also has libmigrate's
**   storage tables, and then, as INSERT statements:
**     - the definition (migrations_scripts row) of every migration that is
**       not pending: applied, changed, or replaced by a squash, and a squash
**       that counts as applied — pending ones come from the project's
**       files, and without these rows migration_status would show the
**       applied migrations as `missing`;
**     - every ledger row, recorded as migrate_baseline() records one: batch
**       0, applied_at the time the dump is loaded, duration 0, changes NULL
**       (a database loaded from a dump ran none of them; rollbacks leave
**       them alone), with a `baseline` history row each;
**     - the hooks.
**   So migration_status on the loaded database shows the same migrations
**   in the same states, and two databases that applied the same
**   migrations, at any time and in any batches, dump the same text.  It is
**   wrapped in PRAGMA foreign_keys=OFF; BEGIN; ... COMMIT; for the shell.
**   'schema' and 'rows' leave out libmigrate's tables and rows and the
**   transaction: they are script text ('rows' adds an INSERT per row of
**   every ordinary table, and the AUTOINCREMENT counters).
**
** HOW IT WORKS
**   One query of sqlite_schema ordered by kind and name; values are
**   written with SQL's quote(); the migration states come from plan.c.
**   Reads only.  Kept in the firmware build (it needs no schema model).
*/
#ifndef MIGRATE_OMIT_DUMP   /* firmware builds may leave it out */
#include "migrateInt.h"
#include <string.h>

#define DUMP_ALL    0
#define DUMP_SCHEMA 1
#define DUMP_ROWS   2

/* libmigrate's storage tables (left out of 'schema' and 'rows'). */
#define DUMP_STORAGE "('migrations_scripts','migrations_ledger'," \
  "'migrations_history','migrations_hooks','migrations_lock')"

/* Runs zSql and appends, for each row, zFmt's text with its columns
** pasted in order as %s (quote() results, so SQL literals). */
static int dumpRows(sqlite3 *db, const char *zSql, const char *zBind,
                    sqlite3_str *pOut, const char *zHead, const char *zTail){
  sqlite3_stmt *pStmt = 0;
  int rc = sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0);
  if( rc!=SQLITE_OK ) return rc;
  if( zBind ) sqlite3_bind_text(pStmt, 1, zBind, -1, SQLITE_STATIC);
  while( sqlite3_step(pStmt)==SQLITE_ROW ){
    int i;
    sqlite3_str_appendall(pOut, zHead);
    for(i=0; i<sqlite3_column_count(pStmt); i++){
      const char *z = (const char*)sqlite3_column_text(pStmt, i);
      sqlite3_str_appendf(pOut, "%s%s", i ? "," : "", z ? z : "NULL");
    }
    sqlite3_str_appendall(pOut, zTail);
  }
  return sqlite3_finalize(pStmt);
}

/*
** The rows of ordinary table zTable as INSERT statements, its stored
** (non-generated) columns only, then its AUTOINCREMENT counter if any.
*/
static int dumpTableRows(sqlite3 *db, const char *zTable, sqlite3_str *pOut){
  sqlite3_stmt *pStmt = 0;
  sqlite3_str *pCols = sqlite3_str_new(0);
  sqlite3_str *pSel = sqlite3_str_new(0);
  char *zSql = 0, *zHead = 0;
  int rc, n = 0;
  rc = sqlite3_prepare_v2(db, "SELECT name FROM pragma_table_xinfo(?1,'main')"
                          " WHERE hidden=0 ORDER BY cid", -1, &pStmt, 0);
  if( rc==SQLITE_OK ){
    sqlite3_bind_text(pStmt, 1, zTable, -1, SQLITE_STATIC);
    while( sqlite3_step(pStmt)==SQLITE_ROW ){
      const char *zCol = (const char*)sqlite3_column_text(pStmt, 0);
      sqlite3_str_appendf(pCols, "%s\"%w\"", n ? "," : "", zCol);
      sqlite3_str_appendf(pSel, "%squote(\"%w\")", n++ ? "," : "", zCol);
    }
    rc = sqlite3_finalize(pStmt);
  }
  if( rc==SQLITE_OK && n>0 ){
    zSql = sqlite3_mprintf("SELECT %s FROM main.\"%w\"",
                           sqlite3_str_value(pSel), zTable);
    zHead = sqlite3_mprintf("INSERT INTO \"%w\"(%s) VALUES(", zTable,
                            sqlite3_str_value(pCols));
    rc = zSql && zHead ? dumpRows(db, zSql, 0, pOut, zHead, ");\n")
                       : SQLITE_NOMEM;
  }
  if( rc==SQLITE_OK && sqlite3_prepare_v2(db, "SELECT seq FROM"
      " main.sqlite_sequence WHERE name=?1", -1, &pStmt, 0)==SQLITE_OK ){
    /* no sqlite_sequence (no AUTOINCREMENT table): nothing to write */
    sqlite3_bind_text(pStmt, 1, zTable, -1, SQLITE_STATIC);
    if( sqlite3_step(pStmt)==SQLITE_ROW ){
      sqlite3_str_appendf(pOut, "DELETE FROM sqlite_sequence WHERE name=%Q;\n"
          "INSERT INTO sqlite_sequence(name, seq) VALUES(%Q, %lld);\n",
          zTable, zTable, sqlite3_column_int64(pStmt, 0));
    }
    rc = sqlite3_finalize(pStmt);
  }
  sqlite3_free(zSql);
  sqlite3_free(zHead);
  sqlite3_free(sqlite3_str_finish(pCols));
  sqlite3_free(sqlite3_str_finish(pSel));
  return rc;
}

/*
** Appends the schema (tables, indexes, views, triggers; libmigrate's
** storage only when eWhat is DUMP_ALL), and for DUMP_ROWS the rows.
*/
static int dumpSchema(sqlite3 *db, int eWhat, sqlite3_str *pOut){
  static const char zSql[] =
      "SELECT type, name, sql, sql LIKE 'CREATE VIRTUAL%%'"
      "  FROM main.sqlite_schema"
      " WHERE sql IS NOT NULL AND type IN ('table','index','view','trigger')"
      "   AND name NOT LIKE 'sqlite\\_%%' ESCAPE '\\' %s %s"
      " ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1"
      "                    WHEN 'view' THEN 2 ELSE 3 END,"
      "          name COLLATE " MIGRATE_COLLATION;
  static const char zNoShadow[] =
      " AND name NOT IN (SELECT name FROM pragma_table_list"
      "   WHERE schema='main' AND type='shadow')";
  const char *zNoStorage = eWhat==DUMP_ALL ? ""
      : " AND lower(tbl_name) NOT IN " DUMP_STORAGE;
  sqlite3_stmt *pStmt = 0;
  char *zQ = sqlite3_mprintf(zSql, zNoStorage, zNoShadow);
  int rc;
  if( zQ==0 ) return SQLITE_NOMEM;
  rc = sqlite3_prepare_v2(db, zQ, -1, &pStmt, 0);
  sqlite3_free(zQ);
  if( rc==SQLITE_ERROR ){
    /* before 3.37 there is no pragma_table_list */
    zQ = sqlite3_mprintf(zSql, zNoStorage, "");
    if( zQ==0 ) return SQLITE_NOMEM;
    rc = sqlite3_prepare_v2(db, zQ, -1, &pStmt, 0);
    sqlite3_free(zQ);
  }
  if( rc!=SQLITE_OK ) return rc;
  while( sqlite3_step(pStmt)==SQLITE_ROW ){
    sqlite3_str_appendf(pOut, "%s;\n", sqlite3_column_text(pStmt, 2));
  }
  rc = sqlite3_reset(pStmt);
  if( rc==SQLITE_OK && eWhat==DUMP_ROWS ){
    while( rc==SQLITE_OK && sqlite3_step(pStmt)==SQLITE_ROW ){
      if( strcmp((const char*)sqlite3_column_text(pStmt, 0), "table")==0
       && sqlite3_column_int(pStmt, 3)==0 ){
        rc = dumpTableRows(db, (const char*)sqlite3_column_text(pStmt, 1),
                           pOut);
      }
    }
    if( rc==SQLITE_OK ) rc = sqlite3_reset(pStmt);
  }
  sqlite3_finalize(pStmt);
  return rc;
}

/*
** Appends libmigrate's rows (see the header): definitions of what is not
** pending, the ledger as a baseline, the hooks.  *pzErr is set by a plan
** that does not load (a damaged ledger).
*/
static int dumpLedger(sqlite3 *db, sqlite3_str *pOut, char **pzErr){
  MigratePlan plan;
  int bExists = 0, bReplaces = 0, bHooks = 0, i;
  int rc = migrateStoreExists(db, &bExists);
  memset(&plan, 0, sizeof(plan));
  if( rc!=SQLITE_OK || !bExists ) return rc;
  rc = migratePlanLoad(db, &plan, "migration_dump", pzErr);
  if( rc==SQLITE_OK ) rc = migrateStoreHasReplaces(db, &bReplaces);
  for(i=0; rc==SQLITE_OK && i<plan.nItem; i++){
    const MigrateItem *pItem = &plan.aItem[i];
    if( pItem->iScript==0 || pItem->eState==MIGRATE_PENDING ) continue;
    rc = dumpRows(db, bReplaces
        ? "SELECT quote(name), quote(checksum), quote(down_checksum),"
          " repeatable, quote(up), quote(down), quote(verify),"
          " quote(replaces) FROM main.migrations_scripts WHERE name=?1"
        : "SELECT quote(name), quote(checksum), quote(down_checksum),"
          " repeatable, quote(up), quote(down), quote(verify)"
          " FROM main.migrations_scripts WHERE name=?1", pItem->zName, pOut,
        bReplaces
        ? "INSERT INTO migrations_scripts(name, checksum, down_checksum,"
          " repeatable, up, down, verify, replaces) VALUES("
        : "INSERT INTO migrations_scripts(name, checksum, down_checksum,"
          " repeatable, up, down, verify) VALUES(", ");\n");
  }
  migratePlanFree(&plan);
  if( rc==SQLITE_OK ){
    rc = dumpRows(db, "SELECT quote(name), quote(checksum), repeatable,"
        " quote(down) FROM main.migrations_ledger"
        " ORDER BY name COLLATE " MIGRATE_COLLATION, 0, pOut,
        "INSERT INTO migrations_ledger(name, checksum, repeatable, down,"
        " batch, applied_at, duration_ms, changes) VALUES(",
        ", 0, strftime('%Y-%m-%d %H:%M:%f','now'), 0, NULL);\n");
  }
  if( rc==SQLITE_OK ){
    sqlite3_str_appendall(pOut, "INSERT INTO migrations_history(name,"
        " direction, batch, at, duration_ms, ok) SELECT name, 'baseline', 0,"
        " applied_at, 0, 1 FROM migrations_ledger ORDER BY rowid;\n");
    rc = migrateStoreHasTable(db, "migrations_hooks", &bHooks);
  }
  if( rc==SQLITE_OK && bHooks ){
    rc = dumpRows(db, "SELECT quote(event), quote(script)"
        " FROM main.migrations_hooks ORDER BY id", 0, pOut,
        "INSERT INTO migrations_hooks(event, script) VALUES(", ");\n");
  }
  return rc;
}

/* migration_dump([part]) */
void migrateDumpFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  sqlite3 *db = sqlite3_context_db_handle(ctx);
  sqlite3_str *pOut;
  char *zErr = 0;
  int eWhat = DUMP_ALL;
  int rc;
  if( argc==1 ){
    const char *z = sqlite3_value_type(argv[0])==SQLITE_TEXT
                  ? (const char*)sqlite3_value_text(argv[0]) : 0;
    if( z && strcmp(z, "schema")==0 ){
      eWhat = DUMP_SCHEMA;
    }else if( z && strcmp(z, "rows")==0 ){
      eWhat = DUMP_ROWS;
    }else{
      migrateResultError(ctx, SQLITE_MISMATCH, sqlite3_mprintf(
          "migration_dump: the argument must be 'schema' or 'rows' (or "
          "none, for the whole dump)"));
      return;
    }
  }
  pOut = sqlite3_str_new(db);
  if( eWhat==DUMP_ALL ){
    sqlite3_str_appendall(pOut,
        "-- Written by migration_dump() (libmigrate): the schema, and the\n"
        "-- migrations applied, recorded as a baseline.  Load it with\n"
        "--   sqlite3 new.db < THIS_FILE\n"
        "PRAGMA foreign_keys=OFF;\n"
        "BEGIN TRANSACTION;\n");
  }
  rc = dumpSchema(db, eWhat, pOut);
  if( rc==SQLITE_OK && eWhat==DUMP_ALL ) rc = dumpLedger(db, pOut, &zErr);
  if( rc==SQLITE_OK && eWhat==DUMP_ALL ){
    sqlite3_str_appendall(pOut, "COMMIT;\n");
  }
  if( rc==SQLITE_OK ) rc = sqlite3_str_errcode(pOut);
  if( rc==SQLITE_OK ){
    int n = sqlite3_str_length(pOut);
    char *z = sqlite3_str_finish(pOut);
    sqlite3_result_text(ctx, z ? z : "", n, z ? sqlite3_free : SQLITE_STATIC);
    return;
  }
  sqlite3_free(sqlite3_str_finish(pOut));
  if( rc!=SQLITE_NOMEM && zErr==0 ){
    zErr = sqlite3_mprintf("migration_dump: %s", sqlite3_errmsg(db));
  }
  migrateResultError(ctx, rc, zErr);
}
#endif /* MIGRATE_OMIT_DUMP */

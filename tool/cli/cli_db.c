/*
** cli_db.c — the database connection of a command: opens the file (an
** absent one reads as an empty in-memory database unless the command
** creates it), loads the extensions of --load into it, registers
** libmigrate on it (sqlite3_migrate_init, linked statically), picks the
** names of the extension's tables (temp aliases when the database has its
** own `migrations` / `migration_status`), and makes an in-memory copy for
** a look at a read-only file.  Also cliExec and
** cliPrepare, which print SQLite's error.
** Tested by test/cli.test (read-only files, own `migrations` table, URIs)
** and test/cli_load.test (--load).
*/
#include "cli.h"

/* Runs SQL with no result rows; on error prints it and returns CLI_ERROR. */
int cliExec(Cli *p, const char *zSql){
  char *zErr = 0;
  if( sqlite3_exec(p->db, zSql, 0, 0, &zErr)!=SQLITE_OK ){
    int rc = cliError(p, "%s", zErr ? zErr : sqlite3_errmsg(p->db));
    sqlite3_free(zErr);
    return rc;
  }
  return CLI_OK;
}

/* Prepares zSql; on error prints it and returns 0. */
sqlite3_stmt *cliPrepare(Cli *p, const char *zSql){
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
  p->zHooks = "migration_hooks";
  if( sqlite3_prepare_v2(p->db, "SELECT name FROM main.sqlite_schema "
                         "WHERE name IN ('migrations','migration_status',"
                         "'migration_hooks')",
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
    if( z && strcmp(z, "migration_hooks")==0 ){
      p->zHooks = "cli_migration_hooks";
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
  if( rc==CLI_OK && strcmp(p->zHooks, "migration_hooks")!=0 ){
    rc = cliExec(p, "CREATE VIRTUAL TABLE IF NOT EXISTS "
                    "temp.cli_migration_hooks USING migration_hooks");
  }
  return rc;
}

/*
** Loads the extensions of --load PATH[:ENTRY] into db, in order.  ENTRY
** is the text after the last ':' when it is a C identifier (else all of
** it is the path); without it SQLite finds the entry point from the file
** name.  Loading is enabled for the C API only (never for SQL's
** load_extension()), and only while these load.
*/
static int cliLoadExtensions(Cli *p, sqlite3 *db){
  int i, rc = CLI_OK;
  if( p->nLoad==0 ) return CLI_OK;
  sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 1, (int*)0);
  for(i=0; rc==CLI_OK && i<p->nLoad; i++){
    const char *zArg = p->azLoad[i];
    const char *zColon = strrchr(zArg, ':');
    char *zPath = 0, *zErr = 0;
    const char *zEntry = 0;
    if( zColon && zColon>zArg && zColon[1] ){
      const char *z = zColon+1;
      int bIdent = !(z[0]>='0' && z[0]<='9');
      for(; *z && bIdent; z++){
        bIdent = (*z>='a' && *z<='z') || (*z>='A' && *z<='Z')
              || (*z>='0' && *z<='9') || *z=='_';
      }
      if( bIdent ) zEntry = zColon+1;
    }
    zPath = zEntry ? sqlite3_mprintf("%.*s", (int)(zColon-zArg), zArg)
                   : sqlite3_mprintf("%s", zArg);
    if( zPath==0 ){
      rc = cliErrorMsg(p, cliNoMem());
    }else if( sqlite3_load_extension(db, zPath, zEntry, &zErr)!=SQLITE_OK ){
      rc = cliError(p, "--load %s: %s", zArg,
                    zErr ? zErr : sqlite3_errmsg(db));
    }
    sqlite3_free(zErr);
    sqlite3_free(zPath);
  }
  sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, (int*)0);
  return rc;
}

/*
** Opens zFile (":memory:" too) as *pDb with the extensions of --load
** loaded first, then libmigrate registered.
*/
static int cliOpenDb(Cli *p, const char *zFile, int flags, sqlite3 **pDb){
  sqlite3 *db = 0;
  char *zErr = 0;
  int rc = sqlite3_open_v2(zFile, &db, flags, 0);
  if( rc!=SQLITE_OK ){
    rc = cliError(p, "cannot open the database %s: %s", zFile,
                  db ? sqlite3_errmsg(db) : cliNoMem());
    sqlite3_close(db);
    return rc;
  }
  sqlite3_busy_timeout(db, 5000);
  rc = cliLoadExtensions(p, db);
  if( rc!=CLI_OK ){
    sqlite3_close(db);
    return rc;
  }
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
int cliOpen(Cli *p, int bCreate){
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
** Replaces p->db by a scratch copy of it (for a look at a read-only
** database that needs a sync first: the copy is thrown away).  The copy
** is SQLite's private temporary on-disk database (the file name ""), not
** an in-memory one, copied a few pages at a time with a small page cache:
** the memory it takes does not grow with the database (a 400 MB file once
** took 425 MB of RAM).
*/
int cliScratchCopy(Cli *p){
  sqlite3 *pMem = 0;
  sqlite3_backup *pBk;
  int rc = cliOpenDb(p, "", SQLITE_OPEN_READWRITE, &pMem);
  if( rc!=CLI_OK ) return rc;
  sqlite3_exec(pMem, "PRAGMA cache_size=-2048", 0, 0, 0);   /* 2 MiB */
  pBk = sqlite3_backup_init(pMem, "main", p->db, "main");
  if( pBk ){
    int rcStep;
    do{
      rcStep = sqlite3_backup_step(pBk, 256);
    }while( rcStep==SQLITE_OK );
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

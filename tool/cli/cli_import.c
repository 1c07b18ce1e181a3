/*
** cli_import.c — `import --from TOOL DIR`: adopting another tool's
** migrations (dbmate, golang-migrate, goose, sqitch).  The files are read
** by cli_dir.c (in the tool's layout); this file reads the tool's ledger
** (schema_migrations, goose_db_version, sqitch's registry through ATTACH),
** then in one transaction defines the files and records the applied ones:
** migrate_baseline() when they are a prefix, else migrate_mark() for each.
** A goose or dbmate version the tool ran from a Go or Python file becomes
** an external migration (cliImportExternal).
** Tested by test/cli_import.test (`make check-import` with the real tools).
*/
#include "cli.h"

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
int cliIsImportTool(const char *z){
  return strcmp(z, "dbmate")==0 || strcmp(z, "golang-migrate")==0
      || strcmp(z, "goose")==0 || strcmp(z, "sqitch")==0;
}

/* Compares two versions as cliVersionOf() writes them, numerically. */
static int cliVersionCmp(const char *a, const char *b){
  size_t na = strlen(a), nb = strlen(b);
  if( na!=nb ) return na<nb ? -1 : 1;
  return strcmp(a, b);
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
      int bExt = strcmp(zTool, "goose")==0 || strcmp(zTool, "dbmate")==0;
      zErr = sqlite3_mprintf("import: the %s ledger records version %s as "
                             "applied, but %s has no migration file for it%s",
                             zTool, zVal, p->zDir,
                             bExt ? " (no .sql, .go or .py file of that "
                                    "version)" : "");
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

/*
** goose and dbmate projects keep migrations written in Go or Python
** beside their SQL files (NNN_name.go, NNN_name.py).  Each becomes an
** *external* migration: its up script a comment saying which tool ran
** which file, its down NULL (sqlite-migrate can neither run nor revert
** it), marked bExternal; import records it as applied when the tool's
** ledger does, and refuses it when not (nobody could run it then).  A
** version with both an SQL and an external file is an error.  Returns 0
** or an error message.
*/
static char *cliImportExternal(Cli *p){
  char *zErr = 0;
  int i, j;
  for(i=0; zErr==0 && i<p->nExternal; i++){
    const char *zF = p->azExternal[i];
    int nName = (int)(strrchr(zF, '.') - zF);
    char zV[32], zMine[32];
    CliScript *pS;
    cliVersionOf(zF, zV);
    for(j=0; j<p->nScript; j++){
      cliVersionOf(p->aScript[j].zName, zMine);
      if( cliVersionCmp(zMine, zV)==0 ){
        zErr = sqlite3_mprintf("import: version %s has two migration files: "
                               "%s and %s/%s", zV, p->aScript[j].zFile,
                               p->zDir, zF);
        break;
      }
    }
    if( zErr ) break;
    pS = cliAddScript(p);
    if( pS==0 ){ zErr = cliNoMem(); break; }
    pS->bExternal = 1;
    pS->zName = sqlite3_mprintf("%.*s", nName, zF);
    pS->zFile = sqlite3_mprintf("%s/%s", p->zDir, zF);
    pS->zUp = sqlite3_mprintf("-- external: applied by %s (%s)\n", p->zFrom,
                              zF);
    pS->zNoDown = sqlite3_mprintf("an external migration: %s ran %s; "
                                  "sqlite-migrate cannot revert it",
                                  p->zFrom, zF);
    if( !pS->zName || !pS->zFile || !pS->zUp || !pS->zNoDown ){
      zErr = cliNoMem();
    }
  }
  if( zErr==0 && p->nScript>1 ){
    qsort(p->aScript, p->nScript, sizeof(CliScript), cliScriptCmp);
  }
  return zErr;
}

/* import --from TOOL DIR. */
int cliImport(Cli *p){
  char *zErr = 0, *zProject = 0;
  unsigned char *aApplied = 0;
  CliSync s;
  int i, rc = CLI_OK, nApplied = 0, iLast = -1, bPrefix = 1, bAttached = 0;
  int nExternal = 0;
  sqlite3_int64 t0 = cliNowMs();

  memset(&s, 0, sizeof(s));
  p->zDir = p->azArg[0];
  if( strcmp(p->zFrom, "sqitch")!=0 ){
    /* the tool's own layout, whatever the folder looks like */
    p->zFormat = p->zFrom;
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
    if( strcmp(p->zFrom, "goose")==0 || strcmp(p->zFrom, "dbmate")==0 ){
      zErr = cliImportExternal(p);
    }
  }else{
    zErr = cliReadSqitch(p, &zProject);
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
  if( zErr==0 && aApplied==0 ) zErr = cliNoMem();
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
      nExternal += p->aScript[i].bExternal;
      if( iLast!=i-1 ) bPrefix = 0;
      iLast = i;
    }else if( p->aScript[i].bExternal ){
      zErr = sqlite3_mprintf("import: %s is a %s migration the %s ledger "
                             "does not record as applied; sqlite-migrate "
                             "cannot run it (apply it with %s first)",
                             p->aScript[i].zFile,
                             cliEndsWith(p->aScript[i].zFile, ".py")
                               ? "Python" : "Go", p->zFrom, p->zFrom);
      goto import_done;
    }
  }

  /* define every file, then record the applied ones */
  s.aDefine = sqlite3_malloc64(sizeof(int)*(sqlite3_uint64)p->nScript);
  if( s.aDefine==0 ){ zErr = cliNoMem(); goto import_done; }
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
      sqlite3_str_appendall(pOut, "],\"external\":[");
      for(i=0, n=0; i<p->nScript; i++){
        if( !p->aScript[i].bExternal ) continue;
        if( n++ ) sqlite3_str_appendchar(pOut, 1, ',');
        cliJsonString(pOut, p->aScript[i].zName);
      }
      sqlite3_str_appendf(pOut, "],\"ms\":%lld}", ms);
      rc = cliJsonPrint(p, pOut);
    }else{
      for(i=0; i<p->nScript; i++){
        const char *zF = strrchr(p->aScript[i].zFile, '/');
        printf("  %-8s %s%s%s%s\n", aApplied[i] ? "applied" : "pending",
               p->aScript[i].zName,
               p->aScript[i].bExternal ? "  (external: " : "",
               p->aScript[i].bExternal ? (zF ? zF+1 : p->aScript[i].zFile)
                                       : "",
               p->aScript[i].bExternal ? ")" : "");
      }
      printf("imported %d %s migration%s from %s: %d recorded as applied "
             "(not run), %d pending", p->nScript, p->zFrom,
             cliPlural(p->nScript), p->zDir, nApplied,
             p->nScript-nApplied);
      if( nExternal ){
        printf("; %d of the applied ones external (Go or Python files %s "
               "ran)", nExternal, p->zFrom);
      }
      printf(" (%lld ms)\n", ms);
    }
  }

import_done:
  if( zErr ) rc = cliErrorMsg(p, zErr);
  if( p->db && !sqlite3_get_autocommit(p->db) ){
    sqlite3_exec(p->db, "ROLLBACK", 0, 0, 0);
  }
  sqlite3_free(s.aDefine);
  sqlite3_free(aApplied);
  sqlite3_free(zProject);
  return rc;
}

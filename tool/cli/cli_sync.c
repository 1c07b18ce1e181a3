/*
** cli_sync.c — syncing DIR into the `migrations` table.  cliSyncPlan
** compares the definitions with the files by checksum (of up and of down,
** as the engine's INSERT OR REPLACE does, so nothing to sync reads no
** script text), verify text, repeatable flag and a squash's replaced
** names, and lists what to add,
** replace and remove (pending definitions with no file; applied ones stay
** defined so rollback still has their down script), and whether the hooks
** differ.  It refuses (cliSyncRefuse) a sync that would drop pending work
** because of what DIR lacks: DIR yielding nothing while the database
** defines migrations, removals without --prune, a goose Go migration not
** recorded.  cliSyncApply carries the plan out through the `migrations`
** and `migration_hooks` tables, inside the caller's transaction, and says
** every definition it removes.
** Tested by test/cli.test (load, edits), test/cli_hazard.test (the
** refusals, --prune) and test/cli_lifecycle.test (verify, repeatable,
** hooks).
*/
#include "cli.h"

/* Frees what cliSyncPlan() allocated and zeroes *s. */
void cliSyncFree(CliSync *s){
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
  char *zSql = sqlite3_mprintf("SELECT event, script FROM \"%w\"", p->zHooks);
  sqlite3_stmt *pStmt;
  int aSeen[CLI_NHOOK] = {0, 0, 0, 0, 0, 0};
  int k, nRow = 0, nWant = 0;
  *pbDiffer = 0;
  if( zSql==0 ) return cliError(p, "%s", cliNoMem());
  pStmt = cliPrepare(p, zSql);
  sqlite3_free(zSql);
  if( pStmt==0 ) return CLI_ERROR;   /* cliPrepare() said why */
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

/* Appends up to 5 names of az[0..n-1] (NULLs skipped) to pStr. */
static void cliNameList(sqlite3_str *pStr, char **az, int n){
  int i, k = 0;
  for(i=0; i<n; i++){
    if( az[i]==0 ) continue;
    if( k<5 ) sqlite3_str_appendf(pStr, "%s%s", k ? ", " : "", az[i]);
    k++;
  }
  if( k>5 ) sqlite3_str_appendf(pStr, ", ... (%d in all)", k);
}

/*
** Returns the name of the squash in DIR that replaces zName (its
** `-- migrate:replaces` lines), or NULL.
*/
static const char *cliReplacedBy(Cli *p, const char *zName){
  int i;
  size_t n = strlen(zName);
  for(i=0; i<p->nScript; i++){
    const char *z = p->aScript[i].zReplaces;
    while( z && *z ){
      const char *zEnd = strchr(z, '\n');
      size_t m = zEnd ? (size_t)(zEnd-z) : strlen(z);
      if( m==n && memcmp(z, zName, n)==0 ) return p->aScript[i].zName;
      z = zEnd ? zEnd+1 : 0;
    }
  }
  return 0;
}

/*
** The syncs that are refused, before anything is written (exit 1): they
** would drop work the database holds because of what DIR does not hold.
**   - DIR yields no migration while the database defines some (a wrong
**     -d, a folder of folders, a layout not read): refused unless
**     --prune says removing the pending ones is meant.
**   - Pending definitions whose file is gone: removed only with --prune,
**     but for those a squash in DIR replaces (their files moved to
**     DIR/squashed/ on purpose).
**   - A goose folder's Go migration the database has not recorded:
**     sqlite-migrate cannot run Go code, and skipping it would run the
**     SQL migrations after it without it.
** azOther[0..nOther-1]: the defined names with no file in DIR (those
** planned for removal are NULL there by now).  Returns CLI_OK or
** CLI_ERROR (printed).
*/
static int cliSyncRefuse(Cli *p, CliSync *s, int nDefined, char **azOther,
                         int nOther){
  sqlite3_str *pMsg;
  int i, j;
  if( p->nScript==0 && nDefined>0 && !p->bPrune ){
    pMsg = sqlite3_str_new(0);
    sqlite3_str_appendf(pMsg, "%s yields no migration (read as %s), but the "
                        "database defines %d: ", p->zDir,
                        cliFormatName(p->eFormat), nDefined);
    cliNameList(pMsg, s->azRemove, s->nRemove);
    if( s->nRemove && nOther ) sqlite3_str_appendall(pMsg, ", ");
    cliNameList(pMsg, azOther, nOther);
    sqlite3_str_appendall(pMsg, "; is -d the right folder? Nothing was "
                          "changed (--prune removes the pending definitions "
                          "whose file is gone)");
    return cliErrorMsg(p, sqlite3_str_finish(pMsg));
  }
  for(i=j=0; i<s->nRemove; i++){
    if( cliReplacedBy(p, s->azRemove[i])==0 ) j++;
  }
  if( j>0 && !p->bPrune ){
    char **azGone = sqlite3_malloc64(sizeof(char*)*(sqlite3_uint64)j);
    int nGone = 0;
    if( azGone==0 ) return cliErrorMsg(p, cliNoMem());
    for(i=0; i<s->nRemove; i++){
      if( cliReplacedBy(p, s->azRemove[i])==0 ) azGone[nGone++] = s->azRemove[i];
    }
    pMsg = sqlite3_str_new(0);
    sqlite3_str_appendf(pMsg, "%s has no file for %d pending migration%s "
                        "defined in the database: ", p->zDir, nGone,
                        cliPlural(nGone));
    cliNameList(pMsg, azGone, nGone);
    sqlite3_free(azGone);
    sqlite3_str_appendall(pMsg, "; nothing was changed (restore the files, "
                          "or give --prune to remove these definitions)");
    return cliErrorMsg(p, sqlite3_str_finish(pMsg));
  }
  for(i=0; p->eFormat==CLI_FORMAT_GOOSE && i<p->nExternal; i++){
    const char *zGo = p->azExternal[i];
    int n = (int)strlen(zGo)-3;
    int bKnown = !cliEndsWith(zGo, ".go");
    for(j=0; j<nOther && !bKnown; j++){
      bKnown = azOther[j] && (int)strlen(azOther[j])==n
            && memcmp(azOther[j], zGo, n)==0;
    }
    for(j=0; j<p->nScript && !bKnown; j++){
      bKnown = (int)strlen(p->aScript[j].zName)==n
            && memcmp(p->aScript[j].zName, zGo, n)==0;
    }
    if( !bKnown ){
      return cliError(p, "%s/%s: a goose Go migration the database has not "
                      "recorded; sqlite-migrate cannot run Go code, and "
                      "would run the SQL migrations around it without it "
                      "(run goose; `import --from goose` adopts a database "
                      "goose migrated)", p->zDir, zGo);
    }
  }
  return CLI_OK;
}

/*
** Works out what syncing DIR into the `migrations` table would do (reads
** only), and refuses the syncs cliSyncRefuse() names.  Returns CLI_OK or
** CLI_ERROR (printed).
*/
int cliSyncPlan(Cli *p, CliSync *s){
  sqlite3_stmt *pStmt;
  sqlite3_stmt *pSum = 0;     /* checksums of a file's up and down */
  char *zSql;
  unsigned char *aSeen = 0;
  char **azOther = 0;       /* defined names with no file */
  int nOther = 0;
  int nDefined = 0;         /* rows of migrations_scripts */
  int i, rc = CLI_OK;
  sqlite3_str *pAdd = sqlite3_str_new(0);
  sqlite3_str *pRep = sqlite3_str_new(0);
  sqlite3_str *pRem = sqlite3_str_new(0);

  memset(s, 0, sizeof(*s));
  if( p->nScript ){
    aSeen = sqlite3_malloc(p->nScript);
    s->aDefine = sqlite3_malloc64(sizeof(int)*(sqlite3_uint64)p->nScript);
    if( aSeen==0 || s->aDefine==0 ){ rc = cliErrorMsg(p, cliNoMem()); }
    else memset(aSeen, 0, p->nScript);
  }
  /* Definitions are compared by checksum (as the engine's INSERT OR
  ** REPLACE does), read from the storage table, so a run with nothing to
  ** sync reads no script text.  No storage yet: nothing is defined. */
  zSql = sqlite3_mprintf("SELECT name, checksum, down_checksum, verify, "
                         "repeatable, replaces FROM main.migrations_scripts");
  pStmt = 0;
  if( rc==CLI_OK && zSql
   && sqlite3_prepare_v2(p->db, zSql, -1, &pStmt, 0)!=SQLITE_OK ){
    /* storage from before the `replaces` column: no squash defined */
    sqlite3_free(zSql);
    zSql = sqlite3_mprintf("SELECT name, checksum, down_checksum, verify, "
                           "repeatable, NULL FROM main.migrations_scripts");
  }
  if( rc==CLI_OK && zSql && pStmt==0
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
    nDefined++;
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
       && sqlite3_column_int(pStmt, 4)==p->aScript[k].bRepeatable
       && cliSameText(pStmt, 5, p->aScript[k].zReplaces) ){
        s->nSame++;
      }else{
        if( s->nDefine>s->nAdded ) sqlite3_str_appendchar(pRep, 1, ',');
        cliJsonString(pRep, zName);
        s->aDefine[s->nDefine++] = k;
      }
    }else if( zName ){
      char **azNew = sqlite3_realloc64(azOther,
                                       sizeof(char*)*(sqlite3_uint64)(nOther+1));
      if( azNew==0 ){ rc = cliErrorMsg(p, cliNoMem()); break; }
      azOther = azNew;
      azOther[nOther] = sqlite3_mprintf("%s", zName);
      if( azOther[nOther++]==0 ){ rc = cliErrorMsg(p, cliNoMem()); }
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
      if( s->azRemove==0 ){ s->nRemove = 0; rc = cliErrorMsg(p, cliNoMem()); break; }
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
  if( rc==CLI_OK ) rc = cliSyncRefuse(p, s, nDefined, azOther, nOther);
  if( rc==CLI_OK && p->bHooksDir ) rc = cliHooksDiffer(p, &s->bHooks);
  s->zAdded = sqlite3_str_finish(pAdd);
  s->zReplaced = sqlite3_str_finish(pRep);
  s->zRemoved = sqlite3_str_finish(pRem);
  if( rc==CLI_OK && (s->zAdded==0 || s->zReplaced==0 || s->zRemoved==0) ){
    rc = cliErrorMsg(p, cliNoMem());
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
int cliSyncApply(Cli *p, CliSync *s){
  int i, rc = CLI_OK;
  if( s->nDefine>0 ){
    char *zSql = sqlite3_mprintf("INSERT OR REPLACE INTO \"%w\"(name, up, "
                                 "down, verify, repeatable, replaces) "
                                 "VALUES(?1, ?2, ?3, ?4, ?5, ?6)", p->zDefs);
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
      if( pS->zReplaces ){
        sqlite3_bind_text(pStmt, 6, pS->zReplaces, -1, SQLITE_STATIC);
      }else{
        sqlite3_bind_null(pStmt, 6);
      }
      sqlite3_step(pStmt);
      if( sqlite3_reset(pStmt)!=SQLITE_OK ){
        rc = cliError(p, "%s (%s)", sqlite3_errmsg(p->db), pS->zFile);
      }
    }
    sqlite3_finalize(pStmt);
  }
  if( rc==CLI_OK && s->bHooks ){
    sqlite3_stmt *pStmt = 0;
    /* through the alias when the database has its own migration_hooks */
    char *zDel = sqlite3_mprintf("DELETE FROM \"%w\"", p->zHooks);
    char *zIns = sqlite3_mprintf("INSERT INTO \"%w\"(event, script) "
                                 "VALUES(?1, ?2)", p->zHooks);
    rc = zDel && zIns ? cliExec(p, zDel) : cliError(p, "%s", cliNoMem());
    if( rc==CLI_OK ){
      pStmt = cliPrepare(p, zIns);
      if( pStmt==0 ) rc = CLI_ERROR;
    }
    sqlite3_free(zDel);
    sqlite3_free(zIns);
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
      }else if( !p->bJson ){
        /* said, always (--json: the document's "removed") */
        const char *zBy = cliReplacedBy(p, s->azRemove[i]);
        if( zBy ){
          printf("  prune %s  (pending; replaced by the squash %s)\n",
                 s->azRemove[i], zBy);
        }else{
          printf("  prune %s  (pending; its file is gone from %s)\n",
                 s->azRemove[i], p->zDir);
        }
      }
    }
    sqlite3_finalize(pStmt);
  }
  return rc;
}

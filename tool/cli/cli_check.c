/*
** cli_check.c — the commands that prove and fold migrations: `check
** [TARGET]` (migrate_check: every down undoes its up), `dump [FILE]` and
** `up --dump FILE` (migration_dump), `squash TARGET [NAME]` (one file
** replacing every migration up to TARGET), and the file format of a
** squash's `-- migrate:replaces NAME` lines (cliReadReplaces, called by
** cli_dir.c).
**
** HOW IT WORKS
**   check: without --db a scratch in-memory database gets every file of
**   DIR (the usual sync) and migrate_check() runs on all of them; with
**   --db FILE the sync and the check run inside one transaction that is
**   rolled back (a read-only file is copied first), so FILE is left as it
**   was.  Progress lines come from migrate_run()'s callback ("checked",
**   "skipped", "failed"); the engine's error lists every failure.
**   dump: SELECT migration_dump(); written to FILE.tmp then renamed, and
**   only when it differs from what FILE holds.
**   squash: the versioned migrations of DIR up to TARGET are defined in a
**   scratch in-memory database and applied (migrate_run, so no-transaction
**   ones run too); migration_dump('rows') of it is the up script of the
**   new file DIR/NAME.sql, which names them in `-- migrate:replaces`
**   lines and has no down section (irreversible).  The file is written
**   under a temporary name, the replaced files are moved to DIR/squashed/,
**   then the file is renamed into place; a failure moves them back.
** Tested by test/cli_check.test.
*/
#include "cli.h"

/*
** Reads the `-- migrate:replaces NAME` lines of a dbmate-style file (the
** comments before `-- migrate:up`): sets *pzReplaces to the names joined
** by newlines, or NULL when there is none.  Returns 0 or an error message.
*/
char *cliReadReplaces(const char *zPath, const char *z, char **pzReplaces){
  static const char zKey[] = "migrate:replaces";
  sqlite3_str *pOut = sqlite3_str_new(0);
  int iLine = 1;
  *pzReplaces = 0;
  for(;;){
    int eType = 0, k;
    int n = migrateSqlToken(z, &eType);
    if( n==0 || (eType!=MIGRATE_TK_SPACE && eType!=MIGRATE_TK_COMMENT) ) break;
    if( eType==MIGRATE_TK_COMMENT && z[0]=='-' ){
      int i = 2;
      while( i<n && (z[i]==' ' || z[i]=='\t') ) i++;
      if( n-i>=(int)sizeof(zKey)-1 && memcmp(&z[i], zKey, sizeof(zKey)-1)==0
       && (n-i==(int)sizeof(zKey)-1 || z[i+sizeof(zKey)-1]==' '
           || z[i+sizeof(zKey)-1]=='\t' || z[i+sizeof(zKey)-1]=='\r') ){
        int e = n;
        i += (int)sizeof(zKey)-1;
        while( i<e && (z[i]==' ' || z[i]=='\t') ) i++;
        while( e>i && (z[e-1]==' ' || z[e-1]=='\t' || z[e-1]=='\r') ) e--;
        if( e==i ){
          sqlite3_free(sqlite3_str_finish(pOut));
          return sqlite3_mprintf("%s: '-- migrate:replaces' needs the name "
                                 "of a migration (line %d)", zPath, iLine);
        }
        if( sqlite3_str_length(pOut) ) sqlite3_str_appendchar(pOut, 1, '\n');
        sqlite3_str_append(pOut, &z[i], e-i);
      }else if( n-i>=10 && memcmp(&z[i], "migrate:up", 10)==0 ){
        break;
      }
    }
    for(k=0; k<n; k++) iLine += z[k]=='\n';
    z += n;
  }
  if( sqlite3_str_errcode(pOut) ){
    sqlite3_free(sqlite3_str_finish(pOut));
    return cliNoMem();
  }
  if( sqlite3_str_length(pOut) ) *pzReplaces = sqlite3_str_finish(pOut);
  else sqlite3_free(sqlite3_str_finish(pOut));
  return 0;
}

/* check's progress callback: one line per migration, counts. */
static void cliCheckProgress(void *pArg, const char *zName, const char *zDir,
                             sqlite3_int64 iMs, sqlite3_int64 nChange){
  Cli *p = (Cli*)pArg;
  int e = zDir[0]=='c' ? 0 : zDir[0]=='s' ? 1 : 2;
  sqlite3_str *pJson = p->apCheck[e];
  const char *zWhy = "";
  int i;
  (void)nChange;
  p->anCheck[e]++;
  for(i=0; zDir[0]=='s' && i<p->nScript; i++){
    const CliScript *pS = &p->aScript[i];
    if( strcmp(pS->zName, zName)!=0 ) continue;
    zWhy = pS->bRepeatable ? "  (repeatable)"
         : strncmp(pS->zUp, CLI_NOTXN, strlen(CLI_NOTXN)-1)==0
           || (pS->zDown && strncmp(pS->zDown, CLI_NOTXN,
                                    strlen(CLI_NOTXN)-1)==0)
           ? "  (no-transaction: cannot be undone)"
           : pS->zDown==0 ? "  (irreversible)" : "";
  }
  if( p->bJson ){
    if( sqlite3_str_length(pJson)>1 ) sqlite3_str_appendchar(pJson, 1, ',');
    cliJsonString(pJson, zName);
  }else{
    printf("  %-7s %-*s  (%lld ms)%s\n", zDir, p->nWidth, zName, iMs, zWhy);
    fflush(stdout);
  }
}

/*
** check [TARGET]: migrate_check() on a scratch database made from DIR, or
** on --db FILE inside a transaction that is rolled back.
*/
int cliCheck(Cli *p){
  const char *zTarget = p->nArg ? p->azArg[0] : 0;
  int bScratch = p->zDb==0;
  sqlite3_int64 t0 = cliNowMs(), nDone = 0;
  char *zErr = 0;
  int bTxn = 0, rc, i, rcCall = SQLITE_OK;
  CliSync s;
  memset(&s, 0, sizeof(s));
  if( bScratch ) p->zDb = ":memory:";
  rc = cliReadDir(p);
  if( rc==CLI_OK ) rc = cliOpen(p, 0);
  if( rc==CLI_OK && !bScratch && sqlite3_db_readonly(p->db, "main")==1 ){
    rc = cliScratchCopy(p);
  }
  if( rc==CLI_OK ) rc = cliSyncPlan(p, &s);
  if( rc==CLI_OK && (s.nDefine>0 || s.nRemove>0 || s.bHooks) ){
    rc = cliExec(p, "BEGIN IMMEDIATE");
    bTxn = rc==CLI_OK;
    if( rc==CLI_OK ) rc = cliSyncApply(p, &s);
    if( rc==CLI_OK && bScratch ){
      rc = cliExec(p, "COMMIT");   /* the check then suspends foreign keys */
      bTxn = 0;
    }
  }
  for(i=0; i<3; i++){
    p->apCheck[i] = sqlite3_str_new(0);
    sqlite3_str_appendchar(p->apCheck[i], 1, '[');
  }
  if( rc==CLI_OK ){
    rcCall = migrate_run(p->db, "migrate_check", zTarget, cliCheckProgress, p,
                         &nDone, &zErr);
  }
  if( bTxn ) sqlite3_exec(p->db, "ROLLBACK", 0, 0, 0);
  for(i=0; i<3; i++) sqlite3_str_appendchar(p->apCheck[i], 1, ']');
  if( rc==CLI_OK ){
    sqlite3_int64 ms = cliNowMs() - t0;
    if( p->bJson ){
      sqlite3_str *pOut = sqlite3_str_new(0);
      sqlite3_str_appendf(pOut, "{\"command\":\"check\",\"checked\":%s,"
          "\"skipped\":%s,\"failed\":%s,\"count\":%d,\"ms\":%lld}",
          sqlite3_str_value(p->apCheck[0]), sqlite3_str_value(p->apCheck[1]),
          sqlite3_str_value(p->apCheck[2]), p->anCheck[0]+p->anCheck[2], ms);
      rc = cliJsonPrint(p, pOut);
    }else if( rcCall==SQLITE_OK ){
      printf("checked %lld migration%s: every down script undoes its up; "
             "%d skipped (%lld ms)\n", nDone, cliPlural(nDone),
             p->anCheck[1], ms);
    }
    if( rcCall!=SQLITE_OK ){
      fflush(stdout);     /* the lines so far, then the error */
      rc = cliErrorMsg(p, zErr ? zErr : sqlite3_mprintf("%s",
                                                     sqlite3_errmsg(p->db)));
      zErr = 0;
    }
  }
  sqlite3_free(zErr);
  for(i=0; i<3; i++){
    sqlite3_free(sqlite3_str_finish(p->apCheck[i]));
    p->apCheck[i] = 0;
  }
  cliSyncFree(&s);
  return rc;
}

/* The text of migration_dump() on p->db (sqlite3_malloc'ed), or NULL. */
static char *cliDumpText(Cli *p, const char *zPart){
  sqlite3_stmt *pStmt = cliPrepare(p, zPart ? "SELECT migration_dump(?1)"
                                            : "SELECT migration_dump()");
  char *z = 0;
  if( pStmt==0 ) return 0;
  if( zPart ) sqlite3_bind_text(pStmt, 1, zPart, -1, SQLITE_STATIC);
  if( sqlite3_step(pStmt)==SQLITE_ROW ){
    z = sqlite3_mprintf("%s", sqlite3_column_text(pStmt, 0));
    if( z==0 ) cliErrorMsg(p, cliNoMem());
  }
  if( sqlite3_finalize(pStmt)!=SQLITE_OK ){
    sqlite3_free(z);
    z = 0;
    cliError(p, "%s", sqlite3_errmsg(p->db));
  }
  return z;
}

/*
** Writes zText to zFile: FILE.tmp, then renamed over FILE, so a reader
** never sees half a file.  Nothing is written when FILE holds zText
** already (*pbSame).  Returns CLI_OK or CLI_ERROR (printed).
*/
static int cliWriteFile(Cli *p, const char *zFile, const char *zText,
                        int *pbSame){
  char *zOld = 0;
  char *zTmp;
  FILE *f;
  size_t n = strlen(zText);
  int rc = CLI_OK;
  *pbSame = 0;
  sqlite3_free(cliReadFile(zFile, &zOld));
  if( zOld && strcmp(zOld, zText)==0 ){
    sqlite3_free(zOld);
    *pbSame = 1;
    return CLI_OK;
  }
  sqlite3_free(zOld);
  zTmp = sqlite3_mprintf("%s.tmp", zFile);
  if( zTmp==0 ) return cliErrorMsg(p, cliNoMem());
  f = fopen(zTmp, "wb");
  if( f==0 || fwrite(zText, 1, n, f)!=n || fclose(f)!=0 ){
    rc = cliError(p, "cannot write %s: %s", zTmp, strerror(errno));
    unlink(zTmp);
  }else if( rename(zTmp, zFile)!=0 ){
    rc = cliError(p, "cannot write %s: %s", zFile, strerror(errno));
    unlink(zTmp);
  }
  sqlite3_free(zTmp);
  return rc;
}

/* up --dump FILE: rewrites FILE with the dump of p->db. */
int cliDumpTo(Cli *p, const char *zFile){
  int bSame = 0, rc;
  char *zText = cliDumpText(p, 0);
  if( zText==0 ) return CLI_ERROR;
  rc = cliWriteFile(p, zFile, zText, &bSame);
  sqlite3_free(zText);
  return rc;
}

/* dump [FILE]: migration_dump() to FILE, or to stdout. */
int cliDump(Cli *p){
  const char *zFile = p->nArg ? p->azArg[0] : 0;
  char *zText;
  int bSame = 0;
  int rc = cliOpen(p, 0);
  if( rc!=CLI_OK ) return rc;
  zText = cliDumpText(p, 0);
  if( zText==0 ) return CLI_ERROR;
  if( zFile && strcmp(zFile, "-")!=0 ){
    rc = cliWriteFile(p, zFile, zText, &bSame);
    if( rc==CLI_OK && p->bJson ){
      sqlite3_str *pOut = sqlite3_str_new(0);
      sqlite3_str_appendall(pOut, "{\"command\":\"dump\",\"file\":");
      cliJsonString(pOut, zFile);
      sqlite3_str_appendf(pOut, ",\"bytes\":%lld,\"changed\":%s}",
                          (sqlite3_int64)strlen(zText),
                          bSame ? "false" : "true");
      rc = cliJsonPrint(p, pOut);
    }
  }else if( p->bJson ){
    sqlite3_str *pOut = sqlite3_str_new(0);
    sqlite3_str_appendall(pOut, "{\"command\":\"dump\",\"sql\":");
    cliJsonString(pOut, zText);
    sqlite3_str_appendchar(pOut, 1, '}');
    rc = cliJsonPrint(p, pOut);
  }else{
    fputs(zText, stdout);
  }
  sqlite3_free(zText);
  return rc;
}

/*
** The up script of a squash: the migrations aScript[0..nRep-1] applied
** to a scratch in-memory database, then migration_dump('rows') of it.
*/
static int cliSquashText(Cli *p, const CliScript *aRep, int nRep,
                         const char *zTarget, char **pzUp){
  sqlite3 *dbMain = p->db;
  sqlite3_stmt *pStmt = 0;
  char *zErr = 0;
  int i, rc;
  *pzUp = 0;
  p->zDb = ":memory:";
  rc = cliOpen(p, 0);
  if( rc!=CLI_OK ) return rc;
  pStmt = cliPrepare(p, "INSERT INTO migrations(name, up, down, verify)"
                        " VALUES(?1, ?2, ?3, ?4)");
  for(i=0; pStmt && i<nRep; i++){
    sqlite3_bind_text(pStmt, 1, aRep[i].zName, -1, SQLITE_STATIC);
    sqlite3_bind_text(pStmt, 2, aRep[i].zUp, -1, SQLITE_STATIC);
    sqlite3_bind_text(pStmt, 3, aRep[i].zDown, -1, SQLITE_STATIC);
    sqlite3_bind_text(pStmt, 4, aRep[i].zVerify, -1, SQLITE_STATIC);
    sqlite3_step(pStmt);
    if( sqlite3_reset(pStmt)!=SQLITE_OK ){
      rc = cliError(p, "squash: %s (%s)", sqlite3_errmsg(p->db),
                    aRep[i].zFile);
      break;
    }
  }
  if( pStmt==0 ) rc = CLI_ERROR;
  sqlite3_finalize(pStmt);
  if( rc==CLI_OK
   && migrate_run(p->db, "migrate", 0, 0, 0, 0, &zErr)!=SQLITE_OK ){
    rc = cliError(p, "squash: the migrations up to %s do not apply to an "
                  "empty database: %s", zTarget,
                  zErr ? zErr : sqlite3_errmsg(p->db));
  }
  sqlite3_free(zErr);
  if( rc==CLI_OK ){
    *pzUp = cliDumpText(p, "rows");
    if( *pzUp==0 ) rc = CLI_ERROR;
  }
  sqlite3_close(p->db);
  p->db = dbMain;
  return rc;
}

/* Moves file zFrom to folder zDir (same name); 0 or an error message. */
static char *cliMoveInto(const char *zFrom, const char *zDir, char **pzTo){
  const char *zBase = strrchr(zFrom, '/');
  struct stat st;
  *pzTo = sqlite3_mprintf("%s/%s", zDir, zBase ? zBase+1 : zFrom);
  if( *pzTo==0 ) return cliNoMem();
  if( stat(*pzTo, &st)==0 ){
    return sqlite3_mprintf("%s exists already: nothing was moved", *pzTo);
  }
  if( rename(zFrom, *pzTo)!=0 ){
    return sqlite3_mprintf("cannot move %s to %s: %s", zFrom, *pzTo,
                           strerror(errno));
  }
  return 0;
}

/* 1 when zName may be a file name word: letters, digits, '_', '-', '.'. */
static int cliIsSquashName(const char *zName){
  int i;
  for(i=0; zName[i]; i++){
    char c = zName[i];
    if( !((c>='a' && c<='z') || (c>='A' && c<='Z') || (c>='0' && c<='9')
          || c=='_' || c=='-' || (c=='.' && i>0)) ) return 0;
  }
  return i>0 && i<=200;
}

/*
** squash TARGET [NAME]: one file replacing the versioned migrations of DIR
** up to TARGET; their files move to DIR/squashed/.
*/
int cliSquash(Cli *p){
  const char *zTarget = p->azArg[0];
  char *zName = 0, *zPath = 0, *zTmp = 0, *zSquashed = 0, *zUp = 0;
  char **azMoved = 0;       /* pairs: from, to */
  int nMoved = 0;
  CliScript *aRep = 0;
  int nRep = 0, iTarget = -1, iNext = -1, i, k, bSame = 0;
  sqlite3_str *pText = 0;
  struct stat st;
  int rc = cliReadDir(p);
  if( rc!=CLI_OK ) return rc;
  for(i=0; i<p->nScript; i++){
    if( strcmp(p->aScript[i].zName, zTarget)==0 ) iTarget = i;
  }
  if( iTarget<0 || p->aScript[iTarget].bRepeatable ){
    return cliError(p, "squash: %s is not a versioned migration of %s",
                    zTarget, p->zDir);
  }
  for(i=iTarget+1; iNext<0 && i<p->nScript; i++){
    if( !p->aScript[i].bRepeatable ) iNext = i;
  }
  zName = p->nArg>1 ? sqlite3_mprintf("%s", p->azArg[1])
                    : sqlite3_mprintf("%s_squashed", zTarget);
  if( zName==0 ) return cliErrorMsg(p, cliNoMem());
  aRep = sqlite3_malloc64(sizeof(CliScript)*(sqlite3_uint64)(iTarget+1));
  if( aRep==0 ){ rc = cliErrorMsg(p, cliNoMem()); goto squash_done; }
  for(i=0; i<=iTarget; i++){
    const CliScript *pS = &p->aScript[i];
    if( pS->bRepeatable ) continue;
    if( pS->zReplaces ){
      rc = cliError(p, "squash: %s is a squash itself (%s); squash only "
                    "migrations after it, or start again from the files in "
                    "%s/squashed/", pS->zName, pS->zFile, p->zDir);
      goto squash_done;
    }
    aRep[nRep++] = *pS;
  }
  if( !cliIsSquashName(zName) || strncmp(zName, "R__", 3)==0 ){
    rc = cliError(p, "squash: the name '%s' may hold only letters, digits, "
                  "'_', '-' and '.' (and not start with R__)", zName);
  }else if( cliNameCmp(zName, zTarget)<=0
         || (iNext>=0 && cliNameCmp(zName, p->aScript[iNext].zName)>=0) ){
    rc = cliError(p, "squash: %s must sort after %s%s%s, so that a fresh "
                  "database runs it where they ran", zName, zTarget,
                  iNext>=0 ? " and before " : "",
                  iNext>=0 ? p->aScript[iNext].zName : "");
  }
  if( rc!=CLI_OK ) goto squash_done;
  zPath = sqlite3_mprintf("%s/%s.sql", p->zDir, zName);
  zTmp = sqlite3_mprintf("%s/.%s.sql.tmp", p->zDir, zName);
  zSquashed = sqlite3_mprintf("%s/squashed", p->zDir);
  if( zPath==0 || zTmp==0 || zSquashed==0 ){
    rc = cliErrorMsg(p, cliNoMem());
    goto squash_done;
  }
  if( stat(zPath, &st)==0 ){
    rc = cliError(p, "squash: %s exists already", zPath);
    goto squash_done;
  }

  /* the file: its replaced names, then the schema as of TARGET */
  rc = cliSquashText(p, aRep, nRep, zTarget, &zUp);
  if( rc!=CLI_OK ) goto squash_done;
  pText = sqlite3_str_new(0);
  sqlite3_str_appendf(pText,
      "-- %s: a squash of %d migration%s, %s to %s (sqlite-migrate squash).\n"
      "-- Its up makes the schema and the rows they made; it has no down (it\n"
      "-- cannot be reverted).  A database that applied all of them counts it\n"
      "-- as applied; their files are in squashed/ (kept, not read).\n",
      zName, nRep, cliPlural(nRep), aRep[0].zName, zTarget);
  for(i=0; i<nRep; i++){
    sqlite3_str_appendf(pText, "-- migrate:replaces %s\n", aRep[i].zName);
  }
  sqlite3_str_appendf(pText, "-- migrate:up\n%s", zUp);
  if( sqlite3_str_errcode(pText) ){
    rc = cliErrorMsg(p, cliNoMem());
    goto squash_done;
  }
  rc = cliWriteFile(p, zTmp, sqlite3_str_value(pText), &bSame);
  if( rc!=CLI_OK ) goto squash_done;

  /* move the replaced files, then put the squash in place */
  azMoved = sqlite3_malloc64(sizeof(char*)*6*(sqlite3_uint64)(nRep+1));
  if( azMoved==0 ){ rc = cliErrorMsg(p, cliNoMem()); goto squash_done; }
  if( mkdir(zSquashed, 0777)!=0 && errno!=EEXIST ){
    rc = cliError(p, "squash: cannot create %s: %s", zSquashed,
                  strerror(errno));
  }
  for(i=0; rc==CLI_OK && i<nRep; i++){
    const char *azFile[3];
    char *zVerify = 0;
    azFile[0] = aRep[i].zFile;
    azFile[1] = aRep[i].zDownFile && strcmp(aRep[i].zDownFile,
                                            aRep[i].zFile)!=0
              ? aRep[i].zDownFile : 0;
    azFile[2] = 0;
    if( strlen(aRep[i].zFile)>7
     && strcmp(&aRep[i].zFile[strlen(aRep[i].zFile)-7], ".up.sql")==0 ){
      zVerify = sqlite3_mprintf("%.*s.verify.sql",
                                (int)strlen(aRep[i].zFile)-7, aRep[i].zFile);
      if( zVerify && stat(zVerify, &st)==0 ) azFile[2] = zVerify;
    }
    for(k=0; rc==CLI_OK && k<3; k++){
      char *zTo = 0, *zErr;
      if( azFile[k]==0 ) continue;
      zErr = cliMoveInto(azFile[k], zSquashed, &zTo);
      if( zErr ){
        sqlite3_free(zTo);
        rc = cliErrorMsg(p, sqlite3_mprintf("squash: %s", zErr));
        if( zErr!=cliNoMem() ) sqlite3_free(zErr);
        break;
      }
      azMoved[2*nMoved] = sqlite3_mprintf("%s", azFile[k]);
      azMoved[2*nMoved+1] = zTo;
      nMoved++;
    }
    sqlite3_free(zVerify);
  }
  if( rc==CLI_OK && rename(zTmp, zPath)!=0 ){
    rc = cliError(p, "squash: cannot write %s: %s", zPath, strerror(errno));
  }
  if( rc!=CLI_OK ){
    /* put everything back */
    for(i=nMoved-1; i>=0; i--){
      if( azMoved[2*i] && azMoved[2*i+1] ) rename(azMoved[2*i+1], azMoved[2*i]);
    }
    unlink(zTmp);
    rmdir(zSquashed);      /* only if it is empty */
    goto squash_done;
  }
  if( p->bJson ){
    sqlite3_str *pOut = sqlite3_str_new(0);
    sqlite3_str_appendall(pOut, "{\"command\":\"squash\",\"file\":");
    cliJsonString(pOut, zPath);
    sqlite3_str_appendall(pOut, ",\"replaces\":[");
    for(i=0; i<nRep; i++){
      if( i ) sqlite3_str_appendchar(pOut, 1, ',');
      cliJsonString(pOut, aRep[i].zName);
    }
    sqlite3_str_appendall(pOut, "],\"moved_to\":");
    cliJsonString(pOut, zSquashed);
    sqlite3_str_appendchar(pOut, 1, '}');
    rc = cliJsonPrint(p, pOut);
  }else{
    printf("squashed %d migration%s (%s to %s) into %s; their files are in "
           "%s/\n", nRep, cliPlural(nRep), aRep[0].zName, zTarget, zPath,
           zSquashed);
  }

squash_done:
  for(i=0; i<nMoved; i++){
    sqlite3_free(azMoved[2*i]);
    sqlite3_free(azMoved[2*i+1]);
  }
  sqlite3_free(azMoved);
  if( pText ) sqlite3_free(sqlite3_str_finish(pText));
  sqlite3_free(zUp);
  sqlite3_free(aRep);
  sqlite3_free(zName);
  sqlite3_free(zPath);
  sqlite3_free(zTmp);
  sqlite3_free(zSquashed);
  return rc;
}

/*
** cli_dir.c — reading the migrations folder DIR and the file formats, in
** one place: one function per format.
**   dbmate NAME.sql (`-- migrate:up` / `down` / `verify` sections,
**     `transaction:false`)                              cliSplitDbmate
**     and a squash's `-- migrate:replaces NAME` lines   cliReadReplaces
**                                                       (cli_check.c)
**   golang-migrate NAME.up.sql + NAME.down.sql (+ NAME.verify.sql), and
**     Flyway-style R__NAME.sql repeatables              cliReadDir
**   hooks DIR/hooks/EVENT.sql                           cliReadHooks
**   goose NNN_name.sql (`-- +goose Up/Down`)             cliSplitGoose, cliReadGoose
**   sqitch sqitch.plan + deploy/ + revert/              cliReadSqitch
** How: every file is read whole (cliReadFile refuses NUL bytes and invalid
** UTF-8), split into its scripts with the line where each starts in the
** file (for "at FILE:LINE" in errors), and stored in Cli.aScript in
** migration order (the engine's natural order, migrateNaturalCmp).  Any
** bad file is an error naming it, before a database is opened.
** Tested by test/cli_errors.test (bad folders), test/cli.test (both
** formats), test/cli_lifecycle.test (verify, R__, hooks) and
** test/cli_import.test (goose, sqitch).
*/
#include "cli.h"

/* The hook events of the engine (ext/hooks.c), in the order they run. */
const char *const azCliHook[CLI_NHOOK] = {
  "before_migrate", "after_migrate", "before_each", "after_each",
  "before_rollback", "after_rollback"
};

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
char *cliReadFile(const char *zPath, char **pz){
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
  if( z==0 ) return cliNoMem();
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

/*
** Offset of the first byte of z[0..n-1] that is not whitespace, a
** byte-order mark or a comment, as SQLite reads them (the engine's lexer,
** migrateSkipSpace); n when there is none.
*/
size_t cliSkipSpace(const char *z, size_t n){
  size_t i = (size_t)(migrateSkipSpace(z) - z);
  return i<n ? i : n;
}

/*
** Finds the dbmate section markers of z: every "--" comment that starts a
** line, read with the engine's lexer, so that the text "-- migrate:up"
** inside a string, a quoted name or a block comment is never taken for
** one, and a byte-order mark before the first is skipped.  For each
** marker calls cliMarker() and, when it is one, records in aStart[k] the
** start of its line, aBody[k] the start of the next line, aLine[k] its
** line number and aNoTxn[k] its option; aSeen[k] counts them.  Returns 0,
** or an error message for a marker seen twice or out of order.
*/
static char *cliFindMarkers(const char *zPath, const char *z, size_t *aStart,
                            size_t *aBody, int *aLine, int *aNoTxn,
                            int *aSeen){
  static const char *azMark[] = { "up", "down", "verify" };
  size_t n = strlen(z);
  size_t i = 0, iLineStart = 0;
  int line = 1;
  int bLineStart = 1;   /* only whitespace so far on this line */
  while( i<n ){
    int eType = 0;
    size_t nTok = (size_t)migrateSqlToken(&z[i], &eType);
    size_t j;
    if( nTok==0 ) break;
    if( eType==MIGRATE_TK_COMMENT && bLineStart && z[i]=='-' ){
      int bNoTxn = 0;
      int m = cliMarker(&z[i], nTok, &bNoTxn);
      if( m>0 ){
        int k = m-1;
        if( aSeen[k]++ ){
          return sqlite3_mprintf("%s: a second '-- migrate:%s' marker (lines "
                                 "%d and %d)", zPath, azMark[k], aLine[k],
                                 line);
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
        aStart[k] = iLineStart;
        aBody[k] = i+nTok<n ? i+nTok+1 : n;   /* after its newline */
        aLine[k] = line;
        aNoTxn[k] = bNoTxn;
      }
    }
    for(j=i; j<i+nTok; j++){
      if( z[j]=='\n' ){ line++; iLineStart = j+1; }
    }
    if( eType==MIGRATE_TK_SPACE ){
      if( memchr(&z[i], '\n', nTok) ) bLineStart = 1;
    }else{
      bLineStart = 0;
    }
    i += nTok;
  }
  return 0;
}

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
  size_t n = strlen(z);
  size_t i;
  size_t aStart[3], aBody[3];
  int aLine[3] = {0, 0, 0}, aNoTxn[3] = {0, 0, 0}, aSeen[3] = {0, 0, 0};
  char **apOut[3];
  char *zErr;
  int k;
  apOut[0] = pzUp; apOut[1] = pzDown; apOut[2] = pzVerify;
  *pzUp = *pzDown = *pzVerify = 0;
  memset(aStart, 0, sizeof(aStart));
  memset(aBody, 0, sizeof(aBody));
  zErr = cliFindMarkers(zPath, z, aStart, aBody, aLine, aNoTxn, aSeen);
  if( zErr ) return zErr;
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
      return cliNoMem();
    }
  }
  return 0;
}

/* 1 when the text z has a dbmate section marker (cliFindMarkers). */
static int cliHasMarkers(const char *z){
  size_t aStart[3], aBody[3];
  int aLine[3] = {0, 0, 0}, aNoTxn[3] = {0, 0, 0}, aSeen[3] = {0, 0, 0};
  sqlite3_free(cliFindMarkers("", z, aStart, aBody, aLine, aNoTxn, aSeen));
  return aSeen[0] || aSeen[1] || aSeen[2];
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
int cliScriptCmp(const void *a, const void *b){
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
void cliFreeScripts(Cli *p){
  int i;
  for(i=0; i<p->nScript; i++){
    sqlite3_free(p->aScript[i].zName);
    sqlite3_free(p->aScript[i].zUp);
    sqlite3_free(p->aScript[i].zDown);
    sqlite3_free(p->aScript[i].zFile);
    sqlite3_free(p->aScript[i].zDownFile);
    sqlite3_free(p->aScript[i].zVerify);
    sqlite3_free(p->aScript[i].zReplaces);
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
  if( zHooks==0 ) return cliNoMem();
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
    if( zPath==0 ){ zErr = cliNoMem(); break; }
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
int cliReadDir(Cli *p){
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
    if( zPath==0 ){ zErr = cliNoMem(); break; }
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
      if( aNew==0 ){ zErr = cliNoMem(); break; }
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
      zErr = cliNoMem();
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
    if( p->aScript==0 ) zErr = cliNoMem();
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
    if( zPath==0 ){ zErr = cliNoMem(); break; }
    pS->zFile = zPath;
    pS->zName = sqlite3_mprintf("%s", pE->zName);
    p->nScript++;
    if( pS->zName==0 ){ zErr = cliNoMem(); break; }
    zErr = cliReadFile(zPath, &zText);
    if( zErr ) break;
    pS->bRepeatable = strncmp(pE->zName, "R__", 3)==0;
    if( pE->eKind==0 && pS->bRepeatable && !cliHasMarkers(zText) ){
      /* a Flyway-style R__NAME.sql without markers: all of it is up */
      pS->zUp = zText;
      zText = 0;
      pS->iUpLine = 1;
    }else if( pE->eKind==0 ){
      zErr = cliSplitDbmate(zPath, zText, &pS->zUp, &pS->zDown, &pS->zVerify,
                            &pS->iUpLine, &pS->iDownLine);
      if( zErr==0 ) zErr = cliReadReplaces(zPath, zText, &pS->zReplaces);
      pS->zDownFile = sqlite3_mprintf("%s", zPath);
    }else{
      pS->zUp = zText;
      zText = 0;
      pS->iUpLine = pS->iDownLine = 1;
      if( pNext && pNext->eKind==2 && strcmp(pNext->zName, pE->zName)==0 ){
        pS->zDownFile = sqlite3_mprintf("%s/%s", p->zDir, pNext->zFile);
        if( pS->zDownFile==0 ){ zErr = cliNoMem(); break; }
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
      if( zVPath==0 ){ zErr = cliNoMem(); break; }
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
    rc = cliErrorMsg(p, zErr);
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

/*
** The version of a migration name: its leading digits without leading
** zeros ("0" when they are all zeros); "" when it has none.  Written into
** zOut (at least 32 bytes); digit runs longer than 30 give "".
*/
void cliVersionOf(const char *zName, char *zOut){
  int i = 0, n;
  while( zName[i]=='0' && zName[i+1]>='0' && zName[i+1]<='9' ) i++;
  for(n=0; zName[i+n]>='0' && zName[i+n]<='9'; n++){}
  if( n>30 ) n = 0;
  memcpy(zOut, &zName[i], n);
  zOut[n] = 0;
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
  if( pS->zUp==0 || pS->zDown==0 ) return cliNoMem();
  return 0;
}

/* Reads DIR's goose files NNN_name.sql into p->aScript. */
char *cliReadGoose(Cli *p){
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
    if( pS==0 ){ zErr = cliNoMem(); break; }
    pS->zName = sqlite3_mprintf("%.*s", (int)strlen(zF)-4, zF);
    pS->zFile = sqlite3_mprintf("%s/%s", p->zDir, zF);
    pS->zDownFile = sqlite3_mprintf("%s/%s", p->zDir, zF);
    if( pS->zName==0 || pS->zFile==0 || pS->zDownFile==0 ){
      zErr = cliNoMem();
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
char *cliReadSqitch(Cli *p, char **pzProject){
  char *zPlan = sqlite3_mprintf("%s/sqitch.plan", p->zDir);
  char *zText = 0, *zErr, *z;
  int line = 0, nChange = 0;
  if( zPlan==0 ) return cliNoMem();
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
      if( zChange==0 ){ zErr = cliNoMem(); break; }
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
      if( pS==0 ){ sqlite3_free(zChange); zErr = cliNoMem(); break; }
      nChange++;
      pS->zName = sqlite3_mprintf("%03d_%s", nChange, zChange);
      pS->zFile = sqlite3_mprintf("%s/deploy/%s.sql", p->zDir, zChange);
      pS->zDownFile = sqlite3_mprintf("%s/revert/%s.sql", p->zDir, zChange);
      sqlite3_free(zChange);
      if( pS->zName==0 || pS->zFile==0 || pS->zDownFile==0 ){
        zErr = cliNoMem();
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

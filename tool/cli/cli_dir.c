/*
** cli_dir.c — reading the migrations folder DIR: listing it, telling which
** layout it is in (dbmate, golang-migrate, sqlx, goose, Flyway, diesel,
** version folders), and handing its entries to that layout's reader in
** cli_formats.c.  Also the primitives every reader uses: cliReadFile (a
** whole file; no NUL byte, valid UTF-8), natural order, the hooks folder,
** and the listing of goose's Go files.
**
** HOW IT WORKS
**   1. cliListDir reads DIR once.  Names starting with '.' and files not
**      ending in ".sql" are ignored (but Go and Python files: see 5).
**      Every .sql file is read whole; every folder (but hooks/ and a
**      squash's squashed/) is looked
**      into for .sql files, one level deep: a folder without any is
**      ignored, one holding up.sql is a diesel migration, one holding
**      other .sql files a version folder.
**   2. cliClassify says what each entry looks like (CLI_KIND_*, cli.h): a
**      file with a '-- migrate:' marker is dbmate's, one with '-- +goose'
**      goose's, NAME.up.sql / .down.sql a pair, V1__x.sql Flyway's,
**      NNN_name.sql without markers sqlx's up-only kind, R__x.sql a
**      repeatable.  aKindFormats says which layouts read each kind.
**   3. The layout: --format NAME when given; else the one layout that
**      reads every entry (the first of dbmate, sqlx, goose, flyway,
**      diesel, folders when several do — a folder of pairs only is read
**      the same by dbmate and sqlx).  None: the folder mixes layouts, an
**      error naming the files of each kind.
**   4. The layout's reader (cli_formats.c) turns the entries into
**      Cli.aScript and refuses, naming it, any entry that is not of its
**      layout — so a .sql file or a folder of .sql files that DIR holds is
**      either read or an error, never skipped.  The scripts are sorted in
**      migration order (the engine's natural order, migrateNaturalCmp) and
**      a name defined twice is an error.
**   5. The versioned Go and Python files (NNN_name.go, NNN_name.py) are
**      listed in Cli.azExternal: sqlite-migrate cannot run them; in a
**      goose folder the sync refuses a database that has not recorded its
**      Go migrations (cli_sync.c), and import records those its tool ran
**      as external migrations (cli_import.c).
**   Any bad entry is an error naming it, before a database is opened.
** Tested by test/cli_formats.test (layouts, detection, mixing),
** test/cli_errors.test (bad files) and test/cli_hazard.test (folders
** that are not migration folders).  A squash's `-- migrate:replaces NAME`
** lines are read by cliReadReplaces (cli_check.c).
*/
#include "cli.h"

/* The hook events of the engine (ext/hooks.c), in the order they run. */
const char *const azCliHook[CLI_NHOOK] = {
  "before_migrate", "after_migrate", "before_each", "after_each",
  "before_rollback", "after_rollback"
};

/* The layouts by name (--format NAME); golang-migrate is read by the
** dbmate reader, which reads both kinds of file. */
static const struct { const char *zName; int eFormat; } aCliFormat[] = {
  { "dbmate", CLI_FORMAT_DBMATE },
  { "golang-migrate", CLI_FORMAT_DBMATE },
  { "sqlx", CLI_FORMAT_SQLX },
  { "goose", CLI_FORMAT_GOOSE },
  { "flyway", CLI_FORMAT_FLYWAY },
  { "diesel", CLI_FORMAT_DIESEL },
  { "folders", CLI_FORMAT_FOLDERS },
};

/* The layout called zName (--format), or -1. */
int cliFormatByName(const char *zName){
  int i;
  for(i=0; i<(int)(sizeof(aCliFormat)/sizeof(aCliFormat[0])); i++){
    if( strcmp(aCliFormat[i].zName, zName)==0 ) return aCliFormat[i].eFormat;
  }
  return -1;
}

/* The name of layout eFormat. */
const char *cliFormatName(int eFormat){
  int i;
  for(i=0; i<(int)(sizeof(aCliFormat)/sizeof(aCliFormat[0])); i++){
    if( aCliFormat[i].eFormat==eFormat ) return aCliFormat[i].zName;
  }
  return "?";
}

/* Which layouts read an entry of each kind (bit (1<<CLI_FORMAT_*)), and
** how the mixing error names the kind. */
#define CLI_F(X) (1u<<CLI_FORMAT_##X)
static const struct { unsigned mFormats; const char *zWhat; }
aKindFormats[CLI_NKIND] = {
  { CLI_F(DBMATE),              "dbmate files with '-- migrate:up'" },
  { CLI_F(DBMATE)|CLI_F(SQLX),  "NAME.up.sql / NAME.down.sql files" },
  { CLI_F(GOOSE),               "goose files with '-- +goose Up'" },
  { CLI_F(DBMATE)|CLI_F(SQLX)|CLI_F(FLYWAY), "R__ repeatable files" },
  { CLI_F(FLYWAY),              "Flyway files (V1__name.sql, U1__name.sql)" },
  { CLI_F(SQLX),                "sqlx up-only files (NNN_name.sql without "
                                "markers)" },
  { ~0u,                        "other .sql files" },
  { CLI_F(DIESEL),              "diesel migration folders (NAME/up.sql)" },
  { CLI_F(FOLDERS),             "version folders (VERSION/NAME.sql)" },
};

/*
** Returns 1 when z[0..n-1] is well-formed UTF-8 (no overlong forms, no
** surrogates, nothing above U+10FFFF), else 0 and *piBad = byte offset.
*/
int cliIsUtf8(const unsigned char *z, size_t n, size_t *piBad){
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
int cliLineOf(const char *z, size_t i){
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
** Offset of the first byte of z[0..n-1] that is not whitespace, a
** byte-order mark or a comment, as SQLite reads them (the engine's lexer,
** migrateSkipSpace); n when there is none.
*/
size_t cliSkipSpace(const char *z, size_t n){
  size_t i = (size_t)(migrateSkipSpace(z) - z);
  return i<n ? i : n;
}

/* Natural order of two names (the engine's migrateNaturalCmp). */
int cliNameCmp(const char *a, const char *b){
  return migrateNaturalCmp(0, (int)strlen(a), a, (int)strlen(b), b);
}

/* qsort order of CliScript: migration order (the engine's natural order). */
int cliScriptCmp(const void *a, const void *b){
  const CliScript *x = (const CliScript*)a, *y = (const CliScript*)b;
  int c = cliNameCmp(x->zName, y->zName);
  return c ? c : strcmp(x->zName, y->zName);
}

/* qsort order of file names: natural order. */
static int cliFileCmp(const void *a, const void *b){
  return cliNameCmp(*(char*const*)a, *(char*const*)b);
}

/* 1 when z ends with zSuffix. */
int cliEndsWith(const char *z, const char *zSuffix){
  size_t n = strlen(z), m = strlen(zSuffix);
  return n>=m && strcmp(&z[n-m], zSuffix)==0;
}

/* Appends a new, zeroed CliScript to p->aScript; returns it or NULL. */
CliScript *cliAddScript(Cli *p){
  CliScript *aNew = sqlite3_realloc64(p->aScript,
                       sizeof(CliScript)*(sqlite3_uint64)(p->nScript+1));
  if( aNew==0 ) return 0;
  p->aScript = aNew;
  memset(&aNew[p->nScript], 0, sizeof(CliScript));
  return &aNew[p->nScript++];
}

/* Frees the array az of n strings. */
static void cliFreeList(char **az, int n){
  int i;
  for(i=0; i<n; i++) sqlite3_free(az[i]);
  sqlite3_free(az);
}

/* Frees p->aScript, the hooks and the external files read from DIR. */
void cliFreeScripts(Cli *p){
  int i;
  for(i=0; i<p->nScript; i++){
    sqlite3_free(p->aScript[i].zName);
    sqlite3_free(p->aScript[i].zUp);
    sqlite3_free(p->aScript[i].zDown);
    sqlite3_free(p->aScript[i].zFile);
    sqlite3_free(p->aScript[i].zDownFile);
    sqlite3_free(p->aScript[i].zVerify);
    sqlite3_free(p->aScript[i].zNoDown);
    sqlite3_free(p->aScript[i].zReplaces);
  }
  for(i=0; i<CLI_NHOOK; i++){
    sqlite3_free(p->azHook[i]);
    p->azHook[i] = 0;
  }
  sqlite3_free(p->aScript);
  p->aScript = 0;
  p->nScript = 0;
  cliFreeList(p->azExternal, p->nExternal);
  p->azExternal = 0;
  p->nExternal = 0;
}

/* Appends a copy of z to the list *paz of *pn strings; 0 or out of memory. */
static char *cliListAdd(char ***paz, int *pn, const char *z){
  char **azNew = sqlite3_realloc64(*paz, sizeof(char*)*(sqlite3_uint64)(*pn+1));
  if( azNew==0 ) return cliNoMem();
  *paz = azNew;
  azNew[*pn] = sqlite3_mprintf("%s", z);
  if( azNew[*pn]==0 ) return cliNoMem();
  (*pn)++;
  return 0;
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
** Checks one name zF found in folder zDir as a would-be .sql file:
** returns 0 when zPath (zDir/zF) is a regular file, else an error (a
** folder or a device named *.sql, a dangling link, a name that is not
** UTF-8).
*/
static char *cliCheckSqlFile(const char *zPath, const char *zF){
  struct stat st;
  size_t iBad;
  if( stat(zPath, &st)!=0 ){
    return sqlite3_mprintf("%s: cannot read: %s", zPath, strerror(errno));
  }
  if( !S_ISREG(st.st_mode) ){
    return sqlite3_mprintf("%s: not a regular file", zPath);
  }
  if( !cliIsUtf8((const unsigned char*)zF, strlen(zF), &iBad) ){
    return sqlite3_mprintf("%s: the file name is not valid UTF-8", zPath);
  }
  return 0;
}

/*
** Lists the .sql files of the folder zPath (one level; names starting
** with '.' ignored) into *pazSub (natural order).  Returns 0 or an error.
*/
static char *cliListSql(const char *zPath, char ***pazSub, int *pnSub){
  DIR *pDir = opendir(zPath);
  struct dirent *pEnt;
  char *zErr = 0;
  *pazSub = 0;
  *pnSub = 0;
  if( pDir==0 ){
    return sqlite3_mprintf("cannot read the folder %s: %s", zPath,
                           strerror(errno));
  }
  while( zErr==0 && (pEnt = readdir(pDir))!=0 ){
    const char *zF = pEnt->d_name;
    char *zSub;
    if( zF[0]=='.' || !cliEndsWith(zF, ".sql") ) continue;
    zSub = sqlite3_mprintf("%s/%s", zPath, zF);
    if( zSub==0 ){ zErr = cliNoMem(); break; }
    zErr = cliCheckSqlFile(zSub, zF);
    sqlite3_free(zSub);
    if( zErr==0 ) zErr = cliListAdd(pazSub, pnSub, zF);
  }
  closedir(pDir);
  if( zErr==0 && *pnSub>1 ){
    qsort(*pazSub, *pnSub, sizeof(char*), cliFileCmp);
  }
  return zErr;
}

/* 1 when z is a version (or a name) that starts with digits and '_'. */
static int cliIsNumbered(const char *z){
  int i;
  for(i=0; z[i]>='0' && z[i]<='9'; i++){}
  return i>0 && z[i]=='_';
}

/* What the .sql file zFile with text zText looks like (CLI_KIND_*). */
static int cliClassify(const char *zFile, const char *zText){
  if( cliEndsWith(zFile, ".up.sql") || cliEndsWith(zFile, ".down.sql")
   || cliEndsWith(zFile, ".verify.sql") ){
    return CLI_KIND_PAIR;
  }
  if( cliHasMarkers(zText) ) return CLI_KIND_DBMATE;
  if( cliHasGoose(zText) ) return CLI_KIND_GOOSE;
  if( strncmp(zFile, "R__", 3)==0 ) return CLI_KIND_REPEAT;
  if( cliIsFlywayName(zFile) ) return CLI_KIND_FLYWAY;
  if( cliIsNumbered(zFile) ) return CLI_KIND_PLAIN;
  return CLI_KIND_OTHER;
}

/* qsort order of CliEntry: natural order of names. */
static int cliEntryCmp(const void *a, const void *b){
  return cliNameCmp(((const CliEntry*)a)->zFile, ((const CliEntry*)b)->zFile);
}

/* Frees the entries of DIR. */
static void cliFreeEntries(CliEntry *aEnt, int nEnt){
  int i;
  for(i=0; i<nEnt; i++){
    sqlite3_free(aEnt[i].zFile);
    sqlite3_free(aEnt[i].zPath);
    sqlite3_free(aEnt[i].zText);
    cliFreeList(aEnt[i].azSub, aEnt[i].nSub);
  }
  sqlite3_free(aEnt);
}

/*
** Lists DIR (step 1 of the header): its .sql files, read and classified,
** and its folders holding .sql files (but hooks/), in natural order; and
** into p->azExternal its versioned Go and Python files (NNN_name.go,
** NNN_name.py; not *_test.go).  Returns 0 or an error message.
*/
static char *cliListDir(Cli *p, CliEntry **paEnt, int *pnEnt){
  DIR *pDir = opendir(p->zDir);
  struct dirent *pEnt;
  CliEntry *aEnt = 0;
  int nEnt = 0;
  char *zErr = 0;
  *paEnt = 0;
  *pnEnt = 0;
  if( pDir==0 ){
    return sqlite3_mprintf("cannot read the migrations folder %s: %s",
                           p->zDir, strerror(errno));
  }
  while( zErr==0 && (pEnt = readdir(pDir))!=0 ){
    const char *zF = pEnt->d_name;
    CliEntry e;
    struct stat st;
    int bSql = cliEndsWith(zF, ".sql");
    if( zF[0]=='.' ) continue;
    memset(&e, 0, sizeof(e));
    e.zPath = sqlite3_mprintf("%s/%s", p->zDir, zF);
    e.zFile = sqlite3_mprintf("%s", zF);
    if( e.zPath==0 || e.zFile==0 ){
      zErr = cliNoMem();
    }else if( bSql ){
      zErr = cliCheckSqlFile(e.zPath, zF);
      if( zErr==0 ) zErr = cliReadFile(e.zPath, &e.zText);
      if( zErr==0 ) e.eKind = cliClassify(zF, e.zText);
    }else if( cliIsNumbered(zF) && !cliEndsWith(zF, "_test.go")
           && (cliEndsWith(zF, ".go") || cliEndsWith(zF, ".py")) ){
      /* a migration in Go or Python (goose, dbmate projects) */
      zErr = cliListAdd(&p->azExternal, &p->nExternal, zF);
    }else if( stat(e.zPath, &st)==0 && S_ISDIR(st.st_mode)
           && strcmp(zF, "hooks")!=0 && strcmp(zF, "squashed")!=0 ){
      /* (hooks/ holds hooks; squashed/ the files a squash replaced, kept
      ** for reference and never read) */
      size_t iBad;
      int k;
      zErr = cliListSql(e.zPath, &e.azSub, &e.nSub);
      if( zErr==0 && e.nSub>0
       && !cliIsUtf8((const unsigned char*)zF, strlen(zF), &iBad) ){
        zErr = sqlite3_mprintf("%s: the folder name is not valid UTF-8",
                               e.zPath);
      }
      e.eKind = CLI_KIND_FOLDER;
      for(k=0; k<e.nSub; k++){
        if( strcmp(e.azSub[k], "up.sql")==0 ) e.eKind = CLI_KIND_DIESEL;
      }
    }
    if( zErr==0 && (e.zText || e.nSub>0) ){
      CliEntry *aNew = sqlite3_realloc64(aEnt,
                                   sizeof(CliEntry)*(sqlite3_uint64)(nEnt+1));
      if( aNew==0 ){
        zErr = cliNoMem();
      }else{
        aEnt = aNew;
        aEnt[nEnt++] = e;
        continue;
      }
    }
    sqlite3_free(e.zFile);
    sqlite3_free(e.zPath);
    sqlite3_free(e.zText);
    cliFreeList(e.azSub, e.nSub);
  }
  closedir(pDir);
  if( nEnt>1 ) qsort(aEnt, nEnt, sizeof(CliEntry), cliEntryCmp);
  if( p->nExternal>1 ){
    qsort(p->azExternal, p->nExternal, sizeof(char*), cliFileCmp);
  }
  *paEnt = aEnt;
  *pnEnt = nEnt;
  return zErr;
}

/*
** Step 3 of the header: the layout that reads every entry, or -1 and
** *pzErr = the mixing error, naming the files of each kind.
*/
static int cliDetect(Cli *p, CliEntry *aEnt, int nEnt, char **pzErr){
  unsigned mAll = ~0u;
  int i, k, eFormat;
  for(i=0; i<nEnt; i++) mAll &= aKindFormats[aEnt[i].eKind].mFormats;
  for(eFormat=0; eFormat<CLI_NFORMAT; eFormat++){
    if( mAll & (1u<<eFormat) ) return eFormat;
  }
  {
    sqlite3_str *pMsg = sqlite3_str_new(0);
    const char *zSep = "";
    sqlite3_str_appendf(pMsg, "%s mixes migration layouts, which one folder "
                        "cannot: ", p->zDir);
    for(k=0; k<CLI_NKIND; k++){
      int n = 0;
      for(i=0; i<nEnt; i++){
        if( aEnt[i].eKind!=k ) continue;
        if( n==0 ){
          sqlite3_str_appendf(pMsg, "%s%s: ", zSep, aKindFormats[k].zWhat);
          zSep = "; ";
        }
        if( n<4 ){
          sqlite3_str_appendf(pMsg, "%s%s%s", n ? ", " : "", aEnt[i].zFile,
                              aEnt[i].zText ? "" : "/");
        }
        n++;
      }
      if( n>4 ) sqlite3_str_appendf(pMsg, ", ... (%d in all)", n);
    }
    sqlite3_str_appendall(pMsg, " (--format NAME reads the folder as one "
                          "layout)");
    *pzErr = sqlite3_str_finish(pMsg);
    if( *pzErr==0 ) *pzErr = cliNoMem();
  }
  return -1;
}

/*
** Reads every migration of p->zDir into p->aScript (migration order), in
** the layout --format names or the one detected (p->eFormat), and the
** hooks of DIR/hooks.  Returns CLI_OK, or prints an error naming the file
** and returns CLI_ERROR.
*/
int cliReadDir(Cli *p){
  CliEntry *aEnt = 0;
  int nEnt = 0;
  char *zErr;
  int i, rc = CLI_OK;

  zErr = cliListDir(p, &aEnt, &nEnt);
  if( zErr==0 ){
    if( p->zFormat ){
      p->eFormat = cliFormatByName(p->zFormat);
    }else{
      p->eFormat = cliDetect(p, aEnt, nEnt, &zErr);
    }
  }
  if( zErr==0 ){
    switch( p->eFormat ){
      case CLI_FORMAT_GOOSE:   zErr = cliReadGoose(p, aEnt, nEnt);   break;
      case CLI_FORMAT_FLYWAY:  zErr = cliReadFlyway(p, aEnt, nEnt);  break;
      case CLI_FORMAT_DIESEL:  zErr = cliReadDiesel(p, aEnt, nEnt);  break;
      case CLI_FORMAT_FOLDERS: zErr = cliReadFolders(p, aEnt, nEnt); break;
      default: zErr = cliReadFiles(p, aEnt, nEnt, p->eFormat);       break;
    }
  }
  cliFreeEntries(aEnt, nEnt);
  if( zErr==0 && p->nScript>1 ){
    qsort(p->aScript, p->nScript, sizeof(CliScript), cliScriptCmp);
    for(i=1; zErr==0 && i<p->nScript; i++){
      const CliScript *pA = &p->aScript[i-1], *pB = &p->aScript[i];
      if( strcmp(pA->zName, pB->zName)==0 ){
        zErr = sqlite3_mprintf("migration %s is defined twice: %s and %s",
                               pA->zName, pA->zFile, pB->zFile);
      }
    }
  }
  if( zErr==0 ) zErr = cliReadHooks(p);
  if( zErr ){
    rc = cliErrorMsg(p, zErr);
    cliFreeScripts(p);
    return rc;
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

/*
** cli_formats.c — the file layouts sqlite-migrate reads, one reader per
** layout; cli_dir.c lists DIR, detects its layout and calls the reader.
**   dbmate NAME.sql (`-- migrate:up` / `down` / `verify` sections,
**     `transaction:false`), golang-migrate and sqlx NAME.up.sql +
**     NAME.down.sql (+ NAME.verify.sql), sqlx's up-only NNN_name.sql,
**     R__NAME repeatables                              cliReadFiles
**   goose NNN_name.sql (`-- +goose Up/Down`, NO TRANSACTION)
**                                                       cliReadGoose
**   Flyway V1.2__name.sql, U1.2__name.sql, R__name.sql  cliReadFlyway
**   diesel NAME/up.sql + NAME/down.sql (+ metadata.toml) cliReadDiesel
**   version folders VERSION/NAME.sql                    cliReadFolders
**   sqitch sqitch.plan + deploy/ + revert/ (import)     cliReadSqitch
** How: a reader gets DIR's entries (files read whole, folders with the
** names of their .sql files), turns each into CliScripts (name, up, down
** or NULL with the reason in zNoDown, verify, the file and line where
** each script starts, for "at FILE:LINE" in errors) and refuses, naming
** it, an entry that is not of its layout.  What a line means is decided
** by the engine's lexer where SQL is involved (dbmate markers); goose
** annotations are lines, as goose reads them.  Bytes are kept as they
** are: a BOM or CRLF line ends change no checksum.
** Tested by test/cli_formats.test (a fixture folder per layout under
** test/data/), test/cli_errors.test, test/cli_lifecycle.test and
** test/cli_import.test (goose, sqitch).
*/
#include "cli.h"

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
int cliHasMarkers(const char *z){
  size_t aStart[3], aBody[3];
  int aLine[3] = {0, 0, 0}, aNoTxn[3] = {0, 0, 0}, aSeen[3] = {0, 0, 0};
  sqlite3_free(cliFindMarkers("", z, aStart, aBody, aLine, aNoTxn, aSeen));
  return aSeen[0] || aSeen[1] || aSeen[2];
}

/* The byte-order mark a file may start with (skipped by line readers). */
static size_t cliBomLen(const char *z){
  return memcmp(z, "\xEF\xBB\xBF", 3)==0 ? 3 : 0;
}

/*
** If the line z[i..e-1] is a goose annotation "-- +goose WORD", returns
** WORD (with its length in *pnW, trailing spaces and CR dropped), else 0.
*/
static const char *cliGooseWord(const char *z, size_t i, size_t e, int *pnW){
  size_t j = i+2;
  const char *zW;
  int nW;
  if( e-i<2 || z[i]!='-' || z[i+1]!='-' ) return 0;
  while( j<e && (z[j]==' ' || z[j]=='\t') ) j++;
  if( e-j<6 || memcmp(&z[j], "+goose", 6)!=0 ) return 0;
  zW = &z[j+6];
  while( zW<&z[e] && (*zW==' ' || *zW=='\t') ) zW++;
  for(nW=0; &zW[nW]<&z[e] && zW[nW]!='\r'; nW++){}
  while( nW>0 && (zW[nW-1]==' ' || zW[nW-1]=='\t') ) nW--;
  *pnW = nW;
  return zW;
}

/* 1 when the text z has a goose annotation line ("-- +goose ..."). */
int cliHasGoose(const char *z){
  size_t n = strlen(z), i = cliBomLen(z);
  while( i<n ){
    size_t e = i;
    int nW;
    while( e<n && z[e]!='\n' ) e++;
    if( cliGooseWord(z, i, e, &nW) ) return 1;
    i = e+1;
  }
  return 0;
}

/*
** Splits a goose SQL file: `-- +goose Up` and `-- +goose Down` sections
** (StatementBegin/End lines stay, as the comments they are: the engine
** finds statement ends itself, triggers included), and
** `-- +goose NO TRANSACTION`, which becomes the engine's no-transaction
** first line.  An absent Down section is '' (goose: nothing to undo).
** The words are matched in any case, as newer goose releases do.  Only
** comments may come before `-- +goose Up` (SQL there would belong to no
** section).
*/
static char *cliSplitGoose(const char *zPath, const char *z, CliScript *pS){
  size_t n = strlen(z), i = cliBomLen(z);
  size_t iUp = 0, iUpLine = 0, iUpEnd = 0, iDown = 0, iText;
  int bUp = 0, bDown = 0, bNoTxn = 0, line = 1, lineUp = 0, lineDown = 0;
  while( i<n ){
    size_t e = i;
    int nW = 0;
    const char *zW;
    while( e<n && z[e]!='\n' ) e++;
    zW = cliGooseWord(z, i, e, &nW);
    if( zW && nW==2 && sqlite3_strnicmp(zW, "Up", 2)==0 ){
      if( bUp++ ) return sqlite3_mprintf("%s: a second '-- +goose Up' "
                                         "(line %d)", zPath, line);
      iUp = e<n ? e+1 : n; iUpLine = i; lineUp = line;
    }else if( zW && nW==4 && sqlite3_strnicmp(zW, "Down", 4)==0 ){
      if( bDown++ ) return sqlite3_mprintf("%s: a second '-- +goose "
                                           "Down' (line %d)", zPath, line);
      if( !bUp ) return sqlite3_mprintf("%s: '-- +goose Down' (line %d) "
                                        "comes before '-- +goose Up'",
                                        zPath, line);
      iUpEnd = i; iDown = e<n ? e+1 : n; lineDown = line;
    }else if( zW && nW==14 && sqlite3_strnicmp(zW, "NO TRANSACTION", 14)==0 ){
      bNoTxn = 1;
    }
    i = e<n ? e+1 : n;
    line++;
  }
  if( !bUp ){
    return sqlite3_mprintf("%s: no '-- +goose Up' annotation: not a goose "
                           "SQL migration", zPath);
  }
  iText = cliSkipSpace(z, iUpLine);
  if( iText<iUpLine ){
    return sqlite3_mprintf("%s: text before '-- +goose Up' (line %d): only "
                           "comments may come before it", zPath,
                           cliLineOf(z, iText));
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

/*
** Adds a script named zName (nName bytes, -1: all) read from the file
** zPath to p->aScript; *ppS receives it.  Returns 0 or out of memory.
*/
static char *cliNewScript(Cli *p, const char *zName, int nName,
                          const char *zPath, CliScript **ppS){
  CliScript *pS = cliAddScript(p);
  *ppS = pS;
  if( pS==0 ) return cliNoMem();
  if( nName<0 ) nName = (int)strlen(zName);
  pS->zName = sqlite3_mprintf("%.*s", nName, zName);
  pS->zFile = sqlite3_mprintf("%s", zPath);
  pS->iUpLine = pS->iDownLine = 1;
  if( pS->zName==0 || pS->zFile==0 ) return cliNoMem();
  return 0;
}

/* Sets pS->zNoDown to the printf-style text (what DIR lacks). */
static char *cliSetNoDown(CliScript *pS, const char *zFmt, ...){
  va_list ap;
  va_start(ap, zFmt);
  pS->zNoDown = sqlite3_vmprintf(zFmt, ap);
  va_end(ap);
  return pS->zNoDown ? 0 : cliNoMem();
}

/*
** Splits the dbmate-style text of zPath into pS (up, down, verify) with
** cliSplitDbmate; an absent down section makes it irreversible.
*/
static char *cliDbmateScript(CliScript *pS, const char *zPath,
                             const char *zText){
  char *zErr = cliSplitDbmate(zPath, zText, &pS->zUp, &pS->zDown,
                              &pS->zVerify, &pS->iUpLine, &pS->iDownLine);
  if( zErr==0 ){
    pS->zDownFile = sqlite3_mprintf("%s", zPath);
    if( pS->zDownFile==0 ) zErr = cliNoMem();
  }
  if( zErr==0 ) zErr = cliReadReplaces(zPath, zText, &pS->zReplaces);
  if( zErr==0 && pS->zDown==0 ){
    zErr = cliSetNoDown(pS, "%s has no '-- migrate:down' section", zPath);
  }
  return zErr;
}

/*
** The error for a folder of .sql files in a layout that has none (every
** layout but diesel's and version folders').
*/
static char *cliFolderNotRead(const CliEntry *pE, int eFormat){
  return sqlite3_mprintf("%s: a folder holding .sql files (%s%s), which a "
                         "%s folder does not have: is -d the right folder? "
                         "(--format diesel or folders reads migration "
                         "folders)", pE->zPath, pE->azSub[0],
                         pE->nSub>1 ? ", ..." : "", cliFormatName(eFormat));
}

/* One file of a dbmate / golang-migrate / sqlx folder, for cliReadFiles. */
typedef struct CliPart CliPart;
struct CliPart {
  CliEntry *pE;
  char *zName;      /* migration name: the file name without its suffix */
  int eSuffix;      /* 0 NAME.sql, 1 .up.sql, 2 .down.sql, 3 .verify.sql */
};

/* qsort order of CliPart: by name (bytes), then NAME.sql, .up, .down,
** .verify. */
static int cliPartCmp(const void *a, const void *b){
  const CliPart *x = (const CliPart*)a, *y = (const CliPart*)b;
  int c = strcmp(x->zName, y->zName);
  return c ? c : x->eSuffix - y->eSuffix;
}

/*
** NAME.sql of an sqlx folder: plain SQL, up only (irreversible), its name
** starting with its version; R__NAME.sql is a repeatable.  A file with
** dbmate markers or goose annotations is refused (its down section would
** run as part of up).
*/
static char *cliSqlxScript(CliScript *pS, const CliEntry *pE, char *zText){
  if( pE->eKind==CLI_KIND_DBMATE || pE->eKind==CLI_KIND_GOOSE ){
    return sqlite3_mprintf("%s: has %s: an sqlx migration is plain SQL "
                           "(--format %s reads the folder as %s)", pE->zPath,
                           pE->eKind==CLI_KIND_DBMATE
                             ? "'-- migrate:' markers" : "goose annotations",
                           pE->eKind==CLI_KIND_DBMATE ? "dbmate" : "goose",
                           pE->eKind==CLI_KIND_DBMATE ? "dbmate" : "goose");
  }
  if( !pS->bRepeatable && pE->eKind!=CLI_KIND_PLAIN ){
    return sqlite3_mprintf("%s: no version number: an sqlx migration is "
                           "NNN_name.sql, or NNN_name.up.sql + "
                           "NNN_name.down.sql", pE->zPath);
  }
  pS->zUp = zText;
  if( pS->bRepeatable ) return 0;
  return cliSetNoDown(pS, "%s is up-only: sqlx reverts NAME.up.sql + "
                      "NAME.down.sql pairs", pE->zPath);
}

/*
** The reader of dbmate, golang-migrate and sqlx folders (eFormat
** CLI_FORMAT_DBMATE or CLI_FORMAT_SQLX), which share their pairs:
**   NAME.up.sql (the up script) + NAME.down.sql (down; none: irreversible)
**   + NAME.verify.sql (the verify query), and R__NAME repeatables;
**   NAME.sql: dbmate's `-- migrate:up` / `down` / `verify` sections
**   (dbmate), or the whole up script of an up-only migration (sqlx).
** A folder of .sql files is not of these layouts: an error.
*/
char *cliReadFiles(Cli *p, CliEntry *aEnt, int nEnt, int eFormat){
  CliPart *aPart = 0;
  int nPart = 0;
  char *zErr = 0;
  int i;

  aPart = sqlite3_malloc64(sizeof(CliPart)*(sqlite3_uint64)(nEnt+1));
  if( aPart==0 ) return cliNoMem();
  for(i=0; zErr==0 && i<nEnt; i++){
    CliEntry *pE = &aEnt[i];
    const char *zF = pE->zFile;
    size_t n = strlen(zF);
    CliPart *pP = &aPart[nPart];
    if( pE->zText==0 ){
      zErr = cliFolderNotRead(pE, eFormat);
      break;
    }
    pP->pE = pE;
    if( cliEndsWith(zF, ".up.sql") ){
      pP->eSuffix = 1; n -= 7;
    }else if( cliEndsWith(zF, ".down.sql") ){
      pP->eSuffix = 2; n -= 9;
    }else if( cliEndsWith(zF, ".verify.sql") ){
      pP->eSuffix = 3; n -= 11;
    }else{
      pP->eSuffix = 0; n -= 4;
    }
    if( n==0 ){
      zErr = sqlite3_mprintf("%s: the migration name (the file name "
                             "without .sql) is empty", pE->zPath);
      break;
    }
    pP->zName = sqlite3_mprintf("%.*s", (int)n, zF);
    if( pP->zName==0 ){ zErr = cliNoMem(); break; }
    nPart++;
  }
  if( zErr==0 && nPart>1 ) qsort(aPart, nPart, sizeof(CliPart), cliPartCmp);
  for(i=0; zErr==0 && i<nPart; i++){
    CliPart *pP = &aPart[i];
    CliPart *pNext = i+1<nPart ? &aPart[i+1] : 0;
    CliEntry *pE = pP->pE;
    CliScript *pS;
    char *zText = pE->zText;
    if( pNext && strcmp(pNext->zName, pP->zName)==0
     && !(pP->eSuffix<=1 && pNext->eSuffix==3)
     && !(pP->eSuffix==1 && pNext->eSuffix==2) ){
      zErr = sqlite3_mprintf("migration %s is defined twice: %s and %s",
                             pP->zName, pE->zPath, pNext->pE->zPath);
      break;
    }
    if( pP->eSuffix>=2 ){
      zErr = sqlite3_mprintf("%s: no matching %s.up.sql%s", pE->zPath,
                             pP->zName, pP->eSuffix==3 ? " or .sql" : "");
      break;
    }
    zErr = cliNewScript(p, pP->zName, -1, pE->zPath, &pS);
    if( zErr ) break;
    pE->zText = 0;                  /* the script owns it now */
    pS->bRepeatable = strncmp(pP->zName, "R__", 3)==0;
    if( pP->eSuffix==0 && eFormat==CLI_FORMAT_SQLX ){
      zErr = cliSqlxScript(pS, pE, zText);
      if( zErr==0 ) zText = 0;
    }else if( pP->eSuffix==0 && pS->bRepeatable && !cliHasMarkers(zText) ){
      /* a Flyway-style R__NAME.sql without markers: all of it is up */
      pS->zUp = zText;
      zText = 0;
    }else if( pP->eSuffix==0 ){
      zErr = cliDbmateScript(pS, pE->zPath, zText);
    }else{
      pS->zUp = zText;
      zText = 0;
      if( pNext && pNext->eSuffix==2 && strcmp(pNext->zName, pP->zName)==0 ){
        pS->zDownFile = sqlite3_mprintf("%s", pNext->pE->zPath);
        pS->zDown = pNext->pE->zText;
        pNext->pE->zText = 0;
        if( pS->zDownFile==0 ) zErr = cliNoMem();
        i++;
        pNext = i+1<nPart ? &aPart[i+1] : 0;
      }else if( !pS->bRepeatable ){
        zErr = cliSetNoDown(pS, "no %s/%s.down.sql", p->zDir, pP->zName);
      }
    }
    sqlite3_free(zText);
    if( zErr==0 && pNext && pNext->eSuffix==3
     && strcmp(pNext->zName, pP->zName)==0 ){
      i++;
      if( pS->zVerify ){
        zErr = sqlite3_mprintf("%s: migration %s has a verify query twice: "
                               "its '-- migrate:verify' section and %s",
                               pS->zFile, pS->zName, pNext->pE->zPath);
      }else{
        pS->zVerify = pNext->pE->zText;
        pNext->pE->zText = 0;
      }
    }
    if( zErr==0 && pS->bRepeatable && pS->zDown ){
      zErr = sqlite3_mprintf("%s: %s is a repeatable migration (R__ name): "
                             "it has no down script (remove its %s)",
                             pS->zFile, pS->zName,
                             pP->eSuffix==0 ? "'-- migrate:down' section"
                                            : ".down.sql file");
    }
  }
  for(i=0; i<nPart; i++) sqlite3_free(aPart[i].zName);
  sqlite3_free(aPart);
  return zErr;
}

/*
** The reader of goose folders: NNN_name.sql files with `-- +goose Up` /
** `-- +goose Down` (cliSplitGoose); the migration name is the file name
** without ".sql".  Go files are listed by cliReadDir (Cli.azExternal).
*/
char *cliReadGoose(Cli *p, CliEntry *aEnt, int nEnt){
  char *zErr = 0;
  int i;
  for(i=0; zErr==0 && i<nEnt; i++){
    CliEntry *pE = &aEnt[i];
    CliScript *pS;
    char zV[32];
    if( pE->zText==0 ){
      zErr = cliFolderNotRead(pE, CLI_FORMAT_GOOSE);
      break;
    }
    cliVersionOf(pE->zFile, zV);
    if( zV[0]==0 ){
      zErr = sqlite3_mprintf("%s: a goose migration's name starts with its "
                             "version number", pE->zPath);
      break;
    }
    zErr = cliNewScript(p, pE->zFile, (int)strlen(pE->zFile)-4, pE->zPath,
                        &pS);
    if( zErr==0 ){
      pS->zDownFile = sqlite3_mprintf("%s", pE->zPath);
      if( pS->zDownFile==0 ) zErr = cliNoMem();
    }
    if( zErr==0 ) zErr = cliSplitGoose(pE->zPath, pE->zText, pS);
  }
  return zErr;
}

/*
** 1 when zFile is a Flyway versioned or undo file name:
** [VU]<digits>([._]<digits>)*__<description>.sql.  *pnVer (may be NULL)
** receives the length of the version (after the V or U).
*/
static int cliFlywaySplit(const char *zFile, int *pnVer){
  int i = 1;
  if( zFile[0]!='V' && zFile[0]!='U' ) return 0;
  for(;;){
    int j = i;
    while( zFile[i]>='0' && zFile[i]<='9' ) i++;
    if( i==j ) return 0;
    if( (zFile[i]=='.' || zFile[i]=='_')
     && zFile[i+1]>='0' && zFile[i+1]<='9' ){
      i++;
      continue;
    }
    break;
  }
  if( zFile[i]!='_' || zFile[i+1]!='_' ) return 0;
  if( pnVer ) *pnVer = i-1;
  return strlen(&zFile[i+2])>4 && cliEndsWith(zFile, ".sql");
}
int cliIsFlywayName(const char *zFile){ return cliFlywaySplit(zFile, 0); }

/*
** Compares two Flyway versions (digits separated by '.' or '_', n bytes
** each) as Flyway does: part by part as numbers, a missing part 0 (so
** 1 = 1.0 < 1.1 < 1.2 < 1.10 < 2).
*/
static int cliFlywayCmp(const char *a, int na, const char *b, int nb){
  int i = 0, j = 0;
  while( i<na || j<nb ){
    int ei, ej, la, lb, c;
    while( i<na && a[i]=='0' && i+1<na && a[i+1]>='0' && a[i+1]<='9' ) i++;
    while( j<nb && b[j]=='0' && j+1<nb && b[j+1]>='0' && b[j+1]<='9' ) j++;
    for(ei=i; ei<na && a[ei]>='0' && a[ei]<='9'; ei++){}
    for(ej=j; ej<nb && b[ej]>='0' && b[ej]<='9'; ej++){}
    la = ei-i; lb = ej-j;
    if( la==0 || (la==1 && a[i]=='0') ){ la = 0; }
    if( lb==0 || (lb==1 && b[j]=='0') ){ lb = 0; }
    if( la!=lb ) return la<lb ? -1 : 1;
    c = memcmp(&a[i], &b[j], la);
    if( c ) return c<0 ? -1 : 1;
    i = ei<na ? ei+1 : na;
    j = ej<nb ? ej+1 : nb;
  }
  return 0;
}

/*
** The reader of Flyway folders: V<version>__<description>.sql is a
** versioned migration (plain SQL, up only), U<version>__<d>.sql the undo
** (down) of the V file of the same version, R__<d>.sql a repeatable one.
** The migration of V1.2__add_email.sql is named "V1.2-add_email": the
** version with '.' between its parts ('_' becomes '.'), then '-' and the
** description, so that the engine's natural order is Flyway's order of
** versions ('-' sorts before '.', so V1 < V1.1 < V1.2 < V1.10 < V2).
** Two files of one version, an undo without its V file and files with
** dbmate markers or goose annotations are errors.
*/
char *cliReadFlyway(Cli *p, CliEntry *aEnt, int nEnt){
  int *aV = 0;          /* per versioned script: index of its entry */
  int *aScriptOf = 0;   /* per versioned script: index into p->aScript */
  int nV = 0, i, j;
  char *zErr = 0;
  aV = sqlite3_malloc64(sizeof(int)*(sqlite3_uint64)(nEnt+1)*2);
  if( aV==0 ) return cliNoMem();
  aScriptOf = &aV[nEnt+1];
  for(i=0; zErr==0 && i<nEnt; i++){
    CliEntry *pE = &aEnt[i];
    CliScript *pS;
    int nVer = 0;
    if( pE->zText==0 ){
      zErr = cliFolderNotRead(pE, CLI_FORMAT_FLYWAY);
    }else if( pE->eKind==CLI_KIND_DBMATE || pE->eKind==CLI_KIND_GOOSE ){
      zErr = sqlite3_mprintf("%s: has %s: a Flyway migration is plain SQL "
                             "(--format %s reads the folder as %s)",
                             pE->zPath, pE->eKind==CLI_KIND_DBMATE
                               ? "'-- migrate:' markers" : "goose annotations",
                             pE->eKind==CLI_KIND_DBMATE ? "dbmate" : "goose",
                             pE->eKind==CLI_KIND_DBMATE ? "dbmate" : "goose");
    }else if( strncmp(pE->zFile, "R__", 3)==0 && strlen(pE->zFile)>7 ){
      zErr = cliNewScript(p, pE->zFile, (int)strlen(pE->zFile)-4, pE->zPath,
                          &pS);
      if( zErr==0 ){
        pS->bRepeatable = 1;
        pS->zUp = pE->zText;
        pE->zText = 0;
      }
    }else if( cliFlywaySplit(pE->zFile, &nVer) && pE->zFile[0]=='V' ){
      char *zName = sqlite3_mprintf("V%.*s-%.*s", nVer, &pE->zFile[1],
                                    (int)strlen(pE->zFile)-nVer-7,
                                    &pE->zFile[nVer+3]);
      if( zName==0 ){ zErr = cliNoMem(); break; }
      for(j=1; j<=nVer; j++) if( zName[j]=='_' ) zName[j] = '.';
      for(j=0; zErr==0 && j<nV; j++){
        const char *zO = aEnt[aV[j]].zFile;
        int nO = 0;
        cliFlywaySplit(zO, &nO);
        if( cliFlywayCmp(&zO[1], nO, &pE->zFile[1], nVer)==0 ){
          zErr = sqlite3_mprintf("%s and %s have the same version (Flyway "
                                 "compares versions as numbers: 1 = 1.0 = "
                                 "01)", aEnt[aV[j]].zPath, pE->zPath);
        }
      }
      if( zErr==0 ) zErr = cliNewScript(p, zName, -1, pE->zPath, &pS);
      sqlite3_free(zName);
      if( zErr==0 ){
        pS->zUp = pE->zText;
        pE->zText = 0;
        aScriptOf[nV] = p->nScript-1;
        aV[nV++] = i;
      }
    }else if( !cliFlywaySplit(pE->zFile, 0) ){
      zErr = sqlite3_mprintf("%s: not a Flyway migration name "
                             "(V1__name.sql, V1.2__name.sql, U1__name.sql "
                             "or R__name.sql)", pE->zPath);
    }
  }
  /* then the undo files, each the down script of its V file */
  for(i=0; zErr==0 && i<nEnt; i++){
    CliEntry *pE = &aEnt[i];
    int nVer = 0;
    if( pE->zText==0 || pE->zFile[0]!='U'
     || !cliFlywaySplit(pE->zFile, &nVer) ){
      continue;
    }
    for(j=0; j<nV; j++){
      const char *zO = aEnt[aV[j]].zFile;
      int nO = 0;
      cliFlywaySplit(zO, &nO);
      if( cliFlywayCmp(&zO[1], nO, &pE->zFile[1], nVer)==0 ) break;
    }
    if( j>=nV ){
      zErr = sqlite3_mprintf("%s: an undo migration without its versioned "
                             "one (no V%.*s__*.sql)", pE->zPath, nVer,
                             &pE->zFile[1]);
    }else{
      CliScript *pS = &p->aScript[aScriptOf[j]];
      if( pS->zDown ){
        zErr = sqlite3_mprintf("%s and %s undo the same version", pS->zDownFile,
                               pE->zPath);
      }else{
        pS->zDown = pE->zText;
        pE->zText = 0;
        pS->zDownFile = sqlite3_mprintf("%s", pE->zPath);
        if( pS->zDownFile==0 ) zErr = cliNoMem();
      }
    }
  }
  for(j=0; zErr==0 && j<nV; j++){
    CliScript *pS = &p->aScript[aScriptOf[j]];
    int nO = 0;
    cliFlywaySplit(aEnt[aV[j]].zFile, &nO);
    if( pS->zDown==0 ){
      zErr = cliSetNoDown(pS, "no %s/U%.*s__*.sql", p->zDir, nO,
                          &aEnt[aV[j]].zFile[1]);
    }
  }
  sqlite3_free(aV);
  return zErr;
}

/*
** 1 when the TOML text z sets zKey = false on a line of its own (diesel's
** metadata.toml: run_in_transaction = false).
*/
static int cliTomlFalse(const char *z, const char *zKey){
  size_t nKey = strlen(zKey);
  while( *z ){
    const char *zEnd = strchr(z, '\n');
    const char *zL = z;
    while( *zL==' ' || *zL=='\t' ) zL++;
    if( strncmp(zL, zKey, nKey)==0 ){
      zL += nKey;
      while( *zL==' ' || *zL=='\t' ) zL++;
      if( *zL=='=' ){
        zL++;
        while( *zL==' ' || *zL=='\t' ) zL++;
        if( strncmp(zL, "false", 5)==0 ){
          zL += 5;
          while( *zL==' ' || *zL=='\t' || *zL=='\r' ) zL++;
          if( *zL=='\n' || *zL=='#' || *zL==0 ) return 1;
        }
      }
    }
    if( zEnd==0 ) break;
    z = zEnd+1;
  }
  return 0;
}

/*
** The reader of diesel folders: one folder per migration, NAME/up.sql and
** NAME/down.sql (absent: irreversible; empty: nothing to undo), the
** migration named after the folder.  NAME/metadata.toml with
** `run_in_transaction = false` makes a no-transaction migration.  A .sql
** file at the top of DIR or another .sql file in a migration's folder is
** an error.
*/
char *cliReadDiesel(Cli *p, CliEntry *aEnt, int nEnt){
  char *zErr = 0;
  int i, k;
  for(i=0; zErr==0 && i<nEnt; i++){
    CliEntry *pE = &aEnt[i];
    CliScript *pS;
    char *zUpPath, *zMeta, *zToml = 0;
    int bDown = 0, bNoTxn = 0;
    struct stat st;
    if( pE->zText ){
      zErr = sqlite3_mprintf("%s: a .sql file at the top of a diesel "
                             "folder (a diesel migration is a folder NAME/ "
                             "holding up.sql and down.sql)", pE->zPath);
      break;
    }
    if( pE->eKind!=CLI_KIND_DIESEL ){
      zErr = sqlite3_mprintf("%s: a folder without up.sql (a diesel "
                             "migration is a folder NAME/ holding up.sql "
                             "and down.sql)", pE->zPath);
      break;
    }
    for(k=0; k<pE->nSub; k++){
      if( strcmp(pE->azSub[k], "down.sql")==0 ){
        bDown = 1;
      }else if( strcmp(pE->azSub[k], "up.sql")!=0 ){
        zErr = sqlite3_mprintf("%s/%s: a diesel migration folder holds "
                               "up.sql and down.sql only", pE->zPath,
                               pE->azSub[k]);
      }
    }
    if( zErr ) break;
    zUpPath = sqlite3_mprintf("%s/up.sql", pE->zPath);
    if( zUpPath==0 ){ zErr = cliNoMem(); break; }
    zErr = cliNewScript(p, pE->zFile, -1, zUpPath, &pS);
    sqlite3_free(zUpPath);
    if( zErr==0 ) zErr = cliReadFile(pS->zFile, &pS->zUp);
    if( zErr==0 ){
      pS->zDownFile = sqlite3_mprintf("%s/down.sql", pE->zPath);
      if( pS->zDownFile==0 ) zErr = cliNoMem();
    }
    if( zErr==0 && bDown ) zErr = cliReadFile(pS->zDownFile, &pS->zDown);
    if( zErr==0 && !bDown ) zErr = cliSetNoDown(pS, "no %s", pS->zDownFile);
    zMeta = zErr ? 0 : sqlite3_mprintf("%s/metadata.toml", pE->zPath);
    if( zErr==0 && zMeta==0 ) zErr = cliNoMem();
    if( zErr==0 && stat(zMeta, &st)==0 ){
      zErr = cliReadFile(zMeta, &zToml);
      bNoTxn = zErr==0 && cliTomlFalse(zToml, "run_in_transaction");
    }
    sqlite3_free(zMeta);
    sqlite3_free(zToml);
    if( zErr==0 && bNoTxn ){
      /* diesel runs it outside a transaction: the engine's first line */
      char *zUp = sqlite3_mprintf("%s%s", CLI_NOTXN, pS->zUp);
      char *zDown = pS->zDown ? sqlite3_mprintf("%s%s", CLI_NOTXN, pS->zDown)
                              : 0;
      sqlite3_free(pS->zUp);
      sqlite3_free(pS->zDown);
      pS->zUp = zUp;
      pS->zDown = zDown;
      pS->iUpLine = pS->iDownLine = 0;
      if( zUp==0 || (bDown && zDown==0) ) zErr = cliNoMem();
    }
  }
  return zErr;
}

/* 1 when the folder name z starts with a version number (or v1, V1). */
static int cliIsVersionFolder(const char *z){
  if( z[0]=='v' || z[0]=='V' ) z++;
  return z[0]>='0' && z[0]<='9';
}

/*
** The reader of version folders: DIR/VERSION/NAME.sql, ordered by folder,
** then by file, both in natural order; the migration of
** DIR/0.22/01__memo.sql is named "0.22/01__memo" (natural order of those
** names is that order: checked, an error naming the two files when not,
** e.g. in folders 1.0 and 1.0.1, whose names sort 1.0.1/ first).  A file
** is plain SQL, up only (irreversible), unless it has dbmate's
** `-- migrate:up` / `-- migrate:down` sections.  A .sql file beside the
** folders, a folder not named by a version and NAME.up.sql pairs are
** errors.
*/
char *cliReadFolders(Cli *p, CliEntry *aEnt, int nEnt){
  char *zErr = 0;
  int iFirst = p->nScript;
  int i, j, k;
  for(i=0; zErr==0 && i<nEnt; i++){
    CliEntry *pE = &aEnt[i];
    if( pE->zText ){
      zErr = sqlite3_mprintf("%s: a .sql file beside the version folders "
                             "(this layout reads DIR/VERSION/NAME.sql "
                             "only)", pE->zPath);
      break;
    }
    if( !cliIsVersionFolder(pE->zFile) ){
      zErr = sqlite3_mprintf("%s: not a version folder (its name does not "
                             "start with a version number): is -d one level "
                             "too high?", pE->zPath);
      break;
    }
    for(k=0; zErr==0 && k<pE->nSub; k++){
      const char *zF = pE->azSub[k];
      CliScript *pS;
      char *zPath, *zName, *zText = 0;
      if( cliEndsWith(zF, ".up.sql") || cliEndsWith(zF, ".down.sql")
       || cliEndsWith(zF, ".verify.sql") ){
        zErr = sqlite3_mprintf("%s/%s: NAME.up.sql / .down.sql files are not "
                               "read in version folders (NAME.sql with "
                               "'-- migrate:up' and '-- migrate:down' "
                               "sections is)", pE->zPath, zF);
        break;
      }
      zPath = sqlite3_mprintf("%s/%s", pE->zPath, zF);
      zName = sqlite3_mprintf("%s/%.*s", pE->zFile, (int)strlen(zF)-4, zF);
      if( zPath && zName ){
        zErr = cliNewScript(p, zName, -1, zPath, &pS);
      }else{
        zErr = cliNoMem();
      }
      if( zErr==0 ) zErr = cliReadFile(zPath, &zText);
      if( zErr==0 && cliHasMarkers(zText) ){
        zErr = cliDbmateScript(pS, zPath, zText);
      }else if( zErr==0 ){
        pS->zUp = zText;
        zText = 0;
        zErr = cliSetNoDown(pS, "%s is up-only: version folders hold no "
                            "down scripts", zPath);
      }
      sqlite3_free(zText);
      sqlite3_free(zPath);
      sqlite3_free(zName);
    }
  }
  /* The scripts were added folder by folder, file by file, both in
  ** natural order: the order they must run in.  Their names must sort
  ** the same way. */
  for(j=iFirst+1; zErr==0 && j<p->nScript; j++){
    const CliScript *pA = &p->aScript[j-1], *pB = &p->aScript[j];
    if( cliScriptCmp(pA, pB)>=0 ){
      zErr = sqlite3_mprintf("%s would run before %s: their migrations' "
                             "names (%s, %s) sort so; rename a folder (e.g. "
                             "1.0 to 1.0.0)", pB->zFile, pA->zFile, pB->zName,
                             pA->zName);
    }
  }
  return zErr;
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
        else zErr = cliSetNoDown(pS, "no %s", pS->zDownFile);
      }
    }
  }
  sqlite3_free(zText);
  sqlite3_free(zPlan);
  return zErr;
}

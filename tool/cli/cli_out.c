/*
** cli_out.c — everything sqlite-migrate prints that is not a command's own
** document: error and usage messages (cliError, cliUsageError: text
** "sqlite-migrate: MESSAGE" on stderr, or {"error":...} with --json), JSON
** strings and documents, the progress line of each migration (the
** callback of migrate_run), the `status` table, and the small helpers of
** the summaries (milliseconds, plurals), and the engine's errors in the
** command line's words (cliEngineError).
** Tested by test/cli.test (text and --json of every command) and
** test/cli_errors.test (the exact error texts).
*/
#include "cli.h"

/*
** Prints an error to stderr: "sqlite-migrate: MESSAGE", or with --json the
** document {"error":"MESSAGE"}.  Returns CLI_ERROR.
*/
int cliError(Cli *p, const char *zFmt, ...){
  va_list ap;
  char *zMsg;
  va_start(ap, zFmt);
  zMsg = sqlite3_vmprintf(zFmt, ap);
  va_end(ap);
  if( p && p->bJson ){
    sqlite3_str *pStr = sqlite3_str_new(0);
    char *z;
    sqlite3_str_appendall(pStr, "{\"error\":");
    cliJsonString(pStr, zMsg ? zMsg : cliNoMem());
    sqlite3_str_appendall(pStr, "}");
    z = sqlite3_str_finish(pStr);
    fprintf(stderr, "%s\n", z ? z : "{\"error\":\"out of memory\"}");
    sqlite3_free(z);
  }else{
    fprintf(stderr, "sqlite-migrate: %s\n", zMsg ? zMsg : cliNoMem());
  }
  sqlite3_free(zMsg);
  return CLI_ERROR;
}

/*
** The message of a failed allocation.  Static, so that reporting an
** out-of-memory error cannot fail as well; cliErrorMsg() never frees it.
*/
static char cliNoMemText[] = "out of memory";
char *cliNoMem(void){ return cliNoMemText; }

/*
** Prints the error message zErr as cliError() does, then frees it
** (sqlite3_malloc'ed, or cliNoMem()'s).  Returns CLI_ERROR.
*/
int cliErrorMsg(Cli *p, char *zErr){
  int rc = cliError(p, "%s", zErr);
  if( zErr!=cliNoMemText ) sqlite3_free(zErr);
  return rc;
}

/* Appends z to pStr as a JSON string (NULL as null). */
void cliJsonString(sqlite3_str *pStr, const char *z){
  const unsigned char *u = (const unsigned char*)z;
  if( z==0 ){
    sqlite3_str_appendall(pStr, "null");
    return;
  }
  sqlite3_str_appendchar(pStr, 1, '"');
  for(; *u; u++){
    switch( *u ){
      case '"':  sqlite3_str_appendall(pStr, "\\\""); break;
      case '\\': sqlite3_str_appendall(pStr, "\\\\"); break;
      case '\n': sqlite3_str_appendall(pStr, "\\n"); break;
      case '\r': sqlite3_str_appendall(pStr, "\\r"); break;
      case '\t': sqlite3_str_appendall(pStr, "\\t"); break;
      case '\b': sqlite3_str_appendall(pStr, "\\b"); break;
      case '\f': sqlite3_str_appendall(pStr, "\\f"); break;
      default:
        if( *u<0x20 || *u==0x7f ){
          sqlite3_str_appendf(pStr, "\\u%04x", *u);
        }else{
          sqlite3_str_appendchar(pStr, 1, (char)*u);
        }
    }
  }
  sqlite3_str_appendchar(pStr, 1, '"');
}

/* Prints the finished JSON document pStr on stdout and frees it. */
int cliJsonPrint(Cli *p, sqlite3_str *pStr){
  char *z = sqlite3_str_finish(pStr);
  if( z==0 ) return cliErrorMsg(p, cliNoMem());
  printf("%s\n", z);
  sqlite3_free(z);
  return CLI_OK;
}

/* Milliseconds from a monotonic clock. */
sqlite3_int64 cliNowMs(void){
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (sqlite3_int64)ts.tv_sec*1000 + ts.tv_nsec/1000000;
}

/* "s" when n is not 1. */
const char *cliPlural(sqlite3_int64 n){ return n==1 ? "" : "s"; }

/* A usage error: message, then a hint, on stderr.  Returns CLI_USAGE. */
int cliUsageError(Cli *p, const char *zFmt, ...){
  va_list ap;
  char *zMsg;
  va_start(ap, zFmt);
  zMsg = sqlite3_vmprintf(zFmt, ap);
  va_end(ap);
  cliError(p, "%s (see: sqlite-migrate --help)", zMsg);
  sqlite3_free(zMsg);
  return CLI_USAGE;
}

/* migrate_run's progress callback: prints (or records) one migration. */
void cliProgress(void *pArg, const char *zName, const char *zDir,
                        sqlite3_int64 iMs, sqlite3_int64 nChanges){
  Cli *p = (Cli*)pArg;
  int bDown = strcmp(zDir, "down")==0;
  if( bDown ) p->nDownDone++; else p->nUp++;
  if( p->bJson ){
    sqlite3_str *pStr = bDown ? p->pDownJson : p->pUpJson;
    if( sqlite3_str_length(pStr)>1 ) sqlite3_str_appendchar(pStr, 1, ',');
    sqlite3_str_appendall(pStr, "{\"name\":");
    cliJsonString(pStr, zName);
    if( nChanges>=0 ){
      sqlite3_str_appendf(pStr, ",\"ms\":%lld,\"changes\":%lld}", iMs,
                          nChanges);
    }else{
      sqlite3_str_appendf(pStr, ",\"ms\":%lld,\"changes\":null}", iMs);
    }
  }else if( nChanges>0 ){
    printf("  %-5s %-*s  (%lld ms, %lld row%s)\n", zDir, p->nWidth, zName,
           iMs, nChanges, cliPlural(nChanges));
    fflush(stdout);
  }else{
    printf("  %-5s %-*s  (%lld ms)\n", zDir, p->nWidth, zName, iMs);
    fflush(stdout);
  }
}

/* Prints the status rows (text table or JSON array); sets *pnWork. */
int cliPrintStatus(Cli *p, int *pnWork){
  char *zSql = sqlite3_mprintf("SELECT name, state, batch, applied_at, "
                               "duration_ms FROM \"%w\"", p->zStatus);
  sqlite3_stmt *pStmt = zSql ? cliPrepare(p, zSql) : 0;
  sqlite3_str *pOut = sqlite3_str_new(0);
  char **az = 0;            /* 4 cells per row */
  int nRow = 0, nAlloc = 0, nJson = 0;
  int aW[4] = { 4, 5, 5, 10 };
  int anState[5] = { 0, 0, 0, 0, 0 };
  static const char *azState[5] = { "applied", "pending", "changed", "missing",
                                    "replaced" };
  int i, k, rc = CLI_OK;
  sqlite3_free(zSql);
  if( pStmt==0 ){ sqlite3_free(sqlite3_str_finish(pOut)); return CLI_ERROR; }
  sqlite3_str_appendchar(pOut, 1, '[');
  while( sqlite3_step(pStmt)==SQLITE_ROW ){
    const char *zState = (const char*)sqlite3_column_text(pStmt, 1);
    for(k=0; k<5; k++){
      if( zState && strcmp(zState, azState[k])==0 ) anState[k]++;
    }
    if( p->bJson ){
      if( nJson++ ) sqlite3_str_appendchar(pOut, 1, ',');
      sqlite3_str_appendall(pOut, "{\"name\":");
      cliJsonString(pOut, (const char*)sqlite3_column_text(pStmt, 0));
      sqlite3_str_appendall(pOut, ",\"state\":");
      cliJsonString(pOut, zState);
      if( sqlite3_column_type(pStmt, 2)==SQLITE_INTEGER ){
        sqlite3_str_appendf(pOut, ",\"batch\":%lld",
                            sqlite3_column_int64(pStmt, 2));
      }else{
        sqlite3_str_appendall(pOut, ",\"batch\":null");
      }
      sqlite3_str_appendall(pOut, ",\"applied_at\":");
      cliJsonString(pOut, (const char*)sqlite3_column_text(pStmt, 3));
      if( sqlite3_column_type(pStmt, 4)==SQLITE_INTEGER ){
        sqlite3_str_appendf(pOut, ",\"duration_ms\":%lld}",
                            sqlite3_column_int64(pStmt, 4));
      }else{
        sqlite3_str_appendall(pOut, ",\"duration_ms\":null}");
      }
      continue;
    }
    if( nRow>=nAlloc ){
      char **azNew;
      nAlloc = nAlloc ? nAlloc*2 : 64;
      azNew = sqlite3_realloc64(az, sizeof(char*)*4*(sqlite3_uint64)nAlloc);
      if( azNew==0 ){ rc = cliErrorMsg(p, cliNoMem()); break; }
      az = azNew;
    }
    for(k=0; k<4; k++){
      const char *z = (const char*)sqlite3_column_text(pStmt, k);
      int n;
      az[nRow*4+k] = sqlite3_mprintf("%s", z ? z : "");
      n = az[nRow*4+k] ? (int)strlen(az[nRow*4+k]) : 0;
      if( n>aW[k] ) aW[k] = n;
    }
    nRow++;
  }
  if( sqlite3_finalize(pStmt)!=SQLITE_OK && rc==CLI_OK ){
    rc = cliError(p, "%s", sqlite3_errmsg(p->db));
  }
  sqlite3_str_appendchar(pOut, 1, ']');
  if( rc==CLI_OK ){
    if( p->bJson ){
      rc = cliJsonPrint(p, pOut);
      pOut = 0;
    }else{
      sqlite3_str *pLine = sqlite3_str_new(0);
      char *z;
      int nTotal = anState[0]+anState[1]+anState[2]+anState[3]+anState[4];
      printf("%-*s  %-*s  %-*s  %s\n", aW[0], "name", aW[1], "state",
             aW[2], "batch", "applied at");
      for(i=0; i<nRow; i++){
        char *zLine = sqlite3_mprintf("%-*s  %-*s  %-*s  %s", aW[0],
            az[i*4] ? az[i*4] : "", aW[1], az[i*4+1] ? az[i*4+1] : "",
            aW[2], az[i*4+2] ? az[i*4+2] : "", az[i*4+3] ? az[i*4+3] : "");
        if( zLine ){
          int n = (int)strlen(zLine);
          while( n>0 && zLine[n-1]==' ' ) n--;
          printf("%.*s\n", n, zLine);
        }
        sqlite3_free(zLine);
      }
      sqlite3_str_appendf(pLine, "%d migration%s", nTotal, cliPlural(nTotal));
      for(k=0, i=0; k<5; k++){
        if( anState[k]==0 ) continue;
        sqlite3_str_appendf(pLine, "%s %d %s", i++ ? "," : ":", anState[k],
                            azState[k]);
      }
      z = sqlite3_str_finish(pLine);
      printf("%s\n", z ? z : "");
      sqlite3_free(z);
    }
  }
  sqlite3_free(sqlite3_str_finish(pOut));
  for(i=0; i<nRow*4; i++) sqlite3_free(az[i]);
  sqlite3_free(az);
  *pnWork = anState[1] + anState[2] + anState[3];
  return rc;
}

/*
** Returns a copy of z with the first zOld replaced by zNew (a copy of z
** when it has none); NULL when out of memory.  Frees z.
*/
static char *cliReplace(char *z, const char *zOld, const char *zNew){
  char *zAt = z ? strstr(z, zOld) : 0;
  char *zOut;
  if( zAt==0 ) return z;
  zOut = sqlite3_mprintf("%.*s%s%s", (int)(zAt-z), z, zNew,
                         zAt+strlen(zOld));
  sqlite3_free(z);
  return zOut;
}

/*
** The engine's error zErr in the words of the command line — the one
** place the CLI rewrites the engine's messages:
**   - the SQL calls it suggests become the tool's commands
**     ("SELECT migrate_repair()" -> "`sqlite-migrate repair`"; the
**     engine's migrate_mark() has no command, so it is said how to call
**     it);
**   - "restore its up script" names the file of DIR;
**   - "(its down script is NULL)" says which file DIR lacks (CliScript.
**     zNoDown: "no DIR/x.down.sql", "DIR/x.sql has no '-- migrate:down'
**     section", ...).
** Returns a new string (sqlite3_malloc'ed), NULL when out of memory.
*/
char *cliEngineError(Cli *p, const char *zErr){
  static const char *azSay[] = {
    /* engine's words                  the command line's */
    "accept the edit with SELECT migrate_repair()",
    "accept the edit with `sqlite-migrate repair`",
    "then SELECT migrate_repair() to forget it",
    "then `sqlite-migrate repair` to forget it",
    "or also SELECT migrate_mark(",
    ("or also (in the sqlite3 shell, with libmigrate loaded) SELECT "
     "migrate_mark("),
  };
  char *z = sqlite3_mprintf("%s", zErr);
  int i;
  for(i=0; z && i<(int)(sizeof(azSay)/sizeof(azSay[0])); i+=2){
    z = cliReplace(z, azSay[i], azSay[i+1]);
  }
  for(i=0; z && i<p->nScript; i++){
    const CliScript *pS = &p->aScript[i];
    char *zKey = sqlite3_mprintf(": %s is irreversible (its down script is "
                                 "NULL)", pS->zName);
    char *zSay = sqlite3_mprintf(": %s is irreversible (%s)", pS->zName,
                                 pS->zNoDown ? pS->zNoDown
                                             : "it has no down script");
    char *zEdit = sqlite3_mprintf(": %s was edited after it was applied",
                                  pS->zName);
    if( zKey==0 || zSay==0 || zEdit==0 ){
      sqlite3_free(z);
      z = 0;
    }else if( strstr(z, zKey) ){
      z = cliReplace(z, zKey, zSay);
    }else if( strstr(z, zEdit) ){
      char *zFile = sqlite3_mprintf("restore %s or accept", pS->zFile);
      if( zFile==0 ){
        sqlite3_free(z);
        z = 0;
      }else{
        z = cliReplace(z, "restore its up script or accept", zFile);
      }
      sqlite3_free(zFile);
    }
    sqlite3_free(zKey);
    sqlite3_free(zSay);
    sqlite3_free(zEdit);
  }
  return cliReplace(z, "(its down script is NULL)", "(it has no down script)");
}

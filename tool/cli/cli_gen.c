/*
** cli_gen.c — the commands that write migration files: `new NAME` (an empty
** dbmate-style file DIR/<UTC yyyymmddHHMMSS>_NAME.sql, never overwriting),
** `diff SCHEMA.sql [--down]` (prints migration_diff() against the
** database) and `generate NAME SCHEMA.sql` (a new file whose sections are
** that diff both ways).
** Tested by test/cli.test (new) and test/cli_out.test (diff, generate).
*/
#include "cli.h"

/* 1 when zName may be part of a file name: letters, digits, '_', '-'. */
static int cliIsFileWord(const char *zName){
  int i;
  for(i=0; zName[i]; i++){
    char c = zName[i];
    if( !((c>='a' && c<='z') || (c>='A' && c<='Z') || (c>='0' && c<='9')
          || c=='_' || c=='-') ) return 0;
  }
  return i>0 && i<=200;
}

/*
** Creates DIR (if missing) and DIR/<UTC yyyymmddHHMMSS>_NAME.sql holding
** zText; never overwrites.  *pzPath receives the path.
*/
static int cliWriteNew(Cli *p, const char *zName, const char *zText,
                       char **pzPath){
  time_t now = time(0);
  struct tm tm;
  char zStamp[32];
  char *zPath;
  int fd;
  size_t n = strlen(zText);
  *pzPath = 0;
  gmtime_r(&now, &tm);
  strftime(zStamp, sizeof(zStamp), "%Y%m%d%H%M%S", &tm);
  if( mkdir(p->zDir, 0777)!=0 && errno!=EEXIST ){
    return cliError(p, "cannot create the folder %s: %s", p->zDir,
                    strerror(errno));
  }
  zPath = sqlite3_mprintf("%s/%s_%s.sql", p->zDir, zStamp, zName);
  if( zPath==0 ) return cliErrorMsg(p, cliNoMem());
  fd = open(zPath, O_WRONLY|O_CREAT|O_EXCL, 0666);
  if( fd<0 ){
    int rc = cliError(p, "cannot create %s: %s", zPath, strerror(errno));
    sqlite3_free(zPath);
    return rc;
  }
  if( write(fd, zText, n)!=(ssize_t)n || close(fd)!=0 ){
    int rc = cliError(p, "cannot write %s: %s", zPath, strerror(errno));
    unlink(zPath);
    sqlite3_free(zPath);
    return rc;
  }
  *pzPath = zPath;
  return CLI_OK;
}

/* Prints the path of a new file (or {"path":...}). */
static int cliPrintPath(Cli *p, const char *zPath){
  if( p->bJson ){
    sqlite3_str *pOut = sqlite3_str_new(0);
    sqlite3_str_appendall(pOut, "{\"path\":");
    cliJsonString(pOut, zPath);
    sqlite3_str_appendchar(pOut, 1, '}');
    return cliJsonPrint(p, pOut);
  }
  printf("%s\n", zPath);
  return CLI_OK;
}

/* new NAME: an empty dbmate-style file, path printed. */
int cliNew(Cli *p){
  char *zPath = 0;
  int rc;
  if( !cliIsFileWord(p->azArg[0]) ){
    return cliUsageError(p, "new: NAME may hold only letters, digits, '_' and "
                         "'-' (got '%s')", p->azArg[0]);
  }
  rc = cliWriteNew(p, p->azArg[0], "-- migrate:up\n\n\n-- migrate:down\n\n",
                   &zPath);
  if( rc==CLI_OK ) rc = cliPrintPath(p, zPath);
  sqlite3_free(zPath);
  return rc;
}

/*
** Computes migration_diff(schema of zFile [, 'down']) into *pzOut
** (sqlite3_malloc'ed, NULL when the function returns NULL).
*/
static int cliDiffText(Cli *p, const char *zFile, int bDown, char **pzOut){
  char *zSchema = 0;
  char *zErr = cliReadFile(zFile, &zSchema);
  sqlite3_stmt *pStmt = 0;
  int rc = CLI_OK;
  *pzOut = 0;
  if( zErr ) return cliErrorMsg(p, zErr);
  if( sqlite3_prepare_v2(p->db, bDown ? "SELECT migration_diff(?1, 'down')"
                                      : "SELECT migration_diff(?1)",
                         -1, &pStmt, 0)!=SQLITE_OK ){
    const char *zMsg = sqlite3_errmsg(p->db);
    if( strstr(zMsg, "no such function") ){
      rc = cliError(p, "%s: this build of libmigrate has no schema diff "
                    "(migration_diff() is built from ext/diff.c)", p->zCmd);
    }else{
      rc = cliError(p, "%s", zMsg);
    }
    sqlite3_free(zSchema);
    return rc;
  }
  sqlite3_bind_text(pStmt, 1, zSchema, -1, SQLITE_STATIC);
  if( sqlite3_step(pStmt)==SQLITE_ROW
   && sqlite3_column_type(pStmt, 0)!=SQLITE_NULL ){
    *pzOut = sqlite3_mprintf("%s", (const char*)sqlite3_column_text(pStmt, 0));
    if( *pzOut==0 ) rc = cliErrorMsg(p, cliNoMem());
  }
  if( sqlite3_finalize(pStmt)!=SQLITE_OK ){
    rc = cliError(p, "%s: %s", zFile, sqlite3_errmsg(p->db));
    sqlite3_free(*pzOut);
    *pzOut = 0;
  }
  sqlite3_free(zSchema);
  return rc;
}

/* diff SCHEMA.sql [--down]: prints migration_diff(). */
int cliDiff(Cli *p){
  char *zOut = 0;
  int rc = cliOpen(p, 0);
  if( rc==CLI_OK ) rc = cliDiffText(p, p->azArg[0], p->bDown, &zOut);
  if( rc==CLI_OK ){
    if( p->bJson ){
      sqlite3_str *pOut = sqlite3_str_new(0);
      sqlite3_str_appendall(pOut, "{\"sql\":");
      cliJsonString(pOut, zOut);
      sqlite3_str_appendchar(pOut, 1, '}');
      rc = cliJsonPrint(p, pOut);
    }else if( zOut && zOut[0] ){
      size_t n = strlen(zOut);
      printf("%s%s", zOut, zOut[n-1]=='\n' ? "" : "\n");
    }
  }
  sqlite3_free(zOut);
  return rc;
}

/*
** generate NAME SCHEMA.sql: a new dbmate-style file from migration_diff(),
** or "nothing differs" and no file.
*/
int cliGenerate(Cli *p){
  char *zUp = 0, *zDown = 0, *zPath = 0;
  int rc;
  if( !cliIsFileWord(p->azArg[0]) ){
    return cliUsageError(p, "generate: NAME may hold only letters, digits, "
                         "'_' and '-' (got '%s')", p->azArg[0]);
  }
  rc = cliOpen(p, 0);
  if( rc==CLI_OK ) rc = cliDiffText(p, p->azArg[1], 0, &zUp);
  if( rc==CLI_OK ) rc = cliDiffText(p, p->azArg[1], 1, &zDown);
  if( rc==CLI_OK ){
    if( zUp==0 || zUp[cliSkipSpace(zUp, strlen(zUp))]==0 ){
      if( p->bJson ){
        printf("{\"path\":null,\"message\":\"nothing differs\"}\n");
      }else{
        printf("nothing differs: the database already matches %s; no file "
               "written\n", p->azArg[1]);
      }
    }else{
      size_t nU = strlen(zUp), nD = zDown ? strlen(zDown) : 0;
      char *zText = sqlite3_mprintf("-- migrate:up\n%s%s\n-- migrate:down\n"
                                    "%s%s", zUp,
                                    zUp[nU-1]=='\n' ? "" : "\n",
                                    zDown ? zDown : "",
                                    nD && zDown[nD-1]!='\n' ? "\n" : "");
      if( zText==0 ) rc = cliErrorMsg(p, cliNoMem());
      else rc = cliWriteNew(p, p->azArg[0], zText, &zPath);
      sqlite3_free(zText);
      if( rc==CLI_OK ) rc = cliPrintPath(p, zPath);
    }
  }
  sqlite3_free(zUp);
  sqlite3_free(zDown);
  sqlite3_free(zPath);
  return rc;
}

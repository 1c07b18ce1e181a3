/*
** cli_fleet.c — `--each GLOB [-j N] COMMAND`: one command on many
** databases.  DIR is read once, then at most N children are forked, each
** running the one-database command with stdout+stderr captured through a
** pipe (poll); each finished child is reported as one line, then a
** summary.  One failing database never stops the others.
** Tested by test/cli_fleet.test (`make bench-fleet` times it).
*/
#include "cli.h"

/* Exit code a --each child uses for "ran, had nothing to do" (never seen
** outside: the parent reports it as "already current", exit 0). */
#define CLI_IDLE 10

/* One running --each child. */
typedef struct CliChild CliChild;
struct CliChild {
  pid_t pid;            /* 0: slot free */
  int fd;               /* read end of the pipe of its stdout+stderr */
  int iFile;            /* index of its database in the glob */
  sqlite3_str *pOut;    /* what it printed */
};

/*
** Runs in a --each child: the command on database zDb with stdout and
** stderr going to fdOut.  Never returns.
*/
static void cliEachChild(Cli *p, const CliCmd *pCmd, const char *zDb,
                         int fdOut){
  int rc;
  dup2(fdOut, 1);
  dup2(fdOut, 2);
  close(fdOut);
  p->zDb = zDb;
  p->bIdle = 0;
  if( strcmp(pCmd->zName, "version")==0 ) rc = cliVersion(p);
  else if( strcmp(pCmd->zName, "diff")==0 ) rc = cliDiff(p);
  else rc = cliRunCommand(p, pCmd);
  /* closed as the one-database run closes it: in WAL mode the last
  ** connection checkpoints and removes the -wal and -shm files, which
  ** _exit() alone would leave beside every database of the fleet */
  if( p->db && sqlite3_close(p->db)!=SQLITE_OK && rc==CLI_OK ){
    rc = cliError(p, "close: %s", sqlite3_errmsg(p->db));
  }
  p->db = 0;
  fflush(stdout);
  fflush(stderr);
  _exit(rc==CLI_OK && p->bIdle ? CLI_IDLE : rc);
}

/*
** Reports a finished child: one line "FILE: ok: LAST LINE", "FILE: already
** current", "FILE: failed: MESSAGE" (or a JSON object into pJson).
** Updates the counts anCount[0..3]: ok, current, failed, has work.
*/
static void cliEachReport(const char *zFile, int status,
                          sqlite3_str *pOut, sqlite3_str *pJson,
                          int *anCount){
  static const char *azRes[4] = { "ok", "already current", "failed",
                                  "has work" };
  char *zText = sqlite3_str_finish(pOut);
  char *zLast, *zEnd;
  int eRes;
  if( WIFEXITED(status) ){
    int e = WEXITSTATUS(status);
    eRes = e==CLI_OK ? 0 : e==CLI_IDLE ? 1 : e==CLI_WORK ? 3 : 2;
  }else{
    eRes = 2;
  }
  anCount[eRes]++;
  if( zText==0 ) zText = sqlite3_mprintf("");
  if( zText==0 ) return;
  zEnd = zText + strlen(zText);
  while( zEnd>zText && (zEnd[-1]=='\n' || zEnd[-1]=='\r') ) *--zEnd = 0;
  zLast = strrchr(zText, '\n');
  zLast = zLast ? zLast+1 : zText;
  if( strncmp(zLast, "sqlite-migrate: ", 16)==0 ) zLast += 16;
  if( pJson ){
    if( sqlite3_str_length(pJson)>1 ) sqlite3_str_appendchar(pJson, 1, ',');
    sqlite3_str_appendall(pJson, "{\"db\":");
    cliJsonString(pJson, zFile);
    sqlite3_str_appendall(pJson, ",\"result\":");
    cliJsonString(pJson, azRes[eRes]);
    if( WIFEXITED(status) && (zText[0]=='{' || zText[0]=='[') ){
      sqlite3_str_appendf(pJson, ",\"output\":%s}", zText);
    }else{
      sqlite3_str_appendall(pJson, ",\"output\":");
      cliJsonString(pJson, zText);
      sqlite3_str_appendchar(pJson, 1, '}');
    }
  }else if( !WIFEXITED(status) ){
    printf("%s: failed: killed by signal %d\n", zFile, WTERMSIG(status));
  }else if( eRes==1 ){
    printf("%s: already current\n", zFile);
  }else{
    printf("%s: %s: %s\n", zFile, azRes[eRes],
           zLast[0] ? zLast : "(no output)");
  }
  fflush(stdout);
  sqlite3_free(zText);
}

/*
** --each GLOB [-j N] COMMAND: runs COMMAND on every database file matching
** GLOB, N at a time (default: the number of cores), each in a child
** process (fork) whose output is captured through a pipe and reported as
** one line when it exits.  One failing database never stops the others.
** DIR is read once, before any child starts: a bad file stops everything
** before any database is touched.  Exit: 1 if any failed, else 3 if any
** `status --check` found work, else 0.
*/
int cliEach(Cli *p, const CliCmd *pCmd, const char *zJobs){
  glob_t g;
  CliChild *aChild;
  struct pollfd *aPoll;
  sqlite3_str *pJson = 0;
  int anCount[4] = {0, 0, 0, 0};
  int nJobs, nRun = 0, iNext = 0, i, rc;
  sqlite3_int64 t0 = cliNowMs();

  memset(&g, 0, sizeof(g));
  rc = glob(p->zEach, 0, 0, &g);
  if( rc==GLOB_NOMATCH || (rc==0 && g.gl_pathc==0) ){
    globfree(&g);
    return cliError(p, "--each '%s' matches no file", p->zEach);
  }
  if( rc!=0 ){
    globfree(&g);
    return cliError(p, "--each '%s': cannot expand the pattern", p->zEach);
  }
  if( zJobs ){
    nJobs = atoi(zJobs);
  }else{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    nJobs = n>0 ? (int)n : 1;
  }
  if( (size_t)nJobs>g.gl_pathc ) nJobs = (int)g.gl_pathc;
  if( pCmd->bDir ){
    rc = cliReadDir(p);
    if( rc!=CLI_OK ){ globfree(&g); return rc; }
    p->bDirRead = 1;
  }
  aChild = sqlite3_malloc64(sizeof(CliChild)*(sqlite3_uint64)nJobs);
  aPoll = sqlite3_malloc64(sizeof(struct pollfd)*(sqlite3_uint64)nJobs);
  if( aChild==0 || aPoll==0 ){
    sqlite3_free(aChild); sqlite3_free(aPoll); globfree(&g);
    return cliErrorMsg(p, cliNoMem());
  }
  memset(aChild, 0, sizeof(CliChild)*(size_t)nJobs);
  if( p->bJson ){
    pJson = sqlite3_str_new(0);
    sqlite3_str_appendchar(pJson, 1, '[');
  }
  fflush(stdout);
  fflush(stderr);
  while( iNext<(int)g.gl_pathc || nRun>0 ){
    int nPoll = 0;
    /* start children while there are free slots */
    for(i=0; i<nJobs && iNext<(int)g.gl_pathc; i++){
      int aFd[2];
      pid_t pid;
      if( aChild[i].pid ) continue;
      if( pipe(aFd)!=0 ){
        cliEachReport(g.gl_pathv[iNext], 256*CLI_ERROR,
                      sqlite3_str_new(0), pJson, anCount);
        fprintf(stderr, "sqlite-migrate: pipe: %s\n", strerror(errno));
        iNext++;
        continue;
      }
      pid = fork();
      if( pid==0 ){
        close(aFd[0]);
        cliEachChild(p, pCmd, g.gl_pathv[iNext], aFd[1]);
      }
      close(aFd[1]);
      if( pid<0 ){
        sqlite3_str *pErr = sqlite3_str_new(0);
        sqlite3_str_appendf(pErr, "cannot start a process: %s",
                            strerror(errno));
        close(aFd[0]);
        cliEachReport(g.gl_pathv[iNext], 256*CLI_ERROR, pErr, pJson,
                      anCount);
        iNext++;
        continue;
      }
      aChild[i].pid = pid;
      aChild[i].fd = aFd[0];
      aChild[i].iFile = iNext++;
      aChild[i].pOut = sqlite3_str_new(0);
      nRun++;
    }
    if( nRun==0 ) continue;
    /* wait for output or end of output of any child */
    for(i=0; i<nJobs; i++){
      if( aChild[i].pid==0 ) continue;
      aPoll[nPoll].fd = aChild[i].fd;
      aPoll[nPoll].events = POLLIN;
      aPoll[nPoll].revents = 0;
      nPoll++;
    }
    if( poll(aPoll, nPoll, -1)<0 && errno!=EINTR ){
      rc = cliError(p, "poll: %s", strerror(errno));
      break;
    }
    for(i=0; i<nJobs; i++){
      int k;
      char buf[4096];
      ssize_t n;
      if( aChild[i].pid==0 ) continue;
      for(k=0; k<nPoll && aPoll[k].fd!=aChild[i].fd; k++){}
      if( k>=nPoll || aPoll[k].revents==0 ) continue;
      n = read(aChild[i].fd, buf, sizeof(buf));
      if( n>0 ){
        sqlite3_str_append(aChild[i].pOut, buf, (int)n);
      }else if( n==0 || errno!=EINTR ){
        int status = 0;
        close(aChild[i].fd);
        while( waitpid(aChild[i].pid, &status, 0)<0 && errno==EINTR ){}
        cliEachReport(g.gl_pathv[aChild[i].iFile], status,
                      aChild[i].pOut, pJson, anCount);
        aChild[i].pid = 0;
        aChild[i].pOut = 0;
        nRun--;
      }
    }
  }
  if( rc==CLI_OK ){
    sqlite3_int64 ms = cliNowMs() - t0;
    if( pJson ){
      sqlite3_str *pOut = sqlite3_str_new(0);
      sqlite3_str_appendchar(pJson, 1, ']');
      sqlite3_str_appendf(pOut, "{\"command\":\"%s\",\"databases\":%s,"
                          "\"ok\":%d,\"current\":%d,\"failed\":%d,"
                          "\"work\":%d,\"ms\":%lld}", pCmd->zName,
                          sqlite3_str_value(pJson), anCount[0], anCount[1],
                          anCount[2], anCount[3], ms);
      rc = cliJsonPrint(p, pOut);
    }else{
      int n = (int)g.gl_pathc;
      printf("%d database%s: %d ok, %d already current, %d failed",
             n, cliPlural(n), anCount[0], anCount[1], anCount[2]);
      if( anCount[3] ) printf(", %d with work", anCount[3]);
      printf(" (%lld ms, -j %d)\n", ms, nJobs);
    }
    if( anCount[2] ) rc = CLI_ERROR;
    else if( anCount[3] ) rc = CLI_WORK;
  }
  if( pJson ) sqlite3_free(sqlite3_str_finish(pJson));
  sqlite3_free(aChild);
  sqlite3_free(aPoll);
  globfree(&g);
  return rc;
}

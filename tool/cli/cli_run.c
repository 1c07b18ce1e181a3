/*
** cli_run.c — the commands that sync DIR and then make one migrate_run()
** call: up, down, rollback-to, status, dry-run, reset, refresh, repair,
** baseline, load (cliRunCommand), and version.  Nothing to sync: the call
** runs on its own in autocommit mode (a no-op `up` writes nothing).
** Something to sync: BEGIN IMMEDIATE, the sync, the call, COMMIT; any
** error rolls all of it back; `status` and `dry-run` always roll back.
** Either way one commit, so a run syncs as often as the same SQL in one
** transaction through the sqlite3 shell (tool/bench measures it), and
** fewer once a batch outgrows SQLite's default page cache: changed pages
** stay in memory up to CLI_SPILL instead of being spilled early.  A
** failed script's error gets " at FILE:LINE" (cliLocate, from where
** migrate_run_ex() says the call failed).  `up --strict` calls
** migrate_strict; `up --dump FILE` then rewrites FILE (cli_check.c).
** Tested by test/cli.test and test/cli_lifecycle.test.
*/
#include "cli.h"

/* The largest batch in the ledger (0 if none). */
static sqlite3_int64 cliMaxBatch(Cli *p){
  sqlite3_stmt *pStmt = 0;
  sqlite3_int64 n = 0;
  if( sqlite3_prepare_v2(p->db, "SELECT max(batch) FROM main.migrations_ledger",
                         -1, &pStmt, 0)==SQLITE_OK
   && sqlite3_step(pStmt)==SQLITE_ROW ){
    n = sqlite3_column_int64(pStmt, 0);
  }
  sqlite3_finalize(pStmt);
  return n;
}

/* Map of command names to migrate_run() calls. */
static const char *cliCallOf(const char *zCmd){
  static const char *az[] = {
    "up", "migrate",  "down", "rollback",  "rollback-to", "rollback_to",
    "reset", "migrate_reset",  "refresh", "migrate_refresh",
    "dry-run", "migrate_dry_run",  "repair", "migrate_repair",
    "baseline", "migrate_baseline",
  };
  int i;
  for(i=0; i<(int)(sizeof(az)/sizeof(az[0])); i+=2){
    if( strcmp(az[i], zCmd)==0 ) return az[i+1];
  }
  return 0;   /* load */
}

/*
** The engine's error for a failed script, zErr, with " at FILE:LINE"
** appended: the file of DIR the failing script came from, and the line in
** it, from where migrate_run_ex() says the call failed (pFail).  A copy of
** zErr when the failure was not one of DIR's scripts.
*/
static char *cliLocate(Cli *p, const migrate_failure *pFail, const char *zErr){
  int i;
  if( pFail->zName==0 || pFail->iLine<1
   || pFail->eScript==MIGRATE_FAILED_VERIFY ){
    return sqlite3_mprintf("%s", zErr);
  }
  for(i=0; i<p->nScript; i++){
    const CliScript *pS = &p->aScript[i];
    int bDown = pFail->eScript==MIGRATE_FAILED_DOWN;
    if( strcmp(pS->zName, pFail->zName)==0 && (bDown ? pS->zDownFile!=0 : 1) ){
      return sqlite3_mprintf("%s at %s:%d", zErr,
                             bDown ? pS->zDownFile : pS->zFile,
                             (bDown ? pS->iDownLine : pS->iUpLine)
                               + pFail->iLine-1);
    }
  }
  return sqlite3_mprintf("%s", zErr);
}

/*
** The page cache may hold up to CLI_SPILL KiB of changed pages before
** SQLite spills any to the database file in the middle of the transaction
** (PRAGMA cache_spill; SQLite's default is the cache size, 2000 KiB).  A
** spill in rollback-journal mode costs a sync of the journal (two syncs,
** with its new header) on top of the commit's, and takes the EXCLUSIVE
** lock early, blocking readers for the rest of the batch; below this size
** a batch commits with the syncs of a single commit.  Memory grows only as
** a batch changes pages (a no-op changes none), and never past this.
*/
#define CLI_SPILL "-12288"     /* KiB: 12 MiB */

/* 1 when a script of DIR is a no-transaction one (first line marker). */
static int cliHasNoTxn(Cli *p){
  int i;
  size_t n = strlen(CLI_NOTXN)-1;
  for(i=0; i<p->nScript; i++){
    const CliScript *pS = &p->aScript[i];
    if( strncmp(pS->zUp, CLI_NOTXN, n)==0 ) return 1;
    if( pS->zDown && strncmp(pS->zDown, CLI_NOTXN, n)==0 ) return 1;
  }
  return 0;
}

/*
** up, down, rollback-to, status, dry-run, reset, refresh, repair, load:
** sync DIR then (except for load and status) one migrate_run() call.
*/
int cliRunCommand(Cli *p, const CliCmd *pCmd){
  const char *zCall = cliCallOf(p->zCmd);
  const char *zArg = p->nArg ? p->azArg[0] : 0;
  int bStatus = strcmp(p->zCmd, "status")==0;
  int bLook = bStatus || strcmp(p->zCmd, "dry-run")==0;  /* never keeps */
  int bTxn = 0;
  CliSync s;
  sqlite3_int64 t0 = cliNowMs();
  sqlite3_int64 nDone = 0;
  char *zErr = 0;
  int rc, nWork = 0;

  memset(&s, 0, sizeof(s));
  rc = p->bDirRead ? CLI_OK : cliReadDir(p);
  if( rc==CLI_OK ) rc = cliOpen(p, pCmd->eDb==2);
  if( rc==CLI_OK && !bLook ){
    /* only a tuning: a file it fails on (not a database, locked) fails
    ** the next statement, which says so */
    sqlite3_exec(p->db, "PRAGMA main.cache_spill=" CLI_SPILL, 0, 0, 0);
  }
  if( rc==CLI_OK ) rc = cliSyncPlan(p, &s);
  if( rc==CLI_OK && (s.nDefine>0 || s.nRemove>0 || s.bHooks) ){
    /* something to sync: one transaction for the sync and the call */
    if( bLook && sqlite3_db_readonly(p->db, "main")==1 ){
      rc = cliScratchCopy(p);
    }
    if( rc==CLI_OK ) rc = cliExec(p, "BEGIN IMMEDIATE");
    if( rc==CLI_OK ){
      bTxn = 1;
      cliSyncFree(&s);
      rc = cliSyncPlan(p, &s);    /* again, under the write lock */
    }
    if( rc==CLI_OK ) rc = cliSyncApply(p, &s);
    if( rc==CLI_OK && !bLook && zCall && cliHasNoTxn(p) ){
      /* the engine runs a no-transaction migration only in autocommit
      ** mode: the sync commits on its own first */
      rc = cliExec(p, "COMMIT");
      bTxn = 0;
    }
  }
  if( rc==CLI_OK && zCall ){
    p->pUpJson = sqlite3_str_new(0);
    p->pDownJson = sqlite3_str_new(0);
    sqlite3_str_appendchar(p->pUpJson, 1, '[');
    sqlite3_str_appendchar(p->pDownJson, 1, '[');
    migrate_failure fail;
    if( migrate_run_ex(p->db, p->bStrict ? "migrate_strict" : zCall, zArg,
                       cliProgress, p, &nDone, &zErr, &fail)!=SQLITE_OK ){
      char *zSay = cliEngineError(p, zErr ? zErr : sqlite3_errmsg(p->db));
      char *zMsg = zSay ? cliLocate(p, &fail, zSay) : 0;
      sqlite3_free(zSay);
      rc = cliErrorMsg(p, zMsg ? zMsg : cliNoMem());
    }
    sqlite3_free(fail.zName);
    sqlite3_free(zErr);
    sqlite3_str_appendchar(p->pUpJson, 1, ']');
    sqlite3_str_appendchar(p->pDownJson, 1, ']');
  }
  if( rc==CLI_OK && bStatus ) rc = cliPrintStatus(p, &nWork);
  p->bIdle = bStatus ? nWork==0 : (zCall!=0 && nDone==0);
  if( bTxn && !sqlite3_get_autocommit(p->db) ){
    if( rc==CLI_OK && !bLook ){
      rc = cliExec(p, "COMMIT");
    }
    if( !sqlite3_get_autocommit(p->db) ){
      sqlite3_exec(p->db, "ROLLBACK", 0, 0, 0);
    }
  }

  if( rc==CLI_OK && p->zDump ) rc = cliDumpTo(p, p->zDump);   /* up --dump */
  if( rc==CLI_OK && !bStatus ){
    sqlite3_int64 ms = cliNowMs() - t0;
    sqlite3_int64 iBatch = p->nUp>0 && !bLook ? cliMaxBatch(p) : 0;
    if( p->bJson ){
      sqlite3_str *pOut = sqlite3_str_new(0);
      sqlite3_str_appendf(pOut, "{\"command\":\"%s\"", p->zCmd);
      if( zCall && s.nRemove>0 ){
        sqlite3_str_appendf(pOut, ",\"removed\":%s", s.zRemoved);
      }
      if( zCall==0 ){
        sqlite3_str_appendf(pOut, ",\"added\":%s,\"replaced\":%s,"
            "\"removed\":%s,\"unchanged\":%d", s.zAdded, s.zReplaced,
            s.zRemoved, s.nSame);
      }else if( strcmp(zCall, "migrate_repair")==0 ){
        sqlite3_str_appendf(pOut, ",\"repaired\":%lld", nDone);
      }else if( strcmp(zCall, "migrate_baseline")==0 ){
        sqlite3_str_appendall(pOut, ",\"target\":");
        cliJsonString(pOut, zArg);
        sqlite3_str_appendf(pOut, ",\"count\":%lld", nDone);
      }else{
        const char *zUpKey = bLook ? "would_apply" : "applied";
        if( strcmp(zCall, "migrate")!=0 && !bLook ){
          sqlite3_str_appendf(pOut, ",\"reverted\":%s",
                              sqlite3_str_value(p->pDownJson));
        }
        if( strcmp(zCall, "migrate")==0 || strcmp(zCall, "migrate_refresh")==0
         || bLook ){
          sqlite3_str_appendf(pOut, ",\"%s\":%s", zUpKey,
                              sqlite3_str_value(p->pUpJson));
          if( !bLook ){
            if( iBatch ) sqlite3_str_appendf(pOut, ",\"batch\":%lld", iBatch);
            else sqlite3_str_appendall(pOut, ",\"batch\":null");
          }
        }
        sqlite3_str_appendf(pOut, ",\"count\":%lld", nDone);
      }
      sqlite3_str_appendf(pOut, ",\"ms\":%lld}", ms);
      rc = cliJsonPrint(p, pOut);
    }else if( zCall==0 ){
      printf("loaded %d migration%s from %s: %d added, %d replaced, "
             "%d removed, %d unchanged\n", p->nScript, cliPlural(p->nScript),
             p->zDir, s.nAdded, s.nDefine - s.nAdded, s.nRemove, s.nSame);
    }else if( strcmp(zCall, "migrate")==0 ){
      if( nDone ){
        printf("applied %lld migration%s in batch %lld (%lld ms)\n", nDone,
               cliPlural(nDone), iBatch, ms);
      }else{
        printf("nothing to migrate (%lld ms)\n", ms);
      }
    }else if( strcmp(zCall, "migrate_refresh")==0 ){
      printf("refreshed: reverted %d, applied %lld migration%s in batch %lld "
             "(%lld ms)\n", p->nDownDone, nDone, cliPlural(nDone), iBatch, ms);
    }else if( strcmp(zCall, "migrate_dry_run")==0 ){
      printf("dry run: %lld migration%s would apply; nothing was changed "
             "(%lld ms)\n", nDone, cliPlural(nDone), ms);
    }else if( strcmp(zCall, "migrate_baseline")==0 ){
      printf("baseline: recorded %lld migration%s as applied, up to %s; "
             "none was run (%lld ms)\n", nDone, cliPlural(nDone), zArg, ms);
    }else if( strcmp(zCall, "migrate_repair")==0 ){
      if( nDone ){
        printf("repaired %lld ledger row%s (%lld ms)\n", nDone,
               cliPlural(nDone), ms);
      }else{
        printf("nothing to repair (%lld ms)\n", ms);
      }
    }else{
      if( nDone ){
        printf("reverted %lld migration%s (%lld ms)\n", nDone,
               cliPlural(nDone), ms);
      }else{
        printf("nothing to revert (%lld ms)\n", ms);
      }
    }
  }
  if( p->pUpJson ) sqlite3_free(sqlite3_str_finish(p->pUpJson));
  if( p->pDownJson ) sqlite3_free(sqlite3_str_finish(p->pDownJson));
  p->pUpJson = p->pDownJson = 0;
  cliSyncFree(&s);
  if( rc==CLI_OK && bStatus && p->bCheck && nWork>0 ) rc = CLI_WORK;
  return rc;
}

/* version: prints migrate_version() (nothing when NULL). */
int cliVersion(Cli *p){
  sqlite3_stmt *pStmt;
  int rc = cliOpen(p, 0);
  if( rc!=CLI_OK ) return rc;
  pStmt = cliPrepare(p, "SELECT migrate_version()");
  if( pStmt==0 ) return CLI_ERROR;
  if( sqlite3_step(pStmt)==SQLITE_ROW ){
    const char *z = (const char*)sqlite3_column_text(pStmt, 0);
    if( p->bJson ){
      sqlite3_str *pOut = sqlite3_str_new(0);
      sqlite3_str_appendall(pOut, "{\"version\":");
      cliJsonString(pOut, z);
      sqlite3_str_appendall(pOut, "}");
      rc = cliJsonPrint(p, pOut);
    }else if( z ){
      printf("%s\n", z);
    }
  }
  if( sqlite3_finalize(pStmt)!=SQLITE_OK ){
    rc = cliError(p, "%s", sqlite3_errmsg(p->db));
  }
  return rc;
}

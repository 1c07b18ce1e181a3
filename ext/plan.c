/*
** plan.c — natural order, migration states, and what a call must do.
**
** USAGE
**   MigratePlan plan;  memset(&plan, 0, sizeof(plan));
**   rc = migratePlanLoad(db, &plan, &zErr);            // read definitions
**   rc = migratePlanMake(&plan, MIGRATE_OP_UP, 0, 0, "migrate", &zErr);
**   for(i=0; i<plan.nRun; i++) ... plan.aItem[plan.aRun[i]] ...
**   migratePlanFree(&plan);
**
** HOW IT WORKS
**   Natural order compares runs of ASCII digits by numeric value (leading
**   zeros ignored) and every other byte by value; names that compare equal
**   that way ("01_a", "1_a") fall back to plain byte order, so the order is
**   total.  It is registered as the collation "migrate_natural" and every
**   ordered read uses it in SQL, so sorting happens inside SQLite.
**
**   migratePlanLoad() reads one row per name from the full outer join of
**   migrations_scripts and migrations_ledger (migrateStatusSql, shared with
**   the migration_status table).  It reads names, rowids, batches and
**   checksums only — never script text — and refuses a damaged ledger (a
**   name twice, a batch that is not a non-negative integer, a name that is
**   not text) with an error that says what to fix.
**
**   Squashes: a definition may name the migrations it replaces (the
**   `replaces` column, one name a line).  planSquash() decides, after the
**   load, which squashes are in effect: one that is applied, one whose
**   replaced migrations are all applied (it then counts as applied, with
**   no ledger row of its own), and one none of whose replaced migrations
**   is applied (it runs; they never will).  The migrations a squash in
**   effect replaces are in state MIGRATE_REPLACED: neither pending nor
**   missing, never run, never reverted one by one.  A squash whose
**   replaced migrations are only partly applied is not in effect, and
**   every call that applies refuses, naming the first one missing.
**
**   migratePlanMake() turns the loaded state into the ordered list of items
**   a call reverts and applies.  It never runs anything.
*/
#include "migrateInt.h"
#include <stdlib.h>
#include <string.h>

/*
** One row per name, in natural order.  Columns:
**   0 name, 1 scripts rowid, 2 ledger rowid, 3 batch, 4 checksums equal,
**   5 applied_at, 6 duration_ms, 7 checksum (definition's, else ledger's),
**   8 repeatable (and, when applied, applied as one: a migration applied
**   as a versioned one — a baseline or a mark too — that is redefined as
**   repeatable does not turn into one that re-runs when edited),
**   9 has a verify query, 10 its scripts are text or NULL (typeof() reads
**   a column's type from the record header: no script text is read)
*/
const char migrateStatusSql[] =
  "SELECT s.name, s.rowid, l.rowid, l.batch, l.checksum IS s.checksum,"
  "       l.applied_at, l.duration_ms, s.checksum,"
  "       s.repeatable AND coalesce(l.repeatable, 1),"
  "       s.verify IS NOT NULL,"
  "       typeof(s.up)='text' AND typeof(s.down) IN ('text','null'),"
  "       s.down_checksum, s.repeatable"
  "  FROM main.migrations_scripts AS s"
  "  LEFT JOIN main.migrations_ledger AS l ON l.name=s.name "
  "UNION ALL "
  "SELECT l.name, NULL, l.rowid, l.batch, 0, l.applied_at, l.duration_ms,"
  "       l.checksum, l.repeatable, 0, typeof(l.down) IN ('text','null'),"
  "       NULL, NULL"
  "  FROM main.migrations_ledger AS l"
  " WHERE NOT EXISTS(SELECT 1 FROM main.migrations_scripts AS s"
  "                   WHERE s.name=l.name) "
  "ORDER BY 1 COLLATE " MIGRATE_COLLATION;

static int planIsDigit(unsigned char c){ return c>='0' && c<='9'; }
static int planFindN(const MigratePlan *p, const char *zName, int n);

/*
** The state of a name, from whether it is defined, applied, whether the
** checksums agree and whether it is repeatable.  An edited repeatable
** migration is pending (it re-runs), never changed.
*/
int migrateStateOf(int bDefined, int bApplied, int bSame, int bRepeatable){
  if( !bApplied ) return MIGRATE_PENDING;
  if( !bDefined ) return MIGRATE_MISSING;
  if( bSame ) return MIGRATE_APPLIED;
  return bRepeatable ? MIGRATE_PENDING : MIGRATE_CHANGED;
}

/*
** The "migrate_natural" collation (also used directly by C code).
*/
int migrateNaturalCmp(void *pArg, int n1, const void *p1, int n2,
                      const void *p2){
  const unsigned char *a = (const unsigned char*)p1;
  const unsigned char *b = (const unsigned char*)p2;
  int i = 0, j = 0, c;
  (void)pArg;
  while( i<n1 && j<n2 ){
    if( planIsDigit(a[i]) && planIsDigit(b[j]) ){
      int ei, ej;
      while( i<n1 && a[i]=='0' ) i++;
      while( j<n2 && b[j]=='0' ) j++;
      for(ei=i; ei<n1 && planIsDigit(a[ei]); ei++){}
      for(ej=j; ej<n2 && planIsDigit(b[ej]); ej++){}
      if( ei-i != ej-j ) return (ei-i) < (ej-j) ? -1 : 1;
      c = memcmp(&a[i], &b[j], (size_t)(ei-i));
      if( c ) return c<0 ? -1 : 1;
      i = ei;
      j = ej;
    }else{
      if( a[i]!=b[j] ) return a[i]<b[j] ? -1 : 1;
      i++;
      j++;
    }
  }
  if( i<n1 ) return 1;
  if( j<n2 ) return -1;
  c = memcmp(a, b, (size_t)(n1<n2 ? n1 : n2));
  if( c ) return c<0 ? -1 : 1;
  return n1==n2 ? 0 : (n1<n2 ? -1 : 1);
}

/*
** Frees everything a MigratePlan holds and zeroes it.
*/
void migratePlanFree(MigratePlan *p){
  int i;
  for(i=0; i<p->nItem; i++){
    sqlite3_free(p->aItem[i].zName);
    sqlite3_free(p->aItem[i].zReplaces);
  }
  sqlite3_free(p->aItem);
  sqlite3_free(p->aRun);
  sqlite3_free(p->zPartial);
  sqlite3_free(p->zPartialLast);
  memset(p, 0, sizeof(*p));
}

/*
** Reads the names each squash replaces (a storage older than the column
** has none), then decides which squashes are in effect (see the header): marks the migrations they replace MIGRATE_REPLACED, and a squash
** whose replaced migrations are all applied MIGRATE_APPLIED (with no
** ledger row).  A squash whose replaced migrations are only partly
** applied is left as it is and remembered in p->iPartial / p->zPartial
** (the first one not applied, in migration order).
*/
static int planSquash(sqlite3 *db, MigratePlan *p){
  sqlite3_stmt *pStmt = 0;
  int i, bHas = 0;
  int rc = migrateStoreHasReplaces(db, &bHas);
  if( rc==SQLITE_OK && bHas ){
    /* the squashes: IS NOT NULL reads only the record header */
    rc = sqlite3_prepare_v2(db, "SELECT name, replaces FROM"
        " main.migrations_scripts WHERE replaces IS NOT NULL", -1, &pStmt, 0);
    while( rc==SQLITE_OK && sqlite3_step(pStmt)==SQLITE_ROW ){
      i = migratePlanFind(p, (const char*)sqlite3_column_text(pStmt, 0));
      if( i>=0 && p->aItem[i].zReplaces==0 ){
        p->aItem[i].zReplaces = sqlite3_mprintf("%s",
                                               sqlite3_column_text(pStmt, 1));
        if( p->aItem[i].zReplaces==0 ) rc = SQLITE_NOMEM;
      }
    }
    if( rc==SQLITE_OK ){
      rc = sqlite3_finalize(pStmt);
    }else{
      sqlite3_finalize(pStmt);
    }
  }
  if( rc!=SQLITE_OK ) return rc;
  for(i=0; i<p->nItem; i++){
    MigrateItem *pSq = &p->aItem[i];
    const char *z = pSq->zReplaces;
    const char *zMissing = 0, *zLast = 0;
    int nMissing = 0, nLast = 0, n = 0, nApplied = 0;
    if( z==0 || pSq->iScript==0 ) continue;
    for(;;){                       /* count the replaced names applied */
      const char *zEnd = strchr(z, '\n');
      int nName = zEnd ? (int)(zEnd-z) : (int)strlen(z);
      int j = planFindN(p, z, nName);
      n++;
      if( zLast==0 || migrateNaturalCmp(0, nName, z, nLast, zLast)>0 ){
        zLast = z;
        nLast = nName;
      }
      if( j>=0 && p->aItem[j].iLedger ){
        nApplied++;
      }else if( zMissing==0 || migrateNaturalCmp(0, nName, z, nMissing,
                                                 zMissing)<0 ){
        zMissing = z;
        nMissing = nName;
      }
      if( zEnd==0 ) break;
      z = zEnd+1;
    }
    if( pSq->iLedger==0 && nApplied>0 && nApplied<n ){
      if( p->iPartial==0 ){
        p->iPartial = i+1;
        p->zPartial = sqlite3_mprintf("%.*s", nMissing, zMissing);
        p->zPartialLast = sqlite3_mprintf("%.*s", nLast, zLast);
        if( p->zPartial==0 || p->zPartialLast==0 ) return SQLITE_NOMEM;
      }
      continue;
    }
    if( pSq->iLedger==0 && nApplied==n && !pSq->bRepeatable ){
      pSq->eState = MIGRATE_APPLIED;   /* counts as applied */
    }
    for(z=pSq->zReplaces; ; ){
      const char *zEnd = strchr(z, '\n');
      int j = planFindN(p, z, zEnd ? (int)(zEnd-z) : (int)strlen(z));
      if( j>=0 && j!=i ){
        p->aItem[j].eState = MIGRATE_REPLACED;
        p->aItem[j].iReplacedBy = i+1;
      }
      if( zEnd==0 ) break;
      z = zEnd+1;
    }
  }
  return SQLITE_OK;
}

/*
** Reads the definitions and the ledger into p (which must be zeroed).
** zFunc names the calling SQL function in error messages.
** Storage that does not exist yet reads as empty.  On error returns an
** SQLite code and sets *pzErr (sqlite3_malloc'ed); p is then freed.
*/
int migratePlanLoad(sqlite3 *db, MigratePlan *p, const char *zFunc,
                    char **pzErr){
  sqlite3_stmt *pStmt = 0;
  int bExists = 0;
  int nAlloc = 0;
  int rc;

  rc = migrateStoreExists(db, &bExists);
  if( rc!=SQLITE_OK || !bExists ) goto plan_load_done;
  rc = sqlite3_prepare_v2(db, migrateStatusSql, -1, &pStmt, 0);
  if( rc!=SQLITE_OK ){
    *pzErr = sqlite3_mprintf("%s: %s: %s", zFunc, rc==SQLITE_ERROR
                             ? "the migration tables are damaged"
                             : "cannot read the migration tables",
                             sqlite3_errmsg(db));
    goto plan_load_done;
  }
  while( (rc = sqlite3_step(pStmt))==SQLITE_ROW ){
    MigrateItem *pItem;
    /* the type first: sqlite3_column_text() would convert a blob name */
    int eType = sqlite3_column_type(pStmt, 0);
    const char *zName = (const char*)sqlite3_column_text(pStmt, 0);
    int bDefined = sqlite3_column_type(pStmt, 1)!=SQLITE_NULL;
    int bApplied = sqlite3_column_type(pStmt, 2)!=SQLITE_NULL;

    if( eType!=SQLITE_TEXT || zName==0 ){
      if( sqlite3_errcode(db)==SQLITE_NOMEM ){ rc = SQLITE_NOMEM; break; }
      *pzErr = sqlite3_mprintf("%s: migrations_ledger is damaged: a row's "
                               "name is not text", zFunc);
      rc = SQLITE_CORRUPT;
      break;
    }
    if( p->nItem>0 && strcmp(p->aItem[p->nItem-1].zName, zName)==0 ){
      /* the same name twice: defined twice, or recorded twice */
      int bScripts = bDefined && p->aItem[p->nItem-1].iScript
                  && p->aItem[p->nItem-1].iScript!=sqlite3_column_int64(pStmt,1);
      *pzErr = sqlite3_mprintf("%s: %s is damaged: %s is %s more than once",
                               zFunc, bScripts ? "migrations_scripts"
                                               : "migrations_ledger", zName,
                               bScripts ? "defined" : "recorded");
      rc = SQLITE_CORRUPT;
      break;
    }
    if( p->nItem>=nAlloc ){
      int nNew = nAlloc ? nAlloc*2 : 32;
      MigrateItem *aNew = sqlite3_realloc64(p->aItem,
                                      (sqlite3_uint64)nNew*sizeof(MigrateItem));
      if( aNew==0 ){ rc = SQLITE_NOMEM; break; }
      p->aItem = aNew;
      nAlloc = nNew;
    }
    pItem = &p->aItem[p->nItem];
    memset(pItem, 0, sizeof(*pItem));
    pItem->zName = sqlite3_mprintf("%s", zName);
    if( pItem->zName==0 ){ rc = SQLITE_NOMEM; break; }
    p->nItem++;
    if( bDefined ) pItem->iScript = sqlite3_column_int64(pStmt, 1);
    if( bApplied ){
      pItem->iLedger = sqlite3_column_int64(pStmt, 2);
      if( sqlite3_column_type(pStmt, 3)!=SQLITE_INTEGER
       || sqlite3_column_int64(pStmt, 3)<0 ){
        *pzErr = sqlite3_mprintf("%s: migrations_ledger is damaged: the "
            "batch of %s is not a non-negative integer", zFunc, zName);
        rc = SQLITE_CORRUPT;
        break;
      }
      /* a batch near 2^63 would overflow the next batch's number */
      if( sqlite3_column_int64(pStmt, 3)>0x3fffffffffffffffLL ){
        *pzErr = sqlite3_mprintf("%s: migrations_ledger is damaged: the "
            "batch of %s is out of range", zFunc, zName);
        rc = SQLITE_CORRUPT;
        break;
      }
      pItem->iBatch = sqlite3_column_int64(pStmt, 3);
      if( pItem->iBatch>p->mxBatch ) p->mxBatch = pItem->iBatch;
    }
    pItem->bRepeatable = sqlite3_column_int(pStmt, 8)!=0;
    pItem->bVerify = sqlite3_column_int(pStmt, 9)!=0;
    pItem->bText = sqlite3_column_int(pStmt, 10)!=0;
    if( sqlite3_column_bytes(pStmt, 7)==MIGRATE_CHECKSUM_LEN ){
      memcpy(pItem->zSum, sqlite3_column_text(pStmt, 7), MIGRATE_CHECKSUM_LEN);
    }
    pItem->eState = migrateStateOf(bDefined, bApplied,
                                   sqlite3_column_int(pStmt, 4),
                                   pItem->bRepeatable);
    if( bDefined ){
      /* the definitions' fingerprint, as migrateStoreDefsSum() takes it */
      static const int aCol[] = { 1, 12, 9, 0, 7, 11 };
      p->iDefsSum += migrateDefsRowHash(pStmt, aCol);
    }
  }
  if( rc==SQLITE_DONE ){
    sqlite3_finalize(pStmt);
    pStmt = 0;
    rc = planSquash(db, p);
    if( rc!=SQLITE_OK && rc!=SQLITE_NOMEM ){
      *pzErr = sqlite3_mprintf("%s: cannot read the migration tables: %s",
                               zFunc, sqlite3_errmsg(db));
    }
  }else if( rc!=SQLITE_ROW && *pzErr==0 && rc!=SQLITE_NOMEM ){
    rc = sqlite3_errcode(db);
    *pzErr = sqlite3_mprintf("%s: %s", zFunc, sqlite3_errmsg(db));
  }

plan_load_done:
  sqlite3_finalize(pStmt);
  if( rc!=SQLITE_OK ) migratePlanFree(p);
  return rc;
}

/*
** Returns the index in p->aItem of the name zName, or -1.  The items are in
** natural order, which is total (equal only for equal bytes): a binary
** search.
*/
int migratePlanFind(const MigratePlan *p, const char *zName){
  return planFindN(p, zName, (int)strlen(zName));
}

/* migratePlanFind() of the n bytes at zName. */
static int planFindN(const MigratePlan *p, const char *zName, int n){
  int lo = 0, hi = p->nItem-1;
  while( lo<=hi ){
    int mid = lo + (hi-lo)/2;
    const char *z = p->aItem[mid].zName;
    int c = migrateNaturalCmp(0, (int)strlen(z), z, n, zName);
    if( c==0 ) return mid;
    if( c<0 ) lo = mid+1; else hi = mid-1;
  }
  return -1;
}

/* Sort key for reverting: newest batch first, then reverse natural order. */
typedef struct PlanDownKey PlanDownKey;
struct PlanDownKey { sqlite3_int64 iBatch; int iItem; };

static int planDownCmp(const void *pA, const void *pB){
  const PlanDownKey *a = (const PlanDownKey*)pA;
  const PlanDownKey *b = (const PlanDownKey*)pB;
  if( a->iBatch!=b->iBatch ) return a->iBatch > b->iBatch ? -1 : 1;
  return b->iItem - a->iItem;
}

/* True if rollbacks may revert pItem: applied, versioned, not baseline. */
static int planRevertible(const MigrateItem *pItem){
  return pItem->iLedger && !pItem->bRepeatable && pItem->iBatch>0;
}

/*
** Appends to p->aRun the applied items of the newest nBatch batches (all
** of them when nBatch<0), newest batch first, each batch in reverse order.
** Repeatable migrations and the baseline (batch 0) are never reverted.
*/
static int planAddDown(MigratePlan *p, sqlite3_int64 nBatch){
  PlanDownKey *aKey;
  int nKey = 0, i;
  sqlite3_int64 nSeen = 0, iPrev = -1;
  aKey = sqlite3_malloc64(sizeof(PlanDownKey)*(sqlite3_uint64)(p->nItem+1));
  if( aKey==0 ) return SQLITE_NOMEM;
  for(i=0; i<p->nItem; i++){
    if( planRevertible(&p->aItem[i]) ){
      aKey[nKey].iBatch = p->aItem[i].iBatch;
      aKey[nKey].iItem = i;
      nKey++;
    }
  }
  qsort(aKey, (size_t)nKey, sizeof(PlanDownKey), planDownCmp);
  for(i=0; i<nKey; i++){
    if( aKey[i].iBatch!=iPrev ){
      if( nBatch>=0 && nSeen>=nBatch ) break;
      nSeen++;
      iPrev = aKey[i].iBatch;
    }
    p->aRun[p->nRun++] = aKey[i].iItem;
  }
  sqlite3_free(aKey);
  return SQLITE_OK;
}

/* Appends the repeatable migrations to run: edited or new ones, or all. */
static void planAddRepeatables(MigratePlan *p, int bAll){
  int i;
  for(i=0; i<p->nItem; i++){
    const MigrateItem *pItem = &p->aItem[i];
    if( pItem->bRepeatable && pItem->iScript
     && (bAll || pItem->eState==MIGRATE_PENDING) ){
      p->aRun[p->nRun++] = i;
    }
  }
}

/*
** The error of a call that would apply on a database where a squash's
** replaced migrations are only partly applied (planSquash()).
*/
static int planPartialError(const MigratePlan *p, const char *zFunc,
                            char **pzErr){
  *pzErr = sqlite3_mprintf("%s: %s replaces migrations of which only some "
      "are applied here: %s is not; apply the replaced migrations up to %s "
      "first (migrate('%s') with their definitions, e.g. from the files they "
      "came from), then migrate again; nothing was done", zFunc,
      p->aItem[p->iPartial-1].zName, p->zPartial, p->zPartialLast,
      p->zPartialLast);
  return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
}

/*
** migrate_strict(): refuses a run list holding a versioned migration
** ordered before the last applied one (out of order), naming them all.
*/
static int planStrict(MigratePlan *p, const char *zFunc, char **pzErr){
  int i, iLast = -1, nLate = 0;
  sqlite3_str *pStr;
  for(i=0; i<p->nItem; i++){
    const MigrateItem *pItem = &p->aItem[i];
    if( !pItem->bRepeatable && (pItem->iLedger
        || (pItem->eState==MIGRATE_APPLIED && pItem->zReplaces)) ){
      iLast = i;
    }
  }
  pStr = sqlite3_str_new(0);
  for(i=0; i<p->nRun; i++){
    if( p->aRun[i]<iLast ){
      sqlite3_str_appendf(pStr, "%s%s", nLate++ ? ", " : "",
                          p->aItem[p->aRun[i]].zName);
    }
  }
  if( nLate==0 ){
    sqlite3_free(sqlite3_str_finish(pStr));
    return SQLITE_OK;
  }
  *pzErr = sqlite3_mprintf("%s: out-of-order migration%s: %s %s pending but "
      "ordered before %s, which is applied; nothing was done (migrate() "
      "applies out-of-order migrations; or rename %s to sort after %s)",
      zFunc, nLate>1 ? "s" : "", sqlite3_str_value(pStr),
      nLate>1 ? "are" : "is", p->aItem[iLast].zName,
      nLate>1 ? "them" : "it", p->aItem[iLast].zName);
  sqlite3_free(sqlite3_str_finish(pStr));
  return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
}

/*
** Decides what a call of operation eOp runs and fills p->aRun/nRun/nDown.
** zTarget: the target name of migrate(), migrate_dry_run(), rollback_to().
** nBatch: the n of rollback(n).  zFunc names the SQL function in errors.
** Refuses (SQLITE_ERROR, *pzErr set) an unknown target and, except for
** migrate_repair(), a ledger with a changed migration.
**
** Repeatable migrations run after the versioned ones of migrate(), in
** name order, when new or edited (all of them for migrate_refresh()), and
** are never reverted.  A baseline lists the versioned definitions up to
** the target, and is refused once anything versioned is applied; a mark
** lists just its target, which must be a pending versioned migration.
** A squash with its replaced migrations partly applied refuses every
** apply; a revert reaching a migration a squash replaces is refused;
** migrate_strict() refuses out-of-order pending migrations.
*/
int migratePlanMake(MigratePlan *p, int eOp, const char *zTarget,
                    sqlite3_int64 nBatch, const char *zFunc, char **pzErr){
  int i, iTarget = -1;
  int rc = SQLITE_OK;

  sqlite3_free(p->aRun);
  p->nRun = p->nDown = 0;
  p->aRun = sqlite3_malloc64(sizeof(int)*2*(sqlite3_uint64)(p->nItem+1));
  if( p->aRun==0 ) return SQLITE_NOMEM;

  if( zTarget ){
    iTarget = migratePlanFind(p, zTarget);
    if( iTarget<0 ){
      *pzErr = sqlite3_mprintf("%s: no migration is named '%s'",
                               zFunc, zTarget);
      return SQLITE_ERROR;
    }
  }
  if( eOp!=MIGRATE_OP_REPAIR ){
    for(i=0; i<p->nItem; i++){
      if( p->aItem[i].eState==MIGRATE_CHANGED ){
        *pzErr = sqlite3_mprintf("%s: %s was edited after it was applied "
            "(its checksum differs from the ledger's); restore its up script "
            "or accept the edit with SELECT migrate_repair()",
            zFunc, p->aItem[i].zName);
        return SQLITE_ERROR;
      }
    }
  }

  if( p->iPartial && (eOp==MIGRATE_OP_UP || eOp==MIGRATE_OP_DRY_RUN
                      || eOp==MIGRATE_OP_STRICT || eOp==MIGRATE_OP_CHECK)
   && (zTarget==0 || migrateNaturalCmp(0, (int)strlen(zTarget), zTarget,
                        (int)strlen(p->zPartialLast), p->zPartialLast)>0) ){
    /* refused, except on the way there: a target up to the last one */
    return planPartialError(p, zFunc, pzErr);
  }

  switch( eOp ){
    case MIGRATE_OP_UP:
    case MIGRATE_OP_DRY_RUN:
    case MIGRATE_OP_STRICT:
    case MIGRATE_OP_CHECK:
      for(i=0; i<p->nItem && (iTarget<0 || i<=iTarget); i++){
        if( p->aItem[i].eState==MIGRATE_PENDING && !p->aItem[i].bRepeatable ){
          p->aRun[p->nRun++] = i;
        }
      }
      if( eOp==MIGRATE_OP_STRICT ) rc = planStrict(p, zFunc, pzErr);
      planAddRepeatables(p, 0);
      break;
    case MIGRATE_OP_MARK: {
      const MigrateItem *pT = &p->aItem[iTarget];
      if( pT->iLedger || !pT->iScript || pT->bRepeatable
       || pT->eState!=MIGRATE_PENDING ){
        *pzErr = sqlite3_mprintf("%s: %s is %s; only a pending versioned "
            "migration can be marked as applied", zFunc, pT->zName,
            pT->iLedger ? "already applied"
            : !pT->iScript ? "not defined"
            : pT->bRepeatable ? "repeatable"
            : pT->iReplacedBy ? "replaced by a squash" : "applied");
        return SQLITE_ERROR;
      }
      p->aRun[p->nRun++] = iTarget;
      break;
    }
    case MIGRATE_OP_BASELINE:
      for(i=0; i<p->nItem; i++){
        if( p->aItem[i].iLedger && !p->aItem[i].bRepeatable ){
          *pzErr = sqlite3_mprintf("%s: %s is already applied; a baseline "
              "can only be recorded on a database with no applied "
              "migrations", zFunc, p->aItem[i].zName);
          return SQLITE_ERROR;
        }
      }
      for(i=0; i<=iTarget; i++){
        if( p->aItem[i].iScript && !p->aItem[i].bRepeatable
         && !p->aItem[i].iReplacedBy ){
          p->aRun[p->nRun++] = i;
        }
      }
      break;
    case MIGRATE_OP_ROLLBACK:
      rc = planAddDown(p, nBatch);
      p->nDown = p->nRun;
      break;
    case MIGRATE_OP_RESET:
    case MIGRATE_OP_REFRESH:
      rc = planAddDown(p, -1);
      p->nDown = p->nRun;
      if( eOp==MIGRATE_OP_REFRESH ){
        /* everything defined but the baseline (batch 0: recorded as
        ** applied, never run; the rollbacks leave it alone too) */
        for(i=0; i<p->nItem; i++){
          const MigrateItem *pItem = &p->aItem[i];
          if( pItem->iScript && !pItem->bRepeatable
           && !(pItem->iLedger && pItem->iBatch==0) ){
            p->aRun[p->nRun++] = i;
          }
        }
        planAddRepeatables(p, 1);
      }
      break;
    case MIGRATE_OP_ROLLBACK_TO:
      for(i=p->nItem-1; i>iTarget; i--){
        if( planRevertible(&p->aItem[i]) ) p->aRun[p->nRun++] = i;
      }
      p->nDown = p->nRun;
      break;
    default: /* MIGRATE_OP_REPAIR */
      for(i=0; i<p->nItem; i++){
        int e = p->aItem[i].eState;
        if( e==MIGRATE_CHANGED || e==MIGRATE_MISSING ) p->aRun[p->nRun++] = i;
      }
      break;
  }
  for(i=0; rc==SQLITE_OK && i<p->nDown; i++){
    const MigrateItem *pItem = &p->aItem[p->aRun[i]];
    if( pItem->iReplacedBy ){
      /* a squash is undone whole or not at all */
      *pzErr = sqlite3_mprintf("%s: %s is replaced by the squash %s, which "
          "cannot be reverted migration by migration; nothing was reverted",
          zFunc, pItem->zName, p->aItem[pItem->iReplacedBy-1].zName);
      rc = SQLITE_ERROR;
    }
  }
  return rc;
}

/*
** diff.c — schema diff: the migration that turns the `main` schema into the
** one a schema.sql describes, up and down, including the changes SQLite's
** ALTER TABLE cannot make (done by the table rebuild SQLite documents).
**
** USAGE
**   SELECT migration_diff('CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT);');
**        -> the up script ('' when nothing differs)
**   SELECT migration_diff(:schema_sql, 'down');
**        -> the script that turns the desired schema back into the current
**   SELECT migrate_generate('004_users_email', :schema_sql);
**        -> defines migration 004_users_email with both scripts; 1, or 0
**           when nothing differs (nothing defined)
**   Left out of a build by -DMIGRATE_OMIT_DIFF (the firmware size build).
**
** HOW IT WORKS
**   1. The desired SQL runs statement by statement in a scratch in-memory
**      connection whose authorizer refuses ATTACH/DETACH, TEMP objects,
**      writes to rows of user tables and the functions that touch files
**      (each refusal is an error naming the statement).  A progress handler
**      bounds its running time.
**   2. Both schemas (the user's `main`, the scratch `main`) are read into
**      the same model: every table, index, view and trigger with its SQL
**      text, tokenized; tables are split into column definitions,
**      table constraints and options (WITHOUT ROWID, STRICT), and their
**      columns read from pragma_table_xinfo.  SQLite's own sqlite_* tables,
**      shadow tables and libmigrate's storage are left out.
**   3. Objects are matched by type and name (case-insensitively) and
**      compared on normalized tokens (comments, whitespace, case and
**      identifier quoting do not count).  A table that differs is changed
**      by ALTER TABLE ADD/DROP COLUMN when SQLite allows it and the column
**      list is the old one minus some columns plus new ones at the end;
**      otherwise it is rebuilt: CREATE the desired table under a temporary
**      name, INSERT ... SELECT the columns on both sides (rowids kept),
**      DROP the old, RENAME, carry sqlite_sequence over for AUTOINCREMENT.
**   4. The script is emitted in an order that always runs: drop the views
**      and triggers that change or that use anything being dropped, rebuilt
**      or altered (transitively: renames check every view), drop indexes,
**      drop tables, create tables, alter, rebuild, then create indexes,
**      views and triggers.  Foreign keys stay valid because migrate()
**      suspends enforcement and runs foreign_key_check before committing.
**   5. The down script is the same diff with the two sides swapped.
**   Every drop is announced by a comment at the top of the script naming
**   the data it loses; a drop next to an add says it may be a rename.
**
**   The same model serves migrate_check() (check.c): migrateSchemaLoad()
**   reads main's schema, migrateSchemaCompare() says in words how two such
**   snapshots differ ("table t still exists", "column c missing from t").
*/
#ifndef MIGRATE_OMIT_DIFF
#include "migrateInt.h"
#include <stdarg.h>
#include <string.h>

/* Separates columns, constraints and options in a table's key (a byte no
** normalized SQL text holds). */
#define DIFF_SEP '\001'

/* Token types of the small SQL tokenizer. */
#define TK_ID     1   /* bare identifier or keyword */
#define TK_QID    2   /* quoted identifier "x" [x] `x` */
#define TK_STR    3   /* 'string' */
#define TK_OTHER  4   /* number, blob, variable, operator, punctuation */

/* Object types. */
#define OBJ_TABLE   1
#define OBJ_INDEX   2
#define OBJ_VIEW    3
#define OBJ_TRIGGER 4
#define OBJ_VTAB    5

/* What the up script does with a table of the "from" side. */
#define ACT_KEEP    0
#define ACT_DROP    1
#define ACT_ALTER   2
#define ACT_REBUILD 3

/* Virtual-machine steps the desired SQL may take: 20 million, a fraction
** of a second; a schema needs a few thousand. */
#define DIFF_MAX_STEPS 200    /* progress callbacks of 100,000 ops each */

typedef struct DiffTok DiffTok;
typedef struct DiffItem DiffItem;
typedef struct DiffCol DiffCol;
typedef struct DiffObj DiffObj;
typedef struct DiffSchema DiffSchema;
typedef struct DiffAuth DiffAuth;

struct DiffTok { int eType; int i; int n; };

/* One comma-separated item of a CREATE TABLE body. */
struct DiffItem {
  int iFirst, iLast;     /* token range */
  int bConstraint;       /* 1: table constraint, 0: column definition */
  char *zNorm;           /* normalized text */
};

/* One column, from pragma_table_xinfo. */
struct DiffCol {
  char *zName;
  char *zType;
  int iPk;
  int eHidden;           /* 0 plain, 2/3 generated */
};

struct DiffObj {
  int eType;
  char *zName;
  char *zTbl;
  char *zSql;
  char *zKey;            /* normalized definition, name left out */
  DiffTok *aTok; int nTok;
  int iRest;             /* first token after the object's name */
  /* tables only */
  DiffItem *aItem; int nItem; int nColItem;
  int iTail;             /* first token after the body's ')' */
  DiffCol *aCol; int nCol;
  int bParsed;           /* items match the columns one for one */
  int bNoRowid, bAutoinc;
  /* planning */
  int eAct;              /* ACT_* for tables of the "from" side */
  int bGone;             /* view/trigger dropped first; name unusable */
  DiffObj *pOther;       /* same type+name on the other side */
};

struct DiffSchema { DiffObj *aObj; int nObj; };

/* Authorizer state of the scratch connection. */
struct DiffAuth {
  const char *zWhy;      /* why the current statement was refused */
  char zDrop[128];       /* table the current DROP TABLE names */
  int bVtab;             /* current statement is CREATE VIRTUAL TABLE */
  int nStep;             /* progress callbacks so far */
  char zWhyBuf[160];     /* zWhy, when it names something */
  int bNoQuery;          /* no progress callback: refuse queries */
};

/* ---- tokenizer -------------------------------------------------------- */

/*
** Splits z into tokens with lex.c (comments, whitespace and byte-order
** marks dropped).  Returns the number of tokens and sets *paTok
** (sqlite3_malloc'ed), or -1 on OOM.
*/
static int diffTokenize(const char *z, DiffTok **paTok){
  int n = 0, nAlloc = 0, i = 0;
  DiffTok *a = 0;
  *paTok = 0;
  while( z[i] ){
    int eLex = 0;
    int nTok = migrateSqlToken(&z[i], &eLex);
    int j = i + nTok;
    int eType = eLex==MIGRATE_TK_ID ? TK_ID
              : eLex==MIGRATE_TK_QID ? TK_QID
              : eLex==MIGRATE_TK_STRING ? TK_STR : TK_OTHER;
    if( eLex==MIGRATE_TK_SPACE || eLex==MIGRATE_TK_COMMENT ){
      i = j;
      continue;
    }
    if( n>=nAlloc ){
      DiffTok *aNew;
      nAlloc = nAlloc ? nAlloc*2 : 64;
      aNew = sqlite3_realloc64(a, sizeof(DiffTok)*(sqlite3_uint64)nAlloc);
      if( aNew==0 ){ sqlite3_free(a); return -1; }
      a = aNew;
    }
    a[n].eType = eType;
    a[n].i = i;
    a[n].n = j-i;
    n++;
    i = j;
  }
  *paTok = a;
  return n;
}

/* True if token p of z is the keyword zKw (case-insensitive). */
static int diffIsKw(const char *z, const DiffTok *p, const char *zKw){
  return p->eType==TK_ID && (int)strlen(zKw)==p->n
      && sqlite3_strnicmp(z+p->i, zKw, p->n)==0;
}

/* True if token p is the single character c. */
static int diffIsCh(const char *z, const DiffTok *p, char c){
  return p->eType==TK_OTHER && p->n==1 && z[p->i]==c;
}

/*
** Appends the identifier of token p, dequoted, to pStr (as written, for
** comparisons use sqlite3_stricmp on the result).
*/
static void diffAppendIdent(sqlite3_str *pStr, const char *z,
                            const DiffTok *p){
  if( p->eType==TK_QID && p->n>=2 ){
    char q = z[p->i];
    int k;
    for(k=p->i+1; k<p->i+p->n-1; k++){
      sqlite3_str_appendchar(pStr, 1, z[k]);
      if( q!='[' && z[k]==q ) k++;
    }
  }else{
    sqlite3_str_append(pStr, z+p->i, p->n);
  }
}

/* The identifier of token p, dequoted (sqlite3_malloc'ed), or NULL. */
static char *diffIdent(const char *z, const DiffTok *p){
  sqlite3_str *pStr = sqlite3_str_new(0);
  diffAppendIdent(pStr, z, p);
  return sqlite3_str_finish(pStr);
}

/* True if token p is an identifier (quoted or not) equal to zName. */
static int diffTokIsName(const char *z, const DiffTok *p, const char *zName){
  char *zId;
  int bEq;
  if( p->eType==TK_ID ){
    return (int)strlen(zName)==p->n && sqlite3_strnicmp(z+p->i, zName, p->n)==0;
  }
  if( p->eType!=TK_QID && p->eType!=TK_STR ) return 0;
  zId = diffIdent(z, p);
  bEq = zId && sqlite3_stricmp(zId, zName)==0;
  sqlite3_free(zId);
  return bEq;
}

/*
** Appends tokens iFirst..iLast of z, normalized: lower case outside string
** literals, identifiers unquoted (quoted again, lower case, when they are
** not plain), one space between tokens.
*/
static void diffNorm(sqlite3_str *pStr, const char *z, const DiffTok *a,
                     int iFirst, int iLast){
  int k, m;
  for(k=iFirst; k<=iLast; k++){
    const DiffTok *p = &a[k];
    if( k>iFirst ) sqlite3_str_appendchar(pStr, 1, ' ');
    if( p->eType==TK_STR ){
      sqlite3_str_append(pStr, z+p->i, p->n);
    }else if( p->eType==TK_QID ){
      char *zId = diffIdent(z, p);
      int eLex = 0;
      /* printed bare when lex.c reads it back as one bare word */
      int bPlain = zId && zId[0]
                && migrateSqlToken(zId, &eLex)==(int)strlen(zId)
                && eLex==MIGRATE_TK_ID;
      if( zId ){
        for(m=0; zId[m]; m++){
          if( zId[m]>='A' && zId[m]<='Z' ) zId[m] += 'a'-'A';
        }
        if( bPlain ) sqlite3_str_appendall(pStr, zId);
        else sqlite3_str_appendf(pStr, "\"%w\"", zId);
      }
      sqlite3_free(zId);
    }else{
      for(m=0; m<p->n; m++){
        char c = z[p->i+m];
        if( c>='A' && c<='Z' ) c += 'a'-'A';
        sqlite3_str_appendchar(pStr, 1, c);
      }
    }
  }
}

/* normalized tokens iFirst..iLast as a new string (sqlite3_malloc'ed) */
static char *diffNormStr(const char *z, const DiffTok *a, int iFirst,
                         int iLast){
  sqlite3_str *pStr = sqlite3_str_new(0);
  diffNorm(pStr, z, a, iFirst, iLast);
  if( sqlite3_str_length(pStr)==0 ) sqlite3_str_appendchar(pStr, 1, ' ');
  return sqlite3_str_finish(pStr);
}

/* ---- schema model ------------------------------------------------------ */

static void diffObjClear(DiffObj *p){
  int i;
  sqlite3_free(p->zName);
  sqlite3_free(p->zTbl);
  sqlite3_free(p->zSql);
  sqlite3_free(p->zKey);
  sqlite3_free(p->aTok);
  for(i=0; i<p->nItem; i++) sqlite3_free(p->aItem[i].zNorm);
  sqlite3_free(p->aItem);
  for(i=0; i<p->nCol; i++){
    sqlite3_free(p->aCol[i].zName);
    sqlite3_free(p->aCol[i].zType);
  }
  sqlite3_free(p->aCol);
}

static void diffSchemaFree(DiffSchema *p){
  int i;
  for(i=0; i<p->nObj; i++) diffObjClear(&p->aObj[i]);
  sqlite3_free(p->aObj);
  p->aObj = 0;
  p->nObj = 0;
}

/*
** Splits the CREATE TABLE body of table p into items and options.  Sets
** p->bParsed only when the body has the expected shape.
*/
static int diffParseTable(DiffObj *p){
  const char *z = p->zSql;
  DiffTok *a = p->aTok;
  int k = p->iRest, iDepth = 0, iStart, nAlloc = 0;
  sqlite3_str *pKey;
  if( k>=p->nTok || !diffIsCh(z, &a[k], '(') ) return SQLITE_OK;
  iStart = k+1;
  for(k=k+1; k<p->nTok; k++){
    int bEnd = 0;
    if( diffIsCh(z, &a[k], '(') ){ iDepth++; continue; }
    if( diffIsCh(z, &a[k], ')') ){
      if( iDepth>0 ){ iDepth--; continue; }
      bEnd = 1;
    }else if( !(iDepth==0 && diffIsCh(z, &a[k], ',')) ){
      continue;
    }
    if( k>iStart ){
      DiffItem *pItem;
      const DiffTok *pF = &a[iStart];
      if( p->nItem>=nAlloc ){
        DiffItem *aNew;
        nAlloc = nAlloc ? nAlloc*2 : 16;
        aNew = sqlite3_realloc64(p->aItem,
                                 sizeof(DiffItem)*(sqlite3_uint64)nAlloc);
        if( aNew==0 ) return SQLITE_NOMEM;
        p->aItem = aNew;
      }
      pItem = &p->aItem[p->nItem++];
      pItem->iFirst = iStart;
      pItem->iLast = k-1;
      pItem->bConstraint = diffIsKw(z, pF, "constraint")
          || diffIsKw(z, pF, "primary") || diffIsKw(z, pF, "unique")
          || diffIsKw(z, pF, "check") || diffIsKw(z, pF, "foreign");
      pItem->zNorm = diffNormStr(z, a, iStart, k-1);
      if( pItem->zNorm==0 ) return SQLITE_NOMEM;
      if( !pItem->bConstraint ) p->nColItem++;
    }
    iStart = k+1;
    if( bEnd ) break;
  }
  if( k>=p->nTok ) return SQLITE_OK;
  p->iTail = k+1;
  for(k=p->iTail; k<p->nTok; k++){
    if( diffIsKw(z, &a[k], "rowid") ) p->bNoRowid = 1;
  }
  for(k=0; k<p->nTok; k++){
    if( diffIsKw(z, &a[k], "autoincrement") ) p->bAutoinc = 1;
  }
  /* The key: columns in order, then constraints, then options. */
  pKey = sqlite3_str_new(0);
  for(k=0; k<p->nItem; k++){
    if( !p->aItem[k].bConstraint ){
      sqlite3_str_appendf(pKey, "%s,", p->aItem[k].zNorm);
    }
  }
  sqlite3_str_appendchar(pKey, 1, DIFF_SEP);
  for(k=0; k<p->nItem; k++){
    if( p->aItem[k].bConstraint ){
      sqlite3_str_appendf(pKey, "%s,", p->aItem[k].zNorm);
    }
  }
  sqlite3_str_appendchar(pKey, 1, DIFF_SEP);
  diffNorm(pKey, z, a, p->iTail, p->nTok-1);
  sqlite3_free(p->zKey);
  p->zKey = sqlite3_str_finish(pKey);
  if( p->zKey==0 ) return SQLITE_NOMEM;
  p->bParsed = 1;
  return SQLITE_OK;
}

/* Reads the columns of table p of db's main schema. */
static int diffReadColumns(sqlite3 *db, DiffObj *p){
  sqlite3_stmt *pStmt = 0;
  int rc = sqlite3_prepare_v2(db,
      "SELECT name, type, pk, hidden FROM pragma_table_xinfo(?1, 'main')"
      " ORDER BY cid", -1, &pStmt, 0);
  int nAlloc = 0;
  if( rc!=SQLITE_OK ) return rc;
  sqlite3_bind_text(pStmt, 1, p->zName, -1, SQLITE_STATIC);
  while( sqlite3_step(pStmt)==SQLITE_ROW ){
    DiffCol *pCol;
    if( p->nCol>=nAlloc ){
      DiffCol *aNew;
      nAlloc = nAlloc ? nAlloc*2 : 16;
      aNew = sqlite3_realloc64(p->aCol, sizeof(DiffCol)*(sqlite3_uint64)nAlloc);
      if( aNew==0 ){ sqlite3_finalize(pStmt); return SQLITE_NOMEM; }
      p->aCol = aNew;
    }
    pCol = &p->aCol[p->nCol++];
    pCol->zName = sqlite3_mprintf("%s", sqlite3_column_text(pStmt, 0));
    pCol->zType = sqlite3_mprintf("%s", sqlite3_column_text(pStmt, 1));
    pCol->iPk = sqlite3_column_int(pStmt, 2);
    pCol->eHidden = sqlite3_column_int(pStmt, 3);
    if( pCol->zName==0 || pCol->zType==0 ){
      sqlite3_finalize(pStmt);
      return SQLITE_NOMEM;
    }
  }
  rc = sqlite3_finalize(pStmt);
  /* Items and columns must match one for one for ALTER TABLE to be used. */
  if( rc==SQLITE_OK && p->bParsed ){
    int iCol = 0, k;
    if( p->nColItem!=p->nCol ) p->bParsed = 0;
    for(k=0; p->bParsed && k<p->nItem; k++){
      if( p->aItem[k].bConstraint ) continue;
      if( !diffTokIsName(p->zSql, &p->aTok[p->aItem[k].iFirst],
                         p->aCol[iCol].zName) ){
        p->bParsed = 0;
      }
      iCol++;
    }
  }
  return rc;
}

/*
** Finds the first token after the object's name: CREATE [UNIQUE|TEMP|
** VIRTUAL] TABLE|INDEX|VIEW|TRIGGER [IF NOT EXISTS] [schema.]name.
*/
static int diffRestOf(const char *z, const DiffTok *a, int nTok){
  int k;
  for(k=0; k<nTok; k++){
    if( diffIsKw(z, &a[k], "table") || diffIsKw(z, &a[k], "index")
     || diffIsKw(z, &a[k], "view") || diffIsKw(z, &a[k], "trigger") ){
      break;
    }
  }
  k++;
  if( k+2<nTok && diffIsKw(z, &a[k], "if") && diffIsKw(z, &a[k+1], "not")
   && diffIsKw(z, &a[k+2], "exists") ){
    k += 3;
  }
  if( k+2<nTok && diffIsCh(z, &a[k+1], '.') ) k += 2;
  return k+1;
}

/*
** Loads the main schema of db into p (tables, indexes, views, triggers).
*/
static int diffLoad(sqlite3 *db, DiffSchema *p, char **pzErr){
  static const char zSql[] =
      "SELECT type, name, tbl_name, sql FROM main.sqlite_schema"
      " WHERE sql IS NOT NULL AND type IN ('table','index','view','trigger')"
      " AND name NOT LIKE 'sqlite\\_%%' ESCAPE '\\'"
      " AND tbl_name NOT LIKE 'sqlite\\_%%' ESCAPE '\\'"
      " AND lower(tbl_name) NOT IN"
      "   ('migrations_scripts','migrations_ledger','migrations_history',"
      "    'migrations_hooks','migrations_lock')"
      " %s ORDER BY rowid";
  static const char zNoShadow[] =
      " AND name NOT IN (SELECT name FROM pragma_table_list"
      "   WHERE schema='main' AND type='shadow')";
  sqlite3_stmt *pStmt = 0;
  int rc, nAlloc = 0, i;
  char *zQ = sqlite3_mprintf(zSql, zNoShadow);
  if( zQ==0 ) return SQLITE_NOMEM;
  rc = sqlite3_prepare_v2(db, zQ, -1, &pStmt, 0);
  sqlite3_free(zQ);
  if( rc!=SQLITE_OK && rc!=SQLITE_NOMEM ){
    /* before 3.37 (no pragma_table_list), or a module that is not loaded */
    zQ = sqlite3_mprintf(zSql, "");
    if( zQ==0 ) return SQLITE_NOMEM;
    rc = sqlite3_prepare_v2(db, zQ, -1, &pStmt, 0);
    sqlite3_free(zQ);
  }
  if( rc!=SQLITE_OK ){
    *pzErr = sqlite3_mprintf("cannot read the schema: %s", sqlite3_errmsg(db));
    return rc;
  }
  while( (rc = sqlite3_step(pStmt))==SQLITE_ROW ){
    const char *zType = (const char*)sqlite3_column_text(pStmt, 0);
    DiffObj *pObj;
    if( p->nObj>=nAlloc ){
      DiffObj *aNew;
      nAlloc = nAlloc ? nAlloc*2 : 32;
      aNew = sqlite3_realloc64(p->aObj, sizeof(DiffObj)*(sqlite3_uint64)nAlloc);
      if( aNew==0 ){ rc = SQLITE_NOMEM; break; }
      p->aObj = aNew;
    }
    pObj = &p->aObj[p->nObj++];
    memset(pObj, 0, sizeof(*pObj));
    pObj->zName = sqlite3_mprintf("%s", sqlite3_column_text(pStmt, 1));
    pObj->zTbl = sqlite3_mprintf("%s", sqlite3_column_text(pStmt, 2));
    pObj->zSql = sqlite3_mprintf("%s", sqlite3_column_text(pStmt, 3));
    if( zType==0 || pObj->zName==0 || pObj->zTbl==0 || pObj->zSql==0 ){
      rc = SQLITE_NOMEM;
      break;
    }
    pObj->eType = zType[1]=='a' ? OBJ_TABLE : zType[0]=='i' ? OBJ_INDEX
                : zType[0]=='v' ? OBJ_VIEW : OBJ_TRIGGER;
    pObj->nTok = diffTokenize(pObj->zSql, &pObj->aTok);
    if( pObj->nTok<0 ){ pObj->nTok = 0; rc = SQLITE_NOMEM; break; }
    if( pObj->eType==OBJ_TABLE && pObj->nTok>1
     && diffIsKw(pObj->zSql, &pObj->aTok[1], "virtual") ){
      pObj->eType = OBJ_VTAB;
    }
    pObj->iRest = diffRestOf(pObj->zSql, pObj->aTok, pObj->nTok);
    if( pObj->eType==OBJ_INDEX ){
      int bUnique = pObj->nTok>1 && diffIsKw(pObj->zSql, &pObj->aTok[1],
                                             "unique");
      char *zN = diffNormStr(pObj->zSql, pObj->aTok, pObj->iRest,
                             pObj->nTok-1);
      pObj->zKey = zN ? sqlite3_mprintf("%s %s", bUnique ? "u" : "-", zN) : 0;
      sqlite3_free(zN);
    }else{
      pObj->zKey = diffNormStr(pObj->zSql, pObj->aTok, pObj->iRest,
                               pObj->nTok-1);
    }
    if( pObj->zKey==0 ){ rc = SQLITE_NOMEM; break; }
    if( pObj->eType==OBJ_TABLE ){
      rc = diffParseTable(pObj);
      if( rc!=SQLITE_OK ) break;
    }
  }
  if( rc==SQLITE_DONE ) rc = SQLITE_OK;
  sqlite3_finalize(pStmt);
  for(i=0; rc==SQLITE_OK && i<p->nObj; i++){
    if( p->aObj[i].eType==OBJ_TABLE ) rc = diffReadColumns(db, &p->aObj[i]);
  }
  if( rc!=SQLITE_OK && rc!=SQLITE_NOMEM && *pzErr==0 ){
    *pzErr = sqlite3_mprintf("cannot read the schema: %s", sqlite3_errmsg(db));
  }
  return rc;
}

/* The object of p with type eType (tables and vtabs match) and zName. */
static DiffObj *diffFind(DiffSchema *p, int eType, const char *zName){
  int i;
  for(i=0; i<p->nObj; i++){
    DiffObj *pObj = &p->aObj[i];
    if( pObj->eType==eType && sqlite3_stricmp(pObj->zName, zName)==0 ){
      return pObj;
    }
  }
  return 0;
}

/* The column of table p named zName, or NULL. */
static DiffCol *diffFindCol(DiffObj *p, const char *zName){
  int i;
  for(i=0; i<p->nCol; i++){
    if( sqlite3_stricmp(p->aCol[i].zName, zName)==0 ) return &p->aCol[i];
  }
  return 0;
}

/* True if any identifier token of object p is zName. */
static int diffMentions(const DiffObj *p, const char *zName){
  int k;
  for(k=0; k<p->nTok; k++){
    if( diffTokIsName(p->zSql, &p->aTok[k], zName) ) return 1;
  }
  return 0;
}

/* ---- planning ---------------------------------------------------------- */

/*
** True if column item pItem of table p may be added by ALTER TABLE ADD
** COLUMN: no PRIMARY KEY/UNIQUE, not a STORED generated column, a NOT NULL
** column has a non-NULL constant default, the default is a constant, and a
** REFERENCES column has no default.
*/
static int diffCanAdd(const DiffObj *p, const DiffItem *pItem){
  const char *z = p->zSql;
  const DiffTok *a = p->aTok;
  int k, bNotNull = 0, bDefault = 0, bRef = 0, bGen = 0, iDepth = 0;
  for(k=pItem->iFirst+1; k<=pItem->iLast; k++){
    if( diffIsCh(z, &a[k], '(') ) iDepth++;
    if( diffIsCh(z, &a[k], ')') ) iDepth--;
    if( iDepth>0 ) continue;   /* inside CHECK (...), DEFAULT (...), AS (...) */
    if( diffIsKw(z, &a[k], "primary") || diffIsKw(z, &a[k], "unique")
     || diffIsKw(z, &a[k], "stored") ){
      return 0;
    }
    if( diffIsKw(z, &a[k], "as") || diffIsKw(z, &a[k], "generated") ){
      bGen = 1;
    }
    if( diffIsKw(z, &a[k], "references") ) bRef = 1;
    if( diffIsKw(z, &a[k], "not") && k<pItem->iLast
     && diffIsKw(z, &a[k+1], "null") ){
      bNotNull = 1;
    }
    if( diffIsKw(z, &a[k], "default") ){
      const DiffTok *pV;
      if( k==pItem->iLast ) return 0;
      pV = &a[k+1];
      if( diffIsCh(z, pV, '(') || diffIsKw(z, pV, "current_time")
       || diffIsKw(z, pV, "current_date")
       || diffIsKw(z, pV, "current_timestamp") ){
        return 0;
      }
      bDefault = !diffIsKw(z, pV, "null");
    }
  }
  if( bRef && bDefault ) return 0;
  if( bNotNull && !bDefault && !bGen ) return 0;
  return 1;
}

/* True if column item pItem is a PRIMARY KEY or UNIQUE column. */
static int diffIsKeyCol(const DiffObj *p, const DiffItem *pItem){
  int k;
  for(k=pItem->iFirst+1; k<=pItem->iLast; k++){
    if( diffIsKw(p->zSql, &p->aTok[k], "primary")
     || diffIsKw(p->zSql, &p->aTok[k], "unique") ){
      return 1;
    }
  }
  return 0;
}

/*
** Decides how table pFrom becomes pTo (same name): ACT_ALTER when the
** columns of pTo are those of pFrom minus some, plus new ones at the end,
** with identical definitions, constraints and options, and each add/drop
** is one SQLite allows; else ACT_REBUILD.
*/
static int diffTableAct(DiffSchema *pFromS, DiffObj *pFrom, DiffObj *pTo,
                        int bDropOk){
  int i, j, k, iTo = 0;
  if( strcmp(pFrom->zKey, pTo->zKey)==0 ) return ACT_KEEP;
  if( !pFrom->bParsed || !pTo->bParsed ) return ACT_REBUILD;
  /* constraints and options */
  {
    const char *zA = strchr(pFrom->zKey, DIFF_SEP);
    const char *zB = strchr(pTo->zKey, DIFF_SEP);
    if( zA==0 || zB==0 || strcmp(zA, zB)!=0 ) return ACT_REBUILD;
  }
  /* walk the columns of pFrom: each is kept (next in pTo) or dropped */
  for(i=0; i<pFrom->nItem; i++){
    const DiffItem *pA = &pFrom->aItem[i];
    const DiffItem *pB = 0;
    if( pA->bConstraint ) continue;
    while( iTo<pTo->nItem && pTo->aItem[iTo].bConstraint ) iTo++;
    if( iTo<pTo->nItem ) pB = &pTo->aItem[iTo];
    if( pB && strcmp(pA->zNorm, pB->zNorm)==0 ){
      iTo++;
      continue;
    }
    /* pA is dropped: allowed? (and it must not come back later in pTo) */
    {
      char *zCol = diffIdent(pFrom->zSql, &pFrom->aTok[pA->iFirst]);
      int bOk = zCol!=0 && bDropOk && !diffIsKeyCol(pFrom, pA)
             && diffFindCol(pTo, zCol)==0;
      for(j=0; bOk && j<pFrom->nItem; j++){
        const DiffItem *pC = &pFrom->aItem[j];
        if( j==i ) continue;
        for(k=pC->iFirst; bOk && k<=pC->iLast; k++){
          if( diffTokIsName(pFrom->zSql, &pFrom->aTok[k], zCol) ) bOk = 0;
        }
      }
      for(j=0; bOk && j<pFromS->nObj; j++){
        const DiffObj *pIdx = &pFromS->aObj[j];
        if( pIdx->eType==OBJ_INDEX
         && sqlite3_stricmp(pIdx->zTbl, pFrom->zName)==0
         && diffMentions(pIdx, zCol) ){
          bOk = 0;
        }
      }
      /* other tables' foreign keys naming this column as parent key */
      for(j=0; bOk && j<pFromS->nObj; j++){
        const DiffObj *pT = &pFromS->aObj[j];
        if( pT->eType==OBJ_TABLE && pT!=pFrom
         && diffMentions(pT, pFrom->zName) && diffMentions(pT, zCol) ){
          bOk = 0;
        }
      }
      sqlite3_free(zCol);
      if( !bOk ) return ACT_REBUILD;
    }
  }
  /* the rest of pTo's columns are new: each must be addable */
  for(; iTo<pTo->nItem; iTo++){
    const DiffItem *pB = &pTo->aItem[iTo];
    char *zCol;
    int bOk;
    if( pB->bConstraint ) continue;
    zCol = diffIdent(pTo->zSql, &pTo->aTok[pB->iFirst]);
    bOk = zCol!=0 && diffFindCol(pFrom, zCol)==0 && diffCanAdd(pTo, pB);
    sqlite3_free(zCol);
    if( !bOk ) return ACT_REBUILD;
  }
  return ACT_ALTER;
}

/* ---- emitting ---------------------------------------------------------- */

/* Appends the raw text of tokens iFirst..iLast of p. */
static void diffAppendRaw(sqlite3_str *pOut, const DiffObj *p, int iFirst,
                          int iLast){
  if( iFirst>iLast ) return;
  sqlite3_str_append(pOut, p->zSql + p->aTok[iFirst].i,
      p->aTok[iLast].i + p->aTok[iLast].n - p->aTok[iFirst].i);
}

/* True if zName is a column of table p. */
static int diffHasCol(DiffObj *p, const char *zName){
  return diffFindCol(p, zName)!=0;
}

/* The INTEGER PRIMARY KEY (rowid alias) column of p, or NULL. */
static DiffCol *diffIpk(DiffObj *p){
  int i, nPk = 0;
  DiffCol *pPk = 0;
  if( p->bNoRowid ) return 0;
  for(i=0; i<p->nCol; i++){
    if( p->aCol[i].iPk ){ nPk++; pPk = &p->aCol[i]; }
  }
  if( nPk==1 && sqlite3_stricmp(pPk->zType, "integer")==0 ) return pPk;
  return 0;
}

/* A name for the rowid that is not a column of p, or NULL. */
static const char *diffRowidName(DiffObj *p){
  static const char *azRowid[] = { "rowid", "_rowid_", "oid" };
  int i;
  for(i=0; i<3; i++){
    if( !diffHasCol(p, azRowid[i]) ) return azRowid[i];
  }
  return 0;
}

/* Emits the rebuild of table pFrom into pTo. */
static int diffRebuild(sqlite3_str *pOut, DiffObj *pFrom, DiffObj *pTo){
  char *zTmp = sqlite3_mprintf("_migrate_new_%s", pTo->zName);
  const char *zRowA = 0, *zRowB = 0;
  DiffCol *pIpk = diffIpk(pTo);
  int i, bFirst = 1;
  sqlite3_str *pCols = sqlite3_str_new(0);
  sqlite3_str *pSel = sqlite3_str_new(0);
  if( zTmp==0 ){
    /* out of memory: poison pOut so that the caller reports SQLITE_NOMEM */
    sqlite3_str_appendall(pOut, "");
    sqlite3_free(sqlite3_str_finish(pCols));
    sqlite3_free(sqlite3_str_finish(pSel));
    return SQLITE_NOMEM;
  }
  sqlite3_str_appendf(pOut, "-- rebuild \"%w\" (SQLite's ALTER TABLE cannot "
                      "make this change): every row and rowid is kept\n",
                      pTo->zName);
  sqlite3_str_appendf(pOut, "CREATE TABLE \"%w\" ", zTmp);
  diffAppendRaw(pOut, pTo, pTo->iRest, pTo->nTok-1);
  sqlite3_str_appendall(pOut, ";\n");
  if( !pFrom->bNoRowid && !pTo->bNoRowid
   && (pIpk==0 || !diffHasCol(pFrom, pIpk->zName)) ){
    zRowA = diffRowidName(pFrom);
    zRowB = diffRowidName(pTo);
    if( zRowA && zRowB ){
      sqlite3_str_appendall(pCols, zRowB);
      sqlite3_str_appendall(pSel, zRowA);
      bFirst = 0;
    }
  }
  for(i=0; i<pTo->nCol; i++){
    DiffCol *pB = &pTo->aCol[i];
    DiffCol *pA = diffFindCol(pFrom, pB->zName);
    if( pA==0 || pB->eHidden ) continue;
    sqlite3_str_appendf(pCols, "%s\"%w\"", bFirst ? "" : ", ", pB->zName);
    sqlite3_str_appendf(pSel, "%s\"%w\"", bFirst ? "" : ", ", pA->zName);
    bFirst = 0;
  }
  if( !bFirst ){
    char *zCols = sqlite3_str_finish(pCols);
    char *zSel = sqlite3_str_finish(pSel);
    sqlite3_str_appendf(pOut, "INSERT INTO \"%w\"(%s) SELECT %s FROM \"%w\";\n",
                        zTmp, zCols, zSel, pFrom->zName);
    sqlite3_free(zCols);
    sqlite3_free(zSel);
  }else{
    sqlite3_free(sqlite3_str_finish(pCols));
    sqlite3_free(sqlite3_str_finish(pSel));
  }
  if( pFrom->bAutoinc && pTo->bAutoinc ){
    sqlite3_str_appendf(pOut,
        "UPDATE sqlite_sequence SET seq = (SELECT max(seq) FROM sqlite_sequence"
        " WHERE name IN (%Q, %Q)) WHERE name = %Q;\n"
        "INSERT INTO sqlite_sequence(name, seq) SELECT %Q, seq FROM"
        " sqlite_sequence WHERE name = %Q AND NOT EXISTS (SELECT 1 FROM"
        " sqlite_sequence WHERE name = %Q);\n",
        pFrom->zName, zTmp, zTmp, zTmp, pFrom->zName, zTmp);
  }
  sqlite3_str_appendf(pOut, "DROP TABLE \"%w\";\n", pFrom->zName);
  sqlite3_str_appendf(pOut, "ALTER TABLE \"%w\" RENAME TO \"%w\";\n",
                      zTmp, pTo->zName);
  sqlite3_free(zTmp);
  return SQLITE_OK;
}

/* Emits ALTER TABLE ADD/DROP COLUMN statements turning pFrom into pTo. */
static void diffAlter(sqlite3_str *pOut, DiffObj *pFrom, DiffObj *pTo){
  int i;
  for(i=0; i<pTo->nItem; i++){
    const DiffItem *pB = &pTo->aItem[i];
    char *zCol;
    if( pB->bConstraint ) continue;
    zCol = diffIdent(pTo->zSql, &pTo->aTok[pB->iFirst]);
    if( zCol && !diffHasCol(pFrom, zCol) ){
      sqlite3_str_appendf(pOut, "ALTER TABLE \"%w\" ADD COLUMN ", pTo->zName);
      diffAppendRaw(pOut, pTo, pB->iFirst, pB->iLast);
      sqlite3_str_appendall(pOut, ";\n");
    }
    sqlite3_free(zCol);
  }
  for(i=0; i<pFrom->nCol; i++){
    if( !diffHasCol(pTo, pFrom->aCol[i].zName) ){
      sqlite3_str_appendf(pOut, "ALTER TABLE \"%w\" DROP COLUMN \"%w\";\n",
                          pFrom->zName, pFrom->aCol[i].zName);
    }
  }
}

/* True if object p (of the "to" side) must be created. */
static int diffMustCreate(DiffObj *p){
  DiffObj *pOld = p->pOther;
  if( pOld==0 ) return 1;
  if( p->eType==OBJ_INDEX ){
    return strcmp(pOld->zKey, p->zKey)!=0
        || sqlite3_stricmp(pOld->zTbl, p->zTbl)!=0;
  }
  if( p->eType==OBJ_VIEW || p->eType==OBJ_TRIGGER ) return pOld->bGone;
  if( p->eType==OBJ_VTAB ) return strcmp(pOld->zKey, p->zKey)!=0;
  return 0;
}

/*
** Writes into pOut the script that turns schema pFrom into pTo.
** bDropOk: ALTER TABLE DROP COLUMN may be used (SQLite 3.35+).
*/
static int diffScript(DiffSchema *pFrom, DiffSchema *pTo, int bDropOk,
                      sqlite3_str *pOut){
  sqlite3_str *pHead = sqlite3_str_new(0);
  sqlite3_str *pBody = sqlite3_str_new(0);
  int i, j, bChanged, nDropTab = 0, nNewTab = 0, rc = SQLITE_OK;
  char *z;

  /* match objects */
  for(i=0; i<pFrom->nObj; i++){
    DiffObj *p = &pFrom->aObj[i];
    p->pOther = diffFind(pTo, p->eType, p->zName);
    p->eAct = ACT_KEEP;
    p->bGone = 0;
  }
  for(i=0; i<pTo->nObj; i++){
    DiffObj *p = &pTo->aObj[i];
    p->pOther = diffFind(pFrom, p->eType, p->zName);
  }

  /* tables: keep, drop, alter or rebuild */
  for(i=0; i<pFrom->nObj; i++){
    DiffObj *p = &pFrom->aObj[i];
    if( p->eType==OBJ_TABLE ){
      if( p->pOther==0 ){
        p->eAct = ACT_DROP;
        nDropTab++;
      }else{
        p->eAct = diffTableAct(pFrom, p, p->pOther, bDropOk);
      }
    }else if( p->eType==OBJ_VTAB ){
      if( p->pOther==0 || strcmp(p->zKey, p->pOther->zKey)!=0 ){
        p->eAct = ACT_DROP;
        nDropTab++;
      }
    }
  }
  for(i=0; i<pTo->nObj; i++){
    DiffObj *p = &pTo->aObj[i];
    if( (p->eType==OBJ_TABLE || p->eType==OBJ_VTAB) && p->pOther==0 ){
      nNewTab++;
    }
  }

  /* views and triggers dropped first: changed, removed, or using anything
  ** dropped, rebuilt or altered (transitively through views) */
  do{
    bChanged = 0;
    for(i=0; i<pFrom->nObj; i++){
      DiffObj *p = &pFrom->aObj[i];
      int bGone;
      if( p->bGone || (p->eType!=OBJ_VIEW && p->eType!=OBJ_TRIGGER) ) continue;
      bGone = p->pOther==0 || strcmp(p->zKey, p->pOther->zKey)!=0;
      for(j=0; !bGone && j<pFrom->nObj; j++){
        DiffObj *q = &pFrom->aObj[j];
        if( ((q->eType==OBJ_TABLE || q->eType==OBJ_VTAB) && q->eAct!=ACT_KEEP)
         || (q->eType==OBJ_VIEW && q->bGone) ){
          if( sqlite3_stricmp(p->zTbl, q->zName)==0 || diffMentions(p, q->zName) ){
            bGone = 1;
          }
        }
      }
      if( bGone ){
        p->bGone = 1;
        bChanged = 1;
      }
    }
  }while( bChanged );

  /* header: what the script loses */
  for(i=0; i<pFrom->nObj; i++){
    DiffObj *p = &pFrom->aObj[i];
    if( (p->eType==OBJ_TABLE || p->eType==OBJ_VTAB) && p->eAct==ACT_DROP ){
      sqlite3_str_appendf(pHead, "-- drops table \"%w\" and all its rows%s\n",
          p->zName, p->pOther ? " (the table is recreated empty with its "
                                "new definition)" : "");
    }
    if( p->eType==OBJ_TABLE && (p->eAct==ACT_ALTER || p->eAct==ACT_REBUILD) ){
      for(j=0; j<p->nCol; j++){
        if( !diffHasCol(p->pOther, p->aCol[j].zName) ){
          sqlite3_str_appendf(pHead, "-- drops column \"%w\".\"%w\" and its "
              "values\n", p->zName, p->aCol[j].zName);
        }
      }
    }
  }
  if( nDropTab && nNewTab ){
    sqlite3_str_appendall(pHead, "-- note: a renamed table cannot be told "
        "from a drop and an add; to keep its rows, replace the DROP TABLE "
        "and CREATE TABLE below by ALTER TABLE ... RENAME TO ...\n");
  }
  for(i=0; i<pFrom->nObj; i++){
    DiffObj *p = &pFrom->aObj[i];
    int bDropCol = 0, bAddCol = 0;
    if( p->eType!=OBJ_TABLE || p->pOther==0 ) continue;
    for(j=0; j<p->nCol; j++){
      if( !diffHasCol(p->pOther, p->aCol[j].zName) ) bDropCol = 1;
    }
    for(j=0; j<p->pOther->nCol; j++){
      if( !diffHasCol(p, p->pOther->aCol[j].zName) ) bAddCol = 1;
    }
    if( bDropCol && bAddCol ){
      sqlite3_str_appendf(pHead, "-- note: a renamed column cannot be told "
          "from a drop and an add; to keep the values of a renamed column of "
          "\"%w\", use ALTER TABLE ... RENAME COLUMN instead\n", p->zName);
    }
  }

  /* 1. triggers and views dropped first */
  for(i=pFrom->nObj-1; i>=0; i--){
    DiffObj *p = &pFrom->aObj[i];
    if( p->bGone && p->eType==OBJ_TRIGGER ){
      sqlite3_str_appendf(pBody, "DROP TRIGGER \"%w\";\n", p->zName);
    }
  }
  for(i=pFrom->nObj-1; i>=0; i--){
    DiffObj *p = &pFrom->aObj[i];
    if( p->bGone && p->eType==OBJ_VIEW ){
      sqlite3_str_appendf(pBody, "DROP VIEW \"%w\";\n", p->zName);
    }
  }
  /* 2. indexes removed or changed, on tables that stay */
  for(i=0; i<pFrom->nObj; i++){
    DiffObj *p = &pFrom->aObj[i];
    DiffObj *pT;
    if( p->eType!=OBJ_INDEX ) continue;
    pT = diffFind(pFrom, OBJ_TABLE, p->zTbl);
    if( pT && (pT->eAct==ACT_DROP || pT->eAct==ACT_REBUILD) ) continue;
    if( p->pOther==0 || diffMustCreate(p->pOther) ){
      sqlite3_str_appendf(pBody, "DROP INDEX \"%w\";\n", p->zName);
    }
  }
  /* 3. tables dropped */
  for(i=0; i<pFrom->nObj; i++){
    DiffObj *p = &pFrom->aObj[i];
    if( (p->eType==OBJ_TABLE || p->eType==OBJ_VTAB) && p->eAct==ACT_DROP ){
      sqlite3_str_appendf(pBody, "DROP TABLE \"%w\";\n", p->zName);
    }
  }
  /* 4. tables created */
  for(i=0; i<pTo->nObj; i++){
    DiffObj *p = &pTo->aObj[i];
    if( (p->eType==OBJ_TABLE && p->pOther==0)
     || (p->eType==OBJ_VTAB && diffMustCreate(p)) ){
      sqlite3_str_appendf(pBody, "%s;\n", p->zSql);
    }
  }
  /* 5. tables altered and rebuilt */
  for(i=0; i<pFrom->nObj; i++){
    DiffObj *p = &pFrom->aObj[i];
    if( p->eType!=OBJ_TABLE ) continue;
    if( p->eAct==ACT_ALTER ) diffAlter(pBody, p, p->pOther);
    if( p->eAct==ACT_REBUILD && diffRebuild(pBody, p, p->pOther) ) rc = SQLITE_NOMEM;
  }
  /* 6. indexes, views, triggers created */
  for(i=0; i<pTo->nObj; i++){
    DiffObj *p = &pTo->aObj[i];
    DiffObj *pT;
    int bCreate;
    if( p->eType!=OBJ_INDEX ) continue;
    pT = diffFind(pFrom, OBJ_TABLE, p->zTbl);
    bCreate = diffMustCreate(p) || pT==0 || pT->eAct==ACT_DROP
           || pT->eAct==ACT_REBUILD;
    if( bCreate ) sqlite3_str_appendf(pBody, "%s;\n", p->zSql);
  }
  for(i=0; i<pTo->nObj; i++){
    DiffObj *p = &pTo->aObj[i];
    if( p->eType==OBJ_VIEW && diffMustCreate(p) ){
      sqlite3_str_appendf(pBody, "%s;\n", p->zSql);
    }
  }
  for(i=0; i<pTo->nObj; i++){
    DiffObj *p = &pTo->aObj[i];
    if( p->eType==OBJ_TRIGGER && diffMustCreate(p) ){
      sqlite3_str_appendf(pBody, "%s;\n", p->zSql);
    }
  }

  if( sqlite3_str_length(pBody)>0 ){
    z = sqlite3_str_value(pHead);
    if( z ) sqlite3_str_appendall(pOut, z);
    z = sqlite3_str_value(pBody);
    if( z ) sqlite3_str_appendall(pOut, z);
  }
  if( rc==SQLITE_OK ) rc = sqlite3_str_errcode(pHead);
  if( rc==SQLITE_OK ) rc = sqlite3_str_errcode(pBody);
  sqlite3_free(sqlite3_str_finish(pHead));
  sqlite3_free(sqlite3_str_finish(pBody));
  return rc;
}

/* ---- the scratch connection ---------------------------------------------- */

/*
** The PRAGMAs a desired schema may run in the scratch connection: those
** that change only that connection or its database, or just read.  The
** others (hard_heap_limit, soft_heap_limit, temp_store_directory,
** data_store_directory, ...) change the whole process: every connection of
** the application would feel them.
*/
static int diffPragmaAllowed(const char *zName){
  static const char *const azOk[] = {
    "analysis_limit", "application_id", "auto_vacuum", "automatic_index",
    "busy_timeout", "cache_size", "cache_spill", "case_sensitive_like",
    "cell_size_check", "checkpoint_fullfsync", "collation_list",
    "compile_options", "data_version", "database_list", "defer_foreign_keys",
    "encoding", "foreign_key_check", "foreign_key_list", "foreign_keys",
    "freelist_count", "fullfsync", "function_list", "ignore_check_constraints",
    "incremental_vacuum", "index_info", "index_list", "index_xinfo",
    "integrity_check", "journal_mode", "journal_size_limit",
    "legacy_alter_table", "locking_mode", "max_page_count", "module_list",
    "optimize", "page_count", "page_size", "pragma_list", "query_only",
    "quick_check", "read_uncommitted", "recursive_triggers",
    "reverse_unordered_selects", "secure_delete", "synchronous",
    "table_info", "table_list", "table_xinfo", "temp_store", "trusted_schema",
    "user_version", "wal_autocheckpoint", "wal_checkpoint",
  };
  size_t i;
  for(i=0; zName && i<sizeof(azOk)/sizeof(azOk[0]); i++){
    if( sqlite3_stricmp(zName, azOk[i])==0 ) return 1;
  }
  return 0;
}

static int diffAuthorizer(void *pArg, int eCode, const char *z1,
                          const char *z2, const char *z3, const char *z4){
  DiffAuth *p = (DiffAuth*)pArg;
  (void)z3;
  (void)z4;
  switch( eCode ){
    case SQLITE_ATTACH:
    case SQLITE_DETACH:
      p->zWhy = "a desired schema cannot ATTACH or DETACH a database";
      return SQLITE_DENY;
    case SQLITE_CREATE_TEMP_INDEX:
    case SQLITE_CREATE_TEMP_TABLE:
    case SQLITE_CREATE_TEMP_TRIGGER:
    case SQLITE_CREATE_TEMP_VIEW:
      p->zWhy = "a desired schema describes main: TEMP objects are not allowed";
      return SQLITE_DENY;
    case SQLITE_DROP_TABLE:
      sqlite3_snprintf(sizeof(p->zDrop), p->zDrop, "%s", z1 ? z1 : "");
      return SQLITE_OK;
    case SQLITE_CREATE_VTABLE:
      p->bVtab = 1;   /* its module writes its shadow tables */
      return SQLITE_OK;
    case SQLITE_PRAGMA:
      if( diffPragmaAllowed(z1) ) return SQLITE_OK;
      sqlite3_snprintf(sizeof(p->zWhyBuf), p->zWhyBuf, "a desired schema "
          "cannot run PRAGMA %s: it reaches beyond its own connection",
          z1 ? z1 : "");
      p->zWhy = p->zWhyBuf;
      return SQLITE_DENY;
    case SQLITE_INSERT:
    case SQLITE_UPDATE:
    case SQLITE_DELETE:
      if( z1 && sqlite3_strnicmp(z1, "sqlite_", 7)==0 ) return SQLITE_OK;
      if( p->bVtab ) return SQLITE_OK;
      if( eCode==SQLITE_DELETE && z1 && sqlite3_stricmp(z1, p->zDrop)==0 ){
        return SQLITE_OK;
      }
      p->zWhy = "a desired schema cannot write rows (INSERT, UPDATE, DELETE)";
      return SQLITE_DENY;
    case SQLITE_FUNCTION:
      if( z2 && (sqlite3_stricmp(z2, "load_extension")==0
              || sqlite3_stricmp(z2, "readfile")==0
              || sqlite3_stricmp(z2, "writefile")==0
              || sqlite3_stricmp(z2, "edit")==0
              || sqlite3_stricmp(z2, "fts3_tokenizer")==0
              || sqlite3_stricmp(z2, "lsdir")==0) ){
        p->zWhy = "a desired schema cannot call functions that reach "
                  "files or load code";
        return SQLITE_DENY;
      }
      return SQLITE_OK;
    case SQLITE_SELECT:
    case SQLITE_RECURSIVE:
      if( p->bNoQuery && !p->bVtab ){   /* (a module's xCreate may query) */
        p->zWhy = "this SQLite has no progress callback to bound a query's "
                  "running time (SQLITE_OMIT_PROGRESS_CALLBACK), so a desired "
                  "schema cannot run a query";
        return SQLITE_DENY;
      }
      return SQLITE_OK;
    default:
      return SQLITE_OK;
  }
}

static int diffProgress(void *pArg){
  DiffAuth *p = (DiffAuth*)pArg;
  if( ++p->nStep>DIFF_MAX_STEPS ){
    p->zWhy = "the desired schema ran too long";
    return 1;
  }
  return 0;
}

/* The first 60 characters of a statement, on one line, for messages. */
static char *diffSnippet(const char *z, int n){
  sqlite3_str *pStr = sqlite3_str_new(0);
  int i, nOut = 0;
  while( n>0 && (z[n-1]==' ' || z[n-1]=='\n' || z[n-1]=='\r'
              || z[n-1]=='\t' || z[n-1]==';') ){
    n--;
  }
  while( n>0 && (z[0]==' ' || z[0]=='\n' || z[0]=='\r' || z[0]=='\t') ){
    z++; n--;
  }
  for(i=0; i<n && nOut<60; i++, nOut++){
    char c = z[i];
    sqlite3_str_appendchar(pStr, 1, (c=='\n' || c=='\r' || c=='\t') ? ' ' : c);
  }
  /* do not cut a UTF-8 character in two */
  while( i<n && ((unsigned char)z[i] & 0xc0)==0x80 ){
    sqlite3_str_appendchar(pStr, 1, z[i]);
    i++;
  }
  if( i<n ) sqlite3_str_appendall(pStr, "...");
  return sqlite3_str_finish(pStr);
}

/*
** Length of the first statement of z (up to and including its ';'), found
** with sqlite3_complete(); the whole text when it has no complete
** statement within its first 10,000 bytes.
*/
static int diffStmtLen(const char *z){
  int n = (int)strlen(z), i;
  char *zCopy = sqlite3_malloc(n<10000 ? n+1 : 10001);
  if( zCopy==0 ) return n;
  for(i=0; i<n && i<10000; i++){
    zCopy[i] = z[i];
    if( z[i]==';' ){
      zCopy[i+1] = 0;
      /* without sqlite3_complete (SQLITE_OMIT_COMPLETE): the first ';' */
      if( !MIGRATE_HAVE_API(complete) || sqlite3_complete(zCopy) ){
        n = i+1;
        break;
      }
    }
  }
  sqlite3_free(zCopy);
  return n;
}

/*
** Runs zSql in a new scratch connection *pDb.  On error sets *pzErr to a
** message naming the statement.
*/
static int diffBuildDesired(const char *zFunc, const char *zSql,
                            sqlite3 **pDb, char **pzErr){
  sqlite3 *db = 0;
  DiffAuth auth;
  const char *zTail = zSql;
  int rc, iStmt = 0;
  memset(&auth, 0, sizeof(auth));
  *pDb = 0;
  if( !MIGRATE_HAVE_API(set_authorizer) ){
    /* the authorizer fences the desired SQL in: no diff without it */
    *pzErr = sqlite3_mprintf("%s: this SQLite was built without the "
                             "authorizer (SQLITE_OMIT_AUTHORIZATION)", zFunc);
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  /* Without a progress callback (better-sqlite3 omits it) nothing bounds a
  ** query's running time: the authorizer refuses queries instead (DDL on
  ** the scratch database's empty tables runs in bounded time). */
  auth.bNoQuery = !MIGRATE_HAVE_API(progress_handler);
  rc = sqlite3_open_v2(":memory:", &db,
                       SQLITE_OPEN_READWRITE|SQLITE_OPEN_CREATE, 0);
  *pDb = db;
  if( rc!=SQLITE_OK ){
    *pzErr = sqlite3_mprintf("%s: cannot open a scratch database: %s", zFunc,
                             db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    return rc;
  }
  sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int*)0);
  sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, (int*)0);
  sqlite3_limit(db, SQLITE_LIMIT_ATTACHED, 0);
  sqlite3_set_authorizer(db, diffAuthorizer, &auth);
  if( !auth.bNoQuery ){
    sqlite3_progress_handler(db, 100000, diffProgress, &auth);
  }
  while( rc==SQLITE_OK && zTail && zTail[0] ){
    sqlite3_stmt *pStmt = 0;
    const char *zStart = zTail;
    auth.zWhy = 0;
    auth.zDrop[0] = 0;
    auth.bVtab = 0;
    rc = sqlite3_prepare_v2(db, zStart, -1, &pStmt, &zTail);
    if( rc!=SQLITE_OK ) zTail = 0;   /* name the statement from its start */
    if( pStmt ){
      iStmt++;
      if( rc==SQLITE_OK ){
        while( (rc = sqlite3_step(pStmt))==SQLITE_ROW ){}
        if( rc==SQLITE_DONE ) rc = SQLITE_OK;
        rc = sqlite3_finalize(pStmt);
      }else{
        sqlite3_finalize(pStmt);
      }
    }else if( rc!=SQLITE_OK ){
      iStmt++;
    }
    if( rc!=SQLITE_OK && rc!=SQLITE_NOMEM ){
      int n = zTail && zTail>zStart ? (int)(zTail-zStart)
                                    : diffStmtLen(zStart);
      char *zSnip = diffSnippet(zStart, n);
      if( auth.zWhy ){
        *pzErr = sqlite3_mprintf("%s: desired schema statement %d refused: %s "
            "(%s)", zFunc, iStmt, auth.zWhy, zSnip ? zSnip : "");
      }else{
        *pzErr = sqlite3_mprintf("%s: desired schema statement %d failed: %s "
            "(%s)", zFunc, iStmt, sqlite3_errmsg(db), zSnip ? zSnip : "");
      }
      sqlite3_free(zSnip);
      if( rc==SQLITE_AUTH || rc==SQLITE_INTERRUPT ) rc = SQLITE_ERROR;
    }
  }
  if( rc==SQLITE_OK && !sqlite3_get_autocommit(db) ){
    sqlite3_exec(db, "COMMIT", 0, 0, 0);
  }
  if( !auth.bNoQuery ) sqlite3_progress_handler(db, 0, 0, 0);
  sqlite3_set_authorizer(db, 0, 0);
  return rc;
}

/*
** Computes the up script (bDown==0) or the down script (bDown==1) that
** links db's main schema and the schema zDesired creates.  *pzOut is ''
** when nothing differs.
*/
static int diffCompute(sqlite3 *db, const char *zFunc, const char *zDesired,
                       char **pzUp, char **pzDown, char **pzErr){
  sqlite3 *dbD = 0;
  DiffSchema cur, des;
  char *zErr = 0;
  int bDropOk = sqlite3_libversion_number()>=3035005;
  int rc;
  memset(&cur, 0, sizeof(cur));
  memset(&des, 0, sizeof(des));
  rc = diffBuildDesired(zFunc, zDesired, &dbD, pzErr);
  if( rc==SQLITE_OK ){
    rc = diffLoad(db, &cur, &zErr);
    if( rc==SQLITE_OK ) rc = diffLoad(dbD, &des, &zErr);
    if( zErr ){
      *pzErr = sqlite3_mprintf("%s: %s", zFunc, zErr);
      sqlite3_free(zErr);
    }
  }
  if( rc==SQLITE_OK && pzUp ){
    sqlite3_str *pOut = sqlite3_str_new(0);
    rc = diffScript(&cur, &des, bDropOk, pOut);
    if( rc==SQLITE_OK ) rc = sqlite3_str_errcode(pOut);
    *pzUp = sqlite3_str_finish(pOut);
    if( rc==SQLITE_OK && *pzUp==0 ) *pzUp = sqlite3_mprintf("");
    if( rc==SQLITE_OK && *pzUp==0 ) rc = SQLITE_NOMEM;
  }
  if( rc==SQLITE_OK && pzDown ){
    sqlite3_str *pOut = sqlite3_str_new(0);
    rc = diffScript(&des, &cur, bDropOk, pOut);
    if( rc==SQLITE_OK ) rc = sqlite3_str_errcode(pOut);
    *pzDown = sqlite3_str_finish(pOut);
    if( rc==SQLITE_OK && *pzDown==0 ) *pzDown = sqlite3_mprintf("");
    if( rc==SQLITE_OK && *pzDown==0 ) rc = SQLITE_NOMEM;
  }
  diffSchemaFree(&cur);
  diffSchemaFree(&des);
  sqlite3_close(dbD);
  return rc;
}

/* ---- SQL functions -------------------------------------------------------- */

/* Reads a text argument; NULL (error set) when it is not text. */
static const char *diffTextArg(sqlite3_context *ctx, sqlite3_value *pVal,
                               const char *zFunc, const char *zWhat){
  const char *z = 0;
  if( sqlite3_value_type(pVal)==SQLITE_TEXT ){
    z = (const char*)sqlite3_value_text(pVal);
    if( z==0 ){
      sqlite3_result_error_nomem(ctx);
      return 0;
    }
    if( (int)strlen(z)!=sqlite3_value_bytes(pVal) ){
      migrateResultError(ctx, SQLITE_MISMATCH, sqlite3_mprintf(
          "%s: %s must not contain NUL characters", zFunc, zWhat));
      return 0;
    }
    return z;
  }
  migrateResultError(ctx, SQLITE_MISMATCH, sqlite3_mprintf("%s: %s must be text",
                                                   zFunc, zWhat));
  return 0;
}

/* migration_diff(desired_sql [, 'up'|'down']) */
static void diffFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  const char *zFunc = "migration_diff";
  const char *zSql = diffTextArg(ctx, argv[0], zFunc,
                                 "the desired schema (argument 1)");
  int bDown = 0;
  char *zOut = 0, *zErr = 0;
  int rc;
  if( zSql==0 ) return;
  if( argc==2 ){
    const char *zDir = sqlite3_value_type(argv[1])==SQLITE_TEXT
                     ? (const char*)sqlite3_value_text(argv[1]) : 0;
    if( zDir && sqlite3_stricmp(zDir, "down")==0 ){
      bDown = 1;
    }else if( zDir==0 || sqlite3_stricmp(zDir, "up")!=0 ){
      migrateResultError(ctx, SQLITE_MISMATCH, sqlite3_mprintf(
          "%s: the direction (argument 2) must be 'up' or 'down'", zFunc));
      return;
    }
  }
  rc = diffCompute(sqlite3_context_db_handle(ctx), zFunc, zSql,
                   bDown ? 0 : &zOut, bDown ? &zOut : 0, &zErr);
  if( rc==SQLITE_OK ){
    sqlite3_result_text(ctx, zOut, -1, sqlite3_free);
  }else{
    sqlite3_free(zOut);
    migrateResultError(ctx, rc, zErr);
  }
}

/* migrate_generate(name, desired_sql) */
static void diffGenerate(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  const char *zFunc = "migrate_generate";
  sqlite3 *db = sqlite3_context_db_handle(ctx);
  const char *zName, *zSql;
  char *zUp = 0, *zDown = 0, *zErr = 0;
  int rc;
  (void)argc;
  if( migrateCallRunning(db) ){
    /* it defines a migration: what a call runs is fixed when it starts */
    migrateResultError(ctx, SQLITE_ERROR, sqlite3_mprintf("%s: cannot be "
        "called from inside a migration script, hook or verify query (a call "
        "is running on this connection); nothing was done", zFunc));
    return;
  }
  zName = diffTextArg(ctx, argv[0], zFunc, "the name (argument 1)");
  if( zName==0 ) return;
  if( zName[0]==0 ){
    migrateResultError(ctx, SQLITE_MISMATCH, sqlite3_mprintf(
        "%s: the name (argument 1) must not be empty", zFunc));
    return;
  }
  zSql = diffTextArg(ctx, argv[1], zFunc, "the desired schema (argument 2)");
  if( zSql==0 ) return;
  rc = diffCompute(db, zFunc, zSql, &zUp, &zDown, &zErr);
  if( rc==SQLITE_OK && zUp[0]==0 ){
    sqlite3_result_int(ctx, 0);
  }else if( rc==SQLITE_OK ){
    sqlite3_int64 iRowid = 0;
    char *zStoreErr = 0;
    MigrateDef def;
    memset(&def, 0, sizeof(def));
    def.zName = zName;
    def.zUp = zUp;
    def.zDown = zDown;
    rc = sqlite3_exec(db, "SAVEPOINT migrate_generate", 0, 0, 0);
    if( rc==SQLITE_OK ){
      rc = migrateStoreWrite(db, 0, &def, SQLITE_ABORT, &iRowid, &zStoreErr);
      if( rc!=SQLITE_OK && !sqlite3_get_autocommit(db) ){
        sqlite3_exec(db, "ROLLBACK TO migrate_generate", 0, 0, 0);
      }
      if( !sqlite3_get_autocommit(db) ){
        int rc2 = sqlite3_exec(db, "RELEASE migrate_generate", 0, 0, 0);
        if( rc==SQLITE_OK ) rc = rc2;
      }
    }
    if( rc==SQLITE_OK ){
      sqlite3_result_int(ctx, 1);
    }else{
      zErr = sqlite3_mprintf("%s: %s", zFunc,
                             zStoreErr ? zStoreErr : sqlite3_errmsg(db));
      sqlite3_free(zStoreErr);
    }
  }
  if( rc!=SQLITE_OK ) migrateResultError(ctx, rc, zErr);
  sqlite3_free(zUp);
  sqlite3_free(zDown);
}

/*
** Registers migration_diff() (1 and 2 arguments) and migrate_generate()
** on db.  Direct-only: they read the schema and run SQL.
*/
int migrateRegisterDiff(sqlite3 *db){
  int eFlags = SQLITE_UTF8|SQLITE_DIRECTONLY;
  int rc = sqlite3_create_function(db, "migration_diff", 1, eFlags, 0,
                                   diffFunc, 0, 0);
  if( rc==SQLITE_OK ){
    rc = sqlite3_create_function(db, "migration_diff", 2, eFlags, 0,
                                 diffFunc, 0, 0);
  }
  if( rc==SQLITE_OK ){
    rc = sqlite3_create_function(db, "migrate_generate", 2, eFlags, 0,
                                 diffGenerate, 0, 0);
  }
  return rc;
}

/* ---- the normalized schema, for migrate_check() (check.c) --------------- */

/* Reads main's schema into *ppSchema (see diffLoad). */
int migrateSchemaLoad(sqlite3 *db, MigrateSchema **ppSchema, char **pzErr){
  DiffSchema *p = sqlite3_malloc(sizeof(DiffSchema));
  int rc;
  *ppSchema = 0;
  if( p==0 ) return SQLITE_NOMEM;
  memset(p, 0, sizeof(*p));
  rc = diffLoad(db, p, pzErr);
  if( rc!=SQLITE_OK ){
    migrateSchemaFree(p);
    return rc;
  }
  *ppSchema = p;
  return SQLITE_OK;
}

void migrateSchemaFree(MigrateSchema *p){
  if( p==0 ) return;
  diffSchemaFree(p);
  sqlite3_free(p);
}

/* The name of ordinary table number iTable of p, or NULL past the last. */
const char *migrateSchemaTable(const MigrateSchema *p, int iTable){
  int i;
  for(i=0; i<p->nObj; i++){
    if( p->aObj[i].eType==OBJ_TABLE && iTable--==0 ) return p->aObj[i].zName;
  }
  return 0;
}

/* 1 when table zTable is in both pA and pB with the same definition. */
int migrateSchemaTableSame(const MigrateSchema *pA, const MigrateSchema *pB,
                           const char *zTable){
  DiffObj *a = diffFind((DiffSchema*)pA, OBJ_TABLE, zTable);
  DiffObj *b = diffFind((DiffSchema*)pB, OBJ_TABLE, zTable);
  return a && b && strcmp(a->zKey, b->zKey)==0;
}

/* The word for an object type, in messages. */
static const char *diffTypeWord(int eType){
  switch( eType ){
    case OBJ_TABLE: return "table";
    case OBJ_INDEX: return "index";
    case OBJ_VIEW:  return "view";
    case OBJ_TRIGGER: return "trigger";
    default: return "virtual table";
  }
}

/* The normalized definition of column zCol of table p (parsed), or NULL. */
static const char *diffColNorm(const DiffObj *p, const char *zCol){
  int k;
  for(k=0; p->bParsed && k<p->nItem; k++){
    if( !p->aItem[k].bConstraint
     && diffTokIsName(p->zSql, &p->aTok[p->aItem[k].iFirst], zCol) ){
      return p->aItem[k].zNorm;
    }
  }
  return 0;
}

/* Appends one difference to pOut ("; " between them). */
static void diffSay(sqlite3_str *pOut, int *pn, const char *zFmt, ...){
  va_list ap;
  if( (*pn)++ ) sqlite3_str_appendall(pOut, ", ");
  va_start(ap, zFmt);
  sqlite3_str_vappendf(pOut, zFmt, ap);
  va_end(ap);
}

/*
** Appends to pOut, in words and separated by ", ", how schema pNow differs
** from pWas (objects compared on their normalized definitions, as the
** diff compares them): "table t still exists", "view v is missing",
** "column c missing from t", "column c still exists in t", "column c of t
** differs", "table t differs" (constraints, options or column order),
** "index i differs".  Returns the number of differences.
*/
int migrateSchemaCompare(const MigrateSchema *pWas, const MigrateSchema *pNow,
                         sqlite3_str *pOut){
  DiffSchema *pA = (DiffSchema*)pWas;
  DiffSchema *pB = (DiffSchema*)pNow;
  int i, k, n = 0;
  for(i=0; i<pA->nObj; i++){
    DiffObj *a = &pA->aObj[i];
    DiffObj *b = diffFind(pB, a->eType, a->zName);
    int n0 = n;
    if( b==0 ){
      diffSay(pOut, &n, "%s %s is missing", diffTypeWord(a->eType), a->zName);
      continue;
    }
    if( strcmp(a->zKey, b->zKey)==0 ) continue;
    if( a->eType==OBJ_TABLE && a->bParsed && b->bParsed ){
      for(k=0; k<a->nCol; k++){
        const char *zA = diffColNorm(a, a->aCol[k].zName);
        const char *zB = diffColNorm(b, a->aCol[k].zName);
        if( zB==0 ){
          diffSay(pOut, &n, "column %s missing from %s", a->aCol[k].zName,
                  a->zName);
        }else if( zA && strcmp(zA, zB)!=0 ){
          diffSay(pOut, &n, "column %s of %s differs", a->aCol[k].zName,
                  a->zName);
        }
      }
      for(k=0; k<b->nCol; k++){
        if( diffColNorm(a, b->aCol[k].zName)==0 ){
          diffSay(pOut, &n, "column %s still exists in %s", b->aCol[k].zName,
                  a->zName);
        }
      }
    }
    if( n==n0 ){
      diffSay(pOut, &n, "%s %s differs", diffTypeWord(a->eType), a->zName);
    }
  }
  for(i=0; i<pB->nObj; i++){
    DiffObj *b = &pB->aObj[i];
    if( diffFind(pA, b->eType, b->zName)==0 ){
      diffSay(pOut, &n, "%s %s still exists", diffTypeWord(b->eType),
              b->zName);
    }
  }
  return n;
}

#endif /* MIGRATE_OMIT_DIFF */

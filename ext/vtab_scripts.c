/*
** vtab_scripts.c — the `migrations` virtual table, where scripts are defined.
**
** USAGE
**   INSERT INTO migrations(name, up, down) VALUES('001_users',
**       'CREATE TABLE users(id INTEGER PRIMARY KEY);', 'DROP TABLE users;');
**   INSERT OR REPLACE INTO migrations(name, up, down) VALUES(...);
**   UPDATE migrations SET down='DROP TABLE users;' WHERE name='001_users';
**   DELETE FROM migrations WHERE name='001_users';
**   SELECT name, up, down, checksum FROM migrations;   -- migration order
**   INSERT INTO migrations(name, up, verify) VALUES('002_x', '...',
**       'SELECT count(*)=1 FROM sqlite_schema WHERE name=''x''');
**   INSERT INTO migrations(name, up, repeatable) VALUES('R__views',
**       'DROP VIEW IF EXISTS v; CREATE VIEW v AS ...', 1);
**   INSERT INTO migrations(name, up, replaces) VALUES('050_squashed',
**       'CREATE TABLE ...', '001_a' || char(10) || '002_b');  -- a squash
**   CREATE VIRTUAL TABLE temp.lm USING migrations;     -- same, other name
**
** HOW IT WORKS
**   An eponymous module (present as soon as the extension loads) that is
**   also creatable (xCreate == xConnect), so a database that owns a table
**   called `migrations` can still reach it under another name.  Rows live
**   in main.migrations_scripts whatever the virtual table's schema; the
**   virtual table's rowid is that table's rowid.  The optional columns
**   verify, repeatable and replaces are HIDDEN, so `SELECT *` and `INSERT INTO
**   migrations VALUES(name, up, down, NULL)` keep the four columns of the
**   contract.
**
**   Reads: a scan selects rowid, name and checksum in natural order (the
**   sort never carries script text); up and down are fetched by rowid only
**   when a query asks for them.  `name = ?` is answered by a point lookup.
**
**   Writes go to migrateStoreWrite(), which validates, computes checksums
**   and creates the storage on first use.  SQLITE_VTAB_CONSTRAINT_SUPPORT
**   lets sqlite3_vtab_on_conflict() tell INSERT, INSERT OR IGNORE and
**   INSERT OR REPLACE apart; every error is raised before anything is
**   written, and SQLite's statement journal undoes earlier rows of a
**   failing multi-row statement.  The checksum column is computed: values
**   written to it are ignored.
**
**   SQLITE_VTAB_DIRECTONLY: a trigger or view in a hostile database must
**   not be able to define migrations that the next migrate() would run.
*/
#include "migrateInt.h"
#include <string.h>

#define SCRIPTS_NAME     0
#define SCRIPTS_UP       1
#define SCRIPTS_DOWN     2
#define SCRIPTS_CHECKSUM 3
#define SCRIPTS_VERIFY   4
#define SCRIPTS_REPEATABLE 5
#define SCRIPTS_REPLACES 6

static int scriptsConnect(sqlite3 *db, void *pAux, int argc,
                          const char *const *argv, sqlite3_vtab **ppVtab,
                          char **pzErr){
  (void)pAux;
  (void)argv;
  return migrateVtabConnect(db, argc, "migrations",
      "CREATE TABLE x(name TEXT, up TEXT, down TEXT, checksum TEXT,"
      " verify TEXT HIDDEN, repeatable INTEGER HIDDEN, replaces TEXT HIDDEN)",
      MIGRATE_VTAB_CONSTRAINT|MIGRATE_VTAB_DIRECTONLY, ppVtab, pzErr);
}

/* idxNum 1: a point lookup by name (argv[0]); 0: a full scan. */
static int scriptsBestIndex(sqlite3_vtab *pVtab, sqlite3_index_info *pInfo){
  int i;
  (void)pVtab;
  for(i=0; i<pInfo->nConstraint; i++){
    const struct sqlite3_index_constraint *pC = &pInfo->aConstraint[i];
    /* only a BINARY comparison means what `name=?` means on the table */
    if( pC->usable && pC->iColumn==SCRIPTS_NAME
     && pC->op==SQLITE_INDEX_CONSTRAINT_EQ
     && sqlite3_stricmp(sqlite3_vtab_collation(pInfo, i), "BINARY")==0 ){
      pInfo->aConstraintUsage[i].argvIndex = 1;
      pInfo->aConstraintUsage[i].omit = 1;
      pInfo->idxNum = 1;
      pInfo->idxFlags = SQLITE_INDEX_SCAN_UNIQUE;
      pInfo->estimatedCost = 10.0;
      pInfo->estimatedRows = 1;
      return SQLITE_OK;
    }
  }
  pInfo->idxNum = 0;
  pInfo->estimatedCost = 100000.0;
  pInfo->estimatedRows = 1000;
  return SQLITE_OK;
}

/* Sets the vtab's error from the connection's; returns rc. */
static int scriptsError(sqlite3_vtab *pVtab, int rc){
  return migrateVtabError(pVtab, rc);
}

static int scriptsFilter(sqlite3_vtab_cursor *cur, int idxNum,
                         const char *idxStr, int argc, sqlite3_value **argv){
  (void)idxStr;
  (void)argc;
  return migrateCursorStart(cur, 0, idxNum==1
      ? "SELECT rowid, name, checksum, repeatable"
        "  FROM main.migrations_scripts WHERE name=?1"
      : "SELECT rowid, name, checksum, repeatable"
        "  FROM main.migrations_scripts"
        " ORDER BY name COLLATE " MIGRATE_COLLATION,
      idxNum==1 ? argv[0] : 0);
}

static int scriptsColumn(sqlite3_vtab_cursor *cur, sqlite3_context *ctx,
                         int iCol){
  MigrateCursor *pCur = (MigrateCursor*)cur;
  int rc = SQLITE_OK;
  switch( iCol ){
    case SCRIPTS_NAME:
      sqlite3_result_value(ctx, sqlite3_column_value(pCur->pStmt, 1));
      break;
    case SCRIPTS_CHECKSUM:
      sqlite3_result_value(ctx, sqlite3_column_value(pCur->pStmt, 2));
      break;
    case SCRIPTS_REPEATABLE:
      sqlite3_result_value(ctx, sqlite3_column_value(pCur->pStmt, 3));
      break;
    default:   /* up, down, verify, replaces: fetched when asked for,
               ** once a row (storage older than `replaces` reads NULL) */
      if( pCur->pAux==0 ){
        int bHas = 0;
        rc = migrateStoreHasReplaces(pCur->db, &bHas);
        if( rc==SQLITE_OK ){
          rc = sqlite3_prepare_v2(pCur->db, bHas
              ? "SELECT up, down, verify, replaces"
                "  FROM main.migrations_scripts WHERE rowid=?1"
              : "SELECT up, down, verify, NULL"
                "  FROM main.migrations_scripts WHERE rowid=?1",
              -1, &pCur->pAux, 0);
        }
        if( rc!=SQLITE_OK ) return scriptsError(cur->pVtab, rc);
      }
      if( pCur->iAuxRow!=pCur->iRow ){
        sqlite3_reset(pCur->pAux);
        pCur->iAuxRow = 0;
        sqlite3_bind_int64(pCur->pAux, 1,
                           sqlite3_column_int64(pCur->pStmt, 0));
        if( sqlite3_step(pCur->pAux)!=SQLITE_ROW ){
          rc = sqlite3_reset(pCur->pAux);
          return rc==SQLITE_OK ? rc : scriptsError(cur->pVtab, rc);
        }
        pCur->iAuxRow = pCur->iRow;   /* kept until the cursor moves */
      }
      sqlite3_result_value(ctx, sqlite3_column_value(pCur->pAux,
          iCol==SCRIPTS_UP ? 0 : iCol==SCRIPTS_DOWN ? 1
          : iCol==SCRIPTS_VERIFY ? 2 : 3));
      break;
  }
  return rc;
}

static int scriptsRowid(sqlite3_vtab_cursor *cur, sqlite_int64 *pRowid){
  *pRowid = sqlite3_column_int64(((MigrateCursor*)cur)->pStmt, 0);
  return SQLITE_OK;
}

/*
** Checks one value written to column zCol: text (or NULL where allowed)
** without NUL bytes.  Returns the text, or NULL with *pRc and *pzErr set
** (or *pRc still SQLITE_OK for an allowed NULL).
*/
static const char *scriptsText(sqlite3_value *pVal, const char *zCol,
                               int bNullOk, int *pRc, char **pzErr){
  const char *z;
  int eType = sqlite3_value_type(pVal);
  if( *pRc!=SQLITE_OK ) return 0;
  if( eType==SQLITE_NULL ){
    if( !bNullOk ){
      *pzErr = sqlite3_mprintf("migrations: %s must not be NULL%s", zCol,
          zCol[0]=='u' ? " (use '' for a script that does nothing)" : "");
      *pRc = SQLITE_CONSTRAINT_NOTNULL;
    }
    return 0;
  }
  if( eType!=SQLITE_TEXT ){
    *pzErr = sqlite3_mprintf("migrations: %s must be text, not %s", zCol,
                             eType==SQLITE_BLOB ? "a blob" : "a number");
    *pRc = SQLITE_MISMATCH;
    return 0;
  }
  z = (const char*)sqlite3_value_text(pVal);
  if( z==0 ){
    *pRc = SQLITE_NOMEM;
  }else if( (int)strlen(z)!=sqlite3_value_bytes(pVal) ){
    *pzErr = sqlite3_mprintf("migrations: %s must not hold a NUL byte", zCol);
    *pRc = SQLITE_MISMATCH;
    z = 0;
  }
  return z;
}

static int scriptsUpdate(sqlite3_vtab *pVtab, int argc, sqlite3_value **argv,
                         sqlite_int64 *pRowid){
  MigrateVtab *pTab = (MigrateVtab*)pVtab;
  char *zErr = 0;
  int rc = SQLITE_OK;
  if( migrateCallRunning(pTab->db) ){
    /* what a call runs is fixed when it starts */
    zErr = sqlite3_mprintf("migrations: cannot be changed while a migration "
        "call runs (from a migration script, hook or verify query)");
    rc = SQLITE_ERROR;
  }else if( argc==1 ){
    rc = migrateStoreDelete(pTab->db, sqlite3_value_int64(argv[0]), &zErr);
  }else{
    sqlite3_int64 iOld = 0;
    sqlite3_value *pRep = argv[2+SCRIPTS_REPEATABLE];
    MigrateDef def;
    if( sqlite3_value_type(argv[0])!=SQLITE_NULL ){
      iOld = sqlite3_value_int64(argv[0]);
      if( sqlite3_value_int64(argv[1])!=iOld ){
        zErr = sqlite3_mprintf("migrations: the rowid cannot be changed");
        rc = SQLITE_CONSTRAINT;
      }
    }
    memset(&def, 0, sizeof(def));
    def.zName = scriptsText(argv[2+SCRIPTS_NAME], "name", 0, &rc, &zErr);
    def.zUp = scriptsText(argv[2+SCRIPTS_UP], "up", 0, &rc, &zErr);
    def.zDown = scriptsText(argv[2+SCRIPTS_DOWN], "down", 1, &rc, &zErr);
    def.zVerify = scriptsText(argv[2+SCRIPTS_VERIFY], "verify", 1, &rc, &zErr);
    def.zReplaces = scriptsText(argv[2+SCRIPTS_REPLACES], "replaces", 1, &rc,
                                &zErr);
    if( rc==SQLITE_OK && sqlite3_value_type(pRep)!=SQLITE_NULL ){
      def.bRepeatable = sqlite3_value_int(pRep);
      if( sqlite3_value_type(pRep)!=SQLITE_INTEGER
       || (def.bRepeatable!=0 && def.bRepeatable!=1) ){
        zErr = sqlite3_mprintf("migrations: repeatable must be 0 or 1");
        rc = SQLITE_MISMATCH;
      }
    }
    if( rc==SQLITE_OK ){
      rc = migrateStoreWrite(pTab->db, iOld, &def,
                             sqlite3_vtab_on_conflict(pTab->db), pRowid,
                             &zErr);
    }
  }
  if( zErr ){
    sqlite3_free(pVtab->zErrMsg);
    pVtab->zErrMsg = zErr;
  }
  return rc;
}

/* Designated initializers: the struct grows with SQLite versions (3.44
** added xIntegrity); the fields left out are zero. */
static sqlite3_module scriptsModule = {
  .iVersion = 0,
  .xCreate = scriptsConnect,
  .xConnect = scriptsConnect,
  .xBestIndex = scriptsBestIndex,
  .xDisconnect = migrateVtabDisconnect,
  .xDestroy = migrateVtabDisconnect,
  .xOpen = migrateCursorOpen,
  .xClose = migrateCursorClose,
  .xFilter = scriptsFilter,
  .xNext = migrateCursorNext,
  .xEof = migrateCursorEof,
  .xColumn = scriptsColumn,
  .xRowid = scriptsRowid,
  .xUpdate = scriptsUpdate,
};

int migrateRegisterScriptsModule(sqlite3 *db){
  return sqlite3_create_module(db, "migrations", &scriptsModule, 0);
}

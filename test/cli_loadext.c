/*
** cli_loadext.c — a small SQLite extension for test/cli_load.test, of the
** kind an application registers on its connections and its migrations
** then call (one real migration set calls BIN2B64).  test/cli_load.test
** compiles it with cc into its scratch folder.
**
**   BIN2B64(X)      X (a blob, or text as its bytes) as base64 text;
**                   NULL gives NULL
**   COLLATE appcase ASCII case-insensitive order (a collation a table
**                   may name: creating that table needs it)
**   loadext_entry() the entry point that registered the functions
**
** Entry points: sqlite3_extension_init (SQLite tries it first, whatever
** the file name) registers all three; cli_loadext_alt_init registers
** BIN2B64 and loadext_entry() only, so that a test can tell which one
** `--load PATH:ENTRY` called.
*/
#include "sqlite3ext.h"
SQLITE_EXTENSION_INIT1

static void bin2b64(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  static const char az[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const unsigned char *a;
  int n, i, k = 0;
  char *z;
  (void)argc;
  if( sqlite3_value_type(argv[0])==SQLITE_NULL ) return;
  a = (const unsigned char*)sqlite3_value_blob(argv[0]);
  n = sqlite3_value_bytes(argv[0]);
  z = sqlite3_malloc(4*((n+2)/3)+1);
  if( z==0 ){ sqlite3_result_error_nomem(ctx); return; }
  for(i=0; i<n; i+=3){
    unsigned v = (unsigned)a[i]<<16;
    if( i+1<n ) v |= (unsigned)a[i+1]<<8;
    if( i+2<n ) v |= a[i+2];
    z[k++] = az[(v>>18)&63];
    z[k++] = az[(v>>12)&63];
    z[k++] = i+1<n ? az[(v>>6)&63] : '=';
    z[k++] = i+2<n ? az[v&63] : '=';
  }
  sqlite3_result_text(ctx, z, k, sqlite3_free);
}

static int appcase(void *pArg, int n1, const void *p1, int n2,
                   const void *p2){
  const unsigned char *a = p1, *b = p2;
  int i;
  (void)pArg;
  for(i=0; i<n1 && i<n2; i++){
    int x = a[i]>='A' && a[i]<='Z' ? a[i]+32 : a[i];
    int y = b[i]>='A' && b[i]<='Z' ? b[i]+32 : b[i];
    if( x!=y ) return x<y ? -1 : 1;
  }
  return n1==n2 ? 0 : (n1<n2 ? -1 : 1);
}

static void entry(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  (void)argc; (void)argv;
  sqlite3_result_text(ctx, (const char*)sqlite3_user_data(ctx), -1,
                      SQLITE_STATIC);
}

/* Registers the functions (and, for the default entry, the collation). */
static int reg(sqlite3 *db, const sqlite3_api_routines *pApi,
               const char *zEntry, int bCollation){
  int rc;
  SQLITE_EXTENSION_INIT2(pApi);
  rc = sqlite3_create_function(db, "bin2b64", 1,
           SQLITE_UTF8|SQLITE_DETERMINISTIC, 0, bin2b64, 0, 0);
  if( rc==SQLITE_OK ){
    rc = sqlite3_create_function(db, "loadext_entry", 0, SQLITE_UTF8,
                                 (void*)zEntry, entry, 0, 0);
  }
  if( rc==SQLITE_OK && bCollation ){
    rc = sqlite3_create_collation(db, "appcase", SQLITE_UTF8, 0, appcase);
  }
  return rc;
}

int sqlite3_extension_init(sqlite3 *db, char **pzErr,
                           const sqlite3_api_routines *pApi){
  (void)pzErr;
  return reg(db, pApi, "default", 1);
}

int cli_loadext_alt_init(sqlite3 *db, char **pzErr,
                         const sqlite3_api_routines *pApi){
  (void)pzErr;
  return reg(db, pApi, "alt", 0);
}

/*
** checksum.c — the checksum of a migration's up script.
**
** USAGE
**   SELECT migration_checksum('CREATE TABLE t(x);');   -- 16 hex digits
**
** HOW IT WORKS
**   The checksum is 64-bit FNV-1a (offset basis 0xcbf29ce484222325, prime
**   0x100000001b3) over the bytes of the script's UTF-8 text after two
**   normalisations, so that a file checked out on Windows or saved by an
**   editor that adds a byte-order mark keeps its checksum:
**     - a leading UTF-8 byte-order mark (EF BB BF) is skipped;
**     - every CR LF pair counts as a single LF (a lone CR is kept).
**   The 64-bit result is printed as 16 lowercase hex digits, most
**   significant first.  Only byte arithmetic on a uint64 is used, so the
**   value is the same on every platform and byte order.
**
**   Test vectors (test/checksum.test checks them on every platform):
**     ''                      -> cbf29ce484222325
**     'a'                     -> af63dc4c8601ec8c
**     'CREATE TABLE t(x);'    -> ae10fa7641edda1d
**     (more in test/checksum.test)
**
**   It detects edits (drift); it is not meant to resist someone forging a
**   collision on purpose.
*/
#include "migrateInt.h"

typedef unsigned long long migrate_u64;

/*
** Writes the checksum of z[0..n-1] to zOut as MIGRATE_CHECKSUM_LEN hex
** digits plus a terminating NUL (zOut must hold 17 bytes).
*/
void migrateChecksum(const char *z, int n, char *zOut){
  static const char aHex[] = "0123456789abcdef";
  const unsigned char *p = (const unsigned char*)z;
  migrate_u64 h = 0xcbf29ce484222325ULL;
  int i = 0;
  int k;
  if( n>=3 && p[0]==0xef && p[1]==0xbb && p[2]==0xbf ) i = 3;
  for(; i<n; i++){
    if( p[i]=='\r' && i+1<n && p[i+1]=='\n' ) continue;
    h ^= p[i];
    h *= 0x100000001b3ULL;
  }
  for(k=MIGRATE_CHECKSUM_LEN-1; k>=0; k--){
    zOut[k] = aHex[h & 0xf];
    h >>= 4;
  }
  zOut[MIGRATE_CHECKSUM_LEN] = 0;
}

/*
** SQL function migration_checksum(TEXT).  NULL gives NULL; a blob or a
** number is an error (the checksum is defined on script text only).
*/
void migrateChecksumFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  char zSum[MIGRATE_CHECKSUM_LEN+1];
  const char *z;
  (void)argc;
  switch( sqlite3_value_type(argv[0]) ){
    case SQLITE_NULL:
      return;
    case SQLITE_TEXT:
      break;
    default:
      sqlite3_result_error(ctx,
          "migration_checksum: the argument must be text (a script)", -1);
      return;
  }
  z = (const char*)sqlite3_value_text(argv[0]);
  if( z==0 ){
    sqlite3_result_error_nomem(ctx);
    return;
  }
  migrateChecksum(z, sqlite3_value_bytes(argv[0]), zSum);
  sqlite3_result_text(ctx, zSum, MIGRATE_CHECKSUM_LEN, SQLITE_TRANSIENT);
}

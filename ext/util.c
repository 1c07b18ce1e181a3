/*
** util.c — small helpers several files of ext/ share: the UTF-8 check every
** script and name passes, and the clock and time format of the ledger and
** history.
**
** HOW IT WORKS
**   The clock is the main database's VFS (so firmware gets whatever clock
**   its VFS has); times are written as UTC 'YYYY-MM-DD HH:MM:SS.SSS' with an
**   integer-only civil-date conversion (no libc time functions, no floats
**   beyond what an old VFS's xCurrentTime returns).
*/
#include "migrateInt.h"

/*
** True if z[0..n-1] is well-formed UTF-8 (no overlongs, no surrogates,
** nothing above U+10FFFF) without NUL bytes.
*/
int migrateIsUtf8(const unsigned char *z, int n){
  int i = 0;
  while( i<n ){
    unsigned c = z[i];
    int nTrail;
    unsigned v;
    if( c==0 ) return 0;
    if( c<0x80 ){ i++; continue; }
    if( c>=0xc2 && c<=0xdf ){ nTrail = 1; v = c & 0x1f; }
    else if( c>=0xe0 && c<=0xef ){ nTrail = 2; v = c & 0x0f; }
    else if( c>=0xf0 && c<=0xf4 ){ nTrail = 3; v = c & 0x07; }
    else return 0;
    if( i+nTrail>=n ) return 0;
    {
      int k;
      for(k=1; k<=nTrail; k++){
        if( (z[i+k] & 0xc0)!=0x80 ) return 0;
        v = (v<<6) | (z[i+k] & 0x3f);
      }
    }
    if( (nTrail==2 && (v<0x800 || (v>=0xd800 && v<=0xdfff)))
     || (nTrail==3 && (v<0x10000 || v>0x10ffff)) ){
      return 0;
    }
    i += nTrail+1;
  }
  return 1;
}

/*
** Current time as milliseconds since the Julian epoch, from the VFS of
** the main database (so firmware gets whatever clock its VFS has).
*/
sqlite3_int64 migrateNowMs(sqlite3 *db){
  sqlite3_vfs *pVfs = 0;
  sqlite3_int64 iNow = 0;
  sqlite3_file_control(db, "main", SQLITE_FCNTL_VFS_POINTER, &pVfs);
  if( pVfs==0 ) pVfs = sqlite3_vfs_find(0);
  if( pVfs==0 ) return 0;
  if( pVfs->iVersion>=2 && pVfs->xCurrentTimeInt64 ){
    pVfs->xCurrentTimeInt64(pVfs, &iNow);
  }else{
    double r = 0.0;
    pVfs->xCurrentTime(pVfs, &r);
    iNow = (sqlite3_int64)(r*86400000.0);
  }
  return iNow;
}

/*
** Writes iMs (Julian-epoch milliseconds) as UTC 'YYYY-MM-DD HH:MM:SS.SSS'
** to zOut (24 bytes).  Integer-only civil-date conversion.
*/
void migrateFormatTime(sqlite3_int64 iMs, char *zOut){
  sqlite3_int64 iUnix = iMs - 210866760000000LL;  /* 1970-01-01 in JD ms */
  sqlite3_int64 nDay = iUnix>=0 ? iUnix/86400000 : -((-iUnix+86399999)/86400000);
  sqlite3_int64 iDayMs = iUnix - nDay*86400000;
  sqlite3_int64 z = nDay + 719468;
  sqlite3_int64 era = (z>=0 ? z : z-146096)/146097;
  sqlite3_int64 doe = z - era*146097;
  sqlite3_int64 yoe = (doe - doe/1460 + doe/36524 - doe/146096)/365;
  sqlite3_int64 doy = doe - (365*yoe + yoe/4 - yoe/100);
  sqlite3_int64 mp = (5*doy + 2)/153;
  int d = (int)(doy - (153*mp + 2)/5 + 1);
  int m = (int)(mp<10 ? mp+3 : mp-9);
  int y = (int)(yoe + era*400 + (m<=2));
  sqlite3_snprintf(24, zOut, "%04d-%02d-%02d %02d:%02d:%02d.%03d", y, m, d,
      (int)(iDayMs/3600000), (int)(iDayMs/60000%60), (int)(iDayMs/1000%60),
      (int)(iDayMs%1000));
}

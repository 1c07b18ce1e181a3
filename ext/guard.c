/*
** guard.c — refuses migration scripts that would escape the call's
** transaction, before anything of the call runs.
**
** A script holding BEGIN, COMMIT, END, ROLLBACK, SAVEPOINT or RELEASE would
** commit or undo part of a batch behind libmigrate's back and break its
** atomicity; ATTACH, DETACH and VACUUM cannot run inside a transaction at
** all.  run.c calls migrateGuard() on every script of a call before running
** the first one, and again on each statement as SQLite prepares it (so a
** disagreement between this scanner and SQLite's parser can never let one
** through).
**
** HOW IT WORKS
**   A no-transaction migration (first line "-- migrate:no-transaction")
**   runs between two transactions of its batch, so VACUUM is allowed there;
**   transaction control never is (it would leave the batch in an unknown
**   state).
**
**   A small tokenizer walks the script: whitespace, -- and C comments,
**   quoted strings and identifiers ('..', "..", `..`, [..]) are skipped as
**   units; words are runs of letters, digits, '_', '$' and non-ASCII bytes.
**   The first word of each statement is compared with the forbidden list.
**   A statement ends at ';' — except inside CREATE [TEMP] TRIGGER, whose
**   body holds statements of its own: there the statement ends only at the
**   ';' after the END that closes the body, which is the END standing where
**   a body statement would start (an END elsewhere closes a CASE or is a
**   column named "end" — sqlite3_complete() gets that last case wrong).
**   Linear in the script's length.
*/
#include "migrateInt.h"
#include <string.h>

/* Keywords that may not start a statement in a migration script. */
static const char *const azForbidden[] = {
  "BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE",
  "ATTACH", "DETACH", "VACUUM"
};

/* Index of VACUUM in azForbidden: allowed in no-transaction migrations. */
#define GUARD_VACUUM 8

/* True if z[0..n-1] equals the upper-case keyword zKw, ignoring case. */
static int guardIsWord(const char *z, int n, const char *zKw){
  return (int)strlen(zKw)==n && sqlite3_strnicmp(z, zKw, n)==0;
}

static int guardIsWordChar(unsigned char c){
  return (c>='a' && c<='z') || (c>='A' && c<='Z') || (c>='0' && c<='9')
      || c=='_' || c=='$' || c>=0x80;
}

/* Returns a pointer to the first byte of z that is not space or comment. */
const char *migrateSkipSpace(const char *z){
  for(;;){
    while( *z==' ' || *z=='\t' || *z=='\n' || *z=='\r' || *z=='\f' ) z++;
    if( z[0]=='-' && z[1]=='-' ){
      while( *z && *z!='\n' ) z++;
    }else if( z[0]=='/' && z[1]=='*' ){
      z += 2;
      while( *z && !(z[0]=='*' && z[1]=='/') ) z++;
      if( *z ) z += 2;
    }else{
      return z;
    }
  }
}

/*
** True if statement zSql starts with the words zKw1 and then zKw2 (upper
** case; zKw2 may be NULL: any second word).
*/
int migrateStartsWith(const char *zSql, const char *zKw1, const char *zKw2){
  const char *z = migrateSkipSpace(zSql);
  int n = 0;
  while( guardIsWordChar((unsigned char)z[n]) ) n++;
  if( !guardIsWord(z, n, zKw1) ) return 0;
  if( zKw2==0 ) return 1;
  z = migrateSkipSpace(z + n);
  n = 0;
  while( guardIsWordChar((unsigned char)z[n]) ) n++;
  return guardIsWord(z, n, zKw2);
}

/*
** Returns the 1-based line number of byte iOffset of zScript.
*/
int migrateLineOf(const char *zScript, int iOffset){
  int i, nLine = 1;
  for(i=0; i<iOffset && zScript[i]; i++){
    if( zScript[i]=='\n' ) nLine++;
  }
  return nLine;
}

/*
** True if zScript is a no-transaction migration: its first line (after an
** optional byte-order mark) is "-- migrate:no-transaction".
*/
int migrateIsNoTx(const char *zScript){
  static const char zMark[] = "-- migrate:no-transaction";
  const char *z = zScript;
  if( (unsigned char)z[0]==0xef && (unsigned char)z[1]==0xbb
   && (unsigned char)z[2]==0xbf ) z += 3;
  if( strncmp(z, zMark, sizeof(zMark)-1)!=0 ) return 0;
  z += sizeof(zMark)-1;
  while( *z==' ' || *z=='\t' || *z=='\r' ) z++;
  return *z=='\n' || *z==0;
}

/*
** Scans zScript.  Returns SQLITE_OK if no statement of it is forbidden.
** bNoTx: the script runs outside any transaction, so VACUUM is allowed.
** Otherwise returns SQLITE_ERROR and sets *pzWhat to the offending keyword
** in upper case (sqlite3_malloc'ed; the caller frees it) and *piLine to its
** line.  Returns SQLITE_NOMEM if that string cannot be allocated.
*/
int migrateGuard(const char *zScript, int bNoTx, char **pzWhat, int *piLine){
  const char *z = zScript;
  int i = 0;
  int nWord = 0;      /* words seen so far in the current statement */
  int bMaybeTrig = 0; /* statement began CREATE [TEMP|TEMPORARY] */
  int bTrigger = 0;   /* statement is CREATE TRIGGER */
  int bBody = 0;      /* inside the trigger body (after its BEGIN) */
  int nCase = 0;      /* open CASE expressions inside the body */
  int bLastEnd = 0;   /* last token closed the trigger body */
  int bBodyStart = 0; /* next token starts a statement of the body */

  *pzWhat = 0;
  *piLine = 0;
  while( z[i] ){
    unsigned char c = (unsigned char)z[i];
    if( c==' ' || c=='\t' || c=='\n' || c=='\r' || c=='\f' || c=='\v' ){
      i++;
    }else if( c=='-' && z[i+1]=='-' ){
      while( z[i] && z[i]!='\n' ) i++;
    }else if( c=='/' && z[i+1]=='*' ){
      i += 2;
      while( z[i] && !(z[i]=='*' && z[i+1]=='/') ) i++;
      if( z[i] ) i += 2;
    }else if( c=='\'' || c=='"' || c=='`' || c=='[' ){
      char cEnd = c=='[' ? ']' : (char)c;
      i++;
      while( z[i] && z[i]!=cEnd ) i++;
      if( z[i] ) i++;
      nWord++;
      bLastEnd = bBodyStart = 0;
    }else if( c==';' ){
      i++;
      if( !bTrigger || bLastEnd ){
        nWord = bMaybeTrig = bTrigger = bBody = nCase = bLastEnd = 0;
      }
      bBodyStart = bBody;
    }else if( guardIsWordChar(c) ){
      int iStart = i;
      int n;
      while( guardIsWordChar((unsigned char)z[i]) ) i++;
      n = i - iStart;
      bLastEnd = 0;
      if( nWord==0 ){
        size_t k;
        for(k=0; k<sizeof(azForbidden)/sizeof(azForbidden[0]); k++){
          if( guardIsWord(&z[iStart], n, azForbidden[k])
           && !(bNoTx && k==GUARD_VACUUM) ){
            *pzWhat = sqlite3_mprintf("%s", azForbidden[k]);
            *piLine = migrateLineOf(zScript, iStart);
            return *pzWhat ? SQLITE_ERROR : SQLITE_NOMEM;
          }
        }
        bMaybeTrig = guardIsWord(&z[iStart], n, "CREATE");
      }else if( bMaybeTrig && !bTrigger && nWord<=2 ){
        if( guardIsWord(&z[iStart], n, "TRIGGER") ){
          bTrigger = 1;
        }else if( nWord==2 || !(guardIsWord(&z[iStart], n, "TEMP")
                             || guardIsWord(&z[iStart], n, "TEMPORARY")) ){
          bMaybeTrig = 0;
        }
      }else if( bTrigger ){
        if( !bBody ){
          if( guardIsWord(&z[iStart], n, "BEGIN") ){
            bBody = 1;
            bBodyStart = 2;   /* becomes 1 below, for the first statement */
          }
        }else if( guardIsWord(&z[iStart], n, "CASE") ){
          nCase++;
        }else if( guardIsWord(&z[iStart], n, "END") ){
          /* the body ends with END where a statement would start; any
          ** other END closes a CASE or is a column named "end" */
          if( bBodyStart ){
            bLastEnd = 1;
          }else if( nCase>0 ){
            nCase--;
          }
        }
      }
      bBodyStart = bBodyStart==2;
      nWord++;
    }else{
      i++;
      nWord++;
      bLastEnd = bBodyStart = 0;
    }
  }
  return SQLITE_OK;
}

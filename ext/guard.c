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
**   runs between two transactions of its batch, so VACUUM and PRAGMA
**   journal_mode=... are allowed there (in a transaction, switching the
**   journal off leaves nothing to undo the call with); transaction control
**   never is (it would leave the batch in an unknown state).  Inside the
**   caller's own transaction a ROLLBACK conflict resolution (INSERT OR
**   ROLLBACK, a constraint's ON CONFLICT ROLLBACK, a trigger's
**   RAISE(ROLLBACK)) would make SQLite roll back the caller's whole
**   transaction, not just the call: refused there, wherever it stands.
**
**   lex.c's tokens walk the script (whitespace, byte-order marks and
**   comments exactly as SQLite skips them; strings and quoted names as
**   units).  The first word of each statement is compared with the
**   forbidden list.
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

/* Sets *pzWhat to zWhat and *piLine to the line of byte i; returns the
** code migrateGuard() returns for a refusal. */
static int guardRefuse(const char *zScript, int i, const char *zWhat,
                       char **pzWhat, int *piLine){
  *pzWhat = sqlite3_mprintf("%s", zWhat);
  *piLine = migrateLineOf(zScript, i);
  return *pzWhat ? SQLITE_ERROR : SQLITE_NOMEM;
}

/*
** Scans zScript.  Returns SQLITE_OK if no statement of it is forbidden.
** eFlags: MIGRATE_GUARD_NOTX, the script runs outside any transaction, so
** VACUUM and PRAGMA journal_mode are allowed; MIGRATE_GUARD_NESTED, it runs
** inside the caller's own transaction, where a ROLLBACK conflict
** resolution (INSERT OR ROLLBACK, ON CONFLICT ROLLBACK, RAISE(ROLLBACK))
** would roll back the caller's whole transaction, so those are refused.
** Otherwise returns SQLITE_ERROR and sets *pzWhat to the offending keyword
** in upper case (sqlite3_malloc'ed; the caller frees it) and *piLine to its
** line.  Returns SQLITE_NOMEM if that string cannot be allocated.
*/
int migrateGuard(const char *zScript, int eFlags, char **pzWhat, int *piLine){
  int bNoTx = (eFlags & MIGRATE_GUARD_NOTX)!=0;
  int bNested = (eFlags & MIGRATE_GUARD_NESTED)!=0;
  int bPragma = 0;    /* statement is a PRAGMA */
  const char *zPrev = 0, *zPrev2 = 0;   /* the two tokens before */
  int nPrev = 0, nPrev2 = 0;
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
    int eType = 0;
    int n = migrateSqlToken(&z[i], &eType);
    int iStart = i;
    i += n;
    if( eType==MIGRATE_TK_SPACE || eType==MIGRATE_TK_COMMENT ) continue;
    if( bNested && eType==MIGRATE_TK_ID
     && guardIsWord(&z[iStart], n, "ROLLBACK") && zPrev ){
      /* a ROLLBACK conflict resolution, anywhere in a statement */
      if( guardIsWord(zPrev, nPrev, "OR") ){
        return guardRefuse(zScript, iStart, "OR ROLLBACK", pzWhat, piLine);
      }
      if( guardIsWord(zPrev, nPrev, "CONFLICT") ){
        return guardRefuse(zScript, iStart, "ON CONFLICT ROLLBACK", pzWhat,
                           piLine);
      }
      if( nPrev==1 && zPrev[0]=='(' && zPrev2
       && guardIsWord(zPrev2, nPrev2, "RAISE") ){
        return guardRefuse(zScript, iStart, "RAISE(ROLLBACK)", pzWhat,
                           piLine);
      }
    }
    zPrev2 = zPrev;
    nPrev2 = nPrev;
    zPrev = &z[iStart];
    nPrev = n;
    if( eType==MIGRATE_TK_SEMI ){
      if( !bTrigger || bLastEnd ){
        nWord = bMaybeTrig = bTrigger = bBody = nCase = bLastEnd = 0;
        bPragma = 0;
      }
      bBodyStart = bBody;
      continue;
    }
    if( eType!=MIGRATE_TK_ID ){
      /* a string, quoted name, number or operator */
      nWord++;
      bLastEnd = bBodyStart = 0;
      continue;
    }
    bLastEnd = 0;
    if( bPragma && !bNoTx && nWord<=3
     && guardIsWord(&z[iStart], n, "JOURNAL_MODE") ){
      /* PRAGMA [schema.]journal_mode=... or (...): switching the journal
      ** off inside a transaction leaves nothing to undo it with */
      const char *zNext = migrateSkipSpace(&z[i]);
      if( zNext[0]=='=' || zNext[0]=='(' ){
        return guardRefuse(zScript, iStart, "PRAGMA journal_mode", pzWhat,
                           piLine);
      }
    }
    if( nWord==0 ){
      size_t k;
      for(k=0; k<sizeof(azForbidden)/sizeof(azForbidden[0]); k++){
        if( guardIsWord(&z[iStart], n, azForbidden[k])
         && !(bNoTx && k==GUARD_VACUUM) ){
          return guardRefuse(zScript, iStart, azForbidden[k], pzWhat, piLine);
        }
      }
      bPragma = guardIsWord(&z[iStart], n, "PRAGMA");
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
  }
  return SQLITE_OK;
}

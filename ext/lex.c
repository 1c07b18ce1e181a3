/*
** lex.c — the one SQL lexer: every place of libmigrate that reads SQL text
** (the transaction guard, the DROP detection of the undo, the runner's
** error positions, the schema diff and the CLI's file parsers) splits it
** into tokens here, so that none of them can see a statement differently
** from SQLite.
**
** USAGE
**   int eType;
**   int n = migrateSqlToken(z, &eType);   // length of the token at z
**   const char *z2 = migrateSkipSpace(z); // first byte that is not space,
**                                         // a comment or a byte-order mark
**
** HOW IT WORKS
**   It follows SQLite's tokenizer (tokenize.c, sqlite3GetToken) where the
**   difference matters to a caller:
**     - whitespace starts with ' ', '\t', '\n', '\f' or '\r' and goes on
**       over those and '\v' (SQLite's CC_SPACE class, then sqlite3Isspace()):
**       a '\v' inside a run of whitespace is whitespace, a '\v' where a
**       token starts is not (SQLite says "unrecognized token");
**     - a UTF-8 byte-order mark (EF BB BF) where a token starts is
**       whitespace, at the start of a statement or anywhere else between
**       tokens (inside a word its bytes are word characters, as in SQLite);
**     - "--" comments run to the end of the line, C comments to their
**       "*" "/" or to the end of the text;
**     - words are runs of ASCII letters, digits, '_', '$' and bytes >= 0x80;
**     - '...' strings and "..."/`...`/[...] quoted identifiers are one token
**       each (a doubled quote inside stays inside; an unterminated one runs
**       to the end of the text, where SQLite would refuse it);
**     - numbers, blobs (x'..'), variables and operators are MIGRATE_TK_OTHER.
**   Linear in the text's length; no allocation.
*/
#include "migrateInt.h"
#include <string.h>

/* True for the bytes that start whitespace in SQLite's tokenizer. */
static int lexIsSpace(unsigned char c){
  return c==' ' || c=='\t' || c=='\n' || c=='\f' || c=='\r';
}

/* True for the bytes that continue it (sqlite3Isspace(): '\v' too). */
static int lexIsSpaceMore(unsigned char c){
  return lexIsSpace(c) || c=='\v';
}

/* True for the bytes SQLite allows in an identifier (IdChar()). */
static int lexIsIdChar(unsigned char c){
  return (c>='a' && c<='z') || (c>='A' && c<='Z') || (c>='0' && c<='9')
      || c=='_' || c=='$' || c>=0x80;
}

/* True if z starts with a UTF-8 byte-order mark. */
static int lexIsBom(const char *z){
  return (unsigned char)z[0]==0xef && (unsigned char)z[1]==0xbb
      && (unsigned char)z[2]==0xbf;
}

int migrateSqlToken(const char *z, int *peType){
  unsigned char c = (unsigned char)z[0];
  int i = 1;
  if( c==0 ){
    *peType = MIGRATE_TK_SPACE;
    return 0;
  }
  if( lexIsSpace(c) || lexIsBom(z) ){
    /* one token for what SQLite reads as several: runs of whitespace and
    ** byte-order marks, each starting as SQLite's would */
    i = 0;
    for(;;){
      if( lexIsBom(&z[i]) ){
        i += 3;
      }else if( lexIsSpace((unsigned char)z[i]) ){
        i++;
        while( lexIsSpaceMore((unsigned char)z[i]) ) i++;
      }else{
        break;
      }
    }
    *peType = MIGRATE_TK_SPACE;
    return i;
  }
  if( c=='-' && z[1]=='-' ){
    while( z[i] && z[i]!='\n' ) i++;
    *peType = MIGRATE_TK_COMMENT;
    return i;
  }
  if( c=='/' && z[1]=='*' ){
    i = 2;
    while( z[i] && !(z[i]=='*' && z[i+1]=='/') ) i++;
    *peType = MIGRATE_TK_COMMENT;
    return z[i] ? i+2 : i;
  }
  if( c=='\'' || c=='"' || c=='`' || c=='[' ){
    char cEnd = c=='[' ? ']' : (char)c;
    while( z[i] ){
      if( z[i]==cEnd ){
        if( cEnd!=']' && z[i+1]==cEnd ){ i += 2; continue; }
        i++;
        break;
      }
      i++;
    }
    *peType = c=='\'' ? MIGRATE_TK_STRING : MIGRATE_TK_QID;
    return i;
  }
  if( c==';' ){
    *peType = MIGRATE_TK_SEMI;
    return 1;
  }
  if( (c=='x' || c=='X') && z[1]=='\'' ){           /* blob literal */
    i = 2;
    while( z[i] && z[i]!='\'' ) i++;
    *peType = MIGRATE_TK_OTHER;
    return z[i] ? i+1 : i;
  }
  if( c>='0' && c<='9' ){                           /* number */
    while( lexIsIdChar((unsigned char)z[i]) || z[i]=='.'
        || ((z[i]=='+' || z[i]=='-') && (z[i-1]=='e' || z[i-1]=='E')) ){
      i++;
    }
    *peType = MIGRATE_TK_OTHER;
    return i;
  }
  if( lexIsIdChar(c) ){
    while( lexIsIdChar((unsigned char)z[i]) ) i++;
    *peType = MIGRATE_TK_ID;
    return i;
  }
  if( (c=='<' || c=='>' || c=='!' || c=='=' || c=='|')
   && (z[1]=='=' || z[1]=='>' || z[1]=='|' || z[1]=='<') ){
    i = 2;                                          /* two-byte operator */
  }
  *peType = MIGRATE_TK_OTHER;
  return i;
}

const char *migrateSkipSpace(const char *z){
  int eType = MIGRATE_TK_SPACE;
  int n;
  while( (n = migrateSqlToken(z, &eType))>0
      && (eType==MIGRATE_TK_SPACE || eType==MIGRATE_TK_COMMENT) ){
    z += n;
  }
  return z;
}

/*
** Sets *pn to the length of the word (MIGRATE_TK_ID) at z, after any
** space and comments, and returns its start; *pn is 0 when the next token
** is not a word.
*/
static const char *lexNextWord(const char *z, int *pn){
  int eType = 0;
  z = migrateSkipSpace(z);
  *pn = migrateSqlToken(z, &eType);
  if( eType!=MIGRATE_TK_ID ) *pn = 0;
  return z;
}

int migrateStartsWith(const char *zSql, const char *zKw1, const char *zKw2){
  int n = 0;
  const char *z = lexNextWord(zSql, &n);
  if( (int)strlen(zKw1)!=n || sqlite3_strnicmp(z, zKw1, n)!=0 ) return 0;
  if( zKw2==0 ) return 1;
  z = lexNextWord(z+n, &n);
  return (int)strlen(zKw2)==n && sqlite3_strnicmp(z, zKw2, n)==0;
}

int migrateLineOf(const char *zScript, int iOffset){
  int i, nLine = 1;
  for(i=0; i<iOffset && zScript[i]; i++){
    if( zScript[i]=='\n' ) nLine++;
  }
  return nLine;
}

int migrateIsNoTx(const char *zScript){
  static const char zMark[] = "-- migrate:no-transaction";
  const char *z = zScript;
  if( lexIsBom(z) ) z += 3;
  if( strncmp(z, zMark, sizeof(zMark)-1)!=0 ) return 0;
  z += sizeof(zMark)-1;
  while( *z==' ' || *z=='\t' || *z=='\r' ) z++;
  return *z=='\n' || *z==0;
}

/*
** dqlite-preload.c — loads libmigrate into every SQLite connection of a
** process that links the system libsqlite3 dynamically, without changing
** the program.  Written for dqlite nodes (dqlite-demo, or any go-dqlite /
** libdqlite application), so that `SELECT migrate()` sent to a dqlite
** cluster runs inside the leader's SQLite and its writes are replicated.
**
** USAGE
**   make build/dqlite/libmigrate-preload.so        (see tool/dqlite.mk)
**   LD_PRELOAD=$PWD/build/dqlite/libmigrate-preload.so \
**     dqlite-demo --api 127.0.0.1:8001 --db 127.0.0.1:9001
**
**   The library holds libmigrate itself (the ext/ sources compiled with -DSQLITE_CORE
**   and -fPIC) and needs nothing at run time but the libsqlite3.so.0 that the
**   program already uses.
**
** HOW IT WORKS
**   The library defines sqlite3_open_v2().  Being preloaded, its definition
**   comes first in symbol lookup, so every sqlite3_open_v2() call that the
**   program or libdqlite.so makes through the dynamic linker lands here.  On
**   the first call it registers sqlite3_migrate_init() with
**   sqlite3_auto_extension(), then forwards to the real sqlite3_open_v2()
**   found with dlsym(RTLD_NEXT).  From then on SQLite itself calls
**   sqlite3_migrate_init() on every new connection, this first one included.
**
**   Why not register from a library constructor (the usual trick)?  Because
**   sqlite3_auto_extension() calls sqlite3_initialize(), and go-dqlite calls
**   sqlite3_config(SQLITE_CONFIG_SINGLETHREAD) after the constructors ran and
**   before it opens anything; sqlite3_config() on an initialized library
**   returns SQLITE_MISUSE and the node refuses to start ("set single thread
**   mode: ... misuse").  The first sqlite3_open_v2() comes after that
**   configuration, so registering there is safe.
**
**   Only sqlite3_open_v2() is wrapped: libdqlite opens its databases with it.
**   A program that uses sqlite3_open() or sqlite3_open16() only would need the
**   same wrapper for those.
**
**   Registration happens once (pthread_once), so concurrent first opens are
**   safe.  If registration fails the open still proceeds, and the failure is
**   reported on stderr: the node works, migrate() is just not there.
*/
#ifndef _GNU_SOURCE
# define _GNU_SOURCE    /* RTLD_NEXT */
#endif
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include "sqlite3.h"
#include "migrate.h"

typedef int (*OpenV2Fn)(const char*, sqlite3**, int, const char*);

static pthread_once_t preloadOnce = PTHREAD_ONCE_INIT;
static OpenV2Fn preloadRealOpen = 0;

/*
** Runs once, on the first sqlite3_open_v2(): finds the real function and
** registers libmigrate as an automatic extension.
*/
static void preloadInit(void){
  int rc;
  void *p = dlsym(RTLD_NEXT, "sqlite3_open_v2");
  /* ISO C has no cast from void* to a function pointer; POSIX guarantees
  ** the representations match, so a union does it without a warning. */
  union { void *p; OpenV2Fn x; } u;
  u.p = p;
  preloadRealOpen = u.x;
  rc = sqlite3_auto_extension((void(*)(void))sqlite3_migrate_init);
  if( rc!=SQLITE_OK ){
    fprintf(stderr, "libmigrate-preload: sqlite3_auto_extension: %s\n",
            sqlite3_errstr(rc));
  }
}

/*
** Same contract as SQLite's sqlite3_open_v2(); in addition the first call
** registers libmigrate on every connection opened from then on.  Returns
** SQLITE_ERROR (and sets *ppDb to NULL) only if the real function cannot be
** found, which means libsqlite3 is not loaded at all.
*/
int sqlite3_open_v2(const char *zFilename, sqlite3 **ppDb, int flags,
                    const char *zVfs){
  pthread_once(&preloadOnce, preloadInit);
  if( preloadRealOpen==0 ){
    fprintf(stderr, "libmigrate-preload: sqlite3_open_v2 not found\n");
    if( ppDb ) *ppDb = 0;
    return SQLITE_ERROR;
  }
  return preloadRealOpen(zFilename, ppDb, flags, zVfs);
}

#!/bin/sh
# check-installed.sh — checks an installed libmigrate the way a user meets
# it: the files are where `make install` (or the Debian packages) put them,
# a C program builds with pkg-config and runs, the installed sqlite-migrate
# migrates a folder up and down, and the sqlite3 shell loads the module.
#
#   sh tool/check-installed.sh [--root DIR] [--prefix /usr/local]
#        [--libdir PREFIX/lib] [--moddir LIBDIR/sqlite3] [--version X.Y.Z]
#
#   --root     a DESTDIR staging folder (make check-install); the checks then
#              run the staged files (pkg-config through PKG_CONFIG_SYSROOT_DIR)
#   --version  the MIGRATE_VERSION expected from `sqlite-migrate --version`
#              and `SELECT libmigrate_version()`, each checked once it exists
#
# Run by `make check-install` (a staged install on this machine) and by
# `make check-fresh` inside a fresh Debian 12 (after `make install`, and
# after installing the three .debs with --prefix /usr).  Needs cc,
# pkg-config and sqlite3; runs in a scratch folder, outside the source tree.
# Prints one "ok:" line per check; exits 1 at the first failure.
set -eu
root="" prefix=/usr/local libdir="" moddir="" version=""
while [ $# -gt 0 ]; do
  case "$1" in
    --root) root=$2 ;;
    --prefix) prefix=$2 ;;
    --libdir) libdir=$2 ;;
    --moddir) moddir=$2 ;;
    --version) version=$2 ;;
    *) echo "check-installed: unknown option $1" >&2; exit 2 ;;
  esac
  shift 2
done
libdir=${libdir:-$prefix/lib}
moddir=${moddir:-$libdir/sqlite3}

fail() { echo "check-installed: FAILED: $*" >&2; exit 1; }
ok() { echo "check-installed: ok: $*"; }
for t in cc pkg-config sqlite3; do
  command -v $t >/dev/null 2>&1 || fail "$t is needed for the checks"
done

# ---- the files ------------------------------------------------------------
for f in "$prefix/bin/sqlite-migrate" "$prefix/include/migrate.h" \
         "$libdir/libmigrate.a" "$libdir/pkgconfig/libmigrate.pc" "$moddir/migrate.so"; do
  [ -s "$root$f" ] || fail "$root$f is not installed"
done
[ -x "$root$prefix/bin/sqlite-migrate" ] || fail "$prefix/bin/sqlite-migrate is not executable"
# Man pages, gzipped or not (Debian compresses them); links count too.
for m in man1/sqlite-migrate.1 man7/libmigrate.7 man3/migrate_boot.3 man3/migrate_run.3 \
         man3/migrate_run_ex.3 man3/migrateSqlToken.3 man3/migrateSkipSpace.3 man3/migrateNaturalCmp.3 \
         man3/migrate_define.3 man3/migrate_apply.3 man3/sqlite3_migrate_init.3; do
  [ -e "$root$prefix/share/man/$m" ] || [ -e "$root$prefix/share/man/$m.gz" ] ||
    fail "man page $prefix/share/man/$m is not installed"
done
ok "files in $prefix (header, libmigrate.a, libmigrate.pc, $moddir/migrate.so, CLI, 11 man pages)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

# ---- a C program, built with pkg-config --------------------------------------
if [ -n "$root" ]; then
  PKG_CONFIG_PATH=$root$libdir/pkgconfig PKG_CONFIG_SYSROOT_DIR=$root
  export PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR
fi
cat > app.c <<'EOF'
#include <stdio.h>
#include <migrate.h>
static const migrate_script aScript[] = {
  { "001_users", "CREATE TABLE users(id INTEGER PRIMARY KEY, email TEXT);", "DROP TABLE users;" },
  { "002_posts", "CREATE TABLE posts(id INTEGER PRIMARY KEY, user_id INT);", "DROP TABLE posts;" },
};
static void progress(void *p, const char *zName, const char *zDir,
                     sqlite3_int64 iMs, sqlite3_int64 nChange){
  (void)p; (void)iMs; (void)nChange; printf("%s %s\n", zDir, zName);
}
int main(int argc, char **argv){
  sqlite3 *db; char *zErr = 0; int nApplied = -1; sqlite3_int64 nDone = -1;
  if( argc!=3 ) return 2;
  sqlite3_auto_extension((void(*)(void))sqlite3_migrate_init);
  if( sqlite3_open(argv[1], &db)!=SQLITE_OK ) return 1;
  if( argv[2][0]=='b' ){
    if( migrate_boot(db, aScript, 2, &nApplied, &zErr)!=SQLITE_OK ){
      fprintf(stderr, "%s\n", zErr); return 1;
    }
    printf("applied %d, version %s\n", nApplied, MIGRATE_VERSION);
  }else{
    if( migrate_run(db, "rollback", 0, progress, 0, &nDone, &zErr)!=SQLITE_OK ){
      fprintf(stderr, "%s\n", zErr); return 1;
    }
    printf("reverted %lld\n", (long long)nDone);
  }
  sqlite3_close(db);
  return 0;
}
EOF
want_boot="applied 2, version ${version:-}"
for form in "" "--static"; do
  # shellcheck disable=SC2046,SC2086
  cc -o app app.c $(pkg-config --cflags --libs $form libmigrate) ||
    fail "cc app.c \$(pkg-config --cflags --libs $form libmigrate) did not build"
  rm -f app.db
  out=$(./app app.db boot)
  case "$out" in "applied 2, version ${version:-}"*) ;; *) fail "migrate_boot printed '$out', not '$want_boot'" ;; esac
  out=$(./app app.db boot)
  case "$out" in "applied 0,"*) ;; *) fail "the second migrate_boot printed '$out'" ;; esac
  out=$(./app app.db rollback | tr '\n' ' ')
  [ "$out" = "down 002_posts down 001_users reverted 2 " ] || fail "migrate_run rollback printed '$out'"
  ok "cc app.c \$(pkg-config --cflags --libs${form:+ $form} libmigrate): migrate_boot 2 then 0, migrate_run rollback 2"
done
# The module's folder is in the .pc, for programs that load it (pkgconf
# may put the sysroot in front).
v=$(pkg-config --variable=sqlite3moduledir libmigrate)
[ "$v" = "$moddir" ] || [ "$v" = "$root$moddir" ] ||
  fail "pkg-config --variable=sqlite3moduledir libmigrate is '$v', not $moddir"
ok "pkg-config --variable=sqlite3moduledir libmigrate = $moddir"

# ---- the installed command-line tool ----------------------------------------
cli=$root$prefix/bin/sqlite-migrate
[ -n "$root" ] || [ "$(command -v sqlite-migrate)" = "$cli" ] ||
  fail "sqlite-migrate on PATH is $(command -v sqlite-migrate || echo nothing), not $cli"
mkdir migrations
printf -- '-- migrate:up\nCREATE TABLE users(id INTEGER PRIMARY KEY);\n-- migrate:down\nDROP TABLE users;\n' \
  > migrations/001_users.sql
printf -- '-- migrate:up\nINSERT INTO users VALUES(1),(2);\n-- migrate:down\nDELETE FROM users;\n' \
  > migrations/002_seed.sql
out=$("$cli" --db cli.db up) || fail "sqlite-migrate up: $out"
case "$out" in *"applied 2 migrations in batch 1"*) ;; *) fail "sqlite-migrate up printed: $out" ;; esac
out=$("$cli" --db cli.db status) || fail "sqlite-migrate status: $out"
case "$out" in *"2 migrations: 2 applied"*) ;; *) fail "sqlite-migrate status printed: $out" ;; esac
out=$("$cli" --db cli.db down) || fail "sqlite-migrate down: $out"
case "$out" in *"reverted 2 migrations"*) ;; *) fail "sqlite-migrate down printed: $out" ;; esac
out=$("$cli" --db cli.db status) || true
case "$out" in *"2 migrations: 2 pending"*) ;; *) fail "status after down printed: $out" ;; esac
ok "sqlite-migrate up / status / down / status"
if "$cli" --version >/dev/null 2>&1; then
  out=$("$cli" --version)
  case "$out" in *"$version"*) ;; *) fail "sqlite-migrate --version printed '$out', not $version" ;; esac
  ok "sqlite-migrate --version: $out"
else
  echo "check-installed: note: sqlite-migrate has no --version yet (not checked)"
fi

# ---- the sqlite3 shell, .load of the installed module --------------------------
out=$(sqlite3 shell.db ".load $root$moddir/migrate" \
  "INSERT INTO migrations(name, up, down) VALUES
     ('001_users', 'CREATE TABLE users(id INTEGER PRIMARY KEY, email TEXT);', 'DROP TABLE users;'),
     ('002_posts', 'CREATE TABLE posts(id INTEGER PRIMARY KEY, user_id INT REFERENCES users);', 'DROP TABLE posts;');" \
  "SELECT migrate();" "SELECT name || ':' || state || ':' || batch FROM migration_status;" \
  "SELECT rollback();" "SELECT count(*) FROM migration_status WHERE state='pending';" | tr '\n' ' ')
[ "$out" = "2 001_users:applied:1 002_posts:applied:1 2 2 " ] ||
  fail "the sqlite3 shell quick start with .load $moddir/migrate printed '$out'"
ok "sqlite3: .load $moddir/migrate, quick start (migrate 2, status, rollback 2)"
has=$(sqlite3 :memory: ".load $root$moddir/migrate" \
  "SELECT count(*) FROM pragma_function_list WHERE name='libmigrate_version'")
if [ "$has" != 0 ]; then
  out=$(sqlite3 :memory: ".load $root$moddir/migrate" "SELECT libmigrate_version()")
  [ -z "$version" ] || [ "$out" = "$version" ] || fail "libmigrate_version() is '$out', not $version"
  ok "SELECT libmigrate_version(): $out"
else
  echo "check-installed: note: no libmigrate_version() SQL function yet (not checked)"
fi
echo "check-installed: all checks passed"

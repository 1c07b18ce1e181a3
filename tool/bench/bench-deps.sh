#!/bin/sh
# bench-deps.sh — installs what `make bench` needs: the measuring tools and
# the peer migration tools it compares libmigrate with.
#
#   sh tool/bench/bench-deps.sh            install whatever is missing (all peers)
#   sh tool/bench/bench-deps.sh --quick    only what `make bench-quick` needs
#                                    (no npm builds: gnuplot, time, strace,
#                                    dbmate)
#   sh tool/bench/bench-deps.sh --check    print what is there / missing, install nothing
#
# Debian packages (apt-get, as root or with sudo):
#   gnuplot-nox time valgrind strace     charts, peak RSS, callgrind profiles,
#                                        sync counts
#   sqitch libdbd-sqlite3-perl           peer: sqitch
#   python3-alembic alembic              peer: Alembic
# npm packages, installed under build/bench-deps/node (never globally):
#   @dbmate/linux-x64                    peer: dbmate (a static binary)
#   knex better-sqlite3                  peer: knex (better-sqlite3 compiles
#                                        from source against /usr/include/node;
#                                        takes a few minutes on 2 cores)
#
# Idempotent: each step is skipped when its result is already present.  A
# step that fails prints "bench-deps: cannot install X" and the script goes
# on; the bench then reports that peer as unavailable (it never fakes a row).
# apt-get waits up to 10 minutes for the dpkg lock (other builds may hold it).
# Exit status is 0 unless --check finds something missing.

cd "$(dirname "$0")/../.." || exit 1
DEPS=build/bench-deps
NODE_DIR=$DEPS/node

mode=all
case "$1" in
  --quick) mode=quick ;;
  --check) mode=check ;;
esac

SUDO=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then SUDO=sudo; fi

missing=""
# Installed means dpkg's status "installed": `dpkg -s` also exits 0 for a
# removed package whose configuration files are still there.
apt_need() {
  [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ] ||
    missing="$missing $1"
}

apt_need gnuplot-nox
apt_need time
apt_need valgrind
apt_need strace
if [ $mode != quick ]; then
  apt_need sqitch
  apt_need libdbd-sqlite3-perl
  apt_need python3-alembic
  apt_need alembic
fi

have_dbmate() { [ -x $NODE_DIR/node_modules/@dbmate/linux-x64/bin/dbmate ]; }
have_knex() {
  [ -f $NODE_DIR/node_modules/knex/package.json ] &&
  (cd $NODE_DIR && node -e 'new (require("better-sqlite3"))(":memory:")') >/dev/null 2>&1
}

if [ $mode = check ]; then
  rc=0
  [ -n "$missing" ] && { echo "missing Debian packages:$missing"; rc=1; }
  have_dbmate && echo "dbmate: ok" || { echo "dbmate: missing"; rc=1; }
  have_knex && echo "knex + better-sqlite3: ok" || { echo "knex + better-sqlite3: missing"; rc=1; }
  exit $rc
fi

if [ -n "$missing" ]; then
  echo "bench-deps: apt-get install$missing"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null 2>&1
  # One at a time so that one unavailable package does not block the others.
  for p in $missing; do
    # shellcheck disable=SC2086
    $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
      --no-install-recommends $p >/dev/null 2>&1 ||
      echo "bench-deps: cannot install Debian package $p"
  done
fi

mkdir -p $NODE_DIR
[ -f $NODE_DIR/package.json ] ||
  echo '{"name":"libmigrate-bench-deps","private":true}' > $NODE_DIR/package.json

if ! command -v npm >/dev/null 2>&1; then
  echo "bench-deps: npm not found; cannot install dbmate or knex"
  exit 0
fi

if ! have_dbmate; then
  echo "bench-deps: npm install @dbmate/linux-x64"
  (cd $NODE_DIR && npm install --no-audit --no-fund --loglevel=error \
     @dbmate/linux-x64 >/dev/null 2>&1) ||
    echo "bench-deps: cannot install dbmate"
fi

if [ $mode != quick ] && ! have_knex; then
  echo "bench-deps: npm install knex better-sqlite3 (compiles; a few minutes)"
  nodedir=""
  [ -f /usr/include/node/node.h ] && nodedir="--nodedir=/usr"
  (cd $NODE_DIR && JOBS=2 npm install --no-audit --no-fund --loglevel=error \
     --build-from-source $nodedir knex better-sqlite3 >npm-knex.log 2>&1) ||
    echo "bench-deps: cannot install knex/better-sqlite3 (see $NODE_DIR/npm-knex.log)"
fi
exit 0

#!/bin/sh
# check-fresh.sh — `make check-fresh`: the README's set-up and every install
# path, run on brand-new Debian 12 machines (chroots), from the committed HEAD.
#
#   sh tool/check-fresh.sh          (as root; make check-fresh)
#   FRESH_CACHE=/var/cache/libmigrate-fresh   where the roots and .debs are kept
#
# What it runs, each step in a fresh root under chroot, every step's whole
# output in build/check-fresh/STEP.log, one line per step with its time:
#
#   lane A, a bare Debian 12 (apt and ca-certificates only: no make, no cc):
#      A1 the README's set-up:   sh tool/install-deps.sh && make demo && make test
#      A2 make deps, make install (PREFIX=/usr/local), then, as a user would:
#         tool/check-installed.sh (files, pkg-config builds of a C program,
#         the installed sqlite-migrate up/status/down, `.load
#         /usr/local/lib/sqlite3/migrate` in the sqlite3 shell), make
#         uninstall (nothing of libmigrate left under /usr/local)
#      A3 another bare root with make but no compiler: plain `make` and
#         `make install` fail with a message naming `make deps`, and install
#         nothing
#   lane B, Debian 12 with tcl make gcc libsqlite3-dev sqlite3 installed:
#      B1 the README's set-up:   make demo && make test
#      B2 make deb (DEB_BUILD_OPTIONS=nocheck: B1 just ran the suite), lintian
#      B3 another bare root: apt-get install ./*.deb (the three packages of
#         B2) with sqlite3, gcc and pkg-config; tool/check-installed.sh
#         --prefix /usr (the shell quick start with `.load
#         /usr/lib/<triplet>/sqlite3/migrate`, pkg-config builds,
#         sqlite-migrate up/status/down); apt-get remove leaves nothing
#
# The two lanes run side by side (two jobs: this machine's 2 cores).
#
# How: mmdebstrap builds each root once from THIS machine's own apt sources
# (their Debian bookworm entries, so no host name is written anywhere) and
# caches it as a tarball in FRESH_CACHE; every run unpacks fresh copies.
# The committed HEAD is cloned into /root/project of each root (uncommitted
# changes are not tested).  Each step runs under `unshare --mount` (proc and
# /dev mounted inside, nothing stays mounted) with `chroot` and a clean
# environment.  Downloaded .debs are kept in FRESH_CACHE/archives-* (bound to
# the root's /var/cache/apt/archives), so a warm run downloads little.
# Exits non-zero at the first failing step, after printing its last lines.
# shellcheck disable=SC2016  # the step scripts are single-quoted on purpose: they expand in the root
set -eu
top=$(git rev-parse --show-toplevel)
cd "$top"
[ "$(id -u)" = 0 ] || { echo "check-fresh: needs root (mmdebstrap, chroot)" >&2; exit 1; }
cache=${FRESH_CACHE:-/var/cache/libmigrate-fresh}
out=$top/build/check-fresh
suite=bookworm
version=$(sed -n 's/^.define MIGRATE_VERSION "\([^"]*\)".*/\1/p' ext/migrate.h)
rm -rf "$out"
mkdir -p "$out" "$cache"
t0=$(date +%s)

sh tool/install-deps.sh --only mmdebstrap

# ---- this machine's Debian sources, as one-line entries ---------------------
# deb822 stanzas (*.sources) and one-line lists, entries whose suite is
# bookworm or bookworm-*; [options] dropped (the root's keyring is Debian's).
src=$out/sources.list
{
  for f in /etc/apt/sources.list.d/*.sources; do [ -f "$f" ] && cat "$f" && echo; done
} | awk -v suite="$suite" '
  BEGIN { RS = ""; FS = "\n" }
  { types = ""; uris = ""; suites = ""; comps = ""; en = "yes"
    for (i = 1; i <= NF; i++) {
      if ($i ~ /^#/) continue
      k = $i; sub(/:.*/, "", k); v = $i; sub(/^[^:]*:[ \t]*/, "", v)
      if (k == "Types") types = v; else if (k == "URIs") uris = v
      else if (k == "Suites") suites = v; else if (k == "Components") comps = v
      else if (k == "Enabled") en = v
    }
    if (en == "no" || types !~ /(^| )deb( |$)/) next
    nu = split(uris, U, " "); ns = split(suites, S, " ")
    for (a = 1; a <= nu; a++) for (b = 1; b <= ns; b++)
      if (S[b] ~ ("^" suite "(-[a-z]+)?$")) print "deb " U[a] " " S[b] " " comps
  }' > "$src"
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
  [ -f "$f" ] || continue
  sed -e 's/#.*//' -e 's/\[[^]]*\]//' "$f" |
    awk -v suite="$suite" '$1 == "deb" && $3 ~ ("^" suite "(-[a-z]+)?$")' >> "$src"
done
[ -s "$src" ] || { echo "check-fresh: no Debian $suite entry in this machine's apt sources" >&2; exit 1; }

# ---- roots ------------------------------------------------------------------
# root_tar NAME "PKG ..." — the cached tarball of a root with PKGs, built on
# first use; its name depends on the sources and the package list.
root_tar() {
  key=$( (cat "$src"; echo "$suite $2") | md5sum | cut -c1-12)
  tar=$cache/$suite-$1-$key.tar
  if [ ! -f "$tar" ]; then
    inc=$(echo "ca-certificates $2" | tr -s ' ' ',' | sed 's/,$//')
    echo "check-fresh: building the $1 root (mmdebstrap $suite + $inc) into $tar" >&2
    rm -f "$tar.partial"
    mmdebstrap --variant=apt --format=tar --include="$inc" "$suite" "$tar.partial" "$src" \
      > "$out/mmdebstrap-$1.log" 2>&1 ||
      { tail -n 20 "$out/mmdebstrap-$1.log" >&2; echo "check-fresh: mmdebstrap failed" >&2; exit 1; }
    mv "$tar.partial" "$tar"
  fi
  echo "$tar"
}

# Every root of this run lives in $cache/run/PID (removed at exit, and by a
# later run when this one was killed).
run=$cache/run/$$
mkdir -p "$cache/run"
for d in "$cache"/run/*; do
  [ -d "$d" ] && ! kill -0 "${d##*/}" 2>/dev/null && rm -rf "$d"
done
mkdir -p "$run"
trap 'rm -rf "$run"' EXIT
trap 'exit 1' INT TERM

# new_root TAR NAME — a fresh copy of the root, with the project cloned into
# it, at $run/NAME.
new_root() {
  r=$run/$2
  mkdir -p "$r"
  tar -C "$r" -xf "$1"
  git clone -q "$top" "$r/root/project"
  cp /etc/resolv.conf "$r/etc/resolv.conf" 2>/dev/null || true
}

# step ROOT ARCHIVES NAME SCRIPT — runs SCRIPT (sh -e) in /root/project of
# ROOT under chroot; output to build/check-fresh/NAME.log.
step() {
  r=$1 arch=$cache/archives-$2 name=$3
  mkdir -p "$arch/partial"
  printf 'cd /root/project\n%s\n' "$4" > "$r/root/step-$name.sh"
  s=$(date +%s)
  if unshare --mount --propagation private sh -c '
       mount -t proc proc "$1/proc" && mount --rbind /dev "$1/dev" &&
       mount --bind "$2" "$1/var/cache/apt/archives" &&
       exec chroot "$1" env -i HOME=/root LANG=C.UTF-8 TERM=dumb \
         PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
         sh -e "/root/step-$3.sh"' sh "$r" "$arch" "$name" > "$out/$name.log" 2>&1
  then
    echo "check-fresh: ok   $name ($(( $(date +%s) - s )) s)"
  else
    tail -n 40 "$out/$name.log" | sed 's/^/    /'
    echo "check-fresh: FAIL $name ($(( $(date +%s) - s )) s; whole log: $out/$name.log)"
    return 1
  fi
}

echo "check-fresh: testing $(git rev-parse --short HEAD) (the committed HEAD) on fresh Debian 12 roots"
[ -z "$(git status --porcelain --untracked-files=no)" ] ||
  echo "check-fresh: note: uncommitted changes in $top are not tested"
bare=$(root_tar bare "")
pre=$(root_tar preinstalled "tcl make gcc libsqlite3-dev sqlite3")

# ---- lane A: bare Debian 12; then plain make on another bare root ------------
run_a() {
  new_root "$bare" A
  step "$run/A" bare A1-bare-readme 'sh tool/install-deps.sh && make demo && make test'
  # pkg-config --static adds SQLite's own Libs.private (-lm -lz): zlib1g-dev.
  step "$run/A" bare A2-bare-make-install "
make deps
make install
apt-get install -y -qq --no-install-recommends zlib1g-dev >/dev/null
sh tool/check-installed.sh --version $version
make uninstall
left=\$(find /usr/local -name '*migrate*' || true)
[ -z \"\$left\" ] || { echo \"make uninstall left: \$left\"; exit 1; }
echo 'make uninstall: nothing of libmigrate left in /usr/local'"
  rm -rf "$run/A"
  new_root "$bare" C
  step "$run/C" bare A3-plain-make-installs-nothing '
apt-get update -qq && apt-get install -y -qq --no-install-recommends make >/dev/null
for t in "" install; do
  if make $t > make.out 2>&1; then cat make.out; echo "make $t succeeded without a compiler"; exit 1; fi
  cat make.out
  grep -q "run \`make deps\`" make.out || { echo "make $t: no message naming make deps"; exit 1; }
done
for p in gcc libsqlite3-dev tcl scdoc; do
  if [ "$(dpkg-query -W -f="\${db:Status-Status}" $p 2>/dev/null)" = installed ]; then
    echo "plain make installed $p"; exit 1
  fi
done
echo "plain make and make install: a clear error naming make deps, nothing installed"'
}

# ---- lane B: tools preinstalled, make deb; the .debs on a bare root ---------
run_b() {
  new_root "$pre" B
  step "$run/B" pre B1-preinstalled-readme 'make demo && make test'
  step "$run/B" pre B2-make-deb 'DEB_BUILD_OPTIONS=nocheck make deb'
  mkdir -p "$out/deb"
  cp "$run"/B/root/project/build/deb/*.deb "$run"/B/root/project/build/deb/lintian.txt "$out/deb/"
  rm -rf "$run/B"
  new_root "$bare" D
  mkdir -p "$run/D/root/deb" && cp "$out"/deb/*.deb "$run/D/root/deb/"
  step "$run/D" debs B3-debs-installed '
apt-get update -qq
apt-get install -y -qq --no-install-recommends /root/deb/*.deb sqlite3 gcc libc6-dev pkg-config zlib1g-dev >/dev/null
dpkg -l libsqlite3-mod-migrate libmigrate-dev sqlite-migrate | tail -n 3
ma=$(gcc -print-multiarch)
dpkg -L libsqlite3-mod-migrate | grep "^/usr/lib/$ma/sqlite3/migrate.so$"
sh tool/check-installed.sh --prefix /usr --libdir /usr/lib/$ma --version '"$version"'
files=$(dpkg -L libsqlite3-mod-migrate libmigrate-dev sqlite-migrate)
apt-get remove -y -qq libsqlite3-mod-migrate libmigrate-dev sqlite-migrate >/dev/null
for f in $files; do
  if [ -f "$f" ] || [ -L "$f" ]; then echo "apt-get remove left $f"; exit 1; fi
done
[ ! -e /usr/lib/$ma/sqlite3 ] || { echo "apt-get remove left /usr/lib/$ma/sqlite3"; exit 1; }
echo "apt-get remove: no file of the three packages is left"'
}

# The two lanes side by side: two jobs for this machine's two cores.
run_a > "$out/A.out" 2>&1 & pa=$!
run_b > "$out/B.out" 2>&1 & pb=$!
rc=0
wait $pa || rc=1
cat "$out/A.out"
wait $pb || rc=1
cat "$out/B.out"
[ $rc = 0 ] || { echo "check-fresh: FAILED ($(( $(date +%s) - t0 )) s)"; exit 1; }
echo "check-fresh: lintian in the preinstalled root: $(grep -c '^E:' "$out/deb/lintian.txt" || true) errors, $(grep -c '^W:' "$out/deb/lintian.txt" || true) warnings"
echo "check-fresh: all steps passed in $(( $(date +%s) - t0 )) s (logs: $out)"

#!/bin/sh
# check-node.sh — `make check-node`: packs tool/npm and tries the tarball
# the way a Node developer would, in consumer projects under build/node/:
#   n20  Debian's Node 20 (/usr/bin/node) + better-sqlite3 12 built from npm
#        source (npm_config_nodedir=/usr), TypeScript for the declarations
#   n22  npm's node@22 package (node:sqlite), no system install
# In each: the README's example for that binding, extracted from
# tool/npm/README.md and compared with the output printed under it (in n20
# also the Node snippet of the "Use it from…" section);
# test/test.js under node --test; in n20 also the install with scripts
# blocked (npm 12's default: the prebuilt module must serve), the prebuilt
# module's glibc needs (objdump -T) and tsc --strict on test/types.ts as
# CommonJS and as an ES module.  npm reaches the registry for
# better-sqlite3, node and typescript (cached in build/node/ after the
# first run); the libmigrate tarball itself is local.
set -e
cd "$(dirname "$0")/../../.."
top=$PWD
B=$top/build/node
mkdir -p "$B"
npmi() { npm install --no-audit --no-fund --loglevel=error "$@"; }
step() { t=$(date +%s); echo "== $*"; }
took() { echo "   ($(( $(date +%s) - t )) s)"; }
fails=0
ok() { echo "   ok: $*"; }
bad() { echo "   FAIL: $*"; fails=$((fails+1)); }

# Runs the example NAME of README (tool/npm/README.md unless given as $5)
# with NODE in DIR as FILE; compares stdout.
example() {
  name=$1 node=$2 dir=$3 file=$4 readme=${5:-tool/npm/README.md}
  mkdir -p "$dir/run" && rm -f "$dir/run/app.db"
  sh tool/bindings/example.sh "$readme" "$name" code > "$dir/run/$file"
  sh tool/bindings/example.sh "$readme" "$name" output > "$dir/run/expected"
  if (cd "$dir/run" && "$node" "$file" > got 2> stderr) && cmp -s "$dir/run/got" "$dir/run/expected"; then
    ok "README example $name prints what the README says"
  else
    bad "README example $name"; diff "$dir/run/expected" "$dir/run/got" || cat "$dir/run/stderr"
  fi
}
# node --test test.js in DIR with NODE; env DRIVER, EXPECT.
nodetest() {
  cp tool/npm/test/test.js "$1/test.js"
  if (cd "$1" && LIBMIGRATE_DRIVER=$3 LIBMIGRATE_EXPECT=$4 "$2" --test test.js > test.log 2>&1); then
    ok "test.js ($3, module from $4): $(grep '^# pass' "$1/test.log")"
  else
    bad "test.js ($3, $4)"; grep -B2 -A12 '^not ok' "$1/test.log" | head -60
  fi
}
# A consumer project that allows the install scripts it needs (npm 12 asks).
project() {
  mkdir -p "$1"
  [ -f "$1/package.json" ] || printf '{"name":"%s","private":true,"allowScripts":{"libmigrate":true,"better-sqlite3":true,"node":true}}\n' \
    "$(basename "$1")" > "$1/package.json"
}

step "pack tool/npm"
make -s libmigrate.so   # and with it build/*_sql.c, which the pack copies
rm -f "$B"/libmigrate-*.tgz
tgz=$B/$(cd tool/npm && npm pack --silent --pack-destination "$B")
[ -f "$tgz" ] || { echo "check-node: npm pack made no tarball" >&2; exit 1; }
echo "   $(basename "$tgz"): $(tar tzf "$tgz" | wc -l) files, $(wc -c < "$tgz") bytes"
took

step "Node 20 ($(node --version)) + better-sqlite3 12"
n20=$B/n20
project "$n20"
if [ ! -f "$n20/node_modules/better-sqlite3/build/Release/better_sqlite3.node" ] \
   || [ ! -x "$n20/node_modules/.bin/tsc" ]; then
  (cd "$n20" && npm_config_nodedir=/usr npmi better-sqlite3@12 typescript@5 @types/node@22 @types/better-sqlite3)
fi
echo "   better-sqlite3 $(cd "$n20" && node -p "require('better-sqlite3/package.json').version")"
took

step "n20: installed with install scripts blocked (npm 12's default)"
rm -rf "$n20/node_modules/libmigrate" "$n20/package-lock.json"
(cd "$n20" && npmi --ignore-scripts "$tgz")
if [ -e "$n20/node_modules/libmigrate/build" ]; then bad "install script ran despite --ignore-scripts"; fi
nodetest "$n20" node better-sqlite3 prebuilt
pre=$n20/node_modules/libmigrate/prebuilt/linux-x64-gnu/libmigrate.so
glibc=$(objdump -T "$pre" | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -1)
case $glibc in
  GLIBC_2.2.5|GLIBC_2.3*|GLIBC_2.4|GLIBC_2.[5-9]|GLIBC_2.1[0-4]) ok "prebuilt module needs $glibc at most" ;;
  *) bad "prebuilt module needs $glibc (more than GLIBC_2.14)" ;;
esac
took

step "n20: installed normally (module built from csrc/ at install)"
rm -rf "$n20/node_modules/libmigrate" "$n20/package-lock.json"
(cd "$n20" && npmi "$tgz")
[ -f "$n20/node_modules/libmigrate/build/libmigrate.so" ] && ok "install built build/libmigrate.so" \
  || bad "install did not build build/libmigrate.so"
example node-better-sqlite3 node "$n20" example.js
example use-node node "$n20" use-node.js use-it-from
nodetest "$n20" node better-sqlite3 build
cp tool/npm/test/types.ts "$n20/types.ts" && cp tool/npm/test/types.ts "$n20/types.mts"
for f in types.ts types.mts; do
  if (cd "$n20" && ./node_modules/.bin/tsc --noEmit --strict --module nodenext --moduleResolution nodenext \
        --target es2022 --esModuleInterop --types node $f); then
    ok "tsc --strict $f"
  else
    bad "tsc --strict $f"
  fi
done
took

step "Node 22 (npm's node@22) + node:sqlite"
n22=$B/n22
project "$n22"
rm -rf "$n22/node_modules/libmigrate" "$n22/package-lock.json"
(cd "$n22" && npmi node@22 "$tgz")
node22=$n22/node_modules/.bin/node
echo "   $("$node22" --version)"
[ -f "$n22/node_modules/libmigrate/build/libmigrate.so" ] && ok "install built build/libmigrate.so" \
  || bad "install did not build build/libmigrate.so"
example node-sqlite "$node22" "$n22" example.mjs
nodetest "$n22" "$node22" node:sqlite build
took

echo
if [ $fails = 0 ]; then echo "check-node: all passed"; else echo "check-node: $fails failed"; fi
[ $fails = 0 ]

#!/bin/sh
# build.sh — builds sqlite3.wasm with SQLite's own WebAssembly build
# (ext/wasm of SQLite's full source tree) and Debian 12's emscripten.
# Called by tool/wasm.mk (`make wasm`); run from the repository root.
#
#   sh tool/wasm/build.sh tree TREE
#       fetch SQLite's source (tool/fetch-sqlite-src.sh, cached in
#       build/sqlite-src/dl), unpack it into TREE, configure it for
#       emscripten, generate the amalgamation.  Idempotent.
#   sh tool/wasm/build.sh sqlite TREE OUTDIR [FILE...]
#       run ext/wasm's GNUmakefile for the ES-module build (sqlite3.mjs),
#       the Node build (sqlite3-node.mjs) and the OPFS proxy, at -Oz, with
#       FILE... (extra_init.c and libmigrate.a) as its
#       sqlite3_wasm_extra_init.c, and copy the results into OUTDIR.
#       Without FILE: stock SQLite, for the size comparison.  The build's
#       output goes to OUTDIR.log.
#
# Older-toolchain details (README.md, "Why these workarounds"):
#  - configure looks for an Emscripten SDK (emsdk_env.sh + upstream/
#    emscripten/emcc); Debian installs emcc as /usr/bin/emcc with no SDK
#    folder, so a two-file stand-in SDK is made under build/wasm/emsdk.
#  - bin.emcc and bin.wasm-opt go through tool/wasm/compat.sh (three flags
#    that emscripten 3.1.6 / binaryen 108 spell differently).
#  - Node: emscripten 3.1.6's ES-module output for Node still uses the
#    CommonJS names `require` and `__dirname`; the three lines newer
#    emscripten writes itself are put in front of sqlite3-node.mjs.
#  - The Node glue is linked with -lnodefs.js (emscripten's bridge to the
#    host file system, JS only) and exports FS so that tool/wasm's Node
#    entry can mount a host folder; the .wasm is byte-for-byte the one
#    the browser loads, which this script checks with cmp.
set -e
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

cmd=$1
shift || true
case "$cmd" in
tree)
  T=$1
  [ -n "$T" ] || { echo "build.sh tree: TREE missing" >&2; exit 2; }
  if [ -f "$T/.ready" ]; then exit 0; fi
  orig=$(sh "$root/tool/fetch-sqlite-src.sh" "$root/build/sqlite-src")
  rm -rf "$T" && mkdir -p "$T"
  tar -xf "$orig" -C "$T" --strip-components=1
  T=$(cd "$T" && pwd)
  sdk=$(dirname "$T")/emsdk
  mkdir -p "$sdk/upstream/emscripten"
  : > "$sdk/emsdk_env.sh"
  ln -sf "$(command -v emcc)" "$sdk/upstream/emscripten/emcc"
  # ext/wasm does not build out of tree: configure in the tree itself.
  (cd "$T" && ./configure --with-emsdk="$sdk" >configure.log 2>&1) \
    || { tail -20 "$T/configure.log" >&2; exit 1; }
  (cd "$T" && make sqlite3.c >make.log 2>&1) || { tail -20 "$T/make.log" >&2; exit 1; }
  touch "$T/.ready"
  ;;
sqlite)
  T=$(cd "$1" && pwd)
  mkdir -p "$2"
  O=$(cd "$2" && pwd)
  shift 2
  W=$T/ext/wasm
  # Without wasm-strip an -Oz build keeps -g3's names only by staying huge,
  # and ext/wasm would go on anyway: refuse instead.
  command -v wasm-strip >/dev/null 2>&1 || {
    echo "build.sh: wasm-strip (Debian package wabt) is missing" >&2; exit 1; }
  extra=""
  for f in "$@"; do extra="$extra $(cd "$(dirname "$f")" && pwd)/$(basename "$f")"; done
  # The outer make decided this is out of date; ext/wasm's own rules
  # cannot see a change of sqlite3_wasm_extra_init.c, so start clean.
  rm -f "$W/jswasm/esm/sqlite3.mjs" "$W/jswasm/node/sqlite3-node.mjs" \
        "$W/jswasm/sqlite3-node.mjs"
  # emcc_opt=-Oz is what ext/wasm's release targets (dist, snapshot) use;
  # its -g3 keeps the exported names, wasm-strip (wabt) removes the rest.
  # With libmigrate: the ES-module build, the Node build and the OPFS
  # proxy (the Node target pulls in ext/wasm's vanilla build too).
  # Without: only the ES-module build, for its .wasm size.
  targets="jswasm/esm/sqlite3.mjs"
  [ -z "$extra" ] || \
    targets="$targets jswasm/sqlite3-node.mjs jswasm/sqlite3-opfs-async-proxy.js"
  # shellcheck disable=SC2086
  make -C "$W" -j2 \
    emcc_opt=-Oz \
    bin.emcc="sh $here/compat.sh emcc" \
    bin.wasm-opt="sh $here/compat.sh wasm-opt" \
    bin.wasm-strip="$(command -v wasm-strip)" \
    sqlite3_wasm_extra_init.c="$extra" \
    emcc.flags.node="-lnodefs.js -sEXPORTED_RUNTIME_METHODS=FS,wasmMemory" \
    $targets >"$O.log" 2>&1 || { grep -v '^\[' "$O.log" | tail -30 >&2; exit 1; }
  if [ -z "$extra" ]; then
    cp "$W/jswasm/esm/sqlite3.wasm" "$O/"
    exit 0
  fi
  cmp "$W/jswasm/esm/sqlite3.wasm" "$W/jswasm/node/sqlite3-node.wasm" || {
    echo "build.sh: the Node build's .wasm differs from the browser's" >&2; exit 1; }
  cp "$W/jswasm/esm/sqlite3.mjs" "$W/jswasm/esm/sqlite3.wasm" \
     "$W/jswasm/sqlite3-opfs-async-proxy.js" "$O/"
  {
    echo "import { createRequire as __lmCreateRequire } from 'node:module';"
    echo "const require = __lmCreateRequire(import.meta.url);"
    echo "import { fileURLToPath as __lmFileURLToPath } from 'node:url';"
    echo "const __dirname = __lmFileURLToPath(new URL('.', import.meta.url));"
    cat "$W/jswasm/sqlite3-node.mjs"
  } > "$O/sqlite3-node.mjs.tmp"
  mv "$O/sqlite3-node.mjs.tmp" "$O/sqlite3-node.mjs"
  ;;
*)
  echo "usage: build.sh tree TREE | build.sh sqlite TREE OUTDIR [FILE...]" >&2
  exit 2
  ;;
esac

#!/bin/sh
# compat.sh — runs Debian 12's emcc (emscripten 3.1.6) or wasm-opt
# (binaryen 108) with the few flags of SQLite 3.53's ext/wasm/GNUmakefile
# that those older versions spell differently or do not know.
#
#   sh tool/wasm/compat.sh emcc ARGS...       (ext/wasm's bin.emcc)
#   sh tool/wasm/compat.sh wasm-opt ARGS...   (ext/wasm's bin.wasm-opt)
#
# Each rewrite, and why (tool/wasm/README.md has the whole story):
#   emcc -sSTACK_SIZE=N      renamed from TOTAL_STACK in emscripten 3.1.25;
#                            3.1.6 rejects the new name ("Attempt to set a
#                            non-existent setting"), so it gets the old one.
#   emcc -Wno-limited-postlink-optimizations
#                            a warning flag newer emcc knows; dropped (3.1.6
#                            only warns about it, on every compile).
#   wasm-opt --enable-bulk-memory-opt
#                            newer binaryen's name for a feature that
#                            --all-features (also passed) already turns on
#                            in 108; without the rewrite wasm-opt stops
#                            with "Unknown option" and ext/wasm ships the
#                            wasm unoptimised.
# Everything else is passed through unchanged.
set -e
tool=$1
shift
case "$tool" in
  emcc|wasm-opt) ;;
  *) echo "compat.sh: usage: compat.sh emcc|wasm-opt ARGS..." >&2; exit 2 ;;
esac
n=$#
while [ "$n" -gt 0 ]; do
  a=$1
  shift
  n=$((n - 1))
  case "$tool:$a" in
    emcc:-sSTACK_SIZE=*) set -- "$@" "-sTOTAL_STACK=${a#-sSTACK_SIZE=}" ;;
    emcc:-Wno-limited-postlink-optimizations) ;;
    wasm-opt:--enable-bulk-memory-opt) ;;
    *) set -- "$@" "$a" ;;
  esac
done
exec "$tool" "$@"

#!/bin/sh
# check-examples.sh — `make check-examples`: builds and runs, offline, the
# Go and Rust examples of tool/examples/ and the shell, C, Go and Rust
# snippets of the "Use it from…" section (README.md once it is there, else
# tool/examples/use-it-from.md), each in its own folder under
# build/examples/ holding a link to libmigrate.so, and compares what each
# prints with the README's block under it.
#   Go    golang-go 1.19 + golang-github-mattn-go-sqlite3-dev: the module's
#         go.mod, with a replace pointing at /usr/share/gocode, GOPROXY=off
#   Rust  Debian's rustc/cargo + librust-rusqlite-dev: a cargo config that
#         replaces crates.io with /usr/share/cargo/registry, offline
# Snippets are fragments: Go's is wrapped in package main/func main with
# its imports, Rust's in fn main() -> rusqlite::Result<()>.
set -e
cd "$(dirname "$0")/../.."
top=$PWD
B=$top/build/examples
so=$top/libmigrate.so
sh tool/install-deps.sh golang-go golang-github-mattn-go-sqlite3-dev rustc cargo librust-rusqlite-dev
GOSRC=/usr/share/gocode/src/github.com/mattn/go-sqlite3
fails=0
ok() { echo "   ok: $*"; }
bad() { echo "   FAIL: $*"; fails=$((fails+1)); }
step() { t=$(date +%s); echo "== $*"; }
took() { echo "   ($(( $(date +%s) - t )) s)"; }
ex() { sh tool/bindings/example.sh "$@"; }

# Compares DIR/got with the output block of example NAME in README.
compare() {
  ex "$1" "$2" output > "$3/expected"
  if cmp -s "$3/expected" "$3/got"; then ok "$2 prints what the README says"
  else bad "$2 output"; diff "$3/expected" "$3/got" || true; fi
}
# A fresh folder with libmigrate.so in it.
fresh() { rm -rf "$1" && mkdir -p "$1" && ln -s "$so" "$1/libmigrate.so"; }
# Offline Go build of the folder: go.mod + replace to Debian's source.
gobuild() {
  (cd "$1" && go mod edit -replace "github.com/mattn/go-sqlite3=$GOSRC" \
     && GOFLAGS=-mod=mod GOPROXY=off GOPATH=$B/gopath GOCACHE=$B/gocache go build -o prog .)
}
# Offline cargo build of the folder with Debian's registry and toolchain.
cargobuild() {
  mkdir -p "$1/.cargo"
  printf '[source.crates-io]\nreplace-with = "debian"\n[source.debian]\ndirectory = "/usr/share/cargo/registry"\n[net]\noffline = true\n' \
    > "$1/.cargo/config.toml"
  (cd "$1" && CARGO_HOME=$B/cargo-home CARGO_TARGET_DIR=$B/cargo-target RUSTC=/usr/bin/rustc \
     /usr/bin/cargo build --quiet --release)
}

step "shell snippet (sqlite3 $(sqlite3 --version | cut -d' ' -f1))"
d=$B/use-shell; fresh "$d"
ex use-it-from use-shell code > "$d/run.sh"
(cd "$d" && sh run.sh > got 2>&1) || true
compare use-it-from use-shell "$d"
took

step "C snippet"
d=$B/use-c; fresh "$d"
ex use-it-from use-c code > "$d/app.c"
if ${CC:-cc} -std=c99 -Wall -Wextra -Werror -o "$d/app" "$d/app.c" -lsqlite3; then
  (cd "$d" && ./app > got 2>&1) || true
  compare use-it-from use-c "$d"
else
  bad "C snippet does not compile"
fi
took

step "Go ($(go version | cut -d' ' -f3), mattn/go-sqlite3 $(dpkg-query -W -f '${Version}' golang-github-mattn-go-sqlite3-dev))"
d=$B/go; fresh "$d"
cp tool/examples/go/main.go tool/examples/go/go.mod "$d/"
if gobuild "$d"; then
  (cd "$d" && ./prog ./libmigrate.so app.db > got 2>&1) || true
  compare tool/examples/README.md go "$d"
else
  bad "tool/examples/go does not build"
fi
d=$B/use-go; fresh "$d"
cp tool/examples/go/go.mod "$d/"
{
  printf 'package main\n\nimport (\n\t"database/sql"\n\t"fmt"\n\t"log"\n\n\tsqlite3 "github.com/mattn/go-sqlite3"\n)\n\nfunc main() {\n'
  ex use-it-from use-go code | sed 's/^/\t/'
  printf '}\n'
} > "$d/main.go"
if gobuild "$d"; then
  [ -z "$(gofmt -l "$d/main.go")" ] || bad "the Go snippet is not gofmt-clean"
  (cd "$d" && ./prog > got 2>&1) || true
  compare use-it-from use-go "$d"
else
  bad "the Go snippet does not build"
fi
took

step "Rust ($(/usr/bin/rustc --version | cut -d' ' -f2), rusqlite $(dpkg-query -W -f '${Version}' librust-rusqlite-dev))"
d=$B/rust; fresh "$d"
cp -r tool/examples/rust/Cargo.toml tool/examples/rust/src "$d/"
if cargobuild "$d"; then
  (cd "$d" && $B/cargo-target/release/libmigrate-example ./libmigrate.so app.db > got 2>&1) || true
  compare tool/examples/README.md rust "$d"
else
  bad "tool/examples/rust does not build"
fi
d=$B/use-rust; fresh "$d"
mkdir -p "$d/src"
sed 's/^name = "libmigrate-example"/name = "use-rust"/' tool/examples/rust/Cargo.toml > "$d/Cargo.toml"
{
  printf 'use rusqlite::{Connection, LoadExtensionGuard};\n\nfn main() -> rusqlite::Result<()> {\n'
  ex use-it-from use-rust code | sed 's/^/    /'
  printf '    Ok(())\n}\n'
} > "$d/src/main.rs"
if cargobuild "$d"; then
  (cd "$d" && $B/cargo-target/release/use-rust > got 2>&1) || true
  compare use-it-from use-rust "$d"
else
  bad "the Rust snippet does not build"
fi
took

echo
if [ $fails = 0 ]; then echo "check-examples: all passed"; else echo "check-examples: $fails failed"; fi
[ $fails = 0 ]

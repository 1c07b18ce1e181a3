#!/usr/bin/env node
// copy-sources.js — run by `npm pack` (prepack): copies the extension's C
// sources into csrc/ so that the tarball builds the module at install with
// nothing but a C compiler.  What it copies:
//   ../../ext/*.c, *.h             the extension
//   ../../build/NAME_sql.c         every sql/NAME.sql (storage, hooks,
//                                  lock, boot) as a C string (generated
//                                  by `make`)
//   sqlite3.h, sqlite3ext.h        SQLite's public headers, from
//                                  /usr/include (or $SQLITE_INCLUDE)
// The headers travel with the package so that installing needs no SQLite
// development package: the module is built against sqlite3ext.h and calls
// SQLite only through the API table the loading SQLite hands it (the one
// inside better-sqlite3 or inside Node), which only ever grows, so headers
// of SQLite >= 3.34 serve every newer engine.  Nothing is downloaded.
'use strict';
const fs = require('fs');
const path = require('path');

const pkg = path.resolve(__dirname, '..');
const top = path.resolve(pkg, '..', '..');
const out = path.join(pkg, 'csrc');
const inc = process.env.SQLITE_INCLUDE || '/usr/include';

function fail(msg) {
  console.error(`libmigrate prepack: ${msg}`);
  process.exit(1);
}

const ext = path.join(top, 'ext');
if (!fs.existsSync(path.join(ext, 'migrate.h'))) {
  fail(`${ext}/migrate.h not found: pack from tool/npm inside the libmigrate repository`);
}
const generated = fs.readdirSync(path.join(top, 'sql')).filter((f) => f.endsWith('.sql'))
  .map((f) => path.join(top, 'build', f.replace(/\.sql$/, '_sql.c')));
for (const f of generated) {
  if (!fs.existsSync(f)) fail(`${f} not found: run make in ${top} first`);
}
const headers = ['sqlite3.h', 'sqlite3ext.h'].map((f) => path.join(inc, f));
for (const f of headers) {
  if (!fs.existsSync(f)) {
    fail(`${f} not found: install SQLite's headers (Debian: libsqlite3-dev) or set SQLITE_INCLUDE`);
  }
}

// The package version is the extension's.
const m = /#define MIGRATE_VERSION "([^"]+)"/.exec(fs.readFileSync(path.join(ext, 'migrate.h'), 'utf8'));
const version = require(path.join(pkg, 'package.json')).version;
if (!m || m[1] !== version) {
  fail(`package.json version ${version} differs from MIGRATE_VERSION ${m ? m[1] : '(none)'} in ext/migrate.h`);
}

fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(out);
const sources = fs.readdirSync(ext).filter((f) => /\.[ch]$/.test(f)).map((f) => path.join(ext, f));
for (const f of [...sources, ...generated, ...headers]) {
  fs.copyFileSync(f, path.join(out, path.basename(f)));
}
console.error(`libmigrate prepack: ${sources.length + generated.length + headers.length} files in csrc/`);

// The prebuilt module: only glibc >= 2.14 is needed (memcpy); make
// check-node verifies that with objdump -T.
const pre = path.join(pkg, 'prebuilt');
fs.rmSync(pre, { recursive: true, force: true });
if (process.platform === 'linux' && process.arch === 'x64') {
  const { build } = require(path.join(pkg, 'build.js'));
  const dir = path.join(pre, 'linux-x64-gnu');
  const err = build(path.join(dir, 'libmigrate.so'));
  if (err) fail(`cannot build the prebuilt module: ${err}`);
  console.error(`libmigrate prepack: ${path.relative(pkg, dir)}/libmigrate.so`);
}

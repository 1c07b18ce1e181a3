#!/usr/bin/env node
// build.js — run by `npm install` (the package's install script): compiles
// the SQLite extension from the package's own C sources (csrc/, copied in
// at pack time) into build/libmigrate.so (.dylib on macOS).  Nothing is
// downloaded; all it needs is a C compiler and the C library's headers.
//
//   CC=clang npm install libmigrate         choose the compiler
//   npm rebuild libmigrate                  build again
//   LIBMIGRATE_FROM_SOURCE=1                never fall back to the prebuilt
//
// Without a C compiler on Linux x64 with glibc, the prebuilt module in
// prebuilt/linux-x64-gnu/ (made at pack time) is used instead, as it is
// when the install script does not run at all.  Any failure says what is
// missing.  The file is named libmigrate so that SQLite derives the entry
// point sqlite3_migrate_init from it.
'use strict';
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const root = __dirname;
const csrc = path.join(root, 'csrc');
const suffix = { linux: '.so', darwin: '.dylib' }[process.platform];

// The prebuilt module for this platform, or null.
function prebuiltPath() {
  if (process.platform !== 'linux' || process.arch !== 'x64') return null;
  const header = process.report && process.report.getReport().header;
  if (!header || !header.glibcVersionRuntime) return null;   // musl
  const p = path.join(root, 'prebuilt', 'linux-x64-gnu', 'libmigrate.so');
  return fs.existsSync(p) ? p : null;
}

function works(argv) {
  const r = spawnSync(argv[0], [...argv.slice(1), '--version'], { stdio: 'ignore' });
  return !r.error && r.status === 0;
}

// The compiler: $CC (may hold flags), else the first of cc, gcc, clang.
// Returns [argv, null] or [null, why].
function findCompiler() {
  if (process.env.CC) {
    const cc = process.env.CC.trim().split(/\s+/);
    return works(cc) ? [cc, null]
      : [null, `the C compiler CC=${process.env.CC} cannot be run: install it or unset CC`];
  }
  const cc = [['cc'], ['gcc'], ['clang']].find(works);
  return cc ? [cc, null]
    : [null, 'no C compiler found (tried cc, gcc, clang): install one ' +
             '(Debian/Ubuntu: apt-get install gcc; macOS: xcode-select --install), ' +
             'then run npm rebuild libmigrate'];
}

// Compiles csrc/*.c into OUT.  Returns null, or why it could not.
function build(out, cc) {
  let why;
  if (!suffix) return `building on ${process.platform} is not supported (Linux and macOS are)`;
  for (const h of ['sqlite3ext.h', 'sqlite3.h', 'migrate.h']) {
    if (!fs.existsSync(path.join(csrc, h))) {
      return `the package is incomplete: ${path.join(csrc, h)} is missing (npm pack copies it in)`;
    }
  }
  if (!cc) {
    [cc, why] = findCompiler();
    if (!cc) return why;
  }
  const sources = fs.readdirSync(csrc).filter((f) => f.endsWith('.c')).sort()
    .map((f) => path.join(csrc, f));
  const args = [
    ...cc.slice(1), '-std=c99', '-O2', '-fPIC',
    process.platform === 'darwin' ? '-dynamiclib' : '-shared',
    '-I' + csrc, '-o', out + '.tmp', ...sources,
  ];
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const r = spawnSync(cc[0], args, { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    const text = (r.stderr || '') + (r.stdout || '');
    process.stderr.write(text);
    const header = /fatal error: ([^:\s]+\.h): No such file or directory/.exec(text);
    if (header) {
      return `cannot build: the header ${header[1]} is missing: install the C library's ` +
             'development files (Debian/Ubuntu: apt-get install libc6-dev)';
    }
    return `cannot build: ${cc.join(' ')} failed${r.error ? ': ' + r.error.message : ''} (output above)`;
  }
  fs.renameSync(out + '.tmp', out);
  return null;
}

function main() {
  const out = path.join(root, 'build', 'libmigrate' + suffix);
  const [cc, noCompiler] = findCompiler();
  const pre = process.env.LIBMIGRATE_FROM_SOURCE ? null : prebuiltPath();
  if (!cc && pre && !process.env.CC) {
    console.error(`libmigrate: ${noCompiler.replace(/: install one.*/, '')}; using the prebuilt ${pre}`);
    return;
  }
  const why = cc ? build(out, cc) : noCompiler;
  if (why) {
    console.error(`libmigrate: ${why}`);
    process.exit(1);
  }
  console.error(`libmigrate: built ${out}`);
}

module.exports = { build, prebuiltPath };
if (require.main === module) main();

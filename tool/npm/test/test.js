// test.js — the npm package through one binding, run by make check-node
// (tool/npm/test/check-node.sh) with node --test from a project that has
// installed the packed tarball:
//   LIBMIGRATE_DRIVER=better-sqlite3   Node 20, better-sqlite3 12
//   LIBMIGRATE_DRIVER=node:sqlite      Node 22, DatabaseSync
//   LIBMIGRATE_EXPECT=build|prebuilt   where getLoadablePath() must point
'use strict';
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const migrate = require('libmigrate');

const driver = process.env.LIBMIGRATE_DRIVER;
const expect = process.env.LIBMIGRATE_EXPECT || 'build';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'libmigrate-node-'));
let nDb = 0;

// A fresh database with the extension loaded, and helpers that hide the
// two bindings' differences: one(sql, ...) is the first column of the
// first row, all(sql, ...) the rows as objects.
function open() {
  const file = path.join(tmp, `t${++nDb}.db`);
  let db;
  if (driver === 'better-sqlite3') {
    const Database = require('better-sqlite3');
    db = new Database(file);
    db.one = (sql, ...p) => db.prepare(sql).pluck().get(...p);
  } else if (driver === 'node:sqlite') {
    const { DatabaseSync } = require('node:sqlite');
    db = new DatabaseSync(file, { allowExtension: true });
    db.one = (sql, ...p) => {
      const row = db.prepare(sql).get(...p);
      return row === undefined ? undefined : Object.values(row)[0];
    };
  } else {
    throw new Error('set LIBMIGRATE_DRIVER to better-sqlite3 or node:sqlite');
  }
  db.all = (sql, ...p) => db.prepare(sql).all(...p).map((r) => ({ ...r }));
  migrate.load(db);
  return db;
}

function define(db, name, up, down) {
  db.prepare('INSERT INTO migrations(name, up, down) VALUES (?, ?, ?)').run(name, up, down);
}

test('getLoadablePath: absolute, exists, named for the entry point', () => {
  const p = migrate.getLoadablePath();
  assert.ok(path.isAbsolute(p), p);
  assert.ok(fs.statSync(p).isFile(), p);
  assert.strictEqual(path.basename(p), 'libmigrate.so');
  const dir = path.basename(path.dirname(p));
  assert.strictEqual(dir, expect === 'prebuilt' ? 'linux-x64-gnu' : 'build');
});

test('every SQL function runs through this binding', () => {
  const db = open();
  assert.strictEqual(db.one('SELECT migrate()'), 0);
  define(db, '1_a', 'CREATE TABLE a(x);', 'DROP TABLE a;');
  define(db, '2_b', 'CREATE TABLE b(x);', 'DROP TABLE b;');
  assert.strictEqual(db.one('SELECT migrate_dry_run()'), 2);
  assert.strictEqual(db.one("SELECT count(*) FROM sqlite_schema WHERE name IN ('a','b')"), 0);
  assert.strictEqual(db.one("SELECT migrate('1_a')"), 1);
  assert.strictEqual(db.one('SELECT migrate()'), 1);
  assert.deepStrictEqual(db.all('SELECT name, state, batch FROM migration_status'),
    [{ name: '1_a', state: 'applied', batch: 1 }, { name: '2_b', state: 'applied', batch: 2 }]);
  assert.strictEqual(db.one('SELECT migrate_version()'), '2_b');
  assert.strictEqual(db.one("SELECT rollback_to('1_a')"), 1);
  assert.strictEqual(db.one('SELECT migrate_refresh()'), 2);
  db.prepare("UPDATE migrations SET up = 'CREATE TABLE a(x, y);' WHERE name = '1_a'").run();
  assert.throws(() => db.one('SELECT migrate()'),
    { message: "migrate: 1_a was edited after it was applied (its checksum differs from the ledger's); restore its up script or accept the edit with SELECT migrate_repair()" });
  assert.strictEqual(db.one('SELECT migrate_repair()'), 1);
  assert.strictEqual(db.one('SELECT rollback(1)'), 2);
  assert.strictEqual(db.one('SELECT migrate_reset()'), 0);
  assert.strictEqual(db.one("SELECT migration_checksum('a')"), 'af63dc4c8601ec8c');
  assert.strictEqual(db.one("SELECT count(*) FROM migrations_history WHERE ok = 1"), 9);   // 1+1 up, 1 down, 2 down + 2 up, 2 down
  db.close();
});

test('a failing migration: the exact error, nothing applied', () => {
  const db = open();
  define(db, '1_ok', 'CREATE TABLE ok(x);', 'DROP TABLE ok;');
  define(db, '2_bad', 'CREATE TABLE fine(x);\nCRATE TABLE t(x);', '');
  assert.throws(() => db.one('SELECT migrate()'),
    { message: 'migrate: 2_bad failed: near "CRATE": syntax error (line 2)' });
  assert.strictEqual(db.one("SELECT count(*) FROM sqlite_schema WHERE name IN ('ok','fine')"), 0);
  assert.strictEqual(db.one('SELECT count(*) FROM migrations_ledger'), 0);
  db.close();
});

test('migration_diff and migrate_generate run (no crash), queries as documented', () => {
  const db = open();
  db.exec('CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT)');
  const up = db.one('SELECT migration_diff(?)',
    'CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT, email TEXT);');
  assert.strictEqual(up, 'ALTER TABLE "users" ADD COLUMN email TEXT;\n');
  assert.strictEqual(db.one("SELECT migrate_generate('1_email', ?)",
    'CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT, email TEXT);'), 1);
  assert.strictEqual(db.one('SELECT migrate()'), 1);
  assert.strictEqual(db.one("SELECT count(*) FROM pragma_table_info('users') WHERE name = 'email'"), 1);
  const noProgress = db.one("SELECT sqlite_compileoption_used('OMIT_PROGRESS_CALLBACK')") === 1;
  const sql = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT count(*) FROM c';
  const why = noProgress
    ? "this SQLite has no progress callback to bound a query's running time (SQLITE_OMIT_PROGRESS_CALLBACK), so a desired schema cannot run a query"
    : 'the desired schema ran too long';
  assert.throws(() => db.one('SELECT migration_diff(?)', sql),
    { message: `migration_diff: desired schema statement 1 refused: ${why} (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c...)` });
  // better-sqlite3's SQLite is the reduced one, Node's is not
  assert.strictEqual(noProgress, driver === 'better-sqlite3');
  db.close();
});

test('load() refuses what is not a database', () => {
  for (const bad of [undefined, null, {}, 'app.db']) {
    assert.throws(() => migrate.load(bad), {
      name: 'TypeError',
      message: 'libmigrate.load(db): db must be a better-sqlite3 Database or a node:sqlite DatabaseSync opened with { allowExtension: true }',
    });
  }
});

test('node:sqlite without allowExtension: an error that says what to do',
  { skip: driver !== 'node:sqlite' && 'node:sqlite only' }, () => {
    const { DatabaseSync } = require('node:sqlite');
    const db = new DatabaseSync(':memory:');
    assert.throws(() => migrate.load(db), {
      message: 'libmigrate.load(db): open the node:sqlite database with ' +
               'new DatabaseSync(path, { allowExtension: true }) (extension loading is not allowed)',
    });
    db.close();
  });

test('ES module entry: the same functions', async () => {
  const esm = await import('libmigrate');
  assert.strictEqual(esm.load, migrate.load);
  assert.strictEqual(esm.getLoadablePath, migrate.getLoadablePath);
  assert.strictEqual(esm.default.load, migrate.load);
});

// The install script's errors, run on the installed package's build.js.
const buildJs = path.join(path.dirname(require.resolve('libmigrate')), 'build.js');
function runBuild(env) {
  return spawnSync(process.execPath, [buildJs], { encoding: 'utf8', env: { ...process.env, ...env } });
}
const nodeOnly = fs.mkdtempSync(path.join(tmp, 'bin-'));   // a PATH with no compiler

test('install: a CC that cannot run is named', () => {
  const r = runBuild({ CC: 'no-such-cc' });
  assert.strictEqual(r.status, 1);
  assert.strictEqual(r.stderr.trim(), 'libmigrate: the C compiler CC=no-such-cc cannot be run: install it or unset CC');
});

test('install: no compiler at all is named (LIBMIGRATE_FROM_SOURCE)', () => {
  const r = runBuild({ CC: '', PATH: nodeOnly, LIBMIGRATE_FROM_SOURCE: '1' });
  assert.strictEqual(r.status, 1);
  assert.strictEqual(r.stderr.trim(), 'libmigrate: no C compiler found (tried cc, gcc, clang): install one (Debian/Ubuntu: apt-get install gcc; macOS: xcode-select --install), then run npm rebuild libmigrate');
});

test('install: no compiler on Linux x64 takes the prebuilt module', () => {
  const r = runBuild({ CC: '', PATH: nodeOnly });
  assert.strictEqual(r.status, 0);
  assert.match(r.stderr.trim(), /^libmigrate: no C compiler found \(tried cc, gcc, clang\); using the prebuilt \/.*\/prebuilt\/linux-x64-gnu\/libmigrate\.so$/);
});

test('install: missing C headers are named', () => {
  const r = runBuild({ CC: 'cc -nostdinc' });
  assert.strictEqual(r.status, 1);
  assert.match(r.stderr, /\nlibmigrate: cannot build: the header \S+\.h is missing: install the C library's development files \(Debian\/Ubuntu: apt-get install libc6-dev\)\n$/);
});

test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

// check.mjs — the scenario `make check-browser` runs, in headless Chromium
// (inside the example page, on the page's own database object) and under
// Node (tool/wasm/check-node.mjs), the same code in both.
//
// A "load" is a page load in the browser and a fresh Node process under
// Node: the example's start() runs (define the three migrations, migrate,
// write a note), then the load's phases run on what start() returned,
// {db, applied}.  LOADS lists the loads in order; each phase returns the
// list of what it checked and throws at the first thing that is wrong.
import { MIGRATIONS, FOURTH, BROKEN, addFourth, rollbackLast, tryBroken } from './example/app.mjs';

/** The loads of the scenario, each a list of phase names, in order. */
export const LOADS = [
  ['firstLoad'],
  ['reload', 'fourth', 'rollback', 'syntaxError', 'badInput'],
  ['lastLoad'],
];

const NAMES3 = MIGRATIONS.map((m) => m.name);

// Lines checked so far by the running runPhases().
let log = [];

/** actual must equal expected (as JSON); the line shows the value. */
function same(actual, expected, what, shown = JSON.stringify(expected)) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${what}: expected ${e}, got ${a}`);
  log.push(shown === '' ? what : `${what}: ${shown}`);
}

/** The same, for snapshots too long to print. */
function unchanged(after, before, what) {
  same(after, before, what, '');
}

async function statusOf(db) {
  return (await db.status()).map((s) => [s.name, s.state, s.batch]);
}

async function notes(db) {
  return (await db.select('SELECT body FROM notes ORDER BY id')).map((r) => r.body);
}

async function columns(db, table) {
  return (await db.select('SELECT name FROM pragma_table_info(?1) ORDER BY cid', [table]))
    .map((r) => r.name);
}

/** Everything that must not move when a call fails. */
async function everything(db) {
  return {
    schema: await db.select('SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY name'),
    ledger: await db.select('SELECT * FROM migrations_ledger ORDER BY rowid'),
    scripts: await db.select('SELECT * FROM migrations_scripts ORDER BY name'),
    notes: await db.select('SELECT * FROM notes ORDER BY id'),
  };
}

/** Runs fn, which must reject with a MigrateError saying exactly message. */
async function rejects(fn, message, codeName, what) {
  try {
    await fn();
  } catch (e) {
    const got = [e.name, e.message, e.codeName];
    if (JSON.stringify(got) !== JSON.stringify(['MigrateError', message, codeName])) {
      throw new Error(`${what}: expected MigrateError "${message}" (${codeName}),`
        + ` got ${e.name} "${e.message}" (${e.codeName})`);
    }
    log.push(`${what}: ${e.name} "${e.message}" (${e.codeName})`);
    return;
  }
  throw new Error(`${what}: expected a MigrateError "${message}", but it succeeded`);
}

const applied3 = NAMES3.map((n) => [n, 'applied', 1]);
const NOT_INTEGER = 'rollback: n must be a non-negative integer (the number of batches to revert)';
const MISUSE = 'SQLITE_MISUSE';

export const phases = {
  async firstLoad({ db, applied }) {
    same(applied, 3, 'first load: migrate() applied');
    same(await statusOf(db), applied3, 'first load: migration_status');
    same(await db.version(), '003_tags', 'first load: migrate_version()');
    same(await notes(db), ['visit 1'], 'first load: notes written');
  },

  async reload({ db, applied }) {
    same(applied, 0, 'reload: migrate() applied');
    same(await statusOf(db), applied3, 'reload: migration_status');
    same(await notes(db), ['visit 1', 'visit 2'], 'reload: the first load\'s note is still there');
  },

  async fourth({ db }) {
    same(await addFourth(db), 1, 'fourth: migrate() applied');
    same(await statusOf(db), [...applied3, [FOURTH.name, 'applied', 2]], 'fourth: migration_status');
    same(await columns(db, 'notes'), ['id', 'body', 'created_at', 'pinned'], 'fourth: columns of notes');
  },

  async rollback({ db }) {
    same(await rollbackLast(db), 1, 'rollback: rollback(1) reverted');
    same(await statusOf(db), [...applied3, [FOURTH.name, 'pending', null]], 'rollback: migration_status');
    same(await columns(db, 'notes'), ['id', 'body', 'created_at'], 'rollback: columns of notes');
    // The app of the next load ships only the three: forget 004 again.
    await db.exec('DELETE FROM migrations WHERE name = ?1', [FOURTH.name]);
    same(await statusOf(db), applied3, 'rollback: back to three');
  },

  async syntaxError({ db }) {
    const message = 'migrate: 005_archive failed: near "CRATE": syntax error (line 2)';
    const before = await everything(db);
    await rejects(() => tryBroken(db), message, 'SQLITE_ERROR', 'syntax error: migrate() rejects');
    const after = await everything(db);
    unchanged(after.schema, before.schema, 'syntax error: schema unchanged (no table archive)');
    unchanged(after.ledger, before.ledger, 'syntax error: ledger unchanged');
    unchanged(after.notes, before.notes, 'syntax error: data unchanged');
    unchanged(after.scripts, before.scripts, 'syntax error: definitions unchanged (005 forgotten again)');
    same(await statusOf(db), applied3, 'syntax error: migration_status');
    same(await db.select('SELECT name, direction, ok, message FROM migrations_history WHERE ok = 0'),
      [{ name: BROKEN.name, direction: 'up', ok: 0, message }],
      'syntax error: the failure is in migrations_history');
  },

  async badInput({ db }) {
    const before = await everything(db);
    await rejects(() => db.define('001_x'),
      'define: expected an array of {name, up, down}', MISUSE, 'define(a string)');
    await rejects(() => db.define([null]),
      'define: migrations[0] is not an object', MISUSE, 'define([null])');
    await rejects(() => db.define([{ name: '006_x', up: 1 }]),
      'define: migrations[0].up must be a string', MISUSE, 'define(up: a number)');
    await rejects(() => db.define([{ name: '006_x', up: '', down: 5 }]),
      'define: migrations[0].down must be a string, null or undefined', MISUSE,
      'define(down: a number)');
    await rejects(() => db.define([{ name: '006_ok', up: 'CREATE TABLE t6(x);', down: '' },
      { name: '', up: 'SELECT 1;' }]),
    'migrations: name must not be empty', 'SQLITE_CONSTRAINT_CHECK',
    'define(second name empty)');
    await rejects(() => db.rollback(-1), NOT_INTEGER, 'SQLITE_MISMATCH', 'rollback(-1)');
    await rejects(() => db.rollback('x'), NOT_INTEGER, 'SQLITE_MISMATCH', 'rollback("x")');
    await rejects(() => db.rollback(1.5), NOT_INTEGER, 'SQLITE_MISMATCH', 'rollback(1.5)');
    await rejects(() => db.migrate('999_nope'),
      "migrate: no migration is named '999_nope'", 'SQLITE_ERROR', 'migrate(an unknown name)');
    await rejects(() => db.select('SELEC 1'),
      'near "SELEC": syntax error', 'SQLITE_ERROR', 'select(bad SQL)');
    await rejects(() => db.exec('INSERT INTO nowhere VALUES (1)'),
      'no such table: nowhere', 'SQLITE_ERROR', 'exec(bad SQL)');
    unchanged(await everything(db), before, 'bad input: database unchanged (006_ok not defined either)');
  },

  async lastLoad({ db, applied }) {
    same(applied, 0, 'last load: migrate() applied');
    same(await statusOf(db), applied3, 'last load: migration_status');
    same(await notes(db), ['visit 1', 'visit 2', 'visit 3'], 'last load: notes');
    same(await columns(db, 'notes'), ['id', 'body', 'created_at'], 'last load: columns of notes');
    same(await db.select("SELECT name FROM sqlite_schema WHERE name = 'archive'"), [],
      'last load: no table archive');
  },
};

/**
 * Runs the named phases in order on ctx.  Returns {lines, error}: every
 * line checked, and the message of the first failure (or null); never
 * throws, so that a browser page can hand the result back whole.
 */
export async function runPhases(names, ctx) {
  log = [];
  try {
    for (const name of names) await phases[name](ctx);
  } catch (e) {
    return { lines: log, error: e.message };
  }
  return { lines: log, error: null };
}

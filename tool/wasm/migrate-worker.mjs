// migrate-worker.mjs — the Worker behind tool/wasm/migrate.mjs: loads
// sqlite3.wasm (SQLite + libmigrate) and runs one MigrateDatabase.
//
// Why a Worker: SQLite's "opfs" VFS keeps the database in the browser's
// Origin Private File System through synchronous access handles, which
// browsers give to Workers only (and it needs SharedArrayBuffer/Atomics,
// i.e. a cross-origin-isolated page).  The page talks to this Worker with
// messages:
//   in:  {id, op, args}        op: 'open' first, then a METHODS entry
//   out: {id, result} | {id, error: {message, code, codeName}}
// Messages are handled one at a time, in order: after the module has
// loaded every operation is synchronous.
import sqlite3InitModule from './sqlite3.mjs';
import { MigrateDatabase, MigrateError, METHODS } from './migrate-core.mjs';

const loading = sqlite3InitModule();
let db;

const NO_OPFS = 'SQLite\'s "opfs" VFS is not available in this browser context:'
  + ' it needs SharedArrayBuffer and Atomics, which a page gets only when it is'
  + ' cross-origin isolated (served with Cross-Origin-Opener-Policy: same-origin'
  + ' and Cross-Origin-Embedder-Policy: require-corp)';

function openDatabase(sqlite3, filename, vfs) {
  if (db) throw new MigrateError('open: this worker already has a database open');
  if (vfs === 'opfs' && !sqlite3.capi.sqlite3_vfs_find('opfs')) {
    throw new MigrateError(NO_OPFS, 14, 'SQLITE_CANTOPEN');
  }
  db = new MigrateDatabase(sqlite3, filename, vfs);
}

self.onmessage = async (event) => {
  const { id, op, args } = event.data;
  try {
    const sqlite3 = await loading;
    let result;
    if (op === 'open') {
      openDatabase(sqlite3, ...args);
    } else if (METHODS.includes(op)) {
      if (!db) throw new MigrateError('the database is closed', 21, 'SQLITE_MISUSE');
      result = db[op](...args);
      if (op === 'close') db = undefined;
    } else {
      throw new MigrateError(`unknown operation: ${op}`, 21, 'SQLITE_MISUSE');
    }
    self.postMessage({ id, result });
  } catch (e) {
    self.postMessage({
      id,
      error: { message: e.message, code: e.code ?? 1, codeName: e.codeName ?? 'SQLITE_ERROR' },
    });
  }
};

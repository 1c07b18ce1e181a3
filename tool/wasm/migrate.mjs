// migrate.mjs — libmigrate in the browser: the ES module a web page
// imports.
//
//   import { open } from './libmigrate/migrate.mjs';
//   const db = await open('app.db');          // OPFS, survives reloads
//   await db.define([{ name: '001_notes', up: 'CREATE TABLE notes(body)',
//                      down: 'DROP TABLE notes' }]);
//   const applied = await db.migrate();       // SELECT migrate()
//   const rows = await db.status();           // migration_status
//   await db.rollback(1);                     // SELECT rollback(1)
//
// Every method returns a promise; a failure rejects with a MigrateError
// carrying libmigrate's (or SQLite's) message, its result code and code
// name.  Methods: define, migrate, rollback, status, version, exec,
// select, close (tool/wasm/migrate-core.mjs documents each).
//
// How: open() starts tool/wasm/migrate-worker.mjs as a module Worker (one
// per database); the Worker loads sqlite3.mjs/sqlite3.wasm (SQLite's own
// WebAssembly build with libmigrate compiled in) and opens the database
// with SQLite's "opfs" VFS.  Calls travel as messages {id, op, args} and
// come back as {id, result} or {id, error}.  The page must be served with
// the COOP/COEP headers (tool/wasm/README.md); without them open() rejects
// and says so.  All files of build/wasm/dist must sit in one folder.
import { MigrateError, facade } from './migrate-core.mjs';

export { MigrateError };

/**
 * Opens (creating if needed) a database in the Origin Private File
 * System, or with another VFS: options.vfs (default 'opfs'; undefined
 * for SQLite's default, a database that lives in memory only).
 */
export async function open(filename, options = {}) {
  const vfs = 'vfs' in options ? options.vfs : 'opfs';
  const worker = new Worker(new URL('./migrate-worker.mjs', import.meta.url),
    { type: 'module' });
  const pending = new Map();
  let nextId = 1;
  let dead = null;

  const fail = (error) => {
    dead = error;
    for (const { reject } of pending.values()) reject(error);
    pending.clear();
    worker.terminate();
  };
  worker.onmessage = ({ data }) => {
    const p = pending.get(data.id);
    if (!p) return;
    pending.delete(data.id);
    if (data.error) {
      const { message, code, codeName } = data.error;
      p.reject(new MigrateError(message, code, codeName));
    } else {
      p.resolve(data.result);
    }
  };
  worker.onerror = (event) => {
    event.preventDefault();
    fail(new MigrateError(`libmigrate worker failed: ${event.message || 'could not load'}`));
  };

  const call = (op, args) => new Promise((resolve, reject) => {
    if (dead) {
      reject(dead);
      return;
    }
    const id = nextId++;
    pending.set(id, { resolve, reject });
    worker.postMessage({ id, op, args });
  });

  try {
    await call('open', [filename, vfs]);
  } catch (e) {
    worker.terminate();
    throw e;
  }
  return facade(async (op, args) => {
    const result = await call(op, args);
    if (op === 'close') fail(new MigrateError('the database is closed', 21, 'SQLITE_MISUSE'));
    return result;
  });
}

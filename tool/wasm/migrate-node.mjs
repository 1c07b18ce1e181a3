// migrate-node.mjs — the same API as tool/wasm/migrate.mjs, under Node,
// on the same sqlite3.wasm (for tests, build scripts and tools; a Node
// app with a native SQLite would rather load libmigrate.so).
//
//   import { open } from './migrate-node.mjs';
//   const db = await open('/path/app.db');   // a file on the host's disk
//   await db.define([...]); await db.migrate(); ...
//
// How: sqlite3-node.mjs is ext/wasm's Node glue for that .wasm, linked with
// emscripten's NODEFS (tool/wasm/build.sh).  The module is loaded once per
// process, from the bytes of sqlite3.wasm next to this file (emscripten
// 3.1.6 would try fetch() on a file path under Node 18+).  Before SQLite
// starts, the host's root folder is mounted at /host in emscripten's file
// system, so open('/path/app.db') opens /host/path/app.db: a real file,
// which the sqlite3 shell can read too.  ':memory:' stays in memory.
// SQLite's VFS here is "unix-none": no file locking, so one process at a
// time per database file.  Calls run in-process, synchronously, behind
// promises so that code written for the browser runs unchanged.
import fs from 'node:fs';
import path from 'node:path';
import sqlite3InitModule from './sqlite3-node.mjs';
import { MigrateDatabase, MigrateError, facade } from './migrate-core.mjs';

export { MigrateError };

let loading;

function load() {
  if (!loading) {
    const emscriptenModule = {
      wasmBinary: fs.readFileSync(new URL('./sqlite3.wasm', import.meta.url)),
      preRun: [() => {
        const { FS } = emscriptenModule;
        FS.mkdir('/host');
        FS.mount(FS.filesystems.NODEFS, { root: '/' }, '/host');
      }],
    };
    loading = sqlite3InitModule(emscriptenModule);
  }
  return loading;
}

/** Opens (creating if needed) a database file on the host, or ':memory:'. */
export async function open(filename) {
  const sqlite3 = await load();
  if (typeof filename !== 'string') {
    throw new MigrateError('open: filename must be a string', 21, 'SQLITE_MISUSE');
  }
  const inMemory = filename === ':memory:' || filename === '';
  const db = new MigrateDatabase(sqlite3,
    inMemory ? filename : path.posix.join('/host', path.resolve(filename)));
  return facade(async (op, args) => db[op](...args));
}

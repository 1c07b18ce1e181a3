// migrate-core.mjs — the part of libmigrate's JS wrapper that talks to
// SQLite: one connection, synchronous, in whatever thread loaded
// sqlite3.wasm (a Worker in the browser, the main thread under Node).
//
// How it works: the connection is an oo1.DB of SQLite's own JS API (so
// every VFS SQLite's build registers can be named, "opfs" among them).
// libmigrate is already registered on it: the .wasm was built with
// tool/wasm/extra_init.c, which calls sqlite3_auto_extension() at
// sqlite3_initialize().  Each method is a few lines of SQL:
//   define(list)   INSERT OR REPLACE INTO migrations(name, up, down)
//                  VALUES (?1, ?2, ?3), values bound, inside one SAVEPOINT:
//                  all or nothing
//   migrate(t)     SELECT migrate() / SELECT migrate(?1)
//   rollback(n)    SELECT rollback(?1)
//   status()       SELECT ... FROM migration_status
// Statements are stepped with sqlite3_step() directly (oo1's Stmt.step()
// prints a console warning on every failed step), and every failure
// becomes a MigrateError whose message is sqlite3_errmsg() — libmigrate's
// own text, e.g. `migrate: 004_x failed: near "CRATE": syntax error
// (line 2)` — and whose code is the extended result code.
//
// facade() turns any "call(op, args)" transport into the async object a
// web developer uses; tool/wasm/migrate.mjs (browser, through a Worker)
// and tool/wasm/migrate-node.mjs (Node, in-process) both build theirs
// with it, so both expose exactly the same methods.

/** An error from SQLite or libmigrate: message as SQLite reports it. */
export class MigrateError extends Error {
  constructor(message, code = 1, codeName = 'SQLITE_ERROR') {
    super(message);
    this.name = 'MigrateError';
    this.code = code;         // extended result code, e.g. 1, 19, 20
    this.codeName = codeName; // e.g. 'SQLITE_ERROR'
  }
}

/** The methods a database object has, in the browser and in Node. */
export const METHODS = ['define', 'migrate', 'rollback', 'status', 'version',
  'exec', 'select', 'close'];

const SQLITE_MISUSE = 21;

/** One open connection with libmigrate on it (synchronous). */
export class MigrateDatabase {
  #sqlite3;
  #db;

  /**
   * filename: as SQLite takes it (':memory:' for a database in memory);
   * vfs: the name of a registered VFS, or undefined for the default.
   */
  constructor(sqlite3, filename, vfs) {
    this.#sqlite3 = sqlite3;
    if (typeof filename !== 'string') {
      throw new MigrateError('open: filename must be a string', SQLITE_MISUSE,
        'SQLITE_MISUSE');
    }
    if (vfs !== undefined && !sqlite3.capi.sqlite3_vfs_find(vfs)) {
      throw new MigrateError(`open: no such VFS: ${vfs}`);
    }
    try {
      this.#db = new sqlite3.oo1.DB({ filename, flags: 'c', vfs });
    } catch (e) {
      throw new MigrateError(`open: ${filename}: ${e.message}`,
        e.resultCode || 1, sqlite3.capi.sqlite3_js_rc_str(e.resultCode || 1));
    }
  }

  /**
   * Defines migrations: an array of {name, up, down}.  name and up are
   * strings; down is a string ('' when there is nothing to undo), or
   * null/undefined for an irreversible migration.  New names are added,
   * existing ones replaced; on any error nothing is defined.  Returns the
   * number of migrations given.
   */
  define(migrations) {
    if (!Array.isArray(migrations)) {
      throw new MigrateError('define: expected an array of {name, up, down}',
        SQLITE_MISUSE, 'SQLITE_MISUSE');
    }
    const rows = migrations.map((m, i) => {
      const where = `define: migrations[${i}]`;
      if (m === null || typeof m !== 'object') {
        throw new MigrateError(`${where} is not an object`, SQLITE_MISUSE,
          'SQLITE_MISUSE');
      }
      for (const key of ['name', 'up']) {
        if (typeof m[key] !== 'string') {
          throw new MigrateError(`${where}.${key} must be a string`,
            SQLITE_MISUSE, 'SQLITE_MISUSE');
        }
      }
      if (m.down !== undefined && m.down !== null && typeof m.down !== 'string') {
        throw new MigrateError(`${where}.down must be a string, null or undefined`,
          SQLITE_MISUSE, 'SQLITE_MISUSE');
      }
      return [m.name, m.up, m.down ?? null];
    });
    this.#run('SAVEPOINT libmigrate_define');
    try {
      for (const row of rows) {
        this.#run('INSERT OR REPLACE INTO migrations(name, up, down) VALUES (?1, ?2, ?3)', row);
      }
    } catch (e) {
      this.#run('ROLLBACK TO libmigrate_define');
      this.#run('RELEASE libmigrate_define');
      throw e;
    }
    this.#run('RELEASE libmigrate_define');
    return rows.length;
  }

  /** SELECT migrate([target]): the number of migrations applied. */
  migrate(target) {
    return target === undefined
      ? this.#value('SELECT migrate()')
      : this.#value('SELECT migrate(?1)', [target]);
  }

  /** SELECT rollback(n): the number of migrations reverted (n batches). */
  rollback(n = 1) {
    return this.#value('SELECT rollback(?1)', [n]);
  }

  /** The rows of migration_status, in migration order. */
  status() {
    return this.#run('SELECT name, state, batch, applied_at, duration_ms, checksum'
      + ' FROM migration_status', undefined, true);
  }

  /** migrate_version(): the last applied migration's name, or null. */
  version() {
    return this.#value('SELECT migrate_version()');
  }

  /**
   * Runs SQL.  Without bind: any number of statements (sqlite3_exec).
   * With bind (an array or an object of named values): one statement.
   * Returns the number of rows changed.
   */
  exec(sql, bind) {
    const { capi } = this.#sqlite3;
    if (bind !== undefined) {
      this.#run(sql, bind);
      return capi.sqlite3_changes(this.#pointer());
    }
    if (typeof sql !== 'string') {
      throw new MigrateError('exec: sql must be a string', SQLITE_MISUSE, 'SQLITE_MISUSE');
    }
    const before = capi.sqlite3_total_changes(this.#pointer());
    if (capi.sqlite3_exec(this.#pointer(), sql, 0, 0, 0) !== 0) throw this.#lastError();
    return capi.sqlite3_total_changes(this.#pointer()) - before;
  }

  /** One statement's rows, as objects keyed by column name. */
  select(sql, bind) {
    return this.#run(sql, bind, true);
  }

  close() {
    if (this.#db) this.#db.close();
    this.#db = undefined;
  }

  #pointer() {
    if (!this.#db) {
      throw new MigrateError('the database is closed', SQLITE_MISUSE, 'SQLITE_MISUSE');
    }
    return this.#db.pointer;
  }

  #value(sql, bind) {
    const rows = this.#run(sql, bind, true);
    const row = rows[0];
    return row === undefined ? undefined : Object.values(row)[0];
  }

  /** Prepares, binds and steps one statement; rows only when wantRows. */
  #run(sql, bind, wantRows = false) {
    const { capi, SQLite3Error } = this.#sqlite3;
    this.#pointer();
    if (typeof sql !== 'string') {
      throw new MigrateError('sql must be a string', SQLITE_MISUSE, 'SQLITE_MISUSE');
    }
    let stmt;
    try {
      stmt = this.#db.prepare(sql);
      if (bind !== undefined) stmt.bind(bind);
    } catch (e) {
      if (stmt) stmt.finalize();
      if (e instanceof SQLite3Error && e.resultCode) throw this.#lastError();
      throw new MigrateError(e.message, SQLITE_MISUSE, 'SQLITE_MISUSE');
    }
    try {
      const rows = [];
      for (;;) {
        const rc = capi.sqlite3_step(stmt.pointer);
        if (rc === capi.SQLITE_ROW) {
          if (wantRows) rows.push(this.#row(stmt.pointer));
        } else if (rc === capi.SQLITE_DONE) {
          return rows;
        } else {
          throw this.#lastError();
        }
      }
    } finally {
      stmt.finalize();
    }
  }

  /** The current row as {column: value}: integers as numbers (BigInt
   *  beyond 2^53), text as strings, blobs as Uint8Array, NULL as null. */
  #row(pStmt) {
    const { capi } = this.#sqlite3;
    const row = {};
    const n = capi.sqlite3_column_count(pStmt);
    for (let i = 0; i < n; i++) {
      row[capi.sqlite3_column_name(pStmt, i)] = capi.sqlite3_column_js(pStmt, i);
    }
    return row;
  }

  #lastError() {
    const { capi } = this.#sqlite3;
    const p = this.#db.pointer;
    const code = capi.sqlite3_extended_errcode(p);
    return new MigrateError(capi.sqlite3_errmsg(p), code,
      capi.sqlite3_js_rc_str(code) || capi.sqlite3_js_rc_str(code & 0xff));
  }
}

/**
 * The async database object: one method per METHODS entry, each
 * returning call(name, args) (a promise).
 */
export function facade(call) {
  const db = {};
  for (const name of METHODS) db[name] = (...args) => call(name, args);
  return Object.freeze(db);
}

// Type declarations of libmigrate (CommonJS and ES module entries alike).

/**
 * What load() needs of a database: better-sqlite3's Database and
 * node:sqlite's DatabaseSync both have it.
 */
export interface ExtensionLoadable {
  loadExtension(path: string, entryPoint?: string): unknown;
}

/**
 * Loads the libmigrate extension into db: a better-sqlite3 Database, or a
 * node:sqlite DatabaseSync opened with { allowExtension: true }.  Throws a
 * TypeError for anything else.
 */
export function load(db: ExtensionLoadable): void;

/** Absolute path of the loadable extension module (libmigrate.so). */
export function getLoadablePath(): string;

declare const libmigrate: {
  load: typeof load;
  getLoadablePath: typeof getLoadablePath;
};
export default libmigrate;

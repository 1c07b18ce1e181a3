// types.ts — type-checked (never run) by make check-node with
// tsc --strict: index.d.ts describes both entries and both bindings.
import Database from 'better-sqlite3';
import { DatabaseSync } from 'node:sqlite';
import * as migrate from 'libmigrate';
import libmigrate, { load, getLoadablePath } from 'libmigrate';

const path: string = getLoadablePath();
load(new Database(':memory:'));
migrate.load(new DatabaseSync(':memory:', { allowExtension: true }));
libmigrate.load(new Database(':memory:'));
const same: typeof libmigrate.getLoadablePath = migrate.getLoadablePath;
const nothing: void = load(new Database(':memory:'));

// @ts-expect-error: not a database
load({});
// @ts-expect-error: a path is not a database
load(path);
// @ts-expect-error: getLoadablePath() takes nothing
getLoadablePath('x');

export { same, nothing };

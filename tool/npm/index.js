// libmigrate for Node.js — loads the libmigrate SQLite extension (migrations
// kept inside the database) into a better-sqlite3 Database or a node:sqlite
// DatabaseSync.  The extension itself is built at install (build.js).
'use strict';
const fs = require('fs');
const path = require('path');

const suffix = process.platform === 'darwin' ? '.dylib' : '.so';

/**
 * Absolute path of the loadable extension: the one built at install
 * (build/libmigrate.so), else the prebuilt one for Linux x64 with glibc.
 */
function getLoadablePath() {
  const p = path.join(__dirname, 'build', 'libmigrate' + suffix);
  if (fs.existsSync(p)) return p;
  const pre = require('./build.js').prebuiltPath();
  if (pre) return pre;
  throw new Error(`libmigrate: ${p} does not exist and there is no prebuilt module for ` +
                  `${process.platform}-${process.arch}: the install script did not build it ` +
                  '(npm 12 blocks install scripts: add "allowScripts": {"libmigrate": true} to ' +
                  'your package.json) — run npm rebuild libmigrate and read its error');
}

/**
 * Loads the extension into db: a better-sqlite3 Database, or a node:sqlite
 * DatabaseSync opened with { allowExtension: true }.
 */
function load(db) {
  if (db === null || typeof db !== 'object' || typeof db.loadExtension !== 'function') {
    throw new TypeError('libmigrate.load(db): db must be a better-sqlite3 Database ' +
                        'or a node:sqlite DatabaseSync opened with { allowExtension: true }');
  }
  const file = getLoadablePath();
  try {
    db.loadExtension(file);
  } catch (e) {
    if (/allowExtension|extension loading is not allowed/.test(String(e && e.message))) {
      e.message = 'libmigrate.load(db): open the node:sqlite database with ' +
                  `new DatabaseSync(path, { allowExtension: true }) (${e.message})`;
    }
    throw e;
  }
}

module.exports = { load, getLoadablePath };

// app.mjs — the example's logic, with no DOM in it: what a web app does at
// start-up with libmigrate, plus the example's three buttons.  index.html
// renders it; tool/wasm/check.mjs drives the same functions in headless
// Chromium and under Node.  `open` is the open() of migrate.mjs (browser)
// or migrate-node.mjs (Node).

/** The app's migrations: defined at every start, applied when pending. */
export const MIGRATIONS = [
  {
    name: '001_notes',
    up: 'CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT NOT NULL);',
    down: 'DROP TABLE notes;',
  },
  {
    name: '002_notes_created_at',
    up: "ALTER TABLE notes ADD COLUMN created_at TEXT NOT NULL DEFAULT '';",
    down: 'ALTER TABLE notes DROP COLUMN created_at;',
  },
  {
    name: '003_tags',
    up: 'CREATE TABLE tags(note_id INTEGER NOT NULL REFERENCES notes(id),\n'
      + '                  tag TEXT NOT NULL);\n'
      + 'CREATE INDEX tags_by_tag ON tags(tag);',
    down: 'DROP TABLE tags;',
  },
];

/** A fourth migration, as a later version of the app would ship it. */
export const FOURTH = {
  name: '004_notes_pinned',
  up: 'ALTER TABLE notes ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0;',
  down: 'ALTER TABLE notes DROP COLUMN pinned;',
};

/** A migration with a typo on its second line. */
export const BROKEN = {
  name: '005_archive',
  up: 'CREATE TABLE archive(id INTEGER PRIMARY KEY, body TEXT);\n'
    + 'CRATE INDEX archive_by_body ON archive(body);',
  down: 'DROP TABLE archive;',
};

/**
 * Start-up: open the database, define the migrations, migrate, then write
 * one note per visit.  Returns {db, applied}.
 */
export async function start(open, filename) {
  const db = await open(filename);
  await db.define(MIGRATIONS);
  const applied = await db.migrate();
  const [{ n }] = await db.select('SELECT count(*) AS n FROM notes');
  await db.exec('INSERT INTO notes(body, created_at) VALUES (?1, ?2)',
    [`visit ${n + 1}`, new Date().toISOString()]);
  return { db, applied };
}

/** "Add migration 004": define it with the others, migrate. */
export async function addFourth(db) {
  await db.define([...MIGRATIONS, FOURTH]);
  return db.migrate();
}

/** "Roll back": revert the last batch. */
export async function rollbackLast(db) {
  return db.rollback(1);
}

/**
 * "Try a broken migration": define it and migrate, which rejects; then
 * forget it again, so that the next load does not trip over it.
 */
export async function tryBroken(db) {
  await db.define([BROKEN]);
  try {
    return await db.migrate();
  } finally {
    await db.exec('DELETE FROM migrations WHERE name = ?1', [BROKEN.name]);
  }
}

/** What the page shows: migration_status and the notes. */
export async function snapshot(db) {
  return {
    status: await db.status(),
    notes: await db.select('SELECT id, body FROM notes ORDER BY id'),
  };
}

-- blog.sql — example migrations for a tiny blog, defined the start-up way:
-- INSERT OR REPLACE registers every migration (new ones are added, existing
-- ones replaced; identical ones are left alone).  `make demo` reads this in
-- the sqlite3 shell after `.load ./libmigrate`, then runs SELECT migrate().

INSERT OR REPLACE INTO migrations(name, up, down) VALUES
('001_create_users',
 'CREATE TABLE users(
    id    INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE
  );',
 'DROP TABLE users;'),

('002_create_posts',
 'CREATE TABLE posts(
    id      INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    title   TEXT NOT NULL,
    body    TEXT
  );
  CREATE INDEX posts_user ON posts(user_id);',
 'DROP TABLE posts;'),

('003_seed_admin',
 'INSERT INTO users(email) VALUES(''admin@example.com'');',
 'DELETE FROM users WHERE email=''admin@example.com'';'),

-- A table rebuild (SQLite cannot add NOT NULL with ALTER TABLE): works with
-- PRAGMA foreign_keys=ON because migrate() suspends enforcement for the call
-- and runs PRAGMA foreign_key_check before committing.
('010_users_add_name',
 'CREATE TABLE users_new(
    id    INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name  TEXT NOT NULL DEFAULT ''''
  );
  INSERT INTO users_new(id, email) SELECT id, email FROM users;
  DROP TABLE users;
  ALTER TABLE users_new RENAME TO users;',
 'ALTER TABLE users DROP COLUMN name;');

CREATE TABLE store_history (
  store_id INTEGER NOT NULL REFERENCES store(id) ON DELETE CASCADE,
  at INTEGER NOT NULL,
  value BLOB
);
INSERT INTO store VALUES (1, 'theme', 'dark'), (2, 'lang', 'en');
INSERT INTO store_history VALUES (1, 1, 'light'), (1, 2, 'dark');

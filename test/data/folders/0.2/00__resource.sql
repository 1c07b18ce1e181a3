CREATE TABLE resource (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  memo_id INTEGER REFERENCES memo(id) ON DELETE CASCADE,
  filename TEXT NOT NULL,
  blob BLOB
);
INSERT INTO resource(memo_id, filename, blob) VALUES (1, 'a.png', x'89504e47');

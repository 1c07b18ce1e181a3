-- +goose Up
CREATE TABLE tags (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE COLLATE NOCASE
);
CREATE TABLE bookmark_tags (
  bookmark_id INTEGER NOT NULL REFERENCES bookmarks(id) ON DELETE CASCADE,
  tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
  PRIMARY KEY (bookmark_id, tag_id)
) WITHOUT ROWID;
INSERT INTO tags(id, name) VALUES (1, 'databases'), (2, 'docs');
INSERT INTO bookmark_tags VALUES (1, 1), (2, 1), (2, 2);

-- +goose Down
DROP TABLE bookmark_tags;
DROP TABLE tags;

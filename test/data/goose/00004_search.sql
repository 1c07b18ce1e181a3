-- +goose Up
CREATE VIRTUAL TABLE bookmarks_fts USING fts5(title, url, content='bookmarks', content_rowid='id');
INSERT INTO bookmarks_fts(rowid, title, url) SELECT id, title, url FROM bookmarks;

-- +goose StatementBegin
CREATE TRIGGER bookmarks_ai AFTER INSERT ON bookmarks BEGIN
  INSERT INTO bookmarks_fts(rowid, title, url) VALUES (new.id, new.title, new.url);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER bookmarks_ad AFTER DELETE ON bookmarks BEGIN
  INSERT INTO bookmarks_fts(bookmarks_fts, rowid, title, url) VALUES ('delete', old.id, old.title, old.url);
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER bookmarks_ad;
DROP TRIGGER bookmarks_ai;
DROP TABLE bookmarks_fts;

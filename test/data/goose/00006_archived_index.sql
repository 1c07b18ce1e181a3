-- +goose NO TRANSACTION
-- +goose Up
CREATE INDEX bookmarks_archived ON bookmarks(user_id, archived);

-- +goose Down
DROP INDEX bookmarks_archived;

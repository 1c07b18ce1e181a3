-- +goose Up
INSERT INTO users(id, username, created_at) VALUES
  (1, 'ada', '2024-01-01 00:00:00'),
  (2, 'linus', '2024-01-02 00:00:00');
INSERT INTO bookmarks(user_id, url, title) VALUES
  (1, 'https://sqlite.org', 'SQLite'),
  (1, 'https://www.sqlite.org/lang_altertable.html', 'ALTER TABLE'),
  (2, 'https://kernel.org', 'Kernel');

-- +goose Down
DELETE FROM bookmarks;
DELETE FROM users;

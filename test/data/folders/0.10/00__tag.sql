CREATE TABLE tag (
  name TEXT NOT NULL,
  creator_id INTEGER NOT NULL REFERENCES user(id),
  UNIQUE(name, creator_id)
);
INSERT INTO tag VALUES ('todo', 1);

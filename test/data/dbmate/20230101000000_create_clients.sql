-- migrate:up
CREATE TABLE clients (
  id TEXT PRIMARY KEY,
  secret_hash BLOB NOT NULL,
  redirect_uri TEXT NOT NULL
);

-- migrate:down
DROP TABLE clients;

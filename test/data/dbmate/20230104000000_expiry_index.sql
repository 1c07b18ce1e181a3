-- migrate:up transaction:false
CREATE INDEX sessions_expiry ON sessions(expires_at);

-- migrate:down
DROP INDEX sessions_expiry;

CREATE INDEX ciphers_user ON ciphers(user_uuid);

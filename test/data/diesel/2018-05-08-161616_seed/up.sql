-- Your SQL goes here
INSERT INTO users VALUES ('u1', 'a@example.com', x'aa'), ('u2', 'b@example.com', x'bb');
INSERT INTO ciphers(uuid, user_uuid, data, favorite) VALUES ('c1', 'u1', '{}', 1), ('c2', 'u2', '{"x":1}', 0);

-- migrate:up
INSERT INTO clients VALUES ('web', x'00ff', 'https://example.com/cb'), ('cli', x'0102', 'http://localhost/cb');
INSERT INTO sessions VALUES ('s1', 'web', 1700000000), ('s2', 'cli', 1700000300);

-- migrate:down
DELETE FROM sessions;
DELETE FROM clients;

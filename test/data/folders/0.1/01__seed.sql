INSERT INTO user(id, username) VALUES (1, 'host');
INSERT INTO memo(creator_id, content) VALUES (1, 'hello'), (1, '#todo buy milk');

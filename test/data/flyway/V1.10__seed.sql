INSERT INTO artist VALUES (1, 'Nina Simone'), (2, 'Miles Davis');
INSERT INTO album VALUES (1, 1, 'Pastel Blues', 1965), (2, 2, 'Kind of Blue', 1959);
INSERT INTO track VALUES (1, 1, 'Be My Husband', 175), (2, 2, 'So What', 562), (3, 2, 'Blue in Green', 337);

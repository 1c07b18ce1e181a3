INSERT INTO accounts VALUES (1, 'a@example.com'), (2, 'b@example.com');
INSERT INTO invoices VALUES (1, 1, 1200), (2, 2, 0), (3, 1, 99);

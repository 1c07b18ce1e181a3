-- This file should undo anything in `up.sql`
DELETE FROM ciphers;
DELETE FROM users;

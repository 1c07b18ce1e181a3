DROP INDEX ciphers_user;

DROP TABLE store;

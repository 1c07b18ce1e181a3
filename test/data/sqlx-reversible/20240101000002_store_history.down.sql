DROP TABLE store_history;
DELETE FROM store;

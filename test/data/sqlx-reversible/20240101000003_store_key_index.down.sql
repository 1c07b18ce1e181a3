DROP INDEX store_key_lower;

CREATE INDEX store_key_lower ON store(lower(key));

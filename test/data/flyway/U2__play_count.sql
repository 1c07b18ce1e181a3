ALTER TABLE track DROP COLUMN play_count;

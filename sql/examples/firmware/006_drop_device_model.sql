-- migrate:up
-- Step 6, irreversible (no down section): the model column is dropped, and
-- its data with it, so there is nothing to roll back to.
ALTER TABLE devices DROP COLUMN model;

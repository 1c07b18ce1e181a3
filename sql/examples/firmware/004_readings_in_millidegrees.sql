-- migrate:up
-- Step 4, a table rebuild (SQLite's ALTER TABLE cannot change a column's
-- type): value REAL in degrees becomes milli_c INTEGER in millidegrees, with
-- a CHECK, and a flags column.  New table, copy, drop old, rename, re-index.
CREATE TABLE readings_new(
  id        INTEGER PRIMARY KEY,
  device_id INTEGER NOT NULL REFERENCES devices(id),
  ts        INTEGER NOT NULL,
  milli_c   INTEGER NOT NULL CHECK (milli_c BETWEEN -273150 AND 1000000),
  flags     INTEGER NOT NULL DEFAULT 0
);
INSERT INTO readings_new(id, device_id, ts, milli_c)
  SELECT id, device_id, ts, CAST(round(value*1000) AS INTEGER) FROM readings;
DROP TABLE readings;
ALTER TABLE readings_new RENAME TO readings;
CREATE INDEX readings_device_ts ON readings(device_id, ts);

-- migrate:down
CREATE TABLE readings_old(
  id        INTEGER PRIMARY KEY,
  device_id INTEGER NOT NULL REFERENCES devices(id),
  ts        INTEGER NOT NULL,
  value     REAL NOT NULL
);
INSERT INTO readings_old(id, device_id, ts, value)
  SELECT id, device_id, ts, milli_c/1000.0 FROM readings;
DROP TABLE readings;
ALTER TABLE readings_old RENAME TO readings;
CREATE INDEX readings_device_ts ON readings(device_id, ts);

-- migrate:up
-- Step 2: one row per measurement, temperature in degrees C as a REAL.
CREATE TABLE readings(
  id        INTEGER PRIMARY KEY,
  device_id INTEGER NOT NULL REFERENCES devices(id),
  ts        INTEGER NOT NULL,
  value     REAL NOT NULL
);
CREATE INDEX readings_device_ts ON readings(device_id, ts);

-- migrate:down
DROP TABLE readings;

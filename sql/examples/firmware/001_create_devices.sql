-- migrate:up
-- Sensor-log firmware example, step 1: the devices this logger reads.
CREATE TABLE devices(
  id           INTEGER PRIMARY KEY,
  serial       TEXT NOT NULL UNIQUE,
  model        TEXT,
  installed_at INTEGER NOT NULL DEFAULT (CAST(strftime('%s', 'now') AS INTEGER))
);

-- migrate:down
DROP TABLE devices;

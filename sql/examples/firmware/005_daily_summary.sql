-- migrate:up
-- Step 5, a derived table filled from the data: one row per device and day.
CREATE TABLE daily_summary(
  device_id INTEGER NOT NULL REFERENCES devices(id),
  day       INTEGER NOT NULL,
  n         INTEGER NOT NULL,
  min_mc    INTEGER NOT NULL,
  max_mc    INTEGER NOT NULL,
  avg_mc    INTEGER NOT NULL,
  PRIMARY KEY(device_id, day)
) WITHOUT ROWID;
INSERT INTO daily_summary
  SELECT device_id, ts/86400, count(*), min(milli_c), max(milli_c),
         CAST(avg(milli_c) AS INTEGER)
    FROM readings GROUP BY device_id, ts/86400;

-- migrate:down
DROP TABLE daily_summary;

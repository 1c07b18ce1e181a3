-- migrate:up
-- Step 3, a data migration: the factory calibration log (4 devices, 20000
-- readings, one a minute) imported in one go.  It takes long enough that
-- the power-loss test (make check-power) kills it mid-way.
INSERT INTO devices(id, serial, model, installed_at) VALUES
  (1, 'SN-0001', 'TMP117', 1700000000),
  (2, 'SN-0002', 'TMP117', 1700000000),
  (3, 'SN-0003', 'SHT40',  1700000000),
  (4, 'SN-0004', 'SHT40',  1700000000);
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i+1 FROM n WHERE i<19999)
INSERT INTO readings(device_id, ts, value)
  SELECT 1 + i%4, 1700000000 + (i/4)*60, 18.0 + (i*7919 % 1000)/100.0 FROM n;

-- migrate:down
DELETE FROM readings;
DELETE FROM devices;

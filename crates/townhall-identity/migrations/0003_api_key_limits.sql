-- How many requests a minute each API key may make (a burst of that many,
-- then one every 60/N seconds). Keys made before this column existed get the
-- default a new key gets.
ALTER TABLE api_keys ADD COLUMN requests_per_minute BIGINT NOT NULL DEFAULT 600;

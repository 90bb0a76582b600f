-- Wrong passwords count within a window, and rows about addresses nobody has
-- tried for a day are deleted: an address someone typed is not kept.
ALTER TABLE sign_in_failures ADD COLUMN last_failed_at TEXT NOT NULL DEFAULT '';
CREATE INDEX sign_in_failures_age ON sign_in_failures (council_id, last_failed_at);

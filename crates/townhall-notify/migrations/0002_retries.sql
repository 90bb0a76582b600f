-- Messages whose provider failed for a passing reason are tried again later.
ALTER TABLE notifications ADD COLUMN next_attempt_at TEXT;

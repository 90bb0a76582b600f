-- Browsers that have signed in to an account, each known by the SHA-256 of
-- the secret its device cookie holds: a lock on the account does not stop
-- them, so that wrong passwords sent by others never keep the owner out
-- (OWASP's "device cookies"). Each has its own count of wrong passwords and
-- its own lock; a password reset forgets every one of the account's.
CREATE TABLE known_devices (
    council_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT,
    PRIMARY KEY (council_id, device_id)
);
CREATE INDEX known_devices_user ON known_devices (council_id, user_id, created_at);

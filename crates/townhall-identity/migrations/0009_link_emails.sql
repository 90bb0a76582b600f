-- Emails carrying a reset link sent to each address in the last hour,
-- counted in the store so that a restart or a second server does not reset
-- the count (see `recovery::LINK_EMAILS_PER_HOUR`).
CREATE TABLE link_emails (
    council_id TEXT NOT NULL,
    email TEXT NOT NULL,
    sent_at TEXT NOT NULL
);
CREATE INDEX link_emails_by_address ON link_emails (council_id, email, sent_at);

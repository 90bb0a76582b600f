-- Wrong passwords are counted per email address, whether or not an account
-- has it, so that sign-in answers never tell which addresses hold accounts.
CREATE TABLE sign_in_failures (
    council_id TEXT NOT NULL REFERENCES councils (council_id),
    kind TEXT NOT NULL,
    email TEXT NOT NULL,
    failed_attempts BIGINT NOT NULL,
    locked_until TEXT,
    PRIMARY KEY (council_id, kind, email)
);
ALTER TABLE users DROP COLUMN failed_attempts;
ALTER TABLE users DROP COLUMN locked_until;

-- A link sent by email stops working when a newer one is sent, or when
-- another link for the same thing is used.
ALTER TABLE account_tokens ADD COLUMN replaced_at TEXT;

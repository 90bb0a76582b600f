-- A passkey sign-in now starts before anyone says who they are (the browser
-- offers the passkeys it holds), so a ceremony may have no account yet.
-- Ceremonies live five minutes: the table is made again rather than altered,
-- which SQLite cannot do to a column's NOT NULL.
DROP TABLE webauthn_ceremonies;
CREATE TABLE webauthn_ceremonies (
    council_id TEXT NOT NULL,
    ceremony_id TEXT NOT NULL,
    user_id TEXT,
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    PRIMARY KEY (council_id, ceremony_id)
);

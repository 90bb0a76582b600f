CREATE TABLE teams (
    council_id TEXT NOT NULL REFERENCES councils (council_id),
    team_id TEXT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (council_id, team_id),
    UNIQUE (council_id, name)
);

CREATE TABLE users (
    council_id TEXT NOT NULL REFERENCES councils (council_id),
    user_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    email TEXT NOT NULL,
    display_name TEXT NOT NULL,
    password_hash TEXT,
    email_verified_at TEXT,
    failed_attempts BIGINT NOT NULL DEFAULT 0,
    locked_until TEXT,
    created_at TEXT NOT NULL,
    PRIMARY KEY (council_id, user_id),
    UNIQUE (council_id, kind, email)
);

CREATE TABLE residents (
    council_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    given_name TEXT NOT NULL,
    family_name TEXT NOT NULL,
    date_of_birth TEXT,
    phone TEXT,
    uprn TEXT,
    PRIMARY KEY (council_id, user_id),
    FOREIGN KEY (council_id, user_id) REFERENCES users (council_id, user_id)
);

CREATE TABLE staff (
    council_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    role TEXT NOT NULL,
    team_id TEXT,
    PRIMARY KEY (council_id, user_id),
    FOREIGN KEY (council_id, user_id) REFERENCES users (council_id, user_id)
);

CREATE TABLE sessions (
    council_id TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    user_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    PRIMARY KEY (council_id, token_hash),
    FOREIGN KEY (council_id, user_id) REFERENCES users (council_id, user_id)
);

CREATE TABLE account_tokens (
    council_id TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    user_id TEXT NOT NULL,
    purpose TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT,
    PRIMARY KEY (council_id, token_hash),
    FOREIGN KEY (council_id, user_id) REFERENCES users (council_id, user_id)
);

CREATE TABLE passkeys (
    council_id TEXT NOT NULL,
    credential_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    passkey TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    PRIMARY KEY (council_id, credential_id),
    FOREIGN KEY (council_id, user_id) REFERENCES users (council_id, user_id)
);

CREATE TABLE webauthn_ceremonies (
    council_id TEXT NOT NULL,
    ceremony_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    PRIMARY KEY (council_id, ceremony_id)
);

CREATE TABLE api_keys (
    council_id TEXT NOT NULL REFERENCES councils (council_id),
    key_id TEXT NOT NULL,
    name TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT,
    PRIMARY KEY (council_id, key_id)
);

-- The nonces of the signed requests the hub has answered, kept for as long
-- as their signatures would be accepted, so that each request is answered
-- once: a replayed request finds its nonce here.
CREATE TABLE hub_nonces (
    council_id TEXT NOT NULL,
    key_id TEXT NOT NULL,
    nonce TEXT NOT NULL,
    created BIGINT NOT NULL,
    PRIMARY KEY (council_id, key_id, nonce)
);

-- The hub's own Ed25519 keys, which sign its responses and the webhooks it
-- sends: the private seed (base64), and from when and until when it signs.
CREATE TABLE hub_keys (
    council_id TEXT NOT NULL REFERENCES councils (council_id),
    key_id TEXT NOT NULL,
    seed TEXT NOT NULL,
    created_at TEXT NOT NULL,
    retired_at TEXT,
    PRIMARY KEY (council_id, key_id)
);

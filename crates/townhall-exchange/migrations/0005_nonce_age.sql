-- Nonces are forgotten by age, a key at a time: found by their time, not
-- by reading every nonce of the key.
CREATE INDEX hub_nonces_by_age ON hub_nonces (council_id, key_id, created);

-- What each API key may be used for: `services` (Open311 and the consent
-- decision point, as every key before) or `index:SYSTEM` (writing one
-- system's records to the resident index, and nothing else).
ALTER TABLE api_keys ADD COLUMN scope TEXT NOT NULL DEFAULT 'services';

-- Which record types a partner asked to be sent (a JSON array of their
-- names); none means every type its agreements let the council send.
ALTER TABLE hub_webhooks ADD COLUMN record_types TEXT;

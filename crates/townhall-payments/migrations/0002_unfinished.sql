CREATE INDEX payments_unfinished ON payments (council_id, status, updated_at);

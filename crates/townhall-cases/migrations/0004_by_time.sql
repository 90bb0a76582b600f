CREATE INDEX cases_created ON cases (council_id, created_at);
CREATE INDEX case_events_created ON case_events (council_id, created_at);

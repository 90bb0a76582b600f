-- What one actor did, newest first: a partner organisation's history of
-- its exchanges with the hub.
CREATE INDEX audit_log_actor ON audit_log (council_id, actor_kind, actor_id, seq);

CREATE TABLE notifications (
    council_id TEXT NOT NULL REFERENCES councils (council_id),
    notification_id TEXT NOT NULL,
    channel TEXT NOT NULL,
    recipient TEXT NOT NULL,
    template_id TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    reference TEXT,
    status TEXT NOT NULL,
    status_detail TEXT,
    attempts BIGINT NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (council_id, notification_id)
);

CREATE INDEX notifications_status ON notifications (status, created_at);

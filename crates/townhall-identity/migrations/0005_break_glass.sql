-- A member of staff who needs to see a resident's record without an open
-- case of their team states why: the reason lets them look for a short
-- while, is shown to the resident and waits for the data protection
-- officer's review.
CREATE TABLE break_glass_reads (
    council_id TEXT NOT NULL REFERENCES councils (council_id),
    read_id TEXT NOT NULL,
    staff_id TEXT NOT NULL,
    staff_label TEXT NOT NULL,
    resident_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    reviewed_at TEXT,
    reviewed_by TEXT,
    PRIMARY KEY (council_id, read_id)
);
CREATE INDEX break_glass_active ON break_glass_reads (council_id, staff_id, resident_id, expires_at);
CREATE INDEX break_glass_to_review ON break_glass_reads (council_id, reviewed_at, created_at);

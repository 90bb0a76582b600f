-- Whether an event's note is published in the open feed (Open311), apart from
-- whether the person who reported the case sees it (`public`). Notes written
-- before this column existed were written for the reporter: not published.
ALTER TABLE case_events ADD COLUMN published BIGINT NOT NULL DEFAULT 0;

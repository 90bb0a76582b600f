-- How many times the council's cases have changed: moved in the transaction of
-- every change, so a copy of the open feed made at one count is current for as
-- long as the count stays the same.
ALTER TABLE case_counters ADD COLUMN changes BIGINT NOT NULL DEFAULT 0;

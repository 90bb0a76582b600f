-- A resident's name in lower case as Rust folds it (every script, not only
-- ASCII as SQLite's LOWER does), so that staff find "ØDEGAARD" by typing
-- "ødegaard" on either store. Rows saved before it are matched by LOWER.
ALTER TABLE residents ADD COLUMN search_name TEXT;

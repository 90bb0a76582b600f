-- Who lives at a home, for the council's services that act on what happens
-- there (a trigger rule on a bin's collections).
CREATE INDEX residents_home ON residents (council_id, uprn);

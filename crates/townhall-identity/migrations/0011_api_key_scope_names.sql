-- Keys carry scopes named as OAuth 2.0 writes them (space-separated):
-- a key "for the council's services" could report through Open311 and ask
-- the consent decision point; an index writer's key sends one system's
-- records.
UPDATE api_keys SET scope = 'open311:write consent:read' WHERE scope = 'services';
UPDATE api_keys SET scope = 'index:write:' || SUBSTR(scope, 7) WHERE scope LIKE 'index:%' AND scope NOT LIKE 'index:write:%';
-- The column's default, 'services', is never used: every key is made with its scopes.

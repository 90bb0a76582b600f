-- Addresses are kept in lower case, so that an account is found however
-- its address is typed (`types::EmailAddress`). Addresses saved before are
-- folded here, except where that would make two accounts of one kind share
-- an address; those stay as they were, and their owners sign in as before.
-- (SQLite's LOWER folds only ASCII letters; PostgreSQL's folds every script.)
UPDATE users SET email = LOWER(email)
WHERE email <> LOWER(email)
  AND NOT EXISTS (
    SELECT 1 FROM users AS other
    WHERE other.council_id = users.council_id
      AND other.kind = users.kind
      AND other.email = LOWER(users.email)
  );

-- A partner organisation's staff: an account of kind 'partner_staff' and
-- the organisation it works for (by the id the data-exchange hub gives the
-- partner, checked there when the account is made) with its role in it.
CREATE TABLE partner_staff (
    council_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    partner_id TEXT NOT NULL,
    role TEXT NOT NULL,
    PRIMARY KEY (council_id, user_id),
    FOREIGN KEY (council_id, user_id) REFERENCES users (council_id, user_id)
);

CREATE INDEX partner_staff_by_partner ON partner_staff (council_id, partner_id);

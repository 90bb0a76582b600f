-- Each time a trigger rule fired for a person: what happened at their home
-- (the days, the bin's tag), the facts that made it fire, each said as the
-- resident reads it, and what became of the referral: shared with a
-- partner through the hub (with its webhook delivery, when there is one),
-- passed to a team, refused by the hub, or, for a rule not yet live, only
-- recorded; then accepted or declined by the recipient, and its outcome.
CREATE TABLE trigger_firings (
    council_id TEXT NOT NULL REFERENCES councils (council_id),
    firing_id TEXT NOT NULL,
    rule_id TEXT NOT NULL,
    account_id TEXT NOT NULL,
    person_id TEXT,
    uprn TEXT NOT NULL,
    device_id TEXT NOT NULL,
    fired_on TEXT NOT NULL,
    fired_at TEXT NOT NULL,
    days TEXT NOT NULL,
    facts TEXT NOT NULL,
    recipient TEXT NOT NULL,
    recipient_name TEXT NOT NULL,
    status TEXT NOT NULL,
    delivery_id TEXT,
    refusal TEXT,
    decided_by TEXT,
    decided_at TEXT,
    note TEXT,
    outcome TEXT,
    outcome_at TEXT,
    PRIMARY KEY (council_id, firing_id)
);

CREATE INDEX trigger_firings_episode ON trigger_firings (council_id, rule_id, account_id, fired_on);
CREATE INDEX trigger_firings_recipient ON trigger_firings (council_id, recipient, fired_at);
CREATE INDEX trigger_firings_account ON trigger_firings (council_id, account_id);

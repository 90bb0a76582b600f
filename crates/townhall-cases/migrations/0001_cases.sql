CREATE TABLE case_counters (
    council_id TEXT NOT NULL REFERENCES councils (council_id),
    last BIGINT NOT NULL,
    PRIMARY KEY (council_id)
);

CREATE TABLE cases (
    council_id TEXT NOT NULL REFERENCES councils (council_id),
    case_id TEXT NOT NULL,
    reference TEXT NOT NULL,
    service_id TEXT NOT NULL,
    status TEXT NOT NULL,
    closed BIGINT NOT NULL,
    resident_id TEXT,
    contact_name TEXT,
    contact_email TEXT,
    contact_phone TEXT,
    answers TEXT NOT NULL,
    uprn TEXT,
    address TEXT,
    latitude DOUBLE PRECISION,
    longitude DOUBLE PRECISION,
    ward_code TEXT,
    parish_code TEXT,
    team_id TEXT NOT NULL,
    route_reason TEXT NOT NULL,
    assignee_id TEXT,
    channel TEXT NOT NULL,
    submitted_by TEXT,
    duplicate_of TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    due_at TEXT NOT NULL,
    PRIMARY KEY (council_id, case_id),
    UNIQUE (council_id, reference),
    FOREIGN KEY (council_id, team_id) REFERENCES teams (council_id, team_id)
);

CREATE INDEX cases_queue ON cases (council_id, team_id, closed, due_at);
CREATE INDEX cases_resident ON cases (council_id, resident_id, created_at);
CREATE INDEX cases_service ON cases (council_id, service_id, created_at);

CREATE TABLE case_events (
    council_id TEXT NOT NULL,
    case_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT,
    note TEXT,
    public BIGINT NOT NULL,
    actor TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (council_id, case_id, seq),
    FOREIGN KEY (council_id, case_id) REFERENCES cases (council_id, case_id)
);

CREATE TABLE permits (
    council_id TEXT NOT NULL,
    permit_id TEXT NOT NULL,
    case_id TEXT NOT NULL,
    service_id TEXT NOT NULL,
    name TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_until TEXT NOT NULL,
    PRIMARY KEY (council_id, permit_id),
    UNIQUE (council_id, case_id),
    FOREIGN KEY (council_id, case_id) REFERENCES cases (council_id, case_id)
);

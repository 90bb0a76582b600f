-- The device registry: each sensor the council accepts readings from, by
-- its SenML name, with its kind, where it is and who owns it. A bin tag is
-- at a home (its UPRN) on one container; the others at a point, in a ward.
CREATE TABLE sensor_devices (
    council_id TEXT NOT NULL REFERENCES councils (council_id),
    device_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    label TEXT NOT NULL,
    owner TEXT NOT NULL,
    uprn TEXT,
    container TEXT,
    latitude DOUBLE PRECISION NOT NULL,
    longitude DOUBLE PRECISION NOT NULL,
    ward TEXT,
    threshold INTEGER,
    added_at TEXT NOT NULL,
    PRIMARY KEY (council_id, device_id)
);

CREATE INDEX sensor_devices_by_kind ON sensor_devices (council_id, kind);

-- Measurements (fill levels, air quality, noise), one per device, name and
-- time: a reading sent twice is stored once, and one that arrives late
-- takes its place in time.
CREATE TABLE sensor_readings (
    council_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    measurement TEXT NOT NULL,
    measured_at TEXT NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    unit TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (council_id, device_id, measurement, measured_at),
    FOREIGN KEY (council_id, device_id) REFERENCES sensor_devices (council_id, device_id)
);

-- What the collection vehicles report of each bin tag at each collection:
-- lifted or not presented, on which round, at which home.
CREATE TABLE bin_lifts (
    council_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    lifted_at TEXT NOT NULL,
    uprn TEXT NOT NULL,
    round_id TEXT,
    outcome TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (council_id, device_id, lifted_at),
    FOREIGN KEY (council_id, device_id) REFERENCES sensor_devices (council_id, device_id)
);

CREATE INDEX bin_lifts_by_home ON bin_lifts (council_id, uprn, lifted_at);

-- Readings refused, counted by the name they came under and why (a
-- device nobody registered, a measurement its kind does not make), so
-- staff see what is knocking.
CREATE TABLE sensor_refusals (
    council_id TEXT NOT NULL REFERENCES councils (council_id),
    device_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    readings BIGINT NOT NULL,
    first_at TEXT NOT NULL,
    last_at TEXT NOT NULL,
    PRIMARY KEY (council_id, device_id, reason)
);

-- "Collect when full" jobs: the case a litter bin's fill level opened,
-- and the reading that opened it, so one filling opens one job.
CREATE TABLE sensor_jobs (
    council_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    reading_at TEXT NOT NULL,
    case_id TEXT NOT NULL,
    opened_at TEXT NOT NULL,
    PRIMARY KEY (council_id, device_id, reading_at),
    FOREIGN KEY (council_id, device_id) REFERENCES sensor_devices (council_id, device_id)
);

//! Sensors: the council's device registry ([`device`]: bin tags, litter
//! bins, air-quality and noise monitors, each with its place and owner),
//! readings published on an MQTT broker as SenML ([`senml`], RFC 8428),
//! stored once each by device, measurement and time ([`ingest`]) and told
//! as domain events, and litter bins past their fill threshold made
//! "collect when full" cases for the waste team ([`full`]).

pub mod broker;
mod configure;
pub mod demo;
pub mod device;
mod events;
pub mod full;
pub mod ingest;
pub mod kind;
pub mod permissions;
pub mod reading;
pub mod readings;
pub mod senml;

pub use broker::MqttSettings;
pub use configure::{CollectWhenFull, SensorRules};
pub use device::{Device, DeviceError, NewDevice, Place};
pub use events::{BinLiftRecorded, ReadingRecorded};
pub use ingest::{Ingest, Ingested, Pack};
pub use kind::{Kind, Measure, Outcome};

use townhall_store::Migration;

/// This capability's manifest.
pub const CAPABILITY: townhall_kernel::Capability = townhall_kernel::Capability {
    name: "sensors",
    migrations: MIGRATIONS,
    events: events::TYPES,
    configure: Some(configure::configure),
    demo: Some(demo::seed),
    jobs: &[broker::JOB, full::JOB],
    scopes: &[],
};

/// The schema: devices, readings, bin lifts, refusals and jobs.
pub const MIGRATIONS: &[Migration] = &[Migration::portable(
    2026120716,
    "sensors",
    include_str!("../migrations/0001_sensors.sql"),
)];

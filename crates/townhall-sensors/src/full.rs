//! "Collect when full": a litter bin whose fill level reaches its threshold
//! becomes a case of the council's chosen service (`sensors.toml`), routed
//! to its team as any other report, made by the subscriber to sensors'
//! events in the transaction that moves its checkpoint, so each is made
//! once.
//!
//! One filling makes one case: a reading at or above the threshold opens
//! a job only when it is the bin's latest, no job has been opened since the
//! bin was last emptied (read below half its threshold, so a level that
//! wavers about the threshold is one filling), and the last job's case is
//! closed. A reading that arrives late, behind a newer one, opens nothing.
//! A case the council's rules refuse (a team renamed, a place no routing
//! rule takes) is logged and the reading passed over, so one bin cannot
//! hold up the others.

use std::collections::HashMap;
use std::sync::Arc;

use townhall_cases::{Application, CaseError, Channel, Requester};
use townhall_events::{Stored, Subscriber, SubscriberError};
use townhall_kernel::{Deployment, Job, Missing, Registry, Running};
use townhall_places::{Boundaries, Council};
use townhall_services::{Catalogue, FormInput};
use townhall_store::{sql, Store, StoreError, Tx};
use townhall_types::{day, CaseId, CouncilId, Timestamp};
use townhall_waste::Collections;

use crate::configure::{CollectWhenFull, SensorRules};
use crate::device;
use crate::events::ReadingRecorded;
use crate::kind::Kind;

pub(crate) const JOB: Job = Job {
    name: "litter bins collected when full",
    start,
};

fn start(deployment: Arc<Deployment>) -> Result<Running, Missing> {
    let bins = FullBins::for_councils(&deployment.store, &deployment.councils)?;
    if bins.councils.is_empty() {
        return Ok(Box::pin(async {}));
    }
    Ok(Box::pin(townhall_events::run(
        deployment.store.clone(),
        bins,
        townhall_events::IDLE,
    )))
}

impl FullBins {
    /// The subscriber for `councils` (their settings) whose rules make
    /// full litter bins cases.
    pub fn for_councils<'a>(
        store: &Store,
        councils: impl IntoIterator<Item = &'a Registry>,
    ) -> Result<Self, Missing> {
        let mut councils_served = HashMap::new();
        for settings in councils {
            let rules: &SensorRules = settings.require()?;
            let Some(rule) = &rules.collect_when_full else {
                continue;
            };
            let council: &Council = settings.require()?;
            councils_served.insert(
                council.id,
                Served {
                    council: council.clone(),
                    boundaries: settings.require_arc()?,
                    services: settings.require_arc()?,
                    collections: settings.get_arc(),
                    rule: rule.clone(),
                },
            );
        }
        Ok(FullBins {
            store: store.clone(),
            councils: councils_served,
        })
    }
}

/// A council whose full bins become cases, and what making one needs.
struct Served {
    council: Council,
    boundaries: Arc<Boundaries>,
    services: Arc<Catalogue>,
    collections: Option<Arc<Collections>>,
    rule: CollectWhenFull,
}

/// The subscriber that makes full litter bins' cases.
pub struct FullBins {
    store: Store,
    councils: HashMap<CouncilId, Served>,
}

impl Subscriber for FullBins {
    const NAME: &'static str = "sensors-collect-when-full";

    fn wants(&self, council: CouncilId) -> bool {
        self.councils.contains_key(&council)
    }

    async fn handle(&self, tx: &mut Tx, events: &[Stored]) -> Result<(), SubscriberError> {
        for event in events {
            let (Some(served), Some(reading)) = (
                self.councils.get(&event.council),
                event.read::<ReadingRecorded>(),
            ) else {
                continue;
            };
            let reading = reading.map_err(|e| SubscriberError::Failed(e.to_string()))?;
            if reading.kind == Kind::LitterBin && reading.measurement == "fill" {
                self.consider(tx, served, &reading).await?;
            }
        }
        Ok(())
    }
}

impl FullBins {
    async fn consider(
        &self,
        tx: &mut Tx,
        served: &Served,
        reading: &ReadingRecorded,
    ) -> Result<(), SubscriberError> {
        let council = served.council.id;
        let Some(bin) = device::some(tx, council, &[reading.device.as_str()])
            .await?
            .pop()
        else {
            return Ok(());
        };
        let threshold = f64::from(bin.threshold.unwrap_or(served.rule.threshold));
        if reading.value < threshold
            || !opens_a_job(tx, &served.council, reading, threshold).await?
        {
            return Ok(());
        }
        let Some(service) = served.services.get(&served.rule.service) else {
            return Ok(());
        };
        let details = format!(
            "{} ({}) measured {}% full on {}.",
            bin.label,
            bin.id,
            reading.value.round(),
            day::long(reading.measured_at.uk_date())
        );
        let input: FormInput = HashMap::from([
            (
                format!("{}-latitude", served.rule.location),
                vec![bin.latitude.to_string()],
            ),
            (
                format!("{}-longitude", served.rule.location),
                vec![bin.longitude.to_string()],
            ),
            (served.rule.details.clone(), vec![details]),
        ]);
        let application = Application {
            council: &served.council,
            boundaries: &served.boundaries,
            service,
            collections: served.collections.as_deref(),
            input: &input,
            at: Timestamp::now(),
        };
        let requester = Requester::Guest {
            name: None,
            email: None,
            phone: None,
        };
        let channel = Channel::Sensor {
            device: bin.id.clone(),
        };
        let submission = match townhall_cases::prepare(&self.store, application, requester, channel)
            .await?
        {
            Ok(submission) => submission,
            Err(refusals) => {
                tracing::warn!(device = %bin.id, ?refusals, "a full litter bin's case was refused");
                return Ok(());
            }
        };
        let case = match townhall_cases::make_in(tx, &submission).await {
            Ok(Ok(case)) => case,
            Ok(Err(refusals)) => {
                tracing::warn!(device = %bin.id, ?refusals, "a full litter bin's case was refused");
                return Ok(());
            }
            Err(CaseError::Store(e)) => return Err(e.into()),
            Err(e) => {
                tracing::error!(device = %bin.id, error = %e, "a full litter bin's case cannot be made");
                return Ok(());
            }
        };
        sql::query(
            "INSERT INTO sensor_jobs (council_id, device_id, reading_at, case_id, opened_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(council.to_string())
        .bind(&bin.id)
        .bind(reading.measured_at.to_db())
        .bind(case.id.to_string())
        .bind(submission.at.to_db())
        .execute(&mut **tx)
        .await
        .map_err(StoreError::from)?;
        Ok(())
    }
}

/// Whether `reading` (at or above `threshold`) opens a job: it is its bin's
/// latest fill level, no job was opened since the bin was last emptied
/// (read below half the threshold), and the last job's case is closed.
async fn opens_a_job(
    tx: &mut Tx,
    council: &Council,
    reading: &ReadingRecorded,
    threshold: f64,
) -> Result<bool, StoreError> {
    let (latest, emptied): (Option<String>, Option<String>) = sql::query_as(
        "SELECT MAX(measured_at), MAX(CASE WHEN value < $3 THEN measured_at END) \
         FROM sensor_readings WHERE council_id = $1 AND device_id = $2 AND measurement = 'fill'",
    )
    .bind(council.id.to_string())
    .bind(&reading.device)
    .bind(threshold / 2.0)
    .fetch_one(&mut **tx)
    .await?;
    if latest.is_some_and(|l| l > reading.measured_at.to_db()) {
        return Ok(false);
    }
    let last: Option<(String, String)> = sql::query_as(
        "SELECT reading_at, case_id FROM sensor_jobs WHERE council_id = $1 AND device_id = $2 \
         ORDER BY reading_at DESC LIMIT 1",
    )
    .bind(council.id.to_string())
    .bind(&reading.device)
    .fetch_optional(&mut **tx)
    .await?;
    let Some((opened_by, case)) = last else {
        return Ok(true);
    };
    if emptied.is_none_or(|e| opened_by > e) {
        return Ok(false);
    }
    let Ok(case) = case.parse::<CaseId>() else {
        return Ok(true);
    };
    Ok(townhall_cases::load(tx, council, case)
        .await?
        .is_none_or(|c| c.closed))
}

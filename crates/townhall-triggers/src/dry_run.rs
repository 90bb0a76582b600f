//! Dry runs: a rule replayed over the collection vehicles' reports of a
//! past period, each day a tagged bin was reported evaluated exactly as the
//! live rule would have been that day, with one firing per person per
//! episode, and each person's consent as it stands now (so a dry run says
//! whom the rule would refer, and that someone who has since said no would
//! not be). Whom it would have flagged, when and
//! why, and whom it would not have, and why not; nothing is sent and no
//! firing is recorded. Every look at a person is audited under the name of
//! whoever ran it.

use std::collections::{BTreeSet, HashMap};

use time::{Date, Duration};
use townhall_audit::{Action, AuditEvent, RecordRef};
use townhall_sensors::{Kind, Place};
use townhall_store::StoreError;
use townhall_types::UserId;

use crate::evaluate::{evaluate, Evaluator, Home, Sources, Verdict};
use crate::rule::Rule;
use crate::said::Check;

/// The longest period one dry run replays.
pub const MOST_DAYS: i64 = 366;

/// Why a dry run cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum DryRunError {
    /// The period ends before it starts.
    #[error("the period ends ({to}) before it starts ({from})")]
    Backwards {
        /// Its first day.
        from: Date,
        /// Its last day.
        to: Date,
    },
    /// The period is too long.
    #[error("a dry run replays at most {MOST_DAYS} days; this period is {0} days")]
    TooLong(i64),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Someone a dry run found at a home whose bin met the rule's window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// The day the rule would have been evaluated.
    pub day: Date,
    /// The home, as its address reads, and the person's name, as the
    /// resident index holds it (when it does): only for someone who said
    /// yes, or whom the rule asks no consent of. Of anyone else a dry run
    /// says only that the rule would not refer them, and why.
    pub who: Option<(String, Option<String>)>,
    /// What was seen at the home.
    pub signal: Check,
    /// The person and their verdict.
    pub verdict: Verdict,
}

impl Found {
    /// Whether the rule would have fired.
    pub fn fires(&self) -> bool {
        self.verdict.fires()
    }
}

/// What a dry run found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DryRun {
    /// The rule.
    pub rule: String,
    /// The period's first day.
    pub from: Date,
    /// Its last day.
    pub to: Date,
    /// How many tagged bins were reported in the period.
    pub bins: usize,
    /// Each person found, in the order of days: those it would have
    /// referred, and those it would not have (once per episode each).
    pub found: Vec<Found>,
}

impl DryRun {
    /// How many referrals the rule would have made.
    pub fn firings(&self) -> usize {
        self.found.iter().filter(|f| f.fires()).count()
    }
}

/// Replays `rule` from `from` to `to` (both included), as `by`.
pub async fn dry_run(
    src: &Sources<'_>,
    rule: &Rule,
    (from, to): (Date, Date),
    by: &Evaluator,
) -> Result<DryRun, DryRunError> {
    if to < from {
        return Err(DryRunError::Backwards { from, to });
    }
    let days = (to - from).whole_days() + 1;
    if days > MOST_DAYS {
        return Err(DryRunError::TooLong(days));
    }
    let mut audit = Vec::new();
    let mut found = Vec::new();
    let mut bins = 0;
    // The last day each person's episode was reported, by whether it fired.
    let mut episodes: HashMap<(UserId, bool), Date> = HashMap::new();
    let episode = Duration::days(i64::from(rule.not_again_within_days));
    for device in townhall_sensors::device::list(src.store, src.council, Some(Kind::BinTag)).await?
    {
        let Place::Home { uprn, container } = device.place else {
            continue;
        };
        let Some(address) = townhall_places::address(src.store, src.council, &uprn).await? else {
            continue;
        };
        let reported: BTreeSet<Date> = townhall_sensors::readings::lifts_between(
            src.store,
            src.council,
            &device.id,
            (
                crate::evaluate::end_of(from - Duration::days(1)),
                crate::evaluate::end_of(to + Duration::days(1)),
            ),
        )
        .await?
        .iter()
        .map(|l| l.at.uk_date())
        .filter(|d| *d >= from && *d <= to)
        .collect();
        if reported.is_empty() {
            continue;
        }
        bins += 1;
        let home = Home {
            device: device.id.clone(),
            container,
            address,
        };
        for day in reported {
            let Some(flagged) = evaluate(src, rule, &home, (day, by), &mut audit).await? else {
                continue;
            };
            for verdict in flagged.people {
                let key = (verdict.account, verdict.fires());
                if episodes
                    .get(&key)
                    .is_some_and(|last| day - *last <= episode)
                {
                    continue;
                }
                episodes.insert(key, day);
                let consented = verdict.checks.iter().all(|c| c.fact != "consent" || c.met);
                found.push(Found {
                    day,
                    who: consented.then(|| (home.address.one_line(), None)),
                    signal: flagged.signal.clone(),
                    verdict,
                });
            }
        }
    }
    found.sort_by(|a, b| (a.day, &a.who).cmp(&(b.day, &b.who)));
    for f in &mut found {
        let (Some(person), Some((_, name))) = (f.verdict.person, f.who.as_mut()) else {
            continue;
        };
        *name =
            townhall_index::held::values_of(src.store, src.council, src.index, person, &["name"])
                .await?
                .remove("name");
        audit.push(
            AuditEvent::new(
                src.council,
                (by.actor.clone(), &by.label),
                Action::Read,
                RecordRef::Person(person),
            )
            .about(Some(f.verdict.account))
            .fields(["name"])
            .purpose(by.purpose.clone()),
        );
    }
    let mut tx = src.store.begin().await?;
    for event in &audit {
        townhall_audit::append(&mut tx, event).await?;
    }
    tx.commit().await.map_err(StoreError::from)?;
    Ok(DryRun {
        rule: rule.id.clone(),
        from,
        to,
        bins,
        found,
    })
}

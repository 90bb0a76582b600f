//! Dry runs: a rule replayed over the collection vehicles' reports of a
//! past period, day by day in order, each day a tagged bin was reported
//! evaluated as the live rule would have been that day, with one firing
//! per person per episode (within the period: firings before it are not
//! counted), and each person's consent as it stands now (so a dry run says
//! whom the rule would refer, and that someone who has since said no would
//! not be). Residents are taken as living where they live now. Whom it would have flagged, when and
//! why, and whom it would not have, and why not; nothing is sent and no
//! firing is recorded. Every look at a person is audited under the name of
//! whoever ran it.

use std::collections::{BTreeSet, HashMap};

use time::{Date, Duration};
use townhall_audit::{Action, AuditEvent, RecordRef};
use townhall_sensors::{Kind, Place};
use townhall_store::StoreError;
use townhall_types::{PersonId, Timestamp, UserId};

use crate::evaluate::{
    evaluate, lookback, reports, residents, At, Evaluator, Home, Sources, Verdict,
};
use crate::looks::Looks;
use crate::rule::Rule;
use crate::said::Check;

/// Whom an episode is of: the person the index links, or the account.
fn key(account: UserId, person: Option<PersonId>) -> String {
    person.map_or_else(|| format!("account:{account}"), |p| format!("person:{p}"))
}

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
    /// The period ends after today.
    #[error("the period ends ({0}) after today")]
    Future(Date),
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
    /// resident index holds it (when it does): only for someone the rule
    /// would refer. Of anyone else a dry run says only that it would not,
    /// and why.
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
    if to > Timestamp::now().uk_date() {
        return Err(DryRunError::Future(to));
    }
    let days = (to - from).whole_days() + 1;
    if days > MOST_DAYS {
        return Err(DryRunError::TooLong(days));
    }
    // Every tagged home's reports, then the days they were made in order,
    // so that episodes run as they would have.
    let back = Duration::days(lookback(rule.window));
    let mut homes = Vec::new();
    let mut days: BTreeSet<(Date, usize)> = BTreeSet::new();
    for device in townhall_sensors::device::list(src.store, src.council, Some(Kind::BinTag)).await?
    {
        let Place::Home { uprn, container } = device.place else {
            continue;
        };
        let Some(address) = townhall_places::address(src.store, src.council, &uprn).await? else {
            continue;
        };
        let seen = reports(src, &device.id, (from - back, to)).await?;
        let before = days.len();
        days.extend(
            seen.iter()
                .filter(|s| s.on >= from)
                .map(|s| (s.on, homes.len())),
        );
        if days.len() > before {
            let home = Home {
                device: device.id,
                container,
                address,
            };
            let living = residents(src, &home.address.uprn).await?;
            homes.push((home, seen, living));
        }
    }
    let mut looks = Looks::default();
    let mut found = Vec::new();
    // The day each person (as the index links them, or their account) was
    // last found, by whether the rule would have fired.
    let mut episodes: HashMap<(String, bool), Date> = HashMap::new();
    let episode = Duration::days(i64::from(rule.not_again_within_days));
    let within = |last: Option<&Date>, day: Date| last.is_some_and(|l| day - *l <= episode);
    for (day, home) in days {
        let (home, seen, living) = &homes[home];
        let skip: Vec<UserId> = living
            .iter()
            .filter(|(account, person)| within(episodes.get(&(key(*account, *person), true)), day))
            .map(|(account, _)| *account)
            .collect();
        let at = At {
            home,
            day,
            reports: seen,
            residents: living,
            skip: &skip,
        };
        let Some(flagged) = evaluate(src, rule, &at, by, &mut looks).await? else {
            continue;
        };
        for verdict in flagged.people {
            let seen = (key(verdict.account, verdict.person), verdict.fires());
            if within(episodes.get(&seen), day) {
                continue;
            }
            episodes.insert(seen, day);
            found.push(Found {
                day,
                who: verdict.fires().then(|| (home.address.one_line(), None)),
                signal: flagged.signal.clone(),
                verdict,
            });
        }
    }
    let bins = homes.len();
    let mut audit = looks.audit(src.council, (&by.actor, &by.label));
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
            .purpose(format!("{} “{}”", by.purpose, rule.name)),
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

//! Rules run as events arrive: the subscriber to sensors' events evaluates
//! each of the council's rules at the home whose bin a vehicle reported,
//! as of that day, and fires for each person every fact holds for, unless
//! the rule fired for them within its `not_again_within_days` (one episode,
//! one referral). A live rule's referral goes to its partner through the
//! hub (decided there again: the agreement in force, consent, only the
//! agreement's fields) or to its team; a rule not yet live only records
//! what it would have done. The firing, its referral, every look at the
//! person and the event `trigger.fired` are written in the transaction
//! that moves the subscriber's checkpoint, so each lift is evaluated once.
//! When a resident withdraws the consent a rule asked, its referrals still
//! waiting for an answer are taken back (`consent.withdrawn`).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use time::{Date, Duration};
use townhall_audit::{Action, Actor, AuditEvent, RecordRef};
use townhall_consent::{ConsentWithdrawn, Policy};
use townhall_events::{NewEvent, Stored, Subscriber, SubscriberError};
use townhall_exchange::hub::Hub;
use townhall_exchange::webhooks::{self, Push};
use townhall_exchange::{Agreements, PartnerError};
use townhall_index::live::LiveIndex;
use townhall_kernel::{Deployment, Job, Missing, Registry, Running};
use townhall_sensors::{BinLiftRecorded, Place};
use townhall_store::{Store, Tx};
use townhall_types::{CouncilId, FiringId, Timestamp};
use townhall_waste::Collections;

use crate::evaluate::{
    consent_recipient, evaluate, lookback, reports, residents, At, Evaluator, Flagged, Home,
    Sources, Verdict,
};
use crate::events::Fired;
use crate::firing::{self, Firing, Status};
use crate::looks::Looks;
use crate::rule::{Fact, Recipient, Rule, REFERRAL};
use crate::Triggers;

pub(crate) const JOB: Job = Job {
    name: "trigger rules evaluated as bins are collected",
    start,
};

fn start(deployment: Arc<Deployment>) -> Result<Running, Missing> {
    let rules = Rules::for_councils(&deployment.store, &deployment.councils)?;
    if rules.councils.is_empty() {
        return Ok(Box::pin(async {}));
    }
    Ok(Box::pin(townhall_events::run(
        deployment.store.clone(),
        rules,
        townhall_events::IDLE,
    )))
}

/// A council with rules, and what evaluating them needs.
struct Served {
    rules: Arc<Triggers>,
    consent: Arc<Policy>,
    index: Arc<LiveIndex>,
    collections: Arc<Collections>,
    agreements: Arc<Agreements>,
}

/// The subscriber that runs the councils' trigger rules.
pub struct Rules {
    store: Store,
    councils: HashMap<CouncilId, Served>,
}

impl Rules {
    /// The subscriber for `councils` (their settings) that have rules, a
    /// resident index and collection rounds.
    pub fn for_councils<'a>(
        store: &Store,
        councils: impl IntoIterator<Item = &'a Registry>,
    ) -> Result<Self, Missing> {
        let mut served = HashMap::new();
        for settings in councils {
            let rules: Arc<Triggers> = settings.require_arc()?;
            let (Some(index), Some(collections)) = (settings.get_arc(), settings.get_arc()) else {
                continue;
            };
            if rules.0.is_empty() {
                continue;
            }
            let council: &townhall_places::Council = settings.require()?;
            served.insert(
                council.id,
                Served {
                    rules,
                    consent: settings.require_arc()?,
                    index,
                    collections,
                    agreements: settings.require_arc()?,
                },
            );
        }
        Ok(Rules {
            store: store.clone(),
            councils: served,
        })
    }
}

impl Subscriber for Rules {
    const NAME: &'static str = "triggers";

    fn wants(&self, council: CouncilId) -> bool {
        self.councils.contains_key(&council)
    }

    async fn handle(&self, tx: &mut Tx, events: &[Stored]) -> Result<(), SubscriberError> {
        for event in events {
            let Some(served) = self.councils.get(&event.council) else {
                continue;
            };
            if let Some(Ok(withdrawn)) = event.read::<ConsentWithdrawn>() {
                self.withdrawn(tx, event.council, served, &withdrawn)
                    .await?;
                continue;
            }
            let Some(lift) = event.read::<BinLiftRecorded>() else {
                continue;
            };
            let lift = match lift {
                Ok(lift) => lift,
                Err(e) => {
                    // Written by this platform: it cannot be read only if
                    // the store was changed by hand; one must not hold up
                    // the council's others.
                    tracing::error!(event = event.sequence, error = %e, "a bin lift event cannot be read");
                    continue;
                }
            };
            self.lift(tx, event.council, served, &lift).await?;
        }
        Ok(())
    }
}

impl Rules {
    /// Takes back the resident's referrals still waiting for an answer that
    /// rules made on the consent they have now withdrawn.
    async fn withdrawn(
        &self,
        tx: &mut Tx,
        council: CouncilId,
        served: &Served,
        withdrawn: &ConsentWithdrawn,
    ) -> Result<(), SubscriberError> {
        let Some(account) = townhall_consent::resident_of(tx, council, withdrawn.decision).await?
        else {
            return Ok(());
        };
        let src = self.sources(council, served);
        let on_it: Vec<&str> = served
            .rules
            .0
            .iter()
            .filter(|r| {
                r.facts.iter().any(|f| {
                    matches!(f, Fact::Consent(p) if *p == withdrawn.purpose
                        && consent_recipient(&src, r, p).as_deref() == Some(withdrawn.recipient.as_str()))
                })
            })
            .map(|r| r.id.as_str())
            .collect();
        let person = townhall_index::held::person_of_account(&self.store, council, account).await?;
        firing::withdraw(tx, council, (account, person), (&on_it, Timestamp::now())).await?;
        Ok(())
    }

    fn sources<'a>(&'a self, council: CouncilId, served: &'a Served) -> Sources<'a> {
        Sources {
            store: &self.store,
            council,
            consent: &served.consent,
            index: served.index.policy(),
            collections: &served.collections,
            agreements: &served.agreements,
        }
    }

    /// Evaluates every rule at the home of `lift`'s bin.
    async fn lift(
        &self,
        tx: &mut Tx,
        council: CouncilId,
        served: &Served,
        lift: &BinLiftRecorded,
    ) -> Result<(), SubscriberError> {
        let Some(device) =
            townhall_sensors::device::get(&self.store, council, &lift.device).await?
        else {
            return Ok(());
        };
        let Place::Home { uprn, container } = device.place else {
            return Ok(());
        };
        let Some(address) = townhall_places::address(&self.store, council, &uprn).await? else {
            return Ok(());
        };
        let home = Home {
            device: device.id,
            container,
            address,
        };
        let src = self.sources(council, served);
        // The day reported, and each later day this bin was reported: a
        // report that arrives late may complete a window that a later
        // day's evaluation, made without it, did not.
        let first = lift.lifted_at.uk_date();
        let today = Timestamp::now().uk_date().max(first);
        let longest = served.rules.0.iter().map(|r| lookback(r.window)).max();
        let from = first - Duration::days(longest.unwrap_or(0));
        let reports = reports(&src, &home.device, (from, today)).await?;
        let mut days: BTreeSet<Date> = reports
            .iter()
            .map(|r| r.on)
            .filter(|d| *d >= first)
            .collect();
        days.insert(first);
        let residents = residents(&src, &home.address.uprn).await?;
        let by = Evaluator {
            actor: Actor::System("triggers".into()),
            label: "The council's trigger rules".into(),
            purpose: "trigger rule".into(),
        };
        let mut looks = Looks::default();
        for day in days {
            let at = At {
                home: &home,
                day,
                reports: &reports,
                residents: &residents,
                skip: &[],
            };
            for rule in &served.rules.0 {
                self.rule_at(tx, (&src, &served.index), rule, at, (&by, &mut looks))
                    .await?;
            }
        }
        for event in looks.audit(council, (&by.actor, &by.label)) {
            townhall_audit::append(tx, &event).await?;
        }
        Ok(())
    }

    /// Evaluates `rule` at `at`, and fires for each resident every fact
    /// holds for who is not in an episode of the rule already (whom it does
    /// not look at again).
    async fn rule_at(
        &self,
        tx: &mut Tx,
        (src, index): (&Sources<'_>, &LiveIndex),
        rule: &Rule,
        at: At<'_>,
        (by, looks): (&Evaluator, &mut Looks),
    ) -> Result<(), SubscriberError> {
        let since = at.day - Duration::days(i64::from(rule.not_again_within_days));
        let mut skip = Vec::new();
        for (account, person) in at.residents {
            if firing::last_since(
                tx,
                src.council,
                (&rule.id, *account, *person),
                (since, rule.live),
            )
            .await?
            .is_some()
            {
                skip.push(*account);
            }
        }
        if skip.len() == at.residents.len() {
            return Ok(());
        }
        let at = At { skip: &skip, ..at };
        let Some(flagged) = evaluate(src, rule, &at, by, looks).await? else {
            return Ok(());
        };
        for verdict in flagged.people.iter().filter(|v| v.fires()) {
            // Two accounts of one person fire once.
            if firing::last_since(
                tx,
                src.council,
                (&rule.id, verdict.account, verdict.person),
                (since, rule.live),
            )
            .await?
            .is_some()
            {
                continue;
            }
            let fired = ToFire {
                rule,
                home: at.home,
                flagged: &flagged,
                verdict,
                by,
            };
            fire(tx, src, index, fired, at.day).await?;
        }
        Ok(())
    }
}

/// One firing to make.
struct ToFire<'a> {
    rule: &'a Rule,
    home: &'a Home,
    flagged: &'a Flagged,
    verdict: &'a Verdict,
    by: &'a Evaluator,
}

/// Records a firing and sends its referral, when the rule is live.
async fn fire(
    tx: &mut Tx,
    src: &Sources<'_>,
    index: &LiveIndex,
    f: ToFire<'_>,
    day: time::Date,
) -> Result<(), SubscriberError> {
    let now = Timestamp::now();
    let mut checks = vec![f.flagged.signal.clone()];
    checks.extend(f.verdict.checks.iter().cloned());
    let mut team_gone = false;
    let (recipient, recipient_name) = match &f.rule.recipient {
        Recipient::Partner { partner, .. } => {
            let name = townhall_exchange::partners::get(src.store, src.council, partner)
                .await
                .map_err(partner_error)?
                .map_or_else(|| partner.clone(), |p| p.name);
            (partner.clone(), name)
        }
        Recipient::Team(name) => {
            match townhall_identity::staff::team_by_name(tx, src.council, name).await? {
                Some(team) => (firing::team_recipient(team.id), team.name),
                // Renamed or removed since the rules were read: refused,
                // for the rule's page to show, and no one sees it.
                None => {
                    team_gone = true;
                    (format!("team:{name}"), name.clone())
                }
            }
        }
    };
    let mut firing = Firing {
        id: FiringId::new(),
        rule: f.rule.id.clone(),
        account: f.verdict.account,
        person: f.verdict.person,
        uprn: f.home.address.uprn.clone(),
        device: f.home.device.clone(),
        fired_on: day,
        fired_at: now,
        days: f.flagged.days.clone(),
        checks,
        recipient,
        recipient_name,
        status: Status::Recorded,
        delivery: None,
        refusal: None,
        answered: None,
        outcome: None,
    };
    if f.rule.live && team_gone {
        firing.status = Status::Refused;
        firing.refusal = Some("no_such_team".into());
    } else if f.rule.live {
        refer(tx, src, index, &f, &mut firing, now).await?;
    }
    firing::record(tx, src.council, &firing).await?;
    let event = Fired {
        firing: firing.id,
        rule: firing.rule.clone(),
        status: firing.status.as_str().into(),
    };
    let event = NewEvent::of(src.council, now, &event)
        .map_err(|e| SubscriberError::Failed(e.to_string()))?;
    townhall_events::record(tx, &[event]).await?;
    Ok(())
}

/// Sends a live rule's referral: to its partner through the hub, or to its
/// team, setting the firing's status.
async fn refer(
    tx: &mut Tx,
    src: &Sources<'_>,
    index: &LiveIndex,
    f: &ToFire<'_>,
    firing: &mut Firing,
    now: Timestamp,
) -> Result<(), SubscriberError> {
    let Recipient::Partner { partner, agreement } = &f.rule.recipient else {
        firing.status = Status::Referred;
        let record = f
            .verdict
            .person
            .map_or(RecordRef::Resident(f.verdict.account), RecordRef::Person);
        let shared = AuditEvent::new(
            src.council,
            (f.by.actor.clone(), &f.by.label),
            Action::Share,
            record,
        )
        .about(Some(f.verdict.account))
        .fields([REFERRAL.1])
        .purpose(format!(
            "a referral to the council's {}",
            firing.recipient_name
        ));
        townhall_audit::append(tx, &shared).await?;
        return Ok(());
    };
    let Some(person) = f.verdict.person else {
        firing.status = Status::Refused;
        firing.refusal = Some("unknown_person".into());
        return Ok(());
    };
    let purpose = src
        .agreements
        .0
        .iter()
        .find(|a| a.id == *agreement)
        .map(|a| a.purpose.clone())
        .unwrap_or_default();
    let hub = Hub {
        store: src.store,
        council: src.council,
        consent: src.consent,
        index,
        agreements: src.agreements,
    };
    let reason = format!("{}: {}.", f.rule.name, f.flagged.signal.to_staff);
    let push = Push {
        partner,
        person,
        record_type: REFERRAL.0,
        purpose: &purpose,
        fields: BTreeMap::from([(REFERRAL.1.to_owned(), reason)]),
        by: (f.by.actor.clone(), &f.by.label),
    };
    match webhooks::push(tx, &hub, &push, now)
        .await
        .map_err(partner_error)?
    {
        Ok(shared) => {
            firing.status = Status::Referred;
            firing.delivery = shared.delivery;
        }
        Err(refusal) => {
            firing.status = Status::Refused;
            firing.refusal = Some(refusal.code().into());
        }
    }
    Ok(())
}

/// A partner's failure as the subscriber's: the store's is tried again.
fn partner_error(e: PartnerError) -> SubscriberError {
    match e {
        PartnerError::Store(e) => SubscriberError::Store(e),
        other => SubscriberError::Failed(other.to_string()),
    }
}

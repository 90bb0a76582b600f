//! One rule, at one home, as of one day: whether what the collection
//! vehicles reported meets its window and, if it does, what is true of each
//! person living there. Live evaluation and dry runs both ask here, so they
//! decide alike.
//!
//! Consent is asked first, through the consent decision point, as it stands
//! now; a person who has not said yes has nothing more about them read. Every look at a
//! person (their consent, their records) is returned as an audit event for
//! the caller to write with whatever it does next.

use time::{Date, Duration};
use townhall_audit::{Action, Actor, AuditEvent, Outcome as Allowed, RecordRef};
use townhall_consent::{decide, DecisionRequest, Ground, Policy};
use townhall_exchange::Agreements;
use townhall_index::policy::IndexPolicy;
use townhall_places::Address;
use townhall_sensors::Outcome;
use townhall_store::{Store, StoreError};
use townhall_types::{CouncilId, PersonId, Timestamp, UserId};
use townhall_waste::Collections;

use crate::rule::{Fact, Recipient, Rule, Signal, Window};
use crate::said::{self, Check};
use crate::window::{met, Seen};

/// What evaluating needs of the council.
#[derive(Debug, Clone, Copy)]
pub struct Sources<'a> {
    /// The store.
    pub store: &'a Store,
    /// The council.
    pub council: CouncilId,
    /// Its consent policy.
    pub consent: &'a Policy,
    /// Its resident index's policy: systems and their names.
    pub index: &'a IndexPolicy,
    /// Its collection rounds.
    pub collections: &'a Collections,
    /// Its data-sharing agreements.
    pub agreements: &'a Agreements,
}

/// A tagged bin at a home.
#[derive(Debug, Clone)]
pub struct Home {
    /// The bin's tag.
    pub device: String,
    /// The container, as `waste.toml` names it.
    pub container: String,
    /// The home.
    pub address: Address,
}

/// Who is evaluating, for the audit log.
#[derive(Debug, Clone)]
pub struct Evaluator {
    /// The actor.
    pub actor: Actor,
    /// How the audit log names them.
    pub label: String,
    /// Why, as the audit log says it.
    pub purpose: String,
}

/// One person living at the home, and what was found of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// Their account.
    pub account: UserId,
    /// Their person in the resident index, when linked.
    pub person: Option<PersonId>,
    /// Each fact of the rule, consent first.
    pub checks: Vec<Check>,
}

impl Verdict {
    /// Whether every fact held: the rule fires for them.
    pub fn fires(&self) -> bool {
        self.checks.iter().all(|c| c.met)
    }
}

/// What a rule found at a home whose window it met.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flagged {
    /// The days that met the window.
    pub days: Vec<Date>,
    /// What was seen, in words.
    pub signal: Check,
    /// Each person living there.
    pub people: Vec<Verdict>,
}

/// How many days back a window looks, so that its whole count is read: a
/// collection is at most five weeks after the one before (a moved one).
pub fn lookback(window: Window) -> i64 {
    match window {
        Window::ConsecutiveCollections { times } => 35 * i64::from(times),
        Window::WithinDays { days, .. } => i64::from(days),
        // To know the bin was watched for the whole time.
        Window::AbsentForDays { days } => i64::from(days) + 35,
    }
}

/// The signal a vehicle's report is.
pub fn signal_of(outcome: Outcome) -> Signal {
    match outcome {
        Outcome::Lifted => Signal::BinLifted,
        Outcome::NotPresented => Signal::BinNotPresented,
    }
}

/// Evaluates `rule` at `home` as of the end of `day`: `None` when its window
/// is not met; otherwise each person living there (but those holding an
/// account in `skip`, whom the caller knows are referred already) with the
/// facts checked, and, in `audit`, each look at a person.
pub async fn evaluate(
    src: &Sources<'_>,
    rule: &Rule,
    home: &Home,
    (day, by): (Date, &Evaluator),
    skip: &[UserId],
    audit: &mut Vec<AuditEvent>,
) -> Result<Option<Flagged>, StoreError> {
    let from = day - Duration::days(lookback(rule.window));
    let lifts = townhall_sensors::readings::lifts_between(
        src.store,
        src.council,
        &home.device,
        (
            midnight(from - Duration::days(1)),
            midnight(day + Duration::days(2)),
        ),
    )
    .await?;
    let seen: Vec<Seen> = lifts
        .iter()
        .map(|l| Seen {
            on: l.at.uk_date(),
            signal: signal_of(l.outcome),
        })
        .filter(|s| s.on >= from && s.on <= day)
        .collect();
    let due = src
        .collections
        .due_between(&home.address, &home.container, from, day);
    let Some(days) = met(rule.window, rule.signal, &seen, &due, day) else {
        return Ok(None);
    };
    // Consent as it stands now: nobody is referred, even in a dry run of
    // the past, who has since said no.
    let at = Timestamp::now();
    let mut people = Vec::new();
    for account in
        townhall_identity::profiles::living_at(src.store, src.council, &home.address.uprn).await?
    {
        if !skip.contains(&account) {
            people.push(person(src, rule, account, (day, at), by, audit).await?);
        }
    }
    Ok(Some(Flagged {
        signal: said::signal(rule.signal, rule.window, &days),
        days,
        people,
    }))
}

/// The facts of `rule` about the resident holding `account`, consent first.
async fn person(
    src: &Sources<'_>,
    rule: &Rule,
    account: UserId,
    (day, at): (Date, Timestamp),
    by: &Evaluator,
    audit: &mut Vec<AuditEvent>,
) -> Result<Verdict, StoreError> {
    let person = townhall_index::held::person_of_account(src.store, src.council, account).await?;
    let mut facts: Vec<&Fact> = rule.facts.iter().collect();
    facts.sort_by_key(|f| !matches!(f, Fact::Consent(_)));
    let mut checks = Vec::with_capacity(facts.len());
    let mut read: Vec<String> = Vec::new();
    for fact in facts {
        let consented = checks.iter().all(|c: &Check| c.fact != "consent" || c.met);
        if !consented {
            checks.push(said::unread(kind(fact)));
            continue;
        }
        let check = match fact {
            Fact::Consent(purpose) => {
                let accounts = match person {
                    Some(p) => townhall_index::held::accounts_of(src.store, src.council, p)
                        .await?
                        .filter(|a| !a.is_empty())
                        .unwrap_or_else(|| vec![account]),
                    None => vec![account],
                };
                consent(src, rule, purpose, &accounts, at, by, audit).await?
            }
            Fact::AgeAtLeast(years) => {
                read.push("date_of_birth".into());
                let born = match person {
                    Some(p) => townhall_index::held::values_of(
                        src.store,
                        src.council,
                        src.index,
                        p,
                        &["date_of_birth"],
                    )
                    .await?
                    .remove("date_of_birth"),
                    None => None,
                };
                said::age(*years, born.as_deref().and_then(|b| age_on(b, day)))
            }
            Fact::Record { system, field, is } => {
                read.push(format!("{system}.{field}"));
                let values = match person {
                    Some(p) => {
                        townhall_index::held::values_in(
                            src.store,
                            src.council,
                            src.index,
                            (p, system),
                            field,
                        )
                        .await?
                    }
                    None => Vec::new(),
                };
                said::record(src.index.system_name(system), field, is, &values)
            }
        };
        checks.push(check);
    }
    if let (Some(p), false) = (person, read.is_empty()) {
        audit.push(
            AuditEvent::new(
                src.council,
                (by.actor.clone(), &by.label),
                Action::Read,
                RecordRef::Person(p),
            )
            .about(Some(account))
            .fields(read)
            .purpose(by.purpose.clone()),
        );
    }
    Ok(Verdict {
        account,
        person,
        checks,
    })
}

/// A consent fact, asked of the decision point for the rule's recipient:
/// the consent policy's recipient its partner's agreement names, or, for a
/// team, the one the resident index's views give the team for the purpose.
/// Every account of the person must have said yes.
async fn consent(
    src: &Sources<'_>,
    rule: &Rule,
    purpose: &str,
    accounts: &[UserId],
    at: Timestamp,
    by: &Evaluator,
    audit: &mut Vec<AuditEvent>,
) -> Result<Check, StoreError> {
    let (Some(declared), Some(recipient)) = (
        src.consent.purpose(purpose),
        consent_recipient(src, rule, purpose),
    ) else {
        return Ok(said::consent(purpose, None, "no such purpose or recipient"));
    };
    let mut answer = None;
    for account in accounts {
        let decision = decide(
            src.store,
            src.consent,
            &DecisionRequest {
                council: src.council,
                resident: Some(*account),
                recipient: &recipient,
                purpose,
                fields: &[],
                at,
            },
        )
        .await?;
        let met = decision.ground == Ground::Consented;
        audit.push(
            AuditEvent::new(
                src.council,
                (by.actor.clone(), &by.label),
                Action::Read,
                RecordRef::Consent(*account),
            )
            .about(Some(*account))
            .fields([format!("{purpose}/{recipient}")])
            .purpose(by.purpose.clone())
            .outcome(if met {
                Allowed::Allowed
            } else {
                Allowed::Denied
            }),
        );
        let refused = !met;
        answer = Some(decision);
        if refused {
            break;
        }
    }
    Ok(match answer {
        Some(decision) => said::consent(&declared.title, Some(&decision), ""),
        None => said::consent(&declared.title, None, "no account to ask"),
    })
}

/// The consent policy's recipient a rule's referral goes to, for `purpose`.
pub fn consent_recipient(src: &Sources<'_>, rule: &Rule, purpose: &str) -> Option<String> {
    match &rule.recipient {
        Recipient::Partner { agreement, .. } => src
            .agreements
            .0
            .iter()
            .find(|a| a.id == *agreement)
            .map(|a| a.recipient.clone()),
        Recipient::Team(team) => src
            .index
            .views_for(team)
            .find(|v| v.purpose == purpose)
            .map(|v| v.recipient.clone()),
    }
}

fn kind(fact: &Fact) -> &'static str {
    match fact {
        Fact::AgeAtLeast(_) => "age",
        Fact::Record { .. } => "record",
        Fact::Consent(_) => "consent",
    }
}

/// Whole years from `born` (ISO 8601) to `day`.
fn age_on(born: &str, day: Date) -> Option<i32> {
    let born = Date::parse(born, &time::format_description::well_known::Iso8601::DATE).ok()?;
    let birthday_passed = (day.month() as u8, day.day()) >= (born.month() as u8, born.day());
    Some(day.year() - born.year() - i32::from(!birthday_passed))
}

/// Midnight (UTC) at the start of `day`: reports are read from a day
/// before to a day after what is wanted, then taken by their day in the UK.
pub fn midnight(day: Date) -> Timestamp {
    Timestamp::from_datetime(day.midnight().assume_utc())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn an_age_counts_whole_years_to_the_birthday() {
        assert_eq!(age_on("1951-03-14", date!(2027 - 03 - 13)), Some(75));
        assert_eq!(age_on("1951-03-14", date!(2027 - 03 - 14)), Some(76));
        assert_eq!(age_on("1952-02-29", date!(2027 - 02 - 28)), Some(74));
        assert_eq!(age_on("1952-02-29", date!(2027 - 03 - 01)), Some(75));
        assert_eq!(age_on("not a date", date!(2027 - 03 - 01)), None);
    }
}

//! One rule, at one home, as of one day: whether what the collection
//! vehicles reported meets its window and, if it does, what is true of each
//! person living there. Live evaluation and dry runs both ask here, so they
//! decide alike; both read a home's reports and residents once for all
//! their rules ([`reports`], [`residents`]), and what the rules read of a
//! person through [`Looks`], once each, every look audited.
//!
//! Consent is asked first, through the consent decision point, as it stands
//! now; a person who has not said yes has nothing more about them read.

use time::{Date, Duration};
use townhall_audit::Actor;
use townhall_consent::Ground;
use townhall_places::Address;
use townhall_sensors::Outcome;
use townhall_store::StoreError;
use townhall_types::{PersonId, Timestamp, UserId};

use crate::looks::Looks;
use crate::rule::{Fact, Recipient, Rule, Signal, Window};
use crate::said::{self, Check};
pub use crate::sources::Sources;
use crate::window::{met, Seen};

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
    /// Why, before the rule's name: "trigger rule", "a dry run of the
    /// trigger rule".
    pub purpose: String,
}

impl Evaluator {
    fn why(&self, rule: &Rule) -> String {
        format!("{} “{}”", self.purpose, rule.name)
    }
}

/// What a rule is evaluated on: a home's bin, as of a day.
#[derive(Debug, Clone, Copy)]
pub struct At<'a> {
    /// The home and its bin.
    pub home: &'a Home,
    /// The day.
    pub day: Date,
    /// The bin's reports, oldest first, over at least the rule's lookback.
    pub reports: &'a [Seen],
    /// Its residents: each account, and its person in the index.
    pub residents: &'a [(UserId, Option<PersonId>)],
    /// Accounts the caller knows are in an episode of the rule already:
    /// not looked at again.
    pub skip: &'a [UserId],
}

/// The reports of `device` from `from` to `to` (days in the UK), oldest
/// first.
pub async fn reports(
    src: &Sources<'_>,
    device: &str,
    (from, to): (Date, Date),
) -> Result<Vec<Seen>, StoreError> {
    Ok(townhall_sensors::readings::lifts_between(
        src.store,
        src.council,
        device,
        (
            midnight(from - Duration::days(1)),
            midnight(to + Duration::days(2)),
        ),
    )
    .await?
    .iter()
    .map(|l| Seen {
        on: l.at.uk_date(),
        signal: signal_of(l.outcome),
    })
    .filter(|s| s.on >= from && s.on <= to)
    .collect())
}

/// The residents whose accounts give `uprn` as their home, each with the
/// person the index links the account to.
pub async fn residents(
    src: &Sources<'_>,
    uprn: &str,
) -> Result<Vec<(UserId, Option<PersonId>)>, StoreError> {
    let mut found = Vec::new();
    for account in townhall_identity::profiles::living_at(src.store, src.council, uprn).await? {
        let person =
            townhall_index::held::person_of_account(src.store, src.council, account).await?;
        found.push((account, person));
    }
    Ok(found)
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

/// Evaluates `rule` as of the end of `at.day`: `None` when its window is
/// not met; otherwise each resident (but those in `at.skip`) with the facts
/// checked, what was read of them recorded in `looks`.
pub async fn evaluate(
    src: &Sources<'_>,
    rule: &Rule,
    at: &At<'_>,
    by: &Evaluator,
    looks: &mut Looks,
) -> Result<Option<Flagged>, StoreError> {
    let (home, day) = (at.home, at.day);
    let from = day - Duration::days(lookback(rule.window));
    let seen: Vec<Seen> = at
        .reports
        .iter()
        .copied()
        .filter(|s| s.on >= from && s.on <= day)
        .collect();
    let due = src
        .collections
        .due_between(&home.address, &home.container, from, day);
    let Some(days) = met(rule.window, rule.signal, &seen, &due, day) else {
        return Ok(None);
    };
    let why = by.why(rule);
    let mut people = Vec::new();
    for (account, person) in at.residents {
        if !at.skip.contains(account) {
            let facts = Person {
                account: *account,
                person: *person,
                day,
            };
            people.push(facts.check(src, rule, &why, looks).await?);
        }
    }
    Ok(Some(Flagged {
        signal: said::signal(rule.signal, rule.window, &days),
        days,
        people,
    }))
}

/// A resident whose facts a rule checks, as of a day.
struct Person {
    account: UserId,
    person: Option<PersonId>,
    day: Date,
}

impl Person {
    /// The facts of `rule`, consent first: nothing more is read of someone
    /// who has not said yes.
    async fn check(
        &self,
        src: &Sources<'_>,
        rule: &Rule,
        why: &str,
        looks: &mut Looks,
    ) -> Result<Verdict, StoreError> {
        let mut facts: Vec<&Fact> = rule.facts.iter().collect();
        facts.sort_by_key(|f| !matches!(f, Fact::Consent(_)));
        let mut checks: Vec<Check> = Vec::with_capacity(facts.len());
        for fact in facts {
            if checks.iter().any(|c| c.fact == "consent" && !c.met) {
                checks.push(said::unread(kind(fact)));
                continue;
            }
            let whom = self.person.map(|p| (self.account, p));
            let check = match fact {
                Fact::Consent(purpose) => {
                    let accounts = looks.accounts(src, self.account, self.person).await?;
                    consent(src, rule, purpose, &accounts, why, looks).await?
                }
                Fact::AgeAtLeast(years) => {
                    let born = match whom {
                        Some(whom) => looks.born(src, whom, why).await?,
                        None => None,
                    };
                    said::age(*years, born.as_deref().and_then(|b| age_on(b, self.day)))
                }
                Fact::Record { system, field, is } => {
                    let values = match whom {
                        Some(whom) => looks.record(src, whom, (system, field), why).await?,
                        None => Vec::new(),
                    };
                    said::record(src.index.system_name(system), field, is, &values)
                }
            };
            checks.push(check);
        }
        Ok(Verdict {
            account: self.account,
            person: self.person,
            checks,
        })
    }
}

/// A consent fact, asked of the decision point for the rule's recipient:
/// the consent policy's recipient its partner's agreement names, or, for a
/// team, the one the resident index's views give the team for the purpose;
/// as it stands now, so nobody is referred, even in a dry run of the past,
/// who has since said no. Every account of the person must have said yes.
async fn consent(
    src: &Sources<'_>,
    rule: &Rule,
    purpose: &str,
    accounts: &[UserId],
    why: &str,
    looks: &mut Looks,
) -> Result<Check, StoreError> {
    let (Some(declared), Some(recipient)) = (
        src.consent.purpose(purpose),
        consent_recipient(src, rule, purpose),
    ) else {
        return Ok(said::consent(purpose, None, "no such purpose or recipient"));
    };
    let now = Timestamp::now();
    let mut answer = None;
    for account in accounts {
        let decision = looks
            .consent(src, (*account, purpose, &recipient), now, why)
            .await?;
        let refused = decision.ground != Ground::Consented;
        answer = Some(decision);
        if refused {
            break;
        }
    }
    Ok(match &answer {
        Some(decision) => said::consent(&declared.title, Some(decision), ""),
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

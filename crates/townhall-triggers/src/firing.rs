//! Firings: each time a rule fired for a person, with what made it fire,
//! and what became of the referral. A referral is accepted or declined by
//! its recipient, and an accepted one then has its outcome recorded.

use serde::Serialize;
use time::Date;
use townhall_store::{sql, Store, StoreError, Tx};
use townhall_types::{CouncilId, FiringId, PersonId, TeamId, Timestamp, UserId};

use crate::said::Check;

/// Where a referral stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// The rule is not live: the firing is recorded, nobody was told.
    Recorded,
    /// Sent to the recipient, waiting for an answer.
    Referred,
    /// The hub would not share it (the agreement, or consent, said no).
    Refused,
    /// The recipient took it on.
    Accepted,
    /// The recipient said no, with a reason.
    Declined,
    /// The resident said no before the recipient answered: taken back.
    Withdrawn,
}

impl Status {
    const ALL: [Status; 6] = [
        Status::Recorded,
        Status::Referred,
        Status::Refused,
        Status::Accepted,
        Status::Declined,
        Status::Withdrawn,
    ];

    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Recorded => "recorded",
            Status::Referred => "referred",
            Status::Refused => "refused",
            Status::Accepted => "accepted",
            Status::Declined => "declined",
            Status::Withdrawn => "withdrawn",
        }
    }

    fn parse(text: &str) -> Result<Self, StoreError> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == text)
            .ok_or_else(|| StoreError::decode(format!("'{text}' is not a firing's status")))
    }
}

/// Who answered a referral, when, and what they said.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Answered {
    /// Their name, as the recipient's staff.
    pub by: String,
    /// When.
    pub at: Timestamp,
    /// Their note (a decline's reason).
    pub note: Option<String>,
}

/// One firing of a rule for one person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Firing {
    /// Its id.
    pub id: FiringId,
    /// The rule.
    pub rule: String,
    /// The resident's account.
    pub account: UserId,
    /// Their person in the resident index, when linked.
    pub person: Option<PersonId>,
    /// Their home.
    pub uprn: String,
    /// The bin's tag.
    pub device: String,
    /// The day whose reports made it fire.
    pub fired_on: Date,
    /// When it fired.
    pub fired_at: Timestamp,
    /// The days that met the rule's window.
    pub days: Vec<Date>,
    /// What was seen and each fact, in words, as they were.
    pub checks: Vec<Check>,
    /// The recipient: a partner's id, or `team:` and a team's name.
    pub recipient: String,
    /// The recipient's name.
    pub recipient_name: String,
    /// Where the referral stands.
    pub status: Status,
    /// The webhook message that carried it to a partner, if one did.
    pub delivery: Option<String>,
    /// Why the hub refused it, when it did.
    pub refusal: Option<String>,
    /// The recipient's answer.
    pub answered: Option<Answered>,
    /// The outcome the recipient recorded ("called, all well"), and when.
    pub outcome: Option<(String, Timestamp)>,
}

/// How a firing names a team as its recipient.
pub fn team_recipient(team: TeamId) -> String {
    format!("team:{team}")
}

/// The team a firing's recipient names, if it is one.
pub fn team_of(recipient: &str) -> Option<&str> {
    recipient.strip_prefix("team:")
}

/// The last day `rule` fired for the person (`person` when the index links
/// them, or the account) on or after `since`, if it did: one episode, one
/// referral. A firing only recorded, while the rule was not live, starts no
/// episode for a `live` rule. Read in `tx`, which sees firings of this batch.
pub async fn last_since(
    tx: &mut Tx,
    council: CouncilId,
    (rule, account, person): (&str, UserId, Option<PersonId>),
    (since, live): (Date, bool),
) -> Result<Option<Date>, StoreError> {
    let counted = if live {
        " AND status <> 'recorded'"
    } else {
        ""
    };
    // `counted` is one of two constants.
    let row: Option<(Option<String>,)> = sql::query_as(&format!(
        "SELECT MAX(fired_on) FROM trigger_firings \
         WHERE council_id = $1 AND rule_id = $2 AND (account_id = $3 OR person_id = $4) \
         AND fired_on >= $5{counted}"
    ))
    .bind(council.to_string())
    .bind(rule)
    .bind(account.to_string())
    .bind(person.map(|p| p.to_string()))
    .bind(since.to_string())
    .fetch_optional(&mut **tx)
    .await?;
    row.and_then(|(d,)| d).map(|d| parse_day(&d)).transpose()
}

/// Records `firing` in `tx`.
pub async fn record(tx: &mut Tx, council: CouncilId, firing: &Firing) -> Result<(), StoreError> {
    let days: Vec<String> = firing.days.iter().map(Date::to_string).collect();
    sql::query(
        "INSERT INTO trigger_firings (council_id, firing_id, rule_id, account_id, person_id, uprn, \
         device_id, fired_on, fired_at, days, facts, recipient, recipient_name, status, delivery_id, \
         refusal) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
    )
    .bind(council.to_string())
    .bind(firing.id.to_string())
    .bind(&firing.rule)
    .bind(firing.account.to_string())
    .bind(firing.person.map(|p| p.to_string()))
    .bind(&firing.uprn)
    .bind(&firing.device)
    .bind(firing.fired_on.to_string())
    .bind(firing.fired_at.to_db())
    .bind(to_json(&days)?)
    .bind(to_json(&firing.checks)?)
    .bind(&firing.recipient)
    .bind(&firing.recipient_name)
    .bind(firing.status.as_str())
    .bind(&firing.delivery)
    .bind(&firing.refusal)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn to_json<T: Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::decode(e.to_string()))
}

const COLUMNS: &str = "firing_id, rule_id, account_id, person_id, uprn, device_id, fired_on, \
     fired_at, days, facts, recipient, recipient_name, status, delivery_id, refusal, decided_by, \
     decided_at, note, outcome, outcome_at";

fn parse_day(text: &str) -> Result<Date, StoreError> {
    Date::parse(text, &time::format_description::well_known::Iso8601::DATE)
        .map_err(|e| StoreError::decode(format!("'{text}' is not a day ({e})")))
}

fn id<T: std::str::FromStr>(text: &str) -> Result<T, StoreError> {
    text.parse()
        .map_err(|_| StoreError::decode(format!("'{text}' is not an id")))
}

fn at(text: &str) -> Result<Timestamp, StoreError> {
    Timestamp::parse(text).map_err(|e| StoreError::decode(e.to_string()))
}

fn from_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::decode(e.to_string()))
}

fn firing(row: &townhall_store::Row) -> Result<Firing, StoreError> {
    use sql::Row as _;
    let text = |c: &str| row.try_get::<String, _>(c);
    let some = |c: &str| row.try_get::<Option<String>, _>(c);
    let answered = match (some("decided_by")?, some("decided_at")?) {
        (Some(by), Some(when)) => Some(Answered {
            by,
            at: at(&when)?,
            note: some("note")?,
        }),
        _ => None,
    };
    let outcome = match (some("outcome")?, some("outcome_at")?) {
        (Some(words), Some(when)) => Some((words, at(&when)?)),
        _ => None,
    };
    let days: Vec<String> = from_json(&text("days")?)?;
    Ok(Firing {
        id: id(&text("firing_id")?)?,
        rule: text("rule_id")?,
        account: id(&text("account_id")?)?,
        person: some("person_id")?.as_deref().map(id).transpose()?,
        uprn: text("uprn")?,
        device: text("device_id")?,
        fired_on: parse_day(&text("fired_on")?)?,
        fired_at: at(&text("fired_at")?)?,
        days: days
            .iter()
            .map(|d| parse_day(d))
            .collect::<Result<_, _>>()?,
        checks: from_json(&text("facts")?)?,
        recipient: text("recipient")?,
        recipient_name: text("recipient_name")?,
        status: Status::parse(&text("status")?)?,
        delivery: some("delivery_id")?,
        refusal: some("refusal")?,
        answered,
        outcome,
    })
}

/// Which firings a query reads.
#[derive(Debug, Clone, Copy)]
enum Which {
    /// Of a rule.
    Rule,
    /// For a resident's account, that reached their recipient.
    Account,
    /// To a recipient, that reached them.
    Recipient,
    /// One, by id.
    One,
}

impl Which {
    /// Its condition, with `$2` the value.
    fn condition(self) -> &'static str {
        match self {
            Which::Rule => "rule_id = $2",
            Which::Account => {
                "account_id = $2 AND status IN ('referred', 'accepted', 'declined', 'withdrawn')"
            }
            Which::Recipient => "recipient = $2 AND status IN ('referred', 'accepted', 'declined')",
            Which::One => "firing_id = $2",
        }
    }
}

async fn select(
    store: &Store,
    council: CouncilId,
    (which, value): (Which, &str),
    limit: i64,
) -> Result<Vec<Firing>, StoreError> {
    let rows = sql::query(&format!(
        "SELECT {COLUMNS} FROM trigger_firings WHERE council_id = $1 AND {} \
         ORDER BY fired_at DESC, firing_id LIMIT $3",
        which.condition()
    ))
    .bind(council.to_string())
    .bind(value)
    .bind(limit)
    .fetch_all(store.reader())
    .await?;
    rows.iter().map(firing).collect()
}

/// The latest `limit` firings of `rule`, newest first.
pub async fn of_rule(
    store: &Store,
    council: CouncilId,
    rule: &str,
    limit: i64,
) -> Result<Vec<Firing>, StoreError> {
    select(store, council, (Which::Rule, rule), limit).await
}

/// The referrals made for the resident holding `account` that reached their
/// recipient, newest first: what they see of what was done because of what
/// happened at their home.
pub async fn of_account(
    store: &Store,
    council: CouncilId,
    account: UserId,
) -> Result<Vec<Firing>, StoreError> {
    select(store, council, (Which::Account, &account.to_string()), 100).await
}

/// The latest `limit` referrals that reached `recipient` (a partner's id,
/// or [`team_recipient`]), newest first.
pub async fn to_recipient(
    store: &Store,
    council: CouncilId,
    recipient: &str,
    limit: i64,
) -> Result<Vec<Firing>, StoreError> {
    select(store, council, (Which::Recipient, recipient), limit).await
}

/// One firing.
pub async fn get(
    store: &Store,
    council: CouncilId,
    firing: FiringId,
) -> Result<Option<Firing>, StoreError> {
    Ok(select(store, council, (Which::One, &firing.to_string()), 1)
        .await?
        .pop())
}

/// How many firings of each rule stand at each status.
pub async fn counts(
    store: &Store,
    council: CouncilId,
) -> Result<Vec<(String, Status, i64)>, StoreError> {
    let rows: Vec<(String, String, i64)> = sql::query_as(
        "SELECT rule_id, status, COUNT(*) FROM trigger_firings WHERE council_id = $1 \
         GROUP BY rule_id, status ORDER BY rule_id, status",
    )
    .bind(council.to_string())
    .fetch_all(store.reader())
    .await?;
    rows.into_iter()
        .map(|(rule, status, n)| Ok((rule, Status::parse(&status)?, n)))
        .collect()
}

/// Sets a referral's answer in `tx`, when it still waits for one: `false`
/// when it does not (answered already, or never sent).
pub async fn answer(
    tx: &mut Tx,
    council: CouncilId,
    firing: FiringId,
    (status, answered): (Status, &Answered),
) -> Result<bool, StoreError> {
    let done = sql::query(
        "UPDATE trigger_firings SET status = $3, decided_by = $4, decided_at = $5, note = $6 \
         WHERE council_id = $1 AND firing_id = $2 AND status = 'referred'",
    )
    .bind(council.to_string())
    .bind(firing.to_string())
    .bind(status.as_str())
    .bind(&answered.by)
    .bind(answered.at.to_db())
    .bind(&answered.note)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Takes back, in `tx`, every referral still waiting for an answer that
/// `rules` made for the person holding `account` (or, when linked, any
/// account of `person`): they said no to what the rules asked. How many.
pub async fn withdraw(
    tx: &mut Tx,
    council: CouncilId,
    (account, person): (UserId, Option<PersonId>),
    (rules, at): (&[&str], Timestamp),
) -> Result<u64, StoreError> {
    if rules.is_empty() {
        return Ok(0);
    }
    let listed: Vec<String> = (0..rules.len()).map(|n| format!("${}", n + 5)).collect();
    // Only placeholders are written into the query.
    let query = format!(
        "UPDATE trigger_firings SET status = 'withdrawn', decided_at = $4, \
         note = 'The resident said no before it was answered' \
         WHERE council_id = $1 AND (account_id = $2 OR person_id = $3) AND status = 'referred' \
         AND rule_id IN ({})",
        listed.join(", ")
    );
    let mut query = sql::query(&query)
        .bind(council.to_string())
        .bind(account.to_string())
        .bind(person.map(|p| p.to_string()))
        .bind(at.to_db());
    for rule in rules {
        query = query.bind(*rule);
    }
    Ok(query.execute(&mut **tx).await?.rows_affected())
}

/// Records an accepted referral's outcome in `tx`: `false` when it is not
/// accepted, or has one already.
pub async fn record_outcome(
    tx: &mut Tx,
    council: CouncilId,
    firing: FiringId,
    (outcome, at): (&str, Timestamp),
) -> Result<bool, StoreError> {
    let done = sql::query(
        "UPDATE trigger_firings SET outcome = $3, outcome_at = $4 \
         WHERE council_id = $1 AND firing_id = $2 AND status = 'accepted' AND outcome IS NULL",
    )
    .bind(council.to_string())
    .bind(firing.to_string())
    .bind(outcome)
    .bind(at.to_db())
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

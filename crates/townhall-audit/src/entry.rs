//! What one audit entry holds, and its canonical form for hashing.

use std::fmt;

use townhall_store::{sql::Row as _, Row, StoreError};
use townhall_types::{CaseId, CouncilId, PersonId, ReviewId, Timestamp, UserId};

/// Who did it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// A resident, through their own account.
    Resident(String),
    /// A member of council staff.
    Staff(String),
    /// A partner organisation or an API client.
    Partner(String),
    /// A member of a partner organisation's staff, by account id.
    PartnerStaff(String),
    /// Townhall itself (a scheduled job, a trigger, the seed).
    System(String),
}

impl Actor {
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Actor::Resident(_) => "resident",
            Actor::Staff(_) => "staff",
            Actor::Partner(_) => "partner",
            Actor::PartnerStaff(_) => "partner_staff",
            Actor::System(_) => "system",
        }
    }

    pub(crate) fn id(&self) -> &str {
        match self {
            Actor::Resident(id)
            | Actor::Staff(id)
            | Actor::Partner(id)
            | Actor::PartnerStaff(id)
            | Actor::System(id) => id,
        }
    }

    fn from_parts(kind: &str, id: String) -> Result<Self, StoreError> {
        Ok(match kind {
            "resident" => Actor::Resident(id),
            "staff" => Actor::Staff(id),
            "partner" => Actor::Partner(id),
            "partner_staff" => Actor::PartnerStaff(id),
            "system" => Actor::System(id),
            other => return Err(bad(format!("unknown actor kind '{other}'"))),
        })
    }
}

/// What was done to the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Looked at.
    Read,
    /// Created.
    Create,
    /// Changed.
    Update,
    /// Removed.
    Delete,
    /// Sent outside the council.
    Share,
}

impl Action {
    /// The stored name.
    pub fn as_str(&self) -> &'static str {
        match self {
            Action::Read => "read",
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
            Action::Share => "share",
        }
    }

    fn parse(s: &str) -> Result<Self, StoreError> {
        Ok(match s {
            "read" => Action::Read,
            "create" => Action::Create,
            "update" => Action::Update,
            "delete" => Action::Delete,
            "share" => Action::Share,
            other => return Err(bad(format!("unknown action '{other}'"))),
        })
    }
}

/// How it ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// It happened.
    Allowed,
    /// It was refused (by authorisation or consent).
    Denied,
}

impl Outcome {
    /// The stored name.
    pub fn as_str(&self) -> &'static str {
        match self {
            Outcome::Allowed => "allowed",
            Outcome::Denied => "denied",
        }
    }

    fn parse(s: &str) -> Result<Self, StoreError> {
        match s {
            "allowed" => Ok(Outcome::Allowed),
            "denied" => Ok(Outcome::Denied),
            other => Err(bad(format!("unknown outcome '{other}'"))),
        }
    }
}

/// The record an entry is about, written `kind:id` in the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordRef {
    /// A resident's account and profile.
    Resident(UserId),
    /// A resident's consent choices.
    Consent(UserId),
    /// A case (a request to the council).
    Case(CaseId),
    /// A person in the resident index.
    Person(PersonId),
    /// One source system's record in the resident index, as `system/record id`.
    IndexRecord(String),
    /// Two index records shown side by side, to decide whether they are one
    /// person: their keys, `system/record id/system/record id`.
    IndexPair(String),
    /// A reviewer's decision on such a pair.
    IndexReview(ReviewId),
    /// A full linkage run of the council's resident index.
    IndexRun,
    /// A request to the data-exchange hub that names no person it could
    /// be about (its signature failed, say): its method and path.
    Exchange(String),
}

impl fmt::Display for RecordRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecordRef::Resident(id) => write!(f, "resident:{id}"),
            RecordRef::Consent(id) => write!(f, "consent:{id}"),
            RecordRef::Case(id) => write!(f, "case:{id}"),
            RecordRef::Person(id) => write!(f, "person:{id}"),
            RecordRef::IndexRecord(key) => write!(f, "index-record:{key}"),
            RecordRef::IndexPair(keys) => write!(f, "index-pair:{keys}"),
            RecordRef::IndexReview(id) => write!(f, "index-review:{id}"),
            RecordRef::IndexRun => f.write_str("index:run"),
            RecordRef::Exchange(request) => write!(f, "exchange:{request}"),
        }
    }
}

impl RecordRef {
    /// Reads the `kind:id` form back.
    pub fn parse(text: &str) -> Result<Self, StoreError> {
        let wrong = || bad(format!("unknown record '{text}'"));
        let (kind, id) = text.split_once(':').ok_or_else(wrong)?;
        Ok(match kind {
            "resident" => RecordRef::Resident(id.parse().map_err(|_| wrong())?),
            "consent" => RecordRef::Consent(id.parse().map_err(|_| wrong())?),
            "case" => RecordRef::Case(id.parse().map_err(|_| wrong())?),
            "person" => RecordRef::Person(id.parse().map_err(|_| wrong())?),
            "index-record" => RecordRef::IndexRecord(id.to_owned()),
            "index-pair" => RecordRef::IndexPair(id.to_owned()),
            "index-review" => RecordRef::IndexReview(id.parse().map_err(|_| wrong())?),
            "index" if id == "run" => RecordRef::IndexRun,
            "exchange" => RecordRef::Exchange(id.to_owned()),
            _ => return Err(wrong()),
        })
    }
}

/// An access to record: who, on whose behalf, which record and fields, why, and how it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    /// The council whose data it is.
    pub council: CouncilId,
    /// Who acted.
    pub actor: Actor,
    /// How the actor is shown to the resident, e.g. "Priya Shah, caseworker, Housing".
    pub actor_label: String,
    /// The person the actor acted for (assisted digital), if any.
    pub on_behalf_of: Option<String>,
    /// Whose personal data it is, if anyone's.
    pub subject: Option<String>,
    /// The record.
    pub record: RecordRef,
    /// The fields touched.
    pub fields: Vec<String>,
    /// What was done.
    pub action: Action,
    /// Why, in plain words or as a declared purpose id.
    pub purpose: String,
    /// Whether it was allowed.
    pub outcome: Outcome,
}

impl AuditEvent {
    /// `actor`, shown to the resident as `label`, did `action` to `record`
    /// of `council`: allowed, about nobody's personal data, no fields, no
    /// purpose yet (the methods below add them).
    pub fn new(
        council: CouncilId,
        (actor, label): (Actor, &str),
        action: Action,
        record: RecordRef,
    ) -> Self {
        Self {
            council,
            actor,
            actor_label: label.to_owned(),
            on_behalf_of: None,
            subject: None,
            record,
            fields: Vec::new(),
            action,
            purpose: String::new(),
            outcome: Outcome::Allowed,
        }
    }

    /// Whose personal data it is (an account's id).
    pub fn about<S: ToString>(mut self, subject: Option<S>) -> Self {
        self.subject = subject.map(|s| s.to_string());
        self
    }

    /// The fields touched.
    pub fn fields<S: Into<String>>(mut self, fields: impl IntoIterator<Item = S>) -> Self {
        self.fields = fields.into_iter().map(Into::into).collect();
        self
    }

    /// Why.
    pub fn purpose(mut self, purpose: impl Into<String>) -> Self {
        self.purpose = purpose.into();
        self
    }

    /// The person the actor acted for (assisted digital).
    pub fn on_behalf_of(mut self, who: Option<UserId>) -> Self {
        self.on_behalf_of = who.map(|w| w.to_string());
        self
    }

    /// How it ended.
    pub fn outcome(mut self, outcome: Outcome) -> Self {
        self.outcome = outcome;
        self
    }
}

/// An entry as stored in the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    /// Position in the council's chain, from 1.
    pub seq: i64,
    /// When it was appended.
    pub at: Timestamp,
    /// What happened.
    pub event: AuditEvent,
    /// The hash of the entry before.
    pub prev_hash: String,
    /// This entry's hash.
    pub hash: String,
}

impl AuditRecord {
    pub(crate) fn canonical(&self) -> String {
        let e = &self.event;
        canonical(&StoredEntry {
            council: e.council.to_string(),
            seq: self.seq,
            at: self.at.to_db(),
            actor_kind: e.actor.kind().to_owned(),
            actor_id: e.actor.id().to_owned(),
            actor_label: e.actor_label.clone(),
            on_behalf_of: e.on_behalf_of.clone(),
            subject: e.subject.clone(),
            record: e.record.to_string(),
            fields: e.fields.join(","),
            action: e.action.as_str().to_owned(),
            purpose: e.purpose.clone(),
            outcome: e.outcome.as_str().to_owned(),
            prev_hash: self.prev_hash.clone(),
            hash: self.hash.clone(),
        })
    }
}

/// An entry exactly as its row holds it, before any interpretation — what
/// verification hashes, so that even a row edited into nonsense is checked.
#[derive(Debug, Clone)]
pub(crate) struct StoredEntry {
    pub council: String,
    pub seq: i64,
    pub at: String,
    pub actor_kind: String,
    pub actor_id: String,
    pub actor_label: String,
    pub on_behalf_of: Option<String>,
    pub subject: Option<String>,
    pub record: String,
    pub fields: String,
    pub action: String,
    pub purpose: String,
    pub outcome: String,
    pub prev_hash: String,
    pub hash: String,
}

impl StoredEntry {
    pub(crate) fn from_row(row: &Row) -> Result<Self, StoreError> {
        Ok(Self {
            council: row.try_get(0)?,
            seq: row.try_get(1)?,
            at: row.try_get(2)?,
            actor_kind: row.try_get(3)?,
            actor_id: row.try_get(4)?,
            actor_label: row.try_get(5)?,
            on_behalf_of: row.try_get(6)?,
            subject: row.try_get(7)?,
            record: row.try_get(8)?,
            fields: row.try_get(9)?,
            action: row.try_get(10)?,
            purpose: row.try_get(11)?,
            outcome: row.try_get(12)?,
            prev_hash: row.try_get(13)?,
            hash: row.try_get(14)?,
        })
    }
}

/// The exact text that is hashed: every field but the hashes, in a fixed order, JSON-escaped.
pub(crate) fn canonical(e: &StoredEntry) -> String {
    serde_json::json!([
        e.council,
        e.seq,
        e.at,
        e.actor_kind,
        e.actor_id,
        e.actor_label,
        e.on_behalf_of,
        e.subject,
        e.record,
        e.fields,
        e.action,
        e.purpose,
        e.outcome,
    ])
    .to_string()
}

pub(crate) const SELECT: &str = "SELECT council_id, seq, at, actor_kind, actor_id, actor_label, \
     on_behalf_of, subject_id, record, fields, action, purpose, outcome, prev_hash, hash \
     FROM audit_log";

pub(crate) fn from_row(row: &Row) -> Result<AuditRecord, StoreError> {
    let raw = StoredEntry::from_row(row)?;
    Ok(AuditRecord {
        seq: raw.seq,
        at: Timestamp::parse(&raw.at).map_err(|e| bad(e.to_string()))?,
        event: AuditEvent {
            council: raw
                .council
                .parse()
                .map_err(|_| bad(format!("bad council id '{}'", raw.council)))?,
            actor: Actor::from_parts(&raw.actor_kind, raw.actor_id)?,
            actor_label: raw.actor_label,
            on_behalf_of: raw.on_behalf_of,
            subject: raw.subject,
            record: RecordRef::parse(&raw.record)?,
            fields: if raw.fields.is_empty() {
                Vec::new()
            } else {
                raw.fields.split(',').map(str::to_owned).collect()
            },
            action: Action::parse(&raw.action)?,
            purpose: raw.purpose,
            outcome: Outcome::parse(&raw.outcome)?,
        },
        prev_hash: raw.prev_hash,
        hash: raw.hash,
    })
}

fn bad(msg: String) -> StoreError {
    StoreError::decode(msg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_record_reads_back_as_written() {
        let all = [
            RecordRef::Resident(UserId::new()),
            RecordRef::Consent(UserId::new()),
            RecordRef::Case(CaseId::new()),
            RecordRef::Person(PersonId::new()),
            RecordRef::IndexRecord("council_tax/CT1".into()),
            RecordRef::IndexPair("council_tax/CT1/housing/H/2".into()),
            RecordRef::IndexReview(ReviewId::new()),
            RecordRef::IndexRun,
        ];
        for r in all {
            assert_eq!(RecordRef::parse(&r.to_string()).unwrap(), r, "{r}");
        }
        for bad in ["", "case", "case:not-an-id", "planet:earth", "index:walk"] {
            assert!(RecordRef::parse(bad).is_err(), "{bad}");
        }
    }
}

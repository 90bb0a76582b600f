//! A referral as its recipient works it: opened (each look audited, so the
//! resident sees who looked), accepted or declined with a reason, and, once
//! accepted, its outcome recorded ("called, all well"). The caller has
//! decided, through [`crate::permissions::Referrals`], that the member of
//! staff works for the recipient.

use townhall_audit::{Action, Actor, AuditEvent, RecordRef};
use townhall_store::{Store, StoreError};
use townhall_types::{CouncilId, FiringId, Timestamp};

use crate::firing::{self, Answered, Firing, Status};

/// The longest note or outcome, in characters.
pub const MOST_CHARS: usize = 2000;

/// Who works a referral.
#[derive(Debug, Clone)]
pub struct Worker<'a> {
    /// The actor, for the audit log.
    pub actor: Actor,
    /// Their name, as the firing and the resident see it.
    pub name: &'a str,
    /// The recipient they work for: a partner's id, or a team's.
    pub recipient: &'a str,
}

/// What the recipient says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// They take it on.
    Accept,
    /// They do not, and say why.
    Decline(String),
}

/// Why a referral cannot be worked as asked.
#[derive(Debug, thiserror::Error)]
pub enum ReferralError {
    /// No such referral for this recipient (or it never reached them).
    #[error("there is no such referral")]
    NotFound,
    /// It has been answered already.
    #[error("this referral has already been answered")]
    Answered,
    /// Its outcome cannot be recorded: not accepted, or recorded already.
    #[error("an outcome is recorded once, for a referral that was accepted")]
    NoOutcomeNow,
    /// A decline needs a reason; an outcome needs words.
    #[error("{0}")]
    Empty(&'static str),
    /// Text too long, or holding characters nobody types.
    #[error("{0}")]
    BadText(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Whether `firing` reached its recipient: a rule not live, or a referral
/// the hub refused, never did.
fn reached(firing: &Firing) -> bool {
    !matches!(firing.status, Status::Recorded | Status::Refused)
}

/// The referrals that reached `who`'s recipient, newest first (at most 200):
/// a list that names no one.
pub async fn list(
    store: &Store,
    council: CouncilId,
    who: &Worker<'_>,
) -> Result<Vec<Firing>, StoreError> {
    firing::to_recipient(store, council, who.recipient, 200).await
}

/// Opens one referral for `who`, recording the look in the audit log.
pub async fn open(
    store: &Store,
    council: CouncilId,
    id: FiringId,
    who: &Worker<'_>,
) -> Result<Firing, ReferralError> {
    let firing = theirs(store, council, id, who).await?;
    let mut tx = store.begin().await?;
    townhall_audit::append(&mut tx, &look(council, &firing, who, Action::Read)).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(firing)
}

/// Accepts or declines a referral.
pub async fn answer(
    store: &Store,
    council: CouncilId,
    id: FiringId,
    who: &Worker<'_>,
    answer: Answer,
) -> Result<Firing, ReferralError> {
    let firing = theirs(store, council, id, who).await?;
    let (status, note) = match answer {
        Answer::Accept => (Status::Accepted, None),
        Answer::Decline(reason) => (
            Status::Declined,
            Some(text(&reason, "Say why you are declining the referral")?),
        ),
    };
    let answered = Answered {
        by: who.name.to_owned(),
        at: Timestamp::now(),
        note,
    };
    let mut tx = store.begin().await?;
    if !firing::answer(&mut tx, council, firing.id, (status, &answered)).await? {
        return Err(ReferralError::Answered);
    }
    townhall_audit::append(&mut tx, &look(council, &firing, who, Action::Update)).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Firing {
        status,
        answered: Some(answered),
        ..firing
    })
}

/// Records an accepted referral's outcome.
pub async fn record_outcome(
    store: &Store,
    council: CouncilId,
    id: FiringId,
    who: &Worker<'_>,
    outcome: &str,
) -> Result<Firing, ReferralError> {
    let firing = theirs(store, council, id, who).await?;
    let outcome = text(outcome, "Say what happened")?;
    let now = Timestamp::now();
    let mut tx = store.begin().await?;
    if !firing::record_outcome(&mut tx, council, firing.id, (&outcome, now)).await? {
        return Err(ReferralError::NoOutcomeNow);
    }
    townhall_audit::append(&mut tx, &look(council, &firing, who, Action::Update)).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Firing {
        outcome: Some((outcome, now)),
        ..firing
    })
}

/// The referral, when it reached `who`'s recipient.
async fn theirs(
    store: &Store,
    council: CouncilId,
    id: FiringId,
    who: &Worker<'_>,
) -> Result<Firing, ReferralError> {
    firing::get(store, council, id)
        .await?
        .filter(|f| f.recipient == who.recipient && reached(f))
        .ok_or(ReferralError::NotFound)
}

/// The audit log's entry for `who` looking at or working a referral.
fn look(council: CouncilId, firing: &Firing, who: &Worker<'_>, action: Action) -> AuditEvent {
    let record = firing
        .person
        .map_or(RecordRef::Resident(firing.account), RecordRef::Person);
    AuditEvent::new(council, (who.actor.clone(), who.name), action, record)
        .about(Some(firing.account))
        .fields([crate::rule::REFERRAL.1])
        .purpose(format!("a referral from the council ({})", firing.rule))
}

/// Free text from a form: cleaned as everywhere, required, and not too long.
fn text(input: &str, empty: &'static str) -> Result<String, ReferralError> {
    let cleaned = townhall_types::text::clean(input)
        .map_err(|e| ReferralError::BadText(format!("The text {e}")))?;
    let trimmed = cleaned.trim();
    if trimmed.is_empty() {
        return Err(ReferralError::Empty(empty));
    }
    if trimmed.chars().count() > MOST_CHARS {
        return Err(ReferralError::BadText(format!(
            "Write at most {MOST_CHARS} characters"
        )));
    }
    Ok(trimmed.to_owned())
}

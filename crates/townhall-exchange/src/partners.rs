//! The organisations the council shares data with, and the keys they sign
//! their requests with. A partner has one or more Ed25519 public keys, each
//! valid from a time and, once replaced, until one, so that a key is
//! rotated without a moment when neither works.

use base64::Engine;
use serde::Serialize;
use townhall_store::{is_unique_violation, sql, Store, StoreError};
use townhall_types::{is_config_id, CouncilId, EmailAddress, Timestamp};

/// What kind of organisation a partner is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PartnerKind {
    /// A GP practice.
    GpPractice,
    /// An NHS trust.
    NhsTrust,
    /// A police force.
    Police,
    /// A housing association.
    HousingAssociation,
    /// A school.
    School,
    /// A charity.
    Charity,
    /// Another council.
    Council,
}

impl PartnerKind {
    /// Every kind, in the order they are offered.
    pub const ALL: [PartnerKind; 7] = [
        PartnerKind::GpPractice,
        PartnerKind::NhsTrust,
        PartnerKind::Police,
        PartnerKind::HousingAssociation,
        PartnerKind::School,
        PartnerKind::Charity,
        PartnerKind::Council,
    ];

    /// Its stored and typed form, e.g. `gp_practice`.
    pub fn as_str(self) -> &'static str {
        match self {
            PartnerKind::GpPractice => "gp_practice",
            PartnerKind::NhsTrust => "nhs_trust",
            PartnerKind::Police => "police",
            PartnerKind::HousingAssociation => "housing_association",
            PartnerKind::School => "school",
            PartnerKind::Charity => "charity",
            PartnerKind::Council => "council",
        }
    }

    /// In words, e.g. "GP practice".
    pub fn label(self) -> &'static str {
        match self {
            PartnerKind::GpPractice => "GP practice",
            PartnerKind::NhsTrust => "NHS trust",
            PartnerKind::Police => "Police force",
            PartnerKind::HousingAssociation => "Housing association",
            PartnerKind::School => "School",
            PartnerKind::Charity => "Charity",
            PartnerKind::Council => "Council",
        }
    }

    /// The kind written `text`.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// An organisation the council shares data with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Partner {
    /// Its id, as agreements name it, e.g. `riverside-medical-centre`.
    pub id: String,
    /// Its name.
    pub name: String,
    /// What kind of organisation it is.
    pub kind: PartnerKind,
    /// Its organisation code, e.g. its ODS code for an NHS organisation.
    pub code: Option<String>,
    /// Whom to contact about the exchange.
    pub contact: EmailAddress,
    /// Its data protection officer.
    pub dpo: EmailAddress,
}

/// Why a partner or key was refused.
#[derive(Debug, thiserror::Error)]
pub enum PartnerError {
    /// The id is malformed, or the word agreements use for the council.
    #[error(
        "the partner id '{0}' must be 1 to 60 lower-case letters, digits and hyphens, and not 'council' (agreements' name for the council itself)"
    )]
    BadId(String),
    /// The id is another partner's.
    #[error("there is already a partner '{0}'")]
    Taken(String),
    /// No name, or one that cannot be a name.
    #[error("the partner's name must be 1 to 200 characters on one line that can be typed")]
    BadName,
    /// The code is not one an organisation has.
    #[error("the organisation code '{0}' must be 1 to 12 capital letters and digits (an NHS ODS code, for example)")]
    BadCode(String),
    /// No such partner.
    #[error("there is no partner '{0}'")]
    Unknown(String),
    /// The key is not an Ed25519 public key anyone may sign with.
    #[error("a public key must be 32 bytes of Ed25519, in base64, and a point of the curve that is not of small order (a weak key)")]
    BadKey,
    /// The key id is malformed.
    #[error("the key id '{0}' must be 1 to 60 lower-case letters, digits and hyphens")]
    BadKeyId(String),
    /// The key id is another key's.
    #[error("there is already a key '{0}'")]
    KeyTaken(String),
    /// The key is the hub's own.
    #[error("that public key is the hub's own: a partner signs with a key of its own")]
    HubsOwnKey,
    /// No such key.
    #[error("there is no key '{0}'")]
    UnknownKey(String),
    /// The key already ends earlier: an end is never moved later.
    #[error("the key already stops being valid at {}; a key's end is never moved later (add a new key instead)", .0.to_db())]
    Retired(Timestamp),
    /// A key would end before it starts.
    #[error("a key cannot stop being valid before it starts")]
    BadValidity,
    /// A stored partner or key cannot be read: the store was changed by hand.
    #[error("{0} cannot be read from the store")]
    Unreadable(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Registers a partner with the council.
pub async fn register(store: &Store, council: CouncilId, p: &Partner) -> Result<(), PartnerError> {
    if !is_config_id(&p.id) || p.id == crate::agreement::COUNCIL {
        return Err(PartnerError::BadId(p.id.clone()));
    }
    // Names come pasted from letters and websites: line breaks and tabs
    // become spaces, characters nobody types are refused.
    let name = townhall_types::text::clean(&p.name)
        .map(|n| townhall_types::text::single_line(&n).into_owned())
        .map_err(|_| PartnerError::BadName)?;
    if name.is_empty() || name.chars().count() > 200 {
        return Err(PartnerError::BadName);
    }
    if let Some(code) = &p.code {
        let valid = (1..=12).contains(&code.len())
            && code
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
        if !valid {
            return Err(PartnerError::BadCode(code.clone()));
        }
    }
    let mut tx = store.begin().await?;
    let inserted = sql::query(
        "INSERT INTO partners (council_id, partner_id, name, kind, code, contact, dpo, registered_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(council.to_string())
    .bind(&p.id)
    .bind(&name)
    .bind(p.kind.as_str())
    .bind(p.code.as_deref())
    .bind(p.contact.as_str())
    .bind(p.dpo.as_str())
    .bind(Timestamp::now().to_db())
    .execute(&mut *tx)
    .await;
    match inserted {
        Ok(_) => Ok(tx.commit().await.map_err(StoreError::from)?),
        Err(e) if is_unique_violation(&e) => Err(PartnerError::Taken(p.id.clone())),
        Err(e) => Err(StoreError::from(e).into()),
    }
}

type PartnerRow = (String, String, String, Option<String>, String, String);

fn partner_of(row: PartnerRow) -> Result<Partner, PartnerError> {
    let (id, name, kind, code, contact, dpo) = row;
    let unreadable = |what: &str| PartnerError::Unreadable(format!("partner {id}'s {what}"));
    Ok(Partner {
        kind: PartnerKind::parse(&kind).ok_or_else(|| unreadable("its kind"))?,
        contact: EmailAddress::parse(&contact).map_err(|_| unreadable("its contact"))?,
        dpo: EmailAddress::parse(&dpo).map_err(|_| unreadable("its data protection officer"))?,
        id,
        name,
        code,
    })
}

/// The council's partners, by id.
pub async fn list(store: &Store, council: CouncilId) -> Result<Vec<Partner>, PartnerError> {
    let rows: Vec<PartnerRow> = sql::query_as(
        "SELECT partner_id, name, kind, code, contact, dpo FROM partners \
         WHERE council_id = $1 ORDER BY partner_id",
    )
    .bind(council.to_string())
    .fetch_all(store.reader())
    .await
    .map_err(StoreError::from)?;
    rows.into_iter().map(partner_of).collect()
}

/// The partner `id`, if the council has it.
pub async fn get(
    store: &Store,
    council: CouncilId,
    id: &str,
) -> Result<Option<Partner>, PartnerError> {
    let row: Option<PartnerRow> = sql::query_as(
        "SELECT partner_id, name, kind, code, contact, dpo FROM partners \
         WHERE council_id = $1 AND partner_id = $2",
    )
    .bind(council.to_string())
    .bind(id)
    .fetch_optional(store.reader())
    .await
    .map_err(StoreError::from)?;
    row.map(partner_of).transpose()
}

/// A public key a partner signs with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PartnerKey {
    /// Its id, the `keyid` a signature names.
    pub key_id: String,
    /// The partner.
    pub partner: String,
    /// The Ed25519 public key.
    #[serde(skip)]
    pub public_key: [u8; 32],
    /// From when signatures made with it are accepted.
    pub valid_from: Timestamp,
    /// Until when, once it is being replaced.
    pub valid_until: Option<Timestamp>,
}

impl PartnerKey {
    /// Whether a signature made at `at` with it is accepted.
    pub fn valid_at(&self, at: Timestamp) -> bool {
        self.valid_from <= at && self.valid_until.is_none_or(|until| at < until)
    }
}

/// `at`, without its fraction of a second.
fn whole_second(at: Timestamp) -> Timestamp {
    time::OffsetDateTime::from_unix_timestamp(at.unix_seconds())
        .map_or(at, Timestamp::from_datetime)
}

/// Adds a public key (base64 of its 32 bytes) to a partner, valid from
/// `valid_from` until `valid_until` if given.
pub async fn add_key(
    store: &Store,
    council: CouncilId,
    partner: &str,
    key_id: &str,
    public_key: &str,
    (valid_from, valid_until): (Timestamp, Option<Timestamp>),
) -> Result<PartnerKey, PartnerError> {
    if !is_config_id(key_id) {
        return Err(PartnerError::BadKeyId(key_id.to_owned()));
    }
    // Signatures say when they were made in whole seconds (RFC 9421's
    // `created`): a key made now is valid from the start of this second.
    let (valid_from, valid_until) = (whole_second(valid_from), valid_until.map(whole_second));
    if valid_until.is_some_and(|until| until <= valid_from) {
        return Err(PartnerError::BadValidity);
    }
    let bytes: [u8; 32] = base64::engine::general_purpose::STANDARD
        .decode(public_key.trim())
        .ok()
        .and_then(|b| b.try_into().ok())
        .filter(|b| crate::signature::usable_key(b).is_some())
        .ok_or(PartnerError::BadKey)?;
    if !list(store, council).await?.iter().any(|p| p.id == partner) {
        return Err(PartnerError::Unknown(partner.to_owned()));
    }
    if crate::hub_key::is_hubs(store, council, &bytes).await? {
        return Err(PartnerError::HubsOwnKey);
    }
    let mut tx = store.begin().await?;
    let inserted = sql::query(
        "INSERT INTO partner_keys (council_id, key_id, partner_id, public_key, valid_from, valid_until, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(council.to_string())
    .bind(key_id)
    .bind(partner)
    .bind(base64::engine::general_purpose::STANDARD.encode(bytes))
    .bind(valid_from.to_db())
    .bind(valid_until.map(|t| t.to_db()))
    .bind(Timestamp::now().to_db())
    .execute(&mut *tx)
    .await;
    match inserted {
        Ok(_) => {
            tx.commit().await.map_err(StoreError::from)?;
            Ok(PartnerKey {
                key_id: key_id.to_owned(),
                partner: partner.to_owned(),
                public_key: bytes,
                valid_from,
                valid_until,
            })
        }
        Err(e) if is_unique_violation(&e) => Err(PartnerError::KeyTaken(key_id.to_owned())),
        Err(e) => Err(StoreError::from(e).into()),
    }
}

/// Makes a new key pair for a partner (for one that cannot make its own)
/// and adds its public half: the key, and the private seed, to be handed to
/// the partner once and kept nowhere here.
pub async fn create_key(
    store: &Store,
    council: CouncilId,
    partner: &str,
    key_id: &str,
    validity: (Timestamp, Option<Timestamp>),
) -> Result<(PartnerKey, [u8; 32]), PartnerError> {
    let (signing, seed) =
        crate::signature::SigningKey::generate(key_id).map_err(|_| PartnerError::BadKey)?;
    let public = base64::engine::general_purpose::STANDARD.encode(signing.public_key());
    let key = add_key(store, council, partner, key_id, &public, validity).await?;
    Ok((key, seed))
}

/// Ends a key at `at`, so that signatures made after it are refused: the
/// partner's next key should be valid by then.
pub async fn retire_key(
    store: &Store,
    council: CouncilId,
    key_id: &str,
    at: Timestamp,
) -> Result<PartnerKey, PartnerError> {
    let at = whole_second(at);
    let mut found = key(store, council, key_id)
        .await?
        .ok_or_else(|| PartnerError::UnknownKey(key_id.to_owned()))?;
    if at < found.valid_from {
        return Err(PartnerError::BadValidity);
    }
    if let Some(until) = found.valid_until.filter(|until| *until < at) {
        return Err(PartnerError::Retired(until));
    }
    let mut tx = store.begin().await?;
    sql::query("UPDATE partner_keys SET valid_until = $3 WHERE council_id = $1 AND key_id = $2")
        .bind(council.to_string())
        .bind(key_id)
        .bind(at.to_db())
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from)?;
    tx.commit().await.map_err(StoreError::from)?;
    found.valid_until = Some(at);
    Ok(found)
}

/// A partner's keys, oldest first.
pub async fn keys(
    store: &Store,
    council: CouncilId,
    partner: &str,
) -> Result<Vec<PartnerKey>, PartnerError> {
    if get(store, council, partner).await?.is_none() {
        return Err(PartnerError::Unknown(partner.to_owned()));
    }
    let ids: Vec<(String,)> = sql::query_as(
        "SELECT key_id FROM partner_keys WHERE council_id = $1 AND partner_id = $2 \
         ORDER BY valid_from, key_id",
    )
    .bind(council.to_string())
    .bind(partner)
    .fetch_all(store.reader())
    .await
    .map_err(StoreError::from)?;
    let mut found = Vec::with_capacity(ids.len());
    for (id,) in ids {
        found.extend(key(store, council, &id).await?);
    }
    Ok(found)
}

/// The key `key_id` names, if the council has it.
pub async fn key(
    store: &Store,
    council: CouncilId,
    key_id: &str,
) -> Result<Option<PartnerKey>, PartnerError> {
    let row: Option<(String, String, String, String, Option<String>)> = sql::query_as(
        "SELECT key_id, partner_id, public_key, valid_from, valid_until FROM partner_keys \
         WHERE council_id = $1 AND key_id = $2",
    )
    .bind(council.to_string())
    .bind(key_id)
    .fetch_optional(store.reader())
    .await
    .map_err(StoreError::from)?;
    row.map(|(key_id, partner, public_key, from, until)| {
        let unreadable = || PartnerError::Unreadable(format!("partner key {key_id}"));
        let public_key: [u8; 32] = base64::engine::general_purpose::STANDARD
            .decode(&public_key)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(unreadable)?;
        Ok(PartnerKey {
            valid_from: Timestamp::parse(&from).map_err(|_| unreadable())?,
            valid_until: until
                .map(|u| Timestamp::parse(&u).map_err(|_| unreadable()))
                .transpose()?,
            key_id,
            partner,
            public_key,
        })
    })
    .transpose()
}

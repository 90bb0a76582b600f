//! Where each partner's webhooks go, and which record types it asked for:
//! the address, checked (https anywhere, http only to this machine), set by
//! the council or by the partner's own signed request
//! ([`crate::hub::subscribe`]).

use townhall_store::{sql, Store, StoreError};
use townhall_types::{CouncilId, Timestamp};

use crate::partners::PartnerError;

/// Why a webhook address was refused.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    /// Not an address the hub sends to.
    #[error("a webhook address must be an https:// address (or http:// on this machine, for testing): {0}")]
    BadUrl(String),
    /// No such partner.
    #[error("there is no partner '{0}'")]
    UnknownPartner(String),
    /// A record type the hub does not exchange.
    #[error("'{0}' is not a record type the hub exchanges")]
    UnknownRecordType(String),
    /// No such delivery, or not a dead letter.
    #[error("there is no undelivered message '{0}' to send again")]
    NotDead(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Checks a webhook address: https anywhere, http only to this machine.
fn checked(url: &str) -> Result<url::Url, WebhookError> {
    let bad = || WebhookError::BadUrl(url.chars().take(200).collect());
    let parsed = url::Url::parse(url.trim()).map_err(|_| bad())?;
    let local = matches!(parsed.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    match parsed.scheme() {
        "https" => {}
        "http" if local => {}
        _ => return Err(bad()),
    }
    if parsed.host_str().is_none() || !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(bad());
    }
    Ok(parsed)
}

/// Where a partner's messages go, and which.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Subscription {
    /// The address.
    pub url: String,
    /// The record types it asked for; every type its agreements let the
    /// council send when `None`.
    pub record_types: Option<Vec<String>>,
}

impl Subscription {
    /// Whether it asked for `record_type`.
    pub fn wants(&self, record_type: &str) -> bool {
        self.record_types
            .as_ref()
            .is_none_or(|types| types.iter().any(|t| t == record_type))
    }
}

/// Sets the address `partner`'s webhooks go to, for `record_types` (each
/// a type the hub exchanges) or for every type when `None`.
pub async fn set_webhook(
    store: &Store,
    council: CouncilId,
    partner: &str,
    url: &str,
    record_types: Option<&[String]>,
) -> Result<Subscription, WebhookError> {
    let url = checked(url)?;
    if let Some(unknown) = record_types
        .into_iter()
        .flatten()
        .find(|t| crate::records::record_type(t).is_none())
    {
        return Err(WebhookError::UnknownRecordType(
            unknown.chars().take(60).collect(),
        ));
    }
    let types = record_types
        .map(serde_json::to_string)
        .transpose()
        .map_err(|e| StoreError::decode(e.to_string()))?;
    if crate::partners::get(store, council, partner)
        .await
        .map_err(|e| match e {
            PartnerError::Store(s) => WebhookError::Store(s),
            _ => WebhookError::UnknownPartner(partner.to_owned()),
        })?
        .is_none()
    {
        return Err(WebhookError::UnknownPartner(partner.to_owned()));
    }
    let mut tx = store.begin().await?;
    sql::query("DELETE FROM hub_webhooks WHERE council_id = $1 AND partner_id = $2")
        .bind(council.to_string())
        .bind(partner)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from)?;
    sql::query(
        "INSERT INTO hub_webhooks (council_id, partner_id, url, set_at, record_types) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(council.to_string())
    .bind(partner)
    .bind(url.as_str())
    .bind(Timestamp::now().to_db())
    .bind(types)
    .execute(&mut *tx)
    .await
    .map_err(StoreError::from)?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Subscription {
        url: url.to_string(),
        record_types: record_types.map(<[String]>::to_vec),
    })
}

/// Where `partner`'s messages go, if it said.
pub async fn webhook(
    store: &Store,
    council: CouncilId,
    partner: &str,
) -> Result<Option<Subscription>, StoreError> {
    let row: Option<(String, Option<String>)> = sql::query_as(
        "SELECT url, record_types FROM hub_webhooks WHERE council_id = $1 AND partner_id = $2",
    )
    .bind(council.to_string())
    .bind(partner)
    .fetch_optional(store.reader())
    .await?;
    row.map(|(url, types)| {
        let record_types = types
            .map(|t| serde_json::from_str(&t))
            .transpose()
            .map_err(|_| StoreError::decode(format!("partner {partner}'s record types")))?;
        Ok(Subscription { url, record_types })
    })
    .transpose()
}

//! Where each partner's webhooks go: the address, checked (https anywhere,
//! http only to this machine), set by the council or by the partner's own
//! signed request ([`crate::hub::subscribe`]).

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

/// Sets the address `partner`'s webhooks go to.
pub async fn set_webhook(
    store: &Store,
    council: CouncilId,
    partner: &str,
    url: &str,
) -> Result<url::Url, WebhookError> {
    let url = checked(url)?;
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
        "INSERT INTO hub_webhooks (council_id, partner_id, url, set_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(council.to_string())
    .bind(partner)
    .bind(url.as_str())
    .bind(Timestamp::now().to_db())
    .execute(&mut *tx)
    .await
    .map_err(StoreError::from)?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(url)
}

/// The address `partner`'s webhooks go to, if it gave one.
pub async fn webhook(
    store: &Store,
    council: CouncilId,
    partner: &str,
) -> Result<Option<String>, StoreError> {
    let row: Option<(String,)> =
        sql::query_as("SELECT url FROM hub_webhooks WHERE council_id = $1 AND partner_id = $2")
            .bind(council.to_string())
            .bind(partner)
            .fetch_optional(store.reader())
            .await?;
    Ok(row.map(|(url,)| url))
}

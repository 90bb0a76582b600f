//! Passkeys (WebAuthn): "sign in with your fingerprint or face".
//!
//! A ceremony's server-side state lives in the store for five minutes between
//! its start and finish, so any server process can complete it.

use time::Duration;
use townhall_store::{sql, Store, StoreError, Tx};
use townhall_types::{CouncilId, Timestamp, UserId};
use url::Url;
use webauthn_rs::prelude::{
    CreationChallengeResponse, CredentialID, DiscoverableAuthentication, Passkey,
    PasskeyRegistration, PublicKeyCredential, RegisterPublicKeyCredential,
    RequestChallengeResponse, Uuid, Webauthn, WebauthnBuilder,
};
use webauthn_rs_proto::ResidentKeyRequirement;

use crate::accounts::{self, User};
use crate::decode_err;
use crate::mail::{self, Mailer, RecoveryError};

const CEREMONY_LIFETIME: Duration = Duration::minutes(5);

/// Why a passkey step failed.
#[derive(Debug, thiserror::Error)]
pub enum PasskeyError {
    /// The relying party settings are wrong (bad origin).
    #[error("passkeys are misconfigured: {0}")]
    Config(String),
    /// The ceremony is unknown or too old.
    #[error("This sign-in attempt has expired. Try again")]
    Expired,
    /// The browser answered with a passkey this site does not keep (it was
    /// removed, or made for another account that no longer exists).
    #[error("That passkey is not one this site knows. Sign in with your password, then add a passkey in your account settings")]
    Unknown,
    /// The browser's answer did not verify.
    #[error("Your passkey could not be checked. Try again, or sign in with your password")]
    Rejected,
    /// The owner could not be told (a configuration fault).
    #[error(transparent)]
    Notice(#[from] RecoveryError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The WebAuthn relying party for one public address.
#[derive(Clone)]
pub struct Passkeys {
    webauthn: std::sync::Arc<Webauthn>,
}

impl std::fmt::Debug for Passkeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Passkeys")
    }
}

impl Passkeys {
    /// A relying party for the site at `origin` (e.g. `https://riverside.example`), named `name`.
    pub fn new(origin: &Url, name: &str) -> Result<Self, PasskeyError> {
        let rp_id = origin
            .host_str()
            .ok_or_else(|| PasskeyError::Config(format!("'{origin}' has no host")))?;
        let webauthn = WebauthnBuilder::new(rp_id, origin)
            .and_then(|b| b.rp_name(name).build())
            .map_err(|e| PasskeyError::Config(e.to_string()))?;
        Ok(Self {
            webauthn: std::sync::Arc::new(webauthn),
        })
    }

    /// Starts adding a passkey to a signed-in account. Returns the ceremony id and
    /// the options for `navigator.credentials.create`.
    pub async fn start_registration(
        &self,
        store: &Store,
        user: &User,
    ) -> Result<(String, CreationChallengeResponse), PasskeyError> {
        let existing = load(store, user.council, user.id).await?;
        let exclude = existing
            .iter()
            .map(|p| p.cred_id().clone())
            .collect::<Vec<_>>();
        let (mut options, state) = self
            .webauthn
            .start_passkey_registration(
                user.id.as_uuid(),
                user.email.as_str(),
                &user.display_name,
                Some(exclude),
            )
            .map_err(|_| PasskeyError::Rejected)?;
        // Sign-in names no account, so the passkey must be one the device
        // can find by itself (a discoverable credential): one that cannot
        // be found so would add a passkey that never signs in.
        if let Some(selection) = options.public_key.authenticator_selection.as_mut() {
            selection.resident_key = Some(ResidentKeyRequirement::Required);
            selection.require_resident_key = true;
        }
        let id = save_ceremony(store, user.council, Some(user.id), "register", &state).await?;
        Ok((id, options))
    }

    /// Finishes adding a passkey, and tells its owner by email.
    pub async fn finish_registration(
        &self,
        store: &Store,
        mailer: &Mailer<'_>,
        user: &User,
        ceremony: &str,
        credential: &RegisterPublicKeyCredential,
    ) -> Result<(), PasskeyError> {
        let mut tx = store.begin().await?;
        let (owner, state): (Option<UserId>, PasskeyRegistration) =
            take_ceremony(&mut tx, user.council, ceremony, "register").await?;
        if owner != Some(user.id) {
            return Err(PasskeyError::Expired);
        }
        let passkey = self
            .webauthn
            .finish_passkey_registration(credential, &state)
            .map_err(|_| PasskeyError::Rejected)?;
        sql::query(
            "INSERT INTO passkeys (council_id, credential_id, user_id, passkey, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(user.council.to_string())
        .bind(credential_id(&passkey))
        .bind(user.id.to_string())
        .bind(serde_json::to_string(&passkey).map_err(|e| decode_err(e.to_string()))?)
        .bind(Timestamp::now().to_db())
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from)?;
        mail::passkey_added(&mut tx, mailer, user).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// Starts signing in with a passkey, for whoever holds one: the browser
    /// offers the person the passkeys it has for this site, so nobody says
    /// (and nobody learns) which account is signing in until a passkey
    /// answers. Returns the ceremony id and the options for
    /// `navigator.credentials.get`.
    pub async fn start_sign_in(
        &self,
        store: &Store,
        council: CouncilId,
    ) -> Result<(String, RequestChallengeResponse), PasskeyError> {
        let (mut options, state) = self
            .webauthn
            .start_discoverable_authentication()
            .map_err(|_| PasskeyError::Rejected)?;
        // Asked for with a button, so the browser's usual dialogue rather
        // than the library's default of offering passkeys in the email box.
        options.mediation = None;
        let id = save_ceremony(store, council, None, "authenticate", &state).await?;
        Ok((id, options))
    }

    /// Finishes signing in: finds the passkey the browser answered with,
    /// checks its signature and returns its account.
    pub async fn finish_sign_in(
        &self,
        store: &Store,
        council: CouncilId,
        ceremony: &str,
        credential: &PublicKeyCredential,
    ) -> Result<User, PasskeyError> {
        // A ceremony is one try, whatever its outcome: it is used up before
        // the answer is checked.
        let mut tx = store.begin().await?;
        let (_, state): (Option<UserId>, DiscoverableAuthentication) =
            take_ceremony(&mut tx, council, ceremony, "authenticate").await?;
        tx.commit().await.map_err(StoreError::from)?;
        let (user_handle, raw_id) = self
            .webauthn
            .identify_discoverable_authentication(credential)
            .map_err(|_| PasskeyError::Rejected)?;
        let id = encode_id(&CredentialID::from(raw_id.to_vec()));
        let row: Option<(String, String)> = sql::query_as(
            "SELECT user_id, passkey FROM passkeys WHERE council_id = $1 AND credential_id = $2",
        )
        .bind(council.to_string())
        .bind(&id)
        .fetch_optional(store.reader())
        .await
        .map_err(StoreError::from)?;
        let Some((owner, stored)) = row else {
            return Err(PasskeyError::Unknown);
        };
        let owner: UserId = owner.parse().map_err(|_| PasskeyError::Rejected)?;
        // The browser names the account the passkey was made for; it must
        // be the one the passkey is kept under.
        if owner.as_uuid() != user_handle {
            return Err(PasskeyError::Rejected);
        }
        let mut passkey: Passkey =
            serde_json::from_str(&stored).map_err(|e| decode_err(e.to_string()))?;
        let result = self
            .webauthn
            .finish_discoverable_authentication(credential, state, &[(&passkey).into()])
            .map_err(|_| PasskeyError::Rejected)?;
        passkey.update_credential(&result);
        let mut tx = store.begin().await?;
        sql::query(
            "UPDATE passkeys SET passkey = $3, last_used_at = $4 WHERE council_id = $1 AND credential_id = $2",
        )
        .bind(council.to_string())
        .bind(&id)
        .bind(serde_json::to_string(&passkey).map_err(|e| decode_err(e.to_string()))?)
        .bind(Timestamp::now().to_db())
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from)?;
        tx.commit().await.map_err(StoreError::from)?;
        accounts::get(store, council, owner)
            .await?
            .ok_or(PasskeyError::Unknown)
    }
}

/// One of an account's passkeys, as its owner sees it.
#[derive(Debug, Clone)]
pub struct PasskeySummary {
    /// The credential id (base64url), which names it in URLs.
    pub credential_id: String,
    /// When it was added.
    pub created_at: Timestamp,
    /// When it was last used to sign in.
    pub last_used_at: Option<Timestamp>,
}

/// An account's passkeys, oldest first.
pub async fn list(
    store: &Store,
    council: CouncilId,
    user: UserId,
) -> Result<Vec<PasskeySummary>, StoreError> {
    let rows: Vec<(String, String, Option<String>)> = sql::query_as(
        "SELECT credential_id, created_at, last_used_at FROM passkeys \
         WHERE council_id = $1 AND user_id = $2 ORDER BY created_at",
    )
    .bind(council.to_string())
    .bind(user.to_string())
    .fetch_all(store.reader())
    .await?;
    rows.into_iter()
        .map(|(credential_id, created, used)| {
            Ok(PasskeySummary {
                credential_id,
                created_at: Timestamp::parse(&created).map_err(|e| decode_err(e.to_string()))?,
                last_used_at: used
                    .map(|u| Timestamp::parse(&u).map_err(|e| decode_err(e.to_string())))
                    .transpose()?,
            })
        })
        .collect()
}

/// Removes one of the account's own passkeys; false when it has no such passkey.
pub async fn remove(
    store: &Store,
    council: CouncilId,
    user: UserId,
    credential_id: &str,
) -> Result<bool, StoreError> {
    let mut tx = store.begin().await?;
    let done = sql::query(
        "DELETE FROM passkeys WHERE council_id = $1 AND user_id = $2 AND credential_id = $3",
    )
    .bind(council.to_string())
    .bind(user.to_string())
    .bind(credential_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    tx.commit().await?;
    Ok(done == 1)
}

/// Removes every passkey of an account (when its password is reset);
/// how many there were.
pub async fn remove_all(tx: &mut Tx, council: CouncilId, user: UserId) -> Result<u64, StoreError> {
    Ok(
        sql::query("DELETE FROM passkeys WHERE council_id = $1 AND user_id = $2")
            .bind(council.to_string())
            .bind(user.to_string())
            .execute(&mut **tx)
            .await?
            .rows_affected(),
    )
}

fn credential_id(passkey: &Passkey) -> String {
    encode_id(passkey.cred_id())
}

/// A credential id as stored and shown in URLs: base64url, as the library
/// writes it.
fn encode_id(id: &CredentialID) -> String {
    serde_json::to_value(id)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

async fn load(store: &Store, council: CouncilId, user: UserId) -> Result<Vec<Passkey>, StoreError> {
    let rows: Vec<(String,)> = sql::query_as(
        "SELECT passkey FROM passkeys WHERE council_id = $1 AND user_id = $2 ORDER BY created_at",
    )
    .bind(council.to_string())
    .bind(user.to_string())
    .fetch_all(store.reader())
    .await?;
    rows.into_iter()
        .map(|(json,)| serde_json::from_str(&json).map_err(|e| decode_err(e.to_string())))
        .collect()
}

async fn save_ceremony<S: serde::Serialize>(
    store: &Store,
    council: CouncilId,
    user: Option<UserId>,
    kind: &str,
    state: &S,
) -> Result<String, StoreError> {
    let id = Uuid::now_v7().to_string();
    let now = Timestamp::now();
    let mut tx = store.begin().await?;
    sql::query("DELETE FROM webauthn_ceremonies WHERE council_id = $1 AND expires_at < $2")
        .bind(council.to_string())
        .bind(now.to_db())
        .execute(&mut *tx)
        .await?;
    sql::query(
        "INSERT INTO webauthn_ceremonies (council_id, ceremony_id, user_id, kind, state, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(council.to_string())
    .bind(&id)
    .bind(user.map(|u| u.to_string()))
    .bind(kind)
    .bind(serde_json::to_string(state).map_err(|e| decode_err(e.to_string()))?)
    .bind(now.plus(CEREMONY_LIFETIME).to_db())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(id)
}

async fn take_ceremony<S: serde::de::DeserializeOwned>(
    tx: &mut Tx,
    council: CouncilId,
    id: &str,
    kind: &str,
) -> Result<(Option<UserId>, S), PasskeyError> {
    let row: Option<(Option<String>, String)> = sql::query_as(
        "DELETE FROM webauthn_ceremonies WHERE council_id = $1 AND ceremony_id = $2 AND kind = $3 \
         AND expires_at > $4 RETURNING user_id, state",
    )
    .bind(council.to_string())
    .bind(id)
    .bind(kind)
    .bind(Timestamp::now().to_db())
    .fetch_optional(&mut **tx)
    .await
    .map_err(StoreError::from)?;
    let (user, state) = row.ok_or(PasskeyError::Expired)?;
    let user = user
        .map(|u| u.parse().map_err(|_| PasskeyError::Expired))
        .transpose()?;
    Ok((
        user,
        serde_json::from_str(&state).map_err(|_| PasskeyError::Expired)?,
    ))
}

//! How account emails are made and put in the outbox: a council's
//! [`Mailer`], links with a token, and the notices themselves. The account
//! commands (`recovery`) and passkeys both write through it.

use townhall_notify::{Outgoing, Templates};
use townhall_store::{StoreError, Tx};
use townhall_types::{CouncilId, Timestamp};
use url::Url;

use crate::accounts::{AccountError, User};
use crate::tokens::{self, TokenPurpose};

/// How a council's account emails are made: its templates and name, and the
/// public address their links lead to.
#[derive(Debug, Clone, Copy)]
pub struct Mailer<'a> {
    /// The council's message templates.
    pub templates: &'a Templates,
    /// The council.
    pub council: CouncilId,
    /// Its name, as messages give it.
    pub council_name: &'a str,
    /// The site's public address, e.g. `https://riverside.example/`.
    pub public_url: &'a Url,
}

/// Why an account command could not be done (beyond what it tells nobody).
#[derive(Debug, thiserror::Error)]
pub enum RecoveryError {
    /// A template is missing or does not fit its values: a configuration fault.
    #[error("an account email could not be made: {0}")]
    Template(String),
    /// The account could not be made.
    #[error(transparent)]
    Account(#[from] AccountError),
    /// A link could not be made from the public address.
    #[error("the public address cannot make links: {0}")]
    Link(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Tells the owner a passkey was added, with what to do if it was not them
/// (whoever got into the account could otherwise keep a way back in); in
/// the transaction that adds it, so it is never added untold.
pub(crate) async fn passkey_added(
    tx: &mut Tx,
    mailer: &Mailer<'_>,
    user: &User,
) -> Result<(), RecoveryError> {
    let link = link(mailer, "forgot-password")?;
    let when = Timestamp::now().human();
    send(
        tx,
        mailer,
        user,
        "passkey-added",
        &[("when", &when), ("link", link.as_str())],
    )
    .await
}

/// Issues a link for `purpose` and emails it to the account's owner with
/// `template`, filled with the council, the link and `values`.
pub(crate) async fn email_link(
    tx: &mut Tx,
    mailer: &Mailer<'_>,
    user: &User,
    purpose: TokenPurpose,
    template: &str,
    values: &[(&str, &str)],
) -> Result<(), RecoveryError> {
    let token = tokens::issue(tx, user.council, user.id, purpose).await?;
    let mut link = link(
        mailer,
        match purpose {
            TokenPurpose::VerifyEmail => "verify-email",
            TokenPurpose::ResetPassword => "reset-password",
        },
    )?;
    link.query_pairs_mut().append_pair("token", &token);
    let mut all = vec![("link", link.as_str())];
    all.extend_from_slice(values);
    send(tx, mailer, user, template, &all).await
}

pub(crate) fn link(mailer: &Mailer<'_>, path: &str) -> Result<Url, RecoveryError> {
    mailer
        .public_url
        .join(path)
        .map_err(|e| RecoveryError::Link(e.to_string()))
}

/// Puts `template`, filled with the council's name and `values`, in the
/// outbox for the account's owner.
pub(crate) async fn send(
    tx: &mut Tx,
    mailer: &Mailer<'_>,
    user: &User,
    template: &str,
    values: &[(&str, &str)],
) -> Result<(), RecoveryError> {
    let mut all = vec![("council", mailer.council_name)];
    all.extend_from_slice(values);
    let reference = user.id.to_string();
    townhall_notify::enqueue_all(
        tx,
        mailer.templates,
        &[Outgoing {
            council: user.council,
            template_id: template,
            recipient: user.email.as_str(),
            values: &all,
            reference: Some(&reference),
        }],
    )
    .await?
    .map_err(|e| RecoveryError::Template(e.to_string()))?;
    Ok(())
}

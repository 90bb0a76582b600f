//! Where messages go: an SMTP server, or (in the demo) the local mailbox.

use std::collections::HashMap;

use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::Deserialize;

use townhall_types::CouncilId;

use crate::message::Status;

/// How to reach the SMTP server.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpSettings {
    /// Host name.
    pub host: String,
    /// Port (587 for STARTTLS, 465 for TLS, 25 for plain on a trusted network).
    #[serde(default = "default_port")]
    pub port: u16,
    /// User name, if the server needs one.
    #[serde(default)]
    pub username: Option<String>,
    /// Password, if the server needs one. Never logged.
    #[serde(default)]
    pub password: Option<String>,
    /// The From address, e.g. `Riverside Borough Council <noreply@riverside.example>`.
    pub from: String,
    /// `starttls` (default), `tls` or `none` (only for a relay on the same host).
    #[serde(default = "default_security")]
    pub security: String,
}

fn default_port() -> u16 {
    587
}

fn default_security() -> String {
    "starttls".to_owned()
}

/// Delivers messages.
#[derive(Clone)]
pub enum Transport {
    /// Email by SMTP; SMS and letters have no provider configured.
    Smtp(Box<Smtp>),
    /// The demo mailbox: messages stay in the store and are shown at `/dev/mailbox`.
    Mailbox,
    /// No provider: messages fail with a technical failure saying so.
    Unconfigured,
}

/// An SMTP connection and the From addresses to use on it.
#[derive(Clone)]
pub struct Smtp {
    mailer: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// Councils that send from their own address instead.
    senders: HashMap<CouncilId, Mailbox>,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Transport::Smtp(_) => "Transport::Smtp",
            Transport::Mailbox => "Transport::Mailbox",
            Transport::Unconfigured => "Transport::Unconfigured",
        })
    }
}

impl Transport {
    /// An SMTP transport from settings.
    pub fn smtp(settings: &SmtpSettings) -> Result<Self, String> {
        let from: Mailbox = settings
            .from
            .parse()
            .map_err(|e| format!("smtp.from '{}' is not an email address: {e}", settings.from))?;
        let builder = match settings.security.as_str() {
            "starttls" => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&settings.host),
            "tls" => AsyncSmtpTransport::<Tokio1Executor>::relay(&settings.host),
            "none" => Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(
                &settings.host,
            )),
            other => {
                return Err(format!(
                    "smtp.security must be starttls, tls or none, not '{other}'"
                ))
            }
        }
        .map_err(|e| format!("smtp.host '{}': {e}", settings.host))?;
        let mut builder = builder.port(settings.port);
        if let (Some(u), Some(p)) = (&settings.username, &settings.password) {
            builder = builder.credentials(Credentials::new(u.clone(), p.clone()));
        }
        Ok(Transport::Smtp(Box::new(Smtp {
            mailer: builder.build(),
            from,
            senders: HashMap::new(),
        })))
    }

    /// Email for `council` goes out from `from` (e.g. `Hillcrest District Council
    /// <noreply@hillcrest.example>`) instead of the shared address. Only SMTP
    /// sends email, so the other transports stay as they are.
    pub fn send_as(mut self, council: CouncilId, from: &str) -> Result<Self, String> {
        if let Transport::Smtp(smtp) = &mut self {
            let mailbox = from
                .parse()
                .map_err(|e| format!("'{from}' is not an email address: {e}"))?;
            smtp.senders.insert(council, mailbox);
        }
        Ok(self)
    }

    pub(crate) async fn send(
        &self,
        council: CouncilId,
        channel: &str,
        to: &str,
        subject: &str,
        body: &str,
    ) -> Result<Status, Failure> {
        match (self, channel) {
            (Transport::Mailbox, _) => Ok(Status::Delivered),
            (Transport::Smtp(smtp), "email") => {
                let from = smtp.senders.get(&council).unwrap_or(&smtp.from);
                let to: Mailbox = to
                    .parse()
                    .map_err(|e| Failure::Permanent(format!("bad recipient address: {e}")))?;
                let message = Message::builder()
                    .from(from.clone())
                    .to(to)
                    .subject(subject)
                    .body(body.to_owned())
                    .map_err(|e| Failure::Permanent(e.to_string()))?;
                match smtp.mailer.send(message).await {
                    Ok(_) => Ok(Status::Sending),
                    Err(e) if e.is_permanent() => Err(Failure::Permanent(format!("SMTP: {e}"))),
                    Err(e) => Err(Failure::Transient(format!("SMTP: {e}"))),
                }
            }
            (_, other) => Err(Failure::Unconfigured(format!(
                "no provider is configured for {other} messages"
            ))),
        }
    }
}

/// Why a message was not handed on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Failure {
    /// The provider refused it for good (e.g. no such mailbox).
    Permanent(String),
    /// It may work later (the provider is down or busy).
    Transient(String),
    /// There is nobody to hand it to.
    Unconfigured(String),
}

impl Failure {
    pub(crate) fn detail(&self) -> &str {
        match self {
            Failure::Permanent(d) | Failure::Transient(d) | Failure::Unconfigured(d) => d,
        }
    }
}

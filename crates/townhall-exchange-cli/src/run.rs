//! What `townhall admin partner` does.

use std::process::ExitCode;

use anyhow::Context;
use base64::Engine;
use townhall_audit::Actor;
use townhall_cli::pick_council;
use townhall_exchange::partners::{self, PartnerKey, PartnerKind};
use townhall_exchange::staff::{self, NewPartnerStaff};
use townhall_exchange::webhooks;
use townhall_identity::{password, PartnerRole};
use townhall_kernel::Platform;
use townhall_types::{EmailAddress, Timestamp};

use crate::{KeyCommand, Partner, PartnerCommand, StaffCommand};

/// A time given on the command line, or now.
fn time(flag: &str, text: Option<&str>) -> anyhow::Result<Timestamp> {
    match text {
        None => Ok(Timestamp::now()),
        Some(t) => Timestamp::parse(t)
            .with_context(|| format!("{flag} must be a time such as 2027-04-01T00:00:00Z")),
    }
}

fn validity(
    from: Option<&str>,
    until: Option<&str>,
) -> anyhow::Result<(Timestamp, Option<Timestamp>)> {
    Ok((
        time("--valid-from", from)?,
        until.map(|u| time("--valid-until", Some(u))).transpose()?,
    ))
}

fn shown(key: &PartnerKey) -> String {
    format!(
        "{}\t{}\tfrom {}\t{}",
        key.key_id,
        key.partner,
        key.valid_from.to_db(),
        key.valid_until
            .map_or_else(|| "no end".to_owned(), |u| format!("until {}", u.to_db()))
    )
}

/// Runs `townhall admin partner`.
pub(crate) async fn partner(partner: Partner, platform: &Platform) -> anyhow::Result<ExitCode> {
    let store = townhall_cli::open(&partner.store, platform).await?;
    let council = pick_council(&store, partner.council.as_deref()).await?;
    match partner.command {
        PartnerCommand::Register {
            id,
            name,
            kind,
            code,
            contact,
            dpo,
        } => {
            let kind = PartnerKind::parse(&kind).with_context(|| {
                let kinds: Vec<&str> = PartnerKind::ALL.iter().map(|k| k.as_str()).collect();
                format!("--kind must be one of {}", kinds.join(", "))
            })?;
            let email = |flag: &str, text: &str| {
                EmailAddress::parse(text).map_err(|e| anyhow::anyhow!("{flag}: {e}"))
            };
            let p = partners::Partner {
                id,
                name,
                kind,
                code,
                contact: email("--contact", &contact)?,
                dpo: email("--dpo", &dpo)?,
            };
            partners::register(&store, council.id, &p).await?;
            println!("Registered partner '{}' ({})", p.id, council.slug);
        }
        PartnerCommand::List => {
            for p in partners::list(&store, council.id).await? {
                println!(
                    "{}\t{}\t{}\t{}",
                    p.id,
                    p.name,
                    p.kind.as_str(),
                    p.code.as_deref().unwrap_or("-")
                );
            }
        }
        PartnerCommand::Webhook {
            partner,
            url,
            record_types,
        } => {
            let types = (!record_types.is_empty()).then_some(record_types.as_slice());
            let set = webhooks::set_webhook(&store, council.id, &partner, &url, types).await?;
            match &set.record_types {
                Some(types) => println!(
                    "Messages to {partner} of {} now go to {}",
                    types.join(", "),
                    set.url
                ),
                None => println!("Messages to {partner} now go to {}", set.url),
            }
        }
        PartnerCommand::DeadLetters { send_again } => match send_again {
            Some(id) => {
                webhooks::send_again(
                    &store,
                    council.id,
                    &id,
                    (
                        Actor::System("townhall admin".into()),
                        "The council's administrator",
                    ),
                )
                .await?;
                println!("Message {id} will be sent again within a minute");
            }
            None => {
                for d in webhooks::dead_letters(&store, council.id).await? {
                    println!(
                        "{}\t{}\t{}\tqueued {}\t{} attempts\t{}",
                        d.id,
                        d.partner,
                        d.record_type,
                        d.created_at.to_db(),
                        d.attempts,
                        d.last_error.as_deref().unwrap_or("-")
                    );
                }
            }
        },
        PartnerCommand::Key { command } => match command {
            KeyCommand::Create {
                partner,
                key_id,
                valid_from,
                valid_until,
            } => {
                let validity = validity(valid_from.as_deref(), valid_until.as_deref())?;
                let (key, seed) =
                    partners::create_key(&store, council.id, &partner, &key_id, validity).await?;
                eprintln!(
                    "Key '{}' added for {}. Its private key follows, shown this once: give it to the partner by a secure route, and keep no copy.",
                    key.key_id, key.partner
                );
                println!("{}", base64::engine::general_purpose::STANDARD.encode(seed));
            }
            KeyCommand::Add {
                partner,
                key_id,
                public_key,
                valid_from,
                valid_until,
            } => {
                let validity = validity(valid_from.as_deref(), valid_until.as_deref())?;
                let key =
                    partners::add_key(&store, council.id, &partner, &key_id, &public_key, validity)
                        .await?;
                println!("Added {}", shown(&key));
            }
            KeyCommand::List { partner } => {
                for key in partners::keys(&store, council.id, &partner).await? {
                    println!("{}", shown(&key));
                }
            }
            KeyCommand::Retire { key_id, at } => {
                let at = time("--at", at.as_deref())?;
                let key = partners::retire_key(&store, council.id, &key_id, at).await?;
                println!("Retired {}", shown(&key));
            }
        },
        PartnerCommand::Staff { command } => match command {
            StaffCommand::Add {
                partner,
                email,
                name,
                role,
            } => {
                let email =
                    EmailAddress::parse(&email).map_err(|e| anyhow::anyhow!("--email: {e}"))?;
                let role = PartnerRole::parse(&role.to_lowercase()).with_context(|| {
                    let roles: Vec<&str> = PartnerRole::ALL.iter().map(|r| r.as_str()).collect();
                    format!("--role must be one of {}", roles.join(", "))
                })?;
                // The partner is checked before the password is asked for.
                staff::list(&store, council.id, &partner).await?;
                let typed = townhall_cli::new_password()?;
                password::check_rules(&typed)?;
                let hash = password::hash_async(typed).await;
                let member = staff::add(
                    &store,
                    council.id,
                    &partner,
                    &NewPartnerStaff {
                        email: &email,
                        name: &name,
                        role,
                        password_hash: &hash,
                    },
                )
                .await?;
                println!(
                    "Created an account for {} ({}, {}); they sign in at /partner/sign-in",
                    member.user.display_name,
                    member.role.label(),
                    member.partner
                );
            }
            StaffCommand::Remove { partner, email } => {
                let email =
                    EmailAddress::parse(&email).map_err(|e| anyhow::anyhow!("--email: {e}"))?;
                let member = staff::remove(&store, council.id, &partner, &email).await?;
                println!(
                    "Closed the account of {} ({}); they are signed out and can no longer sign in",
                    member.user.display_name, member.partner
                );
            }
            StaffCommand::ResetPassword { partner, email } => {
                let email =
                    EmailAddress::parse(&email).map_err(|e| anyhow::anyhow!("--email: {e}"))?;
                // Asked before the password is, so that a mistyped address is said at once.
                staff::member(&store, council.id, &partner, &email).await?;
                let typed = townhall_cli::new_password()?;
                password::check_rules(&typed)?;
                let hash = password::hash_async(typed).await;
                let member =
                    staff::reset_password(&store, council.id, &partner, &email, &hash).await?;
                println!(
                    "Password changed for {}; they are signed out everywhere and any lock is lifted",
                    member.user.display_name
                );
            }
            StaffCommand::List { partner } => {
                for m in staff::list(&store, council.id, &partner).await? {
                    println!(
                        "{}\t{}\t{}",
                        m.user.email.as_str(),
                        m.user.display_name,
                        m.role.as_str()
                    );
                }
            }
        },
    }
    Ok(ExitCode::SUCCESS)
}

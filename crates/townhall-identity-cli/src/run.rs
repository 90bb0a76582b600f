//! What `townhall admin` does.

use std::process::ExitCode;

use anyhow::Context;
use townhall_cli::pick_council;
use townhall_identity::accounts::{self, UserKind};
use townhall_identity::admin::{self, NewStaff};
use townhall_identity::{api_keys, password, Role};
use townhall_kernel::Platform;
use townhall_types::EmailAddress;

use crate::{Admin, AdminCommand, ApiKeyCommand};

/// A new password (`townhall_cli::new_password`), checked against the
/// password rules.
fn new_password() -> anyhow::Result<String> {
    let pw = townhall_cli::new_password()?;
    password::check_rules(&pw)?;
    Ok(pw)
}

/// Runs `townhall admin`.
pub(crate) async fn admin(admin: Admin, platform: &Platform) -> anyhow::Result<ExitCode> {
    let Admin {
        store,
        council,
        command,
    } = admin;
    let council = council.as_deref();
    let store = townhall_cli::open(&store, platform).await?;
    match command {
        AdminCommand::CreateCouncil { slug, name } => {
            let c = townhall_places::register_council(&store, &slug, &name).await?;
            println!("Created council '{}' ({})", c.slug, c.id);
        }
        AdminCommand::CreateTeam { name } => {
            let c = pick_council(&store, council).await?;
            let team = admin::add_team(&store, c.id, &name).await?;
            println!("Team '{}' is ready", team.name);
        }
        AdminCommand::CreateStaff {
            email,
            name,
            role,
            team,
        } => {
            let c = pick_council(&store, council).await?;
            let email = EmailAddress::parse(&email).map_err(|e| anyhow::anyhow!("--email: {e}"))?;
            let role = Role::parse(&role).with_context(|| {
                format!(
                    "--role must be one of {}",
                    Role::ALL.map(|r| r.as_str()).join(", ")
                )
            })?;
            let hash = password::hash_async(new_password()?).await;
            let member = admin::add_staff(
                &store,
                c.id,
                &NewStaff {
                    email: &email,
                    name: &name,
                    role,
                    team: team.as_deref(),
                    password_hash: &hash,
                },
            )
            .await?;
            println!("Created staff account for {}", member.label());
        }
        AdminCommand::ResetPassword { email } => {
            let c = pick_council(&store, council).await?;
            let email = EmailAddress::parse(&email).map_err(|e| anyhow::anyhow!("--email: {e}"))?;
            // Asked before the password is, so that a mistyped address is
            // said at once.
            accounts::find_by_email(&store, c.id, UserKind::Staff, &email)
                .await?
                .with_context(|| format!("there is no staff account for {email}"))?;
            let hash = password::hash_async(new_password()?).await;
            admin::reset_password(&store, c.id, (UserKind::Staff, &email), &hash).await?;
            println!("Password changed for {email}; their sessions have been ended and their browsers forgotten.");
        }
        AdminCommand::ApiKey {
            command:
                ApiKeyCommand::Create {
                    name,
                    scopes,
                    requests_per_minute,
                },
        } => {
            if name.trim().is_empty() {
                anyhow::bail!(
                    "give the key a name: who it is for, e.g. --name \"Street Reporter app\""
                );
            }
            let c = pick_council(&store, council).await?;
            for scope in &scopes {
                platform.check_scope(scope)?;
            }
            let scope = townhall_types::ApiScopes::new(scopes)?;
            let key =
                admin::issue_api_key(&store, c.id, &name, &scope, requests_per_minute).await?;
            println!("{key}");
        }
        AdminCommand::ApiKey {
            command: ApiKeyCommand::List,
        } => {
            let c = pick_council(&store, council).await?;
            println!("key id\tname\tscope\trequests a minute\tissued\trevoked");
            for k in api_keys::list(&store, c.id).await? {
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    k.key_id,
                    k.name,
                    k.scope,
                    k.requests_per_minute,
                    k.created_at,
                    k.revoked_at.as_deref().unwrap_or("-")
                );
            }
        }
        AdminCommand::ApiKey {
            command:
                ApiKeyCommand::Limit {
                    key_id,
                    requests_per_minute,
                },
        } => {
            let c = pick_council(&store, council).await?;
            if !admin::limit_api_key(&store, c.id, &key_id, requests_per_minute).await? {
                anyhow::bail!(
                    "{} has no API key '{key_id}'; `townhall admin api-key list` shows them",
                    c.name
                );
            }
            println!("{key_id} may now make {requests_per_minute} requests a minute.");
        }
        AdminCommand::ApiKey {
            command: ApiKeyCommand::Revoke { key_id },
        } => {
            let c = pick_council(&store, council).await?;
            if !admin::revoke_api_key(&store, c.id, &key_id).await? {
                anyhow::bail!(
                    "{} has no API key '{key_id}' still in use; `townhall admin api-key list` shows them",
                    c.name
                );
            }
            println!("{key_id} is revoked.");
        }
    }
    Ok(ExitCode::SUCCESS)
}

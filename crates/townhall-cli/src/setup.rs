//! What every command starts from: the store (opened, and brought up to
//! date) and the council it acts for.

use std::path::PathBuf;

use anyhow::{bail, Context};
use townhall_places::Council;
use townhall_store::Store;

use townhall_kernel::Platform;

/// Where the store is: a data directory (SQLite) or a PostgreSQL URL. Global,
/// so they may come before or after a nested subcommand
/// (`admin --data-dir D api-key create` or `admin api-key create --data-dir D`).
#[derive(clap::Args, Clone, Debug)]
pub struct StoreArgs {
    /// Directory holding the embedded SQLite store.
    #[arg(long, global = true, default_value = "./townhall-data")]
    pub data_dir: PathBuf,
    /// Use PostgreSQL instead, e.g. postgres://townhall@localhost/townhall.
    #[arg(long, global = true, env = "TOWNHALL_DATABASE_URL")]
    pub database_url: Option<String>,
}

/// Opens the store (a new one if none is there) and brings its schema up
/// to date.
pub async fn open(args: &StoreArgs, platform: &Platform) -> anyhow::Result<Store> {
    let store = match &args.database_url {
        Some(url) => Store::connect(url)
            .await
            .with_context(|| format!("cannot connect to {}", townhall_store::redact(url)))?,
        None => Store::open_dir(&args.data_dir)
            .await
            .with_context(|| format!("cannot open the store in {}", args.data_dir.display()))?,
    };
    store
        .migrate(&platform.migrations())
        .await
        .context("cannot bring the database schema up to date")?;
    Ok(store)
}

/// Opens a store that must already exist (never creates an empty one).
pub async fn open_existing(args: &StoreArgs) -> anyhow::Result<Store> {
    match &args.database_url {
        Some(url) => Ok(Store::connect(url)
            .await
            .with_context(|| format!("cannot connect to {}", townhall_store::redact(url)))?),
        None => {
            if !args.data_dir.join("townhall.db").exists() {
                bail!("there is no store in {}", args.data_dir.display());
            }
            Ok(Store::open_dir(&args.data_dir).await?)
        }
    }
}

/// The council `slug` names, or the only one there is.
pub async fn pick_council(store: &Store, slug: Option<&str>) -> anyhow::Result<Council> {
    let all = townhall_places::councils(store).await?;
    match slug {
        Some(s) => all
            .into_iter()
            .find(|c| c.slug == s)
            .with_context(|| format!("there is no council '{s}'")),
        None => match all.len() {
            1 => Ok(all.into_iter().next().context("no council")?),
            0 => bail!("there is no council yet; create one with `townhall admin create-council`"),
            _ => bail!("there are several councils; say which with --council"),
        },
    }
}

//! What every command starts from: the store (opened, and brought up to
//! date), the council it acts for, and a council's rules read from its
//! configuration directory.

use std::path::Path;

use anyhow::{bail, Context};
use townhall_places::Council;
use townhall_store::Store;

use crate::StoreArgs;

/// Opens the store (a new one if none is there) and brings its schema up
/// to date.
pub(crate) async fn open(args: &StoreArgs) -> anyhow::Result<Store> {
    let store = match &args.database_url {
        Some(url) => Store::connect(url)
            .await
            .with_context(|| format!("cannot connect to {}", townhall_store::redact(url)))?,
        None => Store::open_dir(&args.data_dir)
            .await
            .with_context(|| format!("cannot open the store in {}", args.data_dir.display()))?,
    };
    store
        .migrate(&townhall::platform()?.migrations())
        .await
        .context("cannot bring the database schema up to date")?;
    Ok(store)
}

/// The council's consent policy, `dir/consent.toml`.
pub(crate) fn load_policy(dir: &Path) -> anyhow::Result<townhall_consent::Policy> {
    let path = dir.join("consent.toml");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    Ok(townhall_consent::Policy::parse(
        &path.display().to_string(),
        &text,
    )?)
}

/// Opens a store that must already exist (never creates an empty one).
pub(crate) async fn open_existing(args: &StoreArgs) -> anyhow::Result<Store> {
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
pub(crate) async fn pick_council(store: &Store, slug: Option<&str>) -> anyhow::Result<Council> {
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

/// The council's index rules (`index.toml`, and `linkage.toml` beside it
/// when the council declares its own columns), if it keeps an index.
pub(crate) fn load_index_policy(
    dir: &Path,
    consent: &townhall_consent::Policy,
) -> anyhow::Result<Option<townhall_index::policy::IndexPolicy>> {
    let path = dir.join("index.toml");
    if !path.exists() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let mut policy =
        townhall_index::policy::IndexPolicy::parse(&path.display().to_string(), &text, consent)?;
    let linkage = dir.join("linkage.toml");
    if linkage.exists() {
        policy.linkage = load_link_settings(&linkage)?;
    }
    Ok(Some(policy))
}

/// Reads and checks a settings file.
pub(crate) fn load_link_settings(
    path: &Path,
) -> anyhow::Result<townhall_index::settings::LinkSettings> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(townhall_index::settings::LinkSettings::parse(
        &path.display().to_string(),
        &text,
    )?)
}

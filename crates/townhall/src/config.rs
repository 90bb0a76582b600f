//! The deployment configuration: a TOML file, overlaid by `TOWNHALL_*` variables.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use serde::Deserialize;
use townhall_notify::SmtpSettings;

/// `townhall.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Format version; must be 1.
    pub version: u32,
    /// Address to listen on.
    #[serde(default = "default_listen")]
    pub listen: String,
    /// The address residents use, e.g. https://riverside.example.
    pub public_url: String,
    /// The council this server answers for (its short name).
    pub council: String,
    /// Directory with the council's policy files (consent.toml).
    pub config_dir: PathBuf,
    /// The store.
    pub database: Database,
    /// Outgoing email.
    #[serde(default)]
    pub smtp: Option<SmtpSettings>,
    /// A file holding at least 32 random bytes for signing form tokens.
    pub secret_file: PathBuf,
    /// Sign-in attempts allowed from one network address in 5 minutes.
    #[serde(default = "default_sign_in_attempts")]
    pub sign_in_attempts_per_address: u32,
}

/// The `[database]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Database {
    /// `sqlite://PATH` or `postgres://…`.
    pub url: String,
}

fn default_sign_in_attempts() -> u32 {
    20
}

fn default_listen() -> String {
    "127.0.0.1:8080".to_owned()
}

/// The environment variables that may override the file.
const ENV_KEYS: &[&str] = &[
    "TOWNHALL_LISTEN",
    "TOWNHALL_PUBLIC_URL",
    "TOWNHALL_COUNCIL",
    "TOWNHALL_DATABASE_URL",
    "TOWNHALL_CONFIG_DIR",
    "TOWNHALL_SECRET_FILE",
    "TOWNHALL_SMTP_PASSWORD",
    "TOWNHALL_LOG",
];

impl Config {
    /// Reads `path`, then applies `TOWNHALL_*` variables from `env`.
    pub fn load(path: &Path, env: &[(String, String)]) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let mut config: Config = toml::from_str(&text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text[..s.start].matches('\n').count() + 1)
                .unwrap_or(1);
            anyhow::anyhow!("{}:{line}: {}", path.display(), e.message())
        })?;
        if config.version != 1 {
            bail!(
                "{}: version {} is not supported; use version = 1",
                path.display(),
                config.version
            );
        }
        for (key, value) in env.iter().filter(|(k, _)| k.starts_with("TOWNHALL_")) {
            match key.as_str() {
                "TOWNHALL_LISTEN" => config.listen = value.clone(),
                "TOWNHALL_PUBLIC_URL" => config.public_url = value.clone(),
                "TOWNHALL_COUNCIL" => config.council = value.clone(),
                "TOWNHALL_DATABASE_URL" => config.database.url = value.clone(),
                "TOWNHALL_CONFIG_DIR" => config.config_dir = PathBuf::from(value),
                "TOWNHALL_SECRET_FILE" => config.secret_file = PathBuf::from(value),
                "TOWNHALL_SMTP_PASSWORD" => match &mut config.smtp {
                    Some(smtp) => smtp.password = Some(value.clone()),
                    None => bail!(
                        "TOWNHALL_SMTP_PASSWORD is set but the configuration has no [smtp] table"
                    ),
                },
                "TOWNHALL_LOG" | "TOWNHALL_NEW_PASSWORD" | "TOWNHALL_TEST_DATABASE_URL" => {}
                other => bail!(
                    "unknown environment variable {other}; known ones are {}",
                    ENV_KEYS.join(", ")
                ),
            }
        }
        url::Url::parse(&config.public_url)
            .with_context(|| format!("public_url '{}' is not a web address", config.public_url))?;
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(text: &str) -> tempfile::NamedTempFile {
        let f = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(f.path(), text).unwrap();
        f
    }

    const GOOD: &str = "version = 1\npublic_url = \"https://riverside.example\"\ncouncil = \"riverside\"\nconfig_dir = \"config\"\nsecret_file = \"secret\"\n[database]\nurl = \"sqlite://x.db\"\n";

    #[test]
    fn loads_and_overlays_environment() {
        let f = write(GOOD);
        let c = Config::load(
            f.path(),
            &[("TOWNHALL_DATABASE_URL".into(), "postgres://db/th".into())],
        )
        .unwrap();
        assert_eq!(c.database.url, "postgres://db/th");
        assert_eq!(c.listen, "127.0.0.1:8080");
    }

    #[test]
    fn unknown_keys_and_variables_are_rejected_precisely() {
        let f = write(&GOOD.replace("council =", "colour = \"red\"\ncouncil ="));
        let e = Config::load(f.path(), &[]).unwrap_err().to_string();
        assert!(e.contains(":3: unknown field `colour`"), "{e}");
        let f = write(GOOD);
        let e = Config::load(f.path(), &[("TOWNHALL_DATABSE_URL".into(), "x".into())])
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("unknown environment variable TOWNHALL_DATABSE_URL"),
            "{e}"
        );
    }
}

//! The deployment configuration: a TOML file, overlaid by `TOWNHALL_*` variables.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use serde::Deserialize;
use townhall_jetstream::JetStreamSettings;
use townhall_notify::SmtpSettings;
use townhall_sensors::MqttSettings;

/// `townhall.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Format version; must be 1.
    pub version: u32,
    /// Address to listen on.
    #[serde(default = "default_listen")]
    pub listen: String,
    /// Directory with the councils' policy files (consent.toml), unless a site
    /// names its own.
    pub config_dir: PathBuf,
    /// The councils this server answers for, one `[[sites]]` table each.
    #[serde(default)]
    pub sites: Vec<SiteConfig>,
    /// The store.
    pub database: Database,
    /// Outgoing email.
    #[serde(default)]
    pub smtp: Option<SmtpSettings>,
    /// A NATS JetStream stream every domain event is also published to,
    /// for subscribers on other machines.
    #[serde(default)]
    pub jetstream: Option<JetStreamSettings>,
    /// The MQTT broker the councils' sensors publish SenML readings to.
    #[serde(default)]
    pub mqtt: Option<MqttSettings>,
    /// A file holding at least 32 random bytes for signing form tokens.
    pub secret_file: PathBuf,
    /// Failed sign-ins (and password-reset requests) allowed from one client
    /// address in 5 minutes.
    #[serde(default = "default_sign_in_attempts")]
    pub sign_in_attempts_per_address: u32,
    /// The reverse proxies in front of the server (addresses, or networks
    /// such as `10.0.0.0/8`), whose `Forwarded` or `X-Forwarded-For` header
    /// names the client. Requests from anywhere else are counted under the
    /// address they come from, whatever headers they carry.
    #[serde(default, deserialize_with = "networks")]
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// The header those proxies write the client's address in.
    #[serde(default)]
    pub forwarded_header: ForwardedHeader,
    /// The client addresses (or networks) that may read `/metrics`; nobody
    /// when absent. Behind a proxy on the same machine every visitor comes
    /// from 127.0.0.1 unless the proxy is trusted, so list your monitoring's
    /// own address, not the loopback.
    #[serde(default, deserialize_with = "networks")]
    pub metrics_from: Vec<ipnet::IpNet>,
}

/// `forwarded_header`: `x-forwarded-for` (nginx, Caddy, HAProxy, cloud load
/// balancers) or `forwarded` (RFC 7239).
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ForwardedHeader {
    /// `X-Forwarded-For`.
    #[default]
    XForwardedFor,
    /// `Forwarded`.
    Forwarded,
}

/// Addresses (`127.0.0.1`, `::1`) or networks (`10.0.0.0/8`).
fn networks<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<ipnet::IpNet>, D::Error> {
    let written: Vec<String> = Deserialize::deserialize(d)?;
    written
        .iter()
        .map(|p| {
            p.parse::<ipnet::IpNet>()
                .or_else(|_| p.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| {
                    serde::de::Error::custom(format!(
                        "'{p}' is not an address or a network such as 10.0.0.0/8"
                    ))
                })
        })
        .collect()
}

/// A `[[sites]]` table: one council and where its residents find it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    /// The council's short name, as given to `townhall admin create-council`.
    pub council: String,
    /// The address its residents use, e.g. https://riverside.example; requests
    /// are matched to the council by this host name.
    pub public_url: String,
    /// Its own policy directory, instead of the top-level `config_dir`.
    #[serde(default)]
    pub config_dir: Option<PathBuf>,
    /// The From address of its email, instead of `[smtp] from`.
    #[serde(default)]
    pub email_from: Option<String>,
}

impl SiteConfig {
    /// The directory holding this site's policy files.
    pub fn config_dir<'a>(&'a self, config: &'a Config) -> &'a Path {
        self.config_dir.as_deref().unwrap_or(&config.config_dir)
    }
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
        if config.sites.is_empty() {
            bail!(
                "{}: there are no sites; add a [[sites]] table with the council and its public_url",
                path.display()
            );
        }
        for (n, site) in config.sites.iter().enumerate() {
            let url = url::Url::parse(&site.public_url).with_context(|| {
                format!(
                    "{}: sites[{n}] ('{}'): public_url '{}' is not a web address",
                    path.display(),
                    site.council,
                    site.public_url
                )
            })?;
            if !matches!(url.scheme(), "https" | "http") {
                bail!(
                    "{}: sites[{n}] ('{}'): public_url must start with https:// (or http:// for local testing)",
                    path.display(),
                    site.council
                );
            }
            if site.email_from.is_some() && config.smtp.is_none() {
                bail!(
                    "{}: sites[{n}] ('{}'): email_from is set but there is no [smtp] table to send email with",
                    path.display(),
                    site.council
                );
            }
        }
        if let Some(mqtt) = &config.mqtt {
            mqtt.options()
                .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        }
        // Subscribers on several machines share one store, and the
        // publisher acts inside a store transaction: on SQLite's one writer
        // a slow broker would hold up every request.
        if config.jetstream.is_some() && !config.database.url.starts_with("postgres") {
            bail!(
                "{}: [jetstream] is for a deployment spread over several machines, which share one PostgreSQL store; set [database] url to postgres://…",
                path.display()
            );
        }
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

    const GOOD: &str = "version = 1\nconfig_dir = \"config\"\nsecret_file = \"secret\"\n\
        [database]\nurl = \"sqlite://x.db\"\n\
        [[sites]]\ncouncil = \"riverside\"\npublic_url = \"https://riverside.example\"\n\
        [[sites]]\ncouncil = \"hillcrest\"\npublic_url = \"https://hillcrest.example\"\nconfig_dir = \"hillcrest\"\n";

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
        assert_eq!(c.sites[0].config_dir(&c), Path::new("config"));
        assert_eq!(c.sites[1].config_dir(&c), Path::new("hillcrest"));
    }

    #[test]
    fn sites_are_required_and_their_addresses_checked() {
        let f = write(GOOD.split("[[sites]]").next().unwrap());
        let e = Config::load(f.path(), &[]).unwrap_err().to_string();
        assert!(
            e.contains("there are no sites; add a [[sites]] table"),
            "{e}"
        );
        let f = write(&GOOD.replace("https://hillcrest.example", "hillcrest"));
        let e = format!("{:#}", Config::load(f.path(), &[]).unwrap_err());
        assert!(
            e.contains("sites[1] ('hillcrest'): public_url 'hillcrest' is not a web address"),
            "{e}"
        );
        let f = write(&GOOD.replace("https://hillcrest", "ftp://hillcrest"));
        let e = Config::load(f.path(), &[]).unwrap_err().to_string();
        assert!(
            e.contains("sites[1] ('hillcrest'): public_url must start with https://"),
            "{e}"
        );
    }

    #[test]
    fn unknown_keys_and_variables_are_rejected_precisely() {
        let f = write(&GOOD.replace("config_dir =", "colour = \"red\"\nconfig_dir ="));
        let e = Config::load(f.path(), &[]).unwrap_err().to_string();
        assert!(e.contains(":2: unknown field `colour`"), "{e}");
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

//! What each command does.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{bail, Context};
use townhall::workers::Workers;
use townhall_jetstream::Publisher;
use townhall_notify::{Templates, Transport};
use townhall_places::Council;
use townhall_store::Store;

use crate::config::Config;
use crate::Command;
use townhall_cli::{bar, open_existing, LogProgress, StoreArgs};

fn init_logging(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("TOWNHALL_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=warn"));
    // Colours only for a person at a terminal, never in a file or a journal.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.compact().init();
    }
}

pub async fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Demo {
            listen,
            mqtt,
            store,
        } => {
            init_logging(false);
            demo(&listen, mqtt.as_deref(), &store).await
        }
        Command::Serve {
            config,
            database_url,
        } => {
            init_logging(true);
            // The flag stands for TOWNHALL_DATABASE_URL, after it, so that the
            // configuration is checked with the store it will use.
            let mut env: Vec<(String, String)> = std::env::vars().collect();
            env.extend(database_url.map(|url| ("TOWNHALL_DATABASE_URL".to_owned(), url)));
            serve(Config::load(&config, &env)?).await
        }
        Command::Migrate { store } => {
            init_logging(false);
            let s = match &store.database_url {
                Some(url) => Store::connect(url).await?,
                None => Store::open_dir(&store.data_dir).await?,
            };
            let report = s.migrate(&townhall::platform()?.migrations()).await?;
            println!(
                "{} migration(s) applied, {} already in place",
                report.applied.len(),
                report.already
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Backup { store, out } => {
            init_logging(false);
            backup(&store, &out).await
        }
        Command::Restore { store, from } => {
            init_logging(false);
            restore(&store, &from).await
        }
    }
}

/// A council's site: each capability reads the council's configuration
/// from `dir` (and what it is checked against from the store), in the
/// order the platform lists them.
async fn load_site(
    store: &Store,
    council: Council,
    public_url: url::Url,
    dir: &Path,
) -> anyhow::Result<townhall_web::Site> {
    let settings = townhall::platform()?
        .configure(
            store,
            townhall_kernel::CouncilSource {
                council: council.id,
                slug: &council.slug,
                public_url: &public_url,
                dir,
            },
            &LogProgress::new(&council.slug),
        )
        .await?;
    Ok(townhall_web::Site {
        council,
        public_url,
        settings,
    })
}

async fn demo(listen: &str, mqtt: Option<&str>, args: &StoreArgs) -> anyhow::Result<ExitCode> {
    let store = townhall_cli::open(args, &townhall::platform()?).await?;
    let data_dir = args.data_dir.as_path();
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("cannot create {}", data_dir.display()))?;
    let config_dir = data_dir.join("config");
    // Written once every capability has seeded its part: a first start
    // stopped half-way leaves a council without it, which is not reused.
    let seeded_mark = data_dir.join("demo-seeded");
    let council =
        match townhall_places::council_by_slug(&store, townhall_places::demo::SLUG).await? {
            Some(c) if seeded_mark.exists() => {
                println!("Reusing the demo council in {}", data_dir.display());
                c
            }
            Some(_) => bail!(
                "the demo's first start in {} stopped before Riverside Borough Council was fully seeded; delete that directory (and the database, if you gave one) or give another --data-dir, and start again",
                data_dir.display()
            ),
            None => {
                println!(
                    "Seeding Riverside Borough Council into {} (first start only)…",
                    data_dir.display()
                );
                let progress = bar();
                let seeded = townhall::platform()?
                    .seed_demo(&store, &config_dir, &progress)
                    .await?;
                let council = seeded.require::<Council>()?.clone();
                std::fs::write(&seeded_mark, "")
                    .with_context(|| format!("cannot write {}", seeded_mark.display()))?;
                progress.finish();
                council
            }
        };
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let addr = listener.local_addr()?;
    // Browsers allow passkeys on http only for "localhost", never for an IP address.
    let host = match addr.ip() {
        ip if ip.is_loopback() || ip.is_unspecified() => "localhost".to_owned(),
        std::net::IpAddr::V4(ip) => ip.to_string(),
        std::net::IpAddr::V6(ip) => format!("[{ip}]"),
    };
    let public_url = url::Url::parse(&format!("http://{host}:{}/", addr.port()))?;
    let sites = vec![load_site(&store, council.clone(), public_url.clone(), &config_dir).await?];
    let workers = Workers::start(
        &store,
        &sites,
        Templates::builtin(),
        Transport::Mailbox,
        None,
        mqtt.map(|url| demo_broker(url, data_dir)),
    )?;
    let app = townhall_web::app(
        store.clone(),
        Templates::builtin(),
        townhall_web::Settings {
            demo: true,
            secret: secret(&data_dir.join("secret.key"))?,
            sign_in_attempts_per_address: 20,
            trusted_proxies: Vec::new(),
            forwarded_header: townhall_web::client::ForwardedHeader::XForwardedFor,
            metrics_from: townhall_web::Settings::loopback(),
        },
        sites,
        &townhall::web(),
    )?;
    println!("\n{} is running at {public_url}", council.name);
    println!("Messages sent by the demo arrive at {public_url}dev/mailbox\n");
    println!(
        "Demo sign-in details (password for all: {}):",
        townhall_identity::demo::PASSWORD
    );
    for (who, email, role) in townhall_identity::demo::ACCOUNTS {
        println!("  {who:<24} {email:<36} {role}");
    }
    println!("\nStaff sign in at {public_url}staff/sign-in.\n\nPartners' staff (same password):");
    for (partner, name, email, role) in townhall_exchange::demo::PARTNER_ACCOUNTS {
        println!(
            "  {name:<24} {email:<36} {}, {partner}",
            role.label().to_lowercase()
        );
    }
    if let Some(url) = mqtt {
        println!(
            "\nSensors' SenML packs are read from {url}, on topics under townhall/{}/ (see the README).",
            council.slug
        );
    }
    println!("\nPartners' staff sign in at {public_url}partner/sign-in. Press Ctrl+C to stop.");
    run_server(listener, app, store, workers).await
}

/// The demo's broker settings: its own client id for its data directory,
/// so the broker keeps one session per demo and two demos never share one.
fn demo_broker(url: &str, data_dir: &std::path::Path) -> townhall_sensors::MqttSettings {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    std::fs::canonicalize(data_dir)
        .unwrap_or_else(|_| data_dir.to_owned())
        .hash(&mut hasher);
    let mut settings = townhall_sensors::MqttSettings::new(url);
    settings.client_id = format!("townhall-demo-{:016x}", hasher.finish());
    settings
}

async fn serve(config: Config) -> anyhow::Result<ExitCode> {
    let store = Store::connect(&config.database.url)
        .await
        .with_context(|| {
            format!(
                "cannot connect to {}",
                townhall_store::redact(&config.database.url)
            )
        })?;
    store.migrate(&townhall::platform()?.migrations()).await?;
    let mut transport = match &config.smtp {
        Some(s) => Transport::smtp(s).map_err(anyhow::Error::msg)?,
        None => Transport::Unconfigured,
    };
    let mut sites = Vec::with_capacity(config.sites.len());
    for site in &config.sites {
        let Some(council) = townhall_places::council_by_slug(&store, &site.council).await? else {
            bail!(
                "there is no council '{}'; create it with `townhall admin create-council`",
                site.council
            );
        };
        if let Some(from) = &site.email_from {
            transport = transport
                .send_as(council.id, from)
                .map_err(|e| anyhow::anyhow!("site '{}': email_from {e}", site.council))?;
        }
        let public_url = url::Url::parse(&site.public_url)?;
        sites.push(load_site(&store, council, public_url, site.config_dir(&config)).await?);
    }
    let jetstream = match &config.jetstream {
        Some(settings) => Some(Publisher::connect(settings).await?),
        None => None,
    };
    let workers = Workers::start(
        &store,
        &sites,
        Templates::builtin(),
        transport,
        jetstream,
        config.mqtt.clone(),
    )?;
    let councils: Vec<&str> = config.sites.iter().map(|s| s.council.as_str()).collect();
    let listener = tokio::net::TcpListener::bind(&config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let app = townhall_web::app(
        store.clone(),
        Templates::builtin(),
        townhall_web::Settings {
            demo: false,
            secret: secret(&config.secret_file)?,
            sign_in_attempts_per_address: config.sign_in_attempts_per_address,
            trusted_proxies: config.trusted_proxies.clone(),
            forwarded_header: match config.forwarded_header {
                crate::config::ForwardedHeader::XForwardedFor => {
                    townhall_web::client::ForwardedHeader::XForwardedFor
                }
                crate::config::ForwardedHeader::Forwarded => {
                    townhall_web::client::ForwardedHeader::Forwarded
                }
            },
            metrics_from: config.metrics_from.clone(),
        },
        sites,
        &townhall::web(),
    )?;
    tracing::info!(listen = %config.listen, councils = ?councils, "serving");
    run_server(listener, app, store, workers).await
}

async fn run_server(
    listener: tokio::net::TcpListener,
    app: townhall_web::App,
    store: Store,
    workers: Workers,
) -> anyhow::Result<ExitCode> {
    let shutdown = async {
        let ctrl_c = tokio::signal::ctrl_c();
        #[cfg(unix)]
        {
            let mut term =
                match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                    Ok(t) => t,
                    Err(_) => return,
                };
            tokio::select! { _ = ctrl_c => {}, _ = term.recv() => {} }
        }
        #[cfg(not(unix))]
        let _ = ctrl_c.await;
        tracing::info!("shutting down: finishing requests in flight");
    };
    townhall_web::serve(listener, app, shutdown).await?;
    drop(workers);
    store.close().await;
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

async fn backup(args: &StoreArgs, out: &Path) -> anyhow::Result<ExitCode> {
    let store = open_existing(args).await?;
    let progress = bar();
    let started = std::time::Instant::now();
    let summary = if out == Path::new("-") {
        progress.hide();
        let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
        store.backup(&mut stdout, &progress).await?
    } else {
        // Written beside the target and renamed at the end, so a failed backup
        // never leaves a half-written file under the name asked for.
        let partial = out.with_extension("partial");
        let file = std::fs::File::create(&partial)
            .with_context(|| format!("cannot create {}", partial.display()))?;
        let mut writer = std::io::BufWriter::new(file);
        let summary = store.backup(&mut writer, &progress).await?;
        writer
            .into_inner()
            .map_err(|e| e.into_error())
            .and_then(|f| f.sync_all())
            .with_context(|| format!("cannot write {}", partial.display()))?;
        std::fs::rename(&partial, out)
            .with_context(|| format!("cannot rename {} to {}", partial.display(), out.display()))?;
        summary
    };
    progress.finish();
    eprintln!(
        "Backed up {} rows from {} tables in {:.2?}.",
        summary.rows,
        summary.tables,
        started.elapsed()
    );
    Ok(ExitCode::SUCCESS)
}

async fn restore(args: &StoreArgs, from: &Path) -> anyhow::Result<ExitCode> {
    let file =
        std::fs::File::open(from).with_context(|| format!("cannot open {}", from.display()))?;
    let store = townhall_cli::open(args, &townhall::platform()?).await?;
    let progress = bar();
    let started = std::time::Instant::now();
    let summary = store
        .restore(&mut std::io::BufReader::new(file), &progress)
        .await
        .with_context(|| format!("cannot restore {}", from.display()))?;
    progress.finish();
    println!(
        "Restored {} rows into {} tables in {:.2?}. Checking the audit log…",
        summary.rows,
        summary.tables,
        started.elapsed()
    );
    townhall_audit_cli::report(&store).await
}

fn secret(path: &Path) -> anyhow::Result<Vec<u8>> {
    if !path.exists() {
        use rand::RngCore;
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        std::fs::write(path, hex::encode(bytes))
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let bytes = text.trim().as_bytes().to_vec();
    if bytes.len() < 32 {
        bail!(
            "{} must hold at least 32 characters of random data",
            path.display()
        );
    }
    Ok(bytes)
}

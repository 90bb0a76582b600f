//! A real Townhall server for tests: a fresh store (a temporary SQLite file, or a
//! fresh schema in `$TOWNHALL_TEST_DATABASE_URL`), every migration applied, a
//! council with the demo consent policy, and the HTTP server on a free loopback port.

// Test support: a failure to set up must stop the test at once, with a message.
#![allow(clippy::expect_used, clippy::panic)]

pub mod browser;
pub mod hub_client;
pub mod open311_client;
pub mod residents;
pub mod schemathesis;
pub mod smtp;
mod tools;
mod triggers;
mod waste;

pub use waste::{collected, collected_typed, rounds, waste};

use std::net::SocketAddr;

use townhall_places::Council;
use townhall_store::Store;

/// Every migration of the platform's capabilities.
pub fn migrations() -> Vec<townhall_store::Migration> {
    townhall::platform()
        .expect("the platform's capabilities agree")
        .migrations()
}

/// A fresh, migrated store: SQLite in a temporary directory, or a new schema of
/// the PostgreSQL database named by `TOWNHALL_TEST_DATABASE_URL`.
pub struct TestStore {
    /// The store.
    pub store: Store,
    /// The URL it was opened with.
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

impl TestStore {
    /// Opens a fresh store.
    pub async fn new() -> Self {
        match std::env::var("TOWNHALL_TEST_DATABASE_URL") {
            Ok(base) if !base.is_empty() => {
                let schema = format!("t_{}", uuid::Uuid::now_v7().simple());
                let admin = Store::connect(&base)
                    .await
                    .expect("connect to TOWNHALL_TEST_DATABASE_URL");
                townhall_store::sql::query(&format!("CREATE SCHEMA {schema}"))
                    .execute(admin.reader())
                    .await
                    .expect("create schema");
                admin.close().await;
                let sep = if base.contains('?') { '&' } else { '?' };
                let url = format!("{base}{sep}options=-c%20search_path%3D{schema}");
                let store = Store::connect(&url)
                    .await
                    .expect("connect to the test schema");
                store.migrate(&migrations()).await.expect("migrate");
                Self {
                    store,
                    url,
                    _dir: None,
                }
            }
            _ => Self::sqlite().await,
        }
    }

    /// A fresh store of each kind this run can reach: SQLite, and PostgreSQL
    /// when `TOWNHALL_TEST_DATABASE_URL` names it.
    pub async fn each() -> Vec<Self> {
        let mut stores = vec![Self::sqlite().await];
        if std::env::var("TOWNHALL_TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty()) {
            stores.push(Self::new().await);
        }
        stores
    }

    /// Opens a fresh SQLite store, whatever `TOWNHALL_TEST_DATABASE_URL` says.
    pub async fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("townhall.db").display()
        );
        let store = Store::connect(&url).await.expect("open SQLite");
        store.migrate(&migrations()).await.expect("migrate");
        Self {
            store,
            url,
            _dir: Some(dir),
        }
    }
}

/// The value at fraction `p` (0.5 the median, 0.99 the 99th percentile)
/// of `sorted` durations, for benchmarks.
pub fn percentile(sorted: &[std::time::Duration], p: f64) -> std::time::Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

/// A point inside the test parish (and the ward).
pub const IN_PARISH: (f64, f64) = (52.01, -0.99);
/// A point in the ward, outside the parish and the parking zone.
pub const NOT_IN_PARISH: (f64, f64) = (52.08, -0.98);
/// A home inside the parking zone, at postcode `TE1 1AA`.
pub const HOME_IN_ZONE: &str = "100000000001";
/// A home outside the parking zone, at postcode `TE1 1AA`.
pub const HOME_OUTSIDE_ZONE: &str = "100000000002";

/// The teams the demo services route to.
pub const TEAMS: [&str; 8] = [
    "Waste and Recycling",
    "Highways",
    "Parking",
    "Street Scene",
    "Street Scene Rapid Response",
    "Environmental Health",
    "Road Safety",
    "Northgate Parish Clerk",
];

/// Gives `council` a small geography: ward W01 ("Middle"), parish P01
/// ("Northgate Parish") in its south-west, parking zone ZA in its north-east,
/// two homes at postcode TE1 1AA ([`HOME_IN_ZONE`], [`HOME_OUTSIDE_ZONE`]), and
/// the [`TEAMS`].
pub async fn seed_place(store: &Store, council: townhall_types::CouncilId) {
    use townhall_places::{Address, Area, AreaKind};
    let square = |x0: f64, y0: f64, size: f64| {
        let (x1, y1) = (x0 + size, y0 + size);
        serde_json::json!({"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]})
    };
    let mut tx = store.begin().await.expect("begin");
    for (code, kind, name, boundary) in [
        ("W01", AreaKind::Ward, "Middle", square(-1.0, 52.0, 0.1)),
        (
            "P01",
            AreaKind::Parish,
            "Northgate Parish",
            square(-1.0, 52.0, 0.05),
        ),
        (
            "ZA",
            AreaKind::Zone,
            "Town Centre",
            square(-0.95, 52.05, 0.05),
        ),
    ] {
        let area = Area {
            code: code.into(),
            kind,
            name: name.into(),
            boundary,
        };
        townhall_places::add_area(&mut tx, council, &area)
            .await
            .expect("area");
    }
    for (uprn, line1, lat, lon) in [
        (HOME_IN_ZONE, "1 High Street", 52.07, -0.93),
        (HOME_OUTSIDE_ZONE, "2 High Street", 52.02, -0.98),
    ] {
        let address = Address {
            uprn: uprn.into(),
            line1: line1.into(),
            line2: None,
            town: "Testford".into(),
            postcode: "TE1 1AA".into(),
            latitude: lat,
            longitude: lon,
            ward_code: Some("W01".into()),
            parish_code: None,
        };
        townhall_places::add_address(&mut tx, council, &address)
            .await
            .expect("address");
    }
    for team in TEAMS {
        townhall_identity::staff::ensure_team(&mut tx, council, team)
            .await
            .expect("team");
    }
    tx.commit().await.expect("commit");
}

/// A point in ward W02 ("East"), which every council but the first of a
/// server also has: outside the first council's area, inside the others'.
pub const EAST_WARD: (f64, f64) = (52.05, -0.85);

/// Gives `council` ward W02 ("East"), just east of W01.
async fn add_east_ward(store: &Store, council: townhall_types::CouncilId) {
    let mut tx = store.begin().await.expect("begin");
    let area = townhall_places::Area {
        code: "W02".into(),
        kind: townhall_places::AreaKind::Ward,
        name: "East".into(),
        boundary: serde_json::json!({"type": "Polygon", "coordinates": [[[-0.9, 52.0], [-0.8, 52.0], [-0.8, 52.1], [-0.9, 52.1], [-0.9, 52.0]]]}),
    };
    townhall_places::add_area(&mut tx, council, &area)
        .await
        .expect("area");
    tx.commit().await.expect("commit");
}

/// The demo council's services, checked against a council with no areas.
pub fn demo_services() -> townhall_services::Catalogue {
    townhall_services::demo::catalogue().expect("demo services")
}

/// One council served by a [`TestServer`].
#[derive(Debug, Clone)]
pub struct TestSite {
    /// The council.
    pub council: Council,
    /// Its address, e.g. `http://hillcrest.localhost:41234/`.
    pub base: url::Url,
}

impl TestSite {
    /// The absolute address of `path` on this site.
    pub fn url(&self, path: &str) -> String {
        self.base
            .join(path.trim_start_matches('/'))
            .expect("path")
            .to_string()
    }
}

/// A running server.
pub struct TestServer {
    /// Its store.
    pub db: TestStore,
    /// The (first) council it serves.
    pub council: Council,
    /// The first council's address, e.g. `http://localhost:41234/`.
    pub base: url::Url,
    /// Every council it serves, the first included.
    pub sites: Vec<TestSite>,
    addr: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    /// The case messages' subscriber, which also runs in the background as
    /// the server's does.
    case_messages: townhall_cases::CaseMessages,
    subscriber: tokio::task::JoinHandle<()>,
    /// The sites as the server was given them, for the workers tests run.
    served: Vec<townhall_web::Site>,
}

impl TestServer {
    /// Reads sensors' packs from the local Mosquitto for the first council,
    /// under a topic prefix of its own; returns the topic to publish to.
    pub fn read_broker(&self) -> String {
        let prefix = format!("test{}", uuid::Uuid::new_v4().simple());
        let mut settings = townhall_sensors::MqttSettings::new("mqtt://127.0.0.1:1883");
        settings.topic_prefix = prefix.clone();
        settings.client_id = prefix.clone();
        tokio::spawn(townhall_sensors::broker::listen(
            self.db.store.clone(),
            settings,
            vec![self.council.clone()],
        ));
        format!("{prefix}/{}/test", self.council.slug)
    }

    /// Starts a server for a new council "Testshire" with the demo consent
    /// policy, services and index rules.
    pub async fn start() -> Self {
        Self::start_sites(&[("testshire", "Testshire Council")], 20).await
    }

    /// As [`TestServer::start`], allowing `attempts` sign-ins per address in 5
    /// minutes (benchmarks sign in thousands of times from one address).
    pub async fn start_with_sign_in_limit(attempts: u32) -> Self {
        Self::start_sites(&[("testshire", "Testshire Council")], attempts).await
    }

    /// Starts one server for several new councils, given as (slug, name), each
    /// with the demo consent policy. A lone council answers at
    /// `http://localhost:PORT/`; several answer at `http://SLUG.localhost:PORT/`,
    /// which [`TestServer::client`] resolves to the server.
    pub async fn start_sites(councils: &[(&str, &str)], attempts: u32) -> Self {
        Self::start_sites_on(
            TestStore::new().await,
            councils,
            attempts,
            Vec::new(),
            &[],
            None,
        )
        .await
    }

    /// As [`TestServer::start_with_sign_in_limit`], behind the proxies at
    /// `proxies` (addresses or networks, e.g. `127.0.0.1/32`), whose
    /// forwarding headers name the client.
    pub async fn start_behind_proxy(attempts: u32, proxies: &[&str]) -> Self {
        let trusted = proxies
            .iter()
            .map(|p| p.parse().expect("a proxy network"))
            .collect();
        Self::start_sites_on(
            TestStore::new().await,
            &[("testshire", "Testshire Council")],
            attempts,
            trusted,
            &[],
            None,
        )
        .await
    }

    /// As [`TestServer::start`], with agreements given as (file name, text)
    /// beside the demo's.
    pub async fn start_with_agreements(agreements: &[(&str, &str)]) -> Self {
        Self::start_sites_on(
            TestStore::new().await,
            &[("testshire", "Testshire Council")],
            20,
            Vec::new(),
            agreements,
            None,
        )
        .await
    }

    /// As [`TestServer::start`], on `db`.
    pub async fn start_on(db: TestStore) -> Self {
        Self::start_sites_on(
            db,
            &[("testshire", "Testshire Council")],
            20,
            Vec::new(),
            &[],
            None,
        )
        .await
    }

    /// As [`TestServer::start`], with these trigger rules, given as (file
    /// name, text), in place of the demo's.
    pub async fn start_with_triggers(rules: &[(String, String)]) -> Self {
        Self::start_sites_on(
            TestStore::new().await,
            &[("testshire", "Testshire Council")],
            20,
            Vec::new(),
            &[],
            Some(rules),
        )
        .await
    }

    async fn start_sites_on(
        db: TestStore,
        councils: &[(&str, &str)],
        attempts: u32,
        trusted_proxies: Vec<ipnet::IpNet>,
        agreements: &[(&str, &str)],
        triggers: Option<&[(String, String)]>,
    ) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr: SocketAddr = listener.local_addr().expect("addr");
        let policy =
            townhall_consent::Policy::parse("consent.toml", townhall_consent::demo::POLICY)
                .expect("policy");
        let mut sites = Vec::with_capacity(councils.len());
        for (slug, name) in councils {
            let mut tx = db.store.begin().await.expect("begin");
            let council = townhall_places::create_council(&mut tx, slug, name)
                .await
                .expect("council");
            tx.commit().await.expect("commit");
            seed_place(&db.store, council.id).await;
            if !sites.is_empty() {
                add_east_ward(&db.store, council.id).await;
            }
            // A domain, not the IP address: browsers allow passkeys only on a domain.
            let host = match councils.len() {
                1 => "localhost".to_owned(),
                _ => format!("{slug}.localhost"),
            };
            let base = url::Url::parse(&format!("http://{host}:{}/", addr.port())).expect("url");
            sites.push(TestSite { council, base });
        }
        let mut site_configs = Vec::with_capacity(sites.len());
        for s in &sites {
            // The settings a council's configuration gives, made from the demo's
            // files in memory (services without area checks, as the test
            // councils have areas of their own).
            let mut settings = townhall_kernel::Registry::default();
            settings
                .insert(s.council.clone())
                .expect("each setting given once");
            settings
                .insert(
                    townhall_places::Boundaries::load(&db.store, s.council.id)
                        .await
                        .expect("boundaries"),
                )
                .expect("each setting given once");
            settings
                .insert(demo_services())
                .expect("each setting given once");
            settings
                .insert(policy.clone())
                .expect("each setting given once");
            settings
                .insert(townhall_payments::Payments(Box::new(
                    townhall_payments::Recorded {
                        public_url: s.base.clone(),
                    },
                )))
                .expect("each setting given once");
            settings
                .insert(
                    townhall_index::live::LiveIndex::load(
                        &db.store,
                        s.council.id,
                        townhall_index::policy::IndexPolicy::parse(
                            "index.toml",
                            townhall_index::demo::POLICY,
                            &policy,
                        )
                        .expect("index policy"),
                        &(),
                    )
                    .await
                    .expect("index"),
                )
                .expect("each setting given once");
            // The demo's partners and agreements, and the hub's key.
            townhall_exchange::demo::register_partners(&db.store, s.council.id)
                .await
                .expect("partners");
            let partners = townhall_exchange::partners::list(&db.store, s.council.id)
                .await
                .expect("partners");
            let ids: Vec<&str> = partners.iter().map(|p| p.id.as_str()).collect();
            let agreements: Vec<townhall_exchange::Agreement> = townhall_exchange::demo::AGREEMENTS
                .iter()
                .chain(agreements)
                .map(|(name, text)| {
                    townhall_exchange::Agreement::parse(name, text, &policy, &ids)
                        .expect("agreement")
                })
                .collect();
            let demo: Vec<(String, String)> = townhall_triggers::demo::RULES
                .iter()
                .map(|(name, text)| ((*name).to_owned(), (*text).to_owned()))
                .collect();
            let rules =
                triggers::rules((&policy, &partners, &agreements), triggers.unwrap_or(&demo));
            settings
                .insert(townhall_exchange::Agreements(agreements))
                .expect("each setting given once");
            settings.insert(rules).expect("each setting given once");
            settings
                .insert(
                    townhall_waste::Collections::parse("waste.toml", &waste(), &["W01", "W02"])
                        .expect("the test councils' rounds"),
                )
                .expect("each setting given once");
            settings
                .insert(
                    townhall_sensors::SensorRules::parse(
                        "sensors.toml",
                        townhall_sensors::demo::SENSORS,
                        &demo_services(),
                    )
                    .expect("the demo's sensor rules"),
                )
                .expect("each setting given once");
            settings
                .insert(
                    townhall_exchange::hub_key::current(&db.store, s.council.id)
                        .await
                        .expect("hub key"),
                )
                .expect("each setting given once");
            site_configs.push(townhall_web::Site {
                council: s.council.clone(),
                public_url: s.base.clone(),
                settings,
            });
        }
        let templates = std::sync::Arc::new(townhall_notify::Templates::builtin());
        let case_messages = |templates| {
            townhall_cases::CaseMessages::for_councils(
                templates,
                site_configs.iter().map(|s| &s.settings),
            )
            .expect("settings")
        };
        let subscriber = tokio::spawn(townhall_events::run(
            db.store.clone(),
            case_messages(templates.clone()),
            townhall_events::IDLE,
        ));
        let case_messages = case_messages(templates);
        let served = site_configs.clone();
        let app = townhall_web::app(
            db.store.clone(),
            townhall_notify::Templates::builtin(),
            townhall_web::Settings {
                demo: true,
                secret: vec![7; 32],
                sign_in_attempts_per_address: attempts,
                trusted_proxies,
                forwarded_header: townhall_web::client::ForwardedHeader::XForwardedFor,
                metrics_from: townhall_web::Settings::loopback(),
            },
            site_configs,
            &townhall::web(),
        )
        .expect("app");
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(townhall_web::serve(listener, app, async {
            let _ = rx.await;
        }));
        Self {
            db,
            council: sites[0].council.clone(),
            base: sites[0].base.clone(),
            sites,
            addr,
            shutdown: Some(tx),
            case_messages,
            subscriber,
            served,
        }
    }

    /// A client that finds every site of this server and does not follow
    /// redirects; add a cookie store or build it as it is.
    pub fn client_builder(&self) -> reqwest::ClientBuilder {
        let mut builder = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none());
        for site in &self.sites {
            if let Some(host) = site.base.host_str() {
                builder = builder.resolve(host, self.addr);
            }
        }
        builder
    }

    /// A browser-like client: keeps cookies, does not follow redirects.
    pub fn client(&self) -> reqwest::Client {
        self.client_builder()
            .cookie_store(true)
            .build()
            .expect("client")
    }

    /// The absolute address of `path` on the first site; an absolute address
    /// (another site's) is kept as it is.
    pub fn url(&self, path: &str) -> String {
        if path.starts_with("http://") {
            return path.to_owned();
        }
        self.base
            .join(path.trim_start_matches('/'))
            .expect("path")
            .to_string()
    }

    /// Opens `page` as a browser would, then submits its form to `action` with
    /// `fields` and the page's CSRF token.
    pub async fn submit(
        &self,
        c: &reqwest::Client,
        page: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let html = self.text(c, page).await;
        let token = csrf_of(&html);
        let mut body: Vec<(&str, &str)> = fields.to_vec();
        body.push(("csrf", &token));
        c.post(self.url(action))
            .form(&body)
            .send()
            .await
            .expect("submit")
    }

    /// The settings of the first site, as the server was given them.
    pub fn settings(&self) -> &townhall_kernel::Registry {
        &self.served[0].settings
    }

    /// The index rules every test site has: the demo council's.
    pub fn index_policy(&self) -> townhall_index::policy::IndexPolicy {
        let consent =
            townhall_consent::Policy::parse("consent.toml", townhall_consent::demo::POLICY)
                .expect("policy");
        townhall_index::policy::IndexPolicy::parse(
            "index.toml",
            townhall_index::demo::POLICY,
            &consent,
        )
        .expect("index policy")
    }

    /// The body of the page at `path`, as `c` sees it.
    pub async fn text(&self, c: &reqwest::Client, path: &str) -> String {
        c.get(self.url(path))
            .send()
            .await
            .expect("page")
            .text()
            .await
            .expect("page body")
    }

    /// The JSON document at `path`, as `c` sees it.
    pub async fn json(&self, c: &reqwest::Client, path: &str) -> serde_json::Value {
        c.get(self.url(path))
            .send()
            .await
            .expect("document")
            .json()
            .await
            .expect("a JSON body")
    }

    /// Fills in the sign-up form at `page` (a path on the first site, or another
    /// site's address) as `given` `family`, with `email`. The password is
    /// chosen later, with the link emailed to the address.
    pub async fn sign_up(
        &self,
        c: &reqwest::Client,
        page: &str,
        (given, family): (&str, &str),
        email: &str,
    ) -> reqwest::Response {
        self.submit(
            c,
            page,
            page,
            &[
                ("given_name", given),
                ("family_name", family),
                ("email", email),
            ],
        )
        .await
    }

    /// Issues an API key of the first council named `name` with `scopes`
    /// (space-separated, e.g. `open311:write consent:read`), allowed
    /// `requests_per_minute` (the default a new key gets when `None`).
    pub async fn api_key(
        &self,
        name: &str,
        scopes: &str,
        requests_per_minute: Option<std::num::NonZeroU32>,
    ) -> String {
        let scopes = townhall_types::ApiScopes::parse(scopes).expect("scopes");
        let mut tx = self.db.store.begin().await.expect("begin");
        let key = townhall_identity::api_keys::create(
            &mut tx,
            self.council.id,
            name,
            &scopes,
            requests_per_minute.unwrap_or(townhall_identity::api_keys::DEFAULT_REQUESTS_PER_MINUTE),
        )
        .await
        .expect("api key");
        tx.commit().await.expect("commit");
        key
    }

    /// Adds a member of staff to the first council with `role`, in `team` if
    /// given, who signs in with `password`.
    pub async fn add_staff(
        &self,
        email: &str,
        name: &str,
        role: townhall_identity::Role,
        team: Option<&str>,
        password: &str,
    ) {
        use townhall_identity::accounts::{NewAccount, UserKind};
        let hash = townhall_identity::password::hash(password);
        let email = townhall_types::EmailAddress::parse(email).expect("email");
        let mut tx = self.db.store.begin().await.expect("begin");
        let team = match team {
            Some(t) => Some(
                townhall_identity::staff::ensure_team(&mut tx, self.council.id, t)
                    .await
                    .expect("team"),
            ),
            None => None,
        };
        let account = NewAccount {
            kind: UserKind::Staff,
            email: &email,
            display_name: name,
            password_hash: Some(&hash),
            verified: true,
        };
        townhall_identity::staff::create(&mut tx, self.council.id, &account, role, team.as_ref())
            .await
            .expect("staff");
        tx.commit().await.expect("commit");
    }

    /// The number of rows in `table`.
    pub async fn count(&self, table: &str) -> i64 {
        let (n,): (i64,) = townhall_store::sql::query_as(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(self.db.store.reader())
            .await
            .expect("count");
        n
    }

    /// Queues the messages of every event so far (the server's subscriber
    /// does so within moments; this waits for none).
    pub async fn queue_messages(&self) {
        townhall_events::deliver(&self.db.store, &self.case_messages, 200)
            .await
            .expect("case messages");
    }

    /// Finishes the payments left unfinished, as the server's worker does,
    /// as if it were `later` than now.
    pub async fn finish_payments(&self, later: time::Duration) -> townhall_cases::paid::Finished {
        townhall_cases::paid::finish_all(
            &self.db.store,
            self.served.iter().map(|s| &s.settings),
            townhall_types::Timestamp::now().plus(later),
        )
        .await
    }

    /// Delivers queued messages to the mailbox, as the server's worker does.
    pub async fn deliver(&self) {
        self.queue_messages().await;
        townhall_notify::deliver_pending(&self.db.store, &townhall_notify::Transport::Mailbox)
            .await
            .expect("deliver");
    }

    /// The first council's latest `limit` messages, sent or queued, once
    /// every event's messages are queued.
    pub async fn mailbox(&self, limit: i64) -> Vec<townhall_notify::Notification> {
        self.queue_messages().await;
        townhall_notify::mailbox(&self.db.store, self.council.id, limit)
            .await
            .expect("mailbox")
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.subscriber.abort();
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Form fields with owned values, as the `(&str, &str)` pairs
/// [`TestServer::submit`] takes.
pub fn as_fields<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    v.iter().map(|(k, s)| (*k, s.as_str())).collect()
}

/// The value of the hidden `csrf` field in a page.
pub fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html
        .find(marker)
        .map(|i| i + marker.len())
        .expect("page has a csrf field");
    html[start..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_owned()
}

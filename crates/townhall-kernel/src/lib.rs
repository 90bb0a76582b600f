//! The platform kernel: what a capability provides the platform, declared
//! once in its manifest ([`Capability`]), and the [`Platform`] the binary
//! assembles from one list of them, checked as a whole.
//!
//! A capability is one crate (places, audit, identity, consent, notify,
//! cases, payments, the resident index, …). Its manifest names its schema,
//! the domain events it writes and how it reads a council's configuration
//! into the council's [`Registry`], its part of the demo council
//! ([`demo`]), its background jobs and the API scopes it asks for; its web
//! and command-line crates give its routes and subcommands beside it in the
//! binary's list, so that a new capability is a crate and one line there.
//!
//! The kernel's own schema is the domain events' outbox
//! ([`townhall_events`]), which every capability writes to.

mod configure;
pub mod demo;
mod jobs;
mod registry;

pub use configure::{read_file, ConfigError, Configure, Loading, Setup};
pub use jobs::{Deployment, Job, Running};
pub use registry::{Missing, Registry, Taken};

use townhall_events::EventType;
use townhall_store::{Migration, Progress, Store};
use townhall_types::{CouncilId, ScopeKind};

/// The name the kernel's own migrations and events are claimed under.
const KERNEL: &str = "kernel";

/// What one capability provides.
#[derive(Debug)]
pub struct Capability {
    /// Its name, e.g. `identity`: one word, unique on the platform.
    pub name: &'static str,
    /// Its schema: the migrations it owns. Every version is the platform's
    /// (`YYYYMMDDNN`), claimed by one capability once.
    pub migrations: &'static [Migration],
    /// The domain events it writes; each type and version is claimed by one
    /// capability.
    pub events: &'static [EventType],
    /// How it reads a council's configuration, if it has any.
    pub configure: Option<Configure>,
    /// How it seeds its part of the demo council, if it has one.
    pub demo: Option<demo::Seed>,
    /// The work it does beside answering requests.
    pub jobs: &'static [Job],
    /// The kinds of API key scope its API asks for (`townhall admin api-key
    /// create --scope`).
    pub scopes: &'static [ScopeKind],
}

/// Where a council is configured from: see [`Platform::configure`].
#[derive(Debug, Clone, Copy)]
pub struct CouncilSource<'a> {
    /// The council.
    pub council: CouncilId,
    /// Its slug.
    pub slug: &'a str,
    /// The address its residents use.
    pub public_url: &'a url::Url,
    /// Its configuration directory.
    pub dir: &'a std::path::Path,
}

/// A council's configuration was refused by a capability.
#[derive(Debug, thiserror::Error)]
#[error("council '{council}' ({capability}): {reason}")]
pub struct Unconfigured {
    /// The council's slug.
    pub council: String,
    /// The capability that refused it.
    pub capability: &'static str,
    /// Why, in words that name the file and line where there is one.
    pub reason: ConfigError,
}

/// The demo council could not be seeded: a capability failed.
#[derive(Debug, thiserror::Error)]
#[error("seeding the demo council ({capability}): {reason}")]
pub struct Unseeded {
    /// The capability that failed.
    pub capability: &'static str,
    /// Why.
    pub reason: demo::SeedError,
}

/// A scope no key may be given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScopeRefused {
    /// No capability declares its kind.
    #[error("'{scope}' is not a scope of this platform; use {known}")]
    Unknown {
        /// The scope asked for.
        scope: String,
        /// The kinds there are, e.g. `events:read, index:write:SYSTEM`.
        known: String,
    },
    /// It names a value its kind reserves.
    #[error("{0}")]
    Reserved(String),
}

/// The random seed of the demo council: the same list of capabilities
/// always seeds the same council.
const DEMO_SEED: u64 = 0x5eed_2026;

/// Why a list of capabilities does not make a platform.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KernelError {
    /// Two capabilities share a name.
    #[error("two capabilities are called '{0}'")]
    SameName(&'static str),
    /// Two migrations share a version, and would be applied as one.
    #[error(
        "migration version {version} is claimed twice: by '{first}' ({first_migration}) and by '{second}' ({second_migration}); give one of them a version of its own"
    )]
    SameVersion {
        /// The version.
        version: i64,
        /// The capability that claims it first.
        first: &'static str,
        /// Its migration.
        first_migration: &'static str,
        /// The capability that claims it again.
        second: &'static str,
        /// Its migration.
        second_migration: &'static str,
    },
    /// Two capabilities declare the same scope.
    #[error("the scope {0} is declared twice")]
    SameScope(String),
    /// Two jobs share a name, and could not be told apart in the logs.
    #[error("two jobs are called '{0}'")]
    SameJob(&'static str),
    /// Two capabilities declare the same event type.
    #[error("event type {cloud_type} is declared by '{first}' and by '{second}'")]
    SameEvent {
        /// Its CloudEvents type.
        cloud_type: String,
        /// The capability that declares it first.
        first: &'static str,
        /// The capability that declares it again.
        second: &'static str,
    },
}

/// The capabilities a deployment runs, checked together.
#[derive(Debug)]
pub struct Platform {
    capabilities: Vec<&'static Capability>,
}

impl Platform {
    /// The platform of `capabilities`, if their names and migration
    /// versions are each claimed once.
    pub fn new(capabilities: &[&'static Capability]) -> Result<Self, KernelError> {
        let mut names = std::collections::HashSet::new();
        let mut versions: std::collections::HashMap<i64, (&'static str, &'static str)> =
            townhall_events::MIGRATIONS
                .iter()
                .map(|m| (m.version, (KERNEL, m.name)))
                .collect();
        let mut events: std::collections::HashMap<String, &'static str> =
            std::collections::HashMap::new();
        let mut jobs = std::collections::HashSet::new();
        let mut scopes: Vec<&ScopeKind> = townhall_events::permissions::SCOPES.iter().collect();
        for c in capabilities {
            if !names.insert(c.name) {
                return Err(KernelError::SameName(c.name));
            }
            for m in c.migrations {
                if let Some((first, first_migration)) = versions.insert(m.version, (c.name, m.name))
                {
                    return Err(KernelError::SameVersion {
                        version: m.version,
                        first,
                        first_migration,
                        second: c.name,
                        second_migration: m.name,
                    });
                }
            }
            for kind in c.scopes {
                if scopes.iter().any(|k| k.scope == kind.scope) {
                    return Err(KernelError::SameScope(kind.to_string()));
                }
                scopes.push(kind);
            }
            if let Some(job) = c.jobs.iter().find(|j| !jobs.insert(j.name)) {
                return Err(KernelError::SameJob(job.name));
            }
            for e in c.events {
                if let Some(first) = events.insert(e.cloud_type(), c.name) {
                    return Err(KernelError::SameEvent {
                        cloud_type: e.cloud_type(),
                        first,
                        second: c.name,
                    });
                }
            }
        }
        Ok(Platform {
            capabilities: capabilities.to_vec(),
        })
    }

    /// The capabilities, in the order they were listed.
    pub fn capabilities(&self) -> &[&'static Capability] {
        &self.capabilities
    }

    /// The kernel's migrations and every capability's (the store applies
    /// them in version order).
    pub fn migrations(&self) -> Vec<Migration> {
        townhall_events::MIGRATIONS
            .iter()
            .copied()
            .chain(
                self.capabilities
                    .iter()
                    .flat_map(|c| c.migrations.iter().copied()),
            )
            .collect()
    }

    /// A council's settings: each capability, in the order listed, reads its
    /// configuration from `source` and the store.
    pub async fn configure(
        &self,
        store: &Store,
        source: CouncilSource<'_>,
        progress: &dyn Progress,
    ) -> Result<Registry, Unconfigured> {
        let mut settings = Registry::default();
        for c in &self.capabilities {
            let Some(configure) = c.configure else {
                continue;
            };
            configure(Setup {
                store,
                council: source.council,
                slug: source.slug,
                public_url: source.public_url,
                dir: source.dir,
                progress,
                settings: &mut settings,
            })
            .await
            .map_err(|e| Unconfigured {
                council: source.slug.to_owned(),
                capability: c.name,
                reason: e,
            })?;
        }
        Ok(settings)
    }

    /// Seeds the demo council into a migrated store that does not hold it,
    /// each capability its part in the order listed, from a random stream of
    /// its own, and writes its configuration into `dir`. Returns what they seeded (places' council
    /// among it).
    pub async fn seed_demo(
        &self,
        store: &Store,
        dir: &std::path::Path,
        progress: &dyn Progress,
    ) -> Result<Registry, Unseeded> {
        let mut seeded = Registry::default();
        for c in &self.capabilities {
            let Some(seed) = c.demo else {
                continue;
            };
            seed(demo::Seeding {
                store,
                dir,
                rng: &mut demo::stream(DEMO_SEED, c.name),
                progress,
                seeded: &mut seeded,
            })
            .await
            .map_err(|reason| Unseeded {
                capability: c.name,
                reason,
            })?;
        }
        Ok(seeded)
    }

    /// Starts every capability's jobs for `deployment`, each with its name;
    /// none if one of them lacks a setting.
    pub fn start_jobs(
        &self,
        deployment: Deployment,
    ) -> Result<Vec<(&'static str, Running)>, Missing> {
        let deployment = std::sync::Arc::new(deployment);
        self.capabilities
            .iter()
            .flat_map(|c| c.jobs)
            .map(|job| Ok((job.name, (job.start)(deployment.clone())?)))
            .collect()
    }

    /// Every kind of API key scope: the event feed's and each capability's.
    pub fn scopes(&self) -> impl Iterator<Item = &ScopeKind> + '_ {
        townhall_events::permissions::SCOPES
            .iter()
            .chain(self.capabilities.iter().flat_map(|c| c.scopes.iter()))
    }

    /// Whether a key may be given `scope`: of a kind the event feed or a
    /// capability declares, naming nothing that kind reserves.
    pub fn check_scope(&self, scope: &townhall_types::ApiScope) -> Result<(), ScopeRefused> {
        let Some(kind) = self.scopes().find(|kind| kind.admits(scope)) else {
            let known: Vec<String> = self.scopes().map(ToString::to_string).collect();
            return Err(ScopeRefused::Unknown {
                scope: scope.to_string(),
                known: known.join(", "),
            });
        };
        kind.refusal(scope)
            .map_or(Ok(()), |why| Err(ScopeRefused::Reserved(why)))
    }

    /// Every domain event type the platform's capabilities write.
    pub fn events(&self) -> impl Iterator<Item = &'static EventType> + '_ {
        self.capabilities.iter().flat_map(|c| c.events.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLACES: Capability = Capability {
        name: "places",
        migrations: &[Migration::portable(
            2026010101,
            "places",
            "CREATE TABLE a (x TEXT)",
        )],
        events: &[],
        configure: None,
        demo: None,
        jobs: &[],
        scopes: &[],
    };
    const AUDIT: Capability = Capability {
        name: "audit",
        migrations: &[Migration::portable(
            2026010201,
            "audit",
            "CREATE TABLE b (x TEXT)",
        )],
        events: &[BELL],
        configure: None,
        demo: None,
        jobs: &[],
        scopes: &[],
    };
    const BELL: EventType = EventType {
        name: "bell.rang",
        version: 1,
        about: "A bell rang.",
    };
    const CLASHING: Capability = Capability {
        name: "cases",
        migrations: &[Migration::portable(
            2026010101,
            "cases",
            "CREATE TABLE c (x TEXT)",
        )],
        events: &[],
        configure: None,
        demo: None,
        jobs: &[],
        scopes: &[],
    };
    const ECHO: Capability = Capability {
        name: "echo",
        migrations: &[],
        events: &[BELL],
        configure: None,
        demo: None,
        jobs: &[],
        scopes: &[],
    };

    #[test]
    fn a_platform_gathers_its_capabilities_migrations() {
        let p = Platform::new(&[&PLACES, &AUDIT]).unwrap();
        assert_eq!(p.capabilities().len(), 2);
        let versions: Vec<i64> = p.migrations().iter().map(|m| m.version).collect();
        let kernel = townhall_events::MIGRATIONS[0].version;
        assert_eq!(versions, [kernel, 2026010101, 2026010201]);
        assert_eq!(p.events().count(), 1);
    }

    #[test]
    fn a_name_or_a_version_claimed_twice_is_refused_naming_both() {
        assert_eq!(
            Platform::new(&[&PLACES, &PLACES]).unwrap_err(),
            KernelError::SameName("places")
        );
        let e = Platform::new(&[&PLACES, &AUDIT, &CLASHING]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "migration version 2026010101 is claimed twice: by 'places' (places) and by 'cases' (cases); give one of them a version of its own"
        );
        assert_eq!(
            Platform::new(&[&AUDIT, &ECHO]).unwrap_err().to_string(),
            "event type townhall.bell.rang.v1 is declared by 'audit' and by 'echo'"
        );
    }

    /// Puts a number in the settings.
    fn count(setup: Setup<'_>) -> Loading<'_> {
        Box::pin(async move {
            setup.settings.insert(7_u32)?;
            Ok(())
        })
    }

    /// Needs the number, and puts what it read of it.
    fn read_count(setup: Setup<'_>) -> Loading<'_> {
        Box::pin(async move {
            let n: &u32 = setup.settings.require().map_err(ConfigError::new)?;
            let said = format!("{} saw {n}", setup.slug);
            setup.settings.insert(said)?;
            Ok(())
        })
    }

    const COUNTER: Capability = Capability {
        name: "counter",
        migrations: &[],
        events: &[],
        configure: Some(count),
        demo: None,
        jobs: &[],
        scopes: &[],
    };
    const READER: Capability = Capability {
        name: "reader",
        migrations: &[],
        events: &[],
        configure: Some(read_count),
        demo: None,
        jobs: &[],
        scopes: &[],
    };

    #[tokio::test]
    async fn capabilities_are_configured_in_order_and_a_refusal_names_council_and_capability() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_dir(dir.path()).await.unwrap();
        let url = url::Url::parse("https://riverside.example/").unwrap();
        let source = CouncilSource {
            council: CouncilId::new(),
            slug: "riverside",
            public_url: &url,
            dir: dir.path(),
        };
        let settings = Platform::new(&[&COUNTER, &PLACES, &READER])
            .unwrap()
            .configure(&store, source, &())
            .await
            .unwrap();
        assert_eq!(
            settings.get::<String>().map(String::as_str),
            Some("riverside saw 7")
        );

        let refused = Platform::new(&[&READER, &COUNTER])
            .unwrap()
            .configure(&store, source, &())
            .await
            .unwrap_err();
        assert_eq!(refused.capability, "reader");
        assert_eq!(refused.council, "riverside");
        let said = refused.to_string();
        assert!(
            said.starts_with("council 'riverside' (reader): no capability gave this council a u32"),
            "{said}"
        );
    }

    /// Seeds a council's id and a file.
    fn sow_council(s: demo::Seeding<'_>) -> demo::Sowing<'_> {
        Box::pin(async move {
            use rand::Rng;
            s.write_file("places/areas.txt", "W01")?;
            let drawn: u32 = s.rng.gen();
            s.seeded.insert(CouncilId::new())?;
            s.seeded.insert(drawn)?;
            Ok(())
        })
    }

    /// Needs the council's id, and seeds nothing without it.
    fn sow_people(s: demo::Seeding<'_>) -> demo::Sowing<'_> {
        Box::pin(async move {
            let council = *s.seeded.require::<CouncilId>()?;
            s.seeded.insert(format!("people of {council}"))?;
            Ok(())
        })
    }

    #[tokio::test]
    async fn the_demo_is_seeded_in_order_from_one_stream_and_a_failure_names_its_capability() {
        const SOWER: Capability = Capability {
            name: "sower",
            migrations: &[],
            events: &[],
            configure: None,
            demo: Some(sow_council),
            jobs: &[],
            scopes: &[],
        };
        const PEOPLE: Capability = Capability {
            name: "people",
            migrations: &[],
            events: &[],
            configure: None,
            demo: Some(sow_people),
            jobs: &[],
            scopes: &[],
        };
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_dir(dir.path()).await.unwrap();
        let platform = Platform::new(&[&SOWER, &PLACES, &PEOPLE]).unwrap();
        let seeded = platform.seed_demo(&store, dir.path(), &()).await.unwrap();
        let council = seeded.require::<CouncilId>().unwrap();
        assert_eq!(
            seeded.get::<String>(),
            Some(&format!("people of {council}"))
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join("places/areas.txt")).unwrap(),
            "W01"
        );
        // The same list draws the same numbers.
        let again = platform.seed_demo(&store, dir.path(), &()).await.unwrap();
        assert_eq!(seeded.get::<u32>(), again.get::<u32>());

        let refused = Platform::new(&[&PEOPLE, &SOWER])
            .unwrap()
            .seed_demo(&store, dir.path(), &())
            .await
            .unwrap_err();
        assert_eq!(refused.capability, "people");
        assert!(
            refused.to_string().starts_with(
                "seeding the demo council (people): no capability gave this council a"
            ),
            "{refused}"
        );
    }

    fn idle(_: std::sync::Arc<Deployment>) -> Result<Running, Missing> {
        Ok(Box::pin(async {}))
    }

    const SWEEP: Job = Job {
        name: "sweep",
        start: idle,
    };

    #[test]
    fn jobs_are_started_with_their_names_and_a_name_is_claimed_once() {
        const SWEEPER: Capability = Capability {
            name: "sweeper",
            migrations: &[],
            events: &[],
            configure: None,
            demo: None,
            jobs: &[SWEEP],
            scopes: &[],
        };
        const ANOTHER: Capability = Capability {
            name: "another",
            migrations: &[],
            events: &[],
            configure: None,
            demo: None,
            jobs: &[SWEEP],
            scopes: &[],
        };
        assert_eq!(
            Platform::new(&[&SWEEPER, &ANOTHER]).unwrap_err(),
            KernelError::SameJob("sweep")
        );
        let dir = tempfile::tempdir().unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let store = runtime.block_on(Store::open_dir(dir.path())).unwrap();
        let started = Platform::new(&[&SWEEPER, &PLACES])
            .unwrap()
            .start_jobs(Deployment {
                store,
                councils: Vec::new(),
                settings: Registry::default(),
            })
            .unwrap();
        let names: Vec<&str> = started.iter().map(|(name, _)| *name).collect();
        assert_eq!(names, ["sweep"]);
    }

    #[test]
    fn a_scope_is_declared_once_and_the_event_feed_s_is_the_kernel_s() {
        const REPORTS: ScopeKind = ScopeKind {
            scope: townhall_types::ApiScope::write("reports"),
            which: None,
            reserved: &[],
            about: "report",
        };
        const FIRST: Capability = Capability {
            name: "first",
            migrations: &[],
            events: &[],
            configure: None,
            demo: None,
            jobs: &[],
            scopes: &[REPORTS],
        };
        const SECOND: Capability = Capability {
            name: "second",
            migrations: &[],
            events: &[],
            configure: None,
            demo: None,
            jobs: &[],
            scopes: &[REPORTS],
        };
        assert_eq!(
            Platform::new(&[&FIRST, &SECOND]).unwrap_err(),
            KernelError::SameScope("reports:write".into())
        );
        let scopes: Vec<String> = Platform::new(&[&FIRST])
            .unwrap()
            .scopes()
            .map(ToString::to_string)
            .collect();
        assert_eq!(scopes, ["events:read", "reports:write"]);
        let platform = Platform::new(&[&FIRST]).unwrap();
        assert_eq!(
            platform.check_scope(&townhall_types::ApiScope::write("reports")),
            Ok(())
        );
        assert_eq!(
            platform
                .check_scope(&townhall_types::ApiScope::write("parking"))
                .unwrap_err()
                .to_string(),
            "'parking:write' is not a scope of this platform; use events:read, reports:write"
        );
    }
}

//! The demo council, "Riverside Borough Council", seeded deterministically.
//!
//! [`seed`] creates 12 wards, 3 parishes and 2 controlled parking zones with synthetic GeoJSON boundaries,
//! an address gazetteer, 1,000 residents, staff in several teams and roles, a
//! few consent choices, and writes the council's configuration files (consent
//! policy and its eight services). The same
//! seed always produces the same council (ids aside, which are time-ordered).

mod index;
mod names;

pub use index::INDEX_POLICY;

use std::path::Path;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use townhall_audit::{Action, Actor, AuditEvent, RecordRef};
use townhall_identity::accounts::{self, NewAccount, UserKind};
use townhall_identity::profiles::{self, ResidentProfile};
use townhall_identity::{password, staff, Role};
use townhall_places::{Address, Area, AreaKind, Council};
use townhall_store::{Progress, Store, StoreError};
use townhall_types::EmailAddress;

/// The consent policy of the demo council.
pub const CONSENT_POLICY: &str = include_str!("../config/consent.toml");

/// The demo council's services: (file name, contents), written to
/// `services/` in its configuration directory.
pub const SERVICES: &[(&str, &str)] = &[
    (
        "apply-parking-permit.toml",
        include_str!("../config/services/apply-parking-permit.toml"),
    ),
    (
        "book-bulky-waste.toml",
        include_str!("../config/services/book-bulky-waste.toml"),
    ),
    (
        "report-fly-tipping.toml",
        include_str!("../config/services/report-fly-tipping.toml"),
    ),
    (
        "report-graffiti.toml",
        include_str!("../config/services/report-graffiti.toml"),
    ),
    (
        "report-missed-bin.toml",
        include_str!("../config/services/report-missed-bin.toml"),
    ),
    (
        "report-pothole.toml",
        include_str!("../config/services/report-pothole.toml"),
    ),
    (
        "report-speeding.toml",
        include_str!("../config/services/report-speeding.toml"),
    ),
    (
        "request-bin.toml",
        include_str!("../config/services/request-bin.toml"),
    ),
];

/// The password of every demo sign-in account.
pub const DEMO_PASSWORD: &str = "riverside-demo-2026";

/// The demo sign-in accounts: (who, email, role).
pub const DEMO_ACCOUNTS: &[(&str, &str, &str)] = &[
    ("Resident", "martin.hughes@riverside.example", "resident"),
    (
        "Caseworker",
        "priya.shah@riverside.gov.example",
        "caseworker, Waste and Recycling",
    ),
    (
        "Team leader",
        "tom.okafor@riverside.gov.example",
        "team leader, Highways",
    ),
    (
        "Data protection officer",
        "dpo@riverside.gov.example",
        "data protection officer",
    ),
    (
        "Administrator",
        "admin@riverside.gov.example",
        "administrator",
    ),
    (
        "Customer services",
        "ravi.patel@riverside.gov.example",
        "customer services adviser: sees and acts for any resident who asks",
    ),
    (
        "Index reviewer",
        "chris.young@riverside.gov.example",
        "caseworker, Customer Services",
    ),
    (
        "Single view",
        "kate.morgan@riverside.gov.example",
        "caseworker, Early Help",
    ),
];

/// How many residents the demo council has.
pub const RESIDENTS: usize = 1_000;

/// Seeding failed.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The resident index could not be linked.
    #[error(transparent)]
    Index(#[from] townhall_index::IndexError),
    /// An account could not be created.
    #[error(transparent)]
    Account(#[from] townhall_identity::AccountError),
    /// The council could not be created.
    #[error(transparent)]
    Council(#[from] townhall_places::CouncilError),
    /// Built-in seed data did not pass its own checks.
    #[error("demo data: {0}")]
    Data(String),
    /// The configuration could not be written.
    #[error("writing {path}: {source}")]
    Config {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
}

// The demo borough sits in a fictional place; coordinates are plausible English ones.
const SOUTH: f64 = 52.40;
const WEST: f64 = -1.62;
const CELL_LAT: f64 = 0.02;
const CELL_LON: f64 = 0.032;
const COLS: usize = 4;
const ROWS: usize = 3;

/// Seeds the demo council into an empty, migrated store and writes its
/// configuration into `config_dir`. Returns the council.
pub async fn seed(
    store: &Store,
    config_dir: &Path,
    progress: &dyn Progress,
) -> Result<Council, SeedError> {
    let mut rng = StdRng::seed_from_u64(0x5eed_2026);
    std::fs::create_dir_all(config_dir).map_err(|source| SeedError::Config {
        path: config_dir.display().to_string(),
        source,
    })?;
    let services_dir = config_dir.join("services");
    let mut files = vec![
        (config_dir.join("consent.toml"), CONSENT_POLICY),
        (config_dir.join("index.toml"), INDEX_POLICY),
    ];
    files.extend(
        SERVICES
            .iter()
            .map(|(name, text)| (services_dir.join(name), *text)),
    );
    std::fs::create_dir_all(&services_dir).map_err(|source| SeedError::Config {
        path: services_dir.display().to_string(),
        source,
    })?;
    for (path, text) in files {
        std::fs::write(&path, text).map_err(|source| SeedError::Config {
            path: path.display().to_string(),
            source,
        })?;
    }

    let mut tx = store.begin().await?;
    let council =
        townhall_places::create_council(&mut tx, "riverside", "Riverside Borough Council").await?;
    let corners = jittered_grid(&mut rng);
    for (i, name) in names::WARDS.iter().enumerate() {
        townhall_places::add_area(
            &mut tx,
            council.id,
            &Area {
                code: format!("W{:02}", i + 1),
                kind: AreaKind::Ward,
                name: (*name).to_owned(),
                boundary: cell_polygon(&corners, i),
            },
        )
        .await?;
    }
    for (i, (name, cell)) in names::PARISHES.iter().enumerate() {
        townhall_places::add_area(
            &mut tx,
            council.id,
            &Area {
                code: format!("P{:02}", i + 1),
                kind: AreaKind::Parish,
                name: (*name).to_owned(),
                boundary: cell_polygon(&corners, *cell),
            },
        )
        .await?;
    }
    for (i, (name, cell)) in names::ZONES.iter().enumerate() {
        townhall_places::add_area(
            &mut tx,
            council.id,
            &Area {
                code: format!("Z{}", char::from(b'A' + i as u8)),
                kind: AreaKind::Zone,
                name: (*name).to_owned(),
                boundary: cell_polygon(&corners, *cell),
            },
        )
        .await?;
    }
    let addresses = gazetteer(&mut rng, &corners);
    for (n, a) in addresses.iter().enumerate() {
        townhall_places::add_address(&mut tx, council.id, a).await?;
        if n % 200 == 0 {
            progress.step("addresses", n as u64, addresses.len() as u64);
        }
    }
    tx.commit().await.map_err(StoreError::from)?;

    seed_staff(store, &council, progress).await?;
    let residents = seed_residents(store, &council, &addresses, &mut rng, progress).await?;
    seed_index(store, &council, &residents, &addresses, &mut rng, progress).await?;
    Ok(council)
}

fn jittered_grid(rng: &mut StdRng) -> Vec<Vec<(f64, f64)>> {
    (0..=ROWS)
        .map(|r| {
            (0..=COLS)
                .map(|c| {
                    let interior = r > 0 && r < ROWS && c > 0 && c < COLS;
                    let (dl, dn) = if interior {
                        (rng.gen_range(-0.25..0.25), rng.gen_range(-0.25..0.25))
                    } else {
                        (0.0, 0.0)
                    };
                    (
                        WEST + (c as f64 + dl) * CELL_LON,
                        SOUTH + (r as f64 + dn) * CELL_LAT,
                    )
                })
                .collect()
        })
        .collect()
}

fn cell_corners(corners: &[Vec<(f64, f64)>], cell: usize) -> [(f64, f64); 4] {
    let (r, c) = (ROWS - 1 - cell / COLS, cell % COLS);
    [
        corners[r][c],
        corners[r][c + 1],
        corners[r + 1][c + 1],
        corners[r + 1][c],
    ]
}

fn cell_polygon(corners: &[Vec<(f64, f64)>], cell: usize) -> serde_json::Value {
    let q = cell_corners(corners, cell);
    let ring: Vec<[f64; 2]> = q
        .iter()
        .chain(std::iter::once(&q[0]))
        .map(|&(x, y)| [round6(x), round6(y)])
        .collect();
    serde_json::json!({"type": "Polygon", "coordinates": [ring]})
}

fn round6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

/// A point inside a quadrilateral cell, by bilinear interpolation.
fn point_in_cell(rng: &mut StdRng, q: &[(f64, f64); 4]) -> (f64, f64) {
    let (u, v): (f64, f64) = (rng.gen_range(0.08..0.92), rng.gen_range(0.08..0.92));
    let lerp =
        |a: (f64, f64), b: (f64, f64), t: f64| (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t);
    let bottom = lerp(q[0], q[1], u);
    let top = lerp(q[3], q[2], u);
    let p = lerp(bottom, top, v);
    (round6(p.0), round6(p.1))
}

fn gazetteer(rng: &mut StdRng, corners: &[Vec<(f64, f64)>]) -> Vec<Address> {
    let mut out = Vec::new();
    let mut uprn = 100_090_000_000_u64;
    let mut street_index = 0;
    for ward in 0..names::WARDS.len() {
        let quad = cell_corners(corners, ward);
        let parish = names::PARISHES.iter().position(|(_, cell)| *cell == ward);
        let mut postcode_unit = 0;
        for _ in 0..8 {
            let street = format!(
                "{} {}",
                names::STREETS[street_index % names::STREETS.len()],
                names::STREET_KINDS[(street_index / names::STREETS.len() + street_index)
                    % names::STREET_KINDS.len()]
            );
            street_index += 1;
            let houses = rng.gen_range(10..=30);
            let start = rng.gen_range(0.1..0.9);
            let centre = point_in_cell(rng, &quad);
            for house in 1..=houses {
                if house % 14 == 1 {
                    postcode_unit += 1;
                }
                // A postcode unit covers up to 14 neighbouring houses, as in
                // UK data (about 15 addresses a unit on average).
                let letters = b"ABDEFGHJLNPQRSTUWXYZ";
                let pc = format!(
                    "RV{} {}{}{}",
                    ward + 1,
                    postcode_unit % 9 + 1,
                    letters[(postcode_unit / 9) % letters.len()] as char,
                    letters[(postcode_unit * 7 + 3) % letters.len()] as char,
                );
                uprn += rng.gen_range(1..40);
                out.push(Address {
                    uprn: format!("{uprn:012}"),
                    line1: format!("{house} {street}"),
                    line2: None,
                    town: "Riverside".to_owned(),
                    postcode: pc,
                    latitude: round6(centre.1 + (house as f64 - start * 20.0) * 0.00004),
                    longitude: round6(centre.0 + (house as f64) * 0.00006),
                    ward_code: Some(format!("W{:02}", ward + 1)),
                    parish_code: parish.map(|p| format!("P{:02}", p + 1)),
                });
            }
        }
    }
    out
}

async fn seed_staff(
    store: &Store,
    council: &Council,
    progress: &dyn Progress,
) -> Result<(), SeedError> {
    let hash = password::hash_async(DEMO_PASSWORD.to_owned()).await;
    let mut tx = store.begin().await?;
    let mut teams = Vec::new();
    for name in names::TEAMS {
        teams.push(staff::ensure_team(&mut tx, council.id, name).await?);
    }
    let people: &[(&str, &str, Role, Option<usize>)] = &[
        ("Priya Shah", "priya.shah", Role::Caseworker, Some(0)),
        ("Tom Okafor", "tom.okafor", Role::TeamLeader, Some(1)),
        ("Dana Whitfield", "dpo", Role::DataProtectionOfficer, None),
        ("Sam Adeyemi", "admin", Role::Administrator, None),
        ("Gareth Lewis", "gareth.lewis", Role::TeamLeader, Some(0)),
        ("Ewa Nowak", "ewa.nowak", Role::Caseworker, Some(1)),
        ("Ben Carter", "ben.carter", Role::Caseworker, Some(2)),
        ("Ruth Mensah", "ruth.mensah", Role::TeamLeader, Some(3)),
        ("Imran Hussain", "imran.hussain", Role::Caseworker, Some(3)),
        ("Kate Morgan", "kate.morgan", Role::Caseworker, Some(4)),
        ("Joe Bennett", "joe.bennett", Role::TeamLeader, Some(4)),
        ("Alison Price", "alison.price", Role::Caseworker, Some(5)),
        ("Chris Young", "chris.young", Role::Caseworker, Some(6)),
        ("Ravi Patel", "ravi.patel", Role::CustomerServices, Some(6)),
    ];
    for (n, (name, local, role, team)) in people.iter().enumerate() {
        let email = EmailAddress::parse(&format!("{local}@riverside.gov.example"))
            .map_err(|e| SeedError::Data(e.to_string()))?;
        staff::create(
            &mut tx,
            council.id,
            &NewAccount {
                kind: UserKind::Staff,
                email: &email,
                display_name: name,
                password_hash: Some(&hash),
                verified: true,
            },
            *role,
            team.map(|t| &teams[t]),
        )
        .await?;
        progress.step("staff", n as u64 + 1, people.len() as u64);
    }
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}

/// The other systems' records of the residents (and their children), linked.
async fn seed_index(
    store: &Store,
    council: &Council,
    residents: &[index::Seeded],
    addresses: &[Address],
    rng: &mut StdRng,
    progress: &dyn Progress,
) -> Result<(), SeedError> {
    let consent = townhall_consent::Policy::parse("consent.toml", CONSENT_POLICY)
        .map_err(|e| SeedError::Data(e.to_string()))?;
    let policy = townhall_index::policy::IndexPolicy::parse("index.toml", INDEX_POLICY, &consent)
        .map_err(|e| SeedError::Data(e.to_string()))?;
    let systems = index::records(rng, residents, addresses, names::GIVEN, names::FAMILY);
    let mut tx = store.begin().await?;
    for (n, (system, records)) in systems.iter().enumerate() {
        progress.step("index records", n as u64, systems.len() as u64);
        townhall_index::records::import(&mut tx, council.id, system, &[], records).await?;
    }
    tx.commit().await.map_err(StoreError::from)?;
    townhall_index::run::run(store, council.id, &policy, progress).await?;
    Ok(())
}

async fn seed_residents(
    store: &Store,
    council: &Council,
    addresses: &[Address],
    rng: &mut StdRng,
    progress: &dyn Progress,
) -> Result<Vec<index::Seeded>, SeedError> {
    let mut seeded = Vec::with_capacity(RESIDENTS);
    let martin_hash = password::hash_async(DEMO_PASSWORD.to_owned()).await;
    let policy = townhall_consent::Policy::parse("consent.toml", CONSENT_POLICY)
        .map_err(|e| SeedError::Data(e.to_string()))?;
    let mut tx = store.begin().await?;
    for n in 0..RESIDENTS {
        let (given, family, dob) = if n == 0 {
            (
                "Martin".to_owned(),
                "Hughes".to_owned(),
                "1951-03-14".to_owned(),
            )
        } else {
            let year = rng.gen_range(1935..2007);
            (
                names::GIVEN[rng.gen_range(0..names::GIVEN.len())].to_owned(),
                names::FAMILY[rng.gen_range(0..names::FAMILY.len())].to_owned(),
                format!(
                    "{year}-{:02}-{:02}",
                    rng.gen_range(1..=12),
                    rng.gen_range(1..=28)
                ),
            )
        };
        let local = format!(
            "{}.{}",
            given.to_lowercase(),
            family.to_lowercase().replace('\'', "")
        );
        let email = if n == 0 {
            format!("{local}@riverside.example")
        } else {
            format!("{local}{n}@mail.example")
        };
        let email = EmailAddress::parse(&email).map_err(|e| SeedError::Data(e.to_string()))?;
        let display = format!("{given} {family}");
        let user = accounts::create(
            &mut tx,
            council.id,
            &NewAccount {
                kind: UserKind::Resident,
                email: &email,
                display_name: &display,
                password_hash: (n == 0).then_some(martin_hash.as_str()),
                verified: true,
            },
        )
        .await?;
        let address = &addresses[rng.gen_range(0..addresses.len())];
        let phone = format!("07700 9{:05}", rng.gen_range(0..100_000));
        seeded.push(index::Seeded {
            account: user.id,
            person: townhall_linkage::record::RawPerson {
                first_name: given.clone(),
                surname: family.clone(),
                date_of_birth: dob.clone(),
                postcode: address.postcode.clone(),
                address: address.line1.clone(),
                town: address.town.clone(),
                email: email.to_string(),
                phone: phone.clone(),
                extra: Vec::new(),
            },
        });
        let profile = ResidentProfile {
            given_name: given,
            family_name: family,
            date_of_birth: Some(dob),
            phone: Some(phone),
            uprn: Some(address.uprn.clone()),
        };
        profiles::save(&mut tx, council.id, user.id, &profile).await?;
        townhall_audit::append(
            &mut tx,
            &AuditEvent::new(
                council.id,
                (
                    Actor::System("demo-seed".into()),
                    "Riverside Borough Council (records moved from the old system)",
                ),
                Action::Create,
                RecordRef::Resident(user.id),
            )
            .about(Some(user.id))
            .fields(profiles::FIELDS)
            .purpose("setting up your council account"),
        )
        .await?;
        // About one resident in five has made a choice about data sharing.
        if n == 0 || rng.gen_bool(0.2) {
            let purpose = &policy.purposes[if n == 0 {
                0
            } else {
                rng.gen_range(0..policy.purposes.len())
            }];
            if purpose.default != townhall_consent::ConsentDefault::RequiredByLaw {
                let choice = if n == 0 || rng.gen_bool(0.7) {
                    townhall_consent::Choice::Granted
                } else {
                    townhall_consent::Choice::Withdrawn
                };
                townhall_consent::record(
                    &mut tx,
                    council.id,
                    user.id,
                    &purpose.id,
                    &purpose.recipients[0],
                    choice,
                    None,
                    townhall_consent::Method::Web,
                    &user.id.to_string(),
                )
                .await?;
            }
        }
        if n % 50 == 0 {
            progress.step("residents", n as u64, RESIDENTS as u64);
        }
    }
    tx.commit().await.map_err(StoreError::from)?;
    progress.step("residents", RESIDENTS as u64, RESIDENTS as u64);
    Ok(seeded)
}

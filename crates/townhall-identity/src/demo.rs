//! Identity's part of the demo council: its teams and staff (one sign-in
//! for each role the demo shows) and 1,000 residents with accounts,
//! profiles at the council's homes, and the audit entry that made each.

mod names;

pub use names::{FAMILY, GIVEN};

use rand::Rng;
use townhall_audit::{Action, Actor, AuditEvent, RecordRef};
use townhall_kernel::demo::{Homes, Resident, Residents, SeedError, Seeding, Sowing};
use townhall_store::StoreError;
use townhall_types::{CouncilId, EmailAddress};

use crate::accounts::{self, NewAccount, UserKind};
use crate::profiles::{self, ResidentProfile};
use crate::{password, staff, Role};

/// The password of every demo sign-in account.
pub const PASSWORD: &str = "riverside-demo-2026";

/// The demo sign-in accounts: (who, email, role).
pub const ACCOUNTS: &[(&str, &str, &str)] = &[
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

/// The demo council's staff: (name, email before the council's domain,
/// role, index of their team in [`names::TEAMS`]).
const STAFF: &[(&str, &str, Role, Option<usize>)] = &[
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

/// Seeds the staff and the residents; leaves the residents for the
/// capabilities after it.
pub(crate) fn seed(mut s: Seeding<'_>) -> Sowing<'_> {
    Box::pin(async move {
        let council = *s.seeded.require::<CouncilId>()?;
        let hash = password::hash_async(PASSWORD.to_owned()).await;
        seed_staff(&s, council, &hash).await?;
        let residents = seed_residents(&mut s, council, &hash).await?;
        s.seeded.insert(residents)?;
        Ok(())
    })
}

async fn seed_staff(s: &Seeding<'_>, council: CouncilId, hash: &str) -> Result<(), SeedError> {
    let mut tx = s.store.begin().await?;
    let mut teams = Vec::new();
    for name in names::TEAMS {
        teams.push(staff::ensure_team(&mut tx, council, name).await?);
    }
    for (n, (name, local, role, team)) in STAFF.iter().enumerate() {
        let email = EmailAddress::parse(&format!("{local}@riverside.gov.example"))
            .map_err(SeedError::new)?;
        staff::create(
            &mut tx,
            council,
            &NewAccount {
                kind: UserKind::Staff,
                email: &email,
                display_name: name,
                password_hash: Some(hash),
                verified: true,
            },
            *role,
            team.map(|t| &teams[t]),
        )
        .await
        .map_err(SeedError::new)?;
        s.progress.step("staff", n as u64 + 1, STAFF.len() as u64);
    }
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}

/// The residents; the first is Martin Hughes (born 1951), who signs in
/// with the demo password, the rest are drawn at random.
async fn seed_residents(
    s: &mut Seeding<'_>,
    council: CouncilId,
    hash: &str,
) -> Result<Residents, SeedError> {
    let homes = s.seeded.require_arc::<Homes>()?;
    let homes = &homes.0;
    let rng = &mut *s.rng;
    if homes.is_empty() {
        return Err(SeedError::new("the demo council has no homes to live in"));
    }
    let mut seeded = Vec::with_capacity(RESIDENTS);
    let mut tx = s.store.begin().await?;
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
                GIVEN[rng.gen_range(0..GIVEN.len())].to_owned(),
                FAMILY[rng.gen_range(0..FAMILY.len())].to_owned(),
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
        let email = EmailAddress::parse(&email).map_err(SeedError::new)?;
        let display = format!("{given} {family}");
        let user = accounts::create(
            &mut tx,
            council,
            &NewAccount {
                kind: UserKind::Resident,
                email: &email,
                display_name: &display,
                password_hash: (n == 0).then_some(hash),
                verified: true,
            },
        )
        .await
        .map_err(SeedError::new)?;
        let home = &homes[rng.gen_range(0..homes.len())];
        let phone = format!("07700 9{:05}", rng.gen_range(0..100_000));
        let profile = ResidentProfile {
            given_name: given.clone(),
            family_name: family.clone(),
            date_of_birth: Some(dob.clone()),
            phone: Some(phone.clone()),
            uprn: Some(home.uprn.clone()),
        };
        profiles::save(&mut tx, council, user.id, &profile).await?;
        townhall_audit::append(
            &mut tx,
            &AuditEvent::new(
                council,
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
        seeded.push(Resident {
            account: user.id,
            given_name: given,
            family_name: family,
            date_of_birth: dob,
            email: email.to_string(),
            phone,
            home: home.clone(),
        });
        if n % 50 == 0 {
            s.progress.step("residents", n as u64, RESIDENTS as u64);
        }
    }
    tx.commit().await.map_err(StoreError::from)?;
    s.progress
        .step("residents", RESIDENTS as u64, RESIDENTS as u64);
    Ok(Residents(seeded))
}

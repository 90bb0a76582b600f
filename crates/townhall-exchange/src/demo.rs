//! The hub's part of the demo council: three partners (Riverside Medical
//! Centre, Riverside Homes and the police, which has no agreement yet and
//! so receives nothing), the agreements with the first two, and sign-ins
//! for their staff.

use townhall_kernel::demo::{SeedError, Seeding, Sowing};
use townhall_types::{CouncilId, EmailAddress};

use base64::Engine;
use townhall_store::Store;
use townhall_types::Timestamp;

use townhall_identity::PartnerRole;

use crate::signature::SigningKey;
use crate::staff::NewPartnerStaff;

use crate::partners::{self, Partner, PartnerError, PartnerKind};

/// The demo's agreements: (file name, contents), written to `agreements/`.
pub const AGREEMENTS: &[(&str, &str)] = &[
    (
        "gp-wellbeing-checks.toml",
        include_str!("../demo/agreements/gp-wellbeing-checks.toml"),
    ),
    (
        "housing-support.toml",
        include_str!("../demo/agreements/housing-support.toml"),
    ),
];

/// The demo's partners: (id, name, kind, organisation code, domain).
const PARTNERS: &[(&str, &str, PartnerKind, Option<&str>, &str)] = &[
    (
        "riverside-medical-centre",
        "Riverside Medical Centre",
        PartnerKind::GpPractice,
        Some("Y99001"),
        "rmc.nhs.example",
    ),
    (
        "riverside-homes",
        "Riverside Homes",
        PartnerKind::HousingAssociation,
        None,
        "riversidehomes.example",
    ),
    (
        "riverside-police",
        "Riverside Constabulary",
        PartnerKind::Police,
        None,
        "riverside.police.example",
    ),
];

/// The demo's partner staff sign-in accounts, each with the demo password
/// (`townhall_identity::demo::PASSWORD`): (partner, name, email, role).
pub const PARTNER_ACCOUNTS: &[(&str, &str, &str, PartnerRole)] = &[
    (
        "riverside-medical-centre",
        "Dr Amira Patel",
        "amira.patel@rmc.nhs.example",
        PartnerRole::Practitioner,
    ),
    (
        "riverside-medical-centre",
        "Jo Bennett",
        "jo.bennett@rmc.nhs.example",
        PartnerRole::Manager,
    ),
    (
        "riverside-homes",
        "Sam Carter",
        "sam.carter@riversidehomes.example",
        PartnerRole::Practitioner,
    ),
];

/// Registers the demo's partners with `council`.
pub async fn register_partners(store: &Store, council: CouncilId) -> Result<(), PartnerError> {
    for (id, name, kind, code, domain) in PARTNERS {
        let email = |text: String| {
            EmailAddress::parse(&text).map_err(|_| PartnerError::Unreadable(text.clone()))
        };
        let partner = Partner {
            id: (*id).to_owned(),
            name: (*name).to_owned(),
            kind: *kind,
            code: code.map(str::to_owned),
            contact: email(format!("data.sharing@{domain}"))?,
            dpo: email(format!("dpo@{domain}"))?,
        };
        partners::register(store, council, &partner).await?;
    }
    Ok(())
}

/// Registers the partners, each with a signing key (`ID-demo`, valid from
/// the seeding: its private half is not kept, so `townhall admin partner key
/// create` makes one to sign with) and its staff's sign-ins, and writes the
/// agreements.
pub(crate) fn seed(s: Seeding<'_>) -> Sowing<'_> {
    Box::pin(async move {
        let council = *s.seeded.require::<CouncilId>()?;
        register_partners(s.store, council)
            .await
            .map_err(SeedError::new)?;
        for (id, ..) in PARTNERS {
            let seed: [u8; 32] = rand::Rng::gen(s.rng);
            let key_id = format!("{id}-demo");
            let key = SigningKey::from_seed(&key_id, &seed).map_err(SeedError::new)?;
            let public = base64::engine::general_purpose::STANDARD.encode(key.public_key());
            partners::add_key(
                s.store,
                council,
                id,
                &key_id,
                &public,
                (Timestamp::now(), None),
            )
            .await
            .map_err(SeedError::new)?;
        }
        let hash =
            townhall_identity::password::hash_async(townhall_identity::demo::PASSWORD.to_owned())
                .await;
        for (partner, name, email, role) in PARTNER_ACCOUNTS {
            let email = EmailAddress::parse(email).map_err(SeedError::new)?;
            crate::staff::add(
                s.store,
                council,
                partner,
                &NewPartnerStaff {
                    email: &email,
                    name,
                    role: *role,
                    password_hash: &hash,
                },
            )
            .await
            .map_err(SeedError::new)?;
        }
        for (name, text) in AGREEMENTS {
            s.write_file(&format!("agreements/{name}"), text)?;
        }
        Ok(())
    })
}

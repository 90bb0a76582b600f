//! Sensors' part of the demo council: its rules (`demo/sensors.toml`), a
//! tag on the general-waste bin of the first 200 residents' homes (Martin
//! Hughes's is `urn:dev:tag:RV-00001`) with their last six collections (his
//! bin always put out), a litter bin in each ward, air-quality and noise
//! monitors, and a day of their readings, all taken in as a broker's packs
//! would be.

use rand::Rng;
use townhall_kernel::demo::{Residents, SeedError, Seeding, Sowing};
use townhall_places::{AreaKind, Boundaries};
use townhall_types::{CouncilId, Timestamp};
use townhall_waste::Collections;

use crate::device::{register, NewDevice};
use crate::ingest::{Ingest, Pack};
use crate::kind::Kind;

/// The demo's `sensors.toml`.
pub const SENSORS: &str = include_str!("../demo/sensors.toml");

/// How many homes' general-waste bins carry a tag.
const TAGGED_HOMES: usize = 200;

/// Martin Hughes's bin's tag.
pub const MARTINS_TAG: &str = "urn:dev:tag:RV-00001";

pub(crate) fn seed(s: Seeding<'_>) -> Sowing<'_> {
    Box::pin(async move {
        s.write_file("sensors.toml", SENSORS)?;
        let council = *s.seeded.require::<CouncilId>().map_err(SeedError::new)?;
        let residents = s
            .seeded
            .require::<Residents>()
            .map_err(SeedError::new)?
            .clone();
        let boundaries = Boundaries::load(s.store, council)
            .await
            .map_err(SeedError::new)?;
        let wards: Vec<String> = boundaries
            .of_kind(AreaKind::Ward)
            .map(|w| w.code.clone())
            .collect();
        let codes: Vec<&str> = wards.iter().map(String::as_str).collect();
        let collections = Collections::parse("waste.toml", townhall_waste::demo::WASTE, &codes)
            .map_err(SeedError::new)?;
        let areas = (&boundaries, &collections);
        let add = |new: NewDevice| register(s.store, council, areas, new);
        let mut packs = Vec::new();
        for (n, resident) in residents.0.iter().take(TAGGED_HOMES).enumerate() {
            let tag = format!("urn:dev:tag:RV-{:05}", n + 1);
            add(NewDevice {
                id: tag.clone(),
                kind: Kind::BinTag,
                label: format!("General waste bin, {}", resident.home.line1),
                owner: "Waste and Recycling".into(),
                home: Some((resident.home.uprn.clone(), "general".into())),
                point: None,
                threshold: None,
            })
            .await
            .map_err(SeedError::new)?;
            let home = townhall_places::address(s.store, council, &resident.home.uprn)
                .await
                .map_err(SeedError::new)?;
            if let Some(pack) =
                home.and_then(|home| past_lifts(&tag, &home, &collections, n == 0, s.rng))
            {
                packs.push(pack);
            }
        }
        // Street furniture stands near homes: a home's point, moved a few
        // metres, is inside the council's area.
        let mut homes = residents.0.iter().skip(TAGGED_HOMES).step_by(37);
        let mut near_a_home = |rng: &mut rand::rngs::StdRng| {
            let home = homes.next()?;
            Some((home.home.uprn.clone(), rng.gen_range(-0.0002..0.0002)))
        };
        let kinds = [
            (Kind::LitterBin, 12, "Litter bin", "Waste and Recycling"),
            (
                Kind::AirQuality,
                4,
                "Air-quality monitor",
                "Environmental Health",
            ),
            (Kind::Noise, 3, "Noise monitor", "Environmental Health"),
        ];
        for (kind, count, label, owner) in kinds {
            for n in 1..=count {
                let Some((uprn, jitter)) = near_a_home(s.rng) else {
                    break;
                };
                let Some(home) = townhall_places::address(s.store, council, &uprn)
                    .await
                    .map_err(SeedError::new)?
                else {
                    continue;
                };
                let id = format!("urn:dev:{}:RV-{n:02}", kind.as_str());
                add(NewDevice {
                    id: id.clone(),
                    kind,
                    label: format!("{label}, {}", home.line1),
                    owner: owner.into(),
                    home: None,
                    point: Some((home.latitude + jitter, home.longitude - jitter)),
                    threshold: None,
                })
                .await
                .map_err(SeedError::new)?;
                packs.push(day_of_readings(&id, kind, s.rng));
            }
        }
        let ingest = Ingest::new(s.store);
        for payload in packs {
            ingest
                .take(Pack {
                    council,
                    source: "demo".into(),
                    payload: payload.into_bytes(),
                    received_at: Timestamp::now(),
                })
                .await
                .map_err(SeedError::new)?;
        }
        Ok(())
    })
}

/// How many past collections of each tagged bin the demo holds.
const PAST_COLLECTIONS: usize = 6;

/// A SenML pack of a tagged bin's last collections, as the vehicles
/// reported them: lifted, or now and then not put out (Martin's always
/// lifted: his story starts when it is not).
fn past_lifts(
    tag: &str,
    home: &townhall_places::Address,
    collections: &Collections,
    always_out: bool,
    rng: &mut rand::rngs::StdRng,
) -> Option<String> {
    let round = collections.round_for(home, "general")?.id.clone();
    let mut day = Timestamp::now().uk_date();
    let mut records = Vec::new();
    for _ in 0..PAST_COLLECTIONS {
        day = collections.previous(home, "general", day)?;
        let at = day
            .with_hms(7, rng.gen_range(0..60), 0)
            .ok()?
            .assume_utc()
            .unix_timestamp()
            + rng.gen_range(0..6 * 3600);
        let outcome = if always_out || rng.gen_bool(0.9) {
            "lifted"
        } else {
            "not-presented"
        };
        records.push(
            serde_json::json!({"bn": format!("{tag}:"), "n": "lift", "vs": outcome, "t": at}),
        );
        records.push(serde_json::json!({"n": "round", "vs": round, "t": at}));
    }
    Some(serde_json::Value::Array(records).to_string())
}

/// A SenML pack of the last day's readings of a device, hourly, ending an
/// hour ago: litter bins filling from empty (a few past their threshold),
/// pollutants and noise about their usual levels.
fn day_of_readings(id: &str, kind: Kind, rng: &mut rand::rngs::StdRng) -> String {
    let end = Timestamp::now().unix_seconds() - 3600;
    let mut records = Vec::new();
    let fills_by: f64 = rng.gen_range(1.5..4.0);
    for hour in 0..24i64 {
        let t = hour * 3600;
        let values: Vec<(&str, &str, f64)> = match kind {
            Kind::LitterBin => vec![("fill", "%", (hour as f64 * fills_by).min(100.0).round())],
            Kind::AirQuality => vec![
                ("no2", "ug/m3", rng.gen_range(15.0..45.0_f64).round()),
                ("pm2.5", "ug/m3", rng.gen_range(4.0..14.0_f64).round()),
            ],
            Kind::Noise => vec![("laeq", "dB", rng.gen_range(48.0..68.0_f64).round())],
            Kind::BinTag => vec![],
        };
        for (name, unit, value) in values {
            records.push(serde_json::json!({"n": name, "u": unit, "v": value, "t": t}));
        }
    }
    if let Some(serde_json::Value::Object(first)) = records.first_mut() {
        first.insert("bn".into(), format!("{id}:").into());
        first.insert("bt".into(), (end - 23 * 3600).into());
    }
    serde_json::Value::Array(records).to_string()
}

//! Places' part of the demo council: Riverside Borough Council itself, its
//! 12 wards, 3 parishes and 2 controlled parking zones (synthetic GeoJSON
//! boundaries on a jittered grid in a plausible part of England) and an
//! address gazetteer of its streets.

mod names;

use rand::rngs::StdRng;
use rand::Rng;
use townhall_kernel::demo::{Home, Homes, SeedError, Seeding, Sowing};
use townhall_store::StoreError;

use crate::{Address, Area, AreaKind};

/// The demo council's short name.
pub const SLUG: &str = "riverside";

/// The demo council's name.
pub const NAME: &str = "Riverside Borough Council";

// The demo borough sits in a fictional place; coordinates are plausible English ones.
const SOUTH: f64 = 52.40;
const WEST: f64 = -1.62;
const CELL_LAT: f64 = 0.02;
const CELL_LON: f64 = 0.032;
const COLS: usize = 4;
const ROWS: usize = 3;

/// Seeds the council, its areas and its gazetteer; leaves the council (and
/// its id) and its homes for the capabilities after it.
pub(crate) fn seed(s: Seeding<'_>) -> Sowing<'_> {
    Box::pin(async move {
        let mut tx = s.store.begin().await?;
        let council = crate::create_council(&mut tx, SLUG, NAME)
            .await
            .map_err(SeedError::new)?;
        let corners = jittered_grid(s.rng);
        let areas = names::WARDS
            .iter()
            .enumerate()
            .map(|(i, name)| (format!("W{:02}", i + 1), AreaKind::Ward, *name, i))
            .chain(names::PARISHES.iter().enumerate().map(|(i, (name, cell))| {
                (format!("P{:02}", i + 1), AreaKind::Parish, *name, *cell)
            }))
            .chain(names::ZONES.iter().enumerate().map(|(i, (name, cell))| {
                let letter = char::from(b'A' + u8::try_from(i).unwrap_or(0));
                (format!("Z{letter}"), AreaKind::Zone, *name, *cell)
            }));
        for (code, kind, name, cell) in areas {
            let area = Area {
                code,
                kind,
                name: name.to_owned(),
                boundary: cell_polygon(&corners, cell),
            };
            crate::add_area(&mut tx, council.id, &area).await?;
        }
        let addresses = gazetteer(s.rng, &corners);
        for (n, a) in addresses.iter().enumerate() {
            crate::add_address(&mut tx, council.id, a).await?;
            if n % 200 == 0 {
                s.progress
                    .step("addresses", n as u64, addresses.len() as u64);
            }
        }
        tx.commit().await.map_err(StoreError::from)?;
        s.seeded.insert(council.id)?;
        s.seeded.insert(council)?;
        s.seeded.insert(Homes(
            addresses
                .into_iter()
                .map(|a| Home {
                    uprn: a.uprn,
                    line1: a.line1,
                    town: a.town,
                    postcode: a.postcode,
                })
                .collect(),
        ))?;
        Ok(())
    })
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

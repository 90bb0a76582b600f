//! Councils (the tenants of a deployment), their wards and parishes, and the
//! address gazetteer.
//!
//! Boundaries are stored as GeoJSON geometry text and looked up in memory by
//! [`Boundaries`]; addresses carry UPRN-style identifiers and the ward and parish
//! they fall in.

mod boundaries;
pub mod demo;

pub use boundaries::{
    distance_metres, AreaRef, Boundaries, BoundaryError, Whereabouts, BORDER_TOLERANCE_METRES,
};

use serde::{Deserialize, Serialize};
use townhall_store::{is_unique_violation, sql, Migration, Store, StoreError, Tx};
use townhall_types::{CouncilId, Timestamp};

/// This capability's manifest.
pub const CAPABILITY: townhall_kernel::Capability = townhall_kernel::Capability {
    name: "places",
    migrations: MIGRATIONS,
    events: &[],
    configure: Some(configure),
    demo: Some(demo::seed),
    jobs: &[],
    scopes: &[],
};

/// Schema for councils, areas and addresses.
pub const MIGRATIONS: &[Migration] = &[Migration::portable(
    2026112301,
    "places",
    include_str!("../migrations/0001_places.sql"),
)];

/// Why a council could not be created.
#[derive(Debug, thiserror::Error)]
pub enum CouncilError {
    /// The short name is already taken.
    #[error("a council with the short name '{0}' already exists")]
    SlugTaken(String),
    /// The short name has characters that do not belong in a web address.
    #[error("the short name '{0}' must be 2 to 40 lower-case letters, digits or hyphens")]
    BadSlug(String),
    /// The name is empty.
    #[error("the council's name must not be empty")]
    EmptyName,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A council served by this deployment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Council {
    /// Its id.
    pub id: CouncilId,
    /// A short name for URLs and the command line, e.g. `riverside`.
    pub slug: String,
    /// Its full name.
    pub name: String,
}

/// Registers a council with the deployment (`townhall admin
/// create-council`), in a transaction of its own.
pub async fn register_council(
    store: &Store,
    slug: &str,
    name: &str,
) -> Result<Council, CouncilError> {
    let mut tx = store.begin().await?;
    let council = create_council(&mut tx, slug, name).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(council)
}

/// Creates a council in the caller's transaction.
pub async fn create_council(tx: &mut Tx, slug: &str, name: &str) -> Result<Council, CouncilError> {
    let valid = (2..=40).contains(&slug.len())
        && slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !valid {
        return Err(CouncilError::BadSlug(slug.to_owned()));
    }
    if name.trim().is_empty() {
        return Err(CouncilError::EmptyName);
    }
    let council = Council {
        id: CouncilId::new(),
        slug: slug.to_owned(),
        name: name.trim().to_owned(),
    };
    let inserted = sql::query(
        "INSERT INTO councils (council_id, slug, name, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(council.id.to_string())
    .bind(&council.slug)
    .bind(&council.name)
    .bind(Timestamp::now().to_db())
    .execute(&mut **tx)
    .await;
    match inserted {
        Ok(_) => Ok(council),
        Err(e) if is_unique_violation(&e) => Err(CouncilError::SlugTaken(slug.to_owned())),
        Err(e) => Err(StoreError::from(e).into()),
    }
}

/// Every council, in order of creation.
pub async fn councils(store: &Store) -> Result<Vec<Council>, StoreError> {
    let rows: Vec<(String, String, String)> =
        sql::query_as("SELECT council_id, slug, name FROM councils ORDER BY council_id")
            .fetch_all(store.reader())
            .await?;
    rows.into_iter()
        .map(|(id, slug, name)| {
            Ok(Council {
                id: id.parse().map_err(|e: townhall_types::IdParseError| {
                    StoreError::Sql(sql::Error::Decode(e.into()))
                })?,
                slug,
                name,
            })
        })
        .collect()
}

/// The council with this short name.
pub async fn council_by_slug(store: &Store, slug: &str) -> Result<Option<Council>, StoreError> {
    Ok(councils(store).await?.into_iter().find(|c| c.slug == slug))
}

/// What kind of area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AreaKind {
    /// An electoral ward of the council.
    Ward,
    /// A civil parish (with its own parish council and clerk).
    Parish,
    /// A controlled parking zone.
    Zone,
}

impl AreaKind {
    fn as_str(self) -> &'static str {
        match self {
            AreaKind::Ward => "ward",
            AreaKind::Parish => "parish",
            AreaKind::Zone => "zone",
        }
    }
}

/// A ward or parish with its boundary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Area {
    /// A code unique within the council, e.g. `W01`.
    pub code: String,
    /// Ward or parish.
    pub kind: AreaKind,
    /// Its name.
    pub name: String,
    /// The boundary as a GeoJSON geometry.
    pub boundary: serde_json::Value,
}

/// Adds an area to a council.
pub async fn add_area(tx: &mut Tx, council: CouncilId, area: &Area) -> Result<(), StoreError> {
    sql::query(
        "INSERT INTO areas (council_id, code, kind, name, boundary) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(council.to_string())
    .bind(&area.code)
    .bind(area.kind.as_str())
    .bind(&area.name)
    .bind(area.boundary.to_string())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// One entry of the address gazetteer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Address {
    /// Unique Property Reference Number (UPRN-style, 12 digits).
    pub uprn: String,
    /// House number and street.
    pub line1: String,
    /// Locality, if any.
    pub line2: Option<String>,
    /// Post town.
    pub town: String,
    /// Postcode in its standard form, e.g. `RV1 2AB`.
    pub postcode: String,
    /// WGS84 latitude.
    pub latitude: f64,
    /// WGS84 longitude.
    pub longitude: f64,
    /// The ward it falls in.
    pub ward_code: Option<String>,
    /// The parish it falls in, if it is parished.
    pub parish_code: Option<String>,
}

impl Address {
    /// The address on one line.
    pub fn one_line(&self) -> String {
        let mut parts = vec![self.line1.as_str()];
        if let Some(l2) = &self.line2 {
            parts.push(l2);
        }
        parts.push(&self.town);
        parts.push(&self.postcode);
        parts.join(", ")
    }
}

/// Adds an address to the gazetteer.
pub async fn add_address(tx: &mut Tx, council: CouncilId, a: &Address) -> Result<(), StoreError> {
    sql::query(
        "INSERT INTO addresses (council_id, uprn, line1, line2, town, postcode, latitude, longitude, ward_code, parish_code) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(council.to_string())
    .bind(&a.uprn)
    .bind(&a.line1)
    .bind(&a.line2)
    .bind(&a.town)
    .bind(&a.postcode)
    .bind(a.latitude)
    .bind(a.longitude)
    .bind(&a.ward_code)
    .bind(&a.parish_code)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

const ADDRESS_COLUMNS: &str =
    "uprn, line1, line2, town, postcode, latitude, longitude, ward_code, parish_code";

type AddressRow = (
    String,
    String,
    Option<String>,
    String,
    String,
    f64,
    f64,
    Option<String>,
    Option<String>,
);

fn address_from_row(r: AddressRow) -> Address {
    Address {
        uprn: r.0,
        line1: r.1,
        line2: r.2,
        town: r.3,
        postcode: r.4,
        latitude: r.5,
        longitude: r.6,
        ward_code: r.7,
        parish_code: r.8,
    }
}

/// Puts a postcode typed by a person into its standard form (`rv12ab` → `RV1 2AB`).
///
/// As the GOV.UK Design System's address pattern asks, it accepts upper and
/// lower case, any spaces, and the punctuation people add: hyphens and
/// dashes, brackets, full stops and commas (`RV1-2AB`, `(RV1 2AB)`, `rv1.2ab`),
/// and full-width characters (`ＲＶ１ ２ＡＢ`).
pub fn normalise_postcode(input: &str) -> Option<String> {
    let compact: String = townhall_types::text::ascii_forms(input)
        .chars()
        .filter(|c| {
            !c.is_whitespace()
                && !matches!(
                    c,
                    '-' | '\u{2010}'..='\u{2015}' | '\u{2212}' | '(' | ')' | '[' | ']' | '.' | ','
                )
        })
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if !(5..=7).contains(&compact.len()) || !compact.chars().all(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    let (outward, inward) = compact.split_at(compact.len() - 3);
    let inward_ok = inward.as_bytes()[0].is_ascii_digit()
        && inward.as_bytes()[1..].iter().all(u8::is_ascii_alphabetic);
    let outward_ok = outward.as_bytes()[0].is_ascii_alphabetic();
    (inward_ok && outward_ok).then(|| format!("{outward} {inward}"))
}

/// A postcode of the council's that holds the most addresses: a real
/// example for hints and errors.
pub async fn example_postcode(
    store: &Store,
    council: CouncilId,
) -> Result<Option<String>, StoreError> {
    let row: Option<(String,)> = sql::query_as(
        "SELECT postcode FROM addresses WHERE council_id = $1 \
         GROUP BY postcode ORDER BY COUNT(*) DESC, postcode LIMIT 1",
    )
    .bind(council.to_string())
    .fetch_optional(store.reader())
    .await?;
    Ok(row.map(|(p,)| p))
}

/// The addresses at a postcode, in street order.
pub async fn addresses_at(
    store: &Store,
    council: CouncilId,
    postcode: &str,
) -> Result<Vec<Address>, StoreError> {
    let rows: Vec<AddressRow> = sql::query_as(&format!(
        "SELECT {ADDRESS_COLUMNS} FROM addresses WHERE council_id = $1 AND postcode = $2 ORDER BY line1"
    ))
    .bind(council.to_string())
    .bind(postcode)
    .fetch_all(store.reader())
    .await?;
    Ok(rows.into_iter().map(address_from_row).collect())
}

/// One address by its UPRN.
pub async fn address(
    store: &Store,
    council: CouncilId,
    uprn: &str,
) -> Result<Option<Address>, StoreError> {
    let row: Option<AddressRow> = sql::query_as(&format!(
        "SELECT {ADDRESS_COLUMNS} FROM addresses WHERE council_id = $1 AND uprn = $2"
    ))
    .bind(council.to_string())
    .bind(uprn)
    .fetch_optional(store.reader())
    .await?;
    Ok(row.map(address_from_row))
}

/// Puts the council itself and its areas (its [`Boundaries`]) in its settings.
fn configure(setup: townhall_kernel::Setup<'_>) -> townhall_kernel::Loading<'_> {
    Box::pin(async move {
        let council = council_by_slug(setup.store, setup.slug)
            .await?
            .ok_or_else(|| {
                townhall_kernel::ConfigError::new(format!("there is no council '{}'", setup.slug))
            })?;
        setup.settings.insert(council)?;
        let boundaries = Boundaries::load(setup.store, setup.council)
            .await
            .map_err(townhall_kernel::ConfigError::new)?;
        setup.settings.insert(boundaries)?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::normalise_postcode;

    #[test]
    fn postcodes_are_normalised() {
        assert_eq!(normalise_postcode("rv12ab").as_deref(), Some("RV1 2AB"));
        assert_eq!(
            normalise_postcode(" RV10 9zz ").as_deref(),
            Some("RV10 9ZZ")
        );
        assert_eq!(normalise_postcode("SW1A1AA").as_deref(), Some("SW1A 1AA"));
        assert_eq!(normalise_postcode("12345"), None);
        assert_eq!(normalise_postcode("RV1"), None);
        assert_eq!(normalise_postcode("RV1 2A!"), None);
        for typed in [
            "RV1-2AB",
            "(RV1 2AB)",
            "rv12ab",
            "RV1 – 2AB",
            "rv1.2ab.",
            " r v 1 2 a b ",
        ] {
            assert_eq!(
                normalise_postcode(typed).as_deref(),
                Some("RV1 2AB"),
                "{typed}"
            );
        }
        assert_eq!(normalise_postcode("RV1-2A-B-C"), None);
        assert_eq!(
            normalise_postcode("RV1\u{a0}2AB").as_deref(),
            Some("RV1 2AB")
        );
        assert_eq!(
            normalise_postcode("ＲＶ１\u{3000}２ＡＢ").as_deref(),
            Some("RV1 2AB")
        );
    }
}

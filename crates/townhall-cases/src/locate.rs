//! Turning a location answer into a place: an address from the gazetteer, or a
//! point, with the ward, parish and zones it falls in.

use townhall_places::Boundaries;
use townhall_services::LocationInput;
use townhall_store::{Store, StoreError};
use townhall_types::CouncilId;

use crate::model::Location;

/// Why a location answer gives no place.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum NotPlaced {
    /// The UPRN is not in the council's gazetteer.
    #[error("no address with this UPRN is in the council's gazetteer")]
    UnknownAddress,
    /// The point lies in none of the council's wards, nor within
    /// [`townhall_places::BORDER_TOLERANCE_METRES`] of one.
    #[error("the place is outside the council's area")]
    OutsideArea {
        /// The point's WGS84 latitude.
        latitude: f64,
        /// Its WGS84 longitude.
        longitude: f64,
    },
}

/// The place a location answer gives. A gazetteer address is the council's
/// by definition; a point must lie in its area (see [`Boundaries::covers`]).
pub async fn locate(
    store: &Store,
    council: CouncilId,
    boundaries: &Boundaries,
    input: &LocationInput,
) -> Result<Result<Location, NotPlaced>, StoreError> {
    Ok(match input {
        LocationInput::Address { uprn } => townhall_places::address(store, council, uprn)
            .await?
            .map(|a| Location {
                uprn: Some(a.uprn.clone()),
                address: Some(a.one_line()),
                latitude: a.latitude,
                longitude: a.longitude,
                whereabouts: boundaries.at(a.latitude, a.longitude),
            })
            .ok_or(NotPlaced::UnknownAddress),
        LocationInput::Point {
            latitude,
            longitude,
        } if boundaries.covers(*latitude, *longitude) => Ok(Location {
            uprn: None,
            address: None,
            latitude: *latitude,
            longitude: *longitude,
            whereabouts: boundaries.at(*latitude, *longitude),
        }),
        LocationInput::Point {
            latitude,
            longitude,
        } => Err(NotPlaced::OutsideArea {
            latitude: *latitude,
            longitude: *longitude,
        }),
    })
}

//! Turning a location answer into a place: an address from the gazetteer, or a
//! point, with the ward, parish and zones it falls in.

use townhall_places::Boundaries;
use townhall_services::LocationInput;
use townhall_store::{Store, StoreError};
use townhall_types::CouncilId;

use crate::model::Location;

/// The place, or `None` when the UPRN is not in the council's gazetteer.
pub async fn locate(
    store: &Store,
    council: CouncilId,
    boundaries: &Boundaries,
    input: &LocationInput,
) -> Result<Option<Location>, StoreError> {
    Ok(match input {
        LocationInput::Address { uprn } => townhall_places::address(store, council, uprn)
            .await?
            .map(|a| Location {
                uprn: Some(a.uprn.clone()),
                address: Some(a.one_line()),
                latitude: a.latitude,
                longitude: a.longitude,
                whereabouts: boundaries.at(a.latitude, a.longitude),
            }),
        LocationInput::Point {
            latitude,
            longitude,
        } => Some(Location {
            uprn: None,
            address: None,
            latitude: *latitude,
            longitude: *longitude,
            whereabouts: boundaries.at(*latitude, *longitude),
        }),
    })
}

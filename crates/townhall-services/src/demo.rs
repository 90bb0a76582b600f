//! Services' part of the demo council: its nine services, written to
//! `services/` in its configuration directory.

use townhall_kernel::demo::{Seeding, Sowing};
use townhall_types::SourceError;

use crate::Catalogue;

/// The demo council's services: (file name, contents).
pub const SERVICES: &[(&str, &str)] = &[
    (
        "apply-parking-permit.toml",
        include_str!("../demo/services/apply-parking-permit.toml"),
    ),
    (
        "book-bulky-waste.toml",
        include_str!("../demo/services/book-bulky-waste.toml"),
    ),
    (
        "report-fly-tipping.toml",
        include_str!("../demo/services/report-fly-tipping.toml"),
    ),
    (
        "report-full-litter-bin.toml",
        include_str!("../demo/services/report-full-litter-bin.toml"),
    ),
    (
        "report-graffiti.toml",
        include_str!("../demo/services/report-graffiti.toml"),
    ),
    (
        "report-missed-bin.toml",
        include_str!("../demo/services/report-missed-bin.toml"),
    ),
    (
        "report-pothole.toml",
        include_str!("../demo/services/report-pothole.toml"),
    ),
    (
        "report-speeding.toml",
        include_str!("../demo/services/report-speeding.toml"),
    ),
    (
        "request-bin.toml",
        include_str!("../demo/services/request-bin.toml"),
    ),
];

/// The demo council's services, checked against a council with no areas
/// (the test kit's councils, and the demo's other parts' tests).
pub fn catalogue() -> Result<Catalogue, SourceError> {
    let areas = townhall_places::Boundaries::default();
    let services = SERVICES
        .iter()
        .map(|(file, text)| crate::parse(file, text, &areas))
        .collect::<Result<_, _>>()?;
    Ok(Catalogue::new(services))
}

/// Writes the services' files.
pub(crate) fn seed(s: Seeding<'_>) -> Sowing<'_> {
    Box::pin(async move {
        for (name, text) in SERVICES {
            s.write_file(&format!("services/{name}"), text)?;
        }
        Ok(())
    })
}

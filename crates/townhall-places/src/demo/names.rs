//! Word lists for the demo council's fictional places.

/// Street names of the demo council.
pub const STREETS: &[&str] = &[
    "Mill",
    "Church",
    "Station",
    "Victoria",
    "Park",
    "Queen's",
    "Kingfisher",
    "Willow",
    "Orchard",
    "Meadow",
    "Riverside",
    "Bridge",
    "Elm",
    "Oak",
    "Ash",
    "Chestnut",
    "Beech",
    "Holly",
    "Hawthorn",
    "Rowan",
    "Albert",
    "Alexandra",
    "Windsor",
    "York",
    "Clarence",
    "Wharf",
    "Lock",
    "Weaver",
    "Tanner",
    "Cooper's",
    "Foundry",
    "Canal",
    "Heron",
    "Swan",
    "Otter",
    "Badger",
    "Fox",
    "Lark",
    "Primrose",
    "Bluebell",
];

/// What a street is called after its name.
pub const STREET_KINDS: &[&str] = &[
    "Street", "Road", "Lane", "Avenue", "Close", "Way", "Gardens", "Crescent", "Drive", "Terrace",
];

/// The demo council's twelve wards, one grid cell each.
pub const WARDS: &[&str] = &[
    "Northgate",
    "Kingsmead",
    "Abbey Fields",
    "Millbrook",
    "Castle",
    "Riverside Central",
    "Wharfside",
    "St Anne's",
    "Southfield",
    "Hollins",
    "Brookvale",
    "Fenwick",
];

/// (parish name, index of the ward cell it covers)
pub const PARISHES: &[(&str, usize)] = &[
    ("Northgate Parish", 0),
    ("Kingsmead Parish", 1),
    ("Fenwick Parish", 11),
];

/// (controlled parking zone name, index of the ward cell it covers)
pub const ZONES: &[(&str, usize)] = &[
    ("Town Centre controlled parking zone", 5),
    ("Station Quarter controlled parking zone", 6),
];

//! The built-in fields of a record, as files' columns and the index API
//! name them.

/// The fields a column can hold; other columns are those the linkage
/// settings declare.
pub const FIELDS: [&str; 12] = [
    "record_id",
    "first_name",
    "surname",
    "date_of_birth",
    "postcode",
    "address",
    "address_2",
    "address_3",
    "street_number",
    "town",
    "email",
    "phone",
];

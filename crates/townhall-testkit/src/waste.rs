//! The test councils' waste collections: their rounds, and the day their
//! homes last had general waste collected.

/// The day the test councils' homes last had their general waste
/// collected: yesterday, in the UK, so that a missed collection can always
/// be reported for it (within the service's two days).
pub fn collected() -> time::Date {
    townhall_types::Timestamp::now().uk_date() - time::Duration::days(1)
}

/// [`collected`] as a form's day, month and year boxes hold it.
pub fn collected_typed() -> [String; 3] {
    let day = collected();
    [
        day.day().to_string(),
        u8::from(day.month()).to_string(),
        day.year().to_string(),
    ]
}

/// The test councils' collection rounds: general waste every week on the
/// weekday of [`collected`] in both wards, from four weeks before it, and
/// recycling every other Tuesday (from 6 January 2026) in W01.
pub fn waste() -> String {
    let last = collected();
    let first = last - time::Duration::weeks(4);
    rounds(&format!(
        r#"[[rounds]]
id = "general-weekly"
container = "general"
day = "{}"
every_weeks = 1
first = {first}
wards = ["W01", "W02"]

[[rounds]]
id = "recycling-tuesday"
container = "recycling"
day = "tuesday"
every_weeks = 2
first = 2026-01-06
wards = ["W01"]
"#,
        last.weekday()
    ))
}

/// A `waste.toml` for the test councils' two bins (general waste and
/// mixed recycling) with these rounds and changes.
pub fn rounds(rounds_and_changes: &str) -> String {
    format!(
        r#"version = 1

[[containers]]
id = "general"
name = "General waste"
description = "grey 240 litre bin"

[[containers]]
id = "recycling"
name = "Mixed recycling"
description = "blue 240 litre bin"

{rounds_and_changes}"#
    )
}

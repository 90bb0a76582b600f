//! How a resident's answers read, wherever they are shown: check your
//! answers, a case's page for staff, the resident's own request, and
//! Open311's description.

use townhall_cases::Location;
use townhall_services::{Answer, LocationInput, Question};

/// How an answer reads in "check your answers".
pub fn answer_text(q: &Question, a: &Answer, location: Option<&Location>) -> String {
    match a {
        Answer::Text(t) => t.clone(),
        Answer::Number(n) => n.to_string(),
        Answer::Date(d) => townhall_types::day::long(*d),
        Answer::Choice(c) => q.choice_label(c).unwrap_or(c).to_owned(),
        Answer::Choices(cs) => cs
            .iter()
            .map(|c| q.choice_label(c).unwrap_or(c))
            .collect::<Vec<_>>()
            .join(", "),
        Answer::YesNo(true) => "Yes".to_owned(),
        Answer::YesNo(false) => "No".to_owned(),
        Answer::Slot(d) => townhall_types::day::with_weekday(*d),
        Answer::Photo(_) => "Photo uploaded".to_owned(),
        Answer::Location(input) => match (location, input) {
            (
                Some(Location {
                    address: Some(a), ..
                }),
                _,
            ) => a.clone(),
            (
                _,
                LocationInput::Point {
                    latitude,
                    longitude,
                },
            ) => format!("{latitude:.5}, {longitude:.5}"),
            (_, LocationInput::Address { uprn }) => format!("Property {uprn}"),
        },
    }
}

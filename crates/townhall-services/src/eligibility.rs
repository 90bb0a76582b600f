//! Who may use a service: rules checked before a request is accepted.

use serde::{Deserialize, Serialize};
use townhall_places::Whereabouts;

/// One eligibility rule, with the message shown when it fails.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Rule {
    /// Only signed-in residents.
    SignedIn {
        /// Shown when a guest tries.
        message: String,
    },
    /// The location must be inside one of these controlled parking zones (any
    /// zone when `zones` is empty).
    InZone {
        /// Zone codes.
        #[serde(default)]
        zones: Vec<String>,
        /// Shown against the location question when it is not.
        message: String,
    },
    /// Only one active case of this service per value of `answer` (e.g. one
    /// permit per vehicle registration).
    OnePer {
        /// The question whose answer must be unique among active cases.
        answer: String,
        /// Shown against that question when there already is one.
        message: String,
    },
}

/// What is known about a request when its eligibility is checked.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// Whether a resident is signed in.
    pub signed_in: bool,
    /// Where its location is, if it has one.
    pub whereabouts: Option<Whereabouts>,
    /// The questions of `one-per` rules whose answer already has an active case.
    pub already_active: Vec<String>,
}

/// The rules that fail, as (field, message); the field is the question the
/// message belongs next to, or empty for the whole request.
pub fn check(
    rules: &[Rule],
    location_question: Option<&str>,
    facts: &Facts,
) -> Vec<(String, String)> {
    rules
        .iter()
        .filter_map(|rule| match rule {
            Rule::SignedIn { message } => {
                (!facts.signed_in).then(|| (String::new(), message.clone()))
            }
            Rule::InZone { zones, message } => {
                let inside = facts.whereabouts.as_ref().is_some_and(|w| {
                    w.zones
                        .iter()
                        .any(|z| zones.is_empty() || zones.contains(&z.code))
                });
                (!inside).then(|| {
                    (
                        location_question.unwrap_or_default().to_owned(),
                        message.clone(),
                    )
                })
            }
            Rule::OnePer { answer, message } => facts
                .already_active
                .contains(answer)
                .then(|| (answer.clone(), message.clone())),
        })
        .collect()
}

//! A missed-collection report's rule (the Local Waste Service Standards'
//! missed-collection case, read alongside the round): which answers name
//! the container and the day it was due, and how many days after that day
//! a report is taken. The council's rounds, which say whether the day was
//! the address's collection day, are the waste capability's; cases asks
//! both when a report arrives.
//!
//! ```toml
//! [missed_collection]
//! container = "bin"              # a single-choice question: the container's id
//! day = "collection-date"        # a date question: the day it was due
//! within_days = 2                # reported by then, counted from the day after
//! ```

use serde::{Deserialize, Serialize};
use townhall_types::{SourceError, SourceText};

use crate::{LocationKind, Question, QuestionKind};

/// A service's `[missed_collection]` table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MissedCollection {
    /// The single-choice question whose answer is the container's id.
    pub container: String,
    /// The date question whose answer is the day it was due.
    pub day: String,
    /// How many days after that day a report is taken (1 to 14).
    pub within_days: u32,
}

impl MissedCollection {
    /// Checks it against the service's `questions` (`at`: where the table is).
    pub(crate) fn check(
        &self,
        src: &SourceText<'_>,
        at: usize,
        questions: &[Question],
    ) -> Result<(), SourceError> {
        let kind_of = |id: &str| questions.iter().find(|q| q.id == id).map(|q| q.kind);
        if kind_of(&self.container) != Some(QuestionKind::SingleChoice) {
            return Err(src.error(
                at,
                format!(
                    "missed_collection: container '{}' must be a single-choice question of this service",
                    self.container
                ),
            ));
        }
        if kind_of(&self.day) != Some(QuestionKind::Date) {
            return Err(src.error(
                at,
                format!(
                    "missed_collection: day '{}' must be a date question of this service",
                    self.day
                ),
            ));
        }
        let by_address = questions
            .iter()
            .any(|q| q.kind == QuestionKind::Location && q.accept == [LocationKind::Address]);
        if !by_address {
            return Err(src.error(
                at,
                "missed_collection: the service needs a location question that accepts only an address (accept = [\"address\"]), the home collected from",
            ));
        }
        if !(1..=14).contains(&self.within_days) {
            return Err(src.error(at, "missed_collection: within_days must be 1 to 14"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use townhall_places::AreaKind;

    struct NoAreas;

    impl crate::KnownAreas for NoAreas {
        fn has(&self, _: AreaKind, _: &str) -> bool {
            false
        }
    }

    const MISSED_BIN: &str = include_str!("../demo/services/report-missed-bin.toml");

    #[test]
    fn the_rule_names_the_services_own_questions() {
        let service = crate::parse("report-missed-bin.toml", MISSED_BIN, &NoAreas).unwrap();
        let rule = service.missed_collection.unwrap();
        assert_eq!(
            (rule.container.as_str(), rule.day.as_str(), rule.within_days),
            ("bin", "collection-date", 2)
        );
        let line = MISSED_BIN
            .lines()
            .position(|l| l == "[missed_collection]")
            .unwrap()
            + 1;
        for (from, to, said) in [
            ("day = \"collection-date\"", "day = \"bin\"", "missed_collection: day 'bin' must be a date question of this service"),
            ("container = \"bin\"", "container = \"details\"", "missed_collection: container 'details' must be a single-choice question of this service"),
            ("within_days = 2", "within_days = 30", "missed_collection: within_days must be 1 to 14"),
            ("accept = [\"address\"]", "accept = [\"address\", \"point\"]", "missed_collection: the service needs a location question that accepts only an address (accept = [\"address\"]), the home collected from"),
        ] {
            let text = MISSED_BIN.replace(from, to);
            let e = crate::parse("report-missed-bin.toml", &text, &NoAreas).unwrap_err();
            assert_eq!((e.line, e.message.as_str()), (line, said));
        }
    }
}

//! A missed-collection report checked against the council's rounds
//! (`townhall_waste`): the bin must have been due at the address on the day
//! given, the day must be over, and the report within the service's window
//! (`[missed_collection]`). Each refusal says what to do instead.

use time::{Date, Duration};
use townhall_services::{Answer, Answers, MissedCollection};
use townhall_store::{Store, StoreError};
use townhall_types::{day, CouncilId};
use townhall_waste::{Collections, Round};

use crate::model::Location;

/// "every Monday", "every other Tuesday", "every 4 weeks on a Friday".
fn how_often(round: &Round) -> String {
    match round.every_weeks {
        1 => format!("every {}", round.day),
        2 => format!("every other {}", round.day),
        n => format!("every {n} weeks on a {}", round.day),
    }
}

/// Why the report cannot be taken, if it cannot, in words for the day
/// question; `today` is the UK day it arrives. A bin the rounds do not
/// know is named by `bin_label`, its choice's label in the form.
pub(crate) async fn refusal(
    store: &Store,
    council: CouncilId,
    (rule, collections): (&MissedCollection, &Collections),
    bin_label: Option<&str>,
    location: &Location,
    answers: &Answers,
    today: Date,
) -> Result<Option<String>, StoreError> {
    // Answers missing or mistaken are refused by their own questions.
    let (Some(Answer::Choice(container)), Some(Answer::Date(due))) =
        (answers.get(&rule.container), answers.get(&rule.day))
    else {
        return Ok(None);
    };
    let address = match location.uprn.as_deref() {
        Some(uprn) => townhall_places::address(store, council, uprn).await?,
        None => None,
    };
    let Some(address) = address else {
        return Ok(Some(
            "A missed collection is reported for an address: choose the address the bin is collected from".to_owned(),
        ));
    };
    let name = collections
        .containers
        .iter()
        .find(|c| &c.id == container)
        .map(|c| c.name.clone())
        .or_else(|| bin_label.map(str::to_owned))
        .unwrap_or_else(|| container.replace('-', " "));
    let Some(round) = collections.round_for(&address, container) else {
        return Ok(Some(format!(
            "{name} is not collected from this address, so there is no collection to report as missed"
        )));
    };
    if !collections.due_on(&address, container, *due) {
        if let Some(change) = collections.moved_from(&address, container, *due) {
            return Ok(Some(format!(
                "The collection due on {} was moved to {} because of {}: report the collection of {} instead",
                day::with_weekday(*due),
                day::with_weekday(change.on),
                change.reason,
                day::with_weekday(change.on)
            )));
        }
        let last = collections
            .previous(&address, container, *due)
            .map(|on| {
                format!(
                    ", and was last due before then on {}",
                    day::with_weekday(on)
                )
            })
            .unwrap_or_default();
        return Ok(Some(format!(
            "{name} is not collected from this address on {}: it is collected {}{last}. Check the date",
            day::with_weekday(*due),
            how_often(round)
        )));
    }
    if *due >= today {
        return Ok(Some(format!(
            "You can report a missed collection from {}, once the collection day is over",
            day::with_weekday(*due + Duration::days(1))
        )));
    }
    let last = *due + Duration::days(i64::from(rule.within_days));
    if today > last {
        return Ok(Some(format!(
            "A missed collection must be reported within {} days: for {} that was by {}. Contact the council instead",
            rule.within_days,
            day::with_weekday(*due),
            day::with_weekday(last)
        )));
    }
    Ok(None)
}

//! Finding a person: by NHS number, or by name, date of birth and postcode,
//! through the resident index, judged as an arriving record would be. One
//! person only when nobody else is even in doubt: an ambiguous search is
//! refused, never guessed. Finding someone is itself an exchange: it needs
//! an agreement in force that shares `person` records for the purpose, and
//! the person's consent: someone whose consent does not allow it is
//! answered as nobody is (`no_match`), so a search never tells a partner
//! that someone lives in the area, or what they chose.

use std::collections::BTreeMap;

use serde::Serialize;
use townhall_audit::{AuditEvent, RecordRef};
use townhall_index::live::Found;
use townhall_linkage::record::RawPerson;
use townhall_types::{PersonId, Timestamp};

use super::rules::{agreement_for, consent_refusal, Way};
use super::{caller, no, refused, settle, under, Answer, Asking, Caller, Hub, Refusal};
use crate::partners::PartnerError;

/// A partner's search for a person, for a purpose.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Find {
    /// The consent purpose it is for.
    pub purpose: String,
    /// Given name.
    pub given_name: Option<String>,
    /// Family name.
    pub family_name: Option<String>,
    /// Date of birth, in any form people write it.
    pub date_of_birth: Option<String>,
    /// Postcode.
    pub postcode: Option<String>,
    /// NHS number.
    pub nhs_number: Option<String>,
}

/// A value given, trimmed, unless empty.
fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// A search as the index takes it: the record to look up, its declared
/// columns by name, which fields it used (for the audit log), and what the
/// person found must agree with: the values that never change.
struct Probe {
    person: RawPerson,
    columns: BTreeMap<String, String>,
    used: Vec<String>,
    fixed: Vec<(&'static str, String)>,
}

impl Find {
    /// The search as a record of the index, or why it cannot be made.
    fn probe(&self) -> Result<Probe, Refusal> {
        let mut used = Vec::new();
        let mut columns = BTreeMap::new();
        if let Some(number) = given(&self.nhs_number) {
            let number = townhall_linkage::column::nhs_number(number).ok_or(Refusal::BadSearch(
                "nhs_number must be a 10-digit NHS number whose check digit is right",
            ))?;
            columns.insert("nhs_number".to_owned(), number);
            used.push("nhs_number".to_owned());
        }
        let (family, born, postcode) = (
            given(&self.family_name),
            given(&self.date_of_birth),
            given(&self.postcode),
        );
        if used.is_empty() && (family.is_none() || born.is_none() || postcode.is_none()) {
            return Err(Refusal::BadSearch(
                "give nhs_number, or family_name, date_of_birth and postcode (and given_name if known)",
            ));
        }
        // A name is letters (and the marks between them): "-" or "?" typed
        // to get past a required field is no name.
        let lettered = |name: Option<&str>| name.is_none_or(|n| n.chars().any(char::is_alphabetic));
        if !lettered(family) || !lettered(given(&self.given_name)) {
            return Err(Refusal::BadSearch(
                "given_name and family_name must be names, with letters",
            ));
        }
        if born.is_some_and(|b| townhall_linkage::normalise::date(b).is_none()) {
            return Err(Refusal::BadSearch(
                "date_of_birth must be a date, such as 1951-03-14 or 14/03/1951",
            ));
        }
        if postcode.is_some_and(|p| townhall_linkage::normalise::postcode(p).is_none()) {
            return Err(Refusal::BadSearch(
                "postcode must be a postcode, such as RV4 3AX",
            ));
        }
        let person = RawPerson {
            first_name: given(&self.given_name).unwrap_or_default().to_owned(),
            surname: family.unwrap_or_default().to_owned(),
            date_of_birth: born.unwrap_or_default().to_owned(),
            postcode: postcode.unwrap_or_default().to_owned(),
            ..RawPerson::default()
        };
        for (field, value) in [
            ("name", family),
            ("date_of_birth", born),
            ("address", postcode),
        ] {
            if value.is_some() {
                used.push(field.to_owned());
            }
        }
        let mut fixed: Vec<(&'static str, String)> = Vec::new();
        if let Some(number) = columns.get("nhs_number") {
            fixed.push(("nhs_number", number.clone()));
        }
        if let Some(day) = born.and_then(townhall_linkage::normalise::date) {
            fixed.push(("date_of_birth", day.to_string()));
        }
        Ok(Probe {
            person,
            columns,
            used,
            fixed,
        })
    }
}

/// Whom a search found.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Located {
    /// The person, by resident index id.
    pub person: PersonId,
    /// How sure the index is, from 0 to 1.
    pub probability: f64,
}

/// Answers a partner's search, signed or its staff's, for a person, at `now`.
pub async fn find(
    hub: &Hub<'_>,
    asking: Asking<'_>,
    search: &Find,
    now: Timestamp,
) -> Result<Answer<Located>, PartnerError> {
    let caller = match caller(hub, asking, now).await? {
        Ok(caller) => caller,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let decided = decide(hub, &caller, search, now).await?;
    settle(hub, &caller, now, decided).await
}

async fn decide(
    hub: &Hub<'_>,
    caller: &Caller,
    search: &Find,
    now: Timestamp,
) -> Result<(Answer<Located>, AuditEvent), PartnerError> {
    let asked = caller.event(hub.council, RecordRef::Exchange("find person".into()));
    let agreement = match agreement_for(
        hub.agreements,
        &caller.partner.id,
        (&search.purpose, "person"),
        Way::ToPartner,
        now.uk_date(),
    ) {
        Ok(a) => a,
        Err(refusal) => return no(refusal, asked),
    };
    let probe = match search.probe() {
        Ok(probe) => probe,
        Err(refusal) => return no(refusal, asked),
    };
    let asked = asked.fields(probe.used);
    let found = hub
        .index
        .find(hub.store, &probe.person, &probe.columns)
        .await
        .map_err(|e| PartnerError::Unreadable(format!("the resident index ({e})")))?;
    let (person, probability) = match found {
        Found::One(person, probability) => (person, probability),
        Found::Nobody => return no(Refusal::NoMatch, asked),
        Found::Ambiguous => return no(Refusal::AmbiguousMatch, asked),
    };
    if let Some(refusal) = disagreement(hub, person, &probe.fixed).await? {
        return no(refusal, asked);
    }
    let accounts = townhall_index::held::accounts_of(hub.store, hub.council, person)
        .await?
        .unwrap_or_default();
    // The entry names the person only as its subject, so that they see it;
    // the partner's own history never shows whom a search it was not
    // answered found.
    let event = asked.about(accounts.first());
    // Someone whose consent does not allow it is not found: the partner is
    // told no more than of someone the council does not know (the audit
    // log, and the resident, see why).
    if let Some(refusal) = consent_refusal(hub, agreement, &accounts, &[], now).await? {
        return Ok((Err(Refusal::NoMatch), refused(event, &refusal)));
    }
    let event = event.purpose(under(
        hub,
        agreement,
        ": found you in the council's records",
    ));
    Ok((
        Ok(Located {
            person,
            probability,
        }),
        event,
    ))
}

/// Why the person the index matched is not the one searched for: a date
/// of birth or NHS number given that none of their records holds, though
/// some hold one (`no_match`: the match rested on other fields, as a
/// father's and son's records at one home may); or none holds one, so the
/// search cannot be confirmed (`ambiguous_match`).
async fn disagreement(
    hub: &Hub<'_>,
    person: townhall_types::PersonId,
    fixed: &[(&'static str, String)],
) -> Result<Option<Refusal>, PartnerError> {
    for (field, wanted) in fixed {
        let held = townhall_index::held::every_value(
            hub.store,
            hub.council,
            hub.index.policy(),
            person,
            field,
        )
        .await?;
        let held: Vec<String> = match *field {
            "nhs_number" => held
                .iter()
                .filter_map(|n| townhall_linkage::column::nhs_number(n))
                .collect(),
            _ => held,
        };
        if held.is_empty() {
            return Ok(Some(Refusal::AmbiguousMatch));
        }
        if !held.contains(wanted) {
            return Ok(Some(Refusal::NoMatch));
        }
    }
    Ok(None)
}

//! What the rules read of the people at one home while one report is
//! evaluated: each thing read once, however many rules ask for it, and each
//! look written to the audit log once, naming every rule that asked.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use townhall_audit::{Action, Actor, AuditEvent, Outcome, RecordRef};
use townhall_consent::{decide, Decision, DecisionRequest, Ground};
use townhall_store::StoreError;
use townhall_types::{CouncilId, PersonId, Timestamp, UserId};

use crate::sources::Sources;

/// The reads made so far, and who was looked at, and why.
#[derive(Debug, Default)]
pub struct Looks {
    accounts: HashMap<PersonId, Vec<UserId>>,
    consents: HashMap<(UserId, String, String), Decision>,
    born: HashMap<PersonId, Option<String>>,
    records: HashMap<(PersonId, String, String), Vec<String>>,
    looked: BTreeMap<UserId, Looked>,
}

/// What was looked at of one resident.
#[derive(Debug, Default)]
struct Looked {
    person: Option<PersonId>,
    fields: BTreeSet<String>,
    consents: BTreeMap<String, bool>,
    why: BTreeSet<String>,
}

impl Looks {
    fn look(&mut self, account: UserId, why: &str) -> &mut Looked {
        let looked = self.looked.entry(account).or_default();
        looked.why.insert(why.to_owned());
        looked
    }

    /// Every account of the person holding `account` (as the index links
    /// them): each must have said yes.
    pub async fn accounts(
        &mut self,
        src: &Sources<'_>,
        account: UserId,
        person: Option<PersonId>,
    ) -> Result<Vec<UserId>, StoreError> {
        let Some(person) = person else {
            return Ok(vec![account]);
        };
        if let Some(known) = self.accounts.get(&person) {
            return Ok(known.clone());
        }
        let all = townhall_index::held::accounts_of(src.store, src.council, person)
            .await?
            .filter(|a| !a.is_empty())
            .unwrap_or_else(|| vec![account]);
        self.accounts.insert(person, all.clone());
        Ok(all)
    }

    /// The consent decision point's answer for `account`, `purpose` and
    /// `recipient`, as it stands at `at`.
    pub async fn consent(
        &mut self,
        src: &Sources<'_>,
        (account, purpose, recipient): (UserId, &str, &str),
        at: Timestamp,
        why: &str,
    ) -> Result<Decision, StoreError> {
        let key = (account, purpose.to_owned(), recipient.to_owned());
        let decision = match self.consents.get(&key) {
            Some(d) => d.clone(),
            None => {
                let d = decide(
                    src.store,
                    src.consent,
                    &DecisionRequest {
                        council: src.council,
                        resident: Some(account),
                        recipient,
                        purpose,
                        fields: &[],
                        at,
                    },
                )
                .await?;
                self.consents.insert(key, d.clone());
                d
            }
        };
        self.look(account, why).consents.insert(
            format!("{purpose}/{recipient}"),
            decision.ground == Ground::Consented,
        );
        Ok(decision)
    }

    /// The person's date of birth, as the index's first system holding one
    /// gives it.
    pub async fn born(
        &mut self,
        src: &Sources<'_>,
        (account, person): (UserId, PersonId),
        why: &str,
    ) -> Result<Option<String>, StoreError> {
        let looked = self.look(account, why);
        looked.person = Some(person);
        looked.fields.insert("date_of_birth".into());
        if let Some(born) = self.born.get(&person) {
            return Ok(born.clone());
        }
        let born = townhall_index::held::values_of(
            src.store,
            src.council,
            src.index,
            person,
            &["date_of_birth"],
        )
        .await?
        .remove("date_of_birth");
        self.born.insert(person, born.clone());
        Ok(born)
    }

    /// The values of `field` the person's records in `system` hold.
    pub async fn record(
        &mut self,
        src: &Sources<'_>,
        (account, person): (UserId, PersonId),
        (system, field): (&str, &str),
        why: &str,
    ) -> Result<Vec<String>, StoreError> {
        let looked = self.look(account, why);
        looked.person = Some(person);
        looked.fields.insert(format!("{system}.{field}"));
        let key = (person, system.to_owned(), field.to_owned());
        if let Some(values) = self.records.get(&key) {
            return Ok(values.clone());
        }
        let values = townhall_index::held::values_in(
            src.store,
            src.council,
            src.index,
            (person, system),
            field,
        )
        .await?;
        self.records.insert(key, values.clone());
        Ok(values)
    }

    /// The audit log's entries for every look: for each resident, each
    /// consent asked and one read of their records, each naming why.
    pub fn audit(self, council: CouncilId, (actor, label): (&Actor, &str)) -> Vec<AuditEvent> {
        let mut events = Vec::new();
        for (account, looked) in self.looked {
            let why: Vec<&str> = looked.why.iter().map(String::as_str).collect();
            let why = why.join("; ");
            for (asked, allowed) in looked.consents {
                events.push(
                    AuditEvent::new(
                        council,
                        (actor.clone(), label),
                        Action::Read,
                        RecordRef::Consent(account),
                    )
                    .about(Some(account))
                    .fields([asked])
                    .purpose(why.clone())
                    .outcome(if allowed {
                        Outcome::Allowed
                    } else {
                        Outcome::Denied
                    }),
                );
            }
            if let (Some(person), false) = (looked.person, looked.fields.is_empty()) {
                events.push(
                    AuditEvent::new(
                        council,
                        (actor.clone(), label),
                        Action::Read,
                        RecordRef::Person(person),
                    )
                    .about(Some(account))
                    .fields(looked.fields)
                    .purpose(why),
                );
            }
        }
        events
    }
}

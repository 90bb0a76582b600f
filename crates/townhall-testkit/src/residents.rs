//! Residents the council knows, made straight in the store: an account, its
//! record in the resident index, and, as asked, a home on their profile,
//! adult social care's record of their mobility need, and their yes to GP
//! wellbeing checks; the index then run, so each is one person.

use townhall_index::records::{self, NewRecord};
use townhall_linkage::column::{Column, Kind};
use townhall_linkage::record::RawPerson;
use townhall_types::{EmailAddress, PersonId, UserId};

use crate::TestServer;

/// A resident to make.
#[derive(Debug, Clone)]
pub struct Resident<'a> {
    /// Their email address.
    pub email: &'a str,
    /// Their first and last names.
    pub name: (&'a str, &'a str),
    /// Their date of birth, `YYYY-MM-DD`.
    pub born: &'a str,
    /// Their home, a UPRN of the gazetteer.
    pub home: Option<&'a str>,
    /// Adult social care's record of them, with this mobility need.
    pub mobility_need: Option<&'a str>,
    /// Whether they said yes to GP wellbeing checks.
    pub gp_checks: bool,
    /// Their password, for those who sign in.
    pub password: Option<&'a str>,
}

/// Makes `residents`; each one's account and person, in order.
pub async fn add(s: &TestServer, residents: &[Resident<'_>]) -> Vec<(UserId, PersonId)> {
    let store = &s.db.store;
    let council = s.council.id;
    let mut tx = store.begin().await.expect("begin");
    let mut accounts = Vec::with_capacity(residents.len());
    let mut own = Vec::with_capacity(residents.len());
    let mut care = Vec::new();
    for r in residents {
        let email = EmailAddress::parse(r.email).expect("email");
        let hash = match r.password {
            Some(p) => Some(townhall_identity::password::hash_async(p.to_owned()).await),
            None => None,
        };
        let account = townhall_identity::accounts::create(
            &mut tx,
            council,
            &townhall_identity::accounts::NewAccount {
                kind: townhall_identity::UserKind::Resident,
                email: &email,
                display_name: &format!("{} {}", r.name.0, r.name.1),
                password_hash: hash.as_deref(),
                verified: true,
            },
        )
        .await
        .expect("account");
        let profile = townhall_identity::profiles::ResidentProfile {
            given_name: r.name.0.into(),
            family_name: r.name.1.into(),
            date_of_birth: Some(r.born.into()),
            phone: Some("01632 960123".into()),
            uprn: r.home.map(str::to_owned),
        };
        townhall_identity::profiles::save(&mut tx, council, account.id, &profile)
            .await
            .expect("profile");
        if r.gp_checks {
            townhall_consent::record(
                &mut tx,
                council,
                account.id,
                "gp-wellbeing-checks",
                "gp",
                townhall_consent::Choice::Granted,
                None,
                townhall_consent::Method::Web,
                &account.id.to_string(),
            )
            .await
            .expect("consent");
        }
        let person = |extra: Vec<String>| RawPerson {
            first_name: r.name.0.into(),
            surname: r.name.1.into(),
            date_of_birth: r.born.into(),
            postcode: "TE1 1AA".into(),
            address: "4 Mill Lane".into(),
            town: "Testham".into(),
            email: r.email.into(),
            phone: "01632 960123".into(),
            extra,
        };
        own.push(NewRecord {
            record_id: account.id.to_string(),
            person: person(Vec::new()),
            account: Some(account.id),
        });
        if let Some(need) = r.mobility_need {
            care.push(NewRecord {
                record_id: format!("ASC-{}", account.id),
                person: person(vec![need.into()]),
                account: None,
            });
        }
        accounts.push(account.id);
    }
    records::import(&mut tx, council, "accounts", &[], &own)
        .await
        .expect("accounts' records");
    let need = Column {
        name: "mobility_need".into(),
        kind: Kind::Text,
    };
    records::import(&mut tx, council, "adult_social_care", &[need], &care)
        .await
        .expect("care records");
    tx.commit().await.expect("commit");
    townhall_index::run::run(store, council, &s.index_policy(), &())
        .await
        .expect("the index run");
    let all = records::all(store, council).await.expect("records");
    accounts
        .into_iter()
        .map(|account| {
            let person = all
                .iter()
                .find(|r| r.account == Some(account))
                .and_then(|r| r.person_id)
                .expect("each account's record linked");
            (account, person)
        })
        .collect()
}

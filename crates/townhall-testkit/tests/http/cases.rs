//! Cases in the store: submission with eligibility and routing, references,
//! deadlines, messages, the workflow, permits, audited reads and nearby reports.

use townhall_audit::Actor;
use townhall_cases::{
    locate, make, nearby_open, open_as, queue, Case, CaseError, CaseMessages, Channel, QueueFilter,
    Requester, StaffActor, Submission, Update, Work,
};
use townhall_places::{Boundaries, Council};
use townhall_services::{check_answers, Catalogue, FormInput};
use townhall_store::sql;
use townhall_testkit::{
    as_fields, demo_services, seed_place, TestStore, HOME_IN_ZONE, HOME_OUTSIDE_ZONE, IN_PARISH,
    NOT_IN_PARISH,
};
use townhall_types::{EmailAddress, Timestamp, UserId};

/// A council with the testkit's small geography and teams.
struct Fixture {
    db: TestStore,
    council: Council,
    boundaries: Boundaries,
    services: Catalogue,
}

async fn fixture() -> Fixture {
    let db = TestStore::new().await;
    let mut tx = db.store.begin().await.unwrap();
    let council = townhall_places::create_council(&mut tx, "testshire", "Testshire Council")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    seed_place(&db.store, council.id).await;
    let boundaries = Boundaries::load(&db.store, council.id).await.unwrap();
    Fixture {
        db,
        council,
        boundaries,
        services: demo_services(),
    }
}

fn form(pairs: &[(&str, &str)]) -> FormInput {
    let mut f = FormInput::new();
    for (k, v) in pairs {
        f.entry((*k).to_owned()).or_default().push((*v).to_owned());
    }
    f
}

fn guest() -> Requester {
    Requester::Guest {
        name: Some("Omar Haddad".into()),
        email: Some(EmailAddress::parse("omar@mail.example").unwrap()),
        phone: None,
    }
}

fn resident(id: UserId) -> Requester {
    Requester::Resident {
        id,
        name: "Lizzy Parker".into(),
        email: EmailAddress::parse("lizzy@mail.example").unwrap(),
    }
}

impl Fixture {
    /// Moves `case` to `to` as `by`, with `update`, through the command
    /// staff pages use; the case as it is then.
    async fn move_to(
        &self,
        case: &Case,
        to: &str,
        update: Option<Update<'_>>,
        by: &StaffActor,
    ) -> Result<Case, CaseError> {
        townhall_cases::apply(
            &self.db.store,
            &townhall_notify::Templates::builtin(),
            &self.council,
            &self.services,
            case.id,
            Work::Status { to, update },
            by,
            monday(),
        )
        .await?;
        let mut tx = self.db.store.begin().await.unwrap();
        let now = townhall_cases::load(&mut tx, &self.council, case.id)
            .await
            .unwrap()
            .unwrap();
        tx.rollback().await.unwrap();
        Ok(now)
    }

    /// The council's messages, once the case messages have been queued.
    async fn mailbox(&self, limit: i64) -> Vec<townhall_notify::Notification> {
        let messages =
            CaseMessages::new(std::sync::Arc::new(townhall_notify::Templates::builtin())).serving(
                self.council.clone(),
                std::sync::Arc::new(self.services.clone()),
            );
        townhall_events::deliver(&self.db.store, &messages, 200)
            .await
            .unwrap();
        townhall_notify::mailbox(&self.db.store, self.council.id, limit)
            .await
            .unwrap()
    }

    async fn submit(
        &self,
        service: &str,
        pairs: &[(&str, &str)],
        requester: Requester,
        at: Timestamp,
    ) -> Result<Result<townhall_cases::Case, townhall_services::FieldErrors>, CaseError> {
        let service = self.services.get(service).unwrap();
        let (answers, location) = self.answers(service, pairs, at).await;
        make(
            &self.db.store,
            &Submission {
                council: &self.council,
                service,
                answers,
                location,
                requester,
                channel: Channel::Online,
                at,
            },
        )
        .await
    }

    /// The checked answers and the place they give.
    async fn answers(
        &self,
        service: &townhall_services::Service,
        pairs: &[(&str, &str)],
        at: Timestamp,
    ) -> (townhall_services::Answers, Option<townhall_cases::Location>) {
        let answers =
            check_answers(&service.questions, &form(pairs), at.datetime().date()).unwrap();
        let location = match service.location_question().and_then(|q| answers.get(&q.id)) {
            Some(townhall_services::Answer::Location(input)) => {
                locate(&self.db.store, self.council.id, &self.boundaries, input)
                    .await
                    .unwrap()
                    .ok()
            }
            _ => None,
        };
        (answers, location)
    }

    /// Applies for a parking permit for the vehicle `reg` at `uprn`.
    async fn apply_for_permit(
        &self,
        uprn: &str,
        reg: &str,
        requester: Requester,
    ) -> Result<townhall_cases::Case, townhall_services::FieldErrors> {
        let answers = [
            ("address-uprn", uprn),
            ("registration", reg),
            ("make", "Ford Fiesta"),
            ("keeper", "yes"),
        ];
        self.submit("apply-parking-permit", &answers, requester, monday())
            .await
            .unwrap()
    }

    /// A guest reports speeding at `at`, near a school or not (`yes`/`no`).
    async fn report_speeding(
        &self,
        at: (f64, f64),
        near_school: &'static str,
    ) -> Result<townhall_cases::Case, CaseError> {
        self.submit(
            "report-speeding",
            &as_fields(&speeding(at, near_school)),
            guest(),
            monday(),
        )
        .await
        .map(|made| made.expect("eligible"))
    }

    async fn count(&self, table: &str) -> i64 {
        let (n,): (i64,) = sql::query_as(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(self.db.store.reader())
            .await
            .unwrap();
        n
    }
}

fn point((lat, lon): (f64, f64)) -> [(&'static str, String); 2] {
    [
        ("location-latitude", lat.to_string()),
        ("location-longitude", lon.to_string()),
    ]
}

fn speeding(at: (f64, f64), near_school: &'static str) -> Vec<(&'static str, String)> {
    let mut v: Vec<(&str, String)> = point(at).into();
    v.extend([
        ("times", "morning".to_owned()),
        ("near-school", near_school.to_owned()),
        ("details", "Cars at 50 past the school".to_owned()),
    ]);
    v
}

// Monday 23 November 2026, 10:00 UTC.
fn monday() -> Timestamp {
    Timestamp::from_datetime(time::macros::datetime!(2026-11-23 10:00 UTC))
}

#[tokio::test]
async fn a_report_is_routed_with_its_reason_referenced_due_and_acknowledged() {
    let f = fixture().await;
    let case = f.report_speeding(IN_PARISH, "yes").await.unwrap();
    assert_eq!(case.reference, "TES-000001");
    assert_eq!(
        case.route_reason,
        "rule 1: the location is in Northgate Parish (P01)"
    );
    assert_eq!(case.status, "received");
    // 10 working days from Monday 23 November is Monday 7 December.
    assert_eq!(case.due_at.to_db(), "2026-12-07T10:00:00.000000Z");
    let loc = case.location.as_ref().unwrap();
    assert_eq!(
        (loc.ward.as_deref(), loc.parish.as_deref()),
        (Some("W01"), Some("P01"))
    );

    let elsewhere = f.report_speeding(NOT_IN_PARISH, "no").await.unwrap();
    assert_eq!(elsewhere.reference, "TES-000002");
    assert_eq!(elsewhere.route_reason, "rule 3: every other case");

    // The acknowledgement is queued for the guest, with the reference.
    let mail = f.mailbox(10).await;
    assert_eq!(mail.len(), 2);
    assert!(mail.iter().any(|m| m.recipient == "omar@mail.example"
        && m.body
            .contains("Thank you for reporting speeding traffic (reference TES-000001)")));
    // The creation is in the audit log.
    assert_eq!(f.count("audit_log").await, 2);
    assert_eq!(f.count("case_events").await, 2);
}

#[tokio::test]
async fn a_route_to_a_team_that_does_not_exist_stores_nothing() {
    let f = fixture().await;
    sql::query("DELETE FROM teams WHERE name = 'Road Safety'")
        .execute(f.db.store.reader())
        .await
        .unwrap();
    let e = f.report_speeding(NOT_IN_PARISH, "yes").await.unwrap_err();
    assert_eq!(
        e.to_string(),
        "the routing names team 'Road Safety', which does not exist; create it first"
    );
    assert_eq!(f.count("cases").await, 0);
    assert_eq!(f.count("notifications").await, 0);
    assert_eq!(
        f.count("case_counters").await,
        0,
        "the reference is not used up"
    );
}

async fn resident_account(f: &Fixture) -> UserId {
    let mut tx = f.db.store.begin().await.unwrap();
    let user = townhall_identity::accounts::create(
        &mut tx,
        f.council.id,
        &townhall_identity::accounts::NewAccount {
            kind: townhall_identity::accounts::UserKind::Resident,
            email: &EmailAddress::parse("lizzy@mail.example").unwrap(),
            display_name: "Lizzy Parker",
            password_hash: None,
            verified: true,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    user.id
}

#[tokio::test]
async fn a_permit_needs_an_account_a_home_in_a_zone_and_one_per_vehicle() {
    let f = fixture().await;
    let lizzy = resident_account(&f).await;
    let refused = f
        .apply_for_permit(HOME_IN_ZONE, "AB12 CDE", guest())
        .await
        .unwrap_err();
    assert_eq!(
        refused.get(""),
        Some("Sign in or create an account to apply for a permit")
    );
    let refused = f
        .apply_for_permit(HOME_OUTSIDE_ZONE, "AB12 CDE", resident(lizzy))
        .await
        .unwrap_err();
    assert!(refused
        .get("address")
        .unwrap()
        .contains("only for homes in a controlled parking zone"));

    let case = f
        .apply_for_permit(HOME_IN_ZONE, "ab12cde", resident(lizzy))
        .await
        .unwrap();
    assert_eq!(
        case.location.as_ref().unwrap().address.as_deref(),
        Some("1 High Street, Testford, TE1 1AA")
    );
    let again = f
        .apply_for_permit(HOME_IN_ZONE, "AB12 CDE", resident(lizzy))
        .await
        .unwrap_err();
    assert_eq!(
        again.get("registration"),
        Some("This vehicle already has a permit or an application in progress")
    );

    // Issued: the permit lasts 365 days, the case closes, and the vehicle still cannot have a second one.
    let officer = StaffActor {
        id: UserId::new(),
        label: "Sam Patel, Caseworker, Parking".into(),
    };
    let e = f
        .move_to(&case, "no-such", None, &officer)
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "'no-such' is not a status of Apply for a resident parking permit"
    );
    let case = f
        .move_to(
            &case,
            "issued",
            Some(Update {
                text: "Display it on the windscreen.",
                published: false,
            }),
            &officer,
        )
        .await
        .unwrap();
    assert!(case.closed);
    let (until,): (String,) = sql::query_as("SELECT valid_until FROM permits")
        .fetch_one(f.db.store.reader())
        .await
        .unwrap();
    assert_eq!(until, "2027-11-23T10:00:00.000000Z");
    let again = f
        .apply_for_permit(HOME_IN_ZONE, "AB12CDE", resident(lizzy))
        .await
        .unwrap_err();
    assert!(again.get("registration").is_some());
    let other_car = f
        .apply_for_permit(HOME_IN_ZONE, "XY99 ZZZ", resident(lizzy))
        .await;
    assert!(other_car.is_ok());

    let e = f
        .move_to(&case, "received", None, &officer)
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "a case that is 'Permit issued' cannot move to 'Application received'"
    );
    let mail = f.mailbox(10).await;
    assert!(mail.iter().any(|m| m
        .body
        .contains("Your resident parking permit is issued (reference TES-000001)")));
}

#[tokio::test]
async fn staff_reads_are_audited_queues_list_open_cases_and_nearby_reports_are_found() {
    let f = fixture().await;
    let at = monday();
    let first = f
        .submit(
            "report-pothole",
            &as_fields(
                &[
                    point(NOT_IN_PARISH).to_vec(),
                    vec![("surface", "road".into())],
                ]
                .concat(),
            ),
            guest(),
            at,
        )
        .await
        .unwrap()
        .unwrap();
    let highways = first.team;
    let entries_before = f.count("audit_log").await;
    let (case, history) = open_as(
        &f.db.store,
        f.council.id,
        first.id,
        Actor::Staff("s1".into()),
        "Tom Okafor, Team leader, Highways",
        "working on the request",
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(case.contact.email.as_deref(), Some("omar@mail.example"));
    assert_eq!(history[0].kind, "created");
    assert_eq!(f.count("audit_log").await, entries_before + 1);

    let open = queue(
        &f.db.store,
        f.council.id,
        highways,
        &QueueFilter::default(),
        50,
    )
    .await
    .unwrap();
    assert_eq!(open.len(), 1);
    let closed = queue(
        &f.db.store,
        f.council.id,
        highways,
        &QueueFilter {
            closed: true,
            ..Default::default()
        },
        50,
    )
    .await
    .unwrap();
    assert!(closed.is_empty());

    // About 33 m north is the same pothole; about 111 m is not.
    let since = at.plus(time::Duration::days(-14));
    let near = nearby_open(
        &f.db.store,
        f.council.id,
        "report-pothole",
        (NOT_IN_PARISH.0 + 0.0003, NOT_IN_PARISH.1),
        50.0,
        since,
    )
    .await
    .unwrap();
    assert_eq!(near.len(), 1);
    assert!((near[0].1 - 33.4).abs() < 1.0, "{}", near[0].1);
    let far = nearby_open(
        &f.db.store,
        f.council.id,
        "report-pothole",
        (NOT_IN_PARISH.0 + 0.001, NOT_IN_PARISH.1),
        50.0,
        since,
    )
    .await
    .unwrap();
    assert!(far.is_empty());
    let other_service = nearby_open(
        &f.db.store,
        f.council.id,
        "report-graffiti",
        NOT_IN_PARISH,
        50.0,
        since,
    )
    .await
    .unwrap();
    assert!(other_service.is_empty());
}

#[tokio::test]
async fn followers_hear_of_every_status_change_and_joining_twice_changes_nothing() {
    let f = fixture().await;
    let pothole = [
        point(NOT_IN_PARISH).to_vec(),
        vec![("surface", "road".into())],
    ]
    .concat();
    let mut case = f
        .submit("report-pothole", &as_fields(&pothole), guest(), monday())
        .await
        .unwrap()
        .unwrap();
    let service = f.services.get("report-pothole").unwrap();
    let templates = townhall_notify::Templates::builtin();
    let lizzy = resident_account(&f).await;
    for _ in 0..2 {
        let mut tx = f.db.store.begin().await.unwrap();
        townhall_cases::join(
            &mut tx,
            &templates,
            &f.council,
            service,
            &case,
            &resident(lizzy),
            monday(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
    assert_eq!(f.count("case_followers").await, 1);
    let officer = StaffActor {
        id: UserId::new(),
        label: "Tom Okafor, Team leader, Highways".into(),
    };
    for status in ["inspecting", "repair-scheduled"] {
        case = f
            .move_to(
                &case,
                status,
                Some(Update {
                    text: "Thursday.",
                    published: false,
                }),
                &officer,
            )
            .await
            .unwrap();
    }
    let mail = f.mailbox(20).await;
    let booked: Vec<&str> = mail
        .iter()
        .filter(|m| m.body.contains("is booked for repair. Thursday."))
        .map(|m| m.recipient.as_str())
        .collect();
    assert_eq!(booked.len(), 2, "{booked:?}");
    assert!(booked.contains(&"omar@mail.example") && booked.contains(&"lizzy@mail.example"));
    let mine = townhall_cases::for_resident(&f.db.store, f.council.id, lizzy, 10)
        .await
        .unwrap();
    assert_eq!(
        mine[0].reference, case.reference,
        "a follower sees the case as theirs"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn applications_for_one_vehicle_arriving_together_make_one_case() {
    let f = fixture().await;
    let lizzy = resident_account(&f).await;
    let intake = townhall_cases::Intake::new(&f.db.store);
    let service = f.services.get("apply-parking-permit").unwrap();
    let mut requests = Vec::new();
    for reg in ["AB12 CDE", "ab12cde", "XY34 ZZZ", "AB12CDE"] {
        let answers = [
            ("address-uprn", HOME_IN_ZONE),
            ("registration", reg),
            ("make", "Ford Fiesta"),
            ("keeper", "yes"),
        ];
        let (answers, location) = f.answers(service, &answers, monday()).await;
        requests.push(townhall_cases::Request {
            council: f.council.clone(),
            service: service.clone(),
            answers,
            location,
            requester: resident(lizzy),
            channel: Channel::Online,
            at: monday(),
            retry: None,
        });
    }
    let outcomes =
        futures_util::future::join_all(requests.into_iter().map(|request| intake.submit(request)))
            .await;
    let made = outcomes.iter().filter(|o| o.is_ok()).count();
    assert_eq!(made, 2, "one case per vehicle: {outcomes:?}");
    for outcome in &outcomes {
        if let Err(e) = outcome {
            let townhall_cases::IntakeError::Refused(refusals) = e else {
                panic!("{e}");
            };
            assert_eq!(
                refusals.get("registration"),
                Some("This vehicle already has a permit or an application in progress")
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn applications_made_at_once_each_in_its_own_transaction_make_one_case_per_vehicle() {
    let f = fixture().await;
    let lizzy = resident_account(&f).await;
    let made = futures_util::future::join_all(
        (0..6).map(|_| f.apply_for_permit(HOME_IN_ZONE, "AB12 CDE", resident(lizzy))),
    )
    .await;
    assert_eq!(
        made.iter().filter(|m| m.is_ok()).count(),
        1,
        "one case for the vehicle, however the applications meet: {made:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bookings_made_at_once_never_take_more_places_than_a_day_has() {
    let f = fixture().await;
    let lizzy = resident_account(&f).await;
    // Thursday 26 November: the first collection day from Monday 23rd, 12 places.
    let booking = [
        ("address-uprn", HOME_IN_ZONE),
        ("items", "sofa"),
        ("day", "2026-11-26"),
        ("where-left", "Front garden"),
    ];
    let made = futures_util::future::join_all(
        (0..15).map(|_| f.submit("book-bulky-waste", &booking, resident(lizzy), monday())),
    )
    .await;
    let made: Vec<_> = made.into_iter().map(Result::unwrap).collect();
    assert_eq!(made.iter().filter(|m| m.is_ok()).count(), 12, "{made:?}");
    for refused in made.iter().filter_map(|m| m.as_ref().err()) {
        assert_eq!(refused.get("day"), Some(townhall_cases::DAY_FULL));
    }
}

/// A missed collection is taken only for a day the address's bin was due
/// (the council's rounds), once that day is over, and within the service's
/// two days; each refusal says why, against the day asked.
#[tokio::test]
async fn a_missed_collection_is_reported_for_a_day_it_was_due_once_over_and_in_time() {
    let f = fixture().await;
    let rounds = townhall_testkit::rounds(
        r#"[[rounds]]
id = "general-monday"
container = "general"
day = "monday"
every_weeks = 1
first = 2027-01-04
wards = ["W01"]

[[rounds]]
id = "recycling-tuesday"
container = "recycling"
day = "tuesday"
every_weeks = 2
first = 2026-01-06
wards = ["W01"]

[[changes]]
instead_of = 2027-01-18
on = 2027-01-19
reason = "a local holiday"
"#,
    );
    let collections =
        townhall_waste::Collections::parse("waste.toml", &rounds, &["W01", "W02"]).unwrap();
    let service = f.services.get("report-missed-bin").unwrap();
    // Its general waste goes every Monday, its recycling every other Tuesday.
    let report = |bin: &'static str, due: time::Date, at: &'static str| {
        let input = form(&[
            ("address-uprn", HOME_IN_ZONE),
            ("bin", bin),
            ("collection-date-day", &due.day().to_string()),
            ("collection-date-month", &u8::from(due.month()).to_string()),
            ("collection-date-year", &due.year().to_string()),
            ("presented", "yes"),
        ]);
        let (f, collections) = (&f, &collections);
        async move {
            let application = townhall_cases::Application {
                council: &f.council,
                boundaries: &f.boundaries,
                service,
                collections: Some(collections),
                input: &input,
                at: Timestamp::parse(at).unwrap(),
            };
            townhall_cases::prepare(&f.db.store, application, guest(), Channel::Online)
                .await
                .unwrap()
                .err()
                .map(|refused| {
                    refused
                        .fields
                        .get("collection-date")
                        .unwrap_or("another field")
                        .to_owned()
                })
        }
    };
    use time::macros::date;
    // Wednesday 13 January 2027, mid-morning.
    let wednesday = "2027-01-13T10:00:00Z";
    assert_eq!(
        report("general", date!(2027 - 01 - 11), wednesday).await,
        None
    );
    assert_eq!(
        report("general", date!(2027 - 01 - 12), wednesday).await.as_deref(),
        Some("General waste is not collected from this address on Tuesday 12 January 2027: it is collected every Monday, and was last due before then on Monday 11 January 2027. Check the date")
    );
    assert_eq!(
        report("recycling", date!(2027 - 01 - 12), wednesday).await.as_deref(),
        Some("Mixed recycling is not collected from this address on Tuesday 12 January 2027: it is collected every other Tuesday, and was last due before then on Tuesday 5 January 2027. Check the date")
    );
    assert_eq!(
        report("recycling", date!(2027 - 01 - 05), wednesday).await.as_deref(),
        Some("A missed collection must be reported within 2 days: for Tuesday 5 January 2027 that was by Thursday 7 January 2027. Contact the council instead")
    );
    assert_eq!(
        report("general", date!(2027 - 01 - 04), wednesday).await.as_deref(),
        Some("A missed collection must be reported within 2 days: for Monday 4 January 2027 that was by Wednesday 6 January 2027. Contact the council instead")
    );
    assert_eq!(
        report("garden", date!(2027 - 01 - 11), wednesday).await.as_deref(),
        Some("Garden waste (brown 240 litre bin) is not collected from this address, so there is no collection to report as missed")
    );
    // A collection moved: the day it moved from is not the one to report.
    let later = "2027-01-20T09:00:00Z";
    assert_eq!(
        report("general", date!(2027 - 01 - 18), later).await.as_deref(),
        Some("The collection due on Monday 18 January 2027 was moved to Tuesday 19 January 2027 because of a local holiday: report the collection of Tuesday 19 January 2027 instead")
    );
    assert_eq!(report("general", date!(2027 - 01 - 19), later).await, None);
    // On the day itself, the crew may still come.
    assert_eq!(
        report("general", date!(2027 - 01 - 11), "2027-01-11T15:00:00Z").await.as_deref(),
        Some("You can report a missed collection from Tuesday 12 January 2027, once the collection day is over")
    );
}

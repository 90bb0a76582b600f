//! The data-exchange hub: its partners and their keys, and its signed API
//! with every refusal, on whichever backend the tests run against.

use base64::Engine;
use reqwest::StatusCode;
use serde_json::{json, Value};
use townhall_consent::{Choice, Method};
use townhall_exchange::partners::{self, Partner, PartnerError, PartnerKind};
use townhall_exchange::signature::{content_digest, nonce, Request, SigningKey};
use townhall_index::records::{self, NewRecord};
use townhall_index::run;
use townhall_linkage::record::RawPerson;
use townhall_testkit::{hub_client, TestServer, TestStore};
use townhall_types::{EmailAddress, Timestamp, UserId};

use crate::accounts::{sign_in, sign_up};

fn surgery(id: &str) -> Partner {
    Partner {
        id: id.to_owned(),
        name: "Riverside Medical Centre".to_owned(),
        kind: PartnerKind::GpPractice,
        code: Some("Y01234".to_owned()),
        contact: EmailAddress::parse("practice.manager@rmc.nhs.example").unwrap(),
        dpo: EmailAddress::parse("dpo@rmc.nhs.example").unwrap(),
    }
}

/// 32 bytes of an Ed25519 public key, in base64.
const KEY: &str = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";

#[tokio::test]
async fn partners_are_registered_once_each_with_their_keys_in_time() {
    let db = TestStore::new().await;
    let council =
        townhall_places::register_council(&db.store, "riverside", "Riverside Borough Council")
            .await
            .unwrap()
            .id;
    partners::register(&db.store, council, &surgery("riverside-medical-centre"))
        .await
        .unwrap();
    let again = partners::register(&db.store, council, &surgery("riverside-medical-centre")).await;
    assert!(matches!(again, Err(PartnerError::Taken(_))), "{again:?}");
    let council_itself = partners::register(&db.store, council, &surgery("council")).await;
    assert!(
        matches!(council_itself, Err(PartnerError::BadId(_))),
        "agreements' name for the council"
    );
    let bad = Partner {
        code: Some("y0 1234".to_owned()),
        ..surgery("another-practice")
    };
    assert_eq!(
        partners::register(&db.store, council, &bad).await.unwrap_err().to_string(),
        "the organisation code 'y0 1234' must be 1 to 12 capital letters and digits (an NHS ODS code, for example)"
    );
    // Names as they are pasted: a Welsh practice with a manual line break
    // from a word processor is kept on one line; a control character is refused.
    let pasted = Partner {
        name: "Meddygfa\u{0B}Glan-yr-Afon\t(Ŵyr)".to_owned(),
        code: None,
        ..surgery("meddygfa-glan-yr-afon")
    };
    partners::register(&db.store, council, &pasted)
        .await
        .unwrap();
    let bell = Partner {
        name: "Riverside\u{7}Surgery".to_owned(),
        ..surgery("bell-surgery")
    };
    assert!(matches!(
        partners::register(&db.store, council, &bell).await,
        Err(PartnerError::BadName)
    ));
    let listed = partners::list(&db.store, council).await.unwrap();
    let names: Vec<&str> = listed.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        ["Meddygfa Glan-yr-Afon (Ŵyr)", "Riverside Medical Centre"]
    );

    let from = Timestamp::parse("2027-01-01T00:00:00Z").unwrap();
    let until = Timestamp::parse("2027-06-01T00:00:00Z").unwrap();
    partners::add_key(
        &db.store,
        council,
        "riverside-medical-centre",
        "rmc-2027",
        KEY,
        (from, Some(until)),
    )
    .await
    .unwrap();
    let key = partners::key(&db.store, council, "rmc-2027")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(key.partner, "riverside-medical-centre");
    assert!(!key.valid_at(Timestamp::parse("2026-12-31T23:59:59Z").unwrap()));
    assert!(key.valid_at(from));
    assert!(!key.valid_at(until), "a replaced key stops at its end");
    assert!(partners::key(&db.store, council, "nobody")
        .await
        .unwrap()
        .is_none());

    for (partner, key_id, public, refused) in [
        (
            "riverside-police",
            "police-1",
            KEY,
            "there is no partner 'riverside-police'",
        ),
        (
            "riverside-medical-centre",
            "rmc-2027",
            KEY,
            "there is already a key 'rmc-2027'",
        ),
        (
            "riverside-medical-centre",
            "rmc-short",
            "AAAA",
            "a public key must be 32 bytes of Ed25519, in base64",
        ),
    ] {
        let e = partners::add_key(&db.store, council, partner, key_id, public, (from, None))
            .await
            .unwrap_err();
        assert!(e.to_string().starts_with(refused), "{e}");
    }
}

/// A partner's signing key, registered with the council: its private half.
pub(crate) async fn partner_key(s: &TestServer, partner: &str, key_id: &str) -> SigningKey {
    partner_key_and_seed(s, partner, key_id).await.0
}

/// The same, with the base64 of its seed, as `townhall admin` prints it.
async fn partner_key_and_seed(s: &TestServer, partner: &str, key_id: &str) -> (SigningKey, String) {
    let (key, seed) = SigningKey::generate(key_id).unwrap();
    let public = base64::engine::general_purpose::STANDARD.encode(key.public_key());
    // Valid from now: a signature made in this second is accepted.
    let from = Timestamp::now();
    partners::add_key(
        &s.db.store,
        s.council.id,
        partner,
        key_id,
        &public,
        (from, None),
    )
    .await
    .unwrap();
    (key, base64::engine::general_purpose::STANDARD.encode(seed))
}

/// How a test request is signed.
struct Signing<'a> {
    key: &'a SigningKey,
    created: i64,
    nonce: String,
    /// The body sent, when it differs from the body signed.
    sent_body: Option<&'a [u8]>,
}

impl<'a> Signing<'a> {
    fn now(key: &'a SigningKey) -> Self {
        Signing {
            key,
            created: Timestamp::now().unix_seconds(),
            nonce: nonce(),
            sent_body: None,
        }
    }
}

/// GETs `path_and_query` signed as `signing` says (unsigned with `None`):
/// the status and JSON body, after checking the response's signature with
/// the hub's published key.
async fn hub_get(
    s: &TestServer,
    path_and_query: &str,
    signing: Option<Signing<'_>>,
) -> (StatusCode, Value) {
    hub_send(s, "GET", path_and_query, b"", signing).await
}

/// As [`hub_get`], with `method` and `body`.
async fn hub_send(
    s: &TestServer,
    method: &str,
    path_and_query: &str,
    body: &[u8],
    signing: Option<Signing<'_>>,
) -> (StatusCode, Value) {
    let (path, query) = match path_and_query.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (path_and_query, None),
    };
    let mut request = s
        .client()
        .request(method.parse().unwrap(), s.url(path_and_query))
        .body(body.to_vec());
    if let Some(signing) = &signing {
        let signed = signing
            .key
            .sign_request(
                &Request {
                    method,
                    authority: "",
                    path,
                    query,
                    headers: &[],
                    body,
                },
                (signing.created, &signing.nonce),
            )
            .unwrap();
        request = request
            .header("content-digest", signed.content_digest)
            .header("signature-input", signed.signature_input)
            .header("signature", signed.signature);
        if let Some(body) = signing.sent_body {
            request = request.body(body.to_vec());
        }
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.bytes().await.unwrap();
    // Every answer, refusals too, is signed by the hub's key over its status, type and digest.
    assert_eq!(headers["content-digest"], content_digest(&body).as_str());
    let published: Value = s.json(&s.client(), "/api/hub/v1/keys").await;
    let key_id = published["keys"][0]["key_id"].as_str().unwrap();
    let input = headers["signature-input"].to_str().unwrap();
    assert!(
        input.starts_with(r#"hub=("@status" "content-type" "content-digest" "@method";req "@path";req "@query";req"#)
            && input.contains(&format!(r#"keyid="{key_id}""#)),
        "{input}"
    );
    (status, serde_json::from_slice(&body).unwrap())
}

fn refusal(code: &str, message: &str) -> Value {
    json!({"error": {"code": code, "message": message}})
}

/// A resident with an account, in the resident index through the account's
/// record and an adult social care record of the same details.
pub(crate) async fn resident_in_index(
    s: &TestServer,
    email: &str,
    (given, family): (&str, &str),
) -> (reqwest::Client, UserId, String) {
    let c = s.client();
    sign_up(s, &c, email, "kettle river jumper").await;
    let address = EmailAddress::parse(email).unwrap();
    let user = townhall_identity::accounts::find_by_email(
        &s.db.store,
        s.council.id,
        townhall_identity::UserKind::Resident,
        &address,
    )
    .await
    .unwrap()
    .unwrap();
    let person = RawPerson {
        first_name: given.into(),
        surname: family.into(),
        date_of_birth: "1951-03-14".into(),
        postcode: "TE1 1AA".into(),
        address: "4 Mill Lane".into(),
        town: "Testham".into(),
        email: email.into(),
        phone: "01632 960123".into(),
        extra: Vec::new(),
    };
    let mut tx = s.db.store.begin().await.unwrap();
    records::import(
        &mut tx,
        s.council.id,
        "accounts",
        &[],
        &[NewRecord {
            record_id: user.id.to_string(),
            person,
            account: Some(user.id),
        }],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    run::run(&s.db.store, s.council.id, &s.index_policy(), &())
        .await
        .unwrap();
    let all = records::all(&s.db.store, s.council.id).await.unwrap();
    let person = all
        .into_iter()
        .find(|r| r.account == Some(user.id))
        .and_then(|r| r.person_id)
        .unwrap()
        .to_string();
    sign_in(s, &c, email, "kettle river jumper").await;
    (c, user.id, person)
}

pub(crate) async fn choose(
    s: &TestServer,
    user: UserId,
    purpose: &str,
    recipient: &str,
    choice: Choice,
) {
    let mut tx = s.db.store.begin().await.unwrap();
    townhall_consent::record(
        &mut tx,
        s.council.id,
        user,
        purpose,
        recipient,
        choice,
        None,
        Method::Web,
        &user.to_string(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn the_hub_answers_a_signed_consented_read_with_the_agreed_fields_and_refuses_everything_else_saying_why(
) {
    let s = TestServer::start().await;
    let gp = partner_key(&s, "riverside-medical-centre", "rmc-2026").await;
    let police = partner_key(&s, "riverside-police", "police-2026").await;
    let (resident, user, person) =
        resident_in_index(&s, "martin@mail.example", ("Martin", "Hughes")).await;
    let read = format!(
        "/api/hub/v1/people/{person}/person?purpose=gp-wellbeing-checks&fields=phone,address"
    );
    let audited = s.count("audit_log").await;

    // Martin has not said yes to GP wellbeing checks, which are opt-in.
    assert_eq!(
        hub_get(&s, &read, Some(Signing::now(&gp))).await,
        (
            StatusCode::FORBIDDEN,
            refusal(
                "not_consented",
                "the resident has not said yes to sharing for this purpose"
            )
        )
    );
    choose(&s, user, "gp-wellbeing-checks", "gp", Choice::Granted).await;
    let (status, body) = hub_get(&s, &read, Some(Signing::now(&gp))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body,
        json!({
            "person": person,
            "record_type": "person",
            "purpose": "gp-wellbeing-checks",
            "agreement": "gp-wellbeing-checks",
            "fields": {"address": "4 Mill Lane, Testham, TE1 1AA", "phone": "01632 960123"}
        })
    );
    // Without a list of fields, every field the agreement names for the record type.
    let every = format!("/api/hub/v1/people/{person}/person?purpose=gp-wellbeing-checks");
    let (_, body) = hub_get(&s, &every, Some(Signing::now(&gp))).await;
    assert_eq!(
        body["fields"],
        json!({"name": "Martin Hughes", "date_of_birth": "1951-03-14", "address": "4 Mill Lane, Testham, TE1 1AA", "phone": "01632 960123"})
    );

    // Each refusal, with its whole body.
    let other = SigningKey::generate("rmc-2026").unwrap().0;
    let unknown = SigningKey::generate("nobody-2026").unwrap().0;
    let used = nonce();
    let cases: Vec<(Option<Signing<'_>>, &str, StatusCode, Value)> = vec![
        (
            None,
            &read,
            StatusCode::UNAUTHORIZED,
            refusal(
                "signature_missing",
                "the request must be signed: it has no Signature and Signature-Input headers",
            ),
        ),
        (
            Some(Signing::now(&unknown)),
            &read,
            StatusCode::UNAUTHORIZED,
            refusal(
                "unknown_key",
                "the signature's key id is not a key the hub knows",
            ),
        ),
        (
            Some(Signing::now(&other)),
            &read,
            StatusCode::UNAUTHORIZED,
            refusal(
                "bad_signature",
                "the signature does not match the request and the key",
            ),
        ),
        (
            Some(Signing {
                sent_body: Some(b"{}"),
                ..Signing::now(&gp)
            }),
            &read,
            StatusCode::UNAUTHORIZED,
            refusal(
                "digest_mismatch",
                "the Content-Digest does not match the body",
            ),
        ),
        (
            Some(Signing {
                created: Timestamp::now().unix_seconds() - 301,
                ..Signing::now(&gp)
            }),
            &read,
            StatusCode::UNAUTHORIZED,
            refusal(
                "stale_signature",
                "the signature was created more than 300 seconds before the hub received it",
            ),
        ),
        (
            Some(Signing {
                created: Timestamp::now().unix_seconds() + 60,
                ..Signing::now(&gp)
            }),
            &read,
            StatusCode::UNAUTHORIZED,
            refusal(
                "future_signature",
                "the signature was created more than 30 seconds after the hub received it",
            ),
        ),
        (
            Some(Signing::now(&police)),
            &read,
            StatusCode::FORBIDDEN,
            refusal(
                "no_agreement",
                "your organisation has no data-sharing agreement with the council",
            ),
        ),
    ];
    for (signing, path, status, body) in cases {
        assert_eq!(hub_get(&s, path, signing).await, (status, body));
    }
    let wrong = [
        (
            format!("/api/hub/v1/people/{person}/person?purpose=housing-support"),
            "wrong_purpose",
            "none of your organisation's agreements is for this purpose",
        ),
        (
            format!("/api/hub/v1/people/{person}/housing?purpose=gp-wellbeing-checks"),
            "record_type_not_allowed",
            "the agreement for this purpose does not share this record type",
        ),
        (
            format!(
                "/api/hub/v1/people/{person}/person?purpose=gp-wellbeing-checks&fields=name,email"
            ),
            "field_not_allowed",
            "the agreement for this purpose does not share: email",
        ),
    ];
    for (path, code, message) in wrong {
        assert_eq!(
            hub_get(&s, &path, Some(Signing::now(&gp))).await,
            (StatusCode::FORBIDDEN, refusal(code, message)),
            "{path}"
        );
    }
    assert_eq!(
        hub_get(
            &s,
            "/api/hub/v1/people/P-nobody/person?purpose=gp-wellbeing-checks",
            Some(Signing::now(&gp))
        )
        .await,
        (
            StatusCode::NOT_FOUND,
            refusal("unknown_person", "the resident index has no such person")
        )
    );
    // A list of no fields is a mistake, not a request for nothing.
    let empty = format!("/api/hub/v1/people/{person}/person?purpose=gp-wellbeing-checks&fields=");
    assert_eq!(
        hub_get(&s, &empty, Some(Signing::now(&gp))).await,
        (
            StatusCode::BAD_REQUEST,
            refusal(
                "invalid_query",
                "fields names no field: leave it out for every field the agreement names"
            )
        )
    );
    // A nonce answers once.
    let (status, _) = hub_get(
        &s,
        &read,
        Some(Signing {
            nonce: used.clone(),
            ..Signing::now(&gp)
        }),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        hub_get(
            &s,
            &read,
            Some(Signing {
                nonce: used,
                ..Signing::now(&gp)
            })
        )
        .await,
        (
            StatusCode::UNAUTHORIZED,
            refusal(
                "replayed_nonce",
                "the signature's nonce has been used before"
            )
        )
    );
    // Martin says no: the next read is refused.
    choose(&s, user, "gp-wellbeing-checks", "gp", Choice::Withdrawn).await;
    assert_eq!(
        hub_get(&s, &read, Some(Signing::now(&gp))).await,
        (
            StatusCode::FORBIDDEN,
            refusal(
                "consent_withdrawn",
                "the resident has said no to sharing for this purpose"
            )
        )
    );
    // Every request naming a partner's key, answered or refused, is in the
    // audit log: 1 + 2 + 5 + 3 + 1 + 1 + 2 + 1. The unsigned request and the
    // unknown key's are nobody's: logged, not audited.
    assert_eq!(s.count("audit_log").await, audited + 16);

    // A key retired signs nothing more, even with a signature made before.
    let made = Timestamp::now().unix_seconds() - 5;
    partners::retire_key(&s.db.store, s.council.id, "rmc-2026", Timestamp::now())
        .await
        .unwrap();
    assert_eq!(
        hub_get(
            &s,
            &read,
            Some(Signing {
                created: made,
                ..Signing::now(&gp)
            })
        )
        .await,
        (
            StatusCode::UNAUTHORIZED,
            refusal(
                "key_not_valid",
                "the signature's key was not valid when the signature was made"
            )
        )
    );
    let later = Timestamp::parse("2099-01-01T00:00:00Z").unwrap();
    assert!(
        matches!(
            partners::retire_key(&s.db.store, s.council.id, "rmc-2026", later).await,
            Err(PartnerError::Retired(_))
        ),
        "an end is never moved later"
    );
    // A weak key (the identity point) is no key.
    let identity = base64::engine::general_purpose::STANDARD.encode({
        let mut k = [0u8; 32];
        k[0] = 1;
        k
    });
    assert!(matches!(
        partners::add_key(
            &s.db.store,
            s.council.id,
            "riverside-police",
            "weak",
            &identity,
            (Timestamp::now(), None)
        )
        .await,
        Err(PartnerError::BadKey)
    ));

    // Martin sees who read what, why and under which agreement.
    let log = s.text(&resident, "/account/access-log").await;
    assert!(
        log.contains("<td>Riverside Medical Centre</td><td>looked at your details: your address, your phone number</td><td>Health and wellbeing checks by my GP, under the agreement 'GP wellbeing checks' (until 31 March 2028)</td>"),
        "{log}"
    );
    // Refusals too, in words: a read after he said no, and the police's try.
    for refused in [
        "<td>Riverside Medical Centre</td><td>was refused your details: your phone number, your address</td><td>Refused, because you said no to sharing for this</td>",
        "<td>Riverside Constabulary</td><td>was refused your details: your phone number, your address</td><td>Refused, because the council has no data-sharing agreement with it</td>",
    ] {
        assert!(log.contains(refused), "{refused}: {log}");
    }
}

/// An agreement that has ended stops working on the day after its expiry,
/// with nothing restarted; one not yet begun does not work either.
#[tokio::test]
async fn an_agreement_out_of_force_answers_nobody() {
    let police = (
        "police-early-help.toml",
        r#"version = 1
id = "police-early-help"
title = "Police referrals to early help"
summary = "The police tell the council's early help team about families who may need support."
parties = ["riverside-police"]
purpose = "early-help-families"
article_6 = "public_task"
direction = "council_to_partner"
retention_days = 30
starts = 2025-01-01
expires = 2025-12-31
review = 2025-06-30
conditions = ["resident_not_opted_out"]

[[records]]
type = "person"
fields = ["name", "date_of_birth"]

[[signatories]]
party = "council"
name = "Dana Whitfield"
role = "Data Protection Officer"
signed = 2024-12-01

[[signatories]]
party = "riverside-police"
name = "Sam Okafor"
role = "Information Manager"
signed = 2024-12-02
"#,
    );
    let later = police
        .1
        .replace("starts = 2025-01-01", "starts = 2099-01-01")
        .replace("expires = 2025-12-31", "expires = 2099-12-31")
        .replace("review = 2025-06-30", "review = 2099-06-30")
        .replace(
            "id = \"police-early-help\"",
            "id = \"police-early-help-next\"",
        )
        .replace("signed = 2024-12-0", "signed = 2098-12-0");
    for (agreement, code, message) in [
        (
            police.1.to_owned(),
            "agreement_expired",
            "the agreement for this purpose has ended",
        ),
        (
            later,
            "agreement_not_in_force",
            "the agreement for this purpose is not in force yet",
        ),
    ] {
        let s = TestServer::start_with_agreements(&[(police.0, &agreement)]).await;
        let key = partner_key(&s, "riverside-police", "police-2026").await;
        let (_, _, person) = resident_in_index(&s, "leila@mail.example", ("Leila", "Haddad")).await;
        assert_eq!(
            hub_get(
                &s,
                &format!("/api/hub/v1/people/{person}/person?purpose=early-help-families"),
                Some(Signing::now(&key))
            )
            .await,
            (StatusCode::FORBIDDEN, refusal(code, message))
        );
    }
}

/// A client nobody here wrote (pyauth's `http-message-signatures`, from
/// PyPI) signs the partner's requests and verifies the hub's answers.
#[tokio::test]
async fn a_partner_using_an_independent_rfc_9421_client_reads_and_verifies_the_answer() {
    let s = TestServer::start().await;
    let (_, seed) = partner_key_and_seed(&s, "riverside-medical-centre", "rmc-2026").await;
    let (_, user, person) =
        resident_in_index(&s, "martin@mail.example", ("Martin", "Hughes")).await;
    choose(&s, user, "gp-wellbeing-checks", "gp", Choice::Granted).await;
    let keys = s.json(&s.client(), "/api/hub/v1/keys").await;
    let (hub_key_id, hub_key) = (
        keys["keys"][0]["key_id"].as_str().unwrap().to_owned(),
        keys["keys"][0]["public_key"].as_str().unwrap().to_owned(),
    );
    let url = s.url(&format!(
        "/api/hub/v1/people/{person}/person?purpose=gp-wellbeing-checks&fields=name,phone"
    ));
    let with = |extra: &[&str]| -> Vec<String> {
        let mut args: Vec<String> = [
            "--url",
            &url,
            "--key-id",
            "rmc-2026",
            "--private-key",
            &seed,
            "--hub-key-id",
            &hub_key_id,
            "--hub-public-key",
            &hub_key,
        ]
        .iter()
        .map(|a| (*a).to_owned())
        .collect();
        args.extend(extra.iter().map(|a| (*a).to_owned()));
        args
    };
    let run = |args: Vec<String>| async move {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        hub_client::run(&args).await
    };
    assert_eq!(
        run(with(&["--nonce", "once-only"])).await,
        json!({
            "status": 200,
            "verified": true,
            "body": {
                "person": person,
                "record_type": "person",
                "purpose": "gp-wellbeing-checks",
                "agreement": "gp-wellbeing-checks",
                "fields": {"name": "Martin Hughes", "phone": "01632 960123"}
            }
        })
    );
    let stale = (Timestamp::now().unix_seconds() - 600).to_string();
    for (extra, status, body) in [
        (
            vec!["--nonce", "once-only"],
            401,
            refusal(
                "replayed_nonce",
                "the signature's nonce has been used before",
            ),
        ),
        (
            vec!["--created", stale.as_str()],
            401,
            refusal(
                "stale_signature",
                "the signature was created more than 300 seconds before the hub received it",
            ),
        ),
        (
            vec!["--tamper-body", "--body", "{}"],
            401,
            refusal(
                "digest_mismatch",
                "the Content-Digest does not match the body",
            ),
        ),
    ] {
        assert_eq!(
            run(with(&extra)).await,
            json!({"status": status, "verified": true, "body": body}),
            "{extra:?}"
        );
    }
    // The client notices an answer that is not the hub's.
    let impostor = base64::engine::general_purpose::STANDARD
        .encode(SigningKey::generate("x").unwrap().0.public_key());
    let mut args = with(&[]);
    let at = args.iter().position(|a| a == &hub_key).unwrap();
    args[at] = impostor;
    let report = run(args).await;
    assert_eq!(
        (report["status"].as_i64(), report["verified"].as_bool()),
        (Some(200), Some(false)),
        "{report}"
    );
}

/// A partner finds a person by name, date of birth and postcode (or NHS
/// number) through the resident index: one person or a refusal, never a
/// guess; and only for a purpose an agreement in force serves, with the
/// person's consent.
#[tokio::test]
async fn a_partner_finds_a_person_only_when_the_records_say_who_without_doubt() {
    let early_help = r#"version = 1
id = "police-early-help"
title = "Police referrals to early help"
summary = "The police tell the council's early help team about families who may need support."
parties = ["riverside-police"]
purpose = "early-help-families"
article_6 = "public_task"
direction = "both"
retention_days = 30
starts = 2026-01-01
expires = 2099-12-31
review = 2027-06-30
conditions = ["resident_not_opted_out"]

[[records]]
type = "person"
fields = ["name", "date_of_birth", "address"]

[[signatories]]
party = "council"
name = "Dana Whitfield"
role = "Data Protection Officer"
signed = 2025-12-01

[[signatories]]
party = "riverside-police"
name = "Sam Okafor"
role = "Information Manager"
signed = 2025-12-02
"#;
    let s = TestServer::start_with_agreements(&[("police-early-help.toml", early_help)]).await;
    let dir = tempfile::tempdir().unwrap();
    crate::resident_index::import_and_link(&s, dir.path()).await;
    // Twins on the electoral register: one surname, birthday and home.
    let twin = |id: &str, first: &str| NewRecord {
        record_id: id.into(),
        person: RawPerson {
            first_name: first.into(),
            surname: "Okonkwo".into(),
            date_of_birth: "1990-05-17".into(),
            postcode: "RV2 7BG".into(),
            address: "9 Weir Road".into(),
            ..RawPerson::default()
        },
        account: None,
    };
    let mut tx = s.db.store.begin().await.unwrap();
    records::import(
        &mut tx,
        s.council.id,
        "electoral_register",
        &[],
        &[
            twin("ER1", "Ada"),
            twin("ER2", "Chidi"),
            // Held with the accents of her name, as she wrote it.
            NewRecord {
                record_id: "ER3".into(),
                person: RawPerson {
                    first_name: "Siobhán".into(),
                    surname: "Ó Súilleabháin".into(),
                    date_of_birth: "1984-02-29".into(),
                    postcode: "RV3 4EH".into(),
                    address: "2 Quay Street".into(),
                    ..RawPerson::default()
                },
                account: None,
            },
        ],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    run::run(&s.db.store, s.council.id, &s.index_policy(), &())
        .await
        .unwrap();
    let police = partner_key(&s, "riverside-police", "police-2026").await;
    let gp = partner_key(&s, "riverside-medical-centre", "rmc-2026").await;
    let all = records::all(&s.db.store, s.council.id).await.unwrap();
    let ct = all
        .iter()
        .find(|r| r.key.system == "council_tax" && r.key.record_id == "CT00000")
        .unwrap();
    let (s, police) = (&s, &police);
    let search = |body: Value| async move {
        let body = body.to_string();
        hub_send(
            s,
            "POST",
            "/api/hub/v1/people/search",
            body.as_bytes(),
            Some(Signing::now(police)),
        )
        .await
    };
    let (status, found) = search(json!({
        "purpose": "early-help-families",
        "given_name": ct.person.first_name,
        "family_name": ct.person.surname,
        "date_of_birth": ct.person.date_of_birth,
        "postcode": ct.person.postcode.to_lowercase(),
    }))
    .await;
    assert_eq!(status, StatusCode::OK, "{found}");
    assert_eq!(found["person"], ct.person_id.unwrap().to_string());
    let p = found["probability"].as_f64().unwrap();
    assert!((0.95..=1.0).contains(&p), "{found}");
    // Typed as a partner's system holds it: no accents, an apostrophe, the
    // date as people write it.
    let siobhan = all
        .iter()
        .find(|r| r.key.record_id == "ER3")
        .and_then(|r| r.person_id)
        .unwrap();
    let (status, found) = search(json!({
        "purpose": "early-help-families",
        "given_name": "Siobhan",
        "family_name": "O'Suilleabhain",
        "date_of_birth": "29/02/1984",
        "postcode": "rv3 4eh",
    }))
    .await;
    assert_eq!(
        (status, &found["person"]),
        (StatusCode::OK, &json!(siobhan.to_string())),
        "{found}"
    );
    let cases = [
        (json!({"purpose": "early-help-families", "family_name": "Okonkwo", "date_of_birth": "17/05/1990", "postcode": "RV2 7BG"}), StatusCode::CONFLICT, refusal("ambiguous_match", "more than one person could be meant, or the match is in doubt: give more details, such as the NHS number")),
        (json!({"purpose": "early-help-families", "given_name": "Zebedee", "family_name": "Quartermaine", "date_of_birth": "1901-01-01", "postcode": "RV9 9ZZ"}), StatusCode::NOT_FOUND, refusal("no_match", "nobody in the council's records matches closely enough")),
        (json!({"purpose": "early-help-families", "nhs_number": "943 476 5918"}), StatusCode::BAD_REQUEST, refusal("invalid_search", "nhs_number must be a 10-digit NHS number whose check digit is right")),
        (json!({"purpose": "early-help-families", "family_name": "Okonkwo"}), StatusCode::BAD_REQUEST, refusal("invalid_search", "give nhs_number, or family_name, date_of_birth and postcode (and given_name if known)")),
        (json!({"purpose": "early-help-families", "family_name": "Okonkwo", "date_of_birth": "the spring of 1990", "postcode": "RV2 7BG"}), StatusCode::BAD_REQUEST, refusal("invalid_search", "date_of_birth must be a date, such as 1951-03-14 or 14/03/1951")),
        (json!({"purpose": "gp-wellbeing-checks", "nhs_number": "9434765919"}), StatusCode::FORBIDDEN, refusal("wrong_purpose", "none of your organisation's agreements is for this purpose")),
    ];
    for (body, status, answer) in cases {
        assert_eq!(search(body.clone()).await, (status, answer), "{body}");
    }
    // The GP's agreement is opt-in: someone who never said yes is not found
    // for it, and the practice is told no more than of a stranger; the
    // audit log keeps why.
    let audited = s.count("audit_log").await;
    let body = json!({"purpose": "gp-wellbeing-checks", "given_name": ct.person.first_name, "family_name": ct.person.surname, "date_of_birth": ct.person.date_of_birth, "postcode": ct.person.postcode}).to_string();
    assert_eq!(
        hub_send(
            s,
            "POST",
            "/api/hub/v1/people/search",
            body.as_bytes(),
            Some(Signing::now(&gp))
        )
        .await,
        (
            StatusCode::NOT_FOUND,
            refusal(
                "no_match",
                "nobody in the council's records matches closely enough"
            )
        )
    );
    let (why,): (String,) = townhall_store::sql::query_as(
        "SELECT purpose FROM audit_log WHERE seq = $1 AND council_id = $2",
    )
    .bind(audited + 1)
    .bind(s.council.id.to_string())
    .fetch_one(s.db.store.reader())
    .await
    .unwrap();
    assert_eq!(
        why,
        "Refused, because you have not said yes to sharing for this"
    );
    let (status, answer) = hub_send(
        s,
        "POST",
        "/api/hub/v1/people/search",
        b"{\"purpose\": 1}",
        Some(Signing::now(police)),
    )
    .await;
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_body"))
    );
}

/// The public register: every agreement, in force, ended or still to
/// start, in plain English and as JSON, to anyone.
#[tokio::test]
async fn the_register_publishes_each_agreement_in_plain_english_and_as_json() {
    let ended = r#"version = 1
id = "police-early-help"
title = "Police referrals to early help"
summary = "The police tell the council's early help team about families who may need support."
parties = ["riverside-police"]
purpose = "early-help-families"
article_6 = "public_task"
direction = "partner_to_council"
retention_days = 30
starts = 2025-01-01
expires = 2025-12-31
review = 2025-06-30
conditions = ["resident_not_opted_out"]

[[records]]
type = "family"
fields = ["household"]

[[signatories]]
party = "council"
name = "Dana Whitfield"
role = "Data Protection Officer"
signed = 2024-12-01

[[signatories]]
party = "riverside-police"
name = "Sam Okafor"
role = "Information Manager"
signed = 2024-12-02
"#;
    let s = TestServer::start_with_agreements(&[("police-early-help.toml", ended)]).await;
    let c = s.client();
    let register = s.text(&c, "/data-sharing").await;
    let in_force = register.find("<h2>In force</h2>").unwrap();
    let soon = register.find("<h2>Starting soon</h2>").unwrap();
    let over = register.find("<h2>Ended</h2>").unwrap();
    let at = |text: &str| {
        register
            .find(text)
            .unwrap_or_else(|| panic!("{text}: {register}"))
    };
    assert!((in_force..soon).contains(&at(
        "<a href=\"/data-sharing/gp-wellbeing-checks\">GP wellbeing checks</a>"
    )));
    assert!((in_force..soon).contains(&at(
        "With Riverside Medical Centre, from 1 April 2026 to 31 March 2028."
    )));
    assert!((in_force..soon).contains(&at("<a href=\"/data-sharing/housing-support\">")));
    assert!(register[soon..over].contains("No agreement is waiting to start."));
    assert!(register[over..].contains(
        "<a href=\"/data-sharing/police-early-help\">Police referrals to early help</a>"
    ));

    let gp = s.text(&c, "/data-sharing/gp-wellbeing-checks").await;
    for said in [
        "<h1>GP wellbeing checks</h1>",
        "In force: from 1 April 2026 to 31 March 2028.",
        "<dt>With</dt><dd>Riverside Medical Centre</dd>",
        "<dt>Why</dt><dd>Health and wellbeing checks by my GP: If council services notice you may need help",
        "<dt>Lawful basis</dt><dd>UK GDPR Article 6: your consent; for health information, Article 9: your explicit consent (Article 9(2)(a))</dd>",
        "<h3>A GP practice's or NHS trust's note of the appointments a person missed</h3><p class=\"hint\">From the organisations named to the council</p>",
        "<dt>Who it covers</dt><dd>Only residents who have said yes</dd>",
        "<dt>How long it is kept</dt><dd>90 days after it is received, then deleted</dd>",
        "<li>Your phone number</li>",
        "(data concerning health)</li>",
        "<li>Dr Amara Osei, Caldicott Guardian, Riverside Medical Centre, on 24 March 2026 for Riverside Medical Centre</li>",
    ] {
        assert!(gp.contains(said), "{said}: {gp}");
    }
    assert!(
        !gp.contains("Your email address"),
        "only what the agreement names: {gp}"
    );

    let one = s.json(&c, "/data-sharing/police-early-help.json").await;
    assert_eq!(one["standing"], "ended");
    assert_eq!(one["direction"], "partner_to_council");
    assert_eq!(one["records"][0]["direction"], "partner_to_council");
    assert_eq!(one["records"][0]["type"], "family");
    assert_eq!(
        (one["starts"].as_str(), one["expires"].as_str()),
        (Some("2025-01-01"), Some("2025-12-31"))
    );
    assert_eq!(one["signatories"][1]["signed"], "2024-12-02");
    assert_eq!(
        one["records"][0]["fields"].as_array().unwrap().len(),
        1,
        "only the fields shared"
    );
    let none = c
        .get(s.url("/data-sharing/no-such-agreement.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(none.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        none.json::<Value>().await.unwrap()["error"]["code"],
        "not_found"
    );
    assert_eq!(one["partners"][0]["name"], "Riverside Constabulary");
    assert_eq!(one["records"][0]["fields"][0]["name"], "household");
    let all = s.json(&c, "/data-sharing.json").await;
    let ids: Vec<&str> = all["agreements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "gp-wellbeing-checks",
            "housing-support",
            "police-early-help"
        ]
    );
    let missing = c
        .get(s.url("/data-sharing/no-such-agreement"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    // The hub's API is in the OpenAPI document, beside every other
    // capability's, naming the record types the hub serves.
    let spec = s.json(&c, "/api/openapi.json").await;
    for path in [
        "/api/hub/v1/keys",
        "/api/hub/v1/people/search",
        "/api/hub/v1/people/{person}/{record_type}",
        "/api/hub/v1/webhook",
        "/api/v1/consent/decisions",
        "/open311/v2/requests.{format}",
        "/api/v1/events",
    ] {
        assert!(spec["paths"][path].is_object(), "{path}");
    }
    let served: Vec<&str> = townhall_exchange::RECORD_TYPES
        .iter()
        .map(|r| r.name)
        .collect();
    let mut served_sorted = served.clone();
    served_sorted.sort_unstable();
    let read = &spec["paths"]["/api/hub/v1/people/{person}/{record_type}"]["get"]["parameters"][1]
        ["schema"]["enum"];
    let subscribed = &spec["paths"]["/api/hub/v1/webhook"]["put"]["requestBody"]["content"]
        ["application/json"]["schema"]["properties"]["record_types"]["items"]["enum"];
    for documented in [read, subscribed] {
        let mut names: Vec<&str> = documented
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        names.sort_unstable();
        assert_eq!(names, served_sorted, "the record types the hub serves");
    }
}

/// A partner sends the council a record — Martin missed three appointments
/// — which the council keeps and announces as a domain event for its
/// services and triggers, when an agreement lets it come this way and
/// Martin agreed; anything else is refused with its code.
#[tokio::test]
async fn a_partner_sends_a_record_that_becomes_a_domain_event() {
    let s = TestServer::start().await;
    let gp = partner_key(&s, "riverside-medical-centre", "rmc-2026").await;
    let homes = partner_key(&s, "riverside-homes", "rh-2026").await;
    let (_, user, person) =
        resident_in_index(&s, "martin@mail.example", ("Martin", "Hughes")).await;
    choose(&s, user, "gp-wellbeing-checks", "gp", Choice::Granted).await;
    let path = format!("/api/hub/v1/people/{person}/appointments");
    let body =
        |fields: Value| json!({"purpose": "gp-wellbeing-checks", "fields": fields}).to_string();
    let events_before = townhall_events::latest(&s.db.store, s.council.id)
        .await
        .unwrap();
    let (status, sent) = hub_send(
        &s,
        "POST",
        &path,
        body(json!({"missed_appointments": "3"})).as_bytes(),
        Some(Signing::now(&gp)),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{sent}");
    assert_eq!(sent["person"], person);
    assert_eq!(sent["record_type"], "appointments");
    assert_eq!(sent["agreement"], "gp-wellbeing-checks");
    let events = townhall_events::after(&s.db.store, s.council.id, events_before, 10)
        .await
        .unwrap();
    assert_eq!(events.len(), 1);
    let event = &events[0];
    assert!(
        event.is::<townhall_exchange::RecordReceived>(),
        "{}",
        event.cloud_type
    );
    assert_eq!(
        event.data,
        json!({
            "received": sent["received"],
            "partner": "riverside-medical-centre",
            "agreement": "gp-wellbeing-checks",
            "purpose": "gp-wellbeing-checks",
            "record_type": "appointments",
            "person": person,
        }),
        "the event names the record, not its values"
    );
    assert_eq!(s.count("hub_received").await, 1);

    let cases = [
        (
            &gp,
            path.clone(),
            body(json!({"missed_appointments": "3", "diagnosis": "x"})),
            StatusCode::FORBIDDEN,
            refusal(
                "field_not_allowed",
                "the agreement for this purpose does not share: diagnosis",
            ),
        ),
        (
            &gp,
            path.clone(),
            body(json!({"missed_appointments": "  "})),
            StatusCode::BAD_REQUEST,
            refusal(
                "invalid_value",
                "missed_appointments must be 1 to 1000 characters of text that can be typed",
            ),
        ),
        (
            &gp,
            path.clone(),
            body(json!({})),
            StatusCode::BAD_REQUEST,
            refusal("invalid_value", "a record must hold at least one field"),
        ),
        (
            &homes,
            format!("/api/hub/v1/people/{person}/housing"),
            json!({"purpose": "housing-support", "fields": {"housing_situation": "at risk"}})
                .to_string(),
            StatusCode::FORBIDDEN,
            refusal(
                "wrong_direction",
                "the agreement for this purpose does not share data this way",
            ),
        ),
        // The practice reads person records but may not write them: each
        // record type goes its own way.
        (
            &gp,
            format!("/api/hub/v1/people/{person}/person"),
            json!({"purpose": "gp-wellbeing-checks", "fields": {"phone": "0000 attacker"}})
                .to_string(),
            StatusCode::FORBIDDEN,
            refusal(
                "wrong_direction",
                "the agreement for this purpose does not share data this way",
            ),
        ),
    ];
    for (key, path, body, status, answer) in cases {
        assert_eq!(
            hub_send(&s, "POST", &path, body.as_bytes(), Some(Signing::now(key))).await,
            (status, answer),
            "{body}"
        );
    }
    // Nor may it read back the appointments it sends.
    assert_eq!(
        hub_get(
            &s,
            &format!("{path}?purpose=gp-wellbeing-checks"),
            Some(Signing::now(&gp))
        )
        .await,
        (
            StatusCode::FORBIDDEN,
            refusal(
                "wrong_direction",
                "the agreement for this purpose does not share data this way"
            )
        )
    );
    choose(&s, user, "gp-wellbeing-checks", "gp", Choice::Withdrawn).await;
    assert_eq!(
        hub_send(
            &s,
            "POST",
            &path,
            body(json!({"missed_appointments": "4"})).as_bytes(),
            Some(Signing::now(&gp))
        )
        .await,
        (
            StatusCode::FORBIDDEN,
            refusal(
                "consent_withdrawn",
                "the resident has said no to sharing for this purpose"
            )
        )
    );
    assert_eq!(s.count("hub_received").await, 1, "nothing refused is kept");
    // Kept for the agreement's 90 days, then forgotten.
    let agreements: &townhall_exchange::Agreements = s.settings().require().unwrap();
    let forget = |days| {
        townhall_exchange::hub::forget_received(
            &s.db.store,
            s.council.id,
            agreements,
            Timestamp::now().plus(time::Duration::days(days)),
        )
    };
    assert_eq!(forget(89).await.unwrap(), 0);
    assert_eq!(forget(91).await.unwrap(), 1);
    assert_eq!(s.count("hub_received").await, 0);
    let received = townhall_events::after(&s.db.store, s.council.id, events_before, 100)
        .await
        .unwrap()
        .iter()
        .filter(|e| e.is::<townhall_exchange::RecordReceived>())
        .count();
    assert_eq!(received, 1, "nothing refused is announced");
}

/// One webhook as its receiver got it: the address, the header lines and
/// the body.
type Got = (String, Vec<(String, String)>, Vec<u8>);

/// What a partner's webhook receiver got.
#[derive(Clone, Default)]
struct Receiver {
    got: std::sync::Arc<std::sync::Mutex<Vec<Got>>>,
    status: std::sync::Arc<std::sync::atomic::AtomicU16>,
}

impl Receiver {
    /// Starts a receiver on loopback answering `status`: its address.
    async fn start(status: u16) -> (Self, String) {
        let receiver = Receiver::default();
        receiver.answer(status);
        let r = receiver.clone();
        let app = axum::Router::new().route(
            "/hooks/gp",
            axum::routing::post(
                move |uri: axum::http::Uri,
                      headers: axum::http::HeaderMap,
                      body: axum::body::Bytes| {
                    let r = r.clone();
                    async move {
                        let lines = headers
                            .iter()
                            .map(|(n, v)| {
                                (
                                    n.as_str().to_owned(),
                                    v.to_str().unwrap_or_default().to_owned(),
                                )
                            })
                            .collect();
                        r.got
                            .lock()
                            .unwrap()
                            .push((uri.to_string(), lines, body.to_vec()));
                        axum::http::StatusCode::from_u16(
                            r.status.load(std::sync::atomic::Ordering::SeqCst),
                        )
                        .unwrap()
                    }
                },
            ),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (
            receiver,
            format!("http://127.0.0.1:{port}/hooks/gp?practice=Y99001"),
        )
    }

    fn answer(&self, status: u16) {
        self.status
            .store(status, std::sync::atomic::Ordering::SeqCst);
    }

    fn count(&self) -> usize {
        self.got.lock().unwrap().len()
    }

    fn last(&self) -> Got {
        self.got.lock().unwrap().last().unwrap().clone()
    }
}

/// What the council sends a partner goes to its webhook, signed by the
/// hub's key (checked by the receiver with an independent client), retried
/// with back-off, and, when it cannot be delivered, kept as a dead letter
/// that can be sent again.
#[tokio::test]
async fn the_council_sends_a_partner_a_signed_webhook_retried_until_delivered_or_dead() {
    use townhall_exchange::webhooks::{self, Push, Round};
    let s = TestServer::start().await;
    let (receiver, url) = Receiver::start(503).await;
    // The practice says where its messages go, with its own key.
    let gp = partner_key(&s, "riverside-medical-centre", "rmc-2026").await;
    let put = |url: &str| json!({"url": url}).to_string();
    assert_eq!(
        hub_send(
            &s,
            "PUT",
            "/api/hub/v1/webhook",
            put("http://practice.example/hooks").as_bytes(),
            Some(Signing::now(&gp))
        )
        .await,
        (
            StatusCode::BAD_REQUEST,
            refusal(
                "invalid_value",
                "url must be an https:// address (or http:// on the council's own machine)"
            )
        ),
        "plain http only to this machine"
    );
    assert_eq!(
        hub_send(
            &s,
            "PUT",
            "/api/hub/v1/webhook",
            put(&url).as_bytes(),
            Some(Signing::now(&gp))
        )
        .await,
        (StatusCode::OK, json!({"url": url, "record_types": null}))
    );
    let (_, user, person) =
        resident_in_index(&s, "martin@mail.example", ("Martin", "Hughes")).await;
    choose(&s, user, "gp-wellbeing-checks", "gp", Choice::Granted).await;
    let settings = s.settings();
    let hub = townhall_exchange::hub::Hub {
        store: &s.db.store,
        council: s.council.id,
        consent: settings.require().unwrap(),
        index: settings.require().unwrap(),
        agreements: settings.require().unwrap(),
    };
    let key: &townhall_exchange::HubKey = settings.require().unwrap();
    let concern = |partner: &'static str, fields: &[(&str, &str)]| Push {
        partner,
        person: person.parse().unwrap(),
        record_type: "wellbeing_concern",
        purpose: "gp-wellbeing-checks",
        fields: fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        by: (
            townhall_audit::Actor::System("bins trigger".into()),
            "The council's bin collection checks",
        ),
    };
    let t0 = Timestamp::now();
    let queued = shared(
        &hub,
        &concern(
            "riverside-medical-centre",
            &[("reason_for_concern", "Bins not put out on 3 and 10 March")],
        ),
        t0,
    )
    .await
    .unwrap();
    assert_eq!(queued.agreement, "gp-wellbeing-checks");
    // Refused as a read would be.
    for (push, code) in [
        (
            concern(
                "riverside-medical-centre",
                &[("mobility_need", "uses a frame")],
            ),
            "field_not_allowed",
        ),
        (
            concern("riverside-homes", &[("reason_for_concern", "x")]),
            "wrong_purpose",
        ),
    ] {
        let refused = shared(&hub, &push, t0).await.unwrap_err();
        assert_eq!(refused.code(), code);
    }
    let client = reqwest::Client::new();
    let at = |seconds: i64| t0.plus(time::Duration::seconds(seconds));
    let round = |now| webhooks::deliver_due(&s.db.store, s.council.id, key, &client, now);
    assert_eq!(
        round(at(0)).await.unwrap(),
        Round {
            delivered: 0,
            retrying: 1,
            dead: 0
        }
    );
    assert_eq!(
        round(at(30)).await.unwrap(),
        Round::default(),
        "not due again for a minute"
    );
    receiver.answer(200);
    assert_eq!(
        round(at(61)).await.unwrap(),
        Round {
            delivered: 1,
            retrying: 0,
            dead: 0
        }
    );
    assert_eq!(receiver.count(), 2);
    let (uri, headers, body) = receiver.last();
    assert_eq!(uri, "/hooks/gp?practice=Y99001");
    let message: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(message["delivery"], queued.delivery.clone().unwrap());
    assert_eq!(message["person"], person);
    assert_eq!(
        message["fields"],
        json!({"reason_for_concern": "Bins not put out on 3 and 10 March"})
    );
    // The receiver checks the hub's signature with a client nobody here wrote.
    let keys = s.json(&s.client(), "/api/hub/v1/keys").await;
    let hub_key = (
        keys["keys"][0]["key_id"].as_str().unwrap(),
        keys["keys"][0]["public_key"].as_str().unwrap(),
    );
    assert_eq!(
        hub_client::verify_webhook(("POST", &url), &headers, &body, hub_key).await,
        json!({"verified": true})
    );
    let mut tampered = body.clone();
    tampered.push(b' ');
    assert_eq!(
        hub_client::verify_webhook(("POST", &url), &headers, &tampered, hub_key).await["verified"],
        false
    );
    // Once delivered, the message's content is forgotten.
    let (kept,): (String,) =
        townhall_store::sql::query_as("SELECT body FROM hub_deliveries WHERE delivery_id = $1")
            .bind(queued.delivery.as_deref())
            .fetch_one(s.db.store.reader())
            .await
            .unwrap();
    assert_eq!(kept, "");

    // A message the practice never takes: tried six times over about 15
    // hours, then a dead letter, which can be sent again.
    receiver.answer(500);
    let dead = shared(
        &hub,
        &concern(
            "riverside-medical-centre",
            &[("reason_for_concern", "Bins not put out again")],
        ),
        t0,
    )
    .await
    .unwrap();
    let mut when = 0;
    for (wait, expected) in [
        (
            0,
            Round {
                retrying: 1,
                ..Round::default()
            },
        ),
        (
            60,
            Round {
                retrying: 1,
                ..Round::default()
            },
        ),
        (
            300,
            Round {
                retrying: 1,
                ..Round::default()
            },
        ),
        (
            1800,
            Round {
                retrying: 1,
                ..Round::default()
            },
        ),
        (
            7200,
            Round {
                retrying: 1,
                ..Round::default()
            },
        ),
        (
            43200,
            Round {
                dead: 1,
                ..Round::default()
            },
        ),
    ] {
        when += wait;
        assert_eq!(round(at(when)).await.unwrap(), expected, "at {when} s");
    }
    let letters = webhooks::dead_letters(&s.db.store, s.council.id)
        .await
        .unwrap();
    assert_eq!(letters.len(), 1);
    assert_eq!(
        (
            letters[0].id.as_str(),
            letters[0].attempts,
            letters[0].last_error.as_deref()
        ),
        (
            dead.delivery.as_deref().unwrap(),
            6,
            Some("answered 500 Internal Server Error")
        )
    );
    receiver.answer(200);
    // The data protection officer sees it on the staff pages (never its
    // content) and sends it again; a caseworker sees nothing.
    let password = crate::casework::PASSWORD;
    s.add_staff(
        "dana@testshire.example",
        "Dana Whitfield",
        townhall_identity::Role::DataProtectionOfficer,
        None,
        password,
    )
    .await;
    s.add_staff(
        "tom@testshire.example",
        "Tom Okafor",
        townhall_identity::Role::Caseworker,
        Some("Highways"),
        password,
    )
    .await;
    let tom = crate::casework::staff_client(&s, "tom@testshire.example").await;
    let refused = tom
        .get(s.url("/staff/hub/dead-letters"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let dana = crate::casework::staff_client(&s, "dana@testshire.example").await;
    let listed = s.text(&dana, "/staff/hub/dead-letters").await;
    assert!(
        listed.contains("<td>riverside-medical-centre</td><td>wellbeing concern</td>"),
        "{listed}"
    );
    assert!(
        listed.contains("answered 500 Internal Server Error (6 attempts)"),
        "{listed}"
    );
    assert!(
        !listed.contains("Bins not put out again"),
        "never the content"
    );
    let sent = s
        .submit(
            &dana,
            "/staff/hub/dead-letters",
            &format!(
                "/staff/hub/dead-letters/{}",
                dead.delivery.as_deref().unwrap()
            ),
            &[],
        )
        .await;
    assert_eq!(sent.headers()["location"], "/staff/hub/dead-letters?sent=1");
    assert_eq!(
        round(Timestamp::now()).await.unwrap(),
        Round {
            delivered: 1,
            ..Round::default()
        }
    );
    assert!(webhooks::dead_letters(&s.db.store, s.council.id)
        .await
        .unwrap()
        .is_empty());
    // The practice asks only for person records: concerns are not sent.
    let only = |types: Value| json!({"url": url, "record_types": types}).to_string();
    assert_eq!(
        hub_send(
            &s,
            "PUT",
            "/api/hub/v1/webhook",
            only(json!(["medical_records"])).as_bytes(),
            Some(Signing::now(&gp))
        )
        .await,
        (
            StatusCode::BAD_REQUEST,
            refusal(
                "invalid_value",
                "'medical_records' is not a record type the hub exchanges"
            )
        )
    );
    assert_eq!(
        hub_send(
            &s,
            "PUT",
            "/api/hub/v1/webhook",
            only(json!(["person"])).as_bytes(),
            Some(Signing::now(&gp))
        )
        .await,
        (
            StatusCode::OK,
            json!({"url": url, "record_types": ["person"]})
        )
    );
    // A record type the partner did not ask for is shared all the same,
    // for its staff to read on the hub's pages, but no message is queued.
    let unasked = shared(
        &hub,
        &concern("riverside-medical-centre", &[("reason_for_concern", "x")]),
        Timestamp::now(),
    )
    .await
    .unwrap();
    assert_eq!(unasked.agreement, "gp-wellbeing-checks");
    assert_eq!(unasked.delivery, None);
}

/// The data protection officer registers a partner on the staff pages:
/// each mistake said against its field, nothing stored until it is right;
/// a caseworker sees nothing of it.
#[tokio::test]
async fn the_data_protection_officer_registers_a_partner_on_the_staff_pages() {
    let s = TestServer::start().await;
    let password = crate::casework::PASSWORD;
    s.add_staff(
        "dana@testshire.example",
        "Dana Whitfield",
        townhall_identity::Role::DataProtectionOfficer,
        None,
        password,
    )
    .await;
    s.add_staff(
        "tom@testshire.example",
        "Tom Okafor",
        townhall_identity::Role::Caseworker,
        Some("Highways"),
        password,
    )
    .await;
    let tom = crate::casework::staff_client(&s, "tom@testshire.example").await;
    assert_eq!(
        tom.get(s.url("/staff/hub/partners"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN
    );
    assert!(!s.text(&tom, "/staff").await.contains("/staff/hub/partners"));
    let dana = crate::casework::staff_client(&s, "dana@testshire.example").await;
    assert!(
        s.text(&dana, "/staff")
            .await
            .contains("<a href=\"/staff/hub/partners\">Partners</a>"),
        "the staff home offers the hub"
    );
    let listed = s.text(&dana, "/staff/hub/partners").await;
    assert!(
        listed.contains("<td><a href=\"/staff/hub/partners/riverside-medical-centre\">Riverside Medical Centre</a></td><td>GP practice</td><td>Y99001</td>"),
        "{listed}"
    );
    let wrong = s
        .submit(
            &dana,
            "/staff/hub/partners",
            "/staff/hub/partners",
            &[
                ("id", "Riverside School"),
                ("name", "Riverside Primary"),
                ("code", "y 1"),
                ("contact", "office at school"),
                ("dpo", "dpo@school.example"),
            ],
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = wrong.text().await.unwrap();
    for said in [
        "Select what kind of organisation it is",
        "Enter an email address in the correct format, like name@example.com",
    ] {
        assert!(page.contains(said), "{said}: {page}");
    }
    assert!(
        page.contains("value=\"Riverside Primary\""),
        "what was typed is kept"
    );
    let still = s
        .submit(
            &dana,
            "/staff/hub/partners",
            "/staff/hub/partners",
            &[
                ("id", "Riverside School"),
                ("name", "Riverside Primary"),
                ("kind", "school"),
                ("code", "y 1"),
                ("contact", "office@school.example"),
                ("dpo", "dpo@school.example"),
            ],
        )
        .await;
    assert_eq!(still.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(still.text().await.unwrap().contains(
        "Enter an id of lower-case letters, digits and hyphens, such as riverside-medical-centre"
    ));
    assert_eq!(
        partners::list(&s.db.store, s.council.id)
            .await
            .unwrap()
            .len(),
        3,
        "nothing stored"
    );
    let done = s
        .submit(
            &dana,
            "/staff/hub/partners",
            "/staff/hub/partners",
            &[
                ("id", "riverside-primary"),
                ("name", "Riverside Primary"),
                ("kind", "school"),
                ("code", ""),
                ("contact", "office@school.example"),
                ("dpo", "dpo@school.example"),
            ],
        )
        .await;
    assert_eq!(
        done.headers()["location"],
        "/staff/hub/partners?registered=riverside-primary"
    );
    let listed = s
        .text(&dana, "/staff/hub/partners?registered=riverside-primary")
        .await;
    assert!(
        listed.contains("<td><a href=\"/staff/hub/partners/riverside-primary\">Riverside Primary</a></td><td>School</td><td>–</td>"),
        "{listed}"
    );
    let again = s
        .submit(
            &dana,
            "/staff/hub/partners",
            "/staff/hub/partners",
            &[
                ("id", "riverside-primary"),
                ("name", "Riverside Primary"),
                ("kind", "school"),
                ("contact", "office@school.example"),
                ("dpo", "dpo@school.example"),
            ],
        )
        .await;
    assert!(again
        .text()
        .await
        .unwrap()
        .contains("There is already a partner with this id"));
}

/// The hub's staff pages, with mistakes shown, pass axe-core in a browser.
#[tokio::test]
async fn the_hub_staff_pages_are_accessible_in_a_browser() {
    let s = TestServer::start().await;
    let password = crate::casework::PASSWORD;
    s.add_staff(
        "dana@testshire.example",
        "Dana Whitfield",
        townhall_identity::Role::DataProtectionOfficer,
        None,
        password,
    )
    .await;
    let b = townhall_testkit::browser::Browser::start().await;
    b.visit(&s.url("/staff/sign-in")).await;
    b.fill("email", "dana@testshire.example").await;
    b.fill("password", password).await;
    b.click("form[action='/staff/sign-in'] button[type=submit]")
        .await;
    b.wait_for_path("/staff").await;
    b.check_accessibility().await;
    b.visit(&s.url("/staff/hub/partners")).await;
    b.check_accessibility().await;
    b.click("form[action='/staff/hub/partners'] button").await;
    b.wait_for_text(".error-summary", "Select what kind of organisation it is")
        .await;
    b.check_accessibility().await;
    b.visit(&s.url("/staff/hub/dead-letters")).await;
    b.check_accessibility().await;
    b.visit(&s.url("/staff/hub/partners/riverside-medical-centre"))
        .await;
    b.check_accessibility().await;
    b.close().await;
}

/// Shares `push` through the hub in a transaction of its own.
async fn shared(
    hub: &townhall_exchange::hub::Hub<'_>,
    push: &townhall_exchange::webhooks::Push<'_>,
    at: Timestamp,
) -> townhall_exchange::hub::Answer<townhall_exchange::webhooks::Shared> {
    let mut tx = hub.store.begin().await.unwrap();
    let answer = townhall_exchange::webhooks::push(&mut tx, hub, push, at)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    answer
}

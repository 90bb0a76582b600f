//! `POST requests`: a new case from an API client, with the Open311
//! parameters read into the service's form, idempotency keys honoured, and
//! the case made by the same intake as the council's pages.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Extension;
use townhall_authz::Action;
use townhall_cases::permissions::Reports;
use townhall_cases::{idempotency, Application, Channel, IntakeError, NotPlaced, Requester};
use townhall_services::{QuestionKind, Service};
use townhall_types::text::{single_line, PersonName};
use townhall_types::{EmailAddress, Timestamp};

use super::definition::{self, param, Params};
use super::{allowed, check_jurisdiction, notice, offered, once_each, Asked, Shared};
use townhall_web::caller::{bearer, ApiCaller};
use townhall_web::error::ApiError;
use townhall_web::form::{FormError, Posted};
use townhall_web::wire::{Document, Format, Node};
use townhall_web::AppState;

/// The longest phone number kept: room for a country code, spaces and an
/// extension.
const PHONE_MAX_CHARS: usize = 30;

/// `POST requests`: a new case from an API client, made exactly as one made
/// on the council's pages is: checked, located, routed and audited.
pub(super) async fn create(
    State(state): State<AppState>,
    Extension(shared): Extension<Shared>,
    asked: Asked,
    headers: HeaderMap,
    posted: Result<Posted, FormError>,
) -> Response {
    if asked.name != "requests" {
        let extension = match asked.format {
            Format::Json => "json",
            Format::Xml => "xml",
        };
        let mut refused = asked.answer(Err(ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            format!(
                "'{}' cannot be posted to; post new requests to requests.{extension}",
                asked.name
            ),
        )));
        refused
            .headers_mut()
            .insert(axum::http::header::ALLOW, allowed(&asked.name));
        return refused;
    }
    // A body that cannot be read is answered in the format asked, like any error.
    let posted = match posted {
        Ok(p) => p,
        Err(FormError::TooLarge) => {
            return asked.answer(Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "the request is too large; media must be smaller than 10 MB",
            )))
        }
        Err(FormError::Refused(r)) => return asked.answer(Err(ApiError::bad(r.message()))),
        Err(FormError::Unreadable) => {
            return asked.answer(Err(ApiError::bad(
                "the body could not be read: send the parameters as application/x-www-form-urlencoded, or as multipart/form-data with media",
            )))
        }
    };
    let mut params = asked.params.clone();
    params.extend(posted.fields);
    asked.answer(create_request(&state, &shared.intake, &headers, params, posted.files).await)
}

/// The `Idempotency-Key` header, if sent: 1 to 255 visible ASCII characters
/// (the IETF HTTPAPI draft leaves the form to the server; a UUID fits).
fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .map(|v| v.trim().trim_matches('"'))
        .filter(|v| {
            (1..=idempotency::KEY_MAX_CHARS).contains(&v.len())
                && v.bytes().all(|b| b.is_ascii_graphic())
        })
        .map(|v| Some(v.to_owned()))
        .ok_or_else(|| {
            ApiError::bad(format!(
                "Idempotency-Key: must be 1 to {} visible ASCII characters, like a UUID",
                idempotency::KEY_MAX_CHARS
            ))
        })
}

/// What makes a retry the same request: its service, place and description.
fn fingerprint(params: &Params) -> String {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    for name in [
        "service_code",
        "lat",
        "long",
        "address_id",
        "address_string",
        "description",
    ] {
        hash.update(param(params, name).as_bytes());
        hash.update([0x1F]);
    }
    hex::encode(hash.finalize())
}

/// The answer to a retry: the first request's case, or an error when the
/// key was used for a different request.
fn retried(s: &Service, earlier: &idempotency::Earlier, now: &str) -> Result<Document, ApiError> {
    if earlier.fingerprint != now {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!(
                "Idempotency-Key: this key was used in the last {} minutes for a different request ({}); use a new key for a new request",
                idempotency::REMEMBERED_FOR_MINUTES,
                earlier.reference
            ),
        ));
    }
    Ok(request_made(s, &earlier.reference, earlier.case))
}

/// The answer to a request that made (or had made) a case.
fn request_made(s: &Service, reference: &str, case: townhall_types::CaseId) -> Document {
    Document {
        root: "service_requests",
        body: Node::List(
            "request",
            vec![Node::Object(vec![
                ("service_request_id", Node::text(reference)),
                ("token", Node::text(case.to_string())),
                ("service_notice", Node::text(notice(s))),
                ("account_id", Node::Null),
            ])],
        ),
    }
}

/// A refusal of the key, as GeoReport v2 gives it: 403, naming `api_key`.
fn about_the_key(mut e: ApiError) -> ApiError {
    if e.status == StatusCode::UNAUTHORIZED {
        e.status = StatusCode::FORBIDDEN;
    }
    for m in &mut e.messages {
        *m = format!("api_key: {m}");
    }
    e
}

async fn create_request(
    state: &AppState,
    intake: &townhall_cases::Intake,
    headers: &HeaderMap,
    params: Params,
    files: Vec<townhall_web::form::UploadedFile>,
) -> Result<Document, ApiError> {
    let council = state.council();
    // GeoReport v2 sends the key as the `api_key` parameter; a client may
    // send it as the other APIs take it, `Authorization: Bearer KEY`.
    let secret = match (param(&params, "api_key"), bearer(headers)) {
        ("", bearer) => bearer.unwrap_or_default(),
        (key, None) => key,
        (_, Some(_)) => {
            return Err(ApiError::bad(
                "api_key: send the key once, as api_key or as Authorization: Bearer, not both",
            ))
        }
    };
    if secret.is_empty() {
        return Err(ApiError::forbidden(
            "api_key: an API key is needed to create requests",
        ));
    }
    let caller = ApiCaller::with_key(state, secret)
        .await
        .map_err(about_the_key)?;
    caller.may(Action::Write, &Reports).map_err(about_the_key)?;
    let client = caller.0;
    once_each(&params)?;
    check_jurisdiction(state, &params)?;
    let code = param(&params, "service_code");
    if code.is_empty() {
        return Err(ApiError::bad("service_code: give the service's code"));
    }
    let s = offered(state.setting()?, code).ok_or_else(|| {
        ApiError::bad(format!(
            "service_code: '{code}' is not a service offered here"
        ))
    })?;
    let retry = idempotency_key(headers)?.map(|key| (key, fingerprint(&params)));
    if let Some((key, fingerprint)) = &retry {
        let earlier = idempotency::recall(
            state.store(),
            council.id,
            &client.key_id,
            key,
            Timestamp::now(),
        )
        .await?;
        if let Some(earlier) = earlier {
            return retried(s, &earlier, fingerprint);
        }
    }
    let mut input = definition::form_input(s, &params).map_err(ApiError::bad)?;
    let photo = s.questions.iter().find(|q| q.kind == QuestionKind::Photo);
    if let (Some(q), Some(file)) = (photo, files.into_iter().find(|f| f.field == "media")) {
        let id = townhall_cases::attachments::upload(
            state.store(),
            council.id,
            &file.filename,
            file.bytes,
            Timestamp::now(),
        )
        .await
        .map_err(|e| match e {
            townhall_cases::attachments::UploadError::Store(e) => ApiError::internal(e),
            refused => ApiError::bad(format!("media: {refused}")),
        })?;
        input.insert(q.id.clone(), vec![id.to_string()]);
    }
    let field_errors = |errors: townhall_services::FieldErrors| {
        ApiError::all(
            StatusCode::BAD_REQUEST,
            errors
                .iter()
                .map(|(field, message)| {
                    format!("{}: {message}", definition::parameter_name(s, field))
                })
                .collect(),
        )
    };
    let email = match param(&params, "email") {
        "" => None,
        text => Some(
            EmailAddress::parse(text)
                .map_err(|_| ApiError::bad(format!("email: '{text}' is not an email address")))?,
        ),
    };
    let mut names = Vec::new();
    for part in ["first_name", "last_name"] {
        match PersonName::parse(param(&params, part)) {
            Ok(Some(name)) => names.push(name.into_string()),
            Ok(None) => {}
            Err(too_long) => return Err(ApiError::bad(format!("{part}: {too_long}"))),
        }
    }
    let name = names.join(" ");
    let phone = single_line(param(&params, "phone"));
    if phone.chars().count() > PHONE_MAX_CHARS {
        return Err(ApiError::bad(format!(
            "phone: must be {PHONE_MAX_CHARS} characters or fewer"
        )));
    }
    let at = Timestamp::now();
    let application = Application {
        council,
        boundaries: state.setting::<townhall_places::Boundaries>()?,
        service: s,
        collections: state.settings().get::<townhall_waste::Collections>(),
        input: &input,
        at,
    };
    let requester = Requester::Guest {
        name: (!name.is_empty()).then_some(name),
        email,
        phone: (!phone.is_empty()).then(|| phone.into_owned()),
    };
    let channel = Channel::Open311 {
        client: client.name.clone(),
    };
    let submission = townhall_cases::prepare(state.store(), application, requester, channel)
        .await?
        .map_err(|refused| {
            let mut e = field_errors(refused.fields);
            e.messages.extend(refused.place.map(|(_, why)| match why {
                NotPlaced::OutsideArea {
                    latitude,
                    longitude,
                } => format!("lat/long: {}", state.outside_area(latitude, longitude)),
                NotPlaced::UnknownAddress => format!("address_id: {why}"),
            }));
            e
        })?;
    let request = townhall_cases::Request::of(
        &submission,
        retry
            .as_ref()
            .map(|(key, fingerprint)| townhall_cases::Retry {
                client: client.key_id.clone(),
                key: key.clone(),
                fingerprint: fingerprint.clone(),
            }),
    );
    let case = match intake.submit(request).await {
        Ok(case) => case,
        Err(IntakeError::Refused(refusals)) => return Err(field_errors(refusals)),
        Err(IntakeError::Repeated) => {
            // The same key arrived twice at once and the other made its case first.
            let (key, fingerprint) = retry
                .as_ref()
                .ok_or_else(|| ApiError::internal("a repeat without an idempotency key"))?;
            let earlier = idempotency::recall(state.store(), council.id, &client.key_id, key, at)
                .await?
                .ok_or_else(|| ApiError::internal("an idempotency key vanished"))?;
            return retried(s, &earlier, fingerprint);
        }
        Err(IntakeError::Case(e)) => return Err(ApiError::internal(e)),
    };
    Ok(request_made(s, &case.reference, case.id))
}

//! Open311 GeoReport v2 at `/open311/v2`: discovery, services and their
//! definitions (generated from the service files), requests (create with an
//! API key, list with the spec's filters, read one), tokens, FixMyStreet's
//! `servicerequestupdates`, and the common `page`/`page_size` extension. Every
//! document comes as JSON or XML by its extension, errors included.

mod create;
mod definition;
mod feed_cache;
use feed_cache::FeedCache;

use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse as _, Response};
use axum::routing::get;
use axum::{Extension, Router};
use townhall_cases::public::{PublicCase, PublicFilter, PublicUpdate};
use townhall_services::{Answer, Catalogue, Service};
use townhall_store::Store;
use townhall_types::Timestamp;

use definition::{given, param, Params};
use townhall_web::error::ApiError;
use townhall_web::wire::{Document, Format, Node};
use townhall_web::AppState;

/// The most requests in one answer, as the spec sets it.
const MAX_PAGE: i64 = 1000;

/// What Open311's routes share across sites: the intake, which commits the
/// requests that arrive together as one, and the copies of the open feed.
#[derive(Clone)]
struct Shared {
    intake: townhall_cases::Intake,
    feeds: std::sync::Arc<FeedCache>,
}

/// Open311 under `/open311/v2`, sharing one intake on `store` across sites.
pub fn routes(store: &Store) -> Router<AppState> {
    Router::new()
        .route(
            "/open311/v2/{document}",
            get(document)
                .post(create::create)
                .fallback(not_allowed)
                .layer(axum::extract::DefaultBodyLimit::max(crate::UPLOAD_LIMIT)),
        )
        .route("/open311/v2/services/{code}", get(service_definition))
        .route("/open311/v2/requests/{id}", get(one_request))
        .route("/open311/v2/tokens/{token}", get(token))
        .layer(Extension(Shared {
            intake: townhall_cases::Intake::new(store),
            feeds: std::sync::Arc::default(),
        }))
}

/// The methods a document (`requests` or `requests.json`) takes: `GET` (and
/// `HEAD`), and `POST` for requests.
fn allowed(document: &str) -> axum::http::HeaderValue {
    let name = Format::split(document).map_or(document, |(name, _)| name);
    axum::http::HeaderValue::from_static(if name == "requests" {
        "GET, HEAD, POST"
    } else {
        "GET, HEAD"
    })
}

/// Any other method: 405, with the methods the document takes.
async fn not_allowed(Path(document): Path<String>) -> Response {
    let format = Format::split(&document).map_or(Format::Json, |(_, f)| f);
    let mut refused = ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "this method is not used here; read with GET, and post new requests to requests.json or requests.xml",
    )
    .respond(format);
    refused
        .headers_mut()
        .insert(axum::http::header::ALLOW, allowed(&document));
    refused
}

/// What every Open311 request asks: the last path segment without its
/// extension (a document's name, a code, an id or a token), the format the
/// extension chose, and the query's parameters, for a jurisdiction this site
/// serves. Rejected with a 404 without `.json` or `.xml`, in the format asked
/// for another jurisdiction.
struct Asked {
    name: String,
    format: Format,
    params: Params,
}

impl FromRequestParts<AppState> for Asked {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let no_format = || {
            ApiError::not_found("Add .json or .xml to the address to choose a format")
                .respond(Format::Json)
        };
        let Ok(Path(segment)) = Path::<String>::from_request_parts(parts, state).await else {
            // Not text once decoded: said in the format its extension asks.
            let format = Format::split(parts.uri.path()).map_or(Format::Json, |(_, f)| f);
            return Err(ApiError::bad(
                "The address could not be read: its last part is not UTF-8 text once decoded",
            )
            .respond(format));
        };
        let (name, format) = Format::split(&segment).ok_or_else(no_format)?;
        let Query(params) = Query::<Params>::from_request_parts(parts, state)
            .await
            .map_err(|e| ApiError::bad(e.body_text()).respond(format))?;
        once_each(&params).map_err(|e| e.respond(format))?;
        check_jurisdiction(state, &params).map_err(|e| e.respond(format))?;
        Ok(Asked {
            name: name.to_owned(),
            format,
            params,
        })
    }
}

impl Asked {
    fn answer(&self, made: Result<Document, ApiError>) -> Response {
        match made {
            Ok(doc) => doc.respond(self.format, StatusCode::OK),
            Err(e) => e.respond(self.format),
        }
    }
}

/// Refuses a parameter given more than once, naming it.
fn once_each(params: &Params) -> Result<(), ApiError> {
    match definition::repeated(params) {
        Some(name) => Err(ApiError::bad(format!(
            "{name}: given more than once; give it once (a list is one value, comma-separated)"
        ))),
        None => Ok(()),
    }
}

/// The spec lets one server answer for several jurisdictions; each site is
/// one, named by the council's short name or by its domain (the host of its
/// public address, e.g. `riverside.example`), as clients commonly send it.
fn check_jurisdiction(state: &AppState, params: &Params) -> Result<(), ApiError> {
    let j = param(params, "jurisdiction_id");
    let domain = state.public_url().host_str().unwrap_or_default();
    if j.is_empty() || j == state.council().slug || j.eq_ignore_ascii_case(domain) {
        return Ok(());
    }
    Err(ApiError::not_found(format!(
        "jurisdiction_id '{j}' is not served here; this endpoint serves '{}' (or '{domain}')",
        state.council().slug
    )))
}

fn offered<'a>(services: &'a Catalogue, code: &str) -> Option<&'a Service> {
    services.get(code).filter(|s| definition::offered(s))
}

fn offered_codes(services: &Catalogue) -> Vec<String> {
    services
        .all()
        .iter()
        .filter(|s| definition::offered(s))
        .map(|s| s.id.clone())
        .collect()
}

async fn document(
    State(state): State<AppState>,
    Extension(shared): Extension<Shared>,
    asked: Asked,
) -> Response {
    let made = match asked.name.as_str() {
        "discovery" => Ok(discovery(&state)),
        "services" => state.setting().map(services).map_err(ApiError::from),
        "requests" | "servicerequestupdates" => return feed(&state, &shared.feeds, asked).await,
        other => Err(ApiError::not_found(format!(
            "There is no Open311 document called '{other}'"
        ))),
    };
    asked.answer(made)
}

/// A page of the open feed, from a copy while the council's cases have not
/// changed since it was made (see [`feed_cache`]).
async fn feed(state: &AppState, feeds: &FeedCache, asked: Asked) -> Response {
    let council = state.council().id;
    let version = match townhall_cases::public::version(state.store(), council).await {
        Ok(v) => v,
        Err(e) => return asked.answer(Err(e.into())),
    };
    let key = feed_cache::Asked {
        council,
        document: asked.name.clone(),
        format: asked.format,
        params: asked.params.clone(),
    };
    let body = match feeds.get(&key, version) {
        Some(body) => body,
        None => {
            let made = if asked.name == "requests" {
                requests(state, &asked.params).await
            } else {
                updates(state, &asked.params).await
            };
            let doc = match made {
                Ok(doc) => doc,
                Err(e) => return e.respond(asked.format),
            };
            let body = axum::body::Bytes::from(doc.render(asked.format));
            feeds.put(key, version, body.clone());
            body
        }
    };
    (
        StatusCode::OK,
        [(
            axum::http::header::CONTENT_TYPE,
            asked.format.content_type(),
        )],
        body,
    )
        .into_response()
}

fn discovery(state: &AppState) -> Document {
    let url = state
        .public_url()
        .join("open311/v2")
        .map_or_else(|_| "/open311/v2".to_owned(), |u| u.to_string());
    Document {
        root: "discovery",
        body: Node::Object(vec![
            ("changeset", Node::text("2026-11-27T00:00:00Z")),
            ("contact", Node::text(format!("{} digital services", state.council().name))),
            ("key_service", Node::text("Ask the council for an API key; it is created with 'townhall admin api-key create'.")),
            ("jurisdiction_id", Node::text(&state.council().slug)),
            (
                "endpoints",
                Node::List(
                    "endpoint",
                    vec![Node::Object(vec![
                        ("specification", Node::text("http://wiki.open311.org/GeoReport_v2")),
                        ("url", Node::text(url)),
                        ("changeset", Node::text("2026-11-27T00:00:00Z")),
                        ("type", Node::text("production")),
                        (
                            "formats",
                            Node::List(
                                "format",
                                vec![Node::text("text/xml"), Node::text("application/json")],
                            ),
                        ),
                    ])],
                ),
            ),
        ]),
    }
}

fn services(catalogue: &Catalogue) -> Document {
    Document {
        root: "services",
        body: Node::List(
            "service",
            catalogue
                .all()
                .iter()
                .filter(|s| definition::offered(s))
                .map(definition::summary)
                .collect(),
        ),
    }
}

async fn service_definition(State(state): State<AppState>, asked: Asked) -> Response {
    let code = &asked.name;
    let catalogue = match state.setting::<Catalogue>() {
        Ok(catalogue) => catalogue,
        Err(e) => return asked.answer(Err(e.into())),
    };
    let made = offered(catalogue, code)
        .map(|s| Document {
            root: "service_definition",
            body: definition::definition(s),
        })
        .ok_or_else(|| ApiError::not_found(format!("service_code '{code}' not found")));
    asked.answer(made)
}

/// Open311's form of a time: RFC 3339 to the second.
fn w3c(t: Timestamp) -> String {
    t.datetime()
        .replace_nanosecond(0)
        .ok()
        .and_then(|d| {
            d.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| t.to_db())
}

/// A `start_date` or `end_date`: a date and time, or a date alone, which
/// W3C-DTF allows and FixMyStreet's clients send. A date alone means the start
/// of that day (UTC) for `start_date` and its end for `end_date`, so both
/// include the whole day.
fn parse_time(params: &Params, name: &str) -> Result<Option<Timestamp>, ApiError> {
    let text = given(params, name);
    if text.is_empty() {
        return Ok(None);
    }
    if let Ok(at) = Timestamp::parse(text) {
        return Ok(Some(at));
    }
    let date = time::Date::parse(text, &time::format_description::well_known::Iso8601::DATE)
        .map_err(|_| {
            ApiError::bad(format!(
                "{name}: '{text}' is not a date like 2026-11-30 or a date and time like 2026-11-01T00:00:00Z"
            ))
        })?;
    let day = date.midnight().assume_utc();
    Ok(Some(Timestamp::from_datetime(if name == "end_date" {
        day + time::Duration::days(1) - time::Duration::microseconds(1)
    } else {
        day
    })))
}

/// `page` (from 1) and `page_size` (up to 1000): the limit and offset.
fn paging(params: &Params) -> Result<(i64, i64), ApiError> {
    let number = |name: &str, default: i64| match given(params, name) {
        "" if !params.iter().any(|(k, _)| k == name) => Ok(default),
        // Any whole number from 1, however long: one past the last page
        // lists nothing, and a page size is held to the maximum.
        text if text.bytes().all(|b| b.is_ascii_digit()) && text.bytes().any(|b| b != b'0') => {
            Ok(text.parse::<i64>().unwrap_or(i64::MAX))
        }
        _ => Err(ApiError::bad(format!(
            "{name}: must be a whole number from 1"
        ))),
    };
    let size = number("page_size", MAX_PAGE)?.min(MAX_PAGE);
    let page = number("page", 1)?;
    Ok((size, (page - 1).saturating_mul(size)))
}

fn list(params: &Params, name: &str) -> Vec<String> {
    param(params, name)
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

async fn requests(state: &AppState, params: &Params) -> Result<Document, ApiError> {
    let catalogue = state.setting::<Catalogue>()?;
    let offered = offered_codes(catalogue);
    let asked = list(params, "service_code");
    if let Some(unknown) = asked.iter().find(|c| !offered.contains(c)) {
        return Err(ApiError::not_found(format!(
            "service_code: '{unknown}' is not a service offered here"
        )));
    }
    let closed = match given(params, "status") {
        "" | "open,closed" | "closed,open" => None,
        "open" => Some(false),
        "closed" => Some(true),
        _ => return Err(ApiError::bad("status: give open, closed or open,closed")),
    };
    let mut from = parse_time(params, "start_date")?;
    let until = parse_time(params, "end_date")?;
    if from.is_none() && until.is_none() {
        // The spec's default window: the last 90 days.
        from = Some(Timestamp::now().plus(time::Duration::days(-90)));
    }
    let (limit, offset) = paging(params)?;
    let filter = PublicFilter {
        references: list(params, "service_request_id"),
        services: if asked.is_empty() { offered } else { asked },
        from,
        until,
        closed,
    };
    let cases =
        townhall_cases::public::list(state.store(), state.council().id, &filter, limit, offset)
            .await?;
    Ok(request_list(state, catalogue, &cases))
}

fn request_list(state: &AppState, catalogue: &Catalogue, cases: &[PublicCase]) -> Document {
    Document {
        root: "service_requests",
        body: Node::List(
            "request",
            cases
                .iter()
                .map(|c| request_node(state, catalogue, c))
                .collect(),
        ),
    }
}

fn request_node(state: &AppState, catalogue: &Catalogue, c: &PublicCase) -> Node {
    let service = catalogue.get(&c.service);
    let description: Vec<String> = service
        .map(|s| {
            s.questions
                .iter()
                .filter_map(|q| {
                    c.answers
                        .get(&q.id)
                        .map(|a| format!("{}: {}", q.short_name(), answer_text(q, a)))
                })
                .collect()
        })
        .unwrap_or_default();
    let (lat, long) = c.position.map_or((Node::Null, Node::Null), |(la, lo)| {
        (Node::Number(la), Node::Number(lo))
    });
    Node::Object(vec![
        ("service_request_id", Node::text(&c.reference)),
        (
            "status",
            Node::text(if c.closed { "closed" } else { "open" }),
        ),
        ("status_notes", Node::optional(c.latest_note.clone())),
        (
            "service_name",
            Node::text(service.map_or(c.service.as_str(), |s| s.name.as_str())),
        ),
        ("service_code", Node::text(&c.service)),
        ("description", Node::text(description.join("; "))),
        ("agency_responsible", Node::text(&state.council().name)),
        ("service_notice", Node::optional(service.map(notice))),
        ("requested_datetime", Node::text(w3c(c.created_at))),
        ("updated_datetime", Node::text(w3c(c.updated_at))),
        ("expected_datetime", Node::text(w3c(c.due_at))),
        ("address", Node::Null),
        ("address_id", Node::Null),
        ("zipcode", Node::Null),
        ("lat", lat),
        ("long", long),
        ("media_url", Node::Null),
    ])
}

fn answer_text(q: &townhall_services::Question, a: &Answer) -> String {
    crate::answers::answer_text(q, a, None)
}

fn notice(s: &Service) -> String {
    format!("We aim to deal with it within {}.", s.deadline)
}

async fn one_request(State(state): State<AppState>, asked: Asked) -> Response {
    asked.answer(one(&state, &asked.name).await)
}

async fn one(state: &AppState, reference: &str) -> Result<Document, ApiError> {
    let catalogue = state.setting::<Catalogue>()?;
    let filter = PublicFilter {
        references: vec![reference.to_owned()],
        services: offered_codes(catalogue),
        ..PublicFilter::default()
    };
    let cases =
        townhall_cases::public::list(state.store(), state.council().id, &filter, 1, 0).await?;
    if cases.is_empty() {
        return Err(ApiError::not_found(format!(
            "service_request_id '{reference}' not found"
        )));
    }
    Ok(request_list(state, catalogue, &cases))
}

async fn token(State(state): State<AppState>, asked: Asked) -> Response {
    asked.answer(request_of_token(&state, &asked.name).await)
}

async fn request_of_token(state: &AppState, token: &str) -> Result<Document, ApiError> {
    let missing = || ApiError::not_found(format!("token '{token}' not found"));
    let id = token.parse().map_err(|_| missing())?;
    let reference = townhall_cases::public::reference_of(state.store(), state.council().id, id)
        .await?
        .ok_or_else(missing)?;
    Ok(Document {
        root: "service_requests",
        body: Node::List(
            "request",
            vec![Node::Object(vec![
                ("service_request_id", Node::text(reference)),
                ("token", Node::text(token)),
            ])],
        ),
    })
}

async fn updates(state: &AppState, params: &Params) -> Result<Document, ApiError> {
    let catalogue = state.setting::<Catalogue>()?;
    let until = parse_time(params, "end_date")?.unwrap_or_else(Timestamp::now);
    let from = parse_time(params, "start_date")?.unwrap_or(until.plus(time::Duration::days(-1)));
    let (limit, offset) = paging(params)?;
    let found = townhall_cases::public::updates(
        state.store(),
        state.council().id,
        &offered_codes(catalogue),
        (from, until),
        limit,
        offset,
    )
    .await?;
    Ok(Document {
        root: "service_request_updates",
        body: Node::List(
            "request_update",
            found.iter().map(|u| update_node(catalogue, u)).collect(),
        ),
    })
}

fn update_node(catalogue: &Catalogue, u: &PublicUpdate) -> Node {
    let status = catalogue
        .get(&u.service)
        .and_then(|s| s.workflow.status(&u.status));
    let code = status
        .and_then(|st| st.external.clone())
        .unwrap_or_else(|| {
            if status.is_some_and(|st| st.closed) {
                "closed".into()
            } else {
                "open".into()
            }
        });
    let description = u
        .note
        .clone()
        .or_else(|| status.map(|st| st.label.clone()))
        .unwrap_or_default();
    Node::Object(vec![
        (
            "update_id",
            Node::text(format!("{}-{}", u.reference, u.seq)),
        ),
        ("service_request_id", Node::text(&u.reference)),
        ("status", Node::text(code)),
        ("updated_datetime", Node::text(w3c(u.at))),
        ("description", Node::text(description)),
        ("media_url", Node::Null),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Params {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn pages_of_any_size_are_read() {
        let p = params(&[
            ("page", "252998499130098288909352960"),
            ("page_size", "0010"),
        ]);
        assert_eq!(paging(&p).unwrap(), (10, i64::MAX));
        let p = params(&[("page_size", "1549506912898082206832465543168")]);
        assert_eq!(paging(&p).unwrap(), (MAX_PAGE, 0));
        for bad in ["0", "000", "-1", "1.5", "", "+3"] {
            assert!(paging(&params(&[("page", bad)])).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_date_alone_covers_the_whole_day() {
        let p = params(&[("start_date", "2026-11-30"), ("end_date", "2026-11-30")]);
        assert_eq!(
            parse_time(&p, "start_date").unwrap().unwrap().to_db(),
            "2026-11-30T00:00:00.000000Z"
        );
        assert_eq!(
            parse_time(&p, "end_date").unwrap().unwrap().to_db(),
            "2026-11-30T23:59:59.999999Z"
        );
        let p = params(&[
            ("start_date", "2026-11-30T08:00:00Z"),
            ("end_date", "30/11/2026"),
        ]);
        assert_eq!(
            parse_time(&p, "start_date").unwrap().unwrap().to_db(),
            "2026-11-30T08:00:00.000000Z"
        );
        assert!(parse_time(&p, "end_date").unwrap_err().messages[0]
            .starts_with("end_date: '30/11/2026'"));
    }
}

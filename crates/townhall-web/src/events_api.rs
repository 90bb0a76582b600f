//! The event feed: a council's domain events in order, as CloudEvents, for
//! a client holding `events:read`. A client keeps the `next` number it was
//! given and asks for what comes after it.

use axum::extract::{RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use townhall_authz::Action;
use townhall_events::permissions::EventFeed;

use crate::caller::ApiCaller;
use crate::error::ApiError;
use crate::AppState;

/// How many events one answer gives unless asked for fewer.
const DEFAULT_LIMIT: u32 = 100;
/// The most one answer gives.
const MAX_LIMIT: u32 = 1000;

/// What the feed was asked for.
#[derive(Debug, PartialEq, Eq)]
struct Asked {
    after: i64,
    limit: u32,
}

/// Reads `after` (a number from 0, default 0) and `limit` (1 to 1,000,
/// default 100), each written in digits alone and given once; other
/// parameters are ignored.
fn asked(query: Option<&str>) -> Result<Asked, ApiError> {
    let mut after = None;
    let mut limit = None;
    for (name, value) in url::form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        match name.as_ref() {
            "after" => {
                let n = number(&value).ok_or_else(|| {
                    ApiError::bad("'after' must be the number of an event already read, 0 or more")
                        .with_code("invalid_after")
                })?;
                once(&mut after, "after", n)?;
            }
            "limit" => {
                let n = number(&value)
                    .and_then(|n| u32::try_from(n).ok())
                    .filter(|n| (1..=MAX_LIMIT).contains(n))
                    .ok_or_else(|| {
                        ApiError::bad(format!("'limit' must be a number from 1 to {MAX_LIMIT}"))
                            .with_code("invalid_limit")
                    })?;
                once(&mut limit, "limit", n)?;
            }
            _ => {}
        }
    }
    Ok(Asked {
        after: after.unwrap_or(0),
        limit: limit.unwrap_or(DEFAULT_LIMIT),
    })
}

/// Keeps `value` of parameter `name`, refusing a second one: a reader
/// told two places to start from must not be guessed for.
fn once<T>(slot: &mut Option<T>, name: &str, value: T) -> Result<(), ApiError> {
    match slot.replace(value) {
        None => Ok(()),
        Some(_) => Err(ApiError::bad(format!(
            "'{name}' is given more than once; give it once"
        ))),
    }
}

/// A whole number from 0 written in digits alone (no sign, no spaces).
fn number(text: &str) -> Option<i64> {
    (!text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
}

/// `GET /api/v1/events`: the events after `after`, oldest first.
pub(crate) async fn feed(
    State(state): State<AppState>,
    caller: ApiCaller,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    caller.may(Action::Read, &EventFeed)?;
    let asked = asked(query.as_deref())?;
    let council = state.council().id;
    let latest = townhall_events::latest(state.store(), council).await?;
    if asked.after > latest {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            format!(
                "'after' is {}, but the council's latest event is {latest}: this reader is ahead of this store (restored from an older backup?)",
                asked.after
            ),
        )
        .with_code("conflict"));
    }
    let events = townhall_events::after(state.store(), council, asked.after, asked.limit).await?;
    let next = events.last().map_or(asked.after, |e| e.sequence);
    let body = serde_json::json!({
        "events": events.iter().map(townhall_events::Stored::cloud_event).collect::<Vec<_>>(),
        "next": next,
        "latest": latest,
    });
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(body)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_feed_reads_where_to_start_and_how_many() {
        assert_eq!(
            asked(None).unwrap(),
            Asked {
                after: 0,
                limit: 100
            }
        );
        assert_eq!(
            asked(Some("after=41&limit=1000&other=x")).unwrap(),
            Asked {
                after: 41,
                limit: 1000
            }
        );
        for bad in [
            "after=-1",
            "after=x",
            "after=",
            "limit=0",
            "limit=1001",
            "limit=ten",
        ] {
            assert!(asked(Some(bad)).is_err(), "{bad}");
        }
    }
}

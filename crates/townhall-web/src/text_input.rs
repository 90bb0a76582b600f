//! The one gate every piece of text passes on its way in: the path, the query
//! string, URL-encoded and JSON bodies here, and multipart fields in
//! the form extractor. Each is held to [`townhall_types::text`]: control
//! characters and overlong answers are refused with a 400 naming the field, in the form the caller
//! reads (a page, JSON, or an Open311 document), and line breaks are written as
//! `\n` before any handler sees them. So both stores and every document format
//! receive the same text, and none of them can fail on it.

use std::borrow::Cow;

use axum::body::{to_bytes, Body, Bytes};
use axum::extract::Request;
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use percent_encoding::percent_decode_str;
use serde_json::Value;
use townhall_types::text::{self, Refusal};

use crate::error::{answer_for, ApiError, AppError};

/// Text refused, and where it was.
#[derive(Debug)]
pub struct Refused {
    /// The field or parameter, or `None` for the path.
    pub field: Option<String>,
    pub why: Refusal,
}

impl Refused {
    pub fn message(&self) -> String {
        let remedy = match self.why {
            Refusal::Forbidden(_) => ". Remove it and try again",
            Refusal::TooLong => "",
        };
        match &self.field {
            Some(f) => format!("{f}: {}{remedy}", self.why),
            None => format!("The web address {}{remedy}", self.why),
        }
    }

    /// The same, said to a person filling in a page: the field in words.
    pub fn page_message(&self) -> String {
        match &self.field {
            Some(f) => {
                let words = f
                    .replace(['_', '-', '[', ']'], " ")
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ");
                let remedy = match self.why {
                    Refusal::Forbidden(_) => ". Remove it and try again",
                    Refusal::TooLong => "",
                };
                format!("Your answer to '{words}' {}{remedy}", self.why)
            }
            None => self.message(),
        }
    }
}

/// The longest a field's name is repeated in a refusal: enough to find
/// it, never the whole of a name sent to fill the answer.
const NAME_SHOWN: usize = 60;

/// `value` of `field`, checked and with its line breaks made `\n`.
pub fn clean<'a>(field: &str, value: &'a str) -> Result<Cow<'a, str>, Refused> {
    text::clean(value).map_err(|why| Refused {
        field: Some(shown(field)),
        why,
    })
}

/// `field`'s name as a refusal repeats it.
fn shown(field: &str) -> String {
    match field.char_indices().nth(NAME_SHOWN) {
        Some((cut, _)) => format!("{}…", &field[..cut]),
        None => field.to_owned(),
    }
}

/// The middleware: checks the path and query, and cleans URL-encoded and
/// JSON bodies, before the request goes on.
pub async fn gate(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let refused = |r: Refused| refusal(&path, &r);
    if let Err(r) = check_path(&path) {
        return refused(r);
    }
    if let Some(query) = request.uri().query() {
        for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
            if let Err(r) = clean(&k, &k).and_then(|_| clean(&k, &v)) {
                return refused(r);
            }
        }
    }
    let kind = body_kind(&request);
    if kind == BodyKind::Other {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    // Forms and JSON are text: photos come as multipart, which is not read
    // here. The handlers' own limits still apply when they read it again.
    let (limit, said) = match kind {
        BodyKind::Json => (
            crate::JSON_LIMIT,
            "The request is too large: send 2 MB or less",
        ),
        _ => (
            crate::FORM_LIMIT,
            "The request is too large: send 1 MB or less",
        ),
    };
    let Ok(bytes) = to_bytes(body, limit).await else {
        return answer_for(
            &path,
            ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, said),
            AppError::TooLarge,
        );
    };
    let cleaned = match kind {
        BodyKind::Form => clean_form(&bytes),
        BodyKind::Json => clean_json(&bytes),
        BodyKind::Other => Ok(None),
    };
    let bytes = match cleaned {
        Ok(Some(changed)) => Bytes::from(changed),
        Ok(None) => bytes,
        Err(r) => return refused(r),
    };
    let mut parts = parts;
    parts.headers.remove(header::CONTENT_LENGTH);
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BodyKind {
    Form,
    Json,
    Other,
}

fn body_kind(request: &Request) -> BodyKind {
    let Some(media) = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
    else {
        return BodyKind::Other;
    };
    if media == "application/x-www-form-urlencoded" {
        BodyKind::Form
    } else if media == "application/json" || media.ends_with("+json") {
        BodyKind::Json
    } else {
        BodyKind::Other
    }
}

fn check_path(path: &str) -> Result<(), Refused> {
    let decoded = percent_decode_str(path).decode_utf8_lossy();
    text::clean(&decoded)
        .map(|_| ())
        .map_err(|why| Refused { field: None, why })
}

/// The form written again if a line break changed; `None` when it is as sent.
fn clean_form(bytes: &[u8]) -> Result<Option<Vec<u8>>, Refused> {
    let mut changed = false;
    let mut pairs = Vec::new();
    for (k, v) in url::form_urlencoded::parse(bytes) {
        let key = clean(&k, &k)?.into_owned();
        let value = clean(&key, &v)?;
        changed |= matches!(value, Cow::Owned(_)) || key != k;
        pairs.push((key, value.into_owned()));
    }
    if !changed {
        return Ok(None);
    }
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    out.extend_pairs(pairs);
    Ok(Some(out.finish().into_bytes()))
}

/// The JSON written again if a line break changed; a body that is not JSON is
/// left for the handler to refuse in its own words.
fn clean_json(bytes: &[u8]) -> Result<Option<Vec<u8>>, Refused> {
    let Ok(mut value) = serde_json::from_slice::<Value>(bytes) else {
        return Ok(None);
    };
    if !clean_value(&mut value, "")? {
        return Ok(None);
    }
    Ok(serde_json::to_vec(&value).ok())
}

/// Cleans every string (and key) in `value`; whether anything changed. `at`
/// names where it is, like `records[0].first_name`.
fn clean_value(value: &mut Value, at: &str) -> Result<bool, Refused> {
    let name = |at: &str| {
        if at.is_empty() {
            "body".to_owned()
        } else {
            at.to_owned()
        }
    };
    match value {
        Value::String(s) => match clean(&name(at), s)? {
            Cow::Borrowed(_) => Ok(false),
            Cow::Owned(c) => {
                *s = c;
                Ok(true)
            }
        },
        Value::Array(items) => {
            let mut changed = false;
            for (i, item) in items.iter_mut().enumerate() {
                changed |= clean_value(item, &format!("{at}[{i}]"))?;
            }
            Ok(changed)
        }
        Value::Object(map) => {
            let mut changed = false;
            let mut out = serde_json::Map::with_capacity(map.len());
            for (k, mut v) in std::mem::take(map) {
                let field = if at.is_empty() {
                    k.clone()
                } else {
                    format!("{at}.{k}")
                };
                let key = clean(&field, &k)?.into_owned();
                changed |= key != k;
                changed |= clean_value(&mut v, &field)?;
                out.insert(key, v);
            }
            *map = out;
            Ok(changed)
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => Ok(false),
    }
}

/// The refusal in the form the caller reads.
fn refusal(path: &str, r: &Refused) -> Response {
    // Open311 names the parameter; JSON has a code of its own for it.
    let api = ApiError::bad(r.message());
    let api = if path.starts_with("/open311/") {
        api
    } else {
        api.with_code("invalid_text")
    };
    answer_for(path, api, AppError::BadRequest(r.page_message()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_are_refused_by_field_and_written_again_only_when_breaks_change() {
        let err = clean_form(b"name=Jo%00&note=x").unwrap_err();
        assert_eq!(err.field.as_deref(), Some("name"));
        assert_eq!(
            err.message(),
            "name: contains a character that cannot be typed (U+0000). Remove it and try again"
        );
        assert_eq!(clean_form(b"a=1&b=two+words").unwrap(), None);
        assert_eq!(
            clean_form(b"note=one%0D%0Atwo%0Bthree").unwrap().unwrap(),
            b"note=one%0Atwo%0Athree"
        );
    }

    #[test]
    fn json_strings_are_named_by_where_they_are() {
        let err = clean_json(br#"{"records":[{"first_name":"A\u0001"}]}"#).unwrap_err();
        assert_eq!(err.field.as_deref(), Some("records[0].first_name"));
        let fixed = clean_json(br#"{"note":"a\r\nb","n":1}"#).unwrap().unwrap();
        assert_eq!(
            serde_json::from_slice::<Value>(&fixed).unwrap(),
            serde_json::json!({"note": "a\nb", "n": 1})
        );
        assert_eq!(clean_json(b"not json").unwrap(), None);
    }

    #[test]
    fn a_refusal_repeats_a_long_field_name_only_in_part() {
        let name = "k".repeat(100_000);
        let refused = clean(&name, "a\u{0}").unwrap_err();
        let message = refused.message();
        assert!(
            message.starts_with(&format!("{}…:", "k".repeat(60))),
            "{message}"
        );
        assert!(message.len() < 200, "{}", message.len());
        assert!(refused.page_message().len() < 200);
    }

    #[test]
    fn paths_are_read_decoded() {
        assert!(check_path("/open311/v2/requests/%00.json").is_err());
        assert!(check_path("/open311/v2/requests/RIV-000001.json").is_ok());
        assert!(check_path("/caf%C3%A9").is_ok());
    }
}

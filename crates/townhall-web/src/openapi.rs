//! The OpenAPI document at `/api/openapi.json`: the platform's own part
//! (`openapi.json` beside this crate: the health, metrics and event feed
//! endpoints, the error and event schemas) and each capability's, merged
//! once when the application is built.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::{AppState, Served, SetupError};

/// The platform's part and every capability's, merged: a path or schema
/// named twice, or a part that is not such a document, is refused.
pub(crate) fn merged(capabilities: &[Served]) -> Result<Value, SetupError> {
    let wrong = |why: String| SetupError::OpenApi(why);
    let mut document: Value = serde_json::from_str(include_str!("../openapi.json"))
        .map_err(|e| wrong(format!("the platform's part: {e}")))?;
    for (n, part) in capabilities.iter().filter_map(|c| c.openapi).enumerate() {
        let part: Value = serde_json::from_str(part)
            .map_err(|e| wrong(format!("capability part {}: {e}", n + 1)))?;
        for (section, at) in [
            ("paths", &["paths"][..]),
            ("schemas", &["components", "schemas"][..]),
        ] {
            let Some(theirs) = at.iter().try_fold(&part, |v, key| v.get(key)) else {
                continue;
            };
            let theirs = theirs.as_object().ok_or_else(|| {
                wrong(format!(
                    "capability part {}: {section} is not an object",
                    n + 1
                ))
            })?;
            let ours = at
                .iter()
                .try_fold(&mut document, |v, key| v.get_mut(key))
                .and_then(Value::as_object_mut)
                .ok_or_else(|| wrong(format!("the platform's part has no {section}")))?;
            add(ours, theirs)
                .map_err(|name| wrong(format!("{section}: '{name}' is described twice")))?;
        }
    }
    Ok(document)
}

/// Adds `theirs` to `ours`, or names the first key both have.
fn add(ours: &mut Map<String, Value>, theirs: &Map<String, Value>) -> Result<(), String> {
    if let Some(both) = theirs.keys().find(|k| ours.contains_key(*k)) {
        return Err(both.clone());
    }
    ours.extend(theirs.iter().map(|(k, v)| (k.clone(), v.clone())));
    Ok(())
}

/// `GET /api/openapi.json`, as this council's site answers: the purposes
/// and recipients a consent question may name are those its policy
/// declares.
pub(crate) async fn document(State(state): State<AppState>) -> Result<Response, ApiError> {
    let mut document = state.shared.openapi.clone();
    let policy: &townhall_consent::Policy = state.setting()?;
    let declared = [
        (
            "purpose",
            policy
                .purposes
                .iter()
                .map(|p| p.id.clone())
                .collect::<Vec<_>>(),
        ),
        (
            "recipient",
            policy.recipients.iter().map(|r| r.id.clone()).collect(),
        ),
    ];
    for (field, ids) in declared {
        let schema = &mut document["components"]["schemas"]["DecisionRequest"]["properties"][field];
        if let Some(schema) = schema.as_object_mut() {
            schema.insert("enum".into(), serde_json::json!(ids));
        }
    }
    Ok(Json(document).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(openapi: &'static str) -> Served {
        Served::routes(|_| axum::Router::new()).with_openapi(openapi)
    }

    #[test]
    fn each_capability_adds_its_paths_and_schemas_once() {
        let a = part(r#"{"paths": {"/api/a": {}}, "components": {"schemas": {"A": {}}}}"#);
        let document = merged(&[a]).unwrap();
        assert!(document["paths"]["/api/a"].is_object());
        assert!(
            document["paths"]["/api/v1/events"].is_object(),
            "the platform's own"
        );
        assert!(document["components"]["schemas"]["A"].is_object());
        let again = part(r#"{"paths": {"/api/b": {}}, "components": {"schemas": {"A": {}}}}"#);
        assert_eq!(
            merged(&[a, again]).unwrap_err().to_string(),
            "the OpenAPI document: schemas: 'A' is described twice"
        );
        let kernel = part(r#"{"paths": {"/healthz": {}}}"#);
        assert_eq!(
            merged(&[kernel]).unwrap_err().to_string(),
            "the OpenAPI document: paths: '/healthz' is described twice"
        );
        let broken = part(r#"{"paths": ["/api/c"]}"#);
        assert_eq!(
            merged(&[broken]).unwrap_err().to_string(),
            "the OpenAPI document: capability part 1: paths is not an object"
        );
    }
}

//! The ceiling for `bench/open311`: axum on its own, with no store, no
//! middleware and no rules, answering the same two kinds of request as the
//! Open311 benchmark (a form POST and a JSON GET). Whatever Townhall does on
//! top of this is measured against it.
//!
//!     cargo run --release -p townhall-web --example bare_axum -- 127.0.0.1:8091

use axum::routing::get;
use axum::{Form, Json, Router};
use serde_json::{json, Value};

async fn list() -> Json<Value> {
    Json(json!([{"service_request_id": "RIV-000001", "status": "open"}]))
}

async fn create(Form(fields): Form<Vec<(String, String)>>) -> Json<Value> {
    Json(json!([{"service_request_id": format!("RIV-{:06}", fields.len()), "service_notice": ""}]))
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8091".to_owned());
    let app = Router::new().route("/open311/v2/requests.json", get(list).post(create));
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    axum::serve(listener, app).await
}

//! Health checks and metrics for the people and machines running the server.
//! They answer on any host name, as probes rarely use a council's; metrics
//! only to the addresses configured to read them.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::client::client_address;
use crate::Shared;

pub fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ready))
        .route("/metrics", get(metrics))
}

async fn ready(State(shared): State<Arc<Shared>>) -> Response {
    match shared.store.ping().await {
        Ok(()) => "ready".into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "store not ready");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "the database is not answering",
            )
                .into_response()
        }
    }
}

/// The counters, for the addresses allowed to read them (`metrics_from`);
/// to anyone else there is nothing here.
async fn metrics(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    let settings = &shared.settings;
    let client = client_address(
        peer.ip(),
        &headers,
        &settings.trusted_proxies,
        settings.forwarded_header,
    );
    if !settings.metrics_from.iter().any(|n| n.contains(&client)) {
        return crate::error::AppError::NotFound.into_response();
    }
    // Read at each scrape: the store knows every process's subscribers.
    match townhall_events::backlog(&shared.store).await {
        Ok(backlog) => {
            for b in backlog {
                if let Some(area) = shared.areas.iter().find(|a| a.council == b.council) {
                    shared
                        .metrics
                        .events_behind(&area.slug, &b.subscriber, b.behind);
                }
            }
        }
        Err(e) => tracing::warn!(error = %e, "events' backlog not read for metrics"),
    }
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        shared.metrics.render(),
    )
        .into_response()
}

//! Prometheus metrics: requests by council, route and status, and their
//! duration; and how far behind each subscriber to events is, by council.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

use crate::AppState;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    council: String,
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct BacklogLabels {
    council: String,
    subscriber: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    council: String,
    route: String,
}

/// The server's metrics registry.
#[derive(Clone)]
pub struct Metrics {
    registry: Arc<Mutex<Registry>>,
    requests: Family<RequestLabels, Counter>,
    duration: Family<RouteLabels, Histogram>,
    events_behind: Family<BacklogLabels, Gauge>,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("townhall");
        let requests = Family::<RequestLabels, Counter>::default();
        let duration = Family::<RouteLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.0005, 2.0, 16))
        });
        registry.register("http_requests", "HTTP requests answered", requests.clone());
        registry.register(
            "http_request_duration_seconds",
            "Time to answer HTTP requests",
            duration.clone(),
        );
        let events_behind = Family::<BacklogLabels, Gauge>::default();
        registry.register(
            "events_behind",
            "Events a subscriber has yet to act on, by council",
            events_behind.clone(),
        );
        Self {
            registry: Arc::new(Mutex::new(registry)),
            requests,
            duration,
            events_behind,
        }
    }
}

impl Metrics {
    /// Sets how far `subscriber` is behind with `council`'s (a slug) events.
    pub fn events_behind(&self, council: &str, subscriber: &str, behind: i64) {
        self.events_behind
            .get_or_create(&BacklogLabels {
                council: council.to_owned(),
                subscriber: subscriber.to_owned(),
            })
            .set(behind);
    }

    /// The metrics in Prometheus text format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if let Ok(registry) = self.registry.lock() {
            let _ = prometheus_client::encoding::text::encode(&mut out, &registry);
        }
        out
    }
}

pub async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let method = request.method().to_string();
    let started = Instant::now();
    let response = next.run(request).await;
    let m = &state.shared.metrics;
    m.requests
        .get_or_create(&RequestLabels {
            council: state.council().slug.clone(),
            method,
            route: route.clone(),
            status: response.status().as_u16(),
        })
        .inc();
    m.duration
        .get_or_create(&RouteLabels {
            council: state.council().slug.clone(),
            route,
        })
        .observe(started.elapsed().as_secs_f64());
    response
}

//! The work a server does besides answering requests: handing queued
//! messages to their transport, and delivering domain events to each
//! subscriber. The server and the test kit start the same workers.

use std::sync::Arc;
use std::time::Duration;

use townhall_cases::CaseMessages;
use townhall_jetstream::Publisher;
use townhall_notify::{Templates, Transport};
use townhall_store::Store;
use townhall_web::Site;

/// How often an idle worker looks for new work. Events and messages
/// committed meanwhile wait at most this long.
pub const IDLE: Duration = Duration::from_millis(50);

/// The running workers; they stop when this is dropped.
pub struct Workers(Vec<tokio::task::JoinHandle<()>>);

impl Workers {
    /// Starts the workers for `sites`: the case messages of their councils
    /// (rendered with `templates`), the outbox's delivery through
    /// `transport`, and, when given, the copy of every event to a JetStream
    /// stream.
    pub fn start(
        store: &Store,
        sites: &[Site],
        templates: Arc<Templates>,
        transport: Transport,
        jetstream: Option<Publisher>,
    ) -> Self {
        let mut handles = vec![
            tokio::spawn(townhall_events::run(
                store.clone(),
                case_messages(sites, templates),
                IDLE,
            )),
            tokio::spawn(deliver_messages(store.clone(), transport)),
        ];
        if let Some(publisher) = jetstream {
            handles.push(tokio::spawn(townhall_events::run(
                store.clone(),
                publisher,
                IDLE,
            )));
        }
        Workers(handles)
    }
}

impl Drop for Workers {
    fn drop(&mut self) {
        for handle in &self.0 {
            handle.abort();
        }
    }
}

/// The subscriber that sends `sites`' case messages.
pub fn case_messages(sites: &[Site], templates: Arc<Templates>) -> CaseMessages {
    sites
        .iter()
        .fold(CaseMessages::new(templates), |messages, site| {
            messages.serving(site.council.clone(), Arc::new(site.services.clone()))
        })
}

async fn deliver_messages(store: Store, transport: Transport) {
    loop {
        if let Err(e) = townhall_notify::deliver_pending(&store, &transport).await {
            tracing::warn!(error = %e, "notification delivery failed");
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

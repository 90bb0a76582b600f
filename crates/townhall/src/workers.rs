//! The work a server does besides answering requests: handing queued
//! messages to their transport, delivering domain events to each
//! subscriber, and finishing payments whose payers never came back. The
//! server and the test kit start the same workers.

use std::sync::Arc;
use std::time::Duration;

use townhall_cases::paid::{Finished, Till};
use townhall_cases::CaseMessages;
use townhall_jetstream::Publisher;
use townhall_kernel::Missing;
use townhall_notify::{Templates, Transport};
use townhall_services::Catalogue;
use townhall_store::Store;
use townhall_types::Timestamp;
use townhall_web::Site;

/// How often an idle worker looks for new work. Events and messages
/// committed meanwhile wait at most this long.
pub const IDLE: Duration = Duration::from_millis(50);

/// How often payments left unfinished are looked for.
pub const PAYMENTS_EVERY: Duration = Duration::from_secs(60);

/// The running workers; they stop when this is dropped.
pub struct Workers(Vec<tokio::task::JoinHandle<()>>);

impl Workers {
    /// Starts the workers for `sites`: the case messages of their councils
    /// (rendered with `templates`), the outbox's delivery through
    /// `transport`, the payments their payers left unfinished, and, when
    /// given, the copy of every event to a JetStream stream.
    pub fn start(
        store: &Store,
        sites: &[Site],
        templates: Arc<Templates>,
        transport: Transport,
        jetstream: Option<Publisher>,
    ) -> Result<Self, Missing> {
        let mut handles = vec![
            tokio::spawn(townhall_events::run(
                store.clone(),
                case_messages(sites, templates)?,
                IDLE,
            )),
            tokio::spawn(deliver_messages(store.clone(), transport)),
            tokio::spawn(keep_finishing_payments(store.clone(), sites.to_vec())),
        ];
        if let Some(publisher) = jetstream {
            handles.push(tokio::spawn(townhall_events::run(
                store.clone(),
                publisher,
                IDLE,
            )));
        }
        Ok(Workers(handles))
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
pub fn case_messages(sites: &[Site], templates: Arc<Templates>) -> Result<CaseMessages, Missing> {
    sites
        .iter()
        .try_fold(CaseMessages::new(templates), |messages, site| {
            let services: &Catalogue = site.settings.require()?;
            Ok(messages.serving(site.council.clone(), Arc::new(services.clone())))
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

/// Finishes, for each of `sites`, the payments left unfinished for
/// [`townhall_cases::paid::PAYER_AWAY`] before `now`; what was done, summed.
/// A council whose payments cannot be read is logged and the others carry on.
pub async fn finish_payments(store: &Store, sites: &[Site], now: Timestamp) -> Finished {
    let mut all = Finished::default();
    for site in sites {
        let done = match Till::of(&site.council, &site.settings) {
            Ok(till) => townhall_cases::paid::finish_unfinished(store, &till, now)
                .await
                .map_err(anyhow::Error::from),
            Err(missing) => Err(missing.into()),
        };
        let done = match done {
            Ok(done) => done,
            Err(e) => {
                tracing::warn!(council = %site.council.slug, error = %e, "unfinished payments could not be read");
                continue;
            }
        };
        if done != Finished::default() {
            tracing::info!(
                council = %site.council.slug,
                made = done.made,
                refused = done.refused,
                ended = done.ended,
                failed = done.failed,
                "finished payments left unfinished"
            );
        }
        all.made += done.made;
        all.refused += done.refused;
        all.ended += done.ended;
        all.failed += done.failed;
    }
    all
}

async fn keep_finishing_payments(store: Store, sites: Vec<Site>) {
    loop {
        finish_payments(&store, &sites, Timestamp::now()).await;
        tokio::time::sleep(PAYMENTS_EVERY).await;
    }
}

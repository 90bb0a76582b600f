//! The work a server does besides answering requests: every capability's
//! jobs (its manifest's `jobs`: subscribers to the domain events, the
//! delivery of queued messages, payments whose payers never came back),
//! and, when the deployment configures one, the copy of every event to a
//! JetStream stream.

use townhall_jetstream::Publisher;
use townhall_kernel::Registry;
use townhall_notify::{Templates, Transport};
use townhall_sensors::MqttSettings;
use townhall_store::Store;
use townhall_web::Site;

/// The running workers; they stop when this is dropped.
pub struct Workers(Vec<tokio::task::JoinHandle<()>>);

impl Workers {
    /// Starts every capability's jobs for `sites`, with messages rendered
    /// from `templates` and sent through `transport`, and, when given, the
    /// copy of every event to a JetStream stream; with `mqtt`, sensors'
    /// readings are read from that broker. Refuses if a job lacks a
    /// setting.
    pub fn start(
        store: &Store,
        sites: &[Site],
        templates: Templates,
        transport: Transport,
        jetstream: Option<Publisher>,
        mqtt: Option<MqttSettings>,
    ) -> anyhow::Result<Self> {
        let mut settings = Registry::default();
        settings.insert(templates)?;
        settings.insert(transport)?;
        if let Some(mqtt) = mqtt {
            settings.insert(mqtt)?;
        }
        let jobs = crate::platform()?.start_jobs(townhall_kernel::Deployment {
            store: store.clone(),
            councils: sites.iter().map(|s| s.settings.clone()).collect(),
            settings,
        })?;
        let mut handles = Vec::with_capacity(jobs.len() + 1);
        for (name, job) in jobs {
            tracing::debug!(job = name, "started");
            handles.push(tokio::spawn(job));
        }
        if let Some(publisher) = jetstream {
            handles.push(tokio::spawn(townhall_events::run(
                store.clone(),
                publisher,
                townhall_events::IDLE,
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

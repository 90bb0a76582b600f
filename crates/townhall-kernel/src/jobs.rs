//! The work capabilities do beside answering requests (a subscriber to the
//! domain events, a sweep every minute, the delivery of queued messages),
//! declared in their manifests and started together for the councils a
//! process serves.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use townhall_store::Store;

use crate::{Missing, Registry};

/// What jobs run against: the store, the settings of each council served,
/// and what the deployment gives every capability (how messages are sent,
/// their templates).
#[derive(Debug, Clone)]
pub struct Deployment {
    /// The store.
    pub store: Store,
    /// Each council served: its settings, as [`crate::Platform::configure`]
    /// made them.
    pub councils: Vec<Registry>,
    /// The deployment's own settings.
    pub settings: Registry,
}

/// A job, started: it runs until the process stops.
pub type Running = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// One piece of background work of a capability.
#[derive(Debug)]
pub struct Job {
    /// Its name, for logs: one word or a few, unique on the platform.
    pub name: &'static str,
    /// Starts it for `deployment`, or says which setting it lacks (so a
    /// job that cannot run stops the process on start, not later).
    pub start: fn(Arc<Deployment>) -> Result<Running, Missing>,
}

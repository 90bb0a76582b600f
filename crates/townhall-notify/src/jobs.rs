//! Delivery: the job that hands each message due in the outbox to the
//! deployment's [`Transport`], again and again.

use std::sync::Arc;
use std::time::Duration;

use townhall_kernel::{Deployment, Job, Missing, Running};

use crate::{deliver_pending, Transport};

/// How long delivery waits between looks at the outbox.
const EVERY: Duration = Duration::from_millis(500);

/// The delivery job.
pub(crate) const DELIVERY: Job = Job {
    name: "message delivery",
    start,
};

fn start(deployment: Arc<Deployment>) -> Result<Running, Missing> {
    let transport = deployment.settings.require_arc::<Transport>()?;
    Ok(Box::pin(async move {
        loop {
            if let Err(e) = deliver_pending(&deployment.store, &transport).await {
                tracing::warn!(error = %e, "notification delivery failed");
            }
            tokio::time::sleep(EVERY).await;
        }
    }))
}

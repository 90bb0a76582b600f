//! Group commit: many small write transactions made as one.
//!
//! A commit costs a flush to disk (SQLite in `synchronous = FULL`) or a round
//! trip and a WAL flush (PostgreSQL) whatever it holds, every statement costs a
//! hop to the database, and on one council every new case takes the same rows
//! (its reference counter, its audit-chain head), so transactions for it queue
//! behind one another anyway. A [`Batcher`] hands items to one writer task,
//! which takes whatever has arrived while the previous commit was being made
//! (up to [`MAX_BATCH`]) and gives it to its [`Batch`] in one transaction, so
//! the batch can write each table once for all of them:
//!
//! - an item the batch refuses is answered with its error and wrote nothing;
//! - every item is answered only after the commit, so an answer is durable;
//! - if the batch fails or cannot commit, each item is run again alone, in a
//!   transaction of its own, so one cannot take the others down.
//!
//! Under light load a batch holds one item and this is an ordinary
//! transaction; under heavy load one commit serves many.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, OnceLock};

use futures_util::FutureExt as _;
use sqlx::AnyPool;
use tokio::sync::{mpsc, oneshot};

use crate::{Store, StoreError, Tx};

/// The most items one transaction holds.
pub const MAX_BATCH: usize = 256;

/// How many items may wait for the writer before callers wait to hand theirs over.
const QUEUE: usize = 4 * MAX_BATCH;

/// What one item of a [`Batch`] is answered.
pub type Answer<B> = Result<<B as Batch>::Output, <B as Batch>::Error>;

/// Work done for many items in one write transaction.
pub trait Batch: Send + Sync + 'static {
    /// What is asked.
    type Item: Send + Sync + 'static;
    /// What an item gives when it is committed.
    type Output: Send + 'static;
    /// Why an item, or the whole batch, failed.
    type Error: From<StoreError> + Send + 'static;

    /// Does `items` in `tx` (neither committing nor rolling back), answering
    /// each in order. An item answered with an error must have written
    /// nothing; when that cannot be kept apart, fail the whole batch and each
    /// item is run again alone. It may therefore run more than once for an
    /// item and must do the same thing each time.
    fn run(
        &self,
        tx: &mut Tx,
        items: &[Self::Item],
    ) -> impl Future<Output = Result<Vec<Answer<Self>>, Self::Error>> + Send;
}

type Queued<B> = (<B as Batch>::Item, oneshot::Sender<Answer<B>>);

/// The queue to one [`Batch`]'s writer task, which starts on first use. Cheap to clone.
pub struct Batcher<B: Batch> {
    pool: AnyPool,
    batch: Arc<B>,
    queue: Arc<OnceLock<mpsc::Sender<Queued<B>>>>,
}

impl<B: Batch> Clone for Batcher<B> {
    fn clone(&self) -> Self {
        Self {
            pool: self.pool.clone(),
            batch: self.batch.clone(),
            queue: self.queue.clone(),
        }
    }
}

impl<B: Batch> std::fmt::Debug for Batcher<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Batcher").finish_non_exhaustive()
    }
}

impl<B: Batch> Batcher<B> {
    /// A batcher writing to `store` with `batch`.
    pub fn new(store: &Store, batch: B) -> Self {
        Self {
            pool: store.writer.clone(),
            batch: Arc::new(batch),
            queue: Arc::default(),
        }
    }

    /// Runs `item` with whatever else arrives at the same time, and answers
    /// once its transaction is committed.
    pub async fn run(&self, item: B::Item) -> Answer<B> {
        let queue = self.queue.get_or_init(|| {
            let (sender, receiver) = mpsc::channel(QUEUE);
            tokio::spawn(write(self.pool.clone(), self.batch.clone(), receiver));
            sender
        });
        let (reply, answer) = oneshot::channel();
        queue
            .send((item, reply))
            .await
            .map_err(|_| StoreError::WriterStopped)?;
        answer.await.map_err(|_| StoreError::WriterStopped)?
    }
}

/// The writer task: takes what has arrived, up to [`MAX_BATCH`], and commits it.
async fn write<B: Batch>(pool: AnyPool, batch: Arc<B>, mut queue: mpsc::Receiver<Queued<B>>) {
    let mut arrived = Vec::with_capacity(MAX_BATCH);
    while queue.recv_many(&mut arrived, MAX_BATCH).await > 0 {
        let (items, replies): (Vec<B::Item>, Vec<_>) = arrived.drain(..).unzip();
        let answers = match together(&pool, batch.as_ref(), &items).await {
            Some(answers) => answers,
            None => {
                let mut answers = Vec::with_capacity(items.len());
                for item in &items {
                    answers.push(alone(&pool, batch.as_ref(), item).await);
                }
                answers
            }
        };
        for (reply, answer) in replies.into_iter().zip(answers) {
            // The caller may have gone (its client hung up): the work stands.
            let _ = reply.send(answer);
        }
    }
}

/// Every item in one transaction; `None` when it failed as a whole.
async fn together<B: Batch>(
    pool: &AnyPool,
    batch: &B,
    items: &[B::Item],
) -> Option<Vec<Answer<B>>> {
    if items.len() < 2 {
        return None;
    }
    let mut tx = pool.begin().await.ok()?;
    let answers = run_caught(batch, &mut tx, items).await.ok()?;
    if answers.len() != items.len() {
        return None;
    }
    tx.commit().await.ok()?;
    Some(answers)
}

/// One item in a transaction of its own.
async fn alone<B: Batch>(pool: &AnyPool, batch: &B, item: &B::Item) -> Answer<B> {
    let mut tx = pool.begin().await.map_err(StoreError::from)?;
    let answer = run_caught(batch, &mut tx, std::slice::from_ref(item))
        .await?
        .pop()
        .ok_or(StoreError::WorkPanicked)?;
    match &answer {
        Ok(_) => tx.commit().await.map_err(StoreError::from)?,
        Err(_) => tx.rollback().await.map_err(StoreError::from)?,
    }
    answer
}

/// Runs the batch; a panic in it becomes an error instead of stopping the writer.
async fn run_caught<B: Batch>(
    batch: &B,
    tx: &mut Tx,
    items: &[B::Item],
) -> Result<Vec<Answer<B>>, B::Error> {
    AssertUnwindSafe(batch.run(tx, items))
        .catch_unwind()
        .await
        .unwrap_or_else(|_| Err(StoreError::WorkPanicked.into()))
}

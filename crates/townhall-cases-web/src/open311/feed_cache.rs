//! Copies of the open feed's answers (`requests` and `servicerequestupdates`),
//! kept while the council's cases have not changed, so that the many clients
//! polling the same pages are answered without reading every row again.
//!
//! A copy is used only while the council's count of changes
//! ([`townhall_cases::public::version`], read before each answer) is the one
//! it was made at; every change to a case moves the count in its own
//! transaction, so a copy is never older than the store. A copy is also
//! dropped after [`MAX_AGE`], because an answer without dates covers "the last
//! 90 days", which move with the clock.

use std::time::{Duration, Instant};

use axum::body::Bytes;
use townhall_types::CouncilId;

use super::definition::Params;
use townhall_web::wire::Format;

/// How many answers are kept (the least used are dropped first).
const ENTRIES: usize = 1024;

/// The longest a copy is used, however little changes.
const MAX_AGE: Duration = Duration::from_secs(60);

/// What was asked: the same council, document, format and parameters give the
/// same answer at the same count of changes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Asked {
    pub council: CouncilId,
    pub document: String,
    pub format: Format,
    pub params: Params,
}

#[derive(Debug, Clone)]
struct Copy {
    version: i64,
    made: Instant,
    body: Bytes,
}

/// The copies, shared by every site of the process.
pub(crate) struct FeedCache(quick_cache::sync::Cache<Asked, Copy>);

impl Default for FeedCache {
    fn default() -> Self {
        Self(quick_cache::sync::Cache::new(ENTRIES))
    }
}

impl FeedCache {
    /// The answer made at `version`, if there is one young enough.
    pub fn get(&self, asked: &Asked, version: i64) -> Option<Bytes> {
        self.0
            .get(asked)
            .filter(|c| c.version == version && c.made.elapsed() < MAX_AGE)
            .map(|c| c.body)
    }

    /// Keeps `body`, the answer made at `version`.
    pub fn put(&self, asked: Asked, version: i64, body: Bytes) {
        self.0.insert(
            asked,
            Copy {
                version,
                made: Instant::now(),
                body,
            },
        );
    }
}

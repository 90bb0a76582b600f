//! How many wrong passwords lock, and for how long: an email address's
//! (`accounts`) and a known browser's (`devices`) alike.

use time::Duration;

/// Wrong passwords allowed before an account, or a known browser, is locked.
pub const MAX_FAILED_ATTEMPTS: i64 = 5;

/// How long a lock lasts.
pub const LOCKOUT: Duration = Duration::minutes(15);

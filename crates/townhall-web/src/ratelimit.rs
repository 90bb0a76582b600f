//! Rate limits, as GCRA (the generic cell rate algorithm, from the `governor`
//! crate): a burst of up to the limit, then one more each time an even share
//! of the period has passed. Sign-in attempts are limited per client address;
//! API calls per key, each key at its own rate.

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};

/// Above this many remembered clients, the idle ones are forgotten.
const FORGET_ABOVE: usize = 100_000;

/// A limit per client address: `max` in every `period`.
pub struct Limiter {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
}

impl Limiter {
    pub fn new(max: u32, period: Duration) -> Self {
        Self {
            limiter: RateLimiter::keyed(quota(max, period)),
        }
    }

    /// Counts an attempt from `ip`; false when it is over the limit.
    pub fn allow(&self, ip: IpAddr) -> bool {
        if self.limiter.len() > FORGET_ABOVE {
            self.limiter.retain_recent();
        }
        self.limiter.check_key(&ip).is_ok()
    }
}

/// A limit per API key, each at the rate stored with the key.
#[derive(Default)]
pub struct PerKey {
    limiters: Mutex<HashMap<String, KeyLimiter>>,
}

struct KeyLimiter {
    per_minute: NonZeroU32,
    limiter: Arc<DefaultDirectRateLimiter>,
    last_used: Instant,
}

impl PerKey {
    /// Counts a request with the key `key_id`, allowed `per_minute`: `Ok`, or
    /// the whole seconds to wait before the next one would be allowed.
    pub fn check(&self, key_id: &str, per_minute: NonZeroU32) -> Result<(), u64> {
        let now = Instant::now();
        let limiter = {
            let mut limiters = self
                .limiters
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if limiters.len() > FORGET_ABOVE {
                // A key unused for a minute has its whole burst back anyway.
                limiters.retain(|_, k| now.duration_since(k.last_used) < Duration::from_secs(60));
            }
            let fresh = || KeyLimiter {
                per_minute,
                limiter: Arc::new(RateLimiter::direct(Quota::per_minute(per_minute))),
                last_used: now,
            };
            let entry = limiters.entry(key_id.to_owned()).or_insert_with(fresh);
            // A key's limit can be changed while the server runs.
            if entry.per_minute != per_minute {
                *entry = fresh();
            }
            entry.last_used = now;
            Arc::clone(&entry.limiter)
        };
        limiter.check().map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
        })
    }
}

/// `max` (at least one) in every `period`, all of them at once if need be.
fn quota(max: u32, period: Duration) -> Quota {
    let max = NonZeroU32::new(max).unwrap_or(NonZeroU32::MIN);
    Quota::with_period(period / max.get())
        .unwrap_or_else(|| Quota::per_second(max))
        .allow_burst(max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_after_the_limit_and_per_address() {
        let l = Limiter::new(3, Duration::from_secs(60));
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        assert!(l.allow(a) && l.allow(a) && l.allow(a));
        assert!(!l.allow(a));
        assert!(l.allow(b));
    }

    #[test]
    fn each_key_has_its_own_rate_and_is_told_how_long_to_wait() {
        let keys = PerKey::default();
        let two = NonZeroU32::new(2).unwrap();
        assert_eq!(keys.check("a", two), Ok(()));
        assert_eq!(keys.check("a", two), Ok(()));
        let wait = keys.check("a", two).unwrap_err();
        assert!((1..=30).contains(&wait), "one more every 30 s: {wait}");
        assert_eq!(keys.check("b", two), Ok(()), "another key is not held up");
        let more = NonZeroU32::new(100).unwrap();
        assert_eq!(keys.check("a", more), Ok(()), "a raised limit applies");
    }
}

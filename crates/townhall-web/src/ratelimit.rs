//! Rate limits. Sign-in attempts, and requests that email a link, are
//! limited per client address as a sliding log ([`Failures`], by
//! [`ClientLimits`]); wrong passwords per account and reset emails per
//! address are counted in the store (`townhall_identity::accounts`,
//! `townhall_identity::recovery`). API calls are limited per key, each at its
//! own rate, as GCRA (the generic cell rate algorithm, from the `governor`
//! crate): a burst of up to the limit, then one more each time an even share
//! of the period has passed.

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};

use crate::client::ClientAddr;

/// Above this many remembered clients, the idle ones are forgotten.
const FORGET_ABOVE: usize = 100_000;

/// A limit on attempts per key: a key that has made `max` attempts within the
/// last `period` is refused until the oldest of them is `period` old (a
/// sliding log). An attempt is counted when it begins, so attempts made at
/// once cannot slip past the limit together, and one that succeeds is
/// forgiven, so people who get in are never held back.
pub struct Failures<K: Hash + Eq + Clone> {
    max: usize,
    period: Duration,
    recent: Mutex<HashMap<K, VecDeque<Instant>>>,
    /// How many keys were left after the last sweep.
    swept_at: AtomicUsize,
}

impl<K: Hash + Eq + Clone> Failures<K> {
    /// At most `max` failures per key in any `period`.
    pub fn new(max: u32, period: Duration) -> Self {
        Self {
            max: usize::try_from(max.max(1)).unwrap_or(usize::MAX),
            period,
            recent: Mutex::new(HashMap::new()),
            swept_at: AtomicUsize::new(0),
        }
    }

    /// Begins an attempt for `key`: false, counting nothing, when it is
    /// refused. Checked and counted under one lock, so attempts begun at the
    /// same moment cannot all see room for one more.
    pub fn begin(&self, key: &K) -> bool {
        let now = Instant::now();
        let mut recent = self.lock();
        // Forgetting is a sweep of every key, so it is done only when the map
        // has doubled since the last one, not on every attempt.
        if recent.len() > FORGET_ABOVE.max(self.swept_at.load(Ordering::Relaxed) * 2) {
            recent.retain(|_, times| {
                times
                    .back()
                    .is_some_and(|t| now.duration_since(*t) < self.period)
            });
            self.swept_at.store(recent.len(), Ordering::Relaxed);
        }
        let times = recent.entry(key.clone()).or_default();
        self.forget_old(times, now);
        if times.len() >= self.max {
            return false;
        }
        times.push_back(now);
        true
    }

    /// Forgets the latest attempt of `key`, which succeeded.
    pub fn forgive(&self, key: &K) {
        if let Some(times) = self.lock().get_mut(key) {
            times.pop_back();
        }
    }

    fn forget_old(&self, times: &mut VecDeque<Instant>, now: Instant) {
        while times
            .front()
            .is_some_and(|t| now.duration_since(*t) >= self.period)
        {
            times.pop_front();
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<K, VecDeque<Instant>>> {
        self.recent
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// What an attempt spends. Each has a budget of its own, so that asking for
/// a reset link does not use up the sign-ins of a household behind one
/// address, nor passkey ceremonies started by others its passwords.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Budget {
    /// A password checked.
    SignIn,
    /// A passkey sign-in started.
    Passkey,
    /// A sign-up or a reset request: each may send an email.
    EmailLinks,
}

/// Whom an attempt is counted against.
#[derive(Debug, Clone, Copy)]
pub enum Counted<'a> {
    /// The client's address.
    Client(ClientAddr),
    /// A device the account's owner signed in on before (its cookie's
    /// nonce): counted alone, so that others at its address cannot spend
    /// its sign-ins.
    Device(&'a str),
}

/// How many times a client's budget an IPv6 site (/48) may spend across
/// its networks: a household has one /64, an office a few.
const SITE_SHARE: u32 = 8;

/// Attempts per client and budget: per address (an IPv6 client's /64), and
/// per IPv6 site (/48) at [`SITE_SHARE`] times that; or per known device.
pub struct ClientLimits {
    client: Failures<(Budget, IpAddr)>,
    site: Failures<(Budget, IpAddr)>,
    device: Failures<(Budget, String)>,
}

impl ClientLimits {
    /// `max` attempts of each budget per client in each `period`.
    pub fn new(max: u32, period: Duration) -> Self {
        Self {
            client: Failures::new(max, period),
            site: Failures::new(max.saturating_mul(SITE_SHARE), period),
            device: Failures::new(max, period),
        }
    }

    /// Begins an attempt: false, counting nothing, when whoever it is
    /// counted against (for a client, its address or its site) has spent
    /// the budget.
    pub fn begin(&self, budget: Budget, who: Counted<'_>) -> bool {
        let client = match who {
            Counted::Device(nonce) => return self.device.begin(&(budget, nonce.to_owned())),
            Counted::Client(client) => client,
        };
        let key = (budget, client.limit_key());
        if !self.client.begin(&key) {
            return false;
        }
        match client.site_key() {
            Some(site) if !self.site.begin(&(budget, site)) => {
                self.client.forgive(&key);
                false
            }
            _ => true,
        }
    }

    /// Forgets the latest attempt, which succeeded.
    pub fn forgive(&self, budget: Budget, who: Counted<'_>) {
        match who {
            Counted::Device(nonce) => self.device.forgive(&(budget, nonce.to_owned())),
            Counted::Client(client) => {
                self.client.forgive(&(budget, client.limit_key()));
                if let Some(site) = client.site_key() {
                    self.site.forgive(&(budget, site));
                }
            }
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_failures_count_and_each_key_alone() {
        let f = Failures::new(2, Duration::from_secs(60));
        let a: std::net::IpAddr = "10.0.0.1".parse().unwrap();
        let b: std::net::IpAddr = "10.0.0.2".parse().unwrap();
        assert!(f.begin(&a) && f.begin(&a), "two attempts begun");
        assert!(!f.begin(&a), "a third is refused");
        assert!(f.begin(&b), "another key is not held up");
        f.forgive(&b);
        assert!(
            f.begin(&b) && f.begin(&b) && !f.begin(&b),
            "one that got in is forgiven"
        );
        let brief = Failures::new(1, Duration::from_millis(20));
        assert!(brief.begin(&a));
        assert!(!brief.begin(&a));
        std::thread::sleep(Duration::from_millis(30));
        assert!(brief.begin(&a), "an attempt is forgotten after the period");
    }

    #[test]
    fn attempts_begun_at_once_never_pass_the_limit_together() {
        let f = Failures::new(20, Duration::from_secs(60));
        let a: std::net::IpAddr = "10.0.0.1".parse().unwrap();
        let begun = std::sync::atomic::AtomicUsize::new(0);
        std::thread::scope(|s| {
            for _ in 0..8 {
                s.spawn(|| {
                    for _ in 0..10 {
                        if f.begin(&a) {
                            begun.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                });
            }
        });
        assert_eq!(begun.into_inner(), 20);
    }

    #[test]
    fn each_budget_is_spent_alone_and_an_ipv6_site_has_a_share_of_its_own() {
        let limits = ClientLimits::new(2, Duration::from_secs(60));
        let v4 = Counted::Client(ClientAddr("203.0.113.7".parse().unwrap()));
        assert!(limits.begin(Budget::SignIn, v4) && limits.begin(Budget::SignIn, v4));
        assert!(!limits.begin(Budget::SignIn, v4), "the sign-ins are spent");
        assert!(
            limits.begin(Budget::EmailLinks, v4),
            "a reset can still be asked for"
        );
        limits.forgive(Budget::SignIn, v4);
        assert!(
            limits.begin(Budget::SignIn, v4),
            "one that got in is forgiven"
        );
        // One /48 spends at most 8 × 2 across its /64s.
        let network =
            |n: u16| Counted::Client(ClientAddr(format!("2001:db8:7:{n:x}::1").parse().unwrap()));
        let begun = (0..40)
            .filter(|n| limits.begin(Budget::SignIn, network(*n)))
            .count();
        assert_eq!(begun, 16);
        assert!(
            limits.begin(
                Budget::SignIn,
                Counted::Client(ClientAddr("2001:db8:8::1".parse().unwrap()))
            ),
            "another site is not held up"
        );
        // A refusal by the site takes nothing from the network's own count.
        let site = ClientLimits::new(1, Duration::from_secs(60));
        assert!(site.begin(Budget::SignIn, network(1)));
        for n in 2..8 {
            assert!(site.begin(Budget::SignIn, network(n)));
        }
        assert!(site.begin(Budget::SignIn, network(8)));
        assert!(
            !site.begin(Budget::SignIn, network(9)),
            "the site's 8 are spent"
        );
        site.forgive(Budget::SignIn, network(8));
        assert!(
            site.begin(Budget::SignIn, network(9)),
            "network 9 had nothing counted"
        );
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

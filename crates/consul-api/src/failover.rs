//! Several agents for one client: which address requests go to.
//!
//! The first address is the preferred one (usually the local agent); the others are
//! fallbacks. Requests go to the current address. When it cannot be reached (no
//! connection could be made, so the request never left), the next address becomes current
//! and the request is sent there at once, each address tried at most once per attempt.
//! Once the client has moved away from the preferred address, one request per cool-down
//! ([`Config::failback_after`](crate::Config::failback_after)) goes to the preferred
//! address first: if it answers, it is current again; if not, that request goes on to the
//! current address. The transport stays one agent's: the address is only the start of each
//! request's URI.

use crate::config::Address;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The addresses of a client and which one is current.
#[derive(Debug)]
pub(crate) struct Agents {
    addresses: Vec<Address>,
    /// `scheme://authority[/prefix]` of each address, in the same order.
    bases: Vec<String>,
    /// The index of the current address.
    current: AtomicUsize,
    /// When the preferred address was last left or last probed, in milliseconds since
    /// `epoch`.
    left_preferred: AtomicU64,
    epoch: Instant,
    failback_after: Duration,
}

impl Agents {
    /// The agents at `addresses` (at least one: the preferred one first).
    pub(crate) fn new(addresses: Vec<Address>, failback_after: Duration) -> Self {
        let bases = addresses
            .iter()
            .map(|address| match address {
                Address::Http { base } => base.clone(),
                // The socket is the connection; the URI only gives the path and Host header.
                Address::Unix(_) => "http://localhost".to_owned(),
            })
            .collect();
        Agents {
            addresses,
            bases,
            current: AtomicUsize::new(0),
            left_preferred: AtomicU64::new(0),
            epoch: Instant::now(),
            failback_after,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.addresses.len()
    }

    pub(crate) fn preferred(&self) -> &Address {
        &self.addresses[0]
    }

    pub(crate) fn addresses(&self) -> &[Address] {
        &self.addresses
    }

    pub(crate) fn current(&self) -> usize {
        self.current.load(Ordering::Relaxed).min(self.len() - 1)
    }

    pub(crate) fn address(&self, index: usize) -> &Address {
        &self.addresses[index.min(self.len() - 1)]
    }

    pub(crate) fn base(&self, index: usize) -> &str {
        &self.bases[index.min(self.len() - 1)]
    }

    fn now(&self) -> u64 {
        self.epoch.elapsed().as_millis() as u64
    }

    /// The address the next request goes to: the current one, or the preferred one when
    /// its cool-down is over (for one request; the others keep to the current one).
    pub(crate) fn pick(&self) -> usize {
        let current = self.current();
        if current == 0 {
            return 0;
        }
        let now = self.now();
        let left = self.left_preferred.load(Ordering::Relaxed);
        let cool_down = self.failback_after.as_millis() as u64;
        if now.saturating_sub(left) >= cool_down
            && self
                .left_preferred
                .compare_exchange(left, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            tracing::debug!(address = %self.addresses[0], "probing the preferred consul agent");
            return 0;
        }
        current
    }

    /// The agent at `index` could not be reached: the next one becomes current (when
    /// `index` still was). Returns whether there is another address to try.
    pub(crate) fn unreachable(&self, index: usize) -> bool {
        let current = self.current();
        if index == current {
            let next = (current + 1) % self.len();
            if next != current
                && self
                    .current
                    .compare_exchange(current, next, Ordering::Relaxed, Ordering::Relaxed)
                    .is_ok()
            {
                if current == 0 {
                    self.left_preferred.store(self.now(), Ordering::Relaxed);
                }
                tracing::warn!(
                    from = %self.addresses[current],
                    to = %self.addresses[next],
                    "consul agent unreachable: moving to the next address"
                );
            }
        } else if index == 0 {
            tracing::debug!(address = %self.addresses[0], "the preferred consul agent is still unreachable");
        }
        self.len() > 1
    }

    /// The agent at `index` answered: the preferred one becomes current again.
    pub(crate) fn answered(&self, index: usize) {
        if index != 0 {
            return;
        }
        let current = self.current();
        if current != 0
            && self
                .current
                .compare_exchange(current, 0, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            tracing::info!(
                address = %self.addresses[0],
                "the preferred consul agent answers again: back to it"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agents(n: usize, failback_after: Duration) -> Agents {
        let addresses = (0..n)
            .map(|i| Address::Http {
                base: format!("http://10.0.0.{i}:8500"),
            })
            .collect();
        Agents::new(addresses, failback_after)
    }

    #[test]
    fn one_address_never_moves() {
        let a = agents(1, Duration::ZERO);
        assert_eq!(a.pick(), 0);
        assert!(!a.unreachable(0));
        assert_eq!(a.current(), 0);
        assert_eq!(a.base(0), "http://10.0.0.0:8500");
    }

    #[test]
    fn an_unreachable_agent_hands_over_to_the_next_in_turn() {
        let a = agents(3, Duration::from_secs(3600));
        assert!(a.unreachable(0));
        assert_eq!(a.current(), 1);
        // A late report about an address already left changes nothing.
        a.unreachable(0);
        assert_eq!(a.current(), 1);
        a.unreachable(1);
        assert_eq!(a.current(), 2);
        // Within the cool-down, requests keep to the current address.
        assert_eq!(a.pick(), 2);
        a.unreachable(2);
        assert_eq!(a.current(), 0);
    }

    #[test]
    fn the_preferred_agent_is_probed_after_the_cool_down_and_taken_back() {
        let a = agents(2, Duration::ZERO);
        a.unreachable(0);
        assert_eq!(a.current(), 1);
        // Cool-down over: one request probes the preferred one.
        assert_eq!(a.pick(), 0);
        // Still down: the current one stays.
        a.unreachable(0);
        assert_eq!(a.current(), 1);
        // An answer from a fallback changes nothing; one from the preferred one moves back.
        a.answered(1);
        assert_eq!(a.current(), 1);
        a.answered(0);
        assert_eq!(a.current(), 0);
        assert_eq!(a.pick(), 0);
    }

    #[test]
    fn one_probe_per_cool_down() {
        let a = agents(2, Duration::from_secs(3600));
        a.unreachable(0);
        // Pretend the cool-down passed long ago.
        a.left_preferred.store(0, Ordering::Relaxed);
        let a = Agents {
            epoch: Instant::now() - Duration::from_secs(7200),
            ..a
        };
        assert_eq!(a.pick(), 0);
        assert_eq!(a.pick(), 1);
        assert_eq!(a.pick(), 1);
    }
}

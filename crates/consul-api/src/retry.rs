//! When a failed request is sent again: the [`RetryPolicy`] and the rules it applies.
//!
//! The executor asks of every failure whether the request may be sent again
//! ([`RetryPolicy::allows`]: what the failure proves about the request, [`Failure`], and
//! what sending it twice would do, [`Kind`]) and after what pause
//! ([`RetryPolicy::next_pause`]).

use crate::Error;
use consul_transport::TransportErrorKind;
use consul_types::endpoint::Idempotence;
use consul_types::{QueryOptions, DEFAULT_WAIT_TIME, MAX_WAIT_TIME};
use http::{Method, StatusCode};
use std::time::Duration;

/// When and how often a failed request is sent again, with exponential backoff and jitter.
///
/// The client's policy ([`Config::retry`](crate::Config::retry),
/// [`ClientBuilder::retry`](crate::ClientBuilder::retry)) applies to every request;
/// `.retry(policy)` on a request replaces it for that request.
///
/// Which failures are retried is fixed by what they prove about the request:
///
/// | failure | read (`GET`) | idempotent write | other write |
/// | --- | --- | --- | --- |
/// | no connection could be made | again | again | again: it never left |
/// | `429 Too Many Requests` | again | again | again: refused before anything was done |
/// | connection lost mid-exchange | again | again | no: it may have been applied |
/// | `500 No cluster leader`, `500 rpc error…`, `503` | again | again | no: it may have been applied |
/// | anything else (`4xx`, a timeout, an unreadable answer) | no | no | no |
///
/// Idempotent writes are those marked so on their endpoint
/// ([`Idempotence`](consul_types::endpoint::Idempotence)): a KV write or delete with
/// `cas`, a session renewal, a TTL check update (pass, warn, fail, update). A timeout is not
/// retried: the caller chose the limit, and another attempt would double it. A blocking
/// read is sent again with the same index (or hash) and what is left of its wait.
///
/// A compare-and-set write sent again after a failure that may have applied it, and then
/// answered `false`, cannot tell whether the first attempt applied: it returns that first
/// failure instead of `false`, so `false` always means "not applied".
///
/// The policy bounds how often and for how long:
///
/// - at most [`max_attempts`](Self::max_attempts) sends, the first included;
/// - a pause before each retry: [`first_backoff`](Self::first_backoff), doubling up to
///   [`max_backoff`](Self::max_backoff), half of it fixed and half random (so that many
///   clients failing together do not come back together), or what the server asked for
///   with `Retry-After`;
/// - no retry that would start more than [`max_elapsed`](Self::max_elapsed) after the
///   first failure (a `Retry-After` longer than what is left ends the retrying).
///
/// The default sends a request up to 10 times over at most 15 s of retrying, pauses from
/// 100 ms up to 2 s: enough to ride through a leader election (a few seconds) without
/// holding a caller much longer than that.
///
/// ```no_run
/// # async fn demo() -> consul_api::Result<()> {
/// use consul_api::{Client, RetryPolicy};
/// use std::time::Duration;
///
/// let client = Client::builder()
///     .retry(RetryPolicy::default().max_elapsed(Duration::from_secs(30)))
///     .build()?;
/// // This one fails at the first error.
/// let pair = client.kv().get("config/replicas").retry(RetryPolicy::none()).await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// The most times a request is sent, the first included (`1`: never again; `0` counts
    /// as `1`).
    pub max_attempts: u32,
    /// The pause before the first retry; each next one doubles.
    pub first_backoff: Duration,
    /// The longest pause between two attempts (unless the server asks for more with
    /// `Retry-After`).
    pub max_backoff: Duration,
    /// The longest time spent retrying, from the first failure: a retry that would start
    /// later is not made, and the last failure is returned.
    pub max_elapsed: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 10,
            first_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(2),
            max_elapsed: Duration::from_secs(15),
        }
    }
}

impl RetryPolicy {
    /// Never retries: every failure reaches the caller at once. (A client with several
    /// addresses still tries the next one when an agent cannot be reached: that is not a
    /// retry of the request, which never left.)
    ///
    /// ```
    /// use consul_api::RetryPolicy;
    /// assert_eq!(RetryPolicy::none().max_attempts, 1);
    /// ```
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// Sets [`max_attempts`](Self::max_attempts).
    ///
    /// ```
    /// use consul_api::RetryPolicy;
    /// assert_eq!(RetryPolicy::default().max_attempts(3).max_attempts, 3);
    /// ```
    #[must_use]
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts;
        self
    }

    /// Sets [`first_backoff`](Self::first_backoff).
    ///
    /// ```
    /// use consul_api::RetryPolicy;
    /// use std::time::Duration;
    /// let p = RetryPolicy::default().first_backoff(Duration::from_millis(50));
    /// assert_eq!(p.first_backoff, Duration::from_millis(50));
    /// ```
    #[must_use]
    pub fn first_backoff(mut self, pause: Duration) -> Self {
        self.first_backoff = pause;
        self
    }

    /// Sets [`max_backoff`](Self::max_backoff).
    ///
    /// ```
    /// use consul_api::RetryPolicy;
    /// use std::time::Duration;
    /// let p = RetryPolicy::default().max_backoff(Duration::from_secs(5));
    /// assert_eq!(p.max_backoff, Duration::from_secs(5));
    /// ```
    #[must_use]
    pub fn max_backoff(mut self, pause: Duration) -> Self {
        self.max_backoff = pause;
        self
    }

    /// Sets [`max_elapsed`](Self::max_elapsed).
    ///
    /// ```
    /// use consul_api::RetryPolicy;
    /// use std::time::Duration;
    /// let p = RetryPolicy::default().max_elapsed(Duration::from_secs(60));
    /// assert_eq!(p.max_elapsed, Duration::from_secs(60));
    /// ```
    #[must_use]
    pub fn max_elapsed(mut self, time: Duration) -> Self {
        self.max_elapsed = time;
        self
    }

    /// Whether a request of `kind` that failed as `failure` may be sent again, by the
    /// rules alone (see the [module docs](self)).
    pub(crate) fn allows(kind: Kind, failure: Failure) -> bool {
        match failure {
            Failure::Final => false,
            Failure::NotSent | Failure::Throttled => true,
            Failure::Lost | Failure::Unavailable => match kind {
                Kind::Read => true,
                Kind::Write(idempotence) => idempotence != Idempotence::No,
            },
        }
    }

    /// The pause before retry number `retry` (1 for the first): the backoff doubled
    /// `retry - 1` times and capped, half of it fixed and half `jitter` (in `[0, 1)`).
    pub(crate) fn backoff(&self, retry: u32, jitter: f64) -> Duration {
        let doublings = retry.saturating_sub(1).min(30);
        let full = self
            .first_backoff
            .saturating_mul(1u32 << doublings)
            .min(self.max_backoff);
        let half = full / 2;
        half + half.mul_f64(jitter.clamp(0.0, 1.0))
    }

    /// The pause before sending again a request of `kind` that failed as `failure` after
    /// `attempts` sends and `retrying_for` since its first failure, or `None` to give up.
    /// `retry_after` is what the server asked for; `jitter` is in `[0, 1)`.
    pub(crate) fn next_pause(
        &self,
        kind: Kind,
        failure: Failure,
        attempts: u32,
        retrying_for: Duration,
        retry_after: Option<Duration>,
        jitter: f64,
    ) -> Option<Duration> {
        if !RetryPolicy::allows(kind, failure) || attempts >= self.max_attempts.max(1) {
            return None;
        }
        let pause = retry_after.unwrap_or_else(|| self.backoff(attempts, jitter));
        if retrying_for.saturating_add(pause) > self.max_elapsed {
            return None;
        }
        Some(pause)
    }
}

/// What a request is, as far as sending it twice goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A `GET`: it changes nothing.
    Read,
    /// Anything else, with what sending it twice does.
    Write(Idempotence),
}

impl Kind {
    pub(crate) fn of(method: &Method, idempotence: Idempotence) -> Kind {
        if method == Method::GET || method == Method::HEAD {
            Kind::Read
        } else {
            Kind::Write(idempotence)
        }
    }
}

/// What a failed attempt proves about the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// It never reached Consul: no connection could be made.
    NotSent,
    /// Consul refused it before doing anything: rate limited (`429`).
    Throttled,
    /// The connection failed after it was made: it may have been applied.
    Lost,
    /// The servers are electing a leader or lost one (`No cluster leader`, `rpc error…`,
    /// `503`): a write may have been applied before the answer was lost.
    Unavailable,
    /// Anything else: another attempt would get the same answer, or cost what the caller
    /// limited (a timeout).
    Final,
}

/// The shortest wait Consul reads as one (`wait=1ms`): a blocking read answered at once.
const SHORTEST_WAIT: Duration = Duration::from_millis(1);

/// The beginnings of the `500` messages Consul gives while its servers elect a leader,
/// lose one, or cannot be reached by the agent.
const LEADER_TROUBLE: &[&str] = &[
    "No cluster leader",
    "rpc error",
    "No known Consul servers",
    "leadership lost",
    "node is not the leader",
    "raft is already shutdown",
];

impl Failure {
    pub(crate) fn of(error: &Error) -> Failure {
        match error {
            Error::Transport(e) => match e.kind() {
                TransportErrorKind::Connect => Failure::NotSent,
                TransportErrorKind::Io => Failure::Lost,
                _ => Failure::Final,
            },
            Error::Status { code, body, .. } => match *code {
                StatusCode::TOO_MANY_REQUESTS => Failure::Throttled,
                StatusCode::SERVICE_UNAVAILABLE => Failure::Unavailable,
                StatusCode::INTERNAL_SERVER_ERROR
                    if LEADER_TROUBLE.iter().any(|m| body.starts_with(m)) =>
                {
                    Failure::Unavailable
                }
                _ => Failure::Final,
            },
            _ => Failure::Final,
        }
    }

    /// Whether the request may have been applied although it failed.
    pub(crate) fn maybe_applied(self) -> bool {
        matches!(self, Failure::Lost | Failure::Unavailable)
    }
}

/// The options of a blocking read sent again `spent` after the first send, after
/// `failure`: the same index or hash, so that no change is missed or seen twice.
///
/// After the servers' trouble (a leader election) the read waits what is left of its
/// wait, so that the caller waits about as long as it asked: whole seconds (identical
/// retries of many watches can then share one request), or the last fraction of a second.
/// After a connection failure the agent may be another one, or one restarted with fresh
/// state whose index is far behind (a dev agent): a read waiting on the old index would
/// hang for its whole wait, so it asks for the current state at once (the shortest wait),
/// and its caller sees the index it has now. Never zero, which Consul reads as its
/// 5-minute default.
pub(crate) fn retried_wait(opts: &QueryOptions, spent: Duration, failure: Failure) -> QueryOptions {
    if matches!(failure, Failure::NotSent | Failure::Lost) {
        let mut opts = opts.clone();
        opts.wait_time = Some(SHORTEST_WAIT);
        return opts;
    }
    let wait = opts
        .wait_time
        .filter(|w| !w.is_zero())
        .unwrap_or(DEFAULT_WAIT_TIME)
        .min(MAX_WAIT_TIME);
    let left = wait.saturating_sub(spent);
    let left = if left >= Duration::from_secs(1) {
        Duration::from_secs(left.as_secs())
    } else {
        left.max(SHORTEST_WAIT)
    };
    let mut opts = opts.clone();
    opts.wait_time = Some(left);
    opts
}

#[cfg(test)]
mod tests {
    use super::*;
    use consul_transport::TransportError;
    use http::HeaderMap;

    const READ: Kind = Kind::Read;
    const PLAIN: Kind = Kind::Write(Idempotence::No);
    const RENEW: Kind = Kind::Write(Idempotence::Yes);
    const CAS: Kind = Kind::Write(Idempotence::CompareAndSet);

    fn status(code: u16, body: &str) -> Error {
        Error::from_status(StatusCode::from_u16(code).unwrap(), body.as_bytes())
    }

    #[test]
    fn failures_are_classified_by_what_they_prove() {
        let refused = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        let cases = [
            (
                Error::Transport(TransportError::connect(refused)),
                Failure::NotSent,
            ),
            (Error::Transport(TransportError::io("reset")), Failure::Lost),
            (
                Error::Transport(TransportError::timeout("late")),
                Failure::Final,
            ),
            (
                Error::Transport(TransportError::body_too_large(9)),
                Failure::Final,
            ),
            (status(429, ""), Failure::Throttled),
            (status(503, "busy"), Failure::Unavailable),
            (status(500, "No cluster leader"), Failure::Unavailable),
            (
                status(500, "rpc error making call: EOF"),
                Failure::Unavailable,
            ),
            (
                status(500, "rpc error making call: No cluster leader"),
                Failure::Unavailable,
            ),
            (status(500, "No known Consul servers"), Failure::Unavailable),
            (
                status(500, "leadership lost while committing log"),
                Failure::Unavailable,
            ),
            (status(500, "Missing node registration"), Failure::Final),
            (status(500, "No path to datacenter"), Failure::Final),
            (status(400, "Bad request"), Failure::Final),
            (status(404, "Session id 'x' not found"), Failure::Final),
            (status(403, "Permission denied"), Failure::Final),
            (Error::Config("x".into()), Failure::Final),
        ];
        for (error, want) in cases {
            assert_eq!(Failure::of(&error), want, "{error}");
        }
        let with_header = Error::from_parts(
            StatusCode::TOO_MANY_REQUESTS,
            &HeaderMap::new(),
            String::new(),
        );
        assert_eq!(Failure::of(&with_header), Failure::Throttled);
    }

    #[test]
    fn reads_retry_on_anything_passing_writes_only_when_safe() {
        use Failure::*;
        for failure in [NotSent, Throttled, Lost, Unavailable] {
            assert!(RetryPolicy::allows(READ, failure), "{failure:?}");
            assert!(RetryPolicy::allows(RENEW, failure), "{failure:?}");
            assert!(RetryPolicy::allows(CAS, failure), "{failure:?}");
        }
        // A plain write goes again only when it provably did nothing.
        assert!(RetryPolicy::allows(PLAIN, NotSent));
        assert!(RetryPolicy::allows(PLAIN, Throttled));
        assert!(!RetryPolicy::allows(PLAIN, Lost));
        assert!(!RetryPolicy::allows(PLAIN, Unavailable));
        for kind in [READ, PLAIN, RENEW, CAS] {
            assert!(!RetryPolicy::allows(kind, Final), "{kind:?}");
        }
        assert!(Lost.maybe_applied() && Unavailable.maybe_applied());
        assert!(!NotSent.maybe_applied() && !Throttled.maybe_applied());
    }

    #[test]
    fn the_method_decides_read_or_write() {
        assert_eq!(Kind::of(&Method::GET, Idempotence::No), READ);
        assert_eq!(Kind::of(&Method::PUT, Idempotence::No), PLAIN);
        assert_eq!(Kind::of(&Method::DELETE, Idempotence::CompareAndSet), CAS);
        // A transaction of reads is still a PUT: not retried as a read.
        assert_eq!(Kind::of(&Method::PUT, Idempotence::Yes), RENEW);
    }

    #[test]
    fn backoff_doubles_up_to_the_cap_with_half_jitter() {
        let p = RetryPolicy::default();
        let ms = Duration::from_millis;
        assert_eq!(p.backoff(1, 0.0), ms(50));
        assert_eq!(p.backoff(1, 1.0), ms(100));
        assert_eq!(p.backoff(2, 0.0), ms(100));
        assert_eq!(p.backoff(3, 0.5), ms(300));
        assert_eq!(p.backoff(5, 1.0), ms(1600));
        assert_eq!(p.backoff(6, 1.0), ms(2000));
        assert_eq!(p.backoff(6, 0.0), ms(1000));
        // Far out, no overflow: still the cap.
        assert_eq!(p.backoff(u32::MAX, 1.0), ms(2000));
        for retry in 1..20 {
            let pause = p.backoff(retry, fastrand::f64());
            assert!(pause <= p.max_backoff, "{retry}: {pause:?}");
        }
    }

    #[test]
    fn attempts_and_time_are_bounded() {
        let p = RetryPolicy::default();
        let fail = Failure::Unavailable;
        assert!(p
            .next_pause(READ, fail, 1, Duration::ZERO, None, 0.5)
            .is_some());
        assert!(p
            .next_pause(READ, fail, 9, Duration::ZERO, None, 0.5)
            .is_some());
        assert_eq!(
            p.next_pause(READ, fail, 10, Duration::ZERO, None, 0.5),
            None
        );
        // A pause that would end past the time budget is not taken.
        assert!(p
            .next_pause(READ, fail, 2, Duration::from_millis(14_900), None, 1.0)
            .is_none());
        assert!(p
            .next_pause(READ, fail, 2, Duration::from_millis(14_850), None, 0.0)
            .is_some());
        // Not allowed at all: no pause.
        assert_eq!(
            p.next_pause(PLAIN, fail, 1, Duration::ZERO, None, 0.5),
            None
        );
        let none = RetryPolicy::none();
        assert_eq!(
            none.next_pause(READ, Failure::NotSent, 1, Duration::ZERO, None, 0.5),
            None
        );
        let zero = RetryPolicy::default().max_attempts(0);
        assert_eq!(
            zero.next_pause(READ, Failure::NotSent, 1, Duration::ZERO, None, 0.5),
            None
        );
    }

    #[test]
    fn retry_after_is_honoured_within_the_budget() {
        let p = RetryPolicy::default();
        let asked = Some(Duration::from_secs(3));
        assert_eq!(
            p.next_pause(READ, Failure::Throttled, 1, Duration::ZERO, asked, 0.0),
            Some(Duration::from_secs(3))
        );
        // Longer than the pauses' cap, still honoured; longer than what is left, given up.
        assert_eq!(
            p.next_pause(
                PLAIN,
                Failure::Throttled,
                1,
                Duration::from_secs(13),
                asked,
                0.0
            ),
            None
        );
    }

    #[test]
    fn a_retried_blocking_read_keeps_its_index_and_waits_what_is_left() {
        let busy = Failure::Unavailable;
        let opts = QueryOptions::default()
            .wait_index(42)
            .wait_time(Duration::from_secs(30));
        let again = retried_wait(&opts, Duration::from_millis(12_300), busy);
        assert_eq!(again.wait_index, Some(42));
        assert_eq!(again.wait_time, Some(Duration::from_secs(17)));
        let late = retried_wait(&opts, Duration::from_millis(29_600), busy);
        assert_eq!(late.wait_time, Some(Duration::from_millis(400)));
        // Past the wait: the smallest wait, never zero (Consul's 5-minute default).
        let over = retried_wait(&opts, Duration::from_secs(45), Failure::Throttled);
        assert_eq!(over.wait_time, Some(Duration::from_millis(1)));
        // No wait set: the agent's default of 5 minutes is what is being spent.
        let default = QueryOptions::default().wait_hash("abc");
        let again = retried_wait(&default, Duration::from_secs(60), busy);
        assert_eq!(again.wait_time, Some(Duration::from_secs(240)));
        assert_eq!(again.wait_hash.as_deref(), Some("abc"));
    }

    #[test]
    fn after_a_connection_failure_a_blocking_read_asks_for_the_state_at_once() {
        let opts = QueryOptions::default()
            .wait_index(42)
            .wait_time(Duration::from_secs(30));
        for failure in [Failure::NotSent, Failure::Lost] {
            let again = retried_wait(&opts, Duration::from_secs(1), failure);
            assert_eq!(again.wait_index, Some(42), "{failure:?}");
            assert_eq!(
                again.wait_time,
                Some(Duration::from_millis(1)),
                "{failure:?}"
            );
        }
    }
}

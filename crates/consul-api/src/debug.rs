//! The agent's Go profiles (`/debug/pprof`, Go's `api/debug.go`): heap, CPU profile,
//! execution trace and goroutines, for agents run with `enable_debug = true`.
//!
//! Each answer is the profile in Go's `pprof` (or trace) format, streamed as it comes:
//! write it to a file and open it with `go tool pprof` or `go tool trace`.
//!
//! ```no_run
//! # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
//! use std::time::Duration;
//! let heap = client.debug().heap().await?.value.collect().await?;
//! let cpu = client.debug().profile(Duration::from_secs(10)).await?.value;
//! # Ok(()) }
//! ```

use crate::call::{Answer, Call, ReadRequest};
use crate::Result;
use consul_transport::BodyStream;
use consul_types::endpoint::{Decode, Endpoint};
use consul_types::ValidationError;
use http::Method;
use std::time::Duration;

family! {
    /// The agent's Go profiles; made by [`Client::debug`](crate::Client::debug). The agent
    /// must run with `enable_debug = true` (and, with ACLs, the token needs `operator:read`);
    /// otherwise it answers with an error.
    Debug, debug, "agent's Go profiles"
}

/// Which profile a [`DebugProfile`] asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Heap,
    Cpu,
    Trace,
    Goroutine,
}

/// The call of every [`Debug`](struct@Debug) method: one profile, streamed.
#[derive(Debug, Clone)]
pub struct DebugProfile {
    kind: Kind,
    /// How long a CPU profile or trace records (the server answers only after it).
    seconds: Option<Duration>,
}

impl Call for DebugProfile {
    type Output = BodyStream;

    fn endpoint(&self) -> std::result::Result<Endpoint, ValidationError> {
        let path = match self.kind {
            Kind::Heap => "debug/pprof/heap",
            Kind::Cpu => "debug/pprof/profile",
            Kind::Trace => "debug/pprof/trace",
            Kind::Goroutine => "debug/pprof/goroutine",
        };
        let mut endpoint = Endpoint::read(Method::GET, path)
            .agent()
            .at_root()
            .decode(Decode::Stream);
        if let Some(time) = self.seconds {
            // The handlers count whole seconds, and 0 means their own default (30 s).
            let seconds = time.as_secs().max(1);
            endpoint = endpoint
                .param("seconds", seconds.to_string())
                .holds_for(Duration::from_secs(seconds));
        }
        Ok(endpoint)
    }

    fn output(&self, answer: Answer) -> Result<BodyStream> {
        Ok(answer.into_stream())
    }
}

impl Debug {
    /// A heap profile (Go's `Debug.Heap`).
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// let profile = client.debug().heap().await?.value.collect().await?;
    /// std::fs::write("consul-heap.prof", &profile).unwrap();
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Transport and status errors; an agent without `enable_debug` refuses.
    pub fn heap(&self) -> ReadRequest<DebugProfile> {
        self.profile_of(Kind::Heap, None)
    }

    /// A CPU profile recorded for `time`, in whole seconds (at least one; Go's
    /// `Debug.Profile`). The agent answers when it is done, so the request may take that
    /// long.
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use std::time::Duration;
    /// let cpu = client.debug().profile(Duration::from_secs(5)).await?.value.collect().await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`heap`](Self::heap).
    pub fn profile(&self, time: Duration) -> ReadRequest<DebugProfile> {
        self.profile_of(Kind::Cpu, Some(time))
    }

    /// An execution trace recorded for `time`, in whole seconds (at least one; Go's
    /// `Debug.Trace`).
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use std::time::Duration;
    /// let trace = client.debug().trace(Duration::from_secs(1)).await?.value.collect().await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`heap`](Self::heap).
    pub fn trace(&self, time: Duration) -> ReadRequest<DebugProfile> {
        self.profile_of(Kind::Trace, Some(time))
    }

    /// The agent's goroutines (Go's `Debug.Goroutine`).
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// let goroutines = client.debug().goroutine().await?.value.collect().await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`heap`](Self::heap).
    pub fn goroutine(&self) -> ReadRequest<DebugProfile> {
        self.profile_of(Kind::Goroutine, None)
    }

    fn profile_of(&self, kind: Kind, seconds: Option<Duration>) -> ReadRequest<DebugProfile> {
        self.read(DebugProfile { kind, seconds })
    }
}

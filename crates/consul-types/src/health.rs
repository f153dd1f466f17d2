//! Models and rules of health checks: the checks themselves ([`HealthCheck`]), their
//! statuses ([`CheckStatus`]), the definitions used to register them ([`CheckDefinition`])
//! and the rows of `/v1/health/service` ([`ServiceEntry`]).

use crate::agent::AgentService;
use crate::catalog::Node;
use crate::serde_util::{null_as_default, null_as_empty_vec};
use crate::{duration, ValidationError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

text_enum! {
    /// A check's status as Consul reports it.
    ///
    /// Unknown values (from a newer Consul) are kept in [`CheckStatus::Other`], so decoding
    /// never fails on them.
    ///
    /// ```
    /// use consul_types::health::CheckStatus;
    /// assert_eq!(CheckStatus::from("warning"), CheckStatus::Warning);
    /// assert_eq!(CheckStatus::from("degraded"), CheckStatus::Other("degraded".into()));
    /// assert_eq!(CheckStatus::Critical.as_str(), "critical");
    /// ```
    CheckStatus {
        /// `critical` (the status of a new check unless one is given).
        default Critical = "critical",
        /// `passing`.
        Passing = "passing",
        /// `warning`.
        Warning = "warning",
        /// `maintenance`: the aggregated status of something in maintenance mode.
        Maintenance = "maintenance",
    }
}

impl CheckStatus {
    /// Whether this is one of the statuses a check can be set to (`passing`, `warning`,
    /// `critical`).
    pub fn is_settable(&self) -> bool {
        matches!(
            self,
            CheckStatus::Passing | CheckStatus::Warning | CheckStatus::Critical
        )
    }

    /// The worst of several statuses: maintenance, then critical, then warning (an unknown
    /// status counts as critical); passing when there are none.
    ///
    /// This combines statuses only (for example the `aggregated_status` of several agent
    /// health answers). To aggregate *checks* the way Consul's Go client does, which
    /// recognises maintenance from check ids and gives no status for an unknown one, use
    /// [`aggregated_status`] or [`ServiceEntry::aggregated_status`].
    ///
    /// ```
    /// use consul_types::health::CheckStatus;
    /// let all = [CheckStatus::Passing, CheckStatus::Warning];
    /// assert_eq!(CheckStatus::aggregate(all.iter()), CheckStatus::Warning);
    /// assert_eq!(CheckStatus::aggregate([].iter()), CheckStatus::Passing);
    /// ```
    pub fn aggregate<'a>(statuses: impl IntoIterator<Item = &'a CheckStatus>) -> CheckStatus {
        let rank = |s: &CheckStatus| match s {
            CheckStatus::Passing => 0,
            CheckStatus::Warning => 1,
            CheckStatus::Critical | CheckStatus::Other(_) => 2,
            CheckStatus::Maintenance => 3,
        };
        match statuses.into_iter().map(rank).max().unwrap_or(0) {
            0 => CheckStatus::Passing,
            1 => CheckStatus::Warning,
            2 => CheckStatus::Critical,
            _ => CheckStatus::Maintenance,
        }
    }
}

/// The state filter of `GET /v1/health/state/:state`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HealthState {
    /// Every check.
    Any,
    /// Passing checks.
    Passing,
    /// Checks in warning.
    Warning,
    /// Critical checks.
    Critical,
}

impl HealthState {
    /// The path segment Consul expects.
    pub fn as_str(self) -> &'static str {
        match self {
            HealthState::Any => "any",
            HealthState::Passing => "passing",
            HealthState::Warning => "warning",
            HealthState::Critical => "critical",
        }
    }
}

impl fmt::Display for HealthState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The id of the check Consul adds while a node is in maintenance mode (Go's
/// `api.NodeMaint`).
pub const NODE_MAINTENANCE_CHECK_ID: &str = "_node_maintenance";

/// The prefix of the id of the check Consul adds while a service instance is in
/// maintenance mode, followed by the instance id (Go's `api.ServiceMaintPrefix`).
pub const SERVICE_MAINTENANCE_CHECK_PREFIX: &str = "_service_maintenance:";

/// One check as the catalog, the health endpoints and the agent report it (Go's
/// `api.HealthCheck`). Also the check of a catalog registration.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct HealthCheck {
    /// The node the check runs on.
    pub node: String,
    /// The check's id, unique on its node.
    #[serde(rename = "CheckID")]
    pub check_id: String,
    /// The check's name.
    pub name: String,
    /// Its status.
    pub status: CheckStatus,
    /// Notes for humans.
    pub notes: String,
    /// The output of the last run (or the note of the last TTL update).
    pub output: String,
    /// The service the check belongs to; empty for a node check.
    #[serde(rename = "ServiceID")]
    pub service_id: String,
    /// The name of that service.
    pub service_name: String,
    /// The tags of that service.
    #[serde(deserialize_with = "null_as_empty_vec")]
    pub service_tags: Vec<String>,
    /// The kind of check (`ttl`, `http`, `tcp`, `script`, `grpc`, `alias`, `maintenance`…);
    /// empty for checks registered through the catalog.
    #[serde(rename = "Type")]
    pub check_type: String,
    /// How the check runs, as far as the catalog knows it (boxed, as the proxy of
    /// [`AgentService::proxy`](crate::agent::AgentService::proxy)).
    pub definition: Box<HealthCheckDefinition>,
    /// Namespace (Consul Enterprise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Raft index at which the check was created (0 from the agent's own view).
    pub create_index: u64,
    /// Raft index of the last change.
    pub modify_index: u64,
}

impl HealthCheck {
    /// A check for a catalog registration, with an id, a name and a status.
    pub fn new(check_id: impl Into<String>, name: impl Into<String>, status: CheckStatus) -> Self {
        HealthCheck {
            check_id: check_id.into(),
            name: name.into(),
            status,
            ..HealthCheck::default()
        }
    }

    /// Whether this is the check Consul adds for node or service maintenance mode: its id
    /// is [`NODE_MAINTENANCE_CHECK_ID`] or starts with
    /// [`SERVICE_MAINTENANCE_CHECK_PREFIX`] (whatever its status).
    ///
    /// ```
    /// use consul_types::health::{CheckStatus, HealthCheck};
    /// let maint = HealthCheck::new("_service_maintenance:web-1", "", CheckStatus::Critical);
    /// assert!(maint.is_maintenance());
    /// assert!(!HealthCheck::new("web-1-ttl", "", CheckStatus::Critical).is_maintenance());
    /// ```
    pub fn is_maintenance(&self) -> bool {
        self.check_id == NODE_MAINTENANCE_CHECK_ID
            || self.check_id.starts_with(SERVICE_MAINTENANCE_CHECK_PREFIX)
    }

    /// Checks a check given to a catalog registration.
    ///
    /// # Errors
    /// [`ValidationError::Empty`] for an empty id and name, [`ValidationError::InvalidValue`]
    /// for a status other than passing, warning or critical (Consul 1.8.7 would store it),
    /// [`ValidationError::InvalidDuration`] for a definition with an invalid duration.
    pub fn validate(&self) -> Result<(), ValidationError> {
        if self.check_id.is_empty() && self.name.is_empty() {
            return Err(ValidationError::Empty {
                field: "check id or name",
            });
        }
        validate_settable_status(&self.status)?;
        self.definition.validate()
    }
}

setters!(HealthCheck {
    /// Sets [`HealthCheck::notes`].
    notes: impl Into<String> => |v: _| Into::into(v);
    /// Sets [`HealthCheck::output`].
    output: impl Into<String> => |v: _| Into::into(v);
    /// Sets [`HealthCheck::service_id`].
    service_id: impl Into<String> => |v: _| Into::into(v);
    /// Sets [`HealthCheck::definition`].
    definition: HealthCheckDefinition => Box::new;
});

/// How a check runs, as stored in the catalog (Go's `api.HealthCheckDefinition`).
/// Durations are Go-format text (`"10s"`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct HealthCheckDefinition {
    /// URL of an HTTP check.
    #[serde(rename = "HTTP", skip_serializing_if = "Option::is_none")]
    pub http: Option<String>,
    /// Headers of an HTTP check.
    #[serde(
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "null_as_default"
    )]
    pub header: BTreeMap<String, Vec<String>>,
    /// Method of an HTTP check.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Body of an HTTP check.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// Whether an HTTPS check skips certificate verification.
    #[serde(rename = "TLSSkipVerify", skip_serializing_if = "std::ops::Not::not")]
    pub tls_skip_verify: bool,
    /// Address of a TCP check.
    #[serde(rename = "TCP", skip_serializing_if = "Option::is_none")]
    pub tcp: Option<String>,
    /// How often the check runs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval: Option<String>,
    /// How long one run may take.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<String>,
    /// Deregister the service after the check was critical this long.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deregister_critical_service_after: Option<String>,
}

impl HealthCheckDefinition {
    /// Checks the durations.
    ///
    /// # Errors
    /// [`ValidationError::InvalidDuration`].
    pub fn validate(&self) -> Result<(), ValidationError> {
        for d in [
            &self.interval,
            &self.timeout,
            &self.deregister_critical_service_after,
        ]
        .into_iter()
        .flatten()
        {
            duration::parse(d)?;
        }
        Ok(())
    }
}

/// One instance of a service with its node and checks, as `GET /v1/health/service/:name`
/// returns it (Go's `api.ServiceEntry`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct ServiceEntry {
    /// The node the instance runs on.
    #[serde(deserialize_with = "null_as_default")]
    pub node: Node,
    /// The instance.
    #[serde(deserialize_with = "null_as_default")]
    pub service: AgentService,
    /// Its checks and its node's checks.
    #[serde(deserialize_with = "null_as_empty_vec")]
    pub checks: Vec<HealthCheck>,
}

impl ServiceEntry {
    /// The status that best represents the entry's checks, exactly as Go's
    /// `HealthChecks.AggregatedStatus` computes it (see [`aggregated_status`]).
    ///
    /// `None` when a check has a status other than passing, warning or critical (Go
    /// returns `""`).
    pub fn aggregated_status(&self) -> Option<CheckStatus> {
        aggregated_status(&self.checks)
    }
}

/// The status that best represents a list of checks, exactly as Go's
/// `HealthChecks.AggregatedStatus` computes it:
///
/// - a maintenance check ([`HealthCheck::is_maintenance`], recognised by its id, whatever
///   its status) makes it [`CheckStatus::Maintenance`];
/// - otherwise the worst of the statuses: critical, then warning, then passing;
/// - passing for no checks at all;
/// - `None` (Go's `""`) as soon as a check that is not a maintenance check has a status
///   other than passing, warning or critical, whatever the others say.
///
/// ```
/// use consul_types::health::{aggregated_status, CheckStatus, HealthCheck};
/// let checks = [
///     HealthCheck::new("serfHealth", "", CheckStatus::Passing),
///     HealthCheck::new("_node_maintenance", "", CheckStatus::Critical),
/// ];
/// assert_eq!(aggregated_status(&checks), Some(CheckStatus::Maintenance));
/// let odd = [HealthCheck::new("c", "", CheckStatus::from("degraded"))];
/// assert_eq!(aggregated_status(&odd), None);
/// assert_eq!(aggregated_status(&[]), Some(CheckStatus::Passing));
/// ```
pub fn aggregated_status<'a>(
    checks: impl IntoIterator<Item = &'a HealthCheck>,
) -> Option<CheckStatus> {
    let (mut warning, mut critical, mut maintenance) = (false, false, false);
    for check in checks {
        if check.is_maintenance() {
            maintenance = true;
            continue;
        }
        match check.status {
            CheckStatus::Passing => {}
            CheckStatus::Warning => warning = true,
            CheckStatus::Critical => critical = true,
            // Go's switch knows only passing, warning and critical: even "maintenance"
            // as a status (rather than as a check id) gives no aggregate.
            CheckStatus::Maintenance | CheckStatus::Other(_) => return None,
        }
    }
    Some(if maintenance {
        CheckStatus::Maintenance
    } else if critical {
        CheckStatus::Critical
    } else if warning {
        CheckStatus::Warning
    } else {
        CheckStatus::Passing
    })
}

/// The kind of a [`CheckDefinition`]: what decides its status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CheckKind {
    /// The application reports its status before the TTL runs out.
    Ttl,
    /// The agent makes an HTTP request.
    Http,
    /// The agent opens a TCP connection.
    Tcp,
    /// The agent runs a command (needs `enable_script_checks`).
    Script,
    /// The agent runs a command inside a Docker container.
    Docker,
    /// The agent calls the gRPC health checking protocol.
    Grpc,
    /// The status mirrors another service's (or node's) health.
    Alias,
}

/// A check to register: with the agent on its own (`PUT /v1/agent/check/register`) or as
/// part of a service registration (Go's `api.AgentCheckRegistration` and
/// `api.AgentServiceCheck` in one type).
///
/// A definition has exactly one kind, set by its constructor ([`CheckDefinition::ttl`],
/// [`CheckDefinition::http`], …); [`CheckDefinition::validate`] rejects definitions with
/// none or several, and durations that are not in Go's format. Durations are kept as
/// Go-format text (`"10s"`), as Consul takes them; the setters format a [`Duration`].
///
/// ```
/// use consul_types::health::{CheckDefinition, CheckKind};
/// use std::time::Duration;
/// let check = CheckDefinition::http("http://127.0.0.1:8080/health", Duration::from_secs(10))
///     .name("web health")
///     .timeout(Duration::from_secs(2));
/// assert_eq!(check.kind(), Some(CheckKind::Http));
/// assert!(check.validate().is_ok());
///
/// let mut two_kinds = CheckDefinition::ttl(Duration::from_secs(30)).name("x");
/// two_kinds.tcp = Some("127.0.0.1:22".into());
/// assert!(two_kinds.validate().is_err());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct CheckDefinition {
    /// The check's id (defaults to its name). Sent as `CheckID` inside a service
    /// registration and as `ID` to `/v1/agent/check/register`.
    #[serde(
        rename = "CheckID",
        alias = "ID",
        skip_serializing_if = "Option::is_none"
    )]
    pub id: Option<String>,
    /// The check's name (required for a check registered on its own).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Notes for humans.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// The service a check registered on its own belongs to. Leave unset inside a service
    /// registration.
    #[serde(rename = "ServiceID", skip_serializing_if = "Option::is_none")]
    pub service_id: Option<String>,
    /// Initial status (passing, warning or critical; Consul's default is critical).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<CheckStatus>,
    /// TTL kind: how long the check stays in its status without an update.
    #[serde(rename = "TTL", skip_serializing_if = "Option::is_none")]
    pub ttl: Option<String>,
    /// HTTP kind: the URL to request.
    #[serde(rename = "HTTP", skip_serializing_if = "Option::is_none")]
    pub http: Option<String>,
    /// HTTP: request headers.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub header: BTreeMap<String, Vec<String>>,
    /// HTTP: the method (default `GET`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// HTTP: the request body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// HTTP and gRPC over TLS: skip certificate verification.
    #[serde(rename = "TLSSkipVerify", skip_serializing_if = "std::ops::Not::not")]
    pub tls_skip_verify: bool,
    /// TCP kind: the `host:port` to connect to.
    #[serde(rename = "TCP", skip_serializing_if = "Option::is_none")]
    pub tcp: Option<String>,
    /// Script kind (and Docker): the command and its arguments.
    #[serde(alias = "ScriptArgs", skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
    /// Docker kind: the container to run the command in.
    #[serde(rename = "DockerContainerID", skip_serializing_if = "Option::is_none")]
    pub docker_container_id: Option<String>,
    /// Docker: the shell to run the command with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shell: Option<String>,
    /// gRPC kind: `host:port[/service]`.
    #[serde(rename = "GRPC", skip_serializing_if = "Option::is_none")]
    pub grpc: Option<String>,
    /// gRPC: use TLS.
    #[serde(rename = "GRPCUseTLS", skip_serializing_if = "std::ops::Not::not")]
    pub grpc_use_tls: bool,
    /// Alias kind: the node of the aliased service (default: this agent's node).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alias_node: Option<String>,
    /// Alias kind: the id of the service whose health this check mirrors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alias_service: Option<String>,
    /// How often the check runs (HTTP, TCP, script, Docker and gRPC kinds).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval: Option<String>,
    /// How long one run may take.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<String>,
    /// Consecutive successes needed before the status becomes passing.
    #[serde(skip_serializing_if = "is_zero")]
    pub success_before_passing: u32,
    /// Consecutive failures needed before the status becomes critical.
    #[serde(skip_serializing_if = "is_zero")]
    pub failures_before_critical: u32,
    /// Deregister the check's service after the check was critical this long.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deregister_critical_service_after: Option<String>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl CheckDefinition {
    /// A TTL check: passing until `ttl` passes without an update
    /// (aioconsul's `register_ttl`).
    pub fn ttl(ttl: Duration) -> Self {
        CheckDefinition {
            ttl: Some(duration::format(ttl)),
            ..Default::default()
        }
    }

    /// An HTTP check of `url` every `interval` (aioconsul's `register_http`).
    pub fn http(url: impl Into<String>, interval: Duration) -> Self {
        CheckDefinition {
            http: Some(url.into()),
            interval: Some(duration::format(interval)),
            ..Default::default()
        }
    }

    /// A TCP check of `host:port` every `interval`.
    pub fn tcp(address: impl Into<String>, interval: Duration) -> Self {
        CheckDefinition {
            tcp: Some(address.into()),
            interval: Some(duration::format(interval)),
            ..Default::default()
        }
    }

    /// A script check running `args` every `interval` (aioconsul's `register_script`).
    /// The agent must allow it (`enable_script_checks`).
    pub fn script<I, S>(args: I, interval: Duration) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        CheckDefinition {
            args: args.into_iter().map(Into::into).collect(),
            interval: Some(duration::format(interval)),
            ..Default::default()
        }
    }

    /// A Docker check running `args` in `container` every `interval`.
    pub fn docker<I, S>(container: impl Into<String>, args: I, interval: Duration) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        CheckDefinition {
            docker_container_id: Some(container.into()),
            args: args.into_iter().map(Into::into).collect(),
            interval: Some(duration::format(interval)),
            ..Default::default()
        }
    }

    /// A gRPC health check of `target` (`host:port[/service]`) every `interval`.
    pub fn grpc(target: impl Into<String>, interval: Duration) -> Self {
        CheckDefinition {
            grpc: Some(target.into()),
            interval: Some(duration::format(interval)),
            ..Default::default()
        }
    }

    /// An alias check mirroring the health of the service with id `service_id`.
    pub fn alias(service_id: impl Into<String>) -> Self {
        CheckDefinition {
            alias_service: Some(service_id.into()),
            ..Default::default()
        }
    }

    /// Every kind this definition has; a valid one has exactly one.
    pub fn kinds(&self) -> Vec<CheckKind> {
        let mut kinds = Vec::new();
        if self.ttl.is_some() {
            kinds.push(CheckKind::Ttl);
        }
        if self.http.is_some() {
            kinds.push(CheckKind::Http);
        }
        if self.tcp.is_some() {
            kinds.push(CheckKind::Tcp);
        }
        if self.docker_container_id.is_some() {
            kinds.push(CheckKind::Docker);
        } else if !self.args.is_empty() {
            kinds.push(CheckKind::Script);
        }
        if self.grpc.is_some() {
            kinds.push(CheckKind::Grpc);
        }
        if self.alias_service.is_some() || self.alias_node.is_some() {
            kinds.push(CheckKind::Alias);
        }
        kinds
    }

    /// The definition's kind, if it has exactly one.
    pub fn kind(&self) -> Option<CheckKind> {
        match self.kinds().as_slice() {
            [one] => Some(*one),
            _ => None,
        }
    }

    /// Checks the definition as part of a service registration.
    ///
    /// # Errors
    /// - [`ValidationError::InvalidValue`] for a definition without a kind, an empty
    ///   target (URL, address…), a missing interval where the kind needs one, or a status
    ///   other than passing, warning or critical;
    /// - [`ValidationError::Conflict`] for several kinds, or a TTL with an interval;
    /// - [`ValidationError::InvalidDuration`] for a TTL, interval, timeout or
    ///   deregister-after that is not a Go duration;
    /// - [`ValidationError::Empty`] for an empty id.
    pub fn validate(&self) -> Result<(), ValidationError> {
        if self.id.as_deref() == Some("") {
            return Err(ValidationError::Empty { field: "check id" });
        }
        let kind = match self.kinds().as_slice() {
            [] => {
                return Err(ValidationError::InvalidValue {
                    field: "check",
                    reason: "a check needs a kind: TTL, HTTP, TCP, script, Docker, gRPC or alias"
                        .into(),
                })
            }
            [one] => *one,
            _ => {
                return Err(ValidationError::Conflict(
                    "a check definition has exactly one kind (TTL, HTTP, TCP, script, Docker, gRPC or alias)",
                ))
            }
        };
        for (field, target) in [
            ("check HTTP URL", &self.http),
            ("check TCP address", &self.tcp),
            ("check gRPC target", &self.grpc),
            ("check Docker container", &self.docker_container_id),
            ("alias service", &self.alias_service),
        ] {
            if target.as_deref() == Some("") {
                return Err(ValidationError::Empty { field });
            }
        }
        for d in [
            &self.ttl,
            &self.interval,
            &self.timeout,
            &self.deregister_critical_service_after,
        ]
        .into_iter()
        .flatten()
        {
            duration::parse(d)?;
        }
        match kind {
            CheckKind::Ttl => {
                if self.interval.is_some() {
                    return Err(ValidationError::Conflict(
                        "a TTL check takes no interval: the application reports its status",
                    ));
                }
                if self.ttl.as_deref().map(duration::parse) == Some(Ok(Duration::ZERO)) {
                    return Err(ValidationError::InvalidValue {
                        field: "check TTL",
                        reason: "must be longer than zero".into(),
                    });
                }
            }
            CheckKind::Http
            | CheckKind::Tcp
            | CheckKind::Script
            | CheckKind::Docker
            | CheckKind::Grpc => match self.interval.as_deref().map(duration::parse) {
                None => {
                    return Err(ValidationError::InvalidValue {
                        field: "check interval",
                        reason: "required for HTTP, TCP, script, Docker and gRPC checks".into(),
                    })
                }
                Some(Ok(d)) if d.is_zero() => {
                    return Err(ValidationError::InvalidValue {
                        field: "check interval",
                        reason: "must be longer than zero".into(),
                    })
                }
                Some(_) => {}
            },
            CheckKind::Alias => {}
        }
        if let Some(status) = &self.status {
            validate_settable_status(status)?;
        }
        Ok(())
    }

    /// Checks the definition as a check registered on its own: as [`Self::validate`], and
    /// the name is required.
    ///
    /// # Errors
    /// As [`Self::validate`], and [`ValidationError::Empty`] for an empty name.
    pub fn validate_registration(&self) -> Result<(), ValidationError> {
        if self.name.is_empty() {
            return Err(ValidationError::Empty {
                field: "check name",
            });
        }
        self.validate()
    }

    /// The JSON body of `PUT /v1/agent/check/register`: the same fields, but the id is
    /// sent as `ID` (Consul rejects `CheckID` there).
    ///
    /// # Errors
    /// [`ValidationError::InvalidValue`] if the definition cannot be encoded.
    pub fn agent_registration_body(&self) -> Result<serde_json::Value, ValidationError> {
        let mut value = serde_json::to_value(self).map_err(|e| ValidationError::InvalidValue {
            field: "check definition",
            reason: e.to_string().into(),
        })?;
        if let Some(map) = value.as_object_mut() {
            if let Some(id) = map.remove("CheckID") {
                map.insert("ID".to_owned(), id);
            }
        }
        Ok(value)
    }
}

setters!(CheckDefinition {
    /// Sets [`CheckDefinition::id`].
    id: impl Into<String> => |v: _| Some(Into::into(v));
    /// Sets [`CheckDefinition::name`].
    name: impl Into<String> => |v: _| Into::into(v);
    /// Sets [`CheckDefinition::notes`].
    notes: impl Into<String> => |v: _| Some(Into::into(v));
    /// Sets [`CheckDefinition::service_id`].
    service_id: impl Into<String> => |v: _| Some(Into::into(v));
    /// Sets [`CheckDefinition::status`].
    status: CheckStatus => Some;
    /// Sets [`CheckDefinition::method`].
    method: impl Into<String> => |v: _| Some(Into::into(v));
    /// Sets [`CheckDefinition::body`].
    body: impl Into<String> => |v: _| Some(Into::into(v));
    /// Sets [`CheckDefinition::tls_skip_verify`].
    tls_skip_verify: bool => |v| v;
    /// Sets [`CheckDefinition::shell`].
    shell: impl Into<String> => |v: _| Some(Into::into(v));
    /// Sets [`CheckDefinition::grpc_use_tls`].
    grpc_use_tls: bool => |v| v;
    /// Sets [`CheckDefinition::alias_node`].
    alias_node: impl Into<String> => |v: _| Some(Into::into(v));
    /// Sets [`CheckDefinition::interval`].
    interval: Duration => |v| Some(duration::format(v));
    /// Sets [`CheckDefinition::timeout`].
    timeout: Duration => |v| Some(duration::format(v));
    /// Sets [`CheckDefinition::success_before_passing`].
    success_before_passing: u32 => |v| v;
    /// Sets [`CheckDefinition::failures_before_critical`].
    failures_before_critical: u32 => |v| v;
    /// Sets [`CheckDefinition::deregister_critical_service_after`].
    deregister_critical_service_after: Duration => |v| Some(duration::format(v));
});

impl CheckDefinition {
    /// Adds an HTTP header (for HTTP checks).
    #[must_use]
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.header
            .entry(name.into())
            .or_default()
            .push(value.into());
        self
    }
}

fn validate_settable_status(status: &CheckStatus) -> Result<(), ValidationError> {
    if status.is_settable() {
        Ok(())
    } else {
        Err(ValidationError::InvalidValue {
            field: "check status",
            reason: format!("{status:?} is not one of passing, warning, critical").into(),
        })
    }
}

/// Checks that a required name or id is not empty.
pub(crate) fn non_empty(field: &'static str, value: &str) -> Result<(), ValidationError> {
    if value.is_empty() {
        Err(ValidationError::Empty { field })
    } else {
        Ok(())
    }
}

/// Checks a service name used in a path (`/health/service/:name`, …).
///
/// # Errors
/// [`ValidationError::Empty`].
pub fn validate_service_name(name: &str) -> Result<(), ValidationError> {
    non_empty("service name", name)
}

/// Checks a node name used in a path (`/health/node/:node`, …).
///
/// # Errors
/// [`ValidationError::Empty`].
pub fn validate_node_name(name: &str) -> Result<(), ValidationError> {
    non_empty("node name", name)
}

/// Checks a check id used in a path (`/agent/check/pass/:id`, …).
///
/// # Errors
/// [`ValidationError::Empty`].
pub fn validate_check_id(id: &str) -> Result<(), ValidationError> {
    non_empty("check id", id)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `/v1/health/connect/web` of a 1.8.7 agent: the sidecar of `web`, typed.
    #[test]
    fn decodes_recorded_connect_entries() {
        use crate::agent::{ServiceConnect, ServiceKind};
        let entries: Vec<ServiceEntry> =
            serde_json::from_str(include_str!("../tests/fixtures/health/connect.json")).unwrap();
        assert_eq!(entries.len(), 1);
        let proxy = &entries[0].service;
        assert_eq!(proxy.kind, ServiceKind::ConnectProxy);
        assert_eq!(proxy.id, "web-1-sidecar-proxy");
        assert_eq!(
            proxy.proxy.as_ref().unwrap().destination_service_name,
            "web"
        );
        assert_eq!(proxy.connect, Some(ServiceConnect::default()));
        assert!(proxy.meta.is_empty(), "Meta: null");
    }

    #[test]
    fn statuses_round_trip_and_keep_unknown_values() {
        for s in ["passing", "warning", "critical", "maintenance", "degraded"] {
            let status: CheckStatus = serde_json::from_value(serde_json::json!(s)).unwrap();
            assert_eq!(serde_json::to_value(&status).unwrap(), s);
            assert_eq!(status.to_string(), s);
        }
        assert_eq!(
            CheckStatus::from("degraded".to_owned()),
            CheckStatus::Other("degraded".into())
        );
        assert!(!CheckStatus::Maintenance.is_settable());
        assert!(CheckStatus::Warning.is_settable());
    }

    #[test]
    fn aggregation_takes_the_worst() {
        use CheckStatus::*;
        assert_eq!(CheckStatus::aggregate(&[Passing, Passing]), Passing);
        assert_eq!(CheckStatus::aggregate(&[Passing, Warning]), Warning);
        assert_eq!(CheckStatus::aggregate(&[Critical, Warning]), Critical);
        assert_eq!(
            CheckStatus::aggregate(&[Other("x".into()), Passing]),
            Critical
        );
        assert_eq!(
            CheckStatus::aggregate(&[Critical, Maintenance]),
            Maintenance
        );
    }

    /// Every case of Go's `TestAPI_HealthChecks_AggregatedStatus` (api/health_test.go),
    /// in its order, plus the edges of its switch.
    #[test]
    fn aggregated_status_matches_go() {
        fn status(s: &str) -> HealthCheck {
            HealthCheck::new("", "", CheckStatus::from(s))
        }
        // Go's zero-value check: empty id and empty status.
        fn id(check_id: &str) -> HealthCheck {
            HealthCheck::new(check_id, "", CheckStatus::from(""))
        }
        let node_maint = NODE_MAINTENANCE_CHECK_ID;
        let service_maint = format!("{SERVICE_MAINTENANCE_CHECK_PREFIX}service");
        let cases: Vec<(&str, Vec<HealthCheck>, Option<CheckStatus>)> = vec![
            ("empty", vec![], Some(CheckStatus::Passing)),
            (
                "passing",
                vec![status("passing")],
                Some(CheckStatus::Passing),
            ),
            (
                "warning",
                vec![status("warning")],
                Some(CheckStatus::Warning),
            ),
            (
                "critical",
                vec![status("critical")],
                Some(CheckStatus::Critical),
            ),
            (
                "node_maintenance",
                vec![id(node_maint)],
                Some(CheckStatus::Maintenance),
            ),
            (
                "service_maintenance",
                vec![id(&service_maint)],
                Some(CheckStatus::Maintenance),
            ),
            ("unknown", vec![status("nope-nope-noper")], None),
            (
                "maintenance_over_critical",
                vec![id(node_maint), status("critical")],
                Some(CheckStatus::Maintenance),
            ),
            (
                "critical_over_warning",
                vec![status("critical"), status("warning")],
                Some(CheckStatus::Critical),
            ),
            (
                "warning_over_passing",
                vec![status("warning"), status("passing")],
                Some(CheckStatus::Warning),
            ),
            (
                "lots",
                vec![
                    status("passing"),
                    status("passing"),
                    status("passing"),
                    status("warning"),
                ],
                Some(CheckStatus::Warning),
            ),
            // Beyond Go's table, from its code: an unknown status wins over everything,
            // maintenance included; "maintenance" as a status is unknown to Go's switch;
            // a maintenance id counts whatever its status.
            (
                "unknown_over_maintenance",
                vec![id(node_maint), status("nope")],
                None,
            ),
            (
                "maintenance_status_alone",
                vec![status("maintenance")],
                None,
            ),
            (
                "maintenance_id_with_critical_status",
                vec![
                    HealthCheck::new("_service_maintenance:web-1", "", CheckStatus::Critical),
                    status("passing"),
                ],
                Some(CheckStatus::Maintenance),
            ),
            (
                "prefix_alone_counts",
                vec![id(SERVICE_MAINTENANCE_CHECK_PREFIX)],
                Some(CheckStatus::Maintenance),
            ),
            (
                "similar_ids_do_not",
                vec![HealthCheck::new(
                    "_node_maintenance2",
                    "",
                    CheckStatus::Passing,
                )],
                Some(CheckStatus::Passing),
            ),
        ];
        for (i, (name, checks, want)) in cases.into_iter().enumerate() {
            let entry = ServiceEntry {
                checks: checks.clone(),
                ..ServiceEntry::default()
            };
            assert_eq!(entry.aggregated_status(), want, "{i}_{name}");
            assert_eq!(aggregated_status(&checks), want, "{i}_{name}");
        }
    }

    #[test]
    fn constructors_have_one_kind_and_validate() {
        let s = Duration::from_secs(10);
        let cases = [
            (CheckDefinition::ttl(s), CheckKind::Ttl),
            (CheckDefinition::http("http://x/", s), CheckKind::Http),
            (CheckDefinition::tcp("x:1", s), CheckKind::Tcp),
            (CheckDefinition::script(["true"], s), CheckKind::Script),
            (
                CheckDefinition::docker("c1", ["true"], s),
                CheckKind::Docker,
            ),
            (CheckDefinition::grpc("x:1", s), CheckKind::Grpc),
            (CheckDefinition::alias("web-1"), CheckKind::Alias),
        ];
        for (def, kind) in cases {
            assert_eq!(def.kind(), Some(kind));
            def.validate().unwrap();
            assert!(def.validate_registration().is_err(), "name required");
            def.name("n").validate_registration().unwrap();
        }
    }

    #[test]
    fn exactly_one_kind() {
        let none = CheckDefinition::default().name("x");
        assert!(matches!(
            none.validate(),
            Err(ValidationError::InvalidValue { field: "check", .. })
        ));
        let mut two = CheckDefinition::ttl(Duration::from_secs(5)).name("x");
        two.http = Some("http://x/".into());
        assert_eq!(two.kinds(), vec![CheckKind::Ttl, CheckKind::Http]);
        assert!(matches!(two.validate(), Err(ValidationError::Conflict(_))));
        let mut two = CheckDefinition::tcp("a:1", Duration::from_secs(5));
        two.grpc = Some("a:2".into());
        assert!(matches!(two.validate(), Err(ValidationError::Conflict(_))));
    }

    #[test]
    fn durations_are_go_durations() {
        let mut bad = CheckDefinition::ttl(Duration::from_secs(5));
        bad.ttl = Some("10".into());
        assert!(matches!(
            bad.validate(),
            Err(ValidationError::InvalidDuration { .. })
        ));
        let mut bad = CheckDefinition::http("http://x/", Duration::from_secs(5));
        bad.timeout = Some("soon".into());
        assert!(matches!(
            bad.validate(),
            Err(ValidationError::InvalidDuration { .. })
        ));
        let mut bad = CheckDefinition::tcp("x:1", Duration::from_secs(5));
        bad.deregister_critical_service_after = Some("-1m".into());
        assert!(bad.validate().is_err());
        let mut missing = CheckDefinition::http("http://x/", Duration::from_secs(5));
        missing.interval = None;
        assert!(matches!(
            missing.validate(),
            Err(ValidationError::InvalidValue {
                field: "check interval",
                ..
            })
        ));
        let ttl_with_interval =
            CheckDefinition::ttl(Duration::from_secs(5)).interval(Duration::from_secs(1));
        assert!(matches!(
            ttl_with_interval.validate(),
            Err(ValidationError::Conflict(_))
        ));
        assert!(CheckDefinition::ttl(Duration::ZERO).validate().is_err());
    }

    #[test]
    fn statuses_and_targets() {
        let d = CheckDefinition::ttl(Duration::from_secs(5)).status(CheckStatus::Maintenance);
        assert!(d.validate().is_err());
        let d = CheckDefinition::ttl(Duration::from_secs(5)).status(CheckStatus::Passing);
        assert!(d.validate().is_ok());
        let d = CheckDefinition::http("", Duration::from_secs(5));
        assert!(matches!(d.validate(), Err(ValidationError::Empty { .. })));
        let d = CheckDefinition::ttl(Duration::from_secs(5)).id("");
        assert!(matches!(d.validate(), Err(ValidationError::Empty { .. })));
    }

    #[test]
    fn serializes_only_what_is_set_with_consul_names() {
        let d = CheckDefinition::http("http://x/", Duration::from_secs(90))
            .id("c1")
            .name("web")
            .header("X-A", "b")
            .tls_skip_verify(true)
            .deregister_critical_service_after(Duration::from_secs(600));
        let json = serde_json::to_value(&d).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "CheckID": "c1", "Name": "web", "HTTP": "http://x/", "Interval": "1m30s",
                "Header": {"X-A": ["b"]}, "TLSSkipVerify": true,
                "DeregisterCriticalServiceAfter": "10m0s"
            })
        );
        let body = d.agent_registration_body().unwrap();
        assert_eq!(body["ID"], "c1");
        assert!(body.get("CheckID").is_none());
        let script =
            serde_json::to_value(CheckDefinition::script(["a", "b"], Duration::from_secs(1)))
                .unwrap();
        assert_eq!(script["Args"], serde_json::json!(["a", "b"]));
        assert_eq!(
            serde_json::to_value(
                CheckDefinition::grpc("h:1", Duration::from_secs(1)).grpc_use_tls(true)
            )
            .unwrap()["GRPCUseTLS"],
            true
        );
    }

    #[test]
    fn decodes_recorded_health_responses() {
        let node: Vec<HealthCheck> =
            serde_json::from_str(include_str!("../tests/fixtures/health/node.json")).unwrap();
        assert!(node.iter().any(|c| c.check_id == "serfHealth"
            && c.status == CheckStatus::Passing
            && c.service_id.is_empty()));
        let checks: Vec<HealthCheck> =
            serde_json::from_str(include_str!("../tests/fixtures/health/checks.json")).unwrap();
        assert!(checks.iter().all(|c| c.service_name == "web"));
        let warn = checks.iter().find(|c| c.check_id == "web-1-ttl").unwrap();
        assert_eq!(warn.status, CheckStatus::Warning);
        assert_eq!(warn.output, "slow");
        assert_eq!(warn.check_type, "ttl");
        assert_eq!(warn.service_tags, vec!["v1", "primary"]);

        let entries: Vec<ServiceEntry> =
            serde_json::from_str(include_str!("../tests/fixtures/health/service.json")).unwrap();
        assert_eq!(entries.len(), 1);
        let e = &entries[0];
        assert_eq!(e.node.node, "fixture-node");
        assert_eq!(e.service.id, "web-1");
        assert_eq!(e.service.port, 8080);
        assert_eq!(e.aggregated_status(), Some(CheckStatus::Critical));
        assert!(e.checks.iter().any(|c| c.check_id == "serfHealth"));

        let external: Vec<ServiceEntry> = serde_json::from_str(include_str!(
            "../tests/fixtures/health/service_external.json"
        ))
        .unwrap();
        let e = &external[0];
        assert_eq!(e.node.meta["rack"], "r1");
        let http = e.checks.iter().find(|c| c.check_id == "db-http").unwrap();
        assert_eq!(
            http.definition.http.as_deref(),
            Some("http://10.1.2.3:5432/health")
        );
        assert_eq!(http.definition.interval.as_deref(), Some("10s"));
        http.definition.validate().unwrap();

        for fixture in [
            include_str!("../tests/fixtures/health/state_any.json"),
            include_str!("../tests/fixtures/health/state_critical.json"),
        ] {
            let checks: Vec<HealthCheck> = serde_json::from_str(fixture).unwrap();
            assert!(!checks.is_empty());
        }
    }

    #[test]
    fn nulls_decode_as_empty() {
        let e: ServiceEntry =
            serde_json::from_str(r#"{"Node":null,"Service":null,"Checks":null}"#).unwrap();
        assert!(e.checks.is_empty());
        let c: HealthCheck =
            serde_json::from_str(r#"{"ServiceTags":null,"Status":"bogus","NewField":1}"#).unwrap();
        assert_eq!(c.status, CheckStatus::Other("bogus".into()));
    }

    #[test]
    fn catalog_checks_validate() {
        assert!(HealthCheck::new("c", "c", CheckStatus::Passing)
            .validate()
            .is_ok());
        assert!(HealthCheck::new("", "", CheckStatus::Passing)
            .validate()
            .is_err());
        assert!(
            HealthCheck::new("c", "c", CheckStatus::Other("bogus".into()))
                .validate()
                .is_err()
        );
    }

    #[test]
    fn names() {
        assert!(validate_service_name("").is_err());
        assert!(validate_node_name("n").is_ok());
        assert!(validate_check_id("").is_err());
    }
}

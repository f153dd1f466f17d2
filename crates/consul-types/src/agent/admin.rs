//! Models of the agent's administration endpoints: the host it runs on
//! (`/v1/agent/host`), its metrics (`/v1/agent/metrics`, and the stream of them of Consul
//! 1.11+), its version (`/v1/agent/version`, Consul 1.14+) and the kinds of ACL token it
//! can be given (`/v1/agent/token/:type`).

use crate::serde_util::{null_as_default, null_as_empty_vec};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;

/// What `/v1/agent/host` tells about the machine the agent runs on (Go's `Agent.Host`,
/// a `map[string]interface{}` there).
///
/// Consul documents this format as unstable: it is the output of the `gopsutil` library
/// and changes with it. The commonly useful fields are typed; every other field, at every
/// level, is kept in an `other` map, so nothing Consul sends is lost.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct HostInfo {
    /// Memory figures.
    pub memory: HostMemory,
    /// One entry per CPU (per core or thread, as the platform reports them).
    #[serde(rename = "CPU", deserialize_with = "null_as_empty_vec")]
    pub cpu: Vec<HostCpu>,
    /// The operating system.
    pub host: HostOs,
    /// The disk holding the agent's data directory.
    pub disk: HostDisk,
    /// When the figures were collected, in nanoseconds since the Unix epoch.
    pub collection_time: i64,
    /// What could not be collected (Go `error` values, which Consul encodes as `{}` objects
    /// or strings, kept as they are).
    #[serde(deserialize_with = "null_as_empty_vec")]
    pub errors: Vec<Value>,
    /// Fields not modelled here.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// The memory part of [`HostInfo`] (gopsutil's `VirtualMemoryStat`, in bytes).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct HostMemory {
    /// Total physical memory.
    pub total: u64,
    /// Memory available to new processes without swapping.
    pub available: u64,
    /// Memory in use.
    pub used: u64,
    /// `used` as a percentage of `total`.
    pub used_percent: f64,
    /// Memory not used at all.
    pub free: u64,
    /// Fields not modelled here (`buffers`, `cached`, `swaptotal`, …).
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// One CPU of [`HostInfo`] (gopsutil's `cpu.InfoStat`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct HostCpu {
    /// Its number.
    pub cpu: i64,
    /// The vendor (`GenuineIntel`, `AuthenticAMD`).
    pub vendor_id: String,
    /// The model's name.
    pub model_name: String,
    /// Cores it has.
    pub cores: i64,
    /// Clock speed in MHz.
    pub mhz: f64,
    /// Feature flags.
    #[serde(deserialize_with = "null_as_empty_vec")]
    pub flags: Vec<String>,
    /// Fields not modelled here (`family`, `model`, `stepping`, `cacheSize`, …).
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// The operating-system part of [`HostInfo`] (gopsutil's `host.InfoStat`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct HostOs {
    /// The host name.
    pub hostname: String,
    /// Seconds since boot.
    pub uptime: u64,
    /// Boot time, in seconds since the Unix epoch.
    pub boot_time: u64,
    /// Number of processes.
    pub procs: u64,
    /// The OS (`linux`, `darwin`, `windows`).
    pub os: String,
    /// The distribution (`debian`, `ubuntu`).
    pub platform: String,
    /// Its family.
    pub platform_family: String,
    /// Its version.
    pub platform_version: String,
    /// The kernel's version.
    pub kernel_version: String,
    /// The virtualization system, if any.
    pub virtualization_system: String,
    /// `host` or `guest`, if known.
    pub virtualization_role: String,
    /// The host's unique id.
    #[serde(rename = "hostid")]
    pub host_id: String,
    /// Fields not modelled here (`kernelArch`, …).
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// The disk part of [`HostInfo`] (gopsutil's `disk.UsageStat`, in bytes).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct HostDisk {
    /// The mount point measured.
    pub path: String,
    /// Its file system type.
    pub fstype: String,
    /// Its size.
    pub total: u64,
    /// Space free.
    pub free: u64,
    /// Space used.
    pub used: u64,
    /// `used` as a percentage of `total`.
    pub used_percent: f64,
    /// Fields not modelled here (`inodesTotal`, …).
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// The agent's metrics as JSON (`/v1/agent/metrics`, Go's `MetricsInfo`): the last
/// complete interval (10 s) of its in-memory telemetry.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct MetricsInfo {
    /// Start of the interval, as Go prints a time (`2020-11-29 06:27:00 +0000 UTC`).
    pub timestamp: String,
    /// Values that are set (memory in use, goroutines, autopilot health).
    #[serde(deserialize_with = "null_as_empty_vec")]
    pub gauges: Vec<GaugeValue>,
    /// Series of points (unused by Consul 1.8).
    #[serde(deserialize_with = "null_as_empty_vec")]
    pub points: Vec<PointValue>,
    /// Values that are counted (RPCs, requests).
    #[serde(deserialize_with = "null_as_empty_vec")]
    pub counters: Vec<SampledValue>,
    /// Values that are timed (durations in milliseconds).
    #[serde(deserialize_with = "null_as_empty_vec")]
    pub samples: Vec<SampledValue>,
}

impl MetricsInfo {
    /// The gauge named `name`, if it was reported.
    ///
    /// ```
    /// # let metrics = consul_types::agent::MetricsInfo::default();
    /// if let Some(g) = metrics.gauge("consul.runtime.num_goroutines") {
    ///     println!("{} goroutines", g.value);
    /// }
    /// ```
    pub fn gauge(&self, name: &str) -> Option<&GaugeValue> {
        self.gauges.iter().find(|g| g.name == name)
    }

    /// The counter named `name`, if it was reported (the first, when labels tell several
    /// apart).
    pub fn counter(&self, name: &str) -> Option<&SampledValue> {
        self.counters.iter().find(|c| c.name == name)
    }

    /// The sample named `name`, if it was reported (the first, when labels tell several
    /// apart).
    pub fn sample(&self, name: &str) -> Option<&SampledValue> {
        self.samples.iter().find(|s| s.name == name)
    }
}

/// The agent's build (`GET /v1/agent/version`, Consul 1.14+; Go's `Agent.Version`, a
/// `map[string]interface{}` there, and Consul's `version.BuildInfo`).
///
/// ```
/// use consul_types::agent::BuildInfo;
/// let v: BuildInfo = serde_json::from_str(
///     r#"{"SHA":"0b4b2a5d","BuildDate":"2023-11-20T21:38:59Z","HumanVersion":"1.17.0","FIPS":""}"#,
/// ).unwrap();
/// assert_eq!(v.human_version, "1.17.0");
/// assert!(v.fips.is_empty());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct BuildInfo {
    /// The version as people read it (`1.17.0`, `1.17.0-rc1`, `1.17.0+ent`).
    pub human_version: String,
    /// The Git commit it was built from.
    #[serde(rename = "SHA")]
    pub sha: String,
    /// When it was built (RFC 3339).
    pub build_date: String,
    /// The FIPS 140-2 mode of the build (empty for a build without it).
    #[serde(rename = "FIPS")]
    pub fips: String,
    /// Fields not modelled here (added by later versions).
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// One gauge of [`MetricsInfo`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct GaugeValue {
    /// Its name (`consul.runtime.alloc_bytes`).
    pub name: String,
    /// Its value.
    pub value: f64,
    /// Its labels.
    #[serde(deserialize_with = "null_as_default")]
    pub labels: BTreeMap<String, String>,
}

/// One series of points of [`MetricsInfo`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct PointValue {
    /// Its name.
    pub name: String,
    /// Its points.
    #[serde(deserialize_with = "null_as_empty_vec")]
    pub points: Vec<f64>,
}

/// A counter or sample of [`MetricsInfo`]: what was seen during the interval.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct SampledValue {
    /// Its name (`consul.http.GET.v1.agent.metrics`).
    pub name: String,
    /// How many values were seen.
    pub count: u64,
    /// Values per second over the interval.
    pub rate: f64,
    /// Their sum.
    pub sum: f64,
    /// The smallest.
    pub min: f64,
    /// The largest.
    pub max: f64,
    /// Their mean.
    pub mean: f64,
    /// Their standard deviation.
    pub stddev: f64,
    /// Its labels.
    #[serde(deserialize_with = "null_as_default")]
    pub labels: BTreeMap<String, String>,
}

/// Which of the agent's ACL tokens `PUT /v1/agent/token/:type` sets.
///
/// Consul 1.8 knows the four current names and their legacy spellings (pre-1.4
/// configuration names), which it takes as synonyms; later versions add names (such as
/// `agent_recovery`, 1.11), given with [`AgentTokenType::Other`]. An agent answers a name
/// it does not know with `404 Token "x" is unknown`.
///
/// ```
/// use consul_types::agent::AgentTokenType;
/// assert_eq!(AgentTokenType::AgentMaster.as_str(), "agent_master");
/// assert_eq!(AgentTokenType::from("acl_token"), AgentTokenType::AclToken);
/// assert_eq!(AgentTokenType::from("agent_recovery").to_string(), "agent_recovery");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AgentTokenType {
    /// `default`: used for requests that carry no token (and for DNS).
    Default,
    /// `agent`: the agent's own token, for its internal operations (anti-entropy).
    Agent,
    /// `agent_master`: a local token that can act on the agent even when the servers are
    /// unreachable (renamed `agent_recovery` in Consul 1.11).
    AgentMaster,
    /// `replication`: used by secondary datacenters to replicate ACLs.
    Replication,
    /// `acl_token`: the legacy name of [`AgentTokenType::Default`].
    AclToken,
    /// `acl_agent_token`: the legacy name of [`AgentTokenType::Agent`].
    AclAgentToken,
    /// `acl_agent_master_token`: the legacy name of [`AgentTokenType::AgentMaster`].
    AclAgentMasterToken,
    /// `acl_replication_token`: the legacy name of [`AgentTokenType::Replication`].
    AclReplicationToken,
    /// Another name (`agent_recovery` and `config_file_service_registration` of later
    /// Consul versions).
    Other(String),
}

impl AgentTokenType {
    /// Every name Consul 1.8 knows, current names first.
    pub const KNOWN: [AgentTokenType; 8] = [
        AgentTokenType::Default,
        AgentTokenType::Agent,
        AgentTokenType::AgentMaster,
        AgentTokenType::Replication,
        AgentTokenType::AclToken,
        AgentTokenType::AclAgentToken,
        AgentTokenType::AclAgentMasterToken,
        AgentTokenType::AclReplicationToken,
    ];

    /// The name as the path spells it.
    pub fn as_str(&self) -> &str {
        match self {
            AgentTokenType::Default => "default",
            AgentTokenType::Agent => "agent",
            AgentTokenType::AgentMaster => "agent_master",
            AgentTokenType::Replication => "replication",
            AgentTokenType::AclToken => "acl_token",
            AgentTokenType::AclAgentToken => "acl_agent_token",
            AgentTokenType::AclAgentMasterToken => "acl_agent_master_token",
            AgentTokenType::AclReplicationToken => "acl_replication_token",
            AgentTokenType::Other(s) => s,
        }
    }
}

impl From<&str> for AgentTokenType {
    fn from(s: &str) -> Self {
        AgentTokenType::KNOWN
            .into_iter()
            .find(|t| t.as_str() == s)
            .unwrap_or_else(|| AgentTokenType::Other(s.to_owned()))
    }
}

impl From<String> for AgentTokenType {
    fn from(s: String) -> Self {
        match AgentTokenType::from(s.as_str()) {
            AgentTokenType::Other(_) => AgentTokenType::Other(s),
            known => known,
        }
    }
}

impl fmt::Display for AgentTokenType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> String {
        std::fs::read_to_string(format!(
            "{}/tests/fixtures/agent/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    }

    #[test]
    fn decodes_recorded_host_keeping_unknown_fields() {
        let raw = fixture("host.json");
        let host: HostInfo = serde_json::from_str(&raw).unwrap();
        assert!(host.memory.total > 0 && host.memory.used_percent > 0.0);
        assert!(host.memory.other.contains_key("buffers"));
        assert_eq!(host.cpu.len(), 2);
        assert_eq!(host.cpu[0].vendor_id, "GenuineIntel");
        assert!(host.cpu[0].mhz > 0.0 && host.cpu[0].flags.contains(&"sse2".to_owned()));
        assert_eq!(host.cpu[0].other["family"], "6");
        assert_eq!(host.host.os, "linux");
        assert_eq!(host.host.host_id.len(), 36);
        assert_eq!(host.host.other["kernelArch"], "x86_64");
        assert_eq!(host.disk.path, "/");
        assert!(host.disk.total > host.disk.free);
        assert!(host.collection_time > 1_500_000_000_000_000_000);
        assert!(host.errors.is_empty() && host.other.is_empty());
        // Nothing is lost on a round trip: every field sent, at every level, comes back.
        fn keys(v: &Value, at: &str, out: &mut Vec<String>) {
            if let Value::Object(map) = v {
                for (k, v) in map {
                    out.push(format!("{at}/{k}"));
                    keys(v, &format!("{at}/{k}"), out);
                }
            }
            if let Value::Array(items) = v {
                for (i, v) in items.iter().enumerate() {
                    keys(v, &format!("{at}/{i}"), out);
                }
            }
        }
        let (mut sent, mut kept) = (Vec::new(), Vec::new());
        keys(&serde_json::from_str(&raw).unwrap(), "", &mut sent);
        keys(&serde_json::to_value(&host).unwrap(), "", &mut kept);
        sent.sort();
        kept.sort();
        assert_eq!(kept, sent);
        // A field a later Consul adds is kept, at the top and inside.
        let newer: HostInfo = serde_json::from_value(serde_json::json!({
            "Memory": {"total": 1, "newStat": 2},
            "GPU": [{"name": "x"}],
        }))
        .unwrap();
        assert_eq!(newer.memory.other["newStat"], 2);
        assert_eq!(newer.other["GPU"][0]["name"], "x");
    }

    #[test]
    fn decodes_recorded_metrics() {
        let m: MetricsInfo = serde_json::from_str(&fixture("metrics.json")).unwrap();
        assert!(m.timestamp.ends_with("UTC"));
        assert!(m.points.is_empty(), "Consul 1.8 sends null");
        assert_eq!(
            m.gauge("consul.vm.autopilot.healthy").map(|g| g.value),
            Some(1.0)
        );
        assert!(m.counter("consul.client.rpc").unwrap().count > 0);
        let fsm = m.sample("consul.consul.fsm.ca").unwrap();
        assert_eq!(fsm.labels["op"], "increment-provider-serial");
        assert!(fsm.rate > 0.0 && fsm.max >= fsm.min);
    }

    #[test]
    fn token_types_spell_as_consul_does() {
        let names: Vec<String> = AgentTokenType::KNOWN
            .iter()
            .map(|t| t.to_string())
            .collect();
        assert_eq!(
            names,
            [
                "default",
                "agent",
                "agent_master",
                "replication",
                "acl_token",
                "acl_agent_token",
                "acl_agent_master_token",
                "acl_replication_token"
            ]
        );
        for t in AgentTokenType::KNOWN {
            assert_eq!(AgentTokenType::from(t.to_string()), t);
        }
        assert_eq!(
            AgentTokenType::from("agent_recovery".to_owned()),
            AgentTokenType::Other("agent_recovery".into())
        );
    }
}

//! The agent's administration against real agents: its host, its metrics (JSON and
//! Prometheus text) and its ACL tokens.

use consul_integration_tests::{eventually, recording_client, LogCapture, TestAgent};
use consulate::acl::{AclPolicy, AclToken, Policy, Rules};
use consulate::agent::AgentTokenType;
use consulate::{Client, Error};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const MASTER: &str = "root-secret-0000-0000-000000000001";

async fn acl_agent() -> TestAgent {
    TestAgent::builder()
        .acl_master_token(MASTER)
        .start()
        .await
        .expect("an ACL-enabled agent starts")
}

/// A client of `agent` that sends no token at all (the agent's `default` token applies).
fn tokenless(agent: &TestAgent) -> Client {
    let mut config = agent.config();
    config.token = None;
    Client::new(config).unwrap()
}

#[tokio::test]
async fn host_describes_the_machine_the_agent_runs_on() {
    let agent = TestAgent::dev().await;
    let host = agent.client().agent().host().await.unwrap().value;
    assert_eq!(host.host.os, std::env::consts::OS);
    assert!(!host.host.hostname.is_empty());
    assert!(host.host.uptime > 0 && host.host.procs > 0);
    assert!(!host.cpu.is_empty() && host.cpu.iter().all(|c| c.cores >= 1));
    assert!(host.memory.total > 0 && host.memory.available <= host.memory.total);
    assert!(host.disk.total > 0 && host.disk.free <= host.disk.total);
    // Collected just now (the agent's clock is this machine's).
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    let collected = Duration::from_nanos(host.collection_time as u64);
    assert!(
        now.abs_diff(collected) < Duration::from_secs(60),
        "{now:?} vs {collected:?}"
    );
    // The unstable rest is kept, not dropped: 1.8.7 sends more than is typed.
    assert!(
        host.memory.other.contains_key("buffers"),
        "{:?}",
        host.memory
    );
    assert!(host.host.other.contains_key("kernelVersion") || !host.host.kernel_version.is_empty());
}

#[tokio::test]
async fn metrics_are_read_as_json() {
    let agent = TestAgent::dev().await;
    let client = agent.client();
    // The in-memory sink shows its current interval until one is complete; the runtime
    // gauges arrive within a second, and each request is timed once it is answered.
    let metrics = eventually("runtime gauges and a timed metrics request", || async {
        let m = client.agent().metrics().await.unwrap().value;
        let goroutines = m
            .gauges
            .iter()
            .any(|g| g.name.ends_with(".runtime.num_goroutines") && g.value > 0.0);
        let timed = m.sample("consul.http.GET.v1.agent.metrics").is_some();
        (goroutines && timed).then_some(m)
    })
    .await;
    assert!(!metrics.timestamp.is_empty());
    let timed = metrics.sample("consul.http.GET.v1.agent.metrics").unwrap();
    assert!(timed.count >= 1 && timed.max >= timed.min && timed.mean > 0.0);
    assert!(!metrics.counters.is_empty());
}

#[tokio::test]
async fn prometheus_text_needs_the_agents_retention_time() {
    let agent = TestAgent::builder()
        .hcl(r#"telemetry { prometheus_retention_time = "60s" }"#)
        .start()
        .await
        .expect("an agent with Prometheus retention starts");
    let text = agent
        .client()
        .agent()
        .metrics_prometheus()
        .await
        .unwrap()
        .value;
    assert!(text.contains("# TYPE "), "{text}");
    let samples: Vec<&str> = text
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    for line in &samples {
        // `name{labels} value` or `name value`, the value a number.
        let value = line.rsplit(' ').next().unwrap();
        assert!(value.parse::<f64>().is_ok(), "{line}");
    }
    // Consul's own metrics beside the Go runtime's (`go_…`).
    assert!(samples.iter().any(|l| l.starts_with("consul_")), "{text}");

    // A default agent keeps no Prometheus data and says so with 415: a typed error.
    let plain = TestAgent::dev().await;
    let e = plain
        .client()
        .agent()
        .metrics_prometheus()
        .await
        .unwrap_err();
    assert!(e.is_not_enabled(), "{e:?}");
    assert_eq!(e.status().map(|s| s.as_u16()), Some(415));
    assert!(e.to_string().contains("retention time"), "{e}");
}

#[tokio::test]
async fn token_updates_take_effect_for_every_type_on_an_acl_agent() {
    let agent = acl_agent().await;
    let master = agent.client();
    master.kv().put("shared/greeting", "hello").await.unwrap();
    let rules = Rules::new().key_prefix("shared/", Policy::Read);
    master
        .acl()
        .policy_create(AclPolicy::new("shared-read", &rules))
        .await
        .unwrap();
    let reader = master
        .acl()
        .token_create(AclToken::new("default for tokenless requests").policy("shared-read"))
        .await
        .unwrap()
        .value
        .secret_id
        .unwrap();

    // Without a default token, a request without a token is the anonymous one: denied.
    let anonymous = tokenless(&agent);
    let e = anonymous.kv().get("shared/greeting").await.unwrap_err();
    assert!(e.is_permission_denied(), "{e:?}");

    // `default` makes tokenless requests use the reader token …
    let logs = LogCapture::start();
    let (recorded, recorder) = recording_client(&agent);
    recorded
        .agent()
        .update_token(AgentTokenType::Default, reader.clone())
        .await
        .unwrap();
    let pair = anonymous.kv().get("shared/greeting").await.unwrap().value;
    assert_eq!(pair.unwrap().value_str(), Some("hello"));
    // … and its legacy name `acl_token` sets the same token (empty: back to anonymous).
    recorded
        .agent()
        .update_token(AgentTokenType::AclToken, "")
        .await
        .unwrap();
    let e = anonymous.kv().get("shared/greeting").await.unwrap_err();
    assert!(e.is_permission_denied(), "{e:?}");

    // The secret went in the body only: not in a URL, not in the client's logs.
    let requests = recorder.requests();
    assert_eq!(requests[0].uri.path(), "/v1/agent/token/default");
    assert!(requests
        .iter()
        .all(|r| !r.uri.to_string().contains(reader.secret())));
    assert!(String::from_utf8_lossy(&requests[0].body).contains(reader.secret()));
    let logged = logs.text();
    assert!(logged.contains("agent/token/default"), "{logged}");
    assert!(!logged.contains(reader.secret()), "{logged}");

    // Every other type 1.8.7 knows is accepted. The agent and replication tokens are set
    // to the master token (so the agent's own requests stay allowed), the agent master
    // token to a secret of its own.
    let agent_master = "agent-master-0000-0000-000000000002";
    for kind in AgentTokenType::KNOWN {
        let secret = match kind {
            AgentTokenType::Default | AgentTokenType::AclToken => "",
            AgentTokenType::AgentMaster | AgentTokenType::AclAgentMasterToken => agent_master,
            _ => MASTER,
        };
        master
            .agent()
            .update_token(kind.clone(), secret)
            .await
            .unwrap_or_else(|e| panic!("{kind}: {e}"));
    }
    // The agent master token now acts on the agent, and on nothing else.
    let mut config = agent.config();
    config.token = Some(agent_master.into());
    let local = Client::new(config).unwrap();
    assert!(!local.agent().members().await.unwrap().value.is_empty());
    let e = local.kv().get("shared/greeting").await.unwrap_err();
    assert!(e.is_permission_denied(), "{e:?}");
    // The agent still works with its agent token replaced: it syncs a new service.
    master
        .agent()
        .service_register(consulate::agent::ServiceRegistration::new(
            "after-token-update",
        ))
        .await
        .unwrap();
    eventually("the service synced to the catalog", || async {
        let found = master
            .catalog()
            .service("after-token-update")
            .await
            .unwrap()
            .value;
        (!found.is_empty()).then_some(())
    })
    .await;

    // Names of later versions are unknown to 1.8.7: a 404 with its message.
    let e = master
        .agent()
        .update_token(AgentTokenType::Other("agent_recovery".into()), MASTER)
        .await
        .unwrap_err();
    assert!(
        matches!(&e, Error::NotFound { message } if message == "Token \"agent_recovery\" is unknown"),
        "{e:?}"
    );
    // Without `agent:write`, Consul refuses.
    let e = anonymous
        .agent()
        .update_token(AgentTokenType::Default, MASTER)
        .await
        .unwrap_err();
    assert!(e.is_permission_denied(), "{e:?}");
}

#[tokio::test]
async fn token_updates_on_an_agent_without_acls_are_refused() {
    let agent = TestAgent::dev().await;
    let e = agent
        .client()
        .agent()
        .update_token(AgentTokenType::Default, "anything")
        .await
        .unwrap_err();
    assert_eq!(e.status().map(|s| s.as_u16()), Some(401), "{e:?}");
    assert!(e.to_string().contains("ACL support disabled"), "{e}");
}

//! The harness itself: it fails loudly without Consul, and cleans up after itself.

use consul_test::{TestAgent, INSTALL_HINT};

#[tokio::test]
async fn fails_with_install_hint_without_consul_then_starts_and_cleans_up() {
    // One test function: CONSUL_BIN is process-wide, so nothing may run beside this part.
    let saved = std::env::var_os("CONSUL_BIN");
    std::env::set_var("CONSUL_BIN", "/nonexistent/consul");
    let err = TestAgent::builder().start().await.unwrap_err().to_string();
    match &saved {
        Some(v) => std::env::set_var("CONSUL_BIN", v),
        None => std::env::remove_var("CONSUL_BIN"),
    }
    assert!(err.contains("/nonexistent/consul"), "{err}");
    assert!(err.contains(INSTALL_HINT), "{err}");

    let mut agent = TestAgent::dev().await;
    let pid = agent.pid().expect("running");
    let leader = agent
        .client()
        .request(http::Method::GET, "status/leader")
        .await
        .unwrap();
    assert!(
        leader.body().len() > 2,
        "a leader is known once start returns"
    );
    let node = agent
        .client()
        .request(
            http::Method::GET,
            format!("catalog/node/{}", agent.node_name()),
        )
        .await
        .unwrap();
    assert!(
        node.body().trim_ascii_start().starts_with(b"{"),
        "own node is registered"
    );
    let alive = std::path::Path::new(&format!("/proc/{pid}")).exists();
    assert!(alive, "the agent process is alive");
    agent.stop().await;
    assert!(!agent.is_running());
    drop(agent);
    assert!(
        !std::path::Path::new(&format!("/proc/{pid}")).exists()
            || std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .map(|s| s.contains(") Z "))
                .unwrap_or(true),
        "the agent process is gone"
    );
}

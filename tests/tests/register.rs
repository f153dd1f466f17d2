//! Registration that stays true, against a real agent: passing after the first beat,
//! critical once the heartbeat stops, registered again when the agent forgets the service
//! (deregistered behind its back, agent restarted with fresh state), reported health kept
//! by the heartbeat, deregistered on shutdown and on drop, invalid settings refused before
//! sending.

use consul_integration_tests::{
    eventually, recording_client, unique_prefix, LogCapture, TestAgent,
};
use consulate::agent::CheckStatus;
use consulate::register::{RegisterError, RegistrationGuard, RegistrationState};
use consulate::{Client, Error};
use std::time::{Duration, Instant};

/// A service name of its own per test.
fn service_name(test: &str) -> String {
    unique_prefix(test).trim_end_matches('/').replace('/', "-")
}

/// The heartbeat check's status and output, `None` when the agent has no such check.
async fn check(client: &Client, id: &str) -> Option<(CheckStatus, String)> {
    let check = client.agent().check(id).await.expect("read checks").value?;
    Some((check.status, check.output))
}

/// Waits (at most 10 s) until the guard's state satisfies `done`.
async fn state_until(
    guard: &RegistrationGuard,
    what: &str,
    done: impl FnMut(&RegistrationState) -> bool,
) -> RegistrationState {
    let mut state = guard.subscribe();
    let seen = tokio::time::timeout(Duration::from_secs(10), state.wait_for(done))
        .await
        .unwrap_or_else(|_| panic!("timed out waiting for {what}: {:?}", guard.state()))
        .expect("the task keeps the state's sender")
        .clone();
    seen
}

#[tokio::test]
async fn passing_after_the_first_beat_with_its_definition() {
    let agent = TestAgent::dev().await;
    let (client, recorder) = recording_client(&agent);
    let name = service_name("reg-first");
    let guard = client
        .service_registration(&name)
        .id(format!("{name}-1"))
        .address("10.1.2.3")
        .port(8080)
        .tags(["v1", "primary"])
        .meta("version", "1.4.2")
        .ttl(Duration::from_secs(2))
        .deregister_critical_service_after(Duration::from_secs(90))
        .start()
        .await
        .expect("registered");
    assert_eq!(guard.service_id(), format!("{name}-1"));
    assert_eq!(guard.check_id(), format!("service:{name}-1"));
    // `start` returns after the first beat: passing at once, no waiting.
    assert_eq!(
        check(&client, guard.check_id()).await,
        Some((CheckStatus::Passing, String::new()))
    );
    let service = client
        .agent()
        .service(guard.service_id())
        .await
        .unwrap()
        .value
        .expect("the service is registered");
    assert_eq!(service.service, name);
    assert_eq!((service.address.as_str(), service.port), ("10.1.2.3", 8080));
    assert_eq!(service.tags, ["v1", "primary"]);
    assert_eq!(
        service.meta.get("version").map(String::as_str),
        Some("1.4.2")
    );
    let state = guard.state();
    assert_eq!((state.registrations, state.beats), (1, 1), "{state:?}");

    // Consul 1.8.7 reads DeregisterCriticalServiceAfter but never shows it back: prove it
    // was sent, in Consul's duration format, on the heartbeat check.
    let sent = recorder
        .requests()
        .into_iter()
        .find(|r| r.uri.path() == "/v1/agent/service/register")
        .expect("a registration was sent");
    let body: serde_json::Value = serde_json::from_slice(&sent.body).unwrap();
    let checks = body["Checks"].as_array().expect("the checks");
    assert_eq!(checks.len(), 1, "{body}");
    assert_eq!(checks[0]["TTL"], "2s");
    assert_eq!(checks[0]["DeregisterCriticalServiceAfter"], "1m30s");
    assert_eq!(
        checks[0]["Status"], "passing",
        "starts passing: no critical blip"
    );
    guard.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_detached_registration_turns_critical_after_its_ttl_and_stays() {
    let agent = TestAgent::dev().await;
    let client = agent.client();
    let name = service_name("reg-detach");
    let ttl = Duration::from_secs(1);
    let guard = client
        .service_registration(&name)
        .ttl(ttl)
        .heartbeat_fraction(0.5)
        .start()
        .await
        .unwrap();
    // A beat or two more, so the heartbeat provably runs before it is stopped.
    state_until(&guard, "a second beat", |s| s.beats >= 2).await;
    let check_id = guard.check_id().to_owned();
    let mut state = guard.subscribe();
    guard.detach();
    let detached = Instant::now();
    tokio::time::timeout(Duration::from_secs(5), state.wait_for(|s| s.ended))
        .await
        .expect("the task ends when detached")
        .unwrap();
    let beats = state.borrow().beats;
    let critical = eventually("the check to turn critical", || async {
        match check(&client, &check_id).await {
            Some((CheckStatus::Critical, output)) => Some(output),
            _ => None,
        }
    })
    .await;
    let elapsed = detached.elapsed();
    eprintln!("critical {elapsed:?} after the detach (TTL {ttl:?})");
    assert!(critical.contains("TTL expired"), "{critical}");
    // The last beat was at most one interval (ttl / 2) before the detach.
    assert!(
        elapsed >= ttl / 2 - Duration::from_millis(100) && elapsed < ttl + Duration::from_secs(2),
        "critical {elapsed:?} after the detach, TTL {ttl:?}"
    );
    assert_eq!(state.borrow().beats, beats, "no beat after the detach");
    assert!(
        client.agent().service(&name).await.unwrap().value.is_some(),
        "a detached service stays registered"
    );
}

#[tokio::test]
async fn reported_health_is_kept_by_the_heartbeat() {
    let agent = TestAgent::dev().await;
    let client = agent.client();
    let name = service_name("reg-health");
    let guard = client
        .service_registration(&name)
        .ttl(Duration::from_secs(1))
        .heartbeat_fraction(0.3)
        .start()
        .await
        .unwrap();
    let id = guard.check_id().to_owned();

    guard.warn("pool 90% used").await.unwrap();
    let warned = (CheckStatus::Warning, "pool 90% used".to_owned());
    assert_eq!(
        check(&client, &id).await,
        Some(warned.clone()),
        "set at once"
    );
    let beats = guard.state().beats;
    // Four more beats cover more than the TTL: a heartbeat that sent `passing` (or none)
    // would have changed the check by now.
    state_until(&guard, "four more beats", |s| s.beats >= beats + 4).await;
    assert_eq!(
        check(&client, &id).await,
        Some(warned),
        "kept by the heartbeat"
    );
    let state = guard.state();
    assert_eq!(
        (state.status, state.note.as_str()),
        (CheckStatus::Warning, "pool 90% used")
    );

    guard.fail("database unreachable").await.unwrap();
    let failed = (CheckStatus::Critical, "database unreachable".to_owned());
    assert_eq!(check(&client, &id).await, Some(failed.clone()));
    let beats = guard.state().beats;
    state_until(&guard, "two more beats", |s| s.beats >= beats + 2).await;
    assert_eq!(check(&client, &id).await, Some(failed));
    let critical = client
        .health()
        .service(&name)
        .passing()
        .await
        .unwrap()
        .value;
    assert!(
        critical.is_empty(),
        "a failing service is out of healthy results"
    );

    guard.pass("").await.unwrap();
    assert_eq!(
        check(&client, &id).await,
        Some((CheckStatus::Passing, String::new()))
    );
    guard.shutdown().await.unwrap();
}

#[tokio::test]
async fn deregistered_behind_its_back_it_is_registered_again_within_one_ttl() {
    let agent = TestAgent::dev().await;
    let client = agent.client();
    let name = service_name("reg-forgot");
    let ttl = Duration::from_secs(2);
    let guard = client
        .service_registration(&name)
        .ttl(ttl)
        .heartbeat_fraction(0.5)
        .start()
        .await
        .unwrap();
    guard.warn("degraded").await.unwrap();

    client.agent().service_deregister(&name).await.unwrap();
    let gone = Instant::now();
    assert!(client.agent().service(&name).await.unwrap().value.is_none());
    let back = state_until(&guard, "a second registration", |s| s.registrations == 2).await;
    let elapsed = gone.elapsed();
    eprintln!("registered again {elapsed:?} after the deregistration (TTL {ttl:?})");
    assert!(
        elapsed < ttl,
        "registered again {elapsed:?} after, TTL {ttl:?}"
    );
    assert!(back.last_error.is_none(), "{back:?}");
    assert!(client.agent().service(&name).await.unwrap().value.is_some());
    // Registered again already in the reported status; the note is the check's output,
    // which Consul takes only from the beat that follows the registration at once.
    let (status, _) = check(&client, guard.check_id()).await.unwrap();
    assert_eq!(status, CheckStatus::Warning, "registered again as warning");
    let deadline = gone + ttl;
    eventually("the reported note back on the check", || async {
        let got = check(&client, guard.check_id()).await;
        (got == Some((CheckStatus::Warning, "degraded".to_owned()))).then_some(())
    })
    .await;
    assert!(
        Instant::now() < deadline,
        "the reported health was back only after the TTL"
    );
    guard.shutdown().await.unwrap();
}

#[tokio::test]
async fn an_agent_restarted_with_fresh_state_gets_the_registration_back_within_one_ttl() {
    let mut agent = TestAgent::dev().await;
    let client = agent.client();
    let name = service_name("reg-restart");
    let ttl = Duration::from_secs(2);
    let guard = client
        .service_registration(&name)
        .ttl(ttl)
        .heartbeat_fraction(0.5)
        .start()
        .await
        .unwrap();

    // A dev agent keeps nothing: after the restart it knows no service at all.
    agent.restart().await.expect("agent restarted");
    let up = Instant::now();
    eventually("the registration to be back", || async {
        let service = client.agent().service(&name).await.ok()?.value?;
        let check = client.agent().check(guard.check_id()).await.ok()?.value?;
        (check.status == CheckStatus::Passing).then_some(service)
    })
    .await;
    let elapsed = up.elapsed();
    eprintln!("back and passing {elapsed:?} after the agent was up (TTL {ttl:?})");
    assert!(
        elapsed < ttl,
        "back {elapsed:?} after the agent was up, TTL {ttl:?}"
    );
    let state = guard.state();
    assert_eq!(state.registrations, 2, "{state:?}");
    guard.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_reloaded_dev_agent_gets_the_registration_back_within_one_ttl() {
    let agent = TestAgent::dev().await;
    let client = agent.client();
    let name = service_name("reg-reload");
    let ttl = Duration::from_secs(2);
    let guard = client
        .service_registration(&name)
        .ttl(ttl)
        .heartbeat_fraction(0.5)
        .start()
        .await
        .unwrap();
    // A dev agent forgets what was registered over HTTP when it reloads.
    client.agent().reload().await.unwrap();
    let reloaded = Instant::now();
    let back = state_until(&guard, "a second registration", |s| s.registrations == 2).await;
    let elapsed = reloaded.elapsed();
    eprintln!("registered again {elapsed:?} after the reload (TTL {ttl:?})");
    assert!(
        elapsed < ttl,
        "registered again {elapsed:?} after, TTL {ttl:?}"
    );
    assert!(back.last_error.is_none(), "{back:?}");
    assert_eq!(
        check(&client, guard.check_id()).await,
        Some((CheckStatus::Passing, String::new()))
    );
    guard.shutdown().await.unwrap();
}

#[tokio::test]
async fn shutdown_deregisters_before_it_returns_and_drop_soon_after() {
    let agent = TestAgent::dev().await;
    let client = agent.client();
    let name = service_name("reg-end");
    let first = client
        .service_registration(&name)
        .id(format!("{name}-a"))
        .start()
        .await
        .unwrap();
    let second = client
        .service_registration(&name)
        .id(format!("{name}-b"))
        .start()
        .await
        .unwrap();
    let mut second_state = second.subscribe();

    first.shutdown().await.unwrap();
    assert!(
        client
            .agent()
            .service(format!("{name}-a"))
            .await
            .unwrap()
            .value
            .is_none(),
        "gone when shutdown returns"
    );
    assert!(check(&client, &format!("service:{name}-a")).await.is_none());

    drop(second);
    eventually("the dropped registration to be removed", || async {
        let left = client
            .agent()
            .service(format!("{name}-b"))
            .await
            .ok()?
            .value;
        left.is_none().then_some(())
    })
    .await;
    tokio::time::timeout(Duration::from_secs(5), second_state.wait_for(|s| s.ended))
        .await
        .expect("the task ends when its guard is dropped")
        .unwrap();
}

#[tokio::test]
async fn invalid_settings_are_refused_before_anything_is_sent() {
    let agent = TestAgent::dev().await;
    let (client, recorder) = recording_client(&agent);
    let cases = [
        (
            "zero ttl",
            client.service_registration("web").ttl(Duration::ZERO),
        ),
        (
            "fraction 1",
            client.service_registration("web").heartbeat_fraction(1.0),
        ),
        (
            "fraction 0",
            client.service_registration("web").heartbeat_fraction(0.0),
        ),
        (
            "fraction NaN",
            client
                .service_registration("web")
                .heartbeat_fraction(f64::NAN),
        ),
        (
            "interval below 100 ms",
            client
                .service_registration("web")
                .ttl(Duration::from_secs(1))
                .heartbeat_fraction(0.05),
        ),
        ("empty name", client.service_registration("")),
        ("empty id", client.service_registration("web").id("")),
        (
            "a check with the heartbeat's id",
            client.service_registration("web").definition(
                consulate::agent::ServiceRegistration::new("web").check(
                    consulate::agent::CheckDefinition::ttl(Duration::from_secs(5))
                        .id("service:web"),
                ),
            ),
        ),
    ];
    for (what, registration) in cases {
        match registration.start().await {
            Err(RegisterError::Consul(Error::Validation(e))) => {
                assert!(!e.to_string().is_empty(), "{what}")
            }
            other => panic!("{what}: {other:?}"),
        }
    }
    assert_eq!(recorder.count(), 0, "nothing was sent");
}

#[tokio::test]
async fn every_action_runs_in_a_span() {
    let agent = TestAgent::dev().await;
    let client = agent.client();
    let name = service_name("reg-spans");
    let log = LogCapture::start();
    let guard = client
        .service_registration(&name)
        .ttl(Duration::from_secs(1))
        .start()
        .await
        .unwrap();
    guard.warn("busy").await.unwrap();
    guard.shutdown().await.unwrap();
    let text = log.text();
    for span in [
        "consul.register.register",
        "consul.register.beat",
        "consul.register.report",
        "consul.register.deregister",
    ] {
        assert!(text.contains(span), "no {span} in:\n{text}");
    }
    assert!(text.contains(&name), "spans name the service:\n{text}");
}

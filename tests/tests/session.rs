//! Sessions against a real agent.

use consul_integration_tests::{q, recording_client, w, TestAgent};
use consulate::session::{NewSession, SessionBehavior};
use consulate::ValidationError;
use std::time::{Duration, Instant};

#[tokio::test]
async fn create_read_list_renew_destroy() {
    let agent = TestAgent::dev().await;
    let sessions = agent.client().session();
    let new = NewSession::default()
        .name("it-session")
        .ttl(Duration::from_secs(30))
        .lock_delay(Duration::from_secs(2))
        .behavior(SessionBehavior::Delete);
    let id = sessions.create(&new, &w()).await.unwrap().value;
    assert_eq!(id.len(), 36);

    let got = sessions.get(&id, &q()).await.unwrap();
    assert_eq!(got.value.name, "it-session");
    assert_eq!(got.value.node, agent.node_name());
    assert_eq!(got.value.ttl, Some(Duration::from_secs(30)));
    assert_eq!(got.value.lock_delay, Duration::from_secs(2));
    assert_eq!(got.value.behavior, SessionBehavior::Delete);
    assert_eq!(got.value.node_checks, vec!["serfHealth".to_owned()]);

    let all = sessions.list(&q()).await.unwrap().value;
    assert!(all.iter().any(|s| s.id == id));
    let mine = sessions.node(agent.node_name(), &q()).await.unwrap().value;
    assert!(mine.iter().any(|s| s.id == id));
    assert!(sessions
        .node("no-such-node", &q())
        .await
        .unwrap()
        .value
        .is_empty());

    let renewed = sessions.renew(&id, &w()).await.unwrap().value;
    assert_eq!(renewed.id, id);
    assert_eq!(renewed.ttl, Some(Duration::from_secs(30)));

    // Per-datacenter handle: the agent's own dc works, an unknown one is Consul's 500.
    let same = sessions.dc("dc1").get(&id, &q()).await.unwrap();
    assert_eq!(same.value.id, id);
    let e = sessions.dc("nowhere").list(&q()).await.unwrap_err();
    assert_eq!(e.status().map(|s| s.as_u16()), Some(500));

    assert!(sessions.destroy(&id, &w()).await.unwrap().value);
    let e = sessions.get(&id, &q()).await.unwrap_err();
    assert!(e.is_not_found(), "{e:?}");
    assert!(sessions.info(&id, &q()).await.unwrap().value.is_none());
    let e = sessions.renew(&id, &w()).await.unwrap_err();
    assert!(e.is_not_found(), "{e:?}");

    // A session without checks.
    let bare = sessions
        .create(&NewSession::default().without_checks(), &w())
        .await
        .unwrap()
        .value;
    assert!(sessions
        .get(&bare, &q())
        .await
        .unwrap()
        .value
        .node_checks
        .is_empty());
}

#[tokio::test]
async fn blocking_list_returns_when_a_session_appears() {
    let agent = TestAgent::dev().await;
    let sessions = agent.client().session();
    let first = sessions.list(&q()).await.unwrap();
    let creator = sessions.clone();
    let create = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        creator
            .create(&NewSession::default().name("late"), &w())
            .await
            .unwrap()
            .value
    });
    let started = Instant::now();
    let opts = q()
        .wait_index(first.meta.last_index)
        .wait_time(Duration::from_secs(10));
    let next = sessions.list(&opts).await.unwrap();
    let id = create.await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(next.meta.last_index > first.meta.last_index);
    assert!(next.value.iter().any(|s| s.id == id));
}

#[tokio::test]
async fn bad_input_is_a_typed_error_and_nothing_is_sent() {
    let agent = TestAgent::dev().await;
    let (client, recorder) = recording_client(&agent);
    let sessions = client.session();
    let e = sessions
        .create(&NewSession::default().ttl(Duration::from_secs(5)), &w())
        .await
        .unwrap_err();
    assert!(matches!(
        e.as_validation(),
        Some(ValidationError::OutOfRange {
            field: "session TTL",
            ..
        })
    ));
    let e = sessions
        .create(
            &NewSession::default().behavior(SessionBehavior::from("destroy")),
            &w(),
        )
        .await
        .unwrap_err();
    assert!(matches!(
        e.as_validation(),
        Some(ValidationError::InvalidValue {
            field: "session behavior",
            ..
        })
    ));
    let e = sessions
        .create(
            &NewSession::default().lock_delay(Duration::from_secs(61)),
            &w(),
        )
        .await
        .unwrap_err();
    assert!(e.is_validation());
    assert_eq!(recorder.count(), 0);
}

#[tokio::test]
async fn a_ttl_session_that_is_not_renewed_expires() {
    let agent = TestAgent::dev().await;
    let sessions = agent.client().session();
    let id = sessions
        .create(&NewSession::default().ttl(Duration::from_secs(10)), &w())
        .await
        .unwrap()
        .value;
    let started = Instant::now();
    // Consul invalidates after up to twice the TTL; wait with blocking reads.
    let deadline = started + Duration::from_secs(40);
    let mut index = 0;
    loop {
        let opts = q().wait_index(index).wait_time(Duration::from_secs(10));
        match sessions.info(&id, &opts).await.unwrap() {
            r if r.value.is_none() => break,
            r => index = r.meta.last_index,
        }
        assert!(Instant::now() < deadline, "session did not expire");
    }
    let took = started.elapsed();
    eprintln!("TTL 10s session expired after {took:?}");
    assert!(
        took >= Duration::from_secs(9),
        "expired too early: {took:?}"
    );
    assert!(sessions.renew(&id, &w()).await.unwrap_err().is_not_found());
}

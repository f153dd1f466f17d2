//! Sessions against a real agent.

use consul_integration_tests::{next_change, recording_client, TestAgent};
use consulate::session::{NewSession, RenewalEnd, SessionBehavior};
use consulate::ValidationError;
use std::time::{Duration, Instant};

#[tokio::test]
async fn create_read_list_renew_destroy() {
    let agent = TestAgent::dev().await;
    let sessions = agent.client().session();
    let id = sessions
        .create()
        .name("it-session")
        .ttl(Duration::from_secs(30))
        .lock_delay(Duration::from_secs(2))
        .behavior(SessionBehavior::Delete)
        .await
        .unwrap()
        .value;
    assert_eq!(id.len(), 36);

    let got = sessions.info(&id).await.unwrap().value.expect("created");
    assert_eq!(got.name, "it-session");
    assert_eq!(got.node, agent.node_name());
    assert_eq!(got.ttl, Some(Duration::from_secs(30)));
    assert_eq!(got.lock_delay, Duration::from_secs(2));
    assert_eq!(got.behavior, SessionBehavior::Delete);
    assert_eq!(got.node_checks, vec!["serfHealth".to_owned()]);

    let all = sessions.list().await.unwrap().value;
    assert!(all.iter().any(|s| s.id == id));
    let mine = sessions.node(agent.node_name()).await.unwrap().value;
    assert!(mine.iter().any(|s| s.id == id));
    assert!(sessions
        .node("no-such-node")
        .await
        .unwrap()
        .value
        .is_empty());

    let renewed = sessions.renew(&id).await.unwrap().value;
    assert_eq!(renewed.id, id);
    assert_eq!(renewed.ttl, Some(Duration::from_secs(30)));

    // Per-datacenter handle (and request): the agent's own dc works, an unknown one is
    // Consul's 500.
    let same = sessions.dc("dc1").info(&id).await.unwrap().value.unwrap();
    assert_eq!(same.id, id);
    let same = sessions.info(&id).dc("dc1").stale().await.unwrap().value;
    assert_eq!(same.unwrap().id, id);
    let e = sessions.dc("nowhere").list().await.unwrap_err();
    assert_eq!(e.status().map(|s| s.as_u16()), Some(500));
    let e = sessions.list().dc("nowhere").await.unwrap_err();
    assert_eq!(e.status().map(|s| s.as_u16()), Some(500));

    assert!(sessions.destroy(&id).await.unwrap().value);
    // Reading a session that ended is `None`; renewing it is an action on nothing.
    assert!(sessions.info(&id).await.unwrap().value.is_none());
    let e = sessions.renew(&id).await.unwrap_err();
    assert!(e.is_not_found(), "{e:?}");

    // A session without checks, and one made from prepared settings.
    let bare = sessions.create().without_checks().await.unwrap().value;
    let bare = sessions.info(&bare).await.unwrap().value.unwrap();
    assert!(bare.node_checks.is_empty());
    let prepared = NewSession::default()
        .name("prepared")
        .behavior(SessionBehavior::Delete);
    let id = sessions.create().settings(prepared).await.unwrap().value;
    let got = sessions.info(&id).await.unwrap().value.unwrap();
    assert_eq!(
        (got.name.as_str(), got.behavior),
        ("prepared", SessionBehavior::Delete)
    );
}

#[tokio::test]
async fn blocking_list_returns_when_a_session_appears() {
    let agent = TestAgent::dev().await;
    let sessions = agent.client().session();
    let first = sessions.list().await.unwrap();
    let creator = sessions.clone();
    let create = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        creator.create().name("late").await.unwrap().value
    });
    let started = Instant::now();
    let next = sessions
        .list()
        .wait(first.meta.last_index, Duration::from_secs(10))
        .await
        .unwrap();
    let id = create.await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(next.meta.last_index > first.meta.last_index);
    assert!(next.value.iter().any(|s| s.id == id));
}

#[tokio::test]
async fn a_watch_of_one_session_sees_it_end() {
    let agent = TestAgent::dev().await;
    let sessions = agent.client().session();
    let id = sessions.create().name("watched").await.unwrap().value;
    let mut watch = sessions.info(&id).wait(0, Duration::from_secs(10)).watch();
    let first = next_change(&mut watch).await;
    assert_eq!(first.value.expect("alive").id, id);

    // Unrelated session writes move the table's index but not this session.
    let other = sessions.create().name("other").await.unwrap().value;
    sessions.destroy(&id).await.unwrap();
    let ended = next_change(&mut watch).await;
    assert!(ended.value.is_none(), "the end is yielded as None");
    assert!(ended.meta.last_index > first.meta.last_index);
    sessions.destroy(&other).await.unwrap();
}

#[tokio::test]
async fn watches_of_the_lists_see_a_new_session() {
    let agent = TestAgent::dev().await;
    let sessions = agent.client().session();
    let mut all = sessions.list().wait(0, Duration::from_secs(10)).watch();
    let mut on_node = sessions
        .node(agent.node_name())
        .wait(0, Duration::from_secs(10))
        .watch();
    let before = next_change(&mut all).await;
    assert!(before.value.iter().all(|s| s.name != "appears"));
    assert!(next_change(&mut on_node).await.value.is_empty());

    let id = sessions.create().name("appears").await.unwrap().value;
    let after = next_change(&mut all).await;
    assert!(after.value.iter().any(|s| s.id == id), "{:?}", after.value);
    let after = next_change(&mut on_node).await;
    assert!(after.value.iter().any(|s| s.id == id), "{:?}", after.value);
}

#[tokio::test]
async fn bad_input_is_a_typed_error_and_nothing_is_sent() {
    let agent = TestAgent::dev().await;
    let (client, recorder) = recording_client(&agent);
    let sessions = client.session();
    let e = sessions
        .create()
        .ttl(Duration::from_secs(5))
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
        .create()
        .behavior(SessionBehavior::from("destroy"))
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
        .create()
        .lock_delay(Duration::from_secs(61))
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
        .create()
        .ttl(Duration::from_secs(10))
        .await
        .unwrap()
        .value;
    let started = Instant::now();
    // Consul invalidates after up to twice the TTL; wait with blocking reads.
    let deadline = started + Duration::from_secs(40);
    let mut index = 0;
    loop {
        let read = sessions.info(&id).wait(index, Duration::from_secs(10));
        match read.await.unwrap() {
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
    assert!(sessions.renew(&id).await.unwrap_err().is_not_found());
}

/// Waits with blocking reads of the session until `until` (it must live that long), or,
/// with `until` `None`, until it ends (at most `limit`). Returns when it ended, if it did.
async fn follow_session(
    sessions: &consulate::session::Session,
    id: &str,
    until: Option<Instant>,
    limit: Duration,
) -> Option<Instant> {
    let deadline = until.unwrap_or_else(|| Instant::now() + limit);
    let mut index = 0;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return None;
        }
        let read = sessions
            .info(id)
            .wait(index, left.max(Duration::from_millis(10)));
        let got = read.await.unwrap();
        match got.value {
            None => return Some(Instant::now()),
            Some(_) => index = got.meta.last_index,
        }
    }
}

/// Go's `RenewPeriodic`: a 10 s session kept alive past twice its TTL (Consul ends an
/// unrenewed one by then), renewed every 5 s; dropping the renewal lets it expire.
#[tokio::test]
async fn renew_periodic_keeps_a_session_alive_until_dropped() {
    let agent = TestAgent::dev().await;
    let (client, recorder) = recording_client(&agent);
    let sessions = client.session();
    let id = sessions
        .create()
        .ttl(Duration::from_secs(10))
        .await
        .unwrap()
        .value;
    let created = Instant::now();
    let renewal = sessions.renew_periodic(&id).await.unwrap();
    assert_eq!(renewal.session(), id);

    let past_two_ttls = created + Duration::from_secs(25);
    let ended = follow_session(&sessions, &id, Some(past_two_ttls), Duration::ZERO).await;
    assert!(ended.is_none(), "the session ended while renewed");
    assert!(renewal.is_renewing());
    let renew_path = format!("/v1/session/renew/{id}");
    let renewals = || {
        let requests = recorder.requests();
        requests
            .iter()
            .filter(|q| q.uri.path() == renew_path)
            .count()
    };
    let count = renewals();
    assert!(
        (5..=7).contains(&count),
        "renewed at once, then every 5 s for 25 s: {count}"
    );

    drop(renewal);
    let dropped = Instant::now();
    let ended = follow_session(&sessions, &id, None, Duration::from_secs(40))
        .await
        .expect("the session expires once no longer renewed");
    let after = ended - dropped;
    eprintln!("session expired {after:?} after the renewal was dropped");
    assert!(after <= Duration::from_secs(25), "{after:?}");
    assert_eq!(renewals(), count, "no renewal after the drop");
}

#[tokio::test]
async fn renew_periodic_reports_the_end_of_the_session() {
    let agent = TestAgent::dev().await;
    let sessions = agent.client().session();
    let id = sessions
        .create()
        .ttl(Duration::from_secs(10))
        .await
        .unwrap()
        .value;
    let renewal = sessions.renew_periodic(&id).await.unwrap();
    sessions.destroy(&id).await.unwrap();
    let end = tokio::time::timeout(Duration::from_secs(10), renewal.ended())
        .await
        .expect("seen at the next renewal, within half the TTL");
    assert!(matches!(end, RenewalEnd::SessionEnded), "{end:?}");
    assert!(matches!(
        renewal.end_reason(),
        Some(RenewalEnd::SessionEnded)
    ));

    // `destroy` ends it at once, as Go's doneCh does; an unknown session starts nothing.
    let id = sessions
        .create()
        .ttl(Duration::from_secs(10))
        .await
        .unwrap()
        .value;
    let renewal = sessions.renew_periodic(&id).await.unwrap();
    assert!(renewal.destroy().await.unwrap());
    assert!(sessions.info(&id).await.unwrap().value.is_none());
    let e = sessions.renew_periodic(&id).await.unwrap_err();
    assert!(e.is_not_found(), "{e:?}");
}

/// When Consul stops answering renewals, the renewal reports it about one TTL after the
/// last success, with the error, rather than renewing in vain.
#[tokio::test]
async fn renew_periodic_reports_lost_contact_within_the_ttl() {
    let agent = TestAgent::dev().await;
    let (client, gate) = consul_integration_tests::gate::Gate::client(agent.config());
    let sessions = client.session();
    let id = sessions
        .create()
        .ttl(Duration::from_secs(10))
        .await
        .unwrap()
        .value;
    let renewal = sessions.renew_periodic(&id).await.unwrap();
    let started = Instant::now();
    gate.hold(|r| r.uri().path().starts_with("/v1/session/renew/"));
    let end = tokio::time::timeout(Duration::from_secs(20), renewal.ended())
        .await
        .expect("reported within the TTL");
    let took = started.elapsed();
    assert!(
        matches!(&end, RenewalEnd::Failed(e) if e.as_transport().is_some_and(|t| t.is_timeout())),
        "{end:?}"
    );
    assert!(
        took >= Duration::from_secs(9) && took <= Duration::from_secs(12),
        "{took:?}"
    );
    gate.open();
}

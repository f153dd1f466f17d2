//! Connect against a real Consul 1.8.7 dev agent (Connect is on in dev mode, with the
//! built-in CA): the CA's roots and configuration, a rotation to a new key followed by
//! the agent's root and leaf watches, leaf certificates checked as X.509 against the
//! active root, intentions by id with `check` and the agent's `authorize` following them,
//! and what 1.8.7 answers to the exact-match intention endpoints of 1.9+.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use consul_integration_tests::{eventually, TestAgent};
use consulate::connect::{
    CaConfig, CaKeyType, CaProvider, CaRootList, ConsulCaProviderConfig, Intention,
    IntentionAction, IntentionMatchBy, LeafCert,
};
use consulate::{Client, Error};
use std::time::Duration;
use x509_parser::extensions::GeneralName;
use x509_parser::pem::parse_x509_pem;

/// A new P-256 key, PEM-encoded as PKCS #8 (`PRIVATE KEY`), which Consul's built-in CA
/// takes.
fn new_ca_key() -> String {
    use ring::signature::{EcdsaKeyPair, ECDSA_P256_SHA256_ASN1_SIGNING};
    let rng = ring::rand::SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rng).unwrap();
    let b64 = STANDARD.encode(pkcs8.as_ref());
    let mut pem = String::from("-----BEGIN PRIVATE KEY-----\n");
    for line in b64.as_bytes().chunks(64) {
        pem.push_str(std::str::from_utf8(line).unwrap());
        pem.push('\n');
    }
    pem.push_str("-----END PRIVATE KEY-----\n");
    pem
}

/// Checks that `leaf` is an X.509 certificate for `service` signed by the active root of
/// `roots`: its issuer is the root's subject, its signature verifies with the root's key,
/// its serial is the one Consul reports, and its URI SAN is the service's SPIFFE id.
fn assert_chains_to_active_root(leaf: &LeafCert, roots: &CaRootList, service: &str) {
    let root = roots.active_root().expect("an active root");
    let (_, root_pem) = parse_x509_pem(root.root_cert_pem.as_bytes()).unwrap();
    let root_cert = root_pem.parse_x509().unwrap();
    let (_, leaf_pem) = parse_x509_pem(leaf.cert_pem.as_bytes()).unwrap();
    let cert = leaf_pem.parse_x509().unwrap();

    assert_eq!(
        cert.issuer(),
        root_cert.subject(),
        "issued by the active root"
    );
    cert.verify_signature(Some(root_cert.public_key()))
        .expect("the leaf's signature verifies with the active root's key");
    root_cert
        .verify_signature(None)
        .expect("the root is self-signed");
    assert!(root_cert.is_ca());
    assert!(!cert.is_ca());
    assert!(
        cert.validity().is_valid(),
        "valid now: {:?}",
        cert.validity()
    );
    assert_eq!(
        cert.raw_serial_as_string(),
        leaf.serial_number,
        "the serial Consul reports"
    );

    let expected = format!(
        "spiffe://{}/ns/default/dc/dc1/svc/{service}",
        roots.trust_domain
    );
    assert_eq!(leaf.service_uri, expected);
    assert_eq!(leaf.service, service);
    let san = cert
        .subject_alternative_name()
        .unwrap()
        .expect("a subject alternative name");
    let uris: Vec<&str> = san
        .value
        .general_names
        .iter()
        .filter_map(|n| match n {
            GeneralName::URI(uri) => Some(*uri),
            _ => None,
        })
        .collect();
    assert_eq!(uris, [expected.as_str()], "the SPIFFE id as URI SAN");
}

#[tokio::test]
async fn a_dev_agent_has_the_built_in_ca() {
    let agent = TestAgent::dev().await;
    let client = agent.client();
    let roots = client.connect().ca_roots().await.unwrap();
    assert!(roots.meta.last_index > 0, "an index to block on");
    let roots = roots.value;
    assert!(
        roots.trust_domain.ends_with(".consul"),
        "{}",
        roots.trust_domain
    );
    assert_eq!(roots.roots.len(), 1);
    let root = roots.active_root().unwrap();
    assert_eq!(root.id, roots.active_root_id);
    assert_eq!(
        (root.private_key_type.clone(), root.private_key_bits),
        (CaKeyType::Ec, 256)
    );
    assert!(root.intermediate_certs.is_empty());

    let config = client.connect().ca_get_config().await.unwrap().value;
    assert_eq!(config.provider.name(), "consul");
    let consul = config.provider.as_consul().expect("typed");
    assert_eq!(consul.leaf_cert_ttl, Some(Duration::from_secs(72 * 3600)));
    assert_eq!(
        consul.intermediate_cert_ttl,
        Some(Duration::from_secs(365 * 24 * 3600))
    );
    assert_eq!(consul.private_key, None, "the dev agent made its own key");

    // The agent serves the same roots from its cache.
    let cached = client.agent().connect_ca_roots().await.unwrap();
    assert_eq!(cached.value, roots);
    assert!(cached.meta.last_index > 0);
}

#[tokio::test]
async fn a_leaf_certificate_chains_to_the_active_root() {
    let agent = TestAgent::dev().await;
    let client = agent.client();
    let roots = client.connect().ca_roots().await.unwrap().value;
    // No service needs to be registered: the agent issues for any name it may write.
    let leaf = client.agent().connect_ca_leaf("web").await.unwrap();
    assert!(leaf.meta.last_index > 0);
    assert!(leaf.value.private_key_pem.contains("PRIVATE KEY"));
    assert!(!format!("{:?}", leaf.value).contains("PRIVATE KEY"));
    assert_chains_to_active_root(&leaf.value, &roots, "web");

    // A second read is the same certificate, from the agent's cache.
    let again = client.agent().connect_ca_leaf("web").await.unwrap().value;
    assert_eq!(again.serial_number, leaf.value.serial_number);
    let other = client.agent().connect_ca_leaf("db").await.unwrap().value;
    assert_ne!(other.serial_number, leaf.value.serial_number);
    assert_chains_to_active_root(&other, &roots, "db");
}

#[tokio::test]
async fn rotating_the_built_in_ca_to_a_new_key() {
    let agent = TestAgent::dev().await;
    let client = agent.client();
    let connect = client.connect();
    let before = connect.ca_roots().await.unwrap().value;
    let old_root = before.active_root().unwrap().clone();

    // Watches started before the rotation: the agent's roots and a leaf certificate.
    let mut agent_roots = client.agent().connect_ca_roots().watch();
    let first = agent_roots.next().await.unwrap().unwrap().value;
    assert_eq!(first.active_root_id, old_root.id);
    let mut leaves = client.agent().connect_ca_leaf("web").watch();
    let old_leaf = leaves.next().await.unwrap().unwrap().value;
    assert_chains_to_active_root(&old_leaf, &before, "web");

    // Rotate: the same provider with a new key (read, change, write back).
    let key = new_ca_key();
    let mut config = connect.ca_get_config().await.unwrap().value;
    let CaProvider::Consul(settings) = &mut config.provider else {
        panic!("the built-in provider, typed")
    };
    settings.private_key = Some(key.clone());
    connect.ca_set_config(config).await.unwrap();

    let after = connect.ca_roots().await.unwrap().value;
    assert_eq!(after.roots.len(), 2, "the new root and the old one");
    let new_root = after.active_root().unwrap();
    assert_ne!(new_root.id, old_root.id, "a new root is active");
    assert_eq!(after.active_root_id, new_root.id);
    assert!(new_root.active);
    let old = after.roots.iter().find(|r| r.id == old_root.id).unwrap();
    assert!(
        !old.active,
        "the old root is still trusted, no longer active"
    );
    assert_eq!(
        new_root.intermediate_certs.len(),
        1,
        "the new root cross-signed by the old one"
    );
    assert_eq!(after.trust_domain, before.trust_domain);

    // The configuration now holds the key, typed.
    let config = connect.ca_get_config().await.unwrap().value;
    assert_eq!(
        config.provider.as_consul().unwrap().private_key.as_deref(),
        Some(key.as_str())
    );

    // The agent's roots watch sees the rotation.
    let seen = tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            let list = agent_roots.next().await.unwrap().unwrap().value;
            if list.active_root_id == new_root.id {
                return list;
            }
        }
    })
    .await
    .expect("the agent's roots follow the rotation");
    assert_eq!(seen.roots.len(), 2);

    // The leaf watch yields a certificate signed by the new root: the agent renews it
    // within Consul's jitter window of 30 s after the rotation.
    let renewed = tokio::time::timeout(Duration::from_secs(60), leaves.next())
        .await
        .expect("a new leaf after the rotation")
        .unwrap()
        .unwrap();
    assert!(renewed.meta.last_index > 0);
    assert_ne!(renewed.value.serial_number, old_leaf.serial_number);
    assert_chains_to_active_root(&renewed.value, &after, "web");
}

#[tokio::test]
async fn ca_settings_consul_refuses_are_status_errors() {
    let agent = TestAgent::dev().await;
    let connect = agent.client().connect();
    let err = connect
        .ca_set_config(CaConfig::consul(
            ConsulCaProviderConfig::default().leaf_cert_ttl(Duration::from_secs(600)),
        ))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Status { code, .. } if code.as_u16() == 500),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains("leaf cert TTL must be greater or equal than 1h0m0s"),
        "{err}"
    );
    // A change of settings with the same key is no rotation.
    let before = connect.ca_roots().await.unwrap().value;
    connect
        .ca_set_config(CaConfig::consul(
            ConsulCaProviderConfig::default().leaf_cert_ttl(Duration::from_secs(24 * 3600)),
        ))
        .await
        .unwrap();
    let config = connect.ca_get_config().await.unwrap().value;
    assert_eq!(
        config.provider.as_consul().unwrap().leaf_cert_ttl,
        Some(Duration::from_secs(24 * 3600))
    );
    assert_eq!(connect.ca_roots().await.unwrap().value, before);
}

/// Waits for the next answer of a watch of the intentions.
async fn next_intentions(watch: &mut consulate::Watch<Vec<Intention>>) -> Vec<Intention> {
    tokio::time::timeout(Duration::from_secs(10), watch.next())
        .await
        .expect("a change of the intentions")
        .unwrap()
        .unwrap()
        .value
}

#[tokio::test]
async fn intentions_by_id_and_check_flips_to_denied() {
    let agent = TestAgent::dev().await;
    let connect = agent.client().connect();
    let mut watch = connect.intentions().watch();
    assert!(next_intentions(&mut watch).await.is_empty());

    // A dev agent (no ACLs) allows what no intention denies.
    assert!(connect.intention_check("web", "db").await.unwrap().value);

    let id = connect
        .intention_create(
            Intention::deny("web", "db")
                .description("web reads through the api")
                .meta("ticket", "OPS-12"),
        )
        .await
        .unwrap()
        .value;
    let listed = next_intentions(&mut watch).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, id);

    assert!(
        !connect.intention_check("web", "db").await.unwrap().value,
        "denied now"
    );
    assert!(connect.intention_check("api", "db").await.unwrap().value);

    let ixn = connect.intention_get(&id).await.unwrap().value.unwrap();
    assert_eq!(ixn.id, id);
    assert_eq!(
        (ixn.source_name.as_str(), ixn.destination_name.as_str()),
        ("web", "db")
    );
    assert_eq!(ixn.action, IntentionAction::Deny);
    assert_eq!(ixn.meta["ticket"], "OPS-12");
    assert_eq!(ixn.precedence, 9);
    assert_eq!(ixn.to_string(), "web => db (deny)");

    // One from the same source to the same destination already exists.
    let err = connect
        .intention_create(Intention::allow("web", "db"))
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("duplicate intention found"),
        "{err}"
    );

    // A wildcard source, then matches by destination (in evaluation order) and by source.
    let any = connect
        .intention_create(Intention::allow("*", "db"))
        .await
        .unwrap()
        .value;
    assert_eq!(next_intentions(&mut watch).await.len(), 2);
    let by_dest = connect
        .intention_match(IntentionMatchBy::Destination, "db")
        .name("cache")
        .await
        .unwrap()
        .value;
    let ids: Vec<&str> = by_dest["db"].iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, [id.as_str(), any.as_str()], "exact source first");
    assert!(by_dest["cache"].is_empty());
    let by_source = connect
        .intention_match(IntentionMatchBy::Source, "web")
        .await
        .unwrap()
        .value;
    assert_eq!(by_source["web"].len(), 2, "its own and the wildcard one");
    let denied = connect
        .intentions()
        .filter("Action == deny")
        .await
        .unwrap()
        .value;
    assert_eq!(denied.len(), 1);

    // Read, change, write back: allowed again.
    connect
        .intention_update(ixn.clone().action(IntentionAction::Allow))
        .await
        .unwrap();
    let updated = connect.intention_get(&id).await.unwrap().value.unwrap();
    assert_eq!(updated.action, IntentionAction::Allow);
    assert_eq!(updated.description, ixn.description);
    assert!(updated.modify_index > ixn.modify_index);
    assert!(connect.intention_check("web", "db").await.unwrap().value);

    // Delete: gone, and deleting again is Consul's error.
    connect.intention_delete(&id).await.unwrap();
    assert!(connect.intention_get(&id).await.unwrap().value.is_none());
    let err = connect.intention_delete(&id).await.unwrap_err();
    assert!(
        err.to_string()
            .contains("Cannot delete non-existent intention"),
        "{err}"
    );
    let err = connect
        .intention_update(ixn.action(IntentionAction::Deny))
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("Cannot modify non-existent intention"),
        "{err}"
    );
    connect.intention_delete(&any).await.unwrap();
    assert!(connect.intentions().await.unwrap().value.is_empty());
}

#[tokio::test]
async fn the_agent_authorizes_as_intentions_say() {
    let agent = TestAgent::dev().await;
    let client: Client = agent.client();
    let web = client.agent().connect_ca_leaf("web").await.unwrap().value;

    let verdict = client
        .agent()
        .connect_authorize("db", &web.service_uri)
        .client_cert_serial(&web.serial_number)
        .await
        .unwrap()
        .value;
    assert!(verdict.authorized, "{verdict}");
    assert_eq!(
        verdict.reason,
        "ACLs disabled, access is allowed by default"
    );

    let id = client
        .connect()
        .intention_create(Intention::deny("web", "db"))
        .await
        .unwrap()
        .value;
    // The agent matches intentions from its cache, which follows the servers.
    let verdict = eventually("the agent to deny web => db", || async {
        let v = client
            .agent()
            .connect_authorize("db", &web.service_uri)
            .await
            .unwrap()
            .value;
        (!v.authorized).then_some(v)
    })
    .await;
    assert!(
        verdict
            .reason
            .starts_with("Matched intention: DENY default/web => default/db"),
        "{verdict}"
    );
    assert!(verdict.reason.contains(&id));

    // A client that is not a Connect service.
    let err = client
        .agent()
        .connect_authorize("db", "https://example.com/web")
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400), "{err:?}");
    assert!(
        err.to_string().contains("not a valid Connect identifier"),
        "{err}"
    );
}

/// `connect/intentions/exact` is Consul 1.9+. A 1.8.7 agent has no route of its own for
/// it: it takes `exact` for an intention id and refuses it as a malformed UUID, which
/// consulate reports as `Unsupported`, naming the path and the agent's version.
#[tokio::test]
async fn intentions_by_exact_match_on_1_8_7() {
    let agent = TestAgent::dev().await;
    let connect = agent.client().connect();

    let errors = [
        connect.intention_get_exact("web", "db").await.unwrap_err(),
        connect
            .intention_upsert(Intention::allow("web", "db"))
            .await
            .unwrap_err(),
        connect
            .intention_delete_exact("web", "db")
            .await
            .unwrap_err(),
    ];
    for err in &errors {
        match err {
            Error::Unsupported {
                path,
                agent_version,
            } => {
                assert_eq!(path, "connect/intentions/exact");
                assert_eq!(agent_version.as_deref(), Some("1.8.7"));
            }
            other => panic!("expected Unsupported, got {other:?}"),
        }
    }

    // Nothing was written.
    assert!(connect.intentions().await.unwrap().value.is_empty());
}

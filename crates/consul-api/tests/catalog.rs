//! The catalog endpoints on a mock transport.
#![cfg(feature = "catalog")]

use consul_api::catalog::{
    AgentService, CatalogDeregistration, CatalogRegistration, CheckStatus, HealthCheck,
};
use consul_api::{Client, Config, WriteOptions};
use consul_transport::mock::{MockTransport, Reply};
use std::time::Duration;

fn client() -> (Client, MockTransport) {
    let mock = MockTransport::new();
    let client =
        Client::with_transport(Config::new("127.0.0.1:8500").unwrap(), mock.clone()).unwrap();
    (client, mock)
}

fn tags_sent(mock: &MockTransport) -> Vec<String> {
    mock.last()
        .unwrap()
        .query_pairs()
        .into_iter()
        .filter(|(k, _)| k == "tag")
        .map(|(_, v)| v)
        .collect()
}

#[tokio::test]
async fn reads_send_dc_near_node_meta_filter_tags_and_blocking_params() {
    let (client, mock) = client();
    let remote = client.catalog().dc("dc2");
    mock.push(
        Reply::json(r#"[{"Node":"n1","Address":"10.0.0.1","TaggedAddresses":null,"Meta":null}]"#)
            .header("x-consul-index", "42"),
    );
    let nodes = remote
        .nodes()
        .near("_agent")
        .node_meta("rack", "r1")
        .filter("Node != \"x\"")
        .stale()
        .wait(7, Duration::from_secs(3))
        .await
        .unwrap();
    assert_eq!(nodes.meta.last_index, 42);
    assert_eq!(nodes.value[0].address, "10.0.0.1");
    let r = mock.last().unwrap();
    assert_eq!(r.uri.path(), "/v1/catalog/nodes");
    for (k, v) in [
        ("dc", "dc2"),
        ("near", "_agent"),
        ("node-meta", "rack:r1"),
        ("filter", "Node != \"x\""),
        ("stale", ""),
        ("index", "7"),
        ("wait", "3000ms"),
    ] {
        assert_eq!(r.query(k).as_deref(), Some(v), "{k}");
    }

    mock.push(Reply::json(r#"{"consul":[],"web":["v1"],"odd":null}"#));
    let services = client.catalog().services().await.unwrap().value;
    assert_eq!(services["web"], ["v1"]);
    assert!(services["odd"].is_empty());
    assert_eq!(mock.last().unwrap().uri.query(), None);
    mock.push(Reply::json("null"));
    assert!(client
        .catalog()
        .services()
        .node_meta("a", "b")
        .cached(Duration::from_secs(30))
        .dc("dc3")
        .await
        .unwrap()
        .value
        .is_empty());
    let r = mock.last().unwrap();
    assert_eq!(r.query("node-meta").as_deref(), Some("a:b"));
    assert_eq!(r.query("cached").as_deref(), Some(""));
    assert_eq!(r.query("dc").as_deref(), Some("dc3"));
    assert_eq!(r.headers["cache-control"], "max-age=30");

    mock.push(Reply::json("[]"));
    client
        .catalog()
        .service("web api")
        .tag("v1")
        .tag("eu")
        .await
        .unwrap();
    assert_eq!(
        mock.last().unwrap().uri.path(),
        "/v1/catalog/service/web%20api"
    );
    assert_eq!(tags_sent(&mock), ["v1", "eu"]);
    mock.push(Reply::json("[]"));
    client
        .catalog()
        .service("web")
        .near("_agent")
        .filter("ServicePort == 80")
        .node_meta("rack", "r1")
        .cached(None)
        .stale()
        .await
        .unwrap();
    let r = mock.last().unwrap();
    for (k, v) in [
        ("near", "_agent"),
        ("filter", "ServicePort == 80"),
        ("node-meta", "rack:r1"),
        ("cached", ""),
        ("stale", ""),
    ] {
        assert_eq!(r.query(k).as_deref(), Some(v), "{k}");
    }
    assert!(r.headers.get("cache-control").is_none());

    mock.push(Reply::json("null"));
    assert!(client
        .catalog()
        .connect("web")
        .tag("v2")
        .await
        .unwrap()
        .value
        .is_empty());
    assert_eq!(mock.last().unwrap().uri.path(), "/v1/catalog/connect/web");
    assert_eq!(tags_sent(&mock), ["v2"]);

    mock.push(Reply::json(r#"["dc1","dc2"]"#));
    assert_eq!(remote.datacenters().await.unwrap().value, ["dc1", "dc2"]);
    assert_eq!(
        mock.last().unwrap().uri.query(),
        None,
        "datacenters takes no dc"
    );
}

#[tokio::test]
async fn node_reads_map_null_to_none() {
    let (client, mock) = client();
    let catalog = client.catalog();
    mock.push(Reply::json("null"));
    assert!(catalog.node("gone").await.unwrap().value.is_none());
    assert_eq!(mock.last().unwrap().uri.path(), "/v1/catalog/node/gone");
    mock.push(Reply::json(
        r#"{"Node":{"Node":"n1"},"Services":{"s":{"ID":"s","Service":"s"}}}"#,
    ));
    let node = catalog
        .node("n1")
        .filter("Service == s")
        .await
        .unwrap()
        .value
        .unwrap();
    assert_eq!(node.services["s"].service, "s");
    assert_eq!(
        mock.last().unwrap().query("filter").as_deref(),
        Some("Service == s")
    );
    mock.push(Reply::json(r#"{"Node":null,"Services":null}"#));
    assert!(catalog
        .node_service_list("gone")
        .await
        .unwrap()
        .value
        .is_none());
    assert_eq!(
        mock.last().unwrap().uri.path(),
        "/v1/catalog/node-services/gone"
    );
    mock.push(Reply::json("null"));
    assert!(catalog
        .gateway_services("gw")
        .await
        .unwrap()
        .value
        .is_empty());
    assert_eq!(
        mock.last().unwrap().uri.path(),
        "/v1/catalog/gateway-services/gw"
    );
}

#[tokio::test]
async fn writes_put_the_datacenter_in_the_body() {
    let (client, mock) = client();
    let reg = CatalogRegistration::new("ext", "10.0.0.9")
        .service(AgentService::new("db-1", "db").port(5432))
        .check(HealthCheck::new("alive", "alive", CheckStatus::Passing).service_id("db-1"));
    mock.push(Reply::json("true"));
    assert!(
        client
            .catalog()
            .dc("dc2")
            .register(reg.clone())
            .await
            .unwrap()
            .value
    );
    let r = mock.last().unwrap();
    assert_eq!(
        (r.method.as_str(), r.uri.path()),
        ("PUT", "/v1/catalog/register")
    );
    assert_eq!(r.query("dc").as_deref(), Some("dc2"));
    let body: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(body["Datacenter"], "dc2", "Consul reads the body, not ?dc=");
    assert_eq!(body["Node"], "ext");
    assert_eq!(body["Service"]["Port"], 5432);
    assert_eq!(body["Checks"][0]["Node"], "ext");

    mock.push(Reply::json("true"));
    client
        .catalog()
        .register(reg.clone())
        .dc("dc3")
        .await
        .unwrap();
    let body: serde_json::Value = serde_json::from_slice(&mock.last().unwrap().body).unwrap();
    assert_eq!(body["Datacenter"], "dc3");
    // A prepared set of options counts the same.
    mock.push(Reply::json("true"));
    client
        .catalog()
        .dc("dc2")
        .register(reg.clone())
        .options(&WriteOptions::default().datacenter("dc4"))
        .await
        .unwrap();
    let r = mock.last().unwrap();
    assert_eq!(r.query("dc").as_deref(), Some("dc4"));
    let body: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(body["Datacenter"], "dc4");
    // The registration's own datacenter wins.
    mock.push(Reply::json("true"));
    client
        .catalog()
        .dc("dc2")
        .register(reg.clone().datacenter("dc5"))
        .await
        .unwrap();
    let body: serde_json::Value = serde_json::from_slice(&mock.last().unwrap().body).unwrap();
    assert_eq!(body["Datacenter"], "dc5");
    mock.push(Reply::json("true"));
    client.catalog().register(reg).await.unwrap();
    let body: serde_json::Value = serde_json::from_slice(&mock.last().unwrap().body).unwrap();
    assert!(
        body.get("Datacenter").is_none(),
        "the agent's own datacenter"
    );

    mock.push(Reply::json("true"));
    client
        .catalog()
        .dc("dc2")
        .deregister_check("ext", "alive")
        .await
        .unwrap();
    let r = mock.last().unwrap();
    assert_eq!(r.uri.path(), "/v1/catalog/deregister");
    let body: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"Node": "ext", "CheckID": "alive", "Datacenter": "dc2"})
    );
    mock.push(Reply::json("true"));
    client
        .catalog()
        .deregister_service("ext", "db-1")
        .dc("dc3")
        .await
        .unwrap();
    let body: serde_json::Value = serde_json::from_slice(&mock.last().unwrap().body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"Node": "ext", "ServiceID": "db-1", "Datacenter": "dc3"})
    );
    mock.push(Reply::json("true"));
    client.catalog().deregister_node("ext").await.unwrap();
    let body: serde_json::Value = serde_json::from_slice(&mock.last().unwrap().body).unwrap();
    assert_eq!(body, serde_json::json!({"Node": "ext"}));
}

#[tokio::test]
async fn errors_and_invalid_input() {
    let (client, mock) = client();
    mock.push(Reply::status(500, "No path to datacenter"));
    let err = client.catalog().dc("nowhere").nodes().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
    assert_eq!(mock.count(), 1);
    assert!(client.catalog().node("").await.unwrap_err().is_validation());
    assert!(client
        .catalog()
        .service("web")
        .tag("")
        .await
        .unwrap_err()
        .is_validation());
    assert!(client
        .catalog()
        .connect("web")
        .tag("v1")
        .tag("")
        .await
        .unwrap_err()
        .is_validation());
    assert!(client
        .catalog()
        .deregister(CatalogDeregistration::node(""))
        .await
        .unwrap_err()
        .is_validation());
    assert!(client
        .catalog()
        .register(CatalogRegistration::new("n", ""))
        .await
        .unwrap_err()
        .is_validation());
    // Options the endpoint does not read are refused, not silently dropped.
    let opts = consul_api::QueryOptions::default().filter("Node == x");
    assert!(client
        .catalog()
        .services()
        .options(&opts)
        .await
        .unwrap_err()
        .is_validation());
    assert!(client
        .catalog()
        .datacenters()
        .options(&consul_api::QueryOptions::default().datacenter("dc2"))
        .await
        .unwrap_err()
        .is_validation());
    assert_eq!(mock.count(), 1);
}

#[tokio::test]
async fn watch_yields_each_change_of_the_services() {
    let (client, mock) = client();
    mock.push(Reply::json(r#"{"consul":[]}"#).header("x-consul-index", "5"));
    mock.push(Reply::json(r#"{"consul":[],"web":["v1"]}"#).header("x-consul-index", "8"));
    let mut watch = client
        .catalog()
        .services()
        .options(&consul_api::QueryOptions::default().wait_time(Duration::from_secs(30)))
        .watch();
    let first = watch.next().await.unwrap().unwrap();
    assert_eq!(first.value.len(), 1);
    let next = watch.next().await.unwrap().unwrap();
    assert_eq!(next.value["web"], ["v1"]);
    let sent = mock.requests();
    assert_eq!(sent[0].query("index"), None);
    assert_eq!(sent[1].query("index").as_deref(), Some("5"));
    assert_eq!(sent[1].query("wait").as_deref(), Some("30000ms"));
}

/// Connect instances read typed (a 1.8.7 agent's answers), and a proxy registered through
/// the catalog goes on the wire with Go's field names.
#[tokio::test]
async fn connect_instances_read_typed_and_a_proxy_registers() {
    use consul_api::catalog::{ConnectProxyConfig, ServiceConnect, ServiceKind};
    let (client, mock) = client();
    mock.push(Reply::json(include_str!(
        "../../consul-types/tests/fixtures/catalog/service_sidecar.json"
    )));
    let proxies = client
        .catalog()
        .connect("web")
        .tag("v1")
        .await
        .unwrap()
        .value;
    let r = mock.last().unwrap();
    assert_eq!(r.uri.path(), "/v1/catalog/connect/web");
    assert_eq!(proxies[0].service_kind, ServiceKind::ConnectProxy);
    let proxy = proxies[0].service_proxy.as_ref().unwrap();
    assert_eq!(proxy.destination_service_name, "web");
    assert_eq!(proxy.upstreams[0].local_bind_port, 9191);

    mock.push(Reply::json(include_str!(
        "../../consul-types/tests/fixtures/catalog/connect_native.json"
    )));
    let native = client.catalog().connect("nat").await.unwrap().value;
    assert_eq!(native[0].service_connect, Some(ServiceConnect::native()));

    mock.push(Reply::json("true"));
    let service = AgentService::new("web-proxy-1", "web-proxy")
        .kind(ServiceKind::ConnectProxy)
        .port(21000)
        .proxy(ConnectProxyConfig::for_service("web").local_service_port(8080));
    let reg = CatalogRegistration::new("proxy-node", "10.3.3.3").service(service);
    assert!(client.catalog().register(reg).await.unwrap().value);
    let body: serde_json::Value = serde_json::from_slice(&mock.last().unwrap().body).unwrap();
    assert_eq!(body["Service"]["Kind"], "connect-proxy");
    assert_eq!(
        body["Service"]["Proxy"],
        serde_json::json!({"DestinationServiceName": "web", "LocalServicePort": 8080})
    );
}

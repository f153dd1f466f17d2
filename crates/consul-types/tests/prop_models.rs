//! Property tests of every model's decoder: whatever a server sends, decoding ends in a
//! value or a typed error (never a panic), and every value decoded writes back and reads
//! again as the same value.
//!
//! Inputs are the real answers of `tests/fixtures/**` mutated at random paths (fields
//! deleted, replaced, retyped, given huge numbers, invalid base64 or invalid UTF-8; bytes
//! truncated or inserted), and fully random JSON whose object keys are drawn from the
//! fixtures' own field names, so random shapes still reach the fields. Each is decoded the
//! way the client decodes answers (`consul-api`'s `Answer::json`, `json_opt` and
//! `json_list` are `serde_json::from_slice` of `T`, `Option<T>` and `Option<Vec<T>>`).
//!
//! `PROPTEST_CASES` sets the cases per model (default in `prop_support`); `cargo xtask
//! fuzz` runs many more.

mod prop_support;

use consul_types::{
    acl, agent, catalog, config_entry, connect, coordinate, event, health, kv, lock, namespace,
    operator, partition, peering, query, session, txn, Token,
};
use proptest::prelude::*;
use proptest::test_runner::{TestCaseError, TestRunner};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeSet;
use std::fmt::Debug;
use std::path::Path;
use std::sync::OnceLock;

/// Where a model's seed comes from.
#[derive(Debug, Clone, Copy)]
enum Seed {
    /// A fixture file and a JSON pointer into it (`""` for the whole answer).
    Fixture(&'static str, &'static str),
    /// JSON written here, for models no fixture holds.
    Inline(&'static str),
}
use Seed::{Fixture as fx, Inline as json};

type Check = fn(&[u8]) -> Result<(), TestCaseError>;

/// One model: its name, the seeds its mutations start from, and its check.
struct Model {
    name: &'static str,
    seeds: Vec<Seed>,
    check: Check,
}

/// `rt` models are checked for decoding and round trip; `wb` models, which leave the
/// fields the server assigns (indexes, hashes, times) out of what they write, for decoding
/// and for writing back what they read without losing or changing anything written;
/// `de` models (answers the client only reads, such as a transaction's results) for
/// decoding.
macro_rules! models {
    ($($kind:ident $ty:ty => [$($seed:expr),* $(,)?];)*) => {
        vec![$(Model {
            name: stringify!($ty),
            seeds: vec![$($seed),*],
            check: models!(@check $kind $ty),
        },)*]
    };
    (@check rt $ty:ty) => { check_round_trip::<$ty, true> };
    (@check wb $ty:ty) => { check_round_trip::<$ty, false> };
    (@check de $ty:ty) => { check_decode::<$ty> };
}

/// Every model of consul-types that decodes (`every_model_is_listed` keeps the list whole).
fn models() -> &'static [Model] {
    static MODELS: OnceLock<Vec<Model>> = OnceLock::new();
    MODELS.get_or_init(|| {
        models! {
            // acl
            wb acl::AclAuthMethod => [fx("acl/auth_method.json", "")];
            rt acl::AclAuthMethodListEntry => [fx("acl/auth_methods.json", "")];
            wb acl::AclBindingRule => [fx("acl/binding_rule.json", ""), fx("acl/binding_rules.json", "")];
            rt acl::AclLink => [fx("acl/token.json", "/Policies/0")];
            wb acl::AclPolicy => [fx("acl/policy.json", "")];
            rt acl::AclPolicyListEntry => [fx("acl/policies.json", "")];
            rt acl::AclReplication => [fx("acl/replication.json", "")];
            wb acl::AclRole => [fx("acl/role.json", ""), fx("acl/roles.json", "")];
            rt acl::AclTemplatedPolicyResponse => [json(r#"{"TemplateName":"builtin/service","Schema":"{}","Template":"service \"x\" {}","Description":"d"}"#)];
            rt acl::AclTemplatedPolicyVariables => [json(r#"{"Name":"web"}"#)];
            wb acl::AclToken => [fx("acl/token.json", ""), fx("acl/token_self.json", "")];
            rt acl::AclTokenListEntry => [fx("acl/tokens.json", "")];
            rt acl::AuthMethodType => [json(r#""kubernetes""#)];
            rt acl::BindingRuleBindType => [json(r#""service""#)];
            rt acl::KubernetesAuthMethodConfig => [json(r#"{"Host":"https://k8s:443","CACert":"-----BEGIN CERTIFICATE-----","ServiceAccountJWT":"eyJ"}"#)];
            rt acl::LegacyAcl => [fx("acl/legacy_info.json", ""), fx("acl/legacy_list.json", "")];
            rt acl::LegacyAclType => [json(r#""client""#)];
            rt acl::NodeIdentity => [fx("acl/token.json", "/NodeIdentities/0")];
            rt acl::OidcAuthMethodConfig => [fx("agent/self.json", "/DebugConfig/AutoConfig/Authorizer/AuthMethod/Config")];
            rt acl::ServiceIdentity => [fx("acl/role.json", "/ServiceIdentities/0")];
            rt acl::TokenLocality => [json(r#""global""#)];
            // agent
            rt agent::AgentConfig => [fx("agent/self.json", "/Config")];
            rt agent::AgentSelf => [fx("agent/self.json", "")];
            rt agent::AgentService => [fx("agent/service.json", ""), fx("agent/service_sidecar.json", ""), fx("catalog/node_services_connect.json", "/Services")];
            rt agent::AgentServiceChecksInfo => [fx("agent/health_service_id.json", ""), fx("agent/health_service_name.json", "")];
            rt agent::AgentWeights => [fx("catalog/connect_native.json", "/0/ServiceWeights")];
            rt agent::BuildInfo => [json(r#"{"HumanVersion":"1.8.7","SHA":"abc","BuildDate":"2020-12-10","FIPS":""}"#)];
            rt agent::CheckUpdate => [json(r#"{"Status":"passing","Output":"ok"}"#)];
            rt agent::ConnectProxyConfig => [fx("catalog/service_sidecar.json", "/0/ServiceProxy")];
            rt agent::Coordinate => [fx("agent/self.json", "/Coord")];
            rt agent::ExposeConfig => [fx("catalog/service_sidecar.json", "/0/ServiceProxy/Expose")];
            rt agent::ExposePath => [fx("catalog/service_sidecar.json", "/0/ServiceProxy/Expose/Paths/0")];
            rt agent::GaugeValue => [fx("agent/metrics.json", "/Gauges/0")];
            rt agent::HostCpu => [fx("agent/host.json", "/CPU")];
            rt agent::HostDisk => [fx("agent/host.json", "/Disk")];
            rt agent::HostInfo => [fx("agent/host.json", "")];
            rt agent::HostMemory => [fx("agent/host.json", "/Memory")];
            rt agent::HostOs => [fx("agent/host.json", "/Host")];
            rt agent::Member => [fx("agent/members.json", ""), fx("agent/members_wan.json", ""), fx("agent/members_acl.json", "")];
            rt agent::MemberStatus => [json("1")];
            rt agent::MeshGatewayConfig => [fx("catalog/node_services_connect.json", "/Services/1/Proxy/MeshGateway")];
            rt agent::MeshGatewayMode => [json(r#""local""#)];
            rt agent::MetricsInfo => [fx("agent/metrics.json", "")];
            rt agent::PointValue => [json(r#"{"Name":"consul.x","Points":[1.5,2,1e-3]}"#)];
            rt agent::SampledValue => [fx("agent/metrics.json", "/Counters"), fx("agent/metrics.json", "/Samples")];
            rt agent::ServiceAddress => [fx("catalog/node.json", "/Services/web-1/TaggedAddresses/lan")];
            rt agent::ServiceConnect => [fx("catalog/connect_native.json", "/0/ServiceConnect"), json(r#"{"Native":false,"SidecarService":{"Port":21000}}"#)];
            rt agent::ServiceKind => [json(r#""connect-proxy""#)];
            rt agent::ServiceRegistration => [fx("agent/services_connect.json", "/mesh-gw"), fx("agent/service_sidecar.json", "")];
            rt agent::Upstream => [fx("catalog/service_sidecar.json", "/0/ServiceProxy/Upstreams")];
            rt agent::UpstreamDestType => [json(r#""prepared_query""#)];
            // catalog
            rt catalog::CatalogDeregistration => [json(r#"{"Node":"n1","Datacenter":"dc1","ServiceID":"web","CheckID":null}"#)];
            rt catalog::CatalogNode => [fx("catalog/node.json", ""), fx("catalog/node_missing.json", "")];
            rt catalog::CatalogNodeServiceList => [fx("catalog/node_services.json", ""), fx("catalog/node_services_connect.json", "")];
            rt catalog::CatalogRegistration => [json(r#"{"ID":"40e4a748-2192-161a-0510-9bf59fe950b5","Node":"n1","Address":"10.0.0.1","TaggedAddresses":{"wan":"1.2.3.4"},"NodeMeta":{"k":"v"},"Datacenter":"dc1","Service":{"ID":"web","Service":"web","Port":80},"Checks":[{"CheckID":"c","Status":"passing"}],"SkipNodeUpdate":false}"#)];
            rt catalog::CatalogService => [fx("catalog/service.json", ""), fx("catalog/service_external.json", ""), fx("catalog/service_sidecar.json", ""), fx("catalog/service_mesh_gateway.json", ""), fx("catalog/connect_native.json", "")];
            rt catalog::CompoundServiceName => [json(r#"{"Name":"web","Namespace":"default"}"#)];
            rt catalog::GatewayService => [json(r#"{"Gateway":{"Name":"gw"},"Service":{"Name":"web"},"GatewayKind":"terminating-gateway","Port":443,"Protocol":"tcp","Hosts":["a.example"],"CAFile":"ca.pem","CertFile":"c.pem","KeyFile":"k.pem","SNI":"x","FromWildcard":true}"#)];
            rt catalog::Node => [fx("catalog/node.json", "/Node"), fx("catalog/nodes.json", "")];
            // config entries
            rt config_entry::ApiGateway => [fx("config_entry/doc_api_gateway.json", "")];
            rt config_entry::ApiGatewayListener => [fx("config_entry/doc_api_gateway.json", "/Listeners")];
            rt config_entry::ApiGatewayPolicy => [fx("config_entry/doc_api_gateway.json", "/Listeners/0/Default")];
            rt config_entry::ApiGatewayTlsConfiguration => [fx("config_entry/doc_api_gateway.json", "/Listeners/0/TLS")];
            rt config_entry::BoundApiGateway => [fx("config_entry/doc_bound_api_gateway.json", "")];
            rt config_entry::BoundApiGatewayListener => [fx("config_entry/doc_bound_api_gateway.json", "/Listeners")];
            rt config_entry::CompiledDiscoveryChain => [fx("config_entry/discovery_chain_overrides.json", "/Chain"), fx("config_entry/discovery_chain_web.json", "/Chain"), fx("config_entry/discovery_chain_web_dc2.json", "/Chain")];
            rt config_entry::Condition => [fx("config_entry/doc_api_gateway.json", "/Status/Conditions")];
            rt config_entry::ConfigEntry => [fx("config_entry/service_defaults.json", ""), fx("config_entry/service_resolver.json", ""), fx("config_entry/service_router.json", ""), fx("config_entry/ingress_gateway.json", ""), fx("config_entry/doc_sameness_group.json", ""), fx("config_entry/list_service_defaults.json", ""), fx("config_entry/doc_mesh.json", "")];
            rt config_entry::ConfigEntryStatus => [fx("config_entry/doc_api_gateway.json", "/Status")];
            rt config_entry::ConfigKind => [json(r#""service-router""#)];
            rt config_entry::DiscoveryChainOverrides => [json(r#"{"OverrideConnectTimeout":"5s","OverrideProtocol":"grpc","OverrideMeshGateway":{"Mode":"local"}}"#)];
            rt config_entry::DiscoveryFailover => [fx("config_entry/discovery_chain_web.json", "/Chain/Nodes/resolver:v1.web.default.dc1/Resolver/Failover")];
            rt config_entry::DiscoveryGraphNode => [fx("config_entry/discovery_chain_web.json", "/Chain/Nodes/router:web.default"), fx("config_entry/discovery_chain_web.json", "/Chain/Nodes/splitter:web.default")];
            rt config_entry::DiscoveryNodeType => [json(r#""splitter""#)];
            rt config_entry::DiscoveryResolver => [fx("config_entry/discovery_chain_default.json", "/Chain/Nodes/resolver:db.default.dc1/Resolver")];
            rt config_entry::DiscoveryRoute => [fx("config_entry/discovery_chain_web.json", "/Chain/Nodes/router:web.default/Routes")];
            rt config_entry::DiscoverySplit => [fx("config_entry/discovery_chain_web.json", "/Chain/Nodes/splitter:web.default/Splits")];
            rt config_entry::DiscoveryTarget => [fx("config_entry/discovery_chain_web.json", "/Chain/Targets/v1.web.default.dc1")];
            rt config_entry::ExportedService => [fx("config_entry/doc_exported_services.json", "/Services")];
            rt config_entry::ExportedServices => [fx("config_entry/doc_exported_services.json", "")];
            rt config_entry::FileSystemCertificate => [fx("config_entry/doc_file_system_certificate.json", "")];
            rt config_entry::GatewayTlsConfig => [fx("config_entry/ingress_gateway.json", "/TLS")];
            rt config_entry::HttpFilters => [fx("config_entry/doc_http_route.json", "/Rules/0/Filters")];
            rt config_entry::HttpHeaderFilter => [fx("config_entry/doc_http_route.json", "/Rules/0/Filters/Headers")];
            rt config_entry::HttpHeaderMatch => [fx("config_entry/doc_http_route.json", "/Rules/0/Matches/0/Headers")];
            rt config_entry::HttpMatch => [fx("config_entry/doc_http_route.json", "/Rules/0/Matches")];
            rt config_entry::HttpPathMatch => [fx("config_entry/doc_http_route.json", "/Rules/0/Matches/0/Path")];
            rt config_entry::HttpQueryMatch => [fx("config_entry/doc_http_route.json", "/Rules/0/Matches/0/Headers/0")];
            rt config_entry::HttpResponseFilters => [fx("config_entry/doc_http_route.json", "/Rules/0/ResponseFilters")];
            rt config_entry::HttpRoute => [fx("config_entry/doc_http_route.json", "")];
            rt config_entry::HttpRouteRule => [fx("config_entry/doc_http_route.json", "/Rules")];
            rt config_entry::HttpService => [fx("config_entry/doc_http_route.json", "/Rules/0/Services")];
            rt config_entry::IngressGateway => [fx("config_entry/ingress_gateway.json", ""), fx("config_entry/ingress_gateway_bare.json", "")];
            rt config_entry::IngressListener => [fx("config_entry/ingress_gateway.json", "/Listeners")];
            rt config_entry::IngressService => [fx("config_entry/ingress_gateway.json", "/Listeners/0/Services")];
            rt config_entry::InlineCertificate => [fx("config_entry/doc_inline_certificate.json", "")];
            rt config_entry::IntentionAction => [json(r#""allow""#)];
            rt config_entry::IntentionHttpHeaderPermission => [json(r#"{"Name":"x-user","Present":false,"Exact":"a","Prefix":"","Suffix":"","Regex":"","Invert":true}"#)];
            rt config_entry::IntentionHttpPermission => [fx("config_entry/doc_service_intentions.json", "/Sources/0/Permissions/0/HTTP")];
            rt config_entry::IntentionPermission => [fx("config_entry/doc_service_intentions.json", "/Sources/0/Permissions")];
            rt config_entry::JsonWebKeySet => [fx("config_entry/doc_jwt_provider.json", "/JSONWebKeySet")];
            rt config_entry::JwksRetryPolicy => [fx("config_entry/doc_jwt_provider.json", "/JSONWebKeySet/Remote/RetryPolicy")];
            rt config_entry::JwtCacheConfig => [fx("config_entry/doc_jwt_provider.json", "/CacheConfig")];
            rt config_entry::JwtClaimVerification => [fx("config_entry/doc_service_intentions.json", "/JWT/Providers/0/VerifyClaims")];
            rt config_entry::JwtForwardingConfig => [fx("config_entry/doc_jwt_provider.json", "/Forwarding")];
            rt config_entry::JwtLocation => [fx("config_entry/doc_jwt_provider.json", "/Locations")];
            rt config_entry::JwtLocationCookie => [json(r#"{"Name":"session"}"#)];
            rt config_entry::JwtLocationHeader => [fx("config_entry/doc_jwt_provider.json", "/Locations/0/Header")];
            rt config_entry::JwtLocationQueryParam => [json(r#"{"Name":"token"}"#)];
            rt config_entry::JwtProvider => [fx("config_entry/doc_jwt_provider.json", "")];
            rt config_entry::JwtProviderRef => [fx("config_entry/doc_service_intentions.json", "/JWT/Providers")];
            rt config_entry::JwtRequirement => [fx("config_entry/doc_service_intentions.json", "/JWT")];
            rt config_entry::LinkedService => [fx("config_entry/terminating_gateway.json", "/Services")];
            rt config_entry::LocalJwks => [json(r#"{"JWKS":"eyJrZXlzIjpbXX0=","Filename":""}"#)];
            rt config_entry::Mesh => [fx("config_entry/doc_mesh.json", "")];
            rt config_entry::MeshDirectionalTlsConfig => [fx("config_entry/doc_mesh.json", "/TLS/Incoming")];
            rt config_entry::MeshHttpConfig => [fx("config_entry/doc_mesh.json", "/HTTP")];
            rt config_entry::MeshTlsConfig => [fx("config_entry/doc_mesh.json", "/TLS")];
            rt config_entry::OtherEntry => [fx("config_entry/doc_sameness_group.json", "")];
            rt config_entry::PeeringMeshConfig => [fx("config_entry/doc_mesh.json", "/Peering")];
            rt config_entry::ProxyDefaults => [fx("config_entry/proxy_defaults.json", "")];
            rt config_entry::RemoteJwks => [fx("config_entry/doc_jwt_provider.json", "/JSONWebKeySet/Remote")];
            rt config_entry::ResourceReference => [fx("config_entry/doc_api_gateway.json", "/Status/Conditions/0/Resource")];
            rt config_entry::RetryFilter => [fx("config_entry/doc_http_route.json", "/Rules/0/Filters/RetryFilter")];
            rt config_entry::RetryPolicyBackOff => [fx("config_entry/doc_jwt_provider.json", "/JSONWebKeySet/Remote/RetryPolicy/RetryPolicyBackOff")];
            rt config_entry::ServiceConsumer => [fx("config_entry/doc_exported_services.json", "/Services/0/Consumers")];
            rt config_entry::ServiceDefaults => [fx("config_entry/service_defaults.json", ""), fx("config_entry/service_defaults_bare.json", ""), fx("config_entry/service_defaults_external.json", ""), fx("config_entry/list_service_defaults.json", "")];
            rt config_entry::ServiceIntentions => [fx("config_entry/doc_service_intentions.json", "")];
            rt config_entry::ServiceResolver => [fx("config_entry/service_resolver.json", ""), fx("config_entry/service_resolver_redirect.json", "")];
            rt config_entry::ServiceResolverFailover => [fx("config_entry/service_resolver.json", "/Failover/*")];
            rt config_entry::ServiceResolverRedirect => [fx("config_entry/service_resolver_redirect.json", "/Redirect")];
            rt config_entry::ServiceResolverSubset => [fx("config_entry/discovery_chain_web.json", "/Chain/Targets/v1.web.default.dc1/Subset")];
            rt config_entry::ServiceRoute => [fx("config_entry/service_router.json", "/Routes")];
            rt config_entry::ServiceRouteDestination => [fx("config_entry/discovery_chain_web.json", "/Chain/Nodes/router:web.default/Routes/0/Definition/Destination")];
            rt config_entry::ServiceRouteHttpMatch => [fx("config_entry/discovery_chain_web.json", "/Chain/Nodes/router:web.default/Routes/0/Definition/Match/HTTP")];
            rt config_entry::ServiceRouteHttpMatchHeader => [fx("config_entry/discovery_chain_web.json", "/Chain/Nodes/router:web.default/Routes/0/Definition/Match/HTTP/Header")];
            rt config_entry::ServiceRouteHttpMatchQueryParam => [json(r#"{"Name":"debug","Present":true,"Exact":"","Regex":""}"#)];
            rt config_entry::ServiceRouteMatch => [fx("config_entry/discovery_chain_web.json", "/Chain/Nodes/router:web.default/Routes/0/Definition/Match")];
            rt config_entry::ServiceRouter => [fx("config_entry/service_router.json", "")];
            rt config_entry::ServiceSplit => [fx("config_entry/service_splitter.json", "/Splits")];
            rt config_entry::ServiceSplitter => [fx("config_entry/service_splitter.json", "")];
            rt config_entry::SourceIntention => [fx("config_entry/doc_service_intentions.json", "/Sources")];
            rt config_entry::TcpRoute => [fx("config_entry/doc_tcp_route.json", "")];
            rt config_entry::TcpService => [fx("config_entry/doc_tcp_route.json", "/Services")];
            rt config_entry::TerminatingGateway => [fx("config_entry/terminating_gateway.json", "")];
            rt config_entry::TimeoutFilter => [fx("config_entry/doc_http_route.json", "/Rules/0/Filters/TimeoutFilter")];
            rt config_entry::TransparentProxyMeshConfig => [fx("config_entry/doc_mesh.json", "/TransparentProxy")];
            rt config_entry::UrlRewrite => [fx("config_entry/doc_http_route.json", "/Rules/0/Filters/URLRewrite")];
            // connect
            rt connect::AgentAuthorize => [fx("connect/authorize.json", ""), fx("connect/authorize_denied.json", "")];
            rt connect::AgentAuthorizeParams => [json(r#"{"Target":"db","ClientCertURI":"spiffe://11111111-2222-3333-4444-555555555555.consul/ns/default/dc/dc1/svc/web","ClientCertSerial":"04:00"}"#)];
            wb connect::CaConfig => [fx("connect/ca_config.json", ""), fx("connect/ca_config_rotated.json", "")];
            rt connect::CaKeyType => [json(r#""ec""#)];
            rt connect::CaRoot => [fx("connect/ca_roots.json", "/Roots")];
            rt connect::CaRootList => [fx("connect/ca_roots.json", ""), fx("connect/ca_roots_rotated.json", "")];
            rt connect::ConsulCaProviderConfig => [fx("connect/ca_config.json", "/Config")];
            wb connect::Intention => [fx("connect/intention.json", ""), fx("connect/intentions.json", "")];
            rt connect::IntentionSourceType => [json(r#""consul""#)];
            rt connect::LeafCert => [fx("connect/leaf.json", "")];
            // coordinate
            rt coordinate::CoordinateDatacenterMap => [fx("coordinate/datacenters.json", "")];
            rt coordinate::CoordinateEntry => [fx("coordinate/nodes.json", ""), fx("coordinate/node.json", "")];
            // event
            rt event::UserEvent => [fx("event/fire.json", ""), fx("event/fire_empty.json", ""), fx("event/list.json", "")];
            // health
            rt health::CheckDefinition => [fx("agent/health_service_id.json", "/Checks/0/Definition"), json(r#"{"CheckID":"c","Name":"n","TTL":"10s","HTTP":"http://x","Header":{"A":["b"]},"Method":"GET","Interval":"1m30s","Timeout":"1s","DeregisterCriticalServiceAfter":"90m"}"#)];
            rt health::CheckStatus => [json(r#""critical""#)];
            rt health::HealthCheck => [fx("health/checks.json", ""), fx("health/node.json", ""), fx("health/state_any.json", ""), fx("health/state_critical.json", "")];
            rt health::HealthCheckDefinition => [fx("agent/health_service_id.json", "/Checks/0/Definition")];
            rt health::ServiceEntry => [fx("health/service.json", ""), fx("health/service_external.json", ""), fx("health/connect.json", "")];
            // kv
            rt kv::KvPair => [fx("kv/get.json", ""), fx("kv/list.json", ""), fx("session/cli_lock_kv.json", "")];
            // lock
            rt lock::SemaphoreLock => [json(r#"{"Limit":3,"Holders":{"9c9a6b88-8c0b-4f7c-a3c2-3d4b5c6d7e8f":true}}"#)];
            // namespace
            rt namespace::Namespace => [fx("namespace/read_documented.json", ""), fx("namespace/list_documented.json", ""), fx("namespace/deleted_documented.json", "")];
            rt namespace::NamespaceAclConfig => [fx("namespace/create_payload_documented.json", "/ACLs")];
            // operator
            rt operator::Area => [json(r#"{"ID":"8f246b77-f3e1-ff88-5b48-8ec93abf3e05","PeerDatacenter":"dc2","RetryJoin":["10.1.2.3"],"UseTLS":true}"#)];
            rt operator::AreaJoinResponse => [json(r#"[{"Address":"10.1.2.3","Joined":false,"Error":"dial tcp: refused"}]"#)];
            rt operator::AutopilotConfiguration => [fx("operator/autopilot_configuration.json", "")];
            rt operator::AutopilotServer => [fx("operator/autopilot_state_documented.json", "/Servers/5e26a3af-f4fc-4104-a8bb-4da9f19cb278")];
            rt operator::AutopilotServerStatus => [json(r#""voter""#)];
            rt operator::AutopilotServerType => [json(r#""zone-standby""#)];
            rt operator::AutopilotState => [fx("operator/autopilot_state_documented.json", "")];
            rt operator::AutopilotUpgrade => [fx("operator/autopilot_state_documented.json", "/Upgrade")];
            rt operator::AutopilotUpgradeStatus => [json(r#""await-new-voters""#)];
            rt operator::AutopilotZone => [fx("operator/autopilot_state_documented.json", "/RedundancyZones/az1")];
            rt operator::AutopilotZoneUpgradeVersions => [json(r#"{"TargetVersionVoters":["a"],"TargetVersionNonVoters":[],"OtherVersionVoters":["b"],"OtherVersionNonVoters":null}"#)];
            rt operator::KeyringResponse => [fx("operator/keyring_list_two_keys.json", "")];
            rt operator::License => [json(r#"{"license_id":"l","customer_id":"c","installation_id":"*","issue_time":"2020-01-01T00:00:00Z","start_time":"2020-01-01T00:00:00Z","expiration_time":"2030-01-01T00:00:00Z","termination_time":"2030-01-01T00:00:00Z","product":"consul","flags":{"modules":["a"]},"modules":["Governance"],"features":["Namespaces"],"temporary":false}"#)];
            rt operator::LicenseReply => [json(r#"{"Valid":true,"License":{"license_id":"l","features":["x"]},"Warnings":["w"]}"#)];
            rt operator::OperatorHealthReply => [fx("operator/autopilot_health.json", ""), fx("operator/autopilot_health_unhealthy.json", "")];
            rt operator::RaftConfiguration => [fx("operator/raft_configuration.json", "")];
            rt operator::RaftServer => [fx("operator/raft_configuration.json", "/Servers")];
            rt operator::SerfMember => [json(r#"[{"ID":"i","Name":"s1.dc1","Addr":"10.0.0.1","Port":8302,"Datacenter":"dc1","Role":"server","Build":"1.8.7","Protocol":2,"Status":"alive","RTT":1500000}]"#)];
            rt operator::SerfStatus => [json(r#""failed""#)];
            rt operator::ServerHealth => [fx("operator/autopilot_health.json", "/Servers")];
            rt operator::ServiceUsage => [fx("operator/usage_documented_enterprise.json", "/Usage/dc1")];
            rt operator::TransferLeaderResponse => [json(r#"{"Success":true}"#)];
            rt operator::Usage => [fx("operator/usage_documented.json", ""), fx("operator/usage_documented_enterprise.json", "")];
            // partition
            rt partition::AdminPartition => [fx("partition/read_documented.json", ""), fx("partition/deleted_documented.json", "")];
            rt partition::AdminPartitions => [fx("partition/list_documented.json", "")];
            // peering
            rt peering::ImportedService => [fx("peering/imported_services.json", ""), fx("peering/imported_services_enterprise.json", "/ImportedServices")];
            rt peering::ImportedServices => [fx("peering/imported_services.json", ""), fx("peering/imported_services_enterprise.json", "")];
            rt peering::Locality => [fx("peering/read_documented.json", "/Remote/Locality")];
            rt peering::Peering => [fx("peering/read_documented.json", ""), fx("peering/list_documented.json", "")];
            rt peering::PeeringEstablishRequest => [json(r#"{"PeerName":"other","PeeringToken":"eyJDQSI6bnVsbH0=","Meta":{"k":"v"}}"#)];
            rt peering::PeeringGenerateTokenRequest => [json(r#"{"PeerName":"other","Meta":{"k":"v"},"ServerExternalAddresses":["1.2.3.4:8503"]}"#)];
            rt peering::PeeringRemoteInfo => [fx("peering/read_documented.json", "/Remote")];
            rt peering::PeeringState => [json(r#""ACTIVE""#)];
            rt peering::PeeringStreamStatus => [fx("peering/read_documented.json", "/StreamStatus")];
            rt peering::PeeringToken => [fx("peering/token_documented.json", "/PeeringToken")];
            rt peering::ResolvedConsumers => [fx("peering/exported_services_documented_enterprise.json", "/0/Consumers")];
            rt peering::ResolvedExportedService => [fx("peering/exported_services_documented.json", ""), fx("peering/exported_services_documented_enterprise.json", "")];
            // prepared queries
            rt query::PreparedQueryDefinition => [fx("query/get.json", ""), fx("query/list.json", ""), fx("query/explain_template.json", "/Query")];
            rt query::PreparedQueryExecuteResponse => [fx("query/execute.json", "")];
            rt query::PreparedQueryExplainResponse => [fx("query/explain.json", ""), fx("query/explain_template.json", "")];
            rt query::QueryDatacenterOptions => [fx("query/explain.json", "/Query/Service/Failover")];
            rt query::QueryDnsOptions => [fx("query/execute.json", "/DNS")];
            rt query::QueryTemplate => [fx("query/explain_template.json", "/Query/Template")];
            rt query::QueryTemplateType => [json(r#""name_prefix_match""#)];
            rt query::ServiceQuery => [fx("query/explain.json", "/Query/Service")];
            // sessions
            rt session::ServiceCheck => [json(r#"[{"ID":"service:web","Namespace":""}]"#)];
            rt session::SessionBehavior => [json(r#""delete""#)];
            rt session::SessionEntry => [fx("session/info.json", ""), fx("session/list.json", ""), fx("session/node.json", ""), fx("session/renew.json", "")];
            // the token type (agent tokens, token fields of bodies)
            rt Token => [json(r#""b5e1a1c6-3a0e-4d3e-9f3e-3d0a1e2b3c4d""#)];
            // transactions: answers only read
            rt txn::CatalogVerb => [json(r#""service-get""#)];
            rt txn::KvVerb => [json(r#""cas""#)];
            de txn::TxnError => [fx("txn/rolled_back.json", "/Errors")];
            de txn::TxnResponse => [fx("txn/committed.json", ""), fx("txn/rolled_back.json", "")];
            de txn::TxnResult => [fx("txn/committed.json", "/Results")];
        }
    })
}

// ---------------------------------------------------------------------------------------
// Checks: decode as the client does, then write back and read again.

/// Decodes `bytes` as `X`; an error must be a typed, explained one (a syntax, data or EOF
/// error with its cause in Display), never a panic.
fn decoded<X: DeserializeOwned>(bytes: &[u8]) -> Result<Option<X>, TestCaseError> {
    match serde_json::from_slice::<X>(bytes) {
        Ok(value) => Ok(Some(value)),
        Err(e) => {
            prop_assert!(
                e.classify() != serde_json::error::Category::Io,
                "an I/O error from a buffer: {e}"
            );
            prop_assert!(!e.to_string().is_empty());
            Ok(None)
        }
    }
}

/// The shapes of `Answer::json`, `json_opt` and `json_list`.
fn decode_shapes<T: DeserializeOwned>(
    bytes: &[u8],
) -> Result<(Option<T>, Option<Vec<T>>), TestCaseError> {
    let one = decoded::<T>(bytes)?;
    decoded::<Option<T>>(bytes)?;
    let list = decoded::<Option<Vec<T>>>(bytes)?.map(Option::unwrap_or_default);
    Ok((one, list))
}

fn check_decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<(), TestCaseError> {
    decode_shapes::<T>(bytes).map(drop)
}

fn check_round_trip<T, const SAME: bool>(bytes: &[u8]) -> Result<(), TestCaseError>
where
    T: DeserializeOwned + Serialize + PartialEq + Debug,
{
    let (one, list) = decode_shapes::<T>(bytes)?;
    if let Some(value) = one {
        round_trip::<_, SAME>(&value)?;
    }
    if let Some(values) = list {
        round_trip::<_, SAME>(&values)?;
    }
    Ok(())
}

/// Written and read back, a value is the same value (when `SAME`), and writes the same
/// bytes again.
fn round_trip<X, const SAME: bool>(value: &X) -> Result<(), TestCaseError>
where
    X: DeserializeOwned + Serialize + PartialEq + Debug,
{
    let written = serde_json::to_vec(value)
        .map_err(|e| TestCaseError::fail(format!("cannot write {value:?} back: {e}")))?;
    let back: X = serde_json::from_slice(&written).map_err(|e| {
        TestCaseError::fail(format!(
            "cannot read back {}: {e}",
            String::from_utf8_lossy(&written)
        ))
    })?;
    if SAME {
        prop_assert_eq!(
            &back,
            value,
            "read back from {}",
            String::from_utf8_lossy(&written)
        );
    }
    let again = serde_json::to_vec(&back).unwrap_or_default();
    prop_assert_eq!(
        String::from_utf8_lossy(&again),
        String::from_utf8_lossy(&written)
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Inputs: fixtures, their field names, and mutations of them.

fn fixtures_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures"))
}

fn fixture(file: &str) -> Value {
    static CACHE: OnceLock<std::sync::Mutex<std::collections::HashMap<String, Value>>> =
        OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let mut cache = cache.lock().unwrap();
    cache
        .entry(file.to_owned())
        .or_insert_with(|| {
            let text = std::fs::read(fixtures_dir().join(file))
                .unwrap_or_else(|e| panic!("fixture {file}: {e}"));
            serde_json::from_slice(&text).unwrap_or_else(|e| panic!("fixture {file}: {e}"))
        })
        .clone()
}

fn seed_value(seed: Seed) -> Value {
    match seed {
        Seed::Fixture(file, pointer) => fixture(file)
            .pointer(pointer)
            .unwrap_or_else(|| panic!("{file} has nothing at {pointer:?}"))
            .clone(),
        Seed::Inline(text) => serde_json::from_str(text).expect("inline seed"),
    }
}

/// Every object key of every fixture: random objects use them, so that random shapes meet
/// the fields the models read.
fn field_names() -> &'static [String] {
    static NAMES: OnceLock<Vec<String>> = OnceLock::new();
    NAMES.get_or_init(|| {
        fn walk(v: &Value, out: &mut BTreeSet<String>) {
            match v {
                Value::Object(map) => {
                    for (k, v) in map {
                        out.insert(k.clone());
                        walk(v, out);
                    }
                }
                Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
                _ => {}
            }
        }
        let mut out = BTreeSet::new();
        for dir in std::fs::read_dir(fixtures_dir()).unwrap() {
            for file in std::fs::read_dir(dir.unwrap().path()).unwrap() {
                let path = file.unwrap().path();
                if path.extension().is_some_and(|e| e == "json") {
                    let v: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
                    walk(&v, &mut out);
                }
            }
        }
        out.into_iter().collect()
    })
}

/// Texts that models read specially: durations, base64, enum spellings, numbers in text.
const TEXTS: &[&str] = &[
    "",
    "0",
    "0s",
    "10s",
    "1m30s",
    "1.5h",
    "250ms",
    "1µs",
    "-5s",
    "5",
    "1.2.3s",
    "h",
    ".s",
    "99999999999999999999999h",
    "340282366920938463463374607431768211455ns",
    "94522879700260684.9999999999999999h",
    "18446744073709551615s",
    "Zm9v",
    "Zm9vYg==",
    "Zm9vYg",
    "Zm9v!",
    "====",
    "QQ=",
    "A",
    "YQ===",
    "\u{0}",
    "passing",
    "warning",
    "critical",
    "maintenance",
    "any",
    "stale",
    "consistent",
    "service-defaults",
    "service-router",
    "proxy-defaults",
    "mesh",
    "tcp",
    "http",
    "grpc",
    "allow",
    "deny",
    "local",
    "remote",
    "none",
    "connect-proxy",
    "mesh-gateway",
    "true",
    "null",
    "{}",
    "[]",
    "1e400",
    "NaN",
    "🦀",
    "é",
    "a/b",
    "../..",
];

/// Raw JSON put where a value was, after serialization: numbers no `Value` holds, invalid
/// UTF-8 inside strings, lone surrogates.
const RAW: &[&[u8]] = &[
    b"18446744073709551616",
    b"-9223372036854775809",
    b"340282366920938463463374607431768211456",
    b"1e400",
    b"-1e400",
    b"1e-400",
    b"-0",
    b"0.0",
    b"1.5",
    b"-1",
    b"4294967296",
    b"65536",
    b"\"\xff\xfe\"",
    b"\"\xc3\"",
    b"\"\xed\xa0\x80\"",
    b"\"ok\xf0\x9f\xa6\"",
    b"\"\\ud800\"",
    b"\"\\udc00x\"",
    b"\"\\u0000\"",
    b"\"Zm9v\xff\"",
];

/// One change to a JSON tree, at the node its selector picks.
#[derive(Debug, Clone)]
enum Mutation {
    Delete,
    Replace(Value),
    /// Another type in place: null, a boolean, a number, a text, an empty list or object,
    /// the node wrapped in a list or an object.
    Retype(u8, Value),
    /// A value of the same type: another text, number or boolean; a list shortened or
    /// grown; an object with a field more.
    Tweak(String, u64, f64, String),
    Raw(usize),
}

#[derive(Debug, Clone)]
enum ByteEdit {
    Keep,
    Truncate(usize),
    Insert(usize, Vec<u8>),
    Flip(usize, u8),
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => proptest::sample::select(TEXTS).prop_map(str::to_owned),
        2 => any::<String>(),
        1 => "[A-Za-z0-9+/=_-]{0,16}",
    ]
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::sample::select(field_names()),
        1 => any::<String>(),
    ]
}

/// Random JSON of any shape, keys mostly the fixtures' field names.
fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<u64>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::vec((key(), inner), 0..6)
                .prop_map(|fields| Value::Object(fields.into_iter().collect())),
        ]
    })
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => Just(Mutation::Delete),
        2 => arb_json().prop_map(Mutation::Replace),
        3 => (any::<u8>(), arb_json()).prop_map(|(k, v)| Mutation::Retype(k, v)),
        4 => (text(), any::<u64>(), any::<f64>(), key())
            .prop_map(|(s, n, f, k)| Mutation::Tweak(s, n, f, k)),
        2 => (0..RAW.len()).prop_map(Mutation::Raw),
    ]
}

fn byte_edit() -> impl Strategy<Value = ByteEdit> {
    prop_oneof![
        8 => Just(ByteEdit::Keep),
        1 => any::<usize>().prop_map(ByteEdit::Truncate),
        1 => (any::<usize>(), proptest::sample::select(vec![
            vec![0xff], vec![0xc3], vec![0xed, 0xa0, 0x80], vec![0x80], vec![0], b"\\".to_vec(), b"\"".to_vec(),
        ])).prop_map(|(at, bytes)| ByteEdit::Insert(at, bytes)),
        1 => (any::<usize>(), any::<u8>()).prop_map(|(at, b)| ByteEdit::Flip(at, b)),
    ]
}

/// The paths of every node of a tree (at most a few thousand: big answers are sampled).
fn paths(root: &Value) -> Vec<Vec<PathStep>> {
    fn walk(v: &Value, here: &mut Vec<PathStep>, out: &mut Vec<Vec<PathStep>>) {
        if out.len() >= 4096 {
            return;
        }
        out.push(here.clone());
        match v {
            Value::Object(map) => {
                for (k, v) in map {
                    here.push(PathStep::Key(k.clone()));
                    walk(v, here, out);
                    here.pop();
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    here.push(PathStep::Index(i));
                    walk(v, here, out);
                    here.pop();
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(root, &mut Vec::new(), &mut out);
    out
}

#[derive(Debug, Clone)]
enum PathStep {
    Key(String),
    Index(usize),
}

fn node_mut<'a>(root: &'a mut Value, path: &[PathStep]) -> Option<&'a mut Value> {
    path.iter().try_fold(root, |v, step| match step {
        PathStep::Key(k) => v.get_mut(k.as_str()),
        PathStep::Index(i) => v.get_mut(*i),
    })
}

fn raw_marker(i: usize) -> String {
    format!("\u{1}raw{i}\u{1}")
}

fn apply(root: &mut Value, selector: usize, mutation: &Mutation) {
    let all = paths(root);
    let path = &all[selector % all.len()];
    if let Mutation::Delete = mutation {
        match path.split_last() {
            None => *root = Value::Null,
            Some((last, parent)) => match (node_mut(root, parent), last) {
                (Some(Value::Object(map)), PathStep::Key(k)) => {
                    map.remove(k);
                }
                (Some(Value::Array(items)), PathStep::Index(i)) => {
                    items.remove(*i);
                }
                _ => {}
            },
        }
        return;
    }
    let Some(node) = node_mut(root, path) else {
        return;
    };
    *node = match mutation {
        Mutation::Delete => unreachable!(),
        Mutation::Replace(v) => v.clone(),
        Mutation::Raw(i) => Value::String(raw_marker(*i)),
        Mutation::Retype(k, v) => match k % 10 {
            0 => Value::Null,
            1 => Value::Bool(k % 2 == 0),
            2 => Value::from(u64::MAX),
            3 => Value::from(i64::MIN),
            4 => Value::from(f64::MAX),
            5 => Value::String("Zm9v!not base64".into()),
            6 => Value::Array(vec![]),
            7 => Value::Object(Default::default()),
            8 => Value::Array(vec![node.take()]),
            _ => match v {
                Value::Null => {
                    Value::Object([("Kind".to_owned(), node.take())].into_iter().collect())
                }
                other => other.clone(),
            },
        },
        Mutation::Tweak(s, n, f, k) => match node.take() {
            Value::String(_) => Value::String(s.clone()),
            Value::Bool(b) => Value::Bool(!b),
            Value::Number(old) if old.is_u64() => Value::from(*n >> (n % 64)),
            Value::Number(old) if old.is_i64() => Value::from(-((*n >> (n % 64)) as i64 / 2)),
            Value::Number(_) => {
                serde_json::Number::from_f64(*f).map_or(Value::from(0.5), Value::Number)
            }
            Value::Array(mut items) => {
                if n % 2 == 0 {
                    items.truncate((*n as usize) % (items.len() + 1));
                } else if let Some(first) = items.first().cloned() {
                    items.push(first);
                }
                Value::Array(items)
            }
            Value::Object(mut map) => {
                map.insert(k.clone(), Value::String(s.clone()));
                Value::Object(map)
            }
            Value::Null => Value::String(s.clone()),
        },
    };
}

/// The JSON text of a tree with its raw markers replaced, then edited byte-wise.
fn to_bytes(value: &Value, edit: &ByteEdit) -> Vec<u8> {
    let mut bytes = serde_json::to_vec(value).unwrap();
    for (i, raw) in RAW.iter().enumerate() {
        let marker = serde_json::to_vec(&Value::String(raw_marker(i))).unwrap();
        while let Some(at) = bytes.windows(marker.len()).position(|w| w == marker) {
            bytes.splice(at..at + marker.len(), raw.iter().copied());
        }
    }
    match edit {
        ByteEdit::Keep => {}
        ByteEdit::Truncate(at) => bytes.truncate(at % (bytes.len() + 1)),
        ByteEdit::Insert(at, b) => {
            let at = at % (bytes.len() + 1);
            bytes.splice(at..at, b.iter().copied());
        }
        ByteEdit::Flip(at, b) => {
            if !bytes.is_empty() {
                let at = at % bytes.len();
                bytes[at] = *b;
            }
        }
    }
    bytes
}

/// A mutated seed: which seed, which mutations where, which byte edit.
#[derive(Debug, Clone)]
struct Mutated {
    seed: usize,
    mutations: Vec<(usize, Mutation)>,
    edit: ByteEdit,
}

fn mutated() -> impl Strategy<Value = Mutated> {
    (
        any::<usize>(),
        proptest::collection::vec((any::<usize>(), mutation()), 1..5),
        byte_edit(),
    )
        .prop_map(|(seed, mutations, edit)| Mutated {
            seed,
            mutations,
            edit,
        })
}

fn mutated_bytes(model: &Model, case: &Mutated) -> Vec<u8> {
    let mut value = seed_value(model.seeds[case.seed % model.seeds.len()]);
    for (selector, m) in &case.mutations {
        apply(&mut value, *selector, m);
    }
    to_bytes(&value, &case.edit)
}

fn runner(binary: &'static str) -> TestRunner {
    TestRunner::new(prop_support::config(binary))
}

// ---------------------------------------------------------------------------------------
// The properties.

/// Every seed is a real answer of its model: it decodes (as one value or as the list the
/// client reads) and round-trips. A seed that stopped decoding would leave its model
/// tested on errors only.
#[test]
fn seeds_decode_and_round_trip() {
    let mut failures = Vec::new();
    for model in models() {
        for seed in &model.seeds {
            let bytes = serde_json::to_vec(&seed_value(*seed)).unwrap();
            let decodes = |b: &[u8]| (model.check)(b);
            if let Err(e) = decodes(&bytes) {
                failures.push(format!("{} from {seed:?}: {e}", model.name));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Mutations of real answers never panic a decoder, and whatever still decodes
/// round-trips.
#[test]
fn mutated_answers_decode_or_fail_typed() {
    let mut failures = Vec::new();
    for model in models() {
        let result = runner("prop_models").run(&mutated(), |case| {
            let bytes = mutated_bytes(model, &case);
            (model.check)(&bytes).map_err(|e| {
                TestCaseError::fail(format!("{e}\ninput: {}", String::from_utf8_lossy(&bytes)))
            })
        });
        if let Err(e) = result {
            failures.push(format!("{}: {e}", model.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Random JSON of any shape (raw numbers and invalid UTF-8 spliced in) decodes as every
/// model, or fails typed.
#[test]
fn random_json_decodes_or_fails_typed() {
    let strategy = (
        arb_json(),
        proptest::collection::vec(
            (any::<usize>(), (0..RAW.len()).prop_map(Mutation::Raw)),
            0..3,
        ),
        byte_edit(),
    );
    let result = runner("prop_models").run(&strategy, |(mut value, raws, edit)| {
        for (selector, m) in &raws {
            apply(&mut value, *selector, m);
        }
        let bytes = to_bytes(&value, &edit);
        for model in models() {
            (model.check)(&bytes).map_err(|e| {
                TestCaseError::fail(format!(
                    "{}: {e}\ninput: {}",
                    model.name,
                    String::from_utf8_lossy(&bytes)
                ))
            })?;
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

/// Arbitrary bytes (not JSON at all, or JSON cut anywhere) fail typed for every model.
#[test]
fn arbitrary_bytes_fail_typed() {
    let strategy = proptest::collection::vec(any::<u8>(), 0..64);
    let result = runner("prop_models").run(&strategy, |bytes| {
        for model in models() {
            (model.check)(&bytes)
                .map_err(|e| TestCaseError::fail(format!("{}: {e}", model.name)))?;
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

/// The value decoders beside JSON answers: a KV value read through a codec, a semaphore's
/// lock record.
#[test]
fn value_decoders_fail_typed() {
    use consul_types::codec::{Codec, Json, Raw, Text};
    let strategy = prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..64),
        (arb_json(), byte_edit()).prop_map(|(v, edit)| to_bytes(&v, &edit)),
    ];
    let result = runner("prop_models").run(&strategy, |bytes| {
        let raw: Vec<u8> = Raw
            .decode(&bytes)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&raw, &bytes);
        let text: Result<String, _> = Text.decode(&bytes);
        prop_assert_eq!(text.is_ok(), std::str::from_utf8(&bytes).is_ok());
        let _: Result<Value, _> = Json.decode(&bytes);
        let _: Result<agent::AgentService, _> = Json.decode(&bytes);
        for limit in [0, 1, 3, u32::MAX] {
            if let Ok(lock) = lock::SemaphoreLock::decode(&bytes, limit) {
                let again = lock
                    .encode()
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert!(lock::SemaphoreLock::decode(&again, limit).is_ok());
            }
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

/// Every model that decodes is in [`models`]: the sources are scanned for serde models
/// (derived or hand-written `Deserialize`, config entries, text enums), so a new one
/// without a property test fails here.
#[test]
fn every_model_is_listed() {
    let listed: BTreeSet<String> = models()
        .iter()
        .map(|m| m.name.rsplit("::").next().unwrap().trim().to_owned())
        .collect();
    let mut found = BTreeSet::new();
    let src = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src"));
    let mut dirs = vec![src.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("tests.rs") {
                scan_models(&std::fs::read_to_string(&path).unwrap(), &mut found);
            }
        }
    }
    // `$name` in the declaring macros themselves.
    found.remove("");
    let missing: Vec<_> = found.difference(&listed).collect();
    assert!(
        missing.is_empty(),
        "models without property tests: {missing:?}"
    );
    assert!(
        found.len() > 200,
        "the scan found only {} models",
        found.len()
    );
}

/// Names of the serde models of one source file (its test module left out).
fn scan_models(source: &str, found: &mut BTreeSet<String>) {
    let source = source.split("#[cfg(test)]\nmod tests").next().unwrap();
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let mut attributes = String::new();
    let mut pending_macro = false;
    for line in source.lines() {
        let line = line.trim();
        if line.starts_with("entry! {") || line.starts_with("text_enum! {") {
            pending_macro = true;
            continue;
        }
        if pending_macro && !line.starts_with("///") && !line.starts_with("#[") {
            if line.ends_with('{') && !ident(line).is_empty() {
                found.insert(ident(line));
            }
            pending_macro = false;
            continue;
        }
        for marker in ["Deserialize<'de> for "] {
            if let Some(at) = line.find(marker) {
                found.insert(ident(&line[at + marker.len()..]));
            }
        }
        if line.starts_with("#[")
            || line.starts_with("///")
            || line.starts_with("//")
            || (line.ends_with(',') && !attributes.is_empty() && !line.starts_with("pub"))
            || line.starts_with(')')
        {
            attributes.push_str(line);
            continue;
        }
        for prefix in ["pub struct ", "pub enum "] {
            if let Some(rest) = line.strip_prefix(prefix) {
                if attributes.contains("Deserialize") {
                    found.insert(ident(rest));
                }
            }
        }
        attributes.clear();
    }
}

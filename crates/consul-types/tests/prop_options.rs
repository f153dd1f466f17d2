//! Property tests of how options and paths are encoded, against Go's rules for arbitrary
//! values: durations as Go prints and parses them (`time.Duration.String`,
//! `time.ParseDuration`), `wait` as the Go client sends it (`durToMsec`), consistency
//! modes as flags, free text (filters, `near`, node metadata, datacenters) percent-encoded
//! so that URL decoding gives it back, user strings as one path segment (`.`, `..` and
//! empty refused), KV keys with their `/`; and the response metadata read from any header
//! value without a panic.
//!
//! `PROPTEST_CASES` sets the cases per property (default in `prop_support`).

mod prop_support;

use consul_types::endpoint::{Accepts, Endpoint, Options, Outcome, Target};
use consul_types::{
    duration, Consistency, QueryMeta, QueryOptions, Token, ValidationError, MAX_WAIT_TIME,
};
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use proptest::prelude::*;
use std::time::Duration;

const BASE: &str = "http://127.0.0.1:8500";

/// Go's `time.Duration.String` for a non-negative duration below 2^63 ns, written as Go
/// writes it: digits from the right into a buffer.
fn go_duration_string(d: u64) -> String {
    fn frac(buf: &mut Vec<u8>, mut v: u64, prec: usize) -> u64 {
        let mut print = false;
        for _ in 0..prec {
            let digit = v % 10;
            print = print || digit != 0;
            if print {
                buf.push(b'0' + digit as u8);
            }
            v /= 10;
        }
        if print {
            buf.push(b'.');
        }
        v
    }
    fn int(buf: &mut Vec<u8>, mut v: u64) {
        if v == 0 {
            buf.push(b'0');
        }
        while v > 0 {
            buf.push(b'0' + (v % 10) as u8);
            v /= 10;
        }
    }
    // Built reversed, then turned around.
    let mut buf = Vec::new();
    let mut u = d;
    if u < 1_000_000_000 {
        if u == 0 {
            return "0s".into();
        }
        buf.push(b's');
        let prec = if u < 1_000 {
            buf.push(b'n');
            0
        } else if u < 1_000_000 {
            buf.extend("µ".bytes().rev());
            3
        } else {
            buf.push(b'm');
            6
        };
        u = frac(&mut buf, u, prec);
        int(&mut buf, u);
    } else {
        buf.push(b's');
        u = frac(&mut buf, u, 9);
        int(&mut buf, u % 60);
        u /= 60;
        if u > 0 {
            buf.push(b'm');
            int(&mut buf, u % 60);
            u /= 60;
            if u > 0 {
                buf.push(b'h');
                int(&mut buf, u);
            }
        }
    }
    buf.reverse();
    String::from_utf8(buf).unwrap()
}

/// Go's `durToMsec`.
fn go_dur_to_msec(d: Duration) -> String {
    let mut ms = d.as_millis();
    if !d.is_zero() && ms == 0 {
        ms = 1;
    }
    format!("{ms}ms")
}

/// Durations Go can represent, biased to the edges of each unit.
fn go_duration() -> impl Strategy<Value = u64> {
    prop_oneof![
        0u64..2_000,
        0u64..2_000_000_000,
        (0u64..100_000).prop_map(|s| s * 1_000_000_000),
        (0u64..1_000).prop_map(|m| m * 60_000_000_000 + 999_999_999),
        0u64..=i64::MAX as u64,
    ]
}

/// One `number unit` part of a duration text.
#[derive(Debug, Clone)]
struct Part {
    int: String,
    frac: Option<String>,
    unit: &'static str,
}

const UNITS: &[(&str, u128)] = &[
    ("ns", 1),
    ("us", 1_000),
    ("µs", 1_000),
    ("μs", 1_000),
    ("ms", 1_000_000),
    ("s", 1_000_000_000),
    ("m", 60_000_000_000),
    ("h", 3_600_000_000_000),
];

fn part() -> impl Strategy<Value = Part> {
    (
        prop_oneof!["[0-9]{0,3}", "[0-9]{1,20}", "[1-9][0-9]{20,40}"],
        proptest::option::of(prop_oneof!["[0-9]{0,3}", "[0-9]{10,30}"]),
        0..UNITS.len(),
    )
        .prop_filter("a number needs a digit", |(int, frac, _)| {
            !int.is_empty() || frac.as_deref().is_some_and(|f| !f.is_empty())
        })
        .prop_map(|(int, frac, unit)| Part {
            int,
            frac,
            unit: UNITS[unit].0,
        })
}

/// The exact value of well-formed parts, each part's fraction truncated to whole
/// nanoseconds (what Go's `ParseDuration` computes, without its floating point); `None`
/// when it does not fit a `Duration`.
fn exact_nanos(parts: &[Part]) -> Option<u128> {
    let mut total: u128 = 0;
    for p in parts {
        let unit = UNITS.iter().find(|(u, _)| *u == p.unit).unwrap().1;
        let int: u128 = if p.int.is_empty() {
            0
        } else {
            p.int.parse().ok()?
        };
        let mut nanos = int.checked_mul(unit)?;
        if let Some(frac) = &p.frac {
            // Go keeps the digits of a fraction while they fit 63 bits.
            let (mut f, mut scale) = (0u128, 1u128);
            for d in frac.bytes() {
                let next = f * 10 + u128::from(d - b'0');
                if next > 1 << 63 {
                    break;
                }
                f = next;
                scale *= 10;
            }
            nanos = nanos.checked_add(f * unit / scale)?;
        }
        total = total.checked_add(nanos)?;
    }
    (total / 1_000_000_000 <= u128::from(u64::MAX)).then_some(total)
}

fn text_of(parts: &[Part]) -> String {
    parts
        .iter()
        .map(|p| match &p.frac {
            Some(f) => format!("{}.{f}{}", p.int, p.unit),
            None => format!("{}{}", p.int, p.unit),
        })
        .collect()
}

/// Free text as users write it: any Unicode, and the characters URLs give meaning to.
fn free_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[ &=+%#?/;:@!$'()*,\\[\\]a-z0-9\"\\\\.~_-]{0,24}",
        Just("Service.Tags contains \"v1\" and Meta.env == \"prod\"".to_owned()),
    ]
}

fn query_pairs(uri: &http::Uri) -> Vec<(String, String)> {
    form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
        .into_owned()
        .collect()
}

proptest! {
    #![proptest_config(prop_support::config("prop_options"))]

    /// `format` prints what Go's `Duration.String` prints, and `parse` reads it back.
    #[test]
    fn durations_print_as_go_and_read_back(nanos in go_duration()) {
        let d = Duration::from_nanos(nanos);
        let text = duration::format(d);
        prop_assert_eq!(&text, &go_duration_string(nanos));
        prop_assert_eq!(duration::parse(&text).unwrap(), d);
    }

    /// Any `Duration` (beyond Go's range too) reads back from what `format` prints.
    #[test]
    fn any_duration_reads_back(secs in any::<u64>(), sub in 0u32..1_000_000_000) {
        let d = Duration::new(secs, sub);
        prop_assert_eq!(duration::parse(&duration::format(d)).unwrap(), d);
    }

    /// Well-formed Go duration text reads as its exact value (each part's fraction
    /// truncated to nanoseconds, as Go does), or is refused when it overflows.
    #[test]
    fn go_duration_text_parses_exactly(parts in proptest::collection::vec(part(), 1..4), plus in any::<bool>()) {
        let text = format!("{}{}", if plus { "+" } else { "" }, text_of(&parts));
        let expected = exact_nanos(&parts);
        match (duration::parse(&text), expected) {
            (Ok(d), Some(nanos)) => prop_assert_eq!(d.as_nanos(), nanos, "{}", text),
            (Err(ValidationError::InvalidDuration { .. }), None) => {}
            (got, want) => prop_assert!(false, "{text}: parsed {got:?}, expected {want:?}"),
        }
    }

    /// Any text at all parses or is refused with a typed error; negative ones, bare
    /// numbers (but `0`) and unknown units are refused.
    #[test]
    fn any_duration_text_parses_or_fails_typed(text in prop_oneof![any::<String>(), "[-+.0-9a-zµμ]{0,12}"]) {
        match duration::parse(&text) {
            Ok(_) => {
                prop_assert!(!text.trim_start_matches('+').starts_with('-'));
                prop_assert!(text == "0" || text == "+0" || text.chars().last().is_some_and(|c| c == 's' || c == 'm' || c == 'h'));
            }
            Err(e) => {
                let is_duration_error = matches!(e, ValidationError::InvalidDuration { .. });
                prop_assert!(is_duration_error, "{:?}", e);
            }
        }
    }

    /// `wait` is sent as Go's client sends it (`durToMsec`), and not at all when zero;
    /// waits above Consul's maximum are refused before anything is sent.
    #[test]
    fn wait_is_encoded_as_go(nanos in prop_oneof![0u64..2_000_000, 0u64..=700_000_000_000]) {
        let wait = Duration::from_nanos(nanos);
        let opts = QueryOptions::default().wait_index(1).wait_time(wait);
        let endpoint = Endpoint::read(Method::GET, "kv").key("k").unwrap()
            .blocking(consul_types::endpoint::Blocking::Index);
        let request = endpoint.to_request(&Target::new(BASE), Options::Read(&opts));
        if wait > MAX_WAIT_TIME {
            prop_assert!(request.is_err());
        } else {
            let pairs = query_pairs(request.unwrap().uri());
            let sent: Vec<_> = pairs.iter().filter(|(k, _)| k == "wait").map(|(_, v)| v.clone()).collect();
            if wait.is_zero() {
                prop_assert!(sent.is_empty());
            } else {
                prop_assert_eq!(sent, vec![go_dur_to_msec(wait)]);
            }
        }
    }

    /// A consistency mode is one valueless flag (Go's `?stale` / `?consistent`): the
    /// call's mode, else the client's default; none for the default mode or for the
    /// agent's own endpoints.
    #[test]
    fn consistency_is_one_flag(own in 0u8..4, default in 0u8..3, agent in any::<bool>()) {
        let mode = |n: u8| [Consistency::Default, Consistency::Consistent, Consistency::Stale][n as usize % 3];
        let mut opts = QueryOptions::default();
        if own < 3 {
            opts = opts.consistency(mode(own));
        }
        let mut target = Target::new(BASE);
        target.consistency = mode(default);
        let mut endpoint = Endpoint::read(Method::GET, "catalog/nodes");
        if agent {
            endpoint = endpoint.agent();
        }
        let request = endpoint.to_request(&target, Options::Read(&opts));
        if agent && own < 3 {
            // The agent answers alone: a mode chosen for its endpoints is refused.
            prop_assert!(request.is_err());
            return Ok(());
        }
        let pairs = query_pairs(request.unwrap().uri());
        let flags: Vec<(String, String)> = pairs.into_iter().filter(|(k, _)| k == "stale" || k == "consistent").collect();
        let expected = if agent { Consistency::Default } else if own < 3 { mode(own) } else { mode(default) };
        match expected {
            Consistency::Stale => prop_assert_eq!(flags, vec![("stale".to_owned(), String::new())]),
            Consistency::Consistent => prop_assert_eq!(flags, vec![("consistent".to_owned(), String::new())]),
            _ => prop_assert!(flags.is_empty()),
        }
    }

    /// Filters, `near`, node metadata and datacenters of any text are percent-encoded so
    /// that URL decoding gives them back exactly, and never break the URI.
    #[test]
    fn free_text_options_round_trip_through_url_decoding(
        filter in free_text(),
        near in free_text(),
        meta_key in free_text(),
        meta_value in free_text(),
        dc in free_text(),
    ) {
        let opts = QueryOptions::default()
            .filter(filter.clone())
            .near(near.clone())
            .node_meta(meta_key.clone(), meta_value.clone())
            .datacenter(dc.clone());
        let endpoint = Endpoint::read(Method::GET, "catalog/nodes")
            .accepts(Accepts::NONE.with_filter().with_near().with_node_meta());
        match endpoint.to_request(&Target::new(BASE), Options::Read(&opts)) {
            Ok(request) => {
                let pairs = query_pairs(request.uri());
                let get = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
                prop_assert_eq!(get("filter"), Some(filter));
                prop_assert_eq!(get("near"), Some(near));
                prop_assert_eq!(get("node-meta"), Some(format!("{meta_key}:{meta_value}")));
                prop_assert_eq!(get("dc"), Some(dc));
            }
            // The only refusal for these is an empty datacenter.
            Err(e) => prop_assert!(dc.is_empty(), "{e}"),
        }
    }

    /// A user string is one path segment: percent-encoded (no `/`, `?` or `#` left),
    /// decoding back to itself; empty, `.`, `..` and empty or relative parts refused.
    #[test]
    fn user_strings_are_one_segment(value in prop_oneof![any::<String>(), "[./a%?#]{0,6}"]) {
        let endpoint = Endpoint::read(Method::GET, "catalog/service").segment("service name", &value);
        let parts: Vec<&str> = value.split('/').collect();
        let refused = value.is_empty()
            || parts.iter().any(|p| *p == "." || *p == "..")
            || (parts.len() > 1 && parts.iter().any(|p| p.is_empty()));
        match endpoint {
            Err(_) => prop_assert!(refused, "{value:?} refused"),
            Ok(endpoint) => {
                prop_assert!(!refused, "{value:?} accepted");
                let request = endpoint.to_request(&Target::new(BASE), Options::Read(&QueryOptions::default())).unwrap();
                let path = request.uri().path().to_owned();
                let segment = path.strip_prefix("/v1/catalog/service/").unwrap();
                prop_assert!(!segment.contains(['/', '?', '#']), "{}", segment);
                let decoded = percent_encoding::percent_decode_str(segment).decode_utf8().unwrap();
                prop_assert_eq!(decoded, value.as_str());
            }
        }
    }

    /// A KV key keeps its `/` and decodes back to itself; keys Consul would redirect
    /// (leading `/`, `//`, `.` or `..` parts, NUL) are refused.
    #[test]
    fn kv_keys_keep_their_separators(key in prop_oneof![any::<String>(), "[./a%?#\u{0}]{0,8}"]) {
        match Endpoint::read(Method::GET, "kv").key(&key) {
            Err(_) => prop_assert!(consul_types::kv::validate_prefix(&key).is_err()),
            Ok(endpoint) => {
                let request = endpoint.to_request(&Target::new(BASE), Options::Read(&QueryOptions::default())).unwrap();
                let path = request.uri().path().to_owned();
                let encoded = path.strip_prefix("/v1/kv").unwrap().strip_prefix('/').unwrap_or("");
                prop_assert!(!encoded.contains(['?', '#']));
                let decoded = percent_encoding::percent_decode_str(encoded).decode_utf8().unwrap();
                prop_assert_eq!(decoded, key.as_str());
            }
        }
    }

    /// Response metadata reads from any header value a server can send: a value or a
    /// typed error naming the header; indexes of any size read exactly.
    #[test]
    fn query_meta_reads_any_header(
        name in proptest::sample::select(vec![
            "x-consul-index", "x-consul-contenthash", "x-consul-lastcontact", "x-consul-knownleader",
            "x-consul-effective-consistency", "x-consul-results-filtered-by-acls", "x-cache", "age",
            "x-consul-translate-addresses", "x-consul-default-acl-policy", "x-other",
        ]),
        value in prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..24),
            any::<u64>().prop_map(|n| n.to_string().into_bytes()),
            "[0-9]{18,24}".prop_map(String::into_bytes),
            proptest::sample::select(vec!["true", "FALSE", "HIT", "MISS", "stale", "allow", "deny", " 7 ", "-1"]).prop_map(|s| s.as_bytes().to_vec()),
        ],
        index in any::<u64>(),
    ) {
        if let Ok(value) = HeaderValue::from_bytes(&value) {
            let mut headers = HeaderMap::new();
            headers.insert(HeaderName::from_static(name), value);
            match QueryMeta::from_headers(&headers) {
                Ok(_) => {}
                Err(e) => prop_assert!(e.to_string().contains(name), "{e}"),
            }
        }
        let mut headers = HeaderMap::new();
        headers.insert("x-consul-index", HeaderValue::from(index));
        prop_assert_eq!(QueryMeta::from_headers(&headers).unwrap().last_index, index);
    }

    /// Any status and body is classified without a panic; success statuses are values.
    #[test]
    fn any_answer_is_classified(status in 100u16..1000, body in proptest::collection::vec(any::<u8>(), 0..32)) {
        let status = StatusCode::from_u16(status).unwrap();
        for endpoint in [
            Endpoint::read(Method::GET, "kv").key("k").unwrap(),
            Endpoint::read(Method::GET, "acl/token").segment("id", "x").unwrap()
                .missing(consul_types::endpoint::Missing::AclAbsent),
            Endpoint::read(Method::GET, "agent/self").agent(),
        ] {
            let outcome = endpoint.outcome(status, &body);
            if status.is_success() {
                prop_assert_eq!(outcome, Outcome::Value);
            }
        }
    }

    /// Any token becomes a sensitive header or a typed refusal, never a panic, and never
    /// appears in the URI.
    #[test]
    fn any_token_is_a_header_or_refused(secret in any::<String>()) {
        let opts = QueryOptions::default().token(Token::new(secret.clone()));
        let endpoint = Endpoint::read(Method::GET, "catalog/nodes");
        if let Ok(request) = endpoint.to_request(&Target::new(BASE), Options::Read(&opts)) {
            let header = request.headers().get("x-consul-token").unwrap();
            prop_assert!(header.is_sensitive());
            prop_assert_eq!(header.as_bytes(), secret.as_bytes());
            prop_assert!(secret.is_empty() || !request.uri().to_string().contains(&secret) || BASE.contains(&secret) || "/v1/catalog/nodes".contains(&secret));
        }
    }
}

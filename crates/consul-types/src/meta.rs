use crate::{Consistency, MetaError};
use http::HeaderMap;
use std::time::Duration;

/// What Consul said about a read, besides the data (Go's `api.QueryMeta`).
///
/// Every header is optional because agents omit some of them on some endpoints, but a
/// header that is present and malformed is an error rather than silently ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct QueryMeta {
    /// `X-Consul-Index`: pass it as [`QueryOptions::wait_index`](crate::QueryOptions::wait_index)
    /// to block until the data changes. `0` when the endpoint sent none.
    pub last_index: u64,
    /// `X-Consul-ContentHash`, for the hash-blocking agent endpoints.
    pub last_content_hash: Option<String>,
    /// `X-Consul-LastContact`: how long since the answering server heard from the leader.
    pub last_contact: Option<Duration>,
    /// `X-Consul-KnownLeader`: whether the answering server knew of a leader.
    pub known_leader: Option<bool>,
    /// `X-Consul-Effective-Consistency`: the mode the server actually used.
    pub effective_consistency: Option<Consistency>,
    /// `X-Consul-Results-Filtered-By-ACLs` (Consul 1.12+).
    pub results_filtered_by_acls: Option<bool>,
    /// `X-Cache`: `Some(true)` for a hit in the agent cache, `Some(false)` for a miss.
    pub cache_hit: Option<bool>,
    /// `Age`: how old a cached answer is.
    pub cache_age: Option<Duration>,
    /// `X-Consul-Translate-Addresses`: whether Consul translated node and service addresses
    /// to their WAN form for another datacenter (`translate_wan_addrs`).
    pub address_translation_enabled: Option<bool>,
    /// `X-Consul-Default-ACL-Policy` (Consul 1.9+): what the ACL system does with a request
    /// no rule covers.
    pub default_acl_policy: Option<DefaultAclPolicy>,
    /// How long the request took, measured by the client.
    pub request_time: Duration,
}

/// The ACL system's default answer (`acl.default_policy`), as Consul reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DefaultAclPolicy {
    /// What no rule covers is allowed.
    Allow,
    /// What no rule covers is denied.
    Deny,
}

/// What Consul said about a write, besides the result (Go's `api.WriteMeta`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct WriteMeta {
    /// How long the request took, measured by the client.
    pub request_time: Duration,
}

impl WriteMeta {
    /// Metadata of a write that took `request_time`.
    pub fn new(request_time: Duration) -> Self {
        WriteMeta { request_time }
    }
}

impl QueryMeta {
    /// Reads the metadata from a response's headers (Go's `parseQueryMeta`).
    ///
    /// ```
    /// use consul_types::QueryMeta;
    /// let mut h = http::HeaderMap::new();
    /// h.insert("x-consul-index", "42".parse().unwrap());
    /// h.insert("x-consul-knownleader", "true".parse().unwrap());
    /// let meta = QueryMeta::from_headers(&h).unwrap();
    /// assert_eq!(meta.last_index, 42);
    /// assert_eq!(meta.known_leader, Some(true));
    /// ```
    ///
    /// # Errors
    /// [`MetaError`] when a header is present but malformed.
    pub fn from_headers(headers: &HeaderMap) -> Result<Self, MetaError> {
        // One pass over what Consul sent (a handful of headers) rather than a lookup per
        // header this type knows: a lookup by `&str` parses the name every time.
        let mut meta = QueryMeta::default();
        for (name, value) in headers {
            // Consul's own headers share a prefix: the others (date, content type and
            // length, vary) are passed over after one comparison.
            let name = name.as_str();
            let field = match name.strip_prefix("x-consul-") {
                Some("index") => Field::Index,
                Some("contenthash") => Field::ContentHash,
                Some("lastcontact") => Field::LastContact,
                Some("knownleader") => Field::KnownLeader,
                Some("effective-consistency") => Field::EffectiveConsistency,
                Some("results-filtered-by-acls") => Field::FilteredByAcls,
                Some("translate-addresses") => Field::TranslateAddresses,
                Some("default-acl-policy") => Field::DefaultAclPolicy,
                Some(_) => continue,
                None if name == "x-cache" => Field::Cache,
                None if name == "age" => Field::Age,
                None => continue,
            };
            let name = field.name();
            let malformed = |value: &str| MetaError {
                name,
                value: value.to_owned(),
            };
            let text = value.to_str().map_err(|_| MetaError {
                name,
                value: String::from_utf8_lossy(value.as_bytes()).into_owned(),
            })?;
            let number = || text.trim().parse::<u64>().map_err(|_| malformed(text));
            let boolean = || {
                if text.eq_ignore_ascii_case("true") {
                    Ok(true)
                } else if text.eq_ignore_ascii_case("false") {
                    Ok(false)
                } else {
                    Err(malformed(text))
                }
            };
            match field {
                Field::Index => meta.last_index = number()?,
                Field::ContentHash => meta.last_content_hash = Some(text.to_owned()),
                Field::LastContact => {
                    meta.last_contact = Some(Duration::from_millis(number()?));
                }
                Field::KnownLeader => meta.known_leader = Some(boolean()?),
                Field::EffectiveConsistency => {
                    meta.effective_consistency =
                        Some(Consistency::from_name(text).ok_or_else(|| malformed(text))?);
                }
                Field::FilteredByAcls => meta.results_filtered_by_acls = Some(boolean()?),
                Field::Cache => {
                    meta.cache_hit = Some(match text {
                        "HIT" => true,
                        "MISS" => false,
                        _ => return Err(malformed(text)),
                    });
                }
                Field::TranslateAddresses => {
                    meta.address_translation_enabled = Some(boolean()?);
                }
                Field::DefaultAclPolicy => {
                    meta.default_acl_policy = Some(match text {
                        "allow" => DefaultAclPolicy::Allow,
                        "deny" => DefaultAclPolicy::Deny,
                        _ => return Err(malformed(text)),
                    });
                }
                Field::Age => meta.cache_age = Some(Duration::from_secs(number()?)),
            }
        }
        Ok(meta)
    }
}

/// The headers [`QueryMeta::from_headers`] reads.
#[derive(Clone, Copy)]
enum Field {
    Index,
    ContentHash,
    LastContact,
    KnownLeader,
    EffectiveConsistency,
    FilteredByAcls,
    TranslateAddresses,
    DefaultAclPolicy,
    Cache,
    Age,
}

impl Field {
    /// The header's name, as errors give it.
    fn name(self) -> &'static str {
        match self {
            Field::Index => "x-consul-index",
            Field::ContentHash => "x-consul-contenthash",
            Field::LastContact => "x-consul-lastcontact",
            Field::KnownLeader => "x-consul-knownleader",
            Field::EffectiveConsistency => "x-consul-effective-consistency",
            Field::FilteredByAcls => "x-consul-results-filtered-by-acls",
            Field::TranslateAddresses => "x-consul-translate-addresses",
            Field::DefaultAclPolicy => "x-consul-default-acl-policy",
            Field::Cache => "x-cache",
            Field::Age => "age",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn parses_every_header() {
        // As sent by a 1.8.7 follower for `/v1/catalog/nodes?stale&cached`.
        let meta = QueryMeta::from_headers(&headers(&[
            ("X-Consul-Index", "17"),
            ("X-Consul-KnownLeader", "true"),
            ("X-Consul-LastContact", "45"),
            ("X-Consul-Effective-Consistency", "stale"),
            ("X-Consul-ContentHash", "9d3c2a"),
            ("X-Cache", "HIT"),
            ("Age", "3"),
        ]))
        .unwrap();
        assert_eq!(meta.last_index, 17);
        assert_eq!(meta.known_leader, Some(true));
        assert_eq!(meta.last_contact, Some(Duration::from_millis(45)));
        assert_eq!(meta.effective_consistency, Some(Consistency::Stale));
        assert_eq!(meta.last_content_hash.as_deref(), Some("9d3c2a"));
        assert_eq!(meta.cache_hit, Some(true));
        assert_eq!(meta.cache_age, Some(Duration::from_secs(3)));
    }

    #[test]
    fn translation_and_default_acl_policy() {
        let meta = QueryMeta::from_headers(&headers(&[
            ("X-Consul-Translate-Addresses", "true"),
            ("X-Consul-Default-ACL-Policy", "deny"),
        ]))
        .unwrap();
        assert_eq!(meta.address_translation_enabled, Some(true));
        assert_eq!(meta.default_acl_policy, Some(DefaultAclPolicy::Deny));
        let allow = QueryMeta::from_headers(&headers(&[("X-Consul-Default-ACL-Policy", "allow")]));
        assert_eq!(
            allow.unwrap().default_acl_policy,
            Some(DefaultAclPolicy::Allow)
        );
        for (name, bad) in [
            ("X-Consul-Default-ACL-Policy", "maybe"),
            ("X-Consul-Translate-Addresses", "yes"),
        ] {
            let err = QueryMeta::from_headers(&headers(&[(name, bad)])).unwrap_err();
            assert_eq!(err.name, name.to_ascii_lowercase());
        }
    }

    #[test]
    fn missing_headers_are_fine() {
        let meta = QueryMeta::from_headers(&HeaderMap::new()).unwrap();
        assert_eq!(meta, QueryMeta::default());
    }

    #[test]
    fn leader_means_default_consistency() {
        let meta =
            QueryMeta::from_headers(&headers(&[("X-Consul-Effective-Consistency", "leader")]))
                .unwrap();
        assert_eq!(meta.effective_consistency, Some(Consistency::Default));
    }

    #[test]
    fn malformed_headers_are_errors() {
        for (name, value) in [
            ("x-consul-index", "abc"),
            ("x-consul-index", "-1"),
            ("x-consul-knownleader", "maybe"),
            ("x-consul-lastcontact", "1.5"),
            ("x-consul-effective-consistency", "eventual"),
            ("x-cache", "WARM"),
            ("age", "old"),
        ] {
            let err = QueryMeta::from_headers(&headers(&[(name, value)])).unwrap_err();
            assert_eq!(err.name, name);
            assert_eq!(err.value, value);
        }
    }

    #[test]
    fn event_list_index_is_a_full_u64() {
        // `/v1/event/list` sends a hash-derived index above i64::MAX.
        let meta = QueryMeta::from_headers(&headers(&[("X-Consul-Index", "14516501920814887480")]))
            .unwrap();
        assert_eq!(meta.last_index, 14_516_501_920_814_887_480);
    }
}

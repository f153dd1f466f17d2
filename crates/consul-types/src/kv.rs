//! Models and rules of the KV store.

use crate::ValidationError;
use bytes::Bytes;
use serde::{Deserialize, Serialize};

/// Largest value Consul stores under one key by default (`kv_max_value_size`, 512 KiB).
pub const MAX_VALUE_SIZE: usize = 512 * 1024;

/// One key with its value and indexes, as `GET /v1/kv/:key` returns it (Go's `api.KVPair`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct KvPair {
    /// The full key.
    pub key: String,
    /// Raft index at which the key was created.
    pub create_index: u64,
    /// Raft index of the last change; pass it to a check-and-set write.
    pub modify_index: u64,
    /// How many times a lock on this key was acquired.
    pub lock_index: u64,
    /// Opaque number stored with the key, for the application's own use.
    pub flags: u64,
    /// The value (base64 on the wire; empty values arrive as `null`).
    #[serde(with = "crate::serde_util::base64_bytes")]
    pub value: Bytes,
    /// The session holding a lock on this key, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session: Option<String>,
    /// Namespace (Consul Enterprise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Admin partition (Consul Enterprise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partition: Option<String>,
}

impl KvPair {
    /// The value as UTF-8 text, if it is valid UTF-8.
    pub fn value_str(&self) -> Option<&str> {
        std::str::from_utf8(&self.value).ok()
    }
}

/// Checks a key used to name one entry (get, put, delete).
///
/// Consul takes any UTF-8 text after `/v1/kv/`, but an empty key is "missing key name", a
/// leading `/` or a `//` makes a path Consul redirects instead of serving.
///
/// ```
/// use consul_types::kv::validate_key;
/// assert!(validate_key("service/web/config").is_ok());
/// assert!(validate_key("").is_err());
/// assert!(validate_key("/leading").is_err());
/// ```
///
/// # Errors
/// [`ValidationError::Empty`] or [`ValidationError::InvalidKey`].
pub fn validate_key(key: &str) -> Result<(), ValidationError> {
    if key.is_empty() {
        return Err(ValidationError::Empty { field: "key" });
    }
    validate_prefix(key)
}

/// Checks a prefix used to list or delete a tree; unlike a key it may be empty (everything).
///
/// # Errors
/// [`ValidationError::InvalidKey`].
pub fn validate_prefix(prefix: &str) -> Result<(), ValidationError> {
    // Checked on every KV call: one pass when all is well, the reason looked for after.
    if is_clean_key(prefix.as_bytes()) {
        return Ok(());
    }
    let reason = if prefix.starts_with('/') {
        "must not start with '/'"
    } else if prefix.contains("//") {
        "must not contain '//'"
    } else if prefix.contains('\0') {
        "must not contain NUL"
    } else if prefix.split('/').any(|seg| seg == "." || seg == "..") {
        // Consul answers such paths with a redirect to the cleaned path: a client that
        // follows it, or a proxy that normalises it, reaches another key.
        "must not contain a '.' or '..' segment"
    } else {
        return Ok(());
    };
    Err(ValidationError::InvalidKey {
        key: prefix.to_owned(),
        reason,
    })
}

/// No leading `/`, no empty inner segment, no NUL, no `.` or `..` segment.
fn is_clean_key(key: &[u8]) -> bool {
    let mut start = 0;
    for (i, &b) in key.iter().enumerate() {
        match b {
            b'\0' => return false,
            b'/' => {
                // An empty segment before a `/`: a leading `/` or a `//`.
                if i == start || is_dots(&key[start..i]) {
                    return false;
                }
                start = i + 1;
            }
            _ => {}
        }
    }
    !is_dots(&key[start..])
}

fn is_dots(segment: &[u8]) -> bool {
    matches!(segment, b"." | b"..")
}

/// Checks that a value fits under Consul's default size limit ([`MAX_VALUE_SIZE`]).
///
/// # Errors
/// [`ValidationError::ValueTooLarge`].
pub fn validate_value(value: &[u8]) -> Result<(), ValidationError> {
    if value.len() > MAX_VALUE_SIZE {
        return Err(ValidationError::ValueTooLarge {
            size: value.len(),
            max: MAX_VALUE_SIZE,
        });
    }
    Ok(())
}

/// Checks a separator for key listings (`?keys&separator=`).
///
/// # Errors
/// [`ValidationError::Empty`] for an empty separator (leave it out instead).
pub fn validate_separator(separator: &str) -> Result<(), ValidationError> {
    if separator.is_empty() {
        return Err(ValidationError::Empty { field: "separator" });
    }
    Ok(())
}

/// Parameters of a KV write beyond the value: flags, check-and-set and locking
/// (`PUT /v1/kv/:key?flags=&cas=&acquire=&release=`).
///
/// ```
/// use consul_types::kv::KvPutParams;
/// let p = KvPutParams::default().flags(42).cas(0);
/// assert!(p.validate().is_ok());
/// assert_eq!(p.query_pairs(), vec![("flags", "42".to_owned()), ("cas", "0".to_owned())]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct KvPutParams {
    /// Opaque number stored with the key.
    pub flags: Option<u64>,
    /// Write only if the key's `ModifyIndex` is this; `0` writes only if the key is absent.
    pub cas: Option<u64>,
    /// Write and take the lock for this session; refused while another session holds it.
    pub acquire: Option<String>,
    /// Write and give up the lock held by this session.
    pub release: Option<String>,
}

setters!(KvPutParams {
    /// Sets [`KvPutParams::flags`].
    flags: u64 => Some;
    /// Sets [`KvPutParams::cas`].
    cas: u64 => Some;
    /// Sets [`KvPutParams::acquire`].
    acquire: impl Into<String> => |v: _| Some(Into::into(v));
    /// Sets [`KvPutParams::release`].
    release: impl Into<String> => |v: _| Some(Into::into(v));
});

impl KvPutParams {
    /// Checks the parameters.
    ///
    /// # Errors
    /// [`ValidationError::Conflict`] for `acquire` with `release`,
    /// [`ValidationError::Empty`] for an empty session id.
    pub fn validate(&self) -> Result<(), ValidationError> {
        if self.acquire.is_some() && self.release.is_some() {
            return Err(ValidationError::Conflict(
                "a write cannot both acquire and release a lock",
            ));
        }
        if self.acquire.as_deref() == Some("") || self.release.as_deref() == Some("") {
            return Err(ValidationError::Empty { field: "session" });
        }
        Ok(())
    }

    /// The query parameters these add.
    pub fn query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if let Some(flags) = self.flags {
            out.push(("flags", flags.to_string()));
        }
        if let Some(cas) = self.cas {
            out.push(("cas", cas.to_string()));
        }
        if let Some(s) = &self.acquire {
            out.push(("acquire", s.clone()));
        }
        if let Some(s) = &self.release {
            out.push(("release", s.clone()));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The one-pass check agrees with the rules as written, on every key of up to six
    /// characters from the characters they look at.
    #[test]
    fn the_one_pass_check_is_the_written_rules() {
        fn written(key: &str) -> bool {
            !(key.starts_with('/')
                || key.contains("//")
                || key.contains('\0')
                || key.split('/').any(|seg| seg == "." || seg == ".."))
        }
        let alphabet = ['a', '/', '.', '\0'];
        let (mut keys, mut shorter) = (vec![String::new()], vec![String::new()]);
        for _ in 0..6 {
            shorter = shorter
                .iter()
                .flat_map(|k| alphabet.iter().map(move |c| format!("{k}{c}")))
                .collect();
            keys.extend(shorter.iter().cloned());
        }
        assert_eq!(keys.len(), (0..=6).map(|n| 4usize.pow(n)).sum::<usize>());
        for key in &keys {
            assert_eq!(is_clean_key(key.as_bytes()), written(key), "{key:?}");
            assert_eq!(validate_prefix(key).is_ok(), written(key), "{key:?}");
        }
    }

    #[test]
    fn keys() {
        for ok in [
            "a",
            "a/b/c",
            "with space",
            "ünïcödé/🔑",
            "trailing/",
            "q?x=1&y#z%2F",
        ] {
            assert!(validate_key(ok).is_ok(), "{ok}");
        }
        assert_eq!(
            validate_key(""),
            Err(ValidationError::Empty { field: "key" })
        );
        for ok in ["a.b", "..a/b..", ".hidden/x", "a/.../b"] {
            assert!(validate_key(ok).is_ok(), "{ok}");
        }
        for bad in [
            "/a", "a//b", "a\0b", "a/../b", "..", ".", "a/.", "./a", "a/./b", "a/..",
        ] {
            assert!(
                matches!(validate_key(bad), Err(ValidationError::InvalidKey { .. })),
                "{bad:?}"
            );
        }
        assert!(validate_prefix("").is_ok());
        assert!(validate_prefix("/x").is_err());
    }

    #[test]
    fn value_size_limit_is_inclusive() {
        assert!(validate_value(&vec![0; MAX_VALUE_SIZE]).is_ok());
        assert_eq!(
            validate_value(&vec![0; MAX_VALUE_SIZE + 1]),
            Err(ValidationError::ValueTooLarge {
                size: MAX_VALUE_SIZE + 1,
                max: MAX_VALUE_SIZE
            })
        );
    }

    #[test]
    fn put_params() {
        assert!(KvPutParams::default().validate().is_ok());
        let both = KvPutParams::default().acquire("a").release("a");
        assert!(matches!(both.validate(), Err(ValidationError::Conflict(_))));
        let empty = KvPutParams::default().acquire("");
        assert!(matches!(
            empty.validate(),
            Err(ValidationError::Empty { .. })
        ));
        let p = KvPutParams::default().acquire("s1").flags(3);
        assert_eq!(
            p.query_pairs(),
            vec![("flags", "3".to_owned()), ("acquire", "s1".to_owned())]
        );
    }

    #[test]
    fn decodes_recorded_get_response() {
        let body = include_str!("../tests/fixtures/kv/get.json");
        let pairs: Vec<KvPair> = serde_json::from_str(body).unwrap();
        assert_eq!(pairs.len(), 1);
        assert_eq!(pairs[0].key, "fixtures/hello");
        assert_eq!(&pairs[0].value[..], b"world");
        assert_eq!(pairs[0].flags, 42);
        assert!(pairs[0].modify_index >= pairs[0].create_index);
        assert_eq!(pairs[0].session, None);
    }

    #[test]
    fn decodes_recorded_list_with_empty_and_binary_values() {
        let body = include_str!("../tests/fixtures/kv/list.json");
        let pairs: Vec<KvPair> = serde_json::from_str(body).unwrap();
        let empty = pairs.iter().find(|p| p.key == "fixtures/empty").unwrap();
        assert!(empty.value.is_empty());
        let binary = pairs.iter().find(|p| p.key == "fixtures/binary").unwrap();
        assert_eq!(&binary.value[..], &[0u8, 159, 146, 150, 255][..]);
        let locked = pairs.iter().find(|p| p.key == "fixtures/locked").unwrap();
        assert!(locked.session.is_some());
        assert_eq!(locked.lock_index, 1);
    }

    #[test]
    fn decodes_recorded_keys_with_separator() {
        let body = include_str!("../tests/fixtures/kv/keys_separator.json");
        let keys: Vec<String> = serde_json::from_str(body).unwrap();
        assert_eq!(keys, vec!["fixtures/".to_owned()]);
    }

    #[test]
    fn serializes_like_consul() {
        let p = KvPair {
            key: "a".into(),
            value: Bytes::from_static(b"hi"),
            ..KvPair::default()
        };
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(json["Value"], "aGk=");
        assert_eq!(json["Key"], "a");
        let back: KvPair = serde_json::from_value(json).unwrap();
        assert_eq!(back, p);
    }

    #[test]
    fn separator() {
        assert!(validate_separator("/").is_ok());
        assert!(validate_separator("").is_err());
    }
}

//! Models and rules of the `event` endpoint family (Go's `api/event.go`).
//!
//! User events are broadcast over gossip to every agent of a datacenter; each agent keeps
//! the recent ones it accepted (those whose filters match it) in a small ring buffer.

use crate::ValidationError;
use bytes::Bytes;
use serde::{Deserialize, Serialize};

/// A user event (Go's `api.UserEvent`).
///
/// `l_time` is the event's Lamport time in the gossip pool. Consul 1.8.7 answers a fire
/// with `LTime: 0` (the time is assigned when the event is gossiped); events read back
/// with a list carry the real value.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct UserEvent {
    /// The event id (a UUID).
    #[serde(rename = "ID")]
    pub id: String,
    /// The event name.
    pub name: String,
    /// The payload (base64 on the wire; `null` when empty).
    #[serde(with = "crate::serde_util::base64_bytes")]
    pub payload: Bytes,
    /// Regular expression on node names the event is meant for (empty: all).
    pub node_filter: String,
    /// Regular expression on service names the event is meant for (empty: all).
    pub service_filter: String,
    /// Regular expression on service tags the event is meant for (empty: all).
    pub tag_filter: String,
    /// Event protocol version.
    pub version: u32,
    /// Lamport time of the event (0 in a fire's answer, see the type's docs).
    #[serde(rename = "LTime")]
    pub l_time: u64,
}

/// Which agents an event is for (`?node=`, `?service=`, `?tag=`: regular expressions),
/// as a fire sends them. (Consul's event list reads none of these: only `?name=`.)
///
/// ```
/// use consul_types::event::EventFilter;
/// let f = EventFilter::default().service("web").tag("v2");
/// assert!(f.validate().is_ok());
/// assert_eq!(f.query_pairs(), vec![("service", "web".to_owned()), ("tag", "v2".to_owned())]);
/// assert!(EventFilter::default().tag("v2").validate().is_err()); // tag needs service
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct EventFilter {
    /// Node name regular expression.
    pub node: Option<String>,
    /// Service name regular expression.
    pub service: Option<String>,
    /// Service tag regular expression (needs `service`).
    pub tag: Option<String>,
}

setters!(EventFilter {
    /// Sets [`EventFilter::node`].
    node: impl Into<String> => |v: _| Some(Into::into(v));
    /// Sets [`EventFilter::service`].
    service: impl Into<String> => |v: _| Some(Into::into(v));
    /// Sets [`EventFilter::tag`].
    tag: impl Into<String> => |v: _| Some(Into::into(v));
});

impl EventFilter {
    /// Checks the filters.
    ///
    /// # Errors
    /// [`ValidationError::Conflict`] for a tag filter without a service filter (Consul:
    /// "Cannot provide tag filter without service filter"); [`ValidationError::Empty`]
    /// for an empty filter (leave it out instead).
    pub fn validate(&self) -> Result<(), ValidationError> {
        for (field, value) in [
            ("node filter", &self.node),
            ("service filter", &self.service),
            ("tag filter", &self.tag),
        ] {
            if value.as_deref() == Some("") {
                return Err(ValidationError::Empty { field });
            }
        }
        if self.tag.is_some() && self.service.is_none() {
            return Err(ValidationError::Conflict(
                "a tag filter needs a service filter",
            ));
        }
        Ok(())
    }

    /// The query parameters these filters add.
    pub fn query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if let Some(n) = &self.node {
            out.push(("node", n.clone()));
        }
        if let Some(s) = &self.service {
            out.push(("service", s.clone()));
        }
        if let Some(t) = &self.tag {
            out.push(("tag", t.clone()));
        }
        out
    }
}

/// Checks an event name.
///
/// # Errors
/// [`ValidationError::Empty`] for an empty name (Consul: 400 `Missing name`).
pub fn validate_name(name: &str) -> Result<(), ValidationError> {
    if name.is_empty() {
        return Err(ValidationError::Empty {
            field: "event name",
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_filters() {
        assert!(validate_name("").is_err());
        assert!(validate_name("deploy").is_ok());
        assert!(EventFilter::default().validate().is_ok());
        assert!(EventFilter::default().node("").validate().is_err());
        let f = EventFilter::default()
            .node("web-.*")
            .service("web")
            .tag("v1");
        assert!(f.validate().is_ok());
        assert_eq!(
            f.query_pairs(),
            vec![
                ("node", "web-.*".to_owned()),
                ("service", "web".to_owned()),
                ("tag", "v1".to_owned())
            ]
        );
    }

    #[test]
    fn decodes_recorded_fire_with_binary_payload() {
        let e: UserEvent =
            serde_json::from_str(include_str!("../tests/fixtures/event/fire.json")).unwrap();
        assert_eq!(e.name, "deploy");
        assert_eq!(&e.payload[..], &[0u8, 0x9f, 0x92, 0x96, 0xff][..]);
        assert_eq!(e.node_filter, "fx4.*");
        assert_eq!(e.version, 1);
        assert_eq!(e.l_time, 0, "1.8.7 answers a fire with LTime 0");
        let empty: UserEvent =
            serde_json::from_str(include_str!("../tests/fixtures/event/fire_empty.json")).unwrap();
        assert!(empty.payload.is_empty());
    }

    #[test]
    fn decodes_recorded_list() {
        let list: Vec<UserEvent> =
            serde_json::from_str(include_str!("../tests/fixtures/event/list.json")).unwrap();
        assert_eq!(list.len(), 3);
        assert!(list.iter().all(|e| e.name == "deploy" && e.l_time > 0));
        assert_eq!(&list[1].payload[..], b"hello");
        assert!(list[0].payload.is_empty());
        assert!(list.windows(2).all(|w| w[0].l_time < w[1].l_time));
    }

    #[test]
    fn round_trips() {
        let e = UserEvent {
            name: "x".into(),
            payload: Bytes::from_static(&[0, 1, 255]),
            ..UserEvent::default()
        };
        let back: UserEvent = serde_json::from_value(serde_json::to_value(&e).unwrap()).unwrap();
        assert_eq!(back, e);
    }
}

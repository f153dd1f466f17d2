//! Admin partitions (Consul Enterprise 1.11+): Go's `api/partition.go`.
//!
//! An open-source agent serves none of the `/v1/partition` endpoints; the models follow
//! Consul's documented JSON and the Go client's types.

use crate::ValidationError;
use serde::{Deserialize, Serialize};

/// An admin partition (Go's `api.AdminPartition`). Build one with
/// [`AdminPartition::new`] to create or update it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
#[non_exhaustive]
pub struct AdminPartition {
    /// Its name: a DNS label.
    pub name: String,
    /// Free text.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// When it was marked for deletion (RFC 3339); it stays readable until its data is
    /// gone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<String>,
    /// The Raft index of its creation (not sent).
    #[serde(skip_serializing_if = "is_zero")]
    pub create_index: u64,
    /// The Raft index of its last change (not sent).
    #[serde(skip_serializing_if = "is_zero")]
    pub modify_index: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl AdminPartition {
    /// A partition named `name`, with nothing else set.
    pub fn new(name: impl Into<String>) -> Self {
        AdminPartition {
            name: name.into(),
            ..AdminPartition::default()
        }
    }

    /// Sets the description.
    #[must_use]
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = description.into();
        self
    }

    /// Whether it is marked for deletion.
    pub fn is_deleted(&self) -> bool {
        self.deleted_at.is_some()
    }

    /// Checks what Consul needs to create or update it: a name (Go refuses an empty one
    /// before sending, as this does).
    ///
    /// # Errors
    /// [`ValidationError::Empty`] for an empty name.
    pub fn validate(&self) -> Result<(), ValidationError> {
        if self.name.is_empty() {
            return Err(ValidationError::Empty {
                field: "partition name",
            });
        }
        Ok(())
    }
}

/// The answer of `GET /v1/partitions`: a bare list, as Consul's documentation shows it, or
/// an object `{"Partitions": […]}`, the shape Go's `api.AdminPartitions` reads. `null` is an
/// empty list.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct AdminPartitions {
    /// The partitions.
    pub partitions: Vec<AdminPartition>,
}

impl<'de> Deserialize<'de> for AdminPartitions {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct Wrapped {
            #[serde(default, deserialize_with = "crate::serde_util::null_as_default")]
            partitions: Vec<AdminPartition>,
        }

        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Shape {
            Wrapped(Wrapped),
            List(Option<Vec<AdminPartition>>),
        }

        Ok(AdminPartitions {
            partitions: match Shape::deserialize(d)? {
                Shape::Wrapped(w) => w.partitions,
                Shape::List(list) => list.unwrap_or_default(),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(value: &AdminPartition) {
        let again: AdminPartition =
            serde_json::from_str(&serde_json::to_string(value).unwrap()).unwrap();
        assert_eq!(&again, value);
    }

    /// The sample answers of Consul's documentation: a read, the list, and the read of a
    /// partition marked for deletion.
    #[test]
    fn partitions_as_documented() {
        let p: AdminPartition = serde_json::from_str(include_str!(
            "../tests/fixtures/partition/read_documented.json"
        ))
        .unwrap();
        assert_eq!(p.name, "na-west");
        assert_eq!(p.description, "Partition for North America West");
        assert_eq!((p.create_index, p.modify_index), (55, 55));
        assert!(!p.is_deleted());
        round_trip(&p);

        let list: AdminPartitions = serde_json::from_str(include_str!(
            "../tests/fixtures/partition/list_documented.json"
        ))
        .unwrap();
        assert_eq!(list.partitions.len(), 2);
        assert_eq!(list.partitions[0].name, "default");
        assert_eq!(list.partitions[0].description, "Builtin Default Partition");

        let deleted: AdminPartition = serde_json::from_str(include_str!(
            "../tests/fixtures/partition/deleted_documented.json"
        ))
        .unwrap();
        assert!(deleted.is_deleted());
        assert_eq!(deleted.modify_index, 100);
        round_trip(&deleted);
    }

    #[test]
    fn the_list_in_either_shape() {
        let wrapped: AdminPartitions =
            serde_json::from_str(r#"{"Partitions":[{"Name":"default"},{"Name":"na-west"}]}"#)
                .unwrap();
        assert_eq!(wrapped.partitions.len(), 2);
        assert_eq!(wrapped.partitions[1].name, "na-west");
        let none: AdminPartitions = serde_json::from_str("null").unwrap();
        assert!(none.partitions.is_empty());
        assert!(serde_json::from_str::<AdminPartitions>("\"x\"").is_err());
    }

    /// What a create sends: the documented sample payload.
    #[test]
    fn a_new_partition_sends_the_documented_payload() {
        let p = AdminPartition::new("na-west").description("Partition for North America West");
        let documented: serde_json::Value = serde_json::from_str(include_str!(
            "../tests/fixtures/partition/create_payload_documented.json"
        ))
        .unwrap();
        assert_eq!(serde_json::to_value(&p).unwrap(), documented);
        assert!(p.validate().is_ok());
        assert!(AdminPartition::default().validate().is_err());
    }
}

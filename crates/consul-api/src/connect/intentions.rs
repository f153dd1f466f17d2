//! Intentions (`/v1/connect/intentions`): by id (Consul 1.2+) and by exact source and
//! destination (1.9+).

use super::Connect;
use crate::call::{Answer, Call, ReadRequest, WriteRequest};
use crate::Result;
use consul_types::connect::{
    validate_intention_id, Intention, IntentionMatchBy, IntentionSourceType,
};
use consul_types::endpoint::{Accepts, Blocking, Decode, Endpoint, Missing};
use consul_types::ValidationError;
use http::Method;
use serde::Deserialize;
use std::collections::BTreeMap;

/// An intention id as one path segment, checked first.
fn id_endpoint(method: Method, id: &str) -> std::result::Result<Endpoint, ValidationError> {
    validate_intention_id(id)?;
    let endpoint = if method == Method::GET {
        Endpoint::read(method, "connect/intentions")
    } else {
        Endpoint::write(method, "connect/intentions")
    };
    endpoint.segment("intention id", id)
}

/// `connect/intentions/exact?source=&destination=`, both checked first.
fn exact_endpoint(
    endpoint: Endpoint,
    source: &str,
    destination: &str,
) -> std::result::Result<Endpoint, ValidationError> {
    if source.is_empty() {
        return Err(ValidationError::Empty {
            field: "intention source",
        });
    }
    if destination.is_empty() {
        return Err(ValidationError::Empty {
            field: "intention destination",
        });
    }
    // Consul 1.8 has no `exact` route: it takes the word for an intention id and answers
    // 400/500 "UUID must be 36 characters", which says "too old", not "bad input".
    Ok(endpoint
        .fixed("exact")
        .param("source", source)
        .param("destination", destination)
        .unsupported_when(&[400, 500], "UUID must be 36 characters")
        .unsupported_path("connect/intentions/exact"))
}

#[derive(Deserialize)]
struct Created {
    #[serde(rename = "ID")]
    id: String,
}

#[derive(Deserialize)]
struct Checked {
    #[serde(rename = "Allowed")]
    allowed: bool,
}

/// The call of [`Connect::intentions`]: every intention, in precedence order.
#[derive(Debug, Clone)]
pub struct ConnectIntentions;

impl Call for ConnectIntentions {
    type Output = Vec<Intention>;

    fn endpoint(&self) -> std::result::Result<Endpoint, ValidationError> {
        Ok(Endpoint::read(Method::GET, "connect/intentions")
            .blocking(Blocking::Index)
            .accepts(Accepts::NONE.with_filter()))
    }

    fn output(&self, answer: Answer) -> Result<Vec<Intention>> {
        answer.json_list()
    }
}

read_setters!(ConnectIntentions: filter);

/// The call of [`Connect::intention_get`]: one intention, `None` when there is none with
/// that id.
#[derive(Debug, Clone)]
pub struct ConnectIntentionGet {
    id: String,
}

impl Call for ConnectIntentionGet {
    type Output = Option<Intention>;

    fn endpoint(&self) -> std::result::Result<Endpoint, ValidationError> {
        // Consul 1.8.7 blocks on `?index=` here but answers without an index, so the read
        // cannot be watched: watch `intentions()` instead.
        Ok(id_endpoint(Method::GET, &self.id)?.missing(Missing::Absent))
    }

    fn output(&self, answer: Answer) -> Result<Option<Intention>> {
        answer.json_opt()
    }
}

/// The call of [`Connect::intention_create`]: the new intention's id.
#[derive(Debug, Clone)]
pub struct ConnectIntentionCreate {
    intention: Intention,
}

impl Call for ConnectIntentionCreate {
    type Output = String;

    fn endpoint(&self) -> std::result::Result<Endpoint, ValidationError> {
        self.intention.validate()?;
        Endpoint::write(Method::POST, "connect/intentions").json(&self.intention)
    }

    fn output(&self, answer: Answer) -> Result<String> {
        Ok(answer.json::<Created>()?.id)
    }
}

/// The call of [`Connect::intention_update`].
#[derive(Debug, Clone)]
pub struct ConnectIntentionUpdate {
    intention: Intention,
}

impl Call for ConnectIntentionUpdate {
    type Output = ();

    fn endpoint(&self) -> std::result::Result<Endpoint, ValidationError> {
        self.intention.validate()?;
        id_endpoint(Method::PUT, &self.intention.id)?
            .decode(Decode::Unit)
            .json(&self.intention)
    }

    fn output(&self, _: Answer) -> Result<()> {
        Ok(())
    }
}

/// The call of [`Connect::intention_delete`].
#[derive(Debug, Clone)]
pub struct ConnectIntentionDelete {
    id: String,
}

impl Call for ConnectIntentionDelete {
    type Output = ();

    fn endpoint(&self) -> std::result::Result<Endpoint, ValidationError> {
        Ok(id_endpoint(Method::DELETE, &self.id)?.decode(Decode::Unit))
    }

    fn output(&self, _: Answer) -> Result<()> {
        Ok(())
    }
}

/// The call of [`Connect::intention_match`]: for each name asked, the intentions that
/// match it, in evaluation order.
#[derive(Debug, Clone)]
pub struct ConnectIntentionMatch {
    by: IntentionMatchBy,
    names: Vec<String>,
}

impl Call for ConnectIntentionMatch {
    type Output = BTreeMap<String, Vec<Intention>>;

    fn endpoint(&self) -> std::result::Result<Endpoint, ValidationError> {
        // Consul 1.8.7 blocks on `?index=` here but answers without an index: no watch.
        let mut endpoint =
            Endpoint::read(Method::GET, "connect/intentions/match").param("by", self.by.as_str());
        for name in &self.names {
            if name.is_empty() {
                return Err(ValidationError::Empty {
                    field: "intention match name",
                });
            }
            endpoint = endpoint.param("name", name.clone());
        }
        Ok(endpoint)
    }

    fn output(&self, answer: Answer) -> Result<BTreeMap<String, Vec<Intention>>> {
        let matches: BTreeMap<String, Option<Vec<Intention>>> = answer.json()?;
        Ok(matches
            .into_iter()
            .map(|(name, list)| (name, list.unwrap_or_default()))
            .collect())
    }
}

impl ReadRequest<ConnectIntentionMatch> {
    /// Matches this name too (`?name=` is repeatable); the answer has an entry for each.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.call_mut().names.push(name.into());
        self
    }
}

/// The call of [`Connect::intention_check`]: whether the connection would be allowed.
#[derive(Debug, Clone)]
pub struct ConnectIntentionCheck {
    source: String,
    destination: String,
    source_type: Option<IntentionSourceType>,
}

impl Call for ConnectIntentionCheck {
    type Output = bool;

    fn endpoint(&self) -> std::result::Result<Endpoint, ValidationError> {
        if self.source.is_empty() {
            return Err(ValidationError::Empty {
                field: "intention source",
            });
        }
        if self.destination.is_empty() {
            return Err(ValidationError::Empty {
                field: "intention destination",
            });
        }
        Ok(Endpoint::read(Method::GET, "connect/intentions/check")
            .param("source", self.source.clone())
            .param("destination", self.destination.clone())
            .param_opt(
                "source-type",
                self.source_type.as_ref().map(|t| t.as_str().to_owned()),
            ))
    }

    fn output(&self, answer: Answer) -> Result<bool> {
        Ok(answer.json::<Checked>()?.allowed)
    }
}

impl ReadRequest<ConnectIntentionCheck> {
    /// What the source names (`?source-type=`; Consul's default is a Consul service).
    pub fn source_type(mut self, source_type: IntentionSourceType) -> Self {
        self.call_mut().source_type = Some(source_type);
        self
    }
}

/// The call of [`Connect::intention_get_exact`]: the intention from a source to a
/// destination, `None` when there is none (Consul 1.9+).
#[derive(Debug, Clone)]
pub struct ConnectIntentionGetExact {
    source: String,
    destination: String,
}

impl Call for ConnectIntentionGetExact {
    type Output = Option<Intention>;

    fn endpoint(&self) -> std::result::Result<Endpoint, ValidationError> {
        Ok(exact_endpoint(
            Endpoint::read(Method::GET, "connect/intentions"),
            &self.source,
            &self.destination,
        )?
        .missing(Missing::Absent))
    }

    fn output(&self, answer: Answer) -> Result<Option<Intention>> {
        answer.json_opt()
    }
}

/// The call of [`Connect::intention_upsert`] (Consul 1.9+).
#[derive(Debug, Clone)]
pub struct ConnectIntentionUpsert {
    intention: Intention,
}

impl Call for ConnectIntentionUpsert {
    type Output = ();

    fn endpoint(&self) -> std::result::Result<Endpoint, ValidationError> {
        self.intention.validate()?;
        exact_endpoint(
            Endpoint::write(Method::PUT, "connect/intentions"),
            &self.intention.source_string(),
            &self.intention.destination_string(),
        )?
        .decode(Decode::Unit)
        .json(&self.intention)
    }

    fn output(&self, _: Answer) -> Result<()> {
        Ok(())
    }
}

/// The call of [`Connect::intention_delete_exact`] (Consul 1.9+).
#[derive(Debug, Clone)]
pub struct ConnectIntentionDeleteExact {
    source: String,
    destination: String,
}

impl Call for ConnectIntentionDeleteExact {
    type Output = ();

    fn endpoint(&self) -> std::result::Result<Endpoint, ValidationError> {
        Ok(exact_endpoint(
            Endpoint::write(Method::DELETE, "connect/intentions"),
            &self.source,
            &self.destination,
        )?
        .decode(Decode::Unit))
    }

    fn output(&self, _: Answer) -> Result<()> {
        Ok(())
    }
}

call_traits!(ConnectIntentions: Cluster, Watchable, IndexBlocking);
call_traits!(ConnectIntentionGet: Cluster);
call_traits!(ConnectIntentionCreate: Cluster);
call_traits!(ConnectIntentionUpdate: Cluster);
call_traits!(ConnectIntentionDelete: Cluster);
call_traits!(ConnectIntentionMatch: Cluster);
call_traits!(ConnectIntentionCheck: Cluster);
call_traits!(ConnectIntentionGetExact: Cluster);
call_traits!(ConnectIntentionUpsert: Cluster);
call_traits!(ConnectIntentionDeleteExact: Cluster);

impl Connect {
    /// Every intention of the datacenter, highest precedence first (Go's `Intentions`);
    /// `.filter()` selects (`Action == deny`, `SourceName == web`), `.wait()` and
    /// `.watch()` block until one changes. Needs `intentions:read` on what it lists.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/connect/intentions#list-intentions)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// for ixn in client.connect().intentions().filter("Action == deny").await?.value {
    ///     println!("{ixn} (precedence {})", ixn.precedence);
    /// }
    /// let mut changes = client.connect().intentions().watch();
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Transport and status errors (a bad filter is a 500).
    pub fn intentions(&self) -> ReadRequest<ConnectIntentions> {
        self.read(ConnectIntentions)
    }

    /// Reads one intention by id (Go's `IntentionGet`); `None` when there is none.
    ///
    /// Consul 1.8 blocks on an index here but answers without one, so this read has no
    /// `watch()`: watch [`intentions`](Self::intentions) instead.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/connect/intentions#read-specific-intention-by-id)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client, id: &str) -> consul_api::Result<()> {
    /// match client.connect().intention_get(id).await?.value {
    ///     Some(ixn) => println!("{ixn}"),
    ///     None => println!("no intention {id}"),
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an id that is not a UUID;
    /// transport and status errors.
    pub fn intention_get(&self, id: impl Into<String>) -> ReadRequest<ConnectIntentionGet> {
        self.read(ConnectIntentionGet { id: id.into() })
    }

    /// Creates an intention and returns its id (Go's `IntentionCreate`). Needs
    /// `intentions:write` on the destination.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/connect/intentions#create-intention-with-id)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::connect::Intention;
    /// let ixn = Intention::deny("web", "db").description("web reads through the api").meta("ticket", "OPS-12");
    /// let id = client.connect().intention_create(ixn).await?.value;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an intention Consul would refuse
    /// ([`Intention::validate`]); a status error (500 `duplicate intention found: …`) when
    /// one from the same source to the same destination exists; transport errors.
    pub fn intention_create(&self, intention: Intention) -> WriteRequest<ConnectIntentionCreate> {
        self.write(ConnectIntentionCreate { intention })
    }

    /// Replaces the intention whose id is `intention.id` (Go's `IntentionUpdate`): read it,
    /// change it, write it back.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/connect/intentions#update-intention-by-id)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client, id: &str) -> consul_api::Result<()> {
    /// use consul_api::connect::IntentionAction;
    /// let connect = client.connect();
    /// if let Some(ixn) = connect.intention_get(id).await?.value {
    ///     connect.intention_update(ixn.action(IntentionAction::Allow)).await?;
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an id that is not a UUID or an
    /// intention Consul would refuse; a status error (500 `Cannot modify non-existent
    /// intention`) when there is none with that id; transport errors.
    pub fn intention_update(&self, intention: Intention) -> WriteRequest<ConnectIntentionUpdate> {
        self.write(ConnectIntentionUpdate { intention })
    }

    /// Deletes an intention by id (Go's `IntentionDelete`).
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/connect/intentions#delete-intention-by-id)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client, id: &str) -> consul_api::Result<()> {
    /// client.connect().intention_delete(id).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an id that is not a UUID; a
    /// status error (500 `Cannot delete non-existent intention`) when there is none with
    /// that id; transport errors.
    pub fn intention_delete(&self, id: impl Into<String>) -> WriteRequest<ConnectIntentionDelete> {
        self.write(ConnectIntentionDelete { id: id.into() })
    }

    /// The intentions that match a service as source or as destination (Go's
    /// `IntentionMatch`), in the order they are evaluated: the first that matches a
    /// connection decides. `.name()` adds more names; the answer has an entry for each
    /// (empty when none match). A name may be `namespace/name`.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/connect/intentions#list-matching-intentions)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::connect::IntentionMatchBy;
    /// let matches = client
    ///     .connect()
    ///     .intention_match(IntentionMatchBy::Destination, "db")
    ///     .name("cache")
    ///     .await?
    ///     .value;
    /// for ixn in &matches["db"] {
    ///     println!("{ixn}");
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an empty name; transport and
    /// status errors.
    pub fn intention_match(
        &self,
        by: IntentionMatchBy,
        name: impl Into<String>,
    ) -> ReadRequest<ConnectIntentionMatch> {
        self.read(ConnectIntentionMatch {
            by,
            names: vec![name.into()],
        })
    }

    /// Whether `source` may connect to `destination` under the current intentions and
    /// the default policy (Go's `IntentionCheck`): with ACLs off, what no intention denies
    /// is allowed.
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/connect/intentions#check-intention-result)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// if !client.connect().intention_check("web", "db").await?.value {
    ///     println!("web may not connect to db");
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an empty source or destination;
    /// transport and status errors.
    pub fn intention_check(
        &self,
        source: impl Into<String>,
        destination: impl Into<String>,
    ) -> ReadRequest<ConnectIntentionCheck> {
        self.read(ConnectIntentionCheck {
            source: source.into(),
            destination: destination.into(),
            source_type: None,
        })
    }

    /// Reads the intention from `source` to `destination` (Go's `IntentionGetExact`,
    /// Consul 1.9+); `None` when there is none. Names may be `namespace/name`.
    ///
    /// Consul 1.8 takes `exact` for an intention id and answers `400 … UUID must be 36
    /// characters`, reported as [`Error::Unsupported`](crate::Error::Unsupported).
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/connect/intentions#read-specific-intention-by-name)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// if let Some(ixn) = client.connect().intention_get_exact("web", "db").await?.value {
    ///     println!("{ixn}");
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an empty source or destination;
    /// transport and status errors.
    pub fn intention_get_exact(
        &self,
        source: impl Into<String>,
        destination: impl Into<String>,
    ) -> ReadRequest<ConnectIntentionGetExact> {
        self.read(ConnectIntentionGetExact {
            source: source.into(),
            destination: destination.into(),
        })
    }

    /// Creates or replaces the intention from its source to its destination (Go's
    /// `IntentionUpsert`, Consul 1.9+): they travel as `?source=&destination=`
    /// (`namespace/name` outside the default namespace), the rest as the body. Intentions
    /// written so have no id, and Consul does not keep their metadata.
    ///
    /// Consul 1.8 answers `500 Intention lookup failed: … UUID must be 36 characters`,
    /// reported as [`Error::Unsupported`](crate::Error::Unsupported).
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/connect/intentions#upsert-intention-by-name)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// use consul_api::connect::Intention;
    /// client.connect().intention_upsert(Intention::allow("web", "db")).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an intention Consul would
    /// refuse; transport and status errors.
    pub fn intention_upsert(&self, intention: Intention) -> WriteRequest<ConnectIntentionUpsert> {
        self.write(ConnectIntentionUpsert { intention })
    }

    /// Deletes the intention from `source` to `destination` (Go's
    /// `IntentionDeleteExact`, Consul 1.9+).
    ///
    /// Consul 1.8 answers `500 Intention lookup failed: … UUID must be 36 characters`,
    /// reported as [`Error::Unsupported`](crate::Error::Unsupported).
    ///
    /// [Consul docs](https://developer.hashicorp.com/consul/api-docs/connect/intentions#delete-intention-by-name)
    ///
    /// ```no_run
    /// # async fn demo(client: consul_api::Client) -> consul_api::Result<()> {
    /// client.connect().intention_delete_exact("web", "db").await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for an empty source or destination;
    /// transport and status errors.
    pub fn intention_delete_exact(
        &self,
        source: impl Into<String>,
        destination: impl Into<String>,
    ) -> WriteRequest<ConnectIntentionDeleteExact> {
        self.write(ConnectIntentionDeleteExact {
            source: source.into(),
            destination: destination.into(),
        })
    }
}

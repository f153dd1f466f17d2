use crate::{QueryMeta, WriteMeta};

/// A value read from Consul together with the response's [`QueryMeta`].
///
/// Go returns `(value, *QueryMeta, error)`; here the pair travels as one struct that can be
/// destructured: `let QueryResponse { value, meta } = kv.get(..).await?;`.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryResponse<T> {
    /// The decoded body.
    pub value: T,
    /// Index, leader and cache information from the headers.
    pub meta: QueryMeta,
}

impl<T> QueryResponse<T> {
    /// Transforms the value, keeping the metadata.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> QueryResponse<U> {
        QueryResponse {
            value: f(self.value),
            meta: self.meta,
        }
    }

    /// The value, dropping the metadata.
    pub fn into_value(self) -> T {
        self.value
    }
}

/// The result of a write together with the response's [`WriteMeta`].
#[derive(Debug, Clone, PartialEq)]
pub struct WriteResponse<T> {
    /// The decoded body (often `bool`: whether Consul applied the write).
    pub value: T,
    /// Timing of the request.
    pub meta: WriteMeta,
}

impl<T> WriteResponse<T> {
    /// Transforms the value, keeping the metadata.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> WriteResponse<U> {
        WriteResponse {
            value: f(self.value),
            meta: self.meta,
        }
    }

    /// The value, dropping the metadata.
    pub fn into_value(self) -> T {
        self.value
    }
}

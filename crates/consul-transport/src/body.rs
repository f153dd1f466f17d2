use crate::TransportError;
use bytes::Bytes;
use futures_core::Stream;
use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

type DynStream = Pin<Box<dyn Stream<Item = Result<Bytes, TransportError>> + Send>>;

/// A response body read chunk by chunk, as a [`futures_core::Stream`] of [`Bytes`].
pub struct BodyStream(DynStream);

impl BodyStream {
    /// A body from any stream of chunks.
    pub fn new(stream: impl Stream<Item = Result<Bytes, TransportError>> + Send + 'static) -> Self {
        BodyStream(Box::pin(stream))
    }

    /// A body of one chunk (nothing for an empty body).
    pub fn once(bytes: Bytes) -> Self {
        BodyStream::new(Once(Some(bytes).filter(|b| !b.is_empty())))
    }

    /// Reads the rest of the body into memory.
    ///
    /// # Errors
    /// The first [`TransportError`] the stream yields.
    pub async fn collect(mut self) -> Result<Bytes, TransportError> {
        let mut parts: Vec<Bytes> = Vec::new();
        while let Some(chunk) = std::future::poll_fn(|cx| self.0.as_mut().poll_next(cx)).await {
            parts.push(chunk?);
        }
        Ok(match parts.len() {
            0 => Bytes::new(),
            1 => parts.pop().unwrap_or_default(),
            _ => Bytes::from(parts.concat()),
        })
    }
}

impl Stream for BodyStream {
    type Item = Result<Bytes, TransportError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.0.as_mut().poll_next(cx)
    }
}

impl fmt::Debug for BodyStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BodyStream")
    }
}

struct Once(Option<Bytes>);

impl Stream for Once {
    type Item = Result<Bytes, TransportError>;

    fn poll_next(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Poll::Ready(self.0.take().map(Ok))
    }
}

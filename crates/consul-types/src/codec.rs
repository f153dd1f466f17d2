//! Value codecs: how a typed value becomes the bytes stored in Consul and back.
//!
//! aioconsul stored "any object type, compressed by codec"; here a [`Codec`] is a small trait
//! with three implementations — [`Raw`] bytes, UTF-8 [`Text`] and serde [`Json`] — and users
//! add their own (compression, MessagePack, encryption) by implementing it.
//!
//! ```
//! use consul_types::codec::{Codec, Json};
//! #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
//! struct Config { replicas: u32 }
//! let bytes = Json.encode(&Config { replicas: 3 }).unwrap();
//! assert_eq!(&bytes[..], br#"{"replicas":3}"#);
//! let back: Config = Json.decode(&bytes).unwrap();
//! assert_eq!(back, Config { replicas: 3 });
//! ```

use bytes::Bytes;
use std::error::Error as StdError;
use std::fmt;

/// Turns values of type `T` into bytes and back.
pub trait Codec<T> {
    /// Encodes a value.
    ///
    /// # Errors
    /// [`CodecError`] when the value cannot be represented.
    fn encode(&self, value: &T) -> Result<Bytes, CodecError>;

    /// Decodes a value.
    ///
    /// # Errors
    /// [`CodecError`] when the bytes are not a valid encoding.
    fn decode(&self, bytes: &[u8]) -> Result<T, CodecError>;
}

/// A value could not be encoded or decoded.
#[derive(Debug)]
pub struct CodecError(Box<dyn StdError + Send + Sync>);

impl CodecError {
    /// Wraps the underlying error of a codec.
    pub fn new(source: impl Into<Box<dyn StdError + Send + Sync>>) -> Self {
        CodecError(source.into())
    }
}

impl fmt::Display for CodecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("value codec failed")
    }
}

impl StdError for CodecError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&*self.0)
    }
}

/// Bytes stored as they are.
#[derive(Debug, Clone, Copy, Default)]
pub struct Raw;

impl Codec<Bytes> for Raw {
    fn encode(&self, value: &Bytes) -> Result<Bytes, CodecError> {
        Ok(value.clone())
    }
    fn decode(&self, bytes: &[u8]) -> Result<Bytes, CodecError> {
        Ok(Bytes::copy_from_slice(bytes))
    }
}

impl Codec<Vec<u8>> for Raw {
    fn encode(&self, value: &Vec<u8>) -> Result<Bytes, CodecError> {
        Ok(Bytes::copy_from_slice(value))
    }
    fn decode(&self, bytes: &[u8]) -> Result<Vec<u8>, CodecError> {
        Ok(bytes.to_vec())
    }
}

/// UTF-8 text; decoding rejects bytes that are not UTF-8.
#[derive(Debug, Clone, Copy, Default)]
pub struct Text;

impl Codec<String> for Text {
    fn encode(&self, value: &String) -> Result<Bytes, CodecError> {
        Ok(Bytes::copy_from_slice(value.as_bytes()))
    }
    fn decode(&self, bytes: &[u8]) -> Result<String, CodecError> {
        String::from_utf8(bytes.to_vec()).map_err(CodecError::new)
    }
}

/// Any serde type as compact JSON.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json;

impl<T: serde::Serialize + serde::de::DeserializeOwned> Codec<T> for Json {
    fn encode(&self, value: &T) -> Result<Bytes, CodecError> {
        serde_json::to_vec(value)
            .map(Bytes::from)
            .map_err(CodecError::new)
    }
    fn decode(&self, bytes: &[u8]) -> Result<T, CodecError> {
        serde_json::from_slice(bytes).map_err(CodecError::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_round_trips_non_utf8() {
        let v = Bytes::from_static(&[0, 159, 146, 150, 255]);
        let back: Bytes = Raw.decode(&Raw.encode(&v).unwrap()).unwrap();
        assert_eq!(back, v);
        let v = vec![1u8, 2, 255];
        let back: Vec<u8> = Raw.decode(&Raw.encode(&v).unwrap()).unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn text_rejects_invalid_utf8() {
        let err = <Text as Codec<String>>::decode(&Text, &[0xff, 0xfe]).unwrap_err();
        assert!(err.source().is_some());
        assert_eq!(Text.decode(b"h\xc3\xa9").unwrap(), "hé");
    }

    #[test]
    fn json_round_trips_and_reports_errors() {
        let v = serde_json::json!({"a": [1, 2, {"b": null}]});
        let back: serde_json::Value = Json.decode(&Json.encode(&v).unwrap()).unwrap();
        assert_eq!(back, v);
        let err = <Json as Codec<u32>>::decode(&Json, b"\"nope\"").unwrap_err();
        assert_eq!(err.to_string(), "value codec failed");
    }
}

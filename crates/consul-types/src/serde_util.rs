//! Private serde helpers shared by the models.

/// `Bytes` carried as a base64 string, with `null` meaning empty (Consul's KV `Value`,
/// event `Payload`).
pub(crate) mod base64_bytes {
    use base64::{engine::general_purpose::STANDARD, Engine as _};
    use bytes::Bytes;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(value: &Bytes, s: S) -> Result<S::Ok, S::Error> {
        if value.is_empty() {
            s.serialize_none()
        } else {
            s.serialize_str(&STANDARD.encode(value))
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Bytes, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(Bytes::new()),
            Some(s) => STANDARD
                .decode(s.as_bytes())
                .map(Bytes::from)
                .map_err(serde::de::Error::custom),
        }
    }
}

/// `null` read as the type's default (Consul sends `null` for empty lists and maps).
#[allow(dead_code)] // used by the models of later families
pub(crate) fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + serde::Deserialize<'de>,
{
    use serde::Deserialize;
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

//! Private serde helpers shared by the models.

/// `Bytes` carried as a base64 string, with `null` meaning empty (Consul's KV `Value`,
/// event `Payload`).
pub(crate) mod base64_bytes {
    use base64::{engine::general_purpose::STANDARD, Engine as _};
    use bytes::Bytes;
    use serde::de::{self, Visitor};
    use serde::{Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(value: &Bytes, s: S) -> Result<S::Ok, S::Error> {
        if value.is_empty() {
            s.serialize_none()
        } else {
            s.serialize_str(&STANDARD.encode(value))
        }
    }

    /// Decoded from the text as the parser holds it (borrowed from the body when it has
    /// no escapes) into a buffer of exactly the value's size: one allocation, where going
    /// through a `String` and the decoder's estimated buffer took three.
    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Bytes, D::Error> {
        struct Base64;
        impl<'de> Visitor<'de> for Base64 {
            type Value = Bytes;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("base64 text or null")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Bytes, E> {
                Ok(Bytes::new())
            }
            fn visit_none<E: de::Error>(self) -> Result<Bytes, E> {
                Ok(Bytes::new())
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Bytes, D::Error> {
                d.deserialize_str(self)
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<Bytes, E> {
                decode(text).map_err(E::custom)
            }
        }
        d.deserialize_option(Base64)
    }

    fn decode(text: &str) -> Result<Bytes, base64::DecodeSliceError> {
        let input = text.as_bytes();
        // Padded base64 (Consul's): three bytes per four characters, less the padding.
        let padding = input
            .iter()
            .rev()
            .take(2)
            .take_while(|&&b| b == b'=')
            .count();
        let mut out = vec![0; (input.len() / 4 * 3).saturating_sub(padding)];
        let written = STANDARD.decode_slice(input, &mut out)?;
        out.truncate(written);
        Ok(Bytes::from(out))
    }
}

/// `null` read as the type's default (Consul sends `null` for empty lists and maps).
#[allow(dead_code)] // used by the models of later families
pub(crate) fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + serde::Deserialize<'de>,
{
    // A visitor of its own rather than `Option::<T>::deserialize(..).unwrap_or_default()`:
    // the value is built in place instead of being moved out of an `Option`, which for the
    // big models (a service is 520 bytes) showed as memcpy in profiles of large reads.
    use std::marker::PhantomData;
    struct OrDefault<T>(PhantomData<T>);
    impl<'de, T: Default + serde::Deserialize<'de>> serde::de::Visitor<'de> for OrDefault<T> {
        type Value = T;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a value or null")
        }
        fn visit_unit<E: serde::de::Error>(self) -> Result<T, E> {
            Ok(T::default())
        }
        fn visit_none<E: serde::de::Error>(self) -> Result<T, E> {
            Ok(T::default())
        }
        fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<T, D::Error> {
            T::deserialize(d)
        }
    }
    d.deserialize_option(OrDefault(PhantomData))
}

/// A list with `null` read as empty, allocated to fit when short: serde's own `Vec`
/// starts at a capacity of four, which for the one or two checks of a health entry (480
/// bytes each) wastes more memory than the entry's strings take, on every entry of a big
/// read. Measured on a 2000-instance health body, fitting the lists made decoding about
/// 1.3 times as fast.
pub(crate) fn null_as_empty_vec<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    use std::marker::PhantomData;
    struct Fitted<T>(PhantomData<T>);
    impl<'de, T: serde::Deserialize<'de>> serde::de::Visitor<'de> for Fitted<T> {
        type Value = Vec<T>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a list or null")
        }
        fn visit_unit<E: serde::de::Error>(self) -> Result<Vec<T>, E> {
            Ok(Vec::new())
        }
        fn visit_none<E: serde::de::Error>(self) -> Result<Vec<T>, E> {
            Ok(Vec::new())
        }
        fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Vec<T>, D::Error> {
            d.deserialize_seq(self)
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
            let Some(first) = seq.next_element()? else {
                return Ok(Vec::new());
            };
            let Some(second) = seq.next_element()? else {
                return Ok(vec![first]);
            };
            let Some(third) = seq.next_element()? else {
                return Ok(vec![first, second]);
            };
            let mut all = Vec::with_capacity(seq.size_hint().unwrap_or(0).saturating_add(4));
            all.extend([first, second, third]);
            while let Some(next) = seq.next_element()? {
                all.push(next);
            }
            Ok(all)
        }
    }
    d.deserialize_option(Fitted(PhantomData))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use std::collections::BTreeMap;

    #[derive(Debug, Deserialize)]
    struct Lists {
        #[serde(default, deserialize_with = "null_as_empty_vec")]
        items: Vec<String>,
        #[serde(default, deserialize_with = "null_as_default")]
        meta: BTreeMap<String, String>,
    }

    fn lists(json: &str) -> Lists {
        serde_json::from_str(json).unwrap()
    }

    #[derive(Debug, Deserialize)]
    struct Value {
        #[serde(default, with = "base64_bytes")]
        value: bytes::Bytes,
    }

    fn value(json: &str) -> Result<Value, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn base64_values_decode_into_a_buffer_of_their_size() {
        use base64::{engine::general_purpose::STANDARD, Engine as _};
        // Every padding (two, one, none), escapes (an owned string), empty and null.
        for n in 0u8..=10 {
            let raw: Vec<u8> = (0..n).map(|i| i.wrapping_mul(37)).collect();
            let got = value(&format!(r#"{{"value":"{}"}}"#, STANDARD.encode(&raw))).unwrap();
            assert_eq!(got.value, raw);
        }
        assert_eq!(value(r#"{"value":"aGk\u003d"}"#).unwrap().value, "hi");
        assert!(value(r#"{"value":null}"#).unwrap().value.is_empty());
        assert!(value("{}").unwrap().value.is_empty());
        for bad in [r#""aGk""#, r#""a=Gk""#, r#""!!!!""#, "7"] {
            let e = value(&format!(r#"{{"value":{bad}}}"#)).unwrap_err();
            assert!(e.is_data(), "{bad}: {e}");
        }
    }

    #[test]
    fn short_lists_are_allocated_to_fit_and_long_ones_keep_everything() {
        for n in 0..=9 {
            let items: Vec<String> = (0..n).map(|i| format!("t{i}")).collect();
            let got = lists(&serde_json::json!({ "items": items }).to_string()).items;
            assert_eq!(got, items);
            if n <= 2 {
                assert_eq!(got.capacity(), n, "{n} elements fit exactly");
            }
        }
    }

    #[test]
    fn null_and_absent_read_as_empty_and_wrong_types_are_errors() {
        assert!(lists(r#"{"items":null,"meta":null}"#).items.is_empty());
        assert!(lists(r#"{"items":null,"meta":null}"#).meta.is_empty());
        assert!(lists("{}").items.is_empty());
        assert_eq!(lists(r#"{"meta":{"a":"b"}}"#).meta["a"], "b");
        for bad in [
            r#"{"items":"x"}"#,
            r#"{"items":[1]}"#,
            r#"{"items":{}}"#,
            r#"{"meta":[]}"#,
            r#"{"meta":{"a":1}}"#,
        ] {
            assert!(serde_json::from_str::<Lists>(bad).is_err(), "{bad}");
        }
    }
}

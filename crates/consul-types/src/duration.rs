//! Durations in Consul's text format.
//!
//! Consul takes and prints durations the way Go's `time.Duration` does: a sequence of
//! decimal numbers with a unit each (`ns`, `us`/`µs`, `ms`, `s`, `m`, `h`), such as `10s`,
//! `1m30s` or `1.5h`. [`parse`](fn@parse) reads that format and [`format`](fn@format) prints it back, so that
//! `format(parse(x)?)` is Go's canonical spelling of `x`.
//!
//! Negative durations have no meaning in any Consul field, so they are rejected.

use crate::ValidationError;
use std::time::Duration;

fn invalid(input: &str, reason: &'static str) -> ValidationError {
    ValidationError::InvalidDuration {
        input: input.to_owned(),
        reason,
    }
}

/// Parses a duration in Consul's (Go's) format.
///
/// ```
/// use consul_types::duration::parse;
/// use std::time::Duration;
/// assert_eq!(parse("10s").unwrap(), Duration::from_secs(10));
/// assert_eq!(parse("1m30s").unwrap(), Duration::from_secs(90));
/// assert_eq!(parse("1.5h").unwrap(), Duration::from_secs(5400));
/// assert_eq!(parse("250ms").unwrap(), Duration::from_millis(250));
/// assert!(parse("10").is_err()); // a bare number has no unit
/// ```
///
/// # Errors
/// [`ValidationError::InvalidDuration`] for empty text, a missing or unknown unit, a
/// negative sign, or a value that overflows.
pub fn parse(input: &str) -> Result<Duration, ValidationError> {
    let mut rest = input;
    if let Some(r) = rest.strip_prefix('+') {
        rest = r;
    }
    if rest.starts_with('-') {
        return Err(invalid(input, "negative durations are not allowed"));
    }
    if rest == "0" {
        return Ok(Duration::ZERO);
    }
    if rest.is_empty() {
        return Err(invalid(input, "empty duration"));
    }
    let mut total_nanos: u128 = 0;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (number, tail) = rest.split_at(num_len);
        if number.is_empty() || number == "." {
            return Err(invalid(input, "expected a number"));
        }
        let unit_len = tail
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(tail.len());
        let (unit, tail) = tail.split_at(unit_len);
        let unit_nanos: u128 = match unit {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            "" => return Err(invalid(input, "missing unit (use ns, us, ms, s, m or h)")),
            _ => return Err(invalid(input, "unknown unit (use ns, us, ms, s, m or h)")),
        };
        let (int_part, frac_part) = number.split_once('.').unwrap_or((number, ""));
        if frac_part.contains('.') {
            return Err(invalid(input, "expected a number"));
        }
        let int: u128 = if int_part.is_empty() {
            0
        } else {
            int_part
                .parse()
                .map_err(|_| invalid(input, "number too large"))?
        };
        // The fraction is read as Go's `leadingFraction` reads it (its digits while they
        // fit 63 bits, later ones ignored), then scaled exactly where Go uses a float.
        let mut frac: u128 = 0;
        let mut scale: u128 = 1;
        for digit in frac_part.bytes() {
            let next = frac * 10 + u128::from(digit - b'0');
            if next > 1 << 63 {
                break;
            }
            frac = next;
            scale *= 10;
        }
        let nanos = int
            .checked_mul(unit_nanos)
            .and_then(|n| n.checked_add(frac * unit_nanos / scale))
            .ok_or_else(|| invalid(input, "duration too large"))?;
        total_nanos = total_nanos
            .checked_add(nanos)
            .ok_or_else(|| invalid(input, "duration too large"))?;
        rest = tail;
    }
    let secs = u64::try_from(total_nanos / 1_000_000_000)
        .map_err(|_| invalid(input, "duration too large"))?;
    Ok(Duration::new(secs, (total_nanos % 1_000_000_000) as u32))
}

/// Prints a duration the way Go's `time.Duration.String` does, which is what Consul prints.
///
/// ```
/// use consul_types::duration::format;
/// use std::time::Duration;
/// assert_eq!(format(Duration::from_secs(90)), "1m30s");
/// assert_eq!(format(Duration::from_millis(1500)), "1.5s");
/// assert_eq!(format(Duration::from_millis(250)), "250ms");
/// assert_eq!(format(Duration::ZERO), "0s");
/// ```
pub fn format(d: Duration) -> String {
    let nanos = d.as_nanos();
    if nanos == 0 {
        return "0s".to_owned();
    }
    if nanos < 1_000_000_000 {
        // Below one second Go picks the largest unit that keeps an integer part.
        let (unit, scale) = if nanos < 1_000 {
            ("ns", 1)
        } else if nanos < 1_000_000 {
            ("µs", 1_000)
        } else {
            ("ms", 1_000_000)
        };
        return format!("{}{unit}", fraction(nanos, scale));
    }
    let hours = nanos / 3_600_000_000_000;
    let minutes = (nanos / 60_000_000_000) % 60;
    let sub_minute = nanos % 60_000_000_000;
    let mut out = String::new();
    if hours > 0 {
        out.push_str(&format!("{hours}h"));
    }
    if hours > 0 || minutes > 0 {
        out.push_str(&format!("{minutes}m"));
    }
    out.push_str(&format!("{}s", fraction(sub_minute, 1_000_000_000)));
    out
}

/// `value / scale` printed with the shortest exact decimal fraction.
fn fraction(value: u128, scale: u128) -> String {
    let int = value / scale;
    let mut frac = value % scale;
    if frac == 0 {
        return int.to_string();
    }
    let mut digits = String::new();
    let mut s = scale;
    while frac > 0 {
        s /= 10;
        digits.push(char::from(b'0' + (frac / s) as u8));
        frac %= s;
    }
    format!("{int}.{digits}")
}

/// Serde helpers for a [`Duration`] carried as Go-format text (`"15s"`).
pub mod text {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;

    /// Serializes as `"15s"`.
    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::format(*d))
    }

    /// Deserializes from `"15s"`; an empty string is zero.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let s = String::deserialize(d)?;
        if s.is_empty() {
            return Ok(Duration::ZERO);
        }
        super::parse(&s).map_err(serde::de::Error::custom)
    }

    /// The same for an optional duration; `None` and `""` map to each other.
    pub mod option {
        use serde::{Deserialize, Deserializer, Serializer};
        use std::time::Duration;

        /// Serializes `Some(d)` as `"15s"` and `None` as nothing (pair with `skip_serializing_if`).
        pub fn serialize<S: Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
            match d {
                Some(d) => s.serialize_str(&super::super::format(*d)),
                None => s.serialize_none(),
            }
        }

        /// Deserializes `"15s"`; `null` and `""` become `None`.
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
            match Option::<String>::deserialize(d)? {
                None => Ok(None),
                Some(s) if s.is_empty() => Ok(None),
                Some(s) => super::super::parse(&s)
                    .map(Some)
                    .map_err(serde::de::Error::custom),
            }
        }
    }
}

/// Serde helpers for a [`Duration`] carried as integer nanoseconds (Go's JSON encoding of
/// `time.Duration`, used for example by a session's `LockDelay`).
pub mod nanos {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;

    /// Serializes as integer nanoseconds.
    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
    }

    /// Deserializes integer nanoseconds; negative values are clamped to zero.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let n = i64::deserialize(d)?;
        Ok(Duration::from_nanos(n.max(0) as u64))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_go_examples() {
        let cases = [
            ("0", Duration::ZERO),
            ("0s", Duration::ZERO),
            ("5s", Duration::from_secs(5)),
            ("30s", Duration::from_secs(30)),
            ("1478s", Duration::from_secs(1478)),
            ("+5s", Duration::from_secs(5)),
            ("1.0s", Duration::from_secs(1)),
            ("1.5s", Duration::from_millis(1500)),
            (".5s", Duration::from_millis(500)),
            ("1.004s", Duration::from_millis(1004)),
            ("100.00100s", Duration::from_millis(100_001)),
            ("10ns", Duration::from_nanos(10)),
            ("11us", Duration::from_micros(11)),
            ("12µs", Duration::from_micros(12)),
            ("13ms", Duration::from_millis(13)),
            ("14s", Duration::from_secs(14)),
            ("15m", Duration::from_secs(900)),
            ("16h", Duration::from_secs(57_600)),
            ("3h30m", Duration::from_secs(12_600)),
            ("10.5s4m", Duration::from_millis(250_500)),
            ("1h1m1s1ms1us1ns", Duration::new(3661, 1_001_001)),
            ("39h9m14.425s", Duration::from_millis(140_954_425)),
            ("24h", Duration::from_secs(86_400)),
        ];
        for (text, want) in cases {
            assert_eq!(parse(text).unwrap(), want, "{text}");
        }
    }

    #[test]
    fn rejects_bad_input() {
        for bad in [
            "",
            "3",
            "-",
            "s",
            ".",
            "-1s",
            "-.5s",
            "1x",
            "1.2.3s",
            "10 s",
            "1ss",
            "ms5",
            "99999999999999999999999h",
        ] {
            assert!(
                matches!(parse(bad), Err(ValidationError::InvalidDuration { .. })),
                "{bad:?} should be rejected"
            );
        }
    }

    #[test]
    fn formats_like_go() {
        let cases = [
            (Duration::ZERO, "0s"),
            (Duration::from_nanos(1), "1ns"),
            (Duration::from_nanos(1100), "1.1µs"),
            (Duration::from_micros(2200), "2.2ms"),
            (Duration::from_millis(3300), "3.3s"),
            (Duration::from_secs(10), "10s"),
            (Duration::from_secs(90), "1m30s"),
            (Duration::from_secs(240), "4m0s"),
            (
                Duration::from_secs(4 * 60 + 5) + Duration::from_millis(1),
                "4m5.001s",
            ),
            (
                Duration::from_secs(5 * 3600 + 6 * 60 + 7) + Duration::from_millis(1),
                "5h6m7.001s",
            ),
            (Duration::from_secs(86_400), "24h0m0s"),
        ];
        for (d, want) in cases {
            assert_eq!(format(d), want);
        }
    }

    #[test]
    fn round_trips() {
        for text in [
            "10s",
            "1m30s",
            "1.5s",
            "250ms",
            "24h0m0s",
            "15µs",
            "7ns",
            "2h0m1.25s",
        ] {
            assert_eq!(format(parse(text).unwrap()), text);
        }
    }

    // Found by the property tests (tests/prop_options.rs).

    #[test]
    fn a_fraction_past_the_largest_whole_number_is_refused_not_a_panic() {
        // The whole part alone fits u128 nanoseconds; the fraction overflowed it (an
        // arithmetic overflow panic in debug builds).
        let err = parse("94522879700260684295381835.9h").unwrap_err();
        assert!(err.to_string().contains("too large"), "{err}");
    }

    #[test]
    fn fractions_are_scaled_as_go_scales_them() {
        // Scaled digit by digit, 0.00000000002m was 0 ns and 0.999999999999h 5 ns short;
        // Go's time.ParseDuration gives 1 ns and 3599999999996 ns.
        assert_eq!(parse(".00000000002m").unwrap(), Duration::from_nanos(1));
        assert_eq!(
            parse("0.999999999999h").unwrap(),
            Duration::from_nanos(3_599_999_999_996)
        );
        // Go ignores the digits of a fraction past what fits 63 bits.
        assert_eq!(
            parse("1.0000000000000000001234s").unwrap(),
            Duration::from_secs(1)
        );
    }
}

//! Parsing numbers typed by people: plain ASCII decimals only.
//!
//! The accepted form is, after surrounding whitespace is ignored:
//!
//! ```text
//! [+|-] ( digits [ "." [digits] ] | "." digits ) [ ("e"|"E") [+|-] digits ]
//! ```
//!
//! Everything else is refused with a message that names the input and a hint
//! that says how to write it: `NaN`, `inf`, `infinity`, values too large for
//! a 64-bit float (`1e309`), empty input, non-ASCII digits (`１２`),
//! thousands separators (`1,000`), hexadecimal (`0x1F`) and a trailing `%`.
//! `-0` is read as `0`: negative zero never enters the model.

use crate::error::{Error, Result};

const PLAIN_HINT: &str = "write a plain decimal number such as 42, -3.5 or 1.2e6";

/// Parse a plain ASCII decimal number (see the module documentation for the
/// accepted form). The result is always finite and never negative zero.
pub fn parse_number(s: &str) -> Result<f64> {
    let text = s.trim_matches(|c: char| c.is_ascii_whitespace());
    if text.is_empty() {
        return Err(Error::invalid("empty number").with_hint(PLAIN_HINT));
    }
    if let Some(err) = explain_rejection(s, text) {
        return Err(err);
    }
    let value: f64 = text
        .parse()
        .map_err(|_| Error::invalid(format!("'{s}' is not a number")).with_hint(PLAIN_HINT))?;
    if !value.is_finite() {
        return Err(
            Error::invalid(format!("'{s}' is too large to be stored as a number"))
                .with_hint("the largest magnitude accepted is about 1.7e308"),
        );
    }
    Ok(normalise_zero(value))
}

/// Check that a value read from a file (or computed elsewhere) is finite,
/// naming it in the error. Negative zero is returned as zero.
pub fn check_finite(name: &str, v: f64) -> Result<f64> {
    if v.is_nan() {
        return Err(Error::invalid(format!("{name} is not a number (NaN)"))
            .with_hint(format!("give {name} a finite number such as 0 or 12.5")));
    }
    if v.is_infinite() {
        return Err(Error::invalid(format!("{name} is infinite"))
            .with_hint(format!("give {name} a finite number such as 0 or 12.5")));
    }
    Ok(normalise_zero(v))
}

/// `-0.0` becomes `0.0`; every other value is returned unchanged.
fn normalise_zero(v: f64) -> f64 {
    if v == 0.0 { 0.0 } else { v }
}

/// Whether `text` (already trimmed, non-empty) has the accepted shape.
fn is_plain_decimal(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    let int_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let int_digits = i - int_start;
    let mut frac_digits = 0;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let frac_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        frac_digits = i - frac_start;
    }
    if int_digits + frac_digits == 0 {
        return false;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        let exp_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == exp_start {
            return false;
        }
    }
    i == b.len()
}

/// If `text` is not a plain decimal, an error explaining why; `original` is
/// the input as given, quoted in the message.
fn explain_rejection(original: &str, text: &str) -> Option<Error> {
    if is_plain_decimal(text) {
        return None;
    }
    let unsigned = text.trim_start_matches(['+', '-']);
    let lower = unsigned.to_ascii_lowercase();
    let err = if lower == "nan" {
        Error::invalid(format!(
            "'{original}' is not a number (NaN is not accepted)"
        ))
        .with_hint(PLAIN_HINT)
    } else if lower == "inf" || lower == "infinity" {
        Error::invalid(format!(
            "'{original}' is infinite; only finite numbers are accepted"
        ))
        .with_hint(PLAIN_HINT)
    } else if !text.is_ascii() {
        Error::invalid(format!(
            "'{original}' contains non-ASCII characters; only the digits 0-9 are accepted"
        ))
        .with_hint("retype the number with ASCII digits, e.g. 12 rather than １２")
    } else if lower.starts_with("0x") || lower.starts_with("0o") || lower.starts_with("0b") {
        Error::invalid(format!(
            "'{original}' is not a decimal number (hexadecimal, octal and binary are not accepted)"
        ))
        .with_hint("write the value in decimal, e.g. 31 rather than 0x1F")
    } else if text.contains(',') || text.contains('_') || text.contains(' ') {
        let digits: String = text
            .chars()
            .filter(|c| !matches!(c, ',' | '_' | ' '))
            .collect();
        Error::invalid(format!(
            "'{original}' contains a separator; thousands separators are not accepted"
        ))
        .with_hint(format!(
            "write the number without separators, e.g. {digits}, and use '.' for decimals"
        ))
    } else if text.ends_with('%') {
        Error::invalid(format!(
            "'{original}' has a '%' sign; numbers are written plain"
        ))
        .with_hint(format!(
            "write {} (a percent measure holds 0-100)",
            text.trim_end_matches('%').trim()
        ))
    } else {
        Error::invalid(format!("'{original}' is not a number")).with_hint(PLAIN_HINT)
    };
    Some(err)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use proptest::prelude::*;

    fn ok(s: &str) -> f64 {
        parse_number(s).unwrap_or_else(|e| panic!("{s:?} should parse: {e}"))
    }

    fn bad(s: &str) -> Error {
        match parse_number(s) {
            Ok(v) => panic!("{s:?} should be rejected, got {v}"),
            Err(e) => {
                assert_eq!(e.kind(), ErrorKind::Invalid, "{s:?}");
                assert_eq!(e.exit_code(), 2);
                assert!(e.hint().is_some(), "{s:?} has no hint");
                e
            }
        }
    }

    #[test]
    fn accepts_plain_decimals() {
        assert_eq!(ok("42"), 42.0);
        assert_eq!(ok("-3.5"), -3.5);
        assert_eq!(ok("+7"), 7.0);
        assert_eq!(ok("0.25"), 0.25);
        assert_eq!(ok(".5"), 0.5);
        assert_eq!(ok("5."), 5.0);
        assert_eq!(ok("1.2e6"), 1.2e6);
        assert_eq!(ok("1E-3"), 1e-3);
        assert_eq!(ok("2e+2"), 200.0);
        assert_eq!(ok("  12 "), 12.0);
        assert_eq!(ok("007"), 7.0);
        assert_eq!(ok("1.7976931348623157e308"), f64::MAX);
    }

    #[test]
    fn negative_zero_is_normalised() {
        for s in ["-0", "-0.0", "-0e5", "-1e-400"] {
            let v = ok(s);
            assert_eq!(v, 0.0);
            assert!(v.is_sign_positive(), "{s:?} gave negative zero");
        }
    }

    #[test]
    fn rejects_non_finite() {
        for s in ["NaN", "nan", "-nan", "inf", "-inf", "+Infinity", "infinity"] {
            let e = bad(s);
            assert!(e.message().contains(s), "{}", e.message());
        }
    }

    #[test]
    fn rejects_overflow() {
        let e = bad("1e309");
        assert!(e.message().contains("1e309"));
        assert!(e.message().contains("too large"));
        bad("-1e309");
        bad("1.8e308");
    }

    #[test]
    fn rejects_empty() {
        assert!(bad("").message().contains("empty"));
        assert!(bad("   ").message().contains("empty"));
    }

    #[test]
    fn rejects_non_ascii_digits() {
        let e = bad("１２");
        assert!(e.message().contains("１２"));
        assert!(e.message().contains("non-ASCII"));
        bad("٣");
        bad("12\u{00a0}000");
        bad("−5"); // U+2212 minus sign
    }

    #[test]
    fn rejects_thousands_separators() {
        let e = bad("1,000");
        assert!(e.message().contains("1,000"));
        assert!(e.hint().unwrap_or("").contains("1000"));
        bad("1_000");
        bad("1 000");
        bad("3,5");
    }

    #[test]
    fn rejects_hex_and_other_radixes() {
        let e = bad("0x1F");
        assert!(e.message().contains("0x1F"));
        assert!(e.message().contains("hexadecimal"));
        bad("0b101");
        bad("-0x10");
    }

    #[test]
    fn rejects_percent_and_junk() {
        let e = bad("50%");
        assert!(e.hint().unwrap_or("").contains("50"));
        for s in [
            "abc", "1.2.3", "e5", "1e", "1e+", "+", "-", ".", "--1", "1-", "1 e5", "$5",
        ] {
            let e = bad(s);
            assert!(e.message().contains(s), "{s:?}: {}", e.message());
        }
    }

    #[test]
    fn check_finite_names_the_field() {
        assert_eq!(check_finite("target", 3.0).unwrap(), 3.0);
        assert!(check_finite("target", -0.0).unwrap().is_sign_positive());
        let e = check_finite("target", f64::NAN).unwrap_err();
        assert!(e.message().contains("target"));
        assert_eq!(e.kind(), ErrorKind::Invalid);
        assert!(e.hint().is_some());
        let e = check_finite("baseline", f64::NEG_INFINITY).unwrap_err();
        assert!(e.message().contains("baseline"));
    }

    proptest! {
        #[test]
        fn never_panics(s in any::<String>()) {
            let _ = parse_number(&s);
        }

        #[test]
        fn never_panics_on_number_like(s in "[-+0-9.eE,_ %xX]{0,24}") {
            if let Ok(v) = parse_number(&s) {
                prop_assert!(v.is_finite());
            }
        }

        #[test]
        fn display_round_trips(x in any::<f64>().prop_filter("finite", |x| x.is_finite())) {
            let parsed = parse_number(&format!("{x}"));
            prop_assert_eq!(parsed, Ok(x));
        }

        #[test]
        fn exponent_form_round_trips(x in any::<f64>().prop_filter("finite", |x| x.is_finite())) {
            let parsed = parse_number(&format!("{x:e}"));
            prop_assert_eq!(parsed, Ok(x));
        }
    }
}

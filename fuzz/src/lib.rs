//! The bodies of yardstick's fuzz targets, as plain functions over bytes.
//!
//! Each `fuzz_targets/*.rs` calls one of these from `fuzz_target!`, and
//! `tests/input_props.rs` includes this file (`#[path]`) and feeds the same
//! functions with proptest, so the properties are checked by `cargo test` on
//! the stable toolchain as well as by `cargo fuzz`.
//!
//! Every body checks two kinds of property:
//!
//! - **no panic, and only input errors**: whatever the bytes, the parser
//!   returns, and an error is `ErrorKind::Invalid` (exit 2);
//! - **round trips** where the format has a writer: what parses, written
//!   back, parses to the same value (dates, periods, numbers, ratings, plan
//!   files, templates, exchange documents).
//!
//! A failed property panics (that is what a fuzzer reports).

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used, dead_code)]

use yardstick::domain::appraisal::{Level, Scale};
use yardstick::domain::{MeasureKind, parse_number};
use yardstick::formats::config::{Config, line_col};
use yardstick::formats::exchange::{self, Header, JsonWriter};
use yardstick::formats::planfile::{self, canonicalize, check_references, format_number};
use yardstick::formats::template::{self, DEFAULT, FRAPPE, OPM};
use yardstick::time::{
    Clock, NaiveDate, Weekday, format_date, parse_date, parse_date_end, parse_period,
};
use yardstick::{Error, ErrorKind};

/// The first days of the week a configuration may set.
pub const WEEK_STARTS: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];

/// An error from a parser must be an input error (exit 2) with a message.
#[track_caller]
fn input_error(e: &Error, input: &dyn std::fmt::Debug) {
    assert_eq!(
        e.kind(),
        ErrorKind::Invalid,
        "{input:?}: not an input error: {e}"
    );
    assert_eq!(e.exit_code(), 2, "{input:?}: {e}");
    assert!(!e.message().is_empty(), "{input:?}: empty message");
}

/// The text of `data` when it is UTF-8. Files are read as bytes and refused
/// before parsing when they are not UTF-8, and arguments arrive as `String`s,
/// so the parsers themselves only ever see valid UTF-8.
fn text(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data).ok()
}

/// A clock pinned to 2026-11-22 (the tests' "today"), week starting `ws`.
pub fn clock(ws: Weekday) -> Clock {
    Clock::fixed(
        NaiveDate::from_ymd_opt(2026, 11, 22).expect("valid date"),
        ws,
    )
}

/// Date expressions: `parse_date`, `parse_date_end` and `Clock::new`.
///
/// Round trip: a parsed date, written as ISO, parses back to itself; the end
/// reading of an expression is never before its start reading.
pub fn date(data: &[u8]) {
    let Some(s) = text(data) else { return };
    let ws = WEEK_STARTS[data.len() % 7];
    let c = clock(ws);
    let start = parse_date(s, &c);
    let end = parse_date_end(s, &c);
    for r in [&start, &end] {
        match r {
            Ok(d) => {
                let iso = format_date(*d);
                assert_eq!(parse_date(&iso, &c).ok(), Some(*d), "{s:?} -> {iso}");
                assert_eq!(parse_date_end(&iso, &c).ok(), Some(*d), "{s:?} -> {iso}");
            }
            Err(e) => {
                input_error(e, &s);
                assert!(e.hint().is_some(), "{s:?}: no hint");
            }
        }
    }
    match (&start, &end) {
        (Ok(a), Ok(b)) => assert!(a <= b, "{s:?}: start {a} after end {b}"),
        (Ok(_), Err(e)) | (Err(e), Ok(_)) => {
            panic!("{s:?}: parses as a start or an end but not both: {e}")
        }
        (Err(_), Err(_)) => {}
    }
    match Clock::new(Some(s), ws) {
        Ok(pinned) => {
            // A pinned clock's today is a date every expression can name.
            let iso = format_date(pinned.today);
            assert_eq!(parse_date(&iso, &c).ok(), Some(pinned.today), "{s:?}");
        }
        Err(e) => input_error(&e, &s),
    }
}

/// Built-in period names: `parse_period` for every week start.
///
/// Round trip: the canonical name of a parsed period parses to the same
/// period, and the period's name read as a date is its first day.
pub fn period(data: &[u8]) {
    let Some(s) = text(data) else { return };
    for ws in WEEK_STARTS {
        match parse_period(s, ws) {
            Ok(Some(p)) => {
                assert!(p.start <= p.end, "{s:?}: {p:?}");
                assert_eq!(
                    parse_period(&p.name, ws).ok(),
                    Some(Some(p.clone())),
                    "{s:?}"
                );
                let c = clock(ws);
                assert_eq!(parse_date(&p.name, &c).ok(), Some(p.start), "{s:?}");
                assert_eq!(parse_date_end(&p.name, &c).ok(), Some(p.end), "{s:?}");
            }
            Ok(None) => {}
            Err(e) => input_error(&e, &s),
        }
    }
}

/// Numbers: `parse_number`, and `parse_value` for every kind of measure.
///
/// Round trip: a parsed number is finite, never negative zero, and its
/// `Display`, exponent and plan-file forms parse back to exactly it.
pub fn number(data: &[u8]) {
    let Some(s) = text(data) else { return };
    match parse_number(s) {
        Ok(v) => {
            assert!(v.is_finite(), "{s:?} gave {v}");
            assert!(v != 0.0 || v.is_sign_positive(), "{s:?} gave negative zero");
            for form in [format!("{v}"), format!("{v:e}"), format_number(v)] {
                let back = parse_number(&form);
                assert!(
                    back.as_ref().is_ok_and(|b| b.to_bits() == v.to_bits()),
                    "{s:?} -> {v} -> {form:?} -> {back:?}"
                );
            }
        }
        Err(e) => {
            input_error(&e, &s);
            assert!(e.hint().is_some(), "{s:?}: no hint");
        }
    }
    for kind in MeasureKind::ALL {
        for max in [100.0, 200.0] {
            match yardstick::domain::value::parse_value(*kind, s, max) {
                Ok(v) => assert!(
                    v.is_finite() && (v != 0.0 || v.is_sign_positive()),
                    "{kind:?} {s:?} gave {v}"
                ),
                Err(e) => input_error(&e, &s),
            }
        }
    }
}

/// The scales of the three shipped templates.
pub fn shipped_scales() -> Vec<Scale> {
    [DEFAULT, OPM, FRAPPE]
        .iter()
        .map(|t| {
            template::parse(t, "shipped")
                .expect("shipped template")
                .scale
        })
        .collect()
}

/// A scale made from the first bytes of `data` (up to 6 levels, values from
/// -4 to 11 in halves, half steps when the first byte is odd), and the rest.
/// Only scales with ascending, distinct values and labels are returned,
/// like the ones a valid template holds.
pub fn scale_from(data: &[u8]) -> Option<(Scale, &[u8])> {
    let (&head, rest) = data.split_first()?;
    let n = usize::from(head >> 5).min(6).min(rest.len());
    let (levels, rest) = rest.split_at(n);
    let mut values: Vec<f64> = levels
        .iter()
        .map(|b| f64::from(b % 32) / 2.0 - 4.0)
        .collect();
    values.sort_by(f64::total_cmp);
    values.dedup();
    let scale = Scale {
        levels: values
            .iter()
            .enumerate()
            .map(|(i, &value)| Level {
                value,
                label: format!(
                    "Level {}",
                    ["one", "two", "three", "four", "five", "six"][i]
                ),
            })
            .collect(),
        half_steps: head & 1 == 1,
        continuous: false,
    };
    Some((scale, rest))
}

/// Check one rating string against one scale: no panic, an input error
/// naming the scale's levels, or an allowed value that reads back.
pub fn rating_on(scale: &Scale, s: &str) {
    match scale.parse_rating(s) {
        Ok(v) => {
            assert!(
                scale.allowed().contains(&v),
                "{s:?} gave {v}, not among {:?}",
                scale.allowed()
            );
            assert!(v != 0.0 || v.is_sign_positive(), "{s:?} gave negative zero");
            assert_eq!(scale.parse_rating(&format!("{v}")).ok(), Some(v), "{s:?}");
            assert_eq!(scale.check(v).ok(), Some(v), "{s:?}");
        }
        Err(e) => {
            input_error(&e, &s);
            assert!(e.hint().is_some(), "{s:?}: no hint");
        }
    }
}

/// Ratings: `Scale::parse_rating` on the shipped scales and on a scale made
/// from the input's first bytes.
pub fn rating(data: &[u8]) {
    if let Some(s) = text(data) {
        for scale in shipped_scales() {
            rating_on(&scale, s);
        }
    }
    if let Some((scale, rest)) = scale_from(data) {
        if let Some(s) = text(rest) {
            rating_on(&scale, s);
        }
        let _ = scale.describe();
    }
}

/// Plan files: `planfile::parse` and `check_references`.
///
/// Round trip: a parsed plan, written canonically, parses back to its
/// canonical form, and writing that again gives the same text.
pub fn plan_toml(data: &[u8]) {
    let Some(s) = text(data) else { return };
    match planfile::parse(s, "fuzz.toml") {
        Ok((plan, positions)) => {
            let text = planfile::to_toml(&plan);
            let back = match planfile::parse(&text, "canonical.toml") {
                Ok((back, _)) => back,
                Err(e) => panic!("{s:?}: the canonical text does not parse: {e}\n{text}"),
            };
            assert_eq!(back, canonicalize(&plan), "{s:?}\n{text}");
            assert_eq!(planfile::to_toml(&back), text, "{s:?}");
            if let Err(e) = check_references(&plan, &positions, "fuzz.toml") {
                input_error(&e, &s);
            }
        }
        Err(e) => input_error(&e, &s),
    }
}

/// Review templates: `template::parse`.
///
/// Round trip: a parsed template, written canonically, parses back to the
/// same template, and the canonical text is a fixed point.
pub fn template_toml(data: &[u8]) {
    let Some(s) = text(data) else { return };
    match template::parse(s, "fuzz.toml") {
        Ok(t) => {
            assert!(t.validate().is_ok(), "{s:?}: parsed but invalid");
            let text = template::to_toml(&t);
            let back = match template::parse(&text, "canonical.toml") {
                Ok(back) => back,
                Err(e) => panic!("{s:?}: the canonical text does not parse: {e}\n{text}"),
            };
            assert_eq!(back, t, "{s:?}\n{text}");
            assert_eq!(template::to_toml(&back), text, "{s:?}");
            for v in t.scale.allowed() {
                rating_on(&t.scale, &format!("{v}"));
            }
        }
        Err(e) => input_error(&e, &s),
    }
}

/// Exchange documents (`yardstick import`): `exchange::parse` on raw bytes
/// (the importer streams the file; invalid UTF-8 is its to refuse).
///
/// Round trip: a parsed document's records (with their revisions) and
/// deletions, written again by the exporter's `JsonWriter`, parse back to
/// the same.
pub fn import_json(data: &[u8]) {
    match exchange::parse(data, "fuzz.json") {
        Ok(parsed) => {
            let mut out = Vec::new();
            let mut w = JsonWriter::begin(&mut out, &Header::default()).expect("write to memory");
            for (r, revs) in parsed.records.iter().zip(&parsed.revs) {
                w.record(r, revs).expect("write to memory");
            }
            for t in &parsed.deletions {
                w.deletion(t).expect("write to memory");
            }
            w.finish().expect("write to memory");
            let back = match exchange::parse(out.as_slice(), "again.json") {
                Ok(back) => back,
                Err(e) => panic!(
                    "written again, the document does not parse: {e}\n{}",
                    String::from_utf8_lossy(&out)
                ),
            };
            assert_eq!(back.records, parsed.records);
            assert_eq!(back.revs, parsed.revs);
            assert_eq!(back.deletions, parsed.deletions);
        }
        Err(e) => input_error(&e, &String::from_utf8_lossy(data)),
    }
}

/// The configuration file: `Config::parse`, and `line_col` at every offset
/// an error may point to.
pub fn config_toml(data: &[u8]) {
    let Some(s) = text(data) else { return };
    match Config::parse(s, "config.toml") {
        Ok(c) => {
            let (a, o) = (
                c.pace.at_risk.unwrap_or(10.0),
                c.pace.off_track.unwrap_or(25.0),
            );
            assert!(a.is_finite() && o.is_finite() && a <= o, "{s:?}: {c:?}");
            assert!(c.pace.thresholds().validate().is_ok(), "{s:?}: {c:?}");
            assert_ne!(c.checkin.cadence_days, Some(0), "{s:?}");
        }
        Err(e) => input_error(&e, &s),
    }
    for offset in [0, s.len() / 2, s.len(), s.len() + 1] {
        let (line, col) = line_col(s, offset);
        assert!(line >= 1 && col >= 1, "{s:?} at {offset}");
    }
}

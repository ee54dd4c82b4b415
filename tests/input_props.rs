//! Input safety (quality.md, reliability 9; issue 7, point 3): every parser
//! of user input, on any input, returns without panicking and refuses with an
//! input error (exit 2); what it accepts reads back exactly.
//!
//! The checks are the bodies of the fuzz targets in `fuzz/src/lib.rs`
//! (included here), fed by proptest with arbitrary bytes and with inputs
//! shaped like the real thing (numbers, dates, period names, mangled plan
//! files, templates, exports and configurations), so `cargo test` runs
//! them on the stable toolchain and `cargo fuzz` runs them for longer.
//!
//! Round trips covered here: `parse_number` of `Display`, exponent, `Debug`
//! and plan-file forms of any finite `f64`; every allowed value and label of
//! a rating scale; plan files, templates, exports and their canonical
//! writers. Covered elsewhere and not repeated: ISO dates and period names
//! (`tests/time_props.rs`: `iso_date_round_trip`, `period_name_round_trip`),
//! generated plan files (`tests/planfile.rs`: `to_toml_round_trips`) and
//! generated templates (`tests/templates.rs`: `valid_templates_round_trip`),
//! and `parse_number` on `Display`/exponent forms inside `src/model/number.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

#[path = "../fuzz/src/lib.rs"]
mod bodies;

use proptest::prelude::*;
use std::sync::OnceLock;
use yardstick::ErrorKind;
use yardstick::domain::parse_number;
use yardstick::formats::config::Config;
use yardstick::formats::planfile::{self, canonicalize, format_number};
use yardstick::formats::template::{self, DEFAULT, FRAPPE, OPM};

// ------------------------------------------------------------ inputs

/// `examples/team-plan.toml`.
fn example_plan() -> &'static str {
    static TEXT: OnceLock<String> = OnceLock::new();
    TEXT.get_or_init(|| std::fs::read_to_string(common::example_plan()).expect("example plan"))
}

/// A real export of the demo database, made once by the binary.
fn demo_export() -> &'static str {
    static TEXT: OnceLock<String> = OnceLock::new();
    TEXT.get_or_init(|| {
        let env = common::Env::new();
        let db = env.db();
        env.run(&["demo", "--db", common::s(&db)]).ok();
        let out = env.path("demo.json");
        env.on(&db, &["export", "-o", common::s(&out)]).ok();
        std::fs::read_to_string(out).expect("export")
    })
}

/// A configuration setting every key.
const CONFIG: &str = "db = \"~/team.db\"\nuser = \"bob\"\nweek_start = \"monday\"\ncolor = \"never\"\n\
busy_timeout_ms = 5000\n\n[checkin]\ncadence_days = 7\npercent_max = 100\n\n[pace]\nat_risk = 10\noff_track = 25\n";

/// `base` with `len` bytes at `pos` replaced by `junk` (both clamped to
/// character boundaries), the way a careless edit or a bad merge mangles a
/// file.
fn mangle(base: &str, pos: usize, len: usize, junk: &str) -> String {
    let floor = |mut i: usize| {
        i = i.min(base.len());
        while !base.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let start = floor(pos % (base.len() + 1));
    let end = floor(start + len);
    format!("{}{junk}{}", &base[..start], &base[end..])
}

/// Junk typical of TOML and JSON: brackets, quotes, numbers, non-finite
/// words, non-ASCII digits and control characters.
const JUNK: &str =
    "([\\[\\]{}=\",:.#\n a-z0-9-]|nan|inf|-inf|1e309|-0|１２|\u{0}|\u{feff}|\u{202e}){0,6}";

fn all_bodies(data: &[u8]) {
    bodies::date(data);
    bodies::period(data);
    bodies::number(data);
    bodies::rating(data);
    bodies::plan_toml(data);
    bodies::template_toml(data);
    bodies::import_json(data);
    bodies::config_toml(data);
}

// ------------------------------------------------- no panic, any input

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn every_parser_survives_arbitrary_bytes(data in proptest::collection::vec(any::<u8>(), 0..256)) {
        all_bodies(&data);
    }

    #[test]
    fn every_parser_survives_arbitrary_text(s in any::<String>()) {
        all_bodies(s.as_bytes());
    }

    #[test]
    fn every_parser_survives_printable_text(s in "\\PC{0,64}") {
        all_bodies(s.as_bytes());
    }

    #[test]
    fn numbers_shaped_like_numbers(
        s in "[ \t]?[-+]?([0-9]{0,30}|[0-9]{300,320})(\\.[0-9]{0,30})?([eE][-+]?[0-9]{0,5})?[ %]?"
    ) {
        bodies::number(s.as_bytes());
        bodies::rating(s.as_bytes());
    }

    #[test]
    fn numbers_with_lookalike_characters(
        s in "[-+−0-9０-９٠-٩.,_ eExX%\u{a0}\u{2009}]{0,16}|(-|\\+)?(nan|NaN|inf|Inf|infinity|INFINITY)"
    ) {
        bodies::number(s.as_bytes());
    }

    #[test]
    fn dates_and_periods_shaped_like_names(
        s in "[0-9]{0,6}(-[0-9WwQqHh]{0,3}(-[0-9]{0,3})?)?|[0-9]{4}-(W|Q|H)[0-9]{1,3}|[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{0,8}(Z|[+-][0-9]{2}:[0-9]{2})?",
    ) {
        bodies::date(s.as_bytes());
        bodies::period(s.as_bytes());
    }

    #[test]
    fn ratings_on_made_up_scales(head in any::<u8>(), levels in proptest::collection::vec(any::<u8>(), 0..7), s in "[-+]?[0-9]{0,2}(\\.[05]{0,2})?|[A-Za-z ]{0,16}") {
        let mut data = vec![head];
        data.extend(&levels);
        data.extend(s.as_bytes());
        bodies::rating(&data);
    }

    #[test]
    fn mangled_plan_files(pos in any::<usize>(), len in 0usize..16, junk in JUNK) {
        bodies::plan_toml(mangle(example_plan(), pos, len, &junk).as_bytes());
    }

    #[test]
    fn mangled_templates(which in 0usize..3, pos in any::<usize>(), len in 0usize..16, junk in JUNK) {
        let base = [DEFAULT, OPM, FRAPPE][which];
        bodies::template_toml(mangle(base, pos, len, &junk).as_bytes());
    }

    #[test]
    fn mangled_configurations(pos in any::<usize>(), len in 0usize..16, junk in JUNK) {
        bodies::config_toml(mangle(CONFIG, pos, len, &junk).as_bytes());
    }

    #[test]
    fn configuration_values(
        key in "(db|user|week_start|color|busy_timeout_ms|checkin\\.cadence_days|checkin\\.percent_max|pace\\.at_risk|pace\\.off_track|colour|pace\\.ontrack)",
        value in "(-?[0-9]{1,25}(\\.[0-9]{0,5})?(e[0-9]{1,4})?|nan|inf|-inf|\"[a-z ~/]{0,8}\"|true|\\[\\]|\\{\\})",
    ) {
        bodies::config_toml(format!("{key} = {value}\n").as_bytes());
    }

    #[test]
    fn mangled_exports(pos in any::<usize>(), len in 0usize..16, junk in JUNK) {
        bodies::import_json(mangle(demo_export(), pos, len, &junk).as_bytes());
    }

    #[test]
    fn exports_with_invalid_utf8(pos in any::<usize>(), bytes in proptest::collection::vec(128u8..=255, 1..4)) {
        let base = demo_export().as_bytes();
        let at = pos % base.len();
        let mut data = base[..at].to_vec();
        data.extend(&bytes);
        data.extend(&base[at..]);
        bodies::import_json(&data);
    }
}

// ------------------------------------------------------------ round trips

fn finite() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>().prop_filter("finite", |x| x.is_finite()),
        // Subnormals and the edges of the range.
        (any::<u64>()).prop_map(|b| f64::from_bits(b & 0x000f_ffff_ffff_ffff)),
        Just(f64::MAX),
        Just(f64::MIN),
        Just(f64::MIN_POSITIVE),
        Just(f64::EPSILON),
        // Human-sized values with few decimals.
        (-1_000_000i64..1_000_000, 0u32..4).prop_map(|(m, d)| m as f64 / 10f64.powi(d as i32)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    /// `parse_number(format(x)) == x`, bit for bit, for every way yardstick
    /// or Rust writes a finite number (negative zero reads as zero).
    #[test]
    fn number_round_trips(x in finite()) {
        let want = if x == 0.0 { 0.0 } else { x };
        for form in [format!("{x}"), format!("{x:e}"), format!("{x:E}"), format!("{x:?}"), format_number(x), format!("  {x}\t")] {
            let got = parse_number(&form);
            prop_assert!(
                got.as_ref().is_ok_and(|g| g.to_bits() == want.to_bits()),
                "{x:?} written {form:?} read {got:?}"
            );
        }
    }
}

#[test]
fn negative_zero_reads_as_zero() {
    for s in [
        "-0", "-0.0", "-.0", "-0e0", "-0E+5", "-1e-400", " -0 ", "+0",
    ] {
        let v = parse_number(s).unwrap();
        assert_eq!(v.to_bits(), 0f64.to_bits(), "{s:?} gave {v:?}");
    }
}

#[test]
fn every_allowed_value_and_label_of_the_shipped_scales_parses() {
    for scale in bodies::shipped_scales() {
        for v in scale.allowed() {
            for form in [
                format!("{v}"),
                format!("{v:?}"),
                format!("{v:e}"),
                format!(" {v} "),
            ] {
                assert_eq!(scale.parse_rating(&form).unwrap(), v, "{form:?}");
            }
        }
        for l in &scale.levels {
            let spaced = l.label.replace(' ', "  ");
            for form in [
                l.label.clone(),
                l.label.to_uppercase(),
                l.label.to_lowercase(),
                format!("\t{spaced} "),
            ] {
                assert_eq!(scale.parse_rating(&form).unwrap(), l.value, "{form:?}");
            }
        }
        // Just outside, between, and beyond: refused as input errors.
        let (lo, hi) = (scale.min(), scale.max());
        for bad in [lo - 1.0, hi + 1.0, hi + 0.5, lo + 0.25] {
            let e = scale.parse_rating(&format!("{bad}")).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Invalid);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// On any valid scale, every allowed value and every label parses to
    /// that value, and nothing else numeric does.
    #[test]
    fn every_allowed_value_and_label_parses(head in any::<u8>(), levels in proptest::collection::vec(any::<u8>(), 1..7), probe in (-40i32..60).prop_map(|q| f64::from(q) / 4.0)) {
        let mut data = vec![head | 0b1110_0000];
        data.extend(&levels);
        let (scale, _) = bodies::scale_from(&data).unwrap();
        let allowed = scale.allowed();
        for &v in &allowed {
            prop_assert_eq!(scale.parse_rating(&format!("{v}")).ok(), Some(v));
        }
        for l in &scale.levels {
            prop_assert_eq!(scale.parse_rating(&l.label.to_uppercase()).ok(), Some(l.value));
        }
        let r = scale.parse_rating(&format!("{probe}"));
        prop_assert_eq!(r.is_ok(), allowed.contains(&probe), "{} -> {:?}", probe, r);
    }
}

#[test]
fn the_example_plan_round_trips() {
    let (plan, _) = planfile::parse(example_plan(), "team-plan.toml").unwrap();
    assert!(!plan.goals.is_empty());
    let text = planfile::to_toml(&plan);
    let (back, _) = planfile::parse(&text, "canonical.toml").unwrap();
    assert_eq!(back, canonicalize(&plan));
    assert_eq!(planfile::to_toml(&back), text);
    bodies::plan_toml(example_plan().as_bytes());
}

#[test]
fn the_shipped_templates_round_trip() {
    for base in [DEFAULT, OPM, FRAPPE] {
        let t = template::parse(base, "shipped.toml").unwrap();
        let text = template::to_toml(&t);
        assert_eq!(template::parse(&text, "canonical.toml").unwrap(), t);
        assert_eq!(
            template::to_toml(&template::parse(&text, "again").unwrap()),
            text
        );
        bodies::template_toml(base.as_bytes());
    }
}

#[test]
fn a_real_export_round_trips() {
    let parsed =
        yardstick::formats::exchange::parse(demo_export().as_bytes(), "demo.json").unwrap();
    assert!(parsed.records.len() > 100, "{}", parsed.records.len());
    bodies::import_json(demo_export().as_bytes());
}

#[test]
fn the_sample_configuration_parses() {
    let c = Config::parse(CONFIG, "config.toml").unwrap();
    assert_eq!(c.user.as_deref(), Some("bob"));
    assert_eq!(c.checkin.cadence_days, Some(7));
    bodies::config_toml(CONFIG.as_bytes());
}

/// The bad values of the issue, through every parser: refused (or, for
/// `-0`, read as zero), never a panic.
#[test]
fn the_corpus_of_bad_values() {
    for s in [
        "NaN",
        "nan",
        "-NaN",
        "inf",
        "-inf",
        "+inf",
        "Infinity",
        "1e309",
        "-1e309",
        "１２",
        "٣",
        "1,000",
        "0x1F",
        "50%",
        "",
        " ",
        "2026-02-30",
        "2026-13-01",
        "2026-W54",
        "2026-Q5",
        "2026-H3",
        "0000",
        "10000-01-01",
        "\u{0}",
        "\u{feff}12",
        "1\u{0}2",
    ] {
        all_bodies(s.as_bytes());
        if s != "0000" {
            assert!(parse_number(s).is_err(), "{s:?} accepted");
        }
    }
    let long = "9".repeat(1 << 20);
    all_bodies(long.as_bytes());
    assert!(parse_number(&long).is_err(), "a million nines is too large");
    all_bodies(&[0xff, 0xfe, b'1', 0xc3, 0x28]);
}

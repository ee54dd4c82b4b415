//! Review template files: the shipped examples, every rejection with its
//! line and column, the canonical round trip, and robustness of the parser
//! and of the appraisal engine on arbitrary input.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use proptest::prelude::*;
use yardstick::ErrorKind;
use yardstick::domain::appraisal::{
    Competency, ComponentWeights, GoalInput, GoalMapping, Inputs, Level, Rating, ReviewInput,
    Scale, SummaryRule, Template, appraise,
};
use yardstick::domain::{Component, MissingRule, ReviewKind};
use yardstick::formats::template::{DEFAULT, FRAPPE, OPM, default_template, parse, to_toml};

fn example(name: &str) -> String {
    let path = format!(
        "{}/examples/templates/{name}.toml",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn the_three_examples_parse() {
    let d = parse(&example("default"), "default.toml").unwrap();
    assert_eq!(d.name, "Default");
    assert_eq!(d.scale.levels.len(), 5);
    assert_eq!(d.scale.levels[2].label, "Meets expectations");
    assert_eq!(d.competencies.len(), 4);
    assert_eq!(d.anonymity_threshold, 3);
    assert_eq!(d.missing, MissingRule::Renormalize);
    assert_eq!(
        (
            d.weights.goals,
            d.weights.self_review,
            d.weights.manager,
            d.weights.peer
        ),
        (40.0, 10.0, 40.0, 10.0)
    );
    assert_eq!(default_template().unwrap(), d);
    assert_eq!(parse(DEFAULT, "d").unwrap(), d);

    let o = parse(&example("opm"), "opm.toml").unwrap();
    let labels: Vec<&str> = o.scale.levels.iter().map(|l| l.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "Unacceptable",
            "Minimally Successful",
            "Fully Successful",
            "Exceeds Fully Successful",
            "Outstanding"
        ]
    );
    assert!(o.summary.critical_elements);
    assert!(o.competencies.iter().filter(|c| c.critical).count() >= 2);
    assert_eq!(o.weights.competencies, 100.0);
    assert_eq!(parse(OPM, "o").unwrap(), o);

    let f = parse(&example("frappe"), "frappe.toml").unwrap();
    assert!(f.scale.half_steps);
    assert_eq!((f.scale.min(), f.scale.max()), (0.0, 5.0));
    assert_eq!(f.missing, MissingRule::Zero);
    assert_eq!(f.anonymity_threshold, 1);
    let weights: Vec<f64> = f.competencies.iter().map(|c| c.weight).collect();
    assert_eq!(weights, [70.0, 30.0]);
    assert_eq!(parse(FRAPPE, "f").unwrap(), f);
}

#[test]
fn examples_round_trip_through_canonical_toml() {
    for name in ["default", "opm", "frappe", "frappe-formula"] {
        let t = parse(&example(name), name).unwrap();
        let text = to_toml(&t);
        assert_eq!(parse(&text, name).unwrap(), t, "{name}:\n{text}");
        // Canonical: writing it again gives the same text.
        assert_eq!(to_toml(&parse(&text, name).unwrap()), text);
    }
}

#[test]
fn defaults_fill_what_is_left_out() {
    let t = parse(
        "name = \"Minimal\"\n[scale]\nlevels = [ { value = 1, label = \"Low\" }, { value = 2, label = \"Mid\" }, { value = 3, label = \"High\" } ]\n[weights]\nmanager = 100\n",
        "m.toml",
    )
    .unwrap();
    assert_eq!(t.anonymity_threshold, 3);
    assert_eq!(t.missing, MissingRule::Renormalize);
    assert!(!t.scale.half_steps);
    assert_eq!(t.goals, GoalMapping::Linear);
    assert!(!t.summary.critical_elements);
    assert_eq!(t.summary.thresholds, [(1.0, 1.0), (1.5, 2.0), (2.5, 3.0)]);
    assert!(t.competencies.is_empty());
    assert_eq!(t.weights.goals, 0.0);
}

const BASE: &str = r#"name = "Test"
anonymity_threshold = 3
missing = "renormalize"

[scale]
half_steps = false
levels = [
  { value = 1, label = "Low" },
  { value = 2, label = "Mid" },
  { value = 3, label = "High" },
]

[weights]
goals = 40
manager = 40
competencies = 20

[goals]
mapping = "thresholds"
thresholds = [
  { attainment = 0, level = 1 },
  { attainment = 0.5, level = 2 },
  { attainment = 1, level = 3 },
]

[summary]
critical_elements = true
thresholds = [
  { min = 1, level = 1 },
  { min = 1.5, level = 2 },
  { min = 2.5, level = 3 },
]

[[competency]]
key = "craft"
name = "Craft"
critical = true
weight = 60

[[competency]]
key = "care"
name = "Care"
description = "Looks after people."
weight = 40
"#;

/// `BASE` with `old` replaced by `new` (which must occur exactly once).
fn variant(old: &str, new: &str) -> String {
    assert_eq!(BASE.matches(old).count(), 1, "`{old}` must occur once");
    BASE.replacen(old, new, 1)
}

/// The error for `text`, which must be rejected as invalid input with a
/// hint, starting with `t.toml:LINE:COL:`.
fn reject(text: &str) -> String {
    let e = parse(text, "t.toml").expect_err("should be rejected");
    assert_eq!(e.kind(), ErrorKind::Invalid, "{e}");
    assert!(e.hint().is_some(), "no hint: {e}");
    e.message().to_string()
}

fn rejected_at(text: &str, at: &str, says: &str) {
    let msg = reject(text);
    assert!(
        msg.starts_with(&format!("t.toml:{at}: ")),
        "expected t.toml:{at}: …, got: {msg}"
    );
    assert!(msg.contains(says), "expected `{says}` in: {msg}");
}

#[test]
fn base_is_valid() {
    let t = parse(BASE, "t.toml").unwrap();
    assert_eq!(
        t.competencies[1].description.as_deref(),
        Some("Looks after people.")
    );
    assert_eq!(parse(&to_toml(&t), "t.toml").unwrap(), t);
}

#[test]
fn toml_and_shape_errors() {
    rejected_at(
        &variant("name = \"Test\"", "nmae = \"Test\""),
        "1:1",
        "unknown field",
    );
    rejected_at(
        &variant("manager = 40", "managr = 40"),
        "15:1",
        "unknown field",
    );
    rejected_at(
        &variant("goals = 40", "goals = \"forty\""),
        "14:9",
        "invalid type",
    );
    rejected_at(
        &variant("anonymity_threshold = 3", "anonymity_threshold = -1"),
        "2:23",
        "-1",
    );
    rejected_at(
        &variant("half_steps = false", "half_steps = 1"),
        "6:14",
        "invalid type",
    );
    rejected_at(
        &variant("weight = 40", "weight = 40\ncolour = \"red\""),
        "45:1",
        "colour",
    );
    rejected_at(
        &variant("{ value = 2, label = \"Mid\" }", "{ value = 2 }"),
        "9:3",
        "label",
    );
    rejected_at(
        &variant("missing = \"renormalize\"", "missing = \"ignore\""),
        "3:11",
        "unknown missing rule",
    );
    rejected_at(
        &variant("mapping = \"thresholds\"", "mapping = \"steps\""),
        "19:11",
        "unknown goal mapping",
    );
    // Syntax.
    rejected_at(&variant("goals = 40", "goals = = 40"), "14:9", "");
    // A required table left out.
    let no_weights = variant(
        "[weights]\ngoals = 40\nmanager = 40\ncompetencies = 20\n",
        "",
    );
    let msg = reject(&no_weights);
    assert!(
        msg.starts_with("t.toml:") && msg.contains("weights"),
        "{msg}"
    );
}

#[test]
fn numbers_that_are_not_finite() {
    rejected_at(
        &variant("{ value = 2,", "{ value = nan,"),
        "9:13",
        "level value NaN is not a finite number",
    );
    rejected_at(
        &variant("goals = 40", "goals = inf"),
        "14:9",
        "weight goals inf is not a finite number",
    );
    rejected_at(
        &variant("weight = 60", "weight = -inf"),
        "38:10",
        "not a finite number",
    );
    rejected_at(
        &variant("{ min = 1.5,", "{ min = nan,"),
        "30:11",
        "minimum score NaN",
    );
    rejected_at(
        &variant("{ attainment = 0.5,", "{ attainment = nan,"),
        "22:18",
        "attainment NaN",
    );
}

#[test]
fn weights() {
    // Not adding up: the [weights] table is pointed at.
    rejected_at(
        &variant("manager = 40", "manager = 30"),
        "13:1",
        "add up to 90, not 100",
    );
    rejected_at(
        &variant("manager = 40", "manager = 40.01"),
        "13:1",
        "add up to 100.01",
    );
    // Within the tolerance of 0.001, binary rounding notwithstanding.
    parse(&variant("manager = 40", "manager = 40.0005"), "t.toml").unwrap();
    parse(&variant("manager = 40", "manager = 39.999"), "t.toml").unwrap();
    parse(&variant("manager = 40", "manager = 40.001"), "t.toml").unwrap();
    rejected_at(
        &variant("manager = 40", "manager = 39.998"),
        "13:1",
        "add up to 99.998",
    );
    // [rounding] weights = 2: accepted when the total rounds to 100.00.
    let rounded = |m: &str| {
        variant("manager = 40", &format!("manager = {m}")) + "\n[rounding]\nweights = 2\n"
    };
    parse(&rounded("39.996"), "t.toml").unwrap();
    parse(&rounded("40.004"), "t.toml").unwrap();
    assert!(parse(&rounded("39.994"), "t.toml").is_err());
    rejected_at(
        &variant("goals = 40", "goals = -10\nself = 50"),
        "14:9",
        "outside 0 to 100",
    );
    rejected_at(
        &variant("goals = 40", "goals = 140\nself = -100"),
        "14:9",
        "outside 0 to 100",
    );
    // Competency weights not adding up: the first [[competency]] is pointed at.
    rejected_at(
        &variant("weight = 40", "weight = 30"),
        "34:1",
        "competency weights add up to 90",
    );
    rejected_at(
        &variant("weight = 40", "weight = 0"),
        "44:10",
        "outside (0, 100]",
    );
    // A competencies component without competencies.
    let none = BASE
        .split("[[competency]]")
        .next()
        .unwrap()
        .replace("critical_elements = true", "critical_elements = false");
    rejected_at(&none, "16:16", "no competencies");
}

#[test]
fn scale() {
    rejected_at(
        &variant("{ value = 2,", "{ value = 1,"),
        "9:13",
        "level value 1 is given twice",
    );
    rejected_at(
        &variant("{ value = 3,", "{ value = 0.5,"),
        "10:13",
        "below the level before it",
    );
    rejected_at(
        &variant("label = \"High\"", "label = \"LOW\""),
        "10:24",
        "level label 'LOW' is given twice",
    );
    rejected_at(
        &variant("label = \"High\"", "label = \"  \""),
        "10:24",
        "level label is empty",
    );
    rejected_at(
        &variant("label = \"High\"", "label = \"3\""),
        "10:24",
        "is a number",
    );
    let one = variant(
        "levels = [\n  { value = 1, label = \"Low\" },\n  { value = 2, label = \"Mid\" },\n  { value = 3, label = \"High\" },\n]",
        "levels = [ { value = 1, label = \"Low\" } ]",
    );
    rejected_at(&one, "7:10", "2 to 100 levels");
    rejected_at(
        &variant("{ value = 3,", "{ value = 3e9,"),
        "10:13",
        "too large",
    );
}

#[test]
fn thresholds() {
    // Summary thresholds out of order, by minimum and by level.
    rejected_at(
        &variant("{ min = 2.5,", "{ min = 1.2,"),
        "31:11",
        "not above the threshold before it",
    );
    rejected_at(
        &variant("{ min = 2.5, level = 3 }", "{ min = 2.5, level = 2 }"),
        "31:24",
        "level 2 is not above",
    );
    // A level that is not a scale level (half steps are ratings, not levels).
    rejected_at(
        &variant("{ min = 2.5, level = 3 }", "{ min = 2.5, level = 2.5 }"),
        "31:24",
        "not a level of the scale",
    );
    // The first threshold must cover the bottom of the scale; none above the top.
    rejected_at(
        &variant("{ min = 1, level = 1 }", "{ min = 1.2, level = 1 }"),
        "29:11",
        "above the bottom of the scale",
    );
    rejected_at(
        &variant("{ min = 2.5,", "{ min = 3.5,"),
        "31:11",
        "above the top of the scale",
    );
    rejected_at(
        &variant(
            "thresholds = [\n  { min = 1, level = 1 },\n  { min = 1.5, level = 2 },\n  { min = 2.5, level = 3 },\n]",
            "thresholds = []",
        ),
        "28:14",
        "at least one threshold",
    );
    // Goal thresholds.
    rejected_at(
        &variant(
            "{ attainment = 0.5, level = 2 }",
            "{ attainment = 0.5, level = 1.5 }",
        ),
        "22:31",
        "level 1.5 is not on the scale",
    );
    parse(
        &variant(
            "{ attainment = 0.5, level = 2 }",
            "{ attainment = 0.5, level = 1.5 }",
        )
        .replace("half_steps = false", "half_steps = true"),
        "t.toml",
    )
    .unwrap();
    rejected_at(
        &variant(
            "{ attainment = 0, level = 1 }",
            "{ attainment = 0.1, level = 1 }",
        ),
        "21:18",
        "starts at 0.1, not 0",
    );
    rejected_at(
        &variant(
            "{ attainment = 1, level = 3 }",
            "{ attainment = 0.4, level = 3 }",
        ),
        "23:18",
        "not above the threshold before it",
    );
    rejected_at(
        &variant(
            "{ attainment = 1, level = 3 }",
            "{ attainment = 1.5, level = 3 }",
        ),
        "23:18",
        "outside 0 to 1",
    );
    rejected_at(
        &variant(
            "{ attainment = 1, level = 3 }",
            "{ attainment = 1, level = 2 }",
        ),
        "23:29",
        "level 2 is not above",
    );
    rejected_at(
        &variant("mapping = \"thresholds\"", "mapping = \"linear\""),
        "20:14",
        "mapping is linear",
    );
    rejected_at(
        &variant(
            "thresholds = [\n  { attainment = 0, level = 1 },\n  { attainment = 0.5, level = 2 },\n  { attainment = 1, level = 3 },\n]",
            "",
        ),
        "18:1",
        "needs at least one threshold",
    );
}

#[test]
fn competencies_and_rules() {
    rejected_at(
        &variant("key = \"care\"", "key = \"craft\""),
        "41:7",
        "competency key 'craft' is given twice",
    );
    rejected_at(
        &variant("key = \"care\"", "key = \"Care!\""),
        "41:7",
        "not valid",
    );
    rejected_at(
        &variant("name = \"Care\"", "name = \"\""),
        "42:8",
        "competency name is empty",
    );
    rejected_at(
        &variant("name = \"Test\"", "name = \"  \""),
        "1:8",
        "name is empty",
    );
    rejected_at(
        &variant("name = \"Test\"", "name = \"a\\u0007b\""),
        "1:8",
        "control characters",
    );
    rejected_at(
        &variant("critical = true", "critical = false"),
        "27:21",
        "no competency is critical",
    );
    rejected_at(
        &variant("anonymity_threshold = 3", "anonymity_threshold = 0"),
        "2:23",
        "at least 1",
    );
    // Blank descriptions are left out.
    let t = parse(&variant("Looks after people.", "   "), "t.toml").unwrap();
    assert_eq!(t.competencies[1].description, None);
}

#[test]
fn validate_agrees_with_the_parser() {
    let mut t = parse(BASE, "t.toml").unwrap();
    t.validate().unwrap();
    t.weights.manager = 30.0;
    let e = t.validate().unwrap_err();
    assert!(e.message().contains("add up to 90"), "{e}");
    assert!(e.hint().is_some());
    let text = to_toml(&t);
    let pe = parse(&text, "x").unwrap_err();
    assert!(pe.message().ends_with(e.message()), "{pe} vs {e}");
}

// ------------------------------------------------------------- proptest

fn number() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => -10.0..110.0f64,
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
        1 => Just(-0.0),
        1 => Just(1e300),
        2 => (0u8..=10).prop_map(|v| f64::from(v) / 2.0),
    ]
}

fn template() -> impl Strategy<Value = Template> {
    let levels = proptest::collection::vec((number(), "[A-Za-z ]{0,8}"), 0..6);
    let comps = proptest::collection::vec(("[a-z][a-z0-9]{0,3}", any::<bool>(), number()), 0..4);
    let weights = proptest::collection::vec(number(), 6);
    let ths = proptest::collection::vec((number(), number()), 0..5);
    let goal_ths = proptest::option::of(proptest::collection::vec((number(), number()), 0..4));
    (
        levels,
        any::<bool>(),
        comps,
        weights,
        ths,
        goal_ths,
        any::<bool>(),
        0u32..5,
        any::<bool>(),
    )
        .prop_map(
            |(levels, half, comps, w, ths, goal_ths, crit, anon, zero)| Template {
                name: "P".into(),
                scale: Scale {
                    levels: levels
                        .into_iter()
                        .map(|(value, label)| Level { value, label })
                        .collect(),
                    half_steps: half,
                    continuous: false,
                },
                competencies: comps
                    .into_iter()
                    .map(|(key, critical, weight)| Competency {
                        name: key.to_uppercase(),
                        key,
                        description: None,
                        critical,
                        weight,
                    })
                    .collect(),
                weights: ComponentWeights {
                    goals: w[0],
                    self_review: w[1],
                    manager: w[2],
                    peer: w[3],
                    upward: w[4],
                    competencies: w[5],
                },
                missing: if zero {
                    MissingRule::Zero
                } else {
                    MissingRule::Renormalize
                },
                goals: goal_ths.map_or(GoalMapping::Linear, GoalMapping::Thresholds),
                summary: SummaryRule {
                    thresholds: ths,
                    critical_elements: crit,
                },
                anonymity_threshold: anon,
                calibration: Default::default(),
                merit: Vec::new(),
                conventions: Default::default(),
            },
        )
}

fn inputs() -> impl Strategy<Value = Inputs> {
    let goals = proptest::collection::vec((number(), proptest::option::of(number())), 0..4);
    let items = proptest::sample::select(vec!["g0", "g1", "g2", "craft", "care", "x", "a", "b"]);
    let rating = (items, number()).prop_map(|(item, value)| Rating {
        item: item.to_string(),
        value,
    });
    let review = (
        proptest::sample::select(ReviewKind::ALL.to_vec()),
        proptest::collection::vec(rating, 0..6),
    )
        .prop_map(|(kind, ratings)| ReviewInput { kind, ratings });
    (goals, proptest::collection::vec(review, 0..8)).prop_map(|(goals, reviews)| Inputs {
        goals: goals
            .into_iter()
            .enumerate()
            .map(|(i, (weight, attainment))| GoalInput {
                key: format!("g{i}"),
                weight,
                attainment,
            })
            .collect(),
        reviews,
    })
}

fn check_finite(a: &yardstick::domain::Appraisal) {
    let fine = |v: Option<f64>| v.is_none_or(f64::is_finite);
    assert!(
        fine(a.score) && fine(a.level) && fine(a.threshold_level),
        "{a:?}"
    );
    for c in &a.components {
        assert!(
            fine(c.value) && c.effective_weight.is_finite() && c.weight.is_finite(),
            "{a:?}"
        );
    }
    assert_eq!(a.components.len(), Component::ALL.len());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn parse_never_panics_on_arbitrary_text(s in "\\PC{0,200}") {
        let _ = parse(&s, "x.toml");
    }

    #[test]
    fn parse_never_panics_on_mutated_templates(pos in 0usize..2000, replacement in "[0-9a-z\"=.\\[\\]{}, \n-]{0,4}") {
        for base in [DEFAULT, OPM, FRAPPE, BASE] {
            let mut cut = pos.min(base.len());
            while !base.is_char_boundary(cut) {
                cut -= 1;
            }
            let text = format!("{}{}{}", &base[..cut], replacement, &base[cut..]);
            if let Ok(t) = parse(&text, "x.toml") {
                // Whatever parses is valid and round-trips.
                t.validate().unwrap();
                prop_assert_eq!(parse(&to_toml(&t), "x.toml").unwrap(), t);
            }
        }
    }

    #[test]
    fn valid_templates_round_trip(t in template()) {
        if t.validate().is_ok() {
            prop_assert_eq!(parse(&to_toml(&t), "x.toml").unwrap(), t);
        } else {
            prop_assert!(parse(&to_toml(&t), "x.toml").is_err());
        }
    }

    #[test]
    fn appraise_never_panics_or_gives_nan(t in template(), i in inputs()) {
        let a = appraise(&t, &i);
        check_finite(&a);
        // On a valid template, the score and every component lie on the scale
        // (or at 0 with missing = zero).
        if t.validate().is_ok() {
            let lo = t.scale.min().min(0.0) - 1e-9;
            let hi = t.scale.max() + 1e-9;
            if let Some(s) = a.score {
                prop_assert!(s >= lo && s <= hi, "{s} outside the scale");
                let total: f64 = a.components.iter().map(|c| c.effective_weight).sum();
                prop_assert!((total - 100.0).abs() < 1e-6, "effective weights add up to {total}");
            }
            if let Some(l) = a.level {
                prop_assert!(t.scale.is_level(l));
            }
        }
    }

    #[test]
    fn appraise_on_the_shipped_templates(i in inputs()) {
        for text in [DEFAULT, OPM, FRAPPE] {
            let t = parse(text, "x").unwrap();
            let a = appraise(&t, &i);
            check_finite(&a);
            if let Some(s) = a.score {
                prop_assert!(s >= t.scale.min().min(0.0) - 1e-9 && s <= t.scale.max() + 1e-9);
            }
        }
    }

    #[test]
    fn ratings_never_panic(t in template(), s in "\\PC{0,12}", v in number()) {
        let _ = t.scale.parse_rating(&s);
        if let Ok(r) = t.scale.check(v) {
            prop_assert!(r.is_finite());
        }
        let _ = t.scale.label(v);
    }
}

#[test]
fn a_bad_formula_is_refused_with_its_position() {
    let with = |f: &str| {
        variant("manager = 40", "manager = 40") + &format!("\n[score]\nformula = \"{f}\"\n")
    };
    let lines = variant("manager = 40", "manager = 40").lines().count();
    for (f, col, what) in [
        ("goals + sefl", 20, "unknown variable 'sefl'"),
        ("goals / 0", 18, "division by zero"),
        ("(goals + manager", 12, "syntax error"),
    ] {
        let e = parse(&with(f), "t.toml").unwrap_err();
        let want = format!("t.toml:{}:{col}:", lines + 3);
        assert!(
            e.message().starts_with(&want),
            "{f}: {} (want {want})",
            e.message()
        );
        assert!(e.message().contains(what), "{}", e.message());
        assert!(e.hint().unwrap_or("").contains("^ here"), "{:?}", e.hint());
    }
}

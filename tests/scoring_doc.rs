//! Checks every worked example in `docs/scoring.md` against the model.
//!
//! Examples live in fenced blocks with the info string `example`, one per
//! line: `KIND key=value ... => EXPECTED` (the grammar is described in the
//! document itself). Blank lines and lines starting with `#` are skipped.
//! Numbers are compared to 4 decimal places. The test fails if the document
//! has no examples, if a kind of example is missing, or if any example is
//! malformed or wrong; every failing line is reported with its line number.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::NaiveDate;
use std::collections::BTreeMap;
use yardstick::ErrorKind;
use yardstick::domain::appraisal::{
    GoalInput, Inputs, Rating, ReviewInput, Template, appraise, check_calibration, goal_level,
    root_goals, suggested_reward, summary_level,
};
use yardstick::domain::{
    Component, Direction, EmptyGoal, FlatTarget, GoalNode, GoalStatus, MeasureSpec, PaceBasis,
    PaceStatus, PaceThresholds, ProgressReference, ReviewKind, Standard, forecast, goal_pace,
    goal_progress, goal_progress_with, goal_standard, infer_direction, pace, parse_number,
    progress, progress_with, rollup_tree, standard, zone,
};
use yardstick::formats::template;

const DOC: &str = include_str!("../docs/scoring.md");
const DOC_NAME: &str = "docs/scoring.md";

/// Every kind of example the document must contain at least once.
const KINDS: &[&str] = &[
    "parse",
    "infer",
    "validate",
    "progress",
    "standard",
    "goal",
    "goal-standard",
    "expected",
    "thresholds",
    "pace",
    "goal-pace",
    "forecast",
    "rating",
    "goal-level",
    "summary",
    "appraise",
    "root-goals",
    "calibrate",
    "reward",
    "formula",
];

/// Half a unit in the fourth decimal place (plus a hair for binary rounding).
const TOLERANCE: f64 = 0.5e-4 + 1e-12;

type Check = Result<(), String>;

/// An example line and its 1-based line number in the document.
struct Example<'a> {
    line: usize,
    text: &'a str,
}

/// The example lines in `doc`, or an error if a block is left open.
fn extract(doc: &str) -> Result<Vec<Example<'_>>, String> {
    #[derive(PartialEq)]
    enum Fence {
        Outside,
        Example(usize),
        Other,
    }
    let mut fence = Fence::Outside;
    let mut out = Vec::new();
    for (i, line) in doc.lines().enumerate() {
        let trimmed = line.trim();
        let is_fence = trimmed.starts_with("```");
        match fence {
            Fence::Outside => {
                if let Some(info) = trimmed.strip_prefix("```") {
                    fence = if info.trim() == "example" {
                        Fence::Example(i + 1)
                    } else {
                        Fence::Other
                    };
                }
            }
            Fence::Example(_) | Fence::Other if is_fence => fence = Fence::Outside,
            Fence::Example(_) => {
                if !trimmed.is_empty() && !trimmed.starts_with('#') {
                    out.push(Example {
                        line: i + 1,
                        text: trimmed,
                    });
                }
            }
            Fence::Other => {}
        }
    }
    if let Fence::Example(start) = fence {
        return Err(format!(
            "the example block opened at line {start} is never closed"
        ));
    }
    Ok(out)
}

/// Check a whole document: the number of examples checked, or every failure.
fn check_doc(doc: &str) -> Result<usize, String> {
    let examples = extract(doc)?;
    if examples.is_empty() {
        return Err("no worked examples found (fenced blocks with info string `example`)".into());
    }
    let mut failures = Vec::new();
    for ex in &examples {
        if let Err(msg) = check_line(ex.text) {
            failures.push(format!("{DOC_NAME}:{}: `{}`\n    {msg}", ex.line, ex.text));
        }
    }
    for kind in KINDS {
        let present = examples
            .iter()
            .any(|ex| ex.text.split_whitespace().next() == Some(kind));
        if !present {
            failures.push(format!("no `{kind}` example in {DOC_NAME}"));
        }
    }
    if failures.is_empty() {
        Ok(examples.len())
    } else {
        Err(format!(
            "{} of {} worked examples failed:\n{}",
            failures.len(),
            examples.len(),
            failures.join("\n")
        ))
    }
}

/// `key=value` arguments; every one must be used exactly once.
struct Args<'a> {
    map: BTreeMap<&'a str, &'a str>,
}

impl<'a> Args<'a> {
    fn parse(tokens: &'a str) -> Result<Self, String> {
        let mut map = BTreeMap::new();
        for tok in tokens.split_whitespace() {
            let (k, v) = tok
                .split_once('=')
                .ok_or_else(|| format!("expected key=value, got `{tok}`"))?;
            if map.insert(k, v).is_some() {
                return Err(format!("`{k}` given twice"));
            }
        }
        Ok(Self { map })
    }

    fn take(&mut self, key: &str) -> Option<&'a str> {
        self.map.remove(key)
    }

    fn required(&mut self, key: &str) -> Result<&'a str, String> {
        self.take(key).ok_or_else(|| format!("missing `{key}=`"))
    }

    fn finish(self) -> Check {
        match self.map.keys().next() {
            None => Ok(()),
            Some(k) => Err(format!("unknown key `{k}`")),
        }
    }
}

fn num(s: &str) -> Result<f64, String> {
    s.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| format!("`{s}` is not a number"))
}

fn opt_num(s: &str) -> Result<Option<f64>, String> {
    if s == "none" {
        Ok(None)
    } else {
        num(s).map(Some)
    }
}

fn approx(actual: f64, expected: f64) -> bool {
    (actual - expected).abs() <= TOLERANCE
}

fn expect_num(what: &str, actual: f64, expected: f64) -> Check {
    if approx(actual, expected) {
        Ok(())
    } else {
        Err(format!("{what}: expected {expected}, got {actual}"))
    }
}

fn expect_opt_num(what: &str, actual: Option<f64>, expected: Option<f64>) -> Check {
    match (actual, expected) {
        (None, None) => Ok(()),
        (Some(a), Some(e)) => expect_num(what, a, e),
        _ => Err(format!(
            "{what}: expected {}, got {}",
            show_opt(expected),
            show_opt(actual)
        )),
    }
}

fn show_opt(v: Option<f64>) -> String {
    v.map_or_else(|| "none".to_string(), |v| v.to_string())
}

fn show_standard(s: Option<Standard>) -> &'static str {
    s.map_or("none", Standard::as_str)
}

fn parse_standard(s: &str) -> Result<Option<Standard>, String> {
    if s == "none" {
        Ok(None)
    } else {
        s.parse::<Standard>()
            .map(Some)
            .map_err(|e| format!("expected a standard or none: {e}"))
    }
}

fn spec_from(args: &mut Args<'_>) -> Result<MeasureSpec, String> {
    let baseline = num(args.required("baseline")?)?;
    let target = num(args.required("target")?)?;
    let direction = match args.take("direction") {
        Some(d) => d.parse::<Direction>().map_err(|e| e.to_string())?,
        None => infer_direction(baseline, target),
    };
    let stretch = args.take("stretch").map(num).transpose()?;
    let floor = args.take("floor").map(num).transpose()?;
    let weight = args.take("weight").map(num).transpose()?.unwrap_or(1.0);
    Ok(MeasureSpec {
        direction,
        baseline,
        target,
        stretch,
        floor,
        weight,
    })
}

/// A spec used in a progress or standard example must itself be valid.
fn valid_spec_from(args: &mut Args<'_>) -> Result<MeasureSpec, String> {
    let spec = spec_from(args)?;
    spec.validate()
        .map_err(|e| format!("the example's measure is invalid: {e}"))?;
    Ok(spec)
}

fn check_line(text: &str) -> Check {
    let (lhs, rhs) = text
        .split_once("=>")
        .ok_or("missing `=>` between inputs and expected result")?;
    if rhs.contains("=>") {
        return Err("more than one `=>`".into());
    }
    let (lhs, expected) = (lhs.trim(), rhs.trim());
    let (kind, rest) = lhs.split_once(char::is_whitespace).unwrap_or((lhs, ""));
    match kind {
        "parse" => check_parse(rest.trim(), expected),
        "infer" => check_infer(rest, expected),
        "validate" => check_validate(rest, expected),
        "progress" => check_progress(rest, expected),
        "standard" => check_standard(rest, expected),
        "goal" => check_goal(rest, expected),
        "goal-standard" => check_goal_standard(rest, expected),
        "expected" => check_expected(rest, expected),
        "thresholds" => check_thresholds(rest, expected),
        "pace" => check_pace(rest, expected),
        "goal-pace" => check_goal_pace(rest, expected),
        "forecast" => check_forecast(rest, expected),
        "rating" => check_rating(rest.trim(), expected),
        "goal-level" => check_goal_level(rest, expected),
        "summary" => check_summary(rest, expected),
        "appraise" => check_appraise(rest, expected),
        "root-goals" => check_root_goals(rest, expected),
        "calibrate" => check_calibrate(rest, expected),
        "reward" => check_reward(rest, expected),
        "formula" => check_formula(rest.trim(), expected),
        other => Err(format!("unknown example kind `{other}`")),
    }
}

fn check_parse(input: &str, expected: &str) -> Check {
    let text = input
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .ok_or("the input to parse must be in double quotes")?;
    match (parse_number(text), expected) {
        (Err(e), "invalid") => {
            if e.kind() != ErrorKind::Invalid || e.hint().is_none() {
                return Err(format!(
                    "refused, but not as invalid input with a hint: {e}"
                ));
            }
            Ok(())
        }
        (Ok(v), "invalid") => Err(format!("expected invalid, got {v}")),
        (Err(e), _) => Err(format!("expected {expected}, got an error: {e}")),
        (Ok(v), _) => {
            if v == 0.0 && v.is_sign_negative() {
                return Err("parsed as negative zero".into());
            }
            expect_num("value", v, num(expected)?)
        }
    }
}

fn check_infer(rest: &str, expected: &str) -> Check {
    let mut args = Args::parse(rest)?;
    let baseline = num(args.required("baseline")?)?;
    let target = num(args.required("target")?)?;
    args.finish()?;
    let expected: Direction = expected
        .parse()
        .map_err(|e: yardstick::Error| e.to_string())?;
    let actual = infer_direction(baseline, target);
    if actual == expected {
        Ok(())
    } else {
        Err(format!("expected {expected}, got {actual}"))
    }
}

fn check_validate(rest: &str, expected: &str) -> Check {
    let mut args = Args::parse(rest)?;
    let spec = spec_from(&mut args)?;
    args.finish()?;
    match (spec.validate(), expected) {
        (Ok(()), "ok") => Ok(()),
        (Err(e), "invalid") => {
            if e.kind() != ErrorKind::Invalid || e.exit_code() != 2 || e.hint().is_none() {
                return Err(format!(
                    "refused, but not as invalid input with a hint: {e}"
                ));
            }
            Ok(())
        }
        (Ok(()), "invalid") => Err("expected invalid, but the measure was accepted".into()),
        (Err(e), "ok") => Err(format!("expected ok, got: {e}")),
        (_, other) => Err(format!(
            "expected result must be ok or invalid, not `{other}`"
        )),
    }
}

fn check_progress(rest: &str, expected: &str) -> Check {
    let mut args = Args::parse(rest)?;
    let spec = valid_spec_from(&mut args)?;
    let value = opt_num(args.required("value")?)?;
    let flat = match args.take("start_equals_target") {
        None => FlatTarget::AllOrNothing,
        Some(name) => FlatTarget::from_name(name).ok_or_else(|| {
            format!("start_equals_target must be all-or-nothing, zero or half, not `{name}`")
        })?,
    };
    let reference = match args.take("reference") {
        None => ProgressReference::Target,
        Some(name) => ProgressReference::from_name(name)
            .ok_or_else(|| format!("reference must be target or stretch, not `{name}`"))?,
    };
    let bounds = match args.take("zones") {
        None => None,
        Some(list) => {
            let v: Vec<f64> = list.split(',').map(num).collect::<Result<_, _>>()?;
            match v.as_slice() {
                &[c, t, s] => Some([c, t, s]),
                _ => return Err("zones must be three numbers: commit,target,stretch".into()),
            }
        }
    };
    args.finish()?;

    let mut want = Args::parse(expected)?;
    let raw = num(want.required("raw")?)?;
    let scored = num(want.required("scored")?)?;
    let has_value = match want.take("has_value") {
        None => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(other) => return Err(format!("has_value must be true or false, not `{other}`")),
    };
    let want_zone = want.take("zone");
    want.finish()?;
    if want_zone.is_some() != bounds.is_some() {
        return Err("zone= is expected exactly when zones= is given".into());
    }

    let p = progress_with(&spec.measured_to(reference), value, flat);
    if let (Some(b), Some(w)) = (bounds, want_zone) {
        let got = zone(&spec, reference, &p, b).map_or("none", |z| z.as_str());
        if got != w {
            return Err(format!("zone: expected {w}, got {got}"));
        }
    }
    if flat == FlatTarget::AllOrNothing && p != progress(&spec.measured_to(reference), value) {
        return Err("progress_with(all-or-nothing) differs from progress".into());
    }
    expect_num("raw", p.raw, raw)?;
    expect_num("scored", p.scored, scored)?;
    if let Some(h) = has_value {
        if p.has_value != h {
            return Err(format!("has_value: expected {h}, got {}", p.has_value));
        }
    }
    Ok(())
}

fn check_standard(rest: &str, expected: &str) -> Check {
    let mut args = Args::parse(rest)?;
    let spec = valid_spec_from(&mut args)?;
    let value = opt_num(args.required("value")?)?;
    args.finish()?;
    let want = parse_standard(expected)?;
    let got = standard(&spec, value);
    if got == want {
        Ok(())
    } else {
        Err(format!(
            "expected {}, got {}",
            show_standard(want),
            show_standard(got)
        ))
    }
}

/// `W:P,...` pairs of weight and progress.
fn measures_list(s: &str) -> Result<Vec<(f64, f64)>, String> {
    s.split(',')
        .filter(|item| !item.is_empty())
        .map(|item| {
            let (w, p) = item
                .split_once(':')
                .ok_or_else(|| format!("measure `{item}` is not weight:progress"))?;
            Ok((num(w)?, num(p)?))
        })
        .collect()
}

/// `W:P[:STATUS],...` child goals; P may be `none`.
fn children_list(s: &str) -> Result<Vec<(f64, Option<f64>, GoalStatus)>, String> {
    s.split(',')
        .filter(|item| !item.is_empty())
        .map(|item| {
            let mut parts = item.split(':');
            let (Some(w), Some(p)) = (parts.next(), parts.next()) else {
                return Err(format!("child `{item}` is not weight:progress[:status]"));
            };
            let status = match parts.next() {
                None => GoalStatus::Active,
                Some(s) => s.parse().map_err(|e: yardstick::Error| e.to_string())?,
            };
            if parts.next().is_some() {
                return Err(format!("child `{item}` has too many parts"));
            }
            Ok((num(w)?, opt_num(p)?, status))
        })
        .collect()
}

fn check_goal(rest: &str, expected: &str) -> Check {
    let mut args = Args::parse(rest)?;
    let measures = measures_list(args.take("measures").unwrap_or(""))?;
    let children = children_list(args.take("children").unwrap_or(""))?;
    let empty = match args.take("empty") {
        None | Some("none") => EmptyGoal::None,
        Some("zero") => EmptyGoal::Zero,
        Some(other) => return Err(format!("empty must be none or zero, not `{other}`")),
    };
    args.finish()?;
    let want = opt_num(expected)?;
    let kept: Vec<(f64, Option<f64>)> = children
        .iter()
        .filter(|c| c.2 != GoalStatus::Dropped)
        .map(|c| (c.0, c.1))
        .collect();
    if empty == EmptyGoal::Zero {
        return expect_opt_num(
            "goal_progress_with",
            goal_progress_with(&measures, &kept, empty),
            want,
        );
    }

    // Through the tree: the goal is node 0, each child a leaf whose own
    // progress comes from one measure (or from nothing, for `none`).
    let mut nodes = vec![GoalNode {
        id: 0,
        weight: 1.0,
        status: GoalStatus::Active,
        measures: measures.clone(),
        children: (1..=children.len()).collect(),
    }];
    for (i, &(weight, p, status)) in children.iter().enumerate() {
        nodes.push(GoalNode {
            id: i64::try_from(i + 1).map_err(|e| e.to_string())?,
            weight,
            status,
            measures: p.map(|p| vec![(1.0, p)]).unwrap_or_default(),
            children: Vec::new(),
        });
    }
    let tree = rollup_tree(&nodes);
    expect_opt_num("rollup_tree", tree.first().copied().flatten(), want)?;

    // Directly: the caller leaves dropped children out.
    expect_opt_num("goal_progress", goal_progress(&measures, &kept), want)
}

fn check_goal_standard(rest: &str, expected: &str) -> Check {
    let mut args = Args::parse(rest)?;
    let p = opt_num(args.required("progress")?)?;
    args.finish()?;
    let want = parse_standard(expected)?;
    let got = goal_standard(p);
    if got == want {
        Ok(())
    } else {
        Err(format!(
            "expected {}, got {}",
            show_standard(want),
            show_standard(got)
        ))
    }
}

fn date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|e| format!("`{s}` is not a YYYY-MM-DD date: {e}"))
}

fn opt_date(s: &str) -> Result<Option<NaiveDate>, String> {
    if s == "none" {
        Ok(None)
    } else {
        date(s).map(Some)
    }
}

/// Optional `at_risk=`, `off_track=`, `ahead=`, `inclusive=`, `basis=` and
/// `inclusive_days=` keys; the defaults where left out. Thresholds used in an
/// example must themselves be valid.
fn thresholds_from(args: &mut Args<'_>) -> Result<PaceThresholds, String> {
    let default = PaceThresholds::default();
    let th = PaceThresholds {
        at_risk: args
            .take("at_risk")
            .map(num)
            .transpose()?
            .unwrap_or(default.at_risk),
        off_track: args
            .take("off_track")
            .map(num)
            .transpose()?
            .unwrap_or(default.off_track),
        ahead: args.take("ahead").map(num).transpose()?,
        inclusive: args
            .take("inclusive")
            .map(boolean)
            .transpose()?
            .unwrap_or(false),
        basis: match args.take("basis") {
            None | Some("points") => PaceBasis::Points,
            Some("ratio") => PaceBasis::Ratio,
            Some(other) => return Err(format!("basis must be points or ratio, not `{other}`")),
        },
        inclusive_days: args
            .take("inclusive_days")
            .map(boolean)
            .transpose()?
            .unwrap_or(false),
    };
    th.validate()
        .map_err(|e| format!("the example's thresholds are invalid: {e}"))?;
    Ok(th)
}

fn parse_pace(s: &str) -> Result<PaceStatus, String> {
    s.parse::<PaceStatus>()
        .map_err(|e| format!("expected a pace status: {e}"))
}

fn check_expected(rest: &str, expected: &str) -> Check {
    let mut args = Args::parse(rest)?;
    let start = date(args.required("start")?)?;
    let due = date(args.required("due")?)?;
    let today = date(args.required("today")?)?;
    let th = thresholds_from(&mut args)?;
    args.finish()?;
    expect_opt_num(
        "expected progress",
        th.expected(start, due, today),
        opt_num(expected)?,
    )
}

fn check_thresholds(rest: &str, expected: &str) -> Check {
    let mut args = Args::parse(rest)?;
    let th = PaceThresholds {
        ahead: args.take("ahead").map(num).transpose()?,
        ..PaceThresholds::new(
            num(args.required("at_risk")?)?,
            num(args.required("off_track")?)?,
        )
    };
    args.finish()?;
    match (th.validate(), expected) {
        (Ok(()), "ok") => Ok(()),
        (Err(e), "invalid") => {
            if e.kind() != ErrorKind::Invalid || e.hint().is_none() {
                return Err(format!(
                    "refused, but not as invalid input with a hint: {e}"
                ));
            }
            Ok(())
        }
        (Ok(()), "invalid") => Err("expected invalid, but the thresholds were accepted".into()),
        (Err(e), "ok") => Err(format!("expected ok, got: {e}")),
        (_, other) => Err(format!(
            "expected result must be ok or invalid, not `{other}`"
        )),
    }
}

fn check_pace(rest: &str, expected: &str) -> Check {
    let mut args = Args::parse(rest)?;
    let p = num(args.required("progress")?)?;
    let e = num(args.required("expected")?)?;
    let th = thresholds_from(&mut args)?;
    args.finish()?;
    if !(0.0..=1.0).contains(&p) || !(0.0..=1.0).contains(&e) {
        return Err("progress and expected must be fractions from 0 to 1".into());
    }
    let want = parse_pace(expected)?;
    let got = pace(p, e, &th);
    if got == want {
        Ok(())
    } else {
        Err(format!("expected {want}, got {got}"))
    }
}

fn check_goal_pace(rest: &str, expected: &str) -> Check {
    let mut args = Args::parse(rest)?;
    let p = opt_num(args.required("progress")?)?;
    let start = opt_date(args.required("start")?)?;
    let due = opt_date(args.required("due")?)?;
    let today = date(args.required("today")?)?;
    let th = thresholds_from(&mut args)?;
    args.finish()?;
    let want = if expected == "none" {
        None
    } else {
        let (e, status) = expected
            .split_once(char::is_whitespace)
            .ok_or("expected `E STATUS` or none")?;
        Some((num(e)?, parse_pace(status.trim())?))
    };
    let got = goal_pace(p, start, due, today, &th);
    match (got, want) {
        (None, None) => Ok(()),
        (Some((ge, gs)), Some((we, ws))) => {
            expect_num("expected progress", ge, we)?;
            if gs == ws {
                Ok(())
            } else {
                Err(format!("expected {ws}, got {gs}"))
            }
        }
        (Some((ge, gs)), None) => Err(format!("expected none, got {ge} {gs}")),
        (None, Some((we, ws))) => Err(format!("expected {we} {ws}, got none")),
    }
}

/// `DATE:V,...` check-ins, in the order given; may be empty.
fn points_list(s: &str) -> Result<Vec<(NaiveDate, f64)>, String> {
    s.split(',')
        .filter(|item| !item.is_empty())
        .map(|item| {
            let (d, v) = item
                .rsplit_once(':')
                .ok_or_else(|| format!("point `{item}` is not date:value"))?;
            Ok((date(d)?, num(v)?))
        })
        .collect()
}

fn check_forecast(rest: &str, expected: &str) -> Check {
    let mut args = Args::parse(rest)?;
    let due = date(args.required("due")?)?;
    let points = points_list(args.required("points")?)?;
    args.finish()?;
    let got = forecast(&points, due);
    if expected == "none" {
        return match got {
            None => Ok(()),
            Some(f) => Err(format!("expected none, got {} {}", f.value, f.method)),
        };
    }
    let (v, method) = expected
        .split_once(char::is_whitespace)
        .ok_or("expected `V trend`, `V lastvalue` or none")?;
    let method = method.trim();
    if !matches!(method, "trend" | "lastvalue") {
        return Err(format!("method must be trend or lastvalue, not `{method}`"));
    }
    let Some(f) = got else {
        return Err(format!("expected {v} {method}, got none"));
    };
    expect_num("forecast", f.value, num(v)?)?;
    if f.method.as_str() == method {
        Ok(())
    } else {
        Err(format!("method: expected {method}, got {}", f.method))
    }
}

/// One of the shipped templates in `examples/templates/`, by name.
fn template_named(name: &str) -> Result<Template, String> {
    let text = match name {
        "default" => template::DEFAULT,
        "opm" => template::OPM,
        "frappe" => template::FRAPPE,
        "frappe-formula" => template::FRAPPE_FORMULA,
        other => {
            return Err(format!(
                "unknown template `{other}` (default, opm or frappe)"
            ));
        }
    };
    template::parse(text, name).map_err(|e| format!("template {name}: {e}"))
}

/// `true` or `false`.
fn boolean(s: &str) -> Result<bool, String> {
    match s {
        "true" => Ok(true),
        "false" => Ok(false),
        other => Err(format!("expected true or false, not `{other}`")),
    }
}

/// An expected result that may end with a level label in double quotes:
/// the part before it and the label.
fn split_label(expected: &str) -> Result<(&str, Option<&str>), String> {
    match expected.find('"') {
        None => Ok((expected, None)),
        Some(i) => {
            let label = expected[i..]
                .strip_prefix('"')
                .and_then(|l| l.strip_suffix('"'))
                .filter(|l| !l.contains('"'))
                .ok_or("a label must be the last thing, in double quotes")?;
            Ok((expected[..i].trim(), Some(label)))
        }
    }
}

fn expect_label(t: &Template, level: Option<f64>, want: Option<&str>) -> Check {
    let Some(want) = want else { return Ok(()) };
    let got = level.and_then(|l| t.scale.label(l));
    if got == Some(want) {
        Ok(())
    } else {
        Err(format!("label: expected \"{want}\", got {got:?}"))
    }
}

fn check_rating(rest: &str, expected: &str) -> Check {
    let (name, input) = rest
        .split_once(char::is_whitespace)
        .ok_or("expected `template=NAME \"TEXT\"`")?;
    let name = name
        .strip_prefix("template=")
        .ok_or("expected `template=NAME` first")?;
    let t = template_named(name)?;
    let text = input
        .trim()
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .ok_or("the rating to parse must be in double quotes")?;
    match (t.scale.parse_rating(text), expected) {
        (Err(e), "invalid") => {
            if e.kind() != ErrorKind::Invalid || e.hint().is_none() {
                return Err(format!(
                    "refused, but not as invalid input with a hint: {e}"
                ));
            }
            Ok(())
        }
        (Ok(v), "invalid") => Err(format!("expected invalid, got {v}")),
        (Err(e), _) => Err(format!("expected {expected}, got an error: {e}")),
        (Ok(v), _) => expect_num("rating", v, num(expected)?),
    }
}

fn check_goal_level(rest: &str, expected: &str) -> Check {
    let mut args = Args::parse(rest)?;
    let t = template_named(args.required("template")?)?;
    let a = num(args.required("attainment")?)?;
    args.finish()?;
    let (value, label) = split_label(expected)?;
    let got = goal_level(&t, a);
    expect_opt_num("goal level", got, opt_num(value)?)?;
    expect_label(&t, got, label)
}

fn check_summary(rest: &str, expected: &str) -> Check {
    let mut args = Args::parse(rest)?;
    let t = template_named(args.required("template")?)?;
    let score = opt_num(args.required("score")?)?;
    let critical = boolean(args.required("critical")?)?;
    args.finish()?;
    let (value, label) = split_label(expected)?;
    let got = summary_level(&t, score, critical);
    expect_opt_num("level", got, opt_num(value)?)?;
    expect_label(&t, got, label)
}

fn check_root_goals(rest: &str, expected: &str) -> Check {
    let mut args = Args::parse(rest)?;
    let goals = args.required("goals")?;
    args.finish()?;
    let pairs: Vec<(&str, Option<&str>)> = goals
        .split(',')
        .filter(|g| !g.is_empty())
        .map(|g| match g.split_once('<') {
            Some((k, p)) => (k, Some(p)),
            None => (g, None),
        })
        .collect();
    let got: Vec<&str> = root_goals(&pairs).into_iter().map(|i| pairs[i].0).collect();
    let want: Vec<&str> = expected.split(',').filter(|k| !k.is_empty()).collect();
    if got == want {
        Ok(())
    } else {
        Err(format!("expected {want:?}, got {got:?}"))
    }
}

fn check_reward(rest: &str, expected: &str) -> Check {
    let mut args = Args::parse(rest)?;
    let t = template_named(args.required("template")?)?;
    let level = opt_num(args.required("level")?)?;
    let potential = args.take("potential");
    args.finish()?;
    let got = suggested_reward(&t.merit, level, potential);
    if expected == "none" {
        return match got {
            None => Ok(()),
            Some(r) => Err(format!("expected none, got {r:?}")),
        };
    }
    let got = got.ok_or("expected a reward, got none")?;
    let mut want = Args::parse(expected)?;
    expect_num("raise", got.raise, num(want.required("raise")?)?)?;
    expect_num("bonus", got.bonus, num(want.required("bonus")?)?)?;
    want.finish()
}

fn check_calibrate(rest: &str, expected: &str) -> Check {
    let mut args = Args::parse(rest)?;
    let mut t = template_named(args.required("template")?)?;
    if let Some(m) = args.take("max_steps") {
        t.calibration.max_steps = Some(m.parse().map_err(|_| format!("max_steps=`{m}`"))?);
    }
    let computed = opt_num(args.required("computed")?)?;
    let critical = boolean(args.required("critical")?)?;
    let level = num(args.required("level")?)?;
    args.finish()?;
    match (check_calibration(&t, computed, critical, level), expected) {
        (Ok(()), "ok") => Ok(()),
        (Err(e), "refused") => {
            if e.exit_code() != 1 {
                return Err(format!("refused, but not as a failure (exit 1): {e}"));
            }
            if t.summary.critical_elements && !e.to_string().contains("5 CFR 430.208(b)") {
                return Err(format!("the refusal does not name 5 CFR 430.208(b): {e}"));
            }
            Ok(())
        }
        (Ok(()), _) => Err(format!(
            "expected {expected}, but the calibration was allowed"
        )),
        (Err(e), _) => Err(format!("expected {expected}, got: {e}")),
    }
}

/// `ITEM:RATING,...`, each rating read by the template's scale.
fn ratings_list(t: &Template, s: &str) -> Result<Vec<Rating>, String> {
    s.split(',')
        .filter(|item| !item.is_empty())
        .map(|item| {
            let (key, v) = item
                .split_once(':')
                .ok_or_else(|| format!("rating `{item}` is not item:rating"))?;
            let value = t
                .scale
                .parse_rating(v)
                .map_err(|e| format!("rating `{item}`: {e}"))?;
            Ok(Rating {
                item: key.to_string(),
                value,
            })
        })
        .collect()
}

/// `C:W,...` effective weights by component name.
fn eff_list(s: &str) -> Result<Vec<(Component, f64)>, String> {
    s.split(',')
        .filter(|item| !item.is_empty())
        .map(|item| {
            let (c, w) = item
                .split_once(':')
                .ok_or_else(|| format!("`{item}` is not component:weight"))?;
            let c: Component = c.parse().map_err(|e: yardstick::Error| e.to_string())?;
            Ok((c, num(w)?))
        })
        .collect()
}

fn check_appraise(rest: &str, expected: &str) -> Check {
    let mut args = Args::parse(rest)?;
    let t = template_named(args.required("template")?)?;
    let mut inputs = Inputs::default();
    if let Some(goals) = args.take("goals") {
        for (i, g) in goals.split(',').filter(|g| !g.is_empty()).enumerate() {
            let (a, w) = g
                .split_once('@')
                .ok_or_else(|| format!("goal `{g}` is not attainment@weight"))?;
            inputs.goals.push(GoalInput {
                key: format!("g{}", i + 1),
                weight: num(w)?,
                attainment: opt_num(a)?,
            });
        }
    }
    for kind in ReviewKind::ALL {
        if let Some(reviews) = args.take(kind.as_str()) {
            for r in reviews.split('/') {
                inputs.reviews.push(ReviewInput {
                    kind: *kind,
                    ratings: ratings_list(&t, r)?,
                });
            }
        }
    }
    args.finish()?;

    let a = appraise(&t, &inputs);
    for c in &a.components {
        let v = c.value.map(f64::to_bits);
        if c.value.is_some_and(|v| !v.is_finite()) || !c.effective_weight.is_finite() {
            return Err(format!("component {} is not finite: {v:?}", c.component));
        }
    }
    let (expected, label) = split_label(expected)?;
    let mut want = Args::parse(expected)?;
    expect_opt_num("score", a.score, opt_num(want.required("score")?)?)?;
    expect_opt_num("level", a.level, opt_num(want.required("level")?)?)?;
    if let Some(c) = want.take("critical") {
        let c = boolean(c)?;
        if a.critical_failure != c {
            return Err(format!(
                "critical: expected {c}, got {}",
                a.critical_failure
            ));
        }
    }
    if let Some(n) = want.take("peers") {
        let n: usize = n
            .parse()
            .map_err(|_| format!("peers=`{n}` is not a count"))?;
        if a.peer_count != n {
            return Err(format!("peers: expected {n}, got {}", a.peer_count));
        }
    }
    if let Some(c) = want.take("peers_counted") {
        let c = boolean(c)?;
        if a.peers_counted != c {
            return Err(format!(
                "peers_counted: expected {c}, got {}",
                a.peers_counted
            ));
        }
    }
    for c in Component::ALL {
        if let Some(v) = want.take(c.as_str()) {
            let got = a.component(*c).and_then(|s| s.value);
            expect_opt_num(c.as_str(), got, opt_num(v)?)?;
        }
    }
    if let Some(eff) = want.take("eff") {
        let listed = eff_list(eff)?;
        for s in &a.components {
            let w = listed
                .iter()
                .find(|(c, _)| *c == s.component)
                .map_or(0.0, |(_, w)| *w);
            expect_num(
                &format!("effective weight of {}", s.component),
                s.effective_weight,
                w,
            )?;
        }
    }
    want.finish()?;
    expect_label(&t, a.level, label)
}

#[test]
fn worked_examples_in_scoring_doc_hold() {
    match check_doc(DOC) {
        Ok(n) => assert!(n > 0),
        Err(report) => panic!("{report}"),
    }
}

#[test]
fn a_doc_without_examples_fails() {
    assert!(check_doc("# Scoring\n\nNo examples here.\n").is_err());
    assert!(
        check_doc("```text\nprogress baseline=0 target=1 value=1 => raw=1 scored=1\n```\n")
            .is_err()
    );
}

#[test]
fn an_unclosed_example_block_fails() {
    let err = check_doc("```example\ngoal => none\n").unwrap_err();
    assert!(err.contains("line 1"), "{err}");
}

#[test]
fn a_wrong_example_fails_and_names_its_line() {
    let doc = format!(
        "{DOC}\n```example\nprogress direction=decrease baseline=450 target=200 value=325 => raw=0.6 scored=0.6\n```\n"
    );
    let err = check_doc(&doc).unwrap_err();
    let line = doc.lines().count() - 1;
    assert!(err.contains(&format!("{DOC_NAME}:{line}:")), "{err}");
    assert!(err.contains("1 of"), "{err}");
}

#[test]
fn wrong_or_malformed_lines_are_rejected() {
    let wrong = [
        "progress direction=increase baseline=0 target=10 value=4 => raw=0.41 scored=0.41",
        "progress direction=increase baseline=0 target=10 value=4 => raw=0.4 scored=0.4 has_value=false",
        "progress direction=increase baseline=0 target=10 value=none => raw=0 scored=0 has_value=true",
        "progress direction=increase baseline=10 target=0 value=4 => raw=0.6 scored=0.6",
        "standard direction=increase baseline=0 target=10 value=10 => below",
        "standard direction=increase baseline=0 target=10 value=none => below",
        "goal measures=2:0.5,1:1 => 0.6666",
        "goal children=1:0.4,3:0.8,5:0:dropped => 0.3",
        "goal => 0",
        "goal-standard progress=0.99 => meets",
        "validate direction=increase baseline=10 target=0 => ok",
        "validate direction=increase baseline=0 target=10 => invalid",
        "parse \"1,000\" => 1000",
        "parse \"42\" => invalid",
        "infer baseline=1 target=0 => increase",
        "expected start=2026-10-01 due=2026-12-31 today=2026-11-15 => 0.4835",
        "expected start=2026-12-31 due=2026-10-01 today=2026-11-15 => 0",
        "expected start=2026-10-01 due=2026-10-01 today=2026-10-01 => none",
        "thresholds at_risk=30 off_track=25 => ok",
        "thresholds at_risk=10 off_track=25 => invalid",
        "pace progress=0.25 expected=0.5 => at-risk",
        "pace progress=0.4 expected=0.5 => on-track",
        "pace progress=0.45 expected=0.5 at_risk=5 off_track=15 => on-track",
        "goal-pace progress=0.25 start=2026-01-01 due=2026-01-31 today=2026-01-16 => 0.5 at-risk",
        "goal-pace progress=0.25 start=2026-01-01 due=2026-01-31 today=2026-01-16 => 0.4 off-track",
        "goal-pace progress=0.25 start=none due=2026-01-31 today=2026-01-16 => 0 on-track",
        "goal-pace progress=none start=2026-01-01 due=2026-01-31 today=2026-01-16 => 0.5 on-track",
        "forecast due=2026-12-31 points= => 0 lastvalue",
        "forecast due=2026-12-31 points=2026-11-01:400 => 400 trend",
        "forecast due=2026-12-31 points=2026-11-01:400,2026-11-01:380 => 400 lastvalue",
        "forecast due=2026-12-31 points=2026-10-01:450,2026-11-01:400,2026-12-01:350 => 300 trend",
        "forecast due=2026-12-31 points=2026-11-01:10,2026-12-01:20 => none",
        // Malformed.
        "progress baseline=0 target=10 value=4 raw=0.4 scored=0.4",
        "progress baseline=0 target=10 value=4 colour=red => raw=0.4 scored=0.4",
        "progress baseline=0 target=10 => raw=0 scored=0",
        "parse 42 => 42",
        "frobnicate => 1",
        "expected start=2026-10-01 due=2026-12-31 => 0",
        "expected start=01/10/2026 due=2026-12-31 today=2026-11-15 => 0.4945",
        "pace progress=0.25 expected=0.5 => behind",
        "pace progress=25 expected=50 => off-track",
        "pace progress=0.25 expected=0.5 at_risk=30 off_track=25 => off-track",
        "pace progress=0.25 expected=0.5 colour=red => off-track",
        "goal-pace progress=0.25 start=2026-01-01 due=2026-01-31 today=2026-01-16 => off-track",
        "goal-pace progress=0.25 due=2026-01-31 today=2026-01-16 => none",
        "forecast due=2026-12-31 points=2026-11-01:400 => 400",
        "forecast due=2026-12-31 points=2026-11-01:400 => 400 last",
        "forecast due=2026-12-31 points=2026-11-01 => 400 lastvalue",
        "forecast due=2026-12-31 => none",
        "rating template=default \"6\" => 6",
        "rating template=default \"3.5\" => 3.5",
        "rating template=nosuch \"3\" => 3",
        "rating template=default 3 => 3",
        "goal-level template=default attainment=0.8 => 4",
        "summary template=opm score=1.2 critical=false => 1",
        "summary template=opm score=4 critical=maybe => 4",
        "appraise template=frappe goals=1@30,0.6@70 => score=3 level=3",
        "appraise template=frappe goals=1@30,0.6@70 => score=3.6",
        "appraise template=frappe goals=1@30,0.6@70 => score=3.6 level=3 goals=3.5",
        "appraise template=frappe goals=1@30,0.6@70 => score=3.6 level=3 \"Good\"",
        "appraise template=frappe self=work:4.25 => score=none level=none",
        "appraise template=frappe goals=1@30 colour=red => score=5 level=5",
        "appraise template=default manager=collaboration:5 => score=5 level=5 eff=manager:40",
    ];
    for line in wrong {
        assert!(check_line(line).is_err(), "accepted: {line}");
    }
    // And the right versions pass, so the checker is not just rejecting everything.
    let right = [
        "progress direction=increase baseline=0 target=10 value=4 => raw=0.4 scored=0.4 has_value=true",
        "goal measures=2:0.5,1:1 => 0.6667",
        "goal measures=2:0.5,1:1 => 0.66667",
        "parse \"1,000\" => invalid",
        "expected start=2026-10-01 due=2026-12-31 today=2026-11-15 => 0.4945",
        "thresholds at_risk=10 off_track=25 => ok",
        "pace progress=0.25 expected=0.5 => off-track",
        "pace progress=0.45 expected=0.5 at_risk=5 off_track=15 => at-risk",
        "goal-pace progress=0.25 start=2026-01-01 due=2026-01-31 today=2026-01-16 => 0.5 off-track",
        "forecast due=2026-12-31 points= => none",
        "forecast due=2026-12-31 points=2026-11-01:400 => 400 lastvalue",
        "forecast due=2026-12-31 points=2026-11-01:10,2026-12-01:20 => 30 trend",
        "rating template=default \"Meets Expectations\" => 3",
        "rating template=default \"6\" => invalid",
        "goal-level template=default attainment=0.8 => 3 \"Meets expectations\"",
        "summary template=opm score=1.2 critical=false => 2",
        "appraise template=frappe goals=1@30,0.6@70 => score=1.2 level=1 goals=3.6 \"Poor\"",
        "appraise template=default manager=collaboration:5 => score=5 level=5 eff=manager:100",
    ];
    for line in right {
        assert_eq!(check_line(line), Ok(()), "{line}");
    }
}

#[test]
fn every_kind_must_appear() {
    for kind in KINDS {
        let doc: String = DOC
            .lines()
            .filter(|l| l.split_whitespace().next() != Some(kind))
            .map(|l| format!("{l}\n"))
            .collect();
        let err = check_doc(&doc).unwrap_err();
        assert!(
            err.contains(&format!("no `{kind}` example")),
            "{kind}: {err}"
        );
    }
}

/// `formula "TEXT" [COMPONENT=V|none ...] => V | none | invalid@N`: a
/// final-score formula evaluated with the given components (missing ones
/// are none), or refused at character N (1-based).
fn check_formula(rest: &str, expected: &str) -> Check {
    use yardstick::domain::appraisal::Formula;
    let rest = rest
        .strip_prefix('"')
        .ok_or("the formula must come first, in double quotes")?;
    let end = rest.find('"').ok_or("unterminated formula")?;
    let (text, tail) = (&rest[..end], &rest[end + 1..]);
    let mut args = Args::parse(tail)?;
    let mut values = Vec::new();
    for c in Component::ALL {
        if let Some(v) = args.take(c.as_str()) {
            values.push((*c, opt_num(v)?));
        }
    }
    args.finish()?;
    match (Formula::parse(text), expected.strip_prefix("invalid@")) {
        (Err(e), Some(at)) => {
            let at: usize = at.parse().map_err(|_| format!("bad position `{at}`"))?;
            if e.at + 1 == at {
                Ok(())
            } else {
                Err(format!(
                    "refused at {} ({}), not at {at}",
                    e.at + 1,
                    e.message
                ))
            }
        }
        (Err(e), None) => Err(format!("expected {expected}, refused: {}", e.message)),
        (Ok(_), Some(_)) => Err(format!("expected {expected}, but it was accepted")),
        (Ok(f), None) => expect_opt_num("formula", f.eval(&values), opt_num(expected)?),
    }
}

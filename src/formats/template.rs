//! Review template files (TOML): parse with `FILE:LINE:COL` errors, write
//! back canonically. The format is documented in `docs/templates.md`.

use crate::domain::appraisal::{
    Band, CalibrationRule, Competency, ComponentWeights, Conventions, DEFAULT_ANONYMITY_THRESHOLD,
    Formula, GoalMapping, Level, MeritRow, NoProgress, Place, Rounding, Scale, SummaryRule,
    Template,
};
use crate::domain::types::{Component, MissingRule};
use crate::error::{Error, Result};
use crate::formats::config::{line_col, toml_error};
use crate::formats::planfile::format_number;
use serde::Deserialize;
use std::ops::Range;
use std::path::Path;
use std::str::FromStr;
use toml::Spanned;

/// The default template, used by a cycle created without `--template`.
pub const DEFAULT: &str = include_str!("../../examples/templates/default.toml");

/// The template shipped as `examples/templates/opm.toml` (5 CFR 430.208).
pub const OPM: &str = include_str!("../../examples/templates/opm.toml");

/// The template shipped as `examples/templates/frappe.toml` (Frappe HRMS's
/// default final score).
pub const FRAPPE: &str = include_str!("../../examples/templates/frappe.toml");

/// The template shipped as `examples/templates/frappe-formula.toml`
/// (Frappe HRMS with a conditional final-score formula).
pub const FRAPPE_FORMULA: &str = include_str!("../../examples/templates/frappe-formula.toml");

type S<T> = Spanned<T>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTemplate {
    name: S<String>,
    anonymity_threshold: Option<S<u32>>,
    missing: Option<S<String>>,
    scale: S<RawScale>,
    weights: S<RawWeights>,
    goals: Option<S<RawGoals>>,
    summary: Option<S<RawSummary>>,
    calibration: Option<S<RawCalibration>>,
    #[serde(default)]
    competency: Vec<S<RawCompetency>>,
    #[serde(default)]
    merit: Vec<S<RawMerit>>,
    score: Option<S<RawScore>>,
    rounding: Option<S<RawRounding>>,
    #[serde(default)]
    band: Vec<S<RawBand>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScore {
    formula: Option<S<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRounding {
    goal_completion: Option<S<u32>>,
    goal_score: Option<S<u32>>,
    components: Option<S<u32>>,
    score: Option<S<u32>>,
    weights: Option<S<u32>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBand {
    min: S<f64>,
    name: S<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMerit {
    level: S<f64>,
    potential: Option<S<String>>,
    raise: S<f64>,
    bonus: S<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCalibration {
    max_steps: Option<S<u32>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScale {
    half_steps: Option<S<bool>>,
    continuous: Option<S<bool>>,
    levels: S<Vec<S<RawLevel>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLevel {
    value: S<f64>,
    label: S<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWeights {
    goals: Option<S<f64>>,
    #[serde(rename = "self")]
    self_review: Option<S<f64>>,
    manager: Option<S<f64>>,
    peer: Option<S<f64>>,
    upward: Option<S<f64>>,
    competencies: Option<S<f64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGoals {
    mapping: Option<S<String>>,
    without_progress: Option<S<String>>,
    thresholds: Option<S<Vec<S<RawGoalThreshold>>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGoalThreshold {
    attainment: S<f64>,
    level: S<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSummary {
    critical_elements: Option<S<bool>>,
    thresholds: Option<S<Vec<S<RawSummaryThreshold>>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSummaryThreshold {
    min: S<f64>,
    level: S<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCompetency {
    key: S<String>,
    name: S<String>,
    description: Option<S<String>>,
    critical: Option<S<bool>>,
    weight: S<f64>,
}

const FORMAT_HINT: &str = "the template format is described in docs/templates.md";

fn err_at(text: &str, file: &str, span: Range<usize>, error: Error) -> Error {
    let (line, col) = line_col(text, span.start);
    let hint = error.hint().map(str::to_owned);
    let located = Error::invalid(format!("{file}:{line}:{col}: {}", error.message()));
    match hint {
        Some(h) => located.with_hint(h),
        None => located,
    }
}

/// Parse and validate a review template. `file` names it in messages.
///
/// Errors read `FILE:LINE:COL: what is wrong`, with a hint: TOML syntax,
/// unknown keys, wrong types, missing keys, and every rule of
/// [`Template::validate`] (pointing at the value at fault, or at the
/// `[weights]` table when the weights do not add up to 100).
pub fn parse(text: &str, file: &str) -> Result<Template> {
    let raw: RawTemplate = toml::from_str(text).map_err(|e| {
        let err = toml_error(file, text, &e);
        let msg = err.message().to_string();
        let hint = if msg.contains("unknown field") {
            "check the spelling; every key is listed in docs/templates.md"
        } else if msg.contains("missing field") {
            "add the key; required keys are listed in docs/templates.md"
        } else if msg.contains("invalid type") || msg.contains("invalid value") {
            "check the value's type: text in quotes, numbers and true/false bare"
        } else {
            FORMAT_HINT
        };
        err.with_hint(hint)
    })?;

    let missing = match &raw.missing {
        None => MissingRule::Renormalize,
        Some(s) => {
            MissingRule::from_str(s.get_ref()).map_err(|e| err_at(text, file, s.span(), e))?
        }
    };

    let scale = Scale {
        levels: raw
            .scale
            .get_ref()
            .levels
            .get_ref()
            .iter()
            .map(|l| Level {
                value: *l.get_ref().value.get_ref(),
                label: l.get_ref().label.get_ref().trim().to_string(),
            })
            .collect(),
        half_steps: raw
            .scale
            .get_ref()
            .half_steps
            .as_ref()
            .is_some_and(|b| *b.get_ref()),
        continuous: raw
            .scale
            .get_ref()
            .continuous
            .as_ref()
            .is_some_and(|b| *b.get_ref()),
    };

    let formula = match raw
        .score
        .as_ref()
        .and_then(|s| s.get_ref().formula.as_ref())
    {
        None => None,
        Some(f) => Some(Formula::parse(f.get_ref()).map_err(|e| {
            // The position inside the string: after the opening quote,
            // exact for a formula without escapes.
            let span = f.span();
            let at = text
                .get(span.start..)
                .and_then(|rest| rest.char_indices().nth(e.at + 1))
                .map_or(span.start, |(i, _)| span.start + i);
            err_at(
                text,
                file,
                at..at,
                Error::invalid(format!(
                    "bad formula at character {}: {}",
                    e.at + 1,
                    e.message
                ))
                .with_hint(format!(
                    "{}\n        {}^ here; the formula language is described in docs/templates.md",
                    f.get_ref(),
                    " ".repeat(e.at)
                )),
            )
        })?),
    };
    let without_progress = match raw
        .goals
        .as_ref()
        .and_then(|g| g.get_ref().without_progress.as_ref())
    {
        None => NoProgress::LeaveOut,
        Some(w) => match w.get_ref().as_str() {
            "leave-out" => NoProgress::LeaveOut,
            "zero" => NoProgress::Zero,
            other => {
                return Err(err_at(
                    text,
                    file,
                    w.span(),
                    Error::invalid(format!(
                        "unknown without_progress '{}'",
                        other.escape_debug()
                    ))
                    .with_hint("use one of: leave-out, zero"),
                ));
            }
        },
    };
    let rr = raw.rounding.as_ref().map(|r| r.get_ref());
    let dec = |f: fn(&RawRounding) -> &Option<S<u32>>| {
        rr.and_then(|r| f(r).as_ref()).map(|v| *v.get_ref())
    };
    let rounding = Rounding {
        goal_completion: dec(|r| &r.goal_completion),
        goal_score: dec(|r| &r.goal_score),
        components: dec(|r| &r.components),
        score: dec(|r| &r.score),
        weights: dec(|r| &r.weights),
    };
    if let Some(r) = &raw.rounding {
        let r = r.get_ref();
        for v in [
            &r.goal_completion,
            &r.goal_score,
            &r.components,
            &r.score,
            &r.weights,
        ]
        .into_iter()
        .flatten()
        {
            if *v.get_ref() > 9 {
                return Err(err_at(
                    text,
                    file,
                    v.span(),
                    Error::invalid(format!("{} decimals is too many", v.get_ref()))
                        .with_hint("round to 0 to 9 decimals"),
                ));
            }
        }
    }
    let conventions = Conventions {
        formula,
        rounding,
        goal_without_progress: without_progress,
        bands: raw
            .band
            .iter()
            .map(|b| Band {
                min: *b.get_ref().min.get_ref(),
                name: b.get_ref().name.get_ref().trim().to_string(),
            })
            .collect(),
    };

    let w = raw.weights.get_ref();
    let get = |v: &Option<S<f64>>| v.as_ref().map_or(0.0, |s| *s.get_ref());
    let weights = ComponentWeights {
        goals: get(&w.goals),
        self_review: get(&w.self_review),
        manager: get(&w.manager),
        peer: get(&w.peer),
        upward: get(&w.upward),
        competencies: get(&w.competencies),
    };

    let goals = match &raw.goals {
        None => GoalMapping::Linear,
        Some(g) => {
            let g = g.get_ref();
            let mapping = g
                .mapping
                .as_ref()
                .map_or("linear", |m| m.get_ref().as_str());
            match (mapping, &g.thresholds) {
                ("linear", None) => GoalMapping::Linear,
                ("linear", Some(th)) => {
                    return Err(err_at(
                        text,
                        file,
                        th.span(),
                        Error::invalid("goal thresholds are given but the mapping is linear")
                            .with_hint("set mapping = \"thresholds\", or leave the thresholds out"),
                    ));
                }
                ("thresholds", th) => GoalMapping::Thresholds(
                    th.as_ref()
                        .map(|th| {
                            th.get_ref()
                                .iter()
                                .map(|t| {
                                    (
                                        *t.get_ref().attainment.get_ref(),
                                        *t.get_ref().level.get_ref(),
                                    )
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                ),
                (other, _) => {
                    let span = g.mapping.as_ref().map_or(0..0, |m| m.span());
                    return Err(err_at(
                        text,
                        file,
                        span,
                        Error::invalid(format!("unknown goal mapping '{}'", other.escape_debug()))
                            .with_hint("use one of: linear, thresholds"),
                    ));
                }
            }
        }
    };

    let competencies: Vec<Competency> = raw
        .competency
        .iter()
        .map(|c| {
            let c = c.get_ref();
            Competency {
                key: c.key.get_ref().clone(),
                name: c.name.get_ref().trim().to_string(),
                description: c
                    .description
                    .as_ref()
                    .map(|d| d.get_ref().trim().to_string())
                    .filter(|d| !d.is_empty()),
                critical: c.critical.as_ref().is_some_and(|b| *b.get_ref()),
                weight: *c.weight.get_ref(),
            }
        })
        .collect();

    let summary_raw = raw.summary.as_ref().map(|s| s.get_ref());
    let summary = SummaryRule {
        thresholds: match summary_raw.and_then(|s| s.thresholds.as_ref()) {
            Some(th) => th
                .get_ref()
                .iter()
                .map(|t| (*t.get_ref().min.get_ref(), *t.get_ref().level.get_ref()))
                .collect(),
            None => SummaryRule::nearest(&scale),
        },
        critical_elements: summary_raw
            .and_then(|s| s.critical_elements.as_ref())
            .is_some_and(|b| *b.get_ref()),
    };

    let template = Template {
        name: raw.name.get_ref().trim().to_string(),
        anonymity_threshold: raw
            .anonymity_threshold
            .as_ref()
            .map_or(DEFAULT_ANONYMITY_THRESHOLD, |a| *a.get_ref()),
        scale,
        competencies,
        weights,
        missing,
        goals,
        summary,
        calibration: CalibrationRule {
            max_steps: raw
                .calibration
                .as_ref()
                .and_then(|c| c.get_ref().max_steps.as_ref())
                .map(|m| *m.get_ref()),
        },
        merit: raw
            .merit
            .iter()
            .map(|m| {
                let m = m.get_ref();
                MeritRow {
                    level: *m.level.get_ref(),
                    potential: m.potential.as_ref().map(|p| p.get_ref().clone()),
                    raise: *m.raise.get_ref(),
                    bonus: *m.bonus.get_ref(),
                }
            })
            .collect(),
        conventions,
    };
    match template.find_problem() {
        None => Ok(template),
        Some(p) => Err(err_at(text, file, span_of(&raw, p.place), p.error)),
    }
}

/// The span in the file that a validation problem is about: the value at
/// fault when it is written, else the table it belongs in.
fn span_of(raw: &RawTemplate, place: Place) -> Range<usize> {
    let levels = &raw.scale.get_ref().levels;
    let level = |i: usize| levels.get_ref().get(i).map(|l| l.get_ref());
    let comp = |i: usize| raw.competency.get(i).map(|c| c.get_ref());
    let goal_ths = raw
        .goals
        .as_ref()
        .and_then(|g| g.get_ref().thresholds.as_ref());
    let goal_th = |i: usize| {
        goal_ths
            .and_then(|t| t.get_ref().get(i))
            .map(|t| t.get_ref())
    };
    let summary = raw.summary.as_ref();
    let sum_ths = summary.and_then(|s| s.get_ref().thresholds.as_ref());
    let sum_th = |i: usize| {
        sum_ths
            .and_then(|t| t.get_ref().get(i))
            .map(|t| t.get_ref())
    };
    let summary_span = summary.map_or(0..0, |s| s.span());
    let w = raw.weights.get_ref();
    let found = match place {
        Place::Name => Some(raw.name.span()),
        Place::AnonymityThreshold => raw.anonymity_threshold.as_ref().map(|a| a.span()),
        Place::Levels => Some(levels.span()),
        Place::LevelValue(i) => level(i).map(|l| l.value.span()),
        Place::LevelLabel(i) => level(i).map(|l| l.label.span()),
        Place::Weights => Some(raw.weights.span()),
        Place::Weight(c) => match c {
            Component::Goals => w.goals.as_ref(),
            Component::SelfReview => w.self_review.as_ref(),
            Component::Manager => w.manager.as_ref(),
            Component::Peer => w.peer.as_ref(),
            Component::Upward => w.upward.as_ref(),
            Component::Competencies => w.competencies.as_ref(),
        }
        .map(|s| s.span())
        .or_else(|| Some(raw.weights.span())),
        Place::CompetencyWeights => raw.competency.first().map(|c| c.span()),
        Place::CompetencyKey(i) => comp(i).map(|c| c.key.span()),
        Place::CompetencyName(i) => comp(i).map(|c| c.name.span()),
        Place::CompetencyDescription(i) => {
            comp(i).and_then(|c| c.description.as_ref().map(|d| d.span()))
        }
        Place::CompetencyWeight(i) => comp(i).map(|c| c.weight.span()),
        Place::GoalThresholds => raw.goals.as_ref().map(|g| {
            g.get_ref()
                .thresholds
                .as_ref()
                .map_or_else(|| g.span(), |t| t.span())
        }),
        Place::GoalThresholdAttainment(i) => goal_th(i).map(|t| t.attainment.span()),
        Place::GoalThresholdLevel(i) => goal_th(i).map(|t| t.level.span()),
        Place::CriticalElements => summary
            .and_then(|s| s.get_ref().critical_elements.as_ref())
            .map(|c| c.span()),
        Place::SummaryThresholds => sum_ths.map(|t| t.span()),
        Place::SummaryThresholdMin(i) => sum_th(i).map(|t| t.min.span()),
        Place::SummaryThresholdLevel(i) => sum_th(i).map(|t| t.level.span()),
        Place::Merit(i) => raw.merit.get(i).map(|m| m.span()),
        Place::Band(i) => raw.band.get(i).map(|b| b.span()),
    };
    found.unwrap_or(match place {
        Place::CriticalElements | Place::SummaryThresholds => summary_span,
        // A default summary rule (no thresholds written) that does not fit
        // the scale: point at the scale.
        Place::SummaryThresholdMin(_) | Place::SummaryThresholdLevel(_) => raw.scale.span(),
        _ => 0..0,
    })
}

/// Load a template file; the text is returned with it (a cycle stores it).
pub fn load(path: &Path) -> Result<(Template, String)> {
    let bytes = std::fs::read(path).map_err(|e| {
        Error::invalid(format!("cannot read template {}: {e}", path.display()))
            .with_hint("pass the path of a template file, e.g. examples/templates/default.toml")
    })?;
    let text = String::from_utf8(bytes)
        .map_err(|_| Error::invalid(format!("{} is not valid UTF-8 text", path.display())))?;
    let template = parse(&text, &path.display().to_string())?;
    Ok((template, text))
}

/// The default template ([`DEFAULT`]), parsed.
pub fn default_template() -> Result<Template> {
    parse(DEFAULT, "default template")
}

/// Write a template as canonical TOML: every key spelled out, in the order
/// of `docs/templates.md`. `parse(&to_toml(&t), ..)` gives back `t` for
/// every valid template.
pub fn to_toml(t: &Template) -> String {
    let n = |v: f64| format_number(v);
    let mut out = String::new();
    out.push_str(&format!("name = {}\n", quote(&t.name)));
    out.push_str(&format!(
        "anonymity_threshold = {}\n",
        t.anonymity_threshold
    ));
    out.push_str(&format!("missing = {}\n", quote(t.missing.as_str())));

    out.push_str("\n[scale]\n");
    out.push_str(&format!("half_steps = {}\n", t.scale.half_steps));
    if t.scale.continuous {
        out.push_str("continuous = true\n");
    }
    out.push_str("levels = [\n");
    for l in &t.scale.levels {
        out.push_str(&format!(
            "  {{ value = {}, label = {} }},\n",
            n(l.value),
            quote_inline(&l.label)
        ));
    }
    out.push_str("]\n");

    out.push_str("\n[weights]\n");
    for &c in Component::ALL {
        out.push_str(&format!("{} = {}\n", c.as_str(), n(t.weights.get(c))));
    }

    out.push_str("\n[goals]\n");
    match &t.goals {
        GoalMapping::Linear => out.push_str("mapping = \"linear\"\n"),
        GoalMapping::Thresholds(ths) => {
            out.push_str("mapping = \"thresholds\"\nthresholds = [\n");
            for &(a, l) in ths {
                out.push_str(&format!(
                    "  {{ attainment = {}, level = {} }},\n",
                    n(a),
                    n(l)
                ));
            }
            out.push_str("]\n");
        }
    }
    if t.conventions.goal_without_progress == NoProgress::Zero {
        out.push_str("without_progress = \"zero\"\n");
    }

    out.push_str("\n[summary]\n");
    out.push_str(&format!(
        "critical_elements = {}\n",
        t.summary.critical_elements
    ));
    out.push_str("thresholds = [\n");
    for &(m, l) in &t.summary.thresholds {
        out.push_str(&format!("  {{ min = {}, level = {} }},\n", n(m), n(l)));
    }
    out.push_str("]\n");

    if let Some(f) = &t.conventions.formula {
        out.push_str(&format!(
            "\n[score]\nformula = {}\n",
            quote_inline(f.source())
        ));
    }
    let r = t.conventions.rounding;
    if r != Rounding::default() {
        out.push_str("\n[rounding]\n");
        for (k, v) in [
            ("goal_completion", r.goal_completion),
            ("goal_score", r.goal_score),
            ("components", r.components),
            ("score", r.score),
            ("weights", r.weights),
        ] {
            if let Some(v) = v {
                out.push_str(&format!("{k} = {v}\n"));
            }
        }
    }
    for b in &t.conventions.bands {
        out.push_str(&format!(
            "\n[[band]]\nmin = {}\nname = {}\n",
            n(b.min),
            quote(&b.name)
        ));
    }

    if let Some(m) = t.calibration.max_steps {
        out.push_str(&format!("\n[calibration]\nmax_steps = {m}\n"));
    }

    for c in &t.competencies {
        out.push_str("\n[[competency]]\n");
        out.push_str(&format!("key = {}\n", quote(&c.key)));
        out.push_str(&format!("name = {}\n", quote(&c.name)));
        if let Some(d) = &c.description {
            out.push_str(&format!("description = {}\n", quote(d)));
        }
        out.push_str(&format!("critical = {}\n", c.critical));
        out.push_str(&format!("weight = {}\n", n(c.weight)));
    }
    for m in &t.merit {
        out.push_str("\n[[merit]]\n");
        out.push_str(&format!("level = {}\n", n(m.level)));
        if let Some(p) = &m.potential {
            out.push_str(&format!("potential = {}\n", quote(p)));
        }
        out.push_str(&format!("raise = {}\n", n(m.raise)));
        out.push_str(&format!("bonus = {}\n", n(m.bonus)));
    }
    out
}

/// A TOML basic string, or a multi-line basic string when the text has line
/// breaks; everything TOML does not allow raw is escaped.
fn quote(s: &str) -> String {
    if s.contains('\n') {
        let mut out = String::from("\"\"\"\n");
        for c in s.chars() {
            escape_into(&mut out, c, true);
        }
        out.push_str("\"\"\"");
        out
    } else {
        quote_inline(s)
    }
}

/// A single-line TOML basic string (line breaks escaped).
fn quote_inline(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        escape_into(&mut out, c, false);
    }
    out.push('"');
    out
}

fn escape_into(out: &mut String, c: char, multiline: bool) {
    match c {
        '"' => out.push_str("\\\""),
        '\\' => out.push_str("\\\\"),
        '\n' if multiline => out.push('\n'),
        '\n' => out.push_str("\\n"),
        '\t' => out.push('\t'),
        '\r' => out.push_str("\\r"),
        c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
        c => out.push(c),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn shipped_templates_parse_and_round_trip() {
        for (name, text) in [
            ("default", DEFAULT),
            ("opm", OPM),
            ("frappe", FRAPPE),
            ("frappe-formula", FRAPPE_FORMULA),
        ] {
            let t = parse(text, name).unwrap();
            assert_eq!(parse(&to_toml(&t), name).unwrap(), t, "{name}");
        }
    }

    #[test]
    fn quoting() {
        for s in [
            "plain",
            "a \"b\" \\ c\td",
            "bell\u{7}",
            "one\ntwo\r",
            "\"\"\"",
            "x\"\n\"\"\"",
        ] {
            let v: toml::Value = toml::from_str(&format!("s = {}", quote(s))).unwrap();
            assert_eq!(v.get("s").and_then(|v| v.as_str()), Some(s), "{s:?}");
        }
    }
}

//! Reading a plan file: TOML → raw spanned structs → validated [`PlanFile`].

use super::raw::{RawDate, RawFile, RawGoal, RawMeasure, RawPeriod, RawPerson, S};
use super::refs::{find_cycle, line_col};
use super::{
    GoalDef, MAX_HANDLE_LEN, MAX_KEY_LEN, MAX_MAGNITUDE, MeasureDef, Mission, PeriodDef, PersonDef,
    PlanFile, Positions, TeamDef, format_number, inferred_direction, is_builtin_period,
};
use crate::domain::names::max;
use crate::domain::{Category, Direction, GoalStatus, MeasureKind, Priority};
use crate::error::{Error, Result};
use chrono::{Datelike, NaiveDate};
use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::str::FromStr;

const DATE_MIN_YEAR: i32 = 1;

// Text limits, in characters (the command line's, see `domain::names::max`).
const MAX_NAME: usize = max::NAME;
const MAX_TITLE: usize = max::GOAL_TITLE;
const MAX_DESCRIPTION: usize = max::DESCRIPTION;
const MAX_MISSION: usize = max::MISSION;
const MAX_EMAIL: usize = max::EMAIL;
const MAX_UNIT: usize = max::UNIT;
const DATE_MAX_YEAR: i32 = 9999;

/// Validation state: the text (for positions), the file name and the
/// positions recorded so far.
struct Ctx<'a> {
    text: &'a str,
    file: &'a str,
    positions: Positions,
}

impl Ctx<'_> {
    fn err(&self, span: Range<usize>, msg: impl std::fmt::Display) -> Error {
        let (line, col) = line_col(self.text, span.start);
        Error::invalid(format!("{}:{line}:{col}: {msg}", self.file))
    }

    fn record(&mut self, path: String, span: Range<usize>) {
        let (line, col) = line_col(self.text, span.start);
        self.positions.insert(path, line, col);
    }

    /// A handle or key: a lowercase ASCII letter, then `[a-z0-9._-]`.
    fn ident(&self, s: &S<String>, what: &str, max: usize) -> Result<String> {
        let v = s.get_ref();
        let mut chars = v.chars();
        let first_ok = chars.next().is_some_and(|c| c.is_ascii_lowercase());
        let rest_ok = chars
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
        if !first_ok || !rest_ok || v.len() > max {
            let why = if v.is_empty() {
                "is empty".to_string()
            } else if v.len() > max {
                format!("is longer than {max} characters")
            } else {
                "is not valid".to_string()
            };
            return Err(self.err(s.span(), format!("{what} '{}' {why}", v.escape_debug())).with_hint(format!(
                "a {what} starts with a lowercase letter, then up to {} of a-z, 0-9, '.', '_', '-'",
                max - 1
            )));
        }
        Ok(v.clone())
    }

    /// A required text: trimmed, not blank, at most `max` characters, no
    /// control characters but line breaks and tabs (the store's rules).
    fn text(&self, s: &S<String>, field: &str, max: usize) -> Result<String> {
        let v = s.get_ref().trim();
        if v.is_empty() {
            return Err(self
                .err(s.span(), format!("{field} is empty"))
                .with_hint(format!("give {field} some text")));
        }
        if v.chars().count() > max {
            return Err(self
                .err(s.span(), format!("{field} is longer than {max} characters"))
                .with_hint(format!("shorten {field}")));
        }
        if v.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
            return Err(self
                .err(s.span(), format!("{field} contains control characters"))
                .with_hint("only line breaks and tabs are allowed in text"));
        }
        Ok(v.to_string())
    }

    /// An optional text: as [`Ctx::text`], but blank counts as absent.
    fn opt_text(&self, s: &Option<S<String>>, field: &str, max: usize) -> Result<Option<String>> {
        match s {
            Some(s) if !s.get_ref().trim().is_empty() => self.text(s, field, max).map(Some),
            _ => Ok(None),
        }
    }

    fn opt_ident(&self, s: &Option<S<String>>, what: &str, max: usize) -> Result<Option<String>> {
        s.as_ref().map(|s| self.ident(s, what, max)).transpose()
    }

    fn number(&self, s: &S<f64>, field: &str) -> Result<f64> {
        let v = *s.get_ref();
        if !v.is_finite() {
            return Err(self
                .err(s.span(), format!("{field} is not a finite number"))
                .with_hint("nan and inf are not allowed; write an ordinary number"));
        }
        if v.abs() > MAX_MAGNITUDE {
            return Err(self
                .err(
                    s.span(),
                    format!("{field} {} is too large", format_number(v)),
                )
                .with_hint("numbers must lie between -1e15 and 1e15"));
        }
        Ok(if v == 0.0 { 0.0 } else { v })
    }

    fn weight(&self, s: &Option<S<f64>>) -> Result<f64> {
        let Some(s) = s else { return Ok(1.0) };
        let v = self.number(s, "weight")?;
        if v <= 0.0 {
            return Err(self
                .err(s.span(), "weight must be greater than 0")
                .with_hint("leave weight out for the default of 1; use status = \"dropped\" to leave a goal out"));
        }
        Ok(v)
    }

    fn date(&self, s: &S<RawDate>, field: &str) -> Result<NaiveDate> {
        let d = s.get_ref().0;
        if !(DATE_MIN_YEAR..=DATE_MAX_YEAR).contains(&d.year()) {
            return Err(self
                .err(s.span(), format!("{field} {d} is out of range"))
                .with_hint(format!(
                    "dates must lie between {DATE_MIN_YEAR} and {DATE_MAX_YEAR}"
                )));
        }
        Ok(d)
    }

    fn opt_date(&self, s: &Option<S<RawDate>>, field: &str) -> Result<Option<NaiveDate>> {
        s.as_ref().map(|s| self.date(s, field)).transpose()
    }

    fn spelled<T: FromStr<Err = Error>>(&self, s: &Option<S<String>>) -> Result<Option<T>> {
        s.as_ref()
            .map(|s| {
                T::from_str(s.get_ref()).map_err(|e| {
                    let hint = e.hint().map(str::to_owned);
                    let err = self.err(s.span(), e.message());
                    match hint {
                        Some(h) => err.with_hint(h),
                        None => err,
                    }
                })
            })
            .transpose()
    }
}

/// Parse and validate a plan file. `file` is the name used in messages.
///
/// Errors read `FILE:LINE:COL: what is wrong`, with a hint where one helps.
/// Rejected: TOML syntax errors, unknown keys, wrong types, nan, inf and
/// numbers beyond ±1e15, weights ≤ 0, malformed handles and keys, duplicate
/// identities within the file, a handle used for both a person and a team,
/// inconsistent measures (direction against baseline and target, a stretch
/// short of the target, a floor beyond it, yes/no values other than 0 and 1,
/// milestones that are not whole non-negative counts), a start after the due
/// date or a period that ends before it starts, a goal that is its own parent,
/// and cycles among the goal parents, team parents and person managers that
/// the file declares. References to entities that may live in the database
/// are checked later, by [`check_references`](super::check_references).
pub fn parse(text: &str, file: &str) -> Result<(PlanFile, Positions)> {
    let raw: RawFile = toml::from_str(text).map_err(|e| toml_error(&e, text, file))?;
    let mut cx = Ctx {
        text,
        file,
        positions: Positions::default(),
    };
    let mut plan = PlanFile::default();

    let mut seen: HashMap<String, Range<usize>> = HashMap::new();
    for p in &raw.period {
        plan.periods.push(period(&mut cx, p, &mut seen)?);
    }

    // Teams and people share one namespace of handles.
    let mut handles: HashMap<String, (&str, Range<usize>)> = HashMap::new();
    for t in &raw.team {
        let handle = cx.ident(&t.handle, "team handle", MAX_HANDLE_LEN)?;
        claim_handle(&cx, &mut handles, &handle, "team", t.handle.span())?;
        let def = TeamDef {
            name: cx.text(&t.name, "name", MAX_NAME)?,
            parent: cx.opt_ident(&t.parent, "team handle", MAX_HANDLE_LEN)?,
            lead: cx.opt_ident(&t.lead, "person handle", MAX_HANDLE_LEN)?,
            handle,
        };
        let base = format!("team.{}", def.handle);
        cx.record(base.clone(), t.handle.span());
        cx.record(format!("{base}.name"), t.name.span());
        for (f, s) in [("parent", &t.parent), ("lead", &t.lead)] {
            if let Some(s) = s {
                cx.record(format!("{base}.{f}"), s.span());
            }
        }
        plan.teams.push(def);
    }
    for p in &raw.person {
        let handle = cx.ident(&p.handle, "person handle", MAX_HANDLE_LEN)?;
        claim_handle(&cx, &mut handles, &handle, "person", p.handle.span())?;
        let def = person(&mut cx, p, handle)?;
        plan.people.push(def);
    }

    let mut keys: HashMap<String, Range<usize>> = HashMap::new();
    for g in &raw.goal {
        plan.goals.push(goal(&mut cx, g, &mut keys)?);
    }

    // Cycles among the relations declared in this file.
    let edges = |ids: Vec<(&String, Option<&String>)>| -> Vec<(String, Option<String>)> {
        ids.into_iter()
            .map(|(a, b)| (a.clone(), b.cloned()))
            .collect()
    };
    let checks = [
        (
            "team",
            "parent",
            "team parents",
            edges(
                plan.teams
                    .iter()
                    .map(|t| (&t.handle, t.parent.as_ref()))
                    .collect(),
            ),
        ),
        (
            "person",
            "manager",
            "managers",
            edges(
                plan.people
                    .iter()
                    .map(|p| (&p.handle, p.manager.as_ref()))
                    .collect(),
            ),
        ),
        (
            "goal",
            "parent",
            "goal parents",
            edges(
                plan.goals
                    .iter()
                    .map(|g| (&g.key, g.parent.as_ref()))
                    .collect(),
            ),
        ),
    ];
    for (kind, field, what, nodes) in checks {
        if let Some(cycle) = find_cycle(&nodes) {
            let at = cx
                .positions
                .get(&format!("{kind}.{}.{field}", cycle[0]))
                .unwrap_or((1, 1));
            return Err(Error::invalid(format!(
                "{file}:{}:{}: {what} form a cycle: {}",
                at.0,
                at.1,
                cycle.join(" → ")
            ))
            .with_hint(format!(
                "a {kind} cannot be above itself; remove one of these {field} links"
            )));
        }
    }

    Ok((plan, cx.positions))
}

fn claim_handle<'a>(
    cx: &Ctx,
    handles: &mut HashMap<String, (&'a str, Range<usize>)>,
    handle: &str,
    kind: &'a str,
    span: Range<usize>,
) -> Result<()> {
    if let Some((other, first)) = handles.get(handle) {
        let (line, col) = line_col(cx.text, first.start);
        let msg = if *other == kind {
            format!(
                "duplicate {kind} handle '{handle}' (first declared at line {line}, column {col})"
            )
        } else {
            format!(
                "handle '{handle}' is used for both a {other} (line {line}, column {col}) and a {kind}"
            )
        };
        return Err(cx
            .err(span, msg)
            .with_hint("handles are unique across people and teams; rename one of them"));
    }
    handles.insert(handle.to_string(), (kind, span));
    Ok(())
}

fn period(
    cx: &mut Ctx,
    p: &RawPeriod,
    seen: &mut HashMap<String, Range<usize>>,
) -> Result<PeriodDef> {
    let name = p.name.get_ref();
    let valid = name.len() <= MAX_HANDLE_LEN
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if !valid {
        return Err(cx
            .err(p.name.span(), format!("period name '{}' is not valid", name.escape_debug()))
            .with_hint("a period name is up to 32 letters, digits, '.', '_' or '-', starting with a letter or digit"));
    }
    if is_builtin_period(name) || name.bytes().take(4).filter(u8::is_ascii_digit).count() == 4 {
        let why = if is_builtin_period(name) {
            format!("period '{name}' is built in and cannot be declared")
        } else {
            format!(
                "period name '{name}' is reserved: names that start with four digits are built-in periods"
            )
        };
        return Err(cx
            .err(p.name.span(), why)
            .with_hint("years, halves, quarters, months and weeks (2026, 2026-H1, 2026-Q3, 2026-11, 2026-W47) need no declaration; pick another name such as FY2027"));
    }
    if let Some(first) = seen.get(name) {
        let (line, col) = line_col(cx.text, first.start);
        return Err(cx.err(
            p.name.span(),
            format!("duplicate period '{name}' (first declared at line {line}, column {col})"),
        ));
    }
    seen.insert(name.clone(), p.name.span());
    let start = cx.date(&p.start, "start")?;
    let end = cx.date(&p.end, "end")?;
    if start > end {
        return Err(cx
            .err(
                p.end.span(),
                format!("period '{name}' ends ({end}) before it starts ({start})"),
            )
            .with_hint("end is the last day of the period and must not be before start"));
    }
    let base = format!("period.{name}");
    cx.record(base.clone(), p.name.span());
    cx.record(format!("{base}.start"), p.start.span());
    cx.record(format!("{base}.end"), p.end.span());
    Ok(PeriodDef {
        name: name.clone(),
        start,
        end,
    })
}

fn person(cx: &mut Ctx, p: &RawPerson, handle: String) -> Result<PersonDef> {
    let mission = match &p.mission {
        None => None,
        Some(m) => {
            let m = m.get_ref();
            let mission = Mission {
                purpose: cx.opt_text(&m.purpose, "purpose", MAX_MISSION)?,
                customers: cx.opt_text(&m.customers, "customers", MAX_MISSION)?,
                product: cx.opt_text(&m.product, "product", MAX_MISSION)?,
                scope: cx.opt_text(&m.scope, "scope", MAX_MISSION)?,
            };
            // An empty [person.mission] table says nothing: same as none.
            (!mission.is_empty()).then_some(mission)
        }
    };
    let def = PersonDef {
        name: cx.text(&p.name, "name", MAX_NAME)?,
        email: cx.opt_text(&p.email, "email", MAX_EMAIL)?,
        title: cx.opt_text(&p.title, "title", MAX_NAME)?,
        manager: cx.opt_ident(&p.manager, "person handle", MAX_HANDLE_LEN)?,
        team: cx.opt_ident(&p.team, "team handle", MAX_HANDLE_LEN)?,
        active: p.active.as_ref().is_none_or(|a| *a.get_ref()),
        mission,
        handle,
    };
    if let (Some(e), Some(addr)) = (&p.email, &def.email)
        && !addr.contains('@')
    {
        return Err(cx
            .err(e.span(), format!("email '{}' has no '@'", e.get_ref()))
            .with_hint("write a full address such as alice@example.com"));
    }
    let base = format!("person.{}", def.handle);
    cx.record(base.clone(), p.handle.span());
    cx.record(format!("{base}.name"), p.name.span());
    for (f, s) in [
        ("email", &p.email),
        ("title", &p.title),
        ("manager", &p.manager),
        ("team", &p.team),
    ] {
        if let Some(s) = s {
            cx.record(format!("{base}.{f}"), s.span());
        }
    }
    if let Some(m) = &p.mission {
        cx.record(format!("{base}.mission"), m.span());
    }
    Ok(def)
}

fn goal(cx: &mut Ctx, g: &RawGoal, keys: &mut HashMap<String, Range<usize>>) -> Result<GoalDef> {
    let key = cx.ident(&g.key, "goal key", MAX_KEY_LEN)?;
    if let Some(first) = keys.get(&key) {
        let (line, col) = line_col(cx.text, first.start);
        return Err(cx
            .err(
                g.key.span(),
                format!("duplicate goal key '{key}' (first declared at line {line}, column {col})"),
            )
            .with_hint("a key identifies one goal; rename one of them"));
    }
    keys.insert(key.clone(), g.key.span());
    let parent = cx.opt_ident(&g.parent, "goal key", MAX_KEY_LEN)?;
    if let (Some(p), Some(s)) = (&parent, &g.parent)
        && *p == key
    {
        return Err(cx
            .err(s.span(), format!("goal '{key}' is its own parent"))
            .with_hint("parent is the key of the goal this one aligns to"));
    }
    let period = match &g.period {
        None => None,
        Some(s) => {
            let v = cx.text(s, "period", MAX_HANDLE_LEN)?;
            if v.chars().any(char::is_whitespace) || v.len() > MAX_HANDLE_LEN {
                return Err(cx
                    .err(s.span(), format!("period '{v}' is not a period name"))
                    .with_hint("use a built-in name such as 2026-Q4 or the name of a [[period]]"));
            }
            Some(v)
        }
    };
    let start = cx.opt_date(&g.start, "start")?;
    let due = cx.opt_date(&g.due, "due")?;
    if let (Some(s), Some(d), Some(span)) = (start, due, g.due.as_ref()) {
        if s > d {
            return Err(cx
                .err(
                    span.span(),
                    format!("due date {d} is before the start date {s}"),
                )
                .with_hint("a goal must start on or before its due date"));
        }
    }
    let mut def = GoalDef {
        title: cx.text(&g.title, "title", MAX_TITLE)?,
        description: cx.opt_text(&g.description, "description", MAX_DESCRIPTION)?,
        owner: cx.ident(&g.owner, "owner handle", MAX_HANDLE_LEN)?,
        parent,
        period,
        start,
        due,
        weight: cx.weight(&g.weight)?,
        priority: cx
            .spelled::<Priority>(&g.priority)?
            .unwrap_or(Priority::Medium),
        category: cx.spelled::<Category>(&g.category)?,
        status: cx
            .spelled::<GoalStatus>(&g.status)?
            .unwrap_or(GoalStatus::Active),
        measures: Vec::new(),
        key,
    };
    let base = format!("goal.{}", def.key);
    cx.record(base.clone(), g.key.span());
    cx.record(format!("{base}.title"), g.title.span());
    cx.record(format!("{base}.owner"), g.owner.span());
    for (f, s) in [
        ("parent", &g.parent),
        ("period", &g.period),
        ("description", &g.description),
    ] {
        if let Some(s) = s {
            cx.record(format!("{base}.{f}"), s.span());
        }
    }
    for (f, s) in [("start", &g.start), ("due", &g.due)] {
        if let Some(s) = s {
            cx.record(format!("{base}.{f}"), s.span());
        }
    }

    let mut names = HashSet::new();
    for m in &g.measure {
        let name = cx.text(&m.name, "measure name", MAX_NAME)?;
        if !names.insert(name.clone()) {
            return Err(cx
                .err(
                    m.name.span(),
                    format!("goal '{}' has two measures named '{name}'", def.key),
                )
                .with_hint(
                    "a measure is identified by its goal and its name; rename one of them",
                ));
        }
        def.measures.push(measure(cx, &def.key, m, name)?);
    }
    Ok(def)
}

fn measure(cx: &mut Ctx, goal: &str, m: &RawMeasure, name: String) -> Result<MeasureDef> {
    let baseline = cx.number(&m.baseline, "baseline")?;
    let target = cx.number(&m.target, "target")?;
    let stretch = m
        .stretch
        .as_ref()
        .map(|s| cx.number(s, "stretch"))
        .transpose()?;
    let floor = m
        .floor
        .as_ref()
        .map(|s| cx.number(s, "floor"))
        .transpose()?;
    let kind = cx
        .spelled::<MeasureKind>(&m.kind)?
        .unwrap_or(MeasureKind::Number);
    let explicit = cx.spelled::<Direction>(&m.direction)?;
    let direction = explicit.unwrap_or_else(|| inferred_direction(baseline, target));

    if let (Some(dir), Some(span)) = (explicit, &m.direction) {
        let wrong = match dir {
            Direction::Increase => target < baseline,
            Direction::Decrease => target > baseline,
        };
        if wrong {
            let (rel, other) = match dir {
                Direction::Increase => ("below", "decrease"),
                Direction::Decrease => ("above", "increase"),
            };
            return Err(cx
                .err(
                    span.span(),
                    format!(
                        "direction is {dir} but target {} is {rel} baseline {}",
                        format_number(target),
                        format_number(baseline)
                    ),
                )
                .with_hint(format!("set direction = \"{other}\", swap baseline and target, or leave direction out to infer it")));
        }
    }
    let beyond = |a: f64, b: f64| match direction {
        Direction::Increase => a > b,
        Direction::Decrease => a < b,
    };
    if let (Some(st), Some(span)) = (stretch, &m.stretch)
        && beyond(target, st)
    {
        return Err(cx
            .err(span.span(), format!("stretch {} falls short of target {}", format_number(st), format_number(target)))
            .with_hint(format!("stretch is the 'exceeds expectations' level: at or beyond the target in the measure's direction ({direction})")));
    }
    if let (Some(fl), Some(span)) = (floor, &m.floor)
        && !beyond(target, fl)
    {
        return Err(cx
            .err(span.span(), format!("floor {} is not short of target {}", format_number(fl), format_number(target)))
            .with_hint(format!("floor is the 'unacceptable' level: short of the target in the measure's direction ({direction})")));
    }
    let values = [
        ("baseline", Some(baseline), Some(&m.baseline)),
        ("target", Some(target), Some(&m.target)),
        ("stretch", stretch, m.stretch.as_ref()),
        ("floor", floor, m.floor.as_ref()),
    ];
    for (field, v, span) in values {
        let (Some(v), Some(span)) = (v, span) else {
            continue;
        };
        match kind {
            MeasureKind::YesNo if v != 0.0 && v != 1.0 => {
                return Err(cx
                    .err(
                        span.span(),
                        format!(
                            "{field} of a yesno measure must be 0 or 1, not {}",
                            format_number(v)
                        ),
                    )
                    .with_hint("0 means not done, 1 means done"));
            }
            MeasureKind::Milestone if v < 0.0 || v.fract() != 0.0 => {
                return Err(cx
                    .err(span.span(), format!("{field} of a milestone measure must be a whole number of milestones, not {}", format_number(v)))
                    .with_hint("a milestone measure counts milestones reached: 0, 1, 2, …"));
            }
            _ => {}
        }
    }
    let def = MeasureDef {
        name,
        unit: cx.opt_text(&m.unit, "unit", MAX_UNIT)?,
        kind,
        direction,
        baseline,
        target,
        stretch,
        floor,
        weight: cx.weight(&m.weight)?,
    };
    let base = format!("measure.{goal}/{}", def.name);
    cx.record(base.clone(), m.name.span());
    let fields = [
        ("baseline", Some(&m.baseline)),
        ("target", Some(&m.target)),
        ("stretch", m.stretch.as_ref()),
        ("floor", m.floor.as_ref()),
        ("weight", m.weight.as_ref()),
    ];
    for (f, s) in fields {
        if let Some(s) = s {
            cx.record(format!("{base}.{f}"), s.span());
        }
    }
    Ok(def)
}

/// Turn a TOML or shape error into `FILE:LINE:COL: message` with a hint.
fn toml_error(e: &toml::de::Error, text: &str, file: &str) -> Error {
    let msg = e.message().trim().replace('`', "'");
    let msg = msg
        .lines()
        .next()
        .unwrap_or("")
        .replace("expected f64", "expected a number")
        .replace(
            "expected a sequence",
            "expected an array of tables such as [[goal]]",
        );
    let located = match e.span() {
        Some(span) => {
            let (line, col) = line_col(text, span.start);
            format!("{file}:{line}:{col}: {msg}")
        }
        None => format!("{file}: {msg}"),
    };
    let hint = if msg.starts_with("unknown field") {
        "check the spelling; every field is listed in docs/plan-file.md"
    } else if msg.starts_with("missing field") {
        "add the field; required fields are listed in docs/plan-file.md"
    } else if msg.starts_with("expected a date") {
        "write dates as 2026-07-01 (with or without quotes), without a time"
    } else if msg.starts_with("invalid type") {
        "check the value's type: text in quotes, numbers bare, dates as 2026-07-01"
    } else {
        "see docs/plan-file.md for the format and https://toml.io for TOML syntax"
    };
    Error::invalid(located).with_hint(hint)
}

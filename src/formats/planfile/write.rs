//! Writing the canonical TOML form of a plan.

use super::{GoalDef, MeasureDef, PersonDef, PlanFile, format_number, inferred_direction};
use crate::domain::{GoalStatus, MeasureKind, Priority};
use std::fmt::Write as _;

/// The plan in canonical order: periods by name, teams and people by handle,
/// goals by key; measures keep their order.
pub fn canonicalize(plan: &PlanFile) -> PlanFile {
    let mut p = plan.clone();
    p.periods.sort_by(|a, b| a.name.cmp(&b.name));
    p.teams.sort_by(|a, b| a.handle.cmp(&b.handle));
    p.people.sort_by(|a, b| a.handle.cmp(&b.handle));
    p.goals.sort_by(|a, b| a.key.cmp(&b.key));
    p
}

/// The canonical TOML text of a plan: a header comment, then periods, teams,
/// people and goals, each sorted by name, handle or key; default values left
/// out (active = true, weight = 1, priority = medium, status = active,
/// kind = number, and a direction equal to the inferred one); numbers written
/// so that they read back exactly. [`parse`](super::parse) of the text gives
/// [`canonicalize`] of the plan.
pub fn to_toml(plan: &PlanFile) -> String {
    let plan = canonicalize(plan);
    let mut out = String::from(
        "# yardstick plan — apply with `yardstick plan apply FILE`; format: docs/plan-file.md\n",
    );
    for p in &plan.periods {
        out.push_str("\n[[period]]\n");
        kv(&mut out, "name", &quote(&p.name));
        kv(&mut out, "start", &p.start.to_string());
        kv(&mut out, "end", &p.end.to_string());
    }
    for t in &plan.teams {
        out.push_str("\n[[team]]\n");
        kv(&mut out, "handle", &quote(&t.handle));
        kv(&mut out, "name", &quote(&t.name));
        opt_str(&mut out, "parent", t.parent.as_deref());
        opt_str(&mut out, "lead", t.lead.as_deref());
    }
    for p in &plan.people {
        person(&mut out, p);
    }
    for g in &plan.goals {
        goal(&mut out, g);
    }
    out
}

fn person(out: &mut String, p: &PersonDef) {
    out.push_str("\n[[person]]\n");
    kv(out, "handle", &quote(&p.handle));
    kv(out, "name", &quote(&p.name));
    opt_str(out, "email", p.email.as_deref());
    opt_str(out, "title", p.title.as_deref());
    opt_str(out, "manager", p.manager.as_deref());
    opt_str(out, "team", p.team.as_deref());
    if !p.active {
        kv(out, "active", "false");
    }
    if let Some(m) = p.mission.as_ref().filter(|m| !m.is_empty()) {
        out.push_str("[person.mission]\n");
        opt_str(out, "purpose", m.purpose.as_deref());
        opt_str(out, "customers", m.customers.as_deref());
        opt_str(out, "product", m.product.as_deref());
        opt_str(out, "scope", m.scope.as_deref());
    }
}

fn goal(out: &mut String, g: &GoalDef) {
    out.push_str("\n[[goal]]\n");
    kv(out, "key", &quote(&g.key));
    kv(out, "title", &quote(&g.title));
    opt_str(out, "description", g.description.as_deref());
    kv(out, "owner", &quote(&g.owner));
    opt_str(out, "parent", g.parent.as_deref());
    opt_str(out, "period", g.period.as_deref());
    if let Some(d) = g.start {
        kv(out, "start", &d.to_string());
    }
    if let Some(d) = g.due {
        kv(out, "due", &d.to_string());
    }
    if g.weight != 1.0 {
        kv(out, "weight", &format_number(g.weight));
    }
    if g.priority != Priority::Medium {
        kv(out, "priority", &quote(g.priority.as_str()));
    }
    if let Some(c) = g.category {
        kv(out, "category", &quote(c.as_str()));
    }
    if g.status != GoalStatus::Active {
        kv(out, "status", &quote(g.status.as_str()));
    }
    for m in &g.measures {
        measure(out, m);
    }
}

fn measure(out: &mut String, m: &MeasureDef) {
    out.push_str("[[goal.measure]]\n");
    kv(out, "name", &quote(&m.name));
    opt_str(out, "unit", m.unit.as_deref());
    if m.kind != MeasureKind::Number {
        kv(out, "kind", &quote(m.kind.as_str()));
    }
    if m.direction != inferred_direction(m.baseline, m.target) {
        kv(out, "direction", &quote(m.direction.as_str()));
    }
    kv(out, "baseline", &format_number(m.baseline));
    kv(out, "target", &format_number(m.target));
    if let Some(x) = m.stretch {
        kv(out, "stretch", &format_number(x));
    }
    if let Some(x) = m.floor {
        kv(out, "floor", &format_number(x));
    }
    if m.weight != 1.0 {
        kv(out, "weight", &format_number(m.weight));
    }
}

fn kv(out: &mut String, key: &str, value: &str) {
    let _ = writeln!(out, "{key} = {value}");
}

fn opt_str(out: &mut String, key: &str, value: Option<&str>) {
    if let Some(v) = value {
        kv(out, key, &quote(v));
    }
}

/// A TOML string: a basic string, or a multi-line basic string when the
/// text has line breaks. Everything TOML does not allow raw is escaped.
pub(super) fn quote(s: &str) -> String {
    let multi = s.contains('\n');
    let mut out = String::with_capacity(s.len() + 8);
    out.push_str(if multi { "\"\"\"\n" } else { "\"" });
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' if multi => out.push('\n'),
            '\n' => out.push_str("\\n"),
            '\t' => out.push('\t'),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push_str(if multi { "\"\"\"" } else { "\"" });
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped() {
        assert_eq!(quote("plain"), "\"plain\"");
        assert_eq!(quote("a \"b\" \\ c\td"), "\"a \\\"b\\\" \\\\ c\td\"");
        assert_eq!(quote("bell\u{7}"), "\"bell\\u0007\"");
        assert_eq!(quote("one\ntwo\r"), "\"\"\"\none\ntwo\\r\"\"\"");
        for s in ["x\"\"\"y", "end\"", "tail\\", "a\nb\"", "\u{7f}\u{85}é€"] {
            let v: toml::Value = toml::from_str(&format!("s = {}", quote(s)))
                .unwrap_or_else(|e| panic!("{s:?}: {e}"));
            assert_eq!(v.get("s").and_then(|v| v.as_str()), Some(s));
        }
    }
}

//! Reference checks over a whole state, and the helpers they share with the
//! parser (positions, cycle detection).

use super::{PlanFile, Positions, is_builtin_period};
use crate::error::{Error, Result};
use std::collections::{HashMap, HashSet};

/// (id, parent) links for [`find_cycle`].
pub(super) type Links = Vec<(String, Option<String>)>;

/// The 1-based line and column (in characters) of byte `offset` in `text`.
pub(super) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut line = 1;
    let mut col = 1;
    for (i, c) in text.char_indices() {
        if i >= offset {
            break;
        }
        if c == '\n' {
            line += 1;
            col = 1;
        } else {
            col += 1;
        }
    }
    (line, col)
}

/// The first cycle among `nodes` (id, parent) following parent links between
/// listed ids, as the ids on it with the first repeated at the end
/// (`a → b → a`). Links to ids not in the list end a chain.
pub(super) fn find_cycle(nodes: &[(String, Option<String>)]) -> Option<Vec<String>> {
    let parent: HashMap<&str, &str> = nodes
        .iter()
        .filter_map(|(id, p)| p.as_deref().map(|p| (id.as_str(), p)))
        .collect();
    let mut done: HashSet<&str> = HashSet::new();
    for (id, _) in nodes {
        let mut path: Vec<&str> = Vec::new();
        let mut on_path: HashSet<&str> = HashSet::new();
        let mut cur = id.as_str();
        loop {
            if done.contains(cur) {
                break;
            }
            if !on_path.insert(cur) {
                let from = path.iter().position(|p| *p == cur).unwrap_or(0);
                let mut cycle: Vec<String> = path[from..].iter().map(|s| s.to_string()).collect();
                cycle.push(cur.to_string());
                return Some(cycle);
            }
            path.push(cur);
            match parent.get(cur) {
                Some(p) => cur = p,
                None => break,
            }
        }
        done.extend(path);
    }
    None
}

/// Check the references in a whole state (typically [`merge`](super::merge)
/// of the database and a file): team parents and leads, person managers and
/// teams, goal owners, parents and periods exist; no handle names both a
/// person and a team; team parents, managers and goal parents have no cycles.
///
/// Errors name the entity and, where `positions` knows it, start with
/// `FILE:LINE:COL:`.
pub fn check_references(state: &PlanFile, positions: &Positions, file: &str) -> Result<()> {
    let teams: HashSet<&str> = state.teams.iter().map(|t| t.handle.as_str()).collect();
    let people: HashSet<&str> = state.people.iter().map(|p| p.handle.as_str()).collect();
    let goals: HashSet<&str> = state.goals.iter().map(|g| g.key.as_str()).collect();
    let periods: HashSet<&str> = state.periods.iter().map(|p| p.name.as_str()).collect();

    let fail = |path: &str, msg: String, hint: &str| -> Error {
        let located = match positions.get(path) {
            Some((line, col)) => format!("{file}:{line}:{col}: {msg}"),
            None => msg,
        };
        Error::invalid(located).with_hint(hint.to_string())
    };

    for p in &state.people {
        if teams.contains(p.handle.as_str()) {
            return Err(fail(
                &format!("person.{}", p.handle),
                format!("handle '{}' is used for both a person and a team", p.handle),
                "handles are unique across people and teams; rename one of them",
            ));
        }
    }
    for t in &state.teams {
        if let Some(parent) = &t.parent
            && !teams.contains(parent.as_str())
        {
            return Err(fail(
                &format!("team.{}.parent", t.handle),
                format!("team '{}': parent team '{parent}' does not exist", t.handle),
                "declare the team in the file ([[team]]) or add it with `yardstick team add`",
            ));
        }
        if let Some(lead) = &t.lead
            && !people.contains(lead.as_str())
        {
            return Err(fail(
                &format!("team.{}.lead", t.handle),
                format!("team '{}': lead '{lead}' is not a person", t.handle),
                "declare the person in the file ([[person]]) or add them with `yardstick people add`",
            ));
        }
    }
    for p in &state.people {
        if let Some(m) = &p.manager
            && !people.contains(m.as_str())
        {
            return Err(fail(
                &format!("person.{}.manager", p.handle),
                format!("person '{}': manager '{m}' is not a person", p.handle),
                "declare the manager in the file ([[person]]) or add them with `yardstick people add`",
            ));
        }
        if let Some(t) = &p.team
            && !teams.contains(t.as_str())
        {
            return Err(fail(
                &format!("person.{}.team", p.handle),
                format!("person '{}': team '{t}' does not exist", p.handle),
                "declare the team in the file ([[team]]) or add it with `yardstick team add`",
            ));
        }
    }
    for g in &state.goals {
        if !people.contains(g.owner.as_str()) && !teams.contains(g.owner.as_str()) {
            return Err(fail(
                &format!("goal.{}.owner", g.key),
                format!(
                    "goal '{}': owner '{}' is neither a person nor a team",
                    g.key, g.owner
                ),
                "the owner is the handle of a person or a team, declared in the file or already in the database",
            ));
        }
        if let Some(parent) = &g.parent
            && !goals.contains(parent.as_str())
        {
            return Err(fail(
                &format!("goal.{}.parent", g.key),
                format!("goal '{}': parent goal '{parent}' does not exist", g.key),
                "parent is the key of another goal; with --prune, a parent left out of the file is removed",
            ));
        }
        if let Some(period) = &g.period
            && !is_builtin_period(period)
            && !periods.contains(period.as_str())
        {
            return Err(fail(
                &format!("goal.{}.period", g.key),
                format!("goal '{}': period '{period}' is not defined", g.key),
                "use a built-in period (2026, 2026-H1, 2026-Q4, 2026-11, 2026-W47) or declare it with [[period]]",
            ));
        }
    }

    let checks: [(&str, &str, &str, Links); 3] = [
        (
            "team",
            "parent",
            "team parents",
            state
                .teams
                .iter()
                .map(|t| (t.handle.clone(), t.parent.clone()))
                .collect(),
        ),
        (
            "person",
            "manager",
            "managers",
            state
                .people
                .iter()
                .map(|p| (p.handle.clone(), p.manager.clone()))
                .collect(),
        ),
        (
            "goal",
            "parent",
            "goal parents",
            state
                .goals
                .iter()
                .map(|g| (g.key.clone(), g.parent.clone()))
                .collect(),
        ),
    ];
    for (kind, field, what, nodes) in checks {
        if let Some(cycle) = find_cycle(&nodes) {
            // Point at a link on the cycle that the file declares, if any.
            let path = cycle
                .iter()
                .map(|id| format!("{kind}.{id}.{field}"))
                .find(|p| positions.get(p).is_some())
                .unwrap_or_else(|| format!("{kind}.{}.{field}", cycle[0]));
            return Err(fail(
                &path,
                format!("{what} form a cycle: {}", cycle.join(" → ")),
                "a goal, team or manager cannot be above itself; remove one of these links",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn nodes(edges: &[(&str, Option<&str>)]) -> Vec<(String, Option<String>)> {
        edges
            .iter()
            .map(|(a, b)| (a.to_string(), b.map(str::to_string)))
            .collect()
    }

    #[test]
    fn line_col_counts_characters() {
        let t = "ab\nÉté x\n";
        assert_eq!(line_col(t, 0), (1, 1));
        assert_eq!(line_col(t, 2), (1, 3));
        assert_eq!(line_col(t, 3), (2, 1));
        assert_eq!(line_col(t, t.find('x').unwrap_or(0)), (2, 5));
        assert_eq!(line_col(t, 10_000), (3, 1), "past the end is clamped");
    }

    #[test]
    fn cycles_are_found_and_chains_are_not_cycles() {
        assert_eq!(
            find_cycle(&nodes(&[("a", Some("b")), ("b", Some("c")), ("c", None)])),
            None
        );
        assert_eq!(find_cycle(&nodes(&[("a", Some("outside"))])), None);
        assert_eq!(
            find_cycle(&nodes(&[("a", Some("a"))])),
            Some(vec!["a".into(), "a".into()])
        );
        let c = find_cycle(&nodes(&[
            ("x", Some("a")),
            ("a", Some("b")),
            ("b", Some("a")),
        ]));
        assert_eq!(c, Some(vec!["a".into(), "b".into(), "a".into()]));
    }
}

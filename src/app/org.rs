//! The organisation's rules: looking people and teams up, and adding,
//! changing and removing them (handles, names, reporting lines, the team
//! tree, mission statements, check-in cadence).

use super::access::Policy;
use crate::domain::access::Act;
use crate::domain::graph::closes_loop;
use crate::domain::names::{max, validate_handle, validate_text};
use crate::domain::org::{
    Owner, Person, Team, check_cadence, manager_loop, own_manager, own_parent_team, team_loop,
};
use crate::error::{Error, Result};
use crate::store::Session;

/// Changes to a person: `None` leaves a field alone, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct PersonPatch {
    /// New name.
    pub name: Option<String>,
    /// New e-mail.
    pub email: Option<Option<String>>,
    /// New title.
    pub title: Option<Option<String>>,
    /// New manager handle.
    pub manager: Option<Option<String>>,
    /// New team handle.
    pub team: Option<Option<String>>,
    /// Active or not.
    pub active: Option<bool>,
    /// Mission: purpose.
    pub purpose: Option<Option<String>>,
    /// Mission: customers.
    pub customers: Option<Option<String>>,
    /// Mission: product.
    pub product: Option<Option<String>>,
    /// Mission: scope.
    pub scope: Option<Option<String>>,
    /// Check-in cadence in days.
    pub cadence_days: Option<Option<i64>>,
    /// Admin or not.
    pub admin: Option<bool>,
}

/// Changes to a team: `None` leaves a field alone, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct TeamPatch {
    /// New name.
    pub name: Option<String>,
    /// New parent team handle.
    pub parent: Option<Option<String>>,
    /// New lead handle.
    pub lead: Option<Option<String>>,
}

fn no_person(handle: &str) -> Error {
    Error::not_found("person", handle).with_hint("`yardstick people list` shows the handles")
}

fn no_team(handle: &str) -> Error {
    Error::not_found("team", handle).with_hint("`yardstick team list` shows the handles")
}

/// A person by handle; exit 1 if there is none.
pub fn get_person(s: &dyn Session, handle: &str) -> Result<Person> {
    s.find_person(handle)?.ok_or_else(|| no_person(handle))
}

/// A person's row id by handle; exit 1 if there is none.
pub fn person_id(s: &dyn Session, handle: &str) -> Result<i64> {
    s.person_id(handle)?.ok_or_else(|| no_person(handle))
}

/// A team by handle; exit 1 if there is none.
pub fn get_team(s: &dyn Session, handle: &str) -> Result<Team> {
    s.find_team(handle)?.ok_or_else(|| no_team(handle))
}

/// A team's row id by handle; exit 1 if there is none.
pub fn team_id(s: &dyn Session, handle: &str) -> Result<i64> {
    s.team_id(handle)?.ok_or_else(|| no_team(handle))
}

/// A team and every team below it (row ids), by the root's handle.
pub fn subtree(s: &dyn Session, handle: &str) -> Result<Vec<i64>> {
    let root = team_id(s, handle)?;
    Ok(s.team_subtree(root)?)
}

/// Whose handle this is: a person's or a team's; exit 1 if neither.
pub fn owner(s: &dyn Session, handle: &str) -> Result<Owner> {
    s.owner(handle)?.ok_or_else(|| {
        Error::failed(format!("no person or team '{handle}'")).with_hint(
            "owners are person or team handles; see `yardstick people list` and `yardstick team list`",
        )
    })
}

/// Active people sorted by handle (inactive ones too when asked), of a team
/// and its sub-teams or of everyone.
pub fn list_people(
    s: &dyn Session,
    team: Option<&str>,
    include_inactive: bool,
) -> Result<Vec<Person>> {
    let teams = team.map(|t| subtree(s, t)).transpose()?;
    Ok(s.list_people(teams.as_deref(), include_inactive)?)
}

/// Whether making `manager` the manager of `person` closes a loop in the
/// reporting line (the one rule imports use too).
fn closes_reporting_loop(s: &dyn Session, person: &str, manager: &str) -> Result<bool> {
    let manager_of =
        |h: &String| -> Result<Option<String>> { Ok(s.find_person(h)?.and_then(|p| p.manager)) };
    Ok(closes_loop(&person.to_string(), &manager.to_string(), manager_of)?.is_some())
}

/// Whether making `parent` the parent of `team` closes a loop in the team tree.
fn closes_team_loop(s: &dyn Session, team: &str, parent: &str) -> Result<bool> {
    let parent_of =
        |h: &String| -> Result<Option<String>> { Ok(s.find_team(h)?.and_then(|t| t.parent)) };
    Ok(closes_loop(&team.to_string(), &parent.to_string(), parent_of)?.is_some())
}

fn ensure_handle_free(s: &dyn Session, handle: &str) -> Result<()> {
    validate_handle(handle)?;
    if s.handle_taken(handle)? {
        return Err(Error::failed(format!(
            "the handle '{handle}' is already taken by a person or team"
        ))
        .with_hint("people and teams share one set of handles; choose another"));
    }
    Ok(())
}

fn clean(field: &str, v: &Option<String>, max: usize) -> Result<Option<String>> {
    match v {
        Some(s) if !s.trim().is_empty() => {
            validate_text(field, s, max)?;
            Ok(Some(s.trim().to_string()))
        }
        _ => Ok(None),
    }
}

fn apply_person_patch(s: &dyn Session, p: &mut Person, patch: &PersonPatch) -> Result<()> {
    if let Some(name) = &patch.name {
        validate_text("name", name, max::NAME)?;
        p.name = name.trim().to_string();
    }
    if let Some(v) = &patch.email {
        p.email = clean("email", v, max::EMAIL)?;
    }
    if let Some(v) = &patch.title {
        p.title = clean("title", v, max::JOB_TITLE)?;
    }
    if let Some(v) = &patch.team {
        if let Some(t) = v {
            team_id(s, t)?;
        }
        p.team = v.clone();
    }
    if let Some(v) = &patch.manager {
        if let Some(m) = v {
            if m == &p.handle {
                return Err(own_manager(&p.handle));
            }
            person_id(s, m)?;
            if p.id != 0 && closes_reporting_loop(s, &p.handle, m)? {
                return Err(manager_loop(m, &p.handle));
            }
        }
        p.manager = v.clone();
    }
    if let Some(a) = patch.active {
        p.active = a;
    }
    if let Some(a) = patch.admin {
        p.admin = a;
    }
    if let Some(c) = patch.cadence_days {
        if let Some(days) = c {
            check_cadence(days)?;
        }
        p.cadence_days = c;
    }
    for (field, src, dst) in [
        ("purpose", &patch.purpose, &mut p.mission.purpose),
        ("customers", &patch.customers, &mut p.mission.customers),
        ("product", &patch.product, &mut p.mission.product),
        ("scope", &patch.scope, &mut p.mission.scope),
    ] {
        if let Some(v) = src {
            *dst = clean(field, v, max::MISSION)?;
        }
    }
    Ok(())
}

/// Add a person. The patch must set a name.
pub fn add_person(
    s: &mut dyn Session,
    now: &str,
    policy: &Policy,
    handle: &str,
    patch: &PersonPatch,
) -> Result<Person> {
    policy.check(s, Act::ChangeOrg, None, None)?;
    ensure_handle_free(s, handle)?;
    let Some(name) = &patch.name else {
        return Err(Error::invalid(format!("person '{handle}' needs a name"))
            .with_hint("pass --name \"Full Name\""));
    };
    validate_text("name", name, max::NAME)?;
    s.insert_person(now, handle, name.trim())?;
    let mut p = get_person(s, handle)?;
    apply_person_patch(s, &mut p, patch)?;
    s.update_person(now, &p)?;
    get_person(s, handle)
}

/// Edit a person; returns the person and whether anything changed.
pub fn edit_person(
    s: &mut dyn Session,
    now: &str,
    policy: &Policy,
    handle: &str,
    patch: &PersonPatch,
) -> Result<(Person, bool)> {
    let before = get_person(s, handle)?;
    let mut after = before.clone();
    apply_person_patch(s, &mut after, patch)?;
    if after == before {
        return Ok((before, false));
    }
    let structure = after.manager != before.manager
        || after.team != before.team
        || after.active != before.active
        || after.admin != before.admin;
    if structure {
        policy.check(s, Act::ChangeOrg, None, None)?;
    } else {
        policy.check(s, Act::EditProfile, Some(&before.handle), None)?;
    }
    s.update_person(now, &after)?;
    Ok((get_person(s, handle)?, true))
}

/// Remove a person. Refused while they own goals; their reports and team
/// leads lose the link.
pub fn remove_person(s: &mut dyn Session, policy: &Policy, handle: &str) -> Result<Person> {
    policy.check(s, Act::ChangeOrg, None, None)?;
    let p = get_person(s, handle)?;
    let goals = s.goals_owned(Owner::Person(p.id))?;
    if goals > 0 {
        return Err(Error::failed(format!("{handle} owns {goals} goal(s)"))
            .with_hint(format!("remove or reassign them first (`yardstick plan list --owner {handle}`), or mark the person inactive with `yardstick people edit {handle} --inactive`")));
    }
    s.delete_person(p.id)?;
    Ok(p)
}

fn apply_team_patch(s: &dyn Session, t: &mut Team, patch: &TeamPatch) -> Result<()> {
    if let Some(name) = &patch.name {
        validate_text("name", name, max::NAME)?;
        t.name = name.trim().to_string();
    }
    if let Some(v) = &patch.parent {
        if let Some(parent) = v {
            if parent == &t.handle {
                return Err(own_parent_team(&t.handle));
            }
            team_id(s, parent)?;
            if t.id != 0 && closes_team_loop(s, &t.handle, parent)? {
                return Err(team_loop(parent, &t.handle));
            }
        }
        t.parent = v.clone();
    }
    if let Some(v) = &patch.lead {
        if let Some(lead) = v {
            person_id(s, lead)?;
        }
        t.lead = v.clone();
    }
    Ok(())
}

/// Add a team. The patch must set a name.
pub fn add_team(
    s: &mut dyn Session,
    now: &str,
    policy: &Policy,
    handle: &str,
    patch: &TeamPatch,
) -> Result<Team> {
    policy.check(s, Act::ChangeOrg, None, None)?;
    ensure_handle_free(s, handle)?;
    let Some(name) = &patch.name else {
        return Err(Error::invalid(format!("team '{handle}' needs a name"))
            .with_hint("pass --name \"Team name\""));
    };
    validate_text("name", name, max::NAME)?;
    s.insert_team(now, handle, name.trim())?;
    let mut t = get_team(s, handle)?;
    apply_team_patch(s, &mut t, patch)?;
    s.update_team(now, &t)?;
    get_team(s, handle)
}

/// Edit a team; returns the team and whether anything changed.
pub fn edit_team(
    s: &mut dyn Session,
    now: &str,
    policy: &Policy,
    handle: &str,
    patch: &TeamPatch,
) -> Result<(Team, bool)> {
    let before = get_team(s, handle)?;
    let mut after = before.clone();
    apply_team_patch(s, &mut after, patch)?;
    if after == before {
        return Ok((before, false));
    }
    policy.check(s, Act::ChangeOrg, None, None)?;
    s.update_team(now, &after)?;
    Ok((get_team(s, handle)?, true))
}

/// Remove a team. Refused while it has sub-teams or owns goals; members
/// lose the link.
pub fn remove_team(s: &mut dyn Session, policy: &Policy, handle: &str) -> Result<Team> {
    policy.check(s, Act::ChangeOrg, None, None)?;
    let t = get_team(s, handle)?;
    let subs = s.sub_team_count(t.id)?;
    if subs > 0 {
        return Err(
            Error::failed(format!("team {handle} has {subs} sub-team(s)")).with_hint(
                "move or remove the sub-teams first (`yardstick team edit SUB --parent OTHER`)",
            ),
        );
    }
    let goals = s.goals_owned(Owner::Team(t.id))?;
    if goals > 0 {
        return Err(
            Error::failed(format!("team {handle} owns {goals} goal(s)")).with_hint(format!(
                "remove or reassign them first (`yardstick plan list --owner {handle}`)"
            )),
        );
    }
    s.delete_team(t.id)?;
    Ok(t)
}

/// `people add`: add a person.
pub fn person_add(
    s: &mut dyn Session,
    now: &str,
    policy: &Policy,
    handle: &str,
    patch: &PersonPatch,
) -> Result<Person> {
    let p = add_person(s, now, policy, handle, patch)?;
    s.set_summary(&format!("added person {handle}"));
    Ok(p)
}

/// `people edit`: change a person.
pub fn person_edit(
    s: &mut dyn Session,
    now: &str,
    policy: &Policy,
    handle: &str,
    patch: &PersonPatch,
) -> Result<Person> {
    let (p, changed) = edit_person(s, now, policy, handle, patch)?;
    if changed {
        s.set_summary(&format!("edited person {handle}"));
    }
    Ok(p)
}

/// `people rm`: remove a person.
pub fn person_remove(s: &mut dyn Session, policy: &Policy, handle: &str) -> Result<()> {
    remove_person(s, policy, handle)?;
    s.set_summary(&format!("removed person {handle}"));
    Ok(())
}

/// `people show`: a person and their direct reports.
pub fn person_view(s: &dyn Session, handle: &str) -> Result<(Person, Vec<Person>)> {
    let p = get_person(s, handle)?;
    let reports = s
        .list_people(None, true)?
        .into_iter()
        .filter(|r| r.manager.as_deref() == Some(handle))
        .collect();
    Ok((p, reports))
}

/// `team add`: add a team.
pub fn team_add(
    s: &mut dyn Session,
    now: &str,
    policy: &Policy,
    handle: &str,
    patch: &TeamPatch,
) -> Result<Team> {
    let t = add_team(s, now, policy, handle, patch)?;
    s.set_summary(&format!("added team {handle}"));
    Ok(t)
}

/// `team edit`: change a team.
pub fn team_edit(
    s: &mut dyn Session,
    now: &str,
    policy: &Policy,
    handle: &str,
    patch: &TeamPatch,
) -> Result<Team> {
    let (t, changed) = edit_team(s, now, policy, handle, patch)?;
    if changed {
        s.set_summary(&format!("edited team {handle}"));
    }
    Ok(t)
}

/// `team rm`: remove a team.
pub fn team_remove(s: &mut dyn Session, policy: &Policy, handle: &str) -> Result<()> {
    remove_team(s, policy, handle)?;
    s.set_summary(&format!("removed team {handle}"));
    Ok(())
}

/// `team show`: a team, its active members and its sub-teams.
pub fn team_view(s: &dyn Session, handle: &str) -> Result<(Team, Vec<Person>, Vec<Team>)> {
    let t = get_team(s, handle)?;
    let members = s
        .list_people(None, false)?
        .into_iter()
        .filter(|p| p.team.as_deref() == Some(handle))
        .collect();
    let subs = s
        .list_teams()?
        .into_iter()
        .filter(|x| x.parent.as_deref() == Some(handle))
        .collect();
    Ok((t, members, subs))
}

/// `team list`: every team with its number of active members.
pub fn teams_with_sizes(s: &dyn Session) -> Result<Vec<(Team, i64)>> {
    let mut rows = Vec::new();
    for t in s.list_teams()? {
        let n = s.team_size(t.id)?;
        rows.push((t, n));
    }
    Ok(rows)
}

/// `team tree`: the teams depth first from the roots, with their depth and size.
pub fn team_tree(s: &dyn Session) -> Result<Vec<(usize, Team, i64)>> {
    let teams = teams_with_sizes(s)?;
    let mut rows = Vec::new();
    let mut seen = vec![false; teams.len()];
    let mut stack: Vec<(usize, usize)> = teams
        .iter()
        .enumerate()
        .filter(|(_, (t, _))| t.parent.is_none())
        .map(|(i, _)| (i, 0))
        .rev()
        .collect();
    while let Some((i, depth)) = stack.pop() {
        if std::mem::replace(&mut seen[i], true) {
            continue;
        }
        rows.push((depth, teams[i].0.clone(), teams[i].1));
        for (j, (t, _)) in teams.iter().enumerate().rev() {
            if t.parent.as_deref() == Some(teams[i].0.handle.as_str()) {
                stack.push((j, depth + 1));
            }
        }
    }
    Ok(rows)
}

//! The storage conformance suite: what every backend must do, checked
//! through the storage interface alone, so the same checks run against
//! every backend (`tests/conformance.rs` runs them against SQLite in memory
//! and on a file).
//!
//! Each check takes a fresh, empty [`Store`] and returns `Err` with what
//! went wrong. Between them they call every method of every repository,
//! and for every kind of write they check the contract of the operation
//! log: the write is logged once with its summary, its before-images are
//! readable as data ([`super::OpLog::op_changes`]), and undo restores the data
//! exactly, compared record by record through the exchange view
//! ([`super::ExchangeRepo::for_each_row`]), which every backend provides.

use super::checkins::{CheckinFilter, NewCheckin};
use super::cycles::NewCycle;
use super::exchange::{RawRow, Selection, TABLES, Val, table_index};
use super::feedback::{FeedbackFilter, NewFeedback};
use super::followup::{ActionFilter, NewAction, NewPip};
use super::oplog::{Audience, AudienceKind};
use super::plan::GoalQuery;
use super::{ChangeKind, OpMeta, Session, Store, StoreError, WriteScope};
use crate::domain::cycle::CycleEvent;
use crate::domain::goal::{Goal, Measure, PeriodRow};
use crate::domain::org::Owner;
use crate::domain::{
    CycleState, Direction, FeedbackKind, GoalStatus, MeasureKind, Priority, ReviewKind, ReviewState,
};
use chrono::NaiveDate;
use std::path::Path;

/// What a check returns.
pub type Outcome = Result<(), String>;

/// One check of the suite.
pub type Check = fn(&mut Store) -> Outcome;

/// Every check, by name.
pub const CHECKS: &[(&str, Check)] = &[
    ("org", org),
    ("plan", plan),
    ("checkins", checkins),
    ("feedback", feedback),
    ("cycles", cycles),
    ("follow-up", follow_up),
    ("exchange", exchange),
    ("stats", stats),
    ("op log", op_log),
    ("write scopes", write_scopes),
    ("bulk load", bulk_load),
    ("rehearsal", rehearsal),
];

/// Run every check against stores made by `make`; returns the failures.
pub fn run(make: &mut dyn FnMut() -> Result<Store, String>) -> Vec<String> {
    let mut failures = Vec::new();
    for (name, check) in CHECKS {
        let outcome = make().and_then(|mut store| check(&mut store));
        if let Err(e) = outcome {
            failures.push(format!("{name}: {e}"));
        }
    }
    failures
}

const NOW: &str = "2026-11-22T12:00:00Z";

/// A template's source text, stored as it is.
const TEMPLATE: &str = "name = \"Default\"\n";
const LATER: &str = "2026-11-23T09:30:00Z";

macro_rules! ensure {
    ($cond:expr, $($fmt:tt)+) => {
        if !$cond {
            return Err(format!($($fmt)+));
        }
    };
}

/// Turn any error into the check's message.
fn ok<T, E: std::fmt::Display>(r: Result<T, E>, what: &str) -> Result<T, String> {
    r.map_err(|e| format!("{what}: {e}"))
}

fn day(y: i32, m: u32, d: u32) -> Result<NaiveDate, String> {
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| format!("bad test date {y}-{m}-{d}"))
}

fn meta(command: &str) -> OpMeta {
    OpMeta {
        actor: "conformance".into(),
        command: command.into(),
        at: NOW.into(),
    }
}

/// The settings the checks change.
const SETTINGS: [&str; 2] = ["me", "x"];

/// Every record, private ones included, in the exchange view, and the
/// settings the checks change.
fn dump(store: &Store) -> Result<(Vec<RawRow>, Vec<Option<String>>), String> {
    let settings = SETTINGS
        .iter()
        .map(|k| ok(store.read().setting(k), "setting"))
        .collect::<Result<_, _>>()?;
    Ok((records(store)?, settings))
}

/// Every record, private ones included, in the exchange view.
fn records(store: &Store) -> Result<Vec<RawRow>, String> {
    let mut rows = Vec::new();
    let all = Selection {
        include_private: true,
        ..Selection::default()
    };
    ok(
        store.read().for_each_row(&all, &mut |r| {
            rows.push(r.clone());
            Ok(())
        }),
        "dump",
    )?;
    Ok(rows)
}

/// Run `f` as a logged write and return its value.
fn write<T>(
    store: &mut Store,
    command: &str,
    scope: WriteScope,
    f: impl FnOnce(&mut dyn Session) -> crate::Result<T>,
) -> Result<T, String> {
    let w = ok(store.write(&meta(command), scope, f), command)?;
    Ok(w.value)
}

/// The contract of a write: it changes the data and is logged once with
/// its summary; its before-images cover every row it updated or deleted;
/// undo puts everything back exactly. The write is then done again (it
/// must be repeatable) and its value returned.
fn undoable<T>(
    store: &mut Store,
    command: &str,
    scope: WriteScope,
    f: impl Fn(&mut dyn Session) -> crate::Result<T>,
) -> Result<T, String> {
    let before = dump(store)?;
    let w = ok(
        store.write(&meta(command), scope, |s| {
            let v = f(s)?;
            s.set_summary(command);
            Ok(v)
        }),
        command,
    )?;
    ensure!(w.changed, "{command}: the write reports no change");
    ensure!(dump(store)? != before, "{command}: the data did not change");
    let preview = ok(store.read().undo_preview(None), "undo preview")?
        .ok_or_else(|| format!("{command}: not in the log"))?;
    ensure!(
        preview.op.command == command && preview.op.summary == command,
        "{command}: logged as {:?} / {:?}",
        preview.op.command,
        preview.op.summary
    );
    ensure!(!preview.bulk, "{command}: marked as a bulk load");
    ensure!(
        !preview.changes.is_empty(),
        "{command}: no changes previewed"
    );
    let changes = ok(store.read().op_changes(preview.op.id), "op changes")?;
    ensure!(!changes.is_empty(), "{command}: no before-images kept");
    for c in &changes {
        // A data table's before-image holds its id, UUID and every column.
        let width = table_index(&c.table).map(|t| super::exchange::TABLES[t].cols.len() + 2);
        let kept = c.before.as_ref().map(Vec::len);
        let good = match c.kind {
            ChangeKind::Insert => kept.is_none(),
            ChangeKind::Update | ChangeKind::Delete => {
                kept.is_some_and(|n| n > 0 && width.is_none_or(|w| w == n))
            }
        };
        ensure!(
            good,
            "{command}: {:?} of {} row {} keeps {kept:?} columns (expected {width:?})",
            c.kind,
            c.table,
            c.row
        );
    }
    ok(store.undo(preview.op.id, LATER), "undo")?;
    ensure!(
        dump(store)? == before,
        "{command}: undo did not restore the data exactly"
    );
    let undone = ok(store.read().list_ops(Some(1)), "list ops")?;
    ensure!(
        undone
            .first()
            .is_some_and(|o| o.id == preview.op.id && o.undone_at.as_deref() == Some(LATER)),
        "{command}: the log does not say it was undone"
    );
    write(store, command, scope, f)
}

/// A team and two people: bob leads acme; alice reports to bob.
fn seed_org(store: &mut Store) -> Result<(i64, i64, i64), String> {
    write(store, "seed org", WriteScope::Any, |s| {
        let acme = s.insert_team(NOW, "acme", "Acme")?;
        let bob = s.insert_person(NOW, "bob", "Bob")?;
        let alice = s.insert_person(NOW, "alice", "Alice")?;
        let mut b = s
            .find_person("bob")?
            .ok_or_else(|| crate::Error::failed("bob"))?;
        b.team = Some("acme".into());
        s.update_person(NOW, &b)?;
        let mut a = s
            .find_person("alice")?
            .ok_or_else(|| crate::Error::failed("alice"))?;
        a.team = Some("acme".into());
        a.manager = Some("bob".into());
        s.update_person(NOW, &a)?;
        Ok((acme, bob, alice))
    })
}

fn org(store: &mut Store) -> Outcome {
    let (acme, bob, alice) = seed_org(store)?;
    let platform = undoable(store, "team add", WriteScope::Any, |s| {
        let id = s.insert_team(NOW, "platform", "Platform")?;
        let mut t = s
            .find_team("platform")?
            .ok_or_else(|| crate::Error::failed("platform"))?;
        t.parent = Some("acme".into());
        t.lead = Some("bob".into());
        s.update_team(NOW, &t)?;
        Ok(id)
    })?;
    undoable(store, "people edit", WriteScope::Any, |s| {
        let mut p = s
            .find_person("alice")?
            .ok_or_else(|| crate::Error::failed("alice"))?;
        p.title = Some("Engineer".into());
        p.team = Some("platform".into());
        p.cadence_days = Some(14);
        p.mission.purpose = Some("Keep the API fast".into());
        Ok(s.update_person(NOW, &p)?)
    })?;
    let s = store.read();
    let a = ok(s.find_person("alice"), "find person")?.ok_or("alice is missing")?;
    ensure!(
        a.id == alice
            && a.manager.as_deref() == Some("bob")
            && a.team.as_deref() == Some("platform")
            && a.title.as_deref() == Some("Engineer")
            && a.cadence_days == Some(14)
            && a.mission.purpose.as_deref() == Some("Keep the API fast")
            && a.active,
        "alice reads back as {a:?}"
    );
    ensure!(
        ok(s.person_id("bob"), "person id")? == Some(bob),
        "bob's id"
    );
    ensure!(
        ok(s.person_id("nobody"), "person id")?.is_none(),
        "nobody's id"
    );
    let t = ok(s.find_team("platform"), "find team")?.ok_or("platform is missing")?;
    ensure!(
        t.parent.as_deref() == Some("acme") && t.lead.as_deref() == Some("bob"),
        "platform reads back as {t:?}"
    );
    ensure!(ok(s.team_id("acme"), "team id")? == Some(acme), "acme's id");
    ensure!(
        ok(s.owner("alice"), "owner")? == Some(Owner::Person(alice)),
        "owner alice"
    );
    ensure!(
        ok(s.owner("acme"), "owner")? == Some(Owner::Team(acme)),
        "owner acme"
    );
    ensure!(ok(s.owner("nobody"), "owner")?.is_none(), "owner nobody");
    let everyone: Vec<String> = ok(s.list_people(None, false), "list people")?
        .into_iter()
        .map(|p| p.handle)
        .collect();
    ensure!(everyone == ["alice", "bob"], "people: {everyone:?}");
    let sub = ok(s.team_subtree(acme), "team subtree")?;
    ensure!(
        sub.len() == 2 && sub.contains(&acme) && sub.contains(&platform),
        "subtree of acme: {sub:?}"
    );
    let in_platform: Vec<String> = ok(s.list_people(Some(&[platform]), false), "list people")?
        .into_iter()
        .map(|p| p.handle)
        .collect();
    ensure!(
        in_platform == ["alice"],
        "people of platform: {in_platform:?}"
    );
    let teams: Vec<String> = ok(s.list_teams(), "list teams")?
        .into_iter()
        .map(|t| t.handle)
        .collect();
    ensure!(teams == ["acme", "platform"], "teams: {teams:?}");
    ensure!(ok(s.handle_taken("acme"), "handle taken")?, "acme is taken");
    ensure!(
        ok(s.handle_taken("alice"), "handle taken")?,
        "alice is taken"
    );
    ensure!(!ok(s.handle_taken("zed"), "handle taken")?, "zed is free");
    ensure!(
        ok(s.manager_chain("alice"), "manager chain")? == ["bob"],
        "alice's managers"
    );
    ensure!(
        ok(s.manager_chain("bob"), "manager chain")?.is_empty(),
        "bob has no manager"
    );
    ensure!(ok(s.team_size(acme), "team size")? == 1, "acme's size");
    ensure!(
        ok(s.sub_team_count(acme), "sub-teams")? == 1,
        "acme's sub-teams"
    );
    ensure!(ok(s.setting("me"), "setting")?.is_none(), "no me yet");
    drop(s);
    let changed = undoable(store, "init", WriteScope::Any, |s| {
        Ok(s.set_setting("me", "bob")?)
    })?;
    ensure!(changed, "setting me changed nothing");
    let again = write(store, "init again", WriteScope::Any, |s| {
        Ok(s.set_setting("me", "bob")?)
    })?;
    ensure!(!again, "setting me twice reports a change");
    ensure!(
        ok(store.read().setting("me"), "setting")?.as_deref() == Some("bob"),
        "me reads back"
    );
    // Inactive people are listed only when asked.
    undoable(store, "people edit inactive", WriteScope::Any, |s| {
        let mut p = s
            .find_person("alice")?
            .ok_or_else(|| crate::Error::failed("alice"))?;
        p.active = false;
        Ok(s.update_person(NOW, &p)?)
    })?;
    let s = store.read();
    ensure!(
        ok(s.list_people(None, false), "list")?.len() == 1,
        "inactive hidden"
    );
    ensure!(
        ok(s.list_people(None, true), "list")?.len() == 2,
        "inactive listed"
    );
    drop(s);
    // Removing a person unlinks their reports and the teams they lead.
    undoable(store, "people rm", WriteScope::Any, |s| {
        Ok(s.delete_person(bob)?)
    })?;
    let s = store.read();
    let a = ok(s.find_person("alice"), "find")?.ok_or("alice is missing")?;
    ensure!(a.manager.is_none(), "alice keeps a removed manager");
    let t = ok(s.find_team("platform"), "find")?.ok_or("platform is missing")?;
    ensure!(t.lead.is_none(), "platform keeps a removed lead");
    drop(s);
    undoable(store, "team rm", WriteScope::Any, |s| {
        Ok(s.delete_team(platform)?)
    })?;
    ensure!(
        ok(store.read().find_team("platform"), "find")?.is_none(),
        "platform is still there"
    );
    Ok(())
}

fn goal_for(s: &dyn Session, key: &str) -> crate::Result<Goal> {
    s.goal_by_key(key)?
        .ok_or_else(|| crate::Error::failed(format!("no goal {key}")))
}

fn new_measure(goal_id: i64, name: &str) -> Measure {
    Measure {
        id: 0,
        uuid: super::new_uuid(),
        goal_id,
        position: 1,
        name: name.into(),
        unit: Some("ms".into()),
        kind: MeasureKind::Number,
        direction: Direction::Decrease,
        baseline: 450.0,
        target: 200.0,
        stretch: Some(150.0),
        floor: None,
        weight: 1.0,
        created_at: NOW.into(),
        updated_at: NOW.into(),
    }
}

/// The org, a team goal `reliable` and alice's goal `latency` aligned to
/// it, with one measure `p95`.
fn seed_plan(store: &mut Store) -> Result<(i64, i64, i64), String> {
    let (_, _, alice) = seed_org(store)?;
    let acme = ok(store.read().team_id("acme"), "team id")?.ok_or("acme")?;
    write(store, "seed plan", WriteScope::Any, |s| {
        let parent = s.insert_goal(NOW, "reliable", "Reliable", Owner::Team(acme))?;
        let child = s.insert_goal(NOW, "latency", "Cut latency", Owner::Person(alice))?;
        let mut g = goal_for(s, "latency")?;
        g.parent = Some("reliable".into());
        g.period = Some("2026-Q4".into());
        g.start = NaiveDate::from_ymd_opt(2026, 10, 1);
        g.due = NaiveDate::from_ymd_opt(2026, 12, 31);
        g.weight = 2.0;
        s.update_goal(NOW, &g)?;
        let m = s.insert_measure(NOW, &new_measure(child, "p95"))?;
        Ok((parent, child, m))
    })
}

fn plan(store: &mut Store) -> Outcome {
    let (parent, child, m) = seed_plan(store)?;
    let alice = ok(store.read().person_id("alice"), "id")?.ok_or("alice")?;
    let s = store.read();
    let g = ok(s.goal_by_id(child), "goal by id")?.ok_or("latency is missing")?;
    ensure!(
        g.key == "latency"
            && g.owner == "alice"
            && !g.owner_is_team
            && g.parent.as_deref() == Some("reliable")
            && g.period.as_deref() == Some("2026-Q4")
            && g.weight == 2.0
            && g.status == GoalStatus::Active
            && g.priority == Priority::Medium,
        "latency reads back as {g:?}"
    );
    ensure!(
        ok(s.goal_by_key("reliable"), "by key")?.is_some_and(|p| p.id == parent && p.owner_is_team),
        "reliable by key"
    );
    ensure!(
        ok(s.goal_by_key("nope"), "by key")?.is_none(),
        "no goal nope"
    );
    let ids = |q: &GoalQuery| -> Result<Vec<i64>, String> {
        Ok(ok(s.list_goals(q), "list goals")?
            .into_iter()
            .map(|g| g.id)
            .collect())
    };
    ensure!(ids(&GoalQuery::default())? == [parent, child], "every goal");
    let acme = ok(s.team_id("acme"), "team")?.ok_or("acme")?;
    ensure!(
        ids(&GoalQuery {
            team: Some(acme),
            ..GoalQuery::default()
        })? == [parent, child],
        "goals of acme and its members"
    );
    ensure!(
        ids(&GoalQuery {
            owner: Some(Owner::Person(alice)),
            ..GoalQuery::default()
        })? == [child],
        "goals of alice"
    );
    ensure!(
        ids(&GoalQuery {
            period: Some("2026-Q4".into()),
            ..GoalQuery::default()
        })? == [child],
        "goals of 2026-Q4"
    );
    ensure!(
        ids(&GoalQuery {
            statuses: vec![GoalStatus::Dropped],
            ..GoalQuery::default()
        })?
        .is_empty(),
        "no dropped goals"
    );
    ensure!(
        ids(&GoalQuery {
            limit: Some(1),
            ..GoalQuery::default()
        })? == [parent],
        "a limit"
    );
    ensure!(ok(s.all_goals(), "all goals")?.len() == 2, "all goals");
    let tree: Vec<i64> = ok(s.goals_with_descendants(&[parent]), "descendants")?
        .into_iter()
        .map(|g| g.id)
        .collect();
    ensure!(tree == [parent, child], "descendants: {tree:?}");
    let up = ok(s.goal_ancestors(child), "ancestors")?;
    ensure!(
        up.contains(&child) && up.contains(&parent) && up.len() == 2,
        "ancestors: {up:?}"
    );
    ensure!(
        ok(s.goals_owned(Owner::Person(alice)), "owned")? == 1,
        "alice owns one"
    );
    ensure!(
        ok(s.goals_owned(Owner::Team(acme)), "owned")? == 1,
        "acme owns one"
    );
    let ms = ok(s.measures(child), "measures")?;
    ensure!(
        ms.len() == 1
            && ms[0].id == m
            && ms[0].direction == Direction::Decrease
            && ms[0].stretch == Some(150.0)
            && ms[0].unit.as_deref() == Some("ms"),
        "measures: {ms:?}"
    );
    ensure!(
        ok(s.measures_of_goals(&[child]), "of goals")?.len() == 1,
        "measures of goals"
    );
    ensure!(
        ok(s.all_measures(), "all measures")?.len() == 1,
        "all measures"
    );
    ensure!(
        ok(s.measure_by_id(m), "by id")?.is_some_and(|x| x.name == "p95"),
        "measure by id"
    );
    drop(s);
    undoable(store, "plan measure", WriteScope::Any, |s| {
        let mut x = new_measure(child, "error rate");
        x.position = 2;
        x.kind = MeasureKind::Percent;
        x.direction = Direction::Decrease;
        x.baseline = 2.5;
        x.target = 1.0;
        x.stretch = None;
        x.floor = Some(4.0);
        Ok(s.insert_measure(NOW, &x)?)
    })?;
    undoable(store, "plan edit measure", WriteScope::Any, |s| {
        let mut x = s
            .measure_by_id(m)?
            .ok_or_else(|| crate::Error::failed("p95"))?;
        x.target = 180.0;
        x.stretch = None;
        x.weight = 3.0;
        Ok(s.update_measure(NOW, &x)?)
    })?;
    undoable(store, "plan close", WriteScope::Any, |s| {
        let mut g = goal_for(s, "latency")?;
        g.status = GoalStatus::Missed;
        g.closed_at = Some(NOW.into());
        g.description = Some("Slipped".into());
        g.parent = None;
        Ok(s.update_goal(NOW, &g)?)
    })?;
    let g = ok(store.read().goal_by_id(child), "by id")?.ok_or("latency")?;
    ensure!(
        g.status == GoalStatus::Missed && g.closed_at.as_deref() == Some(NOW) && g.parent.is_none(),
        "latency after the edit: {g:?}"
    );
    undoable(store, "plan rm measure", WriteScope::Any, |s| {
        Ok(s.delete_measure(m)?)
    })?;
    // Removing a goal removes its measures and unlinks the goals aligned to it.
    write(store, "realign", WriteScope::Any, |s| {
        let mut g = goal_for(s, "latency")?;
        g.parent = Some("reliable".into());
        Ok(s.update_goal(NOW, &g)?)
    })?;
    undoable(store, "plan rm", WriteScope::Any, |s| {
        Ok(s.delete_goal(parent)?)
    })?;
    let g = ok(store.read().goal_by_id(child), "by id")?.ok_or("latency")?;
    ensure!(g.parent.is_none(), "a removed parent is still linked");
    // Custom periods.
    let fy = PeriodRow {
        name: "FY2027".into(),
        start: day(2026, 7, 1)?,
        end: day(2027, 6, 30)?,
    };
    undoable(store, "period add", WriteScope::Any, |s| {
        Ok(s.insert_period(NOW, &fy)?)
    })?;
    undoable(store, "period change", WriteScope::Any, |s| {
        let p = PeriodRow {
            end: NaiveDate::from_ymd_opt(2027, 7, 31).unwrap_or(fy.end),
            ..fy.clone()
        };
        Ok(s.update_period(NOW, &p)?)
    })?;
    let s = store.read();
    let periods = ok(s.list_periods(), "periods")?;
    ensure!(
        periods.len() == 1 && periods[0].end == day(2027, 7, 31)?,
        "periods: {periods:?}"
    );
    ensure!(
        ok(s.goals_in_period("FY2027"), "in period")? == 0,
        "FY2027 unused"
    );
    ensure!(
        ok(s.goals_in_period("2026-Q4"), "in period")? == 1,
        "2026-Q4 used once"
    );
    drop(s);
    undoable(store, "period rm", WriteScope::Any, |s| {
        Ok(s.delete_period("FY2027")?)
    })?;
    ensure!(
        ok(store.read().list_periods(), "periods")?.is_empty(),
        "period removed"
    );
    Ok(())
}

fn new_checkin(goal: i64, measure: Option<i64>, date: NaiveDate, value: Option<f64>) -> NewCheckin {
    NewCheckin {
        goal_id: goal,
        measure_id: measure,
        date,
        value,
        confidence: Some(7),
        status: None,
        note: Some("halfway".into()),
        author_id: None,
    }
}

fn checkins(store: &mut Store) -> Outcome {
    let (_, child, m) = seed_plan(store)?;
    let alice = ok(store.read().person_id("alice"), "id")?.ok_or("alice")?;
    let first = undoable(store, "checkin", WriteScope::Inserts, |s| {
        let mut c = new_checkin(
            child,
            Some(m),
            NaiveDate::from_ymd_opt(2026, 11, 1).unwrap_or_default(),
            Some(325.125_000_000_1),
        );
        c.author_id = Some(alice);
        Ok(s.insert_checkin(NOW, &c)?)
    })?;
    // Many at once, with their UUIDs (a bulk load's batch).
    let rows: Vec<(String, NewCheckin)> = (0..250)
        .map(|i| {
            let d = day(2026, 9, 1).map(|d| d + chrono::Duration::days(i % 60))?;
            Ok((
                super::new_uuid(),
                new_checkin(child, Some(m), d, Some(400.0 - i as f64)),
            ))
        })
        .collect::<Result<_, String>>()?;
    undoable(store, "checkin batch", WriteScope::Inserts, |s| {
        s.insert_checkins(NOW, &rows).map_err(Into::into)
    })?;
    let status_only = undoable(store, "checkin status", WriteScope::Inserts, |s| {
        let mut c = new_checkin(
            child,
            None,
            NaiveDate::from_ymd_opt(2026, 11, 20).unwrap_or_default(),
            None,
        );
        c.status = Some("at-risk".into());
        Ok(s.insert_checkin(NOW, &c)?)
    })?;
    let s = store.read();
    ensure!(ok(s.count_checkins(), "count")? == 252, "count");
    let c = ok(s.checkin(first), "checkin")?.ok_or("first check-in is missing")?;
    ensure!(
        c.goal == "latency"
            && c.measure.as_deref() == Some("p95")
            && c.unit.as_deref() == Some("ms")
            && c.value == Some(325.125_000_000_1)
            && c.author.as_deref() == Some("alice")
            && c.note.as_deref() == Some("halfway"),
        "check-in reads back as {c:?}"
    );
    ensure!(
        ok(s.checkin(999_999), "checkin")?.is_none(),
        "no such check-in"
    );
    let list = |f: &CheckinFilter| -> Result<Vec<i64>, String> {
        Ok(ok(s.list_checkins(f), "list")?
            .into_iter()
            .map(|c| c.id)
            .collect())
    };
    let newest = list(&CheckinFilter {
        limit: Some(2),
        ..CheckinFilter::default()
    })?;
    ensure!(newest == [status_only, first], "newest first: {newest:?}");
    ensure!(
        list(&CheckinFilter {
            people: Some(vec![alice]),
            since: Some(day(2026, 11, 1)?),
            ..CheckinFilter::default()
        })? == [status_only, first],
        "alice's since November"
    );
    let acme = ok(s.team_id("acme"), "team")?.ok_or("acme")?;
    ensure!(
        list(&CheckinFilter {
            teams: Some(vec![acme]),
            measure: Some(m),
            goal: Some(child),
            until: Some(day(2026, 9, 1)?),
            ..CheckinFilter::default()
        })?
        .len()
            == 5,
        "a team's check-ins of a measure up to a day"
    );
    ensure!(
        ok(s.latest_value(m), "latest")? == Some((day(2026, 11, 1)?, 325.125_000_000_1)),
        "latest value"
    );
    let recent = ok(s.recent_points(91, None, None), "recent")?;
    let points = recent.get(&m).ok_or("no recent points")?;
    ensure!(
        points.last() == Some(&(day(2026, 11, 1)?, 325.125_000_000_1))
            && points.windows(2).all(|w| w[0].0 <= w[1].0)
            && points
                .iter()
                .all(|(d, _)| *d >= day(2026, 8, 2).unwrap_or_default()),
        "recent points of the last 91 days, oldest first"
    );
    ensure!(
        ok(s.recent_points(91, Some(&[child + 1000]), None), "recent")?.is_empty(),
        "recent points of other goals"
    );
    let until = ok(
        s.recent_points(91, None, Some(day(2026, 10, 15)?)),
        "recent until",
    )?;
    let until = until.get(&m).ok_or("no recent points until a day")?;
    ensure!(
        !until.is_empty()
            && until
                .iter()
                .all(|(d, _)| *d <= day(2026, 10, 15).unwrap_or_default())
            && until.len() < points.len(),
        "recent points up to a day leave out the later ones"
    );
    let history = ok(s.history(m, Some(day(2026, 10, 1)?)), "history")?;
    ensure!(
        history
            .first()
            .is_some_and(|p| p.0 >= day(2026, 10, 1).unwrap_or_default())
            && history.last() == Some(&(day(2026, 11, 1)?, 325.125_000_000_1)),
        "history since October"
    );
    ensure!(
        ok(s.last_checkin_by_goal(Some(&[child])), "last")?.get(&child)
            == Some(&day(2026, 11, 20)?),
        "last check-in of the goal"
    );
    ensure!(
        ok(s.last_status_by_goal(None), "status")?
            .get(&child)
            .map(String::as_str)
            == Some("at-risk"),
        "last status of the goal"
    );
    drop(s);
    undoable(
        store,
        "checkin edit",
        WriteScope::Tables(&["checkin"]),
        |s| {
            let mut c = s
                .checkin(first)?
                .ok_or_else(|| crate::Error::failed("first"))?;
            c.value = Some(310.0);
            c.note = None;
            c.confidence = None;
            c.status = Some("on-track".into());
            c.date = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap_or(c.date);
            Ok(s.update_checkin(NOW, &c)?)
        },
    )?;
    let c = ok(store.read().checkin(first), "checkin")?.ok_or("first")?;
    ensure!(
        c.value == Some(310.0) && c.note.is_none() && c.status.as_deref() == Some("on-track"),
        "edited check-in: {c:?}"
    );
    undoable(store, "checkin rm", WriteScope::Tables(&["checkin"]), |s| {
        s.delete_checkin(first).map_err(Into::into)
    })?;
    Ok(())
}

fn feedback(store: &mut Store) -> Outcome {
    let (_, child, _) = seed_plan(store)?;
    let s = store.read();
    let (bob, alice) = (
        ok(s.person_id("bob"), "id")?.ok_or("bob")?,
        ok(s.person_id("alice"), "id")?.ok_or("alice")?,
    );
    drop(s);
    let give =
        |to: i64, from: i64, private: bool, kind: FeedbackKind, date: NaiveDate| NewFeedback {
            from_id: Some(from),
            to_id: to,
            date,
            kind,
            text: "Thanks for the review".into(),
            goal_id: Some(child),
            private,
        };
    let shared = undoable(store, "feedback give", WriteScope::Inserts, |s| {
        Ok(s.insert_feedback(
            NOW,
            &give(
                alice,
                bob,
                false,
                FeedbackKind::Praise,
                NaiveDate::from_ymd_opt(2026, 11, 10).unwrap_or_default(),
            ),
        )?)
    })?;
    let private = undoable(store, "feedback give private", WriteScope::Inserts, |s| {
        Ok(s.insert_feedback(
            NOW,
            &give(
                alice,
                bob,
                true,
                FeedbackKind::Concern,
                NaiveDate::from_ymd_opt(2026, 11, 12).unwrap_or_default(),
            ),
        )?)
    })?;
    let s = store.read();
    let f = ok(s.feedback(shared), "feedback")?.ok_or("shared feedback is missing")?;
    ensure!(
        f.from.as_deref() == Some("bob")
            && f.to == "alice"
            && f.kind == FeedbackKind::Praise
            && f.goal.as_deref() == Some("latency")
            && !f.private,
        "feedback reads back as {f:?}"
    );
    ensure!(
        ok(s.feedback(999_999), "feedback")?.is_none(),
        "no such feedback"
    );
    let list = |f: &FeedbackFilter| -> Result<Vec<i64>, String> {
        Ok(ok(s.list_feedback(f), "list")?
            .into_iter()
            .map(|x| x.id)
            .collect())
    };
    ensure!(
        list(&FeedbackFilter::default())? == [private, shared],
        "newest first"
    );
    ensure!(
        list(&FeedbackFilter {
            to: Some(alice),
            from: Some(bob),
            kind: Some(FeedbackKind::Praise),
            ..FeedbackFilter::default()
        })? == [shared],
        "by person and kind"
    );
    ensure!(
        list(&FeedbackFilter {
            since: Some(day(2026, 11, 11)?),
            until: Some(day(2026, 11, 30)?),
            ..FeedbackFilter::default()
        })? == [private],
        "by dates"
    );
    let acme = ok(s.team_id("acme"), "team")?.ok_or("acme")?;
    ensure!(
        list(&FeedbackFilter {
            teams: Some(vec![acme]),
            ..FeedbackFilter::default()
        })?
        .len()
            == 2,
        "by team"
    );
    drop(s);
    undoable(
        store,
        "feedback rm",
        WriteScope::Tables(&["feedback"]),
        |s| s.delete_feedback(private).map_err(Into::into),
    )?;
    Ok(())
}

fn seed_cycle(store: &mut Store) -> Result<(i64, i64, i64), String> {
    let _ = seed_plan(store)?;
    let s = store.read();
    let (bob, alice) = (
        ok(s.person_id("bob"), "id")?.ok_or("bob")?,
        ok(s.person_id("alice"), "id")?.ok_or("alice")?,
    );
    drop(s);
    let new = NewCycle {
        name: "2026-H2".into(),
        period: "2026-H2".into(),
        start: day(2026, 7, 1)?,
        end: day(2026, 12, 31)?,
        template_id: 0,
        self_due: Some(day(2027, 1, 14)?),
        manager_due: None,
        created_by: Some(bob),
    };
    let cycle = write(store, "cycle new", WriteScope::Any, |s| {
        let t = s.insert_template(NOW, "Default", TEMPLATE)?;
        let id = s.insert_cycle(
            NOW,
            &NewCycle {
                template_id: t,
                ..new.clone()
            },
        )?;
        s.add_participant(NOW, id, alice)?;
        s.add_participant(NOW, id, bob)?;
        Ok(id)
    })?;
    Ok((cycle, bob, alice))
}

fn cycles(store: &mut Store) -> Outcome {
    let (cycle, bob, alice) = seed_cycle(store)?;
    let s = store.read();
    let t =
        ok(s.find_template("Default", TEMPLATE), "template")?.ok_or("the template is missing")?;
    ensure!(
        ok(s.template_source(t), "source")?.as_deref() == Some(TEMPLATE),
        "template source"
    );
    ensure!(
        ok(s.find_template("Default", "other"), "template")?.is_none(),
        "other template"
    );
    let c = ok(s.cycle_by_name("2026-H2"), "by name")?.ok_or("cycle is missing")?;
    ensure!(
        c.id == cycle
            && c.state == CycleState::Draft
            && c.template == "Default"
            && c.created_by.as_deref() == Some("bob")
            && c.reopened == 0
            && c.self_due == Some(day(2027, 1, 14)?)
            && c.manager_due.is_none(),
        "cycle reads back as {c:?}"
    );
    ensure!(ok(s.cycle_by_id(cycle), "by id")?.is_some(), "cycle by id");
    ensure!(ok(s.list_cycles(), "list")?.len() == 1, "one cycle");
    let people: Vec<String> = ok(s.participants(cycle), "participants")?
        .into_iter()
        .map(|p| p.handle)
        .collect();
    ensure!(people == ["alice", "bob"], "participants: {people:?}");
    drop(s);
    let again = write(store, "cycle again", WriteScope::Any, |s| {
        Ok(s.add_participant(NOW, cycle, alice)?)
    })?;
    ensure!(!again, "a participant added twice");
    undoable(store, "cycle open", WriteScope::Any, |s| {
        s.set_cycle_state(NOW, cycle, CycleState::Open, false)?;
        s.insert_cycle_event(
            NOW,
            cycle,
            &CycleEvent {
                at: NOW.into(),
                actor: "bob".into(),
                from: CycleState::Draft,
                to: CycleState::Open,
                forced: false,
                reason: None,
            },
        )
        .map_err(Into::into)
    })?;
    let review = undoable(store, "appraise review", WriteScope::Any, |s| {
        let r = s.insert_review(NOW, cycle, alice, bob, ReviewKind::Manager)?;
        s.insert_rating(NOW, r, "collaboration", Some(4.0), Some("Helps everyone"))?;
        s.insert_rating(NOW, r, "latency", None, Some("Ahead of plan"))?;
        s.set_review_summary(NOW, r, "A strong half")?;
        Ok(r)
    })?;
    undoable(store, "appraise review edit", WriteScope::Any, |s| {
        s.update_rating(NOW, review, "collaboration", Some(5.0), None)?;
        s.submit_review(NOW, review).map_err(Into::into)
    })?;
    let s = store.read();
    ensure!(
        ok(s.rating(review, "collaboration"), "rating")? == Some((Some(5.0), None)),
        "rating after the edit"
    );
    ensure!(
        ok(s.rating(review, "nothing"), "rating")?.is_none(),
        "no such rating"
    );
    ensure!(
        ok(s.review_state(review), "state")? == Some(ReviewState::Submitted),
        "submitted"
    );
    let r = ok(
        s.find_review(cycle, alice, bob, ReviewKind::Manager),
        "find review",
    )?
    .ok_or("review is missing")?;
    ensure!(
        r.subject == "alice"
            && r.reviewer == "bob"
            && r.summary.as_deref() == Some("A strong half")
            && r.submitted_at.as_deref() == Some(NOW)
            && r.ratings.len() == 2,
        "review reads back as {r:?}"
    );
    ensure!(
        ok(
            s.find_review(cycle, alice, alice, ReviewKind::SelfReview),
            "find"
        )?
        .is_none(),
        "no self review yet"
    );
    ensure!(
        ok(s.reviews(cycle, None), "reviews")?.len() == 1,
        "reviews of the cycle"
    );
    ensure!(
        ok(s.reviews(cycle, Some(bob)), "reviews")?.is_empty(),
        "no reviews of bob"
    );
    drop(s);
    let unchanged = write(store, "summary again", WriteScope::Any, |s| {
        Ok(s.set_review_summary(NOW, review, "A strong half")?)
    })?;
    ensure!(!unchanged, "the same summary reports a change");
    undoable(store, "appraise calibrate", WriteScope::Any, |s| {
        let o = s.outcome_id(NOW, cycle, alice)?;
        s.set_computed(NOW, o, Some(3.9), Some(4.0))?;
        s.set_anonymous_averages(NOW, o, (Some(3.5), 3), (None, 1))?;
        s.set_calibration(NOW, o, 5.0, "Carried the launch")?;
        s.set_outcome_fields(NOW, o, Some("high"), None)?;
        s.set_outcome_fields(NOW, o, None, Some("promotion"))?;
        s.insert_action(
            NOW,
            cycle,
            alice,
            "Lead a design review",
            NaiveDate::from_ymd_opt(2027, 3, 31),
        )
        .map_err(Into::into)
    })?;
    let o = ok(store.read().outcome(cycle, alice), "outcome")?.ok_or("outcome is missing")?;
    ensure!(
        o.computed_score == Some(3.9)
            && o.computed_level == Some(4.0)
            && o.calibrated_level == Some(5.0)
            && o.potential.as_deref() == Some("high")
            && o.recommendation.as_deref() == Some("promotion")
            && o.actions.len() == 1
            && o.peer_average == Some(3.5)
            && o.peer_count == Some(3)
            && o.upward_average.is_none()
            && o.upward_count == Some(1),
        "outcome reads back as {o:?}"
    );
    ensure!(
        ok(store.read().outcome(cycle, bob), "outcome")?.is_none(),
        "no outcome for bob"
    );
    let record = |n: i64| crate::store::cycles::StoredRecord {
        uuid: crate::store::new_uuid(),
        subject: alice,
        finalization: n,
        finalized_at: NOW.to_string(),
        finalized_by: "bob".to_string(),
        record: "{\"version\":1}".to_string(),
        voided_at: None,
        void_reason: None,
    };
    let first = record(1);
    write(store, "cycle finalize", WriteScope::Any, |s| {
        s.insert_appraisal_record(NOW, cycle, &first)?;
        s.set_cycle_state(NOW, cycle, CycleState::Finalized, false)
            .map_err(Into::into)
    })?;
    ensure!(
        ok(
            store.read().appraisal_records(cycle, Some(alice)),
            "records"
        )? == vec![first.clone()],
        "a record reads back as stored"
    );
    // A finalized cycle's records hold still: no new one, no change.
    for (what, result) in [
        (
            "a record added to a finalized cycle",
            store.write(&meta("late record"), WriteScope::Any, |s| {
                s.insert_appraisal_record(NOW, cycle, &record(2))
                    .map_err(Into::into)
            }),
        ),
        (
            "a finalized cycle's record voided",
            store.write(&meta("void"), WriteScope::Any, |s| {
                s.void_appraisal_records(NOW, cycle, "why")
                    .map(|_| ())
                    .map_err(Into::into)
            }),
        ),
    ] {
        ensure!(
            matches!(
                result.as_ref().err().and_then(crate::Error::store_error),
                Some(StoreError::Refused { .. })
            ),
            "{what} was not refused: {result:?}"
        );
    }
    // Undo does not reach into a finalized cycle.
    let op = ok(store.read().undo_preview(None), "preview")?.ok_or("no preview")?;
    ensure!(
        store.undo(op.op.id, LATER).is_err(),
        "undo reached into a finalized cycle"
    );
    // A finalized cycle holds still: the backend refuses writes into it.
    let refused = store.write(&meta("late review"), WriteScope::Any, |s| {
        s.insert_review(NOW, cycle, bob, bob, ReviewKind::SelfReview)
            .map_err(Into::into)
    });
    ensure!(
        matches!(
            refused.as_ref().err().and_then(crate::Error::store_error),
            Some(StoreError::Refused { .. })
        ),
        "a write into a finalized cycle was not refused: {refused:?}"
    );
    // The subject's acknowledgement is the one change a finalized cycle takes.
    let acked = write(store, "appraise ack", WriteScope::Any, |s| {
        Ok(s.acknowledge(NOW, cycle, alice)?)
    })?;
    let again = write(store, "appraise ack again", WriteScope::Any, |s| {
        Ok(s.acknowledge(NOW, cycle, alice)?)
    })?;
    ensure!(acked && !again, "acknowledged twice");
    let s = store.read();
    ensure!(
        ok(s.participants(cycle), "participants")?
            .iter()
            .any(|p| p.handle == "alice" && p.acknowledged_at.as_deref() == Some(NOW)),
        "acknowledged"
    );
    let events = ok(s.events(cycle), "events")?;
    ensure!(
        events.len() == 1 && events[0].to == CycleState::Open && events[0].actor == "bob",
        "events: {events:?}"
    );
    drop(s);
    undoable(store, "cycle reopen", WriteScope::Any, |s| {
        s.set_cycle_state(NOW, cycle, CycleState::Calibrating, true)
            .map_err(Into::into)
    })?;
    let c = ok(store.read().cycle_by_id(cycle), "by id")?.ok_or("cycle")?;
    ensure!(
        c.state == CycleState::Calibrating && c.reopened == 1,
        "reopened: {c:?}"
    );
    // Reopened, the record is voided (kept, with the reason), once.
    let voided = write(store, "void records", WriteScope::Any, |s| {
        Ok(s.void_appraisal_records(LATER, cycle, "target corrected")?)
    })?;
    let again = write(store, "void records again", WriteScope::Any, |s| {
        Ok(s.void_appraisal_records(LATER, cycle, "again")?)
    })?;
    let kept = ok(store.read().appraisal_records(cycle, None), "records")?;
    ensure!(
        voided == 1
            && again == 0
            && kept.len() == 1
            && kept[0].voided_at.as_deref() == Some(LATER)
            && kept[0].void_reason.as_deref() == Some("target corrected")
            && kept[0].record == first.record,
        "voided: {kept:?}"
    );
    Ok(())
}

/// Development actions followed up after finalize, acknowledgements with
/// comments voided by a reopening, improvement plans and their steps.
fn follow_up(store: &mut Store) -> Outcome {
    use crate::domain::cycle::ActionStatus;
    use crate::domain::pip::{PipOutcome, PipStep, PipStepKind};
    let (cycle, bob, alice) = seed_cycle(store)?;
    let goal = ok(store.read().goal_by_key("latency"), "goal")?.ok_or("latency")?;
    write(store, "calibrate", WriteScope::Any, |s| {
        s.set_cycle_state(NOW, cycle, CycleState::Calibrating, false)
            .map_err(Into::into)
    })?;
    let action = undoable(store, "appraise action add", WriteScope::Any, |s| {
        s.add_action(
            NOW,
            &NewAction {
                cycle,
                subject: alice,
                owner: bob,
                text: "Arrange a mentor",
                due: NaiveDate::from_ymd_opt(2026, 11, 1),
            },
        )
        .map_err(Into::into)
    })?;
    let pip = undoable(store, "pip start", WriteScope::Any, |s| {
        let p = s.insert_pip(
            NOW,
            &NewPip {
                subject: alice,
                started_by: Some(bob),
                start: NaiveDate::from_ymd_opt(2026, 11, 22).unwrap_or_default(),
                end: NaiveDate::from_ymd_opt(2027, 1, 31).unwrap_or_default(),
                reason: "Missed the targets",
            },
        )?;
        s.link_pip_goal(NOW, p, goal.id)?;
        s.add_pip_checkpoint(
            NOW,
            p,
            NaiveDate::from_ymd_opt(2026, 12, 15).unwrap_or_default(),
        )?;
        s.add_pip_step(
            NOW,
            p,
            &PipStep {
                at: NOW.into(),
                actor: "bob".into(),
                kind: PipStepKind::Started,
                outcome: None,
                note: None,
            },
        )?;
        let o = s.outcome_id(NOW, cycle, alice)?;
        s.set_outcome_fields(NOW, o, None, Some("improvement-plan"))?;
        s.set_outcome_pip(NOW, o, Some(p))?;
        Ok(p)
    })?;
    write(store, "finalize", WriteScope::Any, |s| {
        s.set_cycle_state(NOW, cycle, CycleState::Finalized, false)
            .map_err(Into::into)
    })?;
    // A finalized cycle takes the follow-up of its actions.
    undoable(store, "appraise action done", WriteScope::Any, |s| {
        Ok(s.set_action_status(NOW, action, ActionStatus::Done, Some("Found one"))?)
    })?;
    let s = store.read();
    let a = ok(s.action_by_id(action), "action")?.ok_or("action is missing")?;
    ensure!(
        a.status == ActionStatus::Done
            && a.owner == "bob"
            && a.subject == "alice"
            && a.note.as_deref() == Some("Found one")
            && a.closed_at.as_deref() == Some(NOW),
        "action reads back as {a:?}"
    );
    let overdue = ok(
        s.actions(&ActionFilter {
            overdue_on: NaiveDate::from_ymd_opt(2026, 11, 22),
            ..ActionFilter::default()
        }),
        "actions",
    )?;
    ensure!(overdue.is_empty(), "a done action is overdue: {overdue:?}");
    let o = ok(s.outcome(cycle, alice), "outcome")?.ok_or("outcome")?;
    ensure!(o.pip == Some(pip) && o.actions.len() == 1, "outcome: {o:?}");
    drop(s);
    let acked = write(store, "appraise ack", WriteScope::Any, |s| {
        Ok(s.add_acknowledgement(NOW, cycle, alice, Some("I disagree"))?)
    })?;
    ensure!(acked, "acknowledgement not recorded");
    write(store, "cycle reopen", WriteScope::Any, |s| {
        s.set_cycle_state(NOW, cycle, CycleState::Calibrating, true)?;
        Ok(s.void_acknowledgements(LATER, cycle)?)
    })?;
    let s = store.read();
    let acks = ok(s.acknowledgements(cycle, Some(alice)), "acknowledgements")?;
    ensure!(
        acks.len() == 1
            && acks[0].0 == "alice"
            && acks[0].1.comment.as_deref() == Some("I disagree")
            && acks[0].1.voided_at.as_deref() == Some(LATER),
        "acknowledgements: {acks:?}"
    );
    ensure!(
        ok(s.participants(cycle), "participants")?
            .iter()
            .all(|p| p.acknowledged_at.is_none()),
        "a reopening leaves a participant acknowledged"
    );
    let p = ok(s.pip_by_id(pip), "pip")?.ok_or("pip is missing")?;
    ensure!(
        p.subject == "alice" && p.started_by.as_deref() == Some("bob") && p.outcome.is_none(),
        "pip: {p:?}"
    );
    ensure!(ok(s.list_pips(Some(alice)), "pips")?.len() == 1, "one pip");
    ensure!(ok(s.list_pips(Some(bob)), "pips")?.is_empty(), "bob's pips");
    ensure!(ok(s.pip_goals(pip), "goals")? == [goal.id], "pip goals");
    let points = ok(s.pip_checkpoints(pip), "checkpoints")?;
    ensure!(points.len() == 1, "checkpoints: {points:?}");
    drop(s);
    undoable(store, "pip checkpoint", WriteScope::Any, |s| {
        s.hold_pip_checkpoint(NOW, points[0].id, day_or(2026, 11, 22), "On track")?;
        s.set_pip_outcome(NOW, pip, PipOutcome::Successful, day_or(2027, 1, 31))
            .map_err(Into::into)
    })?;
    let s = store.read();
    let p = ok(s.pip_by_id(pip), "pip")?.ok_or("pip")?;
    ensure!(
        p.is_closed() && p.closed_at.as_deref() == Some(NOW),
        "closed: {p:?}"
    );
    let steps = ok(s.pip_steps(pip), "steps")?;
    ensure!(
        steps.len() == 1 && steps[0].kind == PipStepKind::Started,
        "steps: {steps:?}"
    );
    Ok(())
}

fn day_or(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

fn exchange(store: &mut Store) -> Outcome {
    let (cycle, _, alice) = seed_cycle(store)?;
    let all = records(store)?;
    ensure!(
        store.path().is_none_or(Path::exists),
        "the store names a file that is not there"
    );
    // A file has no logins; a server where `server init` has not run maps none.
    let identity = ok(store.server_identity(), "identity")?;
    ensure!(
        matches!(
            identity,
            None | Some(super::postgres::server::Identity::Unsecured)
        ),
        "identity of a store without logins: {identity:?}"
    );
    ensure!(
        ok(store.read().schema_drift(), "drift")?.is_empty(),
        "schema drift"
    );
    let alice_uuid = ok(store.read().find_person("alice"), "person")?
        .ok_or("alice")?
        .uuid;
    let person = table_index("person").ok_or("no person table")?;
    let s = store.read();
    let (id, row) =
        ok(s.find_row(person, &alice_uuid), "find row")?.ok_or("alice's row is missing")?;
    ensure!(id == alice, "alice's row id");
    ensure!(
        row.get("handle") == Some(&Val::Text("alice".into())) && all.contains(&row),
        "alice's row: {row:?}"
    );
    ensure!(
        ok(s.row_id("person", &alice_uuid), "row id")? == Some(alice),
        "row id by uuid"
    );
    let by_handle = ok(
        s.find_row_by(person, &["handle"], &[Val::Text("alice".into())]),
        "find row by handle",
    )?;
    ensure!(
        by_handle.as_ref().map(|(id, r)| (*id, &r.uuid)) == Some((alice, &alice_uuid)),
        "row by handle: {by_handle:?}"
    );
    ensure!(
        ok(
            s.find_row_by(person, &["handle"], &[Val::Text("nobody".into())]),
            "find row by handle"
        )?
        .is_none(),
        "a handle nobody has"
    );
    ensure!(
        s.find_row_by(person, &["no_such_column"], &[Val::Null])
            .is_err(),
        "looking up by an unknown column succeeded"
    );
    ensure!(
        ok(s.row_id("person", "nope"), "row id")?.is_none(),
        "no such uuid"
    );
    // A person's selection holds their rows and what those refer to.
    let mut mine = Vec::new();
    ok(
        s.for_each_row(
            &Selection {
                person: Some(alice),
                ..Selection::default()
            },
            &mut |r| {
                mine.push(r.clone());
                Ok(())
            },
        ),
        "select",
    )?;
    ensure!(
        mine.iter().any(|r| r.uuid == alice_uuid) && mine.len() < all.len(),
        "alice's selection"
    );
    let mut lines = 0;
    ok(
        s.for_each_checkin_line(&Selection::default(), &mut |_| {
            lines += 1;
            Ok(())
        }),
        "checkin lines",
    )?;
    ensure!(lines == 0, "no check-ins yet");
    drop(s);
    // Raw writes: a copy of a person under a new UUID and handle, then changed.
    let mut vals = row.vals.clone();
    let handle = row.def().col("handle").ok_or("no handle column")?;
    vals[handle] = Val::Text("alice2".into());
    let manager = row.def().col("manager_id").ok_or("no manager column")?;
    vals[manager] = Val::Null;
    let team = row.def().col("team_id").ok_or("no team column")?;
    vals[team] = Val::Null;
    let copy = undoable(store, "import", WriteScope::Any, |s| {
        Ok(s.insert_row(person, "7b1e3c1e-9b5d-4c3a-8d7e-2f1a4b6c8d90", &vals)?)
    })?;
    undoable(store, "import update", WriteScope::Any, |s| {
        let mut v = vals.clone();
        let name = row.def().col("name").unwrap_or(0);
        v[name] = Val::Text("Alice Two".into());
        s.update_row(person, copy, &v)?;
        s.set_row_column(person, copy, "manager_id", &Val::Int(alice))
            .map_err(Into::into)
    })?;
    let clash = store.write(&meta("clash"), WriteScope::Any, |s| {
        Ok(s.insert_row(person, "0d9c1b2a-3e4f-4a5b-8c7d-6e5f4a3b2c1d", &vals)?)
    });
    ensure!(
        matches!(clash.as_ref().err().and_then(crate::Error::store_error), Some(StoreError::Clash { columns, .. }) if columns == &["handle"]),
        "a duplicate handle is not a clash: {clash:?}"
    );
    let bad_column = store.write(&meta("bad column"), WriteScope::Any, |s| {
        s.set_row_column(person, copy, "no_such_column", &Val::Null)
            .map_err(Into::into)
    });
    ensure!(bad_column.is_err(), "setting an unknown column succeeded");
    revisions_and_tombstones(store, person, copy, alice)?;
    let _ = cycle;
    Ok(())
}

/// Field revisions kept by every logged write, tombstones of deleted rows,
/// and both restored by undo (the person row `copy`, managed by `alice`,
/// was updated by logged writes).
fn revisions_and_tombstones(store: &mut Store, person: usize, copy: i64, alice: i64) -> Outcome {
    const COPY: &str = "7b1e3c1e-9b5d-4c3a-8d7e-2f1a4b6c8d90";
    let revs = ok(store.read().revisions(person, COPY), "revisions")?;
    ensure!(
        revs.contains_key("name")
            && revs.contains_key("manager_id")
            && !revs.contains_key("updated_at"),
        "the edited fields have revisions: {revs:?}"
    );
    ensure!(
        revs.get("name").and_then(|r| r.by.as_deref()) == Some("conformance"),
        "a revision names who made it: {revs:?}"
    );
    let mut seen = None;
    ok(
        store
            .read()
            .for_each_record(&Selection::default(), &mut |r, v| {
                if r.uuid == COPY {
                    seen = Some(v.clone());
                }
                Ok(())
            }),
        "records with revisions",
    )?;
    ensure!(seen.as_ref() == Some(&revs), "for_each_record: {seen:?}");
    ensure!(
        ok(
            store.read().referring(person, "manager_id", alice),
            "referring"
        )?
        .contains(&COPY.to_string()),
        "the copy refers to alice"
    );
    // A merge sets revisions itself: the write records none of its own.
    undoable(store, "import revisions", WriteScope::Any, |s| {
        let mut v = s
            .find_row(person, COPY)?
            .map(|(_, r)| r.vals)
            .unwrap_or_default();
        let name = TABLES[person].col("name").unwrap_or(0);
        v[name] = Val::Text("Alice Three".into());
        if let Some(m) = TABLES[person].col("manager_id") {
            v[m] = Val::Int(alice);
        }
        s.update_row(person, copy, &v)?;
        Ok(s.set_revisions(person, COPY, &Default::default())?)
    })?;
    ensure!(
        ok(store.read().revisions(person, COPY), "revisions")?.is_empty(),
        "revisions set by the write are kept"
    );
    // A deleted row leaves a tombstone; undo takes it back with the row.
    undoable(store, "delete", WriteScope::Any, |s| {
        Ok(s.delete_row(person, copy)?)
    })?;
    let tomb = ok(store.read().tombstone(person, COPY), "tombstone")?
        .ok_or("no tombstone for a deleted row")?;
    ensure!(
        tomb.deleted_by.as_deref() == Some("conformance") && tomb.deleted_at == NOW,
        "tombstone: {tomb:?}"
    );
    let mut listed = Vec::new();
    ok(
        store
            .read()
            .for_each_tombstone(&Selection::default(), &mut |t| {
                listed.push(t.clone());
                Ok(())
            }),
        "tombstones",
    )?;
    ensure!(
        listed == vec![tomb.clone()],
        "listed tombstones: {listed:?}"
    );
    write(store, "forget", WriteScope::Any, |s| {
        Ok(s.remove_tombstone(person, COPY)?)
    })?;
    ensure!(
        ok(store.read().tombstone(person, COPY), "tombstone")?.is_none(),
        "a removed tombstone"
    );
    write(store, "remember", WriteScope::Any, |s| {
        Ok(s.put_tombstone(&tomb)?)
    })?;
    ensure!(
        ok(store.read().tombstone(person, COPY), "tombstone")? == Some(tomb),
        "a put tombstone"
    );
    Ok(())
}

fn stats(store: &mut Store) -> Outcome {
    let (cycle, bob, alice) = seed_cycle(store)?;
    let child = ok(store.read().goal_by_key("latency"), "goal")?
        .ok_or("latency")?
        .id;
    let m = ok(store.read().measures(child), "measures")?
        .first()
        .map(|x| x.id)
        .ok_or("p95")?;
    write(store, "activity", WriteScope::Any, |s| {
        for (d, v) in [(3, 400.0), (4, 380.0), (12, 350.0)] {
            let mut c = new_checkin(
                child,
                Some(m),
                NaiveDate::from_ymd_opt(2026, 11, d).unwrap_or_default(),
                Some(v),
            );
            c.author_id = Some(alice);
            s.insert_checkin(NOW, &c)?;
        }
        for private in [false, true] {
            s.insert_feedback(
                NOW,
                &NewFeedback {
                    from_id: Some(bob),
                    to_id: alice,
                    date: NaiveDate::from_ymd_opt(2026, 11, 5).unwrap_or_default(),
                    kind: FeedbackKind::Coaching,
                    text: "Write it down".into(),
                    goal_id: None,
                    private,
                },
            )?;
        }
        let r = s.insert_review(NOW, cycle, alice, alice, ReviewKind::SelfReview)?;
        s.insert_rating(NOW, r, "collaboration", Some(4.0), None)?;
        s.submit_review(NOW, r).map_err(Into::into)
    })?;
    let s = store.read();
    let nov = (Some(day(2026, 11, 1)?), Some(day(2026, 11, 30)?));
    let by = ok(s.checkins_by_author(nov.0, nov.1), "by author")?;
    ensure!(
        by.get("alice") == Some(&(3, 2, Some(day(2026, 11, 12)?))),
        "alice's activity: {by:?}"
    );
    let shared = ok(s.feedback_received(nov.0, nov.1, false), "received")?;
    let every = ok(s.feedback_received(nov.0, nov.1, true), "received")?;
    ensure!(
        shared.get("alice") == Some(&1) && every.get("alice") == Some(&2),
        "feedback received: {shared:?} {every:?}"
    );
    ensure!(
        ok(s.checkin_volume(nov.0, nov.1), "volume")? == (3, 1),
        "volume"
    );
    let rc = ok(s.review_completion(), "completion")?;
    ensure!(
        rc == [("2026-H2".to_string(), CycleState::Draft.to_string(), 3, 1)],
        "review completion: {rc:?}"
    );
    Ok(())
}

fn op_log(store: &mut Store) -> Outcome {
    ensure!(
        ok(store.read().undo_preview(None), "preview")?.is_none(),
        "an empty log previews something"
    );
    ensure!(
        ok(store.read().list_ops(None), "ops")?.is_empty(),
        "an empty log lists something"
    );
    seed_org(store)?;
    // A write that changes nothing is not logged.
    ensure!(
        write(store, "set", WriteScope::Any, |s| Ok(
            s.set_setting("x", "1")?
        ))?,
        "a new setting reports no change"
    );
    let count = ok(store.read().list_ops(None), "ops")?.len();
    let noop = ok(
        store.write(&meta("noop"), WriteScope::Any, |s| {
            Ok(s.set_setting("x", "1")?)
        }),
        "noop",
    )?;
    ensure!(
        !noop.changed && !noop.value,
        "a no-op write reports a change"
    );
    ensure!(
        ok(store.read().list_ops(None), "ops")?.len() == count,
        "a no-op write was logged"
    );
    // A failed write leaves nothing, not even its log entry.
    let before = dump(store)?;
    let failed = store.write(&meta("half"), WriteScope::Any, |s| {
        s.insert_person(NOW, "zed", "Zed")?;
        s.insert_person(NOW, "zed", "Zed again")?;
        Ok(())
    });
    ensure!(failed.is_err(), "a duplicate handle was accepted");
    ensure!(dump(store)? == before, "a failed write left data");
    ensure!(
        ok(store.read().list_ops(None), "ops")?.len() == count,
        "a failed write was logged"
    );
    // Before-images as data: an update keeps the row as it was.
    let bob = ok(store.read().find_person("bob"), "bob")?.ok_or("bob")?;
    write(store, "rename", WriteScope::Any, |s| {
        let mut p = bob.clone();
        p.name = "Robert".into();
        s.update_person(LATER, &p).map_err(Into::into)
    })?;
    let op = ok(store.read().undo_preview(None), "preview")?.ok_or("nothing to undo")?;
    let changes = ok(store.read().op_changes(op.op.id), "changes")?;
    let change = changes
        .iter()
        .find(|c| c.table == "person" && c.kind == ChangeKind::Update)
        .ok_or("no update of the person")?;
    let before_image = change.before.as_ref().ok_or("no before-image")?;
    ensure!(
        change.row == bob.id
            && before_image.contains(&Val::Text("Bob".into()))
            && !before_image.contains(&Val::Text("Robert".into())),
        "the before-image is not the row as it was: {before_image:?}"
    );
    ensure!(
        op.changes == [("person".to_string(), ChangeKind::Update, 1)],
        "preview: {:?}",
        op.changes
    );
    // Undo of an earlier operation is refused while a later one changed
    // the same rows, and names it.
    let rename = op.op.id;
    write(store, "retitle", WriteScope::Any, |s| {
        let mut p = s
            .find_person("bob")?
            .ok_or_else(|| crate::Error::failed("bob"))?;
        p.title = Some("Lead".into());
        s.update_person(LATER, &p).map_err(Into::into)
    })?;
    let later = ok(store.read().undo_conflicts(rename), "conflicts")?;
    ensure!(
        later.len() == 1 && later[0].command == "retitle",
        "conflicts of the rename: {later:?}"
    );
    let before = dump(store)?;
    ensure!(
        store.undo(rename, LATER).is_err(),
        "undo of an operation a later one builds on"
    );
    ensure!(dump(store)? == before, "a refused undo changed data");
    // Each person's own latest operation; an earlier one with nothing
    // built on it can be undone on its own.
    let by_carol = OpMeta {
        actor: "carol".into(),
        ..meta("team add")
    };
    ok(
        store.write(&by_carol, WriteScope::Any, |s| {
            s.insert_team(NOW, "carols", "Carol's")?;
            s.set_summary("team add");
            Ok(())
        }),
        "carol's write",
    )?;
    write(store, "other team", WriteScope::Any, |s| {
        Ok(s.insert_team(NOW, "others", "Others")?)
    })?;
    let carols = ok(store.read().undo_preview(Some("carol")), "carol's preview")?
        .ok_or("no operation of carol's")?;
    ensure!(
        carols.op.actor == "carol" && carols.op.command == "team add",
        "carol's latest: {carols:?}"
    );
    ensure!(
        ok(store.read().undo_conflicts(carols.op.id), "conflicts")?.is_empty(),
        "carol's team conflicts"
    );
    ok(store.undo(carols.op.id, LATER), "undo carol's team")?;
    ensure!(
        ok(store.read().find_team("carols"), "team")?.is_none()
            && ok(store.read().find_team("others"), "team")?.is_some(),
        "undo of an earlier operation touched another"
    );
    // Undo never removes a row that later rows refer to.
    write(store, "team", WriteScope::Any, |s| {
        Ok(s.insert_team(NOW, "referred", "Referred")?)
    })?;
    let team_op = ok(store.read().undo_preview(None), "preview")?.ok_or("no op")?;
    write(store, "member", WriteScope::Any, |s| {
        let id = s.insert_person(NOW, "mo", "Mo")?;
        let mut p = s
            .find_person("mo")?
            .ok_or_else(|| crate::Error::failed("mo"))?;
        p.team = Some("referred".into());
        s.update_person(NOW, &p)?;
        Ok(id)
    })?;
    let before = dump(store)?;
    ensure!(
        store.undo(team_op.op.id, LATER).is_err(),
        "undo removed a team a later person belongs to"
    );
    ensure!(dump(store)? == before, "a refused undo changed data");
    // Who an operation is about, and what others read of it, are kept.
    write(store, "private", WriteScope::Any, |s| {
        s.set_setting("x", "2")?;
        s.set_audience(
            Audience {
                kind: AudienceKind::PrivateFeedback,
                subject: "bob".into(),
            },
            "public words",
        );
        Ok(())
    })?;
    let logged = ok(store.read().list_ops(Some(1)), "ops")?;
    ensure!(
        logged.first().is_some_and(|o| o.audience
            == Some(Audience {
                kind: AudienceKind::PrivateFeedback,
                subject: "bob".into()
            })
            && o.public_summary.as_deref() == Some("public words")),
        "the audience: {logged:?}"
    );
    // Purging a row's history erases it from every operation; the others'
    // history stays, and the purging operation itself cannot be undone.
    write(store, "purge", WriteScope::Any, |s| {
        let n = s.purge_row_history("person", bob.id)?;
        if n == 0 {
            return Err(crate::Error::failed("nothing purged"));
        }
        s.set_irreversible();
        s.mark_changed();
        Ok(())
    })?;
    let ops = ok(store.read().list_ops(Some(20)), "ops")?;
    let renamed = ops.iter().find(|o| o.id == rename).ok_or("rename")?;
    ensure!(
        renamed.undone_at.is_none(),
        "a purge marked another operation undone: {renamed:?}"
    );
    ensure!(
        ok(store.read().op_changes(rename), "changes")?
            .iter()
            .all(|c| !(c.table == "person" && c.row == bob.id)),
        "purged before-images remain"
    );
    let purge = ops.first().ok_or("no ops")?;
    ensure!(
        purge.command == "purge" && purge.irreversible,
        "the purge: {purge:?}"
    );
    ensure!(
        ok(store.read().undo_preview(None), "preview")?.is_some_and(|p| p.op.id != purge.id),
        "undo offers an irreversible operation"
    );
    ensure!(
        store.undo(purge.id, LATER).is_err(),
        "an irreversible operation was undone"
    );
    Ok(())
}

fn write_scopes(store: &mut Store) -> Outcome {
    let (_, child, m) = seed_plan(store)?;
    let before = dump(store)?;
    // Declared: check-ins only; changed: a person.
    let outside = store.write(&meta("checkin"), WriteScope::Tables(&["checkin"]), |s| {
        let mut p = s
            .find_person("alice")?
            .ok_or_else(|| crate::Error::failed("alice"))?;
        p.title = Some("Changed".into());
        s.update_person(NOW, &p).map_err(Into::into)
    });
    ensure!(
        outside.is_err(),
        "a write outside its declared tables succeeded"
    );
    ensure!(dump(store)? == before, "a refused write left data");
    // Declared: inserts only; changed: an existing row.
    let updated = store.write(&meta("checkin"), WriteScope::Inserts, |s| {
        s.insert_checkin(
            NOW,
            &new_checkin(
                child,
                Some(m),
                NaiveDate::from_ymd_opt(2026, 11, 1).unwrap_or_default(),
                Some(1.0),
            ),
        )?;
        let mut g = goal_for(s, "latency")?;
        g.weight = 9.0;
        s.update_goal(NOW, &g).map_err(Into::into)
    });
    ensure!(updated.is_err(), "an insert-only write updated a row");
    ensure!(dump(store)? == before, "a refused write left data");
    Ok(())
}

fn bulk_load(store: &mut Store) -> Outcome {
    seed_org(store)?;
    write(store, "demo", WriteScope::Any, |s| {
        s.bulk_load()?;
        s.insert_team(NOW, "bulk", "Bulk")?;
        Ok(())
    })?;
    let preview = ok(store.read().undo_preview(None), "preview")?.ok_or("no preview")?;
    ensure!(
        preview.bulk && preview.op.command == "demo",
        "the bulk load is not marked: {preview:?}"
    );
    ensure!(
        store.undo(preview.op.id, LATER).is_err(),
        "a bulk load was undone"
    );
    undoable(store, "team add", WriteScope::Any, |s| {
        Ok(s.insert_team(NOW, "later", "Later")?)
    })?;
    let preview = ok(store.read().undo_preview(None), "preview")?.ok_or("no preview")?;
    ensure!(
        preview.op.command == "team add",
        "later writes can be undone"
    );
    Ok(())
}

fn rehearsal(store: &mut Store) -> Outcome {
    seed_org(store)?;
    let before = dump(store)?;
    let ops = ok(store.read().list_ops(None), "ops")?.len();
    let seen = ok(
        store.rehearse(|s| {
            s.insert_person(NOW, "zed", "Zed")?;
            Ok(s.find_person("zed")?.is_some())
        }),
        "rehearse",
    )?;
    ensure!(seen, "a rehearsal cannot read its own write");
    ensure!(dump(store)? == before, "a rehearsal left data");
    ensure!(
        ok(store.read().list_ops(None), "ops")?.len() == ops,
        "a rehearsal was logged"
    );
    Ok(())
}

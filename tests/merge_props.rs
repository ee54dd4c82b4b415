//! Property: two copies of a file, edited at random (field edits of goals,
//! check-ins added, edited and deleted), exchanged both ways, converge to
//! the same data; every edit that conflicts with nothing is kept, and
//! conflicts are resolved as `--ours`/`--theirs` say. At library level:
//! through the app and store layers over in-memory SQLite (the write
//! machinery that records revisions is the one every command uses).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use yardstick::app::access::Policy;
use yardstick::app::merge::{self, Resolution, Settings, Side};
use yardstick::formats::exchange::{Header, parse};
use yardstick::store::exchange::{RawRow, Selection, Val, table_index};
use yardstick::store::{OpMeta, Store, WriteScope};
use yardstick::time::{Clock, Weekday};

const NOW: &str = "2026-11-22T12:00:00Z";
const GOAL: &str = "00000000-0000-4000-8000-000000000001";
const PERSON: &str = "00000000-0000-4000-8000-000000000002";
const MEASURE: &str = "00000000-0000-4000-8000-000000000003";
/// Check-ins present in both copies from the start.
const ORIGINAL: usize = 4;

fn checkin_uuid(n: usize) -> String {
    format!("00000000-0000-4000-8000-1{n:011}")
}

fn t(name: &str) -> usize {
    table_index(name).unwrap()
}

fn meta(actor: &str) -> OpMeta {
    OpMeta {
        actor: actor.into(),
        command: "edit".into(),
        at: NOW.into(),
    }
}

fn settings(actor: &str) -> Settings {
    Settings {
        clock: Clock::new(Some("2026-11-22"), Weekday::Mon).unwrap(),
        percent_max: 100.0,
        actor: actor.into(),
    }
}

/// A row of `table` in database form, from (column, value) pairs (the
/// rest null, timestamps now).
fn vals(table: &str, set: &[(&str, Val)]) -> Vec<Val> {
    let def = &yardstick::store::exchange::TABLES[t(table)];
    def.cols
        .iter()
        .map(|c| {
            if let Some((_, v)) = set.iter().find(|(n, _)| *n == c.name) {
                v.clone()
            } else if c.name == "created_at" || c.name == "updated_at" {
                Val::Text(NOW.into())
            } else {
                Val::Null
            }
        })
        .collect()
}

fn checkin_vals(store: &Store, note: &str) -> Vec<Val> {
    let s = store.read();
    let goal = s.row_id("goal", GOAL).unwrap().unwrap();
    let measure = s.row_id("measure", MEASURE).unwrap().unwrap();
    vals(
        "checkin",
        &[
            ("goal_id", Val::Int(goal)),
            ("measure_id", Val::Int(measure)),
            ("date", Val::Text("2026-11-20".into())),
            ("value", Val::Real(1.0)),
            ("note", Val::Text(note.into())),
        ],
    )
}

/// The first copy: a person, their goal with a measure, a few check-ins.
fn seed() -> Store {
    let mut store = Store::open_memory().unwrap();
    store
        .write(&meta("seed"), WriteScope::Any, |s| {
            let p = s.insert_row(
                t("person"),
                PERSON,
                &vals(
                    "person",
                    &[
                        ("handle", Val::Text("pat".into())),
                        ("name", Val::Text("Pat".into())),
                        ("active", Val::Int(1)),
                        ("admin", Val::Int(0)),
                    ],
                ),
            )?;
            let g = s.insert_row(
                t("goal"),
                GOAL,
                &vals(
                    "goal",
                    &[
                        ("key", Val::Text("g".into())),
                        ("title", Val::Text("Goal".into())),
                        ("owner_person_id", Val::Int(p)),
                        ("weight", Val::Real(1.0)),
                        ("priority", Val::Text("medium".into())),
                        ("status", Val::Text("active".into())),
                    ],
                ),
            )?;
            s.insert_row(
                t("measure"),
                MEASURE,
                &vals(
                    "measure",
                    &[
                        ("goal_id", Val::Int(g)),
                        ("position", Val::Int(1)),
                        ("name", Val::Text("m".into())),
                        ("kind", Val::Text("number".into())),
                        ("direction", Val::Text("increase".into())),
                        ("baseline", Val::Real(0.0)),
                        ("target", Val::Real(10.0)),
                        ("weight", Val::Real(1.0)),
                    ],
                ),
            )?;
            Ok(())
        })
        .unwrap();
    for n in 0..ORIGINAL {
        let v = checkin_vals(&store, "original");
        store
            .write(&meta("seed"), WriteScope::Inserts, |s| {
                Ok(s.insert_row(t("checkin"), &checkin_uuid(n), &v)?)
            })
            .unwrap();
    }
    store
}

fn export(store: &Store) -> Vec<u8> {
    let mut out = Vec::new();
    let header = Header {
        exported_at: NOW.into(),
        ..Header::default()
    };
    let sel = Selection {
        include_private: true,
        ..Selection::default()
    };
    yardstick::app::exchange::write_json(
        &*store.read(),
        &Policy::owner(),
        &sel,
        &header,
        &mut out,
        |e| yardstick::Error::failed(e.to_string()),
    )
    .unwrap();
    out
}

fn import(store: &mut Store, file: &[u8], actor: &str, resolution: &Resolution) -> merge::Summary {
    let parsed = parse(file, "file").unwrap();
    let settings = settings(actor);
    store
        .write(&meta(actor), WriteScope::Any, |s| {
            merge::merge(
                s,
                &parsed,
                "file",
                &settings,
                None,
                resolution,
                &mut |_, _| {},
            )
        })
        .unwrap_or_else(|e| panic!("import into {actor}: {}", e.message()))
        .value
}

/// The data of a copy: every record, without revisions.
fn data(store: &Store) -> Vec<RawRow> {
    let mut rows = Vec::new();
    store
        .read()
        .for_each_row(
            &Selection {
                include_private: true,
                ..Selection::default()
            },
            &mut |r| {
                rows.push(r.clone());
                Ok(())
            },
        )
        .unwrap();
    rows.sort_by(|a, b| (a.table, &a.uuid).cmp(&(b.table, &b.uuid)));
    rows
}

#[derive(Debug, Clone)]
enum Op {
    /// Set a field of the goal to one of a few values.
    Goal(usize, usize),
    /// Set the note of check-in `n` (of the original ones, or this copy's new ones).
    Note(usize, usize),
    /// Add a check-in.
    Add(usize),
    /// Delete check-in `n`.
    Delete(usize),
}

const FIELDS: [&str; 4] = ["title", "description", "weight", "priority"];

fn goal_value(field: usize, v: usize) -> Val {
    match FIELDS[field] {
        "weight" => Val::Real(1.0 + v as f64),
        "priority" => Val::Text(["low", "medium", "high"][v % 3].into()),
        f => Val::Text(format!("{f} {v}")),
    }
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0..FIELDS.len(), 0..4usize).prop_map(|(f, v)| Op::Goal(f, v)),
        (0..ORIGINAL + 3, 0..4usize).prop_map(|(n, v)| Op::Note(n, v)),
        (0..4usize).prop_map(Op::Add),
        (0..ORIGINAL + 3).prop_map(Op::Delete),
    ]
}

/// What one copy did, for the expected outcome.
#[derive(Default, Debug)]
struct Did {
    goal: BTreeMap<&'static str, Val>,
    notes: BTreeMap<String, String>,
    deleted: BTreeSet<String>,
    added: Vec<String>,
}

/// Run `ops` on a copy (`side` names its new check-ins).
fn run(store: &mut Store, side: &str, ops: &[Op]) -> Did {
    let mut did = Did::default();
    let goal = store.read().row_id("goal", GOAL).unwrap().unwrap();
    for op in ops {
        // Check-ins this copy has: the original ones, then its own new ones.
        let uuid_of = |n: usize, did: &Did| -> Option<String> {
            if n < ORIGINAL {
                Some(checkin_uuid(n))
            } else {
                did.added.get(n - ORIGINAL).cloned()
            }
        };
        match op {
            Op::Goal(f, v) => {
                let val = goal_value(*f, *v);
                let before = data(store)
                    .into_iter()
                    .find(|r| r.uuid == GOAL)
                    .and_then(|r| r.get(FIELDS[*f]).cloned());
                store
                    .write(&meta(side), WriteScope::Any, |s| {
                        Ok(s.set_row_column(t("goal"), goal, FIELDS[*f], &val)?)
                    })
                    .unwrap();
                // Writing the value a field already has is no edit: no
                // revision, nothing for the other copy to meet.
                if before.as_ref() != Some(&val) {
                    did.goal.insert(FIELDS[*f], val);
                }
            }
            Op::Note(n, v) => {
                let Some(u) = uuid_of(*n, &did) else { continue };
                let Some(id) = store.read().row_id("checkin", &u).unwrap() else {
                    continue;
                };
                let note = format!("{side} note {v}");
                let written = store
                    .write(&meta(side), WriteScope::Any, |s| {
                        Ok(s.set_row_column(t("checkin"), id, "note", &Val::Text(note.clone()))?)
                    })
                    .unwrap();
                if written.changed {
                    did.notes.insert(u, note);
                }
            }
            Op::Add(v) => {
                let u = format!(
                    "00000000-0000-4000-8000-{}{:011}",
                    if side == "a" { 2 } else { 3 },
                    did.added.len()
                );
                let vals = checkin_vals(store, &format!("{side} new {v}"));
                store
                    .write(&meta(side), WriteScope::Inserts, |s| {
                        Ok(s.insert_row(t("checkin"), &u, &vals)?)
                    })
                    .unwrap();
                did.added.push(u);
            }
            Op::Delete(n) => {
                let Some(u) = uuid_of(*n, &did) else { continue };
                let Some(id) = store.read().row_id("checkin", &u).unwrap() else {
                    continue;
                };
                store
                    .write(&meta(side), WriteScope::Any, |s| {
                        Ok(s.delete_row(t("checkin"), id)?)
                    })
                    .unwrap();
                did.deleted.insert(u);
            }
        }
    }
    did
}

/// The note one of the original check-ins should end with (none:
/// deleted), given what each copy did and which side `a`'s import resolved
/// conflicts for.
fn expected_note(u: &str, a: &Did, b: &Did, side: Side) -> Option<String> {
    let (first, second) = match side {
        Side::Theirs => (b, a),
        Side::Ours => (a, b),
    };
    if first.deleted.contains(u) {
        return None;
    }
    if second.deleted.contains(u) {
        // The winning side's edit since keeps it; else the deletion stands.
        return first.notes.get(u).cloned();
    }
    Some(
        first
            .notes
            .get(u)
            .or_else(|| second.notes.get(u))
            .cloned()
            .unwrap_or_else(|| "original".into()),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn copies_edited_at_random_converge_and_keep_every_edit(
        ops_a in prop::collection::vec(op(), 0..8),
        ops_b in prop::collection::vec(op(), 0..8),
        theirs in any::<bool>(),
    ) {
        let mut a = seed();
        let mut b = Store::open_memory().unwrap();
        import(&mut b, &export(&a), "b", &Resolution::default());
        prop_assert_eq!(data(&a), data(&b));

        let did_a = run(&mut a, "a", &ops_a);
        let did_b = run(&mut b, "b", &ops_b);
        let side = if theirs { Side::Theirs } else { Side::Ours };
        let file_b = export(&b);
        import(&mut a, &file_b, "a", &Resolution { all: Some(side), records: Vec::new() });
        // The other way needs no resolution: a's copy now knows b's.
        let back = import(&mut b, &export(&a), "b", &Resolution::default());
        prop_assert!(back.conflicts.is_empty(), "{:?}", back.conflicts);
        let (da, db) = (data(&a), data(&b));
        prop_assert_eq!(&da, &db);
        // Importing again changes nothing.
        let again = import(&mut a, &export(&b), "a", &Resolution::default());
        let total = again.total();
        prop_assert_eq!((total.inserted, total.updated, total.deleted, total.conflicts), (0, 0, 0, 0));

        // Every edit is there, or lost only to a conflict resolved against it.
        let goal = da.iter().find(|r| r.uuid == GOAL).unwrap();
        for f in FIELDS {
            let (first, second) = if theirs { (&did_b, &did_a) } else { (&did_a, &did_b) };
            if let Some(v) = first.goal.get(f).or_else(|| second.goal.get(f)) {
                prop_assert_eq!(goal.get(f), Some(v), "goal field {}", f);
            }
        }
        let mut expected: BTreeMap<String, Option<String>> = BTreeMap::new();
        let mut all: Vec<String> = (0..ORIGINAL).map(checkin_uuid).collect();
        all.extend(did_a.added.iter().cloned());
        all.extend(did_b.added.iter().cloned());
        for u in &all {
            // A new check-in's note, when never edited, is the one it was added with.
            let note = expected_note_with_added(u, &did_a, &did_b, side, &da);
            expected.insert(u.clone(), note);
        }
        let actual: BTreeMap<String, Option<String>> = all
            .iter()
            .map(|u| {
                let row = da.iter().find(|r| &r.uuid == u);
                (u.clone(), row.map(|r| match r.get("note") {
                    Some(Val::Text(t)) => t.clone(),
                    other => format!("{other:?}"),
                }))
            })
            .collect();
        prop_assert_eq!(actual, expected);
    }
}

/// [`expected_note`], where a new check-in that was never edited keeps
/// the note it was added with (read from its own copy's record).
fn expected_note_with_added(
    u: &str,
    a: &Did,
    b: &Did,
    side: Side,
    rows: &[RawRow],
) -> Option<String> {
    let original = u.starts_with("00000000-0000-4000-8000-1");
    if !original {
        let mine = if a.added.iter().any(|x| x == u) { a } else { b };
        if mine.deleted.contains(u) {
            return None;
        }
        if let Some(n) = mine.notes.get(u) {
            return Some(n.clone());
        }
        // Never edited: whatever it was added with, and it must be there.
        return rows
            .iter()
            .find(|r| r.uuid == u)
            .map(|r| match r.get("note") {
                Some(Val::Text(t)) if t.contains(" new ") => t.clone(),
                other => format!("unexpected {other:?}"),
            });
    }
    expected_note(u, a, b, side)
}

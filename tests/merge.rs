//! Merges that lose nothing (issue 14, part 4), driving the real binary:
//! edits of different fields of one record both survive; the same field
//! edited on both copies is a conflict that writes nothing until `--ours`
//! / `--theirs` resolve it (for the whole file or one record); deletions
//! travel, and a deletion against an edit is a conflict; an old file does
//! not bring a deleted record back; importing twice changes nothing; a
//! file of the first exchange format still imports.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Env, Out, assert_bytes_unchanged, s};
use rusqlite::{Connection, OpenFlags};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Two copies of the demo organisation: the lead's (made by `demo`) and a
/// copy made by export → import.
fn two_copies(env: &Env) -> (PathBuf, PathBuf) {
    let a = env.db();
    env.run(&["demo", "--db", s(&a)]).ok();
    let seed = export(env, &a, "seed.json");
    let b = env.init_db();
    import(env, &b, &seed, &[]).ok();
    (a, b)
}

fn export(env: &Env, db: &Path, name: &str) -> PathBuf {
    let out = env.path(name);
    env.on(db, &["export", "-o", s(&out)]).ok().no_panic();
    out
}

/// Import as dana (an admin in both copies), with a JSON summary.
fn import(env: &Env, db: &Path, file: &Path, extra: &[&str]) -> Out {
    let mut args = vec!["--format", "json", "import", s(file), "--from", "dana"];
    args.extend_from_slice(extra);
    env.on(db, &args)
}

fn text(db: &Path, sql: &str, p: &[&dyn rusqlite::ToSql]) -> Option<String> {
    let c = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    c.query_row(sql, p, |r| r.get::<_, Option<String>>(0))
        .unwrap()
}

fn real(db: &Path, sql: &str) -> f64 {
    let c = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    c.query_row(sql, [], |r| r.get(0)).unwrap()
}

/// The total row of an import's summary: (inserted, updated, deleted, unchanged, conflicts).
fn total(out: &Out) -> (i64, i64, i64, i64, i64) {
    let doc = out.json();
    let row = doc["summary"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["table"] == "total")
        .cloned()
        .unwrap();
    let n = |k: &str| row[k].as_i64().unwrap();
    (
        n("inserted"),
        n("updated"),
        n("deleted"),
        n("unchanged"),
        n("conflicts"),
    )
}

/// The records of an export without their revisions, sorted.
fn data(path: &Path) -> Vec<Value> {
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut recs: Vec<Value> = doc["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let mut r = r.clone();
            r.as_object_mut().unwrap().remove("_rev");
            r
        })
        .collect();
    recs.sort_by_key(|r| (r["table"].to_string(), r["uuid"].to_string()));
    recs
}

const GOAL: &str = "SELECT {} FROM goal WHERE key = 'api-latency'";

fn goal(col: &str) -> String {
    GOAL.replace("{}", col)
}

#[test]
fn edits_of_different_fields_of_one_goal_both_survive_both_ways() {
    let env = Env::new();
    let (a, b) = two_copies(&env);
    env.on(
        &a,
        &[
            "--as",
            "bob",
            "plan",
            "edit",
            "api-latency",
            "--weight",
            "3",
        ],
    )
    .ok();
    env.on(
        &b,
        &[
            "--as",
            "dana",
            "plan",
            "edit",
            "api-latency",
            "--description",
            "p95 under 200 ms",
        ],
    )
    .ok();
    let from_a = export(&env, &a, "a.json");
    let from_b = export(&env, &b, "b.json");
    // A dry run lists the field-level change it would make.
    let dry = import(&env, &a, &from_b, &["--dry-run"]);
    dry.ok();
    let changes = dry.json()["changes"].clone();
    assert_eq!(
        changes.as_array().unwrap().len(),
        1,
        "one field changes: {changes}"
    );
    assert_eq!(changes[0]["key"], "api-latency");
    assert_eq!(changes[0]["field"], "description");
    assert_eq!(changes[0]["before"], "(none)");
    assert_eq!(changes[0]["after"], "\"p95 under 200 ms\"");
    let table = env.on(
        &a,
        &[
            "import",
            s(&from_b),
            "--from",
            "dana",
            "--dry-run",
            "--format",
            "table",
        ],
    );
    table
        .ok()
        .stdout_has("description")
        .stdout_has("p95 under 200 ms");

    let out = import(&env, &a, &from_b, &[]);
    out.ok().no_panic();
    assert_eq!(total(&out).4, 0, "no conflicts: {}", out.stderr);
    import(&env, &b, &from_a, &[]).ok();
    for db in [&a, &b] {
        assert_eq!(real(db, &goal("weight")), 3.0);
        assert_eq!(
            text(db, &goal("description"), &[]).as_deref(),
            Some("p95 under 200 ms")
        );
    }
    // The two copies hold the same data, and another round changes nothing.
    assert_eq!(
        data(&export(&env, &a, "a2.json")),
        data(&export(&env, &b, "b2.json"))
    );
    for (db, file) in [(&a, &from_b), (&b, &from_a)] {
        let before = std::fs::read(db).unwrap();
        let again = import(&env, db, file, &[]);
        again.ok().stderr_has("no changes");
        let (i, u, d, _, c) = total(&again);
        assert_eq!((i, u, d, c), (0, 0, 0, 0));
        assert_bytes_unchanged(db, &before, "importing the same file twice");
    }
}

#[test]
fn the_same_field_edited_on_both_copies_is_a_conflict_until_resolved() {
    let env = Env::new();
    let (a, b) = two_copies(&env);
    // Two goals, each edited on both copies, differently.
    let on = |db: &Path, day: &str, who: &str, args: &[&str]| {
        let mut all = vec!["--today", day, "--as", who, "plan", "edit"];
        all.extend_from_slice(args);
        env.on(db, &all).ok();
    };
    on(&a, "2026-11-23", "bob", &["api-latency", "--weight", "4"]);
    on(&b, "2026-11-24", "dana", &["api-latency", "--weight", "5"]);
    on(
        &a,
        "2026-11-23",
        "bob",
        &["launch-status-page", "--title", "Ship daily"],
    );
    on(
        &b,
        "2026-11-24",
        "dana",
        &["launch-status-page", "--title", "Ship hourly"],
    );
    let later = ["--today", "2026-11-24"];
    let from_b = export(&env, &b, "b.json");

    // Nothing is written; each conflict is listed with both values, who and when.
    let before = std::fs::read(&a).unwrap();
    for extra in [&[][..], &["--dry-run"][..]] {
        let mut args = later.to_vec();
        args.extend_from_slice(extra);
        let out = import(&env, &a, &from_b, &args);
        out.code(1)
            .no_panic()
            .stderr_has("2 record(s) in conflict; nothing was imported")
            .stderr_has("goal api-latency")
            .stderr_has(
                "field 'weight': here 4 (by bob at 2026-11-23T12:00:00Z), \
                 in the file 5 (by dana at 2026-11-24T12:00:00Z)",
            )
            .stderr_has("goal launch-status-page")
            .stderr_has("here \"Ship daily\" (by bob")
            .stderr_has("in the file \"Ship hourly\" (by dana")
            .stderr_has("--theirs");
        assert!(out.stdout.is_empty());
        assert_bytes_unchanged(&a, &before, "an import with conflicts");
    }
    // A record named that is not in the file is bad input.
    let mut args = later.to_vec();
    args.extend_from_slice(&["--theirs", "no-such-goal"]);
    import(&env, &a, &from_b, &args)
        .code(2)
        .stderr_has("no-such-goal");
    // Resolving only one leaves the other in conflict.
    let mut args = later.to_vec();
    args.extend_from_slice(&["--theirs", "api-latency"]);
    import(&env, &a, &from_b, &args)
        .code(1)
        .stderr_has("1 record(s) in conflict")
        .stderr_has("launch-status-page");
    assert_bytes_unchanged(&a, &before, "a partly resolved import");
    // The file's weight for one goal (by key), this copy's title for the
    // other (every other conflict: --ours).
    let mut args = later.to_vec();
    args.extend_from_slice(&["--theirs", "api-latency", "--ours"]);
    let out = import(&env, &a, &from_b, &args);
    out.ok().stderr_has("conflict:");
    assert_eq!(total(&out).4, 2);
    let kept: Vec<(String, String)> = out.json()["conflicts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["key"].as_str().unwrap().to_string(),
                c["kept"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        kept.contains(&("api-latency".into(), "file".into())),
        "{kept:?}"
    );
    assert!(
        kept.contains(&("launch-status-page".into(), "here".into())),
        "{kept:?}"
    );
    assert_eq!(real(&a, &goal("weight")), 5.0);
    assert_eq!(
        text(
            &a,
            "SELECT title FROM goal WHERE key = 'launch-status-page'",
            &[]
        )
        .as_deref(),
        Some("Ship daily")
    );
    // The other copy takes the resolution without a conflict of its own,
    // and both end the same.
    let from_a = export(&env, &a, "a.json");
    let back = import(&env, &b, &from_a, &later);
    back.ok();
    assert_eq!(total(&back).4, 0, "{}", back.stderr);
    assert_eq!(
        text(
            &b,
            "SELECT title FROM goal WHERE key = 'launch-status-page'",
            &[]
        )
        .as_deref(),
        Some("Ship daily")
    );
    assert_eq!(
        data(&export(&env, &a, "a2.json")),
        data(&export(&env, &b, "b2.json"))
    );

    // Per record by UUID, and --theirs for the whole file.
    on(
        &a,
        "2026-11-25",
        "bob",
        &["api-latency", "--priority", "low"],
    );
    on(
        &b,
        "2026-11-25",
        "dana",
        &["api-latency", "--priority", "medium"],
    );
    let uuid = text(&a, &goal("uuid"), &[]).unwrap();
    let from_b = export(&env, &b, "b3.json");
    let day = ["--today", "2026-11-25"];
    let mut args = day.to_vec();
    args.extend_from_slice(&["--ours", &uuid]);
    let dry = import(&env, &a, &from_b, &[&args[..], &["--dry-run"]].concat());
    dry.ok();
    assert_eq!(dry.json()["conflicts"][0]["kept"], "here");
    let mut args = day.to_vec();
    args.push("--theirs");
    import(&env, &a, &from_b, &args).ok();
    assert_eq!(text(&a, &goal("priority"), &[]).as_deref(), Some("medium"));
    // Both flags for every conflict at once: bad usage.
    import(&env, &a, &from_b, &["--ours", "--theirs"])
        .code(2)
        .stderr_has("--ours and --theirs");
}

/// A check-in of the goal api-latency (the n-th by date).
fn checkin(db: &Path, n: i64) -> (i64, String) {
    let c = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    c.query_row(
        "SELECT c.id, c.uuid FROM checkin c JOIN goal g ON g.id = c.goal_id \
         WHERE g.key = 'api-latency' ORDER BY c.date, c.id LIMIT 1 OFFSET ?1",
        [n],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .unwrap()
}

fn id_of(db: &Path, uuid: &str) -> Option<i64> {
    let c = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    c.query_row("SELECT id FROM checkin WHERE uuid = ?1", [uuid], |r| {
        r.get(0)
    })
    .ok()
}

#[test]
fn deletions_travel_and_a_deletion_against_an_edit_is_a_conflict() {
    let env = Env::new();
    let (a, b) = two_copies(&env);
    let seed = env.path("seed.json");
    let (gone_id, gone) = checkin(&a, 0);
    let (_, edited) = checkin(&a, 1);
    // a deletes two check-ins; b edits the note of the second.
    env.on(
        &a,
        &[
            "--as",
            "bob",
            "--yes",
            "checkin",
            "rm",
            &gone_id.to_string(),
        ],
    )
    .ok();
    let edited_id = id_of(&a, &edited).unwrap();
    env.on(
        &a,
        &[
            "--as",
            "bob",
            "--yes",
            "checkin",
            "rm",
            &edited_id.to_string(),
        ],
    )
    .ok();
    let b_id = id_of(&b, &edited).unwrap();
    env.on(
        &b,
        &[
            "--as",
            "bob",
            "checkin",
            "edit",
            &b_id.to_string(),
            "--note",
            "still true",
        ],
    )
    .ok();
    let from_a = export(&env, &a, "a.json");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&from_a).unwrap()).unwrap();
    let deletions = doc["deletions"].as_array().unwrap();
    assert_eq!(deletions.len(), 2, "{deletions:?}");
    assert_eq!(deletions[0]["uuid"], gone.as_str());
    assert_eq!(deletions[0]["deleted_by"], "bob");

    // The edited one is a conflict on b: nothing is written.
    let before = std::fs::read(&b).unwrap();
    import(&env, &b, &from_a, &[])
        .code(1)
        .stderr_has("1 record(s) in conflict")
        .stderr_has(&edited)
        .stderr_has("field 'note': here \"still true\" (by bob")
        .stderr_has("in the file deleted by bob at 2026-11-22T12:00:00Z");
    assert_bytes_unchanged(&b, &before, "a deletion against an edit");
    assert!(id_of(&b, &gone).is_some());

    // b keeps its edited check-in; the untouched one is deleted.
    let out = import(&env, &b, &from_a, &["--ours", &edited]);
    out.ok();
    assert_eq!(total(&out).2, 1, "{}", out.stdout);
    assert!(id_of(&b, &gone).is_none(), "the deletion travelled");
    assert!(id_of(&b, &edited).is_some(), "the edited one is kept");
    // Back on a, the kept check-in returns (b kept it knowingly), with b's note.
    let from_b = export(&env, &b, "b.json");
    let out = import(&env, &a, &from_b, &[]);
    out.ok();
    assert_eq!(total(&out).4, 0, "{}", out.stderr);
    assert_eq!(
        text(&a, "SELECT note FROM checkin WHERE uuid = ?1", &[&edited]).as_deref(),
        Some("still true")
    );
    assert!(id_of(&a, &gone).is_none());
    assert_eq!(
        data(&export(&env, &a, "a2.json")),
        data(&export(&env, &b, "b2.json"))
    );

    // An old file does not bring the deleted check-in back.
    for db in [&a, &b] {
        let out = import(&env, db, &seed, &[]);
        out.ok();
        assert!(id_of(db, &gone).is_none(), "resurrected by an old file");
        let (i, u, d, _, c) = total(&out);
        assert_eq!((i, u, d, c), (0, 0, 0, 0), "{}", out.stdout);
        // The edited check-in's newer note is kept over the seed's.
        assert_eq!(
            text(db, "SELECT note FROM checkin WHERE uuid = ?1", &[&edited]).as_deref(),
            Some("still true")
        );
    }
    // --theirs for a deletion against an edit deletes.
    let (x_id, x) = checkin(&a, 2);
    env.on(
        &a,
        &["--as", "bob", "--yes", "checkin", "rm", &x_id.to_string()],
    )
    .ok();
    let bx = id_of(&b, &x).unwrap();
    env.on(
        &b,
        &[
            "--as",
            "bob",
            "checkin",
            "edit",
            &bx.to_string(),
            "--note",
            "mine",
        ],
    )
    .ok();
    let from_a = export(&env, &a, "a3.json");
    import(&env, &b, &from_a, &[]).code(1).stderr_has(&x);
    import(&env, &b, &from_a, &["--theirs", &x]).ok();
    assert!(id_of(&b, &x).is_none());
    // Undo puts the check-in back, with its revisions: the same conflict again.
    env.on(&b, &["--yes", "undo"]).ok();
    assert!(id_of(&b, &x).is_some());
    import(&env, &b, &from_a, &[]).code(1).stderr_has(&x);
}

#[test]
fn a_member_may_not_delete_through_a_file_what_they_may_not_delete() {
    let env = Env::new();
    let (a, b) = two_copies(&env);
    // On the member's copy, kim deletes one of alice's check-ins (kim may
    // not, on the lead's copy: she is not alice's manager).
    let (id, uuid) = checkin(&b, 0);
    let rm = env.on(
        &b,
        &["--as", "dana", "--yes", "checkin", "rm", &id.to_string()],
    );
    rm.ok();
    let file = env.path("kim.json");
    env.on(&b, &["--as", "kim", "export", "-o", s(&file)]).ok();
    let before = std::fs::read(&a).unwrap();
    env.on(&a, &["import", s(&file), "--from", "kim"])
        .code(2)
        .stderr_has("not allowed to delete")
        .stderr_has(&uuid);
    assert_bytes_unchanged(&a, &before, "a refused deletion");
}

#[test]
fn a_file_of_the_first_exchange_format_still_imports() {
    let env = Env::new();
    let (a, b) = two_copies(&env);
    env.on(
        &a,
        &[
            "--today",
            "2026-11-23",
            "plan",
            "edit",
            "api-latency",
            "--weight",
            "7",
        ],
    )
    .ok();
    let file = export(&env, &a, "a.json");
    // As version 1 wrote it: no revisions, no deletions.
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    doc["schema_version"] = Value::from(1);
    doc.as_object_mut().unwrap().remove("deletions");
    for r in doc["records"].as_array_mut().unwrap() {
        r.as_object_mut().unwrap().remove("_rev");
    }
    let old = env.path("old.json");
    std::fs::write(&old, doc.to_string()).unwrap();
    // Without history, the later updated_at wins.
    let out = import(&env, &b, &old, &["--today", "2026-11-23"]);
    out.ok();
    assert_eq!(total(&out).1, 1);
    assert_eq!(real(&b, &goal("weight")), 7.0);
    // An older one that differs is a conflict.
    env.on(
        &b,
        &[
            "--today",
            "2026-11-24",
            "plan",
            "edit",
            "api-latency",
            "--weight",
            "8",
        ],
    )
    .ok();
    import(&env, &b, &old, &["--today", "2026-11-24"])
        .code(1)
        .stderr_has("field 'weight'");
}

#[test]
fn a_purged_check_in_is_deleted_in_the_other_copy_too() {
    let env = Env::new();
    let (a, b) = two_copies(&env);
    let (id, uuid) = checkin(&a, 0);
    env.on(
        &a,
        &[
            "--as",
            "bob",
            "--yes",
            "checkin",
            "rm",
            &id.to_string(),
            "--purge",
        ],
    )
    .ok();
    let from_a = export(&env, &a, "a.json");
    let out = import(&env, &b, &from_a, &[]);
    out.ok();
    assert_eq!(total(&out).2, 1, "{}", out.stdout);
    assert!(id_of(&b, &uuid).is_none());
}

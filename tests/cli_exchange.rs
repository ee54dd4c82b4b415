//! End-to-end tests of `export` and `import` (issue 5, point 7), driving the
//! real binary: the round trip into a fresh file, idempotence, a team
//! member's file merged into the lead's, conflicts, finalized cycles,
//! malformed files refused as a whole, the spreadsheet CSV of check-ins read
//! back with the csv crate, dry runs and undo.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Env, Out, assert_bytes_unchanged, mode, s};
use rusqlite::{Connection, OpenFlags};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// A demo database (12 people, 8 weeks of check-ins, a finalized and an open cycle).
fn demo(env: &Env) -> PathBuf {
    let db = env.db();
    env.run(&["demo", "--db", s(&db)]).ok();
    db
}

fn read_only(db: &Path) -> Connection {
    Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY).expect("open read-only")
}

/// Export `db` to `name` in the working directory; returns the path.
fn export(env: &Env, db: &Path, name: &str, extra: &[&str]) -> PathBuf {
    let out = env.path(name);
    let mut args = vec!["export", "-o", s(&out)];
    args.extend_from_slice(extra);
    env.on(db, &args).ok().no_panic();
    out
}

/// The records of an export, sorted by table and UUID.
fn records(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).expect("read export");
    let doc: Value = serde_json::from_str(&text).expect("export is JSON");
    assert_eq!(doc["schema_version"], 2);
    assert_eq!(doc["kind"], "export");
    let mut recs = doc["records"].as_array().expect("records").clone();
    recs.sort_by_key(|r| {
        (
            r["table"].as_str().unwrap().to_string(),
            r["uuid"].as_str().unwrap().to_string(),
        )
    });
    recs
}

/// Import with a JSON summary; returns the run.
fn import(env: &Env, db: &Path, file: &Path, extra: &[&str]) -> Out {
    let mut args = vec!["--format", "json", "import", s(file)];
    args.extend_from_slice(extra);
    env.on(db, &args)
}

/// The summary row of `table` (or "total") of an import's JSON output.
fn counts(out: &Out, table: &str) -> (i64, i64, i64, i64) {
    let doc = out.json();
    let row = doc["summary"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["table"] == table)
        .cloned()
        .unwrap_or(Value::Null);
    let n = |k: &str| row[k].as_i64().unwrap_or(0);
    (n("inserted"), n("updated"), n("unchanged"), n("conflicts"))
}

fn query_i64(db: &Path, sql: &str, p: &[&dyn rusqlite::ToSql]) -> i64 {
    read_only(db).query_row(sql, p, |r| r.get(0)).unwrap()
}

fn query_text(db: &Path, sql: &str, p: &[&dyn rusqlite::ToSql]) -> Option<String> {
    read_only(db).query_row(sql, p, |r| r.get(0)).unwrap()
}

#[test]
fn export_import_export_reproduces_every_record() {
    let env = Env::new();
    let lead = demo(&env);
    let first = export(&env, &lead, "first.json", &[]);
    let fresh = env.init_db();
    let out = import(&env, &fresh, &first, &[]);
    out.ok().no_panic();
    let first_records = records(&first);
    let (inserted, updated, unchanged, conflicts) = counts(&out, "total");
    assert_eq!(inserted as usize, first_records.len());
    assert_eq!((updated, unchanged, conflicts), (0, 0, 0));
    let second = export(&env, &fresh, "second.json", &[]);
    let second_records = records(&second);
    assert_eq!(first_records, second_records);
    // Every table is there, with timestamps, and no integer ids.
    let tables: std::collections::BTreeSet<&str> = first_records
        .iter()
        .map(|r| r["table"].as_str().unwrap())
        .collect();
    for t in [
        "team",
        "person",
        "template",
        "goal",
        "measure",
        "checkin",
        "feedback",
        "cycle",
        "participant",
        "review",
        "rating",
        "outcome",
        "action",
        "cycle_event",
    ] {
        assert!(tables.contains(t), "no {t} records");
    }
    for r in &first_records {
        let obj = r.as_object().unwrap();
        assert!(obj.contains_key("updated_at") && obj.contains_key("created_at"));
        assert!(!obj.keys().any(|k| k == "id" || k.ends_with("_id")), "{r}");
    }
    // The finalized cycle arrives finalized.
    assert_eq!(
        query_i64(
            &fresh,
            "SELECT count(*) FROM cycle WHERE state = 'finalized'",
            &[]
        ),
        1
    );
    // The export file is private.
    assert_eq!(mode(&first), 0o600);
}

#[test]
fn importing_twice_changes_nothing() {
    let env = Env::new();
    let lead = demo(&env);
    let file = export(&env, &lead, "all.json", &[]);
    let fresh = env.init_db();
    import(&env, &fresh, &file, &[]).ok();
    let before = std::fs::read(&fresh).unwrap();
    let again = import(&env, &fresh, &file, &[]);
    again.ok().stderr_has("no changes");
    let (inserted, updated, unchanged, conflicts) = counts(&again, "total");
    assert_eq!((inserted, updated, conflicts), (0, 0, 0));
    assert_eq!(unchanged as usize, records(&file).len());
    assert_bytes_unchanged(&fresh, &before, "second import");
    // Importing a file into the database it came from changes nothing either.
    let before = std::fs::read(&lead).unwrap();
    let out = import(&env, &lead, &file, &[]);
    out.ok();
    assert_eq!(counts(&out, "total").2 as usize, records(&file).len());
    assert_bytes_unchanged(&lead, &before, "import into the source");
    // Nothing was logged: undo still finds the demo as the last operation.
    env.on(&lead, &["--format", "json", "log"])
        .ok()
        .json()
        .to_string()
        .contains("demo")
        .then_some(())
        .expect("log shows the demo");
}

/// The id of a check-in by UUID.
fn checkin_id(db: &Path, uuid: &str) -> i64 {
    query_i64(db, "SELECT id FROM checkin WHERE uuid = ?1", &[&uuid])
}

fn kim_checkins(db: &Path) -> i64 {
    query_i64(
        db,
        "SELECT count(*) FROM checkin c JOIN goal g ON g.id = c.goal_id WHERE g.key = 'kim-close-enterprise-deals'",
        &[],
    )
}

#[test]
fn a_members_file_merges_into_the_leads() {
    let env = Env::new();
    let lead = demo(&env);
    // The member's copy is made by export → import.
    let seed = export(&env, &lead, "seed.json", &[]);
    let member = env.init_db();
    import(&env, &member, &seed, &[]).ok();
    let kim_before = kim_checkins(&lead);
    // Two of kim's existing check-ins: one edited on both sides, one by kim only.
    let conn = read_only(&lead);
    let mut stmt = conn
        .prepare(
            "SELECT c.uuid FROM checkin c JOIN goal g ON g.id = c.goal_id \
             WHERE g.key = 'kim-close-enterprise-deals' ORDER BY c.date LIMIT 2",
        )
        .unwrap();
    let uuids: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    drop(stmt);
    drop(conn);
    let (both, only_member) = (&uuids[0], &uuids[1]);

    // The member works on 2026-11-23.
    let day = ["--today", "2026-11-23", "--as", "kim"];
    let on_member = |args: &[&str]| {
        let mut all = day.to_vec();
        all.extend_from_slice(args);
        env.on(&member, &all)
    };
    on_member(&[
        "checkin",
        "kim-close-enterprise-deals",
        "5",
        "--note",
        "two more signed",
    ])
    .ok();
    on_member(&[
        "appraise",
        "review",
        "2026-H2 reviews",
        "kim",
        "--kind",
        "self",
        "--rate",
        "collaboration=4",
        "--rate",
        "ownership=5",
        "--summary",
        "A strong half",
    ])
    .ok();
    let id = checkin_id(&member, both).to_string();
    on_member(&["checkin", "edit", &id, "--note", "kim's version"]).ok();
    let id = checkin_id(&member, only_member).to_string();
    on_member(&["checkin", "edit", &id, "--note", "kim corrected this"]).ok();
    // The lead edits the first one a day later.
    let id = checkin_id(&lead, both).to_string();
    env.on(
        &lead,
        &[
            "--today",
            "2026-11-24",
            "checkin",
            "edit",
            &id,
            "--note",
            "lead's version",
        ],
    )
    .ok();

    let file = export(
        &env,
        &member,
        "kim.json",
        &["--today", "2026-11-23", "--person", "kim"],
    );
    // The member's file holds kim's data plus what it refers to, not everyone's.
    let recs = records(&file);
    let people: Vec<&str> = recs
        .iter()
        .filter(|r| r["table"] == "person")
        .map(|r| r["handle"].as_str().unwrap())
        .collect();
    assert!(people.contains(&"kim"));
    assert!(people.len() < 12, "{people:?}");

    // The lead imports on 2026-11-24 (records from the future are refused).
    // Both edited the note of the same check-in since their copies last
    // met: a conflict. The import writes nothing and lists it, with both
    // values, who and when; a dry run says the same.
    let later = ["--today", "2026-11-24"];
    let before = std::fs::read(&lead).unwrap();
    for extra in [&["--dry-run"][..], &[][..]] {
        let mut args = extra.to_vec();
        args.extend_from_slice(&later);
        let refused = import(&env, &lead, &file, &args);
        refused
            .code(1)
            .no_panic()
            .stderr_has("1 record(s) in conflict")
            .stderr_has(both)
            .stderr_has("field 'note'")
            .stderr_has("here \"lead's version\"")
            .stderr_has("in the file \"kim's version\" (by kim at 2026-11-23T12:00:00Z)")
            .stderr_has("--ours");
        assert!(refused.stdout.is_empty(), "{}", refused.stdout);
        assert_bytes_unchanged(&lead, &before, "an import with a conflict");
    }

    // The lead keeps their own note for that one record; everything else
    // merges. A dry run shows the same summary and the field-level
    // changes, and writes nothing.
    let resolved = ["--today", "2026-11-24", "--ours", both.as_str()];
    let mut dry_args = vec!["--dry-run"];
    dry_args.extend_from_slice(&resolved);
    let dry = import(&env, &lead, &file, &dry_args);
    dry.ok();
    assert_bytes_unchanged(&lead, &before, "dry run");
    let changes = dry.json()["changes"].clone();
    assert!(
        changes
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["uuid"] == only_member.as_str()
                && c["field"] == "note"
                && c["after"] == "\"kim corrected this\""),
        "{changes}"
    );

    let out = import(&env, &lead, &file, &resolved);
    out.ok().no_panic();
    assert_eq!(out.json()["summary"], dry.json()["summary"]);
    assert_eq!(
        counts(&out, "checkin"),
        (1, 1, counts(&out, "checkin").2, 1)
    );
    assert_eq!(counts(&out, "review").1, 1, "{}", out.stdout);
    let (ri, ru, _, _) = counts(&out, "rating");
    assert_eq!(ri + ru, 2, "{}", out.stdout);
    out.stderr_has("conflict").stderr_has(both);
    let conflicts = out.json()["conflicts"].clone();
    let c = &conflicts.as_array().unwrap()[0];
    assert_eq!(c["table"], "checkin");
    assert_eq!(c["uuid"], both.as_str());
    assert_eq!(c["field"], "note");
    assert_eq!(c["kept"], "here");

    // The new check-in appears once; kim's edit of the other check-in is
    // taken, the lead's note kept where they chose it.
    assert_eq!(kim_checkins(&lead), kim_before + 1);
    assert_eq!(
        query_text(&lead, "SELECT note FROM checkin WHERE uuid = ?1", &[both]).as_deref(),
        Some("lead's version")
    );
    assert_eq!(
        query_text(
            &lead,
            "SELECT note FROM checkin WHERE uuid = ?1",
            &[only_member]
        )
        .as_deref(),
        Some("kim corrected this")
    );
    assert_eq!(
        query_text(
            &lead,
            "SELECT r.summary FROM review r JOIN person p ON p.id = r.subject_id \
             JOIN cycle c ON c.id = r.cycle_id WHERE p.handle = 'kim' AND r.kind = 'self' AND c.name = '2026-H2 reviews'",
            &[]
        )
        .as_deref(),
        Some("A strong half")
    );
    // No duplicates anywhere: the lead's file equals the member's on kim's records.
    let lead_after = export(&env, &lead, "lead-after.json", &[]);
    let lead_recs = records(&lead_after);
    for r in &recs {
        if r["uuid"] == both.as_str() {
            continue;
        }
        let same = lead_recs
            .iter()
            .filter(|l| l["table"] == r["table"] && l["uuid"] == r["uuid"])
            .collect::<Vec<_>>();
        assert_eq!(same, vec![r]);
    }

    // A second import changes nothing: the conflict was resolved for good
    // (the lead's note now knows kim's), and the resolution is not needed.
    let before = std::fs::read(&lead).unwrap();
    let again = import(&env, &lead, &file, &resolved);
    again.ok().stderr_has("no conflict to resolve");
    let (i, u, _, c) = counts(&again, "total");
    assert_eq!((i, u, c), (0, 0, 0));
    assert_bytes_unchanged(&lead, &before, "second import of the member's file");
    let plain = import(&env, &lead, &file, &later);
    plain.ok();
    assert_bytes_unchanged(&lead, &before, "third import of the member's file");
}

#[test]
fn undo_reverts_an_import_exactly() {
    let env = Env::new();
    let lead = demo(&env);
    let seed = export(&env, &lead, "seed.json", &[]);
    let member = env.init_db();
    import(&env, &member, &seed, &[]).ok();
    let day = ["--today", "2026-11-23", "--as", "kim"];
    for args in [
        &["checkin", "kim-close-enterprise-deals", "5"][..],
        &["feedback", "give", "mia", "Thanks for the intro"][..],
        &[
            "people",
            "edit",
            "kim",
            "--title",
            "Senior account executive",
        ][..],
    ] {
        let mut all = day.to_vec();
        all.extend_from_slice(args);
        env.on(&member, &all).ok();
    }
    let file = export(&env, &member, "kim.json", &["--person", "kim"]);
    let before = export(&env, &lead, "before.json", &[]);
    // The lead imports on the day kim worked (not before: no timestamp may
    // lie in the future).
    let out = import(&env, &lead, &file, &["--today", "2026-11-23"]);
    out.ok();
    let (i, u, _, _) = counts(&out, "total");
    assert!(i >= 2 && u >= 1, "{}", out.stdout);
    env.on(&lead, &["--yes", "undo"]).ok().stderr_has("import");
    let after = export(&env, &lead, "after.json", &[]);
    assert_eq!(records(&before), records(&after));
}

#[test]
fn a_finalized_cycle_is_never_changed_by_an_import() {
    let env = Env::new();
    let lead = demo(&env);
    let file = export(&env, &lead, "all.json", &[]);
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let recs = doc["records"].as_array_mut().unwrap();
    let finalized = recs
        .iter()
        .find(|r| r["table"] == "cycle" && r["state"] == "finalized")
        .unwrap()["uuid"]
        .clone();
    let review = recs
        .iter()
        .find(|r| r["table"] == "review" && r["cycle_uuid"] == finalized)
        .unwrap()["uuid"]
        .clone();
    let rating = recs
        .iter_mut()
        .find(|r| r["table"] == "rating" && r["review_uuid"] == review)
        .unwrap();
    let rating_uuid = rating["uuid"].as_str().unwrap().to_string();
    let old_value = rating["value"].as_f64().unwrap();
    rating["value"] = Value::from(if old_value > 1.0 { 1.0 } else { 2.0 });
    rating["updated_at"] = Value::from("2026-12-01T00:00:00Z");
    // The finalized cycle itself, reopened elsewhere.
    let cycle = recs
        .iter_mut()
        .find(|r| r["table"] == "cycle" && r["uuid"] == finalized)
        .unwrap();
    cycle["state"] = Value::from("calibrating");
    cycle["reopened"] = Value::from(1);
    cycle["updated_at"] = Value::from("2026-12-01T00:00:00Z");
    let edited = env.path("edited.json");
    std::fs::write(&edited, serde_json::to_string(&doc).unwrap()).unwrap();

    // Imported after 2026-12-01, so that the timestamps are not in the
    // future: what refuses the file is the cycle being finalized here.
    let before = std::fs::read(&lead).unwrap();
    for extra in [
        &["--today", "2026-12-02"][..],
        &["--today", "2026-12-02", "--dry-run"],
    ] {
        let out = import(&env, &lead, &edited, extra);
        out.code(2)
            .no_panic()
            .stderr_has("2 record(s) cannot be imported")
            .stderr_has(&format!(
                "rating {rating_uuid}: cycle '2026-H1 reviews' is finalized here"
            ))
            .stderr_has(&format!(
                "cycle {}: cycle '2026-H1 reviews' is finalized here",
                finalized.as_str().unwrap()
            ))
            .stderr_has("nothing was imported");
        assert!(out.stdout.is_empty(), "{}", out.stdout);
        assert_bytes_unchanged(&lead, &before, "import into a finalized cycle");
    }
    let value: f64 = read_only(&lead)
        .query_row(
            "SELECT value FROM rating WHERE uuid = ?1",
            [&rating_uuid],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(value, old_value);
}

#[test]
fn records_with_the_same_handle_but_another_uuid_refuse_the_import() {
    let env = Env::new();
    let a = env.db();
    env.run(&["init", "--db", s(&a), "--me", "kim", "--name", "Kim A"])
        .ok();
    let b = env.db();
    env.run(&["init", "--db", s(&b), "--me", "kim", "--name", "Kim B"])
        .ok();
    env.on(&a, &["plan", "add", "Close deals", "--owner", "kim"])
        .ok();
    let file = export(&env, &a, "a.json", &[]);
    let before = std::fs::read(&b).unwrap();
    let out = import(&env, &b, &file, &[]);
    out.code(2)
        .no_panic()
        .stderr_has("handle 'kim' exists locally under another UUID");
    assert_bytes_unchanged(&b, &before, "refused import");
    import(&env, &b, &file, &["--dry-run"]).code(2);
}

/// The lines of a fresh export of a demo: header, `"records":[`, then one record per line.
fn demo_export_lines(env: &Env) -> (PathBuf, Vec<String>) {
    let lead = demo(env);
    let file = export(env, &lead, "good.json", &[]);
    let text = std::fs::read_to_string(&file).unwrap();
    (lead, text.lines().map(str::to_string).collect())
}

/// The index of the first record of `table` among the lines of an export.
fn first_of(lines: &[String], table: &str) -> usize {
    let needle = format!("{{\"table\":\"{table}\"");
    lines.iter().position(|l| l.starts_with(&needle)).unwrap() - 2
}

#[test]
fn malformed_files_are_refused_as_a_whole() {
    let env = Env::new();
    let (_lead, lines) = demo_export_lines(&env);
    let target = env.init_db();
    let before = std::fs::read(&target).unwrap();
    let ck = first_of(&lines, "checkin");
    let ck_line = ck + 2;
    let record =
        |i: usize| -> Value { serde_json::from_str(lines[i + 2].trim_end_matches(',')).unwrap() };
    let with_record = |i: usize, r: &Value| -> String {
        let mut l = lines.clone();
        let comma = if l[i + 2].ends_with(',') { "," } else { "" };
        l[i + 2] = format!("{r}{comma}");
        l.join("\n")
    };

    let mut cases: Vec<(&str, String, Vec<String>)> = Vec::new();
    // Invalid JSON inside record ck.
    let mut l = lines.clone();
    l[ck_line] = l[ck_line].replacen("\"date\":", "\"date\" ", 1);
    cases.push(("invalid JSON", l.join("\n"), vec![format!("record {ck}")]));
    // A NaN where a number belongs (not JSON at all).
    let mut l = lines.clone();
    let mut r = record(ck);
    r["value"] = Value::from(1.5);
    l[ck_line] = format!("{r},").replace("\"value\":1.5", "\"value\":NaN");
    cases.push(("NaN", l.join("\n"), vec![format!("record {ck}")]));
    // A number too large for a double.
    let mut l = lines.clone();
    l[ck_line] = format!("{r},").replace("\"value\":1.5", "\"value\":1e309");
    cases.push(("1e309", l.join("\n"), vec![format!("record {ck}")]));
    // A string where a number belongs.
    let mut r = record(ck);
    r["value"] = Value::from("12");
    cases.push((
        "string value",
        with_record(ck, &r),
        vec![format!("record {ck}"), "'value'".into()],
    ));
    // Wrong schema_version.
    let mut l = lines.clone();
    l[0] = l[0].replace("\"schema_version\":2", "\"schema_version\":3");
    cases.push((
        "schema_version",
        l.join("\n"),
        vec!["schema_version".into()],
    ));
    // Unknown table.
    let mut r = record(5);
    r["table"] = Value::from("salary");
    cases.push((
        "unknown table",
        with_record(5, &r),
        vec!["record 5".into(), "unknown table 'salary'".into()],
    ));
    // A reference to a UUID that is nowhere.
    let mut r = record(ck + 3);
    r["goal_uuid"] = Value::from("00000000-0000-4000-8000-000000000000");
    cases.push((
        "unknown reference",
        with_record(ck + 3, &r),
        vec![format!("record {}", ck + 3), "goal_uuid".into()],
    ));
    // An enum value that does not exist.
    let fb = first_of(&lines, "feedback");
    let mut r = record(fb);
    r["kind"] = Value::from("gossip");
    cases.push((
        "bad enum",
        with_record(fb, &r),
        vec![format!("record {fb}"), "'kind'".into()],
    ));
    // An impossible date.
    let mut r = record(ck);
    r["date"] = Value::from("2026-02-30");
    cases.push((
        "bad date",
        with_record(ck, &r),
        vec![format!("record {ck}"), "'date'".into()],
    ));
    // A truncated file.
    let whole = lines.join("\n");
    let cut = whole[..whole.len() / 2].to_string();
    cases.push(("truncated", cut, vec!["truncated".into(), "record".into()]));
    // Not an export at all.
    cases.push(("empty", String::new(), vec!["truncated".into()]));

    for (what, text, needles) in cases {
        let path = env.path(&format!("bad-{}.json", what.replace(' ', "-")));
        std::fs::write(&path, text).unwrap();
        for extra in [&[][..], &["--dry-run"][..]] {
            let out = import(&env, &target, &path, extra);
            out.code(2).no_panic();
            for n in &needles {
                out.stderr_has(n);
            }
            assert!(out.stdout.is_empty(), "{what}: {}", out.stdout);
            assert_bytes_unchanged(&target, &before, what);
        }
    }
    assert_eq!(query_i64(&target, "SELECT count(*) FROM op", &[]), 0);
}

const INJECTIONS: &[&str] = &[
    "=1+2",
    "@SUM(A1)",
    "=HYPERLINK(\"http://x\")",
    "+cmd",
    "-2+3",
    "plain, with a comma and \"quotes\"",
    "two\nlines",
];

#[test]
fn csv_export_of_checkins_reads_back_equal_and_neutralised() {
    let env = Env::new();
    let db = demo(&env);
    for note in INJECTIONS {
        let note = format!("--note={note}");
        env.on(
            &db,
            &[
                "--as",
                "kim",
                "checkin",
                "kim-close-enterprise-deals",
                "3",
                &note,
            ],
        )
        .ok();
    }
    env.on(
        &db,
        &[
            "--as",
            "kim",
            "checkin",
            "kim-close-enterprise-deals",
            "-3.5",
            "--note=-3.5",
        ],
    )
    .ok();
    // The command line trims notes; a tab or line break at the start arrives
    // through an import (a carriage return would be refused there too, as a
    // control character), imported on a later day so that it is newer.
    let file = export(&env, &db, "all.json", &[]);
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let mut edited = 0;
    for r in doc["records"].as_array_mut().unwrap() {
        if r["table"] == "checkin" && edited < 2 {
            r["note"] = Value::from(["\tindented", "\nline first"][edited]);
            r["updated_at"] = Value::from("2026-12-01T00:00:00Z");
            edited += 1;
        }
    }
    let file = env.path("edited.json");
    std::fs::write(&file, doc.to_string()).unwrap();
    let out = import(&env, &db, &file, &["--today", "2026-12-01"]);
    assert_eq!(counts(out.ok(), "checkin").1, 2);
    let out = env.path("checkins.csv");
    env.on(&db, &["export", "-o", s(&out)]).ok();
    assert_eq!(mode(&out), 0o600);
    let bytes = std::fs::read(&out).unwrap();
    assert!(bytes.windows(2).any(|w| w == b"\r\n"), "CRLF line ends");

    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    let headers: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    assert_eq!(
        headers,
        [
            "date",
            "person",
            "goal_key",
            "goal_title",
            "measure",
            "unit",
            "value",
            "confidence",
            "status",
            "note",
            "author",
            "uuid"
        ]
    );
    let conn = read_only(&db);
    let mut stmt = conn
        .prepare(
            "SELECT c.date, coalesce(op.handle, ot.handle), g.key, g.title, m.name, m.unit, c.value, \
             c.confidence, c.status, c.note, a.handle FROM checkin c JOIN goal g ON g.id = c.goal_id \
             LEFT JOIN person op ON op.id = g.owner_person_id LEFT JOIN team ot ON ot.id = g.owner_team_id \
             LEFT JOIN measure m ON m.id = c.measure_id LEFT JOIN person a ON a.id = c.author_id \
             WHERE c.uuid = ?1",
        )
        .unwrap();
    let expect_text = |db: Option<String>, cell: &str, field: &str| {
        let db = db.unwrap_or_default();
        let risky = matches!(
            db.chars().next(),
            Some('=' | '+' | '-' | '@' | '\t' | '\r' | '\n')
        );
        let number = db.parse::<f64>().is_ok_and(f64::is_finite);
        if risky && !number {
            assert_eq!(cell, format!("'{db}"), "{field}");
        } else {
            assert_eq!(cell, db, "{field}");
        }
    };
    let mut rows = 0;
    let mut notes = Vec::new();
    let mut values = Vec::new();
    for rec in reader.records() {
        let rec = rec.unwrap();
        rows += 1;
        type Row = (
            String,
            Option<String>,
            String,
            String,
            Option<String>,
            Option<String>,
            Option<f64>,
            Option<i64>,
            Option<String>,
            Option<String>,
            Option<String>,
        );
        let d: Row = stmt
            .query_row([&rec[11]], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                    r.get(8)?,
                    r.get(9)?,
                    r.get(10)?,
                ))
            })
            .unwrap();
        assert_eq!(&rec[0], d.0);
        expect_text(d.1, &rec[1], "person");
        expect_text(Some(d.2), &rec[2], "goal_key");
        expect_text(Some(d.3), &rec[3], "goal_title");
        expect_text(d.4, &rec[4], "measure");
        expect_text(d.5, &rec[5], "unit");
        match d.6 {
            Some(v) => assert_eq!(rec[6].parse::<f64>().unwrap(), v),
            None => assert_eq!(&rec[6], ""),
        }
        match d.7 {
            Some(v) => assert_eq!(rec[7].parse::<i64>().unwrap(), v),
            None => assert_eq!(&rec[7], ""),
        }
        expect_text(d.8, &rec[8], "status");
        expect_text(d.9.clone(), &rec[9], "note");
        expect_text(d.10, &rec[10], "author");
        notes.push(rec[9].to_string());
        values.push(rec[6].to_string());
    }
    let total: i64 = conn
        .query_row("SELECT count(*) FROM checkin", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, total);
    for bad in [
        "=1+2",
        "@SUM(A1)",
        "=HYPERLINK(\"http://x\")",
        "+cmd",
        "-2+3",
        "\tindented",
        "\nline first",
    ] {
        assert!(notes.contains(&format!("'{bad}")), "{bad} not neutralised");
        assert!(!notes.contains(&bad.to_string()));
    }
    assert!(
        notes.contains(&"-3.5".to_string()),
        "a number stays a number"
    );
    assert!(values.contains(&"-3.5".to_string()));
    assert!(notes.contains(&"two\nlines".to_string()));
    // Filters apply to the CSV too, and the format can be chosen explicitly.
    let kim = env.on(&db, &["export", "--format", "csv", "--person", "kim"]);
    kim.ok();
    let n = csv::Reader::from_reader(kim.stdout.as_bytes())
        .records()
        .count();
    assert_eq!(
        n as i64,
        query_i64(
            &db,
            "SELECT count(*) FROM checkin c JOIN goal g ON g.id = c.goal_id JOIN person p ON p.id = g.owner_person_id \
             WHERE p.handle = 'kim' OR c.author_id = (SELECT id FROM person WHERE handle = 'kim')",
            &[]
        )
    );
    env.on(&db, &["export", "--format", "markdown"]).code(2);
}

#[test]
fn since_keeps_recent_records_and_what_they_need() {
    let env = Env::new();
    let lead = demo(&env);
    env.on(
        &lead,
        &[
            "--today",
            "2026-12-02",
            "--as",
            "kim",
            "checkin",
            "kim-close-enterprise-deals",
            "6",
        ],
    )
    .ok();
    let file = export(&env, &lead, "recent.json", &["--since", "2026-12-01"]);
    let recs = records(&file);
    let checkins: Vec<&Value> = recs.iter().filter(|r| r["table"] == "checkin").collect();
    assert_eq!(checkins.len(), 1);
    // Its goal, measure, people and teams come along, so the file imports on its own.
    let fresh = env.init_db();
    let out = import(&env, &fresh, &file, &["--today", "2026-12-02"]);
    out.ok();
    assert_eq!(counts(&out, "total").0 as usize, recs.len());
    assert_eq!(counts(&out, "checkin").0, 1);
    assert!(counts(&out, "goal").0 >= 1);
}

#[test]
fn private_feedback_leaves_the_file_only_when_asked_for() {
    let env = Env::new();
    let db = demo(&env);
    let private_in = |recs: &[Value]| {
        recs.iter()
            .filter(|r| r["table"] == "feedback" && r["private"] == Value::Bool(true))
            .count()
    };
    let plain = records(&export(&env, &db, "plain.json", &[]));
    assert_eq!(
        private_in(&plain),
        0,
        "private feedback was exported without --include-private"
    );
    assert!(
        plain.iter().any(|r| r["table"] == "feedback"),
        "shared feedback is exported"
    );
    let all = records(&export(&env, &db, "all.json", &["--include-private"]));
    assert!(
        private_in(&all) > 0,
        "--include-private exports private feedback"
    );
}

/// Output to a pipe, or through a symbolic link, goes where it points: the
/// pipe is written to (never replaced by a file, its permissions left
/// alone), and the link still points at the new 0600 file. (A rename over
/// the path once replaced a machine's /dev/null with a regular file.)
#[cfg(unix)]
#[test]
fn output_to_a_pipe_or_through_a_link_is_not_replaced() {
    use std::io::Read;
    use std::os::unix::fs::FileTypeExt;
    let env = Env::new();
    let db = demo(&env);
    for args in [
        &["export", "--format", "csv"][..],
        &["report", "goals", "--format", "csv"][..],
        &["plan", "export"][..],
    ] {
        let fifo = env.path("pipe");
        let _ = std::fs::remove_file(&fifo);
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let before = std::fs::metadata(&fifo).unwrap();
        // The reader reports through a channel, so a pipe that was never
        // written to fails the test instead of hanging it.
        let (tx, rx) = std::sync::mpsc::channel();
        {
            let fifo = fifo.clone();
            std::thread::spawn(move || {
                let mut text = String::new();
                if let Ok(mut f) = std::fs::File::open(&fifo) {
                    let _ = f.read_to_string(&mut text);
                }
                let _ = tx.send(text);
            });
        }
        let mut all = args.to_vec();
        all.extend(["-o", s(&fifo)]);
        env.on(&db, &all).ok();
        let text = rx
            .recv_timeout(std::time::Duration::from_secs(10))
            .unwrap_or_else(|_| panic!("{args:?}: nothing reached the pipe"));
        assert!(
            text.len() > 100,
            "{args:?} wrote {} bytes to the pipe",
            text.len()
        );
        let after = std::fs::symlink_metadata(&fifo).unwrap();
        assert!(after.file_type().is_fifo(), "{args:?} replaced the pipe");
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            after.permissions().mode(),
            before.permissions().mode(),
            "{args:?} changed the pipe's permissions"
        );
    }
    // Through a symbolic link: the link stays, the file it names gets the export.
    let real = env.path("real.csv");
    std::fs::write(&real, "old").unwrap();
    let link = env.path("link.csv");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    env.on(&db, &["export", "--format", "csv", "-o", s(&link)])
        .ok();
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let text = std::fs::read_to_string(&real).unwrap();
    assert!(text.starts_with("date,"), "{}", &text[..text.len().min(40)]);
    assert_eq!(mode(&real), 0o600);
    // A link to a file that does not exist yet: the file is created there.
    let later = env.path("later.csv");
    let dangling = env.path("dangling.csv");
    std::os::unix::fs::symlink("later.csv", &dangling).unwrap();
    env.on(&db, &["export", "--format", "csv", "-o", s(&dangling)])
        .ok();
    assert!(
        std::fs::symlink_metadata(&dangling)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(
        std::fs::read_to_string(&later)
            .unwrap()
            .starts_with("date,")
    );
    assert_eq!(mode(&later), 0o600);
}

// ---- What an import refuses (docs/exchange.md, "What an import refuses") ----
//
// Each test crafts a file by exporting a database and editing the JSON, and
// checks that the import is refused as a whole (exit 2), naming every
// refused record with its table, UUID and reason, the same in a dry run,
// and that the database file keeps its bytes.

/// A JSON export of `db` as a document.
fn export_doc(env: &Env, db: &Path, name: &str, extra: &[&str]) -> Value {
    let file = export(env, db, name, extra);
    serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap()
}

/// Write an edited document; returns its path.
fn write_doc(env: &Env, name: &str, doc: &Value) -> PathBuf {
    let path = env.path(name);
    std::fs::write(&path, doc.to_string()).unwrap();
    path
}

fn recs_mut(doc: &mut Value) -> &mut Vec<Value> {
    doc["records"].as_array_mut().unwrap()
}

/// The first record of `table` that `pred` accepts.
fn first<'a>(recs: &'a mut [Value], table: &str, pred: impl Fn(&Value) -> bool) -> &'a mut Value {
    recs.iter_mut()
        .find(|r| r["table"] == table && pred(r))
        .unwrap_or_else(|| panic!("no such {table} record"))
}

fn uuid_of(r: &Value) -> String {
    r["uuid"].as_str().unwrap().to_string()
}

/// A UUID for a crafted record.
fn crafted(n: u32) -> String {
    format!("0c0ffee0-0000-4000-8000-{n:012}")
}

/// A timestamp one minute after the pinned now: newer than every record
/// of a demo made today, and not in the future (within the allowed skew).
const NEWER: &str = "2026-11-22T12:01:00Z";

/// Import `file` into `db` with `extra`, as a dry run and for real: both
/// are refused (exit 2) with the same message, holding every needle;
/// nothing is written. Returns the message.
#[track_caller]
fn assert_refused(env: &Env, db: &Path, file: &Path, extra: &[&str], needles: &[String]) -> String {
    let before = std::fs::read(db).unwrap();
    let ops = query_i64(db, "SELECT count(*) FROM op", &[]);
    let mut messages = Vec::new();
    for dry in [true, false] {
        let mut args: Vec<&str> = extra.to_vec();
        if dry {
            args.push("--dry-run");
        }
        let out = import(env, db, file, &args);
        out.code(2).no_panic().stderr_has("nothing was imported");
        for n in needles {
            out.stderr_has(n);
        }
        assert!(out.stdout.is_empty(), "{}", out.stdout);
        assert_bytes_unchanged(db, &before, "a refused import");
        messages.push(out.stderr);
    }
    assert_eq!(
        messages[0], messages[1],
        "a dry run says what the import says"
    );
    assert_eq!(query_i64(db, "SELECT count(*) FROM op", &[]), ops);
    messages.remove(0)
}

/// Found today: a team member's file claiming future `updated_at` values
/// rewrote the submitted manager review of them, and its ratings, for good
/// (the newer copy wins, and stays newer than every later edit).
#[test]
fn a_members_file_cannot_rewrite_a_submitted_review() {
    let env = Env::new();
    let lead = demo(&env);
    let mut doc = export_doc(&env, &lead, "all.json", &[]);
    let recs = recs_mut(&mut doc);
    let open = uuid_of(first(recs, "cycle", |r| r["state"] == "open"));
    let review = first(recs, "review", |r| {
        r["cycle_uuid"] == open.as_str() && r["kind"] == "manager" && r["state"] == "submitted"
    })
    .clone();
    let subject = review["subject_uuid"].clone();
    let handle = first(recs, "person", |r| r["uuid"] == subject)["handle"]
        .as_str()
        .unwrap()
        .to_string();
    let (review_uuid, summary) = (uuid_of(&review), review["summary"].clone());

    // The subject's own export, as they would send it to their lead.
    let craft = |stamp: &str, draft: bool| -> (Value, String) {
        let mut doc = export_doc(&env, &lead, "member.json", &["--person", &handle]);
        let recs = recs_mut(&mut doc);
        let r = first(recs, "review", |r| r["uuid"] == review_uuid.as_str());
        r["summary"] = Value::from("Outstanding in every way");
        r["updated_at"] = Value::from(stamp);
        if draft {
            r["state"] = Value::from("pending");
            r["submitted_at"] = Value::Null;
        }
        let rating = first(recs, "rating", |r| r["review_uuid"] == review_uuid.as_str());
        let was = rating["value"].as_f64().unwrap();
        rating["value"] = Value::from(if was < 5.0 { 5.0 } else { 1.0 });
        rating["updated_at"] = Value::from(stamp);
        let rating_uuid = uuid_of(rating);
        (doc, rating_uuid)
    };

    // As found: timestamps in 2030.
    let (doc, rating_uuid) = craft("2030-01-01T00:00:00Z", false);
    let file = write_doc(&env, "future.json", &doc);
    let msg = assert_refused(
        &env,
        &lead,
        &file,
        &[],
        &[
            "2 record(s) cannot be imported".into(),
            format!(
                "review {review_uuid}: field 'updated_at': 2030-01-01T00:00:00Z is in the future"
            ),
            format!(
                "rating {rating_uuid}: field 'updated_at': 2030-01-01T00:00:00Z is in the future"
            ),
            format!("review {review_uuid}: the review is submitted here"),
            format!("rating {rating_uuid}: its review {review_uuid} is submitted here"),
        ],
    );
    assert!(msg.contains("whatever updated_at the file claims"), "{msg}");

    // With a plausible timestamp, and the review turned back into a draft:
    // a submitted review is final all the same.
    let (doc, rating_uuid) = craft(NEWER, true);
    let file = write_doc(&env, "draft.json", &doc);
    let msg = assert_refused(
        &env,
        &lead,
        &file,
        &[],
        &[
            format!("review {review_uuid}: the review is submitted here"),
            format!("rating {rating_uuid}: its review {review_uuid} is submitted here"),
        ],
    );
    assert!(!msg.contains("in the future"), "{msg}");
    assert_eq!(
        query_text(
            &lead,
            "SELECT summary FROM review WHERE uuid = ?1",
            &[&review_uuid]
        ),
        summary.as_str().map(str::to_string)
    );
}

/// Found today: an import swapped the template of a finalized cycle (a
/// lower anonymity threshold shows peer averages from fewer reviewers) and
/// added forged cycle history.
#[test]
fn a_finalized_cycle_keeps_its_template_and_history() {
    let env = Env::new();
    let lead = demo(&env);
    let mut doc = export_doc(&env, &lead, "all.json", &[]);
    let recs = recs_mut(&mut doc);
    let done = first(recs, "cycle", |r| r["state"] == "finalized").clone();
    let open = uuid_of(first(recs, "cycle", |r| r["state"] == "open"));
    let template = first(recs, "template", |r| r["uuid"] == done["template_uuid"]).clone();
    let lowered = template["source"]
        .as_str()
        .unwrap()
        .replace("anonymity_threshold = 3", "anonymity_threshold = 1");
    assert_ne!(lowered, template["source"].as_str().unwrap());
    // 1. The finalized cycle pointed at a new template with a lower threshold.
    let mut swapped = template.clone();
    swapped["uuid"] = Value::from(crafted(1));
    swapped["source"] = Value::from(lowered.clone());
    recs.push(swapped);
    let cycle = first(recs, "cycle", |r| r["uuid"] == done["uuid"]);
    cycle["template_uuid"] = Value::from(crafted(1));
    cycle["updated_at"] = Value::from(NEWER);
    // 2. The stored template itself rewritten.
    let stored = first(recs, "template", |r| r["uuid"] == template["uuid"]);
    stored["source"] = Value::from(lowered);
    stored["updated_at"] = Value::from(NEWER);
    // 3. History forged: the finalized cycle "reopened", the open cycle
    //    "finalized" in one move.
    let event = first(recs, "cycle_event", |r| r["cycle_uuid"] == done["uuid"]).clone();
    let mut reopen = event.clone();
    reopen["uuid"] = Value::from(crafted(2));
    reopen["from_state"] = Value::from("finalized");
    reopen["to_state"] = Value::from("calibrating");
    reopen["reason"] = Value::from("Fix a rating");
    for k in ["at", "created_at", "updated_at"] {
        reopen[k] = Value::from(NEWER);
    }
    let mut skip = reopen.clone();
    skip["uuid"] = Value::from(crafted(3));
    skip["cycle_uuid"] = Value::from(open.as_str());
    skip["from_state"] = Value::from("open");
    skip["to_state"] = Value::from("finalized");
    skip["reason"] = Value::Null;
    recs.push(reopen);
    recs.push(skip);
    let file = write_doc(&env, "forged.json", &doc);

    let (cycle_uuid, template_uuid) = (uuid_of(&done), uuid_of(&template));
    let finalized = "cycle '2026-H1 reviews' is finalized here and read-only";
    assert_refused(
        &env,
        &lead,
        &file,
        &[],
        &[
            "4 record(s) cannot be imported".into(),
            format!("cycle {cycle_uuid}: {finalized}"),
            format!("template {template_uuid}: a stored template never changes"),
            format!("cycle_event {}: {finalized}", crafted(2)),
            format!(
                "cycle_event {}: field 'to_state': forged history: open → finalized is not a step",
                crafted(3)
            ),
            format!(
                "cycle_event {}: the cycle's history leads to finalized, not open",
                crafted(3)
            ),
        ],
    );
    // The new template on its own is a valid record: it is not listed.
    let out = import(&env, &lead, &file, &[]);
    assert!(!out.stderr.contains(&crafted(1)), "{}", out.stderr);
}

/// Found today: an import took control characters, 10,000-character names,
/// year 0000, a goal its own ancestor, a team its own parent, a person
/// their own manager through a chain, and handles and keys used twice —
/// all of which the command line refuses.
#[test]
fn an_import_refuses_what_the_command_line_refuses() {
    let env = Env::new();
    let lead = demo(&env);
    let mut doc = export_doc(&env, &lead, "all.json", &[]);
    let recs = recs_mut(&mut doc);
    let mut expect: Vec<String> = Vec::new();

    // A person and their manager: the manager made to report to them.
    let report = first(recs, "person", |r| !r["manager_uuid"].is_null()).clone();
    let boss = first(recs, "person", |r| r["uuid"] == report["manager_uuid"]);
    boss["manager_uuid"] = report["uuid"].clone();
    boss["updated_at"] = Value::from(NEWER);
    let (boss_handle, report_handle) = (
        boss["handle"].as_str().unwrap().to_string(),
        report["handle"].as_str().unwrap().to_string(),
    );
    expect.push(format!(
        "person {}: field 'manager_uuid': making {report_handle} the manager of {boss_handle} would create a cycle",
        uuid_of(boss)
    ));
    // A team its own parent.
    let team = first(recs, "team", |_| true);
    team["parent_uuid"] = team["uuid"].clone();
    team["updated_at"] = Value::from(NEWER);
    expect.push(format!(
        "team {}: field 'parent_uuid': team {} cannot be its own parent",
        uuid_of(team),
        team["handle"].as_str().unwrap()
    ));
    let team = team.clone();
    // A goal aligned to its own child.
    let child = first(recs, "goal", |r| !r["parent_uuid"].is_null()).clone();
    let parent = first(recs, "goal", |r| r["uuid"] == child["parent_uuid"]);
    parent["parent_uuid"] = child["uuid"].clone();
    parent["updated_at"] = Value::from(NEWER);
    expect.push(format!(
        "goal {}: field 'parent_uuid': aligning {} to {} would create a cycle",
        uuid_of(parent),
        parent["key"].as_str().unwrap(),
        child["key"].as_str().unwrap()
    ));
    let goal = first(recs, "goal", |r| r["parent_uuid"].is_null()).clone();
    let mut new_records = Vec::new();
    // New records: a control character in a name, a 10,000-character name,
    // year 0000, a goal aligned to itself, a handle a person has, a goal key
    // twice in the file.
    let mut bell = report.clone();
    bell["uuid"] = Value::from(crafted(1));
    bell["handle"] = Value::from("newcomer");
    bell["name"] = Value::from("Eve\u{7}Bell");
    bell["manager_uuid"] = Value::Null;
    expect.push(format!(
        "person {}: field 'name': name contains control characters",
        crafted(1)
    ));
    new_records.push(bell);
    let mut long = team.clone();
    long["uuid"] = Value::from(crafted(2));
    long["handle"] = Value::from("long-name");
    long["name"] = Value::from("x".repeat(10_000));
    long["parent_uuid"] = Value::Null;
    expect.push(format!(
        "team {}: field 'name': name is longer than 200 characters",
        crafted(2)
    ));
    new_records.push(long);
    let mut ancient = goal.clone();
    ancient["uuid"] = Value::from(crafted(3));
    ancient["key"] = Value::from("ancient");
    ancient["start_date"] = Value::Null;
    ancient["due_date"] = Value::from("0000-01-01");
    expect.push(format!(
        "goal {}: field 'due_date': '0000-01-01': the year must be between 0001 and 9999",
        crafted(3)
    ));
    new_records.push(ancient);
    let mut selfish = goal.clone();
    selfish["uuid"] = Value::from(crafted(4));
    selfish["key"] = Value::from("selfish");
    selfish["parent_uuid"] = Value::from(crafted(4));
    expect.push(format!(
        "goal {}: field 'parent_uuid': goal selfish cannot be aligned to itself",
        crafted(4)
    ));
    new_records.push(selfish);
    let mut taken = team.clone();
    taken["uuid"] = Value::from(crafted(5));
    taken["handle"] = Value::from(report_handle.as_str());
    taken["parent_uuid"] = Value::Null;
    expect.push(format!(
        "team {}: handle '{report_handle}' exists locally under another UUID (person {})",
        crafted(5),
        uuid_of(&report)
    ));
    new_records.push(taken);
    let n = recs.len() + new_records.len();
    for i in [6, 7] {
        let mut twice = goal.clone();
        twice["uuid"] = Value::from(crafted(i));
        twice["key"] = Value::from("twice");
        let other = if i == 6 { n + 1 } else { n };
        expect.push(format!(
            "goal {}: key 'twice' is also used by record {other} (goal {}) in the file",
            crafted(i),
            crafted(if i == 6 { 7 } else { 6 })
        ));
        new_records.push(twice);
    }
    recs.extend(new_records);
    let file = write_doc(&env, "refused.json", &doc);
    expect.push("10 record(s) cannot be imported".into());
    let msg = assert_refused(&env, &lead, &file, &[], &expect);
    assert_eq!(msg.matches("\n  record ").count(), 10, "{msg}");

    // The command line refuses the same.
    env.on(
        &lead,
        &["people", "add", "newcomer", "--name", "Eve\u{7}Bell"],
    )
    .code(2)
    .stderr_has("control characters");
    env.on(
        &lead,
        &["team", "add", "long-name", "--name", &"x".repeat(10_000)],
    )
    .code(2)
    .stderr_has("longer than 200");
    env.on(
        &lead,
        &[
            "plan",
            "add",
            "Ancient",
            "--owner",
            &report_handle,
            "--due",
            "0000-01-01",
        ],
    )
    .code(2);
    env.on(&lead, &["team", "add", &report_handle, "--name", "Taken"])
        .code(1)
        .stderr_has("already taken");
    env.on(
        &lead,
        &["people", "edit", &boss_handle, "--manager", &report_handle],
    )
    .code(2)
    .stderr_has("would create a cycle");
}

/// A cycle moved on in another copy (a full export carries the events
/// that moved it) arrives with its history; a filtered export, which
/// carries none, cannot move it.
#[test]
fn a_cycle_moves_only_with_its_history() {
    let env = Env::new();
    let lead = demo(&env);
    let seed = export(&env, &lead, "seed.json", &[]);
    let copy = env.init_db();
    import(&env, &copy, &seed, &[]).ok();
    let other = env.init_db();
    import(&env, &other, &seed, &[]).ok();
    let day = ["--today", "2026-11-23"];
    env.on(
        &copy,
        &[
            day[0],
            day[1],
            "appraise",
            "cycle",
            "calibrate",
            "2026-H2 reviews",
            "--force",
        ],
    )
    .ok();
    let state = |db: &Path| {
        query_text(
            db,
            "SELECT state FROM cycle WHERE name = '2026-H2 reviews'",
            &[],
        )
    };
    // The whole copy: the cycle, its new event, the scores stored on the way.
    let full = export(&env, &copy, "full.json", &day);
    let out = import(&env, &lead, &full, &day);
    out.ok().no_panic();
    assert_eq!(counts(&out, "cycle").1, 1, "{}", out.stdout);
    assert_eq!(counts(&out, "cycle_event").0, 1, "{}", out.stdout);
    assert_eq!(state(&lead).as_deref(), Some("calibrating"));
    let again = import(&env, &lead, &full, &day);
    again.ok().stderr_has("no changes");
    // Kim's own export carries the cycle, not its history.
    let kim = export(
        &env,
        &copy,
        "kim.json",
        &[day[0], day[1], "--person", "kim"],
    );
    let recs = records(&kim);
    assert!(!recs.iter().any(|r| r["table"] == "cycle_event"));
    let cycle = recs
        .iter()
        .find(|r| r["table"] == "cycle" && r["name"] == "2026-H2 reviews")
        .unwrap();
    assert_refused(
        &env,
        &other,
        &kim,
        &day,
        &[format!(
            "cycle {}: field 'state': the cycle is open here; it moves to calibrating only by the steps of its history, and the file adds none",
            uuid_of(cycle)
        )],
    );
    assert_eq!(state(&other).as_deref(), Some("open"));
}

// ---- Whose permissions an import applies (docs/exchange.md, "Who a file comes from") ----

/// Found today: a team member's file could change anything the lead's file
/// holds. Now an export names its exporter, and an import checks each change
/// against that person's permissions: a member's file carries their own
/// check-ins, not an admin flag, a team goal or someone else's feedback.
#[test]
fn a_members_file_writes_only_what_they_may() {
    let env = Env::new();
    let lead = demo(&env);
    let mut doc = export_doc(&env, &lead, "kim.json", &["--as", "kim", "--person", "kim"]);
    assert_eq!(doc["exported_by"], "kim");
    assert_eq!(doc["exported_by_admin"], false);
    let recs = recs_mut(&mut doc);
    let kim_goal = uuid_of(first(recs, "goal", |r| {
        r["key"] == "kim-close-enterprise-deals"
    }));
    let checkin = first(recs, "checkin", |r| r["goal_uuid"] == kim_goal.as_str());
    checkin["note"] = Value::from("kim's own note");
    checkin["updated_at"] = Value::from(NEWER);
    let checkin_uuid = uuid_of(checkin);
    let own = write_doc(&env, "kim-own.json", &doc);

    // The same file, with what is not kim's to write.
    let recs = recs_mut(&mut doc);
    let kim = first(recs, "person", |r| r["handle"] == "kim");
    kim["admin"] = Value::from(true);
    kim["updated_at"] = Value::from(NEWER);
    let kim_uuid = uuid_of(kim);
    let team_goal = first(recs, "goal", |r| r["key"] == "grow-revenue");
    team_goal["title"] = Value::from("Whatever kim says");
    team_goal["updated_at"] = Value::from(NEWER);
    let team_goal_uuid = uuid_of(team_goal);
    let people: Vec<(String, String)> = recs
        .iter()
        .filter(|r| r["table"] == "person")
        .map(|r| (uuid_of(r), r["handle"].as_str().unwrap().to_string()))
        .collect();
    let kim_uuid_ = kim_uuid.clone();
    let theirs = first(recs, "feedback", |r| r["from_uuid"] != kim_uuid_.as_str());
    theirs["text"] = Value::from("kim rewrote this");
    theirs["updated_at"] = Value::from(NEWER);
    let feedback_uuid = uuid_of(theirs);
    let author = people
        .iter()
        .find(|(u, _)| theirs["from_uuid"] == u.as_str())
        .map(|(_, h)| h.clone())
        .unwrap();
    let forged = write_doc(&env, "kim-forged.json", &doc);
    let msg = assert_refused(
        &env,
        &lead,
        &forged,
        &[],
        &[
            "Importing as kim: each change is checked against their permissions.".into(),
            "3 record(s) cannot be imported".into(),
            format!(
                "person {kim_uuid}: not allowed: kim may not change the organisation (the file comes from kim)"
            ),
            format!(
                "goal {team_goal_uuid}: not allowed: kim may not change goals or check-ins of acme"
            ),
            format!(
                "feedback {feedback_uuid}: not allowed: feedback by {author} comes only from its author's own file"
            ),
        ],
    );
    // Said before anything else.
    assert!(msg.starts_with("Importing as kim"), "{msg}");
    assert!(!msg.contains(&checkin_uuid), "her check-in is hers: {msg}");

    // Her own changes come in.
    let out = import(&env, &lead, &own, &[]);
    out.ok().stderr_has("Importing as kim: each change");
    assert_eq!(counts(&out, "checkin").1, 1);
    assert_eq!(
        query_text(
            &lead,
            "SELECT note FROM checkin WHERE uuid = ?1",
            &[&checkin_uuid]
        )
        .as_deref(),
        Some("kim's own note")
    );
}

/// An admin's export is the exchange of everything; a file only says it
/// comes from an admin, so that claim counts only when an admin here names
/// its exporter with --from and this database does not know them as
/// someone else. Whoever is not an admin imports with their own permissions.
#[test]
fn an_admins_file_is_trusted_only_when_an_admin_here_names_its_exporter() {
    let env = Env::new();
    let lead = demo(&env);
    let dana = export(&env, &lead, "dana.json", &["--as", "dana"]);
    let people = query_i64(&lead, "SELECT count(*) FROM person", &[]);

    // Another file, holding only its owner: dana is not known there. (An
    // empty file takes any file whole: there is nothing in it to protect.)
    let fresh = env.db();
    env.run(&["init", "--db", s(&fresh), "--me", "ola", "--name", "Ola"])
        .ok();
    assert_refused(
        &env,
        &fresh,
        &dana,
        &[],
        &[
            "Importing as dana: each change".into(),
            "not allowed: dana may not change the organisation (the file comes from dana)".into(),
            "name them with --from HANDLE".into(),
        ],
    );
    let out = import(&env, &fresh, &dana, &["--from", "dana"]);
    out.ok()
        .stderr_has("Importing as dana (an admin): each change");
    assert_eq!(
        query_i64(&fresh, "SELECT count(*) FROM person", &[]),
        people + 1
    );
    // An empty file is seeded by any file, whole.
    let empty = env.init_db();
    import(&env, &empty, &dana, &[]).ok();
    assert_eq!(
        query_i64(&empty, "SELECT count(*) FROM person", &[]),
        people
    );

    // A member's file that claims an admin exported it: the lead's
    // database knows kim, and not as an admin.
    let mut doc = export_doc(&env, &lead, "kim.json", &["--as", "kim", "--person", "kim"]);
    doc["exported_by_admin"] = Value::from(true);
    let kim = first(recs_mut(&mut doc), "person", |r| r["handle"] == "kim");
    kim["admin"] = Value::from(true);
    kim["updated_at"] = Value::from(NEWER);
    let kim_uuid = uuid_of(kim);
    let claim = write_doc(&env, "kim-claims.json", &doc);
    for extra in [&[][..], &["--from", "kim"][..]] {
        assert_refused(
            &env,
            &lead,
            &claim,
            extra,
            &[
                "Importing as kim: each change".into(),
                format!("person {kim_uuid}: not allowed: kim may not change the organisation"),
            ],
        );
    }

    // Someone who is not an admin cannot borrow an admin's permissions.
    let before = std::fs::read(&lead).unwrap();
    let out = env.on(
        &lead,
        &["--as", "kim", "import", s(&dana), "--from", "dana"],
    );
    out.code(1)
        .no_panic()
        .stderr_has("not allowed: kim may not import a file as dana (only an admin here may)");
    assert_bytes_unchanged(&lead, &before, "a refused --from");
    // Nor the permissions of a file's exporter: kim imports dana's file
    // as herself. Nothing in it changed, so nothing is refused or written.
    let out = env.on(&lead, &["--as", "kim", "import", s(&dana)]);
    out.ok().stderr_has("Importing as kim: each change");
    // And what is not hers to change stays refused, though the file claims
    // an admin made it.
    env.on(&lead, &["--as", "kim", "import", s(&claim)])
        .code(2)
        .stderr_has(&format!(
            "person {kim_uuid}: not allowed: kim may not change the organisation"
        ));
    assert_eq!(
        query_i64(&lead, "SELECT count(*) FROM person WHERE admin", &[]),
        1
    );
}

/// A file no one signed (exported where no one is named) is checked
/// against the importer's own permissions.
#[test]
fn an_unsigned_file_comes_from_whoever_imports_it() {
    let env = Env::new();
    let lead = demo(&env);
    let mut doc = export_doc(&env, &lead, "all.json", &[]);
    assert_eq!(doc["exported_by"], Value::Null);
    let alice = first(recs_mut(&mut doc), "person", |r| r["handle"] == "alice");
    alice["title"] = Value::from("Principal engineer");
    alice["updated_at"] = Value::from(NEWER);
    let alice_uuid = uuid_of(alice);
    let file = write_doc(&env, "all-edited.json", &doc);
    assert_refused(
        &env,
        &lead,
        &file,
        &["--as", "sam"],
        &[
            "Importing as sam: each change".into(),
            format!("person {alice_uuid}: not allowed: sam may not edit the profile of alice"),
        ],
    );
    // The file's owner (no one named) acts for everyone.
    let out = import(&env, &lead, &file, &[]);
    out.ok()
        .stderr_has("Importing as the file's owner")
        .stderr_has("The file names no exporter; if it comes from someone else, name them with --from HANDLE");
    assert_eq!(
        query_text(
            &lead,
            "SELECT title FROM person WHERE uuid = ?1",
            &[&alice_uuid]
        )
        .as_deref(),
        Some("Principal engineer")
    );
}

/// Put `rec` into a file's records: over the record with its UUID, else
/// after the last record of its table.
fn put(recs: &mut Vec<Value>, rec: Value) {
    if let Some(r) = recs.iter_mut().find(|r| r["uuid"] == rec["uuid"]) {
        *r = rec;
        return;
    }
    let at = recs
        .iter()
        .rposition(|r| r["table"] == rec["table"])
        .map_or(recs.len(), |i| i + 1);
    recs.insert(at, rec);
}

/// Found by an attacker's review: a member's file could take over records
/// that are not theirs by rewriting who they belong to (a cycle's creator, a
/// feedback's author, a check-in's goal) or by adding reviews of a
/// colleague. Each change is checked as the file has it and as the record
/// is here now, and a new review of someone else is a nomination.
#[test]
fn a_members_file_cannot_take_over_what_is_not_theirs() {
    let env = Env::new();
    let lead = demo(&env);
    let all = export_doc(&env, &lead, "all.json", &[]);
    let base = export_doc(&env, &lead, "kim.json", &["--as", "kim", "--person", "kim"]);
    let records = all["records"].as_array().unwrap().clone();
    let uuid = |table: &str, pred: &dyn Fn(&Value) -> bool| -> Value {
        records
            .iter()
            .find(|r| r["table"] == table && pred(r))
            .unwrap_or_else(|| panic!("no {table}"))
            .clone()
    };
    let person = |h: &str| uuid("person", &|r| r["handle"] == h)["uuid"].clone();
    let (kim, mia, sam) = (person("kim"), person("mia"), person("sam"));
    let kim_goal = uuid("goal", &|r| r["key"] == "kim-close-enterprise-deals")["uuid"].clone();
    let mia_goal = uuid("goal", &|r| r["owner_person_uuid"] == mia)["uuid"].clone();
    let open = uuid("cycle", &|r| r["state"] == "open");
    let attack = |name: &str, edit: &dyn Fn(&mut Vec<Value>), needle: &str| {
        let mut doc = base.clone();
        edit(recs_mut(&mut doc));
        let file = write_doc(&env, name, &doc);
        assert_refused(
            &env,
            &lead,
            &file,
            &[],
            &["Importing as kim".into(), needle.into()],
        );
    };
    // Make herself the creator of the open cycle, and move it on.
    attack(
        "cycle.json",
        &|recs| {
            let mut c = open.clone();
            c["created_by_uuid"] = kim.clone();
            c["state"] = Value::from("calibrating");
            c["updated_at"] = Value::from(NEWER);
            put(recs, c);
        },
        "not allowed: kim may not",
    );
    // Sign sam's feedback to mia as hers, and rewrite it.
    attack(
        "feedback.json",
        &|recs| {
            let mut f = uuid("feedback", &|r| {
                r["from_uuid"] == sam && r["to_uuid"] == mia
            });
            f["from_uuid"] = kim.clone();
            f["text"] = Value::from("kim rewrote this");
            f["updated_at"] = Value::from(NEWER);
            put(recs, f);
        },
        "comes only from its author's own file",
    );
    // Move one of mia's check-ins onto her own goal.
    attack(
        "checkin.json",
        &|recs| {
            let mut c = uuid("checkin", &|r| r["goal_uuid"] == mia_goal);
            c["goal_uuid"] = kim_goal.clone();
            c["measure_uuid"] = Value::Null;
            c["value"] = Value::Null;
            c["status"] = Value::from("on-track");
            c["updated_at"] = Value::from(NEWER);
            put(recs, c);
        },
        "not allowed: kim may not change goals or check-ins of mia",
    );
    // Write a manager review, or nominate herself a peer, of mia.
    for kind in ["manager", "peer"] {
        attack(
            &format!("{kind}.json"),
            &|recs| {
                let mut r = uuid("review", &|r| r["subject_uuid"] == mia);
                r["uuid"] = Value::from(crafted(7));
                r["reviewer_uuid"] = kim.clone();
                r["kind"] = Value::from(kind);
                r["cycle_uuid"] = open["uuid"].clone();
                r["state"] = Value::from("pending");
                r["submitted_at"] = Value::Null;
                r["summary"] = Value::Null;
                put(recs, r);
            },
            "not allowed: kim may not nominate",
        );
    }
}

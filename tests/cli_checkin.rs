//! End-to-end tests of `checkin` and `feedback` (issue 3), driving the real
//! binary: progress, pace and forecast as `plan show` reports them, the
//! interactive check-in through a pseudo-terminal, `checkin due` on the demo
//! data checked against an independent query, bad input, private feedback
//! and undo.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Env, Out, assert_bytes_unchanged, s};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A database with bob (manager), alice and carol (both reporting to bob).
fn org_db(env: &Env) -> PathBuf {
    let db = env.init_db();
    env.on(&db, &["people", "add", "bob", "--name", "Bob"]).ok();
    env.on(
        &db,
        &[
            "people",
            "add",
            "alice",
            "--name",
            "Alice",
            "--manager",
            "bob",
        ],
    )
    .ok();
    env.on(
        &db,
        &[
            "people",
            "add",
            "carol",
            "--name",
            "Carol",
            "--manager",
            "bob",
        ],
    )
    .ok();
    db
}

/// `plan add TITLE --key KEY --owner alice EXTRA…`.
fn add_goal(env: &Env, db: &Path, key: &str, extra: &[&str]) {
    let mut args = vec!["plan", "add", key, "--key", key, "--owner", "alice"];
    args.extend_from_slice(extra);
    env.on(db, &args).ok();
}

/// `plan show KEY --format json` (with `--today` when given).
fn show(env: &Env, db: &Path, key: &str, today: Option<&str>) -> Value {
    let mut args = Vec::new();
    if let Some(t) = today {
        args.extend_from_slice(&["--today", t]);
    }
    args.extend_from_slice(&["plan", "show", key, "--format", "json"]);
    let out = env.on(db, &args);
    out.ok();
    let v = out.json();
    assert_eq!(v["kind"], "goal", "{v}");
    v
}

/// The measure called `name` in a `plan show` document.
fn measure<'a>(shown: &'a Value, name: &str) -> &'a Value {
    shown["measures"]
        .as_array()
        .expect("measures array")
        .iter()
        .find(|m| m["measure"] == name)
        .unwrap_or_else(|| panic!("no measure {name:?} in {shown}"))
}

/// A number field, within 1e-6 of `expected`.
#[track_caller]
fn assert_num(v: &Value, expected: f64, what: &str) {
    let got = v
        .as_f64()
        .unwrap_or_else(|| panic!("{what}: expected the number {expected}, got {v}"));
    assert!(
        (got - expected).abs() < 1e-6,
        "{what}: expected {expected}, got {got}"
    );
}

/// `checkin list --format json`, whole document.
fn checkin_list(env: &Env, db: &Path) -> Value {
    let out = env.on(db, &["checkin", "list", "--format", "json"]);
    out.ok();
    out.json()
}

/// The check-in rows of `checkin list --format json`.
fn checkins(env: &Env, db: &Path) -> Vec<Value> {
    checkin_list(env, db)["checkins"]
        .as_array()
        .expect("checkins array")
        .clone()
}

/// `[--as WHO] feedback list --format json`: the output and the rows.
fn feedback_as(env: &Env, db: &Path, who: Option<&str>) -> (Out, Vec<Value>) {
    let mut args = Vec::new();
    if let Some(w) = who {
        args.extend_from_slice(&["--as", w]);
    }
    args.extend_from_slice(&["feedback", "list", "--format", "json"]);
    let out = env.on(db, &args);
    out.ok();
    let rows = out.json()["feedback"]
        .as_array()
        .expect("feedback array")
        .clone();
    (out, rows)
}

/// `checkin due --format json` rows as (person, goal, measure).
fn due_set(env: &Env, db: &Path) -> Vec<(String, String, String)> {
    let out = env.on(db, &["checkin", "due", "--format", "json"]);
    out.ok();
    let mut rows: Vec<(String, String, String)> = out.json()["due"]
        .as_array()
        .expect("due array")
        .iter()
        .map(|r| {
            (
                r["person"].as_str().expect("person").to_string(),
                r["goal"].as_str().expect("goal").to_string(),
                r["measure"].as_str().expect("measure").to_string(),
            )
        })
        .collect();
    rows.sort();
    rows
}

/// The id of the newest check-in.
fn newest_checkin_id(env: &Env, db: &Path) -> String {
    checkins(env, db)
        .iter()
        .map(|c| c["id"].as_i64().expect("id"))
        .max()
        .expect("a check-in")
        .to_string()
}

// 1. Progress -------------------------------------------------------------

#[test]
fn progress_of_decreasing_increasing_and_past_stretch_measures() {
    let env = Env::new();
    let db = org_db(&env);
    add_goal(
        &env,
        &db,
        "latency",
        &[
            "--metric",
            "p95",
            "--unit",
            "ms",
            "--baseline",
            "450",
            "--target",
            "200",
        ],
    );
    add_goal(
        &env,
        &db,
        "features",
        &["--metric", "shipped", "--baseline", "0", "--target", "10"],
    );
    add_goal(
        &env,
        &db,
        "share",
        &[
            "--metric",
            "share",
            "--kind",
            "percent",
            "--baseline",
            "60",
            "--target",
            "80",
            "--stretch",
            "90",
        ],
    );
    env.on(&db, &["checkin", "latency", "325"]).ok();
    env.on(&db, &["checkin", "features", "4"]).ok();
    env.on(&db, &["checkin", "share", "95"]).ok();

    let v = show(&env, &db, "latency", None);
    let m = measure(&v, "p95");
    assert_eq!(m["direction"], "decrease", "{m}");
    assert_num(&m["current"], 325.0, "latency current");
    assert_num(&m["progress_pct"], 50.0, "latency progress_pct");
    assert_eq!(m["standard"], "below", "{m}");
    assert_num(
        &v["goal"]["progress_pct"],
        50.0,
        "latency goal progress_pct",
    );

    let v = show(&env, &db, "features", None);
    let m = measure(&v, "shipped");
    assert_eq!(m["direction"], "increase", "{m}");
    assert_num(&m["current"], 4.0, "features current");
    assert_num(&m["progress_pct"], 40.0, "features progress_pct");
    assert_num(
        &v["goal"]["progress_pct"],
        40.0,
        "features goal progress_pct",
    );

    let v = show(&env, &db, "share", None);
    let m = measure(&v, "share");
    assert_num(&m["current"], 95.0, "share current");
    // Raw progress is shown: (95 − 60) / (80 − 60) = 1.75.
    assert_num(&m["progress_pct"], 175.0, "share progress_pct");
    assert_eq!(m["standard"], "exceeds", "{m}");
    // The goal rolls up the scored (clamped) progress.
    assert_num(&v["goal"]["progress_pct"], 100.0, "share goal progress_pct");
}

// 2. Pace and forecast ----------------------------------------------------

#[test]
fn pace_halfway_through_the_period_follows_the_documented_thresholds() {
    let env = Env::new();
    let db = org_db(&env);
    // 1 November to 1 December is 30 days; 16 November is 15 days in: 50 %.
    let today = "2026-11-16";
    for (key, value, pace) in [
        ("behind", "25", "off-track"),
        ("close", "45", "on-track"),
        ("slipping", "35", "at-risk"),
    ] {
        add_goal(
            &env,
            &db,
            key,
            &[
                "--start",
                "2026-11-01",
                "--due",
                "2026-12-01",
                "--metric",
                "done",
                "--baseline",
                "0",
                "--target",
                "100",
            ],
        );
        env.on(&db, &["--today", today, "checkin", key, value]).ok();
        let v = show(&env, &db, key, Some(today));
        let g = &v["goal"];
        assert_num(&g["expected_pct"], 50.0, &format!("{key} expected_pct"));
        assert_num(
            &g["progress_pct"],
            value.parse().expect("number"),
            &format!("{key} progress_pct"),
        );
        assert_eq!(g["pace"], pace, "{key}: {g}");
        assert_eq!(g["reported"], Value::Null, "{key}: {g}");
    }
}

#[test]
fn pace_on_a_91_day_quarter_uses_whole_days() {
    let env = Env::new();
    let db = org_db(&env);
    add_goal(
        &env,
        &db,
        "q4",
        &[
            "--start",
            "2026-10-01",
            "--due",
            "2026-12-31",
            "--metric",
            "done",
            "--baseline",
            "0",
            "--target",
            "100",
        ],
    );
    env.on(&db, &["--today", "2026-11-15", "checkin", "q4", "30"])
        .ok();
    let v = show(&env, &db, "q4", Some("2026-11-15"));
    // 45 / 91 = 49.45 %; 30 % progress is 19.45 points behind: at-risk.
    let e = v["goal"]["expected_pct"].as_f64().expect("expected_pct");
    assert!((e - 4500.0 / 91.0).abs() < 0.01, "expected_pct {e}");
    assert_eq!(v["goal"]["pace"], "at-risk", "{v}");
}

#[test]
fn forecast_matches_the_worked_examples() {
    let env = Env::new();
    let db = org_db(&env);
    let goal_args = [
        "--start",
        "2026-10-01",
        "--due",
        "2026-12-30",
        "--metric",
        "p95",
        "--unit",
        "ms",
        "--baseline",
        "450",
        "--target",
        "200",
    ];
    add_goal(&env, &db, "trend", &goal_args);
    add_goal(&env, &db, "single", &goal_args);

    // Recorded out of date order: order must not matter.
    for (date, value) in [
        ("2026-11-30", "350"),
        ("2026-10-01", "450"),
        ("2026-10-31", "400"),
    ] {
        env.on(
            &db,
            &[
                "--today",
                "2026-12-01",
                "checkin",
                "trend",
                value,
                "--date",
                date,
            ],
        )
        .ok();
    }
    let v = show(&env, &db, "trend", Some("2026-12-01"));
    let m = measure(&v, "p95");
    assert_num(&m["forecast"], 300.0, "trend forecast");
    assert_eq!(m["forecast_method"], "trend", "{m}");
    assert_num(&m["current"], 350.0, "trend current (latest by date)");
    assert_eq!(m["as_of"], "2026-11-30", "{m}");

    // No check-ins: no forecast.
    let v = show(&env, &db, "single", None);
    let m = measure(&v, "p95");
    assert_eq!(m["forecast"], Value::Null, "{m}");
    assert_eq!(m["current"], Value::Null, "{m}");

    // One check-in: carried forward.
    env.on(&db, &["checkin", "single", "400", "--date", "2026-11-01"])
        .ok();
    let v = show(&env, &db, "single", None);
    let m = measure(&v, "p95");
    assert_num(&m["forecast"], 400.0, "single forecast");
    assert_eq!(m["forecast_method"], "lastvalue", "{m}");
}

// 3. Explicit status ------------------------------------------------------

#[test]
fn explicit_status_is_shown_beside_the_derived_pace_and_status_only_is_accepted() {
    let env = Env::new();
    let db = org_db(&env);
    add_goal(
        &env,
        &db,
        "latency",
        &[
            "--start",
            "2026-11-01",
            "--due",
            "2026-12-01",
            "--metric",
            "p95",
            "--baseline",
            "450",
            "--target",
            "200",
        ],
    );
    let today = "2026-11-16";
    // 70 % progress against 50 % expected: the numbers say on-track…
    env.on(&db, &["--today", today, "checkin", "latency", "275"])
        .ok();
    // …and the owner says at-risk, with no value.
    let out = env.on(
        &db,
        &[
            "--today",
            today,
            "--as",
            "alice",
            "checkin",
            "latency",
            "--status",
            "at-risk",
            "--note",
            "blocked on the DB upgrade",
        ],
    );
    out.ok();
    let v = show(&env, &db, "latency", Some(today));
    assert_eq!(v["goal"]["pace"], "on-track", "{v}");
    assert_eq!(v["goal"]["reported"], "at-risk", "{v}");
    // The status-only check-in did not change the value.
    assert_num(&measure(&v, "p95")["current"], 275.0, "current");

    let rows = checkins(&env, &db);
    assert_eq!(rows.len(), 2, "{rows:?}");
    let status_only = rows
        .iter()
        .find(|c| c["status"] == "at-risk")
        .unwrap_or_else(|| panic!("no at-risk check-in in {rows:?}"));
    assert_eq!(status_only["value"], Value::Null, "{status_only}");
    assert_eq!(status_only["measure"], Value::Null, "{status_only}");
    assert_eq!(status_only["goal"], "latency", "{status_only}");
    assert_eq!(status_only["author"], "alice", "{status_only}");
    assert_eq!(
        status_only["note"], "blocked on the DB upgrade",
        "{status_only}"
    );
}

// 4. Interactive ----------------------------------------------------------

#[test]
fn interactive_checkin_through_a_pseudo_terminal() {
    let env = Env::new();
    let db = org_db(&env);
    add_goal(
        &env,
        &db,
        "latency",
        &[
            "--metric",
            "p95",
            "--unit",
            "ms",
            "--baseline",
            "450",
            "--target",
            "200",
        ],
    );
    env.on(
        &db,
        &[
            "plan",
            "measure",
            "latency",
            "errors",
            "--baseline",
            "5",
            "--target",
            "1",
        ],
    )
    .ok();

    let mut cmd = env.pty_command();
    cmd.args(["--db", s(&db), "--as", "alice", "checkin"]);
    let mut p = rexpect::session::spawn_command(cmd, Some(10_000)).expect("spawn on a pty");
    // The first measure: baseline → current → target, then the value.
    // (rexpect reads the output byte by byte as Latin-1, so only ASCII
    // pieces of the summary line can be matched.)
    p.exp_string("p95: 450 ")
        .expect("measure summary: baseline");
    p.exp_string(" 200 ms").expect("measure summary: target");
    p.exp_string("p95 value").expect("value prompt for p95");
    p.send_line("325").expect("send value");
    p.exp_string("confidence").expect("confidence prompt");
    p.send_line("7").expect("send confidence");
    p.exp_string("note").expect("note prompt");
    p.send_line("cache in front of /search").expect("send note");
    // The second measure is skipped with an empty answer.
    p.exp_string("errors value")
        .expect("value prompt for errors");
    p.send_line("").expect("skip");
    p.exp_string("Save 1 check-in(s) for 2026-11-22")
        .expect("save prompt");
    p.send("y").expect("answer y");
    p.flush().expect("flush");
    p.exp_string("Saved 1 check-in(s)").expect("saved");
    p.exp_eof().expect("exit");

    let rows = checkins(&env, &db);
    assert_eq!(rows.len(), 1, "{rows:?}");
    let c = &rows[0];
    assert_eq!(c["goal"], "latency", "{c}");
    assert_eq!(c["measure"], "p95", "{c}");
    assert_num(&c["value"], 325.0, "value");
    assert_eq!(c["confidence"], 7, "{c}");
    assert_eq!(c["note"], "cache in front of /search", "{c}");
    assert_eq!(c["author"], "alice", "{c}");
    assert_eq!(c["date"], common::TODAY, "{c}");
}

#[test]
fn interactive_checkin_answered_no_saves_nothing() {
    let env = Env::new();
    let db = org_db(&env);
    add_goal(
        &env,
        &db,
        "latency",
        &["--metric", "p95", "--baseline", "450", "--target", "200"],
    );
    let before = std::fs::read(&db).expect("read db");
    let mut cmd = env.pty_command();
    cmd.args(["--db", s(&db), "--as", "alice", "checkin"]);
    let mut p = rexpect::session::spawn_command(cmd, Some(10_000)).expect("spawn on a pty");
    p.exp_string("p95 value").expect("value prompt");
    p.send_line("300").expect("send value");
    p.exp_string("confidence").expect("confidence prompt");
    p.send_line("").expect("skip confidence");
    p.exp_string("note").expect("note prompt");
    p.send_line("").expect("skip note");
    p.exp_string("Save").expect("save prompt");
    p.send("n").expect("answer n");
    p.flush().expect("flush");
    p.exp_string("nothing was saved").expect("cancelled");
    p.exp_eof().expect("exit");
    assert_bytes_unchanged(&db, &before, "declined interactive check-in");
}

#[test]
fn checkin_without_arguments_or_terminal_fails_at_once_naming_goal() {
    let env = Env::new();
    let db = org_db(&env);
    add_goal(
        &env,
        &db,
        "latency",
        &["--metric", "p95", "--baseline", "450", "--target", "200"],
    );
    let before = std::fs::read(&db).expect("read db");
    let t = Instant::now();
    let out = env.on(&db, &["--as", "alice", "checkin"]);
    let took = t.elapsed();
    out.code(2).no_panic().stderr_has("GOAL");
    assert!(
        took < Duration::from_secs(1),
        "`{}` took {took:?}",
        out.line
    );
    assert_bytes_unchanged(&db, &before, "checkin without a terminal");
}

// 5. Due on the demo data -------------------------------------------------

#[test]
fn checkin_due_on_the_demo_lists_exactly_the_stale_measures() {
    let env = Env::new();
    let db = env.db();
    env.run(&["demo", "--db", s(&db)]).ok();

    // Independently: for each measure of an active goal, the responsible
    // person (owner, or the owning team's lead), their cadence (7 unless
    // set), and the days since the last check-in on that measure.
    let conn = rusqlite::Connection::open(&db).expect("open demo db");
    let mut stmt = conn
        .prepare(
            "SELECT COALESCE(p.handle, lead.handle),
                    COALESCE(p.checkin_cadence_days, lead.checkin_cadence_days, 7),
                    g.key, m.name,
                    CAST(julianday(?1) - julianday(
                        (SELECT MAX(c.date) FROM checkin c WHERE c.measure_id = m.id)
                    ) AS INTEGER)
               FROM goal g
               JOIN measure m ON m.goal_id = g.id
               LEFT JOIN person p ON p.id = g.owner_person_id
               LEFT JOIN team t ON t.id = g.owner_team_id
               LEFT JOIN person lead ON lead.id = t.lead_id
              WHERE g.status = 'active'",
        )
        .expect("prepare");
    let mut expected = Vec::new();
    let mut fresh = 0;
    let rows = stmt
        .query_map([common::TODAY], |r| {
            Ok((
                r.get::<_, Option<String>>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<i64>>(4)?,
            ))
        })
        .expect("query");
    for row in rows {
        let (who, cadence, goal, m, days) = row.expect("row");
        let Some(who) = who else { continue };
        if days.is_none_or(|d| d > cadence) {
            expected.push((who, goal, m));
        } else {
            fresh += 1;
        }
    }
    expected.sort();
    drop(stmt);
    drop(conn);

    assert!(!expected.is_empty(), "the demo should have stale measures");
    assert!(fresh > 0, "the demo should have fresh measures too");
    let actual = due_set(&env, &db);
    assert_eq!(actual, expected, "checkin due vs. the independent query");
    // Every row is someone's; no duplicates.
    let unique: BTreeSet<_> = actual.iter().collect();
    assert_eq!(unique.len(), actual.len(), "duplicate rows: {actual:?}");
}

// 6. Bad input ------------------------------------------------------------

/// Run `args`, expect `code`, and check the database is byte-for-byte the same.
#[track_caller]
fn refused(env: &Env, db: &Path, args: &[&str], code: i32) -> Out {
    let before = std::fs::read(db).expect("read db");
    let out = env.on(db, args);
    out.code(code).no_panic();
    assert_bytes_unchanged(db, &before, &out.line);
    out
}

#[test]
fn bad_input_is_exit_2_with_a_clear_message_and_writes_nothing() {
    let env = Env::new();
    let db = org_db(&env);
    add_goal(
        &env,
        &db,
        "two",
        &[
            "--metric",
            "p95 latency",
            "--baseline",
            "450",
            "--target",
            "200",
        ],
    );
    env.on(
        &db,
        &[
            "plan",
            "measure",
            "two",
            "error rate",
            "--baseline",
            "5",
            "--target",
            "1",
        ],
    )
    .ok();
    add_goal(
        &env,
        &db,
        "yn",
        &[
            "--metric",
            "done",
            "--kind",
            "yesno",
            "--baseline",
            "0",
            "--target",
            "1",
        ],
    );
    add_goal(
        &env,
        &db,
        "ms",
        &[
            "--metric",
            "steps",
            "--kind",
            "milestone",
            "--baseline",
            "0",
            "--target",
            "5",
        ],
    );
    add_goal(
        &env,
        &db,
        "pc",
        &[
            "--metric",
            "share",
            "--kind",
            "percent",
            "--baseline",
            "60",
            "--target",
            "80",
        ],
    );
    let list_before = checkin_list(&env, &db);

    refused(&env, &db, &["checkin", "two", "300"], 2)
        .stderr_has("--measure")
        .stderr_has("p95 latency")
        .stderr_has("error rate");
    refused(&env, &db, &["checkin", "yn", "maybe"], 2)
        .stderr_has("maybe")
        .stderr_has("yes");
    refused(&env, &db, &["checkin", "ms", "2.5"], 2)
        .stderr_has("2.5")
        .stderr_has("whole number");
    refused(&env, &db, &["checkin", "ms", "-1"], 2).stderr_has("-1");
    refused(&env, &db, &["checkin", "pc", "101"], 2)
        .stderr_has("101")
        .stderr_has("0–100");
    refused(&env, &db, &["checkin", "pc", "NaN"], 2).stderr_has("NaN");
    refused(&env, &db, &["checkin", "pc", "inf"], 2).stderr_has("inf");
    refused(
        &env,
        &db,
        &[
            "checkin",
            "two",
            "300",
            "--measure",
            "p95 latency",
            "--date",
            "2026/11/22",
        ],
        2,
    )
    .stderr_has("--date")
    .stderr_has("2026/11/22");
    refused(&env, &db, &["checkin", "pc", "70", "--date", "tomorrow"], 2)
        .stderr_has("--date")
        .stderr_has("after today");
    refused(&env, &db, &["checkin", "pc", "70", "--confidence", "11"], 2)
        .stderr_has("--confidence")
        .stderr_has("11");
    refused(&env, &db, &["checkin", "pc", "70", "--status", "great"], 2)
        .stderr_has("great")
        .stderr_has("on-track");
    refused(&env, &db, &["checkin", "two", "300", "--measure", "p99"], 1).stderr_has("p99");
    refused(&env, &db, &["checkin", "nogoal", "5"], 1)
        .stderr_has("no goal")
        .stderr_has("nogoal");
    refused(&env, &db, &["checkin", "nogoal", "--status", "at-risk"], 1).stderr_has("no goal");
    // A goal with nothing to record.
    refused(&env, &db, &["checkin", "pc"], 2).stderr_has("nothing to record");

    assert_eq!(checkin_list(&env, &db), list_before, "no check-in appeared");

    // The same values of the right kind are accepted.
    env.on(&db, &["checkin", "yn", "yes"]).ok();
    env.on(&db, &["checkin", "ms", "3"]).ok();
    env.on(&db, &["checkin", "pc", "100"]).ok();
    env.on(&db, &["checkin", "two", "300", "--measure", "p95 latency"])
        .ok();
    assert_eq!(checkins(&env, &db).len(), 4);
}

// 7. Feedback -------------------------------------------------------------

#[test]
fn private_feedback_is_visible_to_its_author_and_the_subjects_managers() {
    let env = Env::new();
    let db = org_db(&env);
    env.on(
        &db,
        &[
            "--as",
            "bob",
            "feedback",
            "give",
            "alice",
            "The cache design review was excellent",
            "--kind",
            "praise",
        ],
    )
    .ok();
    env.on(
        &db,
        &[
            "--as",
            "bob",
            "feedback",
            "give",
            "alice",
            "Estimates keep slipping",
            "--kind",
            "concern",
            "--private",
        ],
    )
    .ok();
    env.on(
        &db,
        &[
            "--as",
            "carol",
            "feedback",
            "give",
            "alice",
            "Reviews take days",
            "--kind",
            "concern",
            "--private",
        ],
    )
    .ok();

    let texts = |rows: &[Value]| -> BTreeSet<String> {
        rows.iter()
            .map(|r| r["text"].as_str().expect("text").to_string())
            .collect()
    };
    let set = |xs: &[&str]| -> BTreeSet<String> { xs.iter().map(|x| x.to_string()).collect() };

    // The subject sees neither private item, and is not even told they
    // exist (their existence is not the subject's to know).
    let (out, rows) = feedback_as(&env, &db, Some("alice"));
    assert_eq!(
        texts(&rows),
        set(&["The cache design review was excellent"]),
        "{rows:?}"
    );
    assert!(rows.iter().all(|r| r["private"] == false), "{rows:?}");
    assert!(!out.stderr.contains("private"), "{}", out.stderr);

    // The manager sees his own private item and the peer's.
    let (out, rows) = feedback_as(&env, &db, Some("bob"));
    assert_eq!(
        texts(&rows),
        set(&[
            "The cache design review was excellent",
            "Estimates keep slipping",
            "Reviews take days",
        ]),
        "{rows:?}"
    );
    assert!(
        !out.stderr.contains("hidden"),
        "bob should be told nothing is hidden: {}",
        out.stderr
    );

    // The peer sees only her own private item.
    let (out, rows) = feedback_as(&env, &db, Some("carol"));
    assert_eq!(
        texts(&rows),
        set(&["The cache design review was excellent", "Reviews take days"]),
        "{rows:?}"
    );
    out.stderr_has("1 private item(s) hidden");

    // The author field is right.
    let (_, rows) = feedback_as(&env, &db, Some("bob"));
    for r in &rows {
        let from = if r["text"] == "Reviews take days" {
            "carol"
        } else {
            "bob"
        };
        assert_eq!(r["from"], from, "{r}");
        assert_eq!(r["to"], "alice", "{r}");
    }

    // Unknown author → 1; feedback to oneself → 2; nothing written.
    refused(
        &env,
        &db,
        &["--as", "mallory", "feedback", "give", "alice", "hi"],
        1,
    )
    .stderr_has("mallory");
    refused(
        &env,
        &db,
        &["--as", "alice", "feedback", "give", "alice", "well done me"],
        2,
    );
    refused(
        &env,
        &db,
        &["--as", "bob", "feedback", "give", "nobody", "hi"],
        1,
    )
    .stderr_has("nobody");
    let (_, rows) = feedback_as(&env, &db, None);
    assert_eq!(rows.len(), 3, "{rows:?}");
}

// 8. Undo -----------------------------------------------------------------

#[test]
fn undo_reverts_a_checkin_and_a_feedback_exactly() {
    let env = Env::new();
    let db = org_db(&env);
    add_goal(
        &env,
        &db,
        "latency",
        &["--metric", "p95", "--baseline", "450", "--target", "200"],
    );
    env.on(&db, &["checkin", "latency", "400", "--date", "2026-11-01"])
        .ok();
    env.on(&db, &["--as", "bob", "feedback", "give", "alice", "Nice"])
        .ok();

    let checkins_before = checkin_list(&env, &db);
    let shown_before = show(&env, &db, "latency", None);
    env.on(
        &db,
        &[
            "--as",
            "alice",
            "checkin",
            "latency",
            "325",
            "--confidence",
            "6",
            "--note",
            "n",
        ],
    )
    .ok();
    assert_ne!(checkin_list(&env, &db), checkins_before);
    env.on(&db, &["undo", "--yes"]).ok();
    assert_eq!(checkin_list(&env, &db), checkins_before);
    assert_eq!(show(&env, &db, "latency", None), shown_before);

    let (_, feedback_before) = feedback_as(&env, &db, None);
    env.on(
        &db,
        &[
            "--as",
            "bob",
            "feedback",
            "give",
            "alice",
            "Let's talk",
            "--kind",
            "concern",
            "--private",
        ],
    )
    .ok();
    assert_eq!(feedback_as(&env, &db, None).1.len(), 2);
    env.on(&db, &["undo", "--yes"]).ok();
    assert_eq!(feedback_as(&env, &db, None).1, feedback_before);
}

// 9. Edit, rm, cadence ----------------------------------------------------

#[test]
fn edit_and_rm_work_and_are_undoable_and_cadence_changes_due() {
    let env = Env::new();
    let db = org_db(&env);
    add_goal(
        &env,
        &db,
        "latency",
        &["--metric", "p95", "--baseline", "450", "--target", "200"],
    );
    // 10 days before the pinned today (2026-11-22).
    env.on(&db, &["checkin", "latency", "400", "--date", "2026-11-12"])
        .ok();
    let id = newest_checkin_id(&env, &db);
    let before = checkin_list(&env, &db);

    env.on(&db, &["checkin", "edit", &id, "--value", "330"])
        .ok();
    let rows = checkins(&env, &db);
    assert_eq!(rows.len(), 1);
    assert_num(&rows[0]["value"], 330.0, "edited value");
    assert_num(
        &measure(&show(&env, &db, "latency", None), "p95")["current"],
        330.0,
        "current after edit",
    );
    // An edit with a value of the wrong kind is refused.
    refused(&env, &db, &["checkin", "edit", &id, "--value", "NaN"], 2);
    env.on(&db, &["undo", "--yes"]).ok();
    assert_eq!(checkin_list(&env, &db), before, "undo of edit");

    env.on(&db, &["checkin", "rm", &id, "--yes"]).ok();
    assert!(checkins(&env, &db).is_empty());
    refused(&env, &db, &["checkin", "rm", &id, "--yes"], 1);
    env.on(&db, &["undo", "--yes"]).ok();
    assert_eq!(checkin_list(&env, &db), before, "undo of rm");

    // 10 days old: due at the default weekly cadence, not at 14 days.
    let due = vec![(
        "alice".to_string(),
        "latency".to_string(),
        "p95".to_string(),
    )];
    assert_eq!(due_set(&env, &db), due);
    env.on(&db, &["people", "edit", "alice", "--cadence", "14"])
        .ok();
    assert_eq!(due_set(&env, &db), Vec::new());
    let out = env.on(&db, &["checkin", "due", "--format", "json"]);
    out.ok();
    assert_eq!(out.json()["due"], serde_json::json!([]));
    env.on(&db, &["people", "edit", "alice", "--cadence", "9"])
        .ok();
    let out = env.on(&db, &["checkin", "due", "--format", "json"]);
    out.ok();
    let rows = out.json()["due"].as_array().expect("due").clone();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["cadence_days"], 9, "{rows:?}");
    assert_eq!(rows[0]["days_since"], 10, "{rows:?}");
    assert_eq!(rows[0]["last_checkin"], "2026-11-12", "{rows:?}");
}

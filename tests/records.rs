//! Records that hold (issue 14), through the real binary: lawful
//! calibration (5 CFR 430.208(b)(1) and `max_steps`), root goals only in the
//! goals component, frozen records of a finalized cycle, and the merit
//! matrix.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Env, Out, assert_bytes_unchanged, s};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// `lena` leads `core`; ann and bjorn report to her.
const TEAM: &str = r#"
[[team]]
handle = "core"
name = "Core"
lead = "lena"

[[person]]
handle = "lena"
name = "Lena Lead"
team = "core"

[[person]]
handle = "ann"
name = "Ann Anders"
manager = "lena"
team = "core"

[[person]]
handle = "bjorn"
name = "Bjorn Berg"
manager = "lena"
team = "core"
"#;

fn template(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/templates")
        .join(name)
}

/// A goal of `owner` in 2026-H2, with a measure from 0 to 10 unless it
/// has a parent-only roll-up (`measure = false`).
fn goal(key: &str, owner: &str, parent: Option<&str>, measure: bool) -> String {
    let mut g = format!(
        "\n[[goal]]\nkey = \"{key}\"\ntitle = \"Goal {key}\"\nowner = \"{owner}\"\nperiod = \"2026-H2\"\n"
    );
    if let Some(p) = parent {
        g.push_str(&format!("parent = \"{p}\"\n"));
    }
    if measure {
        g.push_str("[[goal.measure]]\nname = \"done\"\nbaseline = 0\ntarget = 10\n");
    }
    g
}

/// The team with `extra` plan text applied.
fn team_db(env: &Env, extra: &str) -> PathBuf {
    let db = env.init_db();
    let file = env.path("team.toml");
    std::fs::write(&file, format!("{TEAM}{extra}")).unwrap();
    env.on(&db, &["plan", "apply", s(&file)]).ok();
    db
}

fn run(env: &Env, db: &Path, args: &[&str]) -> Out {
    let out = env.on(db, args);
    out.ok();
    out
}

/// Run `args`, expect exit `code` with one of `needles` on stderr and the
/// database unchanged byte for byte.
#[track_caller]
fn refused(env: &Env, db: &Path, args: &[&str], code: i32, needles: &[&str]) -> Out {
    let before = std::fs::read(db).unwrap();
    let out = env.on(db, args);
    out.code(code).no_panic();
    out.stderr_has_any(needles);
    assert_bytes_unchanged(db, &before, &out.line);
    out
}

fn show(env: &Env, db: &Path, cycle: &str, subject: &str) -> Value {
    run(
        env,
        db,
        &["appraise", "show", cycle, subject, "--format", "json"],
    )
    .json()
}

fn manager_review(env: &Env, db: &Path, cycle: &str, subject: &str, rates: &[&str]) {
    let mut args = vec![
        "--as", "lena", "appraise", "review", cycle, subject, "--kind", "manager",
    ];
    for r in rates {
        args.extend_from_slice(&["--rate", r]);
    }
    args.push("--submit");
    run(env, db, &args);
}

fn level_of(v: &Value) -> String {
    v.as_str()
        .map(|t| t.split(' ').next().unwrap_or("").to_string())
        .unwrap_or_else(|| v.to_string())
}

// ---------------------------------------------------------------------------
// Lawful calibration.

/// An OPM cycle in calibration: ann has a critical element at Unacceptable
/// (summary Level 1), bjorn only a non-critical one (summary Level 3).
fn opm_calibrating(env: &Env) -> PathBuf {
    let db = team_db(env, "");
    let tpl = template("opm.toml");
    run(
        env,
        &db,
        &[
            "appraise",
            "cycle",
            "new",
            "opm",
            "--period",
            "2026-H2",
            "--person",
            "ann",
            "--person",
            "bjorn",
            "--template",
            s(&tpl),
        ],
    );
    run(env, &db, &["appraise", "cycle", "open", "opm"]);
    manager_review(
        env,
        &db,
        "opm",
        "ann",
        &[
            "mission=4",
            "quality=4",
            "service=4",
            "compliance=1",
            "teamwork=4",
        ],
    );
    manager_review(
        env,
        &db,
        "opm",
        "bjorn",
        &[
            "mission=3",
            "quality=3",
            "service=3",
            "compliance=3",
            "teamwork=1",
        ],
    );
    run(
        env,
        &db,
        &["appraise", "cycle", "calibrate", "opm", "--force"],
    );
    db
}

#[test]
fn calibration_cannot_break_the_opm_critical_element_rule() {
    let env = Env::new();
    let db = opm_calibrating(&env);
    assert_eq!(
        level_of(&show(&env, &db, "opm", "ann")["appraisal"]["level"]),
        "1"
    );

    // Away from Level 1 with a critical element at Unacceptable: refused.
    let out = refused(
        &env,
        &db,
        &[
            "appraise",
            "calibrate",
            "opm",
            "ann",
            "--level",
            "3",
            "--reason",
            "panel",
        ],
        1,
        &["5 CFR 430.208(b)"],
    );
    out.stderr_has("critical element");
    // To Level 1 with only a non-critical element at Unacceptable: refused.
    refused(
        &env,
        &db,
        &[
            "appraise",
            "calibrate",
            "opm",
            "bjorn",
            "--level",
            "1",
            "--reason",
            "panel",
        ],
        1,
        &["5 CFR 430.208(b)"],
    );
    // A lawful calibration goes through.
    run(
        &env,
        &db,
        &[
            "appraise",
            "calibrate",
            "opm",
            "bjorn",
            "--level",
            "4",
            "--reason",
            "panel",
        ],
    );

    run(
        &env,
        &db,
        &["appraise", "cycle", "finalize", "opm", "--force"],
    );
    let rows = run(&env, &db, &["report", "cycle", "opm", "--format", "json"]).json();
    let people = rows["people"].as_array().unwrap();
    let final_of = |who: &str| {
        let r = people.iter().find(|r| r["person"] == who).unwrap();
        level_of(&r["final_level"])
    };
    assert_eq!(final_of("ann"), "1", "{rows}");
    assert_eq!(final_of("bjorn"), "4", "{rows}");
}

#[test]
fn a_template_can_limit_how_far_calibration_moves_a_level() {
    let env = Env::new();
    let db = team_db(&env, "");
    let tpl = env.path("near.toml");
    let text = std::fs::read_to_string(template("default.toml")).unwrap();
    std::fs::write(&tpl, format!("{text}\n[calibration]\nmax_steps = 1\n")).unwrap();
    run(
        &env,
        &db,
        &[
            "appraise",
            "cycle",
            "new",
            "c",
            "--period",
            "2026-H2",
            "--person",
            "ann",
            "--template",
            s(&tpl),
        ],
    );
    run(&env, &db, &["appraise", "cycle", "open", "c"]);
    manager_review(&env, &db, "c", "ann", &["collaboration=3", "ownership=3"]);
    run(
        &env,
        &db,
        &["appraise", "cycle", "calibrate", "c", "--force"],
    );
    refused(
        &env,
        &db,
        &[
            "appraise",
            "calibrate",
            "c",
            "ann",
            "--level",
            "5",
            "--reason",
            "panel",
        ],
        1,
        &["at most 1 level"],
    );
    run(
        &env,
        &db,
        &[
            "appraise",
            "calibrate",
            "c",
            "ann",
            "--level",
            "4",
            "--reason",
            "panel",
        ],
    );
}

// ---------------------------------------------------------------------------
// Root goals only.

#[test]
fn a_subjects_own_sub_goals_count_once_through_their_parent() {
    let env = Env::new();
    // ann's `launch` rolls up her own `launch-api` (done) and `launch-docs`
    // (not started): 50 %. Her `side` goal aligns to lena's goal.
    let plan = [
        goal("team-goal", "lena", None, true),
        goal("launch", "ann", None, false),
        goal("launch-api", "ann", Some("launch"), true),
        goal("launch-docs", "ann", Some("launch"), true),
        goal("side", "ann", Some("team-goal"), true),
    ]
    .concat();
    let db = team_db(&env, &plan);
    run(&env, &db, &["checkin", "launch-api", "10"]);
    run(&env, &db, &["checkin", "launch-docs", "0"]);
    run(&env, &db, &["checkin", "side", "10"]);
    let tpl = template("opm.toml");
    run(
        &env,
        &db,
        &[
            "appraise",
            "cycle",
            "new",
            "c",
            "--period",
            "2026-H2",
            "--person",
            "ann",
            "--template",
            s(&tpl),
        ],
    );
    run(&env, &db, &["appraise", "cycle", "open", "c"]);
    let a = show(&env, &db, "c", "ann");
    let goals: Vec<&str> = a["goals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["goal"].as_str().unwrap())
        .collect();
    assert_eq!(goals, ["launch", "side"], "{a}");
    // OPM maps attainment linearly on 1–5: launch 50 % → 3, side 100 % → 5;
    // the mean is 4. Counting the sub-goals again would give (3+5+1+5)/4 = 3.5.
    let goals_component = a["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["component"] == "goals")
        .unwrap()["value"]
        .clone();
    assert_eq!(goals_component.as_f64(), Some(4.0), "{a}");
    // A sub-goal is not an item a review rates on its own.
    let out = env.on(
        &db,
        &[
            "--as",
            "lena",
            "appraise",
            "review",
            "c",
            "ann",
            "--kind",
            "manager",
            "--rate",
            "launch-api=3",
        ],
    );
    out.code(2);
    out.stderr_has("not an item of this review");
}

// ---------------------------------------------------------------------------
// Frozen records.

const FORMATS: [&str; 7] = ["table", "json", "jsonl", "csv", "tsv", "markdown", "html"];

/// ann's goal `ship` in 2026-Q3 (ended 2026-09-30; today is 2026-11-22),
/// checked in at 3 of 10 within the period.
fn q3_db(env: &Env) -> PathBuf {
    let plan = goal("ship", "ann", None, true).replace("2026-H2", "2026-Q3");
    let db = team_db(env, &plan);
    run(env, &db, &["checkin", "ship", "3", "--date", "2026-09-15"]);
    run(
        env,
        &db,
        &[
            "appraise", "cycle", "new", "q3", "--period", "2026-Q3", "--person", "ann",
        ],
    );
    run(env, &db, &["appraise", "cycle", "open", "q3"]);
    db
}

fn goals_component(v: &Value) -> Option<f64> {
    v["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["component"] == "goals")
        .unwrap()["value"]
        .as_f64()
}

/// Every view of the cycle in every format, as lena (the manager) and ann.
fn every_view(env: &Env, db: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for who in ["lena", "ann"] {
        for f in FORMATS {
            for args in [
                vec!["appraise", "status", "q3"],
                vec!["appraise", "show", "q3", "ann"],
                vec!["report", "cycle", "q3"],
                vec!["report", "person", "ann", "--cycle", "q3"],
            ] {
                if f == "html" && args[0] == "appraise" {
                    continue;
                }
                let mut a = vec!["--as", who];
                a.extend_from_slice(&args);
                a.extend_from_slice(&["--format", f]);
                let o = env.on(db, &a);
                o.ok();
                out.push((a.join(" "), o.stdout.clone().into_bytes()));
            }
        }
    }
    out
}

#[test]
fn a_check_in_dated_after_the_period_does_not_move_an_open_cycle() {
    let env = Env::new();
    let db = q3_db(&env);
    let before = goals_component(&show(&env, &db, "q3", "ann"));
    assert!(before.is_some());
    let out = run(
        &env,
        &db,
        &["checkin", "ship", "10", "--date", "2026-10-05"],
    );
    out.stderr_has("after");
    assert_eq!(goals_component(&show(&env, &db, "q3", "ann")), before);
}

#[test]
fn a_finalized_cycle_holds_still_and_reopening_keeps_the_history() {
    let env = Env::new();
    let db = q3_db(&env);
    manager_review(&env, &db, "q3", "ann", &["collaboration=2", "ship=2"]);
    run(
        &env,
        &db,
        &["appraise", "cycle", "calibrate", "q3", "--force"],
    );
    run(
        &env,
        &db,
        &["appraise", "cycle", "finalize", "q3", "--force"],
    );
    let frozen = every_view(&env, &db);

    // A check-in after the period, and a plan change to the goal's target.
    run(
        &env,
        &db,
        &["checkin", "ship", "10", "--date", "2026-10-05"],
    );
    let plan = goal("ship", "ann", None, true)
        .replace("2026-H2", "2026-Q3")
        .replace("target = 10", "target = 5");
    let file = env.path("change.toml");
    std::fs::write(&file, format!("{TEAM}{plan}")).unwrap();
    run(&env, &db, &["plan", "apply", s(&file)]);
    run(&env, &db, &["checkin", "ship", "4", "--date", "2026-09-20"]);

    for ((what, a), (_, b)) in frozen.iter().zip(every_view(&env, &db)) {
        assert!(
            *a == b,
            "`{what}` changed after finalize:\n--- before\n{}\n--- after\n{}",
            String::from_utf8_lossy(a),
            String::from_utf8_lossy(&b)
        );
    }
    let first = show(&env, &db, "q3", "ann");

    // Reopen and finalize again: a new record, the first one voided.
    run(
        &env,
        &db,
        &[
            "appraise",
            "cycle",
            "reopen",
            "q3",
            "--reason",
            "target corrected",
        ],
    );
    run(
        &env,
        &db,
        &["appraise", "cycle", "finalize", "q3", "--force"],
    );
    let second = show(&env, &db, "q3", "ann");
    let records = second["records"].as_array().unwrap();
    assert_eq!(records.len(), 2, "{second}");
    assert_eq!(records[0]["finalization"], 1);
    assert_eq!(records[0]["void_reason"], "target corrected");
    assert!(records[0]["voided_at"].is_string(), "{second}");
    assert!(records[1]["voided_at"].is_null(), "{second}");
    assert_eq!(records[0]["score"], first["appraisal"]["score"], "{second}");
    // The new record took the corrected target (4 of 5 by the period's end).
    assert_ne!(
        goals_component(&second),
        goals_component(&first),
        "{second}"
    );
    assert_eq!(
        records[1]["score"], second["appraisal"]["score"],
        "{second}"
    );
}

#[test]
fn a_crafted_record_is_refused_with_a_message_not_a_panic() {
    let env = Env::new();
    let db = q3_db(&env);
    run(
        &env,
        &db,
        &["appraise", "cycle", "calibrate", "q3", "--force"],
    );
    run(
        &env,
        &db,
        &["appraise", "cycle", "finalize", "q3", "--force"],
    );
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch(
        "DROP TRIGGER appraisal_record_update; UPDATE appraisal_record SET record = '{\"version\":1}';",
    )
    .unwrap();
    drop(conn);
    let out = env.on(&db, &["appraise", "show", "q3", "ann"]);
    out.code(3).no_panic();
    out.stderr_has("appraisal record");
}

#[test]
fn records_travel_in_exports_and_a_crafted_one_is_refused_on_import() {
    let env = Env::new();
    let db = q3_db(&env);
    run(
        &env,
        &db,
        &["appraise", "cycle", "calibrate", "q3", "--force"],
    );
    run(
        &env,
        &db,
        &["appraise", "cycle", "finalize", "q3", "--force"],
    );
    let file = env.path("all.json");
    run(&env, &db, &["export", "-o", s(&file)]);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("\"table\":\"appraisal_record\""));

    // A copy shows the same record.
    let copy = env.init_db();
    run(&env, &copy, &["import", s(&file)]);
    let a = show(&env, &db, "q3", "ann");
    let b = show(&env, &copy, "q3", "ann");
    assert_eq!(a["appraisal"], b["appraisal"]);
    assert_eq!(a["records"].as_array().unwrap().len(), 1);
    assert_eq!(b["records"], a["records"]);

    // A record this yardstick cannot read is refused, nothing written.
    let crafted = env.path("crafted.json");
    std::fs::write(
        &crafted,
        text.replace("\\\"version\\\":1,", "\\\"version\\\":7,"),
    )
    .unwrap();
    let fresh = env.init_db();
    let out = refused(&env, &fresh, &["import", s(&crafted)], 2, &["record"]);
    out.stderr_has("appraisal record cannot be read");
}

// ---------------------------------------------------------------------------
// The merit matrix.

/// Two teams: lena leads core (ann, bjorn); sam leads sales (kim).
const TWO_TEAMS: &str = r#"
[[team]]
handle = "sales"
name = "Sales"
lead = "sam"

[[person]]
handle = "sam"
name = "Sam Sales"
team = "sales"

[[person]]
handle = "kim"
name = "Kim King"
manager = "sam"
team = "sales"
"#;

fn rewards_db(env: &Env) -> PathBuf {
    let db = team_db(env, TWO_TEAMS);
    run(
        env,
        &db,
        &[
            "appraise", "cycle", "new", "m", "--period", "2026-H2", "--person", "ann", "--person",
            "bjorn", "--person", "kim",
        ],
    );
    run(env, &db, &["appraise", "cycle", "open", "m"]);
    manager_review(env, &db, "m", "ann", &["collaboration=5", "ownership=5"]);
    manager_review(env, &db, "m", "bjorn", &["collaboration=4", "ownership=4"]);
    let mut args = vec![
        "--as", "sam", "appraise", "review", "m", "kim", "--kind", "manager",
    ];
    args.extend_from_slice(&["--rate", "collaboration=3", "--submit"]);
    run(env, &db, &args);
    run(
        env,
        &db,
        &["appraise", "cycle", "calibrate", "m", "--force"],
    );
    run(
        env,
        &db,
        &[
            "appraise",
            "outcome",
            "m",
            "ann",
            "--potential",
            "high",
            "--recommend",
            "promotion",
        ],
    );
    run(
        env,
        &db,
        &["appraise", "outcome", "m", "bjorn", "--recommend", "raise"],
    );
    run(env, &db, &["appraise", "cycle", "finalize", "m", "--force"]);
    db
}

#[test]
fn the_merit_matrix_suggests_rewards_per_person_and_totals_per_team() {
    let env = Env::new();
    let db = rewards_db(&env);
    let v = run(&env, &db, &["report", "cycle", "m", "--format", "json"]).json();
    let people = v["people"].as_array().unwrap();
    let of = |who: &str| people.iter().find(|p| p["person"] == who).unwrap().clone();
    // ann: level 5 with high potential → the row of that potential.
    assert_eq!(of("ann")["raise_pct"], 7.0, "{v}");
    assert_eq!(of("ann")["bonus_pct"], 20.0, "{v}");
    assert_eq!(of("ann")["recommendation"], "promotion", "{v}");
    // bjorn: level 4, no potential → the level's row.
    assert_eq!(of("bjorn")["raise_pct"], 4.0, "{v}");
    assert_eq!(of("bjorn")["recommendation"], "raise", "{v}");
    assert_eq!(of("kim")["raise_pct"], 2.5, "{v}");
    let teams = v["team_rewards"].as_array().unwrap();
    let core = teams.iter().find(|t| t["team"] == "core").unwrap();
    assert_eq!(core["people"], 2);
    assert_eq!(core["raise_pct_total"], 11.0, "{v}");
    assert_eq!(core["raise_pct_mean"], 5.5, "{v}");
    assert_eq!(core["bonus_pct_total"], 28.0, "{v}");
    let sales = teams.iter().find(|t| t["team"] == "sales").unwrap();
    assert_eq!(sales["raise_pct_total"], 2.5, "{v}");

    // The rewards as a spreadsheet: one table per CSV.
    for (part, header) in [
        ("people", "raise_pct,bonus_pct"),
        ("team_rewards", "raise_pct_total,raise_pct_mean"),
    ] {
        let out = run(
            &env,
            &db,
            &["report", "cycle", "m", "--part", part, "--format", "csv"],
        );
        assert!(
            out.stdout.lines().next().unwrap().contains(header),
            "{}",
            out.stdout
        );
    }
    let out = env.on(&db, &["report", "cycle", "m", "--part", "nope"]);
    out.code(2);
    out.stderr_has("team_rewards");

    // A subject sees their own reward once finalized, and not a colleague's.
    let mine = run(
        &env,
        &db,
        &["--as", "kim", "report", "cycle", "m", "--format", "json"],
    )
    .json();
    let rows = mine["people"].as_array().unwrap();
    let row = |who: &str| rows.iter().find(|p| p["person"] == who).cloned();
    assert_eq!(row("kim").unwrap()["raise_pct"], 2.5, "{mine}");
    assert!(
        row("ann").is_none_or(|r| r["raise_pct"].is_null()),
        "{mine}"
    );
}

#[test]
fn a_merit_matrix_that_does_not_fit_the_template_is_refused_with_its_place() {
    let env = Env::new();
    let db = team_db(&env, "");
    let text = std::fs::read_to_string(template("opm.toml")).unwrap();
    for (row, needle) in [
        (
            "level = 9\nraise = 1\nbonus = 1",
            "not a level of the scale",
        ),
        (
            "level = 3\npotential = \"huge\"\nraise = 1\nbonus = 1",
            "potential",
        ),
        ("level = 3\nraise = -1\nbonus = 1", "between 0 and 100"),
        (
            "level = 3\nraise = 1\nbonus = 1\n\n[[merit]]\nlevel = 3\nraise = 2\nbonus = 2",
            "twice",
        ),
    ] {
        let tpl = env.path("bad.toml");
        std::fs::write(&tpl, format!("{text}\n[[merit]]\n{row}\n")).unwrap();
        let out = refused(
            &env,
            &db,
            &[
                "appraise",
                "cycle",
                "new",
                "x",
                "--period",
                "2026-H2",
                "--person",
                "ann",
                "--template",
                s(&tpl),
            ],
            2,
            &[needle],
        );
        out.stderr_has("bad.toml:");
    }
}

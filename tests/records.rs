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

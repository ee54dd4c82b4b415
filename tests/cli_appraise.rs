//! End-to-end tests of `appraise` (issue 4), driving the real binary: a
//! complete cycle for a team of five without a terminal, forcing and
//! reopening, the OPM and Frappe templates, re-normalisation, the
//! interactive review through a pseudo-terminal, bad input and refused
//! states (nothing written), the visibility rules, undo and the demo.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Env, Out, assert_bytes_unchanged, s};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The team of five: `lena` leads team `core`; ann, bjorn, carmen and
/// dmitri report to her. Every member has one goal in 2026-H2 with a
/// measure from 0 to 10.
const TEAM_PLAN: &str = r#"
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
name = "Bjorn Quillfeather"
manager = "lena"
team = "core"

[[person]]
handle = "carmen"
name = "Carmen Zeppelinova"
manager = "lena"
team = "core"

[[person]]
handle = "dmitri"
name = "Dmitri Xylophanes"
manager = "lena"
team = "core"
"#;

/// The members (everyone but the lead).
const MEMBERS: [&str; 4] = ["ann", "bjorn", "carmen", "dmitri"];

/// The default template's competencies.
const COMPETENCIES: [&str; 4] = ["collaboration", "communication", "ownership", "expertise"];

/// Every output format.
const FORMATS: [&str; 6] = ["table", "json", "jsonl", "csv", "tsv", "markdown"];

/// A shipped example template.
fn template(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/templates")
        .join(name)
}

/// A goal owned by `owner` in 2026-H2 with one measure from 0 to 10.
fn goal_toml(key: &str, owner: &str, weight: u32) -> String {
    format!(
        "\n[[goal]]\nkey = \"{key}\"\ntitle = \"Goal {key}\"\nowner = \"{owner}\"\nperiod = \"2026-H2\"\nweight = {weight}\n[[goal.measure]]\nname = \"done\"\nbaseline = 0\ntarget = 10\n"
    )
}

/// A database with the team of five; each member has the goal
/// `MEMBER-goal` checked in at 10 of 10 (attainment 100 %).
fn team_db(env: &Env) -> PathBuf {
    let db = env.init_db();
    let mut plan = TEAM_PLAN.to_string();
    for m in MEMBERS {
        plan.push_str(&goal_toml(&format!("{m}-goal"), m, 1));
    }
    let file = env.path("team.toml");
    std::fs::write(&file, plan).expect("write plan");
    env.on(&db, &["plan", "apply", s(&file)]).ok();
    for m in MEMBERS {
        env.on(&db, &["checkin", &format!("{m}-goal"), "10"]).ok();
    }
    db
}

/// `appraise cycle new NAME --period 2026-H2 --team core [--template T]`.
fn new_cycle(env: &Env, db: &Path, name: &str, tpl: Option<&Path>) {
    let mut args = vec![
        "appraise", "cycle", "new", name, "--period", "2026-H2", "--team", "core",
    ];
    if let Some(t) = tpl {
        args.extend_from_slice(&["--template", s(t)]);
    }
    env.on(db, &args).ok();
}

/// A new cycle on the team, opened.
fn open_cycle(env: &Env, db: &Path, name: &str, tpl: Option<&Path>) {
    new_cycle(env, db, name, tpl);
    env.on(db, &["appraise", "cycle", "open", name]).ok();
}

/// `--as WHO appraise review CYCLE SUBJECT --kind KIND --rate R… [--submit]`.
#[allow(clippy::too_many_arguments)]
fn review(
    env: &Env,
    db: &Path,
    who: &str,
    cycle: &str,
    subject: &str,
    kind: &str,
    rates: &[&str],
    submit: bool,
) -> Out {
    let mut args = vec![
        "--as", who, "appraise", "review", cycle, subject, "--kind", kind,
    ];
    for r in rates {
        args.extend_from_slice(&["--rate", r]);
    }
    if submit {
        args.push("--submit");
    }
    env.on(db, &args)
}

/// `ITEM=LEVEL` for every default competency.
fn all_competencies(level: &str) -> Vec<String> {
    COMPETENCIES
        .iter()
        .map(|c| format!("{c}={level}"))
        .collect()
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// `[--as WHO] appraise show CYCLE SUBJECT --format json`: the run and the document.
fn show_as(env: &Env, db: &Path, who: Option<&str>, cycle: &str, subject: &str) -> (Out, Value) {
    let mut args = Vec::new();
    if let Some(w) = who {
        args.extend_from_slice(&["--as", w]);
    }
    args.extend_from_slice(&["appraise", "show", cycle, subject, "--format", "json"]);
    let out = env.on(db, &args);
    out.ok();
    let v = out.json();
    assert_eq!(v["kind"], "appraisal", "{v}");
    (out, v)
}

fn show(env: &Env, db: &Path, cycle: &str, subject: &str) -> Value {
    show_as(env, db, None, cycle, subject).1
}

/// `appraise status CYCLE --format json`: the participant rows.
fn status(env: &Env, db: &Path, cycle: &str) -> Vec<Value> {
    let out = env.on(db, &["appraise", "status", cycle, "--format", "json"]);
    out.ok();
    out.json()["participants"]
        .as_array()
        .expect("participants array")
        .clone()
}

fn status_of(rows: &[Value], person: &str) -> Value {
    rows.iter()
        .find(|r| r["person"] == person)
        .unwrap_or_else(|| panic!("no status row for {person}: {rows:?}"))
        .clone()
}

/// `appraise cycle show CYCLE --format json`.
fn cycle_show(env: &Env, db: &Path, cycle: &str) -> Value {
    let out = env.on(
        db,
        &["appraise", "cycle", "show", cycle, "--format", "json"],
    );
    out.ok();
    out.json()
}

/// The component `name` of an `appraise show` document.
fn component<'a>(shown: &'a Value, name: &str) -> &'a Value {
    shown["components"]
        .as_array()
        .expect("components array")
        .iter()
        .find(|c| c["component"] == name)
        .unwrap_or_else(|| panic!("no component {name:?} in {shown}"))
}

/// The ratings of `kind` in an `appraise show` document.
fn ratings_of<'a>(shown: &'a Value, kind: &str) -> Vec<&'a Value> {
    shown["ratings"]
        .as_array()
        .expect("ratings array")
        .iter()
        .filter(|r| r["kind"] == kind)
        .collect()
}

/// A number within `tol` of `expected`.
#[track_caller]
fn assert_near(v: &Value, expected: f64, tol: f64, what: &str) {
    let got = v
        .as_f64()
        .unwrap_or_else(|| panic!("{what}: expected the number {expected}, got {v}"));
    assert!(
        (got - expected).abs() <= tol,
        "{what}: expected {expected} (±{tol}), got {got}"
    );
}

/// A level field (`"4 Exceeds expectations"`) has the value `value`.
#[track_caller]
fn assert_level(v: &Value, value: &str, what: &str) {
    let text = v
        .as_str()
        .unwrap_or_else(|| panic!("{what}: expected a level, got {v}"));
    assert!(
        text == value || text.starts_with(&format!("{value} ")),
        "{what}: expected level {value}, got {text:?}"
    );
}

/// Run `args` and check it fails with `code`, mentions `needle`, and
/// leaves the database byte for byte as it was.
#[track_caller]
fn refused(env: &Env, db: &Path, args: &[&str], code: i32, needles: &[&str]) -> Out {
    let before = std::fs::read(db).expect("read db");
    let out = env.on(db, args);
    out.code(code).no_panic();
    out.stderr_has_any(needles);
    assert_bytes_unchanged(db, &before, &out.line);
    out
}

/// Every output format of `args` (a read command) works.
#[track_caller]
fn every_format_works(env: &Env, db: &Path, args: &[&str]) {
    for f in FORMATS {
        let mut all = args.to_vec();
        all.extend_from_slice(&["--format", f]);
        let out = env.on(db, &all);
        out.ok().no_panic();
        assert!(
            !out.stdout.trim().is_empty(),
            "`{}` printed nothing",
            out.line
        );
        match f {
            "json" => {
                out.json();
            }
            "jsonl" => {
                for line in out.stdout.lines().filter(|l| !l.trim().is_empty()) {
                    serde_json::from_str::<Value>(line).unwrap_or_else(|e| {
                        panic!("`{}`: line is not JSON ({e}): {line}", out.line)
                    });
                }
            }
            "csv" => assert!(out.stdout.contains(','), "`{}`: {}", out.line, out.stdout),
            "tsv" => assert!(out.stdout.contains('\t'), "`{}`: {}", out.line, out.stdout),
            "markdown" => assert!(
                out.stdout.contains("| ---") || out.stdout.contains("|---"),
                "`{}`: {}",
                out.line,
                out.stdout
            ),
            _ => {}
        }
    }
}

/// The last entry of a cycle's history.
fn last_event(cycle: &Value) -> Value {
    cycle["history"]
        .as_array()
        .expect("history array")
        .last()
        .expect("a history entry")
        .clone()
}

/// Every required review of the team's cycle `c`, submitted: a self review
/// by each of the five and a manager review by the lead of each member.
fn complete_reviews(env: &Env, db: &Path, c: &str) {
    for who in ["lena", "ann", "bjorn", "carmen", "dmitri"] {
        review(
            env,
            db,
            who,
            c,
            who,
            "self",
            &strs(&all_competencies("3")),
            true,
        )
        .ok();
    }
    for m in MEMBERS {
        review(
            env,
            db,
            "lena",
            c,
            m,
            "manager",
            &strs(&all_competencies("4")),
            true,
        )
        .ok();
    }
}

// ---------------------------------------------------------------------------
// 1. A complete cycle for a team of five, no terminal.

#[test]
fn complete_cycle_for_a_team_of_five() {
    let env = Env::new();
    let db = team_db(&env);
    let c = "H2";
    env.on(
        &db,
        &[
            "appraise", "cycle", "new", c, "--period", "2026-H2", "--team", "core",
        ],
    )
    .ok();
    let cyc = cycle_show(&env, &db, c);
    assert_eq!(cyc["cycle"]["state"], "draft", "{cyc}");
    env.on(&db, &["appraise", "cycle", "open", c]).ok();
    assert_eq!(cycle_show(&env, &db, c)["cycle"]["state"], "open");

    // Self reviews, each by the subject.
    for m in MEMBERS {
        let mut rates = all_competencies("5");
        rates.push(format!("{m}-goal=5"));
        review(&env, &db, m, c, m, "self", &strs(&rates), true).ok();
    }
    review(
        &env,
        &db,
        "lena",
        c,
        "lena",
        "self",
        &strs(&all_competencies("4")),
        true,
    )
    .ok();
    // Manager reviews, by the lead.
    for m in MEMBERS {
        let mut rates = all_competencies("5");
        rates.push(format!("{m}-goal=5"));
        review(&env, &db, "lena", c, m, "manager", &strs(&rates), true).ok();
    }
    // Three peers for ann: the anonymity threshold of 3 is met.
    env.on(
        &db,
        &[
            "appraise", "peers", c, "ann", "--add", "bjorn", "carmen", "dmitri",
        ],
    )
    .ok();
    for p in ["bjorn", "carmen", "dmitri"] {
        review(
            &env,
            &db,
            p,
            c,
            "ann",
            "peer",
            &strs(&all_competencies("4")),
            true,
        )
        .ok();
    }

    // Nothing is missing: the cycle moves on without --force.
    env.on(&db, &["appraise", "cycle", "calibrate", c]).ok();
    let cyc = cycle_show(&env, &db, c);
    assert_eq!(cyc["cycle"]["state"], "calibrating", "{cyc}");
    let ev = last_event(&cyc);
    assert_eq!(ev["from"], "open", "{ev}");
    assert_eq!(ev["to"], "calibrating", "{ev}");
    assert_eq!(ev["forced"], false, "{ev}");

    // ann: goals 5, self 5, manager 5, peers 4 → (40·5 + 10·5 + 40·5 + 10·4) / 100 = 4.9.
    let a = show(&env, &db, c, "ann");
    assert_near(&a["appraisal"]["score"], 4.9, 1e-6, "ann's score");
    assert_near(
        &a["appraisal"]["peer_average"],
        4.0,
        1e-6,
        "ann's peer average",
    );
    assert_near(&component(&a, "peer")["value"], 4.0, 1e-6, "peer component");
    assert_near(
        &component(&a, "goals")["value"],
        5.0,
        1e-6,
        "goals component",
    );
    assert_level(
        &a["appraisal"]["computed_level"],
        "5",
        "ann's computed level",
    );

    // Calibration keeps the computed level beside the calibrated one.
    env.on(
        &db,
        &[
            "appraise",
            "calibrate",
            c,
            "ann",
            "--level",
            "4",
            "--reason",
            "Calibration panel: in line with peers",
        ],
    )
    .ok();
    let a = show(&env, &db, c, "ann");
    let ap = &a["appraisal"];
    assert_level(&ap["calibrated_level"], "4", "calibrated level");
    assert_level(
        &ap["computed_level"],
        "5",
        "computed level after calibration",
    );
    assert_near(&ap["computed_score"], 4.9, 1e-6, "computed score");
    assert_eq!(
        ap["calibration_reason"], "Calibration panel: in line with peers",
        "{ap}"
    );

    // Outcomes.
    env.on(
        &db,
        &[
            "appraise",
            "outcome",
            c,
            "ann",
            "--potential",
            "high",
            "--recommend",
            "promotion",
            "--action",
            "Lead the Q1 launch",
            "--due",
            "2027-03-31",
        ],
    )
    .ok();
    let a = show(&env, &db, c, "ann");
    assert_eq!(a["appraisal"]["potential"], "high", "{a}");
    assert_eq!(a["appraisal"]["recommendation"], "promotion", "{a}");
    let actions = a["actions"].as_array().expect("actions array");
    assert_eq!(actions.len(), 1, "{a}");
    assert_eq!(actions[0]["action"], "Lead the Q1 launch", "{a}");
    assert_eq!(actions[0]["due"], "2027-03-31", "{a}");

    // Finalize and acknowledge.
    env.on(&db, &["appraise", "cycle", "finalize", c]).ok();
    assert_eq!(cycle_show(&env, &db, c)["cycle"]["state"], "finalized");
    env.on(&db, &["--as", "ann", "appraise", "ack", c]).ok();
    let a = show(&env, &db, c, "ann");
    assert!(
        a["appraisal"]["acknowledged_at"].is_string(),
        "acknowledged_at: {a}"
    );

    // Every write into the finalized cycle fails with exit 1 and says why.
    let finalized: [&[&str]; 5] = [
        &[
            "--as",
            "bjorn",
            "appraise",
            "review",
            c,
            "ann",
            "--kind",
            "peer",
            "--rate",
            "collaboration=3",
        ],
        &[
            "--as",
            "lena",
            "appraise",
            "review",
            c,
            "bjorn",
            "--kind",
            "manager",
            "--rate",
            "collaboration=3",
            "--submit",
        ],
        &[
            "appraise",
            "calibrate",
            c,
            "bjorn",
            "--level",
            "3",
            "--reason",
            "late change",
        ],
        &[
            "appraise",
            "outcome",
            c,
            "bjorn",
            "--potential",
            "low",
            "--recommend",
            "none",
        ],
        &["appraise", "peers", c, "bjorn", "--add", "carmen"],
    ];
    for args in finalized {
        refused(&env, &db, args, 1, &["finalized"]);
    }
    // Undo may not reach into a finalized cycle (the ack was the last write).
    refused(&env, &db, &["undo", "--yes"], 1, &["finalized"]);

    // Status at the end.
    let rows = status(&env, &db, c);
    assert_eq!(rows.len(), 5, "{rows:?}");
    for r in &rows {
        assert_eq!(r["self"], "submitted", "{r}");
        if r["person"] != "lena" {
            assert_eq!(r["manager"], "submitted", "{r}");
        }
        assert!(r["score"].is_number(), "score: {r}");
    }
    let ann = status_of(&rows, "ann");
    assert_level(&ann["calibrated"], "4", "ann's calibrated level in status");
    assert_eq!(ann["acknowledged"], true, "{ann}");
    assert_eq!(status_of(&rows, "bjorn")["acknowledged"], false);

    let csv = env.on(&db, &["appraise", "status", c, "--format", "csv"]);
    csv.ok();
    let lines: Vec<&str> = csv.stdout.lines().collect();
    assert_eq!(lines.len(), 6, "header and five rows:\n{}", csv.stdout);
    assert!(lines[0].starts_with("person,"), "{}", csv.stdout);
    let ann_line = lines
        .iter()
        .find(|l| l.starts_with("ann,"))
        .expect("ann's row");
    assert!(ann_line.contains("true"), "ann acknowledged: {ann_line}");

    every_format_works(&env, &db, &["appraise", "status", c]);
    every_format_works(&env, &db, &["appraise", "show", c, "ann"]);
    every_format_works(&env, &db, &["appraise", "cycle", "list"]);
    every_format_works(&env, &db, &["appraise", "cycle", "show", c]);
}

// ---------------------------------------------------------------------------
// 2. Forcing past missing reviews, and reopening.

#[test]
fn missing_reviews_block_moving_on_unless_forced_and_a_forced_cycle_can_be_reopened() {
    let env = Env::new();
    let db = team_db(&env);
    let c = "H2";
    open_cycle(&env, &db, c, None);
    review(
        &env,
        &db,
        "ann",
        c,
        "ann",
        "self",
        &["collaboration=3"],
        true,
    )
    .ok();

    let out = refused(
        &env,
        &db,
        &["appraise", "cycle", "calibrate", c],
        1,
        &["missing"],
    );
    // It lists who is missing what.
    for who in ["bjorn", "carmen", "dmitri", "lena"] {
        out.stderr_has(who);
    }
    out.stderr_has("self review").stderr_has("manager review");
    out.stderr_has("--force");
    assert_eq!(cycle_show(&env, &db, c)["cycle"]["state"], "open");

    let forced = env.on(&db, &["appraise", "cycle", "calibrate", c, "--force"]);
    forced.ok();
    forced.stderr_has("missing");
    let cyc = cycle_show(&env, &db, c);
    assert_eq!(cyc["cycle"]["state"], "calibrating", "{cyc}");
    let ev = last_event(&cyc);
    assert_eq!(ev["to"], "calibrating", "{ev}");
    assert_eq!(ev["forced"], true, "{ev}");

    // Finalizing is blocked by the same missing reviews.
    refused(
        &env,
        &db,
        &["appraise", "cycle", "finalize", c],
        1,
        &["missing"],
    );
    env.on(&db, &["appraise", "cycle", "finalize", c, "--force"])
        .ok();
    let cyc = cycle_show(&env, &db, c);
    assert_eq!(cyc["cycle"]["state"], "finalized");
    assert_eq!(last_event(&cyc)["forced"], true, "{cyc}");
    refused(
        &env,
        &db,
        &[
            "appraise",
            "calibrate",
            c,
            "bjorn",
            "--level",
            "3",
            "--reason",
            "x y",
        ],
        1,
        &["finalized"],
    );

    // Reopen with a reason. `cycle reopen` has no --force, so a cycle that was
    // finalized past missing reviews must still be reopenable.
    env.on(
        &db,
        &[
            "appraise",
            "cycle",
            "reopen",
            c,
            "--reason",
            "Bjorn's manager review came in late",
        ],
    )
    .ok();
    let cyc = cycle_show(&env, &db, c);
    assert_eq!(cyc["cycle"]["state"], "calibrating", "{cyc}");
    let ev = last_event(&cyc);
    assert_eq!(ev["from"], "finalized", "{ev}");
    assert_eq!(ev["reason"], "Bjorn's manager review came in late", "{ev}");
    env.on(
        &db,
        &[
            "appraise",
            "calibrate",
            c,
            "bjorn",
            "--level",
            "3",
            "--reason",
            "after reopening",
        ],
    )
    .ok();
    env.on(
        &db,
        &["appraise", "outcome", c, "bjorn", "--recommend", "raise"],
    )
    .ok();
    let b = show(&env, &db, c, "bjorn");
    assert_level(
        &b["appraisal"]["calibrated_level"],
        "3",
        "calibrated after reopen",
    );
    assert_eq!(b["appraisal"]["recommendation"], "raise", "{b}");
}

#[test]
fn reopen_records_the_reason_and_the_cycle_takes_writes_again() {
    let env = Env::new();
    let db = team_db(&env);
    let c = "H2";
    open_cycle(&env, &db, c, None);
    complete_reviews(&env, &db, c);
    env.on(&db, &["appraise", "cycle", "calibrate", c]).ok();
    env.on(&db, &["appraise", "cycle", "finalize", c]).ok();
    refused(
        &env,
        &db,
        &[
            "appraise",
            "calibrate",
            c,
            "bjorn",
            "--level",
            "3",
            "--reason",
            "x y",
        ],
        1,
        &["finalized"],
    );
    // A reason is required.
    refused(
        &env,
        &db,
        &["appraise", "cycle", "reopen", c],
        2,
        &["--reason"],
    );

    env.on(
        &db,
        &[
            "appraise",
            "cycle",
            "reopen",
            c,
            "--reason",
            "Appeal by bjorn upheld",
        ],
    )
    .ok();
    let cyc = cycle_show(&env, &db, c);
    assert_eq!(cyc["cycle"]["state"], "calibrating", "{cyc}");
    let ev = last_event(&cyc);
    assert_eq!(ev["from"], "finalized", "{ev}");
    assert_eq!(ev["to"], "calibrating", "{ev}");
    assert_eq!(ev["reason"], "Appeal by bjorn upheld", "{ev}");
    env.on(
        &db,
        &[
            "appraise",
            "calibrate",
            c,
            "bjorn",
            "--level",
            "5",
            "--reason",
            "after the appeal",
        ],
    )
    .ok();
    env.on(
        &db,
        &["appraise", "outcome", c, "bjorn", "--recommend", "raise"],
    )
    .ok();
    let b = show(&env, &db, c, "bjorn");
    assert_level(
        &b["appraisal"]["calibrated_level"],
        "5",
        "calibrated after reopen",
    );
    assert_eq!(b["appraisal"]["recommendation"], "raise", "{b}");
    // And it can be finalized again.
    env.on(&db, &["appraise", "cycle", "finalize", c]).ok();
    assert_eq!(cycle_show(&env, &db, c)["cycle"]["state"], "finalized");
}

// ---------------------------------------------------------------------------
// 3. The OPM critical-element rule.

#[test]
fn opm_critical_element_rated_unacceptable_gives_unacceptable() {
    let env = Env::new();
    let db = team_db(&env);
    let c = "opm";
    open_cycle(&env, &db, c, Some(&template("opm.toml")));
    // ann: four critical elements 4, 4, 4, 1 (and the non-critical at 4).
    review(
        &env,
        &db,
        "lena",
        c,
        "ann",
        "manager",
        &[
            "mission=4",
            "quality=4",
            "service=4",
            "compliance=1",
            "teamwork=4",
        ],
        true,
    )
    .ok();
    // bjorn: the non-critical element at 1, every critical element at 3.
    review(
        &env,
        &db,
        "lena",
        c,
        "bjorn",
        "manager",
        &[
            "mission=3",
            "quality=3",
            "service=3",
            "compliance=3",
            "teamwork=1",
        ],
        true,
    )
    .ok();
    // carmen: the non-critical element at 1, critical at 3 and above.
    review(
        &env,
        &db,
        "lena",
        c,
        "carmen",
        "manager",
        &[
            "mission=5",
            "quality=4",
            "service=3",
            "compliance=3",
            "teamwork=Unacceptable",
        ],
        true,
    )
    .ok();

    let a = show(&env, &db, c, "ann");
    assert_level(&a["appraisal"]["level"], "1", "ann's summary level");
    assert!(
        a["appraisal"]["level"]
            .as_str()
            .unwrap()
            .contains("Unacceptable"),
        "{a}"
    );
    assert_eq!(a["appraisal"]["critical_failure"], true, "{a}");
    assert_near(&a["appraisal"]["score"], 3.4, 1e-6, "ann's score");

    let b = show(&env, &db, c, "bjorn");
    assert_level(&b["appraisal"]["level"], "3", "bjorn's summary level");
    assert_eq!(b["appraisal"]["critical_failure"], false, "{b}");
    assert_near(&b["appraisal"]["score"], 2.6, 1e-6, "bjorn's score");

    let k = show(&env, &db, c, "carmen");
    assert_eq!(k["appraisal"]["critical_failure"], false, "{k}");
    assert!(
        !k["appraisal"]["level"].as_str().unwrap().starts_with("1 "),
        "a non-critical element cannot cause Unacceptable: {k}"
    );

    let rows = status(&env, &db, c);
    assert_level(&status_of(&rows, "ann")["level"], "1", "ann in status");
    assert_level(&status_of(&rows, "bjorn")["level"], "3", "bjorn in status");
    assert!(
        !status_of(&rows, "carmen")["level"]
            .as_str()
            .unwrap()
            .starts_with("1 "),
        "{rows:?}"
    );
}

// ---------------------------------------------------------------------------
// 4. Frappe HRMS's published numbers.

#[test]
fn frappe_template_reproduces_the_published_example() {
    let env = Env::new();
    let db = env.init_db();
    let mut plan = String::from(
        "[[person]]\nhandle = \"lena\"\nname = \"Lena Lead\"\n\
         [[person]]\nhandle = \"fay\"\nname = \"Fay Fenwick\"\nmanager = \"lena\"\n\
         [[person]]\nhandle = \"pat\"\nname = \"Pat Peerless\"\nmanager = \"lena\"\n",
    );
    plan.push_str(&goal_toml("kra-one", "fay", 30));
    plan.push_str(&goal_toml("kra-two", "fay", 70));
    let file = env.path("frappe-plan.toml");
    std::fs::write(&file, plan).expect("write plan");
    env.on(&db, &["plan", "apply", s(&file)]).ok();
    env.on(&db, &["checkin", "kra-one", "10"]).ok(); // 100 %
    env.on(&db, &["checkin", "kra-two", "6"]).ok(); // 60 %

    let c = "frappe";
    let tpl = template("frappe.toml");
    env.on(
        &db,
        &[
            "appraise",
            "cycle",
            "new",
            c,
            "--period",
            "2026-H2",
            "--person",
            "fay",
            "--template",
            s(&tpl),
        ],
    )
    .ok();
    env.on(&db, &["appraise", "cycle", "open", c]).ok();
    review(
        &env,
        &db,
        "fay",
        c,
        "fay",
        "self",
        &["work=4", "teamwork=3.5"],
        true,
    )
    .ok();

    // No feedback yet: the missing part counts as zero.
    let f = show(&env, &db, c, "fay");
    let goal_pcts: Vec<f64> = f["goals"]
        .as_array()
        .expect("goals array")
        .iter()
        .map(|g| g["attainment_pct"].as_f64().expect("attainment"))
        .collect();
    assert_eq!(goal_pcts.len(), 2, "{f}");
    assert_near(
        &component(&f, "goals")["value"],
        3.6,
        1e-6,
        "goal component",
    );
    assert_near(
        &component(&f, "self")["value"],
        3.85,
        1e-6,
        "self component",
    );
    assert!(component(&f, "peer")["value"].is_null(), "{f}");
    assert_near(
        &f["appraisal"]["score"],
        2.483,
        0.001,
        "score without feedback",
    );

    // One feedback scoring 3.85.
    env.on(&db, &["appraise", "peers", c, "fay", "--add", "pat"])
        .ok();
    review(
        &env,
        &db,
        "pat",
        c,
        "fay",
        "peer",
        &["work=4", "teamwork=3.5"],
        true,
    )
    .ok();
    let f = show(&env, &db, c, "fay");
    assert_near(
        &component(&f, "goals")["value"],
        3.6,
        1e-6,
        "goal component",
    );
    assert_near(
        &component(&f, "self")["value"],
        3.85,
        1e-6,
        "self component",
    );
    assert_near(
        &component(&f, "peer")["value"],
        3.85,
        1e-6,
        "peer component",
    );
    assert_near(&f["appraisal"]["score"], 3.767, 0.001, "final score");
    assert_level(&f["appraisal"]["level"], "3", "Frappe band");
}

// ---------------------------------------------------------------------------
// 5. Re-normalisation with the default template.

#[test]
fn missing_components_are_renormalised_by_default() {
    let env = Env::new();
    let db = team_db(&env);
    let c = "H2";
    open_cycle(&env, &db, c, None);
    review(
        &env,
        &db,
        "lena",
        c,
        "ann",
        "manager",
        &strs(&all_competencies("5")),
        true,
    )
    .ok();
    let a = show(&env, &db, c, "ann");
    assert_near(&a["appraisal"]["score"], 5.0, 1e-9, "score (not 4 or 3.33)");
    assert_level(&a["appraisal"]["level"], "5", "level");
    assert!(component(&a, "self")["value"].is_null(), "{a}");
    assert!(component(&a, "peer")["value"].is_null(), "{a}");
    assert_near(
        &component(&a, "goals")["effective_weight"],
        50.0,
        1e-6,
        "goals eff",
    );
    assert_near(
        &component(&a, "manager")["effective_weight"],
        50.0,
        1e-6,
        "manager eff",
    );
    assert_near(
        &component(&a, "self")["effective_weight"],
        0.0,
        1e-9,
        "self eff",
    );
    assert_near(
        &component(&a, "peer")["effective_weight"],
        0.0,
        1e-9,
        "peer eff",
    );
}

// ---------------------------------------------------------------------------
// 6. The interactive review through a pseudo-terminal.

const UP: &str = "\x1b[A";
const ENTER: &str = "\r";

/// Wait for a Select prompt for `item`, then press Up `ups` times and Enter.
fn pick(p: &mut rexpect::session::PtySession, item: &str, ups: usize) {
    p.exp_string(&format!("({item})"))
        .unwrap_or_else(|e| panic!("select prompt for {item}: {e}"));
    p.exp_string("skip")
        .unwrap_or_else(|e| panic!("choices for {item}: {e}"));
    std::thread::sleep(Duration::from_millis(50));
    for _ in 0..ups {
        p.send(UP).expect("send up");
    }
    p.send(ENTER).expect("send enter");
    p.flush().expect("flush");
}

fn answer_comment(p: &mut rexpect::session::PtySession, text: &str) {
    p.exp_string("comment (empty for none)")
        .expect("comment prompt");
    p.send(text).expect("send comment");
    p.send(ENTER).expect("enter");
    p.flush().expect("flush");
}

#[test]
fn interactive_review_through_a_pseudo_terminal() {
    let env = Env::new();
    let db = team_db(&env);
    let c = "H2";
    open_cycle(&env, &db, c, None);

    let mut cmd = env.pty_command();
    cmd.args([
        "--db",
        s(&db),
        "--as",
        "ann",
        "appraise",
        "review",
        c,
        "ann",
        "--kind",
        "self",
    ]);
    let mut p = rexpect::session::spawn_command(cmd, Some(10_000)).expect("spawn on a pty");
    // Choices: 1 … 5, then "skip" (the default). Up once is 5, twice 4, three times 3.
    pick(&mut p, "ann-goal", 1);
    answer_comment(&mut p, "shipped all ten");
    pick(&mut p, "collaboration", 2);
    answer_comment(&mut p, "");
    pick(&mut p, "communication", 0); // skipped: no comment prompt
    pick(&mut p, "ownership", 3);
    answer_comment(&mut p, "owned the rollout");
    pick(&mut p, "expertise", 0);
    p.exp_string("overall comment")
        .expect("overall comment prompt");
    p.send("A strong half").expect("send summary");
    p.send(ENTER).expect("enter");
    p.flush().expect("flush");
    p.exp_string("Submit").expect("submit confirmation");
    p.send("y").expect("answer y");
    p.flush().expect("flush");
    p.exp_string("Submitted the self review of ann")
        .expect("submitted");
    p.exp_eof().expect("exit");

    let rows = status(&env, &db, c);
    assert_eq!(status_of(&rows, "ann")["self"], "submitted", "{rows:?}");
    let (_, a) = show_as(&env, &db, Some("ann"), c, "ann");
    let mine = ratings_of(&a, "self");
    let find = |item: &str| mine.iter().find(|r| r["item"] == item).copied();
    let g = find("ann-goal").expect("ann-goal rated");
    assert_level(&g["rating"], "5", "ann-goal");
    assert_eq!(g["comment"], "shipped all ten", "{g}");
    assert_eq!(g["state"], "submitted", "{g}");
    let col = find("collaboration").expect("collaboration rated");
    assert_level(&col["rating"], "4", "collaboration");
    assert!(col["comment"].is_null(), "{col}");
    let own = find("ownership").expect("ownership rated");
    assert_level(&own["rating"], "3", "ownership");
    assert_eq!(own["comment"], "owned the rollout", "{own}");
    for skipped in ["communication", "expertise"] {
        assert!(
            find(skipped).is_none_or(|r| r["rating"].is_null()),
            "{skipped} was skipped: {mine:?}"
        );
    }
    // The subject sees no component before the cycle is finalized.
    assert!(component(&a, "self")["value"].is_null(), "{a}");
    // The self review's score (as the file's owner sees it): the goal
    // weighs 100 (ann's only goal), each competency 25:
    // (100·5 + 25·4 + 25·3) / 150 = 4.5.
    let a = show(&env, &db, c, "ann");
    assert_near(
        &component(&a, "self")["value"],
        (100.0 * 5.0 + 25.0 * 4.0 + 25.0 * 3.0) / 150.0,
        1e-3,
        "self component",
    );
}

#[test]
fn review_without_ratings_and_without_a_terminal_names_rate() {
    let env = Env::new();
    let db = team_db(&env);
    let c = "H2";
    open_cycle(&env, &db, c, None);
    let before = std::fs::read(&db).expect("read db");
    let start = Instant::now();
    let out = env.on(
        &db,
        &[
            "--as", "ann", "appraise", "review", c, "ann", "--kind", "self",
        ],
    );
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "took {:?}",
        start.elapsed()
    );
    out.code(2).no_panic().stderr_has("--rate");
    assert_bytes_unchanged(&db, &before, &out.line);
}

// ---------------------------------------------------------------------------
// 7. Bad input (exit 2) and refused states (exit 1): nothing written.

#[test]
fn bad_input_exits_2_and_writes_nothing() {
    let env = Env::new();
    let db = team_db(&env);
    let c = "H2";
    open_cycle(&env, &db, c, None);
    let base = [
        "--as", "ann", "appraise", "review", c, "ann", "--kind", "self",
    ];
    let with = |extra: &[&'static str]| -> Vec<&str> {
        let mut v = base.to_vec();
        v.extend_from_slice(extra);
        v
    };
    // A level outside the scale, with a hint listing the levels.
    let out = refused(
        &env,
        &db,
        &with(&["--rate", "collaboration=7", "--submit"]),
        2,
        &["7"],
    );
    out.stderr_has_any(&["Outstanding", "1, 2, 3, 4, 5", "level"]);
    refused(
        &env,
        &db,
        &with(&["--rate", "collaboration=NaN"]),
        2,
        &["nan"],
    );
    refused(
        &env,
        &db,
        &with(&["--rate", "collaboration=inf"]),
        2,
        &["inf"],
    );
    refused(
        &env,
        &db,
        &with(&["--rate", "collaboration=3.5"]),
        2,
        &["3.5"],
    );
    refused(&env, &db, &with(&["--rate", "nosuch=3"]), 2, &["nosuch"]).stderr_has("collaboration");
    refused(
        &env,
        &db,
        &with(&["--rate", "collaboration"]),
        2,
        &["ITEM=", "="],
    );
    refused(
        &env,
        &db,
        &with(&["--rate", "collaboration=4", "--rate", "=4"]),
        2,
        &["ITEM="],
    );
    refused(
        &env,
        &db,
        &[
            "--as",
            "ann",
            "appraise",
            "review",
            c,
            "ann",
            "--kind",
            "sideways",
            "--rate",
            "collaboration=3",
        ],
        2,
        &["sideways"],
    );
    refused(
        &env,
        &db,
        &["appraise", "cycle", "new", "T", "--period", "2026-H2"],
        2,
        &["participant", "--team"],
    );

    // Malformed templates: FILE:LINE:COL and no cycle created.
    let default = std::fs::read_to_string(template("default.toml")).expect("default template");
    let syntax = env.path("syntax.toml");
    std::fs::write(&syntax, "name = \"X\"\n[scale\nlevels = []\n").unwrap();
    let unknown = env.path("unknown.toml");
    std::fs::write(&unknown, default.replace("\nmanager = 40", "\nmanger = 40")).unwrap();
    let weights = env.path("weights.toml");
    std::fs::write(
        &weights,
        default.replace("\nmanager = 40", "\nmanager = 30"),
    )
    .unwrap();
    for (file, needle) in [
        (&syntax, "syntax.toml:2:"),
        (&unknown, "unknown.toml:"),
        (&weights, "weights.toml:"),
    ] {
        let out = refused(
            &env,
            &db,
            &[
                "appraise",
                "cycle",
                "new",
                "T",
                "--period",
                "2026-H2",
                "--team",
                "core",
                "--template",
                s(file),
            ],
            2,
            &[needle],
        );
        assert_file_line_col(&out.stderr, file.file_name().unwrap().to_str().unwrap());
        if file == &unknown {
            out.stderr_has("manger");
        }
        if file == &weights {
            out.stderr_has("90").stderr_has("100");
        }
    }
    let list = env.on(&db, &["appraise", "cycle", "list", "--format", "json"]);
    list.ok();
    assert_eq!(
        list.json()["cycles"].as_array().expect("cycles").len(),
        1,
        "{}",
        list.stdout
    );
}

/// `stderr` holds `NAME:LINE:COL:` with numbers for LINE and COL.
#[track_caller]
fn assert_file_line_col(stderr: &str, name: &str) {
    let at = stderr
        .find(&format!("{name}:"))
        .unwrap_or_else(|| panic!("no {name}: in {stderr}"));
    let rest = &stderr[at + name.len() + 1..];
    let parts: Vec<&str> = rest.splitn(3, ':').collect();
    assert!(
        parts.len() == 3
            && !parts[0].is_empty()
            && parts[0].chars().all(|c| c.is_ascii_digit())
            && !parts[1].is_empty()
            && parts[1].chars().all(|c| c.is_ascii_digit()),
        "expected {name}:LINE:COL in {stderr}"
    );
}

#[test]
fn refused_states_exit_1_and_write_nothing() {
    let env = Env::new();
    let db = team_db(&env);
    let c = "H2";
    // A review in a draft cycle.
    new_cycle(&env, &db, c, None);
    refused(
        &env,
        &db,
        &[
            "--as",
            "ann",
            "appraise",
            "review",
            c,
            "ann",
            "--kind",
            "self",
            "--rate",
            "collaboration=3",
        ],
        1,
        &["draft"],
    );
    env.on(&db, &["appraise", "cycle", "open", c]).ok();

    // The subject reviewing themself as manager.
    refused(
        &env,
        &db,
        &[
            "--as",
            "ann",
            "appraise",
            "review",
            c,
            "ann",
            "--kind",
            "manager",
            "--rate",
            "collaboration=3",
        ],
        1,
        &["manager"],
    );
    // Somebody else writing ann's self review.
    refused(
        &env,
        &db,
        &[
            "--as",
            "bjorn",
            "appraise",
            "review",
            c,
            "ann",
            "--kind",
            "self",
            "--rate",
            "collaboration=3",
        ],
        1,
        &["self review"],
    );
    // A second self review after submission.
    review(
        &env,
        &db,
        "ann",
        c,
        "ann",
        "self",
        &["collaboration=3"],
        true,
    )
    .ok();
    refused(
        &env,
        &db,
        &[
            "--as",
            "ann",
            "appraise",
            "review",
            c,
            "ann",
            "--kind",
            "self",
            "--rate",
            "communication=4",
            "--submit",
        ],
        1,
        &["already submitted"],
    );
    // A peer who was not nominated.
    refused(
        &env,
        &db,
        &[
            "--as",
            "bjorn",
            "appraise",
            "review",
            c,
            "ann",
            "--kind",
            "peer",
            "--rate",
            "collaboration=3",
        ],
        1,
        &["not nominated"],
    );
    // Calibration and outcomes need a calibrating cycle.
    refused(
        &env,
        &db,
        &[
            "appraise",
            "calibrate",
            c,
            "ann",
            "--level",
            "3",
            "--reason",
            "too soon",
        ],
        1,
        &["open"],
    );
    // A write into a finalized cycle.
    env.on(&db, &["appraise", "cycle", "calibrate", c, "--force"])
        .ok();
    env.on(&db, &["appraise", "cycle", "finalize", c, "--force"])
        .ok();
    refused(
        &env,
        &db,
        &[
            "--as",
            "lena",
            "appraise",
            "review",
            c,
            "ann",
            "--kind",
            "manager",
            "--rate",
            "collaboration=3",
        ],
        1,
        &["finalized"],
    );
    refused(
        &env,
        &db,
        &["appraise", "outcome", c, "ann", "--recommend", "bonus"],
        1,
        &["finalized"],
    );
    refused(
        &env,
        &db,
        &["appraise", "cycle", "finalize", c, "--force"],
        1,
        &["finalized"],
    );
}

#[test]
fn a_saved_draft_is_submitted_later_with_submit_alone() {
    let env = Env::new();
    let db = team_db(&env);
    let c = "H2";
    open_cycle(&env, &db, c, None);
    review(
        &env,
        &db,
        "ann",
        c,
        "ann",
        "self",
        &["collaboration=4"],
        false,
    )
    .ok();
    assert_eq!(status_of(&status(&env, &db, c), "ann")["self"], "pending");
    // "drafts can be saved and completed later": --submit on its own submits
    // the draft as it stands.
    review(&env, &db, "ann", c, "ann", "self", &[], true).ok();
    assert_eq!(status_of(&status(&env, &db, c), "ann")["self"], "submitted");
}

// ---------------------------------------------------------------------------
// 8. Visibility: self and manager hidden from each other; peers anonymous.

#[test]
fn self_and_manager_reviews_hidden_until_both_submitted_and_peers_anonymous() {
    let env = Env::new();
    let db = team_db(&env);
    let c = "H2";
    open_cycle(&env, &db, c, None);
    env.on(
        &db,
        &[
            "--as",
            "ann",
            "appraise",
            "review",
            c,
            "ann",
            "--kind",
            "self",
            "--rate",
            "collaboration=3",
            "--comment",
            "collaboration=SELFSECRET",
            "--submit",
        ],
    )
    .ok();
    // The manager's review, saved as a draft (not submitted).
    env.on(
        &db,
        &[
            "--as",
            "lena",
            "appraise",
            "review",
            c,
            "ann",
            "--kind",
            "manager",
            "--rate",
            "collaboration=5",
            "--comment",
            "collaboration=MGRSECRET",
        ],
    )
    .ok();

    let (out, a) = show_as(&env, &db, Some("ann"), c, "ann");
    assert!(ratings_of(&a, "manager").is_empty(), "{a}");
    assert!(!out.stdout.contains("MGRSECRET"), "{}", out.stdout);
    out.stderr_has("hidden");
    let table = env.on(
        &db,
        &[
            "--as", "ann", "appraise", "show", c, "ann", "--format", "table",
        ],
    );
    table.ok();
    assert!(!table.stdout.contains("MGRSECRET"), "{}", table.stdout);
    // And the manager does not see the self review yet.
    let (out, a) = show_as(&env, &db, Some("lena"), c, "ann");
    assert!(ratings_of(&a, "self").is_empty(), "{a}");
    assert!(!out.stdout.contains("SELFSECRET"), "{}", out.stdout);
    out.stderr_has("hidden");

    review(
        &env,
        &db,
        "lena",
        c,
        "ann",
        "manager",
        &["communication=4"],
        true,
    )
    .ok();
    let (out, a) = show_as(&env, &db, Some("ann"), c, "ann");
    let mgr = ratings_of(&a, "manager");
    assert!(
        mgr.iter().any(|r| r["item"] == "collaboration"),
        "manager ratings visible after both: {a}"
    );
    assert!(out.stdout.contains("MGRSECRET"), "{}", out.stdout);
    let (out, _) = show_as(&env, &db, Some("lena"), c, "ann");
    assert!(out.stdout.contains("SELFSECRET"), "{}", out.stdout);

    // Peers: three reviews (threshold met); their names never show.
    env.on(
        &db,
        &[
            "appraise", "peers", c, "ann", "--add", "bjorn", "carmen", "dmitri",
        ],
    )
    .ok();
    for p in ["bjorn", "carmen", "dmitri"] {
        env.on(
            &db,
            &[
                "--as",
                p,
                "appraise",
                "review",
                c,
                "ann",
                "--kind",
                "peer",
                "--rate",
                "collaboration=2",
                "--comment",
                &format!("collaboration=PEERNOTE-{p}"),
                "--submit",
            ],
        )
        .ok();
    }
    let secret = [
        "bjorn",
        "Bjorn",
        "Quillfeather",
        "carmen",
        "Carmen",
        "Zeppelinova",
        "dmitri",
        "Dmitri",
        "Xylophanes",
        "PEERNOTE",
    ];
    // The subject and the manager never see who wrote them; the file's
    // owner (no `me`, no --as: an admin) sees them whole.
    for who in ["ann", "lena"] {
        for f in FORMATS {
            let args = ["--as", who, "appraise", "show", c, "ann", "--format", f];
            let out = env.on(&db, &args);
            out.ok();
            for n in secret {
                assert!(
                    !out.stdout.contains(n) && !out.stderr.contains(n),
                    "`{}` reveals {n:?}\n--- stdout\n{}\n--- stderr\n{}",
                    out.line,
                    out.stdout,
                    out.stderr
                );
            }
        }
    }
    let (whole, _) = show_as(&env, &db, None, c, "ann");
    assert!(
        whole.stdout.contains("PEERNOTE-bjorn") && whole.stdout.contains("bjorn"),
        "an admin sees peer reviews whole: {}",
        whole.stdout
    );
    // The average still counts.
    let a = show(&env, &db, c, "ann");
    assert_near(&a["appraisal"]["peer_average"], 2.0, 1e-6, "peer average");
}

// ---------------------------------------------------------------------------
// 9. Undo of appraisal writes.

#[test]
fn undo_reverts_a_review_submission_and_a_calibration() {
    let env = Env::new();
    let db = team_db(&env);
    let c = "H2";
    open_cycle(&env, &db, c, None);

    let before = show(&env, &db, c, "ann");
    review(
        &env,
        &db,
        "ann",
        c,
        "ann",
        "self",
        &["collaboration=2", "ann-goal=4"],
        true,
    )
    .ok();
    let after = show(&env, &db, c, "ann");
    assert_ne!(before, after, "the submission changes the appraisal");
    env.on(&db, &["undo", "--yes"]).ok();
    assert_eq!(show(&env, &db, c, "ann"), before, "undo of the submission");
    assert_eq!(status_of(&status(&env, &db, c), "ann")["self"], "none");

    // Peer nomination and a draft save, then undo both.
    let before = show(&env, &db, c, "ann");
    env.on(&db, &["appraise", "peers", c, "ann", "--add", "bjorn"])
        .ok();
    review(
        &env,
        &db,
        "bjorn",
        c,
        "ann",
        "peer",
        &["collaboration=3"],
        false,
    )
    .ok();
    env.on(&db, &["undo", "--yes"]).ok();
    env.on(&db, &["undo", "--yes"]).ok();
    assert_eq!(show(&env, &db, c, "ann"), before, "undo of peers + draft");
    refused(
        &env,
        &db,
        &[
            "--as",
            "bjorn",
            "appraise",
            "review",
            c,
            "ann",
            "--kind",
            "peer",
            "--rate",
            "collaboration=3",
        ],
        1,
        &["not nominated"],
    );

    // A calibration.
    env.on(&db, &["appraise", "cycle", "calibrate", c, "--force"])
        .ok();
    let before = show(&env, &db, c, "ann");
    env.on(
        &db,
        &[
            "appraise",
            "calibrate",
            c,
            "ann",
            "--level",
            "2",
            "--reason",
            "panel view",
        ],
    )
    .ok();
    let after = show(&env, &db, c, "ann");
    assert_ne!(before, after, "the calibration changes the appraisal");
    env.on(&db, &["undo", "--yes"]).ok();
    assert_eq!(show(&env, &db, c, "ann"), before, "undo of the calibration");
}

// ---------------------------------------------------------------------------
// 10. The demo.

#[test]
fn demo_holds_a_finalized_and_an_open_cycle() {
    let env = Env::new();
    let db = env.db();
    env.run(&["demo", "--db", s(&db)]).ok();
    let out = env.on(&db, &["appraise", "cycle", "list", "--format", "json"]);
    out.ok();
    let cycles = out.json()["cycles"].as_array().expect("cycles").clone();
    assert_eq!(cycles.len(), 2, "{cycles:?}");
    let by_state =
        |st: &str| -> Vec<&Value> { cycles.iter().filter(|c| c["state"] == st).collect() };
    assert_eq!(by_state("finalized").len(), 1, "{cycles:?}");
    assert_eq!(by_state("open").len(), 1, "{cycles:?}");

    let fin = by_state("finalized")[0]["id"].to_string();
    let rows = status(&env, &db, &fin);
    assert!(!rows.is_empty());
    let calibrated: Vec<&Value> = rows.iter().filter(|r| !r["calibrated"].is_null()).collect();
    assert!(!calibrated.is_empty(), "a calibrated level: {rows:?}");
    let who = calibrated[0]["person"].as_str().unwrap().to_string();
    let shown = show(&env, &db, &fin, &who);
    assert!(!shown["appraisal"]["computed_level"].is_null(), "{shown}");
    assert!(!shown["appraisal"]["calibrated_level"].is_null(), "{shown}");
    // Outcomes: a recommendation, a potential and a development action somewhere.
    let mut recommended = false;
    let mut potential = false;
    let mut actions = false;
    for r in &rows {
        let v = show(&env, &db, &fin, r["person"].as_str().unwrap());
        recommended |= v["appraisal"]["recommendation"].is_string();
        potential |= v["appraisal"]["potential"].is_string();
        actions |= v["actions"].as_array().is_some_and(|a| !a.is_empty());
    }
    assert!(recommended && potential && actions, "outcomes in {fin}");

    // The open cycle is part-way through.
    let open = by_state("open")[0]["id"].to_string();
    let rows = status(&env, &db, &open);
    assert!(rows.iter().any(|r| r["self"] == "submitted"), "{rows:?}");
    assert!(rows.iter().any(|r| r["self"] != "submitted"), "{rows:?}");
}

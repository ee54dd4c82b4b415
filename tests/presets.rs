//! Each preset in `examples/templates/` reproduces its source's published
//! examples through the binary (the same numbers are worked examples in
//! docs/scoring.md), and `appraise explain` shows how: the Frappe terms
//! 3.6 and 3.85 with the formula giving 3.767, the OPM critical-element
//! rule that forces Level 1. A bad formula is refused with its position.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Env, assert_bytes_unchanged, s};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn template(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/templates")
        .join(name)
}

fn goal_toml(key: &str, owner: &str, weight: u32) -> String {
    format!(
        "\n[[goal]]\nkey = \"{key}\"\ntitle = \"Goal {key}\"\nowner = \"{owner}\"\nperiod = \"2026-H2\"\nweight = {weight}\n[[goal.measure]]\nname = \"done\"\nbaseline = 0\ntarget = 10\n"
    )
}

const PEOPLE: &str = "[[person]]\nhandle = \"lena\"\nname = \"Lena Lead\"\n\
     [[person]]\nhandle = \"fay\"\nname = \"Fay Fenwick\"\nmanager = \"lena\"\n\
     [[person]]\nhandle = \"pat\"\nname = \"Pat Peerless\"\nmanager = \"lena\"\n";

/// A database with fay's goals (weights and values of 0..10 measures).
fn db_with_goals(env: &Env, goals: &[(&str, u32, &str)]) -> PathBuf {
    let db = env.init_db();
    let mut plan = String::from(PEOPLE);
    for (key, w, _) in goals {
        plan.push_str(&goal_toml(key, "fay", *w));
    }
    let file = env.path("plan.toml");
    std::fs::write(&file, plan).unwrap();
    env.on(&db, &["plan", "apply", s(&file)]).ok();
    for (key, _, v) in goals {
        env.on(&db, &["checkin", key, v]).ok();
    }
    db
}

fn open_cycle(env: &Env, db: &Path, name: &str, tpl: &str) {
    let t = template(tpl);
    env.on(
        db,
        &[
            "appraise",
            "cycle",
            "new",
            name,
            "--period",
            "2026-H2",
            "--person",
            "fay",
            "--template",
            s(&t),
        ],
    )
    .ok();
    env.on(db, &["appraise", "cycle", "open", name]).ok();
}

fn rate(env: &Env, db: &Path, who: &str, cycle: &str, kind: &str, rates: &[&str]) {
    let mut args = vec![
        "--as", who, "appraise", "review", cycle, "fay", "--kind", kind,
    ];
    for r in rates {
        args.extend_from_slice(&["--rate", r]);
    }
    args.push("--submit");
    env.on(db, &args).ok();
}

fn explain(env: &Env, db: &Path, cycle: &str) -> Value {
    let out = env.on(
        db,
        &["appraise", "explain", cycle, "fay", "--format", "json"],
    );
    out.ok();
    out.json()
}

fn near(v: &Value, want: f64, what: &str) {
    let got = v
        .as_f64()
        .unwrap_or_else(|| panic!("{what}: not a number: {v}"));
    assert!((got - want).abs() < 1e-9, "{what}: {got} != {want}");
}

fn term<'a>(e: &'a Value, component: &str) -> &'a Value {
    e["terms"]
        .as_array()
        .expect("terms")
        .iter()
        .find(|t| t["component"] == component)
        .unwrap_or_else(|| panic!("no term {component}: {e}"))
}

#[test]
fn frappe_published_examples_and_their_explanation() {
    let env = Env::new();
    // test_final_score: goal scores 5 and 3 (30 % / 70 %), self 4 and 3.5
    // (70 % / 30 %), one feedback the same: 3.767.
    let db = db_with_goals(&env, &[("kra-one", 30, "10"), ("kra-two", 70, "6")]);
    open_cycle(&env, &db, "frappe", "frappe.toml");
    rate(
        &env,
        &db,
        "fay",
        "frappe",
        "self",
        &["work=4", "teamwork=3.5"],
    );
    env.on(&db, &["appraise", "peers", "frappe", "fay", "--add", "pat"])
        .ok();
    rate(
        &env,
        &db,
        "pat",
        "frappe",
        "peer",
        &["work=4", "teamwork=3.5"],
    );
    let e = explain(&env, &db, "frappe");
    near(&term(&e, "goals")["value"], 3.6, "goal score");
    near(&term(&e, "self")["value"], 3.85, "self score");
    near(&term(&e, "peer")["value"], 3.85, "feedback score");
    near(&e["explanation"]["score"], 3.767, "final score");
    assert_eq!(
        e["explanation"]["formula"], "(goals + peer + self) / 3",
        "{e}"
    );
    assert_eq!(
        e["explanation"]["computation"], "(3.6 + 3.85 + 3.85) / 3 = 3.7667",
        "{e}"
    );
    assert!(
        e["explanation"]["rounding"]
            .as_str()
            .unwrap()
            .contains("the score 3.7667 to 3 decimals: 3.767"),
        "{e}"
    );
    // The goals' terms: completion 100 and 60, points 30 and 42.
    let goal = |k: &str| {
        e["goal_terms"]
            .as_array()
            .expect("goal terms")
            .iter()
            .find(|g| g["goal"] == k)
            .cloned()
            .unwrap_or_else(|| panic!("no goal {k}: {e}"))
    };
    near(&goal("kra-one")["points"], 30.0, "points of kra-one");
    near(&goal("kra-two")["points"], 42.0, "points of kra-two");
    // As text too.
    env.on(
        &db,
        &["appraise", "explain", "frappe", "fay", "--format", "table"],
    )
    .ok()
    .stdout_has("3.767")
    .stdout_has("(3.6 + 3.85 + 3.85) / 3 = 3.7667");

    // The conditional formula (test_final_score_using_formula): 3.767 too.
    open_cycle(&env, &db, "formula", "frappe-formula.toml");
    rate(
        &env,
        &db,
        "fay",
        "formula",
        "self",
        &["work=4", "teamwork=3.5"],
    );
    env.on(
        &db,
        &["appraise", "peers", "formula", "fay", "--add", "pat"],
    )
    .ok();
    rate(
        &env,
        &db,
        "pat",
        "formula",
        "peer",
        &["work=4", "teamwork=3.5"],
    );
    let e = explain(&env, &db, "formula");
    near(&e["explanation"]["score"], 3.767, "formula score");
    assert_eq!(
        e["explanation"]["computation"],
        "if(3.85 != 0, (3.6 + 3.85 + 3.85) / 3, (3.6 + 3.85) / 2) = 3.7667",
        "{e}"
    );
}

#[test]
fn frappe_goal_score_rounding_through_the_binary() {
    // test_goal_score: completion 12.5 % (30 %) and 50 % (70 %): 3.75 + 35
    // points, 38.75 / 20 = 1.9375 stored as 1.938, final 0.646.
    let env = Env::new();
    let db = db_with_goals(&env, &[("quality", 30, "1.25"), ("development", 70, "5")]);
    open_cycle(&env, &db, "kra", "frappe.toml");
    let e = explain(&env, &db, "kra");
    near(&term(&e, "goals")["value"], 1.938, "goal score");
    near(&e["explanation"]["score"], 0.646, "final score");
    let goal = |k: &str| {
        e["goal_terms"]
            .as_array()
            .expect("goal terms")
            .iter()
            .find(|g| g["goal"] == k)
            .cloned()
            .unwrap_or_else(|| panic!("no goal {k}: {e}"))
    };
    near(&goal("quality")["points"], 3.75, "quality points");
    near(&goal("development")["points"], 35.0, "development points");
    assert!(
        term(&e, "self")["note"]
            .as_str()
            .unwrap()
            .contains("reads 0 in the formula"),
        "{e}"
    );
}

#[test]
fn opm_explanation_names_the_rule_that_forced_level_1() {
    let env = Env::new();
    let db = db_with_goals(&env, &[]);
    open_cycle(&env, &db, "opm", "opm.toml");
    rate(
        &env,
        &db,
        "lena",
        "opm",
        "manager",
        &[
            "mission=4",
            "quality=4",
            "service=4",
            "compliance=1",
            "teamwork=4",
        ],
    );
    let e = explain(&env, &db, "opm");
    near(&e["explanation"]["score"], 3.4, "average");
    assert_eq!(e["explanation"]["level"], "1 Unacceptable", "{e}");
    assert_eq!(
        e["explanation"]["threshold_level"], "3 Fully Successful",
        "{e}"
    );
    let rule = e["explanation"]["summary_rule"].as_str().unwrap();
    assert!(rule.contains("5 CFR 430.208(b)(1)"), "{rule}");
    assert!(
        rule.contains("critical element is rated 1 (Unacceptable)"),
        "{rule}"
    );
    env.on(
        &db,
        &["appraise", "explain", "opm", "fay", "--format", "table"],
    )
    .ok()
    .stdout_has("5 CFR 430.208(b)(1)");
}

#[test]
fn a_bad_formula_is_refused_with_its_position_and_nothing_is_written() {
    let env = Env::new();
    let db = db_with_goals(&env, &[("g", 1, "5")]);
    let base = std::fs::read_to_string(template("frappe.toml")).unwrap();
    for (formula, what) in [
        ("(goals + peer + slef) / 3", "unknown variable 'slef'"),
        ("(goals + peer + self) / 0", "division by zero"),
        ("(goals + peer + self / 3", "syntax error"),
    ] {
        let text = base.replace("(goals + peer + self) / 3", formula);
        let line = text.lines().position(|l| l.starts_with("formula")).unwrap() + 1;
        let file = env.path("bad.toml");
        std::fs::write(&file, &text).unwrap();
        let before = std::fs::read(&db).unwrap();
        env.on(
            &db,
            &[
                "appraise",
                "cycle",
                "new",
                "bad",
                "--period",
                "2026-H2",
                "--template",
                s(&file),
            ],
        )
        .code(2)
        .stderr_has(&format!("bad.toml:{line}:"))
        .stderr_has("bad formula at character")
        .stderr_has(what)
        .stderr_has("^ here");
        assert_bytes_unchanged(&db, &before, formula);
    }
}

#[test]
fn config_show_lists_the_pace_thresholds_with_their_source() {
    let env = Env::new();
    let db = env.init_db();
    let file = env.path("config.toml");
    std::fs::write(&file, "[pace]\nat_risk = 5\n").unwrap();
    let out = env.on(
        &db,
        &["--config", s(&file), "config", "show", "--format", "json"],
    );
    out.ok();
    let j = out.json();
    let row = |k: &str| {
        j["settings"]
            .as_array()
            .expect("settings")
            .iter()
            .find(|r| r["key"] == k)
            .cloned()
            .unwrap_or_else(|| panic!("no {k}: {j}"))
    };
    assert_eq!(row("pace.at_risk")["source"], "config");
    near(&row("pace.at_risk")["value"], 5.0, "at risk");
    assert_eq!(row("pace.off_track")["source"], "default");
    near(&row("pace.off_track")["value"], 25.0, "off track");
    assert_eq!(row("checkin.cadence_days")["source"], "default");
}

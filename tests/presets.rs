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

fn pace_config(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/config")
        .join(name)
}

/// fay's goals from `start` to `due`, one 0 → 1000 measure each, checked in
/// at `values` (progress = value / 1000); `report goals` on `today` with the
/// configuration `config`: each goal's expected percent and pace.
fn paces(
    config: &Path,
    (start, due, today): (&str, &str, &str),
    values: &[&str],
) -> Vec<(f64, String)> {
    let env = Env::new();
    let db = env.init_db();
    let mut plan = String::from(PEOPLE);
    for i in 0..values.len() {
        plan.push_str(&format!(
            "\n[[goal]]\nkey = \"g{i}\"\ntitle = \"Goal {i}\"\nowner = \"fay\"\nstart = {start}\ndue = {due}\n[[goal.measure]]\nname = \"done\"\nbaseline = 0\ntarget = 1000\n"
        ));
    }
    let file = env.path("plan.toml");
    std::fs::write(&file, plan).unwrap();
    env.on(&db, &["--today", start, "plan", "apply", s(&file)])
        .ok();
    for (i, v) in values.iter().enumerate() {
        env.on(&db, &["--today", start, "checkin", &format!("g{i}"), v])
            .ok();
    }
    let out = env.on(
        &db,
        &[
            "--config",
            s(config),
            "--today",
            today,
            "report",
            "goals",
            "--format",
            "json",
        ],
    );
    out.ok();
    let j = out.json();
    let rows = j["measures"].as_array().expect("measures");
    (0..values.len())
        .map(|i| {
            let r = rows
                .iter()
                .find(|r| r["goal"] == format!("g{i}"))
                .unwrap_or_else(|| panic!("no g{i}: {j}"));
            (
                r["expected_pct"].as_f64().expect("expected"),
                r["pace"].as_str().expect("pace").to_string(),
            )
        })
        .collect()
}

fn states(p: &[(f64, String)]) -> Vec<&str> {
    p.iter().map(|(_, s)| s.as_str()).collect()
}

#[test]
fn engagedly_pace_through_the_binary() {
    // 1 to 30 April, on 15 April: expected 50 % (inclusive days); no more
    // than 16.5 % behind is On Track, over 33 % is At Risk (off-track).
    let cfg = pace_config("engagedly-pace.toml");
    let p = paces(
        &cfg,
        ("2026-04-01", "2026-04-30", "2026-04-15"),
        &["335", "300", "170", "160"],
    );
    for (e, _) in &p {
        near(&Value::from(*e), 50.0, "expected on 15 April");
    }
    assert_eq!(states(&p), ["on-track", "at-risk", "at-risk", "off-track"]);
    // The first day expects nothing.
    let p = paces(&cfg, ("2026-04-01", "2026-04-30", "2026-04-01"), &["0"]);
    assert_eq!(p, [(0.0, "on-track".to_string())]);
    // The default rule on the same data: 14 / 29 days and 16.5 points is
    // already at-risk.
    let env = Env::new();
    let none = env.path("none.toml");
    std::fs::write(&none, "").unwrap();
    let p = paces(&none, ("2026-04-01", "2026-04-30", "2026-04-15"), &["335"]);
    let want = 100.0 * 14.0 / 29.0;
    assert!(
        (p[0].0 - want).abs() < 0.05,
        "default expected {} != {want}",
        p[0].0
    );
    assert_eq!(states(&p), ["at-risk"]);
}

#[test]
fn upraise_pace_through_the_binary() {
    // 1 to 31 January, on 21 January: expected 20 / 30 = 2/3. At or above
    // 0.95x is On Track, 0.75x is still Falling behind, below is At Risk.
    let cfg = pace_config("upraise-pace.toml");
    let p = paces(
        &cfg,
        ("2026-01-01", "2026-01-31", "2026-01-21"),
        &["640", "600", "500", "490"],
    );
    assert_eq!(states(&p), ["on-track", "at-risk", "at-risk", "off-track"]);
}

#[test]
fn planview_pace_through_the_binary() {
    // 1 to 31 January, on 16 January: expected 50 %. 60 % is Ahead, 40 % is
    // within 10 % inclusively (On Track), 20 % is Behind.
    let cfg = pace_config("planview-pace.toml");
    let p = paces(
        &cfg,
        ("2026-01-01", "2026-01-31", "2026-01-16"),
        &["600", "500", "400", "200"],
    );
    assert_eq!(states(&p), ["ahead", "on-track", "on-track", "at-risk"]);
}

#[test]
fn config_show_lists_the_pace_conventions_and_bad_values_are_refused() {
    let env = Env::new();
    let db = env.init_db();
    let cfg = pace_config("upraise-pace.toml");
    let out = env.on(
        &db,
        &["--config", s(&cfg), "config", "show", "--format", "json"],
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
    assert_eq!(row("pace.basis")["value"], "ratio");
    assert_eq!(row("pace.basis")["source"], "config");
    assert_eq!(row("pace.inclusive")["value"], true);
    assert_eq!(row("pace.ahead")["value"], Value::Null);
    assert_eq!(row("pace.ahead")["source"], "default");
    assert_eq!(row("pace.inclusive_days")["value"], false);
    assert_eq!(row("pace.inclusive_days")["source"], "default");
    for (text, at) in [
        ("[pace]\nbasis = \"percent\"\n", "bad.toml:2:1:"),
        ("[pace]\nat_risk = 5\nahead = -3\n", "bad.toml:3:1:"),
        ("[pace]\ninclusive = \"yes\"\n", "bad.toml:2:13:"),
        ("[pace]\nahaed = 3\n", "bad.toml:2:1:"),
    ] {
        let bad = env.path("bad.toml");
        std::fs::write(&bad, text).unwrap();
        let before = std::fs::read(&db).unwrap();
        let out = env.on(&db, &["--config", s(&bad), "report", "goals"]);
        out.code(2).no_panic();
        assert!(out.stderr.contains(at), "{text}: {}", out.stderr);
        assert_bytes_unchanged(&db, &before, text);
    }
}

#[test]
fn okr_tracker_conventions_through_the_binary() {
    // getKeyResultProgressDetails.test.js: (start, target, current) → percent.
    let cases: &[(&str, &str, &str, f64)] = &[
        ("0", "100", "20", 20.0),
        ("0", "100", "150", 150.0),
        ("20", "100", "0", -25.0),
        ("100", "0", "80", 20.0),
        ("100", "20", "80", 25.0),
        ("100", "20", "0", 125.0),
        ("0", "0", "0", 0.0),
    ];
    let env = Env::new();
    let db = env.init_db();
    let mut plan = String::from(PEOPLE);
    for (i, (b, t, _, _)) in cases.iter().enumerate() {
        plan.push_str(&format!(
            "\n[[goal]]\nkey = \"kr{i}\"\ntitle = \"KR {i}\"\nowner = \"fay\"\nperiod = \"2026-H2\"\n[[goal.measure]]\nname = \"m\"\nbaseline = {b}\ntarget = {t}\n"
        ));
    }
    // An objective without key results.
    plan.push_str("\n[[goal]]\nkey = \"empty\"\ntitle = \"No key results\"\nowner = \"fay\"\nperiod = \"2026-H2\"\n");
    let file = env.path("plan.toml");
    std::fs::write(&file, plan).unwrap();
    env.on(&db, &["plan", "apply", s(&file)]).ok();
    for (i, (_, _, v, _)) in cases.iter().enumerate() {
        env.on(&db, &["checkin", &format!("kr{i}"), v]).ok();
    }
    let cfg = pace_config("okr-tracker.toml");
    let report = |config: Option<&Path>| {
        let mut args = vec![];
        if let Some(c) = config {
            args.extend_from_slice(&["--config", s(c)]);
        }
        args.extend_from_slice(&["report", "goals", "--format", "json"]);
        let out = env.on(&db, &args);
        out.ok();
        out.json()
    };
    let j = report(Some(&cfg));
    let rows = j["measures"].as_array().expect("measures");
    for (i, (_, _, _, want)) in cases.iter().enumerate() {
        let r = rows
            .iter()
            .find(|r| r["goal"] == format!("kr{i}"))
            .unwrap_or_else(|| panic!("no kr{i}: {j}"));
        near(&r["progress_pct"], *want, &format!("kr{i}"));
    }
    // Without the preset, start = target = current is 100 %.
    let j = report(None);
    let r = j["measures"]
        .as_array()
        .expect("measures")
        .iter()
        .find(|r| r["goal"] == "kr6")
        .cloned()
        .expect("kr6");
    near(&r["progress_pct"], 100.0, "default kr6");
    // The objective without key results: 0 % with the preset, none without.
    let show = |config: Option<&Path>| {
        let mut args = vec![];
        if let Some(c) = config {
            args.extend_from_slice(&["--config", s(c)]);
        }
        args.extend_from_slice(&["plan", "show", "empty", "--format", "json"]);
        let out = env.on(&db, &args);
        out.ok();
        out.json()
    };
    let with = show(Some(&cfg));
    let without = show(None);
    assert!(
        with.to_string().contains("\"progress\":0.0")
            || with.to_string().contains("\"progress_pct\":0.0"),
        "{with}"
    );
    assert!(
        !without.to_string().contains("\"progress\":0.0")
            && !without.to_string().contains("\"progress_pct\":0.0"),
        "{without}"
    );
}

#[test]
fn puzzle_okr_zones_through_the_binary() {
    // common.spec.ts, "should calculate progress correctly" (baseline,
    // stretch, value → percent), and scoring.component.spec.ts (25, 75, 50 →
    // 50); the target is put where the target zone begins (70 %). Then the
    // zone bounds, and a baseline equal to the stretch: no zone.
    // (baseline, target, stretch, value, percent, zone; "" for none)
    type Case<'a> = (&'a str, &'a str, &'a str, &'a str, Option<f64>, &'a str);
    let cases: &[Case] = &[
        ("0", "70", "100", "20", Some(20.0), "fail"),
        ("100", "30", "0", "20", Some(80.0), "target"),
        ("500", "430", "400", "460", Some(40.0), "commit"),
        ("100", "37", "10", "110", Some(-11.11), "fail"),
        ("0", "70", "100", "-10", Some(-10.0), "fail"),
        ("25", "60", "75", "50", Some(50.0), "commit"),
        ("0", "70", "100", "30", Some(30.0), "fail"),
        ("0", "70", "100", "70", Some(70.0), "commit"),
        ("0", "70", "100", "100", Some(100.0), "stretch"),
        ("5", "5", "5", "5", Some(100.0), ""),
    ];
    let env = Env::new();
    let db = env.init_db();
    let mut plan = String::from(PEOPLE);
    for (i, (b, t, st, _, _, _)) in cases.iter().enumerate() {
        plan.push_str(&format!(
            "\n[[goal]]\nkey = \"kr{i}\"\ntitle = \"KR {i}\"\nowner = \"fay\"\nperiod = \"2026-H2\"\n[[goal.measure]]\nname = \"m\"\nbaseline = {b}\ntarget = {t}\nstretch = {st}\n"
        ));
    }
    let file = env.path("plan.toml");
    std::fs::write(&file, plan).unwrap();
    env.on(&db, &["plan", "apply", s(&file)]).ok();
    for (i, (_, _, _, v, _, _)) in cases.iter().enumerate() {
        env.on(&db, &["checkin", &format!("kr{i}"), "--", v]).ok();
    }
    let cfg = pace_config("puzzle-okr.toml");
    let report = |config: Option<&Path>| {
        let mut args = vec![];
        if let Some(c) = config {
            args.extend_from_slice(&["--config", s(c)]);
        }
        args.extend_from_slice(&["report", "goals", "--format", "json"]);
        let out = env.on(&db, &args);
        out.ok();
        out.json()
    };
    let j = report(Some(&cfg));
    let rows = j["measures"].as_array().expect("measures");
    for (i, (_, _, _, _, pct, zone)) in cases.iter().enumerate() {
        let r = rows
            .iter()
            .find(|r| r["goal"] == format!("kr{i}"))
            .unwrap_or_else(|| panic!("no kr{i}: {j}"));
        if let Some(p) = pct {
            near(&r["progress_pct"], *p, &format!("kr{i}"));
        }
        if zone.is_empty() {
            assert_eq!(r["zone"], Value::Null, "kr{i}: {r}");
        } else {
            assert_eq!(r["zone"], *zone, "kr{i}: {r}");
        }
    }
    // Without the preset: measured to the target, and no zone column.
    let j = report(None);
    let r = j["measures"]
        .as_array()
        .expect("measures")
        .iter()
        .find(|r| r["goal"] == "kr0")
        .cloned()
        .expect("kr0");
    near(&r["progress_pct"], 28.57, "default kr0 (20 of 70)");
    assert!(r.get("zone").is_none(), "{r}");
    // config show names both keys with their source.
    let out = env.on(
        &db,
        &["--config", s(&cfg), "config", "show", "--format", "json"],
    );
    out.ok();
    let settings = out.json()["settings"].clone();
    let row = |k: &str| {
        settings
            .as_array()
            .expect("settings")
            .iter()
            .find(|r| r["key"] == k)
            .cloned()
            .unwrap_or_else(|| panic!("no {k}"))
    };
    assert_eq!(row("progress.reference")["value"], "stretch");
    assert_eq!(row("progress.reference")["source"], "config");
    assert_eq!(row("progress.zones")["source"], "config");
    // Bad values: refused with their position, exit 2, nothing written.
    for (text, at) in [
        ("[progress]\nreference = \"goal\"\n", "bad.toml:2:1:"),
        ("[progress]\nzones = [0.7, 0.3, 1.0]\n", "bad.toml:2:1:"),
        ("[progress]\nzones = [0.3, 0.7]\n", "bad.toml:2:1:"),
    ] {
        let bad = env.path("bad.toml");
        std::fs::write(&bad, text).unwrap();
        let before = std::fs::read(&db).unwrap();
        let out = env.on(&db, &["--config", s(&bad), "report", "goals"]);
        out.code(2).no_panic();
        assert!(out.stderr.contains(at), "{text}: {}", out.stderr);
        assert_bytes_unchanged(&db, &before, text);
    }
}

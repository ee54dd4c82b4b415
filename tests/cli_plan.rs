//! End-to-end tests of the organisation and `plan` commands, driving the real
//! binary the way a script would: no terminal, a pinned date, a private home.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Env, Out, assert_bytes_unchanged, example_plan, s};
use serde_json::Value;
use std::path::Path;

/// The goal keys in `examples/team-plan.toml`.
const EXAMPLE_KEYS: [&str; 7] = [
    "api-latency",
    "onboarding-research",
    "release-pipeline",
    "reliable-platform",
    "retain-customers",
    "self-serve-onboarding",
    "support-cost",
];

fn goal_keys(list: &Value) -> Vec<String> {
    let mut keys: Vec<String> = list["goals"]
        .as_array()
        .expect("goals array")
        .iter()
        .map(|g| g["key"].as_str().expect("key").to_string())
        .collect();
    keys.sort();
    keys
}

fn show(env: &Env, db: &Path, key: &str) -> Value {
    let out = env.on(db, &["plan", "show", key, "--format", "json"]);
    out.ok();
    let v = out.json();
    assert_eq!(v["schema_version"], 1, "{v}");
    assert_eq!(v["kind"], "goal", "{v}");
    assert_eq!(v["goal"]["key"], key, "{v}");
    v
}

/// Minimal RFC 4180 reader: rows of fields, honouring quotes.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' => quoted = true,
            ',' => row.push(std::mem::take(&mut field)),
            '\r' => {}
            '\n' => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            _ => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

#[test]
fn scripted_run_without_a_terminal() {
    let env = Env::new();
    let db = env.db();

    // init creates the file and says so on stderr; stdout stays clean.
    let out = env.run(&["init", "--db", s(&db)]);
    out.ok().stderr_has("created");
    assert!(db.exists());

    // An organisation of our own, beside the one in the plan file.
    env.on(&db, &["team", "add", "acme", "--name", "Acme Inc"])
        .ok();
    env.on(
        &db,
        &[
            "team",
            "add",
            "ops",
            "--name",
            "Operations",
            "--parent",
            "acme",
        ],
    )
    .ok();
    env.on(
        &db,
        &["people", "add", "yan", "--name", "Yan Li", "--team", "acme"],
    )
    .ok();
    env.on(
        &db,
        &[
            "people",
            "add",
            "zoe",
            "--name",
            "Zoe Park",
            "--manager",
            "yan",
            "--team",
            "ops",
        ],
    )
    .ok();
    env.on(&db, &["team", "edit", "ops", "--lead", "zoe"]).ok();

    let people = env.on(&db, &["people", "list", "--format", "json"]);
    let people = people.ok().json();
    assert_eq!(people["schema_version"], 1);
    assert_eq!(people["kind"], "people");
    let zoe = people["people"]
        .as_array()
        .expect("people array")
        .iter()
        .find(|p| p["handle"] == "zoe")
        .expect("zoe listed")
        .clone();
    assert_eq!(zoe["manager"], "yan");
    assert_eq!(zoe["team"], "ops");
    assert_eq!(zoe["name"], "Zoe Park");

    let tree = env.on(&db, &["team", "tree", "--format", "json"]);
    let tree = tree.ok().json();
    let ops = tree["teams"]
        .as_array()
        .expect("teams array")
        .iter()
        .find(|t| t["handle"] == "ops")
        .expect("ops in the tree")
        .clone();
    assert_eq!(ops["parent"], "acme");
    assert_eq!(ops["depth"], 1);

    // Apply the example plan.
    let plan = example_plan();
    let out = env.on(&db, &["plan", "apply", s(&plan)]);
    out.ok().stderr_has("applied");
    assert!(
        out.stdout.contains("retain-customers"),
        "the changes are listed:\n{}",
        out.stdout
    );

    // JSON list.
    let list = env.on(&db, &["plan", "list", "--format", "json"]);
    let list = list.ok().json();
    assert_eq!(list["schema_version"], 1);
    assert_eq!(list["kind"], "goals");
    assert_eq!(goal_keys(&list), EXAMPLE_KEYS);
    for g in list["goals"].as_array().expect("goals") {
        for field in [
            "id", "key", "title", "owner", "period", "due", "weight", "status", "measures",
        ] {
            assert!(g.get(field).is_some(), "goal lacks {field}: {g}");
        }
    }
    let latency = list["goals"]
        .as_array()
        .expect("goals")
        .iter()
        .find(|g| g["key"] == "api-latency")
        .expect("api-latency")
        .clone();
    assert_eq!(latency["owner"], "alice");
    assert_eq!(latency["period"], "2026-Q4");
    assert_eq!(latency["due"], "2026-12-31");
    assert_eq!(latency["measures"], 2);
    assert_eq!(latency["status"], "active");

    // CSV list: a header and one row per goal, all of the same width.
    let csv = env.on(&db, &["plan", "list", "--format", "csv"]);
    csv.ok();
    let rows = parse_csv(&csv.stdout);
    assert_eq!(rows.len(), 1 + EXAMPLE_KEYS.len(), "{}", csv.stdout);
    let header = &rows[0];
    assert!(header.iter().any(|h| h == "key"), "header: {header:?}");
    assert!(header.iter().any(|h| h == "title"), "header: {header:?}");
    assert!(rows.iter().all(|r| r.len() == header.len()), "{rows:?}");
    let key_col = header.iter().position(|h| h == "key").expect("key column");
    let mut csv_keys: Vec<&str> = rows[1..].iter().map(|r| r[key_col].as_str()).collect();
    csv_keys.sort();
    assert_eq!(csv_keys, EXAMPLE_KEYS);

    // Edit.
    assert_eq!(show(&env, &db, "api-latency")["goal"]["weight"], 2.0);
    env.on(&db, &["plan", "edit", "api-latency", "--weight", "3"])
        .ok()
        .stderr_has("updated");
    assert_eq!(show(&env, &db, "api-latency")["goal"]["weight"], 3.0);

    // Close as missed.
    env.on(&db, &["plan", "close", "api-latency", "missed"])
        .ok()
        .stderr_has("missed");
    assert_eq!(show(&env, &db, "api-latency")["goal"]["status"], "missed");

    // Undo the close: the status comes back, and the log says it was undone.
    let out = env.on(&db, &["undo", "--yes"]);
    out.ok().stderr_has("plan close");
    let g = show(&env, &db, "api-latency");
    assert_eq!(g["goal"]["status"], "active");
    assert_eq!(g["goal"]["weight"], 3.0, "undo reverts only the last op");

    let log = env.on(&db, &["log", "--format", "json"]);
    let log = log.ok().json();
    assert_eq!(log["schema_version"], 1);
    assert_eq!(log["kind"], "log");
    let ops = log["operations"].as_array().expect("operations");
    let close = ops
        .iter()
        .find(|o| o["command"] == "plan close")
        .expect("the close is logged");
    assert!(
        close["undone_at"].is_string(),
        "the close is marked undone: {close}"
    );
    let edit = ops
        .iter()
        .find(|o| o["command"] == "plan edit")
        .expect("the edit is logged");
    assert!(edit["undone_at"].is_null(), "the edit stands: {edit}");

    // Add with an inline first measure, aligned under api-latency.
    let out = env.on(
        &db,
        &[
            "plan",
            "add",
            "Write the runbook",
            "--key",
            "runbook",
            "--owner",
            "alice",
            "--parent",
            "api-latency",
            "--metric",
            "pages",
            "--unit",
            "pages",
            "--baseline",
            "0",
            "--target",
            "10",
        ],
    );
    out.ok().stderr_has("runbook");
    let g = show(&env, &db, "runbook");
    assert_eq!(g["goal"]["owner"], "alice");
    assert_eq!(g["goal"]["parent"], "api-latency");
    assert_eq!(
        g["goal"]["period"], "2026-Q4",
        "default: the current quarter"
    );
    let measures = g["measures"].as_array().expect("measures");
    assert_eq!(measures.len(), 1);
    assert_eq!(measures[0]["measure"], "pages");
    assert_eq!(measures[0]["baseline"], 0.0);
    assert_eq!(measures[0]["target"], 10.0);
    assert_eq!(measures[0]["direction"], "increase");

    // A second measure.
    env.on(
        &db,
        &[
            "plan",
            "measure",
            "runbook",
            "review rounds",
            "--baseline",
            "5",
            "--target",
            "1",
        ],
    )
    .ok();
    let g = show(&env, &db, "runbook");
    let measures = g["measures"].as_array().expect("measures");
    assert_eq!(measures.len(), 2);
    let rounds = measures
        .iter()
        .find(|m| m["measure"] == "review rounds")
        .expect("review rounds");
    assert_eq!(rounds["direction"], "decrease");

    // The alignment tree.
    let tree = env.on(&db, &["plan", "tree", "--format", "json"]);
    let tree = tree.ok().json();
    assert_eq!(tree["schema_version"], 1);
    assert_eq!(tree["kind"], "goal_tree");
    let nodes = tree["tree"].as_array().expect("tree array");
    let node = |key: &str| {
        nodes
            .iter()
            .find(|n| n["key"] == key)
            .unwrap_or_else(|| panic!("{key} in the tree: {tree}"))
            .clone()
    };
    assert_eq!(node("retain-customers")["depth"], 0);
    assert!(node("retain-customers")["parent"].is_null());
    assert_eq!(node("reliable-platform")["depth"], 1);
    assert_eq!(node("reliable-platform")["parent"], "retain-customers");
    assert_eq!(node("api-latency")["depth"], 2);
    assert_eq!(node("api-latency")["parent"], "reliable-platform");
    assert_eq!(node("runbook")["depth"], 3);
    assert_eq!(node("runbook")["parent"], "api-latency");
    assert_eq!(nodes.len(), EXAMPLE_KEYS.len() + 1);

    // Carry the quarter's open goals into the next one.
    let out = env.on(
        &db,
        &["plan", "carry", "--from", "2026-Q4", "--to", "2027-Q1"],
    );
    out.ok().stderr_has("carried");
    let carried = show(&env, &db, "api-latency-2027-q1");
    assert_eq!(carried["goal"]["period"], "2027-Q1");
    assert_eq!(carried["goal"]["due"], "2027-03-31");
    assert_eq!(carried["goal"]["owner"], "alice");
    assert_eq!(carried["measures"].as_array().expect("measures").len(), 2);
    show(&env, &db, "runbook-2027-q1");
    // Carrying again skips what was already carried.
    let list_before = env.on(&db, &["plan", "list", "--format", "json"]).json();
    env.on(
        &db,
        &["plan", "carry", "--from", "2026-Q4", "--to", "2027-Q1"],
    )
    .ok();
    let list_after = env.on(&db, &["plan", "list", "--format", "json"]).json();
    assert_eq!(goal_keys(&list_before), goal_keys(&list_after));
}

#[test]
fn apply_twice_changes_nothing_and_export_round_trips() {
    let env = Env::new();
    let plan = example_plan();
    let db = env.init_db();
    env.on(&db, &["plan", "apply", s(&plan)]).ok();

    // The second apply says so, exits 0, and leaves the file as it was.
    let before = std::fs::read(&db).expect("read db");
    let out = env.on(&db, &["plan", "apply", s(&plan)]);
    out.ok().stderr_has("no changes");
    assert_bytes_unchanged(&db, &before, "second plan apply");
    // A dry run on the unchanged plan says the same.
    env.on(&db, &["plan", "apply", s(&plan), "--dry-run"])
        .ok()
        .stderr_has("no changes");
    assert_bytes_unchanged(&db, &before, "plan apply --dry-run");

    // Export, apply into a fresh file, export again: identical TOML.
    let a = env.path("a.toml");
    let b = env.path("b.toml");
    env.on(&db, &["plan", "export", "-o", s(&a)]).ok();
    let fresh = env.init_db();
    env.on(&fresh, &["plan", "apply", s(&a)]).ok();
    env.on(&fresh, &["plan", "export", "-o", s(&b)]).ok();
    let a_text = std::fs::read_to_string(&a).expect("a.toml");
    let b_text = std::fs::read_to_string(&b).expect("b.toml");
    assert!(a_text.contains("retain-customers"), "{a_text}");
    assert_eq!(a_text, b_text, "export → apply → export is not identical");

    // Exporting to stdout gives the same text.
    let out = env.on(&fresh, &["plan", "export"]);
    out.ok();
    assert_eq!(out.stdout, a_text);

    // The export applies to the original database without changes either.
    let before = std::fs::read(&db).expect("read db");
    env.on(&db, &["plan", "apply", s(&a)])
        .ok()
        .stderr_has("no changes");
    assert_bytes_unchanged(&db, &before, "applying its own export");
}

/// Run `args` on `db`, expecting `code`, no panic, and the file unchanged.
#[track_caller]
fn refused(env: &Env, db: &Path, args: &[&str], code: i32) -> Out {
    let before = std::fs::read(db).expect("read db");
    let out = env.on(db, args);
    out.code(code).no_panic();
    assert_bytes_unchanged(db, &before, &out.line);
    out
}

#[test]
fn bad_numbers_dates_and_weights_are_exit_2_and_change_nothing() {
    let env = Env::new();
    let db = env.planned_db();

    let add = |extra: &[&str]| -> Vec<String> {
        let mut v: Vec<String> = ["plan", "add", "Bad goal", "--owner", "alice"]
            .iter()
            .map(|x| x.to_string())
            .collect();
        v.extend(extra.iter().map(|x| x.to_string()));
        v
    };
    let cases: Vec<(Vec<String>, &[&str])> = vec![
        (
            add(&["--metric", "m", "--baseline", "NaN", "--target", "1"]),
            &["--baseline", "nan"],
        ),
        (
            add(&["--metric", "m", "--baseline", "0", "--target", "inf"]),
            &["--target", "inf"],
        ),
        (
            add(&["--metric", "m", "--baseline", "0", "--target", "1e309"]),
            &["--target"],
        ),
        (
            add(&[
                "--metric",
                "m",
                "--baseline",
                "0",
                "--target",
                "1",
                "--stretch",
                "NaN",
            ]),
            &["--stretch"],
        ),
        (add(&["--due", "2026-02-30"]), &["--due", "2026-02-30"]),
        (add(&["--due", "not a date"]), &["--due", "not a date"]),
        (add(&["--weight", "0"]), &["--weight", "0"]),
        (add(&["--weight", "-1"]), &["--weight", "-1"]),
        (
            vec![
                "plan".into(),
                "edit".into(),
                "api-latency".into(),
                "--weight".into(),
                "0".into(),
            ],
            &["--weight"],
        ),
        (
            vec![
                "plan".into(),
                "edit".into(),
                "api-latency".into(),
                "--measure".into(),
                "p95 latency".into(),
                "--target".into(),
                "-inf".into(),
            ],
            &["--target"],
        ),
    ];
    // Every case is checked before failing, so one run reports them all.
    let mut problems = Vec::new();
    for (args, needles) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let before = std::fs::read(&db).expect("read db");
        let out = env.on(&db, &args);
        if out.code != 2 {
            problems.push(format!("`{}` exited {} (expected 2)", out.line, out.code));
        }
        if out.stderr.contains("panicked") {
            problems.push(format!("`{}` panicked", out.line));
        }
        if std::fs::read(&db).expect("read db") != before {
            problems.push(format!("`{}` changed the database", out.line));
        }
        let low = out.stderr.to_lowercase();
        for n in needles {
            if !low.contains(&n.to_lowercase()) {
                problems.push(format!(
                    "`{}`: stderr does not mention {n:?}: {}",
                    out.line,
                    out.stderr.trim()
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn negative_numbers_are_values_not_flags() {
    let env = Env::new();
    let db = env.planned_db();
    // A measure that starts below zero (net cash flow, say), written the way
    // a user types it: flag, space, value.
    env.on(
        &db,
        &[
            "plan",
            "add",
            "Turn cash flow positive",
            "--key",
            "cash-flow",
            "--owner",
            "chen",
            "--metric",
            "net cash flow",
            "--baseline",
            "-5",
            "--target",
            "0",
            "--stretch",
            "2.5",
            "--floor",
            "-8",
        ],
    )
    .ok();
    let g = show(&env, &db, "cash-flow");
    assert_eq!(g["measures"][0]["baseline"], -5.0);
    assert_eq!(g["measures"][0]["floor"], -8.0);
    env.on(
        &db,
        &[
            "plan",
            "measure",
            "cash-flow",
            "burn",
            "--baseline",
            "-1.5e3",
            "--target",
            "-500",
        ],
    )
    .ok();
    env.on(
        &db,
        &[
            "plan",
            "edit",
            "cash-flow",
            "--measure",
            "net cash flow",
            "--baseline",
            "-6",
        ],
    )
    .ok();
    let g = show(&env, &db, "cash-flow");
    let m = g["measures"]
        .as_array()
        .expect("measures")
        .iter()
        .find(|m| m["measure"] == "net cash flow")
        .expect("measure")
        .clone();
    assert_eq!(m["baseline"], -6.0);
}

#[test]
fn a_parent_cycle_is_exit_2() {
    let env = Env::new();
    let db = env.planned_db();
    // api-latency is aligned (two levels) below retain-customers.
    refused(
        &env,
        &db,
        &[
            "plan",
            "edit",
            "retain-customers",
            "--parent",
            "api-latency",
        ],
        2,
    )
    .stderr_has("cycle");
    // A goal cannot be its own parent either.
    refused(
        &env,
        &db,
        &["plan", "edit", "api-latency", "--parent", "api-latency"],
        2,
    );
}

#[test]
fn malformed_plan_files_are_exit_2_with_file_line_and_column() {
    let env = Env::new();
    let db = env.planned_db();

    let syntax = env.path("syntax.toml");
    std::fs::write(
        &syntax,
        "[[goal]]\nkey = \"x\"\ntitle = \"X\nowner = \"alice\"\n",
    )
    .expect("write");
    let out = refused(&env, &db, &["plan", "apply", s(&syntax)], 2);
    out.stderr_has("syntax.toml:3:");

    let unknown = env.path("unknown.toml");
    std::fs::write(
        &unknown,
        "[[goal]]\nkey = \"x\"\ntitle = \"X\"\nowner = \"alice\"\ncolour = \"red\"\n",
    )
    .expect("write");
    let out = refused(&env, &db, &["plan", "apply", s(&unknown)], 2);
    out.stderr_has("unknown.toml:5:1").stderr_has("colour");

    // A bad value inside a well-formed file also names its place.
    let nan = env.path("nan.toml");
    std::fs::write(
        &nan,
        "[[goal]]\nkey = \"x\"\ntitle = \"X\"\nowner = \"alice\"\n[[goal.measure]]\nname = \"m\"\nbaseline = nan\ntarget = 1\n",
    )
    .expect("write");
    let out = refused(&env, &db, &["plan", "apply", s(&nan)], 2);
    out.stderr_has("nan.toml:7:");

    // A config file with an unknown key.
    let config = env.path("config.toml");
    std::fs::write(&config, "week_start = \"monday\"\ncolur = \"never\"\n").expect("write");
    let out = refused(&env, &db, &["--config", s(&config), "plan", "list"], 2);
    out.stderr_has("2:1").stderr_has("colur");
}

#[test]
fn unknown_owner_or_goal_is_exit_1() {
    let env = Env::new();
    let db = env.planned_db();
    refused(&env, &db, &["plan", "add", "X", "--owner", "nobody"], 1).stderr_has("nobody");
    refused(&env, &db, &["plan", "show", "nope"], 1).stderr_has("nope");
    refused(&env, &db, &["plan", "edit", "nope", "--weight", "2"], 1).stderr_has("nope");
    refused(
        &env,
        &db,
        &["plan", "add", "X", "--owner", "alice", "--parent", "nope"],
        1,
    )
    .stderr_has("nope");
}

#[test]
fn a_missing_argument_fails_at_once_naming_the_flag() {
    let env = Env::new();
    let db = env.planned_db();
    refused(&env, &db, &["people", "add", "bob2"], 2).stderr_has("--name");
    refused(&env, &db, &["plan", "add"], 2).stderr_has("TITLE");
    refused(&env, &db, &["plan", "rm", "api-latency"], 2).stderr_has("--yes");
    refused(&env, &db, &["undo"], 2).stderr_has("--yes");
    // With --yes they go through.
    env.on(&db, &["plan", "rm", "api-latency", "--yes"]).ok();
    env.on(&db, &["undo", "--yes"]).ok();
    env.on(&db, &["plan", "show", "api-latency"]).ok();
}

#[test]
fn apply_dates_weeks_by_the_configured_week_start() {
    // With weeks starting on Sunday, a goal for 2026-W49 runs Sunday
    // 29 November to Saturday 5 December, whether it was added by hand or
    // declared in a plan file.
    let env = Env::new();
    let db = env.planned_db();
    let config = env.path("config.toml");
    std::fs::write(&config, "week_start = \"sunday\"\n").expect("write");
    let file = env.path("week.toml");
    std::fs::write(
        &file,
        "[[goal]]\nkey = \"weekly\"\ntitle = \"Weekly\"\nowner = \"alice\"\nperiod = \"2026-W49\"\n",
    )
    .expect("write");
    let cfg = s(&config);
    env.on(&db, &["--config", cfg, "plan", "apply", s(&file), "--yes"])
        .ok();
    env.on(
        &db,
        &[
            "--config", cfg, "plan", "add", "By hand", "--owner", "alice", "--key", "by-hand",
            "--period", "2026-W49",
        ],
    )
    .ok();
    // Applying again changes nothing.
    env.on(&db, &["--config", cfg, "plan", "apply", s(&file), "--yes"])
        .ok()
        .stderr_has("No changes");
    for key in ["weekly", "by-hand"] {
        let goal = env
            .on(&db, &["plan", "show", key, "--format", "json"])
            .json();
        assert_eq!(goal["goal"]["start"], "2026-11-29", "{key}: {goal}");
        assert_eq!(goal["goal"]["due"], "2026-12-05", "{key}: {goal}");
    }
}

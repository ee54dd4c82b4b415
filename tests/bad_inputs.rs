//! A corpus of bad inputs through the real binary (quality.md, reliability 9;
//! issue 7, point 3): each is refused with exit 2 and a message naming the
//! problem, the database keeps its exact bytes, and nothing panics.
//!
//! Covered: NaN, infinities, `1e309`, full-width digits, out-of-scale
//! ratings, impossible dates and period names, invalid UTF-8 in arguments and
//! in every file yardstick reads (plan, template, export, configuration),
//! malformed TOML (the message carries `FILE:LINE:COL`), unknown keys,
//! exports with wrong fields, a CSV given to `import`, and very long text.
//! `-0` is the one "bad-looking" value that is accepted: it is stored as 0.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Env, Out, assert_bytes_unchanged, s};
use rusqlite::{Connection, OpenFlags};
use serde_json::Value;
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// A database with `examples/team-plan.toml` applied and the review cycle
/// `2026-Q4` (default template: levels 1–5, no half steps) open for the
/// platform team (bob reviews alice and dev).
fn fixture(env: &Env) -> PathBuf {
    let db = env.planned_db();
    env.on(
        &db,
        &[
            "--as", "bob", "appraise", "cycle", "new", "2026-Q4", "--period", "2026-Q4", "--team",
            "platform",
        ],
    )
    .ok();
    env.on(
        &db,
        &["--as", "bob", "appraise", "cycle", "open", "2026-Q4"],
    )
    .ok();
    db
}

fn read_only(db: &Path) -> Connection {
    Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY).expect("open read-only")
}

fn ops(db: &Path) -> i64 {
    read_only(db)
        .query_row("SELECT count(*) FROM op", [], |r| r.get(0))
        .unwrap()
}

/// Run `yardstick --db DB args…` with arguments that need not be UTF-8.
fn on_os(env: &Env, db: &Path, args: &[OsString]) -> Out {
    let mut std_cmd = env.std_command();
    std_cmd.arg("--db").arg(db).args(args);
    let mut cmd = assert_cmd::Command::from_std(std_cmd);
    cmd.write_stdin("").timeout(common::TIMEOUT);
    let output = cmd.output().expect("run yardstick");
    Out {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        line: format!(
            "yardstick {}",
            args.iter()
                .map(|a| a.to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join(" ")
        ),
    }
}

fn os(a: &str) -> OsString {
    OsString::from(a)
}

fn bytes(b: &[u8]) -> OsString {
    OsStr::from_bytes(b).to_os_string()
}

/// Assert a run was refused as bad input: exit 2, no panic, stderr names
/// every one of `needles` (case-insensitive), and `db` has `before`'s bytes.
#[track_caller]
fn refused(out: &Out, db: &Path, before: &[u8], needles: &[&str]) {
    out.code(2).no_panic();
    assert!(
        out.stderr.starts_with("error:"),
        "`{}`: stderr does not start with an error line\n{}",
        out.line,
        out.stderr
    );
    for n in needles {
        out.stderr_has(n);
    }
    assert_bytes_unchanged(db, before, &out.line);
}

/// Run `args` on `db` and assert it was refused (see [`refused`]).
#[track_caller]
fn refuse(env: &Env, db: &Path, args: &[&str], needles: &[&str]) {
    let before = std::fs::read(db).unwrap();
    let out = env.on(db, args);
    refused(&out, db, &before, needles);
}

/// `FILE:LINE:COL` somewhere in `text` for a file whose name ends `suffix`.
fn has_line_col(text: &str, suffix: &str) -> bool {
    text.match_indices(suffix).any(|(i, _)| {
        let rest = &text[i + suffix.len()..];
        let mut parts = rest.splitn(4, ':');
        parts.next() == Some("")
            && parts
                .next()
                .is_some_and(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_digit()))
            && parts
                .next()
                .is_some_and(|c| !c.is_empty() && c.chars().all(|c| c.is_ascii_digit()))
    })
}

const NON_FINITE: [(&str, &str); 5] = [
    ("NaN", "NaN"),
    ("nan", "NaN"),
    ("inf", "infinite"),
    ("-inf", "infinite"),
    ("1e309", "too large"),
];

#[test]
fn non_finite_and_overflowing_numbers_are_refused_everywhere() {
    let env = Env::new();
    let db = fixture(&env);
    let before_ops = ops(&db);
    for (bad, says) in NON_FINITE.iter().chain(&[
        ("-1e309", "too large"),
        ("Infinity", "infinite"),
        ("１２", "non-ASCII"),
    ]) {
        let needles = [*bad, *says];
        // A check-in's value.
        refuse(
            &env,
            &db,
            &[
                "--as",
                "alice",
                "checkin",
                "api-latency",
                bad,
                "--measure",
                "p95 latency",
            ],
            &needles,
        );
        // A measure's baseline and target, a goal's weight.
        refuse(
            &env,
            &db,
            &[
                "plan",
                "add",
                "Numbers",
                "--owner",
                "alice",
                "--metric",
                "m",
                "--baseline",
                "0",
                "--target",
                bad,
            ],
            &needles,
        );
        refuse(
            &env,
            &db,
            &[
                "plan",
                "add",
                "Numbers",
                "--owner",
                "alice",
                "--metric",
                "m",
                "--baseline",
                bad,
                "--target",
                "5",
            ],
            &needles,
        );
        refuse(
            &env,
            &db,
            &["plan", "edit", "api-latency", "--weight", bad],
            &needles,
        );
        // A percent value and a milestone count.
        refuse(
            &env,
            &db,
            &[
                "--as",
                "alice",
                "checkin",
                "api-latency",
                bad,
                "--measure",
                "test coverage",
            ],
            &needles,
        );
        refuse(
            &env,
            &db,
            &[
                "--as",
                "dev",
                "checkin",
                "release-pipeline",
                bad,
                "--measure",
                "pipeline stages automated",
            ],
            &needles,
        );
        // A rating.
        refuse(
            &env,
            &db,
            &[
                "--as",
                "bob",
                "appraise",
                "review",
                "2026-Q4",
                "alice",
                "--kind",
                "manager",
                &format!("--rate=collaboration={bad}"),
            ],
            &[bad, "not a rating"],
        );
        // Confidence is a whole number 0–10.
        refuse(
            &env,
            &db,
            &[
                "--as",
                "alice",
                "checkin",
                "api-latency",
                "300",
                "--measure",
                "p95 latency",
                &format!("--confidence={bad}"),
            ],
            &["confidence", bad],
        );
    }
    assert_eq!(ops(&db), before_ops);
}

#[test]
fn negative_zero_is_accepted_and_stored_as_zero() {
    let env = Env::new();
    let db = fixture(&env);
    for (i, zero) in ["-0", "-0.0", "-0e3"].into_iter().enumerate() {
        env.on(
            &db,
            &["--as", "sam", "checkin", "onboarding-research", zero],
        )
        .ok()
        .no_panic();
        let key = format!("zero{i}");
        env.on(
            &db,
            &[
                "plan",
                "add",
                "Zero",
                "--key",
                &key,
                "--owner",
                "alice",
                "--metric",
                "m",
                "--baseline",
                zero,
                "--target",
                "5",
            ],
        )
        .ok()
        .no_panic();
    }
    // In the database: zeros with a positive sign.
    let conn = read_only(&db);
    let mut stmt = conn
        .prepare(
            "SELECT value FROM checkin WHERE value IS NOT NULL \
             UNION ALL SELECT baseline FROM measure WHERE name = 'm'",
        )
        .unwrap();
    let values: Vec<f64> = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(values.len(), 6, "{values:?}");
    for v in values {
        assert_eq!(v.to_bits(), 0f64.to_bits(), "stored {v:?}");
    }
    // In everything written out of it: never a "-0".
    let list = env
        .on(&db, &["--format", "json", "checkin", "list"])
        .ok()
        .json();
    for c in list["checkins"].as_array().unwrap() {
        let v = c["value"].as_f64().unwrap();
        assert!(v.is_sign_positive(), "checkin list shows {v:?}");
    }
    let export = env.path("zero.json");
    env.on(&db, &["export", "-o", s(&export)]).ok();
    let text = std::fs::read_to_string(&export).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    for r in doc["records"].as_array().unwrap() {
        for key in ["value", "baseline"] {
            if let Some(v) = r[key].as_f64() {
                assert!(v.is_sign_positive(), "export has {key} {v:?}: {r}");
            }
        }
    }
    let tsv = env
        .on(&db, &["--format", "tsv", "plan", "show", "zero0"])
        .ok()
        .stdout
        .clone();
    assert!(
        !tsv.contains("-0"),
        "plan show prints a negative zero:\n{tsv}"
    );
}

#[test]
fn out_of_scale_ratings_are_refused() {
    let env = Env::new();
    let db = fixture(&env);
    let review = |rate: &str| -> Vec<String> {
        [
            "--as", "bob", "appraise", "review", "2026-Q4", "alice", "--kind", "manager", "--rate",
            rate,
        ]
        .iter()
        .map(|a| (*a).to_string())
        .collect()
    };
    for (rate, shown) in [
        ("collaboration=7", "'7'"),
        ("collaboration=3.5", "'3.5'"),
        ("collaboration=0", "'0'"),
        ("collaboration=-1", "'-1'"),
        ("collaboration=5.5", "'5.5'"),
        ("collaboration=4.000001", "'4.000001'"),
        ("collaboration=１２", "'１２'"),
        ("collaboration=great", "'great'"),
        ("collaboration=", "''"),
    ] {
        let args = review(rate);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let before = std::fs::read(&db).unwrap();
        let out = env.on(&db, &args);
        refused(&out, &db, &before, &["collaboration", shown]);
        // The hint lists what the scale allows.
        out.stderr_has("1 (Unsatisfactory)")
            .stderr_has("5 (Outstanding)");
    }
    // One bad rating among good ones refuses the whole review.
    let before = std::fs::read(&db).unwrap();
    let out = env.on(
        &db,
        &[
            "--as",
            "bob",
            "appraise",
            "review",
            "2026-Q4",
            "alice",
            "--kind",
            "manager",
            "--rate",
            "collaboration=4",
            "--rate",
            "ownership=7",
            "--submit",
        ],
    );
    refused(&out, &db, &before, &["ownership", "'7'"]);
    // The same ratings by value and label are accepted.
    env.on(
        &db,
        &[
            "--as",
            "bob",
            "appraise",
            "review",
            "2026-Q4",
            "alice",
            "--kind",
            "manager",
            "--rate",
            "collaboration=5",
            "--rate",
            "ownership=exceeds expectations",
        ],
    )
    .ok()
    .no_panic();
}

#[test]
fn impossible_dates_and_periods_are_refused() {
    let env = Env::new();
    let db = fixture(&env);
    let checkin = |date: &str| -> Vec<String> {
        [
            "--as",
            "alice",
            "checkin",
            "api-latency",
            "300",
            "--measure",
            "p95 latency",
            "--date",
            date,
        ]
        .iter()
        .map(|a| (*a).to_string())
        .collect()
    };
    for (date, says) in [
        ("2026-02-30", "February 2026 has 28 days"),
        ("2026-13-01", "no month 13"),
        ("2026-00-10", "2026-00-10"),
        ("2025-02-29", "28 days"),
        ("2026-W54", "W54"),
        ("2025-W53", "W53"),
        ("2026-Q5", "Q5"),
        ("2026-H3", "H3"),
        ("0000-01-01", "0000-01-01"),
        ("2026-1-1x", "2026-1-1x"),
        ("２０２６-１１-２２", "２０２６-１１-２２"),
    ] {
        let args = checkin(date);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        refuse(&env, &db, &args, &[date, says]);
        refuse(
            &env,
            &db,
            &["plan", "add", "Dated", "--owner", "alice", "--due", date],
            &[date],
        );
        refuse(
            &env,
            &db,
            &[
                "--as", "bob", "feedback", "give", "alice", "Thanks", "--date", date,
            ],
            &[date],
        );
        refuse(
            &env,
            &db,
            &[
                "--today",
                date,
                "--as",
                "sam",
                "checkin",
                "onboarding-research",
                "3",
            ],
            &[date],
        );
    }
    for period in ["2026-W54", "2026-Q5", "2026-H0", "2026-13"] {
        refuse(
            &env,
            &db,
            &[
                "plan", "add", "Period", "--owner", "alice", "--period", period,
            ],
            &[period, "invalid period"],
        );
    }
}

/// Arguments that are not UTF-8 are refused before anything is opened.
#[test]
fn invalid_utf8_in_arguments_is_refused() {
    let env = Env::new();
    let db = fixture(&env);
    let latin1 = bytes(b"caf\xe9");
    let cases: Vec<Vec<OsString>> = vec![
        vec![
            os("--as"),
            os("alice"),
            os("checkin"),
            os("api-latency"),
            bytes(b"1\xff2"),
            os("--measure"),
            os("p95 latency"),
        ],
        vec![
            os("--as"),
            os("alice"),
            os("checkin"),
            os("api-latency"),
            os("300"),
            os("--measure"),
            os("p95 latency"),
            os("--note"),
            latin1.clone(),
        ],
        vec![
            os("plan"),
            os("add"),
            latin1.clone(),
            os("--owner"),
            os("alice"),
        ],
        vec![
            os("--as"),
            os("bob"),
            os("feedback"),
            os("give"),
            os("alice"),
            latin1.clone(),
        ],
        vec![
            os("--as"),
            os("bob"),
            os("appraise"),
            os("review"),
            os("2026-Q4"),
            os("alice"),
            os("--kind"),
            os("manager"),
            os("--rate"),
            bytes(b"collaboration=\xff"),
        ],
        vec![
            os("--as"),
            os("alice"),
            os("checkin"),
            os("api-latency"),
            os("300"),
            os("--measure"),
            os("p95 latency"),
            os("--date"),
            bytes(b"2026-11-\xff"),
        ],
        vec![
            os("--as"),
            bytes(b"\xffalice"),
            os("checkin"),
            os("onboarding-research"),
            os("3"),
        ],
        vec![
            os("--today"),
            bytes(b"2026-11-2\xff"),
            os("--as"),
            os("sam"),
            os("checkin"),
            os("onboarding-research"),
            os("3"),
        ],
    ];
    for args in cases {
        let before = std::fs::read(&db).unwrap();
        let out = on_os(&env, &db, &args);
        refused(&out, &db, &before, &["UTF-8"]);
    }
}

/// A file with a byte that is not UTF-8 inside a string.
fn with_bad_byte(env: &Env, name: &str, text: &str, after: &str) -> PathBuf {
    let at = text.find(after).expect("anchor") + after.len();
    let mut b = text.as_bytes()[..at].to_vec();
    b.extend_from_slice(b"\xe9\xff");
    b.extend_from_slice(&text.as_bytes()[at..]);
    let path = env.path(name);
    std::fs::write(&path, b).unwrap();
    path
}

fn default_template() -> String {
    yardstick::formats::template::DEFAULT.to_string()
}

fn new_cycle_with(template: &Path) -> Vec<String> {
    [
        "--as",
        "bob",
        "appraise",
        "cycle",
        "new",
        "Extra",
        "--period",
        "2026-Q4",
        "--team",
        "platform",
        "--template",
        s(template),
    ]
    .iter()
    .map(|a| (*a).to_string())
    .collect()
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// A real export of the fixture, one record a line.
fn export_lines(env: &Env, db: &Path) -> Vec<String> {
    let file = env.path("good.json");
    env.on(db, &["export", "-o", s(&file)]).ok();
    std::fs::read_to_string(file)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

/// The index (among the lines) of the first record of `table`.
fn line_of(lines: &[String], table: &str) -> usize {
    let needle = format!("{{\"table\":\"{table}\"");
    lines.iter().position(|l| l.starts_with(&needle)).unwrap()
}

/// `lines` with line `i` replaced by the record `r` (keeping its comma).
fn with_line(lines: &[String], i: usize, r: &Value) -> String {
    let mut l = lines.to_vec();
    let comma = if l[i].ends_with(',') { "," } else { "" };
    l[i] = format!("{r}{comma}");
    l.join("\n")
}

#[test]
fn invalid_utf8_in_files_is_refused() {
    let env = Env::new();
    let db = fixture(&env);
    let plan = std::fs::read_to_string(common::example_plan()).unwrap();
    let plan_file = with_bad_byte(&env, "plan.toml", &plan, "title = \"");
    refuse(
        &env,
        &db,
        &["plan", "apply", s(&plan_file)],
        &["plan.toml", "UTF-8"],
    );
    refuse(
        &env,
        &db,
        &["plan", "apply", "--dry-run", s(&plan_file)],
        &["plan.toml", "UTF-8"],
    );

    let t = with_bad_byte(&env, "template.toml", &default_template(), "name = \"");
    refuse(
        &env,
        &db,
        &strs(&new_cycle_with(&t)),
        &["template.toml", "UTF-8"],
    );

    let lines = export_lines(&env, &db);
    let export = with_bad_byte(&env, "export.json", &lines.join("\n"), "\"title\":\"");
    refuse(
        &env,
        &db,
        &["import", s(&export)],
        &["export.json", "invalid unicode"],
    );

    let config = with_bad_byte(&env, "config.toml", "user = \"sam\"\n", "user = \"");
    refuse(
        &env,
        &db,
        &[
            "--config",
            s(&config),
            "--as",
            "sam",
            "checkin",
            "onboarding-research",
            "3",
        ],
        &["config.toml", "UTF-8"],
    );
}

#[test]
fn malformed_toml_is_refused_with_line_and_column() {
    let env = Env::new();
    let db = fixture(&env);
    let write = |name: &str, text: &str| {
        let p = env.path(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    let goal = "[[goal]]\nkey = \"x\"\ntitle = \"X\"\nowner = \"alice\"\n";
    for (name, text, says) in [
        (
            "syntax.toml",
            "[[goal]]\nkey = \"x\"\ntitle = \nowner = \"alice\"\n",
            "syntax.toml:3:9",
        ),
        (
            "unclosed.toml",
            "[[goal]]\nkey = \"x\ntitle = \"X\"\n",
            "unclosed.toml:2:",
        ),
        ("table.toml", "[[goal]\nkey = \"x\"\n", "table.toml:1:"),
        (
            "unknown.toml",
            &format!("{goal}colour = 1\n"),
            "unknown field 'colour'",
        ),
        (
            "type.toml",
            &format!("{goal}weight = \"heavy\"\n"),
            "type.toml:5:",
        ),
        (
            "nan.toml",
            &format!("{goal}[[goal.measure]]\nname = \"m\"\nbaseline = 0\ntarget = nan\n"),
            "nan.toml:8:",
        ),
        (
            "inf.toml",
            &format!("{goal}[[goal.measure]]\nname = \"m\"\nbaseline = -inf\ntarget = 1\n"),
            "inf.toml:7:",
        ),
        (
            "huge.toml",
            &format!("{goal}[[goal.measure]]\nname = \"m\"\nbaseline = 0\ntarget = 1e309\n"),
            "huge.toml:8:",
        ),
        (
            "date.toml",
            "[[period]]\nname = \"FY\"\nstart = 2026-02-30\nend = 2026-12-31\n",
            "date.toml:3:",
        ),
        ("dup.toml", &format!("{goal}{goal}"), "dup.toml:"),
    ] {
        let p = write(name, text);
        let before = std::fs::read(&db).unwrap();
        let out = env.on(&db, &["plan", "apply", s(&p)]);
        refused(&out, &db, &before, &[says]);
        assert!(
            has_line_col(&out.stderr, name),
            "{name}: no FILE:LINE:COL in\n{}",
            out.stderr
        );
    }

    for (name, old, new, says) in [
        (
            "t-syntax.toml",
            "anonymity_threshold = 3",
            "anonymity_threshold = ",
            "t-syntax.toml:",
        ),
        (
            "t-unknown.toml",
            "anonymity_threshold = 3",
            "anonymity_treshold = 3",
            "unknown field",
        ),
        ("t-nan.toml", "goals = 40", "goals = nan", "t-nan.toml:"),
        (
            "t-scale.toml",
            "{ value = 5, label = \"Outstanding\" }",
            "{ value = 5, label = \"Outstanding\" }, { value = 5, label = \"Again\" }",
            "t-scale.toml:",
        ),
    ] {
        let text = default_template();
        assert!(text.contains(old), "{old}");
        let p = write(name, &text.replacen(old, new, 1));
        let before = std::fs::read(&db).unwrap();
        let out = env.on(&db, &strs(&new_cycle_with(&p)));
        refused(&out, &db, &before, &[says]);
        assert!(
            has_line_col(&out.stderr, name),
            "{name}: no FILE:LINE:COL in\n{}",
            out.stderr
        );
    }

    for (name, text, says) in [
        ("c-syntax.toml", "user = \n", "c-syntax.toml:1:8"),
        ("c-unknown.toml", "colour = \"never\"\n", "unknown field"),
        ("c-type.toml", "busy_timeout_ms = -1\n", "c-type.toml:1:"),
        ("c-nan.toml", "[pace]\nat_risk = nan\n", "pace thresholds"),
        (
            "c-table.toml",
            "[checkin\ncadence_days = 7\n",
            "c-table.toml:1:",
        ),
    ] {
        let p = write(name, text);
        let before = std::fs::read(&db).unwrap();
        let out = env.on(
            &db,
            &[
                "--config",
                s(&p),
                "--as",
                "sam",
                "checkin",
                "onboarding-research",
                "3",
            ],
        );
        refused(&out, &db, &before, &[says]);
        if name != "c-nan.toml" {
            assert!(
                has_line_col(&out.stderr, name),
                "{name}: no FILE:LINE:COL in\n{}",
                out.stderr
            );
        }
    }
}

#[test]
fn imports_with_wrong_columns_or_fields_are_refused() {
    let env = Env::new();
    let db = fixture(&env);
    env.on(&db, &["--as", "sam", "checkin", "onboarding-research", "3"])
        .ok();
    let lines = export_lines(&env, &db);
    let ck = line_of(&lines, "checkin");
    let record: Value = serde_json::from_str(lines[ck].trim_end_matches(',')).unwrap();

    let mut cases: Vec<(&str, String, Vec<String>)> = Vec::new();
    // The spreadsheet CSV is not an import format.
    let csv = env.path("checkins.csv");
    env.on(&db, &["export", "--format", "csv", "-o", s(&csv)])
        .ok();
    cases.push((
        "checkins.csv",
        std::fs::read_to_string(&csv).unwrap(),
        vec!["not valid JSON".into(), "line 1, column 1".into()],
    ));
    // A CSV with made-up columns.
    cases.push((
        "people.csv",
        "handle,name,salary\nkim,Kim,100\n".into(),
        vec!["not valid JSON".into()],
    ));
    // An unknown field in a record.
    let mut r = record.clone();
    r["colour"] = Value::from("red");
    cases.push((
        "unknown-field.json",
        with_line(&lines, ck, &r),
        vec!["unknown field 'colour'".into()],
    ));
    // A required field missing.
    let mut r = record.clone();
    r.as_object_mut().unwrap().remove("date");
    cases.push((
        "missing-date.json",
        with_line(&lines, ck, &r),
        vec!["'date'".into(), "required".into()],
    ));
    // A field of the wrong type.
    let mut r = record.clone();
    r["value"] = Value::from("three");
    cases.push((
        "string-value.json",
        with_line(&lines, ck, &r),
        vec!["'value'".into()],
    ));
    // A number out of range, an impossible date, NaN.
    let mut r = record.clone();
    r["value"] = Value::from(1.5);
    let text = with_line(&lines, ck, &r);
    cases.push((
        "huge.json",
        text.replacen("\"value\":1.5", "\"value\":1e309", 1),
        vec!["not valid JSON".into()],
    ));
    cases.push((
        "nan.json",
        text.replacen("\"value\":1.5", "\"value\":NaN", 1),
        vec!["not valid JSON".into()],
    ));
    let mut r = record.clone();
    r["date"] = Value::from("2026-02-30");
    cases.push((
        "bad-date.json",
        with_line(&lines, ck, &r),
        vec!["'date'".into()],
    ));
    // An unknown top-level field, no records, a bare array.
    let mut l = lines.clone();
    l[0] = l[0].replacen("{", "{\"rows\":[],", 1);
    cases.push((
        "top-level.json",
        l.join("\n"),
        vec!["unknown top-level field 'rows'".into()],
    ));
    cases.push((
        "no-records.json",
        "{\"schema_version\":1,\"kind\":\"export\"}".into(),
        vec!["no records".into()],
    ));
    cases.push(("array.json", "[]".into(), vec!["not valid JSON".into()]));

    let before_ops = ops(&db);
    for (name, text, needles) in cases {
        let path = env.path(name);
        std::fs::write(&path, text).unwrap();
        let mut needles: Vec<&str> = needles.iter().map(String::as_str).collect();
        needles.push(name);
        for extra in [&[][..], &["--dry-run"][..]] {
            let mut args = vec!["import", s(&path)];
            args.extend_from_slice(extra);
            refuse(&env, &db, &args, &needles);
        }
    }
    assert_eq!(ops(&db), before_ops);
}

/// One argument of 1 MiB cannot reach the binary on Linux: `execve` refuses
/// any single argument over 128 KiB (`MAX_ARG_STRLEN`) with E2BIG. The
/// longest argument that does get through is refused with a message naming
/// the limit; 1 MiB texts inside files are refused (plan, template) or stored
/// whole (an import), never a crash.
#[test]
fn very_long_text_is_refused_or_stored_whole() {
    let env = Env::new();
    let db = fixture(&env);
    let mib = "x".repeat(1 << 20);

    let spawn = env
        .std_command()
        .arg("--db")
        .arg(&db)
        .args([
            "--as",
            "sam",
            "checkin",
            "onboarding-research",
            "3",
            "--note",
        ])
        .arg(&mib)
        .output();
    match spawn {
        Err(e) => assert_eq!(e.raw_os_error(), Some(7), "expected E2BIG, got {e}"),
        Ok(o) => panic!(
            "a 1 MiB argument reached the binary: exit {:?}\n{}",
            o.status.code(),
            String::from_utf8_lossy(&o.stderr)
        ),
    }

    let longest = "x".repeat(128 * 1024 - 1);
    for (args, says) in [
        (
            vec![
                "--as",
                "sam",
                "checkin",
                "onboarding-research",
                "3",
                "--note",
                &longest,
            ],
            "note is longer than 10000 characters",
        ),
        (
            vec!["plan", "add", &longest, "--owner", "alice", "--key", "long"],
            "title is longer than 300 characters",
        ),
        (
            vec!["--as", "bob", "feedback", "give", "alice", &longest],
            "feedback text is longer than 10000 characters",
        ),
        (
            vec![
                "--as",
                "bob",
                "appraise",
                "review",
                "2026-Q4",
                "alice",
                "--kind",
                "manager",
                "--summary",
                &longest,
            ],
            "longer than",
        ),
    ] {
        refuse(&env, &db, &args, &[says]);
    }

    // 1 MiB in a plan file's title and a template's name: refused.
    let plan = format!("[[goal]]\nkey = \"long\"\ntitle = \"{mib}\"\nowner = \"alice\"\n");
    let p = env.path("long.toml");
    std::fs::write(&p, plan).unwrap();
    refuse(
        &env,
        &db,
        &["plan", "apply", s(&p)],
        &["long.toml:3:", "longer than 300"],
    );
    let t = default_template().replacen("name = \"Default\"", &format!("name = \"{mib}\""), 1);
    let p = env.path("long-template.toml");
    std::fs::write(&p, t).unwrap();
    refuse(
        &env,
        &db,
        &strs(&new_cycle_with(&p)),
        &["long-template.toml:", "name"],
    );

    // 1 MiB in an imported check-in's note: the importer applies the command
    // line's 10,000-character limit, refusing the whole file (exit 2) and
    // naming the record and field; nothing is written.
    env.on(&db, &["--as", "sam", "checkin", "onboarding-research", "3"])
        .ok();
    let lines = export_lines(&env, &db);
    let ck = line_of(&lines, "checkin");
    let mut r: Value = serde_json::from_str(lines[ck].trim_end_matches(',')).unwrap();
    r["uuid"] = Value::from("0e0e0e0e-0000-4000-8000-000000000001");
    r["note"] = Value::from(mib.clone());
    let p = env.path("long-note.json");
    std::fs::write(&p, with_line(&lines, ck, &r)).unwrap();
    let before = std::fs::read(&db).unwrap();
    let out = env.on(&db, &["import", s(&p)]);
    out.no_panic();
    assert_eq!(
        out.code, 2,
        "import of a 1 MiB note exited {}\n{}",
        out.code, out.stderr
    );
    assert!(
        out.stderr.contains("note") && out.stderr.contains("longer than"),
        "{}",
        out.stderr
    );
    assert_eq!(
        std::fs::read(&db).unwrap(),
        before,
        "a refused import wrote something"
    );
}

/// The strings of every case above through the number-taking arguments in
/// one sweep, with nothing written by any of them.
#[test]
fn nothing_is_written_by_any_refused_number() {
    let env = Env::new();
    let db = fixture(&env);
    let before = std::fs::read(&db).unwrap();
    let before_ops = ops(&db);
    for bad in [
        "",
        " ",
        "1,000",
        "1_000",
        "0x1F",
        "1e",
        "--1",
        "1.2.3",
        "١٢",
        "12\u{a0}000",
        "−5",
        "1e99999",
        "0.1e-99999x",
        "+-1",
    ] {
        let out = env.on(
            &db,
            &[
                "--as",
                "alice",
                "checkin",
                "api-latency",
                "--measure",
                "p95 latency",
                "--",
                bad,
            ],
        );
        out.code(2).no_panic();
        if !bad.trim().is_empty() {
            out.stderr_has(bad.trim());
        }
    }
    assert_bytes_unchanged(&db, &before, "refused numbers");
    assert_eq!(ops(&db), before_ops);
}

//! End-to-end tests of `report` (issue 5), driving the real binary on a
//! small, fully pinned database: snapshots of every report in table, CSV,
//! JSON and Markdown; the HTML packet and team page parsed and checked for
//! their charts and for escaped text; CSV read back (with the csv crate and
//! with Python's csv module through `scripts/check-csv.py`) against the
//! database and the JSON of the same command, with a formula-injection
//! corpus; the shared filters; privacy (private feedback, peer reviewers);
//! and that no report writes to the database.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Env, Out, TIMEOUT, assert_bytes_unchanged, mode, s, side_file};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The review cycle of the fixture.
const CYCLE: &str = "H2-2026";

/// The peer reviewers of alice in the cycle: their handles, names and
/// comments must never appear in `report person` or `report cycle`.
const PEERS: [&str; 3] = ["xenia", "yusuf", "zora"];
const PEER_NAMES: [&str; 3] = ["Peer Xenia", "Peer Yusuf", "Peer Zora"];
const PEER_COMMENT: &str = "Peer comment number";

/// alice's private feedback (from chen).
const PRIVATE_TEXT: &str = "Share findings earlier with product";

/// A goal title (and measure name) that must be escaped in HTML.
const SCRIPT: &str = "<script>alert(1)</script>";
const SCRIPT_ESCAPED: &str = "&lt;script&gt;alert(1)&lt;/script&gt;";

/// Every output format.
const ALL_FORMATS: [&str; 7] = ["table", "json", "jsonl", "csv", "tsv", "markdown", "html"];

/// The formats that are snapshotted.
const SNAPSHOT_FORMATS: [&str; 4] = ["table", "csv", "json", "markdown"];

/// Every report, with its arguments.
fn reports() -> Vec<(&'static str, Vec<&'static str>)> {
    vec![
        ("goals", vec!["report", "goals"]),
        ("gaps", vec!["report", "gaps"]),
        ("team", vec!["report", "team"]),
        ("trend", vec!["report", "trend", "api-latency"]),
        ("checkins", vec!["report", "checkins"]),
        ("cycle", vec!["report", "cycle", CYCLE]),
        (
            "person",
            vec!["report", "person", "alice", "--cycle", CYCLE],
        ),
        ("effectiveness", vec!["report", "effectiveness"]),
    ]
}

fn repo_file(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn args_with<'a>(base: &[&'a str], extra: &[&'a str]) -> Vec<&'a str> {
    let mut v = base.to_vec();
    v.extend_from_slice(extra);
    v
}

// ---------------------------------------------------------------------------
// The fixture.

/// Fill `db` (initialised) with the pinned data set: the example plan, three
/// peers in the product team, check-ins, feedback (one private), and a
/// finalized review cycle of the platform team with self, manager and peer
/// reviews, a calibration and outcomes. Today is pinned to 2026-11-22 by the
/// sealed environment; every date is given explicitly.
fn build_fixture(env: &Env, db: &Path) {
    let run = |args: &[&str]| {
        env.on(db, args).ok();
    };
    run(&["plan", "apply", s(&common::example_plan())]);
    for (p, name) in PEERS.iter().zip(PEER_NAMES) {
        run(&[
            "people",
            "add",
            p,
            "--name",
            name,
            "--team",
            "product",
            "--manager",
            "chen",
        ]);
    }
    let checkins: [&[&str]; 10] = [
        &[
            "--as",
            "alice",
            "checkin",
            "api-latency",
            "430",
            "--measure",
            "p95 latency",
            "--date",
            "2026-10-08",
            "--note",
            "baseline profile",
            "--confidence",
            "6",
        ],
        &[
            "--as",
            "alice",
            "checkin",
            "api-latency",
            "380",
            "--measure",
            "p95 latency",
            "--date",
            "2026-10-22",
            "--note",
            "cache in front of /search",
            "--confidence",
            "7",
        ],
        &[
            "--as",
            "alice",
            "checkin",
            "api-latency",
            "330",
            "--measure",
            "p95 latency",
            "--date",
            "2026-11-05",
            "--status",
            "on-track",
        ],
        &[
            "--as",
            "alice",
            "checkin",
            "api-latency",
            "300",
            "--measure",
            "p95 latency",
            "--date",
            "2026-11-19",
            "--confidence",
            "8",
        ],
        &[
            "--as",
            "alice",
            "checkin",
            "api-latency",
            "65",
            "--measure",
            "test coverage",
            "--date",
            "2026-10-15",
        ],
        &[
            "--as",
            "alice",
            "checkin",
            "api-latency",
            "72",
            "--measure",
            "test coverage",
            "--date",
            "2026-11-12",
        ],
        &[
            "--as",
            "dev",
            "checkin",
            "release-pipeline",
            "2",
            "--measure",
            "pipeline stages automated",
            "--date",
            "2026-11-01",
            "--status",
            "at-risk",
            "--note",
            "blocked on staging",
        ],
        &[
            "--as",
            "dev",
            "checkin",
            "release-pipeline",
            "no",
            "--measure",
            "zero-downtime deploy in production",
            "--date",
            "2026-11-20",
        ],
        &[
            "--as",
            "bob",
            "checkin",
            "reliable-platform",
            "99.7",
            "--measure",
            "monthly uptime",
            "--date",
            "2026-10-31",
        ],
        &[
            "--as",
            "chen",
            "checkin",
            "support-cost",
            "35.5",
            "--date",
            "2026-11-10",
        ],
    ];
    for c in checkins {
        run(c);
    }
    run(&[
        "--as",
        "bob",
        "feedback",
        "give",
        "alice",
        "Great profiling work on /search",
        "--goal",
        "api-latency",
        "--date",
        "2026-11-06",
    ]);
    run(&[
        "--as",
        "chen",
        "feedback",
        "give",
        "alice",
        PRIVATE_TEXT,
        "--kind",
        "coaching",
        "--private",
        "--date",
        "2026-11-13",
    ]);
    run(&[
        "--as",
        "maria",
        "feedback",
        "give",
        "dev",
        "Pipeline slipped twice",
        "--kind",
        "concern",
        "--date",
        "2026-11-18",
    ]);

    let template = repo_file("examples/templates/default.toml");
    run(&[
        "appraise",
        "cycle",
        "new",
        CYCLE,
        "--period",
        "2026-H2",
        "--team",
        "platform",
        "--template",
        s(&template),
    ]);
    run(&["appraise", "cycle", "open", CYCLE]);
    run(&[
        "appraise", "peers", CYCLE, "alice", "--add", PEERS[0], PEERS[1], PEERS[2],
    ]);
    let comps = |c: &str, m: &str, o: &str, e: &str| -> Vec<String> {
        vec![
            format!("collaboration={c}"),
            format!("communication={m}"),
            format!("ownership={o}"),
            format!("expertise={e}"),
        ]
    };
    let review = |who: &str, subject: &str, kind: &str, rates: Vec<String>, extra: &[&str]| {
        let mut args: Vec<&str> = vec![
            "--as", who, "appraise", "review", CYCLE, subject, "--kind", kind,
        ];
        for r in &rates {
            args.extend_from_slice(&["--rate", r]);
        }
        args.extend_from_slice(extra);
        args.push("--submit");
        env.on(db, &args).ok();
    };
    let mut alice = comps("4", "4", "5", "4");
    alice.push("api-latency=4".into());
    review(
        "alice",
        "alice",
        "self",
        alice.clone(),
        &["--summary", "Halved p95 latency"],
    );
    let mut dev = comps("3", "3", "3", "4");
    dev.push("release-pipeline=2".into());
    review("dev", "dev", "self", dev, &[]);
    review("bob", "bob", "self", comps("4", "4", "5", "4"), &[]);
    review(
        "bob",
        "alice",
        "manager",
        alice,
        &[
            "--comment",
            "ownership=Drove the caching work",
            "--summary",
            "Strong half",
        ],
    );
    let mut dev = comps("3", "2", "3", "3");
    dev.push("release-pipeline=2".into());
    review("bob", "dev", "manager", dev, &[]);
    review("maria", "bob", "manager", comps("4", "5", "4", "4"), &[]);
    for (i, p) in PEERS.iter().enumerate() {
        let comment = format!("collaboration={PEER_COMMENT} {i}");
        review(
            p,
            "alice",
            "peer",
            comps("5", "4", "4", "5"),
            &["--comment", &comment],
        );
    }
    run(&["appraise", "cycle", "calibrate", CYCLE]);
    run(&[
        "appraise",
        "calibrate",
        CYCLE,
        "dev",
        "--level",
        "3",
        "--reason",
        "Pipeline scope grew mid-half",
    ]);
    run(&[
        "appraise",
        "outcome",
        CYCLE,
        "alice",
        "--potential",
        "high",
        "--recommend",
        "promotion",
        "--action",
        "Lead the Q1 caching rollout",
        "--due",
        "2027-03-31",
    ]);
    run(&[
        "appraise",
        "outcome",
        CYCLE,
        "dev",
        "--potential",
        "medium",
        "--recommend",
        "none",
        "--action",
        "Pair with SRE on deploys",
        "--due",
        "2027-02-28",
    ]);
    run(&[
        "appraise",
        "outcome",
        CYCLE,
        "bob",
        "--potential",
        "medium",
        "--recommend",
        "raise",
    ]);
    run(&["appraise", "cycle", "finalize", CYCLE]);
}

/// The bytes of the fixture database, built once per test binary.
fn fixture_bytes() -> &'static [u8] {
    static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    BYTES.get_or_init(|| {
        let env = Env::new();
        let db = env.init_db();
        build_fixture(&env, &db);
        for suffix in ["-wal", "-journal"] {
            let side = side_file(&db, suffix);
            assert!(
                std::fs::metadata(&side).map_or(true, |m| m.len() == 0),
                "{} left behind after the fixture was built",
                side.display()
            );
        }
        std::fs::read(&db).expect("read fixture db")
    })
}

/// A private copy of the fixture database in `env`.
fn fixture(env: &Env) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let db = env.db();
    std::fs::write(&db, fixture_bytes()).expect("write fixture copy");
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o600)).expect("chmod 0600");
    db
}

/// Run `yardstick --db DB ARGS` with extra environment variables.
fn run_with_env(env: &Env, db: &Path, vars: &[(&str, &str)], args: &[&str]) -> Out {
    let mut std_cmd = env.std_command();
    std_cmd.arg("--db").arg(db).args(args);
    for (k, v) in vars {
        std_cmd.env(k, v);
    }
    let mut cmd = assert_cmd::Command::from_std(std_cmd);
    cmd.write_stdin("").timeout(TIMEOUT);
    let output = cmd.output().expect("run yardstick");
    Out {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        line: format!("yardstick --db {} {}", db.display(), args.join(" ")),
    }
}

/// `args --format FORMAT`; tables with `COLUMNS=120` and `NO_COLOR`.
fn report_in(env: &Env, db: &Path, args: &[&str], format: &str) -> Out {
    let args = args_with(args, &["--format", format]);
    let out = run_with_env(env, db, &[("COLUMNS", "120"), ("NO_COLOR", "1")], &args);
    out.ok().no_panic();
    out
}

// ---------------------------------------------------------------------------
// Helpers for the checks.

/// Whether `b` (36 bytes) looks like a UUID: 8-4-4-4-12 hex digits.
fn is_uuid(b: &[u8]) -> bool {
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// Replace every UUID in `text` by `[uuid]`.
fn redact_uuids(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        if i + 36 <= b.len() && is_uuid(&b[i..i + 36]) {
            out.push_str("[uuid]");
            i += 36;
        } else {
            let ch = text[i..].chars().next().expect("char");
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

/// No escape code, no NaN or infinity, nothing a terminal would run.
#[track_caller]
fn assert_sane(what: &str, text: &str) {
    assert!(!text.contains('\u{1b}'), "{what}: escape code in\n{text}");
    for bad in ["NaN", "nan%", "inf%", "Infinity", "-inf", "panicked"] {
        assert!(!text.contains(bad), "{what}: {bad:?} in\n{text}");
    }
    assert!(!text.is_empty(), "{what}: empty output");
}

/// The documented CSV form of a text value: a leading `'` on text starting
/// with = + - @ tab CR LF, unless the whole text is a plain real number.
fn neutralized(text: &str) -> String {
    let risky = matches!(
        text.as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r' | b'\n')
    );
    let plain_number = text
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b'e' | b'E'))
        && text.bytes().any(|b| b.is_ascii_digit())
        && text.parse::<f64>().is_ok_and(f64::is_finite);
    if risky && !plain_number {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

/// Parse CSV text with the csv crate: the header and the records.
fn read_csv(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    let header = r
        .headers()
        .expect("CSV header")
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = r
        .records()
        .map(|rec| rec.expect("CSV record").iter().map(str::to_owned).collect())
        .collect();
    (header, rows)
}

fn same_float(cell: &str, value: f64) -> bool {
    cell.parse::<f64>()
        .is_ok_and(|c| c == value || (c - value).abs() <= 1e-9 * value.abs().max(1.0))
}

/// Whether the CSV cell is the CSV form of the JSON value.
fn cell_matches(cell: &str, value: &Value) -> bool {
    match value {
        Value::Null => cell.is_empty(),
        Value::Bool(b) => cell == if *b { "true" } else { "false" },
        Value::Number(n) => same_float(cell, n.as_f64().expect("f64")),
        Value::String(t) => cell == neutralized(t),
        Value::Array(items) => {
            let parts: Vec<&str> = if cell.is_empty() {
                Vec::new()
            } else {
                cell.split(' ').collect()
            };
            parts.len() == items.len()
                && parts
                    .iter()
                    .zip(items)
                    .all(|(p, v)| v.as_f64().is_some_and(|f| same_float(p, f)))
        }
        Value::Object(_) => false,
    }
}

/// Compare CSV output with the table `key` of the same command's JSON: one
/// row per JSON row, every cell equal (the `'` rule for text). Returns the
/// parsed CSV.
#[track_caller]
fn assert_csv_matches_json(
    what: &str,
    csv_text: &str,
    json: &Value,
    key: &str,
) -> (Vec<String>, Vec<Vec<String>>) {
    let (header, rows) = read_csv(csv_text);
    let table = json[key]
        .as_array()
        .unwrap_or_else(|| panic!("{what}: no table {key:?} in {json}"));
    assert_eq!(rows.len(), table.len(), "{what}: row counts\n{csv_text}");
    for (n, (row, obj)) in rows.iter().zip(table).enumerate() {
        let obj = obj.as_object().expect("row object");
        let keys: Vec<&String> = obj.keys().collect();
        let mut sorted_header: Vec<&String> = header.iter().collect();
        sorted_header.sort();
        let mut sorted_keys = keys.clone();
        sorted_keys.sort();
        assert_eq!(
            sorted_header, sorted_keys,
            "{what}: header against JSON keys"
        );
        assert_eq!(row.len(), header.len(), "{what}: row {n} length");
        for (col, cell) in header.iter().zip(row) {
            assert!(
                cell_matches(cell, &obj[col]),
                "{what}: row {n}, column {col}: CSV {cell:?} but JSON {}",
                obj[col]
            );
        }
    }
    (header, rows)
}

fn column(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name:?} in {header:?}"))
}

/// The rows of table `key` in a JSON document.
fn rows<'a>(doc: &'a Value, key: &str) -> &'a Vec<Value> {
    doc[key]
        .as_array()
        .unwrap_or_else(|| panic!("no table {key:?} in {doc}"))
}

/// The values of `field` in table `key`, as strings.
fn field_values(doc: &Value, key: &str, field: &str) -> Vec<String> {
    rows(doc, key)
        .iter()
        .map(|r| match &r[field] {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect()
}

/// `args --format json`, parsed.
fn json_of(env: &Env, db: &Path, args: &[&str]) -> Value {
    let out = env.on(db, &args_with(args, &["--format", "json"]));
    out.ok().no_panic();
    out.json()
}

// ---------------------------------------------------------------------------
// 1. Snapshots of every report in table, CSV, JSON and Markdown.

fn snapshot_report(name: &str) {
    let (_, args) = reports()
        .into_iter()
        .find(|(n, _)| *n == name)
        .expect("known report");
    let env = Env::new();
    let db = fixture(&env);
    for format in SNAPSHOT_FORMATS {
        let out = report_in(&env, &db, &args, format);
        let what = format!("report {name} --format {format}");
        assert_sane(&what, &out.stdout);
        let mut text = out.stdout.clone();
        match format {
            "csv" => {
                assert!(
                    text.ends_with("\r\n")
                        && text.matches('\n').count() == text.matches("\r\n").count(),
                    "{what}: every CSV line ends in CRLF:\n{text:?}"
                );
                text = text.replace("\r\n", "\n");
            }
            "json" => {
                let v = out.json();
                assert_eq!(v["schema_version"], 1, "{what}");
                assert_eq!(v["kind"], format!("report_{name}"), "{what}");
            }
            _ => {}
        }
        let redacted = redact_uuids(&text);
        assert_eq!(redacted, text, "{what}: a UUID in the output");
        insta::assert_snapshot!(format!("{name}_{format}"), redacted);
    }
}

#[test]
fn snapshot_goals() {
    snapshot_report("goals");
}

#[test]
fn snapshot_gaps() {
    snapshot_report("gaps");
}

#[test]
fn snapshot_team() {
    snapshot_report("team");
}

#[test]
fn snapshot_trend() {
    snapshot_report("trend");
}

#[test]
fn snapshot_checkins() {
    snapshot_report("checkins");
}

#[test]
fn snapshot_cycle() {
    snapshot_report("cycle");
}

#[test]
fn snapshot_person() {
    snapshot_report("person");
}

#[test]
fn snapshot_effectiveness() {
    snapshot_report("effectiveness");
}

/// A few numbers of the fixture, checked by hand so that the snapshots are
/// known to hold the right values and not just the same ones.
#[test]
fn fixture_numbers_are_the_expected_ones() {
    let env = Env::new();
    let db = fixture(&env);
    let goals = json_of(&env, &db, &["report", "goals"]);
    let p95 = rows(&goals, "measures")
        .iter()
        .find(|r| r["measure"] == "p95 latency")
        .expect("p95 row");
    // 450 → 300 of 450 → 200: 60 %; expected on 2026-11-22 of 2026-10-01..12-31: 52/91.
    assert_eq!(p95["current"], 300.0, "{p95}");
    assert_eq!(p95["progress_pct"], 60.0, "{p95}");
    assert_eq!(p95["expected_pct"], 57.14, "{p95}");
    assert_eq!(p95["pace"], "on-track", "{p95}");
    assert_eq!(
        p95["trend"],
        serde_json::json!([430.0, 380.0, 330.0, 300.0]),
        "{p95}"
    );
    assert_eq!(p95["last_checkin_days"], 3, "{p95}");

    let trend = json_of(&env, &db, &["report", "trend", "api-latency"]);
    let first = &rows(&trend, "points")[0];
    // 7 of 91 days: 450 − 250·7/91 = 430.769.
    assert_eq!(first["expected"], 430.769, "{first}");

    let cycle = json_of(&env, &db, &["report", "cycle", CYCLE]);
    let dist: Vec<i64> = rows(&cycle, "distribution")
        .iter()
        .map(|r| r["people"].as_i64().expect("count"))
        .collect();
    // Final levels: alice 3, bob 4, dev 3 (calibrated from 2).
    assert_eq!(dist, vec![0, 0, 2, 1, 0], "{cycle}");
    let reviewers = field_values(&cycle, "reviewers", "reviewer");
    assert_eq!(reviewers, vec!["maria", "bob"], "{cycle}");

    let person = json_of(&env, &db, &["report", "person", "alice", "--cycle", CYCLE]);
    // Three peers reached the anonymity threshold of 3: their average shows.
    assert_eq!(person["person"]["peer_average"], 4.5, "{person}");

    let checkins = json_of(&env, &db, &["report", "checkins"]);
    let alice = rows(&checkins, "people")
        .iter()
        .find(|r| r["person"] == "alice")
        .expect("alice");
    assert_eq!(alice["checkins"], 6, "{alice}");
    assert_eq!(alice["weeks"], 8, "{alice}");
    assert_eq!(alice["compliance_pct"], 75.0, "{alice}");
}

// ---------------------------------------------------------------------------
// 2. HTML.

/// Elements that have no end tag.
const VOID: [&str; 8] = ["meta", "br", "hr", "img", "input", "link", "col", "wbr"];

/// Check that every element of `html` is closed in order (void elements
/// and `/>` aside; `<style>` is raw text). Returns the element names seen.
#[track_caller]
fn assert_balanced(what: &str, html: &str) -> Vec<String> {
    let b = html.as_bytes();
    let mut stack: Vec<String> = Vec::new();
    let mut seen = Vec::new();
    let mut i = 0;
    while let Some(off) = html[i..].find('<') {
        let start = i + off;
        let rest = &html[start..];
        if rest.starts_with("<!--") {
            let end = rest
                .find("-->")
                .unwrap_or_else(|| panic!("{what}: unclosed comment"));
            i = start + end + 3;
            continue;
        }
        // Find the end of the tag, outside quoted attribute values.
        let mut j = start + 1;
        let mut quote: Option<u8> = None;
        while j < b.len() {
            match (quote, b[j]) {
                (None, b'"' | b'\'') => quote = Some(b[j]),
                (Some(q), c) if c == q => quote = None,
                (None, b'>') => break,
                _ => {}
            }
            j += 1;
        }
        assert!(j < b.len(), "{what}: unterminated tag at byte {start}");
        let tag = &html[start + 1..j];
        i = j + 1;
        if tag.starts_with('!') {
            continue;
        }
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect::<String>()
            .to_ascii_lowercase();
        assert!(
            !name.is_empty(),
            "{what}: a '<' that starts no tag at byte {start}: {:?}",
            &html[start..(start + 40).min(html.len())]
        );
        if closing {
            let open = stack
                .pop()
                .unwrap_or_else(|| panic!("{what}: </{name}> closes nothing"));
            assert_eq!(
                open, name,
                "{what}: </{name}> closes <{open}> (at byte {start})"
            );
            continue;
        }
        seen.push(name.clone());
        if tag.ends_with('/') || VOID.contains(&name.as_str()) {
            continue;
        }
        if name == "style" {
            let end = html[i..]
                .find("</style>")
                .unwrap_or_else(|| panic!("{what}: unclosed <style>"));
            i += end + "</style>".len();
            continue;
        }
        stack.push(name);
    }
    assert!(stack.is_empty(), "{what}: unclosed elements {stack:?}");
    seen
}

/// The checks every HTML page passes: one self-contained document, no
/// script, no URL, every element closed.
#[track_caller]
fn assert_self_contained(what: &str, html: &str) {
    assert!(
        html.starts_with("<!doctype html>") || html.starts_with("<!DOCTYPE html>"),
        "{what}: does not start with <!doctype html>: {:?}",
        &html[..html.len().min(60)]
    );
    let low = html.to_ascii_lowercase();
    assert!(!low.contains("<script"), "{what}: a <script element");
    assert!(!low.contains("http"), "{what}: a URL (\"http\")");
    assert!(!low.contains("src="), "{what}: an external source");
    assert!(!low.contains("<link"), "{what}: a <link element");
    assert_eq!(
        low.matches("<svg").count(),
        low.matches("</svg>").count(),
        "{what}: every <svg is closed"
    );
    let seen = assert_balanced(what, html);
    assert!(seen.iter().any(|n| n == "svg"), "{what}: no <svg at all");
    assert!(!html.contains('\u{1b}'), "{what}: an escape code");
}

/// A goal of alice titled `<script>alert(1)</script>` with a measure of the
/// same name, checked in once.
fn add_script_goal(env: &Env, db: &Path) {
    env.on(
        db,
        &[
            "plan",
            "add",
            SCRIPT,
            "--key",
            "script-goal",
            "--owner",
            "alice",
            "--period",
            "2026-Q4",
            "--metric",
            SCRIPT,
            "--baseline",
            "0",
            "--target",
            "10",
        ],
    )
    .ok();
    env.on(
        db,
        &[
            "--as",
            "alice",
            "checkin",
            "script-goal",
            "4",
            "--date",
            "2026-11-02",
            "--note",
            SCRIPT,
        ],
    )
    .ok();
}

#[test]
fn html_packet_and_team_page_are_self_contained_with_charts() {
    let env = Env::new();
    let db = fixture(&env);
    add_script_goal(&env, &db);
    // The cycle is finalized: its packet is the record stored then, which
    // the script goal, added since, is not in. Reopened, the packet is live.
    env.on(
        &db,
        &[
            "appraise",
            "cycle",
            "reopen",
            CYCLE,
            "--reason",
            "add the script goal",
        ],
    )
    .ok();

    // The review packet, written with -o: the format follows the extension.
    let packet = env.path("packet.html");
    let out = env.on(
        &db,
        &[
            "report",
            "person",
            "alice",
            "--cycle",
            CYCLE,
            "-o",
            s(&packet),
        ],
    );
    out.ok().no_panic();
    assert_eq!(
        mode(&packet),
        0o600,
        "the packet is readable only by its owner"
    );
    let html = std::fs::read_to_string(&packet).expect("read packet");
    assert_self_contained("packet", &html);
    for needle in [
        "<polyline class=\"actual\"",
        "class=\"target\"",
        "class=\"pace\"",
        "<svg class=\"bar\"",
        "Alice Moreau",
        "Lead the Q1 caching rollout",
    ] {
        assert!(html.contains(needle), "packet: no {needle:?}");
    }
    // One trend chart per measure of alice (p95, coverage, the script goal).
    assert_eq!(
        html.matches("<polyline class=\"actual\"").count(),
        3,
        "packet trends"
    );
    assert!(
        html.contains(SCRIPT_ESCAPED),
        "packet: the title is not shown escaped"
    );
    assert!(
        !html.to_ascii_lowercase().contains("<script"),
        "packet: a raw <script"
    );

    // The team page, on stdout.
    let out = report_in(&env, &db, &["report", "team"], "html");
    assert_self_contained("team", &out.stdout);
    assert!(
        out.stdout.contains("<rect class=\"bar\""),
        "team: no bar chart"
    );
    assert!(
        out.stdout.contains("<svg class=\"bar\""),
        "team: no progress bars"
    );

    // The cycle page: the rating distribution as bars, one per level.
    let out = report_in(&env, &db, &["report", "cycle", CYCLE], "html");
    assert_self_contained("cycle", &out.stdout);
    assert!(
        out.stdout.matches("<rect class=\"bar\"").count() >= 5,
        "cycle: the rating distribution has a bar per level"
    );

    // The title and measure `<script>…` appear as text in goals, trend and
    // the packet, and never as a tag.
    for args in [
        vec!["report", "goals"],
        vec!["report", "gaps"],
        vec!["report", "trend", "script-goal"],
    ] {
        let out = report_in(&env, &db, &args, "html");
        let what = args.join(" ");
        assert_self_contained(&what, &out.stdout);
        assert!(
            out.stdout.contains(SCRIPT_ESCAPED),
            "{what}: {SCRIPT:?} is not shown escaped"
        );
    }
    // Markdown cannot turn it into raw HTML either.
    let md = report_in(&env, &db, &["report", "goals"], "markdown");
    assert!(
        md.stdout.contains("\\<script\\>alert(1)\\</script\\>"),
        "markdown: no \\<script\\>:\n{}",
        md.stdout
    );
    assert!(
        !md.stdout.replace("\\<", "").contains('<'),
        "markdown: an unescaped <:\n{}",
        md.stdout
    );
}

// ---------------------------------------------------------------------------
// 3. CSV safety.

/// The injection corpus. Values with a leading control character cannot be
/// typed into the CLI (input is trimmed or refused), so they are written into
/// the database directly, in place of a placeholder.
const CORPUS: [&str; 9] = [
    "=1+2",
    "+cmd",
    "-2+3",
    "@SUM(A1)",
    "\tleading tab",
    "\rleading CR",
    "\nleading LF",
    "=HYPERLINK(\"http://x\",\"y\")",
    "-3.5",
];

fn placeholder(text: &str) -> Option<&'static str> {
    match text.as_bytes().first() {
        Some(b'\t') => Some("PLACEHOLDER-TAB"),
        Some(b'\r') => Some("PLACEHOLDER-CR"),
        Some(b'\n') => Some("PLACEHOLDER-LF"),
        _ => None,
    }
}

/// Goals whose measure names and units, check-in notes and feedback texts
/// are the corpus, and a check-in of -3.5.
fn add_injection_corpus(env: &Env, db: &Path) {
    let goals: [(&str, &str, &str, &[&str]); 4] = [
        (
            "inj-formula",
            "=1+2",
            "--metric==1+2",
            &["--baseline", "0", "--target", "10"],
        ),
        (
            "inj-plus",
            "+cmd",
            "--metric=-2+3",
            &["--baseline=-5", "--target", "5"],
        ),
        (
            "inj-at",
            "@SUM(A1)",
            "--metric=@SUM(A1)",
            &["--unit", CORPUS[7], "--baseline", "0", "--target", "10"],
        ),
        (
            "inj-tab",
            "tab",
            "--metric=PLACEHOLDER-TAB",
            &["--baseline", "0", "--target", "10"],
        ),
    ];
    for (key, title, metric, rest) in goals {
        let mut args = vec![
            "plan", "add", title, "--key", key, "--owner", "alice", "--period", "2026-Q4", metric,
        ];
        args.extend_from_slice(rest);
        env.on(db, &args).ok();
    }
    for (n, text) in CORPUS.iter().enumerate() {
        let date = format!("2026-11-{:02}", n + 10);
        let note = placeholder(text).unwrap_or(text);
        // `--note=TEXT` and `-- TEXT`: text such as -2+3 is no flag.
        let note_arg = format!("--note={note}");
        env.on(
            db,
            &[
                "--as",
                "alice",
                "checkin",
                "inj-formula",
                &(n + 1).to_string(),
                "--date",
                &date,
                &note_arg,
            ],
        )
        .ok();
        env.on(
            db,
            &[
                "--as", "bob", "feedback", "give", "--date", &date, "--", "alice", note,
            ],
        )
        .ok();
    }
    env.on(
        db,
        &[
            "--as",
            "alice",
            "checkin",
            "inj-plus",
            "--date",
            "2026-11-20",
            "--",
            "-3.5",
        ],
    )
    .ok();
    env.on(
        db,
        &[
            "--as",
            "alice",
            "checkin",
            "inj-at",
            "4",
            "--date",
            "2026-11-21",
        ],
    )
    .ok();
    env.on(
        db,
        &[
            "--as",
            "alice",
            "checkin",
            "inj-tab",
            "1",
            "--date",
            "2026-11-21",
        ],
    )
    .ok();

    let conn = rusqlite::Connection::open(db).expect("open db");
    for text in CORPUS {
        if let Some(p) = placeholder(text) {
            conn.execute("UPDATE checkin SET note = ?1 WHERE note = ?2", [text, p])
                .expect("update note");
            conn.execute("UPDATE feedback SET text = ?1 WHERE text = ?2", [text, p])
                .expect("update feedback");
        }
    }
    conn.execute(
        "UPDATE measure SET name = ?1 WHERE name = 'PLACEHOLDER-TAB'",
        ["\ttab measure"],
    )
    .expect("update measure");
    drop(conn);
}

/// An injection database: the fixture plus the corpus.
fn injection_db(env: &Env) -> PathBuf {
    let db = fixture(env);
    add_injection_corpus(env, &db);
    db
}

#[test]
fn csv_reads_back_as_the_database_with_formulas_neutralised() {
    let env = Env::new();
    let db = injection_db(&env);
    let conn =
        rusqlite::Connection::open_with_flags(&db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("open db read-only");

    // checkin list: notes and values against the database, by id.
    let csv_text = report_in(&env, &db, &["checkin", "list"], "csv").stdout;
    let json = json_of(&env, &db, &["checkin", "list"]);
    let (h, rows) = assert_csv_matches_json("checkin list", &csv_text, &json, "checkins");
    let (id, note, value) = (column(&h, "id"), column(&h, "note"), column(&h, "value"));
    let mut notes_seen = BTreeSet::new();
    for r in &rows {
        let (db_note, db_value): (Option<String>, Option<f64>) = conn
            .query_row(
                "SELECT note, value FROM checkin WHERE id = ?1",
                [r[id].parse::<i64>().expect("id")],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .expect("check-in row");
        let expected = db_note.as_deref().map(neutralized).unwrap_or_default();
        assert_eq!(r[note], expected, "check-in {} note", r[id]);
        match db_value {
            Some(v) => assert!(
                same_float(&r[value], v),
                "check-in {} value {:?}",
                r[id],
                r[value]
            ),
            None => assert_eq!(r[value], "", "check-in {} value", r[id]),
        }
        notes_seen.insert(r[note].clone());
    }
    for text in CORPUS {
        assert!(
            notes_seen.contains(&neutralized(text)),
            "checkin list: {text:?} not written as {:?}",
            neutralized(text)
        );
    }
    // -3.5 is a number: as a value and as a note it stays -3.5.
    assert!(
        rows.iter().any(|r| r[value] == "-3.5"),
        "checkin list: the value -3.5"
    );
    assert!(notes_seen.contains("-3.5"), "checkin list: the note -3.5");
    assert!(!csv_text.contains("'-3.5"), "checkin list: -3.5 was quoted");
    assert!(csv_text.contains("'=1+2"), "{csv_text}");

    // feedback list: texts against the database, by id.
    let csv_text = report_in(&env, &db, &["feedback", "list"], "csv").stdout;
    let json = json_of(&env, &db, &["feedback", "list"]);
    let (h, rows) = assert_csv_matches_json("feedback list", &csv_text, &json, "feedback");
    let (id, text_col) = (column(&h, "id"), column(&h, "text"));
    let mut texts = BTreeSet::new();
    for r in &rows {
        let db_text: String = conn
            .query_row(
                "SELECT text FROM feedback WHERE id = ?1",
                [r[id].parse::<i64>().expect("id")],
                |row| row.get(0),
            )
            .expect("feedback row");
        assert_eq!(r[text_col], neutralized(&db_text), "feedback {}", r[id]);
        texts.insert(r[text_col].clone());
    }
    for text in CORPUS {
        assert!(
            texts.contains(&neutralized(text)),
            "feedback list: {text:?}"
        );
    }

    // report goals and report gaps: measure names and units against the
    // database, by goal key and measure position.
    let measure_rows: Vec<(String, String, Option<String>)> = {
        let mut st = conn
            .prepare(
                "SELECT g.key, m.name, m.unit FROM measure m JOIN goal g ON g.id = m.goal_id ORDER BY g.key, m.position",
            )
            .expect("prepare");
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .expect("query")
            .map(|r| r.expect("row"))
            .collect()
    };
    for (cmd, key) in [("goals", "measures"), ("gaps", "gaps")] {
        let args = ["report", cmd];
        let csv_text = report_in(&env, &db, &args, "csv").stdout;
        let json = json_of(&env, &db, &args);
        let what = format!("report {cmd}");
        let (h, rows) = assert_csv_matches_json(&what, &csv_text, &json, key);
        let (g, m, u) = (
            column(&h, "goal"),
            column(&h, "measure"),
            column(&h, "unit"),
        );
        for r in &rows {
            let found = measure_rows.iter().any(|(dk, dn, du)| {
                r[g] == neutralized(dk)
                    && r[m] == neutralized(dn)
                    && r[u] == du.as_deref().map(neutralized).unwrap_or_default()
            });
            assert!(found, "{what}: row {r:?} is no measure of the database");
        }
        if cmd == "goals" {
            assert_eq!(
                rows.len(),
                measure_rows.len(),
                "{what}: one row per measure"
            );
            for needle in [
                "'=1+2",
                "'-2+3",
                "'@SUM(A1)",
                "'\ttab measure",
                "'=HYPERLINK(",
            ] {
                assert!(
                    rows.iter().flatten().any(|c| c.starts_with(needle)),
                    "{what}: no cell starting {needle:?}"
                );
            }
            let cur = column(&h, "current");
            let plus = rows
                .iter()
                .find(|r| r[g] == "inj-plus")
                .expect("inj-plus row");
            assert_eq!(plus[cur], "-3.5", "{what}: the current value -3.5");
        }
    }
}

#[test]
fn bom_starts_csv_only_when_asked() {
    let env = Env::new();
    let db = fixture(&env);
    let out = env.on(&db, &["report", "goals", "--format", "csv", "--bom"]);
    out.ok();
    assert!(
        out.stdout.starts_with('\u{feff}'),
        "no BOM: {:?}",
        &out.stdout[..20]
    );
    assert!(out.stdout['\u{feff}'.len_utf8()..].starts_with("goal,measure,"));
    let file = env.path("goals.csv");
    env.on(&db, &["report", "goals", "--bom", "-o", s(&file)])
        .ok();
    let bytes = std::fs::read(&file).expect("read csv");
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF", "-o FILE.csv --bom");
    assert_eq!(mode(&file), 0o600);
    let plain = env.on(&db, &["report", "goals", "--format", "csv"]);
    plain.ok();
    assert!(plain.stdout.starts_with("goal,"), "BOM without --bom");
}

// ---------------------------------------------------------------------------
// 4. scripts/check-csv.py.

fn python3() -> Option<&'static str> {
    let ok = std::process::Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    ok.then_some("python3")
}

fn check_csv_py(csv: &Path, json: &Path) -> std::process::Output {
    std::process::Command::new("python3")
        .arg(repo_file("scripts/check-csv.py"))
        .arg(csv)
        .arg(json)
        .output()
        .expect("run check-csv.py")
}

#[test]
fn python_csv_module_reads_back_the_same_values() {
    if python3().is_none() {
        println!("note: python3 is not on PATH; scripts/check-csv.py not run");
        return;
    }
    let env = Env::new();
    let db = injection_db(&env);
    for (name, args) in [
        ("goals", vec!["report", "goals"]),
        ("checkins", vec!["checkin", "list"]),
        ("feedback", vec!["feedback", "list"]),
        ("gaps", vec!["report", "gaps"]),
    ] {
        let csv = env.path(&format!("{name}.csv"));
        let json = env.path(&format!("{name}.json"));
        env.on(&db, &args_with(&args, &["--bom", "-o", s(&csv)]))
            .ok();
        env.on(&db, &args_with(&args, &["-o", s(&json)])).ok();
        let out = check_csv_py(&csv, &json);
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() && stdout.contains(" rows checked, 0 mismatches"),
            "check-csv.py on {name}: {}\n{stdout}\n{stderr}",
            out.status
        );
        let n: usize = stdout.split_whitespace().next().unwrap().parse().unwrap();
        assert!(n >= 3, "{name}: only {n} rows checked");

        if name == "checkins" {
            // A CSV that lost its neutralising quote is caught.
            let text = std::fs::read_to_string(&csv).expect("read csv");
            assert!(text.contains("'=1+2"));
            std::fs::write(&csv, text.replacen("'=1+2", "=1+2", 1)).expect("write csv");
            let out = check_csv_py(&csv, &json);
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert_eq!(out.status.code(), Some(1), "tampered CSV: {stdout}");
            assert!(!stdout.contains(" 0 mismatches"), "tampered CSV: {stdout}");
        }
    }
}

// ---------------------------------------------------------------------------
// 5. Filters.

/// The first table of a report's JSON with `extra` arguments.
fn table_of(env: &Env, db: &Path, args: &[&str], key: &str, extra: &[&str]) -> Vec<Value> {
    rows(&json_of(env, db, &args_with(args, extra)), key).clone()
}

fn set_of(rows: &[Value], field: &str) -> BTreeSet<String> {
    rows.iter()
        .map(|r| r[field].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn every_report_accepts_every_filter() {
    let env = Env::new();
    let db = fixture(&env);
    let all = [
        "--person",
        "alice",
        "--team",
        "platform",
        "--period",
        "2026-Q4",
        "--cycle",
        CYCLE,
        "--status",
        "active",
        "--since",
        "2026-10-01",
        "--until",
        "2026-12-31",
        "--limit",
        "5",
    ];
    for (name, args) in reports() {
        // The cycle comes from --cycle here.
        let args: Vec<&str> = match name {
            "person" => vec!["report", "person", "alice"],
            "cycle" => vec!["report", "cycle"],
            _ => args,
        };
        let out = env.on(
            &db,
            &args_with(&args, &args_with(&all, &["--format", "json"])),
        );
        out.ok().no_panic();
        assert_eq!(out.json()["kind"], format!("report_{name}"));
    }
}

#[test]
fn filters_select_rows() {
    let env = Env::new();
    let db = fixture(&env);
    let goals = ["report", "goals"];

    // --team: the team's own goals and its members' goals.
    let platform = table_of(&env, &db, &goals, "measures", &["--team", "platform"]);
    let owners = set_of(&platform, "owner");
    assert_eq!(
        owners,
        ["alice", "dev", "platform"].map(String::from).into(),
        "{platform:?}"
    );
    let keys = set_of(&platform, "goal");
    assert!(keys.contains("api-latency") && keys.contains("release-pipeline"));
    assert!(
        !keys.contains("support-cost"),
        "chen's goal under --team platform"
    );

    // Sub-teams are included: northwind holds platform and product.
    let all = table_of(&env, &db, &goals, "measures", &["--team", "northwind"]);
    let owners = set_of(&all, "owner");
    for o in ["alice", "dev", "chen", "platform", "product", "northwind"] {
        assert!(
            owners.contains(o),
            "--team northwind leaves out {o}: {owners:?}"
        );
    }
    let gaps = table_of(
        &env,
        &db,
        &["report", "gaps"],
        "gaps",
        &["--team", "platform"],
    );
    assert!(
        set_of(&gaps, "owner").is_subset(&["alice", "dev", "platform"].map(String::from).into()),
        "{gaps:?}"
    );
    let team = table_of(
        &env,
        &db,
        &["report", "team"],
        "people",
        &["--team", "platform"],
    );
    assert_eq!(
        set_of(&team, "handle"),
        ["alice", "bob", "dev"].map(String::from).into()
    );
    let team = table_of(&env, &db, &["report", "team", "northwind"], "people", &[]);
    assert!(
        set_of(&team, "handle").contains("alice"),
        "sub-team members: {team:?}"
    );
    let checkins = table_of(
        &env,
        &db,
        &["report", "checkins"],
        "people",
        &["--team", "northwind"],
    );
    assert!(set_of(&checkins, "person").contains("dev"), "{checkins:?}");
    let checkins = table_of(
        &env,
        &db,
        &["report", "checkins"],
        "people",
        &["--team", "product"],
    );
    assert!(
        !set_of(&checkins, "person").contains("alice"),
        "{checkins:?}"
    );
    let cycle = ["report", "cycle", CYCLE];
    assert_eq!(
        table_of(&env, &db, &cycle, "people", &["--team", "platform"]).len(),
        3
    );
    assert_eq!(
        table_of(&env, &db, &cycle, "people", &["--team", "product"]).len(),
        0
    );
    let cyc = table_of(&env, &db, &cycle, "people", &["--person", "dev"]);
    assert_eq!(set_of(&cyc, "person"), ["dev"].map(String::from).into());

    // --person, --period, --status, --since/--until.
    let alice = table_of(&env, &db, &goals, "measures", &["--person", "alice"]);
    assert_eq!(set_of(&alice, "owner"), ["alice"].map(String::from).into());
    let q4 = table_of(&env, &db, &goals, "measures", &["--period", "2026-Q4"]);
    assert_eq!(
        set_of(&q4, "goal"),
        ["api-latency", "release-pipeline"].map(String::from).into()
    );
    let draft = table_of(&env, &db, &goals, "measures", &["--status", "draft"]);
    assert_eq!(
        set_of(&draft, "goal"),
        ["onboarding-research"].map(String::from).into()
    );
    let late = table_of(&env, &db, &goals, "measures", &["--since", "2027-01-01"]);
    assert!(late.iter().all(|r| r["due"] == "2027-06-30"), "{late:?}");
    assert!(!late.is_empty());
    let early = table_of(&env, &db, &goals, "measures", &["--until", "2026-12-20"]);
    assert!(
        early
            .iter()
            .all(|r| r["due"].as_str().unwrap() <= "2026-12-20"),
        "{early:?}"
    );
    assert!(set_of(&early, "goal").contains("release-pipeline"));

    // --limit.
    for (args, key) in [
        (vec!["report", "goals"], "measures"),
        (vec!["report", "gaps"], "gaps"),
        (vec!["report", "team"], "people"),
        (vec!["report", "checkins"], "people"),
    ] {
        for n in [1, 2] {
            let got = table_of(&env, &db, &args, key, &["--limit", &n.to_string()]);
            assert_eq!(got.len(), n, "{} --limit {n}: {got:?}", args.join(" "));
        }
    }
    // The tsv of --limit 1 is a header and one row.
    let out = env.on(&db, &["report", "goals", "--limit", "1", "--format", "tsv"]);
    out.ok();
    assert_eq!(out.stdout.lines().count(), 2, "{}", out.stdout);
}

#[test]
fn bad_filters_are_refused() {
    let env = Env::new();
    let db = fixture(&env);
    for (_, args) in reports() {
        let what = args.join(" ");
        let out = env.on(&db, &args_with(&args, &["--team", "no-such-team"]));
        out.code(1).no_panic();
        out.stderr_has("no-such-team");
        assert!(out.stdout.is_empty(), "{what}: output despite the error");
        let out = env.on(&db, &args_with(&args, &["--person", "nobody"]));
        out.code(1).no_panic();
        let out = env.on(&db, &args_with(&args, &["--since", "not-a-date"]));
        out.code(2).no_panic();
        out.stderr_has("--since");
        let out = env.on(&db, &args_with(&args, &["--until", "2026-13-45"]));
        out.code(2).no_panic();
        let out = env.on(
            &db,
            &args_with(&args, &["--since", "2026-11-01", "--until", "2026-10-01"]),
        );
        out.code(2).no_panic();
        out.stderr_has("after");
        let out = env.on(&db, &args_with(&args, &["--status", "sideways"]));
        out.code(2).no_panic();
        let out = env.on(&db, &args_with(&args, &["--limit", "many"]));
        out.code(2).no_panic();
    }
}

/// Product bug: `report trend GOAL --limit 1` prints every point.
#[test]
fn trend_honours_limit() {
    let env = Env::new();
    let db = fixture(&env);
    let points = table_of(
        &env,
        &db,
        &["report", "trend", "api-latency"],
        "points",
        &["--limit", "1"],
    );
    assert_eq!(points.len(), 1, "{points:?}");
}

/// Product bug: an unknown `--cycle` is ignored (exit 0) by every report
/// but `report person`, where it is an error (exit 1).
#[test]
fn unknown_cycle_is_refused_everywhere() {
    let env = Env::new();
    let db = fixture(&env);
    for (_, args) in reports() {
        // Drop a --cycle the report already has: repeating a flag is a usage error (exit 2).
        let mut base: Vec<&str> = Vec::new();
        let mut skip = false;
        for a in &args {
            if skip {
                skip = false;
                continue;
            }
            if *a == "--cycle" {
                skip = true;
                continue;
            }
            base.push(a);
        }
        let out = env.on(&db, &args_with(&base, &["--cycle", "no-such-cycle"]));
        out.code(1);
    }
}

/// Product bug: `report effectiveness` ignores --person, --team, --period
/// and --status (the attainment table is the same for every filter).
#[test]
fn effectiveness_honours_period() {
    let env = Env::new();
    let db = fixture(&env);
    let periods = table_of(
        &env,
        &db,
        &["report", "effectiveness"],
        "attainment",
        &["--period", "2026-Q4"],
    );
    assert_eq!(
        set_of(&periods, "period"),
        ["2026-Q4"].map(String::from).into()
    );
}

// ---------------------------------------------------------------------------
// 6. Privacy.

#[test]
fn private_feedback_is_left_out_unless_asked() {
    let env = Env::new();
    let db = fixture(&env);
    let packet = ["report", "person", "alice", "--cycle", CYCLE];
    let out = env.on(&db, &args_with(&packet, &["--format", "json"]));
    out.ok();
    out.stderr_has("1 private");
    out.stderr_has("--include-private");
    let texts = field_values(&out.json(), "feedback", "text");
    assert_eq!(texts, vec!["Great profiling work on /search"], "{texts:?}");
    for format in ALL_FORMATS {
        let out = env.on(&db, &args_with(&packet, &["--format", format]));
        out.ok();
        assert!(
            !out.stdout.contains(PRIVATE_TEXT),
            "{format}: private feedback shown"
        );
    }

    let out = env.on(
        &db,
        &args_with(&packet, &["--include-private", "--format", "json"]),
    );
    out.ok();
    assert!(!out.stderr.contains("left out"), "{}", out.stderr);
    let doc = out.json();
    let texts = field_values(&doc, "feedback", "text");
    assert!(texts.iter().any(|t| t == PRIVATE_TEXT), "{texts:?}");
    assert_eq!(texts.len(), 2, "{texts:?}");
}

#[test]
fn peer_reviewers_never_appear_in_person_or_cycle_reports() {
    let env = Env::new();
    let db = fixture(&env);
    // The peers did review alice: their average is shown.
    let doc = json_of(&env, &db, &["report", "person", "alice", "--cycle", CYCLE]);
    assert_eq!(doc["person"]["peer_average"], 4.5, "{doc}");
    let html = env.path("alice.html");
    env.on(
        &db,
        &[
            "report",
            "person",
            "alice",
            "--cycle",
            CYCLE,
            "-o",
            s(&html),
        ],
    )
    .ok();
    let mut outputs = vec![(
        "person -o html".to_owned(),
        std::fs::read_to_string(&html).unwrap(),
    )];
    for args in [
        vec!["report", "person", "alice", "--cycle", CYCLE],
        vec![
            "report",
            "person",
            "alice",
            "--cycle",
            CYCLE,
            "--include-private",
        ],
        vec!["report", "person", "alice"],
        vec!["report", "cycle", CYCLE],
        vec!["report", "cycle", "--cycle", CYCLE],
    ] {
        for format in ALL_FORMATS {
            let out = report_in(&env, &db, &args, format);
            outputs.push((
                format!("{} ({format})", args.join(" ")),
                out.stdout + &out.stderr,
            ));
        }
    }
    for (what, text) in outputs {
        let low = text.to_lowercase();
        // Their comments may be shown, without names; the names never.
        for p in PEERS.iter().chain(PEER_NAMES.iter()) {
            assert!(
                !low.contains(&p.to_lowercase()),
                "{what}: peer reviewer {p:?} appears:\n{text}"
            );
        }
    }
}

// ---------------------------------------------------------------------------
// 7. Read-only.

#[test]
fn reports_leave_the_database_unchanged() {
    let env = Env::new();
    let db = fixture(&env);
    let before = std::fs::read(&db).expect("read db");
    for (name, args) in reports() {
        for format in ALL_FORMATS {
            let out = env.on(&db, &args_with(&args, &["--format", format]));
            out.ok();
            assert_bytes_unchanged(&db, &before, &format!("report {name} --format {format}"));
        }
        let file = env.path(&format!("{name}.html"));
        env.on(&db, &args_with(&args, &["-o", s(&file)])).ok();
        assert_bytes_unchanged(&db, &before, &format!("report {name} -o {name}.html"));
        // Refused runs write nothing either.
        env.on(&db, &args_with(&args, &["--team", "no-such-team"]))
            .code(1);
        assert_bytes_unchanged(&db, &before, &format!("report {name} --team no-such-team"));
    }
    assert!(
        std::fs::metadata(side_file(&db, "-wal")).map_or(true, |m| m.len() == 0),
        "a non-empty -wal file after reports"
    );
}

#[test]
fn report_explain_shows_each_rule_in_every_format_and_writes_nothing() {
    let env = Env::new();
    let db = fixture(&env);
    let before = std::fs::read(&db).expect("read db");
    for format in ALL_FORMATS {
        let out = env.on(
            &db,
            &["report", "explain", "api-latency", "--format", format],
        );
        out.ok().no_panic();
        assert!(!out.stdout.is_empty(), "{format}: empty");
        assert_bytes_unchanged(&db, &before, &format!("report explain --format {format}"));
    }
    let out = env.on(
        &db,
        &["report", "explain", "api-latency", "--format", "json"],
    );
    out.ok();
    let j = out.json();
    assert_eq!(j["kind"], "report_explain");
    let e = &j["explanation"];
    // The roll-up: a weighted mean with the numbers, the same progress and
    // pace as `report goals`.
    assert!(
        e["rollup_rule"].as_str().unwrap().contains("weighted mean"),
        "{e}"
    );
    assert!(e["computation"].as_str().unwrap().contains(") / "), "{e}");
    let expected = e["expected_rule"].as_str().unwrap();
    assert!(
        expected.contains("(today − start) / (due − start)"),
        "{expected}"
    );
    assert!(e["pace_rule"].as_str().unwrap().contains("at-risk"), "{e}");
    assert!(
        e["gap_computation"]
            .as_str()
            .unwrap()
            .contains("(expected − progress) × 100"),
        "{e}"
    );
    let goals = env.on(&db, &["report", "goals", "--format", "json"]);
    goals.ok();
    let gj = goals.json();
    let row = gj["measures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["goal"] == "api-latency")
        .cloned()
        .unwrap();
    assert_eq!(e["pace"], row["pace"], "{e} / {row}");
    assert_eq!(e["expected_pct"], row["expected_pct"], "{e} / {row}");
    // Each measure: raw and scored, the rule with its numbers.
    for m in j["measures"].as_array().unwrap() {
        let rule = m["rule"].as_str().unwrap();
        assert!(
            rule.contains("(current − baseline) / (target − baseline)")
                || rule.contains("no value reported"),
            "{rule}"
        );
    }
    // The conventions in effect are named: inclusive days, progress to the
    // stretch and zones.
    let cfg = env.path("conv.toml");
    std::fs::write(
        &cfg,
        "[pace]\ninclusive_days = true\nbasis = \"ratio\"\n[progress]\nreference = \"stretch\"\nzones = [0.3, 0.7, 1.0]\n",
    )
    .unwrap();
    let out = env.on(
        &db,
        &[
            "--config",
            s(&cfg),
            "report",
            "explain",
            "api-latency",
            "--format",
            "json",
        ],
    );
    out.ok();
    let j = out.json();
    let e = &j["explanation"];
    assert!(
        e["expected_rule"]
            .as_str()
            .unwrap()
            .contains("days counted inclusively"),
        "{e}"
    );
    assert!(
        e["gap_computation"]
            .as_str()
            .unwrap()
            .contains("(1 − progress / expected)"),
        "{e}"
    );
    let m = &j["measures"][0];
    let rule = m["rule"].as_str().unwrap();
    if m["reference"] == "stretch" {
        assert!(rule.contains("(stretch − baseline)"), "{rule}");
        assert!(rule.contains("progress.reference = stretch"), "{rule}");
    }
    assert!(rule.contains("zone") || m["current"].is_null(), "{rule}");
    // A goal that rolls up its children names them with their weights.
    let out = env.on(
        &db,
        &["report", "explain", "reliable-platform", "--format", "json"],
    );
    out.ok();
    let j = out.json();
    assert!(
        j["terms"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["kind"] == "child goal" || t["kind"] == "measure"),
        "{j}"
    );
    // An unknown goal: not found, nothing written.
    env.on(&db, &["report", "explain", "no-such-goal"])
        .code(1)
        .no_panic();
    assert_bytes_unchanged(&db, &before, "report explain no-such-goal");
}

#[test]
fn the_review_packet_includes_the_appraisal_explanation_as_the_reader_may_see_it() {
    let env = Env::new();
    let db = fixture(&env);
    for actor in [None, Some("alice"), Some("bob")] {
        let with_actor = |args: &[&'static str]| {
            let mut v: Vec<&str> = Vec::new();
            if let Some(a) = actor {
                v.extend_from_slice(&["--as", a]);
            }
            v.extend_from_slice(args);
            let out = env.on(&db, &v);
            out.ok().no_panic();
            out.json()
        };
        let packet = with_actor(&[
            "report", "person", "alice", "--cycle", CYCLE, "--format", "json",
        ]);
        let explain = with_actor(&["appraise", "explain", CYCLE, "alice", "--format", "json"]);
        let e = &explain["explanation"];
        if e["withheld"] == true {
            assert!(packet.get("explanation").is_none(), "{actor:?}: {packet}");
        } else {
            assert_eq!(&packet["explanation"], e, "{actor:?}");
            assert_eq!(packet["terms"], explain["terms"], "{actor:?}");
            assert_eq!(packet["goal_terms"], explain["goal_terms"], "{actor:?}");
        }
    }
}

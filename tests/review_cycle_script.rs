//! Runs `examples/review-cycle.sh` end to end and checks what it leaves
//! behind, so the example never rots: the CSV files a spreadsheet reads, one
//! HTML packet per participant, and the database itself (a finalized cycle,
//! the member's merged self review exactly once, a month of check-ins).
//!
//! The script runs in a sealed environment: a cleared environment with
//! `HOME` and the XDG directories in a temporary directory, `NO_COLOR`, the
//! built binary's directory first on `PATH`, stdin empty and no terminal.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::fs::File;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags};

/// How long the whole script may run.
const TIMEOUT: Duration = Duration::from_secs(60);

/// The script's review cycle and the Fridays it checks in on.
const CYCLE: &str = "2026-Q4";
const FRIDAYS: [&str; 4] = ["2026-10-30", "2026-11-06", "2026-11-13", "2026-11-20"];

/// The participants of the cycle (team platform) and their names.
const PEOPLE: [(&str, &str); 3] = [
    ("alice", "Alice Moreau"),
    ("bob", "Bob Okafor"),
    ("dev", "Dev Patel"),
];

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn bash_available() -> bool {
    Command::new("bash")
        .arg("-c")
        .arg("exit 0")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

/// Run the script with `db` and `out` in a sealed environment under `root`.
fn run_script(root: &Path, db: &Path, out: &Path) -> Run {
    let bin = Path::new(env!("CARGO_BIN_EXE_yardstick"));
    let bin_dir = bin.parent().expect("binary directory");
    let mut path = std::ffi::OsString::from(bin_dir);
    if let Some(old) = std::env::var_os("PATH") {
        path.push(":");
        path.push(old);
    }
    let home = root.join("home");
    let data = home.join(".local/share");
    let config = home.join(".config");
    let tmp = root.join("tmp");
    for d in [&home, &data, &config, &tmp] {
        std::fs::create_dir_all(d).expect("create dir");
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/review-cycle.sh");
    let stdout_path = root.join("stdout");
    let stderr_path = root.join("stderr");

    let mut child = Command::new("bash")
        .arg(&script)
        .arg(db)
        .arg(out)
        .env_clear()
        .env("HOME", &home)
        .env("XDG_DATA_HOME", &data)
        .env("XDG_CONFIG_HOME", &config)
        .env("TMPDIR", &tmp)
        .env("PATH", path)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .current_dir(root)
        .stdin(Stdio::null())
        .stdout(File::create(&stdout_path).expect("stdout file"))
        .stderr(File::create(&stderr_path).expect("stderr file"))
        .spawn()
        .expect("start bash");

    let start = Instant::now();
    let code = loop {
        if let Some(status) = child.try_wait().expect("wait for the script") {
            break status.code();
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    Run {
        code,
        stdout: std::fs::read_to_string(&stdout_path).unwrap_or_default(),
        stderr: std::fs::read_to_string(&stderr_path).unwrap_or_default(),
    }
}

/// A CSV file's header and rows, parsed with the csv crate.
fn read_csv(path: &Path) -> (Vec<String>, Vec<csv::StringRecord>) {
    let mut reader = csv::Reader::from_path(path)
        .unwrap_or_else(|e| panic!("cannot open {}: {e}", path.display()));
    let headers = reader
        .headers()
        .unwrap_or_else(|e| panic!("{}: bad header: {e}", path.display()))
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = reader
        .records()
        .collect::<Result<Vec<_>, _>>()
        .unwrap_or_else(|e| panic!("{}: bad row: {e}", path.display()));
    (headers, rows)
}

/// The cell of `row` under `column`.
fn cell<'r>(headers: &[String], row: &'r csv::StringRecord, column: &str) -> &'r str {
    let i = headers
        .iter()
        .position(|h| h == column)
        .unwrap_or_else(|| panic!("no column {column:?} in {headers:?}"));
    row.get(i).expect("cell")
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("cannot stat {}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

fn check_team_csv(out: &Path) {
    let path = out.join("team.csv");
    let (headers, rows) = read_csv(&path);
    assert_eq!(
        headers,
        [
            "handle",
            "name",
            "team",
            "goals",
            "attainment_pct",
            "on_track",
            "at_risk",
            "off_track",
            "last_checkin_days",
            "feedback"
        ]
    );
    let handles: Vec<&str> = rows.iter().map(|r| cell(&headers, r, "handle")).collect();
    assert_eq!(handles, ["alice", "bob", "dev"], "team.csv rows");
    for row in &rows {
        assert_eq!(cell(&headers, row, "team"), "platform");
        let name = cell(&headers, row, "name");
        assert!(
            PEOPLE.iter().any(|(_, n)| *n == name),
            "unknown name {name}"
        );
    }
    // Alice and Dev own a goal each, checked in weekly: attainment is a number.
    for row in rows.iter().filter(|r| cell(&headers, r, "handle") != "bob") {
        assert_eq!(cell(&headers, row, "goals"), "1");
        let attainment: f64 = cell(&headers, row, "attainment_pct")
            .parse()
            .expect("attainment is a number");
        assert!(
            attainment > 0.0 && attainment <= 100.0,
            "attainment {attainment}"
        );
    }
}

fn check_goals_csv(out: &Path) {
    let (headers, rows) = read_csv(&out.join("goals.csv"));
    for column in [
        "goal", "measure", "owner", "baseline", "current", "target", "unit",
    ] {
        assert!(headers.iter().any(|h| h == column), "goals.csv: {column}");
    }
    // Every measure of the team's three goals, each with a current value.
    assert_eq!(rows.len(), 6, "goals.csv rows");
    let goals: BTreeSet<&str> = rows.iter().map(|r| cell(&headers, r, "goal")).collect();
    assert_eq!(
        goals,
        BTreeSet::from(["api-latency", "release-pipeline", "reliable-platform"])
    );
    for row in &rows {
        let current = cell(&headers, row, "current");
        current
            .parse::<f64>()
            .unwrap_or_else(|_| panic!("goals.csv: current {current:?} is not a number"));
    }
}

fn check_checkins_csv(out: &Path) {
    let expected_headers = [
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
        "uuid",
    ];
    let (headers, rows) = read_csv(&out.join("checkins.csv"));
    assert_eq!(headers, expected_headers);
    // Six measures, four weeks.
    assert_eq!(rows.len(), 24, "checkins.csv rows");
    let dates: BTreeSet<&str> = rows.iter().map(|r| cell(&headers, r, "date")).collect();
    assert_eq!(dates, BTreeSet::from(FRIDAYS));
    let uuids: BTreeSet<&str> = rows.iter().map(|r| cell(&headers, r, "uuid")).collect();
    assert_eq!(uuids.len(), rows.len(), "every check-in once");
    for row in &rows {
        let value = cell(&headers, row, "value");
        value
            .parse::<f64>()
            .unwrap_or_else(|_| panic!("checkins.csv: value {value:?} is not a number"));
        assert!(!cell(&headers, row, "measure").is_empty());
        assert!(!cell(&headers, row, "author").is_empty());
    }
    // A team goal's check-ins are written by the team's lead.
    for row in rows
        .iter()
        .filter(|r| cell(&headers, r, "goal_key") == "reliable-platform")
    {
        assert_eq!(cell(&headers, row, "person"), "platform");
        assert_eq!(cell(&headers, row, "author"), "bob");
    }

    let (headers, rows) = read_csv(&out.join("checkins-alice.csv"));
    assert_eq!(headers, expected_headers);
    assert_eq!(
        rows.len(),
        8,
        "checkins-alice.csv rows: two measures, four weeks"
    );
    assert!(rows.iter().all(|r| cell(&headers, r, "person") == "alice"));
}

fn check_packets(out: &Path) {
    let mut html: Vec<String> = std::fs::read_dir(out)
        .expect("read output directory")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".html"))
        .collect();
    html.sort();
    assert_eq!(html, ["alice.html", "bob.html", "dev.html"]);
    for (handle, name) in PEOPLE {
        let path = out.join(format!("{handle}.html"));
        assert_eq!(mode(&path), 0o600, "{} mode", path.display());
        let text = std::fs::read_to_string(&path).expect("read packet");
        assert!(text.contains("<svg"), "{handle}.html has no <svg");
        assert!(text.contains(name), "{handle}.html does not name {name}");
    }
    for csv_file in [
        "team.csv",
        "goals.csv",
        "checkins.csv",
        "checkins-alice.csv",
    ] {
        assert_eq!(mode(&out.join(csv_file)), 0o600, "{csv_file} mode");
    }
}

fn check_database(db: &Path) {
    let conn = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .expect("open the database read-only");
    let one_i64 = |sql: &str| -> i64 {
        conn.query_row(sql, [], |r| r.get(0))
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    };

    let state: String = conn
        .query_row("SELECT state FROM cycle WHERE name = ?1", [CYCLE], |r| {
            r.get(0)
        })
        .expect("the cycle exists");
    assert_eq!(state, "finalized");
    assert_eq!(one_i64("SELECT count(*) FROM participant"), 3);

    // Alice's self review came from her own file, merged once.
    let self_reviews: Vec<(String, String, String)> = conn
        .prepare(
            "SELECT r.uuid, r.state, coalesce(r.summary, '') FROM review r
             JOIN person p ON p.id = r.subject_id
             WHERE p.handle = 'alice' AND r.kind = 'self'",
        )
        .expect("prepare")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert_eq!(
        self_reviews.len(),
        1,
        "alice's self review: {self_reviews:?}"
    );
    let (uuid, state, summary) = &self_reviews[0];
    assert_eq!(state, "submitted");
    assert!(summary.contains("p95 latency"), "summary: {summary}");
    let ratings: i64 = conn
        .query_row(
            "SELECT count(*) FROM rating JOIN review ON review.id = rating.review_id
             WHERE review.uuid = ?1",
            [uuid],
            |r| r.get(0),
        )
        .expect("ratings");
    assert_eq!(ratings, 5, "the self review's ratings came along");
    assert_eq!(
        one_i64("SELECT count(*) FROM op WHERE command = 'import'"),
        1,
        "one import: the member's file"
    );
    // Every participant has a submitted self and manager review.
    assert_eq!(
        one_i64("SELECT count(*) FROM review WHERE state = 'submitted'"),
        6
    );

    // The month of check-ins.
    assert_eq!(one_i64("SELECT count(*) FROM checkin"), 24);
    let dates: Vec<String> = conn
        .prepare("SELECT DISTINCT date FROM checkin ORDER BY date")
        .expect("prepare")
        .query_map([], |r| r.get(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert_eq!(dates, FRIDAYS);
}

#[test]
fn review_cycle_script_runs_and_its_outputs_hold() {
    if !bash_available() {
        eprintln!("note: bash is not available; skipping the review-cycle.sh test");
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let root: PathBuf = dir.path().to_path_buf();
    let db = root.join("team.db");
    let out = root.join("out");

    let run = run_script(&root, &db, &out);
    assert_eq!(
        run.code,
        Some(0),
        "review-cycle.sh failed (None = killed after {TIMEOUT:?})\n--- stdout\n{}\n--- stderr\n{}",
        run.stdout,
        run.stderr
    );
    assert!(
        !run.stderr.contains("panicked"),
        "a command panicked:\n{}",
        run.stderr
    );
    assert!(
        run.stdout.contains("Summary"),
        "no summary:\n{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("finalized"),
        "summary lacks the cycle state:\n{}",
        run.stdout
    );
    // The member's scratch copy is cleaned up; nothing else is left in TMPDIR.
    let leftovers: Vec<_> = std::fs::read_dir(root.join("tmp"))
        .expect("read tmp")
        .collect();
    assert!(leftovers.is_empty(), "left in TMPDIR: {leftovers:?}");

    check_team_csv(&out);
    check_goals_csv(&out);
    check_checkins_csv(&out);
    check_packets(&out);
    check_database(&db);
}

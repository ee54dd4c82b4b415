//! `demo` as the benchmark's data generator (issue 6): squads, ongoing
//! standards reported on every week of a long history, reproducible from the
//! seed, loaded in bulk (no undo history), and the hot reports reading it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::Env;
use rusqlite::Connection;

fn count(conn: &Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn a_long_history_gives_squads_and_weekly_standards_reproducibly() {
    let env = Env::new();
    let a = env.path("a.db");
    let b = env.path("b.db");
    for db in [&a, &b] {
        env.run(&[
            "demo",
            "--db",
            db.to_str().unwrap(),
            "--people",
            "40",
            "--weeks",
            "30",
            "--seed",
            "11",
        ])
        .ok();
    }
    let conn = Connection::open(&a).unwrap();
    assert_eq!(count(&conn, "SELECT count(*) FROM person"), 40);
    // Generated people beyond the named ones are in squads of at most eight,
    // each led by its first member, under the departments.
    let squads = count(&conn, "SELECT count(*) FROM team WHERE handle LIKE '%-%'");
    assert!(squads >= 3, "{squads} squads");
    assert_eq!(
        count(
            &conn,
            "SELECT count(*) FROM team t WHERE handle LIKE '%-%' AND (lead_id IS NULL OR (SELECT count(*) FROM person p WHERE p.team_id = t.id) > 8)"
        ),
        0
    );
    // Everyone but the chief executive keeps five ongoing standards of two
    // measures, reported on most weeks since the history began.
    assert_eq!(
        count(&conn, "SELECT count(*) FROM goal WHERE period IS NULL"),
        39 * 5
    );
    let per_measure = count(
        &conn,
        "SELECT min(n) FROM (SELECT count(*) AS n FROM checkin c JOIN goal g ON g.id = c.goal_id WHERE g.period IS NULL GROUP BY c.measure_id)",
    );
    assert!(
        (20..=30).contains(&per_measure),
        "{per_measure} check-ins on the sparsest standard"
    );
    let first: String = conn
        .query_row("SELECT min(date) FROM checkin", [], |r| r.get(0))
        .unwrap();
    // 30 weeks back from 2026-11-22, give or take the two days of jitter.
    assert!(first.as_str() <= "2026-05-03", "history starts {first}");

    // The same seed gives the same check-ins, UUIDs included.
    let csv = |db: &std::path::Path| {
        let out = env.path(&format!(
            "{}.csv",
            db.file_stem().unwrap().to_str().unwrap()
        ));
        env.run(&[
            "export",
            "--db",
            db.to_str().unwrap(),
            "--format",
            "csv",
            "-o",
            out.to_str().unwrap(),
        ])
        .ok();
        std::fs::read(out).unwrap()
    };
    assert_eq!(csv(&a), csv(&b));

    // A bulk load keeps no undo history, and undo says so.
    assert_eq!(count(&conn, "SELECT count(*) FROM undo_entry"), 0);
    env.run(&["undo", "--yes", "--db", a.to_str().unwrap()])
        .code(1)
        .stderr_has("bulk");

    // The whole-organisation and one-team reports read it.
    env.run(&[
        "report",
        "goals",
        "--db",
        a.to_str().unwrap(),
        "--format",
        "json",
    ])
    .ok();
    env.run(&[
        "report",
        "team",
        "platform",
        "--db",
        a.to_str().unwrap(),
        "--format",
        "json",
    ])
    .ok();
}

/// The aliases a statement gives the `checkin` table (and the table's own name).
fn checkin_names(sql: &str) -> Vec<String> {
    let mut names = vec!["checkin".to_string()];
    let words: Vec<&str> = sql
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .collect();
    for (i, w) in words.iter().enumerate() {
        if w.eq_ignore_ascii_case("checkin") {
            let next = words.get(i + 1).copied().unwrap_or("");
            let alias = if next.eq_ignore_ascii_case("as") {
                words.get(i + 2).copied().unwrap_or("")
            } else {
                next
            };
            let keyword = [
                "ON", "WHERE", "JOIN", "LEFT", "CROSS", "ORDER", "GROUP", "LIMIT", "INDEXED",
                "SET", "VALUES", "DEFAULT",
            ]
            .iter()
            .any(|k| alias.eq_ignore_ascii_case(k));
            if !alias.is_empty() && !keyword && alias.len() <= 3 {
                names.push(alias.to_string());
            }
        }
    }
    names
}

#[test]
fn the_statements_of_a_checkin_and_a_one_team_report_never_scan_every_checkin() {
    let env = Env::new();
    let db = env.path("org.db");
    let dbs = db.to_str().unwrap();
    env.run(&["demo", "--db", dbs, "--people", "60", "--weeks", "30"])
        .ok();
    let trace = env.path("trace.sql");
    let traced = |args: &[&str]| {
        let mut cmd = env.std_command();
        cmd.env("YARDSTICK_TRACE_SQL", &trace)
            .arg("--db")
            .arg(&db)
            .args(args);
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    // The write path and the reports a team lead runs.
    traced(&[
        "checkin",
        "p14-keep-quality-high",
        "5",
        "--measure",
        "defects after release",
    ]);
    traced(&["checkin", "api-latency", "300", "--note", "cache"]);
    traced(&[
        "feedback",
        "give",
        "alice",
        "Thanks for the review",
        "--as",
        "bob",
    ]);
    traced(&["report", "team", "platform"]);
    traced(&["report", "goals", "--team", "platform"]);
    traced(&["plan", "list", "--owner", "alice"]);
    traced(&["report", "person", "alice"]);
    let text = std::fs::read_to_string(&trace).unwrap();
    let statements: std::collections::BTreeSet<&str> =
        text.lines().filter(|l| !l.starts_with("--")).collect();
    assert!(
        statements
            .iter()
            .any(|s| s.starts_with("INSERT INTO checkin")),
        "the trace holds the check-in insert"
    );
    let conn = Connection::open(&db).unwrap();
    let full_scans = |sql: &str| -> Vec<String> {
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let params = stmt.parameter_count();
        let plan: Vec<String> = stmt
            .query_map(
                rusqlite::params_from_iter(std::iter::repeat_n(
                    rusqlite::types::Value::Null,
                    params,
                )),
                |r| r.get(3),
            )
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let names = checkin_names(sql);
        plan.into_iter()
            .filter(|step| {
                names.iter().any(|n| {
                    step.starts_with(&format!("SCAN {n} ")) || step.as_str() == format!("SCAN {n}")
                })
            })
            .collect()
    };
    // The check itself can fail: a scan of every check-in is caught.
    assert!(!full_scans("SELECT count(*) FROM checkin c WHERE c.note LIKE ?1").is_empty());
    let mut checked = 0;
    for sql in &statements {
        let upper = sql.trim_start().to_ascii_uppercase();
        if !(upper.starts_with("SELECT")
            || upper.starts_with("WITH")
            || upper.starts_with("INSERT")
            || upper.starts_with("UPDATE")
            || upper.starts_with("DELETE"))
        {
            continue;
        }
        let scans = full_scans(sql);
        assert!(
            scans.is_empty(),
            "a full scan of check-ins:\n{sql}\n{scans:#?}"
        );
        checked += 1;
    }
    assert!(checked >= 15, "only {checked} statements checked");
}

#[test]
fn an_unwritable_sql_trace_is_refused_clearly() {
    let env = Env::new();
    let db = env.init_db();
    let before = std::fs::read(&db).unwrap();
    let mut cmd = env.std_command();
    cmd.env("YARDSTICK_TRACE_SQL", env.path("no-such-dir/trace.sql"))
        .arg("--db")
        .arg(&db)
        .args(["people", "add", "ann", "--name", "Ann"]);
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("YARDSTICK_TRACE_SQL"), "{stderr}");
    assert_eq!(std::fs::read(&db).unwrap(), before, "nothing was written");
}

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

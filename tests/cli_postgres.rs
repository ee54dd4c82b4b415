//! The binary against a real PostgreSQL server (issue 16, the backend's
//! part): the same commands give the same output as on a file; data moves
//! between a file and a server with `export`/`import` and back exactly;
//! unreachable servers, refused logins, missing databases and databases of
//! another application are clear errors with exit 3; TLS is negotiated
//! when asked for. Each test uses databases of its own.
//!
//! Runs whenever the PG* variables reach a server (`pg_virtualenv cargo
//! test --test cli_postgres`); otherwise each test says SKIPPED.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
#[path = "support/pg.rs"]
mod pg;

use common::{Env, Out, example_plan, s};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The records of an export, sorted by table and UUID.
fn records(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).expect("read export");
    let doc: Value = serde_json::from_str(&text).expect("export is JSON");
    let mut recs = doc["records"].as_array().expect("records").clone();
    recs.sort_by_key(|r| {
        (
            r["table"].as_str().unwrap().to_string(),
            r["uuid"].as_str().unwrap().to_string(),
        )
    });
    recs
}

fn export(env: &Env, db: &Path, name: &str) -> PathBuf {
    let out = env.path(name);
    env.on(db, &["export", "-o", s(&out)]).ok().no_panic();
    out
}

/// The same commands, run against `db`: what they print.
fn session(env: &Env, db: &Path) -> Vec<Out> {
    let plan = example_plan();
    let steps: Vec<Vec<&str>> = vec![
        vec!["init", "--me", "maria", "--name", "Maria"],
        vec!["plan", "apply", s(&plan)],
        vec![
            "plan",
            "add",
            "Faster pages",
            "--owner",
            "alice",
            "--metric",
            "p95 latency",
            "--unit",
            "ms",
            "--baseline",
            "450",
            "--target",
            "200",
        ],
        vec![
            "checkin",
            "reliable-platform",
            "99.7",
            "--measure",
            "monthly uptime",
            "--note",
            "steady",
        ],
        vec![
            "--as",
            "alice",
            "checkin",
            "faster-pages",
            "380",
            "--confidence",
            "7",
        ],
        vec![
            "feedback",
            "give",
            "alice",
            "Great incident write-up",
            "--kind",
            "praise",
        ],
        vec!["report", "goals"],
        vec!["--format", "json", "report", "goals"],
        vec!["report", "team"],
        vec!["plan", "tree"],
        vec!["checkin", "list"],
        vec!["log"],
        vec!["--yes", "undo"],
        vec!["feedback", "list"],
        vec!["--format", "csv", "people", "list"],
    ];
    steps
        .iter()
        .map(|args| {
            let mut all = vec!["--db", s(db)];
            all.extend_from_slice(args);
            let out = env.run(&all);
            out.no_panic();
            out
        })
        .collect()
}

/// What a run prints, with the database's name taken out.
fn shown(out: &Out, db: &Path) -> (i32, String, String) {
    let name = s(db);
    (
        out.code,
        out.stdout.replace(name, "DB"),
        out.stderr.replace(name, "DB"),
    )
}

#[test]
fn the_same_commands_print_the_same_on_a_server_and_on_a_file() {
    let Some(mut server) = pg::server("the_same_commands_print_the_same_on_a_server_and_on_a_file")
    else {
        return;
    };
    let env = Env::new();
    let url = PathBuf::from(server.fresh_db());
    let file = env.db();
    let on_server = session(&env, &url);
    let on_file = session(&env, &file);
    for (a, b) in on_server.iter().zip(&on_file) {
        let (sa, sb) = (shown(a, &url), shown(b, &file));
        // init says where the data went: a schema on a server, a file here.
        if a.line.contains(" init ") {
            assert_eq!((sa.0, &sa.1), (sb.0, &sb.1), "{}", a.line);
            assert!(sa.2.contains("Created the yardstick schema in"), "{}", sa.2);
            continue;
        }
        assert_eq!(sa, sb, "{} differs between PostgreSQL and SQLite", a.line);
        assert_eq!(a.code, 0, "{}: {}", a.line, a.stderr);
    }
}

#[test]
fn data_moves_from_a_file_to_a_server_and_back_exactly() {
    let Some(mut server) = pg::server("data_moves_from_a_file_to_a_server_and_back_exactly") else {
        return;
    };
    let env = Env::new();
    // A file with an organisation, cycles, reviews and feedback.
    let file = env.db();
    env.run(&["demo", "--db", s(&file)]).ok();
    let first = export(&env, &file, "first.json");
    // Onto a server ...
    let url = PathBuf::from(server.fresh_db());
    env.on(&url, &["init"]).ok();
    env.on(&url, &["import", s(&first)]).ok().no_panic();
    let second = export(&env, &url, "second.json");
    assert_eq!(records(&first), records(&second), "file → server");
    // ... importing again changes nothing ...
    env.on(&url, &["import", s(&first)])
        .ok()
        .stderr_has("No changes");
    // ... and back into a fresh file.
    let back = env.init_db();
    env.on(&back, &["import", s(&second)]).ok();
    let third = export(&env, &back, "third.json");
    assert_eq!(records(&second), records(&third), "server → file");
    // The demo itself on a server: the same organisation as on a file.
    let demo_url = PathBuf::from(server.fresh_db());
    env.run(&["demo", "--db", s(&demo_url)]).ok().no_panic();
    let a = env.on(&demo_url, &["report", "team"]);
    let b = env.on(&file, &["report", "team"]);
    assert_eq!(a.ok().stdout, b.ok().stdout);
    // A second demo into the same database is refused.
    env.run(&["demo", "--db", s(&demo_url)]).code(1);
}

#[test]
fn servers_that_cannot_be_used_are_clear_errors_with_exit_3() {
    let Some(mut server) = pg::server("servers_that_cannot_be_used_are_clear_errors_with_exit_3")
    else {
        return;
    };
    let env = Env::new();
    // Nothing listens on port 1.
    env.run(&["--db", "postgres://127.0.0.1:1/ys", "plan", "list"])
        .code(3)
        .stderr_has("cannot connect to the PostgreSQL server");
    // A database that does not exist.
    env.run(&["--db", "postgres:///ys_no_such_database", "plan", "list"])
        .code(3)
        .stderr_has("has no database \"ys_no_such_database\"");
    // A login the server refuses; the password is never shown.
    let out = env.run(&[
        "--db",
        "postgres://ys_nobody:hunter2@/postgres",
        "plan",
        "list",
    ]);
    out.code(3).stderr_has("refused the login");
    assert!(!out.stderr.contains("hunter2"), "{}", out.stderr);
    // A database without a yardstick schema: reads and writes refuse, init creates it.
    let url = server.fresh_db();
    env.run(&["--db", &url, "plan", "list"])
        .code(3)
        .stderr_has("no yardstick schema");
    env.run(&["--db", &url, "plan", "add", "X"])
        .code(3)
        .stderr_has("no yardstick schema");
    // Another application's database is refused and left alone.
    let other = server.fresh_db();
    server.run_in(
        &other,
        "CREATE TABLE invoices (id int); INSERT INTO invoices VALUES (1)",
    );
    env.run(&["--db", &other, "init"])
        .code(3)
        .stderr_has("holds tables of another application (invoices)");
    server.run_in(
        &other,
        "DO $$ BEGIN IF to_regclass('yardstick_schema') IS NOT NULL \
         OR (SELECT count(*) FROM invoices) <> 1 THEN RAISE EXCEPTION 'changed'; END IF; END $$",
    );
    // A bad sslmode is bad input: exit 2 before connecting.
    env.run(&["--db", &format!("{url}?sslmode=sometimes"), "plan", "list"])
        .code(2)
        .stderr_has("sslmode=sometimes");
    // backup and doctor point to the server's tools.
    env.run(&["--db", &url, "init"]).ok();
    env.run(&["--db", &url, "backup", "copy.db"])
        .code(1)
        .stderr_has("pg_dump");
}

#[test]
fn tls_is_used_when_asked_for() {
    let Some(mut server) = pg::server("tls_is_used_when_asked_for") else {
        return;
    };
    let env = Env::new();
    let url = server.fresh_db();
    env.run(&["--db", &format!("{url}?sslmode=disable"), "init"])
        .ok();
    env.run(&["--db", &format!("{url}?sslmode=prefer"), "plan", "list"])
        .ok();
    if let Some(cert) = server.ssl_cert_file() {
        // Encrypted, the certificate not checked (libpq's `require`) ...
        env.run(&["--db", &format!("{url}?sslmode=require"), "plan", "list"])
            .ok();
        // ... checked against the server's own certificate as the root ...
        for mode in ["verify-ca", "verify-full"] {
            env.run(&[
                "--db",
                &format!("{url}?sslmode={mode}&sslrootcert={cert}"),
                "plan",
                "list",
            ])
            .ok();
        }
        // ... and against roots that do not include it: refused.
        let other = "/etc/ssl/certs/ca-certificates.crt";
        if Path::new(other).exists() {
            env.run(&[
                "--db",
                &format!("{url}?sslmode=verify-full&sslrootcert={other}"),
                "plan",
                "list",
            ])
            .code(3)
            .stderr_has("cannot connect");
        }
    } else {
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "tls_is_used_when_asked_for: the server has ssl off; sslmode=require not tried"
        );
    }
}

#[test]
fn the_schema_is_applied_once_and_a_newer_one_refused() {
    let Some(mut server) = pg::server("the_schema_is_applied_once_and_a_newer_one_refused") else {
        return;
    };
    let env = Env::new();
    let url = server.fresh_db();
    // Eight first runs at once: each migration applied once, every run fine.
    let runs: Vec<std::process::Child> = (0..8)
        .map(|_| {
            env.std_command()
                .args(["--db", &url, "init"])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for run in runs {
        let out = run.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    server.run_in(
        &url,
        "DO $$ BEGIN IF (SELECT count(*) FROM yardstick_schema) <> 2 \
         OR (SELECT count(DISTINCT version) FROM yardstick_schema) <> 2 \
         OR (SELECT max(version) FROM yardstick_schema) <> 9 THEN RAISE EXCEPTION 'bad versions'; END IF; END $$",
    );
    env.run(&["--db", &url, "init"])
        .ok()
        .stderr_has("is already a yardstick database");
    // A schema from a newer yardstick: refused, untouched.
    server.run_in(&url, "INSERT INTO yardstick_schema(version) VALUES (99)");
    env.run(&["--db", &url, "plan", "list"])
        .code(3)
        .stderr_has("schema version 99, newer than this yardstick understands");
    env.run(&["--db", &url, "people", "add", "zoe", "--name", "Zoe"])
        .code(3);
}

#[test]
fn concurrent_writers_take_turns_and_lose_nothing() {
    let Some(mut server) = pg::server("concurrent_writers_take_turns_and_lose_nothing") else {
        return;
    };
    let env = Env::new();
    let url = server.fresh_db();
    env.run(&["--db", &url, "init", "--me", "maria", "--name", "Maria"])
        .ok();
    env.run(&[
        "--db",
        &url,
        "plan",
        "add",
        "Calls",
        "--owner",
        "maria",
        "--metric",
        "calls",
        "--baseline",
        "0",
        "--target",
        "100",
    ])
    .ok();
    let (writers, each) = (4, 25);
    let runs: Vec<std::thread::JoinHandle<Vec<i32>>> = (0..writers)
        .map(|w| {
            let mut cmds: Vec<std::process::Command> = (0..each)
                .map(|i| {
                    let mut c = env.std_command();
                    c.args([
                        "--db",
                        &url,
                        "checkin",
                        "calls",
                        &format!("{}", w * 100 + i),
                    ])
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::null());
                    c
                })
                .collect();
            std::thread::spawn(move || {
                cmds.iter_mut()
                    .map(|c| c.status().unwrap().code().unwrap_or(-1))
                    .collect()
            })
        })
        .collect();
    for r in runs {
        assert!(r.join().unwrap().iter().all(|c| *c == 0));
    }
    let out = env.run(&["--db", &url, "--format", "json", "checkin", "list"]);
    let n = out.ok().json()["checkins"].as_array().map_or(0, Vec::len);
    assert_eq!(n, writers * each, "{}", out.stdout);
}

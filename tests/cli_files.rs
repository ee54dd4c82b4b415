//! End-to-end tests of how yardstick treats files: wrong files are refused
//! (exit 3) untouched, reads never write, files are private, a closed pipe
//! is quiet, and `demo` writes only where it should.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Env, assert_bytes_unchanged, example_plan, listing, mode, s, side_file, snapshot};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Stdio;

const SIDE_SUFFIXES: [&str; 3] = ["-wal", "-shm", "-journal"];

/// Which side files of `db` exist.
fn side_files(db: &Path) -> Vec<&'static str> {
    SIDE_SUFFIXES
        .iter()
        .copied()
        .filter(|suffix| side_file(db, suffix).exists())
        .collect()
}

/// A read and a write command must both refuse `db` with exit 3, mention one
/// of `needles`, and leave its bytes (and its side files) as they were.
#[track_caller]
fn refuses(env: &Env, db: &Path, case: &str, needles: &[&str]) {
    let before = std::fs::read(db).expect("read fixture");
    let sides = side_files(db);
    let plan = example_plan();
    for args in [
        &["plan", "list"][..],
        &["people", "add", "zed", "--name", "Zed"][..],
        &["plan", "apply", s(&plan)][..],
    ] {
        let out = env.on(db, args);
        out.code(3).no_panic().stderr_has_any(needles);
        assert_bytes_unchanged(db, &before, &format!("{case}: {}", out.line));
        assert_eq!(
            side_files(db),
            sides,
            "{case}: `{}` left side files behind",
            out.line
        );
    }
}

#[test]
fn a_missing_explicit_path_is_refused_and_not_created() {
    let env = Env::new();
    let dir = env.path("empty-dir");
    std::fs::create_dir(&dir).expect("mkdir");
    let db = dir.join("missing.db");
    for args in [
        &["plan", "list"][..],
        &["people", "add", "zed", "--name", "Zed"][..],
        &["log"][..],
    ] {
        let out = env.on(&db, args);
        out.code(3)
            .no_panic()
            .stderr_has_any(&["does not exist", "no such file", "not found"]);
        assert!(
            listing(&dir).is_empty(),
            "`{}` created {:?}",
            out.line,
            listing(&dir)
        );
    }
    // YARDSTICK_DB is as explicit as --db.
    let out = env
        .std_command()
        .env("YARDSTICK_DB", &db)
        .args(["people", "add", "zed", "--name", "Zed"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    assert!(listing(&dir).is_empty(), "{:?}", listing(&dir));
    // Nor does anything appear in the default location.
    assert!(!env.data.join("yardstick").exists());
}

#[test]
fn a_text_file_is_refused_untouched() {
    let env = Env::new();
    let db = env.path("notes.db");
    std::fs::write(
        &db,
        "These are my notes, not a database.\nThey are long enough to have a header's worth of bytes, and then some more text.\n",
    )
    .expect("write");
    refuses(
        &env,
        &db,
        "text file",
        &["not a yardstick database", "not an sqlite"],
    );
    // A short text file too.
    let short = env.path("short.db");
    std::fs::write(&short, "hi\n").expect("write");
    refuses(
        &env,
        &short,
        "short text file",
        &["not a yardstick database", "not an sqlite"],
    );
}

#[test]
fn another_applications_sqlite_file_is_refused_untouched() {
    let env = Env::new();
    let db = env.path("other.sqlite");
    {
        let conn = rusqlite::Connection::open(&db).expect("open");
        conn.execute_batch(
            "PRAGMA application_id = 0;
             CREATE TABLE bookmarks (id INTEGER PRIMARY KEY, url TEXT NOT NULL);
             INSERT INTO bookmarks (url) VALUES ('https://example.org');",
        )
        .expect("fixture");
    }
    refuses(
        &env,
        &db,
        "another application's file",
        &["another application", "not a yardstick database"],
    );
    // Another application that happens to use a different application_id.
    let other = env.path("other2.sqlite");
    {
        let conn = rusqlite::Connection::open(&other).expect("open");
        conn.execute_batch(
            "PRAGMA application_id = 1234;
             CREATE TABLE person (handle TEXT);",
        )
        .expect("fixture");
    }
    refuses(
        &env,
        &other,
        "another application's file (id 1234)",
        &["another application", "not a yardstick database"],
    );
}

#[test]
fn an_empty_file_is_refused_untouched() {
    let env = Env::new();
    let db = env.path("empty.db");
    std::fs::write(&db, b"").expect("write");
    refuses(&env, &db, "empty file", &["empty"]);
}

#[test]
fn a_file_from_a_newer_yardstick_is_refused_untouched() {
    let env = Env::new();
    let db = env.planned_db();
    {
        let conn = rusqlite::Connection::open(&db).expect("open");
        conn.execute_batch("PRAGMA user_version = 999;")
            .expect("set user_version");
    }
    assert!(
        side_files(&db).is_empty(),
        "fixture left side files: {:?}",
        side_files(&db)
    );
    refuses(&env, &db, "newer schema", &["newer"]);
}

#[test]
fn a_corrupt_file_is_refused_untouched() {
    let env = Env::new();
    let db = env.planned_db();
    env.on(&db, &["people", "add", "zed", "--name", "Zed"]).ok();
    let mut bytes = std::fs::read(&db).expect("read");
    let page_size = match u16::from_be_bytes([bytes[16], bytes[17]]) {
        1 => 65536,
        n => usize::from(n),
    };
    assert!(
        bytes.len() > 2 * page_size,
        "the fixture has several pages ({} bytes, page size {page_size})",
        bytes.len()
    );
    for b in &mut bytes[page_size..] {
        *b = 0xFF;
    }
    std::fs::write(&db, &bytes).expect("corrupt");
    refuses(&env, &db, "corrupt file", &["corrupt", "malformed"]);
}

#[test]
fn a_directory_is_refused() {
    let env = Env::new();
    let dir = env.path("a-dir.db");
    std::fs::create_dir(&dir).expect("mkdir");
    for args in [
        &["plan", "list"][..],
        &["people", "add", "zed", "--name", "Zed"][..],
    ] {
        env.on(&dir, args).code(3).no_panic();
        assert!(listing(&dir).is_empty());
    }
}

/// Every read command on a clean file (no `-wal`): bytes, mtime and no side
/// files left. With a `-wal` holding data, see
/// `tests/security.rs::reads_never_change_the_database_even_with_a_wal`.
#[test]
fn read_commands_leave_bytes_and_mtime_unchanged() {
    let env = Env::new();
    let db = env.planned_db();
    // Give it a log with an undone operation and a check of every read path.
    env.on(&db, &["plan", "close", "api-latency", "missed"])
        .ok();
    env.on(&db, &["undo", "--yes"]).ok();
    let sides = side_files(&db);
    assert!(
        sides.is_empty(),
        "a finished write left side files behind: {sides:?}"
    );
    // Make any write visible in the mtime even on coarse clocks.
    std::thread::sleep(std::time::Duration::from_millis(20));
    let before = snapshot(&db);
    let plan = example_plan();
    let out_toml = env.path("export.toml");
    let out_csv = env.path("goals.csv");
    let out_json = env.path("export.json");
    let backup = env.path("backup.db");
    let reads: Vec<Vec<&str>> = vec![
        vec!["plan", "list"],
        vec!["plan", "list", "--format", "json"],
        vec!["plan", "list", "--status", "all", "--format", "csv"],
        vec!["plan", "list", "-o", s(&out_csv)],
        vec!["plan", "show", "api-latency"],
        vec!["plan", "show", "api-latency", "--format", "json"],
        vec!["plan", "tree"],
        vec!["plan", "tree", "reliable-platform", "--format", "json"],
        vec!["people", "list"],
        vec!["people", "show", "alice"],
        vec!["team", "list"],
        vec!["team", "tree"],
        vec!["log"],
        vec!["log", "--format", "json"],
        vec!["plan", "export"],
        vec!["plan", "export", "-o", s(&out_toml)],
        vec!["plan", "apply", s(&plan), "--dry-run"],
        vec![
            "plan",
            "carry",
            "--from",
            "2026-Q4",
            "--to",
            "2027-Q1",
            "--dry-run",
        ],
        vec!["config", "show"],
        vec!["report", "goals"],
        vec!["report", "team", "--format", "html"],
        vec!["export"],
        vec!["export", "-o", s(&out_json)],
        vec!["doctor"],
        vec!["backup", s(&backup)],
    ];
    for args in reads {
        let out = env.on(&db, &args);
        out.ok().no_panic();
        let after = snapshot(&db);
        assert!(
            after.bytes == before.bytes,
            "`{}` changed the file's bytes",
            out.line
        );
        assert_eq!(
            after.mtime, before.mtime,
            "`{}` changed the mtime",
            out.line
        );
        assert!(
            side_files(&db).is_empty(),
            "`{}` left side files behind: {:?}",
            out.line,
            side_files(&db)
        );
    }
    // Failing reads (not found) also write nothing.
    env.on(&db, &["plan", "show", "nope"]).code(1);
    let after = snapshot(&db);
    assert!(after == before, "a failed read changed the file");
}

#[test]
fn reading_the_missing_default_database_is_empty_and_creates_nothing() {
    let env = Env::new();
    let out = env.run(&["plan", "list", "--format", "json"]);
    out.ok().no_panic();
    let v = out.json();
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["goals"].as_array().map(Vec::len), Some(0), "{v}");
    for args in [
        &["people", "list", "--format", "json"][..],
        &["team", "list"][..],
        &["plan", "tree"][..],
        &["log"][..],
        &["plan", "export"][..],
    ] {
        env.run(args).ok().no_panic();
    }
    let people = env.run(&["people", "list", "--format", "json"]).json();
    assert_eq!(
        people["people"].as_array().map(Vec::len),
        Some(0),
        "{people}"
    );
    assert!(
        !env.default_db().exists(),
        "a read created {}",
        env.default_db().display()
    );
    assert!(
        !env.data.join("yardstick").exists(),
        "a read created the data directory"
    );
    assert!(listing(&env.work).is_empty(), "{:?}", listing(&env.work));
}

#[test]
fn files_are_created_private() {
    let env = Env::new();
    // init with --db.
    let db = env.init_db();
    assert_eq!(mode(&db), 0o600, "init --db");
    // After writes, the file (and any side file still there) stays private.
    let plan = example_plan();
    env.on(&db, &["plan", "apply", s(&plan)]).ok();
    assert_eq!(mode(&db), 0o600, "after plan apply");
    for suffix in SIDE_SUFFIXES {
        let p = side_file(&db, suffix);
        if p.exists() {
            assert_eq!(mode(&p), 0o600, "{}", p.display());
        }
    }

    // The first write to the default database creates it, and its directory.
    assert!(!env.default_db().exists());
    env.run(&["people", "add", "zed", "--name", "Zed"]).ok();
    let default = env.default_db();
    assert!(
        default.exists(),
        "the first write creates the default database"
    );
    assert_eq!(mode(&default), 0o600, "default database");
    assert_eq!(
        mode(default.parent().expect("parent")),
        0o700,
        "default database directory"
    );
    let people = env.run(&["people", "list", "--format", "json"]).json();
    assert_eq!(people["people"][0]["handle"], "zed");

    // -o files.
    let cases: [(PathBuf, Vec<&str>); 4] = [
        (env.path("goals.csv"), vec!["plan", "list"]),
        (env.path("goals.json"), vec!["plan", "list"]),
        (env.path("tree.md"), vec!["plan", "tree"]),
        (env.path("plan.toml"), vec!["plan", "export"]),
    ];
    for (path, args) in &cases {
        let mut all = args.clone();
        all.extend(["-o", s(path)]);
        env.on(&db, &all).ok();
        assert!(path.exists(), "{} written", path.display());
        assert_eq!(mode(path), 0o600, "{}", path.display());
    }
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&cases[1].0).expect("read")).expect("json");
    assert_eq!(json["kind"], "goals");

    // demo --db.
    let demo = env.db();
    env.run(&["demo", "--db", s(&demo)]).ok();
    assert_eq!(mode(&demo), 0o600, "demo --db");
}

#[test]
fn a_closed_pipe_exits_quietly() {
    let env = Env::new();
    let db = env.db();
    env.run(&["demo", "--db", s(&db), "--people", "300"]).ok();

    // The reader is gone before anything is written.
    let mut child = env
        .std_command()
        .args(["--db", s(&db), "plan", "list", "--format", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "stderr:\n{stderr}");
    assert!(!stderr.contains("panicked"), "stderr:\n{stderr}");
    assert!(
        !stderr.to_lowercase().contains("error"),
        "stderr:\n{stderr}"
    );

    // The reader takes one byte and leaves, mid-output (more than a pipe buffer).
    for args in [
        &["plan", "list", "--format", "json"][..],
        &["plan", "tree"][..],
        &["plan", "export"][..],
    ] {
        let mut child = env
            .std_command()
            .args(["--db", s(&db)])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        let mut stdout = child.stdout.take().expect("stdout");
        let mut one = [0u8; 1];
        stdout.read_exact(&mut one).expect("first byte");
        drop(stdout);
        let out = child.wait_with_output().expect("wait");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: stderr:\n{stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: stderr:\n{stderr}");
        assert!(
            !stderr.to_lowercase().contains("error"),
            "{args:?}: stderr:\n{stderr}"
        );
    }
}

#[test]
fn demo_fills_a_new_file_and_prints_the_tree() {
    let env = Env::new();
    let db = env.db();
    let out = env.run(&["demo", "--db", s(&db)]);
    out.ok().no_panic();
    let first = out.stdout.lines().next().unwrap_or_default();
    assert!(
        first.contains("key") && first.contains("depth"),
        "a tree header: {first:?}\n{}",
        out.stdout
    );
    assert!(out.stdout.lines().count() > 5, "{}", out.stdout);
    let list = env.on(&db, &["plan", "list", "--format", "json"]).json();
    assert!(list["goals"].as_array().map(Vec::len).unwrap_or(0) > 5);

    // The same seed gives the same plan.
    let again = env.db();
    env.run(&["demo", "--db", s(&again)]).ok();
    let a = env.on(&db, &["plan", "export"]);
    let b = env.on(&again, &["plan", "export"]);
    assert_eq!(a.ok().stdout, b.ok().stdout, "demo is not reproducible");

    // An existing --db is never overwritten.
    let before = std::fs::read(&db).expect("read");
    env.run(&["demo", "--db", s(&db)]).code(1).no_panic();
    assert_bytes_unchanged(&db, &before, "demo --db EXISTING");
}

#[test]
fn demo_without_db_writes_in_the_current_directory_only() {
    let env = Env::new();
    let cwd = env.path("demo-here");
    std::fs::create_dir(&cwd).expect("mkdir");
    let out = env.run_in(&cwd, &["demo"]);
    out.ok().no_panic();
    assert!(
        cwd.join("yardstick-demo.db").exists(),
        "{:?}",
        listing(&cwd)
    );
    assert_eq!(mode(&cwd.join("yardstick-demo.db")), 0o600);
    assert!(
        !env.data.join("yardstick").exists(),
        "demo wrote into XDG_DATA_HOME"
    );
    // Running it again replaces the demo file.
    env.run_in(&cwd, &["demo"]).ok();
    assert!(!env.data.join("yardstick").exists());
    // But a demo-named file that is not a yardstick database is left alone.
    let other = env.path("demo-other");
    std::fs::create_dir(&other).expect("mkdir");
    std::fs::write(other.join("yardstick-demo.db"), "precious\n").expect("write");
    env.run_in(&other, &["demo"]).code(3).no_panic();
    assert_eq!(
        std::fs::read(other.join("yardstick-demo.db")).expect("read"),
        b"precious\n"
    );
}

#[test]
fn a_refused_init_creates_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("new.db");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_yardstick"))
        .args(["init", "--me", "alice", "--db"])
        .arg(&db)
        .env_clear()
        .env("HOME", dir.path())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--name"));
    assert!(!db.exists(), "a refused init left a file behind");
    assert_eq!(
        std::fs::read_dir(dir.path()).expect("dir").count(),
        0,
        "nothing at all is left behind"
    );
}

//! Privacy on disk: deleted text leaves the file (secure_delete, and
//! `--purge` for the undo history), and every file yardstick creates is
//! readable only by its owner, whatever the umask.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

const MARK: &str = "SECRET-MARKER-7f3a9c";

fn yardstick(db: &Path, args: &[&str]) -> std::process::Output {
    let out = Command::new(env!("CARGO_BIN_EXE_yardstick"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_clear()
        .env("YARDSTICK_TODAY", "2026-11-22")
        .env("HOME", db.parent().unwrap())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn file_has(path: &Path, needle: &str) -> bool {
    let bytes = std::fs::read(path).unwrap_or_default();
    bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
}

fn on_disk(db: &Path, needle: &str) -> bool {
    let wal = db.with_extension("db-wal");
    file_has(db, needle) || file_has(&wal, needle)
}

fn setup(dir: &Path) -> std::path::PathBuf {
    let db = dir.join("s.db");
    yardstick(&db, &["init", "--me", "bob", "--name", "Bob"]);
    yardstick(
        &db,
        &[
            "people",
            "add",
            "alice",
            "--name",
            "Alice",
            "--manager",
            "bob",
        ],
    );
    yardstick(
        &db,
        &[
            "plan",
            "add",
            "Cut latency",
            "--owner",
            "alice",
            "--metric",
            "p95",
            "--baseline",
            "450",
            "--target",
            "200",
        ],
    );
    db
}

#[test]
fn a_purged_feedback_text_is_not_in_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = setup(dir.path());
    yardstick(
        &db,
        &[
            "--as",
            "bob",
            "feedback",
            "give",
            "alice",
            &format!("{MARK} estimates slip"),
            "--kind",
            "concern",
            "--private",
        ],
    );
    assert!(on_disk(&db, MARK), "the text is stored");
    // A plain rm keeps it recoverable through undo (and so still in the file)…
    yardstick(&db, &["feedback", "rm", "1", "--yes"]);
    assert!(
        on_disk(&db, MARK),
        "undo history keeps the text until purged"
    );
    yardstick(&db, &["undo", "--yes"]);
    let list = String::from_utf8(yardstick(&db, &["feedback", "list", "--format", "json"]).stdout)
        .unwrap();
    assert!(list.contains(MARK), "undo restored it");
    // …`--purge` erases it from the file for good.
    yardstick(&db, &["feedback", "rm", "1", "--purge", "--yes"]);
    assert!(
        !on_disk(&db, MARK),
        "the purged text is still somewhere in the database file"
    );
    let undo = Command::new(env!("CARGO_BIN_EXE_yardstick"))
        .arg("--db")
        .arg(&db)
        .args(["undo", "--yes"])
        .env_clear()
        .env("HOME", dir.path())
        .output()
        .unwrap();
    let list = String::from_utf8(yardstick(&db, &["feedback", "list", "--format", "json"]).stdout)
        .unwrap();
    assert!(
        !list.contains(MARK),
        "a purge cannot be undone (undo said: {})",
        String::from_utf8_lossy(&undo.stderr)
    );
}

#[test]
fn a_purged_checkin_note_is_not_in_the_file_even_after_an_edit() {
    let dir = tempfile::tempdir().unwrap();
    let db = setup(dir.path());
    yardstick(
        &db,
        &[
            "--as",
            "alice",
            "checkin",
            "cut-latency",
            "400",
            "--note",
            &format!("{MARK}-first"),
        ],
    );
    yardstick(
        &db,
        &["checkin", "edit", "1", "--note", &format!("{MARK}-second")],
    );
    assert!(
        on_disk(&db, &format!("{MARK}-first")),
        "the edited-away note is in the undo history"
    );
    yardstick(&db, &["checkin", "rm", "1", "--purge", "--yes"]);
    assert!(!on_disk(&db, MARK), "a note survived the purge");
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

fn under_umask_022(args: &[&str], db: &Path, cwd: &Path) {
    let status = Command::new("sh")
        .arg("-c")
        .arg("umask 022; exec \"$@\"")
        .arg("sh")
        .arg(env!("CARGO_BIN_EXE_yardstick"))
        .arg("--db")
        .arg(db)
        .args(args)
        .current_dir(cwd)
        .env_clear()
        .env("YARDSTICK_TODAY", "2026-11-22")
        .env("HOME", cwd)
        .status()
        .unwrap();
    assert!(status.success(), "{args:?}");
}

#[test]
fn files_are_private_under_umask_022() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("u.db");
    under_umask_022(&["init", "--me", "bob", "--name", "Bob"], &db, dir.path());
    assert_eq!(mode(&db), 0o600, "database");
    under_umask_022(&["plan", "add", "Ship", "--owner", "bob"], &db, dir.path());
    for out in [
        "goals.csv",
        "goals.json",
        "packet.html",
        "plan.toml",
        "export.json",
    ] {
        let args: Vec<&str> = match out {
            "packet.html" => vec!["report", "person", "bob", "-o", out],
            "plan.toml" => vec!["plan", "export", "-o", out],
            "export.json" => vec!["export", "-o", out],
            _ => vec!["plan", "list", "-o", out],
        };
        under_umask_022(&args, &db, dir.path());
        assert_eq!(mode(&dir.path().join(out)), 0o600, "{out}");
    }
    // The -wal and -shm side files take the database's mode (SQLite copies it),
    // so they are 0600 too: hold a connection open to keep them, then write.
    let keep = rusqlite::Connection::open(&db).unwrap();
    keep.query_row("SELECT count(*) FROM person", [], |r| r.get::<_, i64>(0))
        .unwrap();
    under_umask_022(&["people", "add", "ann", "--name", "Ann"], &db, dir.path());
    for side in ["u.db-wal", "u.db-shm"] {
        let p = dir.path().join(side);
        assert!(p.exists(), "{side} exists while a connection is open");
        assert_eq!(mode(&p), 0o600, "{side}");
    }
    drop(keep);
}

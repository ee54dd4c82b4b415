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

// ---- Files yardstick writes, and the database it reads -----------------

mod common;

use common::{Env, Out, s, side_file, snapshot};
use rusqlite::config::DbConfig;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::PathBuf;

/// The caller's uid, as the owner of a file it just made.
fn my_uid(env: &Env) -> u32 {
    let probe = env.path("uid-probe");
    std::fs::write(&probe, "").unwrap();
    let uid = std::fs::metadata(&probe).unwrap().uid();
    std::fs::remove_file(&probe).unwrap();
    uid
}

/// Another user to own planted files (65534, "nobody"), or `None` when the
/// tests cannot chown (not root).
fn other_uid(env: &Env) -> Option<u32> {
    if my_uid(env) == 0 {
        Some(65534)
    } else {
        eprintln!("skipped: simulating another user needs root (chown)");
        None
    }
}

fn mkfifo(path: &Path) {
    let made = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(made.success(), "mkfifo {}", path.display());
}

/// A directory like /tmp: sticky and writable by everyone.
fn shared_dir(env: &Env, name: &str) -> PathBuf {
    let dir = env.path(name);
    std::fs::create_dir(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o1777)).unwrap();
    dir
}

/// The people handles a read shows.
fn handles(env: &Env, db: &Path) -> Vec<String> {
    let out = env.on(db, &["people", "list", "--format", "json"]);
    out.ok();
    let text = out.stdout;
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let rows = v["people"].as_array().cloned().unwrap_or_default();
    rows.iter()
        .filter_map(|p| p["handle"].as_str().map(str::to_string))
        .collect()
}

#[track_caller]
fn refused(out: &Out, needle: &str) {
    out.code(2).no_panic().stderr_has(needle);
}

/// `-o` never writes the database in use or its side files, however the
/// path names them (relative, `..`, a symbolic link, a hard link, a side
/// file that does not exist yet); a write command is refused before it
/// changes anything.
#[test]
fn output_never_overwrites_the_database_or_its_side_files() {
    let env = Env::new();
    let db = env.planned_db();
    let name = db.file_name().unwrap().to_str().unwrap().to_string();
    let link = env.path("link.csv");
    std::os::unix::fs::symlink(&db, &link).unwrap();
    let hard = env.path("hard.csv");
    std::fs::hard_link(&db, &hard).unwrap();
    let wal_link = env.path("wal-link.csv");
    std::os::unix::fs::symlink(format!("{name}-wal"), &wal_link).unwrap();
    let sub = env.path("sub");
    std::fs::create_dir(&sub).unwrap();
    let up = format!("sub/../{name}");
    let dot = format!("./{name}");
    let wal = format!("{name}-wal");
    let shm = format!("{name}-shm");
    let journal = format!("{name}-journal");
    std::thread::sleep(std::time::Duration::from_millis(20));
    let before = snapshot(&db);
    let targets: Vec<(&str, &str)> = vec![
        (s(&db), "the database in use"),
        (&name, "the database in use"),
        (&dot, "the database in use"),
        (&up, "the database in use"),
        (s(&link), "the database in use"),
        (s(&hard), "the database in use"),
        (&wal, "write-ahead log"),
        (s(&wal_link), "write-ahead log"),
        (&shm, "shared-memory index"),
        (&journal, "rollback journal"),
    ];
    let commands: [&[&str]; 5] = [
        &["plan", "list", "--format", "csv"],
        &["export", "--format", "json"],
        &["report", "goals", "--format", "html"],
        &["plan", "export"],
        &["people", "add", "zed", "--name", "Zed", "--format", "json"],
    ];
    for (target, what) in &targets {
        for command in commands {
            let mut args = command.to_vec();
            args.extend(["-o", target]);
            refused(&env.on(&db, &args), what);
            assert!(snapshot(&db) == before, "-o {target}: the database changed");
            for suffix in ["-wal", "-shm", "-journal"] {
                assert!(
                    !side_file(&db, suffix).exists(),
                    "-o {target}: {suffix} was created"
                );
            }
        }
    }
    // The --db path given relatively, -o absolutely, through a link to the directory.
    let dir_link = env.path("dir-link");
    std::os::unix::fs::symlink(env.path(""), &dir_link).unwrap();
    let via_dir = dir_link.join(&name);
    let out = env.run(&["--db", &name, "plan", "list", "-o", s(&via_dir)]);
    refused(&out, "the database in use");
    // An existing -wal is compared by identity too, and left as it was.
    let keep = rusqlite::Connection::open(&db).unwrap();
    keep.query_row("SELECT count(*) FROM person", [], |r| r.get::<_, i64>(0))
        .unwrap();
    env.on(&db, &["people", "add", "ann", "--name", "Ann"]).ok();
    let wal_path = side_file(&db, "-wal");
    let wal_hard = env.path("wal-hard.csv");
    std::fs::hard_link(&wal_path, &wal_hard).unwrap();
    let wal_before = std::fs::read(&wal_path).unwrap();
    assert!(!wal_before.is_empty());
    refused(
        &env.on(&db, &["plan", "list", "-o", s(&wal_hard)]),
        "write-ahead log",
    );
    assert_eq!(std::fs::read(&wal_path).unwrap(), wal_before);
    drop(keep);
    assert!(!handles(&env, &db).contains(&"zed".to_string()));
    // Any other name is written as usual.
    env.on(&db, &["plan", "list", "-o", "goals.csv"]).ok();
    assert!(env.path("goals.csv").exists());
}

/// `backup FILE` refuses the database it copies and that database's side
/// files (exit 2, nothing created), and `-o` cannot overwrite the backup.
#[test]
fn backup_refuses_the_database_and_its_side_files() {
    let env = Env::new();
    let db = env.planned_db();
    let name = db.file_name().unwrap().to_str().unwrap().to_string();
    let link = env.path("link.db");
    std::os::unix::fs::symlink(&db, &link).unwrap();
    let dangling = env.path("dangling.db");
    std::os::unix::fs::symlink(format!("{name}-wal"), &dangling).unwrap();
    let before = snapshot(&db);
    let dot = format!("./{name}");
    let wal = format!("{name}-wal");
    let shm = format!("{name}-shm");
    let journal = format!("{name}-journal");
    for (target, what) in [
        (s(&db), "the database in use"),
        (&dot, "the database in use"),
        (s(&link), "the database in use"),
        (&wal, "write-ahead log"),
        (s(&dangling), "write-ahead log"),
        (&shm, "shared-memory index"),
        (&journal, "rollback journal"),
    ] {
        refused(&env.on(&db, &["backup", target]), what);
        assert!(
            snapshot(&db) == before,
            "backup {target} changed the database"
        );
        for suffix in ["-wal", "-shm", "-journal"] {
            assert!(
                !side_file(&db, suffix).exists(),
                "backup {target}: {suffix} was created"
            );
        }
    }
    let copy = env.path("copy.db");
    refused(
        &env.on(
            &db,
            &["backup", s(&copy), "--format", "json", "-o", s(&copy)],
        ),
        "the backup itself",
    );
    assert!(!copy.exists(), "a refused backup left a file");
    env.on(&db, &["backup", s(&copy), "-o", "backup.json"]).ok();
    assert_eq!(common::mode(&copy), 0o600);
    assert!(env.path("backup.json").exists());
}

/// In a shared sticky directory (like /tmp), `-o` does not follow a link,
/// or write into a pipe, that another user put there (the rule of Linux's
/// fs.protected_symlinks / protected_fifos, which is off on this machine
/// or not, whatever): exit 2, nothing written, checked before a write
/// command changes anything. The user's own link and pipe there, and a link
/// owned by the directory's owner, still work.
#[test]
fn output_refuses_links_and_pipes_planted_by_another_user_in_a_shared_directory() {
    let env = Env::new();
    let Some(other) = other_uid(&env) else {
        return;
    };
    let db = env.planned_db();
    let shared = shared_dir(&env, "tmp");
    let victim = env.path("victim.txt");
    std::fs::write(&victim, "keep").unwrap();
    std::fs::set_permissions(&victim, std::fs::Permissions::from_mode(0o644)).unwrap();
    // A link to an existing file, and one to a name that does not exist yet.
    let planted = shared.join("report.csv");
    std::os::unix::fs::symlink(&victim, &planted).unwrap();
    std::os::unix::fs::lchown(&planted, Some(other), None).unwrap();
    let dangling = shared.join("later.csv");
    let later = env.path("later.csv");
    std::os::unix::fs::symlink(&later, &dangling).unwrap();
    std::os::unix::fs::lchown(&dangling, Some(other), None).unwrap();
    // A pipe: were it opened, the command would block until the timeout.
    let fifo = shared.join("pipe.csv");
    mkfifo(&fifo);
    std::os::unix::fs::chown(&fifo, Some(other), None).unwrap();
    // My own link, in my own directory, leading to the planted one.
    let chain = env.path("mine.csv");
    std::os::unix::fs::symlink(&planted, &chain).unwrap();
    for target in [&planted, &dangling, &fifo, &chain] {
        for command in [
            &["plan", "list", "--format", "csv"][..],
            &["export", "--format", "csv"][..],
            &["people", "add", "zed", "--name", "Zed", "--format", "csv"][..],
        ] {
            let mut args = command.to_vec();
            args.extend(["-o", s(target)]);
            refused(&env.on(&db, &args), "owned by another user");
        }
    }
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");
    assert_eq!(common::mode(&victim), 0o644);
    assert!(!later.exists(), "a planted dangling link was followed");
    assert!(
        std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo()
    );
    assert!(!handles(&env, &db).contains(&"zed".to_string()));
    assert_eq!(
        common::listing(&shared),
        ["later.csv", "pipe.csv", "report.csv"],
        "something was left in the shared directory"
    );

    // My own link there is followed, and the file it names becomes 0600.
    let mine = env.path("mine-real.csv");
    let my_link = shared.join("my-link.csv");
    std::os::unix::fs::symlink(&mine, &my_link).unwrap();
    env.on(&db, &["plan", "list", "--format", "csv", "-o", s(&my_link)])
        .ok();
    assert!(
        std::fs::symlink_metadata(&my_link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(common::mode(&mine), 0o600);
    // My own pipe there is written to.
    let my_fifo = shared.join("my-pipe.csv");
    mkfifo(&my_fifo);
    let (tx, rx) = std::sync::mpsc::channel();
    {
        let my_fifo = my_fifo.clone();
        std::thread::spawn(move || {
            let mut text = String::new();
            if let Ok(mut f) = std::fs::File::open(&my_fifo) {
                let _ = std::io::Read::read_to_string(&mut f, &mut text);
            }
            let _ = tx.send(text);
        });
    }
    env.on(&db, &["plan", "list", "--format", "csv", "-o", s(&my_fifo)])
        .ok();
    let text = rx.recv_timeout(std::time::Duration::from_secs(10)).unwrap();
    assert!(text.contains("api-latency"), "{text}");

    // A directory owned by another user: a link of that owner is trusted
    // (as the kernel's rule does), a third user's is not.
    let theirs = shared_dir(&env, "theirs");
    std::os::unix::fs::chown(&theirs, Some(other), None).unwrap();
    let owners = env.path("owners.csv");
    let by_owner = theirs.join("by-owner.csv");
    std::os::unix::fs::symlink(&owners, &by_owner).unwrap();
    std::os::unix::fs::lchown(&by_owner, Some(other), None).unwrap();
    env.on(
        &db,
        &["plan", "list", "--format", "csv", "-o", s(&by_owner)],
    )
    .ok();
    assert_eq!(common::mode(&owners), 0o600);
    let by_third = theirs.join("by-third.csv");
    std::os::unix::fs::symlink(&victim, &by_third).unwrap();
    std::os::unix::fs::lchown(&by_third, Some(other - 1), None).unwrap();
    refused(
        &env.on(
            &db,
            &["plan", "list", "--format", "csv", "-o", s(&by_third)],
        ),
        "owned by another user",
    );
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");
}

/// Run `yardstick --db DB args…` in `env`'s working directory with umask 000.
fn under_umask_000(env: &Env, db: &Path, args: &[&str]) {
    let status = Command::new("sh")
        .arg("-c")
        .arg("umask 000; exec \"$@\"")
        .arg("sh")
        .arg(env!("CARGO_BIN_EXE_yardstick"))
        .arg("--db")
        .arg(db)
        .args(args)
        .current_dir(&env.work)
        .env_clear()
        .env("YARDSTICK_TODAY", "2026-11-22")
        .env("HOME", &env.home)
        .status()
        .unwrap();
    assert!(status.success(), "{args:?}");
}

/// A regular file written with `-o` ends 0600 whatever it was before (a
/// world-writable 0666 file is replaced by a private one, also through a
/// link) and whatever the umask; a device is written as it is, its mode and
/// type unchanged.
#[test]
fn a_file_written_with_o_ends_0600_whatever_it_was_before() {
    let env = Env::new();
    let db = env.planned_db();
    let open = env.path("open.csv");
    let real = env.path("real.csv");
    let link = env.path("link.csv");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    for (args, file) in [
        (&["plan", "list", "-o", "open.csv"][..], &open),
        (&["export", "--format", "csv", "-o", "open.csv"][..], &open),
        (&["plan", "export", "-o", "open.csv"][..], &open),
        (&["report", "goals", "-o", "link.csv"][..], &real),
    ] {
        std::fs::write(file, "old").unwrap();
        std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o666)).unwrap();
        under_umask_000(&env, &db, args);
        assert_eq!(common::mode(file), 0o600, "{args:?}");
        assert_ne!(std::fs::read_to_string(file).unwrap(), "old", "{args:?}");
    }
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let null = Path::new("/dev/null");
    let before = std::fs::metadata(null).unwrap();
    env.on(&db, &["plan", "list", "--format", "csv", "-o", "/dev/null"])
        .ok();
    let after = std::fs::metadata(null).unwrap();
    assert!(after.file_type().is_char_device());
    assert_eq!(after.mode(), before.mode());
}

/// Set a file's modification time `secs` seconds into the past.
fn age(path: &Path, secs: u64) {
    let then = std::time::SystemTime::now() - std::time::Duration::from_secs(secs);
    std::fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(then)
        .unwrap();
}

/// A run killed while writing leaves `.yardstick-export-<pid>-<random>.tmp`
/// beside the target; the next write there removes it once that process is
/// gone and a minute has passed. Files of a live process, fresh ones,
/// another user's, links and other names are left alone; a successful
/// write leaves no temporary file.
#[test]
fn a_killed_runs_temporary_file_is_removed_by_the_next_write() {
    let env = Env::new();
    let db = env.planned_db();
    let dead = 2_147_483_000_u32; // above any pid_max: no such process
    let live = std::process::id();
    let make = |name: &str, secs: u64| {
        let p = env.path(name);
        std::fs::write(&p, "confidential").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
        age(&p, secs);
        p
    };
    let stale = make(&format!(".yardstick-export-{dead}-aB3xY9.tmp"), 7200);
    let legacy = make(".yardstick-exportgH6tS3", 7200);
    let kept = [
        make(&format!(".yardstick-export-{live}-cD4zW1.tmp"), 7200),
        make(&format!(".yardstick-export-{dead}-eF5vU2.tmp"), 0),
        make(".yardstick-exportiJ7rQ4", 0),
        make(&format!(".yardstick-export-{dead}-notes.tmp"), 7200),
        make("notes.tmp", 7200),
    ];
    let target_of_link = make("elsewhere.txt", 7200);
    let link = env.path(&format!(".yardstick-export-{dead}-kL8pO5.tmp"));
    std::os::unix::fs::symlink(&target_of_link, &link).unwrap();
    let theirs = other_uid(&env).map(|other| {
        let p = make(&format!(".yardstick-export-{dead}-mN9nM6.tmp"), 7200);
        std::os::unix::fs::chown(&p, Some(other), None).unwrap();
        p
    });
    env.on(&db, &["plan", "list", "-o", "goals.csv"]).ok();
    assert!(
        !stale.exists(),
        "the dead run's temporary file is still there"
    );
    assert!(
        !legacy.exists(),
        "an earlier build's temporary file is still there"
    );
    for p in kept
        .iter()
        .chain(theirs.iter())
        .chain([&link, &target_of_link])
    {
        assert!(
            std::fs::symlink_metadata(p).is_ok(),
            "{} was removed",
            p.display()
        );
    }
    // Nothing else of the pattern is there: the write left no temporary file.
    let mut expected: Vec<String> = kept
        .iter()
        .chain(theirs.iter())
        .chain([&link])
        .filter_map(|p| p.file_name()?.to_str().map(str::to_string))
        .filter(|n| n.starts_with(".yardstick-export"))
        .collect();
    expected.sort();
    let temps: Vec<String> = common::listing(&env.work)
        .into_iter()
        .filter(|n| n.starts_with(".yardstick-export"))
        .collect();
    assert_eq!(temps, expected);
}

/// A run killed during `backup` or while creating a database leaves a
/// complete or partial copy (`.yardstick-backup-<pid>-<random>.db`,
/// `.yardstick-new-…`, with SQLite's side files); the next backup, new
/// database or `-o` in that directory removes those of dead runs.
#[test]
fn a_killed_backup_or_new_databases_temporary_files_are_removed_too() {
    let env = Env::new();
    let db = env.planned_db();
    let dead = 2_147_483_000_u32;
    let live = std::process::id();
    let dir = env.path("shelf");
    std::fs::create_dir(&dir).unwrap();
    let make = |name: &str, secs: u64| {
        let p = dir.join(name);
        std::fs::write(&p, "confidential").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
        age(&p, secs);
        p
    };
    for (write, name) in [
        (vec!["backup", "shelf/copy.db"], "backup"),
        (vec!["init", "--db", "shelf/new.db"], "new"),
        (vec!["plan", "list", "-o", "shelf/goals.csv"], "export"),
    ] {
        let stale = [
            make(&format!(".yardstick-backup-{dead}-aB3xY9.db"), 7200),
            make(&format!(".yardstick-backup-{dead}-aB3xY9.db-journal"), 7200),
            make(".yardstick-backup-gH6tS3.db", 7200),
            make(&format!(".yardstick-new-{dead}-zZ1yY2.db"), 7200),
            make(&format!(".yardstick-new-{dead}-zZ1yY2.db-wal"), 7200),
            make(&format!(".yardstick-export-{dead}-qR2sT3.tmp"), 7200),
        ];
        let kept = [
            make(&format!(".yardstick-backup-{live}-cD4zW1.db"), 7200),
            make(&format!(".yardstick-new-{dead}-eF5vU2.db"), 0),
            make("keep.db", 7200),
        ];
        let out = if write[0] == "init" {
            env.run_in(&env.work, &write)
        } else {
            let mut args = vec!["--db", s(&db)];
            args.extend(write.iter().copied());
            env.run_in(&env.work, &args)
        };
        out.ok();
        for p in &stale {
            assert!(!p.exists(), "{name}: {} is still there", p.display());
        }
        for p in &kept {
            assert!(p.exists(), "{name}: {} was removed", p.display());
            std::fs::remove_file(p).unwrap();
        }
        // The write itself left no temporary file.
        let left: Vec<String> = common::listing(&dir)
            .into_iter()
            .filter(|n| n.starts_with(".yardstick-"))
            .collect();
        assert!(left.is_empty(), "{name}: {left:?}");
    }
}

/// Leave a `-wal` holding a committed change beside `db`, as a crash (or a
/// writer still at work) does: the change is not checkpointed into the file.
fn leave_wal(db: &Path, sql: &str) {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.pragma_update(None, "wal_autocheckpoint", 0).unwrap();
    conn.execute_batch(sql).unwrap();
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true)
        .unwrap();
    drop(conn);
    let wal = side_file(db, "-wal");
    assert!(
        std::fs::metadata(&wal)
            .map(|m| m.len() > 0)
            .unwrap_or(false),
        "no -wal with content was left"
    );
}

/// Read commands never change the database: with a `-wal` holding a change
/// (and with or without its `-shm`), they see the change, and the file's
/// bytes and mtime and the `-wal`'s bytes stay as they were. Also for a file
/// of an earlier schema version, read through an upgraded copy in memory.
#[test]
fn reads_never_change_the_database_even_with_a_wal() {
    let env = Env::new();
    let out = env.path("out");
    std::fs::create_dir(&out).unwrap();
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/schema-v3.db");
    for (old, drop_shm) in [(false, false), (false, true), (true, false), (true, true)] {
        let (file, who) = if old {
            let file = env.path(&format!("v3-{drop_shm}.db"));
            std::fs::copy(fixture, &file).unwrap();
            (file, "bob")
        } else {
            (env.planned_db(), "alice")
        };
        let file = &file;
        {
            leave_wal(
                file,
                &format!("UPDATE person SET name = 'Renamed In Wal' WHERE handle = '{who}'"),
            );
            if drop_shm {
                let _ = std::fs::remove_file(side_file(file, "-shm"));
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
            let before = snapshot(file);
            let wal = side_file(file, "-wal");
            let wal_before = std::fs::read(&wal).unwrap();
            let backup = out.join(format!("backup-{old}-{drop_shm}.db"));
            let json = out.join(format!("export-{old}-{drop_shm}.json"));
            let reads: Vec<Vec<&str>> = vec![
                vec!["people", "list", "--format", "json"],
                vec!["plan", "list"],
                vec!["plan", "tree"],
                vec!["report", "goals", "--format", "json"],
                vec!["report", "team", "--format", "html"],
                vec!["export"],
                vec!["export", "-o", s(&json)],
                vec!["plan", "export"],
                vec!["log"],
                vec!["doctor"],
                vec!["backup", s(&backup)],
                vec!["config", "show"],
            ];
            for args in reads {
                let run = env.on(file, &args);
                run.ok().no_panic();
                if args[0] == "people" {
                    assert!(
                        run.stdout.contains("Renamed In Wal"),
                        "the read did not see the -wal's change"
                    );
                }
                let after = snapshot(file);
                assert!(
                    after.bytes == before.bytes,
                    "`{}` changed {}'s bytes (shm dropped: {drop_shm})",
                    run.line,
                    file.display()
                );
                assert_eq!(
                    after.mtime, before.mtime,
                    "`{}` changed the mtime",
                    run.line
                );
                assert!(
                    std::fs::read(&wal).unwrap() == wal_before,
                    "`{}` changed the -wal",
                    run.line
                );
            }
            // The backup holds the -wal's change, and is a complete file.
            let copy = env.on(&backup, &["people", "list"]);
            copy.ok();
            assert!(copy.stdout.contains("Renamed In Wal"));
            // A write checkpoints as usual (and upgrades an old file).
            env.on(file, &["people", "add", "zed", "--name", "Zed"])
                .ok();
            assert!(!side_file(file, "-wal").exists());
            let names = env.on(file, &["people", "list"]);
            assert!(names.stdout.contains("Renamed In Wal") && names.stdout.contains("Zed"));
        }
    }
}

//! End-to-end tests of `backup` and `doctor`, and of how every command
//! treats damaged files: 200 byte-flipped copies of a real database give a
//! clean exit code (0–3), never a panic or a hang, and a failing command
//! leaves the file as it was.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Env, TODAY, assert_bytes_unchanged, bin, listing, mode, s, side_file, snapshot};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// A small demo database, checkpointed and closed (no side files).
fn demo_db(env: &Env) -> PathBuf {
    let db = env.db();
    env.run(&["demo", "--db", s(&db), "--people", "5", "--weeks", "2"])
        .ok();
    for suffix in ["-wal", "-shm", "-journal"] {
        assert!(
            !side_file(&db, suffix).exists(),
            "demo left {suffix} behind"
        );
    }
    db
}

/// `PRAGMA integrity_check` of a file, opened directly with SQLite.
fn integrity(path: &Path) -> String {
    let conn = rusqlite::Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .unwrap_or_else(|e| panic!("open {}: {e}", path.display()));
    let rows: Vec<String> = conn
        .prepare("PRAGMA integrity_check")
        .expect("prepare")
        .query_map([], |r| r.get(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    rows.join("; ")
}

/// Row counts of every table, by name, read directly with SQLite.
fn table_counts(path: &Path) -> Vec<(String, i64)> {
    let conn = rusqlite::Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .expect("open");
    let names: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )
        .expect("prepare")
        .query_map([], |r| r.get(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("names");
    names
        .into_iter()
        .map(|n| {
            let c: i64 = conn
                .query_row(&format!("SELECT count(*) FROM \"{n}\""), [], |r| r.get(0))
                .expect("count");
            (n, c)
        })
        .collect()
}

/// The number of check-ins in a yardstick file.
fn checkins(path: &Path) -> i64 {
    table_counts(path)
        .into_iter()
        .find(|(n, _)| n == "checkin")
        .map(|(_, c)| c)
        .expect("a checkin table")
}

#[test]
fn backup_is_a_faithful_checked_private_copy() {
    let env = Env::new();
    let db = demo_db(&env);
    let copy = env.path("copy.db");
    let out = env.on(&db, &["backup", s(&copy)]);
    out.ok().no_panic().stderr_has("backed up");
    assert_eq!(mode(&copy), 0o600, "the backup is private");
    assert_eq!(integrity(&copy), "ok");
    assert_eq!(table_counts(&copy), table_counts(&db), "same rows");
    for args in [
        &["export"][..],
        &["plan", "export"][..],
        &["people", "list", "--all", "--format", "json"][..],
        &["checkin", "list", "--format", "json"][..],
        &["log", "--format", "json"][..],
    ] {
        let a = env.on(&db, args);
        let b = env.on(&copy, args);
        assert_eq!(
            a.ok().stdout,
            b.ok().stdout,
            "`{}` differs between the file and its backup",
            a.line
        );
    }
    // The backup is a yardstick file in its own right: it takes writes.
    env.on(&copy, &["people", "add", "zz", "--name", "Z"]).ok();
    env.on(&copy, &["doctor"]).ok();
    // No temporary file is left beside it.
    let left: Vec<String> = listing(&env.work)
        .into_iter()
        .filter(|n| n.starts_with(".yardstick"))
        .collect();
    assert!(left.is_empty(), "temporary files left: {left:?}");
}

#[test]
fn backup_never_overwrites() {
    let env = Env::new();
    let db = demo_db(&env);
    let target = env.path("precious.db");
    std::fs::write(&target, "precious\n").expect("write");
    let before = snapshot(&target);
    let out = env.on(&db, &["backup", s(&target)]);
    out.code(1).no_panic().stderr_has("already exists");
    assert!(snapshot(&target) == before, "the existing file changed");
    // Not even another backup.
    let first = env.path("first.db");
    env.on(&db, &["backup", s(&first)]).ok();
    let before = snapshot(&first);
    env.on(&db, &["people", "add", "zz", "--name", "Z"]).ok();
    env.on(&db, &["backup", s(&first)]).code(1).no_panic();
    assert!(snapshot(&first) == before, "an existing backup changed");
    // A dangling symlink is an existing name too.
    let link = env.path("link.db");
    std::os::unix::fs::symlink(env.path("nowhere.db"), &link).expect("symlink");
    env.on(&db, &["backup", s(&link)]).code(1).no_panic();
    assert!(!env.path("nowhere.db").exists());
    // The source itself: refused as the database (exit 2) before anything
    // else (tests/security.rs has its side files and other spellings).
    let src = snapshot(&db);
    env.on(&db, &["backup", s(&db)])
        .code(2)
        .no_panic()
        .stderr_has("the database in use");
    assert_bytes_unchanged(&db, &src.bytes, "backup onto itself");
}

#[test]
fn backup_is_private_under_umask_022() {
    let env = Env::new();
    let db = demo_db(&env);
    let copy = env.path("umask.db");
    let out = std::process::Command::new("sh")
        .args(["-c", "umask 022; exec \"$@\"", "sh"])
        .arg(bin())
        .args(["--db", s(&db), "backup", s(&copy)])
        .env_clear()
        .env("HOME", &env.home)
        .env("XDG_DATA_HOME", &env.data)
        .env("XDG_CONFIG_HOME", &env.config)
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("YARDSTICK_TODAY", TODAY)
        .env("NO_COLOR", "1")
        .current_dir(&env.work)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(mode(&copy), 0o600, "backup under umask 022");
    // And a file created by the shell under the same umask is 0644, so the umask applied.
    let probe = env.path("probe");
    let status = std::process::Command::new("sh")
        .args(["-c", "umask 022; : > \"$1\"", "sh", s(&probe)])
        .status()
        .expect("sh");
    assert!(status.success());
    assert_eq!(mode(&probe), 0o644);
}

#[test]
fn backup_works_while_other_processes_write() {
    let env = Env::new();
    let db = demo_db(&env);
    let start = checkins(&db);
    let writes = 100;
    let mut commands: Vec<std::process::Command> = (0..writes)
        .map(|i| {
            let mut c = env.std_command();
            let value = format!("{}", 200 + i);
            c.args(["--db", s(&db), "checkin", "api-latency", &value]);
            c.stdout(std::process::Stdio::null());
            c.stderr(std::process::Stdio::piped());
            c
        })
        .collect();
    let done = Arc::new(AtomicUsize::new(0));
    let finished = Arc::new(AtomicBool::new(false));
    let writer = {
        let done = Arc::clone(&done);
        let finished = Arc::clone(&finished);
        std::thread::spawn(move || {
            let mut failures = Vec::new();
            for c in &mut commands {
                let out = c.output().expect("run checkin");
                if out.status.code() != Some(0) {
                    failures.push(String::from_utf8_lossy(&out.stderr).into_owned());
                }
                done.fetch_add(1, Ordering::SeqCst);
            }
            finished.store(true, Ordering::SeqCst);
            failures
        })
    };
    let mut backups = Vec::new();
    let mut during = 0;
    for i in 0..5 {
        // Spread the backups over the writes.
        let wait_for = (i + 1) * writes / 7;
        let deadline = Instant::now() + Duration::from_secs(30);
        while done.load(Ordering::SeqCst) < wait_for && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(2));
        }
        let copy = env.path(&format!("during-{i}.db"));
        let running = !finished.load(Ordering::SeqCst);
        let out = env.on(&db, &["backup", s(&copy)]);
        out.ok().no_panic();
        if running && !finished.load(Ordering::SeqCst) {
            during += 1;
        }
        backups.push(copy);
    }
    let failures = writer.join().expect("writer thread");
    assert!(
        failures.is_empty(),
        "{} of {writes} check-ins failed during backups; first:\n{}",
        failures.len(),
        failures[0]
    );
    assert!(
        during >= 3,
        "only {during} of 5 backups overlapped the writes"
    );
    assert_eq!(checkins(&db), start + i64::try_from(writes).unwrap_or(0));
    let mut last = start;
    for copy in &backups {
        assert_eq!(integrity(copy), "ok", "{}", copy.display());
        assert_eq!(mode(copy), 0o600);
        let n = checkins(copy);
        assert!(
            n >= last && n <= start + 100,
            "{}: {n} check-ins (previous backup {last})",
            copy.display()
        );
        last = n;
        // It opens as a yardstick file, for reading and for doctor.
        env.on(copy, &["plan", "list"]).ok().no_panic();
        let doc = env.on(copy, &["doctor", "--format", "json"]);
        doc.ok();
        assert_eq!(doc.json()["doctor"]["integrity_check"], "ok");
    }
    eprintln!(
        "5 backups during {writes} check-ins, {during} overlapping; check-ins in the backups up to {last}"
    );
}

#[test]
fn backup_of_a_wrong_file_is_exit_3_and_writes_nothing() {
    let env = Env::new();
    let text = env.path("notes.db");
    std::fs::write(
        &text,
        "not a database at all, just some notes in a text file\n".repeat(4),
    )
    .expect("write");
    let target = env.path("out.db");
    let before = std::fs::read(&text).expect("read");
    env.on(&text, &["backup", s(&target)])
        .code(3)
        .no_panic()
        .stderr_has("not a yardstick database");
    assert_bytes_unchanged(&text, &before, "backup of a text file");
    assert!(!target.exists());

    // Missing.
    env.on(&env.path("missing.db"), &["backup", s(&target)])
        .code(3)
        .no_panic()
        .stderr_has("does not exist");
    assert!(!target.exists());

    // Another application's SQLite file.
    let other = env.path("other.sqlite");
    {
        let conn = rusqlite::Connection::open(&other).expect("open");
        conn.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
            .expect("fixture");
    }
    env.on(&other, &["backup", s(&target)])
        .code(3)
        .no_panic()
        .stderr_has("another application");
    assert!(!target.exists());
    let left: Vec<String> = listing(&env.work)
        .into_iter()
        .filter(|n| n.starts_with(".yardstick"))
        .collect();
    assert!(left.is_empty(), "temporary files left: {left:?}");
}

#[test]
fn doctor_reports_a_healthy_file_and_leaves_it_untouched() {
    let env = Env::new();
    let db = demo_db(&env);
    std::thread::sleep(Duration::from_millis(20));
    let before = snapshot(&db);
    let out = env.on(&db, &["doctor", "--format", "json"]);
    out.ok().no_panic();
    let v = out.json();
    assert_eq!(v["kind"], "doctor");
    let d = &v["doctor"];
    assert_eq!(d["path"], s(&db));
    assert!(d["size_bytes"].as_i64().unwrap_or(0) > 0, "{d}");
    assert_eq!(d["schema_version"], d["schema_version_supported"]);
    assert_eq!(d["schema_status"], "current");
    assert_eq!(d["application_id_ok"], true);
    assert_eq!(d["journal_mode"], "wal");
    assert_eq!(d["synchronous"], "NORMAL");
    assert_eq!(d["foreign_keys"], true);
    assert_eq!(d["secure_delete"], true);
    assert_eq!(d["busy_timeout_ms"], 5000);
    assert_eq!(d["page_size"], 4096);
    assert!(d["page_count"].as_i64().unwrap_or(0) > 1, "{d}");
    assert!(d["freelist_count"].is_i64(), "{d}");
    assert!(
        d["sqlite_version"].as_str().unwrap_or("").starts_with("3."),
        "{d}"
    );
    assert_eq!(d["integrity_check"], "ok");
    assert_eq!(d["foreign_key_violations"], 0);
    assert_eq!(d["operations"], 1, "the demo is one operation");
    assert_eq!(d["healthy"], true);
    let tables = v["tables"].as_array().expect("tables");
    let counts: Vec<(String, i64)> = tables
        .iter()
        .map(|t| {
            (
                t["table"].as_str().unwrap_or("").to_string(),
                t["rows"].as_i64().unwrap_or(-1),
            )
        })
        .collect();
    assert_eq!(counts, table_counts(&db));
    // The other formats work too (a table for people, TSV in a pipe).
    env.on(&db, &["doctor", "--format", "table"])
        .ok()
        .no_panic();
    let tsv = env.on(&db, &["doctor"]);
    assert!(tsv.ok().stdout.starts_with("path\t"), "{}", tsv.stdout);
    assert!(snapshot(&db) == before, "doctor changed the file");
    for suffix in ["-wal", "-shm", "-journal"] {
        assert!(!side_file(&db, suffix).exists(), "doctor left {suffix}");
    }
}

#[test]
fn doctor_finds_a_corrupted_page() {
    let env = Env::new();
    let db = demo_db(&env);
    let mut bytes = std::fs::read(&db).expect("read");
    let page = 4096;
    let pages = bytes.len() / page;
    assert!(pages > 10, "{pages} pages");
    // Garbage over a whole page in the middle, and a little into the next.
    let at = (pages / 2) * page;
    for (i, b) in bytes[at..at + page + 100].iter_mut().enumerate() {
        *b = u8::try_from((i * 7 + 13) % 251).unwrap_or(0);
    }
    std::fs::write(&db, &bytes).expect("corrupt");
    std::thread::sleep(Duration::from_millis(20));
    let before = snapshot(&db);
    let out = env.on(&db, &["doctor", "--format", "json"]);
    out.code(3)
        .no_panic()
        .stderr_has_any(&["damaged", "corrupt", "malformed"]);
    if !out.stdout.is_empty() {
        let v = out.json();
        assert_ne!(v["doctor"]["integrity_check"], "ok");
        assert_eq!(v["doctor"]["healthy"], false);
    }
    assert!(snapshot(&db) == before, "doctor changed a corrupt file");
    // A backup of it refuses too, and writes nothing.
    let target = env.path("from-corrupt.db");
    let b = env.on(&db, &["backup", s(&target)]);
    b.no_panic();
    assert!(b.code == 3 || b.code == 0, "backup exited {}", b.code);
    if b.code == 3 {
        assert!(!target.exists());
    }
    assert!(snapshot(&db) == before, "backup changed a corrupt file");
}

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % u64::try_from(n).unwrap_or(1)).unwrap_or(0)
    }
}

/// A flipped copy: its number, its bytes, the offsets changed.
type Flipped = (usize, Vec<u8>, Vec<usize>);

/// What one command did to one flipped copy.
struct Run {
    copy: usize,
    args: &'static str,
    code: i32,
    stdout: String,
    stderr: String,
    unchanged: bool,
    elapsed: Duration,
}

#[test]
fn two_hundred_byte_flipped_copies_never_panic_hang_change_on_failure_or_get_worse() {
    let started = Instant::now();
    let env = Env::new();
    let db = demo_db(&env);
    let original = std::fs::read(&db).expect("read");
    let page = usize::from(u16::from_be_bytes([original[16], original[17]]));
    assert_eq!(page, 4096);
    let pages = original.len() / page;

    // 200 copies, each with 1–4 bytes changed, the offsets spread over the
    // header, page 1 (the schema), b-tree page headers and anywhere at all.
    let mut rng = Rng(0x5964_5374_2026_1122);
    let copies: Vec<Flipped> = (0..200)
        .map(|i| {
            let mut bytes = original.clone();
            let mut offsets = Vec::new();
            for _ in 0..=rng.below(4) {
                let off = match i % 5 {
                    0 => rng.below(100),
                    1 => 100 + rng.below(page - 100),
                    2 => (1 + rng.below(pages - 1)) * page + rng.below(12),
                    3 => page + rng.below(bytes.len() - page),
                    _ => rng.below(bytes.len()),
                };
                let flip = u8::try_from(1 + rng.below(255)).unwrap_or(1);
                bytes[off] ^= flip;
                offsets.push(off);
            }
            (i, bytes, offsets)
        })
        .collect();

    // doctor runs first too, to tell which copies were damaged before any write.
    let commands: [(&str, &[&str]); 5] = [
        ("doctor first", &["doctor"]),
        ("plan list", &["plan", "list"]),
        (
            "people add zz --name Z",
            &["people", "add", "zz", "--name", "Z"],
        ),
        ("plan list after", &["plan", "list"]),
        ("doctor", &["doctor"]),
    ];
    let threads = 2;
    let chunks: Vec<Vec<Flipped>> = (0..threads)
        .map(|t| {
            copies
                .iter()
                .filter(|(i, _, _)| i % threads == t)
                .cloned()
                .collect()
        })
        .collect();
    let handles: Vec<_> = chunks
        .into_iter()
        .map(|chunk| {
            std::thread::spawn(move || {
                let env = Env::new();
                let mut runs = Vec::new();
                for (i, bytes, _) in chunk {
                    let path = env.path(&format!("flipped-{i:03}.db"));
                    std::fs::write(&path, &bytes).expect("write copy");
                    for (name, args) in commands {
                        let before = std::fs::read(&path).expect("read copy");
                        let t = Instant::now();
                        let out = env.on(&path, args);
                        let elapsed = t.elapsed();
                        let after = std::fs::read(&path).unwrap_or_default();
                        runs.push(Run {
                            copy: i,
                            args: name,
                            code: out.code,
                            stdout: out.stdout,
                            stderr: out.stderr,
                            unchanged: after == before,
                            elapsed,
                        });
                    }
                }
                runs
            })
        })
        .collect();
    let mut runs: Vec<Run> = Vec::new();
    for h in handles {
        runs.extend(h.join().expect("worker"));
    }
    runs.sort_by_key(|r| r.copy);
    assert_eq!(runs.len(), 1000);

    let mut problems = Vec::new();
    for r in &runs {
        let offsets = &copies[r.copy].2;
        let what = format!(
            "copy {} (bytes at {offsets:?} flipped), `{}`",
            r.copy, r.args
        );
        if !(0..=3).contains(&r.code) {
            problems.push(format!(
                "{what}: exit {} (a signal or the 10 s timeout) after {:?}\n{}",
                r.code, r.elapsed, r.stderr
            ));
        }
        if r.stderr.contains("panicked") {
            problems.push(format!("{what}: panicked\n{}", r.stderr));
        }
        if r.code != 0 && !r.unchanged {
            problems.push(format!(
                "{what}: exit {} but the file changed\n{}",
                r.code, r.stderr
            ));
        }
    }
    // A write never makes things worse: a file doctor found healthy is still
    // healthy after a write succeeded on it, and what a read showed before
    // the write it still shows after.
    for g in runs.chunk_by(|a, b| a.copy == b.copy) {
        let get = |name: &str| {
            g.iter()
                .find(|r| r.args == name)
                .expect("every command ran")
        };
        let (first, list, add, list_after, last) = (
            get("doctor first"),
            get("plan list"),
            get("people add zz --name Z"),
            get("plan list after"),
            get("doctor"),
        );
        let what = format!(
            "copy {} (bytes at {:?} flipped)",
            first.copy, copies[first.copy].2
        );
        if add.code == 0 && first.code == 0 && last.code != 0 {
            problems.push(format!(
                "{what}: doctor found it healthy, people add succeeded, and doctor then said:\n{}",
                last.stderr
            ));
        }
        if add.code == 0
            && list.code == 0
            && (list_after.code != 0 || list_after.stdout != list.stdout)
        {
            problems.push(format!(
                "{what}: plan list worked before people add and not the same after (exit {})\n{}",
                list_after.code, list_after.stderr
            ));
        }
    }
    let count = |args: &str, code: i32| {
        runs.iter()
            .filter(|r| r.args == args && r.code == code)
            .count()
    };
    let detected = runs
        .chunk_by(|a, b| a.copy == b.copy)
        .filter(|g| g.iter().any(|r| r.code == 3))
        .count();
    let doctor_detected = count("doctor first", 3);
    let doctor_after = count("doctor", 3);
    // Copies a write succeeded on although doctor had found them damaged.
    let written_damaged: Vec<usize> = runs
        .chunk_by(|a, b| a.copy == b.copy)
        .filter(|g| {
            g.iter()
                .any(|r| r.args.starts_with("people") && r.code == 0)
                && g.iter().any(|r| r.args == "doctor first" && r.code == 3)
        })
        .map(|g| g[0].copy)
        .collect();
    for &c in written_damaged.iter().take(3) {
        let doctor = runs
            .iter()
            .find(|r| r.copy == c && r.args == "doctor first")
            .map(|r| r.stderr.lines().next().unwrap_or("").to_string())
            .unwrap_or_default();
        eprintln!(
            "  e.g. copy {c} (bytes at {:?} flipped): people add exited 0; doctor had said: {doctor}",
            copies[c].2
        );
    }
    let written_damaged = written_damaged.len();
    let slowest = runs.iter().map(|r| r.elapsed).max().unwrap_or_default();
    eprintln!(
        "200 byte-flipped copies: {detected} detected as damaged (exit 3 from some command); \
         doctor (before any write) exit 3 on {doctor_detected}, 0 on {}; plan list 0/1/2/3 = {}/{}/{}/{}; \
         people add 0/1/2/3 = {}/{}/{}/{}; a write succeeded on {written_damaged} \
         that doctor had found damaged; doctor after the write exit 3 on {doctor_after}; slowest run {slowest:?}; {:?} in all",
        count("doctor first", 0),
        count("plan list", 0),
        count("plan list", 1),
        count("plan list", 2),
        count("plan list", 3),
        count("people add zz --name Z", 0),
        count("people add zz --name Z", 1),
        count("people add zz --name Z", 2),
        count("people add zz --name Z", 3),
        started.elapsed()
    );
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n\n")
    );
    assert!(detected > 0, "no flipped copy was detected at all");
}

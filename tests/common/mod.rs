//! A sealed environment for driving the real `yardstick` binary.
//!
//! Every command runs with a cleared environment: `HOME`, `XDG_DATA_HOME` and
//! `XDG_CONFIG_HOME` point into a private temporary directory, `PATH` comes
//! from the test process, today is pinned to 2026-11-22, colour is off, and
//! stdin is an empty pipe, so nothing is a terminal and nothing can prompt.
//! Each command has a timeout, so a hang (a prompt that should not happen)
//! fails the test instead of blocking it.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// The pinned date every command sees.
pub const TODAY: &str = "2026-11-22";

/// How long any one command may run.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// The binary under test.
pub fn bin() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_yardstick"))
}

/// `examples/team-plan.toml` in the source tree.
pub fn example_plan() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/team-plan.toml")
}

/// What a finished command left behind.
#[derive(Debug)]
pub struct Out {
    /// The exit code (-1 when killed by a signal or the timeout).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
    /// The command line, for messages.
    pub line: String,
}

impl Out {
    /// Assert the exit code, showing the whole run when it differs.
    #[track_caller]
    pub fn code(&self, expected: i32) -> &Self {
        assert_eq!(
            self.code, expected,
            "`{}` exited {} (expected {expected})\n--- stdout\n{}\n--- stderr\n{}",
            self.line, self.code, self.stdout, self.stderr
        );
        self
    }

    /// Assert success.
    #[track_caller]
    pub fn ok(&self) -> &Self {
        self.code(0)
    }

    /// Assert stderr contains `needle` (case-insensitive).
    #[track_caller]
    pub fn stderr_has(&self, needle: &str) -> &Self {
        assert!(
            self.stderr.to_lowercase().contains(&needle.to_lowercase()),
            "`{}`: stderr does not mention {needle:?}\n--- stderr\n{}",
            self.line,
            self.stderr
        );
        self
    }

    /// Assert stdout contains `needle` (exactly).
    #[track_caller]
    pub fn stdout_has(&self, needle: &str) -> &Self {
        assert!(
            self.stdout.contains(needle),
            "`{}`: stdout does not contain {needle:?}\n--- stdout\n{}",
            self.line,
            self.stdout
        );
        self
    }

    /// Assert stderr contains at least one of `needles` (case-insensitive).
    #[track_caller]
    pub fn stderr_has_any(&self, needles: &[&str]) -> &Self {
        let low = self.stderr.to_lowercase();
        assert!(
            needles.iter().any(|n| low.contains(&n.to_lowercase())),
            "`{}`: stderr mentions none of {needles:?}\n--- stderr\n{}",
            self.line,
            self.stderr
        );
        self
    }

    /// Assert the run did not panic.
    #[track_caller]
    pub fn no_panic(&self) -> &Self {
        assert!(
            !self.stderr.contains("panicked") && !self.stderr.contains("RUST_BACKTRACE"),
            "`{}` panicked\n--- stderr\n{}",
            self.line,
            self.stderr
        );
        self
    }

    /// Standard output parsed as JSON.
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "`{}`: stdout is not JSON ({e})\n--- stdout\n{}",
                self.line, self.stdout
            )
        })
    }
}

/// A private home, data and config directory plus a working directory.
pub struct Env {
    dir: tempfile::TempDir,
    /// `$HOME`.
    pub home: PathBuf,
    /// `$XDG_DATA_HOME`.
    pub data: PathBuf,
    /// `$XDG_CONFIG_HOME`.
    pub config: PathBuf,
    /// The working directory commands run in.
    pub work: PathBuf,
    next: Cell<u32>,
}

impl Default for Env {
    fn default() -> Self {
        Self::new()
    }
}

impl Env {
    /// A new sealed environment with its own directories.
    pub fn new() -> Env {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().to_path_buf();
        let home = root.join("home");
        let data = home.join(".local/share");
        let config = home.join(".config");
        let work = root.join("work");
        for d in [&home, &data, &config, &work] {
            std::fs::create_dir_all(d).expect("create dir");
        }
        Env {
            dir,
            home,
            data,
            config,
            work,
            next: Cell::new(0),
        }
    }

    /// A fresh, not yet existing database path, unique within this environment.
    pub fn db(&self) -> PathBuf {
        let n = self.next.get() + 1;
        self.next.set(n);
        self.work.join(format!("db{n}.db"))
    }

    /// A path in the working directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.work.join(name)
    }

    /// The default personal database (`$XDG_DATA_HOME/yardstick/yardstick.db`).
    pub fn default_db(&self) -> PathBuf {
        self.data.join("yardstick").join("yardstick.db")
    }

    fn seal_std(&self, cmd: &mut std::process::Command) {
        cmd.env_clear()
            .env("HOME", &self.home)
            .env("XDG_DATA_HOME", &self.data)
            .env("XDG_CONFIG_HOME", &self.config)
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("YARDSTICK_TODAY", TODAY)
            .env("NO_COLOR", "1")
            .env("COLUMNS", "100")
            .current_dir(&self.work);
        // The PostgreSQL tests reach their throwaway server through the
        // libpq variables (pg_virtualenv sets them); a file ignores them.
        for var in ["PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGSSLMODE"] {
            if let Some(v) = std::env::var_os(var) {
                cmd.env(var, v);
            }
        }
    }

    /// A sealed `std::process::Command` for the binary (stdin null), for
    /// tests that need to handle the pipes themselves.
    pub fn std_command(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new(bin());
        self.seal_std(&mut cmd);
        cmd.stdin(std::process::Stdio::null());
        cmd
    }

    /// A sealed `std::process::Command` for the binary with its standard
    /// streams left alone (not redirected), so that a pseudo-terminal
    /// (`rexpect::session::spawn_command`) can become its terminal.
    /// `TERM` is set to `xterm` so terminal libraries behave as for a person.
    pub fn pty_command(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new(bin());
        self.seal_std(&mut cmd);
        cmd.env("TERM", "xterm");
        cmd
    }

    /// Run the binary with `args` in the working directory.
    pub fn run(&self, args: &[&str]) -> Out {
        self.run_in(&self.work, args)
    }

    /// Run the binary with `args` in `cwd`.
    pub fn run_in(&self, cwd: &Path, args: &[&str]) -> Out {
        let mut std_cmd = std::process::Command::new(bin());
        self.seal_std(&mut std_cmd);
        std_cmd.current_dir(cwd).args(args);
        let mut cmd = assert_cmd::Command::from_std(std_cmd);
        cmd.write_stdin("").timeout(TIMEOUT);
        let output = cmd.output().expect("run yardstick");
        Out {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            line: format!("yardstick {}", args.join(" ")),
        }
    }

    /// Run the binary with `args` and extra environment variables (e.g.
    /// `PGUSER`/`PGPASSWORD`: a team server's login).
    pub fn run_env(&self, vars: &[(&str, &str)], args: &[&str]) -> Out {
        let mut std_cmd = std::process::Command::new(bin());
        self.seal_std(&mut std_cmd);
        std_cmd.args(args);
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
            line: format!("yardstick {}", args.join(" ")),
        }
    }

    /// Run `yardstick --db DB args…`.
    pub fn on(&self, db: &Path, args: &[&str]) -> Out {
        let db = db.to_str().expect("utf-8 path");
        let mut all = vec!["--db", db];
        all.extend_from_slice(args);
        self.run(&all)
    }

    /// A new, initialised, empty database.
    pub fn init_db(&self) -> PathBuf {
        let db = self.db();
        self.run(&["init", "--db", db.to_str().expect("utf-8 path")])
            .ok();
        db
    }

    /// A new database holding `examples/team-plan.toml`.
    pub fn planned_db(&self) -> PathBuf {
        let db = self.init_db();
        let plan = example_plan();
        self.on(&db, &["plan", "apply", plan.to_str().expect("utf-8 path")])
            .ok();
        db
    }

    /// The root of this environment (for checks that nothing appeared).
    pub fn root(&self) -> &Path {
        self.dir.path()
    }
}

/// A file's bytes and modification time.
#[derive(Debug, PartialEq, Eq)]
pub struct Snapshot {
    /// The bytes.
    pub bytes: Vec<u8>,
    /// The modification time.
    pub mtime: SystemTime,
}

/// Take a snapshot of `path`.
pub fn snapshot(path: &Path) -> Snapshot {
    let meta =
        std::fs::metadata(path).unwrap_or_else(|e| panic!("cannot stat {}: {e}", path.display()));
    Snapshot {
        bytes: std::fs::read(path).expect("read file"),
        mtime: meta.modified().expect("mtime"),
    }
}

/// Assert `path` still has exactly `before`'s bytes (mtime not compared).
#[track_caller]
pub fn assert_bytes_unchanged(path: &Path, before: &[u8], what: &str) {
    let after = std::fs::read(path).unwrap_or_else(|e| panic!("{what}: cannot read after: {e}"));
    assert!(
        after == before,
        "{what}: {} changed ({} bytes before, {} after)",
        path.display(),
        before.len(),
        after.len()
    );
}

/// The permission bits of `path`.
pub fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("cannot stat {}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

/// `db` with a suffix appended (`-wal`, `-shm`, `-journal`).
pub fn side_file(db: &Path, suffix: &str) -> PathBuf {
    let mut p = db.as_os_str().to_owned();
    p.push(suffix);
    PathBuf::from(p)
}

/// The names of the entries in `dir`, sorted.
pub fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| {
            e.expect("dir entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

/// A path as `&str`.
pub fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

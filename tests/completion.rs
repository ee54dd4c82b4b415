//! Shell completion values are data, never code: names from the database
//! (a cycle called `Q4 $(touch PWNED)`, or one with escape sequences that
//! arrived through `import`) are offered literally, and when the user presses
//! TAB and then Enter, the shell runs yardstick with exactly that name as one
//! argument — nothing is expanded, run or globbed on the way.
//!
//! The shells are real: bash, zsh and fish, driven on a pseudo-terminal as a
//! person would (type, TAB, Enter), and through their own completion entry
//! points (bash's completion function with COMP_WORDS, fish's
//! `complete -C`). A shell that is not installed is skipped with a message.
//! On the path, `yardstick` is a small script that runs the real binary for
//! `__values` and `completions`, and for any other command writes the
//! arguments it received (NUL-separated) to a file, so the test sees what the
//! shell made of the completed line.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Env, bin, s};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// Created through `appraise cycle new`: a command substitution.
const SUBST: &str = "Q4 $(touch PWNED)";
/// Created through `appraise cycle new`: a line break, backticks, both kinds
/// of quotes, a backslash, globs, a history expansion, a semicolon.
const QUOTES: &str = "New\nline `touch PWNED3` 'single' \"double\" \\ back * ? [a] !x; ~";
/// Created through `appraise cycle new`: a tab (fish cannot offer it).
const TAB: &str = "Tab\there";
/// Arrived through `import`: escape sequences, C1, a bidi override.
const IMPORTED: &str =
    "Imported `touch PWNED2`; *\u{1b}]2;owned\u{7}\u{1b}[2J\u{9b}31m\u{202e}gnp.exe $HOME";

/// Files a command substitution in a name would create.
const TRAPS: [&str; 3] = ["PWNED", "PWNED2", "PWNED3"];

struct Setup {
    env: Env,
    db: PathBuf,
    /// The directory with the `yardstick` stand-in, first on PATH.
    bin_dir: PathBuf,
    /// Where the stand-in writes the arguments it got.
    args_out: PathBuf,
}

fn which(program: &str) -> bool {
    Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {program}"))
        .output()
        .is_ok_and(|o| o.status.success())
}

fn setup() -> Setup {
    let env = Env::new();
    let db = env.init_db();
    env.on(&db, &["people", "add", "alice", "--name", "Alice"])
        .ok();
    for name in [SUBST, QUOTES, TAB] {
        env.on(
            &db,
            &[
                "appraise", "cycle", "new", name, "--period", "2026-Q4", "--person", "alice",
            ],
        )
        .ok();
    }
    plant_imported_cycle(&env, &db, IMPORTED);
    let bin_dir = env.path("bin");
    std::fs::create_dir_all(&bin_dir).unwrap();
    let args_out = env.path("args.out");
    let stand_in = bin_dir.join("yardstick");
    std::fs::write(
        &stand_in,
        format!(
            "#!/bin/sh\ncase \"$1\" in __values|completions) exec '{}' \"$@\" ;; esac\nprintf '%s\\0' \"$@\" > '{}'\n",
            bin().display(),
            args_out.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&stand_in, std::fs::Permissions::from_mode(0o755)).unwrap();
    let setup = Setup {
        env,
        db,
        bin_dir,
        args_out,
    };
    // The database really holds the names, byte for byte.
    let got = setup.values("cycles");
    for name in [SUBST, QUOTES, TAB, IMPORTED] {
        assert!(got.iter().any(|v| v == name), "{name:?} not in {got:?}");
    }
    setup
}

/// A cycle named `name` arriving through `import` of a crafted file: the
/// exported record of an existing cycle under a new UUID and name. Should
/// import ever refuse such text, the name is written into the file directly
/// (as a file edited by another program would hold it), so the completion
/// is still tested against it.
fn plant_imported_cycle(env: &Env, db: &Path, name: &str) {
    let export: serde_json::Value = env.on(db, &["export"]).ok().json();
    let mut cycle = export["records"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["table"] == "cycle")
        .unwrap()
        .clone();
    cycle["uuid"] = "0b9e3f4e-8f5c-4d2a-9c1e-7a6b5d4c3b2a".into();
    cycle["name"] = name.into();
    let mut doc = export.clone();
    doc["records"] = serde_json::Value::Array(vec![cycle]);
    let file = env.path("crafted.json");
    std::fs::write(&file, serde_json::to_vec(&doc).unwrap()).unwrap();
    let import = env.on(db, &["import", s(&file)]);
    if import.code != 0 {
        eprintln!(
            "import refused the crafted name ({}); writing it into the file directly",
            import.stderr.trim()
        );
        let conn = rusqlite::Connection::open(db).unwrap();
        conn.execute(
            "UPDATE cycle SET name = ?1 WHERE name = ?2",
            rusqlite::params![name, TAB],
        )
        .unwrap();
        env.on(
            db,
            &[
                "appraise", "cycle", "new", TAB, "--period", "2026-Q4", "--person", "alice",
            ],
        )
        .ok();
    }
}

impl Setup {
    /// `__values --null KIND`, split.
    fn values(&self, kind: &str) -> Vec<String> {
        let out = self
            .env
            .std_command()
            .args(["--db", s(&self.db), "__values", "--null", kind])
            .output()
            .unwrap();
        assert!(out.status.success());
        let text = String::from_utf8(out.stdout).unwrap();
        let mut v: Vec<String> = text.split('\0').map(str::to_owned).collect();
        assert_eq!(v.pop().as_deref(), Some(""), "every value ends with NUL");
        v
    }

    /// A shell command with the stand-in first on PATH, the database in
    /// YARDSTICK_DB, a private HOME, and the working directory as cwd.
    fn shell(&self, program: &str) -> Command {
        let mut cmd = Command::new(program);
        let path = format!(
            "{}:{}",
            self.bin_dir.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        cmd.env_clear()
            .env("PATH", path)
            .env("HOME", &self.env.home)
            .env("XDG_DATA_HOME", &self.env.data)
            .env("XDG_CONFIG_HOME", &self.env.config)
            .env("YARDSTICK_DB", &self.db)
            .env("YARDSTICK_TODAY", common::TODAY)
            .env("LANG", "C.UTF-8")
            .env("TERM", "xterm")
            .current_dir(&self.env.work);
        cmd
    }

    /// Assert that no command substitution ran anywhere in the environment.
    #[track_caller]
    fn assert_nothing_ran(&self) {
        for trap in TRAPS {
            for dir in [&self.env.work, &self.env.home, &self.bin_dir] {
                assert!(
                    !dir.join(trap).exists(),
                    "{trap} was created in {}: a name was run as code",
                    dir.display()
                );
            }
        }
    }

    /// The arguments the stand-in received (and remove the file), waiting
    /// up to 10 seconds for the shell to run it.
    fn take_args(&self) -> Vec<String> {
        let start = Instant::now();
        loop {
            // The stand-in writes the file in one printf; wait until it ends
            // with the NUL that ends the last argument.
            if let Ok(bytes) = std::fs::read(&self.args_out)
                && bytes.last() == Some(&0)
            {
                std::fs::remove_file(&self.args_out).unwrap();
                let text = String::from_utf8(bytes).unwrap();
                let mut v: Vec<String> = text.split('\0').map(str::to_owned).collect();
                v.pop();
                return v;
            }
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "the shell never ran yardstick"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Type `setup` (waiting until it ran), then `typed`, TAB, Enter into an
    /// interactive `shell`; the arguments yardstick was run with.
    fn type_tab_enter(&self, shell: &mut Command, ready: &str, typed: &str) -> Vec<String> {
        let mut p = rexpect::session::spawn_command(
            std::mem::replace(shell, Command::new("true")),
            Some(10_000),
        )
        .expect("spawn the shell on a pty");
        p.send_line(ready).expect("send the setup");
        p.exp_string("READY-42").expect("the setup ran");
        p.send(typed).expect("type");
        p.send("\t").expect("TAB");
        p.flush().expect("flush");
        std::thread::sleep(Duration::from_millis(300));
        p.send("\r").expect("Enter");
        p.flush().expect("flush");
        let args = self.take_args();
        let _ = p.send_line("exit");
        args
    }
}

fn show(name: &str) -> Vec<String> {
    ["appraise", "cycle", "show", name]
        .iter()
        .map(|s| s.to_string())
        .collect()
}

// ---------------------------------------------------------------- bash

/// bash's completion function, called as readline calls it, and each reply
/// put on a command line as readline puts it (after an open quote, closed
/// unless the reply ends with it), which bash then reads.
#[test]
fn bash_offers_names_literally_and_runs_nothing() {
    if !which("bash") {
        eprintln!("skipped: bash is not installed");
        return;
    }
    let t = setup();
    // (typed word, the quote it leaves open, the name it must complete to)
    let cases: &[(&str, &str, &str)] = &[
        ("Q", "", SUBST),
        ("Q4\\ \\$\\(", "", SUBST),
        ("'Q4 $(", "'", SUBST),
        ("\"Q4 \\$(", "\"", SUBST),
        ("N", "", QUOTES),
        ("'N", "'", QUOTES),
        ("\"N", "\"", QUOTES),
        ("I", "", IMPORTED),
        ("'I", "'", IMPORTED),
        ("\"I", "\"", IMPORTED),
        ("T", "", TAB),
        ("'T", "'", TAB),
    ];
    let mut script = String::from("source <(yardstick completions bash) || exit 9\n");
    script.push_str(
        r#"try() {
    COMP_WORDS=(yardstick appraise cycle show "$1"); COMP_CWORD=4
    COMP_LINE="yardstick appraise cycle show $1"; COMP_POINT=${#COMP_LINE}
    COMPREPLY=(); _yardstick_dynamic yardstick "$1" show
    printf 'replies %s\n' "${#COMPREPLY[@]}"
    local r="${COMPREPLY[0]}" word
    # readline: the reply replaces the text after the open quote, and the
    # quote is closed unless the reply already ends with it.
    word="$2$r"
    [[ -z "$2" || "$r" == *"$2" ]] || word+="$2"
    printf 'line %s\n' "$word"
    # Enter: bash reads the line (eval is the shell reading what was typed).
    eval "printf 'arg:%s\0' $word" > "$3"
}
"#,
    );
    for (i, (typed, open, _)) in cases.iter().enumerate() {
        script.push_str(&format!(
            "try {} {} {}\n",
            shell_quote(typed),
            shell_quote(open),
            shell_quote(s(&t.env.path(&format!("case{i}"))))
        ));
    }
    let out = t.shell("bash").arg("-c").arg(&script).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    t.assert_nothing_ran();
    let replies: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("replies "))
        .collect();
    assert_eq!(replies, vec!["replies 1"; cases.len()], "{stdout}");
    // No reply carries a raw control or bidi character to the terminal.
    assert!(
        !stdout
            .chars()
            .any(|c| c != '\n' && yardstick::render::is_unsafe_char(c)),
        "{stdout:?}"
    );
    for (i, (typed, _, name)) in cases.iter().enumerate() {
        let got = std::fs::read(t.env.path(&format!("case{i}"))).unwrap();
        let got = String::from_utf8(got).unwrap();
        assert_eq!(
            got,
            format!("arg:{name}\0"),
            "{typed:?} did not complete to exactly {name:?}\n{stdout}"
        );
    }
    // Prefix matching is literal: a glob typed by the user matches nothing.
    let out = t
        .shell("bash")
        .arg("-c")
        .arg(
            "source <(yardstick completions bash); COMP_WORDS=(yardstick appraise cycle show '*'); \
             COMP_CWORD=4; _yardstick_dynamic; echo \"n=${#COMPREPLY[@]}\"",
        )
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "n=0");
}

/// A person at bash: type the start of a name, TAB, Enter.
#[test]
fn bash_at_a_terminal_completes_and_runs_the_literal_name() {
    if !which("bash") {
        eprintln!("skipped: bash is not installed");
        return;
    }
    let t = setup();
    for (typed, name) in [
        ("yardstick appraise cycle show Q", SUBST),
        ("yardstick appraise cycle show 'I", IMPORTED),
        ("yardstick appraise cycle show \"N", QUOTES),
        ("yardstick appraisal cycle show I", IMPORTED),
    ] {
        let mut sh = t.shell("bash");
        sh.args(["--norc", "--noprofile", "-i"]);
        let args = t.type_tab_enter(
            &mut sh,
            "source <(yardstick completions bash); echo READY-$((40+2))",
            typed,
        );
        let mut want = show(name);
        if typed.contains("appraisal") {
            want[0] = "appraisal".into();
        }
        assert_eq!(args, want, "{typed:?}");
        t.assert_nothing_ran();
    }
    let mut sh = t.shell("bash");
    sh.args(["--norc", "--noprofile", "-i"]);
    let args = t.type_tab_enter(
        &mut sh,
        "source <(yardstick completions bash); echo READY-$((40+2))",
        "yardstick plan list --owner al",
    );
    assert_eq!(args, ["plan", "list", "--owner", "alice"]);
}

// ---------------------------------------------------------------- zsh

/// A person at zsh (compinit, the script sourced): type, TAB, Enter.
#[test]
fn zsh_at_a_terminal_completes_and_runs_the_literal_name() {
    if !which("zsh") {
        eprintln!("skipped: zsh is not installed");
        return;
    }
    let t = setup();
    let ready = "autoload -U compinit; compinit -u -D; source <(yardstick completions zsh); echo READY-$((40+2))";
    for (typed, name) in [
        ("yardstick appraise cycle show Q", SUBST),
        ("yardstick appraise cycle show I", IMPORTED),
        ("yardstick appraise cycle show 'N", QUOTES),
        ("yardstick appraise cycle show \"T", TAB),
    ] {
        let mut sh = t.shell("zsh");
        sh.args(["-f", "-i"]);
        let args = t.type_tab_enter(&mut sh, ready, typed);
        assert_eq!(args, show(name), "{typed:?}");
        t.assert_nothing_ran();
    }
}

/// Installed the documented way (`~/.zfunc/_yardstick`, autoloaded by
/// compinit): the dynamic values are there from the first TAB on.
#[test]
fn zsh_autoloaded_from_fpath_completes_names_too() {
    if !which("zsh") {
        eprintln!("skipped: zsh is not installed");
        return;
    }
    let t = setup();
    let zfunc = t.env.home.join(".zfunc");
    std::fs::create_dir_all(&zfunc).unwrap();
    let script = t
        .env
        .std_command()
        .args(["completions", "zsh"])
        .output()
        .unwrap();
    std::fs::write(zfunc.join("_yardstick"), script.stdout).unwrap();
    let ready =
        "fpath=(~/.zfunc $fpath); autoload -U compinit; compinit -u -D; echo READY-$((40+2))";
    for typed in [
        "yardstick appraise cycle show Q",
        "yardstick appraise cycle show Q",
    ] {
        let mut sh = t.shell("zsh");
        sh.args(["-f", "-i"]);
        let args = t.type_tab_enter(&mut sh, ready, typed);
        assert_eq!(args, show(SUBST));
    }
    t.assert_nothing_ran();
}

// ---------------------------------------------------------------- fish

/// fish's own entry point: the candidates are the names, as they are.
#[test]
fn fish_offers_names_literally_and_runs_nothing() {
    if !which("fish") {
        eprintln!("skipped: fish is not installed");
        return;
    }
    let t = setup();
    let out = t
        .shell("fish")
        .args([
            "--no-config",
            "-c",
            "yardstick completions fish | source
             complete -C 'yardstick appraise cycle show '
             echo ===
             complete -C 'yardstick plan list --owner '
             true",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    t.assert_nothing_ran();
    // `complete -C` prints one candidate per line (and a line break inside a
    // name as it is).
    let text = String::from_utf8(out.stdout).unwrap();
    let (cycles, owners) = text.split_once("\n===\n").unwrap();
    let lines: Vec<&str> = cycles.lines().collect();
    for name in [SUBST, IMPORTED] {
        assert!(lines.contains(&name), "{name:?} not offered: {lines:?}");
    }
    assert!(cycles.contains(&format!("{QUOTES}\n")), "{cycles:?}");
    // A tab separates a candidate from its description in fish: a name with
    // a tab cannot be offered as itself, so it is not offered at all.
    assert!(!lines.iter().any(|c| c.starts_with("Tab")), "{lines:?}");
    assert!(owners.lines().any(|l| l == "alice"), "{owners:?}");
}

/// A person at fish: type, TAB, Enter.
#[test]
fn fish_at_a_terminal_completes_and_runs_the_literal_name() {
    if !which("fish") {
        eprintln!("skipped: fish is not installed");
        return;
    }
    let t = setup();
    for (typed, name) in [
        ("yardstick appraise cycle show Q", SUBST),
        ("yardstick appraise cycle show I", IMPORTED),
        ("yardstick appraise cycle show N", QUOTES),
    ] {
        let mut sh = t.shell("fish");
        sh.args(["--no-config", "-i"]);
        let args = t.type_tab_enter(
            &mut sh,
            "yardstick completions fish | source; echo READY-(math 40+2)",
            typed,
        );
        assert_eq!(args, show(name), "{typed:?}");
        t.assert_nothing_ran();
    }
}

/// `value` as one single-quoted shell word.
fn shell_quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', "'\\''"))
}

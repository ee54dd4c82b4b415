//! Colour: never in a pipe by default; `--color always`, CLICOLOR_FORCE and
//! the `color` config key turn it on; NO_COLOR, TERM=dumb and `--color never`
//! turn it off.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

const ESC: u8 = 0x1b;

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_yardstick")
}

fn demo(dir: &Path) -> PathBuf {
    let db = dir.join("demo.db");
    let out = Command::new(bin())
        .args(["demo", "--db"])
        .arg(&db)
        .env_clear()
        .env("YARDSTICK_TODAY", "2026-11-22")
        .env("HOME", dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    db
}

fn run(db: &Path, dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Vec<u8> {
    let mut cmd = Command::new(bin());
    cmd.arg("--db")
        .arg(db)
        .args(args)
        .env_clear()
        .env("YARDSTICK_TODAY", "2026-11-22")
        .env("HOME", dir);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Every command that prints data, as a script would call it.
const DATA_COMMANDS: &[&[&str]] = &[
    &["people", "list"],
    &["people", "show", "alice"],
    &["team", "list"],
    &["team", "tree"],
    &["team", "show", "platform"],
    &["period", "list"],
    &["plan", "list"],
    &["plan", "show", "api-latency"],
    &["plan", "tree"],
    &["checkin", "list"],
    &["checkin", "due"],
    &["feedback", "list"],
    &["appraise", "cycle", "list"],
    &["appraise", "status", "2026-H1 reviews"],
    &["appraise", "show", "2026-H1 reviews", "alice"],
    &["report"],
    &["report", "gaps"],
    &["report", "team"],
    &["report", "trend", "api-latency"],
    &["report", "checkins"],
    &["report", "cycle", "2026-H1 reviews"],
    &["report", "person", "alice"],
    &["report", "effectiveness"],
    &["log"],
    &["config", "show"],
];

#[test]
fn piped_output_has_no_escape_codes_in_any_format() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    for args in DATA_COMMANDS {
        for format in ["table", "tsv", "csv", "json", "markdown"] {
            let mut a: Vec<&str> = args.to_vec();
            a.extend(["--format", format]);
            let out = run(&db, dir.path(), &a, &[]);
            assert!(
                !out.contains(&ESC),
                "{a:?} printed an escape code into a pipe"
            );
            assert!(!out.is_empty(), "{a:?} printed nothing");
        }
    }
}

#[test]
fn color_always_colours_tables_even_in_a_pipe() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    for args in DATA_COMMANDS {
        let mut a: Vec<&str> = args.to_vec();
        a.extend(["--format", "table", "--color", "always"]);
        let out = run(&db, dir.path(), &a, &[]);
        assert!(out.contains(&ESC), "{a:?} --color always printed no colour");
    }
}

#[test]
fn the_environment_and_the_config_decide_in_auto() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let table = ["plan", "list", "--format", "table"];
    assert!(run(&db, dir.path(), &table, &[("CLICOLOR_FORCE", "1")]).contains(&ESC));
    assert!(
        !run(
            &db,
            dir.path(),
            &table,
            &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]
        )
        .contains(&ESC)
    );
    assert!(!run(&db, dir.path(), &table, &[("TERM", "dumb")]).contains(&ESC));
    let mut never: Vec<&str> = table.to_vec();
    never.extend(["--color", "never"]);
    assert!(!run(&db, dir.path(), &never, &[("CLICOLOR_FORCE", "1")]).contains(&ESC));
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "color = \"always\"\n").unwrap();
    let cfg = config.to_str().unwrap();
    assert!(run(&db, dir.path(), &table, &[("YARDSTICK_CONFIG", cfg)]).contains(&ESC));
    let mut flag: Vec<&str> = table.to_vec();
    flag.extend(["--color", "never"]);
    assert!(
        !run(&db, dir.path(), &flag, &[("YARDSTICK_CONFIG", cfg)]).contains(&ESC),
        "the flag beats the config"
    );
}

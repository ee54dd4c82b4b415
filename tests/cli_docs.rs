//! `docs/cli.md` is generated from the binary's help; it must match the
//! binary, so a command or flag cannot change without its reference.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;

#[test]
fn docs_cli_md_matches_the_binary() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cli.md");
    let status = Command::new("sh")
        .arg("docs/gen-cli.sh")
        .arg(env!("CARGO_BIN_EXE_yardstick"))
        .env("OUT", &out)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .expect("sh runs");
    assert!(status.success(), "docs/gen-cli.sh failed");
    let fresh = std::fs::read_to_string(&out).unwrap();
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/cli.md")).unwrap();
    if fresh != committed {
        let first = fresh
            .lines()
            .zip(committed.lines())
            .position(|(a, b)| a != b);
        panic!(
            "docs/cli.md is stale (first difference at line {}); regenerate it with `sh docs/gen-cli.sh`",
            first.map_or_else(|| "end".to_string(), |l| (l + 1).to_string())
        );
    }
}

#[test]
fn man_pages_render_without_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_yardstick"))
        .args(["man"])
        .arg(dir.path())
        .status()
        .unwrap();
    assert!(status.success());
    let pages: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(
        pages.len() > 50,
        "a page for every command: {}",
        pages.len()
    );
    assert!(
        pages
            .iter()
            .any(|p| p.ends_with("yardstick-appraise-cycle-new.1"))
    );
    if Command::new("man").arg("--version").output().is_err() {
        eprintln!("man is not installed here; the pages were written but not rendered");
        return;
    }
    for p in &pages {
        let out = Command::new("man")
            .args(["--warnings", "-l"])
            .arg(p)
            .env("MANWIDTH", "80")
            .env("MAN_KEEP_FORMATTING", "0")
            .output()
            .unwrap();
        assert!(out.status.success(), "man -l {} failed", p.display());
        let warnings = String::from_utf8_lossy(&out.stderr);
        assert!(
            warnings.trim().is_empty(),
            "man -l {} warned:\n{warnings}",
            p.display()
        );
        assert!(!out.stdout.is_empty());
    }
}

#[test]
fn bash_completion_loads_and_completes_from_the_database() {
    if Command::new("bash").arg("--version").output().is_err() {
        eprintln!("bash is not installed here");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_yardstick"));
    let db = dir.path().join("c.db");
    let run = |args: &[&str]| {
        let s = Command::new(bin)
            .args(args)
            .env("YARDSTICK_DB", &db)
            .env("YARDSTICK_TODAY", "2026-11-22")
            .output()
            .unwrap();
        assert!(
            s.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&s.stderr)
        );
    };
    run(&["init"]);
    run(&["people", "add", "alice", "--name", "Alice"]);
    run(&["plan", "add", "Cut latency", "--owner", "alice"]);
    let script = format!(
        "export PATH={}:$PATH YARDSTICK_DB={}; source <(yardstick completions bash); complete -p yardstick; \
         COMP_WORDS=(yardstick plan show c); COMP_CWORD=3; _yardstick_dynamic; echo \"goals: ${{COMPREPLY[*]}}\"; \
         COMP_WORDS=(yardstick plan list --owner a); COMP_CWORD=4; _yardstick_dynamic; echo \"owners: ${{COMPREPLY[*]}}\"",
        bin.parent().unwrap().display(),
        db.display()
    );
    let out = Command::new("bash").arg("-c").arg(script).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("complete -o bashdefault -o default -F _yardstick_dynamic yardstick"),
        "{text}"
    );
    assert!(text.contains("goals: cut-latency"), "{text}");
    assert!(text.contains("owners: alice"), "{text}");
    for shell in ["zsh", "fish", "elvish", "powershell"] {
        run(&["completions", shell]);
    }
}

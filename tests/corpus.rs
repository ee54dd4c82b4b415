//! The output corpus: a few hundred real commands over the demo data and the
//! example review-cycle script, every format, writes and errors included,
//! with their stdout, stderr and exit code recorded in `tests/corpus/expected/`.
//!
//! It guards behaviour through restructuring: a change that alters any output
//! fails here. An output that changes on purpose is re-recorded in the commit
//! that changes it (say why in the message):
//!
//! ```text
//! YARDSTICK_CORPUS=record cargo test --test corpus
//! ```
//!
//! `tests/corpus/commands.txt` lists the commands, one per line, run in order
//! (writes change what later lines see). A line is words split like a shell
//! does (single or double quotes, no escapes), with:
//!
//! - `KEY=VALUE` words first: extra environment for that command;
//! - `@A`, `@B`, `@C`, `@D` as the first command word: `--db` the demo
//!   database, the review-cycle script's database, or one of two fresh files
//!   (made by the corpus's own `init` lines);
//! - `{W}` the working directory (as `.`), `{EX}` the `examples/` directory
//!   (as `examples`, a link in the working directory);
//! - `cat FILE` instead of a command: record a file the previous lines wrote;
//! - `script` instead of a command: run `examples/review-cycle.sh` into B.
//!
//! Outputs are normalised so they do not depend on where the test runs: the
//! temporary directory becomes `$ROOT`, the examples directory `$EXAMPLES`,
//! and each UUID `<uuid-N>` by order of first appearance in the whole run
//! (the demo's UUIDs are seeded; those of other writes are random).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::Env;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples")
}

/// Split a line into words: whitespace separates, single and double quotes group.
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    for c in line.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => cur.push(c),
            None if c == '"' || c == '\'' => {
                quote = Some(c);
                in_word = true;
            }
            None if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            None => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    assert!(quote.is_none(), "unclosed quote in corpus line: {line}");
    if in_word {
        out.push(cur);
    }
    out
}

/// A file name for a command: its index and a slug of its words.
fn entry_name(index: usize, line: &str) -> String {
    let mut slug = String::new();
    for c in line.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
        if slug.len() >= 60 {
            break;
        }
    }
    format!("{index:03}-{}.txt", slug.trim_matches('-'))
}

fn is_uuid_at(b: &[u8], i: usize) -> bool {
    const DASHES: [usize; 4] = [8, 13, 18, 23];
    if i + 36 > b.len() {
        return false;
    }
    if i > 0 && b[i - 1].is_ascii_hexdigit() {
        return false;
    }
    if i + 36 < b.len() && b[i + 36].is_ascii_hexdigit() {
        return false;
    }
    (0..36).all(|k| {
        if DASHES.contains(&k) {
            b[i + k] == b'-'
        } else {
            b[i + k].is_ascii_hexdigit() && !b[i + k].is_ascii_uppercase()
        }
    })
}

/// Replace each UUID by `<uuid-N>`, numbered by first appearance.
fn normalise_uuids(s: &str, seen: &mut HashMap<String, usize>) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    let mut last = 0;
    while i < b.len() {
        if b[i].is_ascii_hexdigit() && is_uuid_at(b, i) {
            out.push_str(&s[last..i]);
            let u = &s[i..i + 36];
            let n = seen.len() + 1;
            let n = *seen.entry(u.to_string()).or_insert(n);
            let _ = write!(out, "<uuid-{n}>");
            i += 36;
            last = i;
        } else {
            i += 1;
        }
    }
    out.push_str(&s[last..]);
    out
}

/// `mktemp` names (`PREFIX` and six random characters) as `PREFIXXXXXXX`.
fn normalise_temp_names(s: &str, prefix: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find(prefix) {
        let after = &rest[i + prefix.len()..];
        let n = after
            .char_indices()
            .take_while(|(_, c)| c.is_ascii_alphanumeric())
            .count();
        out.push_str(&rest[..i + prefix.len()]);
        if n == 6 {
            out.push_str("XXXXXX");
            rest = &after[6..];
        } else {
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

struct Runner {
    env: Env,
    dbs: HashMap<&'static str, PathBuf>,
    uuids: HashMap<String, usize>,
}

impl Runner {
    fn normalise(&mut self, s: &str) -> String {
        let root = self.env.root().to_string_lossy().into_owned();
        let ex = examples_dir().to_string_lossy().into_owned();
        let s = s.replace(&root, "$ROOT").replace(&ex, "$EXAMPLES");
        let s = normalise_temp_names(&s, "review-cycle-alice.");
        normalise_uuids(&s, &mut self.uuids)
    }

    /// Paths are relative to the working directory (commands run there, and
    /// `examples` links to the examples), so that no output, and no table
    /// width, depends on where the checkout or the temporary directory is.
    fn expand(&self, w: &str) -> String {
        w.replace("{W}", ".").replace("{EX}", "examples")
    }

    /// Run one corpus line; returns the recorded text.
    fn run(&mut self, line: &str) -> String {
        let mut ws = words(line);
        let mut vars = Vec::new();
        while ws.first().is_some_and(|w| {
            w.split_once('=').is_some_and(|(k, _)| {
                !k.is_empty() && k.chars().all(|c| c.is_ascii_uppercase() || c == '_')
            })
        }) {
            let w = ws.remove(0);
            let (k, v) = w.split_once('=').unwrap();
            vars.push((k.to_string(), self.expand(v)));
        }
        assert!(!ws.is_empty(), "empty corpus command: {line}");
        let (code, stdout, stderr) = match ws[0].as_str() {
            "cat" => {
                let path = self.expand(&ws[1]);
                match std::fs::read(self.env.work.join(&path)) {
                    Ok(bytes) => (
                        0,
                        String::from_utf8_lossy(&bytes).into_owned(),
                        String::new(),
                    ),
                    Err(e) => (1, String::new(), format!("cannot read {path}: {e}\n")),
                }
            }
            "script" => {
                let db = self.dbs["@B"].clone();
                let out = self.env.work.join("review-out");
                let mut cmd = std::process::Command::new("bash");
                cmd.arg(examples_dir().join("review-cycle.sh"))
                    .arg(&db)
                    .arg(&out)
                    .env_clear()
                    .env("HOME", &self.env.home)
                    .env("XDG_DATA_HOME", &self.env.data)
                    .env("XDG_CONFIG_HOME", &self.env.config)
                    .env("PATH", std::env::var_os("PATH").unwrap_or_default())
                    .env("TMPDIR", &self.env.work)
                    .env("YARDSTICK", common::bin())
                    .env("NO_COLOR", "1")
                    .env("COLUMNS", "100")
                    .current_dir(&self.env.work)
                    .stdin(std::process::Stdio::null());
                let o = cmd.output().expect("run review-cycle.sh");
                (
                    o.status.code().unwrap_or(-1),
                    String::from_utf8_lossy(&o.stdout).into_owned(),
                    String::from_utf8_lossy(&o.stderr).into_owned(),
                )
            }
            _ => {
                let mut args: Vec<String> = Vec::new();
                let mut rest = ws.as_slice();
                if let Some(db) = self.dbs.get(ws[0].as_str()) {
                    args.push("--db".into());
                    args.push(db.to_string_lossy().into_owned());
                    rest = &ws[1..];
                }
                args.extend(rest.iter().map(|w| self.expand(w)));
                let mut cmd = self.env.std_command();
                cmd.args(&args);
                for (k, v) in &vars {
                    cmd.env(k, v);
                }
                let mut cmd = assert_cmd::Command::from_std(cmd);
                cmd.timeout(common::TIMEOUT);
                let o = cmd.output().expect("run yardstick");
                (
                    o.status.code().unwrap_or(-1),
                    String::from_utf8_lossy(&o.stdout).into_owned(),
                    String::from_utf8_lossy(&o.stderr).into_owned(),
                )
            }
        };
        let stdout = self.normalise(&stdout);
        let stderr = self.normalise(&stderr);
        format!("$ {line}\nexit: {code}\n--- stdout\n{stdout}\n--- stderr\n{stderr}")
    }
}

#[test]
fn outputs_match_the_recorded_corpus() {
    let env = Env::new();
    let mut dbs = HashMap::new();
    dbs.insert("@A", env.work.join("demo.db"));
    dbs.insert("@B", env.work.join("team.db"));
    dbs.insert("@C", env.work.join("fresh.db"));
    dbs.insert("@D", env.work.join("merged.db"));
    std::os::unix::fs::symlink(examples_dir(), env.work.join("examples")).unwrap();
    let mut runner = Runner {
        env,
        dbs,
        uuids: HashMap::new(),
    };
    let commands = std::fs::read_to_string(corpus_dir().join("commands.txt")).unwrap();
    let expected_dir = corpus_dir().join("expected");
    let record = std::env::var("YARDSTICK_CORPUS").is_ok_and(|v| v == "record");
    if record {
        let _ = std::fs::remove_dir_all(&expected_dir);
        std::fs::create_dir_all(&expected_dir).unwrap();
    }
    let mut failures = Vec::new();
    let mut count = 0;
    for line in commands.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        count += 1;
        let name = entry_name(count, line);
        let got = runner.run(line);
        let path = expected_dir.join(&name);
        if record {
            std::fs::write(&path, &got).unwrap();
            continue;
        }
        match std::fs::read_to_string(&path) {
            Ok(want) if want == got => {}
            Ok(want) => failures.push(format!("{name}\n{}", first_difference(&want, &got))),
            Err(_) => failures.push(format!("{name}: no recorded output")),
        }
    }
    assert!(count >= 150, "the corpus has only {count} commands");
    if !record {
        let recorded = std::fs::read_dir(&expected_dir).unwrap().count();
        assert_eq!(
            recorded, count,
            "tests/corpus/expected holds {recorded} files for {count} commands; re-record"
        );
    }
    assert!(
        failures.is_empty(),
        "{} of {count} corpus outputs differ (re-record with YARDSTICK_CORPUS=record if intended):\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// The first differing line of two recordings, with a little context.
fn first_difference(want: &str, got: &str) -> String {
    let w: Vec<&str> = want.lines().collect();
    let g: Vec<&str> = got.lines().collect();
    let i = w
        .iter()
        .zip(&g)
        .position(|(a, b)| a != b)
        .unwrap_or(w.len().min(g.len()));
    let from = i.saturating_sub(2);
    let show = |v: &[&str]| v[from.min(v.len())..(i + 3).min(v.len())].join("\n");
    format!(
        "  at line {}:\n--- recorded\n{}\n--- now\n{}",
        i + 1,
        show(&w),
        show(&g)
    )
}

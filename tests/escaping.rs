//! Text from the data never drives a terminal and never becomes markup:
//! names, titles, notes, feedback and cycle names holding escape sequences,
//! C1 controls, bidirectional overrides, line breaks, tabs and Markdown link
//! syntax — arriving through `import` of a crafted file — are shown escaped
//! by every view in table, TSV and Markdown, and in messages on stderr.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Env, Out, s};
use std::path::{Path, PathBuf};

/// Sets the window title, rings the bell, clears the screen, starts a
/// one-byte CSI, reverses the text after it, links and embeds an image,
/// breaks the row and the column.
const HOSTILE: &str = "\u{1b}]2;owned\u{7}\u{1b}[2J\u{9b}31m\u{202e}[click](http://evil) \
                       ![i](http://t/x.png) <http://a> `c` *e* | \r\nnext\tcol\u{7f}\u{8}";

/// Placeholder → the text field it stands in (table, column).
const FIELDS: [(&str, &str, &str); 6] = [
    ("PH-person", "person", "name"),
    ("PH-goal", "goal", "title"),
    ("PH-metric", "measure", "name"),
    ("PH-note", "checkin", "note"),
    ("PH-feedback", "feedback", "text"),
    ("PH-cycle", "cycle", "name"),
];

fn hostile(placeholder: &str) -> String {
    format!("{placeholder} {HOSTILE}")
}

/// A database whose texts all hold [`HOSTILE`], put in through `import` of
/// the file's own export with the texts replaced and every record made newer.
/// Should import ever refuse such text, the texts are written into the file
/// directly (as a file edited by another program would hold them).
fn hostile_db(env: &Env) -> PathBuf {
    let db = env.db();
    env.run(&["init", "--db", s(&db), "--me", "lead", "--name", "Lead"])
        .ok();
    env.on(
        &db,
        &[
            "people",
            "add",
            "alice",
            "--name",
            "PH-person",
            "--manager",
            "lead",
        ],
    )
    .ok();
    env.on(
        &db,
        &[
            "plan",
            "add",
            "PH-goal",
            "--owner",
            "alice",
            "--metric",
            "PH-metric",
            "--baseline",
            "0",
            "--target",
            "10",
        ],
    )
    .ok();
    env.on(
        &db,
        &["--as", "alice", "checkin", "1", "5", "--note", "PH-note"],
    )
    .ok();
    env.on(&db, &["feedback", "give", "alice", "PH-feedback"])
        .ok();
    env.on(
        &db,
        &[
            "appraise", "cycle", "new", "PH-cycle", "--period", "2026-Q4", "--person", "alice",
        ],
    )
    .ok();
    let mut export = env.on(&db, &["export"]).ok().stdout.clone();
    for (placeholder, _, _) in FIELDS {
        let text = serde_json::to_string(&hostile(placeholder)).unwrap();
        export = export.replace(&format!("\"{placeholder}\""), &text);
    }
    let export = export.replace("T12:00:00Z\"", "T12:30:00Z\"");
    let file = env.path("crafted.json");
    std::fs::write(&file, export).unwrap();
    let import = env.on(&db, &["import", s(&file)]);
    if import.code != 0 {
        eprintln!(
            "import refused the crafted texts ({}); writing them into the file directly",
            import.stderr.trim()
        );
        plant_directly(&db);
    }
    db
}

fn plant_directly(db: &Path) {
    let conn = rusqlite::Connection::open(db).unwrap();
    for (placeholder, table, column) in FIELDS {
        conn.execute(
            &format!("UPDATE {table} SET {column} = ?1 WHERE {column} = ?2"),
            rusqlite::params![hostile(placeholder), placeholder],
        )
        .unwrap();
    }
}

/// The characters in `text` that could drive a terminal, but `allowed`.
fn unsafe_chars(text: &str, allowed: &[char]) -> Vec<char> {
    text.chars()
        .filter(|c| yardstick::render::is_unsafe_char(*c) && !allowed.contains(c))
        .collect()
}

#[track_caller]
fn assert_inert(out: &Out, allowed: &[char]) {
    out.ok();
    let found = unsafe_chars(&out.stdout, allowed);
    assert!(
        found.is_empty(),
        "`{}` printed {found:?}\n{}",
        out.line,
        out.stdout
    );
    let found = unsafe_chars(&out.stderr, &['\n', '\t']);
    assert!(found.is_empty(), "`{}` said {found:?}", out.line);
}

/// Every view that shows one of the texts, in table, TSV and Markdown.
#[test]
fn no_view_lets_a_control_character_through() {
    let env = Env::new();
    let db = hostile_db(&env);
    let cycle = hostile("PH-cycle");
    let views: &[&[&str]] = &[
        &["people", "list"],
        &["people", "show", "alice"],
        &["plan", "list"],
        &["plan", "show", "1"],
        &["plan", "tree"],
        &["checkin", "list"],
        &["feedback", "list"],
        &["appraise", "cycle", "list"],
        &["appraise", "cycle", "show", &cycle],
        &["appraise", "status", &cycle],
        &["report", "goals"],
        &["report", "checkins"],
        &["report", "person", "alice"],
        &["log"],
    ];
    for view in views {
        for (format, allowed) in [
            ("table", &['\n'][..]),
            ("tsv", &['\n', '\t'][..]),
            ("markdown", &['\n'][..]),
        ] {
            let mut args = view.to_vec();
            args.extend(["--format", format]);
            let out = env.on(&db, &args);
            assert_inert(&out, allowed);
        }
    }
    // Shown, not dropped: each format has the visible escapes.
    let table = env.on(&db, &["feedback", "list", "--format", "table"]);
    assert!(
        table
            .stdout
            .contains("PH-feedback \\e]2;owned\\x07\\e[2J\\u{9b}31m\\u{202e}[click](http://evil)"),
        "{}",
        table.stdout
    );
    // TSV: one row per line, the break and the tab escaped.
    let tsv = env.on(&db, &["feedback", "list", "--format", "tsv"]);
    assert_eq!(tsv.stdout.lines().count(), 2, "{}", tsv.stdout);
    assert!(
        tsv.stdout.contains("| \\r\\nnext\\tcol\\x7f\\x08"),
        "{}",
        tsv.stdout
    );
    // Markdown: the link, image and autolink are text.
    let md = env.on(&db, &["feedback", "list", "--format", "markdown"]);
    assert!(
        md.stdout.contains(
            "\\e\\]2;owned\\x07\\e\\[2J\\u{9b}31m\\u{202e}\\[click\\](http://evil) \
             \\!\\[i\\](http://t/x.png) \\<http://a\\> \\`c\\` \\*e\\* \\| <br>next col"
        ),
        "{}",
        md.stdout
    );
    assert!(!md.stdout.contains("[click](") && !md.stdout.contains("![i]"));
}

/// A message on stderr that names the cycle shows it escaped too.
#[test]
fn messages_show_names_escaped() {
    let env = Env::new();
    let db = hostile_db(&env);
    let cycle = hostile("PH-cycle");
    let out = env.on(&db, &["appraise", "cycle", "open", &cycle]);
    assert_inert(&out, &['\n']);
    assert!(
        out.stderr.contains("PH-cycle \\e]2;owned\\x07"),
        "{}",
        out.stderr
    );
    // An error that names it, too.
    let out = env.on(&db, &["appraise", "cycle", "open", &cycle]);
    assert_ne!(out.code, 0);
    let found = unsafe_chars(&out.stderr, &['\n', '\t']);
    assert!(found.is_empty(), "{found:?} in {}", out.stderr);
}

/// JSON keeps the text exactly (serde escapes the controls).
#[test]
fn json_keeps_the_text_exactly() {
    let env = Env::new();
    let db = hostile_db(&env);
    let v = env
        .on(&db, &["feedback", "list", "--format", "json"])
        .ok()
        .json();
    assert_eq!(v["feedback"][0]["text"], hostile("PH-feedback").as_str());
}

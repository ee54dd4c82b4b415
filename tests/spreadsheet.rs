//! CSV opened in a real spreadsheet (LibreOffice headless): no cell becomes a
//! formula, and real numbers stay numbers — also when the formula hides
//! behind characters LibreOffice drops or skips (a leading NUL, SOH, space,
//! tab, CR, LF, byte-order mark, no-break space) in text that arrived through
//! `import`. Skipped where LibreOffice is not installed and cannot be
//! (scripts/libreoffice-csv-check.sh exits 77).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;

fn run(db: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_yardstick"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_clear()
        .env("YARDSTICK_TODAY", "2026-11-22")
        .env("HOME", db.parent().unwrap())
        .output()
        .unwrap()
}

fn yardstick(db: &Path, args: &[&str]) -> Vec<u8> {
    let out = run(db, args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// (formula cells, number cells), or None when the check cannot run here.
fn open_in_calc(csv: &Path) -> Option<(u64, u64)> {
    let out = Command::new("bash")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/scripts/libreoffice-csv-check.sh"
        ))
        .arg(csv)
        .output()
        .unwrap();
    if out.status.code() == Some(77) {
        eprintln!("skipped: {}", String::from_utf8_lossy(&out.stderr));
        return None;
    }
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let nums: Vec<u64> = text
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    Some((nums[0], nums[1]))
}

#[test]
fn libreoffice_finds_no_formula_in_yardsticks_csv() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db");
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
            "=HYPERLINK(\"http://x\",\"y\")",
            "--owner",
            "alice",
            "--metric",
            "@SUM(A1)",
            "--baseline",
            "0",
            "--target",
            "-3.5",
        ],
    );
    let corpus = [
        "=1+2",
        "+cmd",
        "-2+3",
        "@SUM(A1)",
        "=HYPERLINK(\"http://evil\",\"click\")",
        "-3.5",
    ];
    for (i, text) in corpus.iter().enumerate() {
        yardstick(
            &db,
            &[
                "--as",
                "bob",
                "feedback",
                "give",
                "alice",
                text,
                "--date",
                &format!("2026-11-{:02}", i + 1),
            ],
        );
    }
    yardstick(
        &db,
        &["--as", "alice", "checkin", "1", "-3.5", "--note", "=1+2"],
    );
    let csv = dir.path().join("feedback.csv");
    std::fs::write(
        &csv,
        yardstick(&db, &["feedback", "list", "--format", "csv"]),
    )
    .unwrap();
    let goals = dir.path().join("goals.csv");
    std::fs::write(
        &goals,
        yardstick(&db, &["report", "goals", "--format", "csv"]),
    )
    .unwrap();
    let checkins = dir.path().join("checkins.csv");
    std::fs::write(
        &checkins,
        yardstick(&db, &["checkin", "list", "--format", "csv"]),
    )
    .unwrap();
    // A control file with the same texts, not neutralised: the check must see formulas in it.
    let control = dir.path().join("control.csv");
    std::fs::write(&control, "a,b\n=1+2,x\n@SUM(A1),y\n").unwrap();
    let Some((control_formulas, _)) = open_in_calc(&control) else {
        return;
    };
    assert!(
        control_formulas > 0,
        "the check cannot see formulas, so it proves nothing"
    );
    for f in [&csv, &goals, &checkins] {
        let (formulas, numbers) = open_in_calc(f).unwrap();
        assert_eq!(
            formulas,
            0,
            "{} has formula cells in LibreOffice",
            f.display()
        );
        assert!(
            numbers > 0,
            "{} has no number cells: numbers must stay numbers",
            f.display()
        );
    }
}

/// What LibreOffice drops or skips before it looks for a formula.
/// (NUL, SOH, space, tab, CR, LF, byte-order mark, no-break space.)
const PREFIXES: [&str; 8] = ["\0", "\u{1}", " ", "\t", "\r", "\n", "\u{feff}", "\u{a0}"];

const FORMULAS: [&str; 4] = [
    "=1+2",
    "=HYPERLINK(\"http://evil\",\"click\")",
    "@SUM(1+1)",
    "+1+2",
];

/// Replace each placeholder by its text in the database through `import` of
/// a crafted file: the export with the texts put in and every record made
/// newer, so the import updates them. Should import ever refuse such text,
/// the texts are written into the file directly (as a file edited by
/// another program would hold them), so the CSV is still tested against them.
fn plant(db: &Path, texts: &[(String, String)]) {
    let mut export = String::from_utf8(yardstick(db, &["export"])).unwrap();
    for (placeholder, text) in texts {
        let quoted = serde_json::to_string(text).unwrap();
        export = export.replace(&format!("\"{placeholder}\""), &quoted);
    }
    let export = export.replace("T12:00:00Z\"", "T12:30:00Z\"");
    let file = db.with_extension("crafted.json");
    std::fs::write(&file, export).unwrap();
    let out = run(db, &["import", file.to_str().unwrap()]);
    if out.status.success() {
        return;
    }
    eprintln!(
        "import refused the crafted texts ({}); writing them into the file directly",
        String::from_utf8_lossy(&out.stderr).trim()
    );
    let conn = rusqlite::Connection::open(db).unwrap();
    for (placeholder, text) in texts {
        for sql in [
            "UPDATE feedback SET text = ?1 WHERE text = ?2",
            "UPDATE checkin SET note = ?1 WHERE note = ?2",
        ] {
            conn.execute(sql, rusqlite::params![text, placeholder])
                .unwrap();
        }
    }
}

#[test]
fn libreoffice_finds_no_formula_behind_leading_control_characters() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db");
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
            "Latency",
            "--owner",
            "alice",
            "--metric",
            "p95",
            "--baseline",
            "0",
            "--target",
            "10",
        ],
    );
    let mut texts = Vec::new();
    for prefix in PREFIXES {
        for formula in FORMULAS {
            texts.push((format!("PH-{}", texts.len()), format!("{prefix}{formula}")));
        }
    }
    for (i, (placeholder, _)) in texts.iter().enumerate() {
        let date = format!("2026-{:02}-{:02}", 1 + i / 28, 1 + i % 28);
        yardstick(
            &db,
            &[
                "--as",
                "bob",
                "feedback",
                "give",
                "alice",
                placeholder,
                "--date",
                &date,
            ],
        );
        yardstick(
            &db,
            &[
                "--as",
                "alice",
                "checkin",
                "1",
                "3.5",
                "--note",
                placeholder,
                "--date",
                &date,
            ],
        );
    }
    plant(&db, &texts);
    // The texts are in the database, byte for byte.
    let listed: serde_json::Value =
        serde_json::from_slice(&yardstick(&db, &["feedback", "list", "--format", "json"])).unwrap();
    let stored: Vec<&str> = listed["feedback"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["text"].as_str())
        .collect();
    for (_, text) in &texts {
        assert!(
            stored.contains(&text.as_str()),
            "{text:?} is not in the database"
        );
    }

    // The control: the same texts written as CSV without the guard. LibreOffice
    // must find formulas in it, or the check proves nothing.
    let control = dir.path().join("control.csv");
    let mut w = csv::Writer::from_path(&control).unwrap();
    w.write_record(["text", "n"]).unwrap();
    for (_, text) in &texts {
        w.write_record([text.as_str(), "1"]).unwrap();
    }
    w.flush().unwrap();
    drop(w);
    let Some((control_formulas, _)) = open_in_calc(&control) else {
        return;
    };
    assert!(
        control_formulas > 0,
        "LibreOffice made no formula of the unguarded texts, so the check proves nothing"
    );

    let outputs = [
        ("feedback.csv", vec!["feedback", "list", "--format", "csv"]),
        ("checkins.csv", vec!["checkin", "list", "--format", "csv"]),
        ("export.csv", vec!["export", "--format", "csv"]),
    ];
    for (name, args) in outputs {
        let file = dir.path().join(name);
        std::fs::write(&file, yardstick(&db, &args)).unwrap();
        let (formulas, numbers) = open_in_calc(&file).unwrap();
        assert_eq!(formulas, 0, "{name} has formula cells in LibreOffice");
        assert!(
            numbers > 0,
            "{name} has no number cells: numbers must stay numbers"
        );
    }
}

/// The merit matrix's rewards as a spreadsheet: percentages arrive as numbers.
#[test]
fn the_cycles_rewards_open_as_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    yardstick(&db, &["demo"]);
    let csv = dir.path().join("rewards.csv");
    let out = yardstick(
        &db,
        &[
            "report",
            "cycle",
            "2026-H1 reviews",
            "--part",
            "people",
            "--format",
            "csv",
        ],
    );
    let text = String::from_utf8(out.clone()).unwrap();
    assert!(text.starts_with("person,score,"), "{text}");
    assert!(text.lines().next().unwrap().contains("raise_pct,bonus_pct"));
    std::fs::write(&csv, out).unwrap();
    if let Some((formulas, numbers)) = open_in_calc(&csv) {
        assert_eq!(formulas, 0);
        // Per person the score, the raise and the bonus are numbers (Calc
        // stores two equal neighbours, a raise and bonus of 0, as one cell).
        let people = text.lines().count() as u64 - 1;
        assert!(
            numbers >= people * 2,
            "{numbers} number cells for {people} people"
        );
    }
}

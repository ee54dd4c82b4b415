//! CSV opened in a real spreadsheet (LibreOffice headless): no cell becomes a
//! formula, and real numbers stay numbers. Skipped where LibreOffice is not
//! installed and cannot be (scripts/libreoffice-csv-check.sh exits 77).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;

fn yardstick(db: &Path, args: &[&str]) -> Vec<u8> {
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

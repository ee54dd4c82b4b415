//! The confidentiality and permission bugs found when yardstick was tried as
//! a team lead and as an attacker would (issue "Confidentiality and
//! permissions"), each reproduced through the binary: what leaked is no
//! longer shown, and what was accepted is refused with exit 1 and a
//! "not allowed" message, the database keeping its bytes.
//!
//! Where the other bullets of that list are shown:
//! - every read command × format × viewer: `tests/confidentiality.rs`;
//! - imports (forged timestamps, finalized cycles, the command line's
//!   validators, whose permissions): `tests/cli_exchange.rs`;
//! - completion of `Q4 $(touch FILE)` in bash, zsh and fish:
//!   `tests/completion.rs`;
//! - the CSV guard past NUL and control characters, LibreOffice:
//!   `tests/escaping.rs`, `tests/spreadsheet.rs`;
//! - `-o` onto the database, links, FIFOs, 0666 files, reads with a `-wal`:
//!   `tests/security.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Env, Out, assert_bytes_unchanged, s};
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use yardstick::render::Format;

const CYCLE: &str = "H2";

/// A small organisation: mo leads core and manages sub and three peers;
/// ada is the file's `me` (an admin); sub has a goal in 2026-H2 and a cycle
/// `H2` is open for her with p1, p2 and p3 nominated as peers.
fn org(env: &Env) -> PathBuf {
    let db = env.db();
    let plan = env.path("org.toml");
    let mut toml = String::from(
        r#"
[[team]]
handle = "core"
name = "Core"
lead = "mo"

[[person]]
handle = "mo"
name = "Manager Mo"
team = "core"

[[person]]
handle = "sub"
name = "Subject Sue"
manager = "mo"
team = "core"

[[goal]]
key = "sub-goal"
title = "Ship the thing"
owner = "sub"
period = "2026-H2"

[[goal.measure]]
name = "things"
baseline = 0
target = 10

[[goal]]
key = "core-goal"
title = "A calm on-call"
owner = "core"
period = "2026-H2"
"#,
    );
    for p in ["p1", "p2", "p3"] {
        toml.push_str(&format!(
            "\n[[person]]\nhandle = \"{p}\"\nname = \"Peer {p}\"\nmanager = \"mo\"\n"
        ));
    }
    std::fs::write(&plan, toml).unwrap();
    env.run(&["init", "--db", s(&db), "--me", "ada", "--name", "Ada Admin"])
        .ok();
    let on = |args: &[&str]| env.on(&db, args).ok().no_panic().code;
    on(&["--as", "ada", "plan", "apply", s(&plan)]);
    on(&[
        "--as", "ada", "appraise", "cycle", "new", CYCLE, "--period", "2026-H2", "--person", "sub",
    ]);
    on(&["--as", "ada", "appraise", "cycle", "open", CYCLE]);
    on(&[
        "--as", "ada", "appraise", "peers", CYCLE, "sub", "--add", "p1", "p2", "p3",
    ]);
    db
}

fn as_(env: &Env, db: &Path, who: &str, args: &[&str]) -> Out {
    let mut all = vec!["--as", who];
    all.extend_from_slice(args);
    env.on(db, &all)
}

/// A review of sub by `who`, rated `rating`, its comment `text`.
fn review(env: &Env, db: &Path, who: &str, kind: &str, rating: &str, text: &str, submit: bool) {
    let rate = format!("collaboration={rating}");
    let comment = format!("collaboration={text}");
    let mut args = vec![
        "appraise",
        "review",
        CYCLE,
        "sub",
        "--kind",
        kind,
        "--rate",
        &rate,
        "--comment",
        &comment,
    ];
    if submit {
        args.push("--submit");
    }
    as_(env, db, who, &args).ok();
}

/// Stdout and stderr of `--as WHO ARGS --format F` for every format.
fn in_every_format(env: &Env, db: &Path, who: &str, args: &[&str]) -> Vec<(String, String)> {
    Format::ALL
        .iter()
        .filter_map(|f| {
            let mut all = args.to_vec();
            all.extend(["--format", f.name()]);
            let out = as_(env, db, who, &all);
            out.no_panic();
            // A format a command does not write is refused up front.
            if out.code == 2 && out.stderr.contains("does not write") {
                return None;
            }
            out.ok();
            Some((out.line.clone(), format!("{}{}", out.stdout, out.stderr)))
        })
        .collect()
}

#[track_caller]
fn never_shows(env: &Env, db: &Path, who: &str, args: &[&str], marker: &str) {
    for (line, text) in in_every_format(env, db, who, args) {
        assert!(!text.contains(marker), "`{line}` shows {marker}:\n{text}");
    }
}

#[track_caller]
fn always_shows(env: &Env, db: &Path, who: &str, args: &[&str], marker: &str) {
    for (line, text) in in_every_format(env, db, who, args) {
        assert!(
            text.contains(marker),
            "`{line}` does not show {marker}:\n{text}"
        );
    }
}

/// `--as WHO ARGS` is refused with exit 1 and `message`, the file unchanged.
#[track_caller]
fn refused(env: &Env, db: &Path, who: &str, args: &[&str], message: &str) {
    let before = std::fs::read(db).unwrap();
    as_(env, db, who, args)
        .code(1)
        .no_panic()
        .stderr_has(message);
    assert_bytes_unchanged(db, &before, message);
}

/// Found: `report person alice --as alice` showed the manager's draft
/// review (every format), and `--as bob` alice's self draft.
#[test]
fn a_draft_is_shown_to_its_author_only() {
    let env = Env::new();
    let db = org(&env);
    review(&env, &db, "sub", "self", "4", "MK-SELF-DRAFT", false);
    review(&env, &db, "mo", "manager", "2", "MK-MANAGER-DRAFT", false);
    for cmd in [
        &["report", "person", "sub", "--cycle", CYCLE][..],
        &["appraise", "show", CYCLE, "sub"][..],
    ] {
        never_shows(&env, &db, "sub", cmd, "MK-MANAGER-DRAFT");
        never_shows(&env, &db, "mo", cmd, "MK-SELF-DRAFT");
        // An admin, too, sees no one's draft.
        never_shows(&env, &db, "ada", cmd, "MK-SELF-DRAFT");
        never_shows(&env, &db, "ada", cmd, "MK-MANAGER-DRAFT");
    }
    // Their authors do (the formats that show ratings).
    for cmd in [
        &[
            "report", "person", "sub", "--cycle", CYCLE, "--format", "json",
        ][..],
        &["appraise", "show", CYCLE, "sub", "--format", "json"][..],
    ] {
        as_(&env, &db, "sub", cmd).ok().stdout_has("MK-SELF-DRAFT");
        as_(&env, &db, "mo", cmd)
            .ok()
            .stdout_has("MK-MANAGER-DRAFT");
    }
}

/// Found: `appraise show --as alice` said "the manager review is hidden"
/// and then printed the score, the level and the manager component.
#[test]
fn a_hidden_review_hides_the_score_it_makes() {
    let env = Env::new();
    let db = org(&env);
    review(&env, &db, "mo", "manager", "1", "MK-MANAGER", true);
    let out = as_(
        &env,
        &db,
        "sub",
        &["appraise", "show", CYCLE, "sub", "--format", "json"],
    );
    out.ok();
    let doc = out.json();
    let a = &doc["appraisal"];
    for field in [
        "score",
        "level",
        "computed_score",
        "computed_level",
        "peer_average",
    ] {
        assert!(a[field].is_null(), "{field} shown to the subject: {doc}");
    }
    for c in doc["components"].as_array().unwrap() {
        assert!(
            c["value"].is_null(),
            "a component shown to the subject: {c}"
        );
    }
    assert!(!out.stdout.contains("MK-MANAGER"));
    out.stderr_has("The manager review is hidden")
        .stderr_has("The score, level and components are shown to managers once reviews close, and to the subject once the cycle is finalized.");
    // In every format, no score: the manager's rating of 1 would give one.
    for (line, text) in in_every_format(&env, &db, "sub", &["appraise", "show", CYCLE, "sub"]) {
        assert!(
            !text.contains("Unsatisfactory"),
            "`{line}` shows a level:\n{text}"
        );
    }
}

/// Found: `export --person alice` carried every peer review of alice with
/// the reviewer's name, rating and comment, and the manager's draft.
#[test]
fn the_file_for_a_person_carries_no_peer_review_and_no_draft() {
    let env = Env::new();
    let db = org(&env);
    review(&env, &db, "sub", "self", "4", "MK-SELF", true);
    review(&env, &db, "mo", "manager", "2", "MK-MANAGER-DRAFT", false);
    for (p, m) in [
        ("p1", "MK-PEER-ONE"),
        ("p2", "MK-PEER-TWO"),
        ("p3", "MK-PEER-THREE"),
    ] {
        review(&env, &db, p, "peer", "3", m, true);
    }
    let peer_uuids: Vec<String> = {
        let c = Connection::open(&db).unwrap();
        let mut st = c
            .prepare("SELECT uuid FROM person WHERE handle IN ('p1', 'p2', 'p3')")
            .unwrap();
        st.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    // The file a lead hands to sub: her view.
    let file = env.path("sub.json");
    let out = as_(
        &env,
        &db,
        "sub",
        &["export", "--person", "sub", "-o", s(&file)],
    );
    out.ok().stderr_has("not sub's to see");
    let text = std::fs::read_to_string(&file).unwrap();
    for m in [
        "MK-PEER-ONE",
        "MK-PEER-TWO",
        "MK-PEER-THREE",
        "MK-MANAGER-DRAFT",
    ] {
        assert!(!text.contains(m), "sub's file carries {m}");
    }
    assert!(text.contains("MK-SELF"), "her own review is hers");
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    for r in doc["records"].as_array().unwrap() {
        if r["table"] == "review" {
            let reviewer = r["reviewer_uuid"].as_str().unwrap().to_string();
            assert!(
                !peer_uuids.contains(&reviewer),
                "a peer review in sub's file: {r}"
            );
        }
    }
    assert_eq!(doc["exported_by"], "sub");
    // Her manager's file: no peer reviews by name either, and his own draft.
    let file = env.path("mo.json");
    as_(
        &env,
        &db,
        "mo",
        &["export", "--person", "sub", "-o", s(&file)],
    )
    .ok();
    let text = std::fs::read_to_string(&file).unwrap();
    for m in ["MK-PEER-ONE", "MK-PEER-TWO", "MK-PEER-THREE"] {
        assert!(!text.contains(m), "mo's file carries {m}");
    }
    assert!(text.contains("MK-MANAGER-DRAFT"));
}

/// Found: the live peer average let anyone subtract one reviewer's rating
/// from the next. The subject sees no average until the cycle is
/// finalized, and then the one stored at finalization; managers see it once
/// reviews close, from the anonymity threshold on.
#[test]
fn the_subject_sees_the_peer_average_stored_at_finalization() {
    let env = Env::new();
    let db = org(&env);
    review(&env, &db, "sub", "self", "4", "MK-SELF", true);
    review(&env, &db, "mo", "manager", "3", "MK-MANAGER", true);
    let average = |who: &str| {
        let out = as_(
            &env,
            &db,
            who,
            &["appraise", "show", CYCLE, "sub", "--format", "json"],
        );
        out.ok();
        out.json()["appraisal"]["peer_average"].as_f64()
    };
    for (i, (p, rating)) in [("p1", "5"), ("p2", "1"), ("p3", "3")]
        .into_iter()
        .enumerate()
    {
        review(&env, &db, p, "peer", rating, &format!("MK-PEER-{i}"), true);
        // While the cycle is open, as each review comes in: nothing to
        // subtract, for the subject or her manager.
        assert_eq!(average("sub"), None, "after {p}");
        assert_eq!(average("mo"), None, "after {p}");
    }
    as_(&env, &db, "ada", &["appraise", "cycle", "calibrate", CYCLE]).ok();
    assert_eq!(average("mo"), Some(3.0));
    assert_eq!(average("sub"), None);
    as_(&env, &db, "ada", &["appraise", "cycle", "finalize", CYCLE]).ok();
    assert_eq!(average("sub"), Some(3.0));

    // What the subject sees is the stored snapshot (the cycle's frozen
    // record), not a recomputation: change the stored value behind
    // yardstick's back (the record's trigger put back after) and she sees
    // the stored one.
    let c = Connection::open(&db).unwrap();
    let trigger: String = c
        .query_row(
            "SELECT sql FROM sqlite_master WHERE name = 'appraisal_record_update'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    c.execute_batch(&format!(
        "BEGIN; DROP TRIGGER appraisal_record_update; \
         UPDATE appraisal_record SET record = json_set(record, '$.outcome.peer_average', 2.5); {trigger}; COMMIT;"
    ))
    .unwrap();
    drop(c);
    assert_eq!(average("sub"), Some(2.5));
}

/// Found: `--include-private` showed a subject the private feedback about
/// her, and `feedback list -o file.csv` silently wrote private items.
#[test]
fn private_feedback_never_reaches_its_subject_or_a_file_unasked() {
    let env = Env::new();
    let db = org(&env);
    as_(
        &env,
        &db,
        "p1",
        &[
            "feedback",
            "give",
            "sub",
            "MK-PRIVATE misses deadlines",
            "--private",
        ],
    )
    .ok();
    as_(
        &env,
        &db,
        "p2",
        &["feedback", "give", "sub", "MK-SHARED great demo"],
    )
    .ok();
    for args in [
        &["feedback", "list", "--include-private"][..],
        &["feedback", "list", "--to", "sub", "--include-private"][..],
        &["report", "person", "sub", "--include-private"][..],
        &["export", "--include-private"][..],
    ] {
        never_shows(&env, &db, "sub", args, "MK-PRIVATE");
    }
    always_shows(&env, &db, "sub", &["feedback", "list"], "MK-SHARED");
    // Her manager sees it on screen; a file gets it only when asked.
    always_shows(&env, &db, "mo", &["feedback", "list"], "MK-PRIVATE");
    let csv = env.path("feedback.csv");
    let out = as_(&env, &db, "mo", &["feedback", "list", "-o", s(&csv)]);
    out.ok().stderr_has("private");
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(
        !text.contains("MK-PRIVATE") && text.contains("MK-SHARED"),
        "{text}"
    );
    as_(
        &env,
        &db,
        "mo",
        &["feedback", "list", "--include-private", "-o", s(&csv)],
    )
    .ok();
    assert!(
        std::fs::read_to_string(&csv)
            .unwrap()
            .contains("MK-PRIVATE")
    );
}

/// Found: anyone could calibrate or finalize their own appraisal,
/// recommend their own promotion, or check in on a colleague's goal.
#[test]
fn no_one_rates_promotes_or_checks_in_for_themselves_or_others() {
    let env = Env::new();
    let db = org(&env);
    review(&env, &db, "sub", "self", "5", "MK-SELF", true);
    review(&env, &db, "mo", "manager", "3", "MK-MANAGER", true);
    refused(
        &env,
        &db,
        "sub",
        &["appraise", "cycle", "calibrate", CYCLE, "--force"],
        "not allowed: sub may not move a review cycle created by someone else",
    );
    as_(
        &env,
        &db,
        "ada",
        &["appraise", "cycle", "calibrate", CYCLE, "--force"],
    )
    .ok();
    refused(
        &env,
        &db,
        "sub",
        &[
            "appraise",
            "calibrate",
            CYCLE,
            "sub",
            "--level",
            "5",
            "--reason",
            "I say so",
        ],
        "not allowed: sub may not calibrate or record outcomes for sub",
    );
    refused(
        &env,
        &db,
        "sub",
        &[
            "appraise",
            "outcome",
            CYCLE,
            "sub",
            "--recommend",
            "promotion",
        ],
        "not allowed: sub may not calibrate or record outcomes for sub",
    );
    refused(
        &env,
        &db,
        "p1",
        &[
            "appraise",
            "outcome",
            CYCLE,
            "sub",
            "--recommend",
            "improvement-plan",
        ],
        "not allowed: p1 may not calibrate or record outcomes for sub",
    );
    refused(
        &env,
        &db,
        "sub",
        &["appraise", "cycle", "finalize", CYCLE, "--force"],
        "not allowed: sub may not move a review cycle created by someone else",
    );
    // A colleague's goal; a team's goal is its lead's and members'.
    refused(
        &env,
        &db,
        "p1",
        &["checkin", "sub-goal", "9"],
        "not allowed: p1 may not change goals or check-ins of sub-goal",
    );
    refused(
        &env,
        &db,
        "p1",
        &["plan", "edit", "core-goal", "--title", "p1's now"],
        "not allowed: p1 may not change goals or check-ins of core-goal",
    );
    as_(
        &env,
        &db,
        "sub",
        &["plan", "edit", "core-goal", "--title", "Calm on-call"],
    )
    .ok();
    // Her manager may; calibration is his and admins'.
    as_(&env, &db, "mo", &["checkin", "sub-goal", "4"]).ok();
    as_(
        &env,
        &db,
        "mo",
        &[
            "appraise",
            "calibrate",
            CYCLE,
            "sub",
            "--level",
            "4",
            "--reason",
            "Calibrated",
        ],
    )
    .ok();
}

/// Found: `undo` reverted someone else's write, including feedback its
/// subject could not remove. Undo reverts the acting person's own last
/// operation, refuses when a later one by someone else touched the same
/// records, and never removes a record others refer to.
#[test]
fn undo_reverts_only_your_own_writes() {
    let env = Env::new();
    let db = org(&env);
    as_(
        &env,
        &db,
        "p1",
        &["feedback", "give", "sub", "MK-CONCERN", "--kind", "concern"],
    )
    .ok();
    refused(
        &env,
        &db,
        "sub",
        &["--yes", "feedback", "rm", "1"],
        "not allowed: sub may not remove feedback given by someone else to sub",
    );
    refused(
        &env,
        &db,
        "sub",
        &["--yes", "undo"],
        "nothing to undo: no operation of sub's is left to undo",
    );
    always_shows(&env, &db, "sub", &["feedback", "list"], "MK-CONCERN");

    // Her check-in, then her manager corrects it: she cannot undo hers
    // over his.
    as_(
        &env,
        &db,
        "sub",
        &["checkin", "sub-goal", "3", "--note", "hers"],
    )
    .ok();
    as_(&env, &db, "mo", &["checkin", "edit", "1", "--note", "his"]).ok();
    refused(
        &env,
        &db,
        "sub",
        &["--yes", "undo"],
        "later operation(s) changed the same records",
    );
    // The author of the feedback may undo it; an admin may undo anything.
    as_(&env, &db, "mo", &["--yes", "undo"]).ok();
    as_(&env, &db, "sub", &["--yes", "undo"]).ok();
    as_(&env, &db, "ada", &["--yes", "undo"])
        .ok()
        .stderr_has("by p1");
    never_shows(&env, &db, "sub", &["feedback", "list"], "MK-CONCERN");

    // A goal someone else has since checked in on stays.
    as_(
        &env,
        &db,
        "sub",
        &[
            "plan",
            "add",
            "Write the runbook",
            "--key",
            "runbook",
            "--period",
            "2026-H2",
        ],
    )
    .ok();
    as_(
        &env,
        &db,
        "mo",
        &["checkin", "runbook", "--status", "on-track"],
    )
    .ok();
    refused(&env, &db, "sub", &["--yes", "undo"], "cannot undo");
}

/// Found: `--purge` marked a whole import as undone, and the next undo
/// nulled live references. Purging erases one text from the history; the
/// import stays undoable, and undoing it removes what it added, cleanly.
#[test]
fn purging_one_text_leaves_the_import_it_came_in_with() {
    let env = Env::new();
    let src = org(&env);
    as_(
        &env,
        &src,
        "p1",
        &["feedback", "give", "sub", "MK-PURGE-ME"],
    )
    .ok();
    as_(&env, &src, "sub", &["checkin", "sub-goal", "3"]).ok();
    let file = env.path("all.json");
    env.on(&src, &["export", "-o", s(&file)]).ok();
    let db = env.init_db();
    env.on(&db, &["import", s(&file), "--from", "ada"]).ok();
    env.on(&db, &["--yes", "feedback", "rm", "1", "--purge"])
        .ok()
        .stderr_has("erased it from the undo history");
    let log = env.on(&db, &["log", "--format", "json"]);
    log.ok();
    let ops = log.json();
    let import = ops["operations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["command"] == "import")
        .unwrap()
        .clone();
    assert!(import["undone_at"].is_null(), "{import}");
    assert!(
        !std::fs::read(&db)
            .unwrap()
            .windows(11)
            .any(|w| w == b"MK-PURGE-ME")
    );
    // The next undo skips the purge (it cannot be undone) and reverts the
    // import whole: no row is left behind with a reference nulled.
    env.on(&db, &["--yes", "undo"])
        .ok()
        .stderr_has("Undid operation 1");
    let c = Connection::open(&db).unwrap();
    for table in [
        "person",
        "goal",
        "checkin",
        "cycle",
        "participant",
        "feedback",
    ] {
        let n: i64 = c
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 0, "{table} rows left after undoing the import");
    }
    let fk: i64 = c
        .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(fk, 0);
}

/// An admin who is also a manager has the admin's view (peer reviews by
/// name), but self and manager reviews stay blind to each other: the
/// subject's direct manager sees her self review only once his own review
/// is submitted, admin or not.
#[test]
fn an_admin_who_writes_the_manager_review_is_blind_to_the_self_review() {
    let env = Env::new();
    let db = org(&env);
    as_(&env, &db, "ada", &["people", "edit", "mo", "--admin"]).ok();
    review(&env, &db, "sub", "self", "4", "MK-SELF", true);
    review(&env, &db, "p1", "peer", "3", "MK-PEER-ONE", true);
    let show = ["appraise", "show", CYCLE, "sub"];
    let json = ["appraise", "show", CYCLE, "sub", "--format", "json"];
    never_shows(&env, &db, "mo", &show, "MK-SELF");
    // Nor the score it makes (found by an attacker's review).
    let out = as_(&env, &db, "mo", &json);
    out.ok();
    let doc = out.json();
    assert!(doc["appraisal"]["score"].is_null(), "{doc}");
    for c in doc["components"].as_array().unwrap() {
        assert!(c["value"].is_null(), "{c}");
    }
    as_(&env, &db, "ada", &json).ok().stdout_has("MK-SELF");
    // As an admin he sees the peer review whole, by name.
    as_(&env, &db, "mo", &json)
        .ok()
        .stdout_has("MK-PEER-ONE")
        .stdout_has("\"reviewer\": \"p1\"");
    review(&env, &db, "mo", "manager", "3", "MK-MANAGER", true);
    as_(&env, &db, "mo", &json).ok().stdout_has("MK-SELF");
}

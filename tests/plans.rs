//! The follow-up of a review through the real binary: development actions
//! as tracked records (status, note, owner, their own due dates, overdue in
//! `checkin due`), performance improvement plans (`pip`), the subject's
//! acknowledgement with a comment (voided by a reopening), and an outcome
//! recommending an improvement plan pointing at it. Over the demo's data:
//! dana is the admin, sam leads sales (kim, mia, raj), "2026-H2 reviews" is
//! open and "2026-H1 reviews" finalized; today is pinned to 2026-11-22.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Env, assert_bytes_unchanged, s};
use serde_json::Value;
use std::path::{Path, PathBuf};

const H2: &str = "2026-H2 reviews";
const H1: &str = "2026-H1 reviews";

fn demo(env: &Env) -> PathBuf {
    let db = env.db();
    env.run(&["demo", "--db", s(&db)]).ok();
    db
}

fn as_(env: &Env, db: &Path, who: &str, args: &[&str]) -> common::Out {
    let mut all = vec!["--as", who];
    all.extend_from_slice(args);
    env.on(db, &all)
}

fn json(env: &Env, db: &Path, who: &str, args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    let out = as_(env, db, who, &all);
    out.ok();
    out.json()
}

/// The H2 cycle moved to calibrating (outcomes are recorded then).
fn calibrating(env: &Env, db: &Path) {
    as_(
        env,
        db,
        "dana",
        &["appraise", "cycle", "calibrate", H2, "--force"],
    )
    .ok();
}

fn rows<'a>(v: &'a Value, key: &str) -> &'a Vec<Value> {
    v[key]
        .as_array()
        .unwrap_or_else(|| panic!("no {key} in {v}"))
}

/// The id of the action with this text in `appraise action list`.
fn action_id(list: &Value, text: &str) -> i64 {
    rows(list, "actions")
        .iter()
        .find(|a| a["action"] == text)
        .and_then(|a| a["id"].as_i64())
        .unwrap_or_else(|| panic!("no action {text:?} in {list}"))
}

fn status_of(list: &Value, text: &str) -> String {
    rows(list, "actions")
        .iter()
        .find(|a| a["action"] == text)
        .map(|a| a["status"].as_str().unwrap_or("").to_string())
        .unwrap_or_else(|| panic!("no action {text:?} in {list}"))
}

#[test]
fn development_actions_have_owners_due_dates_and_a_status_followed_up_after_finalize() {
    let env = Env::new();
    let db = demo(&env);
    calibrating(&env, &db);
    let add = |text: &str, due: &str, owner: Option<&str>| {
        let mut args = vec!["appraise", "action", "add", H2, "kim", text, "--due", due];
        if let Some(o) = owner {
            args.extend(["--owner", o]);
        }
        as_(&env, &db, "sam", &args)
            .ok()
            .stderr_has("Added development action");
    };
    add("Shadow a senior account executive", "2026-11-01", None);
    add("Take the negotiation course", "2027-02-01", None);
    add("Write the objection playbook", "2026-10-15", Some("sam"));
    add("Read the sales classic", "2026-11-10", None);
    // An owner outside the subject's line is bad input: exit 2, nothing written.
    let before = std::fs::read(&db).unwrap();
    as_(
        &env,
        &db,
        "sam",
        &[
            "appraise", "action", "add", H2, "kim", "Pair", "--owner", "raj",
        ],
    )
    .code(2)
    .stderr_has("neither kim nor one of their managers");
    as_(
        &env,
        &db,
        "sam",
        &[
            "appraise", "action", "add", H2, "kim", "Pair", "--due", "someday",
        ],
    )
    .code(2)
    .stderr_has("--due");
    assert_bytes_unchanged(&db, &before, "refused action add");
    as_(
        &env,
        &db,
        "dana",
        &["appraise", "cycle", "finalize", H2, "--force"],
    )
    .ok();

    let list = json(
        &env,
        &db,
        "sam",
        &["appraise", "action", "list", "--cycle", H2],
    );
    assert_eq!(rows(&list, "actions").len(), 4, "{list}");
    let shadow = action_id(&list, "Shadow a senior account executive");
    let playbook = action_id(&list, "Write the objection playbook");
    let owner = rows(&list, "actions")
        .iter()
        .find(|a| a["id"] == playbook)
        .map(|a| a["owner"].clone());
    assert_eq!(owner, Some(Value::from("sam")));

    // Once finalized the subject follows up their own actions; a peer cannot.
    as_(
        &env,
        &db,
        "kim",
        &[
            "appraise",
            "action",
            "done",
            &shadow.to_string(),
            "--note",
            "Two calls shadowed",
        ],
    )
    .ok()
    .stderr_has("done");
    as_(
        &env,
        &db,
        "mia",
        &["appraise", "action", "done", &shadow.to_string()],
    )
    .code(1)
    .stderr_has("no development action");
    as_(
        &env,
        &db,
        "sam",
        &[
            "appraise",
            "action",
            "drop",
            &playbook.to_string(),
            "--note",
            "The team wrote one",
        ],
    )
    .ok();
    // Drop needs its reason; a done action is not dropped afterwards.
    as_(
        &env,
        &db,
        "sam",
        &["appraise", "action", "drop", &shadow.to_string()],
    )
    .code(2);
    as_(
        &env,
        &db,
        "sam",
        &[
            "appraise",
            "action",
            "drop",
            &shadow.to_string(),
            "--note",
            "x",
        ],
    )
    .code(1)
    .stderr_has("already done");
    as_(&env, &db, "sam", &["appraise", "action", "done", "999"])
        .code(1)
        .stderr_has("no development action '999'");
    as_(
        &env,
        &db,
        "sam",
        &["appraise", "action", "list", "--status", "finished"],
    )
    .code(2);

    let list = json(
        &env,
        &db,
        "kim",
        &["appraise", "action", "list", "--cycle", H2],
    );
    assert_eq!(
        status_of(&list, "Shadow a senior account executive"),
        "done"
    );
    assert_eq!(status_of(&list, "Write the objection playbook"), "dropped");
    assert_eq!(status_of(&list, "Take the negotiation course"), "open");
    assert_eq!(status_of(&list, "Read the sales classic"), "open");
    let note = rows(&list, "actions")
        .iter()
        .find(|a| a["id"] == shadow)
        .map(|a| a["note"].clone());
    assert_eq!(note, Some(Value::from("Two calls shadowed")));
    // Peers see none of them.
    let peer = json(
        &env,
        &db,
        "mia",
        &["appraise", "action", "list", "--person", "kim"],
    );
    assert!(rows(&peer, "actions").is_empty(), "{peer}");

    // `checkin due` shows the overdue open one (not the done or dropped ones).
    let due = json(&env, &db, "sam", &["checkin", "due", "--person", "kim"]);
    let overdue: Vec<&str> = rows(&due, "overdue")
        .iter()
        .filter_map(|r| r["what"].as_str())
        .collect();
    assert_eq!(overdue, ["Read the sales classic"], "{due}");
    // Later, the course is overdue too.
    let due = json(
        &env,
        &db,
        "sam",
        &["--today", "2027-03-01", "checkin", "due", "--person", "kim"],
    );
    assert_eq!(rows(&due, "overdue").len(), 2, "{due}");
    // A colleague's `checkin due` does not show kim's actions.
    let due = json(&env, &db, "mia", &["checkin", "due"]);
    assert!(
        rows(&due, "overdue").iter().all(|r| r["subject"] != "kim"),
        "{due}"
    );

    // What the review said stays: no new action in a finalized cycle, and
    // the database itself keeps the text, owner and due date.
    as_(
        &env,
        &db,
        "sam",
        &[
            "appraise",
            "action",
            "add",
            H2,
            "kim",
            "Late",
            "--due",
            "2027-01-01",
        ],
    )
    .code(1)
    .stderr_has("finalized");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let err = conn
        .execute(
            "UPDATE action SET text = 'rewritten' WHERE id = ?1",
            [shadow],
        )
        .unwrap_err();
    assert!(err.to_string().contains("read-only"), "{err}");
    conn.execute(
        "UPDATE action SET due_date = '2030-01-01' WHERE id = ?1",
        [shadow],
    )
    .unwrap_err();
    drop(conn);
    // Undo reverts a follow-up in a finalized cycle.
    as_(&env, &db, "sam", &["undo", "--yes"]).ok();
    let list = json(
        &env,
        &db,
        "sam",
        &["appraise", "action", "list", "--cycle", H2],
    );
    assert_eq!(status_of(&list, "Write the objection playbook"), "open");
}

/// A goal of raj's with a measure, as his plan's expected result.
fn raj_goal(env: &Env, db: &Path) {
    as_(
        env,
        db,
        "sam",
        &[
            "plan",
            "add",
            "Close 4 deals a month",
            "--owner",
            "raj",
            "--key",
            "raj-deals",
            "--due",
            "2027-01-31",
            "--metric",
            "deals",
            "--baseline",
            "1",
            "--target",
            "4",
        ],
    )
    .ok();
}

fn start_pip(env: &Env, db: &Path) -> common::Out {
    as_(
        env,
        db,
        "sam",
        &[
            "pip",
            "start",
            "raj",
            "--until",
            "2027-01-31",
            "--reason",
            "Missed quota three months running",
            "--goal",
            "raj-deals",
            "--checkpoint",
            "2026-12-15",
            "--checkpoint",
            "2027-01-15",
        ],
    )
}

#[test]
fn an_improvement_plan_is_started_followed_closed_and_shown_in_the_packet() {
    let env = Env::new();
    let db = demo(&env);
    raj_goal(&env, &db);
    // Bad input first: nothing written, exit 2.
    let before = std::fs::read(&db).unwrap();
    as_(
        &env,
        &db,
        "sam",
        &[
            "pip",
            "start",
            "raj",
            "--until",
            "2027-01-31",
            "--reason",
            "x",
        ],
    )
    .code(2)
    .stderr_has("--goal");
    as_(
        &env,
        &db,
        "sam",
        &[
            "pip",
            "start",
            "raj",
            "--until",
            "2026-01-31",
            "--reason",
            "x",
            "--goal",
            "raj-deals",
        ],
    )
    .code(2)
    .stderr_has("before it starts");
    as_(
        &env,
        &db,
        "sam",
        &[
            "pip",
            "start",
            "raj",
            "--until",
            "2027-01-31",
            "--reason",
            "x",
            "--goal",
            "raj-deals",
            "--checkpoint",
            "2027-06-01",
        ],
    )
    .code(2)
    .stderr_has("outside the plan");
    // Someone else's goal is not raj's expected result.
    let other = json(&env, &db, "sam", &["plan", "list", "--person", "kim"]);
    let kim_goal = rows(&other, "goals")[0]["key"]
        .as_str()
        .unwrap()
        .to_string();
    as_(
        &env,
        &db,
        "sam",
        &[
            "pip",
            "start",
            "raj",
            "--until",
            "2027-01-31",
            "--reason",
            "x",
            "--goal",
            &kim_goal,
        ],
    )
    .code(2)
    .stderr_has("not raj's");
    // Only managers and admins start a plan: not the subject, not a peer.
    as_(
        &env,
        &db,
        "raj",
        &[
            "pip",
            "start",
            "kim",
            "--until",
            "2027-01-31",
            "--reason",
            "x",
            "--goal",
            &kim_goal,
        ],
    )
    .code(1)
    .stderr_has("not allowed");
    assert_bytes_unchanged(&db, &before, "refused pip start");

    start_pip(&env, &db)
        .ok()
        .stderr_has("Started improvement plan 1 for raj");
    // The subject acknowledges it in their own words; once.
    as_(
        &env,
        &db,
        "raj",
        &[
            "pip",
            "ack",
            "1",
            "--comment",
            "The territory changed in March",
        ],
    )
    .ok()
    .stderr_has("Acknowledged");
    as_(&env, &db, "raj", &["pip", "ack", "1"])
        .ok()
        .stderr_has("already acknowledged");
    as_(&env, &db, "sam", &["pip", "ack", "1"])
        .code(1)
        .stderr_has("not allowed");
    // Check points and the close: managers only.
    as_(
        &env,
        &db,
        "raj",
        &["pip", "checkpoint", "1", "--note", "fine"],
    )
    .code(1)
    .stderr_has("not allowed");
    as_(
        &env,
        &db,
        "sam",
        &[
            "pip",
            "checkpoint",
            "1",
            "--note",
            "Two deals closed so far",
        ],
    )
    .ok();
    as_(
        &env,
        &db,
        "sam",
        &["pip", "close", "1", "--outcome", "extended"],
    )
    .code(2)
    .stderr_has("--until");
    as_(
        &env,
        &db,
        "sam",
        &["pip", "close", "1", "--outcome", "fired"],
    )
    .code(2);
    as_(&env, &db, "sam", &["checkin", "raj-deals", "4"]).ok();
    as_(
        &env,
        &db,
        "sam",
        &[
            "pip",
            "close",
            "1",
            "--outcome",
            "successful",
            "--note",
            "Four deals in January",
        ],
    )
    .ok()
    .stderr_has("Closed improvement plan 1 as successful");
    as_(
        &env,
        &db,
        "sam",
        &["pip", "checkpoint", "1", "--note", "late"],
    )
    .code(1)
    .stderr_has("closed");

    let shown = json(&env, &db, "raj", &["pip", "show", "1"]);
    assert_eq!(shown["plan"]["status"], "successful", "{shown}");
    assert_eq!(shown["plan"]["reason"], "Missed quota three months running");
    assert_eq!(
        shown["plan"]["acknowledgement_comment"],
        "The territory changed in March"
    );
    let steps: Vec<&str> = rows(&shown, "steps")
        .iter()
        .filter_map(|s| s["step"].as_str())
        .collect();
    assert_eq!(
        steps,
        ["started", "acknowledged", "checkpoint", "closed"],
        "{shown}"
    );
    assert_eq!(rows(&shown, "expected_results")[0]["goal"], "raj-deals");
    assert_eq!(rows(&shown, "expected_results")[0]["progress_pct"], 100.0);
    let held: Vec<&Value> = rows(&shown, "checkpoints")
        .iter()
        .filter(|c| !c["held_on"].is_null())
        .collect();
    assert_eq!(held.len(), 1, "{shown}");
    assert_eq!(held[0]["note"], "Two deals closed so far");

    // Confidential: a colleague is told there is no such plan, and lists none.
    as_(&env, &db, "kim", &["pip", "show", "1"])
        .code(1)
        .stderr_has("no improvement plan '1'");
    let theirs = json(&env, &db, "kim", &["pip", "list"]);
    assert!(rows(&theirs, "plans").is_empty(), "{theirs}");
    let admin = json(&env, &db, "dana", &["pip", "list", "--status", "closed"]);
    assert_eq!(rows(&admin, "plans").len(), 1, "{admin}");
    // The log does not tell a colleague whose plan it was.
    let log = as_(&env, &db, "kim", &["log"]);
    log.ok();
    assert!(!log.stdout.contains("for raj"), "{}", log.stdout);

    // The HTML packet shows the plan with its steps, and the actions.
    let html = env.path("raj.html");
    as_(
        &env,
        &db,
        "sam",
        &["report", "person", "raj", "--cycle", H2, "-o", s(&html)],
    )
    .ok();
    let page = std::fs::read_to_string(&html).unwrap();
    for needle in [
        "Improvement plans",
        "Missed quota three months running",
        "Four deals in January",
        "The territory changed in March",
        "Development actions",
    ] {
        assert!(page.contains(needle), "the packet lacks {needle:?}");
    }
    // A colleague's packet of raj has no plan.
    let peer_html = env.path("raj-peer.html");
    as_(
        &env,
        &db,
        "kim",
        &[
            "report",
            "person",
            "raj",
            "--cycle",
            H2,
            "-o",
            s(&peer_html),
        ],
    )
    .ok();
    let page = std::fs::read_to_string(&peer_html).unwrap();
    assert!(
        !page.contains("Missed quota"),
        "a colleague's packet shows the plan"
    );
}

#[test]
fn an_extended_plan_takes_new_check_points_and_a_new_acknowledgement() {
    let env = Env::new();
    let db = demo(&env);
    raj_goal(&env, &db);
    start_pip(&env, &db).ok();
    as_(&env, &db, "raj", &["pip", "ack", "1"]).ok();
    as_(
        &env,
        &db,
        "sam",
        &[
            "pip",
            "close",
            "1",
            "--outcome",
            "successful",
            "--until",
            "2027-03-31",
        ],
    )
    .code(2)
    .stderr_has("--until goes with --outcome extended");
    as_(
        &env,
        &db,
        "sam",
        &[
            "pip",
            "close",
            "1",
            "--outcome",
            "extended",
            "--until",
            "2027-03-31",
            "--checkpoint",
            "2027-03-01",
            "--note",
            "Close, not there",
        ],
    )
    .ok()
    .stderr_has("Extended improvement plan 1 to 2027-03-31");
    let shown = json(&env, &db, "sam", &["pip", "show", "1"]);
    assert_eq!(shown["plan"]["status"], "extended");
    assert_eq!(shown["plan"]["end"], "2027-03-31");
    assert!(shown["plan"]["acknowledged_at"].is_null(), "{shown}");
    assert_eq!(rows(&shown, "checkpoints").len(), 3);
    as_(
        &env,
        &db,
        "raj",
        &["pip", "ack", "1", "--comment", "Agreed"],
    )
    .ok()
    .stderr_has("Acknowledged");
    // A check point past its day shows in `checkin due` for the manager.
    let due = json(
        &env,
        &db,
        "sam",
        &["--today", "2026-12-20", "checkin", "due"],
    );
    assert!(
        rows(&due, "overdue")
            .iter()
            .any(|r| r["kind"] == "check point"
                && r["subject"] == "raj"
                && r["due"] == "2026-12-15"),
        "{due}"
    );
}

/// The first participant of the finalized cycle who has not acknowledged.
fn unacknowledged(env: &Env, db: &Path) -> String {
    let st = json(env, db, "dana", &["appraise", "status", H1]);
    rows(&st, "participants")
        .iter()
        .find(|p| p["acknowledged"] == false)
        .and_then(|p| p["person"].as_str())
        .expect("someone has not acknowledged")
        .to_string()
}

#[test]
fn an_acknowledgement_takes_a_comment_and_a_reopening_voids_it_keeping_the_history() {
    let env = Env::new();
    let db = demo(&env);
    let who = unacknowledged(&env, &db);
    as_(
        &env,
        &db,
        &who,
        &[
            "appraise",
            "ack",
            H1,
            "--comment",
            "I disagree with the collaboration rating",
        ],
    )
    .ok();
    let shown = json(&env, &db, &who, &["appraise", "show", H1, &who]);
    assert_eq!(
        shown["appraisal"]["acknowledgement_comment"],
        "I disagree with the collaboration rating"
    );
    assert!(shown["appraisal"]["acknowledged_at"].is_string());
    // A colleague sees that they acknowledged, not what they said.
    let colleague = if who == "kim" { "mia" } else { "kim" };
    let out = as_(
        &env,
        &db,
        colleague,
        &["appraise", "show", H1, &who, "--format", "json"],
    );
    out.ok();
    assert!(!out.stdout.contains("I disagree"), "{}", out.stdout);

    as_(
        &env,
        &db,
        "dana",
        &[
            "appraise",
            "cycle",
            "reopen",
            H1,
            "--reason",
            "Fix a rating",
        ],
    )
    .ok();
    let shown = json(&env, &db, "dana", &["appraise", "show", H1, &who]);
    assert!(shown["appraisal"]["acknowledged_at"].is_null(), "{shown}");
    let acks = rows(&shown, "acknowledgements");
    assert_eq!(acks.len(), 1, "{shown}");
    assert_eq!(acks[0]["current"], false);
    assert_eq!(
        acks[0]["comment"],
        "I disagree with the collaboration rating"
    );
    assert!(acks[0]["voided_at"].is_string());
    // Not acknowledged again until it is finalized again.
    as_(&env, &db, &who, &["appraise", "ack", H1])
        .code(1)
        .stderr_has("finalized");
    as_(
        &env,
        &db,
        "dana",
        &["appraise", "cycle", "finalize", H1, "--force"],
    )
    .ok();
    as_(
        &env,
        &db,
        &who,
        &["appraise", "ack", H1, "--comment", "Thanks for the fix"],
    )
    .ok()
    .stderr_has("acknowledged the outcome");
    let shown = json(&env, &db, &who, &["appraise", "show", H1, &who]);
    let acks = rows(&shown, "acknowledgements");
    assert_eq!(acks.len(), 2, "{shown}");
    assert_eq!(acks[1]["current"], true);
    assert_eq!(
        shown["appraisal"]["acknowledgement_comment"],
        "Thanks for the fix"
    );
    // Only the subject acknowledges.
    as_(&env, &db, "dana", &["appraise", "ack", H1]).code(1);
}

#[test]
fn recommending_an_improvement_plan_points_at_the_plan_it_opens() {
    let env = Env::new();
    let db = demo(&env);
    raj_goal(&env, &db);
    start_pip(&env, &db).ok();
    calibrating(&env, &db);
    let before = std::fs::read(&db).unwrap();
    as_(
        &env,
        &db,
        "sam",
        &[
            "appraise",
            "outcome",
            H2,
            "raj",
            "--recommend",
            "improvement-plan",
        ],
    )
    .code(2)
    .stderr_has("--pip");
    as_(
        &env,
        &db,
        "sam",
        &[
            "appraise",
            "outcome",
            H2,
            "raj",
            "--recommend",
            "raise",
            "--pip",
            "1",
        ],
    )
    .code(2)
    .stderr_has("--pip goes with --recommend improvement-plan");
    as_(
        &env,
        &db,
        "sam",
        &[
            "appraise",
            "outcome",
            H2,
            "kim",
            "--recommend",
            "improvement-plan",
            "--pip",
            "1",
        ],
    )
    .code(1)
    .stderr_has("raj's, not kim's");
    as_(
        &env,
        &db,
        "sam",
        &[
            "appraise",
            "outcome",
            H2,
            "raj",
            "--recommend",
            "improvement-plan",
            "--pip",
            "7",
        ],
    )
    .code(1);
    assert_bytes_unchanged(&db, &before, "refused outcomes");
    as_(
        &env,
        &db,
        "sam",
        &[
            "appraise",
            "outcome",
            H2,
            "raj",
            "--recommend",
            "improvement-plan",
            "--pip",
            "1",
        ],
    )
    .ok();
    let shown = json(&env, &db, "sam", &["appraise", "show", H2, "raj"]);
    assert_eq!(shown["appraisal"]["recommendation"], "improvement-plan");
    assert_eq!(shown["appraisal"]["improvement_plan"], 1);
    // Another recommendation drops the link.
    as_(
        &env,
        &db,
        "sam",
        &["appraise", "outcome", H2, "raj", "--recommend", "none"],
    )
    .ok();
    let shown = json(&env, &db, "sam", &["appraise", "show", H2, "raj"]);
    assert!(shown["appraisal"]["improvement_plan"].is_null(), "{shown}");
}

#[test]
fn a_version_5_file_keeps_its_actions_as_open_ones_and_its_acknowledgements_as_current() {
    let env = Env::new();
    let db = env.path("old.db");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/schema-v5.db"),
        &db,
    )
    .unwrap();
    // The first write upgrades the file.
    env.on(&db, &["people", "add", "newcomer", "--name", "New Comer"])
        .ok();
    let list = json(&env, &db, "dana", &["appraise", "action", "list"]);
    let actions = rows(&list, "actions");
    assert!(!actions.is_empty());
    for a in actions {
        assert_eq!(a["status"], "open", "{a}");
        assert_eq!(a["owner"], a["subject"], "{a}");
        assert!(a["due"].is_string(), "{a}");
    }
    let st = json(&env, &db, "dana", &["appraise", "status", H1]);
    let acked: Vec<&str> = rows(&st, "participants")
        .iter()
        .filter(|p| p["acknowledged"] == true)
        .filter_map(|p| p["person"].as_str())
        .collect();
    assert!(!acked.is_empty());
    for who in acked {
        let shown = json(&env, &db, "dana", &["appraise", "show", H1, who]);
        let acks = rows(&shown, "acknowledgements");
        assert_eq!(acks.len(), 1, "{shown}");
        assert_eq!(acks[0]["current"], true);
        assert_eq!(acks[0]["at"], shown["appraisal"]["acknowledged_at"]);
    }
}

#[test]
fn an_import_takes_the_follow_up_of_an_action_into_a_finalized_cycle_but_not_a_rewrite() {
    let env = Env::new();
    let db = demo(&env);
    calibrating(&env, &db);
    as_(
        &env,
        &db,
        "sam",
        &[
            "appraise",
            "action",
            "add",
            H2,
            "kim",
            "Shadow a call",
            "--due",
            "2026-11-01",
        ],
    )
    .ok();
    as_(
        &env,
        &db,
        "dana",
        &["appraise", "cycle", "finalize", H2, "--force"],
    )
    .ok();
    // Kim's copy: the action marked done a day later, exported as kim.
    let copy = env.path("kim.db");
    std::fs::copy(&db, &copy).unwrap();
    let list = json(
        &env,
        &copy,
        "kim",
        &["appraise", "action", "list", "--cycle", H2],
    );
    let id = action_id(&list, "Shadow a call").to_string();
    let later = ["--today", "2026-11-23"];
    as_(
        &env,
        &copy,
        "kim",
        &[
            &later[..],
            &["appraise", "action", "done", &id, "--note", "Done it"],
        ]
        .concat(),
    )
    .ok();
    let file = env.path("kim.json");
    as_(
        &env,
        &copy,
        "kim",
        &[&later[..], &["export", "-o", s(&file)]].concat(),
    )
    .ok();
    // A file that also rewrites what the review said is refused whole.
    let text = std::fs::read_to_string(&file).unwrap();
    let forged = text
        .replace("\"text\":\"Shadow a call\"", "\"text\":\"Nothing to do\"")
        .replace("\"note\":\"Done it\"", "\"note\":\"Done it!\"");
    assert_ne!(forged, text);
    let bad = env.path("forged.json");
    std::fs::write(&bad, forged).unwrap();
    let before = std::fs::read(&db).unwrap();
    env.on(&db, &["--today", "2026-11-25", "import", s(&bad)])
        .code(2)
        .stderr_has("finalized here and read-only");
    assert_bytes_unchanged(&db, &before, "refused import");
    // The follow-up goes in.
    env.on(&db, &["--today", "2026-11-23", "import", s(&file)])
        .ok();
    let list = json(
        &env,
        &db,
        "sam",
        &["appraise", "action", "list", "--cycle", H2],
    );
    assert_eq!(status_of(&list, "Shadow a call"), "done");
}

//! The confidentiality matrix: one seeded review cycle in which every
//! confidential text carries a unique marker, and for every read command ×
//! every output format × each viewer (the subject, their manager, a
//! skip-level manager, a peer reviewer, an unrelated colleague, an admin),
//! the exact set of markers that may appear. It runs twice: while the cycle
//! is calibrating (reviews closed, nothing released) and once it is
//! finalized (released to the subject).
//!
//! Every command of the binary is classified below: a read command is in
//! the matrix, anything else is named as a write or as showing no data. A
//! command added without a place here fails
//! `every_command_is_in_the_matrix_or_named_as_not_reading_data`; a format
//! added to `Format::ALL` runs through the whole matrix by itself.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
#[path = "support/pg.rs"]
mod pg;

use clap::CommandFactory;
use common::{Env, Out, s};
use std::collections::BTreeSet;
use std::process::Stdio;

/// Where the matrix runs: a file, where `--as` says who is acting, or a
/// team server, where each person connects as their own login.
enum Target {
    File(std::path::PathBuf),
    Server(String),
}

/// The password of a person's login in the test cluster.
fn password(who: &str) -> String {
    format!("pw-{who}-secret")
}

impl Target {
    fn db(&self) -> &str {
        match self {
            Target::File(p) => s(p),
            Target::Server(u) => u,
        }
    }

    /// `--db` and who is acting: `--as` on a file; on a server the login
    /// (the admin is the cluster's own user, who ran `server init`).
    fn identity(&self, who: &str) -> (Vec<String>, Vec<(String, String)>) {
        let mut args = vec!["--db".to_string(), self.db().to_string()];
        let mut vars = Vec::new();
        match self {
            Target::File(_) => args.extend(["--as".to_string(), who.to_string()]),
            Target::Server(_) if who == "ada" => {}
            Target::Server(_) => {
                vars.push(("PGUSER".to_string(), who.to_string()));
                vars.push(("PGPASSWORD".to_string(), password(who)));
            }
        }
        (args, vars)
    }

    fn command(&self, env: &Env, who: &str) -> std::process::Command {
        let (args, vars) = self.identity(who);
        let mut cmd = env.std_command();
        cmd.args(args);
        for (k, v) in vars {
            cmd.env(k, v);
        }
        cmd
    }

    fn run(&self, env: &Env, who: &str, rest: &[&str]) -> Out {
        let (args, vars) = self.identity(who);
        let mut all: Vec<&str> = args.iter().map(String::as_str).collect();
        all.extend_from_slice(rest);
        let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        env.run_env(&vars, &all)
    }
}
use yardstick::render::Format;

const CYCLE: &str = "H2";

/// The markers, each in exactly one confidential text.
const SELF: &str = "MK-SELF-REVIEW";
const MGR: &str = "MK-MANAGER-REVIEW";
const PEER: [&str; 3] = ["MK-PEER-ONE", "MK-PEER-TWO", "MK-PEER-THREE"];
const PEER_DRAFT: &str = "MK-PEER-DRAFT";
const MGR_DRAFT: &str = "MK-MANAGER-DRAFT";
const PRIVATE: &str = "MK-PRIVATE-FEEDBACK";
const SHARED: &str = "MK-SHARED-FEEDBACK";
const CALIBRATION: &str = "MK-CALIBRATION-REASON";
const ACTION: &str = "MK-DEVELOPMENT-ACTION";
const PIP_REASON: &str = "MK-PIP-REASON";
const PIP_CHECKPOINT: &str = "MK-PIP-CHECKPOINT";
const PIP_ACK: &str = "MK-PIP-ACK";
const ACK_COMMENT: &str = "MK-ACK-COMMENT";

fn all_markers() -> Vec<&'static str> {
    let mut v = vec![
        SELF,
        MGR,
        PEER_DRAFT,
        MGR_DRAFT,
        PRIVATE,
        SHARED,
        CALIBRATION,
        ACTION,
        PIP_REASON,
        PIP_CHECKPOINT,
        PIP_ACK,
        ACK_COMMENT,
    ];
    v.extend(PEER);
    v
}

/// An improvement plan's texts: its subject, their managers and admins.
const PIP: [&str; 3] = [PIP_REASON, PIP_CHECKPOINT, PIP_ACK];

/// The viewers: (name, `--as` handle).
const VIEWERS: [(&str, &str); 6] = [
    ("subject", "sub"),
    ("manager", "mo"),
    ("skip-level manager", "sk"),
    ("peer", "p1"),
    ("unrelated colleague", "un"),
    ("admin", "ada"),
];

/// The markers a viewer may see, by the table in docs/security.md.
fn allowed(viewer: &str, released: bool) -> BTreeSet<&'static str> {
    let mut v: Vec<&str> = vec![SHARED];
    match viewer {
        // Their own self review; the manager's once both are submitted;
        // peer comments without names, the calibration and the outcome only
        // once the cycle is finalized. Never the private feedback about them.
        "sub" => {
            v.extend([SELF, MGR]);
            v.extend(PIP);
            if released {
                v.extend(PEER);
                v.extend([CALIBRATION, ACTION, ACK_COMMENT]);
            }
        }
        // Managers: both reviews (both submitted), peer comments without
        // names (reviews closed, threshold met), private feedback,
        // calibration and outcome. The manager's own draft of another
        // review is theirs.
        "mo" => {
            v.extend([SELF, MGR, PRIVATE, CALIBRATION, ACTION, MGR_DRAFT]);
            v.extend(PEER);
            v.extend(PIP);
        }
        "sk" => {
            v.extend([SELF, MGR, PRIVATE, CALIBRATION, ACTION]);
            v.extend(PEER);
            v.extend(PIP);
        }
        // A peer sees the review they wrote.
        "p1" => v.push(PEER[0]),
        // The author of the private feedback.
        "un" => v.push(PRIVATE),
        // An admin sees everything but other people's drafts.
        "ada" => {
            v.extend([SELF, MGR, PRIVATE, CALIBRATION, ACTION]);
            v.extend(PEER);
            v.extend(PIP);
        }
        other => panic!("unknown viewer {other}"),
    }
    // The subject's acknowledgement comment: theirs, their managers', admins'.
    if released && matches!(viewer, "mo" | "sk" | "ada") {
        v.push(ACK_COMMENT);
    }
    v.into_iter().collect()
}

/// The read commands of the matrix: every command that shows data.
fn read_commands() -> Vec<Vec<&'static str>> {
    vec![
        vec!["people", "list"],
        vec!["people", "show", "sub"],
        vec!["team", "list"],
        vec!["team", "show", "core"],
        vec!["team", "tree"],
        vec!["period", "list"],
        vec!["plan", "list"],
        vec!["plan", "show", "sub-goal"],
        vec!["plan", "tree"],
        vec!["plan", "export"],
        vec!["checkin", "list"],
        vec!["checkin", "due"],
        vec!["feedback", "list"],
        vec!["feedback", "list", "--to", "sub"],
        vec!["feedback", "list", "--include-private"],
        vec!["appraise", "cycle", "list"],
        vec!["appraise", "cycle", "show", CYCLE],
        vec!["appraise", "status", CYCLE],
        vec!["appraise", "show", CYCLE, "sub"],
        vec!["appraise", "explain", CYCLE, "sub"],
        vec!["appraise", "action", "list"],
        vec!["pip", "list"],
        vec!["pip", "show", "1"],
        vec!["report"],
        vec!["report", "goals"],
        vec!["report", "gaps"],
        vec!["report", "team"],
        vec!["report", "trend", "sub-goal"],
        vec!["report", "explain", "sub-goal"],
        vec!["report", "checkins"],
        vec!["report", "cycle", CYCLE],
        vec!["report", "person", "sub", "--cycle", CYCLE],
        vec![
            "report",
            "person",
            "sub",
            "--cycle",
            CYCLE,
            "--include-private",
        ],
        vec!["report", "effectiveness"],
        vec!["export"],
        vec!["export", "--include-private"],
        vec!["export", "--person", "sub", "--include-private"],
        vec!["log"],
        vec!["__values", "handles"],
        vec!["__values", "teams"],
        vec!["__values", "goals"],
        vec!["__values", "cycles"],
        vec!["config", "show"],
        vec!["doctor"],
    ]
}

/// Commands that write, or show no data from the file, by their path.
const NOT_READS: &[&str] = &[
    "init",
    "demo",
    "people add",
    "people edit",
    "people rm",
    "team add",
    "team edit",
    "team rm",
    "period add",
    "period rm",
    "plan add",
    "plan measure",
    "plan edit",
    "plan close",
    "plan reopen",
    "plan rm",
    "plan carry",
    "plan apply",
    "checkin",
    "checkin edit",
    "checkin rm",
    "feedback give",
    "feedback rm",
    "appraise cycle new",
    "appraise cycle open",
    "appraise cycle calibrate",
    "appraise cycle finalize",
    "appraise cycle reopen",
    "appraise review",
    "appraise peers",
    "appraise calibrate",
    "appraise outcome",
    "appraise ack",
    "appraise action add",
    "appraise action done",
    "appraise action drop",
    "pip start",
    "pip checkpoint",
    "pip close",
    "pip ack",
    "completions",
    "man",
    "help",
    "import",
    "undo",
    "backup",
    // The team server's set-up: logins and policies, no confidential data.
    "server init",
    "server status",
    "server grant",
    "server revoke",
];

/// Every command path of the binary: leaves, and parents that run on their own.
fn command_paths() -> BTreeSet<String> {
    fn walk(cmd: &clap::Command, prefix: &str, out: &mut BTreeSet<String>) {
        for sub in cmd.get_subcommands() {
            let path = if prefix.is_empty() {
                sub.get_name().to_string()
            } else {
                format!("{prefix} {}", sub.get_name())
            };
            let has_subs = sub.get_subcommands().next().is_some();
            if !has_subs || !sub.is_subcommand_required_set() {
                out.insert(path.clone());
            }
            walk(sub, &path, out);
        }
    }
    let mut out = BTreeSet::new();
    walk(&yardstick::cli::Cli::command(), "", &mut out);
    out
}

#[test]
fn every_command_is_in_the_matrix_or_named_as_not_reading_data() {
    let paths = command_paths();
    // A read command's path: the longest run of its first words that names a command.
    let reads: BTreeSet<String> = read_commands()
        .iter()
        .filter_map(|c| {
            (1..=c.len())
                .rev()
                .map(|n| c[..n].join(" "))
                .find(|p| paths.contains(p))
        })
        .collect();
    let named: BTreeSet<String> = NOT_READS.iter().map(|s| s.to_string()).collect();
    let mut missing = Vec::new();
    for path in command_paths() {
        if !reads.contains(&path) && !named.contains(&path) {
            missing.push(path);
        }
    }
    assert!(
        missing.is_empty(),
        "commands in neither the confidentiality matrix nor the list of writes: {missing:?}"
    );
    for n in &named {
        assert!(
            command_paths().contains(n),
            "NOT_READS names a command that does not exist: {n}"
        );
    }
}

/// Run `yardstick --as WHO …` for many argument lists at once (a few at a
/// time), returning (args, exit code, stdout + stderr) for each.
fn run_all(env: &Env, db: &Target, who: &str, runs: &[Vec<String>]) -> Vec<(String, i32, String)> {
    let mut out = Vec::new();
    for chunk in runs.chunks(4) {
        let children: Vec<_> = chunk
            .iter()
            .map(|args| {
                let mut cmd = db.command(env, who);
                cmd.args(args).stdout(Stdio::piped()).stderr(Stdio::piped());
                (args.join(" "), cmd.spawn().expect("spawn yardstick"))
            })
            .collect();
        for (line, child) in children {
            let o = child.wait_with_output().expect("wait");
            out.push((
                line,
                o.status.code().unwrap_or(-1),
                format!(
                    "{}{}",
                    String::from_utf8_lossy(&o.stdout),
                    String::from_utf8_lossy(&o.stderr)
                ),
            ));
        }
    }
    out
}

/// Every read command in every format, as `who`: no marker outside the
/// allowed set ever appears, and every allowed marker appears somewhere.
fn check_viewer(env: &Env, db: &Target, viewer: &str, who: &str, released: bool) {
    let allowed = allowed(who, released);
    let mut runs = Vec::new();
    for cmd in read_commands() {
        for f in Format::ALL {
            let mut args: Vec<String> = cmd.iter().map(|w| w.to_string()).collect();
            args.extend(["--format".to_string(), f.name().to_string()]);
            runs.push(args);
        }
    }
    let mut seen = BTreeSet::new();
    for (line, code, text) in run_all(env, db, who, &runs) {
        // A format a command does not write is refused (exit 2) up front.
        let skipped =
            code == 2 && (text.contains("does not write") || text.contains("does not apply"));
        // A plan the viewer may not see is not found (its existence is
        // confidential too).
        let hidden =
            code == 1 && line.starts_with("pip show") && text.contains("no improvement plan");
        assert!(
            code == 0 || skipped || hidden,
            "`--as {who} {line}` ({viewer}) exited {code}:\n{text}"
        );
        for m in all_markers() {
            if text.contains(m) {
                assert!(
                    allowed.contains(m),
                    "`--as {who} {line}` shows {m} to the {viewer}{}:\n{text}",
                    if released { " (finalized)" } else { "" }
                );
                seen.insert(m);
            }
        }
    }
    assert_eq!(
        seen, allowed,
        "the {viewer} should see exactly these markers across the read commands"
    );
}

/// The people of the seeded organisation, besides the admin.
const PEOPLE: [&str; 9] = ["sk", "mo", "sub", "other", "p1", "p2", "p3", "p4", "un"];

/// The seeded cycle in a file: returns the environment and the database.
fn seeded() -> (Env, Target) {
    let env = Env::new();
    let db = Target::File(env.db());
    seed(&env, &db, None);
    (env, db)
}

/// The same cycle on a team server, each person writing as their own
/// login; `None` (skipped) without a server.
fn seeded_on_server(test: &str) -> Option<(Env, Target, pg::PgServer)> {
    let mut server = pg::server(test)?;
    let url = server.fresh_db();
    let env = Env::new();
    let db = Target::Server(url);
    seed(&env, &db, Some(&server));
    Some((env, db, server))
}

fn seed(env: &Env, db: &Target, server: Option<&pg::PgServer>) {
    let plan = env.path("org.toml");
    std::fs::write(
        &plan,
        r#"
[[team]]
handle = "core"
name = "Core"
lead = "sk"

[[person]]
handle = "sk"
name = "Skip Level"
team = "core"

[[person]]
handle = "mo"
name = "Manager Mo"
manager = "sk"
team = "core"

[[person]]
handle = "sub"
name = "Subject Sue"
manager = "mo"
team = "core"

[[person]]
handle = "other"
name = "Other Report"
manager = "mo"
team = "core"

[[person]]
handle = "p1"
name = "Peer One"
manager = "sk"

[[person]]
handle = "p2"
name = "Peer Two"
manager = "sk"

[[person]]
handle = "p3"
name = "Peer Three"
manager = "sk"

[[person]]
handle = "p4"
name = "Peer Four"
manager = "sk"

[[person]]
handle = "un"
name = "Unrelated Una"
manager = "sk"

[[goal]]
key = "sub-goal"
title = "Ship the thing"
owner = "sub"
period = "2026-H2"

[[goal.measure]]
name = "things"
baseline = 0
target = 10
"#,
    )
    .unwrap();
    let run = |who: &str, args: &[&str]| {
        db.run(env, who, args).ok();
    };
    match (db, server) {
        (Target::Server(url), Some(server)) => {
            env.run(&["server", "init", url, "--me", "ada", "--name", "Ada Admin"])
                .ok();
            run("ada", &["plan", "apply", s(&plan)]);
            for who in PEOPLE {
                run("ada", &["server", "grant", who]);
                // Role names here are the test's own constants.
                server.run_in(
                    url,
                    &format!("ALTER ROLE {who} PASSWORD '{}'", password(who)),
                );
            }
        }
        _ => {
            env.run(&[
                "init",
                "--db",
                db.db(),
                "--me",
                "ada",
                "--name",
                "Ada Admin",
            ])
            .ok();
            run("ada", &["plan", "apply", s(&plan)]);
        }
    }
    run("sub", &["checkin", "sub-goal", "4"]);
    run(
        "p1",
        &["feedback", "give", "sub", &format!("Great demo {SHARED}")],
    );
    run(
        "un",
        &[
            "feedback",
            "give",
            "sub",
            &format!("Misses deadlines {PRIVATE}"),
            "--private",
        ],
    );
    run(
        "ada",
        &[
            "appraise", "cycle", "new", CYCLE, "--period", "2026-H2", "--person", "sub",
            "--person", "other",
        ],
    );
    run("ada", &["appraise", "cycle", "open", CYCLE]);
    // An admin nominates (whoever nominates knows whom they named).
    run(
        "ada",
        &[
            "appraise", "peers", CYCLE, "sub", "--add", "p1", "p2", "p3", "p4",
        ],
    );
    let review = |who: &str, kind: &str, text: &str, submit: bool| {
        let comment = format!("collaboration={text}");
        let mut args = vec![
            "appraise",
            "review",
            CYCLE,
            "sub",
            "--kind",
            kind,
            "--rate",
            "collaboration=4",
            "--comment",
            &comment,
        ];
        if submit {
            args.push("--submit");
        }
        run(who, &args);
    };
    review("sub", "self", SELF, true);
    review("mo", "manager", MGR, true);
    for (p, text) in ["p1", "p2", "p3"].iter().zip(PEER) {
        review(p, "peer", text, true);
    }
    review("p4", "peer", PEER_DRAFT, false);
    // The manager's draft of another report's review: theirs alone.
    run(
        "mo",
        &[
            "appraise",
            "review",
            CYCLE,
            "other",
            "--kind",
            "manager",
            "--rate",
            "collaboration=3",
            "--comment",
            &format!("collaboration={MGR_DRAFT}"),
        ],
    );
    run(
        "other",
        &[
            "appraise",
            "review",
            CYCLE,
            "other",
            "--kind",
            "self",
            "--rate",
            "collaboration=3",
            "--submit",
        ],
    );
    run("ada", &["appraise", "cycle", "calibrate", CYCLE, "--force"]);
    run(
        "mo",
        &[
            "appraise",
            "calibrate",
            CYCLE,
            "sub",
            "--level",
            "3",
            "--reason",
            CALIBRATION,
        ],
    );
    run(
        "mo",
        &[
            "appraise",
            "outcome",
            CYCLE,
            "sub",
            "--recommend",
            "raise",
            "--action",
            ACTION,
            "--due",
            "2026-11-01",
        ],
    );
    // An improvement plan of the subject, with a check point held and the
    // subject's acknowledgement.
    run(
        "mo",
        &[
            "pip",
            "start",
            "sub",
            "--until",
            "2027-01-31",
            "--reason",
            PIP_REASON,
            "--goal",
            "sub-goal",
            "--checkpoint",
            "2026-12-15",
        ],
    );
    run("mo", &["pip", "checkpoint", "1", "--note", PIP_CHECKPOINT]);
    run("sub", &["pip", "ack", "1", "--comment", PIP_ACK]);
}

/// Finalize the cycle and have the subject acknowledge it in their words.
fn finalize(env: &Env, db: &Target) {
    db.run(
        env,
        "ada",
        &["appraise", "cycle", "finalize", CYCLE, "--force"],
    )
    .ok();
    db.run(
        env,
        "sub",
        &["appraise", "ack", CYCLE, "--comment", ACK_COMMENT],
    )
    .ok();
}

#[test]
fn each_viewer_sees_exactly_what_the_policy_allows_in_every_command_and_format() {
    let (env, db) = seeded();
    for (viewer, who) in VIEWERS {
        check_viewer(&env, &db, viewer, who, false);
    }
    finalize(&env, &db);
    for (viewer, who) in VIEWERS {
        check_viewer(&env, &db, viewer, who, true);
    }
}

/// The same matrix on a team server: each viewer connects as their own
/// login (row-level security on), and sees exactly the same markers.
#[test]
fn each_viewer_sees_exactly_what_the_policy_allows_on_a_team_server() {
    let Some((env, db, _server)) =
        seeded_on_server("each_viewer_sees_exactly_what_the_policy_allows_on_a_team_server")
    else {
        return;
    };
    for (viewer, who) in VIEWERS {
        check_viewer(&env, &db, viewer, who, false);
    }
    finalize(&env, &db);
    for (viewer, who) in VIEWERS {
        check_viewer(&env, &db, viewer, who, true);
    }
}

#[test]
fn peer_reviewers_are_named_to_no_one_but_their_author_and_admins() {
    let (env, db) = seeded();
    db.run(
        &env,
        "ada",
        &["appraise", "cycle", "finalize", CYCLE, "--force"],
    )
    .ok();
    // Peer handles appear in people lists, so look where reviews are shown.
    for (viewer, who) in VIEWERS {
        for cmd in [
            vec!["appraise", "show", CYCLE, "sub"],
            vec!["report", "person", "sub", "--cycle", CYCLE],
            vec!["log"],
        ] {
            for f in Format::ALL {
                let mut args: Vec<&str> = cmd.to_vec();
                args.extend(["--format", f.name()]);
                let out = db.run(&env, who, &args);
                out.ok();
                let text = format!("{}{}", out.stdout, out.stderr);
                for p in ["p2", "p3", "Peer Two", "Peer Three"] {
                    let named = text.split(|c: char| !c.is_alphanumeric()).any(|w| w == p)
                        || text.contains(p) && p.contains(' ');
                    let may = who == "ada" && cmd[0] != "report";
                    assert!(
                        !named || may,
                        "`{}` names peer reviewer {p} to the {viewer}:\n{text}",
                        out.line
                    );
                }
            }
        }
    }
}

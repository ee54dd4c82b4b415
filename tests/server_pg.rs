//! The team server's trust model against a real PostgreSQL (issue 16):
//! `server init`, grants and logins through the binary; `--as` and
//! unmapped logins refused; `doctor` on a server; raw SQL as a member over
//! every table and view the member group can reach; 8 logins × 500
//! concurrent check-ins.
//!
//! Runs whenever the PG* variables reach a server (`pg_virtualenv cargo
//! test --test server_pg`); otherwise each test says SKIPPED.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
#[path = "support/pg.rs"]
mod pg;

use common::{Env, Out, s};

fn password(who: &str) -> String {
    format!("pw-{who}-secret")
}

/// A team server with an organisation: ada (admin, the cluster's own
/// user), mo managing sub, peers p1–p4, un; every one but ada with a login
/// and a password.
struct Org {
    env: Env,
    url: String,
    server: pg::PgServer,
}

impl Org {
    fn new(test: &str) -> Option<Org> {
        let mut server = pg::server(test)?;
        let url = server.fresh_db();
        let env = Env::new();
        let plan = env.path("org.toml");
        std::fs::write(
            &plan,
            r#"
[[person]]
handle = "mo"
name = "Manager Mo"

[[person]]
handle = "sub"
name = "Subject Sue"
manager = "mo"

[[person]]
handle = "p1"
name = "Peer One"

[[person]]
handle = "p2"
name = "Peer Two"

[[person]]
handle = "p3"
name = "Peer Three"

[[person]]
handle = "p4"
name = "Peer Four"

[[person]]
handle = "un"
name = "Unrelated Una"

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
        let org = Org { env, url, server };
        org.env
            .run(&[
                "server",
                "init",
                &org.url,
                "--me",
                "ada",
                "--name",
                "Ada Admin",
            ])
            .ok()
            .stderr_has("as a team server");
        org.admin(&["plan", "apply", s(&plan)]).ok();
        for who in ["mo", "sub", "p1", "p2", "p3", "p4", "un"] {
            org.grant(who);
        }
        Some(org)
    }

    fn grant(&self, who: &str) {
        self.admin(&["server", "grant", who]).ok();
        // The role names are this test's constants.
        self.server.run_in(
            &self.url,
            &format!("ALTER ROLE {who} PASSWORD '{}'", password(who)),
        );
    }

    fn admin(&self, args: &[&str]) -> Out {
        let mut all = vec!["--db", self.url.as_str()];
        all.extend_from_slice(args);
        self.env.run(&all)
    }

    fn member(&self, who: &str, args: &[&str]) -> Out {
        let mut all = vec!["--db", self.url.as_str()];
        all.extend_from_slice(args);
        let pw = password(who);
        self.env
            .run_env(&[("PGUSER", who), ("PGPASSWORD", pw.as_str())], &all)
    }

    /// A raw connection as `who` (the `postgres` crate, as psql would).
    fn connect(&self, who: &str) -> postgres::Client {
        let db = self.url.trim_start_matches("postgres:///");
        let url = format!("postgres://{who}:{}@/{db}", password(who));
        let t = yardstick::store::postgres::connect::resolve(&url).unwrap();
        yardstick::store::postgres::connect::connect(&t).unwrap()
    }

    /// The seeded review cycle: private feedback about sub, a cycle with
    /// sub's self review submitted, three peer reviews submitted, one peer
    /// draft and the manager's draft.
    fn seed_cycle(&self) {
        self.member("sub", &["checkin", "sub-goal", "4"]).ok();
        self.member(
            "un",
            &[
                "feedback",
                "give",
                "sub",
                "MK-PRIVATE about sub",
                "--private",
            ],
        )
        .ok();
        self.member("p1", &["feedback", "give", "sub", "MK-SHARED praise"])
            .ok();
        self.admin(&[
            "appraise", "cycle", "new", "H2", "--period", "2026-H2", "--person", "sub",
        ])
        .ok();
        self.admin(&["appraise", "cycle", "open", "H2"]).ok();
        self.admin(&[
            "appraise", "peers", "H2", "sub", "--add", "p1", "p2", "p3", "p4",
        ])
        .ok();
        let review = |who: &str, kind: &str, text: &str, submit: bool| {
            let comment = format!("collaboration={text}");
            let mut args = vec![
                "appraise",
                "review",
                "H2",
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
            self.member(who, &args).ok();
        };
        review("sub", "self", "MK-SELF", true);
        review("mo", "manager", "MK-MANAGER-DRAFT", false);
        for (p, text) in [
            ("p1", "MK-PEER-1"),
            ("p2", "MK-PEER-2"),
            ("p3", "MK-PEER-3"),
        ] {
            review(p, "peer", text, true);
        }
        review("p4", "peer", "MK-PEER-DRAFT", false);
    }
}

#[test]
fn a_member_works_as_their_login_and_nothing_else() {
    let Some(org) = Org::new("a_member_works_as_their_login_and_nothing_else") else {
        return;
    };
    // Idempotent: a second init changes nothing and says so.
    org.env
        .run(&["server", "init", &org.url])
        .ok()
        .stderr_has("Checked");
    // A member checks in and reads reports as themselves.
    org.member("sub", &["checkin", "sub-goal", "4", "--note", "first"])
        .ok();
    org.member("sub", &["report", "goals"])
        .ok()
        .stdout_has("sub-goal");
    org.member("sub", &["log"]).ok().stdout_has("sub\tcheckin");
    // … but not on someone else's goal (the app refuses first).
    org.member("un", &["checkin", "sub-goal", "9"])
        .code(1)
        .stderr_has("not allowed");
    // --as and YARDSTICK_USER: refused on a server, exit 2.
    org.member("sub", &["--as", "mo", "report", "goals"])
        .code(2)
        .stderr_has("on a team server you act as your login's person");
    let pw = password("sub");
    org.env
        .run_env(
            &[
                ("PGUSER", "sub"),
                ("PGPASSWORD", pw.as_str()),
                ("YARDSTICK_USER", "mo"),
            ],
            &["--db", &org.url, "checkin", "list"],
        )
        .code(2);
    // An unmapped login: exit 1, with what to do.
    org.server.run_in(
        &org.url,
        &format!(
            "CREATE ROLE stranger LOGIN PASSWORD '{}'; GRANT yardstick_member TO stranger",
            password("stranger")
        ),
    );
    org.member("stranger", &["people", "list"])
        .code(1)
        .stderr_has("the login stranger is not mapped to a person")
        .stderr_has("server grant");
    // Only admins map logins.
    org.member("sub", &["server", "grant", "un", "--admin"])
        .code(1)
        .stderr_has("not an admin");
    // Bad role names never reach SQL: exit 2.
    org.admin(&[
        "server",
        "grant",
        "un",
        "--role",
        "Robert\"; DROP TABLE op; --",
    ])
    .code(2)
    .stderr_has("not a valid login name");
    org.admin(&["server", "grant", "nobody-here"]).code(1);
    // Status: schema, RLS on every table, the logins.
    let st = org.admin(&["server", "status", "--format", "json"]);
    st.ok();
    let j = st.json();
    let text = j.to_string();
    assert!(text.contains("\"rls_on_every_table\":true"), "{text}");
    assert!(text.contains("\"schema_version\":9"), "{text}");
    for who in ["ada", "mo", "sub", "p1", "un"] {
        assert!(
            text.contains(&format!("\"person\":\"{who}\"")),
            "{who}: {text}"
        );
    }
    // Revoke: the login no longer works; the last admin cannot be revoked.
    org.admin(&["server", "revoke", "un"]).ok();
    org.member("un", &["people", "list"])
        .code(1)
        .stderr_has("not mapped");
    org.admin(&["server", "revoke", "ada"])
        .code(1)
        .stderr_has("without an admin");
    // doctor: healthy, then a table whose RLS was switched off.
    org.admin(&["doctor"]).ok();
    org.server.run_in(
        &org.url,
        "ALTER TABLE feedback NO FORCE ROW LEVEL SECURITY; DROP POLICY member_read ON review",
    );
    org.admin(&["doctor"])
        .code(1)
        .stderr_has("row-level security is not forced on table feedback");
    // undo: one's own last operation, as oneself.
    org.member("sub", &["--yes", "undo"])
        .ok()
        .stderr_has("Undid operation");
}

/// Every table and view the member group may SELECT from, by the catalog
/// (a new table is covered without changing this test).
fn reachable(c: &mut postgres::Client) -> Vec<String> {
    c.query(
        "SELECT DISTINCT table_name::text FROM information_schema.role_table_grants \
         WHERE table_schema = current_schema() AND privilege_type = 'SELECT' \
         AND grantee IN ('yardstick_member', current_user) ORDER BY 1",
        &[],
    )
    .unwrap()
    .iter()
    .map(|r| r.get(0))
    .collect()
}

/// Every row of every reachable table and view, as JSON text.
fn everything(c: &mut postgres::Client) -> Vec<(String, serde_json::Value)> {
    let mut out = Vec::new();
    let tables = reachable(c);
    assert!(tables.len() >= 28, "the member reaches {tables:?}");
    for t in tables {
        // The name comes from the catalog: quoted as an identifier.
        let q = format!("\"{}\"", t.replace('"', "\"\""));
        for row in c
            .query(&format!("SELECT row_to_json(x)::text FROM {q} x"), &[])
            .unwrap()
        {
            let text: String = row.get(0);
            out.push((t.clone(), serde_json::from_str(&text).unwrap()));
        }
    }
    out
}

fn person_id(c: &mut postgres::Client, handle: &str) -> i64 {
    c.query_one("SELECT id FROM person WHERE handle = $1", &[&handle])
        .unwrap()
        .get(0)
}

fn texts(rows: &[(String, serde_json::Value)]) -> String {
    rows.iter()
        .map(|(t, r)| format!("{t}: {r}\n"))
        .collect::<String>()
}

#[test]
fn raw_sql_as_a_member_reads_and_changes_only_what_the_policy_allows() {
    let Some(org) = Org::new("raw_sql_as_a_member_reads_and_changes_only_what_the_policy_allows")
    else {
        return;
    };
    org.seed_cycle();
    let mut sub = org.connect("sub");
    let peers: Vec<i64> = ["p1", "p2", "p3", "p4"]
        .iter()
        .map(|p| person_id(&mut sub, p))
        .collect();
    let sub_id = person_id(&mut sub, "sub");
    let check_subject = |c: &mut postgres::Client, released: bool| {
        let rows = everything(c);
        let all = texts(&rows);
        for m in ["MK-PRIVATE", "MK-MANAGER-DRAFT", "MK-PEER-DRAFT"] {
            assert!(!all.contains(m), "the subject reads {m}:\n{all}");
        }
        for m in ["MK-PEER-1", "MK-PEER-2", "MK-PEER-3"] {
            assert_eq!(
                all.contains(m),
                released,
                "{m} (finalized: {released}):\n{all}"
            );
        }
        assert!(
            all.contains("MK-SELF") && all.contains("MK-SHARED"),
            "{all}"
        );
        // No peer reviewer's id beside a review or rating of theirs.
        for (t, r) in &rows {
            if (t.starts_with("review") || t.starts_with("rating"))
                && r["subject_id"].as_i64() == Some(sub_id)
            {
                let reviewer = r["reviewer_id"].as_i64();
                assert!(
                    reviewer.is_none_or(|id| !peers.contains(&id)),
                    "{t} names a peer reviewer to the subject: {r}"
                );
            }
            // The undo log and the op log carry no one else's before-images.
            if t == "undo_entry" {
                assert!(!r.to_string().contains("MK-PEER"), "{r}");
            }
        }
        // The raw review table: not a single peer or upward row.
        let n: i64 = c
            .query_one(
                "SELECT count(*) FROM review WHERE kind IN ('peer', 'upward')",
                &[],
            )
            .unwrap()
            .get(0);
        assert_eq!(n, 0);
    };
    check_subject(&mut sub, false);
    // A peer: their own review, no one else's, no draft but theirs.
    let mut p4 = org.connect("p4");
    let all = texts(&everything(&mut p4));
    assert!(all.contains("MK-PEER-DRAFT"), "{all}");
    for m in ["MK-PEER-1", "MK-SELF", "MK-PRIVATE", "MK-MANAGER-DRAFT"] {
        assert!(!all.contains(m), "p4 reads {m}:\n{all}");
    }
    // The manager: private feedback about their report, their own draft;
    // not the self review before both are submitted, no peer text before
    // reviews close.
    let mut mo = org.connect("mo");
    let all = texts(&everything(&mut mo));
    assert!(
        all.contains("MK-PRIVATE") && all.contains("MK-MANAGER-DRAFT"),
        "{all}"
    );
    for m in ["MK-SELF", "MK-PEER-1", "MK-PEER-DRAFT"] {
        assert!(!all.contains(m), "mo reads {m}:\n{all}");
    }

    // Changes: a submitted review never; another person's check-in never;
    // the organisation's columns, the login mapping: denied.
    let n = sub
        .execute(
            "UPDATE review SET summary = 'changed' WHERE kind = 'self'",
            &[],
        )
        .unwrap();
    assert_eq!(n, 0, "a submitted review was updated");
    let n = sub
        .execute(
            "UPDATE rating SET comment = 'changed' WHERE review_id IN (SELECT id FROM review)",
            &[],
        )
        .unwrap();
    assert_eq!(n, 0, "a submitted review's rating was updated");
    let mut p1 = org.connect("p1");
    let n = p1
        .execute("UPDATE checkin SET value = 99, note = 'hacked'", &[])
        .unwrap();
    assert_eq!(n, 0, "another person's check-in was updated");
    let n = p1.execute("DELETE FROM checkin", &[]).unwrap();
    assert_eq!(n, 0);
    let n = p1
        .execute("UPDATE review SET state = 'pending' WHERE reviewer_id = (SELECT id FROM person WHERE handle = 'p1')", &[])
        .unwrap();
    assert_eq!(n, 0, "a submitted peer review was reopened");
    let e = sub
        .execute("UPDATE person SET admin = 1 WHERE handle = 'sub'", &[])
        .unwrap_err();
    assert_eq!(e.code().map(|c| c.code()), Some("42501"), "{e}");
    let e = sub
        .execute(
            "INSERT INTO login(role_name, person_id, admin, granted_at, granted_by) \
             VALUES ('sub2', 1, true, 'now', 'sub')",
            &[],
        )
        .unwrap_err();
    assert_eq!(e.code().map(|c| c.code()), Some("42501"), "{e}");
    let e = sub
        .execute(
            "INSERT INTO feedback(uuid, from_id, to_id, date, kind, text, created_at, updated_at) \
             SELECT 'x', id, id, '2026-01-01', 'praise', 'self praise', 'now', 'now' FROM person WHERE handle = 'un'",
            &[],
        )
        .unwrap_err();
    assert_eq!(
        e.code().map(|c| c.code()),
        Some("42501"),
        "feedback as someone else: {e}"
    );
    let n = sub.execute("DELETE FROM op", &[]).unwrap();
    assert_eq!(n, 0);

    // Reviews close, the cycle is finalized: the subject now reads the peer
    // comments without names, still no draft and no private feedback.
    org.admin(&["appraise", "cycle", "calibrate", "H2", "--force"])
        .ok();
    org.admin(&["appraise", "cycle", "finalize", "H2", "--force"])
        .ok();
    check_subject(&mut sub, true);
}

#[test]
fn eight_logins_check_in_500_times_each_at_once() {
    let Some(org) = Org::new("eight_logins_check_in_500_times_each_at_once") else {
        return;
    };
    let workers: Vec<String> = (1..=8).map(|i| format!("w{i}")).collect();
    for w in &workers {
        org.admin(&["people", "add", w, "--name", &format!("Worker {w}")])
            .ok();
        org.admin(&[
            "plan",
            "add",
            &format!("Goal of {w}"),
            "--owner",
            w,
            "--key",
            &format!("{w}-goal"),
            "--metric",
            "n",
            "--baseline",
            "0",
            "--target",
            "500",
        ])
        .ok();
        org.grant(w);
    }
    // 8 logins at once, each running the binary 500 times in a row.
    let url = org.url.clone();
    let home = org.env.home.clone();
    std::thread::scope(|scope| {
        for w in &workers {
            let (url, home) = (url.clone(), home.clone());
            scope.spawn(move || {
                let goal = format!("{w}-goal");
                for i in 0..500 {
                    let out = std::process::Command::new(common::bin())
                        .args(["--db", &url, "checkin", &goal, &i.to_string()])
                        .env("HOME", &home)
                        .env("XDG_DATA_HOME", home.join(".local/share"))
                        .env("XDG_CONFIG_HOME", home.join(".config"))
                        .env("YARDSTICK_TODAY", common::TODAY)
                        .env_remove("YARDSTICK_USER")
                        .env("PGUSER", w)
                        .env("PGPASSWORD", password(w))
                        .stdin(std::process::Stdio::null())
                        .output()
                        .expect("run yardstick");
                    assert!(
                        out.status.success(),
                        "{w} check-in {i}: {}",
                        String::from_utf8_lossy(&out.stderr)
                    );
                }
            });
        }
    });
    let mut c = org.connect("w1");
    let mine: i64 = c
        .query_one(
            "SELECT count(*) FROM checkin WHERE author_id = (SELECT id FROM person WHERE handle = 'w1')",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(mine, 500);
    let all: i64 = {
        let mut admin = org.connect_admin();
        admin
            .query_one("SELECT count(*) FROM checkin", &[])
            .unwrap()
            .get(0)
    };
    assert_eq!(all, 4000);
}

impl Org {
    /// A raw connection as the cluster's own user (the admin).
    fn connect_admin(&self) -> postgres::Client {
        let t = yardstick::store::postgres::connect::resolve(&self.url).unwrap();
        yardstick::store::postgres::connect::connect(&t).unwrap()
    }
}

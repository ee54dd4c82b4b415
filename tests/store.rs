//! Store tests against real files: undo restores every table exactly,
//! concurrent first runs agree on one schema, and parallel writers lose nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use rusqlite::types::Value;
use std::path::Path;
use std::time::Duration;
use yardstick::app::access::Policy;
use yardstick::app::admin;
use yardstick::app::org::{self, PersonPatch, TeamPatch};
use yardstick::app::plan::{self as splan, GoalPatch, MeasurePatch};
use yardstick::domain::{Direction, GoalStatus};
use yardstick::store::checkins::NewCheckin;
use yardstick::store::sqlite::hot;
use yardstick::store::{Missing, OpMeta, Session, Store, WriteScope};

const NOW: &str = "2026-11-22T12:00:00Z";

fn meta(cmd: &str) -> OpMeta {
    OpMeta {
        actor: "test".into(),
        command: cmd.into(),
        at: NOW.into(),
    }
}

/// A separate SQLite connection to a store's file, to look at it directly.
fn raw(store: &Store) -> rusqlite::Connection {
    rusqlite::Connection::open(store.path().unwrap()).unwrap()
}

/// Every row of every data table (not the log), in rowid order.
fn snapshot(store: &Store) -> Vec<(String, Vec<Vec<Value>>)> {
    let conn = raw(store);
    let mut names: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type='table' AND name NOT IN ('op','undo_entry') AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    names.sort();
    names
        .into_iter()
        .map(|t| {
            let mut stmt = conn
                .prepare(&format!("SELECT * FROM \"{t}\" ORDER BY rowid"))
                .unwrap();
            let n = stmt.column_count();
            let rows = stmt
                .query_map([], |r| {
                    (0..n)
                        .map(|i| r.get::<_, Value>(i))
                        .collect::<Result<Vec<_>, _>>()
                })
                .unwrap()
                .collect::<Result<Vec<_>, _>>()
                .unwrap();
            (t, rows)
        })
        .collect()
}

fn seeded(path: &Path) -> Store {
    let mut store = Store::open_write(path, Missing::Create, Duration::from_secs(5)).unwrap();
    store
        .write(&meta("seed"), WriteScope::Any, |tx| {
            org::add_team(
                tx,
                NOW,
                &Policy::owner(),
                "acme",
                &TeamPatch {
                    name: Some("Acme".into()),
                    ..Default::default()
                },
            )?;
            org::add_person(
                tx,
                NOW,
                &Policy::owner(),
                "bob",
                &PersonPatch {
                    name: Some("Bob".into()),
                    team: Some(Some("acme".into())),
                    ..Default::default()
                },
            )?;
            org::add_person(
                tx,
                NOW,
                &Policy::owner(),
                "alice",
                &PersonPatch {
                    name: Some("Alice".into()),
                    manager: Some(Some("bob".into())),
                    purpose: Some(Some("Keep the API fast".into())),
                    ..Default::default()
                },
            )?;
            let g = splan::add_goal(
                tx,
                NOW,
                &Policy::owner(),
                &GoalPatch {
                    title: Some("Reliable".into()),
                    owner: Some("acme".into()),
                    ..Default::default()
                },
            )?;
            let c = splan::add_goal(
                tx,
                NOW,
                &Policy::owner(),
                &GoalPatch {
                    title: Some("Cut latency".into()),
                    owner: Some("alice".into()),
                    parent: Some(Some(g.key.clone())),
                    weight: Some(0.1),
                    ..Default::default()
                },
            )?;
            let m = splan::add_measure(
                tx,
                NOW,
                &Policy::owner(),
                &c,
                &MeasurePatch {
                    name: Some("p95".into()),
                    baseline: Some(450.0),
                    target: Some(200.0),
                    stretch: Some(Some(0.1 + 0.2 + 149.7)),
                    ..Default::default()
                },
            )?;
            assert_eq!(m.direction, Direction::Decrease);
            tx.insert_checkin(
                NOW,
                &NewCheckin {
                    goal_id: c.id,
                    measure_id: Some(m.id),
                    date: chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
                    value: Some(325.125_000_000_1),
                    confidence: Some(7),
                    status: None,
                    note: Some("halfway".into()),
                    author_id: None,
                },
            )?;
            Ok(())
        })
        .unwrap();
    store
}

type Step = Box<dyn Fn(&mut dyn Session) -> yardstick::Result<()>>;

#[test]
fn undo_restores_every_table_exactly() {
    let steps: Vec<(&str, Step)> = vec![
        (
            "add person",
            Box::new(|tx| {
                org::add_person(
                    tx,
                    NOW,
                    &Policy::owner(),
                    "zed",
                    &PersonPatch {
                        name: Some("Zed".into()),
                        ..Default::default()
                    },
                )
                .map(|_| ())
            }),
        ),
        (
            "edit person",
            Box::new(|tx| {
                org::edit_person(
                    tx,
                    NOW,
                    &Policy::owner(),
                    "alice",
                    &PersonPatch {
                        manager: Some(None),
                        title: Some(Some("Lead".into())),
                        ..Default::default()
                    },
                )
                .map(|_| ())
            }),
        ),
        (
            "remove person",
            Box::new(|tx| {
                // bob manages alice: removing bob clears alice's manager (ON DELETE SET NULL) — undo must restore both.
                org::remove_person(tx, &Policy::owner(), "bob").map(|_| ())
            }),
        ),
        (
            "edit team",
            Box::new(|tx| {
                org::edit_team(
                    tx,
                    NOW,
                    &Policy::owner(),
                    "acme",
                    &TeamPatch {
                        lead: Some(Some("bob".into())),
                        ..Default::default()
                    },
                )
                .map(|_| ())
            }),
        ),
        (
            "close goal",
            Box::new(|tx| {
                splan::edit_goal(
                    tx,
                    NOW,
                    &Policy::owner(),
                    "cut-latency",
                    &GoalPatch {
                        status: Some(GoalStatus::Missed),
                        ..Default::default()
                    },
                )
                .map(|_| ())
            }),
        ),
        (
            "edit measure",
            Box::new(|tx| {
                let g = splan::get_goal(tx, "cut-latency")?;
                splan::edit_measure(
                    tx,
                    NOW,
                    &Policy::owner(),
                    &g,
                    "p95",
                    &MeasurePatch {
                        target: Some(180.0),
                        stretch: Some(None),
                        ..Default::default()
                    },
                )
                .map(|_| ())
            }),
        ),
        (
            "remove goal with cascade",
            Box::new(|tx| {
                // Removing the parent unlinks the child (SET NULL); removing the child deletes its measure and check-in (CASCADE).
                splan::remove_goal(tx, &Policy::owner(), "reliable")?;
                splan::remove_goal(tx, &Policy::owner(), "cut-latency").map(|_| ())
            }),
        ),
    ];
    for (name, step) in steps {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let mut store = seeded(&path);
        let before = snapshot(&store);
        let w = store
            .write(&meta(name), WriteScope::Any, |tx| step(tx))
            .unwrap();
        assert!(w.changed, "{name} changed nothing");
        assert_ne!(snapshot(&store), before, "{name} left the data as it was");
        let preview = admin::undo_preview(&*store.read(), &Policy::owner()).unwrap();
        assert_eq!(preview.op.command, name);
        store.undo(preview.op.id, NOW).unwrap();
        assert_eq!(
            snapshot(&store),
            before,
            "undo of {name} did not restore the data exactly"
        );
        let fk: i64 = raw(&store)
            .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(fk, 0);
        // The next undo reverts the seed, leaving empty tables.
        let seed = admin::undo_preview(&*store.read(), &Policy::owner()).unwrap();
        assert_eq!(seed.op.command, "seed");
        store.undo(seed.op.id, NOW).unwrap();
        assert!(snapshot(&store).iter().all(|(_, rows)| rows.is_empty()));
        assert!(admin::undo_preview(&*store.read(), &Policy::owner()).is_err());
    }
}

#[test]
fn a_write_that_changes_nothing_is_not_logged() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = seeded(&dir.path().join("t.db"));
    let w = store
        .write(&meta("noop"), WriteScope::Any, |tx| {
            org::edit_person(
                tx,
                NOW,
                &Policy::owner(),
                "alice",
                &PersonPatch {
                    name: Some("Alice".into()),
                    ..Default::default()
                },
            )
            .map(|(_, c)| c)
        })
        .unwrap();
    assert!(!w.value && !w.changed);
    assert_eq!(
        admin::undo_preview(&*store.read(), &Policy::owner())
            .unwrap()
            .op
            .command,
        "seed"
    );
}

#[test]
fn a_failed_write_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = seeded(&dir.path().join("t.db"));
    let before = snapshot(&store);
    let err = store
        .write(&meta("half"), WriteScope::Any, |tx| {
            org::add_person(
                tx,
                NOW,
                &Policy::owner(),
                "zed",
                &PersonPatch {
                    name: Some("Zed".into()),
                    ..Default::default()
                },
            )?;
            org::add_person(
                tx,
                NOW,
                &Policy::owner(),
                "zed",
                &PersonPatch {
                    name: Some("Zed again".into()),
                    ..Default::default()
                },
            )?;
            Ok(())
        })
        .unwrap_err();
    assert_eq!(err.exit_code(), 1);
    assert_eq!(snapshot(&store), before);
    let ops: i64 = raw(&store)
        .query_row("SELECT count(*) FROM op", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ops, 1);
}

#[test]
fn concurrent_first_runs_create_one_schema() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fresh.db");
    let handles: Vec<_> = (0..16)
        .map(|i| {
            let path = path.clone();
            std::thread::spawn(move || {
                let mut store =
                    Store::open_write(&path, Missing::Create, Duration::from_secs(10)).unwrap();
                store
                    .write(&meta("add"), WriteScope::Any, |tx| {
                        org::add_person(
                            tx,
                            NOW,
                            &Policy::owner(),
                            &format!("p{i}"),
                            &PersonPatch {
                                name: Some(format!("P {i}")),
                                ..Default::default()
                            },
                        )
                    })
                    .unwrap();
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let store = Store::open_read(&path, Missing::Refuse, Duration::from_secs(5)).unwrap();
    assert_eq!(store.read().list_people(None, true).unwrap().len(), 16);
    let v: i64 = raw(&store)
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(v, yardstick::store::sqlite::schema::SCHEMA_VERSION);
    // No temporary files are left beside the database.
    let stray: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(".yardstick-new-")
        })
        .collect();
    assert!(stray.is_empty());
}

#[test]
fn parallel_writers_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.db");
    drop(seeded(&path));
    let handles: Vec<_> = (0..4)
        .map(|t| {
            let path = path.clone();
            std::thread::spawn(move || {
                for i in 0..50 {
                    let mut store =
                        Store::open_write(&path, Missing::Refuse, Duration::from_secs(30)).unwrap();
                    store
                        .write(&meta("checkin"), WriteScope::Any, |tx| {
                            let g = splan::get_goal(tx, "cut-latency")?;
                            let m = splan::get_measure(tx, &g, "p95")?;
                            Ok(tx.insert_checkin(
                                NOW,
                                &NewCheckin {
                                    goal_id: g.id,
                                    measure_id: Some(m.id),
                                    date: chrono::NaiveDate::from_ymd_opt(2026, 11, 2).unwrap(),
                                    value: Some(f64::from(t * 100 + i)),
                                    confidence: None,
                                    status: None,
                                    note: None,
                                    author_id: None,
                                },
                            )?)
                        })
                        .unwrap();
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let store = Store::open_read(&path, Missing::Refuse, Duration::from_secs(5)).unwrap();
    assert_eq!(store.read().count_checkins().unwrap(), 1 + 200);
    let ok: String = raw(&store)
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
}

#[test]
fn an_out_of_date_file_is_read_without_writing_and_upgraded_by_the_first_write() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v0.db");
    {
        // Schema version 0: a yardstick file whose migrations have not run yet.
        let c = rusqlite::Connection::open(&path).unwrap();
        c.pragma_update(
            None,
            "application_id",
            yardstick::store::sqlite::schema::APPLICATION_ID,
        )
        .unwrap();
        c.execute_batch(
            "PRAGMA journal_mode = WAL; CREATE TABLE placeholder(x); DROP TABLE placeholder;",
        )
        .unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    {
        let store = Store::open_read(&path, Missing::Refuse, Duration::from_secs(5)).unwrap();
        assert!(store.read().list_people(None, true).unwrap().is_empty());
    }
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "a read changed an out-of-date file"
    );
    let mut store = Store::open_write(&path, Missing::Refuse, Duration::from_secs(5)).unwrap();
    store
        .write(&meta("add"), WriteScope::Any, |tx| {
            org::add_person(
                tx,
                NOW,
                &Policy::owner(),
                "ann",
                &PersonPatch {
                    name: Some("Ann".into()),
                    ..Default::default()
                },
            )
        })
        .unwrap();
    let v: i64 = raw(&store)
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(v, yardstick::store::sqlite::schema::SCHEMA_VERSION);
}

#[test]
fn a_schema_v1_file_reads_unchanged_and_upgrades_on_the_first_write() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v1.db");
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/schema-v1.db"),
        &path,
    )
    .unwrap();
    let before = std::fs::read(&path).unwrap();
    let (goals, checkins_v1) = {
        let store = Store::open_read(&path, Missing::Refuse, Duration::from_secs(5)).unwrap();
        let g = store.read().all_goals().unwrap().len();
        let c = store.read().count_checkins().unwrap();
        // The upgraded in-memory copy already has the newest tables.
        store.read().list_feedback(&Default::default()).unwrap();
        (g, c)
    };
    assert!(goals > 0 && checkins_v1 > 0);
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "reading a v1 file changed it"
    );
    let mut store = Store::open_write(&path, Missing::Refuse, Duration::from_secs(5)).unwrap();
    let v: i64 = raw(&store)
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(v, yardstick::store::sqlite::schema::SCHEMA_VERSION);
    assert_eq!(store.read().all_goals().unwrap().len(), goals);
    assert_eq!(store.read().count_checkins().unwrap(), checkins_v1);
    store
        .write(&meta("edit"), WriteScope::Any, |tx| {
            org::edit_person(
                tx,
                NOW,
                &Policy::owner(),
                "bob",
                &PersonPatch {
                    cadence_days: Some(Some(14)),
                    ..Default::default()
                },
            )
        })
        .unwrap();
    assert_eq!(
        org::get_person(&*store.read(), "bob").unwrap().cadence_days,
        Some(14)
    );
    let ok: String = raw(&store)
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
}

#[test]
fn hot_checkin_queries_search_an_index_and_never_scan_every_checkin() {
    let dir = tempfile::tempdir().unwrap();
    let store = seeded(&dir.path().join("plans.db"));
    for sql in [
        hot::LATEST_SQL,
        hot::RECENT_SQL,
        hot::HISTORY_SQL,
        hot::LAST_BY_GOAL_SQL,
        hot::LAST_STATUS_SQL,
    ] {
        let conn = raw(&store);
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let plan: Vec<String> = stmt
            .query_map(
                rusqlite::params_from_iter(std::iter::repeat_n(
                    rusqlite::types::Value::Null,
                    stmt.parameter_count(),
                )),
                |r| r.get(3),
            )
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(
            !plan.iter().any(|step| step.starts_with("SCAN checkin")
                || step.starts_with("SCAN c ")
                || step.starts_with("SCAN d ")),
            "a hot query scans every check-in:\n{sql}\n{plan:#?}"
        );
        assert!(
            plan.iter()
                .any(|step| step.contains("USING") && step.contains("INDEX checkin_")),
            "no check-in index used:\n{sql}\n{plan:#?}"
        );
    }
}

#[test]
fn a_write_limited_to_some_tables_refuses_to_change_others() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("y.db");
    let mut store = seeded(&path);
    let before = snapshot(&store);
    let ops_before = raw(&store)
        .query_row("SELECT count(*) FROM op", [], |r| r.get::<_, i64>(0))
        .unwrap();
    // Declared: check-ins only; changed: a person as well (cascades count too).
    let err = store
        .write(&meta("checkin"), WriteScope::Tables(&["checkin"]), |tx| {
            org::edit_person(
                tx,
                NOW,
                &Policy::owner(),
                "alice",
                &PersonPatch {
                    title: Some(Some("Changed".into())),
                    ..PersonPatch::default()
                },
            )?;
            Ok(())
        })
        .unwrap_err();
    assert!(err.to_string().contains("person"), "{err}");
    assert_eq!(snapshot(&store), before, "nothing was written");
    let ops_after = raw(&store)
        .query_row("SELECT count(*) FROM op", [], |r| r.get::<_, i64>(0))
        .unwrap();
    assert_eq!(ops_before, ops_after);

    // The declared table is recorded exactly, and undo restores it.
    let goal = splan::get_goal(&*store.read(), "cut-latency").unwrap();
    let m = store.read().measures(goal.id).unwrap()[0].clone();
    store
        .write(&meta("checkin"), WriteScope::Tables(&["checkin"]), |tx| {
            tx.insert_checkin(
                NOW,
                &NewCheckin {
                    goal_id: goal.id,
                    measure_id: Some(m.id),
                    date: chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
                    value: Some(300.0),
                    confidence: None,
                    status: None,
                    note: None,
                    author_id: None,
                },
            )?;
            Ok(())
        })
        .unwrap();
    assert_ne!(snapshot(&store), before);
    let preview = admin::undo_preview(&*store.read(), &Policy::owner()).unwrap();
    store.undo(preview.op.id, NOW).unwrap();
    assert_eq!(snapshot(&store), before);
}

#[test]
fn a_bulk_load_cannot_be_undone_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("y.db");
    let mut store = seeded(&path);
    store
        .write(&meta("demo"), WriteScope::Any, |tx| {
            tx.bulk_load()?;
            org::add_team(
                tx,
                NOW,
                &Policy::owner(),
                "bulk",
                &TeamPatch {
                    name: Some("Bulk".into()),
                    ..TeamPatch::default()
                },
            )?;
            Ok(())
        })
        .unwrap();
    let undo_rows: i64 = raw(&store)
        .query_row(
            "SELECT count(*) FROM undo_entry WHERE op_id = (SELECT max(id) FROM op)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(undo_rows, 0, "a bulk load keeps no before-images");
    let err = admin::undo_preview(&*store.read(), &Policy::owner()).unwrap_err();
    assert!(err.to_string().contains("bulk"), "{err}");
    // Later ordinary writes can be undone, back to the bulk load and no further.
    store
        .write(&meta("team add"), WriteScope::Any, |tx| {
            org::add_team(
                tx,
                NOW,
                &Policy::owner(),
                "later",
                &TeamPatch {
                    name: Some("Later".into()),
                    ..TeamPatch::default()
                },
            )?;
            Ok(())
        })
        .unwrap();
    let preview = admin::undo_preview(&*store.read(), &Policy::owner()).unwrap();
    store.undo(preview.op.id, NOW).unwrap();
    assert!(admin::undo_preview(&*store.read(), &Policy::owner()).is_err());
    assert!(store.read().find_team("bulk").unwrap().is_some());
}

#[test]
fn a_file_from_every_earlier_schema_version_reads_unchanged_and_upgrades() {
    // A fixture made by the build of each earlier version is kept in
    // tests/fixtures; adding a migration means adding the previous one's file.
    for version in 1..yardstick::store::sqlite::schema::SCHEMA_VERSION {
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(format!("schema-v{version}.db"));
        assert!(
            fixture.exists(),
            "no fixture for schema version {version}: {}",
            fixture.display()
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        std::fs::copy(&fixture, &path).unwrap();
        let before = std::fs::read(&path).unwrap();
        let header_version: i64 = rusqlite::Connection::open(&fixture)
            .unwrap()
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(
            header_version,
            version,
            "{} is not a version {version} file",
            fixture.display()
        );
        let (goals, count) = {
            let store = Store::open_read(&path, Missing::Refuse, Duration::from_secs(5)).unwrap();
            (
                store.read().all_goals().unwrap().len(),
                store.read().count_checkins().unwrap(),
            )
        };
        assert!(goals > 0 && count > 0, "version {version} fixture is empty");
        assert_eq!(
            std::fs::read(&path).unwrap(),
            before,
            "reading a version {version} file changed it"
        );
        let mut store = Store::open_write(&path, Missing::Refuse, Duration::from_secs(5)).unwrap();
        store
            .write(&meta("people add"), WriteScope::Any, |tx| {
                org::add_person(
                    tx,
                    NOW,
                    &Policy::owner(),
                    "newcomer",
                    &PersonPatch {
                        name: Some("Newcomer".into()),
                        ..Default::default()
                    },
                )
            })
            .unwrap();
        let conn = raw(&store);
        let v: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(v, yardstick::store::sqlite::schema::SCHEMA_VERSION);
        assert_eq!(store.read().all_goals().unwrap().len(), goals);
        assert_eq!(store.read().count_checkins().unwrap(), count);
        let ok: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(ok, "ok", "version {version}");
        let fk: i64 = conn
            .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(fk, 0, "version {version}");
    }
}

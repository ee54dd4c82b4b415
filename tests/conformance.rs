//! The storage conformance suite (`yardstick::store::conformance`) against
//! the SQLite backend, in memory and on a file, and against PostgreSQL
//! when a server is reachable (`pg_virtualenv cargo test --test
//! conformance`; skipped with a message otherwise); and a check that the
//! suite calls every method of the storage interface.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/pg.rs"]
mod pg;

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;
use yardstick::store::{Missing, Store, conformance};

#[test]
fn sqlite_in_memory_conforms() {
    let failures = conformance::run(&mut || Store::open_memory().map_err(|e| e.to_string()));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn sqlite_file_conforms() {
    let dir = tempfile::tempdir().unwrap();
    let mut n = 0;
    let failures = conformance::run(&mut || {
        n += 1;
        let path = dir.path().join(format!("c{n}.db"));
        Store::open_write(&path, Missing::Create, Duration::from_secs(5)).map_err(|e| e.to_string())
    });
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn postgres_conforms() {
    let Some(mut server) = pg::server("postgres_conforms") else {
        return;
    };
    let failures = conformance::run(&mut || {
        let url = server.fresh_db();
        Store::open_write(Path::new(&url), Missing::Create, Duration::from_secs(5))
            .map_err(|e| e.to_string())
    });
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The methods declared by the traits of a file of the storage interface.
fn trait_methods(file: &str) -> Vec<String> {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(file)).unwrap();
    let mut out = Vec::new();
    let mut in_trait = false;
    for line in text.lines() {
        if line.starts_with("pub trait ") {
            in_trait = true;
        } else if line.starts_with('}') {
            in_trait = false;
        } else if in_trait {
            if let Some(rest) = line.trim().strip_prefix("fn ") {
                out.push(rest.split(['(', '<']).next().unwrap().to_string());
            }
        }
    }
    assert!(!out.is_empty(), "no trait methods in {file}");
    out
}

#[test]
fn the_suite_calls_every_method_of_the_storage_interface() {
    let suite = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("src/store/conformance.rs"),
    )
    .unwrap();
    let mut missing = BTreeSet::new();
    for file in [
        "src/store/mod.rs",
        "src/store/org.rs",
        "src/store/plan.rs",
        "src/store/checkins.rs",
        "src/store/feedback.rs",
        "src/store/cycles.rs",
        "src/store/followup.rs",
        "src/store/exchange.rs",
        "src/store/stats.rs",
        "src/store/oplog.rs",
    ] {
        for m in trait_methods(file) {
            // Backend's methods are reached through Store's.
            let called = suite.contains(&format!(".{m}(")) || suite.contains(&format!("::{m}("));
            if !called {
                missing.insert(format!("{file}: {m}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "the conformance suite does not call: {missing:#?}"
    );
}

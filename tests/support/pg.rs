//! A PostgreSQL server for tests, when one is reachable through the usual
//! environment (`PGHOST`, `PGPORT`, `PGUSER`, `PGPASSWORD`, …, as
//! `pg_virtualenv` sets them). Each store gets a database of its own,
//! created here and dropped when the [`PgServer`] goes.
//!
//! Without a server a test says it was SKIPPED and how to run it; with
//! `YARDSTICK_REQUIRE_PG=1` (CI) a missing server fails the test instead.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::atomic::{AtomicUsize, Ordering};

static SEQ: AtomicUsize = AtomicUsize::new(0);

/// A reachable server and the databases made on it.
pub struct PgServer {
    admin: postgres::Client,
    made: Vec<String>,
}

/// The server, or `None` after saying that `test` was skipped.
pub fn server(test: &str) -> Option<PgServer> {
    let configured = [
        "PGHOST",
        "PGPORT",
        "PGUSER",
        "PGDATABASE",
        "YARDSTICK_REQUIRE_PG",
    ]
    .iter()
    .any(|v| std::env::var_os(v).is_some());
    let attempt = if configured {
        yardstick::store::postgres::connect::resolve("postgres://")
            .map_err(|e| e.to_string())
            .and_then(|t| {
                yardstick::store::postgres::connect::connect(&t).map_err(|e| e.to_string())
            })
    } else {
        Err("no PG* environment variables are set".into())
    };
    match attempt {
        Ok(admin) => Some(PgServer {
            admin,
            made: Vec::new(),
        }),
        Err(why) => {
            let msg = format!(
                "SKIPPED {test}: no PostgreSQL server reachable ({why}); \
                 run `pg_virtualenv cargo test` to include the PostgreSQL tests"
            );
            if std::env::var("YARDSTICK_REQUIRE_PG").as_deref() == Ok("1") {
                panic!("{msg} (YARDSTICK_REQUIRE_PG=1 makes this a failure)");
            }
            // Straight to stderr, past the test harness's capture, so
            // that a skip is seen in every run.
            use std::io::Write;
            let _ = writeln!(std::io::stderr(), "{msg}");
            None
        }
    }
}

impl PgServer {
    /// A new, empty database; its URL (the rest from the environment).
    pub fn fresh_db(&mut self) -> String {
        let name = format!(
            "ys_test_{}_{}",
            std::process::id(),
            SEQ.fetch_add(1, Ordering::SeqCst)
        );
        // The name is made here from numbers, never from data.
        self.admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap();
        self.made.push(name.clone());
        format!("postgres:///{name}")
    }

    /// The server's certificate file, when it accepts TLS and the file
    /// is readable here (a local test cluster).
    pub fn ssl_cert_file(&mut self) -> Option<String> {
        let on = self
            .admin
            .query_one("SHOW ssl", &[])
            .ok()?
            .get::<_, String>(0)
            == "on";
        let file: String = self.admin.query_one("SHOW ssl_cert_file", &[]).ok()?.get(0);
        let file = if file.starts_with('/') {
            file
        } else {
            let dir: String = self
                .admin
                .query_one("SHOW data_directory", &[])
                .ok()?
                .get(0);
            format!("{dir}/{file}")
        };
        (on && std::fs::File::open(&file).is_ok()).then_some(file)
    }

    /// Run SQL in a database made here (setting up a test's case).
    pub fn run_in(&self, url: &str, sql: &str) {
        let t = yardstick::store::postgres::connect::resolve(url).unwrap();
        let mut c = yardstick::store::postgres::connect::connect(&t).unwrap();
        c.batch_execute(sql).unwrap();
    }
}

impl Drop for PgServer {
    fn drop(&mut self) {
        for name in &self.made {
            let _ = self
                .admin
                .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}

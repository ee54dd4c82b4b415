//! docs/security.md prints the access policy the code enforces: the two
//! tables between its `access-table` markers are exactly
//! `yardstick::domain::access::markdown_tables()`. Run with
//! `YARDSTICK_DOCS=record` to rewrite them after changing the policy.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

const BEGIN: &str =
    "<!-- access-table:begin (generated from src/domain/access.rs; tests/security_doc.rs) -->\n";
const END: &str = "<!-- access-table:end -->";

#[test]
fn security_md_shows_the_policy_the_code_enforces() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/security.md");
    let doc = std::fs::read_to_string(&path).unwrap();
    let start = doc
        .find(BEGIN)
        .expect("docs/security.md has the begin marker")
        + BEGIN.len();
    let end = start
        + doc[start..]
            .find(END)
            .expect("docs/security.md has the end marker");
    let tables = yardstick::domain::access::markdown_tables();
    if std::env::var("YARDSTICK_DOCS").is_ok_and(|v| v == "record") {
        let new = format!("{}{}{}", &doc[..start], tables, &doc[end..]);
        std::fs::write(&path, new).unwrap();
        return;
    }
    assert!(
        doc[start..end] == tables,
        "docs/security.md's access tables differ from the code's (YARDSTICK_DOCS=record rewrites them):\n--- doc\n{}\n--- code\n{}",
        &doc[start..end],
        tables
    );
}

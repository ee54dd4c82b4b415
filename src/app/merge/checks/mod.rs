//! What an import refuses. Every check is a function over the records the
//! import would write (a record identical to the local copy, or older than
//! it, changes nothing and is not checked), reading the database as it
//! would be afterwards ([`Merged`]); each adds what it refuses to a list,
//! so that every refused record is reported at once. The rules are the
//! command line's own (the domain's validators, the cycle's workflow), not
//! copies.
//!
//! - [`references`]: every reference names a record of the file or a row
//!   of the database (all records, written or not);
//! - [`values`]: texts, handles, keys, numbers and dates as the command
//!   line takes them, and the rules between a record's fields;
//! - [`times`]: dates and timestamps in range, timestamps not after now
//!   (plus a little clock skew);
//! - [`graph`]: no reporting line, team tree or goal alignment loops;
//! - [`unique`]: no handle, key or name twice in the file or already used
//!   locally by another record;
//! - [`cycles`]: what a review cycle's state allows (nothing into a
//!   finalized cycle), its history, submitted reviews final, templates and
//!   history never rewritten.

mod access;
mod cycles;
mod graph;
mod references;
mod times;
mod unique;
mod values;

use super::plan::{Merged, Plan};
use super::{Refusal, Settings};
use crate::app::access::Policy;
use crate::domain::Template;
use crate::error::Result;
use crate::store::Session;
use crate::store::exchange::{RawRow, Val};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// What every check reads: the database with the import laid over it, and
/// the run's settings.
pub(super) struct Cx<'a> {
    /// The database as it would be after the import.
    pub view: Merged<'a>,
    /// The clock and settings.
    pub settings: &'a Settings,
    /// Templates parsed so far, by UUID (`None`: missing or not parsable).
    templates: RefCell<HashMap<String, Option<Rc<Template>>>>,
    /// The events the import adds to each cycle's history (by the cycle's
    /// UUID): indexes of records, in the order they happened.
    pub new_events: HashMap<String, Vec<usize>>,
    /// Per table, what the loop checks have learnt of its parent chains.
    chains: RefCell<HashMap<&'static str, graph::Chains>>,
}

impl<'a> Cx<'a> {
    /// The template a cycle (UUID) is scored by, as it would be after the
    /// import; `None` when it cannot be read (refused elsewhere).
    pub fn template_of_cycle(&self, cycle: &str) -> Result<Option<Rc<Template>>> {
        let Some(uuid) = self.view.reference("cycle", cycle, "template_id")? else {
            return Ok(None);
        };
        if let Some(hit) = self.templates.borrow().get(&uuid) {
            return Ok(hit.clone());
        }
        let parsed = self
            .view
            .row_of("template", &uuid)?
            .and_then(|t| text(&t, "source").map(str::to_string))
            .and_then(|src| crate::formats::template::parse(&src, "the template").ok())
            .map(Rc::new);
        self.templates.borrow_mut().insert(uuid, parsed.clone());
        Ok(parsed)
    }

    /// The plan.
    pub fn plan(&self) -> &'a Plan<'a> {
        self.view.plan()
    }

    /// The database before the import.
    pub fn session(&self) -> &'a dyn Session {
        self.view.session()
    }
}

/// The refusals found so far.
#[derive(Default)]
pub(super) struct Found(pub Vec<Refusal>);

impl Found {
    /// Refuse record `index` (`row`), naming the field (its key in the
    /// file) when one is at fault.
    pub fn refuse(
        &mut self,
        index: usize,
        row: &RawRow,
        field: Option<&'static str>,
        reason: impl std::fmt::Display,
    ) {
        self.0.push(Refusal::new(index, row, field, reason));
    }

    /// Refuse record `index` for a field by its database column name.
    pub fn refuse_column(
        &mut self,
        index: usize,
        row: &RawRow,
        column: &str,
        reason: impl std::fmt::Display,
    ) {
        let def = row.def();
        let key = def.col(column).map(|i| def.cols[i].key);
        self.refuse(index, row, key, reason);
    }
}

/// A text column of a row.
pub(super) fn text<'r>(row: &'r RawRow, column: &str) -> Option<&'r str> {
    row.get(column).and_then(Val::as_text)
}

/// A number column of a row.
pub(super) fn real(row: &RawRow, column: &str) -> Option<f64> {
    match row.get(column) {
        Some(Val::Real(f)) => Some(*f),
        Some(Val::Int(i)) => Some(*i as f64),
        _ => None,
    }
}

/// A whole-number column of a row.
pub(super) fn int(row: &RawRow, column: &str) -> Option<i64> {
    match row.get(column) {
        Some(Val::Int(i)) => Some(*i),
        _ => None,
    }
}

/// Run every check over `plan`; returns the refusals (none: the import may
/// be written).
pub(super) fn run(
    s: &dyn Session,
    plan: &Plan<'_>,
    settings: &Settings,
    from: Option<&Policy>,
) -> Result<Vec<Refusal>> {
    let cx = Cx {
        view: Merged::new(s, plan),
        settings,
        templates: RefCell::new(HashMap::new()),
        new_events: cycles::new_events(plan),
        chains: RefCell::new(HashMap::new()),
    };
    let mut found = Found::default();
    references::check(&cx, &mut found)?;
    for (i, row) in plan.written() {
        values::check(&cx, i, row, &mut found)?;
        times::check(&cx, i, row, &mut found);
        graph::check(&cx, i, row, &mut found)?;
        cycles::check(&cx, i, row, &mut found)?;
        if let Some(p) = from {
            access::check(&cx, p, i, row, &mut found)?;
        }
    }
    unique::check(&cx, &mut found)?;
    cycles::check_history(&cx, &mut found)?;
    deletions(&cx, from, &mut found)?;
    Ok(found.0)
}

/// The deletions the import applies or remembers: no deletion dated in
/// the future, and a record deleted only by someone who may change it.
fn deletions(cx: &Cx<'_>, from: Option<&Policy>, found: &mut Found) -> Result<()> {
    use super::plan::Deletion;
    let plan = cx.plan();
    let n = plan.records.len();
    let latest = cx.settings.clock.latest();
    for (j, t) in plan.tombstones.iter().enumerate() {
        let decision = &plan.deletions[j];
        if matches!(decision, Deletion::Nothing | Deletion::Keep(_)) {
            continue;
        }
        let refusal = |field: Option<&'static str>, reason: String| Refusal {
            index: n + j,
            table: crate::store::exchange::TABLES[t.table].name,
            uuid: t.uuid.clone(),
            field,
            reason,
            hint: None,
        };
        if crate::time::stored_timestamp(&t.deleted_at).is_ok_and(|at| at > latest) {
            found.0.push(refusal(
                Some("deleted_at"),
                format!("{} is in the future", t.deleted_at),
            ));
        }
        if let (Deletion::Delete(_), Some(p)) = (decision, from) {
            if let Some(local) = plan.deleted.get(&(n + j)) {
                access::check_delete(cx, p, n + j, local, found)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::time::{Clock, Weekday};

    fn uuid(n: u32) -> String {
        format!("00000000-0000-4000-8000-{n:012}")
    }

    fn person(n: u32, handle: &str, manager: Option<u32>) -> String {
        let manager = manager.map_or("null".to_string(), |m| format!("\"{}\"", uuid(m)));
        format!(
            "{{\"table\":\"person\",\"uuid\":\"{}\",\"handle\":\"{handle}\",\"name\":\"N\",\
             \"manager_uuid\":{manager},\"active\":true,\
             \"created_at\":\"2026-11-22T12:00:00Z\",\"updated_at\":\"2026-11-22T12:00:00Z\"}}",
            uuid(n)
        )
    }

    /// The refusals of an import of `records` into an empty database.
    fn refusals(records: &[String]) -> Vec<Refusal> {
        let doc = format!(
            "{{\"schema_version\":1,\"kind\":\"export\",\"yardstick_schema\":4,\"records\":[{}]}}",
            records.join(",")
        );
        let parsed = crate::formats::exchange::parse(doc.as_bytes(), "t").unwrap();
        let store = crate::store::Store::open_memory().unwrap();
        let s = store.read();
        let settings = Settings {
            clock: Clock::new(Some("2026-11-22"), Weekday::Mon).unwrap(),
            percent_max: 100.0,
            actor: "test".into(),
        };
        let source = super::super::plan::Source {
            history: parsed.history,
            exporter: None,
            remember_unknown: true,
        };
        let plan = Plan::new(
            &*s,
            &parsed.records,
            &parsed.revs,
            &parsed.deletions,
            &source,
            &Default::default(),
            &settings,
        )
        .unwrap();
        run(&*s, &plan, &settings, None).unwrap()
    }

    #[test]
    fn only_the_rows_on_a_loop_are_refused_for_it() {
        // d → a → b → c → b: b and c loop; a and d only lead into the loop.
        let found = refusals(&[
            person(4, "d", Some(1)),
            person(1, "a", Some(2)),
            person(2, "b", Some(3)),
            person(3, "c", Some(2)),
        ]);
        let refused: Vec<&str> = found.iter().map(|r| r.uuid.as_str()).collect();
        assert_eq!(refused, [uuid(2), uuid(3)], "{found:?}");
        assert!(found[0].reason.contains("b → c → b"), "{found:?}");
        assert_eq!(found[0].field, Some("manager_uuid"));
    }

    #[test]
    fn people_and_teams_share_one_set_of_handles() {
        let team = format!(
            "{{\"table\":\"team\",\"uuid\":\"{}\",\"handle\":\"kim\",\"name\":\"Kim's team\",\
             \"created_at\":\"2026-11-22T12:00:00Z\",\"updated_at\":\"2026-11-22T12:00:00Z\"}}",
            uuid(9)
        );
        let found = refusals(&[person(1, "kim", None), team]);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(
            found
                .iter()
                .all(|r| r.reason.contains("handle 'kim' is also used by record"))
        );
    }

    #[test]
    fn a_long_loop_refuses_each_of_its_rows_naming_a_few() {
        // 5,000 people in one reporting line, closed into a loop: every one
        // of them is refused, each naming a few people of the loop (each row
        // is walked over once: see `graph::Chains`).
        let n = 5_000;
        let records: Vec<String> = (0..n)
            .map(|i| person(i, &format!("p{i}"), Some((i + 1) % n)))
            .collect();
        let found = refusals(&records);
        assert_eq!(found.len(), n as usize);
        assert!(
            found[0].reason.ends_with("p7 → … (5000 in all) → p0"),
            "{}",
            found[0].reason
        );
    }
}

//! No loops: a person is not above their own manager, a team not inside
//! its own sub-team, a goal not aligned to a goal below it — in the
//! database as it would be after the import (the file's links over the
//! database's). The walk and the messages are the command line's
//! ([`closes_loop`], `domain::org`, `domain::goal`).

use super::{Cx, Found, text};
use crate::domain::goal::{aligned_to_itself, alignment_loop};
use crate::domain::graph::closes_loop;
use crate::domain::org::{manager_loop, own_manager, own_parent_team, team_loop};
use crate::error::Result;
use crate::store::exchange::RawRow;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

/// At most this many rows of a loop are named in a message.
const SHOWN: usize = 8;

/// A loop: its rows, each followed by its parent (the last one's parent is
/// the first).
type Ring = Rc<Vec<String>>;

/// What the walks of one table have learnt, so that every row is walked
/// over once however long the chains (a crafted file of 100,000 people in
/// one reporting line must not take 100,000² steps).
#[derive(Default)]
pub(super) struct Chains {
    /// Rows whose chain is known: it ends at a root, or runs into a loop
    /// already found. A walk reaching one ends there: the row it started
    /// from is not on that chain (else it would be on that loop, and found).
    settled: HashSet<String>,
    /// Rows on a loop already found: the loop, and where the row is on it.
    loops: HashMap<String, (Ring, usize)>,
}

impl Chains {
    fn found_loop(&mut self, rows: &[String]) {
        let ring: Ring = Rc::new(rows.to_vec());
        for (at, u) in ring.iter().enumerate() {
            self.loops.insert(u.clone(), (Rc::clone(&ring), at));
            self.settled.insert(u.clone());
        }
    }

    /// Walk up from `row` (whose parent is `parent`): the loop it is on and
    /// its place there, if it is on one.
    fn walk(
        &mut self,
        cx: &Cx<'_>,
        table: &str,
        column: &str,
        row: &str,
        parent: &str,
    ) -> Result<Option<(Ring, usize)>> {
        if let Some(hit) = self.loops.get(row) {
            return Ok(Some(hit.clone()));
        }
        let settled = &self.settled;
        let mut asked: Vec<String> = Vec::new();
        let mut place: HashMap<String, usize> = HashMap::new();
        let mut elsewhere: Option<Vec<String>> = None;
        let parent_of = |u: &String| -> Result<Option<String>> {
            if settled.contains(u) {
                return Ok(None);
            }
            place.insert(u.clone(), asked.len());
            asked.push(u.clone());
            let up = cx.view.reference(table, u, column)?;
            // Back to a row of this walk other than the start: a loop
            // elsewhere, where the walk stops.
            if let Some(at) = up.as_ref().and_then(|next| place.get(next)) {
                elsewhere = Some(asked[*at..].to_vec());
            }
            Ok(up)
        };
        let looped = closes_loop(&row.to_string(), &parent.to_string(), parent_of)?;
        if let Some(rows) = elsewhere {
            self.found_loop(&rows);
        }
        match looped {
            Some(path) => {
                self.found_loop(&path[..path.len() - 1]);
                Ok(self.loops.get(row).cloned())
            }
            None => {
                // Ended at a root, at a settled row or at a loop elsewhere.
                self.settled.extend(asked);
                self.settled.insert(row.to_string());
                Ok(None)
            }
        }
    }
}

/// Refuse a person, team or goal whose parent link closes a loop.
pub(super) fn check(cx: &Cx<'_>, index: usize, row: &RawRow, found: &mut Found) -> Result<()> {
    let table = row.def().name;
    let (column, label) = match table {
        "person" => ("manager_id", "handle"),
        "team" => ("parent_id", "handle"),
        "goal" => ("parent_id", "key"),
        _ => return Ok(()),
    };
    let Some(parent) = text(row, column) else {
        return Ok(());
    };
    let walked = cx
        .chains
        .borrow_mut()
        .entry(table)
        .or_default()
        .walk(cx, table, column, &row.uuid, parent)?;
    let Some((ring, at)) = walked else {
        return Ok(());
    };
    // The loop from this row, back to it: the first rows of it, named.
    let n = ring.len();
    let mut names = Vec::new();
    for k in 0..n.min(SHOWN) {
        let u = &ring[(at + k) % n];
        let name = cx
            .view
            .row_of(table, u)?
            .and_then(|r| text(&r, label).map(str::to_string))
            .unwrap_or_else(|| u.clone());
        names.push(name);
    }
    let me = names[0].clone();
    let err = match (table, names.get(1)) {
        ("person", None) => own_manager(&me),
        ("person", Some(up)) => manager_loop(up, &me),
        ("team", None) => own_parent_team(&me),
        ("team", Some(up)) => team_loop(up, &me),
        (_, None) => aligned_to_itself(&me),
        (_, Some(up)) => alignment_loop(&me, up),
    };
    let reason = if n == 1 {
        err.message().to_string()
    } else {
        if n > SHOWN {
            names.push(format!("… ({n} in all)"));
        }
        names.push(me);
        format!("{}: {}", err.message(), names.join(" → "))
    };
    found.refuse_column(index, row, column, reason);
    Ok(())
}

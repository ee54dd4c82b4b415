//! Review cycles, by the command line's workflow (`domain::cycle`):
//!
//! - a cycle finalized here is read-only: an import adds or changes nothing
//!   in it (not its row, template, participants, reviews, ratings,
//!   outcomes, actions or history); what it takes is a subject's first
//!   acknowledgement of their outcome (as with `appraise ack`) and the
//!   follow-up of a development action: its status and note (as with
//!   `appraise action done/drop`), never what the review said of it;
//! - a review submitted here is final, whatever `updated_at` the file
//!   claims, and so are its ratings;
//! - in a cycle that exists here, a record goes in only where one of the
//!   states the cycle passes through during the import allows it
//!   ([`CycleAction::allowed_in`]): reviews and ratings while open,
//!   nominations while draft or open, outcomes and actions while
//!   calibrating, acknowledgements once finalized; participants are set
//!   when a cycle is created;
//! - what the command line never changes stays: a cycle's name, period,
//!   dates and template, a template's text, a review's cycle, subject,
//!   reviewer and kind, a rating's review and item, an action's text,
//!   owner and due date, an acknowledgement (but its voiding), a recorded
//!   event;
//! - a cycle's state moves only by the events the import adds to its
//!   history, each a step of the workflow ([`CycleStep`]) from where the
//!   cycle is, dated after its last event, ending where the cycle record
//!   says (and counting its reopenings).
//!
//! A cycle the database does not have yet arrives with its rows as the
//! file has them; if the file carries its history (a full export does, a
//! filtered one does not), the history must lead from draft to its state.

use super::{Cx, Found, int, text};
use crate::app::merge::plan::Plan;
use crate::domain::cycle::{CycleAction, CycleStep};
use crate::domain::{CycleState, ReviewState};
use crate::error::Result;
use crate::store::exchange::{RawRow, Val, table_index};
use std::collections::{BTreeSet, HashMap};

/// A cycle as the database has it.
struct Local {
    name: String,
    state: CycleState,
    reopened: i64,
}

fn state_of(row: &RawRow) -> Option<CycleState> {
    text(row, "state").and_then(|s| s.parse().ok())
}

/// The local copy of a cycle (UUID), if the database has it.
fn local_cycle(cx: &Cx<'_>, uuid: &str) -> Result<Option<Local>> {
    let Some(t) = table_index("cycle") else {
        return Ok(None);
    };
    Ok(cx.view.local(t, uuid)?.and_then(|r| {
        Some(Local {
            name: text(&r, "name")?.to_string(),
            state: state_of(&r)?,
            reopened: int(&r, "reopened").unwrap_or(0),
        })
    }))
}

/// The events the import adds to each cycle's history (new records), by
/// the cycle's UUID, in the order they happened (by `at`, then as in the
/// file).
pub(super) fn new_events(plan: &Plan<'_>) -> HashMap<String, Vec<usize>> {
    let mut out: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, r) in plan.written() {
        if r.def().name == "cycle_event" && plan.local(i).is_none() {
            if let Some(c) = text(r, "cycle_id") {
                out.entry(c.to_string()).or_default().push(i);
            }
        }
    }
    for events in out.values_mut() {
        events.sort_by_key(|&i| (text(&plan.records[i], "at").and_then(instant), i));
    }
    out
}

/// The events the import adds to a cycle (UUID): (index, record).
fn events_of<'r>(cx: &Cx<'r>, cycle: &str) -> Vec<(usize, &'r RawRow)> {
    let records = &cx.plan().records;
    cx.new_events
        .get(cycle)
        .map(|v| v.iter().map(|&i| (i, records[i].as_ref())).collect())
        .unwrap_or_default()
}

/// The states an existing cycle is in during the import: where it is, and
/// every state its new events move it to.
fn passes(cx: &Cx<'_>, cycle: &str, local: &Local) -> Vec<CycleState> {
    let mut out = vec![local.state];
    for (_, e) in events_of(cx, cycle) {
        if let Some(to) = text(e, "to_state").and_then(|s| s.parse().ok()) {
            out.push(to);
        }
    }
    out
}

/// The cycle a record belongs to (its UUID), as it would be after the import.
fn cycle_of(cx: &Cx<'_>, row: &RawRow) -> Result<Option<String>> {
    Ok(match row.def().name {
        "cycle" => Some(row.uuid.clone()),
        "participant" | "review" | "outcome" | "action" | "cycle_event" | "acknowledgement"
        | "appraisal_record" => text(row, "cycle_id").map(str::to_string),
        "rating" => match text(row, "review_id") {
            Some(review) => cx.view.reference("review", review, "cycle_id")?,
            None => None,
        },
        _ => None,
    })
}

/// The columns of `row` (other than `updated_at`) that differ from `local`.
fn changed<'a>(row: &'a RawRow, local: &RawRow) -> Vec<&'a str> {
    row.def()
        .cols
        .iter()
        .zip(row.vals.iter().zip(&local.vals))
        .filter(|(c, (a, b))| c.name != "updated_at" && a != b)
        .map(|(c, _)| c.name)
        .collect()
}

/// Refuse a change to a column the command line never changes.
fn fixed(
    found: &mut Found,
    index: usize,
    row: &RawRow,
    local: &RawRow,
    columns: &[&str],
    what: &str,
) {
    for c in changed(row, local) {
        if columns.contains(&c) {
            found.refuse_column(
                index,
                row,
                c,
                format!("{what} never change once recorded (an import cannot change them)"),
            );
        }
    }
}

/// Refuse what the cycle rules refuse of one written record.
pub(super) fn check(cx: &Cx<'_>, index: usize, row: &RawRow, found: &mut Found) -> Result<()> {
    let table = row.def().name;
    let local_row = cx.plan().local(index);
    if table == "template" {
        if local_row.is_some() {
            found.refuse(
                index,
                row,
                None,
                "a stored template never changes: every cycle is scored by the template it was \
                 created with",
            );
        }
        return Ok(());
    }
    let Some(cycle) = cycle_of(cx, row)? else {
        return Ok(());
    };
    // A cycle new to the database arrives with its rows (its history is
    // checked with the others, below).
    let Some(local) = local_cycle(cx, &cycle)? else {
        return Ok(());
    };
    let is_ack = table == "participant" && local_row.is_some_and(|l| is_acknowledgement(row, l));
    // What a finalized cycle takes: the subject's acknowledgement (the
    // participant's mark and its record), and the follow-up of a
    // development action (its status and note, not what the review said).
    let takes = is_ack
        || (table == "acknowledgement" && local_row.is_none())
        || (table == "action" && local_row.is_some_and(|l| super::access::only_follow_up(row, l)));
    if local.state == CycleState::Finalized && !takes {
        found.refuse(
            index,
            row,
            None,
            format!(
                "cycle '{}' is finalized here and read-only: an import adds or changes nothing in it \
                 (reopen it with `appraise cycle reopen --reason` to take changes)",
                local.name
            ),
        );
        return Ok(());
    }
    let states = passes(cx, &cycle, &local);
    let allowed = |action: CycleAction| action.allowed_in().iter().any(|s| states.contains(s));
    let not_now = |found: &mut Found, what: &str, action: CycleAction| {
        let want: Vec<&str> = action.allowed_in().iter().map(|s| s.as_str()).collect();
        found.refuse(
            index,
            row,
            None,
            format!(
                "cycle '{}' is {}; {what} while it is {}",
                local.name,
                local.state,
                want.join(" or ")
            ),
        );
    };
    match table {
        "cycle" => {
            if let Some(l) = local_row {
                fixed(
                    found,
                    index,
                    row,
                    l,
                    &[
                        "name",
                        "period",
                        "start_date",
                        "end_date",
                        "template_id",
                        "self_due",
                        "manager_due",
                    ],
                    "a cycle's name, period, dates and template",
                );
            }
        }
        "participant" => match local_row {
            None => found.refuse(
                index,
                row,
                None,
                format!(
                    "cycle '{}' exists here; its participants are set when a cycle is created",
                    local.name
                ),
            ),
            Some(_) if !is_ack => found.refuse(
                index,
                row,
                None,
                "a participant changes only by acknowledging their outcome, once",
            ),
            Some(_) if !allowed(CycleAction::Acknowledge) => {
                not_now(found, "outcomes are acknowledged", CycleAction::Acknowledge);
            }
            Some(_) => {}
        },
        "review" => {
            if let Some(l) = local_row {
                if text(l, "state") == Some(ReviewState::Submitted.as_str()) {
                    found.refuse(
                        index,
                        row,
                        None,
                        "the review is submitted here, and a submitted review is final: an import \
                         does not change it, whatever updated_at the file claims",
                    );
                    return Ok(());
                }
                fixed(
                    found,
                    index,
                    row,
                    l,
                    &["cycle_id", "subject_id", "reviewer_id", "kind"],
                    "a review's cycle, subject, reviewer and kind",
                );
            }
            let started = local_row.is_some()
                || text(row, "summary").is_some()
                || text(row, "state") != Some(ReviewState::Pending.as_str());
            if started && !allowed(CycleAction::WriteReview) {
                not_now(found, "reviews are written", CycleAction::WriteReview);
            } else if !started && !allowed(CycleAction::Nominate) {
                not_now(found, "reviewers are nominated", CycleAction::Nominate);
            }
        }
        "rating" => {
            let review = text(row, "review_id").unwrap_or("");
            let submitted = match table_index("review") {
                Some(t) => cx
                    .view
                    .local(t, review)?
                    .is_some_and(|r| text(&r, "state") == Some(ReviewState::Submitted.as_str())),
                None => false,
            };
            if submitted {
                found.refuse(
                    index,
                    row,
                    None,
                    format!(
                        "its review {review} is submitted here, and a submitted review's ratings \
                         are final: an import does not add or change them"
                    ),
                );
                return Ok(());
            }
            if let Some(l) = local_row {
                fixed(
                    found,
                    index,
                    row,
                    l,
                    &["review_id", "item"],
                    "a rating's review and item",
                );
            }
            if !allowed(CycleAction::WriteReview) {
                not_now(found, "reviews are written", CycleAction::WriteReview);
            }
        }
        "outcome" => {
            if let Some(l) = local_row {
                fixed(
                    found,
                    index,
                    row,
                    l,
                    &["cycle_id", "subject_id"],
                    "an outcome's cycle and subject",
                );
            }
            if !allowed(CycleAction::RecordOutcome) {
                not_now(found, "outcomes are recorded", CycleAction::RecordOutcome);
            }
        }
        "action" => {
            if let Some(l) = local_row {
                fixed(
                    found,
                    index,
                    row,
                    l,
                    &[
                        "cycle_id",
                        "subject_id",
                        "text",
                        "due_date",
                        "owner_id",
                        "created_at",
                    ],
                    "what the review said of a development action (its text, owner and due date)",
                );
                if !allowed(CycleAction::TrackAction) {
                    not_now(
                        found,
                        "development actions are followed up",
                        CycleAction::TrackAction,
                    );
                }
            } else if !allowed(CycleAction::RecordOutcome) {
                not_now(
                    found,
                    "development actions are recorded",
                    CycleAction::RecordOutcome,
                );
            }
        }
        "appraisal_record" => match local_row {
            Some(l) => {
                fixed(
                    found,
                    index,
                    row,
                    l,
                    &[
                        "cycle_id",
                        "subject_id",
                        "finalization",
                        "finalized_at",
                        "finalized_by",
                        "record",
                        "created_at",
                    ],
                    "an appraisal record (it is stored when its cycle is finalized)",
                );
                let voided = |r: &RawRow| text(r, "voided_at").is_some();
                if voided(l) && changed(row, l).iter().any(|c| c.starts_with("void")) {
                    found.refuse(
                        index,
                        row,
                        None,
                        "a voided appraisal record stays voided, with its reason",
                    );
                }
            }
            None if !states.contains(&CycleState::Finalized) => found.refuse(
                index,
                row,
                None,
                format!(
                    "an appraisal record is stored by finalizing its cycle, and this import does not finalize '{}'",
                    local.name
                ),
            ),
            None => {}
        },
        "acknowledgement" => match local_row {
            Some(l) => fixed(
                found,
                index,
                row,
                l,
                &["cycle_id", "person_id", "at", "comment", "created_at"],
                "an acknowledgement (only a reopening voids it)",
            ),
            None if !allowed(CycleAction::Acknowledge) => {
                not_now(found, "outcomes are acknowledged", CycleAction::Acknowledge);
            }
            None => {}
        },
        "cycle_event" if local_row.is_some() => {
            found.refuse(
                index,
                row,
                None,
                "a cycle's history is never rewritten: a recorded event never changes",
            );
        }
        _ => {}
    }
    Ok(())
}

/// Whether a participant's new copy only acknowledges the outcome: the
/// local copy has no `acknowledged_at`, the new one has, nothing else
/// changes (the database's own guard lets exactly this through).
fn is_acknowledgement(row: &RawRow, local: &RawRow) -> bool {
    let acked = |r: &RawRow| r.get("acknowledged_at").is_some_and(|v| !v.is_null());
    !acked(local) && acked(row) && changed(row, local).iter().all(|c| *c == "acknowledged_at")
}

/// Refuse history that does not follow the workflow, per cycle the import
/// touches (writes its record or adds events to it).
pub(super) fn check_history(cx: &Cx<'_>, found: &mut Found) -> Result<()> {
    let mut cycles: BTreeSet<String> = BTreeSet::new();
    for (_, row) in cx.plan().written() {
        match row.def().name {
            "cycle" => {
                cycles.insert(row.uuid.clone());
            }
            "cycle_event" => {
                if let Some(c) = text(row, "cycle_id") {
                    cycles.insert(c.to_string());
                }
            }
            _ => {}
        }
    }
    for cycle in cycles {
        history(cx, &cycle, found)?;
    }
    Ok(())
}

fn history(cx: &Cx<'_>, cycle: &str, found: &mut Found) -> Result<()> {
    let local = local_cycle(cx, cycle)?;
    if local
        .as_ref()
        .is_some_and(|l| l.state == CycleState::Finalized)
    {
        return Ok(()); // every write into it is refused already
    }
    let events = events_of(cx, cycle);
    if local.is_none() && events.is_empty() {
        return Ok(()); // a new cycle without its history (a filtered export)
    }
    let Some(merged) = cx.view.row_of("cycle", cycle)? else {
        return Ok(()); // a dangling reference, refused already
    };
    let record = cx
        .plan()
        .in_file(merged.table, cycle)
        .filter(|&i| cx.plan().writes(i));
    let (mut state, start_reopened) = local
        .as_ref()
        .map_or((CycleState::Draft, 0), |l| (l.state, l.reopened));
    let last_local = match &local {
        Some(_) => last_event_at(cx, cycle)?,
        None => None,
    };
    let mut reopens = 0;
    for &(i, e) in &events {
        let (Some(from), Some(to)) = (
            text(e, "from_state").and_then(|s| s.parse::<CycleState>().ok()),
            text(e, "to_state").and_then(|s| s.parse::<CycleState>().ok()),
        ) else {
            continue;
        };
        let step = CycleStep::between(from, to);
        if from != state {
            found.refuse(
                i,
                e,
                Some("from_state"),
                format!("forged history: the cycle is {state} at that point, not {from}"),
            );
        } else if let Some(step) = step {
            if e.get("forced") == Some(&Val::Int(1)) && !step.waits_for_reviews() {
                found.refuse(
                    i,
                    e,
                    Some("forced"),
                    format!("{from} → {to} is never forced: it waits for no reviews"),
                );
            }
            if step.needs_reason() && text(e, "reason").is_none() {
                found.refuse(i, e, Some("reason"), "reopening a cycle needs a reason");
            }
        } else {
            found.refuse(
                i,
                e,
                Some("to_state"),
                format!(
                    "forged history: {from} → {to} is not a step a cycle takes (draft → open → \
                     calibrating → finalized, and finalized → calibrating to reopen)"
                ),
            );
        }
        if let (Some(last), Some(at)) = (&last_local, text(e, "at").and_then(instant)) {
            if at < *last {
                found.refuse(
                    i,
                    e,
                    Some("at"),
                    format!(
                        "forged history: the cycle's history here already goes on to {last}; \
                         events are added after it, not before"
                    ),
                );
            }
        }
        if step == Some(CycleStep::Reopen) {
            reopens += 1;
        }
        state = to;
    }
    // The cycle ends where its history leads.
    let end = state_of(&merged);
    let refuse_cycle = |found: &mut Found, column: &str, why: String| match record {
        Some(ri) => found.refuse_column(ri, &cx.plan().records[ri], column, why),
        None => {
            if let Some(&(i, e)) = events.last() {
                found.refuse(i, e, None, why);
            }
        }
    };
    if end.is_some_and(|end| end != state) {
        let end = end.map_or("?", CycleState::as_str);
        let why = if events.is_empty() {
            format!(
                "the cycle is {state} here; it moves to {end} only by the steps of its history, \
                 and the file adds none"
            )
        } else {
            format!("the cycle's history leads to {state}, not {end}")
        };
        refuse_cycle(found, "state", why);
    }
    let end_reopened = int(&merged, "reopened").unwrap_or(0);
    if end_reopened - start_reopened != reopens {
        refuse_cycle(
            found,
            "reopened",
            format!(
                "the cycle is reopened {end_reopened} time(s), but its history records {}",
                start_reopened + reopens
            ),
        );
    }
    Ok(())
}

/// When the last event of a cycle (UUID) the database has happened.
fn last_event_at(cx: &Cx<'_>, cycle: &str) -> Result<Option<Instant>> {
    let Some(id) = cx.session().row_id("cycle", cycle)? else {
        return Ok(None);
    };
    Ok(cx
        .session()
        .events(id)?
        .iter()
        .filter_map(|e| instant(&e.at))
        .max())
}

type Instant = chrono::DateTime<chrono::FixedOffset>;

/// A timestamp as an instant (events are ordered by when they happened,
/// whatever offset they were written with).
fn instant(s: &str) -> Option<Instant> {
    chrono::DateTime::parse_from_rfc3339(s).ok()
}

//! Who may write each record: an import applies every change with the
//! permissions of the person the file comes from (`import --from`, else the
//! exporter the file names), by the same access table as the command line.
//! A file from an admin may carry any record (it is the exchange of
//! everything); the state rules of [`super::cycles`] still hold for it.

use super::super::Refusal;
use super::{Cx, Found, text};
use crate::app::access::{Policy, denied};
use crate::domain::access::Act;
use crate::error::Result;
use crate::store::exchange::RawRow;

/// The columns of a person a profile edit changes (the rest are the
/// organisation's: manager, team, active, admin).
const PROFILE: &[&str] = &[
    "name",
    "email",
    "title",
    "mission_purpose",
    "mission_customers",
    "mission_product",
    "mission_scope",
    "checkin_cadence_days",
    "created_at",
    "updated_at",
];

/// A person's or team's handle by UUID, as it would be after the import.
fn handle(cx: &Cx<'_>, table: &str, uuid: Option<&str>) -> Result<Option<String>> {
    let Some(uuid) = uuid else { return Ok(None) };
    Ok(cx
        .view
        .row_of(table, uuid)?
        .and_then(|r| text(&r, "handle").map(str::to_string)))
}

/// The owner of a goal (UUID): (handle, is a team).
fn goal_owner(cx: &Cx<'_>, goal: Option<&str>) -> Result<Option<(String, bool)>> {
    let Some(g) = goal.map(str::to_string) else {
        return Ok(None);
    };
    let Some(row) = cx.view.row_of("goal", &g)? else {
        return Ok(None);
    };
    owner_of(cx, &row)
}

fn owner_of(cx: &Cx<'_>, goal: &RawRow) -> Result<Option<(String, bool)>> {
    if let Some(p) = handle(cx, "person", text(goal, "owner_person_id"))? {
        return Ok(Some((p, false)));
    }
    Ok(handle(cx, "team", text(goal, "owner_team_id"))?.map(|t| (t, true)))
}

/// Refuse record `i` unless the file's person may write it: the record as
/// the file has it and, for a record that exists here, as it is now (a
/// file may not take over someone else's record by rewriting who it
/// belongs to).
pub(super) fn check(
    cx: &Cx<'_>,
    from: &Policy,
    i: usize,
    row: &RawRow,
    found: &mut Found,
) -> Result<()> {
    if from.is_admin() {
        return Ok(());
    }
    let me = from.handle().unwrap_or_default().to_string();
    let mut outcome = may_write(cx, from, &me, i, row)?;
    if outcome.is_ok()
        && let Some(old) = cx.plan().local(i)
    {
        outcome = may_write(cx, from, &me, i, old)?;
    }
    if let Err(e) = outcome {
        let reason = format!("{} (the file comes from {me})", e.message());
        found.0.push(Refusal::new(i, row, None, reason).with_hint(
            "changes are checked against the permissions of the person the file comes from; \
                 if it is an admin's export you trust and you are an admin here, \
                 name them with --from HANDLE",
        ));
    }
    Ok(())
}

/// The columns of a development action that its follow-up changes (the
/// rest is what the review said of it).
pub(super) const ACTION_FOLLOW_UP: &[&str] = &["status", "note", "closed_at", "updated_at"];

/// Whether a development action's new copy changes only its follow-up.
pub(super) fn only_follow_up(row: &RawRow, old: &RawRow) -> bool {
    row.def()
        .cols
        .iter()
        .zip(row.vals.iter().zip(&old.vals))
        .all(|(c, (a, b))| a == b || ACTION_FOLLOW_UP.contains(&c.name))
}

/// Refuse deletion `i` (of the local row `local`) unless the file's person
/// may change that record: what they may not change on the command line,
/// they may not delete through a file.
pub(super) fn check_delete(
    cx: &Cx<'_>,
    from: &Policy,
    i: usize,
    local: &RawRow,
    found: &mut Found,
) -> Result<()> {
    if from.is_admin() {
        return Ok(());
    }
    let me = from.handle().unwrap_or_default().to_string();
    if let Err(e) = may_write(cx, from, &me, usize::MAX, local)? {
        let reason = format!(
            "not allowed to delete: {} (the file comes from {me})",
            e.message()
        );
        found.0.push(Refusal::new(i, local, None, reason));
    }
    Ok(())
}

/// Whether `me` may write record `i` in the state `row`.
fn may_write(cx: &Cx<'_>, from: &Policy, me: &str, i: usize, row: &RawRow) -> Result<Result<()>> {
    let s = cx.session();
    let table = row.def().name;
    let outcome = match table {
        "period" | "team" => from.check(s, Act::ChangeOrg, None, None),
        "person" => {
            let profile_only = cx.plan().local(i).is_some_and(|old| {
                row.def()
                    .cols
                    .iter()
                    .zip(row.vals.iter().zip(&old.vals))
                    .all(|(c, (a, b))| a == b || PROFILE.contains(&c.name))
            });
            if profile_only {
                from.check(s, Act::EditProfile, text(row, "handle"), None)
            } else {
                from.check(s, Act::ChangeOrg, None, None)
            }
        }
        "goal" => {
            let mut r = Ok(());
            if let Some(old) = cx.plan().local(i)
                && let Some((o, team)) = owner_of(cx, old)?
            {
                r = from.check_owner(s, &o, team);
            }
            match (r, owner_of(cx, row)?) {
                (Ok(()), Some((o, team))) => from.check_owner(s, &o, team),
                (r, _) => r,
            }
        }
        "measure" | "checkin" => match goal_owner(cx, text(row, "goal_id"))? {
            Some((o, team)) => from.check_owner(s, &o, team),
            None => Ok(()),
        },
        "feedback" => {
            let author = handle(cx, "person", text(row, "from_id"))?;
            let to = handle(cx, "person", text(row, "to_id"))?;
            if author.as_deref() != Some(me) {
                Err(crate::error::Error::failed(format!(
                    "not allowed: feedback by {} comes only from its author's own file",
                    author.as_deref().unwrap_or("no one")
                )))
            } else {
                from.check(s, Act::GiveFeedback, to.as_deref(), None)
            }
        }
        "review" => {
            let reviewer = handle(cx, "person", text(row, "reviewer_id"))?;
            let subject = handle(cx, "person", text(row, "subject_id"))?;
            let kind = text(row, "kind").unwrap_or_default();
            let mut r = from.check(s, Act::WriteReview, subject.as_deref(), reviewer.as_deref());
            // A new review of someone else is a nomination, and a manager
            // review is written by someone above its subject.
            if r.is_ok() && cx.plan().local(i).is_none() && kind != "self" {
                r = from.check(s, Act::Nominate, subject.as_deref(), None);
            }
            if r.is_ok()
                && kind == "manager"
                && let (Some(by), Some(of)) = (&reviewer, &subject)
                && !Policy::person(by, false).manages(s, of)?
            {
                r = Err(crate::error::Error::failed(format!(
                    "not allowed: {by} is not above {of} in the manager chain, so cannot write their manager review"
                )));
            }
            r
        }
        "rating" => {
            let review = text(row, "review_id").map(str::to_string);
            let review = match review {
                Some(r) => cx.view.row_of("review", &r)?,
                None => None,
            };
            match review {
                Some(r) => {
                    let reviewer = handle(cx, "person", text(&r, "reviewer_id"))?;
                    let subject = handle(cx, "person", text(&r, "subject_id"))?;
                    from.check(s, Act::WriteReview, subject.as_deref(), reviewer.as_deref())
                }
                None => Ok(()),
            }
        }
        "cycle" => {
            let creator = handle(cx, "person", text(row, "created_by"))?;
            let act = if cx.plan().local(i).is_some() {
                Act::MoveCycle
            } else {
                Act::CreateCycle
            };
            if creator.as_deref() == Some(me) {
                Ok(())
            } else {
                Err(denied(Some(me), act, text(row, "name").unwrap_or("")))
            }
        }
        "cycle_event" | "appraisal_record" => {
            let cycle = text(row, "cycle_id").map(str::to_string);
            let creator = match cycle {
                Some(c) => match cx.view.row_of("cycle", &c)? {
                    Some(c) => handle(cx, "person", text(&c, "created_by"))?,
                    None => None,
                },
                None => None,
            };
            from.check(s, Act::MoveCycle, None, creator.as_deref())
        }
        "template" => {
            // A new cycle's template comes with it from its creator.
            let ours = cx.plan().written().any(|(j, r)| {
                r.def().name == "cycle"
                    && text(r, "template_id") == Some(row.uuid.as_str())
                    && cx.plan().local(j).is_none()
                    && handle(cx, "person", text(r, "created_by"))
                        .ok()
                        .flatten()
                        .as_deref()
                        == Some(me)
            });
            if ours {
                Ok(())
            } else {
                from.check(s, Act::ChangeOrg, None, None)
            }
        }
        "participant" => {
            let person = handle(cx, "person", text(row, "person_id"))?;
            let act = if cx.plan().local(i).is_some() {
                Act::Acknowledge
            } else {
                Act::CreateCycle
            };
            from.check(s, act, person.as_deref(), None)
        }
        "outcome" => {
            let subject = handle(cx, "person", text(row, "subject_id"))?;
            from.check(s, Act::Calibrate, subject.as_deref(), None)
        }
        "action" => {
            let subject = handle(cx, "person", text(row, "subject_id"))?;
            let act = match cx.plan().local(i) {
                Some(old) if only_follow_up(row, old) => Act::TrackAction,
                _ => Act::Calibrate,
            };
            from.check(s, act, subject.as_deref(), None)
        }
        "acknowledgement" => {
            let person = handle(cx, "person", text(row, "person_id"))?;
            if cx.plan().local(i).is_some() {
                // Voided by a reopening: whoever may move the cycle.
                let creator = match text(row, "cycle_id").map(str::to_string) {
                    Some(c) => match cx.view.row_of("cycle", &c)? {
                        Some(c) => handle(cx, "person", text(&c, "created_by"))?,
                        None => None,
                    },
                    None => None,
                };
                from.check(s, Act::MoveCycle, None, creator.as_deref())
            } else {
                from.check(s, Act::Acknowledge, person.as_deref(), None)
            }
        }
        "pip" => {
            let subject = handle(cx, "person", text(row, "subject_id"))?;
            from.check(s, Act::ManagePlan, subject.as_deref(), None)
        }
        "pip_goal" | "pip_checkpoint" | "pip_step" => {
            let pip = text(row, "pip_id").map(str::to_string);
            let subject = match pip {
                Some(p) => match cx.view.row_of("pip", &p)? {
                    Some(p) => handle(cx, "person", text(&p, "subject_id"))?,
                    None => None,
                },
                None => None,
            };
            let act = if table == "pip_step" && text(row, "kind") == Some("acknowledged") {
                Act::Acknowledge
            } else {
                Act::ManagePlan
            };
            from.check(s, act, subject.as_deref(), None)
        }
        _ => from.check(s, Act::ChangeOrg, None, None),
    };
    Ok(outcome)
}

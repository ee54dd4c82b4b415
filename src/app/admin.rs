//! The database as a whole: who "me" is, the operation log, undo, and
//! erasing a row's history.

use super::access::Policy;
use crate::domain::access::{Act, Grant, Item};
use crate::error::{Error, Result};
use crate::store::oplog::{AudienceKind, OpEntry};
use crate::store::{Session, UndoPreview};

/// Erase every trace of one row (just removed by this write) from the undo
/// history, so that its contents leave the database. This write cannot be
/// undone; the other operations that changed the row still undo the rest
/// of what they did.
pub fn purge(s: &mut dyn Session, table: &str, row: i64) -> Result<()> {
    s.purge_row_history(table, row)?;
    s.set_irreversible();
    s.mark_changed();
    Ok(())
}

/// An operation as the acting person may read it: whole, or (for an
/// operation about a record they may not see) with its public summary and
/// without the name of who ran it.
pub fn readable(s: &dyn Session, policy: &Policy, mut op: OpEntry) -> Result<OpEntry> {
    let Some(a) = &op.audience else {
        return Ok(op);
    };
    let item = match a.kind {
        AudienceKind::PeerReview => Item::PeerReview,
        AudienceKind::PrivateFeedback => Item::PrivateFeedback,
        AudienceKind::Appraisal => Item::Appraisal,
    };
    // Whoever ran it reads it whole; others only with an unconditional
    // grant (the log does not follow a record's state).
    if policy.handle() == Some(op.actor.as_str()) {
        return Ok(op);
    }
    let subject = (!a.subject.is_empty()).then_some(a.subject.as_str());
    if policy.grant(s, item, subject, None)? == Grant::Yes {
        return Ok(op);
    }
    op.summary = op
        .public_summary
        .clone()
        .unwrap_or_else(|| "(a confidential change)".to_string());
    op.actor = "(hidden)".to_string();
    Ok(op)
}

/// `log`: the operations, newest first, as the acting person may read them.
pub fn log(s: &dyn Session, policy: &Policy, limit: Option<usize>) -> Result<Vec<OpEntry>> {
    s.list_ops(limit)?
        .into_iter()
        .map(|op| readable(s, policy, op))
        .collect()
}

/// `init --me`: record who "me" is, adding them as a person with `name`
/// when they are new.
pub fn set_me(
    s: &mut dyn Session,
    now: &str,
    policy: &Policy,
    handle: &str,
    name: Option<&str>,
) -> Result<()> {
    policy.check(s, Act::ChangeOrg, None, None)?;
    if let Some(n) = name {
        super::org::add_person(
            s,
            now,
            policy,
            handle,
            &super::org::PersonPatch {
                name: Some(n.to_string()),
                ..Default::default()
            },
        )?;
    }
    s.set_setting("me", handle)?;
    s.set_summary(&format!("set me = {handle}"));
    Ok(())
}

/// What `undo` would revert: the acting person's latest operation (an
/// admin's: anyone's) that can be undone. Exit 1 when there is none, when
/// it loaded data in bulk and keeps no history, or when a later operation
/// changed the same records (named).
pub fn undo_preview(s: &dyn Session, policy: &Policy) -> Result<UndoPreview> {
    let by = if policy.is_admin() {
        None
    } else {
        policy.handle()
    };
    let Some(mut preview) = s.undo_preview(by)? else {
        return Err(Error::failed(match by {
            Some(me) => format!("nothing to undo: no operation of {me}'s is left to undo"),
            None => "nothing to undo".to_string(),
        }));
    };
    policy.check(s, Act::Undo, None, Some(&preview.op.actor))?;
    if preview.bulk {
        return Err(Error::failed(format!(
            "nothing more can be undone: operation {} ({}) loaded data in bulk and keeps no undo history",
            preview.op.id, preview.op.command
        ))
        .with_hint("start again from a backup (`yardstick backup`) or a fresh file instead"));
    }
    let later = s.undo_conflicts(preview.op.id)?;
    if !later.is_empty() {
        let named: Vec<String> = later
            .into_iter()
            .map(|o| {
                readable(s, policy, o).map(|o| format!("{} ({} by {})", o.id, o.command, o.actor))
            })
            .collect::<Result<_>>()?;
        return Err(Error::failed(format!(
            "cannot undo operation {} ({}): later operation(s) changed the same records: {}",
            preview.op.id,
            preview.op.command,
            named.join(", ")
        ))
        .with_hint(
            "undo those first (their authors, or an admin), or change the records back by hand",
        ));
    }
    preview.op = readable(s, policy, preview.op)?;
    Ok(preview)
}

/// How `undo` describes what it will do: "remove 1 goal, revert 2 measures".
pub fn undo_effects(preview: &UndoPreview) -> Vec<String> {
    preview
        .changes
        .iter()
        .map(|(t, action, n)| {
            let verb = action.undo_verb();
            let noun = match (t.as_str(), *n) {
                ("person", 1) => "person".to_string(),
                ("person", _) => "people".to_string(),
                (other, 1) => other.to_string(),
                (other, _) => format!("{other}s"),
            };
            format!("{verb} {n} {noun}")
        })
        .collect()
}

/// The values shell completion offers for `kind`: handles, teams, goals
/// (keys) or cycles (names).
pub fn completion_values(s: &dyn Session, kind: &str) -> Result<Vec<String>> {
    Ok(match kind {
        "handles" => s
            .list_people(None, false)?
            .into_iter()
            .map(|p| p.handle)
            .collect(),
        "teams" => s.list_teams()?.into_iter().map(|t| t.handle).collect(),
        "goals" => s.all_goals()?.into_iter().map(|g| g.key).collect(),
        "cycles" => s.list_cycles()?.into_iter().map(|c| c.name).collect(),
        other => {
            return Err(Error::invalid(format!("unknown value kind '{other}'"))
                .with_hint("handles, teams, goals or cycles"));
        }
    })
}

//! The database as a whole: who "me" is, the operation log, undo, and
//! erasing a row's history.

use crate::error::{Error, Result};
use crate::store::{Session, UndoPreview};

/// Erase every before-image of one row from the undo history, so that its
/// contents leave the database; the operations that held them can no
/// longer be undone.
pub fn purge(s: &mut dyn Session, table: &str, row: i64, now: &str) -> Result<()> {
    s.purge_row_history(table, row, now)?;
    s.mark_changed();
    Ok(())
}

/// `init --me`: record who "me" is, adding them as a person with `name`
/// when they are new.
pub fn set_me(s: &mut dyn Session, now: &str, handle: &str, name: Option<&str>) -> Result<()> {
    if let Some(n) = name {
        super::org::add_person(
            s,
            now,
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

/// What `undo` would revert; exit 1 when there is nothing, or when the
/// latest operation loaded data in bulk and keeps no history.
pub fn undo_preview(s: &dyn Session) -> Result<UndoPreview> {
    let Some(preview) = s.undo_preview()? else {
        return Err(Error::failed("nothing to undo"));
    };
    if preview.bulk {
        return Err(Error::failed(format!(
            "nothing more can be undone: operation {} ({}) loaded data in bulk and keeps no undo history",
            preview.op.id, preview.op.command
        ))
        .with_hint("start again from a backup (`yardstick backup`) or a fresh file instead"));
    }
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

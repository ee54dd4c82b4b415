//! `feedback`: continuous feedback outside review cycles.
//!
//! Private feedback is visible only to its author and to the managers above
//! its subject. The rule is applied when an acting person is given (`--as`,
//! YARDSTICK_USER or the config's `user`); lists say how many items were hidden.

use super::ctx::Ctx;
use crate::domain::FeedbackKind;
use crate::error::{Error, Result};
use crate::render::activity;
use crate::store::feedback::{self as sfb, Feedback, FeedbackFilter, NewFeedback};
use crate::store::{org, plan as splan};
use crate::time::{parse_date, parse_date_end};
use clap::Subcommand;
use rusqlite::Connection;

#[derive(Debug, Subcommand)]
pub enum FeedbackCmd {
    /// Give feedback to a person (as the acting person)
    #[command(
        after_help = "Examples:\n  yardstick --as bob feedback give alice \"The cache design review was excellent\" --kind praise --goal api-latency\n  \
yardstick --as bob feedback give alice \"Estimates keep slipping; let's talk\" --kind concern --private"
    )]
    Give {
        /// Who it is for (handle)
        to: String,
        /// The feedback
        #[arg(allow_hyphen_values = true)]
        text: String,
        /// praise, coaching, concern or 360
        #[arg(long, default_value = "praise")]
        kind: FeedbackKind,
        /// The goal it is about (id or key)
        #[arg(long)]
        goal: Option<String>,
        /// Visible only to you and the subject's managers
        #[arg(long)]
        private: bool,
        /// The day it is about (default today)
        #[arg(long)]
        date: Option<String>,
    },
    /// List feedback, newest first
    #[command(visible_alias = "ls")]
    List {
        /// About this person
        #[arg(long)]
        to: Option<String>,
        /// By this person
        #[arg(long)]
        from: Option<String>,
        /// About people in this team and its sub-teams
        #[arg(long)]
        team: Option<String>,
        /// On or after this date
        #[arg(long)]
        since: Option<String>,
        /// On or before this date
        #[arg(long)]
        until: Option<String>,
        /// Only this kind
        #[arg(long)]
        kind: Option<FeedbackKind>,
        /// At most this many
        #[arg(long)]
        limit: Option<usize>,
    },
    /// Remove a piece of feedback (its author or the subject's managers)
    Rm {
        /// Feedback id
        id: i64,
        /// Also erase it from the undo history, so its text leaves the file (cannot be undone)
        #[arg(long)]
        purge: bool,
    },
}

impl FeedbackCmd {
    pub fn name(&self) -> &'static str {
        match self {
            FeedbackCmd::Give { .. } => "give",
            FeedbackCmd::List { .. } => "list",
            FeedbackCmd::Rm { .. } => "rm",
        }
    }
}

/// Whether `viewer` may see `f`: shared feedback is visible to all; private
/// feedback to its author and the managers above its subject.
pub fn visible(conn: &Connection, f: &Feedback, viewer: Option<&str>) -> Result<bool> {
    let Some(v) = viewer else { return Ok(true) };
    if !f.private || f.from.as_deref() == Some(v) {
        return Ok(true);
    }
    Ok(sfb::managers(conn, &f.to)?.iter().any(|m| m == v))
}

pub fn run(ctx: &mut Ctx, cmd: FeedbackCmd) -> Result<()> {
    match cmd {
        FeedbackCmd::Give {
            to,
            text,
            kind,
            goal,
            private,
            date,
        } => {
            let mut store = ctx.open_write()?;
            let Some(me) = ctx.actor(&store)? else {
                return Err(Error::invalid("who is giving the feedback?").with_hint(
                    "pass --as HANDLE (or set YARDSTICK_USER, or `yardstick init --me HANDLE`)",
                ));
            };
            let from = org::get_person(store.conn(), &me).map_err(|e| e.context("--as"))?;
            let subject = org::get_person(store.conn(), &to)?;
            if subject.id == from.id {
                return Err(Error::invalid("feedback is for someone else").with_hint(
                    "record notes on your own goals with `yardstick checkin GOAL --note ...`",
                ));
            }
            let goal_id = goal
                .map(|g| splan::get_goal(store.conn(), &g).map(|g| g.id))
                .transpose()?;
            let date = match date {
                Some(d) => parse_date(&d, &ctx.clock).map_err(|e| e.context("--date"))?,
                None => ctx.clock.today,
            };
            let new = NewFeedback {
                from_id: Some(from.id),
                to_id: subject.id,
                date,
                kind,
                text,
                goal_id,
                private,
            };
            let now = ctx.now();
            let w = store.write_inserting(&ctx.op(&store)?, |tx| {
                let f = sfb::add(tx, &now, &new)?;
                tx.set_summary(format!(
                    "{} feedback from {} to {}{}",
                    f.kind,
                    me,
                    f.to,
                    if f.private { " (private)" } else { "" }
                ));
                Ok(f)
            })?;
            ctx.ui.note(format!(
                "Recorded {} for {}{}.",
                w.value.kind,
                w.value.to,
                if private {
                    " (private: you and their managers)"
                } else {
                    ""
                }
            ));
            ctx.emit_if_asked(&activity::feedback(&[w.value]))
        }
        FeedbackCmd::List {
            to,
            from,
            team,
            since,
            until,
            kind,
            limit,
        } => {
            let store = ctx.open_read()?;
            let conn = store.conn();
            let filter = FeedbackFilter {
                to: to.map(|h| org::person_id(conn, &h)).transpose()?,
                from: from.map(|h| org::person_id(conn, &h)).transpose()?,
                teams: team
                    .map(|t| org::team_id(conn, &t).and_then(|id| org::team_subtree(conn, id)))
                    .transpose()?,
                since: since
                    .map(|d| parse_date(&d, &ctx.clock).map_err(|e| e.context("--since")))
                    .transpose()?,
                until: until
                    .map(|d| parse_date_end(&d, &ctx.clock).map_err(|e| e.context("--until")))
                    .transpose()?,
                kind,
            };
            let viewer = ctx.acting.as_ref().map(|(h, _)| h.as_str());
            let mut shown = Vec::new();
            let mut hidden = 0usize;
            for f in sfb::list(conn, &filter)? {
                if visible(conn, &f, viewer)? {
                    shown.push(f);
                } else {
                    hidden += 1;
                }
            }
            if let Some(l) = limit {
                shown.truncate(l);
            }
            if hidden > 0 {
                ctx.ui.note(format!(
                    "{hidden} private item(s) hidden: private feedback is visible only to its author and the subject's managers."
                ));
            }
            ctx.emit(&activity::feedback(&shown))
        }
        FeedbackCmd::Rm { id, purge } => {
            let mut store = ctx.open_write()?;
            let f = sfb::get(store.conn(), id)?;
            let viewer = ctx.acting.as_ref().map(|(h, _)| h.as_str());
            if !visible(store.conn(), &f, viewer)? {
                return Err(Error::not_found("feedback", &id.to_string()));
            }
            if !ctx.confirm(&format!("Remove {} feedback {id} for {}?", f.kind, f.to))? {
                return Err(Error::failed("cancelled; nothing was changed"));
            }
            let now = ctx.now();
            store.write_touching(&ctx.op(&store)?, &["feedback"], |tx| {
                sfb::remove(tx, id)?;
                tx.set_summary(format!("removed feedback {id} for {}", f.to));
                if purge {
                    crate::store::oplog::purge_row_history(tx, "feedback", id, &now)?;
                    tx.mark_changed();
                }
                Ok(())
            })?;
            ctx.ui.note(if purge {
                format!("Removed feedback {id} and erased it from the undo history; it cannot be brought back.")
            } else {
                format!("Removed feedback {id}. `yardstick undo` brings it back; `--purge` erases it for good.")
            });
            Ok(())
        }
    }
}

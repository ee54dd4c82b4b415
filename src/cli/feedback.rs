//! `feedback`: continuous feedback outside review cycles.
//!
//! Private feedback is visible only to its author and to the managers above
//! its subject. The rule is applied when an acting person is given (`--as`,
//! YARDSTICK_USER or the config's `user`); lists say how many items were hidden.

use super::ctx::Ctx;
use super::views::activity;
use crate::app::access::Policy;
use crate::app::feedback::{self, GiveInput, ListInput};
use crate::domain::FeedbackKind;
use crate::error::Result;
use crate::store::WriteScope;
use clap::Subcommand;

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
        /// With -o FILE: write private feedback you may see into the file too (left out by default)
        #[arg(long)]
        include_private: bool,
    },
    /// Remove a piece of feedback (its author, or an admin)
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

pub fn run(ctx: &mut Ctx, cmd: FeedbackCmd) -> Result<()> {
    match cmd {
        FeedbackCmd::Give {
            to,
            text,
            kind,
            goal,
            private,
            date,
        } => give(
            ctx,
            &GiveInput {
                to,
                text,
                kind,
                goal,
                private,
                date,
            },
        ),
        FeedbackCmd::List {
            to,
            from,
            team,
            since,
            until,
            kind,
            limit,
            include_private,
        } => {
            let input = ListInput {
                to,
                from,
                team,
                since,
                until,
                kind,
                limit,
                include_private: ctx.keeps_private(include_private),
            };
            list(ctx, &input)
        }
        FeedbackCmd::Rm { id, purge } => remove(ctx, id, purge),
    }
}

fn list(ctx: &mut Ctx, input: &ListInput) -> Result<()> {
    let store = ctx.open_read()?;
    let policy = ctx.policy(&store)?;
    let (shown, hidden) = feedback::list(&*store.read(), &ctx.clock, &policy, input)?;
    if hidden > 0 {
        ctx.ui.note(if input.include_private {
            format!(
                "{hidden} private item(s) hidden: private feedback is visible only to its author, the subject's managers and admins."
            )
        } else {
            format!(
                "{hidden} private item(s) left out of the file: pass --include-private to write those you may see."
            )
        });
    }
    ctx.emit(&activity::feedback(&shown))
}

fn give(ctx: &mut Ctx, input: &GiveInput) -> Result<()> {
    let mut store = ctx.open_write()?;
    let actor = ctx.actor(&store)?;
    let new = feedback::prepare(&*store.read(), &ctx.clock, &actor, input)?;
    let me = actor.handle.unwrap_or_default();
    let now = ctx.now();
    let w = ctx.write(&mut store, WriteScope::Inserts, |s| {
        feedback::give(s, &now, &me, &new)
    })?;
    ctx.ui.note(format!(
        "Recorded {} for {}{}.",
        w.value.kind,
        w.value.to,
        if input.private {
            " (private: you, their managers and admins)"
        } else {
            ""
        }
    ));
    ctx.emit_if_asked(&activity::feedback(&[w.value]))
}

fn remove(ctx: &mut Ctx, id: i64, purge: bool) -> Result<()> {
    let mut store = ctx.open_write()?;
    let actor = ctx.actor(&store)?;
    let f = feedback::get_visible(&*store.read(), id, &ctx.policy(&store)?)?;
    ctx.confirm_or_cancel(&format!("Remove {} feedback {id} for {}?", f.kind, f.to))?;
    ctx.write(&mut store, WriteScope::Tables(&["feedback"]), |s| {
        let policy = Policy::resolve(s, &actor)?;
        feedback::remove(s, id, &policy, purge)
    })?;
    ctx.ui.note(super::removed_note("feedback", id, purge));
    Ok(())
}

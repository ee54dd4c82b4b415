//! `appraise action`: development actions as tracked records — added with
//! an outcome, then marked done or dropped, also once the cycle is
//! finalized (what the review said of them stays as it was).

use super::ctx::Ctx;
use super::views::followup as views;
use crate::app::followup::{self, ActionInput, ActionQuery};
use crate::domain::cycle::ActionStatus;
use crate::error::Result;
use crate::store::WriteScope;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum ActionCmd {
    /// Add a development action to a subject's outcome (while the cycle is calibrating)
    #[command(
        after_help = "Examples:\n  yardstick --as bob appraise action add 2026-H2 alice \"Pair on the caching design\" --due 2027-01-31\n  \
yardstick --as bob appraise action add 2026-H2 alice \"Arrange a mentor\" --owner bob --due \"in 2 weeks\""
    )]
    Add {
        /// Cycle name or id
        cycle: String,
        /// Subject's handle
        subject: String,
        /// What to do
        #[arg(allow_hyphen_values = true)]
        text: String,
        /// By when (a date expression)
        #[arg(long)]
        due: Option<String>,
        /// Who carries it out: the subject (default) or one of their managers
        #[arg(long)]
        owner: Option<String>,
    },
    /// List development actions you may see, with their status
    #[command(visible_alias = "ls")]
    List {
        /// In this cycle
        #[arg(long)]
        cycle: Option<String>,
        /// About, or carried out by, this person
        #[arg(long)]
        person: Option<String>,
        /// open, done or dropped
        #[arg(long)]
        status: Option<String>,
        /// Only open actions past their due date (by --today)
        #[arg(long)]
        overdue: bool,
    },
    /// Mark a development action done
    Done {
        /// The action's number (`appraise action list`)
        id: i64,
        /// How it went
        #[arg(long, allow_hyphen_values = true)]
        note: Option<String>,
    },
    /// Drop a development action (it is no longer pursued), saying why
    Drop {
        /// The action's number (`appraise action list`)
        id: i64,
        /// Why
        #[arg(long, allow_hyphen_values = true)]
        note: String,
    },
}

impl ActionCmd {
    pub fn name(&self) -> &'static str {
        match self {
            ActionCmd::Add { .. } => "add",
            ActionCmd::List { .. } => "list",
            ActionCmd::Done { .. } => "done",
            ActionCmd::Drop { .. } => "drop",
        }
    }
}

pub fn run(ctx: &mut Ctx, cmd: ActionCmd) -> Result<()> {
    match cmd {
        ActionCmd::Add {
            cycle,
            subject,
            text,
            due,
            owner,
        } => {
            let input = ActionInput {
                cycle,
                subject,
                text,
                due,
                owner,
            };
            let mut store = ctx.open_write()?;
            let clock = ctx.clock;
            let w = ctx.write_as(&mut store, WriteScope::Any, |s, p| {
                followup::add_action(s, &clock, p, &input)
            })?;
            ctx.ui.note(format!(
                "Added development action {} for {}.",
                w.value, input.subject
            ));
            Ok(())
        }
        ActionCmd::List {
            cycle,
            person,
            status,
            overdue,
        } => {
            let store = ctx.open_read()?;
            let policy = ctx.policy(&store)?;
            let q = ActionQuery {
                cycle,
                person,
                status,
                overdue,
            };
            let rows = followup::list_actions(&*store.read(), ctx.clock.today, &policy, &q)?;
            ctx.emit(&views::actions(&rows, ctx.clock.today))
        }
        ActionCmd::Done { id, note } => track(ctx, id, ActionStatus::Done, note.as_deref()),
        ActionCmd::Drop { id, note } => track(ctx, id, ActionStatus::Dropped, Some(&note)),
    }
}

fn track(ctx: &mut Ctx, id: i64, status: ActionStatus, note: Option<&str>) -> Result<()> {
    let mut store = ctx.open_write()?;
    let now = ctx.now();
    let w = ctx.write_as(&mut store, WriteScope::Tables(&["action"]), |s, p| {
        followup::set_action_status(s, &now, p, id, status, note)
    })?;
    ctx.ui.note(if w.changed {
        format!(
            "Marked development action {id} ({}) {}.",
            w.value.subject,
            status.as_str()
        )
    } else {
        format!("Development action {id} is already {}.", status.as_str())
    });
    Ok(())
}

//! `pip`: performance improvement plans — started by a manager (or an
//! admin) with the expected results as goals of the subject, followed
//! through check points, closed as successful or unsuccessful (or
//! extended); the subject acknowledges with their own words.

use super::ctx::Ctx;
use super::views::followup as views;
use crate::app::pip::{self, CloseInput, StartInput};
use crate::error::Result;
use crate::store::WriteScope;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum PipCmd {
    /// Start an improvement plan: period, reason, expected results (goals), check points
    #[command(
        after_help = "Examples:\n  yardstick --as sam plan add \"Close 4 deals a month\" --owner raj --due 2027-01-31 --metric deals --baseline 1 --target 4\n  \
yardstick --as sam pip start raj --until 2027-01-31 --reason \"Missed quota three months running\" --goal close-4-deals-a-month --checkpoint 2026-12-15 --checkpoint 2027-01-15\n\n\
The expected results are goals of the subject with measures (`plan add … --metric`); their progress shows in `pip show`. \
Only the subject's managers and admins start, change and see a plan; the subject sees and acknowledges it."
    )]
    Start {
        /// Whose plan (a handle)
        subject: String,
        /// First day (a date expression; default today)
        #[arg(long, conflicts_with = "period")]
        from: Option<String>,
        /// Last day (a date expression)
        #[arg(long, conflicts_with = "period")]
        until: Option<String>,
        /// Or a period for its dates (2026-Q4, 2026-12, a custom period)
        #[arg(long)]
        period: Option<String>,
        /// Why the plan is needed
        #[arg(long, allow_hyphen_values = true)]
        reason: String,
        /// An expected result: a goal of the subject with a measure (key or id; repeatable)
        #[arg(long = "goal", value_name = "GOAL")]
        goals: Vec<String>,
        /// A check point (a date expression within the plan; repeatable)
        #[arg(long = "checkpoint", value_name = "DATE")]
        checkpoints: Vec<String>,
    },
    /// Show a plan: expected results with progress, check points, steps
    Show {
        /// The plan's number
        pip: String,
    },
    /// List the plans you may see
    #[command(visible_alias = "ls")]
    List {
        /// Only this person's
        #[arg(long)]
        person: Option<String>,
        /// active or closed
        #[arg(long)]
        status: Option<String>,
    },
    /// Record a check point held (the next scheduled one), with what was found
    Checkpoint {
        /// The plan's number
        pip: String,
        /// What was found
        #[arg(long, allow_hyphen_values = true)]
        note: String,
        /// The day it was held (default today)
        #[arg(long)]
        on: Option<String>,
    },
    /// Close a plan as successful or unsuccessful, or extend it (--outcome extended --until DATE)
    Close {
        /// The plan's number
        pip: String,
        /// successful, extended or unsuccessful
        #[arg(long)]
        outcome: String,
        /// The new last day of an extended plan
        #[arg(long)]
        until: Option<String>,
        /// A new check point of an extended plan (repeatable)
        #[arg(long = "checkpoint", value_name = "DATE")]
        checkpoints: Vec<String>,
        /// Why, what was found
        #[arg(long, allow_hyphen_values = true)]
        note: Option<String>,
    },
    /// Acknowledge your plan (as the subject, with --as), optionally in your own words
    Ack {
        /// The plan's number
        pip: String,
        /// Your comment (e.g. where you disagree)
        #[arg(long, allow_hyphen_values = true)]
        comment: Option<String>,
    },
}

impl PipCmd {
    pub fn name(&self) -> &'static str {
        match self {
            PipCmd::Start { .. } => "start",
            PipCmd::Show { .. } => "show",
            PipCmd::List { .. } => "list",
            PipCmd::Checkpoint { .. } => "checkpoint",
            PipCmd::Close { .. } => "close",
            PipCmd::Ack { .. } => "ack",
        }
    }
}

pub fn run(ctx: &mut Ctx, cmd: PipCmd) -> Result<()> {
    match cmd {
        PipCmd::Start {
            subject,
            from,
            until,
            period,
            reason,
            goals,
            checkpoints,
        } => {
            let input = StartInput {
                subject,
                from,
                until,
                period,
                reason,
                goals,
                checkpoints,
            };
            let p = write(ctx, |s, c, p, actor| pip::start(s, c, p, actor, &input))?;
            ctx.ui.note(format!(
                "Started improvement plan {} for {} ({} to {}).",
                p.id, p.subject, p.start, p.end
            ));
            Ok(())
        }
        PipCmd::Show { pip: r } => {
            let store = ctx.open_read()?;
            let policy = ctx.policy(&store)?;
            let v = pip::show(&*store.read(), &ctx.pace(), &policy, &r)?;
            ctx.emit(&views::plan(&v, ctx.clock.today))
        }
        PipCmd::List { person, status } => {
            let store = ctx.open_read()?;
            let policy = ctx.policy(&store)?;
            let rows = pip::list(
                &*store.read(),
                &policy,
                person.as_deref(),
                status.as_deref(),
            )?;
            ctx.emit(&views::plans(&rows))
        }
        PipCmd::Checkpoint { pip: r, note, on } => {
            let p = write(ctx, |s, c, p, actor| {
                pip::checkpoint(s, c, p, actor, &r, on.as_deref(), &note)
            })?;
            ctx.ui.note(format!(
                "Recorded a check point of improvement plan {} ({}).",
                p.id, p.subject
            ));
            Ok(())
        }
        PipCmd::Close {
            pip: r,
            outcome,
            until,
            checkpoints,
            note,
        } => {
            let input = CloseInput {
                outcome,
                until,
                checkpoints,
                note,
            };
            let p = write(ctx, |s, c, p, actor| pip::close(s, c, p, actor, &r, &input))?;
            ctx.ui.note(if p.is_closed() {
                format!("Closed improvement plan {} as {}.", p.id, p.status())
            } else {
                format!("Extended improvement plan {} to {}.", p.id, p.end)
            });
            Ok(())
        }
        PipCmd::Ack { pip: r, comment } => {
            let mut store = ctx.open_write()?;
            let now = ctx.now();
            let w = ctx.write_as(&mut store, WriteScope::Inserts, |s, p| {
                pip::acknowledge(s, &now, p, &r, comment.as_deref())
            })?;
            let (p, new) = w.value;
            ctx.ui.note(if new {
                format!("Acknowledged improvement plan {}.", p.id)
            } else {
                format!("Improvement plan {} is already acknowledged.", p.id)
            });
            Ok(())
        }
    }
}

/// Run a plan's write as one logged operation, with the clock, the policy
/// and the acting person's name for the plan's history.
fn write<T>(
    ctx: &mut Ctx,
    f: impl FnOnce(
        &mut dyn crate::store::Session,
        &crate::time::Clock,
        &crate::app::access::Policy,
        &str,
    ) -> Result<T>,
) -> Result<T> {
    let mut store = ctx.open_write()?;
    let actor = ctx.op(&store)?.actor;
    let clock = ctx.clock;
    let w = ctx.write_as(&mut store, WriteScope::Any, |s, p| f(s, &clock, p, &actor))?;
    Ok(w.value)
}

//! `plan`: goals, measures, the alignment tree, carry-over, and plan files.

use super::ctx::Ctx;
use super::views::org as views;
use super::{clearable, number, weight};
use crate::app::org;
use crate::app::plan::{self, GoalFields, GoalFilter, MeasurePatch};
use crate::app::report::plan::{goal_list, goal_view, plan_tree};
use crate::domain::goal::parse_statuses;
use crate::domain::{Direction, GoalStatus, MeasureKind, Priority};
use crate::error::{Error, Result};
use crate::store::{Session, Store, WriteScope};
use clap::{Args, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum PlanCmd {
    /// Add a goal, optionally with its first measure
    #[command(after_help = "Examples:\n  \
yardstick plan add \"Cut API latency\" --owner platform --period 2026-Q4 --parent reliability \\\n      \
--metric \"p95 latency\" --unit ms --baseline 450 --target 200 --stretch 150\n  \
yardstick plan add \"Write the onboarding guide\" --owner alice --due eom --metric done --kind yesno --baseline 0 --target 1\n\n\
Without --period, --start or --due the goal gets the current quarter.")]
    Add(AddArgs),
    /// Add a measure (KPI, key result) to a goal
    #[command(
        after_help = "Example:\n  yardstick plan measure api-latency \"error rate\" --unit % --baseline 2.5 --target 1 --floor 4"
    )]
    Measure {
        /// Goal id or key
        goal: String,
        /// Measure name, unique within the goal
        name: String,
        #[command(flatten)]
        measure: MeasureArgs,
    },
    /// List goals (open and closed, not dropped, unless --status says otherwise)
    #[command(visible_alias = "ls")]
    List(ListArgs),
    /// Show a goal with its measures and aligned goals
    Show {
        /// Goal id or key
        goal: String,
    },
    /// Change a goal, or one of its measures with --measure (pass "none" to clear a field)
    #[command(
        after_help = "Examples:\n  yardstick plan edit api-latency --due 2027-01-31 --weight 2\n  \
yardstick plan edit api-latency --measure \"p95 latency\" --target 180 --stretch none"
    )]
    Edit(EditArgs),
    /// Close a goal as achieved (default), missed or dropped
    Close {
        /// Goal id or key
        goal: String,
        /// How it ended
        #[arg(default_value_t = GoalStatus::Achieved.to_string(), value_parser = clap::builder::PossibleValuesParser::new(closing_statuses()))]
        outcome: String,
    },
    /// Reopen a closed goal
    Reopen {
        /// Goal id or key
        goal: String,
    },
    /// Remove a goal (with its measures and check-ins), or one measure with --measure
    Rm {
        /// Goal id or key
        goal: String,
        /// Remove only this measure
        #[arg(long)]
        measure: Option<String>,
    },
    /// Show the alignment tree with rolled-up progress
    Tree {
        /// Start from this goal (id or key)
        goal: Option<String>,
        #[command(flatten)]
        filter: FilterArgs,
    },
    /// Copy unfinished goals of one period into another
    #[command(
        after_help = "Example:\n  yardstick plan carry --from 2026-Q3 --to 2026-Q4 --dry-run\n\n\
Each draft or active goal of the source period is copied with key KEY-<period>, its measures' \
baselines set to their latest values. Goals already carried are skipped."
    )]
    Carry {
        /// Period to copy from
        #[arg(long)]
        from: String,
        /// Period to copy to
        #[arg(long)]
        to: String,
        /// Show what would be copied without writing
        #[arg(long)]
        dry_run: bool,
    },
    /// Create or update people, teams, periods, goals and measures from a TOML plan
    #[command(
        after_help = "Examples:\n  yardstick plan apply team-plan.toml --dry-run\n  yardstick plan apply team-plan.toml\n\n\
Applying the same file twice changes nothing. With --prune, goals and measures that the file \
does not list are removed (never people or teams). See docs/plan-file.md."
    )]
    Apply {
        /// The plan file
        file: PathBuf,
        /// Show the changes without writing
        #[arg(long)]
        dry_run: bool,
        /// Remove goals and measures the file does not list
        #[arg(long)]
        prune: bool,
    },
    /// Write the plan as TOML that `plan apply` accepts
    #[command(after_help = "Example:\n  yardstick plan export -o team-plan.toml")]
    Export {
        /// Only goals in this period
        #[arg(long)]
        period: Option<String>,
        /// Only goals of this owner (person or team)
        #[arg(long)]
        owner: Option<String>,
    },
}

impl PlanCmd {
    pub fn name(&self) -> &'static str {
        match self {
            PlanCmd::Add(_) => "add",
            PlanCmd::Measure { .. } => "measure",
            PlanCmd::List(_) => "list",
            PlanCmd::Show { .. } => "show",
            PlanCmd::Edit(_) => "edit",
            PlanCmd::Close { .. } => "close",
            PlanCmd::Reopen { .. } => "reopen",
            PlanCmd::Rm { .. } => "rm",
            PlanCmd::Tree { .. } => "tree",
            PlanCmd::Carry { .. } => "carry",
            PlanCmd::Apply { .. } => "apply",
            PlanCmd::Export { .. } => "export",
        }
    }
}

#[derive(Debug, Args)]
pub struct GoalArgs {
    /// Stable key (default: made from the title)
    #[arg(long)]
    key: Option<String>,
    /// Owner: a person or team handle (default: the acting person)
    #[arg(long)]
    owner: Option<String>,
    /// The goal this one aligns to (id or key)
    #[arg(long)]
    parent: Option<String>,
    /// Period (2026-Q4, 2026, FY2027…); sets start and due unless given
    #[arg(long)]
    period: Option<String>,
    /// Start date (a date expression)
    #[arg(long)]
    start: Option<String>,
    /// Due date (a date expression; a period name means its last day)
    #[arg(long)]
    due: Option<String>,
    /// Weight among sibling goals (> 0)
    #[arg(long, value_parser = weight, allow_hyphen_values = true)]
    weight: Option<f64>,
    /// Priority: low, medium, high
    #[arg(long)]
    priority: Option<Priority>,
    /// Category: quantity, quality, cost, timeliness
    #[arg(long)]
    category: Option<String>,
    /// Description
    #[arg(long, allow_hyphen_values = true)]
    description: Option<String>,
}

#[derive(Debug, Args)]
pub struct MeasureArgs {
    /// Unit (ms, %, EUR…)
    #[arg(long)]
    unit: Option<String>,
    /// Kind: number, percent, currency, yesno, milestone
    #[arg(long)]
    kind: Option<MeasureKind>,
    /// increase or decrease (default: inferred from baseline and target)
    #[arg(long)]
    direction: Option<Direction>,
    /// Where it starts
    #[arg(long, value_parser = number, allow_hyphen_values = true)]
    baseline: Option<f64>,
    /// What meets expectations
    #[arg(long, value_parser = number, allow_hyphen_values = true)]
    target: Option<f64>,
    /// What exceeds expectations ("none" to clear)
    #[arg(long, allow_hyphen_values = true)]
    stretch: Option<String>,
    /// Worse than this is unacceptable ("none" to clear)
    #[arg(long, allow_hyphen_values = true)]
    floor: Option<String>,
    /// Weight within the goal (> 0)
    #[arg(long = "measure-weight", value_parser = weight, allow_hyphen_values = true)]
    measure_weight: Option<f64>,
}

impl MeasureArgs {
    fn is_empty(&self) -> bool {
        self.unit.is_none()
            && self.kind.is_none()
            && self.direction.is_none()
            && self.baseline.is_none()
            && self.target.is_none()
            && self.stretch.is_none()
            && self.floor.is_none()
            && self.measure_weight.is_none()
    }

    fn patch(&self, name: Option<String>) -> Result<MeasurePatch> {
        let opt_num = |flag: &str, v: &Option<String>| -> Result<Option<Option<f64>>> {
            match clearable(v.clone()) {
                None => Ok(None),
                Some(None) => Ok(Some(None)),
                Some(Some(s)) => crate::domain::parse_number(&s)
                    .map(|n| Some(Some(n)))
                    .map_err(|e| e.context(flag)),
            }
        };
        Ok(MeasurePatch {
            name,
            unit: clearable(self.unit.clone()),
            kind: self.kind,
            direction: self.direction,
            baseline: self.baseline,
            target: self.target,
            stretch: opt_num("--stretch", &self.stretch)?,
            floor: opt_num("--floor", &self.floor)?,
            weight: self.measure_weight,
        })
    }
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// Title (asked for on a terminal when missing)
    title: Option<String>,
    #[command(flatten)]
    goal: GoalArgs,
    /// Start as a draft
    #[arg(long)]
    draft: bool,
    /// Name of a first measure to add with the goal
    #[arg(long)]
    metric: Option<String>,
    #[command(flatten)]
    measure: MeasureArgs,
}

#[derive(Debug, Args)]
pub struct EditArgs {
    /// Goal id or key
    goal: String,
    /// New title
    #[arg(long)]
    title: Option<String>,
    #[command(flatten)]
    fields: GoalArgs,
    /// Status: draft, active, achieved, missed, dropped
    #[arg(long)]
    status: Option<GoalStatus>,
    /// Edit this measure instead of the goal's single one
    #[arg(long)]
    measure: Option<String>,
    /// Rename the measure
    #[arg(long, requires = "measure")]
    rename: Option<String>,
    #[command(flatten)]
    measure_fields: MeasureArgs,
}

#[derive(Debug, Args)]
pub struct FilterArgs {
    /// Only goals of this owner (person or team)
    #[arg(long)]
    owner: Option<String>,
    /// Only goals of this team, its sub-teams and their members
    #[arg(long)]
    team: Option<String>,
    /// Only goals in this period
    #[arg(long)]
    period: Option<String>,
    /// Statuses, comma-separated (draft,active,achieved,missed,dropped), "open" or "all"
    #[arg(long)]
    status: Option<String>,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    filter: FilterArgs,
    /// Only goals of this person (same as --owner for a person)
    #[arg(long)]
    person: Option<String>,
    /// At most this many goals
    #[arg(long)]
    limit: Option<usize>,
}

fn filter(s: &dyn Session, ctx: &Ctx, f: &FilterArgs, limit: Option<usize>) -> Result<GoalFilter> {
    let period = match &f.period {
        Some(p) => Some(plan::resolve_period(s, ctx.clock.week_start, p)?.name),
        None => None,
    };
    Ok(GoalFilter {
        owner: f.owner.clone(),
        team: f.team.clone(),
        period,
        statuses: parse_statuses(f.status.as_deref())?,
        limit,
    })
}

impl GoalArgs {
    fn fields(&self) -> GoalFields {
        GoalFields {
            key: self.key.clone(),
            owner: self.owner.clone(),
            parent: clearable(self.parent.clone()),
            period: clearable(self.period.clone()),
            start: clearable(self.start.clone()),
            due: clearable(self.due.clone()),
            weight: self.weight,
            priority: self.priority,
            category: clearable(self.category.clone()),
            description: clearable(self.description.clone()),
        }
    }
}

/// The statuses a goal can be closed as.
fn closing_statuses() -> Vec<&'static str> {
    GoalStatus::ALL
        .iter()
        .filter(|s| s.is_closed())
        .map(|s| s.as_str())
        .collect()
}

pub fn run(ctx: &mut Ctx, cmd: PlanCmd) -> Result<()> {
    match cmd {
        PlanCmd::Add(a) => add(ctx, a),
        PlanCmd::Measure {
            goal,
            name,
            measure,
        } => add_measure(ctx, &goal, &name, &measure),
        PlanCmd::List(a) => {
            let store = ctx.open_read()?;
            let s = store.read();
            let mut f = filter(&*s, ctx, &a.filter, a.limit)?;
            if let Some(p) = a.person {
                org::person_id(&*s, &p)?;
                f.owner = Some(p);
            }
            ctx.emit(&views::goals(&goal_list(&*s, &f, &ctx.pace())?))
        }
        PlanCmd::Show { goal } => {
            let store = ctx.open_read()?;
            let key = plan::get_goal(&*store.read(), &goal)?.key;
            show(ctx, &store, &key)
        }
        PlanCmd::Edit(a) => edit(ctx, a),
        PlanCmd::Close { goal, outcome } => {
            let status: GoalStatus = outcome.parse()?;
            set_status(ctx, &goal, status, "closed")
        }
        PlanCmd::Reopen { goal } => set_status(ctx, &goal, GoalStatus::Active, "reopened"),
        PlanCmd::Rm { goal, measure } => remove(ctx, &goal, measure.as_deref()),
        PlanCmd::Tree { goal, filter: fa } => {
            let store = ctx.open_read()?;
            let s = store.read();
            let root = match &goal {
                Some(g) => Some(plan::get_goal(&*s, g)?.id),
                None => None,
            };
            let f = filter(&*s, ctx, &fa, None)?;
            let tree = plan_tree(&*s, &ctx.pace(), root, &f)?;
            ctx.emit(&views::goal_tree(&tree.rows()))
        }
        PlanCmd::Carry { from, to, dry_run } => carry(ctx, &from, &to, dry_run),
        PlanCmd::Apply {
            file,
            dry_run,
            prune,
        } => super::planfile::apply(ctx, &file, dry_run, prune),
        PlanCmd::Export { period, owner } => {
            super::planfile::export(ctx, period.as_deref(), owner.as_deref())
        }
    }
}

fn add_measure(ctx: &mut Ctx, goal: &str, name: &str, measure: &MeasureArgs) -> Result<()> {
    let patch = measure.patch(Some(name.to_string()))?;
    let mut store = ctx.open_write()?;
    let now = ctx.now();
    let w = ctx.write_as(&mut store, WriteScope::Any, |s, p| {
        plan::measure_add(s, &now, p, goal, &patch)
    })?;
    ctx.ui
        .note(format!("Added measure '{name}' to {}.", w.value));
    show_if_asked(ctx, &store, &w.value)
}

fn remove(ctx: &mut Ctx, goal: &str, measure: Option<&str>) -> Result<()> {
    let mut store = ctx.open_write()?;
    let question = plan::removal_question(&*store.read(), goal, measure)?;
    ctx.confirm_or_cancel(&question)?;
    ctx.write_as(&mut store, WriteScope::Any, |s, p| {
        plan::goal_remove(s, p, goal, measure)
    })?;
    ctx.ui.note("Removed. `yardstick undo` brings it back.");
    Ok(())
}

fn add(ctx: &mut Ctx, a: AddArgs) -> Result<()> {
    let title = ctx.required(a.title, "TITLE (the goal's title)", "Goal title")?;
    if a.metric.is_none() && !a.measure.is_empty() {
        return Err(Error::invalid("measure flags were given without --metric NAME")
            .with_hint("pass --metric \"name\" to add a first measure, or add one later with `yardstick plan measure`"));
    }
    let mut store = ctx.open_write()?;
    let mut patch = plan::goal_patch(
        &*store.read(),
        &ctx.clock,
        &a.goal.fields(),
        Some(title),
        true,
    )?;
    plan::default_owner(&mut patch, &ctx.actor(&store)?)?;
    if a.draft {
        patch.status = Some(GoalStatus::Draft);
    }
    let measure = match &a.metric {
        Some(name) => {
            if a.measure.baseline.is_none() || a.measure.target.is_none() {
                return Err(Error::invalid(format!(
                    "measure '{name}' needs --baseline and --target"
                )));
            }
            Some(a.measure.patch(Some(name.clone()))?)
        }
        None => None,
    };
    let now = ctx.now();
    let w = ctx.write_as(&mut store, WriteScope::Any, |s, p| {
        plan::goal_add(s, &now, p, &patch, measure.as_ref())
    })?;
    let g = w.value;
    ctx.ui
        .note(format!("Added goal #{} {} for {}.", g.id, g.key, g.owner));
    show_if_asked(ctx, &store, &g.key)
}

fn edit(ctx: &mut Ctx, a: EditArgs) -> Result<()> {
    let mut store = ctx.open_write()?;
    let (goal, mut patch, measure) = {
        let s = store.read();
        let goal = plan::get_goal(&*s, &a.goal)?;
        let patch = plan::goal_patch(&*s, &ctx.clock, &a.fields.fields(), a.title.clone(), false)?;
        let measure = if a.measure.is_some() || !a.measure_fields.is_empty() {
            Some(plan::measure_to_edit(&*s, &goal, a.measure.as_deref())?)
        } else {
            None
        };
        (goal, patch, measure)
    };
    patch.status = a.status;
    let mpatch = a.measure_fields.patch(a.rename.clone())?;
    let now = ctx.now();
    let w = ctx.write_as(&mut store, WriteScope::Any, |s, p| {
        let m = measure.as_deref().map(|name| (name, &mpatch));
        plan::goal_edit(s, &now, p, &goal.key, &patch, m)
    })?;
    ctx.ui.note(if w.changed {
        format!("Updated {}.", w.value)
    } else {
        format!("No changes to {}.", w.value)
    });
    show_if_asked(ctx, &store, &w.value)
}

fn set_status(ctx: &mut Ctx, goal: &str, status: GoalStatus, verb: &str) -> Result<()> {
    let mut store = ctx.open_write()?;
    let now = ctx.now();
    let w = ctx.write_as(&mut store, WriteScope::Any, |s, p| {
        plan::goal_set_status(s, &now, p, goal, status, verb)
    })?;
    if w.changed {
        ctx.ui.note(format!("Goal {} is now {status}.", w.value));
    } else {
        ctx.ui
            .note(format!("Goal {} was already {status}.", w.value));
    }
    show_if_asked(ctx, &store, &w.value)
}

fn show(ctx: &Ctx, store: &Store, key: &str) -> Result<()> {
    let (state, children) = goal_view(&*store.read(), &ctx.pace(), key)?;
    ctx.emit(&views::goal(&state, &children.iter().collect::<Vec<_>>()))
}

fn show_if_asked(ctx: &Ctx, store: &Store, key: &str) -> Result<()> {
    if ctx.format.is_some() || ctx.output.is_some() {
        show(ctx, store, key)
    } else {
        Ok(())
    }
}

fn carry(ctx: &mut Ctx, from: &str, to: &str, dry_run: bool) -> Result<()> {
    let mut store = if dry_run {
        ctx.open_read()?
    } else {
        ctx.open_write()?
    };
    let plan = plan::carry_plan(&*store.read(), ctx.clock.week_start, from, to)?;
    if dry_run || plan.goals.is_empty() {
        if plan.goals.is_empty() {
            ctx.ui.note(format!(
                "Nothing to carry from {} to {}.",
                plan.from, plan.to.name
            ));
        }
        return ctx.emit(&views::changes("carry", &plan.rows));
    }
    let now = ctx.now();
    ctx.write_as(&mut store, WriteScope::Any, |s, p| {
        plan::carry(s, &now, p, &plan)
    })?;
    ctx.ui.note(format!(
        "Carried {} goal(s) from {} to {}.",
        plan.goals.len(),
        plan.from,
        plan.to.name
    ));
    ctx.emit_if_asked(&views::changes("carry", &plan.rows))
}

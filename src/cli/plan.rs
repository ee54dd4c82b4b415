//! `plan`: goals, measures, the alignment tree, carry-over, and plan files.

use super::ctx::Ctx;
use super::{clearable, number, weight};
use crate::app::report::plan::{PlanIndex, goal_list};
use crate::domain::{Category, Direction, GoalStatus, MeasureKind, Priority};
use crate::error::{Error, Result};
use crate::render::views;
use crate::store::Store;
use crate::store::plan::{self as splan, GoalFilter, GoalPatch, MeasurePatch};
use crate::time::{PeriodKind, parse_date, parse_date_end, period_containing};
use chrono::NaiveDate;
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
        #[arg(default_value = "achieved", value_parser = ["achieved", "missed", "dropped"])]
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

fn statuses(s: Option<&str>) -> Result<Vec<GoalStatus>> {
    match s.map(str::trim) {
        None => Ok(Vec::new()),
        Some("all") => Ok(GoalStatus::ALL.to_vec()),
        Some("open") => Ok(vec![GoalStatus::Draft, GoalStatus::Active]),
        Some(list) => list
            .split(',')
            .map(|p| p.trim().parse::<GoalStatus>())
            .collect(),
    }
}

fn filter(store: &Store, ctx: &Ctx, f: &FilterArgs, limit: Option<usize>) -> Result<GoalFilter> {
    let period = match &f.period {
        Some(p) => Some(resolve_period(store, ctx, p)?.0),
        None => None,
    };
    Ok(GoalFilter {
        owner: f.owner.clone(),
        team: f.team.clone(),
        period,
        statuses: statuses(f.status.as_deref())?,
        limit,
    })
}

/// A period by name: built-in or custom. Returns (canonical name, first day, last day).
pub fn resolve_period(
    store: &Store,
    ctx: &Ctx,
    name: &str,
) -> Result<(String, NaiveDate, NaiveDate)> {
    if let Some(p) = crate::time::parse_period(name, ctx.clock.week_start)? {
        return Ok((p.name, p.start, p.end));
    }
    match splan::find_period(store.conn(), name)? {
        Some(p) => Ok((p.name, p.start, p.end)),
        None => Err(Error::failed(format!("no period '{name}'")).with_hint(
            "use a built-in name (2026, 2026-H1, 2026-Q3, 2026-11, 2026-W47) or declare it with `yardstick period add`",
        )),
    }
}

/// A date expression that may also be a custom period name.
fn date_expr(store: &Store, ctx: &Ctx, flag: &str, s: &str, end: bool) -> Result<NaiveDate> {
    let parsed = if end {
        parse_date_end(s, &ctx.clock)
    } else {
        parse_date(s, &ctx.clock)
    };
    match parsed {
        Ok(d) => Ok(d),
        Err(e) => match splan::find_period(store.conn(), s)? {
            Some(p) => Ok(if end { p.end } else { p.start }),
            None => Err(e.context(flag)),
        },
    }
}

fn goal_patch(
    store: &Store,
    ctx: &Ctx,
    a: &GoalArgs,
    title: Option<String>,
    adding: bool,
) -> Result<GoalPatch> {
    let mut patch = GoalPatch {
        key: a.key.clone(),
        title,
        description: clearable(a.description.clone()),
        owner: a.owner.clone(),
        parent: clearable(a.parent.clone()),
        weight: a.weight,
        priority: a.priority,
        category: match clearable(a.category.clone()) {
            None => None,
            Some(None) => Some(None),
            Some(Some(c)) => Some(Some(c.parse::<Category>()?)),
        },
        ..GoalPatch::default()
    };
    let mut bounds = None;
    match clearable(a.period.clone()) {
        Some(Some(p)) => {
            let (name, s, e) = resolve_period(store, ctx, &p)?;
            patch.period = Some(Some(name));
            bounds = Some((s, e));
        }
        Some(None) => patch.period = Some(None),
        None => {
            if adding && a.start.is_none() && a.due.is_none() {
                let q =
                    period_containing(PeriodKind::Quarter, ctx.clock.today, ctx.clock.week_start);
                patch.period = Some(Some(q.name));
                bounds = Some((q.start, q.end));
            }
        }
    }
    patch.start = match clearable(a.start.clone()) {
        Some(Some(s)) => Some(Some(date_expr(store, ctx, "--start", &s, false)?)),
        Some(None) => Some(None),
        None => bounds.map(|(s, _)| Some(s)),
    };
    patch.due = match clearable(a.due.clone()) {
        Some(Some(s)) => Some(Some(date_expr(store, ctx, "--due", &s, true)?)),
        Some(None) => Some(None),
        None => bounds.map(|(_, e)| Some(e)),
    };
    if adding && patch.start.is_none() {
        patch.start = Some(Some(ctx.clock.today));
    }
    Ok(patch)
}

pub fn run(ctx: &mut Ctx, cmd: PlanCmd) -> Result<()> {
    match cmd {
        PlanCmd::Add(a) => add(ctx, a),
        PlanCmd::Measure {
            goal,
            name,
            measure,
        } => {
            let patch = measure.patch(Some(name.clone()))?;
            let mut store = ctx.open_write()?;
            let now = ctx.now();
            let w = store.write(&ctx.op(&store)?, |tx| {
                let g = splan::get_goal(tx, &goal)?;
                let m = splan::add_measure(tx, &now, &g, &patch)?;
                tx.set_summary(format!("added measure '{}' to {}", m.name, g.key));
                Ok(g.key)
            })?;
            ctx.ui
                .note(format!("Added measure '{name}' to {}.", w.value));
            show_if_asked(ctx, &store, &w.value)
        }
        PlanCmd::List(a) => {
            let store = ctx.open_read()?;
            let mut f = filter(&store, ctx, &a.filter, a.limit)?;
            if let Some(p) = a.person {
                crate::store::org::person_id(store.conn(), &p)?;
                f.owner = Some(p);
            }
            let states = goal_list(store.conn(), &f, &ctx.pace())?;
            ctx.emit(&views::goals(&states))
        }
        PlanCmd::Show { goal } => {
            let store = ctx.open_read()?;
            let g = splan::get_goal(store.conn(), &goal)?;
            show(ctx, &store, &g.key)
        }
        PlanCmd::Edit(a) => edit(ctx, a),
        PlanCmd::Close { goal, outcome } => {
            let status: GoalStatus = outcome.parse()?;
            set_status(ctx, &goal, status, "closed")
        }
        PlanCmd::Reopen { goal } => set_status(ctx, &goal, GoalStatus::Active, "reopened"),
        PlanCmd::Rm { goal, measure } => {
            let mut store = ctx.open_write()?;
            let g = splan::get_goal(store.conn(), &goal)?;
            let question = match &measure {
                Some(m) => format!("Remove measure '{m}' of {} and its check-ins?", g.key),
                None => format!(
                    "Remove goal {} \"{}\" with its measures and check-ins?",
                    g.key, g.title
                ),
            };
            if let Some(m) = &measure {
                splan::get_measure(store.conn(), &g, m)?;
            }
            if !ctx.confirm(&question)? {
                return Err(Error::failed("cancelled; nothing was changed"));
            }
            store.write(&ctx.op(&store)?, |tx| {
                match &measure {
                    Some(m) => {
                        splan::remove_measure(tx, &g, m)?;
                        tx.set_summary(format!("removed measure '{m}' of {}", g.key));
                    }
                    None => {
                        splan::remove_goal(tx, &g.key)?;
                        tx.set_summary(format!("removed goal {}", g.key));
                    }
                }
                Ok(())
            })?;
            ctx.ui.note("Removed. `yardstick undo` brings it back.");
            Ok(())
        }
        PlanCmd::Tree { goal, filter: fa } => {
            let store = ctx.open_read()?;
            let root = match &goal {
                Some(g) => Some(splan::get_goal(store.conn(), g)?.id),
                None => None,
            };
            let f = filter(&store, ctx, &fa, None)?;
            let keep_ids: std::collections::HashSet<i64> = splan::list_goals(store.conn(), &f)?
                .into_iter()
                .map(|g| g.id)
                .collect();
            let index = PlanIndex::load(store.conn(), &ctx.pace())?;
            let rows = index.tree(root, &|g| keep_ids.contains(&g.id));
            ctx.emit(&views::goal_tree(&rows))
        }
        PlanCmd::Carry { from, to, dry_run } => carry(ctx, &from, &to, dry_run),
        PlanCmd::Apply {
            file,
            dry_run,
            prune,
        } => crate::cli::admin::apply(ctx, &file, dry_run, prune),
        PlanCmd::Export { period, owner } => {
            crate::cli::admin::export(ctx, period.as_deref(), owner.as_deref())
        }
    }
}

fn add(ctx: &mut Ctx, a: AddArgs) -> Result<()> {
    let title = ctx.required(a.title, "TITLE (the goal's title)", "Goal title")?;
    if a.metric.is_none() && !a.measure.is_empty() {
        return Err(Error::invalid("measure flags were given without --metric NAME")
            .with_hint("pass --metric \"name\" to add a first measure, or add one later with `yardstick plan measure`"));
    }
    let mut store = ctx.open_write()?;
    let mut patch = goal_patch(&store, ctx, &a.goal, Some(title), true)?;
    if patch.owner.is_none() {
        patch.owner = Some(ctx.actor(&store)?.ok_or_else(|| {
            Error::invalid("missing --owner").with_hint(
                "pass --owner HANDLE, or set who you are with --as / `yardstick init --me`",
            )
        })?);
    }
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
    let w = store.write(&ctx.op(&store)?, |tx| {
        let g = splan::add_goal(tx, &now, &patch)?;
        if let Some(m) = &measure {
            splan::add_measure(tx, &now, &g, m)?;
        }
        tx.set_summary(format!("added goal {} \"{}\"", g.key, g.title));
        Ok(g)
    })?;
    let g = w.value;
    ctx.ui
        .note(format!("Added goal #{} {} for {}.", g.id, g.key, g.owner));
    show_if_asked(ctx, &store, &g.key)
}

fn edit(ctx: &mut Ctx, a: EditArgs) -> Result<()> {
    let mut store = ctx.open_write()?;
    let goal = splan::get_goal(store.conn(), &a.goal)?;
    let mut patch = goal_patch(&store, ctx, &a.fields, a.title.clone(), false)?;
    patch.status = a.status;
    let measure_target = if a.measure.is_some() || !a.measure_fields.is_empty() {
        match &a.measure {
            Some(m) => Some(m.clone()),
            None => {
                let all = splan::measures(store.conn(), goal.id)?;
                match all.as_slice() {
                    [one] => Some(one.name.clone()),
                    [] => {
                        return Err(Error::failed(format!(
                            "goal {} has no measures to edit",
                            goal.key
                        )));
                    }
                    many => {
                        let names: Vec<&str> = many.iter().map(|m| m.name.as_str()).collect();
                        return Err(Error::invalid(format!(
                            "goal {} has several measures; say which with --measure",
                            goal.key
                        ))
                        .with_hint(format!("measures: {}", names.join(", "))));
                    }
                }
            }
        }
    } else {
        None
    };
    let mpatch = a.measure_fields.patch(a.rename.clone())?;
    let now = ctx.now();
    let w = store.write(&ctx.op(&store)?, |tx| {
        let (g, mut changed) = splan::edit_goal(tx, &now, &goal.key, &patch)?;
        if let Some(name) = &measure_target {
            let (_, c) = splan::edit_measure(tx, &now, &g, name, &mpatch)?;
            changed |= c;
        }
        if changed {
            tx.set_summary(format!("edited goal {}", g.key));
        }
        Ok(g.key)
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
    let patch = GoalPatch {
        status: Some(status),
        ..GoalPatch::default()
    };
    let w = store.write(&ctx.op(&store)?, |tx| {
        let (g, changed) = splan::edit_goal(tx, &now, goal, &patch)?;
        if changed {
            tx.set_summary(format!("{verb} goal {} as {status}", g.key));
        }
        Ok(g.key)
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
    let g = splan::get_goal(store.conn(), key)?;
    let index = PlanIndex::load(store.conn(), &ctx.pace())?;
    let Some(state) = index.get(g.id) else {
        return Err(Error::not_found("goal", key));
    };
    let children = index.children_of(g.id);
    ctx.emit(&views::goal(state, &children))
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
    let (from_name, _, _) = resolve_period(&store, ctx, from)?;
    let (to_name, to_start, to_end) = resolve_period(&store, ctx, to)?;
    if from_name == to_name {
        return Err(Error::invalid("--from and --to name the same period"));
    }
    let f = GoalFilter {
        period: Some(from_name.clone()),
        statuses: vec![GoalStatus::Draft, GoalStatus::Active],
        ..GoalFilter::default()
    };
    let goals = splan::list_goals(store.conn(), &f)?;
    let suffix = to_name.to_ascii_lowercase();
    let mut rows = Vec::new();
    let mut plan = Vec::new();
    for g in &goals {
        let base = g
            .key
            .strip_suffix(&format!("-{}", from_name.to_ascii_lowercase()))
            .unwrap_or(&g.key);
        let mut key = format!("{base}-{suffix}");
        key.truncate(crate::domain::names::MAX_KEY);
        if splan::find_goal(store.conn(), &key)?.is_some() {
            rows.push((
                "skip".to_string(),
                "goal".to_string(),
                key,
                "already carried".to_string(),
            ));
            continue;
        }
        rows.push((
            "add".to_string(),
            "goal".to_string(),
            key.clone(),
            format!("from {}", g.key),
        ));
        plan.push((g.clone(), key));
    }
    if dry_run || plan.is_empty() {
        if plan.is_empty() {
            ctx.ui
                .note(format!("Nothing to carry from {from_name} to {to_name}."));
        }
        return ctx.emit(&views::changes("carry", &rows));
    }
    let now = ctx.now();
    let carried: std::collections::HashMap<String, String> = plan
        .iter()
        .map(|(g, k)| (g.key.clone(), k.clone()))
        .collect();
    store.write(&ctx.op(&store)?, |tx| {
        for (g, key) in &plan {
            let patch = GoalPatch {
                key: Some(key.clone()),
                title: Some(g.title.clone()),
                description: Some(g.description.clone()),
                owner: Some(g.owner.clone()),
                period: Some(Some(to_name.clone())),
                start: Some(Some(to_start)),
                due: Some(Some(to_end)),
                weight: Some(g.weight),
                priority: Some(g.priority),
                category: Some(g.category),
                status: Some(g.status),
                parent: None,
            };
            let new = splan::add_goal(tx, &now, &patch)?;
            for m in splan::measures(tx, g.id)? {
                let latest = crate::store::checkins::latest(tx, m.id)?.map(|(_, v)| v);
                let mp = MeasurePatch {
                    name: Some(m.name.clone()),
                    unit: Some(m.unit.clone()),
                    kind: Some(m.kind),
                    direction: Some(m.direction),
                    baseline: Some(latest.unwrap_or(m.baseline)),
                    target: Some(m.target),
                    stretch: Some(m.stretch),
                    floor: Some(m.floor),
                    weight: Some(m.weight),
                };
                // A latest value already past the target leaves nothing to carry for that measure's
                // baseline; keep the original baseline so the measure stays valid.
                if splan::add_measure(tx, &now, &new, &mp).is_err() {
                    splan::add_measure(
                        tx,
                        &now,
                        &new,
                        &MeasurePatch {
                            baseline: Some(m.baseline),
                            ..mp
                        },
                    )?;
                }
            }
        }
        // Parents are linked after every carried goal exists.
        for (g, key) in &plan {
            if let Some(p) = &g.parent {
                let target = carried.get(p).cloned().unwrap_or_else(|| p.clone());
                let patch = GoalPatch {
                    parent: Some(Some(target)),
                    ..GoalPatch::default()
                };
                splan::edit_goal(tx, &now, key, &patch)?;
            }
        }
        tx.set_summary(format!(
            "carried {} goal(s) from {from_name} to {to_name}",
            plan.len()
        ));
        Ok(())
    })?;
    ctx.ui.note(format!(
        "Carried {} goal(s) from {from_name} to {to_name}.",
        plan.len()
    ));
    ctx.emit_if_asked(&views::changes("carry", &rows))
}

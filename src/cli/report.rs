//! `report`: goals (the default), gaps, team, trend, explain, checkins, cycle,
//! person and effectiveness, in every format (table, json, jsonl, csv, tsv,
//! markdown, html).

use super::ctx::Ctx;
use super::views::reports as views;
use crate::app::report;
use crate::error::Result;
use clap::{Args, Subcommand};

/// Filters shared by every report.
#[derive(Debug, Args, Clone, Default)]
pub struct Filters {
    /// Only this person's goals (or this person's rows)
    #[arg(long)]
    person: Option<String>,
    /// Only this team, its sub-teams and their members
    #[arg(long)]
    team: Option<String>,
    /// Only goals in this period (2026-Q4, 2026-H2, FY2027…)
    #[arg(long)]
    period: Option<String>,
    /// A review cycle (for `report person` and `report cycle`)
    #[arg(long)]
    cycle: Option<String>,
    /// Goal statuses, comma-separated (draft,active,achieved,missed,dropped), "open" or "all"
    #[arg(long)]
    status: Option<String>,
    /// From this date (check-ins, feedback; goals due on or after it)
    #[arg(long)]
    since: Option<String>,
    /// Up to this date
    #[arg(long)]
    until: Option<String>,
    /// At most this many rows
    #[arg(long)]
    limit: Option<usize>,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  yardstick report                          goals and measures against target and pace\n  \
yardstick report gaps --team platform      largest gaps between desired and actual first\n  \
yardstick report team -o team.html         one row per person, team roll-ups, charts\n  \
yardstick report person alice --cycle 2026-H2 -o alice.html\n  \
yardstick report checkins --since \"8 weeks ago\" --format csv -o checkins.csv"
)]
pub struct ReportArgs {
    #[command(subcommand)]
    cmd: Option<ReportCmd>,
    #[command(flatten)]
    filters: Filters,
}

#[derive(Debug, Subcommand)]
pub enum ReportCmd {
    /// Every measure: baseline → current → target, progress, expected by today, pace, trend, forecast
    Goals(#[command(flatten)] Filters),
    /// The performance improvement zone: desired against actual, largest gap first
    Gaps(#[command(flatten)] Filters),
    /// One row per person with team roll-ups: goals, attainment, pace counts, check-in freshness, feedback
    Team {
        /// The team (default: everyone)
        team_arg: Option<String>,
        #[command(flatten)]
        filters: Filters,
    },
    /// One goal's values over time per measure, against target and expected pace
    Trend {
        /// Goal id or key
        goal: String,
        #[command(flatten)]
        filters: Filters,
    },
    /// One goal's progress and pace explained: each measure's rule, the roll-up with weights, expected progress, pace thresholds
    #[command(
        after_help = "Examples:\n  yardstick report explain api-latency\n  yardstick report explain api-latency --format json\n  yardstick --config examples/config/puzzle-okr.toml report explain api-latency"
    )]
    Explain {
        /// Goal id or key
        goal: String,
    },
    /// Check-in cadence and compliance per person (default: the last 8 weeks)
    Checkins(#[command(flatten)] Filters),
    /// A review cycle: completion per stage, rating distribution, manager averages, 9-box
    Cycle {
        /// Cycle name or id (default: --cycle, else the latest)
        cycle_arg: Option<String>,
        /// Only this table of the report, in any format (e.g. `people` or
        /// `team_rewards` for a spreadsheet: CSV holds one table)
        #[arg(long, value_name = "TABLE")]
        part: Option<String>,
        #[command(flatten)]
        filters: Filters,
    },
    /// A review packet: mission, goals and trends, feedback, ratings, outcome
    Person {
        /// The person's handle
        handle: String,
        /// Include private feedback
        #[arg(long)]
        include_private: bool,
        #[command(flatten)]
        filters: Filters,
    },
    /// Is performance management working: completion, check-in frequency, review completion, attainment by period
    Effectiveness(#[command(flatten)] Filters),
}

impl ReportArgs {
    pub fn name(&self) -> &'static str {
        match &self.cmd {
            None | Some(ReportCmd::Goals(_)) => "report goals",
            Some(ReportCmd::Gaps(_)) => "report gaps",
            Some(ReportCmd::Team { .. }) => "report team",
            Some(ReportCmd::Trend { .. }) => "report trend",
            Some(ReportCmd::Explain { .. }) => "report explain",
            Some(ReportCmd::Checkins(_)) => "report checkins",
            Some(ReportCmd::Cycle { .. }) => "report cycle",
            Some(ReportCmd::Person { .. }) => "report person",
            Some(ReportCmd::Effectiveness(_)) => "report effectiveness",
        }
    }
}

impl Filters {
    fn typed(&self) -> report::Filters {
        report::Filters {
            person: self.person.clone(),
            team: self.team.clone(),
            period: self.period.clone(),
            cycle: self.cycle.clone(),
            status: self.status.clone(),
            since: self.since.clone(),
            until: self.until.clone(),
            limit: self.limit,
        }
    }
}

pub fn run(ctx: &mut Ctx, args: ReportArgs) -> Result<()> {
    let limit = match &args.cmd {
        None => args.filters.limit,
        Some(
            ReportCmd::Goals(f)
            | ReportCmd::Gaps(f)
            | ReportCmd::Checkins(f)
            | ReportCmd::Effectiveness(f),
        ) => f.limit,
        Some(
            ReportCmd::Team { filters, .. }
            | ReportCmd::Trend { filters, .. }
            | ReportCmd::Cycle { filters, .. }
            | ReportCmd::Person { filters, .. },
        ) => filters.limit,
        Some(ReportCmd::Explain { .. }) => None,
    };
    let doc = build(ctx, args)?;
    ctx.emit(&match limit {
        Some(n) => doc.limit_rows(n),
        None => doc,
    })
}

fn build(ctx: &mut Ctx, args: ReportArgs) -> Result<crate::render::Doc> {
    let store = ctx.open_read()?;
    let policy = ctx.policy(&store)?;
    let s = &*store.read();
    let (clock, pace) = (&ctx.clock, &ctx.pace());
    Ok(match args.cmd {
        None => views::goals(&report::goals(s, clock, pace, &args.filters.typed())?, pace),
        Some(ReportCmd::Goals(f)) => {
            views::goals(&report::goals(s, clock, pace, &f.typed())?, pace)
        }
        Some(ReportCmd::Gaps(f)) => views::gaps(&report::gaps(s, clock, pace, &f.typed())?, pace),
        Some(ReportCmd::Team { team_arg, filters }) => {
            let (people, teams) = report::team(s, clock, pace, team_arg, &filters.typed())?;
            views::team(&people, &teams, pace)
        }
        Some(ReportCmd::Trend { goal, filters }) => {
            views::trend(&report::trend(s, clock, pace, &goal, &filters.typed())?)
        }
        Some(ReportCmd::Explain { goal }) => {
            views::goal_explanation(&report::explain::explain_goal(s, pace, &goal)?)
        }
        Some(ReportCmd::Checkins(f)) => {
            let cadence = i64::from(ctx.config.checkin.cadence_days.unwrap_or(7));
            let (lines, since, until) = report::checkins(s, clock, cadence, &f.typed())?;
            views::checkins(&lines, since, until)
        }
        Some(ReportCmd::Cycle {
            cycle_arg,
            part,
            filters,
        }) => {
            let doc = views::cycle(&report::cycle(
                s,
                clock,
                pace,
                &policy,
                cycle_arg.as_deref(),
                &filters.typed(),
            )?);
            match part {
                Some(key) => doc.only_table(&key)?,
                None => doc,
            }
        }
        Some(ReportCmd::Person {
            handle,
            include_private,
            filters,
        }) => {
            let f = filters.typed();
            let p = report::person(s, clock, pace, &policy, &handle, include_private, &f)?;
            for n in &p.notes {
                ctx.ui.note(n);
            }
            if p.private_hidden > 0 {
                ctx.ui.note(format!(
                    "{} private feedback item(s) left out; pass --include-private to include them.",
                    p.private_hidden
                ));
            }
            views::person(&p, pace)
        }
        Some(ReportCmd::Effectiveness(f)) => {
            views::effectiveness(&report::effectiveness(s, clock, pace, &f.typed())?)
        }
    })
}

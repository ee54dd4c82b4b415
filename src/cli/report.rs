//! `report`: goals (the default), gaps, team, trend, checkins, cycle,
//! person and effectiveness, in every format (table, json, jsonl, csv, tsv,
//! markdown, html).

use super::ctx::Ctx;
use crate::app::report::{people, progress, review};
use crate::domain::GoalStatus;
use crate::error::{Error, Result};
use crate::render::reports as views;
use crate::store::appraise as sa;
use crate::store::plan::{self as splan, GoalFilter};
use crate::store::{Store, org};
use crate::time::{parse_date, parse_date_end};
use chrono::{Duration, NaiveDate};
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
    /// Check-in cadence and compliance per person (default: the last 8 weeks)
    Checkins(#[command(flatten)] Filters),
    /// A review cycle: completion per stage, rating distribution, manager averages, 9-box
    Cycle {
        /// Cycle name or id (default: --cycle, else the latest)
        cycle_arg: Option<String>,
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
            Some(ReportCmd::Checkins(_)) => "report checkins",
            Some(ReportCmd::Cycle { .. }) => "report cycle",
            Some(ReportCmd::Person { .. }) => "report person",
            Some(ReportCmd::Effectiveness(_)) => "report effectiveness",
        }
    }
}

struct Resolved {
    goals: GoalFilter,
    since: Option<NaiveDate>,
    until: Option<NaiveDate>,
}

fn resolve(ctx: &Ctx, store: &Store, f: &Filters) -> Result<Resolved> {
    let conn = store.conn();
    if let Some(p) = &f.person {
        org::person_id(conn, p)?;
    }
    if let Some(t) = &f.team {
        org::team_id(conn, t)?;
    }
    if let Some(c) = &f.cycle {
        sa::get_cycle(conn, c)?;
    }
    let period = match &f.period {
        Some(p) => Some(super::plan::resolve_period(store, ctx, p)?.0),
        None => None,
    };
    let statuses = match f.status.as_deref().map(str::trim) {
        None => Vec::new(),
        Some("all") => GoalStatus::ALL.to_vec(),
        Some("open") => vec![GoalStatus::Draft, GoalStatus::Active],
        Some(list) => list
            .split(',')
            .map(|s| s.trim().parse::<GoalStatus>())
            .collect::<Result<_>>()?,
    };
    let since = f
        .since
        .as_deref()
        .map(|d| parse_date(d, &ctx.clock).map_err(|e| e.context("--since")))
        .transpose()?;
    let until = f
        .until
        .as_deref()
        .map(|d| parse_date_end(d, &ctx.clock).map_err(|e| e.context("--until")))
        .transpose()?;
    if let (Some(s), Some(u)) = (since, until) {
        if s > u {
            return Err(Error::invalid(format!("--since {s} is after --until {u}")));
        }
    }
    Ok(Resolved {
        goals: GoalFilter {
            owner: f.person.clone(),
            team: f.team.clone(),
            period,
            statuses,
            limit: f.limit,
        },
        since,
        until,
    })
}

fn due_within(lines: Vec<progress::MeasureLine>, r: &Resolved) -> Vec<progress::MeasureLine> {
    lines
        .into_iter()
        .filter(|l| {
            r.since
                .is_none_or(|s| l.goal.goal.due.is_none_or(|d| d >= s))
        })
        .filter(|l| {
            r.until
                .is_none_or(|u| l.goal.goal.due.is_none_or(|d| d <= u))
        })
        .collect()
}

fn cycle_for(store: &Store, reference: Option<&str>) -> Result<sa::Cycle> {
    match reference {
        Some(c) => sa::get_cycle(store.conn(), c),
        None => sa::list_cycles(store.conn())?
            .into_iter()
            .next()
            .ok_or_else(|| {
                Error::failed("there are no review cycles yet")
                    .with_hint("create one with `yardstick appraise cycle new`")
            }),
    }
}

fn template_of(store: &Store, c: &sa::Cycle) -> Result<crate::domain::appraisal::Template> {
    crate::formats::template::parse(
        &sa::template_source(store.conn(), c.template_id)?,
        &format!("template of cycle {}", c.name),
    )
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
    };
    let doc = build(ctx, args)?;
    ctx.emit(&match limit {
        Some(n) => doc.limit_rows(n),
        None => doc,
    })
}

fn build(ctx: &mut Ctx, args: ReportArgs) -> Result<crate::render::Doc> {
    let store = ctx.open_read()?;
    let conn = store.conn();
    let pace = ctx.pace();
    match args.cmd {
        None => goals(ctx, &store, &args.filters),
        Some(ReportCmd::Goals(f)) => goals(ctx, &store, &f),
        Some(ReportCmd::Gaps(f)) => {
            let r = resolve(ctx, &store, &f)?;
            let lines = due_within(progress::gaps(conn, &r.goals, &pace)?, &r);
            Ok(views::gaps(&lines, &pace))
        }
        Some(ReportCmd::Team { team_arg, filters }) => {
            let team = team_arg.or(filters.team.clone());
            let r = resolve(
                ctx,
                &store,
                &Filters {
                    team: team.clone(),
                    ..filters
                },
            )?;
            let since = r.since.unwrap_or(ctx.clock.today - Duration::days(90));
            let (mut people, teams) = people::team(
                conn,
                team.as_deref(),
                r.goals.period.as_deref(),
                &pace,
                Some(since),
            )?;
            if let Some(p) = &r.goals.owner {
                people.retain(|l| &l.handle == p);
            }
            if let Some(l) = r.goals.limit {
                people.truncate(l);
            }
            Ok(views::team(&people, &teams, &pace))
        }
        Some(ReportCmd::Trend { goal, filters }) => {
            let r = resolve(ctx, &store, &filters)?;
            let g = splan::get_goal(conn, &goal)?;
            let t = progress::trend(conn, &g, &pace, r.since.or(g.start), r.until)?;
            Ok(views::trend(&t))
        }
        Some(ReportCmd::Checkins(f)) => {
            let r = resolve(ctx, &store, &f)?;
            let until = r.until.unwrap_or(ctx.clock.today);
            let since = r.since.unwrap_or(until - Duration::days(8 * 7 - 1));
            let due = super::checkin::due_rows(ctx, &store, None, f.team.as_deref())?;
            let mut overdue = std::collections::HashMap::new();
            for d in due {
                *overdue.entry(d.person).or_insert(0i64) += 1;
            }
            let cadence = i64::from(ctx.config.checkin.cadence_days.unwrap_or(7));
            let mut lines = people::checkins(
                conn,
                f.team.as_deref(),
                (since, until, ctx.clock.today),
                cadence,
                &overdue,
            )?;
            if let Some(p) = &f.person {
                lines.retain(|l| &l.person.handle == p);
            }
            if let Some(l) = f.limit {
                lines.truncate(l);
            }
            Ok(views::checkins(&lines, since, until))
        }
        Some(ReportCmd::Cycle { cycle_arg, filters }) => {
            resolve(ctx, &store, &filters)?;
            let c = cycle_for(&store, cycle_arg.as_deref().or(filters.cycle.as_deref()))?;
            let t = template_of(&store, &c)?;
            let mut rep = review::cycle_report(conn, c, t, &pace)?;
            if let Some(p) = &filters.person {
                rep.states.retain(|s| &s.person.handle == p);
            }
            if let Some(tm) = &filters.team {
                let members: Vec<String> = org::list_people(conn, Some(tm), true)?
                    .into_iter()
                    .map(|p| p.handle)
                    .collect();
                rep.states.retain(|s| members.contains(&s.person.handle));
            }
            Ok(views::cycle(&rep))
        }
        Some(ReportCmd::Person {
            handle,
            include_private,
            filters,
        }) => {
            let r = resolve(ctx, &store, &filters)?;
            let person = org::get_person(conn, &handle)?;
            let cycle = match &filters.cycle {
                Some(c) => Some(sa::get_cycle(conn, c)?),
                None => review::latest_cycle_of(conn, person.id)?,
            };
            let cycle = match cycle {
                Some(c) => {
                    let t = template_of(&store, &c)?;
                    Some((c, t))
                }
                None => None,
            };
            let p = review::packet(
                conn,
                &handle,
                cycle,
                r.goals.period.as_deref(),
                include_private,
                &pace,
            )?;
            if p.private_hidden > 0 {
                ctx.ui.note(format!(
                    "{} private feedback item(s) left out; pass --include-private to include them.",
                    p.private_hidden
                ));
            }
            Ok(views::person(&p, &pace))
        }
        Some(ReportCmd::Effectiveness(f)) => {
            let r = resolve(ctx, &store, &f)?;
            let until = r.until.unwrap_or(ctx.clock.today);
            let since = r.since.unwrap_or(until - Duration::days(13 * 7 - 1));
            let e = people::effectiveness(
                conn,
                &pace,
                since,
                until,
                &GoalFilter {
                    limit: None,
                    ..r.goals
                },
            )?;
            Ok(views::effectiveness(&e))
        }
    }
}

fn goals(ctx: &Ctx, store: &Store, f: &Filters) -> Result<crate::render::Doc> {
    let r = resolve(ctx, store, f)?;
    let pace = ctx.pace();
    let lines = due_within(progress::measure_lines(store.conn(), &r.goals, &pace)?, &r);
    Ok(views::goals(&lines, &pace))
}

//! Report builders: query the store, apply the domain's rules, and return
//! plain structs. No formatting here; `render` does that. The functions at
//! this level are the `report` command's use cases, one per report, taking
//! the filters as typed.

pub mod appraise;
pub mod explain;
pub mod people;
pub mod plan;
pub mod progress;
pub mod record;
pub mod review;

use crate::app::access::Policy;
use crate::app::cycles::{get_cycle, load_template};
use crate::app::plan::GoalFilter;
use crate::domain::cycle::Cycle;
use crate::domain::goal::parse_statuses;
use crate::error::{Error, Result};
use crate::store::Session;
use crate::time::{Clock, parse_window};
use chrono::{Duration, NaiveDate};
use plan::PaceContext;
use progress::MeasureLine;

/// The filters every report takes, as typed.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    /// Only this person's goals (or rows).
    pub person: Option<String>,
    /// Only this team, its sub-teams and their members.
    pub team: Option<String>,
    /// Only goals in this period.
    pub period: Option<String>,
    /// A review cycle.
    pub cycle: Option<String>,
    /// Goal statuses as typed.
    pub status: Option<String>,
    /// From this date expression.
    pub since: Option<String>,
    /// Up to this date expression.
    pub until: Option<String>,
    /// At most this many rows.
    pub limit: Option<usize>,
}

/// Filters checked against the store: the goals they name and the window.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// Which goals.
    pub goals: GoalFilter,
    /// From this day.
    pub since: Option<NaiveDate>,
    /// Up to this day.
    pub until: Option<NaiveDate>,
}

/// Check the filters: every person, team, cycle and period they name must
/// exist, and the window must not end before it starts.
pub fn resolve(s: &dyn Session, clock: &Clock, f: &Filters) -> Result<Resolved> {
    if let Some(p) = &f.person {
        crate::app::org::person_id(s, p)?;
    }
    if let Some(t) = &f.team {
        crate::app::org::team_id(s, t)?;
    }
    if let Some(c) = &f.cycle {
        get_cycle(s, c)?;
    }
    let period = match &f.period {
        Some(p) => Some(crate::app::plan::resolve_period(s, clock.week_start, p)?.name),
        None => None,
    };
    let statuses = parse_statuses(f.status.as_deref())?;
    let (since, until) = parse_window(f.since.as_deref(), f.until.as_deref(), clock)?;
    if let (Some(a), Some(b)) = (since, until) {
        if a > b {
            return Err(Error::invalid(format!("--since {a} is after --until {b}")));
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

/// The lines of goals due within the window.
fn due_within(lines: Vec<MeasureLine>, r: &Resolved) -> Vec<MeasureLine> {
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

/// `report goals`: every measure of the goals the filters name.
pub fn goals(
    s: &dyn Session,
    clock: &Clock,
    pace: &PaceContext,
    f: &Filters,
) -> Result<Vec<MeasureLine>> {
    let r = resolve(s, clock, f)?;
    Ok(due_within(progress::measure_lines(s, &r.goals, pace)?, &r))
}

/// `report gaps`: the measures behind their expected progress, largest gap first.
pub fn gaps(
    s: &dyn Session,
    clock: &Clock,
    pace: &PaceContext,
    f: &Filters,
) -> Result<Vec<MeasureLine>> {
    let r = resolve(s, clock, f)?;
    Ok(due_within(progress::gaps(s, &r.goals, pace)?, &r))
}

/// `report team`: one line per person and per team (feedback counted over
/// the window, by default the last 90 days).
pub fn team(
    s: &dyn Session,
    clock: &Clock,
    pace: &PaceContext,
    team: Option<String>,
    f: &Filters,
) -> Result<(Vec<people::TeamLine>, Vec<people::TeamLine>)> {
    let team = team.or(f.team.clone());
    let r = resolve(
        s,
        clock,
        &Filters {
            team: team.clone(),
            ..f.clone()
        },
    )?;
    let since = r.since.unwrap_or(clock.today - Duration::days(90));
    let (mut lines, teams) = people::team(
        s,
        team.as_deref(),
        r.goals.period.as_deref(),
        pace,
        Some(since),
    )?;
    if let Some(p) = &r.goals.owner {
        lines.retain(|l| &l.handle == p);
    }
    if let Some(l) = r.goals.limit {
        lines.truncate(l);
    }
    Ok((lines, teams))
}

/// `report trend`: one goal's values over time.
pub fn trend(
    s: &dyn Session,
    clock: &Clock,
    pace: &PaceContext,
    goal: &str,
    f: &Filters,
) -> Result<progress::Trend> {
    let r = resolve(s, clock, f)?;
    let g = crate::app::plan::get_goal(s, goal)?;
    progress::trend(s, &g, pace, r.since.or(g.start), r.until)
}

/// `report checkins`: cadence and compliance per person over the window
/// (by default the last 8 weeks); returns the lines and the window.
pub fn checkins(
    s: &dyn Session,
    clock: &Clock,
    cadence: i64,
    f: &Filters,
) -> Result<(Vec<people::CheckinLine>, NaiveDate, NaiveDate)> {
    let r = resolve(s, clock, f)?;
    let until = r.until.unwrap_or(clock.today);
    let since = r.since.unwrap_or(until - Duration::days(8 * 7 - 1));
    let due = crate::app::checkin::due_rows(s, clock.today, cadence, None, f.team.as_deref())?;
    let mut overdue = std::collections::HashMap::new();
    for d in due {
        *overdue.entry(d.person).or_insert(0i64) += 1;
    }
    let mut lines = people::checkins(
        s,
        f.team.as_deref(),
        (since, until, clock.today),
        cadence,
        &overdue,
    )?;
    if let Some(p) = &f.person {
        lines.retain(|l| &l.person.handle == p);
    }
    if let Some(l) = f.limit {
        lines.truncate(l);
    }
    Ok((lines, since, until))
}

/// The cycle a report is about: the one named, else the newest.
fn cycle_for(s: &dyn Session, reference: Option<&str>) -> Result<Cycle> {
    match reference {
        Some(c) => get_cycle(s, c),
        None => s.list_cycles()?.into_iter().next().ok_or_else(|| {
            Error::failed("there are no review cycles yet")
                .with_hint("create one with `yardstick appraise cycle new`")
        }),
    }
}

/// `report cycle`: a cycle's completion, distribution, averages and 9-box.
pub fn cycle(
    s: &dyn Session,
    clock: &Clock,
    pace: &PaceContext,
    policy: &Policy,
    cycle: Option<&str>,
    f: &Filters,
) -> Result<review::CycleReport> {
    resolve(s, clock, f)?;
    let c = cycle_for(s, cycle.or(f.cycle.as_deref()))?;
    let t = load_template(s, &c)?;
    let mut rep = review::cycle_report(s, policy, c, t, pace)?;
    if let Some(p) = &f.person {
        rep.states.retain(|x| &x.person.handle == p);
    }
    if let Some(tm) = &f.team {
        let members: Vec<String> = crate::app::org::list_people(s, Some(tm), true)?
            .into_iter()
            .map(|p| p.handle)
            .collect();
        rep.states.retain(|x| members.contains(&x.person.handle));
    }
    Ok(rep)
}

/// `report person`: a person's review packet for a cycle (the one named,
/// else the latest they take part in).
pub fn person(
    s: &dyn Session,
    clock: &Clock,
    pace: &PaceContext,
    policy: &Policy,
    handle: &str,
    include_private: bool,
    f: &Filters,
) -> Result<review::Packet> {
    let r = resolve(s, clock, f)?;
    let person = crate::app::org::get_person(s, handle)?;
    let cycle = match &f.cycle {
        Some(c) => Some(get_cycle(s, c)?),
        None => review::latest_cycle_of(s, person.id)?,
    };
    let cycle = match cycle {
        Some(c) => {
            let t = load_template(s, &c)?;
            Some((c, t))
        }
        None => None,
    };
    review::packet(
        s,
        policy,
        handle,
        cycle,
        r.goals.period.as_deref(),
        include_private,
        pace,
    )
}

/// `report effectiveness`: is performance management working, over the
/// window (by default the last 13 weeks).
pub fn effectiveness(
    s: &dyn Session,
    clock: &Clock,
    pace: &PaceContext,
    f: &Filters,
) -> Result<people::Effectiveness> {
    let r = resolve(s, clock, f)?;
    let until = r.until.unwrap_or(clock.today);
    let since = r.since.unwrap_or(until - Duration::days(13 * 7 - 1));
    people::effectiveness(
        s,
        pace,
        since,
        until,
        &GoalFilter {
            limit: None,
            ..r.goals
        },
    )
}

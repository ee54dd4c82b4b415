//! People reports: one row per person with team roll-ups (`report team`),
//! check-in cadence and compliance (`report checkins`), and whether
//! performance management is working at all (`report effectiveness`).

use super::plan::{PaceContext, PlanIndex};
use crate::app::org;
use crate::app::plan::{GoalFilter, list_goals};
use crate::domain::org::{Person, Team};
use crate::domain::{GoalStatus, PaceStatus};
use crate::error::Result;
use crate::store::Session;
use chrono::NaiveDate;
use std::collections::HashMap;

/// How a person (or a team, rolled up) is doing.
#[derive(Debug, Clone, Default)]
pub struct TeamLine {
    /// The person's or team's handle.
    pub handle: String,
    /// Name.
    pub name: String,
    /// The team (for a person) or the parent team (for a team).
    pub team: Option<String>,
    /// People counted (1 for a person).
    pub people: i64,
    /// Active goals.
    pub goals: i64,
    /// Mean progress of those goals (0–1).
    pub attainment: Option<f64>,
    /// Goals on track.
    pub on_track: i64,
    /// Goals at risk.
    pub at_risk: i64,
    /// Goals off track.
    pub off_track: i64,
    /// Days since the latest check-in on any of their goals.
    pub last_checkin_days: Option<i64>,
    /// Feedback received in the window (shared only).
    pub feedback: i64,
}

fn add(a: &mut TeamLine, b: &TeamLine, sum: &mut (f64, i64)) {
    a.people += b.people;
    a.goals += b.goals;
    a.on_track += b.on_track;
    a.at_risk += b.at_risk;
    a.off_track += b.off_track;
    a.feedback += b.feedback;
    a.last_checkin_days = match (a.last_checkin_days, b.last_checkin_days) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    };
    if let Some(v) = b.attainment {
        sum.0 += v * b.goals as f64;
        sum.1 += b.goals;
    }
}

/// One line per person (of a team and its sub-teams, or everyone), and one
/// per team rolling up its members and sub-teams.
pub fn team(
    s: &dyn Session,
    team: Option<&str>,
    period: Option<&str>,
    pace: &PaceContext,
    since: Option<NaiveDate>,
) -> Result<(Vec<TeamLine>, Vec<TeamLine>)> {
    let people = org::list_people(s, team, false)?;
    let goals = list_goals(
        s,
        &GoalFilter {
            team: team.map(str::to_string),
            period: period.map(str::to_string),
            statuses: vec![GoalStatus::Active],
            ..GoalFilter::default()
        },
    )?;
    let index = match team {
        Some(_) => PlanIndex::load_for(s, pace, &goals.iter().map(|g| g.id).collect::<Vec<_>>())?,
        None => PlanIndex::load(s, pace)?,
    };
    let feedback = s.feedback_received(since, Some(pace.today), false)?;
    let mut lines: Vec<TeamLine> = Vec::new();
    for p in &people {
        let mut l = TeamLine {
            handle: p.handle.clone(),
            name: p.name.clone(),
            team: p.team.clone(),
            people: 1,
            ..TeamLine::default()
        };
        let mut sum = 0.0;
        let mut n = 0;
        for g in goals
            .iter()
            .filter(|g| !g.owner_is_team && g.owner == p.handle)
        {
            let Some(s) = index.get(g.id) else { continue };
            l.goals += 1;
            if let Some(v) = s.progress {
                sum += v;
                n += 1;
            }
            match s.pace {
                Some(PaceStatus::Ahead | PaceStatus::OnTrack) => l.on_track += 1,
                Some(PaceStatus::AtRisk) => l.at_risk += 1,
                Some(PaceStatus::OffTrack) => l.off_track += 1,
                None => {}
            }
            if let Some(d) = s.checkin_age_days {
                l.last_checkin_days = Some(l.last_checkin_days.map_or(d, |x: i64| x.min(d)));
            }
        }
        l.attainment = (n > 0).then(|| sum / f64::from(n));
        l.feedback = feedback.get(&p.handle).copied().unwrap_or(0);
        lines.push(l);
    }
    // Team roll-ups, sub-teams included.
    let teams = s.list_teams()?;
    let in_scope: Vec<&Team> = match team {
        Some(t) => {
            let ids = org::subtree(s, t)?;
            teams.iter().filter(|x| ids.contains(&x.id)).collect()
        }
        None => teams.iter().collect(),
    };
    let mut rollups = Vec::new();
    for t in in_scope {
        let ids = s.team_subtree(t.id)?;
        let handles: Vec<&str> = teams
            .iter()
            .filter(|x| ids.contains(&x.id))
            .map(|x| x.handle.as_str())
            .collect();
        let mut r = TeamLine {
            handle: t.handle.clone(),
            name: t.name.clone(),
            team: t.parent.clone(),
            ..TeamLine::default()
        };
        let mut sum = (0.0, 0);
        for l in lines
            .iter()
            .filter(|l| l.team.as_deref().is_some_and(|x| handles.contains(&x)))
        {
            add(&mut r, l, &mut sum);
        }
        r.attainment = (sum.1 > 0).then(|| sum.0 / sum.1 as f64);
        rollups.push(r);
    }
    Ok((lines, rollups))
}

/// Check-in cadence and compliance of one person.
#[derive(Debug, Clone)]
pub struct CheckinLine {
    /// The person.
    pub person: Person,
    /// Check-ins they wrote in the window.
    pub checkins: i64,
    /// Weeks in the window with at least one check-in.
    pub weeks_with: i64,
    /// Weeks in the window.
    pub weeks: i64,
    /// Their latest check-in in the window.
    pub last: Option<NaiveDate>,
    /// Their cadence in days.
    pub cadence: i64,
    /// Measures overdue for a check-in now.
    pub overdue: i64,
}

/// Cadence and compliance per person over [since, until].
pub fn checkins(
    s: &dyn Session,
    team: Option<&str>,
    (since, until, pace_today): (NaiveDate, NaiveDate, NaiveDate),
    default_cadence: i64,
    overdue: &HashMap<String, i64>,
) -> Result<Vec<CheckinLine>> {
    let by_author = s.checkins_by_author(Some(since), Some(until))?;
    // Weeks still ahead cannot be missed yet.
    let today = until.min(pace_today);
    let weeks = ((today - since).num_days() / 7 + 1).max(1);
    Ok(org::list_people(s, team, false)?
        .into_iter()
        .map(|p| {
            let (n, w, last) = by_author.get(&p.handle).cloned().unwrap_or((0, 0, None));
            CheckinLine {
                checkins: n,
                weeks_with: w,
                weeks,
                last,
                cadence: p.cadence_days.unwrap_or(default_cadence),
                overdue: overdue.get(&p.handle).copied().unwrap_or(0),
                person: p,
            }
        })
        .collect())
}

/// Is performance management working here?
#[derive(Debug, Clone)]
pub struct Effectiveness {
    /// Closed goals achieved / (achieved + missed).
    pub completion_rate: Option<f64>,
    /// Goals per status.
    pub goals_by_status: Vec<(String, i64)>,
    /// Check-ins with a value per active measure per week over the window.
    pub checkins_per_measure_week: Option<f64>,
    /// Measures checked in at least once in the window / active measures.
    pub measures_covered: Option<f64>,
    /// Per cycle: (name, state, required reviews, submitted).
    pub reviews: Vec<(String, String, i64, i64)>,
    /// Mean goal progress per period: (period, goals, attainment).
    pub attainment_by_period: Vec<(String, i64, Option<f64>)>,
    /// The window.
    pub since: NaiveDate,
    /// The window's end.
    pub until: NaiveDate,
}

/// The effectiveness of the process over [since, until].
pub fn effectiveness(
    s: &dyn Session,
    pace: &PaceContext,
    since: NaiveDate,
    until: NaiveDate,
    filter: &GoalFilter,
) -> Result<Effectiveness> {
    // The goals in scope: by owner, team, period and status (all statuses unless asked).
    let scope = GoalFilter {
        statuses: if filter.statuses.is_empty() {
            GoalStatus::ALL.to_vec()
        } else {
            filter.statuses.clone()
        },
        ..filter.clone()
    };
    let goals = list_goals(s, &scope)?;
    let mut by_status: Vec<(String, i64)> = Vec::new();
    for g in &goals {
        match by_status.iter_mut().find(|(k, _)| k == g.status.as_str()) {
            Some(x) => x.1 += 1,
            None => by_status.push((g.status.as_str().to_string(), 1)),
        }
    }
    by_status.sort();
    let count = |st: GoalStatus| goals.iter().filter(|g| g.status == st).count() as i64;
    let (achieved, missed) = (count(GoalStatus::Achieved), count(GoalStatus::Missed));
    let completion_rate =
        (achieved + missed > 0).then(|| achieved as f64 / (achieved + missed) as f64);
    let index = PlanIndex::load(s, pace)?;
    let active_measures: i64 = goals
        .iter()
        .filter(|g| g.status == GoalStatus::Active)
        .filter_map(|g| index.get(g.id))
        .map(|s| i64::try_from(s.measures.len()).unwrap_or(0))
        .sum();
    let (volume, covered) = s.checkin_volume(Some(since), Some(until))?;
    let weeks = ((until - since).num_days() as f64 / 7.0).max(1.0);
    let mut periods: Vec<(String, i64, f64, i64)> = Vec::new();
    for g in goals.iter().filter(|g| g.status != GoalStatus::Dropped) {
        let Some(p) = &g.period else { continue };
        let progress = index.get(g.id).and_then(|s| s.progress);
        match periods.iter_mut().find(|x| &x.0 == p) {
            Some(x) => {
                x.1 += 1;
                if let Some(v) = progress {
                    x.2 += v;
                    x.3 += 1;
                }
            }
            None => periods.push((
                p.clone(),
                1,
                progress.unwrap_or(0.0),
                i64::from(progress.is_some()),
            )),
        }
    }
    periods.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(Effectiveness {
        completion_rate,
        goals_by_status: by_status,
        checkins_per_measure_week: (active_measures > 0)
            .then(|| volume as f64 / active_measures as f64 / weeks),
        measures_covered: (active_measures > 0)
            .then(|| (covered as f64 / active_measures as f64).min(1.0)),
        reviews: s.review_completion()?,
        attainment_by_period: periods
            .into_iter()
            .map(|(p, n, sum, k)| (p, n, (k > 0).then(|| sum / k as f64)))
            .collect(),
        since,
        until,
    })
}

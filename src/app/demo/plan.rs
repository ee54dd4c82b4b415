//! The demo's plan: goals cascading from the organisation to departments to
//! people, their measures, ongoing standards, and last quarter's closed goals.

use super::data::{STANDARDS, TEAMS};
use super::rng::Rng;
use super::{DemoSummary, Org};
use crate::app::access::Policy;
use crate::app::org;
use crate::app::plan::{self as splan, GoalPatch, MeasurePatch};
use crate::domain::goal::Measure;
use crate::domain::{Direction, MeasureKind, Priority};
use crate::error::Result;
use crate::store::Session;
use crate::time::{Period, PeriodKind, Weekday, period_containing};
use chrono::{Duration, NaiveDate};

/// A measure the demo reports on, with how its owner is doing.
pub(super) struct Tracked {
    pub(super) measure: Measure,
    pub(super) pace: f64,
    pub(super) stale: bool,
    pub(super) author: Option<i64>,
    pub(super) start: NaiveDate,
    pub(super) end: NaiveDate,
    pub(super) ongoing: bool,
}

/// How a goal's owner is doing: a multiplier on the expected pace, and
/// whether check-ins stopped a few weeks ago.
fn profile(rng: &mut Rng) -> (f64, bool) {
    match rng.range(0, 9) {
        0 | 1 => (1.35, false), // ahead
        2..=5 => (1.0, false),  // on pace
        6 | 7 => (0.55, false), // behind
        _ => (0.8, true),       // stale
    }
}

/// The goals and measures: the organisation's, each department's, each
/// member's for the quarter, the ongoing standards of a long history, and
/// last quarter's closed goals. Returns the measures to report on.
#[allow(clippy::too_many_arguments)]
pub(super) fn plan(
    db: &mut dyn Session,
    now: &str,
    today: NaiveDate,
    week_start: Weekday,
    weeks: u32,
    q: &Period,
    org: &Org,
    rng: &mut Rng,
    s: &mut DemoSummary,
) -> Result<Vec<Tracked>> {
    let members = &org.members;
    let everyone = &org.everyone;
    let goal = |key: &str,
                title: &str,
                owner: &str,
                parent: Option<&str>,
                weight: f64,
                priority: Priority| GoalPatch {
        key: Some(key.into()),
        title: Some(title.into()),
        owner: Some(owner.into()),
        parent: Some(parent.map(str::to_string)),
        period: Some(Some(q.name.clone())),
        start: Some(Some(q.start)),
        due: Some(Some(q.end)),
        weight: Some(weight),
        priority: Some(priority),
        ..GoalPatch::default()
    };
    let measure = |name: &str,
                   unit: &str,
                   kind: MeasureKind,
                   baseline: f64,
                   target: f64,
                   stretch: Option<f64>,
                   floor: Option<f64>| MeasurePatch {
        name: Some(name.into()),
        unit: Some(Some(unit.to_string()).filter(|u| !u.is_empty())),
        kind: Some(kind),
        direction: Some(if target < baseline {
            Direction::Decrease
        } else {
            Direction::Increase
        }),
        baseline: Some(baseline),
        target: Some(target),
        stretch: Some(stretch),
        floor: Some(floor),
        weight: Some(1.0),
    };

    // Organisation goals.
    let mut tracked: Vec<Tracked> = Vec::new();
    let mut add = |db: &mut dyn Session,
                   g: GoalPatch,
                   ms: Vec<MeasurePatch>,
                   s: &mut DemoSummary,
                   rng: &mut Rng|
     -> Result<()> {
        let goal = splan::add_goal(db, now, &Policy::owner(), &g)?;
        s.goals += 1;
        let (pace, stale) = profile(rng);
        // Check-ins are written by the owner, or by the lead of an owning team.
        let author = if goal.owner_is_team {
            db.find_team(&goal.owner)?.and_then(|t| t.lead)
        } else {
            Some(goal.owner.clone())
        };
        let author = match author {
            Some(h) => Some(org::person_id(db, &h)?),
            None => None,
        };
        for m in ms {
            let m = splan::add_measure(db, now, &Policy::owner(), &goal, &m)?;
            s.measures += 1;
            tracked.push(Tracked {
                measure: m,
                pace,
                stale,
                author,
                start: goal.start.unwrap_or(q.start),
                end: goal.due.unwrap_or(q.end),
                ongoing: goal.period.is_none(),
            });
        }
        Ok(())
    };
    add(
        db,
        goal(
            "grow-revenue",
            "Grow annual recurring revenue",
            "acme",
            None,
            2.0,
            Priority::High,
        ),
        vec![measure(
            "ARR",
            "EUR",
            MeasureKind::Currency,
            2_000_000.0,
            3_000_000.0,
            Some(3_300_000.0),
            Some(1_800_000.0),
        )],
        s,
        rng,
    )?;
    add(
        db,
        goal(
            "reliable-product",
            "Make the product reliable",
            "acme",
            None,
            1.0,
            Priority::High,
        ),
        vec![
            measure(
                "uptime",
                "%",
                MeasureKind::Percent,
                99.5,
                99.9,
                Some(99.95),
                Some(99.0),
            ),
            measure(
                "sev-1 incidents",
                "incidents",
                MeasureKind::Number,
                6.0,
                1.0,
                Some(0.0),
                None,
            ),
        ],
        s,
        rng,
    )?;
    for (ti, t) in TEAMS.iter().enumerate() {
        let (name, unit, kind, b, tg, st, fl) = t.metric;
        add(
            db,
            goal(
                t.goal_key,
                t.goal,
                t.handle,
                Some(t.parent_goal),
                1.0,
                Priority::High,
            ),
            vec![measure(name, unit, kind, b, tg, st, fl)],
            s,
            rng,
        )?;
        for (pi, handle) in members[ti].iter().enumerate() {
            let (title, mname, unit, kind, b, tg) = t.personal[pi % t.personal.len()];
            let key = format!("{handle}-{}", crate::domain::names::slugify(title));
            let key = if key.len() > 60 {
                key[..60].trim_end_matches('-').to_string()
            } else {
                key
            };
            add(
                db,
                goal(&key, title, handle, Some(t.goal_key), 1.0, Priority::Medium),
                vec![measure(mname, unit, kind, b, tg, None, None)],
                s,
                rng,
            )?;
        }
    }

    // With more than a quarter of history, everyone also keeps ongoing
    // standards, reported on every week since the history began.
    if weeks > 13 {
        let history_start = today - Duration::days(i64::from(weeks) * 7);
        for handle in everyone {
            for (title, ms) in STANDARDS {
                let key = format!("{handle}-{}", crate::domain::names::slugify(title));
                add(
                    db,
                    GoalPatch {
                        key: Some(key),
                        title: Some((*title).into()),
                        owner: Some(handle.clone()),
                        period: Some(None),
                        start: Some(Some(history_start)),
                        due: Some(Some(q.end)),
                        weight: Some(1.0),
                        priority: Some(Priority::Low),
                        ..GoalPatch::default()
                    },
                    ms.iter()
                        .map(|&(name, unit, kind, b, t)| {
                            measure(name, unit, kind, b, t, None, None)
                        })
                        .collect(),
                    s,
                    rng,
                )?;
            }
        }
    }

    // Last quarter's goals, closed: two achieved, one missed.
    let last_q = period_containing(PeriodKind::Quarter, q.start - Duration::days(1), week_start);
    for (key, title, owner, status) in [
        (
            "launch-status-page",
            "Launch the public status page",
            "platform",
            crate::domain::GoalStatus::Achieved,
        ),
        (
            "pricing-page-test",
            "Test the new pricing page",
            "product",
            crate::domain::GoalStatus::Achieved,
        ),
        (
            "partner-channel",
            "Open a partner sales channel",
            "sales",
            crate::domain::GoalStatus::Missed,
        ),
    ] {
        splan::add_goal(
            db,
            now,
            &Policy::owner(),
            &GoalPatch {
                key: Some(key.into()),
                title: Some(title.into()),
                owner: Some(owner.into()),
                period: Some(Some(last_q.name.clone())),
                start: Some(Some(last_q.start)),
                due: Some(Some(last_q.end)),
                status: Some(status),
                ..GoalPatch::default()
            },
        )?;
        s.goals += 1;
    }

    Ok(tracked)
}

//! The demo's review cycles: a finished half-year to finalize, and the
//! current half-year part-way through.

use super::rng::Rng;
use crate::app::cycles as sa;
use crate::app::org;
use crate::domain::ReviewKind;
use crate::domain::cycle::CycleStep;
use crate::error::Result;
use crate::store::Session;
use crate::store::cycles::NewCycle;
use crate::time::{PeriodKind, Weekday, period_containing};
use chrono::{Duration, NaiveDate};

/// The demo's review cycles: the previous half-year's, complete and ready to
/// finalize (the caller computes the scores and finalizes it), and the
/// current half-year's, open and part-way through.
pub struct DemoCycles {
    /// The cycle to finalize.
    pub finished: String,
    /// The open cycle.
    pub open: String,
    /// People who acknowledge their outcome once the finished cycle is final.
    pub acknowledging: Vec<String>,
}

/// Create the demo's review cycles (inside the caller's transaction).
pub fn appraisals(
    db: &mut dyn Session,
    now: &str,
    today: NaiveDate,
    week_start: Weekday,
    seed: u64,
) -> Result<DemoCycles> {
    let mut rng = Rng::new(seed ^ 0xA9);
    let template =
        crate::formats::template::parse(crate::formats::template::DEFAULT, "the default template")?;
    let tid = sa::add_template(db, now, &template.name, crate::formats::template::DEFAULT)?;
    let this_half = period_containing(PeriodKind::Half, today, week_start);
    let last_half = period_containing(
        PeriodKind::Half,
        this_half.start - Duration::days(1),
        week_start,
    );
    let people: Vec<crate::domain::org::Person> = org::list_people(db, None, false)?
        .into_iter()
        .filter(|p| p.manager.is_some())
        .collect();
    let ids: Vec<i64> = people.iter().map(|p| p.id).collect();
    let competencies: Vec<String> = template
        .competencies
        .iter()
        .map(|c| c.key.clone())
        .collect();
    let levels: Vec<f64> = template.scale.levels.iter().map(|l| l.value).collect();
    let pick_level = |rng: &mut Rng, bias: i64| -> f64 {
        let i = (rng.range(2, 3) + bias).clamp(0, i64::try_from(levels.len()).unwrap_or(1) - 1);
        levels[usize::try_from(i).unwrap_or(0)]
    };

    let finished = format!("{} reviews", last_half.name);
    let c = sa::create_cycle(
        db,
        now,
        &NewCycle {
            created_by: None,
            name: finished.clone(),
            period: last_half.name.clone(),
            start: last_half.start,
            end: last_half.end,
            template_id: tid,
            self_due: Some(last_half.end + Duration::days(14)),
            manager_due: Some(last_half.end + Duration::days(28)),
        },
        &ids,
    )?;
    let by_handle = |h: &str| people.iter().find(|p| p.handle == h).map(|p| p.id);
    for (i, p) in people.iter().enumerate() {
        let bias = rng.range(-1, 1);
        let manager = p
            .manager
            .as_deref()
            .and_then(by_handle)
            .map_or(Ok(None), |m| Ok::<_, crate::Error>(Some(m)))?;
        let mut kinds: Vec<(i64, ReviewKind)> = vec![(p.id, ReviewKind::SelfReview)];
        if let Some(m) = manager {
            kinds.push((m, ReviewKind::Manager));
        } else if let Some(m) = &p.manager {
            kinds.push((org::person_id(db, m)?, ReviewKind::Manager));
        }
        // Three teammates as peers, so their average clears the anonymity threshold.
        let mates: Vec<&crate::domain::org::Person> = people
            .iter()
            .filter(|q| {
                q.team == p.team && q.id != p.id && Some(q.handle.as_str()) != p.manager.as_deref()
            })
            .collect();
        for q in mates.iter().take(3) {
            kinds.push((q.id, ReviewKind::Peer));
        }
        for (reviewer, kind) in kinds {
            let r = sa::ensure_review(db, now, c.id, p.id, reviewer, kind)?;
            for k in &competencies {
                sa::set_rating(db, now, r.id, k, Some(pick_level(&mut rng, bias)), None)?;
            }
            let summary = match kind {
                ReviewKind::SelfReview => {
                    "Delivered what I committed to; want to grow in mentoring."
                }
                ReviewKind::Manager => "Solid half; owns their area and helps others.",
                _ => "Good to work with.",
            };
            sa::set_summary(db, now, r.id, summary)?;
            sa::submit(db, now, r.id)?;
        }
        let (potential, recommendation) = match i % 4 {
            0 => ("high", "promotion"),
            1 => ("medium", "raise"),
            2 => ("medium", "none"),
            _ => ("low", "improvement-plan"),
        };
        sa::set_outcome(db, now, c.id, p.id, Some(potential), Some(recommendation))?;
        if i % 3 == 0 {
            sa::add_action(
                db,
                now,
                c.id,
                p.id,
                "Lead one design review a month",
                Some(this_half.end),
            )?;
        }
    }
    if let Some(p) = people.first() {
        let top = levels.last().copied().unwrap_or(5.0);
        sa::calibrate(
            db,
            now,
            c.id,
            p.id,
            top,
            "Calibration panel: led the incident response that saved the launch",
        )?;
    }
    sa::record_step(db, now, &c, CycleStep::Open, ("demo", false, None))?;
    sa::record_step(db, now, &c, CycleStep::Calibrate, ("demo", false, None))?;

    // This half: open, with some self reviews in, a few manager reviews, one draft.
    let open = format!("{} reviews", this_half.name);
    let c2 = sa::create_cycle(
        db,
        now,
        &NewCycle {
            created_by: None,
            name: open.clone(),
            period: this_half.name.clone(),
            start: this_half.start,
            end: this_half.end,
            template_id: tid,
            self_due: Some(this_half.end + Duration::days(14)),
            manager_due: Some(this_half.end + Duration::days(28)),
        },
        &ids,
    )?;
    sa::record_step(db, now, &c2, CycleStep::Open, ("demo", false, None))?;
    for (i, p) in people.iter().enumerate() {
        if i % 3 == 2 {
            continue; // not started
        }
        let r = sa::ensure_review(db, now, c2.id, p.id, p.id, ReviewKind::SelfReview)?;
        for k in competencies.iter().take(2) {
            sa::set_rating(db, now, r.id, k, Some(pick_level(&mut rng, 0)), None)?;
        }
        if i % 3 == 0 {
            sa::submit(db, now, r.id)?;
            if i % 2 == 0 {
                if let Some(m) = p.manager.as_deref() {
                    let mid = org::person_id(db, m)?;
                    let r = sa::ensure_review(db, now, c2.id, p.id, mid, ReviewKind::Manager)?;
                    for k in &competencies {
                        sa::set_rating(db, now, r.id, k, Some(pick_level(&mut rng, 0)), None)?;
                    }
                    sa::submit(db, now, r.id)?;
                }
            }
        }
    }
    let acknowledging = people.iter().step_by(2).map(|p| p.handle.clone()).collect();
    Ok(DemoCycles {
        finished,
        open,
        acknowledging,
    })
}

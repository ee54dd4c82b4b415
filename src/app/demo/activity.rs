//! The demo's activity: weekly check-ins (in bulk) and feedback.

use super::data::NAMED;
use super::plan::Tracked;
use super::rng::{Rng, pick_text};
use super::{DemoSize, DemoSummary, Org};
use crate::app::org;
use crate::domain::{FeedbackKind, MeasureKind, PaceStatus};
use crate::error::Result;
use crate::store::Session;
use crate::store::checkins::NewCheckin;
use crate::store::feedback::NewFeedback;
use chrono::{Duration, NaiveDate};

/// Check-ins written per bulk insert (memory stays flat whatever the size).
const BATCH: usize = 200;

/// Weekly check-ins up to today, in bulk.
#[allow(clippy::too_many_arguments)]
pub(super) fn record_checkins(
    db: &mut dyn Session,
    now: &str,
    today: NaiveDate,
    size: DemoSize,
    tracked: &[Tracked],
    rng: &mut Rng,
    s: &mut DemoSummary,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<()> {
    let DemoSize { weeks, seed, .. } = size;
    let mut ids = Rng::new(seed ^ 0x1D5);
    let mut batch: Vec<(String, NewCheckin)> = Vec::with_capacity(BATCH);
    let total = u64::try_from(tracked.len()).unwrap_or(u64::MAX);
    for (done, t) in tracked.iter().enumerate() {
        let Tracked {
            measure: m,
            pace,
            stale,
            author,
            ..
        } = t;
        if done % 64 == 0 {
            progress(u64::try_from(done).unwrap_or(0), total);
        }
        let span = (t.end - t.start).num_days().max(1) as f64;
        for w in (0..weeks).rev() {
            let date = today - Duration::days(i64::from(w) * 7 + rng.range(0, 2));
            if *stale && w < 3 {
                continue;
            }
            if date < t.start - Duration::days(14) {
                continue;
            }
            // Ongoing standards miss a week now and then.
            if t.ongoing && rng.unit() < 0.05 {
                continue;
            }
            let elapsed = ((date - t.start).num_days() as f64 / span).clamp(0.0, 1.0);
            let noise = (rng.unit() - 0.5) * 0.08;
            let fraction = (elapsed * pace + noise).max(-0.05);
            let raw = m.baseline + (m.target - m.baseline) * fraction;
            let value = match m.kind {
                MeasureKind::YesNo => f64::from(u8::from(fraction >= 0.9)),
                MeasureKind::Milestone => raw.round().max(0.0),
                MeasureKind::Percent => (raw * 10.0).round() / 10.0,
                MeasureKind::Currency => (raw / 1000.0).round() * 1000.0,
                MeasureKind::Number => {
                    if m.baseline.fract() == 0.0 && m.target.fract() == 0.0 {
                        raw.round()
                    } else {
                        (raw * 10.0).round() / 10.0
                    }
                }
            };
            let note = match rng.range(0, 7) {
                0 => Some("Blocked on a dependency this week".to_string()),
                1 => Some("Good progress after the review".to_string()),
                _ => None,
            };
            batch.push((
                ids.uuid(),
                NewCheckin {
                    goal_id: m.goal_id,
                    measure_id: Some(m.id),
                    date,
                    value: Some(value),
                    confidence: Some(rng.range(4, 9)),
                    // People behind say so in their latest check-in.
                    status: (w == 0 && *pace < 0.7).then(|| PaceStatus::AtRisk.to_string()),
                    note,
                    author_id: *author,
                },
            ));
            if batch.len() >= BATCH {
                db.insert_checkins(now, &batch)?;
                batch.clear();
            }
            s.checkins += 1;
        }
    }
    db.insert_checkins(now, &batch)?;
    Ok(())
}

/// Feedback: managers praise and coach, peers give 360 input, and now and
/// then a manager notes a private concern.
pub(super) fn give_feedback(
    db: &mut dyn Session,
    now: &str,
    today: NaiveDate,
    weeks: u32,
    org: &Org,
    rng: &mut Rng,
    s: &mut DemoSummary,
) -> Result<()> {
    let (members, managers) = (&org.members, &org.managers);
    const PRAISE: &[&str] = &[
        "The design review was clear and well prepared",
        "Thanks for unblocking the release on Friday",
        "Great customer call: calm and precise",
    ];
    const COACHING: &[&str] = &[
        "Share drafts earlier so others can help",
        "Break the work into smaller check-ins",
        "Write down decisions after meetings",
    ];
    const PEER: &[&str] = &[
        "Always willing to pair on hard problems",
        "Reviews are thorough and kind",
    ];
    let mut pending: Vec<NewFeedback> = Vec::new();
    for (ti, team) in members.iter().enumerate() {
        let lead = NAMED[ti].0;
        for (i, handle) in team.iter().enumerate() {
            let to = org::person_id(db, handle)?;
            let manager = org::person_id(db, managers.get(handle).map_or(lead, String::as_str))?;
            let mut give = |from: i64,
                            kind: FeedbackKind,
                            text: &str,
                            private: bool,
                            rng: &mut Rng|
             -> Result<()> {
                let date = today - Duration::days(rng.range(0, i64::from(weeks.max(1)) * 7));
                pending.push(NewFeedback {
                    from_id: Some(from),
                    to_id: to,
                    date,
                    kind,
                    text: text.to_string(),
                    goal_id: None,
                    private,
                });
                s.feedback += 1;
                Ok(())
            };
            give(
                manager,
                FeedbackKind::Praise,
                pick_text(rng, PRAISE),
                false,
                rng,
            )?;
            if i % 2 == 0 {
                give(
                    manager,
                    FeedbackKind::Coaching,
                    pick_text(rng, COACHING),
                    false,
                    rng,
                )?;
            }
            if let Some(peer) = team.get((i + 1) % team.len()).filter(|p| *p != handle) {
                let from = org::person_id(db, peer)?;
                give(
                    from,
                    FeedbackKind::ThreeSixty,
                    pick_text(rng, PEER),
                    false,
                    rng,
                )?;
            }
            if i == 1 {
                give(
                    manager,
                    FeedbackKind::Concern,
                    "Deadlines slipped twice this month; agree a plan",
                    true,
                    rng,
                )?;
            }
        }
    }
    for f in &pending {
        db.insert_feedback(now, f)?;
    }
    Ok(())
}

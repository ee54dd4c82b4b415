//! Frozen appraisal records: what finalizing a cycle stores per subject,
//! and what every view of a finalized cycle shows instead of recomputing.
//!
//! A record holds the complete appraisal as it stood when the cycle was
//! finalized — score, level, every component with its effective weight,
//! each goal's attainment, the peer and upward averages, calibration and
//! outcome — and the packet's goals and measures as of the period's end. It
//! is stored as JSON in `appraisal_record.record`, written in the finalize
//! transaction before the cycle's state moves, and never changed; a reopen
//! voids it (with the reason) and the next finalize stores a new one.

use super::appraise::SubjectState;
use super::plan::{GoalState, PaceContext};
use super::progress::MeasureLine;
use super::review::plan_part;
use crate::domain::appraisal::Appraisal;
use crate::domain::cycle::{Cycle, Outcome};
use crate::domain::goal::Goal;
use crate::domain::pace::PaceThresholds;
use crate::error::{Error, Result};
use crate::store::Session;
use crate::store::cycles::StoredRecord;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The version of a record's JSON shape.
pub const RECORD_VERSION: u32 = 1;

/// The outcome as recorded (development actions are tracked apart: they
/// move after the review, the record does not; the improvement plan a
/// recommendation points at is a link to it).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordedOutcome {
    /// The computed score stored at finalization.
    pub computed_score: Option<f64>,
    /// The level computed from it.
    pub computed_level: Option<f64>,
    /// The calibrated level, if any.
    pub calibrated_level: Option<f64>,
    /// Why it was calibrated.
    pub calibration_reason: Option<String>,
    /// low, medium or high.
    pub potential: Option<String>,
    /// The manager's recommendation.
    pub recommendation: Option<String>,
    /// The peer average (none below the anonymity threshold).
    pub peer_average: Option<f64>,
    /// How many peer reviews were submitted.
    pub peer_count: Option<i64>,
    /// The upward average.
    pub upward_average: Option<f64>,
    /// How many upward reviews were submitted.
    pub upward_count: Option<i64>,
}

/// The packet's plan part as recorded.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordedPacket {
    /// The subject's goals of the cycle with their state as of the day.
    pub goals: Vec<GoalState>,
    /// Their measures.
    pub measures: Vec<MeasureLine>,
    /// The pace thresholds they were judged with.
    pub thresholds: PaceThresholds,
}

/// A frozen appraisal record.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    /// [`RECORD_VERSION`].
    pub version: u32,
    /// The day progress was taken as of (the period's end, or the day of
    /// finalizing when that came first).
    pub as_of: NaiveDate,
    /// The appraisal: score, level, components, counts.
    pub appraisal: Appraisal,
    /// The goals that counted, with their attainment.
    pub goals: Vec<(Goal, Option<f64>)>,
    /// The outcome.
    pub outcome: RecordedOutcome,
    /// The packet's goals and measures.
    pub packet: RecordedPacket,
    /// The subject's team when the cycle was finalized (what per-team
    /// totals count them in).
    pub team: Option<String>,
}

/// One record of a subject's history, as `appraise show` lists them.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordLine {
    /// 1 for the first finalization, 2 after one reopen…
    pub finalization: i64,
    /// When.
    pub finalized_at: String,
    /// By whom.
    pub finalized_by: String,
    /// The recorded score.
    pub score: Option<f64>,
    /// The recorded final level (calibrated, else computed).
    pub final_level: Option<f64>,
    /// When a reopen voided it.
    pub voided_at: Option<String>,
    /// Why.
    pub void_reason: Option<String>,
}

fn corrupt(e: impl std::fmt::Display) -> Error {
    Error::database(format!("an appraisal record cannot be read: {e}"))
        .with_hint("the file was changed outside yardstick; run `yardstick doctor`")
}

/// Read a stored record's JSON (a crafted or damaged one is an error, never
/// a panic).
pub fn parse(json: &str) -> Result<Record> {
    let r: Record = serde_json::from_str(json).map_err(corrupt)?;
    if r.version != RECORD_VERSION {
        return Err(corrupt(format!(
            "version {} (this yardstick reads {RECORD_VERSION})",
            r.version
        )));
    }
    Ok(r)
}

impl RecordLine {
    fn of(stored: &StoredRecord, record: &Record) -> RecordLine {
        RecordLine {
            finalization: stored.finalization,
            finalized_at: stored.finalized_at.clone(),
            finalized_by: stored.finalized_by.clone(),
            score: record.appraisal.score,
            final_level: record
                .outcome
                .calibrated_level
                .or(record.outcome.computed_level)
                .or(record.appraisal.level),
            voided_at: stored.voided_at.clone(),
            void_reason: stored.void_reason.clone(),
        }
    }
}

/// A cycle's records, by subject: the current one (not voided) and the
/// history of all of them.
#[derive(Default)]
pub struct CycleRecords {
    by_subject: HashMap<i64, (Option<Record>, Vec<RecordLine>)>,
}

impl CycleRecords {
    /// Load a cycle's records (of one subject when given).
    pub fn load(s: &dyn Session, cycle: &Cycle, subject: Option<i64>) -> Result<CycleRecords> {
        let mut by_subject: HashMap<i64, (Option<Record>, Vec<RecordLine>)> = HashMap::new();
        for stored in s.appraisal_records(cycle.id, subject)? {
            let record = parse(&stored.record)?;
            let entry = by_subject.entry(stored.subject).or_default();
            entry.1.push(RecordLine::of(&stored, &record));
            if stored.voided_at.is_none() {
                entry.0 = Some(record);
            }
        }
        Ok(CycleRecords { by_subject })
    }

    /// The current record of a subject, and the history of their records.
    pub fn take(&mut self, subject: i64) -> (Option<Record>, Vec<RecordLine>) {
        self.by_subject.remove(&subject).unwrap_or_default()
    }
}

/// Put a record in place of what a view would compute: the appraisal, the
/// goals and the outcome's recorded fields (the development actions stay
/// as tracked).
pub fn apply(st: &mut SubjectState, record: Record) {
    st.appraisal = record.appraisal;
    st.goals = record.goals;
    let o = record.outcome;
    // Development actions are tracked after the review; the plan a
    // recommendation points at is a link, not a figure.
    let live = st.outcome.take().unwrap_or_default();
    st.outcome = Some(Outcome {
        computed_score: o.computed_score,
        computed_level: o.computed_level,
        calibrated_level: o.calibrated_level,
        calibration_reason: o.calibration_reason,
        potential: o.potential,
        recommendation: o.recommendation,
        actions: live.actions,
        pip: live.pip,
        peer_average: o.peer_average,
        peer_count: o.peer_count,
        upward_average: o.upward_average,
        upward_count: o.upward_count,
    });
    st.frozen_packet = Some(record.packet);
    st.team = record.team;
}

/// Store the record of every subject of `states` (their appraisals as
/// computed for finalizing, with the outcome as stored by now), in the
/// finalize transaction, before the cycle's state moves.
pub fn freeze(
    s: &mut dyn Session,
    now: &str,
    by: &str,
    cycle: &Cycle,
    pace: &PaceContext,
    states: &[SubjectState],
) -> Result<()> {
    let as_of = pace.as_of(cycle.end);
    let previous = s.appraisal_records(cycle.id, None)?;
    for st in states {
        let person = st.person.person_id;
        let o = s.outcome(cycle.id, person)?.unwrap_or_default();
        let (goals, measures) = plan_part(s, &st.person.handle, Some(cycle), None, &as_of)?;
        let record = Record {
            version: RECORD_VERSION,
            as_of: as_of.today,
            appraisal: st.appraisal.clone(),
            goals: st.goals.clone(),
            outcome: RecordedOutcome {
                computed_score: o.computed_score,
                computed_level: o.computed_level,
                calibrated_level: o.calibrated_level,
                calibration_reason: o.calibration_reason,
                potential: o.potential,
                recommendation: o.recommendation,
                peer_average: o.peer_average,
                peer_count: o.peer_count,
                upward_average: o.upward_average,
                upward_count: o.upward_count,
            },
            packet: RecordedPacket {
                goals,
                measures,
                thresholds: pace.thresholds,
            },
            team: st.team.clone(),
        };
        let json = serde_json::to_string(&record)
            .map_err(|e| Error::failed(format!("cannot record the appraisal: {e}")))?;
        let finalization = previous
            .iter()
            .filter(|r| r.subject == person)
            .map(|r| r.finalization)
            .max()
            .unwrap_or(0)
            + 1;
        s.insert_appraisal_record(
            now,
            cycle.id,
            &StoredRecord {
                uuid: crate::store::new_uuid(),
                subject: person,
                finalization,
                finalized_at: now.to_string(),
                finalized_by: by.to_string(),
                record: json,
                voided_at: None,
                void_reason: None,
            },
        )?;
    }
    Ok(())
}

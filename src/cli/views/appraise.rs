//! Documents for appraisal: cycles, status per participant, one appraisal.

use crate::app::report::appraise::SubjectState;
use crate::domain::appraisal::{Explanation, Template};
use crate::domain::cycle::review_status;
use crate::domain::cycle::{Cycle, CycleEvent, Outcome, Participant};
use crate::render::cells::{level, round, score};
use crate::render::{Cell, Column, Doc, Record, Table};
use chrono::NaiveDate;

use super::followup;

/// The fields of an outcome that every appraisal view shows the same way:
/// the calibrated level and its reason (the computed level is shown beside
/// it by the caller), the peer average — only from the anonymity threshold
/// on, never with names — potential and recommendation.
pub fn outcome_fields(r: Record, t: &Template, s: &SubjectState, o: &Outcome) -> Record {
    let peer = s
        .appraisal
        .component(crate::domain::Component::Peer)
        .and_then(|x| x.value);
    r.field(
        "calibrated_level",
        "Calibrated level",
        level(t, o.calibrated_level),
    )
    .field(
        "calibration_reason",
        "Calibration reason",
        o.calibration_reason.clone(),
    )
    .field(
        "peer_average",
        "Peer average",
        if s.appraisal.peers_counted {
            score(peer)
        } else {
            Cell::Null
        },
    )
    .field("potential", "Potential", o.potential.clone())
    .field("recommendation", "Recommendation", o.recommendation.clone())
    .field("improvement_plan", "Improvement plan", o.pip)
    .field(
        "acknowledgement_comment",
        "Acknowledgement comment",
        s.acknowledgements
            .iter()
            .rev()
            .find(|a| a.voided_at.is_none())
            .and_then(|a| a.comment.clone()),
    )
}

/// `appraise cycle list`.
pub fn cycles(rows: &[(Cycle, usize)]) -> Doc {
    let mut t = Table::new(
        "cycles",
        vec![
            Column::new("id", "ID"),
            Column::new("name", "Cycle"),
            Column::new("period", "Period"),
            Column::new("state", "State"),
            Column::new("template", "Template"),
            Column::new("participants", "People"),
        ],
    );
    for (c, n) in rows {
        t.push(vec![
            c.id.into(),
            c.name.as_str().into(),
            c.period.as_str().into(),
            Cell::Status(c.state.to_string()),
            c.template.as_str().into(),
            i64::try_from(*n).unwrap_or(i64::MAX).into(),
        ]);
    }
    Doc::table("cycles", t).with_empty_message("No review cycles yet. Create one with `yardstick appraise cycle new NAME --period P --team T`.")
}

/// `appraise cycle show`.
pub fn cycle(c: &Cycle, tpl: &Template, people: &[Participant], events: &[CycleEvent]) -> Doc {
    let r = Record::new("cycle")
        .field("id", "ID", c.id)
        .field("name", "Cycle", c.name.as_str())
        .field("uuid", "UUID", c.uuid.as_str())
        .field("period", "Period", c.period.as_str())
        .field("start", "Start", c.start)
        .field("end", "End", c.end)
        .field("state", "State", Cell::Status(c.state.to_string()))
        .field("template", "Template", tpl.name.as_str())
        .field(
            "scale",
            "Scale",
            tpl.scale
                .levels
                .iter()
                .map(|l| format!("{} {}", round(l.value), l.label))
                .collect::<Vec<_>>()
                .join(" · "),
        )
        .field("self_due", "Self reviews due", c.self_due)
        .field("manager_due", "Manager reviews due", c.manager_due)
        .field("reopened", "Times reopened", c.reopened)
        .field(
            "participants",
            "Participants",
            people
                .iter()
                .map(|p| p.handle.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        );
    let mut h = Table::new(
        "history",
        vec![
            Column::new("at", "When"),
            Column::new("actor", "Who"),
            Column::new("from", "From"),
            Column::new("to", "To"),
            Column::new("forced", "Forced"),
            Column::new("reason", "Reason"),
        ],
    );
    h.title = Some("History".into());
    for e in events {
        h.push(vec![
            e.at.as_str().into(),
            e.actor.as_str().into(),
            e.from.as_str().into(),
            e.to.as_str().into(),
            e.forced.into(),
            e.reason.clone().into(),
        ]);
    }
    Doc::record("cycle", r).with_table(h)
}

/// `appraise status`: one row per participant.
pub fn status(c: &Cycle, tpl: &Template, states: &[SubjectState]) -> Doc {
    let mut t = Table::new(
        "participants",
        vec![
            Column::new("person", "Person"),
            Column::new("self", "Self"),
            Column::new("manager", "Manager"),
            Column::new("peers", "Peers"),
            Column::new("score", "Score"),
            Column::new("level", "Level"),
            Column::new("calibrated", "Calibrated"),
            Column::new("acknowledged", "Ack."),
        ],
    );
    t.title = Some(format!("{} ({}, {})", c.name, c.period, c.state));
    for s in states {
        t.push(vec![
            s.person.handle.as_str().into(),
            Cell::Status(review_status(s.self_review).into()),
            Cell::Status(review_status(s.manager_review).into()),
            format!("{}/{}", s.peers_submitted, s.peers_total).into(),
            score(s.appraisal.score),
            level(tpl, s.appraisal.level),
            level(tpl, s.outcome.as_ref().and_then(|o| o.calibrated_level)),
            s.person.acknowledged_at.is_some().into(),
        ]);
    }
    Doc::table("appraisal_status", t).with_empty_message("No participants.")
}

/// `appraise show`: the full appraisal of one subject.
pub fn subject(c: &Cycle, tpl: &Template, s: &SubjectState, today: NaiveDate) -> Doc {
    let o = s.outcome.clone().unwrap_or_default();
    Doc::record("appraisal", subject_record(c, tpl, s, &o))
        .with_table(subject_components(s))
        .with_table(subject_goals(s))
        .with_table(subject_reviews(tpl, s))
        .with_table(anonymous(s))
        .with_table(followup::actions_table(&o.actions, today))
        .with_table(followup::acknowledgements(&s.acknowledgements))
        .with_table(subject_records(tpl, s))
}

/// The records finalizing the cycle stored for the subject: the current one
/// and those a reopen voided.
fn subject_records(tpl: &Template, s: &SubjectState) -> Table {
    let mut t = Table::new(
        "records",
        vec![
            Column::new("finalization", "Finalized"),
            Column::new("finalized_at", "At"),
            Column::new("finalized_by", "By"),
            Column::new("score", "Score"),
            Column::new("final_level", "Final level"),
            Column::new("voided_at", "Voided"),
            Column::new("void_reason", "Reopened because"),
        ],
    );
    t.title = Some("Records (stored at each finalization)".into());
    for r in &s.records {
        t.push(vec![
            r.finalization.into(),
            r.finalized_at.as_str().into(),
            r.finalized_by.as_str().into(),
            score(r.score),
            level(tpl, r.final_level),
            r.voided_at.clone().into(),
            r.void_reason.clone().into(),
        ]);
    }
    t
}

/// Peer and upward reviews as an average with comments without names (for
/// those who may not see them whole); one row per comment.
pub fn anonymous(s: &SubjectState) -> Table {
    let mut t = Table::new(
        "anonymous_reviews",
        vec![
            Column::new("kind", "Reviews"),
            Column::new("count", "Submitted"),
            Column::new("average", "Average"),
            Column::new("comment", "Comment (no names)"),
        ],
    );
    t.title = Some("Peer and upward reviews (no names)".into());
    for a in &s.anonymous {
        let row = |comment: Cell| {
            vec![
                a.kind.as_str().into(),
                i64::try_from(a.count).unwrap_or(i64::MAX).into(),
                score(a.average),
                comment,
            ]
        };
        if a.comments.is_empty() {
            t.push(row(Cell::Null));
        }
        for c in &a.comments {
            t.push(row(c.as_str().into()));
        }
    }
    t
}

/// The appraisal's record: the subject, the live and stored scores and the outcome.
fn subject_record(c: &Cycle, tpl: &Template, s: &SubjectState, o: &Outcome) -> Record {
    Record::new("appraisal")
        .field("cycle", "Cycle", c.name.as_str())
        .field("state", "Cycle state", Cell::Status(c.state.to_string()))
        .field("person", "Person", s.person.handle.as_str())
        .field("name", "Name", s.person.name.as_str())
        .field("manager", "Manager", s.person.manager.clone())
        .field("score", "Score (now)", score(s.appraisal.score))
        .field("level", "Level (now)", level(tpl, s.appraisal.level))
        .field(
            "critical_failure",
            "Critical element unacceptable",
            s.appraisal.critical_failure,
        )
        .field(
            "computed_score",
            "Computed score (stored)",
            score(o.computed_score),
        )
        .field(
            "computed_level",
            "Computed level (stored)",
            level(tpl, o.computed_level),
        )
        .extend_with(|r| outcome_fields(r, tpl, s, o))
        .field(
            "acknowledged_at",
            "Acknowledged",
            s.person.acknowledged_at.clone(),
        )
}

/// The appraisal's score components table.
fn subject_components(s: &SubjectState) -> Table {
    let mut comps = Table::new(
        "components",
        vec![
            Column::new("component", "Component"),
            Column::new("weight", "Weight"),
            Column::new("effective_weight", "Effective"),
            Column::new("value", "Value"),
        ],
    );
    comps.title = Some("Score components".into());
    for x in &s.appraisal.components {
        comps.push(vec![
            x.component.as_str().into(),
            x.weight.into(),
            x.effective_weight.into(),
            score(x.value),
        ]);
    }
    comps
}

/// The appraisal's goals table with each goal's attainment.
fn subject_goals(s: &SubjectState) -> Table {
    let mut goals = Table::new(
        "goals",
        vec![
            Column::new("goal", "Goal"),
            Column::new("title", "Title"),
            Column::new("weight", "Weight"),
            Column::new("attainment_pct", "Attainment"),
        ],
    );
    goals.title = Some("Goals".into());
    for (g, a) in &s.goals {
        goals.push(vec![
            g.key.as_str().into(),
            g.title.as_str().into(),
            g.weight.into(),
            a.map_or(Cell::Null, |a| Cell::Progress(a * 100.0)),
        ]);
    }
    goals
}

/// The appraisal's reviews table: one row per rating, plus summaries.
fn subject_reviews(tpl: &Template, s: &SubjectState) -> Table {
    let mut reviews = Table::new(
        "ratings",
        vec![
            Column::new("kind", "Review"),
            Column::new("reviewer", "By"),
            Column::new("state", "State"),
            Column::new("item", "Item"),
            Column::new("rating", "Rating"),
            Column::new("comment", "Comment"),
        ],
    );
    reviews.title = Some("Reviews".into());
    for rv in &s.reviews {
        if rv.ratings.is_empty() {
            reviews.push(vec![
                rv.kind.as_str().into(),
                rv.reviewer.as_str().into(),
                Cell::Status(rv.state.to_string()),
                Cell::Null,
                Cell::Null,
                rv.summary.clone().into(),
            ]);
        }
        for x in &rv.ratings {
            reviews.push(vec![
                rv.kind.as_str().into(),
                rv.reviewer.as_str().into(),
                Cell::Status(rv.state.to_string()),
                x.item.as_str().into(),
                level(tpl, x.value),
                x.comment.clone().into(),
            ]);
        }
        if !rv.ratings.is_empty() {
            if let Some(sm) = &rv.summary {
                reviews.push(vec![
                    rv.kind.as_str().into(),
                    rv.reviewer.as_str().into(),
                    Cell::Status(rv.state.to_string()),
                    "(summary)".into(),
                    Cell::Null,
                    sm.as_str().into(),
                ]);
            }
        }
    }
    reviews
}

/// `appraise explain`: why a subject's score and level are what they are.
pub fn explanation(c: &Cycle, tpl: &Template, s: &SubjectState, e: Option<&Explanation>) -> Doc {
    let mut rec = Record::new("explanation")
        .with_title(format!(
            "Why {} scores what they score in {}",
            s.person.handle, c.name
        ))
        .field("subject", "Subject", s.person.handle.as_str())
        .field("cycle", "Cycle", c.name.as_str())
        .field("template", "Template", tpl.name.as_str())
        .field(
            "finalized",
            "From the record",
            c.state == crate::domain::CycleState::Finalized,
        );
    let Some(e) = e else {
        rec.push("withheld", "Withheld", true);
        return Doc::record("appraise_explain", rec);
    };
    rec.push("rule", "Rule", e.rule.as_str());
    rec.push("formula", "Formula", e.formula.clone());
    rec.push("computation", "Computation", e.computation.clone());
    rec.push(
        "rounding",
        "Rounding",
        (!e.rounding.is_empty()).then(|| e.rounding.join("; ")),
    );
    rec.push("score", "Score", score(e.score));
    rec.push(
        "threshold_level",
        "Thresholds give",
        level(tpl, e.threshold_level),
    );
    rec.push("level", "Level", level(tpl, e.level));
    rec.push("summary_rule", "Summary rule", e.summary.join("; "));
    let mut comps = Table::new(
        "terms",
        vec![
            Column::new("component", "Component"),
            Column::new("value", "Value"),
            Column::new("weight", "Weight %"),
            Column::new("effective_weight", "Effective %"),
            Column::new("note", "Why"),
        ],
    )
    .with_title("Terms");
    for t in &e.components {
        comps.push(vec![
            t.component.as_str().into(),
            t.value.map(round).into(),
            round(t.weight).into(),
            round(t.effective_weight).into(),
            t.note.clone().into(),
        ]);
    }
    let mut goals = Table::new(
        "goal_terms",
        vec![
            Column::new("goal", "Goal"),
            Column::new("weight", "Weight"),
            Column::new("share_pct", "Share %"),
            Column::new("attainment_pct", "Attainment %"),
            Column::new("completion_pct", "Completion %"),
            Column::new("points", "Points"),
            Column::new("level", "On the scale"),
            Column::new("note", "Why"),
        ],
    )
    .with_title("Goals");
    for g in &e.goals {
        goals.push(vec![
            g.key.as_str().into(),
            round(g.weight).into(),
            round(g.share).into(),
            g.attainment.map(|a| round(a * 100.0)).into(),
            g.completion.map(round).into(),
            g.points.map(round).into(),
            g.level.map(round).into(),
            g.note.clone().into(),
        ]);
    }
    Doc::record("appraise_explain", rec)
        .with_table(comps)
        .with_table(goals)
}

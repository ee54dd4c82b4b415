//! Documents for the follow-up of a review: development actions, what is
//! overdue, improvement plans and their history, acknowledgements.

use crate::app::followup::Overdue;
use crate::app::pip::{PlanLine, PlanView};
use crate::app::report::plan::GoalState;
use crate::domain::cycle::{Acknowledgement, ActionRow};
use crate::domain::pip::{Pip, PipStep, current_acknowledgement};
use crate::render::cells::{bar, pct, status};
use crate::render::{Cell, Column, Doc, Record, Table};
use chrono::NaiveDate;

/// The columns of a development action.
fn action_table(key: &'static str, title: Option<&str>) -> Table {
    let mut t = Table::new(
        key,
        vec![
            Column::new("id", "ID"),
            Column::new("cycle", "Cycle"),
            Column::new("subject", "Subject"),
            Column::new("owner", "Owner"),
            Column::new("action", "Development action"),
            Column::new("due", "Due"),
            Column::new("status", "Status"),
            Column::new("overdue", "Overdue"),
            Column::new("note", "Note"),
        ],
    );
    t.title = title.map(str::to_string);
    t
}

fn action_row(a: &ActionRow, today: NaiveDate) -> Vec<Cell> {
    vec![
        a.id.into(),
        a.cycle.as_str().into(),
        a.subject.as_str().into(),
        a.owner.as_str().into(),
        a.text.as_str().into(),
        a.due.into(),
        Cell::Status(a.status.as_str().into()),
        a.overdue(today).into(),
        a.note.clone().into(),
    ]
}

/// A table of development actions with their status (the appraisal's and
/// the packet's part).
pub fn actions_table(rows: &[ActionRow], today: NaiveDate) -> Table {
    let mut t = action_table("actions", Some("Development actions"));
    for a in rows {
        t.push(action_row(a, today));
    }
    t
}

/// `appraise action list`.
pub fn actions(rows: &[ActionRow], today: NaiveDate) -> Doc {
    let mut t = action_table("actions", None);
    for a in rows {
        t.push(action_row(a, today));
    }
    Doc::table("actions", t).with_empty_message("No development actions.")
}

/// The overdue part of `checkin due`: development actions and check points
/// of improvement plans past their day.
pub fn overdue(rows: &[Overdue]) -> Table {
    let mut t = Table::new(
        "overdue",
        vec![
            Column::new("subject", "Person"),
            Column::new("owner", "Owner"),
            Column::new("kind", "Overdue"),
            Column::new("id", "ID"),
            Column::new("what", "What"),
            Column::new("due", "Due"),
            Column::new("days_over", "Days over"),
        ],
    );
    t.title = Some("Overdue development actions and check points".into());
    for r in rows {
        t.push(vec![
            r.subject.as_str().into(),
            r.owner.as_str().into(),
            r.kind.into(),
            r.id.into(),
            r.what.as_str().into(),
            r.due.into(),
            r.days.into(),
        ]);
    }
    t
}

/// A subject's acknowledgements of their outcome, voided ones included.
pub fn acknowledgements(rows: &[Acknowledgement]) -> Table {
    let mut t = Table::new(
        "acknowledgements",
        vec![
            Column::new("at", "Acknowledged"),
            Column::new("current", "Current"),
            Column::new("comment", "Comment"),
            Column::new("voided_at", "Voided (reopened)"),
        ],
    );
    t.title = Some("Acknowledgements".into());
    for a in rows {
        t.push(vec![
            a.at.as_str().into(),
            a.voided_at.is_none().into(),
            a.comment.clone().into(),
            a.voided_at.clone().into(),
        ]);
    }
    t
}

/// `pip list`.
pub fn plans(rows: &[PlanLine]) -> Doc {
    let mut t = Table::new(
        "plans",
        vec![
            Column::new("id", "ID"),
            Column::new("subject", "Person"),
            Column::new("start", "Start"),
            Column::new("end", "End"),
            Column::new("status", "Status"),
            Column::new("next_checkpoint", "Next check point"),
            Column::new("acknowledged_at", "Acknowledged"),
            Column::new("reason", "Reason"),
        ],
    );
    for l in rows {
        t.push(vec![
            l.pip.id.into(),
            l.pip.subject.as_str().into(),
            l.pip.start.into(),
            l.pip.end.into(),
            Cell::Status(l.pip.status().into()),
            l.next_checkpoint.into(),
            l.acknowledged_at.clone().into(),
            l.pip.reason.as_str().into(),
        ]);
    }
    Doc::table("plans", t).with_empty_message(
        "No improvement plans you may see. Start one with `yardstick pip start SUBJECT`.",
    )
}

fn plan_record(p: &Pip, steps: &[PipStep]) -> Record {
    let ack = current_acknowledgement(steps);
    Record::new("plan")
        .field("id", "Improvement plan", p.id)
        .field("uuid", "UUID", p.uuid.as_str())
        .field("subject", "Person", p.subject.as_str())
        .field("started_by", "Started by", p.started_by.clone())
        .field("start", "Start", p.start)
        .field("end", "End", p.end)
        .field("status", "Status", Cell::Status(p.status().into()))
        .field("reason", "Reason", p.reason.as_str())
        .field("closed_at", "Closed", p.closed_at.clone())
        .field("acknowledged_at", "Acknowledged", ack.map(|a| a.at.clone()))
        .field(
            "acknowledgement_comment",
            "Subject's comment",
            ack.and_then(|a| a.note.clone()),
        )
}

fn plan_goals(goals: &[GoalState]) -> Table {
    let mut t = Table::new(
        "expected_results",
        vec![
            Column::new("goal", "Goal"),
            Column::new("title", "Expected result"),
            Column::new("due", "Due"),
            Column::new("status", "Status"),
            Column::new("progress_pct", "Progress"),
            Column::new("expected_pct", "Expected"),
            Column::new("pace", "Pace"),
        ],
    );
    t.title = Some("Expected results".into());
    for g in goals {
        t.push(vec![
            g.goal.key.as_str().into(),
            g.goal.title.as_str().into(),
            g.goal.due.into(),
            Cell::Status(g.goal.status.to_string()),
            bar(g.progress),
            pct(g.expected),
            status(g.pace),
        ]);
    }
    t
}

fn plan_checkpoints(v: &PlanView, today: NaiveDate) -> Table {
    let mut t = Table::new(
        "checkpoints",
        vec![
            Column::new("due", "Check point"),
            Column::new("held_on", "Held"),
            Column::new("overdue", "Overdue"),
            Column::new("note", "Found"),
        ],
    );
    t.title = Some("Check points".into());
    for c in &v.checkpoints {
        t.push(vec![
            c.due.into(),
            c.held_on.into(),
            c.overdue(today).into(),
            c.note.clone().into(),
        ]);
    }
    t
}

/// The steps of plans (their history), one row per step.
fn plan_steps(plans: &[&PlanView]) -> Table {
    let mut t = Table::new(
        "steps",
        vec![
            Column::new("pip", "Plan"),
            Column::new("at", "When"),
            Column::new("actor", "Who"),
            Column::new("step", "Step"),
            Column::new("outcome", "Outcome"),
            Column::new("note", "Note or comment"),
        ],
    );
    t.title = Some("Steps".into());
    for v in plans {
        for s in &v.steps {
            t.push(vec![
                v.pip.id.into(),
                s.at.as_str().into(),
                s.actor.as_str().into(),
                Cell::Status(s.kind.as_str().into()),
                s.outcome.map(|o| o.as_str()).into(),
                s.note.clone().into(),
            ]);
        }
    }
    t
}

/// `pip show`.
pub fn plan(v: &PlanView, today: NaiveDate) -> Doc {
    Doc::record("plan", plan_record(&v.pip, &v.steps))
        .with_title(format!("Improvement plan {} — {}", v.pip.id, v.pip.subject))
        .with_table(plan_goals(&v.goals))
        .with_table(plan_checkpoints(v, today))
        .with_table(plan_steps(&[v]))
}

/// The review packet's improvement plans: one row per plan, then the
/// steps of all of them.
pub fn packet_plans(doc: Doc, plans: &[PlanView]) -> Doc {
    let mut t = Table::new(
        "improvement_plans",
        vec![
            Column::new("id", "ID"),
            Column::new("start", "Start"),
            Column::new("end", "End"),
            Column::new("status", "Status"),
            Column::new("reason", "Reason"),
            Column::new("expected_results", "Expected results"),
            Column::new("checkpoints_held", "Check points held"),
            Column::new("acknowledged", "Acknowledged"),
        ],
    );
    t.title = Some("Improvement plans".into());
    for v in plans {
        let held = v.checkpoints.iter().filter(|c| c.held_on.is_some()).count();
        t.push(vec![
            v.pip.id.into(),
            v.pip.start.into(),
            v.pip.end.into(),
            Cell::Status(v.pip.status().into()),
            v.pip.reason.as_str().into(),
            v.goals
                .iter()
                .map(|g| g.goal.key.as_str())
                .collect::<Vec<_>>()
                .join(", ")
                .into(),
            format!("{held}/{}", v.checkpoints.len()).into(),
            v.acknowledged().is_some().into(),
        ]);
    }
    let all: Vec<&PlanView> = plans.iter().collect();
    let mut steps = plan_steps(&all);
    steps.key = "improvement_plan_steps";
    steps.title = Some("Improvement plan steps".into());
    doc.with_table(t).with_table(steps)
}

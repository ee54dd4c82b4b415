//! Documents for check-ins, due check-ins and feedback.

use crate::domain::checkin::{Checkin, DueRow};
use crate::domain::feedback::Feedback;
use crate::render::{Cell, Column, Doc, Table};

/// `checkin list`.
pub fn checkins(rows: &[Checkin]) -> Doc {
    let mut t = Table::new(
        "checkins",
        vec![
            Column::new("id", "ID"),
            Column::new("date", "Date"),
            Column::new("goal", "Goal"),
            Column::new("measure", "Measure"),
            Column::new("value", "Value"),
            Column::new("unit", "Unit"),
            Column::new("confidence", "Conf."),
            Column::new("status", "Status"),
            Column::new("author", "By"),
            Column::new("note", "Note"),
        ],
    );
    for c in rows {
        t.push(vec![
            c.id.into(),
            c.date.into(),
            c.goal.as_str().into(),
            c.measure.clone().into(),
            c.value.into(),
            c.unit.clone().into(),
            c.confidence.into(),
            c.status.clone().map_or(Cell::Null, Cell::Status),
            c.author.clone().into(),
            c.note.clone().into(),
        ]);
    }
    Doc::table("checkins", t).with_empty_message("No check-ins match.")
}

/// `checkin due`.
pub fn due(rows: &[DueRow], overdue: &[crate::app::followup::Overdue]) -> Doc {
    let mut t = Table::new(
        "due",
        vec![
            Column::new("person", "Person"),
            Column::new("goal", "Goal"),
            Column::new("measure", "Measure"),
            Column::new("last_checkin", "Last check-in"),
            Column::new("days_since", "Days since"),
            Column::new("cadence_days", "Cadence"),
        ],
    );
    for r in rows {
        t.push(vec![
            r.person.as_str().into(),
            r.goal.as_str().into(),
            r.measure.as_str().into(),
            r.last.into(),
            r.days.into(),
            r.cadence.into(),
        ]);
    }
    Doc::table("checkins_due", t)
        .with_table(super::followup::overdue(overdue))
        .with_empty_message("Everyone is up to date.")
}

/// `feedback list`.
pub fn feedback(rows: &[Feedback]) -> Doc {
    let mut t = Table::new(
        "feedback",
        vec![
            Column::new("id", "ID"),
            Column::new("date", "Date"),
            Column::new("from", "From"),
            Column::new("to", "To"),
            Column::new("kind", "Kind"),
            Column::new("goal", "Goal"),
            Column::new("private", "Private"),
            Column::new("text", "Feedback"),
        ],
    );
    for f in rows {
        t.push(vec![
            f.id.into(),
            f.date.into(),
            f.from.clone().into(),
            f.to.as_str().into(),
            f.kind.as_str().into(),
            f.goal.clone().into(),
            f.private.into(),
            f.text.as_str().into(),
        ]);
    }
    Doc::table("feedback", t).with_empty_message("No feedback matches.")
}

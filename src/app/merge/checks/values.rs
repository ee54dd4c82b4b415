//! What a record's fields say, by the command line's rules: handles and
//! goal keys well formed, free text within the field's limit and free of
//! control characters, numbers as the measure's kind and the template's
//! scale take them, periods, weights, cadences, confidences, a check-in not
//! after today, and the rules between fields (a goal has one owner and
//! starts before it is due, a self review's reviewer is its subject…).

use super::{Cx, Found, int, real, text};
use crate::domain::checkin::{check_confidence, check_day};
use crate::domain::feedback::check_recipient;
use crate::domain::goal::{
    PeriodRow, check_dates, check_period_name, check_weight, refuse_builtin, validate_period,
    validate_period_name,
};
use crate::domain::names::{max, validate_handle, validate_key, validate_text};
use crate::domain::org::check_cadence;
use crate::domain::value::check_value;
use crate::domain::{Direction, MeasureKind, MeasureSpec, ReviewKind, ReviewState};
use crate::error::Result;
use crate::store::exchange::RawRow;
use crate::time::iso_day;

/// The longest template source a record may carry (a template file has no
/// limit on the command line; an import sets this one).
const MAX_SOURCE: usize = 1_000_000;

/// One record's refusals, as they are found.
struct Record<'f, 'r> {
    index: usize,
    row: &'r RawRow,
    found: &'f mut Found,
}

impl Record<'_, '_> {
    fn refuse(&mut self, column: &str, why: impl std::fmt::Display) {
        self.found.refuse_column(self.index, self.row, column, why);
    }

    fn check(&mut self, column: &str, result: Result<()>) {
        if let Err(e) = result {
            self.refuse(column, e.message());
        }
    }

    /// Free text: within `max` characters, not blank, no control
    /// characters but line breaks and tabs (absent is fine when the
    /// column may be null).
    fn text(&mut self, column: &str, max: usize) {
        let key = self.key(column);
        if let Some(t) = text(self.row, column) {
            let result = validate_text(key, t, max);
            self.check(column, result);
        }
    }

    /// The column's name in the file, for messages.
    fn key(&self, column: &str) -> &'static str {
        let def = self.row.def();
        def.col(column).map_or("value", |i| def.cols[i].key)
    }

    fn day(&self, column: &str) -> Option<chrono::NaiveDate> {
        text(self.row, column).and_then(iso_day)
    }
}

/// Refuse what a written record's fields say that the command line refuses.
pub(super) fn check(cx: &Cx<'_>, index: usize, row: &RawRow, found: &mut Found) -> Result<()> {
    let mut r = Record { index, row, found };
    let week_start = cx.settings.clock.week_start;
    match row.def().name {
        "period" => period(&mut r, week_start),
        "team" => {
            handle(&mut r);
            r.text("name", max::NAME);
        }
        "person" => {
            handle(&mut r);
            r.text("name", max::NAME);
            r.text("email", max::EMAIL);
            r.text("title", max::JOB_TITLE);
            for m in [
                "mission_purpose",
                "mission_customers",
                "mission_product",
                "mission_scope",
            ] {
                r.text(m, max::MISSION);
            }
            if let Some(days) = int(row, "checkin_cadence_days") {
                r.check("checkin_cadence_days", check_cadence(days).map(drop));
            }
        }
        "template" => template(&mut r),
        "goal" => goal(&mut r, week_start),
        "measure" => measure(&mut r),
        "checkin" => checkin(cx, &mut r)?,
        "feedback" => {
            r.text("text", max::FEEDBACK);
            if let (Some(from), Some(to)) = (text(row, "from_id"), text(row, "to_id")) {
                r.check("to_id", check_recipient(from, to));
            }
        }
        "cycle" => {
            r.text("name", max::CYCLE_NAME);
            if let Some(p) = text(row, "period") {
                r.check("period", check_period_name(p, week_start));
            }
            if let (Some(start), Some(end)) = (r.day("start_date"), r.day("end_date")) {
                if start > end {
                    r.refuse(
                        "end_date",
                        format!("the cycle would end ({end}) before it starts ({start})"),
                    );
                }
            }
            if int(row, "reopened").is_some_and(|n| n < 0) {
                r.refuse("reopened", "a cycle is reopened 0 or more times");
            }
        }
        "review" => review(&mut r),
        "rating" => rating(cx, &mut r)?,
        "outcome" => outcome(cx, &mut r)?,
        "action" => {
            r.text("text", max::ACTION);
            r.text("note", max::NOTE);
            let open = text(row, "status") == Some("open");
            if open == text(row, "closed_at").is_some() {
                r.refuse(
                    "closed_at",
                    "a development action is closed (done or dropped) exactly when it has closed_at",
                );
            }
        }
        "acknowledgement" => r.text("comment", max::COMMENT),
        "pip" => pip(&mut r),
        "pip_goal" => pip_goal(cx, &mut r)?,
        "pip_checkpoint" => r.text("note", max::NOTE),
        "pip_step" => {
            r.text("actor", max::NAME);
            r.text("note", max::COMMENT);
        }
        "cycle_event" => {
            r.text("actor", max::NAME);
            r.text("reason", max::REASON);
        }
        "appraisal_record" => {
            r.text("finalized_by", max::NAME);
            r.text("void_reason", max::REASON);
            if int(row, "finalization").is_some_and(|n| n < 1) {
                r.refuse("finalization", "a cycle's first finalization is 1");
            }
            if let Some(json) = text(row, "record") {
                r.check(
                    "record",
                    crate::app::report::record::parse(json).map(|_| ()),
                );
            }
        }
        _ => {}
    }
    Ok(())
}

fn handle(r: &mut Record<'_, '_>) {
    if let Some(h) = text(r.row, "handle") {
        r.check("handle", validate_handle(h));
    }
}

fn period(r: &mut Record<'_, '_>, week_start: chrono::Weekday) {
    let (Some(name), Some(start), Some(end)) = (
        text(r.row, "name").map(str::to_string),
        r.day("start_date"),
        r.day("end_date"),
    ) else {
        return;
    };
    let name_ok = validate_period_name(&name).and_then(|()| refuse_builtin(&name, week_start));
    if name_ok.is_err() {
        r.check("name", name_ok);
    } else {
        r.check("end_date", validate_period(&PeriodRow { name, start, end }));
    }
}

fn template(r: &mut Record<'_, '_>) {
    let Some(source) = text(r.row, "source") else {
        return;
    };
    if source.chars().count() > MAX_SOURCE {
        r.refuse("source", format!("is longer than {MAX_SOURCE} characters"));
        return;
    }
    match crate::formats::template::parse(source, "the template's source") {
        Err(e) => r.refuse("source", e.message()),
        Ok(t) => {
            if text(r.row, "name") != Some(t.name.as_str()) {
                r.refuse(
                    "name",
                    format!("the template's source names it '{}'", t.name),
                );
            }
        }
    }
}

fn goal(r: &mut Record<'_, '_>, week_start: chrono::Weekday) {
    let row = r.row;
    if let Some(k) = text(row, "key") {
        r.check("key", validate_key(k));
    }
    r.text("title", max::GOAL_TITLE);
    r.text("description", max::DESCRIPTION);
    if row.get("owner_person_id").is_none_or(|v| v.is_null())
        == row.get("owner_team_id").is_none_or(|v| v.is_null())
    {
        r.refuse(
            "owner_person_id",
            "exactly one of owner_person_uuid and owner_team_uuid must be set",
        );
    }
    if let Some(p) = text(row, "period") {
        r.check("period", check_period_name(p, week_start));
    }
    let key = text(row, "key").unwrap_or("");
    let dates = check_dates(key, r.day("start_date"), r.day("due_date"));
    r.check("due_date", dates);
    if let Some(w) = real(row, "weight") {
        r.check("weight", check_weight("goal", w));
    }
}

fn measure(r: &mut Record<'_, '_>) {
    let row = r.row;
    r.text("name", max::NAME);
    r.text("unit", max::UNIT);
    let direction = text(row, "direction").and_then(|d| d.parse::<Direction>().ok());
    let (Some(direction), Some(baseline), Some(target), Some(weight)) = (
        direction,
        real(row, "baseline"),
        real(row, "target"),
        real(row, "weight"),
    ) else {
        return;
    };
    let spec = MeasureSpec {
        direction,
        baseline,
        target,
        stretch: real(row, "stretch"),
        floor: real(row, "floor"),
        weight,
    };
    if let Err(e) = spec.validate() {
        r.found.refuse(r.index, row, None, e.message());
    }
}

fn checkin(cx: &Cx<'_>, r: &mut Record<'_, '_>) -> Result<()> {
    let row = r.row;
    r.text("note", max::NOTE);
    if let Some(c) = int(row, "confidence") {
        r.check("confidence", check_confidence(c).map(drop));
    }
    if let Some(day) = r.day("date") {
        r.check("date", check_day(day, cx.settings.clock.today).map(drop));
    }
    let value = real(row, "value");
    let Some(measure) = text(row, "measure_id") else {
        if value.is_some() {
            r.refuse("value", "a check-in without a measure has no value");
        }
        return Ok(());
    };
    let Some(m) = cx.view.row_of("measure", measure)? else {
        return Ok(());
    };
    if text(&m, "goal_id") != text(row, "goal_id") {
        r.refuse(
            "measure_id",
            format!("measure {measure} is a measure of another goal"),
        );
    }
    let kind = text(&m, "kind").and_then(|k| k.parse::<MeasureKind>().ok());
    if let (Some(kind), Some(v)) = (kind, value) {
        let fits = check_value(kind, v, cx.settings.percent_max).map(drop);
        r.check("value", fits);
    }
    Ok(())
}

fn review(r: &mut Record<'_, '_>) {
    let row = r.row;
    r.text("summary", max::SUMMARY);
    let is_self = text(row, "kind") == Some(ReviewKind::SelfReview.as_str());
    if is_self != (text(row, "subject_id") == text(row, "reviewer_id")) {
        r.refuse(
            "reviewer_id",
            "a self review has its subject as reviewer, and only a self review does",
        );
    }
    let submitted = text(row, "state") == Some(ReviewState::Submitted.as_str());
    match (submitted, text(row, "submitted_at").is_some()) {
        (true, false) => r.refuse("submitted_at", "a submitted review has its submitted_at"),
        (false, true) => r.refuse(
            "submitted_at",
            "a pending review has no submitted_at (a submitted review stays submitted)",
        ),
        _ => {}
    }
}

fn rating(cx: &Cx<'_>, r: &mut Record<'_, '_>) -> Result<()> {
    let row = r.row;
    r.text("comment", max::COMMENT);
    let value = real(row, "value");
    if value.is_none() && text(row, "comment").is_none() {
        r.refuse("value", "a rating needs a value or a comment");
    }
    let Some(review) = text(row, "review_id") else {
        return Ok(());
    };
    let Some(cycle) = cx.view.reference("review", review, "cycle_id")? else {
        return Ok(());
    };
    let Some(t) = cx.template_of_cycle(&cycle)? else {
        return Ok(());
    };
    if let Some(item) = text(row, "item") {
        if !t.competencies.iter().any(|c| c.key == item) && validate_key(item).is_err() {
            r.refuse(
                "item",
                format!(
                    "'{}' is neither a competency of the cycle's template nor a goal key",
                    item.chars().take(80).collect::<String>().escape_debug()
                ),
            );
        }
    }
    if let Some(v) = value {
        r.check("value", t.scale.check(v).map(drop));
    }
    Ok(())
}

fn pip(r: &mut Record<'_, '_>) {
    r.text("reason", max::REASON);
    if let (Some(start), Some(end)) = (r.day("start_date"), r.day("end_date")) {
        r.check(
            "end_date",
            crate::domain::pip::check_period(start, end).map(drop),
        );
    }
    let closes = text(r.row, "outcome")
        .and_then(|o| crate::domain::pip::PipOutcome::parse(o).ok())
        .is_some_and(crate::domain::pip::PipOutcome::closes);
    if closes != text(r.row, "closed_at").is_some() {
        r.refuse(
            "closed_at",
            "a plan is closed (successful or unsuccessful) exactly when it has closed_at",
        );
    }
}

/// An expected result of a plan is a goal of the plan's subject.
fn pip_goal(cx: &Cx<'_>, r: &mut Record<'_, '_>) -> Result<()> {
    let (Some(pip), Some(goal)) = (text(r.row, "pip_id"), text(r.row, "goal_id")) else {
        return Ok(());
    };
    let subject = cx.view.reference("pip", pip, "subject_id")?;
    let owner = cx.view.reference("goal", goal, "owner_person_id")?;
    if subject.is_some() && owner != subject {
        r.refuse(
            "goal_id",
            "an improvement plan's expected results are goals of its subject",
        );
    }
    Ok(())
}

fn outcome(cx: &Cx<'_>, r: &mut Record<'_, '_>) -> Result<()> {
    let row = r.row;
    r.text("calibration_reason", max::REASON);
    if let Some(pip) = text(row, "pip_id") {
        if text(row, "recommendation") != Some("improvement-plan") {
            r.refuse(
                "pip_id",
                "an outcome points at an improvement plan only when it recommends one",
            );
        } else if cx.view.reference("pip", pip, "subject_id")?.as_deref() != text(row, "subject_id")
        {
            r.refuse("pip_id", "the improvement plan is of someone else");
        }
    }
    let level = real(row, "calibrated_level");
    if level.is_none() != text(row, "calibration_reason").is_none() {
        r.refuse(
            "calibration_reason",
            "a calibrated level and its reason go together",
        );
    }
    let (Some(level), Some(cycle)) = (level, text(row, "cycle_id")) else {
        return Ok(());
    };
    if let Some(t) = cx.template_of_cycle(cycle)? {
        r.check("calibrated_level", t.scale.check(level).map(drop));
    }
    Ok(())
}

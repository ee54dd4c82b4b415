//! Documents for `report`: goals, gaps, team, trend, checkins, cycle,
//! person and effectiveness. One builder per report; every format (table,
//! CSV, JSON, Markdown, HTML) renders the same document.

use crate::app::report::appraise::SubjectState;
use crate::app::report::people::{CheckinLine, Effectiveness, TeamLine};
use crate::app::report::plan::PaceContext;
use crate::app::report::progress::{MeasureLine, Trend};
use crate::app::report::review::{CycleReport, Packet};
use crate::domain::appraisal::Template;
use crate::render::cells::{bar, level, pct, round, status};
use crate::render::{Cell, Chart, ChartKind, Column, Doc, Record, Table};

fn measure_columns(ctx: &PaceContext) -> Vec<Column> {
    let mut cols = vec![
        Column::new("goal", "Goal"),
        Column::new("measure", "Measure"),
        Column::new("owner", "Owner"),
        Column::new("baseline", "Baseline"),
        Column::new("current", "Current"),
        Column::new("target", "Target"),
        Column::new("unit", "Unit"),
        Column::new("progress_pct", "Progress"),
        Column::new("expected_pct", "Expected"),
        Column::new("pace", "Pace"),
        Column::new("standard", "Standard"),
        Column::new("trend", "Trend"),
        Column::new("forecast", "Forecast"),
        Column::new("due", "Due"),
        Column::new("last_checkin_days", "Last"),
    ];
    if ctx.zones.is_some() {
        cols.insert(8, Column::new("zone", "Zone"));
    }
    cols
}

fn measure_cells(l: &MeasureLine, ctx: &PaceContext) -> Vec<Cell> {
    let m = &l.measure.measure;
    let mut cells = vec![
        l.goal.goal.key.as_str().into(),
        m.name.as_str().into(),
        l.goal.goal.owner.as_str().into(),
        m.baseline.into(),
        l.measure.current.into(),
        m.target.into(),
        m.unit.clone().into(),
        if l.measure.progress.has_value {
            Cell::Progress(l.measure.progress.raw * 100.0)
        } else {
            Cell::Null
        },
        pct(l.goal.expected),
        status(l.pace(ctx)),
        status(l.measure.standard),
        Cell::Sparkline(l.values()),
        l.measure.forecast.map(|f| round(f.value)).into(),
        l.goal.goal.due.into(),
        l.goal.checkin_age_days.into(),
    ];
    if ctx.zones.is_some() {
        cells.insert(8, l.measure.zone.map(|z| z.as_str()).into());
    }
    cells
}

/// `report goals`: every measure against its target and pace.
pub fn goals(lines: &[MeasureLine], ctx: &PaceContext) -> Doc {
    let mut t = Table::new("measures", measure_columns(ctx));
    for l in lines {
        t.push(measure_cells(l, ctx));
    }
    Doc::table("report_goals", t)
        .with_title(format!("Goals and measures — {}", ctx.today))
        .with_empty_message("No goals match.")
}

/// `report gaps`: desired against actual, largest gap first.
pub fn gaps(lines: &[MeasureLine], ctx: &PaceContext) -> Doc {
    let mut t = Table::new(
        "gaps",
        vec![
            Column::new("goal", "Goal"),
            Column::new("measure", "Measure"),
            Column::new("owner", "Owner"),
            Column::new("desired", "Desired now"),
            Column::new("actual", "Actual"),
            Column::new("unit", "Unit"),
            Column::new("gap_points", "Gap (pts)"),
            Column::new("progress_pct", "Progress"),
            Column::new("expected_pct", "Expected"),
            Column::new("pace", "Pace"),
            Column::new("target", "Target"),
            Column::new("due", "Due"),
        ],
    );
    for l in lines {
        let m = &l.measure.measure;
        t.push(vec![
            l.goal.goal.key.as_str().into(),
            m.name.as_str().into(),
            l.goal.goal.owner.as_str().into(),
            l.expected_value.map(round).into(),
            l.measure.current.into(),
            m.unit.clone().into(),
            l.gap_points().map(|g| (g * 10.0).round() / 10.0).into(),
            Cell::Progress(l.measure.progress.scored * 100.0),
            pct(l.goal.expected),
            status(l.pace(ctx)),
            m.target.into(),
            l.goal.goal.due.into(),
        ]);
    }
    let bars: Vec<(String, f64)> = lines
        .iter()
        .take(15)
        .map(|l| {
            (
                format!("{} / {}", l.goal.goal.key, l.measure.measure.name),
                round(l.gap_points().unwrap_or(0.0)),
            )
        })
        .collect();
    let mut doc = Doc::table("report_gaps", t)
        .with_title(format!("Performance improvement zone — {}", ctx.today))
        .with_empty_message("No active measure is behind its expected progress.");
    if !bars.is_empty() {
        doc = doc.with_chart(Chart {
            key: "gap_chart",
            title: Some("Gap to expected progress (points)".into()),
            kind: ChartKind::Bars {
                unit: Some("pts".into()),
                bars,
            },
        });
    }
    doc
}

fn team_table(key: &'static str, title: Option<String>, lines: &[TeamLine], people: bool) -> Table {
    let mut cols = vec![
        Column::new("handle", if people { "Person" } else { "Team" }),
        Column::new("name", "Name"),
    ];
    cols.push(Column::new("team", if people { "Team" } else { "Parent" }));
    if !people {
        cols.push(Column::new("people", "People"));
    }
    cols.extend([
        Column::new("goals", "Goals"),
        Column::new("attainment_pct", "Attainment"),
        Column::new("on_track", "On track"),
        Column::new("at_risk", "At risk"),
        Column::new("off_track", "Off track"),
        Column::new("last_checkin_days", "Last check-in"),
        Column::new("feedback", "Feedback"),
    ]);
    let mut t = Table::new(key, cols);
    t.title = title;
    for l in lines {
        let mut row: Vec<Cell> = vec![
            l.handle.as_str().into(),
            l.name.as_str().into(),
            l.team.clone().into(),
        ];
        if !people {
            row.push(l.people.into());
        }
        row.extend([
            l.goals.into(),
            bar(l.attainment),
            l.on_track.into(),
            l.at_risk.into(),
            l.off_track.into(),
            l.last_checkin_days.into(),
            l.feedback.into(),
        ]);
        t.push(row);
    }
    t
}

/// `report team`: one row per person, then one per team.
pub fn team(people: &[TeamLine], teams: &[TeamLine], ctx: &PaceContext) -> Doc {
    let mut doc = Doc::table(
        "report_team",
        team_table("people", Some("People".into()), people, true),
    )
    .with_title(format!("Team report — {}", ctx.today))
    .with_empty_message("No people match.");
    if !teams.is_empty() {
        doc = doc.with_table(team_table(
            "teams",
            Some("Teams (sub-teams included)".into()),
            teams,
            false,
        ));
    }
    let totals = people.iter().fold((0, 0, 0), |a, l| {
        (a.0 + l.on_track, a.1 + l.at_risk, a.2 + l.off_track)
    });
    if totals != (0, 0, 0) {
        doc = doc.with_chart(Chart {
            key: "pace_chart",
            title: Some("Goals by pace".into()),
            kind: ChartKind::Bars {
                unit: Some("goals".into()),
                bars: vec![
                    ("on-track".into(), totals.0 as f64),
                    ("at-risk".into(), totals.1 as f64),
                    ("off-track".into(), totals.2 as f64),
                ],
            },
        });
    }
    doc
}

/// `report trend GOAL`.
pub fn trend(t: &Trend) -> Doc {
    let g = &t.goal.goal;
    let mut table = Table::new(
        "points",
        vec![
            Column::new("measure", "Measure"),
            Column::new("date", "Date"),
            Column::new("value", "Value"),
            Column::new("expected", "Expected"),
            Column::new("target", "Target"),
            Column::new("progress_pct", "Progress"),
        ],
    );
    for (_, points) in &t.measures {
        for p in points {
            table.push(vec![
                p.measure.as_str().into(),
                p.date.into(),
                p.value.into(),
                p.expected.map(round).into(),
                p.target.into(),
                Cell::Percent(p.progress * 100.0),
            ]);
        }
    }
    let mut doc = Doc::table("report_trend", table)
        .with_title(format!("Trend — {} ({})", g.title, g.key))
        .with_empty_message("No check-ins with values yet.");
    for (m, points) in &t.measures {
        doc = doc.with_chart(Chart {
            key: "trend_chart",
            title: Some(format!("{} — {}", g.key, m.measure.name)),
            kind: ChartKind::Trend {
                unit: m.measure.unit.clone(),
                points: points.iter().map(|p| (p.date, p.value)).collect(),
                baseline: m.measure.baseline,
                target: m.measure.target,
                start: g.start,
                due: g.due,
                forecast: match (m.forecast, g.due) {
                    (Some(f), Some(d)) => Some((d, f.value)),
                    _ => None,
                },
            },
        });
    }
    doc
}

/// `report checkins`: cadence and compliance per person.
pub fn checkins(lines: &[CheckinLine], since: chrono::NaiveDate, until: chrono::NaiveDate) -> Doc {
    let mut t = Table::new(
        "people",
        vec![
            Column::new("person", "Person"),
            Column::new("name", "Name"),
            Column::new("team", "Team"),
            Column::new("checkins", "Check-ins"),
            Column::new("weeks_with_checkin", "Weeks with one"),
            Column::new("weeks", "Weeks"),
            Column::new("compliance_pct", "Compliance"),
            Column::new("last_checkin", "Last"),
            Column::new("cadence_days", "Cadence"),
            Column::new("overdue_measures", "Overdue"),
        ],
    );
    for l in lines {
        t.push(vec![
            l.person.handle.as_str().into(),
            l.person.name.as_str().into(),
            l.person.team.clone().into(),
            l.checkins.into(),
            l.weeks_with.into(),
            l.weeks.into(),
            Cell::Progress(l.weeks_with as f64 / l.weeks.max(1) as f64 * 100.0),
            l.last.into(),
            l.cadence.into(),
            l.overdue.into(),
        ]);
    }
    Doc::table("report_checkins", t)
        .with_title(format!("Check-in compliance {since} – {until}"))
        .with_empty_message("No people match.")
}

/// `report effectiveness`.
pub fn effectiveness(e: &Effectiveness) -> Doc {
    Doc::record("report_effectiveness", effectiveness_record(e))
        .with_title("Is performance management working?")
        .with_table(effectiveness_periods(e))
        .with_table(effectiveness_reviews(e))
        .with_table(effectiveness_statuses(e))
}

/// The headline figures of the effectiveness report.
fn effectiveness_record(e: &Effectiveness) -> Record {
    Record::new("effectiveness")
        .field("since", "From", e.since)
        .field("until", "To", e.until)
        .field(
            "goal_completion_pct",
            "Goal completion (achieved of closed)",
            pct(e.completion_rate),
        )
        .field(
            "checkins_per_measure_week",
            "Check-ins per active measure per week",
            e.checkins_per_measure_week.map(round),
        )
        .field(
            "measures_checked_in_pct",
            "Active measures checked in",
            pct(e.measures_covered),
        )
}

/// The review completion table of the effectiveness report, one row per cycle.
fn effectiveness_reviews(e: &Effectiveness) -> Table {
    let mut reviews = Table::new(
        "reviews",
        vec![
            Column::new("cycle", "Cycle"),
            Column::new("state", "State"),
            Column::new("required", "Required reviews"),
            Column::new("submitted", "Submitted"),
            Column::new("completion_pct", "Completion"),
        ],
    );
    reviews.title = Some("Review completion".into());
    for (c, s, req, sub) in &e.reviews {
        reviews.push(vec![
            c.as_str().into(),
            Cell::Status(s.clone()),
            (*req).into(),
            (*sub).into(),
            Cell::Progress(*sub as f64 / (*req).max(1) as f64 * 100.0),
        ]);
    }
    reviews
}

/// The attainment-by-period table of the effectiveness report.
fn effectiveness_periods(e: &Effectiveness) -> Table {
    let mut periods = Table::new(
        "attainment",
        vec![
            Column::new("period", "Period"),
            Column::new("goals", "Goals"),
            Column::new("attainment_pct", "Attainment"),
        ],
    );
    periods.title = Some("Attainment by period".into());
    for (p, n, a) in &e.attainment_by_period {
        periods.push(vec![p.as_str().into(), (*n).into(), bar(*a)]);
    }
    periods
}

/// The goals-by-status table of the effectiveness report.
fn effectiveness_statuses(e: &Effectiveness) -> Table {
    let mut statuses = Table::new(
        "goals_by_status",
        vec![
            Column::new("status", "Status"),
            Column::new("goals", "Goals"),
        ],
    );
    statuses.title = Some("Goals by status".into());
    for (s, n) in &e.goals_by_status {
        statuses.push(vec![Cell::Status(s.clone()), (*n).into()]);
    }
    statuses
}

/// `report cycle CYCLE`.
pub fn cycle(r: &CycleReport) -> Doc {
    Doc::table("report_cycle", cycle_stages(r))
        .with_title(format!("Review cycle {}", r.cycle.name))
        .with_table(cycle_people(r))
        .with_table(cycle_distribution(r))
        .with_chart(cycle_distribution_chart(r))
        .with_table(cycle_reviewers(r))
        .with_table(cycle_nine_box(r))
        .with_chart(cycle_nine_box_chart(r))
        .with_table(cycle_team_rewards(r))
}

/// The stage completion table of the cycle report, titled with the cycle.
fn cycle_stages(r: &CycleReport) -> Table {
    let mut stages = Table::new(
        "stages",
        vec![
            Column::new("stage", "Stage"),
            Column::new("done", "Done"),
            Column::new("total", "Of"),
            Column::new("completion_pct", "Completion"),
        ],
    );
    stages.title = Some(format!(
        "{} — {} ({})",
        r.cycle.name, r.cycle.period, r.cycle.state
    ));
    for (s, d, n) in &r.stages {
        stages.push(vec![
            s.as_str().into(),
            (*d).into(),
            (*n).into(),
            Cell::Progress(*d as f64 / (*n).max(1) as f64 * 100.0),
        ]);
    }
    stages
}

/// The per-participant table of the cycle report: score, levels and outcome.
fn cycle_people(r: &CycleReport) -> Table {
    let t = &r.template;
    let mut people = Table::new(
        "people",
        vec![
            Column::new("person", "Person"),
            Column::new("score", "Score"),
            Column::new("computed_level", "Computed"),
            Column::new("calibrated_level", "Calibrated"),
            Column::new("final_level", "Final"),
            Column::new("potential", "Potential"),
            Column::new("recommendation", "Recommendation"),
            Column::new("raise_pct", "Raise %"),
            Column::new("bonus_pct", "Bonus %"),
            Column::new("acknowledged", "Ack."),
        ],
    );
    people.title = Some("People".into());
    for (s, reward) in r.states.iter().zip(&r.rewards) {
        let o = s.outcome.clone().unwrap_or_default();
        people.push(vec![
            s.person.handle.as_str().into(),
            s.appraisal.score.map(round).into(),
            level(t, o.computed_level.or(s.appraisal.level)),
            level(t, o.calibrated_level),
            level(t, s.final_level()),
            o.potential.into(),
            o.recommendation.into(),
            reward.map(|r| round(r.raise)).into(),
            reward.map(|r| round(r.bonus)).into(),
            s.person.acknowledged_at.is_some().into(),
        ]);
    }
    people
}

/// The suggested rewards per team (from the template's merit matrix).
fn cycle_team_rewards(r: &CycleReport) -> Table {
    let mut t = Table::new(
        "team_rewards",
        vec![
            Column::new("team", "Team"),
            Column::new("people", "People"),
            Column::new("rewarded", "With a reward"),
            Column::new("raise_pct_total", "Raise % (sum)"),
            Column::new("raise_pct_mean", "Raise % (mean)"),
            Column::new("bonus_pct_total", "Bonus % (sum)"),
            Column::new("bonus_pct_mean", "Bonus % (mean)"),
        ],
    );
    t.title = Some("Suggested rewards per team (percent of pay; the merit matrix)".into());
    for x in &r.team_rewards {
        t.push(vec![
            x.team.clone().into(),
            i64::try_from(x.people).unwrap_or(i64::MAX).into(),
            i64::try_from(x.rewarded).unwrap_or(i64::MAX).into(),
            round(x.raise_total).into(),
            x.raise_mean().map(round).into(),
            round(x.bonus_total).into(),
            x.bonus_mean().map(round).into(),
        ]);
    }
    t
}

/// The rating distribution table of the cycle report (final levels).
fn cycle_distribution(r: &CycleReport) -> Table {
    let mut dist = Table::new(
        "distribution",
        vec![
            Column::new("level", "Level"),
            Column::new("label", "Label"),
            Column::new("people", "People"),
        ],
    );
    dist.title = Some("Rating distribution (final levels)".into());
    for (v, l, n) in &r.distribution {
        dist.push(vec![(*v).into(), l.as_str().into(), (*n).into()]);
    }
    dist
}

/// The bar chart of the cycle report's rating distribution.
fn cycle_distribution_chart(r: &CycleReport) -> Chart {
    Chart {
        key: "distribution_chart",
        title: Some("Rating distribution".into()),
        kind: ChartKind::Bars {
            unit: Some("people".into()),
            bars: r
                .distribution
                .iter()
                .map(|(v, l, n)| (format!("{} {l}", round(*v)), *n as f64))
                .collect(),
        },
    }
}

/// The manager ratings table of the cycle report, against the cycle average.
fn cycle_reviewers(r: &CycleReport) -> Table {
    let mut rev = Table::new(
        "reviewers",
        vec![
            Column::new("reviewer", "Manager"),
            Column::new("reviews", "Reviews"),
            Column::new("average", "Average rating"),
            Column::new("cycle_average", "Cycle average"),
            Column::new("difference", "Difference"),
        ],
    );
    rev.title = Some("Manager ratings against the cycle average (for calibration)".into());
    for x in &r.reviewers {
        rev.push(vec![
            x.reviewer.as_str().into(),
            x.reviews.into(),
            round(x.average).into(),
            r.cycle_average.map(round).into(),
            round(x.difference).into(),
        ]);
    }
    rev
}

/// The 9-box table of the cycle report (final level × potential).
fn cycle_nine_box(r: &CycleReport) -> Table {
    let mut grid = Table::new(
        "nine_box",
        vec![
            Column::new("potential", "Potential"),
            Column::new("low", "Performance low"),
            Column::new("medium", "Medium"),
            Column::new("high", "High"),
        ],
    );
    grid.title = Some("9-box (final level × potential)".into());
    for (i, row) in r.nine_box.iter().enumerate() {
        let label = ["high", "medium", "low"][i.min(2)];
        let mut cells: Vec<Cell> = vec![label.into()];
        cells.extend(row.iter().map(|c| Cell::Text(c.join(", "))));
        grid.push(cells);
    }
    grid
}

/// The 9-box grid chart of the cycle report.
fn cycle_nine_box_chart(r: &CycleReport) -> Chart {
    Chart {
        key: "nine_box_chart",
        title: Some("9-box".into()),
        kind: ChartKind::Grid {
            row_label: "Potential".into(),
            col_label: "Performance".into(),
            rows: vec!["high".into(), "medium".into(), "low".into()],
            cols: vec!["low".into(), "medium".into(), "high".into()],
            cells: r.nine_box.clone(),
        },
    }
}

/// `report person HANDLE`: a review packet.
pub fn person(p: &Packet, ctx: &PaceContext) -> Doc {
    let recorded;
    let ctx = match p.recorded_thresholds {
        Some(thresholds) => {
            recorded = PaceContext { thresholds, ..*ctx };
            &recorded
        }
        None => ctx,
    };
    let mut doc = Doc::record("report_person", packet_record(p)).with_title(format!(
        "Review packet — {} ({})",
        p.person.name, p.person.handle
    ));
    doc = doc.with_table(packet_goals(p));
    doc = doc.with_table(packet_measures(p, ctx));
    for l in &p.measures {
        doc = doc.with_chart(packet_trend_chart(l));
    }
    if let Some((c, t, s)) = &p.appraisal {
        doc = packet_appraisal(doc, t, s, ctx.today);
        // The appraisal explained, as `appraise explain` shows it.
        if let Some(e) = &p.explanation {
            doc.parts
                .extend(super::appraise::explanation(c, t, s, Some(e)).parts);
        }
    }
    doc = super::followup::packet_plans(doc, &p.plans);
    doc.with_table(packet_feedback(p))
}

/// The packet's record: the person, their mission and their appraisal outcome, if any.
fn packet_record(p: &Packet) -> Record {
    let m = &p.person.mission;
    let mut r = Record::new("person")
        .field("handle", "Person", p.person.handle.as_str())
        .field("name", "Name", p.person.name.as_str())
        .field("title", "Title", p.person.title.clone())
        .field("team", "Team", p.person.team.clone())
        .field("manager", "Manager", p.person.manager.clone())
        .field("mission_purpose", "Mission: purpose", m.purpose.clone())
        .field(
            "mission_customers",
            "Mission: customers",
            m.customers.clone(),
        )
        .field("mission_product", "Mission: product", m.product.clone())
        .field("mission_scope", "Mission: scope", m.scope.clone());
    if let Some((c, t, s)) = &p.appraisal {
        let o = s.outcome.clone().unwrap_or_default();
        r = r
            .field(
                "cycle",
                "Review cycle",
                format!("{} ({}, {})", c.name, c.period, c.state),
            )
            .field("score", "Score", s.appraisal.score.map(round))
            .field(
                "computed_level",
                "Computed level",
                level(t, o.computed_level.or(s.appraisal.level)),
            )
            .extend_with(|r| super::appraise::outcome_fields(r, t, s, &o))
            .field(
                "acknowledged",
                "Acknowledged",
                s.person.acknowledged_at.clone(),
            );
    }
    r
}

/// The packet's goals table: progress, pace and standard per goal.
fn packet_goals(p: &Packet) -> Table {
    let mut goals = Table::new(
        "goals",
        vec![
            Column::new("goal", "Goal"),
            Column::new("title", "Title"),
            Column::new("weight", "Weight"),
            Column::new("status", "Status"),
            Column::new("progress_pct", "Progress"),
            Column::new("expected_pct", "Expected"),
            Column::new("pace", "Pace"),
            Column::new("standard", "Standard"),
        ],
    );
    goals.title = Some("Goals".into());
    for g in &p.goals {
        goals.push(vec![
            g.goal.key.as_str().into(),
            g.goal.title.as_str().into(),
            g.goal.weight.into(),
            Cell::Status(g.goal.status.to_string()),
            bar(g.progress),
            pct(g.expected),
            status(g.pace),
            status(g.standard),
        ]);
    }
    goals
}

/// The packet's measures table: the goals report's columns less owner and due.
fn packet_measures(p: &Packet, ctx: &PaceContext) -> Table {
    // The packet is about one person: no owner column, and the due date is the goal's.
    let keep = |c: &Column| c.key != "owner" && c.key != "due";
    let cols: Vec<Column> = measure_columns(ctx).into_iter().filter(keep).collect();
    let mut measures = Table::new("measures", cols);
    measures.title = Some("Measures".into());
    for l in &p.measures {
        let cells = measure_cells(l, ctx);
        measures.push(
            measure_columns(ctx)
                .iter()
                .zip(cells)
                .filter(|(c, _)| keep(c))
                .map(|(_, v)| v)
                .collect(),
        );
    }
    measures
}

/// The trend chart of one of the packet's measures.
fn packet_trend_chart(l: &MeasureLine) -> Chart {
    let m = &l.measure.measure;
    Chart {
        key: "trend_chart",
        title: Some(format!("{} — {}", l.goal.goal.key, m.name)),
        kind: ChartKind::Trend {
            unit: m.unit.clone(),
            points: l.points.clone(),
            baseline: m.baseline,
            target: m.target,
            start: l.goal.goal.start,
            due: l.goal.goal.due,
            forecast: match (l.measure.forecast, l.goal.goal.due) {
                (Some(f), Some(d)) => Some((d, f.value)),
                _ => None,
            },
        },
    }
}

/// The packet's appraisal parts: ratings table, ratings chart and development actions.
fn packet_appraisal(doc: Doc, t: &Template, s: &SubjectState, today: chrono::NaiveDate) -> Doc {
    let actions = s
        .outcome
        .as_ref()
        .map(|o| o.actions.clone())
        .unwrap_or_default();
    doc.with_table(packet_ratings(t, s))
        .with_chart(packet_rating_chart(t, s))
        .with_table(super::appraise::anonymous(s))
        .with_table(super::followup::actions_table(&actions, today))
}

/// The packet's self and manager ratings, with each review's summary.
fn packet_ratings(t: &Template, s: &SubjectState) -> Table {
    let mut ratings = Table::new(
        "ratings",
        vec![
            Column::new("review", "Review"),
            Column::new("item", "Item"),
            Column::new("rating", "Rating"),
            Column::new("comment", "Comment"),
        ],
    );
    ratings.title = Some("Self and manager ratings".into());
    for rv in &s.reviews {
        for x in &rv.ratings {
            ratings.push(vec![
                rv.kind.as_str().into(),
                x.item.as_str().into(),
                level(t, x.value),
                x.comment.clone().into(),
            ]);
        }
        if let Some(sm) = &rv.summary {
            ratings.push(vec![
                rv.kind.as_str().into(),
                "(summary)".into(),
                Cell::Null,
                sm.as_str().into(),
            ]);
        }
    }
    ratings
}

/// The bar chart of ratings received, one bar per level of the scale.
fn packet_rating_chart(t: &Template, s: &SubjectState) -> Chart {
    let bars: Vec<(String, f64)> = t
        .scale
        .levels
        .iter()
        .map(|l| {
            let n = s
                .reviews
                .iter()
                .flat_map(|r| r.ratings.iter())
                .filter(|x| x.value.is_some_and(|v| (v - l.value).abs() < 1e-9))
                .count();
            (format!("{} {}", round(l.value), l.label), n as f64)
        })
        .collect();
    Chart {
        key: "rating_chart",
        title: Some("Ratings received (self and manager)".into()),
        kind: ChartKind::Bars {
            unit: Some("ratings".into()),
            bars,
        },
    }
}

/// The packet's feedback table, noting how many private items were left out.
fn packet_feedback(p: &Packet) -> Table {
    let mut fb = Table::new(
        "feedback",
        vec![
            Column::new("date", "Date"),
            Column::new("from", "From"),
            Column::new("kind", "Kind"),
            Column::new("goal", "Goal"),
            Column::new("text", "Feedback"),
        ],
    );
    fb.title = Some(if p.private_hidden > 0 {
        format!(
            "Feedback received ({} private item(s) left out)",
            p.private_hidden
        )
    } else {
        "Feedback received".into()
    });
    for f in &p.feedback {
        fb.push(vec![
            f.date.into(),
            f.from.clone().into(),
            f.kind.as_str().into(),
            f.goal.clone().into(),
            f.text.as_str().into(),
        ]);
    }
    fb
}

/// `report explain GOAL`: the goal's progress and pace, explained.
pub fn goal_explanation(e: &crate::app::report::explain::GoalExplanation) -> Doc {
    let g = &e.goal;
    let rec = Record::new("explanation")
        .with_title(format!("Why {} stands where it does — {}", g.key, e.today))
        .field("goal", "Goal", g.key.as_str())
        .field("title", "Title", g.title.as_str())
        .field("status", "Status", g.status.to_string())
        .field("rollup_rule", "Roll-up", e.rollup_rule.as_str())
        .field("computation", "Computation", e.computation.clone())
        .field("progress_pct", "Progress", pct(e.progress))
        .field(
            "expected_rule",
            "Expected progress",
            e.expected_rule.as_str(),
        )
        .field("expected_pct", "Expected", pct(e.expected))
        .field("pace_rule", "Pace rule", e.pace_rule.as_str())
        .field("gap_computation", "Gap", e.gap_computation.clone())
        .field("gap", "Gap value", e.gap.map(round))
        .field("pace", "Pace", status(e.pace))
        .field("pace_note", "Why", e.pace_note.as_str());
    let mut measures = Table::new(
        "measures",
        vec![
            Column::new("measure", "Measure"),
            Column::new("baseline", "Baseline"),
            Column::new("current", "Current"),
            Column::new("reference", "To"),
            Column::new("reference_value", "Reference"),
            Column::new("weight", "Weight"),
            Column::new("raw_pct", "Raw %"),
            Column::new("scored_pct", "Scored %"),
            Column::new("zone", "Zone"),
            Column::new("rule", "Rule"),
        ],
    )
    .with_title("Measures");
    for m in &e.measures {
        measures.push(vec![
            m.name.as_str().into(),
            m.baseline.into(),
            m.current.into(),
            m.reference.into(),
            m.reference_value.into(),
            m.weight.into(),
            m.raw.map(|r| round(r * 100.0)).into(),
            round(m.scored * 100.0).into(),
            m.zone.into(),
            m.rule.as_str().into(),
        ]);
    }
    let mut terms = Table::new(
        "terms",
        vec![
            Column::new("kind", "Kind"),
            Column::new("name", "Name"),
            Column::new("weight", "Weight"),
            Column::new("progress_pct", "Progress %"),
            Column::new("counted", "Counted"),
            Column::new("note", "Why"),
        ],
    )
    .with_title("Roll-up terms");
    for t in &e.terms {
        terms.push(vec![
            t.kind.into(),
            t.name.as_str().into(),
            t.weight.into(),
            t.progress.map(|p| round(p * 100.0)).into(),
            t.counted.into(),
            t.note.as_str().into(),
        ]);
    }
    Doc::record("report_explain", rec)
        .with_table(measures)
        .with_table(terms)
}

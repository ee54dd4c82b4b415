//! `checkin`: record progress (values, confidence, status, notes), list,
//! edit and remove check-ins, and see who is due.

use super::ctx::Ctx;
use super::views::activity;
use super::{clearable, prompt};
use crate::app::checkin::{self, Answer, CheckinInput, EditInput, ListInput};
use crate::app::plan;
use crate::domain::checkin::parse_confidence;
use crate::domain::goal::Measure;
use crate::domain::value::parse_value;
use crate::domain::{self};
use crate::error::{Error, Result};
use crate::store::WriteScope;
use clap::{Args, Subcommand};

#[derive(Debug, Args)]
#[command(
    args_conflicts_with_subcommands = true,
    after_help = "Examples:\n  yardstick checkin api-latency 325 --confidence 7 --note \"cache in front of /search\"\n  \
yardstick checkin api-latency --measure \"error rate\" 1.2 --date yesterday\n  \
yardstick checkin onboarding-guide yes\n  yardstick checkin api-latency --status at-risk --note \"blocked on the DB upgrade\"\n  \
yardstick checkin            (on a terminal: walk through your measures)"
)]
pub struct CheckinArgs {
    #[command(subcommand)]
    cmd: Option<CheckinCmd>,
    /// Goal id or key (asked for on a terminal when missing)
    goal: Option<String>,
    /// The value: a number; yes/no for yes/no measures; milestones reached
    #[arg(allow_hyphen_values = true)]
    value: Option<String>,
    #[command(flatten)]
    fields: Fields,
}

#[derive(Debug, Args)]
pub struct Fields {
    /// Which measure (needed when the goal has several)
    #[arg(long)]
    measure: Option<String>,
    /// How confident you are of reaching the target, 0–10
    #[arg(long, allow_hyphen_values = true)]
    confidence: Option<String>,
    /// Your own status: on-track, at-risk, off-track (shown beside the derived one)
    #[arg(long)]
    status: Option<String>,
    /// A note
    #[arg(long, allow_hyphen_values = true)]
    note: Option<String>,
    /// The day it is about (a date expression; default today)
    #[arg(long)]
    date: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum CheckinCmd {
    /// List check-ins, newest first
    #[command(visible_alias = "ls")]
    List {
        /// Only this goal (id or key)
        #[arg(long)]
        goal: Option<String>,
        /// Only goals this person owns or check-ins they wrote
        #[arg(long)]
        person: Option<String>,
        /// Only goals of this team, its sub-teams and their members
        #[arg(long)]
        team: Option<String>,
        /// On or after this date
        #[arg(long)]
        since: Option<String>,
        /// On or before this date
        #[arg(long)]
        until: Option<String>,
        /// At most this many
        #[arg(long)]
        limit: Option<usize>,
    },
    /// Change a check-in (pass "none" to clear a field)
    Edit {
        /// Check-in id (see `checkin list`)
        id: i64,
        /// New value
        #[arg(long, allow_hyphen_values = true)]
        value: Option<String>,
        /// New confidence, 0–10
        #[arg(long, allow_hyphen_values = true)]
        confidence: Option<String>,
        /// New status
        #[arg(long)]
        status: Option<String>,
        /// New note
        #[arg(long, allow_hyphen_values = true)]
        note: Option<String>,
        /// New date
        #[arg(long)]
        date: Option<String>,
    },
    /// Remove a check-in
    Rm {
        /// Check-in id
        id: i64,
        /// Also erase it from the undo history, so its note leaves the file (cannot be undone)
        #[arg(long)]
        purge: bool,
    },
    /// List people and measures whose last check-in is older than their cadence
    Due {
        /// Only this person
        #[arg(long)]
        person: Option<String>,
        /// Only people in this team and its sub-teams
        #[arg(long)]
        team: Option<String>,
    },
}

impl CheckinArgs {
    pub fn name(&self) -> &'static str {
        match &self.cmd {
            None => "checkin",
            Some(CheckinCmd::List { .. }) => "checkin list",
            Some(CheckinCmd::Edit { .. }) => "checkin edit",
            Some(CheckinCmd::Rm { .. }) => "checkin rm",
            Some(CheckinCmd::Due { .. }) => "checkin due",
        }
    }
}

pub(super) fn percent_max(ctx: &Ctx) -> f64 {
    f64::from(ctx.config.checkin.percent_max.unwrap_or(100))
}

pub fn run(ctx: &mut Ctx, args: CheckinArgs) -> Result<()> {
    match args.cmd {
        None => match args.goal {
            Some(goal) => record(ctx, &goal, args.value, args.fields),
            None => interactive(ctx, args.fields),
        },
        Some(CheckinCmd::List {
            goal,
            person,
            team,
            since,
            until,
            limit,
        }) => {
            let store = ctx.open_read()?;
            let input = ListInput {
                goal,
                person,
                team,
                since,
                until,
                limit,
            };
            let list = checkin::list(&*store.read(), &ctx.clock, &input)?;
            ctx.emit(&activity::checkins(&list))
        }
        Some(CheckinCmd::Edit {
            id,
            value,
            confidence,
            status,
            note,
            date,
        }) => {
            let input = EditInput {
                date,
                value: clearable(value),
                confidence: clearable(confidence),
                status: clearable(status),
                note: clearable(note),
                percent_max: percent_max(ctx),
            };
            edit(ctx, id, &input)
        }
        Some(CheckinCmd::Rm { id, purge }) => remove(ctx, id, purge),
        Some(CheckinCmd::Due { person, team }) => {
            let store = ctx.open_read()?;
            let cadence = i64::from(ctx.config.checkin.cadence_days.unwrap_or(7));
            let s = &*store.read();
            let today = ctx.clock.today;
            let rows = checkin::due_rows(s, today, cadence, person.as_deref(), team.as_deref())?;
            let policy = ctx.policy(&store)?;
            let late = crate::app::followup::overdue(
                s,
                &policy,
                today,
                person.as_deref(),
                team.as_deref(),
            )?;
            ctx.emit(&activity::due(&rows, &late))
        }
    }
}

fn remove(ctx: &mut Ctx, id: i64, purge: bool) -> Result<()> {
    let mut store = ctx.open_write()?;
    let c = checkin::get(&*store.read(), id)?;
    let what = checkin::describe(&c);
    ctx.confirm_or_cancel(&format!("Remove check-in {id} ({what})?"))?;
    ctx.write_as(&mut store, WriteScope::Tables(&["checkin"]), |s, p| {
        checkin::remove(s, p, id, purge)
    })?;
    ctx.ui.note(super::removed_note("check-in", id, purge));
    Ok(())
}

fn edit(ctx: &mut Ctx, id: i64, input: &EditInput) -> Result<()> {
    let mut store = ctx.open_write()?;
    let clock = ctx.clock;
    let w = ctx.write_as(&mut store, WriteScope::Tables(&["checkin"]), |s, p| {
        checkin::edit(s, &clock, p, id, input)
    })?;
    ctx.ui.note(if w.changed {
        format!("Updated check-in {id}.")
    } else {
        format!("No changes to check-in {id}.")
    });
    ctx.emit_if_asked(&activity::checkins(&[w.value]))
}

fn record(ctx: &mut Ctx, goal_ref: &str, value: Option<String>, f: Fields) -> Result<()> {
    let mut store = ctx.open_write()?;
    let actor = ctx.actor(&store)?;
    let prepared = {
        let s = store.read();
        let goal = plan::get_goal(&*s, goal_ref)?;
        if goal.status.is_closed() {
            ctx.ui.warn(format!(
                "goal {} is {}; recording anyway",
                goal.key, goal.status
            ));
        }
        let input = CheckinInput {
            measure: f.measure,
            value,
            confidence: clearable(f.confidence).flatten(),
            status: clearable(f.status).flatten(),
            note: f.note,
            date: f.date,
            percent_max: percent_max(ctx),
        };
        checkin::prepare(&*s, &ctx.clock, &actor, &goal, &input)?
    };
    let now = ctx.now();
    let w = ctx.write_as(&mut store, WriteScope::Inserts, |s, p| {
        checkin::record(s, &now, p, &prepared)
    })?;
    let mut msg = format!("Check-in {} recorded for {}", w.value, prepared.goal.key);
    if let (Some(m), Some(v)) = (&prepared.measure, prepared.new.value) {
        let p = domain::progress(&m.spec(), Some(v));
        msg.push_str(&format!(
            ": {} {v}{} — {:.0}% of the way from {} to {}",
            m.name,
            unit(m),
            p.raw * 100.0,
            m.baseline,
            m.target
        ));
    }
    ctx.ui.note(format!("{msg}."));
    if let Some(due) = prepared.after_due() {
        ctx.ui.note(format!(
            "It is dated {}, after {}'s due date {due}: review cycles score goals as of their period's end, so it counts in none whose period ended by {due}.",
            prepared.new.date, prepared.goal.key
        ));
    }
    let c = checkin::get(&*store.read(), w.value)?;
    ctx.emit_if_asked(&activity::checkins(&[c]))
}

fn unit(m: &Measure) -> String {
    m.unit
        .as_deref()
        .map(|u| {
            if u == "%" {
                u.to_string()
            } else {
                format!(" {u}")
            }
        })
        .unwrap_or_default()
}

/// `checkin` with no arguments on a terminal: walk through the acting
/// person's active measures.
fn interactive(ctx: &mut Ctx, f: Fields) -> Result<()> {
    if !ctx.ui.can_prompt() {
        return Err(Error::invalid("missing GOAL (and VALUE)").with_hint(
            "pass GOAL VALUE, e.g. `yardstick checkin api-latency 325`; without arguments, checkin asks on a terminal",
        ));
    }
    let mut store = ctx.open_write()?;
    let Some(me) = ctx.actor(&store)?.handle else {
        return Err(Error::invalid("who is checking in?")
            .with_hint("pass --as HANDLE or run `yardstick init --me HANDLE`"));
    };
    let person = crate::app::org::get_person(&*store.read(), &me)?;
    let date = checkin::day(&ctx.clock, f.date.as_deref())?;
    let measures = checkin::my_measures(&*store.read(), &me)?;
    let answers = ask(ctx, measures)?;
    if answers.is_empty() {
        ctx.ui.note("Nothing recorded.");
        return Ok(());
    }
    ctx.ui.note("\nTo save:");
    for (g, m, v, c, n) in &answers {
        ctx.ui.note(format!(
            "  {}/{} = {v}{}{}{}",
            g.key,
            m.name,
            unit(m),
            c.map(|c| format!(", confidence {c}")).unwrap_or_default(),
            n.as_ref().map(|n| format!(", \"{n}\"")).unwrap_or_default()
        ));
    }
    if !prompt::confirm(&format!("Save {} check-in(s) for {date}?", answers.len()))? {
        return Err(Error::failed("cancelled; nothing was saved"));
    }
    let now = ctx.now();
    ctx.write_as(&mut store, WriteScope::Inserts, |s, p| {
        checkin::record_answers(s, &now, p, date, person.id, &answers)
    })?;
    ctx.ui.note(format!("Saved {} check-in(s).", answers.len()));
    Ok(())
}

/// Ask for a value (and confidence and note) for each measure.
fn ask(
    ctx: &Ctx,
    measures: Vec<(domain::goal::Goal, Measure, Option<f64>)>,
) -> Result<Vec<Answer>> {
    let mut answers = Vec::new();
    for (g, m, current) in measures {
        let p = domain::progress(&m.spec(), current);
        let shown = current.map_or_else(|| "—".to_string(), |v| v.to_string());
        let pace = domain::pace::goal_pace(
            Some(p.scored),
            g.start,
            g.due,
            ctx.clock.today,
            &ctx.pace().thresholds,
        )
        .map(|(e, st)| format!(", expected {:.0}% by today: {st}", e * 100.0))
        .unwrap_or_default();
        ctx.ui.note(format!(
            "\n{} — {}\n  {}: {} → {} → {}{}   progress {:.0}%{pace}",
            g.key,
            g.title,
            m.name,
            m.baseline,
            shown,
            m.target,
            unit(&m),
            p.raw * 100.0
        ));
        let Some(text) = prompt::optional_text(&format!("{} value (empty to skip)", m.name))?
        else {
            continue;
        };
        let v = match parse_value(m.kind, &text, percent_max(ctx)) {
            Ok(v) => v,
            Err(e) => {
                ctx.ui.warn(format!("{} — skipped", e.message()));
                continue;
            }
        };
        let conf = match prompt::optional_text("confidence 0–10 (empty to skip)")? {
            Some(c) if !c.eq_ignore_ascii_case("none") => Some(parse_confidence(&c)?),
            _ => None,
        };
        let note = prompt::optional_text("note (empty for none)")?;
        answers.push((g, m, v, conf, note));
    }
    Ok(answers)
}

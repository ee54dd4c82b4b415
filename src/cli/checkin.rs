//! `checkin`: record progress (values, confidence, status, notes), list,
//! edit and remove check-ins, and see who is due.

use super::ctx::Ctx;
use super::{clearable, prompt};
use crate::domain::value::parse_value;
use crate::domain::{self, GoalStatus};
use crate::error::{Error, Result};
use crate::render::activity::{self, DueRow};
use crate::store::Store;
use crate::store::checkins::{self, CheckinFilter, CheckinPatch, NewCheckin};
use crate::store::org;
use crate::store::plan::{self as splan, Goal, GoalFilter, Measure};
use crate::time::{days_between, parse_date};
use chrono::NaiveDate;
use clap::{Args, Subcommand};

const STATUSES: [&str; 3] = ["on-track", "at-risk", "off-track"];

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

fn confidence(s: Option<String>) -> Result<Option<Option<i64>>> {
    match clearable(s) {
        None => Ok(None),
        Some(None) => Ok(Some(None)),
        Some(Some(v)) => match v.trim().parse::<i64>() {
            Ok(n) if (0..=10).contains(&n) => Ok(Some(Some(n))),
            _ => Err(Error::invalid(format!(
                "--confidence must be a whole number from 0 to 10 (got '{v}')"
            ))),
        },
    }
}

fn status(s: Option<String>) -> Result<Option<Option<String>>> {
    match clearable(s) {
        None => Ok(None),
        Some(None) => Ok(Some(None)),
        Some(Some(v)) => {
            let v = v.trim().to_ascii_lowercase();
            if STATUSES.contains(&v.as_str()) {
                Ok(Some(Some(v)))
            } else {
                Err(Error::invalid(format!("unknown status '{v}'"))
                    .with_hint("use on-track, at-risk or off-track"))
            }
        }
    }
}

fn percent_max(ctx: &Ctx) -> f64 {
    f64::from(ctx.config.checkin.percent_max.unwrap_or(100))
}

/// The acting person's id, if they are a person in the file. An explicit
/// `--as` naming nobody is an error; no identity at all is fine.
fn author(ctx: &Ctx, store: &Store) -> Result<Option<i64>> {
    match ctx.actor(store)? {
        Some(h) => match org::find_person(store.conn(), &h)? {
            Some(p) => Ok(Some(p.id)),
            None if ctx.acting.is_some() => {
                Err(Error::not_found("person", &h).with_hint("check --as / YARDSTICK_USER"))
            }
            None => Ok(None),
        },
        None => Ok(None),
    }
}

fn pick_measure(
    conn: &rusqlite::Connection,
    goal: &Goal,
    name: Option<&str>,
) -> Result<Option<Measure>> {
    let all = splan::measures(conn, goal.id)?;
    if let Some(n) = name {
        return splan::get_measure(conn, goal, n).map(Some);
    }
    match all.len() {
        0 => Ok(None),
        1 => Ok(all.into_iter().next()),
        _ => {
            let names: Vec<&str> = all.iter().map(|m| m.name.as_str()).collect();
            Err(Error::invalid(format!(
                "goal {} has {} measures; say which with --measure",
                goal.key,
                all.len()
            ))
            .with_hint(format!("measures: {}", names.join(", "))))
        }
    }
}

/// The day a check-in is about: today, or a past day. A check-in records
/// what was observed, so a day after today is refused.
fn date_or_today(ctx: &Ctx, s: Option<&str>) -> Result<NaiveDate> {
    let d = match s {
        Some(d) => parse_date(d, &ctx.clock).map_err(|e| e.context("--date"))?,
        None => ctx.clock.today,
    };
    if d > ctx.clock.today {
        return Err(
            Error::invalid(format!("--date {d} is after today ({})", ctx.clock.today))
                .with_hint("a check-in records progress already made; use today or an earlier day"),
        );
    }
    Ok(d)
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
            let conn = store.conn();
            let f = CheckinFilter {
                goal: goal
                    .map(|g| splan::get_goal(conn, &g).map(|g| g.id))
                    .transpose()?,
                people: person
                    .map(|p| org::person_id(conn, &p).map(|id| vec![id]))
                    .transpose()?,
                teams: team
                    .map(|t| org::team_id(conn, &t).and_then(|id| org::team_subtree(conn, id)))
                    .transpose()?,
                since: since
                    .map(|d| parse_date(&d, &ctx.clock).map_err(|e| e.context("--since")))
                    .transpose()?,
                until: until
                    .map(|d| {
                        crate::time::parse_date_end(&d, &ctx.clock)
                            .map_err(|e| e.context("--until"))
                    })
                    .transpose()?,
                limit,
                ..CheckinFilter::default()
            };
            ctx.emit(&activity::checkins(&checkins::list(conn, &f)?))
        }
        Some(CheckinCmd::Edit {
            id,
            value,
            confidence: c,
            status: s,
            note,
            date,
        }) => {
            let mut store = ctx.open_write()?;
            let current = checkins::get(store.conn(), id)?;
            let value = match clearable(value) {
                None => None,
                Some(None) => Some(None),
                Some(Some(v)) => {
                    let Some(mid) = current.measure_id else {
                        return Err(Error::invalid(format!(
                            "check-in {id} is a status-only update; it has no value to set"
                        )));
                    };
                    let m = splan::all_measures(store.conn())?
                        .into_iter()
                        .find(|m| m.id == mid);
                    let kind = m.map_or(crate::domain::MeasureKind::Number, |m| m.kind);
                    Some(Some(
                        parse_value(kind, &v, percent_max(ctx))
                            .map_err(|e| e.context("--value"))?,
                    ))
                }
            };
            let patch = CheckinPatch {
                date: date
                    .map(|d| parse_date(&d, &ctx.clock).map_err(|e| e.context("--date")))
                    .transpose()?,
                value,
                confidence: confidence(c)?,
                status: status(s)?,
                note: clearable(note),
            };
            let now = ctx.now();
            let w = store.write_touching(&ctx.op(&store)?, &["checkin"], |tx| {
                let (c, changed) = checkins::edit(tx, &now, id, &patch)?;
                if changed {
                    tx.set_summary(format!("edited check-in {id} on {}", c.goal));
                }
                Ok(c)
            })?;
            ctx.ui.note(if w.changed {
                format!("Updated check-in {id}.")
            } else {
                format!("No changes to check-in {id}.")
            });
            ctx.emit_if_asked(&activity::checkins(&[w.value]))
        }
        Some(CheckinCmd::Rm { id, purge }) => {
            let mut store = ctx.open_write()?;
            let c = checkins::get(store.conn(), id)?;
            let what = match (&c.measure, c.value) {
                (Some(m), Some(v)) => format!("{} {m} = {v} on {}", c.goal, c.date),
                _ => format!("{} status update on {}", c.goal, c.date),
            };
            if !ctx.confirm(&format!("Remove check-in {id} ({what})?"))? {
                return Err(Error::failed("cancelled; nothing was changed"));
            }
            let now = ctx.now();
            store.write_touching(&ctx.op(&store)?, &["checkin"], |tx| {
                checkins::remove(tx, id)?;
                tx.set_summary(format!("removed check-in {id} ({what})"));
                if purge {
                    crate::store::oplog::purge_row_history(tx, "checkin", id, &now)?;
                    tx.mark_changed();
                }
                Ok(())
            })?;
            ctx.ui.note(if purge {
                format!("Removed check-in {id} and erased it from the undo history; it cannot be brought back.")
            } else {
                format!("Removed check-in {id}. `yardstick undo` brings it back; `--purge` erases it for good.")
            });
            Ok(())
        }
        Some(CheckinCmd::Due { person, team }) => {
            let store = ctx.open_read()?;
            let rows = due_rows(ctx, &store, person.as_deref(), team.as_deref())?;
            ctx.emit(&activity::due(&rows))
        }
    }
}

fn record(ctx: &mut Ctx, goal_ref: &str, value: Option<String>, f: Fields) -> Result<()> {
    let mut store = ctx.open_write()?;
    let goal = splan::get_goal(store.conn(), goal_ref)?;
    if goal.status.is_closed() {
        ctx.ui.warn(format!(
            "goal {} is {}; recording anyway",
            goal.key, goal.status
        ));
    }
    let measure = match &value {
        Some(_) => match pick_measure(store.conn(), &goal, f.measure.as_deref())? {
            Some(m) => Some(m),
            None => {
                return Err(Error::invalid(format!("goal {} has no measures, so a value cannot be recorded", goal.key))
                    .with_hint(format!("add one with `yardstick plan measure {} NAME ...`, or record a status with --status", goal.key)));
            }
        },
        None => match &f.measure {
            Some(n) => Some(splan::get_measure(store.conn(), &goal, n)?),
            None => None,
        },
    };
    let parsed = match (&value, &measure) {
        (Some(v), Some(m)) => Some(
            parse_value(m.kind, v, percent_max(ctx))
                .map_err(|e| e.context(format!("value for {}", m.name)))?,
        ),
        _ => None,
    };
    let conf = confidence(f.confidence)?.flatten();
    let stat = status(f.status)?.flatten();
    if parsed.is_none() && stat.is_none() && f.note.is_none() && conf.is_none() {
        return Err(
            Error::invalid(format!("nothing to record for {}", goal.key)).with_hint(
                "pass a VALUE, or --status / --note / --confidence for an update without a value",
            ),
        );
    }
    let date = date_or_today(ctx, f.date.as_deref())?;
    let author_id = author(ctx, &store)?;
    let note = f
        .note
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty());
    if let Some(n) = &note {
        crate::domain::names::validate_text("note", n, 10_000)?;
    }
    let now = ctx.now();
    let new = NewCheckin {
        goal_id: goal.id,
        measure_id: if parsed.is_some() {
            measure.as_ref().map(|m| m.id)
        } else {
            None
        },
        date,
        value: parsed,
        confidence: conf,
        status: stat,
        note,
        author_id,
    };
    let w = store.write_inserting(&ctx.op(&store)?, |tx| {
        let id = checkins::insert(tx, &now, &new)?;
        let what = match (&measure, parsed) {
            (Some(m), Some(v)) => format!("{}/{} = {v}", goal.key, m.name),
            _ => format!("{} status update", goal.key),
        };
        tx.set_summary(format!("checked in {what} on {date}"));
        Ok(id)
    })?;
    let mut msg = format!("Check-in {} recorded for {}", w.value, goal.key);
    if let (Some(m), Some(v)) = (&measure, parsed) {
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
    let c = checkins::get(store.conn(), w.value)?;
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

/// Who should check in on a goal: its owner, or a team goal's lead.
fn responsible(conn: &rusqlite::Connection, g: &Goal) -> Result<Option<String>> {
    if g.owner_is_team {
        Ok(org::find_team(conn, &g.owner)?.and_then(|t| t.lead))
    } else {
        Ok(Some(g.owner.clone()))
    }
}

/// Measures of active goals whose last check-in is older than the
/// responsible person's cadence (or that have none).
pub fn due_rows(
    ctx: &Ctx,
    store: &Store,
    person: Option<&str>,
    team: Option<&str>,
) -> Result<Vec<DueRow>> {
    let conn = store.conn();
    if let Some(p) = person {
        org::person_id(conn, p)?;
    }
    let people: std::collections::HashMap<String, crate::store::org::Person> =
        org::list_people(conn, team, false)?
            .into_iter()
            .map(|p| (p.handle.clone(), p))
            .collect();
    let default_cadence = i64::from(ctx.config.checkin.cadence_days.unwrap_or(7));
    let goals = splan::list_goals(
        conn,
        &GoalFilter {
            statuses: vec![GoalStatus::Active],
            ..GoalFilter::default()
        },
    )?;
    let mut rows = Vec::new();
    for g in goals {
        let Some(who) = responsible(conn, &g)? else {
            continue;
        };
        if person.is_some_and(|p| p != who) {
            continue;
        }
        let Some(p) = people.get(&who) else { continue };
        let cadence = p.cadence_days.unwrap_or(default_cadence);
        for m in splan::measures(conn, g.id)? {
            let last = checkins::latest(conn, m.id)?.map(|(d, _)| d);
            let days = last.map(|d| days_between(d, ctx.clock.today));
            if days.is_none_or(|d| d > cadence) {
                rows.push(DueRow {
                    person: who.clone(),
                    goal: g.key.clone(),
                    measure: m.name.clone(),
                    last,
                    days,
                    cadence,
                });
            }
        }
    }
    rows.sort_by(|a, b| {
        a.person
            .cmp(&b.person)
            .then(b.days.unwrap_or(i64::MAX).cmp(&a.days.unwrap_or(i64::MAX)))
    });
    Ok(rows)
}

/// A check-in answered at the prompt, not yet saved: goal, measure, value,
/// confidence, note.
type Pending = (Goal, Measure, f64, Option<i64>, Option<String>);

/// `checkin` with no arguments on a terminal: walk through the acting
/// person's active measures.
fn interactive(ctx: &mut Ctx, f: Fields) -> Result<()> {
    if !ctx.ui.can_prompt() {
        return Err(Error::invalid("missing GOAL (and VALUE)").with_hint(
            "pass GOAL VALUE, e.g. `yardstick checkin api-latency 325`; without arguments, checkin asks on a terminal",
        ));
    }
    let mut store = ctx.open_write()?;
    let Some(me) = ctx.actor(&store)? else {
        return Err(Error::invalid("who is checking in?")
            .with_hint("pass --as HANDLE or run `yardstick init --me HANDLE`"));
    };
    let person = org::get_person(store.conn(), &me)?;
    let date = date_or_today(ctx, f.date.as_deref())?;
    let mut goals = splan::list_goals(
        store.conn(),
        &GoalFilter {
            owner: Some(me.clone()),
            statuses: vec![GoalStatus::Active],
            ..GoalFilter::default()
        },
    )?;
    for t in org::list_teams(store.conn())? {
        if t.lead.as_deref() == Some(me.as_str()) {
            goals.extend(splan::list_goals(
                store.conn(),
                &GoalFilter {
                    owner: Some(t.handle.clone()),
                    statuses: vec![GoalStatus::Active],
                    ..GoalFilter::default()
                },
            )?);
        }
    }
    let mut pending: Vec<Pending> = Vec::new();
    for g in &goals {
        for m in splan::measures(store.conn(), g.id)? {
            let current = checkins::latest(store.conn(), m.id)?.map(|(_, v)| v);
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
                Some(c) => confidence(Some(c))?.flatten(),
                None => None,
            };
            let note = prompt::optional_text("note (empty for none)")?;
            pending.push((g.clone(), m, v, conf, note));
        }
    }
    if pending.is_empty() {
        ctx.ui.note("Nothing recorded.");
        return Ok(());
    }
    ctx.ui.note("\nTo save:");
    for (g, m, v, c, n) in &pending {
        ctx.ui.note(format!(
            "  {}/{} = {v}{}{}{}",
            g.key,
            m.name,
            unit(m),
            c.map(|c| format!(", confidence {c}")).unwrap_or_default(),
            n.as_ref().map(|n| format!(", \"{n}\"")).unwrap_or_default()
        ));
    }
    if !prompt::confirm(&format!("Save {} check-in(s) for {date}?", pending.len()))? {
        return Err(Error::failed("cancelled; nothing was saved"));
    }
    let now = ctx.now();
    let n = pending.len();
    store.write_inserting(&ctx.op(&store)?, |tx| {
        for (g, m, v, c, note) in &pending {
            checkins::insert(
                tx,
                &now,
                &NewCheckin {
                    goal_id: g.id,
                    measure_id: Some(m.id),
                    date,
                    value: Some(*v),
                    confidence: *c,
                    status: None,
                    note: note.clone(),
                    author_id: Some(person.id),
                },
            )?;
        }
        tx.set_summary(format!("checked in {n} measure(s) on {date}"));
        Ok(())
    })?;
    ctx.ui.note(format!("Saved {n} check-in(s)."));
    Ok(())
}

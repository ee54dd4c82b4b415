//! `appraise`: review cycles (draft → open → calibrating → finalized),
//! reviews with ratings, peer nominations, calibration, outcomes and
//! acknowledgement.

use super::ctx::Ctx;
use super::prompt;
use crate::app::report::appraise::{SubjectState, cycle_states, subject_goals};
use crate::app::report::plan::PlanIndex;
use crate::domain::ReviewKind;
use crate::domain::appraisal::Template;
use crate::domain::cycle::{
    CycleAction, CycleStep, check_action, check_step, counts, is_anonymous, missing_reviews,
    nomination_kind, parse_review_kind, reviewer_of,
};
use crate::domain::names::shell_word;
use crate::error::{Error, Result};
use crate::formats::template;
use crate::render::appraise as views;
use crate::store::Store;
use crate::store::appraise::{self as sa, Cycle, NewCycle};
use crate::store::org;
use clap::{Args, Subcommand};
use std::path::PathBuf;

const POTENTIALS: [&str; 3] = ["low", "medium", "high"];
const RECOMMENDATIONS: [&str; 5] = ["none", "raise", "bonus", "promotion", "improvement-plan"];

#[derive(Debug, Subcommand)]
pub enum AppraiseCmd {
    /// Create, list, show and move review cycles through their states
    #[command(subcommand)]
    Cycle(CycleCmd),
    /// Write (or continue) a review: ratings, comments, a summary; --submit when done
    #[command(
        after_help = "Examples:\n  yardstick --as alice appraise review 2026-H2 alice --kind self --rate collaboration=4 --rate api-latency=3 --submit\n  \
yardstick --as bob appraise review 2026-H2 alice --kind manager --rate collaboration=\"exceeds expectations\" --summary \"Strong half\" --submit\n\n\
Items are the subject's goals (by key) in the cycle's period and the template's competencies. A level is a value \
on the scale or its label. Without --rate on a terminal, you are asked for each item."
    )]
    Review(ReviewArgs),
    /// Nominate peer (or upward) reviewers for a subject
    Peers {
        /// Cycle name or id
        cycle: String,
        /// Subject's handle
        subject: String,
        /// Reviewers to add (a direct report of the subject writes an upward review)
        #[arg(long, num_args = 1.., required = true)]
        add: Vec<String>,
    },
    /// Set a subject's calibrated level (the computed level is kept beside it)
    Calibrate {
        /// Cycle name or id
        cycle: String,
        /// Subject's handle
        subject: String,
        /// The level (value or label)
        #[arg(long)]
        level: String,
        /// Why
        #[arg(long, allow_hyphen_values = true)]
        reason: String,
    },
    /// Record potential, a recommendation and development actions
    Outcome {
        /// Cycle name or id
        cycle: String,
        /// Subject's handle
        subject: String,
        /// low, medium or high
        #[arg(long)]
        potential: Option<String>,
        /// none, raise, bonus, promotion or improvement-plan
        #[arg(long)]
        recommend: Option<String>,
        /// A development action (repeatable)
        #[arg(long, allow_hyphen_values = true)]
        action: Vec<String>,
        /// When the actions are due (a date expression)
        #[arg(long)]
        due: Option<String>,
    },
    /// Acknowledge your outcome (as the subject, with --as)
    Ack {
        /// Cycle name or id
        cycle: String,
    },
    /// Completion of each stage, per participant, with scores and levels
    Status {
        /// Cycle name or id
        cycle: String,
    },
    /// One person's full appraisal in a cycle
    Show {
        /// Cycle name or id
        cycle: String,
        /// Subject's handle
        subject: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum CycleCmd {
    /// Create a cycle (draft) for a team or a list of people
    #[command(
        after_help = "Examples:\n  yardstick appraise cycle new 2026-H2 --period 2026-H2 --team platform\n  \
yardstick appraise cycle new opm-2026 --period 2026 --template examples/templates/opm.toml --person alice --person chen"
    )]
    New {
        /// Name
        name: String,
        /// The period under review (2026-H2, 2026, FY2027…)
        #[arg(long)]
        period: String,
        /// Review template (TOML); default: the built-in default template
        #[arg(long)]
        template: Option<PathBuf>,
        /// Everyone in this team and its sub-teams
        #[arg(long, conflicts_with = "person")]
        team: Option<String>,
        /// A participant (repeatable)
        #[arg(long)]
        person: Vec<String>,
        /// When self reviews are due
        #[arg(long)]
        self_due: Option<String>,
        /// When manager reviews are due
        #[arg(long)]
        manager_due: Option<String>,
    },
    /// List cycles
    #[command(visible_alias = "ls")]
    List,
    /// Show a cycle: template, participants, state history
    Show {
        /// Cycle name or id
        cycle: String,
    },
    /// Open a draft cycle for reviews
    Open {
        /// Cycle name or id
        cycle: String,
        /// Move on even if something is missing (logged)
        #[arg(long)]
        force: bool,
    },
    /// Close reviews and start calibration (needs every self and manager review)
    Calibrate {
        /// Cycle name or id
        cycle: String,
        /// Move on despite missing reviews (logged)
        #[arg(long)]
        force: bool,
    },
    /// Finalize: store the scores; the cycle becomes read-only
    Finalize {
        /// Cycle name or id
        cycle: String,
        /// Move on despite missing reviews (logged)
        #[arg(long)]
        force: bool,
    },
    /// Reopen a finalized cycle for calibration
    Reopen {
        /// Cycle name or id
        cycle: String,
        /// Why (recorded)
        #[arg(long, allow_hyphen_values = true)]
        reason: String,
    },
}

#[derive(Debug, Args)]
pub struct ReviewArgs {
    /// Cycle name or id
    cycle: String,
    /// Subject's handle
    subject: String,
    /// self, manager, peer or upward
    #[arg(long)]
    kind: String,
    /// ITEM=LEVEL (repeatable): a goal key or competency key and a level value or label
    #[arg(long = "rate", value_name = "ITEM=LEVEL")]
    rate: Vec<String>,
    /// ITEM=TEXT (repeatable): a comment on an item
    #[arg(long = "comment", value_name = "ITEM=TEXT", allow_hyphen_values = true)]
    comment: Vec<String>,
    /// The overall comment
    #[arg(long, allow_hyphen_values = true)]
    summary: Option<String>,
    /// Submit the review (otherwise it is saved as a draft)
    #[arg(long)]
    submit: bool,
}

impl AppraiseCmd {
    pub fn name(&self) -> String {
        match self {
            AppraiseCmd::Cycle(c) => format!(
                "cycle {}",
                match c {
                    CycleCmd::New { .. } => "new",
                    CycleCmd::List => "list",
                    CycleCmd::Show { .. } => "show",
                    CycleCmd::Open { .. } => "open",
                    CycleCmd::Calibrate { .. } => "calibrate",
                    CycleCmd::Finalize { .. } => "finalize",
                    CycleCmd::Reopen { .. } => "reopen",
                }
            ),
            AppraiseCmd::Review(_) => "review".into(),
            AppraiseCmd::Peers { .. } => "peers".into(),
            AppraiseCmd::Calibrate { .. } => "calibrate".into(),
            AppraiseCmd::Outcome { .. } => "outcome".into(),
            AppraiseCmd::Ack { .. } => "ack".into(),
            AppraiseCmd::Status { .. } => "status".into(),
            AppraiseCmd::Show { .. } => "show".into(),
        }
    }
}

fn load_template(store: &Store, cycle: &Cycle) -> Result<Template> {
    let source = sa::template_source(store.conn(), cycle.template_id)?;
    template::parse(&source, &format!("template of cycle {}", cycle.name))
}

fn participant(
    store: &Store,
    cycle: &Cycle,
    handle: &str,
) -> Result<crate::store::appraise::Participant> {
    org::person_id(store.conn(), handle)?;
    sa::participants(store.conn(), cycle.id)?
        .into_iter()
        .find(|p| p.handle == handle)
        .ok_or_else(|| {
            Error::failed(format!(
                "{handle} is not a participant of cycle {}",
                cycle.name
            ))
        })
}

pub fn run(ctx: &mut Ctx, cmd: AppraiseCmd) -> Result<()> {
    match cmd {
        AppraiseCmd::Cycle(c) => cycle(ctx, c),
        AppraiseCmd::Review(a) => review(ctx, a),
        AppraiseCmd::Peers {
            cycle,
            subject,
            add,
        } => {
            let mut store = ctx.open_write()?;
            let c = sa::get_cycle(store.conn(), &cycle)?;
            check_action(&c, CycleAction::Nominate)?;
            let p = participant(&store, &c, &subject)?;
            let mut plan = Vec::new();
            for h in &add {
                let reviewer = org::get_person(store.conn(), h)?;
                let kind = nomination_kind(
                    &p.handle,
                    p.manager.as_deref(),
                    &reviewer.handle,
                    reviewer.manager.as_deref(),
                )?;
                plan.push((reviewer.id, h.clone(), kind));
            }
            let now = ctx.now();
            let w = store.write(&ctx.op(&store)?, |tx| {
                for (id, _, kind) in &plan {
                    sa::ensure_review(tx, &now, c.id, p.person_id, *id, *kind)?;
                }
                let names: Vec<String> =
                    plan.iter().map(|(_, h, k)| format!("{h} ({k})")).collect();
                tx.set_summary(format!(
                    "nominated {} for {subject} in {}",
                    names.join(", "),
                    c.name
                ));
                Ok(())
            })?;
            ctx.ui.note(if w.changed {
                format!("Nominated {} reviewer(s) for {subject}.", plan.len())
            } else {
                "Already nominated.".into()
            });
            Ok(())
        }
        AppraiseCmd::Calibrate {
            cycle,
            subject,
            level,
            reason,
        } => {
            let mut store = ctx.open_write()?;
            let c = sa::get_cycle(store.conn(), &cycle)?;
            check_action(&c, CycleAction::Calibrate)?;
            let t = load_template(&store, &c)?;
            let value = t
                .scale
                .parse_rating(&level)
                .map_err(|e| e.context("--level"))?;
            crate::domain::names::validate_text("--reason", &reason, 2000)?;
            let p = participant(&store, &c, &subject)?;
            let now = ctx.now();
            store.write(&ctx.op(&store)?, |tx| {
                sa::calibrate(tx, &now, c.id, p.person_id, value, reason.trim())?;
                tx.set_summary(format!("calibrated {subject} to {value} in {}", c.name));
                Ok(())
            })?;
            ctx.ui.note(format!(
                "Calibrated {subject} to {} ({value}).",
                t.scale.label(value).unwrap_or("?")
            ));
            Ok(())
        }
        AppraiseCmd::Outcome {
            cycle,
            subject,
            potential,
            recommend,
            action,
            due,
        } => {
            let mut store = ctx.open_write()?;
            let c = sa::get_cycle(store.conn(), &cycle)?;
            check_action(&c, CycleAction::RecordOutcome)?;
            let p = participant(&store, &c, &subject)?;
            let check =
                |flag: &str, v: &Option<String>, allowed: &[&str]| -> Result<Option<String>> {
                    match v {
                        None => Ok(None),
                        Some(x) if allowed.contains(&x.as_str()) => Ok(Some(x.clone())),
                        Some(x) => Err(Error::invalid(format!(
                            "{flag} '{x}' is not one of: {}",
                            allowed.join(", ")
                        ))),
                    }
                };
            let potential = check("--potential", &potential, &POTENTIALS)?;
            let recommend = check("--recommend", &recommend, &RECOMMENDATIONS)?;
            let due = match due {
                Some(d) => Some(
                    crate::time::parse_date_end(&d, &ctx.clock).map_err(|e| e.context("--due"))?,
                ),
                None => None,
            };
            if due.is_some() && action.is_empty() {
                return Err(Error::invalid("--due goes with --action")
                    .with_hint("pass --action TEXT --due DATE"));
            }
            if potential.is_none() && recommend.is_none() && action.is_empty() {
                return Err(Error::invalid("nothing to record")
                    .with_hint("pass --potential, --recommend or --action"));
            }
            let now = ctx.now();
            store.write(&ctx.op(&store)?, |tx| {
                sa::set_outcome(
                    tx,
                    &now,
                    c.id,
                    p.person_id,
                    potential.as_deref(),
                    recommend.as_deref(),
                )?;
                for a in &action {
                    sa::add_action(tx, &now, c.id, p.person_id, a, due)?;
                }
                tx.set_summary(format!("recorded the outcome of {subject} in {}", c.name));
                Ok(())
            })?;
            ctx.ui.note(format!("Recorded the outcome for {subject}."));
            Ok(())
        }
        AppraiseCmd::Ack { cycle } => {
            let mut store = ctx.open_write()?;
            let c = sa::get_cycle(store.conn(), &cycle)?;
            let Some(me) = ctx.actor(&store)? else {
                return Err(Error::invalid("who is acknowledging?")
                    .with_hint("pass --as HANDLE (the subject)"));
            };
            let p = participant(&store, &c, &me)?;
            check_action(&c, CycleAction::Acknowledge)?;
            let now = ctx.now();
            let w = store.write(&ctx.op(&store)?, |tx| {
                sa::acknowledge(tx, &now, c.id, p.person_id)?;
                tx.set_summary(format!("{me} acknowledged their outcome in {}", c.name));
                Ok(())
            })?;
            ctx.ui.note(if w.changed {
                format!("{me} acknowledged the outcome of {}.", c.name)
            } else {
                "Already acknowledged.".into()
            });
            Ok(())
        }
        AppraiseCmd::Status { cycle } => {
            let store = ctx.open_read()?;
            let c = sa::get_cycle(store.conn(), &cycle)?;
            let t = load_template(&store, &c)?;
            let states = cycle_states(store.conn(), &c, &t, &ctx.pace())?;
            ctx.emit(&views::status(&c, &t, &states))
        }
        AppraiseCmd::Show { cycle, subject } => {
            let store = ctx.open_read()?;
            let c = sa::get_cycle(store.conn(), &cycle)?;
            let t = load_template(&store, &c)?;
            participant(&store, &c, &subject)?;
            let states = cycle_states(store.conn(), &c, &t, &ctx.pace())?;
            let Some(mut s) = states.into_iter().find(|s| s.person.handle == subject) else {
                return Err(Error::not_found("participant", &subject));
            };
            let viewer = ctx.acting.as_ref().map(|(h, _)| h.clone());
            let hidden = hide_reviews(&mut s, viewer.as_deref(), &t);
            for h in &hidden {
                ctx.ui.note(h);
            }
            ctx.emit(&views::subject(&c, &t, &s))
        }
    }
}

/// Apply the visibility rules for a viewer: self and manager reviews stay
/// hidden from each other until both are submitted; peer reviews are shown
/// only as an average (never with names), and only from the anonymity
/// threshold on. Returns notes on what was hidden.
fn hide_reviews(s: &mut SubjectState, viewer: Option<&str>, t: &Template) -> Vec<String> {
    let mut notes = Vec::new();
    let both = s.self_submitted() && s.manager_submitted();
    if let Some(v) = viewer {
        let is_subject = v == s.person.handle;
        let is_manager = s.person.manager.as_deref() == Some(v);
        if !both && (is_subject || is_manager) {
            let hide = if is_subject {
                ReviewKind::Manager
            } else {
                ReviewKind::SelfReview
            };
            let before = s.reviews.len();
            s.reviews.retain(|r| r.kind != hide);
            if s.reviews.len() < before {
                notes.push(format!("The {hide} review is hidden until both the self and the manager review are submitted."));
            }
        }
    }
    let peers = s.reviews.iter().filter(|r| is_anonymous(r.kind)).count();
    s.reviews.retain(|r| !is_anonymous(r.kind));
    if peers > 0 {
        notes.push(format!(
            "Peer and upward reviews are shown only as an average, and only when at least {} were submitted.",
            t.anonymity_threshold
        ));
    }
    notes
}

fn cycle(ctx: &mut Ctx, cmd: CycleCmd) -> Result<()> {
    match cmd {
        CycleCmd::New {
            name,
            period,
            template: tpl,
            team,
            person,
            self_due,
            manager_due,
        } => {
            let (source, file) = match &tpl {
                Some(path) => {
                    let bytes = std::fs::read(path).map_err(|e| {
                        Error::invalid(format!("cannot read template {}: {e}", path.display()))
                    })?;
                    let text = String::from_utf8(bytes).map_err(|_| {
                        Error::invalid(format!("{} is not valid UTF-8 text", path.display()))
                    })?;
                    (text, path.display().to_string())
                }
                None => (
                    template::DEFAULT.to_string(),
                    "the default template".to_string(),
                ),
            };
            let t = template::parse(&source, &file)?;
            let mut store = ctx.open_write()?;
            let (pname, start, end) = super::plan::resolve_period(&store, ctx, &period)?;
            let mut ids = Vec::new();
            match &team {
                Some(tm) => {
                    for p in org::list_people(store.conn(), Some(tm), false)? {
                        ids.push(p.id);
                    }
                }
                None => {
                    for h in &person {
                        ids.push(org::person_id(store.conn(), h)?);
                    }
                }
            }
            if ids.is_empty() {
                return Err(Error::invalid("a cycle needs participants")
                    .with_hint("pass --team TEAM or --person HANDLE (repeatable)"));
            }
            let date = |flag: &str, v: &Option<String>| -> Result<Option<chrono::NaiveDate>> {
                v.as_deref()
                    .map(|d| {
                        crate::time::parse_date_end(d, &ctx.clock).map_err(|e| e.context(flag))
                    })
                    .transpose()
            };
            let new = NewCycle {
                name: name.clone(),
                period: pname,
                start,
                end,
                template_id: 0,
                self_due: date("--self-due", &self_due)?,
                manager_due: date("--manager-due", &manager_due)?,
                participants: ids,
            };
            let now = ctx.now();
            let w = store.write(&ctx.op(&store)?, |tx| {
                let tid = sa::add_template(tx, &now, &t.name, &source)?;
                let c = sa::create_cycle(
                    tx,
                    &now,
                    &NewCycle {
                        template_id: tid,
                        ..new.clone()
                    },
                )?;
                tx.set_summary(format!(
                    "created cycle {} for {} ({} people)",
                    c.name,
                    c.period,
                    new.participants.len()
                ));
                Ok(c)
            })?;
            ctx.ui.note(format!(
                "Created cycle {} (draft) for {} with {} participant(s), template \"{}\". Open it with `yardstick appraise cycle open {}`.",
                w.value.name,
                w.value.period,
                new.participants.len(),
                t.name,
                shell_word(&w.value.name)
            ));
            Ok(())
        }
        CycleCmd::List => {
            let store = ctx.open_read()?;
            let cycles = sa::list_cycles(store.conn())?;
            let mut rows = Vec::new();
            for c in cycles {
                let n = sa::participants(store.conn(), c.id)?.len();
                rows.push((c, n));
            }
            ctx.emit(&views::cycles(&rows))
        }
        CycleCmd::Show { cycle } => {
            let store = ctx.open_read()?;
            let c = sa::get_cycle(store.conn(), &cycle)?;
            let t = load_template(&store, &c)?;
            let people = sa::participants(store.conn(), c.id)?;
            let events = sa::events(store.conn(), c.id)?;
            ctx.emit(&views::cycle(&c, &t, &people, &events))
        }
        CycleCmd::Open { cycle, force } => transition(ctx, &cycle, CycleStep::Open, force, None),
        CycleCmd::Calibrate { cycle, force } => {
            transition(ctx, &cycle, CycleStep::Calibrate, force, None)
        }
        CycleCmd::Finalize { cycle, force } => {
            transition(ctx, &cycle, CycleStep::Finalize, force, None)
        }
        CycleCmd::Reopen { cycle, reason } => {
            transition(ctx, &cycle, CycleStep::Reopen, false, Some(reason))
        }
    }
}

fn transition(
    ctx: &mut Ctx,
    reference: &str,
    step: CycleStep,
    force: bool,
    reason: Option<String>,
) -> Result<()> {
    let mut store = ctx.open_write()?;
    let c = sa::get_cycle(store.conn(), reference)?;
    check_step(&c, step)?;
    if let Some(r) = &reason {
        crate::domain::names::validate_text("--reason", r, 2000)?;
    }
    let t = load_template(&store, &c)?;
    let states = cycle_states(store.conn(), &c, &t, &ctx.pace())?;
    if states.is_empty() {
        return Err(Error::failed(format!(
            "cycle {} has no participants",
            c.name
        )));
    }
    let missing: Vec<String> = if step.waits_for_reviews() {
        states
            .iter()
            .flat_map(|s| {
                missing_reviews(
                    &s.person.handle,
                    s.person.manager.is_some(),
                    s.self_review,
                    s.manager_review,
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    let (from, to) = (step.from(), step.to());
    if !missing.is_empty() && !force {
        return Err(Error::failed(format!(
            "cycle {} cannot move to {to}: {} review(s) missing — {}",
            c.name,
            missing.len(),
            missing.join("; ")
        ))
        .with_hint("collect them (`yardstick appraise status CYCLE`), or pass --force to move on anyway (logged)"));
    }
    let forced = force && !missing.is_empty();
    let now = ctx.now();
    let meta = ctx.op(&store)?;
    let actor = meta.actor.clone();
    let reopening = step == CycleStep::Reopen;
    store.write(&meta, |tx| {
        let store_scores = |tx: &rusqlite::Connection| -> Result<()> {
            for s in &states {
                sa::set_computed(
                    tx,
                    &now,
                    c.id,
                    s.person.person_id,
                    s.appraisal.score,
                    s.appraisal.level,
                )?;
            }
            Ok(())
        };
        if step.stores_scores() && !step.stores_after_move() {
            store_scores(tx)?;
        }
        sa::set_state(tx, &now, &c, to, reopening)?;
        if step.stores_scores() && step.stores_after_move() {
            store_scores(tx)?;
        }
        sa::add_event(tx, &now, c.id, &actor, from, to, forced, reason.as_deref())?;
        tx.set_summary(format!(
            "cycle {}: {from} → {to}{}",
            c.name,
            if forced {
                format!(" (forced past {} missing review(s))", missing.len())
            } else {
                String::new()
            }
        ));
        Ok(())
    })?;
    if forced {
        ctx.ui.warn(format!(
            "moved on despite {} missing review(s); recorded in the cycle's history",
            missing.len()
        ));
    }
    ctx.ui.note(format!("Cycle {} is now {to}.", c.name));
    Ok(())
}

fn split_pair<'a>(flag: &str, s: &'a str) -> Result<(&'a str, &'a str)> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim(), v.trim())),
        _ => Err(Error::invalid(format!("{flag} '{s}' is not ITEM=VALUE"))
            .with_hint(format!("e.g. {flag} collaboration=4"))),
    }
}

fn review(ctx: &mut Ctx, a: ReviewArgs) -> Result<()> {
    let kind = parse_review_kind(&a.kind)?;
    let mut store = ctx.open_write()?;
    let c = sa::get_cycle(store.conn(), &a.cycle)?;
    check_action(&c, CycleAction::WriteReview)?;
    let t = load_template(&store, &c)?;
    let subject = participant(&store, &c, &a.subject)?;
    let actor = ctx.actor(&store)?;
    let reviewer = reviewer_of(
        kind,
        &subject.handle,
        subject.manager.as_deref(),
        actor.as_deref(),
    )?;
    let reviewer_id = org::person_id(store.conn(), &reviewer)?;
    let existing = sa::find_review(store.conn(), c.id, subject.person_id, reviewer_id, kind)?;
    if is_anonymous(kind) && existing.is_none() {
        return Err(Error::failed(format!(
            "{reviewer} is not nominated to write a {kind} review of {}",
            subject.handle
        ))
        .with_hint(format!(
            "nominate with `yardstick appraise peers {} {} --add {reviewer}`",
            c.name, subject.handle
        )));
    }
    if existing.as_ref().is_some_and(counts) {
        return Err(Error::failed(format!(
            "the {kind} review of {} by {reviewer} is already submitted",
            subject.handle
        ))
        .with_hint("a submitted review cannot be changed"));
    }
    // The items: the subject's goals in the period and the template's competencies.
    let index = PlanIndex::load(store.conn(), &ctx.pace())?;
    let all = crate::store::plan::all_goals(store.conn())?;
    let goals = subject_goals(&index, &all, &c, &subject.handle);
    let mut items: Vec<(String, String)> = goals
        .iter()
        .map(|(g, _)| (g.key.clone(), g.title.clone()))
        .collect();
    items.extend(
        t.competencies
            .iter()
            .map(|k| (k.key.clone(), k.name.clone())),
    );
    let known = |item: &str| -> Result<()> {
        if items.iter().any(|(k, _)| k == item) {
            Ok(())
        } else {
            let keys: Vec<&str> = items.iter().map(|(k, _)| k.as_str()).collect();
            Err(
                Error::invalid(format!("'{item}' is not an item of this review"))
                    .with_hint(format!("items: {}", keys.join(", "))),
            )
        }
    };
    let mut ratings: Vec<(String, Option<f64>, Option<String>)> = Vec::new();
    for r in &a.rate {
        let (item, level) = split_pair("--rate", r)?;
        known(item)?;
        let v = t
            .scale
            .parse_rating(level)
            .map_err(|e| e.context(format!("--rate {item}")))?;
        ratings.push((item.to_string(), Some(v), None));
    }
    for r in &a.comment {
        let (item, text) = split_pair("--comment", r)?;
        known(item)?;
        crate::domain::names::validate_text("comment", text, 10_000)?;
        match ratings.iter_mut().find(|(i, _, _)| i == item) {
            Some(x) => x.2 = Some(text.to_string()),
            None => ratings.push((item.to_string(), None, Some(text.to_string()))),
        }
    }
    let mut summary = a.summary.clone();
    let mut submit = a.submit;
    if a.rate.is_empty()
        && a.comment.is_empty()
        && a.summary.is_none()
        && !(a.submit && existing.is_some())
    {
        if !ctx.ui.can_prompt() {
            return Err(Error::invalid("nothing to record in the review")
                .with_hint("pass --rate ITEM=LEVEL (repeatable), --comment ITEM=TEXT, --summary TEXT; on a terminal you are asked for each item"));
        }
        let labels: Vec<String> = t
            .scale
            .levels
            .iter()
            .map(|l| format!("{} — {}", l.value, l.label))
            .collect();
        for (key, title) in &items {
            let mut choices = labels.clone();
            choices.push("skip".into());
            let pick = prompt::select(&format!("{title} ({key})"), &choices, choices.len() - 1)?;
            if pick >= t.scale.levels.len() {
                continue;
            }
            let value = t.scale.levels[pick].value;
            let comment = prompt::optional_text("comment (empty for none)")?;
            ratings.push((key.clone(), Some(value), comment));
        }
        summary = prompt::optional_text("overall comment (empty for none)")?;
        submit = prompt::confirm("Submit the review now? (no saves a draft)")?;
    }
    if submit {
        let rated: usize = ratings.iter().filter(|r| r.1.is_some()).count()
            + existing.as_ref().map_or(0, |r| {
                r.ratings.iter().filter(|x| x.value.is_some()).count()
            });
        if rated == 0 {
            return Err(
                Error::invalid("a review needs at least one rating to be submitted")
                    .with_hint("pass --rate ITEM=LEVEL"),
            );
        }
    }
    let now = ctx.now();
    let subject_id = subject.person_id;
    let w = store.write(&ctx.op(&store)?, |tx| {
        // Checked again inside the transaction: another process may have
        // moved the cycle on or submitted this review since we looked.
        let fresh = sa::get_cycle(tx, &c.name)?;
        check_action(&fresh, CycleAction::WriteReview)?;
        let r = sa::ensure_review(tx, &now, c.id, subject_id, reviewer_id, kind)?;
        sa::ensure_pending(tx, r.id)
            .map_err(|e| e.context(format!("the {kind} review of {}", subject.handle)))?;
        for (item, value, comment) in &ratings {
            sa::set_rating(tx, &now, r.id, item, *value, comment.as_deref())?;
        }
        if let Some(s) = &summary {
            crate::domain::names::validate_text("--summary", s, 10_000)?;
            sa::set_summary(tx, &now, r.id, s.trim())?;
        }
        if submit {
            sa::submit(tx, &now, r.id)?;
        }
        tx.set_summary(format!(
            "{} {kind} review of {} by {reviewer} in {}",
            if submit { "submitted" } else { "saved" },
            subject.handle,
            c.name
        ));
        Ok(())
    })?;
    ctx.ui.note(if !w.changed {
        "Nothing changed in the review.".to_string()
    } else if submit {
        format!("Submitted the {kind} review of {}.", subject.handle)
    } else {
        format!(
            "Saved the {kind} review of {} as a draft; add --submit when it is complete.",
            subject.handle
        )
    });
    Ok(())
}

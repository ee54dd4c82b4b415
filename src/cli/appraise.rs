//! `appraise`: review cycles (draft → open → calibrating → finalized),
//! reviews with ratings, peer nominations, calibration, outcomes and
//! acknowledgement.

use super::ctx::Ctx;
use super::prompt;
use super::views::appraise as views;
use crate::app::appraise::{self, NewCycleInput, OutcomeInput, ReviewContext};
use crate::domain::cycle::{CycleStep, parse_review_kind};
use crate::domain::names::shell_word;
use crate::error::{Error, Result};
use crate::formats::template;
use crate::store::WriteScope;
use clap::{Args, Subcommand};
use std::path::PathBuf;

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
    #[command(
        after_help = "Examples:\n  yardstick --as bob appraise outcome 2026-H2 alice --potential high --recommend promotion --action \"Lead the design review\" --due 2027-03-31\n  \
yardstick --as sam appraise outcome 2026-H2 raj --recommend improvement-plan --pip 3\n\n\
--recommend improvement-plan points at the plan it opens: start the plan first (`yardstick pip start`), then pass its number with --pip."
    )]
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
        /// The improvement plan a recommendation of one opens (its number; see `pip start`)
        #[arg(long, value_name = "N")]
        pip: Option<String>,
    },
    /// Development actions: add, list, mark done or dropped (also once the cycle is finalized)
    #[command(subcommand)]
    Action(super::actions::ActionCmd),
    /// Acknowledge your outcome (as the subject, with --as), optionally in your own words
    #[command(
        after_help = "Examples:\n  yardstick --as alice appraise ack 2026-H2\n  yardstick --as alice appraise ack 2026-H2 --comment \"I disagree with the rating of collaboration\"\n\n\
Reopening the cycle voids the acknowledgement (the history keeps it); acknowledge again after the next finalize."
    )]
    Ack {
        /// Cycle name or id
        cycle: String,
        /// Your comment on the outcome (e.g. where you disagree)
        #[arg(long, allow_hyphen_values = true)]
        comment: Option<String>,
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
    /// Why a person's score and level are what they are: the rule, each term with its value and effective weight, the formula with numbers, rounding steps, the summary rule
    Explain {
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
            AppraiseCmd::Action(c) => format!("action {}", c.name()),
            AppraiseCmd::Ack { .. } => "ack".into(),
            AppraiseCmd::Status { .. } => "status".into(),
            AppraiseCmd::Show { .. } => "show".into(),
            AppraiseCmd::Explain { .. } => "explain".into(),
        }
    }
}

pub fn run(ctx: &mut Ctx, cmd: AppraiseCmd) -> Result<()> {
    match cmd {
        AppraiseCmd::Cycle(c) => cycle(ctx, c),
        AppraiseCmd::Review(a) => review(ctx, a),
        AppraiseCmd::Peers {
            cycle,
            subject,
            add,
        } => peers(ctx, &cycle, &subject, &add),
        AppraiseCmd::Calibrate {
            cycle,
            subject,
            level,
            reason,
        } => calibrate(ctx, &cycle, &subject, &level, &reason),
        AppraiseCmd::Outcome {
            cycle,
            subject,
            potential,
            recommend,
            action,
            due,
            pip,
        } => {
            let input = OutcomeInput {
                potential,
                recommend,
                actions: action,
                due,
                pip,
            };
            let mut store = ctx.open_write()?;
            let clock = ctx.clock;
            ctx.write_as(&mut store, WriteScope::Any, |s, p| {
                appraise::outcome(s, &clock, p, &cycle, &subject, &input)
            })?;
            ctx.ui.note(format!("Recorded the outcome for {subject}."));
            Ok(())
        }
        AppraiseCmd::Action(c) => super::actions::run(ctx, c),
        AppraiseCmd::Ack { cycle, comment } => acknowledge(ctx, &cycle, comment.as_deref()),
        AppraiseCmd::Status { cycle } => {
            let store = ctx.open_read()?;
            let policy = ctx.policy(&store)?;
            let (c, t, states) = appraise::status(&*store.read(), &policy, &ctx.pace(), &cycle)?;
            ctx.emit(&views::status(&c, &t, &states))
        }
        AppraiseCmd::Explain { cycle, subject } => {
            let store = ctx.open_read()?;
            let policy = ctx.policy(&store)?;
            let (v, e) = appraise::explain(&*store.read(), &ctx.pace(), &cycle, &subject, &policy)?;
            if e.is_none() {
                ctx.ui.note(
                    "The score, level and components are shown to managers once reviews close, and to the subject once the cycle is finalized; so is their explanation.",
                );
            }
            ctx.emit(&views::explanation(
                &v.cycle,
                &v.template,
                &v.state,
                e.as_ref(),
            ))
        }
        AppraiseCmd::Show { cycle, subject } => {
            let store = ctx.open_read()?;
            let policy = ctx.policy(&store)?;
            let v = appraise::show(&*store.read(), &ctx.pace(), &cycle, &subject, &policy)?;
            for h in &v.notes {
                ctx.ui.note(h);
            }
            ctx.emit(&views::subject(
                &v.cycle,
                &v.template,
                &v.state,
                ctx.clock.today,
            ))
        }
    }
}

fn peers(ctx: &mut Ctx, cycle: &str, subject: &str, add: &[String]) -> Result<()> {
    let mut store = ctx.open_write()?;
    let now = ctx.now();
    let w = ctx.write_as(&mut store, WriteScope::Any, |s, p| {
        appraise::nominate(s, &now, p, cycle, subject, add)
    })?;
    ctx.ui.note(if w.changed {
        format!("Nominated {} reviewer(s) for {subject}.", w.value)
    } else {
        "Already nominated.".into()
    });
    Ok(())
}

fn calibrate(ctx: &mut Ctx, cycle: &str, subject: &str, level: &str, reason: &str) -> Result<()> {
    let mut store = ctx.open_write()?;
    let (now, pace) = (ctx.now(), ctx.pace());
    let w = ctx.write_as(&mut store, WriteScope::Any, |s, p| {
        appraise::calibrate(s, &now, &pace, p, cycle, subject, level, reason)
    })?;
    let (value, label) = w.value;
    ctx.ui
        .note(format!("Calibrated {subject} to {label} ({value})."));
    Ok(())
}

fn acknowledge(ctx: &mut Ctx, cycle: &str, comment: Option<&str>) -> Result<()> {
    let mut store = ctx.open_write()?;
    let now = ctx.now();
    let w = ctx.write_as(&mut store, WriteScope::Any, |s, p| {
        crate::app::followup::acknowledge(s, &now, p, cycle, comment)
    })?;
    let (me, name) = w.value;
    ctx.ui.note(if w.changed {
        format!("{me} acknowledged the outcome of {name}.")
    } else {
        "Already acknowledged.".into()
    });
    Ok(())
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
            let (source, file) = read_template(tpl.as_deref())?;
            let t = template::parse(&source, &file)?;
            let input = NewCycleInput {
                name,
                period,
                template: (&source, &t),
                team,
                people: person,
                self_due,
                manager_due,
            };
            let mut store = ctx.open_write()?;
            let clock = ctx.clock;
            let w = ctx.write_as(&mut store, WriteScope::Any, |s, p| {
                appraise::cycle_new(s, &clock, p, &input)
            })?;
            let (c, n) = w.value;
            ctx.ui.note(format!(
                "Created cycle {} (draft) for {} with {n} participant(s), template \"{}\". Open it with `yardstick appraise cycle open {}`.",
                c.name,
                c.period,
                t.name,
                shell_word(&c.name)
            ));
            Ok(())
        }
        CycleCmd::List => {
            let store = ctx.open_read()?;
            ctx.emit(&views::cycles(&appraise::list_cycles(&*store.read())?))
        }
        CycleCmd::Show { cycle } => {
            let store = ctx.open_read()?;
            let (c, t, people, events) = appraise::cycle_view(&*store.read(), &cycle)?;
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

/// A template's source and a name for it in messages: the file given, or
/// the built-in default.
fn read_template(path: Option<&std::path::Path>) -> Result<(String, String)> {
    let Some(path) = path else {
        return Ok((
            template::DEFAULT.to_string(),
            "the default template".to_string(),
        ));
    };
    let bytes = std::fs::read(path)
        .map_err(|e| Error::invalid(format!("cannot read template {}: {e}", path.display())))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| Error::invalid(format!("{} is not valid UTF-8 text", path.display())))?;
    Ok((text, path.display().to_string()))
}

fn transition(
    ctx: &mut Ctx,
    cycle: &str,
    step: CycleStep,
    force: bool,
    reason: Option<String>,
) -> Result<()> {
    let mut store = ctx.open_write()?;
    let actor = ctx.op(&store)?.actor;
    let (clock, pace) = (ctx.clock, ctx.pace());
    let w = ctx.write_as(&mut store, WriteScope::Any, |s, p| {
        let input = appraise::MoveInput {
            cycle,
            step,
            force,
            reason: reason.as_deref(),
            actor: &actor,
        };
        appraise::move_cycle(s, &clock, &pace, p, input)
    })?;
    let m = w.value;
    if m.forced_past > 0 {
        ctx.ui.warn(format!(
            "moved on despite {} missing review(s); recorded in the cycle's history",
            m.forced_past
        ));
    }
    ctx.ui.note(format!("Cycle {} is now {}.", m.cycle, m.to));
    Ok(())
}

fn review(ctx: &mut Ctx, a: ReviewArgs) -> Result<()> {
    let kind = parse_review_kind(&a.kind)?;
    let mut store = ctx.open_write()?;
    let actor = ctx.actor(&store)?;
    let r = appraise::review_context(
        &*store.read(),
        &ctx.pace(),
        &actor,
        &a.cycle,
        &a.subject,
        kind,
    )?;
    let mut ratings = r.ratings(&a.rate, &a.comment)?;
    let mut summary = a.summary.clone();
    let mut submit = a.submit;
    if a.rate.is_empty()
        && a.comment.is_empty()
        && a.summary.is_none()
        && !(a.submit && r.existing.is_some())
    {
        if !ctx.ui.can_prompt() {
            return Err(Error::invalid("nothing to record in the review")
                .with_hint("pass --rate ITEM=LEVEL (repeatable), --comment ITEM=TEXT, --summary TEXT; on a terminal you are asked for each item"));
        }
        (ratings, summary, submit) = ask(&r)?;
    }
    if submit {
        r.check_submittable(&ratings)?;
    }
    let now = ctx.now();
    let w = ctx.write_as(&mut store, WriteScope::Any, |s, p| {
        appraise::write_review(s, &now, p, &r, &ratings, summary.as_deref(), submit)
    })?;
    let subject = &r.subject.handle;
    ctx.ui.note(if !w.changed {
        "Nothing changed in the review.".to_string()
    } else if submit {
        format!("Submitted the {kind} review of {subject}.")
    } else {
        format!(
            "Saved the {kind} review of {subject} as a draft; add --submit when it is complete."
        )
    });
    Ok(())
}

/// Ask for a level (and comment) per item, the overall comment, and
/// whether to submit.
fn ask(r: &ReviewContext) -> Result<(Vec<appraise::ItemRating>, Option<String>, bool)> {
    let levels = &r.template.scale.levels;
    let labels: Vec<String> = levels
        .iter()
        .map(|l| format!("{} — {}", l.value, l.label))
        .collect();
    let mut ratings = Vec::new();
    for (key, title) in &r.items {
        let mut choices = labels.clone();
        choices.push("skip".into());
        let pick = prompt::select(&format!("{title} ({key})"), &choices, choices.len() - 1)?;
        let Some(level) = levels.get(pick) else {
            continue;
        };
        let comment = prompt::optional_text("comment (empty for none)")?;
        ratings.push((key.clone(), Some(level.value), comment));
    }
    let summary = prompt::optional_text("overall comment (empty for none)")?;
    let submit = prompt::confirm("Submit the review now? (no saves a draft)")?;
    Ok((ratings, summary, submit))
}

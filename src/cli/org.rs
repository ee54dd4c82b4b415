//! `people`, `team` and `period`: the organisation.

use super::clearable;
use super::ctx::Ctx;
use super::views::org as views;
use crate::app::org::{self, PersonPatch, TeamPatch};
use crate::app::plan;
use crate::domain::goal::{PeriodRow, refuse_builtin};
use crate::error::{Error, Result};
use crate::store::WriteScope;
use crate::time::{parse_date, parse_date_end};
use clap::{Args, Subcommand};

#[derive(Debug, Subcommand)]
pub enum PeopleCmd {
    /// Add a person
    #[command(
        after_help = "Example:\n  yardstick people add alice --name \"Alice Moreau\" --title \"Engineer\" --manager bob --team platform"
    )]
    Add {
        /// Handle: a lowercase name users type (alice)
        handle: String,
        #[command(flatten)]
        fields: PersonFields,
    },
    /// List people (active ones unless --all)
    #[command(visible_alias = "ls")]
    List {
        /// Only members of this team and its sub-teams
        #[arg(long)]
        team: Option<String>,
        /// Include inactive people
        #[arg(long)]
        all: bool,
    },
    /// Show one person, with their mission statement and reports
    Show {
        /// Handle
        handle: String,
    },
    /// Change a person (pass "none" to clear a field)
    Edit {
        /// Handle
        handle: String,
        #[command(flatten)]
        fields: PersonFields,
        /// Mark as active
        #[arg(long, conflicts_with = "inactive")]
        active: bool,
        /// Mark as inactive (kept in history, hidden from lists)
        #[arg(long)]
        inactive: bool,
        /// Days between expected check-ins for this person ("none" for the configured default)
        #[arg(long)]
        cadence: Option<String>,
        /// Make them an admin (admins only; see docs/security.md)
        #[arg(long, conflicts_with = "no_admin")]
        admin: bool,
        /// Make them no longer an admin (the file's `me` stays one)
        #[arg(long)]
        no_admin: bool,
    },
    /// Remove a person (refused while they own goals)
    Rm {
        /// Handle
        handle: String,
    },
}

impl PeopleCmd {
    pub fn name(&self) -> &'static str {
        match self {
            PeopleCmd::Add { .. } => "add",
            PeopleCmd::List { .. } => "list",
            PeopleCmd::Show { .. } => "show",
            PeopleCmd::Edit { .. } => "edit",
            PeopleCmd::Rm { .. } => "rm",
        }
    }
}

#[derive(Debug, Args)]
pub struct PersonFields {
    /// Full name
    #[arg(long)]
    name: Option<String>,
    /// E-mail address
    #[arg(long)]
    email: Option<String>,
    /// Job title
    #[arg(long)]
    title: Option<String>,
    /// Manager's handle
    #[arg(long)]
    manager: Option<String>,
    /// Team handle
    #[arg(long)]
    team: Option<String>,
    /// Job mission: why the job exists
    #[arg(long)]
    purpose: Option<String>,
    /// Job mission: who it serves
    #[arg(long)]
    customers: Option<String>,
    /// Job mission: what it produces
    #[arg(long)]
    product: Option<String>,
    /// Job mission: what it covers
    #[arg(long)]
    scope: Option<String>,
}

impl PersonFields {
    fn patch(self) -> PersonPatch {
        PersonPatch {
            name: self.name,
            email: clearable(self.email),
            title: clearable(self.title),
            manager: clearable(self.manager),
            team: clearable(self.team),
            active: None,
            admin: None,
            purpose: clearable(self.purpose),
            customers: clearable(self.customers),
            product: clearable(self.product),
            scope: clearable(self.scope),
            cadence_days: None,
        }
    }

    /// The patch of `people edit`: the fields, plus active/inactive and the cadence.
    fn edit_patch(
        self,
        active: bool,
        inactive: bool,
        cadence: Option<String>,
    ) -> Result<PersonPatch> {
        let mut patch = self.patch();
        patch.cadence_days = match clearable(cadence) {
            None => None,
            Some(None) => Some(None),
            Some(Some(d)) => Some(Some(d.trim().parse::<i64>().map_err(|_| {
                Error::invalid(format!(
                    "--cadence takes a whole number of days (got '{d}')"
                ))
            })?)),
        };
        if active {
            patch.active = Some(true);
        } else if inactive {
            patch.active = Some(false);
        }
        Ok(patch)
    }
}

#[derive(Debug, Subcommand)]
pub enum TeamCmd {
    /// Add a team
    #[command(
        after_help = "Example:\n  yardstick team add platform --name \"Platform\" --parent acme --lead bob"
    )]
    Add {
        /// Handle: a lowercase name users type (platform)
        handle: String,
        #[command(flatten)]
        fields: TeamFields,
    },
    /// List teams
    #[command(visible_alias = "ls")]
    List,
    /// Show a team with its members and sub-teams
    Show {
        /// Handle
        handle: String,
    },
    /// Change a team (pass "none" to clear the parent or lead)
    Edit {
        /// Handle
        handle: String,
        #[command(flatten)]
        fields: TeamFields,
    },
    /// Remove a team (refused while it has sub-teams or owns goals)
    Rm {
        /// Handle
        handle: String,
    },
    /// Show the team tree
    Tree,
}

impl TeamCmd {
    pub fn name(&self) -> &'static str {
        match self {
            TeamCmd::Add { .. } => "add",
            TeamCmd::List => "list",
            TeamCmd::Show { .. } => "show",
            TeamCmd::Edit { .. } => "edit",
            TeamCmd::Rm { .. } => "rm",
            TeamCmd::Tree => "tree",
        }
    }
}

#[derive(Debug, Args)]
pub struct TeamFields {
    /// Display name
    #[arg(long)]
    name: Option<String>,
    /// Parent team's handle
    #[arg(long)]
    parent: Option<String>,
    /// Lead's handle
    #[arg(long)]
    lead: Option<String>,
}

impl TeamFields {
    fn patch(self) -> TeamPatch {
        TeamPatch {
            name: self.name,
            parent: clearable(self.parent),
            lead: clearable(self.lead),
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum PeriodCmd {
    /// Add or change a custom period (e.g. a fiscal year)
    #[command(
        after_help = "Example:\n  yardstick period add FY2027 --start 2026-07-01 --end 2027-06-30"
    )]
    Add {
        /// Name (FY2027)
        name: String,
        /// First day (a date expression)
        #[arg(long)]
        start: String,
        /// Last day (a date expression)
        #[arg(long)]
        end: String,
    },
    /// List custom periods
    #[command(visible_alias = "ls")]
    List,
    /// Remove a custom period (refused while goals use it)
    Rm {
        /// Name
        name: String,
    },
}

impl PeriodCmd {
    pub fn name(&self) -> &'static str {
        match self {
            PeriodCmd::Add { .. } => "add",
            PeriodCmd::List => "list",
            PeriodCmd::Rm { .. } => "rm",
        }
    }
}

pub fn people(ctx: &mut Ctx, cmd: PeopleCmd) -> Result<()> {
    match cmd {
        PeopleCmd::Add { handle, fields } => add_person(ctx, &handle, fields),
        PeopleCmd::List { team, all } => {
            let store = ctx.open_read()?;
            let list = org::list_people(&*store.read(), team.as_deref(), all)?;
            ctx.emit(&views::people(&list))
        }
        PeopleCmd::Show { handle } => {
            let store = ctx.open_read()?;
            let (p, reports) = org::person_view(&*store.read(), &handle)?;
            ctx.emit(&views::person(&p, &reports))
        }
        PeopleCmd::Edit {
            handle,
            fields,
            active,
            inactive,
            cadence,
            admin,
            no_admin,
        } => {
            let mut patch = fields.edit_patch(active, inactive, cadence)?;
            patch.admin = (admin || no_admin).then_some(admin);
            let mut store = ctx.open_write()?;
            let now = ctx.now();
            let w = ctx.write_as(&mut store, WriteScope::Any, |s, p| {
                org::person_edit(s, &now, p, &handle, &patch)
            })?;
            ctx.ui.note(if w.changed {
                format!("Updated {handle}.")
            } else {
                format!("No changes to {handle}.")
            });
            ctx.emit_if_asked(&views::person(&w.value, &[]))
        }
        PeopleCmd::Rm { handle } => remove_person(ctx, &handle),
    }
}

fn add_person(ctx: &mut Ctx, handle: &str, fields: PersonFields) -> Result<()> {
    let mut patch = fields.patch();
    if patch.name.is_none() {
        patch.name = Some(ctx.required(None, "--name", &format!("Full name of {handle}"))?);
    }
    let mut store = ctx.open_write()?;
    let now = ctx.now();
    let w = ctx.write_as(&mut store, WriteScope::Any, |s, p| {
        org::person_add(s, &now, p, handle, &patch)
    })?;
    ctx.ui
        .note(format!("Added {} ({}).", w.value.handle, w.value.name));
    ctx.emit_if_asked(&views::person(&w.value, &[]))
}

fn remove_person(ctx: &mut Ctx, handle: &str) -> Result<()> {
    let mut store = ctx.open_write()?;
    let p = org::get_person(&*store.read(), handle)?;
    ctx.confirm_or_cancel(&format!("Remove {} ({})?", p.handle, p.name))?;
    ctx.write_as(&mut store, WriteScope::Any, |s, p| {
        org::person_remove(s, p, handle)
    })?;
    ctx.ui.note(format!(
        "Removed {handle}. `yardstick undo` brings them back."
    ));
    Ok(())
}

pub fn team(ctx: &mut Ctx, cmd: TeamCmd) -> Result<()> {
    match cmd {
        TeamCmd::Add { handle, fields } => {
            let mut patch = fields.patch();
            if patch.name.is_none() {
                patch.name =
                    Some(ctx.required(None, "--name", &format!("Name of team {handle}"))?);
            }
            let mut store = ctx.open_write()?;
            let now = ctx.now();
            let w = ctx.write_as(&mut store, WriteScope::Any, |s, p| {
                org::team_add(s, &now, p, &handle, &patch)
            })?;
            ctx.ui
                .note(format!("Added team {} ({}).", w.value.handle, w.value.name));
            ctx.emit_if_asked(&views::team(&w.value, &[], &[]))
        }
        TeamCmd::List => {
            let store = ctx.open_read()?;
            ctx.emit(&views::teams(&org::teams_with_sizes(&*store.read())?))
        }
        TeamCmd::Show { handle } => {
            let store = ctx.open_read()?;
            let (t, members, subs) = org::team_view(&*store.read(), &handle)?;
            ctx.emit(&views::team(&t, &members, &subs))
        }
        TeamCmd::Edit { handle, fields } => {
            let patch = fields.patch();
            let mut store = ctx.open_write()?;
            let now = ctx.now();
            let w = ctx.write_as(&mut store, WriteScope::Any, |s, p| {
                org::team_edit(s, &now, p, &handle, &patch)
            })?;
            ctx.ui.note(if w.changed {
                format!("Updated team {handle}.")
            } else {
                format!("No changes to team {handle}.")
            });
            ctx.emit_if_asked(&views::team(&w.value, &[], &[]))
        }
        TeamCmd::Rm { handle } => {
            let mut store = ctx.open_write()?;
            let t = org::get_team(&*store.read(), &handle)?;
            ctx.confirm_or_cancel(&format!("Remove team {} ({})?", t.handle, t.name))?;
            ctx.write_as(&mut store, WriteScope::Any, |s, p| {
                org::team_remove(s, p, &handle)
            })?;
            ctx.ui.note(format!(
                "Removed team {handle}. `yardstick undo` brings it back."
            ));
            Ok(())
        }
        TeamCmd::Tree => {
            let store = ctx.open_read()?;
            ctx.emit(&views::team_tree(&org::team_tree(&*store.read())?))
        }
    }
}

pub fn period(ctx: &mut Ctx, cmd: PeriodCmd) -> Result<()> {
    match cmd {
        PeriodCmd::Add { name, start, end } => {
            let p = PeriodRow {
                name: name.clone(),
                start: parse_date(&start, &ctx.clock).map_err(|e| e.context("--start"))?,
                end: parse_date_end(&end, &ctx.clock).map_err(|e| e.context("--end"))?,
            };
            refuse_builtin(&name, ctx.clock.week_start)?;
            let mut store = ctx.open_write()?;
            let now = ctx.now();
            let week_start = ctx.clock.week_start;
            let w = ctx.write_as(&mut store, WriteScope::Any, |s, pol| {
                plan::period_set(s, &now, pol, week_start, &p)
            })?;
            ctx.ui.note(if w.changed {
                format!("Period {name}: {} – {}.", p.start, p.end)
            } else {
                format!("Period {name} unchanged.")
            });
            Ok(())
        }
        PeriodCmd::List => {
            let store = ctx.open_read()?;
            ctx.emit(&views::periods(&store.read().list_periods()?))
        }
        PeriodCmd::Rm { name } => {
            let mut store = ctx.open_write()?;
            ctx.write_as(&mut store, WriteScope::Any, |s, pol| {
                plan::period_remove(s, pol, &name)
            })?;
            ctx.ui.note(format!("Removed period {name}."));
            Ok(())
        }
    }
}

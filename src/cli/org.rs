//! `people`, `team` and `period`: the organisation.

use super::clearable;
use super::ctx::Ctx;
use crate::error::{Error, Result};
use crate::render::views;
use crate::store::org::{self, PersonPatch, TeamPatch};
use crate::store::plan::{self as splan, PeriodRow};
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
            purpose: clearable(self.purpose),
            customers: clearable(self.customers),
            product: clearable(self.product),
            scope: clearable(self.scope),
            cadence_days: None,
        }
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
        PeopleCmd::Add { handle, fields } => {
            let mut patch = fields.patch();
            if patch.name.is_none() {
                patch.name =
                    Some(ctx.required(None, "--name", &format!("Full name of {handle}"))?);
            }
            let mut store = ctx.open_write()?;
            let now = ctx.now();
            let w = store.write(&ctx.op(&store)?, |tx| {
                let p = org::add_person(tx, &now, &handle, &patch)?;
                tx.set_summary(format!("added person {handle}"));
                Ok(p)
            })?;
            ctx.ui
                .note(format!("Added {} ({}).", w.value.handle, w.value.name));
            ctx.emit_if_asked(&views::person(&w.value, &[]))
        }
        PeopleCmd::List { team, all } => {
            let store = ctx.open_read()?;
            let list = org::list_people(store.conn(), team.as_deref(), all)?;
            ctx.emit(&views::people(&list))
        }
        PeopleCmd::Show { handle } => {
            let store = ctx.open_read()?;
            let p = org::get_person(store.conn(), &handle)?;
            let reports: Vec<_> = org::list_people(store.conn(), None, true)?
                .into_iter()
                .filter(|r| r.manager.as_deref() == Some(handle.as_str()))
                .collect();
            ctx.emit(&views::person(&p, &reports))
        }
        PeopleCmd::Edit {
            handle,
            fields,
            active,
            inactive,
            cadence,
        } => {
            let mut patch = fields.patch();
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
            let mut store = ctx.open_write()?;
            let now = ctx.now();
            let w = store.write(&ctx.op(&store)?, |tx| {
                let (p, changed) = org::edit_person(tx, &now, &handle, &patch)?;
                if changed {
                    tx.set_summary(format!("edited person {handle}"));
                }
                Ok(p)
            })?;
            ctx.ui.note(if w.changed {
                format!("Updated {handle}.")
            } else {
                format!("No changes to {handle}.")
            });
            ctx.emit_if_asked(&views::person(&w.value, &[]))
        }
        PeopleCmd::Rm { handle } => {
            let mut store = ctx.open_write()?;
            let p = org::get_person(store.conn(), &handle)?;
            if !ctx.confirm(&format!("Remove {} ({})?", p.handle, p.name))? {
                return Err(Error::failed("cancelled; nothing was changed"));
            }
            store.write(&ctx.op(&store)?, |tx| {
                org::remove_person(tx, &handle)?;
                tx.set_summary(format!("removed person {handle}"));
                Ok(())
            })?;
            ctx.ui.note(format!(
                "Removed {handle}. `yardstick undo` brings them back."
            ));
            Ok(())
        }
    }
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
            let w = store.write(&ctx.op(&store)?, |tx| {
                let t = org::add_team(tx, &now, &handle, &patch)?;
                tx.set_summary(format!("added team {handle}"));
                Ok(t)
            })?;
            ctx.ui
                .note(format!("Added team {} ({}).", w.value.handle, w.value.name));
            ctx.emit_if_asked(&views::team(&w.value, &[], &[]))
        }
        TeamCmd::List => {
            let store = ctx.open_read()?;
            let teams = org::list_teams(store.conn())?;
            let mut rows = Vec::with_capacity(teams.len());
            for t in teams {
                let n = org::team_size(store.conn(), t.id)?;
                rows.push((t, n));
            }
            ctx.emit(&views::teams(&rows))
        }
        TeamCmd::Show { handle } => {
            let store = ctx.open_read()?;
            let t = org::get_team(store.conn(), &handle)?;
            let members: Vec<_> = org::list_people(store.conn(), None, false)?
                .into_iter()
                .filter(|p| p.team.as_deref() == Some(handle.as_str()))
                .collect();
            let subs: Vec<_> = org::list_teams(store.conn())?
                .into_iter()
                .filter(|s| s.parent.as_deref() == Some(handle.as_str()))
                .collect();
            ctx.emit(&views::team(&t, &members, &subs))
        }
        TeamCmd::Edit { handle, fields } => {
            let patch = fields.patch();
            let mut store = ctx.open_write()?;
            let now = ctx.now();
            let w = store.write(&ctx.op(&store)?, |tx| {
                let (t, changed) = org::edit_team(tx, &now, &handle, &patch)?;
                if changed {
                    tx.set_summary(format!("edited team {handle}"));
                }
                Ok(t)
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
            let t = org::get_team(store.conn(), &handle)?;
            if !ctx.confirm(&format!("Remove team {} ({})?", t.handle, t.name))? {
                return Err(Error::failed("cancelled; nothing was changed"));
            }
            store.write(&ctx.op(&store)?, |tx| {
                org::remove_team(tx, &handle)?;
                tx.set_summary(format!("removed team {handle}"));
                Ok(())
            })?;
            ctx.ui.note(format!(
                "Removed team {handle}. `yardstick undo` brings it back."
            ));
            Ok(())
        }
        TeamCmd::Tree => {
            let store = ctx.open_read()?;
            let teams = org::list_teams(store.conn())?;
            let mut sizes = Vec::with_capacity(teams.len());
            for t in &teams {
                sizes.push(org::team_size(store.conn(), t.id)?);
            }
            let mut rows = Vec::new();
            let mut seen = vec![false; teams.len()];
            let mut stack: Vec<(usize, usize)> = teams
                .iter()
                .enumerate()
                .filter(|(_, t)| t.parent.is_none())
                .map(|(i, _)| (i, 0))
                .rev()
                .collect();
            while let Some((i, depth)) = stack.pop() {
                if std::mem::replace(&mut seen[i], true) {
                    continue;
                }
                rows.push((depth, &teams[i], sizes[i]));
                for (j, t) in teams.iter().enumerate().rev() {
                    if t.parent.as_deref() == Some(teams[i].handle.as_str()) {
                        stack.push((j, depth + 1));
                    }
                }
            }
            ctx.emit(&views::team_tree(&rows))
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
            if crate::time::parse_period(&name, ctx.clock.week_start)?.is_some() {
                return Err(Error::invalid(format!("{name} is a built-in period name"))
                    .with_hint("built-in periods (2026, 2026-H1, 2026-Q3, 2026-11, 2026-W47) need no declaration"));
            }
            let mut store = ctx.open_write()?;
            let now = ctx.now();
            let w = store.write(&ctx.op(&store)?, |tx| {
                let changed = splan::put_period(tx, &now, &p)?;
                tx.set_summary(format!("set period {name} {} – {}", p.start, p.end));
                Ok(changed)
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
            let rows = splan::list_periods(store.conn())?;
            let mut t = crate::render::Table::new(
                "periods",
                vec![
                    crate::render::Column::new("name", "Name"),
                    crate::render::Column::new("start", "Start"),
                    crate::render::Column::new("end", "End"),
                    crate::render::Column::new("days", "Days"),
                ],
            );
            for p in rows {
                t.push(vec![
                    p.name.as_str().into(),
                    p.start.into(),
                    p.end.into(),
                    (crate::time::days_between(p.start, p.end) + 1).into(),
                ]);
            }
            ctx.emit(&crate::render::Doc::table("periods", t).with_empty_message(
                "No custom periods. Built-in names (2026, 2026-H1, 2026-Q3, 2026-11, 2026-W47) need none.",
            ))
        }
        PeriodCmd::Rm { name } => {
            let mut store = ctx.open_write()?;
            store.write(&ctx.op(&store)?, |tx| {
                splan::remove_period(tx, &name)?;
                tx.set_summary(format!("removed period {name}"));
                Ok(())
            })?;
            ctx.ui.note(format!("Removed period {name}."));
            Ok(())
        }
    }
}

//! `init`, `demo`, `undo`, `log` and `config show`: the database as a whole.

use super::ctx::{Ctx, Source};
use super::views::org as views;
use crate::error::{Error, Result};
use crate::render::{Cell, Doc, Table};
use crate::store::{Missing, Store, WriteScope};
use clap::{Args, Subcommand};
use std::path::Path;

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Your handle ("me"): used when --as is not given
    #[arg(long)]
    me: Option<String>,
    /// Your full name (adds you as a person when --me is new)
    #[arg(long)]
    name: Option<String>,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// How many people in the organisation
    #[arg(long, default_value_t = 12, value_parser = clap::value_parser!(u32).range(3..=100_000))]
    pub people: u32,
    /// How many weeks of check-ins
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u32).range(0..=520))]
    pub weeks: u32,
    /// Random seed (same seed, same data)
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
}

#[derive(Debug, Args)]
pub struct LogArgs {
    /// At most this many operations
    #[arg(long, default_value_t = 50)]
    limit: usize,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCmd {
    /// Show each setting, its value and where it came from
    Show,
}

/// The "me" of an existing file and the handles of its people.
fn existing_people(ctx: &Ctx, path: &Path) -> Result<(Option<String>, Vec<String>)> {
    let store = Store::open_read(path, Missing::Refuse, ctx.busy_timeout)?;
    let s = store.read();
    let people = s
        .list_people(None, true)?
        .into_iter()
        .map(|p| p.handle)
        .collect();
    Ok((s.setting("me")?, people))
}

pub fn init(ctx: &mut Ctx, a: InitArgs) -> Result<()> {
    let path = ctx.db.0.clone();
    let server = crate::store::is_url(&path);
    let existed = if server {
        crate::store::server_initialised(&path)?
    } else {
        path.exists()
    };
    // Settle every answer before anything is created: a refused init writes nothing.
    let (me_set, known) = if existed {
        existing_people(ctx, &path)?
    } else {
        (None, Vec::new())
    };
    let mut me = a.me;
    if me.is_none() && ctx.ui.can_prompt() && me_set.is_none() {
        me = super::prompt::optional_text("Your handle (who \"me\" is; empty to skip)")?;
    }
    let name = match &me {
        Some(handle) => {
            crate::domain::names::validate_handle(handle).map_err(|e| e.context("--me"))?;
            if known.contains(handle) {
                None
            } else {
                let n = match a.name {
                    Some(n) => n,
                    None => ctx.required(None, "--name", "Your full name")?,
                };
                crate::domain::names::validate_text("--name", &n, crate::domain::names::max::NAME)?;
                Some(n)
            }
        }
        None => None,
    };
    let mut store = Store::open_write(&path, Missing::Create, ctx.busy_timeout)?;
    if let Some(handle) = &me {
        let now = ctx.now();
        let mut meta = ctx.op(&store)?;
        meta.actor = handle.clone();
        let actor = ctx.actor(&store)?;
        store.write(&meta, WriteScope::Any, |s| {
            let policy = crate::app::access::Policy::resolve(s, &actor)?;
            crate::app::admin::set_me(s, &now, &policy, handle, name.as_deref())
        })?;
    }
    if existed {
        ctx.ui.note(format!(
            "{} is already a yardstick database.",
            crate::store::shown(&path)
        ));
    } else if server {
        ctx.ui.note(format!(
            "Created the yardstick schema in {} (who may read it is the server's business: see README, Team server).",
            crate::store::shown(&path)
        ));
    } else {
        ctx.ui.note(format!(
            "Created {} (readable only by you).",
            path.display()
        ));
    }
    if let Some(h) = me {
        ctx.ui.note(format!("You are {h}."));
    }
    Ok(())
}

pub fn demo(ctx: &mut Ctx, a: DemoArgs) -> Result<()> {
    let path = demo_path(ctx)?;
    let mut store = Store::open_write(&path, Missing::Create, ctx.busy_timeout)?;
    let now = ctx.now();
    let clock = (ctx.clock.today, ctx.clock.week_start);
    let mut meta = ctx.op(&store)?;
    meta.actor = "demo".into();
    let pace = ctx.pace();
    let bar = super::ui::Progress::new(&ctx.ui, "measures");
    let size = crate::app::demo::DemoSize {
        people: a.people,
        weeks: a.weeks,
        seed: a.seed,
    };
    let w = store.write(&meta, WriteScope::Any, |s| {
        crate::app::demo::fill(s, &now, clock, size, &pace, &mut |d, t| bar.tick(d, t))
    })?;
    bar.finish();
    let s = w.value;
    ctx.ui.note(format!(
        "Filled {} with a demo organisation: {} teams, {} people, {} goals, {} measures, {} check-ins over {} weeks, {} pieces of feedback (period {}).",
        crate::store::shown(&path),
        s.teams,
        s.people,
        s.goals,
        s.measures,
        s.checkins,
        a.weeks,
        s.feedback,
        s.period
    ));
    ctx.ui.note(format!(
        "Explore it with: yardstick --db {} plan list   (or plan tree, people list, team tree)\n",
        crate::store::shown(&path)
    ));
    ctx.emit(&plan_overview(ctx, &store)?)
}

/// Where the demo goes: `--db`, which must not exist yet, or
/// `yardstick-demo.db` here, replaced when it is a yardstick file.
fn demo_path(ctx: &Ctx) -> Result<std::path::PathBuf> {
    let path = match ctx.db.1 {
        Source::Flag => ctx.db.0.clone(),
        _ => std::path::PathBuf::from("yardstick-demo.db"),
    };
    if crate::store::is_url(&path) {
        // On a server, the demo goes only into a database without a schema yet.
        if crate::store::server_initialised(&path)? {
            return Err(Error::failed(format!(
                "{} already holds a yardstick database; the demo writes only into a new one",
                crate::store::shown(&path)
            ))
            .with_hint("create an empty database for it (createdb) and pass its URL with --db"));
        }
        return Ok(path);
    }
    if !path.exists() {
        return Ok(path);
    }
    if ctx.db.1 == Source::Flag {
        return Err(Error::failed(format!(
            "{} already exists; the demo writes only into a new file",
            path.display()
        ))
        .with_hint("pass --db with a new path, or remove the file"));
    }
    // The default demo file is ours to replace, but only if it really is a yardstick file.
    crate::store::check_file(&path)?;
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.clone().into_os_string();
        p.push(suffix);
        match std::fs::remove_file(&p) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(Error::failed(format!(
                    "cannot replace {}: {e}",
                    path.display()
                )));
            }
        }
    }
    Ok(path)
}

/// The alignment tree followed by the goal list: what the demo shows.
fn plan_overview(ctx: &Ctx, store: &Store) -> Result<Doc> {
    let session = store.read();
    let index = crate::app::report::plan::PlanIndex::load(&*session, &ctx.pace())?;
    let rows = index.tree(None, &|_| true);
    let mut doc = views::goal_tree(&rows);
    let goals: Vec<_> = session
        .all_goals()?
        .iter()
        .filter_map(|g| index.get(g.id).cloned())
        .collect();
    if let Some(t) = views::goals(&goals).first_table() {
        doc = doc.with_table(Table {
            key: "goals",
            title: Some("Goals".into()),
            ..t.clone()
        });
    }
    Ok(doc)
}

pub fn undo(ctx: &mut Ctx) -> Result<()> {
    let mut store = ctx.open_write()?;
    let preview = crate::app::admin::undo_preview(&*store.read(), &ctx.policy(&store)?)?;
    let op = &preview.op;
    let what = crate::app::admin::undo_effects(&preview);
    ctx.ui.note(format!(
        "Operation {} by {} at {}: {} — {}",
        op.id, op.actor, op.at, op.command, op.summary
    ));
    if !what.is_empty() {
        ctx.ui.note(format!("Undo will {}.", what.join(", ")));
    }
    ctx.confirm_or_cancel(&format!("Undo operation {} ({})?", op.id, op.command))?;
    let at = ctx.now();
    store.undo(op.id, &at)?;
    ctx.ui
        .note(format!("Undid operation {}: {}.", op.id, op.summary));
    Ok(())
}

pub fn log(ctx: &mut Ctx, a: LogArgs) -> Result<()> {
    let store = ctx.open_read()?;
    let entries = crate::app::admin::log(&*store.read(), &ctx.policy(&store)?, Some(a.limit))?;
    ctx.emit(&views::log(&entries))
}

pub fn config(ctx: &mut Ctx, cmd: ConfigCmd) -> Result<()> {
    let ConfigCmd::Show = cmd;
    let store_me = match ctx.open_read() {
        Ok(s) => s.read().setting("me").ok().flatten(),
        Err(_) => None,
    };
    let user = match (&ctx.acting, store_me) {
        (Some((h, s)), _) => (Cell::from(h.as_str()), *s),
        (None, Some(me)) => (Cell::from(me), Source::Database),
        (None, None) => (Cell::Null, Source::Default),
    };
    let from_config = |set: bool| if set { Source::Config } else { Source::Default };
    let color_src = from_config(ctx.config.color.is_some());
    let week_src = from_config(ctx.config.week_start.is_some());
    let timeout_src = from_config(ctx.config.busy_timeout_ms.is_some());
    let today_src = ctx.today_source;
    let rows: Vec<(&str, Cell, Source)> = vec![
        ("db", crate::store::shown(&ctx.db.0).into(), ctx.db.1),
        (
            "config",
            ctx.config_path.0.display().to_string().into(),
            ctx.config_path.1,
        ),
        ("user", user.0, user.1),
        ("today", ctx.clock.today.into(), today_src),
        (
            "week_start",
            format!("{:?}", ctx.clock.week_start).to_lowercase().into(),
            week_src,
        ),
        (
            "color",
            ctx.config
                .color
                .clone()
                .unwrap_or_else(|| "auto".into())
                .into(),
            color_src,
        ),
        (
            "busy_timeout_ms",
            i64::try_from(ctx.busy_timeout.as_millis())
                .unwrap_or(i64::MAX)
                .into(),
            timeout_src,
        ),
        (
            "checkin.cadence_days",
            i64::from(ctx.config.checkin.cadence_days.unwrap_or(7)).into(),
            from_config(ctx.config.checkin.cadence_days.is_some()),
        ),
        (
            "checkin.percent_max",
            i64::from(ctx.config.checkin.percent_max.unwrap_or(100)).into(),
            from_config(ctx.config.checkin.percent_max.is_some()),
        ),
        (
            "pace.at_risk",
            ctx.pace().thresholds.at_risk.into(),
            from_config(ctx.config.pace.at_risk.is_some()),
        ),
        (
            "pace.off_track",
            ctx.pace().thresholds.off_track.into(),
            from_config(ctx.config.pace.off_track.is_some()),
        ),
        (
            "pace.ahead",
            ctx.pace().thresholds.ahead.map_or(Cell::Null, Cell::from),
            from_config(ctx.config.pace.ahead.is_some()),
        ),
        (
            "pace.inclusive",
            ctx.pace().thresholds.inclusive.into(),
            from_config(ctx.config.pace.inclusive.is_some()),
        ),
        (
            "pace.basis",
            ctx.pace().thresholds.basis.as_str().into(),
            from_config(ctx.config.pace.basis.is_some()),
        ),
        (
            "pace.inclusive_days",
            ctx.pace().thresholds.inclusive_days.into(),
            from_config(ctx.config.pace.inclusive_days.is_some()),
        ),
        (
            "progress.start_equals_target",
            ctx.config.progress.flat_target().as_str().into(),
            from_config(ctx.config.progress.start_equals_target.is_some()),
        ),
        (
            "progress.empty_goal",
            ctx.config.progress.empty_goal().as_str().into(),
            from_config(ctx.config.progress.empty_goal.is_some()),
        ),
        (
            "progress.reference",
            ctx.config.progress.reference().as_str().into(),
            from_config(ctx.config.progress.reference.is_some()),
        ),
        (
            "progress.zones",
            ctx.config.progress.zones().map_or(Cell::Null, |z| {
                Cell::from(format!("{}, {}, {}", z[0], z[1], z[2]))
            }),
            from_config(ctx.config.progress.zones.is_some()),
        ),
    ];
    let rows: Vec<(&str, Cell, &str)> = rows
        .into_iter()
        .map(|(k, v, s)| (k, v, s.as_str()))
        .collect();
    ctx.emit(&views::settings(&rows))
}

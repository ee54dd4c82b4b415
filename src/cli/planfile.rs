//! `plan apply` and `plan export`: plan files (TOML) in and out.

use super::ctx::Ctx;
use super::views::org as views;
use crate::app::plansync;
use crate::error::{Error, Result};
use crate::formats::planfile;
use crate::store::WriteScope;
use std::path::Path;

pub fn apply(ctx: &mut Ctx, file: &Path, dry_run: bool, prune: bool) -> Result<()> {
    let shown = file.display().to_string();
    let bytes = std::fs::read(file).map_err(|e| {
        Error::invalid(format!("cannot read plan file {shown}: {e}")).with_hint("check the path")
    })?;
    let text = String::from_utf8(bytes)
        .map_err(|_| Error::invalid(format!("{shown} is not valid UTF-8 text")))?;
    let (desired, positions) = planfile::parse(&text, &shown)?;
    let mut store = if dry_run {
        ctx.open_read()?
    } else {
        ctx.open_write()?
    };
    let plan = plansync::plan(
        &*store.read(),
        ctx.clock.week_start,
        &desired,
        &positions,
        &shown,
        prune,
    )?;
    let rows = plansync::change_rows(&plan.changes);
    if dry_run {
        if plan.changes.is_empty() {
            ctx.ui
                .note(format!("No changes: the database already matches {shown}."));
        } else {
            ctx.ui.note(format!(
                "{} change(s) would be made (dry run, nothing written):",
                plan.changes.len()
            ));
        }
        return ctx.emit(&views::changes("plan_apply", &rows));
    }
    let now = ctx.now();
    let count = plan.changes.len();
    let w = ctx.write_as(&mut store, WriteScope::Any, |s, p| {
        plansync::execute(s, &now, p, &plan)?;
        s.set_summary(&format!("applied {shown}: {count} change(s)"));
        Ok(())
    })?;
    if !w.changed || count == 0 {
        ctx.ui
            .note(format!("No changes: the database already matches {shown}."));
        return Ok(());
    }
    ctx.ui.note(format!(
        "Applied {shown}: {count} change(s). `yardstick undo` reverts them."
    ));
    ctx.emit(&views::changes("plan_apply", &rows))
}

pub fn export(ctx: &mut Ctx, period: Option<&str>, owner: Option<&str>) -> Result<()> {
    if let Some(f) = ctx.format {
        return Err(Error::invalid(format!(
            "plan export writes TOML; --format {f} does not apply"
        ))
        .with_hint("drop --format; use -o FILE.toml to write a file"));
    }
    let store = ctx.open_read()?;
    let session = store.read();
    let period = match period {
        Some(p) => Some(crate::app::plan::resolve_period(&*session, ctx.clock.week_start, p)?.name),
        None => None,
    };
    let state = plansync::export(&*session, ctx.clock.week_start, period.as_deref(), owner)?;
    let text = planfile::to_toml(&state);
    match &ctx.output {
        Some(path) => {
            super::output::write_bytes(path, text.as_bytes())?;
            ctx.ui
                .note(format!("Wrote the plan to {}.", path.display()));
            Ok(())
        }
        None => ctx.ui.write_stdout(text.as_bytes()),
    }
}

//! What every command needs: the terminal, the clock, the configuration, the
//! database location and the acting person, resolved once per run.

use super::ui::Ui;
use crate::app::Actor;
use crate::app::access::Policy;
use crate::error::{Error, Result};
use crate::formats::config::{Config, expand_home};
use crate::render::{Doc, Format};
use crate::store::{Missing, OpMeta, Session, Store, WriteScope, Written};
use crate::time::Clock;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Where a setting's value came from (shown by `config show`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A command-line flag.
    Flag,
    /// An environment variable.
    Env,
    /// The configuration file.
    Config,
    /// The database's own settings (`init --me`).
    Database,
    /// The built-in default.
    Default,
}

impl Source {
    /// How `config show` names it.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Flag => "flag",
            Source::Env => "env",
            Source::Config => "config",
            Source::Database => "database",
            Source::Default => "default",
        }
    }
}

/// The resolved context of one run.
pub struct Ctx {
    /// Terminal and output state.
    pub ui: Ui,
    /// Today and now.
    pub clock: Clock,
    /// The configuration file's contents.
    pub config: Config,
    /// The configuration file's path and where it came from.
    pub config_path: (PathBuf, Source),
    /// The database path and where it came from.
    pub db: (PathBuf, Source),
    /// The acting person from `--as`, YARDSTICK_USER or the config.
    pub acting: Option<(String, Source)>,
    /// `--format`.
    pub format: Option<Format>,
    /// `-o/--output`.
    pub output: Option<PathBuf>,
    /// `--bom`.
    pub bom: bool,
    /// `--yes`.
    pub yes: bool,
    /// How long to wait for another process's lock.
    pub busy_timeout: Duration,
    /// The command being run (`plan add`), for the operation log.
    pub command: String,
    /// Where "today" came from.
    pub today_source: Source,
}

impl Ctx {
    /// Whether the database is the user's personal one (default or from the
    /// config file), which is created on first write and read as empty
    /// before that; an explicit `--db` / YARDSTICK_DB path must exist.
    pub fn db_is_personal(&self) -> bool {
        matches!(self.db.1, Source::Default | Source::Config)
    }

    /// Open the database for reading (never writes to it).
    pub fn open_read(&self) -> Result<Store> {
        let missing = if self.db_is_personal() {
            Missing::Empty
        } else {
            Missing::Refuse
        };
        let store = Store::open_read(&self.db.0, missing, self.busy_timeout)?;
        self.check_login(&store)?;
        Ok(store)
    }

    /// Open the database for writing.
    pub fn open_write(&self) -> Result<Store> {
        let missing = if self.db_is_personal() {
            Missing::Create
        } else {
            Missing::Refuse
        };
        let store = Store::open_write(&self.db.0, missing, self.busy_timeout)?;
        self.check_login(&store)?;
        Ok(store)
    }

    /// On a team server, before anything is read or written: `--as` is
    /// refused (exit 2) and a login mapped to no one is refused (exit 1).
    fn check_login(&self, store: &Store) -> Result<()> {
        use crate::store::postgres::server::{Identity, unmapped};
        match store.server_identity()? {
            Some(Identity::Person { .. }) => self.refuse_as_on_server(),
            Some(Identity::Unmapped { role }) => {
                self.refuse_as_on_server()?;
                Err(unmapped(&role))
            }
            Some(Identity::Unsecured) | None => Ok(()),
        }
    }

    /// The acting person (flag, env, config, or `init --me`).
    pub fn actor(&self, store: &Store) -> Result<Actor> {
        use crate::store::postgres::server::{Identity, unmapped};
        match store.server_identity()? {
            Some(Identity::Person { handle, admin, .. }) => {
                self.refuse_as_on_server()?;
                return Ok(Actor {
                    handle: Some(handle),
                    explicit: true,
                    server_admin: Some(admin),
                });
            }
            Some(Identity::Unmapped { role }) => {
                self.refuse_as_on_server()?;
                return Err(unmapped(&role));
            }
            Some(Identity::Unsecured) | None => {}
        }
        if let Some((h, _)) = &self.acting {
            return Ok(Actor {
                handle: Some(h.clone()),
                explicit: true,
                server_admin: None,
            });
        }
        Ok(Actor {
            handle: store.read().setting("me")?,
            explicit: false,
            server_admin: None,
        })
    }

    /// On a team server the login is the identity: `--as` and
    /// YARDSTICK_USER are refused (the configuration's `user` is for files
    /// and is ignored there).
    pub fn refuse_as_on_server(&self) -> Result<()> {
        match &self.acting {
            Some((h, Source::Flag | Source::Env)) => Err(Error::invalid(format!(
                "--as {h}: on a team server you act as your login's person, never as someone else"
            ))
            .with_hint(
                "connect as that person's own login (PGUSER / the URL's user) instead; leave out --as and YARDSTICK_USER",
            )),
            _ => Ok(()),
        }
    }

    /// The acting person under the access policy, read from `store`.
    pub fn policy(&self, store: &Store) -> Result<Policy> {
        let actor = self.actor(store)?;
        Policy::resolve(&*store.read(), &actor)
    }

    /// Whether private feedback goes into this command's output: on a
    /// screen, what the acting person may see; in a file (`-o`), only when
    /// `--include-private` asks for it.
    pub fn keeps_private(&self, include_private: bool) -> bool {
        include_private || self.output.is_none()
    }

    /// The operation-log entry for a write by this run.
    pub fn op(&self, store: &Store) -> Result<OpMeta> {
        let actor = match self.actor(store)?.handle {
            Some(a) => a,
            None => std::env::var("USER")
                .or_else(|_| std::env::var("USERNAME"))
                .unwrap_or_else(|_| "unknown".into()),
        };
        Ok(OpMeta {
            actor,
            command: self.command.clone(),
            at: self.clock.timestamp(),
        })
    }

    /// Run `f` as one logged write of this run's command.
    pub fn write<T>(
        &self,
        store: &mut Store,
        scope: WriteScope,
        f: impl FnOnce(&mut dyn Session) -> Result<T>,
    ) -> Result<Written<T>> {
        let meta = self.op(store)?;
        store.write(&meta, scope, f)
    }

    /// Run `f` as one logged write of this run's command, with the acting
    /// person's policy read inside the same transaction.
    pub fn write_as<T>(
        &self,
        store: &mut Store,
        scope: WriteScope,
        f: impl FnOnce(&mut dyn Session, &Policy) -> Result<T>,
    ) -> Result<Written<T>> {
        let actor = self.actor(store)?;
        self.write(store, scope, |s| {
            let policy = Policy::resolve(s, &actor)?;
            f(s, &policy)
        })
    }

    /// Today and the pace thresholds from the configuration.
    pub fn pace(&self) -> crate::app::report::plan::PaceContext {
        crate::app::report::plan::PaceContext {
            today: self.clock.today,
            thresholds: self.config.pace.thresholds(),
            until: None,
            flat_target: self.config.progress.flat_target(),
            empty_goal: self.config.progress.empty_goal(),
            reference: self.config.progress.reference(),
            zones: self.config.progress.zones(),
        }
    }

    /// The timestamp recorded on changed rows.
    pub fn now(&self) -> String {
        self.clock.timestamp()
    }

    /// The output format: `--format`, else the extension of `-o`, else a
    /// table on a terminal and TSV in a pipe.
    pub fn format(&self) -> Result<Format> {
        if let Some(f) = self.format {
            return Ok(f);
        }
        if let Some(path) = &self.output {
            return Format::from_extension(path).ok_or_else(|| {
                Error::invalid(format!(
                    "cannot tell the format from the file name {}",
                    path.display()
                ))
                .with_hint(
                    "pass --format table|json|jsonl|csv|tsv|markdown|html, or use a known extension (.json .jsonl .csv .tsv .md .html .txt)",
                )
            });
        }
        Ok(self.ui.default_format())
    }

    /// Print a document in the chosen format to stdout or `-o FILE`.
    pub fn emit(&self, doc: &Doc) -> Result<()> {
        let format = self.format()?;
        self.ui
            .emit(doc, format, self.output.as_deref(), self.bom)?;
        if let Some(path) = &self.output {
            self.ui.note(format!("wrote {}", path.display()));
        }
        Ok(())
    }

    /// Print a document only when the user asked for data (`--format` or `-o`);
    /// used by write commands, which otherwise just say what they did.
    pub fn emit_if_asked(&self, doc: &Doc) -> Result<()> {
        if self.format.is_some() || self.output.is_some() {
            self.emit(doc)
        } else {
            Ok(())
        }
    }

    /// Ask to confirm something destructive. `--yes` answers yes; without a
    /// terminal (or with `--no-input`) it is an error that names `--yes`.
    pub fn confirm(&self, question: &str) -> Result<bool> {
        if self.yes {
            return Ok(true);
        }
        if !self.ui.can_prompt() {
            return Err(Error::invalid(format!("{question} — confirmation needed"))
                .with_hint("pass --yes to confirm without a prompt"));
        }
        super::prompt::confirm(question)
    }

    /// Confirm, or stop with "cancelled" (exit 1) when the answer is no.
    pub fn confirm_or_cancel(&self, question: &str) -> Result<()> {
        if self.confirm(question)? {
            Ok(())
        } else {
            Err(Error::failed("cancelled; nothing was changed"))
        }
    }

    /// A required value: given, else asked for on a terminal, else an error naming the flag.
    pub fn required(&self, value: Option<String>, flag: &str, prompt: &str) -> Result<String> {
        if let Some(v) = value {
            return Ok(v);
        }
        if self.ui.can_prompt() {
            return super::prompt::text(prompt);
        }
        Err(Error::invalid(format!("missing {flag}"))
            .with_hint(format!("pass {flag} (no terminal to ask on)")))
    }
}

/// The default database: `$XDG_DATA_HOME/yardstick/yardstick.db`.
pub fn default_db() -> Result<PathBuf> {
    Ok(base_dirs()?.0.join("yardstick").join("yardstick.db"))
}

/// The default configuration: `$XDG_CONFIG_HOME/yardstick/config.toml`.
pub fn default_config() -> Result<PathBuf> {
    Ok(base_dirs()?.1.join("yardstick").join("config.toml"))
}

fn base_dirs() -> Result<(PathBuf, PathBuf)> {
    use etcetera::BaseStrategy;
    let s = etcetera::choose_base_strategy().map_err(|e| {
        Error::invalid(format!("cannot find the home directory: {e}"))
            .with_hint("set HOME, or pass --db and --config explicitly")
    })?;
    Ok((s.data_dir(), s.config_dir()))
}

/// Resolve `~` in a path from the config file.
pub fn config_path(value: &str) -> PathBuf {
    expand_home(value, std::env::var_os("HOME").as_deref().map(Path::new))
}

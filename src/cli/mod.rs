//! The command line: clap definitions (one file per command group), the
//! [`Ui`], prompts, and the mapping of errors to exit codes.

mod actions;
mod admin;
mod appraise;
mod checkin;
pub mod ctx;
mod examples;
mod exchange;
mod feedback;
mod maintenance;
mod meta;
mod org;
mod output;
mod pip;
mod plan;
mod planfile;
mod prompt;
mod report;
mod server;
pub mod ui;
pub mod views;

use crate::error::Result;
use crate::formats::config::Config;
use crate::render::Format;
use crate::time::{Clock, Weekday, parse_weekday};
use clap::parser::ValueSource;
use clap::{ArgMatches, FromArgMatches, Parser, Subcommand};
use ctx::{Ctx, Source};
use std::path::PathBuf;
use std::time::Duration;
use ui::{ColorChoice, Ui};

const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  the operation failed (not found, conflict, not allowed in this state)
  2  invalid usage or input (arguments, dates, numbers, TOML)
  3  the database is unavailable (locked past the timeout, not a yardstick file,
     from a newer version, corrupt)
On 1, 2 and 3 nothing was written. A closed pipe exits quietly.";

/// Performance management from the terminal over one local SQLite file.
#[derive(Debug, Parser)]
#[command(
    name = "yardstick",
    version,
    about = "Plan goals, check in progress, appraise and report — over one local SQLite file",
    long_about = "yardstick carries the performance-management cycle from a terminal: plan goals with \
measures and standards, record progress, appraise, and report the gap between desired and actual results.\n\n\
Everything lives in one SQLite file you own (default: $XDG_DATA_HOME/yardstick/yardstick.db). \
Every write is one logged operation that `yardstick undo` can revert.\n\n\
Quick start:\n  yardstick demo                      fill a demo database and show it\n  \
yardstick init --me alice --name \"Alice\"\n  yardstick plan add \"Ship v2\" --metric \"features\" --baseline 0 --target 10\n  \
yardstick plan list",
    after_help = EXIT_CODES,
    after_long_help = EXIT_CODES,
    allow_negative_numbers = true,
    propagate_version = true,
    disable_help_subcommand = true
)]
pub struct Cli {
    /// Database file, or a postgres:// URL (team server) [env: YARDSTICK_DB] [default: $XDG_DATA_HOME/yardstick/yardstick.db]
    #[arg(
        long,
        global = true,
        env = "YARDSTICK_DB",
        value_name = "PATH",
        hide_env = true
    )]
    db: Option<PathBuf>,
    /// Configuration file [env: YARDSTICK_CONFIG] [default: $XDG_CONFIG_HOME/yardstick/config.toml]
    #[arg(
        long,
        global = true,
        env = "YARDSTICK_CONFIG",
        value_name = "PATH",
        hide_env = true
    )]
    config: Option<PathBuf>,
    /// Act as this person (a handle) [env: YARDSTICK_USER]
    #[arg(
        long = "as",
        global = true,
        env = "YARDSTICK_USER",
        value_name = "HANDLE",
        hide_env = true
    )]
    acting: Option<String>,
    /// Pin today's date (or an RFC 3339 time) for reproducible runs [env: YARDSTICK_TODAY]
    #[arg(
        long,
        global = true,
        env = "YARDSTICK_TODAY",
        value_name = "DATE",
        hide_env = true
    )]
    today: Option<String>,
    /// When to use colour (NO_COLOR and CLICOLOR_FORCE are honoured in auto)
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        value_enum,
        value_name = "WHEN"
    )]
    color: Option<ColorChoice>,
    /// Output format: table, json, jsonl, csv, tsv, markdown, html [default: table on a terminal, tsv in a pipe]
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        value_name = "FORMAT"
    )]
    format: Option<String>,
    /// Write data to FILE (created 0600); the format follows the extension
    #[arg(
        short = 'o',
        long,
        global = true,
        help_heading = "Global options",
        value_name = "FILE"
    )]
    output: Option<PathBuf>,
    /// Start CSV/TSV output with a byte-order mark (for Excel)
    #[arg(long, global = true, help_heading = "Global options")]
    bom: bool,
    /// Answer yes to confirmations (for scripts)
    #[arg(long, short = 'y', global = true, help_heading = "Global options")]
    yes: bool,
    /// Never prompt; fail instead, naming the missing flag
    #[arg(long, global = true, help_heading = "Global options")]
    no_input: bool,
    /// Print no messages on stderr (errors and warnings still appear)
    #[arg(long, short = 'q', global = true, help_heading = "Global options")]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create the database (0600) and record who "me" is
    Init(admin::InitArgs),
    /// Fill a database with a realistic demo organisation and print its plan
    ///
    /// The default is a small company (12 people, 8 weeks). With more than 13
    /// weeks everyone also keeps ongoing standards reported every week, so
    /// `--people 2000 --weeks 156` gives about 22,000 measures and 3M
    /// check-ins (the benchmark's organisation). The load is one bulk
    /// transaction: it keeps no undo history, and `undo` stops there.
    Demo(admin::DemoArgs),
    /// Manage people: handles, managers, teams, job mission statements
    #[command(subcommand, visible_alias = "person")]
    People(org::PeopleCmd),
    /// Manage teams: the organisation tree
    #[command(subcommand, visible_alias = "teams")]
    Team(org::TeamCmd),
    /// Manage custom periods (built-in names like 2026-Q4 need none)
    #[command(subcommand, visible_alias = "periods")]
    Period(org::PeriodCmd),
    /// Plan goals and measures; apply and export plan files
    #[command(subcommand, visible_alias = "goal")]
    Plan(plan::PlanCmd),
    /// Record progress on a goal's measure; list, edit, remove check-ins; see who is due
    Checkin(checkin::CheckinArgs),
    /// Give and list feedback: praise, coaching, concerns, 360
    #[command(subcommand)]
    Feedback(feedback::FeedbackCmd),
    /// Appraise: review cycles, reviews, calibration, outcomes
    #[command(subcommand, visible_alias = "appraisal")]
    Appraise(appraise::AppraiseCmd),
    /// Improvement plans: start, show, list, record check points, close, acknowledge
    #[command(subcommand, visible_alias = "improvement-plan")]
    Pip(pip::PipCmd),
    /// Reports: goals, gaps, team, trend, checkins, cycle, person, effectiveness
    Report(report::ReportArgs),
    /// Print shell completions (bash, zsh, fish: with handles, goal keys, cycle names)
    #[command(
        after_help = "Examples:\n  source <(yardstick completions bash)\n  yardstick completions zsh > ~/.zfunc/_yardstick\n  yardstick completions fish > ~/.config/fish/completions/yardstick.fish"
    )]
    Completions {
        /// bash, zsh, fish, elvish or powershell
        shell: clap_complete::Shell,
    },
    /// Write man pages for every command into DIR
    Man {
        /// Where to write the pages
        #[arg(default_value = "man")]
        dir: PathBuf,
    },
    /// Show help for a command, or a topic: exit-codes, dates, formats, scripting
    Help {
        /// A topic, or a command path such as `plan add`
        words: Vec<String>,
    },
    /// Values for dynamic completion (handles, teams, goals, cycles)
    #[command(name = "__values", hide = true)]
    Values {
        /// What to list
        kind: String,
        /// End each value with a NUL byte instead of a line break (the
        /// completion scripts use this: a name may contain a line break)
        #[arg(short = '0', long)]
        null: bool,
    },
    /// Export raw records with UUIDs (JSON), or check-ins for spreadsheets (CSV)
    Export(exchange::ExportArgs),
    /// Merge an export file by UUID: newer records win, conflicts are listed
    Import(exchange::ImportArgs),
    /// Revert the last write (shows what it reverts; --yes in scripts)
    Undo,
    /// List operations, newest first
    Log(admin::LogArgs),
    /// Show the effective configuration
    #[command(subcommand)]
    Config(admin::ConfigCmd),
    /// Copy the database to a new file (0600), online and consistent; never overwrites
    #[command(
        after_help = "Examples:\n  yardstick backup ~/backups/team-2026-11-22.db\n  yardstick --db team.db backup /mnt/usb/team.db"
    )]
    Backup(maintenance::BackupArgs),
    /// Check the database: integrity, foreign keys, schema version, pragmas, row counts
    #[command(
        after_help = "Examples:\n  yardstick doctor\n  yardstick --db team.db doctor --format json | jq .doctor.integrity_check"
    )]
    Doctor(maintenance::DoctorArgs),
    /// Team server (PostgreSQL): set up, show, grant and revoke logins
    #[command(subcommand)]
    Server(server::ServerCmd),
}

impl Command {
    fn name(&self) -> String {
        match self {
            Command::Init(_) => "init".into(),
            Command::Demo(_) => "demo".into(),
            Command::People(c) => format!("people {}", c.name()),
            Command::Team(c) => format!("team {}", c.name()),
            Command::Period(c) => format!("period {}", c.name()),
            Command::Plan(c) => format!("plan {}", c.name()),
            Command::Checkin(a) => a.name().into(),
            Command::Feedback(c) => format!("feedback {}", c.name()),
            Command::Appraise(c) => format!("appraise {}", c.name()),
            Command::Pip(c) => format!("pip {}", c.name()),
            Command::Report(a) => a.name().into(),
            Command::Completions { .. } => "completions".into(),
            Command::Man { .. } => "man".into(),
            Command::Help { .. } => "help".into(),
            Command::Values { .. } => "__values".into(),
            Command::Export(_) => "export".into(),
            Command::Import(_) => "import".into(),
            Command::Undo => "undo".into(),
            Command::Log(_) => "log".into(),
            Command::Config(_) => "config show".into(),
            Command::Backup(_) => "backup".into(),
            Command::Doctor(_) => "doctor".into(),
            Command::Server(c) => format!("server {}", c.name()),
        }
    }
}

/// Run the command line; returns the process exit code.
pub fn run() -> i32 {
    // The examples are attached only when help is shown: building them
    // costs more than a whole check-in's SQL.
    let mut command = <Cli as clap::CommandFactory>::command();
    let parsed = command.try_get_matches_from_mut(std::env::args_os());
    // The process ends after this command: freeing clap's command tree would
    // cost more than parsing with it.
    std::mem::forget(command);
    let matches = match parsed {
        Ok(m) => m,
        Err(e) => {
            let e = match e.kind() {
                clap::error::ErrorKind::DisplayHelp
                | clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
                    examples::command().try_get_matches().err().unwrap_or(e)
                }
                _ => e,
            };
            let _ = e.print();
            return e.exit_code();
        }
    };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return e.exit_code();
        }
    };
    let choice = cli.color.unwrap_or(ColorChoice::Auto);
    let ui = Ui::detect(choice, cli.quiet, cli.no_input);
    match build(cli, &matches, ui.clone())
        .and_then(|(mut ctx, command)| dispatch(&mut ctx, command))
    {
        Ok(()) => 0,
        Err(e) if e.kind() == crate::error::ErrorKind::BrokenPipe => 0,
        Err(e) => {
            ui.error(&e);
            e.exit_code()
        }
    }
}

/// Where a global option's value came from: a flag at any level of the
/// command line wins over the environment.
fn source(matches: &ArgMatches, id: &str) -> Source {
    let mut level = Some(matches);
    let mut found = Source::Default;
    while let Some(m) = level {
        match m.try_get_raw(id).ok().flatten().and(m.value_source(id)) {
            Some(ValueSource::CommandLine) => return Source::Flag,
            Some(ValueSource::EnvVariable) => found = Source::Env,
            _ => {}
        }
        level = m.subcommand().map(|(_, sub)| sub);
    }
    found
}

/// The configuration file's `color` setting.
fn color_choice(setting: &str) -> ColorChoice {
    match setting {
        "always" => ColorChoice::Always,
        "never" => ColorChoice::Never,
        _ => ColorChoice::Auto,
    }
}

fn build(cli: Cli, matches: &ArgMatches, mut ui: Ui) -> Result<(Ctx, Command)> {
    let config_path = match &cli.config {
        Some(p) => (p.clone(), source(matches, "config")),
        None => (ctx::default_config()?, Source::Default),
    };
    let config = Config::load(&config_path.0, config_path.1 != Source::Default)?;
    if let (None, Some(c)) = (cli.color, &config.color) {
        ui = Ui::detect(color_choice(c), cli.quiet, cli.no_input);
    }
    let week_start = match &config.week_start {
        Some(w) => parse_weekday(w)
            .map_err(|e| e.context(format!("{}: week_start", config_path.0.display())))?,
        None => Weekday::Mon,
    };
    let clock = Clock::new(cli.today.as_deref(), week_start)
        .map_err(|e| e.context("--today / YARDSTICK_TODAY"))?;
    let db = match &cli.db {
        Some(p) => (p.clone(), source(matches, "db")),
        None => match &config.db {
            Some(p) => (ctx::config_path(p), Source::Config),
            None => (ctx::default_db()?, Source::Default),
        },
    };
    if let Some(out) = &cli.output {
        // Before anything is read or written: not the database, not a trap.
        output::check_target(out, &db.0)?;
    }
    let acting = match &cli.acting {
        Some(h) => Some((h.clone(), source(matches, "acting"))),
        None => config.user.clone().map(|u| (u, Source::Config)),
    };
    if let Some((h, _)) = &acting {
        crate::domain::names::validate_handle(h).map_err(|e| e.context("--as / YARDSTICK_USER"))?;
    }
    let format = cli
        .format
        .as_deref()
        .map(str::parse::<Format>)
        .transpose()?;
    let busy_timeout = Duration::from_millis(config.busy_timeout_ms.unwrap_or(5000));
    let command = cli.command.name();
    let today_source = match cli.today {
        Some(_) => source(matches, "today"),
        None => Source::Default,
    };
    let ctx = Ctx {
        today_source,
        ui,
        clock,
        config,
        config_path,
        db,
        acting,
        format,
        output: cli.output,
        bom: cli.bom,
        yes: cli.yes,
        busy_timeout,
        command,
    };
    Ok((ctx, cli.command))
}

fn dispatch(ctx: &mut Ctx, command: Command) -> Result<()> {
    match command {
        Command::Init(a) => admin::init(ctx, a),
        Command::Demo(a) => admin::demo(ctx, a),
        Command::People(c) => org::people(ctx, c),
        Command::Team(c) => org::team(ctx, c),
        Command::Period(c) => org::period(ctx, c),
        Command::Plan(c) => plan::run(ctx, c),
        Command::Checkin(a) => checkin::run(ctx, a),
        Command::Feedback(c) => feedback::run(ctx, c),
        Command::Appraise(c) => appraise::run(ctx, c),
        Command::Pip(c) => pip::run(ctx, c),
        Command::Report(a) => report::run(ctx, a),
        Command::Completions { shell } => meta::completions(ctx, shell),
        Command::Man { dir } => meta::man(ctx, &dir),
        Command::Help { words } => meta::help(ctx, &words),
        Command::Values { kind, null } => meta::values(ctx, &kind, null),
        Command::Export(a) => exchange::export(ctx, a),
        Command::Import(a) => exchange::import(ctx, a),
        Command::Undo => admin::undo(ctx),
        Command::Log(a) => admin::log(ctx, a),
        Command::Config(c) => admin::config(ctx, c),
        Command::Backup(a) => maintenance::backup(ctx, a),
        Command::Doctor(a) => maintenance::doctor(ctx, a),
        Command::Server(c) => server::run(ctx, c),
    }
}

/// Parse a number argument (finite, plain ASCII), for clap.
fn number(s: &str) -> std::result::Result<f64, String> {
    crate::domain::parse_number(s).map_err(|e| match e.hint() {
        Some(h) => format!("{} ({h})", e.message()),
        None => e.message().to_string(),
    })
}

/// Parse a weight argument (a number greater than 0), for clap.
fn weight(s: &str) -> std::result::Result<f64, String> {
    let w = number(s)?;
    if w <= 0.0 {
        return Err(format!("weight must be greater than 0 (got {s})"));
    }
    Ok(w)
}

/// "none" clears an optional value.
fn clearable(s: Option<String>) -> Option<Option<String>> {
    s.map(|v| {
        if v.eq_ignore_ascii_case("none") {
            None
        } else {
            Some(v)
        }
    })
}

/// What `checkin rm` and `feedback rm` say they did.
fn removed_note(what: &str, id: i64, purge: bool) -> String {
    if purge {
        format!(
            "Removed {what} {id} and erased it from the undo history; it cannot be brought back."
        )
    } else {
        format!(
            "Removed {what} {id}. `yardstick undo` brings it back; `--purge` erases it for good."
        )
    }
}

//! The one place that owns stdout, stderr, colour and terminal state.

use crate::error::{Error, ErrorKind, Result};
use crate::render::{self, Doc, Format, RenderOptions};
use std::io::{IsTerminal, Write};
use std::path::Path;

/// When to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour when writing to a terminal, unless NO_COLOR is set or TERM=dumb.
    Auto,
    /// Always colour (also honoured: CLICOLOR_FORCE=1).
    Always,
    /// Never colour.
    Never,
}

/// Terminal state and output settings for one run.
#[derive(Debug, Clone)]
pub struct Ui {
    /// Whether stdout is a terminal.
    pub stdout_tty: bool,
    /// Whether stdin is a terminal.
    pub stdin_tty: bool,
    /// Whether stderr is a terminal.
    pub stderr_tty: bool,
    /// Whether data on stdout is coloured.
    pub color: bool,
    /// Whether messages on stderr are coloured.
    pub color_err: bool,
    /// Terminal width for tables (`COLUMNS` when set).
    pub width: Option<u16>,
    /// Suppress messages on stderr.
    pub quiet: bool,
    /// Never prompt.
    pub no_input: bool,
}

/// A message for a person on stderr: text from the data can be part of it
/// (a name, a title), so every unsafe character but a line break and a tab is
/// shown as its escape (`\e`, `\x07`, `\u{202e}`, see
/// [`render::escape_unsafe`]) and cannot drive the terminal.
fn message(text: &str) -> std::borrow::Cow<'_, str> {
    render::escape_unsafe(text, |c| c == '\n' || c == '\t')
}

/// Whether an environment variable is set to a non-empty value.
fn env_set(name: &str) -> bool {
    std::env::var_os(name).is_some_and(|v| !v.is_empty())
}

impl Ui {
    /// Work out terminal state from the process and the colour choice.
    pub fn detect(choice: ColorChoice, quiet: bool, no_input: bool) -> Ui {
        let stdout_tty = std::io::stdout().is_terminal();
        let stderr_tty = std::io::stderr().is_terminal();
        let stdin_tty = std::io::stdin().is_terminal();
        let dumb = std::env::var("TERM").is_ok_and(|t| t == "dumb");
        let decide = |tty: bool| match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                if env_set("NO_COLOR") {
                    false
                } else if env_set("CLICOLOR_FORCE")
                    && std::env::var("CLICOLOR_FORCE").is_ok_and(|v| v != "0")
                {
                    true
                } else {
                    tty && !dumb
                }
            }
        };
        let width = std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.trim().parse::<u16>().ok())
            .filter(|w| *w >= 20);
        Ui {
            stdout_tty,
            stdin_tty,
            stderr_tty,
            color: decide(stdout_tty),
            color_err: decide(stderr_tty),
            width,
            quiet,
            no_input,
        }
    }

    /// Whether the user can be asked questions (stdin and stdout are terminals
    /// and `--no-input` is not set).
    pub fn can_prompt(&self) -> bool {
        self.stdin_tty && self.stdout_tty && !self.no_input
    }

    /// A message for people, on stderr (suppressed by `-q`).
    pub fn note(&self, msg: impl AsRef<str>) {
        if !self.quiet {
            let mut err = std::io::stderr().lock();
            let _ = writeln!(err, "{}", message(msg.as_ref()));
        }
    }

    /// A warning, on stderr even with `-q`.
    pub fn warn(&self, msg: impl AsRef<str>) {
        let mut err = std::io::stderr().lock();
        let prefix = if self.color_err {
            "\x1b[33mwarning:\x1b[0m"
        } else {
            "warning:"
        };
        let _ = writeln!(err, "{prefix} {}", message(msg.as_ref()));
    }

    /// Print an error with its hint.
    pub fn error(&self, e: &Error) {
        let mut err = std::io::stderr().lock();
        let (pre, hint) = if self.color_err {
            ("\x1b[1;31merror:\x1b[0m", "\x1b[1mhint:\x1b[0m")
        } else {
            ("error:", "hint:")
        };
        let _ = writeln!(err, "{pre} {}", message(e.message()));
        // A bug shows what caused it, for the report the hint asks for.
        if e.kind() == ErrorKind::Internal {
            for cause in e.causes() {
                let _ = writeln!(err, "  caused by: {}", message(&cause));
            }
        }
        if let Some(h) = e.hint() {
            let _ = writeln!(err, "{hint} {}", message(h));
        }
    }

    /// The default format for data: a table on a terminal, TSV in a pipe.
    pub fn default_format(&self) -> Format {
        if self.stdout_tty {
            Format::Table
        } else {
            Format::Tsv
        }
    }

    /// Render a document to stdout, or to `output` (created 0600) when given.
    pub fn emit(&self, doc: &Doc, format: Format, output: Option<&Path>, bom: bool) -> Result<()> {
        match output {
            Some(path) => {
                let opts = RenderOptions {
                    color: false,
                    width: None,
                    bom,
                };
                let mut buf = Vec::new();
                render::render(doc, format, &opts, &mut buf)
                    .map_err(|e| Error::failed(format!("cannot render: {e}")))?;
                super::output::write_bytes(path, &buf)
            }
            None => {
                let opts = RenderOptions {
                    color: self.color && format == Format::Table,
                    width: if self.stdout_tty {
                        self.width.or_else(terminal_width)
                    } else {
                        None
                    },
                    bom,
                };
                let mut buf = Vec::new();
                render::render(doc, format, &opts, &mut buf)
                    .map_err(|e| Error::failed(format!("cannot render: {e}")))?;
                self.write_stdout(&buf)
            }
        }
    }

    /// Write bytes to stdout. A closed pipe is not an error (the reader went away).
    pub fn write_stdout(&self, bytes: &[u8]) -> Result<()> {
        let mut out = std::io::stdout().lock();
        match out.write_all(bytes).and_then(|()| out.flush()) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Err(Error::broken_pipe()),
            Err(e) => Err(Error::failed(format!("cannot write output: {e}"))),
        }
    }
}

/// A progress bar on stderr when it is a terminal (and not `-q`); `None`
/// otherwise, so pipes and logs get no control characters.
fn progress_bar(ui: &Ui, what: &str) -> Option<indicatif::ProgressBar> {
    if ui.quiet || !ui.stderr_tty {
        return None;
    }
    let bar =
        indicatif::ProgressBar::with_draw_target(Some(0), indicatif::ProgressDrawTarget::stderr());
    let style = indicatif::ProgressStyle::with_template(&format!(
        "{{spinner}} {{bar:40}} {{pos}}/{{len}} {what} {{elapsed}}"
    ))
    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    bar.set_style(style);
    // Draw from the start, even before the first step is counted.
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    Some(bar)
}

/// A progress bar on stderr when it is a terminal, with a callback for the
/// work to report to: nothing at all otherwise.
pub struct Progress(Option<indicatif::ProgressBar>);

impl Progress {
    /// A bar counting `what`.
    pub fn new(ui: &Ui, what: &str) -> Progress {
        Progress(progress_bar(ui, what))
    }

    /// Show `done` of `total`.
    pub fn tick(&self, done: u64, total: u64) {
        if let Some(b) = &self.0 {
            b.set_length(total);
            b.set_position(done);
        }
    }

    /// Take the bar off the screen.
    pub fn finish(self) {
        if let Some(b) = self.0 {
            b.finish_and_clear();
        }
    }
}

fn terminal_width() -> Option<u16> {
    terminal_size::terminal_size()
        .map(|(w, _)| w.0)
        .filter(|w| *w >= 20)
}

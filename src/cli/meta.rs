//! `completions`, `man`, `help TOPIC`, and the hidden `__values` command that
//! feeds dynamic completions (handles, goal keys, cycle names).

use super::ctx::Ctx;
use crate::error::{Error, Result};
use clap_complete::Shell;
use std::path::PathBuf;

/// Help topics beyond the commands.
pub const TOPICS: &[(&str, &str)] = &[
    ("exit-codes", EXIT_CODES),
    ("dates", DATES),
    ("formats", FORMATS),
    ("scripting", SCRIPTING),
];

const EXIT_CODES: &str = "\
Exit codes

  0  success
  1  the operation failed: not found, conflict, not allowed in this state
     (e.g. a write into a finalized review cycle)
  2  invalid usage or input: arguments, dates, numbers, ratings, TOML, CSV;
     also a confirmation or value that could not be asked for without a terminal
  3  the database is unavailable: locked past the timeout, not a yardstick
     file, from a newer version, corrupt, missing (explicit --db)

On 1, 2 and 3 nothing was written. A closed pipe (e.g. `| head`) exits 0 quietly.
";

const DATES: &str = "\
Dates and periods

Wherever a date is taken (--date, --due, --start, --since, --until, --today):
  2026-11-22            an ISO date
  today, yesterday, tomorrow
  monday … sunday, mon … sun   the next such day after today
  last monday, next friday
  3 days ago, 2 weeks ago, 1 month ago, in 2 weeks, in 1 year
  sow, eow, som, eom, soq, eoq, soy, eoy   start/end of this week, month,
                        quarter, year (the week starts on `week_start` from
                        the configuration, Monday by default)
  2026, 2026-H1, 2026-Q3, 2026-11, 2026-W47   period names: the first day, or
                        the last day where an end is meant (--due, --until)

Periods (--period) are the names above or custom ones (`yardstick period add
FY2027 --start 2026-07-01 --end 2027-06-30`). YARDSTICK_TODAY / --today pins
\"today\" for reproducible scripts. See docs/dates.md.
";

const FORMATS: &str = "\
Output formats

Every command that prints data takes --format and -o FILE:
  table     aligned columns, progress bars, colour; the default on a terminal
  tsv       tab-separated with a header row, one row per line; the default in
            a pipe (a tab, line break or \\ in text is written \\t, \\n, \\\\)
  csv       RFC 4180, one header row, text kept exactly; formula-like text
            (=, +, -, @ first, also after spaces or control characters; or a
            leading tab, CR, LF) gets a leading ', real numbers stay numbers;
            --bom for Excel
  json      one document: {\"schema_version\": 1, \"kind\": …, …}
  jsonl     one JSON object per row
  markdown  pipe tables; text from the data renders as itself (no links,
            images, HTML or emphasis)
  html      one self-contained page with inline SVG charts (reports)

In table, tsv and markdown (and in messages), control characters and
bidirectional overrides in the data are shown as escapes (\\e, \\x07, \\u{202e}):
text can never drive the terminal.

-o FILE picks the format from the extension (.csv .tsv .json .jsonl .md .html
.txt) and creates the file readable only by you (0600). Data goes to stdout,
messages to stderr (-q silences them).
";

const SCRIPTING: &str = "\
Scripting

  * Nothing prompts without a terminal (or with --no-input): a missing value
    is an error that names the flag to pass (exit 2). Destructive commands
    (rm, undo) need --yes in scripts.
  * Pin the clock with YARDSTICK_TODAY=2026-11-22 and the file with
    YARDSTICK_DB=team.db; say who acts with YARDSTICK_USER=alice.
  * Read data as JSON (--format json, with schema_version) or JSON lines.
  * Exit codes are stable: see `yardstick help exit-codes`.
  * Every write is one transaction and one logged operation: `yardstick log`,
    `yardstick undo --yes`.
  * Plans are files: `yardstick plan apply team-plan.toml` is idempotent;
    `--dry-run` shows the changes.
  * examples/review-cycle.sh is a complete team lead's script.
";

/// Write shell completions to stdout.
pub fn completions(ctx: &Ctx, shell: Shell) -> Result<()> {
    let mut cmd = super::examples::command();
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "yardstick", &mut buf);
    if shell == Shell::Bash {
        buf.extend_from_slice(BASH_DYNAMIC.as_bytes());
    }
    ctx.ui.write_stdout(&buf)
}

/// Bash: complete handles, goal keys and cycle names from the database.
const BASH_DYNAMIC: &str = r#"
# Dynamic values: handles, goal keys and cycle names come from the database.
_yardstick_values() { command yardstick __values "$1" 2>/dev/null; }
_yardstick_dynamic() {
    local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}" kind=""
    case "$prev" in
        --owner|--as|--person|--manager|--lead|--to|--from|--add) kind=handles ;;
        --team) kind=teams ;;
        --goal|--parent) kind=goals ;;
        --cycle) kind=cycles ;;
        checkin|show|edit|close|reopen|tree|measure|trend)
            case " ${COMP_WORDS[*]} " in
                *" appraise "*) kind=cycles ;;
                *" people "*|*" person "*) kind=handles ;;
                *" team "*) kind=teams ;;
                *) kind=goals ;;
            esac ;;
        status|calibrate|finalize|open|reopen|ack|peers|review) kind=cycles ;;
    esac
    if [[ -n "$kind" && "$cur" != -* ]]; then
        COMPREPLY=( $(compgen -W "$(_yardstick_values "$kind")" -- "$cur") )
        return 0
    fi
    _yardstick "$@"
}
complete -F _yardstick_dynamic -o bashdefault -o default yardstick
"#;

/// Print the values dynamic completion asks for, one per line.
pub fn values(ctx: &Ctx, kind: &str) -> Result<()> {
    let store = ctx.open_read()?;
    let list = crate::app::admin::completion_values(&*store.read(), kind)?;
    let mut out = list.join("\n");
    out.push('\n');
    ctx.ui.write_stdout(out.as_bytes())
}

/// Write a man page for the command and every subcommand into `dir`.
pub fn man(ctx: &Ctx, dir: &PathBuf) -> Result<()> {
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::failed(format!("cannot create {}: {e}", dir.display())))?;
    let mut written = 0;
    let mut stack = vec![(super::examples::command(), "yardstick".to_string())];
    while let Some((cmd, name)) = stack.pop() {
        let cmd = cmd.name(name.clone());
        for sub in cmd.get_subcommands() {
            if sub.is_hide_set() || sub.get_name() == "help" {
                continue;
            }
            stack.push((sub.clone(), format!("{name}-{}", sub.get_name())));
        }
        let mut buf = Vec::new();
        clap_mangen::Man::new(cmd)
            .render(&mut buf)
            .map_err(|e| Error::failed(format!("cannot render the man page {name}: {e}")))?;
        let path = dir.join(format!("{name}.1"));
        std::fs::write(&path, buf)
            .map_err(|e| Error::failed(format!("cannot write {}: {e}", path.display())))?;
        written += 1;
    }
    ctx.ui.note(format!(
        "Wrote {written} man pages to {} (read one with `man -l {}/yardstick.1`).",
        dir.display(),
        dir.display()
    ));
    Ok(())
}

/// `help [TOPIC | COMMAND…]`.
pub fn help(ctx: &Ctx, words: &[String]) -> Result<()> {
    if let [one] = words {
        if let Some((_, text)) = TOPICS.iter().find(|(t, _)| t == one) {
            return ctx.ui.write_stdout(text.as_bytes());
        }
    }
    let mut cmd = super::examples::command();
    cmd.build();
    let mut target = cmd;
    for w in words {
        let Some(sub) = target.find_subcommand(w).cloned() else {
            let topics: Vec<&str> = TOPICS.iter().map(|(t, _)| *t).collect();
            return Err(
                Error::invalid(format!("no command or help topic '{w}'")).with_hint(format!(
                    "topics: {}; or a command, e.g. `yardstick help plan add`",
                    topics.join(", ")
                )),
            );
        };
        target = sub;
    }
    let mut text = target.render_long_help().to_string();
    if words.is_empty() {
        text.push_str("\nHelp topics: yardstick help exit-codes | dates | formats | scripting\n");
    }
    ctx.ui.write_stdout(text.as_bytes())
}

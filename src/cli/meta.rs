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

/// Write shell completions to stdout: clap's script, plus the dynamic values
/// (handles, team handles, goal keys, cycle names) for bash, zsh and fish.
pub fn completions(ctx: &Ctx, shell: Shell) -> Result<()> {
    let mut cmd = super::examples::command();
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "yardstick", &mut buf);
    let script = match shell {
        Shell::Bash => with_tail(buf, BASH_DYNAMIC),
        Shell::Zsh => zsh_with_dynamic(buf),
        Shell::Fish => with_tail(buf, FISH_DYNAMIC),
        _ => buf,
    };
    ctx.ui.write_stdout(&script)
}

fn with_tail(mut script: Vec<u8>, tail: &str) -> Vec<u8> {
    script.extend_from_slice(tail.as_bytes());
    script
}

// The dynamic values are text from the database — a cycle may be called
// `Q4 $(touch x)`, and an imported file can hold any character — so every
// script treats them as data and never as code: `__values --null` ends each
// value with NUL (a name may hold a line break), the shell reads them without
// expanding anything (no `compgen -W`, no `eval`), and what goes onto the
// command line is quoted for it. Each script picks the kind of value from
// the word before the cursor, by the same table.

/// Bash: values are matched against the typed word in bash itself and quoted
/// with `printf %q` (or, inside a quote the word opened, by closing the quote
/// around each character that needs it). Bidirectional overrides, which
/// `%q` leaves alone, are written as their bytes.
const BASH_DYNAMIC: &str = r#"
# Dynamic values: handles, goal keys and cycle names come from the database.
# They are data, never code: read NUL-separated, matched against the typed
# word in bash itself (no compgen -W, no eval: nothing in a value is expanded
# or run) and quoted for the command line.
_yardstick_dynamic() {
    local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}" kind=""
    case "$prev" in
        --owner|--as|--person|--manager|--lead|--to|--from|--add) kind=handles ;;
        --team) kind=teams ;;
        --goal|--parent) kind=goals ;;
        --cycle) kind=cycles ;;
        checkin|show|edit|close|reopen|tree|measure|trend)
            case " ${COMP_WORDS[*]} " in
                *" appraise "*|*" appraisal "*) kind=cycles ;;
                *" people "*|*" person "*) kind=handles ;;
                *" team "*) kind=teams ;;
                *) kind=goals ;;
            esac ;;
        status|calibrate|finalize|open|ack|peers|review) kind=cycles ;;
    esac
    if [[ -n "$kind" && "$cur" != -* ]]; then
        _yardstick_complete_values "$kind" "$cur"
        return 0
    fi
    _yardstick "$@"
}

# COMPREPLY: the values of kind $1 that start with the word $2 as typed.
_yardstick_complete_values() {
    local word="$2" typed="" lead="" open="" c i value
    # What the typed word means to the shell, read without running anything:
    # quotes and backslashes removed. A quote still open at the end is kept
    # (readline completes inside it), with the text typed before it.
    for ((i = 0; i < ${#word}; i++)); do
        c="${word:i:1}"
        if [[ "$open" == "'" ]]; then
            if [[ "$c" == "'" ]]; then open=""; else typed+="$c"; fi
        elif [[ "$open" == '"' ]]; then
            case "$c${word:i+1:1}" in
                '"'*) open="" ;;
                '\"' | '\$' | '\`' | '\\') i=$((i + 1)); typed+="${word:i:1}" ;;
                *) typed+="$c" ;;
            esac
        elif [[ "$c" == "'" || "$c" == '"' ]]; then
            open="$c"; lead="$typed"
        elif [[ "$c" == '\' ]]; then
            i=$((i + 1)); typed+="${word:i:1}"
        else
            typed+="$c"
        fi
    done
    [[ -n "$open" ]] || lead=""
    COMPREPLY=()
    while IFS= read -r -d '' value; do
        [[ "$value" == "$typed"* ]] || continue
        _yardstick_quote "$open" "${value:${#lead}}"
        COMPREPLY+=("$_yardstick_quoted")
    done < <(command yardstick __values --null "$1" 2>/dev/null)
}

# _yardstick_quoted: $2 quoted to be typed after the open quote $1 (or none),
# so that the shell reads back exactly $2. Inside a quote, a character that
# needs escaping is written outside it ('…'$'\E''…'); readline closes the
# quote after the value unless the value already ends with it, so a value
# whose last character was escaped gets an empty '' to end with.
_yardstick_quote() {
    local open="$1" value="$2" out="" c q i escaped=""
    for ((i = 0; i < ${#value}; i++)); do
        c="${value:i:1}"
        escaped=""
        case "$c" in
            [[:alnum:]._-]) out+="$c"; continue ;;
            $'\342\200\252' | $'\342\200\253' | $'\342\200\254' | $'\342\200\255' | \
            $'\342\200\256' | $'\342\201\246' | $'\342\201\247' | $'\342\201\250' | \
            $'\342\201\251' | $'\342\200\250' | $'\342\200\251')
                _yardstick_bytes "$c"; q="$_yardstick_quoted" ;;
            *) printf -v q '%q' "$c" ;;
        esac
        if [[ -z "$open" ]]; then
            out+="$q"
        elif [[ "$c" == "$open" || "$q" == "\$'"* ]] ||
            [[ "$open" == '"' && ( "$c" == '\' || "$c" == '$' || "$c" == '`' || "$c" == '!' ) ]]; then
            out+="$open$q$open"
            escaped=1
        else
            out+="$c"
        fi
    done
    [[ -z "$escaped" ]] || out+="$open"
    _yardstick_quoted="$out"
}

# _yardstick_quoted: the character $1 as $'…' octal bytes.
_yardstick_bytes() {
    local LC_ALL=C
    printf -v _yardstick_quoted '%q' "$1"
}
complete -F _yardstick_dynamic -o bashdefault -o default yardstick
"#;

/// Zsh: `compadd` matches the values against what was typed and quotes what
/// it inserts. The function replaces clap's `compdef` at the end of the
/// script, both when the script is sourced and when it is autoloaded from
/// `fpath` as `_yardstick`.
const ZSH_DYNAMIC: &str = r#"
# Dynamic values: handles, goal keys and cycle names come from the database.
# They are data, never code: read NUL-separated and handed to compadd, which
# matches them against the typed word and quotes what it inserts.
_yardstick_dynamic() {
    local cur="${words[CURRENT]}" prev="${words[CURRENT-1]}" kind=""
    case "$prev" in
        --owner|--as|--person|--manager|--lead|--to|--from|--add) kind=handles ;;
        --team) kind=teams ;;
        --goal|--parent) kind=goals ;;
        --cycle) kind=cycles ;;
        checkin|show|edit|close|reopen|tree|measure|trend)
            case " ${words[*]} " in
                *" appraise "*|*" appraisal "*) kind=cycles ;;
                *" people "*|*" person "*) kind=handles ;;
                *" team "*) kind=teams ;;
                *) kind=goals ;;
            esac ;;
        status|calibrate|finalize|open|ack|peers|review) kind=cycles ;;
    esac
    if [[ -n "$kind" && "$cur" != -* ]]; then
        local -a values shown
        local v c
        values=( ${(0)"$(command yardstick __values --null "$kind" 2>/dev/null)"} )
        # The list shows controls as ^[ (the V flag), bidi overrides as \u{…}.
        for v in "${values[@]}"; do
            v="${(V)v}"
            for c in "${(@k)_yardstick_bidi}"; do
                v="${v//$c/$_yardstick_bidi[$c]}"
            done
            shown+=( "$v" )
        done
        compadd -d shown -- "${values[@]}"
        return
    fi
    _yardstick "$@"
}
typeset -gA _yardstick_bidi=(
    $'\342\200\252' '\u{202a}' $'\342\200\253' '\u{202b}' $'\342\200\254' '\u{202c}'
    $'\342\200\255' '\u{202d}' $'\342\200\256' '\u{202e}' $'\342\201\246' '\u{2066}'
    $'\342\201\247' '\u{2067}' $'\342\201\250' '\u{2068}' $'\342\201\251' '\u{2069}'
    $'\342\200\250' '\u{2028}' $'\342\200\251' '\u{2029}'
)

if [ "$funcstack[1]" = "_yardstick" ]; then
    compdef _yardstick_dynamic yardstick
    _yardstick_dynamic "$@"
else
    compdef _yardstick_dynamic yardstick
fi
"#;

/// The end of clap's zsh script, which [`ZSH_DYNAMIC`] replaces.
const ZSH_CLAP_TAIL: &str = r#"
if [ "$funcstack[1]" = "_yardstick" ]; then
    _yardstick "$@"
else
    compdef _yardstick yardstick
fi
"#;

/// Clap's zsh script with its closing `compdef` replaced by the dynamic one
/// (appended, if a newer clap_complete ends the script differently).
fn zsh_with_dynamic(script: Vec<u8>) -> Vec<u8> {
    let text = String::from_utf8_lossy(&script);
    match text.rfind(ZSH_CLAP_TAIL) {
        Some(at) => {
            let mut out = text[..at].to_string();
            out.push_str(ZSH_DYNAMIC);
            out.push_str(&text[at + ZSH_CLAP_TAIL.len()..]);
            out.into_bytes()
        }
        None => with_tail(script, ZSH_DYNAMIC),
    }
}

/// Fish: the values are completion candidates (`string split0` keeps line
/// breaks inside a value); fish matches them and escapes what it inserts. A
/// tab cannot be part of a candidate (it starts the description), so names
/// with one are not offered.
const FISH_DYNAMIC: &str = r#"
# Dynamic values: handles, goal keys and cycle names come from the database.
# They are data, never code: read NUL-separated as candidates, which fish
# matches against the typed word and escapes when it inserts one.
function __fish_yardstick_values
    # A tab separates a candidate from its description: a name with one
    # cannot be offered as itself, so it is left out.
    set -l values (command yardstick __values --null $argv[1] 2>/dev/null | string split0)
    for v in $values
        string match -q -- '*'\t'*' $v; or printf '%s\0' $v
    end | string split0
end
# The value a positional argument takes, from the word before it.
function __fish_yardstick_value_kind
    set -l words (commandline -opc)
    switch "$words[-1]"
        case checkin show edit close reopen tree measure trend
            if contains -- appraise $words; or contains -- appraisal $words
                echo cycles
            else if contains -- people $words; or contains -- person $words
                echo handles
            else if contains -- team $words
                echo teams
            else
                echo goals
            end
        case status calibrate finalize open ack peers review
            echo cycles
        case '*'
            return 1
    end
end
complete -c yardstick -f -n '__fish_yardstick_value_kind >/dev/null' -a '(__fish_yardstick_values (__fish_yardstick_value_kind))'
complete -c yardstick -l owner -l as -l person -l manager -l lead -l to -l from -l add -x -a '(__fish_yardstick_values handles)'
complete -c yardstick -l team -x -a '(__fish_yardstick_values teams)'
complete -c yardstick -l goal -l parent -x -a '(__fish_yardstick_values goals)'
complete -c yardstick -l cycle -x -a '(__fish_yardstick_values cycles)'
"#;

/// Print the values dynamic completion asks for: one per line, or each
/// followed by NUL with `--null`. A value that cannot be written that way (a
/// line break in a line, NUL anywhere — no command line can hold it) is left
/// out.
pub fn values(ctx: &Ctx, kind: &str, null: bool) -> Result<()> {
    let store = ctx.open_read()?;
    let list = crate::app::admin::completion_values(&*store.read(), kind)?;
    ctx.ui.write_stdout(&value_list(&list, null))
}

fn value_list(values: &[String], null: bool) -> Vec<u8> {
    let (end, unfit): (u8, &[char]) = if null {
        (0, &['\0'])
    } else {
        (b'\n', &['\0', '\n', '\r'])
    };
    let mut out = Vec::new();
    for v in values.iter().filter(|v| !v.contains(unfit)) {
        out.extend_from_slice(v.as_bytes());
        out.push(end);
    }
    out
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_zsh_dynamic_part_replaces_clap_s_compdef() {
        let mut cmd = super::super::examples::command();
        let mut buf = Vec::new();
        clap_complete::generate(Shell::Zsh, &mut cmd, "yardstick", &mut buf);
        let clap = String::from_utf8_lossy(&buf).into_owned();
        assert!(
            clap.ends_with(ZSH_CLAP_TAIL),
            "clap_complete ends the zsh script differently now"
        );
        let ours = String::from_utf8(zsh_with_dynamic(buf)).unwrap_or_default();
        assert!(ours.ends_with(ZSH_DYNAMIC));
        assert!(!ours.contains("compdef _yardstick yardstick"));
    }

    #[test]
    fn value_lists() {
        let v = |s: &[&str]| s.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let names = v(&["a b", "l1\nl2", "nul\0", "$(x)"]);
        assert_eq!(value_list(&names, false), b"a b\n$(x)\n");
        assert_eq!(value_list(&names, true), b"a b\0l1\nl2\0$(x)\0");
        assert_eq!(value_list(&[], true), b"");
    }
}

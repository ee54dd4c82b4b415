//! Text helpers the renderers share: numbers as people read them, units,
//! sparklines and text bars, the tone of a status word, and the visible form
//! of characters that must not reach a terminal as themselves.

use super::{Cell, ChartKind};
use chrono::NaiveDate;
use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether `c` must never reach a terminal (or a line-based reader) as
/// itself: the C0 controls (ESC starts escape sequences, CR and BS overwrite
/// what was shown, LF and tab break lines and columns), DEL, the C1 controls
/// U+0080–U+009F (U+009B is a one-character CSI), the bidirectional
/// embeddings, overrides and isolates U+202A–U+202E and U+2066–U+2069 (they
/// reorder what is shown), and the Unicode line and paragraph separators
/// U+2028 and U+2029 (line breaks some readers honour).
pub fn is_unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}'
        )
}

/// Append the visible escape of `c`: `\t`, `\n`, `\r`, `\e` (ESC), `\x07`
/// (the other ASCII controls and DEL, two hex digits), `\u{9b}` (anything
/// else, lowercase hex). Only called for [`is_unsafe_char`] characters, but
/// any character gets a well-formed escape.
pub(crate) fn push_escape(out: &mut String, c: char) {
    match c {
        '\t' => out.push_str("\\t"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\u{1b}' => out.push_str("\\e"),
        c if c.is_ascii() => {
            let _ = write!(out, "\\x{:02x}", u32::from(c));
        }
        c => {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        }
    }
}

/// `text` with every [unsafe character](is_unsafe_char) written as its
/// visible escape (`\e`, `\x07`, `\u{202e}`, …), except those `keep`
/// accepts, which stay as they are. Borrowed when there is nothing to escape.
///
/// ```
/// use yardstick::render::escape_unsafe;
/// assert_eq!(escape_unsafe("a\u{1b}[2Jb\n", |c| c == '\n'), "a\\e[2Jb\n");
/// assert_eq!(escape_unsafe("\u{202e}\u{7}\u{9b}", |_| false), "\\u{202e}\\x07\\u{9b}");
/// ```
pub fn escape_unsafe(text: &str, keep: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !text.chars().any(|c| is_unsafe_char(c) && !keep(c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe_char(c) && !keep(c) {
            push_escape(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Round percentage points to 2 decimals; non-finite values give `None`.
pub(crate) fn round2(points: f64) -> Option<f64> {
    if !points.is_finite() {
        return None;
    }
    let rounded = (points * 100.0).round() / 100.0;
    // No "-0" for tiny negative values.
    let rounded = if rounded == 0.0 { 0.0 } else { rounded };
    // Very large values overflow when scaled; they have no decimals anyway.
    if rounded.is_finite() {
        Some(rounded)
    } else {
        Some(points)
    }
}

/// The plain machine text of a number-like cell for CSV: shortest round-trip
/// floats, percentages rounded to 2 decimals, nothing for non-finite values.
pub(crate) fn plain_float(value: f64) -> String {
    if value.is_finite() {
        format!("{value}")
    } else {
        String::new()
    }
}

/// Human text for a percentage: rounded to a whole number, "—" if not finite.
pub(crate) fn human_percent(points: f64) -> String {
    if !points.is_finite() {
        return "—".to_owned();
    }
    let rounded = points.round();
    // Avoid "-0%".
    let rounded = if rounded == 0.0 { 0.0 } else { rounded };
    format!("{rounded:.0}%")
}

/// Human text for a float: at most 2 decimals, trailing zeros dropped.
pub(crate) fn human_float(value: f64) -> String {
    if !value.is_finite() {
        return "—".to_owned();
    }
    let s = format!("{value:.2}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    };
    if s == "-0" { "0".to_owned() } else { s }
}

/// The human text of a cell without any decoration (no bars, no indentation,
/// no colour): used by Markdown and as the basis of table cells.
pub(crate) fn human_text(cell: &Cell) -> String {
    match cell {
        Cell::Null => "—".to_owned(),
        Cell::Text(s) | Cell::Status(s) => s.clone(),
        Cell::Tree { text, .. } => text.clone(),
        Cell::Int(i) => i.to_string(),
        Cell::Float(f) => human_float(*f),
        Cell::Percent(p) | Cell::Progress(p) => human_percent(*p),
        Cell::Date(d) => iso_date(*d),
        Cell::Bool(b) => if *b { "yes" } else { "no" }.to_owned(),
        Cell::Sparkline(values) => sparkline(values),
    }
}

/// The eight block heights of a sparkline, lowest first.
pub(crate) const SPARK_BLOCKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// A unicode sparkline of `values` (oldest first), one block per finite value,
/// scaled from the smallest (`▁`) to the largest (`█`). A flat series is drawn
/// at mid-height (`▄`); no finite value gives `—`.
///
/// ```
/// use yardstick::render::sparkline;
/// assert_eq!(sparkline(&[1.0, 2.0, 3.0, 8.0]), "▁▂▃█");
/// assert_eq!(sparkline(&[5.0, 5.0]), "▄▄");
/// assert_eq!(sparkline(&[f64::NAN]), "—");
/// ```
pub fn sparkline(values: &[f64]) -> String {
    let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    let Some((lo, hi)) = finite_range(&finite) else {
        return "—".to_owned();
    };
    let top = SPARK_BLOCKS.len() - 1;
    finite
        .iter()
        .map(|v| {
            let index = if hi > lo {
                // fraction() is within 0..=1, so the index is within 0..=top.
                (fraction(*v, lo, hi) * top as f64).round() as usize
            } else {
                top / 2
            };
            SPARK_BLOCKS[index.min(top)]
        })
        .collect()
}

/// The smallest and largest finite value, if there is one.
pub(crate) fn finite_range(values: &[f64]) -> Option<(f64, f64)> {
    values
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .fold(None, |acc, v| match acc {
            None => Some((v, v)),
            Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
        })
}

/// Where `v` lies between `lo` and `hi` (`lo < hi`, all finite), from 0 to 1,
/// computed on halves so that no difference overflows. 0.5 when undefined.
pub(crate) fn fraction(v: f64, lo: f64, hi: f64) -> f64 {
    let t = (v / 2.0 - lo / 2.0) / (hi / 2.0 - lo / 2.0);
    if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.5
    }
}

/// How a status word is coloured: the same groups in tables (colours) and
/// HTML (badges).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tone {
    /// on-track, meets, exceeds, achieved, active, done, ok.
    Good,
    /// at-risk, below, draft, pending.
    Warn,
    /// off-track, unacceptable, missed, overdue.
    Bad,
    /// dropped, archived, closed.
    Muted,
}

/// The tone of a status word, if it has one (see [`crate::domain::types::sentiment`]).
pub(crate) fn status_tone(word: &str) -> Option<Tone> {
    use crate::domain::types::{Sentiment, sentiment};
    Some(match sentiment(word)? {
        Sentiment::Good => Tone::Good,
        Sentiment::Warn => Tone::Warn,
        Sentiment::Bad => Tone::Bad,
        Sentiment::Muted => Tone::Muted,
    })
}

/// A number followed by its unit: `42 kg`, `50%` (no space before `%`), `—`
/// when not finite.
pub(crate) fn with_unit(value: f64, unit: Option<&str>) -> String {
    let number = human_float(value);
    match unit.map(str::trim) {
        _ if !value.is_finite() => number,
        None | Some("") => number,
        Some("%") => format!("{number}%"),
        Some(u) => format!("{number} {u}"),
    }
}

/// The one-line text form of a trend: `▁▃▅ latest 42 kg → target 50 kg by
/// 2025-06-30 · forecast 48 kg on 2025-06-30`.
pub(crate) fn trend_summary(kind: &ChartKind) -> String {
    let ChartKind::Trend {
        unit,
        points,
        target,
        due,
        forecast,
        ..
    } = kind
    else {
        return String::new();
    };
    let unit = unit.as_deref();
    let mut sorted: Vec<(NaiveDate, f64)> = points
        .iter()
        .copied()
        .filter(|(_, v)| v.is_finite())
        .collect();
    sorted.sort_by_key(|(d, _)| *d);
    let values: Vec<f64> = sorted.iter().map(|(_, v)| *v).collect();
    let mut line = match sorted.last() {
        Some((date, v)) => format!(
            "{}  latest {} ({})",
            sparkline(&values),
            with_unit(*v, unit),
            iso_date(*date)
        ),
        None => "no values yet".to_owned(),
    };
    line.push_str(" → target ");
    line.push_str(&with_unit(*target, unit));
    if let Some(due) = due {
        line.push_str(" by ");
        line.push_str(&iso_date(*due));
    }
    if let Some((date, v)) = forecast
        && v.is_finite()
    {
        line.push_str(&format!(
            " · forecast {} on {}",
            with_unit(*v, unit),
            iso_date(*date)
        ));
    }
    line
}

/// Cells in the longest text bar of a bar chart.
pub(crate) const TEXT_BAR_CELLS: usize = 20;

/// The text form of bars: label, a `█` bar scaled to the largest value, and
/// the value with its unit. Negative and non-finite values get no bar.
pub(crate) fn text_bars(
    bars: &[(String, f64)],
    unit: Option<&str>,
) -> Vec<(String, String, String)> {
    let max = bars
        .iter()
        .map(|(_, v)| *v)
        .filter(|v| v.is_finite())
        .fold(0.0_f64, f64::max);
    bars.iter()
        .map(|(label, v)| {
            let cells = if max > 0.0 && v.is_finite() && *v > 0.0 {
                // fraction() is within 0..=1.
                (fraction(*v, 0.0, max) * TEXT_BAR_CELLS as f64).round() as usize
            } else {
                0
            };
            (
                label.clone(),
                "█".repeat(cells.min(TEXT_BAR_CELLS)),
                with_unit(*v, unit),
            )
        })
        .collect()
}

/// The names in grid cell (`row`, `col`), empty when missing.
pub(crate) fn grid_names(cells: &[Vec<Vec<String>>], row: usize, col: usize) -> &[String] {
    cells
        .get(row)
        .and_then(|r| r.get(col))
        .map_or(&[], Vec::as_slice)
}

/// A date as ISO-8601 (`2025-03-31`).
pub(crate) fn iso_date(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

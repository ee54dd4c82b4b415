//! Aligned tables for a terminal, through comfy-table.
//!
//! The table never asks the terminal anything (`force_no_tty`): the width and
//! whether to colour come from [`RenderOptions`].

use std::io::{self, Write};

use comfy_table::{
    Attribute, CellAlignment, Color, ColumnConstraint, ContentArrangement, LineStyle, TableStyle,
    Width,
};

use super::{
    Cell, Chart, ChartKind, Doc, Part, Record, RenderOptions, Table, Tone, grid_names,
    human_percent, human_text, is_unsafe_char, push_escape, status_tone, text_bars, trend_summary,
};

/// Cells in a progress bar.
const BAR_CELLS: usize = 10;

/// Deeper tree levels are drawn at this depth (keeps lines bounded).
const MAX_TREE_DEPTH: usize = 24;

/// Status words up to this many characters never wrap.
const RIGID_STATUS_CHARS: usize = 24;

/// Text columns are not squeezed below this to keep numbers unwrapped.
const MIN_TEXT_WIDTH: usize = 12;

/// No outer borders, no column rules, a thin rule under the header: reads
/// like `gh` or `task` output.
const STYLE: TableStyle = TableStyle::new().header_separator(LineStyle::none().fill('─'));

/// Text for the terminal: line breaks stay (a cell may have several lines;
/// CR and CRLF become LF, so nothing returns the cursor to overwrite what was
/// shown), a tab becomes a space (it would break the columns), and every
/// other [unsafe character](is_unsafe_char) — ESC, the other controls, DEL,
/// C1, bidirectional overrides — is shown as its escape (`\e`, `\x07`,
/// `\u{202e}`), so that no text from the data can drive the terminal.
fn sanitize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' => out.push('\n'),
            '\t' => out.push(' '),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push('\n');
            }
            c if is_unsafe_char(c) => push_escape(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

/// A 10-cell bar and the (real, unclamped) percentage: `█████░░░░░  50%`.
fn progress_bar(points: f64) -> String {
    if !points.is_finite() {
        return "—".to_owned();
    }
    let filled = (points.clamp(0.0, 100.0) / 100.0 * BAR_CELLS as f64).round();
    // filled is within 0..=10 after the clamp.
    let filled = if filled >= 0.0 { filled as usize } else { 0 }.min(BAR_CELLS);
    format!(
        "{}{} {:>4}",
        "█".repeat(filled),
        "░".repeat(BAR_CELLS - filled),
        human_percent(points)
    )
}

/// The colour of a status word, if it has one.
fn status_style(word: &str) -> Option<(Option<Color>, Option<Attribute>)> {
    Some(match status_tone(word)? {
        Tone::Good => (Some(Color::DarkGreen), None),
        Tone::Warn => (Some(Color::DarkYellow), None),
        Tone::Bad => (Some(Color::DarkRed), None),
        Tone::Muted => (None, Some(Attribute::Dim)),
    })
}

/// The guides drawn before each tree node of a column, from the depths of
/// the rows in depth-first order: `├─ ` for a node with a later sibling,
/// `└─ ` for the last one, and `│  ` where an ancestor's siblings continue.
fn tree_guides(depths: &[Option<usize>]) -> Vec<String> {
    let depths: Vec<Option<usize>> = depths
        .iter()
        .map(|d| d.map(|d| d.min(MAX_TREE_DEPTH)))
        .collect();
    // Whether a node at `level` follows row `i` before the tree climbs above `level`.
    let continues = |i: usize, level: usize| -> bool {
        for d in depths[i + 1..].iter().flatten() {
            if *d < level {
                return false;
            }
            if *d == level {
                return true;
            }
        }
        false
    };
    depths
        .iter()
        .enumerate()
        .map(|(i, d)| match d {
            None | Some(0) => String::new(),
            Some(d) => {
                let mut prefix: String = (1..*d)
                    .map(|level| if continues(i, level) { "│  " } else { "   " })
                    .collect();
                prefix.push_str(if continues(i, *d) {
                    "├─ "
                } else {
                    "└─ "
                });
                prefix
            }
        })
        .collect()
}

/// One comfy-table cell for a value; `guide` is drawn before a tree node.
fn table_cell(cell: &Cell, color: bool, guide: &str) -> comfy_table::Cell {
    let text = match cell {
        Cell::Progress(p) => progress_bar(*p),
        Cell::Tree { text, .. } => format!("{guide}{}", sanitize(text)),
        other => sanitize(&human_text(other)),
    };
    let mut out = comfy_table::Cell::new(text);
    if cell.is_numeric() {
        out = out.set_alignment(CellAlignment::Right);
    }
    if color {
        match cell {
            Cell::Null => out = out.add_attribute(Attribute::Dim),
            Cell::Status(word) => {
                if let Some((fg, attr)) = status_style(word) {
                    if let Some(fg) = fg {
                        out = out.fg(fg);
                    }
                    if let Some(attr) = attr {
                        out = out.add_attribute(attr);
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// A fresh comfy-table with our style, width and colour decisions.
fn new_table(opts: &RenderOptions) -> comfy_table::Table {
    let mut t = comfy_table::Table::new();
    t.force_no_tty();
    if opts.color {
        t.enforce_styling();
        t.style_text_only();
    }
    t.load_style(STYLE);
    match opts.width {
        Some(w) => {
            t.set_content_arrangement(ContentArrangement::Dynamic);
            t.set_width(w);
        }
        None => {
            t.set_content_arrangement(ContentArrangement::Disabled);
        }
    }
    t
}

/// Two spaces between columns, none at the edges.
fn set_padding(t: &mut comfy_table::Table) {
    let n = t.column_iter().count();
    for (i, col) in t.column_iter_mut().enumerate() {
        col.set_padding((0, if i + 1 == n { 0 } else { 2 }));
    }
}

fn header_cell(label: &str, color: bool) -> comfy_table::Cell {
    let cell = comfy_table::Cell::new(sanitize(label));
    if color {
        cell.add_attribute(Attribute::Bold)
    } else {
        cell
    }
}

/// Whether column `index` holds only short values that must not wrap
/// (numbers, bars, dates, booleans, short status words): only text wraps.
fn rigid_column(table: &Table, index: usize) -> bool {
    table.rows.iter().all(|row| match row.get(index) {
        None
        | Some(
            Cell::Null
            | Cell::Int(_)
            | Cell::Float(_)
            | Cell::Percent(_)
            | Cell::Progress(_)
            | Cell::Date(_)
            | Cell::Bool(_)
            | Cell::Sparkline(_),
        ) => true,
        Some(Cell::Status(s)) => s.chars().count() <= RIGID_STATUS_CHARS,
        Some(Cell::Text(_) | Cell::Tree { .. }) => false,
    })
}

/// The widest line of column `index`, header included, in characters.
fn content_width(t: &comfy_table::Table, index: usize) -> usize {
    let widest = |cell: &comfy_table::Cell| {
        cell.content()
            .lines()
            .map(|l| l.chars().count())
            .max()
            .unwrap_or(0)
    };
    let header = t
        .header()
        .and_then(|h| h.cell_iter().nth(index))
        .map_or(0, widest);
    t.row_iter()
        .filter_map(|r| r.cell_iter().nth(index))
        .map(widest)
        .fold(header, usize::max)
}

fn build_table(table: &Table, opts: &RenderOptions) -> comfy_table::Table {
    let mut t = new_table(opts);
    t.set_header(
        table
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let cell = header_cell(c.label, opts.color);
                if table.numeric_column(i) {
                    cell.set_alignment(CellAlignment::Right)
                } else {
                    cell
                }
            })
            .collect::<Vec<_>>(),
    );
    let guides: Vec<Vec<String>> = (0..table.columns.len())
        .map(|i| {
            let depths: Vec<Option<usize>> = table
                .rows
                .iter()
                .map(|r| match r.get(i) {
                    Some(Cell::Tree { depth, .. }) => Some(*depth),
                    _ => None,
                })
                .collect();
            tree_guides(&depths)
        })
        .collect();
    for (r, row) in table.rows.iter().enumerate() {
        t.add_row(
            table
                .cells(row)
                .enumerate()
                .map(|(i, c)| table_cell(c, opts.color, &guides[i][r]))
                .collect::<Vec<_>>(),
        );
    }
    // Rigid columns keep their content width as long as the text columns
    // are left at least MIN_TEXT_WIDTH each; past that, everything wraps.
    let n = table.columns.len();
    let rigid: Vec<bool> = (0..n).map(|i| rigid_column(table, i)).collect();
    let widths: Vec<usize> = (0..n).map(|i| content_width(&t, i)).collect();
    let text_columns = rigid.iter().filter(|r| !**r).count();
    let mut budget = opts.width.map_or(usize::MAX, |w| {
        usize::from(w).saturating_sub(text_columns * (MIN_TEXT_WIDTH + 2))
    });
    for i in 0..n {
        let keep = rigid[i] && {
            let need = widths[i] + 2;
            if need <= budget {
                budget -= need;
                true
            } else {
                false
            }
        };
        if let Some(col) = t.column_mut(i) {
            if table.numeric_column(i) {
                col.set_cell_alignment(CellAlignment::Right);
            }
            if keep {
                col.set_constraint(ColumnConstraint::ContentWidth);
            } else if !rigid[i] && opts.width.is_some() {
                let floor = widths[i].min(MIN_TEXT_WIDTH);
                let floor = u16::try_from(floor).unwrap_or(u16::MAX);
                col.set_constraint(ColumnConstraint::LowerBoundary(Width::Fixed(floor)));
            }
        }
    }
    set_padding(&mut t);
    t
}

fn build_record(record: &Record, opts: &RenderOptions) -> comfy_table::Table {
    let mut t = new_table(opts);
    for (col, cell) in &record.fields {
        let mut value = table_cell(cell, opts.color, "");
        // A record is read top to bottom: values line up on the left.
        value = value.set_alignment(CellAlignment::Left);
        t.add_row(vec![header_cell(col.label, opts.color), value]);
    }
    set_padding(&mut t);
    t
}

fn write_lines(t: &comfy_table::Table, out: &mut dyn Write) -> io::Result<()> {
    for line in t.lines() {
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

fn write_title(title: &str, color: bool, out: &mut dyn Write) -> io::Result<()> {
    let title = sanitize(title).replace('\n', " ");
    if color {
        writeln!(out, "\x1b[1m{title}\x1b[0m")
    } else {
        writeln!(out, "{title}")
    }
}

/// The text form of a chart: a trend's sparkline and summary line, one `█`
/// bar per line, or a grid as a small table.
fn write_chart(chart: &Chart, opts: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    match &chart.kind {
        ChartKind::Trend { .. } => {
            writeln!(
                out,
                "{}",
                sanitize(&trend_summary(&chart.kind)).replace('\n', " ")
            )
        }
        ChartKind::Bars { unit, bars } => {
            let lines = text_bars(bars, unit.as_deref());
            let labels: Vec<String> = lines
                .iter()
                .map(|(l, _, _)| sanitize(l).replace('\n', " "))
                .collect();
            let width = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0);
            for (label, (_, bar, value)) in labels.iter().zip(&lines) {
                let pad = width - label.chars().count();
                let value = sanitize(value).replace('\n', " ");
                let line = format!("{label}{}  {bar} {value}", " ".repeat(pad));
                writeln!(out, "{}", line.trim_end())?;
            }
            Ok(())
        }
        ChartKind::Grid {
            row_label,
            col_label,
            rows,
            cols,
            cells,
        } => {
            let mut t = new_table(opts);
            let corner = format!("{row_label} ↓ {col_label} →");
            t.set_header(
                std::iter::once(header_cell(&corner, opts.color))
                    .chain(cols.iter().map(|c| header_cell(c, opts.color)))
                    .collect::<Vec<_>>(),
            );
            for (r, row) in rows.iter().enumerate() {
                let mut line = vec![header_cell(row, opts.color)];
                for c in 0..cols.len() {
                    let names = grid_names(cells, r, c);
                    let text = if names.is_empty() {
                        "—".to_owned()
                    } else {
                        names.join(", ")
                    };
                    line.push(comfy_table::Cell::new(sanitize(&text)));
                }
                t.add_row(line);
            }
            set_padding(&mut t);
            write_lines(&t, out)
        }
    }
}

/// Each part under its title, parts separated by a blank line; the first
/// table, when empty, replaced by the document's empty message if it has one.
pub(super) fn render(doc: &Doc, opts: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    let first_table = doc.parts.iter().position(|p| matches!(p, Part::Table(_)));
    for (i, part) in doc.parts.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        if let Some(title) = part.title() {
            write_title(title, opts.color, out)?;
        }
        match part {
            Part::Table(t) => {
                if Some(i) == first_table
                    && t.rows.is_empty()
                    && let Some(message) = &doc.empty_message
                {
                    writeln!(out, "{}", sanitize(message))?;
                } else {
                    write_lines(&build_table(t, opts), out)?;
                }
            }
            Part::Record(r) => write_lines(&build_record(r, opts), out)?,
            Part::Chart(c) => write_chart(c, opts, out)?,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tree_guides_mark_siblings_and_continuations() {
        let g = tree_guides(&[Some(0), Some(1), Some(2), Some(2), Some(1), Some(2), None]);
        assert_eq!(g, vec!["", "├─ ", "│  ├─ ", "│  └─ ", "└─ ", "   └─ ", ""]);
    }

    #[test]
    fn bars() {
        assert_eq!(progress_bar(50.0), "█████░░░░░  50%");
        assert_eq!(progress_bar(0.0), "░░░░░░░░░░   0%");
        assert_eq!(progress_bar(100.0), "██████████ 100%");
        assert_eq!(progress_bar(-20.0), "░░░░░░░░░░ -20%");
        assert_eq!(progress_bar(250.0), "██████████ 250%");
        assert_eq!(progress_bar(f64::NAN), "—");
    }

    #[test]
    fn sanitizes_control_characters() {
        assert_eq!(sanitize("a\x1b[31mb"), "a\\e[31mb");
        assert_eq!(sanitize("a\tb\r\nc\rd"), "a b\nc\nd");
        assert_eq!(sanitize("\u{202E}x\u{2066}"), "\\u{202e}x\\u{2066}");
        assert_eq!(sanitize("\0\u{7}\u{8}\u{7f}"), "\\x00\\x07\\x08\\x7f");
        assert_eq!(sanitize("\u{9b}2J\u{85}"), "\\u{9b}2J\\u{85}");
        assert_eq!(sanitize("\u{2028}é ✓ 日本"), "\\u{2028}é ✓ 日本");
    }

    #[test]
    fn status_colours() {
        assert!(status_style("on-track").is_some());
        assert!(status_style("At Risk").is_some());
        assert!(status_style("whatever").is_none());
    }
}

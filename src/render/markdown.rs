//! GitHub-flavoured Markdown pipe tables.
//!
//! Every `<` from the data is written `\<` (a CommonMark escape that shows
//! as `<`), so no text can become raw HTML when the Markdown is rendered.

use std::io::{self, Write};

use super::{Cell, Chart, ChartKind, Doc, Part, grid_names, human_text, text_bars, trend_summary};

/// Escape a cell's text for a pipe table: backslashes, `|` and `<` are
/// escaped, line breaks become `<br>`.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            '|' => out.push_str("\\|"),
            '<' => out.push_str("\\<"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("<br>");
            }
            '\n' => out.push_str("<br>"),
            _ => out.push(c),
        }
    }
    out
}

/// Escape text for a line of its own (a heading, a list item, a paragraph):
/// Markdown punctuation is backslash-escaped, line breaks become spaces.
fn escape_inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '~' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '\r' | '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Escape a heading: backslashes and `<` are escaped, line breaks become
/// spaces.
fn escape_title(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '<' => {
                out.push('\\');
                out.push(c);
            }
            '\r' | '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A chart's text form: a trend's summary line, a list of bars, or a grid as
/// a pipe table.
fn write_chart(chart: &Chart, out: &mut dyn Write) -> io::Result<()> {
    match &chart.kind {
        ChartKind::Trend { .. } => writeln!(out, "{}", escape_inline(&trend_summary(&chart.kind))),
        ChartKind::Bars { unit, bars } => {
            for (label, bar, value) in text_bars(bars, unit.as_deref()) {
                let line = format!(
                    "- {}: {bar} {}",
                    escape_inline(&label),
                    escape_inline(&value)
                );
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
            let corner = format!("{} ↓ {} →", escape(row_label), escape(col_label));
            write_row(
                out,
                std::iter::once(corner).chain(cols.iter().map(|c| escape(c))),
            )?;
            write_row(out, (0..=cols.len()).map(|_| "---".to_owned()))?;
            for (r, row) in rows.iter().enumerate() {
                let names = (0..cols.len()).map(|c| {
                    let names = grid_names(cells, r, c);
                    if names.is_empty() {
                        "—".to_owned()
                    } else {
                        escape(&names.join(", "))
                    }
                });
                write_row(out, std::iter::once(escape(row)).chain(names))?;
            }
            Ok(())
        }
    }
}

fn cell_text(cell: &Cell) -> String {
    escape(&human_text(cell))
}

fn write_row<I: IntoIterator<Item = String>>(out: &mut dyn Write, cells: I) -> io::Result<()> {
    let mut line = String::from("|");
    for c in cells {
        line.push(' ');
        line.push_str(&c);
        line.push_str(" |");
    }
    line.push('\n');
    out.write_all(line.as_bytes())
}

/// One table per part, separated by blank lines, each under an optional
/// `### title`.
pub(super) fn render(doc: &Doc, out: &mut dyn Write) -> io::Result<()> {
    for (i, part) in doc.parts.iter().enumerate() {
        if i > 0 {
            out.write_all(b"\n")?;
        }
        if let Some(title) = part.title() {
            writeln!(out, "### {}", escape_title(title))?;
            writeln!(out)?;
        }
        match part {
            Part::Record(r) => {
                write_row(out, ["Field".to_owned(), "Value".to_owned()])?;
                write_row(out, ["---".to_owned(), "---".to_owned()])?;
                for (col, cell) in &r.fields {
                    write_row(out, [escape(col.label), cell_text(cell)])?;
                }
            }
            Part::Table(t) => {
                if t.columns.is_empty() {
                    continue;
                }
                write_row(out, t.columns.iter().map(|c| escape(c.label)))?;
                write_row(
                    out,
                    (0..t.columns.len())
                        .map(|i| if t.numeric_column(i) { "---:" } else { "---" }.to_owned()),
                )?;
                for row in &t.rows {
                    write_row(out, t.cells(row).map(cell_text))?;
                }
            }
            Part::Chart(c) => write_chart(c, out)?,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(escape("a|b"), "a\\|b");
        assert_eq!(escape("a\r\nb\nc\rd"), "a<br>b<br>c<br>d");
        assert_eq!(escape("C:\\x"), "C:\\\\x");
        assert_eq!(escape("<script>"), "\\<script>");
        assert_eq!(escape_inline("# *a* <b>\nc"), "\\# \\*a\\* \\<b\\> c");
        assert_eq!(escape_title("a\\<b\n"), "a\\\\\\<b ");
    }
}

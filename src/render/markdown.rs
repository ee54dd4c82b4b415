//! GitHub-flavoured Markdown pipe tables.
//!
//! Every text from the data is written so that it renders as itself (see
//! `escape`): the ASCII punctuation that can start markup — links and
//! images (`[`, `]`, `!`), autolinks and raw HTML (`<`, `>`), entities (`&`
//! before a letter, digit or `#`), code (`` ` ``), emphasis (`*`, `_`, `~`),
//! headings (`#`), table cells (`|`) and the backslash itself — is
//! backslash-escaped; a line break is `<br>` in a cell and a space elsewhere,
//! a tab a space, and control characters are shown as visible escapes (`\e`,
//! `\x07`, `\u{202e}`). Bare URLs (`https://…`) are left as they are: GitHub
//! links them, showing the address itself.

use std::io::{self, Write};

use super::{
    Cell, Chart, ChartKind, Doc, Part, grid_names, human_text, is_unsafe_char, push_escape,
    text_bars, trend_summary,
};

/// Where a text from the data goes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    /// A pipe-table cell: a line break becomes `<br>`.
    Cell,
    /// Inside a line (a heading, the rest of a list item): a line break
    /// becomes a space.
    Inline,
    /// The start of a list item's text: as `Inline`, and a leading `-`, `+`
    /// or `1.` / `1)` is escaped so that it cannot start a nested list.
    ItemStart,
}

/// Escape `text` so that Markdown renders it literally (see the module
/// documentation); a tab becomes a space.
fn escape(text: &str, place: Place) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut chars = text.chars().peekable();
    if place == Place::ItemStart {
        let digits = text.chars().take_while(char::is_ascii_digit).count();
        let marker = text.chars().nth(digits);
        if digits == 0 && matches!(marker, Some('-' | '+')) {
            out.push('\\');
        } else if digits > 0 && matches!(marker, Some('.' | ')')) {
            for _ in 0..digits {
                if let Some(d) = chars.next() {
                    out.push(d);
                }
            }
            out.push('\\');
        }
    }
    while let Some(c) = chars.next() {
        match c {
            '\\' | '`' | '*' | '_' | '~' | '[' | ']' | '<' | '>' | '!' | '|' | '#' => {
                out.push('\\');
                out.push(c);
            }
            // Only where it could start an entity (`&amp;`, `&#x202e;`).
            '&' if chars
                .peek()
                .is_some_and(|n| *n == '#' || n.is_ascii_alphanumeric()) =>
            {
                out.push_str("\\&");
            }
            '\r' | '\n' => {
                if c == '\r' && chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str(if place == Place::Cell { "<br>" } else { " " });
            }
            '\t' => out.push(' '),
            c if is_unsafe_char(c) => push_escape(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

/// A table cell's text.
fn cell(text: &str) -> String {
    escape(text, Place::Cell)
}

/// Text inside a line.
fn inline(text: &str) -> String {
    escape(text, Place::Inline)
}

/// A chart's text form: a trend's summary line, a list of bars, or a grid as
/// a pipe table.
fn write_chart(chart: &Chart, out: &mut dyn Write) -> io::Result<()> {
    match &chart.kind {
        ChartKind::Trend { .. } => writeln!(out, "{}", inline(&trend_summary(&chart.kind))),
        ChartKind::Bars { unit, bars } => {
            for (label, bar, value) in text_bars(bars, unit.as_deref()) {
                let line = format!(
                    "- {}: {bar} {}",
                    escape(&label, Place::ItemStart),
                    inline(&value)
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
            let corner = format!("{} ↓ {} →", cell(row_label), cell(col_label));
            write_row(
                out,
                std::iter::once(corner).chain(cols.iter().map(|c| cell(c))),
            )?;
            write_row(out, (0..=cols.len()).map(|_| "---".to_owned()))?;
            for (r, row) in rows.iter().enumerate() {
                let names = (0..cols.len()).map(|c| {
                    let names = grid_names(cells, r, c);
                    if names.is_empty() {
                        "—".to_owned()
                    } else {
                        cell(&names.join(", "))
                    }
                });
                write_row(out, std::iter::once(cell(row)).chain(names))?;
            }
            Ok(())
        }
    }
}

fn cell_text(value: &Cell) -> String {
    cell(&human_text(value))
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
            writeln!(out, "### {}", inline(title))?;
            writeln!(out)?;
        }
        match part {
            Part::Record(r) => {
                write_row(out, ["Field".to_owned(), "Value".to_owned()])?;
                write_row(out, ["---".to_owned(), "---".to_owned()])?;
                for (col, value) in &r.fields {
                    write_row(out, [cell(col.label), cell_text(value)])?;
                }
            }
            Part::Table(t) => {
                if t.columns.is_empty() {
                    continue;
                }
                write_row(out, t.columns.iter().map(|c| cell(c.label)))?;
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
        assert_eq!(cell("a|b"), "a\\|b");
        assert_eq!(cell("a\r\nb\nc\rd"), "a<br>b<br>c<br>d");
        assert_eq!(cell("C:\\x"), "C:\\\\x");
        assert_eq!(cell("<script>"), "\\<script\\>");
        assert_eq!(inline("# *a* <b>\nc"), "\\# \\*a\\* \\<b\\> c");
        assert_eq!(inline("a\\<b\n"), "a\\\\\\<b ");
    }

    #[test]
    fn links_images_and_markup_from_the_data_stay_text() {
        assert_eq!(cell("[click](http://evil)"), "\\[click\\](http://evil)");
        assert_eq!(cell("![x](http://t/p.png)"), "\\!\\[x\\](http://t/p.png)");
        assert_eq!(cell("<http://evil>"), "\\<http://evil\\>");
        assert_eq!(
            cell("`code` *em* _em_ ~~del~~"),
            "\\`code\\` \\*em\\* \\_em\\_ \\~\\~del\\~\\~"
        );
        assert_eq!(cell("&#x202e; &amp;"), "\\&\\#x202e; \\&amp;");
        assert_eq!(cell("[a][ref]"), "\\[a\\]\\[ref\\]");
        assert_eq!(cell("R&D & co &"), "R\\&D & co &");
    }

    #[test]
    fn control_characters_are_shown_as_escapes() {
        assert_eq!(cell("a\u{1b}[31mb\u{7}"), "a\\e\\[31mb\\x07");
        assert_eq!(inline("\u{202e}x\u{9b}\t"), "\\u{202e}x\\u{9b} ");
        assert_eq!(cell("\0\u{7f}\u{2028}"), "\\x00\\x7f\\u{2028}");
    }

    #[test]
    fn list_items_cannot_start_a_nested_list() {
        assert_eq!(escape("- x", Place::ItemStart), "\\- x");
        assert_eq!(escape("+ x", Place::ItemStart), "\\+ x");
        assert_eq!(escape("12. x", Place::ItemStart), "12\\. x");
        assert_eq!(escape("3) x", Place::ItemStart), "3\\) x");
        assert_eq!(escape("2026 plan", Place::ItemStart), "2026 plan");
        assert_eq!(escape("x-1", Place::ItemStart), "x-1");
        assert_eq!(escape("-", Place::Inline), "-");
    }
}

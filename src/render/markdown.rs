//! GitHub-flavoured Markdown pipe tables.

use std::io::{self, Write};

use super::{Cell, Doc, Part, human_text};

/// Escape a cell's text for a pipe table: backslashes and `|` are escaped,
/// line breaks become `<br>`.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            '|' => out.push_str("\\|"),
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
            let title = title.replace(['\r', '\n'], " ");
            writeln!(out, "### {title}")?;
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
    }
}

//! One self-contained HTML page: inline CSS, inline SVG charts, no script and
//! no external URL of any kind, printable.
//!
//! Every text that comes from the data — titles, labels, cells, units, the
//! empty message — goes through [`escape`], in HTML and in SVG alike, so no
//! content can add markup. Numbers are written as the table renderer writes
//! them; non-finite numbers show `—` (or the element is not drawn): the page
//! never contains `NaN` or `inf`.

mod charts;

use std::io::{self, Write};

use super::{
    Cell, Doc, Part, Record, Table, Tone, human_float, human_percent, human_text, iso_date,
    status_tone,
};

/// Deeper tree levels are indented as this depth.
const MAX_TREE_DEPTH: usize = 24;

/// The style sheet: neutral system fonts (no web fonts, no `url()`), readable
/// on screen, and print rules that keep rows, records and charts whole.
const STYLE: &str = "\
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #fff; color: #1f2328; line-height: 1.45; font-size: 15px;
  font-family: system-ui, -apple-system, \"Segoe UI\", Roboto, \"Helvetica Neue\", Arial, sans-serif; }
main { max-width: 72rem; margin: 0 auto; padding: 2rem 1.5rem 3rem; }
h1 { font-size: 1.6rem; margin: 0 0 1.5rem; }
h2 { font-size: 1.15rem; margin: 2rem 0 .6rem; break-after: avoid; page-break-after: avoid; }
section.part { margin: 0 0 1.5rem; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
table.data, table.grid { width: 100%; }
th, td { text-align: left; vertical-align: top; padding: .3rem .6rem; border-bottom: 1px solid #d8dee4; }
thead th { border-bottom: 2px solid #57606a; font-weight: 600; white-space: nowrap; }
table.record th { font-weight: 600; color: #57606a; padding-right: 2rem; }
.num { text-align: right; white-space: nowrap; }
td.text { white-space: pre-line; overflow-wrap: break-word; hyphens: manual; }
td.spark { vertical-align: middle; }
.null { color: #8c959f; }
.badge { display: inline-block; padding: 0 .55em; border-radius: .8em; font-size: .85em;
  border: 1px solid #d0d7de; background: #f6f8fa; color: #1f2328; white-space: nowrap; }
.badge.good { color: #116329; background: #dafbe1; border-color: #4ac26b; }
.badge.warn { color: #7d4e00; background: #fff8c5; border-color: #d4a72c; }
.badge.bad { color: #a40e26; background: #ffebe9; border-color: #ff8182; }
.badge.muted { color: #57606a; background: #f6f8fa; border-color: #d0d7de; }
.progress { display: inline-flex; align-items: center; gap: .45em; white-space: nowrap; }
.progress svg, .spark { vertical-align: middle; }
.guide { color: #8c959f; }
.empty { color: #57606a; font-style: italic; }
figure.chart { margin: 0; break-inside: avoid; page-break-inside: avoid; }
figure.chart svg { display: block; width: 100%; max-width: 44rem; height: auto; }
svg text { font-family: inherit; font-size: 12px; fill: #57606a; }
svg text.label { fill: #1f2328; }
p.summary { color: #57606a; margin: .3rem 0 0; font-size: .9em; }
table.grid { table-layout: fixed; }
table.grid th.corner { color: #57606a; font-weight: 400; font-size: .85em; }
table.grid td { height: 4.5rem; border: 1px solid #d0d7de; }
table.grid td ul { margin: 0; padding: 0; list-style: none; }
table.grid td.low { background: #fff1f0; }
table.grid td.mid { background: #fffbe6; }
table.grid td.high { background: #eefbf1; }
table.grid .count { float: right; color: #8c959f; font-size: .8em; }
@media print {
  body { font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  tr, table.record, figure.chart, table.grid { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  h1, h2 { break-after: avoid; page-break-after: avoid; }
  * { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
  @page { margin: 1.5cm; }
}
";

/// Escape text for HTML and SVG, in content and in quoted attributes: `&`,
/// `<`, `>`, `"` and `'` become references, CR and CRLF become LF, other
/// control characters become `�`.
pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\t' => out.push(c),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push('\n');
            }
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// The CSS class of a status tone.
fn tone_class(tone: Option<Tone>) -> &'static str {
    match tone {
        Some(Tone::Good) => "badge good",
        Some(Tone::Warn) => "badge warn",
        Some(Tone::Bad) => "badge bad",
        Some(Tone::Muted) => "badge muted",
        None => "badge",
    }
}

/// The class and the inner HTML of a table cell.
fn cell_html(cell: &Cell) -> (&'static str, String) {
    match cell {
        Cell::Null => ("null", "<span class=\"null\">—</span>".to_owned()),
        Cell::Text(t) => ("text", escape(t)),
        Cell::Int(i) => ("num", i.to_string()),
        Cell::Float(f) => ("num", escape(&human_float(*f))),
        Cell::Percent(p) => ("num", escape(&human_percent(*p))),
        Cell::Progress(p) => ("num", charts::progress(*p)),
        Cell::Date(d) => {
            let iso = iso_date(*d);
            ("date", format!("<time datetime=\"{iso}\">{iso}</time>"))
        }
        Cell::Bool(_) => ("bool", escape(&human_text(cell))),
        Cell::Status(word) => (
            "status",
            format!(
                "<span class=\"{}\">{}</span>",
                tone_class(status_tone(word)),
                escape(word)
            ),
        ),
        Cell::Tree { depth, text } => {
            let depth = (*depth).min(MAX_TREE_DEPTH);
            let html = if depth == 0 {
                escape(text)
            } else {
                format!(
                    "<span style=\"padding-left: {}em\"><span class=\"guide\">└─ </span>{}</span>",
                    depth as f64 * 1.25,
                    escape(text)
                )
            };
            ("tree", html)
        }
        Cell::Sparkline(values) => ("spark", charts::sparkline(values)),
    }
}

fn push_td(html: &mut String, cell: &Cell) {
    let (class, inner) = cell_html(cell);
    html.push_str(&format!("<td class=\"{class}\">{inner}</td>"));
}

fn record_html(record: &Record, html: &mut String) {
    html.push_str("<table class=\"record\">\n<tbody>\n");
    for (col, cell) in &record.fields {
        html.push_str(&format!("<tr><th scope=\"row\">{}</th>", escape(col.label)));
        let (class, inner) = cell_html(cell);
        // A record is read top to bottom: values line up on the left.
        let class = if class == "num" { "value" } else { class };
        html.push_str(&format!("<td class=\"{class}\">{inner}</td></tr>\n"));
    }
    html.push_str("</tbody>\n</table>\n");
}

fn table_html(table: &Table, html: &mut String) {
    html.push_str("<table class=\"data\">\n<thead><tr>");
    for (i, col) in table.columns.iter().enumerate() {
        let class = if table.numeric_column(i) {
            " class=\"num\""
        } else {
            ""
        };
        html.push_str(&format!(
            "<th scope=\"col\"{class}>{}</th>",
            escape(col.label)
        ));
    }
    html.push_str("</tr></thead>\n<tbody>\n");
    for row in &table.rows {
        html.push_str("<tr>");
        for cell in table.cells(row) {
            push_td(html, cell);
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</tbody>\n</table>\n");
}

/// The whole page.
fn page(doc: &Doc) -> String {
    let title = escape(doc.title.as_deref().unwrap_or(doc.kind));
    let mut html = String::with_capacity(16 * 1024);
    html.push_str("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    html.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    html.push_str("<meta name=\"generator\" content=\"yardstick\">\n");
    html.push_str(&format!(
        "<title>{title}</title>\n<style>\n{STYLE}</style>\n"
    ));
    html.push_str("</head>\n<body>\n<main>\n");
    html.push_str(&format!("<h1>{title}</h1>\n"));
    let first_table = doc.parts.iter().position(|p| matches!(p, Part::Table(_)));
    for (i, part) in doc.parts.iter().enumerate() {
        let class = match part {
            Part::Record(_) => "record",
            Part::Table(_) => "table",
            Part::Chart(c) => c.kind.name(),
        };
        html.push_str(&format!(
            "<section class=\"part {class}\" data-key=\"{}\">\n",
            escape(part.key())
        ));
        if let Some(title) = part.title() {
            html.push_str(&format!("<h2>{}</h2>\n", escape(title)));
        }
        match part {
            Part::Record(r) => record_html(r, &mut html),
            Part::Table(t) if t.rows.is_empty() => {
                let message = match &doc.empty_message {
                    Some(m) if Some(i) == first_table => m.as_str(),
                    _ => "Nothing to show.",
                };
                html.push_str(&format!("<p class=\"empty\">{}</p>\n", escape(message)));
            }
            Part::Table(t) => {
                if !t.columns.is_empty() {
                    table_html(t, &mut html);
                }
            }
            Part::Chart(c) => charts::chart(c, &mut html),
        }
        html.push_str("</section>\n");
    }
    html.push_str("</main>\n</body>\n</html>\n");
    html
}

/// Write the page.
pub(super) fn render(doc: &Doc, out: &mut dyn Write) -> io::Result<()> {
    out.write_all(page(doc).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_everything_markup_needs() {
        assert_eq!(
            escape("<script>alert('x') & \"y\"</script>"),
            "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;"
        );
        assert_eq!(escape("a\r\nb\rc\u{0}d\u{1b}"), "a\nb\nc\u{FFFD}d\u{FFFD}");
    }

    #[test]
    fn style_has_no_external_reference() {
        assert!(!STYLE.contains("url(") && !STYLE.contains("//") && !STYLE.contains("@import"));
    }

    #[test]
    fn status_badges_follow_the_terminal_groups() {
        assert_eq!(
            cell_html(&Cell::status("on-track")).1,
            "<span class=\"badge good\">on-track</span>"
        );
        assert_eq!(
            cell_html(&Cell::status("<b>")).1,
            "<span class=\"badge\">&lt;b&gt;</span>"
        );
    }
}

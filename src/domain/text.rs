//! Text rules that do not depend on where the text goes.

use std::borrow::Cow;

/// Neutralise text that a spreadsheet would evaluate as a formula: text
/// whose first visible character is `=`, `+`, `-` or `@` gets a leading `'`,
/// and so does text starting with tab, CR or LF, unless the whole text is a
/// plain real number (`-3.5`, `+4`, `-1e3`), which is left as is.
///
/// "Visible" looks past what a spreadsheet may drop or skip before it decides
/// (see [`is_invisible_lead`]): LibreOffice drops NUL and other controls on
/// import, so `"\0=HYPERLINK(…)"` would otherwise become a live formula, and
/// leading spaces, a no-break space or a byte-order mark can be trimmed.
///
/// ```
/// use yardstick::domain::text::neutralize_formula;
/// assert_eq!(neutralize_formula("=SUM(A1)"), "'=SUM(A1)");
/// assert_eq!(neutralize_formula("\0=SUM(A1)"), "'\0=SUM(A1)");
/// assert_eq!(neutralize_formula(" \u{feff}@x"), "' \u{feff}@x");
/// assert_eq!(neutralize_formula("-3.5"), "-3.5");
/// assert_eq!(neutralize_formula("plain"), "plain");
/// ```
pub fn neutralize_formula(text: &str) -> Cow<'_, str> {
    let leading_break = matches!(text.chars().next(), Some('\t' | '\r' | '\n'));
    let first_visible = text.chars().find(|c| !is_invisible_lead(*c));
    let risky = leading_break || matches!(first_visible, Some('=' | '+' | '-' | '@'));
    if risky && !is_plain_number(text) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// Whether a spreadsheet may drop or skip `c` at the start of a cell before
/// it looks for a formula: control characters (C0 with NUL, DEL, C1),
/// whitespace (space, tab, line breaks, no-break space and the other Unicode
/// spaces), and invisible format characters (soft hyphen, zero-width space
/// and joiners, direction marks, embeddings, overrides and isolates, word
/// joiner, the byte-order mark).
pub fn is_invisible_lead(c: char) -> bool {
    c.is_control()
        || c.is_whitespace()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{034F}'
                | '\u{061C}'
                | '\u{180E}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{206F}'
                | '\u{FEFF}'
        )
}

/// Whether `text` is a finite real number written with digits, a sign, a
/// decimal point and an exponent only (so not `inf`, `NaN`, `0x1F`).
fn is_plain_number(text: &str) -> bool {
    text.bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b'e' | b'E'))
        && text.bytes().any(|b| b.is_ascii_digit())
        && text.parse::<f64>().is_ok_and(f64::is_finite)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn looks_past_what_a_spreadsheet_drops() {
        for lead in [
            "\0",
            "\u{1}",
            " ",
            "  ",
            "\t",
            "\r",
            "\n",
            "\r\n",
            "\u{feff}",
            "\u{a0}",
            "\u{7f}",
            "\u{85}",
            "\u{200b}",
            "\u{2060}",
            "\u{202e}",
            "\u{3000}",
            "\0 \u{feff}",
        ] {
            for head in ["=", "+", "-", "@"] {
                let text = format!("{lead}{head}HYPERLINK(\"http://x\")");
                assert_eq!(neutralize_formula(&text), format!("'{text}"), "{text:?}");
            }
        }
    }

    #[test]
    fn leaves_other_text_alone() {
        for text in [
            "plain",
            " plain",
            "\u{feff}plain",
            "a=b",
            "x-1",
            "'=already",
            "",
            " ",
            "\u{ff1d}1",
            "-3.5",
            "+4",
            "-1e3",
            "1",
        ] {
            assert_eq!(neutralize_formula(text), text, "{text:?}");
        }
    }

    #[test]
    fn a_leading_break_is_quoted_even_without_a_formula() {
        for text in ["\tx", "\rx", "\nx"] {
            assert_eq!(neutralize_formula(text), format!("'{text}"));
        }
    }
}

//! Text rules that do not depend on where the text goes.

use std::borrow::Cow;

/// Neutralise text that a spreadsheet would evaluate as a formula: text
/// starting with `=`, `+`, `-`, `@`, tab, CR or LF gets a leading `'`, unless
/// the whole text is a plain real number (`-3.5`, `+4`, `-1e3`), which is left
/// as is.
///
/// ```
/// use yardstick::domain::text::neutralize_formula;
/// assert_eq!(neutralize_formula("=SUM(A1)"), "'=SUM(A1)");
/// assert_eq!(neutralize_formula("-3.5"), "-3.5");
/// assert_eq!(neutralize_formula("plain"), "plain");
/// ```
pub fn neutralize_formula(text: &str) -> Cow<'_, str> {
    let risky = matches!(
        text.as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r' | b'\n')
    );
    if risky && !is_plain_number(text) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// Whether `text` is a finite real number written with digits, a sign, a
/// decimal point and an exponent only (so not `inf`, `NaN`, `0x1F`).
fn is_plain_number(text: &str) -> bool {
    text.bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b'e' | b'E'))
        && text.bytes().any(|b| b.is_ascii_digit())
        && text.parse::<f64>().is_ok_and(f64::is_finite)
}

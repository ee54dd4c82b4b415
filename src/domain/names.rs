//! Handles, goal keys and slugs: the short names users type.

use crate::error::{Error, Result};

/// Longest handle for a person or team.
pub const MAX_HANDLE: usize = 32;
/// Longest goal key.
pub const MAX_KEY: usize = 64;

fn check(kind: &str, s: &str, max: usize) -> Result<()> {
    let ok_first = s.chars().next().is_some_and(|c| c.is_ascii_lowercase());
    let ok_rest = s
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.'));
    if s.is_empty() || !ok_first || !ok_rest || s.len() > max {
        let shown: String = s.chars().take(80).collect();
        return Err(Error::invalid(format!("'{shown}' is not a valid {kind}")).with_hint(format!(
            "a {kind} starts with a lowercase letter, has only a-z, 0-9, '-', '_' or '.', and is at most {max} characters"
        )));
    }
    Ok(())
}

/// Check a person or team handle (`alice`, `platform-team`).
pub fn validate_handle(s: &str) -> Result<()> {
    check("handle", s, MAX_HANDLE)
}

/// Check a goal key (`api-latency`).
pub fn validate_key(s: &str) -> Result<()> {
    check("goal key", s, MAX_KEY)
}

/// A key made from a title: lowercase ASCII words joined by '-', at most
/// `MAX_KEY - 4` characters (room for a uniqueness suffix), starting with a letter.
pub fn slugify(title: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in title.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c);
        } else {
            dash = true;
        }
        if out.len() >= MAX_KEY - 4 {
            break;
        }
    }
    out.truncate(MAX_KEY - 4);
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() {
        out.push_str("goal");
    } else if !out.chars().next().is_some_and(|c| c.is_ascii_lowercase()) {
        out.insert_str(0, "goal-");
        out.truncate(MAX_KEY - 4);
    }
    out
}

/// Check a non-empty, single-line-or-more free text field of bounded length.
pub fn validate_text(field: &str, s: &str, max: usize) -> Result<()> {
    if s.trim().is_empty() {
        return Err(Error::invalid(format!("{field} must not be empty")));
    }
    if s.chars().count() > max {
        return Err(Error::invalid(format!(
            "{field} is longer than {max} characters"
        )));
    }
    if s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(Error::invalid(format!(
            "{field} contains control characters"
        )));
    }
    Ok(())
}

/// A name as it must be typed in a shell command (quoted when it has
/// spaces or shell characters), for hints that show a command to run.
pub fn shell_word(s: &str) -> String {
    if s.chars()
        .any(|c| c.is_whitespace() || "\"'$`\\".contains(c))
    {
        format!("'{}'", s.replace('\'', "'\\''"))
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles() {
        assert!(validate_handle("alice").is_ok());
        assert!(validate_handle("a.b-c_9").is_ok());
        assert!(validate_handle("Alice").is_err());
        assert!(validate_handle("9lives").is_err());
        assert!(validate_handle("").is_err());
        assert!(validate_handle(&"a".repeat(33)).is_err());
        assert!(validate_handle("ａlice").is_err());
    }

    #[test]
    fn slugs() {
        assert_eq!(slugify("Cut API p95 latency!"), "cut-api-p95-latency");
        assert_eq!(slugify("  2027 plan "), "goal-2027-plan");
        assert_eq!(slugify("!!!"), "goal");
        assert!(slugify(&"word ".repeat(40)).len() <= MAX_KEY - 4);
    }
}

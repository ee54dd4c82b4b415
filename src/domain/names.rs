//! Handles, goal keys and slugs: the short names users type.

use crate::error::{Error, Result};

/// Longest handle for a person or team.
pub const MAX_HANDLE: usize = 32;
/// Longest goal key.
pub const MAX_KEY: usize = 64;

/// The longest text each free-text field takes, in characters: the command
/// line, plan files and imports check against these (with [`validate_text`]).
pub mod max {
    /// A person's, team's or measure's name.
    pub const NAME: usize = 200;
    /// An e-mail address.
    pub const EMAIL: usize = 320;
    /// A person's job title.
    pub const JOB_TITLE: usize = 200;
    /// Each part of a job mission statement.
    pub const MISSION: usize = 2_000;
    /// A goal's title.
    pub const GOAL_TITLE: usize = 300;
    /// A goal's description.
    pub const DESCRIPTION: usize = 10_000;
    /// A measure's unit.
    pub const UNIT: usize = 50;
    /// A check-in's note.
    pub const NOTE: usize = 10_000;
    /// A piece of feedback.
    pub const FEEDBACK: usize = 10_000;
    /// A review cycle's name.
    pub const CYCLE_NAME: usize = 100;
    /// A review's overall comment.
    pub const SUMMARY: usize = 10_000;
    /// A comment on a rated item.
    pub const COMMENT: usize = 10_000;
    /// A reason (calibrating, reopening a cycle).
    pub const REASON: usize = 2_000;
    /// A development action.
    pub const ACTION: usize = 2_000;
    /// Any other free text.
    pub const TEXT: usize = 10_000;
}

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

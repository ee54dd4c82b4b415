//! The library's one error type. Each variant maps to an exit code in one
//! place ([`Error::exit_code`]): 1 the operation failed, 2 invalid usage or
//! input, 3 the database is unavailable.

use std::fmt;

/// What went wrong, classified by how a script should react to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The operation failed: not found, conflict, not allowed in this state (exit 1).
    Failed,
    /// Invalid usage or input: arguments, dates, numbers, TOML, CSV (exit 2).
    Invalid,
    /// The database is unavailable: locked, not a yardstick file, too new, corrupt (exit 3).
    Database,
}

/// An error with a message that says what was wrong and, where it helps, a
/// hint that says how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Error {
    kind: ErrorKind,
    message: String,
    hint: Option<String>,
}

/// Shorthand for results in this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An operation that failed (exit 1).
    pub fn failed(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Failed, message)
    }

    /// Invalid usage or input (exit 2).
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Invalid, message)
    }

    /// The database is unavailable (exit 3).
    pub fn database(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Database, message)
    }

    /// Something that was looked up and not found (exit 1).
    pub fn not_found(what: &str, name: &str) -> Self {
        Self::failed(format!("no {what} '{name}'"))
    }

    fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            hint: None,
        }
    }

    /// Attach a hint that says how to fix the problem.
    #[must_use]
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Prefix the message with context (e.g. a file name or a field).
    #[must_use]
    pub fn context(mut self, context: impl fmt::Display) -> Self {
        self.message = format!("{context}: {}", self.message);
        self
    }

    /// The classification of this error.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The message, without the hint.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The hint, if any.
    pub fn hint(&self) -> Option<&str> {
        self.hint.as_deref()
    }

    /// The process exit code for this error: 1, 2 or 3.
    pub fn exit_code(&self) -> i32 {
        match self.kind {
            ErrorKind::Failed => 1,
            ErrorKind::Invalid => 2,
            ErrorKind::Database => 3,
        }
    }
}

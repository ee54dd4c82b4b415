//! The user-facing error: what went wrong (a message), how to fix it (a
//! hint), how a script should react (the [`ErrorKind`], which the command
//! line turns into an exit code in one place), and what caused it (a source
//! chain, e.g. the storage error a backend raised and the driver error
//! under it).
//!
//! Each layer raises what it knows: the domain and the application raise
//! [`Error`]s for invalid input and refused operations; the storage layer
//! raises typed `StoreError`s, converted by `From` (in `store`) with the
//! store error kept as the source.

use std::fmt;
use std::sync::Arc;

/// What went wrong, classified by how a script should react to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The operation failed: not found, conflict, not allowed in this state (exit 1).
    Failed,
    /// Invalid usage or input: arguments, dates, numbers, TOML, CSV (exit 2).
    Invalid,
    /// The database is unavailable: locked, not a yardstick file, too new, corrupt (exit 3).
    Database,
    /// A bug in yardstick: a statement that cannot run, a state that cannot
    /// happen (exit 1, with a request to report it).
    Internal,
    /// The reader of standard output went away (a closed pipe): not a
    /// failure; the command stops quietly (exit 0).
    BrokenPipe,
}

/// The cause of an error, shared so that errors stay cheap to clone.
type Source = Arc<dyn std::error::Error + Send + Sync + 'static>;

/// An error with a message that says what was wrong and, where it helps, a
/// hint that says how to fix it.
#[derive(Debug, Clone)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    hint: Option<String>,
    source: Option<Source>,
}

impl PartialEq for Error {
    /// Errors are equal when they say the same thing (the source is not compared).
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind && self.message == other.message && self.hint == other.hint
    }
}

impl Eq for Error {}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|s| s as &(dyn std::error::Error + 'static))
    }
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

    /// A bug in yardstick (exit 1); the message starts "internal error:".
    pub fn internal(message: impl std::fmt::Display) -> Self {
        Self::new(ErrorKind::Internal, format!("internal error: {message}"))
            .with_hint("this is a bug in yardstick; please report it with the command you ran")
    }

    /// The reader of standard output went away.
    pub fn broken_pipe() -> Self {
        Self::new(ErrorKind::BrokenPipe, "broken pipe")
    }

    /// Something that was looked up and not found (exit 1).
    pub fn not_found(what: &str, name: &str) -> Self {
        Self::failed(format!("no {what} '{name}'"))
    }

    /// An error of `kind` with a message.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            hint: None,
            source: None,
        }
    }

    /// Attach a hint that says how to fix the problem.
    #[must_use]
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Attach the error that caused this one.
    #[must_use]
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Arc::new(source));
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

    /// The error that caused this one, if it is of type `E`.
    pub fn source_as<E: std::error::Error + 'static>(&self) -> Option<&E> {
        self.source
            .as_deref()
            .and_then(|s| (s as &(dyn std::error::Error + 'static)).downcast_ref())
    }

    /// The causes of this error, outermost first (for internal errors,
    /// which are shown with their chain).
    pub fn causes(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut next = std::error::Error::source(self);
        while let Some(e) = next {
            let text = e.to_string();
            // A cause that only repeats the message (or the cause before) says nothing new.
            if out.last() != Some(&text) && !self.message.ends_with(&text) {
                out.push(text);
            }
            next = e.source();
        }
        out
    }

    /// The process exit code for this error: 1, 2 or 3 (0 for a closed pipe).
    pub fn exit_code(&self) -> i32 {
        match self.kind {
            ErrorKind::Failed | ErrorKind::Internal => 1,
            ErrorKind::Invalid => 2,
            ErrorKind::Database => 3,
            ErrorKind::BrokenPipe => 0,
        }
    }
}

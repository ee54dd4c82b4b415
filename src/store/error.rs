//! The storage layer's errors: what a backend reports, classified so that
//! callers can react (an import skips a refused row, a retry loop waits on a
//! lock) and converted once into the user-facing [`Error`].

use crate::error::Error;

/// A backend's own error (the driver's), kept as the source.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Shorthand for results of the storage interface.
pub type StoreResult<T> = std::result::Result<T, StoreError>;

/// What went wrong in the storage layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database cannot be used: missing, not a yardstick database, from
    /// a newer version, corrupt, unreadable, or its disk is full (exit 3).
    #[error("{message}")]
    Unavailable {
        /// What is wrong, naming the database.
        message: String,
        /// How to fix it.
        hint: Option<String>,
        /// The driver's error.
        #[source]
        source: Option<BoxError>,
    },
    /// Another process holds the database past the timeout (exit 3).
    #[error("{message}")]
    Locked {
        /// What is locked and for how long we waited.
        message: String,
    },
    /// A guard in the database refused the change, e.g. a write into a
    /// finalized cycle (exit 1).
    #[error("{message}")]
    Refused {
        /// The guard's own message.
        message: String,
    },
    /// A row with the same unique key already exists (exit 1).
    #[error("the change conflicts with existing data: {detail}")]
    Clash {
        /// The columns of the unique key (`handle`, `key`, `name`).
        columns: Vec<String>,
        /// The driver's description.
        detail: String,
    },
    /// Another integrity rule of the schema failed (exit 1).
    #[error("the change conflicts with existing data: {detail}")]
    Conflict {
        /// The driver's description.
        detail: String,
    },
    /// A bug: a statement that cannot run, a declared change not kept, an
    /// answer that cannot be (exit 1, reported as an internal error).
    #[error("{message}")]
    Internal {
        /// What went wrong.
        message: String,
        /// The driver's error.
        #[source]
        source: Option<BoxError>,
    },
}

impl StoreError {
    /// The database cannot be used.
    pub fn unavailable(message: impl Into<String>) -> Self {
        StoreError::Unavailable {
            message: message.into(),
            hint: None,
            source: None,
        }
    }

    /// A bug in the storage layer.
    pub fn internal(message: impl Into<String>) -> Self {
        StoreError::Internal {
            message: message.into(),
            source: None,
        }
    }

    /// Add a hint (only unavailable databases carry one; others ignore it).
    #[must_use]
    pub fn with_hint(mut self, text: impl Into<String>) -> Self {
        if let StoreError::Unavailable { hint, .. } = &mut self {
            *hint = Some(text.into());
        }
        self
    }
}

const RETRY: &str = "retry when the other yardstick command has finished; nothing was written";

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        let error = match &e {
            StoreError::Unavailable { message, hint, .. } => {
                let err = Error::database(message.clone());
                match hint {
                    Some(h) => err.with_hint(h.clone()),
                    None => err,
                }
            }
            StoreError::Locked { message } => Error::database(message.clone()).with_hint(RETRY),
            StoreError::Refused { message } => Error::failed(message.clone()),
            StoreError::Clash { .. } | StoreError::Conflict { .. } => Error::failed(e.to_string()),
            StoreError::Internal { message, .. } => Error::internal(message),
        };
        error.with_source(e)
    }
}

impl Error {
    /// The storage error behind this one, if a backend raised it.
    pub fn store_error(&self) -> Option<&StoreError> {
        self.source_as()
    }
}

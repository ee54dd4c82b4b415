//! The organisation's plain data shared by the store and plan files.

use serde::Serialize;

/// A job mission statement: why a position exists, in terms of purpose,
/// customers, product and scope.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Mission {
    /// Why the job exists.
    pub purpose: Option<String>,
    /// Who it serves.
    pub customers: Option<String>,
    /// What it delivers.
    pub product: Option<String>,
    /// Its boundaries: what it decides and what it does not.
    pub scope: Option<String>,
}

impl Mission {
    /// Whether no part of the statement is filled in.
    pub fn is_empty(&self) -> bool {
        self.purpose.is_none()
            && self.customers.is_none()
            && self.product.is_none()
            && self.scope.is_none()
    }
}

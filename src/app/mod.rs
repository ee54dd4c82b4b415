//! The application layer: one function per job a command does, over the
//! storage interface. A use case takes a [`Session`](crate::store::Session)
//! (a read, or a write transaction the caller opened), the clock, the
//! acting person and its input, and returns what happened; it never prints,
//! never parses arguments and never runs SQL. Every read and write a user
//! can trigger goes through here.
//!
//! Modules by aggregate (`org`, `plan`, `checkin`, `feedback`, `cycles`,
//! `appraise`) hold both the rules over the store (adding a goal, writing a
//! rating) and the use cases built on them; `report` builds the views;
//! `exchange`, `merge` and `plansync` move data between files and the store;
//! `admin` covers the database as a whole (init, undo, log).

pub mod access;
pub mod admin;
pub mod appraise;
pub mod checkin;
pub mod cycles;
pub mod demo;
pub mod exchange;
pub mod feedback;
pub mod followup;
pub mod merge;
pub mod org;
pub mod pip;
pub mod plan;
pub mod plansync;
pub mod report;

/// Who is acting.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Actor {
    /// Their handle, if known.
    pub handle: Option<String>,
    /// Whether the handle was given for this run (`--as`, `YARDSTICK_USER`,
    /// the configuration), rather than read from the database's `me`.
    pub explicit: bool,
    /// On a team server: whether the login is an admin (the database's
    /// `me` and people's admin flags do not apply there).
    pub server_admin: Option<bool>,
}

impl Actor {
    /// The handle, if known.
    pub fn handle(&self) -> Option<&str> {
        self.handle.as_deref()
    }
}

//! The organisation's repository: people, teams, and the file's settings.

use super::StoreResult;
use crate::domain::org::{Owner, Person, Team};

/// People, teams and settings.
pub trait OrgRepo {
    /// A person by handle.
    fn find_person(&self, handle: &str) -> StoreResult<Option<Person>>;

    /// A person's row id by handle.
    fn person_id(&self, handle: &str) -> StoreResult<Option<i64>>;

    /// A team by handle.
    fn find_team(&self, handle: &str) -> StoreResult<Option<Team>>;

    /// A team's row id by handle.
    fn team_id(&self, handle: &str) -> StoreResult<Option<i64>>;

    /// Whose handle this is: a person's or a team's (they share one namespace).
    fn owner(&self, handle: &str) -> StoreResult<Option<Owner>>;

    /// People sorted by handle; inactive ones only when asked. With `teams`,
    /// only the members of those teams (row ids).
    fn list_people(
        &self,
        teams: Option<&[i64]>,
        include_inactive: bool,
    ) -> StoreResult<Vec<Person>>;

    /// A team and every team below it (row ids).
    fn team_subtree(&self, root: i64) -> StoreResult<Vec<i64>>;

    /// Every team, sorted by handle.
    fn list_teams(&self) -> StoreResult<Vec<Team>>;

    /// Whether a person or a team has this handle.
    fn handle_taken(&self, handle: &str) -> StoreResult<bool>;

    /// The handles of everyone above a person in the reporting line,
    /// nearest first.
    fn manager_chain(&self, handle: &str) -> StoreResult<Vec<String>>;

    /// Active people in a team (not counting sub-teams).
    fn team_size(&self, team: i64) -> StoreResult<i64>;

    /// Teams directly below a team.
    fn sub_team_count(&self, team: i64) -> StoreResult<i64>;

    /// Add a person with a handle and a name; returns the row id.
    fn insert_person(&mut self, now: &str, handle: &str, name: &str) -> StoreResult<i64>;

    /// Write every field of a person (by id; manager and team by handle).
    fn update_person(&mut self, now: &str, person: &Person) -> StoreResult<()>;

    /// Remove a person; their reports and teams lose the link.
    fn delete_person(&mut self, id: i64) -> StoreResult<()>;

    /// Add a team with a handle and a name; returns the row id.
    fn insert_team(&mut self, now: &str, handle: &str, name: &str) -> StoreResult<i64>;

    /// Write every field of a team (by id; parent and lead by handle).
    fn update_team(&mut self, now: &str, team: &Team) -> StoreResult<()>;

    /// Remove a team; its members lose the link.
    fn delete_team(&mut self, id: i64) -> StoreResult<()>;

    /// A setting stored in the database (e.g. `me`).
    fn setting(&self, key: &str) -> StoreResult<Option<String>>;

    /// Store a setting; returns whether it changed.
    fn set_setting(&mut self, key: &str, value: &str) -> StoreResult<bool>;
}

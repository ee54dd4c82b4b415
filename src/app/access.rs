//! The access policy applied: who is acting, what they are to a record, and
//! the checks every use case makes before it reads or writes. The rules
//! themselves are the table in [`crate::domain::access`]; this module only
//! works out the role and asks the table.
//!
//! On a local file the acting person is `--as`, else the file's `me`. A file
//! that names no one is its owner's alone: whoever runs yardstick on it acts
//! for everyone (the author of every record, an admin for the rest).

use super::Actor;
use crate::domain::access::{Act, Can, Facts, Grant, Item, Role, counterpart_is_blind, grant, may};
use crate::domain::goal::Goal;
use crate::domain::org::Team;
use crate::error::{Error, Result};
use crate::store::Session;
use std::cell::RefCell;
use std::collections::HashMap;

/// The acting person and what the policy needs to know about them.
#[derive(Debug)]
pub struct Policy {
    /// Their handle; none on a file that names no one.
    handle: Option<String>,
    /// Whether they are an admin (the file's `me`, or made admin).
    admin: bool,
    /// Managers above each person asked about so far.
    chains: RefCell<HashMap<String, Vec<String>>>,
    /// The teams, read once when a team's goal is asked about.
    teams: RefCell<Option<Vec<Team>>>,
}

impl Policy {
    /// Work out who is acting: `--as` (which must name a person), else the
    /// file's `me`, else no one (the file's owner).
    pub fn resolve(s: &dyn Session, actor: &Actor) -> Result<Policy> {
        if let (Some(h), Some(admin)) = (actor.handle(), actor.server_admin) {
            // A team server: the login is the identity, its mapping says
            // whether it is an admin.
            return Ok(Policy {
                handle: Some(h.to_string()),
                admin,
                chains: RefCell::new(HashMap::new()),
                teams: RefCell::new(None),
            });
        }
        let me = s.setting("me")?;
        let (handle, admin) = match actor.handle() {
            Some(h) => {
                let person = s.find_person(h)?;
                if person.is_none() && (actor.explicit || me.as_deref() != Some(h)) {
                    return Err(Error::failed(format!("no person '{h}' (--as)")).with_hint(
                        "--as names who is acting; see `yardstick people list` for the handles",
                    ));
                }
                let admin = me.as_deref() == Some(h) || person.is_some_and(|p| p.admin);
                (Some(h.to_string()), admin)
            }
            None => (None, true),
        };
        Ok(Policy {
            handle,
            admin,
            chains: RefCell::new(HashMap::new()),
            teams: RefCell::new(None),
        })
    }

    /// A given person, an admin or not (the person an import file comes from).
    pub fn person(handle: &str, admin: bool) -> Policy {
        Policy {
            handle: Some(handle.to_string()),
            admin,
            chains: RefCell::new(HashMap::new()),
            teams: RefCell::new(None),
        }
    }

    /// The owner of a file that names no one (acts for everyone).
    pub fn owner() -> Policy {
        Policy {
            handle: None,
            admin: true,
            chains: RefCell::new(HashMap::new()),
            teams: RefCell::new(None),
        }
    }

    /// The acting person's handle, if the file names them.
    pub fn handle(&self) -> Option<&str> {
        self.handle.as_deref()
    }

    /// Whether the acting person is an admin.
    pub fn is_admin(&self) -> bool {
        self.admin
    }

    /// How `log` and exports name the reader: their handle, or "the file's owner".
    pub fn reader(&self) -> String {
        self.handle
            .clone()
            .unwrap_or_else(|| "the file's owner".to_string())
    }

    /// Whether the acting person is above `person` in the manager chain.
    pub fn manages(&self, s: &dyn Session, person: &str) -> Result<bool> {
        let Some(me) = self.handle() else {
            return Ok(false);
        };
        if let Some(chain) = self.chains.borrow().get(person) {
            return Ok(chain.iter().any(|m| m == me));
        }
        let chain = s.manager_chain(person)?;
        let found = chain.iter().any(|m| m == me);
        self.chains.borrow_mut().insert(person.to_string(), chain);
        Ok(found)
    }

    /// The acting person's role towards a record about `subject` (a
    /// person's handle) written by `author`.
    pub fn role(
        &self,
        s: &dyn Session,
        subject: Option<&str>,
        author: Option<&str>,
    ) -> Result<Role> {
        let Some(me) = self.handle() else {
            return Ok(Role::Admin);
        };
        if author == Some(me) {
            return Ok(Role::Author);
        }
        if subject == Some(me) {
            return Ok(Role::Subject);
        }
        // Role::PRECEDENCE: an admin's rights include a manager's.
        if self.admin {
            return Ok(Role::Admin);
        }
        if let Some(p) = subject
            && self.manages(s, p)?
        {
            return Ok(Role::Manager);
        }
        Ok(self.otherwise())
    }

    /// Whether the acting person is `person`'s direct manager (the author
    /// of their manager review).
    pub fn directly_manages(&self, s: &dyn Session, person: &str) -> Result<bool> {
        let Some(me) = self.handle() else {
            return Ok(false);
        };
        self.manages(s, person)?;
        Ok(self
            .chains
            .borrow()
            .get(person)
            .and_then(|c| c.first())
            .is_some_and(|m| m == me))
    }

    fn otherwise(&self) -> Role {
        if self.admin {
            Role::Admin
        } else {
            Role::Anyone
        }
    }

    /// The acting person's role towards a team's records (its goals): its
    /// lead and its direct members are its subjects (not the members of its
    /// sub-teams); the leads of the teams above it and the managers above its
    /// lead manage it.
    pub fn team_role(&self, s: &dyn Session, team: &str) -> Result<Role> {
        let Some(me) = self.handle() else {
            return Ok(Role::Admin);
        };
        if self.teams.borrow().is_none() {
            let teams = s.list_teams()?;
            *self.teams.borrow_mut() = Some(teams);
        }
        let shape = {
            let guard = self.teams.borrow();
            TeamShape::of(guard.as_deref().unwrap_or_default(), team)
        };
        // A team's own lead and members own its goals; a sub-team's
        // members do not own the goals of the teams above them.
        let member = match s.find_person(me)? {
            Some(p) => p.team.as_deref() == Some(team),
            None => false,
        };
        if member || shape.lead.as_deref() == Some(me) {
            return Ok(Role::Subject);
        }
        if shape.above_leads.iter().any(|l| l == me) {
            return Ok(Role::Manager);
        }
        if let Some(l) = &shape.lead
            && self.manages(s, l)?
        {
            return Ok(Role::Manager);
        }
        Ok(self.otherwise())
    }

    /// The acting person's role towards a goal (and its measures and check-ins).
    pub fn goal_role(&self, s: &dyn Session, goal: &Goal) -> Result<Role> {
        if goal.owner_is_team {
            self.team_role(s, &goal.owner)
        } else {
            self.role(s, Some(&goal.owner), None)
        }
    }

    /// What the acting person sees of an item about `subject` by `author`.
    pub fn grant(
        &self,
        s: &dyn Session,
        item: Item,
        subject: Option<&str>,
        author: Option<&str>,
    ) -> Result<Grant> {
        if self.handle.is_none() {
            // The owner of a file that names no one acts for everyone.
            let as_author = grant(item, Role::Author);
            return Ok(if author.is_some() && as_author == Grant::Yes {
                as_author
            } else {
                grant(item, Role::Admin)
            });
        }
        let role = self.role(s, subject, author)?;
        if role == Role::Admin
            && counterpart_is_blind(item)
            && let Some(p) = subject
            && self.directly_manages(s, p)?
        {
            return Ok(grant(item, Role::Manager));
        }
        Ok(grant(item, role))
    }

    /// Whether the acting person sees an item about `subject` by `author`
    /// in a record whose state is `facts`.
    pub fn sees(
        &self,
        s: &dyn Session,
        item: Item,
        subject: Option<&str>,
        author: Option<&str>,
        facts: Facts,
    ) -> Result<bool> {
        Ok(self.grant(s, item, subject, author)?.holds(facts))
    }

    /// Refuse, unless the acting person may do `act` to a record about
    /// `subject` (a person) by `author`.
    pub fn check(
        &self,
        s: &dyn Session,
        act: Act,
        subject: Option<&str>,
        author: Option<&str>,
    ) -> Result<()> {
        if self.handle.is_none() && author.is_some() && may(act, Role::Author) {
            return Ok(());
        }
        let role = self.role(s, subject, author)?;
        self.allow(act, role, subject.unwrap_or(""))
    }

    /// Refuse, unless the acting person may change `goal` (its measures,
    /// its check-ins).
    pub fn check_goal(&self, s: &dyn Session, goal: &Goal) -> Result<()> {
        let role = self.goal_role(s, goal)?;
        self.allow(Act::WriteGoal, role, &goal.key)
    }

    /// Refuse, unless the acting person may change the goals of `owner`
    /// (a person or team handle), e.g. to add one.
    pub fn check_owner(&self, s: &dyn Session, owner: &str, is_team: bool) -> Result<()> {
        let role = if is_team {
            self.team_role(s, owner)?
        } else {
            self.role(s, Some(owner), None)?
        };
        self.allow(Act::WriteGoal, role, owner)
    }

    /// Refuse, unless the acting person may do `act` in their role.
    pub fn allow(&self, act: Act, role: Role, about: &str) -> Result<()> {
        if may(act, role) {
            return Ok(());
        }
        Err(denied(self.handle(), act, about))
    }
}

/// A team's place in the organisation, as the policy needs it.
struct TeamShape {
    /// The leads of the teams above it.
    above_leads: Vec<String>,
    /// Its own lead.
    lead: Option<String>,
}

impl TeamShape {
    fn of(teams: &[Team], team: &str) -> TeamShape {
        let by = |h: &str| teams.iter().find(|t| t.handle == h);
        let mut above_leads = Vec::new();
        let mut seen: Vec<&str> = vec![team];
        let mut at = by(team).and_then(|t| t.parent.as_deref());
        while let Some(p) = at {
            if seen.contains(&p) {
                break;
            }
            seen.push(p);
            let parent = by(p);
            above_leads.extend(parent.and_then(|t| t.lead.clone()));
            at = parent.and_then(|t| t.parent.as_deref());
        }
        TeamShape {
            above_leads,
            lead: by(team).and_then(|t| t.lead.clone()),
        }
    }
}

/// The refusal of an act: who may not do what, and who may.
pub fn denied(who: Option<&str>, act: Act, about: &str) -> Error {
    let who = who.unwrap_or("you");
    let verb = act.verb();
    let message = if verb.ends_with(" of") || verb.ends_with(" for") || verb.ends_with(" to") {
        format!("{who} may not {verb} {about}")
    } else {
        format!("{who} may not {verb}")
    };
    let allowed: Vec<&str> = crate::domain::access::CHANGE
        .iter()
        .find(|(a, _)| *a == act)
        .map(|(_, cans)| {
            Role::ALL
                .iter()
                .zip(cans)
                .filter(|(_, c)| **c == Can::Yes)
                .map(|(r, _)| match r {
                    Role::Author => "its author",
                    Role::Subject => "its subject (or owner)",
                    Role::Manager => "their managers",
                    Role::Admin => "admins",
                    Role::Anyone => "anyone",
                })
                .collect()
        })
        .unwrap_or_default();
    Error::failed(format!("not allowed: {message}")).with_hint(format!(
        "allowed: {} (see the access table in docs/security.md; --as says who is acting)",
        allowed.join(", ")
    ))
}

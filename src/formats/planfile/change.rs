//! The changes that applying a plan makes, and how they are listed.

use super::{GoalDef, MeasureDef, PeriodDef, PersonDef, TeamDef, format_number};
use std::fmt;

/// One change that applying a desired plan makes.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// A new entity (a new goal comes with its measures).
    Add(Entity),
    /// Changed fields of an existing entity.
    Update {
        /// Which entity.
        entity: EntityRef,
        /// The fields that change, in a fixed order.
        fields: Vec<FieldChange>,
    },
    /// An entity removed by `--prune` (a goal goes with its measures).
    Remove(EntityRef),
}

/// A whole entity, as added.
#[derive(Debug, Clone, PartialEq)]
pub enum Entity {
    /// A custom period.
    Period(PeriodDef),
    /// A team.
    Team(TeamDef),
    /// A person.
    Person(PersonDef),
    /// A goal with its measures.
    Goal(GoalDef),
    /// A measure added to an existing goal.
    Measure {
        /// The key of the goal.
        goal: String,
        /// The measure.
        measure: MeasureDef,
    },
}

/// The identity of an entity.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum EntityRef {
    /// A period, by name.
    Period(String),
    /// A team, by handle.
    Team(String),
    /// A person, by handle.
    Person(String),
    /// A goal, by key.
    Goal(String),
    /// A measure, by goal key and measure name.
    Measure {
        /// The key of the goal.
        goal: String,
        /// The name of the measure.
        name: String,
    },
}

/// One field's old and new value, as displayed (empty when absent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    /// The field name as written in the file (`weight`, `mission.scope`).
    pub field: &'static str,
    /// The current value; empty when absent.
    pub old: String,
    /// The desired value; empty when absent.
    pub new: String,
}

impl Entity {
    /// The identity of this entity.
    pub fn id(&self) -> EntityRef {
        match self {
            Entity::Period(p) => EntityRef::Period(p.name.clone()),
            Entity::Team(t) => EntityRef::Team(t.handle.clone()),
            Entity::Person(p) => EntityRef::Person(p.handle.clone()),
            Entity::Goal(g) => EntityRef::Goal(g.key.clone()),
            Entity::Measure { goal, measure } => EntityRef::Measure {
                goal: goal.clone(),
                name: measure.name.clone(),
            },
        }
    }
}

impl Change {
    /// The identity of the entity this change is about.
    pub fn entity(&self) -> EntityRef {
        match self {
            Change::Add(e) => e.id(),
            Change::Update { entity, .. } | Change::Remove(entity) => entity.clone(),
        }
    }
}

impl fmt::Display for EntityRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EntityRef::Period(n) => write!(f, "period {n}"),
            EntityRef::Team(h) => write!(f, "team {h}"),
            EntityRef::Person(h) => write!(f, "person {h}"),
            EntityRef::Goal(k) => write!(f, "goal {k}"),
            EntityRef::Measure { goal, name } => write!(f, "measure {goal}/{name}"),
        }
    }
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Change::Add(e) => {
                write!(f, "+ {}", e.id())?;
                match e {
                    Entity::Period(p) => write!(f, " {} → {}", p.start, p.end),
                    Entity::Team(t) => write!(f, " {:?}", t.name),
                    Entity::Person(p) => write!(f, " {:?}", p.name),
                    Entity::Goal(g) => {
                        write!(f, " {:?}", g.title)?;
                        match g.measures.len() {
                            0 => Ok(()),
                            1 => write!(f, " (1 measure)"),
                            n => write!(f, " ({n} measures)"),
                        }
                    }
                    Entity::Measure { measure: m, .. } => {
                        let unit = m
                            .unit
                            .as_deref()
                            .map(|u| format!(" {u}"))
                            .unwrap_or_default();
                        write!(
                            f,
                            ": {} → {}{unit}",
                            format_number(m.baseline),
                            format_number(m.target)
                        )
                    }
                }
            }
            Change::Update { entity, fields } => {
                write!(f, "~ {entity}:")?;
                for (i, c) in fields.iter().enumerate() {
                    let sep = if i == 0 { " " } else { ", " };
                    write!(f, "{sep}{} {} → {}", c.field, show(&c.old), show(&c.new))?;
                }
                Ok(())
            }
            Change::Remove(r) => write!(f, "- {r}"),
        }
    }
}

/// A value for a one-line listing: `(none)` when absent; quoted and
/// shortened when it is long text.
fn show(v: &str) -> String {
    if v.is_empty() {
        return "(none)".to_string();
    }
    let simple = v.len() <= 40 && !v.contains(char::is_whitespace) && !v.contains('"');
    if simple {
        return v.to_string();
    }
    let mut short: String = v.chars().take(40).collect();
    if short.len() < v.len() {
        short.push('…');
    }
    format!("{short:?}")
}

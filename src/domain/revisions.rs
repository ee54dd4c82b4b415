//! Field revisions: what lets two copies of a file merge field by field.
//!
//! Every field of every exchanged record has a *revision*. A record as it
//! was created has every field at the **origin** revision (nothing is
//! stored for it: the origin is the same in every copy, since copies get
//! the record from the file it was created in). Each local edit of a field
//! gives it a new revision (a fresh UUID) that remembers who made it, when,
//! and the revisions it replaced (the field's recent ancestry, at most
//! [`HISTORY`] of them; the origin is an ancestor of everything).
//!
//! Two copies of a field then compare by [`relation`]: the same revision
//! (nothing to do), one descending from the other (the newer one wins: it
//! was made knowing the other), or neither (both were edited since the
//! copies last met: a conflict, unless the values agree).
//!
//! A deleted record leaves a [`Tombstone`]: the revisions of its fields
//! that the deleter had seen. A deletion wins over a copy whose every field
//! it had seen, and is a conflict with an edit it had not.
//!
//! Pure: no I/O. The backend keeps the revisions; `app::merge` uses these
//! rules.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How many earlier revisions of a field are remembered. An edit whose
/// ancestry has fallen out of this window is compared as if unrelated
/// (a conflict unless the values agree): never lost, at worst asked about.
pub const HISTORY: usize = 32;

/// The revision id that stands for "this copy does not know the value": a
/// field the exporter was not allowed to see (left null in the file). Any
/// real revision wins over it, and it never wins over one.
pub const HIDDEN: &str = "hidden";

/// The pseudo-field whose ancestry records the deletions a record was
/// knowingly kept against (`import --ours` against a deletion).
pub const ROW: &str = "_row";

/// One field's revision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldRev {
    /// The revision id (a UUID), or [`HIDDEN`].
    pub rev: String,
    /// When the edit was made (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    /// Who made it (the acting person's handle, as the log records it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// The revisions it replaced, newest first (at most [`HISTORY`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prev: Vec<String>,
}

impl FieldRev {
    /// A new revision made by an edit of a field at revision `old` (none:
    /// the origin).
    pub fn edit(rev: String, at: &str, by: &str, old: Option<&FieldRev>) -> FieldRev {
        let mut prev = Vec::new();
        if let Some(o) = old.filter(|o| !o.is_hidden()) {
            prev.push(o.rev.clone());
            prev.extend(o.prev.iter().cloned());
        }
        prev.truncate(HISTORY);
        FieldRev {
            rev,
            at: Some(at.to_string()),
            by: Some(by.to_string()),
            prev,
        }
    }

    /// The revision for a field the exporter could not see.
    pub fn hidden() -> FieldRev {
        FieldRev {
            rev: HIDDEN.to_string(),
            at: None,
            by: None,
            prev: Vec::new(),
        }
    }

    /// Whether this stands for an unknown value.
    pub fn is_hidden(&self) -> bool {
        self.rev == HIDDEN
    }

    /// Whether `id` is this revision or one of its remembered ancestors.
    pub fn knows(&self, id: &str) -> bool {
        self.rev == id || self.prev.iter().any(|p| p == id)
    }

    /// This revision with `others` (and their ancestry) added to its
    /// ancestry: it now descends from them too.
    pub fn absorbing(mut self, others: &[&FieldRev]) -> FieldRev {
        for o in others {
            for id in std::iter::once(&o.rev).chain(&o.prev) {
                if id != &self.rev && id != HIDDEN && !self.prev.contains(id) {
                    self.prev.push(id.clone());
                }
            }
        }
        self.prev.truncate(HISTORY);
        self
    }
}

/// The revisions of a record's fields, by database column name. A field
/// not named is at the origin revision.
pub type Revs = BTreeMap<String, FieldRev>;

/// How two copies of one field relate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    /// The same revision.
    Same,
    /// Ours was made knowing theirs (or theirs is unknown): keep ours.
    Ours,
    /// Theirs was made knowing ours (or ours is unknown): take theirs.
    Theirs,
    /// Each was made without knowing the other.
    Diverged,
}

/// How our copy of a field (`None`: the origin) relates to theirs.
pub fn relation(ours: Option<&FieldRev>, theirs: Option<&FieldRev>) -> Relation {
    match (ours, theirs) {
        (None, None) => Relation::Same,
        (Some(o), Some(t)) if o.rev == t.rev => Relation::Same,
        (_, Some(t)) if t.is_hidden() => Relation::Ours,
        (Some(o), _) if o.is_hidden() => Relation::Theirs,
        (Some(_), None) => Relation::Ours,
        (None, Some(_)) => Relation::Theirs,
        (Some(o), Some(t)) if o.knows(&t.rev) => Relation::Ours,
        (Some(o), Some(t)) if t.knows(&o.rev) => Relation::Theirs,
        _ => Relation::Diverged,
    }
}

/// Whether a field at revision `rev` (`None`: the origin) is at or before
/// `seen` (what someone had of it): they knew this version.
pub fn seen(rev: Option<&FieldRev>, seen: Option<&FieldRev>) -> bool {
    match (rev, seen) {
        (None, _) => true,
        (Some(r), _) if r.is_hidden() => true,
        (Some(_), None) => false,
        (Some(r), Some(s)) => s.knows(&r.rev),
    }
}

/// Whether every field of a record at `revs` is at or before `seen`.
pub fn all_seen(revs: &Revs, seen_revs: &Revs) -> bool {
    revs.iter()
        .filter(|(f, _)| f.as_str() != ROW)
        .all(|(f, r)| seen(Some(r), seen_revs.get(f)))
}

/// A record's deletion, as it travels between copies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tombstone {
    /// Index into [`crate::domain::records::TABLES`].
    pub table: usize,
    /// The deleted record's UUID.
    pub uuid: String,
    /// The deletion's own id (a UUID).
    pub rev: String,
    /// When it was deleted (RFC 3339).
    pub deleted_at: String,
    /// Who deleted it.
    pub deleted_by: Option<String>,
    /// The revisions of the record's fields the deleter had.
    pub seen: Revs,
}

/// Whether a record at `revs` was knowingly kept against deletion `rev`.
pub fn kept_against(revs: &Revs, rev: &str) -> bool {
    revs.get(ROW).is_some_and(|r| r.knows(rev))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn rev(id: &str, prev: &[&str]) -> FieldRev {
        FieldRev {
            rev: id.into(),
            at: None,
            by: None,
            prev: prev.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn relations() {
        let a = rev("a", &[]);
        let b = rev("b", &["a"]);
        let c = rev("c", &["a"]);
        assert_eq!(relation(None, None), Relation::Same);
        assert_eq!(relation(Some(&a), Some(&a)), Relation::Same);
        assert_eq!(relation(None, Some(&a)), Relation::Theirs);
        assert_eq!(relation(Some(&a), None), Relation::Ours);
        assert_eq!(relation(Some(&a), Some(&b)), Relation::Theirs);
        assert_eq!(relation(Some(&b), Some(&a)), Relation::Ours);
        assert_eq!(relation(Some(&b), Some(&c)), Relation::Diverged);
        assert_eq!(
            relation(Some(&FieldRev::hidden()), Some(&a)),
            Relation::Theirs
        );
        assert_eq!(
            relation(Some(&a), Some(&FieldRev::hidden())),
            Relation::Ours
        );
    }

    #[test]
    fn history_is_bounded_and_newest_first() {
        let mut r: Option<FieldRev> = None;
        for i in 0..(HISTORY + 10) {
            r = Some(FieldRev::edit(format!("r{i}"), "t", "me", r.as_ref()));
        }
        let r = r.unwrap();
        assert_eq!(r.prev.len(), HISTORY);
        assert_eq!(r.prev[0], format!("r{}", HISTORY + 8));
        let merged = rev("m", &[]).absorbing(&[&rev("x", &["y"]), &rev("z", &[])]);
        assert_eq!(merged.prev, ["x", "y", "z"]);
    }

    #[test]
    fn a_deletion_covers_what_it_saw() {
        let mut revs = Revs::new();
        revs.insert("note".into(), rev("b", &["a"]));
        let mut saw = Revs::new();
        saw.insert("note".into(), rev("a", &[]));
        assert!(!all_seen(&revs, &saw));
        saw.insert("note".into(), rev("c", &["b", "a"]));
        assert!(all_seen(&revs, &saw));
        assert!(all_seen(&Revs::new(), &Revs::new()));
    }
}

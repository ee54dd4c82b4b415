//! `export`'s work over the store: streaming the selected records or
//! check-ins into a writer (`import` is [`super::merge`]).

use super::access::Policy;
use super::report::appraise::facts_of;
use crate::domain::ReviewKind;
use crate::domain::access::{Facts, Item};
use crate::domain::cycle::{counts, is_anonymous};
use crate::domain::records::{RawRow, TABLES};
use crate::domain::revisions::FieldRev;
use crate::error::Result;
use crate::formats::exchange::{CsvWriter, Header, JsonWriter, OnWriteError};
use crate::store::Session;
use crate::store::exchange::{Selection, Val};
use std::collections::{HashMap, HashSet};
use std::io::Write;

/// Stream the selected check-ins as CSV; returns how many were written.
pub fn write_checkins_csv(
    s: &dyn Session,
    sel: &Selection,
    out: &mut dyn Write,
    bom: bool,
    on_io: OnWriteError,
) -> Result<usize> {
    let mut w = CsvWriter::begin(out, bom, on_io)?;
    s.for_each_checkin_line(sel, &mut |c| w.line(c))?;
    w.finish()
}

/// Stream the selected records the acting person may see as an exchange
/// document; returns how many were written and how many the access policy
/// held back.
pub fn write_json(
    s: &dyn Session,
    policy: &Policy,
    sel: &Selection,
    header: &Header,
    out: &mut dyn Write,
    on_io: OnWriteError,
) -> Result<(usize, usize)> {
    let reader = Reader::new(s, policy)?;
    let mut held_back = 0usize;
    let mut w = JsonWriter::begin(out, header).map_err(on_io)?;
    s.for_each_record(sel, &mut |row, revs| match reader.redact(row) {
        Some((row, [])) => w.record(&row, revs).map_err(on_io),
        Some((row, hidden)) => {
            // A field left out for the reader says so: its null is no value
            // a merge may take for the real one.
            let mut revs = revs.clone();
            for c in hidden {
                revs.insert((*c).to_string(), FieldRev::hidden());
            }
            w.record(&row, &revs).map_err(on_io)
        }
        None => {
            held_back += 1;
            Ok(())
        }
    })?;
    s.for_each_tombstone(sel, &mut |t| w.deletion(t).map_err(on_io))?;
    Ok((w.finish().map_err(on_io)?.0, held_back))
}

/// No columns.
const NONE: &[&str] = &[];

/// What the acting person may see of each confidential record, worked out
/// once before the rows stream past: which reviews (and so which ratings),
/// and for each appraisal whether its scores and its outcome.
struct Reader {
    /// Review UUIDs the reader may see.
    reviews: HashSet<String>,
    /// (cycle UUID, subject UUID) → (scores visible, outcome visible).
    appraisals: HashMap<(String, String), (bool, bool)>,
    /// Private feedback the reader may see, by UUID.
    feedback: HashSet<String>,
    /// Improvement plans the reader may see, by UUID.
    pips: HashSet<String>,
}

impl Reader {
    fn new(s: &dyn Session, policy: &Policy) -> Result<Reader> {
        let mut reviews = HashSet::new();
        let mut appraisals = HashMap::new();
        for c in s.list_cycles()? {
            let all = s.reviews(c.id, None)?;
            for p in s.participants(c.id)? {
                let mine: Vec<_> = all.iter().filter(|r| r.subject == p.handle).collect();
                let state = |k: ReviewKind| mine.iter().find(|r| r.kind == k).map(|r| r.state);
                let facts = facts_of(
                    &c,
                    state(ReviewKind::SelfReview),
                    state(ReviewKind::Manager),
                    p.manager.is_some(),
                );
                for r in &mine {
                    let item = if !counts(r) {
                        Item::DraftReview
                    } else if is_anonymous(r.kind) {
                        Item::PeerReview
                    } else {
                        Item::SubmittedReview
                    };
                    if policy.sees(s, item, Some(&p.handle), Some(&r.reviewer), facts)? {
                        reviews.insert(r.uuid.clone());
                    }
                }
                let scores = policy.sees(s, Item::Appraisal, Some(&p.handle), None, facts)?;
                let outcome = policy.sees(s, Item::Outcome, Some(&p.handle), None, facts)?;
                let uuid = s
                    .find_person(&p.handle)?
                    .map(|x| x.uuid)
                    .unwrap_or_default();
                appraisals.insert((c.uuid.clone(), uuid), (scores, outcome));
            }
        }
        let mut feedback = HashSet::new();
        for f in s.list_feedback(&Default::default())? {
            if f.private
                && policy.sees(
                    s,
                    Item::PrivateFeedback,
                    Some(&f.to),
                    f.from.as_deref(),
                    Facts::default(),
                )?
            {
                feedback.insert(f.uuid);
            }
        }
        let mut pips = HashSet::new();
        for p in s.list_pips(None)? {
            if policy.sees(
                s,
                Item::ImprovementPlan,
                Some(&p.subject),
                None,
                Facts::default(),
            )? {
                pips.insert(p.uuid);
            }
        }
        Ok(Reader {
            reviews,
            appraisals,
            feedback,
            pips,
        })
    }

    /// The row as the reader may see it (and the columns left out for
    /// them), or none.
    fn redact(&self, row: &RawRow) -> Option<(RawRow, &'static [&'static str])> {
        let def = &TABLES[row.table];
        let text = |col: &str| match def.col(col).and_then(|i| row.vals.get(i)) {
            Some(Val::Text(t)) => Some(t.clone()),
            _ => None,
        };
        match def.name {
            "feedback" => {
                let private = matches!(
                    def.col("private").and_then(|i| row.vals.get(i)),
                    Some(Val::Int(1))
                );
                (!private || self.feedback.contains(&row.uuid)).then(|| (row.clone(), NONE))
            }
            "review" => self
                .reviews
                .contains(&row.uuid)
                .then(|| (row.clone(), NONE)),
            "rating" => text("review_id")
                .filter(|r| self.reviews.contains(r))
                .map(|_| (row.clone(), NONE)),
            // A frozen record holds scores and outcome alike.
            "appraisal_record" => {
                let key = (text("cycle_id")?, text("subject_id")?);
                let (scores, outcome) = self.appraisals.get(&key).copied().unwrap_or_default();
                (scores && outcome).then(|| (row.clone(), NONE))
            }
            "pip" => self.pips.contains(&row.uuid).then(|| (row.clone(), NONE)),
            "pip_goal" | "pip_checkpoint" | "pip_step" => text("pip_id")
                .filter(|p| self.pips.contains(p))
                .map(|_| (row.clone(), NONE)),
            "acknowledgement" => {
                let key = (text("cycle_id")?, text("person_id")?);
                let (_, outcome) = self.appraisals.get(&key).copied().unwrap_or_default();
                outcome.then(|| (row.clone(), NONE))
            }
            "outcome" | "action" => {
                let key = (text("cycle_id")?, text("subject_id")?);
                let (scores, outcome) = self.appraisals.get(&key).copied().unwrap_or_default();
                if def.name == "action" {
                    return outcome.then(|| (row.clone(), NONE));
                }
                if !scores && !outcome {
                    return None;
                }
                let mut row = row.clone();
                let hidden: &'static [&'static str] = match (scores, outcome) {
                    (true, true) => &[],
                    (true, false) => &["potential", "recommendation", "pip_id"],
                    _ => &[
                        "computed_score",
                        "computed_level",
                        "calibrated_level",
                        "calibration_reason",
                        "peer_average",
                        "peer_count",
                        "upward_average",
                        "upward_count",
                    ],
                };
                for c in hidden {
                    if let Some(i) = def.col(c) {
                        row.vals[i] = Val::Null;
                    }
                }
                Some((row, hidden))
            }
            _ => Some((row.clone(), NONE)),
        }
    }
}

//! A realistic synthetic organisation for the demo and for benchmarks:
//! teams, people with managers, goals cascading from the organisation to
//! teams to people, measures of every kind, and weeks of check-ins in which
//! some goals run ahead, some behind and some go stale.
//!
//! Everything derives from a seed through a small SplitMix64 generator (kept
//! here rather than a crate's generator so the same seed gives the same data
//! in every version).

mod activity;
mod cycles;
mod data;
mod plan;
mod rng;

pub use cycles::{DemoCycles, appraisals};
pub use rng::Rng;

use crate::app::access::Policy;
use crate::app::org::{self, PersonPatch, TeamPatch};
use crate::app::plan as splan;
use crate::error::Result;
use crate::store::Session;
use crate::time::{PeriodKind, Weekday, period_containing};
use chrono::{Datelike, NaiveDate};
use data::{FIRST, LAST, NAMED, SQUAD, TEAMS};
use std::collections::HashMap;

/// How big the demo organisation is, and its seed.
#[derive(Debug, Clone, Copy)]
pub struct DemoSize {
    /// People in the organisation.
    pub people: u32,
    /// Weeks of check-ins.
    pub weeks: u32,
    /// The seed (same seed, same data).
    pub seed: u64,
}

/// What the demo made.
#[derive(Debug, Default, Clone)]
pub struct DemoSummary {
    /// Teams created.
    pub teams: usize,
    /// People created.
    pub people: usize,
    /// Goals created.
    pub goals: usize,
    /// Measures created.
    pub measures: usize,
    /// Check-ins recorded.
    pub checkins: usize,
    /// Feedback given.
    pub feedback: usize,
    /// The period the plan is for.
    pub period: String,
}

/// The people of the organisation, as the later steps need them.
pub(super) struct Org {
    /// Members (everyone but the department leads) by department.
    pub(super) members: Vec<Vec<String>>,
    /// Each person's manager.
    pub(super) managers: HashMap<String, String>,
    /// Everyone but the chief executive, in the order they were added.
    pub(super) everyone: Vec<String>,
}

/// Fill `db` (inside the caller's transaction) with the demo organisation.
pub fn generate(
    db: &mut dyn Session,
    now: &str,
    today: NaiveDate,
    week_start: Weekday,
    size: DemoSize,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<DemoSummary> {
    let DemoSize {
        people,
        weeks,
        seed,
    } = size;
    let mut rng = Rng::new(seed);
    let q = period_containing(PeriodKind::Quarter, today, week_start);
    let mut s = DemoSummary {
        period: q.name.clone(),
        ..DemoSummary::default()
    };
    fiscal_year(db, now, today)?;
    let org = organisation(db, now, people, &mut rng, &mut s)?;
    let tracked = plan::plan(
        db, now, today, week_start, weeks, &q, &org, &mut rng, &mut s,
    )?;
    activity::record_checkins(db, now, today, size, &tracked, &mut rng, &mut s, progress)?;
    activity::give_feedback(db, now, today, weeks, &org, &mut rng, &mut s)?;
    Ok(s)
}

/// A custom period: the fiscal year running July to June.
fn fiscal_year(db: &mut dyn Session, now: &str, today: NaiveDate) -> Result<()> {
    let fy_start = NaiveDate::from_ymd_opt(
        if today.month() >= 7 {
            today.year()
        } else {
            today.year() - 1
        },
        7,
        1,
    );
    if let Some(start) = fy_start {
        let end = NaiveDate::from_ymd_opt(start.year() + 1, 6, 30).unwrap_or(start);
        splan::put_period(
            db,
            now,
            &Policy::owner(),
            &crate::domain::goal::PeriodRow {
                name: format!("FY{}", start.year() + 1),
                start,
                end,
            },
        )?;
    }
    Ok(())
}

/// The organisation, its departments and people: the named ones, then
/// generated ones in squads.
fn organisation(
    db: &mut dyn Session,
    now: &str,
    people: u32,
    rng: &mut Rng,
    s: &mut DemoSummary,
) -> Result<Org> {
    // The organisation and its teams.
    org::add_team(
        db,
        now,
        &Policy::owner(),
        "acme",
        &TeamPatch {
            name: Some("Acme Analytics".into()),
            ..TeamPatch::default()
        },
    )?;
    s.teams += 1;
    org::add_person(
        db,
        now,
        &Policy::owner(),
        "dana",
        &PersonPatch {
            name: Some("Dana Whitfield".into()),
            title: Some(Some("Chief executive".into())),
            email: Some(Some("dana@acme.example".into())),
            team: Some(Some("acme".into())),
            purpose: Some(Some(
                "Set direction and keep Acme growing profitably".into(),
            )),
            customers: Some(Some("Customers, staff and the board".into())),
            product: Some(Some("Strategy, funding and a team that delivers".into())),
            scope: Some(Some("The whole company".into())),
            // The head of the organisation administers its file.
            admin: Some(true),
            ..PersonPatch::default()
        },
    )?;
    s.people += 1;
    org::edit_team(
        db,
        now,
        &Policy::owner(),
        "acme",
        &TeamPatch {
            lead: Some(Some("dana".into())),
            ..TeamPatch::default()
        },
    )?;
    for t in TEAMS {
        org::add_team(
            db,
            now,
            &Policy::owner(),
            t.handle,
            &TeamPatch {
                name: Some(t.name.into()),
                parent: Some(Some("acme".into())),
                lead: None,
            },
        )?;
        s.teams += 1;
    }

    // People: the named ones, then generated ones round-robin over the
    // departments, in squads of eight led by their first member.
    let mut members: Vec<Vec<String>> = vec![Vec::new(); TEAMS.len()];
    let mut managers: HashMap<String, String> = HashMap::new();
    let mut everyone: Vec<String> = Vec::new();
    // Per department: the current squad's lead, its team handle and its size.
    let mut squads: Vec<(String, String, usize)> =
        vec![(String::new(), String::new(), SQUAD); TEAMS.len()];
    let total = usize::try_from(people).unwrap_or(12).max(3);
    for i in 0..total.saturating_sub(1) {
        let (handle, name, title, dept) = match NAMED.get(i) {
            Some(&(h, n, t, team)) => (h.to_string(), n.to_string(), t.to_string(), team),
            None => {
                let dept = i % TEAMS.len();
                let name = format!("{} {}", rng.pick(FIRST), rng.pick(LAST));
                (format!("p{}", i + 2), name, "Specialist".to_string(), dept)
            }
        };
        let lead = i < TEAMS.len();
        let (manager, team, new_squad) = if lead {
            ("dana".to_string(), TEAMS[dept].handle.to_string(), None)
        } else if i < NAMED.len() {
            (
                NAMED[dept].0.to_string(),
                TEAMS[dept].handle.to_string(),
                None,
            )
        } else {
            let (squad_lead, squad_team, size) = &mut squads[dept];
            if *size >= SQUAD {
                let n = s.teams;
                *squad_lead = handle.clone();
                *squad_team = format!("{}-{n}", TEAMS[dept].handle);
                *size = 1;
                let name = format!("{} squad {n}", TEAMS[dept].name);
                (
                    NAMED[dept].0.to_string(),
                    squad_team.clone(),
                    Some((squad_team.clone(), name)),
                )
            } else {
                *size += 1;
                (squad_lead.clone(), squad_team.clone(), None)
            }
        };
        if let Some((squad, name)) = &new_squad {
            org::add_team(
                db,
                now,
                &Policy::owner(),
                squad,
                &TeamPatch {
                    name: Some(name.clone()),
                    parent: Some(Some(TEAMS[dept].handle.into())),
                    lead: None,
                },
            )?;
            s.teams += 1;
        }
        let mission = |s: &str| {
            if handle == "alice" {
                Some(Some(s.to_string()))
            } else {
                None
            }
        };
        org::add_person(
            db,
            now,
            &Policy::owner(),
            &handle,
            &PersonPatch {
                name: Some(name),
                title: Some(Some(title)),
                email: Some(Some(format!("{handle}@acme.example"))),
                manager: Some(Some(manager.clone())),
                team: Some(Some(team.clone())),
                purpose: mission("Keep the analytics API fast so customers trust their dashboards"),
                customers: mission("Product teams and the enterprise accounts they serve"),
                product: mission("An API answering 95% of requests within 200 ms"),
                scope: mission("API performance and caching; capacity purchases go through Bob"),
                ..PersonPatch::default()
            },
        )?;
        if lead || new_squad.is_some() {
            org::edit_team(
                db,
                now,
                &Policy::owner(),
                &team,
                &TeamPatch {
                    lead: Some(Some(handle.clone())),
                    ..TeamPatch::default()
                },
            )?;
        }
        if !lead {
            members[dept].push(handle.clone());
        }
        everyone.push(handle.clone());
        managers.insert(handle, manager);
        s.people += 1;
    }
    Ok(Org {
        members,
        managers,
        everyone,
    })
}

/// `demo`: fill a new database in one bulk load (no undo history): the
/// organisation, its plan and activity, and the two review cycles, the
/// finished one scored and finalized.
pub fn fill(
    db: &mut dyn Session,
    now: &str,
    (today, week_start): (NaiveDate, Weekday),
    size: DemoSize,
    pace: &crate::app::report::plan::PaceContext,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<DemoSummary> {
    db.bulk_load()?;
    let s = generate(db, now, today, week_start, size, progress)?;
    let cycles = appraisals(db, now, today, week_start, size.seed)?;
    finalize(db, now, &cycles, pace)?;
    db.set_summary(&format!(
        "demo: {} people, {} goals, {} check-ins",
        s.people, s.goals, s.checkins
    ));
    Ok(s)
}

/// Score and finalize the demo's finished cycle, then record some acknowledgements.
fn finalize(
    db: &mut dyn Session,
    now: &str,
    cycles: &DemoCycles,
    pace: &crate::app::report::plan::PaceContext,
) -> Result<()> {
    use crate::app::cycles as sa;
    let c = sa::get_cycle(db, &cycles.finished)?;
    let t = sa::load_template(db, &c)?;
    let states = crate::app::report::appraise::cycle_states(db, &c, &t, pace)?;
    for st in &states {
        sa::set_computed(
            db,
            now,
            c.id,
            st.person.person_id,
            st.appraisal.score,
            st.appraisal.level,
        )?;
    }
    crate::app::report::record::freeze(db, now, "demo", &c, pace, &states)?;
    sa::record_step(
        db,
        now,
        &c,
        crate::domain::cycle::CycleStep::Finalize,
        ("demo", false, None),
    )?;
    for h in &cycles.acknowledging {
        let id = org::person_id(db, h)?;
        db.acknowledge(now, c.id, id)?;
    }
    Ok(())
}

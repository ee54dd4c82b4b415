//! A realistic synthetic organisation for the demo and for benchmarks:
//! teams, people with managers, goals cascading from the organisation to
//! teams to people, measures of every kind, and weeks of check-ins in which
//! some goals run ahead, some behind and some go stale.
//!
//! Everything derives from a seed through a small SplitMix64 generator (kept
//! here rather than a crate's generator so the same seed gives the same data
//! in every version).

use crate::error::Result;
use crate::model::{Direction, FeedbackKind, MeasureKind, Priority};
use crate::store::checkins::{self, NewCheckin};
use crate::store::feedback;
use crate::store::org::{self, PersonPatch, TeamPatch};
use crate::store::plan::{self as splan, GoalPatch, MeasurePatch};
use crate::time::{PeriodKind, Weekday, period_containing};
use chrono::{Datelike, Duration, NaiveDate};
use rusqlite::Connection;
use std::collections::HashMap;

/// SplitMix64: tiny, fast, and stable across versions.
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A float in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// An integer in [lo, hi].
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        let span = u64::try_from(hi - lo + 1).unwrap_or(1).max(1);
        lo + i64::try_from(self.next_u64() % span).unwrap_or(0)
    }

    /// A version-4 UUID from the generator (reproducible, and no system call).
    pub fn uuid(&mut self) -> String {
        let bytes = (u128::from(self.next_u64()) << 64 | u128::from(self.next_u64())).to_le_bytes();
        uuid::Builder::from_random_bytes(bytes)
            .into_uuid()
            .to_string()
    }

    /// One of the items.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        let i = usize::try_from(self.next_u64() % items.len().max(1) as u64).unwrap_or(0);
        &items[i.min(items.len().saturating_sub(1))]
    }
}

/// One of the texts (a `&str` copied out, so the generator is free again).
fn pick_text(rng: &mut Rng, texts: &[&'static str]) -> &'static str {
    let chosen: &&'static str = rng.pick(texts);
    chosen
}

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

struct TeamSpec {
    handle: &'static str,
    name: &'static str,
    goal_key: &'static str,
    goal: &'static str,
    parent_goal: &'static str,
    metric: (
        &'static str,
        &'static str,
        MeasureKind,
        f64,
        f64,
        Option<f64>,
        Option<f64>,
    ),
    personal: &'static [(
        &'static str,
        &'static str,
        &'static str,
        MeasureKind,
        f64,
        f64,
    )],
}

const TEAMS: &[TeamSpec] = &[
    TeamSpec {
        handle: "platform",
        name: "Platform",
        goal_key: "api-latency",
        goal: "Cut API latency",
        parent_goal: "reliable-product",
        metric: (
            "p95 latency",
            "ms",
            MeasureKind::Number,
            450.0,
            200.0,
            Some(150.0),
            Some(600.0),
        ),
        personal: &[
            (
                "Cache the hot endpoints",
                "cache hit rate",
                "%",
                MeasureKind::Percent,
                40.0,
                80.0,
            ),
            (
                "Fix the slowest queries",
                "slow queries",
                "queries",
                MeasureKind::Number,
                120.0,
                30.0,
            ),
            (
                "Ship zero-downtime deploys",
                "shipped",
                "",
                MeasureKind::YesNo,
                0.0,
                1.0,
            ),
            (
                "Raise test coverage",
                "line coverage",
                "%",
                MeasureKind::Percent,
                62.0,
                80.0,
            ),
        ],
    },
    TeamSpec {
        handle: "product",
        name: "Product",
        goal_key: "activation",
        goal: "Improve activation of new accounts",
        parent_goal: "grow-revenue",
        metric: (
            "activation rate",
            "%",
            MeasureKind::Percent,
            30.0,
            45.0,
            Some(50.0),
            Some(25.0),
        ),
        personal: &[
            (
                "Run activation experiments",
                "experiments run",
                "experiments",
                MeasureKind::Number,
                0.0,
                6.0,
            ),
            (
                "Redesign onboarding",
                "milestones",
                "",
                MeasureKind::Milestone,
                0.0,
                5.0,
            ),
            (
                "Cut time to first report",
                "median minutes",
                "min",
                MeasureKind::Number,
                38.0,
                15.0,
            ),
        ],
    },
    TeamSpec {
        handle: "sales",
        name: "Sales",
        goal_key: "enterprise-pipeline",
        goal: "Expand the enterprise pipeline",
        parent_goal: "grow-revenue",
        metric: (
            "qualified pipeline",
            "EUR",
            MeasureKind::Currency,
            1_200_000.0,
            2_000_000.0,
            Some(2_400_000.0),
            None,
        ),
        personal: &[
            (
                "Close enterprise deals",
                "deals closed",
                "deals",
                MeasureKind::Number,
                0.0,
                4.0,
            ),
            (
                "Grow renewals",
                "renewal revenue",
                "EUR",
                MeasureKind::Currency,
                150_000.0,
                300_000.0,
            ),
            (
                "Shorten the sales cycle",
                "median days",
                "days",
                MeasureKind::Number,
                64.0,
                45.0,
            ),
        ],
    },
];

const NAMED: &[(&str, &str, &str, usize)] = &[
    // handle, name, title, team index (TEAMS) — leads first
    ("bob", "Bob Okafor", "Engineering lead", 0),
    ("priya", "Priya Raman", "Head of product", 1),
    ("sam", "Sam Lindqvist", "Sales director", 2),
    ("alice", "Alice Moreau", "Senior engineer", 0),
    ("chen", "Chen Wei", "Database engineer", 0),
    ("eve", "Eve Santos", "Site reliability engineer", 0),
    ("omar", "Omar Haddad", "Product designer", 1),
    ("lena", "Lena Fischer", "Product analyst", 1),
    ("kim", "Kim Park", "Account executive", 2),
    ("raj", "Raj Patel", "Account executive", 2),
    ("mia", "Mia Costa", "Customer success manager", 2),
];

const FIRST: &[&str] = &[
    "Ada", "Ben", "Cleo", "Dev", "Ella", "Finn", "Gia", "Hugo", "Iris", "Jon", "Kai", "Lea", "Max",
    "Nia", "Oli", "Pia",
];
const LAST: &[&str] = &[
    "Adams", "Berg", "Cruz", "Diaz", "Ekström", "Fox", "Gupta", "Hale", "Ito", "Jansen", "Khan",
    "Lund", "Meyer", "Novak",
];

/// A measure the demo reports on, with how its owner is doing.
struct Tracked {
    measure: splan::Measure,
    pace: f64,
    stale: bool,
    author: Option<i64>,
    start: NaiveDate,
    end: NaiveDate,
    ongoing: bool,
}

/// Ongoing standards everyone keeps when the history is longer than a
/// quarter: (title, measures as (name, unit, kind, baseline, target)).
type StandardMeasure = (&'static str, &'static str, MeasureKind, f64, f64);
const STANDARDS: &[(&str, [StandardMeasure; 2])] = &[
    (
        "Answer customers quickly",
        [
            ("first reply", "hours", MeasureKind::Number, 24.0, 8.0),
            ("tickets reopened", "%", MeasureKind::Percent, 12.0, 5.0),
        ],
    ),
    (
        "Deliver what was committed",
        [
            ("commitments met", "%", MeasureKind::Percent, 70.0, 90.0),
            ("carried-over items", "items", MeasureKind::Number, 6.0, 2.0),
        ],
    ),
    (
        "Keep quality high",
        [
            (
                "defects after release",
                "defects",
                MeasureKind::Number,
                10.0,
                3.0,
            ),
            (
                "review turnaround",
                "hours",
                MeasureKind::Number,
                30.0,
                12.0,
            ),
        ],
    ),
    (
        "Keep learning",
        [
            ("courses completed", "", MeasureKind::Milestone, 0.0, 6.0),
            (
                "mentoring sessions",
                "sessions",
                MeasureKind::Number,
                0.0,
                24.0,
            ),
        ],
    ),
    (
        "Work well across teams",
        [
            (
                "cross-team reviews",
                "reviews",
                MeasureKind::Number,
                0.0,
                30.0,
            ),
            (
                "peer feedback score",
                "points",
                MeasureKind::Number,
                3.0,
                4.2,
            ),
        ],
    ),
];

/// How many people a generated squad has, its lead included.
const SQUAD: usize = 8;

/// How a goal's owner is doing: a multiplier on the expected pace, and
/// whether check-ins stopped a few weeks ago.
fn profile(rng: &mut Rng) -> (f64, bool) {
    match rng.range(0, 9) {
        0 | 1 => (1.35, false), // ahead
        2..=5 => (1.0, false),  // on pace
        6 | 7 => (0.55, false), // behind
        _ => (0.8, true),       // stale
    }
}

/// Fill `conn` (inside the caller's transaction) with the demo organisation.
pub fn generate(
    conn: &Connection,
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

    // A custom period: the fiscal year running July to June.
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
            conn,
            now,
            &splan::PeriodRow {
                name: format!("FY{}", start.year() + 1),
                start,
                end,
            },
        )?;
    }

    // The organisation and its teams.
    org::add_team(
        conn,
        now,
        "acme",
        &TeamPatch {
            name: Some("Acme Analytics".into()),
            ..TeamPatch::default()
        },
    )?;
    s.teams += 1;
    org::add_person(
        conn,
        now,
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
            ..PersonPatch::default()
        },
    )?;
    s.people += 1;
    org::edit_team(
        conn,
        now,
        "acme",
        &TeamPatch {
            lead: Some(Some("dana".into())),
            ..TeamPatch::default()
        },
    )?;
    for t in TEAMS {
        org::add_team(
            conn,
            now,
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
                conn,
                now,
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
            conn,
            now,
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
                conn,
                now,
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

    let goal = |key: &str,
                title: &str,
                owner: &str,
                parent: Option<&str>,
                weight: f64,
                priority: Priority| GoalPatch {
        key: Some(key.into()),
        title: Some(title.into()),
        owner: Some(owner.into()),
        parent: Some(parent.map(str::to_string)),
        period: Some(Some(q.name.clone())),
        start: Some(Some(q.start)),
        due: Some(Some(q.end)),
        weight: Some(weight),
        priority: Some(priority),
        ..GoalPatch::default()
    };
    let measure = |name: &str,
                   unit: &str,
                   kind: MeasureKind,
                   baseline: f64,
                   target: f64,
                   stretch: Option<f64>,
                   floor: Option<f64>| MeasurePatch {
        name: Some(name.into()),
        unit: Some(Some(unit.to_string()).filter(|u| !u.is_empty())),
        kind: Some(kind),
        direction: Some(if target < baseline {
            Direction::Decrease
        } else {
            Direction::Increase
        }),
        baseline: Some(baseline),
        target: Some(target),
        stretch: Some(stretch),
        floor: Some(floor),
        weight: Some(1.0),
    };

    // Organisation goals.
    let mut tracked: Vec<Tracked> = Vec::new();
    let mut add = |conn: &Connection,
                   g: GoalPatch,
                   ms: Vec<MeasurePatch>,
                   s: &mut DemoSummary,
                   rng: &mut Rng|
     -> Result<()> {
        let goal = splan::add_goal(conn, now, &g)?;
        s.goals += 1;
        let (pace, stale) = profile(rng);
        // Check-ins are written by the owner, or by the lead of an owning team.
        let author = if goal.owner_is_team {
            org::find_team(conn, &goal.owner)?.and_then(|t| t.lead)
        } else {
            Some(goal.owner.clone())
        };
        let author = match author {
            Some(h) => Some(org::person_id(conn, &h)?),
            None => None,
        };
        for m in ms {
            let m = splan::add_measure(conn, now, &goal, &m)?;
            s.measures += 1;
            tracked.push(Tracked {
                measure: m,
                pace,
                stale,
                author,
                start: goal.start.unwrap_or(q.start),
                end: goal.due.unwrap_or(q.end),
                ongoing: goal.period.is_none(),
            });
        }
        Ok(())
    };
    add(
        conn,
        goal(
            "grow-revenue",
            "Grow annual recurring revenue",
            "acme",
            None,
            2.0,
            Priority::High,
        ),
        vec![measure(
            "ARR",
            "EUR",
            MeasureKind::Currency,
            2_000_000.0,
            3_000_000.0,
            Some(3_300_000.0),
            Some(1_800_000.0),
        )],
        &mut s,
        &mut rng,
    )?;
    add(
        conn,
        goal(
            "reliable-product",
            "Make the product reliable",
            "acme",
            None,
            1.0,
            Priority::High,
        ),
        vec![
            measure(
                "uptime",
                "%",
                MeasureKind::Percent,
                99.5,
                99.9,
                Some(99.95),
                Some(99.0),
            ),
            measure(
                "sev-1 incidents",
                "incidents",
                MeasureKind::Number,
                6.0,
                1.0,
                Some(0.0),
                None,
            ),
        ],
        &mut s,
        &mut rng,
    )?;
    for (ti, t) in TEAMS.iter().enumerate() {
        let (name, unit, kind, b, tg, st, fl) = t.metric;
        add(
            conn,
            goal(
                t.goal_key,
                t.goal,
                t.handle,
                Some(t.parent_goal),
                1.0,
                Priority::High,
            ),
            vec![measure(name, unit, kind, b, tg, st, fl)],
            &mut s,
            &mut rng,
        )?;
        for (pi, handle) in members[ti].iter().enumerate() {
            let (title, mname, unit, kind, b, tg) = t.personal[pi % t.personal.len()];
            let key = format!("{handle}-{}", crate::model::names::slugify(title));
            let key = if key.len() > 60 {
                key[..60].trim_end_matches('-').to_string()
            } else {
                key
            };
            add(
                conn,
                goal(&key, title, handle, Some(t.goal_key), 1.0, Priority::Medium),
                vec![measure(mname, unit, kind, b, tg, None, None)],
                &mut s,
                &mut rng,
            )?;
        }
    }

    // With more than a quarter of history, everyone also keeps ongoing
    // standards, reported on every week since the history began.
    if weeks > 13 {
        let history_start = today - Duration::days(i64::from(weeks) * 7);
        for handle in &everyone {
            for (title, ms) in STANDARDS {
                let key = format!("{handle}-{}", crate::model::names::slugify(title));
                add(
                    conn,
                    GoalPatch {
                        key: Some(key),
                        title: Some((*title).into()),
                        owner: Some(handle.clone()),
                        period: Some(None),
                        start: Some(Some(history_start)),
                        due: Some(Some(q.end)),
                        weight: Some(1.0),
                        priority: Some(Priority::Low),
                        ..GoalPatch::default()
                    },
                    ms.iter()
                        .map(|&(name, unit, kind, b, t)| {
                            measure(name, unit, kind, b, t, None, None)
                        })
                        .collect(),
                    &mut s,
                    &mut rng,
                )?;
            }
        }
    }

    // Last quarter's goals, closed: two achieved, one missed.
    let last_q = period_containing(PeriodKind::Quarter, q.start - Duration::days(1), week_start);
    for (key, title, owner, status) in [
        (
            "launch-status-page",
            "Launch the public status page",
            "platform",
            crate::model::GoalStatus::Achieved,
        ),
        (
            "pricing-page-test",
            "Test the new pricing page",
            "product",
            crate::model::GoalStatus::Achieved,
        ),
        (
            "partner-channel",
            "Open a partner sales channel",
            "sales",
            crate::model::GoalStatus::Missed,
        ),
    ] {
        splan::add_goal(
            conn,
            now,
            &GoalPatch {
                key: Some(key.into()),
                title: Some(title.into()),
                owner: Some(owner.into()),
                period: Some(Some(last_q.name.clone())),
                start: Some(Some(last_q.start)),
                due: Some(Some(last_q.end)),
                status: Some(status),
                ..GoalPatch::default()
            },
        )?;
        s.goals += 1;
    }

    // Weekly check-ins up to today.
    let mut ids = Rng::new(seed ^ 0x1D5);
    let mut batch = checkins::Batch::new(now);
    let total = u64::try_from(tracked.len()).unwrap_or(u64::MAX);
    for (done, t) in tracked.iter().enumerate() {
        let Tracked {
            measure: m,
            pace,
            stale,
            author,
            ..
        } = t;
        if done % 64 == 0 {
            progress(u64::try_from(done).unwrap_or(0), total);
        }
        let span = (t.end - t.start).num_days().max(1) as f64;
        for w in (0..weeks).rev() {
            let date = today - Duration::days(i64::from(w) * 7 + rng.range(0, 2));
            if *stale && w < 3 {
                continue;
            }
            if date < t.start - Duration::days(14) {
                continue;
            }
            // Ongoing standards miss a week now and then.
            if t.ongoing && rng.unit() < 0.05 {
                continue;
            }
            let elapsed = ((date - t.start).num_days() as f64 / span).clamp(0.0, 1.0);
            let noise = (rng.unit() - 0.5) * 0.08;
            let fraction = (elapsed * pace + noise).max(-0.05);
            let raw = m.baseline + (m.target - m.baseline) * fraction;
            let value = match m.kind {
                MeasureKind::YesNo => f64::from(u8::from(fraction >= 0.9)),
                MeasureKind::Milestone => raw.round().max(0.0),
                MeasureKind::Percent => (raw * 10.0).round() / 10.0,
                MeasureKind::Currency => (raw / 1000.0).round() * 1000.0,
                MeasureKind::Number => {
                    if m.baseline.fract() == 0.0 && m.target.fract() == 0.0 {
                        raw.round()
                    } else {
                        (raw * 10.0).round() / 10.0
                    }
                }
            };
            let note = match rng.range(0, 7) {
                0 => Some("Blocked on a dependency this week".to_string()),
                1 => Some("Good progress after the review".to_string()),
                _ => None,
            };
            batch.push(
                conn,
                ids.uuid(),
                NewCheckin {
                    goal_id: m.goal_id,
                    measure_id: Some(m.id),
                    date,
                    value: Some(value),
                    confidence: Some(rng.range(4, 9)),
                    // People behind say so in their latest check-in.
                    status: (w == 0 && *pace < 0.7).then(|| "at-risk".to_string()),
                    note,
                    author_id: *author,
                },
            )?;
            s.checkins += 1;
        }
    }
    batch.flush(conn)?;

    // Feedback: managers praise and coach, peers give 360 input, and now and
    // then a manager notes a private concern.
    const PRAISE: &[&str] = &[
        "The design review was clear and well prepared",
        "Thanks for unblocking the release on Friday",
        "Great customer call: calm and precise",
    ];
    const COACHING: &[&str] = &[
        "Share drafts earlier so others can help",
        "Break the work into smaller check-ins",
        "Write down decisions after meetings",
    ];
    const PEER: &[&str] = &[
        "Always willing to pair on hard problems",
        "Reviews are thorough and kind",
    ];
    for (ti, team) in members.iter().enumerate() {
        let lead = NAMED[ti].0;
        for (i, handle) in team.iter().enumerate() {
            let to = org::person_id(conn, handle)?;
            let manager = org::person_id(conn, managers.get(handle).map_or(lead, String::as_str))?;
            let mut give = |from: i64,
                            kind: FeedbackKind,
                            text: &str,
                            private: bool,
                            rng: &mut Rng|
             -> Result<()> {
                let date = today - Duration::days(rng.range(0, i64::from(weeks.max(1)) * 7));
                feedback::add(
                    conn,
                    now,
                    &feedback::NewFeedback {
                        from_id: Some(from),
                        to_id: to,
                        date,
                        kind,
                        text: text.to_string(),
                        goal_id: None,
                        private,
                    },
                )?;
                s.feedback += 1;
                Ok(())
            };
            give(
                manager,
                FeedbackKind::Praise,
                pick_text(&mut rng, PRAISE),
                false,
                &mut rng,
            )?;
            if i % 2 == 0 {
                give(
                    manager,
                    FeedbackKind::Coaching,
                    pick_text(&mut rng, COACHING),
                    false,
                    &mut rng,
                )?;
            }
            if let Some(peer) = team.get((i + 1) % team.len()).filter(|p| *p != handle) {
                let from = org::person_id(conn, peer)?;
                give(
                    from,
                    FeedbackKind::ThreeSixty,
                    pick_text(&mut rng, PEER),
                    false,
                    &mut rng,
                )?;
            }
            if i == 1 {
                give(
                    manager,
                    FeedbackKind::Concern,
                    "Deadlines slipped twice this month; agree a plan",
                    true,
                    &mut rng,
                )?;
            }
        }
    }
    Ok(s)
}

/// The demo's review cycles: the previous half-year's, complete and ready to
/// finalize (the caller computes the scores and finalizes it), and the
/// current half-year's, open and part-way through.
pub struct DemoCycles {
    /// The cycle to finalize.
    pub finished: String,
    /// The open cycle.
    pub open: String,
    /// People who acknowledge their outcome once the finished cycle is final.
    pub acknowledging: Vec<String>,
}

/// Create the demo's review cycles (inside the caller's transaction).
pub fn appraisals(
    conn: &Connection,
    now: &str,
    today: NaiveDate,
    week_start: Weekday,
    seed: u64,
) -> Result<DemoCycles> {
    use crate::store::appraise::{self as sa, NewCycle};
    let mut rng = Rng::new(seed ^ 0xA9);
    let template =
        crate::io::template::parse(crate::io::template::DEFAULT, "the default template")?;
    let tid = sa::add_template(conn, now, &template.name, crate::io::template::DEFAULT)?;
    let this_half = period_containing(PeriodKind::Half, today, week_start);
    let last_half = period_containing(
        PeriodKind::Half,
        this_half.start - Duration::days(1),
        week_start,
    );
    let people: Vec<crate::store::org::Person> = org::list_people(conn, None, false)?
        .into_iter()
        .filter(|p| p.manager.is_some())
        .collect();
    let ids: Vec<i64> = people.iter().map(|p| p.id).collect();
    let competencies: Vec<String> = template
        .competencies
        .iter()
        .map(|c| c.key.clone())
        .collect();
    let levels: Vec<f64> = template.scale.levels.iter().map(|l| l.value).collect();
    let pick_level = |rng: &mut Rng, bias: i64| -> f64 {
        let i = (rng.range(2, 3) + bias).clamp(0, i64::try_from(levels.len()).unwrap_or(1) - 1);
        levels[usize::try_from(i).unwrap_or(0)]
    };

    let finished = format!("{} reviews", last_half.name);
    let c = sa::create_cycle(
        conn,
        now,
        &NewCycle {
            name: finished.clone(),
            period: last_half.name.clone(),
            start: last_half.start,
            end: last_half.end,
            template_id: tid,
            self_due: Some(last_half.end + Duration::days(14)),
            manager_due: Some(last_half.end + Duration::days(28)),
            participants: ids.clone(),
        },
    )?;
    let by_handle = |h: &str| people.iter().find(|p| p.handle == h).map(|p| p.id);
    for (i, p) in people.iter().enumerate() {
        let bias = rng.range(-1, 1);
        let manager = p
            .manager
            .as_deref()
            .and_then(by_handle)
            .map_or(Ok(None), |m| Ok::<_, crate::Error>(Some(m)))?;
        let mut kinds: Vec<(i64, &str)> = vec![(p.id, "self")];
        if let Some(m) = manager {
            kinds.push((m, "manager"));
        } else if let Some(m) = &p.manager {
            kinds.push((org::person_id(conn, m)?, "manager"));
        }
        // Three teammates as peers, so their average clears the anonymity threshold.
        let mates: Vec<&crate::store::org::Person> = people
            .iter()
            .filter(|q| {
                q.team == p.team && q.id != p.id && Some(q.handle.as_str()) != p.manager.as_deref()
            })
            .collect();
        for q in mates.iter().take(3) {
            kinds.push((q.id, "peer"));
        }
        for (reviewer, kind) in kinds {
            let r = sa::ensure_review(conn, now, c.id, p.id, reviewer, kind)?;
            for k in &competencies {
                sa::set_rating(conn, now, r.id, k, Some(pick_level(&mut rng, bias)), None)?;
            }
            let summary = match kind {
                "self" => "Delivered what I committed to; want to grow in mentoring.",
                "manager" => "Solid half; owns their area and helps others.",
                _ => "Good to work with.",
            };
            sa::set_summary(conn, now, r.id, summary)?;
            sa::submit(conn, now, r.id)?;
        }
        let (potential, recommendation) = match i % 4 {
            0 => ("high", "promotion"),
            1 => ("medium", "raise"),
            2 => ("medium", "none"),
            _ => ("low", "improvement-plan"),
        };
        sa::set_outcome(conn, now, c.id, p.id, Some(potential), Some(recommendation))?;
        if i % 3 == 0 {
            sa::add_action(
                conn,
                now,
                c.id,
                p.id,
                "Lead one design review a month",
                Some(this_half.end),
            )?;
        }
    }
    if let Some(p) = people.first() {
        let top = levels.last().copied().unwrap_or(5.0);
        sa::calibrate(
            conn,
            now,
            c.id,
            p.id,
            top,
            "Calibration panel: led the incident response that saved the launch",
        )?;
    }
    sa::set_state(conn, now, &c, "open", false)?;
    sa::add_event(conn, now, c.id, "demo", "draft", "open", false, None)?;
    let open_c = sa::get_cycle(conn, &finished)?;
    sa::set_state(conn, now, &open_c, "calibrating", false)?;
    sa::add_event(conn, now, c.id, "demo", "open", "calibrating", false, None)?;

    // This half: open, with some self reviews in, a few manager reviews, one draft.
    let open = format!("{} reviews", this_half.name);
    let c2 = sa::create_cycle(
        conn,
        now,
        &NewCycle {
            name: open.clone(),
            period: this_half.name.clone(),
            start: this_half.start,
            end: this_half.end,
            template_id: tid,
            self_due: Some(this_half.end + Duration::days(14)),
            manager_due: Some(this_half.end + Duration::days(28)),
            participants: ids,
        },
    )?;
    sa::set_state(conn, now, &c2, "open", false)?;
    sa::add_event(conn, now, c2.id, "demo", "draft", "open", false, None)?;
    for (i, p) in people.iter().enumerate() {
        if i % 3 == 2 {
            continue; // not started
        }
        let r = sa::ensure_review(conn, now, c2.id, p.id, p.id, "self")?;
        for k in competencies.iter().take(2) {
            sa::set_rating(conn, now, r.id, k, Some(pick_level(&mut rng, 0)), None)?;
        }
        if i % 3 == 0 {
            sa::submit(conn, now, r.id)?;
            if i % 2 == 0 {
                if let Some(m) = p.manager.as_deref() {
                    let mid = org::person_id(conn, m)?;
                    let r = sa::ensure_review(conn, now, c2.id, p.id, mid, "manager")?;
                    for k in &competencies {
                        sa::set_rating(conn, now, r.id, k, Some(pick_level(&mut rng, 0)), None)?;
                    }
                    sa::submit(conn, now, r.id)?;
                }
            }
        }
    }
    let acknowledging = people.iter().step_by(2).map(|p| p.handle.clone()).collect();
    Ok(DemoCycles {
        finished,
        open,
        acknowledging,
    })
}

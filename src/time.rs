//! Dates, periods and the clock.
//!
//! Everything that turns user text into a date or a date range lives here, so
//! that every command accepts the same forms and reports the same errors.
//!
//! # The clock
//!
//! [`Clock`] holds "today" and "now". Commands never read the system clock
//! themselves; `--today` / `YARDSTICK_TODAY` pin it (see [`Clock::new`]) so
//! scripts and tests are reproducible.
//!
//! # Date range
//!
//! Dates produced by [`parse_date`] and [`parse_date_end`] are always between
//! `0001-01-01` and `9999-12-31` inclusive, so that their ISO form
//! ([`format_date`]) has exactly four year digits, sorts as text in the
//! database, and parses back to the same date. Anything outside (for example
//! `in 99999 years`) is an input error, never a panic or a wrapped value.
//!
//! # Date expressions
//!
//! Case-insensitive, surrounding whitespace ignored, ASCII only:
//!
//! - ISO dates `YYYY-MM-DD` (a one-digit month or day is accepted on input;
//!   output is always `YYYY-MM-DD`). Impossible dates such as `2026-02-30` are
//!   rejected with the reason (`February 2026 has 28 days`).
//! - `today`, `yesterday`, `tomorrow`.
//! - A weekday (`monday` or `mon`): the next such day strictly after today, as
//!   in Taskwarrior; `next monday` means the same. `last monday` is the most
//!   recent Monday strictly before today.
//! - `N days ago`, `N weeks ago`, `N months ago`, `N years ago`, and
//!   `in N days|weeks|months|years` (singular units too; `N` is a plain ASCII
//!   integer). Month and year arithmetic clamps to the end of the month:
//!   `2026-01-31` + 1 month is `2026-02-28`, `2028-02-29` + 1 year is
//!   `2029-02-28`.
//! - `sow`/`eow`, `som`/`eom`, `soq`/`eoq`, `soy`/`eoy`: the first / last day
//!   of the current week (using the configured week start), month, quarter
//!   and year.
//! - Built-in period names (below): [`parse_date`] gives the first day,
//!   [`parse_date_end`] the last day. Custom periods (e.g. `FY2027`) are not
//!   known here; callers look them up when [`parse_period`] returns `Ok(None)`.
//!
//! # Periods
//!
//! Built-in period names: `2026` (year), `2026-H1`/`2026-H2` (halves,
//! January–June and July–December), `2026-Q1`..`2026-Q4` (quarters),
//! `2026-01`..`2026-12` (months) and `2026-W01`..`2026-W53` (weeks). Input is
//! case-insensitive; names are written canonically with an upper-case `H`,
//! `Q` or `W` and a two-digit month or week.
//!
//! ## Weeks and the configurable week start
//!
//! Week numbers are ISO 8601 week numbers: `2026-W47` is the ISO week of 2026
//! number 47 (the week whose Thursday lies in 2026's 47th ISO week; ISO week 1
//! is the week containing the year's first Thursday). A year has 52 or 53 ISO
//! weeks: 2020 and 2026 have 53, 2025 has 52, so `2025-W53` is an error.
//!
//! When the week start is Monday, `2026-W47` runs Monday 2026-11-16 to Sunday
//! 2026-11-22, exactly the ISO week. **Decision:** with any other week start,
//! the week keeps its ISO name but is shifted back so that it starts on the
//! configured week-start day on or before the ISO Monday: with a Sunday start,
//! `2026-W47` runs Sunday 2026-11-15 to Saturday 2026-11-21. Conversely, the
//! week containing a date is named after the ISO week of the first Monday on or
//! after its start day. So every date belongs to exactly one named week for
//! every week start, and a week name always parses back to the same week.
//! `sow`/`eow` use the same weeks.

use chrono::{DateTime, Datelike, Days, Months, SecondsFormat, Utc};

pub use chrono::{NaiveDate, Weekday};

use crate::error::{Error, Result};

/// The earliest date yardstick accepts or produces from a date expression.
const MIN_YEAR: i32 = 1;
/// The latest year yardstick accepts or produces from a date expression.
const MAX_YEAR: i32 = 9999;
/// Why a date outside 0001-01-01..=9999-12-31 is refused.
const YEAR_RANGE: &str = "the year must be between 0001 and 9999";

/// How far past the clock's "now" a timestamp read from a file may lie
/// (clocks of two machines disagree a little): five minutes.
pub const CLOCK_SKEW_SECONDS: i64 = 300;

/// The accepted forms of a date expression, for error hints.
const DATE_FORMS: &str = "accepted forms: an ISO date (2026-11-22); today, yesterday, tomorrow; \
a weekday (monday or mon = the next one after today; 'next monday', 'last monday'); \
'N days|weeks|months|years ago', 'in N days|weeks|months|years'; \
sow/eow, som/eom, soq/eoq, soy/eoy (start/end of this week, month, quarter, year); \
a period name: 2026, 2026-H1, 2026-Q3, 2026-11, 2026-W47";

/// The accepted forms of a period name, for error hints.
const PERIOD_FORMS: &str = "built-in periods: a year (2026), a half (2026-H1, 2026-H2), \
a quarter (2026-Q1 to 2026-Q4), a month (2026-01 to 2026-12), an ISO week (2026-W01 to 2026-W52 or W53)";

/// The accepted forms of a pinned clock value, for error hints.
const CLOCK_FORMS: &str = "pin the clock with a date (2026-11-22) or an RFC 3339 datetime \
(2026-11-22T09:30:00Z, 2026-11-22T09:30:00+01:00)";

const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// The clock: "today" and "now", pinned by `--today` / `YARDSTICK_TODAY` in
/// tests and scripts, and the configured first day of the week.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    /// Today's date (the local date when read from the system clock).
    pub today: NaiveDate,
    /// The current instant, in UTC.
    pub now: DateTime<Utc>,
    /// The first day of the week, for `sow`/`eow` and week periods.
    pub week_start: Weekday,
}

impl Clock {
    /// A clock from an optional pinned value: a date (`2026-11-22`) or an
    /// RFC 3339 datetime (`2026-11-22T09:30:00Z`). `None` reads the system
    /// clock (today is the local date).
    ///
    /// A pinned date gives `now` = that date at 12:00:00 UTC. A pinned
    /// datetime with an offset gives `today` = the date as written at that
    /// offset and `now` = the same instant in UTC.
    ///
    /// # Errors
    ///
    /// [`Error::invalid`] naming the value and the accepted forms when the
    /// value is neither, or lies outside 0001-01-01..=9999-12-31.
    pub fn new(pinned: Option<&str>, week_start: Weekday) -> Result<Clock> {
        let Some(raw) = pinned else {
            let now = Utc::now();
            let today = now.with_timezone(&chrono::Local).date_naive();
            return Ok(Clock {
                today,
                now,
                week_start,
            });
        };
        let s = raw.trim();
        let bad = |reason: &str| {
            let mut msg = format!("invalid pinned date/time {}", quote(raw));
            if !reason.is_empty() {
                msg.push_str(": ");
                msg.push_str(reason);
            }
            Error::invalid(msg).with_hint(CLOCK_FORMS)
        };
        if s.is_empty() {
            return Err(bad("it is empty"));
        }
        if !s.is_ascii() {
            return Err(bad("only ASCII characters are accepted"));
        }
        if !s.contains(['t', 'T', ' ']) {
            return match parse_iso_date(s) {
                Some(Ok(today)) => Ok(Clock::fixed(today, week_start)),
                Some(Err(reason)) => Err(bad(&reason)),
                None => Err(bad("")),
            };
        }
        let looks_like_datetime = s.as_bytes().first().is_some_and(u8::is_ascii_digit);
        let dt = DateTime::parse_from_rfc3339(s).map_err(|e| {
            if looks_like_datetime {
                bad(&format!("not an RFC 3339 time ({e})"))
            } else {
                bad("a pinned clock takes an ISO date or an RFC 3339 time, not a date expression")
            }
        })?;
        let today = dt.date_naive();
        let now = dt.with_timezone(&Utc);
        if !in_range(today) || !in_range(now.date_naive()) {
            return Err(bad(YEAR_RANGE));
        }
        Ok(Clock {
            today,
            now,
            week_start,
        })
    }

    /// A clock pinned to `today` at 12:00:00 UTC, for tests.
    pub fn fixed(today: NaiveDate, week_start: Weekday) -> Clock {
        let now = today
            .and_hms_opt(12, 0, 0)
            .unwrap_or_else(|| today.and_time(chrono::NaiveTime::MIN))
            .and_utc();
        Clock {
            today,
            now,
            week_start,
        }
    }

    /// The latest instant a timestamp read from a file may name: `now`
    /// plus [`CLOCK_SKEW_SECONDS`]. A pinned date's `now` is noon UTC, so
    /// with `--today 2026-11-22` this is 2026-11-22T12:05:00Z.
    pub fn latest(&self) -> DateTime<Utc> {
        self.now + chrono::Duration::seconds(CLOCK_SKEW_SECONDS)
    }

    /// `now` as an RFC 3339 UTC timestamp with whole seconds, e.g.
    /// `2026-11-22T12:00:00Z`.
    pub fn timestamp(&self) -> String {
        self.now.to_rfc3339_opts(SecondsFormat::Secs, true)
    }
}

/// A weekday from its English name or three-letter abbreviation
/// (`monday`, `mon`), case-insensitive, surrounding whitespace ignored.
///
/// # Errors
///
/// [`Error::invalid`] when the text is not a weekday.
pub fn parse_weekday(s: &str) -> Result<Weekday> {
    weekday_from(&s.trim().to_ascii_lowercase()).ok_or_else(|| {
        Error::invalid(format!("invalid weekday {}", quote(s)))
            .with_hint("use a weekday name or its first three letters: monday..sunday, mon..sun")
    })
}

fn weekday_from(s: &str) -> Option<Weekday> {
    Some(match s {
        "monday" | "mon" => Weekday::Mon,
        "tuesday" | "tue" => Weekday::Tue,
        "wednesday" | "wed" => Weekday::Wed,
        "thursday" | "thu" => Weekday::Thu,
        "friday" | "fri" => Weekday::Fri,
        "saturday" | "sat" => Weekday::Sat,
        "sunday" | "sun" => Weekday::Sun,
        _ => return None,
    })
}

/// The kinds of built-in period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PeriodKind {
    /// A calendar year, e.g. `2026`.
    Year,
    /// A half year, e.g. `2026-H1` (January–June).
    Half,
    /// A quarter, e.g. `2026-Q3` (July–September).
    Quarter,
    /// A calendar month, e.g. `2026-11`.
    Month,
    /// An ISO-numbered week, e.g. `2026-W47` (see the module docs on week start).
    Week,
}

impl PeriodKind {
    /// Every kind, from the longest to the shortest.
    pub const ALL: [PeriodKind; 5] = [
        PeriodKind::Year,
        PeriodKind::Half,
        PeriodKind::Quarter,
        PeriodKind::Month,
        PeriodKind::Week,
    ];

    /// The kind's name as accepted by [`parse_period_kind`]: `year`, `half`,
    /// `quarter`, `month` or `week`.
    pub fn as_str(self) -> &'static str {
        match self {
            PeriodKind::Year => "year",
            PeriodKind::Half => "half",
            PeriodKind::Quarter => "quarter",
            PeriodKind::Month => "month",
            PeriodKind::Week => "week",
        }
    }
}

impl std::fmt::Display for PeriodKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A named range of dates.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Period {
    /// The period's name, e.g. `2026-Q3` (canonical form for built-in periods).
    pub name: String,
    /// The first day.
    #[serde(serialize_with = "serialize_date")]
    pub start: NaiveDate,
    /// The last day (inclusive).
    #[serde(serialize_with = "serialize_date")]
    pub end: NaiveDate,
}

/// Serializes a date as its ISO string (chrono's `serde` feature is not
/// enabled in this crate; the output is the same `2026-11-22` form).
fn serialize_date<S: serde::Serializer>(
    d: &NaiveDate,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&format_date(*d))
}

impl Period {
    /// Whether `d` lies in the period (both ends inclusive).
    pub fn contains(&self, d: NaiveDate) -> bool {
        self.start <= d && d <= self.end
    }

    /// The number of days in the period, both ends included (a week has 7).
    pub fn days(&self) -> i64 {
        days_between(self.start, self.end) + 1
    }
}

/// A built-in period from its name: `2026`, `2026-H1`, `2026-Q3`, `2026-11`,
/// `2026-W47` (case-insensitive, surrounding whitespace ignored; the returned
/// name is canonical: `2026-h1` gives `2026-H1`, `2026-w7` gives `2026-W07`).
///
/// Returns `Ok(None)` when the text is not shaped like a built-in name (so the
/// caller can look up a custom period such as `FY2027`).
///
/// # Errors
///
/// [`Error::invalid`] when the text is shaped like a built-in name but names
/// no period: `2026-Q5`, `2026-13`, `2026-W54`, `2025-W53`, `2026-H3`, `0000`.
pub fn parse_period(s: &str, week_start: Weekday) -> Result<Option<Period>> {
    period_from_name(s, week_start).map_err(|reason| {
        Error::invalid(format!("invalid period {}: {reason}", quote(s))).with_hint(PERIOD_FORMS)
    })
}

/// [`parse_period`] with the error as a bare reason, so that date parsing can
/// report it as an invalid date.
fn period_from_name(s: &str, week_start: Weekday) -> std::result::Result<Option<Period>, String> {
    let t = s.trim();
    let b = t.as_bytes();
    if b.len() < 4 || !b[..4].iter().all(u8::is_ascii_digit) {
        return Ok(None);
    }
    let Some(year) = digits(&b[..4]) else {
        return Ok(None);
    };
    let rest = &b[4..];
    let bad = |reason: String| Err(reason);
    // Classify first; the year check applies to every shape.
    let shape = match rest {
        [] => Some((PeriodKind::Year, 0)),
        [b'-', tail @ ..] => match tail {
            d if (1..=2).contains(&d.len()) && d.iter().all(u8::is_ascii_digit) => {
                digits(d).map(|n| (PeriodKind::Month, n))
            }
            [letter, d @ ..] if (1..=2).contains(&d.len()) && d.iter().all(u8::is_ascii_digit) => {
                let kind = match letter.to_ascii_uppercase() {
                    b'H' => PeriodKind::Half,
                    b'Q' => PeriodKind::Quarter,
                    b'W' => PeriodKind::Week,
                    _ => return Ok(None),
                };
                digits(d).map(|n| (kind, n))
            }
            _ => None,
        },
        _ => None,
    };
    let Some((kind, n)) = shape else {
        return Ok(None);
    };
    if !(MIN_YEAR..=MAX_YEAR).contains(&(year as i32)) {
        return bad(format!("the year must be between 0001 and {MAX_YEAR}"));
    }
    let y = year as i32;
    let period = match kind {
        PeriodKind::Year => year_period(y),
        PeriodKind::Half => {
            if !(1..=2).contains(&n) {
                return bad(format!("a year has halves H1 and H2, not H{n}"));
            }
            half_period(y, n)
        }
        PeriodKind::Quarter => {
            if !(1..=4).contains(&n) {
                return bad(format!("a year has quarters Q1 to Q4, not Q{n}"));
            }
            quarter_period(y, n)
        }
        PeriodKind::Month => {
            if !(1..=12).contains(&n) {
                return bad(format!("months run from 01 to 12, not {n:02}"));
            }
            month_period(y, n)
        }
        PeriodKind::Week => {
            let weeks = iso_weeks_in_year(y);
            if n == 0 || n > weeks {
                return bad(format!(
                    "{y:04} has ISO weeks W01 to W{weeks:02}, not W{n:02}"
                ));
            }
            week_period(y, n, week_start)
        }
    };
    match period {
        Some(p) => Ok(Some(p)),
        None => bad("it is outside the supported range of dates".to_string()),
    }
}

/// The number of ISO weeks (52 or 53) in ISO week-year `y`.
fn iso_weeks_in_year(y: i32) -> u32 {
    NaiveDate::from_ymd_opt(y, 12, 28).map_or(52, |d| d.iso_week().week())
}

fn year_period(y: i32) -> Option<Period> {
    Some(Period {
        name: format!("{y:04}"),
        start: NaiveDate::from_ymd_opt(y, 1, 1)?,
        end: NaiveDate::from_ymd_opt(y, 12, 31)?,
    })
}

fn half_period(y: i32, h: u32) -> Option<Period> {
    let first = (h - 1) * 6 + 1;
    Some(Period {
        name: format!("{y:04}-H{h}"),
        start: NaiveDate::from_ymd_opt(y, first, 1)?,
        end: last_of_month(y, first + 5)?,
    })
}

fn quarter_period(y: i32, q: u32) -> Option<Period> {
    let first = (q - 1) * 3 + 1;
    Some(Period {
        name: format!("{y:04}-Q{q}"),
        start: NaiveDate::from_ymd_opt(y, first, 1)?,
        end: last_of_month(y, first + 2)?,
    })
}

fn month_period(y: i32, m: u32) -> Option<Period> {
    Some(Period {
        name: format!("{y:04}-{m:02}"),
        start: NaiveDate::from_ymd_opt(y, m, 1)?,
        end: last_of_month(y, m)?,
    })
}

/// The week named `y-Www` for the given week start (see the module docs).
fn week_period(y: i32, w: u32, week_start: Weekday) -> Option<Period> {
    let monday = NaiveDate::from_isoywd_opt(y, w, Weekday::Mon)?;
    let start = monday.checked_sub_days(Days::new(u64::from(monday_offset(week_start))))?;
    Some(Period {
        name: format!("{y:04}-W{w:02}"),
        start,
        end: start.checked_add_days(Days::new(6))?,
    })
}

/// How many days the week-start day lies before the ISO Monday (0 for Monday,
/// 1 for Sunday, 2 for Saturday, ..., 6 for Tuesday).
fn monday_offset(week_start: Weekday) -> u32 {
    (7 - week_start.num_days_from_monday()) % 7
}

fn last_of_month(y: i32, m: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, days_in_month(y, m))
}

fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The period of the given kind containing `date`, named canonically.
///
/// Never panics; for dates at the very edges of chrono's range (far outside
/// the 0001–9999 years that date expressions produce) the bounds are clamped
/// to the representable range.
pub fn period_containing(kind: PeriodKind, date: NaiveDate, week_start: Weekday) -> Period {
    let y = date.year();
    let m = date.month();
    let built = match kind {
        PeriodKind::Year => year_period(y),
        PeriodKind::Half => half_period(y, if m <= 6 { 1 } else { 2 }),
        PeriodKind::Quarter => quarter_period(y, (m - 1) / 3 + 1),
        PeriodKind::Month => month_period(y, m),
        PeriodKind::Week => {
            let back = u64::from(date.weekday().days_since(week_start));
            let start = date
                .checked_sub_days(Days::new(back))
                .unwrap_or(NaiveDate::MIN);
            let monday = start
                .checked_add_days(Days::new(u64::from(monday_offset(week_start))))
                .unwrap_or(NaiveDate::MAX);
            let iw = monday.iso_week();
            Some(Period {
                name: format!("{:04}-W{:02}", iw.year(), iw.week()),
                start,
                end: start
                    .checked_add_days(Days::new(6))
                    .unwrap_or(NaiveDate::MAX),
            })
        }
    };
    // Calendar periods always exist for a valid date; this is only a guard.
    built.unwrap_or_else(|| Period {
        name: format_date(date),
        start: date,
        end: date,
    })
}

/// A period kind from its name: `year`, `half`, `quarter`, `month` or `week`
/// (case-insensitive, surrounding whitespace ignored).
///
/// # Errors
///
/// [`Error::invalid`] for any other text.
pub fn parse_period_kind(s: &str) -> Result<PeriodKind> {
    let lower = s.trim().to_ascii_lowercase();
    PeriodKind::ALL
        .into_iter()
        .find(|k| k.as_str() == lower)
        .ok_or_else(|| {
            Error::invalid(format!("invalid period kind {}", quote(s)))
                .with_hint("use one of: year, half, quarter, month, week")
        })
}

/// Which end of a period a period-name expression resolves to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum End {
    Start,
    Last,
}

/// The date a date expression names (see the module docs for the forms).
/// For a period name it is the period's first day.
///
/// # Errors
///
/// [`Error::invalid`] naming the expression, with the accepted forms in the
/// hint, when it cannot be parsed, names an impossible date, or the result
/// lies outside 0001-01-01..=9999-12-31.
pub fn parse_date(expr: &str, clock: &Clock) -> Result<NaiveDate> {
    parse_date_at(expr, clock, End::Start)
}

/// Like [`parse_date`], but a period name gives the period's last day. Use it
/// for due dates and `--until`.
///
/// # Errors
///
/// As [`parse_date`].
pub fn parse_date_end(expr: &str, clock: &Clock) -> Result<NaiveDate> {
    parse_date_at(expr, clock, End::Last)
}

fn parse_date_at(expr: &str, clock: &Clock, end: End) -> Result<NaiveDate> {
    let bad = |reason: &str| {
        let mut msg = format!("invalid date {}", quote(expr));
        if !reason.is_empty() {
            msg.push_str(": ");
            msg.push_str(reason);
        }
        Error::invalid(msg).with_hint(DATE_FORMS)
    };
    let t = expr.trim();
    if t.is_empty() {
        return Err(bad("it is empty"));
    }
    if !t.is_ascii() {
        return Err(bad(
            "only ASCII characters are accepted (write digits as 0-9)",
        ));
    }
    let s = t.to_ascii_lowercase();
    let today = clock.today;
    let ws = clock.week_start;
    let date = match s.as_str() {
        "today" => Some(today),
        "yesterday" => today.checked_sub_days(Days::new(1)),
        "tomorrow" => today.checked_add_days(Days::new(1)),
        "sow" => Some(period_containing(PeriodKind::Week, today, ws).start),
        "eow" => Some(period_containing(PeriodKind::Week, today, ws).end),
        "som" => Some(period_containing(PeriodKind::Month, today, ws).start),
        "eom" => Some(period_containing(PeriodKind::Month, today, ws).end),
        "soq" => Some(period_containing(PeriodKind::Quarter, today, ws).start),
        "eoq" => Some(period_containing(PeriodKind::Quarter, today, ws).end),
        "soy" => Some(period_containing(PeriodKind::Year, today, ws).start),
        "eoy" => Some(period_containing(PeriodKind::Year, today, ws).end),
        _ => {
            let words: Vec<&str> = s.split_whitespace().collect();
            match words.as_slice() {
                [wd] if weekday_from(wd).is_some() => {
                    weekday_from(wd).and_then(|w| next_weekday(today, w))
                }
                ["next", wd] => match weekday_from(wd) {
                    Some(w) => next_weekday(today, w),
                    None => return Err(bad(&format!("{} is not a weekday", quote(wd)))),
                },
                ["last", wd] => match weekday_from(wd) {
                    Some(w) => last_weekday(today, w),
                    None => return Err(bad(&format!("{} is not a weekday", quote(wd)))),
                },
                [n, unit, "ago"] => Some(relative(today, n, unit, false).map_err(|r| bad(&r))?),
                ["in", n, unit] => Some(relative(today, n, unit, true).map_err(|r| bad(&r))?),
                [single] => match parse_iso_date(single) {
                    Some(Ok(d)) => Some(d),
                    Some(Err(reason)) => return Err(bad(&reason)),
                    None => match period_from_name(single, ws) {
                        Ok(Some(p)) => Some(if end == End::Start { p.start } else { p.end }),
                        Ok(None) => return Err(bad("")),
                        Err(reason) => return Err(bad(&reason)),
                    },
                },
                _ => return Err(bad("")),
            }
        }
    };
    match date {
        Some(d) if in_range(d) => Ok(d),
        _ => Err(bad("the result is outside 0001-01-01 to 9999-12-31")),
    }
}

/// The next `w` strictly after `today`.
fn next_weekday(today: NaiveDate, w: Weekday) -> Option<NaiveDate> {
    let ahead = match w.days_since(today.weekday()) {
        0 => 7,
        n => n,
    };
    today.checked_add_days(Days::new(u64::from(ahead)))
}

/// The most recent `w` strictly before `today`.
fn last_weekday(today: NaiveDate, w: Weekday) -> Option<NaiveDate> {
    let back = match today.weekday().days_since(w) {
        0 => 7,
        n => n,
    };
    today.checked_sub_days(Days::new(u64::from(back)))
}

/// `today` moved `n` units forward or back. `Err` carries the reason.
fn relative(
    today: NaiveDate,
    n: &str,
    unit: &str,
    forward: bool,
) -> std::result::Result<NaiveDate, String> {
    let per = match unit {
        "day" | "days" => 1,
        "week" | "weeks" => 7,
        "month" | "months" => 1,
        "year" | "years" => 12,
        _ => {
            return Err(format!(
                "{} is not a unit (use days, weeks, months or years)",
                quote(unit)
            ));
        }
    };
    if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("{} is not a whole number", quote(n)));
    }
    let out_of_range = || "the result is outside 0001-01-01 to 9999-12-31".to_string();
    // Nine digits already leave the supported range for every unit, and a
    // longer string could overflow while parsing.
    let count: u64 = match n.trim_start_matches('0') {
        "" => 0,
        digits if digits.len() > 9 => return Err(out_of_range()),
        digits => digits.parse().map_err(|_| out_of_range())?,
    };
    let count = count.checked_mul(per).ok_or_else(out_of_range)?;
    let shift_days = |days: u64| {
        if forward {
            today.checked_add_days(Days::new(days))
        } else {
            today.checked_sub_days(Days::new(days))
        }
    };
    let shift_months = |months: u64| {
        let months = Months::new(u32::try_from(months).ok()?);
        if forward {
            today.checked_add_months(months)
        } else {
            today.checked_sub_months(months)
        }
    };
    let result = if unit.starts_with("day") || unit.starts_with("week") {
        shift_days(count)
    } else {
        shift_months(count)
    };
    result.filter(|d| in_range(*d)).ok_or_else(out_of_range)
}

/// Parses `YYYY-M(M)-D(D)` with ASCII digits. `None` if the text is not shaped
/// like an ISO date; `Some(Err(reason))` if it is but names no date.
fn parse_iso_date(s: &str) -> Option<std::result::Result<NaiveDate, String>> {
    let mut parts = s.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some()
        || y.len() != 4
        || !(1..=2).contains(&m.len())
        || !(1..=2).contains(&d.len())
        || ![y, m, d]
            .iter()
            .all(|p| p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let (year, month, day) = (
        digits(y.as_bytes())? as i32,
        digits(m.as_bytes())?,
        digits(d.as_bytes())?,
    );
    if year < MIN_YEAR {
        return Some(Err(YEAR_RANGE.to_string()));
    }
    if !(1..=12).contains(&month) {
        return Some(Err(format!(
            "there is no month {month:02} (months run from 01 to 12)"
        )));
    }
    let max = days_in_month(year, month);
    if day == 0 || day > max {
        let name = MONTH_NAMES[(month - 1) as usize];
        let leap_note = if month == 2 && day == 29 {
            format!("{year:04} is not a leap year, so ")
        } else {
            String::new()
        };
        return Some(Err(format!("{leap_note}{name} {year:04} has {max} days")));
    }
    Some(
        NaiveDate::from_ymd_opt(year, month, day)
            .ok_or_else(|| "it is outside the supported range of dates".to_string()),
    )
}

/// The value of 1 to 9 ASCII digits.
fn digits(b: &[u8]) -> Option<u32> {
    if b.is_empty() || b.len() > 9 {
        return None;
    }
    b.iter().try_fold(0u32, |acc, c| {
        c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
    })
}

fn in_range(d: NaiveDate) -> bool {
    (MIN_YEAR..=MAX_YEAR).contains(&d.year())
}

/// User text quoted for an error message: control characters escaped, long
/// text shortened.
fn quote(s: &str) -> String {
    const MAX: usize = 60;
    let mut out: String = s
        .chars()
        .take(MAX)
        .collect::<String>()
        .escape_debug()
        .collect();
    if s.chars().nth(MAX).is_some() {
        out.push('…');
    }
    format!("'{out}'")
}

/// A window as typed with `--since` and `--until`: its first day (the
/// start of what `since` names) and its last (the end of what `until`
/// names), each optional.
pub fn parse_window(
    since: Option<&str>,
    until: Option<&str>,
    clock: &Clock,
) -> Result<(Option<NaiveDate>, Option<NaiveDate>)> {
    let since = since
        .map(|d| parse_date(d, clock).map_err(|e| e.context("--since")))
        .transpose()?;
    let until = until
        .map(|d| parse_date_end(d, clock).map_err(|e| e.context("--until")))
        .transpose()?;
    Ok((since, until))
}

/// A day in the one form yardstick stores and exchanges, `YYYY-MM-DD`
/// (exactly: four-digit year, two-digit month and day, a real date); `None`
/// otherwise. Fast: no format parser, as reports read many of them. For
/// what people type, see [`parse_date`].
pub fn iso_day(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = i32::try_from(digits(&b[0..4])?).ok()?;
    NaiveDate::from_ymd_opt(year, digits(&b[5..7])?, digits(&b[8..10])?)
}

/// A day read from a file (an import): [`iso_day`]'s form, in the range
/// the command line accepts (0001-01-01 to 9999-12-31).
pub fn stored_day(s: &str) -> Result<NaiveDate> {
    let d = iso_day(s)
        .ok_or_else(|| Error::invalid(format!("{} is not a date (YYYY-MM-DD)", quote(s))))?;
    if !in_range(d) {
        return Err(Error::invalid(format!("{}: {YEAR_RANGE}", quote(s))));
    }
    Ok(d)
}

/// A timestamp read from a file (an import): RFC 3339, naming an instant
/// whose date, as written and in UTC, lies in the range the command line
/// accepts (0001-01-01 to 9999-12-31).
pub fn stored_timestamp(s: &str) -> Result<DateTime<Utc>> {
    let t = DateTime::parse_from_rfc3339(s)
        .map_err(|_| Error::invalid(format!("{} is not an RFC 3339 timestamp", quote(s))))?;
    let utc = t.with_timezone(&Utc);
    if !in_range(t.date_naive()) || !in_range(utc.date_naive()) {
        return Err(Error::invalid(format!("{}: {YEAR_RANGE}", quote(s))));
    }
    Ok(utc)
}

/// A stored or plan-file date: [`iso_day`] first (fast), else any form
/// chrono reads as `%Y-%m-%d` (a month or day of one digit, a year beyond
/// 9999), so that a value written by an earlier or another tool still reads.
pub fn read_day(s: &str) -> Option<NaiveDate> {
    iso_day(s).or_else(|| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
}

/// A date in ISO form, `2026-11-22`.
pub fn format_date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Days between two dates (`b - a`): positive when `b` is later.
pub fn days_between(a: NaiveDate, b: NaiveDate) -> i64 {
    b.signed_duration_since(a).num_days()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// Today is Sunday 2026-11-22, weeks start on Monday.
    fn clock() -> Clock {
        Clock::fixed(d("2026-11-22"), Weekday::Mon)
    }

    fn clock_ws(ws: Weekday) -> Clock {
        Clock::fixed(d("2026-11-22"), ws)
    }

    fn date(expr: &str) -> NaiveDate {
        parse_date(expr, &clock()).unwrap_or_else(|e| panic!("{expr}: {e}"))
    }

    fn date_end(expr: &str) -> NaiveDate {
        parse_date_end(expr, &clock()).unwrap_or_else(|e| panic!("{expr}: {e}"))
    }

    fn date_err(expr: &str) -> Error {
        match parse_date(expr, &clock()) {
            Ok(v) => panic!("{expr:?} parsed as {v}"),
            Err(e) => {
                assert_eq!(e.kind(), ErrorKind::Invalid, "{expr:?}");
                assert_eq!(e.exit_code(), 2);
                assert!(e.hint().unwrap().contains("accepted forms"), "{expr:?}");
                e
            }
        }
    }

    fn period(s: &str) -> Period {
        parse_period(s, Weekday::Mon).unwrap().unwrap()
    }

    fn period_err(s: &str) -> Error {
        let e = parse_period(s, Weekday::Mon).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Invalid);
        assert!(e.message().contains(s), "{}", e.message());
        assert!(e.hint().is_some());
        e
    }

    #[test]
    fn pinned_clock_refuses_expressions_with_a_clear_reason() {
        let e = Clock::new(Some("tomorrow"), Weekday::Mon).unwrap_err();
        assert!(
            e.message().contains("not a date expression"),
            "{}",
            e.message()
        );
        let e = Clock::new(Some("2026-11-22T25:00:00Z"), Weekday::Mon).unwrap_err();
        assert!(e.message().contains("RFC 3339"), "{}", e.message());
    }

    #[test]
    fn fixed_today_is_a_sunday() {
        assert_eq!(clock().today.weekday(), Weekday::Sun);
    }

    // ---- clock ----

    #[test]
    fn clock_pinned_date_is_noon_utc() {
        let c = Clock::new(Some("2026-11-22"), Weekday::Mon).unwrap();
        assert_eq!(c.today, d("2026-11-22"));
        assert_eq!(c.timestamp(), "2026-11-22T12:00:00Z");
        assert_eq!(c.week_start, Weekday::Mon);
        assert_eq!(c, Clock::fixed(d("2026-11-22"), Weekday::Mon));
        let c = Clock::new(Some("  2026-11-22 \n"), Weekday::Sun).unwrap();
        assert_eq!(c.week_start, Weekday::Sun);
    }

    #[test]
    fn clock_pinned_datetime() {
        let c = Clock::new(Some("2026-11-22T09:30:00Z"), Weekday::Mon).unwrap();
        assert_eq!(c.today, d("2026-11-22"));
        assert_eq!(c.timestamp(), "2026-11-22T09:30:00Z");
        // Fractional seconds are dropped from the timestamp.
        let c = Clock::new(Some("2026-11-22T09:30:00.789Z"), Weekday::Mon).unwrap();
        assert_eq!(c.timestamp(), "2026-11-22T09:30:00Z");
    }

    #[test]
    fn clock_pinned_datetime_with_offset_keeps_local_date() {
        // 01:30 at +05:00 is still the 21st in UTC; today is the date as written.
        let c = Clock::new(Some("2026-11-22T01:30:00+05:00"), Weekday::Mon).unwrap();
        assert_eq!(c.today, d("2026-11-22"));
        assert_eq!(c.timestamp(), "2026-11-21T20:30:00Z");
    }

    #[test]
    fn clock_system() {
        let c = Clock::new(None, Weekday::Tue).unwrap();
        assert_eq!(c.week_start, Weekday::Tue);
        assert!(in_range(c.today));
        assert!(c.timestamp().ends_with('Z'));
    }

    #[test]
    fn clock_rejects_bad_values() {
        for bad in [
            "",
            "  ",
            "today",
            "2026-02-30",
            "2026-13-01",
            "22/11/2026",
            "2026-11-22T25:00:00Z",
            "2026-11-22T09:30:00",
            "０２６-11-22",
            "0000-01-01",
            "2026-11-22X",
        ] {
            let e = Clock::new(Some(bad), Weekday::Mon).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Invalid, "{bad:?}");
            assert!(e.message().contains(&format!("'{bad}'")), "{}", e.message());
            let hint = e.hint().unwrap();
            assert!(hint.contains("2026-11-22T09:30:00Z"), "{hint}");
        }
        let e = Clock::new(Some("2026-02-30"), Weekday::Mon).unwrap_err();
        assert!(
            e.message().contains("February 2026 has 28 days"),
            "{}",
            e.message()
        );
    }

    // ---- weekdays ----

    #[test]
    fn weekday_names() {
        assert_eq!(parse_weekday("monday").unwrap(), Weekday::Mon);
        assert_eq!(parse_weekday("Mon").unwrap(), Weekday::Mon);
        assert_eq!(parse_weekday(" TUESDAY ").unwrap(), Weekday::Tue);
        assert_eq!(parse_weekday("wed").unwrap(), Weekday::Wed);
        assert_eq!(parse_weekday("thu").unwrap(), Weekday::Thu);
        assert_eq!(parse_weekday("Friday").unwrap(), Weekday::Fri);
        assert_eq!(parse_weekday("sat").unwrap(), Weekday::Sat);
        assert_eq!(parse_weekday("sunday").unwrap(), Weekday::Sun);
        for bad in ["", "mo", "mondays", "tues", "lundi", "1"] {
            let e = parse_weekday(bad).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Invalid);
            assert!(e.hint().unwrap().contains("mon..sun"));
        }
    }

    // ---- ISO dates ----

    #[test]
    fn iso_dates() {
        assert_eq!(date("2026-11-22"), d("2026-11-22"));
        assert_eq!(date("  2026-01-05\t"), d("2026-01-05"));
        assert_eq!(date("2026-1-5"), d("2026-01-05"));
        assert_eq!(date("0001-01-01"), d("0001-01-01"));
        assert_eq!(date("9999-12-31"), d("9999-12-31"));
        assert_eq!(date_end("2026-11-22"), d("2026-11-22"));
    }

    #[test]
    fn leap_years() {
        assert_eq!(date("2028-02-29"), d("2028-02-29"));
        assert_eq!(date("2000-02-29"), d("2000-02-29"));
        let e = date_err("2026-02-29");
        assert!(e.message().contains("'2026-02-29'"), "{}", e.message());
        assert!(
            e.message().contains("2026 is not a leap year"),
            "{}",
            e.message()
        );
        let e = date_err("1900-02-29");
        assert!(e.message().contains("1900 is not a leap year"));
    }

    #[test]
    fn impossible_dates_say_why() {
        let e = date_err("2026-02-30");
        assert!(
            e.message().contains("February 2026 has 28 days"),
            "{}",
            e.message()
        );
        let e = date_err("2026-04-31");
        assert!(e.message().contains("April 2026 has 30 days"));
        let e = date_err("2026-11-00");
        assert!(e.message().contains("November 2026 has 30 days"));
        let e = date_err("2026-13-01");
        assert!(e.message().contains("no month 13"), "{}", e.message());
        let e = date_err("2026-00-10");
        assert!(e.message().contains("no month 00"), "{}", e.message());
        let e = date_err("0000-01-01");
        assert!(e.message().contains("0001"), "{}", e.message());
    }

    #[test]
    fn non_ascii_and_malformed_dates_rejected() {
        let e = date_err("２０２６-11-22");
        assert!(e.message().contains("ASCII"), "{}", e.message());
        date_err("2026-11-２２");
        date_err("2026‐11‐22"); // Unicode hyphens
        for bad in [
            "",
            "   ",
            "2026/11/22",
            "22-11-2026",
            "2026-11-22-",
            "2026-011-22",
            "2026-11-022",
            "-2026-11-22",
            "+2026-11-22",
            "20261122",
            "2026-11-22T10:00:00Z",
            "12026-11-22",
            "2026--22",
            "next",
            "last",
            "garbage",
            "FY2027",
        ] {
            date_err(bad);
        }
    }

    #[test]
    fn error_names_expression_and_escapes_it() {
        let e = date_err("whenever");
        assert!(e.message().contains("'whenever'"), "{}", e.message());
        assert!(e.hint().unwrap().contains("in N days"));
        assert!(e.hint().unwrap().contains("2026-W47"));
        let e = date_err("bad\u{1b}[31m");
        assert!(!e.message().contains('\u{1b}'), "{}", e.message());
        let long = "x".repeat(500);
        let e = date_err(&long);
        assert!(e.message().len() < 120, "{}", e.message());
    }

    // ---- keywords ----

    #[test]
    fn today_yesterday_tomorrow() {
        assert_eq!(date("today"), d("2026-11-22"));
        assert_eq!(date("TODAY"), d("2026-11-22"));
        assert_eq!(date("yesterday"), d("2026-11-21"));
        assert_eq!(date(" Tomorrow "), d("2026-11-23"));
        assert_eq!(date_end("tomorrow"), d("2026-11-23"));
    }

    #[test]
    fn weekdays_are_strictly_after_today() {
        // Today is a Sunday.
        assert_eq!(date("monday"), d("2026-11-23"));
        assert_eq!(date("mon"), d("2026-11-23"));
        assert_eq!(date("saturday"), d("2026-11-28"));
        assert_eq!(date("sunday"), d("2026-11-29"));
        assert_eq!(date("Sun"), d("2026-11-29"));
        assert_eq!(date("next monday"), d("2026-11-23"));
        assert_eq!(date("next  sunday"), d("2026-11-29"));
        // From a Wednesday.
        let wed = Clock::fixed(d("2026-11-25"), Weekday::Mon);
        assert_eq!(parse_date("wed", &wed).unwrap(), d("2026-12-02"));
        assert_eq!(parse_date("thu", &wed).unwrap(), d("2026-11-26"));
        assert_eq!(parse_date("tue", &wed).unwrap(), d("2026-12-01"));
    }

    #[test]
    fn last_weekday_is_strictly_before_today() {
        assert_eq!(date("last monday"), d("2026-11-16"));
        assert_eq!(date("last sun"), d("2026-11-15"));
        assert_eq!(date("LAST Saturday"), d("2026-11-21"));
        let e = date_err("last week");
        assert!(e.message().contains("'week' is not a weekday"));
        date_err("next month");
    }

    #[test]
    fn relative_days_and_weeks() {
        assert_eq!(date("0 days ago"), d("2026-11-22"));
        assert_eq!(date("1 day ago"), d("2026-11-21"));
        assert_eq!(date("3 days ago"), d("2026-11-19"));
        assert_eq!(date("in 10 days"), d("2026-12-02"));
        assert_eq!(date("in 1 day"), d("2026-11-23"));
        assert_eq!(date("2 weeks ago"), d("2026-11-08"));
        assert_eq!(date("in 1 week"), d("2026-11-29"));
        assert_eq!(date("IN 3 WEEKS"), d("2026-12-13"));
        assert_eq!(date("in   007   days"), d("2026-11-29"));
        assert_eq!(date("in 0 years"), d("2026-11-22"));
    }

    #[test]
    fn relative_months_and_years_clamp_to_month_end() {
        assert_eq!(date("1 month ago"), d("2026-10-22"));
        assert_eq!(date("in 2 months"), d("2027-01-22"));
        assert_eq!(date("in 1 year"), d("2027-11-22"));
        assert_eq!(date("5 years ago"), d("2021-11-22"));
        let jan31 = Clock::fixed(d("2026-01-31"), Weekday::Mon);
        assert_eq!(parse_date("in 1 month", &jan31).unwrap(), d("2026-02-28"));
        assert_eq!(parse_date("in 3 months", &jan31).unwrap(), d("2026-04-30"));
        assert_eq!(parse_date("2 months ago", &jan31).unwrap(), d("2025-11-30"));
        let leap = Clock::fixed(d("2028-01-31"), Weekday::Mon);
        assert_eq!(parse_date("in 1 month", &leap).unwrap(), d("2028-02-29"));
        let feb29 = Clock::fixed(d("2028-02-29"), Weekday::Mon);
        assert_eq!(parse_date("in 1 year", &feb29).unwrap(), d("2029-02-28"));
        assert_eq!(parse_date("4 years ago", &feb29).unwrap(), d("2024-02-29"));
        assert_eq!(
            parse_date("12 months ago", &feb29).unwrap(),
            d("2027-02-28")
        );
    }

    #[test]
    fn relative_errors() {
        for bad in [
            "in -3 days",
            "-3 days ago",
            "in 3.5 days",
            "in three days",
            "in 3 fortnights",
            "3 days",
            "in 3",
            "days ago",
            "in days",
            "3 days ago please",
            "in 3 days ago",
            "in ３ days",
            "in 1e3 days",
        ] {
            date_err(bad);
        }
        let e = date_err("in 3 fortnights");
        assert!(
            e.message().contains("'fortnights' is not a unit"),
            "{}",
            e.message()
        );
        let e = date_err("in 99999999999999 fortnights");
        assert!(e.message().contains("not a unit"), "{}", e.message());
        let e = date_err("in x days");
        assert!(
            e.message().contains("'x' is not a whole number"),
            "{}",
            e.message()
        );
        // Tokens quoted in reasons are escaped too.
        for bad in ["last \u{1b}[2J", "in 3 \u{1b}[2J", "in \u{7}3 days"] {
            let e = date_err(bad);
            assert!(
                !e.message().contains(['\u{1b}', '\u{7}']),
                "{}",
                e.message()
            );
        }
    }

    #[test]
    fn relative_out_of_range_is_an_error_not_a_panic() {
        for bad in [
            "in 99999999999 days",
            "in 99999999999 weeks",
            "in 99999999999 months",
            "in 99999999999 years",
            "99999999999 years ago",
            "in 18446744073709551616 days",
            "in 99999999999999999999999999 days",
            "in 8000 years",
            "2026 years ago",
            "in 3000000 days",
            "in 2147483647 days",
            "in 4294967295 months",
            "in 357913942 years",
        ] {
            let e = date_err(bad);
            assert!(e.message().contains("outside"), "{bad}: {}", e.message());
        }
        assert_eq!(date("2025 years ago"), d("0001-11-22"));
        assert_eq!(date("in 7973 years"), d("9999-11-22"));
        assert_eq!(date("in 0000000000000000000000001 days"), d("2026-11-23"));
    }

    #[test]
    fn start_and_end_of_month_quarter_year() {
        assert_eq!(date("som"), d("2026-11-01"));
        assert_eq!(date("eom"), d("2026-11-30"));
        assert_eq!(date("soq"), d("2026-10-01"));
        assert_eq!(date("eoq"), d("2026-12-31"));
        assert_eq!(date("SOY"), d("2026-01-01"));
        assert_eq!(date("eoy"), d("2026-12-31"));
        let feb = Clock::fixed(d("2028-02-10"), Weekday::Mon);
        assert_eq!(parse_date("eom", &feb).unwrap(), d("2028-02-29"));
        assert_eq!(parse_date("soq", &feb).unwrap(), d("2028-01-01"));
        assert_eq!(parse_date("eoq", &feb).unwrap(), d("2028-03-31"));
        // parse_date_end does not change a single-day expression.
        assert_eq!(date_end("som"), d("2026-11-01"));
    }

    #[test]
    fn start_and_end_of_week_follow_week_start() {
        // Today is Sunday 2026-11-22.
        let mon = clock_ws(Weekday::Mon);
        assert_eq!(parse_date("sow", &mon).unwrap(), d("2026-11-16"));
        assert_eq!(parse_date("eow", &mon).unwrap(), d("2026-11-22"));
        let sun = clock_ws(Weekday::Sun);
        assert_eq!(parse_date("sow", &sun).unwrap(), d("2026-11-22"));
        assert_eq!(parse_date("eow", &sun).unwrap(), d("2026-11-28"));
        let sat = clock_ws(Weekday::Sat);
        assert_eq!(parse_date("sow", &sat).unwrap(), d("2026-11-21"));
        assert_eq!(parse_date("eow", &sat).unwrap(), d("2026-11-27"));
    }

    #[test]
    fn period_names_as_dates() {
        assert_eq!(date("2026"), d("2026-01-01"));
        assert_eq!(date_end("2026"), d("2026-12-31"));
        assert_eq!(date("2026-h2"), d("2026-07-01"));
        assert_eq!(date_end("2026-H1"), d("2026-06-30"));
        assert_eq!(date("2026-Q3"), d("2026-07-01"));
        assert_eq!(date_end("2026-q3"), d("2026-09-30"));
        assert_eq!(date("2026-11"), d("2026-11-01"));
        assert_eq!(date_end("2028-02"), d("2028-02-29"));
        assert_eq!(date("2026-W47"), d("2026-11-16"));
        assert_eq!(date_end("2026-w47"), d("2026-11-22"));
        let sun = clock_ws(Weekday::Sun);
        assert_eq!(parse_date("2026-W47", &sun).unwrap(), d("2026-11-15"));
        assert_eq!(parse_date_end("2026-W47", &sun).unwrap(), d("2026-11-21"));
        // Impossible period names are errors that say why.
        let e = date_err("2026-Q5");
        assert!(e.message().contains("Q1 to Q4"), "{}", e.message());
        date_err("2026-13");
        date_err("2025-W53");
        // A week at the edge of the supported range.
        let e = parse_date("0001-W01", &sun).unwrap_err();
        assert!(e.message().contains("outside"), "{}", e.message());
        assert_eq!(parse_date("0001-W01", &clock()).unwrap(), d("0001-01-01"));
    }

    // ---- periods ----

    #[test]
    fn parse_built_in_periods() {
        let p = period("2026");
        assert_eq!(
            (p.name.as_str(), p.start, p.end),
            ("2026", d("2026-01-01"), d("2026-12-31"))
        );
        assert_eq!(p.days(), 365);
        assert_eq!(period("2028").days(), 366);
        let p = period("2026-h1");
        assert_eq!(
            (p.name.as_str(), p.start, p.end),
            ("2026-H1", d("2026-01-01"), d("2026-06-30"))
        );
        let p = period("2026-H2");
        assert_eq!((p.start, p.end), (d("2026-07-01"), d("2026-12-31")));
        let p = period("2026-q1");
        assert_eq!(
            (p.name.as_str(), p.start, p.end),
            ("2026-Q1", d("2026-01-01"), d("2026-03-31"))
        );
        let p = period("2026-Q4");
        assert_eq!((p.start, p.end), (d("2026-10-01"), d("2026-12-31")));
        let p = period(" 2026-11 ");
        assert_eq!(
            (p.name.as_str(), p.start, p.end),
            ("2026-11", d("2026-11-01"), d("2026-11-30"))
        );
        let p = period("2026-2");
        assert_eq!(
            (p.name.as_str(), p.start, p.end),
            ("2026-02", d("2026-02-01"), d("2026-02-28"))
        );
        let p = period("2026-w7");
        assert_eq!(p.name, "2026-W07");
        let p = period("2026-W47");
        assert_eq!(
            (p.name.as_str(), p.start, p.end),
            ("2026-W47", d("2026-11-16"), d("2026-11-22"))
        );
        assert_eq!(p.days(), 7);
    }

    #[test]
    fn not_built_in_names_are_none() {
        for s in [
            "FY2027",
            "fy2027",
            "",
            "2026-",
            "2026-Q",
            "2026-X1",
            "2026-Q123",
            "2026-123",
            "26-Q1",
            "202",
            "20266",
            "2026 Q1",
            "2026-Q1x",
            "2026-11-22",
            "Q1-2026",
            "２０２６",
            "2026-Ｑ1",
            "h1",
            "2026_Q1",
            "2026--1",
        ] {
            assert_eq!(parse_period(s, Weekday::Mon).unwrap(), None, "{s:?}");
        }
    }

    #[test]
    fn impossible_built_in_names_are_errors() {
        period_err("2026-Q5");
        period_err("2026-Q0");
        period_err("2026-13");
        period_err("2026-00");
        period_err("2026-H3");
        period_err("2026-H0");
        period_err("2026-W54");
        period_err("2026-W00");
        period_err("0000");
        period_err("0000-Q1");
        let e = period_err("2026-W54");
        assert!(e.message().contains("W01 to W53"), "{}", e.message());
    }

    #[test]
    fn iso_week_year_edges() {
        // 2026 starts on a Thursday, so it has 53 ISO weeks.
        let p = period("2026-W53");
        assert_eq!((p.start, p.end), (d("2026-12-28"), d("2027-01-03")));
        // 2020 is a leap year starting on a Wednesday: 53 weeks.
        let p = period("2020-W53");
        assert_eq!((p.start, p.end), (d("2020-12-28"), d("2021-01-03")));
        // 2025 starts on a Wednesday and is not a leap year: 52 weeks.
        let e = period_err("2025-W53");
        assert!(e.message().contains("W01 to W52"), "{}", e.message());
        period_err("2027-W53");
        // Week 1 can start in the previous calendar year...
        let p = period("2025-W01");
        assert_eq!((p.start, p.end), (d("2024-12-30"), d("2025-01-05")));
        // ...and the last days of a year can belong to the next ISO year.
        let p = period_containing(PeriodKind::Week, d("2024-12-31"), Weekday::Mon);
        assert_eq!(p.name, "2025-W01");
        // And the first days of a year to the previous one.
        let p = period_containing(PeriodKind::Week, d("2027-01-01"), Weekday::Mon);
        assert_eq!(p.name, "2026-W53");
        let p = period_containing(PeriodKind::Week, d("2021-01-03"), Weekday::Mon);
        assert_eq!(p.name, "2020-W53");
        assert_eq!(iso_weeks_in_year(2026), 53);
        assert_eq!(iso_weeks_in_year(2020), 53);
        assert_eq!(iso_weeks_in_year(2025), 52);
        assert_eq!(iso_weeks_in_year(2015), 53);
    }

    #[test]
    fn weeks_with_other_week_starts() {
        let sun = parse_period("2026-W47", Weekday::Sun).unwrap().unwrap();
        assert_eq!((sun.start, sun.end), (d("2026-11-15"), d("2026-11-21")));
        assert_eq!(sun.start.weekday(), Weekday::Sun);
        let sat = parse_period("2026-W47", Weekday::Sat).unwrap().unwrap();
        assert_eq!((sat.start, sat.end), (d("2026-11-14"), d("2026-11-20")));
        let tue = parse_period("2026-W47", Weekday::Tue).unwrap().unwrap();
        assert_eq!((tue.start, tue.end), (d("2026-11-10"), d("2026-11-16")));
        // Sunday 2026-11-22 with a Sunday start is in the week named W48.
        let p = period_containing(PeriodKind::Week, d("2026-11-22"), Weekday::Sun);
        assert_eq!(
            (p.name.as_str(), p.start, p.end),
            ("2026-W48", d("2026-11-22"), d("2026-11-28"))
        );
        // With a Monday start it ends W47.
        let p = period_containing(PeriodKind::Week, d("2026-11-22"), Weekday::Mon);
        assert_eq!(
            (p.name.as_str(), p.start, p.end),
            ("2026-W47", d("2026-11-16"), d("2026-11-22"))
        );
        // Sunday start: week 1 of 2026 starts Sunday 2025-12-28.
        let p = parse_period("2026-W01", Weekday::Sun).unwrap().unwrap();
        assert_eq!(p.start, d("2025-12-28"));
    }

    #[test]
    fn weeks_tile_the_calendar_for_every_week_start() {
        let all = [
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
            Weekday::Sat,
            Weekday::Sun,
        ];
        for ws in all {
            let mut day = d("2019-12-01");
            let mut prev: Option<Period> = None;
            while day < d("2022-02-01") {
                let p = period_containing(PeriodKind::Week, day, ws);
                assert!(p.contains(day));
                assert_eq!(p.start.weekday(), ws);
                assert_eq!(p.days(), 7);
                assert_eq!(parse_period(&p.name, ws).unwrap(), Some(p.clone()));
                if let Some(q) = &prev {
                    if q != &p {
                        assert_eq!(days_between(q.end, p.start), 1);
                        assert_ne!(q.name, p.name);
                    }
                }
                prev = Some(p);
                day = day.succ_opt().unwrap();
            }
        }
    }

    #[test]
    fn period_containing_each_kind() {
        let day = d("2026-11-22");
        let names: Vec<String> = PeriodKind::ALL
            .iter()
            .map(|k| period_containing(*k, day, Weekday::Mon).name)
            .collect();
        assert_eq!(names, ["2026", "2026-H2", "2026-Q4", "2026-11", "2026-W47"]);
        let p = period_containing(PeriodKind::Half, d("2026-06-30"), Weekday::Mon);
        assert_eq!(p.name, "2026-H1");
        let p = period_containing(PeriodKind::Quarter, d("2026-04-01"), Weekday::Mon);
        assert_eq!(
            (p.name.as_str(), p.start, p.end),
            ("2026-Q2", d("2026-04-01"), d("2026-06-30"))
        );
        let p = period_containing(PeriodKind::Month, d("2028-02-15"), Weekday::Mon);
        assert_eq!(p.end, d("2028-02-29"));
    }

    #[test]
    fn period_containing_never_panics_at_chrono_edges() {
        for day in [NaiveDate::MIN, NaiveDate::MAX] {
            for kind in PeriodKind::ALL {
                for ws in [Weekday::Mon, Weekday::Sun, Weekday::Tue] {
                    let p = period_containing(kind, day, ws);
                    assert!(p.start <= p.end);
                }
            }
        }
        // And relative expressions from a clock at the edges.
        for today in [NaiveDate::MIN, NaiveDate::MAX] {
            let c = Clock::fixed(today, Weekday::Sun);
            for expr in [
                "tomorrow",
                "yesterday",
                "sow",
                "eow",
                "monday",
                "last monday",
                "in 1 year",
                "1 year ago",
                "eoy",
            ] {
                let _ = parse_date(expr, &c);
                let _ = parse_date_end(expr, &c);
            }
            assert!(parse_date("today", &c).is_err());
            assert!(!c.timestamp().is_empty());
        }
    }

    #[test]
    fn period_contains_and_days() {
        let p = period("2026-Q1");
        assert!(p.contains(d("2026-01-01")));
        assert!(p.contains(d("2026-03-31")));
        assert!(!p.contains(d("2025-12-31")));
        assert!(!p.contains(d("2026-04-01")));
        assert_eq!(p.days(), 90);
        assert_eq!(period("2028-Q1").days(), 91);
        assert_eq!(period("2026-11").days(), 30);
    }

    #[test]
    fn period_serializes_dates_as_iso() {
        let json = serde_json::to_string(&period("2026-Q3")).unwrap();
        assert_eq!(
            json,
            r#"{"name":"2026-Q3","start":"2026-07-01","end":"2026-09-30"}"#
        );
    }

    #[test]
    fn period_kinds() {
        assert_eq!(parse_period_kind("year").unwrap(), PeriodKind::Year);
        assert_eq!(parse_period_kind("Half").unwrap(), PeriodKind::Half);
        assert_eq!(parse_period_kind(" QUARTER ").unwrap(), PeriodKind::Quarter);
        assert_eq!(parse_period_kind("month").unwrap(), PeriodKind::Month);
        assert_eq!(parse_period_kind("week").unwrap(), PeriodKind::Week);
        for k in PeriodKind::ALL {
            assert_eq!(parse_period_kind(&k.to_string()).unwrap(), k);
        }
        for bad in ["", "weeks", "day", "fortnight", "q"] {
            let e = parse_period_kind(bad).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Invalid);
            assert!(e.hint().unwrap().contains("quarter"));
        }
    }

    // ---- formatting ----

    #[test]
    fn format_and_days_between() {
        assert_eq!(format_date(d("2026-11-22")), "2026-11-22");
        assert_eq!(format_date(d("0001-01-05")), "0001-01-05");
        assert_eq!(days_between(d("2026-11-22"), d("2026-11-29")), 7);
        assert_eq!(days_between(d("2026-11-29"), d("2026-11-22")), -7);
        assert_eq!(days_between(d("2026-01-01"), d("2027-01-01")), 365);
        assert_eq!(days_between(d("2026-11-22"), d("2026-11-22")), 0);
        assert!(days_between(NaiveDate::MIN, NaiveDate::MAX) > 0);
    }

    // ---- values read from files ----

    #[test]
    fn stored_days_and_timestamps_keep_to_the_command_lines_range() {
        assert_eq!(stored_day("2026-11-22").unwrap(), d("2026-11-22"));
        for bad in ["0000-01-01", "2026-02-30", "2026-1-5", ""] {
            let e = stored_day(bad).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Invalid, "{bad}");
        }
        assert!(
            stored_day("0000-06-01")
                .unwrap_err()
                .message()
                .contains("0001")
        );
        assert!(stored_timestamp("2026-11-22T12:00:00Z").is_ok());
        for bad in [
            "0000-01-01T00:00:00Z",
            "0001-01-01T00:30:00+01:00",
            "9999-12-31T23:30:00-01:00",
            "2026-11-22",
        ] {
            assert!(stored_timestamp(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_latest_acceptable_instant_is_now_plus_the_skew() {
        let c = Clock::new(Some("2026-11-22"), Weekday::Mon).unwrap();
        assert_eq!(
            c.latest(),
            stored_timestamp("2026-11-22T12:05:00Z").unwrap()
        );
    }
}

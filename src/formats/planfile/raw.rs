//! The shape of a plan file as serde reads it: every value spanned, every
//! table closed to unknown keys. Validation happens in the parser.

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer};
use toml::Spanned;

pub(super) type S<T> = Spanned<T>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFile {
    #[serde(default)]
    pub(super) period: Vec<RawPeriod>,
    #[serde(default)]
    pub(super) team: Vec<RawTeam>,
    #[serde(default)]
    pub(super) person: Vec<RawPerson>,
    #[serde(default)]
    pub(super) goal: Vec<RawGoal>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPeriod {
    pub(super) name: S<String>,
    pub(super) start: S<RawDate>,
    pub(super) end: S<RawDate>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTeam {
    pub(super) handle: S<String>,
    pub(super) name: S<String>,
    pub(super) parent: Option<S<String>>,
    pub(super) lead: Option<S<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPerson {
    pub(super) handle: S<String>,
    pub(super) name: S<String>,
    pub(super) email: Option<S<String>>,
    pub(super) title: Option<S<String>>,
    pub(super) manager: Option<S<String>>,
    pub(super) team: Option<S<String>>,
    pub(super) active: Option<S<bool>>,
    pub(super) mission: Option<S<RawMission>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMission {
    pub(super) purpose: Option<S<String>>,
    pub(super) customers: Option<S<String>>,
    pub(super) product: Option<S<String>>,
    pub(super) scope: Option<S<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawGoal {
    pub(super) key: S<String>,
    pub(super) title: S<String>,
    pub(super) description: Option<S<String>>,
    pub(super) owner: S<String>,
    pub(super) parent: Option<S<String>>,
    pub(super) period: Option<S<String>>,
    pub(super) start: Option<S<RawDate>>,
    pub(super) due: Option<S<RawDate>>,
    pub(super) weight: Option<S<f64>>,
    pub(super) priority: Option<S<String>>,
    pub(super) category: Option<S<String>>,
    pub(super) status: Option<S<String>>,
    #[serde(default)]
    pub(super) measure: Vec<RawMeasure>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMeasure {
    pub(super) name: S<String>,
    pub(super) unit: Option<S<String>>,
    pub(super) kind: Option<S<String>>,
    pub(super) direction: Option<S<String>>,
    pub(super) baseline: S<f64>,
    pub(super) target: S<f64>,
    pub(super) stretch: Option<S<f64>>,
    pub(super) floor: Option<S<f64>>,
    pub(super) weight: Option<S<f64>>,
}

/// A date written as a TOML local date (`2026-07-01`) or a string.
pub(super) struct RawDate(pub(super) NaiveDate);

impl<'de> Deserialize<'de> for RawDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        use serde::de::Error as _;
        let bad =
            |what: &str| D::Error::custom(format!("expected a date like 2026-07-01, found {what}"));
        match toml::Value::deserialize(d)? {
            toml::Value::Datetime(dt) => match (dt.date, dt.time, dt.offset) {
                (Some(date), None, None) => NaiveDate::from_ymd_opt(
                    i32::from(date.year),
                    u32::from(date.month),
                    u32::from(date.day),
                )
                .map(RawDate)
                .ok_or_else(|| bad(&format!("'{dt}'"))),
                _ => Err(bad(&format!("the date-time '{dt}'"))),
            },
            toml::Value::String(s) => crate::time::read_day(s.trim())
                .map(RawDate)
                .ok_or_else(|| bad(&format!("'{s}'"))),
            other => Err(bad(other.type_str())),
        }
    }
}

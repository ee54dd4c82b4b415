//! Reading typed values out of rows: dates stored as ISO text and enums
//! stored as their spellings. A value that does not parse is reported as a
//! conversion error on its column (a damaged file), never a panic.

use super::conn::Row;
use chrono::NaiveDate;
use std::str::FromStr;

fn bad(i: usize, what: &str, s: &str) -> super::conn::PgError {
    crate::store::StoreError::Unavailable {
        message: format!(
            "the database holds a value yardstick cannot read (column {i}): bad {what} '{s}'"
        ),
        hint: Some("run `yardstick doctor`; restore from a backup if it reports damage".into()),
        source: None,
    }
    .into()
}

/// An ISO date column.
pub fn date(r: &Row, i: usize) -> super::conn::Result<NaiveDate> {
    let s: String = r.get(i)?;
    crate::time::read_day(&s).ok_or_else(|| bad(i, "date", &s))
}

/// An optional ISO date column.
pub fn opt_date(r: &Row, i: usize) -> super::conn::Result<Option<NaiveDate>> {
    match r.get::<_, Option<String>>(i)? {
        None => Ok(None),
        Some(_) => date(r, i).map(Some),
    }
}

/// A column holding an enum's spelling.
pub fn parse<T: FromStr>(r: &Row, i: usize) -> super::conn::Result<T> {
    let s: String = r.get(i)?;
    s.parse::<T>().map_err(|_| bad(i, "value", &s))
}

/// An optional column holding an enum's spelling.
pub fn parse_opt<T: FromStr>(r: &Row, i: usize) -> super::conn::Result<Option<T>> {
    match r.get::<_, Option<String>>(i)? {
        None => Ok(None),
        Some(_) => parse(r, i).map(Some),
    }
}

/// Row ids as a JSON array, for `json_each(?)` in a statement that takes a
/// list of ids as one parameter.
pub fn json_ids(ids: &[i64]) -> String {
    let list: Vec<String> = ids.iter().map(i64::to_string).collect();
    format!("[{}]", list.join(","))
}

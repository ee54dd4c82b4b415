//! Reading typed values out of rows: dates stored as ISO text and enums
//! stored as their spellings. A value that does not parse is reported as a
//! conversion error on its column (a damaged file), never a panic.

use chrono::NaiveDate;
use rusqlite::Row;
use std::str::FromStr;

fn bad(i: usize, what: &str, s: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        i,
        rusqlite::types::Type::Text,
        format!("bad {what} '{s}'").into(),
    )
}

/// A stored `YYYY-MM-DD` day, read without the cost of a format parser.
pub fn iso_day(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    NaiveDate::from_ymd_opt(i32::try_from(num(0..4)?).ok()?, num(5..7)?, num(8..10)?)
}

/// An ISO date column.
pub fn date(r: &Row<'_>, i: usize) -> rusqlite::Result<NaiveDate> {
    let s: String = r.get(i)?;
    NaiveDate::parse_from_str(&s, "%Y-%m-%d").map_err(|_| bad(i, "date", &s))
}

/// An optional ISO date column.
pub fn opt_date(r: &Row<'_>, i: usize) -> rusqlite::Result<Option<NaiveDate>> {
    match r.get::<_, Option<String>>(i)? {
        None => Ok(None),
        Some(_) => date(r, i).map(Some),
    }
}

/// A column holding an enum's spelling.
pub fn parse<T: FromStr>(r: &Row<'_>, i: usize) -> rusqlite::Result<T> {
    let s: String = r.get(i)?;
    s.parse::<T>().map_err(|_| bad(i, "value", &s))
}

/// An optional column holding an enum's spelling.
pub fn parse_opt<T: FromStr>(r: &Row<'_>, i: usize) -> rusqlite::Result<Option<T>> {
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

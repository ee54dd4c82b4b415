//! Cells the view builders share: fractions as percentages or progress bars,
//! optional statuses, scores and scale levels.

use super::Cell;
use crate::domain::appraisal::Template;

/// A fraction (0.5) as a percentage cell (50 %); none → null.
pub fn pct(ratio: Option<f64>) -> Cell {
    ratio.map_or(Cell::Null, |v| Cell::Percent(v * 100.0))
}

/// A fraction as a progress bar; none → null.
pub fn bar(ratio: Option<f64>) -> Cell {
    ratio.map_or(Cell::Null, |v| Cell::Progress(v * 100.0))
}

/// An optional status word.
pub fn status<T: ToString>(v: Option<T>) -> Cell {
    v.map_or(Cell::Null, |s| Cell::Status(s.to_string()))
}

/// A number rounded to 3 decimals for display.
pub fn round(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

/// A score, rounded; none → null.
pub fn score(v: Option<f64>) -> Cell {
    v.map_or(Cell::Null, |v| Cell::Float(round(v)))
}

/// A level of the template's scale with its label ("4 Exceeds expectations").
pub fn level(t: &Template, v: Option<f64>) -> Cell {
    v.map_or(Cell::Null, |v| {
        Cell::Text(format!("{} {}", round(v), t.scale.label(v).unwrap_or("")))
    })
}

//! Dates, periods and the clock.

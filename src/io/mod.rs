//! Reading and writing files that describe yardstick data.
//!
//! Everything here is pure: text in, values out (and back). The store glue
//! that applies a parsed file to the database lives elsewhere.

pub mod planfile;

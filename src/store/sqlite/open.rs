//! Opening a database file safely.
//!
//! Before SQLite touches a file, its header is read directly and checked: a
//! file that is empty, not SQLite, another application's, or from a newer
//! yardstick is refused without being opened for writing. New files are
//! built in a private temporary file beside the target and linked into place,
//! so a half-created database is never visible and concurrent first runs agree.

use super::schema::{APPLICATION_ID, SCHEMA_VERSION};
use crate::error::{Error, Result};
use std::fs;
use std::io::Read;
use std::path::Path;

/// What the header of an existing file says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// `PRAGMA user_version` as stored in the main file.
    pub user_version: i64,
}

const MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// Read and check the header of an existing database file. Errors are exit 3.
pub fn check_header(path: &Path) -> Result<Header> {
    let shown = path.display();
    let meta = fs::metadata(path).map_err(|e| {
        Error::database(format!("cannot read database {shown}: {e}"))
            .with_hint("check the path given with --db or YARDSTICK_DB")
    })?;
    if meta.is_dir() {
        return Err(
            Error::database(format!("{shown} is a directory, not a database file"))
                .with_hint("pass the path of a database file, e.g. --db ~/team.db"),
        );
    }
    if meta.len() == 0 {
        return Err(Error::database(format!(
            "{shown} is an empty file, not a yardstick database"
        ))
        .with_hint(
            "remove it or choose another path; `yardstick init --db PATH` creates a new database",
        ));
    }
    let mut head = [0u8; 100];
    let mut file = fs::File::open(path)
        .map_err(|e| Error::database(format!("cannot open database {shown}: {e}")))?;
    let mut read = 0;
    while read < head.len() {
        match file.read(&mut head[read..]) {
            Ok(0) => break,
            Ok(n) => read += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => {
                return Err(Error::database(format!(
                    "cannot read database {shown}: {e}"
                )));
            }
        }
    }
    if read < head.len() || &head[..16] != MAGIC {
        return Err(Error::database(format!(
            "{shown} is not a yardstick database (it is not an SQLite file)"
        ))
        .with_hint("check the path given with --db or YARDSTICK_DB"));
    }
    if let Some(problem) = header_problem(&head) {
        return Err(Error::database(format!("the database {shown} is corrupt: {problem}"))
            .with_hint("restore it from a backup (`yardstick backup` makes one); yardstick did not change it"));
    }
    let app_id = i32::from_be_bytes([head[68], head[69], head[70], head[71]]);
    let user_version = i64::from(u32::from_be_bytes([head[60], head[61], head[62], head[63]]));
    if app_id != APPLICATION_ID {
        return Err(Error::database(format!(
            "{shown} is an SQLite database of another application, not a yardstick database"
        ))
        .with_hint(
            "check the path given with --db or YARDSTICK_DB; yardstick leaves the file untouched",
        ));
    }
    if user_version > SCHEMA_VERSION {
        return Err(newer_version(path, user_version));
    }
    Ok(Header { user_version })
}

fn be32(h: &[u8; 100], at: usize) -> u32 {
    u32::from_be_bytes([h[at], h[at + 1], h[at + 2], h[at + 3]])
}

/// What is wrong with an SQLite header, if anything: every field SQLite
/// documents as fixed or bounded is checked, so a damaged header is refused
/// before any page is read or written.
fn header_problem(h: &[u8; 100]) -> Option<String> {
    let raw = u32::from(u16::from_be_bytes([h[16], h[17]]));
    let page_size = if raw == 1 { 65_536 } else { raw };
    if !(512..=65_536).contains(&page_size) || !page_size.is_power_of_two() {
        return Some(format!("impossible page size {page_size}"));
    }
    if !(1..=2).contains(&h[18]) || !(1..=2).contains(&h[19]) {
        return Some("unknown file format version".into());
    }
    if u32::from(h[20]) >= page_size / 4 {
        return Some("impossible reserved space per page".into());
    }
    if h[21] != 64 || h[22] != 32 || h[23] != 32 {
        return Some("wrong payload fractions".into());
    }
    // The page count and the free list change with every checkpoint, which
    // another process may be writing right now: only fields that never
    // change are checked here; SQLite checks the rest as it reads.
    if !(1..=4).contains(&be32(h, 44)) {
        return Some("unknown schema format".into());
    }
    if !(1..=3).contains(&be32(h, 56)) {
        return Some("unknown text encoding".into());
    }
    if h[72..92].iter().any(|b| *b != 0) {
        return Some("reserved header bytes are not zero".into());
    }
    None
}

/// The error for a file written by a newer yardstick.
pub fn newer_version(path: &Path, version: i64) -> Error {
    Error::database(format!(
        "{} was written by a newer yardstick (schema version {version}; this build knows up to {SCHEMA_VERSION})",
        path.display()
    ))
    .with_hint("upgrade yardstick to open it; the file was left untouched")
}

/// Create the parent directory of the default database (0700), if missing.
pub fn ensure_private_dir(dir: &Path) -> Result<()> {
    if dir.as_os_str().is_empty() || dir.exists() {
        return Ok(());
    }
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder
        .create(dir)
        .map_err(|e| Error::database(format!("cannot create directory {}: {e}", dir.display())))
}

/// Build a fresh database at `path` without ever exposing a half-made file:
/// the schema is written to a private (0600) temporary file in the same
/// directory, which is then linked into place only if `path` does not exist.
/// Returns `false` when another process created `path` first (its file is
/// then used as it is).
pub fn create_database(path: &Path, init: impl FnOnce(&Path) -> Result<()>) -> Result<bool> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(Error::database(format!(
            "cannot create {}: directory {} does not exist",
            path.display(),
            dir.display()
        ))
        .with_hint("create the directory first or choose another path"));
    }
    let temp =
        crate::tempfiles::create_in(dir, crate::tempfiles::Kind::NewDatabase).map_err(|e| {
            Error::database(format!(
                "cannot create a database in {}: {e}",
                dir.display()
            ))
        })?;
    init(temp.path())?;
    match temp.persist_noclobber(path) {
        Ok(_) => Ok(true),
        Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(Error::database(format!(
            "cannot create {}: {}",
            path.display(),
            e.error
        ))),
    }
}

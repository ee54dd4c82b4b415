//! Private temporary files beside a file being written, and the cleanup of
//! those a killed run left behind.
//!
//! Every file yardstick writes whole (an `-o` output, a backup, a new
//! database) is first written to a temporary file in the same directory,
//! created 0600, and renamed into place when complete. The temporary file
//! is named `.yardstick-<kind>-<pid>-<random><suffix>`; before creating one,
//! yardstick removes from that directory this user's such files (and their
//! SQLite side files) whose process is gone and that have not changed for
//! [`STALE_AFTER`]. A killed run's copy of confidential data therefore
//! lasts until the next write there, never longer.

use std::fs;
use std::io;
use std::path::Path;
use std::time::{Duration, SystemTime};
use tempfile::NamedTempFile;

/// What a temporary file is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An `-o` output: `.yardstick-export-<pid>-<random>.tmp`.
    Export,
    /// A backup: `.yardstick-backup-<pid>-<random>.db`.
    Backup,
    /// A new database: `.yardstick-new-<pid>-<random>.db`.
    NewDatabase,
}

impl Kind {
    const ALL: [Kind; 3] = [Kind::Export, Kind::Backup, Kind::NewDatabase];

    fn prefix(self) -> &'static str {
        match self {
            Kind::Export => ".yardstick-export-",
            Kind::Backup => ".yardstick-backup-",
            Kind::NewDatabase => ".yardstick-new-",
        }
    }

    fn suffix(self) -> &'static str {
        match self {
            Kind::Export => ".tmp",
            Kind::Backup | Kind::NewDatabase => ".db",
        }
    }
}

/// A temporary file of a run that is no longer running is removed once it
/// has not changed for this long (a margin for a writer whose process id
/// this machine cannot see, e.g. in another container sharing the folder).
pub const STALE_AFTER: Duration = Duration::from_secs(60);

/// Earlier builds named their temporary files without a process id
/// (`.yardstick-export` and six random characters; `.yardstick-backup-` or
/// `.yardstick-new-`, six random characters and `.db`); such a file is
/// removed once it is this old.
pub const LEGACY_STALE_AFTER: Duration = Duration::from_secs(3600);

/// SQLite's side files of a temporary database, removed with it.
const SIDE_FILES: [&str; 4] = ["", "-journal", "-wal", "-shm"];

/// Create a private (0600) temporary file of `kind` in `dir`, after removing
/// the stale ones there.
pub fn create_in(dir: &Path, kind: Kind) -> io::Result<NamedTempFile> {
    remove_stale(dir);
    let mut builder = tempfile::Builder::new();
    let prefix = format!("{}{}-", kind.prefix(), std::process::id());
    builder.prefix(&prefix).suffix(kind.suffix()).rand_bytes(6);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o600));
    }
    builder.tempfile_in(dir)
}

/// Which run left a temporary file, by its name.
#[derive(Debug, PartialEq, Eq)]
enum Owner {
    /// Named with the process id of the run that made it.
    Process(u32),
    /// From an earlier build, which named no process.
    Unknown,
}

fn random(s: &str) -> bool {
    s.len() == 6 && s.chars().all(|c| c.is_ascii_alphanumeric())
}

/// The run that left the file `name`, if it is one of yardstick's
/// temporary files (or a SQLite side file of one).
fn owner(name: &str) -> Option<Owner> {
    Kind::ALL.into_iter().find_map(|k| owner_as(name, k))
}

fn owner_as(name: &str, kind: Kind) -> Option<Owner> {
    if kind == Kind::Export
        && let Some(rest) = name.strip_prefix(".yardstick-export")
        && random(rest)
    {
        return Some(Owner::Unknown);
    }
    let name = SIDE_FILES
        .iter()
        .filter(|side| kind != Kind::Export || side.is_empty())
        .find_map(|side| {
            name.strip_suffix(side)
                .filter(|n| n.ends_with(kind.suffix()))
        })?;
    let rest = name
        .strip_prefix(kind.prefix())?
        .strip_suffix(kind.suffix())?;
    if kind != Kind::Export && random(rest) {
        return Some(Owner::Unknown);
    }
    let (pid, tail) = rest.split_once('-')?;
    if !random(tail) || pid.is_empty() || !pid.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    pid.parse().ok().map(Owner::Process)
}

/// Remove the temporary files of killed runs from `dir` (best effort): this
/// user's files named as [`create_in`] names them whose process is gone and
/// that have not changed for [`STALE_AFTER`] (earlier builds' files, which
/// carry no process id: [`LEGACY_STALE_AFTER`]). Another user's files,
/// links and anything else are left alone.
pub fn remove_stale(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let now = SystemTime::now();
    for entry in entries.flatten() {
        let Some(owner) = entry.file_name().to_str().and_then(owner) else {
            continue;
        };
        let path = entry.path();
        let Ok(meta) = fs::symlink_metadata(&path) else {
            continue;
        };
        if !meta.file_type().is_file() || !mine(&meta) {
            continue;
        }
        let age = meta
            .modified()
            .ok()
            .and_then(|m| now.duration_since(m).ok())
            .unwrap_or_default();
        let stale = match owner {
            Owner::Process(pid) => age >= STALE_AFTER && !running(pid),
            Owner::Unknown => age >= LEGACY_STALE_AFTER,
        };
        if stale {
            let _ = fs::remove_file(&path);
        }
    }
}

#[cfg(unix)]
fn mine(meta: &fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    meta.uid() == rustix::process::geteuid().as_raw()
}

#[cfg(not(unix))]
fn mine(_meta: &fs::Metadata) -> bool {
    false
}

/// Whether a process with this id exists (one of another user counts).
#[cfg(unix)]
fn running(pid: u32) -> bool {
    let Some(pid) = i32::try_from(pid)
        .ok()
        .and_then(rustix::process::Pid::from_raw)
    else {
        return false;
    };
    !matches!(
        rustix::process::test_kill_process(pid),
        Err(rustix::io::Errno::SRCH)
    )
}

#[cfg(not(unix))]
fn running(_pid: u32) -> bool {
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_names_are_recognised() {
        for (name, who) in [
            (".yardstick-export-4242-aB3xY9.tmp", Owner::Process(4242)),
            (".yardstick-exportaB3xY9", Owner::Unknown),
            (".yardstick-backup-4242-aB3xY9.db", Owner::Process(4242)),
            (
                ".yardstick-backup-4242-aB3xY9.db-journal",
                Owner::Process(4242),
            ),
            (".yardstick-backup-aB3xY9.db", Owner::Unknown),
            (".yardstick-new-7-aB3xY9.db", Owner::Process(7)),
            (".yardstick-new-7-aB3xY9.db-wal", Owner::Process(7)),
            (".yardstick-new-aB3xY9.db-shm", Owner::Unknown),
        ] {
            assert_eq!(owner(name), Some(who), "{name}");
        }
        for other in [
            ".yardstick-export-4242-aB3xY9",
            ".yardstick-export--aB3xY9.tmp",
            ".yardstick-export-42x-aB3xY9.tmp",
            ".yardstick-export-42-aB3xY.tmp",
            ".yardstick-export-42-aB3xY9.tmp.csv",
            ".yardstick-export-42-aB3xY9.tmp-journal",
            ".yardstick-exportaB3xY9.csv",
            ".yardstick-backup-42-aB3xY9.db.bak",
            ".yardstick-new-42-aB3xY9.sqlite",
            "team.db",
            "report.csv",
        ] {
            assert_eq!(owner(other), None, "{other}");
        }
    }
}

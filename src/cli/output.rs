//! The one way a command writes a file for the user (`-o FILE`, `plan
//! export -o`, `export -o`).
//!
//! - A regular file (or a new name) gets a private (0600) temporary file
//!   beside it, renamed over it once complete: a reader never sees a
//!   half-written file, and whatever the old file's mode was, the new one is
//!   0600 (or the command fails). The temporary file is named
//!   `.yardstick-export-<pid>-<random>.tmp`; one left by a killed run is
//!   removed by the next write into that directory (see [`crate::tempfiles`]).
//! - A path that exists and is not a regular file (`/dev/null`, a pipe, a
//!   terminal) is written to directly, never replaced, its mode unchanged.
//! - A symbolic link keeps pointing where it did, at the new file.
//! - Never the database in use or its side files ([`check_target`]), and, in
//!   a shared sticky directory such as `/tmp`, never through a link or into
//!   a pipe or device that another user put there (the rule of Linux's
//!   `fs.protected_symlinks` and `fs.protected_fifos`, applied whatever the
//!   system's setting).

use crate::error::{Error, Result};
use crate::tempfiles;
use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Symbolic links followed at most (as Linux's `MAXSYMLINKS`).
const MAX_LINKS: usize = 40;

/// The database's own file and its side files, and what to call each.
const DATABASE_PARTS: [(&str, &str); 4] = [
    ("", "the database in use"),
    ("-wal", "the write-ahead log of the database in use"),
    ("-shm", "the shared-memory index of the database in use"),
    ("-journal", "the rollback journal of the database in use"),
];

/// Check before a command runs that `-o target` may be written: not the
/// database `db` or one of its side files (exit 2), and not a link, pipe or
/// device planted by another user in a shared directory (exit 2). Nothing
/// has been read or written yet when this refuses.
pub fn check_target(target: &Path, db: &Path) -> Result<()> {
    if let Some(what) = database_part(target, db) {
        return Err(Error::invalid(format!(
            "refusing to write {}: it is {what} ({})",
            target.display(),
            db.display()
        ))
        .with_hint("-o names a new file for the output; choose another name"));
    }
    destination(target).map(|_| ())
}

/// What `target` is of the database `db`, if it is the database file or one
/// of its side files (`-wal`, `-shm`, `-journal`). Compared by path (made
/// absolute, symbolic links followed, `..` resolved) and, for files that
/// exist, by identity (device and inode), which also catches a hard link.
pub fn database_part(target: &Path, db: &Path) -> Option<&'static str> {
    let mut names = vec![db.to_path_buf()];
    // SQLite names the side files after the database's real path.
    if let Ok(real) = fs::canonicalize(db) {
        names.push(real);
    }
    names.iter().find_map(|name| {
        DATABASE_PARTS
            .iter()
            .find(|(suffix, _)| same_place(target, &with_suffix(name, suffix)))
            .map(|(_, what)| *what)
    })
}

/// Whether two paths name the same file: the same place once links are
/// followed, or (both existing) the same device and inode.
pub fn same_place(a: &Path, b: &Path) -> bool {
    if resolved(a) == resolved(b) {
        return true;
    }
    matches!((identity(a), identity(b)), (Some(x), Some(y)) if x == y)
}

/// `path` with `suffix` appended to its last component.
fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(suffix);
    PathBuf::from(p)
}

/// `path` made absolute, the symbolic links of its last component followed
/// (as far as they lead), and its directory canonicalised when it exists.
fn resolved(path: &Path) -> PathBuf {
    let mut cur = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    for _ in 0..MAX_LINKS {
        let Ok(target) = fs::read_link(&cur) else {
            break;
        };
        cur = match cur.parent() {
            Some(dir) => dir.join(target),
            None => target,
        };
    }
    match (cur.parent(), cur.file_name()) {
        (Some(dir), Some(name)) => match fs::canonicalize(dir) {
            Ok(dir) => dir.join(name),
            Err(_) => cur,
        },
        _ => fs::canonicalize(&cur).unwrap_or(cur),
    }
}

/// Where a write to `-o` goes.
enum Destination {
    /// A regular file, or a name not yet taken: replaced by a new file.
    Replace(PathBuf),
    /// An existing pipe, device, terminal (or directory): written to as it is.
    InPlace(PathBuf, fs::Metadata),
}

/// Follow `path`'s symbolic links to where the output goes, refusing a link
/// or a special file that another user planted in a shared directory.
fn destination(path: &Path) -> Result<Destination> {
    let mut cur = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        let meta = match fs::symlink_metadata(&cur) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Destination::Replace(cur));
            }
            Err(e) => return Err(cannot(path, &e)),
        };
        let kind = meta.file_type();
        if kind.is_file() {
            return Ok(Destination::Replace(cur));
        }
        if kind.is_symlink() {
            refuse_planted(path, &cur, &meta, "symbolic link")?;
            let target = fs::read_link(&cur).map_err(|e| cannot(path, &e))?;
            cur = match cur.parent() {
                Some(dir) if target.is_relative() => dir.join(target),
                _ => target,
            };
            continue;
        }
        refuse_planted(path, &cur, &meta, special_kind(&meta))?;
        return Ok(Destination::InPlace(cur, meta));
    }
    Err(Error::invalid(format!(
        "cannot write {}: too many levels of symbolic links",
        path.display()
    )))
}

fn cannot(path: &Path, e: &dyn std::fmt::Display) -> Error {
    Error::failed(format!("cannot write {}: {e}", path.display()))
}

/// The directory an entry is in (`.` for a bare name).
fn dir_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Write a file readable only by its owner (see the module documentation):
/// `write` gets the output and returns a count for the caller's message.
pub fn write_file(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> Result<usize>,
) -> Result<usize> {
    match destination(path)? {
        Destination::InPlace(at, checked) => {
            let file = open_in_place(path, &at, &checked)?;
            let mut out = BufWriter::with_capacity(1 << 16, file);
            let n = write(&mut out)?;
            out.flush().map_err(|e| cannot(path, &e))?;
            Ok(n)
        }
        Destination::Replace(at) => replace(path, &at, write),
    }
}

/// Write into a new private file beside `at`, renamed over it when complete.
fn replace(
    path: &Path,
    at: &Path,
    write: impl FnOnce(&mut dyn Write) -> Result<usize>,
) -> Result<usize> {
    let dir = dir_of(at);
    let temp = tempfiles::create_in(&dir, tempfiles::Kind::Export).map_err(|e| cannot(path, &e))?;
    make_private(path, temp.as_file())?;
    let mut out = BufWriter::with_capacity(1 << 16, temp.as_file());
    let n = write(&mut out)?;
    out.flush().map_err(|e| cannot(path, &e))?;
    drop(out);
    temp.as_file().sync_all().map_err(|e| cannot(path, &e))?;
    temp.persist(at).map_err(|e| cannot(path, &e.error))?;
    // Make the new name durable (best effort: the data is already synced).
    #[cfg(unix)]
    if let Ok(d) = fs::File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(n)
}

/// Set the new file's mode to 0600 and check that it holds: on a file
/// system that does not keep permissions the command fails instead of
/// leaving a file others may read.
#[cfg(unix)]
fn make_private(path: &Path, file: &fs::File) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(fs::Permissions::from_mode(0o600))
        .map_err(|e| cannot(path, &e))?;
    let mode = file
        .metadata()
        .map_err(|e| cannot(path, &e))?
        .permissions()
        .mode()
        & 0o7777;
    if mode != 0o600 {
        return Err(Error::failed(format!(
            "cannot write {}: the new file would be mode {mode:o}, not 0600 (private)",
            path.display()
        ))
        .with_hint("the file system does not keep permissions; write to another one, e.g. in your home directory"));
    }
    Ok(())
}

#[cfg(not(unix))]
fn make_private(_path: &Path, _file: &fs::File) -> Result<()> {
    Ok(())
}

/// How a special file is named in messages.
fn special_kind(meta: &fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "pipe";
        }
        if t.is_char_device() || t.is_block_device() {
            return "device";
        }
        if t.is_socket() {
            return "socket";
        }
    }
    if meta.is_dir() { "directory" } else { "file" }
}

/// In a shared directory (sticky, and writable by group or others, like
/// `/tmp`), refuse a link, pipe or device owned by neither this user nor the
/// directory's owner: someone else put it there to catch the output.
#[cfg(unix)]
fn refuse_planted(shown: &Path, entry: &Path, meta: &fs::Metadata, what: &str) -> Result<()> {
    use std::os::unix::fs::MetadataExt;
    let dir = dir_of(entry);
    let d = fs::metadata(&dir).map_err(|e| cannot(shown, &e))?;
    let shared = d.mode() & 0o1000 != 0 && d.mode() & 0o022 != 0;
    let me = rustix::process::geteuid().as_raw();
    if !shared || meta.uid() == me || meta.uid() == d.uid() {
        return Ok(());
    }
    let which = if entry == shown {
        "it".to_string()
    } else {
        entry.display().to_string()
    };
    Err(Error::invalid(format!(
        "refusing to write {}: {which} is a {what} owned by another user (uid {}) in the shared directory {}",
        shown.display(),
        meta.uid(),
        dir.display()
    ))
    .with_hint("another user may have put it there to catch the output; write to a directory only you can change, e.g. your home directory"))
}

#[cfg(not(unix))]
fn refuse_planted(_shown: &Path, _entry: &Path, _meta: &fs::Metadata, _what: &str) -> Result<()> {
    Ok(())
}

/// Open an existing special file for writing, as it is: not following a
/// link, not becoming the controlling terminal, and only if it is still the
/// file that was checked.
#[cfg(unix)]
fn open_in_place(shown: &Path, at: &Path, checked: &fs::Metadata) -> Result<fs::File> {
    use rustix::fs::{Mode, OFlags};
    use std::os::unix::fs::MetadataExt;
    let fd = rustix::fs::open(
        at,
        OFlags::WRONLY | OFlags::NOFOLLOW | OFlags::NOCTTY | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .map_err(|e| cannot(shown, &std::io::Error::from(e)))?;
    let file = fs::File::from(fd);
    let now = file.metadata().map_err(|e| cannot(shown, &e))?;
    if (now.dev(), now.ino()) != (checked.dev(), checked.ino()) {
        return Err(Error::failed(format!(
            "cannot write {}: it was replaced while being opened",
            shown.display()
        )));
    }
    Ok(file)
}

#[cfg(not(unix))]
fn open_in_place(shown: &Path, at: &Path, _checked: &fs::Metadata) -> Result<fs::File> {
    fs::OpenOptions::new()
        .write(true)
        .open(at)
        .map_err(|e| cannot(shown, &e))
}

/// A file's device and inode, following links (`None` if it does not exist).
#[cfg(unix)]
fn identity(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn identity(_path: &Path) -> Option<(u64, u64)> {
    None
}

/// Write `bytes` to `path` (see [`write_file`]).
pub fn write_bytes(path: &Path, bytes: &[u8]) -> Result<()> {
    write_file(path, |out| {
        out.write_all(bytes)
            .map_err(|e| Error::failed(format!("cannot write {}: {e}", path.display())))?;
        Ok(bytes.len())
    })
    .map(|_| ())
}

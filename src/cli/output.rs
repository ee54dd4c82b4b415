//! The one way a command writes a file for the user (`-o FILE`, `plan
//! export -o`, `export -o`): into a private (0600) temporary file beside
//! the target, renamed over it once complete, so a reader never sees a
//! half-written file. A path that exists and is not a regular file
//! (`/dev/null`, a pipe, a terminal) is written to directly, never
//! replaced; a symbolic link keeps pointing where it did, at the new file.

use crate::error::{Error, Result};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Write a file readable only by its owner: into a private temporary file
/// beside it, renamed over `path` once complete (never a half-written export).
/// A path that exists and is not a regular file (`/dev/null`, a pipe, a
/// terminal) is written to directly, never replaced; a symbolic link keeps
/// pointing where it did, at the new file.
pub fn write_file(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> Result<usize>,
) -> Result<usize> {
    let cannot =
        |e: &dyn std::fmt::Display| Error::failed(format!("cannot write {}: {e}", path.display()));
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file()) {
        let file = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(|e| cannot(&e))?;
        let mut out = BufWriter::with_capacity(1 << 16, file);
        let n = write(&mut out)?;
        out.flush().map_err(|e| cannot(&e))?;
        return Ok(n);
    }
    let linked;
    let path = match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => {
            // The file the link names, even if it does not exist yet.
            let target = std::fs::read_link(path).map_err(|e| cannot(&e))?;
            linked = match path.parent() {
                Some(dir) if target.is_relative() => dir.join(target),
                _ => target,
            };
            linked.as_path()
        }
        _ => path,
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let temp = tempfile::Builder::new()
        .prefix(".yardstick-export")
        .tempfile_in(&dir)
        .map_err(|e| cannot(&e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(temp.path(), std::fs::Permissions::from_mode(0o600))
            .map_err(|e| cannot(&e))?;
    }
    let mut out = BufWriter::with_capacity(1 << 16, temp.as_file());
    let n = write(&mut out)?;
    out.flush().map_err(|e| cannot(&e))?;
    drop(out);
    temp.as_file().sync_all().map_err(|e| cannot(&e))?;
    temp.persist(path).map_err(|e| cannot(&e.error))?;
    Ok(n)
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

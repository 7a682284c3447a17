//! The one way inputs are read: only regular files, and only up to a size bound.
//!
//! A FIFO at an input's name used to hang the tool while it held the folder's lock, and a link to
//! `/dev/zero` made it read until memory ran out. The file is opened without blocking (a FIFO
//! opens at once and is then refused), checked on the open handle (no race with a swap of the
//! name), and read through a limit that also stops a file growing while it is read.

use std::fs::{File, OpenOptions};
use std::io::{self, Read};
use std::path::Path;

/// Bounds far above any real input (the largest corpus deps.json is 1.2 MB; a deps.json of
/// 82,000 packages is 50 MB) and far below what would exhaust memory.
pub const MAX_DEPS_JSON: u64 = 512 << 20;
pub const MAX_SMALL_INPUT: u64 = 64 << 20;

/// Reads `path` when it is a regular file of at most `limit` bytes.
pub fn read_regular(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    let mut file = open_nonblocking(path)?;
    let meta = file.metadata()?;
    if !meta.file_type().is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "it is not a regular file (a folder, FIFO, socket or device); only regular files are read",
        ));
    }
    if meta.len() > limit {
        return Err(too_large(limit));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    (&mut file).take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(too_large(limit));
    }
    Ok(bytes)
}

/// [`read_regular`] as UTF-8 text (the digest cache, the backup journal).
pub fn read_regular_text(path: &Path, limit: u64) -> io::Result<String> {
    String::from_utf8(read_regular(path, limit)?)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

fn too_large(limit: u64) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!(
            "it is larger than {} MiB, more than any such file should be",
            limit >> 20
        ),
    )
}

#[cfg(unix)]
fn open_nonblocking(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    // O_NONBLOCK: opening a FIFO for reading returns at once instead of waiting for a writer.
    #[cfg(any(target_os = "linux", target_os = "android"))]
    const O_NONBLOCK: i32 = 0o4000;
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    const O_NONBLOCK: i32 = 0x4;
    OpenOptions::new()
        .read(true)
        .custom_flags(O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> io::Result<File> {
    OpenOptions::new().read(true).open(path)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn reads_regular_files_only_and_within_the_bound() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a.json");
        std::fs::write(&f, b"{}").unwrap();
        assert_eq!(read_regular(&f, 10).unwrap(), b"{}");
        assert!(read_regular(&f, 1)
            .unwrap_err()
            .to_string()
            .contains("larger than"));
        assert!(read_regular(dir.path(), 10).is_err());
        let dev_zero = dir.path().join("zero.json");
        std::os::unix::fs::symlink("/dev/zero", &dev_zero).unwrap();
        assert!(read_regular(&dev_zero, 10)
            .unwrap_err()
            .to_string()
            .contains("not a regular file"));
    }
}

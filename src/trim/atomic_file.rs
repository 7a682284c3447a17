//! The one way trim-publish replaces a file: write a new file beside it, sync it, rename it over
//! the target, sync the folder. Used for deps.json (trim and restore) and the digest cache.
//!
//! The temporary file is created exclusively (`O_CREAT|O_EXCL`, which also refuses a symbolic
//! link at that name, dangling or not) under an unpredictable name, so nothing planted there in
//! advance is followed, truncated or reused. After the rename, the target is checked to be the
//! very file that was written.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// A fully written, synced file beside its target, not yet in place. Dropped without
/// [`Prepared::commit`], it is removed.
#[derive(Debug)]
pub struct Prepared {
    temp: PathBuf,
    target: PathBuf,
    identity: (u64, u64),
    committed: bool,
}

/// Writes `bytes` to a new file beside `target`, with `target`'s permissions when it exists.
pub fn prepare(target: &Path, bytes: &[u8]) -> io::Result<Prepared> {
    let (mut prepared, mut file) = Prepared::beside(target)?;
    file.write_all(bytes)?;
    // The target's own mode, read without following a link (a link is never a target here).
    if let Ok(meta) = fs::symlink_metadata(target) {
        if meta.file_type().is_file() {
            file.set_permissions(meta.permissions())?;
        }
    }
    file.sync_all()?;
    prepared.identity = identity(&file.metadata()?);
    Ok(prepared)
}

/// Copies `from` to `target` the same way: a new file beside the target, synced, checked to
/// have the source's size, then renamed into place.
pub fn copy(from: &Path, target: &Path) -> io::Result<()> {
    let (mut prepared, mut file) = Prepared::beside(target)?;
    let mut source = File::open(from)?;
    let copied = io::copy(&mut source, &mut file)?;
    let expected = source.metadata()?.len();
    if copied != expected {
        return Err(io::Error::other(format!(
            "copied {copied} of {expected} bytes of {}",
            from.display()
        )));
    }
    file.set_permissions(source.metadata()?.permissions())?;
    file.sync_all()?;
    prepared.identity = identity(&file.metadata()?);
    prepared.commit()
}

/// [`prepare`] and [`Prepared::commit`] in one step.
pub fn write(target: &Path, bytes: &[u8]) -> io::Result<()> {
    prepare(target, bytes)?.commit()
}

impl Prepared {
    /// An empty new file beside `target`, removed again unless committed.
    fn beside(target: &Path) -> io::Result<(Prepared, File)> {
        let (temp, file) = create_beside(target)?;
        let prepared = Prepared {
            temp,
            target: target.to_path_buf(),
            identity: (0, 0),
            committed: false,
        };
        Ok((prepared, file))
    }

    /// Where the new content waits.
    pub fn temp_path(&self) -> &Path {
        &self.temp
    }

    /// Renames the new file over the target and syncs the folder. Fails, leaving the target as
    /// the rename left it, when what is now at the target is not the file that was written.
    pub fn commit(mut self) -> io::Result<()> {
        fs::rename(&self.temp, &self.target)?;
        self.committed = true;
        let now = fs::symlink_metadata(&self.target)?;
        if !now.file_type().is_file() || identity(&now) != self.identity {
            return Err(io::Error::other(format!(
                "{} changed while it was being replaced",
                self.target.display()
            )));
        }
        if let Some(dir) = self.target.parent() {
            // Makes the rename itself durable; a folder that cannot be opened is not an error.
            if let Ok(d) = File::open(if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            }) {
                let _ = d.sync_all();
            }
        }
        Ok(())
    }
}

impl Drop for Prepared {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_file(&self.temp);
        }
    }
}

#[cfg(unix)]
fn identity(meta: &fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
}

#[cfg(not(unix))]
fn identity(meta: &fs::Metadata) -> (u64, u64) {
    (meta.len(), 0)
}

/// A new, empty file in `target`'s folder, named `.{target name}.{random}.tmp`.
fn create_beside(target: &Path) -> io::Result<(PathBuf, File)> {
    let name = crate::formats::text::file_name(target);
    for _ in 0..16 {
        let temp = target.with_file_name(format!(".{name}.{}.tmp", unpredictable()));
        let mut options = fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            // Owner-only until the target's mode is copied onto it.
            options.mode(0o600);
        }
        match options.open(&temp) {
            Ok(file) => return Ok((temp, file)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        format!("no free temporary name beside {}", target.display()),
    ))
}

/// 64 bits no other process can guess in advance: the clock, the process, a counter and an
/// address, mixed by BLAKE3.
fn unpredictable() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut h = blake3::Hasher::new();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    h.update(&now.to_le_bytes());
    h.update(&std::process::id().to_le_bytes());
    h.update(&COUNTER.fetch_add(1, Ordering::Relaxed).to_le_bytes());
    let local = 0u8;
    h.update(&(&local as *const u8 as usize).to_le_bytes());
    h.finalize().to_hex()[..16].to_string()
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn replaces_the_file_and_keeps_its_mode() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("App.deps.json");
        fs::write(&target, "old").unwrap();
        fs::set_permissions(&target, fs::Permissions::from_mode(0o640)).unwrap();
        write(&target, b"new").unwrap();
        assert_eq!(fs::read_to_string(&target).unwrap(), "new");
        assert_eq!(
            fs::metadata(&target).unwrap().permissions().mode() & 0o777,
            0o640
        );
        assert_eq!(
            fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary file left"
        );
    }

    /// Regression (issue 11): a link planted at the temporary name made the rewrite follow it
    /// and overwrite a file outside the folder. Names are now unpredictable and created
    /// exclusively; even a link at every name it could try is never followed.
    #[test]
    fn never_follows_or_reuses_what_sits_beside_the_target() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let victim = outside.path().join("victim");
        fs::write(&victim, "precious").unwrap();
        let target = dir.path().join("App.deps.json");
        fs::write(&target, "old").unwrap();
        // The old fixed name, as a symlink and as a hard link to the victim.
        std::os::unix::fs::symlink(&victim, dir.path().join(".App.deps.json.trim-publish.tmp"))
            .unwrap();
        fs::hard_link(&victim, dir.path().join(".App.deps.json.tmp")).unwrap();
        write(&target, b"new").unwrap();
        assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
        assert!(fs::symlink_metadata(&target).unwrap().file_type().is_file());
        assert_eq!(fs::read_to_string(&target).unwrap(), "new");
    }

    #[test]
    fn an_uncommitted_file_is_removed() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("f");
        let prepared = prepare(&target, b"x").unwrap();
        let temp = prepared.temp_path().to_path_buf();
        assert!(temp.exists());
        drop(prepared);
        assert!(!temp.exists());
        assert!(!target.exists());
    }
}

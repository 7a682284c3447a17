//! One trim at a time per publish folder: an advisory lock (flock) on the folder itself, held
//! from reading the inputs to the last write. A second run waits, then plans against what the
//! first left, so concurrent runs end as one run would. Locking the folder rather than a lock
//! file leaves nothing behind in a deployment.

use std::fs::File;
use std::path::Path;

pub struct FolderLock {
    _file: Option<File>,
}

impl FolderLock {
    /// Takes the lock, calling `waiting` once if another process holds it. File systems without
    /// locks (and platforms that cannot open a folder as a file) run unlocked.
    pub fn acquire(dir: &Path, waiting: impl FnOnce()) -> std::io::Result<FolderLock> {
        let Ok(file) = File::open(dir) else {
            return Ok(FolderLock { _file: None });
        };
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                waiting();
                file.lock()?;
            }
            Err(std::fs::TryLockError::Error(e))
                if matches!(e.kind(), std::io::ErrorKind::Unsupported)
                    || e.raw_os_error() == Some(37) =>
            {
                // ENOLCK / unsupported: no locking here, as with any tool on such a file system.
                return Ok(FolderLock { _file: None });
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(e),
        }
        Ok(FolderLock { _file: Some(file) })
    }
}

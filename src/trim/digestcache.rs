//! A cache of BLAKE3 digests of store files, so repeated runs read only the publish side.
//!
//! Store folders are immutable per package version, but a cache must never cause a wrong
//! verdict, so an entry is used only when the file's device, inode, size, modification time and
//! status-change time all still match (writing to a file, replacing it or touching it changes at
//! least one of them), and every line carries a checksum of its own content: a corrupt or
//! truncated line is ignored, never trusted. The file is rewritten whole, atomically.
//!
//! Format, one entry per line (`digests-v1.tsv`):
//! `dev \t ino \t size \t mtime_ns \t ctime_ns \t digest \t check \t path`, where `check` is the
//! first 16 hex digits of the BLAKE3 of everything before it plus the path.

use std::collections::HashMap;
use std::fs::Metadata;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

const FILE_NAME: &str = "digests-v1.tsv";

/// What must be unchanged for a cached digest to be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileKey {
    pub dev: u64,
    pub ino: u64,
    pub size: u64,
    pub mtime_ns: i128,
    pub ctime_ns: i128,
}

impl FileKey {
    /// The same file on disk (device and inode), whatever names lead to it.
    pub fn same_file(&self, other: &FileKey) -> bool {
        self.dev == other.dev && self.ino == other.ino
    }

    #[cfg(unix)]
    pub fn of(meta: &Metadata) -> FileKey {
        use std::os::unix::fs::MetadataExt;
        FileKey {
            dev: meta.dev(),
            ino: meta.ino(),
            size: meta.len(),
            mtime_ns: i128::from(meta.mtime()) * 1_000_000_000 + i128::from(meta.mtime_nsec()),
            ctime_ns: i128::from(meta.ctime()) * 1_000_000_000 + i128::from(meta.ctime_nsec()),
        }
    }

    #[cfg(not(unix))]
    pub fn of(meta: &Metadata) -> FileKey {
        let ns = |t: std::io::Result<std::time::SystemTime>| {
            t.ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos() as i128)
        };
        FileKey {
            dev: 0,
            ino: 0,
            size: meta.len(),
            mtime_ns: ns(meta.modified()),
            ctime_ns: ns(meta.created()),
        }
    }
}

#[derive(Debug, Default)]
pub struct DigestCache {
    file: Option<PathBuf>,
    entries: HashMap<PathBuf, (FileKey, [u8; 32])>,
    added: Mutex<Vec<(PathBuf, FileKey, [u8; 32])>>,
    /// Lines dropped because their checksum did not match (corruption).
    pub rejected_lines: usize,
}

impl DigestCache {
    /// Loads the cache in `dir` (missing or unreadable: empty).
    pub fn open(dir: &Path) -> DigestCache {
        let file = dir.join(FILE_NAME);
        let mut cache = DigestCache {
            file: Some(file.clone()),
            ..Default::default()
        };
        if let Ok(text) =
            crate::inputs::file::read_regular_text(&file, crate::inputs::file::MAX_DEPS_JSON)
        {
            for line in text.lines() {
                match parse_line(line) {
                    Some((path, key, digest)) => {
                        cache.entries.insert(path, (key, digest));
                    }
                    None => cache.rejected_lines += 1,
                }
            }
        }
        cache
    }

    /// The default folder: `$XDG_CACHE_HOME/trim-publish`, else `~/.cache/trim-publish`.
    pub fn default_dir() -> Option<PathBuf> {
        std::env::var_os("XDG_CACHE_HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
            .map(|d| d.join("trim-publish"))
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The cached digest of `path` if the file is unchanged.
    pub fn get(&self, path: &Path, key: FileKey) -> Option<blake3::Hash> {
        match self.entries.get(path) {
            Some((k, digest)) if *k == key => Some(blake3::Hash::from_bytes(*digest)),
            _ => None,
        }
    }

    /// Records a digest computed in this run (kept in memory until [`save`](Self::save)).
    pub fn put(&self, path: &Path, key: FileKey, digest: blake3::Hash) {
        if let Ok(mut added) = self.added.lock() {
            added.push((path.to_path_buf(), key, *digest.as_bytes()));
        }
    }

    /// Writes the cache with this run's additions, atomically. Nothing to do without additions.
    pub fn save(&self) -> std::io::Result<()> {
        let Some(file) = &self.file else {
            return Ok(());
        };
        let added = self.added.lock().map(|a| a.clone()).unwrap_or_default();
        if added.is_empty() {
            return Ok(());
        }
        let mut entries = self.entries.clone();
        for (path, key, digest) in added {
            entries.insert(path, (key, digest));
        }
        let dir = file.parent().expect("the cache file is inside a folder");
        std::fs::create_dir_all(dir)?;
        let mut text = String::new();
        for (path, (key, digest)) in &entries {
            if let Some(line) = format_line(path, *key, digest) {
                text.push_str(&line);
                text.push('\n');
            }
        }
        crate::trim::atomic_file::write(file, text.as_bytes())
    }
}

fn check(fields: &str, path: &str) -> String {
    let mut h = blake3::Hasher::new();
    h.update(fields.as_bytes());
    h.update(b"\t");
    h.update(path.as_bytes());
    h.finalize().to_hex()[..16].to_string()
}

fn format_line(path: &Path, key: FileKey, digest: &[u8; 32]) -> Option<String> {
    let path = path.to_str().filter(|p| !p.contains(['\n', '\r', '\t']))?;
    let fields = format!(
        "{}\t{}\t{}\t{}\t{}\t{}",
        key.dev,
        key.ino,
        key.size,
        key.mtime_ns,
        key.ctime_ns,
        blake3::Hash::from_bytes(*digest).to_hex()
    );
    Some(format!("{fields}\t{}\t{path}", check(&fields, path)))
}

fn parse_line(line: &str) -> Option<(PathBuf, FileKey, [u8; 32])> {
    let mut parts = line.splitn(8, '\t');
    let fields: Vec<&str> = (0..6).map(|_| parts.next()).collect::<Option<_>>()?;
    let checksum = parts.next()?;
    let path = parts.next()?;
    let joined = fields.join("\t");
    if check(&joined, path) != checksum {
        return None;
    }
    let key = FileKey {
        dev: fields[0].parse().ok()?,
        ino: fields[1].parse().ok()?,
        size: fields[2].parse().ok()?,
        mtime_ns: fields[3].parse().ok()?,
        ctime_ns: fields[4].parse().ok()?,
    };
    let digest = blake3::Hash::from_hex(fields[5]).ok()?;
    Some((PathBuf::from(path), key, *digest.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(size: u64) -> FileKey {
        FileKey {
            dev: 1,
            ino: 2,
            size,
            mtime_ns: 3,
            ctime_ns: 4,
        }
    }

    #[test]
    fn round_trip_and_key_changes_miss() {
        let dir = tempfile::tempdir().unwrap();
        let cache = DigestCache::open(dir.path());
        assert!(cache.is_empty());
        let h = blake3::hash(b"x");
        cache.put(Path::new("/s/a.dll"), key(10), h);
        cache.save().unwrap();
        let cache = DigestCache::open(dir.path());
        assert_eq!(cache.len(), 1);
        assert_eq!(cache.get(Path::new("/s/a.dll"), key(10)), Some(h));
        assert_eq!(cache.get(Path::new("/s/a.dll"), key(11)), None);
        let touched = FileKey {
            ctime_ns: 5,
            ..key(10)
        };
        assert_eq!(cache.get(Path::new("/s/a.dll"), touched), None);
        assert_eq!(cache.get(Path::new("/s/b.dll"), key(10)), None);
    }

    #[test]
    fn corrupt_lines_are_dropped_not_trusted() {
        let dir = tempfile::tempdir().unwrap();
        let cache = DigestCache::open(dir.path());
        cache.put(Path::new("/s/a.dll"), key(10), blake3::hash(b"a"));
        cache.put(Path::new("/s/b.dll"), key(10), blake3::hash(b"b"));
        cache.save().unwrap();
        let file = dir.path().join(FILE_NAME);
        let text = std::fs::read_to_string(&file).unwrap();
        // Flip one digit of one digest, keep the other line, add garbage and a truncated line.
        let mut lines: Vec<String> = text.lines().map(String::from).collect();
        let digest_field = lines[0].split('\t').nth(5).unwrap().to_string();
        let mut flipped = digest_field.clone();
        let first = if flipped.starts_with('0') { "1" } else { "0" };
        flipped.replace_range(0..1, first);
        lines[0] = lines[0].replace(&digest_field, &flipped);
        lines.push("garbage".into());
        lines.push(lines[1][..20].to_string());
        std::fs::write(&file, lines.join("\n")).unwrap();
        let cache = DigestCache::open(dir.path());
        assert_eq!(cache.len(), 1);
        assert_eq!(cache.rejected_lines, 3);
    }
}

//! A cache of BLAKE3 digests of store files, so repeated runs read only the publish side.
//!
//! Store folders are immutable per package version, but a cache must never cause a wrong
//! verdict:
//! - an entry is used only when the file's device, inode, size, modification time and
//!   status-change time all still match (writing to a file, replacing it or touching it changes
//!   at least one of them);
//! - and only when those timestamps are at least a second older than the moment the entry was
//!   recorded (the start of the run that hashed it, before any file was looked at). On a file
//!   system with one-second timestamps, a file rewritten within the second it was hashed keeps
//!   its timestamps; git calls such index entries racily clean and re-checks them. Such an entry
//!   is hashed again, and trusted once a later run records it;
//! - every line carries a keyed BLAKE3 MAC of its content, under a secret key kept beside the
//!   cache (`key`, 32 random bytes, mode 0600): a corrupt, truncated or forged line is ignored,
//!   never trusted.
//!
//! The file is rewritten whole, atomically. Format, one entry per line (`digests-v2.tsv`):
//! `dev \t ino \t size \t mtime_ns \t ctime_ns \t recorded_ns \t digest \t mac \t path`.

use std::collections::HashMap;
use std::fs::Metadata;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

const FILE_NAME: &str = "digests-v2.tsv";
const KEY_FILE: &str = "key";
/// How much older than the recording a file's timestamps must be for its entry to be trusted:
/// the coarsest timestamp granularity of common file systems.
const RACY_MARGIN_NS: i128 = 1_000_000_000;

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
    /// Signs and checks every line; a fresh random one when the key file cannot be read.
    key: [u8; 32],
    /// When this run started, before any file was looked at: the recording time of its entries.
    recorded_ns: i128,
    entries: HashMap<PathBuf, Entry>,
    added: Mutex<Vec<(PathBuf, FileKey, [u8; 32])>>,
    /// Lines dropped because their MAC did not match (corruption, truncation, forgery).
    pub rejected_lines: usize,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    key: FileKey,
    digest: [u8; 32],
    recorded_ns: i128,
}

impl DigestCache {
    /// Loads the cache in `dir` (missing or unreadable: empty).
    pub fn open(dir: &Path) -> DigestCache {
        DigestCache::open_at(dir, std::time::SystemTime::now())
    }

    /// [`open`](Self::open), with the entries of this run recorded at `now` (tests simulate
    /// later runs with it).
    pub fn open_at(dir: &Path, now: std::time::SystemTime) -> DigestCache {
        let file = dir.join(FILE_NAME);
        let mut cache = DigestCache {
            file: Some(file.clone()),
            key: load_or_create_key(dir),
            recorded_ns: unix_ns(now),
            ..Default::default()
        };
        if let Ok(text) =
            crate::inputs::file::read_regular_text(&file, crate::inputs::file::MAX_DEPS_JSON)
        {
            for line in text.lines() {
                match parse_line(&cache.key, line) {
                    Some((path, entry)) => {
                        cache.entries.insert(path, entry);
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

    /// The cached digest of `path` if the file is unchanged and was not racily recorded.
    pub fn get(&self, path: &Path, key: FileKey) -> Option<blake3::Hash> {
        let entry = self.entries.get(path)?;
        let newest = key.mtime_ns.max(key.ctime_ns);
        (entry.key == key && newest + RACY_MARGIN_NS < entry.recorded_ns)
            .then(|| blake3::Hash::from_bytes(entry.digest))
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
            let recorded_ns = self.recorded_ns;
            entries.insert(
                path,
                Entry {
                    key,
                    digest,
                    recorded_ns,
                },
            );
        }
        let dir = file.parent().expect("the cache file is inside a folder");
        std::fs::create_dir_all(dir)?;
        let mut text = String::new();
        for (path, entry) in &entries {
            if let Some(line) = format_line(&self.key, path, entry) {
                text.push_str(&line);
                text.push('\n');
            }
        }
        crate::trim::atomic_file::write(file, text.as_bytes())
    }
}

fn unix_ns(t: std::time::SystemTime) -> i128 {
    t.duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as i128)
}

/// The cache's secret key: read from `dir/key`, else created there (exclusively, owner-only),
/// else a key for this run only (its lines will not verify next time: no trust is lost).
fn load_or_create_key(dir: &Path) -> [u8; 32] {
    let path = dir.join(KEY_FILE);
    let read = || -> Option<[u8; 32]> {
        crate::inputs::file::read_regular(&path, 64)
            .ok()?
            .try_into()
            .ok()
    };
    if let Some(key) = read() {
        return key;
    }
    let key = random_key();
    let created = std::fs::create_dir_all(dir).and_then(|()| {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut f = options.open(&path)?;
        std::io::Write::write_all(&mut f, &key)?;
        f.sync_all()
    });
    match created {
        Ok(()) => key,
        // Another run created it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => read().unwrap_or(key),
        Err(_) => key,
    }
}

fn random_key() -> [u8; 32] {
    let mut key = [0u8; 32];
    #[cfg(unix)]
    if std::fs::File::open("/dev/urandom")
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut key))
        .is_ok()
    {
        return key;
    }
    // Without /dev/urandom: the clock, the process and an address, mixed.
    let mut h = blake3::Hasher::new();
    h.update(&unix_ns(std::time::SystemTime::now()).to_le_bytes());
    h.update(&std::process::id().to_le_bytes());
    h.update(&(&key as *const _ as usize).to_le_bytes());
    *h.finalize().as_bytes()
}

fn mac(key: &[u8; 32], fields: &str, path: &str) -> String {
    let mut h = blake3::Hasher::new_keyed(key);
    h.update(fields.as_bytes());
    h.update(b"\t");
    h.update(path.as_bytes());
    h.finalize().to_hex()[..32].to_string()
}

fn format_line(secret: &[u8; 32], path: &Path, entry: &Entry) -> Option<String> {
    let path = path.to_str().filter(|p| !p.contains(['\n', '\r', '\t']))?;
    let k = entry.key;
    let fields = format!(
        "{}\t{}\t{}\t{}\t{}\t{}\t{}",
        k.dev,
        k.ino,
        k.size,
        k.mtime_ns,
        k.ctime_ns,
        entry.recorded_ns,
        blake3::Hash::from_bytes(entry.digest).to_hex()
    );
    Some(format!("{fields}\t{}\t{path}", mac(secret, &fields, path)))
}

fn parse_line(secret: &[u8; 32], line: &str) -> Option<(PathBuf, Entry)> {
    let mut parts = line.splitn(9, '\t');
    let fields: Vec<&str> = (0..7).map(|_| parts.next()).collect::<Option<_>>()?;
    let line_mac = parts.next()?;
    let path = parts.next()?;
    if mac(secret, &fields.join("\t"), path) != line_mac {
        return None;
    }
    let key = FileKey {
        dev: fields[0].parse().ok()?,
        ino: fields[1].parse().ok()?,
        size: fields[2].parse().ok()?,
        mtime_ns: fields[3].parse().ok()?,
        ctime_ns: fields[4].parse().ok()?,
    };
    let recorded_ns = fields[5].parse().ok()?;
    let digest = *blake3::Hash::from_hex(fields[6]).ok()?.as_bytes();
    Some((
        PathBuf::from(path),
        Entry {
            key,
            digest,
            recorded_ns,
        },
    ))
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
        let digest_field = lines[0].split('\t').nth(6).unwrap().to_string();
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

    /// Regression (issue 11): an entry recorded within the same second as the file's timestamps
    /// was trusted; on a file system with one-second timestamps the file can be rewritten in that
    /// second without changing them, and a real trim then deleted a publish file whose store copy
    /// differed. Such an entry is hashed again; a later run records it, and then it is trusted.
    #[test]
    fn racily_recorded_entries_are_not_trusted() {
        let dir = tempfile::tempdir().unwrap();
        let second = 1_700_000_000 * 1_000_000_000i128;
        let fresh = FileKey {
            dev: 1,
            ino: 2,
            size: 10,
            mtime_ns: second,
            ctime_ns: second,
        };
        let at = |ns: i128| std::time::UNIX_EPOCH + std::time::Duration::from_nanos(ns as u64);
        let h = blake3::hash(b"x");
        // Recorded 0.5 s after the file's timestamps: racy.
        let cache = DigestCache::open_at(dir.path(), at(second + 500_000_000));
        cache.put(Path::new("/s/a.dll"), fresh, h);
        cache.save().unwrap();
        let later = DigestCache::open_at(dir.path(), at(second + 60_000_000_000));
        assert_eq!(later.get(Path::new("/s/a.dll"), fresh), None);
        // The later run hashes it again and records it: now it is trusted.
        later.put(Path::new("/s/a.dll"), fresh, h);
        later.save().unwrap();
        let again = DigestCache::open(dir.path());
        assert_eq!(again.get(Path::new("/s/a.dll"), fresh), Some(h));
    }

    /// Regression (issue 11): a line with a recomputed public checksum passed as valid. Lines
    /// carry a MAC under a key only the cache's owner can read.
    #[test]
    fn forged_lines_are_not_trusted() {
        let dir = tempfile::tempdir().unwrap();
        let cache = DigestCache::open(dir.path());
        cache.put(Path::new("/s/a.dll"), key(10), blake3::hash(b"a"));
        cache.save().unwrap();
        // A forger who knows the format but not the key writes a line for /s/b.dll.
        let forged_key = [7u8; 32];
        let entry = Entry {
            key: key(10),
            digest: *blake3::hash(b"evil").as_bytes(),
            recorded_ns: i128::MAX / 2,
        };
        let forged = format_line(&forged_key, Path::new("/s/b.dll"), &entry).unwrap();
        let file = dir.path().join(FILE_NAME);
        let mut text = std::fs::read_to_string(&file).unwrap();
        text.push_str(&forged);
        text.push('\n');
        std::fs::write(&file, text).unwrap();
        let cache = DigestCache::open(dir.path());
        assert_eq!(cache.get(Path::new("/s/b.dll"), key(10)), None);
        assert_eq!(cache.rejected_lines, 1);
        assert!(cache.get(Path::new("/s/a.dll"), key(10)).is_some());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "the key is the owner's alone");
        }
    }
}

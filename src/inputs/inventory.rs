//! What is in the publish folder: every entry's relative path, kind and size, read once by a
//! walk that never follows symbolic links. The planner works on this snapshot, so it stays pure.

use std::collections::HashMap;
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    File,
    Dir,
    Symlink,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    pub kind: EntryKind,
    pub size: u64,
    /// For files found by [`Inventory::scan`]: which file it was, to tell later whether the same
    /// file is still there.
    pub stamp: Option<FileStamp>,
}

/// Which file a name led to, and its size and modification time, as `lstat` reports them.
/// Writing to a file, or putting another one in its place, changes at least one field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileStamp {
    pub dev: u64,
    pub ino: u64,
    pub size: u64,
    pub mtime_ns: i128,
}

impl FileStamp {
    #[cfg(unix)]
    pub fn of(meta: &std::fs::Metadata) -> FileStamp {
        use std::os::unix::fs::MetadataExt;
        FileStamp {
            dev: meta.dev(),
            ino: meta.ino(),
            size: meta.len(),
            mtime_ns: i128::from(meta.mtime()) * 1_000_000_000 + i128::from(meta.mtime_nsec()),
        }
    }

    #[cfg(not(unix))]
    pub fn of(meta: &std::fs::Metadata) -> FileStamp {
        let mtime_ns = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos() as i128);
        FileStamp {
            dev: 0,
            ino: 0,
            size: meta.len(),
            mtime_ns,
        }
    }
}

/// Relative paths use `/` and never start with it; the folder itself is not an entry.
#[derive(Debug, Clone, Default)]
pub struct Inventory {
    entries: HashMap<String, Entry>,
    /// Bytes in regular files.
    pub total_bytes: u64,
    pub file_count: usize,
}

impl Inventory {
    pub fn entries(&self) -> impl Iterator<Item = (&str, &Entry)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v))
    }

    pub fn get(&self, relative: &str) -> Option<Entry> {
        self.entries.get(relative).copied()
    }

    pub fn insert(&mut self, relative: impl Into<String>, entry: Entry) {
        if entry.kind == EntryKind::File {
            self.total_bytes += entry.size;
            self.file_count += 1;
        }
        self.entries.insert(relative.into(), entry);
    }

    /// Builds an inventory from `(path, size)` files; parent folders are added as directories.
    pub fn from_files<'a>(files: impl IntoIterator<Item = (&'a str, u64)>) -> Self {
        let mut inv = Inventory::default();
        for (path, size) in files {
            let mut dir = path;
            while let Some((parent, _)) = dir.rsplit_once('/') {
                inv.entries.entry(parent.to_string()).or_insert(Entry {
                    kind: EntryKind::Dir,
                    size: 0,
                    stamp: None,
                });
                dir = parent;
            }
            inv.insert(
                path,
                Entry {
                    kind: EntryKind::File,
                    size,
                    stamp: None,
                },
            );
        }
        inv
    }

    /// Walks `root` without following links. Errors name the entry that could not be read.
    pub fn scan(root: &Path) -> Result<Inventory, walkdir::Error> {
        let mut inv = Inventory::default();
        for entry in walkdir::WalkDir::new(root).follow_links(false).min_depth(1) {
            let entry = entry?;
            let relative = entry
                .path()
                .strip_prefix(root)
                .expect("walkdir yields paths under its root");
            // A name that is not UTF-8 can never be named by deps.json (UTF-8 text); a lossy
            // copy of it could match an asset path and be "removed" forever without effect. Its
            // bytes still count in the folder's totals.
            let parts: Option<Vec<&str>> = relative
                .components()
                .map(|c| c.as_os_str().to_str())
                .collect();
            let Some(parts) = parts else {
                if entry.file_type().is_file() {
                    inv.total_bytes += entry.metadata()?.len();
                    inv.file_count += 1;
                }
                continue;
            };
            let relative = parts.join("/");
            let ft = entry.file_type();
            let kind = if ft.is_symlink() {
                EntryKind::Symlink
            } else if ft.is_dir() {
                EntryKind::Dir
            } else if ft.is_file() {
                EntryKind::File
            } else {
                EntryKind::Other
            };
            let (size, stamp) = if kind == EntryKind::File {
                let meta = entry.metadata()?;
                (meta.len(), Some(FileStamp::of(&meta)))
            } else {
                (0, None)
            };
            inv.insert(relative, Entry { kind, size, stamp });
        }
        Ok(inv)
    }
}

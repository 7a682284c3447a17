//! The store check of `trim --store` (not the `verify` command, which is `crate::verify`): the
//! parallel I/O stage that, for each file about to be removed, find the copy the host would load
//! from a store and prove it is the same assembly. Sizes first (a stat), then BLAKE3 of both
//! copies when the sizes agree, and only when the bytes differ the ECMA-335 identity of both
//! (a ReadyToRun store copy keeps the identity of the IL it was compiled from). Files are read
//! only when they are candidates, each once.

use std::cell::RefCell;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::diagnostic::Diagnostic;
use crate::formats::manifest::ManifestUnion;
use crate::formats::metadata::{read_identity, AssemblyIdentity};
use crate::host::store::Store;
pub use crate::report::Match;
use crate::trim::digestcache::{DigestCache, FileKey};
use crate::trim::plan::{FileAction, RemovalPlan};

/// One file to verify: the publish copy and where the host would look for it, in probe order.
#[derive(Debug, Clone)]
pub struct Check {
    pub app_path: PathBuf,
    pub store_candidates: Vec<PathBuf>,
    /// The publish copy is already gone (an earlier trim, or the SDK): the store alone must
    /// serve it, and there is nothing to compare it with.
    pub already_absent: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Served {
        store_path: PathBuf,
        size: u64,
        digest: String,
        how: Match,
    },
    /// No store holds the file.
    Missing,
    /// A store holds a different file: the host would load it instead.
    Differs {
        store_path: PathBuf,
        size: u64,
        digest: String,
        reason: String,
    },
    /// A file could not be read.
    Unreadable { path: PathBuf, error: String },
}

const BUFFER: usize = 256 * 1024;

thread_local! {
    static BUF: RefCell<Vec<u8>> = RefCell::new(vec![0; BUFFER]);
    static BUFS: RefCell<(Vec<u8>, Vec<u8>)> = RefCell::new((vec![0; BUFFER], vec![0; BUFFER]));
}

/// How the parallel stage runs: its thread pool, the store digest cache, a progress bar.
#[derive(Default)]
pub struct Stage<'a> {
    /// `--jobs`; rayon's global pool (one thread per core) when absent.
    pub pool: Option<&'a rayon::ThreadPool>,
    pub cache: Option<&'a DigestCache>,
    /// Told of the bytes read, as they are read.
    pub observer: Option<&'a dyn crate::trim::Observer>,
}

/// Verifies every check in parallel. The result is in the order of `checks`.
pub fn verify(checks: &[Check], stage: &Stage<'_>) -> Vec<Verdict> {
    let run = || {
        checks
            .par_iter()
            // One file per task: rayon would otherwise keep a run of large files on one thread.
            .with_max_len(1)
            .map(|c| verify_one(c, stage))
            .collect()
    };
    match stage.pool {
        Some(p) => p.install(run),
        None => run(),
    }
}

/// Whether two files of equal size hold the same bytes, and the BLAKE3 of the publish copy.
///
/// With a cached digest of the store copy only the publish copy is read. Otherwise both are read
/// side by side and compared chunk by chunk while the publish copy is hashed: a byte comparison
/// proves identity for half the hashing work, and equal bytes have equal digests, so the store
/// copy's digest is cached all the same.
fn same_bytes(
    app: &Path,
    store: &Path,
    store_key: FileKey,
    stage: &Stage<'_>,
) -> Result<(blake3::Hash, bool), (PathBuf, std::io::Error)> {
    // Cache entries are keyed by the absolute path as probed; device and inode in the key make a
    // path that now leads to another file miss.
    let cached = stage.cache.map(|cache| {
        (
            cache,
            std::path::absolute(store).unwrap_or_else(|_| store.to_path_buf()),
        )
    });
    if let Some((cache, path)) = &cached {
        if let Some(store_digest) = cache.get(path, store_key) {
            let digest = hash_file(app, stage.observer).map_err(|e| (app.to_path_buf(), e))?;
            return Ok((digest, digest == store_digest));
        }
    }
    let (digest, equal) = hash_and_compare(app, store, stage.observer)?;
    if let Some((cache, path)) = cached {
        // Only what was proven equal, and did not change while it was read, is cached.
        let unchanged = std::fs::metadata(&path).is_ok_and(|m| FileKey::of(&m) == store_key);
        if equal && unchanged {
            cache.put(&path, store_key, digest);
        }
    }
    Ok((digest, equal))
}

/// Hashes `app` while comparing it with `store`; stops comparing at the first difference.
fn hash_and_compare(
    app: &Path,
    store: &Path,
    progress: Option<&dyn crate::trim::Observer>,
) -> Result<(blake3::Hash, bool), (PathBuf, std::io::Error)> {
    let mut a = File::open(app).map_err(|e| (app.to_path_buf(), e))?;
    let mut b = File::open(store).map_err(|e| (store.to_path_buf(), e))?;
    let mut hasher = blake3::Hasher::new();
    let mut equal = true;
    BUFS.with(|bufs| {
        let (buf_a, buf_b) = &mut *bufs.borrow_mut();
        loop {
            let n = read_full(&mut a, buf_a).map_err(|e| (app.to_path_buf(), e))?;
            hasher.update(&buf_a[..n]);
            if equal {
                let m = read_full(&mut b, &mut buf_b[..n.max(1)])
                    .map_err(|e| (store.to_path_buf(), e))?;
                equal = m == n && buf_a[..n] == buf_b[..n];
                if let Some(p) = progress {
                    p.hashed(m as u64);
                }
            }
            if let Some(p) = progress {
                p.hashed(n as u64);
            }
            if n == 0 {
                return Ok(());
            }
        }
    })?;
    Ok((hasher.finalize(), equal))
}

/// Fills `buf` unless the file ends first; returns the bytes read.
fn read_full(file: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

fn verify_one(check: &Check, stage: &Stage<'_>) -> Verdict {
    let unreadable = |path: &Path, e: std::io::Error| Verdict::Unreadable {
        path: path.to_path_buf(),
        error: e.to_string(),
    };
    // The host takes the first store that has the file.
    let first_in_store = check.store_candidates.iter().find_map(|p| {
        std::fs::metadata(p)
            .ok()
            .filter(|m| m.is_file())
            .map(|m| (p.clone(), m))
    });
    if check.already_absent {
        return match first_in_store {
            Some((store_path, meta)) => Verdict::Served {
                store_path,
                size: meta.len(),
                digest: String::new(),
                how: Match::InStore,
            },
            None => Verdict::Missing,
        };
    }
    let app_meta = match std::fs::metadata(&check.app_path) {
        Ok(m) => m,
        Err(e) => return unreadable(&check.app_path, e),
    };
    let app_size = app_meta.len();
    let Some((store_path, store_meta)) = first_in_store else {
        return Verdict::Missing;
    };
    // A store entry that is a link (symbolic or hard) to the publish copy is not a second copy:
    // removing the publish file would remove the only one.
    if FileKey::of(&store_meta).same_file(&FileKey::of(&app_meta)) {
        return Verdict::Differs {
            store_path,
            size: app_size,
            digest: String::new(),
            reason: "the store's entry is the publish file itself (a link to it), not a copy; removing it would remove the only copy".to_string(),
        };
    }
    if app_size == store_meta.len() {
        match same_bytes(
            &check.app_path,
            &store_path,
            FileKey::of(&store_meta),
            stage,
        ) {
            Ok((app_digest, true)) => {
                return Verdict::Served {
                    store_path,
                    size: app_size,
                    digest: app_digest.to_hex().to_string(),
                    how: Match::Identical,
                };
            }
            Ok((_, false)) => {}
            Err((path, e)) => return unreadable(&path, e),
        }
    }
    // Different bytes: the same assembly only if both are assemblies with the same identity.
    let app_bytes = match std::fs::read(&check.app_path) {
        Ok(b) => b,
        Err(e) => return unreadable(&check.app_path, e),
    };
    let digest = blake3::hash(&app_bytes).to_hex().to_string();
    let store_bytes = match std::fs::read(&store_path) {
        Ok(b) => b,
        Err(e) => return unreadable(&store_path, e),
    };
    match compare_identities(&app_bytes, &store_bytes) {
        Ok(()) => Verdict::Served {
            store_path,
            size: app_size,
            digest,
            how: Match::SameAssembly,
        },
        Err(reason) => Verdict::Differs {
            store_path,
            size: app_size,
            digest,
            reason: format!(
                "{reason} (publish copy {app_size} bytes, store copy {} bytes)",
                store_bytes.len()
            ),
        },
    }
}

fn compare_identities(app: &[u8], store: &[u8]) -> Result<(), String> {
    let identity = |bytes: &[u8], which: &str| -> Result<AssemblyIdentity, String> {
        read_identity(bytes).map_err(|e| {
            format!("the bytes differ and the {which} copy is not a .NET assembly ({e})")
        })
    };
    let a = identity(app, "publish")?;
    let s = identity(store, "store")?;
    match a.difference(&s) {
        None => Ok(()),
        Some(d) => Err(format!("a different assembly: {d}")),
    }
}

/// BLAKE3 of a file, read through a reused per-thread buffer (plain `read()` beat mmap here).
pub fn hash_file(
    path: &Path,
    progress: Option<&dyn crate::trim::Observer>,
) -> std::io::Result<blake3::Hash> {
    let mut file = File::open(path)?;
    let mut hasher = blake3::Hasher::new();
    BUF.with(|buf| -> std::io::Result<()> {
        let mut buf = buf.borrow_mut();
        loop {
            let n = file.read(&mut buf)?;
            if n == 0 {
                return Ok(());
            }
            hasher.update(&buf[..n]);
            if let Some(p) = progress {
                p.hashed(n as u64);
            }
        }
    })?;
    Ok(hasher.finalize())
}

/// The verdict for each file the plan removes, keyed by its path in the publish folder, and the
/// errors that block the trim.
#[derive(Debug, Default)]
pub struct StoreVerification {
    /// Keyed by (library key, path in the publish folder).
    pub verdicts: std::collections::HashMap<(String, String), Verdict>,
    pub errors: Vec<Diagnostic>,
}

/// Checks every file `plan` would remove (refs/ copies aside: the host never loads those from a
/// store) against `stores`, in the host's probe order.
pub fn verify_plan(
    publish_dir: &Path,
    plan: &RemovalPlan,
    union: &ManifestUnion,
    stores: &[Store],
    stage: &Stage<'_>,
) -> StoreVerification {
    let mut owners = Vec::new();
    let mut checks = Vec::new();
    // Every package that owns a path is checked: two packages listing one file name each need
    // their own store copy, at their own package path.
    for package in &plan.packages {
        for file in &package.files {
            let already_absent = match file.action {
                FileAction::Remove => false,
                // The trim relies on the store for these too, whoever removed them.
                FileAction::Absent => true,
                FileAction::Keep(_) => continue,
            };
            let relative =
                crate::host::store::store_relative_path(&package.package_dir, &file.asset);
            checks.push(Check {
                app_path: publish_dir.join(&file.path),
                store_candidates: stores.iter().map(|s| s.probe_dir.join(&relative)).collect(),
                already_absent,
            });
            owners.push((package, file));
        }
    }
    let verdicts = verify(&checks, stage);
    let mut result = StoreVerification::default();
    let searched = || {
        stores
            .iter()
            .map(|s| s.probe_dir.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    for ((package, file), verdict) in owners.into_iter().zip(verdicts) {
        let entry = union
            .get(&package.identity)
            .expect("trimmed packages come from the union");
        let manifests: Vec<String> = union
            .manifest_paths(entry)
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        let first_manifest = union.manifest_paths(entry)[0].to_path_buf();
        let (list, promise) = if manifests.len() == 1 {
            ("lists", "promises")
        } else {
            ("list", "promise")
        };
        let who = format!(
            "package {} {}: `{}`",
            package.identity.id, package.identity.version, file.asset
        );
        let error = match &verdict {
            Verdict::Served { .. } => None,
            Verdict::Missing => Some(Diagnostic::error(
                crate::diagnostic::codes::NOT_IN_STORE,
                format!(
                    "{who} is in none of the stores (searched {}), yet {} {list} the package; the app would fail to start. Nothing was removed: install the package in the store, or trim against a manifest that matches it",
                    if stores.is_empty() { "none".to_string() } else { searched() },
                    manifests.join(", ")
                ),
            )),
            Verdict::Differs { store_path, reason, .. } => Some(Diagnostic::error(
                crate::diagnostic::codes::STORE_COPY_DIFFERS,
                format!(
                    "{who}: the store's copy {} is not the file the app was published with: {reason}. The host would load the store's copy; {} {promise} the same package. Nothing was removed",
                    store_path.display(),
                    manifests.join(", ")
                ),
            )),
            Verdict::Unreadable { path, error } => Some(Diagnostic::error(
                crate::diagnostic::codes::UNREADABLE_DURING_CHECK,
                format!("{who}: cannot read {}: {error}. Nothing was removed", path.display()),
            )),
        };
        if let Some(e) = error {
            result.errors.push(e.in_file(&first_manifest));
        }
        result
            .verdicts
            .insert((package.library_key.clone(), file.path.clone()), verdict);
    }
    result
}

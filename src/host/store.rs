//! Runtime package store layout: which directories the host probes and where in them it looks
//! for an asset (dotnet/runtime hostpolicy, facts section 4). Pure except for the `is_dir`
//! callbacks the caller passes and [`StoreSelection::resolve`], which stats and reads the
//! environment.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use crate::formats::deps::Library;

/// Where a store directory came from, in the host's probe order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StoreOrigin {
    /// `--store`.
    Option,
    /// An entry of `DOTNET_SHARED_STORE`.
    SharedStoreEnv,
    /// `{dotnet root}/store`, probed when the app starts as `dotnet app.dll`.
    DotnetRoot,
}

/// One store directory, resolved to the `{arch}/{tfm}` level the host probes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Store {
    /// As given.
    pub given: PathBuf,
    /// The directory that holds `{id}/{version}/` folders.
    pub probe_dir: PathBuf,
    pub origin: StoreOrigin,
}

/// Resolves a `--store` value. Like a `DOTNET_SHARED_STORE` entry it is a store root to which
/// `{arch}/{tfm}` is appended; a directory that already is that level (as
/// `--additionalprobingpath` takes it) is recognised by its last two components or by not having
/// `{arch}/{tfm}` below it while its own name is `tfm`.
pub fn resolve_store(
    given: &Path,
    arch: &str,
    tfm: &str,
    origin: StoreOrigin,
    is_dir: &dyn Fn(&Path) -> bool,
) -> Store {
    let appended = given.join(arch).join(tfm);
    let ends_with_level = given.file_name() == Some(OsStr::new(tfm))
        && given.parent().and_then(Path::file_name) == Some(OsStr::new(arch));
    let probe_dir = if origin == StoreOrigin::Option && !is_dir(&appended) && ends_with_level {
        given.to_path_buf()
    } else {
        appended
    };
    Store {
        given: given.to_path_buf(),
        probe_dir,
        origin,
    }
}

/// The stores the host would probe from its environment, in its order: each
/// `DOTNET_SHARED_STORE` entry (`:`-separated on Unix, `;` on Windows), then
/// `{dotnet root}/store`. Relative entries resolve against `cwd`, as the host does.
pub fn stores_from_env(
    shared_store: Option<&OsStr>,
    dotnet_root: Option<&Path>,
    cwd: &Path,
    arch: &str,
    tfm: &str,
) -> Vec<Store> {
    let mut stores = Vec::new();
    if let Some(value) = shared_store {
        let separator = if cfg!(windows) { ';' } else { ':' };
        for entry in value.to_string_lossy().split(separator) {
            let entry = entry.trim();
            if entry.is_empty() {
                continue;
            }
            let given = cwd.join(entry);
            stores.push(Store {
                probe_dir: given.join(arch).join(tfm),
                given,
                origin: StoreOrigin::SharedStoreEnv,
            });
        }
    }
    if let Some(root) = dotnet_root {
        let given = root.join("store");
        stores.push(Store {
            probe_dir: given.join(arch).join(tfm),
            given,
            origin: StoreOrigin::DotnetRoot,
        });
    }
    stores
}

/// The directory of the `dotnet` muxer on `PATH`, links resolved, as the host computes its root.
pub fn dotnet_root_from_path(path_var: Option<&OsStr>) -> Option<PathBuf> {
    let exe = if cfg!(windows) {
        "dotnet.exe"
    } else {
        "dotnet"
    };
    std::env::split_paths(path_var?)
        .map(|dir| dir.join(exe))
        .find(|p| p.is_file())
        .and_then(|p| std::fs::canonicalize(p).ok())
        .and_then(|p| p.parent().map(Path::to_path_buf))
}

/// The host's architecture name for a RID such as `linux-x64`, `win7-x86`, `linux-musl-arm64`,
/// `osx.10.12-x64`.
pub fn arch_from_rid(rid: &str) -> Option<&'static str> {
    let last = rid.rsplit('-').next()?;
    match last {
        "x64" => Some("x64"),
        "x86" => Some("x86"),
        "arm64" => Some("arm64"),
        "arm" => Some("arm"),
        _ => None,
    }
}

/// The architecture of this machine in the host's terms.
pub fn machine_arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "x64",
        "x86" => "x86",
        "aarch64" => "arm64",
        "arm" => "arm",
        other => other,
    }
}

/// `{libraries[].path}/{asset path}`: where an asset lives below a store's `{arch}/{tfm}`.
/// Without `path` the host uses `{Name}/{Version}` exactly as written (case-sensitively).
pub fn package_dir(library: &Library) -> String {
    library
        .path
        .clone()
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| format!("{}/{}", library.name, library.version_text))
}

pub fn store_relative_path(package_dir: &str, asset_path: &str) -> String {
    format!("{}/{}", package_dir.trim_end_matches('/'), asset_path)
}

/// Which runtime package stores the host would probe for an app: `--store` folders first, then,
/// with `--store-from-env`, the ones its environment names. Shared by trim and verify.
#[derive(Debug, Clone, Default)]
pub struct StoreSelection {
    /// `--store`: store roots (or `{arch}/{tfm}` folders), probed first, in order.
    pub dirs: Vec<PathBuf>,
    /// `--store-from-env`: also `DOTNET_SHARED_STORE` and `{dotnet root}/store`, as the host.
    pub from_env: bool,
    /// `--arch`; else the deps.json RID, else this machine.
    pub arch: Option<String>,
}

impl StoreSelection {
    pub fn is_enabled(&self) -> bool {
        !self.dirs.is_empty() || self.from_env
    }

    /// The stores in the host's probe order, for an app of `arch` and `tfm`. Stats folders and
    /// reads the environment.
    pub fn resolve(&self, arch: &str, tfm: &str) -> Vec<Store> {
        let mut stores: Vec<Store> = self
            .dirs
            .iter()
            .map(|d| resolve_store(d, arch, tfm, StoreOrigin::Option, &|p: &Path| p.is_dir()))
            .collect();
        if self.from_env {
            let cwd = std::env::current_dir().unwrap_or_default();
            stores.extend(stores_from_env(
                std::env::var_os("DOTNET_SHARED_STORE").as_deref(),
                dotnet_root_from_path(std::env::var_os("PATH").as_deref()).as_deref(),
                &cwd,
                arch,
                tfm,
            ));
        }
        stores
    }
}

/// The architecture folder of the store: `--arch`, else the RID of a RID-specific deps.json,
/// else this machine's.
pub fn app_arch(requested: Option<&str>, deps: &crate::formats::deps::DepsFile) -> String {
    requested
        .map(str::to_string)
        .or_else(|| {
            deps.runtime_target
                .split_once('/')
                .and_then(|(_, rid)| arch_from_rid(rid))
                .map(str::to_string)
        })
        .unwrap_or_else(|| machine_arch().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_roots_get_arch_and_tfm() {
        let s = resolve_store(
            Path::new("/s"),
            "x64",
            "net6.0",
            StoreOrigin::Option,
            &|_| false,
        );
        assert_eq!(s.probe_dir, Path::new("/s/x64/net6.0"));
        let s = resolve_store(
            Path::new("/s/x64/net6.0"),
            "x64",
            "net6.0",
            StoreOrigin::Option,
            &|_| false,
        );
        assert_eq!(s.probe_dir, Path::new("/s/x64/net6.0"), "already the level");
        // A root whose own layout repeats the names still gets them appended when they exist.
        let s = resolve_store(
            Path::new("/s/x64/net6.0"),
            "x64",
            "net6.0",
            StoreOrigin::Option,
            &|p| p == Path::new("/s/x64/net6.0/x64/net6.0"),
        );
        assert_eq!(s.probe_dir, Path::new("/s/x64/net6.0/x64/net6.0"));
    }

    #[test]
    fn env_stores_in_host_order() {
        let stores = stores_from_env(
            Some(OsStr::new("/a::rel/b/")),
            Some(Path::new("/usr/share/dotnet")),
            Path::new("/cwd"),
            "x64",
            "netcoreapp3.1",
        );
        let dirs: Vec<_> = stores.iter().map(|s| s.probe_dir.clone()).collect();
        assert_eq!(
            dirs,
            [
                PathBuf::from("/a/x64/netcoreapp3.1"),
                PathBuf::from("/cwd/rel/b/x64/netcoreapp3.1"),
                PathBuf::from("/usr/share/dotnet/store/x64/netcoreapp3.1"),
            ]
        );
        assert_eq!(stores[2].origin, StoreOrigin::DotnetRoot);
    }

    #[test]
    fn arch_names() {
        assert_eq!(arch_from_rid("linux-x64"), Some("x64"));
        assert_eq!(arch_from_rid("win7-x86"), Some("x86"));
        assert_eq!(arch_from_rid("linux-musl-arm64"), Some("arm64"));
        assert_eq!(arch_from_rid("osx.10.12-x64"), Some("x64"));
        assert_eq!(arch_from_rid("linux-arm"), Some("arm"));
        assert_eq!(arch_from_rid("unix"), None);
        assert!(["x64", "x86", "arm64", "arm"].contains(&machine_arch()));
    }
}

//! The one model of the .NET host (dotnet/runtime hostpolicy): where each deps.json asset lives
//! in the app folder ([`app_path`]) and in a store ([`store`]), which RID-specific assets it picks
//! and in which order it probes ([`resolve`]).
//!
//! Planning (which files to remove), store verification (where each file's store copy is) and
//! `trim-publish verify` (would the app start) all ask this module, so they cannot disagree about
//! the same deps.json. `tests/host_model.rs` checks that on every corpus deps.json.
//!
//! May touch: nothing, except [`resolve::resolve`] and [`store::StoreOptions::resolve`]-style
//! callers that pass an `is_dir`, which stat; [`resolve::resolve`] also reads store copies'
//! metadata.

pub mod resolve;
pub mod rid;
pub mod store;

use std::borrow::Cow;

use crate::formats::deps::{file_name, Asset, AssetKind};

/// Where the host looks for `asset` in the app folder, relative to it with `/` separators
/// (hostpolicy `deps_entry_t::to_dir_path`); `None` for NuGet's `_._` placeholder and for compile
/// assets, which the host never loads.
///
/// - `localPath`, when deps.json gives one (newer SDKs), is the path as written;
/// - runtime and native assets: the file name, in the folder root;
/// - resources: `{culture}/{file name}`, the culture being the asset path's parent folder (the
///   host takes it from there, not from the `locale` property; the SDK writes both alike);
/// - RID-specific assets of a portable app (`runtimeTargets`): the path as written.
pub fn app_path(asset: &Asset) -> Option<Cow<'_, str>> {
    if asset.is_placeholder() || asset.kind == AssetKind::Compile {
        return None;
    }
    if let Some(local) = &asset.local_path {
        return Some(Cow::Borrowed(local));
    }
    Some(match asset.kind {
        AssetKind::Runtime | AssetKind::Native => Cow::Borrowed(file_name(&asset.path)),
        AssetKind::Resource => {
            let culture = asset
                .path
                .rsplit_once('/')
                .map_or("", |(dir, _)| file_name(dir));
            Cow::Owned(format!("{culture}/{}", file_name(&asset.path)))
        }
        AssetKind::RuntimeTarget => Cow::Borrowed(&asset.path),
        AssetKind::Compile => unreachable!("returned above"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asset(kind: AssetKind, path: &str) -> Asset {
        Asset {
            kind,
            path: path.into(),
            locale: None,
            rid: None,
            asset_type: None,
            assembly_version: None,
            file_version: None,
            local_path: None,
        }
    }

    #[test]
    fn where_the_host_looks_in_the_app_folder() {
        let cases = [
            (
                AssetKind::Runtime,
                "lib/netstandard2.0/A.dll",
                Some("A.dll"),
            ),
            (
                AssetKind::Native,
                "runtimes/linux-x64/native/libx.so",
                Some("libx.so"),
            ),
            (
                AssetKind::Resource,
                "lib/net6.0/zh-Hans/A.resources.dll",
                Some("zh-Hans/A.resources.dll"),
            ),
            (
                AssetKind::RuntimeTarget,
                "runtimes/unix/lib/net6.0/A.dll",
                Some("runtimes/unix/lib/net6.0/A.dll"),
            ),
            (AssetKind::Runtime, "lib/netstandard1.0/_._", None),
            (AssetKind::Compile, "ref/netstandard2.0/A.dll", None),
        ];
        for (kind, path, expected) in cases {
            assert_eq!(
                app_path(&asset(kind, path)).as_deref(),
                expected,
                "{kind:?} {path}"
            );
        }
    }

    /// The host takes the culture from the asset's folder, never from `locale` (hostpolicy
    /// `deps_entry.cpp`); a deps.json where the two differ is resolved as the host would.
    #[test]
    fn resources_follow_their_folder_not_the_locale_property() {
        let mut a = asset(AssetKind::Resource, "lib/net6.0/zh-Hans/X.resources.dll");
        a.locale = Some("zh-CN".into());
        assert_eq!(app_path(&a).unwrap(), "zh-Hans/X.resources.dll");
        a.local_path = Some("sub/X.dll".into());
        assert_eq!(app_path(&a).unwrap(), "sub/X.dll");
    }
}

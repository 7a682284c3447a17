//! Target manifests (`artifact.xml`): parsing and the union of several.
//!
//! We accept what dotnet/sdk's `StoreArtifactParser` accepts (root local name `StoreArtifacts` in
//! any namespace, direct `Package` children in the root's namespace with `Id` and `Version`), and
//! turn everything it silently skips or crashes on into an error with file, line and column.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::diagnostic::{Diagnostic, ToDiagnostic};
use crate::formats::nuget::{NuGetVersion, PackageId, PackageIdentity, VersionError};
use crate::formats::text::{self, DecodeError, Location};
use crate::formats::xml::{XmlEvent, XmlProblem, XmlReader};

/// One `<Package Id=".." Version=".."/>` of a manifest.
#[derive(Debug, Clone)]
pub struct ManifestPackage {
    pub identity: PackageIdentity,
    pub location: Location,
}

/// A parsed target manifest.
#[derive(Debug, Clone)]
pub struct TargetManifest {
    /// The path as the user gave it (resolved against the current or project directory).
    pub path: PathBuf,
    /// Packages in document order; a package listed twice appears once (the SDK keeps a set).
    pub packages: Vec<ManifestPackage>,
    pub warnings: Vec<Diagnostic>,
}

/// Everything that can be wrong with one manifest. Messages leave out the file and location,
/// which the diagnostic carries.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error("cannot read the target manifest: {source}; check the path given to --manifest or in TargetManifestFiles")]
    Unreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the target manifest is a directory, not a file; pass the artifact.xml inside it")]
    IsDirectory { path: PathBuf },
    #[error("cannot read the target manifest as text: {source}; save it as UTF-8")]
    Encoding {
        path: PathBuf,
        #[source]
        source: DecodeError,
    },
    #[error("{message}")]
    Malformed {
        path: PathBuf,
        location: Location,
        message: String,
    },
    #[error("the root element is <{found}>; a target manifest's root must be <StoreArtifacts> (the SDK reports NETSDK1025 for this file)")]
    WrongRoot {
        path: PathBuf,
        location: Location,
        found: String,
    },
    #[error("<Package> has no `{attribute}` attribute{hint}; every package needs both Id and Version (the SDK would silently skip this entry)")]
    MissingAttribute {
        path: PathBuf,
        location: Location,
        attribute: &'static str,
        hint: String,
    },
    #[error("<Package> has an empty Id")]
    EmptyId { path: PathBuf, location: Location },
    #[error("package {id}: `{version}` is not a valid NuGet version: {reason}")]
    InvalidVersion {
        path: PathBuf,
        location: Location,
        id: String,
        version: String,
        reason: VersionError,
    },
}

impl ManifestError {
    pub fn path(&self) -> &Path {
        match self {
            ManifestError::Unreadable { path, .. }
            | ManifestError::IsDirectory { path }
            | ManifestError::Encoding { path, .. }
            | ManifestError::Malformed { path, .. }
            | ManifestError::WrongRoot { path, .. }
            | ManifestError::MissingAttribute { path, .. }
            | ManifestError::EmptyId { path, .. }
            | ManifestError::InvalidVersion { path, .. } => path,
        }
    }
}

impl ToDiagnostic for ManifestError {
    fn to_diagnostic(&self) -> Diagnostic {
        let (code, location) = match self {
            ManifestError::Unreadable { .. } | ManifestError::IsDirectory { .. } => {
                (crate::diagnostic::codes::MANIFEST_UNREADABLE, None)
            }
            ManifestError::Encoding { .. } => (crate::diagnostic::codes::MANIFEST_NOT_TEXT, None),
            ManifestError::Malformed { location, .. } => (
                crate::diagnostic::codes::MANIFEST_MALFORMED,
                Some(*location),
            ),
            ManifestError::WrongRoot { location, .. } => (
                crate::diagnostic::codes::MANIFEST_WRONG_ROOT,
                Some(*location),
            ),
            ManifestError::MissingAttribute { location, .. }
            | ManifestError::EmptyId { location, .. } => (
                crate::diagnostic::codes::PACKAGE_WITHOUT_ID_OR_VERSION,
                Some(*location),
            ),
            ManifestError::InvalidVersion { location, .. } => {
                (crate::diagnostic::codes::INVALID_VERSION, Some(*location))
            }
        };
        Diagnostic::error(code, self.to_string())
            .in_file(self.path())
            .at(location)
    }
}

impl TargetManifest {
    /// Parses manifest bytes. `path` is only used in messages and as the manifest's name.
    ///
    /// ```
    /// use std::path::Path;
    /// use trim_publish::formats::manifest::TargetManifest;
    ///
    /// let xml = br#"<StoreArtifacts><Package Id="Newtonsoft.Json" Version="13.0.1" /></StoreArtifacts>"#;
    /// let m = TargetManifest::parse(Path::new("store/artifact.xml"), xml).unwrap();
    /// assert_eq!(m.file_name(), "artifact.xml");
    /// assert_eq!(m.packages[0].identity.to_string(), "Newtonsoft.Json 13.0.1");
    ///
    /// let err = TargetManifest::parse(Path::new("bad.xml"), b"<Packages/>").unwrap_err();
    /// assert!(err.to_string().contains("must be <StoreArtifacts>"));
    /// ```
    pub fn parse(path: &Path, bytes: &[u8]) -> Result<TargetManifest, ManifestError> {
        let text = text::decode(bytes).map_err(|source| ManifestError::Encoding {
            path: path.to_path_buf(),
            source,
        })?;
        let mut reader = XmlReader::new(&text);
        let malformed = |p: XmlProblem| ManifestError::Malformed {
            path: path.to_path_buf(),
            location: p.location,
            message: p.message,
        };

        let root = loop {
            match reader.next_event().map_err(malformed)? {
                XmlEvent::Start(e) => break e,
                XmlEvent::End | XmlEvent::Text(..) => continue,
                XmlEvent::Eof => unreachable!("XmlReader reports a missing root as an error"),
            }
        };
        if root.local_name != "StoreArtifacts" {
            return Err(ManifestError::WrongRoot {
                path: path.to_path_buf(),
                location: reader.location(root.offset),
                found: root.local_name,
            });
        }

        let mut packages: Vec<ManifestPackage> = Vec::new();
        let mut seen: HashMap<PackageIdentity, ()> = HashMap::new();
        let mut warnings = Vec::new();
        if !root.empty {
            loop {
                let event = reader.next_event().map_err(malformed)?;
                let element = match event {
                    XmlEvent::Start(e) => e,
                    XmlEvent::End if reader.depth() == 0 => break,
                    XmlEvent::End | XmlEvent::Text(..) => continue,
                    XmlEvent::Eof => break,
                };
                let location = reader.location(element.offset);
                let is_package =
                    element.local_name == "Package" && element.namespace == root.namespace;
                if !is_package {
                    let why = if element.local_name == "Package" {
                        format!(
                            "<Package> is in namespace {:?}, not the root's {:?}, so the SDK ignores it",
                            element.namespace.as_deref().unwrap_or(""),
                            root.namespace.as_deref().unwrap_or("")
                        )
                    } else {
                        format!(
                            "<{}> is not <Package>; it is ignored, as the SDK does",
                            element.local_name
                        )
                    };
                    warnings.push(
                        Diagnostic::warning(
                            crate::diagnostic::codes::MANIFEST_ELEMENT_IGNORED,
                            why,
                        )
                        .in_file(path)
                        .at(Some(location)),
                    );
                    if !element.empty {
                        reader.skip_element().map_err(malformed)?;
                    }
                    continue;
                }
                let identity = package_identity(path, &reader, &element, location)?;
                if !element.empty {
                    // Children of <Package> carry nothing the SDK reads.
                    reader.skip_element().map_err(malformed)?;
                }
                if seen.insert(identity.clone(), ()).is_none() {
                    packages.push(ManifestPackage { identity, location });
                }
            }
        }
        // Drain to the end so trailing garbage after the root is still reported.
        while !matches!(reader.next_event().map_err(malformed)?, XmlEvent::Eof) {}

        if packages.is_empty() {
            warnings.push(
                Diagnostic::warning(
                    crate::diagnostic::codes::MANIFEST_EMPTY,
                    "the target manifest lists no packages; it trims nothing",
                )
                .in_file(path)
                .at(Some(reader.location(root.offset))),
            );
        }
        Ok(TargetManifest {
            path: path.to_path_buf(),
            packages,
            warnings,
        })
    }

    /// The file name the SDK records in `runtimeStoreManifestName`.
    pub fn file_name(&self) -> String {
        file_name(&self.path)
    }
}

/// A manifest's file name, as `runtimeStoreManifestName` lists it (the whole path when it has no
/// file name, so a message always names something).
pub fn file_name(path: &Path) -> String {
    match crate::formats::text::file_name(path) {
        name if name.is_empty() => path.to_string_lossy().into_owned(),
        name => name,
    }
}

fn package_identity(
    path: &Path,
    reader: &XmlReader<'_>,
    element: &crate::formats::xml::Element,
    location: Location,
) -> Result<PackageIdentity, ManifestError> {
    let missing = |attribute: &'static str| {
        // Attribute names are case-sensitive in XML; point out a near miss such as `id=`.
        let near = element
            .attributes
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(attribute))
            .map(|a| format!(" (found `{}`: attribute names are case-sensitive)", a.name))
            .unwrap_or_default();
        ManifestError::MissingAttribute {
            path: path.to_path_buf(),
            location,
            attribute,
            hint: near,
        }
    };
    let id_attr = element.attribute("Id").ok_or_else(|| missing("Id"))?;
    let version_attr = element
        .attribute("Version")
        .ok_or_else(|| missing("Version"))?;
    let id = id_attr.value.trim();
    if id.is_empty() {
        return Err(ManifestError::EmptyId {
            path: path.to_path_buf(),
            location: reader.location(id_attr.offset),
        });
    }
    let version = NuGetVersion::parse(&version_attr.value).map_err(|reason| {
        ManifestError::InvalidVersion {
            path: path.to_path_buf(),
            location: reader.location(version_attr.offset),
            id: id.to_string(),
            version: version_attr.value.clone(),
            reason,
        }
    })?;
    Ok(PackageIdentity {
        id: PackageId::new(id),
        version,
    })
}

/// What the union knows of one package identity.
#[derive(Debug, Clone)]
pub struct UnionEntry {
    /// As first seen (id casing and version text of the first manifest listing it).
    pub identity: PackageIdentity,
    /// Indexes into [`ManifestUnion::manifests`], first-seen order, one per manifest.
    pub manifests: Vec<usize>,
}

/// The union of several manifests keyed by NuGet identity, as the SDK's `ParseTargetManifests`.
#[derive(Debug, Clone, Default)]
pub struct ManifestUnion {
    pub manifests: Vec<TargetManifest>,
    pub entries: Vec<UnionEntry>,
    index: HashMap<PackageIdentity, usize>,
    by_id: HashMap<PackageId, Vec<usize>>,
}

impl ManifestUnion {
    pub fn new(manifests: Vec<TargetManifest>) -> Self {
        let mut union = ManifestUnion::default();
        for (m, manifest) in manifests.iter().enumerate() {
            for package in &manifest.packages {
                match union.index.get(&package.identity) {
                    Some(&e) => {
                        let entry = &mut union.entries[e];
                        if entry.manifests.last() != Some(&m) {
                            entry.manifests.push(m);
                        }
                    }
                    None => {
                        let e = union.entries.len();
                        union.index.insert(package.identity.clone(), e);
                        union
                            .by_id
                            .entry(package.identity.id.clone())
                            .or_default()
                            .push(e);
                        union.entries.push(UnionEntry {
                            identity: package.identity.clone(),
                            manifests: vec![m],
                        });
                    }
                }
            }
        }
        union.manifests = manifests;
        union
    }

    pub fn get(&self, identity: &PackageIdentity) -> Option<&UnionEntry> {
        self.index_of(identity).map(|e| &self.entries[e])
    }

    /// Index into [`entries`](Self::entries) of an identity.
    pub fn index_of(&self, identity: &PackageIdentity) -> Option<usize> {
        self.index.get(identity).copied()
    }

    /// Indexes of every entry with this id, whatever its version.
    pub fn indexes_with_id(&self, id: &PackageId) -> &[usize] {
        self.by_id.get(id).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Every entry with this id, whatever its version.
    pub fn with_id(&self, id: &PackageId) -> impl Iterator<Item = &UnionEntry> {
        self.indexes_with_id(id).iter().map(|&e| &self.entries[e])
    }

    /// `a.xml;b.xml`: the value of `runtimeStoreManifestName` for an entry.
    pub fn manifest_names(&self, entry: &UnionEntry) -> String {
        entry
            .manifests
            .iter()
            .map(|&m| self.manifests[m].file_name())
            .collect::<Vec<_>>()
            .join(";")
    }

    pub fn manifest_paths(&self, entry: &UnionEntry) -> Vec<&Path> {
        entry
            .manifests
            .iter()
            .map(|&m| self.manifests[m].path.as_path())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(xml: &str) -> Result<TargetManifest, ManifestError> {
        TargetManifest::parse(Path::new("m.xml"), xml.as_bytes())
    }

    fn ids(m: &TargetManifest) -> Vec<String> {
        m.packages.iter().map(|p| p.identity.to_string()).collect()
    }

    #[test]
    fn reads_sdk_output() {
        let m = parse("<StoreArtifacts>\n  <Package Id=\"A\" Version=\"1.0.0\" />\n  <Package Id=\"b\" Version=\"2.0\" />\n</StoreArtifacts>").unwrap();
        assert_eq!(ids(&m), ["A 1.0.0", "b 2.0"]);
        assert_eq!(m.packages[1].location, Location { line: 3, column: 3 });
        assert!(m.warnings.is_empty());
    }

    #[test]
    fn accepts_bom_declaration_comments_crlf_and_odd_spacing() {
        let xml = "\u{feff}<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n<!-- c -->\r\n<StoreArtifacts>\r\n <!-- x -->\r\n <Package Id=\"A\" Version =\"1.0\"/>\r\n <Package\r\n   Id = 'B'\tVersion=\"1.0-beta\" ></Package>\r\n</StoreArtifacts>\r\n";
        let m = parse(xml).unwrap();
        assert_eq!(ids(&m), ["A 1.0", "B 1.0-beta"]);
    }

    #[test]
    fn accepts_any_namespace_on_the_root() {
        let m = parse("<s:StoreArtifacts xmlns:s=\"urn:x\"><s:Package Id=\"A\" Version=\"1\"/><Package Id=\"B\" Version=\"1\"/></s:StoreArtifacts>").unwrap();
        assert_eq!(ids(&m), ["A 1"]);
        assert_eq!(m.warnings.len(), 1);
        assert_eq!(m.warnings[0].code, "TP1008");
        let m = parse(
            "<StoreArtifacts xmlns=\"urn:x\"><Package Id=\"A\" Version=\"1\"/></StoreArtifacts>",
        )
        .unwrap();
        assert_eq!(ids(&m), ["A 1"]);
    }

    #[test]
    fn utf16_with_bom_is_read() {
        let xml = "<StoreArtifacts><Package Id=\"A\" Version=\"1\"/></StoreArtifacts>";
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend(xml.encode_utf16().flat_map(|u| u.to_le_bytes()));
        let m = TargetManifest::parse(Path::new("m.xml"), &bytes).unwrap();
        assert_eq!(ids(&m), ["A 1"]);
    }

    #[test]
    fn nested_packages_are_not_direct_children() {
        let m = parse(
            "<StoreArtifacts><Group><Package Id=\"A\" Version=\"1\"/></Group></StoreArtifacts>",
        )
        .unwrap();
        assert!(m.packages.is_empty());
        let codes: Vec<_> = m.warnings.iter().map(|w| w.code).collect();
        assert_eq!(codes, ["TP1008", "TP1007"]);
    }

    #[test]
    fn duplicate_packages_in_one_manifest_count_once() {
        let m = parse("<StoreArtifacts><Package Id=\"A\" Version=\"1\"/><Package Id=\"a\" Version=\"1.0.0\"/></StoreArtifacts>").unwrap();
        assert_eq!(ids(&m), ["A 1"]);
    }

    #[test]
    fn empty_manifest_is_a_warning() {
        let m = parse("<StoreArtifacts/>").unwrap();
        assert!(m.packages.is_empty());
        assert_eq!(m.warnings[0].code, "TP1007");
    }

    fn err(xml: &str) -> Diagnostic {
        parse(xml).unwrap_err().to_diagnostic()
    }

    #[test]
    fn wrong_root() {
        let d = err("<?xml version=\"1.0\"?>\n<Packages/>");
        assert_eq!(d.code, "TP1004");
        assert_eq!(d.location, Some(Location { line: 2, column: 1 }));
        assert!(d.message.contains("<Packages>"), "{}", d.message);
    }

    #[test]
    fn missing_attributes_name_the_near_miss() {
        let d = err("<StoreArtifacts>\n<Package id=\"A\" Version=\"1\"/></StoreArtifacts>");
        assert_eq!(d.code, "TP1005");
        assert_eq!(d.location, Some(Location { line: 2, column: 1 }));
        assert!(d.message.contains("found `id`"), "{}", d.message);
        let d = err("<StoreArtifacts><Package Id=\"A\"/></StoreArtifacts>");
        assert!(d.message.contains("`Version`"), "{}", d.message);
        let d = err("<StoreArtifacts><Package Id=\" \" Version=\"1\"/></StoreArtifacts>");
        assert_eq!(d.code, "TP1005");
    }

    #[test]
    fn invalid_version_points_at_the_attribute() {
        let d = err("<StoreArtifacts>\n  <Package Id=\"A\" Version=\"1.0.x\"/>\n</StoreArtifacts>");
        assert_eq!(d.code, "TP1006");
        assert_eq!(
            d.location,
            Some(Location {
                line: 2,
                column: 19
            })
        );
        assert!(d.message.contains("package A: `1.0.x`"), "{}", d.message);
    }

    #[test]
    fn malformed_xml_has_a_location() {
        for (xml, line) in [
            (
                "<StoreArtifacts>\n<Package Id=\"A\" Version=\"1\">\n</StoreArtifacts>",
                3,
            ),
            (
                "<StoreArtifacts>\n<Package Id=\"A\" Id=\"B\" Version=\"1\"/>\n</StoreArtifacts>",
                2,
            ),
            ("<StoreArtifacts>\n<Package Id=\"A\" Version=\"1\"/>", 2),
            ("", 1),
            ("<StoreArtifacts/><StoreArtifacts/>", 1),
            ("<StoreArtifacts/>junk", 1),
            ("<StoreArtifacts>&foo;</StoreArtifacts>", 1),
            (
                "<StoreArtifacts><Package Id=\"&foo;\" Version=\"1\"/></StoreArtifacts>",
                1,
            ),
        ] {
            let d = err(xml);
            assert_eq!(d.code, "TP1003", "{xml}: {d}");
            assert_eq!(d.location.map(|l| l.line), Some(line), "{xml}: {d}");
        }
    }

    #[test]
    fn dtds_are_refused() {
        let xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;\">]>\n<StoreArtifacts><Package Id=\"&lol2;\" Version=\"1\"/></StoreArtifacts>";
        let d = err(xml);
        assert_eq!(d.code, "TP1003");
        assert!(d.message.contains("DOCTYPE"), "{}", d.message);
    }

    #[test]
    fn invalid_utf8_is_an_encoding_error() {
        let d = TargetManifest::parse(Path::new("m.xml"), b"<StoreArtifacts>\xff</StoreArtifacts>")
            .unwrap_err()
            .to_diagnostic();
        assert_eq!(d.code, "TP1002");
    }

    #[test]
    fn union_keys_by_identity_and_keeps_manifest_order() {
        let a = TargetManifest::parse(Path::new("dir/a.xml"), b"<StoreArtifacts><Package Id=\"X\" Version=\"1.0\"/><Package Id=\"Y\" Version=\"2\"/></StoreArtifacts>").unwrap();
        let b = TargetManifest::parse(Path::new("other/b.xml"), b"<StoreArtifacts><Package Id=\"x\" Version=\"1.0.0\"/><Package Id=\"X\" Version=\"1.1\"/></StoreArtifacts>").unwrap();
        let u = ManifestUnion::new(vec![a, b]);
        assert_eq!(u.entries.len(), 3);
        let x = u.get(&u.entries[0].identity).unwrap();
        assert_eq!(u.manifest_names(x), "a.xml;b.xml");
        assert_eq!(x.identity.id.as_str(), "X");
        let versions: Vec<String> = u
            .with_id(&PackageId::new("X"))
            .map(|e| e.identity.version.to_string())
            .collect();
        assert_eq!(versions, ["1.0", "1.1"]);
        assert_eq!(u.manifest_names(&u.entries[2]), "b.xml");
    }
}

//! NuGet package identity: case-insensitive ids and NuGet version equality.
//!
//! The SDK keys its union of target manifests by `NuGet.Packaging.Core.PackageIdentity`, so two
//! entries are the same package when their ids are equal ignoring case (ordinal) and their versions
//! are equal under `NuGet.Versioning.VersionComparer.Default`. We reproduce exactly that equality:
//! `1` = `1.0` = `1.0.0` = `1.0.0.0`, leading zeros in numbers are ignored, build metadata is
//! ignored, and prerelease labels compare label by label ignoring case.

use std::fmt;
use std::hash::{Hash, Hasher};

/// A NuGet package id. Compares and hashes ignoring ASCII case, displays as written.
#[derive(Clone, Debug)]
pub struct PackageId(String);

impl PackageId {
    pub fn new(id: impl Into<String>) -> Self {
        PackageId(id.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn folded(&self) -> impl Iterator<Item = char> + '_ {
        self.0.chars().flat_map(char::to_lowercase)
    }

    /// The lower-case form NuGet uses for folder names in a package store.
    pub fn to_lowercase(&self) -> String {
        self.0.to_lowercase()
    }
}

impl PartialEq for PackageId {
    fn eq(&self, other: &Self) -> bool {
        // NuGet compares ids with StringComparer.OrdinalIgnoreCase. Ids are ASCII in practice;
        // OrdinalIgnoreCase also folds non-ASCII letters, so fall back to full case folding.
        if self.0.is_ascii() && other.0.is_ascii() {
            self.0.eq_ignore_ascii_case(&other.0)
        } else {
            self.folded().eq(other.folded())
        }
    }
}

impl Eq for PackageId {}

impl Hash for PackageId {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // Hash the folded characters without allocating: ids are hashed on every lookup.
        for c in self.folded() {
            state.write_u32(c as u32);
        }
        state.write_u8(0xff);
    }
}

impl PartialOrd for PackageId {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for PackageId {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.folded().cmp(other.folded())
    }
}

impl fmt::Display for PackageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why a string is not a NuGet version. The text completes "... is not a valid NuGet version: ".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VersionError {
    #[error("it is empty")]
    Empty,
    #[error("it has {0} numeric parts; NuGet allows 1 to 4 (major[.minor[.patch[.revision]]])")]
    PartCount(usize),
    #[error("numeric part `{0}` is not a non-negative whole number")]
    NotNumeric(String),
    #[error("numeric part `{0}` is larger than 2147483647")]
    TooLarge(String),
    #[error("prerelease label `{0}` is empty or has characters other than A-Z, a-z, 0-9 and `-`")]
    BadLabel(String),
    #[error("prerelease label `{0}` is a number with a leading zero")]
    LeadingZeroLabel(String),
    #[error(
        "build metadata `{0}` is empty or has characters other than A-Z, a-z, 0-9, `-` and `.`"
    )]
    BadMetadata(String),
}

/// A parsed NuGet version. Equality, ordering and hashing follow `VersionComparer.Default`
/// (metadata ignored); `Display` shows the text as written in the source.
#[derive(Clone, Debug)]
pub struct NuGetVersion {
    original: String,
    numbers: [u32; 4],
    /// Prerelease labels; empty for a release version.
    labels: Vec<String>,
}

impl NuGetVersion {
    /// Parses NuGet's lenient version syntax: `major[.minor[.patch[.revision]]][-label(.label)*][+metadata]`.
    /// Surrounding whitespace is ignored, as `NuGetVersion.Parse` trims it.
    ///
    /// ```
    /// use trim_publish::formats::nuget::NuGetVersion;
    ///
    /// let v = NuGetVersion::parse("1.0").unwrap();
    /// assert_eq!(v, NuGetVersion::parse("1.0.0.0+build.7").unwrap());
    /// assert_eq!(v.normalized(), "1.0.0");
    /// assert_eq!(v.to_string(), "1.0"); // displayed as written
    /// assert!(NuGetVersion::parse("1.0.x").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<Self, VersionError> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(VersionError::Empty);
        }
        let (rest, metadata) = match trimmed.split_once('+') {
            Some((rest, meta)) => (rest, Some(meta)),
            None => (trimmed, None),
        };
        if let Some(meta) = metadata {
            let ok = !meta.is_empty()
                && meta.split('.').all(|p| {
                    !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                });
            if !ok {
                return Err(VersionError::BadMetadata(meta.to_string()));
            }
        }
        let (numeric, release) = match rest.split_once('-') {
            Some((n, r)) => (n, Some(r)),
            None => (rest, None),
        };
        let parts: Vec<&str> = numeric.split('.').collect();
        if parts.len() > 4 {
            return Err(VersionError::PartCount(parts.len()));
        }
        let mut numbers = [0u32; 4];
        for (slot, part) in numbers.iter_mut().zip(&parts) {
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(VersionError::NotNumeric((*part).to_string()));
            }
            let digits = part.trim_start_matches('0');
            let value: u64 = if digits.is_empty() {
                0
            } else if digits.len() > 10 {
                u64::MAX
            } else {
                digits.parse().expect("all digits")
            };
            if value > i32::MAX as u64 {
                return Err(VersionError::TooLarge((*part).to_string()));
            }
            *slot = value as u32;
        }
        let mut labels = Vec::new();
        if let Some(release) = release {
            for label in release.split('.') {
                if label.is_empty()
                    || !label
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                {
                    return Err(VersionError::BadLabel(label.to_string()));
                }
                if label.len() > 1
                    && label.starts_with('0')
                    && label.bytes().all(|b| b.is_ascii_digit())
                {
                    return Err(VersionError::LeadingZeroLabel(label.to_string()));
                }
                labels.push(label.to_string());
            }
        }
        Ok(NuGetVersion {
            original: trimmed.to_string(),
            numbers,
            labels,
        })
    }

    /// The text as it was written (trimmed).
    pub fn as_str(&self) -> &str {
        &self.original
    }

    /// `ToNormalizedString()`: three parts (four when the revision is not zero), labels as written,
    /// no metadata.
    pub fn normalized(&self) -> String {
        let [a, b, c, d] = self.numbers;
        let mut s = if d != 0 {
            format!("{a}.{b}.{c}.{d}")
        } else {
            format!("{a}.{b}.{c}")
        };
        if !self.labels.is_empty() {
            s.push('-');
            s.push_str(&self.labels.join("."));
        }
        s
    }
}

/// NuGet's `CompareRelease`: numeric labels compare as numbers and sort before alphanumeric ones;
/// others compare ordinally ignoring case.
fn compare_label(a: &str, b: &str) -> std::cmp::Ordering {
    let num = |s: &str| {
        if s.bytes().all(|c| c.is_ascii_digit()) {
            s.parse::<i32>().ok()
        } else {
            None
        }
    };
    match (num(a), num(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.to_ascii_lowercase().cmp(&b.to_ascii_lowercase()),
    }
}

impl Ord for NuGetVersion {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        use std::cmp::Ordering::*;
        match self.numbers.cmp(&other.numbers) {
            Equal => {}
            o => return o,
        }
        // A release sorts after any prerelease of the same numbers.
        match (self.labels.is_empty(), other.labels.is_empty()) {
            (true, true) => return Equal,
            (true, false) => return Greater,
            (false, true) => return Less,
            (false, false) => {}
        }
        for (a, b) in self.labels.iter().zip(&other.labels) {
            match compare_label(a, b) {
                Equal => {}
                o => return o,
            }
        }
        self.labels.len().cmp(&other.labels.len())
    }
}

impl PartialOrd for NuGetVersion {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for NuGetVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == std::cmp::Ordering::Equal
    }
}

impl Eq for NuGetVersion {}

impl Hash for NuGetVersion {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // Consistent with Eq: numbers plus case-folded labels (numeric labels are canonical
        // because leading zeros are rejected at parse time).
        self.numbers.hash(state);
        for l in &self.labels {
            l.to_ascii_lowercase().hash(state);
        }
    }
}

impl fmt::Display for NuGetVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.original)
    }
}

/// A package id and version: the key of the manifest union and of deps.json package libraries.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PackageIdentity {
    pub id: PackageId,
    pub version: NuGetVersion,
}

impl fmt::Display for PackageIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.id, self.version)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> NuGetVersion {
        NuGetVersion::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn numeric_forms_are_equal() {
        assert_eq!(v("1"), v("1.0"));
        assert_eq!(v("1.0"), v("1.0.0"));
        assert_eq!(v("1.0.0"), v("1.0.0.0"));
        assert_eq!(v("1.01.1"), v("1.1.1"));
        assert_ne!(v("1.0.0"), v("1.0.1"));
        assert_ne!(v("1.0.0.1"), v("1.0.0"));
    }

    #[test]
    fn metadata_is_ignored_and_labels_fold_case() {
        assert_eq!(v("1.0.7+r3456"), v("1.0.7"));
        assert_eq!(v("1.0.0-alpha"), v("1.0.0-Alpha"));
        assert_ne!(v("1.0.0-alpha"), v("1.0.0"));
        assert_ne!(v("1.0.0-alpha"), v("1.0.0-alpha.1"));
        assert_eq!(
            v("10.0.0-preview.7.25380.108"),
            v("10.0.0-PREVIEW.7.25380.108")
        );
    }

    #[test]
    fn equal_versions_hash_equally() {
        use std::collections::HashSet;
        let set: HashSet<NuGetVersion> = ["1", "1.0", "1.0.0.0", "01.0", "1.0.0+meta"]
            .iter()
            .map(|s| v(s))
            .collect();
        assert_eq!(set.len(), 1);
    }

    #[test]
    fn ordering_follows_semver() {
        assert!(v("1.0.0-alpha") < v("1.0.0"));
        assert!(v("1.0.0-alpha") < v("1.0.0-alpha.1"));
        assert!(v("1.0.0-2") < v("1.0.0-10"));
        assert!(v("1.0.0-10") < v("1.0.0-alpha"));
        assert!(v("1.2.3") < v("1.2.4"));
        assert!(v("1.2.3.1") > v("1.2.3"));
    }

    #[test]
    fn normalized_string() {
        assert_eq!(v("1").normalized(), "1.0.0");
        assert_eq!(v("01.02.03.00").normalized(), "1.2.3");
        assert_eq!(v("1.2.3.4-Beta+x").normalized(), "1.2.3.4-Beta");
    }

    #[test]
    fn invalid_versions_are_rejected() {
        use VersionError::*;
        // The kind of error matters here, not the part it quotes.
        for (text, expected) in [
            ("", Empty),
            ("  ", Empty),
            ("1.x", NotNumeric(String::new())),
            ("1..2", NotNumeric(String::new())),
            ("v1.0", NotNumeric(String::new())),
            ("[1.0,2.0)", NotNumeric(String::new())),
            ("1.0-", BadLabel(String::new())),
            ("1.0-a..b", BadLabel(String::new())),
            ("1.0-a_b", BadLabel(String::new())),
            ("1.0-01", LeadingZeroLabel(String::new())),
            ("1.0+", BadMetadata(String::new())),
            ("2147483648.0", TooLarge(String::new())),
            ("99999999999999999999", TooLarge(String::new())),
        ] {
            let got = NuGetVersion::parse(text).unwrap_err();
            assert_eq!(
                std::mem::discriminant(&got),
                std::mem::discriminant(&expected),
                "{text:?}: {got:?}"
            );
        }
        assert_eq!(NuGetVersion::parse("1.2.3.4.5"), Err(PartCount(5)));
        assert!(NuGetVersion::parse("2147483647.0").is_ok());
    }

    #[test]
    fn whitespace_around_is_trimmed_like_nuget() {
        assert_eq!(v(" 1.0.0 "), v("1.0.0"));
        assert_eq!(v(" 1.0.0 ").as_str(), "1.0.0");
    }

    #[test]
    fn package_ids_ignore_case() {
        assert_eq!(
            PackageId::new("Newtonsoft.Json"),
            PackageId::new("newtonsoft.json")
        );
        assert_ne!(
            PackageId::new("Newtonsoft.Json"),
            PackageId::new("Newtonsoft.Json.Bson")
        );
        let a = PackageIdentity {
            id: PackageId::new("A"),
            version: v("1.0"),
        };
        let b = PackageIdentity {
            id: PackageId::new("a"),
            version: v("1.0.0"),
        };
        assert_eq!(a, b);
    }
}

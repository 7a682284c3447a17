//! Every diagnostic code, one constant per meaning. `docs/diagnostics.md` documents each one
//! (`tests/docs.rs` keeps the two in sync). A code never changes meaning; a new meaning gets a
//! new code.

// Usage (TP0xxx)
/// An option value is invalid (`--keep` glob, `--jobs`).
pub const INVALID_OPTION: &str = "TP0001";
/// No target manifests were given.
pub const NO_MANIFESTS: &str = "TP0002";

// Manifests (TP10xx)
pub const MANIFEST_UNREADABLE: &str = "TP1001";
pub const MANIFEST_NOT_TEXT: &str = "TP1002";
pub const MANIFEST_MALFORMED: &str = "TP1003";
pub const MANIFEST_WRONG_ROOT: &str = "TP1004";
pub const PACKAGE_WITHOUT_ID_OR_VERSION: &str = "TP1005";
pub const INVALID_VERSION: &str = "TP1006";
pub const MANIFEST_EMPTY: &str = "TP1007";
pub const MANIFEST_ELEMENT_IGNORED: &str = "TP1008";

// Project (TP11xx)
pub const PROJECT_UNREADABLE: &str = "TP1101";
pub const PROJECT_MALFORMED: &str = "TP1102";
pub const PROJECT_WITHOUT_MANIFESTS: &str = "TP1103";
pub const PROJECT_NOT_EVALUATED: &str = "TP1104";

// deps.json (TP12xx)
pub const DEPS_UNREADABLE: &str = "TP1201";
pub const DEPS_NOT_TEXT: &str = "TP1202";
pub const DEPS_INVALID_JSON: &str = "TP1203";
pub const DEPS_NO_RUNTIME_TARGET: &str = "TP1204";
pub const DEPS_BAD_LIBRARY_KEY: &str = "TP1205";

// The publish folder (TP13xx)
pub const PUBLISH_DIR_UNUSABLE: &str = "TP1301";
pub const RUNTIMECONFIG_UNUSABLE: &str = "TP1302";
pub const DEPS_FILE_AMBIGUOUS: &str = "TP1303";
/// The publish folder cannot be locked against a concurrent run.
pub const CANNOT_LOCK: &str = "TP1304";

// Planning (TP20xx)
pub const VERSION_MISMATCH: &str = "TP2001";
pub const SELF_CONTAINED: &str = "TP2002";
pub const NO_TFM: &str = "TP2003";
pub const UNSAFE_PATH: &str = "TP2004";
pub const SYMLINK: &str = "TP2005";
pub const NOT_A_PACKAGE: &str = "TP2007";
pub const NOT_TRIMMED: &str = "TP2008";
/// The folder looks like a build output (bin/), not a publish folder.
pub const BUILD_OUTPUT: &str = "TP2009";

// Applying (TP30xx)
pub const APPLY_FAILED: &str = "TP3001";
pub const RESTORE_FAILED: &str = "TP3002";
/// `--summary FILE` could not be written (the trim itself ended as reported).
pub const SUMMARY_NOT_WRITTEN: &str = "TP3003";
/// `manifest -o FILE` could not be written.
pub const OUTPUT_NOT_WRITTEN: &str = "TP3004";

// Store verification (TP40xx)
pub const NOT_IN_STORE: &str = "TP4001";
pub const STORE_COPY_DIFFERS: &str = "TP4002";
pub const UNREADABLE_DURING_CHECK: &str = "TP4003";
pub const STORE_WITHOUT_LEVEL: &str = "TP4004";
pub const CACHE_NOT_WRITTEN: &str = "TP4005";

// verify (TP50xx)
pub const HOST_WOULD_NOT_FIND: &str = "TP5001";
pub const STORE_ASSEMBLY_TOO_OLD: &str = "TP5002";
pub const RESOURCE_MISSING: &str = "TP5003";
pub const NO_STORE_EXISTS: &str = "TP5004";
pub const NO_STORE_PROBED: &str = "TP5005";

// manifest command (TP60xx)
pub const STORE_FOLDER_SKIPPED: &str = "TP6001";
pub const NOT_A_STORE: &str = "TP6002";
/// `manifest --from-apps`: an app left out (self-contained, no tfm, unreadable).
pub const APP_LEFT_OUT: &str = "TP6003";
/// `manifest --from-apps`: one package identity has other bytes in different apps.
pub const FLEET_COPIES_DIFFER: &str = "TP6004";
/// `manifest --from-apps`: no group, or several `{arch}/{tfm}` groups without `--out-dir`.
pub const FLEET_GROUPS: &str = "TP6005";
/// `manifest --from-apps`: an app uses another version of a package the store would carry.
pub const FLEET_VERSION_MISMATCH: &str = "TP6006";

/// Every code, for the documentation check.
pub const ALL: &[&str] = &[
    INVALID_OPTION,
    NO_MANIFESTS,
    MANIFEST_UNREADABLE,
    MANIFEST_NOT_TEXT,
    MANIFEST_MALFORMED,
    MANIFEST_WRONG_ROOT,
    PACKAGE_WITHOUT_ID_OR_VERSION,
    INVALID_VERSION,
    MANIFEST_EMPTY,
    MANIFEST_ELEMENT_IGNORED,
    PROJECT_UNREADABLE,
    PROJECT_MALFORMED,
    PROJECT_WITHOUT_MANIFESTS,
    PROJECT_NOT_EVALUATED,
    DEPS_UNREADABLE,
    DEPS_NOT_TEXT,
    DEPS_INVALID_JSON,
    DEPS_NO_RUNTIME_TARGET,
    DEPS_BAD_LIBRARY_KEY,
    PUBLISH_DIR_UNUSABLE,
    RUNTIMECONFIG_UNUSABLE,
    DEPS_FILE_AMBIGUOUS,
    CANNOT_LOCK,
    VERSION_MISMATCH,
    SELF_CONTAINED,
    NO_TFM,
    UNSAFE_PATH,
    SYMLINK,
    NOT_A_PACKAGE,
    NOT_TRIMMED,
    BUILD_OUTPUT,
    APPLY_FAILED,
    RESTORE_FAILED,
    SUMMARY_NOT_WRITTEN,
    OUTPUT_NOT_WRITTEN,
    NOT_IN_STORE,
    STORE_COPY_DIFFERS,
    UNREADABLE_DURING_CHECK,
    STORE_WITHOUT_LEVEL,
    CACHE_NOT_WRITTEN,
    HOST_WOULD_NOT_FIND,
    STORE_ASSEMBLY_TOO_OLD,
    RESOURCE_MISSING,
    NO_STORE_EXISTS,
    NO_STORE_PROBED,
    STORE_FOLDER_SKIPPED,
    NOT_A_STORE,
    APP_LEFT_OUT,
    FLEET_COPIES_DIFFER,
    FLEET_GROUPS,
    FLEET_VERSION_MISMATCH,
];

#[cfg(test)]
mod tests {
    #[test]
    fn each_code_has_one_constant() {
        let mut seen = std::collections::HashSet::new();
        for code in super::ALL {
            assert!(seen.insert(code), "{code} is defined twice");
            assert!(code.len() == 6 && code.starts_with("TP"), "{code}");
        }
    }
}

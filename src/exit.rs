//! Every exit code, in one place (the README's "Exit codes" table documents them).

/// How the process ends. `main` is the only place that turns one into a process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[repr(u8)]
pub enum Exit {
    /// Trimmed, already trimmed, nothing to trim, a dry run; `verify`: the host would start it.
    Success = 0,
    /// Trimming refused because it would break the app (nothing changed); `verify`: the host
    /// would not start it.
    Refused = 1,
    /// Bad input or usage; nothing changed.
    Invalid = 2,
    /// Applying failed part-way; the report says what was done.
    Failed = 3,
    /// `--check`: the folder is not trimmed as the manifests ask.
    NotTrimmed = 4,
}

impl Exit {
    pub fn code(self) -> u8 {
        self as u8
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The codes are a public contract (README "Exit codes", MSBuild and CI scripts rely on them).
    #[test]
    fn codes_are_the_documented_ones() {
        let readme = include_str!("../README.md");
        for (exit, code) in [
            (Exit::Success, 0),
            (Exit::Refused, 1),
            (Exit::Invalid, 2),
            (Exit::Failed, 3),
            (Exit::NotTrimmed, 4),
        ] {
            assert_eq!(exit.code(), code);
            assert!(
                readme.contains(&format!("\n| {code} | ")),
                "README documents exit code {code}"
            );
        }
    }
}

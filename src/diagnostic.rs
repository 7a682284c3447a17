//! The one shape every error and warning takes before it is rendered: a stable code, the file it
//! is about, where in that file, and a message that says what to do.
//!
//! Each layer keeps its own thiserror enum (manifest, project, deps, publish folder, plan, apply);
//! each variant knows its code and converts into a [`Diagnostic`]. Renderers (text, JSON, later
//! MSBuild) only ever see diagnostics.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::text::Location;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Stable identifier, `TPnnnn`; listed with its meaning in the README.
    pub code: &'static str,
    /// The file the message is about (a manifest, the project, the deps.json, an asset).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none", flatten)]
    pub location: Option<Location>,
    pub message: String,
}

impl Diagnostic {
    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            file: None,
            location: None,
            message: message.into(),
        }
    }

    pub fn warning(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    pub fn in_file(mut self, file: impl AsRef<Path>) -> Self {
        self.file = Some(file.as_ref().to_path_buf());
        self
    }

    pub fn at(mut self, location: Option<Location>) -> Self {
        self.location = location;
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// `file:line:column: error[TP1003]: message`, the form compilers print and editors link.
impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{}", file.display())?;
            if let Some(loc) = self.location {
                write!(f, ":{}:{}", loc.line, loc.column)?;
            }
            f.write_str(": ")?;
        }
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{sev}[{}]: {}", self.code, self.message)
    }
}

/// Implemented by every layer's error enum.
pub trait ToDiagnostic {
    fn to_diagnostic(&self) -> Diagnostic;
}

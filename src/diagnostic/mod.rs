//! The one shape every error and warning takes before it is rendered: a stable code, the file it
//! is about, where in that file, and a message that says what to do.
//!
//! Each layer keeps its own thiserror enum (manifest, project, deps, publish folder, plan, apply);
//! each variant knows its code and converts into a [`Diagnostic`]. Renderers (text, JSON, later
//! MSBuild) only ever see diagnostics.

pub mod codes;

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;

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

/// How diagnostics are printed on stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MessageFormat {
    /// `file:line:col: error[TP1003]: message`, as compilers print.
    #[default]
    Human,
    /// MSBuild canonical messages, `file(line,col): error TP1003: message`: an `Exec` task turns
    /// them into real build errors and warnings with clickable locations.
    Msbuild,
    /// GitHub Actions workflow commands, `::error file=..,line=..,col=..::message`: annotations on
    /// the changed files and in the job summary.
    Github,
}

impl Diagnostic {
    /// The diagnostic in `format`. `color` adds ANSI colour to the severity (human format only).
    pub fn render(&self, format: MessageFormat, color: bool) -> String {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        match format {
            MessageFormat::Human if color => {
                let (start, end) = match self.severity {
                    Severity::Error => ("\x1b[1;31m", "\x1b[0m"),
                    Severity::Warning => ("\x1b[1;33m", "\x1b[0m"),
                };
                let plain = self.to_string();
                let tag = format!("{severity}[{}]", self.code);
                plain.replacen(&tag, &format!("{start}{tag}{end}"), 1)
            }
            MessageFormat::Human => self.to_string(),
            MessageFormat::Msbuild => {
                // One line per message: MSBuild reads its canonical format line by line.
                let text = one_line(&self.message);
                let origin = self
                    .file
                    .as_ref()
                    .map_or_else(|| "trim-publish".to_string(), |f| f.display().to_string());
                match self.location {
                    Some(l) => format!(
                        "{origin}({},{}): {severity} {}: {text}",
                        l.line, l.column, self.code
                    ),
                    None => format!("{origin} : {severity} {}: {text}", self.code),
                }
            }
            MessageFormat::Github => {
                let mut props = Vec::new();
                if let Some(f) = &self.file {
                    props.push(format!(
                        "file={}",
                        escape_property(&f.display().to_string())
                    ));
                }
                if let Some(l) = self.location {
                    props.push(format!("line={}", l.line));
                    props.push(format!("col={}", l.column));
                }
                props.push(format!(
                    "title={}",
                    escape_property(&format!("trim-publish {}", self.code))
                ));
                format!(
                    "::{severity} {}::{}",
                    props.join(","),
                    escape_data(&self.message)
                )
            }
        }
    }
}

fn one_line(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Workflow command data: `%`, CR and LF are escaped.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Workflow command properties: additionally `:` and `,`.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// Implemented by every layer's error enum.
pub trait ToDiagnostic {
    fn to_diagnostic(&self) -> Diagnostic;
}

/// Where in a file something is: 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Location {
    pub line: usize,
    pub column: usize,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn located() -> Diagnostic {
        Diagnostic::error("TP1003", "malformed XML: expected `</a>`\n  second line")
            .in_file("dir/a,b:c.xml")
            .at(Some(Location { line: 3, column: 7 }))
    }

    #[test]
    fn human() {
        assert_eq!(
            located().render(MessageFormat::Human, false),
            "dir/a,b:c.xml:3:7: error[TP1003]: malformed XML: expected `</a>`\n  second line"
        );
        let colored = located().render(MessageFormat::Human, true);
        assert!(
            colored.contains("\x1b[1;31merror[TP1003]\x1b[0m"),
            "{colored:?}"
        );
        let w = Diagnostic::warning("TP1007", "empty");
        assert_eq!(
            w.render(MessageFormat::Human, false),
            "warning[TP1007]: empty"
        );
    }

    #[test]
    fn msbuild_canonical() {
        assert_eq!(
            located().render(MessageFormat::Msbuild, false),
            "dir/a,b:c.xml(3,7): error TP1003: malformed XML: expected `</a>` second line"
        );
        assert_eq!(
            Diagnostic::warning("TP1007", "empty")
                .in_file("m.xml")
                .render(MessageFormat::Msbuild, false),
            "m.xml : warning TP1007: empty"
        );
        assert_eq!(
            Diagnostic::error("TP0002", "no manifests").render(MessageFormat::Msbuild, false),
            "trim-publish : error TP0002: no manifests"
        );
    }

    #[test]
    fn github_workflow_commands() {
        assert_eq!(
            located().render(MessageFormat::Github, true),
            "::error file=dir/a%2Cb%3Ac.xml,line=3,col=7,title=trim-publish TP1003::malformed XML: expected `</a>`%0A  second line"
        );
        assert_eq!(
            Diagnostic::warning("TP1007", "100% empty").render(MessageFormat::Github, false),
            "::warning title=trim-publish TP1007::100%25 empty"
        );
    }
}

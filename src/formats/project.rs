//! `TargetManifestFiles` from a .csproj, evaluated the way MSBuild would for the common cases.
//!
//! Properties are evaluated in document order (a later definition overrides an earlier one, a
//! value may refer to itself), `$(Name)` expands properties defined earlier, global properties
//! from `--property` and the reserved `MSBuildProject*`/`MSBuildThisFile*` ones, and conditions
//! may use `==`, `!=`, `and`, `or`, `!` and parentheses. Anything else (property functions, item
//! lists, `Exists()`, a property the project does not define) makes the value *unknown*; an
//! unknown value only becomes an error when TargetManifestFiles depends on it. Never a guess.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::diagnostic::{Diagnostic, ToDiagnostic};
use crate::formats::text::{self, DecodeError, Location};
use crate::formats::xml::{Element, XmlEvent, XmlProblem, XmlReader};

const PROPERTY: &str = "TargetManifestFiles";

#[derive(Debug, thiserror::Error)]
pub enum ProjectError {
    #[error("cannot read the project file: {source}")]
    Unreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot read the project file as text: {source}")]
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
    #[error("the root element is <{found}>, not <Project>; is this an MSBuild project file?")]
    NotAProject {
        path: PathBuf,
        location: Location,
        found: String,
    },
    #[error(
        "the project does not set TargetManifestFiles{imports}; pass the manifests with --manifest"
    )]
    NotSet { path: PathBuf, imports: String },
    #[error("cannot evaluate TargetManifestFiles: {reason}. Pass --property NAME=VALUE for the properties it depends on, or give the manifests with --manifest")]
    CannotEvaluate {
        path: PathBuf,
        location: Location,
        reason: String,
    },
}

impl ToDiagnostic for ProjectError {
    fn to_diagnostic(&self) -> Diagnostic {
        let (code, path, location) = match self {
            ProjectError::Unreadable { path, .. } | ProjectError::Encoding { path, .. } => {
                (crate::diagnostic::codes::PROJECT_UNREADABLE, path, None)
            }
            ProjectError::Malformed { path, location, .. }
            | ProjectError::NotAProject { path, location, .. } => (
                crate::diagnostic::codes::PROJECT_MALFORMED,
                path,
                Some(*location),
            ),
            ProjectError::NotSet { path, .. } => (
                crate::diagnostic::codes::PROJECT_WITHOUT_MANIFESTS,
                path,
                None,
            ),
            ProjectError::CannotEvaluate { path, location, .. } => (
                crate::diagnostic::codes::PROJECT_NOT_EVALUATED,
                path,
                Some(*location),
            ),
        };
        Diagnostic::error(code, self.to_string())
            .in_file(path)
            .at(location)
    }
}

/// The manifests a project names, resolved against its directory, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectManifests {
    pub paths: Vec<PathBuf>,
    /// The definition that produced the final value.
    pub location: Location,
}

#[derive(Debug, Clone)]
enum Value {
    Known(String),
    /// Cannot be evaluated here; the reason and where it was defined.
    Unknown(String, Location),
}

struct Evaluator {
    /// Keys are lower case: MSBuild property names are case-insensitive.
    properties: HashMap<String, Value>,
    globals: HashMap<String, String>,
    reserved: HashMap<String, String>,
    /// Where the final TargetManifestFiles value was defined.
    defined_at: Option<Location>,
    imports: Vec<String>,
}

/// Reads `TargetManifestFiles` from project bytes. `globals` are `--property` values, which
/// override the project as MSBuild global properties do.
pub fn target_manifest_files(
    project: &Path,
    bytes: &[u8],
    globals: &[(String, String)],
) -> Result<ProjectManifests, ProjectError> {
    let text = text::decode(bytes).map_err(|source| ProjectError::Encoding {
        path: project.to_path_buf(),
        source,
    })?;
    let malformed = |p: XmlProblem| ProjectError::Malformed {
        path: project.to_path_buf(),
        location: p.location,
        message: p.message,
    };
    let mut reader = XmlReader::new(&text);
    let root = loop {
        match reader.next_event().map_err(malformed)? {
            XmlEvent::Start(e) => break e,
            _ => continue,
        }
    };
    if root.local_name != "Project" {
        return Err(ProjectError::NotAProject {
            path: project.to_path_buf(),
            location: reader.location(root.offset),
            found: root.local_name,
        });
    }
    let dir = project.parent().unwrap_or(Path::new(""));
    let mut ev = Evaluator {
        properties: HashMap::new(),
        globals: globals
            .iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
            .collect(),
        reserved: reserved_properties(project, dir),
        defined_at: None,
        imports: Vec::new(),
    };
    if !root.empty {
        ev.project_children(&mut reader).map_err(malformed)?;
    }
    while !matches!(reader.next_event().map_err(malformed)?, XmlEvent::Eof) {}

    let key = PROPERTY.to_ascii_lowercase();
    let value = match ev.globals.get(&key) {
        Some(v) => Value::Known(v.clone()),
        None => match ev.properties.get(&key) {
            Some(v) => v.clone(),
            None => {
                let imports = if ev.imports.is_empty() {
                    String::new()
                } else {
                    format!(" (its imports are not read: {})", ev.imports.join(", "))
                };
                return Err(ProjectError::NotSet {
                    path: project.to_path_buf(),
                    imports,
                });
            }
        },
    };
    match value {
        Value::Unknown(reason, location) => Err(ProjectError::CannotEvaluate {
            path: project.to_path_buf(),
            location,
            reason,
        }),
        Value::Known(v) => Ok(ProjectManifests {
            paths: split_paths(&v, dir),
            location: ev.defined_at.unwrap_or(Location { line: 1, column: 1 }),
        }),
    }
}

/// `a.xml; sub\b.xml;;` -> `[dir/a.xml, dir/sub/b.xml]`. MSBuild on Unix accepts `\`.
pub fn split_paths(value: &str, base: &Path) -> Vec<PathBuf> {
    value
        .split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            let s = if cfg!(windows) {
                s.to_string()
            } else {
                s.replace('\\', "/")
            };
            base.join(s)
        })
        .collect()
}

fn reserved_properties(project: &Path, dir: &Path) -> HashMap<String, String> {
    let full = project.display().to_string();
    let dir_s = dir.display().to_string();
    let sep = std::path::MAIN_SEPARATOR;
    let dir_slash = if dir_s.is_empty() || dir_s.ends_with(sep) {
        dir_s.clone()
    } else {
        format!("{dir_s}{sep}")
    };
    let file = crate::formats::text::file_name(project);
    let stem = project
        .file_stem()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let ext = project
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    [
        ("MSBuildProjectDirectory", dir_s.clone()),
        ("MSBuildProjectFullPath", full.clone()),
        ("MSBuildProjectFile", file.clone()),
        ("MSBuildProjectName", stem.clone()),
        ("MSBuildProjectExtension", ext),
        ("MSBuildThisFileDirectory", dir_slash),
        ("MSBuildThisFileFullPath", full),
        ("MSBuildThisFile", file),
        ("MSBuildThisFileName", stem),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_ascii_lowercase(), v))
    .collect()
}

impl Evaluator {
    fn project_children(&mut self, reader: &mut XmlReader<'_>) -> Result<(), XmlProblem> {
        loop {
            match reader.next_event()? {
                XmlEvent::End if reader.depth() == 0 => return Ok(()),
                XmlEvent::Eof => return Ok(()),
                XmlEvent::Start(e) => match e.local_name.as_str() {
                    "PropertyGroup" => {
                        let cond = self.condition(reader, &e);
                        if !e.empty {
                            self.property_group(reader, cond)?;
                        }
                    }
                    "Import" => {
                        if let Some(p) = e.attribute("Project") {
                            self.imports.push(p.value.clone());
                        }
                        if !e.empty {
                            reader.skip_element()?;
                        }
                    }
                    "Choose" => {
                        let why = "it is set inside <Choose>, which trim-publish does not evaluate";
                        if !e.empty {
                            self.poison_nested(reader, why)?;
                        }
                    }
                    "Target" => {
                        let name = e
                            .attribute("Name")
                            .map(|a| a.value.clone())
                            .unwrap_or_default();
                        let why = format!(
                            "it is set inside <Target Name=\"{name}\">, which only runs during a build"
                        );
                        if !e.empty {
                            self.poison_nested(reader, &why)?;
                        }
                    }
                    _ => {
                        if !e.empty {
                            reader.skip_element()?;
                        }
                    }
                },
                _ => {}
            }
        }
    }

    /// Evaluates an element's `Condition`: `Ok(true)` when absent.
    fn condition(&self, reader: &XmlReader<'_>, e: &Element) -> Result<bool, (String, Location)> {
        match e.attribute("Condition") {
            None => Ok(true),
            Some(c) => {
                let location = reader.location(c.offset);
                eval_condition(&c.value, &|name| self.lookup(name, None))
                    .map_err(|why| (format!("condition `{}`: {why}", c.value.trim()), location))
            }
        }
    }

    fn property_group(
        &mut self,
        reader: &mut XmlReader<'_>,
        group: Result<bool, (String, Location)>,
    ) -> Result<(), XmlProblem> {
        let depth = reader.depth();
        loop {
            match reader.next_event()? {
                XmlEvent::End if reader.depth() < depth => return Ok(()),
                XmlEvent::Eof => return Ok(()),
                XmlEvent::Start(e) => {
                    let location = reader.location(e.offset);
                    let own = self.condition(reader, &e);
                    let (raw, has_children) = element_text(reader, &e)?;
                    let name = e.local_name.clone();
                    let applies = group.clone().and_then(|g| own.map(|o| g && o));
                    let key = name.to_ascii_lowercase();
                    let new = match applies {
                        Ok(false) => continue,
                        Err((reason, at)) => Value::Unknown(reason, at),
                        Ok(true) if has_children => Value::Unknown(
                            format!("<{name}> contains XML elements, not text"),
                            location,
                        ),
                        Ok(true) => match expand(&raw, &|n| self.lookup(n, Some(&key))) {
                            Ok(v) => Value::Known(v),
                            Err(why) => Value::Unknown(
                                format!("<{name}>{}</{name}>: {why}", raw.trim()),
                                location,
                            ),
                        },
                    };
                    if key == PROPERTY.to_ascii_lowercase() {
                        self.defined_at = Some(location);
                    }
                    self.properties.insert(key, new);
                }
                _ => {}
            }
        }
    }

    /// Marks every property set below the current element as unknown.
    fn poison_nested(&mut self, reader: &mut XmlReader<'_>, why: &str) -> Result<(), XmlProblem> {
        let depth = reader.depth();
        let mut in_group = 0usize;
        loop {
            match reader.next_event()? {
                XmlEvent::End if reader.depth() < depth => return Ok(()),
                XmlEvent::End if in_group > 0 && reader.depth() < in_group => in_group = 0,
                XmlEvent::End => {}
                XmlEvent::Eof => return Ok(()),
                XmlEvent::Start(e) => {
                    if e.local_name == "PropertyGroup" {
                        if !e.empty {
                            in_group = reader.depth();
                        }
                    } else if in_group > 0 && reader.depth() == in_group + usize::from(!e.empty) {
                        let key = e.local_name.to_ascii_lowercase();
                        let location = reader.location(e.offset);
                        self.properties
                            .insert(key, Value::Unknown(why.to_string(), location));
                    }
                }
                _ => {}
            }
        }
    }

    /// A property's value for expansion. `assigning` is the property being defined: a reference
    /// to itself before any definition is empty, as in MSBuild (`$(P);extra.xml`).
    fn lookup(&self, name: &str, assigning: Option<&str>) -> Result<String, String> {
        let key = name.to_ascii_lowercase();
        if let Some(v) = self.globals.get(&key) {
            return Ok(v.clone());
        }
        if let Some(v) = self.reserved.get(&key) {
            return Ok(v.clone());
        }
        match self.properties.get(&key) {
            Some(Value::Known(v)) => Ok(v.clone()),
            Some(Value::Unknown(why, at)) => Err(format!(
                "$({name}) (line {}) cannot be evaluated: {why}",
                at.line
            )),
            None if assigning == Some(key.as_str()) => Ok(String::new()),
            None => Err(format!(
                "$({name}) is not defined in this project (it may come from the command line, an import or the SDK)"
            )),
        }
    }
}

/// The text content of the element just started, and whether it has child elements.
fn element_text(reader: &mut XmlReader<'_>, e: &Element) -> Result<(String, bool), XmlProblem> {
    let mut text = String::new();
    let mut children = false;
    if e.empty {
        return Ok((text, children));
    }
    let depth = reader.depth();
    loop {
        match reader.next_event()? {
            XmlEvent::Text(t, _) if reader.depth() == depth => text.push_str(&t),
            XmlEvent::Start(_) => children = true,
            XmlEvent::End if reader.depth() < depth => return Ok((text, children)),
            XmlEvent::Eof => return Ok((text, children)),
            _ => {}
        }
    }
}

/// Expands `$(Name)` references; refuses property functions, item lists and metadata.
/// A property value longer than this is an error: no real project comes near it, and properties
/// that double each other would otherwise grow without bound.
const MAX_VALUE: usize = 1 << 20;

/// How deeply `!` and parentheses may nest in a condition: far beyond any real project, far
/// below the stack.
const MAX_CONDITION_DEPTH: usize = 64;

fn expand(raw: &str, lookup: &dyn Fn(&str) -> Result<String, String>) -> Result<String, String> {
    let too_long = || {
        Err(format!(
            "the value grows past {} MiB (properties that reference each other repeatedly)",
            MAX_VALUE >> 20
        ))
    };
    if raw.len() > MAX_VALUE {
        return too_long();
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(i) = rest.find(['$', '@', '%']) {
        out.push_str(&rest[..i]);
        let marker = rest.as_bytes()[i];
        let after = &rest[i + 1..];
        if !after.starts_with('(') {
            out.push(marker as char);
            rest = after;
            continue;
        }
        let Some(close) = after.find(')') else {
            return Err(format!("unterminated `{}(`", marker as char));
        };
        let inner = &after[1..close];
        match marker {
            b'@' => return Err(format!("item list `@({inner})` is not supported")),
            b'%' => return Err(format!("item metadata `%({inner})` is not supported")),
            _ => {}
        }
        let name = inner.trim();
        let simple = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !simple {
            return Err(format!("property function `$({inner})` is not supported"));
        }
        out.push_str(&lookup(name)?);
        if out.len() > MAX_VALUE {
            return too_long();
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Evaluates an MSBuild condition of the supported subset.
fn eval_condition(
    cond: &str,
    lookup: &dyn Fn(&str) -> Result<String, String>,
) -> Result<bool, String> {
    let tokens = tokenize(cond)?;
    let mut p = CondParser {
        tokens: &tokens,
        i: 0,
        depth: 0,
        lookup,
    };
    let v = p.or()?;
    if p.i != tokens.len() {
        return Err("unexpected text after the expression".into());
    }
    Ok(v)
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Str(String),
    Word(String),
    Eq,
    Ne,
    Not,
    Open,
    Close,
}

fn tokenize(s: &str) -> Result<Vec<Tok>, String> {
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match c {
            b' ' | b'\t' | b'\r' | b'\n' => i += 1,
            b'\'' => {
                let end = s[i + 1..].find('\'').ok_or("unterminated quoted string")?;
                out.push(Tok::Str(s[i + 1..i + 1 + end].to_string()));
                i += end + 2;
            }
            b'=' if b.get(i + 1) == Some(&b'=') => {
                out.push(Tok::Eq);
                i += 2;
            }
            b'!' if b.get(i + 1) == Some(&b'=') => {
                out.push(Tok::Ne);
                i += 2;
            }
            b'!' => {
                out.push(Tok::Not);
                i += 1;
            }
            b'(' => {
                out.push(Tok::Open);
                i += 1;
            }
            b')' => {
                out.push(Tok::Close);
                i += 1;
            }
            b'<' | b'>' => return Err("numeric comparisons are not supported".into()),
            b'$' => {
                // An unquoted property reference: `$(Foo) == 'x'`.
                let end = s[i..].find(')').ok_or("unterminated `$(`")?;
                out.push(Tok::Str(s[i..=i + end].to_string()));
                i += end + 1;
            }
            _ if c.is_ascii_alphanumeric() || c == b'_' || c == b'.' => {
                let start = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'.')
                {
                    i += 1;
                }
                let word = &s[start..i];
                if b.get(i) == Some(&b'(') {
                    return Err(format!("function `{word}()` is not supported"));
                }
                out.push(Tok::Word(word.to_string()));
            }
            _ => return Err(format!("unexpected `{}`", c as char)),
        }
    }
    Ok(out)
}

struct CondParser<'t, 'l> {
    tokens: &'t [Tok],
    i: usize,
    /// Nesting of `!` and parentheses so far (bounded: the parser recurses).
    depth: usize,
    lookup: &'l dyn Fn(&str) -> Result<String, String>,
}

impl CondParser<'_, '_> {
    fn peek_word(&self, w: &str) -> bool {
        matches!(self.tokens.get(self.i), Some(Tok::Word(x)) if x.eq_ignore_ascii_case(w))
    }

    fn or(&mut self) -> Result<bool, String> {
        let mut v = self.and()?;
        while self.peek_word("or") {
            self.i += 1;
            let r = self.and()?;
            v = v || r;
        }
        Ok(v)
    }

    fn and(&mut self) -> Result<bool, String> {
        let mut v = self.unary()?;
        while self.peek_word("and") {
            self.i += 1;
            let r = self.unary()?;
            v = v && r;
        }
        Ok(v)
    }

    fn unary(&mut self) -> Result<bool, String> {
        self.depth += 1;
        if self.depth > MAX_CONDITION_DEPTH {
            return Err(format!(
                "`!` and parentheses nest deeper than {MAX_CONDITION_DEPTH} levels"
            ));
        }
        let v = self.unary_inner();
        self.depth -= 1;
        v
    }

    fn unary_inner(&mut self) -> Result<bool, String> {
        match self.tokens.get(self.i) {
            Some(Tok::Not) => {
                self.i += 1;
                Ok(!self.unary()?)
            }
            Some(Tok::Open) => {
                self.i += 1;
                let v = self.or()?;
                if self.tokens.get(self.i) != Some(&Tok::Close) {
                    return Err("missing `)`".into());
                }
                self.i += 1;
                Ok(v)
            }
            _ => self.comparison(),
        }
    }

    fn operand(&mut self) -> Result<String, String> {
        let v = match self.tokens.get(self.i) {
            Some(Tok::Str(s)) => expand(s, self.lookup)?,
            Some(Tok::Word(w)) => w.clone(),
            other => return Err(format!("expected a value, found {other:?}")),
        };
        self.i += 1;
        Ok(v)
    }

    fn comparison(&mut self) -> Result<bool, String> {
        let left = self.operand()?;
        let op = match self.tokens.get(self.i) {
            Some(Tok::Eq) => true,
            Some(Tok::Ne) => false,
            _ => {
                return match left.to_ascii_lowercase().as_str() {
                    "true" | "on" | "yes" => Ok(true),
                    "false" | "off" | "no" => Ok(false),
                    _ => Err(format!("`{left}` is not a boolean")),
                }
            }
        };
        self.i += 1;
        let right = self.operand()?;
        // MSBuild compares strings ignoring case.
        let equal = left.eq_ignore_ascii_case(&right);
        Ok(if op { equal } else { !equal })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(xml: &str, globals: &[(&str, &str)]) -> Result<Vec<String>, ProjectError> {
        let globals: Vec<_> = globals
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        target_manifest_files(Path::new("/p/App.csproj"), xml.as_bytes(), &globals)
            .map(|m| m.paths.iter().map(|p| p.display().to_string()).collect())
    }

    #[test]
    fn simple_value_relative_to_the_project() {
        let xml = "\u{feff}<Project Sdk=\"Microsoft.NET.Sdk\">\n  <PropertyGroup>\n    <TargetManifestFiles>artifact.xml</TargetManifestFiles>\n  </PropertyGroup>\n</Project>";
        assert_eq!(read(xml, &[]).unwrap(), ["/p/artifact.xml"]);
    }

    #[test]
    fn later_groups_override_and_values_append_to_themselves() {
        let xml = r#"<Project>
  <PropertyGroup><TargetManifestFiles>a.xml</TargetManifestFiles></PropertyGroup>
  <PropertyGroup><TargetManifestFiles>b.xml</TargetManifestFiles></PropertyGroup>
  <PropertyGroup><TargetManifestFiles>$(TargetManifestFiles);sub\c.xml; $(MSBuildProjectDirectory)/d.xml;$(MSBuildThisFileDirectory)e.xml</TargetManifestFiles></PropertyGroup>
</Project>"#;
        assert_eq!(
            read(xml, &[]).unwrap(),
            ["/p/b.xml", "/p/sub/c.xml", "/p/d.xml", "/p/e.xml"]
        );
    }

    #[test]
    fn self_reference_before_any_definition_is_empty() {
        let xml = "<Project><PropertyGroup><TargetManifestFiles>$(TargetManifestFiles);x.xml</TargetManifestFiles></PropertyGroup></Project>";
        assert_eq!(read(xml, &[]).unwrap(), ["/p/x.xml"]);
    }

    #[test]
    fn conditions_use_global_properties() {
        let xml = r#"<Project>
  <PropertyGroup Condition="'$(Configuration)' == 'Release'">
    <TargetManifestFiles>release.xml</TargetManifestFiles>
  </PropertyGroup>
  <PropertyGroup>
    <TargetManifestFiles Condition=" '$(Configuration)|$(Platform)' != 'Release|AnyCPU' ">$(TargetManifestFiles);other.xml</TargetManifestFiles>
  </PropertyGroup>
</Project>"#;
        assert_eq!(
            read(xml, &[("configuration", "release"), ("Platform", "AnyCPU")]).unwrap(),
            ["/p/release.xml"]
        );
        assert_eq!(
            read(xml, &[("Configuration", "Release"), ("Platform", "x64")]).unwrap(),
            ["/p/release.xml", "/p/other.xml"]
        );
        assert_eq!(
            read(xml, &[("Configuration", "Debug"), ("Platform", "x64")]).unwrap(),
            ["/p/other.xml"]
        );
    }

    #[test]
    fn unknown_condition_inputs_are_errors_not_guesses() {
        let xml = r#"<Project>
  <PropertyGroup Condition="'$(Configuration)' == 'Release'">
    <TargetManifestFiles>release.xml</TargetManifestFiles>
  </PropertyGroup>
</Project>"#;
        let e = read(xml, &[]).unwrap_err();
        let d = e.to_diagnostic();
        assert_eq!(d.code, "TP1104");
        assert!(
            d.message.contains("$(Configuration) is not defined"),
            "{}",
            d.message
        );
        assert!(d.message.contains("--property"), "{}", d.message);
        assert!(d.message.contains("--manifest"), "{}", d.message);
        assert_eq!(d.location.map(|l| l.line), Some(2));
    }

    #[test]
    fn properties_defined_earlier_expand_and_unused_unknowns_do_not_matter() {
        let xml = r#"<Project>
  <PropertyGroup Condition="Exists('x')"><Unrelated>1</Unrelated></PropertyGroup>
  <PropertyGroup>
    <StoreManifests>$(MSBuildProjectDirectory)/store</StoreManifests>
    <TargetManifestFiles>$(StoreManifests)/a.xml</TargetManifestFiles>
  </PropertyGroup>
</Project>"#;
        assert_eq!(read(xml, &[]).unwrap(), ["/p/store/a.xml"]);
    }

    #[test]
    fn unsupported_constructs_say_so() {
        for (value, needle) in [
            ("$([System.IO.Path]::Combine('a','b'))", "property function"),
            ("@(Manifests)", "item list"),
            ("$(Undefined)/a.xml", "$(Undefined) is not defined"),
        ] {
            let xml = format!("<Project><PropertyGroup><TargetManifestFiles>{value}</TargetManifestFiles></PropertyGroup></Project>");
            let d = read(&xml, &[]).unwrap_err().to_diagnostic();
            assert_eq!(d.code, "TP1104", "{value}");
            assert!(d.message.contains(needle), "{value}: {}", d.message);
        }
        let xml = "<Project><PropertyGroup Condition=\"Exists('a.xml')\"><TargetManifestFiles>a.xml</TargetManifestFiles></PropertyGroup></Project>";
        let d = read(xml, &[]).unwrap_err().to_diagnostic();
        assert!(d.message.contains("function `Exists()`"), "{}", d.message);
    }

    #[test]
    fn a_later_unconditional_definition_clears_an_unknown() {
        let xml = "<Project><PropertyGroup Condition=\"Exists('a')\"><TargetManifestFiles>a.xml</TargetManifestFiles></PropertyGroup><PropertyGroup><TargetManifestFiles>b.xml</TargetManifestFiles></PropertyGroup></Project>";
        assert_eq!(read(xml, &[]).unwrap(), ["/p/b.xml"]);
    }

    #[test]
    fn choose_and_targets_are_not_evaluated() {
        let xml = "<Project><Choose><When Condition=\"true\"><PropertyGroup><TargetManifestFiles>a.xml</TargetManifestFiles></PropertyGroup></When></Choose></Project>";
        let d = read(xml, &[]).unwrap_err().to_diagnostic();
        assert!(d.message.contains("<Choose>"), "{}", d.message);
        let xml = "<Project><Target Name=\"T\"><PropertyGroup><TargetManifestFiles>a.xml</TargetManifestFiles></PropertyGroup></Target></Project>";
        let d = read(xml, &[]).unwrap_err().to_diagnostic();
        assert!(d.message.contains("<Target Name=\"T\">"), "{}", d.message);
    }

    #[test]
    fn global_property_overrides_the_project() {
        let xml = "<Project><PropertyGroup><TargetManifestFiles>a.xml</TargetManifestFiles></PropertyGroup></Project>";
        assert_eq!(
            read(xml, &[("TargetManifestFiles", "x.xml;y.xml")]).unwrap(),
            ["/p/x.xml", "/p/y.xml"]
        );
    }

    #[test]
    fn not_set_and_not_a_project() {
        let d = read(
            "<Project Sdk=\"Microsoft.NET.Sdk\"><Import Project=\"common.props\"/></Project>",
            &[],
        )
        .unwrap_err()
        .to_diagnostic();
        assert_eq!(d.code, "TP1103");
        assert!(d.message.contains("common.props"), "{}", d.message);
        let d = read("<StoreArtifacts/>", &[]).unwrap_err().to_diagnostic();
        assert_eq!(d.code, "TP1102");
    }

    #[test]
    fn condition_grammar() {
        let look = |n: &str| -> Result<String, String> {
            match n {
                "A" => Ok("x".into()),
                _ => Err(format!("{n} undefined")),
            }
        };
        assert!(eval_condition("'$(A)' == 'X'", &look).unwrap());
        assert!(!eval_condition("'$(A)' != 'x'", &look).unwrap());
        assert!(
            eval_condition("('$(A)' == 'y' or '$(A)' == 'x') and !('a' == 'b')", &look).unwrap()
        );
        assert!(eval_condition("$(A) == 'x'", &look).unwrap());
        assert!(eval_condition("true", &look).unwrap());
        assert!(eval_condition("'$(B)' == ''", &look).is_err());
        assert!(eval_condition("'1' < '2'", &look).is_err());
        assert!(eval_condition("'a' == ", &look).is_err());
    }

    /// Regression (issue 11): thousands of nested parentheses or `!` overflowed the stack
    /// (SIGABRT), and properties that double each other grew memory without bound. Both are
    /// located errors now.
    #[test]
    fn deep_conditions_and_exploding_values_are_errors() {
        for cond in [
            format!("{}'a' == 'a'{}", "(".repeat(5000), ")".repeat(5000)),
            format!("{}true", "!".repeat(5000)),
        ] {
            let xml = format!(
                "<Project><PropertyGroup Condition=\"{cond}\"><TargetManifestFiles>a.xml</TargetManifestFiles></PropertyGroup></Project>"
            );
            let e = read(&xml, &[]).unwrap_err().to_diagnostic();
            assert!(
                e.message.contains("nest deeper than 64 levels"),
                "{}",
                e.message
            );
            assert!(e.location.is_some());
        }
        let mut xml = String::from("<Project><PropertyGroup><A>xxxxxxxxxxxxxxxx</A>");
        for _ in 0..40 {
            xml.push_str("<A>$(A)$(A)</A>");
        }
        xml.push_str("<TargetManifestFiles>$(A)</TargetManifestFiles></PropertyGroup></Project>");
        let e = read(&xml, &[]).unwrap_err().to_diagnostic();
        assert!(e.message.contains("grows past 1 MiB"), "{}", e.message);
    }
}

//! The SDK's one change to deps.json: `"runtimeStoreManifestName": "a.xml;b.xml"` as the last
//! property of each trimmed package's entry in `libraries`.
//!
//! Re-serialising the whole file would reorder nothing but would still reformat numbers, escapes
//! and whitespace; instead we splice the property into the original text, copying the indentation,
//! the `": "` separator and the line endings of the neighbouring property, so the diff is exactly
//! the added lines. Pure: text in, text out.

use crate::formats::jsonspan::{Member, Scanner};

/// Why the text could not be edited (it was already validated by serde, so this means a bug or
/// a file changed under us).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    #[error("deps.json has no `libraries` object")]
    NoLibraries,
    #[error("deps.json `libraries` has no entry `{0}`")]
    NoLibrary(String),
    #[error("unexpected JSON at byte {0}")]
    Syntax(usize),
}

const PROPERTY: &str = "runtimeStoreManifestName";

/// Sets `runtimeStoreManifestName` on each named library entry (adding it as the last property,
/// or replacing its value when present). Returns the new text; unchanged when nothing differs.
pub fn set_manifest_names(text: &str, edits: &[(&str, &str)]) -> Result<String, EditError> {
    let bytes = text.as_bytes();
    let libs = crate::formats::jsonspan::members_at(text, &["libraries"])
        .map_err(EditError::Syntax)?
        .ok_or(EditError::NoLibraries)?;
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };

    // Linear in the edits and the text: an index of the entries, and one pass to assemble the
    // output (looking each entry up in a list and splicing in place were both quadratic, 48 s
    // at 80,000 packages).
    let index: std::collections::HashMap<&str, &Member> =
        libs.iter().map(|m| (m.key.as_str(), m)).collect();
    // (offset, length to replace, replacement).
    let mut splices: Vec<(usize, usize, String)> = Vec::with_capacity(edits.len());
    for &(key, value) in edits {
        let lib = *index
            .get(key)
            .ok_or_else(|| EditError::NoLibrary(key.to_string()))?;
        let encoded = serde_json::to_string(value).expect("strings always serialise");
        let members: Vec<Member> = Scanner::at(bytes, lib.value.0)
            .object_members()
            .map_err(EditError::Syntax)?;
        if let Some(existing) = members.iter().find(|m| m.key == PROPERTY) {
            let (start, end) = existing.value;
            if text[start..end] != encoded {
                splices.push((start, end - start, encoded));
            }
        } else if let Some(last) = members.last() {
            let indent = line_indent(text, last.key_start);
            let separator = &text[last.key_end..last.value.0];
            let json_key = serde_json::to_string(PROPERTY).expect("string");
            splices.push((
                last.value.1,
                0,
                format!(",{newline}{indent}{json_key}{separator}{encoded}"),
            ));
        } else {
            // `{}`: open it up one level deeper than the library key.
            let (start, end) = lib.value;
            let outer = line_indent(text, lib.key_start);
            splices.push((
                start,
                end - start,
                format!("{{{newline}{outer}  \"{PROPERTY}\": {encoded}{newline}{outer}}}"),
            ));
        }
    }
    splices.sort_by_key(|s| s.0);
    let added: usize = splices.iter().map(|s| s.2.len()).sum();
    let mut out = String::with_capacity(text.len() + added);
    let mut copied = 0;
    for (at, len, with) in splices {
        out.push_str(&text[copied..at]);
        out.push_str(&with);
        copied = at + len;
    }
    out.push_str(&text[copied..]);
    Ok(out)
}

/// The whitespace that starts the line holding `offset`.
fn line_indent(text: &str, offset: usize) -> &str {
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let rest = &text[line_start..offset];
    let n = rest.len() - rest.trim_start().len();
    &rest[..n]
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEPS: &str = r#"{
  "runtimeTarget": {
    "name": ".NETCoreApp,Version=v3.1"
  },
  "targets": {
    ".NETCoreApp,Version=v3.1": {
      "Acme.Greeter/1.2.3": {
        "runtime": { "lib/a.dll": {} }
      }
    }
  },
  "libraries": {
    "App/1.0.0": {
      "type": "project",
      "serviceable": false,
      "sha512": ""
    },
    "Acme.Greeter/1.2.3": {
      "type": "package",
      "serviceable": true,
      "sha512": "sha512-ab/c+d==",
      "path": "acme.greeter/1.2.3",
      "hashPath": "acme.greeter.1.2.3.nupkg.sha512"
    },
    "Empty/1.0.0": {}
  }
}"#;

    #[test]
    fn adds_the_property_last_with_the_same_formatting() {
        let out = set_manifest_names(DEPS, &[("Acme.Greeter/1.2.3", "a.xml;b.xml")]).unwrap();
        let expected = DEPS.replace(
            "\"hashPath\": \"acme.greeter.1.2.3.nupkg.sha512\"\n",
            "\"hashPath\": \"acme.greeter.1.2.3.nupkg.sha512\",\n      \"runtimeStoreManifestName\": \"a.xml;b.xml\"\n",
        );
        assert_eq!(out, expected);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(
            v["libraries"]["Acme.Greeter/1.2.3"]["runtimeStoreManifestName"],
            "a.xml;b.xml"
        );
    }

    #[test]
    fn second_run_is_a_no_op_and_a_new_value_replaces_the_old() {
        let once = set_manifest_names(DEPS, &[("Acme.Greeter/1.2.3", "a.xml")]).unwrap();
        let twice = set_manifest_names(&once, &[("Acme.Greeter/1.2.3", "a.xml")]).unwrap();
        assert_eq!(once, twice);
        let changed = set_manifest_names(&once, &[("Acme.Greeter/1.2.3", "c.xml")]).unwrap();
        assert_eq!(changed, once.replace("\"a.xml\"", "\"c.xml\""));
    }

    #[test]
    fn keeps_crlf_and_compact_separators() {
        let compact = DEPS.replace("\": ", "\":").replace('\n', "\r\n");
        let out = set_manifest_names(&compact, &[("Acme.Greeter/1.2.3", "a.xml")]).unwrap();
        assert!(out.contains(
            "\"hashPath\":\"acme.greeter.1.2.3.nupkg.sha512\",\r\n      \"runtimeStoreManifestName\":\"a.xml\"\r\n"
        ));
    }

    #[test]
    fn empty_entries_and_escaping() {
        let out = set_manifest_names(DEPS, &[("Empty/1.0.0", "we\"ird.xml")]).unwrap();
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(
            v["libraries"]["Empty/1.0.0"]["runtimeStoreManifestName"],
            "we\"ird.xml"
        );
        assert!(out.contains(
            "    \"Empty/1.0.0\": {\n      \"runtimeStoreManifestName\": \"we\\\"ird.xml\"\n    }"
        ));
    }

    #[test]
    fn several_edits_apply_together() {
        let out = set_manifest_names(
            DEPS,
            &[("Empty/1.0.0", "x.xml"), ("Acme.Greeter/1.2.3", "y.xml")],
        )
        .unwrap();
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(
            v["libraries"]["Empty/1.0.0"]["runtimeStoreManifestName"],
            "x.xml"
        );
        assert_eq!(
            v["libraries"]["Acme.Greeter/1.2.3"]["runtimeStoreManifestName"],
            "y.xml"
        );
    }

    #[test]
    fn missing_library_is_an_error() {
        assert_eq!(
            set_manifest_names(DEPS, &[("Nope/1.0", "a.xml")]),
            Err(EditError::NoLibrary("Nope/1.0".into()))
        );
        assert_eq!(set_manifest_names("{}", &[]), Err(EditError::NoLibraries));
    }
}

//! The crate's layering (see `src/lib.rs`): a module may use the layers below it and itself,
//! never one above or beside it, so the data flow stays readable and free of cycles.

use std::collections::BTreeMap;
use std::path::Path;

/// From the ground up; modules on one line do not use each other.
const LAYERS: &[&[&str]] = &[
    &["diagnostic", "exit"],
    &["formats"],
    &["host"],
    &["inputs"],
    &["report"],
    &["trim", "verify"],
    // The manifest command builds on the trim's planner (what a trim with a fleet's manifest
    // would remove) and its atomic writes.
    &["store_manifest"],
    &["cli"],
    &["lib", "main"],
];

fn layer_of(module: &str) -> usize {
    LAYERS
        .iter()
        .position(|l| l.contains(&module))
        .unwrap_or_else(|| panic!("src/{module}: add it to LAYERS in tests/layout.rs"))
}

#[test]
fn nothing_imports_upward_or_sideways() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut violations = BTreeMap::new();
    for entry in walkdir::WalkDir::new(&src) {
        let entry = entry.unwrap();
        if entry.path().extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let relative = entry.path().strip_prefix(&src).unwrap();
        let first = relative
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .into_owned();
        let module = first.trim_end_matches(".rs").to_string();
        let text = std::fs::read_to_string(entry.path()).unwrap();
        // Unit tests may reach anywhere; comments are not imports.
        let code: Vec<&str> = text
            .split("#[cfg(test)]")
            .next()
            .unwrap()
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect();
        for line in code {
            for (i, _) in line.match_indices("crate::") {
                let target: String = line[i + 7..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if target.is_empty() || target == module {
                    continue;
                }
                // Root re-exports (`crate::Status`) are not modules.
                if target
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_uppercase())
                {
                    continue;
                }
                if layer_of(&target) >= layer_of(&module) {
                    violations
                        .entry(relative.display().to_string())
                        .or_insert_with(Vec::new)
                        .push(target);
                }
            }
        }
    }
    assert!(
        violations.is_empty(),
        "imports that go up or sideways: {violations:#?}"
    );
}

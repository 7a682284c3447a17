//! Any bytes as a deps.json: a model or an error, never a panic; for a model, the
//! runtimeStoreManifestName rewrite keeps the file valid JSON with the same libraries.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::path::Path;
use trim_publish::formats::deps::DepsFile;

fuzz_target!(|data: &[u8]| {
    let Ok(deps) = DepsFile::parse(Path::new("App.deps.json"), data) else {
        return;
    };
    for lib in &deps.libraries {
        let _ = lib.assets.iter().map(trim_publish::host::app_path).count();
        let _ = deps.location_of(&lib.key);
    }
    let keys: Vec<&str> = deps.libraries.iter().map(|l| l.key.as_str()).collect();
    let edits: Vec<(&str, &str)> = keys.iter().map(|k| (*k, "a.xml;b.xml")).collect();
    if let Ok(text) = trim_publish::formats::depsedit::set_manifest_names(&deps.text, &edits) {
        let before: serde_json::Value = serde_json::from_str(&deps.text).unwrap();
        let after: serde_json::Value =
            serde_json::from_str(&text).expect("the rewrite keeps valid JSON");
        assert_eq!(before["targets"], after["targets"]);
    }
});

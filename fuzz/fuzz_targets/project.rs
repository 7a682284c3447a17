//! Any bytes as a project file: TargetManifestFiles or an error, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let globals = [("Configuration".to_string(), "Release".to_string())];
    let _ =
        trim_publish::formats::project::target_manifest_files(Path::new("/p/App.csproj"), data, &globals);
});

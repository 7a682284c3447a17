//! Any bytes as a target manifest: an answer, never a panic; a parsed manifest's packages
//! survive a round trip through the writer.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::path::Path;
use trim_publish::formats::manifest::TargetManifest;
use trim_publish::store_manifest::generate::{artifact_xml, Listed};

fuzz_target!(|data: &[u8]| {
    if let Ok(m) = TargetManifest::parse(Path::new("m.xml"), data) {
        let listed: Vec<Listed> = m
            .packages
            .iter()
            .map(|p| Listed {
                id: p.identity.id.to_string(),
                version: p.identity.version.to_string(),
            })
            .collect();
        let again = TargetManifest::parse(Path::new("m.xml"), artifact_xml(&listed).as_bytes())
            .expect("what we write reads back");
        assert_eq!(again.packages.len(), m.packages.len());
    }
});

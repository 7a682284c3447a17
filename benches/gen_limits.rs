//! Writes the resource-limit inputs of benches/limits.sh: a publish folder whose deps.json lists
//! N packages (about 50 MB at 82,000) and a manifest of 100,000 packages, half of them the
//! app's. `cargo bench --bench gen_limits -- DIR [PACKAGES]`.

mod common;

use std::fmt::Write as _;

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let dir = std::path::PathBuf::from(args.first().map_or("target/limits", String::as_str));
    let packages: usize = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(82_000);
    let publish = dir.join("publish");
    std::fs::create_dir_all(&publish).unwrap();
    let deps = common::generated_deps(packages);
    std::fs::write(publish.join("App.deps.json"), &deps).unwrap();
    std::fs::write(
        publish.join("App.runtimeconfig.json"),
        r#"{"runtimeOptions":{"tfm":"net6.0","framework":{"name":"Microsoft.NETCore.App","version":"6.0.0"}}}"#,
    )
    .unwrap();
    let mut manifest = String::from("<StoreArtifacts>\n");
    for i in 0..100_000 {
        // Every other app package, then packages the app does not have.
        let (id, version) = if i < packages / 2 {
            (format!("Pkg{}", 2 * i), format!("1.{}.0", 2 * i))
        } else {
            (format!("Other{i}"), "1.0.0".to_string())
        };
        let _ = writeln!(manifest, "  <Package Id=\"{id}\" Version=\"{version}\" />");
    }
    manifest.push_str("</StoreArtifacts>\n");
    std::fs::write(dir.join("manifest.xml"), manifest).unwrap();
    eprintln!(
        "{}: deps.json {:.1} MB ({packages} packages), manifest of 100000 packages",
        dir.display(),
        deps.len() as f64 / 1e6
    );
}

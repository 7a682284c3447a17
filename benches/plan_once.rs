//! One parse and one plan of a generated app, for instruction counting under callgrind
//! (`benches/instructions.sh`): instruction counts are repeatable on a shared VM where wall time
//! is not, and show whether cost is linear in the number of assets.
//!
//! Usage: `plan_once [PACKAGES]` (default 20000). Under `cargo bench` it runs once with the default.
mod common;

use std::path::Path;

use common::{generated_deps, inputs_for};
use trim_publish::formats::deps::DepsFile;
use trim_publish::formats::runtimeconfig::RuntimeConfig;
use trim_publish::trim::plan::{plan, PlanInput, PlanOptions};
fn main() {
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(20_000);
    let text = generated_deps(n);
    let deps = DepsFile::parse(Path::new("a"), text.as_bytes()).unwrap();
    let (union, inventory) = inputs_for(&deps);
    let rc = RuntimeConfig {
        tfm: Some("net6.0".into()),
        ..Default::default()
    };
    let options = PlanOptions::default();
    let p = plan(&PlanInput {
        union: &union,
        deps: &deps,
        runtime_config: &rc,
        runtime_config_path: Path::new("r"),
        inventory: &inventory,
        options: &options,
    });
    println!(
        "{n} packages: planned {} trimmed packages",
        p.packages.len()
    );
}

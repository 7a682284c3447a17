//! Property tests (proptest): NuGet version equality, and the planner's guarantees on generated
//! apps and manifests.

use std::path::Path;

use proptest::prelude::*;
use trim_publish::formats::deps::DepsFile;
use trim_publish::formats::depsedit;
use trim_publish::formats::manifest::{ManifestUnion, TargetManifest};
use trim_publish::formats::nuget::NuGetVersion;
use trim_publish::formats::runtimeconfig::RuntimeConfig;
use trim_publish::inputs::inventory::Inventory;
use trim_publish::trim::plan::{check_relative, plan, FileAction, PlanInput, PlanOptions};

/// A version as parts: 1-4 numbers, labels, metadata.
fn version_parts() -> impl Strategy<Value = (Vec<u32>, Vec<String>, Option<String>)> {
    (
        prop::collection::vec(0u32..1000, 1..=4),
        prop::collection::vec(
            prop_oneof![
                "[a-z][a-z0-9-]{0,5}",
                (1u32..500).prop_map(|n| n.to_string())
            ],
            0..3,
        ),
        prop::option::of("[a-z0-9]{1,6}"),
    )
}

fn render(
    numbers: &[u32],
    labels: &[String],
    meta: &Option<String>,
    zeros: usize,
    upper: bool,
) -> String {
    let mut s = numbers
        .iter()
        .map(|n| format!("{}{n}", "0".repeat(zeros)))
        .collect::<Vec<_>>()
        .join(".");
    if !labels.is_empty() {
        let l = labels.join(".");
        s.push('-');
        s.push_str(&if upper { l.to_uppercase() } else { l });
    }
    if let Some(m) = meta {
        s.push('+');
        s.push_str(m);
    }
    s
}

proptest! {
    #[test]
    fn version_equality_is_reflexive_symmetric_and_normalisation_invariant(
        (numbers, labels, meta) in version_parts(),
        zeros in 0usize..3,
        pad in 0usize..4,
        other in version_parts(),
    ) {
        let plain = NuGetVersion::parse(&render(&numbers, &labels, &None, 0, false)).unwrap();
        prop_assert_eq!(&plain, &plain);
        // Trailing zero parts, leading zeros, label case and metadata do not matter.
        let mut padded = numbers.clone();
        while padded.len() < 4 && padded.len() < numbers.len() + pad {
            padded.push(0);
        }
        let variant = NuGetVersion::parse(&render(&padded, &labels, &meta, zeros, true)).unwrap();
        prop_assert_eq!(&plain, &variant);
        prop_assert_eq!(&variant, &plain);
        let hash = |v: &NuGetVersion| {
            use std::hash::{Hash, Hasher};
            let mut h = std::collections::hash_map::DefaultHasher::new();
            v.hash(&mut h);
            h.finish()
        };
        prop_assert_eq!(hash(&plain), hash(&variant));
        // Symmetry against an unrelated version, and agreement with the ordering.
        let o = NuGetVersion::parse(&render(&other.0, &other.1, &other.2, 0, false)).unwrap();
        prop_assert_eq!(plain == o, o == plain);
        prop_assert_eq!(plain == o, plain.cmp(&o) == std::cmp::Ordering::Equal);
    }
}

/// An app of up to 12 packages whose asset paths may be hostile, as deps.json text.
fn app() -> impl Strategy<Value = Vec<(String, String, Vec<String>)>> {
    let segment = prop_oneof![
        4 => "[A-Za-z][A-Za-z0-9.]{0,8}",
        1 => Just("..".to_string()),
        1 => Just(".".to_string()),
        1 => Just("".to_string()),
        1 => Just("C:".to_string()),
        1 => Just("a\\\\b".to_string()),
    ];
    let path = prop::collection::vec(segment, 1..4).prop_map(|s| s.join("/"));
    prop::collection::vec(
        (
            "[A-Z][a-z]{1,6}",
            (0u32..3, 0u32..3),
            prop::collection::vec(path, 1..4),
        ),
        1..12,
    )
    .prop_map(|libs| {
        let mut seen = std::collections::HashSet::new();
        libs.into_iter()
            .filter(|(id, _, _)| seen.insert(id.clone()))
            .map(|(id, (a, b), assets)| (id, format!("{a}.{b}.0"), assets))
            .collect()
    })
}

fn deps_text(app: &[(String, String, Vec<String>)]) -> String {
    let mut targets = serde_json::Map::new();
    let mut libraries = serde_json::Map::new();
    for (id, version, assets) in app {
        let runtime: serde_json::Map<String, serde_json::Value> = assets
            .iter()
            .map(|a| (a.clone(), serde_json::json!({})))
            .collect();
        let runtime_targets: serde_json::Map<String, serde_json::Value> = assets
            .iter()
            .map(|a| {
                (
                    format!("runtimes/linux-x64/native/{a}"),
                    serde_json::json!({"rid": "linux-x64", "assetType": "native"}),
                )
            })
            .collect();
        targets.insert(
            format!("{id}/{version}"),
            serde_json::json!({"runtime": runtime, "runtimeTargets": runtime_targets}),
        );
        libraries.insert(format!("{id}/{version}"), serde_json::json!({"type": "package", "path": format!("{}/{version}", id.to_lowercase())}));
    }
    serde_json::to_string_pretty(&serde_json::json!({
        "runtimeTarget": {"name": ".NETCoreApp,Version=v6.0"},
        "targets": {".NETCoreApp,Version=v6.0": targets},
        "libraries": libraries,
    }))
    .unwrap()
}

fn manifest(name: &str, packages: &[(String, String)]) -> TargetManifest {
    let body: String = packages
        .iter()
        .map(|(id, v)| format!("<Package Id=\"{id}\" Version=\"{v}\"/>"))
        .collect();
    TargetManifest::parse(
        Path::new(name),
        format!("<StoreArtifacts>{body}</StoreArtifacts>").as_bytes(),
    )
    .unwrap()
}

fn run_plan(
    text: &str,
    union: &ManifestUnion,
    inventory: &Inventory,
) -> trim_publish::trim::plan::RemovalPlan {
    let deps = DepsFile::parse(Path::new("App.deps.json"), text.as_bytes()).unwrap();
    plan(&PlanInput {
        union,
        deps: &deps,
        runtime_config: &RuntimeConfig {
            tfm: Some("net6.0".into()),
            ..Default::default()
        },
        runtime_config_path: Path::new("App.runtimeconfig.json"),
        inventory,
        options: &PlanOptions::default(),
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn the_planner_never_plans_a_path_outside_the_folder_and_trimming_twice_is_trimming_once(
        app in app(),
        pick in prop::collection::vec(any::<bool>(), 12),
    ) {
        let text = deps_text(&app);
        let chosen: Vec<(String, String)> = app
            .iter()
            .zip(&pick)
            .filter(|(_, p)| **p)
            .map(|((id, v, _), _)| (id.clone(), v.clone()))
            .collect();
        let union = ManifestUnion::new(vec![manifest("m.xml", &chosen)]);
        // Every path the deps describe is on disk (the safe ones), 100 bytes each.
        let all: Vec<String> = app
            .iter()
            .flat_map(|(_, _, a)| a.iter().flat_map(|p| [p.rsplit('/').next().unwrap().to_string(), format!("runtimes/linux-x64/native/{p}")]))
            .filter(|p| check_relative(p).is_ok())
            .collect();
        let inventory = Inventory::from_files(all.iter().map(|p| (p.as_str(), 100)));
        let first = run_plan(&text, &union, &inventory);
        for f in first.packages.iter().flat_map(|p| &p.files) {
            prop_assert!(check_relative(&f.path).is_ok(), "planned unsafe path {}", f.path);
        }
        for e in &first.errors {
            let code = trim_publish::diagnostic::ToDiagnostic::to_diagnostic(e).code;
            prop_assert_eq!(code, "TP2004");
        }
        if first.is_blocked() {
            return Ok(());
        }
        // Apply it to the model: remove the files, rewrite deps.json; the second plan is a no-op.
        let removed: std::collections::HashSet<&str> = first.removals().into_iter().map(|(p, _)| p).collect();
        let after = Inventory::from_files(all.iter().filter(|p| !removed.contains(p.as_str())).map(|p| (p.as_str(), 100)));
        let edits: Vec<(&str, &str)> = first.deps_edits.iter().map(|e| (e.library_key.as_str(), e.manifest_names.as_str())).collect();
        let text2 = depsedit::set_manifest_names(&text, &edits).unwrap();
        let second = run_plan(&text2, &union, &after);
        prop_assert!(second.is_noop(), "second plan still has work: {:?}", second.removals());
        prop_assert_eq!(second.packages.len(), first.packages.len());
        prop_assert!(second
            .packages
            .iter()
            .flat_map(|p| &p.files)
            .all(|f| f.action != FileAction::Remove));
    }

    #[test]
    fn the_union_does_not_depend_on_manifest_order_except_for_names(
        a in prop::collection::vec(("[A-C][a-c]{0,2}", 0u32..3), 0..8),
        b in prop::collection::vec(("[A-C][a-c]{0,2}", 0u32..3), 0..8),
    ) {
        let to = |v: &Vec<(String, u32)>| v.iter().map(|(id, n)| (id.clone(), format!("1.{n}"))).collect::<Vec<_>>();
        let (ma, mb) = (manifest("a.xml", &to(&a)), manifest("b.xml", &to(&b)));
        let ab = ManifestUnion::new(vec![ma.clone(), mb.clone()]);
        let ba = ManifestUnion::new(vec![mb, ma]);
        let ids = |u: &ManifestUnion| {
            let mut v: Vec<String> = u.entries.iter().map(|e| format!("{}", e.identity).to_lowercase()).collect();
            v.sort();
            v
        };
        prop_assert_eq!(ids(&ab), ids(&ba));
        for e in &ab.entries {
            let other = ba.get(&e.identity).unwrap();
            let mut n1: Vec<String> = ab.manifest_names(e).split(';').map(String::from).collect();
            let mut n2: Vec<String> = ba.manifest_names(other).split(';').map(String::from).collect();
            n1.sort();
            n2.sort();
            prop_assert_eq!(n1, n2);
        }
    }
}

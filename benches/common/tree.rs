//! A generated publish folder and its store for the verification benchmarks, as described in
//! ../shared/reference/performance-facts.md: 3,000 files with log-normal sizes around 48 KiB,
//! clamped to 1 KiB..20 MiB and scaled to 1.5 GiB in all; 60% in the folder root, 25% under
//! `runtimes/<rid>/`, 15% in culture folders; the store holds byte-identical copies (separate
//! files, not links). Deterministic: the same seed gives the same tree.

use std::fs;
use std::io::Write;
use std::path::Path;

pub const FILES: usize = 3000;
pub const TOTAL: u64 = 3 << 29; // 1.5 GiB

/// splitmix64: small, fast and good enough for sizes and filler bytes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn normal(&mut self) -> f64 {
        let (u1, u2) = (self.unit().max(f64::MIN_POSITIVE), self.unit());
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }
}

/// File sizes: log-normal with a 48 KiB median, clamped, then scaled so they add up to `total`.
pub fn sizes(files: usize, total: u64, seed: u64) -> Vec<u64> {
    let mut rng = Rng(seed);
    let (min, max) = (1024.0, 20.0 * 1024.0 * 1024.0);
    let raw: Vec<f64> = (0..files)
        .map(|_| (48.0 * 1024.0 * (2.2 * rng.normal()).exp()).clamp(min, max))
        .collect();
    // Scale towards the total; clamping makes it inexact, so repeat a few times.
    let mut sizes = raw;
    for _ in 0..20 {
        let sum: f64 = sizes.iter().sum();
        let factor = total as f64 / sum;
        sizes = sizes.iter().map(|s| (s * factor).clamp(min, max)).collect();
    }
    sizes.into_iter().map(|s| s as u64).collect()
}

/// Writes `dir/publish` (App.deps.json, App.runtimeconfig.json and the files), `dir/store`
/// (`x64/net8.0/pkgN/1.0.0/...`) and `dir/manifest.xml` listing every package.
pub fn generate(dir: &Path, files: usize, total: u64) -> std::io::Result<()> {
    let publish = dir.join("publish");
    let store = dir.join("store/x64/net8.0");
    fs::create_dir_all(&publish)?;
    fs::create_dir_all(&store)?;
    let cultures = ["de", "fr", "ja", "zh-Hans", "pt-BR"];
    let rids = ["linux-x64", "linux-arm64", "osx-x64", "win-x64"];
    let mut rng = Rng(42);
    let mut buf = vec![0u8; 1 << 20];
    let mut targets = Vec::new();
    let mut libraries = Vec::new();
    let mut manifest = String::from("<StoreArtifacts>\n");
    for (i, size) in sizes(files, total, 7).into_iter().enumerate() {
        let (section, asset, local) = match i % 20 {
            0..=11 => (
                "runtime",
                format!("lib/net8.0/Pkg{i}.dll"),
                format!("Pkg{i}.dll"),
            ),
            12..=16 => {
                let rid = rids[i % rids.len()];
                let path = format!("runtimes/{rid}/native/libpkg{i}.so");
                ("runtimeTargets", path.clone(), path)
            }
            _ => {
                let c = cultures[i % cultures.len()];
                (
                    "resources",
                    format!("lib/net8.0/{c}/Pkg{i}.resources.dll"),
                    format!("{c}/Pkg{i}.resources.dll"),
                )
            }
        };
        let props = match section {
            "runtimeTargets" => format!(
                "{{ \"rid\": \"{}\", \"assetType\": \"native\" }}",
                local.split('/').nth(1).unwrap()
            ),
            "resources" => format!("{{ \"locale\": \"{}\" }}", local.split('/').next().unwrap()),
            _ => "{}".to_string(),
        };
        targets.push(format!(
            "      \"Pkg{i}/1.0.0\": {{ \"{section}\": {{ \"{asset}\": {props} }} }}"
        ));
        libraries.push(format!(
            "    \"Pkg{i}/1.0.0\": {{ \"type\": \"package\", \"serviceable\": true, \"sha512\": \"\", \"path\": \"pkg{i}/1.0.0\" }}"
        ));
        manifest.push_str(&format!("  <Package Id=\"Pkg{i}\" Version=\"1.0.0\" />\n"));
        let a = publish.join(&local);
        let b = store.join(format!("pkg{i}/1.0.0")).join(&asset);
        fs::create_dir_all(a.parent().unwrap())?;
        fs::create_dir_all(b.parent().unwrap())?;
        let (mut fa, mut fb) = (fs::File::create(&a)?, fs::File::create(&b)?);
        let mut left = size as usize;
        while left > 0 {
            let n = left.min(buf.len());
            for chunk in buf[..n].chunks_mut(8) {
                let v = rng.next().to_le_bytes();
                chunk.copy_from_slice(&v[..chunk.len()]);
            }
            fa.write_all(&buf[..n])?;
            fb.write_all(&buf[..n])?;
            left -= n;
        }
    }
    manifest.push_str("</StoreArtifacts>\n");
    fs::write(dir.join("manifest.xml"), manifest)?;
    fs::write(
        publish.join("App.deps.json"),
        format!(
            "{{\n  \"runtimeTarget\": {{ \"name\": \".NETCoreApp,Version=v8.0\", \"signature\": \"\" }},\n  \"targets\": {{\n    \".NETCoreApp,Version=v8.0\": {{\n{}\n    }}\n  }},\n  \"libraries\": {{\n{}\n  }}\n}}\n",
            targets.join(",\n"),
            libraries.join(",\n")
        ),
    )?;
    fs::write(
        publish.join("App.runtimeconfig.json"),
        r#"{"runtimeOptions":{"tfm":"net8.0","framework":{"name":"Microsoft.NETCore.App","version":"8.0.0"}}}"#,
    )?;
    fs::write(dir.join(".complete"), format!("{files} {total}\n"))
}

/// Generates the tree unless a complete one with the same shape is there.
pub fn ensure(dir: &Path, files: usize, total: u64) -> std::io::Result<()> {
    let marker = dir.join(".complete");
    if fs::read_to_string(&marker).ok().as_deref() == Some(&format!("{files} {total}\n")) {
        return Ok(());
    }
    let _ = fs::remove_dir_all(dir);
    generate(dir, files, total)
}

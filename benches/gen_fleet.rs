//! Writes a generated fleet for benches/fleet.sh: APPS untrimmed publish folders of PACKAGES
//! packages each, drawn from a pool shared across the fleet (so most are used by many apps),
//! one small runtime file per package. `cargo bench --bench gen_fleet -- DIR [APPS] [PACKAGES]`.

use std::fmt::Write as _;

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let dir = std::path::PathBuf::from(args.first().map_or("target/fleet", String::as_str));
    let apps: usize = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(500);
    let packages: usize = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(300);
    let pool = packages * 2;
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for a in 0..apps {
        let app = dir.join(format!("app{a}"));
        std::fs::create_dir_all(&app).unwrap();
        let mut chosen: Vec<usize> = (0..packages)
            .map(|_| (next() % pool as u64) as usize)
            .collect();
        chosen.sort_unstable();
        chosen.dedup();
        let mut targets = String::from("\"App/1.0.0\": { \"runtime\": { \"App.dll\": {} } }");
        let mut libraries = String::from(
            "\"App/1.0.0\": { \"type\": \"project\", \"serviceable\": false, \"sha512\": \"\" }",
        );
        for i in chosen {
            let _ = write!(targets, ",\n\"Fleet.Pkg{i}/1.0.{i}\": {{ \"runtime\": {{ \"lib/net6.0/Fleet.Pkg{i}.dll\": {{}} }} }}");
            let _ = write!(libraries, ",\n\"Fleet.Pkg{i}/1.0.{i}\": {{ \"type\": \"package\", \"serviceable\": true, \"sha512\": \"\", \"path\": \"fleet.pkg{i}/1.0.{i}\" }}");
            std::fs::write(
                app.join(format!("Fleet.Pkg{i}.dll")),
                vec![i as u8; 4096 + i],
            )
            .unwrap();
        }
        std::fs::write(
            app.join("App.deps.json"),
            format!("{{ \"runtimeTarget\": {{ \"name\": \".NETCoreApp,Version=v6.0\" }}, \"targets\": {{ \".NETCoreApp,Version=v6.0\": {{ {targets} }} }}, \"libraries\": {{ {libraries} }} }}"),
        )
        .unwrap();
        std::fs::write(
            app.join("App.runtimeconfig.json"),
            r#"{ "runtimeOptions": { "tfm": "net6.0", "framework": { "name": "Microsoft.NETCore.App", "version": "6.0.0" } } }"#,
        )
        .unwrap();
        std::fs::write(app.join("App.dll"), b"app").unwrap();
    }
    eprintln!(
        "{}: {apps} apps of up to {packages} packages each",
        dir.display()
    );
}

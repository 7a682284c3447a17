//! Command-line arguments (clap derive only) and their one conversion into a [`TrimConfig`].

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::diagnostic::MessageFormat;
use crate::host::store::StoreSelection;
use crate::inputs::ManifestSources;
use crate::trim::{CacheChoice, StoreCheckOptions, TrimConfig};
use crate::verify::VerifyConfig;

const VERIFY_AFTER_HELP: &str = "\
Examples:
  trim-publish verify --store /opt/image/dotnet/store ./publish
  DOTNET_SHARED_STORE=/srv/store trim-publish verify --store-from-env ./publish
  trim-publish verify --rid linux-musl-x64 --store store --format json ./publish

Exit codes:
  0  the host would start the app
  1  it would not: a runtime or native asset resolves nowhere, or a store copy is
     older than the assembly version the app was built against
  2  bad input or usage";

const AFTER_HELP: &str = "\
Examples:
  trim-publish --manifest store/x64/net8.0/artifact.xml ./bin/Release/net8.0/publish
  trim-publish -m 'aspnet.xml;shared.xml' -m extra.xml --dry-run ./publish
  trim-publish --project App.csproj -p:Configuration=Release ./publish
  trim-publish -m artifact.xml --keep 'runtimes/win*/**' --format json ./publish
  trim-publish -m artifact.xml --store /opt/image/dotnet/store ./publish
  trim-publish verify --store /opt/image/dotnet/store ./publish

Commands:
  verify       check that the host would start a (trimmed) app; see verify --help
  manifest     describe a store, list an app's packages, diff manifests
  restore      put back what a trim with --backup removed
  completions  shell completions; man: the man page

Exit codes:
  0  trimmed, already trimmed, nothing to trim, or dry run
  1  refused: a package's version differs from the manifests', the app is
     self-contained or has no tfm, or (--store) a store lacks a file or holds a
     different one (trimming would break the app); nothing changed
  2  bad input or usage: unreadable or malformed manifest, project, deps.json or
     runtimeconfig, unsafe path, symbolic link; nothing changed
  3  applying failed part-way; the report says what was and was not done
  4  --check: the folder is not trimmed as the manifests ask";

/// Trim a .NET publish folder against runtime package store target manifests.
///
/// Removes the files of every package that the manifests list at the app's exact version, as
/// `dotnet publish --manifest` would have, and records the manifests in deps.json
/// (runtimeStoreManifestName) so the host's start-up error names them if the store lacks a file.
/// Everything is checked before anything is deleted.
#[derive(Debug, Parser)]
#[command(
    name = "trim-publish",
    version = env!("TRIM_PUBLISH_VERSION"),
    about,
    long_about,
    after_help = AFTER_HELP,
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true
)]
pub struct Args {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub trim: TrimArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check, without running it, that the host would start the app: every runtime and native
    /// asset of deps.json must resolve from the app folder or a store, in the host's order.
    #[command(after_help = VERIFY_AFTER_HELP)]
    Verify(VerifyArgs),
    /// Write or compare target manifests: describe an existing store, list an app's packages
    /// (as a manifest or a packages.csproj for `dotnet store`), or diff two manifests.
    #[command(after_help = MANIFEST_AFTER_HELP)]
    Manifest(ManifestArgs),
    /// Put back what a trim with --backup DIR removed, byte for byte (deps.json included), then
    /// remove the backup. Refuses, changing nothing, if a file to restore exists with other
    /// content.
    Restore {
        /// The folder given to --backup.
        #[arg(value_name = "BACKUP_DIR")]
        backup: PathBuf,
        /// Restore into this folder instead of the one the backup was made from (which moved).
        #[arg(long, value_name = "DIR")]
        to: Option<PathBuf>,
        #[command(flatten)]
        out: OutputArgs,
    },
    /// Print shell completions for bash, zsh, fish, elvish or powershell.
    #[command(
        after_help = "Example:\n  trim-publish completions bash > /usr/share/bash-completion/completions/trim-publish"
    )]
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff).
    #[command(
        after_help = "Example:\n  trim-publish man > /usr/local/share/man/man1/trim-publish.1"
    )]
    Man,
}

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("source").required(true).args(["from_store", "from_deps", "diff", "from_apps"])))]
pub struct ManifestArgs {
    /// Describe this store: every {id}/{version} folder under its {arch}/{tfm} (for hosts whose
    /// manifest was lost). DIR is the store root or the {arch}/{tfm} folder itself.
    #[arg(long, value_name = "DIR")]
    pub from_store: Option<PathBuf>,

    /// List the NuGet packages of an app (its deps.json) at their versions: the manifest of a
    /// store that serves the app, or with --as csproj the project `dotnet store --manifest` takes.
    #[arg(long, value_name = "APP.deps.json")]
    pub from_deps: Option<PathBuf>,

    /// Plan the store a fleet shares: the packages (id and exact version) that at least
    /// --min-apps of these untrimmed, framework-dependent publish folders use, with what each
    /// app and the fleet save (a summary on stderr; --format json for all of it).
    #[arg(long, value_name = "DIR", num_args = 1..)]
    pub from_apps: Vec<PathBuf>,

    /// With --from-apps: how many apps must use a package for the store to carry it.
    #[arg(long, value_name = "K", default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..), requires = "from_apps")]
    pub min_apps: u32,

    /// With --from-apps: write one manifest per {arch}/{tfm} group, to DIR/{arch}/{tfm}/.
    #[arg(long, value_name = "DIR", requires = "from_apps")]
    pub out_dir: Option<PathBuf>,

    /// What manifest B adds, drops or re-versions compared with manifest A.
    #[arg(long, num_args = 2, value_names = ["A.xml", "B.xml"])]
    pub diff: Option<Vec<PathBuf>>,

    /// With --from-store: the architecture folder to describe.
    #[arg(long, value_name = "ARCH", requires = "from_store")]
    pub arch: Option<String>,

    /// With --from-store: the tfm folder to describe (e.g. net8.0).
    #[arg(long, value_name = "TFM", requires = "from_store")]
    pub tfm: Option<String>,

    /// With --from-deps: leave out packages that bring no file of their own (the shared framework
    /// provides them, or they are metapackages; dotnet/cli#10784).
    #[arg(long, requires = "from_deps")]
    pub exclude_framework: bool,

    /// With --from-deps: write an artifact.xml manifest, or a packages.csproj for `dotnet store`.
    #[arg(long = "as", value_enum, default_value_t = ManifestKind::Artifact, value_name = "KIND")]
    pub kind: ManifestKind,

    /// Write to FILE instead of stdout.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    #[command(flatten)]
    pub out: OutputArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ManifestKind {
    Artifact,
    Csproj,
}

const MANIFEST_AFTER_HELP: &str = "\
Examples:
  trim-publish manifest --from-store /usr/share/dotnet/store --arch x64 --tfm net8.0 -o artifact.xml
  trim-publish manifest --from-deps publish/App.deps.json --exclude-framework
  trim-publish manifest --from-deps publish/App.deps.json --as csproj -o packages.csproj
  trim-publish manifest --from-apps apps/*/publish --min-apps 3 -o artifact.xml
  trim-publish manifest --diff store-2024.xml store-2025.xml";

#[derive(Debug, clap::Args)]
pub struct TrimArgs {
    /// The publish folder (the output of `dotnet publish`).
    #[arg(value_name = "PUBLISH_DIR", required = true)]
    pub publish_dir: Option<PathBuf>,

    /// A target manifest (artifact.xml). Repeatable; one value may hold several paths separated
    /// by `;`, so an MSBuild $(TargetManifestFiles) can be passed as is.
    #[arg(short = 'm', long = "manifest", value_name = "FILE")]
    pub manifests: Vec<String>,

    /// Read TargetManifestFiles from this project file (paths relative to its folder); combines
    /// with --manifest.
    #[arg(long, value_name = "FILE.csproj")]
    pub project: Option<PathBuf>,

    /// A property for evaluating --project conditions, e.g. Configuration=Release. Repeatable;
    /// `-p:Name=Value` and `-p:A=1;B=2` work as in MSBuild.
    #[arg(short = 'p', long = "property", value_name = "NAME=VALUE")]
    pub properties: Vec<String>,

    /// The deps file to use when the folder has several (a name inside PUBLISH_DIR).
    #[arg(long, value_name = "FILE")]
    pub deps_file: Option<PathBuf>,

    /// Keep packages whose version differs from the manifests' (as the SDK silently does) and
    /// report them as warnings, instead of refusing.
    #[arg(long)]
    pub allow_version_mismatch: bool,

    /// Never remove files matching this glob (relative to PUBLISH_DIR; `*` stays within a folder,
    /// `**` crosses folders). Repeatable.
    #[arg(long, value_name = "GLOB")]
    pub keep: Vec<String>,

    #[command(flatten)]
    pub store: StoreArgs,

    /// Print the plan and change nothing.
    #[arg(short = 'n', long)]
    pub dry_run: bool,

    /// Change nothing; exit with 4 when the folder is not trimmed as the manifests ask (files to
    /// remove, or deps.json lacking runtimeStoreManifestName). For gates that check an artifact
    /// someone else trimmed.
    #[arg(long, conflicts_with = "dry_run")]
    pub check: bool,

    /// Move removed files into DIR (a new or empty folder outside PUBLISH_DIR) with the original
    /// deps.json and a journal, instead of deleting them; `trim-publish restore DIR` puts them back.
    #[arg(long, value_name = "DIR")]
    pub backup: Option<PathBuf>,

    /// Append a Markdown summary (what was trimmed, bytes saved, per manifest) to FILE, e.g.
    /// "$GITHUB_STEP_SUMMARY".
    #[arg(long, value_name = "FILE")]
    pub summary: Option<PathBuf>,

    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// The publish folder, trimmed or not.
    #[arg(value_name = "PUBLISH_DIR")]
    pub publish_dir: PathBuf,

    /// The deps file to use when the folder has several (a name inside PUBLISH_DIR).
    #[arg(long, value_name = "FILE")]
    pub deps_file: Option<PathBuf>,

    /// The target machine's runtime identifier, for choosing runtimeTargets (default: this
    /// machine's portable RID, e.g. linux-x64).
    #[arg(long, value_name = "RID")]
    pub rid: Option<String>,

    #[command(flatten)]
    pub store: StoreArgs,

    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, clap::Args)]
pub struct StoreArgs {
    /// A runtime package store: a store root (as in DOTNET_SHARED_STORE; {arch}/{tfm} is
    /// appended) or its {arch}/{tfm} folder. Repeatable, probed in order like the host. When
    /// trimming, nothing is removed unless each file is served by a store with the same bytes or
    /// the same assembly identity (a ReadyToRun copy).
    #[arg(long = "store", value_name = "DIR")]
    pub stores: Vec<PathBuf>,

    /// Also use the stores the host on this machine would probe: DOTNET_SHARED_STORE entries,
    /// then {dotnet root}/store.
    #[arg(long)]
    pub store_from_env: bool,

    /// The store architecture folder (x64, x86, arm64, arm); default: the deps.json RID, else
    /// this machine.
    #[arg(long, value_name = "ARCH", value_parser = ["x64", "x86", "arm64", "arm"])]
    pub arch: Option<String>,

    /// Threads for hashing, 1 to 256 (default: one per core). Hashing is bound by the disk:
    /// more threads than cores only add contention.
    #[arg(short = 'j', long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub jobs: Option<u16>,

    /// Where to keep digests of store files between runs (default: ~/.cache/trim-publish, or
    /// $XDG_CACHE_HOME/trim-publish). An entry is used only while the file is unchanged.
    #[arg(long, value_name = "DIR", conflicts_with = "no_cache")]
    pub cache: Option<PathBuf>,

    /// Do not read or write the digest cache.
    #[arg(long)]
    pub no_cache: bool,
}

#[derive(Debug, clap::Args)]
pub struct OutputArgs {
    /// Output format on stdout.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// How errors and warnings are printed on stderr: `human`; `msbuild` canonical messages
    /// (`file(line,col): error TP1003: ...`) for an MSBuild Exec task, with the text report's
    /// closing summary line moved to stderr as `trim-publish: ...` (so a target can show it apart
    /// from the table); `github` workflow commands (`::error file=...::...`) for GitHub Actions
    /// annotations.
    #[arg(long, value_enum, default_value_t = MessageFormatArg::Human, value_name = "FORMAT")]
    pub message_format: MessageFormatArg,

    /// Colour on stderr: `auto` (only on a terminal, and not when NO_COLOR is set), `always`,
    /// `never`.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    /// Print only errors.
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,

    /// List every file, not only kept ones.
    #[arg(short, long)]
    pub verbose: bool,
}

impl StoreArgs {
    fn selection(&self) -> StoreSelection {
        StoreSelection {
            dirs: self.stores.clone(),
            from_env: self.store_from_env,
            arch: self.arch.clone(),
        }
    }

    fn check_options(&self) -> StoreCheckOptions {
        StoreCheckOptions {
            jobs: self.jobs.map(usize::from),
            cache: match (&self.cache, self.no_cache) {
                (_, true) => CacheChoice::Off,
                (Some(dir), false) => CacheChoice::Dir(dir.clone()),
                (None, false) => CacheChoice::Default,
            },
        }
    }
}

impl VerifyArgs {
    pub fn into_config(self) -> VerifyConfig {
        VerifyConfig {
            publish_dir: normalized(&self.publish_dir),
            deps_file: self.deps_file,
            stores: self.store.selection(),
            rid: self.rid,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MessageFormatArg {
    Human,
    Msbuild,
    Github,
}

impl From<MessageFormatArg> for MessageFormat {
    fn from(m: MessageFormatArg) -> Self {
        match m {
            MessageFormatArg::Human => MessageFormat::Human,
            MessageFormatArg::Msbuild => MessageFormat::Msbuild,
            MessageFormatArg::Github => MessageFormat::Github,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Whether to colour stderr: `auto` means a terminal, NO_COLOR unset or empty, TERM not dumb.
    pub fn enabled(self) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::io::IsTerminal::is_terminal(&std::io::stderr())
                    && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

impl TrimArgs {
    /// Validates and converts the arguments. Errors are usage errors (exit code 2).
    pub fn into_config(self) -> Result<TrimConfig, String> {
        let manifests = self
            .manifests
            .iter()
            .flat_map(|v| v.split(';'))
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(PathBuf::from)
            .collect();
        let mut properties = Vec::new();
        for raw in &self.properties {
            // `-p:Configuration=Release` arrives as `:Configuration=Release`.
            let raw = raw.strip_prefix(':').unwrap_or(raw);
            for pair in raw.split(';').filter(|s| !s.trim().is_empty()) {
                let (name, value) = pair
                    .split_once('=')
                    .filter(|(n, _)| !n.trim().is_empty())
                    .ok_or_else(|| format!("--property `{pair}`: expected NAME=VALUE"))?;
                properties.push((name.trim().to_string(), value.to_string()));
            }
        }
        Ok(TrimConfig {
            publish_dir: normalized(
                &self
                    .publish_dir
                    .expect("clap requires PUBLISH_DIR without a subcommand"),
            ),
            sources: ManifestSources {
                manifests,
                project: self.project,
                properties,
            },
            deps_file: self.deps_file,
            allow_version_mismatch: self.allow_version_mismatch,
            keep: self.keep,
            dry_run: self.dry_run || self.check,
            check: self.check,
            backup: self.backup,
            stores: self.store.selection(),
            store_check: self.store.check_options(),
        })
    }
}

/// `publish/.` and `publish/` become `publish` (callers such as the MSBuild target append `.`
/// to keep a trailing backslash from escaping a quote); `..` is kept.
fn normalized(path: &std::path::Path) -> PathBuf {
    let clean: PathBuf = path.components().collect();
    if clean.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        clean
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_consistent() {
        Args::command().debug_assert();
    }

    fn config(args: &[&str]) -> Result<TrimConfig, String> {
        Args::try_parse_from(std::iter::once("trim-publish").chain(args.iter().copied()))
            .map_err(|e| e.to_string())?
            .trim
            .into_config()
    }

    #[test]
    fn publish_dir_is_normalized() {
        let dir = |d: &str| config(&["-m", "a.xml", d]).unwrap().publish_dir;
        assert_eq!(dir("publish/."), PathBuf::from("publish"));
        assert_eq!(dir("publish/"), PathBuf::from("publish"));
        assert_eq!(dir("./publish"), PathBuf::from("./publish"));
        assert_eq!(dir("."), PathBuf::from("."));
        assert_eq!(dir("a/../b"), PathBuf::from("a/../b"));
    }

    #[test]
    fn manifests_split_on_semicolons() {
        let c = config(&["-m", "a.xml; b.xml;", "--manifest", "c.xml", "dir"]).unwrap();
        let names: Vec<_> = c
            .sources
            .manifests
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        assert_eq!(names, ["a.xml", "b.xml", "c.xml"]);
    }

    #[test]
    fn msbuild_style_properties() {
        let c = config(&[
            "-p:Configuration=Release;Platform=AnyCPU",
            "--property",
            "X=a=b",
            "dir",
        ])
        .unwrap();
        assert_eq!(
            c.sources.properties,
            [
                ("Configuration".to_string(), "Release".to_string()),
                ("Platform".to_string(), "AnyCPU".to_string()),
                ("X".to_string(), "a=b".to_string())
            ]
        );
        assert!(config(&["-p", "novalue", "dir"])
            .unwrap_err()
            .contains("NAME=VALUE"));
    }
}

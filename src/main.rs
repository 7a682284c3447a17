//! The `trim-publish` binary: parse arguments, run, render, exit. Everything else is in the library.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use trim_publish::cli::{Args, Command, Format, ManifestArgs, ManifestKind, OutputArgs};
use trim_publish::diagnostic::{Diagnostic, MessageFormat, Severity};
use trim_publish::ManifestRequest;

fn main() -> ExitCode {
    let args = Args::parse();
    match args.command {
        Some(Command::Verify(verify)) => {
            let output = Output::from(&verify.output);
            let report = trim_publish::verify_app(&verify.into_config());
            output.emit(
                &report.diagnostics,
                || report.to_json(),
                |v| report.to_text(v),
            );
            ExitCode::from(report.exit_code)
        }
        Some(Command::Manifest(m)) => manifest(m),
        Some(Command::Restore { backup, out }) => {
            let output = Output::from(&out);
            match trim_publish::restore_backup(&backup) {
                Ok(r) => {
                    output.emit(
                        &[],
                        || serde_json::to_string_pretty(&r).unwrap_or_default(),
                        |_| {
                            format!(
                                "restored {} file(s) and the deps.json into {}; the backup folder was removed\n",
                                r.files,
                                r.publish_dir.display()
                            )
                        },
                    );
                    ExitCode::SUCCESS
                }
                Err(d) => {
                    output.diagnostics(&[d]);
                    ExitCode::from(2)
                }
            }
        }
        Some(Command::Completions { shell }) => {
            let mut cmd = <Args as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut cmd, "trim-publish", &mut std::io::stdout());
            ExitCode::SUCCESS
        }
        Some(Command::Man) => {
            let cmd = <Args as clap::CommandFactory>::command();
            let mut page = Vec::new();
            if clap_mangen::Man::new(cmd).render(&mut page).is_err() {
                return ExitCode::from(2);
            }
            let _ = std::io::stdout().lock().write_all(&page);
            ExitCode::SUCCESS
        }
        None => {
            let output = Output::from(&args.trim.output);
            let summary = args.trim.summary.clone();
            let config = match args.trim.into_config() {
                Ok(c) => c,
                Err(message) => {
                    eprintln!("error: {message}");
                    return ExitCode::from(2);
                }
            };
            let report = trim_publish::run(&config);
            output.emit(
                &report.diagnostics,
                || report.to_json(),
                |v| report.to_text(v),
            );
            if let Some(path) = summary {
                // Appended, as CI job summaries ($GITHUB_STEP_SUMMARY) collect several steps.
                let written = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(&path)
                    .and_then(|mut f| f.write_all(report.to_markdown().as_bytes()));
                if let Err(e) = written {
                    eprintln!("error: cannot write the summary to {}: {e}", path.display());
                    return ExitCode::from(2);
                }
            }
            ExitCode::from(report.exit_code)
        }
    }
}

struct Output {
    format: Format,
    messages: MessageFormat,
    color: bool,
    quiet: bool,
    verbose: bool,
}

impl From<&OutputArgs> for Output {
    fn from(a: &OutputArgs) -> Self {
        let messages = MessageFormat::from(a.message_format);
        Output {
            format: a.format,
            messages,
            color: messages == MessageFormat::Human && a.color.enabled(),
            quiet: a.quiet,
            verbose: a.verbose,
        }
    }
}

impl Output {
    /// Errors and warnings on stderr (`-q` keeps errors only).
    fn diagnostics(&self, diagnostics: &[Diagnostic]) {
        let mut stderr = std::io::stderr().lock();
        for d in diagnostics {
            if self.quiet && d.severity == Severity::Warning {
                continue;
            }
            if writeln!(stderr, "{}", d.render(self.messages, self.color)).is_err() {
                break;
            }
        }
    }

    /// Diagnostics go to stderr; the summary or the JSON to stdout. `-q` keeps errors and JSON.
    /// A closed pipe is not an error.
    fn emit(
        &self,
        diagnostics: &[Diagnostic],
        json: impl FnOnce() -> String,
        text: impl FnOnce(bool) -> String,
    ) {
        self.diagnostics(diagnostics);
        let out = match self.format {
            Format::Json => format!("{}\n", json()),
            Format::Text if self.quiet => String::new(),
            Format::Text => text(self.verbose),
        };
        let _ = std::io::stdout().lock().write_all(out.as_bytes());
    }
}

fn manifest(m: ManifestArgs) -> ExitCode {
    let output = Output::from(&m.out);
    let request = match (m.from_store, m.from_deps, m.diff) {
        (Some(dir), _, _) => ManifestRequest::FromStore {
            dir,
            arch: m.arch,
            tfm: m.tfm,
        },
        (_, Some(deps_file), _) => ManifestRequest::FromDeps {
            deps_file,
            exclude_framework: m.exclude_framework,
            csproj: m.kind == ManifestKind::Csproj,
        },
        (_, _, Some(pair)) => ManifestRequest::Diff {
            a: pair[0].clone(),
            b: pair[1].clone(),
            json: m.out.format == Format::Json,
        },
        _ => unreachable!("clap requires one source"),
    };
    let outcome = trim_publish::manifest_command(&request);
    output.diagnostics(&outcome.diagnostics);
    // The manifest is the product: -q hides warnings, never the output.
    match &m.output {
        Some(path) if outcome.exit_code == 0 => {
            if let Err(e) = std::fs::write(path, &outcome.output) {
                eprintln!("error: cannot write {}: {e}", path.display());
                return ExitCode::from(2);
            }
        }
        _ => {
            let _ = std::io::stdout()
                .lock()
                .write_all(outcome.output.as_bytes());
        }
    }
    ExitCode::from(outcome.exit_code)
}

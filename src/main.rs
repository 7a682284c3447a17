//! The `trim-publish` binary: parse arguments, run, render, exit. Everything else is in the library.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use trim_publish::cli::{Args, Command, Format, ManifestArgs, ManifestKind, OutputArgs};
use trim_publish::diagnostic::{Diagnostic, MessageFormat, Severity};
use trim_publish::exit::Exit;
use trim_publish::store_manifest::ManifestRequest;
use trim_publish::trim::Observer;

fn main() -> ExitCode {
    let args = Args::parse();
    match args.command {
        Some(Command::Verify(verify)) => {
            let output = Output::from(&verify.output);
            let report = trim_publish::verify::verify_app(&verify.into_config());
            output.emit(
                &report.diagnostics,
                || report.to_json(),
                |v| report.to_text(v),
            );
            ExitCode::from(report.exit_code)
        }
        Some(Command::Manifest(m)) => manifest(m),
        Some(Command::Restore { backup, to, out }) => {
            let output = Output::from(&out);
            match trim_publish::trim::restore(&backup, to.as_deref(), &Terminal::new(&output)) {
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
                    exit(Exit::Invalid)
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
                return exit(Exit::Invalid);
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
                    output.diagnostics(&[Diagnostic::error(
                        trim_publish::diagnostic::codes::INVALID_OPTION,
                        message,
                    )]);
                    return exit(Exit::Invalid);
                }
            };
            let report = trim_publish::run(&config, &Terminal::new(&output));
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
                    output.diagnostics(&[Diagnostic::error(
                        trim_publish::diagnostic::codes::SUMMARY_NOT_WRITTEN,
                        format!(
                            "cannot write the summary to {}: {e}; the run itself ended as reported",
                            path.display()
                        ),
                    )
                    .in_file(&path)]);
                    // The exit code must not claim "nothing changed" after a trim changed the folder.
                    return match report.status {
                        trim_publish::Status::Trimmed => exit(Exit::Failed),
                        _ if report.exit_code == Exit::Success.code() => exit(Exit::Invalid),
                        _ => ExitCode::from(report.exit_code),
                    };
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

    /// Diagnostics go to stderr; the report or the JSON to stdout (with `--message-format
    /// msbuild`, the report's summary line to stderr). `-q` keeps errors and JSON. A closed pipe
    /// is not an error.
    fn emit(
        &self,
        diagnostics: &[Diagnostic],
        json: impl FnOnce() -> String,
        text: impl FnOnce(bool) -> String,
    ) {
        self.diagnostics(diagnostics);
        let mut out = match self.format {
            Format::Json => format!("{}\n", json()),
            Format::Text if self.quiet => String::new(),
            Format::Text => text(self.verbose),
        };
        if self.format == Format::Text && self.messages == MessageFormat::Msbuild {
            // For an MSBuild Exec task: the closing summary line goes to stderr, so the target can
            // show it at normal verbosity and log the table on stdout at detailed verbosity only.
            let body = out.trim_end_matches('\n');
            if !body.is_empty() {
                let summary = out.split_off(body.rfind('\n').map_or(0, |i| i + 1));
                let _ = writeln!(
                    std::io::stderr().lock(),
                    "trim-publish: {}",
                    summary.trim_end()
                );
            }
        }
        let _ = std::io::stdout().lock().write_all(out.as_bytes());
    }
}

fn manifest(m: ManifestArgs) -> ExitCode {
    let output = Output::from(&m.out);
    let request = match (m.from_store, m.from_deps, m.diff) {
        _ if !m.from_apps.is_empty() => ManifestRequest::FromApps {
            dirs: m.from_apps,
            min_apps: m.min_apps as usize,
            csproj: m.kind == ManifestKind::Csproj,
            json: m.out.format == Format::Json,
            out_dir: m.out_dir,
        },
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
    let outcome = trim_publish::store_manifest::manifest_command(&request);
    output.diagnostics(&outcome.diagnostics);
    if !output.quiet && output.format == Format::Text && !outcome.summary.is_empty() {
        eprint!("{}", outcome.summary);
    }
    // The manifest is the product: -q hides warnings, never the output.
    match &m.output {
        Some(path) if outcome.exit_code == 0 => {
            if let Err(e) = std::fs::write(path, &outcome.output) {
                output.diagnostics(&[Diagnostic::error(
                    trim_publish::diagnostic::codes::OUTPUT_NOT_WRITTEN,
                    format!("cannot write {}: {e}", path.display()),
                )
                .in_file(path)]);
                return exit(Exit::Invalid);
            }
        }
        _ if outcome.report.is_some() => {}
        _ => {
            let _ = std::io::stdout()
                .lock()
                .write_all(outcome.output.as_bytes());
        }
    }
    if let Some(report) = &outcome.report {
        let _ = std::io::stdout().lock().write_all(report.as_bytes());
    }
    ExitCode::from(outcome.exit_code)
}

fn exit(e: Exit) -> ExitCode {
    ExitCode::from(e.code())
}

/// What a person at the terminal sees while a run works: a line when it waits for another run's
/// lock, and a progress bar when the store check reads much (stderr a terminal, 256 MiB or more).
/// `-q` and `--format json` keep stderr for diagnostics only.
struct Terminal {
    talk: bool,
    bar: std::sync::OnceLock<indicatif::ProgressBar>,
}

impl Terminal {
    fn new(output: &Output) -> Self {
        Terminal {
            talk: !output.quiet && output.format == Format::Text,
            bar: std::sync::OnceLock::new(),
        }
    }
}

impl Observer for Terminal {
    fn waiting_for_lock(&self, publish_dir: &std::path::Path) {
        if self.talk {
            eprintln!(
                "waiting: another trim-publish is working on {}",
                publish_dir.display()
            );
        }
    }

    fn hashing_started(&self, total_bytes: u64) {
        let terminal = std::io::IsTerminal::is_terminal(&std::io::stderr());
        if self.talk && terminal && total_bytes >= 256 << 20 {
            let bar = indicatif::ProgressBar::new(total_bytes);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "verifying {bar:30} {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} {eta}",
                )
                .expect("a valid template"),
            );
            let _ = self.bar.set(bar);
        }
    }

    fn hashed(&self, bytes: u64) {
        if let Some(bar) = self.bar.get() {
            bar.inc(bytes);
        }
    }

    fn hashing_finished(&self) {
        if let Some(bar) = self.bar.get() {
            bar.finish_and_clear();
        }
    }
}

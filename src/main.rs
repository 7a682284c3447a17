//! The `trim-publish` binary: parse arguments, run, render, exit. Everything else is in the library.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use trim_publish::cli::{Args, Format};
use trim_publish::diagnostic::Severity;

fn main() -> ExitCode {
    let args = Args::parse();
    let (format, quiet, verbose) = (args.format, args.quiet, args.verbose);
    let config = match args.into_config() {
        Ok(c) => c,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    let report = trim_publish::run(&config);

    // Diagnostics go to stderr; the summary (or JSON) to stdout. A closed pipe is not an error.
    let mut stderr = std::io::stderr().lock();
    for d in &report.diagnostics {
        if quiet && d.severity == Severity::Warning {
            continue;
        }
        if writeln!(stderr, "{d}").is_err() {
            break;
        }
    }
    let out = match format {
        Format::Json => format!("{}\n", report.to_json()),
        Format::Text if quiet => String::new(),
        Format::Text => report.to_text(verbose),
    };
    let _ = std::io::stdout().lock().write_all(out.as_bytes());
    ExitCode::from(report.exit_code)
}

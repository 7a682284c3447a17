//! trim-publish: trim a .NET publish folder against runtime package store target manifests.
//!
//! The modules follow the data flow, and nothing imports upward:
//!
//! | module | what it is | may touch |
//! |---|---|---|
//! | [`formats`] | readers and writers of the files involved: manifests, projects, deps.json, runtimeconfig, NuGet versions, ECMA-335 metadata | nothing (bytes in, values out) |
//! | [`host`] | the one model of the .NET host: where each asset lives in the app folder and in a store, RID fallback, probe order | stats and reads store copies, only in `resolve` and `StoreSelection::resolve` |
//! | [`inputs`] | reads what every command starts from: the manifests (or a project's), and the publish folder's deps.json, runtimeconfig and file list | reads (only regular files, never through links) |
//! | [`trim`] | the trim pipeline: plan (pure), store check, apply (the only deleter), backup and restore | the publish folder, the store (read), the digest cache, the backup folder |
//! | [`verify`] | `trim-publish verify`: the host's start-up resolution, on top of [`host`] | reads the folder and the stores |
//! | [`store_manifest`] | `trim-publish manifest`: manifests from a store, a deps.json or a fleet of apps (planned with the trim's own planner), and their diff | reads; writes `--out-dir` manifests |
//! | [`report`] | outcomes and their text, JSON and Markdown renderings | nothing |
//! | [`diagnostic`], [`exit`] | every diagnostic code and every exit code, each in one place | nothing |
//! | [`cli`] | the clap definitions and their one conversion to the configs above | nothing |
//!
//! No library code prints: the binary renders reports and diagnostics, and long runs report
//! progress through [`trim::Observer`].

pub mod cli;
pub mod diagnostic;
pub mod exit;
pub mod formats;
pub mod host;
pub mod inputs;
pub mod report;
pub mod store_manifest;
pub mod trim;
pub mod verify;

pub use trim::{run, Status, TrimConfig};

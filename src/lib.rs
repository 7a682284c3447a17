//! trim-publish: trim a .NET publish folder against runtime package store target manifests.
pub mod diagnostic;
pub mod manifest;
pub mod nuget;
pub mod text;
pub mod xml;

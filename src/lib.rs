//! trim-publish: trim a .NET publish folder against runtime package store target manifests.
pub mod deps;
pub mod depsedit;
pub mod diagnostic;
pub mod inventory;
pub mod manifest;
pub mod nuget;
pub mod plan;
pub mod project;
pub mod runtimeconfig;
pub mod text;
pub mod xml;

//! Readers and writers of the files trim-publish deals with. Pure: bytes in, values out; every
//! error carries the file, line and column and converts into a [`crate::diagnostic::Diagnostic`].

pub mod deps;
pub mod depsedit;
pub(crate) mod jsonspan;
pub mod manifest;
pub mod metadata;
pub mod nuget;
pub mod project;
pub mod runtimeconfig;
pub mod text;
pub mod xml;

//! Any bytes as a PE file: an assembly identity or an error, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = trim_publish::formats::metadata::read_identity(data);
});

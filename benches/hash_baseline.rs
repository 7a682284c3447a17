//! The reference point for store verification: BLAKE3 of every file listed in a file (one path a
//! line) with the `blake3` crate, plain `read()` into a 256 KiB buffer, N rayon threads, one file
//! per task. This is "hash both trees", as performance-facts.md measures it, run on the same tree
//! in the same session by benches/compare.sh.
//!
//! Usage: `hash_baseline LIST [THREADS]`.

use std::io::Read;

use rayon::prelude::*;

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let Some(list) = args.first() else {
        eprintln!("usage: hash_baseline LIST [THREADS]");
        return;
    };
    let threads: usize = args.get(1).and_then(|t| t.parse().ok()).unwrap_or(2);
    let files: Vec<String> = std::fs::read_to_string(list)
        .expect("reading the file list")
        .lines()
        .map(String::from)
        .collect();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let digests: Vec<blake3::Hash> = pool.install(|| {
        files
            .par_iter()
            .with_max_len(1)
            .map(|f| {
                let mut file = std::fs::File::open(f).expect("open");
                let mut buf = vec![0u8; 256 * 1024];
                let mut h = blake3::Hasher::new();
                loop {
                    let n = file.read(&mut buf).expect("read");
                    if n == 0 {
                        break h.finalize();
                    }
                    h.update(&buf[..n]);
                }
            })
            .collect()
    });
    println!("{} files hashed", digests.len());
}

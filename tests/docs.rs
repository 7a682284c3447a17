//! Documentation that must match the code: every diagnostic code used in src/ is documented in
//! docs/diagnostics.md and every documented code is used; every trim-publish command line in the
//! README and examples/ parses with the real CLI.

use std::collections::BTreeSet;
use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn codes(text: &str) -> BTreeSet<String> {
    let bytes = text.as_bytes();
    (0..bytes.len().saturating_sub(5))
        .filter(|&i| {
            &bytes[i..i + 2] == b"TP"
                && bytes[i + 2..i + 6].iter().all(u8::is_ascii_digit)
                && bytes.get(i + 6).is_none_or(|b| !b.is_ascii_digit())
                && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric())
        })
        .map(|i| text[i..i + 6].to_string())
        .collect()
}

/// Codes live in one place (`src/diagnostic/codes.rs`), each is documented, each documented code
/// exists, and each constant is used.
#[test]
fn every_diagnostic_code_is_documented_and_every_documented_code_exists() {
    let defined: BTreeSet<String> = trim_publish::diagnostic::codes::ALL
        .iter()
        .map(|c| c.to_string())
        .collect();
    let codes_rs = std::fs::read_to_string(root().join("src/diagnostic/codes.rs")).unwrap();
    let mut elsewhere = String::new();
    for entry in walkdir::WalkDir::new(root().join("src")) {
        let entry = entry.unwrap();
        if entry.path().extension().is_some_and(|e| e == "rs")
            && !entry.path().ends_with("codes.rs")
        {
            let text = std::fs::read_to_string(entry.path()).unwrap();
            // Unit tests may assert a literal code; code outside tests must use the constants.
            let code_part: String = text
                .split("#[cfg(test)]")
                .next()
                .unwrap()
                .lines()
                .filter(|l| !l.trim_start().starts_with("//"))
                .collect::<Vec<_>>()
                .join("\n");
            let literals = codes(&code_part);
            assert!(
                literals.is_empty(),
                "{}: codes written as literals {literals:?}; use diagnostic::codes",
                entry.path().display()
            );
            elsewhere.push_str(&text);
        }
    }
    for line in codes_rs.lines() {
        if let Some(name) = line
            .strip_prefix("pub const ")
            .and_then(|l| l.split(':').next())
        {
            if name != "ALL" {
                assert!(
                    elsewhere.contains(&format!("codes::{name}")),
                    "{name} is defined but never used"
                );
            }
        }
    }
    // The MSBuild target's own codes (TP7xxx) live in its targets file, the one place they are
    // written.
    let targets =
        std::fs::read_to_string(root().join("integrations/msbuild/build/TrimPublish.targets"))
            .unwrap();
    let target_codes = codes(&targets);
    assert!(
        target_codes.iter().all(|c| c.starts_with("TP7")),
        "the targets file may only use its own TP7xxx codes: {target_codes:?}"
    );
    let mut defined = defined;
    defined.extend(target_codes);
    let docs = std::fs::read_to_string(root().join("docs/diagnostics.md")).unwrap();
    let documented: BTreeSet<String> = docs
        .lines()
        .filter_map(|l| l.strip_prefix("| TP"))
        .map(|l| format!("TP{}", &l[..4]))
        .collect();
    assert!(defined.len() > 30, "found only {defined:?}");
    let undocumented: Vec<_> = defined.difference(&documented).collect();
    let stale: Vec<_> = documented.difference(&defined).collect();
    assert!(
        undocumented.is_empty(),
        "codes defined but not in docs/diagnostics.md: {undocumented:?}"
    );
    assert!(
        stale.is_empty(),
        "codes documented but defined nowhere: {stale:?}"
    );
}

/// Splits a shell command line into its commands (at `&&`, `||`, `;` and `|`), each a list of
/// words: quotes group, `\\` escapes, a redirection ends the command's words, `#` starts a comment.
fn shell_commands(line: &str) -> Vec<Vec<String>> {
    let mut commands = Vec::new();
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut redirected = false;
    let mut chars = line.chars().peekable();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.get_or_insert_with(String::new).push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                word.get_or_insert_with(String::new);
            }
            (None, '\\') => {
                if let Some(n) = chars.next() {
                    word.get_or_insert_with(String::new).push(n);
                }
            }
            (None, c) if c.is_whitespace() => {
                if !redirected {
                    words.extend(word.take());
                }
                word = None;
            }
            (None, '#') if word.is_none() => break,
            (None, '|' | ';' | '&') => {
                if !redirected {
                    words.extend(word.take());
                }
                word = None;
                commands.push(std::mem::take(&mut words));
                redirected = false;
                while chars.next_if(|n| matches!(n, '|' | '&')).is_some() {}
            }
            (None, '>' | '<') => {
                // `2>&1`, `>/dev/null`: a file descriptor before, a target after.
                if !word
                    .as_deref()
                    .is_some_and(|w| w.chars().all(|d| d.is_ascii_digit()))
                {
                    words.extend(word.take());
                }
                word = None;
                redirected = true;
                while chars.next_if(|n| matches!(n, '>' | '&')).is_some() {}
            }
            (None, c) => word.get_or_insert_with(String::new).push(c),
        }
    }
    if !redirected {
        words.extend(word);
    }
    commands.push(words);
    commands.retain(|c| !c.is_empty());
    commands
}

/// The arguments of every trim-publish invocation in `text` (one line a command list,
/// continuations joined): a command whose first word is `trim-publish` (or a path to it), or
/// `cargo run --release -- ...`.
fn invocations(lines: impl Iterator<Item = String>) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for line in lines {
        for words in shell_commands(&line) {
            let first = words[0].as_str();
            if first == "trim-publish" || first.ends_with("/trim-publish") {
                out.push(words[1..].to_vec());
            } else if words.starts_with(&["cargo", "run", "--release", "--"].map(String::from)) {
                out.push(words[4..].to_vec());
            }
        }
    }
    out
}

/// Lines of shell in a file: README `sh` code blocks, Dockerfile `RUN`s, workflow `run:` values
/// (folded `>` blocks included), with `\` continuations joined.
fn shell_lines(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    let mut raw = Vec::new();
    if name.ends_with(".md") {
        let mut in_sh = false;
        for line in text.lines() {
            let t = line.trim_start();
            if t.starts_with("```") {
                in_sh = !in_sh && (t == "```sh" || t == "```bash");
                continue;
            }
            if in_sh {
                raw.push(line.to_string());
            }
        }
    } else if name == "Dockerfile" {
        let mut current: Option<String> = None;
        for line in text.lines() {
            if let Some(c) = current.as_mut() {
                c.push(' ');
                c.push_str(line.trim());
            } else if let Some(rest) = line.strip_prefix("RUN ") {
                current = Some(rest.to_string());
            }
            if let Some(c) = current.take() {
                if c.ends_with('\\') {
                    current = Some(c.trim_end_matches('\\').to_string());
                } else {
                    raw.push(c);
                }
            }
        }
    } else {
        let lines: Vec<&str> = text.lines().collect();
        let mut i = 0;
        while i < lines.len() {
            let t = lines[i].trim_start();
            if let Some(rest) = t.strip_prefix("- run:").or_else(|| t.strip_prefix("run:")) {
                let rest = rest.trim();
                if rest == ">" || rest == "|" {
                    let indent = lines[i].len() - t.len();
                    let mut block = Vec::new();
                    while i + 1 < lines.len()
                        && lines[i + 1].len() - lines[i + 1].trim_start().len() > indent
                    {
                        i += 1;
                        block.push(lines[i].trim());
                    }
                    raw.push(block.join(" "));
                } else {
                    raw.push(rest.to_string());
                }
            }
            i += 1;
        }
    }
    // Join `\` continuations.
    let mut joined = Vec::new();
    let mut pending = String::new();
    for line in raw {
        if let Some(body) = line.trim_end().strip_suffix('\\') {
            pending.push_str(body);
            pending.push(' ');
        } else {
            pending.push_str(&line);
            joined.push(std::mem::take(&mut pending));
        }
    }
    joined
}

#[test]
fn every_documented_command_line_parses() {
    use clap::Parser;
    let mut files = vec![root().join("README.md")];
    for e in std::fs::read_dir(root().join("examples")).unwrap() {
        files.push(e.unwrap().path());
    }
    let mut checked = 0;
    for file in files {
        for args in invocations(shell_lines(&file).into_iter()) {
            let argv = std::iter::once("trim-publish".to_string()).chain(args.clone());
            if let Err(e) = trim_publish::cli::Args::try_parse_from(argv) {
                panic!(
                    "{}: `trim-publish {}` does not parse:\n{e}",
                    file.display(),
                    args.join(" ")
                );
            }
            checked += 1;
        }
    }
    assert!(checked >= 12, "only {checked} invocations found");
}

#[test]
fn shell_word_splitting() {
    assert_eq!(
        shell_commands(r#"trim-publish -m "a b.xml" --keep 'runtimes/**' dir # comment"#),
        [[
            "trim-publish",
            "-m",
            "a b.xml",
            "--keep",
            "runtimes/**",
            "dir"
        ]]
    );
    assert_eq!(shell_commands("x > /dev/null"), [["x"]]);
    assert_eq!(shell_commands(r#"a "" b"#), [["a", "", "b"]]);
    assert_eq!(
        shell_commands("a 2>/dev/null && b c 2>&1 || d; e | f"),
        [vec!["a"], vec!["b", "c"], vec!["d"], vec!["e"], vec!["f"]]
    );
}

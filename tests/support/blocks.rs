//! Fenced blocks of README.md and docs/**/*.md, for tests/docs.rs and
//! tests/ci_integration.rs.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// One fenced block.
pub struct Block {
    /// `file:line` of the opening fence.
    pub at: String,
    /// The Markdown file.
    pub file: PathBuf,
    /// The first word of the info string (`sh`), empty when there is none.
    pub lang: String,
    /// The other words (`exit=1`, `no-run=network`).
    pub words: Vec<String>,
    /// The block's text, without the fence's indentation.
    pub body: String,
}

pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// README.md and every Markdown file under docs/, sorted.
pub fn doc_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("docs/") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "md") {
                out.push(path);
            }
        }
    }
    let mut files = vec![root().join("README.md")];
    walk(&root().join("docs"), &mut files);
    files.sort();
    files
}

/// Every fenced block of a Markdown file (indented ones too, as in lists).
pub fn blocks(file: &Path) -> Vec<Block> {
    let text = std::fs::read_to_string(file).expect("read");
    let shown = file.strip_prefix(root()).unwrap_or(file).display();
    let mut out = Vec::new();
    let mut lines = text.lines().enumerate();
    while let Some((n, line)) = lines.next() {
        let indent = line.len() - line.trim_start().len();
        let Some(info) = line.trim_start().strip_prefix("```") else {
            continue;
        };
        let mut words = info.split_whitespace().map(str::to_owned);
        let lang = words.next().unwrap_or_default();
        let words: Vec<String> = words.collect();
        let mut body = String::new();
        let mut closed = false;
        for (_, line) in lines.by_ref() {
            if line.trim() == "```" {
                closed = true;
                break;
            }
            let cut = line.len() - line.trim_start().len();
            body.push_str(&line[cut.min(indent)..]);
            body.push('\n');
        }
        let at = format!("{shown}:{}", n + 1);
        assert!(closed, "{at}: a fenced block that is never closed");
        out.push(Block {
            at,
            file: file.to_owned(),
            lang,
            words,
            body,
        });
    }
    out
}

pub fn all_blocks() -> Vec<Block> {
    doc_files().iter().flat_map(|f| blocks(f)).collect()
}

/// `PATH` with the tagc under test first.
pub fn path_with_tagc() -> std::ffi::OsString {
    let bin = Path::new(env!("CARGO_BIN_EXE_tagc"))
        .parent()
        .expect("the binary's directory")
        .to_owned();
    let rest = std::env::var_os("PATH").unwrap_or_default();
    std::env::join_paths(std::iter::once(bin).chain(std::env::split_paths(&rest))).expect("a PATH")
}

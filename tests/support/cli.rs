//! The `tagc` binary as the send and verify tests run it.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

use super::orders::NOW;

/// `tagc`, run from the crate root without colour and without an access token from the
/// environment (tests pass their own).
pub fn tagc() -> Command {
    let mut c = Command::cargo_bin("tagc").expect("binary builds");
    c.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .env_remove("META_ACCESS_TOKEN");
    c
}

/// Builds `examples/{example}/tagc.yaml` into a temporary directory, which it returns.
pub fn build_example(example: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let out = tagc()
        .args(["build", &format!("examples/{example}/tagc.yaml"), "--out"])
        .arg(dir.path())
        .output()
        .expect("tagc runs");
    assert!(out.status.success(), "{}", stderr(&out));
    dir
}

/// Builds `examples/{example}/tagc.yaml` into a temporary directory: (the directory, the
/// path of its `capi/mapping.json`).
pub fn build_mapping(example: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = build_example(example);
    let mapping = dir.path().join("capi/mapping.json");
    (dir, mapping)
}

/// The arguments of `tagc send --event purchase --mapping MAPPING --graph-url URL --now
/// NOW --retry-base-ms 5` (short retry delays); the input and any other options follow.
pub fn send_args(mapping: &Path, url: &str) -> Vec<String> {
    send_args_with_retry_base(mapping, url, 5)
}

/// [`send_args`] with a first retry delay of `retry_base_ms` milliseconds.
pub fn send_args_with_retry_base(mapping: &Path, url: &str, retry_base_ms: u64) -> Vec<String> {
    let mapping = mapping.display().to_string();
    let now = NOW.to_string();
    let retry_base_ms = retry_base_ms.to_string();
    [
        "send",
        "--event",
        "purchase",
        "--mapping",
        &mapping,
        "--graph-url",
        url,
        "--now",
        &now,
        "--retry-base-ms",
        &retry_base_ms,
    ]
    .map(String::from)
    .to_vec()
}

/// What a run printed on stderr.
pub fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The lines of an NDJSON file tagc wrote (failed or warnings file), each of which must
/// be a complete JSON value (a missing file reads as empty); a non-empty file must end
/// with a line break.
pub fn ndjson_lines(path: &Path) -> Vec<Value> {
    let bytes = std::fs::read(path).unwrap_or_default();
    assert!(
        bytes.is_empty() || bytes.ends_with(b"\n"),
        "{} ends in the middle of a line",
        path.display()
    );
    let text = String::from_utf8(bytes).expect("tagc's NDJSON files are UTF-8");
    text.lines()
        .map(|l| {
            serde_json::from_str(l)
                .unwrap_or_else(|e| panic!("not a complete JSON line ({e}): {l:?}"))
        })
        .collect()
}

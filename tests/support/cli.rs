//! The `tagc` binary as the send and verify tests run it.

use std::path::PathBuf;

use assert_cmd::Command;

/// `tagc`, run from the crate root without colour and without an access token from the
/// environment (tests pass their own).
pub fn tagc() -> Command {
    let mut c = Command::cargo_bin("tagc").expect("binary builds");
    c.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .env_remove("META_ACCESS_TOKEN");
    c
}

/// Builds `examples/{example}/tagc.yaml` into a temporary directory: (the directory, the
/// path of its `capi/mapping.json`).
pub fn build_mapping(example: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let out = tagc()
        .args(["build", &format!("examples/{example}/tagc.yaml"), "--out"])
        .arg(dir.path())
        .output()
        .expect("tagc runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mapping = dir.path().join("capi/mapping.json");
    (dir, mapping)
}

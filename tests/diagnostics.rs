//! The diagnostics gallery: one invalid configuration per file under
//! `tests/fixtures/invalid/`, each named after the code it demonstrates
//! (`TAG2005-purchase-without-value.yaml`), snapshotted in all three output formats.
//!
//! Every snapshot carries its input as the description, so a reviewer sees the config and
//! what tagc says about it side by side. Files under `fixtures/invalid/support/` are only
//! ever included by fixtures, never checked on their own.
//!
//! Regenerate with `INSTA_UPDATE=always cargo test --test diagnostics` and read the diff.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Once;

use tagc::check::{Checked, check_paths};
use tagc::diagnostic::Code;
use tagc::diagnostic::render::{github, human, json};
use tagc::load::Limits;

const FIXTURES: &str = "tests/fixtures/invalid";

/// Diagnostics name files as they were given, so every test runs from the crate root and
/// passes relative paths: snapshots then show `tests/fixtures/invalid/…` on any machine.
fn at_crate_root() {
    static CWD: Once = Once::new();
    CWD.call_once(|| {
        std::env::set_current_dir(env!("CARGO_MANIFEST_DIR")).expect("cd to the crate root");
    });
}

/// `path` relative to the crate root (glob! hands out absolute paths).
fn relative(path: &Path) -> PathBuf {
    path.strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap_or(path)
        .to_path_buf()
}

fn check(rel: &Path) -> Checked {
    at_crate_root();
    check_paths(&[rel.to_path_buf()], Limits::default())
        .unwrap_or_else(|e| panic!("{}: {e}", rel.display()))
}

/// The rustc-style report exactly as `tagc check` prints it (without colour).
fn render_human(checked: &Checked) -> String {
    let diags = &checked.diagnostics;
    let mut out = String::new();
    for d in diags.as_slice() {
        out.push_str(&human::render(d, &checked.sources, false));
        out.push('\n');
    }
    out.push_str(&human::summary(
        diags.error_count(),
        diags.warning_count(),
        checked.sources.iter().count(),
        false,
    ));
    out
}

fn render_json(checked: &Checked) -> String {
    json::render(
        checked.diagnostics.as_slice(),
        &checked.sources,
        checked.sources.iter().count(),
    )
}

fn render_github(checked: &Checked) -> String {
    github::render(checked.diagnostics.as_slice(), &checked.sources)
}

/// The fixture's text for the snapshot header; binary fixtures are described and decoded.
fn describe(bytes: &[u8]) -> String {
    if let Ok(text) = std::str::from_utf8(bytes) {
        return text.to_owned();
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        return format!(
            "[binary fixture: UTF-16LE with a byte order mark, {} bytes; decoded for display]\n{}",
            bytes.len(),
            String::from_utf16_lossy(&units)
        );
    }
    format!(
        "[binary fixture: not UTF-8, {} bytes; invalid bytes shown as U+FFFD]\n{}",
        bytes.len(),
        String::from_utf8_lossy(bytes)
    )
}

/// The code a fixture demonstrates: the `TAGxxxx` prefix of its file name.
fn expected_code(path: &Path) -> Code {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let id = name.split('-').next().unwrap_or_default();
    Code::parse(id).unwrap_or_else(|| panic!("fixture `{name}` does not start with a code"))
}

/// The root fixtures (not the helpers under `support/`), sorted.
fn fixtures() -> Vec<PathBuf> {
    at_crate_root();
    let mut out: Vec<PathBuf> = std::fs::read_dir(FIXTURES)
        .expect("fixtures directory")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    out.sort();
    out
}

#[test]
fn gallery() {
    insta::glob!("fixtures/invalid/*.yaml", |path| {
        let rel = relative(path);
        let bytes = std::fs::read(path).expect("read fixture");
        let checked = check(&rel);
        insta::with_settings!({
            description => describe(&bytes),
            omit_expression => true,
        }, {
            insta::assert_snapshot!("human", render_human(&checked));
            insta::assert_snapshot!("json", render_json(&checked));
            insta::assert_snapshot!("github", render_github(&checked));
        });
    });
}

#[test]
fn every_fixture_produces_the_code_in_its_name() {
    let all = fixtures();
    assert!(all.len() >= 45, "only {} fixtures", all.len());
    for path in all {
        let want = expected_code(&path);
        let got = check(&path).diagnostics.codes();
        assert!(
            got.contains(&want),
            "{} should report {want}, got {got:?}",
            path.display()
        );
    }
}

#[test]
fn every_code_has_a_fixture() {
    let covered: BTreeSet<Code> = fixtures().iter().map(|p| expected_code(p)).collect();
    let missing: Vec<&str> = Code::ALL
        .iter()
        .filter(|c| **c != Code::TooLarge && !covered.contains(c))
        .map(|c| c.id())
        .collect();
    assert!(missing.is_empty(), "codes without a fixture: {missing:?}");
}

#[test]
fn too_large_file_is_rejected_quickly() {
    at_crate_root();
    let limit = Limits::default().max_bytes;
    // Created under `target/` and named relative to the crate root, like the fixtures.
    std::fs::create_dir_all("target").expect("target directory");
    let dir = tempfile::Builder::new()
        .prefix("tagc-too-large-")
        .tempdir_in("target")
        .expect("temporary directory");
    let path = relative(&dir.path().join("tagc.yaml"));
    let head = "pixels:\n  - name: main\n    ids:\n      production: \"123456789012345\"\n# ";
    let mut text = String::with_capacity(limit + 2);
    text.push_str(head);
    text.push_str(&"x".repeat(limit + 1 - head.len() - 1));
    text.push('\n');
    assert_eq!(text.len(), limit + 1);
    std::fs::write(&path, &text).expect("write the large config");

    // Speed is measured in benches, not asserted here; the point is a clean rejection.
    let checked = check(&path);
    assert_eq!(checked.diagnostics.codes(), vec![Code::TooLarge]);
    insta::with_settings!({
        description => format!("[generated by the test: a {}-byte file, one byte over the limit]", limit + 1),
        omit_expression => true,
        filters => vec![(r"tagc-too-large-[A-Za-z0-9]+", "[tmp]")],
    }, {
        insta::assert_snapshot!("TAG0005-too-large", render_human(&checked));
    });
}

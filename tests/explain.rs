//! Every `tagc explain` text keeps its promise: the ```` ```yaml ```` block under
//! `## Example` makes `tagc check` report the code, and the block under `## Fix` does not
//! (and reports no error at all).
//!
//! Each block is written to a fresh temporary directory as `tagc.yaml` and checked through
//! the library, as `tagc check tagc.yaml` would be. Two conventions let a text show what a
//! plain YAML file cannot:
//!
//! - a block whose first line is `# saved as Windows-1252…` is written in that encoding
//!   (one byte per character), so the not-UTF-8 example is real;
//! - [`neighbours`] lists the other files an include example talks about (`# the file on
//!   disk is server.yaml`); they are written next to `tagc.yaml` for both blocks.
//!
//! What cannot be shown at all is in [`EXEMPT`], each with its reason. The test collects
//! every broken text and names the codes in one failure message.

use std::fmt::Write as _;
use std::path::PathBuf;

use tagc::check::{Checked, check_paths};
use tagc::diagnostic::explain::explanation;
use tagc::diagnostic::render::human;
use tagc::diagnostic::{Code, Severity};
use tagc::load::Limits;

/// Codes whose example cannot be a YAML file the test writes, and why. Keep it short.
const EXEMPT: &[(Code, &str)] = &[(
    Code::TooLarge,
    "needs a file over the size limit (10 MiB); the text abbreviates it as `[...]`, and \
     tests/diagnostics.rs::too_large_file_is_rejected_quickly generates one",
)];

/// Errors an Example may report besides its own code, and why. Any other error in an
/// Example is a mistake in the text: a reader who copies it would see a second problem.
const COMPANIONS: &[(Code, Code, &str)] = &[(
    Code::SecretInConfig,
    Code::UnknownField,
    "`graph:` has no `access_token` key, so the secret is also an unknown key",
)];

/// The files besides `tagc.yaml` that a code's example and fix refer to (name, content).
fn neighbours(code: Code) -> &'static [(&'static str, &'static str)] {
    const SERVER: &str = "server:\n  events: []\n";
    const PAGES: &str = "pages: []\n";
    match code {
        // "the file on disk is server.yaml"
        Code::IncludeFailed => &[("server.yaml", SERVER)],
        // "tagc.yaml, next to pages.yaml and server.yaml"
        Code::IncludeCycle => &[("pages.yaml", PAGES), ("server.yaml", SERVER)],
        // "the files are pages/home.yaml and pages/shop.yaml"
        Code::IncludeMatchesNothing => &[("pages/home.yaml", PAGES), ("pages/shop.yaml", PAGES)],
        // "server.yaml holds the server events"
        Code::TooLarge => &[("server.yaml", SERVER)],
        _ => &[],
    }
}

/// The first ```` ```yaml ```` block of the section headed `## {heading}`.
fn yaml_block<'t>(text: &'t str, heading: &str) -> Option<&'t str> {
    let start = text.find(&format!("\n## {heading}\n"))?;
    let section = &text[start + 1..];
    let section = match section[1..].find("\n## ") {
        Some(end) => &section[..end + 2],
        None => section,
    };
    let open = section.find("```yaml\n")? + "```yaml\n".len();
    let len = section[open..].find("\n```")?;
    Some(&section[open..=open + len])
}

/// The bytes to write for a block: UTF-8, or Windows-1252 when the block says so.
fn file_bytes(block: &str) -> Vec<u8> {
    if block.starts_with("# saved as Windows-1252") {
        // Latin-1 and Windows-1252 agree on every character these texts use.
        block
            .chars()
            .map(|c| u8::try_from(u32::from(c)).expect("a Latin-1 character"))
            .collect()
    } else {
        block.as_bytes().to_vec()
    }
}

/// The pixel a fix block is checked with when it defines none itself: the texts show only
/// the part of a configuration that matters, and a whole configuration needs a pixel.
const PIXEL: &str = "pixels:\n  - name: main\n    ids: {production: \"123456789012345\"}\n";

/// Whether `block` defines pixels itself (a top-level `pixels:` key).
fn has_pixels(block: &str) -> bool {
    block.lines().any(|l| l.starts_with("pixels:"))
}

/// Checks `block` as `tagc.yaml` in a fresh directory holding `code`'s neighbours; with
/// `add_pixel`, a second root `pixel.yaml` supplies [`PIXEL`] unless the block has pixels.
fn check_block(code: Code, block: &str, add_pixel: bool) -> Checked {
    let dir = tempfile::tempdir().expect("temporary directory");
    for (name, content) in neighbours(code) {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("neighbour directory");
        }
        std::fs::write(path, content).expect("write a neighbour");
    }
    let path: PathBuf = dir.path().join("tagc.yaml");
    std::fs::write(&path, file_bytes(block)).expect("write tagc.yaml");
    let mut roots = vec![path];
    if add_pixel && !has_pixels(block) {
        let pixel = dir.path().join("pixel.yaml");
        std::fs::write(&pixel, PIXEL).expect("write pixel.yaml");
        roots.push(pixel);
    }
    check_paths(&roots, Limits::default()).expect("check the block")
}

/// What `tagc check` prints for `checked`, to show in a failure message.
fn report(checked: &Checked) -> String {
    let mut out = String::new();
    for d in checked.diagnostics.as_slice() {
        out.push_str(&human::render(d, &checked.sources, false));
    }
    if out.is_empty() {
        out.push_str("(no diagnostics)\n");
    }
    out
}

/// Every problem with `code`'s text, as lines of a failure message.
fn problems(code: Code) -> Vec<String> {
    let text = explanation(code);
    let mut out = Vec::new();
    let (Some(example), Some(fix)) = (yaml_block(&text, "Example"), yaml_block(&text, "Fix"))
    else {
        out.push(format!(
            "{code}: needs a ```yaml block under both `## Example` and `## Fix`"
        ));
        return out;
    };
    // The Example is checked as part of a whole configuration (with a pixel), except the
    // one about having no pixel.
    let checked = check_block(code, example, code != Code::NoPixels);
    if !checked.diagnostics.codes().contains(&code) {
        out.push(format!(
            "{code}: the Example does not report {code}; tagc check says:\n{}",
            report(&checked)
        ));
    }
    let others: Vec<Code> = checked
        .diagnostics
        .as_slice()
        .iter()
        .filter(|d| d.severity == Severity::Error && d.code != code)
        .map(|d| d.code)
        .filter(|&o| !COMPANIONS.iter().any(|&(c, e, _)| c == code && e == o))
        .collect();
    if !others.is_empty() {
        out.push(format!(
            "{code}: the Example also reports {others:?}; tagc check says:\n{}",
            report(&checked)
        ));
    }
    let checked = check_block(code, fix, true);
    let codes = checked.diagnostics.codes();
    let errors = checked
        .diagnostics
        .as_slice()
        .iter()
        .any(|d| d.severity == Severity::Error);
    if codes.contains(&code) || errors {
        out.push(format!(
            "{code}: the Fix still reports {}; tagc check says:\n{}",
            if codes.contains(&code) {
                code.id().to_owned()
            } else {
                "an error".to_owned()
            },
            report(&checked)
        ));
    }
    out
}

#[test]
fn every_example_reports_its_code_and_every_fix_is_clean() {
    let mut failures = String::new();
    let mut failed = Vec::new();
    for &code in Code::ALL {
        if EXEMPT.iter().any(|(c, _)| *c == code) {
            continue;
        }
        let found = problems(code);
        if !found.is_empty() {
            failed.push(code.id());
            for p in found {
                let _ = writeln!(failures, "{p}");
            }
        }
    }
    assert!(
        failed.is_empty(),
        "explanations whose examples do not hold: {failed:?}\n\n{failures}"
    );
}

/// The exemptions stay honest: each is listed once with a reason, its Fix is clean, and its
/// abbreviated Example reports no error besides the one it stands for (so what a reader
/// copies is otherwise right).
#[test]
fn exemptions_are_few_and_explained() {
    assert!(EXEMPT.len() <= 2, "keep the exemption list minimal");
    for (i, (code, reason)) in EXEMPT.iter().enumerate() {
        assert!(reason.len() > 20, "{code}: give a reason");
        assert!(
            EXEMPT[..i].iter().all(|(c, _)| c != code),
            "{code} listed twice"
        );
        let text = explanation(*code);
        for heading in ["Example", "Fix"] {
            let block = yaml_block(&text, heading).expect("a yaml block");
            let checked = check_block(*code, block, true);
            assert_eq!(
                checked.diagnostics.error_count(),
                0,
                "{code}: the {heading} reports errors:\n{}",
                report(&checked)
            );
        }
    }
}

#[test]
fn blocks_are_found() {
    let text = "A (a): s\n\n## What it checks\nx\n\n## Example\n```yaml\na: 1\n```\n\n## Fix\nSay.\n```yaml\nb: 2\n```\n";
    assert_eq!(yaml_block(text, "Example"), Some("a: 1\n"));
    assert_eq!(yaml_block(text, "Fix"), Some("b: 2\n"));
    assert_eq!(yaml_block(text, "Why"), None);
    assert_eq!(
        file_bytes("# saved as Windows-1252\né"),
        b"# saved as Windows-1252\n\xE9"
    );
}

/// Every file under `docs/codes/` is one code's text, included for that code (a file
/// included for the wrong code, or left over after a code was renamed, fails here).
#[test]
fn docs_codes_files_are_the_texts_of_their_codes() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/codes");
    let mut files = 0;
    for entry in std::fs::read_dir(&dir).expect("docs/codes") {
        let path = entry.expect("directory entry").path();
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        assert_eq!(
            path.extension().and_then(|e| e.to_str()),
            Some("md"),
            "{}",
            path.display()
        );
        let code = Code::parse(name)
            .unwrap_or_else(|| panic!("{} is not named after a code", path.display()));
        let text = std::fs::read_to_string(&path).expect("read the text");
        assert!(
            explanation(code).ends_with(&format!("\n\n{text}")),
            "`tagc explain {code}` does not show {}",
            path.display()
        );
        files += 1;
    }
    assert!(files >= 50, "only {files} texts under docs/codes");
}

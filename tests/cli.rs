//! The command line: exit codes, output streams and formats.

use assert_cmd::Command;

fn tagc() -> Command {
    let mut c = Command::cargo_bin("tagc").expect("binary builds");
    c.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1");
    c
}

#[test]
fn check_clean_example_exits_zero() {
    let out = tagc()
        .args(["check", "examples/event-landing/tagc.yaml"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no problems"));
    assert!(out.stdout.is_empty(), "human output goes to stderr");
}

#[test]
fn json_and_github_formats_go_to_stdout() {
    let out = tagc()
        .args([
            "check",
            "--format",
            "json",
            "examples/event-landing/tagc.yaml",
        ])
        .output()
        .expect("runs");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json on stdout");
    assert_eq!(v["version"], 1);
    assert_eq!(v["summary"]["errors"], 0);
    let out = tagc()
        .args([
            "check",
            "--format",
            "github",
            "examples/event-landing/tagc.yaml",
        ])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
}

#[test]
fn warnings_fail_only_with_deny_warnings() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("w.yaml");
    std::fs::write(
        &path,
        "pixels:\n  - name: main\n    ids: {production: \"123456789012345\"}\npages:\n  - id: home\n    url: /\n    buttons:\n      - id: n\n        text: Newsletter\n        event: NewsletterSignup\n",
    )
    .expect("write");
    let p = path.to_str().expect("utf-8");
    let out = tagc().args(["check", p]).output().expect("runs");
    assert_ok(&out);
    assert!(String::from_utf8_lossy(&out.stderr).contains("warning[TAG2003]"));
    let out = tagc()
        .args(["check", "--deny-warnings", p])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn colour_only_when_asked() {
    let out = tagc()
        .args([
            "check",
            "--color",
            "always",
            "tests/fixtures/invalid/TAG2005-purchase-without-value.yaml",
        ])
        .output()
        .expect("runs");
    assert!(String::from_utf8_lossy(&out.stderr).contains("\x1b["));
    let out = tagc()
        .args([
            "check",
            "tests/fixtures/invalid/TAG2005-purchase-without-value.yaml",
        ])
        .output()
        .expect("runs");
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("\x1b["),
        "NO_COLOR and no TTY mean no colour"
    );
}

#[test]
fn explain_prints_every_code() {
    for code in tagc::diagnostic::Code::ALL {
        let out = tagc().args(["explain", code.id()]).output().expect("runs");
        assert_eq!(out.status.code(), Some(0));
        assert!(String::from_utf8_lossy(&out.stdout).starts_with(code.id()));
    }
    let out = tagc().args(["explain", "--list"]).output().expect("runs");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).lines().count(),
        tagc::diagnostic::Code::ALL.len()
    );
}

#[test]
fn schema_command_prints_the_committed_schema() {
    let out = tagc().arg("schema").output().expect("runs");
    let committed = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/schema/tagc.schema.json"
    ))
    .expect("committed schema");
    assert_eq!(out.stdout, committed);
}

#[test]
fn hash_decides_a_phones_calling_code_as_send_does() {
    let normalized = |args: &[&str]| {
        let out = tagc().arg("hash").args(args).output().expect("runs");
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        let line: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON line");
        line["normalized"].as_str().unwrap_or_default().to_owned()
    };
    // The record's own country wins; the configured code is the default.
    let us = [
        "ph",
        "(650) 555-1212",
        "--country",
        "us",
        "--phone-country-code",
        "34",
    ];
    assert_eq!(normalized(&us), "16505551212");
    assert_eq!(
        normalized(&["ph", "612 345 678", "--phone-country-code", "34"]),
        "34612345678"
    );
    // A number written with + keeps its own code.
    let plus = ["ph", "+44 20 7946 0958", "--country", "us"];
    assert_eq!(normalized(&plus), "442079460958");
}

/// Asserts that a run exited 0, showing its stderr otherwise.
fn assert_ok(out: &std::process::Output) {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `tagc init`: a starter configuration and its schema that check clean and build; it
/// never overwrites without `--force` and refuses a pixel id Meta would not have.
#[test]
fn init_writes_a_starter_that_checks_clean_and_builds() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("tracking/tagc.yaml");
    let init = |extra: &[&str]| {
        tagc()
            .arg("init")
            .arg(&config)
            .args(extra)
            .output()
            .expect("runs")
    };
    let out = init(&["--pixel", "123456789012345"]);
    assert_ok(&out);
    let schema = dir.path().join("tracking/tagc.schema.json");
    let written = std::fs::read_to_string(&schema).expect("the schema beside it");
    let current = tagc().arg("schema").output().expect("runs").stdout;
    assert_eq!(written.as_bytes(), current, "the schema tagc checks with");
    let out = tagc()
        .args(["check", "--deny-warnings"])
        .arg(&config)
        .output()
        .expect("runs");
    assert_ok(&out);
    let out = tagc()
        .arg("build")
        .arg(&config)
        .arg("--out")
        .arg(dir.path().join("dist"))
        .output()
        .expect("runs");
    assert_ok(&out);
    assert!(dir.path().join("dist/pixel/pages/home.html").exists());
    assert!(dir.path().join("dist/capi/mapping.json").exists());

    // Never over what is there, unless asked.
    std::fs::write(&config, "mine").expect("write");
    let out = init(&["--pixel", "123456789012345"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--force"));
    assert_eq!(std::fs::read_to_string(&config).expect("read"), "mine");
    let out = init(&["--pixel", "1234567890123456", "--force"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        std::fs::read_to_string(&config)
            .expect("read")
            .contains("\"1234567890123456\"")
    );

    // A pixel id Meta would not have: nothing written.
    let other = dir.path().join("other/tagc.yaml");
    let out = tagc()
        .arg("init")
        .arg(&other)
        .args(["--pixel", "px-123"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(!other.exists() && !dir.path().join("other").exists());
}

/// A path on the command line is one whole configuration for every command: `check`
/// takes several (each its own), `build` and `snippet` exactly one.
#[test]
fn build_and_snippet_take_one_configuration() {
    let out = tagc()
        .args([
            "build",
            "examples/shop/tagc.yaml",
            "examples/offline/tagc.yaml",
            "--out",
            "target/never",
        ])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2), "a usage error");
    assert!(!std::path::Path::new("target/never").exists());
    let out = tagc()
        .args([
            "check",
            "examples/shop/tagc.yaml",
            "examples/offline/tagc.yaml",
        ])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("2 files"));
}

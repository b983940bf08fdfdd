//! Hostile and malformed input: every case ends in a clear diagnostic (exit 1) or a clear
//! I/O error (exit 2), never a panic, a hang or a stack overflow.

use std::path::Path;
use std::process::Output;

use assert_cmd::Command;

fn tagc(args: &[&str]) -> Output {
    Command::cargo_bin("tagc")
        .expect("binary builds")
        .args(args)
        .env("NO_COLOR", "1")
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .expect("tagc runs")
}

fn check_bytes(bytes: &[u8]) -> (i32, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("tagc.yaml");
    std::fs::write(&path, bytes).expect("write");
    let out = tagc(&[
        "check",
        "--format",
        "json",
        path.to_str().expect("utf-8 path"),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("panicked") && !stderr.contains("crashed"),
        "tagc crashed: {stderr}"
    );
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn codes(json: &str) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(json).expect("json report");
    v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| d["code"].as_str().unwrap_or_default().to_owned())
        .collect()
}

fn assert_config_error(bytes: &[u8], code: &str) -> String {
    let (status, json) = check_bytes(bytes);
    assert_eq!(status, 1, "expected exit 1 for {code}: {json}");
    assert!(
        codes(&json).iter().any(|c| c == code),
        "expected {code} in {json}"
    );
    json
}

#[test]
fn malformed_yaml_is_located() {
    let json = assert_config_error(
        b"pixels:\n  - name: main\n    ids: {production: \"1\"\n",
        "TAG0002",
    );
    assert!(
        json.contains("\"line\": 4") || json.contains("\"line\": 3"),
        "{json}"
    );
}

#[test]
fn tabs_are_rejected_with_help() {
    let json = assert_config_error(b"pixels:\n\t- name: main\n", "TAG0002");
    assert!(json.contains("tab"), "{json}");
}

/// Issue 17: a tab before a key was reported on the line above it (at the value that line
/// ends with) or on the key after the tab. The caret belongs on the tab itself.
#[test]
fn a_tab_before_a_key_is_located_at_the_tab() {
    let cases: [(&str, &[u8], u64, u64); 5] = [
        (
            "top-level key after a plain value",
            b"site:\n  name: Shop\n\tpixels: []\n",
            3,
            1,
        ),
        (
            "nested key after a plain value",
            b"site:\n  name: Shop\n\turl: https://shop.example.com\n",
            3,
            1,
        ),
        (
            "nested key, first in its mapping",
            b"site:\n\tname: Shop\n",
            2,
            1,
        ),
        (
            "tab after some spaces",
            b"site:\n  name: Shop\n  \turl: https://shop.example.com\n",
            3,
            3,
        ),
        (
            "top-level key after a quoted value",
            b"site:\n  name: \"Shop\"\n\tpixels: []\n",
            3,
            1,
        ),
    ];
    for (what, bytes, line, column) in cases {
        let json = assert_config_error(bytes, "TAG0002");
        let v: serde_json::Value = serde_json::from_str(&json).expect("json");
        let d = &v["diagnostics"][0];
        assert_eq!(
            (&d["line"], &d["column"]),
            (&line.into(), &column.into()),
            "{what}: {json}"
        );
        assert!(
            d["help"].as_str().is_some_and(|h| h.contains("tabs")),
            "{what}: {json}"
        );
    }
}

#[test]
fn duplicate_keys_name_both_places() {
    let json = assert_config_error(b"pages: []\npixels: []\npages: []\n", "TAG0003");
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    let d = &v["diagnostics"][0];
    assert_eq!(d["line"], 3);
    assert_eq!(d["labels"][1]["line"], 1);
}

#[test]
fn yaml_1_1_booleans_stay_strings() {
    // `no` and `NO` are strings (YAML 1.2), so they reach the schema as text, not false.
    let (status, json) = check_bytes(
        b"pixels:\n  - name: main\n    ids: {production: \"123456789012345\"}\npages:\n  - id: home\n    url: /\n    on_load:\n      - event: ViewContent\n        params: {content_name: no, content_category: NO}\n",
    );
    assert_eq!(status, 0, "{json}");
}

#[test]
fn alias_bombs_stop_at_the_node_budget() {
    let mut s = String::from("a: &a [x, x, x, x, x, x, x, x, x]\n");
    for i in 0..9 {
        let prev = if i == 0 {
            "a".to_owned()
        } else {
            format!("l{}", i - 1)
        };
        let refs = vec![format!("*{prev}"); 9].join(", ");
        s.push_str(&format!("l{i}: &l{i} [{refs}]\n"));
    }
    assert_config_error(s.as_bytes(), "TAG0006");
}

#[test]
fn deep_nesting_does_not_overflow_the_stack() {
    assert_config_error("- ".repeat(100_000).as_bytes(), "TAG0004");
    assert_config_error("[".repeat(100_000).as_bytes(), "TAG0004");
    let mut nested = String::new();
    for i in 0..100_000 {
        nested.push_str(&" ".repeat(i % 200));
        nested.push_str("a:\n");
    }
    let (status, _) = check_bytes(nested.as_bytes());
    assert_eq!(status, 1);
}

#[test]
fn non_utf8_and_utf16_are_named() {
    let json = assert_config_error(b"pixels:\n  - name: caf\xe9\n", "TAG0001");
    assert!(json.contains("\"line\": 2"), "{json}");
    let mut utf16 = vec![0xFF, 0xFE];
    for u in "pixels: []\n".encode_utf16() {
        utf16.extend(u.to_le_bytes());
    }
    let json = assert_config_error(&utf16, "TAG0001");
    assert!(json.contains("UTF-16"), "{json}");
}

#[test]
fn empty_files_are_reported() {
    assert_config_error(b"", "TAG0007");
    assert_config_error(b"# nothing but a comment\n", "TAG0007");
    assert_config_error(b"\xEF\xBB\xBF", "TAG0007");
}

#[test]
fn fifty_megabytes_is_rejected_before_parsing() {
    let big = "# padding\n".repeat(5 * 1024 * 1024);
    assert_config_error(big.as_bytes(), "TAG0005");
}

#[test]
fn hostile_strings_stay_data_in_every_format() {
    let cfg = "pixels:\n  - name: main\n    ids: {production: \"123456789012345\"}\npages:\n  - id: home\n    url: /\n    buttons:\n      - id: x\n        text: \"</script><script>alert(1)</script>\\u2028\\\"'\"\n        event: \"</script><script>alert(1)</script>\"\n";
    let (status, json) = check_bytes(cfg.as_bytes());
    assert_eq!(
        status, 0,
        "a hostile custom event name is an undeclared custom event (a warning): {json}"
    );
    let v: serde_json::Value = serde_json::from_str(&json).expect("still valid JSON");
    assert!(v["diagnostics"].as_array().is_some_and(|a| !a.is_empty()));
}

#[test]
fn missing_path_and_directory_are_io_errors() {
    let out = tagc(&["check", "does/not/exist.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read `does/not/exist.yaml`"));
    let dir = tempfile::tempdir().expect("tempdir");
    let out = tagc(&["check", dir.path().to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is a directory"));
}

#[test]
fn unknown_code_and_bad_flags_are_usage_errors() {
    assert_eq!(tagc(&["explain", "TAG9999"]).status.code(), Some(2));
    assert_eq!(
        tagc(&["check", "--format", "xml", "x.yaml"]).status.code(),
        Some(2)
    );
    assert_eq!(tagc(&["frobnicate"]).status.code(), Some(2));
    assert!(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("Cargo.toml")
            .exists()
    );
}

#[test]
fn secrets_never_appear_in_any_output() {
    let token = format!("EAAG{}", "x7Kp2QmZ9vR4tY1uW8sD3fH6jL0nB5cV".repeat(3));
    let cfg = format!(
        "pixels:\n  - name: main\n    ids: {{production: \"123456789012345\"}}\ngraph:\n  version: v25.0\n  access_token: {token}\nsite:\n  name: {token}\n"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("tagc.yaml");
    std::fs::write(&path, cfg).expect("write");
    for format in ["human", "json", "github"] {
        let out = tagc(&["check", "--format", format, path.to_str().expect("utf-8")]);
        assert_eq!(out.status.code(), Some(1));
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(all.contains("TAG2016"), "{format}: {all}");
        assert!(
            !all.contains(&token),
            "{format} output leaks the token: {all}"
        );
    }
}

//! `tagc hash`: the offline Payload Helper, one JSON line per value.

#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use assert_cmd::Command;
use serde_json::Value;

fn hash(args: &[&str], stdin: Option<&str>) -> (Option<i32>, Vec<Value>, String) {
    let mut c = Command::cargo_bin("tagc").unwrap();
    c.arg("hash").args(args);
    if let Some(s) = stdin {
        c.write_stdin(s);
    }
    let o = c.output().unwrap();
    let lines = String::from_utf8(o.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (
        o.status.code(),
        lines,
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn metas_published_examples_hash_exactly() {
    let (code, lines, _) = hash(&["em", "John_Smith@gmail.com"], None);
    assert_eq!(code, Some(0));
    assert_eq!(
        lines[0],
        serde_json::json!({"field": "em", "input": "John_Smith@gmail.com",
            "normalized": "john_smith@gmail.com",
            "sha256": "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f"})
    );
    let (_, lines, _) = hash(&["ph", "--phone-country-code", "1", "(650)555-1212"], None);
    assert_eq!(lines[0]["normalized"], "16505551212");
    assert_eq!(
        lines[0]["sha256"],
        "e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176"
    );
    let (_, lines, _) = hash(&["country", "United States"], None);
    assert_eq!(
        lines[0]["sha256"],
        "79adb2a2fce5c6ba215fe5f27f532d4e7edbac4b6a5e09e1ef3a08084a904621"
    );
}

#[test]
fn values_come_from_stdin_one_per_line_and_errors_are_lines_too() {
    let (code, lines, _) = hash(&["fn"], Some("Mary\r\nValéry\n\n"));
    assert_eq!(code, Some(1), "the empty line is an error");
    assert_eq!(lines.len(), 3);
    assert_eq!(
        lines[0]["sha256"],
        "6915771be1c5aa0c886870b6951b03d7eafc121fea0e80a5ea83beb7c449f4ec"
    );
    assert_eq!(
        lines[1]["sha256"],
        "08e1996b5dd49e62a4b4c010d44e4345592a863bb9f8e3976219bac29417149c"
    );
    assert_eq!(lines[2]["input"], "");
    assert!(lines[2]["error"].is_string());
    assert!(lines[2].get("sha256").is_none());
}

#[test]
fn ids_are_validated_not_hashed_and_unknown_fields_are_usage_errors() {
    let (code, lines, _) = hash(&["fbc", "fb.1.1554763741205.AbCdEf"], None);
    assert_eq!(code, Some(0));
    assert_eq!(
        lines[0]["normalized"], "fb.1.1554763741205.AbCdEf",
        "case kept"
    );
    assert_eq!(lines[0]["sha256"], Value::Null);
    let (code, lines, _) = hash(&["fbp", "fb.1.1596403881.1116446470"], None);
    assert_eq!(code, Some(1));
    assert!(lines[0]["error"].as_str().unwrap().contains("milliseconds"));
    let (code, _, err) = hash(&["email_address", "x"], None);
    assert_eq!(code, Some(2));
    assert!(err.contains("not a customer-data key"), "{err}");
}

/// One batch of records from several countries (tests/data/phone-countries.json): each
/// national number gets the calling code of its own record's country, and the defaults
/// only fill in for records without one.
#[test]
fn phones_in_a_mixed_country_batch_take_each_records_own_country_code() {
    let data: Value = serde_json::from_str(include_str!("data/phone-countries.json")).unwrap();
    let mapping: tagc::mapping::Mapping = serde_json::from_value(serde_json::json!({
        "$schema": "", "version": 1, "generator": "test", "env": "production",
        "graph_version": "v25.0",
        "defaults": data["defaults"],
        "events": [{
            "id": "lead", "event_name": "Lead", "action_source": "system_generated",
            "pixels": ["1"], "event_time": {"format": "send_time"},
            "user_data": {
                "ph": {"path": "phone", "transform": "sha256", "rule": ""},
                "country": {"path": "country", "transform": "sha256", "rule": ""}
            },
            "custom_data": {}, "required": []
        }]
    }))
    .unwrap();
    let mapper = mapping.compile("lead").unwrap();
    let cx = tagc::mapping::ApplyContext::at(1_795_300_000);
    let records = data["records"].as_array().unwrap();
    assert!(records.len() >= 15);
    for (i, r) in records.iter().enumerate() {
        let applied = mapper.apply(r, &cx).unwrap();
        let want = r["normalized"].as_str().unwrap();
        assert_eq!(
            applied.event.user_data.ph,
            vec![tagc::normalize::sha256_hex(want.as_bytes())],
            "record {i}: {r}"
        );
    }
}

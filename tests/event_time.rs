//! `event_time` as exports write it: strftime patterns, IANA time zones (DST included),
//! what `tagc check` says about unusable formats, and what `tagc send` sends.

#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

fn tagc() -> Command {
    let mut c = Command::cargo_bin("tagc").expect("binary builds");
    c.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .env_remove("META_ACCESS_TOKEN")
        // The answer must not depend on the machine's zone or zone files.
        .env("TZ", "Pacific/Kiritimati")
        .env("TZDIR", "/nonexistent");
    c
}

/// A configuration with one store sale read from `fecha`.
fn config(defaults: &str, event_time: &str, fecha: &str) -> String {
    format!(
        r#"pixels:
  - name: main
    ids: {{production: "123456789012345"}}
server:
  defaults: {{country: es{defaults}}}
  events:
    - id: sale
      event: Purchase
      action_source: physical_store
      event_time: {{path: fecha, {event_time}}}
      user_data: {{em: email}}
      custom_data: {{value: total, currency: {{value: EUR}}}}
      sample: {{fecha: "{fecha}", email: ana@example.com, total: 3}}
"#
    )
}

/// `tagc check --format json` of `yaml`: (code, line, column, message) of each diagnostic.
fn check(dir: &Path, yaml: &str) -> Vec<(String, u64, u64, String)> {
    let path = dir.join("tagc.yaml");
    std::fs::write(&path, yaml).unwrap();
    let out = tagc()
        .args(["check", "--format", "json"])
        .arg(&path)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_owned(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
                d["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn check_reports_unusable_formats_and_zones_where_they_are_written() {
    let dir = tempfile::tempdir().unwrap();
    let local = r#"format: "%Y-%m-%d %H:%M:%S""#;
    let sample = "2026-12-01 10:00:00";
    // Fine: the zone from the defaults, or the field's own, or an offset in the pattern.
    for (defaults, et, fecha) in [
        (", timezone: Europe/Madrid", local, sample),
        (
            "",
            &format!("{local}, timezone: Europe/Madrid") as &str,
            sample,
        ),
        (
            "",
            r#"format: "%Y-%m-%d %H:%M:%S %z""#,
            "2026-12-01 10:00:00 +0100",
        ),
        ("", "format: rfc3339", "2026-12-01T10:00:00+01:00"),
    ] {
        let d = check(dir.path(), &config(defaults, et, fecha));
        assert!(d.is_empty(), "{et}: {d:?}");
    }
    type Case<'a> = (&'a str, &'a str, &'a str, &'a str, u64, &'a str);
    let cases: [Case<'_>; 7] = [
        // A local-time pattern with no zone anywhere.
        ("", local, sample, "TAG1002", 10, "has no offset"),
        // Unknown zones, in the event or in the defaults.
        (
            "",
            r#"format: "%F %T", timezone: Europe/Madird"#,
            sample,
            "TAG1004",
            10,
            "Europe/Madird",
        ),
        (
            ", timezone: CEST",
            local,
            sample,
            "TAG1004",
            5,
            "`CEST` is not an IANA time zone",
        ),
        // Patterns that cannot read a time, and a misspelt name.
        (
            ", timezone: UTC",
            r#"format: "%H:%M""#,
            "10:00",
            "TAG1005",
            10,
            "cannot read times",
        ),
        (
            ", timezone: UTC",
            r#"format: "%Y-%m-%d %Z""#,
            sample,
            "TAG1005",
            10,
            "cannot read times",
        ),
        (
            "",
            "format: unix-ms",
            "1795200000000",
            "TAG1004",
            10,
            "not a time format",
        ),
        // A sample the format can never read: located on the sample's value.
        (
            ", timezone: Europe/Madrid",
            local,
            "01/12/2026 10:00",
            "TAG2029",
            13,
            "does not match",
        ),
    ];
    for (defaults, et, fecha, code, line, msg) in cases {
        let d = check(dir.path(), &config(defaults, et, fecha));
        assert_eq!(d.len(), 1, "{et}: {d:?}");
        assert_eq!((d[0].0.as_str(), d[0].1), (code, line), "{et}: {d:?}");
        assert!(d[0].3.contains(msg), "{et}: {d:?}");
    }
    // The sample check covers the named formats too.
    let d = check(
        dir.path(),
        &config("", "format: unix", "2026-12-01 10:00:00"),
    );
    assert_eq!(d[0].0, "TAG2029", "{d:?}");
    let d = check(
        dir.path(),
        &config("", "format: rfc3339", "2026-12-01T10:00:00"),
    );
    assert_eq!(d[0].0, "TAG2029", "{d:?}");
    assert!(d[0].3.contains("no UTC offset"), "{d:?}");
}

#[test]
fn send_reads_local_times_in_the_configured_zone_across_dst() {
    let dir = tempfile::tempdir().unwrap();
    let yaml = config(
        ", timezone: Europe/Madrid",
        r#"format: "%d/%m/%Y %H:%M""#,
        "01/12/2026 10:00",
    );
    std::fs::write(dir.path().join("tagc.yaml"), yaml).unwrap();
    let out = tagc()
        .args(["build", "tagc.yaml", "--out", "dist"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mapping: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("dist/capi/mapping.json")).unwrap())
            .unwrap();
    assert_eq!(
        mapping["events"][0]["event_time"],
        serde_json::json!({"path": "fecha", "format": "strftime",
                           "pattern": "%d/%m/%Y %H:%M", "timezone": "Europe/Madrid"})
    );
    let csv = "fecha,email,total\n\
               01/12/2026 10:00,a@example.com,3\n\
               10/10/2026 10:00,b@example.com,3\n\
               25/10/2026 02:30,c@example.com,3\n\
               25/10/2026 03:30,d@example.com,3\n";
    std::fs::write(dir.path().join("sales.csv"), csv).unwrap();
    let out = tagc()
        .current_dir(dir.path())
        .args([
            "send",
            "--mapping",
            "dist/capi/mapping.json",
            "--event",
            "sale",
        ])
        .args(["--dry-run", "--now", "1796500000", "sales.csv"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let body: Value = serde_json::from_slice(&out.stdout).unwrap();
    let times: Vec<i64> = body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event_time"].as_i64().unwrap())
        .collect();
    assert_eq!(
        times,
        [
            1_796_115_600, // 2026-12-01T09:00:00Z (CET, +01:00)
            1_791_619_200, // 2026-10-10T08:00:00Z (CEST, +02:00)
            1_792_888_200, // 2026-10-25T00:30:00Z: the earlier 02:30 of the fold
            1_792_895_400, // 2026-10-25T02:30:00Z (CET again)
        ]
    );
}

//! The CAPI fields beyond the basics, end to end: `opt_out`, `referrer_url`,
//! `action_source: app` with `app_data`, `business_messaging` with `messaging_channel`,
//! the never-hashed ids `madid`, `anon_id`, `page_id`, `ctwa_clid`, and Limited Data Use
//! read from each record. The `app-and-chat` example is built, its records are sent to
//! the local fake Graph API (which enforces Meta's rules), and what Meta received is
//! checked field by field; broken configurations are reported by `tagc check`.

#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

mod support;

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use support::cli::{build_mapping, tagc};
use support::graph::{FakeConfig, FakeGraph, ReceivedEvent, TOKEN};
use tagc::normalize::sha256_hex;

/// "Now" for tagc and the fake: 2026-11-21T10:13:20Z.
const NOW: i64 = 1_795_300_000;
const PIXEL: &str = "2233445566778899";

fn build_example() -> (tempfile::TempDir, PathBuf) {
    build_mapping("app-and-chat")
}

/// Sends `records` as server event `event` and returns what the fake received.
fn send(event: &str, records: &[Value]) -> Vec<ReceivedEvent> {
    let (dir, mapping) = build_example();
    let input = dir.path().join("records.ndjson");
    let text: String = records.iter().map(|r| format!("{r}\n")).collect();
    std::fs::write(&input, text).unwrap();
    let graph = FakeGraph::start(FakeConfig::new().pixel(PIXEL).now(NOW));
    let o = send_to(&mapping, &graph, event, &input);
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(0), "{err}");
    let got = graph.received();
    assert_eq!(got.len(), records.len(), "{err}");
    got
}

fn send_to(mapping: &Path, graph: &FakeGraph, event: &str, input: &Path) -> std::process::Output {
    tagc()
        .env("META_ACCESS_TOKEN", TOKEN)
        .args(["send", "--event", event, "--mapping"])
        .arg(mapping)
        .args(["--graph-url", &graph.url(), "--now", &NOW.to_string()])
        .arg(input)
        .output()
        .unwrap()
}

/// The example's `app-purchase` sample record, with `change` applied to `order`.
fn app_order(id: &str, change: Value) -> Value {
    let mut order = json!({
        "id": id,
        "placed_at": NOW - 600,
        "total": 11.5,
        "currency": "usd",
        "customer": {"id": "cus_80213", "email": "Noah.Park@example.com",
                     "phone": "(415) 555-0134", "ads_opt_out": false},
        "consent": {"ldu": true, "ldu_state": 1000},
        "device": {"att_authorized": true, "ad_tracking": "1", "extinfo_version": "i2",
                   "app_version": "4.2", "app_build": "4.2.1 (311)", "os_version": "18.1",
                   "model": "iPhone16,1", "locale": "en_US", "screen_width": 1179,
                   "screen_height": "2556", "time_zone": "America/Los_Angeles",
                   "advertising_id": "6D92078A-8246-4BA4-AE5B-76104861E7DC",
                   "install_id": "XZ6f1c2b7e-41a8-4e0c-9d7a-2b1f0c3e9a55",
                   "ip": "2600:1700:3d40:aa10::23"},
        "lines": [{"sku": "LATTE-OAT-12", "qty": 2, "unit_price": 5.75}]
    });
    if let (Some(o), Value::Object(c)) = (order.as_object_mut(), change) {
        for (k, v) in c {
            if v.is_null() {
                o.remove(&k);
            } else {
                o.insert(k, v);
            }
        }
    }
    json!({ "order": order })
}

#[test]
fn app_events_reach_meta_with_app_data_unhashed_ids_opt_out_and_per_record_ldu() {
    let records = [
        app_order("A-1", json!({})),
        app_order(
            "A-2",
            json!({"consent": {"ldu": false},
                   "customer": {"id": "c2", "email": "x@example.com", "ads_opt_out": "true"}}),
        ),
        app_order("A-3", json!({"consent": null})),
    ];
    let got = send("app-purchase", &records);
    let by_id = |id: &str| {
        &got.iter()
            .find(|e| e.event_id() == Some(id))
            .unwrap_or_else(|| panic!("{id} not received"))
            .event
    };
    let e = by_id("A-1");
    assert_eq!(e.action_source, "app");
    let mut ext = vec![json!(""); 16];
    ext[0] = json!("i2");
    ext[1] = json!("com.tidewater.coffee");
    ext[2] = json!("4.2");
    ext[3] = json!("4.2.1 (311)");
    ext[4] = json!("18.1");
    ext[5] = json!("iPhone16,1");
    ext[6] = json!("en_US");
    ext[9] = json!(1179);
    ext[10] = json!(2556);
    ext[15] = json!("America/Los_Angeles");
    assert_eq!(
        e.app_data,
        Some(json!({"advertiser_tracking_enabled": true,
                    "application_tracking_enabled": true, "extinfo": ext}))
    );
    // Never hashed, sent as they are.
    assert_eq!(
        e.user_data.madid.as_deref(),
        Some("6D92078A-8246-4BA4-AE5B-76104861E7DC")
    );
    assert_eq!(
        e.user_data.anon_id.as_deref(),
        Some("XZ6f1c2b7e-41a8-4e0c-9d7a-2b1f0c3e9a55")
    );
    assert_eq!(e.user_data.em, vec![sha256_hex(b"noah.park@example.com")]);
    assert_eq!(e.opt_out, Some(false));
    // This record says LDU applies, in California (country 1 is the config's constant).
    assert_eq!(
        (
            e.data_processing_options.clone(),
            e.data_processing_options_country,
            e.data_processing_options_state
        ),
        (Some(vec!["LDU".to_owned()]), Some(1), Some(1000))
    );
    // This one says it does not: `[]`, no location; and it opted out of optimization.
    let e = by_id("A-2");
    assert_eq!(
        (
            e.data_processing_options.clone(),
            e.data_processing_options_country,
            e.data_processing_options_state
        ),
        (Some(Vec::new()), None, None)
    );
    assert_eq!(e.opt_out, Some(true));
    // No consent field: the site-wide `limited_data_use: geolocate`.
    let e = by_id("A-3");
    assert_eq!(
        (
            e.data_processing_options.clone(),
            e.data_processing_options_country,
            e.data_processing_options_state
        ),
        (Some(vec!["LDU".to_owned()]), Some(0), Some(0))
    );
}

#[test]
fn an_app_record_without_the_os_version_is_not_sent() {
    let (dir, mapping) = build_example();
    let input = dir.path().join("records.ndjson");
    let mut bad = app_order("A-9", json!({}));
    bad["order"]["device"]
        .as_object_mut()
        .unwrap()
        .remove("os_version");
    std::fs::write(
        &input,
        format!("{}\n{}\n", app_order("A-8", json!({})), bad),
    )
    .unwrap();
    let graph = FakeGraph::start(FakeConfig::new().pixel(PIXEL).now(NOW));
    let o = send_to(&mapping, &graph, "app-purchase", &input);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_ne!(o.status.code(), Some(0), "{err}");
    assert!(err.contains("app_data.extinfo.os_version"), "{err}");
    let got = graph.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].event_id(), Some("A-8"));
}

#[test]
fn whatsapp_orders_carry_the_channel_the_click_id_and_the_page() {
    let clid = "ARAkLkA8rmlFeiCktEJQ-QTwRiyYHAFDLMNDBH0CD3qpjd0HR4irJ6LEkR7JwFF4XvnO2E4Nx0";
    let got = send(
        "chat-order",
        &[
            json!({"chat": {"order_id": "WA-1", "ordered_at": "2026-11-21T08:05:00Z",
                          "total": "24.00", "customer": {"id": "c9", "wa_id": "+1 415 555 0172"},
                          "referral": {"ctwa_clid": clid}}}),
        ],
    );
    let e = &got[0].event;
    assert_eq!(e.action_source, "business_messaging");
    assert_eq!(e.messaging_channel, Some(json!("whatsapp")));
    assert_eq!(e.user_data.ctwa_clid.as_deref(), Some(clid));
    assert_eq!(e.user_data.page_id.as_deref(), Some("104958307215486"));
    assert_eq!(e.user_data.ph, vec![sha256_hex(b"14155550172")]);
}

#[test]
fn a_website_lead_carries_its_referrer() {
    let got = send(
        "web-lead",
        &[
            json!({"form": {"event_id": "lead-1", "page_url": "https://www.tidewater.example/newsletter",
                          "referrer": "https://www.facebook.com/", "email": "ava.chen@example.com",
                          "ip": "2600:1700:3d40:aa10::24",
                          "user_agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X)",
                          "cookies": {"_fbp": "fb.1.1795200000000.1234567890"}}}),
        ],
    );
    assert_eq!(
        got[0].event.referrer_url.as_deref(),
        Some("https://www.facebook.com/")
    );
}

fn check(yaml: &str) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tagc.yaml");
    std::fs::write(&path, yaml).unwrap();
    let out = tagc()
        .args(["check", "--format", "json"])
        .arg(&path)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn config(event: &str) -> String {
    format!(
        "pixels:\n  - name: main\n    ids:\n      production: \"123456789012345\"\nserver:\n  events:\n{event}"
    )
}

#[test]
fn check_reports_what_app_and_business_messaging_events_lack() {
    let (code, json) = check(&config(
        "    - id: a\n      event: Lead\n      action_source: app\n      user_data:\n        external_id: u.id\n",
    ));
    assert_eq!(code, 1, "{json}");
    assert!(json.contains("TAG2014"), "{json}");
    assert!(
        json.contains("an `app` event needs `app_data.advertiser_tracking_enabled`, `app_data.application_tracking_enabled`, `app_data.extinfo.ext_info_version` and `app_data.extinfo.os_version`"),
        "{json}"
    );
    let (code, json) = check(&config(
        "    - id: b\n      event: Lead\n      action_source: business_messaging\n      user_data:\n        ctwa_clid: chat.clid\n        page_id: {value: \"1049\"}\n",
    ));
    assert_eq!(code, 1, "{json}");
    assert!(
        json.contains("a `business_messaging` event needs `messaging_channel`"),
        "{json}"
    );
    // A constant page id is fine (it is the business's Page); the channel must be Meta's.
    assert!(!json.contains("TAG2023"), "{json}");
    let (code, json) = check(&config(
        "    - id: b\n      event: Lead\n      action_source: business_messaging\n      messaging_channel: telegram\n      user_data:\n        ctwa_clid: chat.clid\n",
    ));
    assert_eq!(code, 1, "{json}");
    assert!(json.contains("telegram"), "{json}");
}

#[test]
fn check_reports_bad_constants_and_sample_paths_of_the_new_fields() {
    let (code, json) = check(&config(
        "    - id: a\n      event: Lead\n      action_source: app\n      opt_out: {value: \"yes\"}\n      app_data:\n        advertiser_tracking_enabled: {value: true}\n        application_tracking_enabled: {value: 1}\n        extinfo:\n          ext_info_version: {value: ios}\n          os_version: d.os\n      data_processing_options:\n        path: c.ldu\n        state: {value: 1999}\n      user_data:\n        external_id: u.id\n      sample:\n        u: {id: x}\n        d: {os: \"18\"}\n",
    ));
    assert_eq!(code, 1, "{json}");
    for want in [
        "`opt_out` is `\\\"yes\\\"`",
        "`app_data.application_tracking_enabled` is `1`",
        "`app_data.extinfo.ext_info_version` is `\\\"ios\\\"`",
        "`data_processing_options.state` is `1999`",
        "the sample record has no `c.ldu`",
    ] {
        assert!(json.contains(want), "{want} in {json}");
    }
    assert!(json.contains("TAG2007"), "{json}");
}

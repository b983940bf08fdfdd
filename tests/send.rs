//! `tagc send` end to end: the shop example's mapping, records streamed to the local fake
//! Graph API (which enforces Meta's rules), batching, retries, faults, the failed file,
//! and that the access token never shows.

#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

mod support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Value, json};
use support::cli::{build_mapping, ndjson_lines, send_args, stderr, tagc};
use support::graph::{EXPIRED_TOKEN, FakeGraph, Fault, FaultKind, TOKEN};
use support::orders::{NOW, SHOP_PIXEL, order, shop_config, write_records};

fn shop_mapping() -> (tempfile::TempDir, PathBuf) {
    build_mapping("shop")
}

fn fake() -> FakeGraph {
    FakeGraph::start(shop_config())
}

fn send(mapping: &Path, graph: &FakeGraph, input: &Path, extra: &[&str]) -> std::process::Output {
    tagc()
        .env("META_ACCESS_TOKEN", TOKEN)
        .args(send_args(mapping, &graph.url()))
        .args(extra)
        .arg(input)
        .output()
        .unwrap()
}

#[test]
fn records_reach_meta_in_batches_of_at_most_1000_with_their_event_ids() {
    let (dir, mapping) = shop_mapping();
    let records: Vec<Value> = (0..2500).map(order).collect();
    let input = write_records(dir.path(), "orders.ndjson", &records);
    let graph = fake();
    let o = send(&mapping, &graph, &input, &["--test-event-code", "TEST123"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert_eq!(graph.requests(), 3, "1000 + 1000 + 500");
    let got = graph.received();
    assert_eq!(got.len(), 2500);
    assert_eq!(
        graph.invalid_findings(),
        vec![],
        "tagc sent what Meta's docs call wrong"
    );
    let mut ids: Vec<&str> = got.iter().filter_map(|e| e.event_id()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 2500, "every order id arrives once");
    assert!(got.iter().all(|e| e.event_name() == "Purchase"));
    assert!(
        got.iter()
            .all(|e| e.test_event_code.as_deref() == Some("TEST123"))
    );
    assert!(
        err.contains("2500 records: 2500 events sent in 3 requests, 2500 accepted, 0 failed"),
        "{err}"
    );
    assert!(err.contains("Meta does not drop test events"), "{err}");
    assert!(!err.contains(TOKEN));
}

#[test]
fn invalid_records_are_kept_out_of_the_batch_and_written_to_the_failed_file() {
    let (dir, mapping) = shop_mapping();
    let mut bad_ua = order(2);
    bad_ua["order"]["checkout"]
        .as_object_mut()
        .unwrap()
        .remove("user_agent");
    let mut stale = order(3);
    stale["order"]["paid_at"] = json!("2026-11-01T10:00:00Z");
    let records = vec![order(1), bad_ua, stale, json!("not an object"), order(4)];
    let input = write_records(dir.path(), "orders.ndjson", &records);
    let failed = dir.path().join("failed.ndjson");
    let graph = fake();
    let o = send(
        &mapping,
        &graph,
        &input,
        &["--failed", failed.to_str().unwrap()],
    );
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert_eq!(graph.received_count(), 2, "the two valid orders still land");
    let lines = ndjson_lines(&failed);
    assert_eq!(lines.len(), 3, "{lines:#?}");
    let note = |i: usize| &lines[i]["_tagc"];
    assert_eq!(note(0)["line"], 2);
    assert_eq!(note(0)["stage"], "mapping");
    assert!(
        note(0)["reason"]
            .as_str()
            .unwrap()
            .contains("user_data.client_user_agent")
    );
    assert_eq!(
        lines[0]["order"]["id"], "ES-000002",
        "the record itself is kept"
    );
    assert_eq!(note(1)["stage"], "rules");
    assert_eq!(note(1)["subcode"], 2_804_003);
    assert_eq!(note(2)["stage"], "input");
    assert!(err.contains("3 failed (3 invalid before sending)"), "{err}");
}

#[test]
fn a_rejection_by_meta_is_mapped_back_to_its_record_and_the_rest_is_sent_again() {
    // tagc's clock is a week behind the fake's: tagc thinks order 2 is fresh, Meta
    // ("the fake") finds it older than 7 days and rejects the whole batch naming it.
    let (dir, mapping) = shop_mapping();
    let mut old = order(2);
    old["order"]["paid_at"] = json!("2026-11-15T00:00:00Z");
    let input = write_records(dir.path(), "orders.ndjson", &[order(1), old, order(3)]);
    let failed = dir.path().join("failed.ndjson");
    let graph = FakeGraph::start(shop_config().now(NOW + 86_400 * 2));
    let o = send(
        &mapping,
        &graph,
        &input,
        &["--failed", failed.to_str().unwrap()],
    );
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert_eq!(graph.received_count(), 2);
    let lines = ndjson_lines(&failed);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["_tagc"]["line"], 2);
    assert_eq!(lines[0]["_tagc"]["stage"], "meta");
    assert_eq!(lines[0]["_tagc"]["code"], 100);
    assert_eq!(lines[0]["_tagc"]["subcode"], 2_804_003);
    assert!(
        lines[0]["_tagc"]["reason"]
            .as_str()
            .unwrap()
            .contains("event_time")
    );
}

#[test]
fn transient_faults_are_retried_until_the_events_land() {
    for (name, kind) in [
        ("500", FaultKind::ServerError),
        ("throttled", FaultKind::Throttle(4)),
        ("reset", FaultKind::Reset),
        ("slow", FaultKind::Latency(Duration::from_millis(300))),
    ] {
        let (dir, mapping) = shop_mapping();
        let input = write_records(
            dir.path(),
            "orders.ndjson",
            &(0..30).map(order).collect::<Vec<_>>(),
        );
        let graph = FakeGraph::start(shop_config().fault(Fault::first(2, kind)));
        let o = send(
            &mapping,
            &graph,
            &input,
            &["--batch-size", "10", "--concurrency", "1", "--timeout", "5"],
        );
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(0), "{name}: {err}");
        assert_eq!(graph.received_count(), 30, "{name}");
        if name != "slow" {
            assert!(err.contains(", 2 retries"), "{name}: {err}");
        }
    }
}

#[test]
fn a_timeout_is_retried_and_reported_when_it_persists() {
    let (dir, mapping) = shop_mapping();
    let input = write_records(dir.path(), "orders.ndjson", &[order(1)]);
    let failed = dir.path().join("failed.ndjson");
    let graph = FakeGraph::start(
        shop_config().fault(Fault::always(FaultKind::Latency(Duration::from_secs(3)))),
    );
    let o = send(
        &mapping,
        &graph,
        &input,
        &[
            "--timeout",
            "0.3",
            "--retries",
            "2",
            "--failed",
            failed.to_str().unwrap(),
        ],
    );
    let err = stderr(&o);
    assert_eq!(
        o.status.code(),
        Some(2),
        "nothing could be delivered: {err}"
    );
    let lines = ndjson_lines(&failed);
    assert_eq!(lines[0]["_tagc"]["stage"], "network");
    assert!(
        lines[0]["_tagc"]["reason"]
            .as_str()
            .unwrap()
            .contains("timed out (after 2 retries)"),
        "{lines:?}"
    );
}

#[test]
fn partial_acceptance_is_not_counted_as_success() {
    let (dir, mapping) = shop_mapping();
    let input = write_records(
        dir.path(),
        "orders.ndjson",
        &(0..5).map(order).collect::<Vec<_>>(),
    );
    let failed = dir.path().join("failed.ndjson");
    let graph = FakeGraph::start(shop_config().fault(Fault::always(FaultKind::Partial(3))));
    let o = send(
        &mapping,
        &graph,
        &input,
        &["--retries", "1", "--failed", failed.to_str().unwrap()],
    );
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    let lines = ndjson_lines(&failed);
    assert_eq!(lines.len(), 5, "the whole unconfirmed request is reported");
    assert_eq!(lines[0]["_tagc"]["stage"], "unconfirmed");
    assert!(err.contains("0 accepted"), "{err}");
}

#[test]
fn a_refused_token_stops_the_run_and_never_shows() {
    let (dir, mapping) = shop_mapping();
    let input = write_records(
        dir.path(),
        "orders.ndjson",
        &(0..3).map(order).collect::<Vec<_>>(),
    );
    let failed = dir.path().join("failed.ndjson");
    let graph = fake();
    let o = tagc()
        .env("META_ACCESS_TOKEN", EXPIRED_TOKEN)
        .args(send_args(&mapping, &graph.url()))
        .arg("--failed")
        .arg(&failed)
        .arg(&input)
        .output()
        .unwrap();
    let all = format!("{}{}", String::from_utf8_lossy(&o.stdout), stderr(&o));
    assert_eq!(o.status.code(), Some(2), "{all}");
    assert!(all.contains("access token"), "{all}");
    assert!(!all.contains(EXPIRED_TOKEN), "the token leaked: {all}");
    let text = std::fs::read_to_string(&failed).unwrap();
    assert!(!text.contains(EXPIRED_TOKEN));
    assert_eq!(ndjson_lines(&failed).len(), 3);
    assert_eq!(graph.requests(), 1, "no retry after code 190");

    // The failed file is a valid input: send it again with a good token.
    let o = send(&mapping, &graph, &failed, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(graph.received_count(), 3);
}

#[test]
fn a_token_is_required_except_for_a_dry_run() {
    let (dir, mapping) = shop_mapping();
    let input = write_records(dir.path(), "orders.ndjson", &[order(1)]);
    let o = tagc()
        .args(["send", "--event", "purchase", "--mapping"])
        .arg(&mapping)
        .arg(&input)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("META_ACCESS_TOKEN"), "{}", stderr(&o));

    let token_file = dir.path().join("token");
    std::fs::write(&token_file, "dry-run-token-never-read\n").unwrap();
    let o = tagc()
        .args([
            "send",
            "--event",
            "purchase",
            "--dry-run",
            "--now",
            &NOW.to_string(),
            "--mapping",
        ])
        .arg(&mapping)
        .arg(&input)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let body: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(body.get("access_token").is_none());
    let e = &body["data"][0];
    assert_eq!(e["event_id"], "ES-000001");
    assert_eq!(e["event_time"], 1_795_196_533);
    assert_eq!(
        e["user_data"]["em"][0],
        tagc::normalize::sha256_hex(b"buyer1@example.com")
    );
    assert_eq!(
        e["user_data"]["ph"][0],
        tagc::normalize::sha256_hex(b"34612345678")
    );
    assert_eq!(e["custom_data"]["currency"], "EUR");
}

#[test]
fn csv_records_map_like_json_ones() {
    let (dir, mapping) = shop_mapping();
    let csv = "order.id,order.paid_at,order.total,order.currency,order.customer.email,order.checkout.url,order.checkout.ip,order.checkout.user_agent\n\
               C-1,2026-11-20T18:42:13Z,12.50,eur,a@example.com,https://shop.example.com/t,203.0.113.9,\"Mozilla/5.0 (X11, Linux)\"\n";
    let input = dir.path().join("orders.csv");
    std::fs::write(&input, csv).unwrap();
    let graph = fake();
    let o = send(&mapping, &graph, &input, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let got = graph.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].event_id(), Some("C-1"));
    assert_eq!(graph.invalid_findings(), vec![]);
}

#[test]
fn unknown_events_and_bad_mappings_are_usage_errors() {
    let (dir, mapping) = shop_mapping();
    let input = write_records(dir.path(), "orders.ndjson", &[order(1)]);
    let o = tagc()
        .env("META_ACCESS_TOKEN", TOKEN)
        .args(["send", "--event", "purchse", "--mapping"])
        .arg(&mapping)
        .arg(&input)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("did you mean `purchase`"),
        "{}",
        stderr(&o)
    );
    let o = tagc()
        .env("META_ACCESS_TOKEN", TOKEN)
        .args([
            "send",
            "--event",
            "purchase",
            "--mapping",
            "examples/shop/tagc.yaml",
        ])
        .arg(&input)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("is not a tagc mapping"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn the_failed_file_cannot_be_the_input() {
    let (dir, mapping) = shop_mapping();
    let input = write_records(dir.path(), "orders.ndjson", &[order(1)]);
    let o = tagc()
        .args(["send", "--event", "purchase", "--dry-run", "--mapping"])
        .arg(&mapping)
        .arg("--failed")
        .arg(&input)
        .arg(&input)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("is the input file"), "{}", stderr(&o));
    assert!(
        std::fs::read_to_string(&input)
            .unwrap()
            .contains("ES-000001"),
        "input intact"
    );
}

#[test]
fn every_warning_is_written_with_its_records_line_and_never_its_value() {
    let (dir, mapping) = shop_mapping();
    let mut bad_email = order(2);
    bad_email["order"]["customer"]["email"] = json!("buyer2 at example");
    let mut relative_url = order(3);
    relative_url["order"]["checkout"]["url"] = json!("/checkout/thank-you");
    let mut two = order(4);
    two["order"]["customer"]["email"] = json!("buyer4 at example");
    two["order"]["customer"]["phone"] = json!("call 612 345 678");
    let mut records = vec![order(1), bad_email, relative_url, two];
    for r in &mut records {
        // A public address, so that Meta's rules have nothing to say about it.
        r["order"]["checkout"]["ip"] = json!("2a00:1450:4003:80e::200e");
    }
    let input = write_records(dir.path(), "orders.ndjson", &records);
    let warnings = dir.path().join("warnings.ndjson");
    // Meta may return warnings in a successful response's `messages`; which texts it
    // sends is not documented, so the fake is told to return one with every success.
    let meta_message = "Event 0: the fake Graph API's warning for this request";
    let graph = FakeGraph::start(shop_config().message(meta_message));
    let run = || {
        let o = send(
            &mapping,
            &graph,
            &input,
            &["--warnings", warnings.to_str().unwrap()],
        );
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        (stderr(&o), std::fs::read_to_string(&warnings).unwrap())
    };
    let (err, first) = run();
    let lines = ndjson_lines(&warnings);
    let brief: Vec<(u64, &str, &str, &str)> = lines
        .iter()
        .map(|w| {
            (
                w["line"].as_u64().unwrap(),
                w["stage"].as_str().unwrap(),
                w["field"].as_str().unwrap_or(""),
                w["record_path"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        brief[..4],
        [
            (2, "mapping", "user_data.em", "order.customer.email"),
            (3, "rules", "event_source_url", "order.checkout.url"),
            (4, "mapping", "user_data.em", "order.customer.email"),
            (4, "mapping", "user_data.ph", "order.customer.phone"),
        ],
        "{lines:#?}"
    );
    assert_eq!(lines[0]["event_id"], "ES-000002", "the record's id");
    assert_eq!(lines[1]["rule"], "url-not-absolute");
    // Meta's messages are per request: they name the request's first and last line.
    // The four records go in one request, so its one message is written once.
    let meta: Vec<&Value> = lines.iter().filter(|w| w["stage"] == "meta").collect();
    assert_eq!(graph.requests(), 1, "one request per run");
    assert_eq!(meta.len(), 1, "{lines:#?}");
    assert!(
        meta.iter().all(|w| w["line"] == 1
            && w["last_line"] == 4
            && w["pixel"] == SHOP_PIXEL
            && w["message"]
                .as_str()
                .is_some_and(|m| m.contains(meta_message))),
        "{meta:#?}"
    );
    assert_eq!(lines.len(), 4 + meta.len());
    for secret in ["buyer2", "buyer4", "612", "/checkout/thank-you", TOKEN] {
        assert!(!first.contains(secret), "{secret} leaked: {first}");
    }
    // The summary counts each kind and points at the file.
    assert!(
        err.contains("warning: user_data.em: email address contains spaces or control characters; left out (2×)"),
        "{err}"
    );
    assert!(
        err.contains(meta_message),
        "Meta's message is counted: {err}"
    );
    assert!(err.contains("note: each of the"), "{err}");
    // The same input gives the same file.
    let (_, second) = run();
    assert_eq!(first, second);
    // Without --warnings the summary says how to get them.
    let o = send(&mapping, &graph, &input, &[]);
    assert!(
        stderr(&o).contains("pass --warnings FILE"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn csv_warnings_name_the_spreadsheet_row_too() {
    let (dir, mapping) = shop_mapping();
    let csv = "order.id,order.paid_at,order.total,order.currency,order.customer.email,order.checkout.url,order.checkout.ip,order.checkout.user_agent\n\
               C-1,2026-11-20T18:42:13Z,12.50,eur,a@example.com,https://shop.example.com/t,8.8.8.8,\"Mozilla/5.0\n(X11, Linux)\"\n\
               C-2,2026-11-20T18:42:13Z,12.50,eur,b at example,https://shop.example.com/t,8.8.8.8,Mozilla/5.0\n";
    let input = dir.path().join("orders.csv");
    std::fs::write(&input, csv).unwrap();
    let warnings = dir.path().join("warnings.ndjson");
    let graph = fake();
    let o = send(
        &mapping,
        &graph,
        &input,
        &["--dry-run", "--warnings", warnings.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let lines = ndjson_lines(&warnings);
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert_eq!(
        (&lines[0]["line"], &lines[0]["row"], &lines[0]["event_id"]),
        (&json!(4), &json!(3), &json!("C-2")),
        "line 4 of the file, row 3 of the sheet"
    );
    // The warnings file is never the input.
    let o = send(
        &mapping,
        &graph,
        &input,
        &["--dry-run", "--warnings", input.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        std::fs::read_to_string(&input)
            .unwrap()
            .starts_with("order.id")
    );
}

/// With no file on a terminal, `tagc send` says it reads stdin instead of waiting in
/// silence (`script` gives it a terminal; its stdin ends at once).
#[test]
fn stdin_on_a_terminal_is_announced() {
    let (_dir, mapping) = shop_mapping();
    let bin = env!("CARGO_BIN_EXE_tagc");
    let command = format!(
        "{bin} send --mapping {} --event purchase --dry-run",
        mapping.display()
    );
    let out = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .stdin(std::process::Stdio::null())
        .output()
        .expect("`script` (util-linux) runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("reading NDJSON records from stdin (end with Ctrl-D)"),
        "{text}"
    );
    // Not on a terminal (a pipe, a file): nothing extra.
    let out = tagc()
        .args(["send", "--event", "purchase", "--dry-run", "--mapping"])
        .arg(&mapping)
        .write_stdin("")
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stderr).contains("reading NDJSON"));
}

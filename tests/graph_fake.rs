//! The fake Graph API rejects what Meta rejects, accepts a valid event, and injects the
//! faults `tagc send` must survive. Everything runs on 127.0.0.1 with ureq, the client
//! `tagc send` uses.

mod support;

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::graph::{
    EXPIRED_TOKEN, FakeConfig, FakeGraph, Fault, FaultKind, PIXEL, TOKEN, VERSION,
};

const NOW: i64 = 1_767_225_600;
const EM: &str = "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f";

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into()
}

/// POSTs a JSON body; the HTTP status and the parsed response body.
fn post_to(agent: &ureq::Agent, url: &str, body: &Value) -> Result<(u16, Value), ureq::Error> {
    let mut resp = agent
        .post(url)
        .content_type("application/json")
        .send(body.to_string())?;
    let status = resp.status().as_u16();
    let text = resp.body_mut().read_to_string()?;
    Ok((status, serde_json::from_str(&text).expect("JSON response")))
}

fn post(fake: &FakeGraph, body: &Value) -> (u16, Value) {
    post_to(&agent(), &fake.events_url(PIXEL), body).expect("HTTP exchange")
}

fn start() -> FakeGraph {
    FakeGraph::start(FakeConfig::new().now(NOW))
}

/// A website event Meta accepts.
fn event(id: &str) -> Value {
    json!({
        "event_name": "Purchase",
        "event_time": NOW - 60,
        "event_id": id,
        "action_source": "website",
        "event_source_url": "https://shop.example.com/checkout/thanks",
        "user_data": {
            "em": [EM],
            "client_ip_address": "2a03:2880:f12f:83:face:b00c::25de",
            "client_user_agent": "Mozilla/5.0 (X11; Linux x86_64)",
            "fbp": "fb.1.1596403881668.1116446470"
        },
        "custom_data": {"currency": "USD", "value": 123.45}
    })
}

fn body(events: Vec<Value>) -> Value {
    json!({ "data": events, "access_token": TOKEN, "test_event_code": "TEST12345" })
}

/// Asserts a Graph error and returns it.
fn graph_error(resp: &(u16, Value), code: u64, subcode: Option<u64>) -> Value {
    assert_eq!(resp.0, 400, "{}", resp.1);
    let e = resp.1["error"].clone();
    assert_eq!(e["code"], code, "{e}");
    assert_eq!(e["error_subcode"].as_u64(), subcode, "{e}");
    assert_eq!(
        e["type"].as_str().map(|t| t.ends_with("Exception")),
        Some(true)
    );
    assert!(
        e["fbtrace_id"].is_string() && e["message"].is_string(),
        "{e}"
    );
    e
}

#[test]
fn a_valid_website_event_is_accepted_and_recorded() {
    let fake = start();
    let resp = post(&fake, &body(vec![event("order-1")]));
    assert_eq!(resp.0, 200, "{}", resp.1);
    assert_eq!(resp.1["events_received"], 1);
    assert_eq!(resp.1["messages"], json!([]));
    assert!(resp.1["fbtrace_id"].is_string());
    let got = fake.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].event_name(), "Purchase");
    assert_eq!(got[0].event_id(), Some("order-1"));
    assert_eq!(got[0].test_event_code.as_deref(), Some("TEST12345"));
    assert_eq!(got[0].pixel, PIXEL);
    assert_eq!(fake.requests(), 1);
    assert!(fake.findings().is_empty(), "{:?}", fake.findings());
}

#[test]
fn tokens_are_checked_wherever_they_travel() {
    let fake = start();
    let mut b = body(vec![event("a")]);
    b["access_token"] = json!("EAAnot-a-real-token");
    let e = graph_error(&post(&fake, &b), 190, Some(467));
    assert!(
        e["message"]
            .as_str()
            .is_some_and(|m| m.contains("access token"))
    );
    b["access_token"] = json!(EXPIRED_TOKEN);
    graph_error(&post(&fake, &b), 190, Some(463));
    b.as_object_mut().map(|o| o.remove("access_token"));
    graph_error(&post(&fake, &b), 104, None);
    // In the query string, as Meta's docs show it.
    let url = format!("{}?access_token={TOKEN}", fake.events_url(PIXEL));
    let resp = post_to(&agent(), &url, &b).expect("exchange");
    assert_eq!(resp.0, 200, "{}", resp.1);
    // As a form body, as Meta's curl example sends it.
    let data = json!([event("form")]).to_string();
    let mut resp = agent()
        .post(fake.events_url(PIXEL))
        .send_form([("data", data.as_str()), ("access_token", TOKEN)])
        .expect("exchange");
    assert_eq!(resp.status().as_u16(), 200);
    let text = resp.body_mut().read_to_string().expect("body");
    assert!(text.contains(r#""events_received":1"#), "{text}");
    assert_eq!(fake.received_count(), 2);
}

#[test]
fn unknown_pixels_paths_and_methods_are_refused() {
    let fake = start();
    let url = fake.events_url("999999999999999");
    let resp = post_to(&agent(), &url, &body(vec![event("a")])).expect("exchange");
    let e = graph_error(&resp, 100, Some(33));
    assert!(e["message"].as_str().is_some_and(|m| {
        m.starts_with("Unsupported post request. Object with ID '999999999999999' does not exist")
    }));
    let url = format!("{}/v25/{PIXEL}/events", fake.url());
    graph_error(
        &post_to(&agent(), &url, &body(vec![event("a")])).expect("exchange"),
        2500,
        None,
    );
    let mut resp = agent()
        .get(fake.events_url(PIXEL))
        .call()
        .expect("exchange");
    assert_eq!(resp.status().as_u16(), 400);
    assert!(
        resp.body_mut()
            .read_to_string()
            .expect("body")
            .contains("Unsupported get request")
    );
    assert_eq!(fake.received_count(), 0);
}

#[test]
fn unhashed_customer_data_is_refused_with_2804016() {
    let fake = start();
    let mut e = event("a");
    e["user_data"]["em"] = json!(["john_smith@gmail.com"]);
    let err = graph_error(
        &post(&fake, &body(vec![event("ok"), e])),
        100,
        Some(2_804_016),
    );
    assert_eq!(err["error_user_title"], "User Parameter Not Hashed");
    let msg = err["error_user_msg"].as_str().unwrap_or_default();
    assert!(msg.starts_with("The em parameter isn't hashed"), "{msg}");
    assert!(msg.contains("$['data'][1]['user_data']['em'][0]"), "{msg}");
    assert!(!msg.contains("john"), "no customer data in errors");
    assert_eq!(
        fake.received_count(),
        0,
        "one bad event fails the whole batch"
    );
}

#[test]
fn a_stale_event_time_is_refused_with_2804003() {
    let fake = start();
    let mut e = event("a");
    e["event_time"] = json!(NOW - 8 * 86_400);
    let err = graph_error(&post(&fake, &body(vec![e])), 100, Some(2_804_003));
    assert!(
        err["error_user_msg"]
            .as_str()
            .is_some_and(|m| m.contains("event_time"))
    );
    // The clock is the fake's, and tests can move it.
    fake.set_now(Some(NOW + 8 * 86_400));
    graph_error(&post(&fake, &body(vec![event("b")])), 100, Some(2_804_003));
}

#[test]
fn insufficient_customer_information_is_refused_with_2804050() {
    let fake = start();
    let mut e = event("a");
    e["action_source"] = json!("email");
    e["user_data"] = json!({ "ge": ["c".repeat(64)], "ct": ["d".repeat(64)] });
    graph_error(&post(&fake, &body(vec![e.clone()])), 100, Some(2_804_050));
    e["user_data"] = json!({});
    graph_error(&post(&fake, &body(vec![e])), 100, Some(2_804_050));
}

#[test]
fn batches_hold_one_to_a_thousand_events() {
    let fake = start();
    let events: Vec<Value> = (0..1001).map(|i| event(&format!("e{i}"))).collect();
    let err = graph_error(&post(&fake, &body(events.clone())), 100, None);
    assert!(
        err["error_user_msg"]
            .as_str()
            .is_some_and(|m| m.contains("1000"))
    );
    let resp = post(&fake, &body(events[..1000].to_vec()));
    assert_eq!(
        (resp.0, resp.1["events_received"].as_u64()),
        (200, Some(1000))
    );
    graph_error(&post(&fake, &body(vec![])), 100, Some(2_804_019));
}

#[test]
fn unknown_keys_are_refused() {
    let fake = start();
    let mut e = event("a");
    e["advertiser_tracking_enabled"] = json!(true);
    let err = graph_error(&post(&fake, &body(vec![e])), 100, None);
    assert_eq!(
        err["error_user_msg"],
        r#"Server Side Api Parameter Error: Unexpected key "advertiser_tracking_enabled" on param "$['data'][0]""#
    );
}

#[test]
fn malformed_and_mistyped_bodies_are_refused() {
    let fake = start();
    let mut resp = agent()
        .post(fake.events_url(PIXEL))
        .query("access_token", TOKEN)
        .content_type("application/json")
        .send("{'data': [}")
        .expect("exchange");
    assert_eq!(resp.status().as_u16(), 400);
    let err: Value =
        serde_json::from_str(&resp.body_mut().read_to_string().expect("body")).expect("json");
    assert_eq!(err["error"]["error_subcode"], 2_804_019);
    let mut e = event("a");
    e["event_time"] = json!((NOW - 60).to_string());
    let err = graph_error(&post(&fake, &body(vec![e])), 100, None);
    assert!(
        err["error_user_msg"]
            .as_str()
            .is_some_and(|m| m.contains("$['data'][0]['event_time']"))
    );
}

#[test]
fn purchase_without_currency_is_refused() {
    let fake = start();
    let mut e = event("a");
    e["custom_data"] = json!({"value": 10});
    let err = graph_error(&post(&fake, &body(vec![e])), 100, Some(2_804_019));
    assert!(
        err["error_user_msg"]
            .as_str()
            .is_some_and(|m| m.contains("['custom_data']['currency']"))
    );
}

#[test]
fn what_meta_accepts_but_tagc_would_not_send_is_accepted_and_noted() {
    let fake = FakeGraph::start(FakeConfig::new().now(NOW).echo_findings());
    let mut e = event("a");
    e["user_data"]
        .as_object_mut()
        .map(|u| u.remove("client_user_agent"));
    let resp = post(&fake, &body(vec![e]));
    assert_eq!(resp.0, 200, "{}", resp.1);
    assert_eq!(resp.1["events_received"], 1);
    assert_eq!(
        resp.1["messages"],
        json!(["client-user-agent-missing at $['data'][0]['user_data']['client_user_agent']"])
    );
    assert_eq!(fake.findings()[0].rule, "client-user-agent-missing");
}

#[test]
fn fault_server_error_then_success() {
    let fake = FakeGraph::start(
        FakeConfig::new()
            .now(NOW)
            .fault(Fault::first(2, FaultKind::ServerError)),
    );
    let b = body(vec![event("a")]);
    for _ in 0..2 {
        let resp = post(&fake, &b);
        assert_eq!(resp.0, 500);
        assert_eq!(resp.1["error"]["code"], 2);
        assert_eq!(resp.1["error"]["is_transient"], true);
    }
    assert_eq!(post(&fake, &b).0, 200);
    assert_eq!((fake.requests(), fake.received_count()), (3, 1));
}

#[test]
fn fault_throttling_codes() {
    let fake = start();
    for code in [4, 17, 341] {
        fake.set_faults(vec![Fault::on(1, FaultKind::Throttle(code))]);
        let resp = post(&fake, &body(vec![event("a")]));
        assert_eq!(resp.0, 429);
        assert_eq!(resp.1["error"]["code"], code);
        assert_eq!(resp.1["error"]["type"], "OAuthException");
        assert_eq!(
            post(&fake, &body(vec![event("a")])).0,
            200,
            "only request 1 fails"
        );
    }
}

#[test]
fn fault_reset_is_a_transport_error() {
    let fake = FakeGraph::start(
        FakeConfig::new()
            .now(NOW)
            .fault(Fault::on(1, FaultKind::Reset)),
    );
    let agent = agent();
    let url = fake.events_url(PIXEL);
    let err = post_to(&agent, &url, &body(vec![event("a")])).expect_err("no response");
    assert!(
        matches!(err, ureq::Error::Io(_) | ureq::Error::Protocol(_)),
        "{err:?}"
    );
    assert_eq!(fake.received_count(), 0);
    // The same agent recovers on a new connection.
    let resp = post_to(&agent, &url, &body(vec![event("a")])).expect("second attempt");
    assert_eq!(resp.0, 200);
}

#[test]
fn fault_latency_delays_the_answer() {
    let fake = FakeGraph::start(
        FakeConfig::new()
            .now(NOW)
            .fault(Fault::on(1, FaultKind::Latency(Duration::from_millis(300)))),
    );
    let t = Instant::now();
    assert_eq!(post(&fake, &body(vec![event("a")])).0, 200);
    assert!(t.elapsed() >= Duration::from_millis(300));
    // A client timeout shorter than the latency fails.
    fake.set_faults(vec![Fault::always(FaultKind::Latency(
        Duration::from_secs(2),
    ))]);
    let short: ureq::Agent = ureq::Agent::config_builder()
        .proxy(None)
        .timeout_global(Some(Duration::from_millis(200)))
        .build()
        .into();
    let err =
        post_to(&short, &fake.events_url(PIXEL), &body(vec![event("b")])).expect_err("timeout");
    assert!(matches!(err, ureq::Error::Timeout(_)), "{err:?}");
}

#[test]
fn fault_partial_acceptance() {
    let fake = FakeGraph::start(
        FakeConfig::new()
            .now(NOW)
            .fault(Fault::always(FaultKind::Partial(2))),
    );
    let events: Vec<Value> = (0..5).map(|i| event(&format!("e{i}"))).collect();
    let resp = post(&fake, &body(events));
    assert_eq!(resp.0, 200);
    assert_eq!(resp.1["events_received"], 2);
    let ids: Vec<_> = fake
        .received()
        .iter()
        .map(|r| r.event_id().map(str::to_string))
        .collect();
    assert_eq!(ids, vec![Some("e0".to_string()), Some("e1".to_string())]);
}

#[test]
fn concurrent_keep_alive_clients() {
    let fake = start();
    let url = fake.events_url(PIXEL);
    std::thread::scope(|s| {
        for t in 0..4 {
            let url = url.clone();
            s.spawn(move || {
                let agent = agent();
                for i in 0..50 {
                    let resp = post_to(&agent, &url, &body(vec![event(&format!("t{t}-{i}"))]))
                        .expect("exchange");
                    assert_eq!(resp.0, 200);
                }
            });
        }
    });
    assert_eq!((fake.requests(), fake.received_count()), (200, 200));
}

/// Rough throughput: `cargo test --release --test graph_fake -- --ignored --nocapture`.
#[test]
#[ignore = "a measurement, not a check"]
#[allow(clippy::print_stderr)]
fn throughput() {
    let fake = start();
    let url = fake.events_url(PIXEL);
    let payload = body(vec![event("x")]).to_string();
    for threads in [1, 2, 4, 8] {
        let per_thread = 4000 / threads;
        let t = Instant::now();
        std::thread::scope(|s| {
            for _ in 0..threads {
                let (url, payload) = (&url, &payload);
                s.spawn(move || {
                    let agent = agent();
                    for _ in 0..per_thread {
                        let mut resp = agent
                            .post(url)
                            .content_type("application/json")
                            .send(payload.as_str())
                            .expect("exchange");
                        assert_eq!(resp.status().as_u16(), 200);
                        let _ = resp.body_mut().read_to_string();
                    }
                });
            }
        });
        let n = per_thread * threads;
        let secs = t.elapsed().as_secs_f64();
        eprintln!(
            "{threads} client threads: {n} requests in {secs:.2} s = {:.0} req/s ({VERSION})",
            n as f64 / secs
        );
        fake.clear();
    }
}

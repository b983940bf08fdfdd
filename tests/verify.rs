//! `tagc verify` end to end: every example's plan passes (harness pages in real Chromium,
//! server checks offline and against the local fake Graph API), and deliberately broken
//! builds fail the right check with a useful message.

#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;
use support::cli::tagc;
use support::graph::{EXPIRED_TOKEN, FakeConfig, FakeGraph, TOKEN};

const EXAMPLES: [&str; 4] = ["event-landing", "shop", "offline", "multi-file"];

/// Builds `config` (a path, or YAML text when `yaml` is set) into a temp dir.
fn build(config: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let out = tagc()
        .args(["build"])
        .arg(config)
        .arg("--out")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir
}

/// A copy of an example with `from` replaced by `to` (which must occur).
fn broken(example: &str, edits: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut text =
        std::fs::read_to_string(root.join(format!("examples/{example}/tagc.yaml"))).unwrap();
    for (from, to) in edits {
        assert!(text.contains(from), "{from} not in {example}");
        text = text.replace(from, to);
    }
    let path = dir.path().join("tagc.yaml");
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

/// Runs `tagc verify --format json`; returns the exit code, the report and stderr.
fn verify(plan: &Path, extra: &[&str], env: &[(&str, &str)]) -> (Option<i32>, Value, String) {
    let mut c = tagc();
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c
        .arg("verify")
        .arg(plan)
        .args(["--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let report = serde_json::from_str(&stdout).unwrap_or(Value::Null);
    (
        out.status.code(),
        report,
        format!("{stdout}{}", String::from_utf8_lossy(&out.stderr)),
    )
}

fn outcomes(report: &Value) -> BTreeMap<String, String> {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap().to_owned(),
                c["outcome"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn check<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no check {id} in {report:#}"))
}

#[test]
fn every_example_passes_offline() {
    for ex in EXAMPLES {
        let dist = build(&Path::new("examples").join(ex).join("tagc.yaml"));
        let (code, report, all) = verify(&dist.path().join("verify/plan.json"), &[], &[]);
        assert_eq!(code, Some(0), "{ex}: {all}");
        assert_eq!(report["sent_to_meta"], false);
        let mut o = outcomes(&report);
        // The shop's order id comes from the data layer: that the backend knows the same
        // id is assumed, not proven (see a_data_layer_order_id_is_assumed_not_proven).
        if ex == "shop" {
            assert_eq!(o.remove("dedup/purchase").as_deref(), Some("assumed"));
        }
        assert!(o.values().all(|v| v == "passed"), "{ex}: {o:#?}");
        for kind in ["server", "browser"] {
            if ex != "offline" || kind == "server" {
                assert!(
                    o.keys().any(|k| k.starts_with(kind)),
                    "{ex} has {kind} checks"
                );
            }
        }
    }
}

#[test]
fn a_consent_site_passes_offline_its_shared_id_stored_after_the_grant() {
    let dist = build(Path::new("tests/fixtures/build/consent.yaml"));
    let (code, report, all) = verify(&dist.path().join("verify/plan.json"), &[], &[]);
    assert_eq!(code, Some(0), "{all}");
    let o = outcomes(&report);
    assert!(o.len() >= 2 && o.values().all(|v| v == "passed"), "{o:#?}");
}

#[test]
fn the_shop_plan_passes_against_the_graph_api_with_a_test_event_code() {
    let dist = build(Path::new("examples/shop/tagc.yaml"));
    let graph = FakeGraph::start(FakeConfig::new().pixel("314159265358979"));
    let (code, report, all) = verify(
        &dist.path().join("verify/plan.json"),
        &[
            "--test-event-code",
            "TEST12345",
            "--graph-url",
            &graph.url(),
        ],
        &[("META_ACCESS_TOKEN", TOKEN)],
    );
    assert_eq!(code, Some(0), "{all}");
    assert_eq!(report["sent_to_meta"], true);
    let got = graph.received();
    assert_eq!(got.len(), 1);
    assert_eq!(
        graph.invalid_findings(),
        vec![],
        "verify sent what Meta's docs call wrong"
    );
    assert_eq!(got[0].event_name(), "Purchase");
    assert_eq!(got[0].event_id(), Some("ES-2026-004217"));
    assert_eq!(got[0].test_event_code.as_deref(), Some("TEST12345"));
    assert_eq!(outcomes(&report)["dedup/purchase"], "assumed");
    assert!(!all.contains(TOKEN));
}

#[test]
fn a_revoked_token_stops_the_server_checks_without_showing_it() {
    let dist = build(Path::new("examples/shop/tagc.yaml"));
    let graph = FakeGraph::start(FakeConfig::new().pixel("314159265358979"));
    let (code, report, all) = verify(
        &dist.path().join("verify/plan.json"),
        &[
            "--test-event-code",
            "TEST12345",
            "--graph-url",
            &graph.url(),
            "--only",
            "server",
        ],
        &[("META_ACCESS_TOKEN", EXPIRED_TOKEN)],
    );
    assert_eq!(code, Some(2), "could not run: {all}");
    let c = check(&report, "server/purchase");
    assert_eq!(c["outcome"], "error");
    assert!(
        c["message"]
            .as_str()
            .unwrap()
            .contains("refused the access token")
    );
    assert!(!all.contains(EXPIRED_TOKEN), "the token leaked");
    assert_eq!(outcomes(&report)["browser/home/load"], "skipped");
}

#[test]
fn an_unhashed_email_fails_the_server_check_with_metas_code() {
    let dist = build(Path::new("examples/shop/tagc.yaml"));
    let mapping = dist.path().join("capi/mapping.json");
    let mut m: Value = serde_json::from_str(&std::fs::read_to_string(&mapping).unwrap()).unwrap();
    m["events"][0]["user_data"]["em"]["transform"] = Value::from("none");
    std::fs::write(&mapping, m.to_string()).unwrap();
    let (code, report, all) = verify(
        &dist.path().join("verify/plan.json"),
        &["--only", "server"],
        &[],
    );
    assert_eq!(code, Some(1), "{all}");
    let c = check(&report, "server/purchase");
    assert_eq!(c["outcome"], "failed");
    let m = c["mismatches"].to_string();
    assert!(m.contains("2804016") && m.contains("isn't hashed"), "{m}");
    assert!(
        !m.contains("lucia.martin"),
        "customer data in the report: {m}"
    );
}

#[test]
fn a_stale_event_time_fails_the_server_check() {
    // Seconds read as milliseconds: every event lands in January 1970.
    let (_cfg, path) = broken(
        "offline",
        &[(
            "path: sale.completed_at, format: unix}",
            "path: sale.completed_at, format: unix_ms}",
        )],
    );
    let dist = build(&path);
    let (code, report, all) = verify(&dist.path().join("verify/plan.json"), &[], &[]);
    assert_eq!(code, Some(1), "{all}");
    let failed: Vec<&Value> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["outcome"] == "failed")
        .collect();
    assert!(!failed.is_empty());
    assert!(
        failed[0]["mismatches"].to_string().contains("2804003"),
        "{all}"
    );
}

/// Runs `tagc check` on `config`; returns the exit code and what it printed.
fn check_config(config: &Path) -> (Option<i32>, String) {
    let out = tagc().arg("check").arg(config).output().unwrap();
    (
        out.status.code(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// The message of the check's first note.
fn first_note(c: &Value) -> &str {
    c["notes"][0]["message"].as_str().unwrap_or_default()
}

#[test]
fn a_misspelt_server_event_id_path_is_an_error_of_check_not_a_surprise_of_verify() {
    let (_cfg, path) = broken(
        "event-landing",
        &[
            ("event_id: form.event_id", "event_id: form.eventid"),
            (
                "          event_id: 3f1c2a9e",
                "          eventid: 3f1c2a9e",
            ),
        ],
    );
    let (code, all) = check_config(&path);
    assert_eq!(code, Some(1), "{all}");
    assert!(
        all.contains("TAG2028") && all.contains("did you mean `form.event_id`?"),
        "{all}"
    );
}

#[test]
fn a_server_event_id_read_from_an_unrelated_field_is_assumed_not_passed() {
    let (_cfg, path) = broken(
        "event-landing",
        &[
            ("event_id: form.event_id", "event_id: form.eid"),
            ("          event_id: 3f1c2a9e", "          eid: 3f1c2a9e"),
        ],
    );
    let (code, all) = check_config(&path);
    assert_eq!(code, Some(0), "a warning only: {all}");
    assert!(all.contains("TAG2030"), "{all}");
    let dist = build(&path);
    let (code, report, all) = verify(&dist.path().join("verify/plan.json"), &[], &[]);
    assert_eq!(code, Some(0), "an assumption is not a failure: {all}");
    let c = check(&report, "dedup/registration");
    assert_eq!(c["outcome"], "assumed", "{c:#}");
    let m = c["message"].as_str().unwrap();
    assert!(
        m.starts_with("assumed: the backend copies the form field `event_id` into `form.eid`")
            && m.contains("TAG2030"),
        "{m}"
    );
    assert_eq!(report["summary"]["assumed"], 1, "{all}");
    assert_eq!(outcomes(&report)["browser/landing/register"], "passed");

    // Declared, the warning goes; the result still says what is assumed.
    let (_cfg, path) = broken(
        "event-landing",
        &[
            (
                "event_id: form.event_id",
                "event_id: {path: form.eid, copied_from: event_id}",
            ),
            ("          event_id: 3f1c2a9e", "          eid: 3f1c2a9e"),
        ],
    );
    let (code, all) = check_config(&path);
    assert_eq!(code, Some(0), "{all}");
    assert!(!all.contains("TAG2030"), "{all}");
    let dist = build(&path);
    let (code, report, all) = verify(
        &dist.path().join("verify/plan.json"),
        &["--check", "dedup"],
        &[],
    );
    assert_eq!(code, Some(0), "{all}");
    let c = check(&report, "dedup/registration");
    assert_eq!(c["outcome"], "assumed", "{c:#}");
    assert!(
        c["message"]
            .as_str()
            .unwrap()
            .contains("(declared with `copied_from`)"),
        "{c:#}"
    );
}

#[test]
fn a_data_layer_order_id_is_assumed_not_proven() {
    // The harness page carries the sample's order id in its data layer: comparing the two
    // would prove only that tagc planted it. The result says what is assumed instead.
    let dist = build(Path::new("examples/shop/tagc.yaml"));
    let plan = dist.path().join("verify/plan.json");
    let (code, report, all) = verify(&plan, &["--check", "dedup/purchase"], &[]);
    assert_eq!(code, Some(0), "an assumption is not a failure: {all}");
    let c = check(&report, "dedup/purchase");
    assert_eq!(c["outcome"], "assumed", "{c:#}");
    assert_eq!(
        c["message"],
        "assumed: the backend's `order.id` carries the page's data layer ecommerce.transaction_id"
    );
    assert_eq!(
        first_note(c),
        "browser eventID = server event_id (from `order.id`) = \"ES-2026-004217\""
    );
    assert!(
        c["notes"].to_string().contains("agree by construction"),
        "{c:#}"
    );
    assert_eq!(report["summary"]["assumed"], 1);
    assert_eq!(report["summary"]["passed"], 0);

    // Every format shows it as not a plain pass.
    let out = tagc()
        .arg("verify")
        .arg(&plan)
        .args(["--check", "dedup/purchase"])
        .output()
        .unwrap();
    let human = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{human}");
    assert!(
        human.contains("  ?  dedup  dedup/purchase")
            && human.contains("|  assumed: the backend's `order.id`")
            && human.contains("0 passed, 1 assumed, 0 failed"),
        "{human}"
    );
    for (format, want) in [
        (
            "junit",
            "<skipped message=\"assumed: the backend&apos;s `order.id` carries",
        ),
        (
            "github",
            "::notice file=examples/shop/tagc.yaml,line=130,col=7,title=tagc verify dedup/purchase (assumed)::assumed: ",
        ),
    ] {
        let out = tagc()
            .arg("verify")
            .arg(&plan)
            .args(["--check", "dedup/purchase", "--format", format])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{format}: {text}");
        assert!(text.contains(want), "{format}: {text}");
    }
}

#[test]
fn a_random_id_shared_through_the_data_layer_is_assumed_not_proven() {
    // The page pushes the id to its data layer, which never leaves the browser by itself:
    // that the backend's `form.event_id` carries it is out of tagc's sight.
    let (_cfg, path) = broken(
        "event-landing",
        &[(
            "share: {via: form_field, name: event_id}",
            "share: {via: data_layer, key: event_id}",
        )],
    );
    let dist = build(&path);
    let (code, report, all) = verify(
        &dist.path().join("verify/plan.json"),
        &["--check", "dedup"],
        &[],
    );
    assert_eq!(code, Some(0), "{all}");
    let c = check(&report, "dedup/registration");
    assert_eq!(c["outcome"], "assumed", "{c:#}");
    assert_eq!(
        c["message"],
        "assumed: the backend's `form.event_id` carries the data-layer key `event_id` the page pushed (the data layer never leaves the browser by itself)"
    );
    assert!(
        first_note(c).starts_with(
            "browser eventID = data-layer key `event_id` = server event_id (from `form.event_id`) = \""
        ),
        "{c:#}"
    );
}

#[test]
fn a_form_field_id_passes_and_shows_the_values_compared() {
    let dist = build(Path::new("examples/event-landing/tagc.yaml"));
    let (code, report, all) = verify(&dist.path().join("verify/plan.json"), &[], &[]);
    assert_eq!(code, Some(0), "{all}");
    let c = check(&report, "dedup/registration");
    assert_eq!(c["outcome"], "passed", "{c:#}");
    let note = first_note(c);
    let prefix =
        "browser eventID = form field `event_id` = server event_id (from `form.event_id`) = \"";
    assert!(note.starts_with(prefix), "{note}");
    let id = note[prefix.len()..].trim_end_matches('"');
    // A fresh random id the page made, not the sample's (a real site's test compares it
    // with what the form posted: verify_sites, forms).
    assert_ne!(id, "3f1c2a9e-4b7d-4f2a-9c1e-8d5b6a7f0e21");
    assert_eq!(id.len(), 36, "{id}");
}

#[test]
fn a_server_mapping_that_does_not_read_the_shared_id_fails_the_dedup_check() {
    // The mapping that ships reads the event id from another field than the plan says
    // (a mapping edited by hand, or out of date): the server would send another id.
    let dist = build(Path::new("examples/event-landing/tagc.yaml"));
    let mapping = dist.path().join("capi/mapping.json");
    let text = std::fs::read_to_string(&mapping).unwrap();
    assert!(text.contains("\"form.event_id\""), "{text}");
    std::fs::write(
        &mapping,
        text.replace("\"form.event_id\"", "\"request.url\""),
    )
    .unwrap();
    let (code, report, all) = verify(
        &dist.path().join("verify/plan.json"),
        &["--check", "dedup"],
        &[],
    );
    assert_eq!(code, Some(1), "{all}");
    let c = check(&report, "dedup/registration");
    assert_eq!(c["outcome"], "failed", "{c:#}");
    let m = c["mismatches"].to_string();
    assert!(
        m.contains("server event_id") && m.contains("congreso.example.com"),
        "{m}"
    );
}

/// A "staging site" for the event-landing page: the real DOM, the generated snippet.
fn landing_site(snippet: &str) -> tagc::browser::serve::Server {
    let page = format!(
        "<!doctype html><html><head><meta charset=utf-8><meta property=\"og:title\" content=\"Congreso Web 2027\">\n{snippet}\n</head><body>\
         <h1>Congreso Web 2027</h1><button class=\"cta\">Asistir presencial</button>\
         <form id=\"registro\"><input name=\"email\" value=\"a@b.co\"><button type=\"submit\">Registrarme</button></form>\
         <script>document.addEventListener('submit', function (e) {{ e.preventDefault(); }});</script></body></html>"
    );
    let files = BTreeMap::from([
        (
            "/".to_owned(),
            ("text/html".to_owned(), page.clone().into_bytes()),
        ),
        (
            "/congreso/2027".to_owned(),
            ("text/html".to_owned(), page.into_bytes()),
        ),
    ]);
    tagc::browser::serve::Server::start(files).unwrap()
}

#[test]
fn a_selector_that_matches_nothing_on_the_site_fails_its_check() {
    let (_cfg, path) = broken("event-landing", &[("form#registro", "form#signup")]);
    let dist = build(&path);
    let snippet = std::fs::read_to_string(dist.path().join("pixel/pages/landing.html")).unwrap();
    let site = landing_site(&snippet);
    let (code, report, all) = verify(
        &dist.path().join("verify/plan.json"),
        &[
            "--base-url",
            &site.url(""),
            "--fbevents",
            "recorder",
            "--only",
            "browser",
        ],
        &[],
    );
    assert_eq!(code, Some(1), "{all}");
    let c = check(&report, "browser/landing/register");
    assert_eq!(c["outcome"], "failed");
    assert!(
        c["message"].as_str().unwrap().contains("form#signup"),
        "{c:#}"
    );
    assert_eq!(outcomes(&report)["browser/landing/attend"], "passed");
}

#[test]
fn a_parameter_read_from_the_wrong_attribute_fails_its_check() {
    let (_cfg, path) = broken(
        "shop",
        &[(
            "name: data-price, closest: .product-card",
            "name: data-cost, closest: .product-card",
        )],
    );
    let dist = build(&path);
    let snippet = std::fs::read_to_string(dist.path().join("pixel/pages/home.html")).unwrap();
    let page = format!(
        "<!doctype html><html><head><meta charset=utf-8>{snippet}</head><body>\
         <div class=\"product-card\" data-sku=\"TS-0042-M\" data-price=\"24,90\"><h2>T-shirt</h2>\
         <button class=\"add-to-cart\">Añadir</button></div></body></html>"
    );
    let site = tagc::browser::serve::Server::start(BTreeMap::from([(
        "/".to_owned(),
        ("text/html".to_owned(), page.into_bytes()),
    )]))
    .unwrap();
    let (code, report, all) = verify(
        &dist.path().join("verify/plan.json"),
        &[
            "--base-url",
            &site.url(""),
            "--fbevents",
            "recorder",
            "--check",
            "browser/home",
        ],
        &[],
    );
    assert_eq!(code, Some(1), "{all}");
    let c = check(&report, "browser/home/add-to-cart");
    assert_eq!(c["outcome"], "failed");
    let m = &c["mismatches"][0];
    assert_eq!(m["what"], "fbq call 1: params.value", "{c:#}");
    assert_eq!(m["actual"], "missing");
    assert_eq!(outcomes(&report)["browser/home/load"], "passed");
    assert_eq!(outcomes(&report)["server/purchase"], "skipped");
}

#[test]
fn no_browser_is_a_could_not_run_with_the_install_hint() {
    let dist = build(Path::new("examples/event-landing/tagc.yaml"));
    let (code, report, all) = verify(
        &dist.path().join("verify/plan.json"),
        &["--browser", "/nonexistent/chromium", "--only", "browser"],
        &[],
    );
    assert_eq!(code, Some(2), "{all}");
    let c = check(&report, "browser/landing/load");
    assert_eq!(c["outcome"], "error");
    assert!(all.contains("chromium"), "{all}");
}

#[test]
fn the_human_report_names_each_check_and_its_config_line() {
    let dist = build(Path::new("examples/event-landing/tagc.yaml"));
    let out = tagc()
        .arg("verify")
        .arg(dist.path().join("verify/plan.json"))
        .args(["--only", "server"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("offline"), "{err}");
    assert!(err.contains("server/registration"), "{err}");
    assert!(err.contains("examples/event-landing/tagc.yaml:55"), "{err}");
    assert!(err.contains("Test Events"), "the manual step: {err}");
    // Unknown check ids are usage errors.
    let out = tagc()
        .arg("verify")
        .arg(dist.path().join("verify/plan.json"))
        .args(["--check", "browser/nope"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_failing_or_slow_graph_api_is_retried_within_the_deadline_and_never_hangs() {
    use std::time::{Duration, Instant};
    use support::graph::{Fault, FaultKind};
    let dist = build(Path::new("examples/shop/tagc.yaml"));
    let plan = dist.path().join("verify/plan.json");
    let args = |url: &str| {
        vec![
            "--test-event-code".to_owned(),
            "TEST12345".to_owned(),
            "--graph-url".to_owned(),
            url.to_owned(),
            "--only".to_owned(),
            "server".to_owned(),
            "--timeout".to_owned(),
            "2".to_owned(),
        ]
    };
    // Two 500s, then success: retried, passes.
    let graph = FakeGraph::start(
        FakeConfig::new()
            .pixel("314159265358979")
            .fault(Fault::first(2, FaultKind::ServerError)),
    );
    let a = args(&graph.url());
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    let (code, report, all) = verify(&plan, &a, &[("META_ACCESS_TOKEN", TOKEN)]);
    assert_eq!(code, Some(0), "{all}");
    assert_eq!(check(&report, "server/purchase")["outcome"], "passed");
    assert_eq!(graph.requests(), 3);

    // Never answers in time: the check could not run, within its deadline.
    let graph = FakeGraph::start(
        FakeConfig::new()
            .pixel("314159265358979")
            .fault(Fault::always(FaultKind::Latency(Duration::from_secs(30)))),
    );
    let a = args(&graph.url());
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    let start = Instant::now();
    let (code, report, all) = verify(&plan, &a, &[("META_ACCESS_TOKEN", TOKEN)]);
    assert_eq!(code, Some(2), "{all}");
    let c = check(&report, "server/purchase");
    assert_eq!(c["outcome"], "error");
    assert!(
        c["message"].as_str().unwrap().contains("timed out"),
        "{c:#}"
    );
    assert!(
        start.elapsed() < Duration::from_secs(15),
        "bounded: {:?}",
        start.elapsed()
    );
}

#[test]
fn texts_and_forms_on_harness_pages_read_as_configured() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("tagc.yaml");
    std::fs::write(
        &config,
        r##"pixels:
  - name: main
    ids: {production: "123456789012345"}
pages:
  - id: shop
    url: /
    buttons:
      - id: price
        selector: "#offer .price"
        event: AddToCart
        params:
          value: {from: text, type: number}
          currency: EUR
      - id: form
        selector: "form#f"
        on: submit
        event: Lead
        params:
          content_name: {from: text}
"##,
    )
    .unwrap();
    let dist = build(&config);
    let (code, report, all) = verify(&dist.path().join("verify/plan.json"), &[], &[]);
    assert_eq!(code, Some(0), "{all}");
    assert!(
        outcomes(&report).values().all(|o| o == "passed"),
        "{report:#}"
    );
}

#[path = "../benches/common/mod.rs"]
#[allow(dead_code)]
mod bench_config;

/// The benchmark site's pages fire one AddToCart from six buttons: each page's snippet
/// writes it once in its event table, and every button still fires it in Chromium.
#[test]
fn a_page_whose_buttons_share_an_event_passes_offline() {
    let dir = tempfile::tempdir().unwrap();
    let root = bench_config::generate(dir.path(), 2, 1);
    let dist = build(&root);
    let snippet = std::fs::read_to_string(dist.path().join("pixel/pages/page-1.html")).unwrap();
    assert_eq!(snippet.matches("\"event\":\"AddToCart#1\"").count(), 6);
    assert!(snippet.contains(":nth-child(6) button.add-to-cart"));
    let (code, report, all) = verify(
        &dist.path().join("verify/plan.json"),
        &["--check", "browser/page-1"],
        &[],
    );
    let mut o = outcomes(&report);
    o.retain(|id, _| id.starts_with("browser/page-1/"));
    assert_eq!(o.len(), 11, "{o:#?}");
    assert!(o.values().all(|v| v == "passed"), "{o:#?}");
    assert_eq!(code, Some(0), "{all}");
}

/// The verify benchmark's real site (here 3 category pages): every check passes against
/// it served locally, so the benchmark measures correct verdicts.
#[test]
fn the_benchmark_site_passes_on_a_real_site_run() {
    let dir = tempfile::tempdir().unwrap();
    let config = bench_config::site::config(dir.path(), 3, true);
    let dist = build(&config);
    let site = tagc::browser::serve::Server::start_routes(bench_config::site::routes(
        &dist.path().join("pixel/pages"),
        3,
    ))
    .unwrap();
    let (code, report, all) = verify(
        &dist.path().join("verify/plan.json"),
        &["--base-url", &site.url(""), "--fbevents", "recorder"],
        &[],
    );
    let o = outcomes(&report);
    assert_eq!(o.len(), 33, "{o:#?}");
    assert!(o.values().all(|v| v == "passed"), "{all}");
    assert_eq!(code, Some(0), "{all}");
    // The newsletter form really posted the filled address, and the link led to the next
    // category, whose own calls were checked.
    assert!(
        site.log().iter().any(|r| r.method == "POST"
            && r.path == "/subscribe"
            && r.body == "email=ana%40example.com"),
        "{:?}",
        site.log()
    );
    let more = check(&report, "browser/cat-0/more");
    assert!(
        more["notes"].to_string().contains("page `cat-1`"),
        "{more:#}"
    );
}

/// Workers that fail to start their browser at once must still account for every check:
/// a race once let the run end with no verdicts at all and exit 0.
#[test]
fn no_browser_loses_no_check_whatever_the_number_of_workers() {
    let dist = build(Path::new("examples/shop/tagc.yaml"));
    for jobs in ["1", "2", "3", "8", "2", "3", "8", "2", "3", "8"] {
        let (code, report, all) = verify(
            &dist.path().join("verify/plan.json"),
            &[
                "--browser",
                "/nonexistent/chromium",
                "--only",
                "browser",
                "--jobs",
                jobs,
            ],
            &[],
        );
        assert_eq!(code, Some(2), "--jobs {jobs}: {all}");
        let checks = report["checks"].as_array().cloned().unwrap_or_default();
        let browser: Vec<_> = checks
            .iter()
            .filter(|c| {
                c["id"]
                    .as_str()
                    .is_some_and(|id| id.starts_with("browser/"))
            })
            .collect();
        assert!(!browser.is_empty());
        for c in browser {
            assert_eq!(c["outcome"], "error", "--jobs {jobs}: {c:#}");
        }
    }
}

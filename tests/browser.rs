//! The generated pixel code in real headless Chromium.
//!
//! Each test builds a configuration with the `tagc` binary, puts the artifacts byte for
//! byte into pages served on 127.0.0.1, and drives Chromium over the DevTools protocol
//! (`tagc::browser`). Requests to Meta's hosts are intercepted (`fbevents.js` is answered by
//! a stand-in), and every `fbq` call is reported by tagc's observer the moment it is made,
//! so the tests see the exact `fbq` call sequence.
//!
//! Chromium comes from Debian's `chromium` package (`.ci/run` installs it); set
//! `TAGC_CHROMIUM` to use another binary.

#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use serde_json::{Value, json};
use tagc::browser::serve::Server;
use tagc::browser::{Browser, LaunchOptions, MetaMode, Page};

const PIXEL: &str = "123456789012345";

/// Runs `tagc build CONFIG EXTRA… --out DIR` and returns DIR.
fn build_dir(config: &str, extra: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let out = assert_cmd::Command::cargo_bin("tagc")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["build", config])
        .args(extra)
        .arg("--out")
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir
}

/// Builds `config` and returns (site-wide head, tagc.js, page id → inline snippet).
fn build(config: &str) -> (String, String, std::collections::BTreeMap<String, String>) {
    let dir = build_dir(config, &[]);
    let read = |p: &Path| std::fs::read_to_string(dir.path().join(p)).unwrap();
    let mut pages = std::collections::BTreeMap::new();
    for e in std::fs::read_dir(dir.path().join("pixel/pages"))
        .into_iter()
        .flatten()
    {
        let p = e.unwrap().path();
        let id = p.file_stem().unwrap().to_string_lossy().into_owned();
        pages.insert(id, std::fs::read_to_string(&p).unwrap());
    }
    (
        read(Path::new("pixel/head.html")),
        read(Path::new("pixel/tagc.js")),
        pages,
    )
}

fn html(head: &str, body: &str) -> Vec<u8> {
    format!("<!doctype html>\n<html><head><meta charset=\"utf-8\">\n{head}\n</head>\n<body>\n{body}\n</body></html>\n")
        .into_bytes()
}

fn page_route(path: &str, head: &str, body: &str) -> (String, (String, Vec<u8>)) {
    (
        path.to_owned(),
        ("text/html; charset=utf-8".to_owned(), html(head, body)),
    )
}

/// Serves a site-wide page at `path` (the `head.html` tags in `head`) and its `/tagc.js`.
fn serve_site_wide(path: &str, head: &str, body: &str, script: &str) -> Server {
    serve([
        (
            "/tagc.js".to_owned(),
            (
                "application/javascript".to_owned(),
                script.as_bytes().to_vec(),
            ),
        ),
        page_route(path, head, body),
    ])
}

fn serve<const N: usize>(routes: [(String, (String, Vec<u8>)); N]) -> Server {
    Server::start(BTreeMap::from(routes)).unwrap()
}

/// Waits until at least `n` calls are recorded, then returns them.
fn calls(page: &mut Page<'_>, n: usize) -> Vec<Value> {
    page.wait_calls(n, Duration::from_secs(5))
        .unwrap_or_else(|e| panic!("{e}"))
}

/// A JavaScript string literal that is safe inside the test page's own `<script>`.
fn js_string(s: &str) -> String {
    serde_json::to_string(s).unwrap().replace('<', "\\u003c")
}

fn launch() -> Browser {
    Browser::launch(&LaunchOptions::default()).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn event_landing_fires_view_content_then_one_lead_per_click_and_shares_the_form_event_id() {
    let (_, _, pages) = build("examples/event-landing/tagc.yaml");
    let head = format!(
        "<meta property=\"og:title\" content=\"Congreso Web 2027\">\n{}",
        pages["landing"]
    );
    let body = r#"
<h1>Congreso Web 2027</h1>
<button class="cta"><span>Asistir presencial</span></button>
<button class="other">Asistir online</button>
<form id="registro" action="/gracias" method="get">
  <input name="email" value="ana@example.com">
  <button type="submit" id="send">Registrarme</button>
</form>
<script>document.getElementById('registro').addEventListener('submit', (e) => e.preventDefault());</script>
"#;
    let server = serve([page_route("/congreso/2027", &head, body)]);
    let mut browser = launch();
    let mut page = browser.new_page(MetaMode::Recorder).unwrap();
    page.goto(&server.url("/congreso/2027")).unwrap();
    let got = calls(&mut page, 3);
    assert_eq!(
        got,
        vec![
            json!(["init", PIXEL]),
            json!(["track", "PageView"]),
            json!(["track", "ViewContent", {"content_category": "2027", "content_name": "Congreso Web 2027"}]),
        ]
    );

    page.click("button.cta").unwrap();
    page.click("button.other").unwrap();
    let got = calls(&mut page, 4);
    assert_eq!(got.len(), 4, "exactly one event for two clicks: {got:?}");
    assert_eq!(got[3], json!(["track", "Lead"]), "a Lead with no value");

    page.click("#send").unwrap();
    let got = calls(&mut page, 5);
    let lead = &got[4];
    assert_eq!(lead[0], "track");
    assert_eq!(lead[1], "Lead");
    assert_eq!(
        lead[2],
        json!({"content_name": "Registro Congreso Web 2027"})
    );
    let event_id = lead[3]["eventID"].as_str().expect("an eventID");
    assert_eq!(event_id.len(), 36, "a UUID: {event_id}");
    let field = page
        .eval("document.querySelector('#registro input[type=hidden][name=event_id]').value")
        .unwrap();
    assert_eq!(
        field,
        json!(event_id),
        "the form carries the same id to the server"
    );
    assert!(page.errors().is_empty(), "{:?}", page.errors());
    assert!(
        page.meta_requests()
            .iter()
            .any(|u| u.ends_with("/en_US/fbevents.js")),
        "{:?}",
        page.meta_requests()
    );
}

#[test]
fn shop_reads_the_clicked_card_and_the_data_layer() {
    let (_, _, pages) = build("examples/shop/tagc.yaml");
    let product_head = format!(
        "<script>window.dataLayer = [{{ecommerce: {{product_id: 'TS-0042', price: '24,90', currency: 'EUR', category: 'camisetas'}}}}];</script>\n{}",
        pages["product"]
    );
    let product_body = r#"
<h1 class="product-title">  Camiseta   Azul </h1>
<div class="product-card" data-sku="TS-0042" data-price="24,90"><button class="add-to-cart">Añadir</button></div>
<div class="product-card" data-sku="MUG-0007" data-price="35.00"><p>Taza</p><button class="add-to-cart"><b>Añadir</b></button></div>
<div id="late"></div>
"#;
    let thanks_head = format!(
        "<script>window.dataLayer = [{{event: 'gtm.js'}}, {{ecommerce: {{transaction_id: 'ES-2026-004217', value: 84.8, currency: 'EUR', contents: [{{id: 'TS-0042-M', quantity: 2, item_price: 24.9}}, {{item_id: 'MUG-0007', quantity: '1', price: '35.00'}}]}}}}];</script>\n{}",
        pages["thank-you"]
    );
    let server = serve([
        page_route("/p/camiseta-azul", &product_head, product_body),
        page_route("/checkout/thank-you", &thanks_head, "<h1>Gracias</h1>"),
    ]);
    let mut browser = launch();
    let mut page = browser.new_page(MetaMode::Recorder).unwrap();
    page.goto(&server.url("/p/camiseta-azul")).unwrap();
    let got = calls(&mut page, 3);
    assert_eq!(
        got[2],
        json!(["track", "ViewContent", {
            "content_category": "camisetas",
            "content_ids": ["TS-0042"],
            "content_name": "Camiseta Azul",
            "content_type": "product",
            "currency": "EUR",
            "value": 24.9
        }])
    );
    page.click(".product-card[data-sku='MUG-0007'] button.add-to-cart")
        .unwrap();
    let got = calls(&mut page, 4);
    assert_eq!(
        got[3],
        json!(["track", "AddToCart", {"content_ids": ["MUG-0007"], "content_type": "product", "currency": "EUR", "value": 35}])
    );
    // A card rendered after load is handled by the same delegated listener.
    page.eval("document.getElementById('late').innerHTML = '<div class=\"product-card\" data-sku=\"LATE-1\" data-price=\"1.234,50\"><button class=\"add-to-cart\">Añadir</button></div>'")
        .unwrap();
    page.click("#late button.add-to-cart").unwrap();
    let got = calls(&mut page, 5);
    assert_eq!(got[4][2]["content_ids"], json!(["LATE-1"]));
    assert_eq!(got[4][2]["value"], json!(1234.5));
    let raw = page.fbq_raw().unwrap();
    assert!(
        raw.iter()
            .all(|r| !r.contains("NaN") && !r.contains("undefined")),
        "{raw:?}"
    );

    page.goto(&server.url("/checkout/thank-you")).unwrap();
    let got = calls(&mut page, 3);
    assert_eq!(
        got[2],
        json!(["track", "Purchase", {
            "content_type": "product",
            "contents": [
                {"id": "TS-0042-M", "item_price": 24.9, "quantity": 2},
                {"id": "MUG-0007", "item_price": 35, "quantity": 1}
            ],
            "currency": "EUR",
            "value": 84.8
        }, {"eventID": "ES-2026-004217"}])
    );
    assert!(page.errors().is_empty(), "{:?}", page.errors());
}

#[test]
fn a_missing_source_value_is_left_out_not_sent_as_undefined() {
    let (_, _, pages) = build("examples/shop/tagc.yaml");
    // No data layer at all on the thank-you page: Purchase goes without value, currency,
    // contents and eventID, never with `undefined` or `NaN`.
    let server = serve([page_route("/checkout/thank-you", &pages["thank-you"], "")]);
    let mut browser = launch();
    let mut page = browser.new_page(MetaMode::Recorder).unwrap();
    page.goto(&server.url("/checkout/thank-you")).unwrap();
    let got = calls(&mut page, 3);
    assert_eq!(
        got[2],
        json!(["track", "Purchase", {"content_type": "product"}])
    );
    let raw = page.fbq_raw().unwrap();
    assert!(
        raw.iter()
            .all(|r| !r.contains("NaN") && !r.contains("undefined")),
        "{raw:?}"
    );
}

#[test]
fn site_wide_script_with_integrity_follows_spa_route_changes() {
    let (head, script, _) = build("examples/shop/tagc.yaml");
    let body = r#"
<div id="app"><a class="checkout-button" href="javascript:void 0">Pagar</a></div>
<div class="product-card" data-sku="TS-0042" data-price="24,90"><button class="add-to-cart">Añadir</button></div>
<script>window.dataLayer = [{ecommerce: {num_items: 3, value: '99.90'}}];</script>
"#;
    let server = serve_site_wide("/", &head, body, &script);
    let mut browser = launch();
    let mut page = browser.new_page(MetaMode::Recorder).unwrap();
    page.goto(&server.url("/")).unwrap();
    let got = calls(&mut page, 2);
    assert_eq!(
        got,
        vec![
            json!(["init", "314159265358979"]),
            json!(["track", "PageView"])
        ]
    );

    page.eval("history.pushState({}, '', '/c/camisetas')")
        .unwrap();
    let got = calls(&mut page, 3);
    assert_eq!(
        got[2],
        json!(["track", "ViewContent", {"content_category": "camisetas"}])
    );
    // The same path again is not a new page.
    page.eval("history.replaceState({}, '', '/c/camisetas')")
        .unwrap();
    page.eval("history.pushState({}, '', '/cart')").unwrap();
    page.click("a.checkout-button").unwrap();
    let got = calls(&mut page, 4);
    assert_eq!(
        got[3],
        json!(["track", "InitiateCheckout", {"currency": "EUR", "num_items": 3, "value": 99.9}])
    );
    page.eval("history.back()").unwrap();
    let got = calls(&mut page, 5);
    assert_eq!(
        got[4],
        json!(["track", "ViewContent", {"content_category": "camisetas"}])
    );
    // Three pages fire the same AddToCart: tagc.js writes it once and names it.
    assert!(script.contains("\"AddToCart#1\": {"), "shared event table");
    page.click("button.add-to-cart").unwrap();
    let got = calls(&mut page, 6);
    assert_eq!(
        got[5],
        json!(["track", "AddToCart", {"content_ids": ["TS-0042"], "content_type": "product", "currency": "EUR", "value": 24.9}])
    );
    assert_eq!(got.len(), 6, "{got:?}");
    assert!(page.errors().is_empty(), "{:?}", page.errors());
    assert_eq!(
        server
            .requests()
            .iter()
            .filter(|p| *p == "/tagc.js")
            .count(),
        1,
        "loaded once, through its integrity check"
    );
}

#[test]
fn site_wide_mode_runs_under_the_csp_the_manifest_lists() {
    let dir = build_dir("examples/shop/tagc.yaml", &["--nonce", "<%= n0nce %>"]);
    let read = |p: &str| std::fs::read_to_string(dir.path().join(p)).unwrap();
    let manifest: Value = serde_json::from_str(&read("manifest.json")).unwrap();
    let csp = manifest["pixel"]["csp"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(directive, sources)| {
            let sources: Vec<&str> = sources
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap())
                .collect();
            format!("{directive} {}", sources.join(" "))
        })
        .collect::<Vec<_>>()
        .join("; ");
    // The loader's hash source is the hash of its body, whatever the nonce placeholder
    // holds (`%>` once ended the tag early for the hash).
    let head_html = read("pixel/head.html");
    let body = head_html
        .split_once(r#"<script nonce="<%= n0nce %>">"#)
        .and_then(|(_, rest)| rest.split_once("</script>"))
        .map(|(body, _)| body)
        .unwrap();
    use base64::Engine as _;
    use sha2::Digest as _;
    let want = format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(body.as_bytes()))
    );
    assert!(
        manifest["pixel"]["csp"]["script-src"]
            .as_array()
            .unwrap()
            .contains(&json!(want)),
        "{want} not in {}",
        manifest["pixel"]["csp"]
    );
    // The page's own policy is exactly what the manifest lists (no nonce source: the
    // loader is allowed by its hash, tagc.js by its origin).
    let head = format!(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; {csp}\">\n{}",
        read("pixel/head.html").replace("<%= n0nce %>", "unused")
    );
    let server = serve_site_wide("/", &head, "", &read("pixel/tagc.js"));
    let mut browser = launch();
    let mut page = browser.new_page(MetaMode::Recorder).unwrap();
    page.goto(&server.url("/")).unwrap();
    let got = calls(&mut page, 2);
    assert_eq!(got[1], json!(["track", "PageView"]), "{csp}");
}

#[test]
fn a_tampered_site_script_is_refused_by_its_integrity() {
    let (head, script, _) = build("examples/shop/tagc.yaml");
    let tampered = script.replace("'PageView'", "'Tampered'");
    let server = serve_site_wide("/", &head, "", &tampered);
    let mut browser = launch();
    let mut page = browser.new_page(MetaMode::Recorder).unwrap();
    page.goto(&server.url("/")).unwrap();
    page.wait_for("document.readyState === 'complete'", Duration::from_secs(5))
        .unwrap();
    assert_eq!(page.eval("typeof window.fbq").unwrap(), json!("undefined"));
}

#[test]
fn consent_is_revoked_before_init_and_granted_by_the_hook() {
    let (head, _, pages) = build("tests/fixtures/build/consent.yaml");
    assert!(
        !pages["signup"].contains("<noscript>"),
        "no image pixel without consent"
    );
    assert!(!head.contains("<noscript>"));
    let body = r#"<button id="join" data-status="new">Join</button>"#;
    let server = serve([page_route("/signup", &pages["signup"], body)]);
    let mut browser = launch();
    let mut page = browser.new_page(MetaMode::Recorder).unwrap();
    page.goto(&server.url("/signup?plan=pro")).unwrap();
    let got = calls(&mut page, 6);
    assert_eq!(
        got,
        vec![
            json!(["consent", "revoke"]),
            json!(["dataProcessingOptions", ["LDU"], 0, 0]),
            json!(["init", PIXEL]),
            json!(["init", "555555555555555"]),
            json!(["track", "PageView"]),
            json!(["track", "ViewContent", {"content_name": "Signup"}]),
        ]
    );
    // Clicked before the grant: Meta holds the event; its id cookie waits for the grant.
    page.click("#join").unwrap();
    let got = calls(&mut page, 7);
    let single = &got[6];
    assert_eq!(single[0], "trackSingle");
    assert_eq!(single[1], "555555555555555");
    assert_eq!(single[2], "CompleteRegistration");
    assert_eq!(single[3], json!({"plan": "pro", "status": "new"}));
    let id = single[4]["eventID"].as_str().unwrap().to_owned();
    let cookie = page.eval("document.cookie").unwrap();
    assert!(
        !cookie.as_str().unwrap().contains("tagc_eid"),
        "no cookie before consent: {cookie}"
    );
    page.eval("tagc.grant()").unwrap();
    let got = calls(&mut page, 8);
    assert_eq!(got[7], json!(["consent", "grant"]));
    let cookie = page.eval("document.cookie").unwrap();
    assert!(
        cookie.as_str().unwrap().contains(&format!("tagc_eid={id}")),
        "{cookie}"
    );
    // After the grant, a click sets its cookie at once.
    page.click("#join").unwrap();
    let got = calls(&mut page, 9);
    let id = got[8][4]["eventID"].as_str().unwrap().to_owned();
    let cookie = page.eval("document.cookie").unwrap();
    assert!(
        cookie.as_str().unwrap().contains(&format!("tagc_eid={id}")),
        "{cookie}"
    );
}

#[test]
fn values_are_read_the_way_sites_write_them() {
    let (_, _, pages) = build("examples/shop/tagc.yaml");
    // Prices as shops print them, and what `value` must be (None: left out).
    let prices: [(&str, Option<f64>); 16] = [
        ("1\u{a0}234,50\u{a0}€", Some(1234.5)),
        ("1\u{202f}234,50 €", Some(1234.5)),
        ("CHF 1'234.50", Some(1234.5)),
        ("$.99", Some(0.99)),
        ("$1,234", Some(1234.0)),
        ("USD 1,299", Some(1299.0)),
        ("1.299", Some(1299.0)),
        ("24,90 € (IVA 21%)", Some(24.9)),
        ("\u{2212}24,90", Some(-24.9)),
        ("0.125", Some(0.125)),
        ("1,234.56", Some(1234.56)),
        ("1.234.567,89", Some(1_234_567.89)),
        ("12,5", Some(12.5)),
        // An exponent is part of the number (docs/values.md): "1e3" is 1000, not 1.
        ("1e3", Some(1000.0)),
        ("   ", None),
        ("-", None),
    ];
    let cards: String = prices
        .iter()
        .enumerate()
        .map(|(i, (p, _))| {
            format!(
                "<div class=\"product-card\" data-sku=\"S{i}\" data-price=\"{p}\"><button id=\"b{i}\" class=\"add-to-cart\">Añadir</button></div>\n"
            )
        })
        .collect();
    // GTM clears the previous order with `{ecommerce: null}`; its id must not come back
    // as the new Purchase's eventID.
    let thanks_head = format!(
        "<script>window.dataLayer = [{{ecommerce: {{transaction_id: 'OLD-1', value: 10, currency: 'EUR'}}}}, {{ecommerce: null}}, {{event: 'page'}}];</script>\n{}",
        pages["thank-you"]
    );
    let server = serve([
        page_route("/c/camisetas", &pages["category"], &cards),
        // Malformed percent-encoding in the URL parameter: that parameter is left out,
        // the event is still sent.
        page_route("/c/%E0%A4", &pages["category"], ""),
        page_route("/checkout/thank-you", &thanks_head, ""),
    ]);
    let mut browser = launch();
    let mut page = browser.new_page(MetaMode::Recorder).unwrap();
    page.goto(&server.url("/c/camisetas")).unwrap();
    calls(&mut page, 3);
    for (i, (text, want)) in prices.iter().enumerate() {
        page.click(&format!("#b{i}")).unwrap();
        let got = calls(&mut page, 4 + i);
        let params = &got[3 + i][2];
        assert_eq!(params["content_ids"], json!([format!("S{i}")]), "{got:?}");
        match want {
            Some(v) => assert_eq!(params["value"].as_f64(), Some(*v), "{text:?}: {params}"),
            None => assert!(params.get("value").is_none(), "{text:?}: {params}"),
        }
    }

    page.goto(&server.url("/c/%E0%A4")).unwrap();
    let got = calls(&mut page, 3);
    assert_eq!(got[2], json!(["track", "ViewContent"]));

    page.goto(&server.url("/checkout/thank-you")).unwrap();
    let got = calls(&mut page, 3);
    assert_eq!(got[2][0], json!("track"));
    assert_eq!(got[2][1], json!("Purchase"));
    let raw = serde_json::to_string(&got[2]).unwrap();
    assert!(!raw.contains("OLD-1") && !raw.contains("eventID"), "{raw}");
}

#[test]
fn a_submission_is_matched_from_the_button_that_submitted_the_form() {
    let (_, _, pages) = build("tests/fixtures/build/submit.yaml");
    let body = r#"
<form id="apply"><input name="q"><button type="submit" id="apply-btn"><span>Enviar</span> solicitud</button></form>
<form id="news"><button type="submit" id="subscribe">OK</button></form>
<form id="contact"><button type="submit" id="contact-btn">Send</button></form>
<button type="submit" form="contact" id="outside">Send too</button>
<script>for (const f of document.forms) f.addEventListener('submit', (e) => e.preventDefault());</script>
"#;
    let server = serve([page_route("/forms", &pages["forms"], body)]);
    let mut browser = launch();
    let mut page = browser.new_page(MetaMode::Recorder).unwrap();
    page.goto(&server.url("/forms")).unwrap();
    calls(&mut page, 2);
    page.click("#apply-btn").unwrap();
    page.click("#subscribe").unwrap();
    page.click("#contact-btn").unwrap();
    // A submit button outside its form (`form="contact"`) still submits `form#contact`.
    page.click("#outside").unwrap();
    let got = calls(&mut page, 6);
    assert_eq!(
        got[2..],
        [
            json!(["track", "SubmitApplication"]),
            json!(["track", "Subscribe"]),
            json!(["track", "Contact"]),
            json!(["track", "Contact"]),
        ]
    );
}

#[test]
fn hostile_strings_run_no_script_and_arrive_verbatim() {
    let (_, _, pages) = build("tests/fixtures/build/hostile.yaml");
    let evil_meta = "x\"]</script><script>window.__pwned='meta'</script>";
    let evil_text = "</script><script>window.__pwned='text'</script>";
    let evil_sel = "</script><script>window.__pwned='sel'</script>";
    let body = format!(
        r#"<button id="t"></button><button id="s" data-label="L">Contact</button>
<script>
const m = document.createElement('meta');
m.setAttribute('name', {meta});
m.setAttribute('content', 'meta-value');
document.head.appendChild(m);
document.getElementById('t').textContent = {text};
document.getElementById('s').setAttribute('data-x', {sel});
</script>"#,
        meta = js_string(evil_meta),
        text = js_string(evil_text),
        sel = js_string(evil_sel),
    );
    let server = serve([page_route("/hostile", &pages["hostile"], &body)]);
    let mut browser = launch();
    let mut page = browser.new_page(MetaMode::Recorder).unwrap();
    page.goto(&server.url("/hostile")).unwrap();
    let got = calls(&mut page, 3);
    assert_eq!(
        got[2],
        json!(["trackCustom", "</script><script>window.__pwned=1</script>", {
            "backslash": "\\'; window.__pwned='bs'; //",
            "comment": "<!-- <script> -->",
            "dquote": "\"; window.__pwned='dq'; \"",
            "label": "</script><script>window.__pwned='param'</script>",
            "meta": "meta-value",
            "quote": "'; window.__pwned='sq'; '",
            "separators": "a\u{2028}b\u{2029}c"
        }])
    );
    page.click("#t").unwrap();
    page.click("#s").unwrap();
    let got = calls(&mut page, 5);
    assert_eq!(
        got[3],
        json!(["track", "Lead", {"content_name": "\u{2028}</script>\u{2029}"}])
    );
    assert_eq!(got[4], json!(["track", "Contact", {"content_name": "L"}]));
    assert_eq!(
        page.eval("typeof window.__pwned").unwrap(),
        json!("undefined")
    );
    assert!(page.errors().is_empty(), "{:?}", page.errors());
}

#[test]
fn hostile_strings_run_no_script_in_site_wide_mode() {
    let (head, script, _) = build("tests/fixtures/build/hostile.yaml");
    let server = serve_site_wide("/hostile", &head, "", &script);
    let mut browser = launch();
    let mut page = browser.new_page(MetaMode::Recorder).unwrap();
    page.goto(&server.url("/hostile")).unwrap();
    let got = calls(&mut page, 3);
    assert_eq!(
        got[2][1],
        json!("</script><script>window.__pwned=1</script>")
    );
    assert_eq!(
        page.eval("typeof window.__pwned").unwrap(),
        json!("undefined")
    );
    assert!(page.errors().is_empty(), "{:?}", page.errors());
}

/// Main-thread cost of the snippet, from the Performance API: the inline script plus its
/// DOMContentLoaded work at load, and the delegated listener per click. Printed (run with
/// `--nocapture`) and written to `target/browser-perf.json`; never asserted on.
#[test]
fn measure_main_thread_cost() {
    let (_, _, pages) = build("examples/event-landing/tagc.yaml");
    let head = format!(
        "<meta property=\"og:title\" content=\"Congreso Web 2027\">
<script>document.addEventListener('DOMContentLoaded', () => performance.mark('dcl-a'));
window.addEventListener('click', () => performance.mark('click-a'), true);
performance.mark('snippet-a');</script>
{}
<script>performance.mark('snippet-b');
document.addEventListener('DOMContentLoaded', () => performance.mark('dcl-b'));
window.addEventListener('click', () => performance.mark('click-b'));</script>",
        pages["landing"]
    );
    let body = r#"<button class="cta"><span>Asistir presencial</span></button>"#;
    let server = serve([page_route("/congreso/2027", &head, body)]);
    let mut browser = launch();
    let mut page = browser.new_page(MetaMode::Recorder).unwrap();
    page.goto(&server.url("/congreso/2027")).unwrap();
    calls(&mut page, 3);
    let load = page
        .eval("(() => { const m = (n) => performance.getEntriesByName(n)[0].startTime; return (m('snippet-b') - m('snippet-a')) + (m('dcl-b') - m('dcl-a')); })()")
        .unwrap();
    let mut clicks = Vec::new();
    for _ in 0..20 {
        page.eval("performance.clearMarks('click-a'); performance.clearMarks('click-b')")
            .unwrap();
        page.click("button.cta").unwrap();
        let ms = page
            .eval("performance.getEntriesByName('click-b')[0].startTime - performance.getEntriesByName('click-a')[0].startTime")
            .unwrap();
        clicks.push(ms.as_f64().unwrap());
    }
    clicks.sort_by(f64::total_cmp);
    let report = json!({
        "page": "event-landing/landing",
        "load_ms": load,
        "click_ms_median": clicks[clicks.len() / 2],
        "click_ms_max": clicks[clicks.len() - 1],
        "clicks": clicks.len(),
    });
    eprintln!("main-thread cost: {report}");
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("target");
    let _ = std::fs::create_dir_all(&target);
    let _ = std::fs::write(target.join("browser-perf.json"), report.to_string());
    assert!(load.as_f64().unwrap() >= 0.0);
}

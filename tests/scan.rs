//! `tagc scan` (issue 19) against local fixture sites in real headless Chromium: the
//! binary as a user runs it, its three formats, its matching against a configuration and
//! its exit codes.
//!
//! Chromium comes from Debian's `chromium` package; set `TAGC_CHROMIUM` to use another.

#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

mod support;

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;
use support::cli::tagc;
use tagc::browser::serve::Server;

const CONFIG: &str = "examples/event-landing/tagc.yaml";

fn html(body: &str) -> (String, Vec<u8>) {
    (
        "text/html; charset=utf-8".to_owned(),
        format!("<!doctype html>\n<html lang=\"es\"><head><meta charset=\"utf-8\"><title>Congreso</title></head>\n<body>\n{body}\n</body></html>\n").into_bytes(),
    )
}

/// The Spanish landing page of the issue: a menu, the "Asistir presencial" call to
/// action, a link to the programme, the registration form and a footer.
const LANDING: &str = include_str!("data/scan/landing.html");

fn serve(body: &str) -> Server {
    Server::start(BTreeMap::from([("/".to_owned(), html(body))])).unwrap()
}

/// Runs `tagc scan URL ARGS…`: (exit code, stdout, stderr).
fn scan(url: &str, args: &[&str]) -> (i32, String, String) {
    let out = tagc().arg("scan").arg(url).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// Runs `tagc scan URL --format json ARGS…`: (exit code, the document, stderr).
fn scan_doc(url: &str, args: &[&str]) -> (i32, Value, String) {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let (code, out, errs) = scan(url, &all);
    let v = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{errs}"));
    (code, v, errs)
}

/// [`scan_doc`]'s only page.
fn scan_json(url: &str, args: &[&str]) -> (i32, Value, String) {
    let (code, v, errs) = scan_doc(url, args);
    assert_eq!(v["version"], 2, "{v:#}");
    assert_eq!(v["pages"].as_array().map(Vec::len), Some(1), "{v:#}");
    (code, v["pages"][0].clone(), errs)
}

fn element<'a>(v: &'a Value, text: &str) -> &'a Value {
    v["elements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["text"] == text)
        .unwrap_or_else(|| panic!("no element {text:?} in {v:#}"))
}

/// The server's port, which changes per run, out of a snapshot.
fn stable(text: &str, server: &Server) -> String {
    text.replace(server.url("/").trim_end_matches('/'), "http://SITE")
}

#[test]
fn spanish_landing_suggests_lead_for_asistir_presencial() {
    let server = serve(LANDING);
    let url = server.url("/");
    let (code, v, errs) = scan_json(&url, &[]);
    assert_eq!(code, 0, "{errs}");
    let attend = element(&v, "Asistir presencial");
    assert_eq!(attend["locator"]["text"], "Asistir presencial");
    assert_eq!(attend["suggestion"]["event"], "Lead");
    assert_eq!(attend["status"], "untracked");
    assert_eq!(attend["call_to_action"], true);
    let menu = element(&v, "Programa");
    assert!(
        menu["navigates"]["href"]
            .as_str()
            .unwrap()
            .ends_with("/programa")
    );
    assert_eq!(menu["call_to_action"], false);
    let form = v["elements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["tag"] == "form")
        .unwrap();
    assert_eq!(form["navigates"]["method"], "post");

    let (code, yaml, errs) = scan(&url, &["--format", "yaml"]);
    assert_eq!(code, 0, "{errs}");
    assert!(
        yaml.contains(
            "# - id: asistir-presencial\n#   text: Asistir presencial\n#   event: Lead\n"
        ),
        "{yaml}"
    );
    // Every line is a comment, and uncommented it is a YAML list of buttons.
    assert!(yaml.lines().all(|l| l.starts_with('#')), "{yaml}");
    insta::assert_snapshot!("scan_landing_yaml", stable(&yaml, &server));

    let (code, human, errs) = scan(&url, &[]);
    assert_eq!(code, 0, "{errs}");
    insta::assert_snapshot!("scan_landing_human", stable(&human, &server));
}

#[test]
fn uncommented_yaml_entries_load_as_buttons() {
    let server = serve(LANDING);
    let (code, yaml, errs) = scan(&server.url("/"), &["--format", "yaml"]);
    assert_eq!(code, 0, "{errs}");
    let body: String = yaml
        .lines()
        .filter(|l| l.starts_with("# - ") || l.starts_with("#   "))
        .filter(|l| !l.contains("event: ?") && !l.trim_start_matches('#').trim().starts_with('#'))
        .map(|l| format!("{}\n", &l[2..]))
        .collect();
    let buttons: Vec<BTreeMap<String, String>> = serde_yaml_ng_or_json(&body);
    assert!(
        buttons.iter().any(
            |b| b.get("text").map(String::as_str) == Some("Asistir presencial")
                && b.get("event").map(String::as_str) == Some("Lead")
        ),
        "{body}"
    );
}

/// Reads a block sequence of flat mappings with tagc's own YAML loader.
fn serde_yaml_ng_or_json(text: &str) -> Vec<BTreeMap<String, String>> {
    let doc = tagc::load::yaml::parse(tagc::source::FileId(0), text, tagc::load::Limits::default())
        .unwrap_or_else(|e| panic!("{e:?}\n{text}"));
    serde_json::from_value(doc.value).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

#[test]
fn with_the_example_config_the_landing_is_tracked_by_attend_and_register() {
    let server = serve(LANDING);
    let (code, v, errs) = scan_json(&server.url("/"), &["--config", CONFIG]);
    assert_eq!(code, 0, "{errs}");
    assert_eq!(v["config_page"]["id"], "landing");
    assert_eq!(v["env"], "production");
    let attend = element(&v, "Asistir presencial");
    assert_eq!(attend["status"], "tracked");
    assert_eq!(attend["tracked_by"][0]["button"], "attend");
    assert_eq!(attend["tracked_by"][0]["event"], "Lead");
    // The form's submit control is inside `form#registro`: the runtime fires on it.
    let submit = element(&v, "Inscribirse");
    assert_eq!(submit["status"], "tracked");
    assert_eq!(submit["tracked_by"][0]["button"], "register");
    assert_eq!(submit["tracked_by"][0]["on"], "submit");
    assert_eq!(element(&v, "Programa")["status"], "untracked");
    assert_eq!(v["missing"], serde_json::json!([]));
    // Tracked elements get no suggestion entry.
    let (_, yaml, _) = scan(&server.url("/"), &["--config", CONFIG, "--format", "yaml"]);
    assert!(!yaml.contains("Asistir presencial"), "{yaml}");
    assert!(
        yaml.contains("# untracked elements of page `landing`"),
        "{yaml}"
    );
}

#[test]
fn a_text_on_two_elements_is_ambiguous_against_a_config_that_uses_it() {
    let body = r#"<main>
  <button type="button">Asistir presencial</button>
  <section><a href="/entradas">Asistir presencial</a></section>
</main>"#;
    let server = serve(body);
    let (code, v, errs) = scan_json(&server.url("/"), &["--config", CONFIG]);
    assert_eq!(code, 0, "{errs}");
    let both: Vec<&Value> = v["elements"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["text"] == "Asistir presencial")
        .collect();
    assert_eq!(both.len(), 2, "{v:#}");
    for e in both {
        assert_eq!(e["status"], "ambiguous", "{e:#}");
        assert_eq!(e["tracked_by"][0]["button"], "attend");
    }
    // No form on this page: the configured `register` is not found.
    assert_eq!(v["missing"][0]["button"], "register", "{v:#}");
    let (_, human, _) = scan(&server.url("/"), &["--config", CONFIG]);
    assert!(
        human.contains("configured but not found: register (Lead) form#registro"),
        "{human}"
    );
    // --fail-on ambiguous and --fail-on missing each fail here, naming what holds.
    let (code, _, errs) = scan(
        &server.url("/"),
        &["--config", CONFIG, "--fail-on", "ambiguous"],
    );
    assert_eq!(code, 1, "{errs}");
    assert!(
        errs.contains("2 ambiguous element(s), a configured button firing on several: `Asistir presencial (attend)`"),
        "{errs}"
    );
    assert!(!errs.contains("register"), "{errs}");
    let (code, _, errs) = scan(
        &server.url("/"),
        &["--config", CONFIG, "--fail-on", "missing"],
    );
    assert_eq!(code, 1, "{errs}");
    assert!(
        errs.contains("1 configured button(s) found on no element: `register`"),
        "{errs}"
    );
    // On the landing every configured button is found, once.
    let landing = serve(LANDING);
    let (code, _, errs) = scan(
        &landing.url("/"),
        &[
            "--config",
            CONFIG,
            "--fail-on",
            "ambiguous",
            "--fail-on",
            "missing",
        ],
    );
    assert_eq!(code, 0, "{errs}");
}

#[test]
fn a_button_rendered_one_second_after_load_is_found() {
    let body = r#"<main id="app"><p>Cargando…</p></main>
<script>
setTimeout(() => {
  const b = document.createElement('button');
  b.textContent = 'Comprar entradas';
  document.getElementById('app').append(b);
}, 1000);
</script>"#;
    let server = serve(body);
    let (code, v, errs) = scan_json(&server.url("/"), &[]);
    assert_eq!(code, 0, "{errs}");
    assert_eq!(v["settled"], true);
    let late = element(&v, "Comprar entradas");
    assert_eq!(late["suggestion"]["event"], "InitiateCheckout");
    // Without the extra delay the scan is taken before the button exists.
    let (_, v, _) = scan_json(&server.url("/"), &["--settle-ms", "0"]);
    assert!(
        v["elements"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["text"] != "Comprar entradas"),
        "{v:#}"
    );
}

#[test]
fn fail_on_untracked_fails_only_for_calls_to_action() {
    let server = serve(LANDING);
    let url = server.url("/");
    let (code, _, errs) = scan(&url, &["--fail-on", "untracked"]);
    assert_eq!(code, 1, "{errs}");
    assert!(errs.contains("`Asistir presencial`"), "{errs}");
    assert!(
        !errs.contains("`Programa`"),
        "menu links never fail: {errs}"
    );
    // Tracked by the configuration: nothing left to fail on (menu links remain untracked).
    let (code, _, errs) = scan(&url, &["--config", CONFIG, "--fail-on", "untracked"]);
    assert_eq!(code, 0, "{errs}");
    // Ignored: the hero holds every call to action.
    let (code, v, errs) = scan_json(&url, &["--fail-on", "untracked", "--ignore", ".hero"]);
    assert_eq!(code, 0, "{errs}");
    assert_eq!(element(&v, "Asistir presencial")["status"], "ignored");
    // A page of links only never fails.
    let links = serve(r#"<nav><a href="/a">Inicio</a> <a href="/b">Blog</a></nav>"#);
    let (code, _, errs) = scan(&links.url("/"), &["--fail-on", "untracked"]);
    assert_eq!(code, 0, "{errs}");
}

#[test]
fn bad_input_exits_2_with_a_clear_message() {
    let (code, out, errs) = scan("http://127.0.0.1:1/", &[]);
    assert_eq!(code, 2, "{out}{errs}");
    assert!(
        errs.contains("error: cannot load http://127.0.0.1:1/") && errs.contains("ERR_"),
        "{errs}"
    );
    assert!(out.is_empty());

    let server = Server::start(BTreeMap::from([
        ("/".to_owned(), html(LANDING)),
        (
            "/api".to_owned(),
            ("application/json".to_owned(), b"{\"ok\": true}".to_vec()),
        ),
    ]))
    .unwrap();
    let (code, _, errs) = scan(&server.url("/api"), &[]);
    assert_eq!(code, 2, "{errs}");
    assert!(
        errs.contains("is not an HTML page (application/json)"),
        "{errs}"
    );

    let (code, _, errs) = scan(&server.url("/missing"), &[]);
    assert_eq!(code, 2, "{errs}");
    assert!(errs.contains("answered HTTP 404"), "{errs}");

    let (code, _, errs) = scan(&server.url("/"), &["--ignore", "a["]);
    assert_eq!(code, 2, "{errs}");
    assert!(errs.contains("--ignore `a[`"), "{errs}");

    let (code, _, errs) = scan("ftp://example.com/", &[]);
    assert_eq!(code, 2, "{errs}");

    // A configuration with errors: diagnostics, exit 1 (as `tagc build`), no browser.
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("tagc.yaml");
    std::fs::write(&bad, "pages: 3\n").unwrap();
    let (code, out, errs) = scan(&server.url("/"), &["--config", bad.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}{errs}");
    assert!(errs.contains("the configuration has errors"), "{errs}");
}

#[test]
fn json_validates_against_the_committed_schema() {
    let server = serve(LANDING);
    let (code, v, errs) = scan_doc(&server.url("/"), &["--config", CONFIG]);
    assert_eq!(code, 0, "{errs}");
    assert_valid(&v);
}

/// Fails unless `v` validates against the committed `schema/scan.schema.json`.
fn assert_valid(v: &Value) {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join(tagc::scan::report::SCHEMA_PATH),
        )
        .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(v).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

/// A page that polls forever is never quiet: it is scanned as it is at `--timeout`, and
/// the report says so.
#[test]
fn a_page_that_never_settles_is_scanned_as_it_is() {
    let body = r#"<button type="button">Suscribirse</button>
<script>setInterval(() => fetch('/poll?' + Date.now()).catch(() => {}), 100);</script>"#;
    let server = serve(body);
    let started = std::time::Instant::now();
    let (code, v, errs) = scan_json(&server.url("/"), &["--timeout", "3"]);
    assert_eq!(code, 0, "{errs}");
    assert_eq!(v["settled"], false, "{v:#}");
    assert_eq!(
        element(&v, "Suscribirse")["suggestion"]["event"],
        "Subscribe"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    let (_, human, _) = scan(&server.url("/"), &["--timeout", "3"]);
    assert!(
        human.contains("note: the network never went quiet"),
        "{human}"
    );
}

/// A selector over a grid of alike buttons is meant: tracked, not ambiguous; a `text:`
/// on two different elements is ambiguous; a click on a span inside a tracked button is
/// the button's.
#[test]
fn a_selector_over_alike_buttons_is_tracked_and_a_shared_text_is_not() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("tagc.yaml");
    std::fs::write(
        &config,
        r#"pixels:
  - name: main
    ids:
      production: "123456789012345"
consent: none
pages:
  - id: shop
    url: /
    buttons:
      - id: add
        selector: .card .add
        event: AddToCart
      - id: info
        text: Más información
        event: Contact
"#,
    )
    .unwrap();
    let body = r#"<main>
  <div class="card" data-id="1"><button class="add"><span>Añadir al carrito</span></button><a href="/p/1">Más información</a></div>
  <div class="card" data-id="2"><button class="add"><span>Añadir al carrito</span></button><a href="/p/2">Más información</a></div>
  <div class="card" data-id="3"><button class="add"><span>Añadir al carrito</span></button><a href="/p/3">Ver</a></div>
</main>"#;
    let server = serve(body);
    let (code, v, errs) = scan_json(&server.url("/"), &["--config", config.to_str().unwrap()]);
    assert_eq!(code, 0, "{errs}");
    let els = v["elements"].as_array().unwrap();
    let adds: Vec<&Value> = els
        .iter()
        .filter(|e| e["text"] == "Añadir al carrito")
        .collect();
    assert_eq!(adds.len(), 3, "{v:#}");
    for a in adds {
        assert_eq!(a["status"], "tracked", "{a:#}");
        assert_eq!(a["tracked_by"][0]["button"], "add");
    }
    let infos: Vec<&Value> = els
        .iter()
        .filter(|e| e["text"] == "Más información")
        .collect();
    assert_eq!(infos.len(), 2);
    assert!(infos.iter().all(|e| e["status"] == "ambiguous"), "{v:#}");
    assert_eq!(element(&v, "Ver")["status"], "untracked");
    assert_eq!(v["summary"]["ambiguous"], 2);
}

/// Writes `yaml` as `tagc.yaml` in a new directory; the directory lives as long as the
/// guard.
fn config_file(yaml: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tagc.yaml");
    std::fs::write(&path, yaml).unwrap();
    (dir, path.to_str().unwrap().to_owned())
}

/// Runs `tagc scan ARGS…` (no URL): (exit code, stdout, stderr).
fn scan_args(args: &[&str]) -> (i32, String, String) {
    let out = tagc().arg("scan").args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

const ALL_CONFIG: &str = r##"pixels:
  - name: main
    ids:
      production: "123456789012345"
consent: none
pages:
  - id: home
    url: /
    buttons:
      - id: attend
        text: Asistir presencial
        event: Lead
  - id: shop
    url: /tienda/{slug}
    verify:
      urls: [/tienda/zapatos]
      before:
        - click: "#abrir"
    buttons:
      - id: add
        text: Añadir al carrito
        event: AddToCart
      - id: wishlist
        selector: "#favoritos"
        event: AddToWishlist
  - id: product
    url: /p/{slug}
"##;

/// `--all` loads each page's example path (`verify.urls`, else the literal pattern) and
/// performs its `verify.before` steps; a page with neither is skipped with `tagc
/// verify`'s sentence; `--fail-on missing` looks at every page.
#[test]
fn all_walks_pages_with_example_urls_and_skips_the_rest() {
    let server = Server::start(BTreeMap::from([
        (
            "/".to_owned(),
            html(r#"<main><button type="button">Asistir presencial</button></main>"#),
        ),
        (
            "/tienda/zapatos".to_owned(),
            html(
                r#"<main><button id="abrir" type="button">Ver opciones</button>
<div id="modal" style="display: none"><button type="button">Añadir al carrito</button></div></main>
<script>document.getElementById('abrir').addEventListener('click', () => { document.getElementById('modal').style.display = 'block'; });</script>"#,
            ),
        ),
    ]))
    .unwrap();
    let (_dir, config) = config_file(ALL_CONFIG);
    let base = server.url("/");
    let common = ["--all", "--config", &config, "--settle-ms", "200"];
    let mut args = common.to_vec();
    args.extend(["--base-url", &base, "--format", "json"]);
    let (code, out, errs) = scan_args(&args);
    assert_eq!(code, 0, "{errs}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_valid(&v);
    assert_eq!(v["base_url"], base.as_str());
    let pages = v["pages"].as_array().unwrap();
    assert_eq!(pages.len(), 2, "{v:#}");
    assert_eq!(pages[0]["example_of"], "home");
    assert_eq!(pages[0]["config_page"]["id"], "home");
    assert_eq!(
        element(&pages[0], "Asistir presencial")["status"],
        "tracked"
    );
    assert_eq!(pages[1]["example_of"], "shop");
    assert_eq!(pages[1]["config_page"]["id"], "shop");
    assert!(
        pages[1]["final_url"]
            .as_str()
            .unwrap()
            .ends_with("/tienda/zapatos")
    );
    // The page's `verify.before` step opened the modal: its button is visible and tracked.
    assert_eq!(pages[1]["steps"], serde_json::json!(["clicking `#abrir`"]));
    let add = element(&pages[1], "Añadir al carrito");
    assert_eq!(add["visible"], true, "{add:#}");
    assert_eq!(add["status"], "tracked");
    assert_eq!(pages[1]["missing"][0]["button"], "wishlist");
    let skipped = v["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 1, "{v:#}");
    assert_eq!(skipped[0]["page"], "product");
    assert_eq!(
        skipped[0]["reason"],
        "not verifiable on a real site: every URL pattern of page `product` (/p/{slug}) has parameters or wildcards, and it has no `verify.urls` to load (tagc never invents a path); add `verify: {urls: [/a/real/path]}` to the page"
    );
    assert_eq!(v["errors"], serde_json::json!([]));

    // The human output: a header per page, the skipped page, the totals.
    let mut args = common.to_vec();
    args.extend(["--base-url", &base, "--fail-on", "missing"]);
    let (code, human, errs) = scan_args(&args);
    assert_eq!(code, 1, "{human}{errs}");
    assert!(errs.contains("`wishlist` (page `shop`)"), "{errs}");
    assert!(
        human.contains("== page `home`") && human.contains("== page `shop`"),
        "{human}"
    );
    assert!(
        human.contains("skipped page `product`: not verifiable on a real site"),
        "{human}"
    );
    assert!(
        human.contains("2 page(s) scanned · 1 skipped · 0 could not be scanned"),
        "{human}"
    );

    // No base URL: neither --base-url nor `site.url`.
    let (code, out, errs) = scan_args(&common);
    assert_eq!(code, 2, "{out}{errs}");
    assert!(errs.contains("--all needs the site's address"), "{errs}");
    // --all needs --config; a URL and --all exclude each other.
    let (code, _, errs) = scan_args(&["--all"]);
    assert_eq!(code, 2, "{errs}");
    let (code, _, errs) = scan_args(&[&base, "--all", "--config", &config]);
    assert_eq!(code, 2, "{errs}");
}

/// A page of `--all` that cannot be loaded is reported, the walk goes on, and the exit
/// status says a page could not be scanned.
#[test]
fn all_reports_a_page_it_could_not_load_and_exits_2() {
    let server = serve(r#"<button type="button">Asistir presencial</button>"#);
    let config = ALL_CONFIG.replace(
        "consent: none\n",
        &format!(
            "consent: none\nsite:\n  url: {}\n",
            server.url("/").trim_end_matches('/')
        ),
    );
    let (_dir, config) = config_file(&config);
    let (code, out, errs) = scan_args(&[
        "--all",
        "--config",
        &config,
        "--settle-ms",
        "0",
        "--format",
        "json",
    ]);
    assert_eq!(code, 2, "{errs}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_valid(&v);
    assert_eq!(v["pages"].as_array().unwrap().len(), 1, "{v:#}");
    assert_eq!(v["errors"][0]["page"], "shop");
    assert!(
        v["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("answered HTTP 404"),
        "{v:#}"
    );
    assert!(errs.contains("could not scan page `shop`"), "{errs}");
}

#[test]
fn a_keywords_file_replaces_the_defaults_and_a_bad_one_names_its_line() {
    let server = serve(
        r#"<button type="button">Asistir presencial</button> <button type="button">Reservar mesa</button>"#,
    );
    let url = server.url("/");
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("kw.yaml");
    std::fs::write(&good, "# mis palabras\nSchedule: [reservar mesa]\n").unwrap();
    let (code, v, errs) = scan_json(
        &url,
        &["--keywords", good.to_str().unwrap(), "--settle-ms", "0"],
    );
    assert_eq!(code, 0, "{errs}");
    assert_eq!(
        element(&v, "Reservar mesa")["suggestion"]["event"],
        "Schedule"
    );
    // The defaults are gone: "Asistir" suggests nothing now.
    assert_eq!(element(&v, "Asistir presencial")["suggestion"], Value::Null);
    // With the defaults it is the other way round.
    let (_, v, _) = scan_json(&url, &["--settle-ms", "0"]);
    assert_eq!(
        element(&v, "Asistir presencial")["suggestion"]["event"],
        "Lead"
    );
    assert_eq!(element(&v, "Reservar mesa")["suggestion"], Value::Null);

    let bad = dir.path().join("bad.yaml");
    std::fs::write(&bad, "Lead: [asistir]\nLeed: [inscribirse]\n").unwrap();
    let (code, out, errs) = scan(&url, &["--keywords", bad.to_str().unwrap()]);
    assert_eq!(code, 2, "{out}{errs}");
    assert!(
        errs.contains(&format!(
            "{}:2: `Leed` is not a standard Meta event",
            bad.display()
        )),
        "{errs}"
    );
    assert!(out.is_empty());
    let (code, _, errs) = scan(
        &url,
        &["--keywords", dir.path().join("none.yaml").to_str().unwrap()],
    );
    assert_eq!(code, 2, "{errs}");
    assert!(errs.contains("cannot read --keywords"), "{errs}");
}

/// A button rendered when the bottom of the page comes into view is found by the scroll
/// pass, and missed with `--no-scroll`.
#[test]
fn a_button_rendered_when_scrolled_into_view_is_found_by_the_scroll_pass() {
    let body = r#"<main><h1>Congreso</h1><div style="height: 4000px"></div><div id="end"></div></main>
<script>
new IntersectionObserver((entries, o) => {
  if (!entries.some((e) => e.isIntersecting)) return;
  o.disconnect();
  const b = document.createElement('button');
  b.textContent = 'Suscribirse';
  document.getElementById('end').append(b);
}).observe(document.getElementById('end'));
</script>"#;
    let server = serve(body);
    let url = server.url("/");
    let (code, v, errs) = scan_json(&url, &["--settle-ms", "200"]);
    assert_eq!(code, 0, "{errs}");
    assert_eq!(v["scrolled"], true);
    assert_eq!(
        element(&v, "Suscribirse")["suggestion"]["event"],
        "Subscribe"
    );
    let (code, v, errs) = scan_json(&url, &["--settle-ms", "200", "--no-scroll"]);
    assert_eq!(code, 0, "{errs}");
    assert_eq!(v["scrolled"], false);
    assert!(
        v["elements"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["text"] != "Suscribirse"),
        "{v:#}"
    );
}

const CONSENT_PAGE: &str = r#"<div id="banner" style="position: fixed; inset: 0; background: #fff">
  <p>Usamos cookies.</p>
  <button id="aceptar" type="button">Aceptar</button>
  <button id="configurar" type="button">Configurar cookies</button>
</div>
<main id="contenido" style="display: none"><button type="button">Comprar entradas</button></main>
<script>
document.getElementById('aceptar').addEventListener('click', () => {
  document.getElementById('banner').remove();
  document.getElementById('contenido').style.display = 'block';
});
</script>"#;

const CONSENT_CONFIG: &str = r##"site:
  verify:
    consent: {click: "#aceptar"}
pixels:
  - name: main
    ids:
      production: "123456789012345"
consent: required
pages:
  - id: home
    url: /
"##;

/// The configuration's consent step is performed before the inventory: the banner's
/// buttons are gone, and what it hid is listed.
#[test]
fn the_consent_step_dismisses_the_banner_before_the_inventory() {
    let server = serve(CONSENT_PAGE);
    let url = server.url("/");
    let (_dir, config) = config_file(CONSENT_CONFIG);
    let (code, v, errs) = scan_json(&url, &["--config", &config, "--settle-ms", "200"]);
    assert_eq!(code, 0, "{errs}");
    assert_eq!(v["steps"], serde_json::json!(["clicking `#aceptar`"]));
    let buy = element(&v, "Comprar entradas");
    assert_eq!(buy["visible"], true, "{buy:#}");
    assert_eq!(buy["suggestion"]["event"], "InitiateCheckout");
    assert!(
        v["elements"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["text"] != "Configurar cookies"),
        "{v:#}"
    );
    let (code, yaml, errs) = scan(
        &url,
        &[
            "--config",
            &config,
            "--settle-ms",
            "200",
            "--format",
            "yaml",
        ],
    );
    assert_eq!(code, 0, "{errs}");
    assert!(!yaml.contains("Configurar"), "{yaml}");
    assert!(yaml.contains("#   text: Comprar entradas"), "{yaml}");

    // Without the step the banner is what a visitor sees: its buttons are suggested, the
    // page behind it is hidden.
    let (code, yaml, errs) = scan(&url, &["--settle-ms", "200", "--format", "yaml"]);
    assert_eq!(code, 0, "{errs}");
    assert!(yaml.contains("#   text: Configurar cookies"), "{yaml}");
    assert!(!yaml.contains("Comprar entradas"), "{yaml}");

    // A consent step that cannot be performed is an error, naming the step.
    let (_dir2, broken) = config_file(&CONSENT_CONFIG.replace("#aceptar", "#aceptar-todo"));
    let (code, out, errs) = scan(&url, &["--config", &broken, "--timeout", "3"]);
    assert_eq!(code, 2, "{out}{errs}");
    assert!(
        errs.contains(
            "accepting the consent banner (site.verify.consent), clicking `#aceptar-todo`, failed"
        ),
        "{errs}"
    );
}

/// The pixel calls the page makes by itself (Meta's base code, a `Lead` on load) are
/// reported: with tagc's snippet too, they would be counted twice.
#[test]
fn the_pages_own_fbq_calls_are_reported() {
    let body = r#"<button type="button">Asistir presencial</button>
<script>
!function(f,b,e,v,n,t,s){if(f.fbq)return;n=f.fbq=function(){n.callMethod?
n.callMethod.apply(n,arguments):n.queue.push(arguments)};if(!f._fbq)f._fbq=n;
n.push=n;n.loaded=!0;n.version='2.0';n.queue=[];t=b.createElement(e);t.async=!0;
t.src=v;s=b.getElementsByTagName(e)[0];s.parentNode.insertBefore(t,s)}(window,
document,'script','https://connect.facebook.net/en_US/fbevents.js');
fbq('init', '111111111111111');
fbq('track', 'PageView');
fbq('track', 'Lead', {content_name: 'Congreso'});
</script>"#;
    let server = serve(body);
    let url = server.url("/");
    let (code, v, errs) = scan_json(&url, &["--settle-ms", "200"]);
    assert_eq!(code, 0, "{errs}");
    let calls = &v["page_calls"];
    assert_eq!(calls["pixel_ids"], serde_json::json!(["111111111111111"]));
    assert_eq!(calls["events"], serde_json::json!(["PageView", "Lead"]));
    assert_eq!(
        calls["calls"][2],
        serde_json::json!(["track", "Lead", {"content_name": "Congreso"}])
    );
    let (_, human, _) = scan(&url, &["--settle-ms", "200"]);
    assert!(
        human.contains(
            "the page's own fbq calls: init 111111111111111 · track PageView · track Lead"
        ),
        "{human}"
    );
}

#[test]
fn the_page_is_laid_out_for_the_viewport_and_boxes_are_reported() {
    let body = r#"<style>
.phone { display: none } @media (max-width: 600px) { .phone { display: inline-block } .desk { display: none } }
</style>
<style>.wide { display: none } @media (min-width: 1200px) { .wide { display: inline-block } }</style>
<button class="wide">Reservar</button>
<button class="desk" style="position: absolute; left: 700px; top: 50px; width: 120px; height: 30px">Contactar</button>
<button class="phone">Llamar</button>"#;
    let server = serve(body);
    // The default window is 1280×800: the desktop button at x = 700 is on screen.
    let (code, v, errs) = scan_json(&server.url("/"), &["--settle-ms", "0", "--no-scroll"]);
    assert_eq!(code, 0, "{errs}");
    let desk = element(&v, "Contactar");
    assert_eq!(desk["visible"], true);
    assert_eq!(
        desk["rect"],
        serde_json::json!({"x": 700.0, "y": 50.0, "width": 120.0, "height": 30.0})
    );
    assert_eq!(element(&v, "Llamar")["visible"], false);
    // Laid out wider than headless Chromium's own 800 px window.
    assert_eq!(element(&v, "Reservar")["visible"], true);
    // A phone's window: the media query swaps them.
    let (code, v, errs) = scan_json(
        &server.url("/"),
        &["--settle-ms", "0", "--no-scroll", "--viewport", "390x844"],
    );
    assert_eq!(code, 0, "{errs}");
    assert_eq!(element(&v, "Contactar")["visible"], false);
    assert_eq!(element(&v, "Llamar")["visible"], true);
    for bad in ["390", "10x10", "axb"] {
        let (code, _, errs) = scan(&server.url("/"), &["--viewport", bad]);
        assert_eq!(code, 2, "{bad}: {errs}");
        assert!(errs.contains("--viewport"), "{errs}");
    }
}

#[test]
fn a_grid_of_untracked_alike_buttons_is_one_yaml_entry_with_its_group_selector() {
    let cards: String = (1..=6)
        .map(|i| {
            format!(
                r#"<div class="product-card" data-id="sku-{i}"><h3>Producto {i}</h3><button class="add">Añadir al carrito</button></div>"#
            )
        })
        .collect();
    let server = serve(&format!(
        r#"<main>{cards}</main><a href="/carrito">Ver carrito</a>"#
    ));
    let args = ["--settle-ms", "0", "--no-scroll"];
    let (code, v, errs) = scan_json(&server.url("/"), &args);
    assert_eq!(code, 0, "{errs}");
    let adds: Vec<&Value> = v["elements"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["text"] == "Añadir al carrito")
        .collect();
    assert_eq!(adds.len(), 6);
    for e in &adds {
        // `button.add` alone is exact here; the cards still name their attribute.
        assert_eq!(e["group"]["selector"], "button.add");
        assert_eq!(e["group"]["container"], ".product-card");
        assert_eq!(e["group"]["count"], 6);
        assert_eq!(e["group"]["closest_attribute"], "data-id");
    }
    let (code, yaml, errs) = scan(
        &server.url("/"),
        &[&args[..], &["--format", "yaml"]].concat(),
    );
    assert_eq!(code, 0, "{errs}");
    assert_eq!(yaml.matches("event: AddToCart").count(), 1, "{yaml}");
    assert!(yaml.contains("#   selector: button.add\n"), "{yaml}");
    assert!(
        yaml.contains(r#"{from: attribute, name: data-id, closest: ".product-card"}"#),
        "{yaml}"
    );
    // The link is still its own entry.
    assert!(yaml.contains("#   text: Ver carrito\n"), "{yaml}");
}

#[test]
fn elements_without_a_locator_are_matched_as_listed_not_by_text() {
    // Two shadow roots hold the same card: no locator can tell their buttons apart
    // (queries run per root), yet the configured selector fires on both.
    let (_dir, config) = config_file(
        r#"pixels:
  - name: main
    ids:
      production: "123456789012345"
consent: none
pages:
  - id: shop
    url: /
    buttons:
      - id: add
        selector: .card .add
        event: AddToCart
"#,
    );
    let body = r#"<div class="host"></div><div class="host"></div>
<script>for (const h of document.querySelectorAll('.host')) h.attachShadow({mode: 'open'}).innerHTML = '<div class="card"><button class="add">Añadir</button></div>';</script>"#;
    let server = serve(body);
    let (code, v, errs) = scan_json(
        &server.url("/"),
        &["--config", &config, "--settle-ms", "0", "--no-scroll"],
    );
    assert_eq!(code, 0, "{errs}");
    let adds: Vec<&Value> = v["elements"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["text"] == "Añadir")
        .collect();
    assert_eq!(adds.len(), 2, "{v:#}");
    for a in adds {
        assert_eq!(a["locator"], Value::Null, "{a:#}");
        assert_eq!(a["status"], "tracked", "{a:#}");
    }
}

#[test]
fn all_urls_scans_every_example_path_of_a_page() {
    let (_dir, config) = config_file(
        r#"pixels:
  - name: main
    ids:
      production: "123456789012345"
consent: none
pages:
  - id: product
    url: /p/{slug}
    verify:
      urls: [/p/camisa, /p/zapatos]
    buttons:
      - id: buy
        text: Comprar
        event: InitiateCheckout
"#,
    );
    let server = Server::start(BTreeMap::from([
        ("/p/camisa".to_owned(), html("<button>Comprar</button>")),
        (
            "/p/zapatos".to_owned(),
            html("<button>Comprar ahora</button>"),
        ),
    ]))
    .unwrap();
    let base = server.url("/");
    let common = [
        "--all",
        "--config",
        &config,
        "--base-url",
        &base,
        "--settle-ms",
        "0",
        "--no-scroll",
        "--format",
        "json",
    ];
    let (code, out, errs) = scan_args(&common);
    assert_eq!(code, 0, "{errs}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["pages"].as_array().unwrap().len(), 1, "{v:#}");
    let mut every = common.to_vec();
    every.extend(["--all-urls", "--fail-on", "missing"]);
    let (code, out, errs) = scan_args(&every);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_valid(&v);
    let pages = v["pages"].as_array().unwrap();
    assert_eq!(pages.len(), 2, "{v:#}");
    assert!(
        pages[1]["final_url"]
            .as_str()
            .unwrap()
            .ends_with("/p/zapatos")
    );
    assert!(pages.iter().all(|p| p["example_of"] == "product"));
    // The second product names its button differently: `buy` is missing there.
    assert_eq!(pages[1]["missing"][0]["button"], "buy", "{v:#}");
    assert_eq!(code, 1, "{errs}");
    // Without --all it is a usage error.
    let (code, _, errs) = scan_args(&["--all-urls", "--config", &config, &base]);
    assert_eq!(code, 2, "{errs}");
}

#[test]
fn within_entries_in_the_yaml_check_as_a_configuration() {
    let server = serve(
        r#"<section id="planes">
  <div data-testid="plan-basic"><h3>Básico</h3><a href="/p/basic">Suscribirse</a></div>
  <div data-testid="plan-pro"><h3>Pro</h3><a href="/p/pro">Suscribirse</a></div>
</section>"#,
    );
    let (code, yaml, errs) = scan(
        &server.url("/"),
        &["--format", "yaml", "--settle-ms", "0", "--no-scroll"],
    );
    assert_eq!(code, 0, "{errs}");
    assert!(
        yaml.contains("#   text: Suscribirse\n#   within: \"[data-testid=\\\"plan-pro\\\"]\"\n"),
        "{yaml}"
    );
    // Uncommented under a page's `buttons:`, the entries are a configuration `check` accepts.
    let entries: String = yaml
        .lines()
        .filter(|l| l.starts_with("# - ") || l.starts_with("#   "))
        .filter(|l| !l.trim_start_matches('#').trim().starts_with('#'))
        .map(|l| format!("      {}\n", &l[2..]))
        .collect();
    let (_dir, config) = config_file(&format!(
        "pixels:\n  - name: main\n    ids:\n      production: \"123456789012345\"\nconsent: none\npages:\n  - id: planes\n    url: /\n    buttons:\n{entries}"
    ));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tagc"))
        .args(["check", &config])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}\n{entries}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Scanned against it, both plans are tracked, each by its own button.
    let (code, v, errs) = scan_json(
        &server.url("/"),
        &["--config", &config, "--settle-ms", "0", "--no-scroll"],
    );
    assert_eq!(code, 0, "{errs}");
    let subs: Vec<&Value> = v["elements"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["text"] == "Suscribirse")
        .collect();
    assert_eq!(subs.len(), 2);
    assert!(subs.iter().all(|e| e["status"] == "tracked"), "{v:#}");
    assert_ne!(
        subs[0]["tracked_by"][0]["button"],
        subs[1]["tracked_by"][0]["button"]
    );
}

#[test]
fn a_lazy_section_that_waits_before_rendering_is_found_after_the_scroll() {
    // A debounced lazy loader: nothing changes for 300 ms after the section comes into
    // view (no mutation, no request), then it renders. No scroll step can see it coming;
    // the settling after the scroll pass must.
    let body = r#"<main><h1>Congreso</h1><div style="height: 3000px"></div><div id="lazy"></div></main>
<script>
new IntersectionObserver((entries, o) => {
  if (!entries.some((e) => e.isIntersecting)) return;
  o.disconnect();
  setTimeout(() => {
    const b = document.createElement('button');
    b.textContent = 'Inscribirse';
    document.getElementById('lazy').append(b);
  }, 300);
}).observe(document.getElementById('lazy'));
</script>"#;
    let server = serve(body);
    let (code, v, errs) = scan_json(&server.url("/"), &["--settle-ms", "500"]);
    assert_eq!(code, 0, "{errs}");
    assert_eq!(v["scrolled"], true);
    assert_eq!(element(&v, "Inscribirse")["suggestion"]["event"], "Lead");
}

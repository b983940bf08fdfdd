//! `tagc::browser` itself, in real headless Chromium: text clicks, form submission, the
//! capture of pixel requests, deadlines, a missing browser, and one browser serving many
//! pages.
//!
//! Chromium comes from Debian's `chromium` package; set `TAGC_CHROMIUM` to use another.

#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::json;
use tagc::browser::serve::Server;
use tagc::browser::{Browser, BrowserError, LaunchOptions, MetaMode};

const WAIT: Duration = Duration::from_secs(5);

fn html_page(body: &str) -> (String, Vec<u8>) {
    (
        "text/html; charset=utf-8".to_owned(),
        format!("<!doctype html>\n<html><head><meta charset=\"utf-8\"></head>\n<body>\n{body}\n</body></html>\n").into_bytes(),
    )
}

fn launch() -> Browser {
    Browser::launch(&LaunchOptions::default()).unwrap_or_else(|e| panic!("{e}"))
}

/// Every click the page sees: the id of the closest element with one, and whether the
/// event came from real input.
const CLICK_LOG: &str = r#"<script>
window.__clicks = [];
document.addEventListener('click', (e) => {
  const t = e.target.closest('[id]');
  window.__clicks.push([t ? t.id : null, e.isTrusted]);
});
</script>"#;

#[test]
fn click_text_clicks_the_innermost_visible_match_with_real_input() {
    let body = format!(
        r#"{CLICK_LOG}
<div id="hidden" style="display:none"><button id="h">Comprar ahora</button></div>
<section id="a"><button id="a-buy"><span id="a-span">  Comprar
   ahora </span></button></section>
<section id="b"><button id="b-buy">Comprar ahora</button><button id="b-other">Comprar</button></section>
<div style="height: 3000px"></div>
<input type="submit" id="far" value="Enviar   pedido">"#
    );
    let server = Server::start(BTreeMap::from([("/".to_owned(), html_page(&body))])).unwrap();
    let mut browser = launch();
    let mut page = browser.new_page(MetaMode::Recorder).unwrap();
    page.goto(&server.url("/")).unwrap();

    page.click_text("Comprar ahora", None).unwrap();
    page.click_text(" Comprar\nahora", Some("#b")).unwrap();
    page.click_text("Comprar", Some("#b")).unwrap();
    // Below the fold: scrolled into view first; a button input matches by its value.
    page.click_text("Enviar pedido", None).unwrap();
    assert_eq!(
        page.eval("window.__clicks").unwrap(),
        json!([
            ["a-span", true],
            ["b-buy", true],
            ["b-other", true],
            ["far", true]
        ])
    );

    let err = page.click_text("Comprar ahora", Some("#nope")).unwrap_err();
    assert!(matches!(err, BrowserError::NoElement { .. }), "{err}");
    let err = page.click_text("Vender", None).unwrap_err();
    assert!(matches!(err, BrowserError::NoText { .. }), "{err}");
    assert_eq!(
        err.to_string(),
        "no visible element has the text \"Vender\""
    );
    let err = page.click("#h").unwrap_err();
    assert!(matches!(err, BrowserError::NotVisible { .. }), "{err}");
    assert!(page.errors().is_empty(), "{:?}", page.errors());
}

#[test]
fn submit_runs_validation_and_the_submit_listeners() {
    let body = r#"
<form id="f" action="/gracias">
  <input name="email" value="ana@example.com">
  <button type="submit" id="go" name="via" value="go">Enviar</button>
</form>
<form id="strict" action="/gracias"><input name="email" required></form>
<div id="loose"><input id="orphan"></div>
<script>
window.__submits = [];
for (const f of document.forms) f.addEventListener('submit', (e) => {
  e.preventDefault();
  window.__submits.push([f.id, e.submitter ? e.submitter.id : null]);
});
</script>"#;
    let server = Server::start(BTreeMap::from([
        ("/".to_owned(), html_page(body)),
        ("/gracias".to_owned(), html_page("gracias")),
    ]))
    .unwrap();
    let mut browser = launch();
    let mut page = browser.new_page(MetaMode::Recorder).unwrap();
    page.goto(&server.url("/")).unwrap();

    // As a visitor submits: with a click on the form's submit button, whichever element of
    // the form was named.
    page.submit("#f").unwrap();
    page.submit("#go").unwrap();
    page.submit("#f input[name=email]").unwrap();
    assert_eq!(
        page.eval("window.__submits").unwrap(),
        json!([["f", "go"], ["f", "go"], ["f", "go"]])
    );
    let err = page.submit("#strict").unwrap_err();
    assert!(matches!(err, BrowserError::InvalidForm { .. }), "{err}");
    let msg = err.to_string();
    assert!(
        msg.contains("<input> name=email: ") && msg.contains("verify.fill"),
        "names the field and the fix: {msg}"
    );
    let err = page.submit("#orphan").unwrap_err();
    assert!(matches!(err, BrowserError::NotAForm { .. }), "{err}");
    let err = page.submit("#missing").unwrap_err();
    assert!(matches!(err, BrowserError::NoElement { .. }), "{err}");

    // Without a listener cancelling it, the form navigates.
    page.eval("document.getElementById('strict').elements.email.value = 'x@example.com'")
        .unwrap();
    page.eval("window.__submits = null").unwrap();
    page.eval("document.forms.strict.addEventListener('submit', (e) => e.stopImmediatePropagation(), true)")
        .unwrap();
    page.submit("#strict").unwrap();
    page.wait_for("location.pathname === '/gracias'", WAIT)
        .unwrap();
    assert!(
        server.requests().iter().any(|p| p == "/gracias"),
        "{:?}",
        server.requests()
    );
}

#[test]
fn capture_mode_records_pixel_requests_and_answers_them_locally() {
    // Stands in for a site's own copy of a pixel library: an image pixel and a beacon.
    let script = r#"
var img = new Image();
img.onload = function () { window.__imgLoaded = true; };
img.src = "https://www.facebook.com/tr?id=123&ev=Lead&eid=abc&cd[value]=9.5&cd[currency]=EUR";
window.__beacon = navigator.sendBeacon("https://www.facebook.com/tr", "id=123&ev=Purchase&eid=o-1");
"#;
    let server = Server::start(BTreeMap::from([
        (
            "/".to_owned(),
            html_page(r#"<script src="/fbevents.js"></script>"#),
        ),
        (
            "/fbevents.js".to_owned(),
            (
                "application/javascript".to_owned(),
                script.as_bytes().to_vec(),
            ),
        ),
    ]))
    .unwrap();
    let mut browser = launch();
    let mut page = browser.new_page(MetaMode::Capture).unwrap();
    page.goto(&server.url("/")).unwrap();
    let hits = page.wait_for_pixel_hits(2, WAIT).unwrap();
    assert_eq!(hits.len(), 2, "{hits:#?}");
    let lead = hits
        .iter()
        .find(|h| h.ev == "Lead")
        .expect("the image pixel");
    assert_eq!(lead.id, "123");
    assert_eq!(lead.eid.as_deref(), Some("abc"));
    assert_eq!(
        lead.cd,
        BTreeMap::from([
            ("currency".to_owned(), "EUR".to_owned()),
            ("value".to_owned(), "9.5".to_owned())
        ])
    );
    assert_eq!(lead.method, "GET");
    assert!(
        lead.url.starts_with("https://www.facebook.com/tr?id=123"),
        "{}",
        lead.url
    );
    let purchase = hits
        .iter()
        .find(|h| h.ev == "Purchase")
        .expect("the beacon");
    assert_eq!(purchase.id, "123");
    assert_eq!(purchase.eid.as_deref(), Some("o-1"));
    assert!(purchase.cd.is_empty());
    assert_eq!(purchase.method, "POST");
    assert_eq!(purchase.body.as_deref(), Some("id=123&ev=Purchase&eid=o-1"));
    // Answered locally: the image loaded (with the 1×1 GIF) and the beacon was queued.
    page.wait_for("window.__imgLoaded === true", WAIT).unwrap();
    assert_eq!(page.eval("window.__beacon").unwrap(), json!(true));
    assert_eq!(page.meta_requests().len(), 2, "{:?}", page.meta_requests());
    // No recorder in this mode.
    assert!(page.fbq_calls().unwrap().is_empty());
    assert!(page.errors().is_empty(), "{:?}", page.errors());
}

#[test]
fn a_missing_browser_says_how_to_install_one() {
    let opts = LaunchOptions {
        binary: Some(PathBuf::from("/nonexistent/tagc-test/chromium")),
        ..LaunchOptions::default()
    };
    let err = Browser::launch(&opts).err().expect("no such binary");
    assert!(matches!(err, BrowserError::NotFound { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("apt-get install -y chromium"), "{msg}");
    assert!(msg.contains("TAGC_CHROMIUM"), "{msg}");
    assert!(msg.contains("/nonexistent/tagc-test/chromium"), "{msg}");
}

#[test]
fn every_call_has_a_deadline() {
    let server = Server::start(BTreeMap::from([("/".to_owned(), html_page("hi"))])).unwrap();
    let mut browser = launch();
    let mut page = browser.new_page(MetaMode::Recorder).unwrap();
    page.goto(&server.url("/")).unwrap();
    page.set_timeout(Duration::from_millis(300));
    let t = Instant::now();
    let err = page.eval("new Promise(() => {})").unwrap_err();
    assert!(matches!(err, BrowserError::Timeout { .. }), "{err}");
    let err = page
        .wait_for("false", Duration::from_millis(200))
        .unwrap_err();
    assert!(matches!(err, BrowserError::Timeout { .. }), "{err}");
    assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
    // The page still works afterwards.
    page.set_timeout(WAIT);
    assert_eq!(page.eval("1 + 1").unwrap(), json!(2));
    let err = page.eval("null.x").unwrap_err();
    assert!(matches!(err, BrowserError::Script { .. }), "{err}");
    let err = page.goto("http://127.0.0.1:1/").unwrap_err();
    assert!(matches!(err, BrowserError::Navigation { .. }), "{err}");
}

/// One browser, ten pages in turn, each in a fresh context: nothing leaks from one page
/// to the next. Prints the launch time and the time per page (`--nocapture`).
#[test]
fn one_browser_serves_many_pages_each_in_a_fresh_context() {
    let body = r#"<button id="b">Hola</button><script>
window.__seen = document.cookie;
document.cookie = 'visited=1; path=/';
localStorage.setItem('visited', '1');
</script>"#;
    let server = Server::start(BTreeMap::from([("/".to_owned(), html_page(body))])).unwrap();
    let t = Instant::now();
    let mut browser = launch();
    let launch_ms = t.elapsed().as_secs_f64() * 1e3;
    let mut per_page = Vec::new();
    for i in 0..10 {
        let t = Instant::now();
        let mut page = browser.new_page(MetaMode::Recorder).unwrap();
        let opened = t.elapsed();
        page.goto(&server.url("/")).unwrap();
        assert_eq!(page.eval("window.__seen").unwrap(), json!(""), "page {i}");
        page.click_text("Hola", None).unwrap();
        page.close().unwrap();
        per_page.push((opened.as_secs_f64() * 1e3, t.elapsed().as_secs_f64() * 1e3));
    }
    let total: f64 = per_page.iter().map(|p| p.1).sum();
    let open: f64 = per_page.iter().map(|p| p.0).sum();
    eprintln!(
        "browser reuse: launch {launch_ms:.0} ms; per page (new context + tab, goto, eval, click, close) {:.1} ms mean, of which opening {:.1} ms; each: {:?}",
        total / 10.0,
        open / 10.0,
        per_page
            .iter()
            .map(|p| format!("{:.0}", p.1))
            .collect::<Vec<_>>()
    );
    assert_eq!(browser.version().map(|v| !v.is_empty()).ok(), Some(true));
}

/// A renderer that dies makes the page's calls fail at once, not at their deadline; the
/// browser goes on serving new pages.
#[test]
fn a_crashed_page_fails_fast_and_the_browser_carries_on() {
    let mut browser = launch();
    let mut page = browser.new_page(MetaMode::Recorder).unwrap();
    let t = Instant::now();
    assert!(page.goto("chrome://crash").is_err());
    let err = page.eval("1").unwrap_err();
    assert!(
        matches!(err, BrowserError::Crashed | BrowserError::Protocol { .. }),
        "{err:?}"
    );
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
    drop(page);
    let mut page = browser.new_page(MetaMode::Recorder).unwrap();
    assert_eq!(page.eval("1 + 1").unwrap(), json!(2));
}

/// The page moves between finding the button and the click: the first time the mouse
/// moves, a 200-pixel promotion link is inserted above the button, so the press at the
/// button's old centre lands on the link. That press is stopped before the page sees it
/// (no click on the link, no navigation), and the button is found again and clicked.
#[test]
fn a_click_the_page_moves_away_from_is_stopped_and_retried() {
    let body = format!(
        r#"{CLICK_LOG}
<div id="top"></div>
<button id="buy" style="height: 40px">Comprar</button>
<script>
addEventListener('mousemove', () => {{
  if (document.getElementById('promo')) return;
  const a = document.createElement('a');
  a.id = 'promo'; a.href = '/promo'; a.textContent = 'Oferta';
  a.style.cssText = 'display:block;height:200px;background:#fc0';
  document.getElementById('top').appendChild(a);
}});
</script>"#
    );
    let server = Server::start(BTreeMap::from([
        ("/".to_owned(), html_page(&body)),
        ("/promo".to_owned(), html_page("promo")),
    ]))
    .unwrap();
    let mut browser = launch();
    let mut page = browser.new_page(MetaMode::Recorder).unwrap();
    page.goto(&server.url("/")).unwrap();
    page.click("#buy").unwrap();
    assert_eq!(
        page.eval("window.__clicks").unwrap(),
        json!([["buy", true]])
    );
    assert!(
        !server.requests().iter().any(|p| p == "/promo"),
        "the missed press followed the link: {:?}",
        server.requests()
    );
}

/// A page that moves on every mouse movement never lets the click land: after
/// `CLICK_ATTEMPTS` tries the button counts as covered, by what took the press.
#[test]
fn a_page_that_keeps_moving_is_reported_not_misclicked() {
    let body = format!(
        r#"{CLICK_LOG}
<div id="top"></div>
<button id="buy" style="height: 40px">Comprar</button>
<script>
addEventListener('mousemove', () => {{
  const top = document.getElementById('top');
  top.innerHTML = top.firstChild ? '' : '<div id="jump" style="height:200px">Anuncio</div>';
}});
</script>"#
    );
    let server = Server::start(BTreeMap::from([("/".to_owned(), html_page(&body))])).unwrap();
    let mut browser = launch();
    let mut page = browser.new_page(MetaMode::Recorder).unwrap();
    page.goto(&server.url("/")).unwrap();
    let err = page.click("#buy").unwrap_err();
    assert!(matches!(err, BrowserError::Covered { .. }), "{err}");
    assert!(
        err.to_string().contains("the page kept moving, 3 attempts"),
        "{err}"
    );
    assert_eq!(page.eval("window.__clicks").unwrap(), json!([]));
}

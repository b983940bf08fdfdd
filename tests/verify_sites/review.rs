//! Sites from an independent review of `tagc verify`: a redirect to another page, a form
//! without a submit button, an `fbq` another script defined first, consent that is not
//! remembered, a single-page app behind a consent banner, a download link, a label span
//! that lets clicks through, a sticky header, a page that wraps `fbq`, a link to another
//! site, a page script whose name starts with "tagc", a Content-Security-Policy that blocks
//! Meta, and a page that tries to forge the observer's reports.

use super::*;

/// The calls of the check's `sent` that fire `event` (any `track*` form).
fn sent_count(c: &Value, event: &str) -> usize {
    c["sent"]
        .as_array()
        .map(|calls| {
            calls
                .iter()
                .filter(|call| {
                    let Some(a) = call.as_array() else {
                        return false;
                    };
                    let method = a.first().and_then(Value::as_str).unwrap_or_default();
                    let name = if method.starts_with("trackSingle") {
                        a.get(2)
                    } else if method.starts_with("track") {
                        a.get(1)
                    } else {
                        None
                    };
                    name.is_some_and(|n| n == event)
                })
                .count()
        })
        .unwrap_or(0)
}

/// The check's mismatches as (what, expected, actual).
fn mismatches(c: &Value) -> Vec<(String, String, String)> {
    c["mismatches"]
        .as_array()
        .map(|ms| {
            ms.iter()
                .map(|m| {
                    let s = |k: &str| m[k].as_str().unwrap_or_default().to_owned();
                    (s("what"), s("expected"), s("actual"))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Asserts some mismatch's `what` has `what` and its `actual` has `actual`.
fn assert_mismatch(c: &Value, what: &str, actual: &str) {
    assert!(
        mismatches(c)
            .iter()
            .any(|(w, _, a)| w.contains(what) && a.contains(actual)),
        "{}: no mismatch about {what:?} with {actual:?}: {c:#}",
        c["id"]
    );
}

/// All the check's notes, one a line.
fn all_notes(c: &Value) -> String {
    notes(c)
        .into_iter()
        .map(|(l, m)| format!("{l}: {m}"))
        .collect::<Vec<_>>()
        .join("\n")
}

// ---------------------------------------------------------------------------------------
// R1. A page that redirects to another configured page (the login wall)
// ---------------------------------------------------------------------------------------

/// Site R1: `/account` is behind a login: an anonymous visitor (tagc's fresh tab) is sent
/// with `302 Found` to `/login`, a configured page with its own snippet. What loads is the
/// login page, whose calls say nothing of the account page: that check fails naming where
/// it landed; the login page's own check passes.
#[test]
fn a_page_that_redirects_to_the_login_page_fails_naming_the_page_shown() {
    let dist = build(&format!(
        r#"site:
  name: Gimnasio Atlas
  url: https://gimnasioatlas.example.com
{PIXELS}consent: none
pages:
  - id: account
    url: /account
    on_load:
      - event: ViewContent
        params:
          content_name: Mi cuenta
  - id: login
    url: /login
"#
    ));
    let account = page(
        "Mi cuenta — Gimnasio Atlas",
        &dist.snippet("account"),
        r#"<header class="site-header"><a class="logo" href="/">Gimnasio Atlas</a></header>
<main><h1>Mi cuenta</h1><p>Tu cuota: Plan Total, 39 €/mes.</p></main>"#,
    );
    let login = page(
        "Entrar — Gimnasio Atlas",
        &dist.snippet("login"),
        r#"<header class="site-header"><a class="logo" href="/">Gimnasio Atlas</a></header>
<main><h1>Entra en tu cuenta</h1>
<form action="/login" method="post">
<label>Email <input type="email" name="email" autocomplete="username"></label>
<label>Contraseña <input type="password" name="password" autocomplete="current-password"></label>
<button class="btn" type="submit">Entrar</button>
</form></main>"#,
    );
    let site = serve(
        Routes::default()
            // The account page exists, but only a signed-in visitor ever sees it.
            .with("/account-signed-in", Route::html(account))
            .with(
                "/account",
                Route::Redirect {
                    status: 302,
                    location: "/login".to_owned(),
                },
            )
            .with("/login", Route::html(login)),
    );
    let run = verify(&dist, &site, &[]);
    run.exits(1);
    run.expect(
        "browser/account/load",
        "failed",
        &["/login", "which is page `login`"],
    );
    run.expect("browser/login/load", "passed", &[]);
}

// ---------------------------------------------------------------------------------------
// R2. A form without a submit button
// ---------------------------------------------------------------------------------------

fn callback_config() -> String {
    format!(
        r#"site:
  name: Seguros Brisa
  url: https://segurosbrisa.example.com
{PIXELS}consent: none
pages:
  - id: coche
    url: /seguro-coche
    buttons:
      - id: callback
        selector: "form#quote"
        on: submit
        event: Lead
        params:
          content_name: Te llamamos
"#
    )
}

/// Site R2: "Te llamamos" — one phone field and no button at all: the designer meant
/// Enter to send it. tagc submits it by script (`requestSubmit()`), the Lead fires and the
/// server gets the post, but a visitor with a mouse has nothing to click: a warning, which
/// fails with `--deny-warnings`.
#[test]
fn a_form_without_a_submit_button_passes_with_a_warning_and_fails_with_deny_warnings() {
    let dist = build(&callback_config());
    let body = r#"<header class="site-header"><a class="logo" href="/">Seguros Brisa</a>
<nav><a href="/seguro-coche">Coche</a><a href="/seguro-hogar">Hogar</a></nav></header>
<main>
<h1>Seguro de coche a todo riesgo desde 29 €/mes</h1>
<p>Déjanos tu teléfono y te llamamos en menos de 10 minutos.</p>
<form id="quote" class="callback" action="/te-llamamos" method="post">
<label>Tu teléfono <input type="tel" name="phone" autocomplete="tel" placeholder="600 000 000"></label>
</form>
</main>"#;
    let site = serve(
        Routes::default()
            .with(
                "/seguro-coche",
                Route::html(page(
                    "Seguro de coche — Seguros Brisa",
                    &dist.snippet("coche"),
                    body,
                )),
            )
            .with("/te-llamamos", Route::see_other("/te-llamamos/gracias"))
            .with(
                "/te-llamamos/gracias",
                Route::html(page(
                    "Te llamamos — Seguros Brisa",
                    "",
                    "<main><h1>¡Hecho!</h1><p>Te llamamos enseguida.</p></main>",
                )),
            ),
    );
    let run = verify(&dist, &site, &[]);
    run.exits(0);
    let c = run.expect("browser/coche/callback", "passed", &[]);
    assert_sent(c, "Lead");
    assert!(
        warnings(c).iter().any(|w| w.contains("requestSubmit")),
        "no warning about requestSubmit: {}",
        all_notes(c)
    );
    assert!(
        !posts(&site, "/te-llamamos").is_empty(),
        "the form never reached the server: {:?}",
        site.requests()
    );

    let run = verify(&dist, &site, &["--deny-warnings"]);
    run.exits(1);
    let c = run.expect("browser/coche/callback", "failed", &[]);
    assert!(
        warnings(c).iter().any(|w| w.contains("requestSubmit")),
        "{c:#}"
    );
    run.expect("browser/coche/load", "passed", &[]);
}

// ---------------------------------------------------------------------------------------
// R3. `fbq` defined by another script first
// ---------------------------------------------------------------------------------------

/// Site R3: an "ad-blocker guard" in the theme defines `window.fbq` as a no-op before the
/// snippet, so other scripts' calls don't throw when Meta is blocked. The base code sees
/// `fbq` already there and returns: fbevents.js is never requested and every call goes
/// nowhere. The calls are all made, so only the library's absence tells: the check fails.
#[test]
fn an_fbq_another_script_defined_first_fails_because_fbevents_is_never_requested() {
    let dist = build(&format!(
        r#"site:
  name: Vinoteca Duero
  url: https://vinotecaduero.example.com
{PIXELS}consent: none
pages:
  - id: home
    url: /
    buttons:
      - id: add
        selector: button.add-to-cart
        event: AddToCart
        params:
          currency: EUR
          value: 14.5
"#
    ));
    let guard = "<script>\n// Keep the page working when an ad blocker removes Meta's pixel.\n\
                 window.fbq = function () {};\n</script>";
    let head = format!("{guard}\n{}", dist.snippet("home"));
    let site = serve(Routes::default().with(
        "/",
        Route::html(page(
            "Vinoteca Duero — Vinos de la Ribera",
            &head,
            r#"<header class="site-header"><a class="logo" href="/">Vinoteca Duero</a></header>
<main><h1>Tinto crianza 2021</h1><p>14,50 €</p>
<button class="btn add-to-cart" type="button">Añadir a la cesta</button></main>"#,
        )),
    ));
    let run = verify(&dist, &site, &[]);
    run.exits(1);
    let c = run.expect("browser/home/load", "failed", &[]);
    assert_mismatch(c, "fbevents.js", "never requested");
    let c = run.expect("browser/home/add", "failed", &[]);
    assert_mismatch(c, "fbevents.js", "never requested");
}

// ---------------------------------------------------------------------------------------
// R4. Consent that is not remembered on the next page
// ---------------------------------------------------------------------------------------

fn bodega_config() -> String {
    format!(
        r##"site:
  name: Bodega Las Viñas
  url: https://bodegalasvinas.example.com
  verify:
    consent: {{click: "#accept"}}
{PIXELS}consent: required
pages:
  - id: home
    url: /
    buttons:
      - id: next
        selector: a.next
        event: Lead
        params:
          content_name: Visita a la bodega
  - id: gracias
    url: /gracias
"##
    )
}

/// A page of the winery with its cookie banner. `remember`: the banner stores `ok=1` and,
/// on every page, grants again when the cookie is there (and hides itself); otherwise it
/// forgets: every page asks again and grants only on a click.
fn bodega_page(snippet: &str, main: &str, remember: bool) -> String {
    let head = format!(
        "{snippet}\n<style>.cookie-banner{{position:fixed;left:0;right:0;bottom:0;padding:16px 24px;\
         background:#222;color:#fff;display:flex;gap:12px;align-items:center}}</style>"
    );
    let on_load = if remember {
        "if (/(^|; )ok=1(;|$)/.test(document.cookie)) { banner.remove(); window.tagc.grant(); return; }"
    } else {
        ""
    };
    let store = if remember {
        "document.cookie = 'ok=1; path=/; max-age=15552000';"
    } else {
        ""
    };
    let body = format!(
        r#"<header class="site-header"><a class="logo" href="/">Bodega Las Viñas</a></header>
<main>{main}</main>
<div id="cookie-banner" class="cookie-banner" role="dialog" aria-label="Cookies">
<p>Usamos cookies para medir nuestras campañas.</p>
<button id="accept" class="btn" type="button">Aceptar</button>
</div>
<script>
(function () {{
  var banner = document.getElementById('cookie-banner');
  {on_load}
  document.getElementById('accept').addEventListener('click', function () {{
    {store}
    banner.remove();
    window.tagc.grant();
  }});
}})();
</script>"#
    );
    page("Bodega Las Viñas", &head, &body)
}

fn bodega_site(dist: &Dist, remember: bool) -> Server {
    let home = bodega_page(
        &dist.snippet("home"),
        r#"<h1>Visitas guiadas y catas en Haro</h1>
<p>Sábados y domingos, 11:00 y 17:00. Cata de tres vinos incluida.</p>
<p><a class="btn next" href="/gracias">Reservar visita</a></p>"#,
        remember,
    );
    let gracias = bodega_page(
        &dist.snippet("gracias"),
        "<h1>¡Reserva recibida!</h1><p>Te esperamos en la bodega.</p>",
        remember,
    );
    serve(
        Routes::default()
            .with("/", Route::html(home))
            .with("/gracias", Route::html(gracias)),
    )
}

/// Site R4a: the visitor accepts on the home page and clicks through to `/gracias`, where
/// the banner asks again and the pixel is told nothing: Meta holds that page's events.
#[test]
fn consent_not_remembered_on_the_next_page_fails_the_click_that_leads_there() {
    let dist = build(&bodega_config());
    let site = bodega_site(&dist, false);
    let run = verify(&dist, &site, &[]);
    run.exits(1);
    let c = run.expect("browser/home/next", "failed", &[]);
    assert_sent(c, "Lead");
    assert_mismatch(c, "the visitor's consent", "");
    assert!(
        mismatches(c)
            .iter()
            .any(|(w, _, _)| w.contains("/gracias") && w.contains("the visitor's consent")),
        "the consent mismatch does not name /gracias: {c:#}"
    );
    run.expect("browser/home/load", "passed", &[]);
    run.expect("browser/gracias/load", "passed", &[]);
}

/// Site R4b: the banner remembers (`ok=1`) and grants again on every page: passes.
#[test]
fn consent_remembered_by_a_cookie_passes_on_the_next_page() {
    let dist = build(&bodega_config());
    let site = bodega_site(&dist, true);
    let run = verify(&dist, &site, &[]);
    run.exits(0);
    let c = run.expect("browser/home/next", "passed", &[]);
    assert_sent(c, "Lead");
    run.expect("browser/gracias/load", "passed", &[]);
}

// ---------------------------------------------------------------------------------------
// R5. A single-page app's route behind a consent banner
// ---------------------------------------------------------------------------------------

/// Site R5: the app shell at `/app` asks for consent (the banner grants on accept); the
/// pricing view is reached by a route change. The grant happened on the shell before the
/// route changed — that is the visitor's consent, not a missing one.
#[test]
fn a_spa_route_reached_after_consent_on_the_shell_passes() {
    let dist = build(&format!(
        r##"site:
  name: Facturo
  url: https://facturo.example.com
  verify:
    consent: {{click: "#accept"}}
{PIXELS}consent: required
pages:
  - id: pricing
    url: /app/pricing
    verify:
      before: [{{goto: /app}}, {{click: "a[href='/app/pricing']"}}]
    on_load:
      - event: ViewContent
        params:
          content_name: Planes y precios
"##
    ));
    let head = format!(
        "{}\n<style>.cookie-banner{{position:fixed;left:0;right:0;bottom:0;padding:16px 24px;\
         background:#222;color:#fff;display:flex;gap:12px;align-items:center}}</style>",
        dist.snippet("pricing")
    );
    let body = r#"<div id="app">
<header class="site-header"><a class="logo" href="/app" data-route>Facturo</a>
<nav><a href="/app" data-route>Panel</a><a href="/app/pricing" data-route>Precios</a></nav></header>
<main id="view"><h1>Panel</h1><p>Hola, Ana. Tienes 3 facturas pendientes de cobro.</p></main>
</div>
<div id="cookie-banner" class="cookie-banner" role="dialog" aria-label="Cookies">
<p>Usamos cookies para medir nuestras campañas.</p>
<button id="accept" class="btn" type="button">Aceptar</button>
</div>
<script>
(function () {
  var banner = document.getElementById('cookie-banner');
  document.getElementById('accept').addEventListener('click', function () {
    banner.remove();
    window.tagc.grant();
  });
  var views = {
    '/app': '<h1>Panel</h1><p>Hola, Ana. Tienes 3 facturas pendientes de cobro.</p>',
    '/app/pricing': '<h1>Planes y precios</h1><ul class="plans"><li>Básico — 9 €/mes</li><li>Pro — 29 €/mes</li></ul>'
  };
  function render(path) {
    document.getElementById('view').innerHTML = views[path] || '<h1>No encontrado</h1>';
  }
  document.addEventListener('click', function (e) {
    var a = e.target.closest('a[data-route]');
    if (!a) return;
    e.preventDefault();
    history.pushState({}, '', a.getAttribute('href'));
    render(location.pathname);
  });
  window.addEventListener('popstate', function () { render(location.pathname); });
})();
</script>"#;
    let site = serve(Routes {
        paths: BTreeMap::from([("/app".to_owned(), Route::html(page("Facturo", &head, body)))]),
        fallback: Some(not_found(error_page(""))),
    });
    let run = verify(&dist, &site, &[]);
    run.exits(0);
    let c = run.expect("browser/pricing/load", "passed", &[]);
    assert_sent(c, "ViewContent");
}

// ---------------------------------------------------------------------------------------
// R6. A download link
// ---------------------------------------------------------------------------------------

/// Site R6: "Descargar folleto" is a link to a PDF the server sends as an attachment; the
/// browser downloads it (tagc denies downloads) and stays on the page — no next document
/// ever commits. The test server cannot set `Content-Disposition`, so it answers `204 No
/// Content`, which commits no document either. The custom event fires; nothing waits for
/// a navigation that never comes.
#[test]
fn a_download_link_passes_without_waiting_for_a_navigation() {
    let dist = build(&format!(
        r#"site:
  name: Cooperativa Olivar
  url: https://cooperativaolivar.example.com
{PIXELS}consent: none
pages:
  - id: catalogo
    url: /catalogo
    buttons:
      - id: folleto
        selector: a.download
        event: DescargaFolleto
        custom: true
"#
    ));
    let body = r#"<header class="site-header"><a class="logo" href="/">Cooperativa Olivar</a></header>
<main>
<h1>Aceite de oliva virgen extra, cosecha temprana</h1>
<p>Picual y arbequina de nuestros socios en Jaén. Envíos a toda la península.</p>
<p><a class="btn download" href="/folleto.pdf">Descargar folleto (PDF, 2 MB)</a></p>
</main>"#;
    let site = serve(
        Routes::default()
            .with(
                "/catalogo",
                Route::html(page(
                    "Catálogo — Cooperativa Olivar",
                    &dist.snippet("catalogo"),
                    body,
                )),
            )
            .with(
                "/folleto.pdf",
                Route::Page {
                    status: 204,
                    content_type: "application/pdf".to_owned(),
                    body: Vec::new(),
                },
            ),
    );
    let run = verify(&dist, &site, &["--timeout", "30"]);
    run.exits(0);
    let c = run.expect("browser/catalogo/folleto", "passed", &[]);
    assert_sent(c, "DescargaFolleto");
    let millis = c["millis"].as_u64().unwrap_or(u64::MAX);
    assert!(
        millis < 10_000,
        "the check took {millis} ms: it waited for a navigation that never came"
    );
    assert!(
        site.requests().iter().any(|p| p == "/folleto.pdf"),
        "the link was never followed: {:?}",
        site.requests()
    );
}

// ---------------------------------------------------------------------------------------
// R7. A label span with pointer-events: none
// ---------------------------------------------------------------------------------------

/// Site R7: the button's label is a span that lets clicks through to the button
/// (`pointer-events: none`, common in design systems). The text locator finds the span;
/// the click lands on its button, which is what a visitor clicks.
#[test]
fn a_label_span_with_pointer_events_none_passes() {
    let dist = build(&format!(
        r#"site:
  name: Bicis Montaña Sur
  url: https://bicismontanasur.example.com
{PIXELS}consent: none
pages:
  - id: producto
    url: /bici/trail-29
    buttons:
      - id: buy
        text: Comprar ahora
        event: InitiateCheckout
        params:
          currency: EUR
          value: 1899
"#
    ));
    let body = r#"<header class="site-header"><a class="logo" href="/">Bicis Montaña Sur</a></header>
<main>
<h1>Trail 29" carbono</h1>
<p class="price">1.899 €</p>
<button class="btn buy" type="button"><span class="btn__label" style="pointer-events:none">Comprar ahora</span></button>
</main>"#;
    let site = serve(Routes::default().with(
        "/bici/trail-29",
        Route::html(page(
            "Trail 29 — Bicis Montaña Sur",
            &dist.snippet("producto"),
            body,
        )),
    ));
    let run = verify(&dist, &site, &[]);
    run.exits(0);
    let c = run.expect("browser/producto/buy", "passed", &[]);
    assert_sent(c, "InitiateCheckout");
    assert_eq!(sent_count(c, "InitiateCheckout"), 1, "{c:#}");
}

// ---------------------------------------------------------------------------------------
// R8. A sticky header over the element
// ---------------------------------------------------------------------------------------

fn reservas_config() -> String {
    format!(
        r#"site:
  name: Restaurante La Lonja
  url: https://restaurantelalonja.example.com
{PIXELS}consent: none
pages:
  - id: home
    url: /
    buttons:
      - id: book
        selector: button.book
        event: Schedule
"#
    )
}

const STICKY: &str = "<style>.sticky{position:fixed;top:0;left:0;right:0;height:120px;z-index:100;\
                      background:#fff;box-shadow:0 2px 8px rgba(0,0,0,.15);display:flex;\
                      align-items:center;padding:0 24px}</style>";

/// Site R8a: a long landing page under a 120 px fixed header; the page jumps to the
/// booking section on load (a campaign link's anchor) with a scroll margin made for an
/// older, 40 px header, so the button lands 40 px from the top of the viewport — under the
/// header, the classic anchor-under-sticky-bar bug. The button is in the viewport but
/// covered; a visitor scrolls a little and clicks it. tagc centres it and clicks.
#[test]
fn a_button_under_a_sticky_header_is_centred_and_passes() {
    let dist = build(&reservas_config());
    let body = r#"<header class="sticky"><strong>Restaurante La Lonja</strong></header>
<main style="padding-top:140px">
<h1>Cocina de mercado frente al puerto</h1>
<section style="height:1600px"><p>Pescado de la lonja de cada mañana, arroces y una bodega de 200 referencias.</p></section>
<section id="reservar" style="scroll-margin-top:40px">
<button class="btn book" type="button">Reservar mesa</button>
<p>Abrimos de martes a domingo, de 13:00 a 16:00 y de 20:00 a 23:30.</p>
</section>
<section style="height:1600px"><p>Cómo llegar: Muelle de Levante, 4.</p></section>
</main>
<script>
// The campaign sends visitors straight to the booking section (its scroll margin was
// set for the old 40 px header).
document.getElementById('reservar').scrollIntoView();
// (The test's probe: where the button is once the page has loaded.)
addEventListener('load', function () {
  var r = document.querySelector('button.book').getBoundingClientRect();
  var hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  var covered = hit && !hit.closest('button.book') ? 1 : 0;
  var inside = r.top >= 0 && r.bottom <= innerHeight ? 1 : 0;
  fetch('/probe?covered=' + covered + '&in_viewport=' + inside);
});
</script>"#;
    let site = serve(Routes::default().with(
        "/",
        Route::html(page(
            "Restaurante La Lonja",
            &format!("{}\n{STICKY}", dist.snippet("home")),
            body,
        )),
    ));
    let run = verify(&dist, &site, &[]);
    run.exits(0);
    let c = run.expect("browser/home/book", "passed", &[]);
    assert_sent(c, "Schedule");
    // The site was as described: on load the button was in the viewport, under the header.
    let probe: Vec<String> = site
        .log()
        .into_iter()
        .filter(|r| r.path == "/probe")
        .map(|r| r.query.unwrap_or_default())
        .collect();
    assert!(
        probe.iter().any(|q| q == "covered=1&in_viewport=1"),
        "the button was not under the header on load: {probe:?}"
    );
}

/// Site R8b: the button sits at the very top of the document, 40 px down, and the fixed
/// header covers 0–120 px with no room left for it: no scroll uncovers it, so no visitor
/// can click it. The check fails naming what covers the click point (the header's logo).
#[test]
fn a_button_under_a_sticky_header_at_the_top_of_the_page_is_covered() {
    let dist = build(&reservas_config());
    let body = r#"<header class="sticky"><strong>Restaurante La Lonja</strong></header>
<main style="padding:0 24px">
<button class="btn book" type="button" style="margin-top:40px">Reservar mesa</button>
<h1>Cocina de mercado frente al puerto</h1>
<section style="height:3000px"><p>Pescado de la lonja de cada mañana.</p></section>
</main>"#;
    let site = serve(Routes::default().with(
        "/",
        Route::html(page(
            "Restaurante La Lonja",
            &format!("{}\n{STICKY}", dist.snippet("home")),
            body,
        )),
    ));
    let run = verify(&dist, &site, &[]);
    run.exits(1);
    // The element at the click point is the header's logo text.
    run.expect(
        "browser/home/book",
        "failed",
        &["cannot be clicked", "covered by", "Restaurante La Lonja"],
    );
    run.expect("browser/home/load", "passed", &[]);
}

// ---------------------------------------------------------------------------------------
// R9. A page that wraps fbq
// ---------------------------------------------------------------------------------------

/// Site R9: a consent manager wraps `fbq` in its own function after the snippet (to gate
/// it, here letting everything through). Each event is still made once: one call in
/// `sent`, not two.
#[test]
fn a_page_that_wraps_fbq_reports_each_call_once() {
    let dist = build(&format!(
        r#"site:
  name: Academia Idiomas Faro
  url: https://academiafaro.example.com
{PIXELS}consent: none
pages:
  - id: cursos
    url: /cursos
    buttons:
      - id: info
        selector: button.info
        event: Contact
"#
    ));
    let head = format!(
        "{}\n<script>\n// cmp.js: every pixel call goes through the consent manager.\n\
         (function(){{ var o = window.fbq; window.fbq = function(){{ return o.apply(this, arguments); }}; }})();\n</script>",
        dist.snippet("cursos")
    );
    let site = serve(Routes::default().with(
        "/cursos",
        Route::html(page(
            "Cursos — Academia Idiomas Faro",
            &head,
            r#"<header class="site-header"><a class="logo" href="/">Academia Idiomas Faro</a></header>
<main><h1>Inglés intensivo de verano</h1><p>Grupos de 6 alumnos, julio y agosto.</p>
<button class="btn info" type="button">Pedir información</button></main>"#,
        )),
    ));
    let run = verify(&dist, &site, &[]);
    run.exits(0);
    let c = run.expect("browser/cursos/info", "passed", &[]);
    assert_eq!(sent_count(c, "Contact"), 1, "{c:#}");
    let c = run.expect("browser/cursos/load", "passed", &[]);
    assert_eq!(sent_count(c, "PageView"), 1, "{c:#}");
}

// ---------------------------------------------------------------------------------------
// R10. A link to another site
// ---------------------------------------------------------------------------------------

/// Site R10: a travel blog links to a partner's hotel page on another site
/// (`http://localhost:PORT2/hotel/1`: another host and port than the blog's 127.0.0.1).
/// The configuration has a page `/hotel/{id}` of its own; the partner's page has the same
/// path but is not this site's, so it is not compared — a note says the action led to
/// another site.
#[test]
fn a_link_to_another_site_passes_with_a_note() {
    let dist = build(&format!(
        r#"site:
  name: Viajar Despacio
  url: https://viajardespacio.example.com
{PIXELS}consent: none
pages:
  - id: blog
    url: /blog/menorca
    buttons:
      - id: partner
        selector: a.partner-hotel
        event: VerHotelSocio
        custom: true
  - id: hotel
    url: /hotel/{{id}}
"#
    ));
    let partner = serve(Routes::default().with(
        "/hotel/1",
        Route::html(page(
            "Hotel Cala Blanca — Reserva",
            "",
            "<main><h1>Hotel Cala Blanca</h1><p>Desde 120 € la noche.</p></main>",
        )),
    ));
    let partner_url = format!("http://localhost:{}/hotel/1", partner.addr().port());
    let body = format!(
        r#"<header class="site-header"><a class="logo" href="/">Viajar Despacio</a></header>
<main><article><h1>Una semana en Menorca sin coche</h1>
<p>Dormimos en Cala Blanca, a diez minutos andando de Ciutadella.</p>
<p><a class="btn partner-hotel" href="{partner_url}">Ver el hotel</a></p>
</article></main>"#
    );
    let site = serve(Routes::default().with(
        "/blog/menorca",
        Route::html(page(
            "Menorca sin coche — Viajar Despacio",
            &dist.snippet("blog"),
            &body,
        )),
    ));
    let run = verify(&dist, &site, &[]);
    run.exits(0);
    let c = run.expect("browser/blog/partner", "passed", &[]);
    assert_sent(c, "VerHotelSocio");
    assert!(
        notes(c).iter().any(|(_, m)| m.contains("another site")),
        "no note says the action led to another site: {}",
        all_notes(c)
    );
    assert!(
        partner.requests().iter().any(|p| p == "/hotel/1"),
        "the partner's page was never requested: {:?}",
        partner.requests()
    );
}

// ---------------------------------------------------------------------------------------
// R11. An error in a script whose name starts with "tagc"
// ---------------------------------------------------------------------------------------

/// Site R11: a jQuery tag-cloud plugin, `/js/tagcloud.js`, throws (jQuery is not on the
/// page). Its name starts with "tagc" but it is not tagc's: a note, not a failure.
#[test]
fn an_error_in_tagcloud_js_is_a_note() {
    let dist = build(&format!(
        r#"site:
  name: Blog de Jardinería
  url: https://blogdejardineria.example.com
{PIXELS}consent: none
pages:
  - id: home
    url: /
    buttons:
      - id: subscribe
        selector: button.subscribe
        event: Subscribe
        params:
          currency: EUR
          value: 0
"#
    ));
    let plugin = r#"/*! jQuery TagCloud v1.2 */
(function ($) {
  $.fn.tagcloud = function (opts) {
    return this.each(function () { $(this).find('a').css('font-size', '1em'); });
  };
  $(function () { $('#tags').tagcloud(); });
})(jQuery);
"#;
    let body = r#"<header class="site-header"><a class="logo" href="/">Blog de Jardinería</a></header>
<main><h1>Cómo podar los rosales en febrero</h1>
<div id="tags"><a href="/t/rosales">rosales</a> <a href="/t/poda">poda</a></div>
<button class="btn subscribe" type="button">Suscribirme</button></main>
<script src="/js/tagcloud.js"></script>"#;
    let site = serve(
        Routes::default()
            .with(
                "/",
                Route::html(page("Blog de Jardinería", &dist.snippet("home"), body)),
            )
            .with(
                "/js/tagcloud.js",
                Route::Page {
                    status: 200,
                    content_type: "application/javascript".to_owned(),
                    body: plugin.as_bytes().to_vec(),
                },
            ),
    );
    let run = verify(&dist, &site, &[]);
    run.exits(0);
    for id in ["browser/home/load", "browser/home/subscribe"] {
        let c = run.expect(id, "passed", &[]);
        let all = all_notes(c);
        assert!(
            notes(c)
                .iter()
                .any(|(_, m)| m.contains("tagcloud.js") && m.contains("not tagc's")),
            "{id}: no note about the error in tagcloud.js: {all}"
        );
    }
    assert_sent(run.check("browser/home/subscribe"), "Subscribe");
}

// ---------------------------------------------------------------------------------------
// R12. A Content-Security-Policy that blocks Meta
// ---------------------------------------------------------------------------------------

fn clinica_config() -> String {
    format!(
        r#"site:
  name: Clínica Dental Sonrisa
  url: https://clinicasonrisa.example.com
{PIXELS}consent: none
pages:
  - id: home
    url: /
    buttons:
      - id: book
        selector: button.book
        event: Schedule
  - id: contacto
    url: /contacto
"#
    )
}

/// The clinic's site, whose every page carries
/// `script-src 'self' 'unsafe-inline'`.
fn clinica_site(dist: &Dist) -> Server {
    let csp = r#"<meta http-equiv="Content-Security-Policy" content="script-src 'self' 'unsafe-inline'">"#;
    serve(
        Routes::default()
            .with(
                "/",
                Route::html(page(
                    "Clínica Dental Sonrisa",
                    &format!("{csp}\n{}", dist.snippet("home")),
                    r#"<header class="site-header"><a class="logo" href="/">Clínica Dental Sonrisa</a></header>
<main><h1>Primera visita gratis</h1><button class="btn book" type="button">Pedir cita</button></main>"#,
                )),
            )
            .with(
                "/contacto",
                Route::html(page(
                    "Contacto — Clínica Dental Sonrisa",
                    &format!("{csp}\n{}", dist.snippet("contacto")),
                    "<main><h1>Contacto</h1><p>Calle Real 3, Córdoba</p></main>",
                )),
            ),
    )
}

/// `tagc verify` with Meta's real fbevents.js, one worker.
fn verify_real(dist: &Dist, site: &Server, only: &[&str]) -> Run {
    let base = site.url("");
    let mut args = vec![
        "--base-url",
        base.as_str(),
        "--fbevents",
        "real",
        "--jobs",
        "1",
        "--timeout",
        "60",
    ];
    args.extend_from_slice(only);
    verify_raw(&dist.plan(), &args, &[])
}

/// Site R12a: the site's policy allows scripts from itself only, on every page: the
/// snippet runs but Meta's fbevents.js is blocked, so no event reaches Meta. With Meta's
/// real library that is the site's failure, not the machine's: every check of its pages
/// fails (exit 1), none "could not run", and the first failure does not stop the rest of
/// the run.
#[test]
fn a_csp_that_blocks_meta_fails_each_check_and_does_not_stop_the_run() {
    let dist = build(&clinica_config());
    let site = clinica_site(&dist);
    let run = verify_real(&dist, &site, &[]);
    run.exits(1);
    for id in [
        "browser/home/load",
        "browser/home/book",
        "browser/contacto/load",
    ] {
        run.expect(id, "failed", &["kept Meta's fbevents.js from loading"]);
    }
    assert!(
        run.elapsed < Duration::from_secs(60),
        "took {:?}: it waited for deadlines",
        run.elapsed
    );
}

/// Site R12b: the message's parentheses give the browser's reason for the block; an
/// empty "()" tells the reader nothing.
#[test]
fn a_csp_that_blocks_meta_is_named_as_the_reason() {
    let dist = build(&clinica_config());
    let site = clinica_site(&dist);
    let run = verify_real(&dist, &site, &["--check", "browser/home/load"]);
    run.exits(1);
    let c = run.expect(
        "browser/home/load",
        "failed",
        &["kept Meta's fbevents.js from loading"],
    );
    assert!(
        !message(c).contains("()"),
        "the reason is empty: {:?}",
        message(c)
    );
}

// ---------------------------------------------------------------------------------------
// R13. A page that tries to forge the observer's reports
// ---------------------------------------------------------------------------------------

fn forge_config() -> String {
    format!(
        r#"site:
  name: Tienda Forja
  url: https://tiendaforja.example.com
{PIXELS}consent: none
pages:
  - id: home
    url: /
"#
    )
}

fn forge_site(snippet: &str, script: &str) -> Server {
    serve(Routes::default().with(
        "/",
        Route::html(page(
            "Tienda Forja",
            snippet,
            &format!(
                "<main><h1>Tienda Forja</h1><p>Herramientas de herrero.</p></main>\n<script>\n{script}\n</script>"
            ),
        )),
    ))
}

/// Asserts the page reported (`GET /probe?…`) what it could reach, with every `kv` of
/// `expected` in each report.
fn assert_probe(site: &Server, expected: &[&str]) {
    let probes: Vec<String> = site
        .log()
        .into_iter()
        .filter(|r| r.path == "/probe")
        .map(|r| r.query.unwrap_or_default())
        .collect();
    assert!(
        !probes.is_empty(),
        "the page never reported: {:?}",
        site.requests()
    );
    for q in &probes {
        for kv in expected {
            assert!(
                q.split('&').any(|x| x == *kv),
                "the page could reach tagc's binding: /probe?{q}"
            );
        }
    }
}

/// Site R13a: an inline script calls tagc's binding directly with a made-up report of a
/// `Purchase`. The page cannot reach the binding: nothing is recorded, the load check
/// passes with the page's real calls only.
#[test]
fn a_page_cannot_forge_a_report_through_the_binding() {
    let dist = build(&forge_config());
    let site = forge_site(
        &dist.snippet("home"),
        "window.__tagcRecord && window.__tagcRecord(JSON.stringify({k:'call', doc:'x', top:true, args:['track','Purchase']}));\n\
         fetch('/probe?top=' + typeof window.__tagcRecord);",
    );
    let run = verify(&dist, &site, &[]);
    run.exits(0);
    let c = run.expect("browser/home/load", "passed", &[]);
    assert!(sent_call(c, "Purchase").is_none(), "{c:#}");
    assert_probe(&site, &["top=undefined"]);
}

/// Site R13b: the same, harder: the script reads its own document's token (exposed as
/// `window.__tagcSent`) and calls the binding of a fresh same-origin `about:blank` iframe,
/// where tagc's observer may not have run to remove it. A forged `Purchase` in the top
/// document's name must still not be recorded.
#[test]
fn a_page_cannot_forge_a_report_through_an_iframe_binding() {
    let dist = build(&forge_config());
    let site = forge_site(
        &dist.snippet("home"),
        r"(function () {
  var token = (window.__tagcSent || ['x'])[0];
  var report = JSON.stringify({k: 'call', doc: token, top: true,
    args: ['track', 'Purchase', {value: 999, currency: 'EUR'}], raw: '[]'});
  if (window.__tagcRecord) window.__tagcRecord(report);
  var f = document.createElement('iframe');
  f.style.display = 'none';
  document.body.appendChild(f);
  var inner = 'none';
  try {
    inner = typeof f.contentWindow.__tagcRecord;
    if (f.contentWindow.__tagcRecord) f.contentWindow.__tagcRecord(report);
  } catch (e) { inner = 'error'; }
  fetch('/probe?top=' + typeof window.__tagcRecord + '&iframe=' + inner);
})();",
    );
    let run = verify(&dist, &site, &[]);
    run.exits(0);
    let c = run.expect("browser/home/load", "passed", &[]);
    assert!(sent_call(c, "Purchase").is_none(), "{c:#}");
    assert_probe(&site, &["top=undefined", "iframe=undefined"]);
}

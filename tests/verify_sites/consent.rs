//! Consent: a banner that must tell the pixel, a wall that covers the page.

use super::*;

// ---------------------------------------------------------------------------------------
// 8–9. Consent: a banner, a wall
// ---------------------------------------------------------------------------------------

fn hotel_config() -> String {
    format!(
        r##"site:
  name: Hotel Mirador
  url: https://hotelmirador.example.com
  verify:
    consent: {{click: "#cookie-accept"}}
{PIXELS}consent: required
pages:
  - id: home
    url: /
    on_load:
      - event: ViewContent
        params:
          content_name: Inicio
    buttons:
      - id: availability
        selector: button.check-availability
        event: Lead
        params:
          content_name: Disponibilidad
"##
    )
}

/// A hotel home page with a cookie banner at the bottom; `accept` is what its "Aceptar"
/// button does.
fn hotel_site(snippet: &str, accept: &str) -> Server {
    let head = format!(
        "{snippet}\n<style>.cookie-banner{{position:fixed;left:0;right:0;bottom:0;padding:16px 24px;\
         background:#222;color:#fff;display:flex;gap:12px;align-items:center}}</style>"
    );
    let body = r#"<header class="site-header"><a class="logo" href="/">Hotel Mirador</a>
<nav><a href="/habitaciones">Habitaciones</a><a href="/restaurante">Restaurante</a></nav></header>
<main>
<h1>Hotel Mirador, frente al mar en Altea</h1>
<form class="booking" onsubmit="return false">
<label>Entrada <input type="date" name="checkin"></label>
<label>Salida <input type="date" name="checkout"></label>
<button class="btn check-availability" type="button">Ver disponibilidad</button>
</form>
</main>
<div id="cookie-banner" class="cookie-banner" role="dialog" aria-label="Cookies">
<p>Usamos cookies propias y de terceros para medir y mejorar nuestros anuncios.</p>
<button id="cookie-reject" class="btn btn-secondary" type="button">Rechazar</button>
<button id="cookie-accept" class="btn" type="button">Aceptar</button>
</div>
<script>
(function () {
  var banner = document.getElementById('cookie-banner');
  document.getElementById('cookie-reject').addEventListener('click', function () {
    document.cookie = 'cookie_consent=necessary; path=/; max-age=15552000';
    banner.remove();
  });
  document.getElementById('cookie-accept').addEventListener('click', function () {
    document.cookie = 'cookie_consent=all; path=/; max-age=15552000';
    ACCEPT
  });
})();
</script>"#
        .replace("ACCEPT", accept);
    serve(Routes::default().with(
        "/",
        Route::html(page("Hotel Mirador — Altea", &head, &body)),
    ))
}

/// Site 8a: the banner's accept handler tells the pixel (`tagc.grant()`).
#[test]
fn a_consent_banner_that_grants_passes() {
    let dist = build(&hotel_config());
    let site = hotel_site(
        &dist.snippet("home"),
        "banner.remove();\n    if (window.tagc) window.tagc.grant();",
    );
    let run = verify(&dist, &site, &[]);
    run.exits(0);
    run.expect("browser/home/load", "passed", &[]);
    let c = run.expect("browser/home/availability", "passed", &[]);
    assert_sent(c, "Lead");
}

/// Site 8b: the banner only hides itself: the visitor accepted but the pixel never heard
/// of it, so Meta holds every event. Every check of the page fails.
#[test]
fn a_consent_banner_that_only_hides_itself_fails() {
    let dist = build(&hotel_config());
    let site = hotel_site(&dist.snippet("home"), "banner.hidden = true;");
    let run = verify(&dist, &site, &[]);
    run.exits(1);
    run.expect(
        "browser/home/availability",
        "failed",
        &["consent was never granted"],
    );
    run.expect(
        "browser/home/load",
        "failed",
        &["consent was never granted"],
    );
}

fn diario_config(consent: &str) -> String {
    format!(
        r#"site:
  name: Diario del Sur
  url: https://diariodelsur.example.com
{consent}{PIXELS}pages:
  - id: article
    url: /noticias/ampliacion-del-puerto
    buttons:
      - id: subscribe
        selector: button.subscribe
        event: Subscribe
        params:
          value: 1
          currency: EUR
"#
    )
}

/// A news article behind a consent wall: a fixed overlay over the whole page until
/// "Aceptar y continuar" is clicked (the dialog sits at the bottom; the subscribe button
/// in the header is under the wall's backdrop).
fn diario_site(snippet: &str) -> Server {
    let head = format!(
        "{snippet}\n<style>#cookie-wall{{position:fixed;inset:0;z-index:2147483000;\
         background:rgba(0,0,0,.65);display:flex;align-items:flex-end;justify-content:center}}\
         .cmp-dialog{{background:#fff;max-width:640px;margin:0 16px 24px;padding:24px;border-radius:8px}}</style>"
    );
    let body = r#"<header class="site-header"><a class="logo" href="/">Diario del Sur</a>
<button class="btn subscribe" type="button">Suscríbete por 1 €</button></header>
<main>
<article>
<h1>El puerto ampliará su muelle de cruceros en 2028</h1>
<p class="lead">La obra, de 42 millones, permitirá atracar dos buques a la vez.</p>
<p>La autoridad portuaria aprobó ayer el proyecto definitivo…</p>
</article>
</main>
<div id="cookie-wall" class="cmp-wall">
<div class="cmp-dialog" role="dialog" aria-modal="true" aria-labelledby="cmp-title">
<h2 id="cmp-title">Tu privacidad es importante</h2>
<p>Nosotros y nuestros socios usamos cookies para medir la audiencia y personalizar la publicidad.</p>
<button id="reject-all" class="btn btn-secondary" type="button">Rechazar</button>
<button id="accept-all" class="btn" type="button">Aceptar y continuar</button>
</div>
</div>
<script>
(function () {
  var wall = document.getElementById('cookie-wall');
  document.body.style.overflow = 'hidden';
  function close() { wall.remove(); document.body.style.overflow = ''; }
  document.getElementById('reject-all').addEventListener('click', close);
  document.getElementById('accept-all').addEventListener('click', function () {
    close();
    if (window.tagc && window.tagc.grant) window.tagc.grant();
  });
})();
</script>"#;
    serve(Routes::default().with(
        "/noticias/ampliacion-del-puerto",
        Route::html(page(
            "El puerto ampliará su muelle de cruceros — Diario del Sur",
            &head,
            body,
        )),
    ))
}

/// Site 9a: the consent step clicks "Aceptar y continuar"; the wall goes and the pixel is
/// told.
#[test]
fn a_consent_wall_is_accepted_by_the_configured_step() {
    let dist = build(&diario_config(
        "  verify:\n    consent: {click: \"#accept-all\"}\nconsent: required\n",
    ));
    let site = diario_site(&dist.snippet("article"));
    let run = verify(&dist, &site, &[]);
    run.exits(0);
    let c = run.expect("browser/article/subscribe", "passed", &[]);
    assert_sent(c, "Subscribe");
}

/// Site 9b: the configuration says there is no consent and gives no step: the wall is
/// still there and no visitor could click the button under it.
#[test]
fn a_consent_wall_nobody_accepts_covers_the_button() {
    let dist = build(&diario_config("consent: none\n"));
    let site = diario_site(&dist.snippet("article"));
    let run = verify(&dist, &site, &[]);
    run.exits(1);
    run.expect("browser/article/load", "passed", &[]);
    run.expect(
        "browser/article/subscribe",
        "failed",
        &["covered by", "cookie-wall"],
    );
}

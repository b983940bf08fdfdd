//! Forms: posted and redirected, sent by `fetch`, inside a modal, with required fields.

use super::*;

// ---------------------------------------------------------------------------------------
// 1–2. A registration form: posted by the browser, or sent by fetch, then redirected
// ---------------------------------------------------------------------------------------

/// The conference landing page: the form's `Lead` shares a random id through a hidden
/// field, and the server `Lead` the backend sends deduplicates with it.
fn congreso_config(extra_pages: &str) -> String {
    format!(
        r#"site:
  name: Congreso Web 2027
  url: https://congreso.example.com
{PIXELS}consent: none
events:
  registration:
    event: Lead
    params:
      content_name: Registro Congreso Web 2027
    event_id:
      source: {{from: random}}
      share: {{via: form_field, name: event_id}}
pages:
  - id: landing
    url: /
    buttons:
      - id: register
        selector: "form#registro"
        on: submit
        use: registration
{extra_pages}server:
  defaults:
    phone_country_code: "34"
    country: es
  events:
    - id: registration
      event: Lead
      action_source: website
      deduplicate_with: registration
      event_id: form.event_id
      event_time: {{path: submitted_at, format: rfc3339}}
      event_source_url: request.url
      user_data:
        em: form.email
        ph: form.phone
        fn: form.first_name
        client_ip_address: request.ip
        client_user_agent: request.user_agent
        fbp: request.cookies._fbp
      custom_data:
        content_name: {{value: Registro Congreso Web 2027}}
      sample:
        submitted_at: "2026-11-20T18:30:00Z"
        form:
          event_id: 3f1c2a9e-4b7d-4f2a-9c1e-8d5b6a7f0e21
          email: " Ana.Garcia@Example.com "
          phone: "600 123 456"
          first_name: Ana
        request:
          url: https://congreso.example.com/
          ip: 203.0.113.42
          user_agent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"
          cookies:
            _fbp: fb.1.1763650000000.1234567890
"#
    )
}

/// The landing page; `script` is the site's own JavaScript at the end of the body.
fn congreso_landing(snippet: &str, script: &str) -> String {
    let body = r#"<header class="site-header"><a class="logo" href="/">Congreso Web 2027</a>
<nav><a href="/#programa">Programa</a><a href="/#ponentes">Ponentes</a><a href="/#inscripcion">Inscripción</a></nav></header>
<main>
<section class="hero"><h1>Congreso Web 2027</h1><p>Madrid, 18 y 19 de noviembre · La Nave</p></section>
<section id="programa"><h2>Programa</h2><p>Dos días de charlas sobre rendimiento, accesibilidad y medición.</p></section>
<section id="inscripcion">
<h2>Reserva tu plaza</h2>
<form id="registro" action="/registro" method="post">
<label>Nombre <input name="first_name" autocomplete="given-name"></label>
<label>Email <input type="email" name="email" autocomplete="email"></label>
<label>Teléfono <input type="tel" name="phone" autocomplete="tel"></label>
<button class="btn" type="submit">Registrarme</button>
</form>
</section>
</main>
<footer class="site-footer">© 2027 Congreso Web · <a href="/privacidad">Privacidad</a></footer>
"#;
    page(
        "Congreso Web 2027 — Madrid",
        snippet,
        &format!("{body}{script}"),
    )
}

fn gracias(head: &str) -> String {
    page(
        "¡Gracias! — Congreso Web 2027",
        head,
        r#"<header class="site-header"><a class="logo" href="/">Congreso Web 2027</a></header>
<main><h1>¡Gracias por registrarte!</h1><p>Te hemos enviado la confirmación por email.</p></main>"#,
    )
}

/// Site 1: `<form action="/registro" method="post">`; the server answers the post with
/// `303 See Other` → `/gracias` (which, in per-page mode, has no snippet: it is not a
/// configured page). The browser check and the dedup check pass, and what the form really
/// posted carries the `eventID` the pixel sent.
#[test]
fn a_form_that_posts_and_redirects_passes_and_posts_the_event_id_it_sent() {
    let dist = build(&congreso_config(""));
    let site = serve(
        Routes::default()
            .with(
                "/",
                Route::html(congreso_landing(&dist.snippet("landing"), "")),
            )
            .with("/registro", Route::see_other("/gracias"))
            .with("/gracias", Route::html(gracias(""))),
    );
    let run = verify(&dist, &site, &[]);
    run.exits(0);
    run.expect("browser/landing/load", "passed", &[]);
    let c = run.expect("browser/landing/register", "passed", &[]);
    run.expect("server/registration", "passed", &[]);
    run.expect("dedup/registration", "passed", &[]);
    // The ground truth, from the site's side: the form posted the id the pixel sent.
    let lead = assert_sent(c, "Lead");
    let eid = event_id(lead).unwrap_or_else(|| panic!("the Lead has no eventID: {lead:?}"));
    assert!(!eid.is_empty());
    let posted = posts(&site, "/registro");
    assert!(
        posted
            .iter()
            .any(|r| r.body.split('&').any(|kv| kv == format!("event_id={eid}"))),
        "no POST /registro carries event_id={eid}: {posted:#?}"
    );
}

/// Site 2: the form's submit handler prevents the default, sends the form with `fetch`
/// (`FormData`, so multipart) and then sets `location.href`. `/gracias` is a configured
/// page with its own snippet (its `PageView` belongs to its own load, not to the form).
#[test]
fn a_form_sent_by_fetch_then_redirected_passes_and_the_fetch_carries_the_event_id() {
    let dist = build(&congreso_config("  - id: gracias\n    url: /gracias\n"));
    let script = r#"<script>
document.getElementById('registro').addEventListener('submit', async function (e) {
  e.preventDefault();
  var form = e.currentTarget;
  form.querySelector('button[type=submit]').disabled = true;
  var res = await fetch('/api/lead', {method: 'POST', body: new FormData(form)});
  if (res.ok) location.href = '/gracias';
});
</script>"#;
    let site = serve(
        Routes::default()
            .with(
                "/",
                Route::html(congreso_landing(&dist.snippet("landing"), script)),
            )
            .with("/api/lead", json_ok(r#"{"ok":true}"#))
            .with("/gracias", Route::html(gracias(&dist.snippet("gracias")))),
    );
    let run = verify(&dist, &site, &[]);
    run.exits(0);
    let c = run.expect("browser/landing/register", "passed", &[]);
    run.expect("browser/gracias/load", "passed", &[]);
    run.expect("dedup/registration", "passed", &[]);
    let lead = assert_sent(c, "Lead");
    let eid = event_id(lead).unwrap_or_else(|| panic!("the Lead has no eventID: {lead:?}"));
    let posted = posts(&site, "/api/lead");
    assert!(
        posted.iter().any(|r| r
            .body
            .contains(&format!("name=\"event_id\"\r\n\r\n{eid}\r\n"))),
        "no POST /api/lead carries the event id {eid}: {posted:#?}"
    );
}

// ---------------------------------------------------------------------------------------
// 5. A form inside a modal
// ---------------------------------------------------------------------------------------

fn quote_config(button_verify: &str) -> String {
    format!(
        r#"site:
  name: Reformas Levante
  url: https://reformaslevante.example.com
{PIXELS}consent: none
pages:
  - id: servicios
    url: /servicios
    buttons:
      - id: quote
        selector: "form#quote"
        on: submit
        event: Lead
        params:
          content_name: Presupuesto reforma
{button_verify}"#
    )
}

fn quote_site(snippet: &str) -> Server {
    let head = format!(
        "{snippet}\n<style>.modal{{position:fixed;inset:0;background:rgba(0,0,0,.5);display:flex;\
         align-items:center;justify-content:center}}.modal[hidden]{{display:none}}\
         .modal-dialog{{background:#fff;padding:24px;border-radius:8px;width:360px}}</style>"
    );
    let body = r#"<header class="site-header"><a class="logo" href="/">Reformas Levante</a>
<nav><a href="/servicios">Servicios</a><a href="/proyectos">Proyectos</a></nav></header>
<main>
<h1>Reformas integrales de cocinas y baños</h1>
<p>Presupuesto cerrado en 48 horas y obra con fecha de entrega por contrato.</p>
<button class="btn open-quote" type="button" aria-controls="quote-modal">Pide presupuesto sin compromiso</button>
</main>
<div class="modal" id="quote-modal" role="dialog" aria-modal="true" aria-labelledby="quote-title" hidden>
<div class="modal-dialog">
<h2 id="quote-title">Cuéntanos tu reforma</h2>
<form id="quote" action="/presupuesto" method="post">
<label>Nombre <input name="name" autocomplete="name"></label>
<label>Teléfono <input type="tel" name="phone" autocomplete="tel"></label>
<label>¿Qué quieres reformar? <select name="type"><option>Cocina</option><option>Baño</option><option>Vivienda completa</option></select></label>
<button class="btn" type="submit">Enviar solicitud</button>
<button class="btn btn-secondary close-modal" type="button">Cancelar</button>
</form>
</div>
</div>
<script>
var modal = document.getElementById('quote-modal');
document.querySelector('.open-quote').addEventListener('click', function () { modal.hidden = false; });
document.querySelector('.close-modal').addEventListener('click', function () { modal.hidden = true; });
</script>"#;
    let thanks = page(
        "Solicitud recibida — Reformas Levante",
        "",
        "<main><h1>Solicitud recibida</h1><p>Te llamamos en menos de 24 horas.</p></main>",
    );
    serve(
        Routes::default()
            .with(
                "/servicios",
                Route::html(page("Servicios — Reformas Levante", &head, body)),
            )
            .with("/presupuesto", Route::see_other("/presupuesto/gracias"))
            .with("/presupuesto/gracias", Route::html(thanks)),
    )
}

/// Site 5a: the form is in a closed modal; `verify.before` opens it, then the form is
/// submitted.
#[test]
fn a_form_in_a_modal_passes_once_the_modal_is_opened_first() {
    let dist = build(&quote_config(
        "        verify:\n          before: [{click: \"button.open-quote\"}]\n",
    ));
    let site = quote_site(&dist.snippet("servicios"));
    let run = verify(&dist, &site, &[]);
    run.exits(0);
    let c = run.expect("browser/servicios/quote", "passed", &[]);
    assert_sent(c, "Lead");
}

/// Site 5b: without the step, the form is hidden: no visitor can submit it.
#[test]
fn a_form_in_a_closed_modal_is_not_visible() {
    let dist = build(&quote_config(""));
    let site = quote_site(&dist.snippet("servicios"));
    let run = verify(&dist, &site, &[]);
    run.exits(1);
    run.expect("browser/servicios/quote", "failed", &["not visible"]);
    run.expect("browser/servicios/load", "passed", &[]);
    assert!(posts(&site, "/presupuesto").is_empty());
}

// ---------------------------------------------------------------------------------------
// 6. Required fields
// ---------------------------------------------------------------------------------------

fn newsletter_config(button_verify: &str) -> String {
    format!(
        r##"site:
  name: Cocina de Temporada
  url: https://cocinadetemporada.example.com
{PIXELS}consent: none
pages:
  - id: blog
    url: /blog
    buttons:
      - id: newsletter
        selector: "form#newsletter"
        on: submit
        event: Lead
        params:
          content_name: Newsletter
{button_verify}"##
    )
}

fn newsletter_site(snippet: &str) -> Server {
    let body = r#"<header class="site-header"><a class="logo" href="/">Cocina de Temporada</a>
<nav><a href="/recetas">Recetas</a><a href="/blog">Blog</a></nav></header>
<main>
<article><h1>Cinco cremas de otoño para toda la semana</h1>
<p>Calabaza, boniato, puerro, castaña y champiñón: se preparan el domingo y aguantan cinco días en la nevera.</p></article>
<aside class="newsletter">
<h2>Recibe una receta de temporada cada jueves</h2>
<form id="newsletter" action="/newsletter" method="post">
<label for="name">Nombre</label><input id="name" name="name" autocomplete="given-name" required>
<label for="email">Email</label><input id="email" name="email" type="email" autocomplete="email" required>
<button class="btn" type="submit">Suscribirme</button>
</form>
</aside>
</main>"#;
    let thanks = page(
        "¡Suscrita! — Cocina de Temporada",
        "",
        "<main><h1>¡Ya estás dentro!</h1><p>Revisa tu correo para confirmar la suscripción.</p></main>",
    );
    serve(
        Routes::default()
            .with(
                "/blog",
                Route::html(page("Blog — Cocina de Temporada", snippet, body)),
            )
            .with("/newsletter", Route::see_other("/newsletter/gracias"))
            .with("/newsletter/gracias", Route::html(thanks)),
    )
}

/// Site 6a: the form's fields are `required`; `verify.fill` types the values a visitor
/// would, and the form submits with them.
#[test]
fn a_form_with_required_fields_passes_when_filled() {
    let dist = build(&newsletter_config(
        "        verify:\n          fill: {\"#email\": \"ana@example.com\", \"#name\": \"Ana\"}\n",
    ));
    let site = newsletter_site(&dist.snippet("blog"));
    let run = verify(&dist, &site, &[]);
    run.exits(0);
    let c = run.expect("browser/blog/newsletter", "passed", &[]);
    assert_sent(c, "Lead");
    let posted = posts(&site, "/newsletter");
    assert!(
        posted.iter().any(|r| {
            let kv: Vec<&str> = r.body.split('&').collect();
            kv.contains(&"email=ana%40example.com") && kv.contains(&"name=Ana")
        }),
        "the filled values were not posted: {posted:#?}"
    );
}

/// Site 6b: without `verify.fill` the browser refuses to submit: the check fails and says
/// how to fix it — and the form is not forced through (nothing reaches the server).
#[test]
fn a_form_with_required_fields_left_empty_is_invalid() {
    let dist = build(&newsletter_config(""));
    let site = newsletter_site(&dist.snippet("blog"));
    let run = verify(&dist, &site, &[]);
    run.exits(1);
    run.expect(
        "browser/blog/newsletter",
        "failed",
        &["invalid", "verify.fill"],
    );
    assert!(
        posts(&site, "/newsletter").is_empty(),
        "an invalid form was submitted anyway"
    );
}

// ---------------------------------------------------------------------------------------
// 7. Dedup on a real site: what the form posted, and what tagc cannot see
// ---------------------------------------------------------------------------------------

/// Site 7a: the dedup check's passing result names the values it compared, and the id it
/// names is the one the pixel sent and the form really posted.
#[test]
fn the_dedup_check_shows_the_id_the_pixel_sent_and_the_form_posted() {
    let dist = build(&congreso_config(""));
    let site = serve(
        Routes::default()
            .with(
                "/",
                Route::html(congreso_landing(&dist.snippet("landing"), "")),
            )
            .with("/registro", Route::see_other("/gracias"))
            .with("/gracias", Route::html(gracias(""))),
    );
    let run = verify(&dist, &site, &[]);
    run.exits(0);
    let c = run.expect("browser/landing/register", "passed", &[]);
    let eid = event_id(assert_sent(c, "Lead")).unwrap().to_owned();
    let d = run.expect("dedup/registration", "passed", &[]);
    let shown = format!(
        "browser eventID = form field `event_id` = server event_id (from `form.event_id`) = \"{eid}\""
    );
    assert!(
        notes(d).iter().any(|(_, m)| *m == shown),
        "{shown:?} not in {:#}",
        d["notes"]
    );
    assert!(
        posts(&site, "/registro")
            .iter()
            .any(|r| r.body.split('&').any(|kv| kv == format!("event_id={eid}"))),
        "the form did not post event_id={eid}"
    );
}

/// Site 7b: the site's own form script also names a field `event_id` and overwrites it
/// after tagc's handler: the form posts the site's id, not the pixel's. Meta would never
/// deduplicate; both the browser check and the dedup check fail, naming the two values.
#[test]
fn a_site_that_overwrites_the_shared_field_fails_the_dedup_check() {
    let dist = build(&congreso_config(""));
    let script = r#"<script>
document.addEventListener('submit', function (e) {
  var i = e.target.querySelector('input[name=event_id]');
  if (i) i.value = 'cms-7731';
});
</script>"#;
    let site = serve(
        Routes::default()
            .with(
                "/",
                Route::html(congreso_landing(&dist.snippet("landing"), script)),
            )
            .with("/registro", Route::see_other("/gracias"))
            .with("/gracias", Route::html(gracias(""))),
    );
    let run = verify(&dist, &site, &[]);
    run.exits(1);
    run.expect("browser/landing/register", "failed", &[]);
    let d = run.expect("dedup/registration", "failed", &["would not deduplicate"]);
    let m = d["mismatches"].to_string();
    assert!(
        m.contains("form field `event_id`") && m.contains("cms-7731"),
        "{m}"
    );
    assert!(
        posts(&site, "/registro")
            .iter()
            .any(|r| r.body.split('&').any(|kv| kv == "event_id=cms-7731")),
        "the site's script did not run as designed"
    );
}

/// Site 7c: the thank-you page's order id (data layer) is the event id, and the server
/// sends the same order from its own record. tagc sees the page's order, never the
/// backend's, and the sample is another order: the result is an assumption, stated with
/// both values, not a failure and not a pass.
#[test]
fn a_data_layer_order_id_on_a_real_site_is_assumed_with_both_values() {
    let dist = build(&format!(
        r#"site:
  name: Tienda Ejemplo
  url: https://shop.example.com
{PIXELS}consent: none
events:
  purchase:
    event: Purchase
    params:
      value: {{from: data_layer, path: ecommerce.value, type: number}}
      currency: {{from: data_layer, path: ecommerce.currency}}
    event_id:
      source: {{from: data_layer, path: ecommerce.transaction_id}}
pages:
  - id: thanks
    url: /checkout/gracias
    on_load:
      - use: purchase
server:
  events:
    - id: purchase
      event: Purchase
      action_source: website
      deduplicate_with: purchase
      event_id: order.id
      event_source_url: order.url
      user_data:
        em: order.email
        client_user_agent: order.user_agent
      custom_data:
        value: order.total
        currency: order.currency
      sample:
        order:
          id: ES-2026-004217
          url: https://shop.example.com/checkout/gracias
          email: lucia@example.com
          user_agent: "Mozilla/5.0 (X11; Linux x86_64)"
          total: 49.9
          currency: EUR
"#
    ));
    let head = format!(
        "<script>window.dataLayer = [{{ecommerce: {{transaction_id: 'ES-2026-009999', value: 120.5, currency: 'EUR'}}}}];</script>\n{}",
        dist.snippet("thanks")
    );
    let site = serve(Routes::default().with(
        "/checkout/gracias",
        Route::html(page(
            "Gracias por tu compra — Tienda Ejemplo",
            &head,
            "<main><h1>¡Gracias por tu compra!</h1><p>Pedido ES-2026-009999</p></main>",
        )),
    ));
    let run = verify(&dist, &site, &[]);
    run.exits(0);
    run.expect("browser/thanks/load", "passed", &[]);
    let d = run.expect(
        "dedup/purchase",
        "assumed",
        &["assumed: the backend's `order.id` carries the page's data layer ecommerce.transaction_id"],
    );
    let n = notes(d);
    assert!(
        n.iter().any(|(_, m)| m.contains("\"ES-2026-009999\"")
            && m.contains("\"ES-2026-004217\"")
            && m.contains("another order")),
        "{n:?}"
    );
    assert_eq!(run.report["summary"]["assumed"], 1);
}

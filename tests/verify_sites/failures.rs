//! What must fail or could not run: page errors that are only notes, a 404 that
//! carries the pixel, a page that lost its snippet, Meta unreachable.

use super::*;

// ---------------------------------------------------------------------------------------
// 15–18. Page errors, a 404 with the pixel, a lost snippet, Meta unreachable
// ---------------------------------------------------------------------------------------

fn tienda_config() -> String {
    format!(
        r#"site:
  name: Librería Alba
  url: https://libreriaalba.example.com
{PIXELS}consent: none
pages:
  - id: home
    url: /
    on_load:
      - event: ViewContent
        params:
          content_name: Portada
    buttons:
      - id: add
        selector: button.add-to-cart
        event: AddToCart
        params:
          content_type: product
          currency: EUR
          value: 19.9
  - id: about
    url: /nosotros
  - id: contact
    url: /contacto
    buttons:
      - id: whatsapp
        selector: button.whatsapp
        event: Contact
"#
    )
}

fn tienda_home(head: &str, extra: &str) -> String {
    page(
        "Librería Alba — Libros nuevos y de ocasión",
        head,
        &format!(
            r#"<header class="site-header"><a class="logo" href="/">Librería Alba</a>
<nav><a href="/nosotros">Nosotros</a><a href="/contacto">Contacto</a></nav></header>
<main>
<h1>Novedades de la semana</h1>
<div class="book"><h2>La casa de los pájaros</h2><p>19,90 €</p>
<button class="btn add-to-cart" type="button">Añadir a la cesta</button></div>
<div class="carousel" id="recomendados"></div>
</main>
{extra}"#
        ),
    )
}

fn tienda_contact(head: &str) -> String {
    page(
        "Contacto — Librería Alba",
        head,
        r#"<header class="site-header"><a class="logo" href="/">Librería Alba</a></header>
<main><h1>Contacto</h1><p>Calle Mayor 8, Salamanca · 923 000 000</p>
<button class="btn whatsapp" type="button">Escríbenos por WhatsApp</button></main>"#,
    )
}

/// Site 15: the page logs an error and an unrelated script throws; the pixel works, so
/// every check passes, and the notes report both.
#[test]
fn unrelated_page_errors_are_notes_not_failures() {
    let dist = build(&tienda_config());
    let scripts = r#"<script>
// The chat widget could not connect (a third-party service, down right now).
console.error('[chat-widget] websocket connection failed: wss://chat.libreriaalba.example.net');
</script>
<script>
// The carousel plugin was removed from the bundle but its initialisation was not.
window.Tienda.initCarousel('#recomendados');
</script>"#;
    let site = serve(Routes::default().with(
        "/",
        Route::html(tienda_home(&dist.snippet("home"), scripts)),
    ));
    let run = verify(&dist, &site, &["--check", "browser/home"]);
    run.exits(0);
    for id in ["browser/home/load", "browser/home/add"] {
        let c = run.expect(id, "passed", &[]);
        let all: Vec<String> = notes(c).into_iter().map(|(_, m)| m).collect();
        let all = all.join("\n");
        assert!(
            all.contains("chat-widget"),
            "{id}: no note about the console error: {all}"
        );
        assert!(
            all.contains("initCarousel"),
            "{id}: no note about the exception: {all}"
        );
    }
    assert_sent(run.check("browser/home/add"), "AddToCart");
}

/// Site 16: `/nosotros` is gone; the site answers 404 with its error page, whose layout
/// still carries the pixel (the `PageView` fires, on a page that does not exist).
#[test]
fn a_404_page_that_carries_the_pixel_fails_with_its_status() {
    let dist = build(&tienda_config());
    let site = serve(Routes {
        paths: BTreeMap::from([(
            "/".to_owned(),
            Route::html(tienda_home(&dist.snippet("home"), "")),
        )]),
        fallback: Some(not_found(error_page(&dist.snippet("about")))),
    });
    let run = verify(&dist, &site, &["--check", "browser/about"]);
    run.exits(1);
    run.expect("browser/about/load", "failed", &["HTTP 404", "/nosotros"]);
}

/// Site 17: the contact page lost its snippet (a template change). Both of its checks
/// fail at once — nothing will ever fire, so there is nothing to wait for.
#[test]
fn a_page_without_the_snippet_fails_fast() {
    let dist = build(&tienda_config());
    let site = serve(Routes::default().with("/contacto", Route::html(tienda_contact(""))));
    let run = verify(
        &dist,
        &site,
        &["--check", "browser/contact", "--timeout", "60"],
    );
    run.exits(1);
    run.expect("browser/contact/load", "failed", &["no tagc snippet"]);
    run.expect("browser/contact/whatsapp", "failed", &["no tagc snippet"]);
    assert!(
        run.elapsed < Duration::from_secs(15),
        "took {:?}: it waited for a deadline",
        run.elapsed
    );
}

/// Site 18: a correct page, `--fbevents real`, and Meta's hosts unreachable (every
/// non-loopback host goes through a proxy that refuses connections): the check could not
/// run, says why and what to do, and says so at once.
#[test]
fn meta_unreachable_with_real_fbevents_could_not_run_fast() {
    let dist = build(&tienda_config());
    let site = serve(Routes::default().with(
        "/contacto",
        Route::html(tienda_contact(&dist.snippet("contact"))),
    ));
    let base = site.url("");
    let run = verify_raw(
        &dist.plan(),
        &[
            "--base-url",
            &base,
            "--fbevents",
            "real",
            "--check",
            "browser/contact/load",
            "--timeout",
            "60",
        ],
        &[("TAGC_CHROMIUM_FLAGS", "--proxy-server=http://127.0.0.1:9")],
    );
    run.exits(2);
    run.expect(
        "browser/contact/load",
        "error",
        &["fbevents.js", "--fbevents recorder"],
    );
    assert!(
        run.elapsed < Duration::from_secs(15),
        "took {:?}: it waited for a deadline",
        run.elapsed
    );
}

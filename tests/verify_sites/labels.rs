//! Buttons found by their text (duplicates, CSS capitals, `<br>`, `&nbsp;`, spans) and
//! inside an open shadow root.

use super::*;

// ---------------------------------------------------------------------------------------
// 11–13. Buttons found by their text
// ---------------------------------------------------------------------------------------

/// The conference landing page with an "Asistir presencial" button found by its text.
fn attend_config(pages: &[(&str, &str)]) -> String {
    let mut s = format!(
        "site:\n  name: Congreso Web 2027\n  url: https://congreso.example.com\n{PIXELS}consent: none\npages:\n"
    );
    for (id, url) in pages {
        s.push_str(&format!(
            "  - id: {id}\n    url: {url}\n    buttons:\n      - id: attend\n        text: Asistir presencial\n        event: Lead\n        params:\n          content_name: Asistencia presencial\n"
        ));
    }
    s
}

/// The landing page: a hero with `hero` as its main call to action, and a footer link to
/// the registration section.
fn attend_page(snippet: &str, hero: &str) -> String {
    let body = r##"<header class="site-header"><a class="logo" href="/">Congreso Web 2027</a>
<nav><a href="#programa">Programa</a><a href="#registro">Registro</a></nav></header>
<main>
<section class="hero">
<h1>Congreso Web 2027</h1>
<p>Madrid, 18 y 19 de noviembre. Presencial en La Nave o en directo online.</p>
HERO
<a class="btn btn-secondary" href="#online">Ver online</a>
</section>
<section id="programa"><h2>Programa</h2><p>Rendimiento, accesibilidad y medición sin cookies de terceros.</p></section>
<section id="registro"><h2>Registro</h2><p>Plazas presenciales limitadas a 400.</p></section>
</main>
<footer class="site-footer">
<p>¿Vienes a Madrid? <a href="#registro">Asistir presencial</a></p>
<p>© 2027 Congreso Web</p>
</footer>"##
        .replace("HERO", hero);
    page("Congreso Web 2027", snippet, &body)
}

/// Site 11a: the hero button and the footer link both read "Asistir presencial": the
/// check passes (either fires the Lead) with a warning naming the ambiguity, and fails
/// with `--deny-warnings`.
#[test]
fn a_label_on_two_visible_elements_is_a_warning_and_fails_with_deny_warnings() {
    let dist = build(&attend_config(&[("landing", "/")]));
    let site = serve(Routes::default().with(
        "/",
        Route::html(attend_page(
            &dist.snippet("landing"),
            r#"<button class="btn cta" type="button">Asistir presencial</button>"#,
        )),
    ));
    let run = verify(&dist, &site, &[]);
    run.exits(0);
    let c = run.expect("browser/landing/attend", "passed", &[]);
    assert_sent(c, "Lead");
    let w = warnings(c);
    assert!(
        w.iter().any(|m| m.contains("2 visible elements")),
        "no warning about 2 visible elements: {:#}",
        c["notes"]
    );

    let run = verify(&dist, &site, &["--deny-warnings"]);
    run.exits(1);
    let c = run.expect("browser/landing/attend", "failed", &[]);
    assert!(
        warnings(c).iter().any(|m| m.contains("2 visible elements")),
        "{c:#}"
    );
    run.expect("browser/landing/load", "passed", &[]);
}

/// Site 11b: the hero says "Inscribirse" now; only the footer link reads "Asistir
/// presencial": no ambiguity, and the note says the footer `<a>` was clicked.
#[test]
fn a_label_on_one_element_passes_and_names_the_element_clicked() {
    let dist = build(&attend_config(&[("landing", "/")]));
    let site = serve(Routes::default().with(
        "/",
        Route::html(attend_page(
            &dist.snippet("landing"),
            r#"<button class="btn cta" type="button">Inscribirse</button>"#,
        )),
    ));
    let run = verify(&dist, &site, &["--deny-warnings"]);
    run.exits(0);
    let c = run.expect("browser/landing/attend", "passed", &[]);
    assert_sent(c, "Lead");
    assert!(warnings(c).is_empty(), "{:#}", c["notes"]);
    assert_acted_on(c, "<a", "Asistir presencial");
}

/// Site 12: the label is written in sentence case and shown in capitals by CSS.
#[test]
fn a_label_shown_uppercase_by_css_is_found_by_its_text() {
    let dist = build(&attend_config(&[("landing", "/")]));
    let site = serve(Routes::default().with(
        "/",
        Route::html(attend_page(
            &dist.snippet("landing"),
            r#"<button class="btn cta" type="button" style="text-transform: uppercase; letter-spacing: .05em">Asistir presencial</button>"#,
        )),
    ));
    let run = verify(&dist, &site, &["--check", "browser/landing/attend"]);
    run.exits(0);
    let c = run.expect("browser/landing/attend", "passed", &[]);
    assert_sent(c, "Lead");
    assert!(
        notes(c)
            .iter()
            .any(|(_, m)| m.contains("<button") && m.to_lowercase().contains("asistir presencial")),
        "no note names the <button> clicked: {:#}",
        c["notes"]
    );
}

/// Site 13: the label broken over two lines with `<br>`, glued by `&nbsp;`, or split into
/// two `<span>`s — the visitor reads "Asistir presencial" on each, and the pixel must
/// really fire on each (the `sent` calls have the `Lead`).
#[test]
fn labels_split_by_br_nbsp_or_spans_are_found_and_fire() {
    let variants = [
        (
            "madrid",
            "/",
            r#"<button class="btn cta" type="button">Asistir<br>presencial</button>"#,
        ),
        (
            "barcelona",
            "/barcelona",
            r#"<button class="btn cta" type="button">Asistir&nbsp;presencial</button>"#,
        ),
        (
            "sevilla",
            "/sevilla",
            r#"<button class="btn cta" type="button"><span>Asistir</span> <span>presencial</span></button>"#,
        ),
    ];
    let pages: Vec<(&str, &str)> = variants.iter().map(|(id, url, _)| (*id, *url)).collect();
    let dist = build(&attend_config(&pages));
    let mut routes = Routes::default();
    for (id, url, hero) in variants {
        routes = routes.with(url, Route::html(attend_page(&dist.snippet(id), hero)));
    }
    let site = serve(routes);
    let run = verify(&dist, &site, &[]);
    for (id, _, hero) in variants {
        let c = run.expect(&format!("browser/{id}/attend"), "passed", &[]);
        assert!(
            sent_call(c, "Lead").is_some(),
            "{hero}: no Lead sent: {c:#}"
        );
    }
    run.exits(0);
}

// ---------------------------------------------------------------------------------------
// 14. Open shadow DOM
// ---------------------------------------------------------------------------------------

/// Site 14: a `<buy-button>` web component whose open shadow root holds
/// `<button class="buy">Comprar</button>`; one product page's button is configured by
/// selector, another's by text.
#[test]
fn a_button_inside_an_open_shadow_root_is_found_by_selector_and_by_text() {
    let dist = build(&format!(
        r#"site:
  name: Montaña Sport
  url: https://montanasport.example.com
{PIXELS}consent: none
pages:
  - id: trail
    url: /producto/zapatilla-trail-aneto
    buttons:
      - id: buy
        selector: button.buy
        event: AddToCart
        params:
          content_type: product
          content_name: Zapatilla trail Aneto
  - id: boots
    url: /producto/bota-teide
    buttons:
      - id: buy
        text: Comprar
        event: AddToCart
        params:
          content_type: product
          content_name: Bota de montaña Teide
"#
    ));
    let component = r#"<script>
customElements.define('buy-button', class extends HTMLElement {
  connectedCallback() {
    if (this.shadowRoot) return;
    var root = this.attachShadow({mode: 'open'});
    root.innerHTML = '<style>.buy{padding:12px 28px;border:0;border-radius:24px;background:#e4572e;color:#fff;font-size:17px;cursor:pointer}</style>' +
      '<button class="buy" part="button">Comprar</button>';
    var host = this;
    root.querySelector('.buy').addEventListener('click', function () {
      host.dispatchEvent(new CustomEvent('buy', {bubbles: true, composed: true, detail: {sku: host.getAttribute('sku')}}));
    });
  }
});
document.addEventListener('buy', function (e) {
  var n = document.querySelector('.cart-count');
  n.textContent = String(Number(n.textContent) + 1);
});
</script>"#;
    let product = |snippet: &str, name: &str, sku: &str, price: &str| {
        page(
            &format!("{name} — Montaña Sport"),
            snippet,
            &format!(
                "<header class=\"site-header\"><a class=\"logo\" href=\"/\">Montaña Sport</a>\
                 <a href=\"/cesta\">Cesta (<span class=\"cart-count\">0</span>)</a></header>\n\
                 <main><h1>{name}</h1><p class=\"price\">{price}</p>\n\
                 <buy-button sku=\"{sku}\"></buy-button></main>\n{component}"
            ),
        )
    };
    let site = serve(
        Routes::default()
            .with(
                "/producto/zapatilla-trail-aneto",
                Route::html(product(
                    &dist.snippet("trail"),
                    "Zapatilla trail Aneto",
                    "ZT-ANETO-42",
                    "119,00 €",
                )),
            )
            .with(
                "/producto/bota-teide",
                Route::html(product(
                    &dist.snippet("boots"),
                    "Bota de montaña Teide",
                    "BT-TEIDE-43",
                    "149,00 €",
                )),
            ),
    );
    let run = verify(&dist, &site, &[]);
    run.exits(0);
    for id in ["browser/trail/buy", "browser/boots/buy"] {
        let c = run.expect(id, "passed", &[]);
        assert_sent(c, "AddToCart");
    }
}

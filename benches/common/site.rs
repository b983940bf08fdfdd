//! A realistic local site for `tagc verify --base-url`: N shop category pages × 10 tracked
//! elements — product-card buttons, a quote button found by its text, a call to action
//! the app renders late, a link to the next page, a newsletter form with a required field
//! that posts and redirects, a wishlist button — and the configuration that tracks it.

use std::fmt::Write as _;
use std::path::Path;

use tagc::browser::serve::{Route, Routes};

/// Writes the configuration for `pages` pages to `dir/tagc.yaml` and returns its path.
/// Without `hints` it leaves out the `verify:` hints (for a tagc that predates them).
pub fn config(dir: &Path, pages: usize, hints: bool) -> std::path::PathBuf {
    std::fs::create_dir_all(dir).expect("site dir");
    let mut s = String::from(
        "# yaml-language-server: $schema=../../schema/tagc.schema.json\npixels:\n  - name: main\n    ids: {production: \"123456789012345\"}\nevents:\n  add_to_cart:\n    event: AddToCart\n    params:\n      value: {from: attribute, name: data-price, closest: .product, type: number}\n      currency: EUR\n      content_ids: {from: attribute, name: data-sku, closest: .product, type: \"string[]\"}\n      content_type: product\npages:\n",
    );
    for p in 0..pages {
        let _ = write!(
            s,
            "  - id: cat-{p}\n    url: /shop/cat-{p}\n    on_load:\n      - event: ViewContent\n        params:\n          content_category: {{from: data_layer, path: page.category}}\n          content_name: {{from: meta, name: \"og:title\"}}\n    buttons:\n"
        );
        for b in 0..5 {
            let _ = write!(
                s,
                "      - id: add-{b}\n        selector: \"#p{p} .product:nth-child({n}) button.add-to-cart\"\n        use: add_to_cart\n",
                n = b + 1
            );
        }
        let _ = write!(
            s,
            "      - id: quote\n        text: Solicitar presupuesto\n        event: Contact\n\
             \x20     - id: trial\n        selector: button.cta-trial\n        event: StartTrial\n        params: {{value: 0, currency: EUR}}\n\
             \x20     - id: more\n        selector: a.more\n        event: VerMas\n        custom: true\n\
             \x20     - id: newsletter\n        selector: form#newsletter\n        on: submit\n        event: Subscribe\n        params: {{value: 0, currency: EUR}}\n{fill}\
             \x20     - id: wish\n        selector: \"[data-wishlist='{p}']\"\n        event: AddToWishlist\n        params:\n          value: {{from: attribute, name: data-price, type: number}}\n          currency: EUR\n",
            fill = if hints {
                "        verify:\n          fill: {\"#newsletter-email\": ana@example.com}\n"
            } else {
                ""
            }
        );
    }
    let path = dir.join("tagc.yaml");
    std::fs::write(&path, s).expect("write config");
    path
}

/// The site's routes, each page carrying its own inline snippet from `snippets`
/// (`dist/pixel/pages`).
pub fn routes(snippets: &Path, pages: usize) -> Routes {
    let mut routes = Routes::default()
        .with("/subscribe", Route::see_other("/gracias"))
        .with(
            "/gracias",
            Route::html("<!doctype html><html><head><meta charset=\"utf-8\"><title>Gracias</title></head><body><h1>¡Gracias por suscribirte!</h1></body></html>"),
        );
    for p in 0..pages {
        let snippet = std::fs::read_to_string(snippets.join(format!("cat-{p}.html")))
            .expect("the page's snippet");
        let mut products = String::new();
        for n in 0..5 {
            let _ = write!(
                products,
                "<article class=\"product\" data-sku=\"SKU-{p}-{n}\" data-price=\"{}9,90 €\"><h2>Camiseta {n}</h2><p class=\"price\">{}9,90 €</p><button class=\"add-to-cart\" type=\"button\">Añadir al carrito</button></article>",
                n + 1,
                n + 1
            );
        }
        let html = format!(
            r#"<!doctype html>
<html lang="es"><head><meta charset="utf-8"><title>Categoría {p}</title>
<meta property="og:title" content="Categoría {p}">
<script>window.dataLayer = window.dataLayer || []; dataLayer.push({{page: {{category: "cat-{p}"}}}});</script>
{snippet}
<style>body {{ font-family: sans-serif; }} .product {{ display: inline-block; width: 140px; margin: 4px; }}</style>
</head><body>
<header><nav><a href="/shop/cat-0">Inicio</a></nav></header>
<main>
<h1>Categoría {p}</h1>
<section id="p{p}">{products}</section>
<p><button class="quote" type="button">Solicitar presupuesto</button></p>
<div id="app"></div>
<p><a class="more" href="/shop/cat-{next}">Ver más productos</a></p>
<button data-wishlist="{p}" data-price="19.90" type="button">♡ Guardar</button>
<form id="newsletter" action="/subscribe" method="post">
  <input id="newsletter-email" name="email" type="email" required placeholder="tu@email.com">
  <button type="submit">Suscribirme</button>
</form>
</main>
<script>
// The app renders its call to action a moment after load.
setTimeout(() => {{
  const b = document.createElement('button');
  b.className = 'cta-trial';
  b.textContent = 'Prueba gratis';
  document.getElementById('app').appendChild(b);
}}, 300);
</script>
</body></html>"#,
            next = (p + 1) % pages
        );
        routes = routes.with(&format!("/shop/cat-{p}"), Route::html(html));
    }
    routes
}

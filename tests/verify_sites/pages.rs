//! Reaching the page: a link that navigates, a late-rendered button, a parametrized
//! product URL, a single-page-app route.

use super::*;

// ---------------------------------------------------------------------------------------
// 3. A tracked link that navigates
// ---------------------------------------------------------------------------------------

/// Site 3: `<a href="/precios">` fires a custom event on click, and the browser goes to
/// `/precios` (a configured page with its own snippet).
#[test]
fn a_tracked_link_that_navigates_passes() {
    let dist = build(&format!(
        r#"site:
  name: Estudio Norte
  url: https://estudionorte.example.com
{PIXELS}consent: none
pages:
  - id: home
    url: /
    buttons:
      - id: pricing
        selector: "a[href='/precios']"
        event: VerPrecios
        custom: true
  - id: precios
    url: /precios
"#
    ));
    let home = page(
        "Estudio Norte — Diseño de interiores",
        &dist.snippet("home"),
        r#"<header class="site-header"><a class="logo" href="/">Estudio Norte</a>
<nav><a href="/proyectos">Proyectos</a><a href="/contacto">Contacto</a></nav></header>
<main>
<h1>Diseñamos espacios que se viven</h1>
<p>Reformas de viviendas y locales en Bilbao y alrededores.</p>
<p><a class="btn" href="/precios">Ver precios y planes</a></p>
</main>
<footer class="site-footer">Estudio Norte · Gran Vía 12, Bilbao</footer>"#,
    );
    let precios = page(
        "Precios — Estudio Norte",
        &dist.snippet("precios"),
        r#"<header class="site-header"><a class="logo" href="/">Estudio Norte</a></header>
<main><h1>Precios</h1><ul><li>Consulta inicial: gratis</li><li>Proyecto básico: desde 1.200 €</li></ul></main>"#,
    );
    let site = serve(
        Routes::default()
            .with("/", Route::html(home))
            .with("/precios", Route::html(precios)),
    );
    let run = verify(&dist, &site, &["--check", "browser/home"]);
    run.exits(0);
    let c = run.expect("browser/home/pricing", "passed", &[]);
    assert_sent(c, "VerPrecios");
    assert_acted_on(c, "<a", "Ver precios y planes");
}

// ---------------------------------------------------------------------------------------
// 4. A button the app renders late
// ---------------------------------------------------------------------------------------

fn trial_config(button_verify: &str) -> String {
    format!(
        r#"site:
  name: Facturo
  url: https://facturo.example.com
{PIXELS}consent: none
pages:
  - id: home
    url: /
    buttons:
      - id: trial
        selector: button.cta-trial
        event: StartTrial
        params:
          value: 0
          currency: EUR
          predicted_ltv: 348
{button_verify}"#
    )
}

/// A React-style app: an empty root with a skeleton, filled in by the bundle once its
/// data has arrived, `delay_ms` after load.
fn trial_app(snippet: &str, delay_ms: u32) -> Server {
    let body = r#"<div id="root"><div class="skeleton" aria-busy="true">Cargando…</div></div>
<script>
(function () {
  function h(tag, props, text) {
    var el = document.createElement(tag);
    Object.keys(props || {}).forEach(function (k) { el.setAttribute(k, props[k]); });
    if (text) el.textContent = text;
    return el;
  }
  function App() {
    var main = h('main');
    main.appendChild(h('h1', null, 'Facturación sin dolor'));
    main.appendChild(h('p', null, 'Facturas, presupuestos y gastos en un solo sitio. 14 días gratis, sin tarjeta.'));
    main.appendChild(h('button', {'class': 'btn cta-trial', type: 'button'}, 'Empieza tu prueba gratis'));
    return main;
  }
  // The app renders when its configuration has arrived from the API.
  setTimeout(function () {
    var root = document.getElementById('root');
    root.replaceChildren(App());
  }, DELAY_MS);
})();
</script>"#
        .replace("DELAY_MS", &delay_ms.to_string());
    serve(Routes::default().with(
        "/",
        Route::html(page("Facturo — Facturación online", snippet, &body)),
    ))
}

/// Site 4a: `button.cta-trial` appears 1.5 s after load; the default wait (10 s) finds it.
#[test]
fn a_button_rendered_late_by_the_app_is_waited_for() {
    let dist = build(&trial_config(""));
    let site = trial_app(&dist.snippet("home"), 1500);
    let run = verify(&dist, &site, &[]);
    run.exits(0);
    let c = run.expect("browser/home/trial", "passed", &[]);
    assert_sent(c, "StartTrial");
    assert_acted_on(c, "<button", "Empieza tu prueba gratis");
}

/// Site 4b: the button appears after 4 s but the configuration waits 1 s for it: "no
/// element matches", well before the button shows up. The load check runs first, so the
/// browser's start-up is not in the button check's time.
#[test]
fn a_button_rendered_after_its_wait_is_not_found_and_not_waited_for() {
    let dist = build(&trial_config("        verify:\n          wait: 1\n"));
    let site = trial_app(&dist.snippet("home"), 4000);
    let run = verify(&dist, &site, &["--jobs", "1"]);
    run.exits(1);
    run.expect("browser/home/load", "passed", &[]);
    let c = run.expect("browser/home/trial", "failed", &["no element matches"]);
    let millis = c["millis"].as_u64().unwrap_or(u64::MAX);
    assert!(
        millis < 4000,
        "the check took {millis} ms: it waited for the button beyond its 1 s"
    );
}

// ---------------------------------------------------------------------------------------
// 7. A parametrized product page
// ---------------------------------------------------------------------------------------

fn product_config(page_verify: &str) -> String {
    format!(
        r#"site:
  name: Calzados Rivera
  url: https://calzadosrivera.example.com
{PIXELS}consent: none
pages:
  - id: product
    url: /p/{{slug}}
{page_verify}    on_load:
      - event: ViewContent
        params:
          content_ids: {{from: url_param, name: slug, type: "string[]"}}
          content_type: product
    buttons:
      - id: add
        selector: button.add-to-cart
        event: AddToCart
        params:
          content_ids: {{from: url_param, name: slug, type: "string[]"}}
          content_type: product
          value: {{from: attribute, name: data-price, closest: .product, type: number}}
          currency: EUR
"#
    )
}

/// The shop serves one product; any other product URL is its 404 page.
fn product_site(snippet: &str) -> Server {
    let body = r#"<header class="site-header"><a class="logo" href="/">Calzados Rivera</a>
<nav><a href="/c/mujer">Mujer</a><a href="/c/hombre">Hombre</a></nav></header>
<main>
<div class="product" data-sku="red-shoes" data-price="89,95">
<h1>Zapato de salón rojo</h1>
<p class="price">89,95 €</p>
<label>Talla <select name="size"><option>37</option><option>38</option><option>39</option></select></label>
<button class="btn add-to-cart" type="button">Añadir a la cesta</button>
</div>
</main>"#;
    serve(Routes {
        paths: BTreeMap::from([(
            "/p/red-shoes".to_owned(),
            Route::html(page(
                "Zapato de salón rojo — Calzados Rivera",
                snippet,
                body,
            )),
        )]),
        fallback: Some(not_found(error_page(""))),
    })
}

/// Site 7a: `/p/{slug}` is checked at the URL the configuration names.
#[test]
fn a_product_page_is_checked_at_its_configured_url() {
    let dist = build(&product_config("    verify:\n      urls: [/p/red-shoes]\n"));
    let site = product_site(&dist.snippet("product"));
    let run = verify(&dist, &site, &[]);
    run.exits(0);
    let c = run.expect("browser/product/load", "passed", &[]);
    let view = assert_sent(c, "ViewContent");
    assert_eq!(
        params(view)["content_ids"],
        serde_json::json!(["red-shoes"]),
        "{view:?}"
    );
    let c = run.expect("browser/product/add", "passed", &[]);
    assert_sent(c, "AddToCart");
}

/// Site 7b: without `verify.urls` there is no real URL to load (a made-up slug would be a
/// 404 on any real shop): the page's checks are skipped, and the site is not asked for
/// any product.
#[test]
fn a_parametrized_page_without_urls_is_skipped() {
    let dist = build(&product_config(""));
    let site = product_site(&dist.snippet("product"));
    let run = verify(&dist, &site, &["--only", "browser"]);
    run.exits(0);
    run.expect(
        "browser/product/load",
        "skipped",
        &["not verifiable on a real site"],
    );
    run.expect(
        "browser/product/add",
        "skipped",
        &["not verifiable on a real site"],
    );
    assert!(
        !site.requests().iter().any(|p| p.starts_with("/p/")),
        "{:?}",
        site.requests()
    );
}

// ---------------------------------------------------------------------------------------
// 10. A single-page app
// ---------------------------------------------------------------------------------------

fn spa_config(page_verify: &str) -> String {
    format!(
        r#"site:
  name: Facturo
  url: https://facturo.example.com
{PIXELS}consent: none
pages:
  - id: pricing
    url: /app/pricing
{page_verify}    on_load:
      - event: ViewContent
        params:
          content_name: Planes y precios
          content_category: {{from: data_layer, path: page.category}}
"#
    )
}

/// The app shell at `/app` (the only path the server knows: no deep-link fallback). Its
/// router renders views on `pushState`; `data_first` says whether it pushes the new
/// view's data-layer entry before navigating (right) or just after (too late).
fn spa_site(snippet: &str, data_first: bool) -> Server {
    let navigate = if data_first {
        "window.dataLayer.push({page: {category: categories[path]}});\n    \
         history.pushState({}, '', path);\n    render(path);"
    } else {
        "history.pushState({}, '', path);\n    render(path);\n    \
         setTimeout(function () { window.dataLayer.push({page: {category: categories[path]}}); }, 0);"
    };
    let body = r#"<div id="app">
<header class="site-header"><a class="logo" href="/app" data-route>Facturo</a>
<nav><a href="/app" data-route>Panel</a><a href="/app/facturas" data-route>Facturas</a><a href="/app/pricing" data-route>Precios</a></nav></header>
<main id="view"><h1>Panel</h1><p>Hola, Ana. Tienes 3 facturas pendientes de cobro.</p></main>
</div>
<script>
(function () {
  window.dataLayer = window.dataLayer || [];
  window.dataLayer.push({user: {plan: 'free'}});
  var views = {
    '/app': '<h1>Panel</h1><p>Hola, Ana. Tienes 3 facturas pendientes de cobro.</p>',
    '/app/facturas': '<h1>Facturas</h1><table><tr><td>F-2027-014</td><td>1.210,00 €</td></tr></table>',
    '/app/pricing': '<h1>Planes y precios</h1><ul class="plans"><li>Básico — 9 €/mes</li><li>Pro — 29 €/mes</li></ul><button class="btn" type="button">Pasar a Pro</button>'
  };
  var categories = {'/app': 'dashboard', '/app/facturas': 'invoices', '/app/pricing': 'pricing'};
  function render(path) {
    document.getElementById('view').innerHTML = views[path] || '<h1>No encontrado</h1>';
  }
  function navigate(path) {
    NAVIGATE
  }
  document.addEventListener('click', function (e) {
    var a = e.target.closest('a[data-route]');
    if (!a) return;
    e.preventDefault();
    navigate(a.getAttribute('href'));
  });
  window.addEventListener('popstate', function () { render(location.pathname); });
})();
</script>"#
        .replace("NAVIGATE", navigate);
    serve(Routes {
        paths: BTreeMap::from([(
            "/app".to_owned(),
            Route::html(page("Facturo", snippet, &body)),
        )]),
        fallback: Some(not_found(error_page(""))),
    })
}

const SPA_BEFORE: &str =
    "    verify:\n      before: [{goto: /app}, {click: \"a[href='/app/pricing']\"}]\n";

/// Site 10a: the pricing view is reached the way visitors reach it, by a route change
/// from the shell; its data-layer entry is there when the route changes.
#[test]
fn a_spa_route_with_its_data_pushed_before_navigation_passes() {
    let dist = build(&spa_config(SPA_BEFORE));
    let site = spa_site(&dist.snippet("pricing"), true);
    let run = verify(&dist, &site, &[]);
    run.exits(0);
    let c = run.expect("browser/pricing/load", "passed", &[]);
    let view = assert_sent(c, "ViewContent");
    assert_eq!(params(view)["content_category"], "pricing", "{view:?}");
    // The shell was loaded and the route changed in the page: `/app/pricing` itself, a 404
    // here, was never the document.
    assert!(site.requests().iter().any(|p| p == "/app"));
}

/// Site 10b: the app pushes the entry just after `pushState`: the `ViewContent` fires
/// without `content_category`.
#[test]
fn a_spa_route_whose_data_arrives_after_navigation_fails_on_that_parameter() {
    let dist = build(&spa_config(SPA_BEFORE));
    let site = spa_site(&dist.snippet("pricing"), false);
    let run = verify(&dist, &site, &[]);
    run.exits(1);
    let c = run.expect("browser/pricing/load", "failed", &[]);
    let mismatches = c["mismatches"].as_array().cloned().unwrap_or_default();
    assert!(
        mismatches.iter().any(|m| m["what"]
            .as_str()
            .unwrap_or_default()
            .contains("content_category")),
        "no mismatch about content_category: {c:#}"
    );
}

/// Site 10c: the route loaded directly on a server without deep-link fallback.
#[test]
fn a_spa_route_loaded_directly_without_deep_link_fallback_is_a_404() {
    let dist = build(&spa_config(""));
    let site = spa_site(&dist.snippet("pricing"), true);
    let run = verify(&dist, &site, &[]);
    run.exits(1);
    run.expect(
        "browser/pricing/load",
        "failed",
        &["HTTP 404", "/app/pricing"],
    );
}

//! Parallel and sharded runs.

use super::*;

// ---------------------------------------------------------------------------------------
// 19. Parallel and sharded runs
// ---------------------------------------------------------------------------------------

/// A six-page shop, three tracked buttons on each page, everything correct.
const SHOP_PAGES: [(&str, &str, &str); 6] = [
    ("home", "/", "Montaña Sport"),
    ("category", "/c/zapatillas", "Zapatillas de trail"),
    ("trail", "/p/zapatilla-aneto", "Zapatilla trail Aneto"),
    ("boots", "/p/bota-teide", "Bota de montaña Teide"),
    ("cart", "/cesta", "Tu cesta"),
    ("contact", "/contacto", "Contacto"),
];

fn shop_config() -> String {
    let mut s = format!(
        "site:\n  name: Montaña Sport\n  url: https://montanasport.example.com\n{PIXELS}consent: none\npages:\n"
    );
    for (id, url, title) in SHOP_PAGES {
        s.push_str(&format!(
            "  - id: {id}\n    url: {url}\n    on_load:\n      - event: ViewContent\n        params:\n          content_name: {title}\n    buttons:\n\
             \x20     - id: add\n        selector: button.add-to-cart\n        event: AddToCart\n        params:\n          content_name: {title}\n          currency: EUR\n          value: 59.9\n\
             \x20     - id: wishlist\n        selector: button.wishlist\n        event: AddToWishlist\n        params:\n          content_name: {title}\n\
             \x20     - id: chat\n        selector: button.chat\n        event: Contact\n"
        ));
    }
    s
}

fn shop_site(dist: &Dist) -> Server {
    let mut routes = Routes::default();
    for (id, url, title) in SHOP_PAGES {
        let body = format!(
            r#"<header class="site-header"><a class="logo" href="/">Montaña Sport</a>
<nav><a href="/c/zapatillas">Zapatillas</a><a href="/cesta">Cesta</a><a href="/contacto">Contacto</a></nav></header>
<main>
<h1>{title}</h1>
<div class="product-card"><p>Envío gratis a partir de 50 €. Devoluciones en 30 días.</p>
<button class="btn add-to-cart" type="button">Añadir a la cesta</button>
<button class="btn btn-secondary wishlist" type="button" aria-label="Guardar en favoritos">♡ Favoritos</button>
</div>
<p>¿Dudas con la talla? <button class="btn btn-secondary chat" type="button">Pregúntanos por chat</button></p>
</main>
<footer class="site-footer">Montaña Sport · Jaca (Huesca)</footer>"#
        );
        routes = routes.with(
            url,
            Route::html(page(
                &format!("{title} — Montaña Sport"),
                &dist.snippet(id),
                &body,
            )),
        );
    }
    serve(routes)
}

/// Site 19: `--jobs 2` gives the outcomes `--jobs 1` gives, and `--shard 1/2` plus
/// `--shard 2/2` run every check exactly once between them (the rest `skipped`), with the
/// same outcomes.
#[test]
fn parallel_and_sharded_runs_agree_with_a_sequential_run() {
    let dist = build(&shop_config());
    let site = shop_site(&dist);
    let sequential = verify(&dist, &site, &["--jobs", "1"]);
    sequential.exits(0);
    let seq = sequential.outcomes();
    assert_eq!(seq.len(), 6 * 4, "{seq:#?}");
    assert!(seq.values().all(|o| o == "passed"), "{seq:#?}");

    let parallel = verify(&dist, &site, &["--jobs", "2"]);
    parallel.exits(0);
    assert_eq!(parallel.outcomes(), seq, "--jobs 2 differs from --jobs 1");

    let one = verify(&dist, &site, &["--shard", "1/2"]);
    let two = verify(&dist, &site, &["--shard", "2/2"]);
    one.exits(0);
    two.exits(0);
    let (one, two) = (one.outcomes(), two.outcomes());
    assert_eq!(
        one.keys().collect::<Vec<_>>(),
        seq.keys().collect::<Vec<_>>()
    );
    assert_eq!(
        two.keys().collect::<Vec<_>>(),
        seq.keys().collect::<Vec<_>>()
    );
    let mut ran = [0usize; 2];
    for (id, want) in &seq {
        let (a, b) = (&one[id], &two[id]);
        let got = match (a.as_str(), b.as_str()) {
            ("skipped", "skipped") => panic!("{id} ran in neither shard"),
            (_, "skipped") => {
                ran[0] += 1;
                a
            }
            ("skipped", _) => {
                ran[1] += 1;
                b
            }
            _ => panic!("{id} ran in both shards: {a}, {b}"),
        };
        assert_eq!(got, want, "{id}: sharded {got}, unsharded {want}");
    }
    assert!(
        ran[0] > 0 && ran[1] > 0,
        "one shard ran everything: {ran:?}"
    );
}

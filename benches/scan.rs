//! `tagc scan` figures (issue 19): the time to scan a page, the browser's launch excluded
//! (one Chromium for every run, as `tagc scan --all` uses one), through the library's
//! `scan::scan_page` on pages served on 127.0.0.1:
//!
//! 1. the Spanish landing page of the tests (`tests/data/scan/landing.html`);
//! 2. a shop of six product cards with alike "Añadir al carrito" buttons;
//! 3. a page whose call to action is rendered 1 s after load;
//! 4. 2,000 links;
//! 5. 2,000 links and 2,000 product cards with alike buttons.
//!
//! Each with the defaults (network quiet 0.5 s, then 1 s more, the scroll pass) — what a
//! user waits for — and with `--settle-ms 0 --no-scroll`, which leaves the load, the
//! network-quiet wait and the work: the inventory, the locators and the matching.
//! Median of five runs each.
//!
//! Whole process, launch included: `target/release/tagc scan URL --format json`.
//!
//! `cargo bench --bench scan`. Needs Chromium (`apt-get install -y chromium`).

#![allow(
    missing_docs,
    clippy::print_stderr,
    clippy::print_stdout,
    clippy::unwrap_used
)]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::{Duration, Instant};

use tagc::browser::serve::Server;
use tagc::browser::{Browser, LaunchOptions, MetaMode};
use tagc::scan::{ScanOptions, scan_page};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const LANDING: &str = include_str!("../tests/data/scan/landing.html");

fn page(body: &str) -> (String, Vec<u8>) {
    (
        "text/html; charset=utf-8".to_owned(),
        format!("<!doctype html>\n<html lang=\"es\"><head><meta charset=\"utf-8\"><title>t</title></head>\n<body>\n{body}\n</body></html>\n").into_bytes(),
    )
}

fn cards(n: usize) -> String {
    let mut s = String::from("<main class=\"grid\">");
    for i in 0..n {
        let _ = write!(
            s,
            r#"<div class="product-card" data-id="sku-{i}"><h3>Producto {i}</h3><p class="price">29,99 €</p><button class="add">Añadir al carrito</button></div>"#
        );
    }
    s.push_str("</main>");
    s
}

fn links(n: usize) -> String {
    let mut s = String::from("<ul>");
    for i in 0..n {
        let _ = write!(s, r#"<li><a href="/p/{i}">Producto {i}</a></li>"#);
    }
    s.push_str("</ul>");
    s
}

fn main() {
    let late = r#"<main id="app"><p>Cargando…</p></main>
<script>setTimeout(() => { const b = document.createElement('button'); b.textContent = 'Comprar entradas'; document.getElementById('app').append(b); }, 1000);</script>"#;
    let pages: Vec<(&str, String, usize)> = vec![
        ("landing", LANDING.to_owned(), 8),
        ("shop-6-cards", cards(6), 6),
        ("late-button", late.to_owned(), 1),
        ("2000-links", links(2_000), 2_000),
        (
            "2000-links-2000-cards",
            format!("{}{}", links(2_000), cards(2_000)),
            4_000,
        ),
    ];
    let files: BTreeMap<String, (String, Vec<u8>)> = pages
        .iter()
        .map(|(name, body, _)| (format!("/{name}"), page(body)))
        .collect();
    let server = Server::start(files).unwrap();
    let mut browser = Browser::launch(&LaunchOptions::default()).unwrap();
    let mut tab = browser.new_page(MetaMode::Recorder).unwrap();
    let defaults = ScanOptions::default();
    let quick = ScanOptions {
        settle: Duration::ZERO,
        scroll: false,
        ..ScanOptions::default()
    };
    println!("scan, launch excluded (median of 5):");
    println!(
        "{:<24} {:>10} {:>22} {:>10}",
        "page", "defaults", "--settle-ms 0 --no-scroll", "elements"
    );
    for (name, _, at_least) in &pages {
        let url = server.url(&format!("/{name}"));
        let mut time = |opts: &ScanOptions| {
            let mut runs: Vec<Duration> = (0..5)
                .map(|_| {
                    tab.reset(true).unwrap();
                    let t = Instant::now();
                    let r = scan_page(&mut tab, &url, opts, None).unwrap();
                    let d = t.elapsed();
                    // Without the extra delay the late button is not there yet.
                    let late = opts.settle.is_zero() && *name == "late-button";
                    assert!(
                        r.elements.len() >= if late { 0 } else { *at_least },
                        "{name}: {}",
                        r.elements.len()
                    );
                    d
                })
                .collect();
            runs.sort();
            runs[2]
        };
        let slow = time(&defaults);
        let fast = time(&quick);
        println!(
            "{name:<24} {:>8.2} s {:>20.2} s {at_least:>10}",
            slow.as_secs_f64(),
            fast.as_secs_f64()
        );
    }
}

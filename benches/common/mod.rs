//! The generated benchmark configuration shared by the benches: N pages × 10 buttons,
//! split over `files` include files, under `target/bench-configs/N/`.
//!
//! [`generate_shaped`] writes the same site with other URL shapes (see [`Shape`]), the
//! ones that stress the URL-pattern shadowing check differently.

#[allow(dead_code)] // only the verify bench and its test serve the site
pub mod site;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// How the generated pages' URL patterns look (page `N`, two patterns each).
#[allow(dead_code)] // each bench uses the shapes it needs
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// `/section-N/{slug}` and `/sN/**`: every pattern starts with its own literal.
    Literal,
    /// `/{lang}/section-N/{slug}` and `/{lang}/sN/**`: the usual international site,
    /// every pattern starts with a parameter.
    Lang,
    /// `/shop/{cat}/section-N/{slug}` and `/shop/{cat}/sN/**`: a shared literal prefix
    /// followed by a parameter.
    Category,
}

impl Shape {
    /// The text before `section-N` and `sN` in each pattern.
    fn prefix(self) -> &'static str {
        match self {
            Shape::Literal => "",
            Shape::Lang => "/{lang}",
            Shape::Category => "/shop/{cat}",
        }
    }
}

/// Writes the configuration (if needed) and returns its root file.
#[allow(dead_code)] // the check bench asks for a shape
pub fn generate(dir: &Path, pages: usize, files: usize) -> PathBuf {
    generate_shaped(dir, pages, files, Shape::Literal)
}

/// [`generate`] with the pages' URL patterns in the given [`Shape`].
pub fn generate_shaped(dir: &Path, pages: usize, files: usize, shape: Shape) -> PathBuf {
    let pre = shape.prefix();
    std::fs::create_dir_all(dir).expect("bench dir");
    let per_file = pages.div_ceil(files);
    let mut includes = Vec::new();
    for f in 0..files {
        let mut s = String::from(
            "# yaml-language-server: $schema=../../../schema/tagc.schema.json\npages:\n",
        );
        for p in (f * per_file)..((f + 1) * per_file).min(pages) {
            let _ = write!(
                s,
                "  - id: page-{p}\n    url:\n      - {pre}/section-{p}/{{slug}}\n      - {pre}/s{p}/**\n    on_load:\n      - use: view\n        params:\n          content_category: {{from: url_param, name: slug}}\n    buttons:\n"
            );
            // A realistic mix: most buttons fire a shared definition, some inline events,
            // some read dynamic parameters.
            for b in 0..10 {
                match b {
                    0..=5 => {
                        let _ = write!(
                            s,
                            "      - id: add-{b}\n        selector: \"#p{p} .product:nth-child({n}) button.add-to-cart\"\n        use: add_to_cart\n",
                            n = b + 1
                        );
                    }
                    6 | 7 => {
                        let _ = write!(
                            s,
                            "      - id: lead-{b}\n        text: \"Request a quote {b}\"\n        event: Lead\n        params: {{content_name: \"Quote {p}-{b}\"}}\n"
                        );
                    }
                    _ => {
                        let _ = write!(
                            s,
                            "      - id: wish-{b}\n        selector: \"[data-wishlist='{p}-{b}']\"\n        event: AddToWishlist\n        params:\n          value: {{from: attribute, name: data-price, closest: .product, type: number}}\n          currency: EUR\n"
                        );
                    }
                }
            }
        }
        let name = format!("pages-{f}.yaml");
        std::fs::write(dir.join(&name), s).expect("write pages");
        includes.push(name);
    }
    let root = format!(
        "# yaml-language-server: $schema=../../../schema/tagc.schema.json\ninclude: [{}]\npixels:\n  - name: main\n    ids: {{production: \"123456789012345\", staging: \"987654321098765\"}}\nevents:\n  view:\n    event: ViewContent\n  add_to_cart:\n    event: AddToCart\n    params:\n      value: {{from: attribute, name: data-price, closest: .product, type: number}}\n      currency: EUR\n      content_ids: {{from: attribute, name: data-sku, closest: .product, type: \"string[]\"}}\n      content_type: product\n",
        includes
            .iter()
            .map(|i| format!("\"{i}\""))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let path = dir.join("tagc.yaml");
    std::fs::write(&path, root).expect("write root");
    path
}

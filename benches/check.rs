//! `tagc check` on generated sites of 500, 5,000, 20,000 and 50,000 pages × 10 buttons, and on the
//! URL shapes that stress the shadowing check: 8,000 pages whose patterns start with a
//! literal, with `/{lang}/` or with `/shop/{cat}/`, and 50,000 `/{lang}/` pages.
//!
//! The configs are written to `target/bench-configs/` (20,000 and 50,000 pages split over 10 files
//! with `include:`, as a site that large would be), so peak memory can be measured on the
//! real binary too: `/usr/bin/time -v target/release/tagc check target/bench-configs/5000/tagc.yaml`.
//! All of them are written before any is checked, so a run stopped early (or
//! `cargo bench --bench check -- --list`) still leaves them there.

#![allow(missing_docs)] // criterion's macros generate undocumented items

use std::path::Path;

mod common;
use common::{Shape, generate_shaped};

use criterion::{Criterion, criterion_group, criterion_main};

/// The same allocator as the `tagc` binary, so the figures are what users get.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn bench(c: &mut Criterion) {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-configs");
    // (benchmark name, directory, pages, include files, URL shape)
    let mut cases: Vec<(String, String, usize, usize, Shape)> =
        [(500, 1), (5_000, 1), (20_000, 10), (50_000, 10)]
            .into_iter()
            .map(|(pages, files)| {
                let name = format!("{pages}_pages_x10_buttons");
                (name, pages.to_string(), pages, files, Shape::Literal)
            })
            .collect();
    for (label, dir, pages, files, shape) in [
        ("literal", "8000", 8_000, 1, Shape::Literal),
        ("lang", "lang-8000", 8_000, 1, Shape::Lang),
        ("category", "category-8000", 8_000, 1, Shape::Category),
        ("lang", "lang-50000", 50_000, 10, Shape::Lang),
    ] {
        let name = format!("{label}_{pages}_pages_x10_buttons");
        cases.push((name, dir.to_owned(), pages, files, shape));
    }
    let roots: Vec<_> = cases
        .iter()
        .map(|(_, dir, pages, files, shape)| {
            generate_shaped(&base.join(dir), *pages, *files, *shape)
        })
        .collect();
    let mut group = c.benchmark_group("check");
    group.sample_size(10);
    for ((name, ..), root) in cases.iter().zip(roots) {
        // Prove the generated config is clean before timing it.
        let checked =
            tagc::check::check_paths(std::slice::from_ref(&root), tagc::load::Limits::default())
                .expect("readable");
        assert!(
            checked.diagnostics.is_empty(),
            "generated config has diagnostics: {:?}",
            checked.diagnostics.codes()
        );
        group.bench_function(name.as_str(), |b| {
            b.iter(|| {
                tagc::check::check_paths(std::slice::from_ref(&root), tagc::load::Limits::default())
                    .expect("readable")
            });
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

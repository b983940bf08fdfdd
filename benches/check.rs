//! `tagc check` on generated sites of 500, 5,000 and 50,000 pages × 10 buttons.
//!
//! The configs are written to `target/bench-configs/` (50,000 pages split over 10 files
//! with `include:`, as a site that large would be), so peak memory can be measured on the
//! real binary too: `/usr/bin/time -v target/release/tagc check target/bench-configs/5000/tagc.yaml`.

#![allow(missing_docs)] // criterion's macros generate undocumented items

use std::path::Path;

mod common;
use common::generate;

use criterion::{Criterion, criterion_group, criterion_main};

/// The same allocator as the `tagc` binary, so the figures are what users get.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn bench(c: &mut Criterion) {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-configs");
    let mut group = c.benchmark_group("check");
    group.sample_size(10);
    for (pages, files) in [(500, 1), (5_000, 1), (50_000, 10)] {
        let root = generate(&base.join(pages.to_string()), pages, files);
        // Prove the generated config is clean before timing it.
        let checked =
            tagc::check::check_paths(std::slice::from_ref(&root), tagc::load::Limits::default())
                .expect("readable");
        assert!(
            checked.diagnostics.is_empty(),
            "generated config has diagnostics: {:?}",
            checked.diagnostics.codes()
        );
        group.bench_function(format!("{pages}_pages_x10_buttons"), |b| {
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

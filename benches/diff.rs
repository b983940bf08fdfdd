//! `tagc diff` of two 5,000-page configurations (× 10 buttons, two environments): the
//! whole command as a user waits for it (load, check and resolve both sides, compare),
//! and the comparison alone. The head differs from the base in 4,999 text locators, one
//! removed page and one narrowed URL pattern.
//!
//! Whole process: `target/release/tagc diff target/bench-configs/5000/tagc.yaml
//! target/bench-configs/diff-5000-head/tagc.yaml --format json > /dev/null`.

#![allow(missing_docs)] // criterion's macros generate undocumented items

use std::path::Path;

mod common;
use common::generate;

use criterion::{Criterion, criterion_group, criterion_main};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn bench(c: &mut Criterion) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-configs");
    let base = generate(&dir.join("5000"), 5_000, 1);
    let head_dir = dir.join("diff-5000-head");
    std::fs::create_dir_all(&head_dir).expect("head dir");
    std::fs::copy(&base, head_dir.join("tagc.yaml")).expect("copy root");
    let pages = std::fs::read_to_string(dir.join("5000/pages-0.yaml")).expect("pages");
    let pages = pages
        .replace("Request a quote 6", "Ask for a quote 6")
        .replace("      - /s17/**\n", "      - /s17/shop/**\n")
        .replacen("  - id: page-42\n", "  - id: page-42-renamed\n", 1);
    std::fs::write(head_dir.join("pages-0.yaml"), pages).expect("write head");
    let head = head_dir.join("tagc.yaml");

    let limits = tagc::load::Limits::default();
    let load = |p: &Path| {
        tagc::diff::Side::load(&tagc::diff::Spec::Path(p.to_path_buf()), limits).expect("loads")
    };
    let (b, h) = (load(&base), load(&head));
    let report = tagc::diff::diff(&b, &h, &[], &[]).expect("diff");
    assert_eq!(report.summary.breaking, 4_999 + 2, "{:?}", report.summary);

    let mut group = c.benchmark_group("diff");
    group.sample_size(10);
    group.bench_function("5000_pages_whole", |bench| {
        bench.iter(|| {
            let (b, h) = tagc::diff::Side::load_pair(
                &tagc::diff::Spec::Path(base.clone()),
                &tagc::diff::Spec::Path(head.clone()),
                limits,
            )
            .expect("loads");
            let r = tagc::diff::diff(&b, &h, &[], &[]).expect("diff");
            tagc::render::Emitter::render(&mut tagc::render::JsonEmitter, &r).len()
        });
    });
    group.bench_function("5000_pages_compare_only", |bench| {
        bench.iter(|| {
            tagc::diff::diff(&b, &h, &[], &[])
                .expect("diff")
                .changes
                .len()
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

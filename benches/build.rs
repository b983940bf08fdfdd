//! `tagc build` figures: the size of every example's pixel artifacts (raw and gzipped,
//! printed first), then the time to build the generated 5,000-page site.
//!
//! `cargo bench --bench build`. Sizes exclude Meta's own `fbevents.js`, which the snippet
//! loads; they include Meta's base-code stub, which ships inside every snippet.

#![allow(missing_docs, clippy::print_stderr)] // criterion's macros; the size table is output

use std::io::Write as _;
use std::path::{Path, PathBuf};

use criterion::{Criterion, criterion_group};

mod common;
use common::generate;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn gzip(bytes: &[u8]) -> usize {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(bytes).expect("in memory");
    e.finish().expect("in memory").len()
}

/// Checks and resolves the configuration at `root`.
fn resolved(root: &Path) -> (tagc::check::Checked, tagc::resolve::Site) {
    let checked = tagc::check::check_paths(
        std::slice::from_ref(&root.to_path_buf()),
        tagc::load::Limits::default(),
    )
    .expect("readable");
    assert!(
        !checked.diagnostics.has_errors(),
        "{:?}",
        checked.diagnostics.codes()
    );
    let site = tagc::resolve::resolve(&checked.configs[0], "production").expect("resolves");
    (checked, site)
}

fn opts() -> tagc::emit::PixelOptions {
    tagc::emit::PixelOptions {
        nonce: None,
        script_url: "/tagc.js".into(),
    }
}

/// Checks, resolves and emits every artifact `tagc build` writes, in memory.
fn build(root: &Path) -> Vec<tagc::dist::OutputFile> {
    let (checked, site) = resolved(root);
    tagc::build::emit(&site, &checked.sources, &opts()).expect("emits")
}

/// What `tagc build` does: checks, resolves, and writes each artifact into `out` as it is
/// made.
fn build_into(root: &Path, out: &Path) -> usize {
    let (checked, site) = resolved(root);
    tagc::build::emit_to(out, &site, &checked.sources, &opts()).expect("writes")
}

/// The runtime's code in a site-wide script: from its opening `((w, d, C) => {` to the
/// call that passes the page table, without the table.
fn runtime_alone(a: &tagc::dist::OutputFile) -> Option<&[u8]> {
    if a.kind != "site-script" {
        return None;
    }
    let text = std::str::from_utf8(&a.bytes).ok()?;
    let start = text.find("((w, d, C) => {")?;
    let close = "})(window, document, ";
    let end = text.rfind(close)? + close.len();
    Some(&a.bytes[start..end])
}

fn sizes() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&examples)
        .expect("examples/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("tagc.yaml").exists())
        .collect();
    dirs.sort();
    eprintln!("\n{:<44} {:>8} {:>8}", "artifact", "bytes", "gzip -9");
    for dir in dirs {
        let name = dir
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        for a in build(&dir.join("tagc.yaml")) {
            if !matches!(a.kind, "site-script" | "site-head" | "page-snippet") {
                continue;
            }
            eprintln!(
                "{:<44} {:>8} {:>8}",
                format!("{name}/{}", a.path),
                a.bytes.len(),
                gzip(&a.bytes)
            );
            if let Some(runtime) = runtime_alone(&a) {
                eprintln!(
                    "{:<44} {:>8} {:>8}",
                    "  the runtime alone (no setup, no page table)",
                    runtime.len(),
                    gzip(runtime)
                );
            }
        }
    }
    let by_hand = examples.join("../benches/reference/event-landing-by-hand.html");
    if let Ok(text) = std::fs::read_to_string(&by_hand) {
        // Without the reference's own explanatory comment.
        let html = text.split_once("-->\n").map_or(text.as_str(), |(_, h)| h);
        eprintln!(
            "{:<44} {:>8} {:>8}",
            "event-landing by hand (benches/reference/)",
            html.len(),
            gzip(html.as_bytes())
        );
    }
    eprintln!();
}

fn bench(c: &mut Criterion) {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-configs");
    let root = generate(&base.join("5000"), 5_000, 1);
    let out = base.join("5000-dist");
    let mut group = c.benchmark_group("build");
    group.sample_size(10);
    group.bench_function("5000_pages_x10_buttons_in_memory", |b| {
        b.iter(|| build(&root))
    });
    group.bench_function("5000_pages_x10_buttons_written", |b| {
        b.iter(|| build_into(&root, &out));
    });
    group.finish();
}

criterion_group!(benches, bench);

fn main() {
    sizes();
    benches();
    Criterion::default().configure_from_args().final_summary();
}

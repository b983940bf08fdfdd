//! `normalize_and_hash` of the 9 hashed fields of a typical CAPI record (em, ph, fn, ln,
//! ct, st, zp, country, external_id), on 1,000 generated records so branch prediction
//! sees realistic variety. Criterion reports the time per batch of 1,000 records, and
//! its throughput figure is records per second; divide the time by 1,000 for ns/record.
//!
//! `ascii` records are the common case; `mixed` has one non-ASCII record in ten
//! (accented names and cities, a decomposed name). `sha256_hex_only` hashes the same raw
//! values without normalizing them: the floor set by SHA-256 itself.

#![allow(missing_docs)] // criterion's macros generate undocumented items

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use tagc::normalize::{Context, Field, normalize_and_hash};

/// The same allocator as the `tagc` binary, so the figures are what users get.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const FIELDS: [Field; 9] = [
    Field::Em,
    Field::Ph,
    Field::Fn,
    Field::Ln,
    Field::Ct,
    Field::St,
    Field::Zp,
    Field::Country,
    Field::ExternalId,
];

const FIRST: [&str; 8] = [
    "John", "Mary", "Jean-Luc", "Ana", "Wei", "Olivia", "Liam", "Noah",
];
const LAST: [&str; 8] = [
    "Smith",
    "O'Neill",
    "Johnson",
    "Garcia",
    "Chen",
    "van der Berg",
    "Lee",
    "Brown",
];
const CITY: [&str; 6] = [
    "Menlo Park",
    "New York",
    "San Francisco",
    "St. Louis",
    "Austin",
    "Chicago",
];
const STATE: [&str; 6] = ["CA", "New York", "ca", "MO", "Texas", "IL"];

fn record(i: usize, mixed: bool) -> [String; 9] {
    if mixed && i.is_multiple_of(10) {
        return [
            format!("  José.Núñez{i}@Correo.es "),
            format!("+34 612 {:03} {:03}", i % 1000, (i * 7) % 1000),
            "Vale\u{301}ry".to_owned(),
            "Müller-Lüdenscheidt".to_owned(),
            "Zürich".to_owned(),
            "Île-de-France".to_owned(),
            "75008".to_owned(),
            "España".to_owned(),
            format!("ÜSER-{i}"),
        ];
    }
    [
        format!(
            "{}.{}{i}@Example.com",
            FIRST[i % 8],
            LAST[(i / 8) % 8].replace(' ', "")
        ),
        format!("(650) {:03}-{:04}", 200 + i % 800, (i * 37) % 10_000),
        FIRST[i % 8].to_owned(),
        LAST[(i / 3) % 8].to_owned(),
        CITY[i % 6].to_owned(),
        STATE[(i / 2) % 6].to_owned(),
        format!("{:05}-{:04}", 10_000 + (i * 13) % 89_999, i % 10_000),
        if i.is_multiple_of(2) { "US" } else { "us" }.to_owned(),
        format!("user-{}", 1_000_000 + i * 7919),
    ]
}

fn bench(c: &mut Criterion) {
    let cx = Context::new(Some("1"), Some("us"), 2026);
    let mut group = c.benchmark_group("normalize_and_hash_9_fields");
    for (name, mixed) in [("ascii", false), ("mixed", true)] {
        let records: Vec<[String; 9]> = (0..1_000).map(|i| record(i, mixed)).collect();
        // Prove every value normalizes before timing it.
        for r in &records {
            for (f, v) in FIELDS.iter().zip(r) {
                let cx = if mixed && v.starts_with("+34") {
                    Context::new(None, None, 2026)
                } else {
                    cx
                };
                assert!(normalize_and_hash(*f, v, &cx).is_ok(), "{f} {v:?}");
            }
        }
        group.throughput(Throughput::Elements(records.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| {
                let mut bytes = 0usize;
                for r in &records {
                    for (f, v) in FIELDS.iter().zip(r) {
                        if let Ok(n) = normalize_and_hash(*f, black_box(v), &cx) {
                            bytes += n.sha256.len();
                        }
                    }
                }
                black_box(bytes)
            });
        });
    }
    // Baseline: SHA-256 + hex alone of the same 9 raw values, to show what normalizing
    // adds on top of hashing.
    let records: Vec<[String; 9]> = (0..1_000).map(|i| record(i, false)).collect();
    group.bench_function("sha256_hex_only", |b| {
        b.iter(|| {
            let mut bytes = 0usize;
            for r in &records {
                for v in r {
                    bytes += tagc::normalize::sha256_hex(black_box(v).as_bytes()).len();
                }
            }
            black_box(bytes)
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

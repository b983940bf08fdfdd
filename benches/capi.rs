//! Conversions API throughput, two figures:
//!
//! 1. **Pipeline**: 1,000,000 synthetic records (em, ph, fn, ln, ct, st, zp, country,
//!    external_id, plus ip/ua/event id/value) streamed as NDJSON through `tagc send
//!    --dry-run`'s code path: parse → map → normalize + SHA-256 → Meta's rules → request
//!    bodies of 1,000 events (written to a sink), mapped on every core as `tagc send` maps
//!    them. Reports events/s and the peak resident memory, read from `/proc/self/status`
//!    — it must stay flat however many records stream through, so the run also reports
//!    it after 100,000 records.
//! 2. **Send**: 100,000 records to the local fake Graph API (`tests/support/graph.rs`)
//!    over HTTP, 4 requests in flight.
//!
//! Before the pipeline figure, the same records are timed stage by stage, on one core:
//! JSON parse (the mapping's top-level keys only, as `tagc send` reads a line); mapping +
//! normalization + hashing + request-body serialization (the scope of the SDK baseline's
//! "build request bodies"); Meta's rules.
//!
//! `cargo bench --bench capi` (`-- --records N` to change the pipeline's count).

#![allow(
    missing_docs,
    clippy::print_stderr,
    clippy::print_stdout,
    clippy::unwrap_used
)]

#[path = "../tests/support/graph.rs"]
#[allow(dead_code, clippy::all)]
mod graph;

use std::io::{BufReader, Read};
use std::time::{Duration, Instant};

use tagc::mapping::Mapping;
use tagc::send::{self, Quiet, RecordFormat, Records, RetryPolicy, SendOptions, Token};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const NOW: i64 = 1_795_300_000;

/// A mapping with every hashed key the SDK baseline used.
fn mapping(pixel: &str) -> Mapping {
    serde_json::from_value(serde_json::json!({
        "$schema": tagc::mapping::SCHEMA_ID,
        "version": 1, "generator": "bench", "env": "production", "graph_version": "v25.0",
        "defaults": {"phone_country_code": "1"},
        "events": [{
            "id": "purchase", "event_name": "Purchase", "action_source": "website",
            "pixels": [pixel],
            "event_id": {"path": "id"},
            "event_time": {"path": "ts", "format": "unix"},
            "event_source_url": {"path": "url"},
            "user_data": {
                "em": {"path": "em", "transform": "sha256", "rule": ""},
                "ph": {"path": "ph", "transform": "sha256", "rule": ""},
                "fn": {"path": "fn", "transform": "sha256", "rule": ""},
                "ln": {"path": "ln", "transform": "sha256", "rule": ""},
                "ct": {"path": "ct", "transform": "sha256", "rule": ""},
                "st": {"path": "st", "transform": "sha256", "rule": ""},
                "zp": {"path": "zp", "transform": "sha256", "rule": ""},
                "country": {"path": "country", "transform": "sha256", "rule": ""},
                "external_id": {"path": "uid", "transform": "sha256", "rule": ""},
                "client_ip_address": {"path": "ip", "transform": "none", "rule": ""},
                "client_user_agent": {"path": "ua", "transform": "none", "rule": ""}
            },
            "custom_data": {
                "value": {"path": "value", "type": "number"},
                "currency": {"value": "USD", "type": "currency"}
            },
            "required": ["event_name", "event_time", "action_source", "user_data",
                         "event_source_url", "user_data.client_user_agent",
                         "custom_data.value", "custom_data.currency"]
        }]
    }))
    .unwrap()
}

/// Streams `n` NDJSON records without holding them in memory.
struct Synthetic {
    i: usize,
    n: usize,
    line: Vec<u8>,
    pos: usize,
}

const FIRST: [&str; 8] = ["Mary", "José", "Valéry", "John", "Ana", "Li", "Zoë", "Omar"];
const LAST: [&str; 8] = [
    "Smith", "García", "Müller", "O'Brien", "Nguyen", "Kim", "Rossi", "Dubois",
];
const CITY: [&str; 4] = ["New York", "San Francisco", "Austin", "Menlo Park"];
const STATE: [&str; 4] = ["NY", "California", "tx", "CA"];

impl Synthetic {
    fn new(n: usize) -> Self {
        Self {
            i: 0,
            n,
            line: Vec::new(),
            pos: 0,
        }
    }
}

impl Read for Synthetic {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.pos == self.line.len() {
            if self.i == self.n {
                return Ok(0);
            }
            let i = self.i;
            self.i += 1;
            self.line.clear();
            use std::io::Write as _;
            write!(
                self.line,
                r#"{{"id":"order-{i}","ts":{ts},"url":"https://shop.example.com/thanks","em":" User.{i}@Example.com ","ph":"+1 (650) 555-{p:04}","fn":"{f}","ln":"{l}","ct":"{c}","st":"{s}","zp":"9402{z}-1234","country":"US","uid":"cus-{i}","ip":"203.0.113.{o}","ua":"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15","value":{v}.99}}"#,
                ts = NOW - 3600,
                p = i % 10_000,
                f = FIRST[i % 8],
                l = LAST[(i / 8) % 8],
                c = CITY[i % 4],
                s = STATE[i % 4],
                z = i % 10,
                o = i % 250,
                v = i % 500,
            )?;
            self.line.push(b'\n');
            self.pos = 0;
        }
        let n = buf.len().min(self.line.len() - self.pos);
        buf[..n].copy_from_slice(&self.line[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn options(pixel: &str, url: &str, dry_run: bool) -> SendOptions {
    SendOptions {
        graph_url: url.to_owned(),
        graph_version: "v25.0".into(),
        pixels: vec![pixel.to_owned()],
        test_event_code: None,
        batch_size: 1000,
        concurrency: 4,
        timeout: Duration::from_secs(30),
        retry: RetryPolicy::default(),
        dry_run,
        now: Some(NOW),
        token: (!dry_run).then(|| Token::new(graph::TOKEN).unwrap()),
        grace: Duration::from_secs(10),
        stop: std::sync::Arc::new(send::Stop::new()),
    }
}

fn pipeline(n: usize) -> (f64, u64) {
    let m = mapping("1234567890123456");
    let mapper = m.compile("purchase").unwrap();
    let mut sink = std::io::sink();
    let start = Instant::now();
    let summary = send::send(
        &mapper,
        Records::new(
            BufReader::with_capacity(1 << 16, Synthetic::new(n)),
            RecordFormat::Ndjson,
        ),
        &options("1234567890123456", "http://127.0.0.1:9", true),
        send::Outputs {
            dry_run: Some(&mut sink),
            ..send::Outputs::default()
        },
        &mut Quiet,
    )
    .unwrap();
    assert_eq!(summary.failed, 0, "{:?}", summary.failures);
    assert_eq!(summary.dry_run_bodies, n.div_ceil(1000) as u64);
    (start.elapsed().as_secs_f64(), summary.records)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let records = args
        .iter()
        .position(|a| a == "--records")
        .and_then(|i| args.get(i + 1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000usize);
    if args.iter().any(|a| a == "--list") {
        println!("pipeline: bench\nsend: bench");
        return;
    }

    let (secs, n) = pipeline(100_000);
    let rss_100k = peak_rss_mb();
    eprintln!(
        "pipeline (warm-up) {n} records: {secs:.2} s, {:.0} events/s, peak RSS {rss_100k:.1} MB",
        n as f64 / secs
    );
    stages(records);
    let (secs, n) = pipeline(records);
    eprintln!(
        "pipeline {n} records (parse, map, normalize+hash 9 keys, rules, request bodies): {secs:.2} s = {:.0} events/s; peak RSS {:.1} MB (after 100k: {rss_100k:.1} MB)",
        n as f64 / secs,
        peak_rss_mb()
    );

    let pixel = "1234567890123456";
    let fake = graph::FakeGraph::start(graph::FakeConfig::new().now(NOW));
    let m = mapping(pixel);
    let mapper = m.compile("purchase").unwrap();
    let start = Instant::now();
    let summary = send::send(
        &mapper,
        Records::new(
            BufReader::with_capacity(1 << 16, Synthetic::new(100_000)),
            RecordFormat::Ndjson,
        ),
        &options(pixel, &fake.url(), false),
        send::Outputs::default(),
        &mut Quiet,
    )
    .unwrap();
    let secs = start.elapsed().as_secs_f64();
    assert_eq!(summary.accepted, 100_000, "{summary:?}");
    eprintln!(
        "send 100000 records to the local fake Graph API (100 requests of 1,000, 4 in flight): {secs:.2} s = {:.0} events/s",
        100_000.0 / secs
    );
}
/// Per-record time of each stage over `n` records streamed in chunks of 1,000: JSON parse,
/// then mapping (normalize + SHA-256) plus request-body serialization — the scope of the
/// SDK baseline's "build request bodies" —, then Meta's rules.
fn stages(n: usize) {
    use std::io::BufRead as _;
    let m = mapping("1234567890123456");
    let mapper = m.compile("purchase").unwrap();
    let cx = tagc::mapping::ApplyContext::at(NOW);
    let rules = tagc::meta::capi::RuleContext { now: NOW };
    let keys = mapper.top_keys();
    let mut lines = BufReader::new(Synthetic::new(n)).lines();
    let (mut parse, mut build, mut check) = (Duration::ZERO, Duration::ZERO, Duration::ZERO);
    let mut body = String::with_capacity(1 << 21);
    let mut chunk = Vec::with_capacity(1000);
    let mut bytes = 0usize;
    loop {
        chunk.clear();
        let t = Instant::now();
        for line in lines.by_ref().take(1000) {
            // As `tagc send` reads a line: only the mapping's top-level keys.
            let line = line.unwrap();
            match tagc::send::records::parse_ndjson_fields(1, line.as_bytes(), &keys) {
                tagc::send::records::Fields::Record { fields, .. } => chunk.push(fields),
                tagc::send::records::Fields::Other(r) => panic!("{r:?}"),
            }
        }
        parse += t.elapsed();
        if chunk.is_empty() {
            break;
        }
        body.clear();
        body.push_str("{\"data\":[");
        let mut found = 0;
        for (i, record) in chunk.iter().enumerate() {
            // Each event is checked while it is hot, as `tagc send` does; the rules'
            // time is measured apart.
            let t = Instant::now();
            let e = mapper.apply(record, &cx).unwrap().event;
            if i > 0 {
                body.push(',');
            }
            tagc::meta::capi::event::fast_json::event(&mut body, &e);
            let t1 = Instant::now();
            found += tagc::meta::capi::check_event(&e, 0, &rules).len();
            let t2 = Instant::now();
            drop(e);
            build += t1 - t;
            check += t2 - t1;
        }
        body.push_str("],\"partner_agent\":\"tagc\"}");
        bytes += body.len();
        assert!(found <= chunk.len());
    }
    let per = |d: Duration| d.as_nanos() as f64 / n as f64;
    eprintln!(
        "stages over {n} records: map + normalize + hash + request body {:.0} ns = {:.0} events/s on one core; JSON parse {:.0} ns; Meta's rules {:.0} ns; {:.1} MB of bodies",
        per(build),
        1e9 / per(build),
        per(parse),
        per(check),
        bytes as f64 / 1e6
    );
}

//! `tagc verify` figures, each run through the `tagc` binary as a user runs it:
//!
//! 1. 1,000 server checks against the local fake Graph API;
//! 2. the examples' browser checks offline (harness pages): checks per second;
//! 3. a 50-page × 10-element real site served on 127.0.0.1 (`benches/common/site.rs`:
//!    product cards, a late-rendered call to action, a link, a form that posts and
//!    redirects): the whole plan, and checks per second;
//! 4. the 5,000-page benchmark configuration's offline plan (55,000 checks): `--shard
//!    1/50`, projected to the whole plan;
//! 5. a page without the snippet: seconds from start to verdict.
//!
//! With `TAGC_BASELINE=/path/to/an/older/tagc`, 2–5 run with that binary too, in the same
//! run, and each figure is printed beside its baseline (the older binary builds its own
//! artifacts from the same configurations, without the `verify:` hints it may not know).
//!
//! `cargo bench --bench verify`. Needs Chromium (`apt-get install -y chromium`). Browser
//! checks use `--jobs` (default: one worker per core).

#![allow(missing_docs, clippy::print_stderr, clippy::unwrap_used)]

#[path = "../tests/support/graph.rs"]
#[allow(dead_code, clippy::all)]
mod graph;

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use serde_json::Value;
use tagc::browser::serve::{Route, Routes, Server};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A tagc binary: this build's, or the baseline's.
#[derive(Clone)]
struct Tagc {
    name: &'static str,
    bin: PathBuf,
    /// Whether it knows `verify:` hints, `--jobs` and `--shard`.
    current: bool,
}

impl Tagc {
    fn build(&self, config: &Path, out: &Path) {
        let o = Command::new(&self.bin)
            .arg("build")
            .arg(config)
            .arg("--out")
            .arg(out)
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{} build: {}",
            self.name,
            String::from_utf8_lossy(&o.stderr)
        );
    }

    /// Runs `tagc verify PLAN ARGS… --format json`: (seconds, report).
    fn verify(&self, plan: &Path, args: &[&str]) -> (f64, Value) {
        let t = Instant::now();
        let o = Command::new(&self.bin)
            .arg("verify")
            .arg(plan)
            .args(["--format", "json"])
            .args(args)
            .env_remove("META_ACCESS_TOKEN")
            .output()
            .unwrap();
        let secs = t.elapsed().as_secs_f64();
        let report = serde_json::from_slice(&o.stdout).unwrap_or(Value::Null);
        (secs, report)
    }
}

/// (checks run, passed) of a report.
fn ran(report: &Value) -> (usize, usize) {
    let checks = report["checks"].as_array().cloned().unwrap_or_default();
    let run = checks.iter().filter(|c| c["outcome"] != "skipped").count();
    let passed = checks.iter().filter(|c| c["outcome"] == "passed").count();
    (run, passed)
}

fn line(what: &str, t: &Tagc, secs: f64, report: &Value) {
    let (n, passed) = ran(report);
    eprintln!(
        "  {:<9} {what}: {secs:.1} s, {n} checks ({passed} passed), {:.1} checks/s",
        t.name,
        n as f64 / secs.max(1e-9)
    );
}

fn server_checks(dir: &Path, tagc: &Tagc) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    tagc.build(&root.join("examples/shop/tagc.yaml"), &dir.join("shop"));
    let plan_path = dir.join("shop/verify/plan.json");
    let mut plan: Value =
        serde_json::from_str(&std::fs::read_to_string(&plan_path).unwrap()).unwrap();
    let server = plan["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "server")
        .cloned()
        .unwrap();
    plan["checks"] = Value::Array(
        (0..1000)
            .map(|i| {
                let mut c = server.clone();
                c["id"] = Value::from(format!("server/purchase-{i}"));
                c
            })
            .collect(),
    );
    let big = dir.join("shop/verify/server-1000.json");
    std::fs::write(&big, plan.to_string()).unwrap();
    let fake = graph::FakeGraph::start(graph::FakeConfig::new().pixel("314159265358979"));
    let t = Instant::now();
    let o = Command::new(&tagc.bin)
        .arg("verify")
        .arg(&big)
        .args([
            "--test-event-code",
            "TEST12345",
            "--graph-url",
            &fake.url(),
            "--format",
            "json",
        ])
        .env("META_ACCESS_TOKEN", graph::TOKEN)
        .output()
        .unwrap();
    let secs = t.elapsed().as_secs_f64();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(fake.received_count(), 1000);
    eprintln!(
        "1,000 server checks (map, Meta's rules, POST with test_event_code) against the local fake Graph API: {secs:.2} s"
    );
}

fn offline_examples(dir: &Path, t: &Tagc) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (mut secs, mut n, mut passed) = (0.0, 0, 0);
    for ex in ["event-landing", "shop", "multi-file"] {
        let out = dir.join(format!("{}-{ex}", t.name));
        let mut config = root.join(format!("examples/{ex}/tagc.yaml"));
        if !t.current && ex == "shop" {
            // The shop's `verify:` hints are newer than a baseline may be.
            let text = std::fs::read_to_string(&config).unwrap();
            let stripped: Vec<&str> = text
                .lines()
                .filter(|l| {
                    !matches!(l.trim_start(), "verify:") && !l.trim_start().starts_with("urls: [")
                })
                .collect();
            config = dir.join("shop-without-hints.yaml");
            std::fs::write(&config, stripped.join("\n")).unwrap();
        }
        t.build(&config, &out);
        let (s, report) = t.verify(&out.join("verify/plan.json"), &["--only", "browser"]);
        let (r, p) = ran(&report);
        secs += s;
        n += r;
        passed += p;
    }
    eprintln!(
        "  {:<9} the examples' {n} browser checks offline ({passed} passed): {secs:.1} s, {:.1} checks/s",
        t.name,
        n as f64 / secs
    );
}

fn real_site(dir: &Path, t: &Tagc) {
    let out = dir.join(format!("{}-site", t.name));
    let config = common::site::config(&out.join("config"), 50, t.current);
    t.build(&config, &out.join("dist"));
    let site =
        Server::start_routes(common::site::routes(&out.join("dist/pixel/pages"), 50)).unwrap();
    let (secs, report) = t.verify(
        &out.join("dist/verify/plan.json"),
        &[
            "--base-url",
            &site.url(""),
            "--fbevents",
            "recorder",
            "--only",
            "browser",
        ],
    );
    line(
        "50 pages × 10 elements, real site on 127.0.0.1",
        t,
        secs,
        &report,
    );
    if t.current {
        let (n, passed) = ran(&report);
        assert_eq!(n, passed, "every check of the bench site passes");
    }
}

fn large_plan(dir: &Path, t: &Tagc) {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-configs/5000");
    let config = common::generate(&base, 5000, 10);
    let out = dir.join(format!("{}-5000", t.name));
    t.build(&config, &out);
    let plan = out.join("verify/plan.json");
    let (secs, report) = if t.current {
        t.verify(&plan, &["--shard", "1/50", "--only", "browser"])
    } else {
        // No --shard: the first 100 pages' checks, as many as one shard of 50 has.
        let mut args = vec!["--only".to_owned(), "browser".to_owned()];
        for p in 0..100 {
            args.push("--check".to_owned());
            args.push(format!("browser/page-{p}"));
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        t.verify(&plan, &args)
    };
    let (n, _) = ran(&report);
    line("5,000-page plan, 1/50 of it offline", t, secs, &report);
    eprintln!(
        "  {:<9}   projected to all 55,000 browser checks: {:.0} min",
        t.name,
        secs * 55_000.0 / n.max(1) as f64 / 60.0
    );
}

fn no_snippet(dir: &Path, t: &Tagc) {
    let out = dir.join(format!("{}-bare", t.name));
    std::fs::create_dir_all(&out).unwrap();
    let config = out.join("tagc.yaml");
    std::fs::write(
        &config,
        "pixels:\n  - name: main\n    ids: {production: \"123456789012345\"}\npages:\n  - id: home\n    url: /\n",
    )
    .unwrap();
    t.build(&config, &out.join("dist"));
    let site = Server::start_routes(Routes::default().with(
        "/",
        Route::html("<!doctype html><html><head><title>Sin pixel</title></head><body><h1>Hola</h1></body></html>"),
    ))
    .unwrap();
    let (secs, report) = t.verify(
        &out.join("dist/verify/plan.json"),
        &["--base-url", &site.url(""), "--fbevents", "recorder"],
    );
    let c = &report["checks"][0];
    eprintln!(
        "  {:<9} a page without the snippet: verdict {} after {secs:.1} s ({})",
        t.name,
        c["outcome"].as_str().unwrap_or("?"),
        c["message"].as_str().unwrap_or_default()
    );
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let dir = std::env::temp_dir().join(format!("tagc-verify-bench-{}", std::process::id()));
    let current = Tagc {
        name: "this",
        bin: PathBuf::from(env!("CARGO_BIN_EXE_tagc")),
        current: true,
    };
    let mut all = vec![current.clone()];
    if let Some(b) = std::env::var_os("TAGC_BASELINE") {
        all.push(Tagc {
            name: "baseline",
            bin: PathBuf::from(b),
            current: false,
        });
    }
    server_checks(&dir, &current);
    for (title, run) in [
        ("offline examples", offline_examples as fn(&Path, &Tagc)),
        ("real site", real_site),
        ("large offline plan", large_plan),
        ("no snippet", no_snippet),
    ] {
        eprintln!("{title}:");
        for t in &all {
            run(&dir, t);
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

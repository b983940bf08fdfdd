//! `tagc verify` figures:
//!
//! 1. a plan of 1,000 server checks (the shop's Purchase sample, mapped, checked with
//!    Meta's rules and posted with a `test_event_code`) against the local fake Graph API;
//! 2. the shop's browser checks (page loads and clicks on harness pages) in one reused
//!    headless Chromium: time per check after the browser has started.
//!
//! `cargo bench --bench verify`. Needs Chromium (`apt-get install -y chromium`).

#![allow(missing_docs, clippy::print_stderr, clippy::unwrap_used)]

#[path = "../tests/support/graph.rs"]
#[allow(dead_code, clippy::all)]
mod graph;

use std::path::Path;
use std::time::Instant;

use tagc::send::client::{RetryPolicy, Token};
use tagc::verify::plan::{Plan, PlanCheck};
use tagc::verify::run::{self, NoProgress, RunOptions};
use tagc::verify::{CheckKind, Outcome};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn shop_dist(dir: &Path) -> Plan {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let checked = tagc::check::check_paths(
        &[root.join("examples/shop/tagc.yaml")],
        tagc::load::Limits::default(),
    )
    .unwrap();
    let site = tagc::resolve::resolve(&checked.configs[0], "production").unwrap();
    let opts = tagc::emit::PixelOptions {
        nonce: None,
        script_url: "/tagc.js".into(),
    };
    let (mut artifacts, _) = tagc::emit::pixel_artifacts(&site, &opts).unwrap();
    artifacts.extend(tagc::emit::capi_artifacts(&site));
    let plan = tagc::emit::plan_artifact(&site, &checked.sources);
    artifacts.push(plan.clone());
    for a in &artifacts {
        let p = dir.join(&a.path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, &a.bytes).unwrap();
    }
    Plan::from_json(std::str::from_utf8(&plan.bytes).unwrap()).unwrap()
}

fn options(dir: &Path, graph_url: &str, token: Option<Token>) -> RunOptions {
    RunOptions {
        test_event_code: token.as_ref().map(|_| "TEST12345".to_owned()),
        token,
        graph_url: graph_url.to_owned(),
        retry: RetryPolicy::default(),
        ..RunOptions::offline(dir.join("verify"))
    }
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let dir = std::env::temp_dir().join(format!("tagc-verify-bench-{}", std::process::id()));
    let plan = shop_dist(&dir);

    // 1,000 server checks.
    let server = plan
        .checks
        .iter()
        .find(|c| matches!(c, PlanCheck::Server(_)))
        .cloned()
        .unwrap();
    let mut big = plan.clone();
    big.checks = (0..1000)
        .map(|i| {
            let mut c = server.clone();
            if let PlanCheck::Server(s) = &mut c {
                s.id = format!("server/purchase-{i}");
            }
            c
        })
        .collect();
    let fake = graph::FakeGraph::start(graph::FakeConfig::new().pixel("314159265358979"));
    let token = Token::new(graph::TOKEN).unwrap();
    let start = Instant::now();
    let report = run::run(
        &big,
        &options(&dir, &fake.url(), Some(token)),
        &mut NoProgress,
    );
    let secs = start.elapsed().as_secs_f64();
    assert!(
        report.passed(),
        "{:?}",
        report.checks.iter().find(|c| c.outcome != Outcome::Passed)
    );
    assert_eq!(fake.received_count(), 1000);
    eprintln!(
        "1,000 server checks (map, Meta's rules, POST with test_event_code) against the local fake Graph API: {secs:.2} s ({:.1} ms per check)",
        secs * 1000.0 / 1000.0
    );

    // Browser checks: one Chromium for all of them.
    let mut browser_only = plan.clone();
    browser_only
        .checks
        .retain(|c| c.kind() == CheckKind::Browser);
    let n = browser_only.checks.len();
    let launch = Instant::now();
    drop(tagc::browser::Browser::launch(&tagc::browser::LaunchOptions::default()).unwrap());
    let launch_ms = launch.elapsed().as_millis();
    let start = Instant::now();
    let report = run::run(
        &browser_only,
        &options(&dir, "http://127.0.0.1:9", None),
        &mut NoProgress,
    );
    let total = start.elapsed().as_secs_f64();
    assert!(
        report.passed(),
        "{:?}",
        report.checks.iter().find(|c| c.outcome != Outcome::Passed)
    );
    let per: Vec<u64> = report.checks.iter().map(|c| c.millis).collect();
    let mut sorted = per.clone();
    sorted.sort_unstable();
    eprintln!(
        "{n} browser checks of the shop (harness pages, one reused Chromium): {total:.2} s in all incl. one launch (~{launch_ms} ms); per check median {} ms, max {} ms",
        sorted[sorted.len() / 2],
        sorted[sorted.len() - 1]
    );
    let _ = std::fs::remove_dir_all(&dir);
}

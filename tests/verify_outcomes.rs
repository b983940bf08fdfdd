//! `tagc verify`'s server checks classify Meta's answers as `tagc send` does (issue 16,
//! the classification table of spec16.md, verify column): accepted → 0, an event refused
//! or unconfirmed → 1 (the check failed), an outage, a refused token, a permission error,
//! an answer that is not Graph's or an invalid `--graph-url` → 2 (the check could not
//! run). The shop example's server check is posted to the fake Graph API with a test
//! event code; each test has its own fake and build.

#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

mod support;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::Value;
use support::cli::tagc;
use support::graph::{EXPIRED_TOKEN, FakeConfig, FakeGraph, Fault, FaultKind, TOKEN, TokenEcho};

/// The shop example's production pixel.
const SHOP_PIXEL: &str = "314159265358979";
/// The shop's server check.
const CHECK: &str = "server/purchase";

/// The shop example built into a temporary directory: (the directory, its plan).
fn shop_plan() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = tagc()
        .args(["build", "examples/shop/tagc.yaml", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let plan = dir.path().join("verify/plan.json");
    (dir, plan)
}

/// A fake that knows the shop's pixel, with `faults`.
fn fake(faults: Vec<Fault>) -> FakeGraph {
    let mut config = FakeConfig::new().pixel(SHOP_PIXEL);
    config.faults = faults;
    FakeGraph::start(config)
}

/// What one verify run gave: the exit code, the JSON report and everything printed.
struct Run {
    code: Option<i32>,
    report: Value,
    all: String,
}

impl Run {
    /// The shop's server check in the report.
    fn check(&self) -> &Value {
        self.report["checks"]
            .as_array()
            .and_then(|cs| cs.iter().find(|c| c["id"] == CHECK))
            .unwrap_or_else(|| panic!("no {CHECK} in: {}", self.all))
    }

    /// The server check's outcome (`passed`, `failed`, `error` …).
    fn outcome(&self) -> &str {
        self.check()["outcome"].as_str().unwrap_or_default()
    }
}

/// `tagc verify PLAN --only server --format json --test-event-code TEST123 --graph-url URL
/// --timeout 2` with `token`.
fn verify(plan: &PathBuf, url: &str, token: &str) -> Run {
    let out = tagc()
        .env("META_ACCESS_TOKEN", token)
        .arg("verify")
        .arg(plan)
        .args(["--only", "server", "--format", "json"])
        .args(["--test-event-code", "TEST123", "--graph-url", url])
        .args(["--timeout", "2"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    Run {
        code: out.status.code(),
        report: serde_json::from_str(&stdout).unwrap_or(Value::Null),
        all: format!("{stdout}{}", String::from_utf8_lossy(&out.stderr)),
    }
}

/// A Graph error fault with `status` and `code`.
fn graph(status: u16, code: u32, subcode: Option<u32>, transient: bool) -> FaultKind {
    FaultKind::Graph {
        status,
        code,
        subcode,
        transient,
    }
}

/// Table, rows 1–2: all accepted → 0; an event refused (code 100 other than subcode 33)
/// or a partial confirmation → 1, the check failed.
#[test]
fn verify_table_accepted_is_0_refused_or_unconfirmed_is_1() {
    let (_dir, plan) = shop_plan();
    let g = fake(vec![]);
    let r = verify(&plan, &g.url(), TOKEN);
    assert_eq!(r.code, Some(0), "{}", r.all);
    assert_eq!(r.outcome(), "passed");
    assert_eq!(g.received_count(), 1);

    for (name, kind) in [
        ("code 100", graph(400, 100, None, false)),
        ("code 100/2804019", graph(400, 100, Some(2_804_019), false)),
        ("partial", FaultKind::Partial(0)),
    ] {
        let g = fake(vec![Fault::always(kind)]);
        let r = verify(&plan, &g.url(), TOKEN);
        assert_eq!(r.code, Some(1), "{name}: {}", r.all);
        assert_eq!(r.outcome(), "failed", "{name}: {}", r.all);
    }
}

/// Table, row 3: an outage after retries (HTTP 5xx/429, codes 1, 2, 4, 17, 341, reset,
/// timeout, DNS) → 2, the check could not run; a DNS failure says so.
#[test]
fn verify_table_an_outage_is_2() {
    let (_dir, plan) = shop_plan();
    let kinds = [
        ("HTTP 500 code 2", graph(500, 2, None, true)),
        ("HTTP 500 code 1", graph(500, 1, None, true)),
        ("HTTP 429 code 4", FaultKind::Throttle(4)),
        ("HTTP 429 code 17", FaultKind::Throttle(17)),
        ("HTTP 429 code 341", FaultKind::Throttle(341)),
        ("HTTP 503 HTML", FaultKind::Html(503)),
        ("reset", FaultKind::Reset),
        ("timeout", FaultKind::Latency(Duration::from_secs(5))),
    ];
    // Each run waits out its retries: run them side by side.
    std::thread::scope(|s| {
        let runs: Vec<_> = kinds
            .iter()
            .map(|&(name, kind)| {
                let plan = &plan;
                s.spawn(move || {
                    let g = fake(vec![Fault::always(kind)]);
                    (name, verify(plan, &g.url(), TOKEN))
                })
            })
            .collect();
        for run in runs {
            let (name, r) = run.join().unwrap();
            assert_eq!(r.code, Some(2), "{name}: {}", r.all);
            assert_eq!(r.outcome(), "error", "{name}: {}", r.all);
        }
    });

    let r = verify(&plan, "http://nonexistent.invalid", TOKEN);
    assert_eq!(r.code, Some(2), "DNS: {}", r.all);
    assert_eq!(r.outcome(), "error", "DNS: {}", r.all);
    let message = r.check()["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("cannot resolve") || message.contains("DNS"),
        "{message}"
    );
    assert!(!message.contains("uncategorized"), "{message}");
}

/// Table, row 4: a refused token (190, 102) → 2.
#[test]
fn verify_table_a_refused_token_is_2() {
    let (_dir, plan) = shop_plan();
    let g = fake(vec![]);
    let r = verify(&plan, &g.url(), EXPIRED_TOKEN);
    assert_eq!(r.code, Some(2), "190: {}", r.all);
    assert_eq!(r.outcome(), "error");
    assert!(
        r.all.contains("Meta refused the access token (code 190)"),
        "{}",
        r.all
    );

    let g = fake(vec![Fault::always(graph(400, 102, None, false))]);
    let r = verify(&plan, &g.url(), TOKEN);
    assert_eq!(r.code, Some(2), "102: {}", r.all);
    assert_eq!(r.outcome(), "error");
    assert!(r.all.contains("refused the access token"), "{}", r.all);
    assert_eq!(g.requests(), 1, "not retried");
}

/// Table, row 5: permission / pixel not accessible (10, 200–299, 100 with subcode 33)
/// → 2.
#[test]
fn verify_table_a_permission_error_or_an_unknown_pixel_is_2() {
    let (_dir, plan) = shop_plan();
    for (name, kind) in [
        ("code 10", graph(403, 10, None, false)),
        ("code 200", graph(403, 200, None, false)),
        ("code 299", graph(403, 299, None, false)),
        ("code 100/33", graph(400, 100, Some(33), false)),
    ] {
        let g = fake(vec![Fault::always(kind)]);
        let r = verify(&plan, &g.url(), TOKEN);
        assert_eq!(r.code, Some(2), "{name}: {}", r.all);
        assert_eq!(r.outcome(), "error", "{name}: {}", r.all);
    }
    // The fake itself does not know the pixel.
    let g = FakeGraph::start(FakeConfig::new());
    let r = verify(&plan, &g.url(), TOKEN);
    assert_eq!(r.code, Some(2), "unknown pixel: {}", r.all);
    assert_eq!(r.outcome(), "error");
}

/// Table, row 6: an HTTP answer that is not Graph's and not retryable (a 404 HTML page)
/// → 2, not retried.
#[test]
fn verify_table_a_404_html_page_is_2() {
    let (_dir, plan) = shop_plan();
    let g = fake(vec![Fault::always(FaultKind::Html(404))]);
    let r = verify(&plan, &g.url(), TOKEN);
    assert_eq!(r.code, Some(2), "{}", r.all);
    assert_eq!(r.outcome(), "error");
    assert_eq!(g.requests(), 1, "not retried");
}

/// Table, row 7: an invalid `--graph-url` → 2, not retried, and the message says the URL
/// is not valid.
#[test]
fn verify_table_an_invalid_graph_url_is_2() {
    let (_dir, plan) = shop_plan();
    let start = Instant::now();
    let r = verify(&plan, "http://[::1", TOKEN);
    assert_eq!(r.code, Some(2), "{}", r.all);
    // The server check's message if there is a report, else what was printed.
    let said = match r.report["checks"].as_array() {
        Some(_) => r.check()["message"]
            .as_str()
            .unwrap_or_default()
            .to_lowercase(),
        None => r.all.to_lowercase(),
    };
    assert!(
        said.contains("not valid") || said.contains("not a valid"),
        "says the URL is not valid: {}",
        r.all
    );
    assert!(
        start.elapsed() < Duration::from_millis(1500),
        "retried: {:?}",
        start.elapsed()
    );
}

/// A token with a `|`, so that its encodings differ; both parts stay as they are in
/// every encoding, so finding either is a leak.
const SECRET: &str = "EAAGm0PX4ZCps1x|Secret_Part-9xYz.v2";

/// Contract, secrets: every string from Meta passes the redactor, in verify's report
/// too, whichever encoding Meta echoes the token in.
#[test]
fn verify_never_shows_a_token_meta_echoes() {
    let (_dir, plan) = shop_plan();
    for encoding in TokenEcho::EACH.into_iter().chain([TokenEcho::All]) {
        for code in [Some(100), None] {
            let mut config = FakeConfig::new().pixel(SHOP_PIXEL).token(SECRET);
            config.faults = vec![Fault::always(FaultKind::EchoToken(encoding, code))];
            let g = FakeGraph::start(config);
            let r = verify(&plan, &g.url(), SECRET);
            if code.is_some() {
                assert_eq!(r.code, Some(1), "{encoding:?}: refused: {}", r.all);
            }
            for part in SECRET.split('|') {
                assert!(
                    !r.all.contains(part),
                    "{encoding:?} {code:?}: the token leaked: {}",
                    r.all
                );
            }
        }
    }
}

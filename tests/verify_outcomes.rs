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
use support::cli::{build_example, tagc};
use support::contract::{
    SECRET, assert_no_secret, assert_says_dns_failure, event_refusals, graph_error, outages,
    permission_errors, says_not_valid,
};
use support::graph::{EXPIRED_TOKEN, FakeConfig, FakeGraph, Fault, FaultKind, TOKEN, TokenEcho};
use support::orders::SHOP_PIXEL;

/// The shop's server check.
const CHECK: &str = "server/purchase";

/// The shop example built into a temporary directory: (the directory, its plan).
fn shop_plan() -> (tempfile::TempDir, PathBuf) {
    let dir = build_example("shop");
    let plan = dir.path().join("verify/plan.json");
    (dir, plan)
}

/// A fake that knows the shop's pixel (on the system clock, as verify's events are
/// stamped now), with `faults`.
fn fake(faults: Vec<Fault>) -> FakeGraph {
    FakeGraph::start(FakeConfig {
        faults,
        ..FakeConfig::new().pixel(SHOP_PIXEL)
    })
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

    /// Panics unless the run (named `name`) exited with `code` and the server check's
    /// outcome is `outcome`.
    fn expect(&self, code: i32, outcome: &str, name: &str) {
        assert_eq!(self.code, Some(code), "{name}: {}", self.all);
        assert_eq!(self.outcome(), outcome, "{name}: {}", self.all);
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

/// The shop's plan verified against a fake that has `faults`, with `token`: (the fake,
/// the run).
fn verify_against(plan: &PathBuf, faults: Vec<Fault>, token: &str) -> (FakeGraph, Run) {
    let g = fake(faults);
    let r = verify(plan, &g.url(), token);
    (g, r)
}

/// Table, rows 1–2: all accepted → 0; an event refused (code 100 other than subcode 33)
/// or a partial confirmation → 1, the check failed.
#[test]
fn verify_table_accepted_is_0_refused_or_unconfirmed_is_1() {
    let (_dir, plan) = shop_plan();
    let (g, r) = verify_against(&plan, vec![], TOKEN);
    r.expect(0, "passed", "accepted");
    assert_eq!(g.received_count(), 1);

    let unconfirmed = ("partial", FaultKind::Partial(0));
    for (name, kind) in event_refusals().into_iter().chain([unconfirmed]) {
        let (_g, r) = verify_against(&plan, vec![Fault::always(kind)], TOKEN);
        r.expect(1, "failed", name);
    }
}

/// Table, row 3: an outage after retries (HTTP 5xx/429, codes 1, 2, 4, 17, 341, reset,
/// timeout, DNS) → 2, the check could not run; a DNS failure says so.
#[test]
fn verify_table_an_outage_is_2() {
    let (_dir, plan) = shop_plan();
    // Each run waits out its retries: run them side by side.
    std::thread::scope(|s| {
        let runs: Vec<_> = outages(Duration::from_secs(5))
            .into_iter()
            .map(|(name, kind)| {
                let plan = &plan;
                s.spawn(move || {
                    (
                        name,
                        verify_against(plan, vec![Fault::always(kind)], TOKEN).1,
                    )
                })
            })
            .collect();
        for run in runs {
            let (name, r) = run.join().unwrap();
            r.expect(2, "error", name);
        }
    });

    let r = verify(&plan, "http://nonexistent.invalid", TOKEN);
    r.expect(2, "error", "DNS");
    assert_says_dns_failure(r.check()["message"].as_str().unwrap_or_default());
}

/// Table, row 4: a refused token (190, 102) → 2.
#[test]
fn verify_table_a_refused_token_is_2() {
    let (_dir, plan) = shop_plan();
    let (_g, r) = verify_against(&plan, vec![], EXPIRED_TOKEN);
    r.expect(2, "error", "190");
    assert!(
        r.all.contains("Meta refused the access token (code 190)"),
        "{}",
        r.all
    );

    let refused = Fault::always(graph_error(400, 102, None, false));
    let (g, r) = verify_against(&plan, vec![refused], TOKEN);
    r.expect(2, "error", "102");
    assert!(r.all.contains("refused the access token"), "{}", r.all);
    assert_eq!(g.requests(), 1, "not retried");
}

/// Table, row 5: permission / pixel not accessible (10, 200–299, 100 with subcode 33)
/// → 2.
#[test]
fn verify_table_a_permission_error_or_an_unknown_pixel_is_2() {
    let (_dir, plan) = shop_plan();
    let no_pixel = ("code 100/33", graph_error(400, 100, Some(33), false));
    for (name, kind) in permission_errors().into_iter().chain([no_pixel]) {
        let (_g, r) = verify_against(&plan, vec![Fault::always(kind)], TOKEN);
        r.expect(2, "error", name);
    }
    // The fake itself does not know the pixel.
    let g = FakeGraph::start(FakeConfig::new());
    verify(&plan, &g.url(), TOKEN).expect(2, "error", "unknown pixel");
}

/// Table, row 6: an HTTP answer that is not Graph's and not retryable (a 404 HTML page)
/// → 2, not retried.
#[test]
fn verify_table_a_404_html_page_is_2() {
    let (_dir, plan) = shop_plan();
    let (g, r) = verify_against(&plan, vec![Fault::always(FaultKind::Html(404))], TOKEN);
    r.expect(2, "error", "HTML 404");
    assert_eq!(g.requests(), 1, "not retried");
}

/// Table, row 7: an invalid `--graph-url` → 2, not retried, and the message says the URL
/// is not valid.
#[test]
fn verify_table_an_invalid_graph_url_is_2() {
    let (_dir, plan) = shop_plan();
    let start = Instant::now();
    let r = verify(&plan, "http://[::1", TOKEN);
    let took = start.elapsed();
    assert_eq!(r.code, Some(2), "{}", r.all);
    // The server check's message if there is a report, else what was printed.
    let said = match r.report["checks"].as_array() {
        Some(_) => r.check()["message"].as_str().unwrap_or_default(),
        None => &r.all,
    };
    assert!(says_not_valid(said), "says the URL is not valid: {}", r.all);
    assert!(took < Duration::from_millis(1500), "retried: {took:?}");
}

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
            assert_no_secret(&format!("verify's output ({encoding:?} {code:?})"), &r.all);
        }
    }
}

//! What issue 16's contract (spec16.md) asks of both `tagc send` and `tagc verify`: the
//! rows of the table that classifies Meta's answers, as the fake Graph API plays them,
//! the wording the messages must have, and a token that must never show.

#![allow(dead_code)] // each test crate uses part of it

use std::time::Duration;

use super::graph::FaultKind;

/// A Graph error fault: HTTP `status`, `code`, `subcode` and `is_transient`.
#[must_use]
pub fn graph_error(status: u16, code: u32, subcode: Option<u32>, transient: bool) -> FaultKind {
    FaultKind::Graph {
        status,
        code,
        subcode,
        transient,
    }
}

/// Table, row 2: Meta refuses the events (code 100, other than subcode 33), whole
/// requests, with and without a subcode.
#[must_use]
pub fn event_refusals() -> [(&'static str, FaultKind); 2] {
    [
        ("code 100", graph_error(400, 100, None, false)),
        (
            "code 100/2804019",
            graph_error(400, 100, Some(2_804_019), false),
        ),
    ]
}

/// Table, row 3: the outages, as the fake plays them; a timeout is an answer that takes
/// `timeout_latency` (longer than the run's `--timeout`).
#[must_use]
pub fn outages(timeout_latency: Duration) -> [(&'static str, FaultKind); 8] {
    [
        ("HTTP 500 code 2", graph_error(500, 2, None, true)),
        ("HTTP 500 code 1", graph_error(500, 1, None, true)),
        ("HTTP 429 code 4", FaultKind::Throttle(4)),
        ("HTTP 429 code 17", FaultKind::Throttle(17)),
        ("HTTP 429 code 341", FaultKind::Throttle(341)),
        ("HTTP 503 HTML", FaultKind::Html(503)),
        ("reset", FaultKind::Reset),
        ("timeout", FaultKind::Latency(timeout_latency)),
    ]
}

/// Table, row 5: permission errors (codes 10 and 200–299, HTTP 403).
#[must_use]
pub fn permission_errors() -> [(&'static str, FaultKind); 3] {
    [
        ("code 10", graph_error(403, 10, None, false)),
        ("code 200", graph_error(403, 200, None, false)),
        ("code 299", graph_error(403, 299, None, false)),
    ]
}

/// Panics unless `said` names a DNS failure as one ("cannot resolve" or "DNS", never
/// "uncategorized").
pub fn assert_says_dns_failure(said: &str) {
    assert!(
        said.contains("cannot resolve") || said.contains("DNS"),
        "{said}"
    );
    assert!(!said.contains("uncategorized"), "{said}");
}

/// Whether `text` says something is not valid ("is not valid", "is not a valid URL").
#[must_use]
pub fn says_not_valid(text: &str) -> bool {
    let text = text.to_lowercase();
    text.contains("not valid") || text.contains("not a valid")
}

/// A token with a `|`, so that its encodings differ. Every encoding keeps the two parts
/// either side of the `|` as they are, so finding either part anywhere is a leak.
pub const SECRET: &str = "EAAGm0PX4ZCps1x|Secret_Part-9xYz.v2";

/// Panics if `text` (named `what`) holds any part of [`SECRET`].
pub fn assert_no_secret(what: &str, text: &str) {
    for part in SECRET.split('|') {
        assert!(!text.contains(part), "the token leaked into {what}: {text}");
    }
}

//! The JSON report: one versioned document, stable for tools to consume.
//!
//! ```text
//! {"version": 1, "tool": "tagc", "env", "sent_to_meta", "test_event_code",
//!  "browser_target", "summary": {"passed", "assumed", "failed", "error", "skipped"},
//!  "checks": [CheckResult…], "manual": [...], "notes": [...]}
//! ```
//!
//! Each check is serialized as [`CheckResult`] is (`id`, `kind`, `title`, `location`,
//! `outcome`, `message`, `mismatches`, `millis`).

use serde::Serialize;

use super::Counts;
use crate::verify::{CheckResult, Report};

/// The version of the JSON verification report; bumped on incompatible changes.
pub const REPORT_VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    tool: &'static str,
    env: &'a str,
    sent_to_meta: bool,
    test_event_code: Option<&'a str>,
    browser_target: &'a str,
    summary: Summary,
    checks: &'a [CheckResult],
    manual: &'a [String],
    notes: &'a [String],
}

#[derive(Serialize)]
struct Summary {
    passed: usize,
    /// Checks that passed on a stated assumption (outcome `assumed`).
    assumed: usize,
    failed: usize,
    error: usize,
    skipped: usize,
}

/// Renders the report as one pretty-printed JSON document ending in a newline.
#[must_use]
pub fn render(report: &Report) -> String {
    let c = Counts::of(&report.checks);
    let doc = Document {
        version: REPORT_VERSION,
        tool: "tagc",
        env: &report.env,
        sent_to_meta: report.sent_to_meta,
        test_event_code: report.test_event_code.as_deref(),
        browser_target: &report.browser_target,
        summary: Summary {
            passed: c.passed,
            assumed: c.assumed,
            failed: c.failed,
            error: c.error,
            skipped: c.skipped,
        },
        checks: &report.checks,
        manual: &report.manual,
        notes: &report.notes,
    };
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_else(|_| String::from("{}"));
    s.push('\n');
    s
}

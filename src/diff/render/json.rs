//! The versioned JSON report.

use crate::diff::Report;

/// The report as pretty-printed JSON, with a final newline.
#[must_use]
pub fn render(report: &Report) -> String {
    let mut s = serde_json::to_string_pretty(report).unwrap_or_default();
    s.push('\n');
    s
}

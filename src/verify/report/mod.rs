//! Renderers of a verification [`Report`]: human (a table), JSON, JUnit XML and GitHub
//! Actions annotations.
//!
//! Every string in a report may come from the configuration (titles, ids, file names) or
//! from what a page or Meta sent back (mismatch values, messages), so each renderer treats
//! them as hostile: the human table and the annotations make control characters and
//! bidirectional overrides visible (as the diagnostic renderers do), JUnit escapes for XML
//! 1.0, JSON relies on `serde_json`. All four are deterministic: the same report gives the
//! same bytes (times come from [`CheckResult::millis`](super::CheckResult::millis), which
//! tests set to 0).

pub mod github;
pub mod human;
pub mod json;
pub mod junit;

use super::{Outcome, Report};

/// The human table, for a terminal (`color` adds ANSI colours).
#[must_use]
pub fn human(report: &Report, color: bool) -> String {
    human::render(report, color)
}

/// One JSON document.
#[must_use]
pub fn json(report: &Report) -> String {
    json::render(report)
}

/// JUnit XML (one test suite per check kind).
#[must_use]
pub fn junit(report: &Report) -> String {
    junit::render(report)
}

/// GitHub Actions annotations (`::error file=…,line=…::…`).
#[must_use]
pub fn github(report: &Report) -> String {
    github::render(report)
}

/// Counts of a report's checks per outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Counts {
    pub(crate) passed: usize,
    pub(crate) failed: usize,
    pub(crate) error: usize,
    pub(crate) skipped: usize,
}

impl Counts {
    pub(crate) fn of<'a>(checks: impl IntoIterator<Item = &'a super::CheckResult>) -> Self {
        let mut c = Counts::default();
        for check in checks {
            match check.outcome {
                Outcome::Passed => c.passed += 1,
                Outcome::Failed => c.failed += 1,
                Outcome::Error => c.error += 1,
                Outcome::Skipped => c.skipped += 1,
            }
        }
        c
    }

    pub(crate) fn total(self) -> usize {
        self.passed + self.failed + self.error + self.skipped
    }
}

/// `1 error`, `2 errors`.
pub(crate) fn errors_word(n: usize) -> &'static str {
    if n == 1 { "error" } else { "errors" }
}

/// The summary line shared by the human table and the annotations:
/// `12 passed, 1 failed, 0 errors, 2 skipped`.
pub(crate) fn summary_line(c: Counts) -> String {
    format!(
        "{} passed, {} failed, {} {}, {} skipped",
        c.passed,
        c.failed,
        c.error,
        errors_word(c.error),
        c.skipped
    )
}

/// What the run did on the server side, in words.
pub(crate) const OFFLINE: &str = "offline: checked with Meta's rules, nothing was sent to Meta";

/// The heading of the manual steps.
pub(crate) const MANUAL_HEADING: &str = "Confirm by hand in Events Manager → Test Events:";

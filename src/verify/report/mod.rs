//! Renderers of a verification [`Report`]: human (a table), JSON, JUnit XML and GitHub
//! Actions annotations, each the [`Emitter`] of its format
//! ([`HumanEmitter`], [`JsonEmitter`], [`JunitEmitter`], [`GithubEmitter`]).
//!
//! Every string in a report may come from the configuration (titles, ids, file names) or
//! from what a page or Meta sent back (mismatch values, messages), so each renderer treats
//! them as hostile and escapes it with its syntax's helper in [`crate::escape`]: the human
//! table and the annotations make control characters and bidirectional overrides visible
//! (as the diagnostic renderers do), JUnit escapes for XML 1.0, JSON relies on `serde_json`. All four are deterministic: the same report gives the
//! same bytes (times come from [`CheckResult::millis`](super::CheckResult::millis), which
//! tests set to 0).

pub mod github;
pub mod human;
pub mod json;
pub mod junit;

use std::io::{self, Write};

use super::{Outcome, Report};
use crate::render::{Emitter, GithubEmitter, HumanEmitter, JsonEmitter, JunitEmitter};

impl Emitter<Report> for HumanEmitter {
    fn emit(&mut self, w: &mut dyn Write, report: &Report) -> io::Result<()> {
        w.write_all(human::render(report, self.color).as_bytes())
    }
}

impl Emitter<Report> for JsonEmitter {
    fn emit(&mut self, w: &mut dyn Write, report: &Report) -> io::Result<()> {
        w.write_all(json::render(report).as_bytes())
    }
}

impl Emitter<Report> for JunitEmitter {
    fn emit(&mut self, w: &mut dyn Write, report: &Report) -> io::Result<()> {
        w.write_all(junit::render(report).as_bytes())
    }
}

impl Emitter<Report> for GithubEmitter {
    fn emit(&mut self, w: &mut dyn Write, report: &Report) -> io::Result<()> {
        w.write_all(github::render(report).as_bytes())
    }
}

/// The human table, for a terminal (`color` adds ANSI colours): [`HumanEmitter`] as text.
#[must_use]
pub fn human(report: &Report, color: bool) -> String {
    HumanEmitter::new(color).render(report)
}

/// One JSON document: [`JsonEmitter`] as text.
#[must_use]
pub fn json(report: &Report) -> String {
    JsonEmitter.render(report)
}

/// JUnit XML (one test suite per check kind): [`JunitEmitter`] as text.
#[must_use]
pub fn junit(report: &Report) -> String {
    JunitEmitter.render(report)
}

/// GitHub Actions annotations (`::error file=…,line=…::…`): [`GithubEmitter`] as text.
#[must_use]
pub fn github(report: &Report) -> String {
    GithubEmitter.render(report)
}

/// Counts of a report's checks per outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Counts {
    pub(crate) passed: usize,
    pub(crate) assumed: usize,
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
                Outcome::Assumed => c.assumed += 1,
                Outcome::Failed => c.failed += 1,
                Outcome::Error => c.error += 1,
                Outcome::Skipped => c.skipped += 1,
            }
        }
        c
    }

    pub(crate) fn total(self) -> usize {
        self.passed + self.assumed + self.failed + self.error + self.skipped
    }
}

/// `1 error`, `2 errors`.
pub(crate) fn errors_word(n: usize) -> &'static str {
    if n == 1 { "error" } else { "errors" }
}

/// The summary line shared by the human table and the annotations:
/// `12 passed, 1 failed, 0 errors, 2 skipped`, with `1 assumed` after the passed ones
/// when a check passed on an assumption.
pub(crate) fn summary_line(c: Counts) -> String {
    format!(
        "{} passed, {}{} failed, {} {}, {} skipped",
        c.passed,
        assumed_part(c),
        c.failed,
        c.error,
        errors_word(c.error),
        c.skipped
    )
}

/// `1 assumed, ` when a check passed on an assumption, else nothing (reports without
/// one read as before).
pub(crate) fn assumed_part(c: Counts) -> String {
    if c.assumed > 0 {
        format!("{} assumed, ", c.assumed)
    } else {
        String::new()
    }
}

/// A call the page made, on one line: `track Lead {"value":24.9} {"eventID":"e-1"}`,
/// cut at 200 characters.
pub(crate) fn call_line(call: &serde_json::Value) -> String {
    let text = match call.as_array() {
        Some(items) if items.first().is_some_and(serde_json::Value::is_string) => {
            let mut s = items[0].as_str().unwrap_or_default().to_owned();
            for a in &items[1..] {
                s.push(' ');
                match a.as_str() {
                    Some(t) if !t.contains(char::is_whitespace) => s.push_str(t),
                    _ => s.push_str(&a.to_string()),
                }
            }
            s
        }
        _ => call.to_string(),
    };
    if text.chars().count() > 200 {
        format!("{}…", text.chars().take(199).collect::<String>())
    } else {
        text
    }
}

/// Skipped checks grouped by why: (reason, count, the first few ids), in order of first
/// appearance.
pub(crate) fn skipped_groups(report: &Report) -> Vec<(String, usize, Vec<&str>)> {
    let mut groups: Vec<(String, usize, Vec<&str>)> = Vec::new();
    for c in report
        .checks
        .iter()
        .filter(|c| c.outcome == Outcome::Skipped)
    {
        let why = if c.message.is_empty() {
            "not selected".to_owned()
        } else {
            c.message.clone()
        };
        match groups.iter_mut().find(|g| g.0 == why) {
            Some(g) => {
                g.1 += 1;
                if g.2.len() < 3 {
                    g.2.push(&c.id);
                }
            }
            None => groups.push((why, 1, vec![&c.id])),
        }
    }
    groups
}

/// What the run did on the server side, in words.
pub(crate) const OFFLINE: &str = "offline: checked with Meta's rules, nothing was sent to Meta";

/// The heading of the manual steps.
pub(crate) const MANUAL_HEADING: &str = "Confirm by hand in Events Manager → Test Events:";

//! JUnit XML, as the test tabs of GitHub (test-reporter actions), GitLab and Jenkins read it.
//!
//! ```text
//! <testsuites name="tagc verify" tests failures errors skipped time>
//!   <testsuite name="server|browser|dedup" …>   (in that order, empty kinds left out)
//!     <testcase classname="tagc.verify.{kind}" name="{id}: {title}" file line time>
//!       <failure message="…">mismatches</failure> | <error message="…"/> | <skipped/>
//!     </testcase>
//!     <system-out>manual steps and notes</system-out>   (on the first suite only)
//!   </testsuite>
//! </testsuites>
//! ```
//!
//! Times are seconds with three decimals. Every string is escaped for XML 1.0 by
//! [`crate::escape::xml`]: the five
//! markup characters become entities, control characters that XML cannot carry (and the
//! bidirectional overrides the other renderers neutralise too) become visible `\u{…}`
//! escapes, and in attributes `\n` becomes `&#10;` so it survives attribute normalisation.

use std::fmt::Write as _;

use super::{Counts, MANUAL_HEADING, OFFLINE};
use crate::escape::terminal::visible as sanitize;
use crate::escape::xml::{attr, text};
use crate::verify::{CheckKind, CheckResult, NoteLevel, Outcome, Report};

/// Milliseconds as seconds with three decimals.
fn secs(millis: u64) -> String {
    format!("{}.{:03}", millis / 1000, millis % 1000)
}

fn total_millis<'a>(checks: impl IntoIterator<Item = &'a CheckResult>) -> u64 {
    checks
        .into_iter()
        .fold(0u64, |t, c| t.saturating_add(c.millis))
}

/// The text of a failure: the mismatches, one block each.
///
/// In text content, values are made single-line first and each line starts with text of
/// ours, so no line of a printed report is read as a GitHub Actions `::` command.
fn mismatch_text(check: &CheckResult) -> String {
    let mut s = String::new();
    for m in &check.mismatches {
        let _ = writeln!(s, "- {}", sanitize(&m.what));
        let _ = writeln!(s, "  expected: {}", sanitize(&m.expected));
        let _ = writeln!(s, "  actual:   {}", sanitize(&m.actual));
    }
    s
}

/// A check's notes, warnings and the calls its page made, one per line.
fn case_out(check: &CheckResult) -> String {
    let mut s = String::new();
    for n in &check.notes {
        let level = match n.level {
            NoteLevel::Warning => "warning",
            NoteLevel::Note => "note",
        };
        let _ = writeln!(s, "{level}: {}", sanitize(&n.message));
    }
    for call in &check.sent {
        let _ = writeln!(s, "sent: {}", sanitize(&super::call_line(call)));
    }
    s
}

/// What goes in `<system-out>`: how the run went, the manual steps and the notes.
fn system_out(report: &Report) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "env: {}", sanitize(&report.env));
    if report.sent_to_meta {
        let _ = writeln!(s, "sent to Meta");
    } else {
        let _ = writeln!(s, "{OFFLINE}");
    }
    if let Some(code) = &report.test_event_code {
        let _ = writeln!(s, "test_event_code: {}", sanitize(code));
    }
    let _ = writeln!(s, "browser: {}", sanitize(&report.browser_target));
    if !report.manual.is_empty() {
        let _ = writeln!(s, "\n{MANUAL_HEADING}");
        for (i, step) in report.manual.iter().enumerate() {
            let _ = writeln!(s, "{}. {}", i + 1, sanitize(step));
        }
    }
    if !report.notes.is_empty() {
        s.push('\n');
        for note in &report.notes {
            let _ = writeln!(s, "note: {}", sanitize(note));
        }
    }
    s
}

fn write_counts(out: &mut String, c: Counts, millis: u64) {
    let _ = write!(
        out,
        " tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{}\"",
        c.total(),
        c.failed,
        c.error,
        c.skipped + c.assumed,
        secs(millis)
    );
}

fn write_case(out: &mut String, check: &CheckResult) {
    let kind = check.kind.as_str();
    let _ = write!(
        out,
        "    <testcase classname=\"tagc.verify.{kind}\" name=\"{}\" file=\"{}\" line=\"{}\" time=\"{}\"",
        attr(&format!("{}: {}", check.id, check.title)),
        attr(&check.location.file),
        check.location.line,
        secs(check.millis)
    );
    let notes = case_out(check);
    match check.outcome {
        Outcome::Passed if notes.is_empty() => out.push_str("/>\n"),
        Outcome::Passed => {
            let _ = writeln!(
                out,
                ">\n      <system-out>{}</system-out>\n    </testcase>",
                text(&notes)
            );
        }
        Outcome::Failed => {
            let body = mismatch_text(check);
            let _ = write!(
                out,
                ">\n      <failure message=\"{}\"",
                attr(&check.message)
            );
            if body.is_empty() {
                out.push_str("/>\n");
            } else {
                let _ = writeln!(out, ">{}</failure>", text(&body));
            }
            if !notes.is_empty() {
                let _ = writeln!(out, "      <system-out>{}</system-out>", text(&notes));
            }
            out.push_str("    </testcase>\n");
        }
        Outcome::Error => {
            let _ = writeln!(
                out,
                ">\n      <error message=\"{}\"/>\n    </testcase>",
                attr(&check.message)
            );
        }
        // JUnit's own convention: a test whose assumption tagc cannot check is skipped,
        // with the assumption as the message (never a plain pass).
        Outcome::Assumed => {
            let _ = writeln!(
                out,
                ">\n      <skipped message=\"{}\"/>",
                attr(&check.message)
            );
            if !notes.is_empty() {
                let _ = writeln!(out, "      <system-out>{}</system-out>", text(&notes));
            }
            out.push_str("    </testcase>\n");
        }
        Outcome::Skipped => {
            out.push_str(">\n      <skipped");
            if !check.message.is_empty() {
                let _ = write!(out, " message=\"{}\"", attr(&check.message));
            }
            out.push_str("/>\n    </testcase>\n");
        }
    }
}

/// Renders the report as a JUnit XML document ending in a newline.
#[must_use]
pub fn render(report: &Report) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str("<testsuites name=\"tagc verify\"");
    write_counts(
        &mut out,
        Counts::of(&report.checks),
        total_millis(&report.checks),
    );
    out.push_str(">\n");

    let sysout = system_out(report);
    let mut sysout_written = false;
    for kind in [CheckKind::Server, CheckKind::Browser, CheckKind::Dedup] {
        let checks: Vec<&CheckResult> = report.checks.iter().filter(|c| c.kind == kind).collect();
        if checks.is_empty() {
            continue;
        }
        let _ = write!(out, "  <testsuite name=\"{}\"", kind.as_str());
        write_counts(
            &mut out,
            Counts::of(checks.iter().copied()),
            total_millis(checks.iter().copied()),
        );
        out.push_str(">\n");
        for check in checks {
            write_case(&mut out, check);
        }
        if !sysout_written {
            let _ = writeln!(out, "    <system-out>{}</system-out>", text(&sysout));
            sysout_written = true;
        }
        out.push_str("  </testsuite>\n");
    }
    if !sysout_written {
        // No checks at all: an empty suite still carries the manual steps.
        out.push_str("  <testsuite name=\"tagc verify\"");
        write_counts(&mut out, Counts::default(), 0);
        let _ = writeln!(
            out,
            ">\n    <system-out>{}</system-out>\n  </testsuite>",
            text(&sysout)
        );
    }
    out.push_str("</testsuites>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_have_three_decimals() {
        assert_eq!(secs(0), "0.000");
        assert_eq!(secs(12_345), "12.345");
    }
}

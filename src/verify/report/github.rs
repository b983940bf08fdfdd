//! GitHub Actions workflow commands.
//!
//! ```text
//! ::error file=F,line=L,col=C,title=tagc verify {id}::{message}; {what}: expected …, actual …
//! ::warning file=F,line=L,col=C,title=tagc verify {id} (could not run)::{message}
//! ::notice file=F,line=L,col=C,title=tagc verify {id} (assumed)::assumed: …
//! ::notice title=tagc verify::2 passed, 1 failed, 1 error, 1 skipped (env …; …)
//! ::notice title=tagc verify: confirm by hand::Confirm by hand in …%0A1. …
//! ```
//!
//! One `::error` per failed check, one `::warning` per check that could not run, one
//! `::notice` per check that passed on an assumption, nothing for passed (unless with a
//! warning) or skipped checks, then the summary and (if any) the manual steps. Escaped by
//! [`crate::escape::github`], as the diagnostics are: in the message `%`, `\r` and `\n` are
//! percent-encoded; in properties `,` and `:` are too; control characters and
//! bidirectional overrides are first made visible so a value cannot forge a command.

use std::fmt::Write as _;

use super::{Counts, MANUAL_HEADING, OFFLINE, summary_line};
use crate::escape::github::{data as escape_data, property as escape_property};
use crate::verify::{CheckResult, NoteLevel, Outcome, Report};

/// The message of a failed check: its message, then each mismatch.
fn failure_message(check: &CheckResult) -> String {
    let mut parts: Vec<String> = Vec::new();
    if !check.message.is_empty() {
        parts.push(check.message.clone());
    }
    for m in &check.mismatches {
        parts.push(format!(
            "{}: expected {}, actual {}",
            m.what, m.expected, m.actual
        ));
    }
    if parts.is_empty() {
        parts.push(String::from("failed"));
    }
    for n in &check.notes {
        parts.push(n.message.clone());
    }
    parts.join("; ")
}

fn write_command(out: &mut String, kind: &str, check: &CheckResult, title: &str, message: &str) {
    let _ = writeln!(
        out,
        "::{kind} file={},line={},col={},title={}::{}",
        escape_property(&check.location.file),
        check.location.line,
        check.location.column,
        escape_property(title),
        escape_data(message)
    );
}

/// Renders the report as workflow commands, one per line.
#[must_use]
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for check in &report.checks {
        match check.outcome {
            Outcome::Failed => write_command(
                &mut out,
                "error",
                check,
                &format!("tagc verify {}", check.id),
                &failure_message(check),
            ),
            Outcome::Error => write_command(
                &mut out,
                "warning",
                check,
                &format!("tagc verify {} (could not run)", check.id),
                if check.message.is_empty() {
                    "could not run"
                } else {
                    &check.message
                },
            ),
            Outcome::Passed => {
                let warnings: Vec<&str> = check
                    .notes
                    .iter()
                    .filter(|n| n.level == NoteLevel::Warning)
                    .map(|n| n.message.as_str())
                    .collect();
                if !warnings.is_empty() {
                    write_command(
                        &mut out,
                        "warning",
                        check,
                        &format!("tagc verify {} (passed with a warning)", check.id),
                        &warnings.join("; "),
                    );
                }
            }
            Outcome::Assumed => {
                let mut parts = vec![check.message.clone()];
                parts.extend(check.notes.iter().map(|n| n.message.clone()));
                write_command(
                    &mut out,
                    "notice",
                    check,
                    &format!("tagc verify {} (assumed)", check.id),
                    &parts.join("; "),
                );
            }
            Outcome::Skipped => {}
        }
    }

    let mut how = vec![format!("env {}", report.env)];
    how.push(if report.sent_to_meta {
        match &report.test_event_code {
            Some(code) => format!("sent to Meta with test_event_code {code}"),
            None => String::from("sent to Meta without a test_event_code"),
        }
    } else {
        OFFLINE.to_owned()
    });
    how.push(format!("browser: {}", report.browser_target));
    let mut summary = format!(
        "{} ({})",
        summary_line(Counts::of(&report.checks)),
        how.join("; ")
    );
    for note in &report.notes {
        summary.push_str("\nnote: ");
        summary.push_str(note);
    }
    let _ = writeln!(
        out,
        "::notice title={}::{}",
        escape_property("tagc verify"),
        escape_data(&summary)
    );

    if !report.manual.is_empty() {
        let mut steps = String::from(MANUAL_HEADING);
        for (i, step) in report.manual.iter().enumerate() {
            let _ = write!(steps, "\n{}. {step}", i + 1);
        }
        let _ = writeln!(
            out,
            "::notice title={}::{}",
            escape_property("tagc verify: confirm by hand"),
            escape_data(&steps)
        );
    }
    out
}

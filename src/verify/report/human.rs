//! The human table, for a terminal (stderr).
//!
//! ```text
//! tagc verify: env production; offline: checked with Meta's rules, nothing was sent to Meta; browser: harness pages on 127.0.0.1
//!
//!   ✓  server   server/purchase         Purchase from the orders sample  tagc.yaml:12   41 ms
//!   ✗  browser  browser/landing/attend  Lead on click of "Asistir"       tagc.yaml:30  812 ms
//!   |  fbq call 2 differs
//!   |  params.value  expected  49.9
//!   |                actual    "49.90"
//!   ?  dedup    dedup/purchase          Purchase eventID in the browser …  tagc.yaml:60    0 ms
//!   |  assumed: the backend's `order.id` carries the page's data layer ecommerce.transaction_id
//!
//! 1 passed, 1 assumed, 1 failed, 0 errors, 0 skipped
//! ```
//!
//! Column widths come from the content, measured in terminal columns by [`width`] (an
//! approximation without tables: wide East Asian and emoji characters count 2, combining
//! marks 0, everything else 1). Every string is passed through
//! [`visible`](crate::escape::terminal::visible()), so a value can neither forge a line nor send
//! escape sequences, and every line starts with text of ours (a symbol, a gutter, a number),
//! so that none is read as a GitHub Actions command when the table lands in a CI log.

use std::fmt::Write as _;

use super::{Counts, MANUAL_HEADING, OFFLINE, call_line, errors_word, skipped_groups};
use crate::escape::terminal::visible as sanitize;
use crate::render::Style;
use crate::verify::{CheckResult, NoteLevel, Outcome, Report};

/// Titles longer than this many columns are cut with `…`.
pub const TITLE_WIDTH: usize = 48;

/// The gutter before the message and mismatches under a row (under the kind column).
///
/// Every line starts with text of ours, never with a value: the GitHub Actions runner
/// reads a line of the log that starts (after spaces) with `::` as a workflow command,
/// and this table goes to stderr in CI too.
const GUTTER: &str = "  |";

const GREEN: &str = "1;32";
const RED: &str = "1;31";
const YELLOW: &str = "1;33";
const DIM: &str = "2";
const BOLD: &str = "1";
const BLUE: &str = "1;34";

fn symbol(outcome: Outcome) -> (&'static str, &'static str) {
    match outcome {
        Outcome::Passed => ("✓", GREEN),
        Outcome::Assumed => ("?", BLUE),
        Outcome::Failed => ("✗", RED),
        Outcome::Error => ("!", YELLOW),
        Outcome::Skipped => ("-", DIM),
    }
}

/// The approximate number of terminal columns `c` takes (no tables, no dependency):
/// combining marks, zero-width characters and variation selectors take 0, wide East Asian
/// characters and emoji 2, everything else 1.
fn char_width(c: char) -> usize {
    match u32::from(c) {
        0x0300..=0x036F
        | 0x0483..=0x0489
        | 0x0591..=0x05BD
        | 0x0610..=0x061A
        | 0x064B..=0x065F
        | 0x200B..=0x200F
        | 0x2060..=0x2064
        | 0x20D0..=0x20FF
        | 0xFE00..=0xFE0F
        | 0xFE20..=0xFE2F
        | 0x1F3FB..=0x1F3FF
        | 0xE0100..=0xE01EF => 0,
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x1F300..=0x1F64F
        | 0x1F680..=0x1F6FF
        | 0x1F900..=0x1F9FF
        | 0x1FA70..=0x1FAFF
        | 0x20000..=0x3FFFD => 2,
        _ => 1,
    }
}

/// The approximate width of `s` in terminal columns: combining marks, zero-width
/// characters and variation selectors count 0, wide East Asian characters and emoji 2,
/// everything else 1 (no tables, no dependency).
#[must_use]
pub fn width(s: &str) -> usize {
    s.chars().map(char_width).sum()
}

/// Cuts `s` to at most `max` columns, ending in `…` when cut.
fn truncate(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_owned();
    }
    let mut out = String::new();
    let mut w = 0;
    for c in s.chars() {
        let cw = char_width(c);
        if w + cw + 1 > max {
            break;
        }
        w += cw;
        out.push(c);
    }
    out.push('…');
    out
}

/// `s` followed by spaces up to `w` columns.
fn pad_right(s: &str, w: usize) -> String {
    let mut out = s.to_owned();
    out.push_str(&" ".repeat(w.saturating_sub(width(s))));
    out
}

/// `s` preceded by spaces up to `w` columns.
fn pad_left(s: &str, w: usize) -> String {
    let mut out = " ".repeat(w.saturating_sub(width(s)));
    out.push_str(s);
    out
}

/// The header line: what ran, where, and whether anything reached Meta.
fn header(report: &Report, st: Style) -> String {
    let mut parts = vec![format!("env {}", sanitize(&report.env))];
    let code = report.test_event_code.as_deref().map(sanitize);
    match (report.sent_to_meta, code) {
        (true, Some(code)) => {
            parts.push(format!("sent to Meta with test_event_code {code}"));
        }
        (true, None) => parts.push(String::from(
            "sent to Meta without a test_event_code (they count as real events)",
        )),
        (false, Some(code)) => {
            parts.push(OFFLINE.to_owned());
            parts.push(format!("test_event_code {code} (not used)"));
        }
        (false, None) => parts.push(OFFLINE.to_owned()),
    }
    parts.push(format!("browser: {}", sanitize(&report.browser_target)));
    format!("{} {}", st.paint(BOLD, "tagc verify:"), parts.join("; "))
}

/// One row's cells, sanitized and cut, before padding.
struct Row<'a> {
    check: &'a CheckResult,
    kind: &'static str,
    id: String,
    title: String,
    location: String,
    time: String,
}

fn row(check: &CheckResult) -> Row<'_> {
    Row {
        check,
        kind: check.kind.as_str(),
        id: sanitize(&check.id).into_owned(),
        title: truncate(&sanitize(&check.title), TITLE_WIDTH),
        location: format!("{}:{}", sanitize(&check.location.file), check.location.line),
        time: if check.outcome == Outcome::Skipped {
            String::from("-")
        } else {
            format!("{} ms", check.millis)
        },
    }
}

fn write_details(out: &mut String, check: &CheckResult, st: Style) {
    let gutter = st.paint(BLUE, GUTTER);
    if !check.message.is_empty() {
        let _ = writeln!(out, "{gutter}  {}", sanitize(&check.message));
    }
    let whats: Vec<String> = check
        .mismatches
        .iter()
        .map(|m| sanitize(&m.what).into_owned())
        .collect();
    let what_w = whats.iter().map(|w| width(w)).max().unwrap_or(0);
    let blank = " ".repeat(what_w);
    for (m, what) in check.mismatches.iter().zip(&whats) {
        let _ = writeln!(
            out,
            "{gutter}  {}  {}  {}",
            pad_right(what, what_w),
            st.paint(GREEN, "expected"),
            sanitize(&m.expected)
        );
        let _ = writeln!(
            out,
            "{gutter}  {blank}  {}    {}",
            st.paint(RED, "actual"),
            sanitize(&m.actual)
        );
    }
    write_notes(out, check, st);
}

/// A check's notes and warnings, then the calls its page made.
fn write_notes(out: &mut String, check: &CheckResult, st: Style) {
    let gutter = st.paint(BLUE, GUTTER);
    for n in &check.notes {
        let label = match n.level {
            NoteLevel::Warning => st.paint(YELLOW, "warning:"),
            NoteLevel::Note => st.paint(DIM, "note:"),
        };
        let _ = writeln!(out, "{gutter}  {label} {}", sanitize(&n.message));
    }
    for call in &check.sent {
        let _ = writeln!(
            out,
            "{gutter}  {} {}",
            st.paint(DIM, "sent:"),
            sanitize(&call_line(call))
        );
    }
}

fn summary(c: Counts, st: Style) -> String {
    let part = |n: usize, text: String, code: &str| {
        if n > 0 { st.paint(code, &text) } else { text }
    };
    let passed = part(c.passed, format!("{} passed", c.passed), GREEN);
    let failed = part(c.failed, format!("{} failed", c.failed), RED);
    let error = part(
        c.error,
        format!("{} {}", c.error, errors_word(c.error)),
        YELLOW,
    );
    let assumed = part(c.assumed, super::assumed_part(c), BLUE);
    format!(
        "{passed}, {assumed}{failed}, {error}, {} skipped",
        c.skipped
    )
}

/// Renders the report as a table for a terminal. `color` adds ANSI colours.
#[must_use]
pub fn render(report: &Report, color: bool) -> String {
    let st = Style::new(color);
    let mut out = String::new();
    let _ = writeln!(out, "{}", header(report, st));
    out.push('\n');

    // Skipped checks are summarized below the table, not listed (a shard of a large plan
    // skips tens of thousands).
    let rows: Vec<Row<'_>> = report
        .checks
        .iter()
        .filter(|c| c.outcome != Outcome::Skipped)
        .map(row)
        .collect();
    let col = |f: fn(&Row<'_>) -> usize| rows.iter().map(f).max().unwrap_or(0);
    let kind_w = col(|r| width(r.kind));
    let id_w = col(|r| width(&r.id));
    let title_w = col(|r| width(&r.title));
    let loc_w = col(|r| width(&r.location));
    let time_w = col(|r| width(&r.time));
    if report.checks.is_empty() {
        let _ = writeln!(out, "  no checks in the plan");
    } else if rows.is_empty() {
        let _ = writeln!(out, "  no check ran");
    }
    for r in &rows {
        let (sym, code) = symbol(r.check.outcome);
        let _ = writeln!(
            out,
            "  {}  {}  {}  {}  {}  {}",
            st.paint(code, sym),
            pad_right(r.kind, kind_w),
            pad_right(&r.id, id_w),
            pad_right(&r.title, title_w),
            pad_right(&r.location, loc_w),
            pad_left(&r.time, time_w)
        );
        if matches!(
            r.check.outcome,
            Outcome::Failed | Outcome::Error | Outcome::Assumed
        ) {
            write_details(&mut out, r.check, st);
        } else {
            write_notes(&mut out, r.check, st);
        }
    }
    for (why, n, ids) in skipped_groups(report) {
        let (sym, code) = symbol(Outcome::Skipped);
        let more = if n > ids.len() { ", …" } else { "" };
        let _ = writeln!(
            out,
            "  {}  {n} skipped: {} ({}{more})",
            st.paint(code, sym),
            sanitize(&why),
            ids.iter()
                .map(|i| sanitize(i))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    out.push('\n');
    let _ = writeln!(out, "{}", summary(Counts::of(&report.checks), st));

    if !report.manual.is_empty() {
        out.push('\n');
        let _ = writeln!(out, "{}", st.paint(BOLD, MANUAL_HEADING));
        let num_w = report.manual.len().to_string().len();
        for (i, step) in report.manual.iter().enumerate() {
            let _ = writeln!(out, "  {:>num_w$}. {}", i + 1, sanitize(step));
        }
    }
    if !report.notes.is_empty() {
        out.push('\n');
        for note in &report.notes {
            let _ = writeln!(out, "{} {}", st.paint(BOLD, "note:"), sanitize(note));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_and_truncation() {
        assert_eq!(width("abc"), 3);
        assert_eq!(width("🎉ok"), 4);
        assert_eq!(width("e\u{301}"), 1);
        assert_eq!(width("שלום"), 4);
        assert_eq!(truncate("abcdef", 6), "abcdef");
        assert_eq!(truncate("abcdefg", 6), "abcde…");
        // A wide character that would straddle the limit is left out whole.
        assert_eq!(truncate("abcd🎉xyz", 6), "abcd…");
        assert_eq!(width(&truncate("🎉🎉🎉🎉", 6)), 5);
    }
}

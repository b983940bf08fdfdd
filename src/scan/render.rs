//! `tagc scan`'s text outputs: the human table and the ready-to-paste YAML.

use std::fmt::Write as _;

use super::report::{ReportLocator, ReportNavigates, ScanReport, ScannedElement, Status};
use crate::escape::terminal::visible;
use crate::escape::yaml::scalar;

/// At most `n` characters of `s`, `…` when cut.
fn cut(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

fn locator_text(l: Option<&ReportLocator>) -> String {
    match l {
        Some(ReportLocator::Text { text }) => format!("text: {text}"),
        Some(ReportLocator::Selector { selector }) => selector.clone(),
        None => "-".to_owned(),
    }
}

fn event_text(e: &ScannedElement) -> String {
    if !e.tracked_by.is_empty() {
        return e
            .tracked_by
            .iter()
            .map(|t| format!("{} ({})", t.button, t.event))
            .collect::<Vec<_>>()
            .join(", ");
    }
    match &e.suggestion {
        Some(s) => format!("→ {}?", s.event),
        None => "-".to_owned(),
    }
}

fn navigates_text(n: Option<&ReportNavigates>) -> String {
    match n {
        Some(ReportNavigates::Link { href }) => href.clone(),
        Some(ReportNavigates::Form { action, method }) => format!("{method} {action}"),
        None => "-".to_owned(),
    }
}

/// The human table: one line per visible element (status, text, tag, locator, event —
/// the tracking button or a suggestion —, where it goes), the configured buttons not
/// found, and a summary line. Texts go through [`visible`] (no terminal control codes).
#[must_use]
pub fn human(r: &ScanReport) -> String {
    let mut s = String::new();
    let _ = write!(s, "scan {}", visible(&r.url));
    if r.final_url != r.url {
        let _ = write!(s, " → {}", visible(&r.final_url));
    }
    if let Some(c) = &r.config_page {
        match &c.id {
            Some(id) => {
                let _ = write!(s, "  page `{}`", visible(id));
            }
            None => s.push_str("  no page of the configuration matches this path"),
        }
    }
    let _ = writeln!(
        s,
        "  ({} elements, {} visible)",
        r.summary.elements, r.summary.visible
    );
    if !r.settled {
        s.push_str("note: the network never went quiet before --timeout; scanned as it was then\n");
    }
    let rows: Vec<[String; 6]> = r
        .elements
        .iter()
        .filter(|e| e.visible)
        .map(|e| {
            [
                e.status.as_str().to_owned(),
                cut(&visible(&e.text), 40),
                e.tag.clone(),
                cut(&visible(&locator_text(e.locator.as_ref())), 50),
                visible(&event_text(e)).into_owned(),
                cut(&visible(&navigates_text(e.navigates.as_ref())), 50),
            ]
        })
        .collect();
    let head = ["STATUS", "TEXT", "TAG", "LOCATOR", "EVENT", "NAVIGATES"];
    let mut w = head.map(|h| h.chars().count());
    for row in &rows {
        for (i, c) in row.iter().enumerate() {
            w[i] = w[i].max(c.chars().count());
        }
    }
    let line = |cells: [&str; 6]| {
        let mut l = String::new();
        for (i, c) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                l.push_str(c);
            } else {
                l.push_str(c);
                l.push_str(&" ".repeat(w[i] - c.chars().count() + 2));
            }
        }
        l.trim_end().to_owned() + "\n"
    };
    s.push_str(&line(head));
    for row in &rows {
        s.push_str(&line([
            &row[0], &row[1], &row[2], &row[3], &row[4], &row[5],
        ]));
    }
    for m in &r.missing {
        let _ = writeln!(
            s,
            "configured but not found: {} ({}) {}",
            visible(&m.button),
            visible(&m.event),
            visible(&locator_text(Some(&m.locator)))
        );
    }
    let sm = &r.summary;
    let hidden = sm.elements - sm.visible;
    let _ = writeln!(
        s,
        "{} tracked · {} untracked ({} calls to action) · {} ambiguous · {} ignored · {} not found · {} hidden",
        sm.tracked, sm.untracked, sm.untracked_cta, sm.ambiguous, sm.ignored, sm.missing, hidden
    );
    s
}

/// Ready-to-paste `buttons:` entries for the visible untracked elements that have a
/// locator (a form's submit control only when its form is not listed: the form's entry,
/// `on: submit`, stands for it), commented out: `id` (from the text, unique in the page), the locator, and
/// the suggested standard event (or `event: ?` when the text suggests none). No
/// parameters. Every scalar is written by [`scalar`].
#[must_use]
pub fn yaml(r: &ScanReport) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# tagc scan {}", one_line(&r.final_url));
    match r.config_page.as_ref().and_then(|c| c.id.as_ref()) {
        Some(id) => {
            let _ = writeln!(s, "# untracked elements of page `{}`", one_line(id));
        }
        None => s.push_str("# untracked elements\n"),
    }
    s.push_str("# paste under the page's `buttons:`, then uncomment the entries you want\n");
    let mut n = 0;
    // A submit control of a listed untracked form: the form's entry (`on: submit`)
    // stands for it (both would count one registration twice).
    let untracked_form = |nav: Option<&ReportNavigates>| {
        r.elements.iter().any(|f| {
            f.tag == "form" && f.status == Status::Untracked && f.navigates.as_ref() == nav
        })
    };
    for e in &r.elements {
        if e.status != Status::Untracked || !e.visible {
            continue;
        }
        if e.tag != "form"
            && matches!(e.navigates, Some(ReportNavigates::Form { .. }))
            && untracked_form(e.navigates.as_ref())
        {
            continue;
        }
        let (Some(loc), Some(id)) = (&e.locator, &e.suggested_id) else {
            continue;
        };
        n += 1;
        let _ = writeln!(s, "# - id: {}", scalar(id));
        match loc {
            ReportLocator::Text { text } => {
                let _ = writeln!(s, "#   text: {}", scalar(text));
            }
            ReportLocator::Selector { selector } => {
                let _ = writeln!(s, "#   selector: {}", scalar(selector));
                if !e.text.is_empty() {
                    let _ = writeln!(s, "#   # text: {}", scalar(&e.text));
                }
            }
        }
        if e.tag == "form" {
            s.push_str("#   on: submit\n");
        }
        match &e.suggestion {
            Some(sg) => {
                let _ = writeln!(s, "#   event: {}", scalar(&sg.event));
            }
            None => s.push_str("#   event: ?\n"),
        }
    }
    if n == 0 {
        s.push_str("# (no untracked element)\n");
    }
    s
}

/// A value for a comment line: no line breaks.
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() || c == '\u{2028}' || c == '\u{2029}' {
                ' '
            } else {
                c
            }
        })
        .collect()
}

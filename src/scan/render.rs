//! `tagc scan`'s text outputs: the human table and the ready-to-paste YAML.

use std::fmt::Write as _;

use super::report::{
    PageCalls, ReportGroup, ReportLocator, ReportNavigates, ScanDocument, ScanReport,
    ScannedElement, Status,
};
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
        Some(ReportLocator::Text { text, within: None }) => format!("text: {text}"),
        Some(ReportLocator::Text {
            text,
            within: Some(w),
        }) => format!("text: {text} within {w}"),
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
    if let Some(want) = &r.example_of
        && r.config_page.as_ref().and_then(|c| c.id.as_ref()) != Some(want)
    {
        let _ = writeln!(
            s,
            "note: this is page `{}`'s example path, but the document shown is not that page's (a redirect?)",
            visible(want)
        );
    }
    for step in &r.steps {
        let _ = writeln!(s, "step: {}", visible(step));
    }
    let _ = writeln!(s, "{}", page_calls_line(&r.page_calls));
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

/// The page's own `fbq` calls in one line: `the page's own fbq calls: init 1234 · track
/// PageView` (or `none`).
fn page_calls_line(c: &PageCalls) -> String {
    if c.calls.is_empty() {
        return "the page's own fbq calls: none".to_owned();
    }
    let calls: Vec<String> = c
        .calls
        .iter()
        .map(|call| {
            let words: Vec<String> = call
                .as_array()
                .into_iter()
                .flatten()
                .take(3)
                .filter_map(|a| match a {
                    serde_json::Value::String(t) => Some(t.clone()),
                    serde_json::Value::Number(n) => Some(n.to_string()),
                    _ => None,
                })
                .collect();
            cut(&visible(&words.join(" ")), 60)
        })
        .collect();
    format!("the page's own fbq calls: {}", calls.join(" · "))
}

/// The human output of a whole document: each page's table ([`human`]) under a header
/// naming its page (with `--all`), then the pages skipped and those that could not be
/// scanned, and with `--all` a line of totals.
#[must_use]
pub fn human_document(d: &ScanDocument) -> String {
    let mut s = String::new();
    for (i, r) in d.pages.iter().enumerate() {
        if i > 0 {
            s.push('\n');
        }
        if let Some(p) = &r.example_of {
            let _ = writeln!(s, "== page `{}`", visible(p));
        }
        s.push_str(&human(r));
    }
    if d.base_url.is_none() && d.skipped.is_empty() && d.errors.is_empty() {
        return s;
    }
    if !s.is_empty() {
        s.push('\n');
    }
    for k in &d.skipped {
        let _ = writeln!(
            s,
            "skipped page `{}`: {}",
            visible(&k.page),
            visible(&k.reason)
        );
    }
    for e in &d.errors {
        let _ = writeln!(
            s,
            "could not scan page `{}` ({}): {}",
            visible(&e.page),
            visible(&e.url),
            visible(&e.message)
        );
    }
    let _ = writeln!(
        s,
        "{} page(s) scanned · {} skipped · {} could not be scanned",
        d.pages.len(),
        d.skipped.len(),
        d.errors.len()
    );
    s
}

/// The YAML output of a whole document: each page's entries ([`yaml`]), then the pages
/// skipped and those that could not be scanned as comments. Every line is a comment.
#[must_use]
pub fn yaml_document(d: &ScanDocument) -> String {
    let mut s = String::new();
    for (i, r) in d.pages.iter().enumerate() {
        if i > 0 {
            s.push_str("#\n");
        }
        s.push_str(&yaml(r));
    }
    for k in &d.skipped {
        let _ = writeln!(
            s,
            "# skipped page `{}`: {}",
            one_line(&k.page),
            one_line(&k.reason)
        );
    }
    for e in &d.errors {
        let _ = writeln!(
            s,
            "# could not scan page `{}` ({}): {}",
            one_line(&e.page),
            one_line(&e.url),
            one_line(&e.message)
        );
    }
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
    // A group whose members are all untracked gets one entry, with the group's selector,
    // written where its first visible member is.
    let whole_group = |g: &ReportGroup| {
        r.elements
            .iter()
            .filter(|o| o.group.as_ref() == Some(g))
            .all(|o| o.status == Status::Untracked)
    };
    let mut groups_written: Vec<&ReportGroup> = Vec::new();
    for e in &r.elements {
        if e.status != Status::Untracked || !e.visible {
            continue;
        }
        if let (Some(g), Some(id)) = (&e.group, &e.suggested_id)
            && whole_group(g)
        {
            if groups_written.contains(&g) {
                continue;
            }
            groups_written.push(g);
            n += 1;
            let _ = writeln!(s, "# - id: {}", scalar(id));
            let _ = writeln!(s, "#   selector: {}", scalar(&g.selector));
            let _ = writeln!(
                s,
                "#   # {} alike elements, text: {}",
                g.count,
                scalar(&e.text)
            );
            if let (Some(attr), Some(container)) = (&g.closest_attribute, &g.container) {
                let _ = writeln!(
                    s,
                    "#   # which one was clicked: {{from: attribute, name: {}, closest: {}}}",
                    scalar(attr),
                    scalar(container)
                );
            }
            match &e.suggestion {
                Some(sg) => {
                    let _ = writeln!(s, "#   event: {}", scalar(&sg.event));
                }
                None => s.push_str("#   event: ?\n"),
            }
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
            ReportLocator::Text { text, within } => {
                let _ = writeln!(s, "#   text: {}", scalar(text));
                if let Some(w) = within {
                    let _ = writeln!(s, "#   within: {}", scalar(w));
                }
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

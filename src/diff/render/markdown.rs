//! A pull-request comment body: a summary line, the two sides, then a table per severity.
//!
//! Every configuration-derived text is escaped for a GitHub-flavoured Markdown table cell,
//! so a selector or a value can neither break the table nor inject HTML.

use std::fmt::Write as _;

use crate::diff::{Change, Report, Severity};

use super::env_note;

/// Escapes text for a table cell: HTML-significant characters become entities, Markdown
/// punctuation is backslash-escaped, line breaks become spaces.
#[must_use]
pub fn cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in crate::diagnostic::sanitize(s).chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\n' | '\r' => out.push(' '),
            '|' | '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '~' | '!' | '$' => {
                out.push('\\');
                out.push(ch);
            }
            c => out.push(c),
        }
    }
    out
}

/// A message: like [`cell`], but `` `id` `` spans stay code (their content escaped).
fn message(s: &str) -> String {
    s.split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                // Inside a code span only `|` needs escaping (GFM tables); entities are
                // not decoded there, so `<` stays as it is and is inert.
                format!("`{}`", part.replace('|', "\\|"))
            } else {
                cell(part)
            }
        })
        .collect()
}

fn row(s: &mut String, c: &Change, all_envs: &[String]) {
    let dash = || "—".to_owned();
    let at = c
        .head
        .as_ref()
        .or(c.base.as_ref())
        .map_or_else(dash, |l| cell(&l.to_string()));
    let ack = c
        .acknowledged_by
        .as_ref()
        .map_or_else(String::new, |r| format!(" (acknowledged: {})", cell(r)));
    let _ = writeln!(
        s,
        "| `{}` | {}{}{} | {} | {} | {} |",
        c.kind.as_str(),
        message(&c.message),
        cell(&env_note(&c.envs, all_envs)),
        ack,
        c.before.as_deref().map_or_else(dash, cell),
        c.after.as_deref().map_or_else(dash, cell),
        at
    );
}

/// Renders the report as a PR comment.
#[must_use]
pub fn render(report: &Report) -> String {
    let mut s = String::new();
    let n = &report.summary;
    if report.changes.is_empty() {
        s.push_str("### tagc diff: no change to what Meta receives\n\n");
    } else {
        let _ = writeln!(
            s,
            "### tagc diff: {} breaking, {} notable, {} info\n",
            n.breaking, n.notable, n.info
        );
    }
    let _ = writeln!(
        s,
        "{} → {} · environments: {}\n",
        cell(&report.base),
        cell(&report.head),
        cell(&report.envs.join(", "))
    );
    for (sev, title) in [
        (
            Severity::Breaking,
            "Breaking: tracking lost or silently changed",
        ),
        (Severity::Notable, "Notable"),
        (Severity::Info, "Info: additions"),
    ] {
        let rows: Vec<&Change> = report
            .changes
            .iter()
            .filter(|c| c.severity == sev)
            .collect();
        if rows.is_empty() {
            continue;
        }
        let _ = writeln!(s, "#### {title} ({})\n", rows.len());
        s.push_str("| Change | What | Before | After | Where |\n|---|---|---|---|---|\n");
        for c in rows {
            row(&mut s, c, &report.envs);
        }
        s.push('\n');
    }
    for rule in &report.unused_allows {
        let _ = writeln!(
            s,
            "> **Stale acknowledgement:** `--allow {}` matches no change.\n",
            rule.replace('`', "'")
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_cannot_break_the_table_or_inject_html() {
        assert_eq!(cell("a|b"), "a\\|b");
        assert_eq!(
            cell("<img src=x onerror=alert(1)>"),
            "&lt;img src=x onerror=alert(1)&gt;"
        );
        assert_eq!(cell("line\nbreak"), "line break");
        assert_eq!(cell("`code`"), "\\`code\\`");
        assert_eq!(message("button `a|b` <x>"), "button `a\\|b` &lt;x&gt;");
    }
}

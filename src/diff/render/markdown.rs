//! A pull-request comment body: a summary line, the two sides, then a table per severity.
//!
//! Every configuration-derived text is escaped for a GitHub-flavoured Markdown table cell,
//! so a selector or a value can neither break the table nor inject HTML.

use std::fmt::Write as _;
use std::io::{self, Write};

use crate::diff::{Change, Report, Severity};
use crate::escape::markdown::{code_span, table_cell as cell};
use crate::render::{Emitter, MarkdownEmitter};

use super::env_note;

impl Emitter<Report> for MarkdownEmitter {
    fn emit(&mut self, w: &mut dyn Write, report: &Report) -> io::Result<()> {
        w.write_all(render(report).as_bytes())
    }
}

/// A message: like [`cell`], but `` `id` `` spans stay inline code.
fn message(s: &str) -> String {
    s.split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                code_span(part)
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

/// The report as a PR comment.
fn render(report: &Report) -> String {
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
            "> **Stale acknowledgement:** {} matches no change.\n",
            code_span(rule)
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_keep_ids_as_code_and_escape_the_rest() {
        assert_eq!(message("button `a|b` <x>"), "button `a\\|b` &lt;x&gt;");
        assert_eq!(message("`x`"), "`x`");
    }
}

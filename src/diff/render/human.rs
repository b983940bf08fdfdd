//! Text for people: a summary, then the changes grouped by page and server event, each
//! with its before → after and both locations.

use std::fmt::Write as _;
use std::io::{self, Write};

use crate::diff::{Report, Severity};
use crate::escape::terminal::visible as sanitize;
use crate::render::{Emitter, HumanEmitter};

use super::env_note;

impl Emitter<Report> for HumanEmitter {
    fn emit(&mut self, w: &mut dyn Write, report: &Report) -> io::Result<()> {
        w.write_all(render(report, self.color).as_bytes())
    }
}

fn paint(color: bool, code: &str, text: &str) -> String {
    if color {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_owned()
    }
}

/// Renders the report; its `fail_on` names the level `--fail-on` judges by, if any.
fn render(report: &Report, color: bool) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "tagc diff {} → {} ({})",
        sanitize(&report.base),
        sanitize(&report.head),
        report.envs.join(", ")
    );
    if report.changes.is_empty() {
        s.push_str("No change to what Meta receives.\n");
    } else {
        let n = &report.summary;
        let _ = writeln!(
            s,
            "{} breaking, {} notable, {} info{}",
            n.breaking,
            n.notable,
            n.info,
            if n.acknowledged > 0 {
                format!(" ({} acknowledged)", n.acknowledged)
            } else {
                String::new()
            }
        );
    }
    let mut group = "";
    for c in &report.changes {
        if c.group() != group {
            group = c.group();
            let _ = writeln!(s, "\n{}", paint(color, "1", &sanitize(group)));
        }
        let (code, sev) = match c.severity {
            Severity::Breaking => ("1;31", "breaking"),
            Severity::Notable => ("1;33", "notable "),
            Severity::Info => ("1;36", "info    "),
        };
        let _ = writeln!(
            s,
            "  {} {}: {}{}",
            paint(color, code, sev),
            c.kind.as_str(),
            sanitize(&c.message),
            env_note(&c.envs, &report.envs)
        );
        match (&c.before, &c.after) {
            (Some(b), Some(a)) => {
                let _ = writeln!(s, "           {} → {}", sanitize(b), sanitize(a));
            }
            (Some(b), None) => {
                let _ = writeln!(s, "           was: {}", sanitize(b));
            }
            (None, Some(a)) => {
                let _ = writeln!(s, "           now: {}", sanitize(a));
            }
            (None, None) => {}
        }
        let at = match (&c.base, &c.head) {
            (Some(b), Some(h)) if c.after.is_none() && c.severity == Severity::Breaking => {
                format!("{b} (gone; nearest in head: {h})")
            }
            (Some(b), Some(h)) => format!("{b} → {h}"),
            (Some(b), None) => b.to_string(),
            (None, Some(h)) => h.to_string(),
            (None, None) => String::new(),
        };
        if !at.is_empty() {
            let _ = writeln!(s, "           at {}", sanitize(&at));
        }
        if let Some(rule) = &c.acknowledged_by {
            let _ = writeln!(s, "           acknowledged by {}", sanitize(rule));
        }
    }
    for rule in &report.unused_allows {
        let _ = writeln!(
            s,
            "\nwarning: {} matches no change; remove it",
            sanitize(rule)
        );
    }
    if let Some(level) = report.fail_on {
        let failing = report.failing(level).count();
        if failing > 0 {
            let _ = writeln!(
                s,
                "\n{}",
                paint(
                    color,
                    "1;31",
                    &format!(
                        "{failing} change{} at or above `{}` not acknowledged: failing (--fail-on {})",
                        if failing == 1 { "" } else { "s" },
                        level.as_str(),
                        level.as_str()
                    )
                )
            );
        }
    }
    s
}

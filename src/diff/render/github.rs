//! GitHub Actions workflow commands: one annotation per change, on the head's line (a
//! removed item on its nearest surviving parent). Breaking changes are errors, notable
//! ones warnings, the rest notices; an acknowledged change is a notice.

use std::fmt::Write as _;
use std::io::{self, Write};

use crate::diff::{Report, Severity};
use crate::escape::github::{data as escape_data, property as escape_property};
use crate::render::{Emitter, GithubEmitter};

use super::env_note;

impl Emitter<Report> for GithubEmitter {
    fn emit(&mut self, w: &mut dyn Write, report: &Report) -> io::Result<()> {
        w.write_all(render(report).as_bytes())
    }
}

/// Each change as one workflow command line.
fn render(report: &Report) -> String {
    let mut out = String::new();
    for c in &report.changes {
        let level = match (c.severity, &c.acknowledged_by) {
            (_, Some(_)) | (Severity::Info, _) => "notice",
            (Severity::Breaking, None) => "error",
            (Severity::Notable, None) => "warning",
        };
        let mut msg = format!("{}{}", c.message, env_note(&c.envs, &report.envs));
        match (&c.before, &c.after) {
            (Some(b), Some(a)) => {
                let _ = write!(msg, "\n{b} → {a}");
            }
            (Some(b), None) => {
                let _ = write!(msg, "\nwas: {b}");
            }
            (None, Some(a)) => {
                let _ = write!(msg, "\nnow: {a}");
            }
            (None, None) => {}
        }
        if let Some(b) = &c.base {
            let _ = write!(msg, "\nbase: {b}");
        }
        if let Some(r) = &c.acknowledged_by {
            let _ = write!(msg, "\nacknowledged by {r}");
        }
        let title = escape_property(&format!(
            "tagc diff {} ({})",
            c.kind.as_str(),
            c.severity.as_str()
        ));
        match &c.head {
            Some(h) => {
                let _ = writeln!(
                    out,
                    "::{level} file={},line={},col={},title={title}::{}",
                    escape_property(&h.path),
                    h.line,
                    h.column,
                    escape_data(&msg)
                );
            }
            None => {
                let _ = writeln!(out, "::{level} title={title}::{}", escape_data(&msg));
            }
        }
    }
    for rule in &report.unused_allows {
        let _ = writeln!(
            out,
            "::warning title=tagc diff::{}",
            escape_data(&format!("{rule} matches no change; remove it"))
        );
    }
    out
}

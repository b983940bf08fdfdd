//! GitHub Actions workflow commands (`::error file=…,line=…,col=…::message`).
//!
//! Escaped by [`crate::escape::github`]: `%`, `\r` and `\n` percent-encoded in the message,
//! `,` and `:` too in properties.

use std::fmt::Write as _;

use crate::diagnostic::{Diagnostic, Severity};
use crate::escape::github::{data as escape_data, property as escape_property};
use crate::source::SourceMap;

/// Renders each diagnostic as one workflow command line.
#[must_use]
pub fn render(diags: &[Diagnostic], sources: &SourceMap) -> String {
    let mut out = String::new();
    for d in diags {
        let kind = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let s = d.primary.span;
        let (end_line, end_col) = if s.end.line >= s.start.line {
            (s.end.line, s.end.col)
        } else {
            (s.start.line, s.start.col)
        };
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        let _ = writeln!(
            out,
            "::{kind} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            escape_property(sources.name(s.file)),
            s.start.line,
            s.start.col,
            end_line,
            end_col,
            escape_property(&format!("tagc {} ({})", d.code.id(), d.code.name())),
            escape_data(&message)
        );
    }
    out
}

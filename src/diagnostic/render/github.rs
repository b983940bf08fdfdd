//! GitHub Actions workflow commands (`::error file=…,line=…,col=…::message`).
//!
//! Escaping follows the runner's rules: in the message `%`, `\r` and `\n` are
//! percent-encoded; in properties `,` and `:` are too.

use std::fmt::Write as _;

use crate::diagnostic::{Diagnostic, Severity};
use crate::source::SourceMap;

fn escape_data(s: &str) -> String {
    crate::diagnostic::sanitize_keep_newlines(s)
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_newlines_and_property_separators() {
        assert_eq!(escape_data("a%b\nc"), "a%25b%0Ac");
        assert_eq!(escape_property("a,b:c"), "a%2Cb%3Ac");
    }
}

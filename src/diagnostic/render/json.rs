//! The JSON report: one versioned document, stable for tools to consume.

use serde::Serialize;

use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::source::{SourceMap, Span};

/// The version of the JSON report format; bumped on incompatible changes.
pub const REPORT_VERSION: u32 = 1;

#[derive(Serialize)]
struct Report<'a> {
    version: u32,
    tool: &'static str,
    diagnostics: Vec<JsonDiagnostic<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
struct Summary {
    errors: usize,
    warnings: usize,
    files: usize,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    code: &'static str,
    name: &'static str,
    severity: Severity,
    message: &'a str,
    #[serde(flatten)]
    location: Location<'a>,
    labels: Vec<JsonLabel<'a>>,
    help: Option<&'a str>,
    notes: &'a [String],
}

#[derive(Serialize)]
struct Location<'a> {
    file: &'a str,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
}

#[derive(Serialize)]
struct JsonLabel<'a> {
    #[serde(flatten)]
    location: Location<'a>,
    message: &'a str,
    primary: bool,
}

fn location<'a>(span: Span, sources: &'a SourceMap) -> Location<'a> {
    Location {
        file: sources.name(span.file),
        line: span.start.line,
        column: span.start.col,
        end_line: span.end.line.max(span.start.line),
        end_column: if span.end.line < span.start.line {
            span.start.col
        } else {
            span.end.col
        },
    }
}

fn label<'a>(l: &'a Label, primary: bool, sources: &'a SourceMap) -> JsonLabel<'a> {
    JsonLabel {
        location: location(l.span, sources),
        message: &l.message,
        primary,
    }
}

/// Renders all diagnostics as one pretty-printed JSON document ending in a newline.
#[must_use]
pub fn render(diags: &[Diagnostic], sources: &SourceMap, files: usize) -> String {
    let report = Report {
        version: REPORT_VERSION,
        tool: "tagc",
        diagnostics: diags
            .iter()
            .map(|d| JsonDiagnostic {
                code: d.code.id(),
                name: d.code.name(),
                severity: d.severity,
                message: &d.message,
                location: location(d.primary.span, sources),
                labels: std::iter::once(label(&d.primary, true, sources))
                    .chain(d.secondary.iter().map(|l| label(l, false, sources)))
                    .collect(),
                help: d.help.as_deref(),
                notes: &d.notes,
            })
            .collect(),
        summary: Summary {
            errors: diags
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .count(),
            warnings: diags
                .iter()
                .filter(|d| d.severity == Severity::Warning)
                .count(),
            files,
        },
    };
    let mut s = serde_json::to_string_pretty(&report).unwrap_or_else(|_| String::from("{}"));
    s.push('\n');
    s
}

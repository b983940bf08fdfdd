//! rustc-style rendering: code, message, location, source line with carets, help.

use std::fmt::Write as _;

use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::escape::terminal::visible as sanitize;
use crate::render::Style;
use crate::source::SourceMap;

/// Renders one diagnostic in rustc style. `color` adds ANSI colours.
#[must_use]
pub fn render(d: &Diagnostic, sources: &SourceMap, color: bool) -> String {
    let st = Style::new(color);
    let (sev_color, sev) = match d.severity {
        Severity::Error => ("1;31", "error"),
        Severity::Warning => ("1;33", "warning"),
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}{}",
        st.paint(sev_color, &format!("{sev}[{}]", d.code.id())),
        st.paint("1", &format!(": {}", sanitize(&d.message)))
    );

    let mut labels: Vec<(&Label, bool)> = vec![(&d.primary, true)];
    labels.extend(d.secondary.iter().map(|l| (l, false)));
    let labels_for_width = labels.clone();
    let width = labels_for_width
        .iter()
        .map(|(l, _)| l.span.start.line.to_string().len())
        .max()
        .unwrap_or(1);
    let pad = " ".repeat(width);
    let gutter = st.paint("1;34", &format!("{pad} |"));

    let primary_file = d.primary.span.file;
    let _ = writeln!(
        out,
        "{}{} {}:{}:{}",
        pad,
        st.paint("1;34", "-->"),
        sources.name(primary_file),
        d.primary.span.start.line,
        d.primary.span.start.col
    );
    let snippet_start = out.len();
    let _ = writeln!(out, "{gutter}");
    // Labels in the primary's file first, each file's labels in source order.
    labels.sort_by_key(|(l, _)| (l.span.file != primary_file, l.span));
    let mut last_file = primary_file;
    let mut last_line: Option<u32> = None;
    for (label, primary) in labels {
        if label.span.file == last_file && last_line.is_some_and(|l| label.span.start.line > l + 1)
        {
            let _ = writeln!(out, "{}", st.paint("1;34", "..."));
        }
        last_line = Some(label.span.start.line);
        if label.span.file != last_file {
            last_file = label.span.file;
            let _ = writeln!(
                out,
                "{}{} {}:{}:{}",
                pad,
                st.paint("1;34", ":::"),
                sources.name(label.span.file),
                label.span.start.line,
                label.span.start.col
            );
        }
        let Some(text) = sources
            .try_get(label.span.file)
            .filter(|f| !f.text().is_empty())
            .and_then(|f| f.line(label.span.start.line))
        else {
            continue;
        };
        let shown = shown_line(text);
        let _ = writeln!(
            out,
            "{} {}",
            st.paint("1;34", &format!("{:>width$} |", label.span.start.line)),
            shown.trim_end()
        );
        let start = label.span.start.col.saturating_sub(1) as usize;
        let line_len = shown.chars().count();
        let end = if label.span.end.line == label.span.start.line {
            (label.span.end.col.saturating_sub(1) as usize).min(line_len.max(start + 1))
        } else {
            line_len
        };
        let len = end.saturating_sub(start).max(1);
        let mark = if primary { "^" } else { "-" };
        let marks = mark.repeat(len);
        let color = if primary { sev_color } else { "1;34" };
        let msg = if label.message.is_empty() {
            String::new()
        } else {
            format!(" {}", sanitize(&label.message))
        };
        let _ = writeln!(
            out,
            "{gutter} {}{}",
            " ".repeat(start),
            st.paint(color, &format!("{marks}{msg}"))
        );
    }
    let has_snippet = out[snippet_start..].lines().count() > 1;
    if !has_snippet {
        // No source to show (an empty or undecodable file): keep just the location.
        out.truncate(snippet_start);
    }
    if d.help.is_some() || !d.notes.is_empty() {
        let _ = writeln!(out, "{gutter}");
    }
    if let Some(help) = &d.help {
        write_footer(&mut out, &pad, st, "help", help);
    }
    for note in &d.notes {
        write_footer(&mut out, &pad, st, "note", note);
    }
    out
}

fn write_footer(out: &mut String, pad: &str, st: Style, kind: &str, text: &str) {
    let text = sanitize_lines(text);
    let mut lines = text.lines();
    let first = lines.next().unwrap_or_default();
    let _ = writeln!(
        out,
        "{pad} {} {first}",
        st.paint("1;34", &format!("= {kind}:"))
    );
    let indent = " ".repeat(kind.len() + 4);
    for l in lines {
        // A CI runner strips leading spaces and runs any line starting with `::` as a
        // workflow command (GitHub Actions): text from the configuration must not.
        if l.trim_start().starts_with("::") {
            let _ = writeln!(out, "{pad} {indent}\\{}", l.trim_start());
        } else {
            let _ = writeln!(out, "{pad} {indent}{l}");
        }
    }
}

fn sanitize_lines(text: &str) -> String {
    text.split('\n')
        .map(|l| sanitize(l).into_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Tabs become single spaces so that carets stay aligned (columns count a tab as one).
fn shown_line(text: &str) -> String {
    text.chars()
        .map(|c| if c == '\t' || c.is_control() { ' ' } else { c })
        .collect()
}

/// Renders the closing summary line, e.g. `error: 2 errors and 1 warning in 3 files`.
#[must_use]
pub fn summary(errors: usize, warnings: usize, files: usize, color: bool) -> String {
    let st = Style::new(color);
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    let files = plural(files, "file");
    if errors > 0 {
        format!(
            "{}: {}, {} in {files}\n",
            st.paint("1;31", "error"),
            plural(errors, "error"),
            plural(warnings, "warning")
        )
    } else if warnings > 0 {
        format!(
            "{}: {} in {files}, no errors\n",
            st.paint("1;33", "warning"),
            plural(warnings, "warning")
        )
    } else {
        format!("{}: {files} checked, no problems\n", st.paint("1;32", "ok"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuation_lines_never_start_a_workflow_command() {
        let mut out = String::new();
        write_footer(
            &mut out,
            "  ",
            Style { on: false },
            "help",
            "first\n  ::error::forged\nok",
        );
        assert!(
            out.lines().all(|l| !l.trim_start().starts_with("::")),
            "{out}"
        );
        assert!(out.contains("\\::error::forged"), "{out}");
        assert!(out.contains("ok"));
    }
}

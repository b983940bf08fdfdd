//! The renderers' one interface: an [`Emitter`] per output format, after ruff's `message/`
//! emitters.
//!
//! Each output format is one type here — [`HumanEmitter`], [`JsonEmitter`],
//! [`GithubEmitter`], [`JunitEmitter`], [`MarkdownEmitter`] — and each kind of report tagc renders implements
//! [`Emitter`] for the formats it supports, beside the report's own code:
//!
//! | report | human | json | github | junit | markdown |
//! | --- | --- | --- | --- | --- | --- |
//! | diagnostics ([`crate::diagnostic::render::DiagnosticReport`]) | ✓ | ✓ | ✓ | | |
//! | verification ([`crate::verify::Report`]) | ✓ | ✓ | ✓ | ✓ | |
//!
//! A new kind of report (such as a diff) adds `impl Emitter<ItsReport> for GithubEmitter`
//! (and so on) in its own module; a new format adds one type here.
//!
//! An emitter writes bytes to any [`Write`]; it never chooses a stream, never exits and
//! never prints on its own. Every string it writes goes through the helper of its output
//! syntax in [`crate::escape`]; no renderer escapes by hand.

use std::io::{self, Write};

/// Renders one kind of report `R` in one output format.
pub trait Emitter<R: ?Sized> {
    /// Writes `report` to `w` in this emitter's format.
    ///
    /// # Errors
    /// Only when `w` fails.
    fn emit(&mut self, w: &mut dyn Write, report: &R) -> io::Result<()>;

    /// `report` in this emitter's format, as text (for tests, and for output that is
    /// redacted before it is written).
    fn render(&mut self, report: &R) -> String {
        let mut buf = Vec::new();
        // Writing to a `Vec` cannot fail.
        let _ = self.emit(&mut buf, report);
        String::from_utf8(buf)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    }
}

/// rustc-style text for a terminal (stderr), optionally with ANSI colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HumanEmitter {
    /// Paint with ANSI colours.
    pub color: bool,
    /// Close with the summary line even when there is nothing to report (for diagnostics:
    /// `ok: 1 file checked, no problems`).
    pub always_summarize: bool,
}

impl HumanEmitter {
    /// A human emitter; `color` adds ANSI colours. The summary line is written only when
    /// there is something to summarize (see [`HumanEmitter::always_summarize`]).
    #[must_use]
    pub fn new(color: bool) -> Self {
        HumanEmitter {
            color,
            always_summarize: false,
        }
    }

    /// The same emitter, closing with the summary line whatever the report holds.
    #[must_use]
    pub fn always_summarize(mut self, on: bool) -> Self {
        self.always_summarize = on;
        self
    }
}

/// One versioned, pretty-printed JSON document ending in a newline, for tools.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct JsonEmitter;

/// GitHub Actions workflow commands (`::error file=…,line=…::…`), one per line, so CI
/// shows problems on the lines they are about. Escaped by [`crate::escape::github`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GithubEmitter;

/// A JUnit XML document, as the test tabs of CI systems read it. Escaped by
/// [`crate::escape::xml`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct JunitEmitter;

/// GitHub-flavoured Markdown, for a pull-request comment or a job summary. Escaped by
/// [`crate::escape::markdown`]. (No report implements it yet; `tagc diff` is its first
/// user.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MarkdownEmitter;

/// ANSI styles for the human emitters, or nothing when colour is off.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Style {
    pub(crate) on: bool,
}

impl Style {
    /// Styles that paint when `color` is set.
    pub(crate) fn new(color: bool) -> Self {
        Style { on: color }
    }

    /// `text` in the SGR style `code` (e.g. `1;31`), or as it is.
    pub(crate) fn paint(self, code: &str, text: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Lines(Vec<&'static str>);

    impl Emitter<Lines> for GithubEmitter {
        fn emit(&mut self, w: &mut dyn Write, report: &Lines) -> io::Result<()> {
            for l in &report.0 {
                writeln!(w, "::notice::{}", crate::escape::github::data(l))?;
            }
            Ok(())
        }
    }

    #[test]
    fn render_is_emit_into_a_string() {
        let text = GithubEmitter.render(&Lines(vec!["a", "b\n::error::c"]));
        assert_eq!(text, "::notice::a\n::notice::b%0A::error::c\n");
    }

    #[test]
    fn style_paints_only_when_on() {
        assert_eq!(Style::new(false).paint("1", "x"), "x");
        assert_eq!(Style::new(true).paint("1", "x"), "\x1b[1mx\x1b[0m");
    }
}

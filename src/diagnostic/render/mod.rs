//! Renderers of diagnostics: the only code that turns diagnostics into text, one
//! [`Emitter`] implementation per format for a [`DiagnosticReport`].
//!
//! - [`human`] ([`HumanEmitter`]): rustc style, with the
//!   source line and a caret; colour optional.
//! - [`json`] ([`JsonEmitter`]): one versioned JSON document,
//!   for tools.
//! - [`github`] ([`GithubEmitter`]): GitHub Actions workflow
//!   commands, so CI shows errors on the config lines.

pub mod github;
pub mod human;
pub mod json;

use crate::diagnostic::{Diagnostic, Diagnostics, Severity};
use crate::render::{Emitter, GithubEmitter, HumanEmitter, JsonEmitter};
use crate::source::SourceMap;

/// What the diagnostic emitters render: the diagnostics of one run and the files they
/// point into.
#[derive(Debug, Clone, Copy)]
pub struct DiagnosticReport<'a> {
    /// The diagnostics, in the order to print them.
    pub diagnostics: &'a [Diagnostic],
    /// The files they point into.
    pub sources: &'a SourceMap,
    /// How many files were checked (for the summaries).
    pub files: usize,
}

impl<'a> DiagnosticReport<'a> {
    /// The report of `diagnostics` over every file of `sources`.
    #[must_use]
    pub fn new(diagnostics: &'a Diagnostics, sources: &'a SourceMap) -> Self {
        DiagnosticReport {
            diagnostics: diagnostics.as_slice(),
            sources,
            files: sources.iter().count(),
        }
    }

    fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    }
}

/// The output formats of `tagc check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// rustc-style text on stderr.
    #[default]
    Human,
    /// A versioned JSON document on stdout.
    Json,
    /// GitHub Actions annotations on stdout.
    Github,
}

impl Format {
    /// The emitter of this format; `color` and `always_summarize` only matter to
    /// [`Format::Human`] (see [`HumanEmitter`]).
    #[must_use]
    pub fn emitter(
        self,
        color: bool,
        always_summarize: bool,
    ) -> Box<dyn for<'a> Emitter<DiagnosticReport<'a>>> {
        match self {
            Format::Human => Box::new(HumanEmitter::new(color).always_summarize(always_summarize)),
            Format::Json => Box::new(JsonEmitter),
            Format::Github => Box::new(GithubEmitter),
        }
    }
}

impl Emitter<DiagnosticReport<'_>> for HumanEmitter {
    fn emit(
        &mut self,
        w: &mut dyn std::io::Write,
        r: &DiagnosticReport<'_>,
    ) -> std::io::Result<()> {
        for d in r.diagnostics {
            w.write_all(human::render(d, r.sources, self.color).as_bytes())?;
            w.write_all(b"\n")?;
        }
        if self.always_summarize || !r.diagnostics.is_empty() {
            w.write_all(
                human::summary(
                    r.count(Severity::Error),
                    r.count(Severity::Warning),
                    r.files,
                    self.color,
                )
                .as_bytes(),
            )?;
        }
        Ok(())
    }
}

impl Emitter<DiagnosticReport<'_>> for JsonEmitter {
    fn emit(
        &mut self,
        w: &mut dyn std::io::Write,
        r: &DiagnosticReport<'_>,
    ) -> std::io::Result<()> {
        w.write_all(json::render(r.diagnostics, r.sources, r.files).as_bytes())
    }
}

impl Emitter<DiagnosticReport<'_>> for GithubEmitter {
    fn emit(
        &mut self,
        w: &mut dyn std::io::Write,
        r: &DiagnosticReport<'_>,
    ) -> std::io::Result<()> {
        w.write_all(github::render(r.diagnostics, r.sources).as_bytes())
    }
}

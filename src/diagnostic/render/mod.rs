//! Renderers: the only code that turns diagnostics into text.
//!
//! - [`human`]: rustc style, with the source line and a caret; colour optional.
//! - [`json`]: one versioned JSON document, for tools.
//! - [`github`]: GitHub Actions workflow commands, so CI shows errors on the config lines.

pub mod github;
pub mod human;
pub mod json;

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

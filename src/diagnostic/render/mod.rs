//! Renderers: the only code that turns diagnostics into text.
//!
//! - [`human`]: rustc style, with the source line and a caret; colour optional.
//! - [`json`]: one versioned JSON document, for tools.
//! - [`github`]: GitHub Actions workflow commands, so CI shows errors on the config lines.

pub mod github;
pub mod human;
pub mod json;

/// ANSI styles for the human renderers (diagnostics, the verify report), or nothing when
/// colour is off.
#[derive(Clone, Copy)]
pub(crate) struct Style {
    on: bool,
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

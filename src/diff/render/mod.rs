//! Renderers of a [`Report`]: one [`Emitter`] per format, the only code that turns a diff
//! into text. Every configuration-derived string goes through the escaper of its output
//! syntax ([`crate::escape`]).
//!
//! - [`HumanEmitter`]: grouped by page and server event, each change with both locations.
//! - [`MarkdownEmitter`]: a pull-request comment: a summary line, then a table per severity.
//! - [`JsonEmitter`]: the versioned report (`schema/diff.schema.json`).
//! - [`GithubEmitter`]: workflow commands annotating the head's lines.

mod github;
mod human;
mod json;
mod markdown;

use crate::render::{Emitter, GithubEmitter, HumanEmitter, JsonEmitter, MarkdownEmitter};

use super::Report;

/// The output formats of `tagc diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// Text for people, grouped by page and server event.
    #[default]
    Human,
    /// A pull-request comment body (GitHub-flavoured Markdown).
    Markdown,
    /// The versioned JSON report.
    Json,
    /// GitHub Actions annotations on the head's lines.
    Github,
}

impl Format {
    /// The emitter of this format; `color` only matters to [`Format::Human`].
    #[must_use]
    pub fn emitter(self, color: bool) -> Box<dyn Emitter<Report>> {
        match self {
            Format::Human => Box::new(HumanEmitter::new(color)),
            Format::Markdown => Box::new(MarkdownEmitter),
            Format::Json => Box::new(JsonEmitter),
            Format::Github => Box::new(GithubEmitter),
        }
    }
}

/// `envs` of a change, when they are not all the report's environments: ` (staging only)`.
fn env_note(change_envs: &[String], all: &[String]) -> String {
    if change_envs.len() == all.len() {
        String::new()
    } else {
        format!(" ({} only)", change_envs.join(", "))
    }
}

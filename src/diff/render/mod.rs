//! Renderers of a [`Report`](super::Report): the only code that turns a diff into text.
//!
//! - [`human`]: grouped by page and server event, each change with both locations.
//! - [`markdown`]: a pull-request comment: a summary line, then a table per severity.
//! - [`json`]: the versioned report (`schema/diff.schema.json`).
//! - [`github`]: workflow commands annotating the head's lines.

pub mod github;
pub mod human;
pub mod json;
pub mod markdown;

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

/// `envs` of a change, when they are not all the report's environments: ` (staging only)`.
pub(crate) fn env_note(change_envs: &[String], all: &[String]) -> String {
    if change_envs.len() == all.len() {
        String::new()
    } else {
        format!(" ({} only)", change_envs.join(", "))
    }
}

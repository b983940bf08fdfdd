//! Escaping, one module per output syntax: the only code that makes a string safe for the
//! place it is written to.
//!
//! Every string a renderer or an emitter writes may come from the configuration or from
//! what a page or Meta sent back, so each output syntax has exactly one helper here, and
//! renderers never escape by hand:
//!
//! | syntax | helpers | used by |
//! | --- | --- | --- |
//! | terminal and CI log text | [`terminal::visible`], [`terminal::visible_keep_newlines`] | human renderers, and first by [`github`] and [`xml`] |
//! | GitHub Actions workflow commands | [`github::data`], [`github::property`] | `--format github` |
//! | XML 1.0 (JUnit) | [`xml::text`], [`xml::attr`] | `--format junit` |
//! | Markdown (GitHub-flavoured) | [`markdown::table_cell`], [`markdown::code_span`] | reports meant for a pull-request comment |
//! | JavaScript in HTML, HTML attributes and comments | [`html::js`], [`html::html_attr`], [`html::placeholder_attr`], [`html::comment`] | the generated pixel snippets, the verify harness pages |
//! | YAML (one key or value, block or flow) | [`yaml::scalar`] | [`crate::edit`]: buttons and pages written into the user's configuration |
//!
//! This module depends on nothing else in the crate.

pub mod github;
pub mod html;
pub mod markdown;
pub mod terminal;
pub mod xml;
pub mod yaml;

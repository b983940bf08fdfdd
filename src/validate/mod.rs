//! Stage 2 — validate: the schema first, then Meta's rules and the references between
//! parts of the configuration.
//!
//! Input: [`crate::load::Loaded`]. Output: the typed [`crate::model::Config`] of every file
//! that passed the schema, plus diagnostics. Semantic rules run on schema-clean files;
//! rules that look across files (references, duplicate ids, shadowed URL patterns) run
//! only when every file passed the schema, so one typo cannot cascade into dozens of
//! "unknown reference" errors.

pub mod schema;
pub mod secrets;
pub mod semantic;

use crate::diagnostic::Diagnostics;
use crate::load::{Loaded, Node};
use crate::model::Config;
use crate::source::FileId;

/// One file that passed the schema.
#[derive(Debug, Clone)]
pub struct ValidFile {
    /// Its id in the source map.
    pub file: FileId,
    /// Whether it was named on the command line.
    pub is_root: bool,
    /// The typed configuration.
    pub config: Config,
    /// Where each part came from.
    pub tree: Node,
}

/// The outcome of validation.
#[derive(Debug, Default)]
pub struct Validated {
    /// Files that passed the schema, in load order.
    pub files: Vec<ValidFile>,
    /// Whether every loaded file passed the schema (and so cross-file rules ran).
    pub complete: bool,
    /// Every problem found.
    pub diagnostics: Diagnostics,
}

/// Validates everything that was loaded.
#[must_use]
pub fn validate(loaded: &Loaded) -> Validated {
    let mut out = Validated {
        complete: !loaded.diagnostics.has_errors(),
        ..Validated::default()
    };
    for lf in &loaded.files {
        secrets::check(lf.file, &lf.doc, &mut out.diagnostics);
        match schema::check(lf.file, &lf.doc, &mut out.diagnostics) {
            Some(config) => out.files.push(ValidFile {
                file: lf.file,
                is_root: lf.is_root,
                config,
                tree: lf.doc.tree.clone(),
            }),
            None => out.complete = false,
        }
    }
    semantic::check(&out.files, out.complete, &mut out.diagnostics);
    out
}

//! Stage 2 — validate: the schema first, then Meta's rules and the references between
//! parts of the configuration.
//!
//! Input: [`crate::load::Loaded`]. Output: the typed [`crate::model::Config`] of every file
//! that passed the schema, plus diagnostics. Semantic rules run on schema-clean files;
//! rules that look across files (references, duplicate ids, shadowed URL patterns) run
//! only when every file passed the schema, so one typo cannot cascade into dozens of
//! "unknown reference" errors.

pub mod schema;
pub mod semantic;

use crate::diagnostic::Diagnostics;
use crate::load::{LoadedFile, Parsed, Tree};
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
    /// Where each part came from (its values are dropped once the file is typed).
    pub tree: Tree,
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

/// Validates the loaded files. `load_ok` says whether loading reported no errors (so
/// cross-file rules can trust that nothing is missing).
#[must_use]
pub fn validate(files: Vec<LoadedFile>, load_ok: bool) -> Validated {
    let mut out = Validated {
        complete: load_ok,
        ..Validated::default()
    };
    for lf in files {
        let LoadedFile { file, doc, is_root } = lf;
        let Parsed { mut tree, secrets } = doc;
        for d in secrets {
            out.diagnostics.push(d);
        }
        match schema::check(file, &tree, &mut out.diagnostics) {
            Some(config) => {
                tree.drop_values();
                out.files.push(ValidFile {
                    file,
                    is_root,
                    config,
                    tree,
                });
            }
            None => out.complete = false,
        }
    }
    semantic::check(&out.files, out.complete, &mut out.diagnostics);
    out
}

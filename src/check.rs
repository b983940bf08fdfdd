//! `check`: load and validate a configuration, as one library call.

use std::path::PathBuf;

use crate::diagnostic::Diagnostics;
use crate::load::{self, LoadError, Limits};
use crate::source::SourceMap;
use crate::validate::{self, Validated};

/// The result of checking a configuration.
#[derive(Debug)]
pub struct Checked {
    /// Every file read.
    pub sources: SourceMap,
    /// Every problem found, sorted.
    pub diagnostics: Diagnostics,
    /// The validated files.
    pub validated: Validated,
}

/// Loads and validates the configuration rooted at `paths`.
///
/// # Errors
/// Only when a path given on the command line cannot be read (an operational error);
/// problems in the configuration are diagnostics in the result.
pub fn check_paths(paths: &[PathBuf], limits: Limits) -> Result<Checked, LoadError> {
    let loaded = load::load_paths(paths, limits)?;
    let load_ok = !loaded.diagnostics.has_errors();
    let mut validated = validate::validate(loaded.files, load_ok);
    let mut diagnostics = loaded.diagnostics;
    diagnostics.extend(std::mem::take(&mut validated.diagnostics));
    diagnostics.sort();
    Ok(Checked {
        sources: loaded.sources,
        diagnostics,
        validated,
    })
}

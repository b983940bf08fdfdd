//! `check`: load and validate configurations, as one library call.

use std::path::PathBuf;

use crate::diagnostic::Diagnostics;
use crate::load::{self, Limits, LoadError};
use crate::source::SourceMap;
use crate::validate::{self, Validated};

/// The result of checking one or more configurations.
#[derive(Debug)]
pub struct Checked {
    /// Every file read.
    pub sources: SourceMap,
    /// Every problem found, sorted.
    pub diagnostics: Diagnostics,
    /// The validated files of each configuration, in the order the roots were given.
    pub configs: Vec<Validated>,
}

/// Loads and validates the one configuration rooted at `paths` (several roots are merged
/// into one configuration, as if one included the others).
///
/// # Errors
/// Only when a path given on the command line cannot be read (an operational error);
/// problems in the configuration are diagnostics in the result.
pub fn check_paths(paths: &[PathBuf], limits: Limits) -> Result<Checked, LoadError> {
    check_into(
        SourceMap::new(),
        paths,
        limits,
        Diagnostics::new(),
        Vec::new(),
    )
}

/// Checks each root in `roots` as a separate configuration (what `tagc check a.yaml b.yaml`
/// does), collecting everything into one report.
///
/// # Errors
/// As [`check_paths`], for the first root that cannot be read.
pub fn check_each(roots: &[PathBuf], limits: Limits) -> Result<Checked, LoadError> {
    let mut acc = Checked {
        sources: SourceMap::new(),
        diagnostics: Diagnostics::new(),
        configs: Vec::new(),
    };
    for root in roots {
        acc = check_into(
            acc.sources,
            std::slice::from_ref(root),
            limits,
            acc.diagnostics,
            acc.configs,
        )?;
    }
    Ok(acc)
}

fn check_into(
    sources: SourceMap,
    paths: &[PathBuf],
    limits: Limits,
    mut diagnostics: Diagnostics,
    mut configs: Vec<Validated>,
) -> Result<Checked, LoadError> {
    let loaded = load::load_into(sources, paths, limits)?;
    let load_ok = !loaded.diagnostics.has_errors();
    let mut validated = validate::validate(loaded.files, load_ok);
    diagnostics.extend(loaded.diagnostics);
    diagnostics.extend(std::mem::take(&mut validated.diagnostics));
    diagnostics.sort();
    configs.push(validated);
    Ok(Checked {
        sources: loaded.sources,
        diagnostics,
        configs,
    })
}

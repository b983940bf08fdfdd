//! The build driver: the library side of `tagc build` and `tagc snippet`, sequencing the
//! stages load → validate → resolve → emit → dist.
//!
//! Each stage is one call, so the command line can render diagnostics between them
//! (warnings are printed before anything is written), and [`build()`] runs them all at
//! once for callers that render nothing in between:
//!
//! - stages 1–2, [`check()`]: load and validate one configuration ([`crate::load`],
//!   [`crate::validate`]); problems are diagnostics in the result, not errors.
//! - stage 3, [`resolve()`]: the checked configuration for one environment
//!   ([`crate::resolve`]), refused while it has errors.
//! - stage 4, [`emit()`]: every artifact in memory — the pixel snippets and `tagc.js`
//!   ([`crate::emit`]), the Conversions API mapping, the verification plan
//!   ([`crate::verify::plan`]) — placed by [`crate::dist::layout`], the manifest last.
//! - stage 5, [`write()`]: into the output directory, atomically ([`crate::dist`]).
//! - stages 4 and 5 at once, [`emit_to`]: what `tagc build` runs. Each artifact is
//!   written as it is made and only its size and hash are kept for the manifest, so the
//!   memory a build takes past resolving does not grow with the site (the verification
//!   plan of a 50,000-page site is 600 MB).
//!
//! [`snippet`] is stage 4 for one page, without the site-wide files. Nothing here prints.

use std::ops::ControlFlow;
use std::path::Path;
use std::sync::Mutex;

use crate::artifact::{Artifact, ArtifactId};
use crate::check::Checked;
use crate::diagnostic::Diagnostics;
use crate::dist::{self, DistError, OutputFile, layout};
use crate::emit::{self, EmitError, PixelOptions};
use crate::load::{Limits, LoadError};
use crate::resolve::{ResolveError, Site};
use crate::source::SourceMap;

/// Why a build stopped. Problems in the configuration are diagnostics, not errors: only
/// [`BuildError::Invalid`] says that there were some.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The configuration could not be read (stage 1).
    #[error(transparent)]
    Load(#[from] LoadError),
    /// The configuration has errors (after stage 2): nothing was generated.
    #[error("nothing generated: the configuration has errors")]
    Invalid {
        /// Every problem found.
        diagnostics: Diagnostics,
        /// The files they point into.
        sources: SourceMap,
    },
    /// Loading produced no configuration to resolve.
    #[error("no configuration was loaded")]
    Empty,
    /// The configuration does not resolve for the environment, or names no such page
    /// (stages 3–4).
    #[error(transparent)]
    Resolve(#[from] ResolveError),
    /// An artifact could not be generated (stage 4; an internal error).
    #[error(transparent)]
    Emit(#[from] EmitError),
    /// The output directory could not be written (stage 5).
    #[error(transparent)]
    Write(#[from] DistError),
}

/// Stages 1–2: loads and validates the one configuration at `config`.
///
/// # Errors
/// Only when `config` cannot be read; problems in the configuration are diagnostics in
/// the result.
pub fn check(config: &Path, limits: Limits) -> Result<Checked, LoadError> {
    crate::check::check_paths(&[config.to_path_buf()], limits)
}

/// Stage 3: the checked configuration resolved for `env`. The caller decides first
/// whether warnings count as errors ([`Diagnostics::deny_warnings`]).
///
/// # Errors
/// [`BuildError::Resolve`]: [`ResolveError::Invalid`] while `checked` has errors (they
/// stay in `checked`, to be rendered), or an unknown environment; [`BuildError::Empty`]
/// when nothing was loaded.
pub fn resolve(checked: &Checked, env: &str) -> Result<Site, BuildError> {
    if checked.diagnostics.has_errors() {
        return Err(ResolveError::Invalid.into());
    }
    let config = checked.configs.first().ok_or(BuildError::Empty)?;
    Ok(crate::resolve::resolve(config, env)?)
}

/// Stage 3 as [`resolve()`], consuming `checked`: its typed pages are dropped a batch at a
/// time as they are resolved (for a large site the typed pages and the resolved ones are
/// each hundreds of megabytes). Returns the site, the files read and the diagnostics.
///
/// # Errors
/// As [`resolve()`].
pub fn resolve_checked(
    checked: Checked,
    env: &str,
) -> Result<(Site, SourceMap, Diagnostics), BuildError> {
    if checked.diagnostics.has_errors() {
        return Err(ResolveError::Invalid.into());
    }
    let Checked {
        sources,
        diagnostics,
        configs,
    } = checked;
    let config = configs.into_iter().next().ok_or(BuildError::Empty)?;
    let site = crate::resolve::resolve_owned(config, env)?;
    Ok((site, sources, diagnostics))
}

/// Stage 4: every file `tagc build` writes, in memory, placed by [`layout`]: the pixel
/// artifacts, the Conversions API mapping, the verification plan, and the manifest (last).
///
/// # Errors
/// Only on an internal template error.
pub fn emit(
    site: &Site,
    sources: &SourceMap,
    opts: &PixelOptions,
) -> Result<Vec<OutputFile>, EmitError> {
    // The plan first, alone: rendering it needs about three times its size for a moment
    // (its lines, then the document), which must not add to the page snippets' memory.
    let plan = plan_artifact(site, sources);
    let (mut artifacts, facts) = emit::pixel_artifacts(site, opts)?;
    artifacts.extend(emit::capi_artifacts(site));
    artifacts.push(plan);
    let mut files = dist::place(artifacts);
    let manifest = dist::manifest(&site.env, &files, facts.as_ref());
    files.push(manifest);
    Ok(files)
}

/// Where the snippets and the mapping are, as the verification plan names them: relative
/// to itself.
fn plan_references(site: &Site) -> (String, Option<String>) {
    let snippets = layout::relative(layout::VERIFY_PLAN, layout::PAGE_SNIPPETS);
    let mapping = (!site.server.events.is_empty())
        .then(|| layout::relative(layout::VERIFY_PLAN, layout::CAPI_MAPPING));
    (snippets, mapping)
}

/// The verification plan, in memory.
fn plan_artifact(site: &Site, sources: &SourceMap) -> Artifact {
    let (snippets, mapping) = plan_references(site);
    let mut bytes =
        crate::verify::plan::render(site, sources, &snippets, mapping.as_deref()).into_bytes();
    // The document grew by doubling; it is kept until written.
    bytes.shrink_to_fit();
    Artifact {
        id: ArtifactId::VerifyPlan,
        bytes,
    }
}

/// Stages 4 and 5 at once: every file [`emit()`] makes, written into `out` as it is made,
/// atomically as [`write()`] does (nothing is renamed into place before every file is
/// written; the manifest last). Returns how many files the output has, the manifest
/// among them.
///
/// # Errors
/// [`BuildError::Emit`] on an internal template error, [`BuildError::Write`] when a
/// directory or file cannot be created or written (see [`DistError::partial`]); in both
/// cases the temporary files are removed.
pub fn emit_to(
    out: &Path,
    site: &Site,
    sources: &SourceMap,
    opts: &PixelOptions,
) -> Result<usize, BuildError> {
    let staging = dist::Staging::new(out)?;
    // The plan first, straight into its file, a batch of pages at a time.
    let (snippets, mapping) = plan_references(site);
    staging.put_with(
        layout::path(&ArtifactId::VerifyPlan),
        layout::kind(&ArtifactId::VerifyPlan),
        |w| crate::verify::plan::render_to(w, site, sources, &snippets, mapping.as_deref()),
    )?;
    // Each pixel artifact is written on the core that rendered it.
    let failed: Mutex<Option<DistError>> = Mutex::new(None);
    let facts = emit::pixel_artifacts_each(site, opts, |a| {
        match staging.put(layout::path(&a.id), layout::kind(&a.id), &a.bytes) {
            Ok(()) => ControlFlow::Continue(()),
            Err(e) => {
                failed
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .get_or_insert(e);
                ControlFlow::Break(())
            }
        }
    })?;
    if let Some(e) = failed
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
    {
        return Err(e.into());
    }
    for a in emit::capi_artifacts(site) {
        staging.put(layout::path(&a.id), layout::kind(&a.id), &a.bytes)?;
    }
    let manifest = staging.manifest(&site.env, facts.as_ref());
    staging.put(manifest.path, manifest.kind, &manifest.bytes)?;
    Ok(staging.commit()?)
}

/// Stage 4 for one page: its inline head snippet alone (what `tagc snippet` prints).
///
/// # Errors
/// When `site` has no page `page`, or on an internal template error.
pub fn snippet(site: &Site, page: &str, opts: &PixelOptions) -> Result<String, BuildError> {
    let one = site.only_page(page)?;
    Ok(emit::pixel::inline_snippet(&one, opts)?)
}

/// Stage 5: writes `files` into `out`, the manifest last, atomically.
///
/// # Errors
/// When a directory or file cannot be created or written; see [`DistError::partial`].
pub fn write(out: &Path, files: &[OutputFile]) -> Result<(), DistError> {
    dist::write(out, files)
}

/// What [`build`] produced.
#[derive(Debug)]
pub struct Built {
    /// The files read.
    pub sources: SourceMap,
    /// Warnings found (there were no errors).
    pub diagnostics: Diagnostics,
    /// The resolved site.
    pub site: Site,
    /// Every file of the output directory, the manifest last.
    pub files: Vec<OutputFile>,
}

/// Every stage at once: checks the configuration at `config`, resolves it for `env` and
/// emits every artifact; writes them into `out` when given.
///
/// # Errors
/// [`BuildError::Invalid`] (with the diagnostics) when the configuration has errors;
/// otherwise the error of the stage that failed.
pub fn build(
    config: &Path,
    env: &str,
    opts: &PixelOptions,
    out: Option<&Path>,
) -> Result<Built, BuildError> {
    let checked = check(config, Limits::default())?;
    if checked.diagnostics.has_errors() {
        return Err(BuildError::Invalid {
            diagnostics: checked.diagnostics,
            sources: checked.sources,
        });
    }
    // The typed configuration and its span trees are not needed past resolving.
    let (site, sources, diagnostics) = resolve_checked(checked, env)?;
    let files = emit(&site, &sources, opts)?;
    if let Some(out) = out {
        write(out, &files)?;
    }
    Ok(Built {
        sources,
        diagnostics,
        site,
        files,
    })
}

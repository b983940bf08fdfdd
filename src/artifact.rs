//! The artifacts of a build, as values: what [`crate::emit`] (and the plan derivation in
//! [`crate::verify::plan`]) produce in memory and [`crate::dist`] writes.
//!
//! An artifact names *which* file it is ([`ArtifactId`]), never *where* it goes: the output
//! directory's layout is defined once, in [`crate::dist::layout`]. Both stages import this
//! module and neither imports the other.

/// Which generated file an artifact is.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ArtifactId {
    /// The site-wide script (`tagc.js`): the runtime and every page's events.
    SiteScript,
    /// The site-wide head tags that load [`ArtifactId::SiteScript`].
    SiteHead,
    /// One page's inline head snippet.
    PageSnippet {
        /// The page's id.
        page: String,
    },
    /// The Conversions API mapping (`tagc send` reads it).
    CapiMapping,
    /// The verification plan (`tagc verify` reads it).
    VerifyPlan,
}

/// One generated file, in memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artifact {
    /// Which file it is.
    pub id: ArtifactId,
    /// Its content.
    pub bytes: Vec<u8>,
}

/// Extra facts the manifest records about the pixel artifacts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PixelFacts {
    /// Subresource Integrity of the site-wide script.
    pub integrity: String,
    /// CSP hash source of the site-wide inline loader.
    pub loader_csp_hash: String,
    /// The CSP source that allows loading `tagc.js` from where `--script-url` says it is:
    /// `'self'` for a path, the origin for an absolute URL.
    pub script_csp_source: String,
}

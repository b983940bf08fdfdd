//! The layout of the output directory, defined once: where each artifact goes (relative to
//! the output directory, `/`-separated) and the kind the manifest records for it.
//!
//! The writer ([`super::place`]) puts artifacts here, the build driver derives the plan's
//! references to the snippets and the mapping from it, and `tagc verify` finds the
//! snippets by it ([`page_snippet_name`]). No other module spells an artifact's path.
//!
//! ```text
//! manifest.json           MANIFEST        (written last)
//! pixel/tagc.js           SITE_SCRIPT
//! pixel/head.html         SITE_HEAD
//! pixel/pages/{id}.html   PAGE_SNIPPETS / page_snippet_name(id)
//! capi/mapping.json       CAPI_MAPPING
//! verify/plan.json        VERIFY_PLAN
//! ```

use crate::artifact::ArtifactId;

/// The site-wide script.
pub const SITE_SCRIPT: &str = "pixel/tagc.js";
/// The site-wide head tags.
pub const SITE_HEAD: &str = "pixel/head.html";
/// The directory of the per-page inline snippets (each named by [`page_snippet_name`]).
pub const PAGE_SNIPPETS: &str = "pixel/pages";
/// The Conversions API mapping.
pub const CAPI_MAPPING: &str = "capi/mapping.json";
/// The verification plan.
pub const VERIFY_PLAN: &str = "verify/plan.json";
/// The manifest, listing every other artifact with its size and hash.
pub const MANIFEST: &str = "manifest.json";
/// The kind the manifest records for itself.
pub const MANIFEST_KIND: &str = "manifest";

/// The file name of `page`'s snippet inside [`PAGE_SNIPPETS`].
#[must_use]
pub fn page_snippet_name(page: &str) -> String {
    format!("{page}.html")
}

/// Where `id` goes, relative to the output directory.
#[must_use]
pub fn path(id: &ArtifactId) -> String {
    match id {
        ArtifactId::SiteScript => SITE_SCRIPT.to_owned(),
        ArtifactId::SiteHead => SITE_HEAD.to_owned(),
        ArtifactId::PageSnippet { page } => {
            format!("{PAGE_SNIPPETS}/{}", page_snippet_name(page))
        }
        ArtifactId::CapiMapping => CAPI_MAPPING.to_owned(),
        ArtifactId::VerifyPlan => VERIFY_PLAN.to_owned(),
    }
}

/// The kind the manifest records for `id`.
#[must_use]
pub fn kind(id: &ArtifactId) -> &'static str {
    match id {
        ArtifactId::SiteScript => "site-script",
        ArtifactId::SiteHead => "site-head",
        ArtifactId::PageSnippet { .. } => "page-snippet",
        ArtifactId::CapiMapping => "capi-mapping",
        ArtifactId::VerifyPlan => "verify-plan",
    }
}

/// The path of `to` as seen from the directory of the file `from` (both relative to the
/// output directory), for one artifact that refers to another: the plan names the
/// snippets as `relative(VERIFY_PLAN, PAGE_SNIPPETS)`, `../pixel/pages`.
#[must_use]
pub fn relative(from: &str, to: &str) -> String {
    let from_dir: Vec<&str> = from.split('/').collect();
    let from_dir = from_dir.split_last().map_or(&[][..], |(_, dir)| dir);
    let to: Vec<&str> = to.split('/').collect();
    let common = from_dir.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<&str> = vec![".."; from_dir.len() - common];
    parts.extend(to.get(common..).unwrap_or_default());
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_artifact_has_its_place() {
        assert_eq!(path(&ArtifactId::SiteScript), "pixel/tagc.js");
        assert_eq!(
            path(&ArtifactId::PageSnippet {
                page: "home".into()
            }),
            "pixel/pages/home.html"
        );
        assert_eq!(kind(&ArtifactId::VerifyPlan), "verify-plan");
    }

    #[test]
    fn references_between_artifacts_are_relative() {
        assert_eq!(relative(VERIFY_PLAN, PAGE_SNIPPETS), "../pixel/pages");
        assert_eq!(relative(VERIFY_PLAN, CAPI_MAPPING), "../capi/mapping.json");
        assert_eq!(relative(SITE_HEAD, SITE_SCRIPT), "tagc.js");
        assert_eq!(relative(MANIFEST, SITE_SCRIPT), "pixel/tagc.js");
    }
}

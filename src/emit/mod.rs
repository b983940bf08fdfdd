//! Stage 4 — emit: the resolved model → the files a site ships.
//!
//! Every artifact is built in memory from a [`crate::resolve::Site`]; nothing here touches
//! the file system ([`crate::dist`] writes them). Escaping lives in [`crate::escape::html`].

pub mod pixel;

/// The JavaScript and HTML escapers, also at their former path (`--nonce` is checked with
/// them); their one home is [`crate::escape::html`].
pub use crate::escape::html as escape;

use crate::resolve::Site;

pub use pixel::{EmitError, PixelOptions, text_js, values_js};

/// One generated file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artifact {
    /// Its path inside the output directory, `/`-separated (`pixel/pages/home.html`).
    pub path: String,
    /// What it is, for the manifest.
    pub kind: &'static str,
    /// Its content.
    pub bytes: Vec<u8>,
}

/// Extra facts the manifest records about the pixel artifacts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PixelFacts {
    /// Subresource Integrity of `pixel/tagc.js`.
    pub integrity: String,
    /// CSP hash source of the site-wide inline loader.
    pub loader_csp_hash: String,
    /// The CSP source that allows loading `tagc.js` from where `--script-url` says it is:
    /// `'self'` for a path, the origin for an absolute URL.
    pub script_csp_source: String,
}

/// The CSP `script-src` source for a script served from `url`.
fn script_csp_source(url: &str) -> String {
    let rest = ["https://", "http://", "//"].iter().find_map(|p| {
        let (scheme, rest) = url.split_at_checked(p.len())?;
        scheme.eq_ignore_ascii_case(p).then_some((scheme, rest))
    });
    match rest {
        Some((scheme, rest)) => {
            let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
            // `//cdn.example.com/…` takes the page's scheme: a bare host source does too.
            let scheme = if scheme == "//" { "" } else { scheme };
            format!("{scheme}{host}")
        }
        None => "'self'".to_owned(),
    }
}

/// Every pixel artifact of the site: the site-wide script and head tags, and one inline
/// snippet per page.
///
/// # Errors
/// Only on an internal template error.
pub fn pixel_artifacts(
    site: &Site,
    opts: &PixelOptions,
) -> Result<(Vec<Artifact>, Option<PixelFacts>), EmitError> {
    // A server-only configuration has no page to put a pixel on: no snippet, no script.
    if site.pages.is_empty() {
        return Ok((Vec::new(), None));
    }
    let renderer = pixel::Renderer::new();
    // The site-wide script (one job over every page) is rendered beside the per-page
    // snippets (one job per page, spread over every core) rather than before them.
    let (wide, rendered) = std::thread::scope(|scope| {
        let wide = scope.spawn(|| renderer.site_wide(site, opts));
        let rendered = crate::par::map(&site.pages, |_, page| {
            Ok(Artifact {
                path: format!("pixel/pages/{}.html", page.id),
                kind: "page-snippet",
                bytes: renderer.page_snippet(site, page, opts)?.into_bytes(),
            })
        });
        let wide = wide.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
        (wide, rendered)
    });
    let wide = wide?;
    let mut out = vec![
        Artifact {
            path: "pixel/tagc.js".into(),
            kind: "site-script",
            bytes: wide.script.into_bytes(),
        },
        Artifact {
            path: "pixel/head.html".into(),
            kind: "site-head",
            bytes: wide.head.into_bytes(),
        },
    ];
    for page in rendered {
        out.push(page?);
    }
    Ok((
        out,
        Some(PixelFacts {
            integrity: wide.integrity,
            loader_csp_hash: wide.loader_csp_hash,
            script_csp_source: script_csp_source(&opts.script_url),
        }),
    ))
}

/// Every artifact `tagc build` writes: the pixel artifacts, the Conversions API mapping,
/// the verification plan, and the manifest (last).
///
/// # Errors
/// Only on an internal template error.
pub fn all(
    site: &Site,
    sources: &crate::source::SourceMap,
    opts: &PixelOptions,
) -> Result<Vec<Artifact>, EmitError> {
    // The plan does not depend on the pixel artifacts: both are derived at once.
    let (pixel, plan) = std::thread::scope(|scope| {
        let plan = scope.spawn(|| plan_artifact(site, sources));
        let pixel = pixel_artifacts(site, opts);
        (
            pixel,
            plan.join().unwrap_or_else(|p| std::panic::resume_unwind(p)),
        )
    });
    let (mut artifacts, facts) = pixel?;
    artifacts.extend(capi_artifacts(site));
    artifacts.push(plan);
    let manifest = crate::dist::manifest(&site.env, &artifacts, facts.as_ref());
    artifacts.push(manifest);
    Ok(artifacts)
}

/// The Conversions API artifacts: `capi/mapping.json`, when the site has server events.
#[must_use]
pub fn capi_artifacts(site: &Site) -> Vec<Artifact> {
    if site.server.events.is_empty() {
        return Vec::new();
    }
    vec![Artifact {
        path: "capi/mapping.json".into(),
        kind: "capi-mapping",
        bytes: crate::mapping::Mapping::from_site(site)
            .to_json()
            .into_bytes(),
    }]
}

/// The verification plan, `verify/plan.json`.
#[must_use]
pub fn plan_artifact(site: &Site, sources: &crate::source::SourceMap) -> Artifact {
    let mapping = (!site.server.events.is_empty()).then_some("../capi/mapping.json");
    Artifact {
        path: "verify/plan.json".into(),
        kind: "verify-plan",
        bytes: crate::verify::plan::render(site, sources, "../pixel/pages", mapping).into_bytes(),
    }
}

#[cfg(test)]
mod tests {
    use super::script_csp_source;

    #[test]
    fn the_script_source_is_self_or_the_origin() {
        assert_eq!(script_csp_source("/tagc.js"), "'self'");
        assert_eq!(script_csp_source("assets/tagc.js"), "'self'");
        assert_eq!(
            script_csp_source("https://cdn.example.com:8443/t/tagc.js?v=1"),
            "https://cdn.example.com:8443"
        );
        assert_eq!(
            script_csp_source("HTTPS://CDN.example.com/tagc.js"),
            "HTTPS://CDN.example.com"
        );
        assert_eq!(
            script_csp_source("//cdn.example.com/tagc.js"),
            "cdn.example.com"
        );
    }
}

//! Stage 4 — emit: the resolved model → the files a site ships.
//!
//! Every artifact is built in memory from a [`crate::resolve::Site`] as an
//! [`Artifact`] that says which file it is, not where it goes: nothing here touches the
//! file system or knows the output directory's layout ([`crate::dist`] owns both), and
//! nothing here imports `dist` or `verify`. The build driver ([`crate::build`]) sequences
//! this stage with the others. Escaping lives in [`crate::escape::html`].

pub mod pixel;

/// The JavaScript and HTML escapers, also at their former path (`--nonce` is checked with
/// them); their one home is [`crate::escape::html`].
pub use crate::escape::html as escape;

use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::artifact::{Artifact, ArtifactId, PixelFacts};
use crate::resolve::Site;

pub use pixel::{EmitError, PixelOptions, find_js, text_js, values_js};

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
/// snippet per page, in that order.
///
/// # Errors
/// Only on an internal template error.
pub fn pixel_artifacts(
    site: &Site,
    opts: &PixelOptions,
) -> Result<(Vec<Artifact>, Option<PixelFacts>), EmitError> {
    render_pixels(site, opts, |mut a| {
        // Kept until written, one per page: without the room the text grew into.
        a.bytes.shrink_to_fit();
        ControlFlow::Continue(a)
    })
}

/// [`pixel_artifacts`] handed to `put` one by one as they are made, on the core that
/// rendered each (so in no particular order), rather than collected: only the artifacts
/// being rendered are in memory at once. Once `put` breaks, no further artifact is
/// rendered or handed over.
///
/// # Errors
/// Only on an internal template error.
pub fn pixel_artifacts_each(
    site: &Site,
    opts: &PixelOptions,
    put: impl Fn(Artifact) -> ControlFlow<()> + Sync,
) -> Result<Option<PixelFacts>, EmitError> {
    render_pixels(site, opts, put).map(|(_, facts)| facts)
}

/// Renders the pixel artifacts, each passed to `each` on the core that rendered it; the
/// values `each` continues with come back in artifact order (the site-wide script and head
/// tags, then the pages). After a break, what is left is not rendered (and not returned).
fn render_pixels<T: Send>(
    site: &Site,
    opts: &PixelOptions,
    each: impl Fn(Artifact) -> ControlFlow<(), T> + Sync,
) -> Result<(Vec<T>, Option<PixelFacts>), EmitError> {
    // A server-only configuration has no page to put a pixel on: no snippet, no script.
    if site.pages.is_empty() {
        return Ok((Vec::new(), None));
    }
    let renderer = pixel::Renderer::new();
    let stopped = AtomicBool::new(false);
    let hand = |a: Artifact| -> Option<T> {
        if stopped.load(Ordering::Relaxed) {
            return None;
        }
        match each(a) {
            ControlFlow::Continue(t) => Some(t),
            ControlFlow::Break(()) => {
                stopped.store(true, Ordering::Relaxed);
                None
            }
        }
    };
    // The site-wide script (one job over every page) is rendered beside the per-page
    // snippets (one job per page, spread over every core) rather than before them.
    let (wide, rendered) = std::thread::scope(|scope| {
        let wide = scope.spawn(|| {
            let wide = renderer.site_wide(site, opts)?;
            let facts = PixelFacts {
                integrity: wide.integrity,
                loader_csp_hash: wide.loader_csp_hash,
                script_csp_source: script_csp_source(&opts.script_url),
            };
            let script = hand(Artifact {
                id: ArtifactId::SiteScript,
                bytes: wide.script.into_bytes(),
            });
            let head = hand(Artifact {
                id: ArtifactId::SiteHead,
                bytes: wide.head.into_bytes(),
            });
            Ok::<_, EmitError>((facts, [script, head]))
        });
        let rendered = crate::par::map(&site.pages, |_, page| {
            if stopped.load(Ordering::Relaxed) {
                return Ok(None);
            }
            let bytes = renderer.page_snippet(site, page, opts)?.into_bytes();
            Ok(hand(Artifact {
                id: ArtifactId::PageSnippet {
                    page: page.id.clone(),
                },
                bytes,
            }))
        });
        let wide = wide.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
        (wide, rendered)
    });
    let (facts, wide) = wide?;
    let mut out = Vec::with_capacity(rendered.len() + 2);
    out.extend(wide.into_iter().flatten());
    for page in rendered {
        out.extend(page?);
    }
    Ok((out, Some(facts)))
}

/// The Conversions API artifacts: the mapping, when the site has server events.
#[must_use]
pub fn capi_artifacts(site: &Site) -> Vec<Artifact> {
    if site.server.events.is_empty() {
        return Vec::new();
    }
    vec![Artifact {
        id: ArtifactId::CapiMapping,
        bytes: crate::mapping::Mapping::from_site(site)
            .to_json()
            .into_bytes(),
    }]
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

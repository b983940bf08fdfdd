//! Verification hints (`site.verify`, a page's and a button's `verify:`): selectors that
//! parse, steps `tagc verify` can perform, concrete URLs that really are the page's, and a
//! consent step only where tagc holds events until consent.

use super::pages::{check_selector, check_selector_at};
use super::{Ctx, join};
use crate::diagnostic::{Code, Diagnostic};
use crate::load::Seg;
use crate::model::{Consent, Step};
use crate::urlpattern::UrlPattern;

pub(super) fn check(ctx: &mut Ctx<'_>) {
    let files = ctx.files;
    let consent_required = files
        .iter()
        .any(|vf| vf.config.consent == Some(Consent::Required));
    // Every page's patterns in configuration order: the first page that matches a URL is
    // the one the runtime applies there.
    let mut order: Vec<(&str, Vec<UrlPattern>)> = Vec::new();
    for vf in files {
        for page in &vf.config.pages {
            let patterns = page
                .url
                .0
                .iter()
                .filter_map(|u| UrlPattern::parse(u).ok())
                .collect();
            order.push((page.id.as_str(), patterns));
        }
    }
    for (f, vf) in files.iter().enumerate() {
        if let Some(step) = vf
            .config
            .site
            .as_ref()
            .and_then(|s| s.verify.as_ref())
            .and_then(|v| v.consent.as_ref())
        {
            let path = crate::path!["site", "verify", "consent"];
            consent_step(ctx, f, &path, step, consent_required);
        }
        for (i, page) in vf.config.pages.iter().enumerate() {
            if let Some(v) = &page.verify {
                for (k, url) in v.urls.iter().enumerate() {
                    let path = crate::path!["pages", i, "verify", "urls", k];
                    page_url(ctx, f, &path, url, &page.id, &order);
                }
                for (s, step) in v.before.iter().enumerate() {
                    check_step(
                        ctx,
                        f,
                        &crate::path!["pages", i, "verify", "before", s],
                        step,
                    );
                }
            }
            for (j, b) in page.buttons.iter().enumerate() {
                let Some(v) = &b.verify else { continue };
                let base = crate::path!["pages", i, "buttons", j, "verify"];
                for (s, step) in v.before.iter().enumerate() {
                    check_step(
                        ctx,
                        f,
                        &join(&base, [Seg::from("before"), Seg::Index(s)]),
                        step,
                    );
                }
                fill_keys(ctx, f, &join(&base, [Seg::from("fill")]), v.fill.keys());
            }
        }
    }
}

/// `site.verify.consent`: a click, only where tagc holds events until consent.
fn consent_step(ctx: &mut Ctx<'_>, f: usize, path: &[Seg<'_>], step: &Step, required: bool) {
    if !required && ctx.complete {
        ctx.push(
            Diagnostic::new(
                Code::ConsentStepWithoutConsentMode,
                ctx.key_span(f, path),
                "a consent step, but the configuration does not say `consent: required`",
            )
            .label("tagc verify would check a grant that never comes")
            .help("add `consent: required` if the pixel must wait for the visitor's consent; to dismiss a banner before checking, use the pages' `verify: {before: [...]}` steps instead"),
        );
    }
    if !matches!(step, Step::Click(_) | Step::Text(_)) {
        ctx.push(
            Diagnostic::new(
                Code::InvalidVerifyStep,
                ctx.span(f, path),
                format!("the consent step is {}, not a click", step.describe()),
            )
            .label("a visitor agrees by clicking")
            .help("write `consent: {click: \"#accept\"}` (a CSS selector) or `consent: {text: \"Aceptar\"}`"),
        );
    }
    check_step(ctx, f, path, step);
}

/// A step: its selectors parse, a text is not empty, `goto` is a path of the site.
fn check_step(ctx: &mut Ctx<'_>, f: usize, path: &[Seg<'_>], step: &Step) {
    match step {
        Step::Click(s) => check_selector(ctx, f, &join(path, [Seg::from("click")]), s),
        Step::WaitFor(s) => check_selector(ctx, f, &join(path, [Seg::from("wait_for")]), s),
        Step::Fill(fields) => fill_keys(ctx, f, &join(path, [Seg::from("fill")]), fields.keys()),
        Step::Text(t) if crate::text::normalize_text(t).is_empty() => ctx.push(
            Diagnostic::new(
                Code::InvalidVerifyStep,
                ctx.span(f, &join(path, [Seg::from("text")])),
                "a `text` step with no text",
            )
            .label("empty")
            .help("write the visible label of the element to click, such as `text: \"Aceptar\"`"),
        ),
        Step::Text(_) => {}
        Step::Goto(p) if !p.starts_with('/') || p.starts_with("//") || p.contains('#') => ctx.push(
            Diagnostic::new(
                Code::InvalidVerifyStep,
                ctx.span(f, &join(path, [Seg::from("goto")])),
                format!("`goto: {p}` is not a path of the site"),
            )
            .label("expected a path starting with `/`, without `#`")
            .help("write the path only, such as `goto: /app`; `tagc verify --base-url` says which site"),
        ),
        Step::Goto(_) => {}
    }
}

/// The keys of a `fill` map are CSS selectors.
fn fill_keys<'a>(
    ctx: &mut Ctx<'_>,
    f: usize,
    path: &[Seg<'_>],
    keys: impl Iterator<Item = &'a String>,
) {
    for key in keys {
        let span = ctx.key_span(f, &join(path, [Seg::from(key.as_str())]));
        check_selector_at(ctx, span, key);
    }
}

/// A `verify.urls` entry: a path (and query) this page's patterns match, and no earlier
/// page's.
fn page_url(
    ctx: &mut Ctx<'_>,
    f: usize,
    path: &[Seg<'_>],
    url: &str,
    page: &str,
    order: &[(&str, Vec<UrlPattern>)],
) {
    let span = ctx.span(f, path);
    if url.contains('#') {
        ctx.push(
            Diagnostic::new(
                Code::VerifyUrlNotCovered,
                span,
                format!("`{url}` has a `#fragment`"),
            )
            .label("the fragment is not part of the page's URL")
            .help("write the path (and query) only: a fragment does not load a page, and tagc routes pages by path"),
        );
        return;
    }
    if !url.starts_with('/') || url.starts_with("//") {
        ctx.push(
            Diagnostic::new(
                Code::VerifyUrlNotCovered,
                span,
                format!("`{url}` is not a path of the site"),
            )
            .label("expected a path starting with `/`")
            .help("write the path (and query) only, such as `/p/red-shoes`; `tagc verify --base-url` says which site"),
        );
        return;
    }
    let route = url.split(['?', '#']).next().unwrap_or(url);
    let first = order
        .iter()
        .find(|(_, ps)| ps.iter().any(|p| p.matches(route).is_some()));
    let own: Vec<&str> = order
        .iter()
        .find(|(id, _)| *id == page)
        .map(|(_, ps)| ps.iter().map(UrlPattern::as_str).collect())
        .unwrap_or_default();
    match first {
        Some((id, _)) if *id == page => {}
        Some((other, _)) => ctx.push(
            Diagnostic::new(
                Code::VerifyUrlNotCovered,
                span,
                format!("`{route}` belongs to page `{other}`, not `{page}`"),
            )
            .label(format!("page `{other}` comes first and matches it"))
            .help(format!(
                "give a path only page `{page}` matches ({}), or move page `{page}` above page `{other}`",
                own.join(", ")
            )),
        ),
        None => ctx.push(
            Diagnostic::new(
                Code::VerifyUrlNotCovered,
                span,
                format!("`{route}` is not a URL of page `{page}`"),
            )
            .label("no pattern of the page matches it")
            .help(format!(
                "give a path that page `{page}`'s patterns match: {}",
                own.join(", ")
            )),
        ),
    }
}

//! Pages and buttons: URL patterns (syntax, duplicates, shadowing), element locators and
//! CSS selectors.

use std::collections::BTreeMap;

use super::{Ctx, join};
use crate::diagnostic::{Code, Diagnostic};
use crate::load::Seg;
use crate::source::{Pos, Span};
use crate::urlpattern::UrlPattern;

pub(super) fn check(ctx: &mut Ctx<'_>) {
    let files = ctx.files;
    // Every parsed pattern in declaration order: (page order, file, path, pattern, page id).
    let mut parsed: Vec<(usize, usize, Vec<Seg<'_>>, UrlPattern, &str)> = Vec::new();
    let mut order = 0usize;
    for (f, vf) in files.iter().enumerate() {
        for (i, page) in vf.config.pages.iter().enumerate() {
            order += 1;
            let mut seen: BTreeMap<&str, Span> = BTreeMap::new();
            for (k, pat) in page.url.0.iter().enumerate() {
                let path = if ctx.has(f, &crate::path!["pages", i, "url", k]) {
                    crate::path!["pages", i, "url", k]
                } else {
                    crate::path!["pages", i, "url"]
                };
                let span = ctx.span(f, &path);
                if let Some(first) = seen.get(pat.as_str()) {
                    ctx.push(
                        Diagnostic::new(
                            Code::DuplicateUrlPattern,
                            span,
                            format!("`{pat}` is listed twice for page `{}`", page.id),
                        )
                        .label("repeated")
                        .with_secondary(*first, "first listed here")
                        .help("remove one of them"),
                    );
                    continue;
                }
                seen.insert(pat, span);
                match UrlPattern::parse(pat) {
                    Ok(p) => parsed.push((order, f, path, p, page.id.as_str())),
                    Err(e) => {
                        let at = sub_span(span, pat, e.offset, e.len);
                        let mut d = Diagnostic::new(
                            Code::InvalidUrlPattern,
                            at,
                            format!(
                                "invalid URL pattern `{}`: {}",
                                crate::diagnostic::truncate(pat, 60),
                                e.message
                            ),
                        )
                        .label("here");
                        if let Some(h) = e.help {
                            d = d.help(h);
                        }
                        ctx.push(d);
                    }
                }
            }
            for (j, b) in page.buttons.iter().enumerate() {
                check_button(ctx, f, i, j, b);
            }
        }
    }
    if ctx.complete {
        shadowing(ctx, &parsed);
    }
}

fn check_button(ctx: &mut Ctx<'_>, f: usize, i: usize, j: usize, b: &crate::model::Button) {
    let base = crate::path!["pages", i, "buttons", j];
    match (&b.selector, &b.text) {
        (Some(_), Some(_)) => ctx.push(
            Diagnostic::new(
                Code::AmbiguousLocator,
                ctx.key_span(f, &join(&base, [Seg::from("text")])),
                format!("button `{}` has both `selector` and `text`", b.id),
            )
            .label("second locator")
            .with_secondary(
                ctx.key_span(f, &join(&base, [Seg::from("selector")])),
                "first locator",
            )
            .help("keep one: `selector` for a CSS selector, or `text` for the visible label"),
        ),
        (None, None) => ctx.push(
            Diagnostic::new(
                Code::AmbiguousLocator,
                ctx.span(f, &join(&base, [Seg::from("id")])),
                format!("button `{}` has no `selector` or `text`", b.id),
            )
            .label("how is this button found?")
            .help("add `selector: \"#signup\"` (CSS) or `text: \"Sign up\"` (the visible label)"),
        ),
        _ => {}
    }
    if b.within.is_some() && b.text.is_none() {
        ctx.push(
            Diagnostic::new(
                Code::AmbiguousLocator,
                ctx.key_span(f, &join(&base, [Seg::from("within")])),
                "`within` only applies to buttons found by `text`",
            )
            .label("ignored")
            .help("remove `within`, or fold it into the selector: `selector: \"main .buy\"`"),
        );
    }
    for key in ["selector", "within"] {
        let value = if key == "selector" {
            &b.selector
        } else {
            &b.within
        };
        if let Some(sel) = value {
            check_selector(ctx, f, &join(&base, [Seg::from(key)]), sel);
        }
    }
}

/// Validates a CSS selector written at `path` in file `f`.
pub(super) fn check_selector(ctx: &mut Ctx<'_>, f: usize, path: &[Seg<'_>], sel: &str) {
    let span = ctx.span(f, path);
    check_selector_at(ctx, span, sel);
}

/// Validates a CSS selector written at `span` (a value, or a key such as a `fill` field's).
pub(super) fn check_selector_at(ctx: &mut Ctx<'_>, span: Span, sel: &str) {
    if let Err(e) = crate::css::validate_selector(sel) {
        let at = sub_span(span, sel, e.offset, e.len.max(1));
        let mut d = Diagnostic::new(
            Code::InvalidSelector,
            at,
            format!(
                "invalid CSS selector `{}`: {}",
                crate::diagnostic::truncate(sel, 60),
                e.message
            ),
        )
        .label("here");
        if let Some(h) = e.help {
            d = d.help(h);
        }
        ctx.push(d);
    }
}

/// Narrows the span of a YAML scalar to characters `offset..offset+len` of its text, when
/// the scalar sits on one line unquoted or quoted without escapes; otherwise keeps the span.
pub(crate) fn sub_span(span: Span, text: &str, offset: usize, len: usize) -> Span {
    if span.start.line != span.end.line {
        return span;
    }
    let width = span.end.col.saturating_sub(span.start.col) as usize;
    let chars = text.chars().count();
    let quote = match width.checked_sub(chars) {
        Some(0) => 0,
        Some(2) => 1,
        _ => return span,
    };
    let start = span.start.col as usize + quote + offset.min(chars);
    let end = (start + len).min(span.start.col as usize + quote + chars);
    let to_u32 = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    Span::new(
        span.file,
        Pos::new(span.start.line, to_u32(start)),
        Pos::new(span.start.line, to_u32(end.max(start))),
    )
}

/// The leading literal segments of a pattern (used to prune the pairwise shadowing check).
fn literal_prefix(p: &str) -> Vec<&str> {
    p.split('/')
        .filter(|s| !s.is_empty())
        .take_while(|s| !s.contains(['*', '{']))
        .collect()
}

/// Reports patterns that an earlier page's pattern already covers (first match wins).
fn shadowing(ctx: &mut Ctx<'_>, parsed: &[(usize, usize, Vec<Seg<'_>>, UrlPattern, &str)]) {
    // Earlier patterns by literal prefix; a pattern can only cover another whose literal
    // prefix extends its own.
    let mut by_prefix: BTreeMap<Vec<&str>, Vec<usize>> = BTreeMap::new();
    for (idx, (order, f, path, pat, page)) in parsed.iter().enumerate() {
        let prefix = literal_prefix(pat.as_str());
        let mut found = None;
        'search: for k in 0..=prefix.len() {
            if let Some(cands) = by_prefix.get(&prefix[..k]) {
                for &c in cands {
                    let (o2, f2, p2, pat2, page2) = &parsed[c];
                    if o2 < order && pat2.covers(pat) {
                        found = Some((*f2, p2.clone(), pat2.as_str().to_owned(), *page2));
                        break 'search;
                    }
                }
            }
        }
        if let Some((f2, p2, pat2, page2)) = found {
            ctx.push(
                Diagnostic::new(Code::ShadowedUrlPattern, ctx.span(*f, path), format!("page `{page}` can never match `{}`: page `{page2}` comes first and matches every such URL", pat.as_str()))
                    .label("never reached")
                    .with_secondary(ctx.span(f2, &p2), format!("`{pat2}` matches first"))
                    .help(format!("move page `{page}` above page `{page2}`, or make `{pat2}` more specific")),
            );
        }
        by_prefix.entry(prefix).or_default().push(idx);
    }
}

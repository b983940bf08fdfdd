//! Pages and buttons: URL patterns (syntax, duplicates, shadowing), element locators and
//! CSS selectors.

use std::collections::BTreeMap;

use super::{Ctx, join};
use crate::diagnostic::{Code, Diagnostic};
use crate::load::Seg;
use crate::source::{Pos, Span};
use crate::urlpattern::{CoverIndex, UrlPattern};

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

/// The leading literal segments of a pattern. Of several earlier patterns covering a
/// later one, the diagnostic names the one with the fewest, then the first declared (the
/// order in which the pairwise check this index replaced found them).
fn literal_prefix(p: &str) -> Vec<&str> {
    p.split('/')
        .filter(|s| !s.is_empty())
        .take_while(|s| !s.contains(['*', '{']))
        .collect()
}

/// For each pattern (given with its page's order, non-decreasing), the index of the
/// pattern of an earlier page that covers it and is named in the diagnostic, if any.
///
/// Each page's patterns are looked up in a [`CoverIndex`] of the earlier pages' patterns,
/// then added to it, so the work grows with the number of patterns times the few trie
/// paths that can cover each one, never with the number of pairs.
fn shadowed_by(items: &[(usize, &UrlPattern)]) -> Vec<Option<usize>> {
    let mut index = CoverIndex::default();
    let mut found = Vec::with_capacity(items.len());
    let mut hits = Vec::new();
    let mut page_start = 0;
    for (i, (order, pat)) in items.iter().enumerate() {
        if items.get(page_start).is_some_and(|(o, _)| o != order) {
            for (k, (_, earlier)) in items.iter().enumerate().take(i).skip(page_start) {
                index.insert(earlier, k);
            }
            page_start = i;
        }
        hits.clear();
        index.covering(pat, &mut hits);
        let rank = |&c: &usize| {
            let prefix = items
                .get(c)
                .map_or(0, |(_, p)| literal_prefix(p.as_str()).len());
            (prefix, c)
        };
        found.push(hits.iter().copied().min_by_key(rank));
    }
    found
}

/// Reports patterns that an earlier page's pattern already covers (first match wins).
fn shadowing(ctx: &mut Ctx<'_>, parsed: &[(usize, usize, Vec<Seg<'_>>, UrlPattern, &str)]) {
    let items: Vec<(usize, &UrlPattern)> = parsed.iter().map(|(o, _, _, p, _)| (*o, p)).collect();
    for ((_, f, path, pat, page), by) in parsed.iter().zip(shadowed_by(&items)) {
        let Some((_, f2, p2, pat2, page2)) = by.and_then(|c| parsed.get(c)) else {
            continue;
        };
        let pat2 = pat2.as_str();
        ctx.push(
            Diagnostic::new(Code::ShadowedUrlPattern, ctx.span(*f, path), format!("page `{page}` can never match `{}`: page `{page2}` comes first and matches every such URL", pat.as_str()))
                .label("never reached")
                .with_secondary(ctx.span(*f2, p2), format!("`{pat2}` matches first"))
                .help(format!("move page `{page}` above page `{page2}`, or make `{pat2}` more specific")),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::urlpattern::{random_pattern, rng};

    /// The pairwise check [`shadowed_by`] replaced, kept as its oracle: earlier patterns
    /// grouped by literal prefix, each candidate compared with [`UrlPattern::covers`].
    fn shadowed_by_pairwise(items: &[(usize, &UrlPattern)]) -> Vec<Option<usize>> {
        let mut by_prefix: BTreeMap<Vec<&str>, Vec<usize>> = BTreeMap::new();
        let mut found = Vec::new();
        for (idx, (order, pat)) in items.iter().enumerate() {
            let prefix = literal_prefix(pat.as_str());
            let mut hit = None;
            'search: for k in 0..=prefix.len() {
                if let Some(cands) = by_prefix.get(&prefix[..k]) {
                    for &c in cands {
                        let (o2, pat2) = &items[c];
                        if o2 < order && pat2.covers(pat) {
                            hit = Some(c);
                            break 'search;
                        }
                    }
                }
            }
            found.push(hit);
            by_prefix.entry(prefix).or_default().push(idx);
        }
        found
    }

    /// Thousands of random sites (1–4 patterns per page, some repeated from earlier pages
    /// or the same page): the index reports exactly the (shadowed, shadowing) pairs the
    /// pairwise check did.
    #[test]
    fn index_agrees_with_pairwise_check() {
        let mut next = rng(0x2545_f491_4f6c_dd1d);
        let (mut pairs, mut patterns) = (0, 0);
        for _ in 0..4_000 {
            let pages = 1 + next(12);
            let mut texts: Vec<(usize, String)> = Vec::new();
            for page in 0..pages {
                for _ in 0..1 + next(4) {
                    let text = match texts.len() {
                        n if n > 0 && next(4) == 0 => texts[next(n)].1.clone(),
                        _ => random_pattern(&mut next),
                    };
                    texts.push((page, text));
                }
            }
            let parsed: Vec<(usize, UrlPattern)> = texts
                .iter()
                .map(|(o, t)| (*o, UrlPattern::parse(t).expect("generated patterns parse")))
                .collect();
            let items: Vec<(usize, &UrlPattern)> = parsed.iter().map(|(o, p)| (*o, p)).collect();
            let want = shadowed_by_pairwise(&items);
            let got = shadowed_by(&items);
            assert_eq!(got, want, "{texts:?}");
            pairs += want.iter().flatten().count();
            patterns += items.len();
        }
        assert!(
            patterns > 40_000 && pairs > 10_000,
            "{pairs} pairs in {patterns} patterns"
        );
    }

    /// A site whose every pattern starts with `{lang}` is checked against the few
    /// candidates that can overlap, and gives the same answers as the pairwise check.
    #[test]
    fn lang_prefixed_site() {
        let texts: Vec<String> = (0..300)
            .flat_map(|n| {
                [
                    format!("/{{lang}}/section-{n}/{{slug}}"),
                    format!("/{{lang}}/s{n}/**"),
                ]
            })
            .chain([
                "/{lang}/section-7/*".to_owned(),
                "/{lang}/s3/x".to_owned(),
                "/**/s3/x".to_owned(),
            ])
            .collect();
        let parsed: Vec<UrlPattern> = texts
            .iter()
            .map(|t| UrlPattern::parse(t).expect("parses"))
            .collect();
        let items: Vec<(usize, &UrlPattern)> =
            parsed.iter().enumerate().map(|(i, p)| (i / 2, p)).collect();
        let got = shadowed_by(&items);
        assert_eq!(got, shadowed_by_pairwise(&items));
        let shadowed: Vec<(usize, usize)> = got
            .iter()
            .enumerate()
            .filter_map(|(i, c)| c.map(|c| (i, c)))
            .collect();
        assert_eq!(shadowed, [(600, 14), (601, 7)]);
    }
}

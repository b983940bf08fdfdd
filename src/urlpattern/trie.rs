//! [`CoverIndex`]: a trie of URL patterns that answers "which of the indexed patterns
//! cover this one?" ([`UrlPattern::covers`]) without comparing the pattern with each.
//!
//! The trie is keyed by segment. Each node has up to four kinds of outgoing edges, one per
//! kind of segment an indexed pattern can have at that depth:
//!
//! * a literal segment (`shop`): a map from the text to the child, so a query follows
//!   only the one edge equal to its own literal segment;
//! * `*` or `{name}` (one edge for all of them: the name does not change what matches);
//! * a glob inside a segment (`p-*`, `*.html`): grouped by the literal text before the
//!   first `*` (or, when that is empty, after the last `*`), so a query looks only at the
//!   globs whose fixed start (or end) its own segment has;
//! * `**`.
//!
//! A query walks the trie with the segments of the pattern it asks about, following every
//! edge whose segment covers the query's segment there (a `**` edge absorbs any run of
//! them, including none and including the query's own `**`), and collects the patterns
//! ending where the walk has consumed the whole query. This is the alignment of
//! [`UrlPattern::covers`] run over all indexed patterns at once, so the answer is exact.
//! The cost of a query depends on the patterns' lengths and on how many indexed
//! patterns can cover a prefix of it, not on how many are indexed: a literal edge is one
//! map lookup and the other kinds are at most one edge each. The one exception is a node
//! with many globs that begin *and* end with `*` (`*a*`, `*b*`, …), which are tried one by
//! one.

use std::collections::{BTreeMap, HashSet};

use super::{Seg, Tok, UrlPattern, glob_includes};

/// One trie node: the edges leaving it and the first pattern that ends at it.
#[derive(Debug, Default)]
struct Node {
    /// Literal segments (no `*`), by their text.
    literal: BTreeMap<Box<str>, usize>,
    /// `*` or `{name}`.
    any: Option<usize>,
    /// `**`.
    multi: Option<usize>,
    /// Segments with a `*` inside them, such as `p-*`.
    globs: Option<Box<Globs>>,
    /// The id of the first pattern inserted that ends here.
    first: Option<usize>,
}

/// A node's glob edges, each stored as (tokens, child), grouped so that a query segment
/// needs to try only the globs that could include it.
#[derive(Debug, Default)]
struct Globs {
    /// By the literal text before the first `*` (when that is not empty).
    by_start: BTreeMap<String, Vec<(Vec<Tok>, usize)>>,
    /// By the literal text after the last `*`, reversed (when the start is empty).
    by_end: BTreeMap<String, Vec<(Vec<Tok>, usize)>>,
    /// Globs that begin and end with `*`.
    open: Vec<(Vec<Tok>, usize)>,
}

/// The literal characters before the first `*` of a segment's tokens.
fn start_of(toks: &[Tok]) -> String {
    toks.iter().map_while(|t| *t).collect()
}

/// The literal characters after the last `*` of a segment's tokens, last first.
fn end_of(toks: &[Tok]) -> String {
    toks.iter().rev().map_while(|t| *t).collect()
}

/// Every non-empty prefix of `s`, shortest first.
fn prefixes(s: &str) -> impl Iterator<Item = &str> {
    s.char_indices()
        .filter_map(move |(i, c)| s.get(..i + c.len_utf8()))
}

/// The text of a segment with no `*` in it, or `None`.
fn literal_text(seg: &Seg) -> Option<String> {
    match seg {
        Seg::Text(toks) => toks.iter().copied().collect(),
        _ => None,
    }
}

/// A set of URL patterns, each inserted with an id, that finds for a pattern the indexed
/// patterns covering it (see the module documentation).
///
/// Patterns with the same segments (`/a/{x}`, `/a/*/`) share a trie node, and only the
/// id inserted *first* for those segments is kept: all of them cover exactly the same
/// patterns, so the first is the one a first-match-wins search needs.
#[derive(Debug)]
pub(crate) struct CoverIndex {
    /// The trie; node 0 is the root (the pattern `/`).
    nodes: Vec<Node>,
}

impl Default for CoverIndex {
    fn default() -> Self {
        CoverIndex {
            nodes: vec![Node::default()],
        }
    }
}

impl CoverIndex {
    /// Adds `pattern` with `id`, unless a pattern with the same segments is already in.
    pub(crate) fn insert(&mut self, pattern: &UrlPattern, id: usize) {
        let mut v = 0;
        for seg in &pattern.segs {
            v = self.child(v, seg);
        }
        if let Some(node) = self.nodes.get_mut(v)
            && node.first.is_none()
        {
            node.first = Some(id);
        }
    }

    /// The child of node `v` along `seg`, created if needed.
    fn child(&mut self, v: usize, seg: &Seg) -> usize {
        let fresh = self.nodes.len();
        let Some(node) = self.nodes.get_mut(v) else {
            return 0; // unreachable: `v` always comes from this trie
        };
        let found = match seg {
            Seg::Multi => *node.multi.get_or_insert(fresh),
            Seg::Any(_) => *node.any.get_or_insert(fresh),
            Seg::Text(toks) => match literal_text(seg) {
                Some(text) => *node.literal.entry(text.into()).or_insert(fresh),
                None => {
                    let globs = node.globs.get_or_insert_with(Box::default);
                    let (start, end) = (start_of(toks), end_of(toks));
                    let group = if !start.is_empty() {
                        globs.by_start.entry(start).or_default()
                    } else if !end.is_empty() {
                        globs.by_end.entry(end).or_default()
                    } else {
                        &mut globs.open
                    };
                    match group.iter().find(|(t, _)| t == toks) {
                        Some(&(_, c)) => c,
                        None => {
                            group.push((toks.clone(), fresh));
                            fresh
                        }
                    }
                }
            },
        };
        if found == fresh {
            self.nodes.push(Node::default());
        }
        found
    }

    /// Appends to `out` the id of every indexed pattern that covers `pattern` (in no
    /// particular order, possibly repeated).
    pub(crate) fn covering(&self, pattern: &UrlPattern, out: &mut Vec<usize>) {
        let segs = &pattern.segs;
        let n = segs.len();
        let texts: Vec<Option<String>> = segs.iter().map(literal_text).collect();
        // Walk states: (node, how many of `pattern`'s segments are consumed).
        let mut seen: HashSet<(usize, usize)> = HashSet::new();
        let mut stack = vec![(0, 0)];
        let mut visit = |v: usize, j: usize, stack: &mut Vec<(usize, usize)>| {
            if seen.insert((v, j)) {
                stack.push((v, j));
            }
        };
        while let Some((v, j)) = stack.pop() {
            let Some(node) = self.nodes.get(v) else {
                continue;
            };
            if j == n
                && let Some(id) = node.first
            {
                out.push(id);
            }
            if let Some(m) = node.multi {
                for k in j..=n {
                    visit(m, k, &mut stack);
                }
            }
            let Some(seg) = segs.get(j) else {
                continue;
            };
            if matches!(seg, Seg::Multi) {
                continue; // only an indexed `**` covers a `**`
            }
            if let Some(a) = node.any {
                visit(a, j + 1, &mut stack);
            }
            let Seg::Text(toks) = seg else {
                continue;
            };
            if let Some(Some(text)) = texts.get(j)
                && let Some(&c) = node.literal.get(text.as_str())
            {
                visit(c, j + 1, &mut stack);
            }
            let Some(globs) = &node.globs else {
                continue;
            };
            let (start, end) = (start_of(toks), end_of(toks));
            let by_start = prefixes(&start).filter_map(|p| globs.by_start.get(p));
            let by_end = prefixes(&end).filter_map(|p| globs.by_end.get(p));
            for group in by_start.chain(by_end).chain([&globs.open]) {
                for (glob, c) in group {
                    if glob_includes(glob, toks) {
                        visit(*c, j + 1, &mut stack);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn p(s: &str) -> UrlPattern {
        UrlPattern::parse(s).unwrap_or_else(|e| panic!("{s}: {e:?}"))
    }

    /// A seeded xorshift: `next(n)` is in `0..n`.
    pub(crate) fn rng(mut state: u64) -> impl FnMut(usize) -> usize {
        move |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            usize::try_from(state % 1_000_003).unwrap_or(0) % n.max(1)
        }
    }

    /// A random pattern: literals, `{param}`, `*`, globs inside segments, `**` (never
    /// twice in a row), sometimes a trailing slash; `/` when it has no segments.
    pub(crate) fn random_pattern(next: &mut impl FnMut(usize) -> usize) -> String {
        const TEXTS: [&str; 12] = [
            "a", "b", "ab", "x", "p-*", "*.html", "a*", "*b", "a*b", "*a*", "*", "*-*",
        ];
        let mut s = String::new();
        let mut previous_multi = false;
        for k in 0..next(5) {
            s.push('/');
            match next(6) {
                0 if !previous_multi => {
                    s.push_str("**");
                    previous_multi = true;
                    continue;
                }
                1 => s.push_str(&format!("{{v{k}}}")),
                _ => s.push_str(TEXTS[next(TEXTS.len())]),
            }
            previous_multi = false;
        }
        if s.is_empty() || next(5) == 0 {
            s.push('/');
        }
        s
    }

    /// The index agrees with [`UrlPattern::covers`] on every pair of random patterns.
    #[test]
    fn agrees_with_covers_pairwise() {
        let mut next = rng(0x9e37_79b9_7f4a_7c15);
        let (mut yes, mut no) = (0, 0);
        for _ in 0..300 {
            let pats: Vec<UrlPattern> = (0..20).map(|_| p(&random_pattern(&mut next))).collect();
            for (i, a) in pats.iter().enumerate() {
                let mut index = CoverIndex::default();
                index.insert(a, i);
                for b in &pats {
                    let mut out = Vec::new();
                    index.covering(b, &mut out);
                    let covers = a.covers(b);
                    assert_eq!(
                        !out.is_empty(),
                        covers,
                        "{} covers {}: {covers}",
                        a.as_str(),
                        b.as_str()
                    );
                    if covers { yes += 1 } else { no += 1 }
                }
            }
        }
        assert!(
            yes > 5_000 && no > 5_000,
            "{yes} covering pairs, {no} others"
        );
    }

    #[test]
    fn examples() {
        let pats = [
            "/",
            "/**",
            "/a/**",
            "/{x}/b",
            "/*/b/",
            "/a/p-*",
            "/a/*.html",
            "/**/c",
            "/a",
        ];
        let mut index = CoverIndex::default();
        for (i, s) in pats.iter().enumerate() {
            index.insert(&p(s), i);
        }
        let covering = |s: &str| {
            let mut out = Vec::new();
            index.covering(&p(s), &mut out);
            out.sort_unstable();
            out.dedup();
            out
        };
        assert_eq!(covering("/"), [0, 1]);
        assert_eq!(covering("/a"), [1, 2, 8]);
        assert_eq!(covering("/a/b"), [1, 2, 3]); // `/*/b/` has the same segments as `/{x}/b`
        assert_eq!(covering("/a/p-1"), [1, 2, 5]);
        assert_eq!(covering("/a/p-*.html"), [1, 2, 5, 6]);
        assert_eq!(covering("/a/**/c"), [1, 2, 7]);
        assert_eq!(covering("/**"), [1]);
        assert_eq!(covering("/b/*"), [1]);
    }
}

//! URL path patterns used by pages in the configuration.
//!
//! A pattern is a URL *path* (what the browser exposes as `location.pathname`) made of
//! `/`-separated segments:
//!
//! | segment  | matches                                                                  |
//! |----------|--------------------------------------------------------------------------|
//! | `shop`   | exactly `shop` (case-sensitive, no percent-decoding: `%20` is not ` `)   |
//! | `{name}` | any one non-empty segment, captured as `name`                            |
//! | `*`      | any one non-empty segment (so `/blog/*` does not match `/blog/`)         |
//! | `item-*` | one segment; each `*` in it matches any run of characters, even empty    |
//! | `**`     | zero or more whole segments (`/docs/**` matches `/docs` and `/docs/a/b`) |
//!
//! Semantics chosen here:
//!
//! * **Trailing slash**: one trailing `/` is ignored, in patterns and in paths, so `/a`,
//!   `/a/` and the pattern `/a/` all mean the same page. `/` alone is the root and has no
//!   segments; it matches only the path `/`.
//! * **Empty segments**: patterns may not contain them (`/a//b` is an error). A path may
//!   (`/a//b` has an empty second segment); only `**` can match an empty segment.
//! * Query strings, fragments, whitespace and characters that browsers always
//!   percent-encode in paths are errors, with the encoded spelling as help. `**` may not
//!   follow `**` directly (one already matches any number of segments).
//!
//! [`UrlPattern::covers`] decides language inclusion exactly; see its documentation.
//! The crate-internal `CoverIndex` (in `trie`) answers the same question for many patterns at
//! once.

use std::collections::BTreeMap;
use std::fmt;

mod trie;

pub(crate) use trie::CoverIndex;

#[cfg(test)]
pub(crate) use trie::tests::{random_pattern, rng};

/// A token of a segment's text: `Some(c)` is a literal character, `None` is a `*`.
type Tok = Option<char>;

/// One parsed segment.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Seg {
    /// Literal text, possibly with `*`s; never empty and never just `*`.
    Text(Vec<Tok>),
    /// `*` (no name) or `{name}`: any one non-empty segment.
    Any(Option<String>),
    /// `**`: zero or more whole segments.
    Multi,
}

/// A parsed URL path pattern such as `/blog/{slug}` or `/docs/**`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UrlPattern {
    source: String,
    segs: Vec<Seg>,
}

/// Why a URL pattern could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError {
    /// Offset of the offending text, in characters (not bytes) from the pattern start.
    pub offset: usize,
    /// Length of the offending text, in characters (0 for an empty pattern).
    pub len: usize,
    /// What is wrong, e.g. ``query strings (`?…`) are not allowed``.
    pub message: String,
    /// What to type instead, usually including the corrected pattern.
    pub help: Option<String>,
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at character {})", self.message, self.offset)
    }
}

impl std::error::Error for PatternError {}

fn err(offset: usize, len: usize, message: impl Into<String>, help: String) -> PatternError {
    let message = message.into();
    PatternError {
        offset,
        len,
        message,
        help: Some(help),
    }
}

impl UrlPattern {
    /// Parses a pattern such as `/blog/{slug}`, `/p/item-*` or `/docs/**`.
    ///
    /// Errors carry the character offset and length of the offending text and a help
    /// line saying what to write instead. Never panics.
    pub fn parse(pattern: &str) -> Result<UrlPattern, PatternError> {
        let chars: Vec<char> = pattern.chars().collect();
        match chars.first() {
            None => {
                let help = "write `/` for the home page, or a path such as `/products`";
                return Err(err(0, 0, "URL pattern is empty", help.into()));
            }
            Some('/') => {}
            Some(_) => return Err(not_a_path(pattern, &chars)),
        }
        let mut parser = Parser {
            chars: &chars,
            names: Vec::new(),
        };
        parser.check_chars()?;
        let segs = parser.segments()?;
        Ok(UrlPattern {
            source: pattern.to_owned(),
            segs,
        })
    }

    /// The original pattern text, exactly as given to [`UrlPattern::parse`].
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// The `{name}` parameter names, in order of appearance.
    pub fn params(&self) -> Vec<&str> {
        self.segs
            .iter()
            .filter_map(|s| {
                if let Seg::Any(Some(n)) = s {
                    Some(n.as_str())
                } else {
                    None
                }
            })
            .collect()
    }

    /// Whether the pattern is one plain path: no `{parameter}`, no `*` or `**`.
    #[must_use]
    pub fn is_literal(&self) -> bool {
        self.segs
            .iter()
            .all(|s| matches!(s, Seg::Text(toks) if toks.iter().all(Option::is_some)))
    }

    /// A concrete path that this pattern matches, such as the offline verification
    /// harness loads: `{name}` becomes `params[name]` (or `sample-{name}` when it is absent
    /// or empty) percent-encoded by [`encode_component`], a whole-segment `*` and each `*`
    /// inside a segment become `x`, and `**` becomes `any/path`. A trailing `/` is kept.
    pub fn fill(&self, params: &BTreeMap<String, String>) -> String {
        let mut out = String::new();
        for seg in &self.segs {
            out.push('/');
            match seg {
                Seg::Text(toks) => out.extend(toks.iter().map(|t| t.unwrap_or('x'))),
                Seg::Any(None) => out.push('x'),
                Seg::Any(Some(name)) => match params.get(name).filter(|v| !v.is_empty()) {
                    Some(value) => out.push_str(&encode_component(value)),
                    None => out.push_str(&format!("sample-{name}")),
                },
                Seg::Multi => out.push_str("any/path"),
            }
        }
        if out.is_empty() || self.source.ends_with('/') {
            out.push('/');
        }
        out
    }

    /// Matches a URL path (like `location.pathname`; it must start with `/` and should not
    /// include `?query` or `#fragment`, which are treated as ordinary characters).
    ///
    /// Returns the `{name}` captures on a match (raw text, not percent-decoded). When `**`
    /// makes several alignments possible, the earliest `**` takes as many segments as it
    /// can, exactly like the JavaScript regex from [`UrlPattern::to_regex_source`].
    pub fn matches(&self, path: &str) -> Option<BTreeMap<String, String>> {
        let parts = path_segments(path)?;
        let n = parts.len();
        let step = |s: &Seg, j: usize| parts.get(j).is_some_and(|p| seg_matches(s, p));
        let dp = align(&self.segs, n, |s| *s == Seg::Multi, step);
        let ok = |i: usize, j: usize| dp.get(i * (n + 1) + j) == Some(&true);
        if !ok(0, 0) {
            return None;
        }
        let mut caps = BTreeMap::new();
        let (mut i, mut j) = (0, 0);
        while let Some(seg) = self.segs.get(i) {
            match seg {
                Seg::Multi if j < n && ok(i, j + 1) => j += 1,
                Seg::Multi => i += 1,
                _ => {
                    if let (Seg::Any(Some(name)), Some(p)) = (seg, parts.get(j)) {
                        caps.insert(name.clone(), (*p).to_owned());
                    }
                    i += 1;
                    j += 1;
                }
            }
        }
        Some(caps)
    }

    /// True if every path matched by `other` is also matched by `self`, so that if `self`
    /// belongs to an earlier page, `other` can never be reached under first-match-wins.
    ///
    /// `{name}` is treated as a whole-segment `*`. The check is exact (no false positives,
    /// no false negatives) for every pattern this module accepts, so there are no
    /// conservative cases: a `**` of `self` absorbs any run of `other`'s segments
    /// (including `**`); a `**` of `other` (which also matches empty segments and any
    /// number of them) can only be absorbed by a `**` of `self`; and single segments are
    /// compared by exact `*`-glob inclusion. Exactness relies on segment text being
    /// unbounded (any characters but `/`), so a fresh string always escapes a literal.
    pub fn covers(&self, other: &UrlPattern) -> bool {
        let step = |s: &Seg, j: usize| other.segs.get(j).is_some_and(|o| seg_covers(s, o));
        align(&self.segs, other.segs.len(), |s| *s == Seg::Multi, step).first() == Some(&true)
    }

    /// A JavaScript `RegExp` source matching exactly the paths [`UrlPattern::matches`]
    /// accepts, anchored with `^…$`, with `(?<name>[^\/]+)` groups for `{name}`.
    ///
    /// Every `/` is written `\/`, so the text works both in `new RegExp(…)` and between
    /// slashes as a regex literal, with or without the `u` flag.
    pub fn to_regex_source(&self) -> String {
        match self.segs.as_slice() {
            [] => return r"^\/$".to_owned(),
            [Seg::Multi] => return r"^\/[\s\S]*$".to_owned(),
            _ => {}
        }
        let mut out = String::from("^");
        for seg in &self.segs {
            match seg {
                Seg::Multi => out.push_str(r"(?:\/[^\/]*)*"),
                Seg::Any(None) => out.push_str(r"\/[^\/]+"),
                Seg::Any(Some(name)) => out.push_str(&format!(r"\/(?<{name}>[^\/]+)")),
                Seg::Text(toks) => {
                    out.push_str(r"\/");
                    for t in toks {
                        match t {
                            Some(c) if r"\^$.*+?()[]{}|/".contains(*c) => out.extend(['\\', *c]),
                            Some(c) => out.push(*c),
                            None => out.push_str(r"[^\/]*"),
                        }
                    }
                }
            }
        }
        out.push_str(r"\/?$");
        out
    }
}

/// The error for a non-empty pattern not starting with `/`.
fn not_a_path(pattern: &str, chars: &[char]) -> PatternError {
    if let Some(pos) = pattern.find("://") {
        let after = pattern.get(pos + 3..).unwrap_or("");
        let (path, host) = after.find('/').map_or(("/", after), |i| {
            (after.get(i..).unwrap_or("/"), after.get(..i).unwrap_or(""))
        });
        let len = pattern.get(..pos + 3).map_or(0, |s| s.chars().count()) + host.chars().count();
        let path = path.split(['?', '#']).next().unwrap_or("/");
        let message = "a URL pattern is a path, not a full URL";
        return err(0, len, message, format!("write only the path: `{path}`"));
    }
    let ws = chars.iter().take_while(|c| c.is_whitespace()).count();
    if ws > 0 {
        let rest: String = chars.iter().skip(ws).collect();
        return err(
            0,
            ws,
            "URL pattern starts with whitespace",
            format!("remove it: `{rest}`"),
        );
    }
    err(
        0,
        1,
        "URL pattern must start with `/`",
        format!("write `/{pattern}`"),
    )
}

/// Percent-encodes everything in `s` but ASCII letters, digits and `-._~` (the unreserved
/// characters of RFC 3986), so the result is one path segment or one query component.
pub fn encode_component(s: &str) -> String {
    let unreserved = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~');
    s.chars()
        .map(|c| {
            if unreserved(c) {
                c.to_string()
            } else {
                percent_encode(c)
            }
        })
        .collect()
}

/// The UTF-8 percent-encoding of `c`, e.g. `%20` for a space.
fn percent_encode(c: char) -> String {
    let mut buf = [0u8; 4];
    c.encode_utf8(&mut buf)
        .bytes()
        .map(|b| format!("%{b:02X}"))
        .collect()
}

/// Parsing state for one pattern that starts with `/`.
struct Parser<'a> {
    chars: &'a [char],
    names: Vec<String>,
}

impl Parser<'_> {
    /// An error whose help shows the pattern with `len` chars at `at` replaced by `with`.
    fn fix(&self, at: usize, len: usize, with: &str, msg: &str, advice: &str) -> PatternError {
        let mut fixed: String = self.chars.iter().take(at).collect();
        fixed.push_str(with);
        fixed.extend(self.chars.iter().skip(at + len));
        err(at, len, msg, format!("{advice}: `{fixed}`"))
    }

    /// Character-level checks: query, fragment, whitespace, characters browsers encode.
    fn check_chars(&self) -> Result<(), PatternError> {
        let chars = self.chars;
        let mut i = 0;
        while let Some(&c) = chars.get(i) {
            let rest = chars.len() - i;
            let hex = |k: usize| chars.get(k).is_some_and(char::is_ascii_hexdigit);
            let only_path = "remove it (patterns match only the path)";
            return Err(match c {
                '?' => self.fix(
                    i,
                    rest,
                    "",
                    "query strings (`?…`) are not allowed",
                    only_path,
                ),
                '#' => self.fix(i, rest, "", "fragments (`#…`) are not allowed", only_path),
                '\\' => self.fix(i, 1, "/", "backslashes are not allowed", "use `/` instead"),
                '%' if hex(i + 1) && hex(i + 2) => {
                    i += 3;
                    continue;
                }
                '%' => {
                    let msg = "`%` must start a percent-encoded byte such as `%2F`";
                    self.fix(i, 1, "%25", msg, "write `%25` for a literal `%`")
                }
                c if c.is_whitespace() && chars.iter().skip(i).all(|c| c.is_whitespace()) => {
                    self.fix(i, rest, "", "URL pattern ends with whitespace", "remove it")
                }
                c if c.is_whitespace()
                    || c.is_control()
                    || !c.is_ascii()
                    || matches!(c, '"' | '<' | '>' | '`') =>
                {
                    let enc = percent_encode(c);
                    let what = match c.is_whitespace() {
                        true => "whitespace".to_owned(),
                        false => format!("`{}`", c.escape_debug()),
                    };
                    let msg = format!("{what} is not allowed (browsers percent-encode it)");
                    self.fix(i, 1, &enc, &msg, &format!("write `{enc}` instead"))
                }
                _ => {
                    i += 1;
                    continue;
                }
            });
        }
        Ok(())
    }

    /// Splits the pattern into segments, ignoring one trailing `/`.
    fn segments(&mut self) -> Result<Vec<Seg>, PatternError> {
        let chars = self.chars;
        let mut segs: Vec<Seg> = Vec::new();
        if chars.len() <= 1 {
            return Ok(segs);
        }
        let end = chars.len() - usize::from(chars.last() == Some(&'/'));
        let mut start = 1;
        loop {
            let stop = (start..end)
                .find(|&k| chars.get(k) == Some(&'/'))
                .unwrap_or(end);
            let seg = chars.get(start..stop).unwrap_or(&[]);
            if seg.is_empty() {
                let msg = "empty path segment (`//`)";
                return Err(self.fix(start, 1, "", msg, "remove the extra `/`"));
            }
            let parsed = self.segment(start, seg, segs.last())?;
            segs.push(parsed);
            if stop >= end {
                return Ok(segs);
            }
            start = stop + 1;
        }
    }

    /// Parses one non-empty segment `seg` found at character offset `off`.
    fn segment(
        &mut self,
        off: usize,
        seg: &[char],
        prev: Option<&Seg>,
    ) -> Result<Seg, PatternError> {
        if seg.iter().any(|c| matches!(c, '{' | '}')) {
            return self.param(off, seg);
        }
        if seg == ['*', '*'] {
            if prev == Some(&Seg::Multi) {
                let msg = "repeated `**`: one `**` already matches any number of segments";
                return Err(self.fix(off - 1, 3, "", msg, "remove the second one"));
            }
            return Ok(Seg::Multi);
        }
        if let Some(k) = seg.windows(2).position(|w| w == ['*', '*']) {
            let run = seg.iter().skip(k).take_while(|&&c| c == '*').count();
            let (msg, with) = match run == seg.len() {
                true => (
                    "too many `*`: use `*` for one segment, `**` for any number",
                    "**",
                ),
                false => ("`**` must be a whole path segment", "*"),
            };
            return Err(self.fix(off + k, run, with, msg, &format!("write `{with}` instead")));
        }
        Ok(match seg {
            ['*'] => Seg::Any(None),
            _ => Seg::Text(seg.iter().map(|&c| (c != '*').then_some(c)).collect()),
        })
    }

    /// Parses a segment containing `{` or `}`: a `{name}` parameter, or an error.
    fn param(&mut self, off: usize, seg: &[char]) -> Result<Seg, PatternError> {
        let n = seg.len();
        let braces = seg.iter().filter(|c| matches!(c, '{' | '}')).count();
        if n >= 2 && seg.first() == Some(&'{') && seg.last() == Some(&'}') && braces == 2 {
            let name: String = seg.iter().skip(1).take(n - 2).collect();
            let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
            if name.is_empty() {
                return Err(self.fix(off, n, "{id}", "parameter name is empty", "name it"));
            }
            if name.starts_with(|c: char| c.is_ascii_digit()) || !name.chars().all(word) {
                let mut fixed: String = name
                    .chars()
                    .map(|c| if word(c) { c } else { '_' })
                    .collect();
                if fixed.starts_with(|c: char| c.is_ascii_digit()) {
                    fixed.insert(0, '_');
                }
                let msg = format!("invalid parameter name `{name}`: use `[A-Za-z_][A-Za-z0-9_]*`");
                let advice = format!("write `{{{fixed}}}`");
                return Err(self.fix(off + 1, n - 2, &fixed, &msg, &advice));
            }
            if self.names.contains(&name) {
                let fresh = (2..)
                    .map(|k| format!("{name}{k}"))
                    .find(|c| !self.names.contains(c));
                let fresh = format!("{{{}}}", fresh.unwrap_or_default());
                let msg = format!("parameter `{{{name}}}` appears twice in this pattern");
                return Err(self.fix(off, n, &fresh, &msg, "rename the second one"));
            }
            self.names.push(name.clone());
            return Ok(Seg::Any(Some(name)));
        }
        let first = seg.iter().position(|c| matches!(c, '{' | '}')).unwrap_or(0);
        let next = (first + 1..n).find(|&k| matches!(seg.get(k), Some('{' | '}')));
        if seg.get(first) == Some(&'{')
            && let Some(close) = next.filter(|&k| seg.get(k) == Some(&'}'))
        {
            let len = close - first + 1;
            let star_near = first.checked_sub(1).and_then(|k| seg.get(k)) == Some(&'*')
                || seg.get(close + 1) == Some(&'*');
            let span: String = seg.iter().skip(first).take(len).collect();
            let msg = format!("`{span}` must be a whole path segment");
            let advice = "give it its own segment, or use `*` to match part of a segment";
            return Err(self.fix(
                off + first,
                len,
                if star_near { "" } else { "*" },
                &msg,
                advice,
            ));
        }
        let (c, enc) = if seg.get(first) == Some(&'{') {
            ('{', "%7B")
        } else {
            ('}', "%7D")
        };
        let advice = format!("write a whole segment `{{name}}`, or `{enc}` for a literal `{c}`");
        Err(self.fix(off + first, 1, enc, &format!("unmatched `{c}`"), &advice))
    }
}

/// Splits a path into segments, ignoring one trailing `/`; `None` if it lacks the leading `/`.
fn path_segments(path: &str) -> Option<Vec<&str>> {
    let rest = path.strip_prefix('/')?;
    if rest.is_empty() {
        return Some(Vec::new());
    }
    Some(rest.strip_suffix('/').unwrap_or(rest).split('/').collect())
}

/// Wildcard alignment table: `dp[i * (n + 1) + j]` is whether `pat[i..]` covers items
/// `j..n`. A star (per `is_star`) absorbs any run of items; any other element must cover
/// exactly one item, as decided by `step(element, item index)`.
fn align<P>(
    pat: &[P],
    n: usize,
    is_star: impl Fn(&P) -> bool,
    step: impl Fn(&P, usize) -> bool,
) -> Vec<bool> {
    let w = n + 1;
    let mut dp = vec![false; (pat.len() + 1) * w];
    if let Some(last) = dp.last_mut() {
        *last = true;
    }
    for (i, p) in pat.iter().enumerate().rev() {
        for j in (0..w).rev() {
            let at = |i: usize, j: usize| dp.get(i * w + j) == Some(&true);
            let v = match is_star(p) {
                true => at(i + 1, j) || (j < n && at(i, j + 1)),
                false => j < n && at(i + 1, j + 1) && step(p, j),
            };
            if let Some(cell) = dp.get_mut(i * w + j) {
                *cell = v;
            }
        }
    }
    dp
}

/// Whether every string matched by glob `sub` is matched by glob `pat` (`None` = `*`).
/// Exact: `pat`'s `*` may absorb `sub`'s `*`, but a literal of `pat` never matches one.
fn glob_includes(pat: &[Tok], sub: &[Tok]) -> bool {
    let step = |t: &Tok, j: usize| t.is_some() && sub.get(j) == Some(t);
    align(pat, sub.len(), Option::is_none, step).first() == Some(&true)
}

/// Whether the non-`**` segment `seg` matches the path segment `s`.
fn seg_matches(seg: &Seg, s: &str) -> bool {
    match seg {
        Seg::Text(toks) => glob_includes(toks, &s.chars().map(Some).collect::<Vec<_>>()),
        Seg::Any(_) => !s.is_empty(),
        Seg::Multi => false,
    }
}

/// Whether the non-`**` segment `s` matches everything segment `o` matches. Text
/// segments are never empty, so `*` covers them.
fn seg_covers(s: &Seg, o: &Seg) -> bool {
    match (s, o) {
        (Seg::Multi, _) | (_, Seg::Multi) => false,
        (Seg::Any(_), _) => true,
        (Seg::Text(_), Seg::Any(_)) => false,
        (Seg::Text(a), Seg::Text(b)) => glob_includes(a, b),
    }
}

/// The first page whose patterns match `path` (the runtime's rule, and `tagc verify`'s and
/// `tagc scan`'s: pages in configuration order, the first match wins), by index.
pub fn first_match<'a, P>(pages: impl IntoIterator<Item = P>, path: &str) -> Option<usize>
where
    P: IntoIterator<Item = &'a UrlPattern>,
{
    pages
        .into_iter()
        .position(|ps| ps.into_iter().any(|p| p.matches(path).is_some()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_match_is_the_first_page_whose_pattern_matches() {
        let p = |s: &str| UrlPattern::parse(s).unwrap_or_else(|e| panic!("{e}"));
        let pages = [vec![p("/a")], vec![p("/b"), p("/*")], vec![p("/c")]];
        assert_eq!(first_match(&pages, "/a"), Some(0));
        assert_eq!(first_match(&pages, "/c"), Some(1));
        assert_eq!(first_match(&pages, "/"), None);
        assert_eq!(first_match(&pages[..1], "/x"), None);
    }

    #[test]
    fn literal_patterns_are_one_path() {
        for (p, literal) in [
            ("/", true),
            ("/pricing", true),
            ("/a/b/", true),
            ("/p/{slug}", false),
            ("/blog/*", false),
            ("/p-*", false),
            ("/docs/**", false),
        ] {
            assert_eq!(UrlPattern::parse(p).unwrap().is_literal(), literal, "{p}");
        }
    }

    fn p(s: &str) -> UrlPattern {
        UrlPattern::parse(s).unwrap_or_else(|e| panic!("{s}: {e:?}"))
    }

    /// Pairs `a b` separated by `;` (whitespace-free patterns and paths).
    fn pairs(table: &str) -> Vec<(&str, &str)> {
        table
            .split(';')
            .filter_map(|s| s.trim().split_once(' '))
            .collect()
    }

    #[test]
    fn parse_errors_have_offsets_and_help() {
        // (pattern, offset, len, message fragment, help fragment)
        let cases: &[(&str, usize, usize, &str, &str)] = &[
            ("", 0, 0, "empty", "`/`"),
            ("blog", 0, 1, "start with `/`", "`/blog`"),
            ("https://x.com/a/b?q", 0, 13, "full URL", "`/a/b`"),
            ("https://x.com", 0, 13, "full URL", "`/`"),
            ("  /a", 0, 2, "starts with whitespace", "`/a`"),
            ("/a?x=1", 2, 4, "query", "`/a`"),
            ("/a/#top", 3, 4, "fragment", "`/a/`"),
            ("/a b", 2, 1, "whitespace", "`/a%20b`"),
            ("/a\tb", 2, 1, "whitespace", "`/a%09b`"),
            ("/a ", 2, 1, "ends with whitespace", "`/a`"),
            ("/caf\u{e9}", 4, 1, "not allowed", "`/caf%C3%A9`"),
            ("/\u{e9}/x?", 1, 1, "not allowed", "%C3%A9"),
            ("/a\"b", 2, 1, "not allowed", "`/a%22b`"),
            ("/a<b>", 2, 1, "not allowed", "`/a%3Cb>`"),
            ("/a\\b", 2, 1, "backslash", "`/a/b`"),
            ("/100%", 4, 1, "percent-encoded", "`/100%25`"),
            ("/a%zz", 2, 1, "percent-encoded", "`/a%25zz`"),
            ("//", 1, 1, "empty path segment", "`/`"),
            ("/a//b", 3, 1, "empty path segment", "`/a/b`"),
            ("/a//", 3, 1, "empty path segment", "`/a/`"),
            ("/a**", 2, 2, "whole path segment", "`/a*`"),
            ("/**.html", 1, 2, "whole path segment", "`/*.html`"),
            ("/x/***", 3, 3, "too many", "`/x/**`"),
            ("/**/**", 3, 3, "repeated `**`", "`/**`"),
            ("/a/**/**/b", 5, 3, "repeated `**`", "`/a/**/b`"),
            ("/{}", 1, 2, "name is empty", "`/{id}`"),
            ("/{1a}", 2, 2, "invalid parameter name", "`/{_1a}`"),
            ("/{my-id}/x", 2, 5, "invalid parameter name", "`/{my_id}/x`"),
            ("/{id}/{id}", 6, 4, "appears twice", "`/{id}/{id2}`"),
            ("/{a}/{a2}/{a}", 10, 3, "appears twice", "`/{a}/{a2}/{a3}`"),
            ("/item-{id}", 6, 4, "whole path segment", "`/item-*`"),
            ("/{id}.html", 1, 4, "whole path segment", "`/*.html`"),
            ("/*{id}", 2, 4, "whole path segment", "`/*`"),
            ("/{id", 1, 1, "unmatched `{`", "`/%7Bid`"),
            ("/a}", 2, 1, "unmatched `}`", "`/a%7D`"),
            ("/{a{b}}", 1, 1, "unmatched `{`", "%7B"),
        ];
        for &(pat, offset, len, msg, help) in cases {
            let got = UrlPattern::parse(pat)
                .err()
                .unwrap_or_else(|| panic!("{pat} parsed"));
            assert_eq!((got.offset, got.len), (offset, len), "{pat}: {got:?}");
            assert!(got.message.contains(msg), "{pat}: {got:?}");
            assert!(
                got.help.as_deref().is_some_and(|h| h.contains(help)),
                "{pat}: {got:?}"
            );
        }
        let shown = UrlPattern::parse("/a b").err().map(|e| e.to_string());
        let want = "whitespace is not allowed (browsers percent-encode it) (at character 2)";
        assert_eq!(shown.as_deref(), Some(want));
    }

    #[test]
    fn parse_accepts_valid_patterns() {
        let ok =
            "/ /a/ /a%20b/%2F /* /** /a/**/b /p/item-* /*.html /*a*b* /{x}/{_y2} /a|b^c$ /~a.b";
        for pat in ok.split(' ') {
            assert_eq!(p(pat).as_str(), pat);
        }
        assert_eq!(p("/u/{id}/p/{post_id}/**").params(), vec!["id", "post_id"]);
        assert!(p("/a/*").params().is_empty());
        assert_eq!(
            p("/a/"),
            UrlPattern {
                source: "/a/".into(),
                segs: p("/a").segs
            }
        );
    }

    #[test]
    fn matching() {
        let yes = "/ /; /a /a; /a /a/; /a/ /a; /blog/* /blog/x; /p/item-* /p/item-;
            /p/item-* /p/item-42; /*.html /index.html; /*.html /.html; /*a*b* /ab; /a.b /a.b;
            /docs/** /docs; /docs/** /docs/; /docs/** /docs/a/b; /docs/** /docs//;
            /a/**/c /a/c; /a/**/c /a/b/b/c; /** /; /** //x//; /a%20b /a%20b";
        for (pat, path) in pairs(yes) {
            assert!(p(pat).matches(path).is_some(), "{pat} should match {path}");
        }
        let no = "/ /a; / //; /a a; /a /A; /a /a//; /a /a/b; /blog/* /blog/; /blog/* /blog;
            /checkout/* /checkout/step/2; /p/item-* /p/item; /*.html /a/b.html; /docs/** /doc;
            /a/**/c /a/c/d; /{x} //; /a.b /axb; /a%20b /a%2520b";
        for (pat, path) in pairs(no) {
            assert!(
                p(pat).matches(path).is_none(),
                "{pat} should not match {path}"
            );
        }
        assert!(p("/a").matches("").is_none());
        assert!(p("/a%20b").matches("/a b").is_none());
    }

    fn caps(pairs: &[(&str, &str)]) -> Option<BTreeMap<String, String>> {
        Some(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    #[test]
    fn captures() {
        let m = p("/u/{id}/p/{post}").matches("/u/7/p/hello%20x/");
        assert_eq!(m, caps(&[("id", "7"), ("post", "hello%20x")]));
        assert_eq!(p("/a/*").matches("/a/b"), caps(&[]));
        // The first `**` is greedy, as in the generated regex.
        assert_eq!(p("/**/{x}/**").matches("/a/b/c"), caps(&[("x", "c")]));
        assert_eq!(
            p("/**/{x}/{y}").matches("/a/b/c/"),
            caps(&[("x", "b"), ("y", "c")])
        );
        assert_eq!(
            p("/{x}/**/{y}").matches("/a/b/c/d"),
            caps(&[("x", "a"), ("y", "d")])
        );
        assert_eq!(p("/{x}/**").matches("/a"), caps(&[("x", "a")]));
    }

    #[test]
    fn covers() {
        let yes = "/** /; /** /a/**/b; /** /**; /blog/* /blog/{slug}; /blog/{slug} /blog/*;
            /blog/* /blog/post-*; /a/** /a; /a/** /a/b/c; /a/** /a/**; /a/** /a/*/**/c;
            /p/item-* /p/item-1; /x/*.html /x/a*.html; /x/*.html /x/*a.html; /*a* /x*a*y;
            /*a*b* /*ab*; / /; /a/ /a; /**/c /a/**/c; /*/** /x/**; /**/x/** /a/x*/x/b;
            /*/*.html /{a}/x.html; /a*b /ab";
        for (a, b) in pairs(yes) {
            assert!(p(a).covers(&p(b)), "{a} should cover {b}");
        }
        let no = "/blog/* /blog/**; /blog/* /blog; /a/*/c /a/**/c; /p/item-* /p/*;
            /p/item-* /p/{id}; /x/a*.html /x/*.html; /*a*b* /*b*a*; /*a /a*; / /**; / /a;
            /a / ; /a /a/*; /a/b /a/*; /a/* /a/b/c; /*/** /**; /**/x /a/**; /a* /ab*c/d;
            /a*b /a; /*ab* /*a*b*";
        for (a, b) in pairs(no) {
            assert!(!p(a).covers(&p(b)), "{a} should not cover {b}");
        }
    }

    #[test]
    fn regex_source() {
        let cases: &[(&str, &str)] = &[
            ("/", r"^\/$"),
            ("/**", r"^\/[\s\S]*$"),
            ("/blog/{slug}", r"^\/blog\/(?<slug>[^\/]+)\/?$"),
            ("/p/item-*", r"^\/p\/item-[^\/]*\/?$"),
            ("/a/*/", r"^\/a\/[^\/]+\/?$"),
            ("/docs/**", r"^\/docs(?:\/[^\/]*)*\/?$"),
            ("/**/x.html", r"^(?:\/[^\/]*)*\/x\.html\/?$"),
            ("/a+b/(c)|$/[^]", r"^\/a\+b\/\(c\)\|\$\/\[\^\]\/?$"),
        ];
        for &(pat, re) in cases {
            assert_eq!(p(pat).to_regex_source(), re, "{pat}");
        }
    }

    #[test]
    fn fill_makes_a_concrete_path() {
        let params = BTreeMap::from([
            ("slug".to_owned(), "año 2/3".to_owned()),
            ("empty".to_owned(), String::new()),
        ]);
        let cases = [
            ("/", "/"),
            ("/a/", "/a/"),
            ("/blog/{slug}", "/blog/a%C3%B1o%202%2F3"),
            ("/u/{id}/{empty}", "/u/sample-id/sample-empty"),
            ("/p/item-*/*", "/p/item-x/x"),
            ("/*a*b*", "/xaxbx"),
            ("/docs/**", "/docs/any/path"),
            ("/**/", "/any/path/"),
            ("/a%20b/x.html", "/a%20b/x.html"),
        ];
        for (pattern, want) in cases {
            assert_eq!(p(pattern).fill(&params), want, "{pattern}");
        }
        assert_eq!(encode_component("a-_.~Z9 /?é"), "a-_.~Z9%20%2F%3F%C3%A9");
    }

    /// Many generated patterns, each filled with generated values: the pattern matches
    /// its filled path, and captures the planted values (percent-encoded).
    #[test]
    fn every_pattern_matches_its_filled_path() {
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            usize::try_from(state % 1_000_003).unwrap_or(0) % n
        };
        let texts = [
            "shop", "a.b", "item-*", "*.html", "*a*b*", "x%20y", "~u", "a|b$",
        ];
        let values = ["", "x", "two words", "a/b", "ñandú", "%41", "?#&="];
        for _ in 0..5_000 {
            let (mut pattern, mut params) = (String::new(), BTreeMap::new());
            let mut previous_multi = false;
            for k in 0..next(6) {
                let multi = !previous_multi && next(5) == 0;
                pattern.push('/');
                pattern.push_str(&match (multi, next(4)) {
                    (true, _) => "**".to_owned(),
                    (false, 0) => "*".to_owned(),
                    (false, 1) => {
                        let name = format!("p{k}");
                        if next(3) > 0 {
                            params.insert(name.clone(), values[next(values.len())].to_owned());
                        }
                        format!("{{{name}}}")
                    }
                    _ => texts[next(texts.len())].to_owned(),
                });
                previous_multi = multi;
            }
            if pattern.is_empty() || next(4) == 0 {
                pattern.push('/');
            }
            let pat = p(&pattern);
            let path = pat.fill(&params);
            let caps = pat.matches(&path);
            assert!(caps.is_some(), "{pattern} does not match {path}");
            if pattern.contains("**") {
                continue; // a greedy `**` may align the captures differently
            }
            let planted: BTreeMap<String, String> = pat
                .params()
                .into_iter()
                .map(|name| {
                    let value = params.get(name).filter(|v| !v.is_empty());
                    let value =
                        value.map_or_else(|| format!("sample-{name}"), |v| encode_component(v));
                    (name.to_owned(), value)
                })
                .collect();
            assert_eq!(caps, Some(planted), "{pattern} → {path}");
        }
    }
}

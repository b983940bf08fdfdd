//! First-match-wins routing of concrete paths to a site's pages.

use crate::resolve::ResolvedPage;
use crate::urlpattern::UrlPattern;

/// First-match-wins routing of concrete paths to pages, indexed by the first path segment
/// so that a site with thousands of pages is not matched pattern by pattern.
#[derive(Debug, Default)]
pub struct Router {
    ids: Vec<String>,
    patterns: Vec<Vec<UrlPattern>>,
    /// Pages with a pattern whose first segment is this literal text, ascending.
    by_first: std::collections::HashMap<String, Vec<usize>>,
    /// Pages with a pattern whose first segment has a wildcard or parameter, ascending.
    wild: Vec<usize>,
}

fn first_segment(path: &str) -> &str {
    let p = path.strip_prefix('/').unwrap_or(path);
    p.split('/').next().unwrap_or_default()
}

impl Router {
    /// The router of a site's pages, in order.
    #[must_use]
    pub fn new(pages: &[ResolvedPage]) -> Router {
        let mut r = Router::default();
        for (i, page) in pages.iter().enumerate() {
            r.ids.push(page.id.clone());
            let mut parsed = Vec::new();
            let (mut literal, mut wild) = (Vec::new(), false);
            for u in &page.url {
                let Ok(p) = UrlPattern::parse(&u.pattern) else {
                    continue;
                };
                let first = first_segment(&u.pattern);
                if first.contains(['{', '*']) {
                    wild = true;
                } else {
                    literal.push(first.to_owned());
                }
                parsed.push(p);
            }
            r.patterns.push(parsed);
            if wild {
                r.wild.push(i);
            }
            literal.sort();
            literal.dedup();
            for l in literal {
                r.by_first.entry(l).or_default().push(i);
            }
        }
        r
    }

    /// The first page (by index) whose patterns match `path`.
    #[must_use]
    pub fn first_match(&self, path: &str) -> Option<usize> {
        let empty = Vec::new();
        let literal = self.by_first.get(first_segment(path)).unwrap_or(&empty);
        let mut candidates: Vec<usize> = literal.iter().chain(&self.wild).copied().collect();
        candidates.sort_unstable();
        candidates.dedup();
        candidates.into_iter().find(|&i| {
            self.patterns
                .get(i)
                .is_some_and(|ps| ps.iter().any(|p| p.matches(path).is_some()))
        })
    }

    /// The id of page `i`.
    #[must_use]
    pub fn id(&self, i: usize) -> &str {
        self.ids.get(i).map_or("", String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_router_finds_the_first_matching_page_by_index() {
        let page = |id: &str, urls: &[&str]| ResolvedPage {
            id: id.into(),
            url: urls
                .iter()
                .map(|u| crate::resolve::ResolvedPattern {
                    pattern: (*u).into(),
                    regex: String::new(),
                })
                .collect(),
            on_load: Vec::new(),
            buttons: Vec::new(),
            origin: crate::source::Span::default(),
            on_load_origins: Vec::new(),
            verify: crate::model::PageVerify::default(),
        };
        let pages = [
            page("home", &["/"]),
            page("any", &["/{lang}/about"]),
            page("shop", &["/shop/{slug}", "/en/about"]),
        ];
        let r = Router::new(&pages);
        assert_eq!(r.first_match("/"), Some(0));
        assert_eq!(r.first_match("/shop/x"), Some(2));
        assert_eq!(
            r.first_match("/en/about"),
            Some(1),
            "the wildcard page comes first"
        );
        assert_eq!(r.first_match("/nowhere"), None);
        assert_eq!(r.id(2), "shop");
    }
}

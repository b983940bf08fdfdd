//! Concrete harness paths from URL patterns.

use std::collections::BTreeMap;

use crate::urlpattern::UrlPattern;

pub(super) use crate::urlpattern::encode_component as encode;

/// The path the harness loads for `pattern`: see [`UrlPattern::fill`]. A pattern that does
/// not parse (`tagc check` rejects those) is returned as it is, and then routes nowhere.
pub(super) fn fill(pattern: &str, params: &BTreeMap<String, String>) -> String {
    UrlPattern::parse(pattern).map_or_else(|_| pattern.to_owned(), |p| p.fill(params))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_patterns_are_filled() {
        let p = BTreeMap::from([("edition".to_owned(), "sample edition".to_owned())]);
        assert_eq!(
            fill("/congreso/{edition}", &p),
            "/congreso/sample%20edition"
        );
        assert_eq!(fill("/s/**", &p), "/s/any/path");
        assert_eq!(fill("/p-*", &p), "/p-x");
        assert_eq!(fill("/c/{slug}", &p), "/c/sample-slug");
    }
}

//! Concrete harness paths from URL patterns.

use std::collections::BTreeMap;

/// Replaces `{name}` with planted values, `**` with two segments and `*` with one letter.
pub(super) fn fill(pattern: &str, params: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    let mut rest = pattern;
    while let Some(c) = rest.chars().next() {
        if rest.starts_with("**") {
            out.push_str("any/path");
            rest = &rest[2..];
        } else if c == '*' {
            out.push('x');
            rest = &rest[1..];
        } else if c == '{' {
            let end = rest.find('}').unwrap_or(rest.len() - 1);
            let name = &rest[1..end];
            out.push_str(&encode(
                params
                    .get(name)
                    .map_or_else(|| format!("sample-{name}"), Clone::clone)
                    .as_str(),
            ));
            rest = &rest[end + 1..];
        } else {
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    if out.is_empty() { "/".to_owned() } else { out }
}

/// Percent-encodes everything but unreserved characters.
pub(super) fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
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

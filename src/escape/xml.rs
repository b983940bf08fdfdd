//! XML 1.0 text and attribute values (the JUnit report).
//!
//! The five markup characters become entities. Characters XML 1.0 cannot carry at all
//! (control characters other than tab and line breaks, U+FFFE, U+FFFF) and the
//! bidirectional overrides are made visible as `\u{…}` escapes first
//! ([`super::terminal::visible_keep_newlines`]); in attributes `\n` becomes `&#10;` so it
//! survives attribute-value normalisation.

use std::fmt::Write as _;

/// Escapes element text content.
#[must_use]
pub fn text(s: &str) -> String {
    escape(s, false)
}

/// Escapes an attribute value (written between double or single quotes).
#[must_use]
pub fn attr(s: &str) -> String {
    escape(s, true)
}

fn escape(s: &str, in_attr: bool) -> String {
    let clean = super::terminal::visible_keep_newlines(s);
    let mut out = String::with_capacity(clean.len());
    for c in clean.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' if in_attr => out.push_str("&#10;"),
            // Not characters in XML 1.0 (the control characters are already escaped).
            '\u{FFFE}' | '\u{FFFF}' => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_forbidden_characters() {
        assert_eq!(
            text("</testcase><script>&'\""),
            "&lt;/testcase&gt;&lt;script&gt;&amp;&apos;&quot;"
        );
        assert_eq!(
            text("a\u{0}b\u{8}c\u{b}\u{ffff}"),
            "a\\u{0}b\\u{8}c\\u{b}\\u{ffff}"
        );
        assert_eq!(text("a\nb"), "a\nb");
        assert_eq!(attr("a\nb\tc"), "a&#10;b\\tc");
    }

    #[test]
    fn hostile_text_cannot_close_a_section() {
        assert_eq!(text("]]><x/>"), "]]&gt;&lt;x/&gt;");
        assert_eq!(attr("\" onload=\"x"), "&quot; onload=&quot;x");
        assert_eq!(text("%0A::error::x"), "%0A::error::x");
        assert_eq!(text("a|b"), "a|b");
    }
}

//! JavaScript and HTML: the one place where configuration strings are made safe for the
//! generated snippets (and the `tagc verify` harness pages).
//!
//! Generated snippets put configuration text (button labels, parameter values, selectors,
//! pixel ids) inside `<script>` elements and HTML attributes. Every such string goes
//! through a function here; templates never place a raw string.
//!
//! * [`js`] — a JSON value as a JavaScript expression that is also inert inside an HTML
//!   `<script>` element: `<`, `>`, `&`, `'`, U+2028 and U+2029 become `\uXXXX` escapes, so
//!   `</script>`, `<!--` and `<script` cannot appear, and the text is the same data in an
//!   inline script and in an external `.js` file.
//! * [`html_attr`] — text for a double-quoted HTML attribute value.
//! * [`placeholder_attr`] — a server-side template placeholder (the CSP nonce) for a
//!   double-quoted attribute: kept verbatim so the site's template engine still sees it.
//! * [`comment`] — text for inside an HTML comment or a JavaScript `/* */` comment (cannot
//!   close either, open a tag, or end the line).

use serde::Serialize;

/// Serializes `value` as compact JSON escaped for an HTML `<script>` element.
///
/// # Errors
/// Only if `value` cannot be serialized (a map with non-string keys), which no tagc type
/// produces.
pub fn js<T: Serialize + ?Sized>(value: &T) -> Result<String, serde_json::Error> {
    Ok(script_safe(&serde_json::to_string(value)?))
}

/// Escapes the characters that could end a `<script>` element or a JavaScript line
/// inside JSON text. The characters replaced only ever occur inside JSON strings, where
/// `\uXXXX` means the same character, so the data is unchanged.
#[must_use]
pub fn script_safe(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\'' => out.push_str("\\u0027"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes text for a double-quoted (or single-quoted) HTML attribute value.
#[must_use]
pub fn html_attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A server-side template placeholder such as `<%= nonce %>` or `{{ csp_nonce('script') }}`
/// for a double-quoted HTML attribute value. Unlike [`html_attr`] it keeps `<`, `>`, `&` and
/// `'` as they are, or the site's template engine would no longer find its placeholder;
/// inside double quotes only `"` can end the value, so that (and any control character)
/// is all it replaces. `tagc` refuses such placeholders on the command line.
#[must_use]
pub fn placeholder_attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("&quot;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Whether `s` can be a placeholder for [`placeholder_attr`] unchanged: not empty, no `"`,
/// no control character.
#[must_use]
pub fn is_verbatim_placeholder(s: &str) -> bool {
    !s.is_empty() && !s.chars().any(|c| c == '"' || c.is_control())
}

/// Makes text safe inside a comment of either kind the templates write: an HTML comment
/// (no `--`, which could end it, no `<` or `>`) and a JavaScript block comment (no `*/`,
/// which would end it and run what follows as code). No line breaks either.
#[must_use]
pub fn comment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' | '>' => out.push('_'),
            '-' if out.ends_with('-') => out.push('_'),
            '/' if out.ends_with('*') => out.push('_'),
            c if c.is_control() || c == '\u{2028}' || c == '\u{2029}' => out.push(' '),
            c => out.push(c),
        }
    }
    // Nor can the template's own next character complete one.
    if out.ends_with('-') || out.ends_with('*') {
        out.push('_');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE: &str =
        "</script><script>alert(1)</script> 'q' \"dq\" \\ & \u{2028}|\u{2029} <!-- -->";

    #[test]
    fn js_is_inert_in_a_script_element() {
        let out = js(&serde_json::json!({ "label": HOSTILE })).unwrap();
        for bad in ["<", ">", "'", "&", "\u{2028}", "\u{2029}"] {
            assert!(!out.contains(bad), "{bad:?} in {out}");
        }
        // Still the same data.
        let back: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(back["label"], HOSTILE);
        assert_eq!(
            out,
            r#"{"label":"\u003c/script\u003e\u003cscript\u003ealert(1)\u003c/script\u003e \u0027q\u0027 \"dq\" \\ \u0026 \u2028|\u2029 \u003c!-- --\u003e"}"#
        );
    }

    #[test]
    fn attributes_cannot_be_closed() {
        assert_eq!(
            html_attr("a\"b' <c> & d\n"),
            "a&quot;b&#39; &lt;c&gt; &amp; d "
        );
    }

    #[test]
    fn placeholders_stay_verbatim_but_cannot_close_the_attribute() {
        for p in [
            "<%= @nonce %>",
            "<?= $nonce ?>",
            "{{ csp_nonce('script') }}",
            "a && b",
        ] {
            assert_eq!(placeholder_attr(p), p);
            assert!(is_verbatim_placeholder(p));
        }
        assert_eq!(
            placeholder_attr("\"><script>x()</script>\n"),
            "&quot;><script>x()</script> "
        );
        assert!(!is_verbatim_placeholder("a\"b"));
        assert!(!is_verbatim_placeholder("a\nb"));
        assert!(!is_verbatim_placeholder(""));
    }

    #[test]
    fn comments_cannot_be_closed() {
        let c = comment(HOSTILE);
        assert!(
            !c.contains("--") && !c.contains('<') && !c.contains('>'),
            "{c}"
        );
        assert_eq!(comment("a-"), "a-_");
        assert_eq!(comment("a--->"), "a-_-_");
        assert_eq!(
            comment("x */ window.__pwned = 1; /* y"),
            "x *_ window.__pwned = 1; /* y"
        );
        assert_eq!(comment("a**/b*"), "a**_b*_");
    }
}

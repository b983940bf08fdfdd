//! GitHub Actions workflow commands (`::error file=…,line=…,title=…::message`).
//!
//! The runner reads a command's message up to the end of the line and its properties up
//! to the next `,` (or the `::` that ends them), and decodes `%25`, `%0D`, `%0A` (and in
//! properties `%3A`, `%2C`) back. So: in the message `%`, `\r` and `\n` are
//! percent-encoded; in a property `:` and `,` are too. Before that, control characters
//! and bidirectional overrides are made visible ([`super::terminal::visible_keep_newlines`]),
//! so a value can neither forge a second command nor hide text in the annotation.

/// Escapes a workflow command's message (the text after `::`). A `\n` stays a line break
/// of the annotation (`%0A`); a `\r` is shown as `\r`.
#[must_use]
pub fn data(s: &str) -> String {
    super::terminal::visible_keep_newlines(s)
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property value (`file=`, `title=`): as [`data`], and `:`
/// and `,` too, which would end the value.
#[must_use]
pub fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_newlines_and_property_separators() {
        assert_eq!(data("a%b\nc\rd::e"), "a%25b%0Ac\\rd::e");
        assert_eq!(property("a,b:c"), "a%2Cb%3Ac");
    }

    #[test]
    fn hostile_text_cannot_forge_a_command() {
        // An already-encoded newline stays text: `%` is encoded first.
        assert_eq!(data("x%0A::error::forged"), "x%250A::error::forged");
        assert_eq!(
            property("f.yaml,line=1::error::forged"),
            "f.yaml%2Cline=1%3A%3Aerror%3A%3Aforged"
        );
        let d = data("one\n::error file=x::two\r\n");
        assert!(!d.contains('\n') && !d.contains('\r'), "{d}");
        assert_eq!(d, "one%0A::error file=x::two\\r%0A");
        assert_eq!(data("a\u{1b}[2Kb\u{202e}"), "a\\u{1b}[2Kb\\u{202e}");
        assert_eq!(data("| <b> ]]>"), "| <b> ]]>");
    }
}

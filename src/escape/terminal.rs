//! Text for a terminal or a CI log: nothing in it can start a new line, move the cursor,
//! change colours or reorder what follows.

use std::borrow::Cow;

/// Whether `c` must be made visible: a control character (line breaks and escape sequences
/// among them), a line or paragraph separator, or a bidirectional override or isolate.
fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Makes text safe to print on a terminal or in a CI log: line breaks and tabs become `\n`,
/// `\r` and `\t`, other control characters, line and paragraph separators and
/// bidirectional overrides visible `\u{…}` escapes, so a value in a configuration can
/// neither forge a new log line (such as a GitHub `::error` command) nor send terminal
/// escape sequences. Borrows when there is nothing to change.
#[must_use]
pub fn visible(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_hidden) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .map(|c| match c {
                '\n' => "\\n".to_owned(),
                '\r' => "\\r".to_owned(),
                '\t' => "\\t".to_owned(),
                c if is_hidden(c) => format!("\\u{{{:x}}}", c as u32),
                c => c.to_string(),
            })
            .collect(),
    )
}

/// Like [`visible`], but keeps `\n` (for multi-line text that a renderer encodes itself,
/// such as [`super::github::data`]).
#[must_use]
pub fn visible_keep_newlines(s: &str) -> String {
    s.split('\n')
        .map(|l| visible(l).into_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_and_bidi_characters_become_visible() {
        assert!(matches!(visible("plain text"), Cow::Borrowed(_)));
        assert_eq!(visible("a\nb\r\tc"), "a\\nb\\r\\tc");
        assert_eq!(visible("\u{1b}[31mred"), "\\u{1b}[31mred");
        assert_eq!(visible("x\u{202e}y\u{2028}"), "x\\u{202e}y\\u{2028}");
        assert_eq!(visible("%0A::error::x"), "%0A::error::x");
    }

    #[test]
    fn keeping_newlines_still_escapes_carriage_returns() {
        assert_eq!(visible_keep_newlines("a\nb\r\n\u{7}"), "a\nb\\r\n\\u{7}");
    }
}

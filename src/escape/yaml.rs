//! YAML: one scalar (a mapping key or value) written so that any YAML reader gives back
//! exactly the string it was made from, in block and in flow context alike.
//!
//! [`scalar`] writes a plain scalar only when that is provably safe — the string starts
//! with a letter or `/`, holds only letters, digits, spaces and `- _ . / ( ) ' +`, has no
//! space at either end, is at most 120 characters, and is not a word some YAML reader
//! resolves to a boolean or null (`yes`, `no`, `on`, `off`, `y`, `n`, `true`, `false`,
//! `null`, `~`, in any case). That excludes by construction every indicator (`#`, `:`,
//! `,`, `[ ] { }`, `* & ! | > % @` and the backtick, quotes, a leading `-` or `?`), every
//! number (`017`, `1e5`, `0x1F`) and every line break. Everything else is double-quoted
//! with every character that could break the line, the quotes or the reading escaped, so
//! the output never holds a raw line break: a commented-out line (`# ` + output) cannot
//! be broken out of.

use std::borrow::Cow;

/// The longest string written plain: longer ones are quoted (a plain mapping key may not
/// exceed 1024 characters, and a long plain value is hard to read anyway).
const MAX_PLAIN: usize = 120;

/// Words that YAML 1.1 or 1.2 readers resolve to a boolean or null when plain.
const RESERVED: &[&str] = &[
    "true", "false", "null", "yes", "no", "on", "off", "y", "n", "~",
];

/// `s` as a YAML scalar: plain when that is provably read back as the same string (see
/// the module documentation), otherwise double-quoted with `\\`, `\"`, `\0 \a \b \t \n \v
/// \f \r \e`, `\xNN` for the other C0 controls, DEL and C1 controls, `\N` (U+0085), `\L`
/// (U+2028), `\P` (U+2029) and `\uXXXX` for U+FEFF, U+FFFE and U+FFFF. The result never
/// contains a raw line break and is valid as a key or a value, in block or flow context.
#[must_use]
pub fn scalar(s: &str) -> Cow<'_, str> {
    if is_plain_safe(s) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\0' => out.push_str("\\0"),
            '\u{07}' => out.push_str("\\a"),
            '\u{08}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{0B}' => out.push_str("\\v"),
            '\u{0C}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            '\u{1B}' => out.push_str("\\e"),
            '\u{85}' => out.push_str("\\N"),
            '\u{2028}' => out.push_str("\\L"),
            '\u{2029}' => out.push_str("\\P"),
            '\u{FEFF}' | '\u{FFFE}' | '\u{FFFF}' => {
                out.push_str(&format!("\\u{:04X}", u32::from(c)));
            }
            c if c < ' ' || ('\u{7F}'..='\u{9F}').contains(&c) => {
                out.push_str(&format!("\\x{:02X}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    Cow::Owned(out)
}

/// Whether `s` can be written as a plain scalar and read back unchanged.
fn is_plain_safe(s: &str) -> bool {
    let mut chars = s.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    (first.is_alphabetic() || first == '/')
        && s.chars().count() <= MAX_PLAIN
        && !s.ends_with(' ')
        && s.chars().all(|c| {
            c.is_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.' | '/' | '(' | ')' | '\'' | '+')
        })
        && !RESERVED.iter().any(|w| w.eq_ignore_ascii_case(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_labels_stay_plain() {
        for s in [
            "Asistir presencial",
            "Añadir al carrito",
            "attend",
            "Lead",
            "/congreso/2027",
            "Talk to sales (EU)",
            "it's-a_b.c+d",
            "Ver más",
            "购买",
        ] {
            assert_eq!(scalar(s), s, "{s}");
            assert!(matches!(scalar(s), Cow::Borrowed(_)));
        }
    }

    #[test]
    fn indicators_numbers_and_reserved_words_are_quoted() {
        for s in [
            "",
            " a",
            "a ",
            "a: b",
            "a #b",
            "#x",
            "*x",
            "&x",
            "!x",
            "-x",
            "?x",
            "%x",
            "@x",
            "`x",
            "|",
            ">",
            "'x",
            "\"x",
            "[a]",
            "{a}",
            "a,b",
            "017",
            "1e5",
            "0x1F",
            ".inf",
            "yes",
            "No",
            "NULL",
            "~",
            "Y",
            "off",
            "True",
            "a\u{2028}b",
        ] {
            let q = scalar(s);
            assert!(q.starts_with('"') && q.ends_with('"'), "{s:?} → {q}");
        }
        assert_eq!(scalar(&"a".repeat(121)), format!("\"{}\"", "a".repeat(121)));
        assert_eq!(scalar(&"a".repeat(120)), "a".repeat(120));
    }

    #[test]
    fn every_escape_is_written_and_no_line_break_is_raw() {
        assert_eq!(scalar("</script>"), "\"</script>\"");
        assert_eq!(scalar("say \"hi\" \\ bye"), "\"say \\\"hi\\\" \\\\ bye\"");
        assert_eq!(
            scalar("\0\u{7}\u{8}\t\n\u{b}\u{c}\r\u{1b}"),
            "\"\\0\\a\\b\\t\\n\\v\\f\\r\\e\""
        );
        assert_eq!(
            scalar("\u{1}\u{7f}\u{80}\u{9f}"),
            "\"\\x01\\x7F\\x80\\x9F\""
        );
        assert_eq!(scalar("a\u{85}b\u{2028}c\u{2029}"), "\"a\\Nb\\Lc\\P\"");
        assert_eq!(
            scalar("\u{feff}\u{fffe}\u{ffff}"),
            "\"\\uFEFF\\uFFFE\\uFFFF\""
        );
        let hostile = "x\r\ny\u{85}z\u{2028}w\u{2029}\n# not a comment";
        let q = scalar(hostile);
        assert!(
            !q.contains(['\n', '\r', '\u{85}', '\u{2028}', '\u{2029}']),
            "{q}"
        );
        assert_eq!(scalar("🎉 Comprar"), "\"🎉 Comprar\"");
    }
}

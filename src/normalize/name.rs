//! `fn` and `ln`: lowercase, no punctuation, UTF-8 letters kept, Unicode NFC.
//!
//! Meta: "lowercase, no punctuation; special characters allowed as UTF-8". Its published
//! hash for `Valéry` only matches the NFC form, so the result is put in NFC (NFD input
//! such as `Vale\u{301}ry` hashes the same). tagc keeps letters, digits and combining
//! marks of every script and removes everything else: punctuation, white space (so
//! `Mary Ann` → `maryann`, as Meta's own `capi-param-builder` does), symbols and emoji,
//! control and invisible characters. Nothing left → [`ErrorKind::NoLetters`].

use super::ErrorKind;
use super::text::{is_alnum_or_mark, lower_filter_nfc};

pub(super) fn name(t: &str) -> Result<String, ErrorKind> {
    let out = lower_filter_nfc(t, is_alnum_or_mark);
    if out.is_empty() {
        Err(ErrorKind::NoLetters)
    } else {
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> Option<String> {
        name(s).ok()
    }

    #[test]
    fn meta_rules() {
        assert_eq!(ok("Mary").as_deref(), Some("mary"));
        assert_eq!(ok("Valéry").as_deref(), Some("valéry"));
        assert_eq!(ok("Vale\u{301}ry").as_deref(), Some("valéry"));
        assert_eq!(ok("정").as_deref(), Some("정"));
        assert_eq!(ok("Jean-Luc").as_deref(), Some("jeanluc"));
        assert_eq!(ok("Mary Ann").as_deref(), Some("maryann"));
        assert_eq!(ok("O'Neill").as_deref(), Some("oneill"));
        assert_eq!(ok("O’Neill").as_deref(), Some("oneill"));
        assert_eq!(ok("St. John").as_deref(), Some("stjohn"));
        assert_eq!(ok("ΟΔΥΣΣΕΥΣ").as_deref(), Some("οδυσσευς"));
        assert_eq!(ok("Kılıç").as_deref(), Some("kılıç"));
        assert_eq!(ok("ẞ").as_deref(), Some("ß"));
        assert_eq!(ok("İlker").as_deref(), Some("i\u{307}lker"));
        assert_eq!(ok("محمد").as_deref(), Some("محمد"));
        assert_eq!(ok("𠮷野").as_deref(), Some("𠮷野"));
        assert_eq!(ok("\u{200b}Anna").as_deref(), Some("anna"));
        assert_eq!(ok("123").as_deref(), Some("123"));
    }

    #[test]
    fn hostile() {
        assert_eq!(name("...").err(), Some(ErrorKind::NoLetters));
        assert_eq!(name("😀😀").err(), Some(ErrorKind::NoLetters));
        assert_eq!(name("\0").err(), Some(ErrorKind::NoLetters));
        assert_eq!(ok("\u{202e}Anna\u{202c}").as_deref(), Some("anna"));
        assert_eq!(ok("a\0b").as_deref(), Some("ab"));
        // A lone combining mark is kept (there is nothing to compose it with).
        assert_eq!(ok("\u{301}").as_deref(), Some("\u{301}"));
        assert_eq!(
            ok(&"É".repeat(5_000)).map(|s| s.chars().count()),
            Some(5_000)
        );
        assert_eq!(ok("מרים").as_deref(), Some("מרים"));
    }
}

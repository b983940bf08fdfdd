//! Character helpers shared by the field rules: what trimming removes, Unicode digits,
//! full-width folding, and lowercasing/NFC with an ASCII fast path.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Invisible characters that are not Unicode `White_Space` but behave like it in
/// copy-pasted data: zero-width space/joiners, word joiner, Mongolian vowel separator,
/// the byte-order mark, and the bidirectional marks, embeddings and isolates.
pub(super) const fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{FEFF}'
    )
}

/// What [`trim`] removes at both ends: Unicode `White_Space` (tab, newline, NBSP, U+3000,
/// U+0085, …), every control character (U+0000–U+001F, including the U+001C–U+001F
/// separators Python treats as space, and U+007F–U+009F) and the invisible characters of
/// [`is_invisible`]. The union of what Python's and Node's `trim` remove, and more.
pub(super) fn is_trim_char(c: char) -> bool {
    c.is_whitespace() || c.is_control() || is_invisible(c)
}

/// Trims [`is_trim_char`] characters from both ends.
pub(super) fn trim(s: &str) -> &str {
    // ASCII fast path: most values have nothing or plain spaces to trim.
    let b = s.as_bytes();
    let first_ok = b.first().is_some_and(|&x| x > b' ' && x < 0x7f);
    let last_ok = b.last().is_some_and(|&x| x > b' ' && x < 0x7f);
    if first_ok && last_ok {
        return s;
    }
    s.trim_matches(is_trim_char)
}

/// Code points of the digit zero of every Unicode decimal-digit (`Nd`) block, sorted.
/// Each block holds the ten digits zero..nine contiguously.
static DIGIT_ZEROS: &[u32] = &[
    0x0030, 0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6,
    0x0D66, 0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80,
    0x1A90, 0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0,
    0xFF10, 0x104A0, 0x10D30, 0x11066, 0x110F0, 0x11136, 0x111D0, 0x112F0, 0x11450, 0x114D0,
    0x11650, 0x116C0, 0x11730, 0x118E0, 0x11950, 0x11C50, 0x11D50, 0x11DA0, 0x11F50, 0x16A60,
    0x16AC0, 0x16B50, 0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6, 0x1E140, 0x1E2F0, 0x1E4F0,
    0x1E950, 0x1FBF0,
];

/// The value of a decimal digit in any script (`7`, `٧`, `७`, full-width `７`), or `None`.
pub(super) fn digit_value(c: char) -> Option<u8> {
    if c.is_ascii_digit() {
        return Some(c as u8 - b'0');
    }
    if c.is_ascii() {
        return None;
    }
    let cp = c as u32;
    let i = DIGIT_ZEROS.partition_point(|&z| z <= cp);
    let zero = *DIGIT_ZEROS.get(i.checked_sub(1)?)?;
    let v = cp - zero;
    if v < 10 { u8::try_from(v).ok() } else { None }
}

/// Folds a full-width ASCII form (U+FF01–U+FF5E, e.g. `Ａ`, `－`) to its ASCII twin.
pub(super) fn fold_fullwidth(c: char) -> char {
    let cp = c as u32;
    if (0xFF01..=0xFF5E).contains(&cp) {
        char::from_u32(cp - 0xFEE0).unwrap_or(c)
    } else {
        c
    }
}

/// Dashes and hyphens that separate groups in phone numbers, zips and dates.
pub(super) const fn is_dash(c: char) -> bool {
    matches!(
        c,
        '-' | '\u{2010}'
            ..='\u{2015}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}' | '\u{FF0D}' | '\u{00AD}'
    )
}

/// Lowercases (full Unicode mapping, Greek final sigma included), keeps the characters
/// `keep` accepts (tested on the lowercased text) and returns the result in NFC.
/// ASCII input takes a byte loop with no Unicode tables.
pub(super) fn lower_filter_nfc(s: &str, keep: impl Fn(char) -> bool) -> String {
    if s.is_ascii() {
        let mut out = String::with_capacity(s.len());
        for &b in s.as_bytes() {
            let c = char::from(b.to_ascii_lowercase());
            if keep(c) {
                out.push(c);
            }
        }
        return out;
    }
    let lower = s.to_lowercase();
    let filtered: String = lower.chars().filter(|&c| keep(c)).collect();
    nfc(filtered)
}

/// The NFC form of `s`, reusing `s` when it is already NFC.
pub(super) fn nfc(s: String) -> String {
    if s.is_ascii()
        || unicode_normalization::is_nfc_quick(s.chars())
            == unicode_normalization::IsNormalized::Yes
    {
        s
    } else {
        s.nfc().collect()
    }
}

/// Byte-wise order of two short keys (table look-ups), compared inline: a call to
/// `memcmp` per probe of a binary search costs more than the comparison itself.
pub(super) fn cmp_short(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    for (x, y) in a.iter().zip(b) {
        if x != y {
            return x.cmp(y);
        }
    }
    a.len().cmp(&b.len())
}

/// Letters (any script) and combining marks: what city, state and country keys keep.
pub(super) fn is_letter_or_mark(c: char) -> bool {
    c.is_alphabetic() || (!c.is_ascii() && is_combining_mark(c))
}

/// Letters, digits (any script) and combining marks: what names keep.
pub(super) fn is_alnum_or_mark(c: char) -> bool {
    c.is_alphanumeric() || (!c.is_ascii() && is_combining_mark(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_keys_order_as_byte_slices_do() {
        let keys: [&[u8]; 8] = [
            b"",
            b"a",
            b"ab",
            b"abc",
            b"b",
            b"ba",
            "\u{e9}".as_bytes(),
            b"zz",
        ];
        for a in keys {
            for b in keys {
                assert_eq!(cmp_short(a, b), a.cmp(b), "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn trims_unicode_and_invisible_space() {
        assert_eq!(trim("  a b \t"), "a b");
        assert_eq!(trim("\u{feff}\u{200b}\u{3000}x\u{85}\u{1c}\u{a0}"), "x");
        assert_eq!(trim("\0x\0"), "x");
        assert_eq!(trim(" \u{2028} "), "");
        assert_eq!(trim("abc"), "abc");
    }

    #[test]
    fn digits_in_other_scripts() {
        assert_eq!(digit_value('7'), Some(7));
        assert_eq!(digit_value('٣'), Some(3));
        assert_eq!(digit_value('۹'), Some(9));
        assert_eq!(digit_value('७'), Some(7));
        assert_eq!(digit_value('１'), Some(1));
        assert_eq!(digit_value('𝟘'), Some(0));
        assert_eq!(digit_value('a'), None);
        assert_eq!(digit_value('\u{0670}'), None);
        assert_eq!(digit_value('\u{10FFFF}'), None);
        assert_eq!(digit_value('\u{1}'), None);
    }

    #[test]
    fn fullwidth_folds() {
        assert_eq!(fold_fullwidth('Ａ'), 'A');
        assert_eq!(fold_fullwidth('－'), '-');
        assert_eq!(fold_fullwidth('é'), 'é');
    }

    #[test]
    fn lower_filter_nfc_composes() {
        assert_eq!(
            lower_filter_nfc("VALE\u{301}RY", is_alnum_or_mark),
            "valéry"
        );
        assert_eq!(lower_filter_nfc("ΟΔΥΣΣΕΥΣ", is_alnum_or_mark), "οδυσσευς");
        assert_eq!(lower_filter_nfc("Jean-Luc", is_alnum_or_mark), "jeanluc");
    }
}

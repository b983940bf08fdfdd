//! `ct`, `st`, `zp` and `country`.
//!
//! - `ct` (Meta: "lowercase; no punctuation, no special characters, no spaces"): letters
//!   and combining marks of any script, lowercased, NFC. Digits go too (both SDKs remove
//!   them). `San Francisco, CA` → `sanfranciscoca`, `Zürich` → `zürich`.
//! - `st` (Meta: "US: the 2-character ANSI code; elsewhere lowercase, no punctuation,
//!   special characters or spaces"): the `ct` rule, then US state, DC, US territory and
//!   Canadian province/territory names map to their 2-letter code (`California` → `ca`,
//!   `Québec` → `qc`). The mapping is skipped when the context country is known and is
//!   neither `us` nor `ca` (Australia's `Victoria` stays `victoria`).
//! - `zp` (Meta: "lowercase, no spaces, no dash; US: first 5 digits"): white space and
//!   dashes removed, full-width forms and digits of any script folded to ASCII, letters
//!   lowercased; other characters are an error. A European country prefix (`CH-8001`,
//!   `D-10115`) is dropped. US zips are cut to 5 digits: when the context country is `us`
//!   (5 digits, 9 or 11 digits, or 5 digits followed by a dash or space and more digits,
//!   such as `12345-6789-0000`; 3–4 digit zips are zero-padded, as spreadsheets drop
//!   leading zeros; anything else is an error), and, when the country is unknown, for a
//!   ZIP+4 shape (`94025-1234`, `940251234`), also when more digit groups follow it
//!   (`12345-6789-0000`). At least 2 characters.
//! - `country` (Meta: "lowercase ISO 3166-1 alpha-2"): letters only, lowercased, then
//!   looked up among the 249 alpha-2 and alpha-3 codes, the ISO names and common aliases
//!   (`United States`, `USA`, `U.S.` → `us`; `UK`, `Great Britain`, `GBR` → `gb`;
//!   `España` → `es`). Unknown → error (`XK`, `EU` and withdrawn codes such as `AN` are
//!   not ISO 3166-1 codes).

use super::text::{
    cmp_short, digit_value, fold_fullwidth, is_dash, is_letter_or_mark, is_trim_char,
    lower_filter_nfc,
};
use super::{Context, ErrorKind, tables};

pub(super) fn city(t: &str) -> Result<String, ErrorKind> {
    let out = lower_filter_nfc(t, is_letter_or_mark);
    if out.is_empty() {
        Err(ErrorKind::NoLetters)
    } else {
        Ok(out)
    }
}

pub(super) fn state(t: &str, cx: &Context) -> Result<String, ErrorKind> {
    let key = city(t)?;
    let map = cx.country.is_none_or(|c| {
        let c = c.trim();
        c.eq_ignore_ascii_case("us") || c.eq_ignore_ascii_case("ca")
    });
    if map
        && key.len() > 2
        && let Some(code) = lookup(tables::US_CA_STATES, &key)
    {
        return Ok(code.to_owned());
    }
    Ok(key)
}

pub(super) fn country(t: &str) -> Result<String, ErrorKind> {
    // Turkish capital dotted I lowercases to `i` + U+0307; it is a plain `i` here.
    let key = if t.contains('İ') {
        lower_filter_nfc(&t.replace('İ', "I"), is_letter_or_mark)
    } else {
        lower_filter_nfc(t, is_letter_or_mark)
    };
    lookup(tables::COUNTRY_KEYS, &key)
        .map(str::to_owned)
        .ok_or(ErrorKind::CountryUnknown)
}

fn lookup(table: &'static [(&'static str, &'static str)], key: &str) -> Option<&'static str> {
    table
        .binary_search_by(|(k, _)| cmp_short(k.as_bytes(), key.as_bytes()))
        .ok()
        .and_then(|i| table.get(i))
        .map(|(_, v)| *v)
}

pub(super) fn zip(t: &str, cx: &Context) -> Result<String, ErrorKind> {
    if t.len() > 64 {
        return Err(ErrorKind::TooLong);
    }
    let mut out = String::with_capacity(t.len());
    // Byte length of `out` at the first dash, and how many dashes there were.
    let mut first_dash = None;
    let mut dashes = 0usize;
    // Byte lengths of `out` at each dash or space that follows some text: the groups the
    // zip was written in (`12345-6789-0000` → [5, 9]).
    let mut breaks: Vec<usize> = Vec::new();
    for c in t.chars() {
        let c = fold_fullwidth(c);
        if let Some(d) = digit_value(c) {
            out.push(char::from(b'0' + d));
        } else if is_dash(c) || is_trim_char(c) {
            if is_dash(c) {
                dashes += 1;
                first_dash.get_or_insert(out.len());
            }
            if !out.is_empty() && breaks.last() != Some(&out.len()) {
                breaks.push(out.len());
            }
        } else if c.is_ascii_alphabetic() {
            out.push(c.to_ascii_lowercase());
        } else if c.is_alphabetic() {
            out.extend(c.to_lowercase());
        } else {
            return Err(ErrorKind::ZipChars);
        }
    }
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    // European country prefix: `CH-8001`, `D-10115`, `F-75008`.
    if let (Some(at), 1) = (first_dash, dashes) {
        let (prefix, rest) = out.split_at(at);
        if (1..=3).contains(&prefix.len())
            && prefix.bytes().all(|b| b.is_ascii_lowercase())
            && all_digits(rest)
        {
            out = rest.to_owned();
            first_dash = None;
            breaks.clear();
        }
    }
    // Text after the last break counts as a group only when it is not empty.
    if breaks.last() == Some(&out.len()) {
        breaks.pop();
    }
    // Five digits, then a break, then more digits: a US zip with an extension (ZIP+4
    // `94025-1234`, the delivery-point form `94025-1234-56`, or a malformed one such as
    // `12345-6789-0000`). Meta: "US: first 5 digits only".
    let zip5_extended = breaks.first() == Some(&5) && all_digits(&out);
    if cx.is_us() {
        let digits = out.bytes().take_while(u8::is_ascii_digit).count();
        let ok_shape = zip5_extended
            || match digits {
                3 | 4 => out.len() == digits,
                5 => out.len() == 5 || (out.len() == 9 && all_digits(&out)),
                9 | 11 => out.len() == digits,
                _ => false,
            };
        if !ok_shape {
            return Err(ErrorKind::ZipNotUs);
        }
        if digits < 5 {
            return Ok(format!("{out:0>5}"));
        }
        out.truncate(5);
    } else if cx.country.is_none()
        && ((out.len() == 9
            && all_digits(&out)
            && first_dash.is_none_or(|at| at == 5)
            && dashes <= 1)
            || (zip5_extended && breaks.get(1) == Some(&9) && breaks.len() >= 2))
    {
        // ZIP+4 (`94025-1234`, `940251234`): no other country has 9-digit postcodes. ZIP+4
        // followed by more digit groups (`94025-1234-56`, `12345-6789-0000`) is a US zip
        // written with junk after it. Other 5-digit-first shapes are left whole: Brazil
        // writes `01310-100`, Iran `11936-53471`.
        out.truncate(5);
    }
    if out.chars().count() < 2 {
        return Err(ErrorKind::ZipTooShort);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NONE: Context<'static> = Context::new(None, None, 2026);
    const US: Context<'static> = Context::new(None, Some("us"), 2026);
    const JP: Context<'static> = Context::new(None, Some("jp"), 2026);
    const AU: Context<'static> = Context::new(None, Some("au"), 2026);

    #[test]
    fn cities() {
        for (s, want) in [
            ("Menlo Park", "menlopark"),
            ("San Francisco, CA", "sanfranciscoca"),
            ("St. Louis", "stlouis"),
            ("Coeur d'Alene", "coeurdalene"),
            ("10001 New York", "newyork"),
            ("Zürich", "zürich"),
            ("Zu\u{308}rich", "zürich"),
            ("Санкт-Петербург", "санктпетербург"),
            ("Washington\u{3000}DC", "washingtondc"),
            ("Baden_Baden", "badenbaden"),
            ("東京", "東京"),
        ] {
            assert_eq!(city(s).ok().as_deref(), Some(want), "{s}");
        }
        assert_eq!(city("12345").err(), Some(ErrorKind::NoLetters));
        assert_eq!(city("😀").err(), Some(ErrorKind::NoLetters));
    }

    #[test]
    fn states() {
        for (s, want) in [
            ("ca", "ca"),
            ("California", "ca"),
            ("N.Y.", "ny"),
            ("new york", "ny"),
            ("District of Columbia", "dc"),
            ("Québec", "qc"),
            ("Quebec", "qc"),
            ("Bayern", "bayern"),
            ("Île-de-France", "îledefrance"),
            ("東京都", "東京都"),
        ] {
            assert_eq!(state(s, &NONE).ok().as_deref(), Some(want), "{s}");
        }
        assert_eq!(state("Texas", &US).ok().as_deref(), Some("tx"));
        assert_eq!(state("Victoria", &AU).ok().as_deref(), Some("victoria"));
        assert_eq!(state("Georgia", &AU).ok().as_deref(), Some("georgia"));
        assert_eq!(state("12", &NONE).err(), Some(ErrorKind::NoLetters));
    }

    #[test]
    fn zips() {
        for (s, cx, want) in [
            ("94025-1234", NONE, "94025"),
            ("940251234", NONE, "94025"),
            ("94025 1234", NONE, "94025"),
            ("SW1A 1AA", NONE, "sw1a1aa"),
            ("D02 X285", NONE, "d02x285"),
            ("100-0001", JP, "1000001"),
            ("100-0001", NONE, "1000001"),
            ("01234", NONE, "01234"),
            ("CH-8001", NONE, "8001"),
            ("９４０２５", NONE, "94025"),
            ("94025-", NONE, "94025"),
            ("-1234", NONE, "1234"),
            ("94025-1234", US, "94025"),
            ("940251234", US, "94025"),
            ("12345-6789-0000", NONE, "12345"),
            ("12345 6789 0000", NONE, "12345"),
            ("94025-1234-56", NONE, "94025"),
            ("12345-6789-0000", US, "12345"),
            ("12345-67", US, "12345"),
            ("94025 1234", US, "94025"),
            ("94025123456", US, "94025"),
            ("01310-100", NONE, "01310100"),
            ("11936-53471", NONE, "1193653471"),
            ("12345-678", NONE, "12345678"),
            ("2134", US, "02134"),
            ("94025", US, "94025"),
            ("1987", AU, "1987"),
        ] {
            assert_eq!(zip(s, &cx).ok().as_deref(), Some(want), "{s}");
        }
        assert_eq!(zip("1", &NONE).err(), Some(ErrorKind::ZipTooShort));
        assert_eq!(zip("SW1A 1AA", &US).err(), Some(ErrorKind::ZipNotUs));
        assert_eq!(zip("9402512", &US).err(), Some(ErrorKind::ZipNotUs));
        assert_eq!(zip("1234567890000", &US).err(), Some(ErrorKind::ZipNotUs));
        assert_eq!(zip("12345-ABCD", &US).err(), Some(ErrorKind::ZipNotUs));
        assert_eq!(zip("94025#", &NONE).err(), Some(ErrorKind::ZipChars));
        assert_eq!(zip("94\u{0}025", &NONE).ok().as_deref(), Some("94025"));
        assert_eq!(
            zip(&"9".repeat(5_000), &NONE).err(),
            Some(ErrorKind::TooLong)
        );
        assert_eq!(zip("😀", &NONE).err(), Some(ErrorKind::ZipChars));
    }

    #[test]
    fn countries() {
        for (s, want) in [
            ("US", "us"),
            ("us", "us"),
            ("USA", "us"),
            ("U.S.", "us"),
            ("u.s.a.", "us"),
            ("United States", "us"),
            ("United States of America", "us"),
            ("U S", "us"),
            ("1US", "us"),
            ("UK", "gb"),
            ("United Kingdom", "gb"),
            ("GBR", "gb"),
            ("España", "es"),
            ("Espan\u{303}a", "es"),
            ("Spain", "es"),
            ("ESP", "es"),
            ("Deutschland", "de"),
            ("İN", "in"),
            ("Korea, Republic of", "kr"),
            ("South Korea", "kr"),
            ("ss", "ss"),
            ("CW", "cw"),
        ] {
            assert_eq!(country(s).ok().as_deref(), Some(want), "{s}");
        }
        for s in [
            "XK",
            "AN",
            "EU",
            "ÜS",
            "ус",
            "ZZ",
            "😀",
            "x",
            &"a".repeat(5_000),
        ] {
            assert_eq!(country(s).err(), Some(ErrorKind::CountryUnknown), "{s}");
        }
    }

    #[test]
    fn tables_are_sorted_and_consistent() {
        for table in [
            tables::COUNTRY_KEYS,
            tables::CALLING_CODES,
            tables::US_CA_STATES,
        ] {
            assert!(
                table
                    .windows(2)
                    .all(|w| w[0].0.as_bytes() < w[1].0.as_bytes())
            );
        }
        // Every country value is an alpha-2 code with a calling code.
        for (_, a2) in tables::COUNTRY_KEYS {
            assert!(lookup(tables::CALLING_CODES, a2).is_some(), "{a2}");
            assert_eq!(lookup(tables::COUNTRY_KEYS, a2), Some(*a2));
        }
        assert_eq!(tables::CALLING_CODES.len(), 249);
    }
}

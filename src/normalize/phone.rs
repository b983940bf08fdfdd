//! `ph`: digits only, no leading zeros, with a country code.
//!
//! Meta: "Remove symbols, letters and leading zeros. Must include the country code, even if
//! all data is from one country. Digits only." tagc's reading:
//!
//! 1. A `tel:` prefix and a spreadsheet's leading `'` are ignored. Digits of any script
//!    (`٠١٢`, full-width `１２３`) become ASCII digits. Spaces, `-` and other dashes, `.`,
//!    `/` and parentheses are separators and removed. An extension (`ext`, `ext.`,
//!    `extension`, `x`, `#`, `;`) ends the number; it is dropped, not appended.
//!    Other letters or symbols are an error: removing them would change the number
//!    (`1-800-FLOWERS`).
//! 2. `+` or `00` in front means the number is international: leading zeros and `+` are
//!    stripped and nothing is added. A national trunk `(0)` after the country code
//!    (`+44 (0)20 …`) is dropped.
//! 3. Otherwise the number is national if it starts with a trunk `0` or is shorter than
//!    11 digits. The country code is [`Context::phone_country_code`], else the calling
//!    code of [`Context::country`]. With a code: the trunk zeros are stripped and the code
//!    prepended — unless the number has no trunk `0`, already starts with the code and has
//!    11+ digits (then it already includes it). Without a code: a number with a trunk `0`
//!    or with 10 digits or fewer is an error ([`ErrorKind::PhoneNoCountryCode`]); 11+
//!    digits are taken to include their country code.
//! 4. The result must have 7–16 digits.

use super::text::{digit_value, fold_fullwidth, is_dash, is_trim_char};
use super::{Context, ErrorKind, tables};

/// Most digits a phone number may have (E.164 says 15; the SDKs accept 16).
const MAX_DIGITS: usize = 16;
/// Fewest digits a phone number may have, country code included.
const MIN_DIGITS: usize = 7;
/// At least this many digits, written without `+`/`00`, and the number is taken to
/// include its country code.
const INTL_MIN_DIGITS: usize = 11;

pub(super) fn phone(t: &str, cx: &Context) -> Result<String, ErrorKind> {
    let mut s = t;
    if s.len() >= 4 && s.as_bytes()[..4].eq_ignore_ascii_case(b"tel:") {
        s = s.get(4..).unwrap_or("");
    }
    s = s.strip_prefix('\'').unwrap_or(s);

    // Collect ASCII digits into a stack buffer; a few more than MAX_DIGITS are kept so
    // "too long" is still detected after leading zeros are stripped.
    let mut buf = [0u8; MAX_DIGITS + 8];
    let mut n = 0usize;
    let mut plus = false;
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let c = fold_fullwidth(c);
        if let Some(d) = digit_value(c) {
            if n == buf.len() {
                return Err(ErrorKind::PhoneTooLong);
            }
            buf[n] = b'0' + d;
            n += 1;
        } else if c == '+' {
            if n > 0 {
                return Err(ErrorKind::PhoneSymbols);
            }
            plus = true;
        } else if c == '(' {
            // "+44 (0)20 …": the national trunk 0 written after the country code.
            let rest = s.get(i + 1..).unwrap_or("");
            if (plus || starts_00(&buf[..n])) && n > 0 && rest.starts_with("0)") {
                chars.next();
                chars.next();
            }
        } else if c == ')' || c == '.' || c == '/' || is_dash(c) || is_trim_char(c) {
            // separator
        } else if c == '#' || c == ';' {
            break; // extension
        } else if c.is_ascii_alphabetic() {
            let rest = s.get(i..).unwrap_or("");
            let word_len = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
            let word = rest.get(..word_len).unwrap_or("");
            if n > 0 && is_extension_word(word) {
                break;
            }
            return Err(ErrorKind::PhoneLetters);
        } else if c.is_alphabetic() {
            return Err(ErrorKind::PhoneLetters);
        } else {
            return Err(ErrorKind::PhoneSymbols);
        }
    }
    let digits = &buf[..n];
    let international = plus || starts_00(digits);
    let zeros = digits.iter().take_while(|&&d| d == b'0').count();
    let number = &digits[zeros..];
    if number.len() > MAX_DIGITS {
        return Err(ErrorKind::PhoneTooLong);
    }

    let code = if international {
        None
    } else {
        let trunk = zeros > 0;
        let code = country_code(cx);
        match code {
            Some(cc) if !trunk && number.starts_with(cc) && number.len() >= INTL_MIN_DIGITS => None,
            Some(cc) => Some(cc),
            None if trunk || number.len() < INTL_MIN_DIGITS => {
                if number.len() < MIN_DIGITS {
                    return Err(ErrorKind::PhoneTooShort);
                }
                return Err(ErrorKind::PhoneNoCountryCode);
            }
            None => None,
        }
    };
    let cc = code.unwrap_or(&[]);
    // Italy, San Marino and the Vatican have no trunk prefix: a landline's leading 0 is
    // part of the number and stays after the code (+39 02 1234 5678 → 390212345678).
    let number = if zeros > 0 && KEEPS_LEADING_ZERO.contains(&cc) {
        &digits[zeros - 1..]
    } else {
        number
    };
    let total = cc.len() + number.len();
    if total < MIN_DIGITS || number.is_empty() {
        return Err(ErrorKind::PhoneTooShort);
    }
    if total > MAX_DIGITS {
        return Err(ErrorKind::PhoneTooLong);
    }
    let mut out = String::with_capacity(total);
    for &d in cc.iter().chain(number) {
        out.push(char::from(d));
    }
    Ok(out)
}

/// Calling codes whose national numbers keep their leading 0 after the code (no trunk
/// prefix): Italy, San Marino, the Vatican (ITU-T E.164 national numbering plans).
const KEEPS_LEADING_ZERO: &[&[u8]] = &[b"39", b"378", b"379"];

fn starts_00(digits: &[u8]) -> bool {
    digits.starts_with(b"00")
}

fn is_extension_word(word: &str) -> bool {
    ["x", "ext", "extn", "extension", "ex"]
        .iter()
        .any(|w| word.eq_ignore_ascii_case(w))
}

/// The country calling code to add to national numbers, as ASCII digits: the configured
/// one if it is 1–3 digits (a leading `+` is ignored), else the calling code of the
/// context's country.
fn country_code<'a>(cx: &Context<'a>) -> Option<&'a [u8]> {
    if let Some(cc) = cx.phone_country_code {
        let cc = cc.trim();
        let cc = cc.strip_prefix('+').unwrap_or(cc);
        let valid = (1..=3).contains(&cc.len())
            && cc.bytes().all(|b| b.is_ascii_digit())
            && !cc.starts_with('0');
        if valid {
            return Some(cc.as_bytes());
        }
    }
    cx.country.and_then(calling_code).map(str::as_bytes)
}

/// The international calling code of an ISO 3166-1 alpha-2 country (`us` → `1`, `ES` →
/// `34`), as digits; `None` for anything that is not a known two-letter code.
#[must_use]
pub fn calling_code(country: &str) -> Option<&'static str> {
    let country = country.trim();
    if country.len() != 2 || !country.is_ascii() {
        return None;
    }
    let lower = [
        country.as_bytes()[0].to_ascii_lowercase(),
        country.as_bytes()[1].to_ascii_lowercase(),
    ];
    let i = tables::CALLING_CODES
        .binary_search_by(|(k, _)| super::text::cmp_short(k.as_bytes(), &lower))
        .ok()?;
    tables::CALLING_CODES.get(i).map(|(_, cc)| *cc)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NONE: Context<'static> = Context::new(None, None, 2026);
    const ES: Context<'static> = Context::new(Some("34"), None, 2026);
    const US: Context<'static> = Context::new(None, Some("US"), 2026);

    fn ok(s: &str, cx: &Context) -> Option<String> {
        phone(s, cx).ok()
    }
    fn err(s: &str, cx: &Context) -> Option<ErrorKind> {
        phone(s, cx).err()
    }

    #[test]
    fn international_forms() {
        for s in [
            "+1 (650) 555-1212",
            "001 650 555 1212",
            "++16505551212",
            "+1.650.555.1212",
            "tel:+16505551212",
            "'+16505551212",
            "+1 650 555 1212 ext. 5",
            "+1 (650) 555-1212 #2",
            "+1-650-555-1212x12",
            "+1\u{a0}650\u{a0}555\u{a0}1212",
            "＋１６５０５５５１２１２",
        ] {
            assert_eq!(ok(s, &NONE).as_deref(), Some("16505551212"), "{s}");
            assert_eq!(ok(s, &ES).as_deref(), Some("16505551212"), "{s}");
        }
        assert_eq!(
            ok("+44 (0)20 7946 0958", &NONE).as_deref(),
            Some("442079460958")
        );
        assert_eq!(
            ok("0000442079460958", &NONE).as_deref(),
            Some("442079460958")
        );
        assert_eq!(ok("16505551212", &NONE).as_deref(), Some("16505551212"));
    }

    #[test]
    fn national_numbers_get_the_country_code() {
        assert_eq!(ok("612 34 56 78", &ES).as_deref(), Some("34612345678"));
        assert_eq!(ok("0612 34 56 78", &ES).as_deref(), Some("34612345678"));
        assert_eq!(ok("34612345678", &ES).as_deref(), Some("34612345678"));
        assert_eq!(ok("(650)555-1212", &US).as_deref(), Some("16505551212"));
        assert_eq!(ok("16505551212", &US).as_deref(), Some("16505551212"));
        let gb = Context::new(None, Some("gb"), 2026);
        assert_eq!(ok("07946 095858", &gb).as_deref(), Some("447946095858"));
        let plus = Context::new(Some("+49"), Some("us"), 2026);
        assert_eq!(ok("030 123456", &plus).as_deref(), Some("4930123456"));
        assert_eq!(ok("٠٥٥٥١٢٣٤٥٦٧", &plus).as_deref(), Some("495551234567"));
        // No trunk prefix in Italy: a landline keeps its 0 after +39; mobiles start with 3.
        let it = Context::new(None, Some("it"), 2026);
        assert_eq!(ok("02 1234 5678", &it).as_deref(), Some("390212345678"));
        assert_eq!(ok("06 6982", &it).as_deref(), Some("39066982"));
        assert_eq!(ok("347 123 4567", &it).as_deref(), Some("393471234567"));
        assert_eq!(ok("+39 02 1234 5678", &it).as_deref(), Some("390212345678"));
        assert_eq!(
            ok("0039 02 1234 5678", &it).as_deref(),
            Some("390212345678")
        );
        let sm = Context::new(None, Some("sm"), 2026);
        assert_eq!(ok("0549 882 555", &sm).as_deref(), Some("3780549882555"));
    }

    #[test]
    fn no_country_code_is_an_error() {
        assert_eq!(
            err("(650)555-1212", &NONE),
            Some(ErrorKind::PhoneNoCountryCode)
        );
        assert_eq!(
            err("07946 095858", &NONE),
            Some(ErrorKind::PhoneNoCountryCode)
        );
        let bogus = Context::new(Some("abc"), Some("zz"), 2026);
        assert_eq!(
            err("6505551212", &bogus),
            Some(ErrorKind::PhoneNoCountryCode)
        );
    }

    #[test]
    fn rejects_junk() {
        assert_eq!(err("1-800-FLOWERS", &NONE), Some(ErrorKind::PhoneLetters));
        assert_eq!(err("abc", &NONE), Some(ErrorKind::PhoneLetters));
        assert_eq!(err("x123", &NONE), Some(ErrorKind::PhoneLetters));
        assert_eq!(err("+", &NONE), Some(ErrorKind::PhoneTooShort));
        assert_eq!(err("00", &NONE), Some(ErrorKind::PhoneTooShort));
        assert_eq!(err("+00", &NONE), Some(ErrorKind::PhoneTooShort));
        assert_eq!(err("+123", &NONE), Some(ErrorKind::PhoneTooShort));
        assert_eq!(
            err("12345678901234567", &NONE),
            Some(ErrorKind::PhoneTooLong)
        );
        assert_eq!(err("1+2345678901", &NONE), Some(ErrorKind::PhoneSymbols));
        assert_eq!(
            err("+1 650 555 1212 😀", &NONE),
            Some(ErrorKind::PhoneSymbols)
        );
        assert_eq!(err("+1 650 ٣٣ שלום", &NONE), Some(ErrorKind::PhoneLetters));
        assert_eq!(
            err(&"1".repeat(5_000), &NONE),
            Some(ErrorKind::PhoneTooLong)
        );
        assert_eq!(err("+1\u{0}650", &NONE), Some(ErrorKind::PhoneTooShort));
        assert_eq!(err("(((((", &NONE), Some(ErrorKind::PhoneTooShort));
    }

    #[test]
    fn calling_codes_of_countries() {
        assert_eq!(calling_code("us"), Some("1"));
        assert_eq!(calling_code(" ES "), Some("34"));
        assert_eq!(calling_code("gb"), Some("44"));
        assert_eq!(calling_code("zz"), None);
        assert_eq!(calling_code("usa"), None);
        assert_eq!(calling_code("ñu"), None);
    }
}

//! Customer-data normalization and SHA-256 hashing, following Meta's documented rules for
//! the Conversions API `user_data` keys (and the Pixel's advanced matching).
//!
//! [`normalize`] turns one raw value into the exact text Meta expects before hashing;
//! [`normalize_and_hash`] also hashes it. Both are pure: no clock reads, no global state,
//! no allocation beyond the result on the common ASCII path. The rules per field, and every
//! deliberate difference from Meta's official Python and Node SDKs, are in
//! `docs/hashing.md`; `tests/sdk_vectors.rs` checks them against the SDK vectors.
//!
//! Common to every field:
//! - The input is trimmed first: Unicode white space, control characters, zero-width
//!   spaces/joiners and the byte-order mark go.
//! - Empty after trimming → [`ErrorKind::Empty`] (the caller drops the key; this is
//!   "missing", not "invalid").
//! - A value that is already a SHA-256 hex digest (64 hex digits, any case) passes through,
//!   lowercased, for every field ([`Normalized::was_hashed`]). 32-hex (MD5) values are
//!   *not* passed through: Meta only accepts SHA-256.
//! - Error messages never contain the raw value, so they can be logged.
//!
//! The never-hashed identifiers (`client_ip_address`, `fbc`, `fbp`) are validated by
//! [`ids::validate_id`].

mod date;
mod email;
mod gender;
mod hash;
pub mod ids;
mod location;
mod name;
mod phone;
mod tables;
mod text;

use std::fmt;

use crate::meta::hashed;
pub use hash::sha256_hex;
pub use phone::calling_code;

/// A hashed CAPI customer-data key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    /// `em`: email address.
    Em,
    /// `ph`: phone number.
    Ph,
    /// `fn`: first name.
    Fn,
    /// `ln`: last name.
    Ln,
    /// `db`: date of birth.
    Db,
    /// `ge`: gender.
    Ge,
    /// `ct`: city.
    Ct,
    /// `st`: state or province.
    St,
    /// `zp`: zip or postal code.
    Zp,
    /// `country`: country.
    Country,
    /// `external_id`: the advertiser's own user ID (hashed by tagc; see [`Field::rule`]).
    ExternalId,
}

impl Field {
    /// Every field, in Meta's documentation order.
    pub const ALL: [Field; 11] = [
        Field::Em,
        Field::Ph,
        Field::Fn,
        Field::Ln,
        Field::Db,
        Field::Ge,
        Field::Ct,
        Field::St,
        Field::Zp,
        Field::Country,
        Field::ExternalId,
    ];

    /// The CAPI `user_data` key: `em`, `ph`, `fn`, `ln`, `db`, `ge`, `ct`, `st`, `zp`,
    /// `country`, `external_id`.
    pub const fn key(self) -> &'static str {
        match self {
            Field::Em => "em",
            Field::Ph => "ph",
            Field::Fn => "fn",
            Field::Ln => "ln",
            Field::Db => "db",
            Field::Ge => "ge",
            Field::Ct => "ct",
            Field::St => "st",
            Field::Zp => "zp",
            Field::Country => "country",
            Field::ExternalId => "external_id",
        }
    }

    /// The field for a CAPI key ([`Field::key`]) or a long alias (`email`, `phone`,
    /// `first_name`, `last_name`, `date_of_birth`, `gender`, `city`, `state`, `zip`,
    /// `zip_code`, `postal_code`, `country_code`, `externalid`). Case-sensitive: keys are
    /// lowercase.
    pub fn from_key(key: &str) -> Option<Field> {
        Some(match key {
            "em" | "email" => Field::Em,
            "ph" | "phone" => Field::Ph,
            "fn" | "first_name" => Field::Fn,
            "ln" | "last_name" => Field::Ln,
            "db" | "date_of_birth" | "dob" => Field::Db,
            "ge" | "gender" => Field::Ge,
            "ct" | "city" => Field::Ct,
            "st" | "state" => Field::St,
            "zp" | "zip" | "zip_code" | "postal_code" => Field::Zp,
            "country" | "country_code" => Field::Country,
            "external_id" | "externalid" => Field::ExternalId,
            _ => return None,
        })
    }

    /// What the field holds, in words ("email address"); used at the start of error
    /// messages.
    pub const fn describe(self) -> &'static str {
        match self {
            Field::Em => "email address",
            Field::Ph => "phone number",
            Field::Fn => "first name",
            Field::Ln => "last name",
            Field::Db => "date of birth",
            Field::Ge => "gender",
            Field::Ct => "city",
            Field::St => "state",
            Field::Zp => "zip code",
            Field::Country => "country",
            Field::ExternalId => "external ID",
        }
    }

    /// The normalization rule, in one line, for humans (written into mapping artifacts).
    /// Every rule also trims, and passes a 64-hex SHA-256 value through lowercased.
    pub const fn rule(self) -> &'static str {
        match self {
            Field::Em => {
                "trim, lowercase (NFC); must be local@domain.tld with one @, no spaces, at most 254 characters"
            }
            Field::Ph => {
                "digits only (any script → ASCII), extension dropped; +CC or 00CC kept, national numbers get the configured country code after their trunk 0; no leading zeros; 7–16 digits"
            }
            Field::Fn | Field::Ln => {
                "lowercase, punctuation, spaces and symbols removed, letters/digits of any script kept, Unicode NFC"
            }
            Field::Db => {
                "parsed to YYYYMMDD (ISO, YYYYMMDD, M/D/YYYY, D.M.YYYY, month names); year 1900 to this year; real calendar date"
            }
            Field::Ge => "f or m (female/male, woman/man and a few translations mapped)",
            Field::Ct => {
                "lowercase, letters only (any script, NFC): no spaces, digits or punctuation"
            }
            Field::St => {
                "lowercase, letters only (NFC); US state and Canadian province names → 2-letter code"
            }
            Field::Zp => {
                "lowercase, spaces and dashes removed; US (or ZIP+4 shaped): first 5 digits"
            }
            Field::Country => "ISO 3166-1 alpha-2, lowercase; names and alpha-3 codes mapped",
            Field::ExternalId => "spaces removed, lowercase, then hashed like the other keys",
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// Record-level context that some rules need.
#[derive(Debug, Clone, Copy, Default)]
pub struct Context<'a> {
    /// Country calling code added to national phone numbers (`"34"`, `"1"`; a leading `+`
    /// is ignored). A value that is not 1–3 digits is ignored.
    pub phone_country_code: Option<&'a str>,
    /// The record's country (ISO alpha-2, any case), or the configured default. Used by
    /// `zp` (US → 5 digits), `st` (US/CA name mapping only for `us`/`ca`/unknown) and, when
    /// [`Context::phone_country_code`] is unset, to find the calling code for national
    /// phone numbers.
    pub country: Option<&'a str>,
    /// Upper bound for `db` years. `0` (the [`Default`]) means "no upper bound"; callers
    /// should pass [`current_year`].
    pub current_year: i32,
}

impl<'a> Context<'a> {
    /// A context with all three parts given.
    pub const fn new(
        phone_country_code: Option<&'a str>,
        country: Option<&'a str>,
        current_year: i32,
    ) -> Self {
        Context {
            phone_country_code,
            country,
            current_year,
        }
    }

    /// A context with no phone default, no country and [`current_year`] read from the
    /// system clock.
    pub fn now() -> Self {
        Context::new(None, None, current_year())
    }

    /// Whether the context country is the United States.
    fn is_us(&self) -> bool {
        self.country
            .is_some_and(|c| c.trim().eq_ignore_ascii_case("us"))
    }
}

/// The current UTC year from the system clock (1970 if the clock is before the epoch).
pub fn current_year() -> i32 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    date::year_of_unix_days(i64::try_from(secs / 86_400).unwrap_or(0))
}

/// A normalized and hashed value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Normalized {
    /// The normalized text that was hashed (or the lowercased digest, if `was_hashed`).
    pub normalized: String,
    /// SHA-256 of `normalized` as 64 lowercase hex digits: the value sent to Meta.
    pub sha256: String,
    /// The input was already a SHA-256 hex digest and passed through lowercased.
    pub was_hashed: bool,
}

/// Why a value could not be normalized. [`fmt::Display`] (via [`ErrorKind::message`])
/// says what is wrong and how to fix it, never echoing the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Empty or only white space: the value is missing, not invalid.
    Empty,
    /// Longer than the field allows.
    TooLong,
    /// Email: no `@`.
    EmailNoAt,
    /// Email: more than one `@`.
    EmailManyAt,
    /// Email: white space or control characters inside.
    EmailSpace,
    /// Email: empty or over-long local part.
    EmailLocalPart,
    /// Email: the domain is not `label.label…tld`.
    EmailDomain,
    /// Phone: contains letters (other than an extension marker).
    PhoneLetters,
    /// Phone: contains symbols other than separators.
    PhoneSymbols,
    /// Phone: fewer than 7 digits.
    PhoneTooShort,
    /// Phone: more than 16 digits.
    PhoneTooLong,
    /// Phone: a national number and no country code to add.
    PhoneNoCountryCode,
    /// Name, city or state: nothing left after removing punctuation and spaces.
    NoLetters,
    /// Zip: characters other than letters, digits, spaces and dashes.
    ZipChars,
    /// Zip: shorter than 2 characters.
    ZipTooShort,
    /// Zip: the country is `us` but the zip is not 5 digits or ZIP+4.
    ZipNotUs,
    /// Country: not a known code or name.
    CountryUnknown,
    /// Gender: not f/m or a mapped word.
    GenderUnknown,
    /// Date: not a recognised format.
    DateFormat,
    /// Date: 2-digit year.
    DateTwoDigitYear,
    /// Date: year before 1900 or after the current year.
    DateYearRange,
    /// Date: month outside 1–12.
    DateMonth,
    /// Date: day not in the month.
    DateDay,
}

impl ErrorKind {
    /// The predicate of the error message ("has no `@`"); the field description goes
    /// before it.
    pub const fn message(self) -> &'static str {
        match self {
            ErrorKind::Empty => "is empty",
            ErrorKind::TooLong => "is too long",
            ErrorKind::EmailNoAt => "has no `@`",
            ErrorKind::EmailManyAt => "has more than one `@`",
            ErrorKind::EmailSpace => "contains spaces or control characters",
            ErrorKind::EmailLocalPart => {
                "has an empty or over-long part before the `@` (1 to 64 bytes)"
            }
            ErrorKind::EmailDomain => {
                "has no valid domain after the `@` (dot-separated labels of letters, digits and `-`, ending in a top-level domain of 2+ letters)"
            }
            ErrorKind::PhoneLetters => {
                "contains letters: write vanity numbers as digits; an extension may follow `ext`, `x` or `#`"
            }
            ErrorKind::PhoneSymbols => {
                "contains characters other than digits, spaces, `+`, `-`, `.`, `/` and parentheses"
            }
            ErrorKind::PhoneTooShort => "has fewer than 7 digits",
            ErrorKind::PhoneTooLong => "has more than 16 digits",
            ErrorKind::PhoneNoCountryCode => {
                "has no country code: set `server.defaults.phone_country_code` or write it with +CC"
            }
            ErrorKind::NoLetters => "has no letters left after removing punctuation and spaces",
            ErrorKind::ZipChars => {
                "contains characters other than letters, digits, spaces and dashes"
            }
            ErrorKind::ZipTooShort => "is shorter than 2 characters",
            ErrorKind::ZipNotUs => {
                "is not a US ZIP code (5 digits or ZIP+4) although the country is `us`"
            }
            ErrorKind::CountryUnknown => {
                "is not an ISO 3166-1 country code or a known country name: write the alpha-2 code, e.g. `us`, `gb`, `es`"
            }
            ErrorKind::GenderUnknown => {
                "is not `f` or `m` (female/male and woman/man are also accepted)"
            }
            ErrorKind::DateFormat => "is not a recognised date: write YYYY-MM-DD or YYYYMMDD",
            ErrorKind::DateTwoDigitYear => "has a 2-digit year: write the year with 4 digits",
            ErrorKind::DateYearRange => "has a year before 1900 or after the current year",
            ErrorKind::DateMonth => "has a month outside 1–12",
            ErrorKind::DateDay => "has a day that does not exist in its month",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

/// A value of `field` that could not be normalized. The message never contains the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} {}", field.describe(), kind.message())]
pub struct NormalizeError {
    /// The field being normalized.
    pub field: Field,
    /// What is wrong.
    pub kind: ErrorKind,
}

impl NormalizeError {
    /// Whether the value was simply missing (empty or white space), not invalid.
    pub const fn is_empty(&self) -> bool {
        matches!(self.kind, ErrorKind::Empty)
    }
}

/// Normalizes one raw value of `field` to the text Meta hashes (unhashed). A 64-hex input
/// is returned lowercased. See the module docs and [`Field::rule`].
pub fn normalize(field: Field, input: &str, cx: &Context) -> Result<String, NormalizeError> {
    let t = text::trim(input);
    if t.is_empty() {
        return Err(NormalizeError {
            field,
            kind: ErrorKind::Empty,
        });
    }
    if let Some(h) = hashed::canonical(t) {
        return Ok(h);
    }
    normalize_trimmed(field, t, cx).map_err(|kind| NormalizeError { field, kind })
}

/// Normalizes one raw value of `field` and hashes it with SHA-256. A 64-hex input passes
/// through lowercased with [`Normalized::was_hashed`] set.
pub fn normalize_and_hash(
    field: Field,
    input: &str,
    cx: &Context,
) -> Result<Normalized, NormalizeError> {
    let t = text::trim(input);
    if t.is_empty() {
        return Err(NormalizeError {
            field,
            kind: ErrorKind::Empty,
        });
    }
    if let Some(lower) = hashed::canonical(t) {
        return Ok(Normalized {
            sha256: lower.clone(),
            normalized: lower,
            was_hashed: true,
        });
    }
    let normalized =
        normalize_trimmed(field, t, cx).map_err(|kind| NormalizeError { field, kind })?;
    let sha256 = sha256_hex(normalized.as_bytes());
    Ok(Normalized {
        normalized,
        sha256,
        was_hashed: false,
    })
}

/// Dispatches a trimmed, non-empty, not-yet-hashed value to its field rule.
fn normalize_trimmed(field: Field, t: &str, cx: &Context) -> Result<String, ErrorKind> {
    match field {
        Field::Em => email::email(t),
        Field::Ph => phone::phone(t, cx),
        Field::Fn | Field::Ln => name::name(t),
        Field::Db => date::date(t, cx.current_year),
        Field::Ge => gender::gender(t),
        Field::Ct => location::city(t),
        Field::St => location::state(t, cx),
        Field::Zp => location::zip(t, cx),
        Field::Country => location::country(t),
        Field::ExternalId => Ok(external_id(t)),
    }
}

/// `external_id`: white space removed anywhere, lowercased — what Meta's
/// `capi-param-builder` does before hashing it. Never empty (the input is trimmed and
/// non-empty, and only white space is removed).
fn external_id(t: &str) -> String {
    if t.is_ascii() {
        let mut out = String::with_capacity(t.len());
        for &b in t.as_bytes() {
            if !(b.is_ascii_whitespace() || b.is_ascii_control()) {
                out.push(char::from(b.to_ascii_lowercase()));
            }
        }
        return out;
    }
    let kept: String = t.chars().filter(|&c| !text::is_trim_char(c)).collect();
    kept.to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    const CX: Context<'static> = Context::new(None, None, 2026);

    fn h(field: Field, input: &str, cx: &Context) -> String {
        match normalize_and_hash(field, input, cx) {
            Ok(n) => n.sha256,
            Err(e) => format!("error: {e}"),
        }
    }

    /// Meta's published example hashes ([CAPI-USER], rule 68).
    #[test]
    fn meta_published_examples() {
        assert_eq!(
            h(Field::Em, "John_Smith@gmail.com", &CX),
            "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f"
        );
        let us = Context::new(Some("1"), None, 2026);
        assert_eq!(
            h(Field::Ph, "(650)555-1212", &us),
            "e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176"
        );
        let us_by_country = Context::new(None, Some("us"), 2026);
        assert_eq!(
            h(Field::Ph, "(650)555-1212", &us_by_country),
            "e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176"
        );
        assert_eq!(
            h(Field::Fn, "Mary", &CX),
            "6915771be1c5aa0c886870b6951b03d7eafc121fea0e80a5ea83beb7c449f4ec"
        );
        assert_eq!(
            h(Field::Fn, "정", &CX),
            "8fa8cd9c440be61d0151429310034083132b35975c4bea67fdd74158eb51db14"
        );
        for valery in ["Valéry", "Vale\u{301}ry", "VALÉRY"] {
            assert_eq!(
                h(Field::Fn, valery, &CX),
                "08e1996b5dd49e62a4b4c010d44e4345592a863bb9f8e3976219bac29417149c"
            );
        }
        assert_eq!(
            h(Field::Db, "2/16/1997", &CX),
            "01acdbf6ec7b4f478a225f1a246e5d6767eeab1a7ffa17f025265b5b94f40f0c"
        );
        assert_eq!(
            h(Field::Country, "United States", &CX),
            "79adb2a2fce5c6ba215fe5f27f532d4e7edbac4b6a5e09e1ef3a08084a904621"
        );
    }

    #[test]
    fn field_keys_round_trip() {
        for f in Field::ALL {
            assert_eq!(Field::from_key(f.key()), Some(f));
            assert!(!f.describe().is_empty());
            assert!(!f.rule().is_empty());
        }
        assert_eq!(Field::from_key("email"), Some(Field::Em));
        assert_eq!(Field::from_key("EM"), None);
    }

    #[test]
    fn empty_is_distinguishable() {
        for f in Field::ALL {
            for input in ["", "   ", "\t\n", "\u{feff}", "\u{3000}\u{200b}"] {
                let e = normalize(f, input, &CX).err();
                assert_eq!(e.map(|e| e.kind), Some(ErrorKind::Empty), "{f} {input:?}");
            }
        }
    }

    #[test]
    fn hashed_values_pass_through_lowercased() {
        let upper = "08168CD80DFD534AB0F10AF10F1303FE00AF2D43AB5C1432360D137F819C0AA1";
        for f in Field::ALL {
            let n = normalize_and_hash(f, &format!(" {upper} "), &CX);
            let n = n.ok();
            assert_eq!(
                n.as_ref().map(|n| n.normalized.as_str()),
                Some(upper.to_ascii_lowercase().as_str())
            );
            assert_eq!(n.as_ref().map(|n| n.was_hashed), Some(true));
            assert_eq!(
                n.as_ref().map(|n| n.sha256.clone()),
                Some(upper.to_ascii_lowercase())
            );
        }
        // The Parameter Builder's appendix is part of Meta's hashed form (meta::hashed):
        // recognised as hashed, not hashed a second time, and its case kept.
        let with_appendix = format!("{upper}.AbCdEf12");
        let n = normalize_and_hash(Field::Em, &with_appendix, &CX).ok();
        assert_eq!(n.as_ref().map(|n| n.was_hashed), Some(true));
        assert_eq!(
            n.map(|n| n.sha256),
            Some(format!("{}.AbCdEf12", upper.to_ascii_lowercase()))
        );
        // MD5 is not SHA-256: hashed like any other name.
        let md5 = "b418773a2c51fb9777a1648346fa7394";
        let n = normalize_and_hash(Field::Fn, md5, &CX).ok();
        assert_eq!(n.as_ref().map(|n| n.was_hashed), Some(false));
        assert_eq!(n.map(|n| n.sha256), Some(sha256_hex(md5.as_bytes())));
    }

    #[test]
    fn errors_do_not_echo_the_value() {
        let secret = "Secret-Value-123!";
        for f in Field::ALL {
            if let Err(e) = normalize(f, &format!("{secret} @@ ###"), &CX) {
                let msg = e.to_string();
                assert!(!msg.contains("Secret"), "{msg}");
                assert!(msg.starts_with(f.describe()), "{msg}");
            }
        }
        let e = normalize(Field::Em, "nope", &CX)
            .err()
            .map(|e| e.to_string());
        assert_eq!(e.as_deref(), Some("email address has no `@`"));
    }

    #[test]
    fn external_id_is_trimmed_lowercased_and_hashed() {
        assert_eq!(
            normalize(Field::ExternalId, "  User-123 ", &CX)
                .ok()
                .as_deref(),
            Some("user-123")
        );
        assert_eq!(
            normalize(Field::ExternalId, "a b\u{a0}C", &CX)
                .ok()
                .as_deref(),
            Some("abc")
        );
        assert_eq!(
            normalize(Field::ExternalId, "КЛЮЧ", &CX).ok().as_deref(),
            Some("ключ")
        );
    }

    /// Hostile input never panics, for every field, with and without context.
    #[test]
    fn hostile_input_never_panics() {
        let long_a = "A".repeat(5_000);
        let long_e = "é".repeat(5_000);
        let long_digits = "1".repeat(5_000);
        let long_email = format!("{}@example.com", "a".repeat(5_000));
        let inputs: Vec<&str> = vec![
            &long_a,
            &long_e,
            &long_digits,
            &long_email,
            "\0",
            "a\0b",
            "\0@\0.\0",
            "😀",
            "👨‍👩‍👧‍👦@example.com",
            "+😀1234567",
            "מרים",
            "\u{202e}evil\u{202c}",
            "\u{301}\u{301}\u{301}",
            "e\u{301}\u{302}\u{303}\u{304}",
            "İ",
            "ẞ",
            "\u{10FFFF}",
            "\u{FFFD}",
            "--",
            "((0))",
            "+(0)",
            "0",
            "00000000000000000000",
            "1/2/3/4/5",
            "99999999",
            "2/30/2000",
            "t",
            "x",
            "#",
            "@",
            ".",
            "-",
            "١٢٣٤٥٦٧٨٩٠١٢",
        ];
        let cxs = [
            CX,
            Context::new(Some("34"), Some("es"), 2026),
            Context::new(Some("+1"), Some("US"), 2026),
            Context::new(Some("bogus"), Some("zz"), 0),
        ];
        for f in Field::ALL {
            for input in &inputs {
                for cx in &cxs {
                    let r = normalize_and_hash(f, input, cx);
                    if let Ok(n) = r {
                        assert!(!n.normalized.is_empty(), "{f} {input:?}");
                        assert!(hashed::hash_form(&n.sha256) == hashed::HashForm::Lower);
                    }
                }
            }
        }
    }

    #[test]
    fn current_year_is_plausible() {
        let y = current_year();
        assert!((2024..2200).contains(&y), "{y}");
    }
}

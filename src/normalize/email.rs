//! `em`: trim, lowercase, and require a real address shape.
//!
//! Meta: "Trim leading and trailing spaces; lowercase everything". The shape check is
//! tagc's: one `@`; a local part of 1–64 bytes with no white space or control characters
//! (dots, quotes and non-ASCII letters are left to the mailbox provider, as Python's SDK
//! does: `first..last@` addresses exist); a domain of at least two dot-separated labels of
//! letters and combining marks (any script), digits and `-` (not at a label's ends, at
//! most 63 bytes each), whose last label (the TLD) is 2+ letters of any script or a
//! Punycode A-label such as `xn--p1ai` (`.рф`). At most 254 bytes in all (RFC 5321).
//! Non-ASCII addresses are put in NFC.

use super::ErrorKind;
use super::text::{is_invisible, nfc};

/// RFC 5321 limit for a whole address.
const MAX_LEN: usize = 254;

pub(super) fn email(t: &str) -> Result<String, ErrorKind> {
    if t.len() > MAX_LEN * 4 {
        return Err(ErrorKind::TooLong);
    }
    let s = if t.is_ascii() {
        t.to_ascii_lowercase()
    } else {
        nfc(t.to_lowercase())
    };
    if s.len() > MAX_LEN {
        return Err(ErrorKind::TooLong);
    }
    check_shape(&s)?;
    Ok(s)
}

fn check_shape(s: &str) -> Result<(), ErrorKind> {
    if s.chars()
        .any(|c| c.is_whitespace() || c.is_control() || is_invisible(c))
    {
        return Err(ErrorKind::EmailSpace);
    }
    let Some((local, domain)) = s.split_once('@') else {
        return Err(ErrorKind::EmailNoAt);
    };
    if domain.contains('@') {
        return Err(ErrorKind::EmailManyAt);
    }
    if local.is_empty() || local.len() > 64 {
        return Err(ErrorKind::EmailLocalPart);
    }
    let mut labels = 0usize;
    let mut last = "";
    for label in domain.split('.') {
        if !is_label(label) {
            return Err(ErrorKind::EmailDomain);
        }
        labels += 1;
        last = label;
    }
    if labels < 2 || !is_tld(last) {
        return Err(ErrorKind::EmailDomain);
    }
    Ok(())
}

/// A host-name label: ASCII letters, digits and `-` (an A-label such as `xn--p1ai` is
/// one), or a Unicode label (U-label) of letters, digits and combining marks of any
/// script. Not empty, no `-` at either end, no mark first. At most 63 bytes for ASCII
/// labels (RFC 1035); a U-label may have at most 63 characters, a lenient bound of its
/// A-label's 63 bytes (its Punycode form is never shorter than its character count).
fn is_label(label: &str) -> bool {
    let Some(first) = label.chars().next() else {
        return false;
    };
    let len_ok = if label.is_ascii() {
        label.len() <= 63
    } else {
        label.chars().count() <= 63
    };
    len_ok
        && !label.starts_with('-')
        && !label.ends_with('-')
        && !is_mark(first)
        && label
            .chars()
            .all(|c| c == '-' || c.is_alphanumeric() || is_mark(c))
}

/// A top-level domain: ASCII letters only (`com`, `museum`), an A-label (`xn--p1ai`, the
/// Punycode form of `.рф`, has digits and dashes), or a Unicode name whose letters and
/// marks are of any script (`рф`, `भारत`, `இந்தியா`, whose virama is a mark, not a
/// letter). Never all digits (RFC 3696 §2), at least 2 characters.
fn is_tld(tld: &str) -> bool {
    if tld.chars().count() < 2 {
        return false;
    }
    if tld.is_ascii() {
        return tld.bytes().all(|b| b.is_ascii_alphabetic())
            || tld.strip_prefix("xn--").is_some_and(|rest| {
                !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            });
    }
    tld.chars().all(|c| c.is_alphabetic() || is_mark(c))
}

fn is_mark(c: char) -> bool {
    !c.is_ascii() && unicode_normalization::char::is_combining_mark(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> Option<String> {
        email(s).ok()
    }
    fn err(s: &str) -> Option<ErrorKind> {
        email(s).err()
    }

    #[test]
    fn lowercases() {
        assert_eq!(
            ok("John_Smith@Gmail.COM").as_deref(),
            Some("john_smith@gmail.com")
        );
        assert_eq!(ok("JOSÉ@Example.com").as_deref(), Some("josé@example.com"));
        assert_eq!(
            ok("jose\u{301}@example.com").as_deref(),
            Some("josé@example.com")
        );
        assert_eq!(ok("user@müller.de").as_deref(), Some("user@müller.de"));
        assert_eq!(
            ok("first..last@example.com").as_deref(),
            Some("first..last@example.com")
        );
        assert_eq!(
            ok("a+tag@sub.example.co.uk").as_deref(),
            Some("a+tag@sub.example.co.uk")
        );
    }

    /// Internationalized top-level domains: the Punycode form (digits and dashes) and the
    /// Unicode form, including scripts whose words have combining marks (Tamil's virama
    /// is a mark, not a letter). These were refused by a "no digit" TLD rule.
    #[test]
    fn idn_top_level_domains() {
        for addr in [
            "user@example.xn--p1ai",
            "USER@EXAMPLE.XN--P1AI",
            "user@xn--80ak6aa92e.xn--p1ai",
            "user@пример.рф",
            "user@example.xn--xkc2dl3a5ee0h",
            "user@example.இந்தியா",
            "user@हिंदी.भारत",
            "user@example.ไทย",
            "user@example.中国",
            "user@example.museum",
        ] {
            assert!(email(addr).is_ok(), "{addr}");
        }
        assert_eq!(
            ok("user@example.XN--P1AI").as_deref(),
            Some("user@example.xn--p1ai")
        );
        for addr in [
            "user@example.xn--",
            "user@example.xn--p1ai-",
            "user@example.x1",
            "user@example.123",
            "user@example.\u{301}x",
            "user@example.р",
            "user@\u{94d}x.com",
        ] {
            assert_eq!(err(addr), Some(ErrorKind::EmailDomain), "{addr}");
        }
    }

    #[test]
    fn rejects_bad_shapes() {
        assert_eq!(err("no-at.example.com"), Some(ErrorKind::EmailNoAt));
        assert_eq!(err("two@@example.com"), Some(ErrorKind::EmailManyAt));
        assert_eq!(err("a@b@c.com"), Some(ErrorKind::EmailManyAt));
        assert_eq!(err("@example.com"), Some(ErrorKind::EmailLocalPart));
        assert_eq!(err("user@localhost"), Some(ErrorKind::EmailDomain));
        assert_eq!(err("user@example."), Some(ErrorKind::EmailDomain));
        assert_eq!(err("user@.example.com"), Some(ErrorKind::EmailDomain));
        assert_eq!(err("user@-x.com"), Some(ErrorKind::EmailDomain));
        assert_eq!(err("a@b.c"), Some(ErrorKind::EmailDomain));
        assert_eq!(err("1234@5678.90"), Some(ErrorKind::EmailDomain));
        assert_eq!(err("user@[192.168.0.1]"), Some(ErrorKind::EmailDomain));
        assert_eq!(err("user@exa_mple.com"), Some(ErrorKind::EmailDomain));
        assert_eq!(err("user name@example.com"), Some(ErrorKind::EmailSpace));
        assert_eq!(
            err("user@example.com\u{200b}x"),
            Some(ErrorKind::EmailSpace)
        );
        assert_eq!(err("a\0b@example.com"), Some(ErrorKind::EmailSpace));
        let long_local = format!("{}@example.com", "a".repeat(65));
        assert_eq!(err(&long_local), Some(ErrorKind::EmailLocalPart));
    }

    #[test]
    fn hostile() {
        assert_eq!(err(&"A".repeat(5_000)), Some(ErrorKind::TooLong));
        assert_eq!(
            err(&format!("{}@x.com", "é".repeat(200))),
            Some(ErrorKind::TooLong)
        );
        assert_eq!(err("😀@😀.com"), Some(ErrorKind::EmailDomain));
        assert!(ok("😀@example.com").is_some());
        assert_eq!(err("\u{202e}@example.com"), Some(ErrorKind::EmailSpace));
        assert!(email("\u{301}@example.com").is_ok());
    }
}

//! `em`: trim, lowercase, and require a real address shape.
//!
//! Meta: "Trim leading and trailing spaces; lowercase everything". The shape check is
//! tagc's: one `@`; a local part of 1–64 bytes with no white space or control characters
//! (dots, quotes and non-ASCII letters are left to the mailbox provider, as Python's SDK
//! does: `first..last@` addresses exist); a domain of at least two dot-separated labels of
//! letters (any script), digits and `-` (not at a label's ends, at most 63 bytes each),
//! whose last label has 2+ characters and no digit. At most 254 bytes in all (RFC 5321).
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
        let ok_chars = label.chars().all(|c| c == '-' || c.is_alphanumeric());
        if label.is_empty()
            || label.len() > 63
            || !ok_chars
            || label.starts_with('-')
            || label.ends_with('-')
        {
            return Err(ErrorKind::EmailDomain);
        }
        labels += 1;
        last = label;
    }
    let tld_ok = last.chars().count() >= 2 && !last.chars().any(|c| c.is_numeric());
    if labels < 2 || !tld_ok {
        return Err(ErrorKind::EmailDomain);
    }
    Ok(())
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

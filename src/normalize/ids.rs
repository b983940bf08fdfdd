//! Validation of the never-hashed identifiers: `client_ip_address`, `fbc`, `fbp`.
//!
//! These are sent as they are (Meta: "Do not hash"), so they are checked, not normalized.
//! [`validate_id`] trims the value and returns the text to send:
//!
//! - `client_ip_address`: an IPv4 or IPv6 address as parsed by `std` (no zone ids, no
//!   spaces inside, no brackets or port), returned in canonical form (IPv6 compressed,
//!   lowercase). Private or loopback addresses are accepted here; warning about them is the
//!   validator's job.
//! - `fbc`: `fb.{subdomain index}.{creation time}.{fbclid}` with an optional 5th part, the
//!   Parameter Builder appendix (2 or 8 characters of `A–Z a–z 0–9 _ -`). The subdomain
//!   index is digits; the creation time is 13 digits of Unix **milliseconds** (10 digits
//!   is reported as "seconds"); the fbclid is printable ASCII without `.`. The fbclid's
//!   case is preserved: Meta says it is case-sensitive.
//! - `fbp`: `fb.{subdomain index}.{creation time}.{random number}` + optional appendix;
//!   the random number is digits.
//!
//! A value that looks SHA-256 hashed is rejected: Meta wants these unhashed.

use std::fmt;
use std::net::IpAddr;

use super::text::trim;
use crate::meta::looks_hashed;

/// A never-hashed identifier key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IdKey {
    /// `client_ip_address`.
    ClientIpAddress,
    /// `fbc`: the click ID.
    Fbc,
    /// `fbp`: the browser ID.
    Fbp,
}

impl IdKey {
    /// Every key.
    pub const ALL: [IdKey; 3] = [IdKey::ClientIpAddress, IdKey::Fbc, IdKey::Fbp];

    /// The CAPI `user_data` key.
    pub const fn key(self) -> &'static str {
        match self {
            IdKey::ClientIpAddress => "client_ip_address",
            IdKey::Fbc => "fbc",
            IdKey::Fbp => "fbp",
        }
    }

    /// The key for a CAPI key name.
    pub fn from_key(key: &str) -> Option<IdKey> {
        IdKey::ALL.into_iter().find(|k| k.key() == key)
    }
}

impl fmt::Display for IdKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// What is wrong with an identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum IdErrorKind {
    /// Empty or white space only.
    Empty,
    /// A SHA-256 hex digest where an unhashed value is expected.
    Hashed,
    /// Not an IPv4 or IPv6 address.
    NotIp,
    /// White space inside.
    Spaces,
    /// Does not start with `fb.`.
    Prefix,
    /// Not 4 or 5 dot-separated parts.
    Parts,
    /// The subdomain index is not digits.
    SubdomainIndex,
    /// The creation time has 10 digits: seconds, not milliseconds.
    CreationTimeSeconds,
    /// The creation time is not 13 digits.
    CreationTime,
    /// The fbclid is empty or has characters outside printable ASCII.
    Fbclid,
    /// The fbp random number is not digits.
    RandomNumber,
    /// The appendix is not 2 or 8 characters of `A–Z a–z 0–9 _ -`.
    Appendix,
}

impl IdErrorKind {
    /// The predicate of the error message.
    pub const fn message(self) -> &'static str {
        match self {
            IdErrorKind::Empty => "is empty",
            IdErrorKind::Hashed => "looks SHA-256 hashed: Meta wants this value unhashed",
            IdErrorKind::NotIp => "is not an IPv4 or IPv6 address",
            IdErrorKind::Spaces => "contains spaces",
            IdErrorKind::Prefix => "does not start with `fb.`",
            IdErrorKind::Parts => {
                "must have 4 or 5 dot-separated parts: fb.{subdomain index}.{creation time}.{value}[.{appendix}]"
            }
            IdErrorKind::SubdomainIndex => {
                "has a subdomain index that is not a number (use 1 when building it on the server)"
            }
            IdErrorKind::CreationTimeSeconds => {
                "has a creation time in seconds (10 digits): Meta wants Unix milliseconds (13 digits)"
            }
            IdErrorKind::CreationTime => {
                "has a creation time that is not 13 digits of Unix milliseconds"
            }
            IdErrorKind::Fbclid => {
                "has an empty click ID or one with characters other than printable ASCII"
            }
            IdErrorKind::RandomNumber => "has a random part that is not digits",
            IdErrorKind::Appendix => {
                "has an appendix that is not 2 or 8 characters of A–Z, a–z, 0–9, `_` and `-`"
            }
        }
    }
}

/// An identifier that failed validation. The message never contains the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{key}` {}", kind.message())]
pub struct IdError {
    /// The identifier key.
    pub key: IdKey,
    /// What is wrong.
    pub kind: IdErrorKind,
}

/// Validates a never-hashed identifier and returns the text to send: trimmed, and for
/// IP addresses in canonical form. `fbc`/`fbp` are otherwise returned exactly as given
/// (never lowercased).
pub fn validate_id(key: IdKey, value: &str) -> Result<String, IdError> {
    let t = trim(value);
    let r = if t.is_empty() {
        Err(IdErrorKind::Empty)
    } else if looks_hashed(t) {
        Err(IdErrorKind::Hashed)
    } else {
        match key {
            IdKey::ClientIpAddress => ip(t),
            IdKey::Fbc => fb_cookie(t, false),
            IdKey::Fbp => fb_cookie(t, true),
        }
    };
    r.map_err(|kind| IdError { key, kind })
}

fn ip(t: &str) -> Result<String, IdErrorKind> {
    if t.chars().any(char::is_whitespace) {
        return Err(IdErrorKind::Spaces);
    }
    match t.parse::<IpAddr>() {
        // A dotted quad that parses is already canonical (no leading zeros, four
        // decimal parts): the text as written, without formatting it again.
        Ok(IpAddr::V4(_)) => Ok(t.to_owned()),
        Ok(a) => Ok(a.to_string()),
        Err(_) => Err(IdErrorKind::NotIp),
    }
}

fn fb_cookie(t: &str, fbp: bool) -> Result<String, IdErrorKind> {
    if t.chars().any(char::is_whitespace) {
        return Err(IdErrorKind::Spaces);
    }
    let Some(rest) = t.strip_prefix("fb.") else {
        return Err(IdErrorKind::Prefix);
    };
    let mut parts = rest.split('.');
    let (Some(index), Some(time), Some(value)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(IdErrorKind::Parts);
    };
    let appendix = parts.next();
    if parts.next().is_some() {
        return Err(IdErrorKind::Parts);
    }
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(index) || index.len() > 3 {
        return Err(IdErrorKind::SubdomainIndex);
    }
    if !digits(time) || time.len() != 13 {
        return Err(if digits(time) && time.len() == 10 {
            IdErrorKind::CreationTimeSeconds
        } else {
            IdErrorKind::CreationTime
        });
    }
    if fbp {
        if !digits(value) {
            return Err(IdErrorKind::RandomNumber);
        }
    } else if value.is_empty() || !value.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(IdErrorKind::Fbclid);
    }
    if let Some(a) = appendix {
        let ok = (a.len() == 2 || a.len() == 8)
            && a.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !ok {
            return Err(IdErrorKind::Appendix);
        }
    }
    Ok(t.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dotted_quad_that_parses_is_sent_as_written() {
        for t in [
            "0.0.0.0",
            "255.255.255.255",
            "203.0.113.7",
            "010.1.1.1",
            "1.2.3.04",
        ] {
            match t.parse::<std::net::Ipv4Addr>() {
                Ok(a) => assert_eq!(ip(t).as_deref(), Ok(a.to_string().as_str()), "{t}"),
                Err(_) => assert!(ip(t).is_err(), "{t}"),
            }
        }
        assert_eq!(ip("2001:DB8::0:1").as_deref(), Ok("2001:db8::1"));
    }

    fn kind(key: IdKey, v: &str) -> Option<IdErrorKind> {
        validate_id(key, v).err().map(|e| e.kind)
    }

    #[test]
    fn ips() {
        let ok = |v: &str| validate_id(IdKey::ClientIpAddress, v).ok();
        assert_eq!(ok(" 168.212.226.204 ").as_deref(), Some("168.212.226.204"));
        assert_eq!(
            ok("2001:0DB8:85a3:0000:0000:8a2e:0370:7334").as_deref(),
            Some("2001:db8:85a3::8a2e:370:7334")
        );
        assert_eq!(
            kind(IdKey::ClientIpAddress, "1.2.3"),
            Some(IdErrorKind::NotIp)
        );
        assert_eq!(
            kind(IdKey::ClientIpAddress, "1.2.3.4 5"),
            Some(IdErrorKind::Spaces)
        );
        assert_eq!(
            kind(IdKey::ClientIpAddress, "fe80::1%eth0"),
            Some(IdErrorKind::NotIp)
        );
        assert_eq!(
            kind(IdKey::ClientIpAddress, "[::1]:80"),
            Some(IdErrorKind::NotIp)
        );
        assert_eq!(kind(IdKey::ClientIpAddress, ""), Some(IdErrorKind::Empty));
        assert_eq!(kind(IdKey::ClientIpAddress, "😀"), Some(IdErrorKind::NotIp));
    }

    #[test]
    fn fbc() {
        let v = "fb.1.1554763741205.IwAR2F4-dbP0l7Mn1IawQQGCINEz7PYXQvwjNwB_qa2ofrHyiLjcbCRxTDMgk";
        assert_eq!(validate_id(IdKey::Fbc, v).ok().as_deref(), Some(v));
        let with_appendix = format!("{v}.AQ");
        assert!(validate_id(IdKey::Fbc, &with_appendix).is_ok());
        assert!(validate_id(IdKey::Fbc, &format!("{v}.AQQCAQMB")).is_ok());
        assert_eq!(
            kind(IdKey::Fbc, &format!("{v}.ABC")),
            Some(IdErrorKind::Appendix)
        );
        assert_eq!(
            kind(IdKey::Fbc, "fb.1.1554763741.AbC"),
            Some(IdErrorKind::CreationTimeSeconds)
        );
        assert_eq!(
            kind(IdKey::Fbc, "fb.1.155476374120.AbC"),
            Some(IdErrorKind::CreationTime)
        );
        assert_eq!(
            kind(IdKey::Fbc, "FB.1.1554763741205.AbC"),
            Some(IdErrorKind::Prefix)
        );
        assert_eq!(
            kind(IdKey::Fbc, "fb.x.1554763741205.AbC"),
            Some(IdErrorKind::SubdomainIndex)
        );
        assert_eq!(
            kind(IdKey::Fbc, "fb.1.1554763741205"),
            Some(IdErrorKind::Parts)
        );
        assert_eq!(
            kind(IdKey::Fbc, "fb.1.1554763741205."),
            Some(IdErrorKind::Fbclid)
        );
        assert_eq!(
            kind(IdKey::Fbc, "fb.1.1554763741205.a.b.c"),
            Some(IdErrorKind::Parts)
        );
        assert_eq!(
            kind(IdKey::Fbc, "fb.1.1554763741205.a b"),
            Some(IdErrorKind::Spaces)
        );
        assert_eq!(
            kind(IdKey::Fbc, "fb.1.1554763741205.é"),
            Some(IdErrorKind::Fbclid)
        );
        // Case is preserved.
        let mixed = "fb.2.1554763741205.AbCdEf";
        assert_eq!(validate_id(IdKey::Fbc, mixed).ok().as_deref(), Some(mixed));
    }

    #[test]
    fn fbp() {
        let v = "fb.1.1596403881668.1116446470";
        assert_eq!(validate_id(IdKey::Fbp, v).ok().as_deref(), Some(v));
        assert!(validate_id(IdKey::Fbp, &format!("{v}.Bg")).is_ok());
        assert_eq!(
            kind(IdKey::Fbp, "fb.1.1596403881668.abc"),
            Some(IdErrorKind::RandomNumber)
        );
        assert_eq!(
            kind(IdKey::Fbp, "fb.1.1596403881.1116446470"),
            Some(IdErrorKind::CreationTimeSeconds)
        );
        let hashed = super::super::sha256_hex(b"x");
        assert_eq!(kind(IdKey::Fbp, &hashed), Some(IdErrorKind::Hashed));
        assert_eq!(
            kind(IdKey::Fbp, &"9".repeat(5_000)),
            Some(IdErrorKind::Prefix)
        );
    }

    #[test]
    fn keys_and_messages() {
        for k in IdKey::ALL {
            assert_eq!(IdKey::from_key(k.key()), Some(k));
        }
        let e = validate_id(IdKey::Fbc, "fb.1.1554763741.secretclick").err();
        let msg = e.map(|e| e.to_string()).unwrap_or_default();
        assert!(
            msg.starts_with("`fbc` has a creation time in seconds"),
            "{msg}"
        );
        assert!(!msg.contains("secret"));
    }
}

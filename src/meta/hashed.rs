//! What a SHA-256 value looks like to Meta: 64 hex digits, optionally followed by the
//! Parameter Builder's appendix (`meta.md` §5.1, §10.4, rules 49–51). Normalization
//! (recognising input that is already hashed), the mapping and the request rules all use
//! this one rule.

/// How a hashed-field value looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashForm {
    /// 64 lower-case hex digits (optionally with a Parameter Builder appendix).
    Lower,
    /// 64 hex digits with some in upper case.
    Upper,
    /// Anything else: not a SHA-256 hash.
    NotHashed,
}

/// How `s` looks as a SHA-256 hash: 64 hex digits, optionally followed by the
/// Parameter Builder's `.{appendix}` of 2 or 8 base64url characters (meta.md §10.4).
#[must_use]
pub fn hash_form(s: &str) -> HashForm {
    let b = s.as_bytes();
    let (hex, appendix) = if b.len() > 64 {
        (&b[..64], Some(&b[64..]))
    } else {
        (b, None)
    };
    if hex.len() != 64 {
        return HashForm::NotHashed;
    }
    // Branch-free over the 64 bytes (this runs for every hashed value tagc sends).
    let (mut bad, mut upper) = (false, false);
    for &c in hex {
        let digit = c.wrapping_sub(b'0') < 10;
        let lower = c.wrapping_sub(b'a') < 6;
        let up = c.wrapping_sub(b'A') < 6;
        bad |= !(digit | lower | up);
        upper |= up;
    }
    if bad {
        return HashForm::NotHashed;
    }
    if let Some(a) = appendix
        && !(a.first() == Some(&b'.') && is_appendix(&a[1..]))
    {
        return HashForm::NotHashed;
    }
    if upper {
        HashForm::Upper
    } else {
        HashForm::Lower
    }
}

/// Whether `a` is a Parameter Builder appendix: 2 or 8 base64url characters (§10.4).
#[must_use]
pub fn is_appendix(a: &[u8]) -> bool {
    (a.len() == 2 || a.len() == 8)
        && a.iter()
            .all(|&c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-')
}

/// Whether `s` is a 64-hex SHA-256 value (either case), the form never-hashed ids must
/// not have.
#[must_use]
pub fn looks_hashed(s: &str) -> bool {
    hash_form(s) != HashForm::NotHashed
}

/// The form Meta wants of a value that is already a SHA-256 hash: the 64 hex digits
/// lowercased, an appendix kept exactly as it is (it is base64url, so case matters).
/// `None` when `s` is not a hash.
#[must_use]
pub fn canonical(s: &str) -> Option<String> {
    match hash_form(s) {
        HashForm::NotHashed => None,
        HashForm::Lower => Some(s.to_owned()),
        HashForm::Upper => {
            let (hex, rest) = s.split_at(64);
            Some(format!("{}{rest}", hex.to_ascii_lowercase()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: &str = "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f";

    #[test]
    fn forms() {
        assert_eq!(hash_form(H), HashForm::Lower);
        assert_eq!(hash_form(&H.to_ascii_uppercase()), HashForm::Upper);
        assert_eq!(hash_form(&format!("{H}.AQ")), HashForm::Lower);
        assert_eq!(hash_form(&format!("{H}.AbCdEf12")), HashForm::Lower);
        assert_eq!(hash_form(&format!("{H}.A")), HashForm::NotHashed);
        assert_eq!(hash_form(&format!("{H}0")), HashForm::NotHashed);
        assert_eq!(hash_form(&H[1..]), HashForm::NotHashed);
        assert_eq!(hash_form(&H.replace('a', "g")), HashForm::NotHashed);
        assert_eq!(hash_form(&"é".repeat(32)), HashForm::NotHashed);
        assert_eq!(hash_form(""), HashForm::NotHashed);
    }

    #[test]
    fn canonical_lowercases_the_digest_only() {
        let upper = format!("{}.AbCdEf12", H.to_ascii_uppercase());
        assert_eq!(canonical(&upper), Some(format!("{H}.AbCdEf12")));
        assert_eq!(canonical(H).as_deref(), Some(H));
        assert_eq!(canonical("not a hash"), None);
    }
}

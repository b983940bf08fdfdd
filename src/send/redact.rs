//! The access token, and the one place text is cleaned of it.
//!
//! Everything that comes back from Meta (messages, error text, `fbtrace_id`, a proxy's
//! HTML page) passes [`Redactor::redact`] in the Graph client before anyone else sees it,
//! and the CLI passes what it prints through it once more. The token is found in every
//! form a server could echo it in: as it is, JSON-escaped (`\u0045` or `\/`),
//! URL- or form-encoded (`%7C`), or as HTML character references (`&#124;`), in any mix.

use std::fmt;

/// The most bytes a token file may hold: a token is a few hundred characters.
pub const MAX_TOKEN_FILE: u64 = 4096;

/// What stands in for the token.
pub const MASK: &str = "***";

/// Why a text cannot be an access token (the message never shows it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Nothing but whitespace.
    #[error("the access token is empty")]
    Empty,
    /// Characters no Meta token has.
    #[error(
        "the access token has characters no Meta token has (only letters, digits and | _ - . are possible): is it the right file or variable?"
    )]
    Characters,
}

/// An access token. `Debug` and `Display` print `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// Wraps a token (surrounding whitespace removed).
    ///
    /// # Errors
    /// When it is empty or has characters no Meta token has (tokens are letters and
    /// digits, `EAAB…`; app tokens are `app-id|secret`). The message never shows it.
    pub fn new(raw: &str) -> Result<Token, TokenError> {
        let t = raw.trim();
        if t.is_empty() {
            return Err(TokenError::Empty);
        }
        if !t
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'|' | b'_' | b'-' | b'.'))
        {
            return Err(TokenError::Characters);
        }
        Ok(Token(t.to_owned()))
    }

    /// The secret itself, for the request body only.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// `text` with every form of the token replaced by `***`.
    #[must_use]
    pub fn redact(&self, text: &str) -> String {
        Redactor::new(Some(self)).redact(text)
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(***)")
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(MASK)
    }
}

/// Removes a token from text; without a token it changes nothing.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    token: Option<Token>,
}

impl Redactor {
    /// A redactor of `token`.
    #[must_use]
    pub fn new(token: Option<&Token>) -> Redactor {
        Redactor {
            token: token.cloned(),
        }
    }

    /// `text` with every occurrence of the token, in any encoding, replaced by `***`.
    #[must_use]
    pub fn redact(&self, text: &str) -> String {
        let Some(token) = &self.token else {
            return text.to_owned();
        };
        let secret = token.0.as_bytes();
        let bytes = text.as_bytes();
        let mut out = String::with_capacity(text.len());
        let mut i = 0;
        let mut copied = 0;
        while i < bytes.len() {
            match match_at(bytes, i, secret) {
                Some(end) => {
                    out.push_str(&text[copied..i]);
                    out.push_str(MASK);
                    i = end;
                    copied = end;
                }
                None => i += 1,
            }
        }
        out.push_str(&text[copied..]);
        out
    }
}

/// Where the token ends if it starts at `i`, each character in any of its encodings.
fn match_at(text: &[u8], mut i: usize, secret: &[u8]) -> Option<usize> {
    for &want in secret {
        i = char_at(text, i, want)?;
    }
    Some(i)
}

/// Where `want` ends if it is written at `i`: itself, `%XX`, `\uXXXX`, `\/`, `&#N;`
/// or `&#xX;`.
fn char_at(text: &[u8], i: usize, want: u8) -> Option<usize> {
    let rest = text.get(i..)?;
    if rest.first() == Some(&want) {
        return Some(i + 1);
    }
    let hex = |s: &[u8]| {
        std::str::from_utf8(s)
            .ok()
            .and_then(|s| u32::from_str_radix(s, 16).ok())
    };
    if rest.len() >= 3 && rest[0] == b'%' && hex(&rest[1..3]) == Some(u32::from(want)) {
        return Some(i + 3);
    }
    if rest.len() >= 6 && rest.starts_with(b"\\u") && hex(&rest[2..6]) == Some(u32::from(want)) {
        return Some(i + 6);
    }
    if want == b'/' && rest.starts_with(b"\\/") {
        return Some(i + 2);
    }
    if rest.starts_with(b"&#") {
        let end = rest.iter().take(10).position(|b| *b == b';')?;
        let n = match rest.get(2) {
            Some(b'x' | b'X') => hex(&rest[3..end]),
            _ => std::str::from_utf8(&rest[2..end])
                .ok()
                .and_then(|s| s.parse().ok()),
        };
        return (n == Some(u32::from(want))).then_some(i + end + 1);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_never_prints() {
        let t = Token::new(" EAABsecret\n").expect("valid");
        assert_eq!(format!("{t} {t:?}"), "*** Token(***)");
        assert_eq!(t.expose(), "EAABsecret");
        assert!(Token::new("  ").is_err());
        assert!(Token::new("a b").is_err());
        assert!(Token::new("a\"b").is_err());
        let e = Token::new("EAAB<secret>").expect_err("refused");
        assert!(!e.to_string().contains("secret"));
        assert!(Token::new("1234|abc_DEF-0.x").is_ok(), "an app token");
    }

    #[test]
    fn every_encoding_of_the_token_is_removed() {
        let t = Token::new("12|EAAB").expect("valid");
        for (text, want) in [
            ("bad 12|EAAB here", "bad *** here"),
            ("url ?access_token=12%7CEAAB&x", "url ?access_token=***&x"),
            ("lower 12%7cEAAB", "lower ***"),
            ("json \\u0031\\u0032|\\u0045AAB.", "json ***."),
            ("html 12&#124;EAAB &#x31;2|EAAB", "html *** ***"),
            ("twice 12|EAAB12|EAAB", "twice ******"),
            ("almost 12|EAA", "almost 12|EAA"),
            ("ünïcode 12|EAAB ✓", "ünïcode *** ✓"),
        ] {
            assert_eq!(t.redact(text), want, "{text}");
        }
        assert_eq!(Redactor::default().redact("12|EAAB"), "12|EAAB");
    }
}

//! Acknowledging a change the team means: `--allow KIND:SUBJECT`.
//!
//! `KIND` is a change kind (`page.removed`) and `SUBJECT` the changed item
//! (`page/wishlist`); either may use `*` for any run of characters (`*:page/wishlist*`
//! acknowledges everything about that page, `param.removed:page/*/param/content_name` one
//! parameter everywhere). An acknowledged change is still reported, marked, and no
//! longer counts for `--fail-on`; a rule that matches nothing is reported as stale, so
//! acknowledgements do not outlive the change they were written for.

use super::{Change, Kind};

/// One acknowledgement rule: from `--allow`, or from the head's `acknowledge:` list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allow {
    kind: String,
    subject: String,
    /// Where an `acknowledge:` entry is written (`tagc.yaml:12`) and its reason.
    origin: Option<(String, String)>,
}

/// Why an `--allow` rule is malformed (exit 2: a typo must not silently acknowledge
/// nothing, or everything).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AllowError {
    /// No `:` between kind and subject.
    #[error("`{0}` needs the form KIND:SUBJECT, such as `page.removed:page/wishlist`")]
    Form(String),
    /// The kind pattern matches no kind.
    #[error("`{rule}`: `{kind}` is no change kind{hint}")]
    UnknownKind {
        /// The rule as given.
        rule: String,
        /// Its kind part.
        kind: String,
        /// A did-you-mean.
        hint: String,
    },
}

/// `*`-glob match of `text` against `pat` (`*` matches any run, including `/`).
fn glob(pat: &str, text: &str) -> bool {
    let (p, t) = (pat.as_bytes(), text.as_bytes());
    let (mut pi, mut ti) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some(pi);
            pi += 1;
            mark = ti;
        } else if pi < p.len() && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

impl std::str::FromStr for Allow {
    type Err = AllowError;

    fn from_str(rule: &str) -> Result<Self, Self::Err> {
        let (kind, subject) = rule
            .split_once(':')
            .filter(|(k, s)| !k.is_empty() && !s.is_empty())
            .ok_or_else(|| AllowError::Form(rule.to_owned()))?;
        if !Kind::ALL.iter().any(|k| glob(kind, k.as_str())) {
            let names = Kind::ALL.iter().map(|k| k.as_str());
            let hint = crate::diagnostic::did_you_mean(kind, names)
                .map(|m| format!("; did you mean `{m}`?"))
                .unwrap_or_else(|| "; `tagc diff --list-kinds` lists them".to_owned());
            return Err(AllowError::UnknownKind {
                rule: rule.to_owned(),
                kind: kind.to_owned(),
                hint,
            });
        }
        Ok(Allow {
            kind: kind.to_owned(),
            subject: subject.to_owned(),
            origin: None,
        })
    }
}

impl std::fmt::Display for Allow {
    /// `KIND:SUBJECT`, and for an `acknowledge:` entry `(tagc.yaml:12: reason)` after it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.origin {
            None => write!(f, "{}:{}", self.kind, self.subject),
            Some((at, reason)) => write!(f, "{}:{} ({at}: {reason})", self.kind, self.subject),
        }
    }
}

impl Allow {
    /// The rule of an `acknowledge:` entry written at `at`, with its reason.
    ///
    /// # Errors
    /// As parsing `--allow`.
    pub fn acknowledged(change: &str, at: String, reason: &str) -> Result<Allow, AllowError> {
        let mut a: Allow = change.parse()?;
        a.origin = Some((at, reason.to_owned()));
        Ok(a)
    }

    /// Whether this rule acknowledges `change`.
    #[must_use]
    pub fn matches(&self, change: &Change) -> bool {
        glob(&self.kind, change.kind.as_str()) && glob(&self.subject, &change.subject)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_any_run() {
        assert!(glob("page/*", "page/home/button/x"));
        assert!(glob("*.removed", "page.removed"));
        assert!(glob("page/wishlist", "page/wishlist"));
        assert!(!glob("page/wishlist", "page/wishlist/url"));
        assert!(glob("a*b*c", "aXXbYYc"));
        assert!(!glob("a*b*c", "aXXbYY"));
    }

    #[test]
    fn a_misspelt_kind_is_refused_with_a_suggestion() {
        let e = "page.remove:page/x".parse::<Allow>().unwrap_err();
        assert!(e.to_string().contains("did you mean `page.removed`"), "{e}");
        assert!(matches!(
            "nocolon".parse::<Allow>(),
            Err(AllowError::Form(_))
        ));
        assert!("*:page/x".parse::<Allow>().is_ok());
    }
}

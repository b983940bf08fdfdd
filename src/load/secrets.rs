//! Secrets never belong in a configuration: the access token comes from the environment
//! (`META_ACCESS_TOKEN`) or `--token-file`. The loader asks this module about every key and
//! every text value of every file as it parses them (before and regardless of the schema,
//! and without a second walk), and the message never repeats the secret.

use crate::diagnostic::{Code, Diagnostic};
use crate::meta;
use crate::source::Span;

const HELP: &str = "remove it from the configuration and from git history; tagc reads the token from the `META_ACCESS_TOKEN` environment variable or `--token-file`";

/// A diagnostic if a mapping key at `span` is named like a secret.
#[must_use]
pub fn check_key(key: &str, span: Span) -> Option<Diagnostic> {
    meta::is_secret_key(key).then(|| {
        Diagnostic::new(
            Code::SecretInConfig,
            span,
            format!(
                "the key `{}` looks like a secret",
                crate::diagnostic::truncate(key, 40)
            ),
        )
        .label("secrets must not be in the configuration")
        .help(HELP)
    })
}

/// A diagnostic if a text value at `span` looks like a Meta access token.
#[must_use]
pub fn check_value(text: &str, span: Span) -> Option<Diagnostic> {
    meta::looks_like_access_token(text).then(|| {
        Diagnostic::new(
            Code::SecretInConfig,
            span,
            "this value looks like a Meta access token",
        )
        .label("access token")
        .help(HELP)
    })
}

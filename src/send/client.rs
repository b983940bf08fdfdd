//! The HTTP side of `tagc send`: one POST to `{graph}/{version}/{pixel}/events`, Meta's
//! answer classified, and the retry policy.
//!
//! The access token travels in the JSON body, never in the URL, so no error message of
//! the HTTP client can contain it; [`Token`] never prints its value.

use std::fmt;
use std::time::Duration;

use crate::meta::capi::{CapiResponse, GraphErrorBody};

/// An access token. `Debug` and `Display` print `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// Wraps a token (surrounding whitespace removed).
    ///
    /// # Errors
    /// When it is empty or contains characters no Meta token has.
    pub fn new(raw: &str) -> Result<Token, &'static str> {
        let t = raw.trim();
        if t.is_empty() {
            return Err("the access token is empty");
        }
        if !t.bytes().all(|b| b.is_ascii_graphic()) {
            return Err("the access token contains spaces or non-ASCII characters");
        }
        Ok(Token(t.to_owned()))
    }

    /// The secret itself, for the request body only.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// `text` with every occurrence of the token replaced by `***` (a last line of
    /// defence for messages that echo server responses).
    #[must_use]
    pub fn redact(&self, text: &str) -> String {
        text.replace(&self.0, "***")
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(***)")
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// What came back from one POST.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// HTTP 2xx and Meta's success body.
    Success(CapiResponse),
    /// A Graph API error body (HTTP 4xx/5xx).
    Graph {
        /// The HTTP status.
        status: u16,
        /// The error.
        error: crate::meta::capi::GraphError,
    },
    /// An HTTP answer that is not Meta's (a proxy's 502 page, a success without the
    /// expected body).
    Http {
        /// The HTTP status.
        status: u16,
        /// What was wrong with it.
        detail: String,
    },
    /// No answer: connection refused or reset, timeout, DNS failure.
    Transport(String),
}

impl Outcome {
    /// Whether trying again may help (network errors, timeouts, 5xx, 429 and Graph codes
    /// 1, 2, 4, 17, 341 or a transient flag). Payload (100) and token (190) errors never.
    #[must_use]
    pub fn is_retryable(&self) -> bool {
        match self {
            Outcome::Success(_) => false,
            Outcome::Transport(_) => true,
            Outcome::Http { status, .. } => *status >= 500 || *status == 429,
            Outcome::Graph { status, error } => match error.code {
                100 | 190 | 102 | 10 | 200..=299 => false,
                1 | 2 | 4 | 17 | 341 | 32 | 613 => true,
                _ => error.is_transient == Some(true) || *status >= 500,
            },
        }
    }

    /// Whether the token was refused (codes 190 and 102): nothing else will get through.
    #[must_use]
    pub fn is_token_error(&self) -> bool {
        matches!(self, Outcome::Graph { error, .. } if matches!(error.code, 190 | 102))
    }
}

/// Retries with exponential backoff and full jitter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// The first backoff.
    pub base: Duration,
    /// The longest backoff.
    pub cap: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 5,
            base: Duration::from_millis(500),
            cap: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// How long to wait before retry number `attempt` (0-based): a random time up to
    /// `min(cap, base · 2^attempt)`.
    #[must_use]
    pub fn backoff(&self, attempt: u32, rng: &mut Jitter) -> Duration {
        let ceiling = self
            .base
            .saturating_mul(1u32.checked_shl(attempt.min(20)).unwrap_or(u32::MAX))
            .min(self.cap);
        let nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
        // Never zero: at least a tenth of the ceiling.
        Duration::from_nanos(nanos / 10 + rng.next_u64() % (nanos - nanos / 10).max(1))
    }
}

/// A small xorshift generator for jitter (not for anything secret).
#[derive(Debug, Clone)]
pub struct Jitter(u64);

impl Jitter {
    /// Seeded from the clock and a salt (so workers differ).
    #[must_use]
    pub fn new(salt: u64) -> Jitter {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos().into());
        Jitter((t ^ salt.wrapping_mul(0x9E37_79B9_7F4A_7C15)) | 1)
    }

    /// The next number.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
}

/// Posts request bodies to one Graph API endpoint.
#[derive(Debug, Clone)]
pub struct Client {
    agent: ureq::Agent,
    base: String,
    version: String,
}

/// The largest response body read (Meta's are a few hundred bytes).
const MAX_RESPONSE: u64 = 1 << 20;

impl Client {
    /// A client for `{graph_url}/{version}/…` with a per-request timeout.
    #[must_use]
    pub fn new(graph_url: &str, version: &str, timeout: Duration) -> Client {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .user_agent(format!("tagc/{}", env!("CARGO_PKG_VERSION")))
            .max_idle_connections_per_host(64)
            .build()
            .into();
        Client {
            agent,
            base: graph_url.trim_end_matches('/').to_owned(),
            version: version.to_owned(),
        }
    }

    /// The events endpoint of a pixel (no secrets in it).
    #[must_use]
    pub fn endpoint(&self, pixel: &str) -> String {
        format!("{}/{}/{}/events", self.base, self.version, pixel)
    }

    /// One POST of a JSON body.
    #[must_use]
    pub fn post(&self, pixel: &str, body: &[u8]) -> Outcome {
        let response = self
            .agent
            .post(self.endpoint(pixel))
            .header("Content-Type", "application/json")
            .send(body);
        let mut response = match response {
            Ok(r) => r,
            Err(e) => return Outcome::Transport(transport_message(&e)),
        };
        let status = response.status().as_u16();
        let text = match response
            .body_mut()
            .with_config()
            .limit(MAX_RESPONSE)
            .read_to_string()
        {
            Ok(t) => t,
            Err(e) => return Outcome::Transport(transport_message(&e)),
        };
        if (200..300).contains(&status) {
            return match serde_json::from_str::<CapiResponse>(&text) {
                Ok(r) => Outcome::Success(r),
                Err(_) => Outcome::Http {
                    status,
                    detail: "the success response is not Meta's `{events_received, …}` body"
                        .to_owned(),
                },
            };
        }
        match serde_json::from_str::<GraphErrorBody>(&text) {
            Ok(b) => Outcome::Graph {
                status,
                error: b.error,
            },
            Err(_) => Outcome::Http {
                status,
                detail: format!("HTTP {status} without a Graph API error body"),
            },
        }
    }
}

/// A transport error in words, without any URL.
fn transport_message(e: &ureq::Error) -> String {
    match e {
        ureq::Error::Timeout(_) => "timed out".to_owned(),
        ureq::Error::HostNotFound => "host not found (DNS)".to_owned(),
        ureq::Error::Io(io) => match io.kind() {
            std::io::ErrorKind::ConnectionRefused => "connection refused".to_owned(),
            std::io::ErrorKind::ConnectionReset => "connection reset".to_owned(),
            std::io::ErrorKind::ConnectionAborted => "connection aborted".to_owned(),
            std::io::ErrorKind::UnexpectedEof => "connection closed without an answer".to_owned(),
            std::io::ErrorKind::TimedOut => "timed out".to_owned(),
            other => format!("network error ({other})"),
        },
        ureq::Error::Protocol(_) => "the server sent a malformed HTTP answer".to_owned(),
        ureq::Error::ConnectionFailed => "connection failed".to_owned(),
        ureq::Error::BadUri(_) => "the Graph API URL is not valid".to_owned(),
        ureq::Error::BodyExceedsLimit(_) => "the answer is too large".to_owned(),
        _ => "network error".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meta::capi::GraphError;

    #[test]
    fn token_never_prints() {
        let t = Token::new(" EAABsecret\n").expect("valid");
        assert_eq!(format!("{t} {t:?}"), "*** Token(***)");
        assert_eq!(t.expose(), "EAABsecret");
        assert_eq!(t.redact("bad token EAABsecret here"), "bad token *** here");
        assert!(Token::new("  ").is_err());
        assert!(Token::new("a b").is_err());
    }

    #[test]
    fn retry_classification_follows_meta() {
        let g = |code| Outcome::Graph {
            status: 400,
            error: GraphError {
                code,
                ..GraphError::default()
            },
        };
        for code in [1, 2, 4, 17, 341] {
            assert!(g(code).is_retryable(), "{code}");
        }
        for code in [100, 190] {
            assert!(!g(code).is_retryable(), "{code}");
        }
        assert!(g(190).is_token_error());
        assert!(Outcome::Transport("reset".into()).is_retryable());
        assert!(
            Outcome::Http {
                status: 502,
                detail: String::new()
            }
            .is_retryable()
        );
        assert!(
            !Outcome::Http {
                status: 404,
                detail: String::new()
            }
            .is_retryable()
        );
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy {
            max_retries: 10,
            base: Duration::from_millis(100),
            cap: Duration::from_secs(1),
        };
        let mut j = Jitter::new(7);
        for attempt in 0..10 {
            let ceiling = Duration::from_millis(100 << attempt).min(Duration::from_secs(1));
            for _ in 0..50 {
                let d = p.backoff(attempt, &mut j);
                assert!(d <= ceiling && d >= ceiling / 10, "{attempt}: {d:?}");
            }
        }
    }
}

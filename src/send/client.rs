//! The Graph API side of `tagc send` and of `tagc verify`'s server checks: one client,
//! one request body, one retry loop, and one reading of Meta's answers ([`Verdict`]).
//!
//! The access token travels in the JSON body, never in the URL, so no error message of
//! the HTTP client can contain it; every text that comes back from Meta passes the
//! [`Redactor`] before the client returns it.

use std::time::{Duration, Instant};

use super::stop::Stop;
use crate::meta::capi::{CapiResponse, GraphError, GraphErrorBody, event::fast_json};

pub use super::redact::{Redactor, Token};

/// What came back from one POST (texts already redacted).
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// HTTP 2xx and Meta's success body.
    Success(CapiResponse),
    /// A Graph API error body (HTTP 4xx/5xx).
    Graph {
        /// The HTTP status.
        status: u16,
        /// The error.
        error: GraphError,
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

/// What an answer means, after retries: the one classification `send` and `verify`
/// share (README, "What Meta's answers mean").
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// Meta confirmed every event of the request.
    Accepted(CapiResponse),
    /// Meta answered 2xx but confirmed fewer events than were sent.
    Unconfirmed {
        /// Meta's answer.
        response: CapiResponse,
        /// The events sent.
        sent: u64,
    },
    /// Meta refused the events: a payload error (code 100) or another error about the
    /// request's content. When Meta names an event (`$['data'][17]`) it is that one.
    Refused {
        /// The HTTP status.
        status: u16,
        /// Meta's error.
        error: GraphError,
        /// The event Meta names, if it names one.
        event: Option<usize>,
    },
    /// Meta or the network was unavailable (5xx, 429, codes 1, 2, 4, 17, 341, resets,
    /// timeouts, DNS) and stayed so through the retries: nothing can be said about the
    /// events, and the run could not do its job.
    Outage(String),
    /// Meta refused the access token (codes 190, 102): nothing will get through.
    TokenRefused(GraphError),
    /// The token may not send to this pixel, or the endpoint is not Meta's (codes 3, 10,
    /// 200–299, 100 with subcode 33; a non-Graph answer that retrying cannot change).
    Denied(String),
}

/// How one answer is to be treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Accepted,
    Retry,
    Final,
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
            Outcome::Graph { status, error } => graph_retryable(*status, error),
        }
    }

    fn class(&self, sent: u64) -> Class {
        match self {
            Outcome::Success(r) if r.events_received == sent => Class::Accepted,
            // A short count may be a hiccup: the same events again are deduplicated.
            Outcome::Success(_) => Class::Retry,
            o if o.is_retryable() => Class::Retry,
            _ => Class::Final,
        }
    }

    /// The verdict on this answer as the last one.
    fn verdict(self, sent: u64, attempts: u32, stopped: Option<&str>) -> Verdict {
        let after = match (attempts, stopped) {
            (_, Some(why)) => format!(" (retries stopped: {why})"),
            (0, None) => String::new(),
            (1, None) => " (after 1 retry)".to_owned(),
            (n, None) => format!(" (after {n} retries)"),
        };
        match self {
            Outcome::Success(r) if r.events_received == sent => Verdict::Accepted(r),
            Outcome::Success(response) => Verdict::Unconfirmed { response, sent },
            Outcome::Graph { error, .. } if matches!(error.code, 190 | 102) => {
                Verdict::TokenRefused(error)
            }
            Outcome::Graph { status, error }
                if matches!(error.code, 3 | 10 | 200..=299)
                    || (error.code == 100 && error.error_subcode == Some(33)) =>
            {
                Verdict::Denied(format!(
                    "Meta refused access (HTTP {status}, {}): the token may not send events to this pixel, or the pixel id is wrong",
                    error.describe()
                ))
            }
            Outcome::Graph { status, error } if graph_retryable(status, &error) => {
                Verdict::Outage(format!("HTTP {status}, {}{after}", error.describe()))
            }
            Outcome::Graph { status, error } => {
                let event = event_index(error.error_user_msg.as_deref().unwrap_or(""))
                    .or_else(|| event_index(&error.message))
                    .filter(|i| (*i as u64) < sent);
                Verdict::Refused {
                    status,
                    error,
                    event,
                }
            }
            Outcome::Http { status, detail } if status >= 500 || status == 429 => {
                Verdict::Outage(format!("{detail}{after}"))
            }
            Outcome::Http { detail, .. } => Verdict::Denied(format!(
                "{detail}: the Graph API URL does not lead to Meta's API"
            )),
            Outcome::Transport(m) => Verdict::Outage(format!("{m}{after}")),
        }
    }
}

/// Whether a Graph error may go away on its own (Meta's codes 1, 2, 4, 17, 341 and the
/// rate limits 32 and 613, a transient flag, a 5xx); payload, token and permission errors
/// never do.
fn graph_retryable(status: u16, error: &GraphError) -> bool {
    match error.code {
        100 | 190 | 102 | 3 | 10 | 200..=299 => false,
        1 | 2 | 4 | 17 | 341 | 32 | 613 => true,
        _ => error.is_transient == Some(true) || status >= 500,
    }
}

/// The index `N` of `$['data'][N]` in a Graph error message.
#[must_use]
pub fn event_index(msg: &str) -> Option<usize> {
    let start = msg.find("['data'][")? + "['data'][".len();
    let rest = &msg[start..];
    let end = rest.find(']')?;
    rest[..end].parse().ok()
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

/// The JSON request body for events already written as JSON: `data`, the test code,
/// `partner_agent` and the token (in the body, never in the URL).
#[must_use]
pub fn request_body<'a>(
    events: impl Iterator<Item = &'a str> + Clone,
    test_event_code: Option<&str>,
    token: Option<&Token>,
) -> String {
    // Sized once: a body of 1,000 events is about a megabyte, and growing it by doubling
    // would copy it and hold twice that.
    let size = events.clone().map(|e| e.len() + 1).sum::<usize>()
        + test_event_code.map_or(0, |c| c.len() * 2 + 24)
        + token.map_or(0, |t| t.expose().len() + 20)
        + 48;
    let mut body = String::with_capacity(size);
    body.push_str("{\"data\":[");
    for (i, e) in events.enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push_str(e);
    }
    body.push(']');
    if let Some(code) = test_event_code {
        body.push_str(",\"test_event_code\":");
        fast_json::string(&mut body, code);
    }
    body.push_str(",\"partner_agent\":\"tagc\"");
    if let Some(t) = token {
        body.push_str(",\"access_token\":");
        fast_json::string(&mut body, t.expose());
    }
    body.push('}');
    body
}

/// Why a [`Client`] cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the Graph API URL `{url}` is not valid: {why}")]
pub struct BadUrl {
    /// The URL given.
    pub url: String,
    /// What is wrong with it.
    pub why: &'static str,
}

/// Posts request bodies to one Graph API endpoint.
#[derive(Debug, Clone)]
pub struct Client {
    agent: ureq::Agent,
    base: String,
    version: String,
    redactor: Redactor,
}

/// The largest response body read (Meta's are a few hundred bytes).
const MAX_RESPONSE: u64 = 1 << 20;

impl Client {
    /// A client for `{graph_url}/{version}/…` with a per-request timeout; what comes
    /// back is cleaned of `token`.
    ///
    /// # Errors
    /// When `graph_url` is not an `http`/`https` URL with a host.
    pub fn new(
        graph_url: &str,
        version: &str,
        timeout: Duration,
        token: Option<&Token>,
    ) -> Result<Client, BadUrl> {
        let base = graph_url.trim_end_matches('/').to_owned();
        let bad = |why| BadUrl {
            url: graph_url.to_owned(),
            why,
        };
        let uri: ureq::http::Uri = base.parse().map_err(|_| bad("it cannot be parsed"))?;
        if !matches!(uri.scheme_str(), Some("http" | "https")) {
            return Err(bad(
                "it must start with https:// (or http:// for a local server)",
            ));
        }
        if uri.host().is_none_or(str::is_empty) {
            return Err(bad("it has no host"));
        }
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .user_agent(format!("tagc/{}", env!("CARGO_PKG_VERSION")))
            .max_idle_connections_per_host(64)
            .build()
            .into();
        Ok(Client {
            agent,
            base,
            version: version.to_owned(),
            redactor: Redactor::new(token),
        })
    }

    /// The events endpoint of a pixel (no secrets in it).
    #[must_use]
    pub fn endpoint(&self, pixel: &str) -> String {
        format!("{}/{}/{}/events", self.base, self.version, pixel)
    }

    /// One POST of a JSON body; every text in the answer redacted.
    #[must_use]
    pub fn post(&self, pixel: &str, body: &[u8]) -> Outcome {
        let r = &self.redactor;
        match self.post_raw(pixel, body) {
            Outcome::Success(mut s) => {
                s.fbtrace_id = r.redact(&s.fbtrace_id);
                for m in &mut s.messages {
                    *m = r.redact(m);
                }
                Outcome::Success(s)
            }
            Outcome::Graph { status, mut error } => {
                error.message = r.redact(&error.message);
                error.kind = r.redact(&error.kind);
                error.fbtrace_id = r.redact(&error.fbtrace_id);
                for t in [&mut error.error_user_title, &mut error.error_user_msg]
                    .into_iter()
                    .flatten()
                {
                    *t = r.redact(t);
                }
                Outcome::Graph { status, error }
            }
            Outcome::Http { status, detail } => Outcome::Http {
                status,
                detail: r.redact(&detail),
            },
            Outcome::Transport(m) => Outcome::Transport(r.redact(&m)),
        }
    }

    fn post_raw(&self, pixel: &str, body: &[u8]) -> Outcome {
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
                    detail: format!("HTTP {status} without Meta's `{{events_received, …}}` body"),
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

    /// Posts `body` (carrying `sent` events) until Meta's answer is final: retried with
    /// `policy` while the answer is an outage or a short count, never past `deadline`,
    /// and no more once `stop` is asked for. `on_retry` is called before each retry.
    pub fn deliver(
        &self,
        pixel: &str,
        body: &[u8],
        sent: u64,
        retry: &Retry<'_>,
        jitter: &mut Jitter,
        on_retry: &mut dyn FnMut(),
    ) -> Verdict {
        let mut attempt = 0u32;
        loop {
            let outcome = self.post(pixel, body);
            if outcome.class(sent) != Class::Retry {
                return outcome.verdict(sent, attempt, None);
            }
            if attempt >= retry.policy.max_retries {
                return outcome.verdict(sent, attempt, None);
            }
            let mut wait = retry.policy.backoff(attempt, jitter);
            if let Some(deadline) = retry.deadline {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return outcome.verdict(sent, attempt, Some("out of time"));
                }
                wait = wait.min(left);
            }
            let slept = match retry.stop {
                Some(stop) => stop.sleep(wait),
                None => {
                    std::thread::sleep(wait);
                    true
                }
            };
            if !slept || retry.stop.is_some_and(Stop::is_requested) {
                let why = retry
                    .stop
                    .and_then(Stop::requested)
                    .map_or("the run stopped", |(s, _)| s.name());
                return outcome.verdict(sent, attempt, Some(why));
            }
            attempt += 1;
            on_retry();
        }
    }
}

/// When [`Client::deliver`] tries again.
#[derive(Debug, Clone, Copy, Default)]
pub struct Retry<'a> {
    /// The retry policy.
    pub policy: RetryPolicy,
    /// No retry starts after this.
    pub deadline: Option<Instant>,
    /// No retry starts once a stop is asked for.
    pub stop: Option<&'a Stop>,
}

/// A transport error in words, without any URL.
fn transport_message(e: &ureq::Error) -> String {
    match e {
        ureq::Error::Timeout(_) => "timed out".to_owned(),
        ureq::Error::HostNotFound => "cannot resolve the Graph API host (DNS)".to_owned(),
        ureq::Error::Io(io) => match io.kind() {
            std::io::ErrorKind::ConnectionRefused => "connection refused".to_owned(),
            std::io::ErrorKind::ConnectionReset => "connection reset".to_owned(),
            std::io::ErrorKind::ConnectionAborted => "connection aborted".to_owned(),
            std::io::ErrorKind::UnexpectedEof => "connection closed without an answer".to_owned(),
            std::io::ErrorKind::TimedOut => "timed out".to_owned(),
            _ if looks_like_dns(&io.to_string()) => {
                "cannot resolve the Graph API host (DNS)".to_owned()
            }
            _ => format!("network error: {io}"),
        },
        ureq::Error::Protocol(_) => "the server sent a malformed HTTP answer".to_owned(),
        ureq::Error::ConnectionFailed => "connection failed".to_owned(),
        ureq::Error::BadUri(_) => "the Graph API URL is not valid".to_owned(),
        ureq::Error::BodyExceedsLimit(_) => "the answer is too large".to_owned(),
        other if looks_like_dns(&other.to_string()) => {
            "cannot resolve the Graph API host (DNS)".to_owned()
        }
        other => format!("network error: {other}"),
    }
}

fn looks_like_dns(text: &str) -> bool {
    let t = text.to_ascii_lowercase();
    [
        "lookup",
        "resolve",
        "name or service not known",
        "nodename",
        "no address",
    ]
    .iter()
    .any(|k| t.contains(k))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(status: u16, code: u32, subcode: Option<u32>, msg: &str) -> Outcome {
        Outcome::Graph {
            status,
            error: GraphError {
                code,
                error_subcode: subcode,
                message: msg.to_owned(),
                ..GraphError::default()
            },
        }
    }

    fn ok(received: u64) -> Outcome {
        Outcome::Success(CapiResponse {
            events_received: received,
            messages: Vec::new(),
            fbtrace_id: String::new(),
        })
    }

    #[test]
    fn each_answer_has_one_meaning() {
        let v = |o: Outcome| o.verdict(3, 5, None);
        assert!(matches!(v(ok(3)), Verdict::Accepted(_)));
        assert!(matches!(v(ok(2)), Verdict::Unconfirmed { sent: 3, .. }));
        for code in [1, 2, 4, 17, 341] {
            assert!(
                matches!(v(g(500, code, None, "")), Verdict::Outage(_)),
                "{code}"
            );
        }
        assert!(matches!(
            v(g(400, 190, Some(463), "")),
            Verdict::TokenRefused(_)
        ));
        assert!(matches!(v(g(400, 102, None, "")), Verdict::TokenRefused(_)));
        for (code, sub) in [
            (10, None),
            (200, None),
            (294, None),
            (100, Some(33)),
            (3, None),
        ] {
            assert!(
                matches!(v(g(403, code, sub, "")), Verdict::Denied(_)),
                "{code}"
            );
        }
        assert!(matches!(
            v(g(
                400,
                100,
                Some(2_804_019),
                "The parameter $['data'][2]['x'] is required"
            )),
            Verdict::Refused { event: Some(2), .. }
        ));
        assert!(matches!(
            v(g(400, 100, None, "$['data'][9]")),
            Verdict::Refused { event: None, .. }
        ));
        let http = |status| Outcome::Http {
            status,
            detail: format!("HTTP {status} without a Graph API error body"),
        };
        assert!(matches!(v(http(503)), Verdict::Outage(m) if m.contains("after 5 retries")));
        assert!(matches!(v(http(429)), Verdict::Outage(_)));
        assert!(matches!(v(http(404)), Verdict::Denied(_)));
        assert!(matches!(
            v(Outcome::Transport("reset".into())),
            Verdict::Outage(_)
        ));
    }

    #[test]
    fn what_is_retried() {
        assert_eq!(ok(2).class(3), Class::Retry);
        assert_eq!(g(500, 2, None, "").class(1), Class::Retry);
        assert_eq!(g(400, 100, None, "").class(1), Class::Final);
        assert_eq!(g(400, 190, None, "").class(1), Class::Final);
        assert_eq!(Outcome::Transport("x".into()).class(1), Class::Retry);
    }

    #[test]
    fn a_url_that_cannot_work_is_refused_before_any_request() {
        let c = |u: &str| Client::new(u, "v25.0", Duration::from_secs(1), None);
        assert!(c("https://graph.facebook.com").is_ok());
        assert!(c("http://127.0.0.1:8080/").is_ok());
        for bad in [
            "http://[::1",
            "graph.facebook.com",
            "ftp://x",
            "https://",
            "",
        ] {
            assert!(c(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_body_carries_the_events_and_the_token_in_json() {
        let t = Token::new("EAAB").expect("token");
        let body = request_body(["{\"a\":1}", "{}"].into_iter(), Some("TEST\"1"), Some(&t));
        assert_eq!(
            body,
            "{\"data\":[{\"a\":1},{}],\"test_event_code\":\"TEST\\\"1\",\"partner_agent\":\"tagc\",\"access_token\":\"EAAB\"}"
        );
    }

    #[test]
    fn finds_the_failing_event_in_metas_message() {
        assert_eq!(
            event_index("The parameter $['data'][17]['event_time'] is required."),
            Some(17)
        );
        assert_eq!(event_index("Invalid OAuth access token."), None);
        assert_eq!(event_index("$['data'][x]"), None);
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

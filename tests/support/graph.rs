//! A fake Graph API for tests: `POST /{version}/{pixel_id}/events`, in process, on
//! `127.0.0.1:0`.
//!
//! It answers the way Meta does (meta.md §3, §8): it checks the path, the method, the
//! access token (body field `access_token`, the query string, or `Authorization: Bearer`)
//! and the pixel, then judges the body (JSON, or a form body whose `data` is a JSON
//! string) with its own rules, [`oracle`], written from meta.md and independent of
//! tagc's `meta::capi::rules` — so a wrong rule in tagc makes tests fail instead of
//! agreeing with itself (tests/graph_fake.rs compares the two). The first rejecting rule
//! is answered as a Graph error (HTTP 400, the §8.2 body). Otherwise it answers
//! `200 {"events_received": n, "messages": [], "fbtrace_id": …}` (§8.1) and records the
//! events. Rules Meta does not reject on are kept in [`FakeGraph::findings`], and listed
//! in `messages` only if [`FakeConfig::echo_findings`] is set (Meta's `messages` is
//! normally empty). [`FakeConfig::message`] adds a fixed text to every success body's
//! `messages`, for tests of how a client records Meta's per-request warnings.
//!
//! Faults ([`Fault`]) are injected per request number: latency, HTTP 500, throttling
//! (HTTP 429 with Graph code 4, 17 or 341), a connection reset, partial acceptance, any
//! Graph error (chosen HTTP status, code, subcode and `is_transient`), an answer that is
//! not Graph's (an HTML page with a chosen HTTP status), and answers that echo the
//! request's access token back in their texts, in one of several encodings
//! ([`TokenEcho`]), for tests that the client never shows it.
//!
//! Self-contained: it depends only on `tagc`, axum, tokio and `serde_json`, so other test
//! crates and benches can include it with `#[path = "../tests/support/graph.rs"] mod graph;`.
#![allow(dead_code)] // each test crate uses part of it

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::thread::JoinHandle;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::connect_info::{ConnectInfo, Connected};
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::Response;
use axum::serve::{IncomingStream, Listener};
use serde_json::{Value, json};
use tagc::meta::capi::{CapiEvent, Level, Violation};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

#[path = "graph_oracle.rs"]
pub mod oracle;

/// The pixel the default configuration knows.
pub const PIXEL: &str = "1234567890123456";
/// The token the default configuration accepts.
pub const TOKEN: &str = "EAAFakeGraphTokenForTestsOnly0123456789";
/// A token the default configuration reports as expired (190/463).
pub const EXPIRED_TOKEN: &str = "EAAFakeGraphExpiredToken0123456789";
/// The Graph API version tests use in URLs.
pub const VERSION: &str = "v25.0";

/// What the fake knows and how it misbehaves.
#[derive(Debug, Clone)]
pub struct FakeConfig {
    /// Pixel (dataset) ids that exist; others get code 100 subcode 33.
    pub pixels: Vec<String>,
    /// Access tokens that are valid for every known pixel.
    pub tokens: Vec<String>,
    /// Access tokens that have expired (code 190 subcode 463).
    pub expired_tokens: Vec<String>,
    /// The fake's clock, Unix seconds; `None` follows the system clock.
    pub now: Option<i64>,
    /// Faults, numbered from the first request the server sees.
    pub faults: Vec<Fault>,
    /// List non-rejecting findings (`rule at path`) in the success body's `messages`.
    pub echo_findings: bool,
    /// Texts added to every success body's `messages`, after any echoed findings
    /// (meta.md §8.1: "`messages`: list of strings (warnings; usually empty; read any
    /// that appear)"). Which texts Meta sends is not documented, so tests choose them.
    pub messages: Vec<String>,
    /// Tokio worker threads (default 2).
    pub worker_threads: usize,
}

impl Default for FakeConfig {
    fn default() -> Self {
        Self {
            pixels: vec![PIXEL.to_string()],
            tokens: vec![TOKEN.to_string()],
            expired_tokens: vec![EXPIRED_TOKEN.to_string()],
            now: None,
            faults: Vec::new(),
            echo_findings: false,
            messages: Vec::new(),
            worker_threads: 2,
        }
    }
}

impl FakeConfig {
    /// The default: pixel [`PIXEL`], token [`TOKEN`], system clock, no faults.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Also knows pixel `id`.
    #[must_use]
    pub fn pixel(mut self, id: &str) -> Self {
        self.pixels.push(id.to_string());
        self
    }

    /// Also accepts `token`.
    #[must_use]
    pub fn token(mut self, token: &str) -> Self {
        self.tokens.push(token.to_string());
        self
    }

    /// Fixes the clock at `now` (Unix seconds).
    #[must_use]
    pub fn now(mut self, now: i64) -> Self {
        self.now = Some(now);
        self
    }

    /// Adds a fault.
    #[must_use]
    pub fn fault(mut self, fault: Fault) -> Self {
        self.faults.push(fault);
        self
    }

    /// Lists findings in `messages`.
    #[must_use]
    pub fn echo_findings(mut self) -> Self {
        self.echo_findings = true;
        self
    }

    /// Adds `text` to the `messages` of every success response (HTTP 200), whatever the
    /// request holds: a warning Meta returns while accepting the events.
    #[must_use]
    pub fn message(mut self, text: &str) -> Self {
        self.messages.push(text.to_string());
        self
    }
}

/// One kind of misbehaviour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultKind {
    /// Wait this long before handling the request (adds up with other latencies, and
    /// combines with the other kinds).
    Latency(Duration),
    /// HTTP 500 with Graph code 2 ("temporary downtime", `is_transient: true`).
    ServerError,
    /// HTTP 429 with this Graph throttling code (4 app, 17 user, 341 app limit).
    Throttle(u32),
    /// Read the request, then drop the TCP connection with a reset (`SO_LINGER` 0) and
    /// no response.
    Reset,
    /// Validate as usual, but accept (and record) only the first this-many events:
    /// HTTP 200 with `events_received` below the batch size.
    Partial(usize),
    /// A Graph error body (meta.md §8.2) with this HTTP status, `code`, optional
    /// `error_subcode` and `is_transient`, and a message typical of the code. Its
    /// message names no event (no `data[i]` index), so the whole request is refused.
    Graph {
        /// The HTTP status.
        status: u16,
        /// Graph's `code` (1, 2, 10, 100, 102, 190, 200, …).
        code: u32,
        /// Graph's `error_subcode`, if any.
        subcode: Option<u32>,
        /// Graph's `is_transient`.
        transient: bool,
    },
    /// An HTML page with this HTTP status and no Graph body (a proxy's or load
    /// balancer's answer: 503, 404, 502 …).
    Html(u16),
    /// Read the request's access token (as the fake does for every request), then answer
    /// with it in the answer's texts, encoded as [`TokenEcho`] says. With `Some(code)`,
    /// a Graph error of that code (HTTP status and `is_transient` as [`graph_status`]
    /// gives them) whose `message`, `error_user_msg` and `fbtrace_id` hold the token;
    /// with `None`, the request is judged as usual and, if the fake accepts it, the
    /// success body's `messages` and `fbtrace_id` hold the token. Either body also writes
    /// every `|` as the JSON escape `\u007c`, so the raw body never holds the token
    /// literally and a client must decode before it redacts.
    EchoToken(TokenEcho, Option<u32>),
}

/// How an echoing fault ([`FaultKind::EchoToken`]) writes the token into the texts it
/// returns (the text after JSON decoding; tokens are `[A-Za-z0-9|_.-]+`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenEcho {
    /// As it is.
    Literal,
    /// JSON-escaped inside the text (the text holds a JSON document as a string):
    /// `|` as `\u007c`, `/` as `\/` (PHP's `json_encode` style), the rest as it is.
    JsonEscaped,
    /// URL-encoded (RFC 3986): every byte but `A-Za-z0-9-._~` as `%XX` (`|` → `%7C`).
    UrlEncoded,
    /// Form-encoded (`application/x-www-form-urlencoded`): as [`TokenEcho::UrlEncoded`],
    /// a space as `+`.
    FormEncoded,
    /// Every one of the above, in one text.
    All,
}

impl TokenEcho {
    /// Each single encoding ([`TokenEcho::All`] is their combination).
    pub const EACH: [TokenEcho; 4] = [
        TokenEcho::Literal,
        TokenEcho::JsonEscaped,
        TokenEcho::UrlEncoded,
        TokenEcho::FormEncoded,
    ];

    /// `token` written in this encoding (for [`TokenEcho::All`], each encoding in turn,
    /// separated by spaces).
    #[must_use]
    pub fn encode(self, token: &str) -> String {
        fn percent(token: &str, space_plus: bool) -> String {
            let mut out = String::new();
            for b in token.bytes() {
                match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                        out.push(char::from(b));
                    }
                    b' ' if space_plus => out.push('+'),
                    _ => out.push_str(&format!("%{b:02X}")),
                }
            }
            out
        }
        match self {
            TokenEcho::Literal => token.to_string(),
            TokenEcho::JsonEscaped => token.replace('/', "\\/").replace('|', "\\u007c"),
            TokenEcho::UrlEncoded => percent(token, false),
            TokenEcho::FormEncoded => percent(token, true),
            TokenEcho::All => TokenEcho::EACH
                .iter()
                .map(|e| e.encode(token))
                .collect::<Vec<_>>()
                .join(" "),
        }
    }
}

/// The HTTP status and `is_transient` Meta answers a Graph error `code` with: 500 and
/// transient for 1 and 2, 429 and transient for the throttling codes 4, 17, 32, 341 and
/// 613, 403 for permission codes (10, 200–299), 400 otherwise.
#[must_use]
pub fn graph_status(code: u32) -> (u16, bool) {
    match code {
        1 | 2 => (500, true),
        4 | 17 | 32 | 341 | 613 => (429, true),
        10 | 200..=299 => (403, false),
        _ => (400, false),
    }
}

/// A fault on some requests: those numbered `from..=to` (1-based, counted from the
/// start, or from the last [`FakeGraph::set_faults`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fault {
    /// What happens.
    pub kind: FaultKind,
    /// The first request it applies to (1-based).
    pub from: usize,
    /// The last request it applies to; `None` for every later one.
    pub to: Option<usize>,
}

impl Fault {
    /// On every request.
    #[must_use]
    pub fn always(kind: FaultKind) -> Self {
        Self {
            kind,
            from: 1,
            to: None,
        }
    }

    /// On the first `n` requests, then never ("fail N times, then succeed").
    #[must_use]
    pub fn first(n: usize, kind: FaultKind) -> Self {
        Self {
            kind,
            from: 1,
            to: Some(n),
        }
    }

    /// On request number `n` only (1-based).
    #[must_use]
    pub fn on(n: usize, kind: FaultKind) -> Self {
        Self {
            kind,
            from: n,
            to: Some(n),
        }
    }

    fn applies(&self, n: usize) -> bool {
        n >= self.from && self.to.is_none_or(|to| n <= to)
    }
}

/// An event the fake accepted, as Meta "got" it.
#[derive(Debug, Clone, PartialEq)]
pub struct ReceivedEvent {
    /// The pixel it was sent to.
    pub pixel: String,
    /// The request's `test_event_code`.
    pub test_event_code: Option<String>,
    /// The number of the request that carried it (1-based, from the start).
    pub request: usize,
    /// The event as tagc's wire type reads it (the default if that type cannot read
    /// what the fake accepted; tests/graph_fake.rs catches such disagreements).
    pub event: CapiEvent,
    /// The event exactly as sent.
    pub json: Value,
}

impl ReceivedEvent {
    /// The event's name.
    #[must_use]
    pub fn event_name(&self) -> &str {
        self.json["event_name"].as_str().unwrap_or_default()
    }

    /// The event's `event_id`.
    #[must_use]
    pub fn event_id(&self) -> Option<&str> {
        self.json["event_id"].as_str()
    }
}

/// A running fake Graph API. Dropping it stops the server.
pub struct FakeGraph {
    addr: SocketAddr,
    inner: Arc<Inner>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

struct Inner {
    pixels: Vec<String>,
    tokens: Vec<String>,
    expired_tokens: Vec<String>,
    echo_findings: bool,
    messages: Vec<String>,
    /// `i64::MIN` means the system clock.
    now: AtomicI64,
    requests: AtomicUsize,
    faults: Mutex<(usize, Vec<Fault>)>,
    received: Mutex<Vec<ReceivedEvent>>,
    findings: Mutex<Vec<Violation>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl FakeGraph {
    /// Starts a fake on `127.0.0.1` with a free port, on its own thread and runtime.
    ///
    /// # Panics
    /// If the port cannot be bound or the runtime cannot start.
    #[must_use]
    pub fn start(config: FakeConfig) -> FakeGraph {
        let std_listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        std_listener.set_nonblocking(true).expect("nonblocking");
        let addr = std_listener.local_addr().expect("local addr");
        let inner = Arc::new(Inner {
            pixels: config.pixels,
            tokens: config.tokens,
            expired_tokens: config.expired_tokens,
            echo_findings: config.echo_findings,
            messages: config.messages,
            now: AtomicI64::new(config.now.unwrap_or(i64::MIN)),
            requests: AtomicUsize::new(0),
            faults: Mutex::new((0, config.faults)),
            received: Mutex::new(Vec::new()),
            findings: Mutex::new(Vec::new()),
        });
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(config.worker_threads.max(1))
            .thread_name("fake-graph")
            .enable_io()
            .enable_time()
            .build()
            .expect("tokio runtime");
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let app = Router::new()
            .fallback(handle)
            .layer(DefaultBodyLimit::max(64 << 20))
            .with_state(inner.clone());
        let thread = std::thread::Builder::new()
            .name("fake-graph".into())
            .spawn(move || {
                let listener = runtime.block_on(async {
                    TcpListener::from_std(std_listener).expect("tokio listener")
                });
                runtime.spawn(async move {
                    let _ = axum::serve(
                        FaultListener(listener),
                        app.into_make_service_with_connect_info::<Conn>(),
                    )
                    .await;
                });
                let _ = runtime.block_on(rx);
                runtime.shutdown_timeout(Duration::from_millis(200));
            })
            .expect("spawn fake-graph thread");
        FakeGraph {
            addr,
            inner,
            shutdown: Some(tx),
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:PORT`.
    #[must_use]
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The events endpoint for `pixel`: `http://127.0.0.1:PORT/v25.0/{pixel}/events`.
    #[must_use]
    pub fn events_url(&self, pixel: &str) -> String {
        format!("http://{}/{VERSION}/{pixel}/events", self.addr)
    }

    /// The server's address.
    #[must_use]
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Every event accepted so far, in arrival order.
    #[must_use]
    pub fn received(&self) -> Vec<ReceivedEvent> {
        lock(&self.inner.received).clone()
    }

    /// How many accepted events there are (cheaper than `received().len()`).
    #[must_use]
    pub fn received_count(&self) -> usize {
        lock(&self.inner.received).len()
    }

    /// How many HTTP requests reached the server (any path, any outcome).
    #[must_use]
    pub fn requests(&self) -> usize {
        self.inner.requests.load(Ordering::SeqCst)
    }

    /// The `Invalid` and `Warning` findings on accepted requests (Meta accepts those
    /// events; tagc should never send an `Invalid` one).
    #[must_use]
    pub fn findings(&self) -> Vec<Violation> {
        lock(&self.inner.findings).clone()
    }

    /// The findings Meta's documentation calls wrong although the API accepts them
    /// (the fake's [`oracle::Answer::Invalid`] rules): tagc should never send such an
    /// event, so tests that send expect this to be empty.
    #[must_use]
    pub fn invalid_findings(&self) -> Vec<Violation> {
        lock(&self.inner.findings)
            .iter()
            .filter(|v| v.level == Level::Invalid)
            .cloned()
            .collect()
    }

    /// Replaces the faults; their request numbers count from the next request.
    pub fn set_faults(&self, faults: Vec<Fault>) {
        *lock(&self.inner.faults) = (self.requests(), faults);
    }

    /// Sets the clock (Unix seconds), or `None` for the system clock.
    pub fn set_now(&self, now: Option<i64>) {
        self.inner
            .now
            .store(now.unwrap_or(i64::MIN), Ordering::SeqCst);
    }

    /// Forgets received events and findings (the request count stays).
    pub fn clear(&self) {
        lock(&self.inner.received).clear();
        lock(&self.inner.findings).clear();
    }
}

impl Drop for FakeGraph {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

// ---------------------------------------------------------------------------------------
// Connections that a handler can reset.

/// The listener: sets `TCP_NODELAY` and hands each connection a kill switch.
struct FaultListener(TcpListener);

/// A connection's kill switch, given to handlers through `ConnectInfo`.
#[derive(Clone, Debug)]
struct Conn(Arc<AtomicBool>);

/// A TCP stream that fails every write, and resets, once its switch is on.
struct KillableStream {
    stream: TcpStream,
    kill: Arc<AtomicBool>,
}

impl Listener for FaultListener {
    type Io = KillableStream;
    type Addr = Conn;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            match self.0.accept().await {
                Ok((stream, _)) => {
                    let _ = stream.set_nodelay(true);
                    let kill = Arc::new(AtomicBool::new(false));
                    return (
                        KillableStream {
                            stream,
                            kill: kill.clone(),
                        },
                        Conn(kill),
                    );
                }
                // Out of file descriptors and the like: wait, as axum's own listener does.
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        Ok(Conn(Arc::new(AtomicBool::new(false))))
    }
}

impl Connected<IncomingStream<'_, FaultListener>> for Conn {
    fn connect_info(stream: IncomingStream<'_, FaultListener>) -> Self {
        stream.remote_addr().clone()
    }
}

impl KillableStream {
    fn killed(&self) -> Option<io::Error> {
        if self.kill.load(Ordering::SeqCst) {
            // Closing with SO_LINGER 0 sends RST instead of FIN.
            let _ = self.stream.set_zero_linger();
            Some(io::ErrorKind::ConnectionReset.into())
        } else {
            None
        }
    }
}

impl AsyncRead for KillableStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for KillableStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if let Some(e) = self.killed() {
            return Poll::Ready(Err(e));
        }
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        if let Some(e) = self.killed() {
            return Poll::Ready(Err(e));
        }
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if let Some(e) = self.killed() {
            return Poll::Ready(Err(e));
        }
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if let Some(e) = self.killed() {
            return Poll::Ready(Err(e));
        }
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

// ---------------------------------------------------------------------------------------
// The handler.

fn fbtrace_id(n: usize) -> String {
    format!("AFakeTrace{n:012}")
}

fn json_response(status: StatusCode, body: &Value) -> Response {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "application/json; charset=UTF-8")
        .body(Body::from(body.to_string()))
        .unwrap_or_default()
}

/// The Graph error body of meta.md §8.2 (`error_subcode` and the user fields only when
/// there are some).
fn graph_error(status: StatusCode, error: Value) -> Response {
    json_response(status, &json!({ "error": error }))
}

fn simple_error(
    n: usize,
    kind: &str,
    code: u32,
    subcode: Option<u32>,
    transient: bool,
    message: String,
) -> Value {
    let mut e = json!({
        "message": message,
        "type": kind,
        "code": code,
        "is_transient": transient,
        "fbtrace_id": fbtrace_id(n),
    });
    if let Some(sub) = subcode {
        e["error_subcode"] = json!(sub);
    }
    e
}

/// A payload error (§8.2): code 100, "Invalid parameter", the rule's subcode and title.
fn payload_error(n: usize, broken: &oracle::Broken) -> Value {
    let subcode = match broken.rule.answer {
        oracle::Answer::Reject(subcode) => subcode,
        oracle::Answer::Invalid | oracle::Answer::Warning => None,
    };
    let mut e = simple_error(
        n,
        "OAuthException",
        100,
        subcode,
        false,
        "Invalid parameter".to_string(),
    );
    e["error_user_title"] = json!(broken.rule.title);
    e["error_user_msg"] = json!(broken.message);
    e
}

/// `event` as tagc's wire type, with `null` fields left out (the fake reads `null` as
/// absent); the default if the type cannot read it.
fn typed(event: &Value) -> CapiEvent {
    let mut e = event.clone();
    if let Some(obj) = e.as_object_mut() {
        obj.retain(|_, v| !v.is_null());
        if let Some(Value::Object(ud)) = obj.get_mut("user_data") {
            ud.retain(|_, v| !v.is_null());
        }
    }
    serde_json::from_value(e).unwrap_or_default()
}

/// A finding as the [`Violation`] tests read from [`FakeGraph::findings`].
fn finding(b: oracle::Broken) -> Violation {
    let level = match b.rule.answer {
        oracle::Answer::Reject(_) => Level::Rejected,
        oracle::Answer::Invalid => Level::Invalid,
        oracle::Answer::Warning => Level::Warning,
    };
    let subcode = match b.rule.answer {
        oracle::Answer::Reject(subcode) => subcode,
        _ => None,
    };
    Violation {
        level,
        rule: b.rule.name,
        path: b.path,
        code: 100,
        subcode,
        title: b.rule.title,
        message: b.message,
    }
}

fn form_pairs(s: &str) -> impl Iterator<Item = (String, String)> {
    tagc::browser::parse_urlencoded(s).into_iter()
}

/// `/v{N}.0/{pixel}/events` → the pixel id.
fn events_pixel(path: &str) -> Option<&str> {
    let mut parts = path.trim_matches('/').split('/');
    let (Some(version), Some(pixel), Some("events"), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let major = version.strip_prefix('v')?.strip_suffix(".0")?;
    (!major.is_empty() && major.bytes().all(|c| c.is_ascii_digit())).then_some(pixel)
}

async fn handle(
    State(st): State<Arc<Inner>>,
    ConnectInfo(conn): ConnectInfo<Conn>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let n = st.requests.fetch_add(1, Ordering::SeqCst) + 1;
    let trace = fbtrace_id(n);

    // Faults.
    let (latency, fault) = {
        let faults = lock(&st.faults);
        let rel = n - faults.0;
        let mut latency = Duration::ZERO;
        let mut fault = None;
        for f in faults.1.iter().filter(|f| f.applies(rel)) {
            match f.kind {
                FaultKind::Latency(d) => latency += d,
                kind => {
                    fault.get_or_insert(kind);
                }
            }
        }
        (latency, fault)
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let mut partial = None;
    let mut echo = None;
    match fault {
        Some(FaultKind::Reset) => {
            conn.0.store(true, Ordering::SeqCst);
            return Response::default();
        }
        Some(FaultKind::ServerError) => {
            return graph_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                simple_error(
                    n,
                    "OAuthException",
                    2,
                    None,
                    true,
                    "An unexpected error has occurred. Please retry your request later."
                        .to_string(),
                ),
            );
        }
        Some(FaultKind::Throttle(code)) => {
            let message = match code {
                4 => "(#4) Application request limit reached",
                17 => "(#17) User request limit reached",
                341 => "(#341) Application limit reached",
                _ => "(#613) Calls to this api have exceeded the rate limit.",
            };
            return graph_error(
                StatusCode::TOO_MANY_REQUESTS,
                simple_error(n, "OAuthException", code, None, true, message.to_string()),
            );
        }
        Some(FaultKind::Partial(k)) => partial = Some(k),
        Some(FaultKind::Graph {
            status,
            code,
            subcode,
            transient,
        }) => {
            return graph_error(
                StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
                simple_error(
                    n,
                    "OAuthException",
                    code,
                    subcode,
                    transient,
                    code_message(code).to_string(),
                ),
            );
        }
        Some(FaultKind::Html(status)) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
            return Response::builder()
                .status(status)
                .header(header::CONTENT_TYPE, "text/html; charset=utf-8")
                .body(Body::from(format!(
                    "<!DOCTYPE html>\n<html><head><title>{status}</title></head><body><h1>{status}</h1><p>The server could not handle the request.</p></body></html>\n"
                )))
                .unwrap_or_default();
        }
        Some(FaultKind::EchoToken(encoding, code)) => echo = Some((encoding, code)),
        Some(FaultKind::Latency(_)) | None => {}
    }

    // Path and method.
    let Some(pixel) = events_pixel(uri.path()) else {
        return graph_error(
            StatusCode::BAD_REQUEST,
            simple_error(
                n,
                "OAuthException",
                2500,
                None,
                false,
                format!("Unknown path components: {}", uri.path()),
            ),
        );
    };
    if method != Method::POST {
        return graph_error(
            StatusCode::BAD_REQUEST,
            simple_error(
                n,
                "GraphMethodException",
                100,
                None,
                false,
                format!(
                    "Unsupported {} request.",
                    method.as_str().to_ascii_lowercase()
                ),
            ),
        );
    }

    // Body: JSON, or a form whose `data` is a JSON string.
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let now = match st.now.load(Ordering::SeqCst) {
        i64::MIN => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX)),
        t => t,
    };
    let judged = if is_form {
        let text = String::from_utf8_lossy(&body);
        let obj: serde_json::Map<String, Value> = form_pairs(&text)
            .map(|(k, v)| (k, Value::String(v)))
            .collect();
        oracle::judge(Value::Object(obj).to_string().as_bytes(), now)
    } else {
        oracle::judge(&body, now)
    };

    // Token: query string, then body, then `Authorization: Bearer`.
    let token = uri
        .query()
        .and_then(|q| {
            form_pairs(q)
                .find(|(k, _)| k == "access_token")
                .map(|(_, v)| v)
        })
        .or_else(|| judged.access_token.clone())
        .or_else(|| {
            headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
                .map(str::to_string)
        });
    if let Some((encoding, Some(code))) = echo {
        let shown = token
            .as_deref()
            .map(|t| encoding.encode(t))
            .unwrap_or_default();
        let (status, transient) = graph_status(code);
        let mut e = simple_error(
            n,
            "OAuthException",
            code,
            None,
            transient,
            format!("{} (request access_token={shown})", code_message(code)),
        );
        e["error_user_msg"] = json!(format!("The token {shown} was used for this request."));
        e["fbtrace_id"] = json!(format!("AEcho{shown}"));
        return escaped_bars(
            StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
            &json!({ "error": e }),
        );
    }
    let Some(token) = token else {
        return graph_error(
            StatusCode::BAD_REQUEST,
            simple_error(
                n,
                "OAuthException",
                104,
                None,
                false,
                "An access token is required to request this resource.".to_string(),
            ),
        );
    };
    if st.expired_tokens.contains(&token) {
        return graph_error(
            StatusCode::BAD_REQUEST,
            simple_error(
                n,
                "OAuthException",
                190,
                Some(463),
                false,
                "Error validating access token: Session has expired.".to_string(),
            ),
        );
    }
    if !st.tokens.contains(&token) {
        return graph_error(
            StatusCode::BAD_REQUEST,
            simple_error(
                n,
                "OAuthException",
                190,
                Some(467),
                false,
                "Invalid OAuth access token - Cannot parse access token".to_string(),
            ),
        );
    }
    if !st.pixels.iter().any(|p| p == pixel) {
        return graph_error(
            StatusCode::BAD_REQUEST,
            simple_error(
                n,
                "GraphMethodException",
                100,
                Some(33),
                false,
                format!(
                    "Unsupported post request. Object with ID '{pixel}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api"
                ),
            ),
        );
    }

    // Payload.
    if let Some(b) = &judged.rejection {
        return graph_error(StatusCode::BAD_REQUEST, payload_error(n, b));
    }
    let accepted = partial.map_or(judged.events.len(), |k| k.min(judged.events.len()));
    let mut messages = Vec::new();
    if st.echo_findings {
        messages.extend(
            judged
                .notes
                .iter()
                .map(|b| format!("{} at {}", b.rule.name, b.path)),
        );
    }
    messages.extend(st.messages.iter().cloned());
    if !judged.notes.is_empty() {
        lock(&st.findings).extend(judged.notes.into_iter().map(finding));
    }
    {
        let mut received = lock(&st.received);
        let test_event_code = judged.test_event_code;
        received.extend(
            judged
                .events
                .into_iter()
                .take(accepted)
                .map(|json| ReceivedEvent {
                    pixel: pixel.to_string(),
                    test_event_code: test_event_code.clone(),
                    request: n,
                    event: typed(&json),
                    json,
                }),
        );
    }
    if let Some((encoding, None)) = echo {
        let shown = encoding.encode(&token);
        messages.push(format!("Request made with access_token={shown}"));
        return escaped_bars(
            StatusCode::OK,
            &json!({
                "events_received": accepted,
                "messages": messages,
                "fbtrace_id": format!("AEcho{shown}"),
            }),
        );
    }
    json_response(
        StatusCode::OK,
        &json!({ "events_received": accepted, "messages": messages, "fbtrace_id": trace }),
    )
}

/// A message like Meta's for a Graph error `code`.
fn code_message(code: u32) -> &'static str {
    match code {
        1 => "An unknown error occurred",
        2 => "An unexpected error has occurred. Please retry your request later.",
        4 => "(#4) Application request limit reached",
        10 => "(#10) Application does not have permission for this action",
        17 => "(#17) User request limit reached",
        100 => "Invalid parameter",
        102 => "Session key invalid or no longer valid",
        190 => "Invalid OAuth access token - Cannot parse access token",
        200..=299 => "(#200) Permissions error",
        341 => "(#341) Application limit reached",
        _ => "An error occurred",
    }
}

/// A JSON response like [`json_response`]'s, with every `|` of the body written as
/// `\u007c`: the same JSON to a parser (`|` occurs only inside strings), but no literal
/// token in the raw bytes.
fn escaped_bars(status: StatusCode, body: &Value) -> Response {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "application/json; charset=UTF-8")
        .body(Body::from(body.to_string().replace('|', "\\u007c")))
        .unwrap_or_default()
}

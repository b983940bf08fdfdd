//! The picker's HTTP server: 127.0.0.1 only, everything under `/t/<TOKEN>/`, one thread
//! per connection. Static files and `scan.json` are answered on the connection's thread;
//! every `POST` is checked (Host, Origin, Content-Type) and handed to the main loop, which
//! owns the browser tab and the configuration file, over a channel.

use std::io::{self, Read as _, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

/// The largest request body read; a longer one is refused (`413`).
const MAX_BODY: usize = 256 * 1024;

/// How long a connection's thread waits for the main loop's answer.
const REPLY_TIMEOUT: Duration = Duration::from_secs(30);

/// The policy every response carries: only the picker's own files, no plugins, no
/// `<base>`, no framing.
pub(super) const CSP: &str = "default-src 'self'; img-src 'self'; object-src 'none'; \
                              base-uri 'none'; frame-ancestors 'none'";

/// One response.
#[derive(Debug, Clone)]
pub(super) struct Response {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
}

impl Response {
    pub fn json(status: u16, v: &serde_json::Value) -> Response {
        Response {
            status,
            content_type: "application/json",
            body: v.to_string().into_bytes(),
        }
    }

    fn text(status: u16, body: &str) -> Response {
        Response {
            status,
            content_type: "text/plain; charset=utf-8",
            body: body.as_bytes().to_vec(),
        }
    }
}

/// What a `POST` asks the main loop to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Action {
    /// `POST save`.
    Save,
    /// `POST locator`.
    Locator,
    /// `POST quit`.
    Quit,
}

/// A `POST` for the main loop, with where to send its answer.
pub(super) struct Job {
    pub action: Action,
    pub body: String,
    pub reply: Sender<Response>,
}

/// The files the server answers `GET`s with: static assets, the screenshot, and
/// `scan.json` (replaced by the main loop after a save).
pub(super) struct Files {
    pub shot: Vec<u8>,
    pub scan: Mutex<Vec<u8>>,
}

/// The running server; it stops accepting when dropped.
pub(super) struct Server {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

struct Shared {
    prefix: String,
    host: String,
    origin: String,
    files: Arc<Files>,
    jobs: Mutex<Sender<Job>>,
}

impl Server {
    /// Binds `127.0.0.1:port` (`0`: any free port) and serves under `/t/<token>/`.
    pub fn start(
        port: u16,
        token: &str,
        files: Arc<Files>,
        jobs: Sender<Job>,
    ) -> io::Result<Server> {
        let listener = TcpListener::bind(("127.0.0.1", port))?;
        let addr = listener.local_addr()?;
        let host = format!("127.0.0.1:{}", addr.port());
        let shared = Arc::new(Shared {
            prefix: format!("/t/{token}/"),
            origin: format!("http://{host}"),
            host,
            files,
            jobs: Mutex::new(jobs),
        });
        let stop = Arc::new(AtomicBool::new(false));
        let stop2 = stop.clone();
        let thread = std::thread::Builder::new()
            .name("tagc-pick".into())
            .spawn(move || {
                for conn in listener.incoming() {
                    if stop2.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(conn) = conn else { continue };
                    let shared = shared.clone();
                    let _ = std::thread::Builder::new()
                        .name("tagc-pick-conn".into())
                        .spawn(move || serve(conn, &shared));
                }
            })?;
        Ok(Server {
            addr,
            stop,
            thread: Some(thread),
        })
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let woke = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1)).is_ok();
        if let Some(t) = self.thread.take()
            && woke
        {
            let _ = t.join();
        }
    }
}

/// A request as read: method, path (no query), head, body.
struct Request {
    method: String,
    path: String,
    head: String,
    body: Vec<u8>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }
}

fn read_request(conn: &mut TcpStream) -> Result<Request, Response> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        if buf.len() > 32 * 1024 {
            return Err(Response::text(431, "request head too large"));
        }
        match conn.read(&mut chunk) {
            Ok(0) | Err(_) => return Err(Response::text(400, "incomplete request")),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut words = head.split_whitespace();
    let method = words.next().unwrap_or_default().to_owned();
    let target = words.next().unwrap_or_default();
    let path = target
        .split(['?', '#'])
        .next()
        .unwrap_or_default()
        .to_owned();
    let mut req = Request {
        method,
        path,
        head,
        body: Vec::new(),
    };
    let length: usize = req
        .header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    if length > MAX_BODY {
        return Err(Response::text(413, "request body too large"));
    }
    let mut body = buf[head_end..].to_vec();
    while body.len() < length {
        match conn.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => body.extend_from_slice(&chunk[..n]),
        }
    }
    body.truncate(length);
    req.body = body;
    Ok(req)
}

fn serve(mut conn: TcpStream, shared: &Shared) {
    let _ = conn.set_read_timeout(Some(Duration::from_secs(10)));
    let _ = conn.set_write_timeout(Some(Duration::from_secs(10)));
    let response = match read_request(&mut conn) {
        Ok(req) => route(&req, shared),
        Err(r) => r,
    };
    let _ = write_response(&mut conn, &response);
}

fn route(req: &Request, shared: &Shared) -> Response {
    let not_found = || Response::text(404, "not found");
    let Some(name) = req.path.strip_prefix(&shared.prefix) else {
        return not_found();
    };
    // DNS rebinding: a page of another site resolving its name to 127.0.0.1 sends its
    // own Host.
    if req.header("host") != Some(shared.host.as_str()) {
        return Response::text(403, "forbidden: wrong Host");
    }
    match (req.method.as_str(), name) {
        ("GET", "" | "index.html") => asset("text/html; charset=utf-8", super::INDEX_HTML),
        ("GET", "picker.js") => asset("text/javascript; charset=utf-8", super::PICKER_JS),
        ("GET", "picker.css") => asset("text/css; charset=utf-8", super::PICKER_CSS),
        ("GET", "shot.png") => Response {
            status: 200,
            content_type: "image/png",
            body: shared.files.shot.clone(),
        },
        ("GET", "scan.json") => Response {
            status: 200,
            content_type: "application/json",
            body: shared
                .files
                .scan
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clone(),
        },
        ("POST", "save" | "locator" | "quit") => {
            // Cross-site form posts and fetches carry another Origin (or none, for
            // `text/plain` forms of old browsers: refused too), and cannot send
            // `application/json` without a preflight this server never answers.
            if req.header("origin") != Some(shared.origin.as_str()) {
                return Response::text(403, "forbidden: wrong Origin");
            }
            let json = req.header("content-type").is_some_and(|c| {
                c.split(';')
                    .next()
                    .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
            });
            if !json {
                return Response::text(403, "forbidden: Content-Type must be application/json");
            }
            let action = match name {
                "save" => Action::Save,
                "locator" => Action::Locator,
                _ => Action::Quit,
            };
            forward(shared, action, &req.body)
        }
        (_, "" | "index.html" | "picker.js" | "picker.css" | "shot.png" | "scan.json") => {
            Response::text(405, "method not allowed")
        }
        _ => not_found(),
    }
}

fn asset(content_type: &'static str, text: &str) -> Response {
    Response {
        status: 200,
        content_type,
        body: text.as_bytes().to_vec(),
    }
}

fn forward(shared: &Shared, action: Action, body: &[u8]) -> Response {
    let (tx, rx) = mpsc::channel();
    let job = Job {
        action,
        body: String::from_utf8_lossy(body).into_owned(),
        reply: tx,
    };
    let sent = shared
        .jobs
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .send(job);
    if sent.is_err() {
        return Response::text(503, "the picker has stopped");
    }
    rx.recv_timeout(REPLY_TIMEOUT)
        .unwrap_or_else(|_| Response::text(503, "the picker did not answer in time"))
}

fn write_response(conn: &mut TcpStream, r: &Response) -> io::Result<()> {
    let reason = match r.status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        413 => "Payload Too Large",
        422 => "Unprocessable Content",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        _ => "",
    };
    let head = format!(
        "HTTP/1.1 {} {reason}\r\nContent-Type: {}\r\nContent-Length: {}\r\n\
         Content-Security-Policy: {CSP}\r\nX-Content-Type-Options: nosniff\r\n\
         Referrer-Policy: no-referrer\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
        r.status,
        r.content_type,
        r.body.len()
    );
    conn.write_all(head.as_bytes())?;
    conn.write_all(&r.body)?;
    conn.flush()
}

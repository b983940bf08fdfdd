//! A small HTTP/1.1 server on 127.0.0.1 for the pages a browser check loads: harness pages
//! offline, and the local sites the tests and benchmarks play real sites with.
//!
//! It answers any method (`GET`, `POST`, `HEAD`) from a route table — a page with its
//! status, or a redirect — and keeps a log of every request with its body, so a test can
//! see what a form really posted. The table can be replaced while the server runs
//! ([`Server::set_routes`]): a verify worker serves each check's harness page from one
//! server.

use std::collections::BTreeMap;
use std::io::{self, Read as _, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

/// The files served: URL path (`/p/x`, no query) → (content type, body), each `200 OK`.
pub type Files = BTreeMap<String, (String, Vec<u8>)>;

/// The largest request body read (bigger bodies are cut; the log says how long it was).
const MAX_BODY: usize = 1 << 20;

/// What the server answers for a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// A page: status, content type and body.
    Page {
        /// The HTTP status (200, 404, …).
        status: u16,
        /// The `Content-Type`.
        content_type: String,
        /// The body.
        body: Vec<u8>,
    },
    /// A redirect (`303 See Other` after a form post, `302`, …) to `location`.
    Redirect {
        /// The HTTP status (301, 302, 303, 307, 308).
        status: u16,
        /// The `Location` header.
        location: String,
    },
}

impl Route {
    /// A `200 OK` HTML page.
    #[must_use]
    pub fn html(body: impl Into<Vec<u8>>) -> Route {
        Route::Page {
            status: 200,
            content_type: "text/html; charset=utf-8".to_owned(),
            body: body.into(),
        }
    }

    /// A `303 See Other` to `location`, as a server answers a form post.
    #[must_use]
    pub fn see_other(location: &str) -> Route {
        Route::Redirect {
            status: 303,
            location: location.to_owned(),
        }
    }
}

/// The route table: path (no query) → route, and what to answer for any other path
/// (`404 not found` when `fallback` is `None`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Routes {
    /// Path → route.
    pub paths: BTreeMap<String, Route>,
    /// The answer for paths not in `paths`.
    pub fallback: Option<Route>,
}

impl Routes {
    /// A table with `route` at `path` added.
    #[must_use]
    pub fn with(mut self, path: &str, route: Route) -> Routes {
        self.paths.insert(path.to_owned(), route);
        self
    }
}

impl From<Files> for Routes {
    fn from(files: Files) -> Routes {
        Routes {
            paths: files
                .into_iter()
                .map(|(path, (content_type, body))| {
                    (
                        path,
                        Route::Page {
                            status: 200,
                            content_type,
                            body,
                        },
                    )
                })
                .collect(),
            fallback: None,
        }
    }
}

/// One request the server received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// `GET`, `POST`, …
    pub method: String,
    /// The path, without query.
    pub path: String,
    /// The query string (after `?`), if any.
    pub query: Option<String>,
    /// The body, as text (lossy UTF-8; at most 1 MiB).
    pub body: String,
}

/// An HTTP/1.1 server on `127.0.0.1:0`, one thread per connection. Each response closes
/// its connection and is `Cache-Control: no-store`. It stops when dropped.
pub struct Server {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

struct Shared {
    routes: Mutex<Arc<Routes>>,
    log: Mutex<Vec<Request>>,
}

impl Server {
    /// Binds a free port on 127.0.0.1 and serves `files` (URL path → content type, body).
    /// The query string and fragment of a request are ignored when looking a path up.
    pub fn start(files: Files) -> io::Result<Server> {
        Server::start_routes(Routes::from(files))
    }

    /// Binds a free port on 127.0.0.1 and answers from `routes`.
    pub fn start_routes(routes: Routes) -> io::Result<Server> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let stop = Arc::new(AtomicBool::new(false));
        let shared = Arc::new(Shared {
            routes: Mutex::new(Arc::new(routes)),
            log: Mutex::new(Vec::new()),
        });
        let (stop2, shared2) = (stop.clone(), shared.clone());
        let thread = std::thread::Builder::new()
            .name("tagc-serve".into())
            .spawn(move || {
                for conn in listener.incoming() {
                    if stop2.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(conn) = conn else { continue };
                    let shared = shared2.clone();
                    let _ = std::thread::Builder::new()
                        .name("tagc-serve-conn".into())
                        .spawn(move || respond(conn, &shared));
                }
            })?;
        Ok(Server {
            addr,
            stop,
            shared,
            thread: Some(thread),
        })
    }

    /// Replaces the route table; requests already being answered finish with the old one.
    pub fn set_routes(&self, routes: Routes) {
        *lock(&self.shared.routes) = Arc::new(routes);
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The paths requested so far (without query strings), in order of arrival.
    pub fn requests(&self) -> Vec<String> {
        lock(&self.shared.log)
            .iter()
            .map(|r| r.path.clone())
            .collect()
    }

    /// Every request so far, with method, query and body, in order of arrival.
    pub fn log(&self) -> Vec<Request> {
        lock(&self.shared.log).clone()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Drop for Server {
    /// Stops accepting (connections already being answered finish on their own).
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let woke = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1)).is_ok();
        if let Some(t) = self.thread.take()
            && woke
        {
            let _ = t.join();
        }
    }
}

/// The value of header `name` (case-insensitive) in a request head.
fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().skip(1).find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// Reads one request (head and `Content-Length` body) and writes the response.
fn respond(mut conn: TcpStream, shared: &Shared) {
    let _ = conn.set_read_timeout(Some(Duration::from_secs(5)));
    let _ = conn.set_write_timeout(Some(Duration::from_secs(5)));
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        if buf.len() > 64 * 1024 {
            return;
        }
        match conn.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut words = head.split_whitespace();
    let method = words.next().unwrap_or("GET").to_owned();
    let target = words.next().unwrap_or("/");
    let target = target.split('#').next().unwrap_or("/");
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p.to_owned(), Some(q.to_owned())),
        None => (target.to_owned(), None),
    };
    let length: usize = header(&head, "content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = buf[head_end..].to_vec();
    while body.len() < length.min(MAX_BODY) {
        match conn.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => body.extend_from_slice(&chunk[..n]),
        }
    }
    body.truncate(MAX_BODY);
    lock(&shared.log).push(Request {
        method: method.clone(),
        path: path.clone(),
        query,
        body: String::from_utf8_lossy(&body).into_owned(),
    });
    let routes = lock(&shared.routes).clone();
    let not_found = Route::Page {
        status: 404,
        content_type: "text/plain; charset=utf-8".to_owned(),
        body: b"not found".to_vec(),
    };
    let route = routes
        .paths
        .get(&path)
        .or(routes.fallback.as_ref())
        .unwrap_or(&not_found);
    let _ = match route {
        Route::Page {
            status,
            content_type,
            body,
        } => write!(
            conn,
            "HTTP/1.1 {status} {}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
            reason(*status),
            body.len()
        )
        .and_then(|()| {
            if method == "HEAD" {
                Ok(())
            } else {
                conn.write_all(body)
            }
        }),
        Route::Redirect { status, location } => write!(
            conn,
            "HTTP/1.1 {status} {}\r\nLocation: {location}\r\nContent-Length: 0\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
            reason(*status)
        ),
    };
    let _ = conn.flush();
}

/// The reason phrase of the statuses a test site uses.
fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(addr: SocketAddr, raw: &str) -> String {
        let mut s = TcpStream::connect(addr).unwrap();
        s.write_all(raw.as_bytes()).unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        out
    }

    #[test]
    fn answers_pages_redirects_and_fallbacks_and_logs_bodies() {
        let routes = Routes::default()
            .with("/", Route::html("home"))
            .with("/lead", Route::see_other("/gracias"));
        let server = Server::start_routes(routes).unwrap();
        let home = get(server.addr(), "GET /?a=1 HTTP/1.1\r\nHost: x\r\n\r\n");
        assert!(home.starts_with("HTTP/1.1 200 OK\r\n") && home.ends_with("home"));
        let post = get(
            server.addr(),
            "POST /lead HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nevent_id=42",
        );
        assert!(post.starts_with("HTTP/1.1 303 See Other\r\n"), "{post}");
        assert!(post.contains("\r\nLocation: /gracias\r\n"));
        let missing = get(server.addr(), "GET /nope HTTP/1.1\r\n\r\n");
        assert!(missing.starts_with("HTTP/1.1 404 Not Found\r\n"));
        let log = server.log();
        assert_eq!(log[0].query.as_deref(), Some("a=1"));
        assert_eq!(
            (log[1].method.as_str(), log[1].body.as_str()),
            ("POST", "event_id=42")
        );
        server.set_routes(Routes {
            paths: BTreeMap::new(),
            fallback: Some(Route::Page {
                status: 404,
                content_type: "text/html".into(),
                body: b"<h1>Oops</h1>".to_vec(),
            }),
        });
        let oops = get(server.addr(), "GET /anything HTTP/1.1\r\n\r\n");
        assert!(oops.starts_with("HTTP/1.1 404") && oops.ends_with("<h1>Oops</h1>"));
        assert_eq!(server.requests(), ["/", "/lead", "/nope", "/anything"]);
    }
}

//! A static HTTP server on 127.0.0.1 for the pages a browser check loads.

use std::collections::BTreeMap;
use std::io::{self, Read as _, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

/// The files served: URL path (`/p/x`, no query) → (content type, body).
pub type Files = BTreeMap<String, (String, Vec<u8>)>;

/// A static HTTP/1.1 server on `127.0.0.1:0`, one thread per connection. Each response
/// closes its connection and is `Cache-Control: no-store`; paths not in the file map get
/// `404`. It stops when dropped.
pub struct Server {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    requests: Arc<Mutex<Vec<String>>>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    /// Binds a free port on 127.0.0.1 and serves `files` (URL path → content type, body).
    /// The query string and fragment of a request are ignored when looking a path up.
    pub fn start(files: Files) -> io::Result<Server> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let stop = Arc::new(AtomicBool::new(false));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let files = Arc::new(files);
        let (stop2, requests2) = (stop.clone(), requests.clone());
        let thread = std::thread::Builder::new()
            .name("tagc-serve".into())
            .spawn(move || {
                for conn in listener.incoming() {
                    if stop2.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(conn) = conn else { continue };
                    let (files, requests) = (files.clone(), requests2.clone());
                    let _ = std::thread::Builder::new()
                        .name("tagc-serve-conn".into())
                        .spawn(move || respond(conn, &files, &requests));
                }
            })?;
        Ok(Server {
            addr,
            stop,
            requests,
            thread: Some(thread),
        })
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
        self.requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
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

/// Reads one request head and writes the response.
fn respond(mut conn: TcpStream, files: &Files, requests: &Mutex<Vec<String>>) {
    let _ = conn.set_read_timeout(Some(Duration::from_secs(5)));
    let _ = conn.set_write_timeout(Some(Duration::from_secs(5)));
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        if buf.len() > 64 * 1024 {
            return;
        }
        match conn.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    let head = String::from_utf8_lossy(&buf);
    let mut words = head.split_whitespace();
    let method = words.next().unwrap_or("GET").to_owned();
    let target = words.next().unwrap_or("/");
    let path = target.split(['?', '#']).next().unwrap_or("/").to_owned();
    requests
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(path.clone());
    let (status, ctype, body): (&str, &str, &[u8]) = match files.get(&path) {
        Some((c, b)) => ("200 OK", c, b),
        None => ("404 Not Found", "text/plain; charset=utf-8", b"not found"),
    };
    let _ = write!(
        conn,
        "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    );
    if method != "HEAD" {
        let _ = conn.write_all(body);
    }
    let _ = conn.flush();
}

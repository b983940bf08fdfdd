//! A small synchronous Chrome DevTools Protocol client for the browser tests, and a static
//! HTTP server for the pages they load.
//!
//! Chromium runs headless with a fresh profile; every request to Meta's hosts is paused
//! with `Fetch` and answered locally: `fbevents.js` with a recorder that, like Meta's
//! library, replays `fbq.queue` and then receives calls directly.

#![allow(dead_code, clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{Value, json};
use tungstenite::{Message, WebSocket};

/// Stands in for Meta's `fbevents.js`: records every `fbq` call as JSON, and a typed
/// description of each (so `undefined` and `NaN` are visible).
const RECORDER: &str = r#"(function () {
  var f = window.fbq;
  var calls = window.__fbqCalls = window.__fbqCalls || [];
  var raw = window.__fbqRaw = window.__fbqRaw || [];
  function describe(v) {
    if (v === undefined) return 'undefined';
    if (typeof v === 'number' && isNaN(v)) return 'NaN';
    if (Array.isArray(v)) return v.map(describe);
    if (v && typeof v === 'object') { var o = {}; for (var k in v) o[k] = describe(v[k]); return o; }
    return v;
  }
  function rec(args) {
    var a = Array.prototype.slice.call(args);
    calls.push(JSON.parse(JSON.stringify(a)));
    raw.push(JSON.stringify(describe(a)));
  }
  f.callMethod = function () { rec(arguments); };
  var q = f.queue || [];
  for (var i = 0; i < q.length; i++) rec(q[i]);
  f.queue = [];
})();"#;

const GIF: &str = "R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7";
const TIMEOUT: Duration = Duration::from_secs(15);

type Socket = WebSocket<TcpStream>;

/// A headless Chromium and the DevTools connection to it.
pub struct Browser {
    child: Child,
    ws: Socket,
    next_id: u64,
    _profile: tempfile::TempDir,
}

/// A tab, attached with a flat session.
pub struct Page<'b> {
    browser: &'b mut Browser,
    session: String,
    errors: Vec<String>,
    meta_requests: Vec<String>,
    loaded: bool,
}

impl Browser {
    /// Starts Chromium (`TAGC_CHROMIUM` or `/usr/bin/chromium`) with a fresh profile.
    pub fn launch() -> Result<Browser, String> {
        let bin = std::env::var("TAGC_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let profile = tempfile::tempdir().map_err(|e| e.to_string())?;
        let mut child = Command::new(&bin)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
                "--disable-extensions",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| {
                format!("cannot start {bin}: {e}; install Debian's chromium (apt-get install -y chromium) or set TAGC_CHROMIUM")
            })?;
        let stderr = child.stderr.take().ok_or("no stderr")?;
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            // Keep draining so Chromium never blocks on a full pipe.
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(i) = line.find("ws://") {
                    let _ = tx.send(line[i..].trim().to_owned());
                }
            }
        });
        let url = match rx.recv_timeout(TIMEOUT) {
            Ok(u) => u,
            Err(_) => {
                let _ = child.kill();
                return Err(format!("{bin} did not print its DevTools address"));
            }
        };
        let hostport = url
            .trim_start_matches("ws://")
            .split('/')
            .next()
            .unwrap_or_default()
            .to_owned();
        let stream = TcpStream::connect(&hostport).map_err(|e| format!("{hostport}: {e}"))?;
        let (ws, _) =
            tungstenite::client::client(url.as_str(), stream).map_err(|e| e.to_string())?;
        ws.get_ref()
            .set_read_timeout(Some(Duration::from_millis(20)))
            .map_err(|e| e.to_string())?;
        Ok(Browser {
            child,
            ws,
            next_id: 0,
            _profile: profile,
        })
    }

    /// Opens a new tab with Page, Runtime and Fetch interception of Meta's hosts enabled.
    pub fn new_page(&mut self) -> Result<Page<'_>, String> {
        let target = self.call(
            None,
            "Target.createTarget",
            json!({"url": "about:blank"}),
            &mut |_| {},
        )?;
        let target_id = target["targetId"].as_str().ok_or("no targetId")?.to_owned();
        let attached = self.call(
            None,
            "Target.attachToTarget",
            json!({"targetId": target_id, "flatten": true}),
            &mut |_| {},
        )?;
        let session = attached["sessionId"]
            .as_str()
            .ok_or("no sessionId")?
            .to_owned();
        let mut page = Page {
            browser: self,
            session,
            errors: Vec::new(),
            meta_requests: Vec::new(),
            loaded: false,
        };
        page.cmd("Page.enable", json!({}))?;
        page.cmd("Runtime.enable", json!({}))?;
        page.cmd(
            "Fetch.enable",
            json!({"patterns": [
                {"urlPattern": "*://connect.facebook.net/*"},
                {"urlPattern": "*://www.facebook.com/*"},
                {"urlPattern": "*://facebook.com/*"}
            ]}),
        )?;
        Ok(page)
    }

    fn send(&mut self, session: Option<&str>, method: &str, params: Value) -> Result<u64, String> {
        self.next_id += 1;
        let mut msg = json!({"id": self.next_id, "method": method, "params": params});
        if let Some(s) = session {
            msg["sessionId"] = json!(s);
        }
        self.ws
            .send(Message::text(msg.to_string()))
            .map_err(|e| format!("{method}: {e}"))?;
        Ok(self.next_id)
    }

    /// Reads one message, or `None` after the short read timeout.
    fn recv(&mut self) -> Result<Option<Value>, String> {
        match self.ws.read() {
            Ok(Message::Text(t)) => serde_json::from_str(t.as_str())
                .map(Some)
                .map_err(|e| e.to_string()),
            Ok(_) => Ok(None),
            Err(tungstenite::Error::Io(e))
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                Ok(None)
            }
            Err(e) => Err(e.to_string()),
        }
    }

    /// Sends a command and waits for its response, passing every event to `on_event`.
    fn call(
        &mut self,
        session: Option<&str>,
        method: &str,
        params: Value,
        on_event: &mut dyn FnMut(Value),
    ) -> Result<Value, String> {
        let id = self.send(session, method, params)?;
        let deadline = Instant::now() + TIMEOUT;
        while Instant::now() < deadline {
            let Some(msg) = self.recv()? else { continue };
            if msg["id"].as_u64() == Some(id) {
                if let Some(e) = msg.get("error") {
                    return Err(format!("{method}: {e}"));
                }
                return Ok(msg["result"].clone());
            }
            if msg.get("method").is_some() {
                on_event(msg);
            }
        }
        Err(format!("{method}: no answer within {TIMEOUT:?}"))
    }
}

impl Drop for Browser {
    /// Closes Chromium cleanly (so its helper processes stop writing to the profile before
    /// the profile is removed), killing it only if it does not exit in time.
    fn drop(&mut self) {
        let _ = self.send(None, "Browser.close", json!({}));
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                // Give the zygote and renderers a moment to follow the browser process.
                std::thread::sleep(Duration::from_millis(200));
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Page<'_> {
    fn cmd(&mut self, method: &str, params: Value) -> Result<Value, String> {
        let session = self.session.clone();
        let mut events = Vec::new();
        let r = self
            .browser
            .call(Some(&session), method, params, &mut |e| events.push(e));
        for e in events {
            self.event(e)?;
        }
        r
    }

    /// Handles one event of this session.
    fn event(&mut self, e: Value) -> Result<(), String> {
        if e["sessionId"].as_str() != Some(self.session.as_str()) {
            return Ok(());
        }
        let p = &e["params"];
        match e["method"].as_str().unwrap_or("") {
            "Fetch.requestPaused" => {
                let url = p["request"]["url"].as_str().unwrap_or("").to_owned();
                let (ctype, body) =
                    if url.contains("connect.facebook.net") && url.ends_with("fbevents.js") {
                        (
                            "application/javascript",
                            base64::engine::general_purpose::STANDARD.encode(RECORDER),
                        )
                    } else if url.contains("connect.facebook.net") {
                        ("application/javascript", String::new())
                    } else {
                        ("image/gif", GIF.to_owned())
                    };
                self.meta_requests.push(url);
                let session = self.session.clone();
                self.browser.send(
                    Some(&session),
                    "Fetch.fulfillRequest",
                    json!({
                        "requestId": p["requestId"],
                        "responseCode": 200,
                        "responseHeaders": [{"name": "Content-Type", "value": ctype}],
                        "body": body
                    }),
                )?;
            }
            "Runtime.exceptionThrown" => {
                let d = &p["exceptionDetails"];
                let text = d["exception"]["description"]
                    .as_str()
                    .or(d["text"].as_str())
                    .unwrap_or("exception");
                self.errors.push(text.to_owned());
            }
            "Runtime.consoleAPICalled" if p["type"] == "error" => {
                self.errors.push(p["args"].to_string());
            }
            "Page.loadEventFired" => self.loaded = true,
            _ => {}
        }
        Ok(())
    }

    /// Processes events until `done` holds or the timeout passes.
    fn pump_until(&mut self, what: &str, done: &dyn Fn(&Self) -> bool) -> Result<(), String> {
        let deadline = Instant::now() + TIMEOUT;
        while !done(self) {
            if Instant::now() > deadline {
                return Err(format!("timed out waiting for {what}"));
            }
            if let Some(e) = self.browser.recv()? {
                self.event(e)?;
            }
        }
        Ok(())
    }

    /// Processes events for `d`.
    fn pump_for(&mut self, d: Duration) -> Result<(), String> {
        let until = Instant::now() + d;
        while Instant::now() < until {
            if let Some(e) = self.browser.recv()? {
                self.event(e)?;
            }
        }
        Ok(())
    }

    /// Navigates and waits for the load event.
    pub fn goto(&mut self, url: &str) -> Result<(), String> {
        self.loaded = false;
        let r = self.cmd("Page.navigate", json!({"url": url}))?;
        if let Some(e) = r.get("errorText") {
            return Err(format!("navigating to {url}: {e}"));
        }
        self.pump_until("the load event", &|p| p.loaded)
    }

    /// Evaluates an expression (promises awaited) and returns its value.
    pub fn eval(&mut self, js: &str) -> Result<Value, String> {
        let r = self.cmd(
            "Runtime.evaluate",
            json!({"expression": js, "returnByValue": true, "awaitPromise": true}),
        )?;
        if let Some(d) = r.get("exceptionDetails") {
            let text = d["exception"]["description"]
                .as_str()
                .or(d["text"].as_str())
                .unwrap_or("exception");
            return Err(format!("{js}: {text}"));
        }
        Ok(r["result"].get("value").cloned().unwrap_or(Value::Null))
    }

    /// A real click: scrolls the element into view and sends mouse events at its centre,
    /// so it goes through hit-testing like a user's click.
    pub fn click(&mut self, selector: &str) -> Result<(), String> {
        let sel = serde_json::to_string(selector).unwrap();
        let r = self.eval(&format!(
            "(() => {{ const e = document.querySelector({sel}); if (!e) return null; e.scrollIntoView({{block: 'center'}}); const r = e.getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; }})()"
        ))?;
        let (Some(x), Some(y)) = (r[0].as_f64(), r[1].as_f64()) else {
            return Err(format!("no element matches {selector}"));
        };
        for (kind, buttons) in [("mouseMoved", 0), ("mousePressed", 1), ("mouseReleased", 0)] {
            self.cmd(
                "Input.dispatchMouseEvent",
                json!({"type": kind, "x": x, "y": y, "button": "left", "buttons": buttons, "clickCount": 1}),
            )?;
        }
        Ok(())
    }

    /// The `fbq` calls recorded so far.
    pub fn fbq_calls(&mut self) -> Result<Vec<Value>, String> {
        match self.eval("window.__fbqCalls || []")? {
            Value::Array(a) => Ok(a),
            other => Err(format!("unexpected {other}")),
        }
    }

    /// The typed descriptions of the calls (`"NaN"`, `"undefined"` visible).
    pub fn fbq_raw(&mut self) -> Result<Vec<String>, String> {
        let v = self.eval("window.__fbqRaw || []")?;
        Ok(v.as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s.as_str().map(str::to_owned))
            .collect())
    }

    /// Polls until `js` is truthy.
    pub fn wait_for(&mut self, js: &str) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let v = self.eval(js)?;
            if v.as_bool() == Some(true) || (v.is_number() && v != json!(0)) {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!("timed out waiting for `{js}`"));
            }
            // Let events (such as paused requests) through while waiting.
            self.pump_for(Duration::from_millis(20))?;
        }
    }

    /// Uncaught exceptions and `console.error` messages so far.
    pub fn errors(&self) -> Vec<String> {
        self.errors.clone()
    }

    /// URLs of the intercepted requests to Meta's hosts.
    pub fn meta_requests(&self) -> Vec<String> {
        self.meta_requests.clone()
    }
}

/// A static HTTP server on 127.0.0.1.
pub struct Server {
    /// Its address.
    pub addr: SocketAddr,
    stop: Arc<AtomicBool>,
    requests: Arc<Mutex<Vec<String>>>,
}

impl Server {
    /// Serves `routes` (path → content type, body); other paths get `fallback` or 404.
    pub fn start(
        routes: Vec<(String, String, Vec<u8>)>,
        fallback: Option<(String, Vec<u8>)>,
    ) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let routes: Arc<BTreeMap<String, (String, Vec<u8>)>> =
            Arc::new(routes.into_iter().map(|(p, c, b)| (p, (c, b))).collect());
        let fallback = Arc::new(fallback);
        let (stop2, reqs2) = (stop.clone(), requests.clone());
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if stop2.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(mut conn) = conn else { continue };
                let (routes, fallback, reqs) = (routes.clone(), fallback.clone(), reqs2.clone());
                std::thread::spawn(move || {
                    let _ = conn.set_read_timeout(Some(Duration::from_secs(5)));
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 4096];
                    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                        match conn.read(&mut chunk) {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    }
                    let head = String::from_utf8_lossy(&buf);
                    let target = head.split_whitespace().nth(1).unwrap_or("/");
                    let path = target.split(['?', '#']).next().unwrap_or("/").to_owned();
                    reqs.lock().unwrap().push(path.clone());
                    let found = routes.get(&path).cloned().or_else(|| {
                        if path == "/favicon.ico" {
                            None
                        } else {
                            (*fallback).clone()
                        }
                    });
                    let (status, ctype, body) = match found {
                        Some((c, b)) => ("200 OK", c, b),
                        None => (
                            "404 Not Found",
                            "text/plain".to_owned(),
                            b"not found".to_vec(),
                        ),
                    };
                    let _ = write!(
                        conn,
                        "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
                        body.len()
                    );
                    let _ = conn.write_all(&body);
                });
            }
        });
        Server {
            addr,
            stop,
            requests,
        }
    }

    /// `http://127.0.0.1:PORT{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The paths requested so far.
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
    }
}

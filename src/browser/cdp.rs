//! The DevTools protocol plumbing: one WebSocket to the browser, commands with ids,
//! responses and events read back with a short poll so that every wait has a deadline.

use std::io::ErrorKind;
use std::net::{SocketAddr, TcpStream, ToSocketAddrs as _};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tungstenite::{Message, WebSocket};

use super::BrowserError;

/// How long one read waits before the caller gets to check its deadline.
const POLL: Duration = Duration::from_millis(20);

/// One message from the browser.
pub(crate) enum Incoming {
    /// The answer to command `id`: its result, or the protocol's error message.
    Response {
        id: u64,
        result: Result<Value, String>,
    },
    /// An event, with the session it belongs to (`None` for the browser's own).
    Event {
        method: String,
        session: Option<String>,
        params: Value,
    },
}

/// The WebSocket connection to the browser endpoint.
pub(crate) struct Conn {
    ws: WebSocket<TcpStream>,
    next_id: u64,
}

impl Conn {
    /// Connects to `ws://HOST:PORT/devtools/browser/ID` before `deadline`.
    pub(crate) fn connect(url: &str, deadline: Instant) -> Result<Conn, BrowserError> {
        let fail = |m: String| BrowserError::Connection(format!("{url}: {m}"));
        let hostport = url
            .strip_prefix("ws://")
            .and_then(|r| r.split('/').next())
            .ok_or_else(|| fail("not a ws:// address".into()))?;
        let addr: SocketAddr = hostport
            .to_socket_addrs()
            .map_err(|e| fail(e.to_string()))?
            .next()
            .ok_or_else(|| fail("no address".into()))?;
        let left = remaining(deadline).max(Duration::from_millis(100));
        let stream = TcpStream::connect_timeout(&addr, left).map_err(|e| fail(e.to_string()))?;
        stream.set_nodelay(true).map_err(|e| fail(e.to_string()))?;
        // The handshake is blocking: bound it by the launch deadline.
        stream
            .set_read_timeout(Some(left))
            .and_then(|()| stream.set_write_timeout(Some(left)))
            .map_err(|e| fail(e.to_string()))?;
        let (ws, _) = tungstenite::client::client(url, stream).map_err(|e| fail(e.to_string()))?;
        ws.get_ref()
            .set_read_timeout(Some(POLL))
            .and_then(|()| {
                ws.get_ref()
                    .set_write_timeout(Some(Duration::from_secs(10)))
            })
            .map_err(|e| fail(e.to_string()))?;
        Ok(Conn { ws, next_id: 0 })
    }

    /// Sends a command (to `session`, or to the browser) and returns its id.
    pub(crate) fn send(
        &mut self,
        session: Option<&str>,
        method: &str,
        params: Value,
    ) -> Result<u64, BrowserError> {
        self.next_id += 1;
        let mut msg = json!({"id": self.next_id, "method": method, "params": params});
        if let Some(s) = session {
            msg["sessionId"] = json!(s);
        }
        self.ws
            .send(Message::text(msg.to_string()))
            .map_err(|e| closed_or(e, method))?;
        Ok(self.next_id)
    }

    /// Reads one message, or `None` when nothing arrived within the poll interval.
    pub(crate) fn recv(&mut self) -> Result<Option<Incoming>, BrowserError> {
        let text = match self.ws.read() {
            Ok(Message::Text(t)) => t,
            Ok(Message::Close(_)) => {
                return Err(BrowserError::Closed(
                    "the browser closed the DevTools connection".into(),
                ));
            }
            Ok(_) => return Ok(None),
            Err(tungstenite::Error::Io(e))
                if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) =>
            {
                return Ok(None);
            }
            Err(e) => return Err(closed_or(e, "reading")),
        };
        let mut msg: Value = serde_json::from_str(text.as_str())
            .map_err(|e| BrowserError::Connection(format!("unreadable message: {e}")))?;
        if let Some(id) = msg.get("id").and_then(Value::as_u64) {
            let result = match msg.get("error") {
                Some(e) => Err(e
                    .get("message")
                    .and_then(Value::as_str)
                    .map_or_else(|| e.to_string(), str::to_owned)),
                None => Ok(msg
                    .get_mut("result")
                    .map(Value::take)
                    .unwrap_or(Value::Null)),
            };
            return Ok(Some(Incoming::Response { id, result }));
        }
        let method = match msg.get("method").and_then(Value::as_str) {
            Some(m) => m.to_owned(),
            None => return Ok(None),
        };
        Ok(Some(Incoming::Event {
            method,
            session: msg
                .get("sessionId")
                .and_then(Value::as_str)
                .map(str::to_owned),
            params: msg
                .get_mut("params")
                .map(Value::take)
                .unwrap_or(Value::Null),
        }))
    }

    /// Sends a close frame, best effort.
    pub(crate) fn close(&mut self) {
        let _ = self.ws.close(None);
        let _ = self.ws.flush();
    }
}

/// The time left before `deadline` (zero once past).
pub(crate) fn remaining(deadline: Instant) -> Duration {
    deadline.saturating_duration_since(Instant::now())
}

fn closed_or(e: tungstenite::Error, what: &str) -> BrowserError {
    match e {
        tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed => {
            BrowserError::Closed(format!("{what}: the DevTools connection is closed"))
        }
        tungstenite::Error::Io(e) => BrowserError::Closed(format!("{what}: {e}")),
        other => BrowserError::Connection(format!("{what}: {other}")),
    }
}

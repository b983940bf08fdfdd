//! A tab: navigation, evaluation, real clicks, and what the page did with Meta's hosts.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::cdp::{Incoming, remaining};
use super::recorder::{self, Answer, PixelHit};
use super::{Browser, BrowserError, MetaMode};

/// How long [`Page::wait_for`] sleeps (handling events) between two evaluations.
const WAIT_STEP: Duration = Duration::from_millis(20);

/// A tab in its own browser context, attached with a flat session. Closing it (or
/// dropping it) closes the tab and disposes of the context.
pub struct Page<'b> {
    browser: &'b mut Browser,
    mode: MetaMode,
    session: String,
    target_id: String,
    context_id: String,
    timeout: Duration,
    errors: Vec<String>,
    meta_requests: Vec<String>,
    hits: Vec<PixelHit>,
    loaded: bool,
    gone: Option<Gone>,
    closed: bool,
}

/// Why the page can no longer be used.
#[derive(Clone, Copy)]
enum Gone {
    Crashed,
    Detached,
}

impl<'b> Page<'b> {
    pub(super) fn new(
        browser: &'b mut Browser,
        mode: MetaMode,
        session: String,
        target_id: String,
        context_id: String,
        timeout: Duration,
    ) -> Page<'b> {
        Page {
            browser,
            mode,
            session,
            target_id,
            context_id,
            timeout,
            errors: Vec::new(),
            meta_requests: Vec::new(),
            hits: Vec::new(),
            loaded: false,
            gone: None,
            closed: false,
        }
    }

    /// Enables the domains the page needs and the interception of Meta's hosts.
    pub(super) fn setup(&mut self) -> Result<(), BrowserError> {
        let patterns: Vec<Value> = recorder::PATTERNS
            .iter()
            .map(|p| json!({"urlPattern": p}))
            .collect();
        self.call("Page.enable", json!({}))?;
        self.call("Runtime.enable", json!({}))?;
        self.call("Fetch.enable", json!({"patterns": patterns}))?;
        Ok(())
    }
}

impl Page<'_> {
    /// The mode this page was opened with.
    pub fn mode(&self) -> MetaMode {
        self.mode
    }

    /// Sets the deadline of each later call on this page (the browser's
    /// [`LaunchOptions::timeout`](super::LaunchOptions::timeout) by default).
    pub fn set_timeout(&mut self, timeout: Duration) {
        self.timeout = timeout;
    }

    /// Navigates to `url` and waits for its load event. A same-document navigation (a
    /// fragment change) returns at once.
    pub fn goto(&mut self, url: &str) -> Result<(), BrowserError> {
        let deadline = Instant::now() + self.timeout;
        self.loaded = false;
        let r = self.call_until("Page.navigate", json!({"url": url}), deadline)?;
        if let Some(e) = r.get("errorText").and_then(Value::as_str) {
            return Err(BrowserError::Navigation {
                url: url.to_owned(),
                error: e.to_owned(),
            });
        }
        if r.get("loaderId").is_none() {
            return Ok(());
        }
        while !self.loaded {
            if Instant::now() >= deadline {
                return Err(BrowserError::Timeout {
                    what: format!("the load event of {url}"),
                    after: self.timeout,
                });
            }
            self.pump_once()?;
        }
        Ok(())
    }

    /// Evaluates a JavaScript expression in the page (a promise is awaited) and returns
    /// its value as JSON (`null` for `undefined` and values JSON cannot carry).
    pub fn eval(&mut self, js: &str) -> Result<Value, BrowserError> {
        let deadline = Instant::now() + self.timeout;
        self.eval_until(js, deadline)
    }

    /// A real click on the first element matching `selector`: scrolls it into view and
    /// sends mouse events at the centre of its box, so the click goes through hit-testing
    /// like a user's (an element covering it gets the click).
    pub fn click(&mut self, selector: &str) -> Result<(), BrowserError> {
        let sel = js_literal(selector);
        let r = self.eval(&format!(
            "(() => {{ const e = document.querySelector({sel}); if (!e) return 'none'; e.scrollIntoView({{block: 'center', inline: 'center'}}); const r = e.getBoundingClientRect(); if (!(r.width > 0 && r.height > 0)) return 'hidden'; return [r.left + r.width / 2, r.top + r.height / 2]; }})()"
        ))?;
        match point(&r) {
            Some((x, y)) => self.mouse_click(x, y),
            None if r == "hidden" => Err(BrowserError::NotVisible {
                selector: selector.to_owned(),
            }),
            None => Err(BrowserError::NoElement {
                selector: selector.to_owned(),
            }),
        }
    }

    /// A real click on the innermost visible element whose text (its `innerText`, or a
    /// button input's value, with whitespace runs collapsed and trimmed) equals `text`
    /// (also normalised): the first in document order, inside the first element matching
    /// `within` if given. Scrolled into view and clicked with mouse events like
    /// [`click`](Self::click).
    pub fn click_text(&mut self, text: &str, within: Option<&str>) -> Result<(), BrowserError> {
        let within_js = within.map_or_else(|| "null".to_owned(), js_literal);
        let r = self.eval(&format!(
            r#"((text, within) => {{
  const norm = (s) => String(s || '').replace(/\s+/g, ' ').trim();
  const root = within === null ? (document.body || document.documentElement) : document.querySelector(within);
  if (!root) return 'within';
  const want = norm(text);
  const skip = /^(SCRIPT|STYLE|TEMPLATE|NOSCRIPT|HEAD|TITLE)$/;
  const textOf = (e) => (e instanceof HTMLInputElement && /^(submit|button|reset)$/i.test(e.type)) ? norm(e.value) : norm(e.innerText);
  const hits = [root, ...root.querySelectorAll('*')].filter((e) => !skip.test(e.tagName) && textOf(e) === want);
  const visible = (e) => {{ const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; }};
  const target = hits.filter((e) => !hits.some((o) => o !== e && e.contains(o) && visible(o))).find(visible);
  if (!target) return 'text';
  target.scrollIntoView({{block: 'center', inline: 'center'}});
  const r = target.getBoundingClientRect();
  return [r.left + r.width / 2, r.top + r.height / 2];
}})({text}, {within_js})"#,
            text = js_literal(text),
        ))?;
        match point(&r) {
            Some((x, y)) => self.mouse_click(x, y),
            None if r == "within" => Err(BrowserError::NoElement {
                selector: within.unwrap_or_default().to_owned(),
            }),
            None => Err(BrowserError::NoText {
                text: text.split_whitespace().collect::<Vec<_>>().join(" "),
                within: within.map(str::to_owned),
            }),
        }
    }

    /// Submits a form as a user would, with `requestSubmit()`: constraint validation
    /// runs, `submit` listeners fire, and a listener may cancel it. `selector` names the
    /// form, or a control in it (a submit button is then the submitter). Returns once the
    /// submission is requested; a navigation it causes happens after.
    pub fn submit(&mut self, selector: &str) -> Result<(), BrowserError> {
        let r = self.eval(&format!(
            r#"((sel) => {{
  const e = document.querySelector(sel);
  if (!e) return 'none';
  const form = e instanceof HTMLFormElement ? e : (e.form || e.closest('form'));
  if (!form) return 'noform';
  const submitter = (e !== form && (e instanceof HTMLButtonElement || e instanceof HTMLInputElement) && /^(submit|image)$/i.test(e.type)) ? e : null;
  const novalidate = form.noValidate || (submitter !== null && submitter.formNoValidate);
  if (!novalidate && !form.checkValidity()) return 'invalid';
  if (submitter) form.requestSubmit(submitter); else form.requestSubmit();
  return 'ok';
}})({sel})"#,
            sel = js_literal(selector),
        ))?;
        let selector = selector.to_owned();
        match r.as_str() {
            Some("ok") => Ok(()),
            Some("noform") => Err(BrowserError::NotAForm { selector }),
            Some("invalid") => Err(BrowserError::InvalidForm { selector }),
            _ => Err(BrowserError::NoElement { selector }),
        }
    }

    /// The `fbq` calls recorded so far, as JSON arrays (`["track", "Lead", {…}]`). Only
    /// [`MetaMode::Recorder`] records them; empty otherwise.
    pub fn fbq_calls(&mut self) -> Result<Vec<Value>, BrowserError> {
        match self.eval("window.__fbqCalls || []")? {
            Value::Array(a) => Ok(a),
            _ => Ok(Vec::new()),
        }
    }

    /// Typed descriptions of the recorded calls, one JSON text each, in which `undefined`
    /// and `NaN` arguments show as `"undefined"` and `"NaN"` (JSON turns them into
    /// `null`).
    pub fn fbq_raw(&mut self) -> Result<Vec<String>, BrowserError> {
        let v = self.eval("window.__fbqRaw || []")?;
        Ok(v.as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s.as_str().map(str::to_owned))
            .collect())
    }

    /// Evaluates the expression `js_condition` until it is truthy, handling events in
    /// between, for at most `timeout`. Protocol errors (such as a context destroyed by a
    /// navigation) are retried; an exception thrown by the expression is returned.
    pub fn wait_for(&mut self, js_condition: &str, timeout: Duration) -> Result<(), BrowserError> {
        let deadline = Instant::now() + timeout;
        let js = format!("!!(\n{js_condition}\n)");
        loop {
            let per_call = deadline.min(Instant::now() + self.timeout);
            match self.eval_until(&js, per_call) {
                Ok(Value::Bool(true)) => return Ok(()),
                Ok(_) | Err(BrowserError::Protocol { .. }) => {}
                Err(BrowserError::Timeout { .. }) if Instant::now() >= deadline => {}
                Err(e) => return Err(e),
            }
            if Instant::now() >= deadline {
                return Err(BrowserError::Timeout {
                    what: format!("`{}`", shorten(js_condition)),
                    after: timeout,
                });
            }
            self.settle(WAIT_STEP.min(remaining(deadline)))?;
        }
    }

    /// Handles events (answers paused requests, collects errors and pixel hits) for `d`.
    pub fn settle(&mut self, d: Duration) -> Result<(), BrowserError> {
        let until = Instant::now() + d;
        while Instant::now() < until {
            self.pump_once()?;
        }
        Ok(())
    }

    /// Waits, handling events, until at least `n` pixel hits are captured, then returns
    /// them all.
    pub fn wait_for_pixel_hits(
        &mut self,
        n: usize,
        timeout: Duration,
    ) -> Result<Vec<PixelHit>, BrowserError> {
        let deadline = Instant::now() + timeout;
        while self.hits.len() < n {
            if Instant::now() >= deadline {
                return Err(BrowserError::Timeout {
                    what: format!("{n} pixel hits ({} so far)", self.hits.len()),
                    after: timeout,
                });
            }
            self.pump_once()?;
        }
        Ok(self.hits.clone())
    }

    /// Uncaught exceptions and `console.error` messages so far.
    pub fn errors(&self) -> Vec<String> {
        self.errors.clone()
    }

    /// URLs of the requests to Meta's hosts so far (intercepted, whatever their answer).
    pub fn meta_requests(&self) -> Vec<String> {
        self.meta_requests.clone()
    }

    /// The requests to `facebook.com/tr` captured so far, parsed. Hits arrive while page
    /// methods run; [`wait_for_pixel_hits`](Self::wait_for_pixel_hits) or
    /// [`settle`](Self::settle) give them time.
    pub fn pixel_hits(&self) -> Vec<PixelHit> {
        self.hits.clone()
    }

    /// Closes the tab and disposes of its browser context.
    pub fn close(mut self) -> Result<(), BrowserError> {
        self.close_inner()
    }

    fn close_inner(&mut self) -> Result<(), BrowserError> {
        if self.closed {
            return Ok(());
        }
        self.closed = true;
        // Disposing of the context closes its tab too.
        let disposed = self.browser.call(
            "Target.disposeBrowserContext",
            json!({"browserContextId": self.context_id}),
        );
        if disposed.is_err() {
            self.browser
                .call("Target.closeTarget", json!({"targetId": self.target_id}))?;
        }
        disposed.map(|_| ())
    }

    fn eval_until(&mut self, js: &str, deadline: Instant) -> Result<Value, BrowserError> {
        let mut r = self.call_until(
            "Runtime.evaluate",
            json!({"expression": js, "returnByValue": true, "awaitPromise": true}),
            deadline,
        )?;
        if let Some(d) = r.get("exceptionDetails") {
            let message = d["exception"]["description"]
                .as_str()
                .or(d["text"].as_str())
                .unwrap_or("exception")
                .to_owned();
            return Err(BrowserError::Script {
                expression: shorten(js),
                message,
            });
        }
        Ok(r["result"]
            .get_mut("value")
            .map(Value::take)
            .unwrap_or(Value::Null))
    }

    /// Presses and releases the left button at (x, y), in CSS pixels of the viewport.
    fn mouse_click(&mut self, x: f64, y: f64) -> Result<(), BrowserError> {
        for (kind, buttons) in [("mouseMoved", 0), ("mousePressed", 1), ("mouseReleased", 0)] {
            self.call(
                "Input.dispatchMouseEvent",
                json!({"type": kind, "x": x, "y": y, "button": "left", "buttons": buttons, "clickCount": 1}),
            )?;
        }
        Ok(())
    }

    fn call(&mut self, method: &str, params: Value) -> Result<Value, BrowserError> {
        let deadline = Instant::now() + self.timeout;
        self.call_until(method, params, deadline)
    }

    /// Sends a command to this page's session and waits for its answer, handling the
    /// events that arrive meanwhile.
    fn call_until(
        &mut self,
        method: &str,
        params: Value,
        deadline: Instant,
    ) -> Result<Value, BrowserError> {
        let id = self.send(method, params)?;
        self.await_response(id, method, deadline)
    }

    fn send(&mut self, method: &str, params: Value) -> Result<u64, BrowserError> {
        self.check_usable()?;
        self.browser.conn.send(Some(&self.session), method, params)
    }

    fn await_response(
        &mut self,
        id: u64,
        method: &str,
        deadline: Instant,
    ) -> Result<Value, BrowserError> {
        let started = Instant::now();
        loop {
            match self.browser.poll()? {
                Some(Incoming::Response { id: got, result }) if got == id => {
                    return result.map_err(|message| BrowserError::Protocol {
                        method: method.to_owned(),
                        message,
                    });
                }
                Some(Incoming::Response { .. }) | None => {}
                Some(Incoming::Event {
                    method,
                    session,
                    params,
                }) => self.event(&method, session.as_deref(), params)?,
            }
            self.check_usable()?;
            if Instant::now() >= deadline {
                return Err(BrowserError::Timeout {
                    what: format!("the answer to {method}"),
                    after: deadline.saturating_duration_since(started),
                });
            }
        }
    }

    /// Reads and handles at most one message.
    fn pump_once(&mut self) -> Result<(), BrowserError> {
        self.check_usable()?;
        if let Some(Incoming::Event {
            method,
            session,
            params,
        }) = self.browser.poll()?
        {
            self.event(&method, session.as_deref(), params)?;
        }
        self.check_usable()
    }

    fn check_usable(&self) -> Result<(), BrowserError> {
        match self.gone {
            None => Ok(()),
            Some(Gone::Crashed) => Err(BrowserError::Crashed),
            Some(Gone::Detached) => Err(BrowserError::Closed("the page was closed".into())),
        }
    }

    /// Handles one event; those of other sessions are ignored.
    fn event(
        &mut self,
        method: &str,
        session: Option<&str>,
        mut p: Value,
    ) -> Result<(), BrowserError> {
        if session.is_none()
            && method == "Target.detachedFromTarget"
            && p["sessionId"].as_str() == Some(self.session.as_str())
        {
            self.gone = Some(Gone::Detached);
            return Ok(());
        }
        if session != Some(self.session.as_str()) {
            return Ok(());
        }
        match method {
            "Fetch.requestPaused" => self.request_paused(&mut p)?,
            "Runtime.exceptionThrown" => {
                let d = &p["exceptionDetails"];
                let text = d["exception"]["description"]
                    .as_str()
                    .or(d["text"].as_str())
                    .unwrap_or("exception");
                self.errors.push(text.to_owned());
            }
            "Runtime.consoleAPICalled" if p["type"] == "error" => {
                let args: Vec<String> = p["args"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|a| match &a["value"] {
                        Value::String(s) => s.clone(),
                        Value::Null => a["description"]
                            .as_str()
                            .map_or_else(|| a["type"].to_string(), str::to_owned),
                        v => v.to_string(),
                    })
                    .collect();
                self.errors
                    .push(format!("console.error: {}", args.join(" ")));
            }
            "Page.loadEventFired" => self.loaded = true,
            "Page.javascriptDialogOpening" => {
                // An alert or confirm would block the page: accept it.
                self.send("Page.handleJavaScriptDialog", json!({"accept": true}))?;
            }
            "Inspector.targetCrashed" => self.gone = Some(Gone::Crashed),
            _ => {}
        }
        Ok(())
    }

    /// Answers a request to Meta's hosts per the mode (without waiting for the answer's
    /// acknowledgement) and records it.
    fn request_paused(&mut self, p: &mut Value) -> Result<(), BrowserError> {
        let request_id = p["requestId"].take();
        let request = &p["request"];
        let url = request["url"].as_str().unwrap_or_default().to_owned();
        if recorder::is_pixel_endpoint(&url) {
            self.hits.push(recorder::pixel_hit(request));
        }
        match recorder::answer(self.mode, &url) {
            Answer::Fulfill {
                content_type,
                body_base64,
            } => self.send(
                "Fetch.fulfillRequest",
                json!({
                    "requestId": request_id,
                    "responseCode": 200,
                    "responseHeaders": [
                        {"name": "Content-Type", "value": content_type},
                        {"name": "Access-Control-Allow-Origin", "value": "*"}
                    ],
                    "body": body_base64
                }),
            )?,
            Answer::Continue => {
                self.send("Fetch.continueRequest", json!({"requestId": request_id}))?
            }
        };
        self.meta_requests.push(url);
        Ok(())
    }
}

impl Drop for Page<'_> {
    /// Closes the tab and its context, best effort.
    fn drop(&mut self) {
        let _ = self.close_inner();
    }
}

/// A JavaScript literal for `s` (JSON is valid JavaScript).
fn js_literal(s: &str) -> String {
    Value::String(s.to_owned()).to_string()
}

/// `[x, y]` from an evaluation.
fn point(v: &Value) -> Option<(f64, f64)> {
    Some((v.get(0)?.as_f64()?, v.get(1)?.as_f64()?))
}

/// The first 200 characters of `s`, for messages.
fn shorten(s: &str) -> String {
    match s.char_indices().nth(200) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_owned(),
    }
}

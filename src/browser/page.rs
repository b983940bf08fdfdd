//! A tab: navigation, evaluation, real input, and a record of what the page did —
//! its `fbq` calls and route changes (through the observer), its documents and their HTTP
//! status, the requests it sent, its errors, and what it sent to Meta's hosts.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{Value, json};

use super::act::{self, Answer, Located, Miss, Op, Target};
use super::cdp::{Incoming, remaining};
use super::observer::{self, BINDING, OBSERVER_JS};
use super::recorder::{self, PixelHit};
use super::{Browser, BrowserError, MetaMode};

/// How long [`Page::wait_for`] lets events be handled between two evaluations.
const WAIT_STEP: Duration = Duration::from_millis(20);

/// How many times a click whose press lands on something else (the page moved between
/// finding the element and the click) is tried before the element counts as covered.
pub const CLICK_ATTEMPTS: usize = 3;

/// A request still open after this long (a long poll, an event stream) no longer keeps
/// the network from counting as idle.
const LONG_REQUEST: Duration = Duration::from_secs(3);

/// A tab in its own browser context, attached with a flat session. Closing it (or
/// dropping it) closes the tab and disposes of the context.
pub struct Page<'b> {
    browser: &'b mut Browser,
    mode: MetaMode,
    session: String,
    target_id: String,
    context_id: String,
    pub(super) timeout: Duration,
    main_frame: String,
    capture: Capture,
    /// Document token → index in `capture.documents`.
    tokens: HashMap<String, usize>,
    /// Document token → how many of its reports arrived.
    arrived: HashMap<String, usize>,
    /// Open requests: id → (URL, started).
    in_flight: HashMap<String, (String, Instant)>,
    /// Responses to main-frame documents: (URL, status), in order.
    responses: Vec<(String, u16)>,
    /// A main-frame navigation has started and not stopped.
    loading: bool,
    /// The load event of the last navigation fired.
    loaded: bool,
    /// The `DOMContentLoaded` event of the last navigation fired.
    dom_ready: bool,
    /// The page's elements do not move (a harness page): no stability wait before a click.
    still: bool,
    last_activity: Instant,
    gone: Option<Gone>,
    closed: bool,
}

/// Why the page can no longer be used.
#[derive(Clone, Copy)]
enum Gone {
    Crashed,
    Detached,
}

/// Everything the page did since it was opened or [`Page::reset`].
#[derive(Debug, Clone, Default)]
pub struct Capture {
    /// Every document that started, top-level and iframes, in order.
    pub documents: Vec<Document>,
    /// `fbq` calls and route changes, in the order they happened.
    pub events: Vec<Observed>,
    /// Requests to `facebook.com/tr`, parsed.
    pub hits: Vec<PixelHit>,
    /// Uncaught exceptions and console errors (and the runtime's own warnings).
    pub errors: Vec<PageError>,
    /// Requests with a body the page sent (form posts, `fetch` posts, beacons), except to
    /// Meta's hosts.
    pub sent: Vec<SentRequest>,
    /// Requests that failed.
    pub failed: Vec<FailedRequest>,
    /// URLs of the requests to Meta's hosts (intercepted, whatever their answer).
    pub meta_requests: Vec<String>,
}

/// A document of the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// Its URL when it started.
    pub url: String,
    /// Whether it is the top-level document.
    pub top: bool,
}

/// Something the observer reported.
#[derive(Debug, Clone, PartialEq)]
pub enum Observed {
    /// `fbq(…)` was called in document `doc`.
    Call {
        /// Index in [`Capture::documents`].
        doc: usize,
        /// The arguments as JSON (`undefined` → `null`).
        args: Value,
        /// The arguments with `undefined` and `NaN` visible, as JSON text.
        raw: String,
    },
    /// The path changed without a new document (`pushState`, `replaceState`, `popstate`).
    Route {
        /// Index in [`Capture::documents`].
        doc: usize,
        /// The new URL.
        url: String,
    },
}

impl Observed {
    /// The document it happened in.
    #[must_use]
    pub fn doc(&self) -> usize {
        match self {
            Observed::Call { doc, .. } | Observed::Route { doc, .. } => *doc,
        }
    }
}

/// An error the page reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageError {
    /// The message (`TypeError: …`, `console.error: …`).
    pub message: String,
    /// The script it came from, when known.
    pub script: Option<String>,
    /// Whether it comes from tagc's own code: the runtime's `tagc:` warnings, or an
    /// exception thrown in a `tagc*.js` script.
    pub tagc: bool,
}

/// A request with a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentRequest {
    /// `POST`, `PUT`, …
    pub method: String,
    /// The URL.
    pub url: String,
    /// Its `Content-Type`, if given.
    pub content_type: Option<String>,
    /// The body (lossy UTF-8).
    pub body: String,
}

/// A request that failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedRequest {
    /// The URL.
    pub url: String,
    /// The network error (`net::ERR_NAME_NOT_RESOLVED`, …), and why the browser refused
    /// it when it did (`blocked: csp`).
    pub error: String,
    /// Whether it was cancelled (by a navigation, say) rather than failing.
    pub canceled: bool,
}

/// How [`Page::wait_until`] ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitEnd {
    /// The condition held.
    Met,
    /// Nothing happened for the quiet time: no report, no navigation, no open request.
    Quiet,
    /// The deadline passed.
    Deadline,
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
            main_frame: String::new(),
            capture: Capture::default(),
            tokens: HashMap::new(),
            arrived: HashMap::new(),
            in_flight: HashMap::new(),
            responses: Vec::new(),
            loading: false,
            loaded: false,
            dom_ready: false,
            still: false,
            last_activity: Instant::now(),
            gone: None,
            closed: false,
        }
    }

    /// Enables the domains the page needs, the observer, and the interception of Meta's
    /// hosts.
    pub(super) fn setup(&mut self, network: bool) -> Result<(), BrowserError> {
        let patterns: Vec<Value> = recorder::PATTERNS
            .iter()
            .map(|p| json!({"urlPattern": p}))
            .collect();
        self.call("Page.enable", json!({}))?;
        self.call("Runtime.enable", json!({}))?;
        if network {
            self.call("Network.enable", json!({"maxPostDataSize": 65_536}))?;
        }
        self.call("Fetch.enable", json!({"patterns": patterns}))?;
        self.call("Runtime.addBinding", json!({"name": BINDING}))?;
        self.call(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({"source": OBSERVER_JS}),
        )?;
        // Focus and blur events as in a focused window, though headless.
        self.call(
            "Emulation.setFocusEmulationEnabled",
            json!({"enabled": true}),
        )?;
        let tree = self.call("Page.getFrameTree", json!({}))?;
        self.main_frame = tree["frameTree"]["frame"]["id"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
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

    /// What the page did so far.
    pub fn capture(&self) -> &Capture {
        &self.capture
    }

    /// Tells the page its elements never move (a harness page tagc wrote): clicks skip
    /// the wait for an element to stop moving.
    pub fn set_still(&mut self, still: bool) {
        self.still = still;
    }

    /// Forgets what the page did and clears its cookies — and with `storage`, the local,
    /// session and other storage of every origin it visited — so the next navigation
    /// starts like a first visit (the tab and its interception stay).
    pub fn reset(&mut self, storage: bool) -> Result<(), BrowserError> {
        if storage {
            // Leave the last page first: its unload handlers and timers could write again
            // what is cleared. Its session storage goes with it.
            let _ = self.eval("try { sessionStorage.clear(); } catch (e) {} 0");
            self.goto("about:blank")?;
            self.close_popups()?;
        }
        self.call("Network.clearBrowserCookies", json!({}))?;
        if storage {
            let origins: std::collections::BTreeSet<String> = self
                .capture
                .documents
                .iter()
                .filter_map(|d| origin(&d.url))
                .collect();
            for o in origins {
                self.call(
                    "Storage.clearDataForOrigin",
                    json!({"origin": o, "storageTypes": "all"}),
                )?;
            }
        }
        self.capture = Capture::default();
        self.tokens.clear();
        self.arrived.clear();
        self.in_flight.clear();
        self.loading = false;
        self.responses.clear();
        Ok(())
    }

    /// Closes the other tabs of this page's context (a link with `target=_blank` opens
    /// one, which would go on running).
    fn close_popups(&mut self) -> Result<(), BrowserError> {
        let targets = self.browser_call("Target.getTargets", json!({}))?;
        let others: Vec<String> = targets["targetInfos"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|t| {
                t["browserContextId"] == self.context_id.as_str()
                    && t["targetId"] != self.target_id.as_str()
                    && t["type"] == "page"
            })
            .filter_map(|t| t["targetId"].as_str().map(str::to_owned))
            .collect();
        for id in others {
            let _ = self.browser_call("Target.closeTarget", json!({"targetId": id}));
        }
        Ok(())
    }

    /// A browser-level command, with this page's events handled while it is answered.
    fn browser_call(&mut self, method: &str, params: Value) -> Result<Value, BrowserError> {
        self.check_usable()?;
        let deadline = Instant::now() + self.timeout;
        let id = self.browser.conn.send(None, method, params)?;
        self.await_response(id, method, deadline)
    }

    /// Navigates to `url` and waits for its load event. A same-document navigation (a
    /// fragment change) returns at once. [`Page::document_status`] then gives the
    /// document's HTTP status.
    pub fn goto(&mut self, url: &str) -> Result<(), BrowserError> {
        self.goto_until(url, false)
    }

    /// [`goto`](Self::goto), returning at `DOMContentLoaded` when `dom_only` (the
    /// document has run its scripts; images and async scripts may still load).
    pub fn goto_until(&mut self, url: &str, dom_only: bool) -> Result<(), BrowserError> {
        let deadline = Instant::now() + self.timeout;
        self.loaded = false;
        self.dom_ready = false;
        let r = self.call_until("Page.navigate", json!({"url": url}), deadline)?;
        if let Some(e) = r.get("errorText").and_then(Value::as_str) {
            // An error status with an empty body: the status tells what happened.
            if e == "net::ERR_HTTP_RESPONSE_CODE_FAILURE"
                && self.document_status().is_some_and(|(_, s)| s >= 400)
            {
                return Ok(());
            }
            return Err(BrowserError::Navigation {
                url: url.to_owned(),
                error: e.to_owned(),
            });
        }
        if r.get("loaderId").is_none() {
            return Ok(());
        }
        self.loading = true;
        if dom_only {
            while !self.dom_ready && !self.loaded {
                if Instant::now() >= deadline {
                    return Err(BrowserError::Timeout {
                        what: format!("the DOMContentLoaded event of {url}"),
                        after: self.timeout,
                    });
                }
                self.pump_once()?;
            }
            // The event is announced as it starts: wait until its listeners (a runtime
            // firing load events there) have run.
            self.eval_until(
                "new Promise((r) => { const done = () => setTimeout(r, 0); document.readyState === 'loading' ? document.addEventListener('DOMContentLoaded', done) : done(); })",
                deadline,
            )?;
            return Ok(());
        }
        self.wait_loaded(deadline, url)
    }

    /// Waits for the load event of the navigation under way (or the last one).
    pub fn wait_loaded(&mut self, deadline: Instant, what: &str) -> Result<(), BrowserError> {
        self.wait_load(deadline, what, false)
    }

    /// Waits for the navigation the page started to end: its document's load event, or
    /// the frame stopping without one (a download, a `204 No Content`, a cancelled
    /// navigation).
    pub fn wait_navigation(&mut self, deadline: Instant, what: &str) -> Result<(), BrowserError> {
        self.wait_load(deadline, what, true)
    }

    fn wait_load(
        &mut self,
        deadline: Instant,
        what: &str,
        or_stopped: bool,
    ) -> Result<(), BrowserError> {
        while !self.loaded && (self.loading || !or_stopped) {
            if Instant::now() >= deadline {
                return Err(BrowserError::Timeout {
                    what: format!("the load event of {what}"),
                    after: self.timeout,
                });
            }
            self.pump_once()?;
        }
        Ok(())
    }

    /// Whether a main-frame navigation is under way: it started, and its document has
    /// not fired its load event yet.
    pub fn navigating(&self) -> bool {
        self.loading && !self.loaded
    }

    /// The URL and HTTP status of the last top-level document response (after redirects:
    /// the document that was shown), if the network is watched and one was seen.
    pub fn document_status(&self) -> Option<(&str, u16)> {
        self.responses.last().map(|(u, s)| (u.as_str(), *s))
    }

    /// Evaluates a JavaScript expression in the page (a promise is awaited) and returns
    /// its value as JSON (`null` for `undefined` and values JSON cannot carry).
    pub fn eval(&mut self, js: &str) -> Result<Value, BrowserError> {
        let deadline = Instant::now() + self.timeout;
        self.eval_until(js, deadline)
    }

    /// Waits until every report the current document made before this call has arrived,
    /// and returns that document's index in [`Capture::documents`] (`None` for a document
    /// without the observer, such as `about:blank`).
    pub fn barrier(&mut self) -> Result<Option<usize>, BrowserError> {
        let deadline = Instant::now() + self.timeout;
        let sent = self.eval("window.__tagcSent || null")?;
        let (Some(doc), Some(n)) = (sent[0].as_str(), sent[1].as_u64()) else {
            return Ok(None);
        };
        let n = usize::try_from(n).unwrap_or(usize::MAX);
        while self.arrived.get(doc).copied().unwrap_or(0) < n {
            if Instant::now() >= deadline {
                return Err(BrowserError::Timeout {
                    what: format!("the page's {n} reports"),
                    after: self.timeout,
                });
            }
            self.pump_once()?;
        }
        Ok(self.tokens.get(doc).copied())
    }

    /// Finds `target` and waits, at most `wait`, until a visitor could click it (see
    /// [`act`](super::act)); returns where.
    pub fn locate(&mut self, target: &Target<'_>, wait: Duration) -> Result<Located, BrowserError> {
        self.located(Op::Click, target, wait, None)
    }

    /// Waits, at most `wait`, until `target` is visible.
    pub fn wait_visible(
        &mut self,
        target: &Target<'_>,
        wait: Duration,
    ) -> Result<Located, BrowserError> {
        self.located(Op::Visible, target, wait, None)
    }

    /// Waits for the field `target` (at most `wait`) and gives it `value` as a visitor
    /// would: text typed into an input or text area, an option chosen, a checkbox or radio
    /// button set (`true`/`false`); `input` and `change` events fire.
    pub fn fill(
        &mut self,
        target: &Target<'_>,
        value: &str,
        wait: Duration,
    ) -> Result<String, BrowserError> {
        self.located(Op::Fill, target, wait, Some(value))
            .map(|l| l.element)
    }

    /// The element the driver found for `op`, or why not.
    fn located(
        &mut self,
        op: Op,
        target: &Target<'_>,
        wait: Duration,
        value: Option<&str>,
    ) -> Result<Located, BrowserError> {
        match self.drive(op, target, wait, value, false)? {
            Answer::Ok(l) => Ok(l),
            Answer::Submitted { .. } => Err(BrowserError::Script {
                expression: target.describe(),
                message: "the page's driver submitted a form where it was to find an element"
                    .into(),
            }),
            Answer::Miss(m) => Err(miss(m, target, wait)),
        }
    }

    /// A visitor's click on `target`, once it is ready (waiting at most `wait`): mouse
    /// events at its centre, through hit-testing like a user's. Returns the element.
    ///
    /// The click is guarded: when the page moves between finding the element and the
    /// mouse events, so that the press lands on something else, that press is stopped
    /// before the page sees it and the element is found and clicked again (at most
    /// `CLICK_ATTEMPTS` times; then [`BrowserError::Covered`] names what took it).
    pub fn click_target(
        &mut self,
        target: &Target<'_>,
        wait: Duration,
    ) -> Result<Located, BrowserError> {
        let mut attempt = 1;
        loop {
            let l = match self.drive(Op::Click, target, wait, None, true)? {
                Answer::Ok(l) => l,
                Answer::Submitted { .. } => {
                    return Err(BrowserError::Script {
                        expression: target.describe(),
                        message:
                            "the page's driver submitted a form where it was to find an element"
                                .into(),
                    });
                }
                Answer::Miss(m) => return Err(miss(m, target, wait)),
            };
            match self.guarded_click(&l, attempt)? {
                None => return Ok(l),
                Some(_) => attempt += 1,
            }
        }
    }

    /// Submits the form `target` names (the form, or a control in it) as a visitor would:
    /// its constraints must hold (else [`BrowserError::InvalidForm`] lists the fields), and
    /// its submit button is clicked — or, with none visible, `requestSubmit()` is called.
    /// Returns the element clicked (`false`), or the form submitted by script (`true`).
    /// The click is guarded as in [`click_target`](Self::click_target).
    pub fn submit_target(
        &mut self,
        target: &Target<'_>,
        wait: Duration,
    ) -> Result<(String, bool), BrowserError> {
        let mut attempt = 1;
        loop {
            match self.drive(Op::Submit, target, wait, None, true)? {
                Answer::Ok(l) => match self.guarded_click(&l, attempt)? {
                    None => return Ok((l.element, false)),
                    Some(_) => attempt += 1,
                },
                Answer::Submitted { submitted } => return Ok((submitted, true)),
                Answer::Miss(m) => return Err(miss(m, target, wait)),
            }
        }
    }

    /// Clicks at `l` and asks the guard where the press landed: `None` when on the element
    /// (or when the page can no longer tell: it navigated away, which a stopped press
    /// cannot cause), `Some(what took it)` when it missed and another attempt is left.
    fn guarded_click(
        &mut self,
        l: &Located,
        attempt: usize,
    ) -> Result<Option<String>, BrowserError> {
        self.mouse_click(l.x, l.y)?;
        let deadline = Instant::now() + self.timeout.min(Duration::from_secs(2));
        let landed = match self.eval_until(act::LANDED_JS, deadline) {
            Ok(v) => serde_json::from_value::<Option<act::Landed>>(v)
                .ok()
                .flatten(),
            // The document went away mid-question (a navigation the click started).
            Err(
                BrowserError::Script { .. }
                | BrowserError::Protocol { .. }
                | BrowserError::Timeout { .. },
            ) => None,
            Err(e) => return Err(e),
        };
        match landed {
            Some(act::Landed {
                landed: Some(false),
                by,
            }) => {
                let by = by.unwrap_or_else(|| "something else".to_owned());
                if attempt >= CLICK_ATTEMPTS {
                    return Err(BrowserError::Covered {
                        element: l.element.clone(),
                        by: format!(
                            "{by} at the moment of the click (the page kept moving, {CLICK_ATTEMPTS} attempts)"
                        ),
                        x: l.x.round(),
                        y: l.y.round(),
                        waited: Duration::ZERO,
                    });
                }
                Ok(Some(by))
            }
            _ => Ok(None),
        }
    }

    /// A real click on the first element matching `selector`, which must be ready now.
    pub fn click(&mut self, selector: &str) -> Result<(), BrowserError> {
        self.click_target(&Target::Selector(selector), Duration::ZERO)
            .map(|_| ())
    }

    /// A real click on the innermost visible element whose label (the runtime's
    /// definition) is `text`, inside the first element matching `within` if given.
    pub fn click_text(&mut self, text: &str, within: Option<&str>) -> Result<(), BrowserError> {
        self.click_target(&Target::Text { text, within }, Duration::ZERO)
            .map(|_| ())
    }

    /// Submits the form `selector` names, now (see [`submit_target`](Self::submit_target)).
    pub fn submit(&mut self, selector: &str) -> Result<(), BrowserError> {
        self.submit_target(&Target::Selector(selector), Duration::ZERO)
            .map(|_| ())
    }

    fn drive(
        &mut self,
        op: Op,
        target: &Target<'_>,
        wait: Duration,
        value: Option<&str>,
        arm: bool,
    ) -> Result<Answer, BrowserError> {
        let ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX);
        let js = act::script(op, target, ms, value, !self.still, arm);
        let deadline = Instant::now() + wait + self.timeout.min(Duration::from_secs(10));
        let v = self.eval_until(&js, deadline)?;
        // Filling a field or submitting a form sets things off that are yet to be reported.
        self.activity();
        serde_json::from_value(v).map_err(|e| BrowserError::Script {
            expression: "the element driver".into(),
            message: e.to_string(),
        })
    }

    /// The `fbq` calls of the current top-level document so far, as JSON arrays
    /// (`["track", "Lead", {…}]`).
    pub fn fbq_calls(&mut self) -> Result<Vec<Value>, BrowserError> {
        let doc = self.barrier()?;
        Ok(self.calls_of(doc).map(|(a, _)| a.clone()).collect())
    }

    /// Typed descriptions of the current document's calls, one JSON text each, in which
    /// `undefined` and `NaN` arguments show as `"undefined"` and `"NaN"`.
    pub fn fbq_raw(&mut self) -> Result<Vec<String>, BrowserError> {
        let doc = self.barrier()?;
        Ok(self.calls_of(doc).map(|(_, r)| r.clone()).collect())
    }

    /// Waits (at most `timeout`) until the current document has made at least `n` `fbq`
    /// calls, and returns them all.
    pub fn wait_calls(&mut self, n: usize, timeout: Duration) -> Result<Vec<Value>, BrowserError> {
        let deadline = Instant::now() + timeout;
        loop {
            let calls = self.fbq_calls()?;
            if calls.len() >= n {
                return Ok(calls);
            }
            if Instant::now() >= deadline {
                return Err(BrowserError::Timeout {
                    what: format!("{n} fbq calls ({} so far: {calls:?})", calls.len()),
                    after: timeout,
                });
            }
            self.pump_once()?;
        }
    }

    fn calls_of(&self, current: Option<usize>) -> impl Iterator<Item = (&Value, &String)> {
        self.capture.events.iter().filter_map(move |e| match e {
            Observed::Call { doc, args, raw } if Some(*doc) == current => Some((args, raw)),
            _ => None,
        })
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

    /// Handles events (answers paused requests, records what the page does) for `d`.
    pub fn settle(&mut self, d: Duration) -> Result<(), BrowserError> {
        let until = Instant::now() + d;
        while Instant::now() < until {
            self.pump_once()?;
        }
        Ok(())
    }

    /// Handles events until `done` holds for what was captured ([`WaitEnd::Met`]), or —
    /// with `quiet` — until the page has been quiet that long: no report, no navigation
    /// under way, no request open ([`WaitEnd::Quiet`]), or until `deadline`.
    pub fn wait_until(
        &mut self,
        deadline: Instant,
        quiet: Option<Duration>,
        mut done: impl FnMut(&Capture) -> bool,
    ) -> Result<WaitEnd, BrowserError> {
        loop {
            if done(&self.capture) {
                return Ok(WaitEnd::Met);
            }
            if let Some(q) = quiet
                && self.is_quiet(q)
            {
                return Ok(WaitEnd::Quiet);
            }
            if Instant::now() >= deadline {
                return Ok(WaitEnd::Deadline);
            }
            self.pump_once()?;
        }
    }

    /// Whether nothing happened for `q`: no report, no navigation under way, no request
    /// open (except long-lived ones).
    pub fn is_quiet(&self, q: Duration) -> bool {
        !self.navigating()
            && self.last_activity.elapsed() >= q
            && self
                .in_flight
                .values()
                .all(|(_, since)| since.elapsed() >= LONG_REQUEST)
    }

    /// Waits, handling events, until at least `n` pixel hits are captured, then returns
    /// them all.
    pub fn wait_for_pixel_hits(
        &mut self,
        n: usize,
        timeout: Duration,
    ) -> Result<Vec<PixelHit>, BrowserError> {
        let deadline = Instant::now() + timeout;
        while self.capture.hits.len() < n {
            if Instant::now() >= deadline {
                return Err(BrowserError::Timeout {
                    what: format!("{n} pixel hits ({} so far)", self.capture.hits.len()),
                    after: timeout,
                });
            }
            self.pump_once()?;
        }
        Ok(self.capture.hits.clone())
    }

    /// Uncaught exceptions and `console.error` messages so far.
    pub fn errors(&self) -> Vec<String> {
        self.capture
            .errors
            .iter()
            .map(|e| e.message.clone())
            .collect()
    }

    /// URLs of the requests to Meta's hosts so far (intercepted, whatever their answer).
    pub fn meta_requests(&self) -> Vec<String> {
        self.capture.meta_requests.clone()
    }

    /// The requests to `facebook.com/tr` captured so far, parsed.
    pub fn pixel_hits(&self) -> Vec<PixelHit> {
        self.capture.hits.clone()
    }

    /// The cookie `name` as the browser stores it for `url` (decoded from `%XX`).
    pub fn cookie(&mut self, url: &str, name: &str) -> Result<Option<String>, BrowserError> {
        let r = self.call("Network.getCookies", json!({"urls": [url]}))?;
        Ok(r["cookies"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|c| c["name"] == name)
            .and_then(|c| c["value"].as_str())
            .map(|v| {
                let pairs = recorder::parse_urlencoded(&format!("v={}", v.replace('+', "%2B")));
                pairs
                    .into_iter()
                    .next()
                    .map_or_else(|| v.to_owned(), |(_, v)| v)
            }))
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

    /// Moves the mouse to (x, y), in CSS pixels of the viewport, and presses and releases
    /// the left button there. The three events are sent at once (the page takes them in
    /// order) and their answers awaited together.
    pub fn mouse_click(&mut self, x: f64, y: f64) -> Result<(), BrowserError> {
        let deadline = Instant::now() + self.timeout;
        let mut ids = Vec::with_capacity(3);
        for (kind, buttons) in [("mouseMoved", 0), ("mousePressed", 1), ("mouseReleased", 0)] {
            ids.push(self.send(
                "Input.dispatchMouseEvent",
                json!({"type": kind, "x": x, "y": y, "button": "left", "buttons": buttons, "clickCount": 1}),
            )?);
        }
        for id in ids {
            self.await_response(id, "Input.dispatchMouseEvent", deadline)?;
        }
        // What the click sets off is yet to be reported: the page is not quiet now.
        self.activity();
        Ok(())
    }

    pub(super) fn call(&mut self, method: &str, params: Value) -> Result<Value, BrowserError> {
        let deadline = Instant::now() + self.timeout;
        self.call_until(method, params, deadline)
    }

    /// Sends a command to this page's session and waits for its answer, handling the
    /// events that arrive meanwhile.
    pub(super) fn call_until(
        &mut self,
        method: &str,
        params: Value,
        deadline: Instant,
    ) -> Result<Value, BrowserError> {
        let id = self.send(method, params)?;
        self.await_response(id, method, deadline)
    }

    pub(super) fn send(&mut self, method: &str, params: Value) -> Result<u64, BrowserError> {
        self.check_usable()?;
        self.browser.conn.send(Some(&self.session), method, params)
    }

    pub(super) fn await_response(
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

    fn activity(&mut self) {
        self.last_activity = Instant::now();
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
            "Runtime.bindingCalled" if p["name"] == BINDING => {
                if let Some(r) = p["payload"].as_str().and_then(observer::parse) {
                    self.observe(r);
                }
                self.activity();
            }
            "Fetch.requestPaused" => self.request_paused(&mut p)?,
            "Network.requestWillBeSent" => self.request_sent(&p),
            "Network.responseReceived"
                if p["type"] == "Document" && is_main(&p, &self.main_frame) =>
            {
                let r = &p["response"];
                if let (Some(url), Some(status)) = (r["url"].as_str(), r["status"].as_u64()) {
                    self.responses
                        .push((url.to_owned(), u16::try_from(status).unwrap_or(0)));
                }
            }
            "Network.loadingFinished" => {
                if let Some(id) = p["requestId"].as_str() {
                    self.in_flight.remove(id);
                }
                self.activity();
            }
            "Network.loadingFailed" => {
                if let Some(id) = p["requestId"].as_str()
                    && let Some((url, _)) = self.in_flight.remove(id)
                {
                    // A request the browser refused (a Content-Security-Policy, a client
                    // rule) says why in `blockedReason`, not in its error text.
                    let error = p["errorText"].as_str().unwrap_or_default();
                    let error = match p["blockedReason"].as_str() {
                        Some(why) if error.is_empty() => format!("blocked: {why}"),
                        Some(why) => format!("{error}, blocked: {why}"),
                        None => error.to_owned(),
                    };
                    self.capture.failed.push(FailedRequest {
                        url,
                        error,
                        canceled: p["canceled"].as_bool().unwrap_or(false),
                    });
                }
                self.activity();
            }
            "Runtime.exceptionThrown" => {
                let d = &p["exceptionDetails"];
                // The first line: the stack follows, and the script is kept apart.
                let message = d["exception"]["description"]
                    .as_str()
                    .or(d["text"].as_str())
                    .unwrap_or("exception")
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .to_owned();
                let script = d["stackTrace"]["callFrames"][0]["url"]
                    .as_str()
                    .or(d["url"].as_str())
                    .filter(|u| !u.is_empty())
                    .map(str::to_owned);
                let tagc = script.as_deref().is_some_and(is_tagc_script);
                self.capture.errors.push(PageError {
                    message,
                    script,
                    tagc,
                });
            }
            "Runtime.consoleAPICalled" => self.console(&p),
            "Page.frameNavigated" => {
                if p["frame"]["parentId"].is_null()
                    && let Some(id) = p["frame"]["id"].as_str()
                {
                    id.clone_into(&mut self.main_frame);
                }
            }
            "Page.frameStartedLoading" => self.activity(),
            "Page.frameStoppedLoading" if is_main(&p, &self.main_frame) => {
                self.loading = false;
                self.activity();
            }
            "Page.domContentEventFired" => self.dom_ready = true,
            "Page.downloadWillBegin" => {
                self.loading = false;
                self.activity();
            }
            "Page.loadEventFired" => {
                self.loaded = true;
                self.activity();
            }
            "Page.javascriptDialogOpening" => {
                // An alert or confirm would block the page: accept it.
                self.send("Page.handleJavaScriptDialog", json!({"accept": true}))?;
            }
            "Inspector.targetCrashed" => self.gone = Some(Gone::Crashed),
            _ => {}
        }
        Ok(())
    }

    fn observe(&mut self, r: observer::Report) {
        let token = match &r {
            observer::Report::Document { doc, .. }
            | observer::Report::Call { doc, .. }
            | observer::Report::Route { doc, .. } => doc.clone(),
        };
        *self.arrived.entry(token).or_default() += 1;
        let doc_of = |this: &mut Self, token: String, top: bool, url: Option<String>| {
            if let Some(&i) = this.tokens.get(&token) {
                return i;
            }
            this.capture.documents.push(Document {
                url: url.unwrap_or_default(),
                top,
            });
            let i = this.capture.documents.len() - 1;
            this.tokens.insert(token, i);
            i
        };
        match r {
            observer::Report::Document { doc, top, url } => {
                doc_of(self, doc, top, Some(url));
            }
            observer::Report::Call {
                doc,
                top,
                args,
                raw,
            } => {
                let doc = doc_of(self, doc, top, None);
                self.capture.events.push(Observed::Call { doc, args, raw });
            }
            observer::Report::Route { doc, top, url } => {
                let doc = doc_of(self, doc, top, None);
                self.capture.events.push(Observed::Route { doc, url });
            }
        }
    }

    fn console(&mut self, p: &Value) {
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
        let kind = p["type"].as_str().unwrap_or_default();
        let tagc = args.first().is_some_and(|a| a == "tagc:");
        if kind == "error" || kind == "assert" || tagc {
            let script = p["stackTrace"]["callFrames"][0]["url"]
                .as_str()
                .filter(|u| !u.is_empty())
                .map(str::to_owned);
            self.capture.errors.push(PageError {
                message: format!("console.{kind}: {}", args.join(" ")),
                tagc: tagc || script.as_deref().is_some_and(is_tagc_script),
                script,
            });
        }
    }

    fn request_sent(&mut self, p: &Value) {
        let r = &p["request"];
        let url = r["url"].as_str().unwrap_or_default();
        self.activity();
        if url.starts_with("data:") || url.starts_with("blob:") {
            return;
        }
        // A document request of the main frame: a navigation to another document (a
        // fragment or history change makes none) is under way until its load event.
        if p["type"] == "Document" && is_main(p, &self.main_frame) {
            self.loading = true;
            self.loaded = false;
            self.dom_ready = false;
        }
        if p["type"] == "Document"
            && is_main(p, &self.main_frame)
            && let Some(status) = p["redirectResponse"]["status"].as_u64()
            && let Some(from) = p["redirectResponse"]["url"].as_str()
        {
            self.responses
                .push((from.to_owned(), u16::try_from(status).unwrap_or(0)));
        }
        if let Some(id) = p["requestId"].as_str() {
            self.in_flight
                .insert(id.to_owned(), (url.to_owned(), Instant::now()));
        }
        let method = r["method"].as_str().unwrap_or("GET");
        if method == "GET" || recorder::is_meta_host(url) {
            return;
        }
        let body = r["postData"].as_str().map(str::to_owned).or_else(|| {
            let entries = r["postDataEntries"].as_array()?;
            let mut bytes = Vec::new();
            for e in entries {
                bytes.extend(
                    base64::engine::general_purpose::STANDARD
                        .decode(e["bytes"].as_str().unwrap_or_default())
                        .unwrap_or_default(),
                );
            }
            Some(String::from_utf8_lossy(&bytes).into_owned())
        });
        let content_type = r["headers"].as_object().and_then(|h| {
            h.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
                .and_then(|(_, v)| v.as_str().map(str::to_owned))
        });
        self.capture.sent.push(SentRequest {
            method: method.to_owned(),
            url: url.to_owned(),
            content_type,
            body: body.unwrap_or_default(),
        });
    }

    /// Answers a request to Meta's hosts per the mode (without waiting for the answer's
    /// acknowledgement) and records it.
    fn request_paused(&mut self, p: &mut Value) -> Result<(), BrowserError> {
        let request_id = p["requestId"].take();
        let request = &p["request"];
        let url = request["url"].as_str().unwrap_or_default().to_owned();
        if recorder::is_pixel_endpoint(&url) {
            self.capture.hits.push(recorder::pixel_hit(request));
            self.activity();
        }
        match recorder::answer(self.mode, &url) {
            recorder::Answer::Fulfill {
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
            recorder::Answer::Continue => {
                self.send("Fetch.continueRequest", json!({"requestId": request_id}))?
            }
        };
        self.capture.meta_requests.push(url);
        Ok(())
    }
}

/// Whether an event's `frameId` is the main frame.
fn is_main(p: &Value, main_frame: &str) -> bool {
    p["frameId"].as_str() == Some(main_frame)
}

/// A script of tagc's own: `tagc.js`, or a name such as `tagc.min.js` or `tagc-3f2a.js`
/// (not `tagcloud.js`).
fn is_tagc_script(url: &str) -> bool {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let file = path.rsplit('/').next().unwrap_or(path);
    file.strip_prefix("tagc").is_some_and(|rest| {
        rest == ".js" || (rest.starts_with(['.', '-']) && rest.ends_with(".js"))
    })
}

/// `scheme://host[:port]` of an http(s) URL.
fn origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let host = rest.split(['/', '?', '#']).next()?;
    Some(format!("{scheme}://{host}"))
}

/// Turns the driver's answer into an error in words.
fn miss(m: Miss, target: &Target<'_>, wait: Duration) -> BrowserError {
    let waited = wait;
    match (m, target) {
        (Miss::None { frames }, Target::Selector(s)) => BrowserError::NoElement {
            selector: (*s).to_owned(),
            waited,
            frames,
        },
        (Miss::None { frames }, Target::Text { text, within }) => BrowserError::NoText {
            text: crate::text::normalize_text(text),
            within: within.map(str::to_owned),
            waited,
            frames,
        },
        (Miss::Within, t) => BrowserError::NoElement {
            selector: match t {
                Target::Text {
                    within: Some(w), ..
                } => (*w).to_owned(),
                Target::Selector(s) => (*s).to_owned(),
                Target::Text { .. } => String::new(),
            },
            waited,
            frames: 0,
        },
        (Miss::Hidden { element }, t) => BrowserError::NotVisible {
            selector: t.describe(),
            element,
            waited,
        },
        (Miss::Disabled { element }, _) => BrowserError::Disabled { element, waited },
        (Miss::Unstable { element }, _) => BrowserError::Unstable { element, waited },
        (Miss::Covered { element, by, x, y }, _) => BrowserError::Covered {
            element,
            by,
            x,
            y,
            waited,
        },
        (Miss::Iframe { src }, t) => BrowserError::InFrame {
            what: t.describe(),
            src,
        },
        (Miss::BadSelector { message }, t) => BrowserError::Script {
            expression: t.describe(),
            message,
        },
        (Miss::Invalid { form, fields }, _) => BrowserError::InvalidForm { form, fields },
        (Miss::NoForm { element }, t) => BrowserError::NotAForm {
            selector: t.describe(),
            element,
        },
    }
}

/// The first 200 characters of `s`, for messages.
fn shorten(s: &str) -> String {
    match s.char_indices().nth(200) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tagc_scripts_and_origins() {
        assert!(is_tagc_script("https://x.example/assets/tagc.js?v=3"));
        assert!(is_tagc_script("/tagc.min.js"));
        assert!(!is_tagc_script("https://x.example/app.js"));
        assert!(!is_tagc_script("https://x.example/tagc/app.js"));
        assert!(!is_tagc_script("https://x.example/js/tagcloud.js"));
        assert!(is_tagc_script("https://x.example/js/tagc-3f2a.js"));
        assert_eq!(
            origin("http://127.0.0.1:8080/p/x?y#z").as_deref(),
            Some("http://127.0.0.1:8080")
        );
        assert_eq!(origin("about:blank"), None);
    }
}

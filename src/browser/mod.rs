//! Driving a real headless Chromium over the Chrome DevTools protocol, for browser checks.
//!
//! A small synchronous client: [`Browser::launch`] starts Chromium with a fresh profile
//! and connects to its DevTools WebSocket; [`Browser::new_page`] opens a [`Page`] in its
//! own browser context (fresh cookies and storage), which is closed again when the page
//! is closed or dropped, so one browser serves many checks.
//!
//! Requests to Meta's hosts never reach Meta. In [`MetaMode::Recorder`] they are all
//! answered locally, `fbevents.js` with a recorder that, like Meta's library, replays the
//! `fbq` queue and then takes calls directly, so [`Page::fbq_calls`] sees the exact call
//! sequence. In [`MetaMode::Capture`] the real `fbevents.js` loads from the network, and
//! the pixel requests it makes to `facebook.com/tr` are captured and answered with a 1×1
//! GIF, for [`Page::pixel_hits`].
//!
//! Everything is bounded in time: each call has a deadline ([`LaunchOptions::timeout`],
//! [`Page::set_timeout`]), and a browser that dies makes calls fail at once. The client
//! is single-threaded: browser events (paused requests, exceptions) are handled while a
//! `Page` method runs, so between calls paused requests wait; [`Page::settle`] and
//! [`Page::wait_for`] let time pass with events handled.
//!
//! [`serve::Server`] serves static pages on 127.0.0.1 for checks that bring their own.

pub mod act;
mod cdp;
pub mod find;
pub mod inventory;
mod observer;
mod page;
mod recorder;
pub mod screenshot;
pub mod serve;
pub mod step;

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

pub use act::{Located, SEARCH_JS, Target};
use cdp::{Conn, Incoming, remaining};
pub use inventory::{Element, Group, Inventory, Locator, Navigates, Rect};
pub use page::{Capture, Document, FailedRequest, Observed, Page, PageError, SentRequest, WaitEnd};
pub use recorder::{PixelHit, RECORDER_JS, form_fields, parse_urlencoded};
pub use screenshot::{MAX_SCREENSHOT_HEIGHT, Screenshot};

/// The flags Chromium is started with (plus `--user-data-dir` and `about:blank`).
pub const CHROMIUM_FLAGS: [&str; 11] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-extensions",
    // Checks navigate forward only, page after page in one tab: no back-forward cache (a
    // page left is never restored, and keeping it alive costs), and a navigation within
    // the site keeps its frame and process (a new frame and browsing instance per document
    // cost a third of each navigation). One flag: Chromium reads the last one only.
    "--disable-features=BackForwardCache,RenderDocument,ProactivelySwapBrowsingInstance",
    "--remote-debugging-port=0",
];

/// Why a browser operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BrowserError {
    /// No browser binary was found.
    #[error(
        "no Chromium found (tried {tried}); install it (`apt-get install -y chromium` on Debian/Ubuntu) or set TAGC_CHROMIUM to a Chromium or Chrome binary"
    )]
    NotFound {
        /// What was looked for.
        tried: String,
    },
    /// The binary exists but could not be started.
    #[error("cannot start {}: {source}", binary.display())]
    Spawn {
        /// The binary.
        binary: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The browser started but never offered its DevTools endpoint.
    #[error("{} did not start: {reason}", binary.display())]
    Startup {
        /// The binary.
        binary: PathBuf,
        /// What happened (exit, timeout), with its last lines of output.
        reason: String,
    },
    /// The profile directory could not be created.
    #[error("cannot create a browser profile in {}: {source}", path.display())]
    Profile {
        /// The directory.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The DevTools connection failed (handshake, unreadable message).
    #[error("DevTools connection: {0}")]
    Connection(String),
    /// The browser went away: connection closed, process exited, page detached.
    #[error("the browser is gone: {0}")]
    Closed(String),
    /// The page's renderer crashed.
    #[error("the page crashed")]
    Crashed,
    /// A DevTools command returned an error.
    #[error("{method}: {message}")]
    Protocol {
        /// The command.
        method: String,
        /// The browser's error message.
        message: String,
    },
    /// Something did not happen before its deadline.
    #[error("timed out after {after:?} waiting for {what}")]
    Timeout {
        /// What was awaited.
        what: String,
        /// How long it was given.
        after: Duration,
    },
    /// A navigation failed (`net::ERR_CONNECTION_REFUSED`, …).
    #[error("navigating to {url}: {error}")]
    Navigation {
        /// The URL.
        url: String,
        /// The browser's error text.
        error: String,
    },
    /// Evaluated JavaScript threw.
    #[error("`{expression}` threw: {message}")]
    Script {
        /// The expression (shortened).
        expression: String,
        /// The exception's description.
        message: String,
    },
    /// No element matches a selector.
    #[error("no element matches `{selector}`{}{}", waited_note(*waited), frames_note(*frames))]
    NoElement {
        /// The CSS selector.
        selector: String,
        /// How long it was waited for.
        waited: Duration,
        /// Cross-origin iframes that could not be searched.
        frames: usize,
    },
    /// The element exists but has no box to click (hidden, `display: none`, empty).
    #[error("{selector} matches {element}, but it is not visible{}", waited_note(*waited))]
    NotVisible {
        /// What was looked for (`` `form#quote` ``, `the text "…"`).
        selector: String,
        /// The first element found, described.
        element: String,
        /// How long it was waited for.
        waited: Duration,
    },
    /// No visible element has the text.
    #[error("no visible element has the text {text:?}{}{}{}", within.as_ref().map(|w| format!(" inside `{w}`")).unwrap_or_default(), waited_note(*waited), frames_note(*frames))]
    NoText {
        /// The text looked for (whitespace-normalised).
        text: String,
        /// The selector it was looked for in.
        within: Option<String>,
        /// How long it was waited for.
        waited: Duration,
        /// Cross-origin iframes that could not be searched.
        frames: usize,
    },
    /// The element is disabled (`:disabled`, `aria-disabled="true"`).
    #[error("{element} is disabled{}", waited_note(*waited))]
    Disabled {
        /// The element, described.
        element: String,
        /// How long it was waited for.
        waited: Duration,
    },
    /// The element never stopped moving.
    #[error("{element} kept moving{}", waited_note(*waited))]
    Unstable {
        /// The element, described.
        element: String,
        /// How long it was waited for.
        waited: Duration,
    },
    /// Something else is where the element would be clicked (a consent wall, a modal's
    /// backdrop, a web component's host).
    #[error("{element} cannot be clicked: the click point ({x}, {y}) is covered by {by}{}", waited_note(*waited))]
    Covered {
        /// The element, described.
        element: String,
        /// What is at the click point, described.
        by: String,
        /// The click point.
        x: f64,
        /// The click point.
        y: f64,
        /// How long it was waited for.
        waited: Duration,
    },
    /// The element is inside an iframe, whose clicks the page's snippet does not see.
    #[error(
        "{what} is inside an iframe ({src}): the snippet on this page does not see clicks there; the iframe's own page needs the snippet, and its check needs that page's URL"
    )]
    InFrame {
        /// What was looked for.
        what: String,
        /// The iframe's `src`.
        src: String,
    },
    /// A selector given to [`Page::submit`] is neither a form nor inside one.
    #[error("{selector} ({element}) is not a form or a control in one")]
    NotAForm {
        /// What was looked for.
        selector: String,
        /// The element found, described.
        element: String,
    },
    /// The form's fields fail their constraints (`required`, `type=email`, …), so a
    /// visitor could not submit it.
    #[error("the form {form} is invalid, so a visitor could not submit it: {}; give the fields values with verify.fill", fields.join("; "))]
    InvalidForm {
        /// The form, described.
        form: String,
        /// Each invalid field, described with its validation message.
        fields: Vec<String>,
    },
}

/// ` (waited 10 s)` for a wait that was not zero.
fn waited_note(d: Duration) -> String {
    if d.is_zero() {
        String::new()
    } else {
        format!(" (waited {} s)", trim_secs(d))
    }
}

/// Seconds with at most one decimal: `10`, `2.5`.
fn trim_secs(d: Duration) -> String {
    let s = format!("{:.1}", d.as_secs_f64());
    s.strip_suffix(".0").map_or(s.clone(), str::to_owned)
}

/// ` (2 cross-origin iframes were not searched)` when there were some.
fn frames_note(n: usize) -> String {
    match n {
        0 => String::new(),
        1 => " (1 cross-origin iframe was not searched)".to_owned(),
        n => format!(" ({n} cross-origin iframes were not searched)"),
    }
}

/// [`CHROMIUM_FLAGS`] and the user's extra flags. Chromium keeps only the last
/// `--disable-features=` flag, so the user's features are merged into tagc's rather than
/// replacing them.
fn flags(extra: &str) -> Vec<String> {
    let mut out: Vec<String> = CHROMIUM_FLAGS.iter().map(|f| (*f).to_owned()).collect();
    for f in extra.split_whitespace() {
        match (
            f.strip_prefix("--disable-features="),
            out.iter()
                .position(|o| o.starts_with("--disable-features=")),
        ) {
            (Some(more), Some(i)) => {
                out[i].push(',');
                out[i].push_str(more);
            }
            _ => out.push(f.to_owned()),
        }
    }
    out
}

/// The environment variable with extra Chromium flags (whitespace-separated), such as a
/// proxy a CI runner needs: `TAGC_CHROMIUM_FLAGS="--proxy-server=http://proxy:3128"`.
pub const FLAGS_ENV: &str = "TAGC_CHROMIUM_FLAGS";

/// How [`Browser::launch`] starts the browser.
#[derive(Debug, Clone)]
pub struct LaunchOptions {
    /// The binary; `None` to [`find::locate`] one (`$TAGC_CHROMIUM`, then `PATH`, then
    /// `/usr/bin/chromium`).
    pub binary: Option<PathBuf>,
    /// How long the browser may take to offer its DevTools endpoint.
    pub launch_timeout: Duration,
    /// The default deadline of each call on the browser and its pages.
    pub timeout: Duration,
}

impl Default for LaunchOptions {
    /// Find the binary; 15 s to start; 15 s per call.
    fn default() -> Self {
        LaunchOptions {
            binary: None,
            launch_timeout: Duration::from_secs(15),
            timeout: Duration::from_secs(15),
        }
    }
}

/// What a page does with requests for Meta's hosts (`connect.facebook.net`,
/// `www.facebook.com`, `facebook.com`). In both modes nothing is sent to Meta.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetaMode {
    /// Every request is answered locally: `fbevents.js` with the recording stand-in
    /// ([`RECORDER_JS`]), other scripts empty, `facebook.com` with a 1×1 GIF. For
    /// [`Page::fbq_calls`].
    Recorder,
    /// `connect.facebook.net` (the real `fbevents.js` and its configuration) loads from
    /// the network; requests to `facebook.com` are answered with a 1×1 GIF, and those to
    /// `facebook.com/tr` (image pixels, beacons, posts) captured. For
    /// [`Page::pixel_hits`].
    Capture,
}

/// A headless Chromium and the DevTools connection to it. Dropping it closes the browser
/// and removes its profile.
pub struct Browser {
    conn: Conn,
    child: Child,
    binary: PathBuf,
    profile: PathBuf,
    timeout: Duration,
}

impl Browser {
    /// Starts the browser with a fresh profile and connects to it.
    pub fn launch(opts: &LaunchOptions) -> Result<Browser, BrowserError> {
        let binary = find::locate(opts.binary.as_deref())?;
        let deadline = Instant::now() + opts.launch_timeout;
        let profile = new_profile_dir()?;
        let spawned = Command::new(&binary)
            .args(flags(&std::env::var(FLAGS_ENV).unwrap_or_default()))
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn();
        let mut child = match spawned {
            Ok(c) => c,
            Err(e) => {
                let _ = std::fs::remove_dir_all(&profile);
                return Err(if e.kind() == std::io::ErrorKind::NotFound {
                    BrowserError::NotFound {
                        tried: binary.display().to_string(),
                    }
                } else {
                    BrowserError::Spawn { binary, source: e }
                });
            }
        };
        let url = match devtools_url(&mut child, deadline) {
            Ok(u) => u,
            Err(reason) => {
                let _ = child.kill();
                let _ = child.wait();
                let _ = std::fs::remove_dir_all(&profile);
                return Err(BrowserError::Startup { binary, reason });
            }
        };
        let mut browser = Browser {
            // Connection errors below drop `browser`, which closes Chromium.
            conn: match Conn::connect(&url, deadline) {
                Ok(c) => c,
                Err(e) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    let _ = std::fs::remove_dir_all(&profile);
                    return Err(e);
                }
            },
            child,
            binary,
            profile,
            timeout: opts.timeout,
        };
        browser.call("Browser.getVersion", json!({}))?;
        // A link to a file must not save it anywhere: the navigation simply stops.
        browser.call("Browser.setDownloadBehavior", json!({"behavior": "deny"}))?;
        Ok(browser)
    }

    /// The binary that was started.
    pub fn binary(&self) -> &Path {
        &self.binary
    }

    /// The browser's product and version (`Chrome/120.0.6099.224`).
    pub fn version(&mut self) -> Result<String, BrowserError> {
        let v = self.call("Browser.getVersion", json!({}))?;
        Ok(v["product"].as_str().unwrap_or_default().to_owned())
    }

    /// Opens a tab in a fresh browser context (its own cookies, storage and cache), with
    /// `Page`, `Runtime` and `Fetch` interception of Meta's hosts enabled per `mode`, and
    /// the page's network traffic watched (document statuses, posted bodies, failures,
    /// idleness). The tab and its context go away when the page is closed or dropped.
    pub fn new_page(&mut self, mode: MetaMode) -> Result<Page<'_>, BrowserError> {
        self.new_page_with(mode, true)
    }

    /// [`new_page`](Self::new_page), watching the network only with `network` (a page
    /// tagc wrote itself needs none of it, and every request then costs less).
    pub fn new_page_with(
        &mut self,
        mode: MetaMode,
        network: bool,
    ) -> Result<Page<'_>, BrowserError> {
        let context = self.call("Target.createBrowserContext", json!({}))?;
        let context_id = context["browserContextId"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let target = self.call(
            "Target.createTarget",
            json!({"url": "about:blank", "browserContextId": context_id}),
        );
        let target_id = match target {
            Ok(t) => t["targetId"].as_str().unwrap_or_default().to_owned(),
            Err(e) => {
                let _ = self.call(
                    "Target.disposeBrowserContext",
                    json!({"browserContextId": context_id}),
                );
                return Err(e);
            }
        };
        let attached = self.call(
            "Target.attachToTarget",
            json!({"targetId": target_id, "flatten": true}),
        );
        let session = match attached {
            Ok(a) => a["sessionId"].as_str().unwrap_or_default().to_owned(),
            Err(e) => {
                let _ = self.call("Target.closeTarget", json!({"targetId": target_id}));
                let _ = self.call(
                    "Target.disposeBrowserContext",
                    json!({"browserContextId": context_id}),
                );
                return Err(e);
            }
        };
        let timeout = self.timeout;
        let mut page = Page::new(self, mode, session, target_id, context_id, timeout);
        page.setup(network)?;
        Ok(page)
    }

    /// Sends a browser-level command and waits for its answer (events are dropped: no
    /// page is open while the browser itself is called).
    fn call(&mut self, method: &str, params: Value) -> Result<Value, BrowserError> {
        let deadline = Instant::now() + self.timeout;
        let id = self.conn.send(None, method, params)?;
        loop {
            if let Some(Incoming::Response { id: got, result }) = self.poll()?
                && got == id
            {
                return result.map_err(|message| BrowserError::Protocol {
                    method: method.to_owned(),
                    message,
                });
            }
            if Instant::now() >= deadline {
                return Err(BrowserError::Timeout {
                    what: format!("the answer to {method}"),
                    after: self.timeout,
                });
            }
        }
    }

    /// Reads one message (or `None` after the poll interval); fails if the browser
    /// process has exited.
    fn poll(&mut self) -> Result<Option<Incoming>, BrowserError> {
        let msg = self.conn.recv()?;
        if msg.is_none()
            && let Ok(Some(status)) = self.child.try_wait()
        {
            return Err(BrowserError::Closed(format!(
                "the browser exited ({status})"
            )));
        }
        Ok(msg)
    }
}

impl Drop for Browser {
    /// Closes Chromium cleanly, so its helper processes stop writing to the profile
    /// before the profile is removed; kills it only if it does not exit in time.
    fn drop(&mut self) {
        let _ = self.conn.send(None, "Browser.close", json!({}));
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut exited = false;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                exited = true;
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        if exited {
            // Give the zygote and renderers a moment to follow the browser process.
            std::thread::sleep(Duration::from_millis(200));
        } else {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        self.conn.close();
        for _ in 0..5 {
            if std::fs::remove_dir_all(&self.profile).is_ok() || !self.profile.exists() {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// A new, empty directory under the system's temporary directory.
fn new_profile_dir() -> Result<PathBuf, BrowserError> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let base = std::env::temp_dir();
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    let mut last = None;
    for _ in 0..16 {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = base.join(format!(
            "tagc-chromium-{}-{nanos:08x}-{n}",
            std::process::id()
        ));
        match std::fs::create_dir(&path) {
            Ok(()) => return Ok(path),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(BrowserError::Profile { path, source: e }),
        }
    }
    Err(BrowserError::Profile {
        path: base,
        source: last.unwrap_or_else(|| std::io::Error::other("no free name")),
    })
}

/// Reads Chromium's stderr until it prints `DevTools listening on ws://…`, keeping a
/// thread that drains the rest so Chromium never blocks on a full pipe. On failure,
/// returns why, with the last lines it printed.
fn devtools_url(child: &mut Child, deadline: Instant) -> Result<String, String> {
    let stderr = child.stderr.take().ok_or("no stderr pipe")?;
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("tagc-chromium-stderr".into())
        .spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                // After the address is found nobody listens; keep draining regardless.
                let _ = tx.send(line);
            }
        })
        .map_err(|e| e.to_string())?;
    let mut last: Vec<String> = Vec::new();
    let tail = |last: &[String]| {
        if last.is_empty() {
            String::new()
        } else {
            format!("; it printed:\n{}", last.join("\n"))
        }
    };
    loop {
        match rx.recv_timeout(remaining(deadline)) {
            Ok(line) => {
                if let Some(i) = line.find("ws://") {
                    return Ok(line[i..].trim().to_owned());
                }
                last.push(line);
                if last.len() > 10 {
                    last.remove(0);
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                return Err(format!("no DevTools address in time{}", tail(&last)));
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                // Its stderr closed: it exited, or is about to.
                let until = Instant::now() + Duration::from_secs(1);
                let status = loop {
                    match child.try_wait() {
                        Ok(Some(s)) => break s.to_string(),
                        Ok(None) if Instant::now() < until => {
                            std::thread::sleep(Duration::from_millis(10));
                        }
                        Ok(None) => break "closed its output".to_owned(),
                        Err(e) => break e.to_string(),
                    }
                };
                return Err(format!("it exited ({status}){}", tail(&last)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extra_flags_are_added_and_disabled_features_merged() {
        let f = flags("--proxy-server=http://p:3128  --disable-features=Translate");
        assert!(f.contains(&"--proxy-server=http://p:3128".to_owned()));
        let disabled: Vec<&String> = f
            .iter()
            .filter(|x| x.starts_with("--disable-features="))
            .collect();
        assert_eq!(disabled.len(), 1, "{f:?}");
        assert!(disabled[0].contains("BackForwardCache") && disabled[0].ends_with(",Translate"));
    }
}

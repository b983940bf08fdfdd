//! `tagc pick URL --config tagc.yaml`: Meta's Event Setup Tool, writing YAML. The page is
//! scanned ([`super::scan_page`]) and photographed ([`crate::browser::Page::screenshot_full`])
//! in headless Chromium; a small server on 127.0.0.1 shows the screenshot with a box over
//! every element the scan listed. Clicking one opens a panel (event, value, locator, id);
//! saving inserts the button into the configuration file in place ([`crate::edit`]),
//! checks the result, and undoes the edit when it does not check.
//!
//! # Why a screenshot, not a proxy
//! A proxy would run the target site's scripts in the user's own browser, next to a local
//! endpoint that edits files, and would have to rewrite URLs, cookies and CSP. The
//! screenshot is inert: none of the page's code reaches the picker, and every string taken
//! from the page is data (`scan.json`), rendered with `textContent` only.
//!
//! # The server
//! `127.0.0.1` only; everything under `/t/<TOKEN>/` (128 bits from the OS), every other
//! path `404`. `GET` `index.html`, `picker.js`, `picker.css` (static files, no server-side
//! interpolation), `scan.json`, `shot.png`; `POST` `save`, `locator`, `quit`, which need
//! `Host: 127.0.0.1:PORT`, `Origin: http://127.0.0.1:PORT` and `Content-Type:
//! application/json` (`403` otherwise). Every response carries a strict
//! `Content-Security-Policy` and `X-Content-Type-Options: nosniff`. The browser tab and the
//! file are owned by one loop ([`run`]); the connections' threads hand it each `POST`.

mod http;
pub mod save;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError, mpsc};
use std::time::Duration;

use serde_json::{Value, json};

use super::{ScanError, ScanOptions};
use crate::browser::{Browser, BrowserError, MetaMode, Page};
use crate::load::Limits;
use http::{Action, Files, Job, Response};

/// The picker page (static).
const INDEX_HTML: &str = include_str!("index.html");
/// The picker's script (static).
const PICKER_JS: &str = include_str!("picker.js");
/// The picker's style sheet (static).
const PICKER_CSS: &str = include_str!("picker.css");

/// How [`run`] scans and serves.
#[derive(Debug, Clone)]
pub struct PickOptions {
    /// How the page is loaded and scanned.
    pub scan: ScanOptions,
    /// The root configuration file, edited in place (or a file it includes).
    pub config: PathBuf,
    /// The environment the configuration is resolved for.
    pub env: String,
    /// The port to listen on, on 127.0.0.1 (`0`: any free port).
    pub port: u16,
    /// The screenshot's height cap in CSS pixels.
    pub max_height: u32,
}

/// Why the picker could not start. The configuration file is untouched in every case.
#[derive(Debug, thiserror::Error)]
pub enum PickError {
    /// The configuration could not be read.
    #[error("{0}")]
    Load(#[from] crate::load::LoadError),
    /// The configuration has errors (rendered as `tagc check` renders them, no colour).
    #[error("the configuration has errors; fix them first (`tagc check`)\n{diagnostics}")]
    Config {
        /// The rendered diagnostics.
        diagnostics: String,
    },
    /// The configuration does not resolve for the environment.
    #[error("{0}")]
    Resolve(#[from] crate::resolve::ResolveError),
    /// The page could not be scanned.
    #[error(transparent)]
    Scan(#[from] ScanError),
    /// The screenshot could not be taken.
    #[error("cannot take the page's screenshot: {0}")]
    Screenshot(BrowserError),
    /// The server could not listen.
    #[error("cannot listen on 127.0.0.1:{port}: {source}")]
    Listen {
        /// The port asked for.
        port: u16,
        /// Why.
        source: std::io::Error,
    },
}

/// What [`run`] reports while it runs.
#[derive(Debug, Clone, PartialEq)]
pub enum Notice {
    /// The picker is being served at `url`.
    Ready {
        /// `http://127.0.0.1:PORT/t/TOKEN/`.
        url: String,
        /// How many elements the scan listed.
        elements: usize,
        /// The configuration's page for the URL, if any.
        page: Option<String>,
        /// Whether the screenshot was cut at the height cap.
        truncated: bool,
        /// Whether the network went quiet before the deadline (a page that polls never
        /// does: it is scanned as it was at the deadline).
        settled: bool,
    },
    /// A button was saved.
    Saved {
        /// The file edited.
        file: String,
        /// The first line inserted (1-based).
        line: usize,
        /// The text inserted.
        inserted: String,
    },
    /// A save was refused or undone.
    Refused {
        /// Why (several lines).
        diagnostics: String,
    },
}

/// Checks the configuration, scans `url`, takes its screenshot, serves the picker and
/// answers it until it asks to quit or `stop` is set (polled every 200 ms); `notify`
/// hears of the start and of each save.
///
/// # Errors
/// [`PickError`] when it cannot start; once it serves, failures are answers to the panel.
pub fn run(
    url: &str,
    opts: &PickOptions,
    stop: &AtomicBool,
    notify: &mut dyn FnMut(Notice),
) -> Result<(), PickError> {
    let checked = crate::check::check_paths(std::slice::from_ref(&opts.config), Limits::default())?;
    if checked.diagnostics.has_errors() {
        return Err(PickError::Config {
            diagnostics: crate::diagnostic::render::Format::Human
                .emitter(false, true)
                .render(&crate::diagnostic::render::DiagnosticReport::new(
                    &checked.diagnostics,
                    &checked.sources,
                )),
        });
    }
    let config = checked
        .configs
        .first()
        .ok_or(crate::resolve::ResolveError::Invalid)?;
    let site = crate::resolve::resolve(config, &opts.env)?;
    drop(checked);
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(ScanError::BadUrl(url.to_owned()).into());
    }
    let mut launch = opts.scan.launch.clone();
    launch.timeout = opts.scan.timeout;
    let mut browser = Browser::launch(&launch).map_err(ScanError::from)?;
    let mut page = browser
        .new_page(MetaMode::Recorder)
        .map_err(ScanError::from)?;
    let result = serve(&mut page, url, opts, site, stop, notify);
    let _ = page.close();
    result
}

fn serve(
    page: &mut Page<'_>,
    url: &str,
    opts: &PickOptions,
    site: crate::resolve::Site,
    stop: &AtomicBool,
    notify: &mut dyn FnMut(Notice),
) -> Result<(), PickError> {
    let mut scanned = super::scan_kept(
        page,
        url,
        &super::origin_of(url),
        &[],
        &opts.scan,
        Some(&site),
    )?;
    let report = scanned.report.clone();
    // The boxes of the visible elements, as the scan measured them.
    let boxes: Vec<Value> = report
        .elements
        .iter()
        .map(|e| {
            if e.visible {
                json!({"x": e.rect.x, "y": e.rect.y, "width": e.rect.width, "height": e.rect.height})
            } else {
                Value::Null
            }
        })
        .collect();
    // A page scrolled by the inventory is photographed from its top.
    let _ = page.eval("window.scrollTo(0, 0)");
    let shot = page
        .screenshot_full(opts.max_height)
        .map_err(PickError::Screenshot)?;
    let path = super::path_of(&report.final_url);
    let page_id = report.config_page.as_ref().and_then(|c| c.id.clone());
    let new_page = match &page_id {
        Some(_) => Value::Null,
        None => match save::new_page_url(&path) {
            Ok(u) => json!({"id": save::new_page_id(&path, &site), "url": u}),
            Err(e) => json!({"error": e}),
        },
    };
    let mut events: Vec<&str> = crate::meta::events::standard_event_names()
        .filter(|e| *e != crate::meta::events::PAGE_VIEW)
        .collect();
    events.sort_unstable();
    let elements = report.elements.len();
    let truncated = shot.truncated;
    let scan_json = json!({
        "report": report,
        "boxes": boxes,
        "events": events,
        "screenshot": {
            "width": shot.width,
            "height": shot.height,
            "document_height": shot.document_height,
            "truncated": shot.truncated,
        },
        "config": opts.config.display().to_string(),
        "page": page_id,
        "new_page": new_page,
        "saved": [],
    });
    let files = Arc::new(Files {
        shot: shot.png,
        scan: Mutex::new(scan_json.to_string().into_bytes()),
    });
    let (tx, rx) = mpsc::channel::<Job>();
    let token = token();
    let server = http::Server::start(opts.port, &token, files.clone(), tx).map_err(|source| {
        PickError::Listen {
            port: opts.port,
            source,
        }
    })?;
    notify(Notice::Ready {
        url: format!("http://127.0.0.1:{}/t/{token}/", server.port()),
        elements,
        page: page_id,
        truncated,
        settled: report.settled,
    });
    let mut target = save::Target {
        config: opts.config.clone(),
        env: opts.env.clone(),
        path,
        site,
    };
    let mut scan_json = scan_json;
    while !stop.load(Ordering::SeqCst) {
        let job = match rx.recv_timeout(Duration::from_millis(200)) {
            Ok(j) => j,
            Err(mpsc::RecvTimeoutError::Timeout) => continue,
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        };
        match job.action {
            Action::Quit => {
                let _ = job.reply.send(Response::json(200, &json!({"ok": true})));
                break;
            }
            Action::Locator => {
                let answer = count(page, &job.body);
                let _ = job.reply.send(Response::json(200, &answer));
            }
            Action::Save => {
                let mut answer =
                    save::save(&mut target, &job.body, &mut |l| count_locator(page, l));
                if answer["ok"] == json!(true) {
                    // Every element is matched again against the saved configuration: a
                    // new `text:` button may fire on more than the element picked.
                    match scanned.rematch(page, &opts.scan, &target.site) {
                        Ok(()) => {
                            answer["elements"] = scanned
                                .report
                                .elements
                                .iter()
                                .map(|e| json!({"status": e.status, "tracked_by": e.tracked_by}))
                                .collect();
                            scan_json["report"] = json!(scanned.report);
                        }
                        Err(e) => {
                            if let Some(n) = answer["notes"].as_array_mut() {
                                n.push(json!(format!(
                                    "the page's elements could not be matched again ({e})"
                                )));
                            }
                        }
                    }
                    notify(Notice::Saved {
                        file: answer["file"].as_str().unwrap_or_default().to_owned(),
                        line: answer["line"]
                            .as_u64()
                            .and_then(|n| usize::try_from(n).ok())
                            .unwrap_or(0),
                        inserted: answer["inserted"].as_str().unwrap_or_default().to_owned(),
                    });
                    // A reload of the picker shows what was saved.
                    if let Some(saved) = scan_json["saved"].as_array_mut() {
                        saved.push(answer.clone());
                    }
                    scan_json["page"] = answer["page"].clone();
                    scan_json["new_page"] = Value::Null;
                    *files.scan.lock().unwrap_or_else(PoisonError::into_inner) =
                        scan_json.to_string().into_bytes();
                } else {
                    notify(Notice::Refused {
                        diagnostics: answer["diagnostics"]
                            .as_str()
                            .unwrap_or_default()
                            .to_owned(),
                    });
                }
                let _ = job.reply.send(Response::json(200, &answer));
            }
        }
    }
    drop(server);
    Ok(())
}

/// `POST locator`: how many elements of the live page a typed locator designates.
fn count(page: &mut Page<'_>, body: &str) -> Value {
    match serde_json::from_str::<save::LocatorChoice>(body) {
        Ok(l) => match count_locator(page, &l) {
            Ok(n) => json!({"ok": true, "count": n}),
            Err(message) => json!({"ok": false, "message": message}),
        },
        Err(e) => json!({"ok": false, "message": format!("a malformed request: {e}")}),
    }
}

/// How many elements of the live page `l` designates, by the runtime's rule: for `text`,
/// the innermost elements whose label equals it (inside `within`); for `selector`, its
/// matches (through open shadow roots, both).
fn count_locator(page: &mut Page<'_>, l: &save::LocatorChoice) -> Result<u64, String> {
    let css = |s: &str, what: &str| {
        crate::css::validate_selector(s)
            .map_err(|e| format!("{what} `{s}` is not a valid CSS selector: {e}"))
    };
    let spec = match l {
        save::LocatorChoice::Selector { selector } => {
            css(selector.trim(), "the selector")?;
            json!({"selector": selector.trim()})
        }
        save::LocatorChoice::Text { text, within } => {
            let within = within.trim();
            if within.is_empty() {
                json!({"text": text, "within": null})
            } else {
                css(within, "`within`")?;
                json!({"text": text, "within": within})
            }
        }
    };
    let js = format!(
        "((spec) => {{ {text}
  const roots = [document];
  for (let i = 0; i < roots.length; i++) for (const e of roots[i].querySelectorAll('*')) if (e.shadowRoot) roots.push(e.shadowRoot);
  const all = roots.flatMap((r) => Array.from(r.querySelectorAll('*')));
  if (spec.selector != null) return all.filter((e) => e.matches(spec.selector)).length;
  const want = tidy(spec.text);
  const inside = (e) => spec.within == null || !!e.closest(spec.within);
  const hits = all.filter((e) => inside(e) && label(e) === want);
  return hits.filter((e) => !hits.some((o) => o !== e && e.contains(o))).length;
}})({spec})",
        text = crate::emit::text_js(),
    );
    match page.eval(&js) {
        Ok(v) => v.as_u64().ok_or_else(|| format!("unexpected answer {v}")),
        Err(e) => Err(e.to_string()),
    }
}

/// 128 random bits as 32 hex digits: from `/dev/urandom`, else from two
/// [`std::collections::hash_map::RandomState`]s (keyed by the OS's randomness).
fn token() -> String {
    let mut bytes = [0u8; 16];
    let read = std::fs::File::open("/dev/urandom")
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut bytes));
    if read.is_err() {
        use std::hash::{BuildHasher, Hasher};
        for (i, half) in bytes.chunks_mut(8).enumerate() {
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_usize(i);
            h.write_u128(
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_nanos()),
            );
            half.copy_from_slice(&h.finish().to_le_bytes());
        }
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_128_bits_of_hex_and_differ() {
        let (a, b) = (token(), token());
        assert_eq!(a.len(), 32);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }
}

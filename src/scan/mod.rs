//! `tagc scan` and `tagc pick` (issue 19): Meta's Event Setup Tool, as code.
//!
//! [`run`] loads a page in headless Chromium (through [`crate::browser`], with Meta's
//! hosts answered locally: nothing reaches Meta), waits for it to settle, lists every
//! element a visitor can act on with a locator proven unique ([`crate::browser::Page::inventory`]),
//! and — given a resolved configuration — matches each against the configuration's page
//! for that URL: **tracked**, **untracked**, **ambiguous** or **ignored**
//! ([`report::Status`]). [`render`] writes the human table and the ready-to-paste YAML;
//! [`report::ScanReport`] is the versioned JSON (`schema/scan.schema.json`).
//!
//! # Settling
//! After the load event: network quiet ([`crate::browser::Page::wait_until`], no request
//! and no page activity for [`ScanOptions::quiet`]), then a fixed extra delay
//! ([`ScanOptions::settle`]), both bounded by [`ScanOptions::timeout`] from the start of
//! the navigation. A page that is never quiet before the deadline is **not** an error:
//! the scan goes on with the page as it is and says so (`settled: false` in the report, a
//! note in the human output).
//!
//! # Matching (the runtime's rule)
//! Each listed element is found again in the page by its locator, then each configured
//! button of the page is tested the way the generated runtime tests a click on that
//! element: a `selector` button fires when the element **or an ancestor** (out through
//! shadow hosts) matches it; a `text:` button fires on the first ancestor-or-self whose
//! label equals its text (the search stops once a label is longer), inside `within` when
//! given. An element is **ambiguous** when a button that fires on it fires on several
//! visible listed elements — except a `selector` button on elements that all have the
//! same text (a grid of alike "Add to cart" buttons is meant). A configured button that
//! fires on no listed element is reported as **not found** ([`report::ScanReport::missing`]).
//! An element without a locator cannot be found again; it is matched by text only.
//!
//! # Calls to action
//! An element is a **call to action** when its text suggests a standard event
//! ([`keywords::Keywords::suggest`]) or it is a form or a form's submit control. `tagc
//! scan --fail-on untracked` fails only for an untracked, visible, not ignored call to
//! action: menu and footer links never fail a build.

pub mod keywords;
pub mod pick;
pub mod render;
pub mod report;

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::browser::{
    Browser, BrowserError, Element, LaunchOptions, Locator, MetaMode, Navigates, Page,
};
use crate::resolve::{ResolvedLocator, ResolvedPage, Site};
use report::{
    ConfigPage, MissingButton, ReportLocator, ReportNavigates, ScanReport, ScannedElement, Status,
    Suggested, Summary, TrackedBy,
};

/// How [`run`] loads and reads the page.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// The browser to launch.
    pub launch: LaunchOptions,
    /// How long the network must be quiet.
    pub quiet: Duration,
    /// The extra delay after the network is quiet (`--settle-ms`).
    pub settle: Duration,
    /// The overall deadline of navigation and settling (`--timeout`).
    pub timeout: Duration,
    /// Elements inside a match of one of these selectors are `ignored` (`--ignore`).
    pub ignore: Vec<String>,
    /// The environment the configuration was resolved for (reported).
    pub env: Option<String>,
}

impl Default for ScanOptions {
    /// Quiet 0.5 s, then 1 s more, within 15 s.
    fn default() -> Self {
        ScanOptions {
            launch: LaunchOptions::default(),
            quiet: Duration::from_millis(500),
            settle: Duration::from_millis(1000),
            timeout: Duration::from_secs(15),
            ignore: Vec::new(),
            env: None,
        }
    }
}

/// Why a page could not be scanned.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    /// Not an `http(s)` URL.
    #[error("`{0}` is not an http:// or https:// URL")]
    BadUrl(String),
    /// An `--ignore` selector `tagc check` would refuse.
    #[error("--ignore `{selector}` is not a valid CSS selector: {message}")]
    BadIgnore {
        /// The selector.
        selector: String,
        /// Why.
        message: String,
    },
    /// The browser could not be started, or failed.
    #[error("{0}")]
    Browser(#[from] BrowserError),
    /// The URL could not be loaded (DNS, connection refused, TLS…).
    #[error("cannot load {url}: {error}")]
    Unreachable {
        /// The URL.
        url: String,
        /// Chromium's error (`net::ERR_CONNECTION_REFUSED`).
        error: String,
    },
    /// The document answered with an HTTP error.
    #[error("{url} answered HTTP {status}")]
    HttpStatus {
        /// The final URL.
        url: String,
        /// The status.
        status: u16,
    },
    /// The document is not HTML.
    #[error("{url} is not an HTML page ({content_type})")]
    NotHtml {
        /// The final URL.
        url: String,
        /// Its content type.
        content_type: String,
    },
}

/// Loads `url`, settles, lists its elements and (with `site`) matches them against the
/// configuration's page for the URL's path. See the [module](self).
///
/// # Errors
/// [`ScanError`]: a bad URL or `--ignore`, no browser, an unreachable URL, an HTTP error,
/// a document that is not HTML.
pub fn run(url: &str, opts: &ScanOptions, site: Option<&Site>) -> Result<ScanReport, ScanError> {
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(ScanError::BadUrl(url.to_owned()));
    }
    for s in &opts.ignore {
        crate::css::validate_selector(s).map_err(|e| ScanError::BadIgnore {
            selector: s.clone(),
            message: e.to_string(),
        })?;
    }
    let mut launch = opts.launch.clone();
    launch.timeout = opts.timeout;
    let mut browser = Browser::launch(&launch)?;
    let mut page = browser.new_page(MetaMode::Recorder)?;
    let report = scan_page(&mut page, url, opts, site);
    let _ = page.close();
    report
}

/// [`run`] on a tab the caller owns (opened with [`MetaMode::Recorder`], so nothing
/// reaches Meta): loads `url`, settles, lists and matches. The tab is left on the scanned
/// document, so the caller can take a screenshot or resolve locators in it (`tagc pick`).
///
/// # Errors
/// As [`run`], except for launching.
pub fn scan_page(
    page: &mut Page<'_>,
    url: &str,
    opts: &ScanOptions,
    site: Option<&Site>,
) -> Result<ScanReport, ScanError> {
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(ScanError::BadUrl(url.to_owned()));
    }
    let started = Instant::now();
    let deadline = started + opts.timeout;
    match page.goto(url) {
        Ok(()) => {}
        Err(BrowserError::Navigation { url, error }) => {
            return Err(ScanError::Unreachable { url, error });
        }
        Err(e) => return Err(e.into()),
    }
    let (final_url, status) = match page.document_status() {
        Some((u, s)) => (u.to_owned(), Some(s)),
        None => (url.to_owned(), None),
    };
    if let Some(s) = status
        && s >= 400
    {
        return Err(ScanError::HttpStatus {
            url: final_url,
            status: s,
        });
    }
    let content_type = page
        .eval("document.contentType")?
        .as_str()
        .unwrap_or_default()
        .to_owned();
    if !matches!(
        content_type.as_str(),
        "text/html" | "application/xhtml+xml" | ""
    ) {
        return Err(ScanError::NotHtml {
            url: final_url,
            content_type,
        });
    }
    let settled = page.wait_until(deadline, Some(opts.quiet), |_| false)?
        != crate::browser::WaitEnd::Deadline;
    let left = deadline.saturating_duration_since(Instant::now());
    page.settle(opts.settle.min(left))?;
    let waited_ms = millis(started.elapsed());
    let inventory = page.inventory()?;
    let final_url = if inventory.url.is_empty() {
        final_url
    } else {
        inventory.url.clone()
    };
    let config_page = site.and_then(|s| s.page_for_path(&path_of(&final_url)));
    let buttons: &[crate::resolve::ResolvedButton] = config_page.map_or(&[], |p| &p.buttons);
    let hits = matches_in_page(page, &inventory.elements, buttons, &opts.ignore)?;
    Ok(classify(
        url,
        &final_url,
        status,
        settled,
        waited_ms,
        opts,
        site,
        config_page,
        &inventory.elements,
        &hits,
    ))
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// The path of a URL: after the authority, before `?` and `#`.
fn path_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let start = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let p = &rest[start..];
    let p = p.split(['?', '#']).next().unwrap_or(p);
    if p.starts_with('/') {
        p.to_owned()
    } else {
        format!("/{p}")
    }
}

/// What the page said about each element: whether it was found again, ignored, and
/// which configured buttons fire on it.
#[derive(Debug, Default, Clone)]
struct Hits {
    ignored: bool,
    buttons: Vec<usize>,
}

/// The script that finds each element again and tests each button on it (see the
/// module's "Matching"). Its argument: `{elements: [{sel}|{text, tag}|null], buttons:
/// [{selector}|{text, within}] (the runtime's button shape), ignore: [sel]}`; its answer: `[{found, ignored, buttons}]`.
const MATCH_BODY: &str = r"
const roots = () => {
  const rs = [document];
  for (let i = 0; i < rs.length; i++) for (const e of rs[i].querySelectorAll('*')) if (e.shadowRoot) rs.push(e.shadowRoot);
  return rs;
};
const all = roots();
const safe = (f) => { try { return f(); } catch (_) { return null; } };
const node = (l) => {
  if (!l) return null;
  if (l.sel != null) {
    for (const r of all) { const e = safe(() => r.querySelector(l.sel)); if (e) return e; }
    return null;
  }
  const want = tidy(l.text);
  for (const r of all) for (const e of r.querySelectorAll(l.tag)) if (label(e) === want) return e;
  return null;
};
// The runtime's own `up` and `find` (emit::find_js): a button fires on `e` when `find`
// designates an element on `e`'s path, as the runtime's delegated listener decides.
const fires = (e, b) => !!safe(() => R.find(b, R.up(e)));
const up = (e) => e.parentElement || (e.getRootNode() && e.getRootNode().host) || null;
return spec.elements.map((l) => {
  const e = node(l);
  if (!e) return {found: false, ignored: false, buttons: []};
  let ignored = false;
  for (const s of spec.ignore) for (let x = e; x && !ignored; x = up(x)) if (safe(() => x.matches(s))) ignored = true;
  const buttons = [];
  spec.buttons.forEach((b, i) => { if (fires(e, b)) buttons.push(i); });
  return {found: true, ignored, buttons};
});
";

fn matches_in_page(
    page: &mut crate::browser::Page<'_>,
    elements: &[Element],
    buttons: &[crate::resolve::ResolvedButton],
    ignore: &[String],
) -> Result<Vec<Hits>, ScanError> {
    let els: Vec<Value> = elements
        .iter()
        .map(|e| match &e.locator {
            Some(Locator::Text { text }) => json!({"text": text, "tag": e.tag}),
            Some(l) => json!({"sel": l.selector()}),
            None => Value::Null,
        })
        .collect();
    let bs: Vec<Value> = buttons
        .iter()
        .map(|b| match &b.locator {
            ResolvedLocator::Selector { selector } => json!({"selector": selector}),
            ResolvedLocator::Text { text, within } => json!({"text": text, "within": within}),
        })
        .collect();
    let spec = json!({"elements": els, "buttons": bs, "ignore": ignore});
    let js = format!(
        "((spec) => {{ {text} const R = (() => {{ {find} return {{up, find}}; }})(); {MATCH_BODY} }})({spec})",
        text = crate::emit::text_js(),
        find = crate::emit::find_js(),
    );
    let value = page.eval(&js)?;
    let answers = value.as_array().cloned().unwrap_or_default();
    let mut hits = Vec::with_capacity(elements.len());
    for (i, e) in elements.iter().enumerate() {
        let a = answers.get(i).cloned().unwrap_or(Value::Null);
        let mut h = Hits {
            ignored: a["ignored"] == json!(true),
            buttons: a["buttons"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_u64().and_then(|n| usize::try_from(n).ok()))
                .collect(),
        };
        if a["found"] != json!(true) {
            // Not found again (no locator): the text rule alone.
            h.buttons = buttons
                .iter()
                .enumerate()
                .filter(|(_, b)| {
                    matches!(&b.locator, ResolvedLocator::Text { text, within: None }
                        if crate::text::normalize_text(text) == e.text)
                })
                .map(|(i, _)| i)
                .collect();
        }
        hits.push(h);
    }
    Ok(hits)
}

/// Whether an element is a call to action: a keyword suggestion, or a form or a form's
/// submit control.
fn is_form_like(e: &Element) -> bool {
    e.tag == "form" || matches!(e.navigates, Some(Navigates::Form { .. }))
}

#[allow(clippy::too_many_arguments)]
fn classify(
    url: &str,
    final_url: &str,
    status: Option<u16>,
    settled: bool,
    waited_ms: u64,
    opts: &ScanOptions,
    site: Option<&Site>,
    config_page: Option<&ResolvedPage>,
    elements: &[Element],
    hits: &[Hits],
) -> ScanReport {
    let keywords = keywords::Keywords::defaults();
    let buttons: &[crate::resolve::ResolvedButton] = config_page.map_or(&[], |p| &p.buttons);
    // Per button: the visible, not ignored elements it fires on.
    let mut fired: Vec<Vec<usize>> = vec![Vec::new(); buttons.len()];
    for (i, (e, h)) in elements.iter().zip(hits).enumerate() {
        if h.ignored {
            continue;
        }
        for &b in &h.buttons {
            if let Some(f) = fired.get_mut(b)
                && e.visible
            {
                f.push(i);
            }
        }
    }
    let ambiguous_button = |b: usize| -> bool {
        let f = &fired[b];
        if f.len() < 2 {
            return false;
        }
        let same_text = f
            .windows(2)
            .all(|w| elements[w[0]].text == elements[w[1]].text);
        !(matches!(buttons[b].locator, ResolvedLocator::Selector { .. }) && same_text)
    };
    let mut used_ids: Vec<String> = buttons.iter().map(|b| b.id.clone()).collect();
    let mut out = Vec::with_capacity(elements.len());
    let mut summary = Summary::default();
    for (i, (e, h)) in elements.iter().zip(hits).enumerate() {
        let suggestion = keywords.suggest(&e.text).map(|s| Suggested {
            event: s.event.to_owned(),
            keyword: s.phrase.to_owned(),
        });
        let call_to_action = suggestion.is_some() || is_form_like(e);
        let tracked_by: Vec<TrackedBy> = h
            .buttons
            .iter()
            .filter_map(|&b| buttons.get(b))
            .map(|b| TrackedBy {
                button: b.id.clone(),
                event: b.event.event.clone(),
                on: match b.on {
                    crate::model::Trigger::Click => "click".to_owned(),
                    crate::model::Trigger::Submit => "submit".to_owned(),
                },
            })
            .collect();
        let status = if h.ignored {
            Status::Ignored
        } else if h.buttons.iter().any(|&b| e.visible && ambiguous_button(b)) {
            Status::Ambiguous
        } else if tracked_by.is_empty() {
            Status::Untracked
        } else {
            Status::Tracked
        };
        let suggested_id = (status == Status::Untracked).then(|| {
            let id = unique_id(&slug(&e.text), &used_ids, i);
            used_ids.push(id.clone());
            id
        });
        summary.elements += 1;
        if e.visible {
            summary.visible += 1;
        }
        match status {
            Status::Tracked => summary.tracked += 1,
            Status::Untracked => {
                summary.untracked += 1;
                if call_to_action && e.visible {
                    summary.untracked_cta += 1;
                }
            }
            Status::Ambiguous => summary.ambiguous += 1,
            Status::Ignored => summary.ignored += 1,
        }
        out.push(ScannedElement {
            index: i,
            tag: e.tag.clone(),
            role: e.role.clone(),
            text: e.text.clone(),
            locator: e.locator.as_ref().map(ReportLocator::from),
            visible: e.visible,
            disabled: e.disabled,
            in_shadow: e.in_shadow,
            navigates: e.navigates.as_ref().map(ReportNavigates::from),
            status,
            tracked_by,
            suggestion,
            suggested_id,
            call_to_action,
        });
    }
    let missing: Vec<MissingButton> = buttons
        .iter()
        .enumerate()
        .filter(|(b, _)| !hits.iter().any(|h| !h.ignored && h.buttons.contains(b)))
        .map(|(_, b)| MissingButton {
            button: b.id.clone(),
            event: b.event.event.clone(),
            locator: match &b.locator {
                ResolvedLocator::Selector { selector } => ReportLocator::Selector {
                    selector: selector.clone(),
                },
                ResolvedLocator::Text { text, .. } => ReportLocator::Text { text: text.clone() },
            },
        })
        .collect();
    summary.missing = missing.len();
    ScanReport {
        version: report::SCAN_REPORT_VERSION,
        url: url.to_owned(),
        final_url: final_url.to_owned(),
        status,
        settled,
        waited_ms,
        env: site.map(|s| s.env.clone()).or_else(|| opts.env.clone()),
        config_page: site.map(|_| ConfigPage {
            id: config_page.map(|p| p.id.clone()),
        }),
        elements: out,
        missing,
        summary,
    }
}

/// A button id from a text: accent-folded lowercase words joined by `-`, at most 40
/// characters; `button` when the text has no letter or digit.
#[must_use]
pub fn slug(text: &str) -> String {
    let mut s = String::new();
    for w in keywords::fold_words(text) {
        let w: String = w.chars().filter(char::is_ascii_alphanumeric).collect();
        if w.is_empty() {
            continue;
        }
        if s.len() + w.len() + 1 > 40 {
            break;
        }
        if !s.is_empty() {
            s.push('-');
        }
        s.push_str(&w);
    }
    if s.is_empty() { "button".to_owned() } else { s }
}

/// `base`, or `base-2`, `base-3`… the first not in `used`; `button-N` (N the element's
/// 1-based index) for an empty slug.
fn unique_id(base: &str, used: &[String], index: usize) -> String {
    let base = if base == "button" {
        format!("button-{}", index + 1)
    } else {
        base.to_owned()
    };
    if !used.contains(&base) {
        return base;
    }
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|c| !used.contains(c))
        .unwrap_or(base)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_and_paths() {
        assert_eq!(slug("Asistir presencial"), "asistir-presencial");
        assert_eq!(slug("¡Ñu!"), "nu");
        assert_eq!(slug("  "), "button");
        assert_eq!(
            unique_id("a", &["a".to_owned(), "a-2".to_owned()], 0),
            "a-3"
        );
        assert_eq!(unique_id("button", &[], 4), "button-5");
        assert_eq!(path_of("http://h:1/a/b?x=1#y"), "/a/b");
        assert_eq!(path_of("http://h:1"), "/");
    }
}

//! `tagc scan` and `tagc pick` (issue 19): Meta's Event Setup Tool, as code.
//!
//! [`run`] loads a page in headless Chromium (through [`crate::browser`], with Meta's
//! hosts answered locally: nothing reaches Meta), waits for it to settle, lists every
//! element a visitor can act on with a locator proven unique ([`crate::browser::Page::inventory`]),
//! and — given a resolved configuration — matches each against the configuration's page
//! for that URL: **tracked**, **untracked**, **ambiguous** or **ignored**
//! ([`report::Status`]). [`render`] writes the human table and the ready-to-paste YAML;
//! [`report::ScanDocument`] is the versioned JSON (`schema/scan.schema.json`).
//!
//! # Settling
//! After the load event: network quiet ([`crate::browser::Page::wait_until`], no request
//! and no page activity for [`ScanOptions::quiet`]), then a fixed extra delay
//! ([`ScanOptions::settle`]), both bounded by [`ScanOptions::timeout`] from the start of
//! the navigation. A page that is never quiet before the deadline is **not** an error:
//! the scan goes on with the page as it is and says so (`settled: false` in the report, a
//! note in the human output).
//!
//! # Steps, scroll
//! Once settled, the visitor's steps are performed ([`crate::browser::step::perform`], as
//! `tagc verify` performs them): the configuration's consent step (`site.verify.consent`),
//! so that the banner neither hides the page nor is suggested, then with [`run_all`] the
//! page's `verify.before` steps; each waits at most 10 s for its element, all within a
//! fresh [`ScanOptions::timeout`]; then the page settles again. The scroll pass
//! ([`ScanOptions::scroll`]) scrolls down by one viewport height at a time, glancing
//! 50 ms and pausing 150 ms more only when the page reacted (its DOM changed or a request
//! started), until the bottom — at most 20 steps, within what is left before the deadline
//! but at least 1 s and at most 5 s —, back to the top, and settles again (bounded the
//! same way: a lazy loader may wait before it renders), so that elements rendered when
//! they come into view are listed. A page that fits in the viewport is not scrolled.
//! The page's own `fbq` calls (recorded, not sent) are reported
//! ([`report::PageCalls`]).
//!
//! # Matching (the runtime's rule)
//! Each listed element is taken from the inventory's own list, kept in the tab (or, when
//! it has left the document since, found again by its locator), then each configured
//! button of the page is tested the way the generated runtime tests a click on that
//! element: a `selector` button fires when the element **or an ancestor** (out through
//! shadow hosts) matches it; a `text:` button fires on the first ancestor-or-self whose
//! label equals its text (the search stops once a label is longer), inside `within` when
//! given. An element is **ambiguous** when a button that fires on it fires on several
//! visible listed elements — except a `selector` button on elements that all have the
//! same text (a grid of alike "Add to cart" buttons is meant). A configured button that
//! fires on no listed element is reported as **not found** ([`report::ScanReport::missing`]).
//! An element gone from the document and without a locator is matched by text only.
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
use crate::model::Step;
use crate::resolve::{ResolvedLocator, ResolvedPage, Site};
use report::{
    ConfigPage, MissingButton, PageCalls, PageFailure, ReportLocator, ReportNavigates,
    ScanDocument, ScanReport, ScannedElement, SkippedPage, Status, Suggested, Summary, TrackedBy,
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
    /// The keyword table suggestions come from (`--keywords`; the defaults otherwise).
    pub keywords: keywords::Keywords,
    /// Whether to scroll through the page before the inventory (`--no-scroll` clears it).
    pub scroll: bool,
    /// The window the page is laid out for, in CSS pixels (`--viewport`).
    pub viewport: (u32, u32),
}

impl Default for ScanOptions {
    /// Quiet 0.5 s, then 1 s more, within 15 s; the default keywords; the scroll pass;
    /// a 1280×800 window.
    fn default() -> Self {
        ScanOptions {
            launch: LaunchOptions::default(),
            quiet: Duration::from_millis(500),
            settle: Duration::from_millis(1000),
            timeout: Duration::from_secs(15),
            ignore: Vec::new(),
            env: None,
            keywords: keywords::Keywords::defaults(),
            scroll: true,
            viewport: (1280, 800),
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
    /// A visitor's step (the consent step, a page's `verify.before`) could not be
    /// performed.
    #[error("{url}: {when}, {step}, failed: {error}")]
    Step {
        /// The URL scanned.
        url: String,
        /// Which step: `accepting the consent banner (site.verify.consent)`.
        when: String,
        /// The step in words ([`Step::describe`]).
        step: String,
        /// What went wrong.
        error: String,
    },
    /// With `--all`: no base URL to join the example paths to.
    #[error(
        "--all needs the site's address: pass --base-url URL, or set `site.url` in the configuration"
    )]
    NoBaseUrl,
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
/// a document that is not HTML, a consent step that could not be performed.
pub fn run(url: &str, opts: &ScanOptions, site: Option<&Site>) -> Result<ScanReport, ScanError> {
    check_input(url, opts)?;
    let mut browser = launch(opts)?;
    let mut page = browser.new_page(MetaMode::Recorder)?;
    let report = scan_page(&mut page, url, opts, site);
    let _ = page.close();
    report
}

fn check_input(url: &str, opts: &ScanOptions) -> Result<(), ScanError> {
    if !is_http(url) {
        return Err(ScanError::BadUrl(url.to_owned()));
    }
    for s in &opts.ignore {
        crate::css::validate_selector(s).map_err(|e| ScanError::BadIgnore {
            selector: s.clone(),
            message: e.to_string(),
        })?;
    }
    Ok(())
}

fn is_http(url: &str) -> bool {
    url.starts_with("http://") || url.starts_with("https://")
}

fn launch(opts: &ScanOptions) -> Result<Browser, ScanError> {
    let mut launch = opts.launch.clone();
    launch.timeout = opts.timeout;
    Ok(Browser::launch(&launch)?)
}

/// `tagc scan --all`: every page of `site` that has an example path
/// ([`ResolvedPage::example_paths`], the rule `tagc verify` uses), in configuration order,
/// loaded at `base_url` joined with its first path, in one browser tab reset between
/// pages; each with the consent step and the page's `verify.before` steps. A page whose
/// `verify.before` starts with a `goto` is loaded there instead (as `tagc verify` does).
/// Pages without an example path are in [`ScanDocument::skipped`] with verify's
/// sentence; a page that could not be scanned is in [`ScanDocument::errors`] and the
/// walk goes on.
///
/// # Errors
/// [`ScanError`]: a base URL that is not `http(s)`, a bad `--ignore`, no browser.
pub fn run_all(base_url: &str, opts: &ScanOptions, site: &Site) -> Result<ScanDocument, ScanError> {
    run_all_paths(base_url, opts, site, false)
}

/// [`run_all`], with `every_path` (`--all-urls`): each page scanned at every one of its
/// example paths, not only the first (a page whose `verify.before` starts with a `goto`
/// still loads only there).
///
/// # Errors
/// As [`run_all`].
pub fn run_all_paths(
    base_url: &str,
    opts: &ScanOptions,
    site: &Site,
    every_path: bool,
) -> Result<ScanDocument, ScanError> {
    check_input(base_url, opts)?;
    let mut doc = ScanDocument::new(Some(base_url.to_owned()));
    let mut to_scan = Vec::new();
    for p in &site.pages {
        match p.example_paths() {
            Err(reason) => doc.skipped.push(SkippedPage {
                page: p.id.clone(),
                reason,
            }),
            Ok(paths) => match p.verify.before.split_first() {
                Some((Step::Goto(start), rest)) => to_scan.push((p, start.clone(), rest)),
                _ if paths.is_empty() => doc.skipped.push(SkippedPage {
                    page: p.id.clone(),
                    reason: format!("page `{}` has no path to load", p.id),
                }),
                _ => {
                    let take = if every_path { paths.len() } else { 1 };
                    for path in paths.into_iter().take(take) {
                        to_scan.push((p, path, p.verify.before.as_slice()));
                    }
                }
            },
        }
    }
    if to_scan.is_empty() {
        return Ok(doc);
    }
    let mut browser = launch(opts)?;
    let mut page = browser.new_page(MetaMode::Recorder)?;
    for (i, (p, path, before)) in to_scan.into_iter().enumerate() {
        let url = crate::browser::step::url_of(base_url, &path);
        let scanned = if i == 0 {
            Ok(())
        } else {
            page.set_timeout(opts.timeout);
            page.reset(true).map_err(ScanError::from)
        }
        .and_then(|()| scan_kept(&mut page, &url, base_url, before, opts, Some(site)))
        .map(|s| s.report);
        match scanned {
            Ok(mut r) => {
                r.example_of = Some(p.id.clone());
                doc.pages.push(r);
            }
            Err(e) => doc.errors.push(PageFailure {
                page: p.id.clone(),
                url,
                message: e.to_string(),
            }),
        }
    }
    let _ = page.close();
    Ok(doc)
}

/// [`run`] on a tab the caller owns (opened with [`MetaMode::Recorder`], so nothing
/// reaches Meta): loads `url`, settles, performs the configuration's consent step (when
/// `site` has one), scrolls, lists and matches. The tab is left on the scanned document,
/// so the caller can take a screenshot or resolve locators in it (`tagc pick`).
///
/// # Errors
/// As [`run`], except for launching.
pub fn scan_page(
    page: &mut Page<'_>,
    url: &str,
    opts: &ScanOptions,
    site: Option<&Site>,
) -> Result<ScanReport, ScanError> {
    let base = origin_of(url);
    scan_kept(page, url, &base, &[], opts, site).map(|s| s.report)
}

/// A scanned page, with what [`Scanned::rematch`] needs to match its elements again
/// against a changed configuration without loading the page again (`tagc pick`, after a
/// save).
#[derive(Debug, Clone)]
pub struct Scanned {
    /// The report.
    pub report: ScanReport,
    /// The elements as the inventory listed them.
    inventory: crate::browser::Inventory,
}

impl Scanned {
    /// Matches the listed elements again, in the tab that still shows the scanned
    /// document, against `site`'s page for the URL (by the runtime's rule, as the scan
    /// did), and replaces the report's statuses, tracking buttons, missing buttons and
    /// summary. What the visit found (steps, scroll, the page's own calls) is kept.
    ///
    /// # Errors
    /// When the matching script cannot run in the tab.
    pub fn rematch(
        &mut self,
        page: &mut Page<'_>,
        opts: &ScanOptions,
        site: &Site,
    ) -> Result<(), ScanError> {
        let r = &self.report;
        let config_page = site.page_for_path(&path_of(&r.final_url));
        let buttons: &[crate::resolve::ResolvedButton] = config_page.map_or(&[], |p| &p.buttons);
        let hits = matches_in_page(page, &self.inventory.elements, buttons, &opts.ignore)?;
        let mut new = classify(
            &r.url,
            &r.final_url,
            r.status,
            r.settled,
            r.waited_ms,
            opts,
            Some(site),
            config_page,
            &self.inventory.elements,
            &hits,
        );
        let old = &mut self.report;
        new.example_of = old.example_of.take();
        new.steps = std::mem::take(&mut old.steps);
        new.scrolled = old.scrolled;
        new.page_calls = old.page_calls.clone();
        self.report = new;
        Ok(())
    }
}

/// [`scan_page`] with the visitor's `before` steps performed after the consent step
/// (`goto` steps load `base_url` joined with their path), keeping the inventory for
/// [`Scanned::rematch`].
///
/// # Errors
/// As [`scan_page`].
pub fn scan_kept(
    page: &mut Page<'_>,
    url: &str,
    base_url: &str,
    before: &[Step],
    opts: &ScanOptions,
    site: Option<&Site>,
) -> Result<Scanned, ScanError> {
    if !is_http(url) {
        return Err(ScanError::BadUrl(url.to_owned()));
    }
    page.set_viewport(opts.viewport.0, opts.viewport.1)?;
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
    let mut settled = page.wait_until(deadline, Some(opts.quiet), |_| false)?
        != crate::browser::WaitEnd::Deadline;
    let left = deadline.saturating_duration_since(Instant::now());
    page.settle(opts.settle.min(left))?;
    // The visitor's steps: the consent banner first, then the page's own.
    let consent = site.and_then(|s| s.verify_consent.as_ref());
    let steps: Vec<(&str, &Step)> = consent
        .map(|c| ("accepting the consent banner (site.verify.consent)", c))
        .into_iter()
        .chain(
            before
                .iter()
                .map(|b| ("before the scan (verify.before)", b)),
        )
        .collect();
    let mut performed = Vec::with_capacity(steps.len());
    if !steps.is_empty() {
        let steps_deadline = Instant::now() + opts.timeout;
        for (when, step) in steps {
            crate::browser::step::perform(page, step, STEP_WAIT, steps_deadline, base_url)
                .map_err(|e| ScanError::Step {
                    url: url.to_owned(),
                    when: when.to_owned(),
                    step: step.describe(),
                    error: e.to_string(),
                })?;
            performed.push(step.describe());
        }
        settled &= settle_again(page, opts, steps_deadline)?;
    }
    let scrolled = opts.scroll && scroll_through(page, deadline)?;
    // Always, once scrolled: a lazy loader may wait (a debounce) before it changes
    // anything, so no step's glance is proof that nothing is coming.
    if scrolled {
        settled &= settle_again(page, opts, Instant::now() + bounded(deadline))?;
    }
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
    let calls = page.fbq_calls()?;
    let mut report = classify(
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
    );
    report.steps = performed;
    report.scrolled = scrolled;
    report.page_calls = PageCalls::from_calls(calls);
    Ok(Scanned { report, inventory })
}

/// How long a visitor's step waits for its element.
const STEP_WAIT: Duration = Duration::from_secs(10);

/// At most how long the scroll pass takes, and the settling after it.
const AFTER_SCROLL: Duration = Duration::from_secs(5);

/// At most how many viewport heights the scroll pass goes down.
const SCROLL_STEPS: usize = 20;

/// How long each scroll step waits before looking whether the page reacted (observers
/// run on the next frames).
const SCROLL_GLANCE: Duration = Duration::from_millis(50);

/// How much longer a step waits when the page reacted (lazy loading at work).
const SCROLL_PAUSE: Duration = Duration::from_millis(150);

/// Network quiet (until `until`), then the extra delay (within the same bound); whether
/// the network went quiet.
fn settle_again(
    page: &mut Page<'_>,
    opts: &ScanOptions,
    until: Instant,
) -> Result<bool, ScanError> {
    let quiet =
        page.wait_until(until, Some(opts.quiet), |_| false)? != crate::browser::WaitEnd::Deadline;
    let left = until.saturating_duration_since(Instant::now());
    page.settle(opts.settle.min(left))?;
    Ok(quiet)
}

/// The scroll pass: down by one viewport height at a time until the bottom (at most
/// [`SCROLL_STEPS`] steps, within [`bounded`]`(deadline)`), then back to the top. Each
/// step waits [`SCROLL_GLANCE`]; only a step after which the page reacted (the DOM changed
/// or a request started: a lazy loader at work) waits [`SCROLL_PAUSE`] more. Answers
/// whether the page was scrolled (a page that fits in the viewport is not).
fn scroll_through(page: &mut Page<'_>, deadline: Instant) -> Result<bool, ScanError> {
    // Where the viewport's bottom is, the document's height, and how many DOM mutations
    // there were (an observer installed by the first call). Requests are the page's own
    // record ([`Page::is_quiet`]): one started and still open counts.
    const MEASURE: &str = "(() => { if (!window.__tagc_mutations) { let n = 0; new MutationObserver((r) => { n += r.length; }).observe(document, {subtree: true, childList: true, attributes: true, characterData: true}); Object.defineProperty(window, '__tagc_mutations', {value: () => n, configurable: true}); } const d = document.scrollingElement || document.documentElement; return [Math.ceil(window.scrollY + window.innerHeight), d ? d.scrollHeight : 0, window.__tagc_mutations()]; })()";
    const DOWN: &str = "(() => { window.scrollTo({top: window.scrollY + window.innerHeight, behavior: 'instant'}); return true; })()";
    let fits = |v: &Value| {
        let at = v[0].as_f64().unwrap_or(0.0);
        let height = v[1].as_f64().unwrap_or(0.0);
        at >= height
    };
    let mutations = |v: &Value| v[2].as_u64().unwrap_or(0);
    let first = page.eval(MEASURE)?;
    if fits(&first) {
        return Ok(false);
    }
    let mut seen = mutations(&first);
    let until = Instant::now() + bounded(deadline);
    for _ in 0..SCROLL_STEPS {
        page.eval(DOWN)?;
        page.settle(SCROLL_GLANCE)?;
        let mut now = page.eval(MEASURE)?;
        if mutations(&now) != seen || !page.is_quiet(SCROLL_GLANCE) {
            page.settle(SCROLL_PAUSE)?;
            now = page.eval(MEASURE)?;
        }
        seen = mutations(&now);
        if fits(&now) || Instant::now() >= until {
            break;
        }
    }
    page.eval("(() => { window.scrollTo({top: 0, behavior: 'instant'}); return true; })()")?;
    Ok(true)
}

/// What is left before `deadline`, but at least a second and at most [`AFTER_SCROLL`].
fn bounded(deadline: Instant) -> Duration {
    deadline
        .saturating_duration_since(Instant::now())
        .clamp(Duration::from_secs(1), AFTER_SCROLL)
}

/// `scheme://authority` of a URL (the base of a `goto` step in a single-URL scan).
fn origin_of(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    format!("{scheme}://{}", &rest[..end])
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
const all = roots(document);
const safe = (f) => { try { return f(); } catch (_) { return null; } };
const byTag = new Map();
const node = (l) => {
  if (!l) return null;
  if (l.sel != null) {
    for (const r of all) { const e = safe(() => r.querySelector(l.sel)); if (e) return e; }
    return null;
  }
  // The first element of the tag with the label, in root order: one pass per tag.
  if (!byTag.has(l.tag)) {
    const m = new Map();
    for (const r of all) for (const e of r.querySelectorAll(l.tag)) { const t = label(e); if (!m.has(t)) m.set(t, e); }
    byTag.set(l.tag, m);
  }
  return byTag.get(l.tag).get(tidy(l.text)) || null;
};
// The runtime's own `up` and `find` (emit::find_js): a button fires on `e` when `find`
// designates an element on `e`'s path, as the runtime's delegated listener decides.
const fires = (e, b) => !!safe(() => R.find(b, R.up(e)));
const up = (e) => e.parentElement || (e.getRootNode() && e.getRootNode().host) || null;
// The inventory's elements themselves, when this document's last inventory listed them.
const listed = window.__tagc_listed;
const direct = Array.isArray(listed) && listed.length === spec.elements.length;
return spec.elements.map((l, i) => {
  const e = direct && listed[i] && listed[i].isConnected ? listed[i] : node(l);
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
            Some(Locator::Text { text, within: None }) => json!({"text": text, "tag": e.tag}),
            // Found again only as listed: the text alone names another element.
            Some(Locator::Text {
                within: Some(_), ..
            }) => Value::Null,
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
        "((spec) => {{ {text} {search} const R = (() => {{ {find} return {{up, find}}; }})(); {MATCH_BODY} }})({spec})",
        text = crate::emit::text_js(),
        search = crate::browser::SEARCH_JS,
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
    let keywords = &opts.keywords;
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
    let mut ids = Ids::new(buttons.iter().map(|b| b.id.as_str()));
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
        let suggested_id = (status == Status::Untracked).then(|| ids.fresh(&slug(&e.text), i));
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
            rect: report::ReportRect {
                x: e.rect.x,
                y: e.rect.y,
                width: e.rect.width,
                height: e.rect.height,
            },
            disabled: e.disabled,
            in_shadow: e.in_shadow,
            navigates: e.navigates.as_ref().map(ReportNavigates::from),
            status,
            tracked_by,
            suggestion,
            suggested_id,
            call_to_action,
            group: e.group.as_ref().map(report::ReportGroup::from),
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
                ResolvedLocator::Text { text, within } => ReportLocator::Text {
                    text: text.clone(),
                    within: within.clone(),
                },
            },
        })
        .collect();
    summary.missing = missing.len();
    ScanReport {
        url: url.to_owned(),
        final_url: final_url.to_owned(),
        status,
        settled,
        waited_ms,
        env: site.map(|s| s.env.clone()).or_else(|| opts.env.clone()),
        config_page: site.map(|_| ConfigPage {
            id: config_page.map(|p| p.id.clone()),
        }),
        example_of: None,
        steps: Vec::new(),
        scrolled: false,
        page_calls: PageCalls::default(),
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

/// Suggested button ids, unique among the page's configured ones and each other:
/// `base`, or `base-2`, `base-3`… the first not yet used; `button-N` (N the element's
/// 1-based index) for an empty slug. Amortized constant time per id: a grid of 2,000
/// "Add to cart" buttons must not test 2,000 candidates each.
struct Ids {
    used: std::collections::HashSet<String>,
    next: std::collections::HashMap<String, usize>,
}

impl Ids {
    fn new<'a>(existing: impl IntoIterator<Item = &'a str>) -> Ids {
        Ids {
            used: existing.into_iter().map(str::to_owned).collect(),
            next: std::collections::HashMap::new(),
        }
    }

    fn fresh(&mut self, base: &str, index: usize) -> String {
        let base = if base == "button" {
            format!("button-{}", index + 1)
        } else {
            base.to_owned()
        };
        if self.used.insert(base.clone()) {
            return base;
        }
        let mut n = self.next.get(&base).copied().unwrap_or(2);
        let id = loop {
            let c = format!("{base}-{n}");
            n += 1;
            if !self.used.contains(&c) {
                break c;
            }
        };
        self.next.insert(base, n);
        self.used.insert(id.clone());
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_and_paths() {
        assert_eq!(slug("Asistir presencial"), "asistir-presencial");
        assert_eq!(slug("¡Ñu!"), "nu");
        assert_eq!(slug("  "), "button");
        let mut ids = Ids::new(["a", "a-2", "b-3"]);
        assert_eq!(ids.fresh("a", 0), "a-3");
        assert_eq!(ids.fresh("a", 1), "a-4");
        assert_eq!(ids.fresh("b", 2), "b");
        assert_eq!(ids.fresh("b", 3), "b-2");
        assert_eq!(ids.fresh("b", 4), "b-4");
        assert_eq!(ids.fresh("button", 4), "button-5");
        assert_eq!(ids.fresh("button", 4), "button-5-2");
        assert_eq!(path_of("http://h:1/a/b?x=1#y"), "/a/b");
        assert_eq!(path_of("http://h:1"), "/");
    }
}

//! One browser check, as a small state machine: **load** the page (and decide at once when
//! it answered an error status, has no snippet, or Meta's library cannot load), **prepare**
//! it as a visitor would (accept the consent banner, the configured steps, form values),
//! **act** (click or submit, once the element is ready), **collect** what the page does
//! until it is quiet (following a navigation to the next document), and **judge** it
//! against the plan. Each stage either hands over to the next or stops the check with a
//! verdict and its reason.
//!
//! The same machine runs offline harness pages (exact values, no waits: the harness is
//! synchronous) and real sites (types and constants, event-driven waits).

mod act;
mod collect;
mod judge;
mod load;
mod prepare;
mod share;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::plan::{Action, BrowserCheck, ExpectedCall, Locator, Plan};
use super::{Mismatch, Note, Outcome};
use crate::browser::serve::Server;
use crate::browser::{BrowserError, Page, Target};
use crate::urlpattern::UrlPattern;

/// After everything expected has arrived, how long a real page must stay quiet before
/// the check ends (to catch a duplicate fire).
const EXTRA_QUIET: Duration = Duration::from_millis(50);

/// How long a real page must stay quiet (no call, no request, no navigation) before
/// what has not happened is taken as not going to happen.
const DECIDE_QUIET: Duration = Duration::from_millis(500);

/// What every check of a run shares.
pub(crate) struct Ctx<'a> {
    /// The plan.
    pub plan: &'a Plan,
    /// The plan's directory (snippets are relative to it).
    pub plan_dir: &'a Path,
    /// The real site's base URL; `None` for harness pages.
    pub site: Option<&'a str>,
    /// On a real site, Meta's real `fbevents.js` (its requests captured) rather than the
    /// recorder.
    pub real_fbevents: bool,
    /// How long to wait for an element when the check does not say.
    pub wait: Duration,
    /// The deadline of one check.
    pub timeout: Duration,
    /// Set by the first check that finds Meta's library unreachable: the others stop at
    /// once with the same reason.
    pub meta_down: &'a OnceLock<String>,
    /// Each page's URL patterns, in order, to name the page a navigation lands on.
    pages: Vec<(String, Vec<UrlPattern>)>,
    /// Each page's load expectations, by page id.
    loads: HashMap<&'a str, &'a [ExpectedCall]>,
}

impl<'a> Ctx<'a> {
    /// The context of a run of `plan`.
    pub fn new(
        plan: &'a Plan,
        plan_dir: &'a Path,
        site: Option<&'a str>,
        real_fbevents: bool,
        wait: Duration,
        timeout: Duration,
        meta_down: &'a OnceLock<String>,
    ) -> Ctx<'a> {
        let pages = plan
            .pages
            .iter()
            .map(|p| {
                (
                    p.id.clone(),
                    p.url
                        .iter()
                        .filter_map(|u| UrlPattern::parse(u).ok())
                        .collect(),
                )
            })
            .collect();
        let loads = plan
            .checks
            .iter()
            .filter_map(|c| match c {
                super::plan::PlanCheck::Browser(b) if b.action == Action::Load => {
                    Some((b.page.as_str(), b.expect.as_slice()))
                }
                _ => None,
            })
            .collect();
        Ctx {
            plan,
            plan_dir,
            site,
            real_fbevents,
            wait,
            timeout,
            meta_down,
            pages,
            loads,
        }
    }

    /// The page a path belongs to (the first whose pattern matches) and its load calls.
    fn landing(&self, path: &str) -> Option<(&str, &'a [ExpectedCall])> {
        let i = crate::urlpattern::first_match(self.pages.iter().map(|(_, ps)| ps), path)?;
        let (id, _) = self.pages.get(i)?;
        Some((
            id.as_str(),
            self.loads.get(id.as_str()).copied().unwrap_or(&[]),
        ))
    }
}

/// What a worker keeps between harness checks: the server its pages are served from and
/// the snippets read so far.
#[derive(Default)]
pub(crate) struct Harness {
    server: Option<Server>,
    snippets: HashMap<String, String>,
}

/// What a browser check saw that a dedup check needs.
#[derive(Debug, Clone)]
pub(crate) struct Observation {
    /// `eventID`s of the calls, by event name.
    pub event_ids: BTreeMap<String, Vec<String>>,
    /// The value found where the id is shared (form field, data layer, cookie), or why
    /// it could not be read.
    pub shared: Result<Option<String>, String>,
}

impl Default for Observation {
    fn default() -> Self {
        Observation {
            event_ids: BTreeMap::new(),
            shared: Ok(None),
        }
    }
}

/// A browser check's verdict.
#[derive(Debug, Clone)]
pub(crate) struct Verdict {
    pub outcome: Outcome,
    pub message: String,
    pub mismatches: Vec<Mismatch>,
    pub notes: Vec<Note>,
    pub sent: Vec<Value>,
    pub observation: Observation,
}

impl Verdict {
    /// A verdict without a comparison: skipped, or stopped for `message`.
    pub(crate) fn stopped(outcome: Outcome, message: String) -> Verdict {
        Verdict {
            outcome,
            message,
            mismatches: Vec::new(),
            notes: Vec::new(),
            sent: Vec::new(),
            observation: Observation::default(),
        }
    }
}

/// Why a check stopped before it was judged.
struct Stop {
    outcome: Outcome,
    message: String,
}

impl Stop {
    fn failed(message: impl Into<String>) -> Stop {
        Stop {
            outcome: Outcome::Failed,
            message: message.into(),
        }
    }

    fn error(message: impl Into<String>) -> Stop {
        Stop {
            outcome: Outcome::Error,
            message: message.into(),
        }
    }

    /// A browser error: what the page is like (no such element, covered, invalid form)
    /// is a finding; anything else (a crash, a deadline, the protocol) means the check
    /// could not run.
    fn browser(e: &BrowserError, context: &str) -> Stop {
        let message = if context.is_empty() {
            e.to_string()
        } else {
            format!("{context}: {e}")
        };
        match e {
            BrowserError::NoElement { .. }
            | BrowserError::NoText { .. }
            | BrowserError::NotVisible { .. }
            | BrowserError::Disabled { .. }
            | BrowserError::Unstable { .. }
            | BrowserError::Covered { .. }
            | BrowserError::InFrame { .. }
            | BrowserError::NotAForm { .. }
            | BrowserError::InvalidForm { .. } => Stop::failed(message),
            _ => Stop::error(message),
        }
    }
}

/// Runs one browser check on `page` (reset first). Offline, `harness` serves the check's
/// harness page.
pub(crate) fn run(
    page: &mut Page<'_>,
    harness: &mut Harness,
    ctx: &Ctx<'_>,
    check: &BrowserCheck,
) -> Verdict {
    if ctx.site.is_some() {
        if let Some(why) = &check.site_skip {
            return Verdict::stopped(Outcome::Skipped, why.clone());
        }
        if let Some(why) = ctx.meta_down.get() {
            return Verdict::stopped(Outcome::Error, why.clone());
        }
    } else if let Some(e) = &check.harness_error {
        return Verdict::stopped(Outcome::Error, e.clone());
    }
    let urls: Vec<&str> = match (ctx.site, &check.action) {
        (None, _) => vec![check.path.as_str()],
        (Some(_), Action::Load) => check.urls.iter().map(String::as_str).collect(),
        (Some(_), _) => check.urls.iter().take(1).map(String::as_str).collect(),
    };
    let urls = if urls.is_empty() { vec!["/"] } else { urls };
    let mut verdicts: Vec<(&str, Verdict)> = Vec::new();
    for url in &urls {
        let run = Run {
            page: &mut *page,
            harness: &mut *harness,
            ctx,
            check,
            deadline: Instant::now() + ctx.timeout,
            notes: Vec::new(),
            doc: 0,
            mark: 0,
            sent_mark: 0,
            hits_mark: 0,
            steps_mark: 0,
            granted: false,
        };
        verdicts.push((url, run.go(url)));
    }
    merge(verdicts)
}

/// One verdict of a check that ran on several URLs: the worst outcome, every message and
/// difference prefixed with its URL.
fn merge(mut verdicts: Vec<(&str, Verdict)>) -> Verdict {
    if verdicts.len() == 1 {
        return verdicts.remove(0).1;
    }
    let mut out = Verdict::stopped(Outcome::Passed, String::new());
    let mut messages = Vec::new();
    for (url, v) in verdicts {
        out.outcome = worst(out.outcome, v.outcome);
        if !v.message.is_empty() {
            messages.push(format!("{url}: {}", v.message));
        }
        out.mismatches
            .extend(v.mismatches.into_iter().map(|m| Mismatch {
                what: format!("{url}: {}", m.what),
                ..m
            }));
        out.notes.extend(v.notes.into_iter().map(|n| Note {
            message: format!("{url}: {}", n.message),
            ..n
        }));
        out.sent.extend(v.sent);
        for (k, ids) in v.observation.event_ids {
            out.observation.event_ids.entry(k).or_default().extend(ids);
        }
        if out.observation.shared.as_ref().is_ok_and(Option::is_none) {
            out.observation.shared = v.observation.shared;
        }
    }
    out.message = messages.join("; ");
    out
}

/// The worse of two outcomes: error, then failed, then skipped, then assumed, then
/// passed.
fn worst(a: Outcome, b: Outcome) -> Outcome {
    let rank = |o: Outcome| match o {
        Outcome::Error => 4,
        Outcome::Failed => 3,
        Outcome::Skipped => 2,
        Outcome::Assumed => 1,
        Outcome::Passed => 0,
    };
    if rank(b) > rank(a) { b } else { a }
}

/// A check under way on one URL.
struct Run<'p, 'b, 'c> {
    page: &'p mut Page<'b>,
    harness: &'p mut Harness,
    ctx: &'c Ctx<'c>,
    check: &'c BrowserCheck,
    deadline: Instant,
    notes: Vec<Note>,
    /// The document the check acted in (index in the capture's documents).
    doc: usize,
    /// Where the capture's events stood when the check acted.
    mark: usize,
    /// Where the requests sent stood when the check acted.
    sent_mark: usize,
    /// Where the pixel requests stood when the check acted.
    hits_mark: usize,
    /// Where the capture's events stood before the visitor's steps.
    steps_mark: usize,
    /// Whether the visitor's consent was granted during a load check (the grant call is
    /// then expected after the page's own calls).
    granted: bool,
}

impl Run<'_, '_, '_> {
    fn go(mut self, url: &str) -> Verdict {
        // Every stage, and each call on the page within it, ends by the check's deadline.
        let started = self
            .stage()
            .load(url)
            .and_then(|()| self.stage().prepare())
            .and_then(|()| self.stage().act())
            .and_then(|()| self.stage().collect());
        match started {
            Ok(()) => self.judge(),
            Err(stop) => {
                let mut v = Verdict::stopped(stop.outcome, stop.message);
                if self.site() {
                    v.sent = self.page_calls();
                }
                v.notes = self.notes;
                v
            }
        }
    }

    fn site(&self) -> bool {
        self.ctx.site.is_some()
    }

    /// Bounds the page's calls by the time left before the check's deadline.
    fn stage(&mut self) -> &mut Self {
        let left = self.left().max(Duration::from_millis(50));
        self.page.set_timeout(left);
        self
    }

    /// The time left before the check's deadline.
    fn left(&self) -> Duration {
        self.deadline.saturating_duration_since(Instant::now())
    }

    /// How long to wait for an element: the check's `wait`, else the run's; on a harness
    /// page the element is there from the start.
    fn wait(&self) -> Duration {
        let w = if self.site() {
            self.check
                .wait_ms
                .map_or(self.ctx.wait, Duration::from_millis)
        } else {
            self.ctx.wait.min(Duration::from_secs(2))
        };
        w.min(self.left())
    }

    /// The index of the current top-level document.
    fn current_doc(&self) -> usize {
        self.page
            .capture()
            .documents
            .iter()
            .rposition(|d| d.top)
            .unwrap_or(0)
    }

    /// Every top-level call recorded so far (for a check that stopped early).
    fn page_calls(&self) -> Vec<Value> {
        let cap = self.page.capture();
        cap.events
            .iter()
            .filter_map(|e| match e {
                crate::browser::Observed::Call { doc, args, .. }
                    if cap.documents.get(*doc).is_some_and(|d| d.top) =>
                {
                    Some(args.clone())
                }
                _ => None,
            })
            .collect()
    }

    /// The full URL of a path: on the real site, or on the harness server.
    fn url_of(&self, path: &str) -> String {
        match (self.ctx.site, &self.harness.server) {
            (Some(base), _) => crate::browser::step::url_of(base, path),
            (None, Some(s)) => s.url(path),
            (None, None) => path.to_owned(),
        }
    }
}

/// The element a plan locator names.
fn target(l: &Locator) -> Target<'_> {
    match l {
        Locator::Selector { selector } => Target::Selector(selector),
        Locator::Text { text, within } => Target::Text {
            text,
            within: within.as_deref(),
        },
    }
}

/// The path (and query) of a URL: `http://h/p?q#f` → `/p?q`, `http://h?q` → `?q`
/// (shown as `/?q`).
fn path_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let start = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let p = &rest[start..];
    let p = p.split('#').next().unwrap_or(p);
    if p.starts_with('/') {
        p.to_owned()
    } else {
        format!("/{p}")
    }
}

/// `scheme://host[:port]` of a URL, lowercased, `None` for other schemes.
fn origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split(['/', '?', '#']).next()?;
    let host = host.rsplit('@').next().unwrap_or(host);
    Some(format!(
        "{}://{}",
        scheme.to_ascii_lowercase(),
        host.to_ascii_lowercase()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_outcomes() {
        assert_eq!(path_of("http://127.0.0.1:80/p/x?y=1#z"), "/p/x?y=1");
        assert_eq!(path_of("https://shop.example"), "/");
        assert_eq!(path_of("https://shop.example?utm=1"), "/?utm=1");
        assert_eq!(
            origin("HTTPS://user:pw@Shop.Example:443/x").as_deref(),
            Some("https://shop.example:443")
        );
        assert_eq!(worst(Outcome::Passed, Outcome::Failed), Outcome::Failed);
        assert_eq!(worst(Outcome::Error, Outcome::Failed), Outcome::Error);
    }
}

//! Load: the page at its URL (the harness page offline), with what can be decided at once
//! decided at once — an error status, a page without the snippet, Meta's library out of
//! reach.

use std::collections::BTreeMap;

use super::{DECIDE_QUIET, Run, Stop, path_of};
use crate::browser::serve::{Route, Routes, Server};
use crate::browser::{Capture, Observed, WaitEnd};
use crate::model::Step;
use crate::verify::harness;

/// Why Meta's library did not load, if it did not: a failure of the network (this machine
/// cannot reach Meta: nothing in the run can be compared) or of this page (blocked by its
/// Content-Security-Policy or a client rule: this page's tracking is broken).
pub(super) enum MetaFailure {
    /// Meta is out of reach.
    Unreachable(String),
    /// This page kept it from loading.
    Blocked(String),
}

/// A failed request for Meta's library, if any (cancelled requests do not count: a
/// navigation cancels what is loading).
pub(super) fn meta_failure(cap: &Capture) -> Option<MetaFailure> {
    let f = cap.failed.iter().find(|f| {
        !f.canceled
            && f.url.contains("://connect.facebook.net/")
            && f.url
                .split(['?', '#'])
                .next()
                .is_some_and(|u| u.ends_with("/fbevents.js"))
    })?;
    let network = [
        "NAME_NOT_RESOLVED",
        "CONNECTION_",
        "PROXY",
        "TUNNEL",
        "TIMED_OUT",
        "INTERNET_DISCONNECTED",
        "ADDRESS_UNREACHABLE",
        "NETWORK_",
        "SSL_",
        "CERT_",
    ];
    Some(if network.iter().any(|n| f.error.contains(n)) {
        MetaFailure::Unreachable(format!(
            "Meta's fbevents.js could not be loaded from {} ({}): this machine cannot reach Meta, so nothing can be compared; run with --fbevents recorder to check the fbq calls without Meta's library",
            f.url, f.error
        ))
    } else {
        MetaFailure::Blocked(format!(
            "the page kept Meta's fbevents.js from loading ({}): a Content-Security-Policy without connect.facebook.net, or a blocking rule; no event of this page reaches Meta",
            f.error
        ))
    })
}

impl Run<'_, '_, '_> {
    pub(super) fn load(&mut self, url: &str) -> Result<(), Stop> {
        // A harness page stores nothing but cookies; a real site may use any storage.
        let site = self.site();
        self.page
            .reset(site)
            .map_err(|e| Stop::error(format!("could not reset the browser tab: {e}")))?;
        self.page.set_still(!site);
        let start = match (self.site(), self.check.steps.first()) {
            (true, Some(Step::Goto(p))) => p.as_str(),
            _ => url,
        };
        if !self.site() {
            self.serve_harness()?;
        }
        self.goto(start)?;
        // With consent required, a snippet may arrive only once the visitor agrees: the
        // consent step decides first.
        if self.site() && !self.check.consent_required {
            self.snippet_present()?;
        }
        Ok(())
    }

    /// Loads `path` and requires a 2xx/3xx answer.
    pub(super) fn goto(&mut self, path: &str) -> Result<(), Stop> {
        let full = self.url_of(path);
        self.page
            .set_timeout(self.left().max(std::time::Duration::from_millis(100)));
        // A harness page has done everything once its scripts ran; a real page is checked
        // after its load event, as a visitor acts on a loaded page.
        self.page
            .goto_until(&full, !self.site())
            .map_err(|e| Stop::browser(&e, &format!("loading {path}")))?;
        self.status_ok(path)
    }

    /// An error status of the document shown (after redirects) fails the check, whatever
    /// the error page shows (an error page's layout may well carry the pixel).
    pub(super) fn status_ok(&self, path: &str) -> Result<(), Stop> {
        match self.page.document_status() {
            Some((url, status)) if status >= 400 => Err(Stop::failed(format!(
                "HTTP {status} at {}{}: the page is not there, whatever its error page shows",
                path_of(url),
                if path_of(url) == path {
                    String::new()
                } else {
                    format!(" (loading {path})")
                }
            ))),
            _ => Ok(()),
        }
    }

    /// The page shown at `url` must be this check's page: a redirect to a login page or
    /// the home page shows another page, whose calls say nothing of this one.
    pub(super) fn owns(&self, url: &str, how: &str) -> Result<(), Stop> {
        let path = path_of(url);
        let route = path.split('?').next().unwrap_or(&path);
        match self.ctx.landing(route) {
            Some((id, _)) if id == self.check.page => Ok(()),
            Some((id, _)) => Err(Stop::failed(format!(
                "{how} shows {path}, which is page `{id}`, not `{}`: a redirect, or steps that lead elsewhere",
                self.check.page
            ))),
            None => Err(Stop::failed(format!(
                "{how} shows {path}, which no page of the configuration covers, not page `{}`",
                self.check.page
            ))),
        }
    }

    /// Serves the check's harness page: the page's own snippet around what the fixture
    /// plants.
    fn serve_harness(&mut self) -> Result<(), Stop> {
        let id = &self.check.page;
        if !self.harness.snippets.contains_key(id) {
            let path = self
                .ctx
                .plan_dir
                .join(&self.ctx.plan.snippets)
                .join(crate::dist::layout::page_snippet_name(id));
            let text = std::fs::read_to_string(&path).map_err(|e| {
                Stop::error(format!(
                    "cannot read the page's snippet {}: {e}",
                    path.display()
                ))
            })?;
            self.harness.snippets.insert(id.clone(), text);
        }
        let snippet = self.harness.snippets.get(id).map_or("", String::as_str);
        let html = harness::render(&self.check.fixture, snippet, &self.check.id);
        let path = self.check.path.split('?').next().unwrap_or("/").to_owned();
        let routes = Routes {
            paths: BTreeMap::from([(path, Route::html(html))]),
            fallback: None,
        };
        match &self.harness.server {
            Some(s) => s.set_routes(routes),
            None => {
                self.harness.server = Some(
                    Server::start_routes(routes)
                        .map_err(|e| Stop::error(format!("cannot serve the harness page: {e}")))?,
                );
            }
        }
        Ok(())
    }

    /// Waits until the page's first `fbq` call — at once for a snippet in `<head>`, later
    /// for one a tag manager injects — or until the page has loaded and gone quiet without
    /// one: then it has no snippet, decided without waiting for any deadline.
    pub(super) fn snippet_present(&mut self) -> Result<(), Stop> {
        let doc = self.barrier()?;
        let has_call = move |cap: &Capture| {
            cap.events
                .iter()
                .any(|e| matches!(e, Observed::Call { doc: d, .. } if *d == doc))
        };
        let end = self
            .page
            .wait_until(self.deadline, Some(DECIDE_QUIET), |cap| {
                has_call(cap) || meta_failure(cap).is_some()
            })
            .map_err(|e| Stop::browser(&e, "waiting for the snippet"))?;
        self.meta_reachable()?;
        if end == WaitEnd::Met {
            return Ok(());
        }
        Err(self.no_snippet(doc, end == WaitEnd::Deadline))
    }

    /// Why document `doc` made no `fbq` call, in words: no snippet, a snippet that failed
    /// to run (the page's first error is named), or a runtime without Meta's base code.
    pub(super) fn no_snippet(&mut self, doc: usize, deadline: bool) -> Stop {
        let runtime = self
            .page
            .eval("!!(window.tagc && window.tagc.on)")
            .unwrap_or_default();
        let cap = self.page.capture();
        let path = path_of(cap.documents.get(doc).map_or("/", |d| d.url.as_str()));
        let error = cap
            .errors
            .first()
            .map(|e| format!("; the page reported: {}", e.message))
            .unwrap_or_default();
        Stop::failed(if runtime == true {
            format!(
                "the tagc runtime on {path} made no fbq call: Meta's base code is missing from the snippet"
            )
        } else {
            format!(
                "the page {path} has no tagc snippet: no fbq call and no tagc runtime once it had loaded and stayed quiet for {} s{}{error}",
                DECIDE_QUIET.as_secs_f32(),
                if deadline {
                    " (the check's deadline passed)"
                } else {
                    ""
                }
            )
        })
    }

    /// With Meta's real library: stops when it could not be loaded (and tells the other
    /// checks of the run).
    pub(super) fn meta_reachable(&mut self) -> Result<(), Stop> {
        if !self.ctx.real_fbevents || !self.site() {
            return Ok(());
        }
        match meta_failure(self.page.capture()) {
            Some(MetaFailure::Unreachable(why)) => {
                let _ = self.ctx.meta_down.set(why.clone());
                Err(Stop::error(why))
            }
            Some(MetaFailure::Blocked(why)) => Err(Stop::failed(why)),
            None => Ok(()),
        }
    }

    /// Waits for the navigation under way, if any, to end.
    pub(super) fn follow_navigation(&mut self) -> Result<(), Stop> {
        crate::browser::step::follow_navigation(self.page, self.deadline)
            .map_err(|e| Stop::browser(&e, "following a navigation"))
    }

    /// Waits until everything the current document reported has arrived (following a
    /// navigation that replaced it meanwhile, such as a redirect on load), and returns the
    /// document's index.
    pub(super) fn barrier(&mut self) -> Result<usize, Stop> {
        for _ in 0..3 {
            match self.page.barrier() {
                Ok(doc) => return Ok(doc.unwrap_or_else(|| self.current_doc())),
                Err(e) if crate::browser::step::navigated_away(&e) => {
                    let deadline = self.deadline;
                    self.page
                        .wait_navigation(deadline, "the next page")
                        .map_err(|e| Stop::browser(&e, "following a navigation"))?;
                }
                Err(e) => return Err(Stop::browser(&e, "reading the page")),
            }
        }
        Err(Stop::error("the page kept navigating away"))
    }
}

//! Load: the page at its URL (the harness page offline), with what can be decided at once
//! decided at once — an error status, a page without the snippet, Meta's library out of
//! reach.

use std::collections::BTreeMap;
use std::time::Instant;

use super::{DECIDE_QUIET, Run, Stop, path_of};
use crate::browser::serve::{Route, Routes, Server};
use crate::browser::{Capture, Observed, WaitEnd};
use crate::model::Step;
use crate::verify::harness;

/// A failed request for Meta's library, if any.
pub(super) fn meta_failure(cap: &Capture) -> Option<String> {
    cap.failed
        .iter()
        .find(|f| {
            f.url.contains("://connect.facebook.net/")
                && f.url.split(['?', '#']).next().is_some_and(|u| u.ends_with("/fbevents.js"))
        })
        .map(|f| {
            format!(
                "Meta's fbevents.js could not be loaded from {} ({}): this machine cannot reach Meta, so nothing can be compared; run with --fbevents recorder to check the fbq calls without Meta's library",
                f.url, f.error
            )
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
        if self.site() {
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
        self.status_ok(&full)
    }

    /// An error status of the document at `url` fails the check, whatever the error page
    /// shows (an error page's layout may well carry the pixel).
    pub(super) fn status_ok(&self, url: &str) -> Result<(), Stop> {
        match self.page.status(url) {
            Some(status) if status >= 400 => Err(Stop::failed(format!(
                "HTTP {status} at {}: the page is not there, whatever its error page shows",
                path_of(url)
            ))),
            _ => Ok(()),
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
                .join(format!("{id}.html"));
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
    fn snippet_present(&mut self) -> Result<(), Stop> {
        let doc = self
            .page
            .barrier()
            .map_err(|e| Stop::browser(&e, "reading the page"))?
            .unwrap_or_else(|| self.current_doc());
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
        let runtime = self
            .page
            .eval("!!(window.tagc && window.tagc.on)")
            .unwrap_or_default();
        let cap = self.page.capture();
        let path = path_of(cap.documents.get(doc).map_or("/", |d| d.url.as_str())).to_owned();
        Err(Stop::failed(if runtime == true {
            format!(
                "the tagc runtime on {path} made no fbq call: Meta's base code is missing from the snippet"
            )
        } else {
            format!(
                "the page {path} has no tagc snippet: no fbq call and no tagc runtime once it had loaded and gone quiet{}",
                if end == WaitEnd::Deadline {
                    " (the check's deadline passed)"
                } else {
                    ""
                }
            )
        }))
    }

    /// With Meta's real library: stops when it could not be loaded (and tells the other
    /// checks of the run).
    pub(super) fn meta_reachable(&mut self) -> Result<(), Stop> {
        if !self.ctx.real_fbevents || !self.site() {
            return Ok(());
        }
        match meta_failure(self.page.capture()) {
            Some(why) => {
                let _ = self.ctx.meta_down.set(why.clone());
                Err(Stop::error(why))
            }
            None => Ok(()),
        }
    }

    /// Waits for the navigation under way, if any, to load.
    pub(super) fn follow_navigation(&mut self) -> Result<(), Stop> {
        if self.page.navigating() {
            let deadline = self.deadline.min(Instant::now() + self.ctx.timeout);
            self.page
                .wait_loaded(deadline, "the next page")
                .map_err(|e| Stop::browser(&e, "following a navigation"))?;
        }
        Ok(())
    }
}

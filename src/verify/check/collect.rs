//! Collect: let the page do what the action set off — until every expected call (and,
//! with Meta's library, every pixel request) has arrived and the page stayed quiet a
//! moment longer, or until it has been quiet long enough that what is missing is not
//! coming. A navigation under way is followed to the next document's load. Offline the
//! harness is synchronous: one round trip collects everything.

use std::time::{Duration, Instant};

use super::load::meta_failure;
use super::{DECIDE_QUIET, EXTRA_QUIET, Run, Stop};
use crate::browser::WaitEnd;
use crate::verify::Note;

/// The longest the short quiet window after the expected calls may take on a page that
/// never goes quiet (polling, streaming).
const EXTRA_MAX: Duration = Duration::from_millis(1500);

impl Run<'_, '_, '_> {
    pub(super) fn collect(&mut self) -> Result<(), Stop> {
        // What the action did synchronously has arrived (a navigation it started may have
        // replaced the document already: then there is nothing to wait for here).
        let barrier = self.page.barrier();
        if !self.site() {
            return barrier
                .map(|_| ())
                .map_err(|e| Stop::browser(&e, "reading the page"));
        }
        let expected = self.expected();
        let want_calls = expected.len();
        let want_hits = if self.ctx.real_fbevents {
            expected.iter().filter(|e| e.event.is_some()).count()
        } else {
            0
        };
        let events: Vec<String> = expected.iter().filter_map(|e| e.event.clone()).collect();
        let (doc, mark, hits_mark) = (self.doc, self.mark, self.hits_mark);
        let routed = self.routed_load();
        let load = self.check.action == crate::verify::plan::Action::Load;
        loop {
            // Looked at again only when something new was captured, not on every message.
            let mut seen = (usize::MAX, usize::MAX, usize::MAX);
            let mut met = false;
            let end = self
                .page
                .wait_until(self.deadline, Some(DECIDE_QUIET), |cap| {
                    let now = (cap.events.len(), cap.hits.len(), cap.failed.len());
                    if now != seen {
                        seen = now;
                        let seg = super::judge::segments(cap, doc, mark, load, routed);
                        let hits = cap
                            .hits
                            .iter()
                            .skip(hits_mark)
                            .filter(|h| events.contains(&h.ev))
                            .count();
                        met = meta_failure(cap).is_some()
                            || (seg.action.len() >= want_calls && hits >= want_hits);
                    }
                    met
                })
                .map_err(|e| Stop::browser(&e, "waiting for the page"))?;
            self.meta_reachable()?;
            if self.page.navigating() && end != WaitEnd::Deadline {
                self.follow_navigation()?;
                continue;
            }
            match end {
                WaitEnd::Met => self.extra_quiet()?,
                WaitEnd::Quiet => {}
                WaitEnd::Deadline => self.notes.push(Note::info(format!(
                    "the check's deadline ({} s) passed while the page was still busy",
                    self.ctx.timeout.as_secs()
                ))),
            }
            return Ok(());
        }
    }

    /// A short quiet window after the expected calls (a duplicate fire shows up in it),
    /// following a navigation the action set off.
    fn extra_quiet(&mut self) -> Result<(), Stop> {
        for _ in 0..2 {
            let until = self.deadline.min(Instant::now() + EXTRA_MAX);
            self.page
                .wait_until(until, Some(EXTRA_QUIET), |_| false)
                .map_err(|e| Stop::browser(&e, "waiting for the page"))?;
            if !self.page.navigating() {
                break;
            }
            self.follow_navigation()?;
        }
        Ok(())
    }
}

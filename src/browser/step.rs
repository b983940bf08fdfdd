//! A visitor's step ([`crate::model::Step`]: click, click a text, wait for, fill, go to),
//! performed on a [`Page`] the way `tagc verify` and `tagc scan` both perform it: the
//! element is waited for as a visitor waits (ready, visible, not covered), a step whose
//! page navigated away mid-way (a consent banner that reloads the page) is tried once
//! more on the next page, and a navigation the step set off is followed to its end.
//!
//! Callers map [`BrowserError`]s to their own reports (`tagc verify` keeps its outcome
//! mapping); nothing here knows about checks or scans.

use std::time::{Duration, Instant};

use super::{BrowserError, Page, Target};
use crate::model::Step;

/// Performs `step` on `page`: waits (at most `wait`, and not past `deadline`) for its
/// element, acts, then follows the navigation it caused, if any, until `deadline`. A
/// `goto` loads `base_url` joined with the step's path ([`url_of`]) and waits for its
/// load event; its HTTP status is the caller's to judge
/// ([`Page::document_status`]).
///
/// # Errors
/// [`BrowserError`]: the element never became ready, the navigation failed or did not
/// end before `deadline`, the browser failed.
pub fn perform(
    page: &mut Page<'_>,
    step: &Step,
    wait: Duration,
    deadline: Instant,
    base_url: &str,
) -> Result<(), BrowserError> {
    let wait = wait.min(deadline.saturating_duration_since(Instant::now()));
    match step {
        Step::Goto(path) => return page.goto_until(&url_of(base_url, path), false),
        Step::Click(s) => retry(page, deadline, |p| {
            p.click_target(&Target::Selector(s), wait).map(|_| ())
        })?,
        Step::Text(t) => retry(page, deadline, |p| {
            p.click_target(
                &Target::Text {
                    text: t,
                    within: None,
                },
                wait,
            )
            .map(|_| ())
        })?,
        Step::WaitFor(s) => retry(page, deadline, |p| {
            p.wait_visible(&Target::Selector(s), wait).map(|_| ())
        })?,
        Step::Fill(fields) => {
            for (s, v) in fields {
                retry(page, deadline, |p| {
                    p.fill(&Target::Selector(s), v, wait).map(|_| ())
                })?;
            }
        }
    }
    follow_navigation(page, deadline)
}

/// Waits, until `deadline`, for the navigation under way, if any, to end.
///
/// # Errors
/// [`BrowserError::Timeout`] when it does not end in time; the browser failed.
pub fn follow_navigation(page: &mut Page<'_>, deadline: Instant) -> Result<(), BrowserError> {
    if page.navigating() {
        page.wait_navigation(deadline, "the next page")?;
    }
    Ok(())
}

/// Runs `f` once more when a navigation destroyed the page it was running in (a consent
/// banner that reloads the page, say), after the next page has loaded (until `deadline`).
///
/// # Errors
/// `f`'s error, or the next page's load failing.
pub fn retry<T>(
    page: &mut Page<'_>,
    deadline: Instant,
    mut f: impl FnMut(&mut Page<'_>) -> Result<T, BrowserError>,
) -> Result<T, BrowserError> {
    match f(page) {
        Err(e) if navigated_away(&e) => {
            page.wait_navigation(deadline, "the next page")?;
            f(page)
        }
        other => other,
    }
}

/// Whether an evaluation failed because its page went away mid-way (DevTools' own
/// messages for a destroyed execution context).
#[must_use]
pub fn navigated_away(e: &BrowserError) -> bool {
    let BrowserError::Protocol { message, .. } = e else {
        return false;
    };
    [
        "Execution context was destroyed",
        "Cannot find context with specified id",
        "Inspected target navigated or closed",
    ]
    .iter()
    .any(|m| message.contains(m))
}

/// A site path joined to a base URL: `https://example.com/` + `/app` is
/// `https://example.com/app` (one `/` between them, whatever the base ends with).
#[must_use]
pub fn url_of(base_url: &str, path: &str) -> String {
    format!("{}{path}", base_url.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_join_bases_with_one_slash() {
        assert_eq!(url_of("https://e.com/", "/app"), "https://e.com/app");
        assert_eq!(url_of("https://e.com", "/app?x=1"), "https://e.com/app?x=1");
    }

    #[test]
    fn only_a_destroyed_context_counts_as_navigated_away() {
        let gone = BrowserError::Protocol {
            method: "Runtime.evaluate".into(),
            message: "Execution context was destroyed.".into(),
        };
        assert!(navigated_away(&gone));
        let other = BrowserError::Protocol {
            method: "Runtime.evaluate".into(),
            message: "Invalid parameters".into(),
        };
        assert!(!navigated_away(&other));
    }
}

//! Prepare: what a visitor does before the action — agree on the consent banner, the
//! configured steps (open a modal, reach a single-page app's route), form values.

use super::{DECIDE_QUIET, Run, Stop};
use crate::browser::{BrowserError, Capture, Observed, Page, Target, WaitEnd};
use crate::model::Step;

/// What a harness page's consent banner would run when the visitor agrees.
const GRANT: &str = "window.tagc && window.tagc.grant && window.tagc.grant(), true";

/// Whether a recorded call is `fbq('consent', 'grant')`.
pub(super) fn is_grant(args: &serde_json::Value) -> bool {
    *args == serde_json::json!(["consent", "grant"])
}

impl Run<'_, '_, '_> {
    pub(super) fn prepare(&mut self) -> Result<(), Stop> {
        self.consent()?;
        if !self.site() {
            // The harness plants only what the configuration reads: no banner, no modal.
            return Ok(());
        }
        let check = self.check;
        self.steps_mark = self.page.capture().events.len();
        let skip = usize::from(matches!(check.steps.first(), Some(Step::Goto(_))));
        for step in &check.steps[skip..] {
            self.step(step, "before the check")?;
        }
        for (selector, value) in &check.fill {
            let wait = self.wait();
            let target = Target::Selector(selector);
            self.retry(|p| p.fill(&target, value, wait).map(|_| ()))
                .map_err(|e| Stop::browser(&e, &format!("verify.fill `{selector}`")))?;
        }
        Ok(())
    }

    /// With `consent: required`, the visitor agrees before anything is checked. On a
    /// harness page tagc calls its own hook; on a real site the configured step is
    /// performed and the grant must really reach the pixel.
    fn consent(&mut self) -> Result<(), Stop> {
        if !self.check.consent_required {
            return Ok(());
        }
        let load = self.check.action == crate::verify::plan::Action::Load;
        if !self.site() {
            self.page
                .eval(GRANT)
                .map_err(|e| Stop::browser(&e, "calling tagc.grant()"))?;
            self.granted = load;
            return Ok(());
        }
        let Some(step) = self.ctx.plan.consent_step.clone() else {
            return Err(Stop::error(
                "consent: required, and the configuration does not say how a visitor agrees, so Meta would hold every event of this check and nothing can be verified; add `site: {verify: {consent: {click: \"#your-accept-button\"}}}`",
            ));
        };
        let from = self.page.capture().events.len();
        self.step(&step, "accepting the consent banner")?;
        // Of the page itself, not of an iframe's own pixel.
        let granted = move |cap: &Capture| {
            cap.events.iter().skip(from).any(|e| {
                matches!(e, Observed::Call { doc, args, .. }
                    if is_grant(args) && cap.documents.get(*doc).is_some_and(|d| d.top))
            })
        };
        let end = self
            .page
            .wait_until(self.deadline, Some(DECIDE_QUIET), granted)
            .map_err(|e| Stop::browser(&e, "waiting for consent"))?;
        if end != WaitEnd::Met {
            let doc = self.barrier()?;
            let any_call = self
                .page
                .capture()
                .events
                .iter()
                .any(|e| matches!(e, Observed::Call { doc: d, .. } if *d == doc));
            if !any_call {
                return Err(self.no_snippet(doc, end == WaitEnd::Deadline));
            }
            return Err(Stop::failed(format!(
                "after {} consent was never granted: no fbq('consent', 'grant') followed, so Meta holds every event of this visitor; the banner's accept handler must call tagc.grant()",
                step.describe()
            )));
        }
        self.granted = load;
        Ok(())
    }

    /// Performs one step ([`crate::browser::step::perform`], the visitor's steps `tagc
    /// scan` performs too), then follows the navigation it caused. A `goto` is this
    /// check's own load (its URL and HTTP status are judged here).
    pub(super) fn step(&mut self, step: &Step, when: &str) -> Result<(), Stop> {
        if let Step::Goto(path) = step {
            return self.goto(path);
        }
        let context = format!("{when}, {}", step.describe());
        let wait = self.wait();
        let deadline = self.deadline;
        // No `goto` reaches the performer: the base URL is never read.
        crate::browser::step::perform(self.page, step, wait, deadline, "")
            .map_err(|e| Stop::browser(&e, &context))
    }

    /// Runs `f` once more when a navigation destroyed the page it was running in
    /// ([`crate::browser::step::retry`]), until the check's deadline.
    pub(super) fn retry<T>(
        &mut self,
        f: impl FnMut(&mut Page<'_>) -> Result<T, BrowserError>,
    ) -> Result<T, BrowserError> {
        crate::browser::step::retry(self.page, self.deadline, f)
    }
}

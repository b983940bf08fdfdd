//! Act: the click or the submission, once the element is ready, saying which element was
//! used and whether others matched too.

use super::{Run, Stop, target};
use crate::browser::{Located, Observed, Page, Target};
use crate::verify::plan::{Action, Locator};
use crate::verify::{Note, NoteLevel};

/// What the action did.
enum Done {
    /// Clicked this element.
    Clicked(Located),
    /// Submitted the form: with a click on this element, or (`scripted`) with
    /// `requestSubmit()` since it has no visible submit button.
    Submitted { with: String, scripted: bool },
}

impl Run<'_, '_, '_> {
    pub(super) fn act(&mut self) -> Result<(), Stop> {
        let (t, submit) = match &self.check.action {
            Action::Load => return self.loaded_page(),
            Action::Click { locator } => (target(locator), false),
            // A text locator names the submit button: a visitor clicks it.
            Action::Submit {
                locator: l @ Locator::Text { .. },
            } => (target(l), false),
            Action::Submit { locator } => (target(locator), true),
        };
        let wait = self.wait();
        // The marks are taken in the document the action runs in: when a navigation (a
        // banner reloading the page) replaces it mid-way, again in the next one.
        let (doc, marks, done) = self
            .retry(|p| {
                let doc = p.barrier()?;
                let marks = marks(p);
                let done = if submit {
                    let (with, scripted) = p.submit_target(&t, wait)?;
                    Done::Submitted { with, scripted }
                } else {
                    Done::Clicked(p.click_target(&t, wait)?)
                };
                Ok((doc, marks, done))
            })
            .map_err(|e| Stop::browser(&e, ""))?;
        self.doc = doc.unwrap_or_else(|| self.current_doc());
        (self.mark, self.sent_mark, self.hits_mark) = marks;
        let what = t.describe();
        // Offline the harness built the element: only what is suspicious is news.
        let site = self.site();
        let notes = match done {
            Done::Clicked(l) => acted_on(&t, &l),
            Done::Submitted {
                with,
                scripted: true,
            } => vec![Note::warning(format!(
                "submitted {what} with requestSubmit(): the form has no visible submit button, so a visitor could send it only with Enter in a field, or not at all ({with})"
            ))],
            Done::Submitted { with, .. } => {
                vec![Note::info(format!("submitted {what} with {with}"))]
            }
        };
        self.notes.extend(
            notes
                .into_iter()
                .filter(|n| site || n.level == NoteLevel::Warning),
        );
        Ok(())
    }

    /// A load check acts on nothing: its calls are its document's from the start. On a
    /// real site, the document shown must be this page's — after the steps, the one the
    /// last route change reached.
    fn loaded_page(&mut self) -> Result<(), Stop> {
        self.doc = self.barrier()?;
        self.mark = 0;
        self.hits_mark = 0;
        if !self.site() {
            return Ok(());
        }
        let cap = self.page.capture();
        let routed = cap
            .events
            .iter()
            .skip(self.steps_mark)
            .rev()
            .find_map(|e| match e {
                Observed::Route { doc, url } if *doc == self.doc => Some(url.clone()),
                _ => None,
            });
        let (url, how) = match routed {
            Some(url) => (url, "the route change of the steps"),
            None => (
                cap.documents
                    .get(self.doc)
                    .map(|d| d.url.clone())
                    .unwrap_or_default(),
                if self.check.steps.is_empty() {
                    "loading the page"
                } else {
                    "the steps"
                },
            ),
        };
        self.owns(&url, how)
    }
}

/// (events, requests sent, pixel hits) captured so far.
fn marks(p: &Page<'_>) -> (usize, usize, usize) {
    let cap = p.capture();
    (cap.events.len(), cap.sent.len(), cap.hits.len())
}

/// Which element was clicked, and — when several visible elements match — which others
/// did: a warning when they differ (the same text in a hero button and a footer link), a
/// note when they are alike (a product grid's identical buttons).
fn acted_on(t: &Target<'_>, l: &Located) -> Vec<Note> {
    let what = t.describe();
    let at = format!("{} at ({:.0}, {:.0})", l.element, l.x, l.y);
    if l.visible <= 1 {
        return vec![Note::info(format!(
            "clicked {at}, the only visible match of {what}"
        ))];
    }
    let others = if l.others.is_empty() {
        String::new()
    } else {
        format!("; the others: {}", l.others.join(", "))
    };
    let alike = matches!(t, Target::Selector(_)) && l.same_label;
    let message = format!(
        "{what} matches {} visible elements{}; clicked the first that takes a click, {at}{others}",
        l.visible,
        if alike { " alike" } else { "" }
    );
    vec![if alike {
        Note::info(message)
    } else {
        Note::warning(message)
    }]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::NoteLevel;

    fn located(visible: usize, same_label: bool) -> Located {
        Located {
            x: 10.4,
            y: 20.6,
            element: "<button.cta> \"Asistir presencial\"".into(),
            visible,
            others: (1..visible)
                .map(|_| "<a.footer> \"Asistir presencial\" at (5, 900)".into())
                .collect(),
            same_label,
        }
    }

    #[test]
    fn several_matches_warn_unless_a_selector_matches_alike_elements() {
        let text = Target::Text {
            text: "Asistir presencial",
            within: None,
        };
        let one = acted_on(&text, &located(1, true));
        assert_eq!(one[0].level, NoteLevel::Note);
        assert!(one[0].message.contains("clicked <button.cta>"), "{one:?}");
        let two = acted_on(&text, &located(2, true));
        assert_eq!(two[0].level, NoteLevel::Warning);
        assert!(two[0].message.contains("2 visible elements"), "{two:?}");
        assert!(two[0].message.contains("<a.footer>"), "{two:?}");
        let grid = acted_on(&Target::Selector("button.add"), &located(6, true));
        assert_eq!(grid[0].level, NoteLevel::Note);
        let mixed = acted_on(&Target::Selector(".cta"), &located(2, false));
        assert_eq!(mixed[0].level, NoteLevel::Warning);
    }
}

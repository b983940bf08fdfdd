//! Act: the click or the submission, once the element is ready, saying which element was
//! used and whether others matched too.

use super::{Run, Stop, target};
use crate::browser::{Located, Target};
use crate::verify::Note;
use crate::verify::plan::{Action, Locator};

impl Run<'_, '_, '_> {
    pub(super) fn act(&mut self) -> Result<(), Stop> {
        // Everything the page did so far has arrived, and which document it is.
        let doc = self
            .page
            .barrier()
            .map_err(|e| Stop::browser(&e, "reading the page"))?;
        self.doc = doc.unwrap_or_else(|| self.current_doc());
        let cap = self.page.capture();
        self.mark = cap.events.len();
        self.sent_mark = cap.sent.len();
        self.hits_mark = cap.hits.len();
        let wait = self.wait();
        let (t, submit) = match &self.check.action {
            Action::Load => {
                // A load check's calls are the document's from its start.
                self.mark = 0;
                self.hits_mark = 0;
                return Ok(());
            }
            Action::Click { locator } => (target(locator), false),
            // A text locator names the submit button: a visitor clicks it.
            Action::Submit {
                locator: l @ Locator::Text { .. },
            } => (target(l), false),
            Action::Submit { locator } => (target(locator), true),
        };
        let what = t.describe();
        if submit {
            let mut used = String::new();
            self.retry(|p| {
                used = p.submit_target(&t, wait)?;
                Ok(())
            })
            .map_err(|e| Stop::browser(&e, ""))?;
            if self.site() {
                self.notes
                    .push(Note::info(format!("submitted {what} with {used}")));
            }
        } else {
            let mut located = None;
            self.retry(|p| {
                located = Some(p.click_target(&t, wait)?);
                Ok(())
            })
            .map_err(|e| Stop::browser(&e, ""))?;
            if let Some(l) = located {
                // Offline the harness built the element: only several matches are news.
                let site = self.site();
                self.notes.extend(
                    acted_on(&t, &l)
                        .into_iter()
                        .filter(|n| site || n.level == crate::verify::NoteLevel::Warning),
                );
            }
        }
        Ok(())
    }
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
        "{what} matches {} visible elements{}; clicked the first, {at}{others}",
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

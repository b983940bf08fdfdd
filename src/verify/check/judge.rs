//! Judge: what the page did, compared with the plan — the calls of the action, the page
//! a navigation or route change landed on, the requests Meta's library sent, the id handed
//! to the server, and errors in tagc's own code.

use serde_json::Value;

use super::prepare::is_grant;
use super::{Observation, Run, Verdict, path_of};
use crate::browser::{Capture, Observed};
use crate::verify::compare::{self, Seen};
use crate::verify::plan::{Action, ExpectedCall};
use crate::verify::{Mismatch, Note, Outcome};

/// What the page did, split at the action.
pub(super) struct Segments<'a> {
    /// The calls the action (or, for a load check, the page load) made.
    pub action: Vec<&'a Value>,
    /// Where the action led, if it left the page.
    pub landing: Option<Landing<'a>>,
}

/// The page an action led to.
pub(super) struct Landing<'a> {
    /// Its URL.
    pub url: String,
    /// A new document (`true`) or a single-page app's route change.
    pub document: bool,
    /// Its calls.
    pub calls: Vec<&'a Value>,
}

/// Splits the capture at `mark` in document `doc`. A load check (`load`) takes the
/// document's calls — after its last route change when it was reached by one (`routed`).
/// A button's calls are those in its document after the mark up to a route change; a
/// later document, or the route change, is where it landed.
pub(super) fn segments(
    cap: &Capture,
    doc: usize,
    mark: usize,
    load: bool,
    routed: bool,
) -> Segments<'_> {
    let calls_in = |d: usize, from: usize| -> Vec<&Value> {
        cap.events
            .iter()
            .skip(from)
            .take_while(|e| load || !matches!(e, Observed::Route { doc: r, .. } if *r == d))
            .filter_map(|e| match e {
                Observed::Call { doc: c, args, .. } if *c == d => Some(args),
                _ => None,
            })
            .collect()
    };
    if load {
        let from = if routed {
            cap.events
                .iter()
                .rposition(|e| matches!(e, Observed::Route { doc: d, .. } if *d == doc))
                .map_or(0, |i| i + 1)
        } else {
            0
        };
        return Segments {
            action: calls_in(doc, from),
            landing: None,
        };
    }
    let action = calls_in(doc, mark);
    let later = cap
        .documents
        .iter()
        .enumerate()
        .skip(doc + 1)
        .filter(|(_, d)| d.top)
        .map(|(i, d)| (i, d.url.clone()))
        .next_back();
    let landing = match later {
        Some((d, url)) => Some(Landing {
            url,
            document: true,
            calls: cap
                .events
                .iter()
                .filter_map(|e| match e {
                    Observed::Call { doc: c, args, .. } if *c == d => Some(args),
                    _ => None,
                })
                .collect(),
        }),
        None => cap
            .events
            .iter()
            .enumerate()
            .skip(mark)
            .find_map(|(i, e)| match e {
                Observed::Route { doc: d, url } if *d == doc => Some((i, url.clone())),
                _ => None,
            })
            .map(|(i, url)| Landing {
                url,
                document: false,
                calls: cap
                    .events
                    .iter()
                    .skip(i + 1)
                    .filter_map(|e| match e {
                        Observed::Call { doc: c, args, .. } if *c == doc => Some(args),
                        _ => None,
                    })
                    .collect(),
            }),
    };
    Segments { action, landing }
}

impl Run<'_, '_, '_> {
    /// A load check of a page its steps reached by a route change (one after the steps
    /// began): its load events are those the route change fired (no page setup).
    pub(super) fn routed_load(&self) -> bool {
        self.check.action == Action::Load
            && self.site()
            && !self.check.steps.is_empty()
            && self
                .page
                .capture()
                .events
                .iter()
                .skip(self.steps_mark)
                .any(|e| matches!(e, Observed::Route { doc, .. } if *doc == self.doc))
    }

    /// The calls this check expects of its page (the visitor's consent is judged apart:
    /// a banner that remembers the visitor grants early, one that asks grants late).
    pub(super) fn expected(&self) -> Vec<ExpectedCall> {
        let mut e = self.check.expect.clone();
        if self.routed_load() {
            e.retain(|c| !c.setup);
        }
        e
    }

    pub(super) fn judge(mut self) -> Verdict {
        let seen = if self.site() {
            Seen::Site
        } else {
            Seen::Harness
        };
        let expected = self.expected();
        let load = self.check.action == Action::Load;
        let routed = self.routed_load();
        let cap = self.page.capture().clone();
        let seg = segments(&cap, self.doc, self.mark, load, routed);
        let action: Vec<Value> = seg.action.iter().map(|v| (*v).clone()).collect();
        let mut mm = Vec::new();
        // Consent: with `consent: required` the grant is the visitor's, wherever it falls.
        let consent = self.check.consent_required;
        let compared: Vec<Value> = action
            .iter()
            .filter(|c| !(consent && is_grant(c)))
            .cloned()
            .collect();
        compare::calls(&expected, &compared, seen, "fbq call", &mut mm);
        if self.granted && !routed && !action.iter().any(is_grant) {
            mm.push(Mismatch {
                what: "the visitor's consent".to_owned(),
                expected: "fbq('consent', 'grant') once the visitor agreed".to_owned(),
                actual: "no such call".to_owned(),
            });
        }
        if self.site() {
            self.library_loaded(&cap, &action, &mut mm);
        }
        if self.site() && self.ctx.real_fbevents {
            let pixels: Vec<String> = cap
                .events
                .iter()
                .filter_map(|e| match e {
                    Observed::Call { doc, args, .. } if *doc == self.doc => (args.get(0)?
                        == "init")
                        .then(|| args.get(1)?.as_str().map(str::to_owned))?,
                    _ => None,
                })
                .collect();
            let hits = cap.hits.get(self.hits_mark..).unwrap_or_default();
            compare::hits(&expected, &compared, &pixels, hits, "fbq call", &mut mm);
        }
        // What a real page sent is news; a harness page's values were planted.
        let mut sent = if self.site() {
            action.clone()
        } else {
            Vec::new()
        };
        let action_failed = !mm.is_empty();
        if let Some(l) = &seg.landing {
            if self.site() {
                sent.extend(l.calls.iter().map(|v| (*v).clone()));
            }
            self.landing(l, seen, &mut mm);
        }
        let shared = self.share(&action, &mut mm);
        self.errors(&cap, &mut mm);
        let mut observation = Observation {
            shared,
            ..Observation::default()
        };
        for a in &action {
            if let Some((event, id)) = compare::event_and_id(a) {
                observation.event_ids.entry(event).or_default().extend(id);
            }
        }
        // The message names the kind of difference; every one is listed below it.
        let (outcome, message) = match mm.first() {
            None => (Outcome::Passed, String::new()),
            Some(_) if mm.iter().any(|m| m.what.starts_with("fbq call")) => (
                Outcome::Failed,
                "the page did not make the expected fbq calls".to_owned(),
            ),
            Some(_) if !action_failed && seg.landing.is_some() => (
                Outcome::Failed,
                "the page the action led to did not make the expected fbq calls".to_owned(),
            ),
            Some(m) => (Outcome::Failed, format!("{}: {}", m.what, m.actual)),
        };
        Verdict {
            outcome,
            message,
            mismatches: mm,
            notes: self.notes,
            sent,
            observation,
        }
    }

    /// With tagc's snippet on a real page, the base code must really have asked for
    /// Meta's library: an `fbq` some other script defined (an ad-blocker guard), or a
    /// Content-Security-Policy without connect.facebook.net, leaves every call unsent.
    fn library_loaded(
        &self,
        cap: &crate::browser::Capture,
        action: &[Value],
        mm: &mut Vec<Mismatch>,
    ) {
        let made_calls = !action.is_empty()
            || cap
                .events
                .iter()
                .any(|e| matches!(e, Observed::Call { doc, .. } if *doc == self.doc));
        let requested = cap.meta_requests.iter().any(|u| {
            u.split(['?', '#'])
                .next()
                .is_some_and(|u| u.ends_with("/fbevents.js"))
        });
        if made_calls && !requested {
            mm.push(Mismatch {
                what: "Meta's fbevents.js".to_owned(),
                expected: "requested by the snippet's base code".to_owned(),
                actual: "never requested: `fbq` is not the base code's (another script defined it first), or the page's Content-Security-Policy blocks connect.facebook.net".to_owned(),
            });
        }
    }

    /// The page an action led to: its status, and its calls against that page's own load
    /// check when the configuration has the page (on the site's own origin).
    fn landing(&mut self, l: &Landing<'_>, seen: Seen, mm: &mut Vec<Mismatch>) {
        let path = path_of(&l.url);
        let route = path.split('?').next().unwrap_or("/").to_owned();
        let how = if l.document {
            "navigating"
        } else {
            "the route change"
        };
        let base = self.ctx.site.and_then(super::origin).or_else(|| {
            self.harness
                .server
                .as_ref()
                .and_then(|s| super::origin(&s.url("")))
        });
        if super::origin(&l.url) != base {
            self.notes.push(Note::info(format!(
                "the action led to another site, {}: not compared",
                super::origin(&l.url).unwrap_or_else(|| l.url.clone())
            )));
            return;
        }
        if l.document
            && let Some((_, status)) = self.page.document_status().filter(|(_, s)| *s >= 400)
        {
            mm.push(Mismatch {
                what: format!("after {how} to {path}"),
                expected: "the next page".to_owned(),
                actual: format!("HTTP {status}"),
            });
            return;
        }
        // The visitor agreed on the first page: a banner that remembers it grants again
        // on every page; one that does not leaves this page's events held by Meta.
        let consent = self.check.consent_required;
        if consent && l.document && !l.calls.iter().any(|c| is_grant(c)) {
            mm.push(Mismatch {
                what: format!("after {how} to {path}: the visitor's consent"),
                expected: "fbq('consent', 'grant') again (the banner remembers the visitor)"
                    .to_owned(),
                actual: "no such call: Meta holds this page's events".to_owned(),
            });
        }
        let calls: Vec<Value> = l
            .calls
            .iter()
            .filter(|c| !(consent && is_grant(c)))
            .map(|v| (*v).clone())
            .collect();
        match self.ctx.landing(&route) {
            Some((id, expect)) => {
                let expect: Vec<ExpectedCall> = expect
                    .iter()
                    .filter(|e| l.document || !e.setup)
                    .cloned()
                    .collect();
                compare::calls(
                    &expect,
                    &calls,
                    seen,
                    &format!("after {how} to {path} (page `{id}`): fbq call"),
                    mm,
                );
                self.notes.push(Note::info(format!(
                    "the action led to {path} (page `{id}`), whose calls were checked too"
                )));
            }
            None => self.notes.push(Note::info(format!(
                "the action led to {path}, which no page of the configuration covers: its {} fbq calls were not compared",
                calls.len()
            ))),
        }
    }

    /// The id handed to the server must be the `eventID` of the event that hands it
    /// over.
    fn share(
        &mut self,
        action: &[Value],
        mm: &mut Vec<Mismatch>,
    ) -> Result<Option<String>, String> {
        let Some((event, share)) = self.check.expect.iter().find_map(|e| {
            let share = e.event_id.as_ref()?.shared.clone()?;
            Some((e.event.clone()?, share))
        }) else {
            return Ok(None);
        };
        let shared = self.read_share(&share);
        let id = action
            .iter()
            .filter_map(compare::event_and_id)
            .find(|(e, _)| *e == event)
            .and_then(|(_, id)| id);
        match &shared {
            Ok(v) if *v == id => {}
            Ok(v) => mm.push(Mismatch {
                what: "the id handed to the server".to_owned(),
                expected: id.unwrap_or_else(|| "the eventID".to_owned()),
                actual: v.clone().unwrap_or_else(|| "missing".to_owned()),
            }),
            Err(why) => self.notes.push(Note::warning(format!(
                "could not tell whether the eventID reached the server: {why}"
            ))),
        }
        shared
    }

    /// Errors on a harness page are all tagc's; on a real site only those of tagc's own
    /// code fail the check, the others are noted.
    fn errors(&mut self, cap: &Capture, mm: &mut Vec<Mismatch>) {
        let mut others = Vec::new();
        for e in &cap.errors {
            if !self.site() || e.tagc {
                mm.push(Mismatch {
                    what: if self.site() {
                        "an error in tagc's code".to_owned()
                    } else {
                        "page error".to_owned()
                    },
                    expected: "none".to_owned(),
                    actual: e.message.clone(),
                });
            } else {
                others.push(e);
            }
        }
        for e in others.iter().take(3) {
            self.notes.push(Note::info(format!(
                "the page reported an error (not tagc's){}: {}",
                e.script
                    .as_deref()
                    .map(|s| format!(" in {}", path_of(s)))
                    .unwrap_or_default(),
                e.message
            )));
        }
        if others.len() > 3 {
            self.notes.push(Note::info(format!(
                "… and {} more errors of the page",
                others.len() - 3
            )));
        }
    }
}

//! Dedup checks: the browser's `eventID`, where the browser handed it to the server, and
//! the server's `event_id` for the same action.

use serde_json::Value;

use super::Runner;
use crate::model::IdShare;
use crate::verify::plan::{DedupCheck, PlanCheck};
use crate::verify::{CheckResult, Mismatch, Note, Outcome};

impl Runner<'_> {
    pub(super) fn dedup(&mut self, check: &PlanCheck, c: &DedupCheck) -> CheckResult {
        let Some(obs) = self.observations.get(&c.browser_check).cloned() else {
            return self.result(
                check,
                Outcome::Error,
                format!("the plan has no browser check {}", c.browser_check),
                Vec::new(),
            );
        };
        let obs = match obs {
            Ok(o) => o,
            Err((outcome, e)) => {
                return self.result(
                    check,
                    outcome,
                    format!("the browser side ({}): {e}", c.browser_check),
                    Vec::new(),
                );
            }
        };
        let mut mismatches = Vec::new();
        let browser_id = obs
            .event_ids
            .get(&c.event_name)
            .and_then(|ids| ids.first())
            .cloned();
        let Some(browser_id) = browser_id else {
            return self.result(
                check,
                Outcome::Failed,
                format!("the browser sent no `{}` with an eventID", c.event_name),
                vec![Mismatch {
                    what: format!("{}: eventID of {}", c.browser_check, c.event_name),
                    expected: "an eventID".to_owned(),
                    actual: match obs.event_ids.keys().next() {
                        Some(_) => format!(
                            "events {}",
                            obs.event_ids.keys().cloned().collect::<Vec<_>>().join(", ")
                        ),
                        None => "no event".to_owned(),
                    },
                }],
            );
        };
        let Some(PlanCheck::Server(s)) = self.plan.checks.iter().find(|x| x.id() == c.server_check)
        else {
            return self.result(
                check,
                Outcome::Error,
                format!("the plan has no check {}", c.server_check),
                Vec::new(),
            );
        };
        let Some(mut record) = s.record.clone() else {
            return self.result(
                check,
                Outcome::Error,
                "the server event has no sample record".to_owned(),
                Vec::new(),
            );
        };
        let path = c.server_event_id_path.as_deref();
        let shown_path = path.map_or_else(|| "no field".to_owned(), |p| format!("`{p}`"));
        // What tagc cannot see, if anything: said in the result, never silently planted.
        let assumption: Option<String>;
        // The id the server side is handed (the value planted into the record).
        let mut handed: Option<(String, String)> = None;
        if let Some(share) = &c.shared {
            let (how, name) = match share {
                IdShare::FormField { name } => ("form field", name),
                IdShare::DataLayer { key } => ("data-layer key", key),
                IdShare::Cookie { name } => ("cookie", name),
            };
            let shared = match &obs.shared {
                Ok(v) => v.clone(),
                Err(why) => {
                    return self.result(
                        check,
                        Outcome::Error,
                        format!(
                            "could not tell whether the browser's eventID reached the server ({}): {why}",
                            c.browser_check
                        ),
                        Vec::new(),
                    );
                }
            };
            match &shared {
                Some(v) if *v == browser_id => {}
                other => mismatches.push(Mismatch {
                    what: format!("the {how} `{name}` the page handed over"),
                    expected: format!("the eventID {browser_id}"),
                    actual: other.clone().unwrap_or_else(|| "missing".to_owned()),
                }),
            }
            let Some(path) = path else {
                mismatches.push(Mismatch {
                    what: "server event_id source".to_owned(),
                    expected: format!("a record field holding the {how} `{name}`"),
                    actual: "no event_id mapped".to_owned(),
                });
                return self.concluded(
                    check,
                    "Meta would not deduplicate the browser and server events",
                    mismatches,
                );
            };
            // A form post and a cookie reach the backend under their name: a record field
            // of that name holds what tagc saw the page send. Anything else is the
            // backend's doing, out of tagc's sight.
            let named = path == name.as_str()
                || path
                    .strip_suffix(name.as_str())
                    .is_some_and(|p| p.ends_with('.'));
            assumption = match share {
                IdShare::DataLayer { .. } => Some(format!(
                    "assumed: the backend's `{path}` carries the {how} `{name}` the page pushed (the data layer never leaves the browser by itself)"
                )),
                IdShare::FormField { .. } | IdShare::Cookie { .. } if named => None,
                IdShare::FormField { .. } | IdShare::Cookie { .. } => Some(format!(
                    "assumed: the backend copies the {how} `{name}` into `{path}` ({})",
                    if c.server_copies_from.is_some() {
                        "declared with `copied_from`"
                    } else {
                        "not declared with `copied_from`: see `tagc explain TAG2030`"
                    }
                )),
            };
            let value = shared.unwrap_or_default();
            handed = Some((format!("{how} `{name}`"), value.clone()));
            crate::mapping::RecordPath::new(path).set(&mut record, Value::from(value));
        } else {
            // No share: the server knows the id on its own (an order id). A harness page
            // carries the sample's value, so the two sides agree by construction.
            assumption = c
                .browser_id_source
                .as_ref()
                .map(|src| format!("assumed: the backend's {shown_path} carries the page's {src}"));
        }
        // On a real site the page shows its own order, not the sample's: the values
        // cannot agree, and only a planted value can be compared.
        let compare = handed.is_some() || self.o.base_url.is_none() || assumption.is_none();
        let mut server_id = None;
        match self.mapped(s, &record) {
            Ok(event) => {
                server_id.clone_from(&event.event_id);
                if compare && event.event_id.as_deref() != Some(browser_id.as_str()) {
                    mismatches.push(Mismatch {
                        what: "server event_id".to_owned(),
                        expected: format!("{browser_id} (the browser's eventID)"),
                        actual: event.event_id.clone().unwrap_or_else(|| "none".to_owned()),
                    });
                }
                if event.event_name != c.event_name {
                    mismatches.push(Mismatch {
                        what: "server event_name".to_owned(),
                        expected: c.event_name.clone(),
                        actual: event.event_name,
                    });
                }
            }
            Err((_, msg)) => mismatches.push(Mismatch {
                what: "server event".to_owned(),
                expected: "the sample record mapped".to_owned(),
                actual: msg,
            }),
        }
        if !mismatches.is_empty() {
            return self.concluded(
                check,
                "Meta would not deduplicate the browser and server events",
                mismatches,
            );
        }
        let values = compared(
            &browser_id,
            handed.as_ref(),
            shown_path.as_str(),
            server_id.as_deref(),
        );
        let mut res = match assumption {
            Some(a) => self.result(check, Outcome::Assumed, a, Vec::new()),
            None => self.result(check, Outcome::Passed, String::new(), Vec::new()),
        };
        res.notes.push(Note::info(values));
        if handed.is_none() && res.outcome == Outcome::Assumed && self.o.base_url.is_none() {
            res.notes.push(Note::info(format!(
                "the harness page was given the sample's {shown_path} as its eventID source: the two sides agree by construction"
            )));
        }
        res
    }
}

/// The compared values in one line: `browser eventID = form field `event_id` = server
/// event_id (from `form.event_id`) = "3f1c…"` when they agree, each value otherwise.
fn compared(
    browser: &str,
    handed: Option<&(String, String)>,
    path: &str,
    server: Option<&str>,
) -> String {
    let server = server.unwrap_or_default();
    let from = format!("server event_id (from {path})");
    match handed {
        Some((how, v)) if v == browser && server == browser => {
            format!("browser eventID = {how} = {from} = {browser:?}")
        }
        Some((how, v)) => {
            format!("browser eventID = {browser:?}; {how} = {v:?}; {from} = {server:?}")
        }
        None if server == browser => format!("browser eventID = {from} = {browser:?}"),
        None => format!(
            "browser eventID = {browser:?}; {from} = {server:?} (the sample is another order than the page's)"
        ),
    }
}

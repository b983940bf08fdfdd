//! Dedup checks: the browser's `eventID`, where the browser handed it to the server, and
//! the server's `event_id` for the same action.

use serde_json::Value;

use super::Runner;
use crate::model::IdShare;
use crate::verify::plan::{DedupCheck, PlanCheck};
use crate::verify::{CheckResult, Mismatch, Outcome};

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
        // Where the server reads the id must be where the browser puts it.
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
            let last = c
                .server_event_id_path
                .as_deref()
                .and_then(|p| p.rsplit('.').next());
            if last != Some(name.as_str()) {
                mismatches.push(Mismatch {
                    what: "server event_id source".to_owned(),
                    expected: format!(
                        "a record field named `{name}` (the {how} the browser fills)"
                    ),
                    actual: c
                        .server_event_id_path
                        .as_ref()
                        .map_or_else(|| "no event_id mapped".to_owned(), |p| format!("`{p}`")),
                });
            }
            // The backend copies the shared value into the record.
            if let Some(path) = &c.server_event_id_path {
                crate::mapping::RecordPath::new(path)
                    .set(&mut record, Value::from(shared.unwrap_or_default()));
            }
        }
        match self.mapped(s, &record) {
            Ok(event) => {
                if event.event_id.as_deref() != Some(browser_id.as_str()) {
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
        self.concluded(
            check,
            "Meta would not deduplicate the browser and server events",
            mismatches,
        )
    }
}

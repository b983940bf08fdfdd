//! Server checks: a server event's sample record through the mapping and Meta's rules,
//! and with a token posted to Test Events.

use std::time::{Duration, Instant};

use serde_json::Value;

use super::Runner;
use crate::mapping::Mapping;
use crate::meta::capi::{self, CapiEvent, Level, RuleContext};
use crate::send::client::{Client, Jitter, Retry, Verdict, request_body};
use crate::verify::plan::{PlanCheck, ServerCheck};
use crate::verify::{CheckResult, Mismatch, Outcome};

/// 2000-01-01T00:00:00Z: an event time before it is a unit mistake, not an old sample.
const PLAUSIBLE_SINCE: i64 = 946_684_800;

impl Runner<'_> {
    pub(super) fn mapping(&mut self) -> Result<&Mapping, String> {
        if self.mapping.is_none() {
            let loaded = match &self.plan.mapping {
                None => Err("the plan names no mapping".to_owned()),
                Some(rel) => {
                    let path = self.o.plan_dir.join(rel);
                    std::fs::read_to_string(&path)
                        .map_err(|e| format!("cannot read {}: {e}", path.display()))
                        .and_then(|t| {
                            Mapping::from_json(&t)
                                .map_err(|e| format!("{} is not a mapping: {e}", path.display()))
                        })
                }
            };
            self.mapping = Some(loaded);
        }
        match &self.mapping {
            Some(Ok(m)) => Ok(m),
            Some(Err(e)) => Err(e.clone()),
            None => Err("no mapping".to_owned()),
        }
    }

    /// The sample mapped to a CAPI event (event_time = now), or why not.
    pub(super) fn mapped(
        &mut self,
        c: &ServerCheck,
        record: &Value,
    ) -> Result<CapiEvent, (Outcome, String)> {
        let cx = self.cx;
        if !self.mappers.contains_key(&c.event) {
            let mapping = self.mapping().map_err(|e| (Outcome::Error, e))?;
            let mapper = mapping.compile(&c.event).map_err(|e| (Outcome::Error, e))?;
            self.mappers.insert(c.event.clone(), mapper);
        }
        let Some(mapper) = self.mappers.get(&c.event) else {
            return Err((Outcome::Error, format!("no mapping for `{}`", c.event)));
        };
        let mut applied = mapper.apply(record, &cx).map_err(|e| {
            (
                Outcome::Failed,
                format!("the sample record does not map: {e}"),
            )
        })?;
        // A sample's own date is an example and soon older than Meta's 7 days: send it as
        // of now. A time that is no plausible date at all (1970 from seconds read as
        // milliseconds, the far future) is kept, so Meta's rules report it.
        if (PLAUSIBLE_SINCE..=cx.now.saturating_add(86_400)).contains(&applied.event.event_time) {
            applied.event.event_time = cx.now;
        }
        Ok(applied.event)
    }

    pub(super) fn server(&mut self, check: &PlanCheck, c: &ServerCheck) -> CheckResult {
        let Some(record) = &c.record else {
            return self.result(
                check,
                Outcome::Error,
                "no sample record: add `sample:` to the server event so it can be sent".to_owned(),
                Vec::new(),
            );
        };
        let event = match self.mapped(c, record) {
            Ok(e) => e,
            Err((outcome, msg)) => return self.result(check, outcome, msg, Vec::new()),
        };
        let rules = RuleContext { now: self.cx.now };
        let violations = capi::check_event(&event, 0, &rules);
        let blocking: Vec<Mismatch> = violations
            .iter()
            .filter(|v| v.level != Level::Warning)
            .map(|v| Mismatch {
                what: format!("{} ({})", v.path, v.rule),
                expected: "accepted by Meta's rules".to_owned(),
                actual: match v.subcode {
                    Some(s) => format!("{} [code {} / {s}]", v.message, v.code),
                    None => format!("{} [code {}]", v.message, v.code),
                },
            })
            .collect();
        if !blocking.is_empty() {
            return self.result(
                check,
                Outcome::Failed,
                "the mapped event breaks Meta's rules".to_owned(),
                blocking,
            );
        }
        let (Some(token), Some(code)) = (&self.o.token, &self.o.test_event_code) else {
            return self.result(check, Outcome::Passed, String::new(), Vec::new());
        };
        if self.token_refused {
            return self.result(
                check,
                Outcome::Error,
                "not sent: Meta refused the access token".to_owned(),
                Vec::new(),
            );
        }
        if self.client.is_none() {
            let version = match self.mapping() {
                Ok(m) => m.graph_version.clone(),
                Err(e) => return self.result(check, Outcome::Error, e, Vec::new()),
            };
            match Client::new(
                &self.o.graph_url,
                &version,
                self.o.check_timeout.min(Duration::from_secs(30)),
                Some(token),
            ) {
                Ok(c) => self.client = Some(c),
                Err(e) => return self.result(check, Outcome::Error, e.to_string(), Vec::new()),
            }
        }
        let Some(client) = self.client.clone() else {
            return self.result(
                check,
                Outcome::Error,
                "no HTTP client".to_owned(),
                Vec::new(),
            );
        };
        // The same body, client, retry loop and reading of Meta's answer as `tagc send`.
        let mut json = String::new();
        capi::event::fast_json::event(&mut json, &event);
        let body = request_body(std::iter::once(json.as_str()), Some(code), Some(token));
        let retry = Retry {
            policy: self.o.retry,
            deadline: Some(Instant::now() + self.o.check_timeout),
            stop: None,
        };
        let mut mismatches = Vec::new();
        for pixel in &c.pixels {
            let mut jitter = Jitter::new(7);
            let verdict =
                client.deliver(pixel, body.as_bytes(), 1, &retry, &mut jitter, &mut || {});
            match verdict {
                Verdict::Accepted(r) => {
                    if r.events_received != c.expect_events_received {
                        mismatches.push(Mismatch {
                            what: format!("pixel {pixel}: events_received"),
                            expected: c.expect_events_received.to_string(),
                            actual: r.events_received.to_string(),
                        });
                    }
                    if !r.messages.is_empty() {
                        mismatches.push(Mismatch {
                            what: format!("pixel {pixel}: messages"),
                            expected: "none".to_owned(),
                            actual: r.messages.join(" | "),
                        });
                    }
                }
                Verdict::Unconfirmed { response, sent } => mismatches.push(Mismatch {
                    what: format!("pixel {pixel}: events_received"),
                    expected: sent.to_string(),
                    actual: response.events_received.to_string(),
                }),
                Verdict::Refused { status, error, .. } => mismatches.push(Mismatch {
                    what: format!("pixel {pixel}: response"),
                    expected: "HTTP 200 with events_received 1".to_owned(),
                    actual: format!("HTTP {status}, {}", error.describe()),
                }),
                Verdict::TokenRefused(error) => {
                    self.token_refused = true;
                    return self.result(
                        check,
                        Outcome::Error,
                        format!("Meta refused the access token (code {}): check META_ACCESS_TOKEN or --token-file", error.code),
                        Vec::new(),
                    );
                }
                Verdict::Denied(why) => {
                    return self.result(
                        check,
                        Outcome::Error,
                        format!("pixel {pixel}: {why}"),
                        Vec::new(),
                    );
                }
                Verdict::Outage(why) => {
                    return self.result(
                        check,
                        Outcome::Error,
                        format!("pixel {pixel}: Meta could not be reached: {why}"),
                        Vec::new(),
                    );
                }
            }
        }
        self.concluded(
            check,
            "Meta did not accept the event as expected",
            mismatches,
        )
    }
}

//! Comparing the `fbq` calls a page made with the calls a browser check expects, and the
//! pixel requests Meta's library sent with the events.
//!
//! Expected calls are matched in order: each takes the next recorded call with the same
//! method, pixel and event; a recorded call no expectation takes is an extra call (a
//! duplicate fire counts twice at Meta); an expectation no call meets is a missing call.
//! A matched pair is then compared argument by argument.

use serde_json::{Map, Value};

use super::Mismatch;
use super::plan::{ExpectedCall, ExpectedParam};
use crate::browser::PixelHit;

/// What the recorded calls come from, and so what can be compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seen {
    /// A harness page: every value was planted, so values are exact.
    Harness,
    /// A real site: types are real, values unknown (only constants are compared by
    /// value; read values must be present and of their type).
    Site,
}

/// One recorded call, split into its parts.
struct Actual<'a> {
    method: &'a str,
    pixel: Option<&'a str>,
    event: Option<&'a str>,
    params: Option<&'a Map<String, Value>>,
    event_id: Option<&'a str>,
    args: &'a [Value],
}

fn opts_id(v: Option<&Value>) -> Option<&str> {
    v.and_then(|o| o.get("eventID")).and_then(Value::as_str)
}

fn split(a: &Value) -> Option<Actual<'_>> {
    let items = a.as_array()?;
    let method = items.first()?.as_str()?;
    let at = |i: usize| items.get(i);
    Some(match method {
        "track" | "trackCustom" => Actual {
            method,
            pixel: None,
            event: at(1).and_then(Value::as_str),
            params: at(2).and_then(Value::as_object),
            event_id: opts_id(at(3)),
            args: &items[1..],
        },
        "trackSingle" | "trackSingleCustom" => Actual {
            method,
            pixel: at(1).and_then(Value::as_str),
            event: at(2).and_then(Value::as_str),
            params: at(3).and_then(Value::as_object),
            event_id: opts_id(at(4)),
            args: &items[1..],
        },
        _ => Actual {
            method,
            pixel: None,
            event: None,
            params: None,
            event_id: None,
            args: &items[1..],
        },
    })
}

/// The event name and `eventID` of a recorded call, if it fires an event.
#[must_use]
pub fn event_and_id(a: &Value) -> Option<(String, Option<String>)> {
    let s = split(a)?;
    Some((s.event?.to_owned(), s.event_id.map(str::to_owned)))
}

/// An expected parameter in words: the exact value on a harness page and for constants,
/// the type and source of a value a real site reads (`a number from attribute
/// data-price of the closest .product-card`).
fn describe_param(p: &ExpectedParam, seen: Seen) -> String {
    match (&p.source, seen) {
        (Some(source), Seen::Site) if !p.constant => {
            let kind = match p.kind.as_str() {
                "integer" => "an integer",
                "number" => "a number",
                "boolean" => "a boolean",
                "string[]" => "a list of strings",
                "contents" => "contents",
                _ => "a string",
            };
            format!("{kind} from {source}")
        }
        _ => p.value.to_string(),
    }
}

/// An expected call in words: `track Lead {value: 24.9} + eventID`.
#[must_use]
pub fn describe(e: &ExpectedCall, seen: Seen) -> String {
    let mut s = e.method.clone();
    if let Some(p) = &e.pixel {
        s.push_str(&format!(" {p}"));
    }
    if let Some(ev) = &e.event {
        s.push_str(&format!(" {ev}"));
    }
    if let Some(args) = &e.args {
        let a: Vec<String> = args.iter().map(Value::to_string).collect();
        s.push_str(&format!(" {}", a.join(", ")));
    }
    if !e.params.is_empty() {
        let p: Vec<String> = e
            .params
            .iter()
            .map(|(k, v)| format!("{k}: {}", describe_param(v, seen)))
            .collect();
        s.push_str(&format!(" {{{}}}", p.join(", ")));
    }
    if let Some(id) = &e.event_id {
        match (&id.value, seen) {
            (Some(v), Seen::Harness) => s.push_str(&format!(" + eventID {v}")),
            _ => s.push_str(" + eventID"),
        }
    }
    s
}

/// A recorded value for a message, cut at 200 characters.
#[must_use]
pub fn describe_actual(a: &Value) -> String {
    let text = a.to_string();
    if text.chars().count() > 200 {
        format!("{}…", text.chars().take(200).collect::<String>())
    } else {
        text
    }
}

fn type_ok(kind: &str, v: &Value) -> bool {
    match kind {
        "number" => v.is_number(),
        "integer" => v.as_f64().is_some_and(|f| f.fract() == 0.0),
        "boolean" => v.is_boolean(),
        "string" => v.is_string(),
        "string[]" => v.as_array().is_some_and(|a| a.iter().all(Value::is_string)),
        "contents" => v.as_array().is_some_and(|a| {
            a.iter().all(|x| {
                x.get("id").is_some_and(Value::is_string)
                    && x.get("quantity")
                        .and_then(Value::as_f64)
                        .is_some_and(|q| q.fract() == 0.0)
            })
        }),
        _ => true,
    }
}

fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_f64(), y.as_f64()) {
            (Some(x), Some(y)) => (x - y).abs() < 1e-9,
            _ => x == y,
        },
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

fn params(
    what: &str,
    want: &std::collections::BTreeMap<String, ExpectedParam>,
    got: Option<&Map<String, Value>>,
    seen: Seen,
    out: &mut Vec<Mismatch>,
) {
    let empty = Map::new();
    let got = got.unwrap_or(&empty);
    for (k, p) in want {
        let what = format!("{what}: params.{k}");
        let Some(v) = got.get(k) else {
            out.push(Mismatch {
                what,
                expected: format!("{} {}", p.kind, describe_param(p, seen)),
                actual: "missing".to_owned(),
            });
            continue;
        };
        if !type_ok(&p.kind, v) {
            out.push(Mismatch {
                what,
                expected: match seen {
                    Seen::Harness => format!("a {} ({})", p.kind, p.value),
                    Seen::Site => describe_param(p, seen),
                },
                actual: describe_actual(v),
            });
        } else if (seen == Seen::Harness || p.constant) && !same(&p.value, v) {
            out.push(Mismatch {
                what,
                expected: p.value.to_string(),
                actual: describe_actual(v),
            });
        }
    }
    for k in got.keys().filter(|k| !want.contains_key(*k)) {
        out.push(Mismatch {
            what: format!("{what}: params.{k}"),
            expected: "no such parameter".to_owned(),
            actual: describe_actual(&got[k]),
        });
    }
}

/// Whether a recorded call is the one `e` expects (method, pixel, event; for setup
/// calls the method).
fn heads_match(e: &ExpectedCall, s: &Actual<'_>) -> bool {
    s.method == e.method && s.pixel == e.pixel.as_deref() && s.event == e.event.as_deref()
}

/// Compares the calls. `label` prefixes every mismatch's `what` (`fbq call`, or `after
/// navigating to /gracias: fbq call`).
pub fn calls(
    expected: &[ExpectedCall],
    actual: &[Value],
    seen: Seen,
    label: &str,
    out: &mut Vec<Mismatch>,
) {
    let mut taken = vec![false; actual.len()];
    let mut cursor = 0;
    for (i, e) in expected.iter().enumerate() {
        let what = format!("{label} {}", i + 1);
        let found =
            (cursor..actual.len()).find(|&j| split(&actual[j]).is_some_and(|s| heads_match(e, &s)));
        let Some(j) = found else {
            out.push(Mismatch {
                what,
                expected: describe(e, seen),
                actual: match actual.get(cursor) {
                    Some(a) if !taken[cursor] => {
                        format!("no such call (next: {})", describe_actual(a))
                    }
                    _ => "no call".to_owned(),
                },
            });
            continue;
        };
        taken[j] = true;
        cursor = j + 1;
        let Some(s) = split(&actual[j]) else { continue };
        if let Some(args) = &e.args {
            if s.args.len() != args.len() || !s.args.iter().zip(args).all(|(x, y)| same(x, y)) {
                out.push(Mismatch {
                    what: format!("{what}: arguments"),
                    expected: Value::Array(args.clone()).to_string(),
                    actual: Value::Array(s.args.to_vec()).to_string(),
                });
            }
            continue;
        }
        params(&what, &e.params, s.params, seen, out);
        match (&e.event_id, s.event_id) {
            (Some(want), Some(got)) => {
                if got.is_empty() {
                    out.push(Mismatch {
                        what: format!("{what}: eventID"),
                        expected: "a non-empty id".to_owned(),
                        actual: "\"\"".to_owned(),
                    });
                } else if seen == Seen::Harness && want.value.as_deref().is_some_and(|v| v != got) {
                    out.push(Mismatch {
                        what: format!("{what}: eventID"),
                        expected: want.value.clone().unwrap_or_default(),
                        actual: got.to_owned(),
                    });
                }
            }
            (Some(_), None) => out.push(Mismatch {
                what: format!("{what}: eventID"),
                expected: "an eventID (4th argument) for deduplication".to_owned(),
                actual: "none".to_owned(),
            }),
            (None, Some(got)) => out.push(Mismatch {
                what: format!("{what}: eventID"),
                expected: "none".to_owned(),
                actual: got.to_owned(),
            }),
            (None, None) => {}
        }
    }
    for (j, a) in actual.iter().enumerate().filter(|(j, _)| !taken[*j]) {
        out.push(Mismatch {
            what: format!("{label} {} (recorded)", j + 1),
            expected: "no such call".to_owned(),
            actual: describe_actual(a),
        });
    }
}

/// With Meta's real `fbevents.js`: each event the calls fired must have reached
/// `facebook.com/tr` — one request per pixel it targets, with the same `eventID`.
/// `pixels` are the ids `init` was called with.
pub fn hits(
    expected: &[ExpectedCall],
    actual: &[Value],
    pixels: &[String],
    sent: &[PixelHit],
    label: &str,
    out: &mut Vec<Mismatch>,
) {
    for (i, e) in expected.iter().enumerate() {
        let Some(event) = &e.event else { continue };
        let targets: Vec<&str> = match &e.pixel {
            Some(p) => vec![p.as_str()],
            None => pixels.iter().map(String::as_str).collect(),
        };
        let id = actual
            .iter()
            .filter_map(split)
            .find(|s| heads_match(e, s))
            .and_then(|s| s.event_id);
        for pixel in targets {
            let reached = sent.iter().any(|h| {
                h.ev == *event && h.id == pixel && id.is_none_or(|id| h.eid.as_deref() == Some(id))
            });
            if !reached {
                out.push(Mismatch {
                    what: format!("{label} {}: request to Meta", i + 1),
                    expected: format!(
                        "facebook.com/tr?id={pixel}&ev={event}{}",
                        id.map(|id| format!("&eid={id}")).unwrap_or_default()
                    ),
                    actual: "not sent by fbevents.js".to_owned(),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::plan::ExpectedEventId;
    use serde_json::json;
    use std::collections::BTreeMap;

    fn lead() -> ExpectedCall {
        ExpectedCall {
            method: "track".into(),
            args: None,
            pixel: None,
            event: Some("Lead".into()),
            params: BTreeMap::from([(
                "value".to_owned(),
                ExpectedParam {
                    kind: "number".into(),
                    value: json!(24.9),
                    constant: false,
                    source: Some("attribute data-price of the element".into()),
                },
            )]),
            event_id: Some(ExpectedEventId {
                value: None,
                shared: None,
            }),
            setup: false,
        }
    }

    #[test]
    fn exact_calls_pass_and_every_difference_is_named() {
        let mut out = Vec::new();
        let lead_call = json!(["track", "Lead", {"value": 24.9}, {"eventID": "e-1"}]);
        calls(&[lead()], &[lead_call], Seen::Harness, "fbq call", &mut out);
        assert!(out.is_empty(), "{out:?}");
        calls(
            &[lead()],
            &[json!(["track", "Lead", {"value": "24.90", "x": 1}])],
            Seen::Harness,
            "fbq call",
            &mut out,
        );
        let what: Vec<&str> = out.iter().map(|m| m.what.as_str()).collect();
        assert_eq!(
            what,
            [
                "fbq call 1: params.value",
                "fbq call 1: params.x",
                "fbq call 1: eventID"
            ]
        );
        out.clear();
        calls(&[lead()], &[], Seen::Harness, "fbq call", &mut out);
        assert_eq!(out[0].actual, "no call");
        out.clear();
        calls(
            &[],
            &[json!(["track", "Lead"])],
            Seen::Harness,
            "fbq call",
            &mut out,
        );
        assert_eq!(out[0].expected, "no such call");
    }

    #[test]
    fn an_extra_call_in_the_middle_is_named_without_shifting_the_rest() {
        let mut out = Vec::new();
        let view = ExpectedCall {
            event: Some("ViewContent".into()),
            params: BTreeMap::new(),
            event_id: None,
            ..lead()
        };
        calls(
            &[view, lead()],
            &[
                json!(["track", "ViewContent"]),
                json!(["track", "ViewContent"]),
                json!(["track", "Lead", {"value": 1.5}, {"eventID": "x"}]),
            ],
            Seen::Harness,
            "fbq call",
            &mut out,
        );
        assert_eq!(out.len(), 2, "{out:#?}");
        assert_eq!(out[0].what, "fbq call 2: params.value");
        assert_eq!(out[1].what, "fbq call 2 (recorded)");
        assert_eq!(out[1].expected, "no such call");
    }

    #[test]
    fn real_sites_compare_types_and_constants_and_describe_sources() {
        let mut out = Vec::new();
        let mut e = lead();
        e.params.insert(
            "currency".into(),
            ExpectedParam {
                kind: "string".into(),
                value: json!("EUR"),
                constant: true,
                source: None,
            },
        );
        let ok = [json!(["track", "Lead", {"value": 19.5, "currency": "EUR"}, {"eventID": "x"}])];
        calls(&[e.clone()], &ok, Seen::Site, "fbq call", &mut out);
        assert!(out.is_empty(), "{out:?}");
        let bad = [json!(["track", "Lead", {"currency": "USD"}, {"eventID": "x"}])];
        calls(&[e.clone()], &bad, Seen::Site, "fbq call", &mut out);
        assert_eq!(out.len(), 2, "{out:#?}");
        assert_eq!(out[0].what, "fbq call 1: params.currency");
        assert_eq!(
            out[1].expected,
            "number a number from attribute data-price of the element"
        );
        assert_eq!(
            describe(&e, Seen::Site),
            "track Lead {currency: \"EUR\", value: a number from attribute data-price of the element} + eventID"
        );
    }

    #[test]
    fn every_event_must_reach_meta_once_per_pixel() {
        let hit = |id: &str, ev: &str, eid: Option<&str>| PixelHit {
            id: id.into(),
            ev: ev.into(),
            eid: eid.map(str::to_owned),
            cd: BTreeMap::new(),
            url: String::new(),
            method: "GET".into(),
            body: None,
            params: BTreeMap::new(),
        };
        let actual = [json!(["track", "Lead", {"value": 1}, {"eventID": "e-1"}])];
        let pixels = ["1".to_owned(), "2".to_owned()];
        let mut out = Vec::new();
        hits(
            &[lead()],
            &actual,
            &pixels,
            &[hit("1", "Lead", Some("e-1")), hit("2", "Lead", Some("e-1"))],
            "fbq call",
            &mut out,
        );
        assert!(out.is_empty(), "{out:?}");
        hits(
            &[lead()],
            &actual,
            &pixels,
            &[hit("1", "Lead", Some("other"))],
            "fbq call",
            &mut out,
        );
        assert_eq!(out.len(), 2, "{out:#?}");
        assert!(out[1].expected.contains("id=2&ev=Lead&eid=e-1"));
    }
}

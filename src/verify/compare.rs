//! Comparing the `fbq` calls a page made with the calls a browser check expects.

use serde_json::{Map, Value};

use super::Mismatch;
use super::plan::{ExpectedCall, ExpectedParam};

/// What the recorded calls come from, and so what can be compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seen {
    /// `fbq` calls on a harness page: every value was planted, so values are exact.
    Harness,
    /// `fbq` calls on a real page with the recorder: types are real, values unknown
    /// (only constants are compared by value).
    SiteCalls,
    /// Pixel requests of the real `fbevents.js`: events, `eid` and `cd[…]` as text.
    SiteHits,
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

/// An expected call in words: `track Lead {value: number} + eventID`.
#[must_use]
pub fn describe(e: &ExpectedCall) -> String {
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
            .map(|(k, v)| format!("{k}: {}", v.value))
            .collect();
        s.push_str(&format!(" {{{}}}", p.join(", ")));
    }
    if let Some(id) = &e.event_id {
        match &id.value {
            Some(v) => s.push_str(&format!(" + eventID {v}")),
            None => s.push_str(" + eventID"),
        }
    }
    s
}

fn describe_actual(a: &Value) -> String {
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

/// Compares a param read from a real site's pixel request (all text).
fn same_text(expected: &Value, actual: &Value) -> bool {
    match (expected, actual.as_str()) {
        (Value::String(e), Some(a)) => e == a,
        (e, Some(a)) => serde_json::from_str::<Value>(a).is_ok_and(|v| same(e, &v)),
        _ => false,
    }
}

fn params(
    n: usize,
    want: &std::collections::BTreeMap<String, ExpectedParam>,
    got: Option<&Map<String, Value>>,
    seen: Seen,
    out: &mut Vec<Mismatch>,
) {
    let empty = Map::new();
    let got = got.unwrap_or(&empty);
    for (k, p) in want {
        let what = format!("fbq call {n}: params.{k}");
        let Some(v) = got.get(k) else {
            out.push(Mismatch {
                what,
                expected: format!("{} {}", p.kind, p.value),
                actual: "missing".to_owned(),
            });
            continue;
        };
        if seen != Seen::SiteHits {
            if !type_ok(&p.kind, v) {
                out.push(Mismatch {
                    what,
                    expected: format!("a {} ({})", p.kind, p.value),
                    actual: describe_actual(v),
                });
            } else if (seen == Seen::Harness || p.constant) && !same(&p.value, v) {
                out.push(Mismatch {
                    what,
                    expected: p.value.to_string(),
                    actual: describe_actual(v),
                });
            }
        } else if p.constant && !same_text(&p.value, v) {
            out.push(Mismatch {
                what,
                expected: p.value.to_string(),
                actual: describe_actual(v),
            });
        }
    }
    for k in got.keys().filter(|k| !want.contains_key(*k)) {
        out.push(Mismatch {
            what: format!("fbq call {n}: params.{k}"),
            expected: "no such parameter".to_owned(),
            actual: describe_actual(&got[k]),
        });
    }
}

/// Compares the calls: exactly on a harness page; on a real site, dynamic values by type
/// only (with the recorder) or only by presence (pixel requests, where only events are
/// visible).
pub fn calls(expected: &[ExpectedCall], actual: &[Value], seen: Seen, out: &mut Vec<Mismatch>) {
    let harness = seen != Seen::SiteHits;
    let expected: Vec<&ExpectedCall> = expected
        .iter()
        .filter(|e| harness || e.event.is_some())
        .collect();
    let actual: Vec<&Value> = if harness {
        actual.iter().collect()
    } else {
        // A real fbevents.js also sends its own automatic events; keep the expected ones.
        actual
            .iter()
            .filter(|a| {
                split(a)
                    .and_then(|s| s.event)
                    .is_some_and(|ev| expected.iter().any(|e| e.event.as_deref() == Some(ev)))
            })
            .collect()
    };
    for (i, e) in expected.iter().enumerate() {
        let n = i + 1;
        let Some(a) = actual.get(i) else {
            out.push(Mismatch {
                what: format!("fbq call {n}"),
                expected: describe(e),
                actual: "no call".to_owned(),
            });
            continue;
        };
        let Some(s) = split(a) else {
            out.push(Mismatch {
                what: format!("fbq call {n}"),
                expected: describe(e),
                actual: describe_actual(a),
            });
            continue;
        };
        let head_ok = if harness {
            s.method == e.method && s.pixel == e.pixel.as_deref() && s.event == e.event.as_deref()
        } else {
            s.event == e.event.as_deref()
        };
        if !head_ok {
            out.push(Mismatch {
                what: format!("fbq call {n}"),
                expected: describe(e),
                actual: describe_actual(a),
            });
            continue;
        }
        if let Some(args) = &e.args {
            if s.args.len() != args.len() || !s.args.iter().zip(args).all(|(x, y)| same(x, y)) {
                out.push(Mismatch {
                    what: format!("fbq call {n}: arguments"),
                    expected: Value::Array(args.clone()).to_string(),
                    actual: Value::Array(s.args.to_vec()).to_string(),
                });
            }
            continue;
        }
        params(n, &e.params, s.params, seen, out);
        match (&e.event_id, s.event_id) {
            (Some(want), Some(got)) => {
                if got.is_empty() {
                    out.push(Mismatch {
                        what: format!("fbq call {n}: eventID"),
                        expected: "a non-empty id".to_owned(),
                        actual: "\"\"".to_owned(),
                    });
                } else if seen == Seen::Harness && want.value.as_deref().is_some_and(|v| v != got) {
                    out.push(Mismatch {
                        what: format!("fbq call {n}: eventID"),
                        expected: want.value.clone().unwrap_or_default(),
                        actual: got.to_owned(),
                    });
                }
            }
            (Some(_), None) => out.push(Mismatch {
                what: format!("fbq call {n}: eventID"),
                expected: "an eventID (4th argument) for deduplication".to_owned(),
                actual: "none".to_owned(),
            }),
            (None, Some(got)) if harness => out.push(Mismatch {
                what: format!("fbq call {n}: eventID"),
                expected: "none".to_owned(),
                actual: got.to_owned(),
            }),
            _ => {}
        }
    }
    for (i, a) in actual.iter().enumerate().skip(expected.len()) {
        out.push(Mismatch {
            what: format!("fbq call {}", i + 1),
            expected: "no further call".to_owned(),
            actual: describe_actual(a),
        });
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
                },
            )]),
            event_id: Some(ExpectedEventId {
                value: None,
                shared: None,
            }),
        }
    }

    #[test]
    fn exact_calls_pass_and_every_difference_is_named() {
        let mut out = Vec::new();
        calls(
            &[lead()],
            &[json!(["track", "Lead", {"value": 24.9}, {"eventID": "e-1"}])],
            Seen::Harness,
            &mut out,
        );
        assert!(out.is_empty(), "{out:?}");
        calls(
            &[lead()],
            &[json!(["track", "Lead", {"value": "24.90", "x": 1}])],
            Seen::Harness,
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
        calls(&[lead()], &[], Seen::Harness, &mut out);
        assert_eq!(out[0].actual, "no call");
        out.clear();
        calls(&[], &[json!(["track", "Lead"])], Seen::Harness, &mut out);
        assert_eq!(out[0].expected, "no further call");
    }

    #[test]
    fn real_sites_compare_events_and_constants_only() {
        let mut out = Vec::new();
        let mut e = lead();
        e.params.insert(
            "currency".into(),
            ExpectedParam {
                kind: "string".into(),
                value: json!("EUR"),
                constant: true,
            },
        );
        let hits = [
            json!(["track", "SubscribedButtonClick", {}]),
            json!(["track", "Lead", {"value": "19.5", "currency": "EUR"}, {"eventID": "x"}]),
        ];
        calls(&[e.clone()], &hits, Seen::SiteHits, &mut out);
        assert!(out.is_empty(), "{out:?}");
        let hits =
            [json!(["track", "Lead", {"value": "19.5", "currency": "USD"}, {"eventID": "x"}])];
        calls(&[e], &hits, Seen::SiteHits, &mut out);
        assert_eq!(out.len(), 1);
    }
}

//! Sample values the harness plants, and the value the runtime must read from each.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::model::{ParamType, Source};

/// What a fixture planted, to compute the values the runtime must read.
#[derive(Debug, Clone, Default)]
pub struct Planted {
    /// Whether a clicked element exists (load checks have none).
    pub(super) has_element: bool,
    /// The clicked element's text, when a text locator fixes it.
    pub(super) element_text: Option<String>,
    /// Planted event-id values by source key.
    pub(super) ids: BTreeMap<String, String>,
}

pub(super) const SAMPLE_TEXT: &str = "Sample text";

/// A sample value of a type: its text form (attributes, URLs, meta tags), its JSON form
/// (data layer, `window`), and the value the runtime converts either to.
pub(super) fn sample(ty: ParamType, name: &str) -> (String, Value, Option<Value>) {
    let slug: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    match ty {
        ParamType::String => {
            let s = format!("sample-{slug}");
            (s.clone(), Value::from(s.clone()), Some(Value::from(s)))
        }
        ParamType::Number => (
            "24.90".into(),
            serde_json::json!(24.9),
            Some(serde_json::json!(24.9)),
        ),
        ParamType::Integer => ("3".into(), serde_json::json!(3), Some(serde_json::json!(3))),
        ParamType::Boolean => ("true".into(), Value::Bool(true), Some(Value::Bool(true))),
        ParamType::StringList => (
            "SKU-1".into(),
            serde_json::json!(["SKU-1", "SKU-2"]),
            Some(serde_json::json!(["SKU-1"])),
        ),
        ParamType::Contents => (
            String::new(),
            serde_json::json!([{"id": "SKU-1", "quantity": 2, "item_price": 24.9}]),
            None,
        ),
    }
}

/// What the runtime makes of a text of the page (the clicked element's text), for the
/// plain forms the harness plants.
fn convert_text(ty: ParamType, text: &str) -> Option<Value> {
    let t = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if t.is_empty() {
        return None;
    }
    match ty {
        ParamType::String => Some(Value::from(t)),
        ParamType::StringList => Some(serde_json::json!([t])),
        ParamType::Number => t
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number),
        ParamType::Integer => t.parse::<f64>().ok().map(|f| Value::from(f.round() as i64)),
        ParamType::Boolean => Some(Value::Bool(matches!(
            t.to_ascii_lowercase().as_str(),
            "true" | "1" | "yes"
        ))),
        ParamType::Contents => None,
    }
}

/// The value the runtime reads for a JSON-planted sample (data layer, `window`).
fn json_expected(ty: ParamType, json: &Value) -> Option<Value> {
    match ty {
        ParamType::StringList | ParamType::Contents => Some(json.clone()),
        _ => sample(ty, "").2.map(|_| json.clone()),
    }
}

/// Where a source's sample is planted and under which name.
pub(super) fn source_key(s: &Source) -> String {
    format!("{}:{}", s.kind(), s.target())
}

impl Planted {
    /// The value the runtime must send for parameter `param` read from `s`; `None` when
    /// the runtime leaves it out (nothing to read).
    #[must_use]
    pub fn expected(&self, param: &str, s: &Source) -> Option<Value> {
        let ty = s.ty();
        match s {
            Source::Random => None,
            Source::Attribute { .. } if !self.has_element => None,
            Source::Text { selector: None, .. } => {
                if !self.has_element {
                    return None;
                }
                convert_text(ty, self.element_text.as_deref().unwrap_or(SAMPLE_TEXT))
            }
            Source::DataLayer { .. } | Source::Window { .. } => {
                let (_, json, _) = sample(ty, param);
                json_expected(ty, &json)
            }
            _ => sample(ty, param).2,
        }
    }

    /// The `eventID` the runtime must send for an id read from `s`.
    #[must_use]
    pub fn expected_id(&self, s: &Source) -> Option<String> {
        self.ids.get(&source_key(s)).cloned()
    }
}

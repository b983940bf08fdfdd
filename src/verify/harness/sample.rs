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

/// What the runtime sends for a value it read as type `ty` (its `as`): text tidied, an
/// empty or missing value left out (`None`), numbers, whole numbers and booleans read as
/// `docs/values.md` says ([`crate::values`], the same definition as the runtime's
/// `values.js.j2`), lists and contents as planted.
#[must_use]
pub fn expected_value(ty: ParamType, v: &Value) -> Option<Value> {
    let tidy = |s: &str| crate::text::normalize_text(s);
    if let Value::String(s) = v
        && tidy(s).is_empty()
    {
        return None;
    }
    match ty {
        ParamType::String => crate::values::read_text(v).map(Value::from),
        ParamType::StringList | ParamType::Contents => match v {
            Value::String(s) if ty == ParamType::StringList => Some(serde_json::json!([tidy(s)])),
            Value::Null | Value::String(_) => None,
            other => Some(other.clone()),
        },
        ParamType::Number => crate::values::read_number(v).map(Value::Number),
        ParamType::Integer => crate::values::read_integer(v).map(Value::from),
        ParamType::Boolean => crate::values::read_boolean(v).map(Value::Bool),
    }
}

/// What the runtime makes of a text of the page (the clicked element's text).
fn convert_text(ty: ParamType, text: &str) -> Option<Value> {
    match ty {
        ParamType::Contents => None,
        _ => expected_value(ty, &Value::from(text)),
    }
}

/// The value the runtime reads for a JSON-planted sample (data layer, `window`).
fn json_expected(ty: ParamType, json: &Value) -> Option<Value> {
    match ty {
        ParamType::StringList | ParamType::Contents => Some(json.clone()),
        _ => expected_value(ty, json),
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

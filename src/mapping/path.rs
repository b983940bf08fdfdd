//! Dotted record paths (`order.customer.email`, `order.lines.0.sku`), split once.

use serde_json::Value;

/// A record path, split into its segments when the mapping is compiled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordPath {
    text: String,
    segments: Vec<Segment>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Segment {
    key: String,
    index: Option<usize>,
}

impl RecordPath {
    /// Splits `text` at dots.
    #[must_use]
    pub fn new(text: &str) -> RecordPath {
        RecordPath {
            text: text.to_owned(),
            segments: text
                .split('.')
                .map(|s| Segment {
                    key: s.to_owned(),
                    index: s.parse().ok(),
                })
                .collect(),
        }
    }

    /// The path as written.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The value at this path; `None` when a segment is missing. `null` counts as
    /// missing. Numeric segments index lists.
    #[must_use]
    pub fn get<'v>(&self, record: &'v Value) -> Option<&'v Value> {
        let mut cur = record;
        for s in &self.segments {
            cur = match cur {
                Value::Object(o) => o.get(&s.key)?,
                Value::Array(a) => a.get(s.index?)?,
                _ => return None,
            };
        }
        (!cur.is_null()).then_some(cur)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn follows_objects_and_lists() {
        let r = json!({"order": {"lines": [{"sku": "A"}], "note": null}});
        assert_eq!(
            RecordPath::new("order.lines.0.sku").get(&r),
            Some(&json!("A"))
        );
        assert_eq!(RecordPath::new("order.lines.1.sku").get(&r), None);
        assert_eq!(
            RecordPath::new("order.note").get(&r),
            None,
            "null is missing"
        );
        assert_eq!(RecordPath::new("order.lines.sku").get(&r), None);
        assert_eq!(RecordPath::new("order.missing.deep").get(&r), None);
    }
}

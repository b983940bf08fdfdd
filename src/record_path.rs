//! Dotted record paths (`order.customer.email`, `order.lines.0.sku`), split once: the one
//! way tagc reads a backend record, for `tagc send`'s mapping and `tagc check`'s sample
//! checks alike (a `null` is absent in both).

use serde_json::{Map, Value};

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
    pub fn get<'v, R: Record + ?Sized>(&self, record: &'v R) -> Option<&'v Value> {
        let (first, rest) = self.segments.split_first()?;
        let mut cur = record.top(&first.key, first.index)?;
        for s in rest {
            cur = match cur {
                Value::Object(o) => o.get(&s.key)?,
                Value::Array(a) => a.get(s.index?)?,
                _ => return None,
            };
        }
        (!cur.is_null()).then_some(cur)
    }

    /// The first segment: the record's top-level key this path starts at.
    #[must_use]
    pub fn top_key(&self) -> &str {
        self.segments.first().map_or("", |s| s.key.as_str())
    }

    /// The value at this path as written, `null` included: for messages that say a field
    /// is null rather than missing. Reading a record always goes through [`Self::get`].
    #[must_use]
    pub fn get_raw<'v>(&self, record: &'v Value) -> Option<&'v Value> {
        let mut cur = record;
        for s in &self.segments {
            cur = match cur {
                Value::Object(o) => o.get(&s.key)?,
                Value::Array(a) => a.get(s.index?)?,
                _ => return None,
            };
        }
        Some(cur)
    }
}

/// A record a path can be read from: a JSON value, or [`TopLevel`] (only the fields a
/// mapping reads, parsed from a line without building the whole record).
pub trait Record {
    /// The value of the top-level `key` (`index` is the key as a number, for a record
    /// that is a list).
    fn top(&self, key: &str, index: Option<usize>) -> Option<&Value>;
}

impl Record for Value {
    fn top(&self, key: &str, index: Option<usize>) -> Option<&Value> {
        match self {
            Value::Object(o) => o.get(key),
            Value::Array(a) => a.get(index?),
            _ => None,
        }
    }
}

/// A JSON object's top-level fields that a mapping reads: one slot per key of the
/// mapping's [`crate::mapping::Mapper::top_keys`], empty when the record lacks it. A key
/// written twice counts as written last (as in a parsed object).
#[derive(Debug, Clone, PartialEq)]
pub struct TopLevel<'k> {
    keys: &'k [&'k str],
    values: Vec<Option<Value>>,
}

impl<'k> TopLevel<'k> {
    /// No field yet, with a slot for each of `keys`.
    #[must_use]
    pub fn new(keys: &'k [&'k str]) -> TopLevel<'k> {
        TopLevel {
            keys,
            values: vec![None; keys.len()],
        }
    }

    /// The slot of `key`, if it is one of the keys kept.
    #[must_use]
    pub fn slot(&self, key: &str) -> Option<usize> {
        // Keys are short: comparing bytes inline beats a call to `memcmp` per key.
        let same =
            |k: &str| k.len() == key.len() && k.bytes().zip(key.bytes()).all(|(a, b)| a == b);
        self.keys.iter().position(|k| same(k))
    }

    /// Sets the field in `slot` (from [`TopLevel::slot`]), replacing its value.
    pub fn set(&mut self, slot: usize, value: Value) {
        if let Some(v) = self.values.get_mut(slot) {
            *v = Some(value);
        }
    }
}

impl Record for TopLevel<'_> {
    fn top(&self, key: &str, _: Option<usize>) -> Option<&Value> {
        self.values.get(self.slot(key)?)?.as_ref()
    }
}

/// Puts `value` at the path `segments` under `root`, creating (or replacing with) objects
/// on the way.
pub fn insert_at<S: AsRef<str>>(root: &mut Map<String, Value>, segments: &[S], value: Value) {
    let Some((last, parents)) = segments.split_last() else {
        return;
    };
    let mut cur = root;
    for p in parents {
        let slot = cur
            .entry(p.as_ref().to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        if !slot.is_object() {
            *slot = Value::Object(Map::new());
        }
        let Value::Object(next) = slot else { return };
        cur = next;
    }
    cur.insert(last.as_ref().to_owned(), value);
}

impl RecordPath {
    /// Puts `value` at this path in `record` (made an object if it is not one).
    pub fn set(&self, record: &mut Value, value: Value) {
        if !record.is_object() {
            *record = Value::Object(Map::new());
        }
        if let Value::Object(root) = record {
            let keys: Vec<&str> = self.segments.iter().map(|s| s.key.as_str()).collect();
            insert_at(root, &keys, value);
        }
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

    #[test]
    fn set_creates_the_objects_on_the_way() {
        let mut r = json!({"form": {"x": 1}, "scalar": 3});
        RecordPath::new("form.event_id").set(&mut r, json!("e-1"));
        RecordPath::new("scalar.deep").set(&mut r, json!(true));
        assert_eq!(
            r,
            json!({"form": {"x": 1, "event_id": "e-1"}, "scalar": {"deep": true}})
        );
    }
}

//! [`ParamMap`]: an event's parameters by name, in name order.

use std::collections::BTreeMap;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::param::ParamValue;

/// An event's parameters by name, iterated in name order — what a
/// `BTreeMap<String, ParamValue>` would be, in a sorted vector.
///
/// A configuration holds one of these per button and load event, usually with one to four
/// entries; a `BTreeMap` allocates a node of eleven slots for even one entry (≈900 bytes
/// here), this holds exactly its entries. Lookups are binary searches.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ParamMap(Vec<(String, ParamValue)>);

impl ParamMap {
    /// An empty map.
    #[must_use]
    pub const fn new() -> Self {
        ParamMap(Vec::new())
    }

    /// The number of parameters.
    #[must_use]
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn find(&self, key: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| k.as_str().cmp(key))
    }

    /// The value of parameter `key`.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&ParamValue> {
        self.find(key).ok().map(|i| &self.0[i].1)
    }

    /// Whether parameter `key` is set.
    #[must_use]
    pub fn contains_key(&self, key: &str) -> bool {
        self.find(key).is_ok()
    }

    /// Sets parameter `key`, returning the value it replaces.
    pub fn insert(&mut self, key: String, value: ParamValue) -> Option<ParamValue> {
        match self.find(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.0[i].1, value)),
            Err(i) => {
                self.0.insert(i, (key, value));
                None
            }
        }
    }

    /// The parameters in name order.
    pub fn iter(
        &self,
    ) -> impl DoubleEndedIterator<Item = (&String, &ParamValue)> + ExactSizeIterator {
        self.0.iter().map(|(k, v)| (k, v))
    }

    /// The names, in order.
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &String> + ExactSizeIterator {
        self.0.iter().map(|(k, _)| k)
    }

    /// The values, in name order.
    pub fn values(&self) -> impl DoubleEndedIterator<Item = &ParamValue> + ExactSizeIterator {
        self.0.iter().map(|(_, v)| v)
    }
}

impl<'a> IntoIterator for &'a ParamMap {
    type Item = (&'a String, &'a ParamValue);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (String, ParamValue)>,
        fn(&'a (String, ParamValue)) -> (&'a String, &'a ParamValue),
    >;

    fn into_iter(self) -> Self::IntoIter {
        fn pair((k, v): &(String, ParamValue)) -> (&String, &ParamValue) {
            (k, v)
        }
        self.0.iter().map(pair)
    }
}

impl IntoIterator for ParamMap {
    type Item = (String, ParamValue);
    type IntoIter = std::vec::IntoIter<(String, ParamValue)>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl Extend<(String, ParamValue)> for ParamMap {
    /// Adds each pair in turn; a later value for a name replaces an earlier one.
    fn extend<I: IntoIterator<Item = (String, ParamValue)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.insert(k, v);
        }
    }
}

impl FromIterator<(String, ParamValue)> for ParamMap {
    /// As [`ParamMap::extend`] on an empty map: the last value for a name wins.
    fn from_iter<I: IntoIterator<Item = (String, ParamValue)>>(iter: I) -> Self {
        let mut pairs: Vec<(String, ParamValue)> = iter.into_iter().collect();
        // A stable sort keeps equal names in input order; then the last of each run wins.
        pairs.sort_by(|a, b| a.0.cmp(&b.0));
        let mut out: Vec<(String, ParamValue)> = Vec::with_capacity(pairs.len());
        for (k, v) in pairs {
            match out.last_mut() {
                Some(last) if last.0 == k => last.1 = v,
                _ => out.push((k, v)),
            }
        }
        out.shrink_to_fit();
        ParamMap(out)
    }
}

impl From<BTreeMap<String, ParamValue>> for ParamMap {
    fn from(map: BTreeMap<String, ParamValue>) -> Self {
        ParamMap(map.into_iter().collect())
    }
}

impl Serialize for ParamMap {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for ParamMap {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = ParamMap;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a map of parameters")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<ParamMap, A::Error> {
                let mut pairs = Vec::with_capacity(map.size_hint().unwrap_or(0).min(64));
                while let Some(pair) = map.next_entry::<String, ParamValue>()? {
                    pairs.push(pair);
                }
                Ok(pairs.into_iter().collect())
            }
        }
        d.deserialize_map(Visit)
    }
}

impl JsonSchema for ParamMap {
    // Exactly the schema of the `BTreeMap<String, ParamValue>` it stands for.
    fn inline_schema() -> bool {
        <BTreeMap<String, ParamValue> as JsonSchema>::inline_schema()
    }

    fn schema_name() -> std::borrow::Cow<'static, str> {
        <BTreeMap<String, ParamValue> as JsonSchema>::schema_name()
    }

    fn schema_id() -> std::borrow::Cow<'static, str> {
        <BTreeMap<String, ParamValue> as JsonSchema>::schema_id()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        <BTreeMap<String, ParamValue> as JsonSchema>::json_schema(generator)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(n: i64) -> ParamValue {
        ParamValue::Literal(serde_json::json!(n))
    }

    #[test]
    fn behaves_as_the_btreemap_it_replaces() {
        let input = [
            ("value", 1),
            ("currency", 2),
            ("value", 3),
            ("a", 4),
            ("z", 5),
        ];
        let map: ParamMap = input
            .iter()
            .map(|(k, n)| ((*k).to_owned(), lit(*n)))
            .collect();
        let tree: BTreeMap<String, ParamValue> = input
            .iter()
            .map(|(k, n)| ((*k).to_owned(), lit(*n)))
            .collect();
        assert!(map.iter().eq(tree.iter()));
        assert_eq!(map.len(), tree.len());
        for key in ["value", "a", "b", "z", ""] {
            assert_eq!(map.get(key), tree.get(key), "{key}");
            assert_eq!(map.contains_key(key), tree.contains_key(key));
        }
        let mut m2 = map.clone();
        let mut t2 = tree.clone();
        assert_eq!(m2.insert("b".into(), lit(9)), t2.insert("b".into(), lit(9)));
        assert_eq!(m2.insert("a".into(), lit(8)), t2.insert("a".into(), lit(8)));
        assert!(m2.iter().eq(t2.iter()));
        assert_eq!(
            serde_json::to_string(&m2).unwrap(),
            serde_json::to_string(&t2).unwrap()
        );
        let back: ParamMap = serde_json::from_str(r#"{"z": 1, "a": 2, "z": 3}"#).unwrap();
        let tback: BTreeMap<String, ParamValue> =
            serde_json::from_str(r#"{"z": 1, "a": 2, "z": 3}"#).unwrap();
        assert!(back.iter().eq(tback.iter()));
        assert_eq!(ParamMap::from(tree), map);
    }

    #[test]
    fn has_the_schema_of_a_btreemap() {
        let a = schemars::schema_for!(ParamMap);
        let b = schemars::schema_for!(BTreeMap<String, ParamValue>);
        assert_eq!(a, b);
    }
}

//! The span tree: where every key and value of a loaded document came from.
//!
//! It mirrors the `serde_json::Value` built from the same YAML, so a JSON Pointer (from a
//! schema error) or a [`Path`] (from a semantic rule) can be turned into a [`Span`].

use crate::source::Span;

/// Where one value came from, and where its children came from.
#[derive(Debug, Clone)]
pub struct Node {
    /// The span of the value.
    pub span: Span,
    /// The span of the key this value sits under, if it is a mapping value.
    pub key_span: Option<Span>,
    /// The children, for sequences and mappings.
    pub children: Children,
}

/// The children of a [`Node`].
#[derive(Debug, Clone)]
pub enum Children {
    /// A scalar.
    None,
    /// Sequence items, in order.
    Seq(Vec<Node>),
    /// Mapping entries, in source order.
    Map(Vec<(String, Node)>),
}

impl Node {
    /// A node for a scalar value.
    #[must_use]
    pub fn leaf(span: Span) -> Self {
        Self {
            span,
            key_span: None,
            children: Children::None,
        }
    }

    /// The child under `seg`, if any.
    #[must_use]
    pub fn child(&self, seg: &Seg<'_>) -> Option<&Node> {
        match (&self.children, seg) {
            (Children::Seq(items), Seg::Index(i)) => items.get(*i),
            (Children::Map(entries), Seg::Key(k)) => {
                entries.iter().find(|(key, _)| key == k).map(|(_, n)| n)
            }
            (Children::Seq(items), Seg::Key(k)) => {
                k.parse::<usize>().ok().and_then(|i| items.get(i))
            }
            _ => None,
        }
    }

    /// Follows `path` as far as it goes. Returns the deepest node reached and whether the
    /// whole path was found.
    #[must_use]
    pub fn walk<'a>(&'a self, path: &[Seg<'_>]) -> (&'a Node, bool) {
        let mut node = self;
        for seg in path {
            match node.child(seg) {
                Some(n) => node = n,
                None => return (node, false),
            }
        }
        (node, true)
    }

    /// The span of the value at `path`, or of the nearest ancestor that exists.
    #[must_use]
    pub fn value_span(&self, path: &[Seg<'_>]) -> Span {
        self.walk(path).0.span
    }

    /// The span of the key at `path` (falling back to its value, or the nearest ancestor).
    #[must_use]
    pub fn key_span(&self, path: &[Seg<'_>]) -> Span {
        let (n, _) = self.walk(path);
        n.key_span.unwrap_or(n.span)
    }

    /// Whether the full path exists.
    #[must_use]
    pub fn contains(&self, path: &[Seg<'_>]) -> bool {
        self.walk(path).1
    }

    /// Number of nodes in this subtree (for alias-expansion budgets).
    #[must_use]
    pub fn size(&self) -> usize {
        1 + match &self.children {
            Children::None => 0,
            Children::Seq(v) => v.iter().map(Node::size).sum(),
            Children::Map(v) => v.iter().map(|(_, n)| n.size()).sum(),
        }
    }
}

/// One step of a path into a document.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Seg<'a> {
    /// A mapping key.
    Key(std::borrow::Cow<'a, str>),
    /// A sequence index.
    Index(usize),
}

impl<'a> From<&'a str> for Seg<'a> {
    fn from(s: &'a str) -> Self {
        Seg::Key(std::borrow::Cow::Borrowed(s))
    }
}

impl<'a> From<&'a String> for Seg<'a> {
    fn from(s: &'a String) -> Self {
        Seg::Key(std::borrow::Cow::Borrowed(s.as_str()))
    }
}

impl From<String> for Seg<'_> {
    fn from(s: String) -> Self {
        Seg::Key(std::borrow::Cow::Owned(s))
    }
}

impl From<usize> for Seg<'_> {
    fn from(i: usize) -> Self {
        Seg::Index(i)
    }
}

/// Builds a `Vec<Seg>` from keys and indices: `path!["pages", 3, "buttons"]`.
#[macro_export]
macro_rules! path {
    ($($seg:expr),* $(,)?) => {{
        // A `Vec` because paths are stored and extended; clippy would prefer an array.
        #[allow(clippy::useless_vec)]
        let path = vec![$($crate::load::Seg::from($seg)),*];
        path
    }};
}

/// Splits a JSON Pointer (RFC 6901) into segments. Numeric segments are kept as keys;
/// [`Node::child`] treats them as indices inside sequences.
#[must_use]
pub fn pointer_segments(pointer: &str) -> Vec<Seg<'static>> {
    if pointer.is_empty() {
        return Vec::new();
    }
    pointer
        .split('/')
        .skip(1)
        .map(|s| {
            Seg::Key(std::borrow::Cow::Owned(
                s.replace("~1", "/").replace("~0", "~"),
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointer_segments_unescape() {
        assert_eq!(
            pointer_segments("/a/0/k~1~0"),
            vec![
                Seg::from("a".to_string()),
                Seg::from("0".to_string()),
                Seg::from("k/~".to_string())
            ]
        );
        assert!(pointer_segments("").is_empty());
    }
}

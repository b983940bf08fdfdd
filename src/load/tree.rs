//! The span tree: where every key and value of a loaded document came from.
//!
//! It holds the document's values too, and builds its `serde_json::Value` on demand, so a
//! JSON Pointer (from a schema error) or a [`Path`] (from a semantic rule) can be turned
//! into a [`Span`].

use serde_json::{Number, Value};

use crate::source::{FileId, Pos, Span};

/// The index of a node in a [`Tree`].
pub type NodeId = usize;

/// Marks a node that does not sit under a mapping key.
const NO_KEY: u32 = u32::MAX;

/// What a node holds. Scalars keep their resolved value: the document's JSON is built
/// from the tree on demand ([`Tree::to_value`]), one part at a time, never held whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Null,
    Bool,
    /// `a` indexes [`Tree::numbers`].
    Number,
    /// `a`, `b`: offset and length in [`Tree::strings`].
    String,
    /// `a`, `b`: offset and count in [`Tree::children`].
    Seq,
    /// As `Seq`; each child carries its key.
    Map,
}

/// One node: 32 bytes, no allocation of its own (the file is the tree's). Positions are
/// packed ([`Tree::pack`]).
#[derive(Debug, Clone, Copy)]
struct Node {
    start: u32,
    end: u32,
    key_start: u32,
    key_end: u32,
    /// Index in [`Tree::keys`], or [`NO_KEY`].
    key: u32,
    kind: Kind,
    a: u32,
    b: u32,
}

/// A packed [`Pos`] with this bit set indexes [`Tree::far`] with its other bits.
const FAR: u32 = 1 << 31;
/// Bits of a packed column; the line takes the bits above them, up to [`FAR`].
const COL_BITS: u32 = 11;
const COL_MASK: u32 = (1 << COL_BITS) - 1;
/// The largest line a packed position holds in place (1,048,575).
const MAX_NEAR_LINE: u32 = (FAR >> COL_BITS) - 1;

/// A parsed document in one flat arena: every value with where it came from, and for
/// mapping values where their key came from.
///
/// Nodes are stored in document order; a collection lists its children as offsets from
/// itself, so a copied subtree (an alias) stays valid. Keys are interned.
#[derive(Debug, Clone)]
pub struct Tree {
    file: FileId,
    nodes: Vec<Node>,
    children: Vec<u32>,
    keys: Vec<Box<str>>,
    strings: String,
    numbers: Vec<Number>,
    /// Positions past line 1,048,575 or column 2,047, which do not pack into 31 bits.
    far: Vec<Pos>,
}

/// What [`Tree::to_value`] builds a scalar from (for the builder in `yaml.rs`).
pub(super) enum Scalar<'a> {
    Null,
    Bool(bool),
    Number(Number),
    String(&'a str),
}

fn u(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl Tree {
    /// An empty tree for `file`.
    pub(super) fn new(file: FileId) -> Self {
        Self {
            file,
            nodes: Vec::new(),
            children: Vec::new(),
            keys: Vec::new(),
            strings: String::new(),
            numbers: Vec::new(),
            far: Vec::new(),
        }
    }

    /// `pos` in 32 bits: the line above the low [`COL_BITS`] bits and the column in them
    /// (1-based, as in [`Pos`]) when both fit, which is every position of a file under a
    /// million lines without lines of 2,047 characters; otherwise an index into
    /// [`Tree::far`] marked by [`FAR`].
    fn pack(&mut self, pos: Pos) -> u32 {
        if pos.line <= MAX_NEAR_LINE && pos.col <= COL_MASK {
            return (pos.line << COL_BITS) | pos.col;
        }
        self.far.push(pos);
        FAR | u(self.far.len() - 1)
    }

    /// The position packed into `p` by [`Tree::pack`].
    fn unpack(&self, p: u32) -> Pos {
        if p & FAR == 0 {
            Pos::new(p >> COL_BITS, p & COL_MASK)
        } else {
            self.far
                .get((p & !FAR) as usize)
                .copied()
                .unwrap_or(Pos::new(1, 1))
        }
    }

    /// The number of nodes.
    pub(super) fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Appends a scalar node; returns its id.
    pub(super) fn push_scalar(&mut self, span: Span, value: Scalar<'_>) -> NodeId {
        let (kind, a, b) = match value {
            Scalar::Null => (Kind::Null, 0, 0),
            Scalar::Bool(v) => (Kind::Bool, u32::from(v), 0),
            Scalar::Number(n) => {
                self.numbers.push(n);
                (Kind::Number, u(self.numbers.len() - 1), 0)
            }
            Scalar::String(s) => {
                let at = u(self.strings.len());
                self.strings.push_str(s);
                (Kind::String, at, u(s.len()))
            }
        };
        self.push(span, kind, a, b)
    }

    /// Appends a collection node whose children follow; [`Tree::close`] lists them.
    pub(super) fn open(&mut self, span: Span, seq: bool) -> NodeId {
        self.push(span, if seq { Kind::Seq } else { Kind::Map }, 0, 0)
    }

    fn push(&mut self, span: Span, kind: Kind, a: u32, b: u32) -> NodeId {
        let start = self.pack(span.start);
        let end = self.pack(span.end);
        self.nodes.push(Node {
            start,
            end,
            key_start: start,
            key_end: start,
            key: NO_KEY,
            kind,
            a,
            b,
        });
        self.nodes.len() - 1
    }

    /// Records the children of collection `id` and where it ends.
    pub(super) fn close(&mut self, id: NodeId, kids: &[NodeId], end: Pos) {
        let at = u(self.children.len());
        self.children
            .extend(kids.iter().map(|&k| u(k.saturating_sub(id))));
        let end = self.pack(end);
        if let Some(n) = self.nodes.get_mut(id) {
            n.a = at;
            n.b = u(kids.len());
            n.end = end;
        }
    }

    /// Interns a mapping key.
    pub(super) fn intern(
        &mut self,
        key: &str,
        index: &mut std::collections::HashMap<Box<str>, u32>,
    ) -> u32 {
        if let Some(&k) = index.get(key) {
            return k;
        }
        let k = u(self.keys.len());
        self.keys.push(key.into());
        index.insert(key.into(), k);
        k
    }

    /// The text of interned key `k`.
    pub(super) fn key_text(&self, k: u32) -> &str {
        self.keys.get(k as usize).map_or("", |s| s)
    }

    /// Puts node `id` under key `k` written at `span`.
    pub(super) fn set_key(&mut self, id: NodeId, k: u32, span: Span) {
        let (start, end) = (self.pack(span.start), self.pack(span.end));
        if let Some(n) = self.nodes.get_mut(id) {
            n.key = k;
            n.key_start = start;
            n.key_end = end;
        }
    }

    /// Copies the subtree of `len` nodes at `id` to the end (an alias), shown at `span`
    /// and under no key; returns the copy's id.
    pub(super) fn copy(&mut self, id: NodeId, len: usize, span: Span) -> NodeId {
        let at = self.nodes.len();
        let end = (id + len).min(at);
        self.nodes.extend_from_within(id.min(end)..end);
        let (start, end) = (self.pack(span.start), self.pack(span.end));
        if let Some(n) = self.nodes.get_mut(at) {
            n.start = start;
            n.end = end;
            n.key = NO_KEY;
            n.key_start = start;
            n.key_end = start;
        }
        at
    }

    /// The root node.
    #[must_use]
    pub fn root(&self) -> NodeId {
        0
    }

    /// Whether the document is empty or `null`.
    #[must_use]
    pub fn is_null(&self) -> bool {
        self.nodes.first().is_none_or(|n| n.kind == Kind::Null)
    }

    /// The span of node `id`'s value.
    #[must_use]
    pub fn span(&self, id: NodeId) -> Span {
        self.nodes.get(id).map_or(Span::file_start(self.file), |n| {
            Span::new(self.file, self.unpack(n.start), self.unpack(n.end))
        })
    }

    /// The span of the key node `id` sits under, if it is a mapping value.
    #[must_use]
    pub fn key_span_of(&self, id: NodeId) -> Option<Span> {
        let n = self.nodes.get(id)?;
        (n.key != NO_KEY)
            .then(|| Span::new(self.file, self.unpack(n.key_start), self.unpack(n.key_end)))
    }

    /// The children of collection `id`, in source order (none for a scalar).
    pub fn children(&self, id: NodeId) -> impl Iterator<Item = NodeId> + '_ {
        let list = match self.nodes.get(id) {
            Some(n) if matches!(n.kind, Kind::Seq | Kind::Map) => self
                .children
                .get(n.a as usize..(n.a as usize + n.b as usize))
                .unwrap_or_default(),
            _ => &[],
        };
        list.iter().map(move |&d| id + d as usize)
    }

    /// The key node `id` sits under, if any.
    #[must_use]
    pub fn key(&self, id: NodeId) -> Option<&str> {
        let n = self.nodes.get(id)?;
        (n.key != NO_KEY).then(|| self.key_text(n.key))
    }

    /// The child of `id` under `seg`, if any.
    #[must_use]
    pub fn child(&self, id: NodeId, seg: &Seg<'_>) -> Option<NodeId> {
        let n = self.nodes.get(id)?;
        let nth = |i: usize| {
            (i < n.b as usize)
                .then(|| self.children.get(n.a as usize + i))
                .flatten()
                .map(|&d| id + d as usize)
        };
        match (n.kind, seg) {
            (Kind::Seq, Seg::Index(i)) => nth(*i),
            (Kind::Map, Seg::Key(k)) => {
                self.children(id).find(|&c| self.key(c) == Some(k.as_ref()))
            }
            (Kind::Seq, Seg::Key(k)) => k.parse::<usize>().ok().and_then(nth),
            _ => None,
        }
    }

    /// Follows `path` from the root as far as it goes. Returns the deepest node reached
    /// and whether the whole path was found.
    #[must_use]
    pub fn walk(&self, path: &[Seg<'_>]) -> (NodeId, bool) {
        let mut node = self.root();
        for seg in path {
            match self.child(node, seg) {
                Some(n) => node = n,
                None => return (node, false),
            }
        }
        (node, true)
    }

    /// The span of the value at `path`, or of the nearest ancestor that exists.
    #[must_use]
    pub fn value_span(&self, path: &[Seg<'_>]) -> Span {
        self.span(self.walk(path).0)
    }

    /// The span of the key at `path` (falling back to its value, or the nearest ancestor).
    #[must_use]
    pub fn key_span(&self, path: &[Seg<'_>]) -> Span {
        let (n, _) = self.walk(path);
        self.key_span_of(n).unwrap_or_else(|| self.span(n))
    }

    /// Whether the full path exists.
    #[must_use]
    pub fn contains(&self, path: &[Seg<'_>]) -> bool {
        self.walk(path).1
    }

    /// Whether node `id` is a sequence.
    #[must_use]
    pub fn is_seq(&self, id: NodeId) -> bool {
        self.nodes.get(id).is_some_and(|n| n.kind == Kind::Seq)
    }

    /// The JSON value of node `id` and everything under it.
    #[must_use]
    pub fn to_value(&self, id: NodeId) -> Value {
        self.to_value_skipping(id, None)
    }

    /// Like [`Tree::to_value`], with the sequence under key `skip` of this mapping
    /// written as an empty list (its items are then converted one at a time).
    #[must_use]
    pub fn to_value_skipping(&self, id: NodeId, skip: Option<&str>) -> Value {
        let Some(n) = self.nodes.get(id) else {
            return Value::Null;
        };
        match n.kind {
            Kind::Null => Value::Null,
            Kind::Bool => Value::Bool(n.a != 0),
            Kind::Number => self
                .numbers
                .get(n.a as usize)
                .map_or(Value::Null, |x| Value::Number(x.clone())),
            Kind::String => Value::String(
                self.strings
                    .get(n.a as usize..(n.a as usize + n.b as usize))
                    .unwrap_or_default()
                    .to_owned(),
            ),
            Kind::Seq => Value::Array(self.children(id).map(|c| self.to_value(c)).collect()),
            Kind::Map => Value::Object(
                self.children(id)
                    .map(|c| {
                        let key = self.key(c).unwrap_or_default();
                        let v = if skip == Some(key) && self.is_seq(c) {
                            Value::Array(Vec::new())
                        } else {
                            self.to_value(c)
                        };
                        (key.to_owned(), v)
                    })
                    .collect(),
            ),
        }
    }

    /// Frees the scalar values, keeping every span, once the document has been converted
    /// (after this, [`Tree::to_value`] gives empty strings and `null` numbers).
    pub fn drop_values(&mut self) {
        self.strings = String::new();
        self.numbers = Vec::new();
    }

    /// Frees spare capacity (the tree is kept for as long as diagnostics may be made).
    pub(super) fn shrink(&mut self) {
        self.nodes.shrink_to_fit();
        self.children.shrink_to_fit();
        self.keys.shrink_to_fit();
        self.strings.shrink_to_fit();
        self.numbers.shrink_to_fit();
        self.far.shrink_to_fit();
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
/// [`Tree::child`] treats them as indices inside sequences.
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
    fn positions_pack_in_place_or_far_and_come_back_equal() {
        let mut t = Tree::new(FileId(0));
        let cases = [
            Pos::new(1, 1),
            Pos::new(MAX_NEAR_LINE, COL_MASK),
            Pos::new(MAX_NEAR_LINE + 1, 1),
            Pos::new(7, COL_MASK + 1),
            Pos::new(u32::MAX, u32::MAX),
            Pos::new(0, 0),
        ];
        let packed: Vec<u32> = cases.iter().map(|&p| t.pack(p)).collect();
        assert_eq!(packed[0] & FAR, 0);
        assert_eq!(packed[1] & FAR, 0);
        assert_eq!(t.far.len(), 3, "only the three that do not fit go far");
        for (p, x) in cases.iter().zip(packed) {
            assert_eq!(t.unpack(x), *p);
        }
    }

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

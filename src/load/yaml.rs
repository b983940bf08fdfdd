//! YAML text → `serde_json::Value` plus a span tree, in one non-recursive pass.
//!
//! Built directly on `saphyr-parser`'s event stream with an explicit stack, so hostile
//! input cannot overflow the call stack. The pass enforces the limits in [`Limits`]
//! (nesting depth, node count including alias expansion), rejects duplicate keys naming
//! both places, and resolves plain scalars with the YAML 1.2 core schema (so `no` and
//! `NO` stay strings) — with one deliberate deviation: decimal integers with a leading
//! zero (`017`, `08540`) stay strings, because in a tracking config they are zip codes,
//! SKUs or ids whose zeros matter.

// The builder's steps fail with one `Diagnostic`; that path is taken once per file at most,
// so boxing it would only add noise.
#![allow(clippy::result_large_err)]

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Span as YSpan};
use serde_json::{Number, Value};

use super::Limits;
use super::tree::{NodeId, Scalar, Tree};
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::source::{FileId, Pos, Span};

/// A parsed document: the JSON value and where each part came from.
#[derive(Debug, Clone)]
pub struct Document {
    /// The document as JSON.
    pub value: Value,
    /// The document with every span.
    pub tree: Tree,
    /// Secrets found while parsing (see [`super::secrets`]); reported by
    /// validation, they do not stop the file from being checked.
    pub secrets: Vec<Diagnostic>,
}

/// A parsed document as the loader keeps it: the tree alone, whose JSON is built part by
/// part when validated (a whole document's `serde_json::Value` costs ten times its text).
#[derive(Debug, Clone)]
pub struct Parsed {
    /// The document with every span and value.
    pub tree: Tree,
    /// As [`Document::secrets`].
    pub secrets: Vec<Diagnostic>,
}

enum Frame {
    Seq {
        start: Span,
        anchor: usize,
        node: NodeId,
        kids: Vec<NodeId>,
    },
    Map {
        start: Span,
        anchor: usize,
        node: NodeId,
        kids: Vec<NodeId>,
        keys: Vec<u32>,
        index: HashMap<u32, usize>,
        pending_key: Option<(u32, Span)>,
    },
}

/// An anchored subtree: its root and its node count.
struct Anchor {
    node: NodeId,
    size: usize,
}

struct Builder {
    file: FileId,
    limits: Limits,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Anchor>,
    nodes: usize,
    tree: Tree,
    key_index: HashMap<Box<str>, u32>,
    root: Option<NodeId>,
    diags: Diagnostics,
    secrets: Vec<Diagnostic>,
    last_end: Span,
}

fn pos(m: saphyr_parser::Marker) -> Pos {
    line_col(m.line(), m.col())
}

/// The position at 1-based `line`, 0-based character column `col`.
fn line_col(line: usize, col: usize) -> Pos {
    Pos::new(
        u32::try_from(line).unwrap_or(u32::MAX),
        u32::try_from(col.saturating_add(1)).unwrap_or(u32::MAX),
    )
}

/// Where a scanner error points: saphyr's mark, except for the tab errors whose mark is
/// not on the tab. There the tab is found in `text` and the caret goes on it:
///
/// - "tabs disallowed within this context (block indentation)": the mark is on the right
///   line but past the leading whitespace (on the key); the tab is the first one in that
///   line's leading whitespace.
/// - "while scanning a plain scalar, found a tab": the mark is where the plain scalar
///   *started* — the value on a line above (`name: x`), so the report landed on the line
///   before the tab. The tab is on the first later line whose leading whitespace holds a
///   tab followed by content; lines whose tab sits at or right of the scalar's column can
///   only be continuation lines of the scalar (its indentation is at most that column) and
///   are passed over.
/// - "a block scalar content cannot start with a tab": the mark is the `|`/`>` header; the
///   tab starts the next line.
///
/// Lines are counted as [`crate::source::SourceFile`] counts them (`\n`), columns in
/// characters. When the tab cannot be found the mark is kept.
fn scan_error_pos(e: &ScanError, text: &str) -> Pos {
    let mark = *e.marker();
    let line_no = mark.line();
    let found = match e.info() {
        "tabs disallowed within this context (block indentation)" => {
            line_at(text, line_no).and_then(|l| leading_tab(l).map(|(col, _)| (line_no, col)))
        }
        "while scanning a plain scalar, found a tab" => text
            .split('\n')
            .enumerate()
            .skip(line_no)
            .find_map(|(i, l)| match leading_tab(l) {
                Some((col, true)) if col < mark.col() => Some((i + 1, col)),
                _ => None,
            }),
        "a block scalar content cannot start with a tab" => line_at(text, line_no + 1)
            .filter(|l| l.starts_with('\t'))
            .map(|_| (line_no + 1, 0)),
        _ => None,
    };
    found.map_or_else(|| pos(mark), |(line, col)| line_col(line, col))
}

/// The text of 1-based line `n`, without its line terminator.
fn line_at(text: &str, n: usize) -> Option<&str> {
    text.split('\n')
        .nth(n.checked_sub(1)?)
        .map(|l| l.trim_end_matches('\r'))
}

/// The 0-based column of the first tab in `line`'s leading whitespace, and whether the
/// line goes on with content after that whitespace (a comment does not count).
fn leading_tab(line: &str) -> Option<(usize, bool)> {
    let line = line.trim_end_matches('\r');
    let indent = line.find(|c| c != ' ' && c != '\t').unwrap_or(line.len());
    let col = line[..indent].find('\t')?;
    let rest = &line[indent..];
    Some((col, !rest.is_empty() && !rest.starts_with('#')))
}

/// Parses `text` (already known to be UTF-8) as one YAML document.
///
/// # Errors
/// Diagnostics for syntax errors, duplicate keys, limits and unsupported YAML features.
pub fn parse(file: FileId, text: &str, limits: Limits) -> Result<Document, Diagnostics> {
    let Parsed { tree, secrets } = parse_tree(file, text, limits)?;
    Ok(Document {
        value: tree.to_value(tree.root()),
        tree,
        secrets,
    })
}

/// [`parse`] without building the document's JSON value.
///
/// # Errors
/// As [`parse`].
pub fn parse_tree(file: FileId, text: &str, limits: Limits) -> Result<Parsed, Diagnostics> {
    let mut b = Builder {
        file,
        limits,
        stack: Vec::new(),
        anchors: HashMap::new(),
        nodes: 0,
        tree: Tree::new(file),
        key_index: HashMap::new(),
        root: None,
        diags: Diagnostics::new(),
        secrets: Vec::new(),
        last_end: Span::file_start(file),
    };
    let mut documents = 0usize;
    for ev in Parser::new_from_str(text) {
        let (event, yspan) = match ev {
            Ok(e) => e,
            Err(e) => return Err(b.fail(b.scan_error(&e, text))),
        };
        let span = b.span(yspan);
        let step = match event {
            Event::StreamStart | Event::StreamEnd | Event::Nothing | Event::DocumentEnd => Ok(()),
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    Err(Diagnostic::new(
                        Code::UnsupportedYaml,
                        span,
                        "a second YAML document (`---`) in one file",
                    )
                    .label("second document starts here")
                    .help("put each configuration in its own file and list them under `include:`"))
                } else {
                    Ok(())
                }
            }
            Event::Scalar(text, style, anchor, tag) => {
                b.scalar(&text, style, anchor, tag.as_deref(), span)
            }
            Event::Alias(id) => b.alias(id, span),
            Event::SequenceStart(anchor, tag) => b.open(true, anchor, tag.as_deref(), span),
            Event::MappingStart(anchor, tag) => b.open(false, anchor, tag.as_deref(), span),
            Event::SequenceEnd | Event::MappingEnd => b.close(span),
        };
        if let Err(d) = step {
            return Err(b.fail(d));
        }
    }
    if b.diags.has_errors() {
        return Err(b.diags);
    }
    if b.root.is_none() || b.tree.is_null() {
        {
            let mut d = Diagnostics::new();
            d.push(
                Diagnostic::new(
                    Code::EmptyFile,
                    Span::file_start(file),
                    "the file holds no configuration",
                )
                .help("start from an example: `examples/event-landing/tagc.yaml`"),
            );
            return Err(d);
        }
    }
    let mut tree = b.tree;
    tree.shrink();
    Ok(Parsed {
        tree,
        secrets: b.secrets,
    })
}

impl Builder {
    fn span(&mut self, s: YSpan) -> Span {
        let sp = Span::new(self.file, pos(s.start), pos(s.end));
        if sp.end > self.last_end.end {
            self.last_end = sp;
        }
        sp
    }

    fn fail(&mut self, d: Diagnostic) -> Diagnostics {
        let mut all = std::mem::take(&mut self.diags);
        all.push(d);
        all
    }

    fn scan_error(&self, e: &ScanError, text: &str) -> Diagnostic {
        let at = Span::point(self.file, scan_error_pos(e, text));
        let info = e.info();
        if info.contains("recursion limit") {
            return Diagnostic::new(Code::TooDeep, at, "the document is nested too deeply")
                .label("nesting limit reached here")
                .help(format!(
                    "a tracking config never needs more than {} levels; flatten this structure",
                    self.limits.max_depth
                ));
        }
        let mut d = Diagnostic::new(Code::YamlSyntax, at, format!("invalid YAML: {info}"))
            .label(info.to_owned());
        if info.contains("tab") {
            d = d.help("indent with spaces; YAML does not allow tabs for indentation");
        } else if info.contains("mapping values are not allowed") || info.contains("':'") {
            d = d.help("quote values that contain `: ` (for example `text: \"Step 1: pay\"`)");
        } else {
            d = d.help("check the indentation and quoting around this position");
        }
        d
    }

    fn count(&mut self, n: usize, span: Span) -> Result<(), Diagnostic> {
        self.nodes = self.nodes.saturating_add(n);
        if self.nodes > self.limits.max_nodes {
            return Err(Diagnostic::new(
                Code::TooManyNodes,
                span,
                format!("the document expands to more than {} values", self.limits.max_nodes),
            )
            .label("limit reached here")
            .help("split the configuration into several files with `include:`; if this comes from aliases (`*name`), expand fewer of them"));
        }
        Ok(())
    }

    fn check_tag(
        &self,
        tag: Option<&saphyr_parser::Tag>,
        span: Span,
        allowed: &[&str],
    ) -> Result<Option<String>, Diagnostic> {
        let Some(tag) = tag else { return Ok(None) };
        if (tag.handle == "tag:yaml.org,2002:" || tag.handle == "!!")
            && allowed.contains(&tag.suffix.as_str())
        {
            return Ok(Some(tag.suffix.clone()));
        }
        Err(Diagnostic::new(
            Code::UnsupportedYaml,
            span,
            format!(
                "the YAML tag `{}{}` is not supported",
                tag.handle, tag.suffix
            ),
        )
        .label("tag used here")
        .help("remove the tag; write the value as plain YAML"))
    }

    fn scalar(
        &mut self,
        text: &str,
        style: ScalarStyle,
        anchor: usize,
        tag: Option<&saphyr_parser::Tag>,
        span: Span,
    ) -> Result<(), Diagnostic> {
        self.count(1, span)?;
        let tag = self.check_tag(tag, span, &["str", "int", "float", "bool", "null"])?;
        // A mapping key is always taken as its text.
        if let Some(Frame::Map {
            pending_key: None, ..
        }) = self.stack.last()
        {
            if text == "<<" && style == ScalarStyle::Plain {
                return Err(Diagnostic::new(Code::UnsupportedYaml, span, "YAML merge keys (`<<`) are not supported")
                    .label("merge key")
                    .help("merge keys are YAML 1.1, not 1.2; write the keys out, or share an event definition with `use:`"));
            }
            if let Some(d) = super::secrets::check_key(text, span) {
                self.secrets.push(d);
            }
            let k = self.tree.intern(text, &mut self.key_index);
            if let Some(Frame::Map { pending_key, .. }) = self.stack.last_mut() {
                *pending_key = Some((k, span));
            }
            return Ok(());
        }
        if let Some(d) = super::secrets::check_value(text, span) {
            self.secrets.push(d);
        }
        let value = match (style, tag.as_deref()) {
            (_, Some("str")) => Value::String(text.to_owned()),
            (ScalarStyle::Plain, t) => resolve_plain(text, t).map_err(|msg| {
                Diagnostic::new(Code::UnsupportedYaml, span, msg)
                    .label("this value")
                    .help("quote it to keep it as text, or write a finite number")
            })?,
            (_, Some(t)) => resolve_plain(text, Some(t)).map_err(|msg| {
                Diagnostic::new(Code::UnsupportedYaml, span, msg).label("this value")
            })?,
            _ => Value::String(text.to_owned()),
        };
        let scalar = match &value {
            Value::Null => Scalar::Null,
            Value::Bool(v) => Scalar::Bool(*v),
            Value::Number(n) => Scalar::Number(n.clone()),
            Value::String(s) => Scalar::String(s),
            // `resolve_plain` makes scalars only.
            Value::Array(_) | Value::Object(_) => Scalar::Null,
        };
        let node = self.tree.push_scalar(span, scalar);
        if anchor > 0 {
            self.anchors.insert(anchor, Anchor { node, size: 1 });
        }
        self.deliver(node)
    }

    fn alias(&mut self, id: usize, span: Span) -> Result<(), Diagnostic> {
        if let Some(Frame::Map {
            pending_key: None, ..
        }) = self.stack.last()
        {
            return Err(Diagnostic::new(
                Code::UnsupportedYaml,
                span,
                "an alias used as a mapping key",
            )
            .label("alias key")
            .help("write the key out"));
        }
        let Some(a) = self.anchors.get(&id) else {
            return Err(
                Diagnostic::new(Code::YamlSyntax, span, "an alias to an unknown anchor")
                    .label("unknown anchor"),
            );
        };
        let (at, size) = (a.node, a.size);
        self.count(size, span)?;
        let node = self.tree.copy(at, size, span);
        self.deliver(node)
    }

    fn open(
        &mut self,
        seq: bool,
        anchor: usize,
        tag: Option<&saphyr_parser::Tag>,
        span: Span,
    ) -> Result<(), Diagnostic> {
        self.count(1, span)?;
        self.check_tag(tag, span, if seq { &["seq"] } else { &["map"] })?;
        if let Some(Frame::Map {
            pending_key: None, ..
        }) = self.stack.last()
        {
            return Err(Diagnostic::new(
                Code::UnsupportedYaml,
                span,
                "a collection used as a mapping key",
            )
            .label("complex key")
            .help("mapping keys must be plain text"));
        }
        if self.stack.len() >= self.limits.max_depth {
            return Err(Diagnostic::new(
                Code::TooDeep,
                span,
                format!(
                    "the document is nested more than {} levels deep",
                    self.limits.max_depth
                ),
            )
            .label("nesting limit reached here")
            .help("a tracking config never needs this much nesting; flatten this structure"));
        }
        let node = self.tree.open(span, seq);
        self.stack.push(if seq {
            Frame::Seq {
                start: span,
                anchor,
                node,
                kids: Vec::new(),
            }
        } else {
            Frame::Map {
                start: span,
                anchor,
                node,
                kids: Vec::new(),
                keys: Vec::new(),
                index: HashMap::new(),
                pending_key: None,
            }
        });
        Ok(())
    }

    fn close(&mut self, end: Span) -> Result<(), Diagnostic> {
        let Some(frame) = self.stack.pop() else {
            return Ok(());
        };
        let (node, kids, start, anchor) = match frame {
            Frame::Seq {
                start,
                anchor,
                node,
                kids,
            }
            | Frame::Map {
                start,
                anchor,
                node,
                kids,
                ..
            } => (node, kids, start, anchor),
        };
        // Block collections end where the next token starts; end the span at the last child instead.
        let last = kids.last().map(|&k| self.tree.span(k).end);
        let end_pos = last.map_or(end.end, |l| l.max(start.end));
        self.tree.close(node, &kids, end_pos);
        if anchor > 0 {
            let size = self.tree.len() - node;
            self.anchors.insert(anchor, Anchor { node, size });
        }
        self.deliver(node)
    }

    fn deliver(&mut self, node: NodeId) -> Result<(), Diagnostic> {
        match self.stack.last_mut() {
            None => {
                self.root = Some(node);
                Ok(())
            }
            Some(Frame::Seq { kids, .. }) => {
                kids.push(node);
                Ok(())
            }
            Some(Frame::Map {
                kids,
                keys,
                index,
                pending_key,
                ..
            }) => {
                let Some((key, key_span)) = pending_key.take() else {
                    return Ok(());
                };
                let dup = if keys.len() < 12 {
                    keys.iter().position(|k| *k == key)
                } else {
                    if index.is_empty() {
                        index.extend(keys.iter().enumerate().map(|(i, &k)| (k, i)));
                    }
                    index.get(&key).copied()
                };
                if let Some(first) = dup {
                    let first = kids[first];
                    let first_span = self
                        .tree
                        .key_span_of(first)
                        .unwrap_or_else(|| self.tree.span(first));
                    self.diags.push(
                        Diagnostic::new(
                            Code::DuplicateKey,
                            key_span,
                            format!(
                                "the key `{}` appears twice in this mapping",
                                crate::diagnostic::truncate(self.tree.key_text(key), 60)
                            ),
                        )
                        .label("second occurrence")
                        .with_secondary(first_span, "first occurrence")
                        .help("remove one of them; tagc never lets the last one silently win"),
                    );
                    return Ok(());
                }
                if !index.is_empty() {
                    index.insert(key, keys.len());
                }
                keys.push(key);
                kids.push(node);
                self.tree.set_key(node, key, key_span);
                Ok(())
            }
        }
    }
}

/// Resolves a plain scalar with the YAML 1.2 core schema (see the module docs).
fn resolve_plain(text: &str, tag: Option<&str>) -> Result<Value, String> {
    let t = text;
    let as_null = matches!(t, "" | "~" | "null" | "Null" | "NULL");
    let as_bool = match t {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    };
    match tag {
        Some("null") => return Ok(Value::Null),
        Some("bool") => {
            return as_bool
                .map(Value::Bool)
                .ok_or_else(|| format!("`{t}` is not a boolean"));
        }
        _ => {}
    }
    if tag.is_none() {
        if as_null {
            return Ok(Value::Null);
        }
        if let Some(b) = as_bool {
            return Ok(Value::Bool(b));
        }
    }
    if let Some(n) = parse_int(t) {
        return Ok(n);
    }
    if tag == Some("int") {
        return Err(format!(
            "`{}` is not an integer",
            crate::diagnostic::truncate(t, 40)
        ));
    }
    if is_float_syntax(t)
        && let Ok(f) = t.parse::<f64>()
        && let Some(n) = Number::from_f64(f)
    {
        return Ok(Value::Number(n));
    }
    let lower = t.trim_start_matches(['+', '-']);
    if matches!(lower, ".inf" | ".Inf" | ".INF") || matches!(t, ".nan" | ".NaN" | ".NAN") {
        return Err(format!("`{t}` (infinity or not-a-number) has no JSON form"));
    }
    if tag == Some("float") {
        return Err(format!(
            "`{}` is not a number",
            crate::diagnostic::truncate(t, 40)
        ));
    }
    Ok(Value::String(t.to_owned()))
}

fn parse_int(t: &str) -> Option<Value> {
    let (neg, digits) = match t.as_bytes().first()? {
        b'-' => (true, &t[1..]),
        b'+' => (false, &t[1..]),
        _ => (false, t),
    };
    if let Some(oct) = digits.strip_prefix("0o") {
        if !neg && t == digits && !oct.is_empty() && oct.bytes().all(|b| (b'0'..=b'7').contains(&b))
        {
            return u64::from_str_radix(oct, 8).ok().map(Value::from);
        }
        return None;
    }
    if let Some(hex) = digits.strip_prefix("0x") {
        if !neg && t == digits && !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return u64::from_str_radix(hex, 16).ok().map(Value::from);
        }
        return None;
    }
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Deviation from the core schema: leading zeros mean an identifier, keep it as text.
    if digits.len() > 1 && digits.starts_with('0') {
        return None;
    }
    // Too large for a 64-bit integer: keep the digits as text rather than lose precision.
    let number = if neg {
        t.parse::<i64>().ok().map(Value::from)
    } else {
        digits.parse::<u64>().ok().map(Value::from)
    };
    Some(number.unwrap_or_else(|| Value::String(t.to_owned())))
}

fn is_float_syntax(t: &str) -> bool {
    let s = t.strip_prefix(['+', '-']).unwrap_or(t);
    let (mantissa, exp) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some((a, b)) => {
            (!a.is_empty() || !b.is_empty())
                && a.bytes().all(|c| c.is_ascii_digit())
                && b.bytes().all(|c| c.is_ascii_digit())
        }
        None => !mantissa.is_empty() && mantissa.bytes().all(|c| c.is_ascii_digit()),
    };
    let exp_ok = exp.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && e.bytes().all(|c| c.is_ascii_digit())
    });
    // A leading-zero integer part (`012.5`) is kept as text like leading-zero integers.
    let leading_zero =
        mantissa.len() > 1 && mantissa.starts_with('0') && !mantissa.starts_with("0.");
    mantissa_ok && exp_ok && !leading_zero
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn p(text: &str) -> Result<Document, Diagnostics> {
        parse(FileId(0), text, Limits::default())
    }

    fn codes(text: &str) -> Vec<Code> {
        p(text).err().map(|d| d.codes()).unwrap_or_default()
    }

    #[test]
    fn core_schema_scalars() {
        let d = p("a: no\nb: NO\nc: yes\nd: true\ne: 017\nf: 0o17\ng: 12\nh: -3\ni: 1.5\nj: ~\nk: '12'\nl: 0x1F\nm: 08540\nn: 1e3\no: 99999999999999999999999\n").unwrap();
        assert_eq!(
            d.value,
            json!({"a":"no","b":"NO","c":"yes","d":true,"e":"017","f":15,"g":12,"h":-3,"i":1.5,"j":null,"k":"12","l":31,"m":"08540","n":1000.0,"o":"99999999999999999999999"})
        );
    }

    #[test]
    fn spans_point_at_keys_and_values() {
        let d = p("pages:\n  - id: home\n    url: /\n").unwrap();
        let path = crate::path!["pages", 0usize, "url"];
        let v = d.tree.value_span(&path);
        assert_eq!((v.start.line, v.start.col), (3, 10));
        let k = d.tree.key_span(&path);
        assert_eq!((k.start.line, k.start.col, k.end.col), (3, 5, 8));
    }

    #[test]
    fn spans_past_the_packed_range_are_exact() {
        // Column 2,047 is the last one a node packs in place; these keys sit far past it
        // on one flow line, and an alias repeats one of them.
        let pad = "x".repeat(3_000);
        let text = format!("a: {{p: {pad}, q: &r [1, 2], s: *r}}\nb:\n  c: 1\n");
        let d = p(&text).unwrap();
        let q = d.tree.key_span(&crate::path!["a", "q"]);
        assert_eq!((q.start.line, q.start.col, q.end.col), (1, 3_010, 3_011));
        let s = d.tree.value_span(&crate::path!["a", "s"]);
        assert_eq!((s.start.line, s.start.col), (1, 3_027));
        let one = d.tree.value_span(&crate::path!["a", "s", 0usize]);
        assert_eq!((one.start.line, one.start.col), (1, 3_017));
        let c = d.tree.key_span(&crate::path!["b", "c"]);
        assert_eq!((c.start.line, c.start.col, c.end.col), (3, 3, 4));
    }

    #[test]
    fn duplicate_keys_name_both_places() {
        let err = p("a: 1\nb: 2\na: 3\n").unwrap_err();
        let d = &err.as_slice()[0];
        assert_eq!(d.code, Code::DuplicateKey);
        assert_eq!(d.primary.span.start.line, 3);
        assert_eq!(d.secondary[0].span.start.line, 1);
    }

    #[test]
    fn hostile_inputs_are_errors_not_crashes() {
        assert_eq!(codes(""), vec![Code::EmptyFile]);
        assert_eq!(codes("# only a comment\n"), vec![Code::EmptyFile]);
        assert_eq!(codes("a:\n\tb: 1\n"), vec![Code::YamlSyntax]);
        let deep_block = "- ".repeat(100_000) + "x\n";
        assert_eq!(codes(&deep_block), vec![Code::TooDeep]);
        let deep_flow = "[".repeat(100_000);
        assert_eq!(codes(&deep_flow), vec![Code::TooDeep]);
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x]\n");
        for i in 0..9 {
            let prev = if i == 0 {
                "a".to_string()
            } else {
                format!("l{}", i - 1)
            };
            bomb.push_str(&format!("l{i}: &l{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
        }
        assert_eq!(codes(&bomb), vec![Code::TooManyNodes]);
        assert_eq!(codes("a: 1\n---\nb: 2\n"), vec![Code::UnsupportedYaml]);
        assert_eq!(codes("a: .nan\n"), vec![Code::UnsupportedYaml]);
        assert_eq!(codes("? [a]\n: 1\n"), vec![Code::UnsupportedYaml]);
        assert_eq!(
            codes("b: &x {c: 1}\na:\n  <<: *x\n"),
            vec![Code::UnsupportedYaml]
        );
        assert_eq!(codes("a: !custom 1\n"), vec![Code::UnsupportedYaml]);
        assert_eq!(codes("a: [1, 2\n"), vec![Code::YamlSyntax]);
    }

    /// Issue 17: tab errors point at the tab, not at the value on the line above or at the
    /// key after the tab. (line, column) are 1-based, columns in characters.
    #[test]
    fn tab_errors_point_at_the_tab() {
        let at = |text: &str| {
            let err = p(text).unwrap_err();
            let d = &err.as_slice()[0];
            assert_eq!(d.code, Code::YamlSyntax, "{text:?}");
            (d.primary.span.start.line, d.primary.span.start.col)
        };
        // Block indentation: the mark was on the key after the tab.
        assert_eq!(at("a:\n\tb: 1\n"), (2, 1));
        assert_eq!(at("a:\n  b: \"x\"\n\tc: 1\n"), (3, 1));
        // After a plain value: the mark was where that value started, a line early.
        assert_eq!(at("a:\n  b: x\n\tc: 1\n"), (3, 1));
        assert_eq!(at("a:\n  b: x\n  \tc: 1\n"), (3, 3));
        assert_eq!(at("a:\r\n  b: café\r\n \tc: 1\r\n"), (3, 2));
        assert_eq!(at("- a: x\n  \tb: y\n"), (2, 3));
        // Blank, tab-only and comment lines and continuation lines are passed over.
        assert_eq!(at("a:\n  b: x\n\n\t\n\t# c\n\tc: 1\n"), (6, 1));
        assert_eq!(at("a:\n  b: x\n    y\n       \tz\n\tc: 1\n"), (5, 1));
        // Block scalar content: the mark was on the `|`.
        assert_eq!(at("a: |  # c\n\tfoo\n"), (2, 1));
        // These were already on the tab.
        assert_eq!(at("a:\n  b: \"x\n\ty\"\n"), (3, 1));
        assert_eq!(at("? \tb\n"), (1, 3));
    }

    #[test]
    fn aliases_expand_within_budget() {
        let d = p("x: &v {a: 1}\ny: *v\n").unwrap();
        assert_eq!(d.value, json!({"x":{"a":1},"y":{"a":1}}));
    }
}

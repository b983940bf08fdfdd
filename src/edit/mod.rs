//! Editing the user's configuration in place: a new button under a page, or a new page,
//! inserted into the YAML text with every other byte of the file kept.
//!
//! The file is never re-serialized. An edit is one insertion of whole lines (block
//! style) or of one item (flow style) at a computed byte offset:
//!
//! - **the tree says *which***: the file's text is parsed again with
//!   [`crate::load::yaml::parse_tree`] (fresh spans; the loader's stored text has secrets
//!   redacted, so it is not the file), and `pages[i]`, its `buttons:` and the last item are
//!   found by path. Containers that are aliases or anchors are refused: an edit there would
//!   change another part of the document too.
//! - **indentation runs say *where***: a block item ends at the last non-blank line
//!   indented deeper than its dash (comments included), which is what a person sees and
//!   stays right where a tree span is least reliable (a `|` block scalar, trailing
//!   comments). Blank lines and comments at the dash's column or left of it stay *after*
//!   the insertion. New lines copy the file's own style: the dash column and the gap to the
//!   key of the last item, or for a new `buttons:` key the file's first block sequence's
//!   offset from its key (`0` for indentless `- ` sequences), and its line ending.
//! - **the re-parse is the guard**: the result is parsed again and must be the old
//!   document plus exactly the new item at the expected path (everything else equal);
//!   otherwise [`EditError::Internal`] and no text is returned, so a broken or misplaced
//!   edit never reaches the disk.
//!
//! Scalars are written by [`crate::escape::yaml::scalar`]. Writing ([`write_cas`]) is a
//! compare-and-swap: the file must still hold the bytes [`read`] saw; the new bytes go to a
//! temporary file in the same directory (same permissions, BOM kept) renamed over the
//! original. [`undo`] writes the original bytes back the same way.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde_json::{Map, Number, Value};

use crate::escape::yaml::scalar;
use crate::load::yaml::parse_tree;
use crate::load::{Limits, NodeId, Seg, Tree};
use crate::model::{ParamType, Source, Trigger};
use crate::source::{FileId, Pos};

/// The UTF-8 byte-order mark, dropped before parsing and written back unchanged.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Why an edit could not be made. Nothing was written when one of these is returned.
#[derive(Debug, thiserror::Error)]
pub enum EditError {
    /// The file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not UTF-8 text.
    #[error("{} is not UTF-8 text; save it as UTF-8 and try again", path.display())]
    NotUtf8 {
        /// The file.
        path: PathBuf,
    },
    /// The new file could not be written.
    #[error("cannot write {}: {source}; the file was left as it was", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file on disk is no longer what was read.
    #[error(
        "{} changed on disk since it was read; nothing written (read it again and redo the edit)",
        path.display()
    )]
    Changed {
        /// The file.
        path: PathBuf,
    },
    /// The text does not parse as YAML.
    #[error(
        "the file does not parse as YAML ({0}); fix it (`tagc check` shows where) and try again"
    )]
    Parse(String),
    /// The file has no `pages:` list, or fewer pages than the index asked for.
    #[error("the file has no page number {index} (it has {count}); choose one of its pages")]
    NoPage {
        /// The 0-based index asked for.
        index: usize,
        /// How many pages the file has.
        count: usize,
    },
    /// A container to edit is an alias or an anchor: editing it would change other parts of
    /// the document too.
    #[error(
        "{what} is {kind} (`{token}`), so an edit there would also change what it is shared with; \
         write it out in full in the file, or add the entry by hand"
    )]
    Alias {
        /// Which part of the document (`pages[0].buttons`).
        what: String,
        /// `an alias` or `anchored`.
        kind: &'static str,
        /// The alias or anchor as written (`*shared`, `&shared`).
        token: String,
    },
    /// The file's layout at the insertion point is one this editor does not handle.
    #[error("{0}; add the entry by hand")]
    Unsupported(String),
    /// The edit did not give the expected document (a bug in this editor).
    #[error(
        "the edit did not give the expected file ({0}); nothing was written. Please report this \
         with the file, and add the entry by hand meanwhile"
    )]
    Internal(String),
}

/// How the new button is found on the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NewLocator {
    /// By visible text (`text:`), optionally only inside elements matching `within`.
    Text {
        /// The element's visible text.
        text: String,
        /// A CSS selector for the container (`within:`).
        within: Option<String>,
    },
    /// By CSS selector (`selector:`).
    Selector(String),
}

/// The value of one parameter of the new button's event.
#[derive(Debug, Clone, PartialEq)]
pub enum NewParam {
    /// A constant text.
    Text(String),
    /// A constant number, written as a YAML number.
    Number(Number),
    /// A value read in the browser when the event fires (`{from: …}`).
    Source(Source),
}

/// A button to add to a page: the fields `tagc pick` fills in.
#[derive(Debug, Clone, PartialEq)]
pub struct NewButton {
    /// The button's id, unique within the page.
    pub id: String,
    /// How the element is found.
    pub locator: NewLocator,
    /// The Meta event name (`Lead`, or a custom name with `custom`).
    pub event: String,
    /// Whether the event is custom (writes `custom: true`).
    pub custom: bool,
    /// Parameters, in the order they are written; empty for "Don't include value".
    pub params: Vec<(String, NewParam)>,
    /// `click` (written only as the default, i.e. not at all) or `submit`.
    pub on: Trigger,
}

/// A page to add, with its first button.
#[derive(Debug, Clone, PartialEq)]
pub struct NewPage {
    /// The page's id.
    pub id: String,
    /// Its URL pattern (`url:`).
    pub url: String,
    /// Its first button.
    pub button: NewButton,
}

/// A file as read for an edit: its exact bytes (the compare-and-swap reference), whether
/// it starts with a BOM, and its text without the BOM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Original {
    bytes: Vec<u8>,
    bom: bool,
    text: String,
}

impl Original {
    /// The file's bytes as read.
    #[must_use]
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Whether the file starts with a UTF-8 byte-order mark (kept when writing).
    #[must_use]
    pub fn has_bom(&self) -> bool {
        self.bom
    }

    /// The file's text, without the BOM: what [`insert_button`] and [`insert_page`] take.
    #[must_use]
    pub fn text(&self) -> &str {
        &self.text
    }
}

/// Reads `path` for an edit.
///
/// # Errors
/// [`EditError::Read`] when it cannot be read, [`EditError::NotUtf8`] when it is not UTF-8.
pub fn read(path: &Path) -> Result<Original, EditError> {
    let bytes = std::fs::read(path).map_err(|source| EditError::Read {
        path: path.to_owned(),
        source,
    })?;
    let bom = bytes.starts_with(BOM);
    let body = if bom { &bytes[BOM.len()..] } else { &bytes[..] };
    let text = std::str::from_utf8(body)
        .map_err(|_| EditError::NotUtf8 {
            path: path.to_owned(),
        })?
        .to_owned();
    Ok(Original { bytes, bom, text })
}

/// Writes `new_text` (with the original's BOM, if it had one) to `path`, provided the file
/// still holds exactly the bytes of `original`: a temporary file in the same directory with
/// the original's permissions, renamed over it (a symbolic link is followed, so the file it
/// points to is replaced and the link kept).
///
/// # Errors
/// [`EditError::Changed`] when the file changed since it was read (nothing is written);
/// [`EditError::Read`] / [`EditError::Write`] for I/O failures.
pub fn write_cas(path: &Path, original: &Original, new_text: &str) -> Result<(), EditError> {
    let now = std::fs::read(path).map_err(|source| EditError::Read {
        path: path.to_owned(),
        source,
    })?;
    if now != original.bytes {
        return Err(EditError::Changed {
            path: path.to_owned(),
        });
    }
    let mut bytes = Vec::with_capacity(new_text.len() + BOM.len());
    if original.bom {
        bytes.extend_from_slice(BOM);
    }
    bytes.extend_from_slice(new_text.as_bytes());
    replace(path, &bytes)
}

/// Writes `original`'s bytes back to `path` the way [`write_cas`] writes (temporary file,
/// rename): the undo of an edit whose result did not check.
///
/// # Errors
/// [`EditError::Read`] / [`EditError::Write`] for I/O failures.
pub fn undo(path: &Path, original: &Original) -> Result<(), EditError> {
    replace(path, &original.bytes)
}

/// Replaces the file at `path` (through symbolic links) with `bytes` atomically.
fn replace(path: &Path, bytes: &[u8]) -> Result<(), EditError> {
    let write_err = |source| EditError::Write {
        path: path.to_owned(),
        source,
    };
    let target = std::fs::canonicalize(path).map_err(|source| EditError::Read {
        path: path.to_owned(),
        source,
    })?;
    let perms = std::fs::metadata(&target)
        .map_err(|source| EditError::Read {
            path: path.to_owned(),
            source,
        })?
        .permissions();
    let dir = target.parent().unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}.tagc-tmp-{}-", std::process::id()))
        .tempfile_in(dir)
        .map_err(write_err)?;
    tmp.write_all(bytes).map_err(write_err)?;
    tmp.as_file().set_permissions(perms).map_err(write_err)?;
    tmp.as_file().sync_all().map_err(write_err)?;
    tmp.persist(&target).map_err(|e| write_err(e.error))?;
    Ok(())
}

/// `text` (a file's text without its BOM) with `button` appended to the buttons of page
/// `page_index` (0-based, in the order of the file's `pages:` list).
///
/// Handles a block `buttons:` list (a new item after the last one, in the same style), a
/// flow list (`buttons: [ … ]`, also empty), a page without `buttons:` (the key is added
/// after `on_load`, `url` or `id`), and a flow page (`{id: …, url: …}`).
///
/// # Errors
/// [`EditError::Parse`] when `text` is not YAML, [`EditError::NoPage`] when there is no such
/// page, [`EditError::Alias`] when the page or its list is an alias or anchored,
/// [`EditError::Unsupported`] for a layout not handled, [`EditError::Internal`] when the
/// result is not the expected document.
pub fn insert_button(
    text: &str,
    page_index: usize,
    button: &NewButton,
) -> Result<String, EditError> {
    let doc = Doc::parse(text)?;
    let tree = &doc.tree;
    let pages = tree
        .child(tree.root(), &Seg::from("pages"))
        .filter(|&p| tree.is_seq(p));
    let count = pages.map_or(0, |p| tree.children(p).count());
    let (Some(pages), true) = (pages, page_index < count) else {
        return Err(EditError::NoPage {
            index: page_index,
            count,
        });
    };
    doc.refuse_shared(pages, "pages")?;
    let page = tree
        .child(pages, &Seg::Index(page_index))
        .ok_or(EditError::NoPage {
            index: page_index,
            count,
        })?;
    let here = format!("pages[{page_index}]");
    doc.refuse_shared(page, &here)?;
    let item = button_yaml(button);
    let (at, insert) = match tree.child(page, &Seg::from("buttons")) {
        Some(list) => {
            doc.refuse_shared(list, &format!("{here}.buttons"))?;
            doc.append_to_seq(list, &item, &format!("{here}.buttons"))?
        }
        None if doc.starts_with(page, '{') => {
            let flow = Y::Seq(vec![item.clone()]);
            doc.append_to_flow(page, &format!("buttons: {}", flow.flow()))?
        }
        None if tree.children(page).count() > 0 => doc.add_key(page, "buttons", &item)?,
        None => {
            return Err(EditError::Unsupported(format!(
                "{here} is not a mapping of page fields"
            )));
        }
    };
    let result = splice(text, at, &insert);
    let had_buttons = tree.child(page, &Seg::from("buttons")).is_some();
    guard(&doc, &result, &item, |value| {
        let page = value
            .get_mut("pages")
            .and_then(|p| p.get_mut(page_index))
            .and_then(Value::as_object_mut)
            .ok_or("the page is gone")?;
        let list = page
            .get_mut("buttons")
            .and_then(Value::as_array_mut)
            .ok_or("the page has no `buttons` list")?;
        let got = list.pop().ok_or("the `buttons` list is empty")?;
        if !had_buttons {
            if !list.is_empty() {
                return Err("the new `buttons` list has more than the new button");
            }
            page.remove("buttons");
        }
        Ok(got)
    })?;
    Ok(result)
}

/// `text` (a file's text without its BOM) with `page` appended to its `pages:` list
/// (block or flow), or with a `pages:` list holding it added at the end of the file when
/// there is none.
///
/// # Errors
/// As [`insert_button`].
pub fn insert_page(text: &str, page: &NewPage) -> Result<String, EditError> {
    let doc = Doc::parse(text)?;
    let tree = &doc.tree;
    let item = page_yaml(page);
    let root = tree.root();
    let pages = tree.child(root, &Seg::from("pages"));
    let (at, insert) = match pages {
        Some(list) => {
            doc.refuse_shared(list, "pages")?;
            doc.append_to_seq(list, &item, "pages")?
        }
        None if doc.blank || tree.children(root).count() > 0 => {
            if !doc.blank && doc.starts_with(root, '{') {
                return Err(EditError::Unsupported(
                    "the file is one flow mapping (`{…}`) without `pages:`".to_owned(),
                ));
            }
            doc.add_root_pages(&item)
        }
        None => {
            return Err(EditError::Unsupported(
                "the file is not a mapping of configuration sections".to_owned(),
            ));
        }
    };
    let result = splice(text, at, &insert);
    let had_pages = pages.is_some();
    guard(&doc, &result, &item, |value| {
        let root = value.as_object_mut().ok_or("the file is not a mapping")?;
        let list = root
            .get_mut("pages")
            .and_then(Value::as_array_mut)
            .ok_or("there is no `pages` list")?;
        let got = list.pop().ok_or("the `pages` list is empty")?;
        if !had_pages {
            if !list.is_empty() {
                return Err("the new `pages` list has more than the new page");
            }
            root.remove("pages");
        }
        Ok(got)
    })?;
    Ok(result)
}

/// `text` with `insert` at byte offset `at`.
fn splice(text: &str, at: usize, insert: &str) -> String {
    let mut out = String::with_capacity(text.len() + insert.len());
    out.push_str(&text[..at]);
    out.push_str(insert);
    out.push_str(&text[at..]);
    out
}

/// The re-parse check: `result` must parse, and after `take` removes the new item from
/// its document (returning it), the rest must equal the original document and the item
/// must be `expected`.
fn guard(
    doc: &Doc<'_>,
    result: &str,
    expected: &Y,
    take: impl FnOnce(&mut Value) -> Result<Value, &'static str>,
) -> Result<(), EditError> {
    let parsed = parse_tree(FileId(0), result, Limits::default())
        .map_err(|d| EditError::Internal(format!("the result does not parse: {}", first!(d))))?;
    let mut value = parsed.tree.to_value(parsed.tree.root());
    let got = take(&mut value).map_err(|e| EditError::Internal(e.to_owned()))?;
    if !same(&got, &expected.json()) {
        return Err(EditError::Internal(format!(
            "the new entry reads back as {got}, not {}",
            expected.json()
        )));
    }
    if value != doc.tree.to_value(doc.tree.root()) {
        return Err(EditError::Internal(
            "the rest of the document changed".to_owned(),
        ));
    }
    Ok(())
}

/// The first message of the parser's diagnostics (their type is the `diagnostic`
/// module's, used here only through what `parse_tree` returns).
macro_rules! first {
    ($d:expr) => {
        $d.as_slice()
            .first()
            .map_or_else(|| "a YAML error".to_owned(), |d| d.message.clone())
    };
}
use first;

/// Structural equality where numbers compare by value (`25` and `25.0` are one number).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x == y || x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

/// A small YAML value to write: rendered in block or flow style, and compared with what
/// the re-parse reads.
#[derive(Debug, Clone, PartialEq)]
enum Y {
    Str(String),
    Num(Number),
    Bool(bool),
    Map(Vec<(String, Y)>),
    Seq(Vec<Y>),
}

impl Y {
    fn str(s: &str) -> Self {
        Y::Str(s.to_owned())
    }

    /// Flow style on one line.
    fn flow(&self) -> String {
        match self {
            Y::Str(s) => scalar(s).into_owned(),
            Y::Num(n) => n.to_string(),
            Y::Bool(b) => b.to_string(),
            Y::Map(entries) => {
                let items: Vec<String> = entries
                    .iter()
                    .map(|(k, v)| format!("{}: {}", key(k), v.flow()))
                    .collect();
                format!("{{{}}}", items.join(", "))
            }
            Y::Seq(items) => {
                let items: Vec<String> = items.iter().map(Y::flow).collect();
                format!("[{}]", items.join(", "))
            }
        }
    }

    /// A block sequence item: `- key: value` at `dash` with the keys at `dash + gap`, each
    /// value in flow style except a sequence of mappings (a page's `buttons:`), which is a
    /// nested block sequence `seq_offset` right of its key. Lines end with `eol`.
    fn block_item(&self, style: Style, dash: usize, eol: &str) -> String {
        let Y::Map(entries) = self else {
            return format!("{}- {}{eol}", " ".repeat(dash), self.flow());
        };
        let key_col = dash + style.gap;
        let mut out = String::new();
        for (i, (k, v)) in entries.iter().enumerate() {
            if i == 0 {
                out.push_str(&" ".repeat(dash));
                out.push('-');
                out.push_str(&" ".repeat(style.gap - 1));
            } else {
                out.push_str(&" ".repeat(key_col));
            }
            out.push_str(&key(k));
            out.push(':');
            match v {
                Y::Seq(items)
                    if items.iter().all(|i| matches!(i, Y::Map(_))) && !items.is_empty() =>
                {
                    out.push_str(eol);
                    for item in items {
                        out.push_str(&item.block_item(style, key_col + style.seq_offset, eol));
                    }
                }
                v => {
                    out.push(' ');
                    out.push_str(&v.flow());
                    out.push_str(eol);
                }
            }
        }
        out
    }

    /// As JSON, for the re-parse check.
    fn json(&self) -> Value {
        match self {
            Y::Str(s) => Value::String(s.clone()),
            Y::Num(n) => Value::Number(n.clone()),
            Y::Bool(b) => Value::Bool(*b),
            Y::Map(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.clone(), v.json()))
                    .collect::<Map<_, _>>(),
            ),
            Y::Seq(items) => Value::Array(items.iter().map(Y::json).collect()),
        }
    }
}

/// The configuration's own field names, written as they are (`on` is a boolean to YAML 1.1
/// readers as a value, but tagc's schema spells the key so); any other key (a parameter
/// name) goes through [`scalar`].
fn key(k: &str) -> std::borrow::Cow<'_, str> {
    const FIELDS: &[&str] = &[
        "id", "text", "within", "selector", "on", "event", "custom", "params", "from", "name",
        "closest", "path", "type", "url", "buttons",
    ];
    if FIELDS.contains(&k) {
        std::borrow::Cow::Borrowed(k)
    } else {
        scalar(k)
    }
}

/// The button as written: `id`, the locator, `on`, `event`, `custom`, `params`.
fn button_yaml(b: &NewButton) -> Y {
    let mut m = vec![("id".to_owned(), Y::str(&b.id))];
    match &b.locator {
        NewLocator::Text { text, within } => {
            m.push(("text".to_owned(), Y::str(text)));
            if let Some(w) = within {
                m.push(("within".to_owned(), Y::str(w)));
            }
        }
        NewLocator::Selector(s) => m.push(("selector".to_owned(), Y::str(s))),
    }
    if b.on == Trigger::Submit {
        m.push(("on".to_owned(), Y::str("submit")));
    }
    m.push(("event".to_owned(), Y::str(&b.event)));
    if b.custom {
        m.push(("custom".to_owned(), Y::Bool(true)));
    }
    if !b.params.is_empty() {
        let params = b
            .params
            .iter()
            .map(|(k, v)| {
                let v = match v {
                    NewParam::Text(s) => Y::str(s),
                    NewParam::Number(n) => Y::Num(n.clone()),
                    NewParam::Source(s) => source_yaml(s),
                };
                (k.clone(), v)
            })
            .collect();
        m.push(("params".to_owned(), Y::Map(params)));
    }
    Y::Map(m)
}

/// A `{from: …}` source, with `type` only when it is not the default (`string`).
fn source_yaml(s: &Source) -> Y {
    let mut m = vec![("from".to_owned(), Y::str(s.kind()))];
    let mut field = |k: &str, v: &Option<String>| {
        if let Some(v) = v {
            m.push((k.to_owned(), Y::str(v)));
        }
    };
    match s {
        Source::Attribute { name, closest, .. } => {
            field("name", &Some(name.clone()));
            field("closest", closest);
        }
        Source::Text { selector, .. } => field("selector", selector),
        Source::Query { name, .. }
        | Source::UrlParam { name, .. }
        | Source::Cookie { name, .. }
        | Source::Meta { name, .. } => field("name", &Some(name.clone())),
        Source::DataLayer { path, .. } | Source::Window { path, .. } => {
            field("path", &Some(path.clone()));
        }
        Source::Random => {}
    }
    let ty = s.ty();
    if !matches!(s, Source::Random) && ty != ParamType::String {
        m.push(("type".to_owned(), Y::str(ty.as_str())));
    }
    Y::Map(m)
}

/// The page as written: `id`, `url`, `buttons`.
fn page_yaml(p: &NewPage) -> Y {
    Y::Map(vec![
        ("id".to_owned(), Y::str(&p.id)),
        ("url".to_owned(), Y::str(&p.url)),
        ("buttons".to_owned(), Y::Seq(vec![button_yaml(&p.button)])),
    ])
}

/// How the file writes block sequences: where the key of an item's first entry sits after
/// its dash (`gap`, `2` in `- id:`), and how far right of its key a sequence's dashes sit
/// (`seq_offset`: `0` for indentless `key:\n- a`, usually `2`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Style {
    gap: usize,
    seq_offset: usize,
}

/// The text being edited: its parse tree and where its lines start.
struct Doc<'a> {
    text: &'a str,
    tree: Tree,
    /// Byte offset of the start of each line (lines end with `\n`).
    starts: Vec<usize>,
    /// Whether the text holds nothing but blank lines and comments (its tree is `{}`).
    blank: bool,
}

impl<'a> Doc<'a> {
    fn parse(text: &'a str) -> Result<Self, EditError> {
        // A file of blank lines and comments only (an empty included file) is an empty
        // document, which the loader refuses; here it is an empty mapping to add `pages:` to.
        let blank = text
            .lines()
            .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'));
        let parsed = parse_tree(
            FileId(0),
            if blank { "{}" } else { text },
            Limits::default(),
        )
        .map_err(|d| EditError::Parse(first!(d)))?;
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Ok(Self {
            text,
            tree: parsed.tree,
            starts,
            blank,
        })
    }

    /// How many lines the text has (a final line break does not start a line).
    fn line_count(&self) -> usize {
        if self.text.ends_with('\n') {
            self.starts.len() - 1
        } else {
            self.starts.len()
        }
    }

    /// Line `n` (1-based) without its line ending.
    fn line(&self, n: usize) -> &'a str {
        let start = self.starts.get(n - 1).copied().unwrap_or(self.text.len());
        let end = self.starts.get(n).map_or(self.text.len(), |&next| next - 1);
        let line = &self.text[start..end.max(start)];
        line.strip_suffix('\r').unwrap_or(line)
    }

    /// The byte offset of `pos` (1-based line, 1-based column in characters).
    fn offset(&self, pos: Pos) -> usize {
        let start = self
            .starts
            .get((pos.line as usize).saturating_sub(1))
            .copied()
            .unwrap_or(self.text.len());
        let rest = &self.text[start..];
        let col = (pos.col as usize).saturating_sub(1);
        start + rest.char_indices().nth(col).map_or(rest.len(), |(i, _)| i)
    }

    /// The offset just after line `n`'s line ending (the start of line `n + 1`), and
    /// whether line `n` has a line ending at all (the last line may not).
    fn after_line(&self, n: usize) -> (usize, bool) {
        self.starts
            .get(n)
            .map_or((self.text.len(), false), |&next| (next, true))
    }

    /// The line ending to write after line `n` (1-based): its own, or the file's first,
    /// or `\n`.
    fn eol(&self, n: usize) -> &'static str {
        // Line `l` ends at `starts[l] - 1` (its `\n`), when it has an ending.
        let ending = |l: usize| {
            self.starts
                .get(l)
                .filter(|_| l >= 1)
                .map(|&next| self.text[..next - 1].ends_with('\r'))
        };
        match ending(n).or_else(|| ending(1)) {
            Some(true) => "\r\n",
            _ => "\n",
        }
    }

    /// Whether the node's text starts with `c`.
    fn starts_with(&self, id: NodeId, c: char) -> bool {
        self.text[self.offset(self.tree.span(id).start)..].starts_with(c)
    }

    /// Refuses a node that is an alias (`*x`) or carries an anchor (`&x`).
    fn refuse_shared(&self, id: NodeId, what: &str) -> Result<(), EditError> {
        let start = self.offset(self.tree.span(id).start);
        if self.text[start..].starts_with('*') {
            return Err(EditError::Alias {
                what: what.to_owned(),
                kind: "an alias",
                token: token(&self.text[start..]),
            });
        }
        if self.text[start..].starts_with('&') {
            return Err(EditError::Alias {
                what: what.to_owned(),
                kind: "anchored",
                token: token(&self.text[start..]),
            });
        }
        // An anchor may also sit between the key (or the dash) and the node.
        let before = self
            .tree
            .key_span_of(id)
            .map_or_else(
                || self.dash_before(start).map_or(start, |(at, _)| at),
                |k| self.offset(k.end),
            )
            .min(start);
        for line in self.text[before..start].split('\n') {
            let code = strip_comment(line);
            if let Some(i) = code.find('&') {
                return Err(EditError::Alias {
                    what: what.to_owned(),
                    kind: "anchored",
                    token: token(&code[i..]),
                });
            }
        }
        Ok(())
    }

    /// The `-` of the block sequence item starting at byte `start`: its offset and its
    /// column, when only spaces precede it on its line. The dash is on the item's line, or
    /// alone (with an anchor or a comment at most) on an earlier one.
    fn dash_before(&self, start: usize) -> Option<(usize, usize)> {
        let line_no = self.starts.partition_point(|&s| s <= start);
        let mut n = line_no;
        loop {
            let line_start = self.starts[n - 1];
            let line = if n == line_no {
                &self.text[line_start..start]
            } else {
                self.line(n)
            };
            let indent = line.len() - line.trim_start_matches(' ').len();
            let rest = &line[indent..];
            if rest.starts_with('-') && rest[1..].chars().next().is_none_or(char::is_whitespace) {
                return Some((line_start + indent, indent));
            }
            if !strip_comment(rest).trim().is_empty() || n == 1 {
                return None;
            }
            n -= 1;
        }
    }

    /// The last line of the indentation run that starts at line `start`: every later
    /// non-blank line up to it is indented more than `col` (comments too), or, with
    /// `seq_at_col`, is an indentless sequence item (`- `) at exactly `col`.
    fn run_end(&self, start: usize, col: usize, seq_at_col: bool) -> usize {
        let mut last = start;
        for n in start + 1..=self.line_count() {
            let line = self.line(n);
            if line.trim_matches([' ', '\t']).is_empty() {
                continue;
            }
            let indent = line.len() - line.trim_start_matches(' ').len();
            let rest = &line[indent..];
            let item = rest == "-" || rest.starts_with("- ");
            if indent > col || (seq_at_col && indent == col && item) {
                last = n;
            } else {
                break;
            }
        }
        last
    }

    /// The 1-based line of byte `offset`.
    fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset)
    }

    /// The column (in bytes, which is characters for an indentation) of `offset`.
    fn col_of(&self, offset: usize) -> usize {
        offset - self.starts[self.line_of(offset) - 1]
    }

    /// The file's block-sequence style: from its first block sequence under a key, with a
    /// mapping item for the gap; `gap 2, seq_offset 2` when it has none.
    fn style(&self) -> Style {
        let mut offset = None;
        let mut gap = None;
        let mut stack = vec![self.tree.root()];
        while let Some(id) = stack.pop() {
            if let Some((o, g)) = self.seq_style(id) {
                offset = offset.or(o);
                gap = gap.or(g);
                if offset.is_some() && gap.is_some() {
                    break;
                }
            }
            let kids: Vec<NodeId> = self.tree.children(id).collect();
            stack.extend(kids.into_iter().rev());
        }
        Style {
            gap: gap.unwrap_or(2),
            seq_offset: offset.unwrap_or(2),
        }
    }

    /// For a block sequence under a key: its dashes' offset from the key (when the first
    /// item starts on a later line than the key), and the gap from the first item's dash
    /// to its first key (when that item is a mapping starting on the dash's line).
    fn seq_style(&self, id: NodeId) -> Option<(Option<usize>, Option<usize>)> {
        if !self.tree.is_seq(id) || self.starts_with(id, '[') || self.starts_with(id, '*') {
            return None;
        }
        let key = self.offset(self.tree.key_span_of(id)?.start);
        let item = self.tree.children(id).next()?;
        let item_start = self.offset(self.tree.span(item).start);
        let (dash, dash_col) = self.dash_before(item_start)?;
        let key_col = self.col_of(key);
        let offset = (dash_col >= key_col && self.line_of(key) < self.line_of(dash))
            .then(|| dash_col - key_col);
        let is_map = self
            .tree
            .children(item)
            .next()
            .is_some_and(|c| self.tree.key_span_of(c).is_some());
        let gap = (is_map
            && self.line_of(dash) == self.line_of(item_start)
            && !self.text[item_start..].starts_with(['&', '*']))
        .then(|| (self.col_of(item_start) - dash_col).max(2));
        Some((offset, gap))
    }

    /// Appends `item` to sequence `list` (block or flow). Returns where and what to insert.
    fn append_to_seq(
        &self,
        list: NodeId,
        item: &Y,
        what: &str,
    ) -> Result<(usize, String), EditError> {
        if self.starts_with(list, '[') {
            return self.append_to_flow(list, &item.flow());
        }
        if !self.tree.is_seq(list) {
            return Err(EditError::Unsupported(format!("{what} is not a list")));
        }
        let Some(last) = self.tree.children(list).last() else {
            return Err(EditError::Unsupported(format!(
                "{what} is an empty block list"
            )));
        };
        let start = self.offset(self.tree.span(last).start);
        let Some((dash, dash_col)) = self.dash_before(start) else {
            return Err(EditError::Unsupported(format!(
                "the last item of {what} does not start with `- ` on its own line"
            )));
        };
        let mut style = self.style();
        if self.line_of(dash) == self.line_of(start) && !self.text[start..].starts_with(['*', '&'])
        {
            style.gap = (self.col_of(start) - dash_col).max(2);
        }
        let end = self.run_end(self.line_of(dash), dash_col, false);
        Ok(self.lines_after(end, |eol| item.block_item(style, dash_col, eol)))
    }

    /// Where and what to insert to put `lines(eol)` after line `end`.
    fn lines_after(&self, end: usize, lines: impl FnOnce(&str) -> String) -> (usize, String) {
        let (at, had_eol) = self.after_line(end);
        let eol = self.eol(end);
        let mut insert = String::new();
        if !had_eol {
            insert.push_str(eol);
        }
        insert.push_str(&lines(eol));
        (at, insert)
    }

    /// Appends `entry` (already in flow style) to the flow collection `node` (`[…]` or
    /// `{…}`): after its last entry, with a comma unless it is empty or ends with one.
    fn append_to_flow(&self, node: NodeId, entry: &str) -> Result<(usize, String), EditError> {
        let open = self.offset(self.tree.span(node).start);
        let Some(last) = flow_last(self.text, open) else {
            return Err(EditError::Unsupported(
                "a flow collection in the file is not closed".to_owned(),
            ));
        };
        let at = last + 1;
        let insert = match self.text.as_bytes()[last] {
            b'[' | b'{' => entry.to_owned(),
            b',' => format!(" {entry}"),
            _ => format!(", {entry}"),
        };
        Ok((at, insert))
    }

    /// Adds `buttons:` holding `item` to the block page mapping `page`, after the run of
    /// its `on_load`, `url` or `id` key (the first present, in that order).
    fn add_key(&self, page: NodeId, key: &str, item: &Y) -> Result<(usize, String), EditError> {
        let anchor = ["on_load", "url", "id"]
            .iter()
            .find_map(|k| self.tree.child(page, &Seg::from(*k)))
            .or_else(|| self.tree.children(page).last())
            .ok_or_else(|| EditError::Unsupported("the page has no fields".to_owned()))?;
        let key_span = self
            .tree
            .key_span_of(anchor)
            .ok_or_else(|| EditError::Unsupported("the page is not a mapping".to_owned()))?;
        let key_at = self.offset(key_span.start);
        let key_col = self.col_of(key_at);
        let end = self.run_end(self.line_of(key_at), key_col, true);
        let style = self.style();
        Ok(self.lines_after(end, |eol| {
            let mut out = format!("{}{}:{eol}", " ".repeat(key_col), self::key(key));
            out.push_str(&item.block_item(style, key_col + style.seq_offset, eol));
            out
        }))
    }

    /// Appends `pages:` holding `item` at the end of the file, at the column of the root
    /// mapping's keys.
    fn add_root_pages(&self, item: &Y) -> (usize, String) {
        let root = self.tree.root();
        let key_col = self
            .tree
            .children(root)
            .next()
            .and_then(|c| self.tree.key_span_of(c))
            .map_or(0, |k| self.col_of(self.offset(k.start)));
        let style = self.style();
        let eol = self.eol(self.line_count());
        let mut insert = String::new();
        if !self.text.is_empty() && !self.text.ends_with('\n') {
            insert.push_str(eol);
        }
        insert.push_str(&format!("{}pages:{eol}", " ".repeat(key_col)));
        insert.push_str(&item.block_item(style, key_col + style.seq_offset, eol));
        (self.text.len(), insert)
    }
}

/// `line` without a comment (`#` at its start or after a space or tab), outside quotes.
fn strip_comment(line: &str) -> &str {
    let mut quote = None;
    let mut prev = ' ';
    for (i, c) in line.char_indices() {
        match (quote, c) {
            (None, '#') if prev == ' ' || prev == '\t' => return &line[..i],
            (None, '"' | '\'')
                if prev == ' ' || prev == ':' || prev == '[' || prev == '{' || prev == ',' =>
            {
                quote = Some(c);
            }
            (Some(q), c) if c == q => quote = None,
            _ => {}
        }
        prev = c;
    }
    line
}

/// The alias or anchor token at the start of `s` (`*name`, `&name`).
fn token(s: &str) -> String {
    s.chars()
        .take_while(|c| !c.is_whitespace() && !matches!(c, ',' | ']' | '}'))
        .collect()
}

/// The offset of the last significant character (not space, line break or comment) of
/// the flow collection opening at `open` (`[` or `{`) before its closing bracket: the
/// bracket itself when empty. `None` when it is not closed.
fn flow_last(text: &str, open: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut last = open;
    let mut i = open;
    // Whether a plain scalar is being read (quotes inside it are not quotes).
    let mut plain = false;
    while i < bytes.len() {
        let c = bytes[i];
        let prev_space = i == 0 || matches!(bytes[i - 1], b' ' | b'\t' | b'\n' | b'\r');
        match c {
            b' ' | b'\t' | b'\r' | b'\n' => {
                i += 1;
                continue;
            }
            b'#' if prev_space => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'[' | b'{' => {
                plain = false;
                depth += 1;
            }
            b']' | b'}' => {
                plain = false;
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(last);
                }
            }
            b',' => plain = false,
            b':' if !plain
                || bytes
                    .get(i + 1)
                    .is_none_or(|n| n.is_ascii_whitespace() || b",[]{}".contains(n)) =>
            {
                plain = false;
            }
            b'"' if !plain => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'\'' if !plain => {
                i += 1;
                while i < bytes.len() {
                    if bytes[i] == b'\'' {
                        if bytes.get(i + 1) == Some(&b'\'') {
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    i += 1;
                }
            }
            _ => plain = true,
        }
        last = i.min(bytes.len().saturating_sub(1));
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lead(id: &str, text: &str) -> NewButton {
        NewButton {
            id: id.to_owned(),
            locator: NewLocator::Text {
                text: text.to_owned(),
                within: None,
            },
            event: "Lead".to_owned(),
            custom: false,
            params: Vec::new(),
            on: Trigger::Click,
        }
    }

    #[test]
    fn flow_last_skips_quotes_comments_and_nesting() {
        let t = "[ {a: \"]\"}, 'x'']' , # ] comment\n ]";
        assert_eq!(
            flow_last(t, 0),
            Some(t.find(" , #").map(|i| i + 1).unwrap_or(0))
        );
        assert_eq!(flow_last("[]", 0), Some(0));
        assert_eq!(flow_last("[ ]", 0), Some(0));
        assert_eq!(flow_last("{a: it's, b: c}", 0), Some(13));
        assert_eq!(flow_last("[a", 0), None);
    }

    #[test]
    fn runs_end_at_the_first_line_not_indented_deeper() {
        let text = "a:\n  - x: |\n      t\n\n    # c\n  # d\nb: 1\n";
        let doc = Doc::parse(text).expect("parses");
        assert_eq!(doc.run_end(2, 2, false), 5);
        let text = "p:\n  url:\n  - /a\n  - /b\n  id: x\n";
        let doc = Doc::parse(text).expect("parses");
        assert_eq!(doc.run_end(2, 2, true), 4);
        assert_eq!(doc.run_end(2, 2, false), 2);
    }

    #[test]
    fn the_style_is_the_files_own() {
        let doc = Doc::parse("pages:\n- id: a\n  url:\n  - /\n").expect("parses");
        assert_eq!(
            doc.style(),
            Style {
                gap: 2,
                seq_offset: 0
            }
        );
        let doc = Doc::parse("pages:\n    -   id: a\n").expect("parses");
        assert_eq!(
            doc.style(),
            Style {
                gap: 4,
                seq_offset: 4
            }
        );
        let doc = Doc::parse("a: 1\n").expect("parses");
        assert_eq!(
            doc.style(),
            Style {
                gap: 2,
                seq_offset: 2
            }
        );
    }

    #[test]
    fn a_button_goes_after_the_last_one() {
        let text = "pages:\n  - id: p\n    url: /\n    buttons:\n      - id: a\n        text: A\n        event: Lead\n# end\n";
        let out = insert_button(text, 0, &lead("b", "B: yes")).expect("inserts");
        assert_eq!(
            out,
            "pages:\n  - id: p\n    url: /\n    buttons:\n      - id: a\n        text: A\n        event: Lead\n      - id: b\n        text: \"B: yes\"\n        event: Lead\n# end\n"
        );
    }

    #[test]
    fn params_are_one_flow_mapping() {
        let mut b = lead("buy", "Comprar");
        b.params = vec![
            ("value".to_owned(), NewParam::Number(Number::from(25))),
            ("currency".to_owned(), NewParam::Text("EUR".to_owned())),
            (
                "content_ids".to_owned(),
                NewParam::Source(Source::Attribute {
                    name: "data-sku".to_owned(),
                    closest: Some(".card".to_owned()),
                    ty: ParamType::StringList,
                }),
            ),
        ];
        b.custom = true;
        b.on = Trigger::Submit;
        assert_eq!(
            button_yaml(&b).flow(),
            "{id: buy, text: Comprar, on: submit, event: Lead, custom: true, params: {value: 25, currency: EUR, content_ids: {from: attribute, name: data-sku, closest: \".card\", type: \"string[]\"}}}"
        );
    }

    #[test]
    fn missing_pages_and_bad_yaml_are_errors() {
        assert!(matches!(
            insert_button("a: 1\n", 0, &lead("b", "B")),
            Err(EditError::NoPage { index: 0, count: 0 })
        ));
        assert!(matches!(
            insert_button("pages: [\n", 0, &lead("b", "B")),
            Err(EditError::Parse(_))
        ));
    }
}
